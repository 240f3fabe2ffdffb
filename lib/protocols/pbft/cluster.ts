/**
 * One call that builds a PBFT cluster: replicas (the key-value store, or PBFT's own counter service
 * with {@link PbftClient}s), network, nemesis and Byzantine nodes, with {@link BftInvariants}
 * attached (statements and forensics of evidence.ts). Every option is validated first.
 * @module
 */
import { z } from "zod";
import { type Cluster, createCluster } from "../../net/cluster.ts";
import type { AdversaryInput } from "../../net/adversary.ts";
import type { NetworkConfigInput } from "../../net/network.ts";
import type { TraceOptions } from "../../sim/trace.ts";
import type { NodeContext, NodeFactory, NodeId } from "../../sim/types.ts";
import { parseConfig } from "../../sim/errors.ts";
import { type BftSize, bftSize, BftSizeFields } from "../bft/config.ts";
import { BftInvariants } from "../bft/invariants.ts";
import type { KvConfigInput } from "../kv/config.ts";
import { type PbftConfigInput, PbftConfigSchema } from "./config.ts";
import { pbftKvServer } from "./kv.ts";
import { PbftClient, PbftService } from "./service.ts";
import { pbftAdversary } from "./byzantine.ts";
import { pbftForensics, pbftStatements } from "./evidence.ts";
import { PbftNode } from "./node.ts";

/** Options of {@link pbftCluster}. */
export interface PbftClusterOptions {
  /** Root seed. */
  readonly seed: number | string;
  /** Replicas (default 4). */
  readonly n?: number;
  /** Faults tolerated (default ⌊(n − 1)/3⌋). */
  readonly f?: number;
  /** Quorum override (default ⌈(n + f + 1)/2⌉). */
  readonly quorum?: number;
  /** Allow n < 3f + 1 or an unsafe quorum (default false). */
  readonly allowUnsafe?: boolean;
  /** "kv" (the key-value store; drive it with lib/workload) or "counter" (PBFT's own clients). Default "kv". */
  readonly app?: "kv" | "counter";
  /** Number of {@link PbftClient} nodes c0.. (counter app only). Default 0. */
  readonly clients?: number;
  /** Requests each PbftClient sends (default unlimited). */
  readonly clientRequests?: number;
  /** PbftClient retransmission timeout (default 300 ms). */
  readonly clientTimeoutMs?: number;
  /** Other PBFT parameters (checkpointInterval, logWindow, batchSize, timeouts ...). */
  readonly pbft?: PbftConfigInput;
  /** Mistake: commit on 2f commits (see config.ts). */
  readonly mistakeCommitOn2f?: boolean;
  /** Mistake: new primary ignores prepared certificates (see config.ts). */
  readonly mistakeViewChangeIgnoresPrepared?: boolean;
  /**
   * PBFT parameters of the honest code the Byzantine replicas run behind their strategies
   * (default: the same as everyone's, mistakes included).
   */
  readonly byzantinePbft?: PbftConfigInput;
  /** Key-value server parameters (kv app). */
  readonly kv?: KvConfigInput;
  /** Network (default constant 1 ms). */
  readonly network?: NetworkConfigInput;
  /** Nemesis schedule or generators. */
  readonly nemesis?: unknown;
  /** Byzantine replicas and their strategies. */
  readonly byzantine?: readonly AdversaryInput[];
  /** Trace options (default full). */
  readonly trace?: TraceOptions;
  /** Keep protocol events (default true). */
  readonly collectEvents?: boolean;
  /** Throw at the first breach (default true); else record them in `invariants.breaches`. */
  readonly throwOnBreach?: boolean;
}

const Shape = z.object({
  seed: z.union([z.number().int(), z.string().min(1)]),
  n: z.number().int().min(1).max(1000).default(4),
  ...BftSizeFields,
  app: z.enum(["kv", "counter"]).default("kv"),
  clients: z.number().int().min(0).max(10_000).default(0),
  clientRequests: z.number().int().min(1).optional(),
  clientTimeoutMs: z.number().positive().optional(),
  pbft: z.unknown().optional(),
  mistakeCommitOn2f: z.boolean().default(false),
  mistakeViewChangeIgnoresPrepared: z.boolean().default(false),
  kv: z.unknown().optional(),
  byzantinePbft: z.unknown().optional(),
  network: z.unknown().optional(),
  nemesis: z.unknown().optional(),
  byzantine: z.unknown().optional(),
  trace: z.unknown().optional(),
  collectEvents: z.boolean().optional(),
  throwOnBreach: z.boolean().default(true),
}).strict();

