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
import type { Operation } from "../workload/history.ts";
import { unknownOutput } from "./_lin_model.ts";
import type { Model, RegisterKey, UnknownOutput } from "./_lin_model.ts";
import { fmix32, growPool, linkEntries, orderEntries, rehash } from "./_lin_search.ts";
import type { MemoryAccount, SearchOp } from "./_lin_search.ts";

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
  // Stryker disable next-line ArrayDeclaration: equivalent — performance only: the array is preallocated, and every slot read was written first
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
    // Stryker disable next-line UnaryOperator: equivalent — the first read of the initial value sets it (any invocation is after -∞); with no read the zone [-∞, -∞] is inside no forward zone, so it never reaches a witness
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

// ---------------------------------------------------------------------------------------------
// The search, specialised to registers

/** What {@link searchRegister} found (positions index the given operations). */
export interface RegisterSearchOutcome {
  readonly verdict: "ok" | "illegal" | "unknown";
  /** Loop iterations, counted as the general search counts them. */
  readonly steps: number;
  /** ok: a linearization, reads with unknown outcome left out; otherwise empty. */
  readonly order: readonly number[];
  /** Positions of `order` (unknown outcome, with a deadline) taken as not having taken effect. */
  readonly skipped: readonly number[];
  /** Distinct (linearized set, value) configurations cached. */
  readonly cacheSize: number;
  /** Length of the longest linearizable prefix found. */
  readonly bestDepth: number;
  /** True when the memory account ran out (the verdict is then "unknown"). */
  readonly outOfMemory: boolean;
}

/** Empty arrays (never written: they have no element) for a RegisterSearch not yet reset. */
const NO_INTS = new Int32Array(0);
const NO_BYTES = new Uint8Array(0);

/** Bytes of a cache entry besides its words: hash, head, length, offset, value, two table slots. */
const ENTRY_BYTES = 5 * 4 + 2 * 4;

/**
 * The search of _lin_search.ts (Wing & Gong with Lowe's just-in-time linearization and cache, in
 * Porcupine's layout) specialised to a read/write register whose values have primitive keys
 * (`registerView.keys`): a state is the number of a distinct value, and the list, the stacks and
 * the cache are typed arrays, reused from one partition to the next through `space`. Every step
 * it takes is also asked of the model (see Transitions; once per value and operation, since a
 * model's step is a pure function of the state and the operation), so its verdicts are the general
 * search's, which it follows step for step when the keys describe the model (and tests check);
 * what it saves is the state objects, the hashing of states and most of the fixed cost, which is
 * what small histories pay for.
 *
 * `inputs` and `outputs` are the model's reading of `ops` (`unknownOutput` for an unknown
 * outcome). Returns `undefined` when the partition does not qualify (no keys, an operation that
 * is neither a read nor a write, a value without a key) or when the keys do not describe the
 * model (then the general search decides).
 */
