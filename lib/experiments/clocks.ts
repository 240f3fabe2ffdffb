/**
 * Experiments of notebook 07 (clock synchronization): a small run annotated with Lamport, vector
 * and hybrid logical clock timestamps; the theorems of those clocks checked against the
 * simulator's ground truth over many random runs; the offset error of two-way synchronization
 * against path asymmetry; and the error of a drifting clock under different polling intervals.
 * Each function takes parsed parameters and returns plain rows; `check…` functions turn rows into
 * claims. The exercise of notebook 11 lives in `clock_exercise.ts` and is re-exported here.
 * @module
 */
import { z } from "zod";
import type { TopLevelSpec } from "vega-lite";
import { parseConfig } from "../sim/errors.ts";
import type { NodeId } from "../sim/types.ts";
import { createCluster } from "../net/cluster.ts";
import {
  type CausalDemoRun,
  type CausalProperty,
  checkCausalRun,
  cristianFactory,
  ntpFactory,
  runCausalDemo,
  runSyncScenario,
  sampleClocks,
  type SyncAlgorithm,
  vectorCompare,
} from "../clocks/mod.ts";
import { spaceTimeDiagram } from "../viz/space_time.ts";
import { type Claim, claim, notApplicable } from "./claims.ts";

export * from "./clock_display.ts";
export * from "./clock_exercise.ts";

/** Parameters of notebook 07. */
export const ClocksParamsSchema = z.object({
  /** Root seed of the small demo and of the physical-clock experiments. */
  seed: z.number().int().default(1),
  /** Nodes of the annotated demo run. */
  demoNodes: z.number().int().min(2).max(6).default(3),
  /** Own actions (sends and local events) per node in the demo run. */
  demoActions: z.number().int().min(1).max(12).default(4),
  /** Random runs checked against ground truth (seeds seed, seed + 1, ...). */
  runs: z.number().int().min(1).max(1000).default(50),
  /** Node counts the random runs cycle through. */
  runNodes: z.array(z.number().int().min(2).max(16)).min(1).default([3, 4, 5, 6]),
  /** Bounds of the random clock drifts (ppm) the runs cycle through. */
  runMaxDriftsPpm: z.array(z.number().min(0).max(100_000)).min(1).default([10, 100, 1000]),
  /** Bounds of the random initial clock offsets (ms) the runs cycle through. */
  runMaxOffsetsMs: z.array(z.number().min(0)).min(1).default([0, 20, 100]),
  /** Own actions per node in each random run. */
  runActions: z.number().int().min(1).max(200).default(20),
  /** Round-trip time of the path to the time server (ms), split into out and back delays. */
  pathRttMs: z.number().positive().default(50),
  /** Path asymmetries to sweep: out − back (ms); |asymmetry| ≤ pathRttMs. */
  asymmetriesMs: z.array(z.number()).min(3).default([-40, -30, -20, -10, 0, 10, 20, 30, 40]),
  /** Drift of the client's clock in the polling experiment (ppm). */
  driftPpm: z.number().min(0).max(10_000).default(100),
  /** Poll intervals to compare (ms of the client's clock). */
  pollIntervalsMs: z.array(z.number().min(100)).min(2).default([2_000, 10_000, 30_000]),
  /** Run length of the physical-clock experiments (ms of true time), 40 000–3 600 000 (past the 30 s settling). */
  durationMs: z.number().min(40_000).max(3_600_000).default(120_000),
}).strict().superRefine((p, ctx) => {
  p.asymmetriesMs.forEach((a, i) => {
    if (Math.abs(a) > p.pathRttMs) {
      ctx.addIssue({
        code: "custom",
        path: ["asymmetriesMs", i],
        message: `|${a}| exceeds pathRttMs (${p.pathRttMs}): a one-way delay would be negative`,
      });
    }
  });
});

/** Parameters as written (every field optional). */
export type ClocksParamsInput = z.input<typeof ClocksParamsSchema>;
/** Parameters with defaults. */
export type ClocksParams = z.output<typeof ClocksParamsSchema>;

/** Parse notebook 07's parameters (a ConfigError names any bad field). */
export function parseClocksParams(input: unknown = {}): ClocksParams {
  return parseConfig(ClocksParamsSchema, input, "clocks parameters");
}

// ---- physical time: drift ------------------------------------------------------------------

/** What a drift rate means over time. */
export interface DriftRow {
  /** Drift rate (parts per million). */
  readonly driftPpm: number;
  /** Where such rates come from. */
  readonly typical: string;
  /** Error gained per minute (ms). */
  readonly msPerMinute: number;
  /** Error gained per day (s). */
  readonly sPerDay: number;
  /** Time until the clock is 1 ms off (s). */
  readonly secondsTo1Ms: number;
}

const TYPICAL: readonly [number, string][] = [
  [0.01, "oven-controlled crystal (OCXO)"],
  [1, "temperature-compensated crystal (TCXO)"],
  [20, "good server crystal"],
  [100, "cheap crystal, hot machine"],
  [500, "defective or badly virtualized clock"],
];

