/**
 * The exercise of notebook 11: score any clock synchronization algorithm (a
 * {@link SyncNodeFactory}) against Cristian, Berkeley, NTP-style, a naive algorithm and no
 * synchronization at all, on the same seeds, clocks and networks, in three scenarios: a baseline
 * network, an asymmetric path to the reference, and a clock jump. Built on the harness of
 * `lib/clocks/harness.ts`, plus one measure it lacks: the signed offset of every clock from the
 * reference node's clock, which is what path asymmetry shifts.
 * @module
 */
import { group } from "d3-array";
import { z } from "zod";
import { parseConfig } from "../sim/errors.ts";
import {
  BerkeleyConfigSchema,
  builtInSyncAlgorithms,
  faultTolerantAverage,
  parseSyncScenario,
  runSyncScenario,
  scenarioClocks,
  SYNC_VARIANTS,
  type SyncAlgorithm,
  type SyncScenario,
  type SyncScoreRow,
  type SyncVariant,
} from "../clocks/mod.ts";
import { type Claim, claim } from "./claims.ts";

/** Parameters of notebook 11. */
export const ClockExerciseParamsSchema = z.object({
  /** Seeds; every algorithm runs on each. */
  seeds: z.array(z.number().int()).min(1).default([1, 2, 3]),
  /** Nodes, the reference n0 included. */
  nodes: z.number().int().min(2).max(32).default(5),
  /** Run length (ms of true time). */
  durationMs: z.number().min(20_000).default(180_000),
  /** Scores count readings from here on (ms), the same for every algorithm. */
  settleMs: z.number().min(0).default(30_000),
  /** Poll interval of every built-in algorithm (ms); yours reads it too. */
  pollIntervalMs: z.number().min(100).default(10_000),
  /** Initial offsets are uniform in ± this (ms). */
  maxInitialOffsetMs: z.number().min(0).default(200),
  /** Drifts are uniform in ± this (ppm). */
  maxDriftPpm: z.number().min(0).max(10_000).default(50),
  /** Asymmetric scenario: one-way delay of every node → n0 (ms). */
  asymmetricOutMs: z.number().min(0).default(40),
  /** Asymmetric scenario: one-way delay of n0 → every node (ms). */
  asymmetricBackMs: z.number().min(0).default(4),
  /** Jump scenario: when n1's clock jumps (ms of true time). */
  jumpAtMs: z.number().min(0).default(125_000),
  /** Jump scenario: by how much (ms). */
  jumpDeltaMs: z.number().finite().default(1_000),
}).strict().superRefine((p, ctx) => {
  if (p.settleMs >= p.durationMs) {
    ctx.addIssue({ code: "custom", path: ["settleMs"], message: "must be < durationMs" });
  }
  if (!(p.jumpAtMs > p.settleMs && p.jumpAtMs < p.durationMs)) {
    ctx.addIssue({
      code: "custom",
      path: ["jumpAtMs"],
      message: "must lie between settleMs and durationMs",
    });
  }
});

/** Parameters as written (every field optional). */
export type ClockExerciseParamsInput = z.input<typeof ClockExerciseParamsSchema>;
/** Parameters with defaults. */
export type ClockExerciseParams = z.output<typeof ClockExerciseParamsSchema>;

/** Parse notebook 11's parameters (a ConfigError names any bad field). */
export function parseClockExerciseParams(input: unknown = {}): ClockExerciseParams {
  return parseConfig(ClockExerciseParamsSchema, input, "clock exercise parameters");
}

/** The harness scenario of the exercise's parameters. */
export function exerciseScenario(p: ClockExerciseParams): SyncScenario {
  return parseSyncScenario({
    seeds: p.seeds,
    nodes: p.nodes,
    durationMs: p.durationMs,
    settleMs: p.settleMs,
    maxInitialOffsetMs: p.maxInitialOffsetMs,
    maxDriftPpm: p.maxDriftPpm,
    asymmetric: { outMs: p.asymmetricOutMs, backMs: p.asymmetricBackMs },
    jump: { atMs: p.jumpAtMs, node: "n1", deltaMs: p.jumpDeltaMs },
  });
}

