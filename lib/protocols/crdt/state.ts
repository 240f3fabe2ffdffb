/**
 * State-based CRDTs (CvRDTs) from Shapiro, Preguiça, Baquero, Zawirski, "A comprehensive study of
 * Convergent and Commutative Replicated Data Types", INRIA RR-7506, 2011, §2.2 and §3: each
 * payload lives in a join semilattice ordered by `compare` (here `leq`), every update is
 * inflationary (s ≤ update(s)), and `merge` is the least upper bound, hence commutative,
 * associative and idempotent. Replicas that have merged each other's states converge (§2.2,
 * Theorem 2.1: strong eventual consistency).
 *
 * States are plain immutable JSON-able records, discriminated on `type`, kept in a canonical form
 * (sorted keys and elements) so two equal states are equal as JSON. Set elements are strings.
 * @module
 */
import { z } from "zod";
import type { NodeId } from "../../sim/types.ts";
import { parseConfig } from "../../sim/errors.ts";
import {
  EMPTY_VECTOR,
  vectorCompare,
  vectorIncrement,
  vectorLeq,
  vectorMerge,
  type VectorTimestamp,
} from "../../clocks/vector.ts";
import { compareStrings, isSubset, sortedCounts, sortedUnique, stableJson } from "./_canon.ts";

/** Where and when an update happens at its source replica. */
export interface UpdateMeta {
  /** The replica applying the update. */
  readonly replica: NodeId;
  /** The replica's local clock (used by LWW timestamps only). */
  readonly nowMs: number;
  /** A number unique among this replica's updates (OR-Set tags are `replica:seq`). */
  readonly seq: number;
}

/** Merging states of two different CRDT types, or of a type this node does not hold. */
export class CrdtTypeError extends Error {
  /** Error name shown in stack traces and `String(err)`. */
  override name = "CrdtTypeError";
  /** The field at fault (always "type"). */
  readonly field: string;
  /** An error naming the field and both values. */
  constructor(field: string, left: unknown, right: unknown) {
    super(
      `cannot merge CRDT states of different types: field "${field}" is ${
        JSON.stringify(left)
      } on the left and ${JSON.stringify(right)} on the right`,
    );
    this.field = field;
  }
}

/** An update whose source precondition fails (e.g. removing an element not in the set). */
export class CrdtPreconditionError extends Error {
  /** Error name shown in stack traces and `String(err)`. */
  override name = "CrdtPreconditionError";
}

/** A state-based CRDT: a join semilattice with inflationary updates. */
export interface StateCrdt<S extends { readonly type: string }, Op, V> {
  /** The `type` tag of every state of this CRDT. */
  readonly type: S["type"];
  /** The zod schema of a well-formed state (used on states received from the network). */
  readonly schema: z.ZodType<S>;
  /** The initial state (the semilattice's bottom). */
  initial(): S;
  /** Apply an update at its source; throws CrdtPreconditionError when its precondition fails. */
  update(s: S, op: Op, meta: UpdateMeta): S;
  /** The least upper bound of two states. */
  merge(a: S, b: S): S;
  /** The semilattice order ("compare" in the paper). */
  leq(a: S, b: S): boolean;
  /** The query: what a client sees. */
  value(s: S): V;
}

/** Equality of canonical states. */
export function stateEquals(a: unknown, b: unknown): boolean {
  return stableJson(a) === stableJson(b);
}

function pointwiseMax(
  a: Record<string, number>,
  b: Record<string, number>,
): Record<string, number> {
  const m = new Map<string, number>(Object.entries(a));
  for (const [k, v] of Object.entries(b)) m.set(k, Math.max(m.get(k) ?? 0, v));
  return sortedCounts(m);
}

function pointwiseLeq(a: Record<string, number>, b: Record<string, number>): boolean {
  return Object.entries(a).every(([k, v]) => v <= (b[k] ?? 0));
}

function sum(r: Record<string, number>): number {
  return Object.values(r).reduce((x, y) => x + y, 0);
}

const Counts = z.record(z.string(), z.number().int().min(0));
const Elements = z.array(z.string());

// ---------------------------------------------------------------------------------------------
// Counters (§3.1)

