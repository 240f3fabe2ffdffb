/**
 * The linearization search for one partition: Wing & Gong's 1993 backtracking search with Lowe's
 * 2017 just-in-time linearization and state cache, laid out as in Porcupine (Athalye 2017).
 *
 * Call and return entries sit in a doubly linked list ordered by time. The search walks the list
 * from the head: at a call it tries to linearize that operation now (step the model); on success
 * it lifts the call and its return out of the list and restarts from the head; at a return whose
 * call is still in the list, that operation can no longer be linearized in time, so the search
 * backtracks. A cache of (linearized set, state) pairs prunes configurations already explored
 * (Lowe 2017): two paths that linearized the same set of operations and reached the same state
 * have the same future. Everything in the hot loop is a typed array; no allocation except cache
 * growth and the model's own states.
 * Private to lib/checkers.
 * @module
 */
import { unknownOutput } from "./_lin_model.ts";
import type { Model, UnknownOutput } from "./_lin_model.ts";

/** One operation as the search sees it. */
export interface SearchOp<I, O> {
  readonly input: I;
  /** The observed output, or {@link unknownOutput}. */
  readonly output: O | UnknownOutput;
  readonly invokeMs: number;
  /**
   * With a known output, the completion time. With an unknown output: `Infinity` (it may take
   * effect at any later time, or never) or a deadline (it took effect before then, or never).
   */
  readonly completeMs: number;
}

/** What one search found. Indices are positions in the `ops` array given to the search. */
export interface SearchOutcome<S> {
  readonly verdict: "ok" | "illegal" | "unknown";
  /** Loop iterations spent (each is one model step attempt or one backtrack). */
  readonly steps: number;
  /** ok: a complete linearization; otherwise the longest linearizable prefix found. */
  readonly order: readonly number[];
  /** Operations of `order` (unknown outcome) linearized as "did not take effect". */
  readonly skipped: readonly number[];
  /** The model state after `order`. */
  readonly state: S;
  /**
   * Not ok: the operations that were candidates to be linearized next at the deepest dead end
   * (every call before the first pending return); none of them led anywhere.
   */
  readonly frontier: readonly number[];
  /** Distinct (linearized set, state) pairs cached. */
  readonly cacheSize: number;
  /** Length of the longest linearizable prefix found (known even when not recorded). */
  readonly bestDepth: number;
  /** True when the search stopped because its memory account was spent (verdict "unknown"). */
  readonly outOfMemory: boolean;
}

/**
 * Bytes the state caches of several searches may hold together. Each search charges its cache's
 * typed arrays (and a pointer per cached state) before growing them and stops with verdict
 * "unknown" instead of growing past the budget.
 */
export class MemoryAccount {
  /** Bytes charged so far. */
  used = 0;
  /** Create an account of `budget` bytes. */
  constructor(readonly budget: number) {}
  /** Charge `bytes`; false (and nothing charged) when that would exceed the budget. */
  charge(bytes: number): boolean {
    if (this.used + bytes > this.budget) return false;
    this.used += bytes;
    return true;
  }
  /** Give back `bytes` charged earlier (memory dropped before it was used). */
  refund(bytes: number): void {
    this.used = Math.max(0, this.used - bytes);
  }
}

/** Options of {@link LinearizationSearch}. */
export interface SearchOptions {
  /**
   * Keep the longest partial linearization and its frontier as the search goes (for
   * explanations). Costs a copy of the stack at every new depth record: off when only the
   * verdict is wanted. Default false.
   */
  readonly record?: boolean;
  /** Memory the state cache may use (shared between searches). Default: unlimited. */
  readonly memory?: MemoryAccount;
}

const OUT_OF_MEMORY = Symbol("outOfMemory");

/** Bytes of a cache entry besides its words: hash, head, length, offset, two table slots, state. */
const ENTRY_BYTES = 4 + 4 + 4 + 4 + 8 + 8;

/** A 32-bit avalanche mix (murmur3's fmix32): deterministic per-operation Zobrist keys. */
export function fmix32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x | 0;
}

/**
 * Call and return entries (2i, 2i + 1) of the kept operations ordered by time; ties put calls
 * before returns, then lower entries first. Histories usually list operations by invocation, so
 * calls are already in order and returns nearly so: they are sorted by a bounded insertion sort
 * (stable, so ties stay by index) and merged, in O(n + inversions) without a comparator call per
 * pair; anything else falls back to a general sort with the same order.
 */