/** The built-ins of the exercise, in report order: no sync, naive, Cristian, Berkeley, NTP. */
export function exerciseBaselines(p: ClockExerciseParams): SyncAlgorithm[] {
  return builtInSyncAlgorithms({ pollIntervalMs: p.pollIntervalMs });
}

/** One algorithm on one scenario and seed. */
export interface ExerciseRow extends SyncScoreRow {
  /** Mean signed error (corrected − true) over nodes n1.. and readings after settling (ms). */
  readonly meanErrorMs: number;
  /**
   * Mean of (node's corrected clock − n0's corrected clock) over nodes n1.. and readings after
   * settling (ms). Equals the error against true time when n0 stays exact.
   */
  readonly offsetFromReferenceMs: number;
}

/** Readings of the jumped node n1 from 5 s before the jump to 60 s after (or the end). */
export interface JumpTraceRow {
  readonly algorithm: string;
  /** Seconds since the jump. */
  readonly sinceJumpS: number;
  /** |corrected − true| of n1 (ms). */
  readonly absErrorMs: number;
}

/** Everything the exercise's harness measured. */
export interface ExerciseResult {
  /** One row per algorithm × scenario × seed. */
  readonly rows: readonly ExerciseRow[];
  /** Aggregated over seeds: one row per algorithm × scenario. */
  readonly summary: readonly ExerciseSummaryRow[];
  /** n1 around the jump, first seed, every algorithm. */
  readonly jumpTrace: readonly JumpTraceRow[];
  /** Algorithm names in report order. */
  readonly algorithms: readonly string[];
  /** The scenario run. */
  readonly scenario: SyncScenario;
}

/** Scores of one algorithm in one scenario, over seeds. */
export interface ExerciseSummaryRow {
  readonly algorithm: string;
  readonly scenario: SyncVariant;
  readonly seeds: number;
  /** Seeds on which every node converged within the tolerance (before any jump). */
  readonly convergedSeeds: number;
  /** Max |error| after settling, over seeds (ms). */
  readonly maxAbsErrorMs: number;
  /** Mean |error| after settling, averaged over seeds (ms). */
  readonly meanAbsErrorMs: number;
  /** Largest spread between two clocks at one instant, over seeds (ms). */
  readonly maxSkewMs: number;
  /** Mean offset from n0's clock (signed), averaged over seeds (ms). */
  readonly offsetFromReferenceMs: number;
  /** Messages sent per node per minute. */
  readonly messagesPerNodePerMinute: number;
  /** Jump scenario: seeds on which n1 got back within its pre-jump error; null elsewhere. */
  readonly recoveredSeeds: number | null;
  /** Jump scenario: slowest recovery over recovered seeds (ms); null when none or elsewhere. */
  readonly worstRecoveryMs: number | null;
}

/**
 * Run every algorithm on every scenario and seed of the exercise and score it.
 * @example
 * ```ts
 * const p = parseClockExerciseParams({ seeds: [1] });
 * const result = scoreExercise([...exerciseBaselines(p), { name: "mine", factory: myFactory }], p);
 * result.summary.filter((r) => r.scenario === "baseline");
 * ```
 */
export function scoreExercise(
  algorithms: readonly SyncAlgorithm[],
  p: ClockExerciseParams,
): ExerciseResult {
  const scenario = exerciseScenario(p);
  const names = algorithms.map((a) => a.name);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup !== undefined) throw new Error(`scoreExercise: two algorithms are named "${dup}"`);
  const rows: ExerciseRow[] = [];
  const jumpTrace: JumpTraceRow[] = [];
  for (const alg of algorithms) {
    for (const variant of SYNC_VARIANTS) {
      for (const seed of scenario.seeds) {
        const run = runSyncScenario(alg, scenario, { variant, seed });
        const ref = new Map<number, number>();
        for (const r of run.samples) if (r.node === "n0") ref.set(r.tMs, r.correctedMs);
        let sum = 0, sumErr = 0, n = 0;
        for (const r of run.samples) {
          const base = ref.get(r.tMs);
          if (r.tMs < scenario.settleMs || r.node === "n0" || base === undefined) continue;
          sum += r.correctedMs - base;
          sumErr += r.errorMs;
          n++;
        }
        rows.push({
          ...run.score,
          meanErrorMs: n ? sumErr / n : NaN,
          offsetFromReferenceMs: n ? sum / n : NaN,
        });
        if (variant === "jump" && seed === scenario.seeds[0]) {
          const from = p.jumpAtMs - 5_000, to = Math.min(p.durationMs, p.jumpAtMs + 60_000);
          for (const r of run.samples) {
            if (r.node !== "n1" || r.tMs < from || r.tMs > to) continue;
            jumpTrace.push({
              algorithm: alg.name,
              sinceJumpS: (r.tMs - p.jumpAtMs) / 1000,
              absErrorMs: Math.abs(r.errorMs),
            });
          }
        }
      }
    }
  }
  return { rows, summary: summarizeExercise(rows), jumpTrace, algorithms: names, scenario };
}

