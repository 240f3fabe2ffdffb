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
  RAFT_MISTAKES,
  raftBattery,
  type RaftMistake,
  referenceRaft,
  SCENARIO_NAMES,
  SCENARIOS,
} from "../protocols/raft/battery.ts";
import type { RaftConfigInput } from "../protocols/raft/config.ts";
import { type RaftBreach, RaftInvariants } from "../protocols/raft/invariants.ts";
import type { RaftMessage } from "../protocols/raft/messages.ts";
import { RaftNode } from "../protocols/raft/node.ts";
import type { NodeId, TraceRecord } from "../sim/types.ts";
import { type StateInterval, stateIntervalsFromTrace } from "../viz/timeline.ts";
import type { TopLevelSpec } from "vega-lite";
import { heatmap } from "../viz/tables.ts";
import { type Claim, claim } from "./claims.ts";
import type { ProgressSink } from "./raft_figure16.ts";
import type { RaftExerciseParams } from "./raft_params.ts";

/** Short names of the mistakes, for chart columns. */
export const MISTAKE_LABELS: Readonly<Record<RaftMistake, string>> = {
  mistakeCommitPreviousTermByCounting: "old-term commit",
  mistakeVoteWithoutUpToDateCheck: "no log check",
  mistakeVolatileVotedFor: "volatile votedFor",
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
      referenceRaft({ [m]: true }),
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

/** The battery's verdicts on the reference and on the mistakes. */
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
  for (const m of RAFT_MISTAKES) {
    const caught = cells.filter((c) => c.mistake === m && c.failed > 0);
    claims.push(claim(
      `the battery catches "${MISTAKE_LABELS[m]}"`,
      caught.length > 0,
      caught.length
        ? `caught by ${caught.map((c) => c.scenario).join(", ")}`
        : "no scenario failed",
    ));
  }
  return claims;
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
