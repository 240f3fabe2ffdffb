/**
 * Message complexity of the elections against theory, and what a run's leader beliefs were
 * (split brain: two self-believed leaders; none: nobody learned a leader).
 * @module
 */
import { createCluster } from "../../net/cluster.ts";
import type { NetworkConfigInput } from "../../net/network.ts";
import type { EmittedEvent, MessageStats } from "../../sim/simulation.ts";
import type { NodeId } from "../../sim/types.ts";
import { Rng } from "../../sim/rng.ts";
import { ChangRobertsNode } from "./chang_roberts.ts";
import { HirschbergSinclairNode } from "./hirschberg_sinclair.ts";
import { BullyNode } from "./bully.ts";
import { type BullyConfigInput, BullyConfigSchema, RingConfigSchema } from "./config.ts";
import { parseConfig } from "../../sim/errors.ts";

/** Chang–Roberts worst case, every node an initiator: n(n+1)/2 election messages. */
export function changRobertsWorst(n: number): number {
  return n * (n + 1) / 2;
}

/** The n-th harmonic number H_n = 1 + 1/2 + ... + 1/n. */
export function harmonic(n: number): number {
  let h = 0;
  for (let k = 1; k <= n; k++) h += 1 / k;
  return h;
}

/** Chang–Roberts average over random UID orders, every node an initiator: n·H_n. */
export function changRobertsAverage(n: number): number {
  return n * harmonic(n);
}

/** Hirschberg–Sinclair bound on probes and replies: 8n(1 + ⌈log2 n⌉). */
export function hirschbergSinclairBound(n: number): number {
  return 8 * n * (1 + Math.ceil(Math.log2(n)));
}

/** Bully, all up, the lowest node calls the election, textbook (sequential) count: n² - 1. */
export function bullyWorst(n: number): number {
  return n * n - 1;
}

/**
 * Bully, the lowest node calls the election, every link the same delay: the highest node takes
 * over on the first ELECTION and answers the n - 2 that arrive later with a COORDINATOR each,
 * so (n² - 1) + (n - 2) = n² + n - 3 (for n ≥ 2).
 */
export function bullyWorstSimultaneous(n: number): number {
  return n * n + n - 3;
}

/**
 * Chang–Roberts election messages for one ring order (every node an initiator): each UID
 * travels to the first larger UID clockwise, the maximum all n hops.
 * @example
 * ```ts
 * changRobertsExact([3, 1, 2]); // 5: UID 3 goes all 3 hops, 1 stops at 2, 2 stops at 3
 * ```
 */
export function changRobertsExact(uids: readonly number[]): number {
  const n = uids.length;
  let total = 0;
  for (let i = 0; i < n; i++) {
    let d = 1;
    while (d < n && uids[(i + d) % n] < uids[i]) d++;
    total += d;
  }
  return total;
}

/** Messages of the given types in a run's stats. */
export function countTypes(stats: MessageStats, types: readonly string[]): number {
  let s = 0;
  for (const t of types) s += stats.byType.get(t) ?? 0;
  return s;
}

/** Outcome of one election run. */
export interface ElectionRun {
  /** Election messages (Chang–Roberts: cr-election; HS: probes and replies; bully: election, answer, coordinator). */
  readonly electionMessages: number;
  /** Announcement messages (ring algorithms; 0 for bully, whose COORDINATOR is counted above). */
  readonly announceMessages: number;
  /** Each node's final belief (undefined: never learned a leader). */
  readonly leaders: ReadonlyMap<NodeId, NodeId | undefined>;
  /** True time at which the last node learned its leader. */
  readonly electionTimeMs: number;
}

/** Which election to run. */
export type RingAlgorithm = "changRoberts" | "hirschbergSinclair";

/**
 * Run a ring election where `uids[i]` is the UID of ring position i (node `n{i}`), every node
 * an initiator unless `initiators` says otherwise.
 * @example
 * ```ts
 * runRingElection("changRoberts", [5, 4, 3, 2, 1]).electionMessages; // 15 = 5·6/2
 * ```
 */
