/**
 * A polynomial decision procedure for read/write registers whose written values are unique.
 * Gibbons & Korach ("Testing shared memories", SIAM J. Comput. 26(4), 1997) show that testing
 * linearizability of a register becomes polynomial when each read's write is known, which unique
 * values give; the zone test below is the usual form of that procedure. Only the paper's abstract
 * could be consulted here, so the test is not taken on trust: tests/checkers/register_zones_test.ts
 * compares it with the search on thousands of random histories, and every answer is certified
 * (below). Private to lib/checkers.
 *
 * With unique values every read names the write it read from, so the operations fall into
 * clusters: a write and the reads of its value (the initial value's cluster has a virtual write
 * at -∞). A read that returns before its write is invoked, or reads a value nobody wrote, is
 * illegal outright. Otherwise, for a cluster let `s` be the earliest completion and `f` the
 * latest invocation among its operations. When s < f the cluster has a *forward zone* [s, f]:
 * its write is linearized no later than s and its last read no earlier than f, so the register
 * holds the cluster's value throughout. When f ≤ s all its operations share the instant f and
 * the *backward zone* [f, s] is where that instant may lie. The history is linearizable iff no
 * two forward zones overlap and no backward zone lies inside a forward zone. Intervals that only
 * touch count as concurrent (as in the search), so overlap and containment are strict.
 *
 * Both answers are certified, so the theorem is only needed for never having to fall back: "ok"
 * comes with a linearization built from the zones and replayed through the model (each
 * operation at an instant inside its interval); "illegal" comes with at most six operations
 * (the write and the two zone-defining operations of each of two clusters) that the search
 * itself refutes. Removing whole clusters, or reads, from a linearization leaves a
 * linearization, so an illegal sub-history of this kind makes the whole history illegal.
 * @module
 */
import { unknownOutput } from "./_lin_model.ts";
import type { Model } from "./_lin_model.ts";
import type { SearchOp } from "./_lin_search.ts";

/** The outcome of {@link checkRegisterZones} (positions index the given operations). */
export type ZoneResult =
  | {
    readonly verdict: "ok";
    /** A linearization (positions), reads with unknown outcome left out. */
    readonly order: readonly number[];
    /** Positions of `order` (writes with unknown outcome) taken as not having taken effect. */
    readonly skipped: readonly number[];
  }
  | {
    readonly verdict: "illegal";
    /** A small sub-history (positions, ascending) that is illegal by itself. */
    readonly conflict: readonly number[];
    /** In words, which rule it breaks. */
    readonly reason: string;
  };

/** Compare numbers that may be infinite (a - b is NaN for two equal infinities). */
function cmp(a: number, b: number): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

interface Cluster {
  write: number; // position, -1 for the initial value
  reads: number[];
  s: number;
  sOp: number;
  f: number;
  fOp: number;
}

/**
 * Decide a read/write register history by zones, or return `undefined` when it does not qualify
 * (the model has no register view, an operation is neither a read nor a write, a value is
 * written twice or equals the initial value) or when the certificate fails (then the caller
 * searches instead).
 */
