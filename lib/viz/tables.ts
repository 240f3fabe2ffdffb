/**
 * Generic charts over plain result rows: heatmaps for outcome tables (which scenario caught which
 * mistake; detection time over timeout × loss), line charts and bar charts for parameter sweeps.
 * @module
 */
import type { TopLevelSpec } from "vega-lite";
import {
  countPhrase,
  DEFAULT_HEIGHT,
  DEFAULT_MAX_MARKS,
  DEFAULT_WIDTH,
  extent,
  formatCount,
  formatMs,
  type LayerItem,
  READABLE_CONFIG,
  titleBlock,
  TYPE_PALETTE,
  type UnitEncoding,
  VEGA_LITE_SCHEMA,
  type VizMeta,
  wrapAxisTitle,
  zoomParam,
} from "./_common.ts";
import { strideSample } from "./sampling.ts";

/** A vega colour scheme name ("blues", "viridis", "redyellowgreen", ...). */
export type ColorScheme =
  & Extract<
    NonNullable<
      Extract<NonNullable<UnitEncoding["color"]>, { field?: unknown; scale?: unknown }>["scale"]
    >,
    { scheme?: unknown }
  >["scheme"]
  & string;

/** A field name of row type `R`. */
export type FieldOf<R> = keyof R & string;

function sortArray(xs: readonly string[] | readonly number[]): string[] | number[] {
  return xs.every((v) => typeof v === "number") ? (xs as number[]).slice() : xs.map(String);
}

/** Options of {@link heatmap}. */
export interface HeatmapOptions<R> {
  /** Column field. */
  readonly x: FieldOf<R>;
  /** Row field. */
  readonly y: FieldOf<R>;
  /** Cell value: numbers get a sequential colour scale, anything else a categorical one. */
  readonly value: FieldOf<R>;
  /** Text shown in each cell. Default: the value (numbers formatted with `format`). */
  readonly text?: FieldOf<R>;
  /** d3-format for numeric cell text and tooltips. Default ",.3~f". */
  readonly format?: string;
  /** Chart title. Default "<value> by <x> and <y>". */
  readonly title?: string;
  /** Subtitle (e.g. units or the seed range). Default none. */
  readonly subtitle?: string;
  /** Axis and legend titles, with units. Default: the field names. */
  readonly xTitle?: string;
  /** y-axis title with units. Default: the field name. */
  readonly yTitle?: string;
  /** Legend title of the value. Default: the field name. */
  readonly valueTitle?: string;
  /** Scale type of x and y: "ordinal" sorts numbers numerically, "nominal" keeps `xSort`/`ySort` or first appearance. Default "ordinal". */
  readonly xType?: "ordinal" | "nominal";
  /** Scale type of y (see `xType`). Default "ordinal". */
  readonly yType?: "ordinal" | "nominal";
  /** Explicit category orders. Default: natural order of the values. */
  readonly xSort?: readonly string[] | readonly number[];
  /** Explicit row order. Default: natural order of the values. */
  readonly ySort?: readonly string[] | readonly number[];
  /** Colour scheme for numeric values (a vega scheme name). Default "blues"; e.g. "redyellowgreen" with `reverse`. */
  readonly scheme?: ColorScheme;
  /** Reverse the numeric colour scale (high = light). Default false. */
  readonly reverse?: boolean;
  /** Log colour scale for numeric values spanning orders of magnitude ("symlog" also takes zeros). Default false. */
  readonly logColor?: boolean | "symlog";
  /** Colours for categorical values as [value, colour] pairs. Default: a categorical scheme. */
  readonly colors?: readonly (readonly [string, string])[];
  /** Cell size (px). Default 56 wide × 32 high. */
  readonly cellWidth?: number;
  /** Cell height (px). Default 32. */
  readonly cellHeight?: number;
}

/**
 * A heatmap of a result table with the value written in each cell.
 *
 * @example
 * ```ts
 * import { heatmap, show } from "@lab/viz/mod.ts";
 * const rows = [
 *   { timeoutMs: 100, lossRatio: 0, detectMs: 130 },
 *   { timeoutMs: 100, lossRatio: 0.1, detectMs: 180 },
 *   { timeoutMs: 200, lossRatio: 0, detectMs: 240 },
 *   { timeoutMs: 200, lossRatio: 0.1, detectMs: 310 },
 * ];
 * show(heatmap(rows, {
 *   x: "timeoutMs", y: "lossRatio", value: "detectMs",
 *   xTitle: "timeout (ms)", yTitle: "loss ratio", valueTitle: "detection time (ms)",
 * }));
 * ```
 */
