/**
 * Notebook 09's test battery and fault-schedule shrinking. The battery
 * (`lib/protocols/raft/battery.ts`, MIT 6.824-style scenarios) runs against the reference Raft and
 * against the reference with each classic mistake switched on, giving a matrix of which scenario
 * catches which mistake. Then a random fault schedule that breaks a mistaken Raft is shrunk to a
 * minimal one (`lib/net/shrink.ts`, delta debugging) and replayed with a full trace.
 * @module
 */
import { createCluster } from "../net/cluster.ts";
import type { FaultWindow, Schedule } from "../net/nemesis.ts";
import { formatFault, randomSchedule, shrinkSchedule, type ShrinkStep } from "../net/shrink.ts";
import {
  type BatteryRow,
  type MakeBatteryNode,
  mistakeConfig,
  RAFT_MISTAKES,
  raftBattery,
  type RaftMistake,
  referenceRaft,
  replayCommand,
  SCENARIO_NAMES,
  scenarioHarness,
  type ScenarioName,
  SCENARIOS,
} from "../protocols/raft/battery.ts";
import { Harness } from "../protocols/raft/battery_harness.ts";
import type { RaftConfigInput } from "../protocols/raft/config.ts";
import { type RaftBreach, RaftInvariants } from "../protocols/raft/invariants.ts";
import type { RaftMessage } from "../protocols/raft/messages.ts";
import { RaftNode } from "../protocols/raft/node.ts";
import type { NodeId, TraceRecord } from "../sim/types.ts";
import { type StateInterval, stateIntervalsFromTrace } from "../viz/timeline.ts";
import type { TopLevelSpec } from "vega-lite";
import { heatmap } from "../viz/tables.ts";
import { type Claim, claim, notApplicable } from "./claims.ts";
import type { ProgressSink } from "./raft_figure16.ts";
import type { RaftExerciseParams } from "./raft_params.ts";
import { MarkdownText } from "./clock_display.ts";

/** Short names of the mistakes, for chart columns. */
export const MISTAKE_LABELS: Readonly<Record<RaftMistake, string>> = {
  mistakeCommitPreviousTermByCounting: "old-term commit",
  mistakeVoteWithoutUpToDateCheck: "no log check",
  mistakeVolatileVotedFor: "volatile votedFor",
  mistakeAcceptStaleReplies: "stale replies",
  mistakeTruncateOnAppend: "always truncate",
  mistakeCommitIndexUnbounded: "unbounded commitIndex",
  mistakeResetTimerOnVoteRequest: "timer reset on RequestVote",
  mistakeVolatileLog: "volatile log",
};

/** What each mistake breaks and how, for the notebook's table. */
export const MISTAKE_RULES: Readonly<Record<RaftMistake, { rule: string; effect: string }>> = {
  mistakeCommitPreviousTermByCounting: {
    rule: "§5.4.2: only current-term entries are committed by counting replicas",
    effect: "an older-term entry on a majority is applied, then overwritten by a later leader " +
      "(Figure 8); run without the election no-op, which hides it",
  },
  mistakeVoteWithoutUpToDateCheck: {
    rule: "§5.4.1: vote only for a candidate whose log is at least as up to date",
    effect: "a candidate missing committed entries wins and overwrites them",
  },
  mistakeVolatileVotedFor: {
    rule: "Figure 2: votedFor is persistent state",
    effect: "a server restarted after voting votes again in the same term: two leaders",
  },
  mistakeAcceptStaleReplies: {
    rule: "guide, term confusion: drop replies whose term is not the current one",
    effect: "votes granted in an earlier term are counted: two leaders in one term",
  },
  mistakeTruncateOnAppend: {
    rule: "Figure 2 AppendEntries rule 3: truncate only at the first conflicting entry",
    effect: "a delayed, shorter AppendEntries erases acknowledged entries; commits stall or " +
      "committed entries vanish",
  },
  mistakeCommitIndexUnbounded: {
    rule: "Figure 2 AppendEntries rule 5: commitIndex ≤ index of the last new entry",
    effect: "stale entries past the checked ones are applied, if a leader's AppendEntries ends " +
      "before them (misroutedAppend shows a deposed leader one; run without log compaction, " +
      "which keeps every AppendEntries of the reference past its commitIndex)",
  },
  mistakeResetTimerOnVoteRequest: {
    rule: "§5.2 / guide, livelocks: reset the election timer only for the current leader, an " +
      "election, a granted vote",
    effect: "servers that cannot win keep postponing the one that can: slow elections",
  },
  mistakeVolatileLog: {
    rule: "Figure 2: the log is persistent state",
    effect: "a restarted server lost acknowledged entries: committed entries are overwritten",
  },
};

/** The column of the reference implementation. */
export const REFERENCE_LABEL = "reference";

/** A cell's outcome, as the heatmap colours it. */
export type BatteryOutcome = "passes" | "fails on some seeds" | "fails on every seed" | "skipped";

/** Colours of the outcomes. */
export const OUTCOME_COLORS: readonly (readonly [BatteryOutcome, string])[] = [
  ["passes", "#e5f5e0"],
  ["fails on some seeds", "#fc9272"],
  ["fails on every seed", "#cb181d"],
  ["skipped", "#d9d9d9"],
];

