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
  READABLE_CONFIG,
  round,
  titleBlock,
  truncateJson,
  TYPE_PALETTE,
  VEGA_LITE_SCHEMA,
  type VizMeta,
  zoomParam,
} from "./_common.ts";
import { decimate } from "./sampling.ts";
import { type LabelBox, placeLabels, textWidth } from "./_labels.ts";

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
  /**
   * Payload text on the arrows, readable without hovering: `true` uses {@link messageLabel}
   * (term, view/round, sequence number, ballot, value...); a function gives your own text
   * (`undefined` or "" for none); `false` draws none. Labels sit on the arrow's middle (or a
   * third from either end when that collides); a label that would overlap another, and repeats of
   * one broadcast (same sender, time and text), are left to the tooltip. Default: true when at
   * most 150 messages are drawn.
   */
  readonly labels?: boolean | ((msg: unknown, row: MessageRow) => string | undefined);
  /** Text next to local events (protocol event type and key fields, crash, restart); same forms as `labels`. Default: as `labels`. */
  readonly eventLabels?: boolean | ((event: LocalEventRow) => string | undefined);
  /** Most characters of a label (longer ones end in "…"). Default 18. */
  readonly labelChars?: number;
  /** Most labels drawn (messages and events together). Default 150. */
  readonly maxLabels?: number;
  /** Colours per message type as [type, colour] pairs; others get {@link TYPE_PALETTE} colours in order of first send. Default none. */
  readonly colors?: readonly (readonly [string, string])[];
}

/** Paper names of payload fields and how a label writes them ("term 2", "v0", "b3.n1"). */
const LABEL_FIELDS:
  readonly (readonly [string, (v: unknown, msg: Record<string, unknown>) => string | undefined])[] =
    [
      ["role", (v) => typeof v === "string" ? v : undefined],
      ["term", (v) => typeof v === "number" ? `term ${v}` : undefined],
      ["view", (v) => typeof v === "number" ? `v${v}` : undefined],
      ["v", (v) => typeof v === "number" ? `v${v}` : undefined],
      ["height", (v) => typeof v === "number" ? `h${v}` : undefined],
      ["round", (v) => typeof v === "number" ? `r${v}` : undefined],
      ["ballot", (v) => ballotText(v)],
      ["n", (v) => typeof v === "number" ? `n${v}` : undefined],
      ["slot", (v) => typeof v === "number" ? `s${v}` : undefined],
      ["index", (v) => typeof v === "number" ? `i${v}` : undefined],
      [
        "seq",
        (v, m) => typeof v === "number" && !("term" in m) && !("ballot" in m) ? `#${v}` : undefined,
      ],
      [
        "f",
        (v, m) =>
          typeof v === "string" ? `${v}${typeof m.key === "string" ? ` ${m.key}` : ""}` : undefined,
      ],
      [
        "entries",
        (v, m) => Array.isArray(v) && v.length > 0 ? `+${v.length}@${entryIndex(v, m)}` : undefined,
      ],
      ["decisions", (v) => Array.isArray(v) && v.length > 0 ? decisionsText(v) : undefined],
      ["voteGranted", (v) => typeof v === "boolean" ? (v ? "✓" : "✗") : undefined],
      ["success", (v) => typeof v === "boolean" ? (v ? "✓" : "✗") : undefined],
      ["ok", (v) => typeof v === "boolean" ? (v ? "ok" : "✗") : undefined],
      ["error", (v) => typeof v === "string" ? v : undefined],
      [
        "id",
        (v, m) =>
          "validator" in m
            ? (v === null ? "nil" : typeof v === "string" ? v.slice(0, 6) : undefined)
            : undefined,
      ],
      ["value", (v) => v === undefined ? undefined : `=${shortValue(v)}`],
    ];

function ballotText(v: unknown): string | undefined {
  if (typeof v === "number") return `b${v}`;
  if (v !== null && typeof v === "object" && "round" in v) {
    const b = v as { round: unknown; proposerId?: unknown };
    return `b${String(b.round)}${b.proposerId ? `.${String(b.proposerId)}` : ""}`;
  }
  return undefined;
}

function entryIndex(entries: unknown[], msg: Record<string, unknown>): string {
  const first = entries[0] as { index?: unknown } | null;
  if (first !== null && typeof first === "object" && typeof first.index === "number") {
    return String(first.index);
  }
  return typeof msg.prevLogIndex === "number" ? String(msg.prevLogIndex + 1) : "?";
}

function decisionsText(ds: unknown[]): string {
  const first = ds[0] as { slot?: unknown };
  const slot = typeof first?.slot === "number" ? `s${first.slot}` : "";
  return ds.length > 1 ? `${slot}+${ds.length - 1}` : slot;
}