export function runRingElection(
  algorithm: RingAlgorithm,
  uids: readonly number[],
  options: {
    /** Root seed (default 1). */ seed?: number;
    /** Network (default constant 1 ms). */ network?: NetworkConfigInput;
    /** Initiating nodes (default all). */ initiators?: readonly NodeId[];
    /** Faults (nemesis schedule). */ nemesis?: unknown;
    /** Run length bound in ms (default 100 000). */ untilMs?: number;
  } = {},
): ElectionRun {
  const ring = uids.map((_, i) => `n${i}`);
  const config = {
    ring,
    uids: Object.fromEntries(ring.map((id, i) => [id, uids[i]])),
    initiators: options.initiators ? [...options.initiators] : undefined,
  };
  // bad input fails here, naming the field, before any node is built
  parseConfig(RingConfigSchema, config, `${algorithm} config`);
  const c = algorithm === "changRoberts"
    ? createCluster({
      seed: options.seed ?? 1,
      nodes: ring,
      factory: (ctx) => new ChangRobertsNode(ctx, config),
      network: options.network,
      nemesis: options.nemesis,
      trace: { mode: "off" },
    })
    : createCluster({
      seed: options.seed ?? 1,
      nodes: ring,
      factory: (ctx) => new HirschbergSinclairNode(ctx, config),
      network: options.network,
      nemesis: options.nemesis,
      trace: { mode: "off" },
    });
  c.sim.run({ untilMs: options.untilMs ?? 100_000 });
  const election = algorithm === "changRoberts" ? ["cr-election"] : ["hs-probe", "hs-reply"];
  const announce = algorithm === "changRoberts" ? ["cr-elected"] : ["hs-elected"];
  return {
    electionMessages: countTypes(c.sim.stats, election),
    announceMessages: countTypes(c.sim.stats, announce),
    leaders: finalLeaders(c.sim.events, ring),
    electionTimeMs: lastLeaderEventMs(c.sim.events),
  };
}

/**
 * Run a bully election among `n{i}` with priorities `uids[i]`.
 * @example
 * ```ts
 * runBully([1, 2, 3, 4], { initiators: ["n0"] }).electionMessages; // 15 = 4² - 1
 * ```
 */
export function runBully(
  uids: readonly number[],
  options: {
    /** Root seed (default 1). */ seed?: number;
    /** Network (default constant 1 ms). */ network?: NetworkConfigInput;
    /** Bully parameters other than members and uids (initiators default: n0). */
    config?: Omit<BullyConfigInput, "members" | "uids">;
    /** Initiating nodes (default ["n0"]). */ initiators?: readonly NodeId[];
    /** Faults (nemesis schedule). */ nemesis?: unknown;
    /** Run length in ms (default 10 000). */ untilMs?: number;
  } = {},
): ElectionRun & { readonly events: readonly EmittedEvent[] } {
  const members = uids.map((_, i) => `n${i}`);
  const config: BullyConfigInput = {
    ...options.config,
    members,
    uids: Object.fromEntries(members.map((id, i) => [id, uids[i]])),
    initiators: [...(options.initiators ?? ["n0"])],
  };
  parseConfig(BullyConfigSchema, config, "bully config");
  const c = createCluster({
    seed: options.seed ?? 1,
    nodes: members,
    factory: (ctx) => new BullyNode(ctx, config),
    network: options.network,
    nemesis: options.nemesis,
    trace: { mode: "off" },
  });
  c.sim.run({ untilMs: options.untilMs ?? 10_000 });
  return {
    electionMessages: countTypes(c.sim.stats, ["election", "answer", "coordinator"]),
    announceMessages: 0,
    leaders: finalLeaders(c.sim.events, members),
    electionTimeMs: lastLeaderEventMs(c.sim.events),
    events: c.sim.events,
  };
}

/** Each node's last announced leader. */
export function finalLeaders(
  events: readonly EmittedEvent[],
  nodes: readonly NodeId[],
): Map<NodeId, NodeId | undefined> {
  const out = new Map<NodeId, NodeId | undefined>(nodes.map((n) => [n, undefined]));
  for (const e of events) if (e.event.type === "leader") out.set(e.node, e.event.leader as NodeId);
  return out;
}

function lastLeaderEventMs(events: readonly EmittedEvent[]): number {
  let t = 0;
  for (const e of events) if (e.event.type === "leader") t = e.t;
  return t;
}

/** Intervals when two or more nodes believed themselves leader at once (split brain). */
export function splitBrainIntervals(
  events: readonly EmittedEvent[],
  endMs: number,
): { fromMs: number; toMs: number; leaders: NodeId[] }[] {
  const self = new Set<NodeId>();
  const out: { fromMs: number; toMs: number; leaders: NodeId[] }[] = [];
  let open: { fromMs: number; leaders: NodeId[] } | undefined;
  for (const e of events) {
    if (e.event.type !== "leader") continue;
    if (e.event.leader === e.node) self.add(e.node);
    else self.delete(e.node);
    if (self.size >= 2 && !open) open = { fromMs: e.t, leaders: [...self].sort() };
    else if (self.size < 2 && open) {
      out.push({ ...open, toMs: e.t });
      open = undefined;
    }
  }
  if (open) out.push({ ...open, toMs: endMs });
  return out;
}