/** Aggregate exercise rows over seeds, one row per algorithm × scenario in first-seen order. */
export function summarizeExercise(rows: readonly ExerciseRow[]): ExerciseSummaryRow[] {
  // d3's group keeps first-seen order
  const groups: Map<string, ExerciseRow[]> = group(
    rows,
    (r: ExerciseRow) => `${r.algorithm}\u0000${r.variant}`,
  );
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  return [...groups.values()].map((g): ExerciseSummaryRow => {
    const jump = g[0].variant === "jump";
    const rec = g.map((r) => r.recoveryMs).filter((x): x is number => x !== null);
    return {
      algorithm: g[0].algorithm,
      scenario: g[0].variant,
      seeds: g.length,
      convergedSeeds: g.filter((r) => r.convergedAtMs !== null).length,
      maxAbsErrorMs: Math.max(...g.map((r) => r.maxAbsErrorMs)),
      meanAbsErrorMs: mean(g.map((r) => r.meanAbsErrorMs)),
      maxSkewMs: Math.max(...g.map((r) => r.maxSkewMs)),
      offsetFromReferenceMs: mean(g.map((r) => r.offsetFromReferenceMs)),
      messagesPerNodePerMinute: mean(g.map((r) => r.messagesPerNodePerMinute)),
      recoveredSeeds: jump ? g.filter((r) => r.recovered).length : null,
      worstRecoveryMs: jump && rec.length ? Math.max(...rec) : null,
    };
  });
}

function pick(
  result: ExerciseResult,
  algorithm: string,
  scenario: SyncVariant,
): ExerciseSummaryRow {
  const r = result.summary.find((s) => s.algorithm === algorithm && s.scenario === scenario);
  if (!r) throw new Error(`no scores for ${algorithm} / ${scenario}`);
  return r;
}

const f2 = (x: number) => x.toFixed(2);

/** Largest minus smallest one-way delay of the scenario's baseline links (ms). */
function latencySpreadMs(s: SyncScenario): number {
  const l = s.latency as { kind: string; minMs?: number; maxMs?: number };
  if (l.kind === "constant") return 0;
  if (l.kind === "uniform" && l.minMs !== undefined && l.maxMs !== undefined) {
    return l.maxMs - l.minMs;
  }
  return 20; // unbounded distributions: a generous allowance
}
const recoveryText = (ms: number | null) => (ms === null ? "never" : `${(ms / 1000).toFixed(1)} s`);

/** Algorithms that estimate the reference's time as reading + RTT/2. */
const RTT_HALF = ["cristian", "berkeley", "ntp"];

/**
 * Claims about the built-ins: delay compensation beats the naive algorithm, naive is the least
 * accurate of the algorithms that track true time, asymmetry shifts every RTT/2 estimate by half
 * the asymmetry (and naive by the return delay), Berkeley agrees internally and settles at the
 * fault-tolerant average of the initial clocks rather than at true time,
 * everyone that polls repairs a clock jump, and message costs follow from the poll interval.
 */