function shortValue(v: unknown): string {
  if (v !== null && typeof v === "object" && "kind" in v) {
    const lv = v as { kind: unknown; command?: unknown };
    if (lv.kind === "noop") return "noop";
    if (lv.kind === "command") return shortValue(lv.command);
  }
  if (typeof v === "string") return v.length > 8 ? v.slice(0, 7) + "…" : v;
  if (typeof v === "number") return String(round(v, 3));
  return truncateJson(v, 10);
}

/**
 * A short label for a message or protocol event payload from its paper-named fields: Raft
 * `term 2 +1@4 ✓`, PBFT `v0 n3`, Tendermint `h1 r0 nil`, Paxos `b3.n1 s2 =x`, a client request
 * `#4 put k0 =1`. Fields absent from the payload are skipped; "" when none is present.
 *
 * @example
 * ```ts
 * import { messageLabel } from "@lab/viz/space_time.ts";
 * messageLabel({ type: "AppendEntries", term: 2, prevLogIndex: 3, entries: [{ index: 4 }] }); // "term 2 +1@4"
 * ```
 */
export function messageLabel(msg: unknown, maxChars = 18): string {
  if (msg === null || typeof msg !== "object") {
    return msg === undefined ? "" : shortValue(msg).slice(0, maxChars);
  }
  const m = msg as Record<string, unknown>;
  const parts: string[] = [];
  for (const [field, fmt] of LABEL_FIELDS) {
    if (!(field in m)) continue;
    const text = fmt(m[field], m);
    if (text !== undefined && text.length > 0) parts.push(text);
  }
  const s = parts.join(" ");
  return s.length > maxChars ? s.slice(0, maxChars - 1) + "…" : s;
}

function eventLabelOf(e: LocalEventRow, maxChars: number): string {
  if (e.category !== "event") return e.label;
  const detail = messageLabel(e.detail, maxChars);
  // a role change reads as the role itself ("leader term 2"); other events lead with their type
  const s = e.label === "role" && detail.length > 0
    ? detail
    : `${e.label}${detail ? " " + detail : ""}`;
  return s.length > maxChars ? s.slice(0, maxChars - 1) + "…" : s;
}

const EVENT_SHAPES: readonly (readonly [string, string, string])[] = [
  // category, shape, fill colour
  ["timer", "circle", "#bbbbbb"],
  ["crash", "square", "#e45756"],
  ["restart", "triangle-up", "#4c78a8"],
  ["pause", "stroke", "#b279a2"],
  ["resume", "stroke", "#9d755d"],
  ["clock", "wedge", "#eeca3b"],
];