/** A built PBFT cluster. */
export interface PbftCluster extends Cluster<unknown> {
  /** The BFT checker, attached. */
  readonly invariants: BftInvariants;
  /** PbftClient node ids (counter app). */
  readonly clients: readonly NodeId[];
  /** n, f, quorum. */
  readonly size: BftSize;
}

/**
 * Build a PBFT cluster (replicas n0..n{n-1}).
 * @example
 * ```ts
 * const c = pbftCluster({ seed: 1, n: 4, app: "counter", clients: 2, clientRequests: 10 });
 * c.sim.run({ untilMs: 1_000 });
 * c.invariants.decidedSlots; // 20
 * ```
 */
export function pbftCluster(options: PbftClusterOptions): PbftCluster {
  const o = parseConfig(Shape, options, "pbft cluster options");
  const size = bftSize(o.n, o, "pbft cluster options");
  const pbft: PbftConfigInput = {
    ...(o.pbft as PbftConfigInput | undefined),
    f: o.f,
    quorum: o.quorum,
    allowUnsafe: o.allowUnsafe,
    mistakeCommitOn2f: o.mistakeCommitOn2f,
    mistakeViewChangeIgnoresPrepared: o.mistakeViewChangeIgnoresPrepared,
  };
  parseConfig(PbftConfigSchema, pbft, "pbft cluster options.pbft");
  const make = (p: PbftConfigInput) =>
    (o.app === "kv"
      ? pbftKvServer({ pbft: p, kv: o.kv as KvConfigInput | undefined })
      : (ctx: NodeContext<unknown>) => new PbftService(ctx as never, p)) as NodeFactory<unknown>;
  const factory = make(pbft);
  const byz = o.byzantinePbft === undefined ? pbft : {
    ...(o.byzantinePbft as PbftConfigInput),
    f: o.f,
    quorum: o.quorum,
    allowUnsafe: o.allowUnsafe,
  };
  parseConfig(PbftConfigSchema, byz, "pbft cluster options.byzantinePbft");
  const c = createCluster<unknown>({
    seed: o.seed,
    nodes: o.n,
    factory,
    network: options.network,
    nemesis: options.nemesis,
    trace: options.trace,
    collectEvents: options.collectEvents,
    byzantine: options.byzantine,
    adversary: pbftAdversary(o.byzantinePbft === undefined ? factory : make(byz)),
  });
  const invariants = new BftInvariants({
    protocol: "pbft",
    statements: pbftStatements,
    forensics: pbftForensics,
    throwOnBreach: o.throwOnBreach,
  }).attach(c.sim);
  const clients: NodeId[] = [];
  if (o.app === "counter") {
    for (let k = 0; k < o.clients; k++) {
      const id = `c${k}`;
      clients.push(id);
      c.sim.addNode(
        id,
        (ctx) =>
          new PbftClient(ctx as never, {
            f: size.f,
            requests: o.clientRequests,
            timeoutMs: o.clientTimeoutMs,
          }),
        { role: "client" },
      );
    }
  }
  return { ...c, invariants, clients, size };
}

/**
 * The PBFT replica inside node `id` of a simulation (through a key-value or service host and a
 * Byzantine wrapper), or undefined when the node is down.
 */
export function pbftNodeOf(
  sim: { instanceOf(id: NodeId): unknown },
  id: NodeId,
): PbftNode<never> | undefined {
  let x = sim.instanceOf(id) as { inner?: unknown; log?: unknown } | undefined;
  if (x && x.inner) x = x.inner as typeof x;
  if (x instanceof PbftNode) return x as PbftNode<never>;
  return x?.log instanceof PbftNode ? x.log as PbftNode<never> : undefined;
}
