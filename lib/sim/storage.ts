/**
 * Durable storage: what a node keeps across crashes (Raft's currentTerm, votedFor and log;
 * Paxos acceptors' promises). Values are deep-copied on write and on read, so a node cannot keep
 * mutating "durable" state through a reference that would survive a crash.
 * @module
 */

/** Key-value storage that survives crashes and restarts of its node. */
export interface DurableStorage {
  /** A copy of the value stored at `key`, or undefined. */
  get<T>(key: string): T | undefined;
  /** Store a copy of `value` (one durable write). */
  set(key: string, value: unknown): void;
  /** Remove `key`. */
  delete(key: string): void;
  /** Append items to the list at `key` (one durable write); creates the list. */
  append(key: string, ...items: unknown[]): void;
  /** Keep only the first `length` items of the list at `key`. */
  truncate(key: string, length: number): void;
  /** A copy of the list at `key` (empty when absent). */
  list<T>(key: string): T[];
  /** Length of the list at `key`. */
  listLength(key: string): number;
  /** Keys in insertion order. */
  keys(): string[];
  /** Number of durable writes so far (each is one fsync in a real system). */
  readonly writes: number;
}

/** In-memory durable storage; the simulator keeps one per node outside the node's object. */
export class MemoryStorage implements DurableStorage {
  #data = new Map<string, unknown>();
  #lists = new Map<string, unknown[]>();
  #writes = 0;

  get<T>(key: string): T | undefined {
    const v = this.#data.get(key);
    return v === undefined ? undefined : structuredClone(v) as T;
  }
  set(key: string, value: unknown): void {
    this.#writes++;
    this.#data.set(key, structuredClone(value));
  }
  delete(key: string): void {
    this.#writes++;
    this.#data.delete(key);
    this.#lists.delete(key);
  }
  append(key: string, ...items: unknown[]): void {
    this.#writes++;
    let l = this.#lists.get(key);
    if (!l) this.#lists.set(key, l = []);
    for (const it of items) l.push(structuredClone(it));
  }
  truncate(key: string, length: number): void {
    const l = this.#lists.get(key);
    if (!l || l.length <= length) return;
    this.#writes++;
    l.length = Math.max(0, length);
  }
  list<T>(key: string): T[] {
    const l = this.#lists.get(key);
    return l ? structuredClone(l) as T[] : [];
  }
  listLength(key: string): number {
    return this.#lists.get(key)?.length ?? 0;
  }
  keys(): string[] {
    return [...new Set([...this.#data.keys(), ...this.#lists.keys()])];
  }
  get writes(): number {
    return this.#writes;
  }
}
