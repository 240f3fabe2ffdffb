/**
 * Latency charts from operation histories: every operation over time (Jepsen's latency plot),
 * windowed quantiles over time, and empirical CDFs comparing several runs (Raft paper, Fig. 16).
 * @module
 */
import type { TopLevelSpec } from "vega-lite";
import { quantileSorted as d3QuantileSorted } from "d3-array";
import {
  countPhrase,
  DEFAULT_HEIGHT,
  DEFAULT_MAX_MARKS,
  DEFAULT_WIDTH,
  extent,
  faultLayers,
  type FaultWindow,
  formatCount,
  formatMs,
  formatRange,
  type LayerItem,
  OUTCOME_DOMAIN,
  OUTCOME_RANGE,
  READABLE_CONFIG,
  round,
  titleBlock,
  VEGA_LITE_SCHEMA,
  type VizMeta,
  zoomParam,
} from "./_common.ts";
import { decimate, evenRanks } from "./sampling.ts";

const quantileSorted: (sorted: ArrayLike<number>, p: number) => number | undefined =
  d3QuantileSorted;

/** Finite values sorted ascending (a typed-array sort: numeric, and fast on 10^6 values). */
function sortedFinite(xs: Iterable<number>): Float64Array {
  const out: number[] = [];
  for (const x of xs) if (Number.isFinite(x)) out.push(x);
  return Float64Array.from(out).sort();
}

/**
 * The fields of an operation the latency charts read. `Operation` from
 * `@lab/workload/history.ts` has them all; experiment rows may have just these.
 */
export interface LatencyOp {
  /** Operation name ("read", "write", "cas", ...). */
  readonly f: string;
  /** ok: took effect; fail: did not; info: unknown outcome. */
  readonly status: "ok" | "fail" | "info";
  /** Invocation time (ms). */
  readonly invokeMs: number;
  /** Completion time (ms); `Infinity` when the outcome is unknown. */
  readonly completeMs: number;
  /** Client process, shown in tooltips when present. */
  readonly process?: number;
  /** Key, shown in tooltips when present. */
  readonly key?: string;
}

/** Options of {@link latencyScatter}. */
export interface LatencyScatterOptions {
  /** Fault windows to shade. Default: none. */
  readonly faults?: readonly FaultWindow[];
  /** Only operations invoked at or after this time (ms). Default: the first invocation. */
  readonly fromMs?: number;
  /** Only operations invoked at or before this time (ms). Default: the last invocation. */
  readonly toMs?: number;
  /** Most points drawn; fail/info ops and ok ops at or above p99 are kept first. Default 2000. */
  readonly maxPoints?: number;
  /** Latency at which info (unknown-outcome) ops are drawn. Default: 1.1 × the largest finite latency. */
  readonly infoLatencyMs?: number;
  /** Log-scaled latency axis. Default false. */
  readonly logY?: boolean;
  /** Chart title. Default "Latency of every operation". */
  readonly title?: string;
  /** Plot width and height in px. Default 640 × 320. */
  readonly width?: number;
  /** Plot height in px (default noted on the builder). */
  readonly height?: number;
}

/** Latency of a completed op, `Infinity` for an unknown outcome. */
export function latencyMsOf(op: LatencyOp): number {
  return op.completeMs - op.invokeMs;
}

function windowOf(ops: readonly LatencyOp[], fromMs?: number, toMs?: number): [number, number] {
  const [lo, hi] = extent(ops.map((o) => o.invokeMs));
  const from = fromMs ?? (Number.isNaN(lo) ? 0 : lo);
  const to = toMs ?? (Number.isNaN(hi) ? from : hi);
  return [from, Math.max(from, to)];
}

/**
 * Latency of every operation against its invocation time, coloured by outcome, shaped by `f`,
 * with fault windows shaded; info ops are drawn at a capped latency above a dashed line.
 *
 * @example
 * ```ts
 * import { latencyScatter, show } from "@lab/viz/mod.ts";
 * import { pairOperations } from "@lab/workload/history.ts";
 * declare const history: import("@lab/workload/history.ts").History;
 * show(latencyScatter(pairOperations(history), {
 *   faults: [{ startMs: 1000, endMs: 3000, label: "partition" }],
 * }));
 * ```
 */
