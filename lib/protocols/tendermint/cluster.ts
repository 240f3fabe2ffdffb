/**
 * One call that builds a Tendermint key-value cluster with its BFT checker attached: validated
 * options, the KV servers, the adversary resolver, and optionally a KV client workload.
 * @module
 */
import { z } from "zod";
import { type Cluster, createCluster } from "../../net/cluster.ts";
import type { AdversaryInput } from "../../net/adversary.ts";
import type { NetworkConfigInput } from "../../net/network.ts";
import type { TraceOptions } from "../../sim/trace.ts";
import { parseConfig } from "../../sim/errors.ts";
import type { Workload, WorkloadInput } from "../../workload/client.ts";
import type { BftSize } from "../bft/config.ts";
import {
  BFT_CLUSTER_FIELDS,
  BFT_KV_FIELDS,
  bftClusterSize,
  installBftKvWorkload,
} from "../bft/cluster_shape.ts";
import { BftInvariants } from "../bft/invariants.ts";
import type { KvConfigInput } from "../kv/config.ts";
import type { TendermintConfigInput } from "./config.ts";
import { type TendermintKvMessage, tendermintKvServer } from "./kv.ts";
import { tendermintAdversary } from "./byzantine.ts";
import { statements, tendermintForensics } from "./evidence.ts";

/** Options of {@link tendermintCluster}. */
export interface TendermintClusterOptions {
  /** Root seed. */
  readonly seed: number | string;
  /** Validators (ids n0..n{n-1}). */
  readonly n: number;
  /** Byzantine validators tolerated (default ⌊(n − 1)/3⌋). */
  readonly f?: number;
  /** Quorum override (default 2f + 1 when n = 3f + 1). */
  readonly quorum?: number;
  /** Allow n < 3f + 1 (default false: refused naming n and f). */
  readonly allowUnsafe?: boolean;
  /** Network (default: constant 1 ms). */
  readonly network?: NetworkConfigInput;
  /** Nemesis schedule or generators. */
  readonly nemesis?: unknown;
  /** Byzantine validators and their strategies. */
  readonly byzantine?: readonly AdversaryInput[];
  /** Trace options (default full). */
  readonly trace?: TraceOptions;
  /** KV client processes of a closed-loop workload (default 0: none). */
  readonly clients?: number;
  /** Workload overrides (default endMs 2000, timeoutMs 500, retries 50, retryBackoffMs 20). */
  readonly workload?: Partial<WorkloadInput>;
  /** Protocol parameters (timeouts, block size, gossip). */
  readonly tendermint?: TendermintConfigInput;
  /** Classic mistakes to switch on in every honest replica (default none). */
  readonly mistakes?: {
    readonly prevoteIgnoresLock?: boolean;
    readonly unlockOnLowerRound?: boolean;
  };
  /** KV server parameters. */
  readonly kv?: KvConfigInput;
  /** Throw the first BFT breach from the run (default true). */
  readonly throwOnBreach?: boolean;
  /** Keep protocol events in sim.events (default true). */
  readonly collectEvents?: boolean;
}

/** A built Tendermint cluster. */
export interface TendermintCluster extends Cluster<TendermintKvMessage> {
  /** The BFT checker, attached. */
  readonly inv: BftInvariants;
  /** The workload, when `clients` > 0. */
  readonly workload?: Workload<TendermintKvMessage>;
  /** n, f, quorum. */
  readonly size: BftSize;
}

const Shape = z.object({
  ...BFT_CLUSTER_FIELDS,
  ...BFT_KV_FIELDS,
  tendermint: z.record(z.string(), z.unknown()).optional(),
  mistakes: z.object({
    prevoteIgnoresLock: z.boolean().optional(),
    unlockOnLowerRound: z.boolean().optional(),
  }).strict().optional(),
}).strict();

/**
 * A Tendermint KV cluster with BftInvariants (agreement, validity, accountability) attached.
 * Every option is validated before anything runs (n = 3f is refused without allowUnsafe).
 * @example
 * ```ts
 * const c = tendermintCluster({ seed: 1, n: 4, clients: 3 });
 * c.sim.run({ untilMs: 3_000 });
 * c.inv.decidedSlots; // > 0
 * ```
 */
export function tendermintCluster(options: TendermintClusterOptions): TendermintCluster {
  const o = parseConfig(Shape, options, "tendermint cluster options");
  const size = bftClusterSize(o, "tendermint cluster options");
  const tendermint: TendermintConfigInput = {
    ...options.tendermint,
    f: size.f,
    quorum: size.quorum,
    allowUnsafe: o.allowUnsafe,
    mistakePrevoteIgnoresLock: options.mistakes?.prevoteIgnoresLock ?? false,
    mistakeUnlockOnLowerRound: options.mistakes?.unlockOnLowerRound ?? false,
  };
  const factory = tendermintKvServer({ tendermint, kv: options.kv });
  const c = createCluster<TendermintKvMessage>({
    seed: o.seed,
    nodes: o.n,
    factory,
    network: options.network,
    nemesis: options.nemesis,
    byzantine: options.byzantine,
    adversary: tendermintAdversary(factory),
    trace: options.trace,
    collectEvents: options.collectEvents,
  });
  const inv = new BftInvariants({
    protocol: "tendermint",
    statements,
    forensics: tendermintForensics(size.quorum),
    throwOnBreach: options.throwOnBreach ?? true,
  }).attach(c.sim);
  const workload = installBftKvWorkload(c.sim, o.clients, options.workload);
  return { ...c, inv, workload, size };
}