/** Shapes of protocol event types, in order of first appearance (SVG paths in [-1, 1]²). */
export const PROTOCOL_EVENT_SHAPES: readonly (readonly [string, string])[] = [
  // shape, fill colour
  ["diamond", "#54a24b"],
  ["triangle-down", "#6a3d9a"],
  [
    "M0,-1L0.235,-0.324L0.951,-0.309L0.38,0.124L0.588,0.809L0,0.4L-0.588,0.809L-0.38,0.124L-0.951,-0.309L-0.235,-0.324Z",
    "#ff7f00",
  ], // star
  ["M0,-1L0.866,-0.5L0.866,0.5L0,1L-0.866,0.5L-0.866,-0.5Z", "#1f78b4"], // hexagon
  ["M-0.35,-1H0.35V-0.35H1V0.35H0.35V1H-0.35V0.35H-1V-0.35H-0.35Z", "#b15928"], // plus
  ["M0,-1L0.951,-0.309L0.588,0.809L-0.588,0.809L-0.951,-0.309Z", "#e7298a"], // pentagon
  ["triangle-left", "#33a02c"],
  ["M-1,-0.5H1V0.5H-1Z", "#a6761d"], // bar
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
  // Messages on the same path (same lanes, send and end times: a proposal and the proposer's own
  // vote) are drawn side by side, 3 px apart, so one colour does not hide the other.
  const samePath = new Map<string, number>();
  const nudge = 3 / (options.laneSize ?? 90);
  const msgRows = dm.items.map((m) => {
    const a0 = lane.get(m.from)!;
    const b0 = lane.get(m.to)!;
    // A dropped message ends halfway between the lanes: it never reached its receiver.
    const end0 = m.fate === "dropped" && m.reason !== "crashed" ? (a0 + b0) / 2 : b0;
    const pathKey = `${a0}|${end0}|${m.sendMs}|${m.endMs}`;
    const k = samePath.get(pathKey) ?? 0;
    samePath.set(pathKey, k + 1);
    const shift = k === 0 ? 0 : round((k % 2 === 1 ? 1 : -1) * Math.ceil(k / 2) * nudge, 4);
    const a = a0 + shift;
    const endLane = end0 + shift;
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
    // the legend key: lifecycle words, or the protocol event's own type ("role", "commit")
    what: e.category === "event" ? e.label : e.category,
    label: e.label,
    detail: e.detail === null ? "" : truncateJson(e.detail, chars),
  }));
  const vertical = (options.orient ?? "vertical") === "vertical";
  const laneSize = options.laneSize ?? 90;
  const timeSize = options.timeSize ?? 560;
  // Payload labels, placed in pixels so they do not overlap (see _labels.ts).
  const labelChars = options.labelChars ?? 18;
  const labelsOn = options.labels ?? dm.items.length <= 150;
  const eventLabelsOn = options.eventLabels ?? labelsOn !== false;
  const msgText = typeof labelsOn === "function"
    ? (m: MessageRow) => {
      const t = labelsOn(m.msg, m) ?? "";
      return t.length > labelChars ? t.slice(0, labelChars - 1) + "…" : t;
    }
    : labelsOn
    ? (m: MessageRow) => messageLabel(m.msg, labelChars)
    : undefined;
  const evText = typeof eventLabelsOn === "function"
    ? (e: LocalEventRow) => {
      const t = eventLabelsOn(e) ?? "";
      return t.length > labelChars ? t.slice(0, labelChars - 1) + "…" : t;
    }
    : eventLabelsOn
    ? (e: LocalEventRow) => eventLabelOf(e, labelChars)
    : undefined;
  const span = Math.max(toMs - fromMs, 1e-9);
  const px = (laneV: number, t: number): [number, number] => {
    const l = (laneV + 0.5) * laneSize;
    const tt = ((t - fromMs) / span) * timeSize;
    return vertical ? [l, tt] : [tt, l];
  };
  const fontSize = 9;
  interface Cand {
    readonly boxes: LabelBox[];
    readonly rows: Record<string, unknown>[];
  }
  const cands: Cand[] = [];
  const evLabelled = evText
    ? de.items.map((e, i) => ({ e, row: evRows[i], text: evText(e) })).filter((x) =>
      x.text.length > 0 && x.e.category !== "timer"
    )
    : [];
  for (const { row, text } of evLabelled) {
    const [x, y] = px(row.lane, row.t);
    const w = textWidth(text, fontSize);
    const mk = (side: 1 | -1) => ({
      cx: x + side * (7 + w / 2),
      cy: y,
      hw: w / 2 + 1,
      hh: fontSize / 2 + 1,
      angle: 0,
    });
    cands.push({
      boxes: [mk(1), mk(-1)],
      rows: [1, -1].map((side) => ({
        lane: row.lane,
        t: row.t,
        text,
        angle: 0,
        dx: side * 7,
        dy: 0,
        align: side > 0 ? "left" : "right",
        baseline: "middle",
      })),
    });
  }
  const nEventCands = cands.length;
  let labelledMessages = 0;
  if (msgText) {
    const seenBroadcast = new Set<string>();
    for (let i = 0; i < dm.items.length; i++) {
      const m = dm.items[i];
      const row = msgRows[i];
      const text = msgText(m);
      if (text.length === 0) continue;
      labelledMessages++;
      // one label per broadcast: the same sender, send time, type and text
      const key = `${m.from}|${row.sendMs}|${m.kind}|${text}`;
      if (seenBroadcast.has(key)) continue;
      seenBroadcast.add(key);
      const [x0, y0] = px(row.fromLane, row.sendMs);
      const [x1, y1] = px(row.endLane, row.endMs);
      let angle = (Math.atan2(y1 - y0, x1 - x0) * 180) / Math.PI;
      if (angle > 90) angle -= 180;
      else if (angle <= -90) angle += 180;
      const r = (angle * Math.PI) / 180;
      const w = textWidth(text, fontSize);
      const off = fontSize / 2 + 1.5;
      const boxes: LabelBox[] = [];
      const rows: Record<string, unknown>[] = [];
      for (const f of [0.5, 0.3, 0.7]) {
        const x = x0 + f * (x1 - x0), y = y0 + f * (y1 - y0);
        boxes.push({
          cx: x + off * Math.sin(r),
          cy: y - off * Math.cos(r),
          hw: w / 2 + 1,
          hh: fontSize / 2 + 0.5,
          angle,
        });
        rows.push({
          lane: round(row.fromLane + f * (row.endLane - row.fromLane), 4),
          t: round(row.sendMs + f * (row.endMs - row.sendMs), 4),
          text,
          angle: round(angle, 1),
          dx: 0,
          dy: -1.5,
          align: "center",
          baseline: "bottom",
          kind: m.kind,
          id: m.id,
        });
      }
      cands.push({ boxes, rows });
    }
  }
  // a candidate must lie inside the plot (the marks are clipped there)
  const plotW = vertical ? Math.max(1, nodes.length) * laneSize : timeSize;
  const plotH = vertical ? timeSize : Math.max(1, nodes.length) * laneSize;
  const inside = (b: LabelBox) => {
    const r = (b.angle * Math.PI) / 180;
    const ex = b.hw * Math.abs(Math.cos(r)) + b.hh * Math.abs(Math.sin(r));
    const ey = b.hw * Math.abs(Math.sin(r)) + b.hh * Math.abs(Math.cos(r));
    return b.cx - ex >= 0 && b.cx + ex <= plotW && b.cy - ey >= 0 && b.cy + ey <= plotH;
  };
  const chosen = placeLabels(cands.map((c) => c.boxes), options.maxLabels ?? 150, inside);
  const labelRows = cands.flatMap((c, i) => chosen[i] >= 0 ? [c.rows[chosen[i]]] : []);
  const shownMsgLabels = chosen.slice(nEventCands).filter((k) => k >= 0).length;
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
  // Types in order of first send (protocol order: PRE-PREPARE before PREPARE before COMMIT).
  const kinds = [...new Set(msgRows.map((m) => m.kind))];
  const fixed = new Map(options.colors ?? []);
  let nextColour = 0;
  const kindColours = kinds.map((k) =>
    fixed.get(k) ?? TYPE_PALETTE[nextColour++ % TYPE_PALETTE.length]
  );
  const colour = {
    field: "kind",
    type: "nominal" as const,
    title: "message",
    sort: kinds,
    scale: { domain: kinds, range: kindColours },
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
    // lifecycle categories keep their marks; each protocol event type gets its own shape
    const protocolTypes = [
      ...new Set(evRows.filter((e) => e.category === "event").map((e) => e.what)),
    ];
    const cats = [
      ...EVENT_SHAPES.filter(([c]) => c === "timer" && evRows.some((e) => e.category === c)),
      ...protocolTypes.map((t, i) => {
        const [shape, fill] = PROTOCOL_EVENT_SHAPES[i % PROTOCOL_EVENT_SHAPES.length];
        return [t, shape, fill] as const;
      }),
      ...EVENT_SHAPES.filter(([c]) => c !== "timer" && evRows.some((e) => e.category === c)),
    ];
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
          field: "what",
          type: "nominal",
          title: "local event",
          scale: { domain: cats.map((c) => c[0]), range: cats.map((c) => c[1]) },
        },
        fill: {
          field: "what",
          type: "nominal",
          title: "local event",
          scale: { domain: cats.map((c) => c[0]), range: cats.map((c) => c[2]) },
        },
        tooltip: [
          { field: "node", title: "node" },
          { field: "what", title: "kind" },
          { field: "label", title: "what" },
          { field: "t", title: "time (ms)", format: ",.3f" },
          { field: "detail", title: "detail" },
        ],
      },
    });
  }
  if (labelRows.length > 0) {
    const textEnc = {
      ...pos("lane", "t"),
      text: { field: "text" },
      angle: { field: "angle", type: "quantitative" as const, scale: null },
    };
    const byAlign = (align: string) => labelRows.filter((r) => r.align === align);
    for (const align of ["center", "left", "right"] as const) {
      const rows = byAlign(align);
      if (rows.length === 0) continue;
      const first = rows[0];
      const base = {
        type: "text" as const,
        align,
        baseline: first.baseline as "bottom" | "middle",
        dx: first.dx as number,
        dy: first.dy as number,
        fontSize,
        clip: true,
        aria: false,
      };
      layers.push({
        name: `label halos ${align}`,
        data: { values: rows },
        mark: { ...base, stroke: "#ffffff", strokeWidth: 3, strokeOpacity: 0.85, fill: "#ffffff" },
        encoding: textEnc,
      }, {
        name: align === "center" ? "payload labels" : `event labels ${align}`,
        data: { values: rows },
        mark: { ...base, fill: "#222222" },
        encoding: textEnc,
      });
    }
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
    labelledMessages > 0
      ? shownMsgLabels < labelledMessages
        ? `payloads written on ${formatCount(shownMsgLabels)} of ${
          formatCount(labelledMessages)
        } arrows (repeats of a broadcast and overlaps: hover)`
        : "payloads written on every arrow"
      : "",
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
      ...(kinds.length > 0 ? [`message types: ${kinds.join(", ")}`] : []),
      `window ${formatRange(fromMs, toMs)} of a trace of ${formatCount(trace.length)} records` +
      (Number.isNaN(lo) ? "" : ` (${formatMs(lo)}–${formatMs(hi)} ms)`),
    ],
  };
  const width = vertical ? laneExtent : timeSize;
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: titleBlock(
      options.title ?? "Messages between nodes",
      subtitle,
      Math.max(width + 160, 420),
    ),
    width,
    height: vertical ? timeSize : laneExtent,
    config: READABLE_CONFIG,
    usermeta: { distlab: meta },
    datasets: { messages: msgRows },
    layer: layers,
  };
}
