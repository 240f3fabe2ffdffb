/**
 * The block store: one global, append-only tree of immutable blocks shared by every node of a run.
 *
 * Struct-of-arrays layout (typed arrays that double when full), about 60 bytes a block: parent,
 * height, jump pointer, first/last child, next sibling (Int32), producer index, size, tx count
 * (Uint32), work, total work, time (Float64). Producer names are interned; payloads live in a
 * sparse Map (only blocks that carry one pay for it). Ancestor queries use one extra "jump" pointer
 * per block (Myers, "An applicative random-access stack", IPL 17(5), 1983): O(log n) level
 * ancestor and common ancestor with O(1) extra words a block, instead of binary lifting's
 * O(log n) words a block.
 * @module
 */

/** A block's index in its store: dense, 0 is genesis, a parent's id is always below its child's. */
export type BlockId = number;

/** "No block": the parent of genesis, and an empty child/sibling link. */
export const NO_BLOCK: BlockId = -1;

/** What a producer hands to {@link BlockStore.add}; the store assigns the id, height and total work. */
export interface NewBlock {
  /** The parent block; it must already be in the store. */
  parent: BlockId;
  /** Who produced it (a node id); interned. */
  producer: string;
  /** Size on the wire in bytes (a non-negative integer below 2^32): sets transfer time. */
  sizeBytes: number;
  /** Proof-of-work weight (finite, ≥ 0); default 1. */
  work?: number;
  /** Virtual time at which it was produced (ms). */
  timeMs: number;
  /** Transaction count (a non-negative integer); default 0. */
  txs?: number;
  /** Anything a protocol wants to carry (votes, a QC, tx ids); stored only when defined. */
  payload?: unknown;
}

/** Options of {@link BlockStore}. */
export interface BlockStoreOptions {
  /** Initial capacity in blocks (arrays double beyond it); default 1024. */
  capacity?: number;
}

const isIndex = (x: number) => Number.isInteger(x) && x >= 0;

/**
 * One global, append-only block tree. Genesis (id 0) is created by the constructor: height 0,
 * work 0 (so `totalWork(id)` is the work of the blocks above genesis), producer "genesis", size 0,
 * time 0, no transactions; `parent(0)` is {@link NO_BLOCK}.
 * @example
 * ```ts
 * const store = new BlockStore();
 * const a = store.add({ parent: 0, producer: "n1", sizeBytes: 1000, timeMs: 600_000 });
 * const b = store.add({ parent: a, producer: "n2", sizeBytes: 1000, timeMs: 1_200_000 });
 * store.height(b); // 2
 * store.commonAncestor(b, a); // a
 * ```
 */
export class BlockStore {
  #size = 0;
  #cap: number;
  #parent: Int32Array;
  #height: Int32Array;
  #jump: Int32Array;
  #firstChild: Int32Array;
  #lastChild: Int32Array;
  #nextSibling: Int32Array;
  #producer: Uint32Array;
  #sizeBytes: Uint32Array;
  #txs: Uint32Array;
  #work: Float64Array;
  #totalWork: Float64Array;
  #timeMs: Float64Array;
  #producerNames: string[] = [];
  #producerIndex = new Map<string, number>();
  #payload = new Map<BlockId, unknown>();

  /** A store holding only genesis; `options.capacity` (default 1024) pre-sizes the arrays. */
  constructor(options: BlockStoreOptions = {}) {
    const cap = options.capacity ?? 1024;
    if (!isIndex(cap)) {
      throw new RangeError(`BlockStore: capacity must be a non-negative integer, got ${cap}`);
    }
    this.#cap = Math.max(cap, 16);
    this.#parent = new Int32Array(this.#cap);
    this.#height = new Int32Array(this.#cap);
    this.#jump = new Int32Array(this.#cap);
    this.#firstChild = new Int32Array(this.#cap);
    this.#lastChild = new Int32Array(this.#cap);
    this.#nextSibling = new Int32Array(this.#cap);
    this.#producer = new Uint32Array(this.#cap);
    this.#sizeBytes = new Uint32Array(this.#cap);
    this.#txs = new Uint32Array(this.#cap);
    this.#work = new Float64Array(this.#cap);
    this.#totalWork = new Float64Array(this.#cap);
    this.#timeMs = new Float64Array(this.#cap);
    // genesis
    this.#parent[0] = NO_BLOCK;
    this.#jump[0] = 0;
    this.#firstChild[0] = NO_BLOCK;
    this.#lastChild[0] = NO_BLOCK;
    this.#nextSibling[0] = NO_BLOCK;
    this.#producer[0] = this.#intern("genesis");
    this.#size = 1;
  }

