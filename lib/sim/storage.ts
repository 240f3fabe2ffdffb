/**
 * Durable storage: what a node keeps across crashes (Raft's currentTerm, votedFor and log;
 * Paxos acceptors' promises). Stored values can never be changed through a reference: plain data
 * (objects, arrays, primitives) is stored as a deep-frozen copy made once ({@link immutable}) and
 * shared from then on, so a log entry a leader froze and four followers store costs one copy,
 * not five; an object literal whose builder hands it over is frozen without any copy
 * ({@link freezeInPlace}). Reads, which happen when a node restarts, hand out mutable copies.
 * Any other value (a Map, a Set, a class instance, a typed array) is deep-copied on write and on
 * read. A node that mutates what it stored keeps its own mutable original, one that mutates what
 * it read changes only its copy, and one that mutates a frozen entry it received (a leader's log
 * entry) gets a TypeError instead of changing durable state or another node's copy.
 * @module
 */

/** Key-value storage that survives crashes and restarts of its node. */
export interface DurableStorage {
  /** A mutable copy of the value stored at `key`, or undefined. */
  get<T>(key: string): T | undefined;
  /** Store `value` immutably (one durable write): a frozen copy, shared when already frozen. */
  set(key: string, value: unknown): void;
  /** Remove `key`. */
  delete(key: string): void;
  /** Append items to the list at `key` (one durable write); creates the list. */
  append(key: string, ...items: unknown[]): void;
  /**
   * Append `items[start..]` (default: all of them) to the list at `key` (one durable write), as
   * {@link append} does but without spreading an array into arguments.
   */
  appendAll(key: string, items: readonly unknown[], start?: number): void;
  /** Keep only the first `length` items of the list at `key`. */
  truncate(key: string, length: number): void;
  /** Mutable copies of the items at `key` (empty when absent). */
  list<T>(key: string): T[];
  /** Length of the list at `key`. */
  listLength(key: string): number;
  /** Keys in insertion order. */
  keys(): string[];
  /** Number of durable writes so far (each is one fsync in a real system). */
  readonly writes: number;
}

// Deeply frozen plain data made here carries a private brand (a class private field, which no
// code outside this module can add, read, copy or forge; spreads, structuredClone and JSON do not
// see it). Frozen is forever, so the brand is shared by every storage. A WeakSet did the same at a
// few times the cost per check and per insertion, plus garbage-collector work for its ephemerons.
class Stamp {
  constructor(o: object) {
    return o;
  }
}
class DeepFrozen extends Stamp {
  #brand = true;
  /** Brand `o` (which must not be branded yet). */
  static mark(o: object): void {
    new DeepFrozen(o);
  }
  /** Whether `o` was branded by {@link mark}. */
  static has(o: object): boolean {
    return #brand in o;
  }
}

/** A stored value that is not plain data: kept as a private copy, copied again on every read. */
class Copied {
  constructor(readonly value: unknown) {}
}

const NOT_PLAIN: unique symbol = Symbol("not plain");

function copyFrozen(v: unknown, depth: number): unknown {
  if (v === null || typeof v !== "object") {
    return typeof v === "function" || typeof v === "symbol" ? NOT_PLAIN : v;
  }
  if (DeepFrozen.has(v)) return v;
  if (depth > 200) return NOT_PLAIN; // deep or cyclic: let structuredClone decide
  let out: unknown[] | Record<string, unknown>;
  if (Array.isArray(v)) {
    const a = new Array(v.length);
    for (let i = 0; i < v.length; i++) {
      const x = copyFrozen(v[i], depth + 1);
      if (x === NOT_PLAIN) return NOT_PLAIN;
      a[i] = x;
    }
    out = a;
  } else {
    const p = Object.getPrototypeOf(v);
    if (p !== Object.prototype && p !== null) return NOT_PLAIN;
    const o: Record<string, unknown> = {};
    for (const k in v) {
      const x = copyFrozen((v as Record<string, unknown>)[k], depth + 1);
      if (x === NOT_PLAIN) return NOT_PLAIN;
      setOwn(o, k, x);
    }
    out = o;
  }
  DeepFrozen.mark(out);
  Object.freeze(out);
  return out;
}

/**
 * An immutable version of plain data (objects with the default or a null prototype, arrays,
 * primitives): the value itself when it is already one (no copy), otherwise a deep-frozen copy,
 * made once and shareable from then on by any node and any storage. Undefined for anything else
 * (a Map, a Set, a class instance, a function, a cycle), which durable storage deep-copies.
 * @example
 * ```ts
 * const e = immutable({ term: 1, command: { key: "k" } })!; // frozen copy
 * immutable(e) === e; // true: shared, not copied again
 * ```
 */
export function immutable<T>(value: T): T | undefined {
  const x = copyFrozen(value, 0);
  return x === NOT_PLAIN ? undefined : x as T;
}