export function latencyScatter(
  ops: readonly LatencyOp[],
  options: LatencyScatterOptions = {},
): TopLevelSpec {
  const [fromMs, toMs] = windowOf(ops, options.fromMs, options.toMs);
  const inWindow = ops.filter((o) => o.invokeMs >= fromMs && o.invokeMs <= toMs);
  const [, maxLat] = extent(inWindow.map(latencyMsOf));
  const okLat = sortedFinite(inWindow.filter((o) => o.status === "ok").map(latencyMsOf));
  const p50 = quantileSorted(okLat, 0.5);
  const p99 = quantileSorted(okLat, 0.99);
  const maxFinite = Number.isNaN(maxLat) ? 0 : maxLat;
  const capMs = options.infoLatencyMs ?? (maxFinite > 0 ? round(maxFinite * 1.1) : 1000);
  const max = options.maxPoints ?? DEFAULT_MAX_MARKS;
  const tail = p99 ?? Infinity;
  const d = decimate(inWindow, max, {
    keep: (o) => o.status !== "ok" || latencyMsOf(o) >= tail,
  });
  const counts = { ok: 0, fail: 0, info: 0 };
  for (const o of inWindow) counts[o.status]++;
  const rows = d.items.map((o) => {
    const lat = latencyMsOf(o);
    const known = Number.isFinite(lat);
    // Lean rows: a notebook stores each of them twice (spec and SVG).
    return {
      invokeMs: round(o.invokeMs),
      latencyMs: round(known ? lat : capMs),
      status: o.status,
      f: o.f,
      ...(o.process === undefined ? {} : { process: o.process }),
      ...(o.key === undefined ? {} : { key: o.key }),
      ...(known ? {} : { note: "unknown outcome: latency drawn at the cap" }),
    };
  });
  const timeTitle = "invocation time (ms)";
  const subtitle = [
    countPhrase(d.items.length, d.total, "ops") +
    (d.items.length < d.total ? " (fail/info and ≥ p99 kept first)" : ""),
    formatRange(fromMs, toMs),
  ];
  const layers: LayerItem[] = [
    ...faultLayers(options.faults ?? [], fromMs, toMs, timeTitle),
  ];
  if (counts.info > 0) {
    layers.push({
      name: "info cap",
      data: {
        values: [{ capMs, label: `unknown outcome (info), drawn at ${formatMs(capMs)} ms` }],
      },
      layer: [
        {
          mark: { type: "rule", strokeDash: [4, 4], color: "#f58518" },
          encoding: { y: { field: "capMs", type: "quantitative" } },
        },
        {
          mark: {
            type: "text",
            align: "right",
            baseline: "bottom",
            dy: -2,
            fontSize: 10,
            color: "#f58518",
          },
          encoding: {
            y: { field: "capMs", type: "quantitative" },
            x: { value: options.width ?? DEFAULT_WIDTH },
            text: { field: "label" },
          },
        },
      ],
    });
  }
  layers.push({
    name: "ops",
    data: { values: rows },
    params: [zoomParam("x")],
    mark: { type: "point", filled: true, size: 24, opacity: 0.7, clip: true, aria: false },
    encoding: {
      x: {
        field: "invokeMs",
        type: "quantitative",
        title: timeTitle,
        scale: { domain: [fromMs, toMs], nice: false },
      },
      y: {
        field: "latencyMs",
        type: "quantitative",
        title: "latency (ms)",
        scale: options.logY ? { type: "log" } : { zero: true },
      },
      color: {
        field: "status",
        type: "nominal",
        title: "outcome",
        scale: { domain: OUTCOME_DOMAIN, range: OUTCOME_RANGE },
      },
      shape: { field: "f", type: "nominal", title: "operation" },
      tooltip: [
        { field: "f", title: "operation" },
        { field: "status", title: "outcome" },
        { field: "invokeMs", title: "invoked (ms)", format: ",.3f" },
        { field: "latencyMs", title: "latency (ms)", format: ",.3f" },
        { field: "note", title: "note" },
        { field: "process", title: "process" },
        { field: "key", title: "key" },
      ],
    },
  });
  const meta: VizMeta = {
    builder: "latencyScatter",
    summary: [
      `ops ${formatCount(inWindow.length)}: ok ${formatCount(counts.ok)}, fail ${
        formatCount(counts.fail)
      }, info ${formatCount(counts.info)}`,
      `ok latency p50 ${p50 === undefined ? "–" : formatMs(p50)} ms, p99 ${
        p99 === undefined ? "–" : formatMs(p99)
      } ms, max ${formatMs(maxFinite)} ms`,
    ],
  };
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: titleBlock(options.title ?? "Latency of every operation", subtitle),
    width: options.width ?? DEFAULT_WIDTH,
    height: options.height ?? DEFAULT_HEIGHT,
    config: READABLE_CONFIG,
    usermeta: { distlab: meta },
    layer: layers,
  };
}