export function orderEntries(times: Float64Array, dropped: Uint8Array, m: number): Int32Array {
  // Each time is read once where it can be (kept in a local): before the engine optimizes this,
  // every read of a Float64Array element costs a boxed number.
  const n = dropped.length;
  const calls = new Int32Array(m);
  const rets = new Int32Array(m);
  // Stryker disable next-line BooleanLiteral: equivalent — performance only: calls taken as unsorted go to the general sort, which gives the same order
  let callsSorted = true;
  // Stryker disable next-line UnaryOperator: equivalent — `last` is first compared at k = 1, after the first call set it
  let last = -Infinity;
  for (let i = 0, k = 0; i < n; i++) {
    if (dropped[i] === 1) continue;
    const t = times[2 * i];
    // Stryker disable next-line LogicalOperator: equivalent — performance only: calls taken as unsorted go to the general sort, which gives the same order
    if (k > 0 && last > t) callsSorted = false;
    last = t;
    calls[k] = i;
    rets[k++] = i;
  }
  let moves = 0;
  // Stryker disable next-line ArithmeticOperator: equivalent — performance only: any other allowance falls back to the general sort, which gives the same order
  const maxMoves = 8 * m + 1024;
  if (callsSorted) {
    let top = m > 0 ? times[2 * rets[0] + 1] : 0; // the time of rets[k - 1]
    for (let k = 1; k < m && moves <= maxMoves; k++) {
      const r = rets[k];
      const t = times[2 * r + 1];
      // Stryker disable next-line BlockStatement: equivalent — performance only: an entry already in place goes through the insertion loop without a move
      if (top <= t) {
        top = t; // already in place
        continue;
      }
      let j = k - 1;
      while (j >= 0 && times[2 * rets[j] + 1] > t) {
        rets[j + 1] = rets[j];
        j--;
        moves++;
      }
      rets[j + 1] = r;
      top = times[2 * rets[k] + 1];
    }
  }
  const sorted = new Int32Array(2 * m);
  if (callsSorted && moves <= maxMoves) {
    let a = 0;
    let b = 0;
    let k = 0;
    let ta = m > 0 ? times[2 * calls[0]] : 0; // the time of calls[a]
    let tb = m > 0 ? times[2 * rets[0] + 1] : 0; // the time of rets[b]
    while (a < m && b < m) {
      // a call at the same time as a return goes first (touching intervals are concurrent)
      if (ta <= tb) {
        sorted[k++] = 2 * calls[a++];
        if (a < m) ta = times[2 * calls[a]];
      } else {
        sorted[k++] = 2 * rets[b++] + 1;
        if (b < m) tb = times[2 * rets[b] + 1];
      }
    }
    while (a < m) sorted[k++] = 2 * calls[a++];
    while (b < m) sorted[k++] = 2 * rets[b++] + 1;
    return sorted;
  }
  for (let k = 0; k < m; k++) {
    sorted[2 * k] = 2 * calls[k];
    sorted[2 * k + 1] = 2 * calls[k] + 1;
  }
  sorted.sort((a, b) => {
    const ta = times[a];
    const tb = times[b];
    if (ta !== tb) return ta < tb ? -1 : 1;
    const ka = a & 1;
    const kb = b & 1;
    if (ka !== kb) return ka - kb; // calls (even) before returns (odd)
    return a - b;
  });
  return sorted;
}

/**
 * A resumable linearization search over one partition. `run(steps)` advances it by at most that
 * many steps, so a caller can interleave partitions deterministically (Porcupine runs them in
 * parallel and stops at the first illegal one; round-robin slices give the same early exit).
 */
export class LinearizationSearch<S, I, O> {
  /** ok / illegal once decided; "unknown" while running. */
  verdict: "ok" | "illegal" | "unknown" = "unknown";
  /** Steps spent so far. */
  steps = 0;

