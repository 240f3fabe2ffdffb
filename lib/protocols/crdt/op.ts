/**
 * Operation-based CRDTs (CmRDTs), Shapiro et al. 2011, §2.3 and §3: an update runs `prepare` at
 * its source (the "atSource" phase, which checks preconditions and reads local state) and
 * yields a downstream effect that every replica applies with `effect`. Delivered in causal order
 * (exactly once), concurrent effects commute, so replicas that applied the same effects agree
 * (§2.3, Theorem 2.2). Causal order comes from {@link CausalBroadcastNode}.
 * @module
 */
import type { NodeId } from "../../sim/types.ts";
import {
  EMPTY_VECTOR,
  vectorCompare,
  vectorIncrement,
  vectorMerge,
  type VectorTimestamp,
} from "../../clocks/vector.ts";
import { compareStrings, sortedCounts, sortedUnique, stableJson } from "./_canon.ts";
import { CrdtPreconditionError, type MvEntry, type OrPair, type UpdateMeta } from "./state.ts";

/** An op-based CRDT: source-side `prepare`, replica-side `effect`. */
export interface OpCrdt<S, Op, D, V> {
  /** The CRDT's type tag (carried with each effect so replicas of other types reject it). */
  readonly type: string;
  /** The initial state. */
  initial(): S;
  /** At the source: check the precondition against local state and build the effect. */
  prepare(s: S, op: Op, meta: UpdateMeta): D;
  /** At every replica (the source included): apply a delivered effect. */
  effect(s: S, d: D): S;
  /** The query. */
  value(s: S): V;
}

// §3.1.1: an op-based counter needs no vector: increments commute.

/** Effect of a counter update: a signed amount. */
export type CounterEffect = { readonly by: number };
/** Counter update. */
export type CounterOp =
  | { readonly type: "increment"; readonly by?: number }
  | { readonly type: "decrement"; readonly by?: number };

function amount(op: CounterOp, allowDecrement: boolean, type: string): number {
  const by = op.by ?? 1;
  if (!Number.isInteger(by) || by < 0) {
    throw new CrdtPreconditionError(`${type} ${op.type}: "by" must be a non-negative integer`);
  }
  if (op.type === "decrement" && !allowDecrement) {
    throw new CrdtPreconditionError(`${type}: a grow-only counter has no decrement`);
  }
  return op.type === "increment" ? by : -by;
}

/** Op-based G-Counter (§3.1.1 restricted to increments). */
export const opGCounter: OpCrdt<number, CounterOp, CounterEffect, number> = {
  type: "opGCounter",
  initial: () => 0,
  prepare: (_s, op) => ({ by: amount(op, false, "opGCounter") }),
  effect: (s, d) => s + d.by,
  value: (s) => s,
};

/** Op-based PN-Counter (§3.1.1): increment and decrement effects commute. */
export const opPNCounter: OpCrdt<number, CounterOp, CounterEffect, number> = {
  type: "opPNCounter",
  initial: () => 0,
  prepare: (_s, op) => ({ by: amount(op, true, "opPNCounter") }),
  effect: (s, d) => s + d.by,
  value: (s) => s,
};

/** Set update (add, or remove where the set allows it). */
export type SetOp =
  | { readonly type: "add"; readonly e: string }
  | { readonly type: "remove"; readonly e: string };

/** Op-based G-Set (§3.3.1): adds commute (union). */
export const opGSet: OpCrdt<
  readonly string[],
  { type: "add"; e: string },
  { add: string },
  string[]
> = {
  type: "opGSet",
  initial: () => [],
  prepare: (_s, op) => ({ add: op.e }),
  effect: (s, d) => sortedUnique([...s, d.add]),
  value: (s) => [...s],
};

/** Op-based 2P-Set state. */
export interface OpTwoPSetState {
  /** Added elements. */
  readonly A: readonly string[];
  /** Removed elements (tombstones). */
  readonly R: readonly string[];
}
/** Op-based 2P-Set effect. */
export type TwoPSetEffect = { readonly add: string } | { readonly remove: string };

/**
 * Op-based 2P-Set (§3.3.2): remove(e) requires lookup(e) at the source, and causal delivery
 * guarantees the add was applied first everywhere.
 */
export const opTwoPSet: OpCrdt<OpTwoPSetState, SetOp, TwoPSetEffect, string[]> = {
  type: "opTwoPSet",
  initial: () => ({ A: [], R: [] }),
  prepare(s, op) {
    if (op.type === "add") return { add: op.e };
    if (!s.A.includes(op.e) || s.R.includes(op.e)) {
      throw new CrdtPreconditionError(
        `opTwoPSet remove: element ${JSON.stringify(op.e)} not in set`,
      );
    }
    return { remove: op.e };
  },
  effect: (s, d) =>
    "add" in d
      ? { A: sortedUnique([...s.A, d.add]), R: s.R }
      : { A: s.A, R: sortedUnique([...s.R, d.remove]) },
  value: (s) => s.A.filter((e) => !s.R.includes(e)),
};

