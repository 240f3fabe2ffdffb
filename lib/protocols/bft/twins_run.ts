/**
 * The Twins executor (Bano et al., OPODIS 2021, §4–5) over this repository's BFT clusters: build a
 * PBFT, Tendermint or (basic) HotStuff cluster, add a twin instance of each twinned identity
 * (`Simulation.addTwin`: same id, same key, own state and links), let the scenario choose the
 * leader of each round (the protocols' `leaderOf` test hook) and cut every message that crosses
 * its round's partition (`Simulation.setRouter`), then report what BftInvariants saw. A cut
 * message is held and delivered once the scenario's rounds are over (`cuts: "hold"`, the default:
 * re-sent then by its sending instance to its receiving instance, `Simulation.inject`), as the
 * partial-synchrony model delivers every message after GST; `cuts: "drop"` loses it for good.
 *
 * Rounds are protocol rounds, as in the paper's executor (a message belongs to the round it
 * carries, not to a time window): PBFT round = view v (every message with a `v` field: pre-prepare,
 * prepare, commit, view-change, new-view); Tendermint round k = height − 1 + round, the index its
 * own proposer rotation uses, so each new height or round moves on one round; HotStuff round k =
 * view k + 1 (views start at 1): every message of view v (proposals, votes, phase certificates)
 * is in round v − 1, and a NEW-VIEW leaving view v, which feeds leader(v + 1), in round v. A
 * message without a round (checkpoints, state transfer, block sync, client traffic) follows the
 * round its sender last sent a message in. Clients are in no partition. From round R on, nothing
 * is partitioned and leaders are the protocol's own (the paper's executor likewise stops steering
 * after R).
 *
 * The twinned identities are marked Byzantine, so BftInvariants checks agreement among the other
 * n − f replicas only (a twin pair is a faulty identity and counts toward f).
 * @module
 */
import { z } from "zod";
import type { NodeId } from "../../sim/types.ts";
import type { Simulation } from "../../sim/simulation.ts";
import { ConfigError, parseConfig } from "../../sim/errors.ts";
import type { BftInvariants } from "./invariants.ts";
import { describeBftBreach } from "./invariants.ts";
import { pbftCluster } from "../pbft/cluster.ts";
import { tendermintCluster } from "../tendermint/cluster.ts";
import { hotstuffCluster } from "../hotstuff/cluster.ts";
import {
  formatScenario,
  parseTwinsScenario,
  replicaIds,
  shrinkScenario,
  twinOf,
  type TwinsGeneratorInput,
  TwinsGeneratorSchema,
  type TwinsScenario,
  twinsScenarios,
  twinsSpace,
  twinsVariants,
} from "./twins.ts";
import { Rng } from "../../sim/rng.ts";

/** Protocols the executor knows. */
export type TwinsProtocolName = "pbft" | "tendermint" | "hotstuff";

/** The classic mistakes of each protocol (config flags, off by default). */
export const TWINS_MISTAKES = {
  pbft: ["commitOn2f", "viewChangeIgnoresPrepared"],
  tendermint: ["prevoteIgnoresLock", "unlockOnLowerRound"],
  hotstuff: ["ignoreLock", "commitOnTwoChain", "quorumOffByOne"],
} as const;

/** A mistake name of any protocol. */
export type TwinsMistake = (typeof TWINS_MISTAKES)[TwinsProtocolName][number];

interface Built {
  readonly sim: Simulation<unknown>;
  readonly inv: BftInvariants;
}

/** How to build one protocol's cluster for a scenario and read a message's round. */
interface TwinsProtocol {
  /** Simulated time a scenario runs for (ms) in "message"/"step" mode with `cuts: "drop"`. */
  readonly runMs: number;
  build(seed: number, s: TwinsScenario, mistake: string | undefined, o: TwinsRunOptions): Built;
  roundOf(msg: unknown): number | undefined;
  /** What happens to cut messages unless the run says (see {@link TwinsRunOptions.cuts}). */
  readonly cuts: "hold" | "drop";
  /** Steps per protocol round and the step of a message ("step" mode); absent: one step. */
  readonly steps?: { readonly count: number; of(msg: unknown): number };
}

const num = (x: unknown): x is number => typeof x === "number" && Number.isFinite(x);