export function heatmap<R extends object>(
  rows: readonly R[],
  options: HeatmapOptions<R>,
): TopLevelSpec {
  const { x, y, value } = options;
  const fmt = options.format ?? ",.3~f";
  const values = rows.map((r) => (r as Record<string, unknown>)[value]);
  const numeric = values.length > 0 &&
    values.every((v) => v === null || v === undefined || typeof v === "number");
  const [lo, hi] = numeric ? extent(values as number[]) : [NaN, NaN];
  // the colour midpoint, where cell text turns light (geometric on a log scale)
  const mid = options.logColor === true && lo > 0 ? Math.sqrt(lo * hi) : (lo + hi) / 2;
  const valueTitle = options.valueTitle ?? value;
  const xTitle = options.xTitle ?? x;
  const yTitle = options.yTitle ?? y;
  const ref = (f: string) => `datum[${JSON.stringify(f)}]`;
  // Light text on the dark half of the colour scale.
  const darkTest = options.reverse ? `${ref(value)} < ${mid}` : `${ref(value)} > ${mid}`;
  const colorEnc: UnitEncoding["color"] = numeric
    ? {
      field: value,
      type: "quantitative",
      title: valueTitle,
      scale: {
        scheme: options.scheme ?? "blues",
        reverse: options.reverse ?? false,
        ...(options.logColor === "symlog"
          ? { type: "symlog" as const }
          : options.logColor
          ? { type: "log" as const }
          : {}),
      },
    }
    : {
      field: value,
      type: "nominal",
      title: valueTitle,
      scale: options.colors
        ? { domain: options.colors.map((c) => c[0]), range: options.colors.map((c) => c[1]) }
        : { scheme: "tableau10" },
    };
  const xDef = {
    field: x,
    type: options.xType ?? "ordinal",
    title: xTitle,
    sort: options.xSort ? sortArray(options.xSort) : "ascending",
    axis: { labelAngle: 0 },
  } as const;
  const yDef = {
    field: y,
    type: options.yType ?? "ordinal",
    title: yTitle,
    sort: options.ySort ? sortArray(options.ySort) : "ascending",
  } as const;
  const tooltip = [
    { field: x, title: xTitle },
    { field: y, title: yTitle },
    numeric
      ? { field: value, title: valueTitle, format: fmt }
      : { field: value, title: valueTitle },
  ];
  const textEnc: UnitEncoding["text"] = options.text
    ? { field: options.text }
    : numeric
    ? { field: value, type: "quantitative", format: fmt }
    : { field: value };
  const xs = new Set(rows.map((r) => (r as Record<string, unknown>)[x]));
  const ys = new Set(rows.map((r) => (r as Record<string, unknown>)[y]));
  const layers: LayerItem[] = [
    {
      name: "cells",
      mark: { type: "rect", stroke: "#ffffff", strokeWidth: 1 },
      encoding: { x: { ...xDef, sort: xDef.sort }, y: { ...yDef }, color: colorEnc, tooltip },
    },
    {
      name: "cell text",
      mark: { type: "text", fontSize: 11 },
      encoding: {
        x: { ...xDef },
        y: { ...yDef },
        text: textEnc,
        color: numeric
          ? { condition: { test: darkTest, value: "#ffffff" }, value: "#222222" }
          : { value: "#222222" },
        tooltip,
      },
    },
  ];
  const meta: VizMeta = {
    builder: "heatmap",
    summary: [
      `${formatCount(ys.size)} rows × ${formatCount(xs.size)} columns, ${
        formatCount(rows.length)
      } cells`,
      numeric
        ? `${valueTitle}: min ${formatMs(lo)}, max ${formatMs(hi)}`
        : `${valueTitle}: ${[...new Set(values.map(String))].sort().join(", ")}`,
    ],
  };
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: titleBlock(
      options.title ?? `${valueTitle} by ${xTitle} and ${yTitle}`,
      options.subtitle ? [options.subtitle] : [],
    ),
    width: Math.max(1, xs.size) * (options.cellWidth ?? 56),
    height: Math.max(1, ys.size) * (options.cellHeight ?? 32),
    config: READABLE_CONFIG,
    usermeta: { distlab: meta },
    data: { values: rows.slice() },
    layer: layers,
  };
}