export function searchRegister<S, I, O>(
  model: Model<S, I, O>,
  inputs: readonly I[],
  outputs: readonly (O | UnknownOutput)[],
  ops: readonly Operation[],
  maxSteps: number,
  space: RegisterSearch,
): RegisterSearchOutcome | undefined {
  const keys = model.registerView?.keys;
  const readOnly = model.readOnly;
  if (keys === undefined || readOnly === undefined) return undefined;
  const n = ops.length;
  if (!space.reset(n)) {
    return {
      verdict: "unknown",
      steps: 0,
      order: [],
      skipped: [],
      cacheSize: 0,
      bestDepth: 0,
      outOfMemory: true,
    };
  }
  // Reading the operations: values numbered in order of appearance (0: the initial value).
  const { write, value, unknown, dropped, agreed, times, small } = space;
  // value numbers: small non-negative integer keys through an array, any other key a Map
  let ids: Map<RegisterKey, number> | undefined;
  let values = 1;
  const initial = keys.initial;
  if (
    typeof initial === "number" && (initial | 0) === initial && initial >= 0 &&
    initial < small.length
  ) {
    small[initial] = 1;
  } else (ids = new Map()).set(initial, 0);
  let m = 0;
  for (let i = 0; i < n; i++) {
    const op = ops[i];
    const output = outputs[i];
    const known = output !== unknownOutput;
    times[2 * i] = op.invokeMs;
    times[2 * i + 1] = known || Number.isFinite(op.completeMs) ? op.completeMs : Infinity;
    const read = readOnly(inputs[i]);
    dropped[i] = 0;
    agreed[i] = 0;
    unknown[i] = 0;
    if (!known) {
      if (read) {
        dropped[i] = 1; // a read with unknown outcome constrains nothing
        continue;
      }
      unknown[i] = Number.isFinite(op.completeMs) ? 2 : 1;
    }
    const key = keys.of(inputs[i], output);
    if (key === undefined) {
      space.release(); // the general search takes over, with the whole budget left
      return undefined;
    }
    let id: number | undefined;
    if (typeof key === "number" && (key | 0) === key && key >= 0 && key < small.length) {
      id = small[key] - 1;
      if (id < 0) small[key] = (id = values++) + 1;
    } else {
      id = (ids ??= new Map()).get(key);
      if (id === undefined) ids.set(key, id = values++);
    }
    value[i] = id;
    write[i] = read ? 0 : 1;
    m++;
  }
  const sorted = orderEntries(times.subarray(0, 2 * n), dropped.subarray(0, n), m);
  const { next, prev } = space;
  const head = 2 * n;
  linkEntries(next, prev, head, sorted);

  const transitions = new Transitions(model, inputs, outputs, values);
  // A first call with no steps only runs the search's exit (nothing else changes): the engine
  // then has feedback for it when it optimizes the loop while the real search runs, and that
  // code no longer deoptimizes at every later exit (it did, once per check, on a single register).
  space.run(head, transitions, 0);
  const verdict = space.run(head, transitions, maxSteps);
  if (verdict === "invalid") {
    space.release();
    return undefined;
  }
  const depth = verdict === "ok" ? space.depth : 0;
  // Stryker disable next-line ArrayDeclaration: equivalent — performance only: the array is preallocated, and every index below depth is assigned
  const order = new Array<number>(depth);
  const skipped: number[] = [];
  const { opStack, choiceStack } = space;
  for (let d = 0; d < depth; d++) {
    const op = opStack[d];
    order[d] = op;
    if (choiceStack[d] === 1) skipped.push(op);
  }
  return {
    verdict,
    steps: space.steps,
    order,
    skipped,
    cacheSize: space.cacheSize,
    bestDepth: verdict === "ok" ? space.depth : Math.max(0, space.bestDepth),
    outOfMemory: space.outOfMemory,
  };
}

/**
 * The model's own steps, asked at every step the register search takes (the first time it
 * tries an operation from a value; `agreed` remembers the answers of a partition): a write must
 * lead to the state of its value (each value's state is the one its first write reached, the
 * initial value's is `init()`), a read of the current value must keep the state, and a read of
 * another value must be refused. So every transition the search relies on is the model's
 * (states with one number are equal by `equal`), its "ok" and its "illegal" are the general
 * search's, and a disagreement (keys that do not describe the model) hands the partition back to
 * that search.
 */
class Transitions<S, I, O> {
  private readonly states: (S | undefined)[];

  constructor(
    private readonly model: Model<S, I, O>,
    private readonly inputs: readonly I[],
    private readonly outputs: readonly (O | UnknownOutput)[],
    values: number,
  ) {
    // Stryker disable next-line ArrayDeclaration: equivalent — performance only: the array is preallocated, and an unset slot reads undefined either way
    this.states = new Array<S | undefined>(values);
    this.states[0] = model.init();
  }