/** One cell of the battery matrix: one implementation on one scenario. */
export interface BatteryCell {
  /** {@link REFERENCE_LABEL} or a mistake's short label. */
  readonly implementation: string;
  /** The mistake flag, or null for the reference. */
  readonly mistake: RaftMistake | null;
  readonly scenario: string;
  readonly seeds: number;
  readonly failed: number;
  /** Why it was skipped, else null. */
  readonly skipped: string | null;
  /** "3/3" failing seeds, "skipped", or "ok". */
  readonly verdict: string;
  /** failed / seeds (0 when skipped). */
  readonly failRatio: number;
  readonly outcome: BatteryOutcome;
  /** The first failure's message with its replay line, else null. */
  readonly message: string | null;
  /** The seeds that failed. */
  readonly failedSeeds: readonly number[];
  /** Simulated time summed over the seeds (ms). */
  readonly durationMs: number;
}

function cell(implementation: string, mistake: RaftMistake | null, r: BatteryRow): BatteryCell {
  return {
    implementation,
    mistake,
    scenario: r.scenario,
    seeds: r.seeds,
    failed: r.failed,
    skipped: r.skipped,
    verdict: r.skipped !== null ? "skipped" : r.failed > 0 ? `${r.failed}/${r.seeds}` : "ok",
    failRatio: r.seeds > 0 ? r.failed / r.seeds : 0,
    outcome: r.skipped !== null
      ? "skipped"
      : r.failed === 0
      ? "passes"
      : r.failed === r.seeds
      ? "fails on every seed"
      : "fails on some seeds",
    message: r.message,
    failedSeeds: r.failedSeeds,
    durationMs: r.durationMs,
  };
}

/** One scenario of the battery, described. */
export interface ScenarioInfo {
  readonly scenario: string;
  readonly servers: number;
  readonly network: string;
  readonly checks: string;
  readonly mit: string;
}

/** The battery's scenarios, in the order they run. */
export function scenarioTable(): ScenarioInfo[] {
  return SCENARIO_NAMES.map((name) => ({
    scenario: name,
    servers: SCENARIOS[name].nodes,
    network: SCENARIOS[name].network,
    checks: SCENARIOS[name].describe,
    mit: SCENARIOS[name].mit,
  }));
}

/** Scenarios × implementations the matrix runs (for a progress display). */
export function batteryMatrixSize(): number {
  return SCENARIO_NAMES.length * (1 + RAFT_MISTAKES.length);
}

/**
 * The battery on the reference Raft and on the reference with each classic mistake, `seeds`
 * seeds per scenario. Progress ticks once per scenario and implementation.
 */
export async function batteryMatrix(
  p: RaftExerciseParams,
  progress?: ProgressSink,
): Promise<BatteryCell[]> {
  const out: BatteryCell[] = [];
  const impls: [string, RaftMistake | null, MakeBatteryNode<RaftMessage>][] = [
    [REFERENCE_LABEL, null, referenceRaft()],
    ...RAFT_MISTAKES.map((m): [string, RaftMistake, MakeBatteryNode<RaftMessage>] => [
      MISTAKE_LABELS[m],
      m,
      referenceRaft(mistakeConfig(m)),
    ]),
  ];
  for (const [label, mistake, make] of impls) {
    // one scenario at a time, so that a progress display can update in between
    for (const scenario of SCENARIO_NAMES) {
      for (const r of raftBattery(make, { only: scenario, seeds: p.batterySeeds }).rows) {
        out.push(cell(label, mistake, r));
      }
      await progress?.tick(`${label}: ${scenario}`);
    }
  }
  return out;
}

/** The matrix as a heatmap: scenarios down, implementations across, failing seeds written in. */
export function batteryHeatmap(cells: readonly BatteryCell[], seeds: number): TopLevelSpec {
  const spec = heatmap(cells, {
    x: "implementation",
    y: "scenario",
    value: "outcome",
    text: "verdict",
    xSort: [REFERENCE_LABEL, ...RAFT_MISTAKES.map((m) => MISTAKE_LABELS[m])],
    ySort: [...SCENARIO_NAMES],
    xType: "nominal",
    yType: "nominal",
    colors: OUTCOME_COLORS.filter(([o]) => cells.some((c) => c.outcome === o)),
    title: "Which scenario catches which mistake",
    subtitle:
      `failing seeds of ${seeds} per cell; the reference and the reference with one flag on`,
    xTitle: "implementation",
    yTitle: "scenario",
    valueTitle: "outcome",
    cellWidth: 120,
    cellHeight: 20,
  }) as TopLevelSpec & { layer: { encoding: Record<string, Record<string, unknown>> }[] };
  // scenario names are long: give the row labels room
  return {
    ...spec,
    layer: spec.layer.map((l) => ({
      ...l,
      encoding: { ...l.encoding, y: { ...l.encoding.y, axis: { labelLimit: 240 } } },
    })),
  } as TopLevelSpec;
}

