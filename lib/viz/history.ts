/**
 * A history as a chart, Porcupine / Knossos style: one lane per client process, one bar per
 * operation from invocation to completion (unknown outcomes run to the end, hatched), labelled
 * with what it did. Given a linearizability witness, the operations whose results contradict each
 * other are red, the operations they rely on are orange, and the rest fade.
 * @module
 */
import type { TopLevelSpec } from "vega-lite";
import type { Operation } from "../workload/history.ts";
import type { LinearizabilityWitness, PartitionResult } from "../checkers/linearizability.ts";
import {
  countPhrase,
  DEFAULT_WIDTH,
  formatRange,
  naturalCompare,
  READABLE_CONFIG,
  round,
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
  /**
   * Linearization points to draw: a linearization (operation ids into `ops`, in order), several
   * (one per partition), or a check result's `partitions` (those found linearizable). Each
   * operation gets a numbered dot at a point inside its interval consistent with the order, and
   * a thin line joins the dots in order. Default: the witness's linearizable prefix (the order
   * the checker found before it got stuck), else none.
   */
  readonly linearization?:
    | readonly number[]
    | readonly (readonly number[])[]
    | {
      readonly partitions: readonly Pick<
        PartitionResult,
        "linearization" | "verdict" | "skipped"
      >[];
    };
  /** A letter in each bar naming its kind (W write, R read, C cas). Default true. */
  readonly kindBadges?: boolean;
}

/** What an operation does, for labels and badges. */
export type OperationKind = "write" | "read" | "cas" | "other";

const WRITES = new Set(["write", "put", "append", "set", "add", "insert", "delete"]);
const READS = new Set(["read", "get"]);

/** The kind of an operation from its name: writes (write, put, append...), reads (read, get), cas. */
export function operationKind(f: string): OperationKind {
  return WRITES.has(f) ? "write" : READS.has(f) ? "read" : f === "cas" ? "cas" : "other";
}

/** One linearization point of a history chart. */
export interface LinearizationPoint {
  /** Operation id (index into `ops`). */
  readonly id: number;
  /** Position in its linearization, from 1. */
  readonly order: number;
  /** Which linearization (partition) it belongs to, from 0. */
  readonly group: number;
  /** The point's time (ms): inside the operation's interval, non-decreasing along the order. */
  readonly atMs: number;
}

/**
 * Times for the linearization points of `order` (ids into `ops`): the middle of the window each
 * operation can take effect in given the order, i.e. between the latest invocation so far and the
 * earliest completion still to come (open operations end at `endMs`). Non-decreasing along the
 * order, and inside each operation's interval whenever the order respects real time.
 */
export function linearizationPoints(
  ops: readonly Operation[],
  order: readonly number[],
  endMs: number,
  group = 0,
): LinearizationPoint[] {
  const n = order.length;
  const lo = new Array<number>(n);
  const hi = new Array<number>(n);
  let acc = -Infinity;
  for (let i = 0; i < n; i++) lo[i] = acc = Math.max(acc, ops[order[i]].invokeMs);
  acc = Infinity;
  for (let i = n - 1; i >= 0; i--) {
    const o = ops[order[i]];
    hi[i] = acc = Math.min(acc, Number.isFinite(o.completeMs) ? o.completeMs : endMs);
  }
  return order.map((id, i) => ({
    id,
    order: i + 1,
    group,
    atMs: round(hi[i] >= lo[i] ? (lo[i] + hi[i]) / 2 : lo[i], 4),
  }));
}

function linearizationsOf(options: HistoryChartOptions): readonly (readonly number[])[] {
  const l = options.linearization;
  if (l === undefined) {
    const w = options.witness as Partial<LinearizabilityWitness> | undefined;
    return w?.linearization && w.linearization.length > 0
      ? [w.linearization.filter((id) => !(w.skipped ?? []).includes(id))]
      : [];
  }
  if ("partitions" in l) {
    return l.partitions.filter((p) => p.verdict === "ok").map((p) =>
      p.linearization.filter((id) => !p.skipped.includes(id))
    );
  }
  if (l.length === 0) return [];
  return typeof l[0] === "number" ? [l as readonly number[]] : l as readonly (readonly number[])[];
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
  /** What it does: "write", "read", "cas" or "other". */
  readonly kind: OperationKind;
}

function val(v: unknown): string {
  return truncateJson(v, 16);
}

function casArgs(input: unknown): [unknown, unknown] | undefined {
  if (Array.isArray(input) && input.length === 2) return [input[0], input[1]];
  if (input !== null && typeof input === "object" && "from" in input && "to" in input) {
    const c = input as { from: unknown; to: unknown };
    return [c.from, c.to];
  }
  return undefined;
}

/**
 * An operation as a bar label that says what it did: `write 1`, `put k0 "a"`, `read → 1`,
 * `get k0 → "a"`, `cas 1→2`; a failed one ends in "✗ failed", an unknown outcome in "?".
 */
