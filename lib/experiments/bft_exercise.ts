/**
 * Experiments of notebook 10 (exercise: Byzantine fault simulation): the attack harness on the
 * worked example, the battery on the reference single-shot agreement and on its classic mistakes
 * (a scenario × mistake matrix), detection power per mistake and the seed count it implies, Twins
 * exploration, shrinking of a failing fault schedule, the learner's own battery and a traced
 * replay of its first failure. Functions return plain rows; `check…` functions return the claims
 * the notebook asserts and the tests run.
 * @module
 */
import { z } from "zod";
import { parseConfig } from "../sim/errors.ts";
import type { NodeId, TraceRecord } from "../sim/types.ts";
import {
  type AttackRow,
  BA_MISTAKE_LABELS,
  BA_MISTAKES,
  BA_SCENARIO_NAMES,
  BA_SCENARIOS,
  type BaBatteryRow,
  type BaMistake,
  type BaScenarioName,
  type BaTwinsReport,
  bftBattery,
  type MakeBaNode,
  referenceBa,
  replayCommand,
  runBaScenario,
  type ScheduleShrink,
} from "../protocols/bft/battery.ts";
import { type Claim, claim } from "./claims.ts";
import { MarkdownText } from "./clock_display.ts";

/**
 * Seeds (of {@link MEASURED_SEEDS}: seeds 1..200 of the whole battery on the reference with each
 * flag) on which at least one scenario caught each mistake: the measurement behind the default
 * `batterySeeds`. Re-measure with {@link detectionPower} on a matrix with many seeds.
 */
export const MEASURED_CAUGHT: Readonly<Record<BaMistake, number>> = {
  mistakeQuorum2f: 143,
  mistakeSkipVerify: 196,
  mistakeVoteTwice: 200,
};

/** Seeds of the measurement behind {@link MEASURED_CAUGHT}. */
export const MEASURED_SEEDS = 200;

/** Per-seed detection probability p of each mistake, from the measurement. */
export const MEASURED_DETECTION: Readonly<Record<BaMistake, number>> = Object.fromEntries(
  BA_MISTAKES.map((m) => [m, MEASURED_CAUGHT[m] / MEASURED_SEEDS]),
) as Record<BaMistake, number>;

/** Seeds k with 1 − (1 − p)^k ≥ target (∞ when p = 0). */
export function seedsNeeded(p: number, target = 0.99): number {
  if (p >= 1) return 1;
  if (p <= 0) return Infinity;
  return Math.ceil(Math.log(1 - target) / Math.log(1 - p));
}

/** The fewest seeds that catch every known mistake with ≥ 99 % (from the measured p). */
export function defaultBatterySeeds(
  power: Readonly<Record<BaMistake, number>> = MEASURED_DETECTION,
): number {
  return Math.max(1, ...BA_MISTAKES.map((m) => seedsNeeded(power[m])));
}

/** Parameters of notebook 10; the defaults run the notebook in well under a minute. */
export const BftExerciseParamsSchema = z.object({
  /** Seed of the traced runs and of Twins sampling. */
  seed: z.number().int().default(1),
  /** Attack: traitors f of the worked example (n = 3f and n = 3f + 1). */
  attackF: z.number().int().min(1).max(3).default(1),
  /** Attack: seeds per cluster size. */
  attackSeeds: z.number().int().min(1).max(500).default(20),
  /**
   * Battery: seeds per scenario. Default: the fewest that catch each known mistake with
   * probability ≥ 0.99, from measured detection power ({@link defaultBatterySeeds}).
   */
  batterySeeds: z.number().int().min(1).max(500).default(defaultBatterySeeds()),
  /** Twins: rounds per scenario (the space is 15^rounds scenarios at n = 4 with one twin). */
  twinsRounds: z.number().int().min(1).max(3).default(2),
  /** Twins: scenarios to run per implementation (all when the space is smaller). */
  twinsScenarios: z.number().int().min(1).max(5_000).default(225),
  /** Shrinking: random fault schedules to try before giving up. */
  shrinkSchedules: z.number().int().min(1).max(500).default(40),
}).strict();

