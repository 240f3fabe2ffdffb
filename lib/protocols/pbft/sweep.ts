/**
 * Seed sweeps for PBFT: each seed draws a Byzantine adversary of at most f replicas and a random
 * fault schedule, runs a safety phase with BftInvariants checked on every event, then heals
 * everything (`repairAll`) and requires a new decision within a bound (liveness phase).
 * `runSchedule` replays one seed with a given schedule, so `shrinkSchedule` can minimise a failing
 * one. Replay a seed: `deno task sweep pbft --seed 17`.
 * @module
 */
import type { StrategyInput } from "../../net/adversary.ts";
import type { Schedule } from "../../net/nemesis.ts";
import { randomSchedule } from "../../net/shrink.ts";
import { Rng } from "../../sim/rng.ts";
import { BftInvariantError, describeBftBreach } from "../bft/invariants.ts";
import { pbftCluster } from "./cluster.ts";

/** Options of {@link sweepOne} and {@link runSchedule}. */
export interface PbftSweepOptions {
  /** Turn on one classic mistake (config.ts). */
  readonly mistake?: "commitOn2f" | "viewChangeIgnoresPrepared";
  /** Replicas (default 4). */
  readonly n?: number;
  /** Length of the safety phase (default 2000 ms). */
  readonly safetyMs?: number;
  /** A decision must come within this long after the heal (default 6000 ms). */
  readonly livenessBoundMs?: number;
}

/** The outcome of one seed. */
export interface PbftSweepResult {
  /** The first breach (safety, or "liveness: ..."), with the seed. */
  breach?: string;
  /** Honest decisions (distinct sequence numbers). */
  decisions: number;
}

const IDS = (n: number) => Array.from({ length: n }, (_, i) => `n${i}`);

/** The adversary of `seed`: up to f replicas with one random strategy each (or none). */
export function sweepAdversary(
  seed: number,
  n = 4,
): { nodes: string[]; strategies: StrategyInput[] }[] {
  const rng = new Rng(`pbft-sweep/${seed}`).fork("adversary");
  const ids = IDS(n);
  const f = Math.floor((n - 1) / 3);
  const k = rng.int(0, f);
  const out: { nodes: string[]; strategies: StrategyInput[] }[] = [];
  const pool = [...ids];
  for (let j = 0; j < k; j++) {
    const node = pool.splice(rng.int(0, pool.length - 1), 1)[0];
    const victim = ids.filter((x) => x !== node)[rng.int(0, n - 2)];
    const options: StrategyInput[] = [
      { kind: "equivocate" },
      { kind: "silent" },
      { kind: "delay", delayMs: rng.int(20, 300) },
      { kind: "withholdVotes" },
      { kind: "replay", afterMs: rng.int(5, 100) },
      { kind: "impersonate", victim },
    ];
    out.push({ nodes: [node], strategies: [options[rng.int(0, options.length - 1)]] });
  }
  return out;
}

/** The fault schedule of `seed` for the safety phase. */
export function sweepSchedule(seed: number, options: PbftSweepOptions = {}): Schedule {
  const safety = options.safetyMs ?? 2000;
  return randomSchedule(seed, IDS(options.n ?? 4), {
    endMs: safety - 200,
    episodes: 4,
    kinds: ["partition", "isolate", "crash", "pause", "slowLink"],
    maxDurationMs: 800,
  });
}

/**
 * Run `seed` with `schedule` (safety phase, heal, liveness phase). Returns whether it breached
 * (a safety breach, or no decision within the bound after the heal) and the decision count.
 */
export function runSchedule(
  seed: number,
  schedule: Schedule,
  options: PbftSweepOptions = {},
): PbftSweepResult & { breached: boolean } {
  const n = options.n ?? 4;
  const safety = options.safetyMs ?? 2000;
  const bound = options.livenessBoundMs ?? 6000;
  const rng = new Rng(`pbft-sweep/${seed}`).fork("network");
  const c = pbftCluster({
    seed,
    n,
    app: "counter",
    clients: 1,
    trace: { mode: "off" },
    collectEvents: false,
    network: {
      latency: { kind: "uniform", minMs: 1, maxMs: rng.int(2, 20) },
      lossRatio: rng.int(0, 3) / 100,
    },
    nemesis: schedule,
    byzantine: sweepAdversary(seed, n),
    mistakeCommitOn2f: options.mistake === "commitOn2f",
    mistakeViewChangeIgnoresPrepared: options.mistake === "viewChangeIgnoresPrepared",
    pbft: { checkpointInterval: 8, logWindow: 32 },
  });
  const what = (m: string) =>
    `${m} (seed=${seed}${options.mistake ? ` mistake=${options.mistake}` : ""})`;
  try {
    c.sim.run({ untilMs: safety });
    c.repairAll();
    const healed = c.sim.nowMs;
    const before = c.invariants.decisionTimes().length;
    c.sim.run({
      untilMs: healed + bound,
      until: () => c.invariants.decisionTimes().length > before,
    });
    const live = c.invariants.liveness(healed, bound);
    const decisions = c.invariants.decidedSlots;
    if (!live.ok) {
      return {
        breached: true,
        decisions,
        breach: what(`liveness: no decision within ${bound} ms after the heal at ${healed} ms`),
      };
    }
    return { breached: false, decisions };
  } catch (e) {
    if (!(e instanceof BftInvariantError)) throw e;
    return {
      breached: true,
      decisions: c.invariants.decidedSlots,
      breach: what(describeBftBreach(e.breach, "pbft")),
    };
  }
}