/** How often one seed of the battery catches a mistake, measured over the seeds run. */
export interface DetectionRow {
  readonly mistake: RaftMistake;
  readonly label: string;
  readonly seeds: number;
  /** Seeds on which at least one scenario failed. */
  readonly caughtSeeds: number;
  /** Per-seed detection probability p (caught seeds / seeds). */
  readonly p: number;
  /** Seeds needed to catch it with probability ≥ 0.99: ⌈ln 0.01 / ln(1 − p)⌉ (∞ when p = 0). */
  readonly seedsFor99: number;
  /** Probability that `seeds` seeds catch it: 1 − (1 − p)^seeds. */
  readonly catchProbability: number;
  /** Scenarios that caught it, with their failing seeds. */
  readonly scenarios: string;
}

/** Seeds needed so that a mistake caught on a fraction p of seeds is caught with ≥ `target`. */
export function seedsNeeded(p: number, target = 0.99): number {
  if (p >= 1) return 1;
  if (p <= 0) return Infinity;
  return Math.ceil(Math.log(1 - target) / Math.log(1 - p));
}

/** Detection power per mistake, from a battery matrix (a seed counts if any scenario failed on it). */
export function detectionPower(cells: readonly BatteryCell[]): DetectionRow[] {
  return RAFT_MISTAKES.map((m) => {
    const mine = cells.filter((c) => c.mistake === m && c.skipped === null);
    const seeds = Math.max(0, ...mine.map((c) => c.seeds));
    const caught = new Set(mine.flatMap((c) => [...c.failedSeeds])).size;
    const p = seeds > 0 ? caught / seeds : 0;
    return {
      mistake: m,
      label: MISTAKE_LABELS[m],
      seeds,
      caughtSeeds: caught,
      p,
      seedsFor99: seedsNeeded(p),
      catchProbability: 1 - (1 - p) ** seeds,
      scenarios: mine.filter((c) => c.failed > 0).map((c) => `${c.scenario} ${c.failed}`).join(
        ", ",
      ),
    };
  });
}

/**
 * The measurement behind the default `batterySeeds`: for each mistake, the seeds on which at least
 * one scenario of the whole battery caught it, of the seeds run (1..N, the reference with the
 * flag). Flags caught on every one of the first 40 seeds were not run further; the others ran 200.
 * Re-measure with {@link detectionPower} on a matrix with a large `batterySeeds`.
 */
export const MEASURED: Readonly<Record<RaftMistake, { caught: number; seeds: number }>> = {
  mistakeCommitPreviousTermByCounting: { caught: 40, seeds: 40 },
  mistakeVoteWithoutUpToDateCheck: { caught: 40, seeds: 40 },
  mistakeVolatileVotedFor: { caught: 91, seeds: 200 },
  mistakeAcceptStaleReplies: { caught: 71, seeds: 200 },
  mistakeTruncateOnAppend: { caught: 40, seeds: 40 },
  mistakeCommitIndexUnbounded: { caught: 40, seeds: 40 },
  mistakeResetTimerOnVoteRequest: { caught: 40, seeds: 40 },
  mistakeVolatileLog: { caught: 40, seeds: 40 },
};

/** Per-seed detection probability p of each mistake, from {@link MEASURED}. */
export const MEASURED_DETECTION: Readonly<Record<RaftMistake, number>> = Object.fromEntries(
  RAFT_MISTAKES.map((m) => [m, MEASURED[m].caught / MEASURED[m].seeds]),
) as Record<RaftMistake, number>;

/** Mistakes the battery never caught in the measurement (p = 0): no seed count covers them. */
export function uncaughtMistakes(
  power: Readonly<Record<RaftMistake, number>> = MEASURED_DETECTION,
): RaftMistake[] {
  return RAFT_MISTAKES.filter((m) => power[m] === 0);
}

/** The smallest seed count that catches every measured-catchable mistake with ≥ 99 %. */
export function defaultBatterySeeds(
  power: Readonly<Record<RaftMistake, number>> = MEASURED_DETECTION,
): number {
  return Math.max(
    1,
    ...RAFT_MISTAKES.filter((m) => power[m] > 0).map((m) => seedsNeeded(power[m])),
  );
}

/** The battery's verdicts on the reference and on the mistakes, with detection power. */
export function checkBattery(cells: readonly BatteryCell[]): Claim[] {
  const ref = cells.filter((c) => c.mistake === null);
  const refFailed = ref.filter((c) => c.failed > 0);
  const claims: Claim[] = [
    claim(
      "the reference Raft passes every scenario on every seed",
      ref.length > 0 && refFailed.length === 0,
      refFailed.length
        ? refFailed.map((c) => c.message?.split("\n")[0]).join("; ")
        : `${ref.filter((c) => !c.skipped).length} scenarios × ${ref[0]?.seeds ?? 0} seeds`,
    ),
  ];
  for (const d of detectionPower(cells)) {
    const measured = MEASURED_DETECTION[d.mistake];
    const text = `the battery catches "${d.label}" (measured p = ${measured.toFixed(2)} per seed)`;
    if (measured === 0) {
      claims.push(notApplicable(
        text,
        `never caught in ${MEASURED[d.mistake].seeds} measured seeds, so no prediction` +
          (d.caughtSeeds ? ` (caught here on ${d.caughtSeeds} of ${d.seeds})` : ""),
      ));
      continue;
    }
    // with the measured p, missing it on every one of these seeds has probability (1 − p)^seeds
    const miss = (1 - measured) ** d.seeds;
    claims.push(claim(
      text,
      d.caughtSeeds > 0,
      `caught on ${d.caughtSeeds} of ${d.seeds} seeds (p here ${d.p.toFixed(2)}; a miss on all ` +
        `${d.seeds} had probability ${miss.toExponential(1)}): ${d.scenarios || "no scenario"}`,
    ));
  }
  return claims;
}