/** Parameters as written. */
export type BftExerciseParamsInput = z.input<typeof BftExerciseParamsSchema>;
/** Parameters with defaults. */
export type BftExerciseParams = z.output<typeof BftExerciseParamsSchema>;

/** Parse notebook parameters (a ConfigError names any bad field). */
export function parseBftExerciseParams(input: unknown): BftExerciseParams {
  return parseConfig(BftExerciseParamsSchema, input, "bft exercise parameters");
}

/** What each mistake breaks and how. */
export const BA_MISTAKE_RULES: Readonly<Record<BaMistake, { rule: string; effect: string }>> = {
  mistakeQuorum2f: {
    rule: "quorums of 2f + 1 of 3f + 1: any two share f + 1 replicas, one of them honest",
    effect: "two quorums of 2f can share only traitors: an equivocating leader gets both " +
      "values decided",
  },
  mistakeSkipVerify: {
    rule: "count a vote only if its signature is the named replica's own",
    effect: "one traitor forges a whole quorum for a value nobody proposed",
  },
  mistakeVoteTwice: {
    rule: "prepare and commit at most one value per slot and view",
    effect: "an honest replica signs two conflicting votes: slashable, and quorums form on both",
  },
};

/** The column of the reference implementation. */
export const REFERENCE_LABEL = "reference";

/** One cell of the battery matrix: one implementation on one scenario. */
export interface BaMatrixCell {
  /** "reference" or a mistake's label. */
  readonly implementation: string;
  /** The mistake flag, or null. */
  readonly mistake: BaMistake | null;
  /** Scenario name. */
  readonly scenario: BaScenarioName;
  /** Seeds run. */
  readonly seeds: number;
  /** Seeds failed. */
  readonly failed: number;
  /** Which seeds failed. */
  readonly failedSeeds: readonly number[];
  /** "ok" or "k/N". */
  readonly verdict: string;
  /** The check that failed first. */
  readonly check: string | null;
  /** The first failure with its replay line. */
  readonly message: string | null;
}

/** Implementations × scenarios of the matrix (for a progress display). */
export function matrixSize(): number {
  return (1 + BA_MISTAKES.length) * BA_SCENARIO_NAMES.length;
}

/** A sink for progress (the notebook passes a `Progress`). */
export interface ProgressSink {
  /** One step done. */
  tick(label?: string): Promise<void> | void;
}

function cells(label: string, mistake: BaMistake | null, rows: readonly BaBatteryRow[]) {
  return rows.map((r): BaMatrixCell => ({
    implementation: label,
    mistake,
    scenario: r.scenario,
    seeds: r.seeds,
    failed: r.failed,
    failedSeeds: r.failedSeeds,
    verdict: r.failed ? `${r.failed}/${r.seeds}` : "ok",
    check: r.check,
    message: r.message,
  }));
}

/** The battery on the reference and on the reference with each mistake, `batterySeeds` seeds. */
export async function batteryMatrix(
  p: BftExerciseParams,
  progress?: ProgressSink,
): Promise<BaMatrixCell[]> {
  const out: BaMatrixCell[] = [];
  for (const mistake of [null, ...BA_MISTAKES]) {
    const make = referenceBa(mistake ? { [mistake]: true } : {});
    const label = mistake ? BA_MISTAKE_LABELS[mistake] : REFERENCE_LABEL;
    for (const scenario of BA_SCENARIO_NAMES) {
      out.push(
        ...cells(label, mistake, bftBattery(make, { only: scenario, seeds: p.batterySeeds }).rows),
      );
      await progress?.tick(`${label}: ${scenario}`);
    }
  }
  return out;
}

/** Detection power of one mistake on a matrix. */
export interface DetectionRow {
  /** The flag. */
  readonly mistake: BaMistake;
  /** Its label. */
  readonly label: string;
  /** p measured over {@link MEASURED_SEEDS} seeds. */
  readonly measured: number;
  /** Seeds run here. */
  readonly seeds: number;
  /** Seeds on which some scenario caught it here. */
  readonly caughtSeeds: number;
  /** caughtSeeds / seeds. */
  readonly p: number;
  /** Seeds for ≥ 99 % at the measured p. */
  readonly seedsFor99: number;
  /** 1 − (1 − measured p)^seeds: the chance these seeds catch it. */
  readonly catchProbability: number;
  /** Scenarios that caught it, with failing seed counts. */
  readonly scenarios: string;
}

