/**
 * Message space-time diagrams (Lamport 1978, Fig. 1): one lane per node, an arrow from each send
 * to its delivery, an X where a message was lost, and local events (timers, protocol events,
 * crashes) as marks on the lanes.
 * @module
 */
import type { TopLevelSpec } from "vega-lite";
import type { NodeId, TraceRecord } from "@lab/sim/types.ts";
import {
  countPhrase,
  DEFAULT_MAX_MARKS,
  extent,
  formatCount,
  formatMs,
  formatRange,
  type LayerItem,
  naturalCompare,
  type PositionDef,
  round,
  titleBlock,
  truncateJson,
  VEGA_LITE_SCHEMA,
  type VizMeta,
  zoomParam,
} from "./_common.ts";
import { decimate } from "./sampling.ts";

/** What happened to a message. */
export type MessageFate = "delivered" | "dropped" | "in flight";

/** One message of a space-time diagram: a send paired with its delivery or drop by `id`. */
export interface MessageRow {
  /** Message id (shared by the send and its delivery or drop). */
  readonly id: number;
  /** Sender. */
  readonly from: NodeId;
  /** Receiver. */
  readonly to: NodeId;
  /** Send time (ms); a delivery whose send is outside the trace uses its `sentAt`. */
  readonly sendMs: number;
  /** Delivery or drop time (ms); for a message in flight, the end of the trace. */
  readonly endMs: number;
  /** Delivered, dropped, or still in flight when the trace ends. */
  readonly fate: MessageFate;
  /** The message's `type` field when it has one, else "message". */
  readonly kind: string;
  /** Why it was dropped ("loss", "partition", ...), or null. */
  readonly reason: string | null;
  /** True when this delivery is of a network duplicate. */
  readonly duplicate: boolean;
  /** The payload. */
  readonly msg: unknown;
}

/** A local event on one node's lane. */
export interface LocalEventRow {
  /** The node. */
  readonly node: NodeId;
  /** True time (ms). */
  readonly t: number;
  /** "timer", "event", "crash", "restart", "pause", "resume", "clock". */
  readonly category: string;
  /** Timer name or protocol event type or lifecycle word. */
  readonly label: string;
  /** Details (the protocol event, pause duration, ...). */
  readonly detail: unknown;
}

function kindOf(msg: unknown): string {
  if (msg !== null && typeof msg === "object" && "type" in msg) {
    const t = (msg as { type: unknown }).type;
    if (typeof t === "string") return t;
  }
  return "message";
}

/**
 * Pair sends with deliveries and drops by message `id`. A send with neither is "in flight" up to
 * `endMs` (default: the last record's time). Duplicate deliveries each make a row.
 *
 * @example
 * ```ts
 * import { pairMessages } from "@lab/viz/space_time.ts";
 * pairMessages([
 *   { type: "send", t: 0, id: 1, from: "n0", to: "n1", msg: { type: "ping" }, sizeBytes: 64 },
 *   { type: "deliver", t: 5, id: 1, from: "n0", to: "n1", msg: { type: "ping" }, sentAt: 0 },
 * ])[0].fate; // "delivered"
 * ```
 */
