/**
 * Throughput over time: completed operations per second in fixed windows, with fault windows
 * shaded, so an outage during a partition shows as a dip to zero.
 * @module
 */
import type { TopLevelSpec } from "vega-lite";
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
import type { LatencyOp } from "./latency.ts";
import { decimate } from "./sampling.ts";

/** One window of throughput: operations of one series completed in [startMs, endMs). */
export interface ThroughputRow {
  /** Start time (ms), inclusive. */
  readonly startMs: number;
  /** End time (ms), exclusive. */
  readonly endMs: number;
  /** Operations per second in the window. */
  readonly opsPerSec: number;
  /** Series name (an outcome when computed from ops: "ok", "fail", "info"). Default "ok". */
  readonly series?: string;
  /** Operations counted in the window. */
  readonly count?: number;
}

/** Options of {@link throughputRows}. */
export interface ThroughputRowOptions {
  /** Window width (ms). */
  readonly windowMs: number;
  /** First window starts here (ms). Default: the first event, rounded down to `windowMs`. */
  readonly fromMs?: number;
  /** Last window holds this time (ms). Default: the last event. */
  readonly toMs?: number;
  /** Which outcomes to count, one series each. Default ["ok"]. */
  readonly statuses?: readonly ("ok" | "fail" | "info")[];
}

/**
 * Operations per second in consecutive windows, empty windows included (an outage is a 0).
 * An op counts at its completion time; an info op (never completed) at its invocation time.
 *
 * @example
 * ```ts
 * import { throughputRows } from "@lab/viz/throughput.ts";
 * const ops = [5, 15, 120].map((t) => ({ f: "write", status: "ok" as const, invokeMs: t - 1, completeMs: t }));
 * throughputRows(ops, { windowMs: 100 }).map((r) => r.opsPerSec); // [20, 10]
 * ```
 */
export function throughputRows(
  ops: readonly LatencyOp[],
  options: ThroughputRowOptions,
): (ThroughputRow & { series: string; count: number })[] {
  const w = options.windowMs;
  if (!(w > 0)) throw new RangeError(`windowMs must be > 0, got ${w}`);
  const statuses = options.statuses ?? ["ok"];
  const at = (o: LatencyOp) => o.status === "info" ? o.invokeMs : o.completeMs;
  const used = ops.filter((o) => statuses.includes(o.status) && Number.isFinite(at(o)));
  const [lo, hi] = extent(used.map(at));
  if (Number.isNaN(lo) && (options.fromMs === undefined || options.toMs === undefined)) return [];
  const fromMs = options.fromMs ?? Math.floor(lo / w) * w;
  const toMs = options.toMs ?? hi;
  const n = Math.max(1, Math.floor((toMs - fromMs) / w) + 1);
  const counts = statuses.map(() => new Array<number>(n).fill(0));
  for (const o of used) {
    const t = at(o);
    if (t < fromMs || t > toMs) continue;
    const k = Math.min(n - 1, Math.floor((t - fromMs) / w));
    counts[statuses.indexOf(o.status)][k]++;
  }
  const rows: (ThroughputRow & { series: string; count: number })[] = [];
  for (let k = 0; k < n; k++) {
    for (let s = 0; s < statuses.length; s++) {
      const c = counts[s][k];
      rows.push({
        startMs: fromMs + k * w,
        endMs: fromMs + (k + 1) * w,
        opsPerSec: (c * 1000) / w,
        series: statuses[s],
        count: c,
      });
    }
  }
  return rows;
}

/** Options of {@link throughputChart}. */
export interface ThroughputChartOptions extends ThroughputRowOptions {
  /** Fault windows to shade. Default: none. */
  readonly faults?: readonly FaultWindow[];
  /** Most windows drawn (strided). Default 2000 / number of series. */
  readonly maxWindows?: number;
  /** Chart title. Default "Throughput". */
  readonly title?: string;
  /** y-axis title. Default "ok ops/s" (or "ops/s" with several series). */
  readonly yTitle?: string;
  /** Log rate axis; "symlog" keeps windows at 0 ops/s (outages) on the chart. Default false. */
  readonly logY?: boolean | "symlog";
  /** Plot width in px (default noted on the builder). */
  readonly width?: number;
  /** Plot height in px (default noted on the builder). */
  readonly height?: number;
}

function isOpList(
  input: readonly LatencyOp[] | readonly ThroughputRow[],
): input is readonly LatencyOp[] {
  return input.length > 0 && "invokeMs" in input[0];
}

/**
 * Operations per second per window over time (a step line), from operations or precomputed
 * rows, with fault windows shaded.
 *
 * @example
 * ```ts
 * import { show, throughputChart } from "@lab/viz/mod.ts";
 * declare const ops: import("@lab/workload/history.ts").Operation[];
 * show(throughputChart(ops, { windowMs: 250, faults: [{ startMs: 2000, endMs: 4000, label: "partition" }] }));
 * ```
 */