/** G-Counter payload: one increment count per replica (§3.1.2). */
export interface GCounterState {
  /** CRDT type tag. */
  readonly type: "gCounter";
  /** Increments per replica. */
  readonly P: Readonly<Record<NodeId, number>>;
}
/** G-Counter update. */
export type GCounterOp = { readonly type: "increment"; readonly by?: number };

/** G-Counter (grow-only counter, §3.1.2): value = Σ P; merge = pointwise max. */
export const gCounter: StateCrdt<GCounterState, GCounterOp, number> = {
  type: "gCounter",
  schema: z.object({ type: z.literal("gCounter"), P: Counts }).strict(),
  initial: () => ({ type: "gCounter", P: {} }),
  update(s, op, meta) {
    const by = op.by ?? 1;
    if (!Number.isInteger(by) || by < 0) {
      throw new CrdtPreconditionError(`gCounter increment: "by" must be a non-negative integer`);
    }
    return {
      type: "gCounter",
      P: pointwiseMax(s.P, { [meta.replica]: (s.P[meta.replica] ?? 0) + by }),
    };
  },
  merge: (a, b) => ({ type: "gCounter", P: pointwiseMax(a.P, b.P) }),
  leq: (a, b) => pointwiseLeq(a.P, b.P),
  value: (s) => sum(s.P),
};

/** PN-Counter payload: a G-Counter of increments and one of decrements (§3.1.3). */
export interface PNCounterState {
  /** CRDT type tag. */
  readonly type: "pnCounter";
  /** Increments per replica. */
  readonly P: Readonly<Record<NodeId, number>>;
  /** Decrements per replica. */
  readonly N: Readonly<Record<NodeId, number>>;
}
/** PN-Counter update. */
export type PNCounterOp =
  | { readonly type: "increment"; readonly by?: number }
  | { readonly type: "decrement"; readonly by?: number };

/** PN-Counter (§3.1.3): value = Σ P − Σ N; each half merges as a G-Counter. */
export const pnCounter: StateCrdt<PNCounterState, PNCounterOp, number> = {
  type: "pnCounter",
  schema: z.object({ type: z.literal("pnCounter"), P: Counts, N: Counts }).strict(),
  initial: () => ({ type: "pnCounter", P: {}, N: {} }),
  update(s, op, meta) {
    const by = op.by ?? 1;
    if (!Number.isInteger(by) || by < 0) {
      throw new CrdtPreconditionError(`pnCounter ${op.type}: "by" must be a non-negative integer`);
    }
    const r = meta.replica;
    return op.type === "increment"
      ? { type: "pnCounter", P: pointwiseMax(s.P, { [r]: (s.P[r] ?? 0) + by }), N: s.N }
      : { type: "pnCounter", P: s.P, N: pointwiseMax(s.N, { [r]: (s.N[r] ?? 0) + by }) };
  },
  merge: (a, b) => ({ type: "pnCounter", P: pointwiseMax(a.P, b.P), N: pointwiseMax(a.N, b.N) }),
  leq: (a, b) => pointwiseLeq(a.P, b.P) && pointwiseLeq(a.N, b.N),
  value: (s) => sum(s.P) - sum(s.N),
};

// ---------------------------------------------------------------------------------------------
// Sets (§3.3)

/** G-Set payload (§3.3.1). */
export interface GSetState {
  /** CRDT type tag. */
  readonly type: "gSet";
  /** Elements, sorted. */
  readonly A: readonly string[];
}
/** G-Set update. */
export type GSetOp = { readonly type: "add"; readonly e: string };

/** G-Set (grow-only set, §3.3.1): merge = union, order = ⊆. */
export const gSet: StateCrdt<GSetState, GSetOp, string[]> = {
  type: "gSet",
  schema: z.object({ type: z.literal("gSet"), A: Elements }).strict(),
  initial: () => ({ type: "gSet", A: [] }),
  update: (s, op) => ({ type: "gSet", A: sortedUnique([...s.A, op.e]) }),
  merge: (a, b) => ({ type: "gSet", A: sortedUnique([...a.A, ...b.A]) }),
  leq: (a, b) => isSubset(a.A, b.A),
  value: (s) => [...s.A],
};

