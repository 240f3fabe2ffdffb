/**
 * Raft's log as one node keeps it: a snapshot (the compacted prefix, §7) followed by the entries
 * after it, mirrored into durable storage on every change, plus the configuration in force
 * (thesis §4.1: the latest configuration in the log, committed or not, is the one used).
 * @module
 */
import { type DurableStorage, immutable } from "../../sim/storage.ts";
import type { NodeId } from "../../sim/types.ts";
import type { LogEntry, Snapshot } from "./messages.ts";

/** Storage key of the entries after the snapshot (a durable list). */
export const LOG_KEY = "raft/log";
/** Storage key of the latest snapshot. */
export const SNAPSHOT_KEY = "raft/snapshot";

/** A configuration and the index of the entry that introduced it (snapshot index if compacted). */
export interface ConfigState {
  /** The full server set of the configuration. */
  readonly servers: readonly NodeId[];
  /** Index of the config entry that introduced it (lastIncludedIndex if compacted, §7). */
  readonly index: number;
}

/** One node's log: snapshot plus suffix, persisted in `storage` as it changes. */
export class RaftLog {
  #storage: DurableStorage;
  #snap: Snapshot;
  #entries: LogEntry[];
  /** Indices of config entries among `#entries`, ascending. */
  // Stryker disable next-line ArrayDeclaration: equivalent — a stray non-number element sorts below every config index pushed after it and is never <= or >= an index: configAt skips it, truncateFrom stops at it only when nothing else is left
  #configIndices: number[] = [];
  #config!: ConfigState;
  // the last sharedSlice (cleared whenever kept entries are removed or replaced)
  #sliceFrom = 0;
  #sliceTo = 0;
  #sliceOf: readonly LogEntry[] | null = null;