export function pairMessages(
  trace: readonly TraceRecord[],
  options: { readonly endMs?: number } = {},
): MessageRow[] {
  const sends = new Map<number, Extract<TraceRecord, { type: "send" }>>();
  const sendIndex = new Map<number, number>();
  const finished = new Set<number>();
  const dupOf = new Map<number, number>();
  const rows: { row: MessageRow; order: number }[] = [];
  let lastT = -Infinity;
  for (let i = 0; i < trace.length; i++) {
    const r = trace[i];
    if (r.t > lastT) lastT = r.t;
    switch (r.type) {
      case "send":
        sends.set(r.id, r);
        sendIndex.set(r.id, i);
        break;
      case "duplicate":
        dupOf.set(r.id, r.of);
        break;
      case "deliver":
      case "drop": {
        const original = dupOf.get(r.id);
        const sid = sends.has(r.id) ? r.id : original;
        const s = sid === undefined ? undefined : sends.get(sid);
        finished.add(r.id);
        if (original !== undefined) finished.add(original);
        const sendMs = r.type === "deliver" ? (s?.t ?? r.sentAt) : (s?.t ?? r.t);
        rows.push({
          order: sid === undefined ? i : sendIndex.get(sid) ?? i,
          row: {
            id: r.id,
            from: r.from,
            to: r.to,
            sendMs,
            endMs: r.t,
            fate: r.type === "deliver" ? "delivered" : "dropped",
            kind: kindOf(r.msg),
            reason: r.type === "drop" ? r.reason : null,
            duplicate: original !== undefined,
            msg: r.msg,
          },
        });
        break;
      }
      default:
        break;
    }
  }
  const endMs = options.endMs ?? lastT;
  for (const [id, s] of sends) {
    if (finished.has(id)) continue;
    rows.push({
      order: sendIndex.get(id)!,
      row: {
        id,
        from: s.from,
        to: s.to,
        sendMs: s.t,
        endMs: Math.max(s.t, endMs),
        fate: "in flight",
        kind: kindOf(s.msg),
        reason: null,
        duplicate: false,
        msg: s.msg,
      },
    });
  }
  // Order by send time, then by position of the send in the trace (ties stay deterministic).
  rows.sort((a, b) => a.row.sendMs - b.row.sendMs || a.order - b.order);
  return rows.map((x) => x.row);
}

/** Local events of a trace (everything that is not a message), in trace order. */
export function localEvents(
  trace: readonly TraceRecord[],
  options: { readonly timers?: boolean } = {},
): LocalEventRow[] {
  const timers = options.timers ?? true;
  const out: LocalEventRow[] = [];
  for (const r of trace) {
    switch (r.type) {
      case "timer":
        if (timers) {
          out.push({ node: r.node, t: r.t, category: "timer", label: r.name, detail: null });
        }
        break;
      case "event":
        out.push({ node: r.node, t: r.t, category: "event", label: r.event.type, detail: r.event });
        break;
      case "crash":
      case "restart":
        out.push({ node: r.node, t: r.t, category: r.type, label: r.type, detail: null });
        break;
      case "pause":
        out.push({
          node: r.node,
          t: r.t,
          category: "pause",
          label: "pause",
          detail: { durationMs: r.durationMs },
        });
        break;
      case "resume":
        out.push({
          node: r.node,
          t: r.t,
          category: "resume",
          label: "resume",
          detail: { backlog: r.backlog },
        });
        break;
      case "clock":
        out.push({
          node: r.node,
          t: r.t,
          category: "clock",
          label: "clock change",
          detail: { offsetMs: r.offsetMs, drift: r.drift },
        });
        break;
      default:
        break;
    }
  }
  return out;
}

/** Options of {@link spaceTimeDiagram}. */
export interface SpaceTimeOptions {
  /** Lanes, in this order; messages between other nodes are left out. Default: every node seen, in natural order. */
  readonly nodes?: readonly NodeId[];
  /** Window start (ms). Default: the first record. */
  readonly fromMs?: number;
  /** Window end (ms). Default: the last record. */
  readonly toMs?: number;
  /**
   * Most messages drawn. Default 1000 (each message is two or three marks: about 2,000 marks and
   * ~0.5 MB of notebook per chart). Without `toMs`, the window is cut after the first
   * `maxMessages` messages (see `overflow`); within an explicit window, drops and in-flight
   * messages are kept first, then a stride.
   */
  readonly maxMessages?: number;
  /** Without `toMs` and with too many messages: "window" shortens the window, "stride" thins the whole run. Default "window". */
  readonly overflow?: "window" | "stride";
  /** Most local events drawn (crashes/restarts/pauses kept first). Default 2000. */
  readonly maxEvents?: number;
  /** Draw timer firings. Default true. */
  readonly timers?: boolean;
  /** "vertical": lanes are columns and time flows down (Lamport's figure); "horizontal": lanes are rows, time flows right. Default "vertical". */
  readonly orient?: "vertical" | "horizontal";
  /** Payload characters in tooltips. Default 120. */
  readonly payloadChars?: number;
  /** Chart title. Default "Messages between nodes". */
  readonly title?: string;
  /** Plot size along the time axis (px). Default 560. */
  readonly timeSize?: number;
  /** Plot size per lane (px). Default 90. */
  readonly laneSize?: number;
}

