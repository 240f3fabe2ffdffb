/**
 * The HotStuff seed sweep (STYLE.md: a safety phase with faults, then a liveness phase that
 * heals): one seed draws the variant (odd seeds basic, even chained), a random adversary of at
 * most f replicas, a random fault schedule and a lossy network; the run must show no
 * agreement/validity breach and, after `repairAll()`, a new decision within a bound. `runSchedule`
 * replays one schedule, so a failing one can be shrunk with lib/net/shrink.ts.
 *
 * One seed in four (seed % 4 === 0) runs one of the mistake scenarios of scenarios.ts instead
 * (drawn from the seed, the same with or without a mistake flag): random faults rarely build the
 * lock state a mistake needs. With the flags off those seeds must be as safe and live as the
 * others.
 *
 * Chained runs use two views per leader (config `viewsPerLeader`): with a new leader every view,
 * chained HotStuff at n = 4 with one mute replica never commits (see config.ts).
 * @module
 */
import { Rng } from "../../sim/rng.ts";
import type { Schedule } from "../../net/nemesis.ts";
import type { AdversaryInput } from "../../net/adversary.ts";
import { randomAdversary } from "../bft/sweep_adversary.ts";
import {
  type BftSweepResult,
  bftSweepSchedule,
  replayLine,
  runPhases,
  scenarioVerdict,
} from "../bft/sweep_phases.ts";
import { hotstuffCluster } from "./cluster.ts";
import {
  type HotStuffMistake,
  type MistakeScenarioName,
  mistakeScenarios,
  runScenarioSchedule,
  scenarioPlan,
} from "./scenarios.ts";

export type { HotStuffMistake } from "./scenarios.ts";

/** Options of {@link sweepOne} and {@link runSchedule}. */
export interface HotStuffSweepOptions {
  /** Mistake to switch on (default none). */
  readonly mistake?: HotStuffMistake;
  /** Variant (default: odd seeds basic, even seeds chained). */
  readonly variant?: "basic" | "chained";
  /** Replicas (default 4). */
  readonly n?: number;
  /** End of the safety phase, ms (default 2500). */
  readonly safetyMs?: number;
  /** A decision must come within this long after the heal (default 3000). */
  readonly livenessBoundMs?: number;
  /** The adversary (default: drawn from the seed by {@link sweepAdversary}). */
  readonly byzantine?: readonly AdversaryInput[];
  /**
   * Run this mistake scenario (scenarios.ts) with the given schedule instead of the random setup
   * (its own size, variant, adversary, network and phases). Default none.
   */
  readonly scenario?: MistakeScenarioName;
}

/** The outcome of one run. */
export type SweepResult = BftSweepResult;

/** The variant a seed runs: odd seeds basic, even seeds chained. */
export function sweepVariant(seed: number): "basic" | "chained" {
  return seed % 2 === 1 ? "basic" : "chained";
}

/** The adversary one seed draws: one replica (≤ f) with one strategy, or none. */
export function sweepAdversary(seed: number, n = 4): AdversaryInput[] {
  return randomAdversary(seed, { stream: "hotstuff-sweep-adversary", n });
}

/** The fault schedule one seed draws (partitions, isolations, crashes, pauses, slow links). */
export function sweepSchedule(seed: number, n = 4, safetyMs = 2_500): Schedule {
  return bftSweepSchedule(seed, n, safetyMs, { quietMs: 300, episodes: 6, maxDurationMs: 600 });
}

/** One run of a given schedule; `breach` names the seed and the replay command. */
export function runSchedule(
  seed: number,
  schedule: Schedule,
  options: HotStuffSweepOptions = {},
): SweepResult {
  const mistake = options.mistake;
  const replay = replayLine(seed, mistake);
  if (options.scenario) {
    const r = runScenarioSchedule(options.scenario, seed, schedule, { mistake });
    return scenarioVerdict(r, { protocol: "hotstuff", seed, scenario: options.scenario, replay });
  }
  const n = options.n ?? 4;
  const variant = options.variant ?? sweepVariant(seed);
  const safetyMs = options.safetyMs ?? 2_500;
  const bound = options.livenessBoundMs ?? 3_000;
  const c = hotstuffCluster({
    seed,
    n,
    variant,
    network: { latency: { kind: "uniform", minMs: 1, maxMs: 30 }, lossRatio: 0.01 },
    nemesis: schedule,
    byzantine: options.byzantine ?? sweepAdversary(seed, n),
    trace: { mode: "off" },
    collectEvents: false,
    clients: 3,
    workload: { endMs: safetyMs, timeoutMs: 400, retries: 100 },
    throwOnBreach: false,
    hotstuff: {
      viewTimeoutMs: variant === "basic" ? 200 : 100,
      viewsPerLeader: variant === "chained" ? 2 : 1,
      maxBackoffExponent: 2,
    },
    mistakes: mistake ? { [mistake]: true } : undefined,
  });
  return runPhases(c, {
    protocol: "hotstuff",
    seed,
    safetyMs,
    livenessBoundMs: bound,
    replay,
    tag: `variant=${variant}`,
  });
}

/** The mistake scenario a seed runs instead of random faults: one seed in four, else none. */
export function sweepScenario(seed: number): MistakeScenarioName | undefined {
  if (seed % 4 !== 0) return undefined;
  const rng = new Rng(seed).fork("hotstuff-sweep-scenario");
  return rng.pick(mistakeScenarios().map((s) => s.name));
}

/** The fault schedule seed `seed` of the sweep runs (a scenario's for scenario seeds). */
export function seedSchedule(seed: number): Schedule {
  const scenario = sweepScenario(seed);
  return scenario ? scenarioPlan(scenario, seed).schedule : sweepSchedule(seed);
}

/**
 * One seed of the sweep: random adversary (≤ f), random faults, safety then liveness; or, for
 * one seed in four, a mistake scenario ({@link sweepScenario}).
 * @example
 * ```ts
 * sweepOne(7); // { decisions: 40 }
 * sweepOne(8, { mistake: "ignoreLock" }); // a scenario seed: an agreement breach
 * ```
 */
export function sweepOne(seed: number, options: { mistake?: HotStuffMistake } = {}): SweepResult {
  return runSchedule(seed, seedSchedule(seed), {
    mistake: options.mistake,
    scenario: sweepScenario(seed),
  });
}

/**
 * Run seed `seed` of the sweep with another fault schedule (shrinking, replay of a shrunk one);
 * `seedSchedule(seed)` gives exactly `sweepOne(seed)`.
 */
export function runSeedSchedule(
  seed: number,
  schedule: Schedule,
  options: { mistake?: HotStuffMistake } = {},
): SweepResult {
  return runSchedule(seed, schedule, { mistake: options.mistake, scenario: sweepScenario(seed) });
}