/** Error bars or a band from two fields of each row. */
export interface ErrorSpec<R> {
  /** Lower and upper bound fields (e.g. p5 / p95, or mean ± stddev precomputed). */
  readonly lower: FieldOf<R>;
  /** Upper bound field. */
  readonly upper: FieldOf<R>;
  /** "band" (shaded area) or "bars" (whiskers). Default "band" for lines, always bars for bar charts. */
  readonly style?: "band" | "bars";
}

/** Options of {@link lineChart}. */
export interface LineChartOptions<R> {
  /** x field. */
  readonly x: FieldOf<R>;
  /** y field. */
  readonly y: FieldOf<R>;
  /** One line per value of this field. Default: a single line. */
  readonly series?: FieldOf<R>;
  /** Error band or bars. Default none. */
  readonly error?: ErrorSpec<R>;
  /** Chart title. Default "<y> by <x>". */
  readonly title?: string;
  /** Subtitle. Default none. */
  readonly subtitle?: string;
  /** Axis titles with units. Default: the field names. */
  readonly xTitle?: string;
  /** y-axis title with units. Default: the field name. */
  readonly yTitle?: string;
  /** Legend title of the series. Default: the field name. */
  readonly seriesTitle?: string;
  /** Log scales. Default false. */
  readonly logX?: boolean;
  /** Log y scale (for geometric decay); "symlog" also draws zeros. Default false. */
  readonly logY?: boolean | "symlog";
  /** Include zero in the y scale. Default true (false with logY). */
  readonly zeroY?: boolean;
  /**
   * Theory next to the measurements, drawn dashed in the colour of its series: the name of a
   * field of the same rows holding the prediction, or rows of their own with the `x`, `y` (and
   * `series`) fields. Default none.
   */
  readonly theory?: FieldOf<R> | readonly R[];
  /** Legend names of the measured and theory lines. Default ["measured", "theory"]. */
  readonly theoryLabels?: readonly [string, string];
  /** Draw a point at each row. Default true. */
  readonly points?: boolean;
  /** Most rows drawn (strided in input order). Default 2000. */
  readonly maxPoints?: number;
  /** Plot width in px (default noted on the builder). */
  readonly width?: number;
  /** Plot height in px (default noted on the builder). */
  readonly height?: number;
}

/**
 * A line chart of rows (a parameter sweep), optionally one line per series with an error band or
 * bars; zoom and pan on x.
 *
 * @example
 * ```ts
 * import { lineChart, show } from "@lab/viz/mod.ts";
 * const rows = [1, 2, 3].map((n) => ({ nodes: n * 2 + 1, msgsPerOp: n * 4, lo: n * 3, hi: n * 5 }));
 * show(lineChart(rows, { x: "nodes", y: "msgsPerOp", error: { lower: "lo", upper: "hi" },
 *   xTitle: "cluster size (nodes)", yTitle: "messages per operation" }));
 * ```
 */
