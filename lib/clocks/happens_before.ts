/**
 * Ground truth for happens-before, computed from a simulator trace alone (no protocol clock is
 * trusted). Lamport's relation → is the smallest relation with (1) program order: events of one
 * node in the order they happened, and (2) a message's send before its delivery, closed under
 * transitivity. We compute it by giving every event an exact vector timestamp: counting
 * events per node and carrying the sender's vector from each "send" record to the "deliver"
 * records with the same message `id` (a network duplicate carries its original's vector).
 *
 * Events are the trace's "send", "deliver" and protocol "event" records (timers too on request).
 * A crash does not start a new process: program order runs on across a restart, since the
 * restarted node's events still follow its earlier ones. The trace must be complete ("full"
 * mode, from the start of the run): a delivery whose send is missing is an error.
 * @module
 */
import type { NodeId, TraceRecord } from "../sim/types.ts";
import type { Trace } from "../sim/trace.ts";
import type { CausalOrder, VectorTimestamp } from "./vector.ts";

/** The kind of an event in the causal history. */
export type CausalEventKind = "send" | "deliver" | "event" | "timer";

/** One event with its exact vector timestamp. */
export interface CausalEvent {
  /** Position of the record in the trace's record array. */
  readonly index: number;
  /** The node the event happened at. */
  readonly node: NodeId;
  /** Which record made the event. */
  readonly kind: CausalEventKind;
  /** True (simulated) time in ms. */
  readonly t: number;
  /** 1-based position in its node's program order (equals `vector[node]`). */
  readonly seq: number;
  /** The exact vector timestamp: how many events of each node happened before or at this one. */
  readonly vector: VectorTimestamp;
  /** The message id of a send or delivery. */
  readonly msgId?: number;
  /** The record itself. */
  readonly record: TraceRecord;
}

/** Options of {@link causalHistory}. */
export interface CausalHistoryOptions {
  /** Count timer firings as (local) events too. Default false. */
  readonly includeTimers?: boolean;
  /**
   * Node ids in a fixed order (for the dense vectors). Default: in order of first appearance;
   * nodes found in the trace but not listed are appended.
   */
  readonly nodes?: readonly NodeId[];
}

/**
 * The happens-before relation of one run, with an exact vector timestamp per event.
 * Build it with {@link causalHistory}.
 */
export class CausalHistory {
  /** Every event in trace order. */
  readonly events: readonly CausalEvent[];
  /** Node ids: the order of the dense vectors. */
  readonly nodes: readonly NodeId[];
  #byIndex: Map<number, CausalEvent>;
  #dense: Map<CausalEvent, Int32Array>;
  #slot: Map<NodeId, number>;

  /** Built by {@link causalHistory}. */
  constructor(
    events: readonly CausalEvent[],
    nodes: readonly NodeId[],
    dense: Map<CausalEvent, Int32Array>,
  ) {
    this.events = events;
    this.nodes = nodes;
    this.#dense = dense;
    this.#byIndex = new Map(events.map((e) => [e.index, e]));
    this.#slot = new Map(nodes.map((n, i) => [n, i]));
  }

  /** The event made from the trace record at `index`, if that record is an event. */
  at(index: number): CausalEvent | undefined {
    return this.#byIndex.get(index);
  }

  /** The protocol events ("event" records), optionally only those whose `event.type` is `type`. */
  protocolEvents(type?: string): CausalEvent[] {
    return this.events.filter((e) =>
      e.kind === "event" && (type === undefined ||
        (e.record.type === "event" && e.record.event.type === type))
    );
  }

