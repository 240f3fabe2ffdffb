/**
 * Pieces shared by the chart builders (private to lib/viz): vega-lite type aliases, the zoom
 * parameter, fault bands, number and time formatting, payload truncation.
 * @module
 */
import type { TopLevelSpec } from "vega-lite";

/** The `$schema` every builder emits: vega-lite 6 compiles v5 specs, and front ends render only v5. */
export const VEGA_LITE_SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json";

/** A layered top-level spec. */
export type TopLevelLayerSpec = Extract<TopLevelSpec, { layer: unknown }>;
/** One entry of `layer` (a unit spec or a nested layer). */
export type LayerItem = TopLevelLayerSpec["layer"][number];
/** A unit (single-mark) spec inside a layer. */
export type UnitLayer = Extract<LayerItem, { mark: unknown }>;
/** A unit spec's encoding block. */
export type UnitEncoding = NonNullable<UnitLayer["encoding"]>;
/** A position channel definition (x or y). */
export type PositionDef = NonNullable<UnitEncoding["x"]>;
/** A secondary position channel definition (x2 or y2). */
export type Position2Def = NonNullable<UnitEncoding["x2"]>;
/** A tooltip channel definition. */
export type TooltipDef = NonNullable<UnitEncoding["tooltip"]>;

/** A fault window shaded on time charts: a partition, a crash, a pause, ... */
export interface FaultWindow {
  /** Start of the fault in true time (ms). */
  readonly startMs: number;
  /** End of the fault (ms); `Infinity` when never healed (drawn to the chart's end). */
  readonly endMs: number;
  /** What the fault was ("partition {n0,n1} | {n2,n3,n4}", "crash n1"). */
  readonly label: string;
}

/** What a builder leaves in `usermeta.distlab` for `show()`'s plain-text summary. */
export interface VizMeta {
  /** Builder name, e.g. "latencyScatter". */
  readonly builder: string;
  /** Key numbers, one short line each. */
  readonly summary: readonly string[];
}

/** Default cap on drawn marks per chart. */
export const DEFAULT_MAX_MARKS = 2000;
/** Default chart width in px. */
export const DEFAULT_WIDTH = 640;
/** Default chart height in px. */
export const DEFAULT_HEIGHT = 320;

/** Colours of operation outcomes (Jepsen's convention: ok blue, info orange, fail red). */
export const OUTCOME_DOMAIN = ["ok", "fail", "info"];
/** Colours matching {@link OUTCOME_DOMAIN}. */
export const OUTCOME_RANGE = ["#4c78a8", "#e45756", "#f58518"];

/** The interval selection bound to scales that gives zoom (wheel) and pan (drag) on `channel`. */
export function zoomParam(channel: "x" | "y" | "xy"): NonNullable<UnitLayer["params"]>[number] {
  return {
    name: "zoom",
    select: { type: "interval", encodings: channel === "xy" ? ["x", "y"] : [channel] },
    bind: "scales",
  };
}

/** 1234567 → "1,234,567" (no locale dependency). */
export function formatCount(n: number): string {
  const sign = n < 0 ? "-" : "";
  const [int, frac] = String(Math.abs(n)).split(".");
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return sign + grouped + (frac === undefined ? "" : "." + frac);
}

/** A latency or time in ms, rounded for reading: 0.123 → "0.123", 12.345 → "12.3", 1234.5 → "1,235". */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  const a = Math.abs(ms);
  if (a >= 100) return formatCount(Math.round(ms));
  if (a >= 10) return String(Math.round(ms * 10) / 10);
  if (a >= 1) return String(Math.round(ms * 100) / 100);
  return String(Math.round(ms * 1000) / 1000);
}

/** "0–500 ms" */
export function formatRange(fromMs: number, toMs: number): string {
  return `${formatMs(fromMs)}–${formatMs(toMs)} ms`;
}

/** Round to `digits` decimals, so inlined data stays short. */
export function round(x: number, digits = 3): number {
  const k = 10 ** digits;
  return Math.round(x * k) / k;
}

/** JSON of a payload cut to `maxChars` (with "…"); never throws (cycles, BigInt). */
export function truncateJson(value: unknown, maxChars = 160): string {
  let s: string;
  try {
    s = JSON.stringify(value, (_k, v) => typeof v === "bigint" ? `${v}n` : v) ?? String(value);
  } catch {
    s = String(value);
  }
  return s.length > maxChars ? s.slice(0, maxChars - 1) + "…" : s;
}