/**
 * A drift rate in ppm converted to errors over time: 1 ppm is 1 µs per second, 86.4 ms per day.
 * @example
 * ```ts
 * driftTable([50])[0].sPerDay; // 4.32
 * ```
 */
export function driftTable(ppms: readonly number[] = TYPICAL.map((t) => t[0])): DriftRow[] {
  return ppms.map((ppm) => ({
    driftPpm: ppm,
    typical: TYPICAL.find((t) => t[0] === ppm)?.[1] ?? "",
    msPerMinute: ppm * 1e-6 * 60_000,
    sPerDay: ppm * 1e-6 * 86_400,
    secondsTo1Ms: 1 / (ppm * 1e-6) / 1000,
  }));
}

/**
 * The error bound of a clock synchronized by a two-way exchange (Cristian 1989): the estimate
 * T + RTT/2 is off by at most RTT/2 − min when it is taken, where min is a known lower bound on
 * each one-way delay (0 when none is known), and the clock then drifts away from the reference
 * at its relative drift rate. `driftPpm` is the drift relative to the server.
 * @example
 * ```ts
 * syncErrorBoundMs(40, 50, 64_000); // 20 + 3.2 = 23.2 ms
 * syncErrorBoundMs(40, 50, 64_000, 15); // 5 + 3.2 = 8.2 ms
 * ```
 */
export function syncErrorBoundMs(
  rttMs: number,
  driftPpm: number,
  sinceSyncMs: number,
  minMs = 0,
): number {
  return Math.max(0, rttMs / 2 - minMs) + Math.abs(driftPpm) * 1e-6 * sinceSyncMs;
}

// ---- (a) a small annotated run --------------------------------------------------------------

/** One event of the demo run, with its three timestamps, flattened for a table. */
export interface DemoEventRow {
  /** `node·k`: the k-th event of the node (k = its own vector entry). */
  readonly event: string;
  readonly node: NodeId;
  /** True time (ms). */
  readonly tMs: number;
  /** "send → n2", "receive ← n0" or "local". */
  readonly what: string;
  /** Lamport time L. */
  readonly L: number;
  /** Vector timestamp, dense, in node order: "(1,0,3)". */
  readonly V: string;
  /** HLC timestamp "(l, c)". */
  readonly hlc: string;
  /** The node's physical clock reading at the event (what the HLC read). */
  readonly ptMs: number;
  /** l − pt (ms): how far the HLC runs ahead of this node's physical clock. */
  readonly hlcAheadMs: number;
}

/** A concurrent pair that Lamport clocks order anyway. */
export interface ConcurrentWitness {
  /** The event with the smaller Lamport time. */
  readonly a: DemoEventRow;
  /** The event with the larger Lamport time. */
  readonly b: DemoEventRow;
  /** What the vector clocks say ("concurrent"). */
  readonly vectorOrder: string;
  /** What the trace's ground truth says. */
  readonly truth: "concurrent" | "before";
}

/** The annotated demo run. */
export interface LogicalDemo {
  /** The underlying run (trace, ground truth, clocks). */
  readonly run: CausalDemoRun;
  /** Node ids in vector order. */
  readonly nodes: readonly NodeId[];
  /** Every event in trace order. */
  readonly events: readonly DemoEventRow[];
  /** The concurrent pair with the largest Lamport gap, or null if the run has none. */
  readonly witness: ConcurrentWitness | null;
  /** The checker's verdict on this run. */
  readonly verdict: ReturnType<typeof checkCausalRun>;
}

function denseVector(v: Readonly<Record<string, number>>, nodes: readonly NodeId[]): string {
  return `(${nodes.map((n) => v[n] ?? 0).join(",")})`;
}

const ms1 = (x: number) => Math.round(x * 10) / 10;

/**
 * A small run of the demo protocol (nodes exchanging notes stamped with all three clocks) over
 * offset, drifting clocks: every event with L, V and HLC, and a concurrent pair Lamport orders.
 */
export function logicalDemo(p: ClocksParams): LogicalDemo {
  const run = runCausalDemo({ seed: p.seed, nodes: p.demoNodes, node: { actions: p.demoActions } });
  const nodes = run.history.nodes;
  const events = run.rows.map((r): DemoEventRow => ({
    event: `${r.node}·${r.vector[r.node] ?? 0}`,
    node: r.node,
    tMs: ms1(r.t),
    what: r.kind === "send"
      ? `send → ${r.peer}`
      : r.kind === "receive"
      ? `receive ← ${r.peer}`
      : "local",
    L: r.lamport,
    V: denseVector(r.vector, nodes),
    hlc: `(${r.hlcL}, ${r.hlcC})`,
    ptMs: r.ptMs,
    hlcAheadMs: r.hlcL - r.ptMs,
  }));
  let witness: ConcurrentWitness | null = null;
  let gap = 0;
  for (let j = 0; j < run.rows.length; j++) {
    for (let i = 0; i < j; i++) {
      const [x, y] = [run.rows[i], run.rows[j]];
      if (x.lamport === y.lamport) continue;
      if (run.history.order(run.events[i], run.events[j]) !== "concurrent") continue;
      const [a, b] = x.lamport < y.lamport ? [i, j] : [j, i];
      const g = Math.abs(x.lamport - y.lamport);
      if (g > gap) {
        gap = g;
        witness = {
          a: events[a],
          b: events[b],
          vectorOrder: vectorCompare(run.rows[a].vector, run.rows[b].vector),
          truth: "concurrent",
        };
      }
    }
  }
  return { run, nodes, events, witness, verdict: checkCausalRun(run) };
}

