/**
 * One call that builds a HotStuff key-value cluster with its BFT checker attached: validated
 * options, one shared block tree, the KV servers, the adversary resolver, and optionally a KV
 * client workload.
 * @module
 */
import { z } from "zod";
import { type Cluster, createCluster } from "../../net/cluster.ts";
import type { AdversaryInput } from "../../net/adversary.ts";
import type { NetworkConfigInput } from "../../net/network.ts";
import type { TraceOptions } from "../../sim/trace.ts";
import type { NodeFactory } from "../../sim/types.ts";
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
import type { HotStuffConfigInput } from "./config.ts";
import { type HotStuffKvMessage, hotstuffKvServer } from "./kv.ts";
import { hotstuffAdversary } from "./byzantine.ts";
import { hotstuffForensics, statements } from "./evidence.ts";
import { HotStuffTree } from "./tree.ts";

/** Options of {@link hotstuffCluster}. */
export interface HotStuffClusterOptions {
  /** Root seed. */
  readonly seed: number | string;
  /** Replicas (ids n0..n{n-1}). */
  readonly n: number;
  /** Byzantine replicas tolerated (default ⌊(n − 1)/3⌋). */
  readonly f?: number;
  /** Quorum override (default n − f when n = 3f + 1). */
  readonly quorum?: number;
  /** Allow n < 3f + 1 (default false: refused naming n and f). */
  readonly allowUnsafe?: boolean;
  /** "basic" (Algorithm 2) or "chained" (Algorithm 3); default "chained". */
  readonly variant?: "basic" | "chained";
  /** Network (default: constant 1 ms). */
  readonly network?: NetworkConfigInput;
  /** Nemesis schedule or generators. */
  readonly nemesis?: unknown;
  /** Byzantine replicas and their strategies. */
  readonly byzantine?: readonly AdversaryInput[];
  /** Trace options (default full). */
  readonly trace?: TraceOptions;
  /** KV client processes of a closed-loop workload (default 0: none). */
  readonly clients?: number;
  /** Workload overrides (default endMs 2000, timeoutMs 500, retries 50, retryBackoffMs 20). */
  readonly workload?: Partial<WorkloadInput>;
  /** Protocol parameters (view timeout, block size, threshold signatures). */
  readonly hotstuff?: HotStuffConfigInput;
  /** Classic mistakes to switch on in every honest replica (default none). */
  readonly mistakes?: {
    readonly ignoreLock?: boolean;
    readonly commitOnTwoChain?: boolean;
  };
  /** KV server parameters. */
  readonly kv?: KvConfigInput;
  /** Throw the first BFT breach from the run (default true). */
  readonly throwOnBreach?: boolean;
  /** Keep protocol events in sim.events (default true). */
  readonly collectEvents?: boolean;
}

/** A built HotStuff cluster. */
export interface HotStuffCluster extends Cluster<HotStuffKvMessage> {
  /** The BFT checker, attached. */
  readonly inv: BftInvariants;
  /** The workload, when `clients` > 0. */
  readonly workload?: Workload<HotStuffKvMessage>;
  /** n, f, quorum. */
  readonly size: BftSize;
  /** The run's shared block tree. */
  readonly tree: HotStuffTree;
  /** The honest replica factory (to wrap for scripted adversaries). */
  readonly factory: NodeFactory<HotStuffKvMessage>;
}

const Shape = z.object({
  ...BFT_CLUSTER_FIELDS,
  ...BFT_KV_FIELDS,
  variant: z.enum(["basic", "chained"]).optional(),
  hotstuff: z.record(z.string(), z.unknown()).optional(),
  mistakes: z.object({
    ignoreLock: z.boolean().optional(),
    commitOnTwoChain: z.boolean().optional(),
  }).strict().optional(),
}).strict();

/**
 * A HotStuff KV cluster with BftInvariants (agreement, validity, accountability) attached. Every
 * option is validated before anything runs (n = 3f is refused without allowUnsafe).
 * @example
 * ```ts
 * const c = hotstuffCluster({ seed: 1, n: 4, clients: 3, variant: "basic" });
 * c.sim.run({ untilMs: 3_000 });
 * c.inv.decidedSlots; // > 0
 * ```
 */
export function hotstuffCluster(options: HotStuffClusterOptions): HotStuffCluster {
  const o = parseConfig(Shape, options, "hotstuff cluster options");
  const size = bftClusterSize(o, "hotstuff cluster options");
  const hotstuff: HotStuffConfigInput = {
    ...options.hotstuff,
    ...(o.variant ? { variant: o.variant } : {}),
    f: size.f,
    quorum: size.quorum,
    allowUnsafe: o.allowUnsafe,
    mistakeIgnoreLock: options.mistakes?.ignoreLock ?? false,
    mistakeCommitOnTwoChain: options.mistakes?.commitOnTwoChain ?? false,
  };
  const tree = new HotStuffTree();
  const factory = hotstuffKvServer({ hotstuff, kv: options.kv, tree });
  const c = createCluster<HotStuffKvMessage>({
    seed: o.seed,
    nodes: o.n,
    factory,
    network: options.network,
    nemesis: options.nemesis,
    byzantine: options.byzantine,
    adversary: hotstuffAdversary(factory),
    trace: options.trace,
    collectEvents: options.collectEvents,
  });
  const inv = new BftInvariants({
    protocol: "hotstuff",
    statements,
    forensics: hotstuffForensics,
    throwOnBreach: options.throwOnBreach ?? true,
  }).attach(c.sim);
  const workload = installBftKvWorkload(c.sim, o.clients, options.workload);
  return { ...c, inv, workload, size, tree, factory };
}
