/**
 * The GRANDPA seed sweep (STYLE.md: a safety phase with faults, then a liveness phase that heals):
 * one seed draws a random adversary of at most f voters, a random fault schedule and a lossy
 * network; finality must never conflict among honest voters and, after `repairAll()`, a new height
 * must be finalised within a bound. `runSchedule` replays one schedule, so a failing one can be
 * shrunk with lib/net/shrink.ts.
 * @module
 */
import type { Schedule } from "../../net/nemesis.ts";
import type { AdversaryInput } from "../../net/adversary.ts";
import { randomAdversary } from "../bft/sweep_adversary.ts";
import {
  type BftSweepResult,
  bftSweepSchedule,
  replayLine,
  runPhases,
} from "../bft/sweep_phases.ts";
import { grandpaCluster } from "./cluster.ts";

/** A classic mistake to switch on in the honest voters (config.ts). */
export type GrandpaMistake = "precommitWithoutPrevotes" | "prevoteIgnoresEstimate";

/** Options of {@link runSchedule}. */
export interface GrandpaSweepOptions {
  /** Mistake to switch on (default none). */
  readonly mistake?: GrandpaMistake;
  /** Voters (default 4). */
  readonly n?: number;
  /** End of the safety phase, ms (default 1500). */
  readonly safetyMs?: number;
  /** A new height must be finalised within this long after the heal (default 1500). */
  readonly livenessBoundMs?: number;
  /** The adversary (default: drawn from the seed by {@link sweepAdversary}). */
  readonly byzantine?: readonly AdversaryInput[];
}

/** The outcome of one run. */
export type SweepResult = BftSweepResult;

/** The adversary one seed draws: one voter (≤ f) with one strategy, or none. */
export function sweepAdversary(seed: number, n = 4): AdversaryInput[] {
  return randomAdversary(seed, {
    stream: "grandpa-sweep-adversary",
    n,
    delayMs: [5, 100],
    replayMs: [10, 300],
  });
}

/** The fault schedule one seed draws (partitions, isolations, crashes, pauses, slow links). */
export function sweepSchedule(seed: number, n = 4, safetyMs = 1_500): Schedule {
  return bftSweepSchedule(seed, n, safetyMs, { quietMs: 200, episodes: 5, maxDurationMs: 400 });
}

/** One run of a given schedule; `breach` names the seed and the replay command. */
export function runSchedule(
  seed: number,
  schedule: Schedule,
  options: GrandpaSweepOptions = {},
): SweepResult {
  const n = options.n ?? 4;
  const safetyMs = options.safetyMs ?? 1_500;
  const bound = options.livenessBoundMs ?? 1_500;
  const mistake = options.mistake;
  const c = grandpaCluster({
    seed,
    n,
    network: { latency: { kind: "uniform", minMs: 1, maxMs: 10 }, lossRatio: 0.02 },
    nemesis: schedule,
    byzantine: options.byzantine ?? sweepAdversary(seed, n),
    trace: { mode: "off" },
    collectEvents: false,
    throwOnBreach: false,
    grandpa: { gossipDelayMs: 10, slotMs: 25, rebroadcastMs: 60 },
    mistakes: mistake ? { [mistake]: true } : undefined,
  });
  return runPhases(c, {
    protocol: "grandpa",
    seed,
    safetyMs,
    livenessBoundMs: bound,
    replay: replayLine(seed, mistake),
    progress: "new finalised height",
  });
}

/**
 * One seed of the sweep: random adversary (≤ f), random faults, safety then liveness.
 * @example
 * ```ts
 * sweepOne(7); // { decisions: 80 }
 * sweepOne(7, { mistake: "precommitWithoutPrevotes" }); // a liveness breach: finality stops
 * ```
 */
export function sweepOne(seed: number, options: { mistake?: GrandpaMistake } = {}): SweepResult {
  return runSchedule(seed, sweepSchedule(seed), { mistake: options.mistake });
}
