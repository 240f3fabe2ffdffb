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
}

/** A binary min-heap on (t, seq). */
export class EventQueue<E extends Scheduled> {
  // Stryker disable next-line ArrayDeclaration: equivalent — no slot is read before push writes it (every read is guarded by #n)
  #items: (E | undefined)[] = [];
  #t = new Float64Array(256);
  #s = new Float64Array(256);
  #n = 0;
  #seq = 0;

  /** Number of queued events. */
  get size(): number {
    return this.#n;
  }

  #grow(): void {
    const t = new Float64Array(this.#t.length * 2);
    const s = new Float64Array(this.#s.length * 2);
    t.set(this.#t);
    s.set(this.#s);
    this.#t = t;
    this.#s = s;
  }

  /** Schedule `e` (its `seq` is assigned here; its `t` is read now). */
  push(e: E): void {
    const seq = this.#seq++;
    e.seq = seq;
    if (this.#n === this.#t.length) this.#grow();
    const T = this.#t, S = this.#s, items = this.#items;
    const et = e.t;
    let i = this.#n++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pt = T[p];
      if (pt < et || (pt === et && S[p] < seq)) break;
      T[i] = pt;
      S[i] = S[p];
      items[i] = items[p];
      i = p;
    }
    T[i] = et;
    S[i] = seq;
    items[i] = e;
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
    const top = items[0];
    const m = n - 1;
    this.#n = m;
    if (m > 0) {
      const T = this.#t, S = this.#s;
      const lt = T[m], ls = S[m], last = items[m];
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= m) break;
        let c = l;
        let ct = T[l];
        const r = l + 1;
        if (r < m) {
          const rt = T[r];
          if (rt < ct || (rt === ct && S[r] < S[l])) {
            c = r;
            ct = rt;
          }
        }
        if (lt < ct || (lt === ct && ls < S[c])) break;
        T[i] = ct;
        S[i] = S[c];
        items[i] = items[c];
        i = c;
      }
      T[i] = lt;
      S[i] = ls;
      items[i] = last;
    }
    items[m] = undefined;
    return top;
  }

  /** Remove every event for which `drop` returns true (O(n log n)); returns how many. */
  removeWhere(drop: (e: E) => boolean): number {
    const kept: { e: E; t: number; s: number }[] = [];
    for (let i = 0; i < this.#n; i++) {
      const e = this.#items[i]!;
      if (!drop(e)) kept.push({ e, t: this.#t[i], s: this.#s[i] });
    }
    const removed = this.#n - kept.length;
    if (removed > 0) {
      // a sorted array is a valid heap
      kept.sort((a, b) => a.t - b.t || a.s - b.s);
      // Stryker disable next-line ConditionalExpression: equivalent — performance only (→ false): stale slots past #n are never read, clearing only frees them (→ true loops forever, killed)
      for (let i = 0; i < this.#n; i++) this.#items[i] = undefined;
      kept.forEach((k, i) => {
        this.#items[i] = k.e;
        this.#t[i] = k.t;
        this.#s[i] = k.s;
      });
      this.#n = kept.length;
    }
    return removed;
  }
}