  private readonly n: number;
  private readonly head: number;
  private readonly next: Int32Array;
  private readonly prev: Int32Array;
  private readonly inputs: I[];
  private readonly outputs: (O | UnknownOutput)[];
  /** 1: unknown outcome with no deadline; 2: unknown outcome, must happen (if at all) in time. */
  private readonly unknownKind: Uint8Array;
  private readonly general: boolean;
  private readonly words: number;
  private readonly bits: Uint32Array;
  private readonly zobrist: Int32Array;
  private bitsHash = 0;
  // The cache: open addressing over entry indices. A linearized set is stored compactly: words
  // below `lo` are all ones (the search lifts operations in time order, so everything invoked
  // before the first pending call is linearized) and words above `hi` are zero, so entry e keeps
  // its `lo` (heads[e]) and words lo..hi (lens[e] of them, from pool[offs[e]]): a few words per
  // entry instead of n/32.
  private lo = 0;
  private hi = -1;
  private heads: Int32Array;
  private lens: Int32Array;
  private offs: Int32Array;
  private poolUsed = 0;
  private capacity = 256;
  private pool: Uint32Array;
  private hashes: Int32Array;
  private readonly states: S[] = [];
  private table: Int32Array; // entry index + 1; 0 is empty
  private cacheSize = 0;
  // The stack of linearized operations, with the state before each.
  private readonly opStack: Int32Array;
  private readonly choiceStack: Int32Array;
  private readonly stateStack: S[];
  private readonly choicesStack: (readonly S[] | undefined)[];
  private depth = 0;
  private state: S;
  private entry: number;
  private bestDepth = -1;
  private bestOrder: readonly number[] = [];
  private bestSkipped: readonly number[] = [];
  /** For nondeterministic models: which choice at each depth is "did not take effect" (-1: none). */
  private readonly skipChoiceStack: Int32Array;
  private bestState: S;
  private bestFrontier: readonly number[] = [];
  private readonly recording: boolean;
  private readonly memory: MemoryAccount | undefined;
  /** True once the search stopped for lack of memory (the verdict stays "unknown"). */
  outOfMemory = false;

  /** Prepare the search; nothing runs until {@link run}. */
  constructor(
    private readonly model: Model<S, I, O>,
    ops: readonly SearchOp<I, O>[],
    options: SearchOptions = {},
  ) {
    this.recording = options.record ?? false;
    this.memory = options.memory;
    const n = ops.length;
    this.n = n;
    this.state = this.bestState = model.init();
    // Entries: call of op i = 2i, return of op i = 2i + 1, head sentinel = 2n.
    const head = 2 * n;
    this.head = head;
    // A read whose result is unknown constrains nothing: leave it out of the list.
    let m = 0;
    const times = new Float64Array(2 * n);
    const dropped = new Uint8Array(n);
    // Stryker disable next-line ArrayDeclaration: equivalent — performance only: an array created empty grows to the same n elements
    const inputs = this.inputs = new Array<I>(n);
    // Stryker disable next-line ArrayDeclaration: equivalent — performance only: an array created empty grows to the same n elements
    const outputs = this.outputs = new Array<O | UnknownOutput>(n);
    this.unknownKind = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const op = ops[i];
      times[2 * i] = op.invokeMs;
      times[2 * i + 1] = op.completeMs;
      inputs[i] = op.input;
      outputs[i] = op.output;
      if (op.output === unknownOutput) {
        if (model.readOnly !== undefined && model.readOnly(op.input)) dropped[i] = 1;
        this.unknownKind[i] = Number.isFinite(op.completeMs) ? 2 : 1;
      }
      if (dropped[i] === 0) m++;
    }
    const sorted = orderEntries(times, dropped, m);
    const next = this.next = new Int32Array(2 * n + 1);
    const prev = this.prev = new Int32Array(2 * n + 1);
    linkEntries(next, prev, head, sorted);
    this.entry = next[head];