/**
 * One seed of the sweep: a random adversary of at most f replicas, random faults, then heal.
 * @example
 * ```ts
 * for (let s = 1; s <= 100; s++) if (sweepOne(s).breach) console.log(sweepOne(s).breach);
 * ```
 */
export function sweepOne(seed: number, options: PbftSweepOptions = {}): PbftSweepResult {
  const r = runSchedule(seed, sweepSchedule(seed, options), options);
  return r.breach === undefined
    ? { decisions: r.decisions }
    : { breach: r.breach, decisions: r.decisions };
}

/** The scenarios that make each classic mistake bite (see {@link runMistakeScenario}). */
export const MISTAKE_SCENARIOS = {
  /**
   * commitOn2f: n2 prepares and commits with the Byzantine n3 while the primary n0 never prepares
   * (n2→n0 cut one way: it sees one prepare) and n1 gets no pre-prepare (n0→n1 cut until 450 ms);
   * n2 executes on 2f commits, and clients, short of f + 1 replies, broadcast, so n1 and n3 start
   * a view change; n2→n1 is slow, so n0's view change usually completes n1's 2f + 1 first.
   * In the view change n3 hides its certificate from the new primary n1 (equivocating view
   * change), so unless n2's own view change is among the 2f + 1 used, seq 1 gets another request.
   */
  "commitOn2f: cut links and a lying view change": {
    mistake: "commitOn2f",
    run: (seed: number, on: boolean, trace = false) =>
      pbftCluster({
        seed,
        n: 4,
        app: "counter",
        clients: 3,
        trace: { mode: trace ? "full" : "off" },
        throwOnBreach: false,
        network: { latency: { kind: "uniform", minMs: 1, maxMs: 10 } },
        mistakeCommitOn2f: on,
        // n3 runs correct counting behind its strategies, so it does not execute (or reply) early
        byzantinePbft: {},
        byzantine: [{
          nodes: ["n3"],
          strategies: [{ kind: "equivocate", groupB: ["n1"] }],
        }],
        nemesis: [
          { atMs: 0, type: "partitionOneWay", from: ["n0"], to: ["n1"] },
          { atMs: 0, type: "partitionOneWay", from: ["n2"], to: ["n0"] },
          { atMs: 450, type: "heal" },
          { atMs: 450, type: "partitionOneWay", from: ["n2"], to: ["n0"] },
          { atMs: 450, type: "slowLink", from: "n2", to: "n1", extraMs: 30, bidirectional: false },
          { atMs: 2_000, type: "heal" },
        ],
      }),
  },
  /**
   * viewChangeIgnoresPrepared: n3 is cut off just before the primary crashes under load from
   * three clients; requests n1 and n2 committed but n3 did not are replaced by null requests in
   * the new view, which n3 then executes.
   */
  "viewChangeIgnoresPrepared: primary crash under load": {
    mistake: "viewChangeIgnoresPrepared",
    run: (seed: number, on: boolean) =>
      pbftCluster({
        seed,
        n: 4,
        app: "counter",
        clients: 3,
        trace: { mode: "off" },
        throwOnBreach: false,
        network: { latency: { kind: "uniform", minMs: 1, maxMs: 10 } },
        mistakeViewChangeIgnoresPrepared: on,
        nemesis: [
          { atMs: 190 + (seed * 37) % 200, type: "isolate", node: "n3" },
          { atMs: 200 + (seed * 37) % 200, type: "crash", node: "n0" },
          { atMs: 600 + (seed * 37) % 200, type: "heal" },
        ],
      }),
  },
} as const;

/** One run of a mistake scenario: whether BftInvariants caught an agreement breach. */
export function runMistakeScenario(
  name: keyof typeof MISTAKE_SCENARIOS,
  seed: number,
  mistakeOn = true,
): { caught: boolean; breach?: string } {
  const c = MISTAKE_SCENARIOS[name].run(seed, mistakeOn);
  c.sim.run({ untilMs: 2_500 });
  const b = c.invariants.breaches[0];
  return b ? { caught: true, breach: describeBftBreach(b, "pbft") } : { caught: false };
}