/**
 * The line the notebook prints for a passing battery: the seeds run and what they catch, from
 * the measured detection power; mistakes it cannot catch are named.
 */
export function passedLine(
  seeds: number,
  power: Readonly<Record<RaftMistake, number>> = MEASURED_DETECTION,
): string {
  const covered = RAFT_MISTAKES.filter((m) => power[m] > 0);
  const worst = Math.min(...covered.map((m) => 1 - (1 - power[m]) ** seeds));
  const missing = uncaughtMistakes(power).map((m) => `"${MISTAKE_LABELS[m]}"`);
  const pct = Math.floor(1000 * worst) / 10;
  const head = worst >= 0.99
    ? `passed ${seeds} seeds, which catches each known mistake with ≥ 99 %`
    : `passed ${seeds} seeds, which catches each known mistake with ≥ ${pct} % only ` +
      `(${defaultBatterySeeds(power)} seeds give ≥ 99 %)`;
  return missing.length
    ? `${head} (except ${missing.join(", ")}, which no scenario caught in ${
      Math.min(...uncaughtMistakes(power).map((m) => MEASURED[m].seeds))
    } measured seeds)`
    : head;
}

/**
 * The battery on the learner's implementation: every scenario on `batterySeeds` seeds, one
 * scenario at a time (progress ticks once per scenario).
 */
export async function learnerBattery<M>(
  makeNode: MakeBatteryNode<M>,
  p: RaftExerciseParams,
  progress?: ProgressSink,
): Promise<BatteryRow[]> {
  const rows: BatteryRow[] = [];
  for (const scenario of SCENARIO_NAMES) {
    rows.push(...raftBattery(makeNode, { only: scenario, seeds: p.batterySeeds }).rows);
    await progress?.tick(scenario);
  }
  return rows;
}

/** The acceptance test: no scenario fails (skipped snapshot scenarios are allowed). */
export function checkLearner(rows: readonly BatteryRow[]): Claim[] {
  const failed = rows.filter((r) => r.failed > 0);
  const skipped = rows.filter((r) => r.skipped !== null);
  const ran = rows.filter((r) => r.skipped === null);
  return [
    claim(
      "your Raft passes every scenario it can run, on every seed",
      failed.length === 0 && ran.length > 0,
      failed.length
        ? failed.map((r) => r.message?.split("\n").join(" ")).join(" · ")
        : `${ran.length} scenarios × ${ran[0]?.seeds ?? 0} seeds passed`,
    ),
    claim(
      "it runs the elections and agreement scenarios (snapshots may be skipped)",
      skipped.every((r) => r.scenario.startsWith("snapshots")),
      skipped.length ? `skipped: ${skipped.map((r) => r.scenario).join(", ")}` : "nothing skipped",
    ),
  ];
}

// ---- shrinking a failing fault schedule ---------------------------------------------------------

/** The mistake the shrinking demonstration hunts. */
export const SHRINK_MISTAKE: RaftMistake = "mistakeVoteWithoutUpToDateCheck";

/** A Raft run under a fault schedule, with a background client. */
export interface ScheduleRun {
  readonly breach: RaftBreach | undefined;
  readonly trace: readonly TraceRecord[];
  readonly endMs: number;
  readonly servers: readonly NodeId[];
}

/** Simulated length of a schedule run (ms); faults fall in its first 5 s. */
export const SCHEDULE_RUN_MS = 7_000;

/**
 * Five Raft servers (with `config`) under `schedule`, while a client proposes a command to the
 * leader of the moment every 20 ms; stops at the first safety breach. Deterministic: the same
 * arguments give the same run, which is what shrinking needs.
 */
export function runWithSchedule(
  config: RaftConfigInput,
  schedule: Schedule,
  options: { seed: number; servers: number; trace?: boolean },
): ScheduleRun {
  const c = createCluster<RaftMessage>({
    seed: options.seed,
    nodes: options.servers,
    factory: (ctx) => new RaftNode(ctx, { ...config, snapshotThresholdEntries: 0 }),
    network: { latency: { kind: "uniform", minMs: 1, maxMs: 10 } },
    nemesis: schedule,
    trace: { mode: options.trace ? "full" : "off" },
    collectEvents: false,
  });
  const sim = c.sim;
  const inv = new RaftInvariants({ throwOnBreach: false }).attach(sim);
  let k = 0;
  const tick = () => {
    const leader = c.nodes.find((id) => sim.instanceOf<RaftNode>(id)?.role === "leader");
    if (leader !== undefined) sim.instanceOf<RaftNode>(leader)!.propose(`cmd ${k++}`);
    if (sim.nowMs < SCHEDULE_RUN_MS - 1_000) sim.schedule(20, tick);
  };
  sim.schedule(20, tick);
  sim.run({ untilMs: SCHEDULE_RUN_MS, until: () => inv.breach !== undefined });
  return { breach: inv.breach, trace: sim.trace.records, endMs: sim.nowMs, servers: c.nodes };
}