    this.general = model.stepAll !== undefined;
    // Linearized set as a bitset, with an incrementally maintained Zobrist hash.
    this.words = (n + 31) >>> 5;
    this.bits = new Uint32Array(this.words);
    this.zobrist = new Int32Array(n);
    // Stryker disable next-line EqualityOperator: equivalent — performance only: missing keys (0) only make hashes collide, and cached sets are compared word by word (i <= n writes past the end, which a typed array ignores)
    for (let i = 0; i < n; i++) this.zobrist[i] = fmix32(Math.imul(i + 1, 0x9e3779b9));
    if (
      this.memory !== undefined &&
      !this.memory.charge(ENTRY_BYTES * this.capacity + 4 * this.capacity)
    ) {
      this.capacity = 0;
      this.outOfMemory = true;
    }
    this.pool = new Uint32Array(this.capacity);
    this.hashes = new Int32Array(this.capacity);
    this.heads = new Int32Array(this.capacity);
    this.lens = new Int32Array(this.capacity);
    this.offs = new Int32Array(this.capacity);
    this.table = new Int32Array(Math.max(1, 2 * this.capacity));
    this.opStack = new Int32Array(n);
    this.choiceStack = new Int32Array(n);
    this.skipChoiceStack = new Int32Array(n);
    this.stateStack = new Array<S>(n);
    this.choicesStack = new Array(n);
    if (m === 0) this.verdict = "ok";
  }

  /** Set operation `op`'s bit, keeping `lo` and `hi` (see the cache fields). */
  private setBit(op: number): void {
    const w = op >>> 5;
    const bits = this.bits;
    bits[w] |= 1 << (op & 31);
    if (w > this.hi) this.hi = w;
    if (w === this.lo) {
      let lo = w;
      while (lo < this.words && bits[lo] === 0xffffffff) lo++;
      this.lo = lo;
    }
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

  /** Insert (bits, state) unless present; true when inserted (a configuration not yet seen). */
  private cacheInsert(h: number, state: S): boolean {
    const bits = this.bits;
    const lo = this.lo;
    const len = this.hi >= lo ? this.hi - lo + 1 : 0;
    let table = this.table;
    let mask = table.length - 1;
    let slot = h & mask;
    for (;;) {
      const t = table[slot];
      if (t === 0) break;
      const e = t - 1;
      if (this.hashes[e] === h && this.heads[e] === lo && this.lens[e] === len) {
        const pool = this.pool;
        const base = this.offs[e] - lo;
        let w = lo;
        const end = lo + len;
        while (w < end && pool[base + w] === bits[w]) w++;
        if (w === end && this.model.equal(this.states[e], state)) return false;
      }
      slot = (slot + 1) & mask;
    }
    if (this.poolUsed + len > this.pool.length) {
      const pool = growPool(this.pool, this.poolUsed, this.poolUsed + len, this.memory);
      if (pool === undefined) {
        this.outOfMemory = true;
        throw OUT_OF_MEMORY;
      }
      this.pool = pool;
    }
    if (this.cacheSize === this.capacity) {
      if (this.memory !== undefined && !this.memory.charge(ENTRY_BYTES * this.capacity)) {
        this.outOfMemory = true;
        throw OUT_OF_MEMORY;
      }
      const capacity = this.capacity *= 2;
      const grow = (a: Int32Array) => {
        const b = new Int32Array(capacity);
        b.set(a);
        return b;
      };
      this.heads = grow(this.heads);
      this.lens = grow(this.lens);
      this.offs = grow(this.offs);
      this.hashes = grow(this.hashes);
      table = this.table = rehash(this.hashes, this.cacheSize, capacity);
      mask = table.length - 1;
      slot = h & mask;
      while (table[slot] !== 0) slot = (slot + 1) & mask;
    }
    const e = this.cacheSize++;
    this.hashes[e] = h;
    this.heads[e] = lo;
    this.lens[e] = len;
    this.offs[e] = this.poolUsed;
    const pool = this.pool;
    const base = this.poolUsed - lo;
    for (let w = lo; w < lo + len; w++) pool[base + w] = bits[w]; // a few words: no view object
    this.poolUsed += len;
    this.states.push(state);
    table[slot] = e + 1;
    return true;
  }

  /** Put op into the linearized set reaching `ns`, unless that configuration was explored. */
  private tryEnter(op: number, ns: S): boolean {
    this.setBit(op);
    const bh = this.bitsHash ^ this.zobrist[op];
    const h = fmix32(bh ^ Math.imul(this.model.hash(ns), 0x9e3779b1));
    if (this.cacheInsert(h, ns)) {
      this.bitsHash = bh;
      return true;
    }
    this.clearBit(op);
    return false;
  }

  /**
   * Every state `op` may lead to from `state`. An operation with unknown outcome may also not
   * take effect at all: with a deadline that is an explicit choice; without one it is only needed
   * where applying it is impossible, since it can always be moved to the end of a linearization.
   */
  private choices(state: S, op: number): readonly S[] {
    this.skipChoice = -1;
    const model = this.model;
    const input = this.inputs[op];
    const output = this.outputs[op];
    let all: readonly S[];
    if (model.stepAll !== undefined) {
      all = model.stepAll(state, input, output);
    } else {
      const ns = model.step(state, input, output);
      // Stryker disable next-line ConditionalExpression,EqualityOperator,ArrayDeclaration: equivalent — unreachable: choices() runs only for models with stepAll
      all = ns === undefined ? [] : [ns];
    }
    const kind = this.unknownKind[op];
    if (kind === 2 || (kind === 1 && all.length === 0)) {
      if (!all.some((s) => model.equal(s, state))) {
        this.skipChoice = all.length;
        all = [...all, state];
      }
    }
    return all;
  }

  private skipChoice = -1;

  private skippedOps(): number[] {
    const skipped: number[] = [];
    for (let d = 0; d < this.depth; d++) {
      const skip = this.general ? this.skipChoiceStack[d] : 1;
      // Only an operation with unknown outcome has a skip choice: choice 1 of the deterministic
      // path is taken only when unknownKind ≠ 0, and choices() leaves skipChoice at -1 otherwise.
      if (this.choiceStack[d] === skip) {
        skipped.push(this.opStack[d]);
      }
    }
    return skipped;
  }

  private record(entry: number): void {
    const next = this.next;
    this.bestDepth = this.depth;
    this.bestOrder = Array.from(this.opStack.subarray(0, this.depth));
    this.bestSkipped = this.skippedOps();
    this.bestState = this.state;
    const frontier: number[] = [];
    for (let e = next[this.head]; e !== -1 && e !== entry; e = next[e]) {
      if ((e & 1) === 0) frontier.push(e >>> 1);
    }
    this.bestFrontier = frontier;
  }

  /**
   * Advance by at most `maxSteps` steps; true once the verdict is decided. A search out of memory
   * stays "unknown" and never advances again.
   */
  run(maxSteps: number): boolean {
    if (this.verdict !== "unknown") return true;
    if (this.outOfMemory) return false;
    try {
      return this.advance(maxSteps);
    } catch (e) {
      if (e === OUT_OF_MEMORY) return false;
      throw e;
    }
  }

  private advance(maxSteps: number): boolean {
    const { model, next, prev, inputs, outputs, zobrist, opStack, choiceStack, stateStack } = this;
    const HEAD = this.head;
    const { general, unknownKind } = this;
    const limit = this.steps + Math.max(0, maxSteps);
    let { steps, depth, state, entry } = this;
    try {
      while (next[HEAD] !== -1) {
        if (steps >= limit) return false;
        steps++;
        if ((entry & 1) === 0) {
          // A call: try to linearize this operation right now (Wing & Gong: any minimal one).
          const op = entry >>> 1;
          let chosen = false;
          let ns: S | undefined;
          if (!general) {
            ns = model.step(state, inputs[op], outputs[op]);
            const kind = unknownKind[op];
            if (ns !== undefined && this.tryEnter(op, ns)) {
              chosen = true;
              choiceStack[depth] = 0;
            } else if (kind === 2 || (kind === 1 && ns === undefined)) {
              // An unknown outcome may also be "never took effect" (choice 1). Without a deadline
              // that only matters where applying is impossible: it could always go last instead.
              if ((ns === undefined || !model.equal(ns, state)) && this.tryEnter(op, state)) {
                chosen = true;
                ns = state;
                choiceStack[depth] = 1;
              }
            }
          } else {
            const all = this.choices(state, op);
            for (let c = 0; c < all.length; c++) {
              if (this.tryEnter(op, all[c])) {
                chosen = true;
                ns = all[c];
                choiceStack[depth] = c;
                this.choicesStack[depth] = all;
                this.skipChoiceStack[depth] = this.skipChoice;
                break;
              }
            }
          }
          if (chosen) {
            opStack[depth] = op;
            stateStack[depth] = state;
            depth++;
            state = ns as S;
            // lift: unlink the call and its return (dancing links)
            const ret = entry + 1;
            next[prev[entry]] = next[entry];
            prev[next[entry]] = prev[entry];
            next[prev[ret]] = next[ret];
            if (next[ret] !== -1) prev[next[ret]] = prev[ret];
            entry = next[HEAD];
          } else {
            entry = next[entry];
          }
          continue;
        }

        // A return whose call is still pending: that operation missed its deadline on this path.
        if (depth === 0 || depth > this.bestDepth) {
          this.depth = depth;
          this.state = state;
          if (depth > this.bestDepth) {
            if (this.recording) this.record(entry);
            else this.bestDepth = depth;
          }
          if (depth === 0) {
            this.verdict = "illegal";
            return true;
          }
        }
        depth--;
        const op = opStack[depth];
        this.clearBit(op);
        this.bitsHash ^= zobrist[op];
        const after = state;
        state = stateStack[depth];
        if (!general) {
          // The operation took effect; with a deadline and an unknown outcome it may also not have.
          if (
            unknownKind[op] === 2 && choiceStack[depth] === 0 && !model.equal(after, state) &&
            this.tryEnter(op, state)
          ) {
            choiceStack[depth] = 1;
            depth++;
            entry = next[HEAD];
            continue;
          }
        } else {
          // Another possible outcome of the same operation (nondeterminism, or not taking effect).
          const all = this.choicesStack[depth]!;
          let c = choiceStack[depth] + 1;
          while (c < all.length && !this.tryEnter(op, all[c])) c++;
          if (c < all.length) {
            choiceStack[depth] = c;
            depth++;
            state = all[c];
            entry = next[HEAD];
            continue;
          }
          this.choicesStack[depth] = undefined;
        }
        // unlift: relink the return, then the call, in reverse order of lifting
        const call = 2 * op;
        const ret = call + 1;
        next[prev[ret]] = ret;
        if (next[ret] !== -1) prev[next[ret]] = ret;
        next[prev[call]] = call;
        prev[next[call]] = call;
        entry = next[call];
      }
      this.verdict = "ok";
      return true;
    } finally {
      this.steps = steps;
      this.depth = depth;
      this.state = state;
      this.entry = entry;
    }
  }

  /** What the search knows now (decided or not). */
  outcome(): SearchOutcome<S> {
    const ok = this.verdict === "ok";
    return {
      verdict: this.verdict,
      steps: this.steps,
      order: ok ? Array.from(this.opStack.subarray(0, this.depth)) : this.bestOrder,
      skipped: ok ? this.skippedOps() : this.bestSkipped,
      state: ok ? this.state : this.bestState,
      frontier: ok ? [] : this.bestFrontier,
      cacheSize: this.cacheSize,
      bestDepth: ok ? this.depth : Math.max(0, this.bestDepth),
      outOfMemory: this.outOfMemory,
    };
  }
}