  /** Number of blocks, genesis included. */
  get size(): number {
    return this.#size;
  }

  /** Approximate bytes held by the typed arrays (capacity, not size), for memory reports. */
  get arrayBytes(): number {
    return this.#cap * (6 * 4 + 3 * 4 + 3 * 8);
  }

  #intern(name: string): number {
    let i = this.#producerIndex.get(name);
    if (i === undefined) {
      i = this.#producerNames.length;
      this.#producerNames.push(name);
      this.#producerIndex.set(name, i);
    }
    return i;
  }

  #grow(): void {
    const cap = this.#cap * 2;
    const g32 = (a: Int32Array) => {
      const b = new Int32Array(cap);
      b.set(a);
      return b;
    };
    const gu = (a: Uint32Array) => {
      const b = new Uint32Array(cap);
      b.set(a);
      return b;
    };
    const g64 = (a: Float64Array) => {
      const b = new Float64Array(cap);
      b.set(a);
      return b;
    };
    this.#parent = g32(this.#parent);
    this.#height = g32(this.#height);
    this.#jump = g32(this.#jump);
    this.#firstChild = g32(this.#firstChild);
    this.#lastChild = g32(this.#lastChild);
    this.#nextSibling = g32(this.#nextSibling);
    this.#producer = gu(this.#producer);
    this.#sizeBytes = gu(this.#sizeBytes);
    this.#txs = gu(this.#txs);
    this.#work = g64(this.#work);
    this.#totalWork = g64(this.#totalWork);
    this.#timeMs = g64(this.#timeMs);
    this.#cap = cap;
  }

  #check(id: BlockId, what: string): void {
    if (!(id >= 0 && id < this.#size && Number.isInteger(id))) {
      throw new RangeError(
        `BlockStore.${what}: unknown block ${id} (the store holds ids 0..${this.#size - 1})`,
      );
    }
  }

  /** Append a block under an existing parent and return its id; bad fields throw a clear error. */
  add(b: NewBlock): BlockId {
    const p = b.parent;
    if (!(Number.isInteger(p) && p >= 0 && p < this.#size)) {
      throw new RangeError(
        `BlockStore.add: parent ${p} does not exist (the store holds ids 0..${this.#size - 1})`,
      );
    }
    const work = b.work ?? 1;
    if (!(Number.isFinite(work) && work >= 0)) {
      throw new RangeError(`BlockStore.add: work must be finite and ≥ 0, got ${work}`);
    }
    if (!(isIndex(b.sizeBytes) && b.sizeBytes < 2 ** 32)) {
      throw new RangeError(
        `BlockStore.add: sizeBytes must be an integer in [0, 2^32), got ${b.sizeBytes}`,
      );
    }
    const txs = b.txs ?? 0;
    if (!(isIndex(txs) && txs < 2 ** 32)) {
      throw new RangeError(`BlockStore.add: txs must be a non-negative integer, got ${txs}`);
    }
    if (!Number.isFinite(b.timeMs)) {
      throw new RangeError(`BlockStore.add: timeMs must be finite, got ${b.timeMs}`);
    }
    if (typeof b.producer !== "string") {
      throw new TypeError(`BlockStore.add: producer must be a string, got ${typeof b.producer}`);
    }
    if (this.#size === this.#cap) this.#grow();
    const id = this.#size;
    const height = this.#height;
    const jump = this.#jump;
    this.#parent[id] = p;
    height[id] = height[p] + 1;
    // Myers (1983): jump over the parent's two equal-length jumps, else jump to the parent.
    const jp = jump[p];
    const jjp = jump[jp];
    jump[id] = height[p] - height[jp] === height[jp] - height[jjp] ? jjp : p;
    this.#firstChild[id] = NO_BLOCK;
    this.#lastChild[id] = NO_BLOCK;
    this.#nextSibling[id] = NO_BLOCK;
    const last = this.#lastChild[p];
    if (last === NO_BLOCK) this.#firstChild[p] = id;
    else this.#nextSibling[last] = id;
    this.#lastChild[p] = id;
    this.#producer[id] = this.#intern(b.producer);
    this.#sizeBytes[id] = b.sizeBytes;
    this.#txs[id] = txs;
    this.#work[id] = work;
    this.#totalWork[id] = this.#totalWork[p] + work;
    this.#timeMs[id] = b.timeMs;
    if (b.payload !== undefined) this.#payload.set(id, b.payload);
    this.#size = id + 1;
    return id;
  }

  /**
   * The parent array itself, indexed by id (read-only by contract; valid until the next `add`,
   * which may reallocate it): for hot loops that walk many ancestors, such as GHOST's weights.
   */
  get parentArray(): Int32Array {
    return this.#parent;
  }

  /** The parent's id; {@link NO_BLOCK} (−1) for genesis. */
  parent(id: BlockId): BlockId {
    this.#check(id, "parent");
    return this.#parent[id];
  }

  /** Distance from genesis (genesis is 0). */
  height(id: BlockId): number {
    this.#check(id, "height");
    return this.#height[id];
  }

  /** This block's own work (default 1; genesis 0). */
  work(id: BlockId): number {
    this.#check(id, "work");
    return this.#work[id];
  }

  /** Cumulative work from genesis to `id`, `id` included. */
  totalWork(id: BlockId): number {
    this.#check(id, "totalWork");
    return this.#totalWork[id];
  }

  /** The producer's name. */
  producer(id: BlockId): string {
    this.#check(id, "producer");
    return this.#producerNames[this.#producer[id]];
  }

  /** Size in bytes. */
  sizeBytes(id: BlockId): number {
    this.#check(id, "sizeBytes");
    return this.#sizeBytes[id];
  }

  /** Production time (virtual ms). */
  timeMs(id: BlockId): number {
    this.#check(id, "timeMs");
    return this.#timeMs[id];
  }

  /** Transaction count. */
  txs(id: BlockId): number {
    this.#check(id, "txs");
    return this.#txs[id];
  }

  /** The payload given to `add`, or undefined. */
  payload(id: BlockId): unknown {
    this.#check(id, "payload");
    return this.#payload.get(id);
  }

  /** The ancestor of `id` at `height` (`id` itself at its own height); O(log n) by jump pointers. */
  ancestorAt(id: BlockId, height: number): BlockId {
    this.#check(id, "ancestorAt");
    const h = this.#height;
    if (!(Number.isInteger(height) && height >= 0 && height <= h[id])) {
      throw new RangeError(
        `BlockStore.ancestorAt: height ${height} is not in [0, ${h[id]}] (block ${id})`,
      );
    }
    const jump = this.#jump;
    const parent = this.#parent;
    let x = id;
    while (h[x] > height) x = h[jump[x]] >= height ? jump[x] : parent[x];
    return x;
  }

  /** The deepest block that is an ancestor of (or equal to) both; O(log n). */
  commonAncestor(a: BlockId, b: BlockId): BlockId {
    this.#check(a, "commonAncestor");
    this.#check(b, "commonAncestor");
    const h = this.#height;
    if (h[a] > h[b]) a = this.ancestorAt(a, h[b]);
    else if (h[b] > h[a]) b = this.ancestorAt(b, h[a]);
    const jump = this.#jump;
    const parent = this.#parent;
    // Jump targets depend only on height, so at equal heights the two jumps land level; jumping
    // while they differ is the level-ancestor search for the common ancestor's height + 1.
    while (a !== b) {
      const ja = jump[a], jb = jump[b];
      if (ja !== jb) {
        a = ja;
        b = jb;
      } else {
        a = parent[a];
        b = parent[b];
      }
    }
    return a;
  }

  /** True when `a` is an ancestor of, or equal to, `b`; O(log n). */
  isAncestor(a: BlockId, b: BlockId): boolean {
    this.#check(a, "isAncestor");
    this.#check(b, "isAncestor");
    const ha = this.#height[a];
    return ha <= this.#height[b] && this.ancestorAt(b, ha) === a;
  }

  /** The blocks from genesis to `id`, both included. */
  chain(id: BlockId): BlockId[] {
    this.#check(id, "chain");
    const out = new Array<BlockId>(this.#height[id] + 1);
    for (let x = id, i = out.length - 1; x !== NO_BLOCK; x = this.#parent[x], i--) out[i] = x;
    return out;
  }

  /** The children of `id` in the order they were added (a fresh array). */
  children(id: BlockId): readonly BlockId[] {
    this.#check(id, "children");
    const out: BlockId[] = [];
    for (let c = this.#firstChild[id]; c !== NO_BLOCK; c = this.#nextSibling[c]) out.push(c);
    return out;
  }

  /** The first child added under `id`, or {@link NO_BLOCK}; with `nextSibling`, walks children without allocating. */
  firstChild(id: BlockId): BlockId {
    this.#check(id, "firstChild");
    return this.#firstChild[id];
  }

  /** The next child of `id`'s parent added after `id`, or {@link NO_BLOCK}. */
  nextSibling(id: BlockId): BlockId {
    this.#check(id, "nextSibling");
    return this.#nextSibling[id];
  }
}