/** 2P-Set payload: added set A and removed set R (tombstones) (§3.3.2). */
export interface TwoPSetState {
  /** CRDT type tag. */
  readonly type: "twoPSet";
  /** Elements ever added, sorted. */
  readonly A: readonly string[];
  /** Elements ever removed (tombstones), sorted. */
  readonly R: readonly string[];
}
/** 2P-Set update. */
export type TwoPSetOp =
  | { readonly type: "add"; readonly e: string }
  | { readonly type: "remove"; readonly e: string };

/** 2P-Set (§3.3.2): lookup(e) = e ∈ A ∧ e ∉ R; a removed element can never be re-added. */
export const twoPSet: StateCrdt<TwoPSetState, TwoPSetOp, string[]> = {
  type: "twoPSet",
  schema: z.object({ type: z.literal("twoPSet"), A: Elements, R: Elements }).strict(),
  initial: () => ({ type: "twoPSet", A: [], R: [] }),
  update(s, op) {
    if (op.type === "add") return { type: "twoPSet", A: sortedUnique([...s.A, op.e]), R: s.R };
    // §3.3.2: remove(e) has the precondition lookup(e)
    if (!s.A.includes(op.e) || s.R.includes(op.e)) {
      throw new CrdtPreconditionError(`twoPSet remove: element ${JSON.stringify(op.e)} not in set`);
    }
    return { type: "twoPSet", A: s.A, R: sortedUnique([...s.R, op.e]) };
  },
  merge: (a, b) => ({
    type: "twoPSet",
    A: sortedUnique([...a.A, ...b.A]),
    R: sortedUnique([...a.R, ...b.R]),
  }),
  leq: (a, b) => isSubset(a.A, b.A) && isSubset(a.R, b.R),
  value: (s) => s.A.filter((e) => !s.R.includes(e)),
};

/** An OR-Set pair: an element and the unique tag of the add that inserted it. */
export interface OrPair {
  /** The element. */
  readonly e: string;
  /** Unique tag of the add (`replica:seq`). */
  readonly tag: string;
}

/** OR-Set payload: tagged adds A and tombstoned pairs R (§3.3.5, state-based). */
export interface ORSetState {
  /** CRDT type tag. */
  readonly type: "orSet";
  /** Every (element, tag) pair ever added, sorted. */
  readonly A: readonly OrPair[];
  /** Every removed pair (tombstones), sorted. */
  readonly R: readonly OrPair[];
}
/** OR-Set update. */
export type ORSetOp =
  | { readonly type: "add"; readonly e: string }
  | { readonly type: "remove"; readonly e: string };

const pairKey = (p: OrPair) => `${p.tag}\u0000${p.e}`;
function pairUnion(...lists: (readonly OrPair[])[]): OrPair[] {
  const m = new Map<string, OrPair>();
  for (const l of lists) for (const p of l) m.set(pairKey(p), { e: p.e, tag: p.tag });
  return [...m.entries()].sort((x, y) => compareStrings(x[0], y[0])).map(([, p]) => p);
}
function pairSubset(a: readonly OrPair[], b: readonly OrPair[]): boolean {
  return isSubset(a.map(pairKey), b.map(pairKey));
}
const Pairs = z.array(z.object({ e: z.string(), tag: z.string() }).strict());

/** Whether `e` is in an OR-Set (some add of it is not tombstoned). */
function orLookup(A: readonly OrPair[], R: readonly OrPair[], e: string): boolean {
  const dead = new Set(R.map(pairKey));
  return A.some((p) => p.e === e && !dead.has(pairKey(p)));
}

/**
 * Observed-Remove Set (§3.3.5): add(e) inserts (e, fresh tag); remove(e) tombstones the pairs of
 * e observed at the source, so a concurrent add (an unseen tag) survives: "add wins".
 */
