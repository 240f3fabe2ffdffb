/**
 * Read/write histories for the weak-consistency checkers (sequential, causal, session,
 * staleness): a Jepsen-style history is validated, paired and turned into numbered read and
 * write operations grouped by session (a client process), with the read-from relation and the
 * causal order CO = (PO ∪ WR)+ as vector clocks over sessions. Private to lib/checkers.
 * @module
 */
import { pairOperations } from "../workload/history.ts";
import type { History } from "../workload/history.ts";
import { showValue } from "./_lin_models.ts";

/** A malformed history: names the event (`history[i]`) and the field at fault. */
export class HistoryError extends Error {
  /** Index of the offending event in the history. */
  readonly index: number;
  /** The offending field (`f`, `value`, `process`, `timeMs`, ...). */
  readonly field: string;
  /** Build the error; the message starts with `history[index].field:`. */
  constructor(index: number, field: string, message: string) {
    super(`history[${index}].${field}: ${message}`);
    this.name = "HistoryError";
    this.index = index;
    this.field = field;
  }
}

/** One read or write of a read/write history. `id` indexes {@link RwHistory.ops}. */
export interface RwOp {
  /** Position in {@link RwHistory.ops}. */
  readonly id: number;
  /** The session (client process). */
  readonly process: number;
  /** Position in its session's program order. */
  readonly index: number;
  /** "read" (read, get) or "write" (write, put). */
  readonly kind: "read" | "write";
  /** The key; "" for a single register. */
  readonly key: string;
  /** Written value, or value read (`null`: the initial value). */
  readonly value: unknown;
  /** "ok", or "info" for a write whose outcome is unknown (it may have taken effect). */
  readonly status: "ok" | "info";
  /** Invocation time in ms. */
  readonly invokeMs: number;
  /** Completion time in ms (`Infinity` when unknown). */
  readonly completeMs: number;
  /** Index of the invoke event in the original history. */
  readonly invokeIndex: number;
  /** The server the client talked to, when the history says. */
  readonly node?: string;
}

/** A validated read/write history. */
export interface RwHistory {
  /** Operations ordered by session, then program order. */
  readonly ops: readonly RwOp[];
  /** `sessions[s]` lists op ids of the s-th session in program order. */
  readonly sessions: readonly (readonly number[])[];
  /** Process id of each session. */
  readonly processes: readonly number[];
  /** Session number (index into `sessions`) of each op. */
  readonly sessionOf: Int32Array;
  /** For a read, the id of the write it read from; -1 for the initial value, -2 for no write. */
  readonly readsFrom: Int32Array;
}

/** A canonical string for a value (for maps keyed by value). */
export function valueKey(v: unknown): string {
  if (v === null || v === undefined) return "nil";
  if (typeof v === "number" || typeof v === "boolean") return `${typeof v}:${v}`;
  if (typeof v === "string") return "s:" + v;
  return "j:" + JSON.stringify(v);
}

const TYPES = new Set(["invoke", "ok", "fail", "info"]);
const READS = new Set(["read", "get"]);
const WRITES = new Set(["write", "put"]);

/** Options of {@link toRwHistory}. */
export interface RwOptions {
  /** Throw when a key is written twice with the same value (differentiated histories). */
  readonly differentiated?: boolean;
}

/**
 * Validate and convert a history. `fail` operations and reads with unknown outcome are dropped;
 * writes with unknown outcome are kept (they may have taken effect and may be read).
 * Throws {@link HistoryError} naming the event and field.
 */
