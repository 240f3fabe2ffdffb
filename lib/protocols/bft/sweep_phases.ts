/**
 * The shape every BFT seed sweep shares (STYLE.md: a safety phase with faults, then a liveness
 * phase that heals): the random fault schedule a seed draws, the replay line a failure carries,
 * and one run's verdict, either from a cluster driven through both phases or from a mistake
 * scenario's own run. Used by the Tendermint, HotStuff and GRANDPA sweeps; each keeps its own
 * parameters, adversary stream and wording, so their reports are what they were.
 * @module
 */
import type { Schedule } from "../../net/nemesis.ts";
import { randomSchedule } from "../../net/shrink.ts";
import { nodeIds } from "../../net/cluster.ts";
import { type BftInvariants, describeBftBreach } from "./invariants.ts";

/** The outcome of one sweep run. */
export interface BftSweepResult {
  /** The first breach (safety or liveness), as one line with the seed; absent when fine. */
  readonly breach?: string;
  /** Heights decided (or finalised) by some honest node. */
  readonly decisions: number;
}

/** Shape of the safety-phase schedule of {@link bftSweepSchedule}. */
export interface BftScheduleShape {
  /** Episodes start at least this long before the safety phase ends (ms). */
  readonly quietMs: number;
  /** Fault episodes. */
  readonly episodes: number;
  /** Longest episode (ms). */
  readonly maxDurationMs: number;
}

/**
 * The fault schedule one seed draws for the safety phase: partitions, isolations, crashes,
 * pauses and slow links among n0..n{n-1}, each starting before `safetyMs − quietMs` (its heal,
 * restart or restore may come later: the liveness phase starts with `repairAll()`).
 * @example
 * ```ts
 * bftSweepSchedule(7, 4, 2_500, { quietMs: 300, episodes: 6, maxDurationMs: 600 });
 * ```
 */
export function bftSweepSchedule(
  seed: number,
  n: number,
  safetyMs: number,
  shape: BftScheduleShape,
): Schedule {
  return randomSchedule(seed, nodeIds(n), {
    endMs: safetyMs - shape.quietMs,
    episodes: shape.episodes,
    kinds: ["partition", "isolate", "crash", "pause", "slowLink"],
    maxDurationMs: shape.maxDurationMs,
  });
}

/** The call that replays a seed: `replay: sweepOne(7, { mistake: "x" })`. */
export function replayLine(seed: number, mistake?: string): string {
  return `replay: sweepOne(${seed}${mistake ? `, { mistake: "${mistake}" }` : ""})`;
}

/** What {@link runPhases} drives: a cluster with BFT invariants and a way to undo every fault. */
export interface PhasedCluster {
  readonly sim: { run(options: { untilMs: number }): unknown };
  readonly inv: Pick<BftInvariants, "breaches" | "decidedSlots" | "liveness">;
  repairAll(): void;
}

/** Options of {@link runPhases}. */
export interface PhasesOptions {
  /** Protocol name in the report lines ("tendermint"). */
  readonly protocol: string;
  readonly seed: number;
  /** End of the safety phase (ms). */
  readonly safetyMs: number;
  /** A decision must come within this long after the heal (ms). */
  readonly livenessBoundMs: number;
  /** The replay line ({@link replayLine}). */
  readonly replay: string;
  /** Added after the breach and after the seed of a liveness line, e.g. `variant=basic`. */
  readonly tag?: string;
  /** What liveness waits for, in the line (default "decision"). */
  readonly progress?: string;
}

/**
 * Safety phase until `safetyMs`, then `repairAll()` and a liveness phase of `livenessBoundMs`:
 * the first agreement/validity breach of either phase, else a liveness breach when no decision
 * came within the bound after the heal.
 */
export function runPhases(c: PhasedCluster, o: PhasesOptions): BftSweepResult {
  const tag = o.tag ? ` ${o.tag}` : "";
  const safety = () =>
    c.inv.breaches.length
      ? {
        breach: `${describeBftBreach(c.inv.breaches[0], o.protocol)}${tag}; ${o.replay}`,
        decisions: c.inv.decidedSlots,
      }
      : undefined;
  c.sim.run({ untilMs: o.safetyMs });
  const early = safety();
  if (early) return early;
  c.repairAll();
  c.sim.run({ untilMs: o.safetyMs + o.livenessBoundMs });
  const late = safety();
  if (late) return late;
  if (!c.inv.liveness(o.safetyMs, o.livenessBoundMs).ok) {
    return {
      breach:
        `${o.protocol} liveness: no ${o.progress ?? "decision"} within ${o.livenessBoundMs} ` +
        `ms after heal, seed=${o.seed}${tag}; ${o.replay}`,
      decisions: c.inv.decidedSlots,
    };
  }
  return { decisions: c.inv.decidedSlots };
}

/** What a mistake scenario's run reports (tendermint/scenarios.ts, hotstuff/scenarios.ts). */
export interface ScenarioOutcome {
  readonly breach?: { readonly line: string };
  readonly live: boolean;
  readonly decisions: number;
  readonly plan: { readonly livenessBoundMs: number };
}

/** A mistake scenario's run as a sweep verdict, naming the scenario and the replay. */
export function scenarioVerdict(
  r: ScenarioOutcome,
  o: { protocol: string; seed: number; scenario: string; replay: string },
): BftSweepResult {
  const where = `scenario=${o.scenario}; ${o.replay}`;
  if (r.breach) return { breach: `${r.breach.line}; ${where}`, decisions: r.decisions };
  if (!r.live) {
    return {
      breach: `${o.protocol} liveness: no decision within ${r.plan.livenessBoundMs} ms after ` +
        `heal, seed=${o.seed}; ${where}`,
      decisions: r.decisions,
    };
  }
  return { decisions: r.decisions };
}
