/**
 * Vector clocks (Fidge, "Timestamps in Message-Passing Systems That Preserve the Partial
 * Ordering", 1988; Mattern, "Virtual Time and Global States of Distributed Systems", 1989).
 * Every node keeps one counter per node; V(a) < V(b) (pointwise ≤ and different) exactly when
 * a → b, so unlike Lamport clocks they decide happens-before and detect concurrency.
 *
 * Timestamps are plain immutable records `{ [node]: count }` (a missing entry is 0), so they go
 * on messages and into the trace unchanged.
 * @module
 */
import type { NodeId } from "../sim/types.ts";

/** A vector timestamp: events counted per node; a missing entry means 0. Never mutated. */
export type VectorTimestamp = Readonly<Record<NodeId, number>>;

/** How two events (or timestamps) relate under happens-before. */
export type CausalOrder = "before" | "after" | "equal" | "concurrent";

/** The empty vector (no events seen). */
export const EMPTY_VECTOR: VectorTimestamp = Object.freeze({});

/** A node's entry (0 when absent). */
export function vectorGet(v: VectorTimestamp, node: NodeId): number {
  return Object.hasOwn(v, node) ? v[node] : 0;
}

/**
 * A copy of `v` with `node`'s entry incremented by one.
 * @example
 * ```ts
 * vectorIncrement({ a: 1 }, "b"); // { a: 1, b: 1 }
 * ```
 */
export function vectorIncrement(v: VectorTimestamp, node: NodeId): VectorTimestamp {
  const entries = Object.entries(v).filter(([k]) => k !== node);
  entries.push([node, vectorGet(v, node) + 1]);
  return Object.fromEntries(entries);
}

/**
 * The pointwise maximum of two vectors (the least upper bound: everything either has seen).
 * @example
 * ```ts
 * vectorMerge({ a: 2, b: 0 }, { b: 3, c: 1 }); // { a: 2, b: 3, c: 1 }
 * ```
 */
export function vectorMerge(a: VectorTimestamp, b: VectorTimestamp): VectorTimestamp {
  const out = new Map<NodeId, number>(Object.entries(a));
  for (const [k, x] of Object.entries(b)) {
    const y = out.get(k);
    if (y === undefined || x > y) out.set(k, x);
  }
  return Object.fromEntries(out);
}

/**
 * Compare two vector timestamps: "before" when a < b (a ≤ b pointwise and a ≠ b), "after" when
 * b < a, "equal", or "concurrent" when neither is ≤ the other (Mattern 1989, Def. 7).
 * @example
 * ```ts
 * vectorCompare({ a: 1 }, { a: 1, b: 1 }); // "before"
 * vectorCompare({ a: 1 }, { b: 1 });       // "concurrent"
 * ```
 */
export function vectorCompare(a: VectorTimestamp, b: VectorTimestamp): CausalOrder {
  let less = false, greater = false;
  for (const k of Object.keys(a)) {
    const x = a[k], y = vectorGet(b, k);
    if (x < y) less = true;
    else if (x > y) greater = true;
  }
  for (const k of Object.keys(b)) {
    if (Object.hasOwn(a, k)) continue;
    if (b[k] > 0) less = true;
    else if (b[k] < 0) greater = true;
  }
  if (less && greater) return "concurrent";
  if (less) return "before";
  if (greater) return "after";
  return "equal";
}

/** Whether a ≤ b pointwise (a "happened before or equals" b when both are event timestamps). */
export function vectorLeq(a: VectorTimestamp, b: VectorTimestamp): boolean {
  const o = vectorCompare(a, b);
  return o === "before" || o === "equal";
}

/**
 * A vector clock owned by one node (Fidge/Mattern rules): tick before every local and send
 * event, and on receipt merge the message's vector and then tick.
 * @example
 * ```ts
 * const a = new VectorClock("a"), b = new VectorClock("b");
 * const m = a.send();               // { a: 1 }
 * b.tick();                         // { b: 1 }
 * b.receive(m);                     // { a: 1, b: 2 }
 * vectorCompare(m, b.value);        // "before"
 * ```
 */
export class VectorClock {
  /** The owning node. */
  readonly self: NodeId;
  #v: VectorTimestamp;

  /** A clock for `self`, starting from `initial` (default: all zero). */
  constructor(self: NodeId, initial: VectorTimestamp = EMPTY_VECTOR) {
    this.self = self;
    this.#v = initial;
  }

  /** The current timestamp (immutable; safe to put on a message). */
  get value(): VectorTimestamp {
    return this.#v;
  }

  /** A local event: increment our own entry. */
  tick(): VectorTimestamp {
    this.#v = vectorIncrement(this.#v, this.self);
    return this.#v;
  }

  /** A send event: tick, and return the timestamp to put on the message. */
  send(): VectorTimestamp {
    return this.tick();
  }

  /** A receive event of a message stamped `remote`: merge (pointwise max), then tick. */
  receive(remote: VectorTimestamp): VectorTimestamp {
    this.#v = vectorIncrement(vectorMerge(this.#v, remote), this.self);
    return this.#v;
  }

  /** A plain snapshot. */
  inspect(): { self: NodeId; vector: VectorTimestamp } {
    return { self: this.self, vector: this.#v };
  }
}