type LayerSpec = Extract<TopLevelSpec, { layer: unknown }>;

/**
 * The demo run as a Lamport space-time diagram (time flows down, one lane per node), with each
 * event's Lamport time and vector timestamp written beside it.
 */
export function annotatedSpaceTime(demo: LogicalDemo): TopLevelSpec {
  const lanes = new Map(demo.nodes.map((n, i) => [n, i]));
  const ts = demo.events.map((e) => e.tMs);
  const lo = Math.min(...ts), hi = Math.max(...ts);
  const pad = Math.max(2, (hi - lo) * 0.04);
  // labels are ~12 px tall: give the closest two events of one lane at least that much room
  let minGap = Infinity;
  for (const n of demo.nodes) {
    const mine = demo.events.filter((e) => e.node === n).map((e) => e.tMs);
    for (let i = 1; i < mine.length; i++) minGap = Math.min(minGap, mine[i] - mine[i - 1]);
  }
  const span = hi - lo + 2 * pad;
  const timeSize = Math.round(Math.min(1000, Math.max(420, (13 * span) / Math.max(minGap, 0.5))));
  const spec = spaceTimeDiagram(demo.run.sim.trace.records, {
    nodes: demo.nodes,
    fromMs: Math.floor(lo - pad),
    toMs: Math.ceil(hi + pad),
    timers: false,
    laneSize: 210,
    timeSize,
    title: "Lamport diagram of the demo run: L and V beside every event",
  }) as LayerSpec;
  const labels = demo.events.map((e) => ({
    lane: lanes.get(e.node)!,
    t: e.tMs,
    label: `${e.event}  L=${e.L}  V=${e.V}`,
  }));
  const layer: LayerSpec["layer"][number] = {
    name: "timestamps",
    data: { values: labels },
    mark: { type: "text", align: "left", dx: 8, fontSize: 10, color: "#222222", aria: false },
    encoding: {
      x: { field: "lane", type: "quantitative" },
      y: { field: "t", type: "quantitative" },
      text: { field: "label" },
    },
  };
  // draw the event marks under the messages, so arrowheads stay visible where a send or a
  // receive sits on the arrow's end
  const events = spec.layer.filter((l) => l.name === "local events");
  const rest = spec.layer.filter((l) => l.name !== "local events");
  return { ...spec, layer: [rest[0], ...events, ...rest.slice(1), layer] };
}

/** Claims about the demo run. */
export function checkLogicalDemo(demo: LogicalDemo): Claim[] {
  const v = demo.verdict;
  const w = demo.witness;
  return [
    claim(
      "every clock property holds on the demo run (Lamport, vector, HLC)",
      v.ok,
      v.ok
        ? `${v.stats.events} events, ${v.stats.orderedPairs} ordered pairs`
        : v.violations[0].message,
    ),
    claim(
      "Lamport clocks order some concurrent events (the converse of the clock condition fails)",
      w !== null && w.vectorOrder === "concurrent",
      w
        ? `${w.a.event} (L=${w.a.L}) and ${w.b.event} (L=${w.b.L}): vectors ${w.a.V} and ${w.b.V} are ${w.vectorOrder}`
        : "no concurrent pair with different L",
    ),
    claim(
      "each node's own vector entry counts its events",
      demo.events.every((e, i) =>
        e.event ===
          `${e.node}·${demo.events.slice(0, i + 1).filter((x) => x.node === e.node).length}`
      ),
      `${demo.events.length} events`,
    ),
  ];
}

// ---- (b) many random runs -------------------------------------------------------------------

/** One random run checked against ground truth. */
export interface CausalRunRow {
  readonly seed: number;
  readonly nodes: number;
  readonly maxDriftPpm: number;
  readonly maxOffsetMs: number;
  /** Stamp events. */
  readonly events: number;
  /** Pairs of distinct events (each compared by the vector check). */
  readonly pairs: number;
  /** Pairs related by happens-before (each checked for L(a) < L(b) and HLC(a) < HLC(b)). */
  readonly orderedPairs: number;
  /** Concurrent pairs. */
  readonly concurrentPairs: number;
  /** Concurrent pairs whose Lamport times differ: Lamport suggests an order causality lacks. */
  readonly lamportOrderedConcurrent: number;
  /** Properties violated (names); empty when all hold. */
  readonly violated: readonly CausalProperty[];
  /** First violation message, if any. */
  readonly firstViolation: string | null;
  /** Largest HLC counter c. */
  readonly maxC: number;
  /** Largest l − pt (ms). */
  readonly maxLMinusPtMs: number;
  /** The run's ε: largest difference of two nodes' physical clocks at any event (ms). */
  readonly epsilonMs: number;
}