  /** Does the model take operation `op` from value `v` to value `next` (-1: refuses it)? */
  agree(v: number, op: number, next: number): boolean {
    const model = this.model;
    const after = model.step(this.states[v]!, this.inputs[op], this.outputs[op]);
    if (next === -1) return after === undefined;
    if (after === undefined) return false;
    const known = this.states[next];
    if (known === undefined) {
      this.states[next] = after;
      return true;
    }
    return after === known || model.equal(after, known);
  }
}

/**
 * The register search's arrays and state: the operations as numbers, the list, the stacks and
 * the cache, grown to the largest partition and reused for each (one per check, see
 * checkLinearizability), so that a history of many small partitions does not allocate them
 * again and again.
 */
export class RegisterSearch {
  steps = 0;
  depth = 0;
  // Stryker disable next-line UnaryOperator: equivalent — reset() sets it before any search reads it
  bestDepth = -1;
  cacheSize = 0;
  // Stryker disable next-line BooleanLiteral: equivalent — reset() sets it before any search reads it
  outOfMemory = false;
  // the operations (see searchRegister); empty until the first reset
  write = NO_BYTES;
  value = NO_INTS;
  unknown = NO_BYTES; // 1: unknown outcome, no deadline; 2: with a deadline
  dropped = NO_BYTES;
  times = new Float64Array(0);
  small = NO_INTS; // value number + 1 of a small integer key; 0: not seen
  /** Value number + 1 of the state from which the model last agreed to the operation; 0: none. */
  agreed = NO_INTS;
  next = NO_INTS;
  prev = NO_INTS;
  opStack = NO_INTS;
  /** 0: the operation took effect; 1: it did not (unknown outcome with a deadline). */
  choiceStack = NO_BYTES;
  private stateStack = NO_INTS;
  private words = 0;
  private bits = new Uint32Array(0);
  private bitsHash = 0;
  // The cache, laid out as LinearizationSearch's: a linearized set is kept as its first word
  // that is not all ones (`lo`) and the words from there to the last non-zero one (`hi`).
  private lo = 0;
  // Stryker disable next-line UnaryOperator: equivalent — reset() sets it before any search reads it
  private hi = -1;
  private capacity = 0;
  private hashes = NO_INTS;
  private heads = NO_INTS;
  private lens = NO_INTS;
  private offs = NO_INTS;
  private values = NO_INTS;
  private pool = new Uint32Array(0);
  private poolUsed = 0;
  private table = NO_INTS; // entry index + 1; 0 is empty
  private size = -1;
  /** Bytes the latest reset charged to the memory account (0 when it reused what it had). */
  private charged = 0;

  /** `memory`: what the cache may hold, shared with the other searches of the check. */
  constructor(private readonly memory: MemoryAccount | undefined) {}

