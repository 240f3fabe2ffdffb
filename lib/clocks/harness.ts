/**
 * A scoring harness for physical clock synchronization. Any algorithm written against the
 * {@link SyncNodeFactory} interface (a node exposing `correctedNowMs()`) runs on the same seeds,
 * clocks and networks as the built-in ones and is scored on accuracy against true time,
 * agreement between nodes, message cost, and two stresses: an asymmetric path and a clock jump.
 *
 * The scenario, for every seed:
 * - nodes n0..n{k−1}; n0 holds the reference clock (true time: offset 0, drift 0) and is the
 *   time server or master of every algorithm; the others start with offsets uniform in
 *   ±maxInitialOffsetMs and drifts uniform in ±maxDriftPpm, drawn from the seed's "clocks"
 *   stream, so every algorithm faces the same clocks;
 * - variant "baseline": every link has `latency`;
 * - variant "asymmetric": links between n0 and each other node take a constant `outMs` towards
 *   n0 and `backMs` from it (no two-way protocol can tell this from a clock offset);
 * - variant "jump": at `jump.atMs` the nemesis steps `jump.node`'s raw clock by `jump.deltaMs`;
 * - variant "loss": as baseline, and every message is lost with probability `loss.ratio`;
 * - variant "spikes": as baseline, and a share `spikes.ratio` of messages is delayed by a further
 *   `spikes.extraMs` (a queue building up): what a filter on the round trip is for;
 * - variant "drift": as baseline with drifts uniform in ±`drift.maxDriftPpm` (the same draws,
 *   scaled): what a frequency discipline is for.
 *
 * Scores (one row per algorithm × variant × seed), from clock readings every `sampleEveryMs`:
 * - error is measured on the synchronized nodes n1..n{k−1}: the reference n0 is exact for
 *   client–server algorithms and would only dilute the mean (where an algorithm moves n0, as
 *   Berkeley does, its clock still shows up in the skew);
 * - the steady state is every reading at or after `settleMs`, the same for all algorithms;
 *   max and mean |corrected − true| there, and the largest spread between any two nodes'
 *   corrected clocks (n0 included) at one instant (internal synchronization, Berkeley's goal);
 * - convergence point: the first reading time after which every synchronized node stays within
 *   `toleranceMs` of true time up to the end (up to the jump in the "jump" variant), or null;
 * - messages per node per minute of true time;
 * - recovery (variant "jump"): time from the jump until the jumped node is back within its own
 *   pre-jump envelope (its max |error| between settleMs and the jump, plus toleranceMs) for
 *   good, or null if it never is.
 * @module
 */
import { group } from "d3-array";
import { z } from "zod";
import type { NodeId } from "../sim/types.ts";
import { ConfigError, parseConfig } from "../sim/errors.ts";
import type { EmittedEvent, Simulation } from "../sim/simulation.ts";
import { Rng } from "../sim/rng.ts";
import { createCluster } from "../net/cluster.ts";
import { LatencySchema } from "../net/latency.ts";
import type { SyncNodeFactory } from "./discipline.ts";
import { type ClockSampleRow, sampleClocks } from "./sampling.ts";
import { cristianFactory, naiveFactory } from "./cristian.ts";
import { berkeleyFactory } from "./berkeley.ts";
import { ntpFactory } from "./ntp.ts";
import { freeRunningFactory } from "./free_running.ts";

/** The node holding the reference clock: the server or master of every algorithm. */
const REFERENCE = "n0";

/** A scenario variant. */
export type SyncVariant = "baseline" | "asymmetric" | "jump" | "loss" | "spikes" | "drift";

/** Every variant, in report order. */
export const SYNC_VARIANTS: readonly SyncVariant[] = [
  "baseline",
  "asymmetric",
  "jump",
  "loss",
  "spikes",
  "drift",
];

/** The three classic variants (the default of a scenario's `variants`). */
export const CLASSIC_SYNC_VARIANTS: readonly SyncVariant[] = ["baseline", "asymmetric", "jump"];