export function checkExerciseBaselines(result: ExerciseResult, p: ClockExerciseParams): Claim[] {
  const g = (a: string, s: SyncVariant) => pick(result, a, s);
  const half = (p.asymmetricOutMs - p.asymmetricBackMs) / 2;
  const seeds = result.scenario.seeds.length;
  // only the built-ins are ranked here; the learner has an acceptance test of its own
  const external = ["naive", "cristian", "ntp"];
  const worst = external.reduce((w, a) =>
    g(a, "baseline").meanAbsErrorMs > g(w, "baseline").meanAbsErrorMs ? a : w
  );
  const asym = result.algorithms.filter((a) => RTT_HALF.includes(a));
  const asymDev = Math.max(
    ...asym.map((a) => Math.abs(g(a, "asymmetric").offsetFromReferenceMs - half)),
  );
  const oneRound = ["naive", "cristian", "berkeley"].filter((a) => result.algorithms.includes(a));
  const clientServer = 2 * (p.nodes - 1) / p.nodes * 60_000 / p.pollIntervalMs;
  const berkeley = 3 * (p.nodes - 1) / p.nodes * 60_000 / p.pollIntervalMs;
  const near = (x: number, y: number) => Math.abs(x - y) <= 0.1 * y;
  const b = g("berkeley", "baseline");
  const ntpJump = result.rows.filter((r) => r.algorithm === "ntp" && r.variant === "jump");
  // Gusella & Zatti: the first round moves every clock to the fault-tolerant average of the
  // initial offsets (n0's 0 among them); the group then drifts at its mean rate, and each
  // reading carries the RTT/2 error of an uneven split of the delay
  const sc = result.scenario;
  const gamma = BerkeleyConfigSchema.parse({}).maxDeviationMs;
  const berkeleySeeds = result.rows.filter((r) =>
    r.algorithm === "berkeley" && r.variant === "baseline"
  ).map((r) => {
    const clocks = scenarioClocks(sc, r.seed);
    const offsets = Array.from({ length: sc.nodes }, (_, i) => clocks[`n${i}`].offsetMs);
    return {
      seed: r.seed,
      measured: r.meanErrorMs,
      predicted: faultTolerantAverage(offsets, gamma, 0).mean,
    };
  });
  const berkeleyTol = sc.maxDriftPpm * 1e-6 * sc.durationMs + latencySpreadMs(sc) / 2;
  return [
    claim(
      "baseline: NTP and Cristian beat naive on mean |error|",
      g("ntp", "baseline").meanAbsErrorMs < g("naive", "baseline").meanAbsErrorMs &&
        g("cristian", "baseline").meanAbsErrorMs < g("naive", "baseline").meanAbsErrorMs,
      `ntp ${f2(g("ntp", "baseline").meanAbsErrorMs)}, cristian ${
        f2(g("cristian", "baseline").meanAbsErrorMs)
      }, naive ${f2(g("naive", "baseline").meanAbsErrorMs)} ms`,
    ),
    claim(
      "baseline: naive is the least accurate of the algorithms that track true time",
      worst === "naive",
      external.map((a) => `${a} ${f2(g(a, "baseline").meanAbsErrorMs)}`).join(", ") + " ms",
    ),
    claim(
      `asymmetric: every RTT/2 estimate is off by (out − back)/2 = ${half} ms`,
      asymDev <= 2,
      asym.map((a) => `${a} ${f2(g(a, "asymmetric").offsetFromReferenceMs)}`).join(", ") +
        " ms from n0",
    ),
    claim(
      `asymmetric: naive is off by minus the return delay (−${p.asymmetricBackMs} ms)`,
      Math.abs(g("naive", "asymmetric").offsetFromReferenceMs + p.asymmetricBackMs) <= 1,
      `naive ${f2(g("naive", "asymmetric").offsetFromReferenceMs)} ms from n0`,
    ),
    claim(
      "Berkeley: the clocks agree with each other about as well as Cristian's (max skew ≤ 2×)",
      b.maxSkewMs <= 2 * g("cristian", "baseline").maxSkewMs,
      `berkeley ${f2(b.maxSkewMs)} ms, cristian ${f2(g("cristian", "baseline").maxSkewMs)} ms`,
    ),
    claim(
      "Berkeley: …but settle at the fault-tolerant average of the initial clocks, not at true time",
      berkeleySeeds.every((x) => Math.abs(x.measured - x.predicted) <= berkeleyTol),
      berkeleySeeds.map((x) => `seed ${x.seed}: ${f2(x.measured)} ms (average ${f2(x.predicted)})`)
        .join(", ") + `; tolerance ${f2(berkeleyTol)} ms`,
    ),
    claim(
      "jump: naive, Cristian and Berkeley repair it on every seed within one poll; free-running never",
      oneRound.every((a) =>
        g(a, "jump").recoveredSeeds === seeds &&
        (g(a, "jump").worstRecoveryMs ?? Infinity) <= p.pollIntervalMs + 500
      ) && g("free-running", "jump").recoveredSeeds === 0,
      oneRound.map((a) =>
        `${a} ${g(a, "jump").recoveredSeeds}/${seeds}, slowest ${
          ((g(a, "jump").worstRecoveryMs ?? NaN) / 1000).toFixed(1)
        } s`
      ).join("; ") +
        ` (poll ${p.pollIntervalMs / 1000} s); free-running ${
          g("free-running", "jump").recoveredSeeds
        }/${seeds}`,
    ),
    claim(
      "jump: NTP recovers within its filter's 8 polls, or the run ends first (the least-delay " +
        "sample it keeps trusting predates the jump)",
      ntpJump.every((r) =>
        r.recoveryMs !== null
          ? r.recoveryMs <= 8 * p.pollIntervalMs + 500
          : p.durationMs - p.jumpAtMs < 8 * p.pollIntervalMs
      ),
      ntpJump.map((r) => `seed ${r.seed}: ${recoveryText(r.recoveryMs)}`).join(", ") +
        ` (8 polls = ${(8 * p.pollIntervalMs) / 1000} s; run ends ${
          (p.durationMs - p.jumpAtMs) / 1000
        } s after the jump)`,
    ),
    claim(
      "messages per node per minute: 2(n−1)/n per poll for client–server, 3(n−1)/n for Berkeley",
      near(g("cristian", "baseline").messagesPerNodePerMinute, clientServer) &&
        near(g("ntp", "baseline").messagesPerNodePerMinute, clientServer) &&
        near(b.messagesPerNodePerMinute, berkeley) &&
        g("free-running", "baseline").messagesPerNodePerMinute === 0,
      `cristian ${f2(g("cristian", "baseline").messagesPerNodePerMinute)}, ntp ${
        f2(g("ntp", "baseline").messagesPerNodePerMinute)
      } (theory ${f2(clientServer)}); berkeley ${f2(b.messagesPerNodePerMinute)} (theory ${
        f2(berkeley)
      })`,
    ),
  ];
}