/** The shrinking demonstration's result. */
export interface ShrinkDemo {
  readonly mistake: RaftMistake;
  /** Random schedules tried before one failed, and the seed of the failing one. */
  readonly schedulesTried: number;
  readonly scheduleSeed: number;
  readonly original: Schedule;
  readonly shrunk: Schedule;
  readonly runs: number;
  readonly exhausted: boolean;
  readonly steps: readonly ShrinkStep[];
  readonly breachBefore: RaftBreach;
  /** The replay of the shrunk schedule (full trace). */
  readonly replay: ScheduleRun;
  /** Breaches with each single fault of the shrunk schedule removed (all undefined: 1-minimal). */
  readonly withoutOne: readonly (string | undefined)[];
  /** The shrunk schedule on the correct Raft (undefined: safe). */
  readonly correctBreach: string | undefined;
  /** Each server's role in the replay, and the fault windows, for a timeline. */
  readonly roles: StateInterval[];
  readonly faults: FaultWindow[];
}

/** The nodes' roles in a trace, for a state timeline. */
function roleOf(r: TraceRecord): { node: NodeId; state: string } | undefined {
  return r.type === "event" && r.event.type === "role"
    ? { node: r.node, state: String(r.event.role) }
    : undefined;
}

/** Fault windows of a schedule, for shading (a partition or isolation until its heal). */
function windowsOf(schedule: Schedule, endMs: number): FaultWindow[] {
  const out: FaultWindow[] = [];
  let open: { startMs: number; label: string } | undefined;
  const crashed = new Map<NodeId, number>();
  for (const f of schedule) {
    if (f.type === "partition" || f.type === "isolate" || f.type === "cut") {
      if (open) out.push({ ...open, endMs: f.atMs, kind: "network" });
      open = { startMs: f.atMs, label: formatFault(f).replace(/^t=\S+ /, "") };
    } else if (f.type === "heal" && open) {
      out.push({ ...open, endMs: f.atMs, kind: "network" });
      open = undefined;
    } else if (f.type === "crash") crashed.set(f.node, f.atMs);
    else if (f.type === "restart" && crashed.has(f.node)) {
      out.push({
        startMs: crashed.get(f.node)!,
        endMs: f.atMs,
        label: `crash ${f.node}`,
        kind: "crash",
      });
      crashed.delete(f.node);
    }
  }
  if (open) out.push({ ...open, endMs, kind: "network" });
  for (const [node, t] of crashed) {
    out.push({ startMs: t, endMs, label: `crash ${node}`, kind: "crash" });
  }
  return out;
}

/**
 * Search random schedules (20 episodes of crashes, isolations and partitions in 5 s, schedule
 * seeds p.seed, p.seed + 1, ...) for one that breaks Raft with {@link SHRINK_MISTAKE}; shrink it;
 * replay the result with a full trace; and check that it is 1-minimal and that the correct Raft
 * survives it.
 */
export function shrinkDemo(p: RaftExerciseParams, maxSchedules = 50): ShrinkDemo {
  const config: RaftConfigInput = { [SHRINK_MISTAKE]: true };
  const servers = Array.from({ length: p.servers }, (_, i) => `n${i}`);
  const opts = { seed: p.seed, servers: p.servers };
  let original: Schedule | undefined;
  let breachBefore: RaftBreach | undefined;
  let scheduleSeed = p.seed;
  let tried = 0;
  for (; tried < maxSchedules && !breachBefore; tried++) {
    scheduleSeed = p.seed + tried;
    original = randomSchedule(scheduleSeed, servers, {
      endMs: 5_000,
      episodes: 20,
      kinds: ["crash", "isolate", "partition"],
      maxDurationMs: 1_000,
    });
    breachBefore = runWithSchedule(config, original, opts).breach;
  }
  if (!breachBefore || !original) {
    throw new Error(`shrinkDemo: none of ${maxSchedules} random schedules broke ${SHRINK_MISTAKE}`);
  }
  const r = shrinkSchedule(
    (s) => runWithSchedule(config, s, opts).breach !== undefined,
    original,
    { maxRuns: 400, resolutionMs: 10 },
  );
  const replay = runWithSchedule(config, r.schedule, { ...opts, trace: true });
  const withoutOne = r.schedule.map((_, i) =>
    runWithSchedule(config, r.schedule.filter((_, k) => k !== i), opts).breach?.message
  );
  const correctBreach = runWithSchedule({}, r.schedule, opts).breach?.message;
  return {
    mistake: SHRINK_MISTAKE,
    schedulesTried: tried,
    scheduleSeed,
    original,
    shrunk: r.schedule,
    runs: r.runs,
    exhausted: r.exhausted,
    steps: r.steps,
    breachBefore,
    replay,
    withoutOne,
    correctBreach,
    roles: stateIntervalsFromTrace(replay.trace, {
      endMs: replay.endMs,
      stateOf: roleOf,
      nodes: replay.servers,
      initialState: "follower",
    }),
    faults: windowsOf(r.schedule, replay.endMs),
  };
}