/** Scenario parameters of the harness (zod, with defaults). */
export const SyncScenarioSchema = z.object({
  /** Seeds; every algorithm runs on each. Default [1, 2, 3]. */
  seeds: z.array(z.number().int()).min(1).default([1, 2, 3]),
  /** Number of nodes, the reference n0 included. Default 5. */
  nodes: z.number().int().min(2).max(64).default(5),
  /** Run length in true time. Default 180 000 ms. */
  durationMs: z.number().positive().default(180_000),
  /** True time between clock readings. Default 250 ms. */
  sampleEveryMs: z.number().positive().default(250),
  /** Start of the steady state (the same for every algorithm). Default 30 000 ms. */
  settleMs: z.number().min(0).default(30_000),
  /** |error| within which a node counts as converged. Default 10 ms. */
  toleranceMs: z.number().positive().default(10),
  /** Initial offsets of non-reference clocks are uniform in ± this. Default 200 ms. */
  maxInitialOffsetMs: z.number().min(0).default(200),
  /** Drifts of non-reference clocks are uniform in ± this (ppm). Default 50. */
  maxDriftPpm: z.number().min(0).max(100_000).default(50),
  /** Latency of every link (baseline). Default uniform 2–12 ms. */
  latency: LatencySchema.default({ kind: "uniform", minMs: 2, maxMs: 12 }),
  /** Message loss probability. Default 0. */
  lossRatio: z.number().min(0).max(1).default(0),
  /** The "asymmetric" variant's one-way latencies to (out) and from (back) the reference n0. */
  asymmetric: z.object({
    /** Any node → n0. Default 40 ms. */
    outMs: z.number().min(0).default(40),
    /** n0 → any node. Default 4 ms. */
    backMs: z.number().min(0).default(4),
  }).strict().prefault({}),
  /** The "jump" variant's clock step. */
  jump: z.object({
    /** When (true time). Default 125 000 ms (mid-way between two 10 s polls). */
    atMs: z.number().min(0).default(125_000),
    /** Whose raw clock jumps. Default "n1". */
    node: z.string().min(1).default("n1"),
    /** By how much. Default +1 000 ms. */
    deltaMs: z.number().finite().default(1_000),
  }).strict().prefault({}),
  /** The "loss" variant. */
  loss: z.object({
    /** Probability that a message is lost. Default 0.3. */
    ratio: z.number().min(0).max(0.9).default(0.3),
  }).strict().prefault({}),
  /** The "spikes" variant (the baseline latency must be uniform or constant). */
  spikes: z.object({
    /** Share of messages delayed by a spike. Default 0.1. */
    ratio: z.number().min(0).max(0.5).default(0.1),
    /** The extra delay of a spiked message (ms). Default 100. */
    extraMs: z.number().min(0).default(100),
  }).strict().prefault({}),
  /** The "drift" variant. */
  drift: z.object({
    /** Drifts of non-reference clocks are uniform in ± this (ppm). Default 500. */
    maxDriftPpm: z.number().min(0).max(100_000).default(500),
  }).strict().prefault({}),
  /** Variants to run. Default the classic three (baseline, asymmetric, jump). */
  variants: z.array(z.enum(["baseline", "asymmetric", "jump", "loss", "spikes", "drift"])).min(1)
    .default(["baseline", "asymmetric", "jump"]),
}).strict();

/** Scenario parameters as written. */
export type SyncScenarioInput = z.input<typeof SyncScenarioSchema>;
/** Scenario parameters with defaults. */
export type SyncScenario = z.output<typeof SyncScenarioSchema>;

/** An algorithm to score: a name and a node factory. n0 is the reference/server/master. */
export interface SyncAlgorithm {
  /** A unique name (the rows' `algorithm`). */
  readonly name: string;
  /** Builds every node, n0 included. */
  readonly factory: SyncNodeFactory<unknown>;
}