/** The configuration of random run i: seed, nodes, drift and offset bounds cycle independently. */
export function randomRunConfig(p: ClocksParams, i: number) {
  const n = p.runNodes, d = p.runMaxDriftsPpm, o = p.runMaxOffsetsMs;
  return {
    seed: p.seed + i,
    nodes: n[i % n.length],
    maxDriftPpm: d[Math.floor(i / n.length) % d.length],
    maxOffsetMs: o[Math.floor(i / (n.length * d.length)) % o.length],
  };
}

/**
 * Run the demo protocol on `runs` seeds with varied nodes, drifts and offsets and check every
 * clock property against the trace's happens-before relation.
 */
export function randomRunChecks(
  p: ClocksParams,
  options: { mistake?: "none" | keyof typeof MISTAKE_PROPERTY } = {},
): CausalRunRow[] {
  const rows: CausalRunRow[] = [];
  for (let i = 0; i < p.runs; i++) rows.push(randomRunCheck(p, i, options));
  return rows;
}

/** Run `i` of {@link randomRunChecks} alone (so a notebook can show progress between runs). */
export function randomRunCheck(
  p: ClocksParams,
  i: number,
  options: { mistake?: "none" | keyof typeof MISTAKE_PROPERTY } = {},
): CausalRunRow {
  {
    const c = randomRunConfig(p, i);
    const run = runCausalDemo({
      ...c,
      node: { actions: p.runActions, mistake: options.mistake ?? "none" },
    });
    const v = checkCausalRun(run);
    return {
      ...c,
      events: v.stats.events,
      pairs: v.stats.pairs,
      orderedPairs: v.stats.orderedPairs,
      concurrentPairs: v.stats.concurrentPairs,
      lamportOrderedConcurrent: v.stats.lamportOrderedConcurrentPairs,
      violated: v.violated,
      firstViolation: v.violations[0]?.message ?? null,
      maxC: v.stats.maxC,
      maxLMinusPtMs: v.stats.maxLMinusPtMs,
      epsilonMs: v.stats.epsilonMs,
    };
  }
}

/** Share of event pairs by relation, per node count (for a bar chart). */
export interface PairShareRow {
  readonly nodes: string;
  readonly relation: string;
  /** Percent of all pairs of runs with this node count (one decimal). */
  readonly percent: number;
  readonly pairs: number;
}

/** Relation labels of {@link pairShares}, in legend order. */
export const PAIR_RELATIONS = [
  "a → b or b → a",
  "a ∥ b, L differs",
  "a ∥ b, L equal",
] as const;

/** Pairs by relation per node count: how much of what Lamport orders is real causality. */
export function pairShares(rows: readonly CausalRunRow[]): PairShareRow[] {
  const out: PairShareRow[] = [];
  const counts = [...new Set(rows.map((r) => r.nodes))].sort((a, b) => a - b);
  for (const n of counts) {
    const g = rows.filter((r) => r.nodes === n);
    const sum = (f: (r: CausalRunRow) => number) => g.reduce((s, r) => s + f(r), 0);
    const total = sum((r) => r.pairs);
    const parts = [
      sum((r) => r.orderedPairs),
      sum((r) => r.lamportOrderedConcurrent),
      sum((r) => r.concurrentPairs - r.lamportOrderedConcurrent),
    ];
    parts.forEach((pairs, k) =>
      out.push({
        nodes: `${n} nodes`,
        relation: PAIR_RELATIONS[k],
        percent: total ? Math.round((1000 * pairs) / total) / 10 : 0,
        pairs,
      })
    );
  }
  return out;
}

/** HLC's distance from physical time per run, with the bound, for {@link pointsOverLine}. */
export function hlcBoundRows(rows: readonly CausalRunRow[]): {
  line: { epsilonMs: number; aheadMs: number; series: string }[];
  points: { epsilonMs: number; aheadMs: number; series: string; seed: number }[];
} {
  const hi = Math.max(1, ...rows.map((r) => r.epsilonMs));
  const bound = "bound: l − pt ≤ ε";
  return {
    line: [
      { epsilonMs: 0, aheadMs: 0, series: bound },
      { epsilonMs: hi, aheadMs: hi, series: bound },
    ],
    points: rows.map((r) => ({
      epsilonMs: r.epsilonMs,
      aheadMs: r.maxLMinusPtMs,
      series: "max l − pt of a run",
      seed: r.seed,
    })),
  };
}