/** Per mistake: on how many seeds did at least one scenario catch it. */
export function detectionPower(matrix: readonly BaMatrixCell[]): DetectionRow[] {
  return BA_MISTAKES.map((m) => {
    const mine = matrix.filter((c) => c.mistake === m);
    const seeds = Math.max(0, ...mine.map((c) => c.seeds));
    const caught = new Set(mine.flatMap((c) => [...c.failedSeeds])).size;
    return {
      mistake: m,
      label: BA_MISTAKE_LABELS[m],
      measured: MEASURED_DETECTION[m],
      seeds,
      caughtSeeds: caught,
      p: seeds ? caught / seeds : 0,
      seedsFor99: seedsNeeded(MEASURED_DETECTION[m]),
      catchProbability: 1 - (1 - MEASURED_DETECTION[m]) ** seeds,
      scenarios: mine.filter((c) => c.failed).map((c) => `${c.scenario} ${c.failed}`).join(", "),
    };
  });
}

/** The line printed for a passing battery: the seeds run and what they catch. */
export function passedLine(
  seeds: number,
  power: Readonly<Record<BaMistake, number>> = MEASURED_DETECTION,
): string {
  const worst = Math.min(...BA_MISTAKES.map((m) => 1 - (1 - power[m]) ** seeds));
  if (worst >= 0.99) return `passed ${seeds} seeds, which catches each known mistake with ≥ 99 %`;
  const pct = Math.floor(1000 * worst) / 10;
  return `passed ${seeds} seeds, which catches each known mistake with ≥ ${pct} % only ` +
    `(${defaultBatterySeeds(power)} seeds give ≥ 99 %)`;
}

/** Claims of the attack: breaks at n = 3f on every seed, never at n = 3f + 1. */
export function checkAttack(rows: readonly AttackRow[]): Claim[] {
  const unsafe = rows.find((r) => r.regime === "n = 3f")!;
  const safe = rows.find((r) => r.regime === "n = 3f + 1")!;
  return [
    claim(
      `the strategy breaks agreement at n = 3f = ${unsafe.n} (quorum ${unsafe.quorum})`,
      unsafe.breaches > 0,
      `${unsafe.breaches} of ${unsafe.seeds} seeds` +
        (unsafe.firstBreach ? `; first: ${unsafe.firstBreach.slice(0, 90)}…` : ""),
    ),
    claim(
      `the same strategy never breaks it at n = 3f + 1 = ${safe.n} (quorum ${safe.quorum})`,
      safe.breaches === 0,
      `${safe.breaches} breaches in ${safe.seeds} seeds; ${safe.safeDecisions} seeds with a ` +
        `safe decision`,
    ),
  ];
}

/** Claims of the matrix: the reference passes; each mistake is caught. */
export function checkMatrix(matrix: readonly BaMatrixCell[]): Claim[] {
  const ref = matrix.filter((c) => c.mistake === null);
  const bad = ref.filter((c) => c.failed > 0);
  const claims = [
    claim(
      "the reference passes every scenario on every seed",
      ref.length > 0 && bad.length === 0,
      bad.length
        ? bad.map((c) => c.message?.split("\n")[0]).join("; ")
        : `${ref.length} scenarios × ${ref[0]?.seeds ?? 0} seeds`,
    ),
  ];
  for (const d of detectionPower(matrix)) {
    claims.push(claim(
      `the battery catches "${d.label}" (measured p = ${d.measured.toFixed(2)} per seed)`,
      d.caughtSeeds > 0,
      `caught on ${d.caughtSeeds} of ${d.seeds} seeds (a miss on all had probability ` +
        `${((1 - d.measured) ** d.seeds).toExponential(1)}): ${d.scenarios || "no scenario"}`,
    ));
  }
  return claims;
}

/** One Twins row per implementation. */
export interface TwinsRow extends BaTwinsReport {
  /** Implementation label. */
  readonly implementation: string;
}

