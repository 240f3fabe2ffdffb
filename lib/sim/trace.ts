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

const DIGITS = new Uint8Array(10);

/** A 64-bit FNV-1a style running hash over strings, as 16 hex digits. */
export class RunningHash {
  #h1 = 0x811c9dc5;
  #h2 = 0x01000193;
  /** Mix a string in (the same as `feed(s)` then `end()`). */
  update(s: string): void {
    this.feed(s);
    this.end();
  }
  /** Mix the characters of `s` in, as part of the current item (close it with `end`). */
  feed(s: string): void {
    let h1 = this.#h1, h2 = this.#h2;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      h1 = Math.imul(h1 ^ c, 16777619);
      h2 = Math.imul(h2 ^ c, 2246822519);
      h2 ^= h1 >>> 15;
    }
    this.#h1 = h1;
    this.#h2 = h2;
  }
  /** Mix in one character code, as part of the item (the same as `feed` of that character). */
  feedCode(c: number): void {
    const h1 = Math.imul(this.#h1 ^ c, 16777619);
    this.#h2 = Math.imul(this.#h2 ^ c, 2246822519) ^ (h1 >>> 15);
    this.#h1 = h1;
  }
  /** Mix in the decimal form of a number exactly as `String(x)` writes it, part of the item. */
  feedNumber(x: number): void {
    if (!(x >= 0 && x < 1e9 && Math.floor(x) === x)) return this.feed(String(x));
    // a small non-negative integer (< 2^31): its digits without building a string
    let n = x | 0, k = 0;
    do {
      const q = (n / 10) | 0;
      DIGITS[k++] = 48 + n - q * 10;
      n = q;
    } while (n > 0);
    let h1 = this.#h1, h2 = this.#h2;
    while (k > 0) {
      const c = DIGITS[--k];
      h1 = Math.imul(h1 ^ c, 16777619);
      h2 = Math.imul(h2 ^ c, 2246822519);
      h2 ^= h1 >>> 15;
    }
    this.#h1 = h1;
    this.#h2 = h2;
  }
  /** Close the current item (what `update` does after its string). */
  end(): void {
    this.#h1 = Math.imul(this.#h1 ^ 0x0a, 16777619);
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

const BAR = 124; // "|"
const NUM_CACHE = 8192;
const NUM_F64 = new Float64Array(1);
const NUM_U32 = new Uint32Array(NUM_F64.buffer);

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
  #lastMsg: object | null = null;
  #lastMsgJson = "";
  // a direct-mapped cache of recent times' decimal text, indexed by low bits of the double
  #numKeys = new Float64Array(NUM_CACHE).fill(NaN);
  #numText: string[] = new Array<string>(NUM_CACHE).fill("");

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
    this.#hashRecord(r);
    if (this.mode === "full") {
      this.records.push(r);
    } else if (!("id" in r) || r.id % this.sampleEvery === 0) {
      // by the record's own id: a duplicate copy's record and its deliver/drop share the copy's id
      this.records.push(r);
    }
  }

  // The hash mixes a compact canonical form of each record, fed piece by piece (no string is
  // built): `s|t|id|from|to|sizeBytes|msg`, `d|t|id|from|to|sentAt|msg`, `x|t|id|from|to|reason|
  // msg`, `t|t|node|name`, and the stable JSON of any other record. A message object is
  // serialized once and reused for its send, deliver and drop records.
  #hashRecord(r: TraceRecord): void {
    const h = this.#hash;
    switch (r.type) {
      case "send":
      case "deliver":
      case "drop":
        h.feedCode(r.type === "send" ? 115 : r.type === "deliver" ? 100 : 120);
        h.feedCode(BAR);
        this.#num(r.t);
        h.feedCode(BAR);
        h.feedNumber(r.id);
        h.feedCode(BAR);
        h.feed(r.from);
        h.feedCode(BAR);
        h.feed(r.to);
        h.feedCode(BAR);
        if (r.type === "send") h.feedNumber(r.sizeBytes);
        else if (r.type === "deliver") this.#num(r.sentAt);
        else h.feed(r.reason);
        h.feedCode(BAR);
        h.feed(this.#msg(r.msg));
        break;
      case "timer":
        h.feedCode(116);
        h.feedCode(BAR);
        this.#num(r.t);
        h.feedCode(BAR);
        h.feed(r.node);
        h.feedCode(BAR);
        h.feed(r.name);
        break;
      default:
        h.feed(stableStringify(r));
    }
    h.end();
  }

  // Times are doubles whose decimal form is costly to produce and recurs (a delivery's time is
  // the time of the sends it causes and later their deliveries' sentAt): remember recent ones.
  #num(x: number): void {
    if (x >= 0 && x < 1e9 && Math.floor(x) === x) return this.#hash.feedNumber(x);
    NUM_F64[0] = x;
    const i = (NUM_U32[0] ^ (NUM_U32[0] >>> 13)) & (NUM_CACHE - 1);
    let s: string;
    if (this.#numKeys[i] === x) s = this.#numText[i];
    else {
      s = String(x);
      this.#numKeys[i] = x;
      this.#numText[i] = s;
    }
    this.#hash.feed(s);
  }

  #msg(m: unknown): string {
    if (m === null || typeof m !== "object") return stableStringify(m);
    // a message's records often follow one another (its delivery, then its forwarding's send)
    if (m === this.#lastMsg) return this.#lastMsgJson;
    let s = this.#msgJson.get(m);
    if (s === undefined) {
      s = stableStringify(m);
      this.#msgJson.set(m, s);
    }
    this.#lastMsg = m;
    this.#lastMsgJson = s;
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