/** The score of one algorithm on one variant and seed. */
export interface SyncScoreRow {
  /** The algorithm's name. */
  readonly algorithm: string;
  /** The scenario variant. */
  readonly variant: SyncVariant;
  /** The run's seed. */
  readonly seed: number;
  /** First time after which every node stays within toleranceMs of true time; null: never. */
  readonly convergedAtMs: number | null;
  /** Max |corrected − true| over nodes n1.. and readings at or after settleMs. */
  readonly maxAbsErrorMs: number;
  /** Mean |corrected − true| over nodes n1.. and readings at or after settleMs. */
  readonly meanAbsErrorMs: number;
  /** Largest (max − min) of the nodes' corrected clocks at one reading, at or after settleMs. */
  readonly maxSkewMs: number;
  /** Messages sent per node per minute of true time. */
  readonly messagesPerNodePerMinute: number;
  /** Variant "jump": whether the jumped node got back within its pre-jump envelope; else null. */
  readonly recovered: boolean | null;
  /** Variant "jump": time from the jump to recovery (ms); null if not recovered or no jump. */
  readonly recoveryMs: number | null;
}

/** One run of the harness. */
export interface SyncRun {
  /** The run's score. */
  readonly score: SyncScoreRow;
  /** Every clock reading, for charts. */
  readonly samples: readonly ClockSampleRow[];
  /** The protocol events (syncs, adjustments). */
  readonly events: readonly EmittedEvent[];
  /** The clocks the nodes started with. */
  readonly clocks: Readonly<Record<NodeId, { offsetMs: number; drift: number }>>;
  /** The simulation, run to its end. */
  readonly sim: Simulation<unknown>;
}

/** Parse and cross-check scenario parameters (a ConfigError names each bad field). */
export function parseSyncScenario(input: SyncScenarioInput = {}): SyncScenario {
  const p = parseConfig(SyncScenarioSchema, input, "sync scenario");
  const issues: { path: string; message: string }[] = [];
  if (p.settleMs >= p.durationMs) {
    issues.push({ path: "settleMs", message: `must be < durationMs (${p.durationMs})` });
  }
  if (p.variants.includes("jump")) {
    if (!(p.jump.atMs > p.settleMs && p.jump.atMs < p.durationMs)) {
      issues.push({ path: "jump.atMs", message: "must lie between settleMs and durationMs" });
    }
    const ids = scenarioNodeIds(p);
    if (!ids.includes(p.jump.node)) {
      issues.push({ path: "jump.node", message: `unknown node (nodes: ${ids.join(", ")})` });
    }
  }
  if (p.variants.includes("spikes") && !["uniform", "constant"].includes(p.latency.kind)) {
    issues.push({
      path: "latency",
      message: "the spikes variant needs a uniform or constant latency",
    });
  }
  if (issues.length) throw new ConfigError("sync scenario", issues);
  return p;
}

/** Smallest and largest one-way delay of a latency spec (Infinity when unbounded). */
export function latencyRangeMs(l: SyncScenario["latency"]): { minMs: number; maxMs: number } {
  switch (l.kind) {
    case "constant":
      return { minMs: l.ms, maxMs: l.ms };
    case "uniform":
      return { minMs: l.minMs, maxMs: l.maxMs };
    case "empirical":
      return { minMs: Math.min(...l.samplesMs), maxMs: Math.max(...l.samplesMs) };
    case "pareto":
      return { minMs: l.scaleMs, maxMs: Infinity };
    default:
      return { minMs: l.minMs ?? 0, maxMs: Infinity };
  }
}

/** Grid points of the spikes variant's latency: the baseline range, evenly (ends included). */
const SPIKE_GRID = 100;

/**
 * The "spikes" variant's latency: the baseline's range on an even grid of 100 points, plus
 * round(100 · ratio / (1 − ratio)) copies of grid points shifted by `extraMs`, drawn uniformly
 * (an empirical distribution, so the run stays a pure function of the seed).
 */