/**
 * The learner's acceptance test: beat naive in the baseline and converge on every seed, be
 * shifted by exactly half the asymmetry (no more: a two-way estimate cannot do better, but it
 * should not do worse), and recover from the jump on every seed within two poll intervals.
 */
export function checkLearner(
  result: ExerciseResult,
  name: string,
  p: ClockExerciseParams,
): Claim[] {
  const me = (s: SyncVariant) => pick(result, name, s);
  const naive = pick(result, "naive", "baseline");
  const seeds = result.scenario.seeds.length;
  const half = (p.asymmetricOutMs - p.asymmetricBackMs) / 2;
  const rec = me("jump").worstRecoveryMs;
  return [
    claim(
      `${name}: beats naive on mean |error| in the baseline`,
      me("baseline").meanAbsErrorMs < naive.meanAbsErrorMs,
      `${f2(me("baseline").meanAbsErrorMs)} vs naive ${f2(naive.meanAbsErrorMs)} ms`,
    ),
    claim(
      `${name}: converges within ${result.scenario.toleranceMs} ms on every seed`,
      me("baseline").convergedSeeds === seeds,
      `${me("baseline").convergedSeeds}/${seeds} seeds`,
    ),
    claim(
      `${name}: asymmetric offset ≈ (out − back)/2 = ${half} ms`,
      Math.abs(me("asymmetric").offsetFromReferenceMs - half) <= 2,
      `${f2(me("asymmetric").offsetFromReferenceMs)} ms from n0`,
    ),
    claim(
      `${name}: recovers from the ${p.jumpDeltaMs} ms jump within two poll intervals`,
      me("jump").recoveredSeeds === seeds && rec !== null && rec <= 2 * p.pollIntervalMs,
      `${me("jump").recoveredSeeds}/${seeds} seeds, slowest ${
        rec === null ? "never" : `${(rec / 1000).toFixed(1)} s`
      }`,
    ),
  ];
}