export function toRwHistory(history: History, options: RwOptions = {}): RwHistory {
  if (!Array.isArray(history)) throw new TypeError("history: expected an array of events");
  for (let i = 0; i < history.length; i++) {
    const e = history[i] as unknown as Record<string, unknown>;
    if (e === null || typeof e !== "object") {
      throw new HistoryError(i, "type", "expected an event object");
    }
    if (!TYPES.has(e.type as string)) {
      throw new HistoryError(i, "type", `expected invoke|ok|fail|info, got ${showValue(e.type)}`);
    }
    if (typeof e.process !== "number" || !Number.isInteger(e.process)) {
      throw new HistoryError(i, "process", `expected an integer, got ${showValue(e.process)}`);
    }
    if (typeof e.f !== "string" || (!READS.has(e.f) && !WRITES.has(e.f))) {
      throw new HistoryError(
        i,
        "f",
        `expected read|get|write|put (a read/write history), got ${showValue(e.f)}`,
      );
    }
    if (typeof e.timeMs !== "number" || Number.isNaN(e.timeMs)) {
      throw new HistoryError(i, "timeMs", `expected a number, got ${showValue(e.timeMs)}`);
    }
    if (e.key !== undefined && typeof e.key !== "string") {
      throw new HistoryError(i, "key", `expected a string, got ${showValue(e.key)}`);
    }
    if (e.type === "invoke" && WRITES.has(e.f) && (e.value === null || e.value === undefined)) {
      throw new HistoryError(i, "value", "a write of nil: nil stands for the initial value");
    }
  }
  let paired;
  try {
    paired = pairOperations(history);
  } catch (err) {
    const m = /^history\[(\d+)\]: (.*)$/s.exec((err as Error).message);
    if (m) throw new HistoryError(Number(m[1]), "type", m[2]);
    throw err;
  }
  const byProcess = new Map<number, RwOp[]>();
  const order: number[] = [];
  for (const op of paired) {
    if (op.status === "fail") continue;
    const kind = READS.has(op.f) ? "read" : "write";
    if (kind === "read" && op.status !== "ok") continue;
    let list = byProcess.get(op.process);
    if (!list) {
      list = [];
      byProcess.set(op.process, list);
      order.push(op.process);
    }
    const node = history[op.invokeIndex].node;
    list.push({
      id: 0,
      process: op.process,
      index: list.length,
      kind,
      key: op.key ?? "",
      value: kind === "write" ? op.input : (op.output ?? null),
      status: op.status === "ok" ? "ok" : "info",
      invokeMs: op.invokeMs,
      completeMs: op.completeMs,
      invokeIndex: op.invokeIndex,
      ...(node === undefined ? {} : { node }),
    });
  }
  const ops: RwOp[] = [];
  const sessions: number[][] = [];
  const sessionOf: number[] = [];
  order.forEach((p, s) => {
    const ids: number[] = [];
    for (const op of byProcess.get(p)!) {
      ids.push(ops.length);
      sessionOf.push(s);
      (op as { id: number }).id = ops.length;
      ops.push(op);
    }
    sessions.push(ids);
  });
  const writeOf = new Map<string, number>();
  for (const op of ops) {
    if (op.kind !== "write") continue;
    const k = op.key + "\u0000" + valueKey(op.value);
    const prev = writeOf.get(k);
    if (prev !== undefined && options.differentiated) {
      throw new HistoryError(
        op.invokeIndex,
        "value",
        `${showValue(op.value)} is written to key ${JSON.stringify(op.key)} twice (also at ` +
          `history[${ops[prev].invokeIndex}]); this checker needs a differentiated history ` +
          "(each value written at most once per key)",
      );
    }
    if (prev === undefined) writeOf.set(k, op.id);
  }
  const readsFrom = new Int32Array(ops.length).fill(-1);
  for (const op of ops) {
    if (op.kind !== "read") continue;
    if (op.value === null) continue;
    readsFrom[op.id] = writeOf.get(op.key + "\u0000" + valueKey(op.value)) ?? -2;
  }
  return { ops, sessions, processes: order, sessionOf: Int32Array.from(sessionOf), readsFrom };
}

/**
 * Vector clocks of PO ∪ WR ∪ `added` over sessions: `clock[o * S + t]` is the highest
 * program-order index of session t in o's past (o included), -1 when none. `added[o]` lists
 * extra predecessors of o. Without `withReadsFrom`, WR is left out. Returns `cycle` (op ids, in
 * order) when the relation is cyclic.
 */