export function lineChart<R extends object>(
  rows: readonly R[],
  options: LineChartOptions<R>,
): TopLevelSpec {
  const { x, y, series } = options;
  const shown = strideSample(rows, options.maxPoints ?? DEFAULT_MAX_MARKS);
  const xTitle = options.xTitle ?? x;
  const yTitle = options.yTitle ?? y;
  const logY = options.logY ?? false;
  const width = options.width ?? DEFAULT_WIDTH;
  const xDef = {
    field: x,
    type: "quantitative" as const,
    title: wrapAxisTitle(xTitle, width),
    scale: options.logX ? { type: "log" as const } : { zero: false },
  };
  const yScale = logY === "symlog"
    ? { type: "symlog" as const }
    : logY
    ? { type: "log" as const }
    : { zero: options.zeroY ?? true };
  const seriesNames = series
    ? [...new Set(rows.map((r) => String((r as Record<string, unknown>)[series])))]
    : [];
  const colorEnc: UnitEncoding["color"] | undefined = series
    ? {
      field: series,
      type: "nominal",
      title: options.seriesTitle ?? series,
      ...(seriesNames.length <= TYPE_PALETTE.length
        ? { scale: { domain: seriesNames, range: TYPE_PALETTE.slice(0, seriesNames.length) } }
        : {}),
    }
    : undefined;
  const tooltip = [
    ...(series ? [{ field: series, title: options.seriesTitle ?? series }] : []),
    { field: x, title: xTitle, format: ",.4~f" },
    { field: y, title: yTitle, format: ",.4~f" },
    ...(options.error
      ? [
        { field: options.error.lower, title: "lower", format: ",.4~f" },
        { field: options.error.upper, title: "upper", format: ",.4~f" },
      ]
      : []),
  ];
  const layers: LayerItem[] = [];
  if (options.error) {
    const style = options.error.style ?? "band";
    layers.push({
      name: style === "band" ? "error band" : "error bars",
      mark: style === "band"
        ? { type: "area", opacity: 0.2, aria: false }
        : { type: "rule", strokeWidth: 1.2, aria: false },
      encoding: {
        x: xDef,
        y: { field: options.error.lower, type: "quantitative", title: yTitle, scale: yScale },
        y2: { field: options.error.upper },
        ...(colorEnc ? { color: colorEnc } : {}),
      },
    });
  }
  const [measuredName, theoryName] = options.theoryLabels ?? ["measured", "theory"];
  const theory = options.theory;
  const dash = theory === undefined ? undefined : {
    type: "nominal" as const,
    title: "",
    scale: { domain: [measuredName, theoryName], range: [[1, 0], [6, 4]] },
    legend: {
      symbolType: "stroke",
      symbolStrokeWidth: 2,
      encode: { symbols: { update: { stroke: { value: "#555555" } } } },
    },
  };
  const yAxisTitle = wrapAxisTitle(yTitle, options.height ?? DEFAULT_HEIGHT);
  layers.push({
    name: "lines",
    params: [zoomParam("x")],
    mark: {
      type: "line",
      point: (options.points ?? true) ? { aria: false } : false,
      strokeWidth: 1.5,
      aria: false,
    },
    encoding: {
      x: xDef,
      y: { field: y, type: "quantitative", title: yAxisTitle, scale: yScale },
      ...(colorEnc ? { color: colorEnc } : {}),
      ...(dash ? { strokeDash: { datum: measuredName, ...dash } } : {}),
      tooltip,
    },
  });
  if (theory !== undefined) {
    const own = typeof theory !== "string";
    const theoryY = own ? y : theory;
    const theoryRows = own
      ? strideSample(theory, options.maxPoints ?? DEFAULT_MAX_MARKS)
      : undefined;
    layers.push({
      name: "theory",
      ...(theoryRows ? { data: { values: theoryRows } } : {}),
      mark: {
        type: "line",
        strokeWidth: 1.5,
        aria: false,
        ...(colorEnc ? {} : { color: "#555555" }),
      },
      encoding: {
        x: xDef,
        y: { field: theoryY, type: "quantitative", title: yAxisTitle, scale: yScale },
        ...(colorEnc ? { color: colorEnc } : {}),
        strokeDash: { datum: theoryName, ...dash! },
        tooltip: [
          ...(series ? [{ field: series, title: options.seriesTitle ?? series }] : []),
          { field: x, title: xTitle, format: ",.4~f" },
          { field: theoryY, title: `${theoryName}: ${yTitle}`, format: ",.4~f" },
        ],
      },
    });
  }
  const nSeries = series
    ? new Set(rows.map((r) => (r as Record<string, unknown>)[series])).size
    : 1;
  const meta: VizMeta = {
    builder: "lineChart",
    summary: [
      `${formatCount(rows.length)} rows, ${formatCount(nSeries)} series`,
      ...(options.theory === undefined
        ? []
        : [`theory drawn dashed (${
          typeof options.theory === "string"
            ? `field ${options.theory}`
            : `${formatCount(options.theory.length)} rows`
        })`]),
    ],
  };
  const subtitle = [
    options.subtitle ?? "",
    shown.length < rows.length ? countPhrase(shown.length, rows.length, "rows") : "",
  ];
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: titleBlock(options.title ?? `${yTitle} by ${xTitle}`, subtitle, width + 120),
    width,
    height: options.height ?? DEFAULT_HEIGHT,
    config: READABLE_CONFIG,
    usermeta: { distlab: meta },
    data: { values: shown },
    layer: layers,
  };
}