export const orSet: StateCrdt<ORSetState, ORSetOp, string[]> = {
  type: "orSet",
  schema: z.object({ type: z.literal("orSet"), A: Pairs, R: Pairs }).strict(),
  initial: () => ({ type: "orSet", A: [], R: [] }),
  update(s, op, meta) {
    if (op.type === "add") {
      return {
        type: "orSet",
        A: pairUnion(s.A, [{ e: op.e, tag: `${meta.replica}:${meta.seq}` }]),
        R: s.R,
      };
    }
    if (!orLookup(s.A, s.R, op.e)) {
      throw new CrdtPreconditionError(`orSet remove: element ${JSON.stringify(op.e)} not in set`);
    }
    return { type: "orSet", A: s.A, R: pairUnion(s.R, s.A.filter((p) => p.e === op.e)) };
  },
  merge: (a, b) => ({ type: "orSet", A: pairUnion(a.A, b.A), R: pairUnion(a.R, b.R) }),
  leq: (a, b) => pairSubset(a.A, b.A) && pairSubset(a.R, b.R),
  value: (s) => sortedUnique(s.A.filter((p) => orLookup(s.A, s.R, p.e)).map((p) => p.e)),
};

// ---------------------------------------------------------------------------------------------
// Registers (§3.2)

/** LWW-Register payload: a value and its timestamp (§3.2.1). */
export interface LWWRegisterState {
  /** CRDT type tag. */
  readonly type: "lwwRegister";
  /** The value (null initially). */
  readonly x: unknown;
  /** Timestamp: local clock reading, kept above every timestamp seen (0 initially). */
  readonly t: number;
  /** The writing replica, breaking ties between equal `t` ("" initially). */
  readonly replica: NodeId;
}
/** LWW-Register update. */
export type LWWRegisterOp = { readonly type: "assign"; readonly x: unknown };

/** The total order of LWW timestamps: (t, replica, then the value as JSON). */
export function lwwCompare(a: LWWRegisterState, b: LWWRegisterState): number {
  if (a.t !== b.t) return a.t < b.t ? -1 : 1;
  const r = compareStrings(a.replica, b.replica);
  return r !== 0 ? r : compareStrings(stableJson(a.x), stableJson(b.x));
}

/**
 * Last-Writer-Wins Register (§3.2.1): merge keeps the larger timestamp. The paper assumes
 * unique timestamps consistent with causality; here the timestamp is max(local clock, last
 * t + 1) so a write after a merge always wins over what it saw, ties break on the replica id,
 * and (for states no real run produces) on the value, making the order total and merge a join.
 * With skewed clocks a causally later write can still lose to a concurrent one stamped by a
 * fast clock: that is LWW's documented anomaly, not a bug here.
 */
export const lwwRegister: StateCrdt<LWWRegisterState, LWWRegisterOp, unknown> = {
  type: "lwwRegister",
  schema: z.object({
    type: z.literal("lwwRegister"),
    x: z.unknown(),
    t: z.number().finite(),
    replica: z.string(),
  }).strict() as unknown as z.ZodType<LWWRegisterState>,
  initial: () => ({ type: "lwwRegister", x: null, t: 0, replica: "" }),
  update: (s, op, meta) => ({
    type: "lwwRegister",
    x: op.x,
    t: Math.max(meta.nowMs, s.t + 1),
    replica: meta.replica,
  }),
  merge: (a, b) => (lwwCompare(a, b) >= 0 ? a : b),
  leq: (a, b) => lwwCompare(a, b) <= 0,
  value: (s) => s.x,
};

/** An MV-Register entry: a value and the version vector of its assignment. */
export interface MvEntry {
  /** The value. */
  readonly x: unknown;
  /** Version vector of the assign that wrote it. */
  readonly V: VectorTimestamp;
}

/** MV-Register payload: the concurrent (mutually incomparable) assignments (§3.2.2). */
export interface MVRegisterState {
  /** CRDT type tag. */
  readonly type: "mvRegister";
  /** Entries with pairwise concurrent vectors, sorted. */
  readonly entries: readonly MvEntry[];
}
/** MV-Register update. */
export type MVRegisterOp = { readonly type: "assign"; readonly x: unknown };

function canonVector(v: VectorTimestamp): VectorTimestamp {
  return sortedCounts(Object.entries(v));
}
function canonEntries(entries: readonly MvEntry[]): MvEntry[] {
  const m = new Map<string, MvEntry>();
  for (const e of entries) {
    const c = { x: e.x, V: canonVector(e.V) };
    m.set(stableJson(c), c);
  }
  return [...m.entries()].sort((a, b) => compareStrings(a[0], b[0])).map(([, e]) => e);
}
/** Entries of `from` not strictly dominated by an entry of `by`. */
function undominated(from: readonly MvEntry[], by: readonly MvEntry[]): MvEntry[] {
  return from.filter((e) => by.every((f) => vectorCompare(e.V, f.V) !== "before"));
}

