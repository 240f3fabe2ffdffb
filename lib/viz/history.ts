/**
 * A history as a chart, Porcupine / Knossos style: one lane per client process, one bar per
 * operation from invocation to completion (unknown outcomes run to the end, hatched), labelled
 * with what it did. Given a linearizability witness, the operations whose results contradict each
 * other are red, the operations they rely on are orange, and the rest fade.
 * @module
 */
import type { TopLevelSpec } from "vega-lite";
import type { Operation } from "../workload/history.ts";
import type { LinearizabilityWitness } from "../checkers/linearizability.ts";
import {
  countPhrase,
  DEFAULT_WIDTH,
  formatRange,
  naturalCompare,
  titleBlock,
  truncateJson,
  VEGA_LITE_SCHEMA,
  zoomParam,
} from "./_common.ts";

/** Options of {@link historyChart}. */
export interface HistoryChartOptions {
  /** A witness from `checkLinearizability`; its operation ids index `ops`. Default none. */
  readonly witness?: Pick<LinearizabilityWitness, "operations" | "label">;
  /** Only operations on this key (key-value histories). Default: the witness's key, else all. */
  readonly key?: string;
  /** Draw only the witness's operations and those overlapping them in time. Default true with a witness. */
  readonly focus?: boolean;
  /** Most operations drawn (the earliest first). Default 300. */
  readonly maxOps?: number;
  /** Chart title. Default "History" or "Not linearizable: <label>". */
  readonly title?: string;
  /** Plot width in px. Default 640. */
  readonly width?: number;
}

/** One bar of the chart. */
export interface HistoryBar {
  /** Index of the operation in the `ops` array charted. */
  readonly id: number;
  /** Row of the bar: the client process as `p<n>`. */
  readonly process: string;
  /** Invocation time in ms. */
  readonly startMs: number;
  /** Completion time in ms; the chart's end for an open operation. */
  readonly endMs: number;
  /** Text on the bar: the witness description, else `f[key](input) → output`. */
  readonly label: string;
  /** The operation's outcome: "ok", "fail" or "info". */
  readonly status: string;
  /** "critical", "context", "other" (with a witness) or the outcome (without). */
  readonly role: string;
  /** True when the outcome is unknown (no finite completion); drawn to the chart's end. */
  readonly open: boolean;
}

function describe(op: Operation): string {
  const key = op.key !== undefined ? `[${op.key}]` : "";
  const input = op.input === null || op.input === undefined ? "" : truncateJson(op.input, 24);
  const out = op.status === "ok"
    ? (op.output === undefined || op.output === null ? "ok" : truncateJson(op.output, 24))
    : op.status;
  return `${op.f}${key}(${input}) → ${out}`;
}

/** The bars of a history chart (exposed for tests and custom charts). */
export function historyBars(
  ops: readonly Operation[],
  options: HistoryChartOptions = {},
): { bars: HistoryBar[]; total: number; endMs: number } {
  const roles = new Map<number, { role: string; label: string }>();
  for (const w of options.witness?.operations ?? []) {
    roles.set(w.id, { role: w.role, label: w.description });
  }
  const key = options.key ?? (options.witness?.operations.find((w) => w.key !== undefined)?.key);
  let endMs = 0;
  for (const o of ops) {
    endMs = Math.max(endMs, o.invokeMs, Number.isFinite(o.completeMs) ? o.completeMs : 0);
  }
  let ids = ops.map((_, i) => i).filter((i) => key === undefined || ops[i].key === key);
  const focus = options.focus ?? roles.size > 0;
  if (focus && roles.size > 0) {
    const ws = [...roles.keys()].map((i) => ops[i]);
    const lo = Math.min(...ws.map((o) => o.invokeMs));
    const hi = Math.max(
      ...ws.map((o) => (Number.isFinite(o.completeMs) ? o.completeMs : o.invokeMs)),
    );
    ids = ids.filter((i) => {
      const o = ops[i];
      const end = Number.isFinite(o.completeMs) ? o.completeMs : endMs;
      return roles.has(i) || (o.invokeMs <= hi && end >= lo);
    });
  }
  const total = ids.length;
  const maxOps = options.maxOps ?? 300;
  const kept = ids.length > maxOps
    ? [...ids.filter((i) => roles.has(i)), ...ids.filter((i) => !roles.has(i))].slice(0, maxOps)
      .sort((a, b) => a - b)
    : ids;
  const bars = kept.map((i): HistoryBar => {
    const o = ops[i];
    const r = roles.get(i);
    const open = !Number.isFinite(o.completeMs);
    return {
      id: i,
      process: `p${o.process}`,
      startMs: o.invokeMs,
      endMs: open ? endMs : Math.max(o.completeMs, o.invokeMs),
      label: r?.label ?? describe(o),
      status: o.status,
      role: roles.size ? (r?.role ?? "other") : o.status,
      open,
    };
  });
  return { bars, total, endMs };
}

