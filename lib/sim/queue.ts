/**
 * The event queue: a binary min-heap ordered by (time, insertion sequence), so events at the same
 * virtual time run in the order they were scheduled and every run is deterministic. The keys live
 * in two typed arrays beside the heap of events, so sifting compares numbers in contiguous memory
 * instead of loading each event object.
 * @module
 */

/** Anything the queue can hold: a time and a sequence number assigned on push. */
export interface Scheduled {
  /** Virtual time in ms at which the event is due. */
  t: number;
  /** Insertion sequence number, assigned by `push`; orders events due at the same time. */
  seq: number;
  /** The event's slot in the heap while queued, -1 once popped or removed (kept by the queue). */
  qi?: number;
}

/** A binary min-heap on (t, seq). */
export class EventQueue<E extends Scheduled> {
  // Stryker disable next-line ArrayDeclaration: equivalent — no slot is read before push writes it (every read is guarded by #n)
  #items: (E | undefined)[] = [];
  #t = new Float64Array(256);
  #n = 0;
  #seq = 0;

  /** Number of queued events. */
  get size(): number {
    return this.#n;
  }

  #grow(): void {
    const t = new Float64Array(this.#t.length * 2);
    t.set(this.#t);
    this.#t = t;
  }

  /** Schedule `e` (its `seq` is assigned here; its `t` is read now). */
  push(e: E): void {
    const seq = this.#seq++;
    e.seq = seq;
    if (this.#n === this.#t.length) this.#grow();
    this.#up(this.#n++, e, e.t, seq);
  }

  /**
   * Move a queued event to time `t` as if it were popped and pushed again now: it gets a fresh
   * sequence number, so it runs after everything already scheduled for `t`. Cheaper than leaving
   * a stale copy in the queue (a timer re-armed on every message would otherwise pile them up).
   */
  reschedule(e: E, t: number): void {
    const i = this.#slotOf(e, "reschedule");
    const seq = this.#seq++;
    const before = this.#t[i];
    e.t = t;
    e.seq = seq;
    // the new key is (t, largest seq): it can only move up when t is earlier
    if (t < before) this.#up(i, e, t, seq);
    else this.#down(i, e, t, seq, this.#n);
  }

  /** Take a queued event out of the queue (e.g. a cancelled timer). */
  remove(e: E): void {
    const i = this.#slotOf(e, "remove");
    const m = --this.#n;
    const items = this.#items;
    const last = items[m]!;
    items[m] = undefined;
    e.qi = -1;
    if (i === m) return;
    const lt = this.#t[m], ls = last.seq;
    const et = this.#t[i], es = e.seq;
    if (lt < et || (lt === et && ls < es)) this.#up(i, last, lt, ls);
    else this.#down(i, last, lt, ls, m);
  }

  #slotOf(e: E, what: string): number {
    // Stryker disable next-line UnaryOperator: equivalent — qi is undefined only on an event never pushed (push sets it, the queue keeps it), which sits in no slot, so i = 1 fails items[i] === e just as i = -1 does
    const i = e.qi ?? -1;
    if (!(i >= 0 && i < this.#n && this.#items[i] === e)) {
      throw new RangeError(`EventQueue.${what}: the event is not in this queue`);
    }
    return i;
  }

  /** Place (e, et, seq) at slot i or above, moving larger parents down. */
  #up(i: number, e: E, et: number, seq: number): void {
    const T = this.#t, items = this.#items;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pt = T[p];
      if (pt < et) break;
      const pe = items[p]!;
      if (pt === et && pe.seq < seq) break;
      T[i] = pt;
      items[i] = pe;
      pe.qi = i;
      i = p;
    }
    T[i] = et;
    items[i] = e;
    e.qi = i;
  }

  /**
   * Place (e, lt, ls) in the hole at slot i of a heap of m slots whose items below i are in heap
   * order: walk the hole down to a leaf along the smaller children (one comparison per level),
   * then sift e up from there. After a pop, e is the heap's former last item, usually among the
   * largest, so it rarely climbs: about half the comparisons of a plain sift-down, which compares
   * e at every level too (Floyd's bottom-up heapsort).
   */
  #down(i: number, e: E, lt: number, ls: number, m: number): void {
    const T = this.#t, items = this.#items;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= m) break;
      let c = l;
      const r = l + 1;
      if (r < m) {
        const rt = T[r], ct = T[l];
        if (rt < ct || (rt === ct && items[r]!.seq < items[l]!.seq)) c = r;
      }
      const ce = items[c]!;
      T[i] = T[c];
      items[i] = ce;
      ce.qi = i;
      i = c;
    }
    this.#up(i, e, lt, ls);
  }

  /** The earliest event without removing it. */
  peek(): E | undefined {
    // Stryker disable next-line EqualityOperator: equivalent (→ >=) — slots at #n and beyond are always undefined, so an empty queue's items[0] is undefined too (→ <= is killed, but cannot be kept alone)
    return this.#n > 0 ? this.#items[0] : undefined;
  }

  /** Due time of the earliest event (Infinity when empty). */
  peekTime(): number {
    return this.#n > 0 ? this.#t[0] : Infinity;
  }

  /** Remove and return the earliest event. */
  pop(): E | undefined {
    const n = this.#n;
    if (n === 0) return undefined;
    const items = this.#items;
    const top = items[0]!;
    const m = n - 1;
    this.#n = m;
    if (m > 0) {
      const last = items[m]!;
      this.#down(0, last, this.#t[m], last.seq, m);
    }
    items[m] = undefined;
    top.qi = -1;
    return top;
  }

  /** Remove every event for which `drop` returns true (O(n log n)); returns how many. */
  removeWhere(drop: (e: E) => boolean): number {
    const kept: { e: E; t: number; s: number }[] = [];
    for (let i = 0; i < this.#n; i++) {
      const e = this.#items[i]!;
      if (!drop(e)) kept.push({ e, t: this.#t[i], s: e.seq });
      else e.qi = -1;
    }
    const removed = this.#n - kept.length;
    if (removed > 0) {
      // a sorted array is a valid heap
      kept.sort((a, b) => a.t - b.t || a.s - b.s);
      // Stryker disable next-line ConditionalExpression: equivalent — performance only (→ false): stale slots past #n are never read, clearing only frees them (→ true loops forever, killed)
      for (let i = 0; i < this.#n; i++) this.#items[i] = undefined;
      kept.forEach((k, i) => {
        this.#items[i] = k.e;
        k.e.qi = i;
        this.#t[i] = k.t;
      });
      this.#n = kept.length;
    }
    return removed;
  }
}