export function checkRegisterZones<S, I, O>(
  model: Model<S, I, O>,
  ops: readonly SearchOp<I, O>[],
): ZoneResult | undefined {
  const view = model.registerView;
  if (view === undefined) return undefined;
  const n = ops.length;
  const writeOf = new Map<string, number>();
  const valueAt: string[] = new Array(n);
  const isWrite = new Uint8Array(n);
  const live: number[] = [];
  for (let i = 0; i < n; i++) {
    const op = ops[i];
    if (op.output === unknownOutput && (model.readOnly?.(op.input) ?? false)) continue;
    const access = view.access(op.input, op.output);
    if (access === undefined) return undefined;
    valueAt[i] = access.value;
    live.push(i);
    if (!access.write) continue;
    if (access.value === view.initial || writeOf.has(access.value)) return undefined;
    writeOf.set(access.value, i);
    isWrite[i] = 1;
  }
  // clusters; index 0 is the initial value
  const clusters: Cluster[] = [{
    write: -1,
    reads: [],
    s: -Infinity,
    sOp: -1,
    f: -Infinity,
    fOp: -1,
  }];
  const clusterOfWrite = new Map<number, number>();
  for (const i of live) {
    if (!isWrite[i]) continue;
    clusterOfWrite.set(i, clusters.length);
    clusters.push({ write: i, reads: [], s: Infinity, sOp: -1, f: -Infinity, fOp: -1 });
  }
  const tail: number[] = []; // writes with unknown outcome nobody read
  for (const i of live) {
    if (isWrite[i]) continue;
    const v = valueAt[i];
    let c = 0;
    if (v !== view.initial) {
      const w = writeOf.get(v);
      if (w === undefined) {
        return { verdict: "illegal", conflict: [i], reason: "it reads a value never written" };
      }
      if (ops[i].completeMs < ops[w].invokeMs) {
        return {
          verdict: "illegal",
          conflict: [Math.min(i, w), Math.max(i, w)],
          reason: "a read returns before the write of its value starts",
        };
      }
      c = clusterOfWrite.get(w)!;
    }
    clusters[c].reads.push(i);
  }
  const used: Cluster[] = [];
  for (const cl of clusters) {
    if (cl.write >= 0 && cl.reads.length === 0 && ops[cl.write].output === unknownOutput) {
      tail.push(cl.write);
      continue;
    }
    const members = cl.write >= 0 ? [cl.write, ...cl.reads] : cl.reads;
    for (const i of members) {
      if (ops[i].completeMs < cl.s) (cl.s = ops[i].completeMs), (cl.sOp = i);
      if (ops[i].invokeMs > cl.f) (cl.f = ops[i].invokeMs), (cl.fOp = i);
    }
    used.push(cl);
  }
  const forward = used.filter((c) => c.s < c.f).sort((a, b) => cmp(a.s, b.s) || cmp(a.f, b.f));
  const backward = used.filter((c) => !(c.s < c.f));
  const witness = (a: Cluster, b: Cluster, reason: string): ZoneResult => {
    const set = new Set<number>();
    for (const c of [a, b]) {
      for (const i of [c.write, c.sOp, c.fOp]) if (i >= 0) set.add(i);
    }
    return { verdict: "illegal", conflict: [...set].sort((x, y) => x - y), reason };
  };
  // forward zones must not overlap: sorted by start, each starts no earlier than all before end
  let widest: Cluster | undefined;
  for (const c of forward) {
    if (widest !== undefined && c.s < widest.f) {
      return witness(widest, c, "two values must both be the register's value at the same time");
    }
    if (widest === undefined || c.f > widest.f) widest = c;
  }
  // a backward zone must not lie inside a forward zone (forward zones are now disjoint, so only
  // the last one starting before it can contain it)
  const starts = forward.map((c) => c.s);
  const containing = (t: number): Cluster | undefined => {
    let lo = 0;
    let hi = starts.length; // first start ≥ t
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (starts[mid] < t) lo = mid + 1;
      else hi = mid;
    }
    return lo === 0 ? undefined : forward[lo - 1];
  };
  for (const c of backward) {
    const z = containing(c.f);
    if (z !== undefined && c.s < z.f) {
      return witness(z, c, "a value is written and read entirely while another must be held");
    }
  }
  // Certificate: place every cluster at instants inside its operations' intervals.
  // forward: the write at s, each read at max(invoke, s); backward: all at f, or at the end of
  // the forward zone that f falls inside. Ties: a forward zone's later reads (0), then backward
  // clusters (1), then a forward zone's write and the reads placed with it (2).
  // Every placed instant is finite (an invocation or a completion), so keys subtract safely.
  const m = live.length;
  const at = new Float64Array(m);
  const tie = new Float64Array(m); // class, then cluster, then write before reads
  const placed = new Int32Array(m);
  let count = 0;
  const place = (i: number, t: number, k: number, g: number, r: number) => {
    placed[count] = i;
    at[count] = t;
    tie[count++] = (k * (used.length + 1) + g) * 2 + r;
  };
  used.forEach((c, g) => {
    if (c.s < c.f) {
      if (c.write >= 0) place(c.write, c.s, 2, g, 0);
      for (const i of c.reads) {
        const t = Math.max(ops[i].invokeMs, c.s);
        place(i, t, t === c.s ? 2 : 0, g, 1);
      }
    } else {
      let t = c.f;
      const z = containing(t);
      if (z !== undefined && t < z.f) t = z.f;
      if (c.write >= 0) place(c.write, t, 1, g, 0);
      for (const i of c.reads) place(i, t, 1, g, 1);
    }
  });
  const idx = new Int32Array(count);
  for (let k = 0; k < count; k++) idx[k] = k;
  idx.sort((a, b) => at[a] - at[b] || tie[a] - tie[b] || placed[a] - placed[b]);
  const order = Array.from(idx, (k) => placed[k]);
  const skipped = tail.filter((i) => Number.isFinite(ops[i].completeMs));
  // replay: every instant inside its interval and every result as the model says
  let state = model.init();
  for (const k of idx) {
    const op = ops[placed[k]];
    if (at[k] < op.invokeMs || at[k] > op.completeMs) return undefined;
    const next = model.step(state, op.input, op.output);
    if (next === undefined) return undefined;
    state = next;
  }
  for (const i of tail) {
    if (Number.isFinite(ops[i].completeMs)) continue;
    const next = model.step(state, ops[i].input, ops[i].output);
    if (next === undefined) return undefined;
    state = next;
  }
  return { verdict: "ok", order: order.concat(tail), skipped };
}