const PROTOCOLS: Record<TwinsProtocolName, TwinsProtocol> = {
  pbft: {
    runMs: 2_500,
    // the paper's executor drops; PBFT re-sends what a view change needs, and the PBFT tests'
    // scenarios were found with drops
    cuts: "drop",
    build(seed, s, mistake, _o) {
      const c = pbftCluster({
        seed,
        n: s.n,
        app: "counter",
        clients: 2,
        clientRequests: 30,
        trace: { mode: "off" },
        collectEvents: false,
        throwOnBreach: false,
        mistakeCommitOn2f: mistake === "commitOn2f",
        mistakeViewChangeIgnoresPrepared: mistake === "viewChangeIgnoresPrepared",
        pbft: {
          checkpointInterval: 8,
          logWindow: 32,
          viewChangeTimeoutMs: 100,
          // §4.1's primary v mod |R| replaced by the scenario's leader of round v
          leaderOf: (v: number) => s.rounds[v]?.leader,
        },
      });
      return { sim: c.sim, inv: c.invariants };
    },
    roundOf: (m) => {
      const v = (m as { v?: unknown } | null)?.v;
      return num(v) ? v : undefined;
    },
  },
  tendermint: {
    runMs: 2_500,
    // Tendermint relies on eventual delivery (gossip, §2): cut messages arrive after the rounds
    cuts: "hold",
    build(seed, s, mistake, o) {
      const c = tendermintCluster({
        seed,
        n: s.n,
        clients: o.clients ?? 2,
        workload: { endMs: 2_000 },
        trace: { mode: "off" },
        collectEvents: false,
        throwOnBreach: false,
        mistakes: {
          prevoteIgnoresLock: mistake === "prevoteIgnoresLock",
          unlockOnLowerRound: mistake === "unlockOnLowerRound",
        },
        tendermint: {
          // proposer(h, r) replaced by the scenario's leader of round h − 1 + r
          leaderOf: (h: number, r: number) => s.rounds[h - 1 + r]?.leader,
          // twins build different blocks in one round (their own input, §3)
          proposalSalt: o.salt ?? true,
        },
      });
      return { sim: c.sim as unknown as Simulation<unknown>, inv: c.inv };
    },
    roundOf: (m) => {
      const x = m as { height?: unknown; round?: unknown } | null;
      return x && num(x.height) && num(x.round) ? x.height - 1 + x.round : undefined;
    },
    // Algorithm 1's three steps: propose, prevote, precommit (a Commit certificate: precommits)
    steps: {
      count: 3,
      of: (m) => {
        const t = (m as { type?: unknown } | null)?.type;
        return t === "Proposal" ? 0 : t === "Prevote" ? 1 : 2;
      },
    },
  },
  hotstuff: {
    runMs: 2_500,
    // partial synchrony (§2): every message arrives after GST, so cut messages are held
    cuts: "hold",
    build(seed, s, mistake, o) {
      const c = hotstuffCluster({
        seed,
        n: s.n,
        // basic HotStuff (Algorithm 2): one decision per view, so each Twins round is one
        // complete instance of the four phases
        variant: o.variant ?? "basic",
        clients: o.clients ?? 2,
        workload: { endMs: 2_000 },
        trace: { mode: "off" },
        collectEvents: false,
        throwOnBreach: false,
        mistakes: {
          ignoreLock: mistake === "ignoreLock",
          commitOnTwoChain: mistake === "commitOnTwoChain",
        },
        hotstuff: {
          // leader(v) replaced by the scenario's leader of round v − 1
          leaderOf: (v: number) => s.rounds[v - 1]?.leader,
          // twins build different nodes in one view (their own input, §3)
          proposalSalt: o.salt ?? true,
          // not among hotstuffCluster's `mistakes`, so passed as the config field itself
          mistakeQuorumOffByOne: mistake === "quorumOffByOne",
        },
      });
      return { sim: c.sim as unknown as Simulation<unknown>, inv: c.inv };
    },
    roundOf: (m) => {
      const x = m as { type?: unknown; viewNumber?: unknown } | null;
      if (!x || !num(x.viewNumber)) return undefined;
      // a NEW-VIEW carries the view it leaves; it belongs to the next view's round
      return Math.max(0, x.type === "new-view" ? x.viewNumber : x.viewNumber - 1);
    },
  },
};