const EVENT_SHAPES: readonly (readonly [string, string, string])[] = [
  // category, shape, fill colour
  ["timer", "circle", "#bbbbbb"],
  ["event", "diamond", "#54a24b"],
  ["crash", "square", "#e45756"],
  ["restart", "triangle-up", "#4c78a8"],
  ["pause", "stroke", "#b279a2"],
  ["resume", "stroke", "#9d755d"],
  ["clock", "wedge", "#eeca3b"],
];

/**
 * A message space-time diagram of a trace window: lanes per node, send→deliver arrows (paired by
 * message id), an X where a message was dropped (reason in the tooltip), dashed open arrows for
 * messages still in flight, and local events on the lanes. Payloads appear as truncated JSON in
 * tooltips. Zoom and pan act on the time axis.
 *
 * @example
 * ```ts
 * import { show, spaceTimeDiagram } from "@lab/viz/mod.ts";
 * declare const trace: import("@lab/sim/types.ts").TraceRecord[];
 * show(spaceTimeDiagram(trace, { fromMs: 0, toMs: 500, nodes: ["n0", "n1", "n2"] }));
 * ```
 */
export function spaceTimeDiagram(
  trace: readonly TraceRecord[],
  options: SpaceTimeOptions = {},
): TopLevelSpec {
  const [lo, hi] = extent(trace.map((r) => r.t));
  const fromMs = options.fromMs ?? (Number.isNaN(lo) ? 0 : lo);
  let toMs = Math.max(fromMs, options.toMs ?? (Number.isNaN(hi) ? fromMs : hi));
  const allMessages = pairMessages(trace, { endMs: Number.isNaN(hi) ? toMs : hi });
  const allEvents = localEvents(trace, { timers: options.timers });
  const seen = new Set<NodeId>();
  for (const m of allMessages) {
    seen.add(m.from);
    seen.add(m.to);
  }
  for (const e of allEvents) seen.add(e.node);
  const nodes = options.nodes ?? [...seen].sort(naturalCompare);
  const lane = new Map(nodes.map((n, i) => [n, i]));
  const cap = options.maxMessages ?? DEFAULT_MAX_MARKS / 2;
  let messages = allMessages.filter((m) =>
    lane.has(m.from) && lane.has(m.to) && m.sendMs <= toMs && m.endMs >= fromMs
  );
  const totalFromStart = messages.length;
  let cutWindow = false;
  if (
    options.toMs === undefined && (options.overflow ?? "window") === "window" &&
    messages.length > cap
  ) {
    // A space-time diagram is read message by message: show the first `cap` messages in full
    // rather than a thin stride over the whole run (pairMessages sorts by send time).
    toMs = Math.max(fromMs, messages[cap - 1].sendMs);
    messages = messages.filter((m) => m.sendMs <= toMs);
    cutWindow = true;
  }
  const events = allEvents.filter((e) => lane.has(e.node) && e.t >= fromMs && e.t <= toMs);
  const dm = decimate(messages, cap, { keep: (m) => m.fate !== "delivered" });
  const de = decimate(events, options.maxEvents ?? DEFAULT_MAX_MARKS, {
    keep: (e) => e.category !== "timer",
  });
  const chars = options.payloadChars ?? 120;
  const msgRows = dm.items.map((m) => {
    const a = lane.get(m.from)!;
    const b = lane.get(m.to)!;
    // A dropped message ends halfway between the lanes: it never reached its receiver.
    const endLane = m.fate === "dropped" && m.reason !== "crashed" ? (a + b) / 2 : b;
    // Lean rows (absent rather than null fields): a notebook stores each row twice.
    return {
      id: m.id,
      from: m.from,
      to: m.to,
      fromLane: a,
      endLane,
      sendMs: round(m.sendMs),
      endMs: round(m.fate === "dropped" ? Math.max(m.endMs, m.sendMs) : m.endMs),
      ...(m.fate === "delivered" ? { latencyMs: round(m.endMs - m.sendMs) } : {}),
      fate: m.duplicate ? `${m.fate} (duplicate)` : m.fate,
      kind: m.kind,
      ...(m.reason === null ? {} : { reason: m.reason }),
      payload: truncateJson(m.msg, chars),
    };
  });
  const evRows = de.items.map((e) => ({
    node: e.node,
    lane: lane.get(e.node)!,
    t: round(e.t),
    category: e.category,
    label: e.label,
    detail: e.detail === null ? "" : truncateJson(e.detail, chars),
  }));
  const vertical = (options.orient ?? "vertical") === "vertical";
  const laneSize = options.laneSize ?? 90;
  const timeSize = options.timeSize ?? 560;
  const laneExtent = Math.max(1, nodes.length) * laneSize;
  const laneLabels = `[${nodes.map((n) => JSON.stringify(n)).join(",")}][datum.value]`;
  const laneScale = {
    domain: [-0.5, Math.max(0, nodes.length - 1) + 0.5],
    nice: false,
    zero: false,
  };
  const laneAxisDef = (field: string): PositionDef => ({
    field,
    type: "quantitative",
    title: "node",
    scale: vertical ? laneScale : { ...laneScale, reverse: true },
    axis: {
      values: nodes.map((_, i) => i),
      labelExpr: laneLabels,
      grid: false,
      orient: vertical ? "top" : "left",
      labelFontWeight: "bold",
    },
  });
  const timeTitle = "time (ms)";
  const timeDef = (field: string): PositionDef => ({
    field,
    type: "quantitative",
    title: timeTitle,
    scale: vertical
      ? { domain: [fromMs, toMs], nice: false, reverse: true }
      : { domain: [fromMs, toMs], nice: false },
  });
  const pos = (laneField: string, timeField: string) =>
    vertical
      ? { x: laneAxisDef(laneField), y: timeDef(timeField) }
      : { x: timeDef(timeField), y: laneAxisDef(laneField) };
  const pos2 = (laneField: string, timeField: string) =>
    vertical
      ? { x2: { field: laneField }, y2: { field: timeField } }
      : { x2: { field: timeField }, y2: { field: laneField } };
  const msgTooltip = [
    { field: "kind", title: "message" },
    { field: "from", title: "from" },
    { field: "to", title: "to" },
    { field: "id", title: "id" },
    { field: "fate", title: "fate" },
    { field: "reason", title: "drop reason" },
    { field: "sendMs", title: "sent (ms)", format: ",.3f" },
    { field: "endMs", title: "delivered/dropped (ms)", format: ",.3f" },
    { field: "latencyMs", title: "latency (ms)", format: ",.3f" },
    { field: "payload", title: "payload" },
  ];
  const kinds = [...new Set(msgRows.map((m) => m.kind))].sort();
  const colour = {
    field: "kind",
    type: "nominal" as const,
    title: "message",
    sort: kinds,
    scale: { scheme: kinds.length > 10 ? "tableau20" : "tableau10" },
  };
  const fateDomain = ["delivered", "delivered (duplicate)", "dropped", "in flight"];
  const fateDash = [[1, 0], [6, 2], [2, 2], [8, 3]];
  const fatesPresent = fateDomain.map((f, i) => [f, i] as const).filter(([f]) =>
    msgRows.some((m) => m.fate === f)
  );
  const layers: LayerItem[] = [
    {
      name: "lanes",
      data: { values: nodes.map((n, i) => ({ node: n, lane: i })) },
      mark: { type: "rule", color: "#999999", strokeWidth: 1 },
      encoding: vertical ? { x: laneAxisDef("lane") } : { y: laneAxisDef("lane") },
    },
    {
      name: "messages",
      data: { name: "messages" },
      params: [zoomParam(vertical ? "y" : "x")],
      mark: { type: "rule", strokeWidth: 1.2, opacity: 0.8, clip: true, aria: false },
      encoding: {
        ...pos("fromLane", "sendMs"),
        ...pos2("endLane", "endMs"),
        color: colour,
        strokeDash: {
          field: "fate",
          type: "nominal",
          title: "fate",
          scale: {
            domain: fatesPresent.map(([f]) => f),
            range: fatesPresent.map(([, i]) => fateDash[i]),
          },
          legend: { labelLimit: 200 },
        },
        tooltip: msgTooltip,
      },
    },
    ...(["right", "left"] as const).map((dir): LayerItem => ({
      name: `arrival heads ${dir}`,
      data: { name: "messages" },
      transform: [{
        filter: `isValid(datum.latencyMs) && datum.endLane ${
          dir === "right" ? ">=" : "<"
        } datum.fromLane`,
      }],
      mark: {
        type: "point",
        shape: vertical ? `triangle-${dir}` : dir === "right" ? "triangle-down" : "triangle-up",
        filled: true,
        size: 40,
        opacity: 0.9,
        clip: true,
        aria: false,
      },
      encoding: { ...pos("endLane", "endMs"), color: colour, tooltip: msgTooltip },
    })),
    {
      name: "drops",
      data: { name: "messages" },
      transform: [{ filter: "isValid(datum.reason)" }],
      mark: {
        type: "point",
        shape: "cross",
        angle: 45,
        size: 90,
        color: "#d62728",
        filled: true,
        clip: true,
        aria: false,
      },
      encoding: { ...pos("endLane", "endMs"), tooltip: msgTooltip },
    },
  ];
  if (evRows.length > 0) {
    const cats = EVENT_SHAPES.filter(([c]) => evRows.some((e) => e.category === c));
    layers.push({
      name: "local events",
      data: { values: evRows },
      mark: {
        type: "point",
        filled: true,
        size: 50,
        stroke: "#333333",
        strokeWidth: 0.5,
        clip: true,
        aria: false,
      },
      encoding: {
        ...pos("lane", "t"),
        shape: {
          field: "category",
          type: "nominal",
          title: "local event",
          scale: { domain: cats.map((c) => c[0]), range: cats.map((c) => c[1]) },
        },
        fill: {
          field: "category",
          type: "nominal",
          title: "local event",
          scale: { domain: cats.map((c) => c[0]), range: cats.map((c) => c[2]) },
        },
        tooltip: [
          { field: "node", title: "node" },
          { field: "category", title: "kind" },
          { field: "label", title: "what" },
          { field: "t", title: "time (ms)", format: ",.3f" },
          { field: "detail", title: "detail" },
        ],
      },
    });
  }
  const drops = messages.filter((m) => m.fate === "dropped").length;
  const inFlight = messages.filter((m) => m.fate === "in flight").length;
  const msgPhrase = cutWindow
    ? `first ${formatCount(dm.items.length)} of ${
      formatCount(totalFromStart)
    } messages (window cut to fit; pass fromMs/toMs for another)`
    : countPhrase(dm.items.length, dm.total, "messages") +
      (dm.items.length < dm.total && dm.preferredTotal > 0
        ? dm.preferredShown === dm.preferredTotal
          ? ` (all ${formatCount(dm.preferredTotal)} drops/in flight)`
          : ` (${formatCount(dm.preferredShown)} of ${
            formatCount(dm.preferredTotal)
          } drops/in flight)`
        : "");
  const subtitle = [
    msgPhrase,
    formatRange(fromMs, toMs),
    de.total > 0 ? countPhrase(de.items.length, de.total, "local events") : "",
  ];
  const meta: VizMeta = {
    builder: "spaceTimeDiagram",
    summary: [
      `${formatCount(nodes.length)} lanes: ${nodes.slice(0, 12).join(", ")}${
        nodes.length > 12 ? ", …" : ""
      }`,
      `messages in window ${formatCount(messages.length)}: delivered ${
        formatCount(messages.length - drops - inFlight)
      }, dropped ${formatCount(drops)}, in flight ${formatCount(inFlight)}`,
      `local events in window ${formatCount(events.length)}`,
      `window ${formatRange(fromMs, toMs)} of a trace of ${formatCount(trace.length)} records` +
      (Number.isNaN(lo) ? "" : ` (${formatMs(lo)}–${formatMs(hi)} ms)`),
    ],
  };
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: titleBlock(options.title ?? "Messages between nodes", subtitle),
    width: vertical ? laneExtent : timeSize,
    height: vertical ? timeSize : laneExtent,
    usermeta: { distlab: meta },
    datasets: { messages: msgRows },
    layer: layers,
  };
}
