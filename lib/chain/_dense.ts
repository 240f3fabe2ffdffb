/**
 * Growable per-view arrays indexed by BlockId (private to lib/chain). A view's known set is
 * ancestor-closed and ids are dense, so a dense array up to the highest known id is the compact
 * choice: one bit a block for the known set.
 * @module
 */

/** A growable bitset over non-negative integers. */
export class GrowableBits {
  #bytes: Uint8Array = new Uint8Array(16);

  /** Whether `i` is in the set. */
  has(i: number): boolean {
    const byte = i >>> 3;
    return byte < this.#bytes.length && (this.#bytes[byte] & (1 << (i & 7))) !== 0;
  }

  /** Put `i` in the set (the array grows by half again, or to fit). */
  add(i: number): void {
    const byte = i >>> 3;
    if (byte >= this.#bytes.length) {
      const next = new Uint8Array(Math.max(byte + 1, Math.ceil(this.#bytes.length * 1.5)));
      next.set(this.#bytes);
      this.#bytes = next;
    }
    this.#bytes[byte] |= 1 << (i & 7);
  }

  /** Bytes allocated. */
  get bytes(): number {
    return this.#bytes.byteLength;
  }
}

/** A growable Float64Array (unset entries read 0). */
export class GrowableF64 {
  #a: Float64Array = new Float64Array(16);

  /** The value at `i` (0 when never set). */
  get(i: number): number {
    return i < this.#a.length ? this.#a[i] : 0;
  }

  /** Set the value at `i`. */
  set(i: number, v: number): void {
    if (i >= this.#a.length) {
      const next = new Float64Array(Math.max(i + 1, Math.ceil(this.#a.length * 1.5)));
      next.set(this.#a);
      this.#a = next;
    }
    this.#a[i] = v;
  }

  /** Add `v` to the value at `i` (which must have been set). */
  inc(i: number, v: number): void {
    this.#a[i] += v;
  }

  /** The backing array (valid until the next `set` beyond its length). */
  get raw(): Float64Array {
    return this.#a;
  }

  /** Bytes allocated. */
  get bytes(): number {
    return this.#a.byteLength;
  }
}

/** A growable Uint32Array (unset entries read 0). */
export class GrowableU32 {
  #a: Uint32Array = new Uint32Array(16);

  /** The value at `i` (0 when never set). */
  get(i: number): number {
    return i < this.#a.length ? this.#a[i] : 0;
  }

  /** Set the value at `i`. */
  set(i: number, v: number): void {
    if (i >= this.#a.length) {
      const next = new Uint32Array(Math.max(i + 1, Math.ceil(this.#a.length * 1.5)));
      next.set(this.#a);
      this.#a = next;
    }
    this.#a[i] = v;
  }

  /** Bytes allocated. */
  get bytes(): number {
    return this.#a.byteLength;
  }
}