export function computeClocks(
  h: RwHistory,
  added?: readonly (readonly number[] | undefined)[],
  withReadsFrom = true,
): { clock: Int32Array; topo: Int32Array } | { cycle: number[] } {
  const n = h.ops.length;
  const S = h.sessions.length;
  const { ops, sessions, sessionOf, readsFrom } = h;
  const start = new Int32Array(n + 1);
  const indeg = new Int32Array(n);
  for (let o = 0; o < n; o++) {
    const op = ops[o];
    if (op.index > 0) {
      start[sessions[sessionOf[o]][op.index - 1] + 1]++;
      indeg[o]++;
    }
    if (withReadsFrom && readsFrom[o] >= 0) {
      start[readsFrom[o] + 1]++;
      indeg[o]++;
    }
    const more = added?.[o];
    if (more) {
      for (const p of more) {
        start[p + 1]++;
        indeg[o]++;
      }
    }
  }
  for (let o = 0; o < n; o++) start[o + 1] += start[o];
  const succ = new Int32Array(start[n]);
  const at = start.slice(0, n);
  for (let o = 0; o < n; o++) {
    const op = ops[o];
    if (op.index > 0) succ[at[sessions[sessionOf[o]][op.index - 1]]++] = o;
    if (withReadsFrom && readsFrom[o] >= 0) succ[at[readsFrom[o]]++] = o;
    const more = added?.[o];
    if (more) { for (const p of more) succ[at[p]++] = o; }
  }
  const topo = new Int32Array(n);
  let head = 0;
  let tail = 0;
  // Stryker disable next-line MethodExpression: equivalent — indeg is not read after this line, so counting down in indeg itself would change nothing
  const deg = indeg.slice();
  for (let o = 0; o < n; o++) if (deg[o] === 0) topo[tail++] = o;
  while (head < tail) {
    const o = topo[head++];
    for (let e = start[o]; e < start[o + 1]; e++) if (--deg[succ[e]] === 0) topo[tail++] = succ[e];
  }
  if (tail < n) return { cycle: findCycle(n, start, succ, deg) };
  const clock = new Int32Array(n * S).fill(-1);
  const join = (base: number, p: number) => {
    const pb = p * S;
    for (let t = 0; t < S; t++) {
      if (clock[pb + t] > clock[base + t]) clock[base + t] = clock[pb + t];
    }
  };
  for (let k = 0; k < n; k++) {
    const o = topo[k];
    const base = o * S;
    const op = ops[o];
    if (op.index > 0) {
      const p = sessions[sessionOf[o]][op.index - 1];
      clock.copyWithin(base, p * S, p * S + S);
    }
    if (withReadsFrom && readsFrom[o] >= 0) join(base, readsFrom[o]);
    const more = added?.[o];
    if (more) { for (const p of more) join(base, p); }
    clock[base + sessionOf[o]] = op.index;
  }
  return { clock, topo };
}

/** A cycle among the nodes Kahn's algorithm could not remove (deg > 0). */
function findCycle(n: number, start: Int32Array, succ: Int32Array, deg: Int32Array): number[] {
  const state = new Uint8Array(n); // 0 new, 1 on stack, 2 done
  // Stryker disable next-line UnaryOperator: equivalent — parent is read only along the DFS stack, whose entries are all set before they are read
  const parent = new Int32Array(n).fill(-1);
  for (let s = 0; s < n; s++) {
    if (deg[s] === 0 || state[s] !== 0) continue;
    const stack: [number, number][] = [[s, start[s]]];
    state[s] = 1;
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      const o = top[0];
      if (top[1] < start[o + 1]) {
        const q = succ[top[1]++];
        if (deg[q] === 0) continue;
        if (state[q] === 1) {
          const cycle: number[] = [];
          for (let x = o; x !== q; x = parent[x]) cycle.push(x);
          cycle.push(q);
          return cycle.reverse(); // q → … → o → q
        }
        if (state[q] === 0) {
          state[q] = 1;
          parent[q] = o;
          stack.push([q, start[q]]);
        }
      } else {
        state[o] = 2;
        stack.pop();
      }
    }
  }
  // Stryker disable next-line ArrayDeclaration: equivalent — never reached: a node left by Kahn's algorithm has a left predecessor, so the DFS over left nodes always finds a cycle
  return [];
}