/**
 * Multi-Value Register (§3.2.2): assign(x) writes (x, V) with V the merge of every vector held,
 * incremented at the source, replacing them; merge keeps each side's entries not dominated by the
 * other side's, so concurrent assignments survive side by side until a later assign overwrites.
 */
export const mvRegister: StateCrdt<MVRegisterState, MVRegisterOp, unknown[]> = {
  type: "mvRegister",
  schema: z.object({
    type: z.literal("mvRegister"),
    entries: z.array(
      z.object({ x: z.unknown(), V: z.record(z.string(), z.number().int().min(0)) }).strict(),
    ),
  }).strict() as unknown as z.ZodType<MVRegisterState>,
  initial: () => ({ type: "mvRegister", entries: [] }),
  update(s, op, meta) {
    const V = s.entries.reduce((acc, e) => vectorMerge(acc, e.V), EMPTY_VECTOR);
    return {
      type: "mvRegister",
      entries: canonEntries([{ x: op.x, V: vectorIncrement(V, meta.replica) }]),
    };
  },
  merge: (a, b) => ({
    type: "mvRegister",
    entries: canonEntries([
      ...undominated(a.entries, b.entries),
      ...undominated(b.entries, a.entries),
    ]),
  }),
  // §3.2.2 compare: every entry of a is dominated by (or equal to) some entry of b
  leq: (a, b) => a.entries.every((e) => b.entries.some((f) => vectorLeq(e.V, f.V))),
  value: (s) => s.entries.map((e) => e.x),
};

// ---------------------------------------------------------------------------------------------

/** Every state-based CRDT, by its `type` tag. */
export const STATE_CRDTS = {
  gCounter,
  pnCounter,
  gSet,
  twoPSet,
  orSet,
  lwwRegister,
  mvRegister,
} as const;

/** The `type` tag of a state-based CRDT. */
export type StateCrdtType = keyof typeof STATE_CRDTS;

/** Any state of the state-based CRDTs above. */
export type AnyCrdtState =
  | GCounterState
  | PNCounterState
  | GSetState
  | TwoPSetState
  | ORSetState
  | LWWRegisterState
  | MVRegisterState;

function typeOf(x: unknown): unknown {
  return x !== null && typeof x === "object" ? (x as { type?: unknown }).type : undefined;
}

/**
 * Validate `incoming` as a state of `crdt` and merge it into `local`. A state of another type
 * throws CrdtTypeError naming the field "type"; a malformed one throws a ConfigError naming the
 * bad field (e.g. `P.n1`).
 * @example
 * ```ts
 * const a = gCounter.update(gCounter.initial(), { type: "increment" }, { replica: "n0", nowMs: 0, seq: 1 });
 * mergeChecked(gCounter, a, { type: "gCounter", P: { n1: 2 } }); // P: { n0: 1, n1: 2 }
 * ```
 */
export function mergeChecked<S extends { readonly type: string }, Op, V>(
  crdt: StateCrdt<S, Op, V>,
  local: S,
  incoming: unknown,
): S {
  const t = typeOf(incoming);
  if (t !== crdt.type) throw new CrdtTypeError("type", crdt.type, t);
  return crdt.merge(local, parseConfig(crdt.schema, incoming, `${crdt.type} state`));
}

/**
 * Merge two states of any of the CRDTs above, dispatching on `type`; states of different types
 * (or an unknown type) throw CrdtTypeError naming the field "type".
 */
export function mergeStates(a: AnyCrdtState, b: AnyCrdtState): AnyCrdtState {
  const ta = typeOf(a), tb = typeOf(b);
  if (ta !== tb) throw new CrdtTypeError("type", ta, tb);
  if (typeof ta !== "string" || !Object.hasOwn(STATE_CRDTS, ta)) {
    throw new CrdtTypeError("type", ta, tb);
  }
  const crdt = STATE_CRDTS[ta as StateCrdtType] as unknown as StateCrdt<
    AnyCrdtState,
    unknown,
    unknown
  >;
  return mergeChecked(crdt, parseConfig(crdt.schema, a, `${ta} state`), b);
}