/** Claims over the random runs: the three clocks' theorems, with the counts checked. */
export function checkRandomRuns(rows: readonly CausalRunRow[]): Claim[] {
  const sum = (f: (r: CausalRunRow) => number) => rows.reduce((s, r) => s + f(r), 0);
  const bad = (prop: CausalProperty) => rows.filter((r) => r.violated.includes(prop));
  const first = (prop: CausalProperty) => bad(prop)[0]?.firstViolation ?? "";
  const events = sum((r) => r.events), pairs = sum((r) => r.pairs);
  const ordered = sum((r) => r.orderedPairs), conc = sum((r) => r.concurrentPairs);
  const lconc = sum((r) => r.lamportOrderedConcurrent);
  const maxC = Math.max(...rows.map((r) => r.maxC));
  const worstRatio = Math.max(
    ...rows.map((r) => (r.epsilonMs > 0 ? r.maxLMinusPtMs / r.epsilonMs : r.maxLMinusPtMs)),
  );
  const verdict = (prop: CausalProperty, ok: string) =>
    bad(prop).length === 0 ? ok : `${bad(prop).length} runs violate it; first: ${first(prop)}`;
  const hlcProps: CausalProperty[] = ["hlcAbovePhysical", "hlcSkewBound", "hlcOrigin"];
  const hlcBad = rows.filter((r) => r.violated.some((v) => hlcProps.includes(v)));
  return [
    claim(
      "clock condition: a → b ⇒ L(a) < L(b)",
      bad("lamportClockCondition").length === 0,
      verdict(
        "lamportClockCondition",
        `${ordered.toLocaleString("en-US")} ordered pairs in ${rows.length} runs, 0 violations`,
      ),
    ),
    claim(
      "vector clocks decide happens-before exactly (V(a) < V(b) ⇔ a → b; incomparable ⇔ concurrent)",
      bad("vectorExact").length === 0,
      verdict(
        "vectorExact",
        `${
          pairs.toLocaleString("en-US")
        } pairs compared with the trace's ground truth, 0 mismatches`,
      ),
    ),
    claim(
      "HLC keeps the clock condition: a → b ⇒ (l, c)(a) < (l, c)(b)",
      bad("hlcClockCondition").length === 0,
      verdict(
        "hlcClockCondition",
        `${ordered.toLocaleString("en-US")} ordered pairs, 0 violations`,
      ),
    ),
    claim(
      "HLC stays within the clock skew of physical time: pt ≤ l ≤ pt + ε at every event",
      hlcBad.length === 0,
      hlcBad.length === 0
        ? `${events.toLocaleString("en-US")} events; worst (l − pt)/ε of a run ${
          worstRatio.toFixed(2)
        }`
        : `${hlcBad.length} runs violate it; first: ${hlcBad[0].firstViolation}`,
    ),
    claim(
      "HLC's counter stays tiny (fits the 16 bits a 64-bit HLC gives it)",
      maxC < 2 ** 16 && bad("hlcCounterBound").length === 0,
      `largest c over all runs: ${maxC}`,
    ),
    claim(
      "the converse fails: Lamport times differ for most concurrent pairs",
      lconc > 0 && lconc / conc > 0.5,
      `${lconc.toLocaleString("en-US")} of ${conc.toLocaleString("en-US")} concurrent pairs (${
        ((100 * lconc) / conc).toFixed(1)
      }%) have L(a) < L(b) or L(b) < L(a)`,
    ),
  ];
}

/** The property each classic mistake of the demo breaks. */
export const MISTAKE_PROPERTY = {
  lamportNoMerge: "lamportClockCondition",
  vectorNoMerge: "vectorExact",
  hlcNoMerge: "hlcClockCondition",
  hlcCounterReset: "hlcClockCondition",
} as const satisfies Record<string, CausalProperty>;

/** One classic mistake and what the checker made of it. */
export interface MistakeRow {
  readonly mistake: keyof typeof MISTAKE_PROPERTY;
  /** The property the mistake should break. */
  readonly property: CausalProperty;
  /** Runs (of `runs`) in which the checker found a violation of that property. */
  readonly caught: number;
  readonly runs: number;
  /** The first witness. */
  readonly witness: string;
}

/** Offset bound (ms) of the mistake runs: clocks must disagree by more than a transit time. */
export const MISTAKE_MAX_OFFSET_MS = 100;

/**
 * Switch on each classic mistake of the demo node and see the checker catch it, on `runs` seeds
 * with clock offsets of up to {@link MISTAKE_MAX_OFFSET_MS} (or the largest offset bound of the
 * parameters, if larger) and the largest drift bound: a missing HLC merge only shows when one
 * node's clock is behind another's by more than a message's transit time.
 */