export function describeOperation(op: Operation): string {
  const key = op.key !== undefined ? `${op.key} ` : "";
  const kind = operationKind(op.f);
  const unknown = op.status === "info";
  const tail = op.status === "fail" ? " ✗ failed" : "";
  const input = op.input !== null && typeof op.input === "object" && "value" in op.input
    ? (op.input as { value: unknown }).value
    : op.input;
  switch (kind) {
    case "write":
      return `${op.f} ${key}${val(input)}${unknown ? " ?" : ""}${tail}`;
    case "read":
      return `${op.f} ${key}→ ${unknown ? "?" : val(op.output)}${tail}`.replace("  ", " ");
    case "cas": {
      const c = casArgs(input);
      const args = c ? `${val(c[0])}→${val(c[1])}` : val(input);
      const res = unknown ? " ?" : op.output === false ? " ✗" : "";
      return `cas ${key}${args}${res}${tail}`;
    }
    default: {
      const arg = input === null || input === undefined ? "" : val(input);
      const out = op.status === "ok"
        ? (op.output === undefined || op.output === null ? "ok" : val(op.output))
        : op.status;
      return `${op.f} ${key}${arg} → ${out}`.replace(/\s+/g, " ");
    }
  }
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
      label: r?.label ?? describeOperation(o),
      status: o.status,
      role: roles.size ? (r?.role ?? "other") : o.status,
      open,
      kind: operationKind(o.f),
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
  const { bars, total, endMs } = historyBars(ops, options);
  const drawn = new Map(bars.map((b) => [b.id, b]));
  const orders = linearizationsOf(options);
  const points = orders.flatMap((order, g) =>
    linearizationPoints(ops, order, endMs, g).filter((p) => drawn.has(p.id)).map((p) => ({
      ...p,
      process: drawn.get(p.id)!.process,
      label: drawn.get(p.id)!.label,
    }))
  );
  const fromWitness = options.linearization === undefined && points.length > 0;
  const withWitness = (options.witness?.operations.length ?? 0) > 0;
  const domain = withWitness ? ["critical", "context", "other"] : ["ok", "fail", "info"];
  const range = withWitness ? ["#d62728", "#ff9f40", "#d0d0d0"] : ["#4c78a8", "#e45756", "#f58518"];
  const lo = Math.min(...bars.map((b) => b.startMs)), hi = Math.max(...bars.map((b) => b.endMs));
  const subtitle = [
    `${countPhrase(bars.length, total, "operations")}, ${formatRange(lo, hi)}`,
    ...(withWitness
      ? ["red: results that cannot all be linearized; orange: operations they rely on"]
      : []),
    ...(points.length > 0
      ? [
        fromWitness
          ? `numbered dots: the order the checker linearized before it got stuck (${points.length} operations)`
          : `numbered dots: linearization points (${points.length} operations, in order)`,
      ]
      : []),
  ];
  const processes = [...new Set(bars.map((b) => b.process))].sort(naturalCompare);
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: titleBlock(
      options.title ?? (withWitness ? `Not linearizable: ${options.witness!.label}` : "History"),
      subtitle,
      (options.width ?? DEFAULT_WIDTH) + 120,
    ),
    width: options.width ?? DEFAULT_WIDTH,
    height: Math.max(60, processes.length * 28),
    config: READABLE_CONFIG,
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
      ...((options.kindBadges ?? true)
        ? [{
          name: "kind badges",
          transform: [{
            calculate:
              "datum.kind === 'write' ? 'W' : datum.kind === 'read' ? 'R' : datum.kind === 'cas' ? 'C' : ''",
            as: "badge",
          }],
          mark: {
            type: "text",
            align: "left",
            baseline: "middle",
            dx: 2,
            fontSize: 9,
            fontWeight: "bold",
          },
          encoding: {
            text: { field: "badge" },
            color: {
              condition: { test: "datum.role === 'other'", value: "#555555" },
              value: "#ffffff",
            },
          },
        }]
        : []),
      ...(points.length > 0
        ? [
          {
            name: "linearization order",
            data: { values: points },
            mark: {
              type: "line",
              color: "#222222",
              strokeWidth: 1,
              strokeDash: [3, 2],
              opacity: 0.7,
            },
            encoding: {
              x: { field: "atMs", type: "quantitative" },
              detail: { field: "group", type: "nominal" },
              order: { field: "order", type: "quantitative" },
            },
          },
          {
            name: "linearization points",
            data: { values: points },
            mark: {
              type: "point",
              filled: true,
              size: 36,
              color: "#111111",
              stroke: "#ffffff",
              strokeWidth: 1,
            },
            encoding: {
              x: { field: "atMs", type: "quantitative" },
              tooltip: [
                { field: "order", title: "linearized #" },
                { field: "label", title: "operation" },
                { field: "atMs", title: "point (ms)", format: ",.1f" },
              ],
            },
          },
          {
            name: "linearization numbers",
            data: { values: points },
            mark: { type: "text", fontSize: 9, fontWeight: "bold", dy: 13, color: "#111111" },
            encoding: {
              x: { field: "atMs", type: "quantitative" },
              text: { field: "order" },
            },
          },
        ]
        : []),
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
          ...(points.length > 0
            ? [
              `linearization${fromWitness ? " (witness prefix)" : ""}: ${
                points.slice(0, 12).map((p) => `${p.order}. ${p.label}`).join("; ")
              }${points.length > 12 ? "; …" : ""}`,
            ]
            : []),
        ],
      },
    },
  } as TopLevelSpec;
}