/**
 * Tendermint's stale-polka scenario in step rounds (n = 4, twin n0, every leader n0; the
 * argument is in twins.ts): constructed from Algorithm 1, then shrunk by `shrinkScenario` to the
 * four partitioned steps it needs. With `unlockOnLowerRound` (or `prevoteIgnoresLock`) a decides
 * v in round 1 and b decides w in round 2; with the flags off it is safe. Run it with
 * {@link STEP_RUN}.
 */
export const STALE_POL_STEPS: TwinsScenario = {
  n: 4,
  twins: ["n0"],
  rounds: [
    { leader: "n0", partition: [["n0", "n3", "n1"], ["n0'", "n2"]] },
    { leader: "n0", partition: [["n1"], ["n0", "n3", "n2", "n0'"]], oneway: true },
    { leader: "n0", partition: [["n1", "n0", "n3", "n2", "n0'"]] },
    { leader: "n0", partition: [["n0'", "n1", "n2"], ["n0", "n3"]] },
    { leader: "n0", partition: [["n0'", "n1", "n2", "n0", "n3"]] },
    { leader: "n0", partition: [["n2", "n0", "n3"], ["n1", "n0'"]], oneway: true },
  ],
};

/** The step space {@link STALE_POL_STEPS} lies in: 6 steps, 2 groups, mixed links, whole steps. */
export const STEP_SPACE = {
  n: 4,
  twins: ["n0"],
  rounds: 6,
  partitions: 2,
  links: "mixed",
  whole: true,
} as const satisfies TwinsGeneratorInput;

/**
 * Run options of the step-round Tendermint scenarios: steps as Twins rounds, no clients (empty
 * blocks, faster), held messages released at 300 ms (after round 2), 100 ms more.
 */
export const STEP_RUN = {
  roundMode: "step",
  clients: 0,
  releaseMs: 300,
  tailMs: 100,
} as const satisfies TwinsRunOptions;

/** Options of {@link runTwinsScenario}. */
export interface TwinsRunOptions {
  /** Seed of the cluster (default 1). */
  readonly seed?: number;
  /** A mistake flag of the protocol (default none). */
  readonly mistake?: string;
  /**
   * What a Twins round is: "message" (the round a message carries, the paper's executor) or
   * "time" (round r = simulated time [r·windowMs, (r+1)·windowMs)), or "step" (a departure:
   * each step of a protocol round is a Twins round, Tendermint round k's proposals, prevotes and
   * precommits being Twins rounds 3k, 3k + 1 and 3k + 2, so one replica may hear another's
   * prevote but not its precommit; PBFT: as "message"). Default "time".
   */
  readonly roundMode?: "message" | "time" | "step";
  /** Length of a round in "time" mode (default 200 ms). */
  readonly windowMs?: number;
  /** Simulated time run after the last round ("time" mode) or after the release (default 600 ms). */
  readonly tailMs?: number;
  /**
   * "message" mode: from this simulated time on nothing is cut (GST). Tendermint arms its
   * timeouts only on 2f + 1 messages of a round and relies on gossip delivering every message
   * eventually (§2), so a round's cut messages must arrive at some point. Default: never.
   */
  readonly healMs?: number;
  /**
   * What happens to a message its round's partition cuts: "hold" (Tendermint's default) keeps
   * it and delivers it once the scenario's rounds are over (see `releaseMs`; the sender's instance
   * re-sends it then, so a copy for a twinned identity also makes one extra copy that the router
   * drops and `sim.stats.dropped` counts), as a partial-synchrony network
   * delivers every message after GST; "drop" loses it for good (the paper's executor, whose
   * protocol, DiemBFT, re-sends on timeouts). Tendermint arms its prevote and precommit timeouts
   * only on 2f + 1 messages of a round and relies on gossip delivering everything eventually
   * (§2), so with "drop" its replicas stall in the round that lost the messages. PBFT's
   * default: "drop".
   */
  readonly cuts?: "hold" | "drop";
  /**
   * When held messages are released (and nothing is cut any more): "time" mode at R·windowMs,
   * the end of the last round; "message" and "step" mode as soon as every instance has sent a
   * message of a round ≥ R, or at this simulated time (default 1000 ms), whichever comes first.
   */
  readonly releaseMs?: number;
  /** KV clients of the workload (default 2). */
  readonly clients?: number;
  /**
   * Tendermint: twins salt the blocks they build (`proposalSalt`), so the two instances of one
   * identity propose different values in one round, as the paper's twins do through their own
   * inputs (§3). Default true.
   */
  readonly salt?: boolean;
  /**
   * HotStuff: "basic" (Algorithm 2, the default: each Twins round one complete four-phase view)
   * or "chained" (Algorithm 3, where `commitOnTwoChain` applies).
   */
  readonly variant?: "basic" | "chained";
}