/** One point of the shrinking trajectory. */
export interface ShrinkProgressRow {
  readonly run: number;
  readonly faults: number;
  /** "candidate tried" or "smallest failing so far". */
  readonly series: string;
}

/** Each run's candidate size, and the smallest schedule known to fail after that run. */
export function shrinkProgressRows(steps: readonly ShrinkStep[]): ShrinkProgressRow[] {
  let best = Infinity;
  return steps.flatMap((s) => {
    if (s.failed) best = Math.min(best, s.faults);
    return [
      { run: s.run, faults: s.faults, series: "candidate tried" },
      { run: s.run, faults: best, series: "smallest failing so far" },
    ];
  });
}

/** What shrinking promises, checked. */
export function checkShrink(d: ShrinkDemo): Claim[] {
  const after = d.replay.breach;
  return [
    claim(
      "the shrunk schedule still breaks the mistaken Raft, with the same invariant, on replay",
      after !== undefined && after.invariant === d.breachBefore.invariant,
      `before: ${d.breachBefore.invariant} (${d.original.length} faults); after: ${
        after?.invariant ?? "no breach"
      } (${d.shrunk.length} faults)`,
    ),
    claim(
      "it is much smaller: at most a quarter of the faults",
      d.shrunk.length * 4 <= d.original.length,
      `${d.original.length} → ${d.shrunk.length} faults in ${d.runs} runs`,
    ),
    claim(
      "it is 1-minimal: without any one of its faults the run is safe",
      d.withoutOne.every((b) => b === undefined),
      d.shrunk.map((f, i) => `without ${formatFault(f)}: ${d.withoutOne[i] ? "breach" : "safe"}`)
        .join("; "),
    ),
    claim(
      "the correct Raft survives the same schedule: the mistake, not the faults, breaks it",
      d.correctBreach === undefined,
      d.correctBreach ?? "no breach",
    ),
  ];
}

// ---- debugging a learner's failing run ------------------------------------------------------

/** A traced replay of one scenario and seed of the battery on the learner's node. */
export interface TracedReplay {
  readonly scenario: ScenarioName;
  readonly seed: number;
  /** The failure's message, or null if this seed passes. */
  readonly failure: string | null;
  /** Simulated time at which the run stopped (the failure's time when it failed). */
  readonly endMs: number;
  readonly trace: readonly TraceRecord[];
  readonly servers: readonly NodeId[];
  /** Each server's state as the harness saw it after every event: leader, follower, down. */
  readonly roles: StateInterval[];
  /** The call that replays it, to paste in a cell where `raftBattery` and `makeNode` exist. */
  readonly replay: string;
}

/** The state of each server as seen through `state()`: "leader", "follower" or "down". */
function polledRoles<M>(h: Harness<M>): () => StateInterval[] {
  const open = h.ids.map(() => ({ state: "follower", since: 0 }));
  const out: StateInterval[] = [];
  h.sim.afterEach(() => {
    h.ids.forEach((id, i) => {
      const node = h.node(i);
      const st = node === undefined ? "down" : node.state().isLeader ? "leader" : "follower";
      if (st !== open[i].state) {
        if (h.sim.nowMs > open[i].since) {
          out.push({ node: id, startMs: open[i].since, endMs: h.sim.nowMs, state: open[i].state });
        }
        open[i] = { state: st, since: h.sim.nowMs };
      }
    });
  });
  return () => [
    ...out,
    ...h.ids.map((id, i) => ({
      node: id,
      startMs: open[i].since,
      endMs: h.sim.nowMs,
      state: open[i].state,
    })).filter((x) => x.endMs > x.startMs),
  ];
}

/**
 * Replay `scenario` on `seed` with the learner's `makeNode`, tracing every message and timer and
 * polling every server's `state()`, for a space-time diagram and a state timeline of the run
 * up to its failure.
 */
export function replayTraced<M>(
  makeNode: MakeBatteryNode<M>,
  scenario: ScenarioName,
  seed: number,
): TracedReplay {
  const h = scenarioHarness(makeNode, scenario, seed, { trace: true });
  const roles = polledRoles(h);
  let failure: string | null = null;
  try {
    SCENARIOS[scenario].run(h as Harness<unknown>);
    h.checkSafety();
  } catch (e) {
    failure = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  }
  return {
    scenario,
    seed,
    failure,
    endMs: h.sim.nowMs,
    trace: h.sim.trace.records,
    servers: h.ids,
    roles: roles(),
    replay: replayCommand(scenario, seed),
  };
}