/** One row of the message-complexity table. */
export interface ComplexityRow {
  /** Algorithm. */
  readonly algorithm: "changRoberts" | "hirschbergSinclair" | "bully";
  /** Which case: worst (adversarial order), average (random orders), best, max (over the orders tried). */
  readonly case: "worst" | "average" | "best" | "max";
  /** Ring or cluster size. */
  readonly n: number;
  /** Election messages measured from `sim.stats` (announcements excluded). */
  readonly measured: number;
  /** What theory predicts (exact value, mean, or upper bound; see `theoryKind`). */
  readonly theory: number;
  /** How `theory` relates to `measured`: "exact", "mean" (≈) or "bound" (≤). */
  readonly theoryKind: "exact" | "mean" | "bound";
  /** The formula behind `theory`. */
  readonly formula: string;
  /** Time until the last node learned the leader (ms, 1 ms links; mean for average rows). */
  readonly timeMs: number;
}

/**
 * Measure election message counts against theory for each n in `ns`.
 * @example
 * ```ts
 * const rows = electionComplexity([4, 8, 16], { trials: 50, seed: 1 });
 * ```
 */
export function electionComplexity(
  ns: readonly number[],
  options: {
    /** Random UID orders per n for the average rows (default 30). */ trials?: number;
    /** Seed of the random orders (default 1). */ seed?: number;
  } = {},
): ComplexityRow[] {
  const trials = options.trials ?? 30;
  const rng = new Rng(options.seed ?? 1).fork("election-orders");
  const rows: ComplexityRow[] = [];
  for (const n of ns) {
    const inc = Array.from({ length: n }, (_, i) => i + 1);
    const dec = inc.slice().reverse();
    const orders = Array.from({ length: trials }, () => rng.shuffle(inc));
    rows.push({
      algorithm: "changRoberts",
      case: "worst",
      n,
      ...pick(runRingElection("changRoberts", dec)),
      theory: changRobertsWorst(n),
      theoryKind: "exact",
      formula: "n(n+1)/2",
    });
    const cr = orders.map((o) => runRingElection("changRoberts", o));
    rows.push({
      algorithm: "changRoberts",
      case: "average",
      n,
      ...mean(cr),
      theory: changRobertsAverage(n),
      theoryKind: "mean",
      formula: "n·H_n",
    });
    const hs = [inc, dec, ...orders].map((o) => runRingElection("hirschbergSinclair", o));
    const worstHs = hs.reduce((a, b) => (b.electionMessages > a.electionMessages ? b : a));
    rows.push({
      algorithm: "hirschbergSinclair",
      case: "max",
      n,
      ...pick(worstHs),
      theory: hirschbergSinclairBound(n),
      theoryKind: "bound",
      formula: "8n(1+⌈log2 n⌉)",
    });
    rows.push({
      algorithm: "hirschbergSinclair",
      case: "average",
      n,
      ...mean(hs.slice(2)),
      theory: hirschbergSinclairBound(n),
      theoryKind: "bound",
      formula: "8n(1+⌈log2 n⌉)",
    });
    rows.push({
      algorithm: "bully",
      case: "worst",
      n,
      ...pick(runBully(inc, { initiators: ["n0"] })),
      theory: bullyWorstSimultaneous(n),
      theoryKind: "exact",
      formula: "n²+n−3 (textbook sequential n²−1)",
    });
    rows.push({
      algorithm: "bully",
      case: "best",
      n,
      ...pick(runBully(inc, { initiators: [`n${n - 1}`] })),
      theory: n - 1,
      theoryKind: "exact",
      formula: "n−1",
    });
  }
  return rows;
}

function pick(r: ElectionRun): { measured: number; timeMs: number } {
  return { measured: r.electionMessages, timeMs: r.electionTimeMs };
}

function mean(rs: readonly ElectionRun[]): { measured: number; timeMs: number } {
  let m = 0, t = 0;
  for (const r of rs) {
    m += r.electionMessages;
    t += r.electionTimeMs;
  }
  return { measured: m / rs.length, timeMs: t / rs.length };
}