/** Options of {@link barChart}. */
export interface BarChartOptions<R> {
  /** Category field (bars). */
  readonly x: FieldOf<R>;
  /** Value field (bar length). */
  readonly y: FieldOf<R>;
  /** Grouped bars, one per value of this field within each category. Default none. */
  readonly series?: FieldOf<R>;
  /** Error bars. Default none. */
  readonly error?: ErrorSpec<R>;
  /** Chart title. Default "<y> by <x>". */
  readonly title?: string;
  /** Subtitle. Default none. */
  readonly subtitle?: string;
  /** x-axis title with units. Default: the field name. */
  readonly xTitle?: string;
  /** y-axis title with units. Default: the field name. */
  readonly yTitle?: string;
  /** Legend title of the series. Default: the field name. */
  readonly seriesTitle?: string;
  /** Category order. Default: first appearance. */
  readonly xSort?: readonly string[] | readonly number[];
  /** Horizontal bars (categories on y). Default false. */
  readonly horizontal?: boolean;
  /** Log value scale (for counts that fall geometrically); "symlog" also draws zeros. Default false. */
  readonly logY?: boolean | "symlog";
  /** Value text next to each bar. Default false. */
  readonly labels?: boolean;
  /**
   * Theory next to each measured bar, drawn as a black tick across the bar: the name of a field of
   * the same rows holding the prediction, or rows of their own with the `x`, `y` (and `series`)
   * fields. Default none.
   */
  readonly theory?: FieldOf<R> | readonly R[];
  /** Legend name of the theory ticks. Default "theory". */
  readonly theoryLabel?: string;
  /** Plot width in px (default noted on the builder). */
  readonly width?: number;
  /** Plot height in px (default noted on the builder). */
  readonly height?: number;
}

/**
 * A bar chart of rows, grouped by an optional series, with optional error bars.
 *
 * @example
 * ```ts
 * import { barChart, show } from "@lab/viz/mod.ts";
 * show(barChart([
 *   { protocol: "raft", msgsPerOp: 4.1 },
 *   { protocol: "pbft", msgsPerOp: 17.8 },
 * ], { x: "protocol", y: "msgsPerOp", yTitle: "messages per operation" }));
 * ```
 */