/** The outcome of one scenario. */
export interface TwinsRunResult {
  /** Whether BftInvariants recorded a safety breach among the non-twinned replicas. */
  readonly violated: boolean;
  /** The first breach, one line (protocol, invariant, seed, time, slot, culprits). */
  readonly breach?: string;
  /** A node threw (a crash of honest code under twins is a finding too). */
  readonly error?: string;
  /** Distinct slots decided by honest replicas. */
  readonly decisions: number;
  /** Messages cut by the scenario's partitions (dropped, or held and released). */
  readonly cut: number;
  /** Cut messages delivered after the last round (`cuts: "hold"`). */
  readonly released: number;
  /** Simulated time the held messages were released at (absent: never, or `cuts: "drop"`). */
  readonly releasedAtMs?: number;
}

/**
 * Run one scenario on `protocol` with an optional mistake flag.
 * @example
 * ```ts
 * const s = { n: 4, twins: ["n0"], rounds: [{ leader: "n0", partition: [["n0", "n1", "n2"], ["n0'", "n3"]] }] };
 * runTwinsScenario("pbft", s, { seed: 1 }).violated; // false
 * ```
 */
export function runTwinsScenario(
  protocol: TwinsProtocolName,
  scenario: TwinsScenario,
  options: TwinsRunOptions = {},
): TwinsRunResult {
  const p = PROTOCOLS[protocol];
  if (!p) throw new Error(`unknown twins protocol "${protocol}"`);
  const s = parseTwinsScenario(scenario);
  const { sim, inv } = p.build(options.seed ?? 1, s, options.mistake, options);
  for (const id of s.twins) sim.addTwin(id);
  // group of each instance in each round (clients: in none, so never cut)
  const groups = s.rounds.map((r) => {
    const m = new Map<NodeId, number>();
    r.partition.forEach((g, k) => g.forEach((x) => m.set(x, k)));
    return m;
  });
  const oneway = s.rounds.map((r) => r.oneway === true);
  const last = new Map<NodeId, number>();
  let cut = 0;
  const byTime = (options.roundMode ?? "time") === "time";
  const byStep = options.roundMode === "step" && p.steps !== undefined;
  const steps = p.steps ?? { count: 1, of: () => 0 };
  const w = options.windowMs ?? 200;
  const healMs = options.healMs ?? Infinity;
  const hold = (options.cuts ?? p.cuts) === "hold";
  const R = s.rounds.length;
  // instances still in the scenario's rounds ("message" mode): released once none is
  const instances = [...replicaIds(s.n), ...s.twins.map(twinOf)];
  const behind = new Set(instances);
  const held: { from: NodeId; to: NodeId; msg: unknown }[] = [];
  let released = 0;
  let releasedAtMs: number | undefined;
  let over = false; // the scenario's rounds are over: nothing is cut
  let target: NodeId | null = null; // the one instance a released copy is for
  const release = () => {
    if (over) return;
    over = true;
    releasedAtMs = sim.nowMs;
    // in cut order, each copy re-sent now by its sending instance to its one receiving instance
    // (a copy for an identity with a twin is sent to both instances: the router keeps one)
    for (const h of held.splice(0)) {
      target = h.to;
      try {
        sim.inject(h.from, h.to, h.msg);
      } finally {
        target = null;
      }
      released++;
    }
  };
  sim.setRouter((from, to, msg) => {
    if (target !== null) return to === target;
    let r: number | undefined;
    if (byTime) r = Math.floor(sim.nowMs / w);
    else {
      r = p.roundOf(msg);
      if (r !== undefined && byStep) r = r * steps.count + steps.of(msg);
      if (r === undefined) r = last.get(from) ?? 0;
      else {
        last.set(from, r);
        if (hold && r >= R && behind.delete(from) && behind.size === 0) sim.schedule(0, release);
      }
    }
    if (over || from === to || r >= R || sim.nowMs >= healMs) return true;
    const g = groups[r];
    const a = g.get(from), b = g.get(to);
    if (a === undefined || b === undefined || a === b) return true;
    if (oneway[r] && a < b) return true; // one-way links: an earlier group reaches a later one
    cut++;
    if (hold) held.push({ from, to, msg });
    return false;
  });
  // "drop": no release (message mode keeps cutting rounds < R until healMs, as before)
  const releaseAt = !hold
    ? Infinity
    : byTime
    ? R * w
    : Math.min(options.releaseMs ?? 1_000, healMs);
  if (Number.isFinite(releaseAt)) sim.at(releaseAt, release);
  let error: string | undefined;
  try {
    const tail = options.tailMs ?? 600;
    const end = byTime ? R * w + tail : hold ? releaseAt + tail : p.runMs;
    sim.run({ untilMs: end });
  } catch (e) {
    error = e instanceof Error ? e.message : String(e);
  }
  const b = inv.breaches[0];
  return {
    violated: b !== undefined,
    ...(b ? { breach: describeBftBreach(b, protocol) } : {}),
    ...(error !== undefined ? { error } : {}),
    decisions: inv.decidedSlots,
    cut,
    released,
    ...(releasedAtMs !== undefined ? { releasedAtMs } : {}),
  };
}