export function mistakesCaught(p: ClocksParams, runs = 10): MistakeRow[] {
  const q: ClocksParams = {
    ...p,
    runs,
    runMaxDriftsPpm: [Math.max(...p.runMaxDriftsPpm)],
    runMaxOffsetsMs: [Math.max(MISTAKE_MAX_OFFSET_MS, ...p.runMaxOffsetsMs)],
  };
  return (Object.keys(MISTAKE_PROPERTY) as (keyof typeof MISTAKE_PROPERTY)[]).map((mistake) => {
    const rows = randomRunChecks(q, { mistake });
    const property = MISTAKE_PROPERTY[mistake];
    const hit = rows.filter((r) => r.violated.includes(property));
    return {
      mistake,
      property,
      caught: hit.length,
      runs: rows.length,
      witness: hit[0]?.firstViolation?.replace(/ \(seed=.*$/, "") ?? "",
    };
  });
}

/** Claim: a checker with teeth catches every classic mistake. */
export function checkMistakesCaught(rows: readonly MistakeRow[]): Claim[] {
  return rows.map((r) =>
    claim(
      `the checker catches "${r.mistake}" (breaks ${r.property})`,
      r.caught > 0,
      `caught in ${r.caught} of ${r.runs} runs`,
    )
  );
}

// ---- (c) offset error against path asymmetry -----------------------------------------------

/** One algorithm on one asymmetric path. */
export interface AsymmetryRow {
  readonly algorithm: string;
  /** out − back (ms). */
  readonly asymmetryMs: number;
  /** One-way delay client → server (ms). */
  readonly outMs: number;
  /** One-way delay server → client (ms). */
  readonly backMs: number;
  /** Mean signed error corrected − true of the clients after settling (ms). */
  readonly measuredErrorMs: number;
  /** Theory: (out − back) / 2. */
  readonly predictedErrorMs: number;
  /** Mean round trip the clients measured (ms): the same for every asymmetry. */
  readonly measuredRttMs: number;
}

/** Drift bound of the asymmetry sweep's clients (the harness default, 50 ppm). */
const ASYM_MAX_DRIFT = 50e-6;
/** Poll interval of the asymmetry sweep's clients (the factories' default, 10 s). */
const ASYM_POLL_MS = 10_000;

/** Settling time of the physical-clock experiments (ms). */
export const SETTLE_MS = 30_000;

/**
 * Cristian and NTP clients (2, with random offsets and drifts within ±50 ppm) against a server on
 * paths of fixed round trip `pathRttMs` split unevenly: out = (RTT + a)/2, back = (RTT − a)/2.
 */
export function asymmetrySweep(p: ClocksParams): AsymmetryRow[] {
  const algorithms: SyncAlgorithm[] = [
    { name: "cristian", factory: cristianFactory() as SyncAlgorithm["factory"] },
    { name: "ntp", factory: ntpFactory() as SyncAlgorithm["factory"] },
  ];
  const rows: AsymmetryRow[] = [];
  for (const a of p.asymmetriesMs) {
    const outMs = (p.pathRttMs + a) / 2, backMs = (p.pathRttMs - a) / 2;
    for (const alg of algorithms) {
      const run = runSyncScenario(alg, {
        nodes: 3,
        durationMs: p.durationMs,
        settleMs: SETTLE_MS,
        variants: ["asymmetric"],
        asymmetric: { outMs, backMs },
      }, { variant: "asymmetric", seed: p.seed });
      const steady = run.samples.filter((r) => r.tMs >= SETTLE_MS && r.node !== "n0");
      const rtts = run.events.map((e) => (e.event.rttMs ?? e.event.delayMs) as number | undefined)
        .filter((x): x is number => typeof x === "number");
      rows.push({
        algorithm: alg.name,
        asymmetryMs: a,
        outMs,
        backMs,
        measuredErrorMs: steady.reduce((s, r) => s + r.errorMs, 0) / steady.length,
        predictedErrorMs: a / 2,
        measuredRttMs: rtts.reduce((s, x) => s + x, 0) / rtts.length,
      });
    }
  }
  return rows;
}

/** Least-squares slope of y on x. */
export function slope(xs: readonly number[], ys: readonly number[]): number {
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n, my = ys.reduce((a, b) => a + b, 0) / n;
  let sxy = 0, sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (xs[i] - mx) * (ys[i] - my);
    sxx += (xs[i] - mx) ** 2;
  }
  return sxy / sxx;
}

/**
 * Claims: the measured error is half the asymmetry (within half the drift a client accumulates
 * before its next applied sample: 50 ppm × 10 s for Cristian, up to 8 polls for NTP, whose clock
 * filter may keep an older sample), and the measured round trip does not change with the
 * asymmetry, so no two-way protocol can see it.
 */
