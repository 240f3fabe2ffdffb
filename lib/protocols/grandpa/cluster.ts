/**
 * One call that builds a GRANDPA cluster: validated options, one shared block tree, voters that
 * also produce blocks in round-robin slots, the adversary resolver, and BftInvariants attached
 * (agreement of finality per height among honest voters, accountability by the challenge
 * procedure of evidence.ts).
 * @module
 */
import { z } from "zod";
import { type Cluster, createCluster } from "../../net/cluster.ts";
import type { AdversaryInput } from "../../net/adversary.ts";
import type { NetworkConfigInput } from "../../net/network.ts";
import type { TraceOptions } from "../../sim/trace.ts";
import { parseConfig } from "../../sim/errors.ts";
import type { NodeFactory } from "../../sim/types.ts";
import { BlockStore } from "../../chain/store.ts";
import type { BftSize } from "../bft/config.ts";
import { BFT_CLUSTER_FIELDS, bftClusterSize } from "../bft/cluster_shape.ts";
import { BftInvariants } from "../bft/invariants.ts";
import { type GrandpaConfigInput, GrandpaConfigSchema } from "./config.ts";
import type { GrandpaMessage } from "./messages.ts";
import { GrandpaNode } from "./node.ts";
import { grandpaAdversary } from "./byzantine.ts";
import { grandpaForensics, statements } from "./evidence.ts";

/** Options of {@link grandpaCluster}. */
export interface GrandpaClusterOptions {
  /** Root seed. */
  readonly seed: number | string;
  /** Voters (ids n0..n{n-1}); each also produces blocks in its slots. */
  readonly n: number;
  /** Byzantine voters tolerated (default ⌊(n − 1)/3⌋). */
  readonly f?: number;
  /** Supermajority override (default ⌈(n + f + 1)/2⌉). */
  readonly quorum?: number;
  /** Allow n < 3f + 1 or an unsafe quorum (default false: refused naming n and f). */
  readonly allowUnsafe?: boolean;
  /** Network (default: constant latency of gossipDelayMs, no loss). */
  readonly network?: NetworkConfigInput;
  /** Nemesis schedule or generators. */
  readonly nemesis?: unknown;
  /** Byzantine voters and their strategies. */
  readonly byzantine?: readonly AdversaryInput[];
  /** Trace options (default full). */
  readonly trace?: TraceOptions;
  /** Protocol parameters (T, slot length, gossip, fork choice). */
  readonly grandpa?: GrandpaConfigInput;
  /** Classic mistakes to switch on in every honest voter (default none). */
  readonly mistakes?: {
    readonly precommitWithoutPrevotes?: boolean;
    readonly prevoteIgnoresEstimate?: boolean;
  };
  /** Throw the first BFT breach from the run (default true). */
  readonly throwOnBreach?: boolean;
  /** Keep protocol events in sim.events (default true). */
  readonly collectEvents?: boolean;
}

/** A built GRANDPA cluster. */
export interface GrandpaCluster extends Cluster<GrandpaMessage> {
  /** The BFT checker, attached. */
  readonly inv: BftInvariants;
  /** The shared block tree. */
  readonly store: BlockStore;
  /** n, f, supermajority. */
  readonly size: BftSize;
  /** The honest node object of `id` (unwrapping a Byzantine wrapper), if it is up. */
  node(id: string): GrandpaNode | undefined;
}

const Shape = z.object({
  ...BFT_CLUSTER_FIELDS,
  grandpa: z.record(z.string(), z.unknown()).optional(),
  mistakes: z.object({
    precommitWithoutPrevotes: z.boolean().optional(),
    prevoteIgnoresEstimate: z.boolean().optional(),
  }).strict().optional(),
}).strict();

/**
 * A GRANDPA cluster with BftInvariants attached. Every option is validated before anything runs
 * (n = 3f is refused without allowUnsafe; a bad protocol parameter names its field).
 * @example
 * ```ts
 * const c = grandpaCluster({ seed: 1, n: 4 });
 * c.sim.run({ untilMs: 1_000 });
 * c.inv.decidedSlots; // finalised heights
 * ```
 */
export function grandpaCluster(options: GrandpaClusterOptions): GrandpaCluster {
  const o = parseConfig(Shape, options, "grandpa cluster options");
  const size = bftClusterSize(o, "grandpa cluster options");
  const config: GrandpaConfigInput = {
    ...options.grandpa,
    f: size.f,
    quorum: size.quorum,
    allowUnsafe: o.allowUnsafe,
    mistakePrecommitWithoutPrevotes: options.mistakes?.precommitWithoutPrevotes ?? false,
    mistakePrevoteIgnoresEstimate: options.mistakes?.prevoteIgnoresEstimate ?? false,
  };
  // validate the protocol parameters once, up front (a ConfigError names the field)
  const store = new BlockStore();
  const parsed = parseConfig(GrandpaConfigSchema, config, "grandpa config");
  const factory: NodeFactory<GrandpaMessage> = (ctx) => new GrandpaNode(ctx, store, config);
  const c = createCluster<GrandpaMessage>({
    seed: o.seed,
    nodes: o.n,
    factory,
    network: options.network ??
      { latency: { kind: "constant", ms: parsed.gossipDelayMs } },
    nemesis: options.nemesis,
    byzantine: options.byzantine,
    adversary: grandpaAdversary(factory, store),
    trace: options.trace,
    collectEvents: options.collectEvents,
  });
  const inv = new BftInvariants({
    protocol: "grandpa",
    statements,
    forensics: grandpaForensics(store, { n: size.n, f: size.f, threshold: size.quorum }),
    throwOnBreach: options.throwOnBreach ?? true,
  }).attach(c.sim);
  const node = (id: string): GrandpaNode | undefined => {
    const x = c.sim.instanceOf(id) as unknown as { inner?: unknown } | undefined;
    const inner = (x?.inner ?? x) as GrandpaNode | undefined;
    return inner instanceof GrandpaNode ? inner : undefined;
  };
  return { ...c, inv, store, size, node };
}