/** Options of {@link twinsExplore}. */
export const TwinsExploreSchema = z.object({
  /** Scenarios to run per mistake setting (all of them when the space is smaller). */
  scenarios: z.number().int().min(1).default(200),
  /** Seed of the sampling and of every run. */
  seed: z.number().int().default(1),
  /** Mistake flag(s) to try; "none" = all flags off. Default "none". */
  mistake: z.union([z.string(), z.array(z.string()).min(1)]).default("none"),
  /** Replicas (default 4). */
  n: z.number().int().min(1).max(64).default(4),
  /** Rounds per scenario (default 2). */
  rounds: z.number().int().min(1).max(16).default(2),
  /** Groups per partition (default 2). */
  partitions: z.number().int().min(1).default(2),
  /** Leaders among the twins (the paper) or all replicas. Default "twins". */
  leaders: z.enum(["twins", "all"]).default("twins"),
  /** Twin placement: fixed n0..n{f-1} or all f-subsets. Default "fixed". */
  placements: z.enum(["fixed", "all"]).default("fixed"),
  /** Links across groups: none (the paper), one way, or mixed (see twins.ts). Default "symmetric". */
  links: z.enum(["symmetric", "oneway", "mixed"]).default("symmetric"),
  /** Also offer each round unpartitioned (see twins.ts). Default false. */
  whole: z.boolean().default(false),
  /**
   * A directed enumeration (twins.ts `twinsVariants`): this scenario, with the rounds in `vary`
   * taking every choice of the space (`scenarios` of them sampled when fewer). Its n, twins and
   * round count must fit the space (`rounds` is taken from it).
   */
  base: z.unknown().optional(),
  /** Rounds of `base` to enumerate (default: every round). */
  vary: z.array(z.number().int().min(0)).optional(),
  /** Explicit twin count (default f = ⌊(n − 1)/3⌋). */
  f: z.number().int().min(0).optional(),
  /** Round mode (see {@link TwinsRunOptions.roundMode}; default "time"). */
  roundMode: z.enum(["message", "time", "step"]).default("time"),
  /** Round length in "time" mode (default 200 ms). */
  windowMs: z.number().positive().default(200),
  /** Release time of held messages in "message"/"step" mode (default 1000 ms). */
  releaseMs: z.number().positive().optional(),
  /** Simulated time after the last round or the release (default 600 ms). */
  tailMs: z.number().min(0).optional(),
  /** Cut messages: held then released, or dropped (default per protocol, {@link TwinsRunOptions.cuts}). */
  cuts: z.enum(["hold", "drop"]).optional(),
  /** Tendermint: KV clients of the workload (default 2; 0: empty blocks, faster runs). */
  clients: z.number().int().min(0).default(2),
  /** Twins salt the values they propose (default true; see {@link TwinsRunOptions.salt}). */
  salt: z.boolean().optional(),
  /** HotStuff variant (default "basic"; see {@link TwinsRunOptions.variant}). */
  variant: z.enum(["basic", "chained"]).optional(),
  /** Shrink and replay the first violating scenario (default true). */
  shrink: z.boolean().default(true),
  /** A wall clock in ms (e.g. `performance.now`) to report rates; lib code reads none itself. */
  now: z.custom<() => number>((f) => typeof f === "function").optional(),
}).strict();