export function spikeLatency(p: SyncScenario): { kind: "empirical"; samplesMs: number[] } {
  const { minMs, maxMs } = latencyRangeMs(p.latency);
  const base = Array.from(
    { length: SPIKE_GRID },
    (_, i) => minMs + (maxMs - minMs) * i / (SPIKE_GRID - 1),
  );
  const k = Math.round(SPIKE_GRID * p.spikes.ratio / (1 - p.spikes.ratio));
  const spiked = Array.from(
    { length: k },
    (_, i) => base[(i * 37) % SPIKE_GRID] + p.spikes.extraMs,
  );
  return { kind: "empirical", samplesMs: [...base, ...spiked] };
}

/** The share of messages the spikes variant actually delays (k / (100 + k)). */
export function spikeShare(p: SyncScenario): number {
  const k = Math.round(SPIKE_GRID * p.spikes.ratio / (1 - p.spikes.ratio));
  return k / (SPIKE_GRID + k);
}

function scenarioNodeIds(p: SyncScenario): NodeId[] {
  return Array.from({ length: p.nodes }, (_, i) => `n${i}`);
}

/** The clocks every algorithm faces for a seed: n0 is the reference, others drawn from the seed. */
export function scenarioClocks(
  scenario: SyncScenarioInput,
  seed: number,
  variant: SyncVariant = "baseline",
): Record<NodeId, { offsetMs: number; drift: number }> {
  const p = parseConfig(SyncScenarioSchema, scenario, "sync scenario");
  const rng = new Rng(seed).fork("clocks");
  const maxDrift = scenarioMaxDriftPpm(p, variant);
  const out: Record<NodeId, { offsetMs: number; drift: number }> = {};
  for (const id of scenarioNodeIds(p)) {
    if (id === REFERENCE) {
      out[id] = { offsetMs: 0, drift: 0 };
      continue;
    }
    const offsetMs = rng.uniform(-p.maxInitialOffsetMs, p.maxInitialOffsetMs);
    // one draw in [−1, 1), scaled: the "drift" variant faces the same clocks, drifting faster
    out[id] = { offsetMs, drift: rng.uniform(-1, 1) * maxDrift * 1e-6 };
  }
  return out;
}

/** The drift bound (ppm) of a variant: `drift.maxDriftPpm` for "drift", else `maxDriftPpm`. */
export function scenarioMaxDriftPpm(p: SyncScenario, variant: SyncVariant): number {
  return variant === "drift" ? p.drift.maxDriftPpm : p.maxDriftPpm;
}

/**
 * Run one algorithm on one variant and seed of a scenario, and score it.
 * @example
 * ```ts
 * const run = runSyncScenario({ name: "ntp", factory: ntpFactory() }, { durationMs: 60_000,
 *   settleMs: 20_000, variants: ["baseline"] }, { variant: "baseline", seed: 1 });
 * run.score.meanAbsErrorMs; // a few ms at most
 * ```
 */
export function runSyncScenario(
  algorithm: SyncAlgorithm,
  scenario: SyncScenarioInput,
  which: { variant: SyncVariant; seed: number },
): SyncRun {
  const p = parseSyncScenario(scenario);
  const { variant, seed } = which;
  const ids = scenarioNodeIds(p);
  const clocks = scenarioClocks(p, seed, variant);
  const links = variant === "asymmetric"
    ? ids.slice(1).flatMap((id) => [
      { from: id, to: REFERENCE, bidirectional: false, latency: constant(p.asymmetric.outMs) },
      { from: REFERENCE, to: id, bidirectional: false, latency: constant(p.asymmetric.backMs) },
    ])
    : [];
  const nemesis = variant === "jump"
    ? [{ atMs: p.jump.atMs, type: "clockJump", node: p.jump.node, deltaMs: p.jump.deltaMs }]
    : undefined;
  const { sim } = createCluster<unknown>({
    seed,
    nodes: ids,
    factory: algorithm.factory,
    network: {
      latency: variant === "spikes" ? spikeLatency(p) : p.latency,
      lossRatio: variant === "loss" ? p.loss.ratio : p.lossRatio,
      links,
    },
    nemesis,
    clocks,
    trace: { mode: "off" },
  });
  const samples = sampleClocks(sim, { everyMs: p.sampleEveryMs, untilMs: p.durationMs });
  const score = scoreSamples(samples, {
    algorithm: algorithm.name,
    variant,
    seed,
    scenario: p,
    messagesSent: sim.stats.sent,
  });
  return { score, samples, events: sim.events, clocks, sim };
}