/**
 * Decide whether `ops` can be linearized against `model`, spending at most `budget` steps.
 * Time ties order calls before returns, so operations whose intervals touch count as concurrent.
 */
export function searchLinearization<S, I, O>(
  model: Model<S, I, O>,
  ops: readonly SearchOp<I, O>[],
  budget: number,
  options: SearchOptions = { record: true },
): SearchOutcome<S> {
  const search = new LinearizationSearch(model, ops, options);
  search.run(budget);
  return search.outcome();
}

/**
 * `pool` with room for `need` words (its first `used` kept; at least doubled), or undefined when
 * `memory` refuses the growth (the caller answers "unknown").
 */
export function growPool(
  pool: Uint32Array,
  used: number,
  need: number,
  memory: MemoryAccount | undefined,
): Uint32Array<ArrayBuffer> | undefined {
  const size = Math.max(2 * pool.length, need);
  if (memory !== undefined && !memory.charge(4 * (size - pool.length))) return undefined;
  const next = new Uint32Array(size);
  next.set(pool.subarray(0, used));
  return next;
}

/**
 * The open-addressing table of a search cache (2 × `capacity` slots, linear probing, entry + 1
 * per slot) over the hashes of its first `n` entries.
 */
export function rehash(
  hashes: ArrayLike<number>,
  n: number,
  capacity: number,
): Int32Array<ArrayBuffer> {
  const table = new Int32Array(2 * capacity);
  const mask = table.length - 1;
  for (let e = 0; e < n; e++) {
    let s = hashes[e] & mask;
    while (table[s] !== 0) s = (s + 1) & mask;
    table[s] = e + 1;
  }
  return table;
}

/**
 * Thread `sorted` entries into the doubly linked list `next`/`prev` behind the sentinel `head`
 * (-1 ends it both ways): the order a linearization search walks calls and returns in.
 */
export function linkEntries(
  next: Int32Array,
  prev: Int32Array,
  head: number,
  sorted: ArrayLike<number>,
): void {
  // Each entry is linked as the last one (next -1) until the next one comes: nothing is stored
  // after the loop, where code the engine compiled while the loop ran would have no feedback and
  // throw itself away (a deoptimization on every call).
  let last = head;
  prev[head] = -1;
  next[head] = -1;
  for (let k = 0; k < sorted.length; k++) {
    const e = sorted[k];
    next[last] = e;
    prev[e] = last;
    next[e] = -1;
    last = e;
  }
}