/** One row of {@link latencyQuantileRows}: quantile `q` of latencies in one time window. */
export interface QuantileRow {
  /** Window start and end (ms); the window is [startMs, endMs). */
  readonly startMs: number;
  /** End time (ms), exclusive. */
  readonly endMs: number;
  /** Window midpoint (ms), where the point is drawn. */
  readonly midMs: number;
  /** The quantile in [0, 1] and its label ("p50", "p99.9", "max"). */
  readonly q: number;
  /** Label of `q` ("p50", "p99.9", "max"). */
  readonly quantile: string;
  /** Operation name when split by `f`, else "all". */
  readonly f: string;
  /** The quantile's value (ms), d3-array's R-7 interpolation. */
  readonly latencyMs: number;
  /** Number of operations in the window. */
  readonly count: number;
}

/** Options of {@link latencyQuantileRows}. */
export interface LatencyQuantileOptions {
  /** Window width (ms). */
  readonly windowMs: number;
  /** Quantiles in [0, 1]. Default [0.5, 0.95, 0.99, 1]. */
  readonly quantiles?: readonly number[];
  /** First window starts here (ms). Default: the first invocation, rounded down to `windowMs`. */
  readonly fromMs?: number;
  /** Windows end here (ms). Default: the last invocation. */
  readonly toMs?: number;
  /** Which outcomes count (info ops never do: their latency is unknown). Default ["ok"]. */
  readonly statuses?: readonly ("ok" | "fail")[];
  /** One curve per operation name. Default false. */
  readonly byF?: boolean;
}

/** "p50", "p99.9", "max", "min". */
export function quantileLabel(q: number): string {
  if (q === 1) return "max";
  if (q === 0) return "min";
  return "p" + String(round(q * 100, 4));
}

/**
 * Latency quantiles per window of invocation time, computed in TS (d3-array `quantileSorted`,
 * R-7) so the numbers are testable. Windows with no operation produce no rows.
 *
 * @example
 * ```ts
 * import { latencyQuantileRows } from "@lab/viz/latency.ts";
 * const ops = [10, 20, 30, 40].map((l, i) => ({ f: "read", status: "ok" as const, invokeMs: i, completeMs: i + l }));
 * latencyQuantileRows(ops, { windowMs: 100, quantiles: [0.5] })[0].latencyMs; // 25
 * ```
 */