  /** Make room for `n` operations and clear the cache; false when the memory budget is spent. */
  reset(n: number): boolean {
    this.charged = 0;
    this.steps = 0;
    this.depth = 0;
    // Stryker disable next-line UnaryOperator: equivalent — both run() calls of searchRegister set it before it is read (and a failed reset reports 0)
    this.bestDepth = -1;
    this.cacheSize = 0;
    this.outOfMemory = false;
    this.bitsHash = 0;
    this.lo = 0;
    this.hi = -1;
    this.poolUsed = 0;
    this.words = (n + 31) >>> 5;
    // a sparse history is linearized in about one configuration per operation
    let capacity = Math.max(64, this.capacity);
    while (capacity < n + (n >>> 3)) capacity *= 2;
    if (n > this.size) {
      // room for twice as many operations, so that partitions of similar sizes share it
      const size = Math.max(2 * n, 64);
      if (this.memory !== undefined && !this.memory.charge(32 * size)) {
        this.outOfMemory = true;
        return false;
      }
      this.charged += 32 * size;
      this.size = size;
      // One buffer for all of them (one allocation, not thirteen): 8-byte values first, then
      // 4-byte, then bytes, so that every view is aligned.
      const words = (size + 31) >>> 5;
      const buffer = new ArrayBuffer(16 * size + 4 * (10 * size + 66 + words) + 4 * size);
      let at = 0;
      const ints = (length: number) => {
        const a = new Int32Array(buffer, at, length);
        at += 4 * length;
        return a;
      };
      const bytes = (length: number) => {
        const a = new Uint8Array(buffer, at, length);
        at += length;
        return a;
      };
      this.times = new Float64Array(buffer, 0, 2 * size);
      at = 16 * size;
      this.value = ints(size);
      this.small = ints(2 * size + 64);
      this.agreed = ints(size);
      this.next = ints(2 * size + 1);
      this.prev = ints(2 * size + 1);
      this.opStack = ints(size);
      this.stateStack = ints(size);
      this.bits = new Uint32Array(buffer, at, words);
      at += 4 * words;
      this.write = bytes(size);
      this.unknown = bytes(size);
      this.dropped = bytes(size);
      this.choiceStack = bytes(size);
    } else {
      this.small.fill(0);
      this.bits.fill(0, 0, this.words);
    }
    if (capacity > this.capacity) {
      if (this.memory !== undefined && !this.memory.charge((ENTRY_BYTES + 8) * capacity)) {
        this.outOfMemory = true;
        return false;
      }
      this.charged += (ENTRY_BYTES + 8) * capacity;
      this.capacity = capacity;
      // one buffer: five arrays of `capacity` entries, the pool and the table (2 × capacity each)
      const buffer = new ArrayBuffer(4 * 9 * capacity);
      this.hashes = new Int32Array(buffer, 0, capacity);
      this.heads = new Int32Array(buffer, 4 * capacity, capacity);
      this.lens = new Int32Array(buffer, 8 * capacity, capacity);
      this.offs = new Int32Array(buffer, 12 * capacity, capacity);
      this.values = new Int32Array(buffer, 16 * capacity, capacity);
      this.pool = new Uint32Array(buffer, 20 * capacity, 2 * capacity);
      this.table = new Int32Array(buffer, 28 * capacity, 2 * capacity);
    } else {
      this.table.fill(0);
    }
    return true;
  }

  /**
   * Undo the latest reset's growth for a partition this search then declined: what it charged
   * goes back to the memory account (for the general search that takes the partition over) and
   * what it allocated is dropped. Arrays that an earlier reset sized are kept.
   */
  release(): void {
    if (this.charged === 0) return;
    this.memory?.refund(this.charged);
    this.charged = 0;
    this.size = -1;
    this.capacity = 0;
    this.write =
      this.unknown =
      this.dropped =
      this.choiceStack =
        NO_BYTES;
    this.value =
      this.small =
      this.agreed =
      this.next =
      this.prev =
      this.opStack =
      this.stateStack =
      this.hashes =
      this.heads =
      this.lens =
      this.offs =
      this.values =
      this.table =
        NO_INTS;
    this.times = new Float64Array(0);
    this.bits = this.pool = new Uint32Array(0);
  }

