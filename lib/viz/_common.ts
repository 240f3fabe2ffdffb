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

/**
 * Build the `title` block: text plus a subtitle (parts joined by "; "). With `widthPx`, a title
 * or subtitle longer than the chart is wrapped into lines (at "; " first, then at spaces), so
 * nothing is cut or widens the chart.
 */
export function titleBlock(
  text: string,
  subtitle: readonly string[],
  widthPx?: number,
): TopLevelSpec["title"] {
  const parts = subtitle.filter((s) => s.length > 0);
  const sub = parts.join("; ");
  if (widthPx === undefined) {
    return sub.length > 0 ? { text, subtitle: sub, anchor: "start" } : { text, anchor: "start" };
  }
  const w = Math.max(200, widthPx);
  const title = wrapText(text, charsFor(w, TITLE_CHAR_PX));
  const subLines = wrapParts(parts, charsFor(w, SUBTITLE_CHAR_PX));
  const subText = subLines.length === 1 ? subLines[0] : subLines;
  return subLines.length > 0 && sub.length > 0
    ? { text: title, subtitle: subText, anchor: "start" }
    : { text: title, anchor: "start" };
}

/** Average glyph width (px) of vega's 13 px bold title font. */
export const TITLE_CHAR_PX = 7.4;
/** Average glyph width (px) of vega's 10 px subtitle font. */
export const SUBTITLE_CHAR_PX = 5.4;
/** Average glyph width (px) of vega's 11 px bold axis and legend titles. */
export const AXIS_TITLE_CHAR_PX = 6.3;

/** How many characters of a font with average glyph width `charPx` fit in `px`. */
export function charsFor(px: number, charPx: number): number {
  return Math.max(12, Math.floor(px / charPx));
}

/**
 * Wrap `text` into lines of at most `maxChars` (at spaces; a longer word is cut with "…"). One
 * line comes back as a string, several as an array (vega draws an array as stacked lines).
 */
export function wrapText(text: string, maxChars: number): string | string[] {
  if (text.length <= maxChars) return text;
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(" ")) {
    const w = word.length > maxChars ? word.slice(0, maxChars - 1) + "…" : word;
    if (line.length === 0) line = w;
    else if (line.length + 1 + w.length <= maxChars) line += " " + w;
    else {
      lines.push(line);
      line = w;
    }
  }
  if (line.length > 0) lines.push(line);
  return lines.length === 1 ? lines[0] : lines;
}

/** An axis or legend title wrapped to the axis length `lengthPx` (an array of lines when long). */
export function wrapAxisTitle(title: string, lengthPx: number): string | string[] {
  return wrapText(title, charsFor(lengthPx, AXIS_TITLE_CHAR_PX));
}

/** Join `parts` with "; " into lines of at most `maxChars`, breaking between parts first. */
export function wrapParts(parts: readonly string[], maxChars: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const p of parts) {
    const candidate = line.length === 0 ? p : `${line}; ${p}`;
    if (candidate.length <= maxChars) {
      line = candidate;
      continue;
    }
    if (line.length > 0) lines.push(line + ";");
    const wrapped = wrapText(p, maxChars);
    const ws = typeof wrapped === "string" ? [wrapped] : wrapped;
    lines.push(...ws.slice(0, -1));
    line = ws[ws.length - 1];
  }
  if (line.length > 0) lines.push(line);
  return lines;
}

/**
 * Config every builder sets so legends and axis labels are never cut: vega's defaults truncate
 * legend labels at 160 px and axis labels at 180 px with "…" (0 is "no limit"; builders wrap
 * long titles themselves, see {@link wrapText}).
 */
export const READABLE_CONFIG = {
  legend: { labelLimit: 0, titleLimit: 0 },
  axis: { labelLimit: 0, titleLimit: 0 },
} as const;

/**
 * Distinct colours for message and series types (3–12 of them): Tableau 10 without its red
 * (red is kept for drops and crashes) and with its light grey replaced, then four darker hues.
 * Neighbours in the list differ in hue, so Proposal/Prevote/Precommit or
 * PRE-PREPARE/PREPARE/COMMIT/REPLY never share near-identical colours.
 */
export const TYPE_PALETTE: readonly string[] = [
  "#4c78a8", // blue
  "#f58518", // orange
  "#54a24b", // green
  "#b279a2", // purple
  "#72b7b2", // teal
  "#9d755d", // brown
  "#eeca3b", // yellow
  "#ff9da6", // pink
  "#1b3a6b", // navy
  "#556b2f", // dark olive
  "#7f3c8d", // plum
  "#3b3b3b", // charcoal
];

/**
 * Format a number for a label: integers with thousands separators, others rounded to
 * `digits` significant decimals ("0.0123", "12.3", "1,235").
 */
export function formatNumber(x: number, digits = 3): string {
  if (!Number.isFinite(x)) return String(x);
  if (Number.isInteger(x)) return formatCount(x);
  const a = Math.abs(x);
  if (a >= 100) return formatCount(Math.round(x));
  const d = Math.max(0, Math.min(8, digits - 1 - Math.floor(Math.log10(a))));
  return String(Math.round(x * 10 ** d) / 10 ** d);
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