  /** Rebuild from storage; `bootstrap` is the configuration when nothing was ever stored. */
  constructor(storage: DurableStorage, bootstrap: readonly NodeId[]) {
    this.#storage = storage;
    this.#snap = storage.get<Snapshot>(SNAPSHOT_KEY) ??
      { lastIncludedIndex: 0, lastIncludedTerm: 0, servers: bootstrap, data: null };
    this.#entries = storage.list<LogEntry>(LOG_KEY);
    for (const e of this.#entries) if (e.kind === "config") this.#configIndices.push(e.index);
    this.#refreshConfig();
  }

  /** The latest snapshot (index 0 and term 0 when none was taken). */
  get snapshot(): Snapshot {
    return this.#snap;
  }
  /** Index of the last entry covered by the snapshot. */
  get snapshotIndex(): number {
    return this.#snap.lastIncludedIndex;
  }
  /** Term of the last entry covered by the snapshot. */
  get snapshotTerm(): number {
    return this.#snap.lastIncludedTerm;
  }
  /** Index of the last entry (the snapshot's when the suffix is empty). */
  get lastIndex(): number {
    return this.#snap.lastIncludedIndex + this.#entries.length;
  }
  /** Term of the last entry. */
  get lastTerm(): number {
    const n = this.#entries.length;
    return n ? this.#entries[n - 1].term : this.#snap.lastIncludedTerm;
  }
  /** The configuration in force: the latest one in the log, committed or not. */
  get config(): ConfigState {
    return this.#config;
  }
  /** Number of entries kept after the snapshot. */
  get length(): number {
    return this.#entries.length;
  }

  /** Term of the entry at `index`; undefined when compacted away (below the snapshot) or absent. */
  termAt(index: number): number | undefined {
    const s = this.#snap.lastIncludedIndex;
    if (index === s) return this.#snap.lastIncludedTerm;
    if (index < s || index > this.lastIndex) return undefined;
    return this.#entries[index - s - 1].term;
  }

  /** The entry at `index`, if kept. */
  entryAt(index: number): LogEntry | undefined {
    const s = this.#snap.lastIncludedIndex;
    if (index <= s || index > this.lastIndex) return undefined;
    return this.#entries[index - s - 1];
  }

  /** Entries `from..to` inclusive (clamped to what is kept). */
  slice(from: number, to: number): LogEntry[] {
    const s = this.#snap.lastIncludedIndex;
    return this.#entries.slice(Math.max(0, from - s - 1), Math.max(0, to - s));
  }

  /**
   * Entries `from..to` inclusive (clamped), as a frozen array that may be shared: asked twice for
   * the same range while the kept entries did not change (appends aside), it is the same array.
   * A leader sends the same new entries to every follower in one AppendEntries each; one array
   * serves them all, and nobody can change it.
   */
  sharedSlice(from: number, to: number): readonly LogEntry[] {
    if (from === this.#sliceFrom && to === this.#sliceTo && this.#sliceOf !== null) {
      return this.#sliceOf;
    }
    const a = Object.freeze(this.slice(from, to));
    // a range reaching past the log's end would grow with the next append: not kept
    if (to > this.lastIndex || from <= this.#snap.lastIncludedIndex) return a;
    this.#sliceFrom = from;
    this.#sliceTo = to;
    this.#sliceOf = a;
    return a;
  }

  /** Every kept entry (a copy of the array; entries are immutable and shared). */
  entries(): LogEntry[] {
    return this.#entries.slice();
  }

  /** Append entries that continue the log (`entries[0].index === lastIndex + 1`). */
  append(entries: readonly LogEntry[]): void {
    const n = entries.length;
    if (n === 0) return;
    if (entries[0].index !== this.lastIndex + 1) {
      throw new Error(`RaftLog.append: entry ${entries[0].index} after ${this.lastIndex}`);
    }
    // kept frozen (copied once, by the leader): followers receive and store the same object,
    // which durable storage shares instead of copying
    const kept = this.#entries;
    let config = false;
    for (let i = 0; i < n; i++) {
      const e = entries[i];
      const f = immutable(e) ?? e;
      kept.push(f);
      if (f.kind === "config") {
        this.#configIndices.push(f.index);
        config = true;
      }
    }
    this.#storage.appendAll(LOG_KEY, kept, kept.length - n);
    if (config) this.#refreshConfig();
  }

  /** Delete the entry at `index` and everything after it (Figure 2, AppendEntries rule 3). */
  truncateFrom(index: number): void {
    const s = this.#snap.lastIncludedIndex;
    if (index <= s) throw new Error(`RaftLog.truncateFrom(${index}): below the snapshot (${s})`);
    if (index > this.lastIndex) return;
    this.#entries.length = index - s - 1;
    this.#sliceOf = null;
    this.#storage.truncate(LOG_KEY, this.#entries.length);
    let changed = false;
    while (this.#configIndices.length && this.#configIndices.at(-1)! >= index) {
      this.#configIndices.pop();
      changed = true;
    }
    // thesis §4.1: a server whose config entry is removed falls back to the previous configuration
    if (changed) this.#refreshConfig();
  }

  /** The configuration as of `index` (the latest config entry at or before it). */
  configAt(index: number): ConfigState {
    for (let k = this.#configIndices.length - 1; k >= 0; k--) {
      const i = this.#configIndices[k];
      if (i <= index) {
        const e = this.entryAt(i)!;
        return { servers: (e as { servers: readonly NodeId[] }).servers, index: i };
      }
    }
    return { servers: this.#snap.servers, index: this.#snap.lastIncludedIndex };
  }

  /** Last index in `[snapshotIndex, atOrBefore]` whose term is `term`, or 0 when there is none. */
  lastIndexOfTerm(term: number, atOrBefore: number): number {
    for (let i = Math.min(atOrBefore, this.lastIndex); i >= this.snapshotIndex; i--) {
      const t = this.termAt(i)!;
      if (t === term) return i;
      if (t < term) return 0;
    }
    return 0;
  }

  /** First index of the run of `term` that contains `index` (not below the snapshot). */
  firstIndexOfTerm(term: number, index: number): number {
    let i = index;
    while (i - 1 > this.snapshotIndex && this.termAt(i - 1) === term) i--;
    return i;
  }

  /**
   * Replace the prefix up to `snapshot.lastIncludedIndex` (which must be kept) by the snapshot:
   * log compaction (§7).
   */
  compact(snapshot: Snapshot): void {
    const s = this.#snap.lastIncludedIndex;
    const k = snapshot.lastIncludedIndex;
    if (k <= s) return;
    if (k > this.lastIndex) {
      throw new Error(`RaftLog.compact(${k}): beyond the log (${this.lastIndex})`);
    }
    this.#entries = this.#entries.slice(k - s);
    this.#setSnapshot(snapshot);
  }

  /**
   * Install a snapshot from the leader (Figure 13, rules 6–7): keep the entries after it when the
   * log has the snapshot's last entry, otherwise discard the whole log. Returns whether a suffix
   * was kept.
   */
  install(snapshot: Snapshot): boolean {
    const k = snapshot.lastIncludedIndex;
    const keep = k > this.#snap.lastIncludedIndex && this.termAt(k) === snapshot.lastIncludedTerm;
    this.#entries = keep ? this.#entries.slice(k - this.#snap.lastIncludedIndex) : [];
    this.#setSnapshot(snapshot);
    return keep;
  }

  #setSnapshot(snapshot: Snapshot): void {
    this.#sliceOf = null;
    this.#snap = snapshot;
    this.#storage.set(SNAPSHOT_KEY, snapshot);
    // the storage list can only be cut at its end, so the kept suffix is rewritten
    this.#storage.delete(LOG_KEY);
    for (let i = 0; i < this.#entries.length; i += 10_000) {
      this.#storage.appendAll(LOG_KEY, this.#entries.slice(i, i + 10_000));
    }
    // Stryker disable next-line ArrayDeclaration: equivalent — a stray non-number element sorts below every config index pushed after it and is never <= or >= an index: configAt skips it, truncateFrom stops at it only when nothing else is left
    this.#configIndices = [];
    for (const e of this.#entries) if (e.kind === "config") this.#configIndices.push(e.index);
    this.#refreshConfig();
  }

  #refreshConfig(): void {
    this.#config = this.configAt(this.lastIndex);
  }
}