  /** Search the list whose head is entry `head`, for at most `maxSteps` steps. */
  run(
    head: number,
    model: Transitions<unknown, unknown, unknown>,
    maxSteps: number,
  ): "ok" | "illegal" | "unknown" | "invalid" {
    const { next, prev, write, value, unknown, agreed, opStack, choiceStack, stateStack } = this;
    let steps = 0;
    let depth = 0;
    let state = 0;
    let entry = next[head];
    let best = -1;
    let verdict: "ok" | "illegal" | "unknown" = "ok";
    while (next[head] !== -1) {
      if (steps >= maxSteps) {
        verdict = "unknown";
        break;
      }
      steps++;
      if ((entry & 1) === 0) {
        // a call: linearize the operation now if the register allows it (see _lin_search.ts)
        const op = entry >>> 1;
        const ns = write[op] === 1 ? value[op] : value[op] === state ? state : -1;
        // The model is asked once per (value, operation): its step is a pure function of them.
        if (agreed[op] !== state + 1) {
          if (!model.agree(state, op, ns)) return "invalid";
          agreed[op] = state + 1;
        }
        let chosen = -1;
        if (ns !== -1) {
          const entered = this.enter(op, ns);
          if (entered < 0) return this.stop(steps, depth, best);
          if (entered === 1) chosen = 0;
        }
        // an unknown write with a deadline may also not have taken effect
        if (chosen === -1 && unknown[op] === 2 && ns !== state) {
          const entered = this.enter(op, state);
          if (entered < 0) return this.stop(steps, depth, best);
          if (entered === 1) chosen = 1;
        }
        if (chosen === -1) {
          entry = next[entry];
          continue;
        }
        choiceStack[depth] = chosen;
        opStack[depth] = op;
        stateStack[depth++] = state;
        if (chosen === 0) state = ns;
        const ret = entry + 1;
        next[prev[entry]] = next[entry];
        prev[next[entry]] = prev[entry];
        next[prev[ret]] = next[ret];
        // Stryker disable next-line ConditionalExpression: equivalent (→ true) — next[ret] is -1 only for the list's last entry, and writing prev[-1] of an Int32Array does nothing (→ false is killed, but cannot be kept alone)
        if (next[ret] !== -1) prev[next[ret]] = prev[ret];
        entry = next[head];
        continue;
      }
      // a return whose call is still pending: backtrack
      if (depth > best) best = depth;
      if (depth === 0) {
        verdict = "illegal";
        break;
      }
      const op = opStack[--depth];
      this.clearBit(op);
      this.bitsHash ^= zobrist(op);
      const after = state;
      state = stateStack[depth];
      if (unknown[op] === 2 && choiceStack[depth] === 0 && after !== state) {
        const entered = this.enter(op, state);
        if (entered < 0) return this.stop(steps, depth, best);
        if (entered === 1) {
          choiceStack[depth++] = 1;
          entry = next[head];
          continue;
        }
      }
      const call = 2 * op;
      const ret = call + 1;
      next[prev[ret]] = ret;
      // Stryker disable next-line ConditionalExpression: equivalent (→ true) — next[ret] is -1 only for the list's last entry, and writing prev[-1] of an Int32Array does nothing (→ false is killed, but cannot be kept alone)
      if (next[ret] !== -1) prev[next[ret]] = ret;
      next[prev[call]] = call;
      prev[next[call]] = call;
      entry = next[call];
    }
    this.steps = steps;
    this.depth = depth;
    this.bestDepth = best;
    return verdict;
  }

  /** Out of memory: keep the figures so far. */
  private stop(steps: number, depth: number, best: number): "unknown" {
    this.steps = steps;
    this.depth = depth;
    this.bestDepth = best;
    return "unknown";
  }