export function throughputChart(
  input: readonly LatencyOp[] | readonly ThroughputRow[],
  options: ThroughputChartOptions,
): TopLevelSpec {
  const all: {
    startMs: number;
    endMs: number;
    opsPerSec: number;
    series: string;
    count: number | null;
  }[] = isOpList(input) ? throughputRows(input, options) : input.map((r) => ({
    startMs: r.startMs,
    endMs: r.endMs,
    opsPerSec: r.opsPerSec,
    series: r.series ?? "ok",
    count: r.count ?? null,
  })).filter((r) =>
    (options.fromMs === undefined || r.endMs > options.fromMs) &&
    (options.toMs === undefined || r.startMs <= options.toMs)
  );
  const seriesNames = [...new Set(all.map((r) => r.series))];
  const windows = [...new Set(all.map((r) => r.startMs))].sort((a, b) => a - b);
  const maxWindows = options.maxWindows ??
    Math.max(1, Math.floor(DEFAULT_MAX_MARKS / Math.max(1, seriesNames.length)));
  const d = decimate(windows, maxWindows);
  const keep = new Set(d.items);
  const rows = all.filter((r) => keep.has(r.startMs)).map((r) => ({
    ...r,
    opsPerSec: round(r.opsPerSec),
  }));
  const [lo] = extent(all.map((r) => r.startMs));
  const [, hi] = extent(all.map((r) => r.endMs));
  const fromMs = options.fromMs ?? (Number.isNaN(lo) ? 0 : lo);
  const toMs = Number.isNaN(hi) ? fromMs : Math.min(hi, options.toMs ?? hi);
  const timeTitle = "time (ms)";
  const allOutcomes = seriesNames.every((s) => OUTCOME_DOMAIN.includes(s));
  // Each window contributes its two corners; `seq` keeps ties at window edges in order.
  let seq = 0;
  const stepRows = rows.flatMap((r) => [
    { ...r, seq: seq++ },
    { ...r, startMs: r.endMs, seq: seq++ },
  ]);
  const layers: LayerItem[] = [
    ...faultLayers(options.faults ?? [], fromMs, toMs, timeTitle),
    {
      name: "throughput",
      data: { values: stepRows },
      params: [zoomParam("x")],
      mark: { type: "line", interpolate: "linear", strokeWidth: 1.5, clip: true, aria: false },
      encoding: {
        x: {
          field: "startMs",
          type: "quantitative",
          title: timeTitle,
          scale: { domain: [fromMs, toMs], nice: false },
        },
        y: {
          field: "opsPerSec",
          type: "quantitative",
          title: options.yTitle ??
            (seriesNames.length === 1 && seriesNames[0] === "ok" ? "ok ops/s" : "ops/s"),
          scale: options.logY === "symlog"
            ? { type: "symlog" }
            : options.logY
            ? { type: "log" }
            : { zero: true },
        },
        color: allOutcomes
          ? {
            field: "series",
            type: "nominal",
            title: "outcome",
            scale: {
              domain: OUTCOME_DOMAIN.filter((o) => seriesNames.includes(o)),
              range: OUTCOME_RANGE.filter((_, i) => seriesNames.includes(OUTCOME_DOMAIN[i])),
            },
          }
          : { field: "series", type: "nominal", title: "series", sort: seriesNames },
        order: { field: "seq", type: "quantitative" },
      },
    },
    {
      name: "windows",
      data: { values: rows.map((r) => ({ ...r, midMs: (r.startMs + r.endMs) / 2 })) },
      mark: { type: "point", size: 30, opacity: 0, clip: true, aria: false },
      encoding: {
        x: { field: "midMs", type: "quantitative", title: timeTitle },
        y: { field: "opsPerSec", type: "quantitative" },
        tooltip: [
          { field: "series", title: "series" },
          { field: "opsPerSec", title: "ops/s", format: ",.1f" },
          { field: "count", title: "ops in window" },
          { field: "startMs", title: "window start (ms)", format: ",.1f" },
          { field: "endMs", title: "window end (ms)", format: ",.1f" },
        ],
      },
    },
  ];
  const w = windows.length > 0 && all.length > 0 ? all[0].endMs - all[0].startMs : options.windowMs;
  const summary = seriesNames.map((s) => {
    const xs = all.filter((r) => r.series === s);
    const total = xs.reduce((a, r) => a + (r.count ?? 0), 0);
    const mean = xs.length > 0 ? xs.reduce((a, r) => a + r.opsPerSec, 0) / xs.length : 0;
    const zero = xs.filter((r) => r.opsPerSec === 0).length;
    return `${s}: ${formatCount(total)} ops, mean ${formatMs(mean)}/s, ${formatCount(zero)} of ${
      formatCount(xs.length)
    } windows at 0`;
  });
  const meta: VizMeta = { builder: "throughputChart", summary };
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: titleBlock(options.title ?? "Throughput", [
      `${formatMs(w)} ms windows`,
      countPhrase(d.items.length, d.total, "windows"),
      formatRange(fromMs, toMs),
    ]),
    width: options.width ?? DEFAULT_WIDTH,
    height: options.height ?? DEFAULT_HEIGHT,
    config: READABLE_CONFIG,
    usermeta: { distlab: meta },
    layer: layers,
  };
}
