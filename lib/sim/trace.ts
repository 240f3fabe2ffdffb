/**
 * The trace: typed records of everything that happened, a stable serialization, and a hash that
 * proves two runs identical. Modes keep large runs cheap: "off" records nothing, "sampled" keeps
 * every non-message record and one message in `sampleEvery` (send, deliver and drop of the same
 * message together), "full" keeps everything. Sampled and full hash every record.
 * @module
 */
import type { TraceRecord } from "./types.ts";

/** How much of a run is recorded. */
export type TraceMode = "off" | "sampled" | "full";

/** JSON with object keys sorted, Maps/Sets as arrays, so equal values serialize equally. */
export function stableStringify(value: unknown): string {
  return JSON.stringify(normalize(value));
}

function normalize(v: unknown): unknown {
  if (v === null || typeof v !== "object") {
    if (typeof v === "number" && !Number.isFinite(v)) return String(v);
    if (typeof v === "bigint") return `${v}n`;
    if (v === undefined) return null;
    return v;
  }
  if (Array.isArray(v)) return v.map(normalize);
  if (v instanceof Map) return [...v.entries()].map(([k, x]) => [normalize(k), normalize(x)]);
  if (v instanceof Set) return [...v].map(normalize);
  if (ArrayBuffer.isView(v)) return Array.from(v as unknown as ArrayLike<number>);
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v).sort()) {
    const x = (v as Record<string, unknown>)[k];
    if (x !== undefined) out[k] = normalize(x);
  }
  return out;
}

/** A 64-bit FNV-1a style running hash over strings, as 16 hex digits. */
export class RunningHash {
  #h1 = 0x811c9dc5;
  #h2 = 0x01000193;
  /** Mix a string in. */
  update(s: string): void {
    let h1 = this.#h1, h2 = this.#h2;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      h1 = Math.imul(h1 ^ c, 16777619);
      h2 = Math.imul(h2 ^ c, 2246822519);
      h2 ^= h1 >>> 15;
    }
    this.#h1 = Math.imul(h1 ^ 0x0a, 16777619);
    this.#h2 = h2;
  }
  /** The hash so far. */
  digest(): string {
    return (this.#h1 >>> 0).toString(16).padStart(8, "0") +
      (this.#h2 >>> 0).toString(16).padStart(8, "0");
  }
}

/** Options of a trace. */
export interface TraceOptions {
  /** Default "full". */
  readonly mode?: TraceMode;
  /** In "sampled" mode keep one message in this many (by message id). Default 100. */
  readonly sampleEvery?: number;
}

/** Records of one run. */
export class Trace {
  /** How much is recorded: "off", "sampled" or "full" (default "full"). */
  readonly mode: TraceMode;
  /** In "sampled" mode, one message in this many is kept (by message id; at least 1). */
  readonly sampleEvery: number;
  /** The kept records in order (every record in "full" mode, none when "off"). */
  readonly records: TraceRecord[] = [];
  #hash = new RunningHash();
  #count = 0;
  #msgJson = new WeakMap<object, string>();

  /** A trace with the given mode. */
  constructor(options: TraceOptions = {}) {
    this.mode = options.mode ?? "full";
    this.sampleEvery = Math.max(1, Math.floor(options.sampleEvery ?? 100));
  }

  /** Whether anything is recorded (callers skip building records when false). */
  get enabled(): boolean {
    return this.mode !== "off";
  }

  /** Number of records seen (hashed), including those sampling did not keep. */
  get count(): number {
    return this.#count;
  }

  /** Record one event. */
  add(r: TraceRecord): void {
    if (this.mode === "off") return;
    this.#count++;
    this.#hash.update(this.#key(r));
    if (this.mode === "full") {
      this.records.push(r);
    } else if (!("id" in r) || r.id % this.sampleEvery === 0) {
      // by the record's own id: a duplicate copy's record and its deliver/drop share the copy's id
      this.records.push(r);
    }
  }

  // A compact canonical form for the hash; a message object is serialized once and reused for its
  // send, deliver and drop records.
  #key(r: TraceRecord): string {
    switch (r.type) {
      case "send":
        return `s|${r.t}|${r.id}|${r.from}|${r.to}|${r.sizeBytes}|${this.#msg(r.msg)}`;
      case "deliver":
        return `d|${r.t}|${r.id}|${r.from}|${r.to}|${r.sentAt}|${this.#msg(r.msg)}`;
      case "drop":
        return `x|${r.t}|${r.id}|${r.from}|${r.to}|${r.reason}|${this.#msg(r.msg)}`;
      case "timer":
        return `t|${r.t}|${r.node}|${r.name}`;
      default:
        return stableStringify(r);
    }
  }

  #msg(m: unknown): string {
    if (m === null || typeof m !== "object") return stableStringify(m);
    let s = this.#msgJson.get(m);
    if (s === undefined) {
      s = stableStringify(m);
      this.#msgJson.set(m, s);
    }
    return s;
  }

  /** Hash of every record seen so far (16 hex digits); equal hashes mean identical runs. */
  hash(): string {
    return this.#hash.digest();
  }

  /** The kept records as JSON lines (stable key order). */
  serialize(): string {
    return this.records.map(stableStringify).join("\n");
  }
}

/**
 * The digest a signature covers: the hash of the data's stable JSON (16 hex digits). Protocols use
 * it as the paper's D(m) (a request or block digest), checkers to compare signed values.
 */
export function digestOf(data: unknown): string {
  const h = new RunningHash();
  h.update(stableStringify(data));
  return h.digest();
}