/**
 * Score clock readings of a run (see the module doc for every definition).
 * `messagesSent` counts the run's messages (`sim.stats.sent`).
 */
export function scoreSamples(
  samples: readonly ClockSampleRow[],
  info: {
    algorithm: string;
    variant: SyncVariant;
    seed: number;
    scenario: SyncScenario;
    messagesSent: number;
  },
): SyncScoreRow {
  const p = info.scenario;
  const jumpAt = info.variant === "jump" ? p.jump.atMs : Infinity;
  let maxAbs = 0, sumAbs = 0, n = 0, maxSkew = 0;
  const byTime = new Map<number, { lo: number; hi: number }>();
  for (const r of samples) {
    if (r.tMs < p.settleMs) continue;
    if (r.node !== REFERENCE) {
      const a = Math.abs(r.errorMs);
      maxAbs = Math.max(maxAbs, a);
      sumAbs += a;
      n++;
    }
    const s = byTime.get(r.tMs);
    if (!s) byTime.set(r.tMs, { lo: r.correctedMs, hi: r.correctedMs });
    else {
      s.lo = Math.min(s.lo, r.correctedMs);
      s.hi = Math.max(s.hi, r.correctedMs);
    }
  }
  for (const s of byTime.values()) maxSkew = Math.max(maxSkew, s.hi - s.lo);
  // convergence: the reading after the last out-of-tolerance one (before any jump)
  const times = [...new Set(samples.map((r) => r.tMs))];
  const before = samples.filter((r) => r.tMs < jumpAt && r.node !== REFERENCE);
  const convergedAtMs = firstAfterLastViolation(
    before,
    times.filter((t) => t < jumpAt),
    (r) => Math.abs(r.errorMs) > p.toleranceMs,
  );
  let recovered: boolean | null = null, recoveryMs: number | null = null;
  if (info.variant === "jump") {
    const mine = samples.filter((r) => r.node === p.jump.node);
    let envelope = 0;
    for (const r of mine) {
      if (r.tMs >= p.settleMs && r.tMs < jumpAt) envelope = Math.max(envelope, Math.abs(r.errorMs));
    }
    envelope += p.toleranceMs;
    const after = mine.filter((r) => r.tMs >= jumpAt);
    const t = firstAfterLastViolation(
      after,
      after.map((r) => r.tMs),
      (r) => Math.abs(r.errorMs) > envelope,
    );
    recovered = t !== null;
    recoveryMs = t === null ? null : t - jumpAt;
  }
  return {
    algorithm: info.algorithm,
    variant: info.variant,
    seed: info.seed,
    convergedAtMs,
    maxAbsErrorMs: maxAbs,
    meanAbsErrorMs: n ? sumAbs / n : NaN,
    maxSkewMs: maxSkew,
    messagesPerNodePerMinute: info.messagesSent / p.nodes / (p.durationMs / 60_000),
    recovered,
    recoveryMs,
  };
}

function firstAfterLastViolation(
  rows: readonly ClockSampleRow[],
  times: readonly number[],
  bad: (r: ClockSampleRow) => boolean,
): number | null {
  if (times.length === 0) return null;
  let last = -Infinity;
  for (const r of rows) if (bad(r) && r.tMs > last) last = r.tMs;
  if (last === -Infinity) return times[0];
  const next = times.find((t) => t > last);
  return next === undefined ? null : next;
}

function constant(ms: number) {
  return { kind: "constant" as const, ms };
}

/**
 * The built-in algorithms with a common poll interval: free-running (no sync), naive (server's
 * time, delay ignored), Cristian, Berkeley and NTP-style.
 */