/** Claims of Twins: no violation on the reference; the two twin-visible mistakes caught. */
export function checkTwins(rows: readonly TwinsRow[]): Claim[] {
  const ref = rows.find((r) => r.implementation === REFERENCE_LABEL)!;
  const q = rows.find((r) => r.implementation === BA_MISTAKE_LABELS.mistakeQuorum2f)!;
  const v = rows.find((r) => r.implementation === BA_MISTAKE_LABELS.mistakeVoteTwice)!;
  return [
    claim(
      "no Twins scenario breaks the reference",
      ref.violations === 0,
      `${ref.explored} scenarios explored`,
    ),
    claim(
      `Twins catch "${q.implementation}" and "${v.implementation}"`,
      q.violations > 0 && v.violations > 0,
      `${q.violations} and ${v.violations} of ${q.explored} scenarios fail; minimal: ` +
        `${q.minimal ?? "-"}`,
    ),
  ];
}

/** Claims of shrinking: a failing schedule shrank and replays to a failure. */
export function checkShrink(s: ScheduleShrink): Claim[] {
  if (!s.shrink) {
    return [claim("a random schedule breaks the mistaken node", false, `${s.tried} tried`)];
  }
  return [
    claim(
      "shrinking keeps a failing schedule and makes it smaller",
      s.shrink.schedule.length < s.shrink.original.length || s.shrink.original.length <= 1,
      `${s.shrink.original.length} → ${s.shrink.schedule.length} faults in ${s.shrink.runs} runs`,
    ),
    claim(
      "the minimal schedule replays to a failure",
      s.replayFailure !== null,
      s.replayFailure ?? "passed",
    ),
  ];
}

/** The learner's acceptance test: every scenario passes on every seed. */
export function checkLearner(rows: readonly BaBatteryRow[]): Claim[] {
  const bad = rows.filter((r) => r.failed > 0);
  return [claim(
    "your implementation passes every scenario on every seed",
    bad.length === 0,
    bad.length
      ? bad.map((r) => `${r.scenario}: ${r.message!.split("\n")[0]}`).join("; ")
      : `${rows.length} scenarios × ${rows[0]?.seeds ?? 0} seeds`,
  )];
}

/** What to debug: the learner's first failure, or a demonstration on a mistaken reference. */
export interface DebugTarget {
  /** True when the learner's node failed. */
  readonly yours: boolean;
  /** The implementation debugged. */
  readonly label: string;
  /** Its node factory. */
  readonly makeNode: MakeBaNode;
  /** The scenario and seed. */
  readonly scenario: BaScenarioName;
  /** The seed. */
  readonly seed: number;
  /** The replay line. */
  readonly replay: string;
  /** The expression that builds `makeNode` in a pasted replay line. */
  readonly makeNodeExpr: string;
}

/** The mistake the debugging cells demonstrate on while the learner's node passes. */
export const DEBUG_DEMO_MISTAKE: BaMistake = "mistakeQuorum2f";

/** The learner's first failure (preferring safety over liveness), else a demonstration. */
export function debugTarget(makeNode: MakeBaNode, learner: readonly BaBatteryRow[]): DebugTarget {
  const failing = learner.filter((r) => r.failed > 0);
  const pick = failing.find((r) => r.check !== "liveness") ?? failing[0];
  if (pick) {
    return {
      yours: true,
      label: "your node",
      makeNode,
      scenario: pick.scenario,
      seed: pick.firstFailingSeed!,
      replay: pick.replay!,
      makeNodeExpr: "makeNode",
    };
  }
  const demo = referenceBa({ [DEBUG_DEMO_MISTAKE]: true });
  const row = bftBattery(demo, { only: "equivocate", seeds: 50, stopAtFirstFailure: true }).rows[0];
  const expr = `referenceBa({ ${DEBUG_DEMO_MISTAKE}: true })`;
  return {
    yours: false,
    label: BA_MISTAKE_LABELS[DEBUG_DEMO_MISTAKE],
    makeNode: demo,
    scenario: "equivocate",
    seed: row.firstFailingSeed ?? 1,
    replay: replayCommand("equivocate", row.firstFailingSeed ?? 1, expr),
    makeNodeExpr: expr,
  };
}