/** One line of the status table. */
export interface StatusRow {
  readonly algorithm: string;
  readonly baselineMeanMs: number;
  readonly baselineMaxMs: number;
  readonly maxSkewMs: number;
  readonly messagesPerNodePerMinute: number;
  readonly asymmetricOffsetMs: number;
  readonly jumpRecoveryS: number | null;
  readonly converged: string;
}

/** One row per algorithm: the numbers the Status section reports. */
export function statusRows(result: ExerciseResult): StatusRow[] {
  return result.algorithms.map((a) => {
    const base = pick(result, a, "baseline");
    const jump = pick(result, a, "jump");
    return {
      algorithm: a,
      baselineMeanMs: base.meanAbsErrorMs,
      baselineMaxMs: base.maxAbsErrorMs,
      maxSkewMs: base.maxSkewMs,
      messagesPerNodePerMinute: base.messagesPerNodePerMinute,
      asymmetricOffsetMs: pick(result, a, "asymmetric").offsetFromReferenceMs,
      jumpRecoveryS: jump.worstRecoveryMs === null ? null : jump.worstRecoveryMs / 1000,
      converged: `${base.convergedSeeds}/${base.seeds}`,
    };
  });
}

/**
 * A few sentences stating the results, computed from the scores. Accuracy against true time is
 * ranked among the algorithms that track it (Berkeley, which synchronizes internally, and the
 * free-running baseline are reported apart).
 */
export function statusSummary(result: ExerciseResult, learner: string): string {
  const rows = statusRows(result);
  const tracking = rows.filter((r) => r.algorithm !== "free-running" && r.algorithm !== "berkeley")
    .sort((a, b) => a.baselineMeanMs - b.baselineMeanMs);
  const me = rows.find((r) => r.algorithm === learner);
  const cristian = rows.find((r) => r.algorithm === "cristian");
  const berkeley = rows.find((r) => r.algorithm === "berkeley");
  const free = rows.find((r) => r.algorithm === "free-running");
  const s = result.scenario;
  const lines = [
    `Scored ${result.algorithms.length} algorithms × 3 scenarios × ${s.seeds.length} seeds ` +
    `(${s.nodes} nodes, ${s.durationMs / 1000} s each, scores from t = ${s.settleMs / 1000} s).`,
    `Of the algorithms that track true time, the most accurate in the baseline is **${
      tracking[0].algorithm
    }** (mean |error| ${f2(tracking[0].baselineMeanMs)} ms) and the least accurate **${
      tracking.at(-1)!.algorithm
    }** (${f2(tracking.at(-1)!.baselineMeanMs)} ms).`,
  ];
  if (berkeley) {
    lines.push(
      `Berkeley keeps the clocks within ${f2(berkeley.maxSkewMs)} ms of each other but ${
        f2(berkeley.baselineMeanMs)
      } ms from true time on average.`,
    );
  }
  if (free) lines.push(`Without synchronization the mean error is ${f2(free.baselineMeanMs)} ms.`);
  if (me) {
    const rank = tracking.findIndex((r) => r.algorithm === learner) + 1;
    const cost = cristian && cristian.messagesPerNodePerMinute > 0
      ? ` (${f2(me.messagesPerNodePerMinute / cristian.messagesPerNodePerMinute)}× Cristian's)`
      : "";
    lines.push(
      `**${learner}** ranks ${rank} of ${tracking.length} on baseline accuracy (${
        f2(me.baselineMeanMs)
      } ms mean, ${f2(me.baselineMaxMs)} ms max, converged on ${me.converged} seeds) at ${
        f2(me.messagesPerNodePerMinute)
      } messages per node per minute${cost}; it sits ${
        f2(me.asymmetricOffsetMs)
      } ms from n0 on the asymmetric path and recovers from the jump in ${
        me.jumpRecoveryS === null ? "— (never)" : `${me.jumpRecoveryS.toFixed(1)} s`
      }.`,
    );
  }
  return lines.join(" ");
}