/**
 * A history chart; with a witness, the contradiction is highlighted.
 * @example
 * ```ts
 * const ops = pairOperations(history);
 * const r = checkLinearizability(ops, kvModel());
 * show(historyChart(ops, { witness: r.witness }));
 * ```
 */
export function historyChart(
  ops: readonly Operation[],
  options: HistoryChartOptions = {},
): TopLevelSpec {
  const { bars, total } = historyBars(ops, options);
  const withWitness = (options.witness?.operations.length ?? 0) > 0;
  const domain = withWitness ? ["critical", "context", "other"] : ["ok", "fail", "info"];
  const range = withWitness ? ["#d62728", "#ff9f40", "#d0d0d0"] : ["#4c78a8", "#e45756", "#f58518"];
  const lo = Math.min(...bars.map((b) => b.startMs)), hi = Math.max(...bars.map((b) => b.endMs));
  const subtitle = [
    `${countPhrase(bars.length, total, "operations")}, ${formatRange(lo, hi)}`,
    ...(withWitness
      ? ["red: results that cannot all be linearized; orange: operations they rely on"]
      : []),
  ];
  const processes = [...new Set(bars.map((b) => b.process))].sort(naturalCompare);
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: titleBlock(
      options.title ?? (withWitness ? `Not linearizable: ${options.witness!.label}` : "History"),
      subtitle,
    ),
    width: options.width ?? DEFAULT_WIDTH,
    height: Math.max(60, processes.length * 28),
    data: { values: bars.map((b) => ({ ...b })) },
    encoding: {
      y: { field: "process", type: "nominal", sort: processes, title: "client process" },
      x: { field: "startMs", type: "quantitative", title: "time (ms)", scale: { zero: false } },
    },
    layer: [
      {
        params: [zoomParam("x")],
        mark: { type: "bar", height: 16, cornerRadius: 2, stroke: "#555", strokeWidth: 0.5 },
        encoding: {
          x2: { field: "endMs" },
          color: {
            field: "role",
            type: "nominal",
            scale: { domain, range },
            title: withWitness ? "role in the witness" : "outcome",
          },
          strokeDash: {
            field: "open",
            type: "nominal",
            scale: { domain: [false, true], range: [[1, 0], [4, 2]] },
            title: "unknown outcome",
          },
          opacity: { condition: { test: "datum.open", value: 0.45 }, value: 0.9 },
          tooltip: [
            { field: "label", title: "operation" },
            { field: "process" },
            { field: "startMs", title: "invoked (ms)", format: ",.1f" },
            { field: "endMs", title: "completed (ms)", format: ",.1f" },
            { field: "status" },
            { field: "id", title: "op id" },
          ],
        },
      },
      {
        // with a witness, label only its operations: the rest is context for the eye
        ...(withWitness ? { transform: [{ filter: "datum.role !== 'other'" }] } : {}),
        mark: { type: "text", align: "left", dx: 3, dy: -12, fontSize: 9, color: "#222" },
        encoding: { text: { field: "label" } },
      },
    ],
    usermeta: {
      distlab: {
        builder: "historyChart",
        summary: [
          `${bars.length} of ${total} operations drawn`,
          ...(withWitness
            ? [
              `witness: ${options.witness!.operations.length} operations (${
                options.witness!.operations.filter((w) => w.role === "critical").length
              } critical)`,
            ]
            : []),
        ],
      },
    },
  } as TopLevelSpec;
}