/** One-line description of an op: `p1 write(x, 3)` / `p2 read(x) → 3`. */
export function describeRw(op: RwOp): string {
  const key = op.key === "" ? "" : `${JSON.stringify(op.key)}`;
  return op.kind === "write"
    ? `p${op.process} write(${key}${key ? ", " : ""}${showValue(op.value)})` +
      (op.status === "info" ? " (outcome unknown)" : "")
    : `p${op.process} read(${key}) → ${showValue(op.value)}`;
}

/** Per (key, session): sorted program-order indexes and ids of the session's writes to key. */
export class WriteIndex {
  private readonly map = new Map<string, { idx: number[]; ids: number[] }[]>();
  /** Index the writes (or, with `kind` "read", the reads) of `h`. */
  constructor(private readonly h: RwHistory, kind: "read" | "write" = "write") {
    const S = h.sessions.length;
    for (const op of h.ops) {
      if (op.kind !== kind) continue;
      let per = this.map.get(op.key);
      if (!per) {
        per = Array.from({ length: S }, () => ({ idx: [], ids: [] }));
        this.map.set(op.key, per);
      }
      const e = per[this.h.sessionOf[op.id]];
      e.idx.push(op.index);
      e.ids.push(op.id);
    }
  }
  /** The per-session lists of `key`, for {@link lastIn}; undefined when the key has none. */
  forKey(key: string): readonly { idx: number[]; ids: number[] }[] | undefined {
    return this.map.get(key);
  }
  /** The id of the last write to `key` by session `s` at program-order index ≤ `upTo`, or -1. */
  lastAtOrBefore(key: string, s: number, upTo: number): number {
    const e = this.map.get(key)?.[s];
    return e ? lastIn(e, upTo) : -1;
  }
}

/** In one session's list (see {@link WriteIndex.forKey}): the last id with index ≤ upTo, or -1. */
export function lastIn(e: { idx: number[]; ids: number[] }, upTo: number): number {
  if (upTo < 0 || e.idx.length === 0) return -1;
  let lo = 0;
  let hi = e.idx.length; // first index with idx > upTo
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (e.idx[mid] <= upTo) lo = mid + 1;
    else hi = mid;
  }
  return lo === 0 ? -1 : e.ids[lo - 1];
}

/** An operation of a witness: the operation plus a one-line description. */
export interface RwWitnessOp extends RwOp {
  /** E.g. `p1 read("x") → 3`. */
  readonly description: string;
}

/** Witness operations for ids (deduplicated, in history order of invocation). */
export function witnessOps(h: RwHistory, ids: Iterable<number>): RwWitnessOp[] {
  const seen = [...new Set(ids)].filter((i) => i >= 0);
  seen.sort((a, b) => h.ops[a].invokeIndex - h.ops[b].invokeIndex);
  return seen.map((i) => ({ ...h.ops[i], description: describeRw(h.ops[i]) }));
}

/**
 * A path a → … → b in PO ∪ WR, given clocks of CO (a must be in b's causal past). Keeps only
 * the operations where the path changes session, so the path is short.
 */
export function causalPath(h: RwHistory, clock: Int32Array, a: number, b: number): number[] {
  const S = h.sessions.length;
  const sa = h.sessionOf[a];
  const ia = h.ops[a].index;
  const path = [b];
  let c = b;
  for (let guard = 0; c !== a && guard <= h.ops.length; guard++) {
    const t = h.sessionOf[c];
    if (t === sa && h.ops[c].index > ia) {
      path.push(a);
      break;
    }
    const ids = h.sessions[t];
    let lo = 0;
    let hi = h.ops[c].index; // earliest op of session t (≤ c) with a in its past
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (clock[ids[mid] * S + sa] >= ia) hi = mid;
      else lo = mid + 1;
    }
    const first = ids[lo];
    if (first !== c) path.push(first);
    const src = h.readsFrom[first];
    if (src < 0) break; // cannot happen when a is in b's past
    path.push(src);
    c = src;
  }
  return path.reverse();
}