/** Compare node ids naturally: "n2" < "n10"; clients and servers by prefix first. */
export function naturalCompare(a: string, b: string): number {
  const ra = /^(.*?)(\d+)$/.exec(a);
  const rb = /^(.*?)(\d+)$/.exec(b);
  if (ra && rb && ra[1] === rb[1]) return Number(ra[2]) - Number(rb[2]);
  return a < b ? -1 : a > b ? 1 : 0;
}

/** "showing 2,000 of 184,233 messages" or "184,233 messages". */
export function countPhrase(shown: number, total: number, noun: string): string {
  return shown < total
    ? `showing ${formatCount(shown)} of ${formatCount(total)} ${noun}`
    : `${formatCount(total)} ${noun}`;
}

/** Clip fault windows to [fromMs, toMs] and drop those outside it. */
export function clipFaults(
  faults: readonly FaultWindow[],
  fromMs: number,
  toMs: number,
): { startMs: number; endMs: number; label: string; durationMs: number | null }[] {
  const out = [];
  for (const f of faults) {
    const s = Math.max(f.startMs, fromMs);
    const e = Math.min(f.endMs, toMs);
    if (!(e >= s) || e === s && f.endMs !== f.startMs) continue;
    out.push({
      startMs: s,
      endMs: e,
      label: f.label,
      durationMs: Number.isFinite(f.endMs) ? round(f.endMs - f.startMs) : null,
    });
  }
  return out;
}

/**
 * Two layers that shade fault windows on a chart whose time is on `timeChannel`: translucent
 * bands spanning the other axis, and the fault label at the band's start.
 */
export function faultLayers(
  faults: readonly FaultWindow[],
  fromMs: number,
  toMs: number,
  timeTitle: string,
  timeChannel: "x" | "y" = "x",
): LayerItem[] {
  const rows = clipFaults(faults, fromMs, toMs);
  if (rows.length === 0) return [];
  const t = { field: "startMs", type: "quantitative" as const, title: timeTitle };
  const t2 = { field: "endMs" };
  const tooltip: TooltipDef = [
    { field: "label", title: "fault" },
    { field: "startMs", title: "start (ms)", format: ",.1f" },
    { field: "endMs", title: "end (ms)", format: ",.1f" },
    { field: "durationMs", title: "duration (ms)", format: ",.1f" },
  ];
  const band: LayerItem = timeChannel === "x"
    ? {
      name: "fault bands",
      data: { values: rows },
      mark: { type: "rect", color: "#888888", opacity: 0.15, clip: true },
      encoding: { x: t, x2: t2, tooltip },
    }
    : {
      name: "fault bands",
      data: { values: rows },
      mark: { type: "rect", color: "#888888", opacity: 0.15, clip: true },
      encoding: { y: t, y2: t2, tooltip },
    };
  const label: LayerItem = timeChannel === "x"
    ? {
      name: "fault labels",
      data: { values: rows },
      mark: {
        type: "text",
        align: "left",
        baseline: "top",
        dx: 3,
        dy: 3,
        fontSize: 10,
        color: "#555555",
        clip: true,
      },
      encoding: { x: t, y: { value: 0 }, text: { field: "label" } },
    }
    : {
      name: "fault labels",
      data: { values: rows },
      mark: {
        type: "text",
        align: "right",
        baseline: "top",
        dx: -3,
        dy: 3,
        fontSize: 10,
        color: "#555555",
        clip: true,
      },
      encoding: { y: t, x: { value: 0 }, text: { field: "label" } },
    };
  return [band, label];
}

/** Build the `title` block: text plus a subtitle (lines joined by "; "). */
export function titleBlock(text: string, subtitle: readonly string[]): TopLevelSpec["title"] {
  const sub = subtitle.filter((s) => s.length > 0).join("; ");
  return sub.length > 0 ? { text, subtitle: sub, anchor: "start" } : { text, anchor: "start" };
}

/** Minimum and maximum of finite numbers ([NaN, NaN] when there are none). */
export function extent(xs: Iterable<number>): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const x of xs) {
    if (!Number.isFinite(x)) continue;
    if (x < lo) lo = x;
    if (x > hi) hi = x;
  }
  return lo <= hi ? [lo, hi] : [NaN, NaN];
}