/** Op-based OR-Set effect: add one tagged pair, or remove the observed tags of an element. */
export type ORSetEffect =
  | { readonly add: OrPair }
  | { readonly remove: string; readonly tags: readonly string[] };

function sortPairs(ps: Iterable<OrPair>): OrPair[] {
  const m = new Map<string, OrPair>();
  for (const p of ps) m.set(`${p.tag}\u0000${p.e}`, p);
  return [...m.entries()].sort((a, b) => compareStrings(a[0], b[0])).map(([, p]) => p);
}

/**
 * Op-based OR-Set (§3.3.5): add(e) ships a unique tag (`replica:seq`); remove(e) ships the tags
 * of e observed at the source, and each replica removes exactly those. A concurrent add carries a
 * tag the remove did not observe, so add wins; causal delivery ensures a remove never arrives
 * before the adds it observed.
 */
export const opORSet: OpCrdt<readonly OrPair[], SetOp, ORSetEffect, string[]> = {
  type: "opORSet",
  initial: () => [],
  prepare(s, op, meta) {
    if (op.type === "add") return { add: { e: op.e, tag: `${meta.replica}:${meta.seq}` } };
    const tags = s.filter((p) => p.e === op.e).map((p) => p.tag);
    if (!tags.length) {
      throw new CrdtPreconditionError(`opORSet remove: element ${JSON.stringify(op.e)} not in set`);
    }
    return { remove: op.e, tags: sortedUnique(tags) };
  },
  effect(s, d) {
    if ("add" in d) return sortPairs([...s, d.add]);
    const gone = new Set(d.tags);
    return s.filter((p) => !(p.e === d.remove && gone.has(p.tag)));
  },
  value: (s) => sortedUnique(s.map((p) => p.e)),
};

/** Op-based LWW-Register state and effect: a value with its (t, replica) timestamp. */
export interface LwwEntry {
  /** The value. */
  readonly x: unknown;
  /** Timestamp (see the state-based LWW-Register). */
  readonly t: number;
  /** Writer, breaking ties. */
  readonly replica: NodeId;
}

function lwwAbove(a: LwwEntry, b: LwwEntry): boolean {
  if (a.t !== b.t) return a.t > b.t;
  const r = compareStrings(a.replica, b.replica);
  return r !== 0 ? r > 0 : compareStrings(stableJson(a.x), stableJson(b.x)) > 0;
}

/** Op-based LWW-Register (§3.2.1): an effect replaces the value only if its timestamp is larger. */
export const opLWWRegister: OpCrdt<LwwEntry, { type: "assign"; x: unknown }, LwwEntry, unknown> = {
  type: "opLWWRegister",
  initial: () => ({ x: null, t: 0, replica: "" }),
  prepare: (s, op, meta) => ({ x: op.x, t: Math.max(meta.nowMs, s.t + 1), replica: meta.replica }),
  effect: (s, d) => (lwwAbove(d, s) ? d : s),
  value: (s) => s.x,
};

function canonEntries(es: readonly MvEntry[]): MvEntry[] {
  const m = new Map<string, MvEntry>();
  for (const e of es) {
    const c = { x: e.x, V: sortedCounts(Object.entries(e.V)) as VectorTimestamp };
    m.set(stableJson(c), c);
  }
  return [...m.entries()].sort((a, b) => compareStrings(a[0], b[0])).map(([, e]) => e);
}

/**
 * Op-based MV-Register (the op-based reading of §3.2.2): assign(x) ships (x, V) with V the merge
 * of the vectors seen, incremented at the source; an effect drops the entries its V dominates and
 * adds itself, so concurrent assignments (incomparable V) both stay.
 */
export const opMVRegister: OpCrdt<
  readonly MvEntry[],
  { type: "assign"; x: unknown },
  MvEntry,
  unknown[]
> = {
  type: "opMVRegister",
  initial: () => [],
  prepare(s, op, meta) {
    const V = s.reduce((acc: VectorTimestamp, e) => vectorMerge(acc, e.V), EMPTY_VECTOR);
    return { x: op.x, V: vectorIncrement(V, meta.replica) };
  },
  effect(s, d) {
    const kept = s.filter((e) => {
      const o = vectorCompare(e.V, d.V);
      return o !== "before" && o !== "equal";
    });
    // an entry that dominates d (impossible under causal delivery) would make d obsolete
    if (kept.some((e) => vectorCompare(e.V, d.V) === "after")) return canonEntries(kept);
    return canonEntries([...kept, d]);
  },
  value: (s) => s.map((e) => e.x),
};

/** Every op-based CRDT, by its `type` tag. */
export const OP_CRDTS = {
  opGCounter,
  opPNCounter,
  opGSet,
  opTwoPSet,
  opORSet,
  opLWWRegister,
  opMVRegister,
} as const;