export function checkAsymmetry(rows: readonly AsymmetryRow[], p: ClocksParams): Claim[] {
  const out: Claim[] = [];
  for (const alg of [...new Set(rows.map((r) => r.algorithm))]) {
    const g = rows.filter((r) => r.algorithm === alg);
    const dev = Math.max(...g.map((r) => Math.abs(r.measuredErrorMs - r.predictedErrorMs)));
    // a client drifts (±50 ppm here) between applied samples and its mean error moves by up to
    // half of that: one 10 s poll for Cristian, up to the filter's 8 polls for NTP
    const tol = ASYM_MAX_DRIFT * ASYM_POLL_MS * (alg === "ntp" ? 8 : 1) / 2 + 0.1;
    const s = slope(g.map((r) => r.asymmetryMs), g.map((r) => r.measuredErrorMs));
    out.push(
      claim(
        `${alg}: measured error = (out − back)/2 at every asymmetry`,
        dev <= tol && Math.abs(s - 0.5) < 0.02,
        `largest |measured − predicted| ${dev.toFixed(3)} ms over ${g.length} asymmetries ` +
          `(allowed ${tol.toFixed(2)}); slope ${s.toFixed(4)} (theory 0.5)`,
      ),
    );
    // the sign follows the asymmetry: a slower request (out > back) means the server's reading
    // is only `back` old on arrival, younger than RTT/2, so adding RTT/2 sets the clock ahead
    const signed = g.filter((r) => Math.abs(r.predictedErrorMs) > tol);
    out.push(
      signed.length === 0
        ? notApplicable(
          `${alg}: a slower request sets the clock ahead, a slower reply behind`,
          `no asymmetry here moves the error by more than the drift allowance ${tol.toFixed(2)} ms`,
        )
        : claim(
          `${alg}: a slower request (out > back) sets the clock ahead, a slower reply behind`,
          signed.every((r) => Math.sign(r.measuredErrorMs) === Math.sign(r.asymmetryMs)),
          signed.map((r) =>
            `${r.asymmetryMs > 0 ? "+" : ""}${r.asymmetryMs} → ${
              r.measuredErrorMs >= 0 ? "+" : ""
            }${r.measuredErrorMs.toFixed(2)}`
          ).join(", ") + " ms",
        ),
    );
    const rtts = g.map((r) => r.measuredRttMs);
    const spread = Math.max(...rtts) - Math.min(...rtts);
    out.push(
      claim(
        `${alg}: the measured round trip is ${p.pathRttMs} ms whatever the asymmetry`,
        spread < 0.1 && Math.abs(rtts[0] - p.pathRttMs) < 0.1,
        `RTT ${Math.min(...rtts).toFixed(3)}–${Math.max(...rtts).toFixed(3)} ms`,
      ),
    );
  }
  return out;
}

// ---- (d) error over time under drift, by poll interval --------------------------------------

/** One reading of the drifting client's clock. */
export interface PollErrorRow {
  /** True time (s). */
  readonly tS: number;
  readonly pollIntervalMs: number;
  /** Legend label ("poll every 10 s"). */
  readonly poll: string;
  /** corrected − true (ms). */
  readonly errorMs: number;
  readonly absErrorMs: number;
  /** Cristian's bound at this instant: RTT/2 − min + drift × time since the last sync (ms). */
  readonly boundMs: number;
}

/** One poll interval's summary. */
export interface PollSummaryRow {
  readonly pollIntervalMs: number;
  readonly poll: string;
  /** Largest |error| read (ms). */
  readonly maxAbsErrorMs: number;
  /** Theory: drift × sync period, the period being the poll interval plus one RTT (ms). */
  readonly predictedMaxMs: number;
  /** Median |step| of the corrections after the first (ms): the error just before each sync. */
  readonly medianStepMs: number;
  /** Readings above the bound RTT/2 − min + drift × time since sync. */
  readonly boundViolations: number;
  readonly readings: number;
  /** Messages per minute (requests and replies). */
  readonly messagesPerMinute: number;
}

/** The result of {@link pollIntervalDrift}. */
export interface PollDrift {
  readonly rows: readonly PollErrorRow[];
  readonly summary: readonly PollSummaryRow[];
}

const pollLabel = (ms: number) => `poll every ${ms >= 1000 ? `${ms / 1000} s` : `${ms} ms`}`;

/**
 * A client whose clock drifts `driftPpm` fast synchronizes with an exact server by Cristian's
 * algorithm over a symmetric, constant path (RTT = pathRttMs), once per poll interval. Readings
 * every 250 ms of true time.
 */