/** Options as written. */
export type TwinsExploreInput = z.input<typeof TwinsExploreSchema>;

/** One row per (protocol, mistake): what Twins explored and found. */
export interface TwinsExploreRow {
  /** The protocol. */
  readonly protocol: TwinsProtocolName;
  /** The mistake flag on, or "none". */
  readonly mistake: string;
  /** Replicas. */
  readonly n: number;
  /** Twins. */
  readonly f: number;
  /** Rounds per scenario. */
  readonly rounds: number;
  /** Groups per partition. */
  readonly partitions: number;
  /** The size of the scenario space. */
  readonly space: number;
  /** Scenarios run. */
  readonly explored: number;
  /** Scenarios with a safety breach. */
  readonly violations: number;
  /** Scenarios where a node threw. */
  readonly errors: number;
  /** Position (0-based) of the first violating scenario in the run order, or -1. */
  readonly firstViolationAt: number;
  /** The first violating scenario, one line. */
  readonly firstViolation?: string;
  /** Its breach. */
  readonly breach?: string;
  /** The shrunk scenario, one line. */
  readonly minimal?: string;
  /** The shrunk scenario as data (replay it with runTwinsScenario). */
  readonly minimalScenario?: TwinsScenario;
  /** The breach of the minimal scenario's replay. */
  readonly minimalBreach?: string;
  /** Whether replaying the minimal scenario gave the same breach twice (determinism). */
  readonly replayed?: boolean;
  /** Scenarios generated per second (generation only), when `now` is given. */
  readonly generatedPerSec?: number;
  /** Scenarios run per second, when `now` is given. */
  readonly runPerSec?: number;
}

function mistakeNames(protocol: TwinsProtocolName, m: string | string[]): string[] {
  const list = Array.isArray(m) ? m : [m];
  const known = ["none", ...TWINS_MISTAKES[protocol]];
  list.forEach((x, i) => {
    if (!known.includes(x)) {
      parseConfig(z.enum(known as [string, ...string[]]), x, `twins explore mistake[${i}]`);
    }
  });
  return list;
}

/** The directed enumeration of `twinsExplore` (all variants, or `scenarios` sampled from them). */
function directed(
  space: ReturnType<typeof twinsSpace>,
  base: TwinsScenario,
  o: { scenarios: number; seed: number; vary?: number[] },
): TwinsScenario[] {
  const vary = o.vary ?? base.rounds.map((_, i) => i);
  if (space.perRound ** vary.length > 1e6) {
    throw new ConfigError("twins explore options", [{
      path: "vary",
      message: `${space.perRound}^${vary.length} variants: more than a million`,
    }]);
  }
  const all = [...twinsVariants(space, base, vary)];
  if (all.length <= o.scenarios) return all;
  const rng = new Rng(o.seed).fork("twins-variants");
  return Array.from({ length: o.scenarios }, () => all[rng.int(0, all.length - 1)]);
}

/**
 * Explore Twins scenarios on a protocol, once per mistake setting: run `scenarios` of them (all
 * when the space is smaller), count violations, shrink the first one and replay it. Rows for the
 * notebooks (03, 10).
 * @example
 * ```ts
 * twinsExplore("pbft", { scenarios: 100, mistake: ["none", "commitOn2f"] });
 * ```
 */