/** The first failing row of a battery report, if any. */
export function firstFailure(
  rows: readonly BatteryRow[],
): { scenario: ScenarioName; seed: number } | undefined {
  const r = rows.find((x) => x.failed > 0 && x.firstFailingSeed !== null);
  return r ? { scenario: r.scenario, seed: r.firstFailingSeed! } : undefined;
}

/** A learner's node under a fault schedule, checked by the battery's harness. */
export function runLearnerSchedule<M>(
  makeNode: MakeBatteryNode<M>,
  schedule: Schedule,
  options: { seed: number; servers: number; trace?: boolean },
  onHarness?: (h: Harness<M>) => void,
): { failure: string | null; harness: Harness<M> } {
  const h = new Harness<M>(makeNode, {
    seed: options.seed,
    scenario: "schedule",
    nodes: options.servers,
    nemesis: schedule,
    trace: options.trace ?? false,
  });
  onHarness?.(h);
  const tick = () => {
    for (let i = 0; i < h.n; i++) if (h.state(i)?.isLeader) h.node(i)!.propose(h.command());
    if (h.sim.nowMs < SCHEDULE_RUN_MS - 1_000) h.sim.schedule(20, tick);
  };
  h.sim.schedule(20, tick);
  try {
    h.sleep(SCHEDULE_RUN_MS);
    return { failure: null, harness: h };
  } catch (e) {
    return { failure: e instanceof Error ? `${e.name}: ${e.message}` : String(e), harness: h };
  }
}

/** The shrinker applied to a learner's node: the failing schedule, its 1-minimal core, replayed. */
export interface LearnerShrink {
  /** Null when none of the random schedules broke the node. */
  readonly found: null | {
    readonly scheduleSeed: number;
    readonly original: Schedule;
    readonly failureBefore: string;
    readonly shrunk: Schedule;
    readonly runs: number;
    readonly failureAfter: string | null;
    readonly replay: TracedReplay;
  };
  readonly schedulesTried: number;
}

/**
 * Random fault schedules (crashes, isolations, partitions; seeds p.seed, p.seed + 1, ...) against
 * the learner's node with a client proposing every 20 ms, checked by the battery's harness; the
 * first that fails is shrunk to a 1-minimal one and replayed with a trace. Safety failures only
 * (a liveness bound is not checked here, so a slow node is not "broken" by a long partition).
 */
export function shrinkLearner<M>(
  makeNode: MakeBatteryNode<M>,
  p: RaftExerciseParams,
  maxSchedules = 20,
): LearnerShrink {
  const servers = Array.from({ length: p.servers }, (_, i) => `n${i}`);
  const opts = { seed: p.seed, servers: p.servers };
  for (let tried = 0; tried < maxSchedules; tried++) {
    const scheduleSeed = p.seed + tried;
    const original = randomSchedule(scheduleSeed, servers, {
      endMs: 5_000,
      episodes: 20,
      kinds: ["crash", "isolate", "partition"],
      maxDurationMs: 1_000,
    });
    const before = runLearnerSchedule(makeNode, original, opts).failure;
    if (before === null) continue;
    const r = shrinkSchedule(
      (s) => runLearnerSchedule(makeNode, s, opts).failure !== null,
      original,
      { maxRuns: 300, resolutionMs: 10 },
    );
    let roles: () => StateInterval[] = () => [];
    const traced = runLearnerSchedule(
      makeNode,
      r.schedule,
      { ...opts, trace: true },
      (h) => roles = polledRoles(h),
    );
    const h = traced.harness;
    return {
      schedulesTried: tried + 1,
      found: {
        scheduleSeed,
        original,
        failureBefore: before,
        shrunk: r.schedule,
        runs: r.runs,
        failureAfter: traced.failure,
        replay: {
          scenario: "schedule" as ScenarioName,
          seed: p.seed,
          failure: traced.failure,
          endMs: h.sim.nowMs,
          trace: h.sim.trace.records,
          servers: h.ids,
          roles: roles(),
          replay: `rx.runLearnerSchedule(makeNode, ${JSON.stringify(r.schedule)}, ` +
            `{ seed: ${p.seed}, servers: ${p.servers} })`,
        },
      },
    };
  }
  return { found: null, schedulesTried: maxSchedules };
}

/** The paragraph after the heatmap: which mistakes are caught where, from the run. */
export function batteryDiscussion(
  cells: readonly BatteryCell[],
  p: RaftExerciseParams,
): MarkdownText {
  const power = detectionPower(cells);
  const scenarios = SCENARIO_NAMES.length;
  const widest = power.reduce((a, d) =>
    cells.filter((c) => c.mistake === d.mistake && c.failed > 0).length >
        cells.filter((c) => c.mistake === a.mistake && c.failed > 0).length
      ? d
      : a
  );
  const wideCount = cells.filter((c) => c.mistake === widest.mistake && c.failed > 0).length;
  const narrow = power.filter((d) =>
    cells.filter((c) => c.mistake === d.mistake && c.failed > 0).length === 1
  );
  const missed = power.filter((d) => d.caughtSeeds === 0);
  const lines = [
    `Read the heatmap by column. "${widest.label}" is caught by ${wideCount} of ${scenarios} ` +
    `scenarios: any scenario in which a server misses entries and later campaigns exposes it.`,
    narrow.length
      ? `${narrow.map((d) => `"${d.label}" (by ${d.scenarios})`).join(", ")} ` +
        `${narrow.length === 1 ? "is" : "are"} caught by one scenario only: the one built to ` +
        "create its precondition."
      : "",
    missed.length
      ? `${missed.map((d) => `"${d.label}"`).join(", ")} ${
        missed.length === 1 ? "was" : "were"
      } not caught on these ${p.batterySeeds} seeds.`
      : `Every mistake was caught on these ${p.batterySeeds} seeds.`,
    "A mistake caught on one seed of three is a bug that ships if the suite runs once; the " +
    "failure messages carry the seed and the call that replays it, so a failure seen once can be " +
    "replayed and debugged step by step.",
  ];
  return new MarkdownText(lines.filter((x) => x).join(" "));
}