export function pollIntervalDrift(
  p: ClocksParams,
  options: { ignoreDelay?: boolean } = {},
): PollDrift {
  const drift = p.driftPpm * 1e-6;
  const rows: PollErrorRow[] = [];
  const summary: PollSummaryRow[] = [];
  for (const poll of p.pollIntervalsMs) {
    const { sim } = createCluster<unknown>({
      seed: p.seed,
      nodes: 2,
      factory: cristianFactory({ pollIntervalMs: poll, ignoreDelay: options.ignoreDelay }) as never,
      network: { latency: { kind: "constant", ms: p.pathRttMs / 2 } },
      clocks: { n1: { offsetMs: 0, drift } },
      trace: { mode: "off" },
    });
    const samples = sampleClocks(sim, { everyMs: 250, untilMs: p.durationMs, nodes: ["n1"] });
    const syncs = sim.events.filter((e) => e.event.type === "sync");
    let k = -1, violations = 0, maxAbs = 0;
    for (const s of samples) {
      while (k + 1 < syncs.length && syncs[k + 1].t <= s.tMs) k++;
      const rtt = k >= 0 ? (syncs[k].event.rttMs as number) : 0;
      const since = k >= 0 ? s.tMs - syncs[k].t : s.tMs;
      // Cristian 1989: |error| ≤ RTT/2 − min at the sync, then grows at the relative drift rate.
      // Both one-way delays are known to be pathRttMs/2 here, so only the drift term is left
      // (and RTT measured on the drifting clock, off by drift × RTT).
      const boundMs = syncErrorBoundMs(rtt, p.driftPpm, since, p.pathRttMs / 2) + 1e-6;
      const abs = Math.abs(s.errorMs);
      if (abs > boundMs) violations++;
      maxAbs = Math.max(maxAbs, abs);
      rows.push({
        tS: s.tMs / 1000,
        pollIntervalMs: poll,
        poll: pollLabel(poll),
        errorMs: s.errorMs,
        absErrorMs: abs,
        boundMs,
      });
    }
    const steps = syncs.slice(1).map((e) => Math.abs(e.event.stepMs as number)).sort((a, b) =>
      a - b
    );
    summary.push({
      pollIntervalMs: poll,
      poll: pollLabel(poll),
      maxAbsErrorMs: maxAbs,
      // Cristian re-arms its poll timer when the reply is in: one sync per poll + RTT
      predictedMaxMs: drift * (poll / (1 + drift) + p.pathRttMs),
      medianStepMs: steps.length ? steps[Math.floor(steps.length / 2)] : NaN,
      boundViolations: violations,
      readings: samples.length,
      messagesPerMinute: sim.stats.sent / (p.durationMs / 60_000),
    });
  }
  return { rows, summary };
}

/**
 * Claims: the largest error is drift × (poll interval + RTT) (Cristian re-arms its timer when the
 * reply is in), within the RTT the client measures on its own drifting clock (off by drift × RTT,
 * so its estimate is off by drift × RTT/2) and the 250 ms between readings; the correction applied
 * at each poll equals it; the bound RTT/2 − min + drift × time since sync is never exceeded; and shorter
 * polls give smaller errors at a proportionally higher message cost.
 */
export function checkPollIntervalDrift(r: PollDrift, p: ClocksParams): Claim[] {
  const s = [...r.summary].sort((a, b) => a.pollIntervalMs - b.pollIntervalMs);
  const drift = p.driftPpm * 1e-6;
  const measurement = drift * p.pathRttMs / 2 + 1e-6;
  const sampling = drift * 250;
  const out: Claim[] = s.map((x) =>
    x.pollIntervalMs + p.pathRttMs > p.durationMs / 2
      ? notApplicable(
        `${x.poll}: max |error| ≈ drift × (poll + RTT)`,
        `fewer than two syncs in a ${p.durationMs / 1000} s run`,
      )
      : claim(
        `${x.poll}: max |error| ≈ drift × (poll + RTT) = ${x.predictedMaxMs.toFixed(3)} ms`,
        x.maxAbsErrorMs <= x.predictedMaxMs * 1.02 + measurement &&
          x.maxAbsErrorMs >= x.predictedMaxMs - sampling - measurement &&
          Math.abs(x.medianStepMs - x.predictedMaxMs) <= 0.02 * x.predictedMaxMs + measurement,
        `max read ${x.maxAbsErrorMs.toFixed(3)} ms; median correction per poll ${
          x.medianStepMs.toFixed(3)
        } ms`,
      )
  );
  const violations = s.reduce((a, x) => a + x.boundViolations, 0);
  const readings = s.reduce((a, x) => a + x.readings, 0);
  out.push(
    claim(
      "|error| ≤ RTT/2 − min + drift × time since the last sync at every reading " +
        `(min = ${p.pathRttMs / 2} ms each way, known, so the bound is the drift term alone)`,
      violations === 0,
      `${violations} of ${readings} readings above the bound`,
    ),
  );
  const monotone = s.every((x, i) => i === 0 || x.maxAbsErrorMs > s[i - 1].maxAbsErrorMs);
  out.push(
    p.driftPpm === 0 || s.some((x) => x.pollIntervalMs + p.pathRttMs > p.durationMs / 2)
      ? notApplicable(
        "shorter polling gives smaller error",
        p.driftPpm === 0
          ? "no drift: every poll interval gives zero error"
          : "too few syncs per run",
      )
      : claim(
        "shorter polling gives smaller error",
        monotone,
        s.map((x) => `${x.pollIntervalMs / 1000} s → ${x.maxAbsErrorMs.toFixed(2)} ms`).join(", "),
      ),
  );
  // 2 messages per sync period; the run's edges may add or cut one exchange
  const minutes = p.durationMs / 60_000;
  const expected = (x: PollSummaryRow) =>
    2 * 60_000 / (x.pollIntervalMs / (1 + drift) + p.pathRttMs);
  out.push(
    claim(
      "…and costs proportionally more messages (2 per poll + RTT)",
      s.every((x) => Math.abs(x.messagesPerMinute - expected(x)) * minutes <= 2),
      s.map((x) =>
        `${x.pollIntervalMs / 1000} s → ${x.messagesPerMinute.toFixed(1)}/min (theory ${
          expected(x).toFixed(1)
        })`
      ).join(", "),
    ),
  );
  return out;
}