export function twinsExplore(
  protocol: TwinsProtocolName,
  input: TwinsExploreInput = {},
): TwinsExploreRow[] {
  const o = parseConfig(TwinsExploreSchema, input, "twins explore options");
  const base = o.base === undefined ? undefined : parseTwinsScenario(o.base);
  const gen: TwinsGeneratorInput = {
    n: base?.n ?? o.n,
    ...(base ? { twins: [...base.twins] } : { f: o.f, placements: o.placements }),
    rounds: base?.rounds.length ?? o.rounds,
    partitions: o.partitions,
    leaders: o.leaders,
    links: o.links,
    whole: o.whole,
  };
  parseConfig(TwinsGeneratorSchema, gen, "twins explore options");
  const space = twinsSpace(gen);
  const rows: TwinsExploreRow[] = [];
  for (const mistake of mistakeNames(protocol, o.mistake)) {
    const flag = mistake === "none" ? undefined : mistake;
    const t0 = o.now?.();
    const list = base ? directed(space, base, o) : [
      ...twinsScenarios(space, { count: o.scenarios, seed: o.seed }),
    ];
    const t1 = o.now?.();
    let violations = 0, errors = 0, first = -1;
    let firstRes: TwinsRunResult | undefined;
    // one set of run options for the exploration, the shrinking and the replays
    const run = (s: TwinsScenario) =>
      runTwinsScenario(protocol, s, {
        seed: o.seed,
        mistake: flag,
        roundMode: o.roundMode,
        windowMs: o.windowMs,
        cuts: o.cuts,
        clients: o.clients,
        releaseMs: o.releaseMs,
        tailMs: o.tailMs,
        salt: o.salt,
        variant: o.variant,
      });
    list.forEach((s, i) => {
      const r = run(s);
      if (r.error !== undefined) errors++;
      if (r.violated) {
        violations++;
        if (first < 0) {
          first = i;
          firstRes = r;
        }
      }
    });
    const t2 = o.now?.();
    let extra: Partial<TwinsExploreRow> = {};
    if (first >= 0) {
      extra = { firstViolation: formatScenario(list[first]), breach: firstRes!.breach };
      if (o.shrink) {
        const min = shrinkScenario((s) => run(s).violated, list[first]).scenario;
        const a = run(min), b = run(min);
        extra = {
          ...extra,
          minimal: formatScenario(min),
          minimalScenario: min,
          minimalBreach: a.breach,
          replayed: a.violated && a.breach === b.breach,
        };
      }
    }
    const rate = (k: number, a?: number, b?: number) =>
      a !== undefined && b !== undefined && b > a ? Math.round(k / ((b - a) / 1000)) : undefined;
    const gps = rate(list.length, t0, t1), rps = rate(list.length, t1, t2);
    rows.push({
      protocol,
      mistake,
      n: space.n,
      f: space.f,
      rounds: space.rounds,
      partitions: space.partitions,
      space: space.total,
      explored: list.length,
      violations,
      errors,
      firstViolationAt: first,
      ...extra,
      ...(gps !== undefined ? { generatedPerSec: gps } : {}),
      ...(rps !== undefined ? { runPerSec: rps } : {}),
    });
  }
  return rows;
}

/**
 * A seed sweep over Twins scenarios, in the shape of the protocols' `sweepOne` (for
 * `deno task sweep twins-<protocol>`): each seed samples one scenario (n = 4, one twin, 2
 * partitions, 3 rounds, twin leaders) and runs it with the same seed.
 * @example
 * ```ts
 * const one = twinsSweeper("pbft");
 * one(17, { mistake: "commitOn2f" }); // { breach?: string, decisions: number }
 * ```
 */
export function twinsSweeper(
  protocol: TwinsProtocolName,
  defaults: { n?: number; rounds?: number } = {},
): (seed: number, options?: { mistake?: string }) => { breach?: string; decisions: number } {
  const space = twinsSpace({ n: defaults.n ?? 4, rounds: defaults.rounds ?? 3 });
  return (seed, options = {}) => {
    if (options.mistake !== undefined) mistakeNames(protocol, options.mistake);
    const flag = options.mistake === "none" ? undefined : options.mistake;
    const s = twinsScenarios(space, { count: 1, seed: `twins-sweep/${seed}` }).next()
      .value as TwinsScenario;
    const r = runTwinsScenario(protocol, s, { seed, mistake: flag });
    const why = r.breach ?? (r.error !== undefined ? `error: ${r.error}` : undefined);
    return why === undefined
      ? { decisions: r.decisions }
      : { breach: `${why} scenario: ${formatScenario(s)}`, decisions: r.decisions };
  };
}

/** Generate `count` scenarios (all when the space is smaller) without running them; returns how many (for generation rates). */
export function generateOnly(
  input: TwinsGeneratorInput,
  count: number,
  seed = 1,
): number {
  let k = 0;
  for (const _ of twinsScenarios(input, { count, seed })) k++;
  return k;
}