/** A traced replay of one failing run. */
export interface TracedRun {
  /** The failure on replay (null if it passed). */
  readonly failure: string | null;
  /** The trace. */
  readonly trace: readonly TraceRecord[];
  /** Lanes: replicas (and twin instances). */
  readonly nodes: readonly NodeId[];
  /** Traitors. */
  readonly byzantine: readonly NodeId[];
  /** Honest decisions. */
  readonly decisions: Readonly<Record<NodeId, string>>;
  /** Time of the last honest decision, or of the end (ms). */
  readonly lastDecisionMs: number;
}

/** Replay a scenario and seed with a full trace. */
export function replayTraced(
  makeNode: MakeBaNode,
  scenario: BaScenarioName,
  seed: number,
): TracedRun {
  const r = runBaScenario(makeNode, scenario, seed, { trace: true });
  const decideTimes = r.trace.filter((x) => x.type === "event" && x.event.type === "bft-decide")
    .map((x) => x.t);
  const nodes = [...new Set(r.trace.flatMap((x) => "node" in x ? [x.node as string] : []))];
  return {
    failure: r.failure ?? null,
    trace: r.trace,
    nodes: nodes.length
      ? nodes.sort()
      : Array.from({ length: BA_SCENARIOS[scenario].n }, (_, i) => `n${i}`),
    byzantine: r.byzantine,
    decisions: r.decisions,
    lastDecisionMs: decideTimes.length ? Math.max(...decideTimes) : r.sim.nowMs,
  };
}

/** The scenarios as a table. */
export function scenarioTable(): {
  scenario: string;
  n: number;
  traitors: string;
  checks: string;
}[] {
  return BA_SCENARIO_NAMES.map((s) => ({
    scenario: s,
    n: BA_SCENARIOS[s].n,
    traitors: BA_SCENARIOS[s].traitors,
    checks: BA_SCENARIOS[s].describe,
  }));
}

/** The status paragraph, from the run's own numbers. */
export function statusSummary(r: {
  readonly params: BftExerciseParams;
  readonly attack: readonly AttackRow[];
  readonly matrix: readonly BaMatrixCell[];
  readonly twins: readonly TwinsRow[];
  readonly shrink: ScheduleShrink;
  readonly learner: readonly BaBatteryRow[];
  readonly claims: readonly Claim[];
}): MarkdownText {
  const held = r.claims.filter((c) => c.holds).length;
  const [u, s] = r.attack;
  const power = detectionPower(r.matrix);
  const lpass = r.learner.filter((x) => x.failed === 0).length;
  const lines = [
    `**${held} of ${r.claims.length} checked predictions hold.**`,
    "",
    `- **Attack**: the equivocating leader broke agreement on ${u.breaches} of ${u.seeds} seeds ` +
    `at n = ${u.n} and on ${s.breaches} of ${s.seeds} at n = ${s.n}.`,
    `- **Battery**: the reference passes all ${BA_SCENARIO_NAMES.length} scenarios on ` +
    `${r.params.batterySeeds} seeds; ${
      power.map((d) => `${d.label} caught on ${d.caughtSeeds}/${d.seeds}`).join(", ")
    }.`,
    `- **Twins**: ${
      r.twins.map((t) => `${t.implementation} ${t.violations}/${t.explored}`).join(", ")
    } scenarios violate a check.`,
    r.shrink.shrink
      ? `- **Shrinking**: a ${r.shrink.shrink.original.length}-fault schedule shrank to ` +
        `${r.shrink.shrink.schedule.length} in ${r.shrink.shrink.runs} runs.`
      : `- **Shrinking**: no failing schedule in ${r.shrink.tried} tries.`,
    `- **Your implementation**: passes ${lpass} of ${r.learner.length} scenarios` +
    (lpass === r.learner.length ? `: ${passedLine(r.params.batterySeeds)}.` : "."),
  ];
  return new MarkdownText(lines.join("\n"));
}

export { BA_MISTAKE_LABELS, BA_MISTAKES, type BaMistake } from "../protocols/bft/battery.ts";