  /**
   * a → b: a happened before b (a ≠ b). Uses the vector property: a → b iff b has seen a's
   * node's counter up to a's own position.
   */
  happensBefore(a: CausalEvent, b: CausalEvent): boolean {
    if (a === b) return false;
    const vb = this.#dense.get(b);
    if (!vb) throw new RangeError("happensBefore: event is not from this history");
    return a.seq <= vb[this.#slot.get(a.node)!];
  }

  /** How `a` relates to `b`: "before" (a → b), "after" (b → a), "equal" or "concurrent". */
  order(a: CausalEvent, b: CausalEvent): CausalOrder {
    if (a === b) return "equal";
    if (this.happensBefore(a, b)) return "before";
    if (this.happensBefore(b, a)) return "after";
    return "concurrent";
  }

  /** Events that happened before `e` (its causal past), in trace order. */
  pastOf(e: CausalEvent): CausalEvent[] {
    return this.events.filter((x) => this.happensBefore(x, e));
  }
}

/**
 * Compute the true happens-before relation of a run from its trace.
 * @example
 * ```ts
 * const { sim } = createCluster({ seed: 1, nodes: 3, factory });
 * sim.run({ untilMs: 1_000 });
 * const h = causalHistory(sim.trace);
 * const [a, b] = h.protocolEvents();
 * h.order(a, b); // "before" | "after" | "concurrent"
 * ```
 */
export function causalHistory(
  trace: Trace | readonly TraceRecord[],
  options: CausalHistoryOptions = {},
): CausalHistory {
  const records: readonly TraceRecord[] = Array.isArray(trace)
    ? trace as readonly TraceRecord[]
    : (trace as Trace).records;
  if (!Array.isArray(trace) && (trace as Trace).mode !== "full") {
    throw new Error(
      `causalHistory needs a full trace (mode "${(trace as Trace).mode}" drops records)`,
    );
  }
  const nodes: NodeId[] = [...(options.nodes ?? [])];
  const slot = new Map<NodeId, number>(nodes.map((n, i) => [n, i]));
  for (const r of records) {
    for (const id of nodesOf(r)) {
      if (!slot.has(id)) {
        slot.set(id, nodes.length);
        nodes.push(id);
      }
    }
  }
  const n = nodes.length;
  const current = nodes.map(() => new Int32Array(n));
  const sent = new Map<number, Int32Array>();
  const events: CausalEvent[] = [];
  const dense = new Map<CausalEvent, Int32Array>();
  const push = (
    index: number,
    node: NodeId,
    kind: CausalEventKind,
    r: TraceRecord,
    msgId?: number,
    merge?: Int32Array,
  ): Int32Array => {
    const i = slot.get(node)!;
    const v = current[i];
    if (merge) { for (let k = 0; k < n; k++) if (merge[k] > v[k]) v[k] = merge[k]; }
    v[i]++;
    const snap = v.slice();
    const vector = Object.fromEntries(nodes.map((id, k) => [id, snap[k]]).filter(([, x]) => x));
    const e: CausalEvent = msgId === undefined
      ? { index, node, kind, t: r.t, seq: snap[i], vector, record: r }
      : { index, node, kind, t: r.t, seq: snap[i], vector, msgId, record: r };
    events.push(e);
    dense.set(e, snap);
    return snap;
  };
  for (let index = 0; index < records.length; index++) {
    const r = records[index];
    switch (r.type) {
      case "send":
        sent.set(r.id, push(index, r.from, "send", r, r.id));
        break;
      case "duplicate": {
        const v = sent.get(r.of);
        if (v) sent.set(r.id, v);
        break;
      }
      case "deliver": {
        const v = sent.get(r.id);
        if (!v) {
          throw new Error(
            `causalHistory: delivery of message ${r.id} (${r.from} → ${r.to}, t=${r.t}) has no ` +
              `send record; the trace must be full and start at the beginning of the run`,
          );
        }
        push(index, r.to, "deliver", r, r.id, v);
        break;
      }
      case "event":
        push(index, r.node, "event", r);
        break;
      case "timer":
        if (options.includeTimers) push(index, r.node, "timer", r);
        break;
      default:
        break;
    }
  }
  return new CausalHistory(events, nodes, dense);
}

function nodesOf(r: TraceRecord): NodeId[] {
  switch (r.type) {
    case "send":
    case "deliver":
    case "drop":
      return [r.from, r.to];
    case "event":
    case "timer":
      return [r.node];
    default:
      return [];
  }
}