  /**
   * Add `op` to the linearized set reaching value `v` unless that configuration is cached: 1 if
   * new, 0 if cached (the set is left as it was), -1 out of memory. One call per attempt, with
   * the bit, the hash and the probe inline: small histories run much of their search before the
   * engine has optimized (and inlined) anything, and there every call costs.
   */
  private enter(op: number, v: number): number {
    const bits = this.bits;
    const w = op >>> 5;
    const bit = 1 << (op & 31);
    bits[w] |= bit;
    let lo = this.lo;
    if (w === lo) {
      while (lo < this.words && bits[lo] === 0xffffffff) lo++;
    }
    const hi = w > this.hi ? w : this.hi;
    // the Zobrist key of op (fmix32, as zobrist()), then mixed with the value
    let z = Math.imul(op + 1, 0x9e3779b9);
    z ^= z >>> 16;
    z = Math.imul(z, 0x85ebca6b);
    z ^= z >>> 13;
    z = Math.imul(z, 0xc2b2ae35);
    z ^= z >>> 16;
    const bh = this.bitsHash ^ z;
    // Stryker disable next-line ArithmeticOperator: equivalent — performance only: any mixing of the value is a hash, and an entry matches only with the same value and words
    let h = bh ^ Math.imul(v + 1, 0x9e3779b1);
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    h ^= h >>> 16;
    const len = hi >= lo ? hi - lo + 1 : 0;
    const table = this.table;
    const mask = table.length - 1;
    let slot = h & mask;
    for (let t = table[slot]; t !== 0; t = table[slot]) {
      const e = t - 1;
      if (
        this.hashes[e] === h && this.values[e] === v && this.heads[e] === lo &&
        this.lens[e] === len
      ) {
        const pool = this.pool;
        const base = this.offs[e] - lo;
        let k = lo;
        while (k < lo + len && pool[base + k] === bits[k]) k++;
        if (k === lo + len) {
          bits[w] &= ~bit; // cached: the set stays as it was (lo and hi were not changed)
          return 0;
        }
      }
      slot = (slot + 1) & mask;
    }
    if (this.poolUsed + len > this.pool.length || this.cacheSize === this.capacity) {
      if (!this.make(len)) {
        // Stryker disable next-line UnaryOperator,AssignmentOperator: equivalent — the search stops here (out of memory), and the next reset clears the words it reads
        bits[w] &= ~bit;
        return -1;
      }
      const m = this.table.length - 1;
      slot = h & m;
      while (this.table[slot] !== 0) slot = (slot + 1) & m;
    }
    const e = this.cacheSize++;
    this.hashes[e] = h;
    this.values[e] = v;
    this.heads[e] = lo;
    this.lens[e] = len;
    this.offs[e] = this.poolUsed;
    const pool = this.pool;
    const base = this.poolUsed - lo;
    for (let k = lo; k < lo + len; k++) pool[base + k] = bits[k];
    this.poolUsed += len;
    this.table[slot] = e + 1;
    this.lo = lo;
    this.hi = hi;
    this.bitsHash = bh;
    return 1;
  }

  /** Clear operation `op`'s bit, keeping `lo` and `hi`. */
  private clearBit(op: number): void {
    const w = op >>> 5;
    const bits = this.bits;
    bits[w] &= ~(1 << (op & 31));
    if (w < this.lo) this.lo = w;
    if (w === this.hi) {
      let hi = w;
      while (hi >= 0 && bits[hi] === 0) hi--;
      this.hi = hi;
    }
  }

  /** Room for one more entry of `len` words; false (nothing changed) past the memory budget. */
  private make(len: number): boolean {
    if (this.poolUsed + len > this.pool.length) {
      const pool = growPool(this.pool, this.poolUsed, this.poolUsed + len, this.memory);
      if (pool === undefined) {
        this.outOfMemory = true;
        return false;
      }
      this.pool = pool;
    }
    if (this.cacheSize === this.capacity) {
      if (this.memory !== undefined && !this.memory.charge((ENTRY_BYTES + 8) * this.capacity)) {
        this.outOfMemory = true;
        return false;
      }
      this.grow();
    }
    return true;
  }

  private grow(): void {
    const capacity = this.capacity *= 2;
    this.hashes = widen(this.hashes, capacity);
    this.heads = widen(this.heads, capacity);
    this.lens = widen(this.lens, capacity);
    this.offs = widen(this.offs, capacity);
    this.values = widen(this.values, capacity);
    this.table = rehash(this.hashes, this.cacheSize, capacity);
  }
}

function widen(a: Int32Array, size: number): Int32Array<ArrayBuffer> {
  const b = new Int32Array(size);
  b.set(a);
  return b;
}

/** Operation `op`'s Zobrist key (as LinearizationSearch's). */
function zobrist(op: number): number {
  return fmix32(Math.imul(op + 1, 0x9e3779b9));
}
