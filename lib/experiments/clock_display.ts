/**
 * Small display helpers for the clock notebooks (07 and 11): markdown tables and text that render
 * in Jupyter and print as plain text elsewhere, and one chart composition the viz builders lack
 * (measured points drawn over a predicted line).
 * @module
 */
import type { TopLevelSpec } from "vega-lite";
import { lineChart } from "../viz/tables.ts";

/** One column of a {@link MarkdownTable}. */
export interface TableColumn<R> {
  /** The row field shown. */
  readonly key: keyof R & string;
  /** Header text. Default: the key. */
  readonly title?: string;
  /** Formats a cell. Default: numbers with up to 3 decimals, null as "—", others as strings. */
  readonly format?: (value: R[keyof R & string], row: R) => string;
}

/** Format a cell value the default way. */
export function formatCell(v: unknown): string {
  if (v === null || v === undefined) return "—";
  if (typeof v === "number") {
    if (!Number.isFinite(v)) return String(v);
    return Number.isInteger(v) ? v.toLocaleString("en-US") : (Math.round(v * 1000) / 1000)
      .toLocaleString("en-US", { maximumFractionDigits: 3 });
  }
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
}

/** A table of rows that shows as markdown in Jupyter and as aligned text elsewhere. */
export class MarkdownTable<R extends object> {
  /** The header texts. */
  readonly headers: readonly string[];
  /** The formatted cells, row by row. */
  readonly cells: readonly (readonly string[])[];

  /** Format `rows` with `columns` (default: every key of the first row). */
  constructor(rows: readonly R[], columns?: readonly TableColumn<R>[]) {
    const cols: readonly TableColumn<R>[] = columns ??
      Object.keys(rows[0] ?? {}).map((k) => ({ key: k as keyof R & string }));
    this.headers = cols.map((c) => c.title ?? c.key);
    this.cells = rows.map((r) =>
      cols.map((c) => (c.format ? c.format(r[c.key], r) : formatCell(r[c.key])))
    );
  }

  /** The table as GitHub-flavoured markdown. */
  toMarkdown(): string {
    const esc = (s: string) => s.replace(/\|/g, "\\|").replace(/\n/g, " ");
    return [
      `| ${this.headers.map(esc).join(" | ")} |`,
      `|${this.headers.map(() => "---").join("|")}|`,
      ...this.cells.map((row) => `| ${row.map(esc).join(" | ")} |`),
    ].join("\n");
  }

  /** The table as aligned plain text. */
  toString(): string {
    const widths = this.headers.map((h, i) =>
      Math.max(h.length, ...this.cells.map((r) => r[i].length))
    );
    const line = (cells: readonly string[]) =>
      cells.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd();
    return [line(this.headers), ...this.cells.map(line)].join("\n");
  }

  /** The Jupyter MIME bundle: markdown and plain text. */
  bundle(): Record<string, string> {
    return { "text/markdown": this.toMarkdown(), "text/plain": this.toString() };
  }

  [Symbol.for("Jupyter.display")](): Record<string, string> {
    return this.bundle();
  }
}

/** Build a {@link MarkdownTable}. */
export function markdownTable<R extends object>(
  rows: readonly R[],
  columns?: readonly TableColumn<R>[],
): MarkdownTable<R> {
  return new MarkdownTable(rows, columns);
}

/** Markdown text computed in a cell (a status paragraph, a generated list). */
export class MarkdownText {
  /** Wrap markdown source. */
  constructor(readonly text: string) {}
  /** The source itself. */
  toString(): string {
    return this.text;
  }
  /** The Jupyter MIME bundle: markdown and plain text. */
  bundle(): Record<string, string> {
    return { "text/markdown": this.text, "text/plain": this.text };
  }

  [Symbol.for("Jupyter.display")](): Record<string, string> {
    return this.bundle();
  }
}

type LayerSpec = Extract<TopLevelSpec, { layer: unknown }>;

/** Options of {@link pointsOverLine}. */
export interface PointsOverLineOptions {
  /** x field (shared by the line rows and the point rows). */
  readonly x: string;
  /** y field (shared). */
  readonly y: string;
  /** Series field of both; line and point series share one colour legend. */
  readonly series: string;
  /** Chart title. */
  readonly title: string;
  /** Subtitle. Default none. */
  readonly subtitle?: string;
  /** x-axis title with units. */
  readonly xTitle: string;
  /** y-axis title with units. */
  readonly yTitle: string;
  /** Legend title. Default "series". */
  readonly seriesTitle?: string;
  /** Include zero in the y scale. Default true. */
  readonly zeroY?: boolean;
}

/**
 * A line (theory: a prediction or a bound) with measured points drawn over it, one colour legend
 * for both. Points that lie on the line show the prediction holding; a point off it stands out.
 * @example
 * ```ts
 * pointsOverLine(
 *   [{ a: 0, e: 0, s: "predicted" }, { a: 40, e: 20, s: "predicted" }],
 *   [{ a: 20, e: 10.1, s: "measured" }],
 *   { x: "a", y: "e", series: "s", title: "t", xTitle: "a (ms)", yTitle: "e (ms)" },
 * );
 * ```
 */
export function pointsOverLine(
  lineRows: readonly Record<string, unknown>[],
  pointRows: readonly Record<string, unknown>[],
  o: PointsOverLineOptions,
): TopLevelSpec {
  const spec = lineChart(lineRows, {
    x: o.x,
    y: o.y,
    series: o.series,
    points: false,
    title: o.title,
    subtitle: o.subtitle,
    xTitle: o.xTitle,
    yTitle: o.yTitle,
    seriesTitle: o.seriesTitle ?? "series",
    zeroY: o.zeroY ?? true,
  }) as LayerSpec;
  const series = o.seriesTitle ?? "series";
  const layer: LayerSpec["layer"][number] = {
    name: "measured points",
    data: { values: pointRows.map((r) => ({ ...r, marker: r[o.series] })) },
    mark: { type: "point", filled: true, size: 70, opacity: 0.85, stroke: "#333333", aria: false },
    encoding: {
      x: { field: o.x, type: "quantitative", title: o.xTitle },
      y: { field: o.y, type: "quantitative", title: o.yTitle },
      color: { field: o.series, type: "nominal", title: series, legend: { labelLimit: 400 } },
      // a second cue where points of two series coincide (a field of its own, so that the colour
      // legend, which also names the line, is not merged with a shape legend)
      shape: { field: "marker", type: "nominal", legend: null },
      tooltip: [
        { field: o.series, title: series },
        { field: o.x, title: o.xTitle, format: ",.4~f" },
        { field: o.y, title: o.yTitle, format: ",.4~f" },
      ],
    },
  };
  return { ...spec, layer: [...spec.layer, layer] };
}