/**
 * {@link immutable} without the copy, for a plain object (an object literal) that the caller has
 * just built and hands over: when every own value is already immutable (a primitive, or deeply
 * frozen plain data), the object itself is frozen and returned. Otherwise (an array, another
 * prototype, a value that is not immutable yet) it is exactly {@link immutable}. Getters and
 * symbol-keyed or non-enumerable properties are not looked for: pass object literals only.
 * @example
 * ```ts
 * const op = freezeInPlace({ f: "put", key: "k", value: "1" })!; // op is frozen, not copied
 * const cmd = freezeInPlace({ seq: 1, op })!; // its values are immutable: frozen in place too
 * ```
 */
export function freezeInPlace<T>(value: T): T | undefined {
  if (value === null || typeof value !== "object") return immutable(value);
  const v = value as Record<string, unknown>;
  // frozen (immutable already, or not made here) or not a plain object: immutable() decides
  if (!Object.isExtensible(v) || Object.getPrototypeOf(v) !== Object.prototype) {
    return immutable(value);
  }
  for (const k in v) {
    const x = v[k];
    if (x !== null && typeof x === "object" ? !DeepFrozen.has(x) : typeof x === "function") {
      return immutable(value);
    }
    if (typeof x === "symbol" || k === "__proto__") return immutable(value);
  }
  DeepFrozen.mark(v);
  Object.freeze(v);
  return value;
}

/**
 * An object literal the caller just built (a message, a block, a signature), frozen in place when
 * every own value is already immutable ({@link freezeInPlace}), so storage and receivers share it
 * and digests of it can be memoised; otherwise returned as it is, unfrozen (storage copies it).
 * @example
 * ```ts
 * const vote = freezeIfImmutable({ type: "prevote", round: 0, id: "ab" }); // frozen, shared
 * ```
 */
export function freezeIfImmutable<T extends object>(o: T): T {
  for (const k in o) if (!isImmutable(o[k])) return o;
  freezeInPlace(o);
  return o;
}

/** True when `value` is a primitive or deeply frozen plain data that storage shares as it is. */
export function isImmutable(value: unknown): boolean {
  return value === null || typeof value !== "object" || DeepFrozen.has(value);
}

function store(value: unknown): unknown {
  if (value !== null && typeof value === "object" && DeepFrozen.has(value)) return value;
  const x = copyFrozen(value, 0);
  return x === NOT_PLAIN ? new Copied(structuredClone(value)) : x;
}

/** Set own data property `k` of `o` (a key named `__proto__` too, which `o[k] = x` would not). */
function setOwn(o: Record<string, unknown>, k: string, x: unknown): void {
  if (k === "__proto__") {
    Object.defineProperty(o, k, { value: x, enumerable: true, writable: true, configurable: true });
  } else o[k] = x;
}

/** A mutable deep copy of frozen plain data (what a read hands out). */
function thaw(v: unknown): unknown {
  if (v === null || typeof v !== "object") return v;
  if (Array.isArray(v)) return v.map(thaw);
  const o: Record<string, unknown> = {};
  for (const k in v) {
    setOwn(o, k, thaw((v as Record<string, unknown>)[k]));
  }
  return o;
}

// Reads happen when a node (re)starts and rebuilds its state: they hand out mutable copies, as
// before, so a node may change what it read without touching storage.
function load(stored: unknown): unknown {
  return stored instanceof Copied ? structuredClone(stored.value) : thaw(stored);
}

/** In-memory durable storage; the simulator keeps one per node outside the node's object. */
export class MemoryStorage implements DurableStorage {
  // created on first use: a large cluster's idle nodes hold no empty maps
  #data: Map<string, unknown> | null = null;
  #lists: Map<string, unknown[]> | null = null;
  #writes = 0;

  get<T>(key: string): T | undefined {
    return load(this.#data?.get(key)) as T | undefined;
  }
  set(key: string, value: unknown): void {
    this.#writes++;
    (this.#data ??= new Map()).set(key, store(value));
  }
  delete(key: string): void {
    this.#writes++;
    this.#data?.delete(key);
    this.#lists?.delete(key);
  }
  append(key: string, ...items: unknown[]): void {
    this.appendAll(key, items, 0);
  }
  appendAll(key: string, items: readonly unknown[], start = 0): void {
    this.#writes++;
    const lists = this.#lists ??= new Map();
    let l = lists.get(key);
    if (!l) lists.set(key, l = []);
    for (let i = Math.max(0, start); i < items.length; i++) l.push(store(items[i]));
  }
  truncate(key: string, length: number): void {
    const l = this.#lists?.get(key);
    if (!l || l.length <= length) return;
    this.#writes++;
    l.length = Math.max(0, length);
  }
  list<T>(key: string): T[] {
    const l = this.#lists?.get(key);
    if (!l) return [];
    return l.map(load) as T[];
  }
  listLength(key: string): number {
    return this.#lists?.get(key)?.length ?? 0;
  }
  keys(): string[] {
    return [...new Set([...this.#data?.keys() ?? [], ...this.#lists?.keys() ?? []])];
  }
  get writes(): number {
    return this.#writes;
  }
}