export function barChart<R extends object>(
  rows: readonly R[],
  options: BarChartOptions<R>,
): TopLevelSpec {
  const { x, y, series } = options;
  const xTitle = options.xTitle ?? x;
  const yTitle = options.yTitle ?? y;
  const horizontal = options.horizontal ?? false;
  const firstSeen = [...new Set(rows.map((r) => (r as Record<string, unknown>)[x]))];
  const cats = sortArray(
    options.xSort ??
      (firstSeen.every((v) => typeof v === "number")
        ? firstSeen as number[]
        : firstSeen.map(String)),
  );
  const catDef = {
    field: x,
    type: "nominal" as const,
    title: xTitle,
    sort: cats,
    axis: { labelAngle: 0 },
  };
  const valDef = {
    field: y,
    type: "quantitative" as const,
    title: wrapAxisTitle(
      yTitle,
      horizontal ? options.width ?? DEFAULT_WIDTH / 2 : options.height ?? DEFAULT_HEIGHT,
    ),
    scale: options.logY === "symlog"
      ? { type: "symlog" as const }
      : options.logY
      ? { type: "log" as const }
      : { zero: true },
    // grouped bars sit side by side (xOffset), never stacked; stacking from 0 also breaks log
    stack: null,
  };
  const offset = series ? { field: series, type: "nominal" as const } : undefined;
  const seriesNames = series
    ? [...new Set(rows.map((r) => String((r as Record<string, unknown>)[series])))]
    : [];
  const colorEnc: UnitEncoding["color"] | undefined = series
    ? {
      field: series,
      type: "nominal",
      title: options.seriesTitle ?? series,
      ...(seriesNames.length <= TYPE_PALETTE.length
        ? { scale: { domain: seriesNames, range: TYPE_PALETTE.slice(0, seriesNames.length) } }
        : {}),
    }
    : { value: "#4c78a8" };
  const tooltip = [
    { field: x, title: xTitle },
    ...(series ? [{ field: series, title: options.seriesTitle ?? series }] : []),
    { field: y, title: yTitle, format: ",.4~f" },
    ...(options.error
      ? [
        { field: options.error.lower, title: "lower", format: ",.4~f" },
        { field: options.error.upper, title: "upper", format: ",.4~f" },
      ]
      : []),
  ];
  const layers: LayerItem[] = [
    {
      name: "bars",
      mark: { type: "bar" },
      encoding: horizontal
        ? { y: catDef, x: valDef, ...(offset ? { yOffset: offset } : {}), color: colorEnc, tooltip }
        : {
          x: catDef,
          y: valDef,
          ...(offset ? { xOffset: offset } : {}),
          color: colorEnc,
          tooltip,
        },
    },
  ];
  if (options.error) {
    const lo = { field: options.error.lower, type: "quantitative" as const, title: yTitle };
    const hi = { field: options.error.upper };
    layers.push({
      name: "error bars",
      mark: { type: "rule", color: "#222222", strokeWidth: 1.2 },
      encoding: horizontal
        ? { y: catDef, x: lo, x2: hi, ...(offset ? { yOffset: offset } : {}) }
        : { x: catDef, y: lo, y2: hi, ...(offset ? { xOffset: offset } : {}) },
    });
  }
  if (options.theory !== undefined) {
    const own = typeof options.theory !== "string";
    const theoryY = own ? y : options.theory as string;
    const tv = { ...valDef, field: theoryY };
    const legend = {
      datum: options.theoryLabel ?? "theory",
      type: "nominal" as const,
      title: "",
      scale: { range: ["#111111"] },
    };
    layers.push({
      name: "theory",
      ...(own ? { data: { values: (options.theory as readonly R[]).slice() } } : {}),
      mark: { type: "tick", thickness: 2.5, color: "#111111", aria: false },
      encoding: {
        ...(horizontal
          ? { y: catDef, x: tv, ...(offset ? { yOffset: offset } : {}) }
          : { x: catDef, y: tv, ...(offset ? { xOffset: offset } : {}) }),
        stroke: { ...legend, legend: { symbolType: "stroke", symbolStrokeWidth: 2.5 } },
        tooltip: [
          { field: x, title: xTitle },
          ...(series ? [{ field: series, title: options.seriesTitle ?? series }] : []),
          {
            field: theoryY,
            title: `${options.theoryLabel ?? "theory"}: ${yTitle}`,
            format: ",.4~f",
          },
        ],
      },
    });
  }
  if (options.labels) {
    layers.push({
      name: "labels",
      mark: horizontal
        ? { type: "text", align: "left", dx: 3, fontSize: 10 }
        : { type: "text", baseline: "bottom", dy: -2, fontSize: 10 },
      encoding: horizontal
        ? {
          y: catDef,
          x: valDef,
          text: { field: y, format: ",.3~f" },
          ...(offset ? { yOffset: offset } : {}),
        }
        : {
          x: catDef,
          y: valDef,
          text: { field: y, format: ",.3~f" },
          ...(offset ? { xOffset: offset } : {}),
        },
    });
  }
  const nSeries = series
    ? new Set(rows.map((r) => (r as Record<string, unknown>)[series])).size
    : 1;
  const groupStep = series ? Math.max(24, 14 * nSeries + 8) : 40;
  const meta: VizMeta = {
    builder: "barChart",
    summary: [
      `${formatCount(rows.length)} bars in ${formatCount(cats.length)} categories`,
      ...(options.theory === undefined ? [] : ["theory drawn as black ticks"]),
    ],
  };
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: titleBlock(
      options.title ?? `${yTitle} by ${xTitle}`,
      options.subtitle ? [options.subtitle] : [],
      (horizontal
        ? options.width ?? DEFAULT_WIDTH / 2
        : options.width ?? groupStep * Math.max(1, cats.length)) + 140,
    ),
    width: horizontal ? options.width ?? DEFAULT_WIDTH / 2 : options.width ?? { step: groupStep },
    height: horizontal ? options.height ?? { step: groupStep } : options.height ?? DEFAULT_HEIGHT,
    config: READABLE_CONFIG,
    usermeta: { distlab: meta },
    data: { values: rows.slice() },
    layer: layers,
  };
}