export function builtInSyncAlgorithms(options: { pollIntervalMs?: number } = {}): SyncAlgorithm[] {
  const pollIntervalMs = options.pollIntervalMs ?? 10_000;
  return [
    { name: "free-running", factory: freeRunningFactory() },
    { name: "naive", factory: naiveFactory({ pollIntervalMs }) },
    { name: "cristian", factory: cristianFactory({ pollIntervalMs }) },
    { name: "berkeley", factory: berkeleyFactory({ pollIntervalMs }) },
    { name: "ntp", factory: ntpFactory({ pollIntervalMs }) },
  ];
}

/**
 * Score algorithms on every variant and seed of a scenario: one row per algorithm × variant × seed.
 * @example
 * ```ts
 * const mine: SyncAlgorithm = { name: "mine", factory: (ctx) => new MySyncNode(ctx) };
 * const rows = scoreSync([...builtInSyncAlgorithms(), mine], { seeds: [1, 2] });
 * summarizeSyncScores(rows); // one row per algorithm × variant
 * ```
 */
export function scoreSync(
  algorithms: readonly SyncAlgorithm[],
  scenario: SyncScenarioInput = {},
): SyncScoreRow[] {
  const p = parseSyncScenario(scenario);
  const names = new Set<string>();
  for (const a of algorithms) {
    if (names.has(a.name)) {
      throw new ConfigError("sync algorithms", [{ path: a.name, message: "duplicate name" }]);
    }
    names.add(a.name);
  }
  const rows: SyncScoreRow[] = [];
  for (const a of algorithms) {
    for (const variant of p.variants) {
      for (const seed of p.seeds) rows.push(runSyncScenario(a, p, { variant, seed }).score);
    }
  }
  return rows;
}

/** Scores aggregated over seeds. */
export interface SyncSummaryRow {
  /** The algorithm's name. */
  readonly algorithm: string;
  /** The scenario variant. */
  readonly variant: SyncVariant;
  /** Number of seeds aggregated. */
  readonly seeds: number;
  /** Seeds on which the algorithm converged. */
  readonly convergedSeeds: number;
  /** Latest convergence point among converged seeds (ms), or null if none converged. */
  readonly worstConvergedAtMs: number | null;
  /** Max of maxAbsErrorMs over seeds. */
  readonly maxAbsErrorMs: number;
  /** Mean of meanAbsErrorMs over seeds. */
  readonly meanAbsErrorMs: number;
  /** Max of maxSkewMs over seeds. */
  readonly maxSkewMs: number;
  /** Mean over seeds. */
  readonly messagesPerNodePerMinute: number;
  /** Variant "jump": seeds recovered; null elsewhere. */
  readonly recoveredSeeds: number | null;
  /** Variant "jump": mean recovery time over recovered seeds; null if none or no jump. */
  readonly meanRecoveryMs: number | null;
}

/** Aggregate score rows over seeds, one row per algorithm × variant, in first-seen order. */
export function summarizeSyncScores(rows: readonly SyncScoreRow[]): SyncSummaryRow[] {
  // d3's group keeps first-seen order
  const groups: Map<string, SyncScoreRow[]> = group(
    rows,
    (r: SyncScoreRow) => `${r.algorithm}\u0000${r.variant}`,
  );
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  return [...groups.values()].map((g): SyncSummaryRow => {
    const conv = g.map((r) => r.convergedAtMs).filter((x): x is number => x !== null);
    const jump = g[0].variant === "jump";
    const rec = g.map((r) => r.recoveryMs).filter((x): x is number => x !== null);
    return {
      algorithm: g[0].algorithm,
      variant: g[0].variant,
      seeds: g.length,
      convergedSeeds: conv.length,
      worstConvergedAtMs: conv.length ? Math.max(...conv) : null,
      maxAbsErrorMs: Math.max(...g.map((r) => r.maxAbsErrorMs)),
      meanAbsErrorMs: mean(g.map((r) => r.meanAbsErrorMs)),
      maxSkewMs: Math.max(...g.map((r) => r.maxSkewMs)),
      messagesPerNodePerMinute: mean(g.map((r) => r.messagesPerNodePerMinute)),
      recoveredSeeds: jump ? g.filter((r) => r.recovered).length : null,
      meanRecoveryMs: jump && rec.length ? mean(rec) : null,
    };
  });
}