export function latencyQuantileRows(
  ops: readonly LatencyOp[],
  options: LatencyQuantileOptions,
): QuantileRow[] {
  const w = options.windowMs;
  if (!(w > 0)) throw new RangeError(`windowMs must be > 0, got ${w}`);
  const qs = options.quantiles ?? [0.5, 0.95, 0.99, 1];
  for (const q of qs) if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile ${q} not in [0, 1]`);
  const statuses = options.statuses ?? ["ok"];
  const used = ops.filter((o) =>
    (statuses as readonly string[]).includes(o.status) && Number.isFinite(latencyMsOf(o))
  );
  if (used.length === 0) return [];
  const [lo, hi] = extent(used.map((o) => o.invokeMs));
  const fromMs = options.fromMs ?? Math.floor(lo / w) * w;
  const toMs = options.toMs ?? hi;
  const nWindows = Math.floor((toMs - fromMs) / w) + 1;
  // Buckets per operation name (few) and window index (dense array).
  const byName = new Map<string, number[][]>();
  for (const o of used) {
    if (o.invokeMs < fromMs || o.invokeMs > toMs) continue;
    const k = Math.min(nWindows - 1, Math.floor((o.invokeMs - fromMs) / w));
    const f = options.byF ? o.f : "all";
    let windows = byName.get(f);
    if (!windows) byName.set(f, windows = []);
    (windows[k] ??= []).push(latencyMsOf(o));
  }
  const names = [...byName.keys()].sort();
  const rows: QuantileRow[] = [];
  for (let k = 0; k < nWindows; k++) {
    for (const f of names) {
      const lat = byName.get(f)![k];
      if (lat === undefined) continue;
      const sorted = Float64Array.from(lat).sort();
      const startMs = fromMs + k * w;
      for (const q of qs) {
        rows.push({
          startMs,
          endMs: startMs + w,
          midMs: startMs + w / 2,
          q,
          quantile: quantileLabel(q),
          f,
          latencyMs: quantileSorted(sorted, q)!,
          count: sorted.length,
        });
      }
    }
  }
  return rows;
}

/** Options of {@link latencyQuantiles}. */
export interface LatencyQuantilesChartOptions extends LatencyQuantileOptions {
  /** Fault windows to shade. Default: none. */
  readonly faults?: readonly FaultWindow[];
  /** Log-scaled latency axis. Default true (tails span orders of magnitude). */
  readonly logY?: boolean;
  /** Chart title. Default "Latency quantiles over time". */
  readonly title?: string;
  /** Most windows drawn (strided); default 2000 / number of quantiles. */
  readonly maxWindows?: number;
  /** Plot width in px (default noted on the builder). */
  readonly width?: number;
  /** Plot height in px (default noted on the builder). */
  readonly height?: number;
}

/**
 * Latency quantiles (p50, p95, p99, max by default) per time window, one line each, with fault
 * windows shaded.
 *
 * @example
 * ```ts
 * import { latencyQuantiles, show } from "@lab/viz/mod.ts";
 * declare const ops: import("@lab/workload/history.ts").Operation[];
 * show(latencyQuantiles(ops, { windowMs: 100, quantiles: [0.5, 0.95, 0.99, 1] }));
 * ```
 */
export function latencyQuantiles(
  ops: readonly LatencyOp[],
  options: LatencyQuantilesChartOptions,
): TopLevelSpec {
  const all = latencyQuantileRows(ops, options);
  const qs = options.quantiles ?? [0.5, 0.95, 0.99, 1];
  const windows = [...new Set(all.map((r) => r.startMs))];
  const maxWindows = options.maxWindows ?? Math.max(1, Math.floor(DEFAULT_MAX_MARKS / qs.length));
  const d = decimate(windows, maxWindows);
  const keepWindows = new Set(d.items);
  const rows = all.map((r) => ({ ...r, latencyMs: round(r.latencyMs) })).filter((r) =>
    keepWindows.has(r.startMs)
  );
  const fromMs = options.fromMs ?? (windows.length > 0 ? windows[0] : 0);
  const toMs = options.toMs ??
    (windows.length > 0 ? windows[windows.length - 1] + options.windowMs : fromMs);
  const timeTitle = "invocation time (ms)";
  const order = qs.map(quantileLabel);
  const byF = options.byF ?? false;
  const subtitle = [
    `${formatMs(options.windowMs)} ms windows`,
    countPhrase(d.items.length, d.total, "windows"),
    formatRange(fromMs, toMs),
  ];
  const layers: LayerItem[] = [
    ...faultLayers(options.faults ?? [], fromMs, toMs, timeTitle),
    {
      name: "quantiles",
      data: { values: rows },
      params: [zoomParam("x")],
      mark: {
        type: "line",
        point: { size: 16, aria: false },
        strokeWidth: 1.5,
        clip: true,
        aria: false,
      },
      encoding: {
        x: {
          field: "midMs",
          type: "quantitative",
          title: timeTitle,
          scale: { domain: [fromMs, toMs], nice: false },
        },
        y: {
          field: "latencyMs",
          type: "quantitative",
          title: "latency (ms)",
          scale: (options.logY ?? true) ? { type: "log" } : { zero: true },
        },
        color: { field: "quantile", type: "nominal", title: "quantile", sort: order },
        ...(byF
          ? { strokeDash: { field: "f", type: "nominal" as const, title: "operation" } }
          : {}),
        detail: { field: "f", type: "nominal" },
        tooltip: [
          { field: "quantile", title: "quantile" },
          { field: "f", title: "operation" },
          { field: "latencyMs", title: "latency (ms)", format: ",.3f" },
          { field: "startMs", title: "window start (ms)", format: ",.1f" },
          { field: "endMs", title: "window end (ms)", format: ",.1f" },
          { field: "count", title: "ops in window" },
        ],
      },
    },
  ];
  const overall = sortedFinite(
    ops.filter((o) => ((options.statuses ?? ["ok"]) as readonly string[]).includes(o.status))
      .map(latencyMsOf),
  );
  const meta: VizMeta = {
    builder: "latencyQuantiles",
    summary: [
      `${formatCount(overall.length)} ops in ${formatCount(windows.length)} windows of ${
        formatMs(options.windowMs)
      } ms`,
      "overall " + qs.map((q) => {
        const v = quantileSorted(overall, q);
        return `${quantileLabel(q)} ${v === undefined ? "–" : formatMs(v)} ms`;
      }).join(", "),
    ],
  };
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: titleBlock(options.title ?? "Latency quantiles over time", subtitle),
    width: options.width ?? DEFAULT_WIDTH,
    height: options.height ?? DEFAULT_HEIGHT,
    config: READABLE_CONFIG,
    usermeta: { distlab: meta },
    layer: layers,
  };
}

/** One series of {@link latencyCdf}. */
export interface CdfSeries {
  /** Legend name ("150–150 ms", "150–300 ms"). */
  readonly name: string;
  /** Latencies (ms), any order; +Infinity marks a sample that never finished (kept in n); NaN is ignored. */
  readonly latenciesMs: readonly number[];
}

/** One point of an empirical CDF. */
export interface CdfRow {
  /** Series name. */
  readonly name: string;
  /** Latency (ms). */
  readonly latencyMs: number;
  /** Fraction of the series at or below `latencyMs`, in (0, 1]. */
  readonly fraction: number;
}

/**
 * Empirical CDF points of `latenciesMs`: the i-th smallest value (0-based) at fraction (i+1)/n,
 * thinned to at most `maxPoints` evenly spaced ranks (the minimum and maximum always kept).
 */
export function cdfRows(
  name: string,
  latenciesMs: readonly number[],
  maxPoints = 500,
  total?: number,
): CdfRow[] {
  const xs = sortedFinite(latenciesMs);
  const n = xs.length;
  // `total` > n counts samples that never finished (+Infinity): the curve then stays below 1
  const of = Math.max(n, total ?? n);
  return evenRanks(n, maxPoints).map((i) => ({
    name,
    latencyMs: xs[i],
    fraction: (i + 1) / of,
  }));
}

/** Options of {@link latencyCdf}. */
export interface LatencyCdfOptions {
  /** Log-scaled latency axis (values ≤ 0 are left out). Default false. */
  readonly logX?: boolean;
  /** Most points per series (evenly spaced ranks). Default 500. */
  readonly maxPointsPerSeries?: number;
  /** Chart title. Default "Latency CDF". */
  readonly title?: string;
  /** x-axis title. Default "latency (ms)". */
  readonly xTitle?: string;
  /** Plot width in px (default noted on the builder). */
  readonly width?: number;
  /** Plot height in px (default noted on the builder). */
  readonly height?: number;
}

/**
 * Empirical CDFs of several latency samples on one chart (e.g. Raft §9.3, Figure 16: time to
 * elect a leader for several timeout ranges).
 *
 * @example
 * ```ts
 * import { latencyCdf, show } from "@lab/viz/mod.ts";
 * show(latencyCdf([
 *   { name: "150–150 ms", latenciesMs: [310, 420, 9000] },
 *   { name: "150–300 ms", latenciesMs: [160, 190, 230] },
 * ], { logX: true }));
 * ```
 */
export function latencyCdf(
  series: readonly CdfSeries[],
  options: LatencyCdfOptions = {},
): TopLevelSpec {
  const perSeries = options.maxPointsPerSeries ?? 500;
  const logX = options.logX ?? false;
  const rows: CdfRow[] = [];
  const summary: string[] = [];
  const subtitle: string[] = [];
  let dropped = 0;
  let unfinished = 0;
  for (const s of series) {
    const xs = s.latenciesMs.filter((x) => Number.isFinite(x) && (!logX || x > 0));
    const inf = s.latenciesMs.filter((x) => x === Infinity).length;
    unfinished += inf;
    dropped += s.latenciesMs.length - xs.length - inf;
    const pts = cdfRows(s.name, xs, perSeries, xs.length + inf);
    for (const p of pts) {
      rows.push({ ...p, latencyMs: round(p.latencyMs), fraction: round(p.fraction, 6) });
    }
    const sorted = sortedFinite(xs);
    const q = (p: number) => {
      const v = quantileSorted(sorted, p);
      return v === undefined ? "–" : formatMs(v);
    };
    summary.push(
      `${s.name}: n=${formatCount(xs.length)}, p50 ${q(0.5)} ms, p99 ${q(0.99)} ms, max ${q(1)} ms`,
    );
    subtitle.push(`${s.name} n=${formatCount(xs.length + inf)}`);
  }
  if (series.length > 3) {
    // one entry per series makes the title wider than the chart: summarise instead
    const ns = series.map((s) => s.latenciesMs.filter((x) => !Number.isNaN(x)).length);
    subtitle.length = 0;
    const lo = Math.min(...ns), hi = Math.max(...ns);
    subtitle.push(
      `${series.length} series, n = ${formatCount(lo)}${hi > lo ? `–${formatCount(hi)}` : ""} each`,
    );
  }
  if (rows.length < series.reduce((a, s) => a + s.latenciesMs.length, 0) - dropped - unfinished) {
    subtitle.push(`at most ${formatCount(perSeries)} points per curve`);
  }
  if (unfinished > 0) {
    subtitle.push(`${formatCount(unfinished)} never finished: curves stay below 100%`);
  }
  if (dropped > 0) subtitle.push(`${formatCount(dropped)} NaN or ≤ 0 values left out`);
  const meta: VizMeta = { builder: "latencyCdf", summary };
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: titleBlock(options.title ?? "Latency CDF", subtitle),
    width: options.width ?? DEFAULT_WIDTH,
    height: options.height ?? DEFAULT_HEIGHT,
    config: READABLE_CONFIG,
    usermeta: { distlab: meta },
    data: { values: rows },
    params: [zoomParam("x")],
    mark: { type: "line", interpolate: "step-after", clip: true, aria: false },
    encoding: {
      x: {
        field: "latencyMs",
        type: "quantitative",
        title: options.xTitle ?? "latency (ms)",
        scale: logX ? { type: "log" } : { zero: true },
      },
      y: {
        field: "fraction",
        type: "quantitative",
        title: "cumulative fraction",
        scale: { domain: [0, 1] },
        axis: { format: "%" },
      },
      color: { field: "name", type: "nominal", title: "series", sort: series.map((s) => s.name) },
      tooltip: [
        { field: "name", title: "series" },
        { field: "latencyMs", title: "latency (ms)", format: ",.3f" },
        { field: "fraction", title: "fraction ≤", format: ".2%" },
      ],
    },
  };
}