/** The paragraph after the shrinking demonstration, from its replay. */
export function shrinkDiscussion(d: ShrinkDemo): MarkdownText {
  const b = d.replay.breach;
  if (!b) return new MarkdownText("The shrunk schedule did not break the replay.");
  const node = b.node;
  let campaigns = 0, termAtBreach = 0;
  const others = new Map<NodeId, number>();
  for (const r of d.replay.trace) {
    if (r.t > b.timeMs) break;
    if (r.type !== "event" || r.event.type !== "role") continue;
    if (r.node === node) {
      if (r.event.role === "candidate") campaigns++;
      termAtBreach = Number(r.event.term);
    } else others.set(r.node, Number(r.event.term));
  }
  return new MarkdownText(
    `${d.original.length} faults became ${d.shrunk.length}: ${
      d.shrunk.map(formatFault).join(", ")
    }. The breach: ${b.message} (at ${b.timeMs.toFixed(0)} ms). ${node} became a candidate ` +
      `${campaigns} times before it, reaching term ${termAtBreach}; every server it asked ` +
      "adopted that term and, without the log check, granted its vote, so it won with a log " +
      "missing committed entries, and leader completeness was violated the instant it was " +
      "elected (its first AppendEntries would then erase committed entries from its followers). " +
      `The correct Raft survives the same ${d.shrunk.length} faults (${
        d.correctBreach ?? "no breach"
      }): voters refuse a candidate whose log is behind theirs. PreVote (thesis §9.6) would also ` +
      "have stopped the disruption earlier: a server that cannot reach a majority could not even " +
      "raise its term.",
  );
}

/** What the debugging cells work on: the learner's first failure, or a demonstration. */
export interface DebugTarget<M> {
  readonly makeNode: MakeBatteryNode<M>;
  /** "your Raft", or the demonstration's mistake label. */
  readonly label: string;
  /** True when the learner's node failed and this is its failure. */
  readonly yours: boolean;
  readonly scenario: ScenarioName;
  readonly seed: number;
  /** The call that replays it, valid where `raftBattery`, `referenceRaft` and `makeNode` exist. */
  readonly replay: string;
}

/** The mistake the debugging cells demonstrate on while the learner's node passes. */
export const DEBUG_DEMO_MISTAKE: RaftMistake = "mistakeVolatileLog";

/**
 * The learner's failing scenario with the least simulated time per seed, or, when the learner
 * passes everything, the same for the reference with {@link DEBUG_DEMO_MISTAKE}.
 */
export function debugTarget<M>(
  makeNode: MakeBatteryNode<M>,
  learner: readonly BatteryRow[],
  matrix: readonly BatteryCell[],
): DebugTarget<M> | DebugTarget<RaftMessage> | undefined {
  const cheapest = <T extends { failed: number; seeds: number }>(
    rows: readonly T[],
    cost: (r: T) => number,
  ) => rows.filter((r) => r.failed > 0).sort((a, b) => cost(a) - cost(b))[0];
  const mine = cheapest(learner, (r) => r.durationMs / Math.max(1, r.seeds));
  if (mine) {
    return {
      makeNode,
      label: "your Raft",
      yours: true,
      scenario: mine.scenario,
      seed: mine.firstFailingSeed!,
      replay: replayCommand(mine.scenario, mine.firstFailingSeed!),
    };
  }
  const demo = cheapest(
    matrix.filter((c) => c.mistake === DEBUG_DEMO_MISTAKE),
    (c) => c.durationMs / Math.max(1, c.seeds),
  );
  if (!demo) return undefined;
  const config = mistakeConfig(DEBUG_DEMO_MISTAKE);
  const scenario = demo.scenario as ScenarioName;
  return {
    makeNode: referenceRaft(config),
    label: MISTAKE_LABELS[DEBUG_DEMO_MISTAKE],
    yours: false,
    scenario,
    seed: demo.failedSeeds[0],
    replay: replayCommand(scenario, demo.failedSeeds[0]).replace(
      "makeNode",
      `referenceRaft(${JSON.stringify(config).replaceAll('"', "").replaceAll(":", ": ")})`,
    ),
  };
}

export { mistakeConfig, RAFT_MISTAKES, type RaftMistake } from "../protocols/raft/battery.ts";
