/**
 * The event queue: a binary min-heap ordered by (time, insertion sequence), so events at the same
 * virtual time run in the order they were scheduled and every run is deterministic.
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
  #heap: E[] = [];
  #seq = 0;

  /** Number of queued events. */
  get size(): number {
    return this.#heap.length;
  }

  /** Schedule `e` (its `seq` is assigned here). */
  push(e: E): void {
    e.seq = this.#seq++;
    const h = this.#heap;
    let i = h.length;
    h.push(e);
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pe = h[p];
      if (pe.t < e.t || (pe.t === e.t && pe.seq < e.seq)) break;
      h[i] = pe;
      i = p;
    }
    h[i] = e;
  }

  /** The earliest event without removing it. */
  peek(): E | undefined {
    return this.#heap[0];
  }

  /** Remove and return the earliest event. */
  pop(): E | undefined {
    const h = this.#heap;
    const n = h.length;
    if (n === 0) return undefined;
    const top = h[0];
    const last = h.pop()!;
    if (n > 1) {
      const m = n - 1;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= m) break;
        let c = l;
        let ce = h[l];
        const r = l + 1;
        if (r < m) {
          const re = h[r];
          if (re.t < ce.t || (re.t === ce.t && re.seq < ce.seq)) {
            c = r;
            ce = re;
          }
        }
        if (last.t < ce.t || (last.t === ce.t && last.seq < ce.seq)) break;
        h[i] = ce;
        i = c;
      }
      h[i] = last;
    }
    return top;
  }

  /** Remove every event for which `drop` returns true (O(n log n)); returns how many. */
  removeWhere(drop: (e: E) => boolean): number {
    const kept = this.#heap.filter((e) => !drop(e));
    const removed = this.#heap.length - kept.length;
    if (removed > 0) {
      // a sorted array is a valid heap
      this.#heap = kept.sort((a, b) => a.t - b.t || a.seq - b.seq);
    }
    return removed;
  }
}
