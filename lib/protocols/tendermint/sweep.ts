/**
 * The Tendermint seed sweep (STYLE.md: a safety phase with faults, then a liveness phase that
 * heals): one seed draws a random adversary of at most f validators, a random fault schedule and
 * a lossy network; the run must show no agreement/validity breach and, after `repairAll()`, a new
 * decision within a bound. `runSchedule` replays one schedule, so a failing one can be shrunk
 * with lib/net/shrink.ts.
 *
 * One seed in four (seed % 4 === 0) runs one of the mistake scenarios of scenarios.ts instead
 * (drawn from the seed, the same with or without a mistake flag): random faults rarely build the
 * lock state a mistake needs, so without them the sweep's mistake detection rate says little.
 * With the flags off those seeds must be as safe and live as the others.
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
import { tendermintCluster } from "./cluster.ts";
import {
  type MistakeScenarioName,
  mistakeScenarios,
  runScenarioSchedule,
  scenarioPlan,
} from "./scenarios.ts";

/** A classic mistake to switch on in the honest replicas. */
export type TendermintMistake = "prevoteIgnoresLock" | "unlockOnLowerRound";

/** Options of {@link sweepOne} and {@link runSchedule}. */
export interface TendermintSweepOptions {
  /** Mistake to switch on (default none). */
  readonly mistake?: TendermintMistake;
  /** Validators (default 4). */
  readonly n?: number;
  /** End of the safety phase, ms (default 2500). */
  readonly safetyMs?: number;
  /** A decision must come within this long after the heal (default 2000). */
  readonly livenessBoundMs?: number;
  /** The adversary (default: drawn from the seed by {@link sweepAdversary}). */
  readonly byzantine?: readonly AdversaryInput[];
  /**
   * Run this mistake scenario (scenarios.ts) with the given schedule instead of the random setup
   * (its own size, adversary, network and phases; `n`, `safetyMs`, `livenessBoundMs` and
   * `byzantine` are ignored). Default none.
   */
  readonly scenario?: MistakeScenarioName;
}

/** The outcome of one run. */
export type SweepResult = BftSweepResult;

/**
 * The adversary one seed draws: one validator (≤ f) with one strategy, or none. With a mistake
 * switched on, an equivocating proposer (the move that makes the mistakes bite).
 */
export function sweepAdversary(seed: number, n = 4, mistake?: TendermintMistake): AdversaryInput[] {
  return randomAdversary(seed, {
    stream: "tendermint-sweep-adversary",
    n,
    forced: mistake ? { kind: "equivocate" } : undefined,
  });
}

/** The fault schedule one seed draws (partitions, isolations, crashes, pauses, slow links). */
export function sweepSchedule(seed: number, n = 4, safetyMs = 2_500): Schedule {
  return bftSweepSchedule(seed, n, safetyMs, { quietMs: 300, episodes: 6, maxDurationMs: 600 });
}

/** One run of a given schedule; `breach` names the seed and the replay command. */
export function runSchedule(
  seed: number,
  schedule: Schedule,
  options: TendermintSweepOptions = {},
): SweepResult {
  if (options.scenario) return runScenarioSeed(seed, schedule, options.scenario, options.mistake);
  const n = options.n ?? 4;
  const safetyMs = options.safetyMs ?? 2_500;
  const bound = options.livenessBoundMs ?? 2_000;
  const mistake = options.mistake;
  const c = tendermintCluster({
    seed,
    n,
    network: { latency: { kind: "uniform", minMs: 1, maxMs: 30 }, lossRatio: 0.02 },
    nemesis: schedule,
    byzantine: options.byzantine ?? sweepAdversary(seed, n, mistake),
    trace: { mode: "off" },
    collectEvents: false,
    clients: 3,
    workload: { endMs: safetyMs, timeoutMs: 300, retries: 100 },
    throwOnBreach: false,
    tendermint: {
      timeoutCommitMs: 20,
      timeoutProposeMs: 60,
      timeoutPrevoteMs: 40,
      timeoutPrecommitMs: 40,
    },
    mistakes: mistake ? { [mistake]: true } : undefined,
  });
  return runPhases(c, {
    protocol: "tendermint",
    seed,
    safetyMs,
    livenessBoundMs: bound,
    replay: replayLine(seed, mistake),
  });
}

/** The mistake scenario a seed runs instead of random faults: one seed in four, else none. */
export function sweepScenario(seed: number): MistakeScenarioName | undefined {
  if (seed % 4 !== 0) return undefined;
  const rng = new Rng(seed).fork("tendermint-sweep-scenario");
  return rng.pick(mistakeScenarios().map((s) => s.name));
}

function runScenarioSeed(
  seed: number,
  schedule: Schedule,
  scenario: MistakeScenarioName,
  mistake: TendermintMistake | undefined,
): SweepResult {
  const r = runScenarioSchedule(scenario, seed, schedule, { mistake });
  return scenarioVerdict(r, {
    protocol: "tendermint",
    seed,
    scenario,
    replay: replayLine(seed, mistake),
  });
}

/**
 * One seed of the sweep: random adversary (≤ f), random faults, safety then liveness; or, for
 * one seed in four, a mistake scenario ({@link sweepScenario}).
 * @example
 * ```ts
 * sweepOne(7); // { decisions: 80 }
 * sweepOne(7, { mistake: "prevoteIgnoresLock" }); // may report an agreement breach
 * sweepOne(8, { mistake: "unlockOnLowerRound" }); // a scenario seed
 * ```
 */
export function sweepOne(
  seed: number,
  options: { mistake?: TendermintMistake } = {},
): SweepResult {
  const scenario = sweepScenario(seed);
  if (scenario) {
    return runSchedule(seed, scenarioPlan(scenario, seed).schedule, {
      mistake: options.mistake,
      scenario,
    });
  }
  return runSchedule(seed, sweepSchedule(seed), { mistake: options.mistake });
}

/** The fault schedule seed `seed` of the sweep runs (a scenario's for scenario seeds). */
export function seedSchedule(seed: number): Schedule {
  const scenario = sweepScenario(seed);
  return scenario ? scenarioPlan(scenario, seed).schedule : sweepSchedule(seed);
}

/**
 * Run seed `seed` of the sweep with another fault schedule (shrinking, replay of a shrunk one);
 * `seedSchedule(seed)` gives exactly `sweepOne(seed)`.
 */
export function runSeedSchedule(
  seed: number,
  schedule: Schedule,
  options: { mistake?: TendermintMistake } = {},
): SweepResult {
  return runSchedule(seed, schedule, { mistake: options.mistake, scenario: sweepScenario(seed) });
}
