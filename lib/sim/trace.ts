/**
 * The trace: typed records of everything that happened, a stable serialization, and a hash that
 * proves two runs identical. Modes keep large runs cheap: "off" records nothing, "sampled" keeps
 * every non-message record and one message in `sampleEvery` (send, deliver and drop of the same
 * message together), "full" keeps everything. Sampled and full hash every record.
 * @module
 */
import type { NodeId, TraceRecord } from "./types.ts";
import { isImmutable } from "./storage.ts";

/** How much of a run is recorded. */
export type TraceMode = "off" | "sampled" | "full";

/** JSON with object keys sorted, Maps/Sets as arrays, so equal values serialize equally. */
export function stableStringify(value: unknown): string {
  try {
    const s = stable(value);
    if (s !== undefined) return s;
  } catch (e) {
    if (e !== BAIL) throw e;
  }
  return JSON.stringify(normalize(value));
}

// The definition is JSON.stringify(normalize(value)) (kept below as the fallback); `stable` writes
// the same text directly, without the normalized copy. Where the two could differ it bails out to
// the definition: a top-level function or symbol, an own "__proto__" key, a "toJSON" function,
// typed arrays of bigints and DataViews.
const BAIL = new Error("stableStringify: use the reference path");

/** The stable JSON of `v`, or undefined where JSON.stringify omits it (a function, a symbol). */
function stable(v: unknown): string | undefined {
  switch (typeof v) {
    case "string":
      return quote(v);
    case "number":
      // normalize turns a non-finite number into its String form, a JSON string
      return Number.isFinite(v) ? "" + v : '"' + v + '"';
    case "boolean":
      return v ? "true" : "false";
    case "bigint":
      return '"' + v + 'n"';
    case "undefined":
      return "null";
    case "object":
      return v === null ? "null" : stableObject(v);
    // Stryker disable next-line ConditionalExpression: equivalent — falling out of the switch ends the function, which returns undefined too
    default:
      return undefined;
  }
}

function stableObject(v: object): string {
  if (Array.isArray(v)) {
    let s = "[";
    for (let i = 0; i < v.length; i++) {
      if (i > 0) s += ",";
      s += stable(v[i]) ?? "null";
    }
    return s + "]";
  }
  if (v instanceof Map) {
    let s = "[", first = true;
    for (const [k, x] of v) {
      s += (first ? "[" : ",[") + (stable(k) ?? "null") + "," + (stable(x) ?? "null") + "]";
      first = false;
    }
    return s + "]";
  }
  if (v instanceof Set) {
    let s = "[", first = true;
    for (const x of v) {
      s += (first ? "" : ",") + (stable(x) ?? "null");
      first = false;
    }
    return s + "]";
  }
  if (ArrayBuffer.isView(v)) {
    if (v instanceof DataView || v instanceof BigInt64Array || v instanceof BigUint64Array) {
      throw BAIL;
    }
    // Array.from keeps the raw numbers: JSON writes a non-finite one as null
    const a = v as unknown as ArrayLike<number>;
    let s = "[";
    for (let i = 0; i < a.length; i++) {
      const x = a[i];
      s += (i > 0 ? "," : "") + (Number.isFinite(x) ? "" + x : "null");
    }
    return s + "]";
  }
  const { indexKeys, named, indexQuoted, namedQuoted } = sortedKeys(v);
  let s = "{", first = true;
  const o = v as Record<string, unknown>;
  for (let pass = indexKeys ? 0 : 1; pass < 2; pass++) {
    const ks = pass === 0 ? indexKeys! : named;
    const qs = pass === 0 ? indexQuoted! : namedQuoted;
    for (let i = 0; i < ks.length; i++) {
      const k = ks[i];
      const x = o[k];
      if (x === undefined) continue;
      if (k === "__proto__") throw BAIL;
      const t = stable(x);
      if (t === undefined) {
        if (k === "toJSON") throw BAIL;
        continue;
      }
      s += (first ? "" : ",") + qs[i] + ":" + t;
      first = false;
    }
  }
  return s + "}";
}

/** Whether `k` is an array index (a canonical integer below 2^32 − 1), which objects list first. */
function isArrayIndex(k: string): boolean {
  const n = k.length;
  if (n === 0 || n > 10) return false;
  const c0 = k.charCodeAt(0);
  if (c0 < 48 || c0 > 57 || (c0 === 48 && n > 1)) return false;
  for (let i = 1; i < n; i++) {
    const c = k.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return n < 10 || Number(k) <= 4294967294;
}

/**
 * An object's own enumerable keys in the order JSON.stringify lists normalize's copy: array-index
 * keys first (ascending; undefined when there are none), then the other keys in the order
 * normalize inserted them (sorted); with each key's JSON text (`quote(k)`).
 */
interface KeyOrder {
  /** The keys as Object.keys lists them (what a lookup compares against). */
  readonly raw: readonly string[];
  readonly indexKeys: readonly string[] | undefined;
  readonly named: readonly string[];
  /** quote(k) of each key of indexKeys and of named. */
  readonly indexQuoted: readonly string[] | undefined;
  readonly namedQuoted: readonly string[];
}

function keyOrderOf(keys: string[]): KeyOrder {
  let indexKeys: string[] | undefined;
  let named = keys;
  if (keys.length > 0 && isArrayIndex(keys[0])) {
    indexKeys = [];
    named = [];
    for (const k of keys) (isArrayIndex(k) ? indexKeys : named).push(k);
    indexKeys.sort((a, b) => Number(a) - Number(b));
  } else named = keys.slice();
  named.sort();
  return {
    raw: keys,
    indexKeys,
    named,
    indexQuoted: indexKeys?.map(quote),
    namedQuoted: named.map(quote),
  };
}

// Key orders seen so far, by first key: messages of one type share their keys, so sorting them
// once saves the sort and its garbage on every digest. Bounded: a run that keeps making new key
// sets (a map keyed by ids, say) starts the table afresh when it fills.
const KEY_ORDERS = new Map<string, KeyOrder[]>();
const KEY_ORDERS_MAX = 4096;
const KEY_ORDER_MAX_KEYS = 64;
let keyOrderCount = 0;
const NO_KEYS = keyOrderOf([]);

/** Whether `v`'s own enumerable keys, as for-in lists them, are exactly `raw` in order. */
function hasKeys(v: object, raw: readonly string[]): boolean {
  let i = 0;
  for (const k in v) if (k !== raw[i++]) return false;
  return true;
}

/**
 * The key order of `v` (see KeyOrder), from the table when an object with the same keys in the
 * same order was seen before. For-in lists the same keys as Object.keys, in the same order, when
 * no prototype has enumerable keys; only plain objects (prototype Object.prototype or null) take
 * the table, so an object inheriting enumerable keys is never mistaken for another.
 */
function sortedKeys(v: object): KeyOrder {
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return keyOrderOf(Object.keys(v));
  let n = 0, first = "";
  for (const k in v) {
    if (n === 0) first = k;
    n++;
  }
  if (n === 0) return NO_KEYS;
  let list = KEY_ORDERS.get(first);
  if (list !== undefined) {
    for (let i = 0; i < list.length; i++) {
      const o = list[i];
      if (o.raw.length === n && hasKeys(v, o.raw)) return o;
    }
  }
  const order = keyOrderOf(Object.keys(v));
  if (n <= KEY_ORDER_MAX_KEYS) {
    if (keyOrderCount >= KEY_ORDERS_MAX) {
      KEY_ORDERS.clear();
      keyOrderCount = 0;
      list = undefined;
    }
    if (list === undefined) KEY_ORDERS.set(first, list = []);
    list.push(order);
    keyOrderCount++;
  }
  return order;
}

/** How many key orders the table holds (tests). */
export function keyOrdersCached(): number {
  return keyOrderCount;
}

/** Whether JSON.stringify escapes the UTF-16 code unit `c` (a control character, `"`, a backslash, a surrogate). */
function escapes(c: number): boolean {
  return c < 32 || c === 34 || c === 92 || (c >= 0xd800 && c <= 0xdfff);
}

/** Whether JSON.stringify escapes something in `s`. */
function needsEscape(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (escapes(s.charCodeAt(i))) return true;
  return false;
}

/** JSON.stringify of a string: quoted as it is unless it needs an escape. */
function quote(s: string): string {
  return needsEscape(s) ? JSON.stringify(s) : '"' + s + '"';
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

/** Whether x is a non-negative integer below 1e9, whose digits the hashes write without String. */
function smallInt(x: number): boolean {
  return x >= 0 && x < 1e9 && Math.floor(x) === x;
}

const HEX = Array.from("0123456789abcdef", (c) => c.charCodeAt(0));

/** The two words as 16 lowercase hex digits (each word's `toString(16)` padded to 8). */
function hex64(h1: number, h2: number): string {
  return String.fromCharCode(
    HEX[(h1 >>> 28) & 15],
    HEX[(h1 >>> 24) & 15],
    HEX[(h1 >>> 20) & 15],
    HEX[(h1 >>> 16) & 15],
    HEX[(h1 >>> 12) & 15],
    HEX[(h1 >>> 8) & 15],
    HEX[(h1 >>> 4) & 15],
    HEX[h1 & 15],
    HEX[(h2 >>> 28) & 15],
    HEX[(h2 >>> 24) & 15],
    HEX[(h2 >>> 20) & 15],
    HEX[(h2 >>> 16) & 15],
    HEX[(h2 >>> 12) & 15],
    HEX[(h2 >>> 8) & 15],
    HEX[(h2 >>> 4) & 15],
    HEX[h2 & 15],
  );
}

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
    // Stryker disable next-line ConditionalExpression: equivalent (→ true) — String(x) has the same digits the fast path writes (→ false is killed, but cannot be kept alone)
    if (!smallInt(x)) return this.feed(String(x));
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
    return hex64(this.#h1, this.#h2);
  }
}

// The trace's hashing works on this module-level state (the running hash's two words, in a typed
// array so that storing them allocates nothing) so that one record is mixed by small functions the
// compiler inlines; `Trace` loads its state before a record and stores it after. The mixing is
// RunningHash's exactly.
const HS = new Int32Array(2);

function mixCode(c: number): void {
  const h1 = Math.imul(HS[0] ^ c, 16777619);
  HS[1] = Math.imul(HS[1] ^ c, 2246822519) ^ (h1 >>> 15);
  HS[0] = h1;
}

function mixText(s: string): void {
  let h1 = HS[0], h2 = HS[1];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 16777619);
    h2 = Math.imul(h2 ^ c, 2246822519);
    h2 ^= h1 >>> 15;
  }
  HS[0] = h1;
  HS[1] = h2;
}

/** Mix the decimal form of `x` exactly as `String(x)` writes it. */
function mixNumber(x: number): void {
  // Stryker disable next-line ConditionalExpression: equivalent (→ true) — String(x) has the same digits the fast path writes (→ false is killed, but cannot be kept alone)
  if (!smallInt(x)) return mixText(String(x));
  let n = x | 0, k = 0;
  do {
    const q = (n / 10) | 0;
    DIGITS[k++] = 48 + n - q * 10;
    n = q;
  } while (n > 0);
  let h1 = HS[0], h2 = HS[1];
  while (k > 0) {
    const c = DIGITS[--k];
    h1 = Math.imul(h1 ^ c, 16777619);
    h2 = Math.imul(h2 ^ c, 2246822519);
    h2 ^= h1 >>> 15;
  }
  HS[0] = h1;
  HS[1] = h2;
}

/** Options of a trace. */
export interface TraceOptions {
  /** Default "full". */
  readonly mode?: TraceMode;
  /** In "sampled" mode keep one message in this many (by message id). Default 100. */
  readonly sampleEvery?: number;
}

const BAR = 124; // "|"
// a time's IEEE-754 bits as two 32-bit words, low word first (every platform Deno runs on is
// little-endian, so U32 reads them in that order)
const F64 = new Float64Array(1);
const U32 = new Uint32Array(F64.buffer);
const MSG_CACHE = 8192;
/** The two words of a message's digest, set by `Trace.#msgWords`. */
const MW = new Int32Array(2);

/** Mix a time in as the two 32-bit words of its IEEE-754 bits, low word first. */
function mixTime(x: number): void {
  F64[0] = x;
  mixCode(U32[0]);
  mixCode(U32[1]);
}

const NULL = "null";

let fallbacks = 0;

/**
 * How many digests so far mixed the text of stable JSON's reference path because mixStable could
 * not write the value (an own "__proto__" key, a "toJSON" function, a bigint typed array, a
 * top-level function or symbol): the same digest, computed the slow way. For tests and benchmarks.
 */
export function digestFallbacks(): number {
  return fallbacks;
}

/**
 * Set MW to the two words of `digestOf(v)`: a fresh RunningHash after `update(stableStringify(v))`.
 * The stable JSON is mixed in as `stable` would write it, without building the text (mixStable);
 * where `stable` bails out to the reference path, that path's text is mixed instead. HS is saved
 * and restored, so a getter of `v` that computes a digest itself cannot disturb this one.
 */
function digestWordsOf(v: unknown): void {
  const s0 = HS[0], s1 = HS[1];
  try {
    HS[0] = 0x811c9dc5;
    HS[1] = 0x01000193;
    let mixed = false;
    try {
      mixed = mixStable(v);
    } catch (e) {
      if (e !== BAIL) throw e;
    }
    if (!mixed) {
      fallbacks++;
      const text = stableStringify(v);
      HS[0] = 0x811c9dc5;
      HS[1] = 0x01000193;
      mixText(text);
    }
    MW[0] = Math.imul(HS[0] ^ 0x0a, 16777619);
    MW[1] = HS[1];
  } finally {
    HS[0] = s0;
    HS[1] = s1;
  }
}

/**
 * Mix into HS the characters `stable(v)` returns, in order, without building them; false (and
 * nothing mixed) where it returns undefined (a function or a symbol). Throws BAIL where it does.
 */
function mixStable(v: unknown): boolean {
  switch (typeof v) {
    case "string":
      mixQuoted(v);
      return true;
    case "number":
      if (Number.isFinite(v)) mixNumber(v);
      else {
        mixCode(34);
        mixText(String(v));
        mixCode(34);
      }
      return true;
    case "boolean":
      mixText(v ? "true" : "false");
      return true;
    case "bigint":
      mixCode(34);
      mixText(String(v));
      mixCode(110);
      mixCode(34);
      return true;
    case "undefined":
      mixText(NULL);
      return true;
    case "object":
      if (v === null) mixText(NULL);
      else mixStableObject(v);
      return true;
    default:
      return false;
  }
}

/** An element of an array, Map entry or Set: its stable JSON, or null where it has none. */
function mixElement(x: unknown): void {
  if (!mixStable(x)) mixText(NULL);
}

/** `stableObject(v)`, mixed (see mixStable). */
function mixStableObject(v: object): void {
  if (Array.isArray(v)) {
    mixCode(91);
    for (let i = 0; i < v.length; i++) {
      if (i > 0) mixCode(44);
      mixElement(v[i]);
    }
    return mixCode(93);
  }
  if (v instanceof Map) {
    mixCode(91);
    let first = true;
    for (const [k, x] of v) {
      if (!first) mixCode(44);
      mixCode(91);
      mixElement(k);
      mixCode(44);
      mixElement(x);
      mixCode(93);
      first = false;
    }
    return mixCode(93);
  }
  if (v instanceof Set) {
    mixCode(91);
    let first = true;
    for (const x of v) {
      if (!first) mixCode(44);
      mixElement(x);
      first = false;
    }
    return mixCode(93);
  }
  if (ArrayBuffer.isView(v)) {
    // a DataView has no length: it mixes "[]", the text the reference path writes for it too
    if (v instanceof BigInt64Array || v instanceof BigUint64Array) throw BAIL;
    const a = v as unknown as ArrayLike<number>;
    mixCode(91);
    for (let i = 0; i < a.length; i++) {
      if (i > 0) mixCode(44);
      const x = a[i];
      if (Number.isFinite(x)) mixNumber(x);
      else mixText(NULL);
    }
    return mixCode(93);
  }
  const { indexKeys, named, indexQuoted, namedQuoted } = sortedKeys(v);
  mixCode(123);
  let first = true;
  const o = v as Record<string, unknown>;
  for (let pass = indexKeys ? 0 : 1; pass < 2; pass++) {
    const ks = pass === 0 ? indexKeys! : named;
    const qs = pass === 0 ? indexQuoted! : namedQuoted;
    for (let i = 0; i < ks.length; i++) {
      const k = ks[i];
      const x = o[k];
      if (x === undefined) continue;
      if (k === "__proto__") throw BAIL;
      const t = typeof x;
      if (t === "function" || t === "symbol") {
        if (k === "toJSON") throw BAIL;
        continue;
      }
      if (!first) mixCode(44);
      mixText(qs[i]);
      mixCode(58);
      mixStable(x);
      first = false;
    }
  }
  mixCode(125);
}

/** `quote(s)`, mixed: one pass, which starts over with JSON.stringify's text at an escape. */
function mixQuoted(s: string): void {
  let h1 = Math.imul(HS[0] ^ 34, 16777619);
  let h2 = Math.imul(HS[1] ^ 34, 2246822519) ^ (h1 >>> 15);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    // HS is untouched until the end, so the escaped text is mixed from the state before the quote
    // Stryker disable next-line ConditionalExpression: equivalent (→ true) — JSON.stringify of a string that needs no escape is the string in quotes (→ false is killed, but cannot be kept alone)
    if (escapes(c)) return mixText(JSON.stringify(s));
    h1 = Math.imul(h1 ^ c, 16777619);
    h2 = Math.imul(h2 ^ c, 2246822519) ^ (h1 >>> 15);
  }
  const e1 = Math.imul(h1 ^ 34, 16777619);
  HS[1] = Math.imul(h2 ^ 34, 2246822519) ^ (e1 >>> 15);
  HS[0] = e1;
}

const K_OTHER = 0, K_SEND = 1, K_DELIVER = 2, K_TIMER = 3;
const CHUNK_MIN = 256, CHUNK_MAX = 16_384;

/** A run of consecutive kept records, by column. */
class Chunk {
  n = 0;
  readonly kind: Uint8Array;
  readonly t: Float64Array;
  readonly id: Float64Array;
  /** sizeBytes of a send, sentAt of a delivery. */
  readonly aux: Float64Array;
  /** From (a timer's node) and to (a timer's name). */
  readonly from: string[];
  readonly to: string[];
  /** The message of a send or delivery; any other kind of record itself. */
  readonly ref: unknown[];
  constructor(readonly start: number, readonly cap: number) {
    this.kind = new Uint8Array(cap);
    this.t = new Float64Array(cap);
    this.id = new Float64Array(cap);
    this.aux = new Float64Array(cap);
    this.from = new Array(cap);
    this.to = new Array(cap);
    this.ref = new Array(cap);
  }
}

// Kept records stored by column, so a long run holds no object per record (an object per record
// that outlives the young generation is what made full tracing slow: the collector copied each
// one twice). Sends, deliveries and timers are stored as numbers and names; any other
// record is kept as it is. `records()` builds the objects on demand, in order, once.
class RecordStore {
  length = 0;
  #chunks: Chunk[] = [];
  #cur: Chunk | null = null;
  #built: TraceRecord[] = [];
  #buildChunk = 0;

  keep(r: TraceRecord): void {
    switch (r.type) {
      case "send":
        return this.keepMessage(K_SEND, r.t, r.id, r.from, r.to, r.msg, r.sizeBytes);
      case "deliver":
        return this.keepMessage(K_DELIVER, r.t, r.id, r.from, r.to, r.msg, r.sentAt);
    }
    let c = this.#cur;
    if (c === null || c.n === c.cap) c = this.#addChunk();
    const j = c.n++;
    this.length++;
    if (r.type === "timer") {
      c.kind[j] = K_TIMER;
      c.t[j] = r.t;
      c.from[j] = r.node;
      c.to[j] = r.name;
    } else {
      c.kind[j] = K_OTHER;
      c.ref[j] = r;
    }
  }

  /** Keep a send (`aux` = sizeBytes) or a delivery (`aux` = sentAt). */
  keepMessage(
    kind: number,
    t: number,
    id: number,
    from: NodeId,
    to: NodeId,
    msg: unknown,
    aux: number,
  ): void {
    let c = this.#cur;
    if (c === null || c.n === c.cap) c = this.#addChunk();
    const j = c.n++;
    this.length++;
    c.kind[j] = kind;
    c.t[j] = t;
    c.id[j] = id;
    c.aux[j] = aux;
    c.from[j] = from;
    c.to[j] = to;
    c.ref[j] = msg;
  }

  #addChunk(): Chunk {
    const c = new Chunk(this.length, Math.min(CHUNK_MAX, Math.max(CHUNK_MIN, this.length)));
    this.#chunks.push(c);
    return this.#cur = c;
  }

  records(): TraceRecord[] {
    const out = this.#built;
    while (out.length < this.length) {
      const c = this.#chunks[this.#buildChunk];
      for (let j = out.length - c.start; j < c.n; j++) {
        const kind = c.kind[j];
        if (kind === K_SEND || kind === K_DELIVER) {
          const send = kind === K_SEND;
          out.push({
            type: send ? "send" : "deliver",
            t: c.t[j],
            id: c.id[j],
            from: c.from[j],
            to: c.to[j],
            msg: c.ref[j],
            [send ? "sizeBytes" : "sentAt"]: c.aux[j],
          } as TraceRecord);
        } else if (kind === K_TIMER) {
          out.push({ type: "timer", t: c.t[j], node: c.from[j], name: c.to[j] });
        } else out.push(c.ref[j] as TraceRecord);
      }
      if (c.n === c.cap) this.#buildChunk++;
    }
    return out;
  }
}

/** Records of one run. */
export class Trace {
  /** How much is recorded: "off", "sampled" or "full" (default "full"). */
  readonly mode: TraceMode;
  /** In "sampled" mode, one message in this many is kept (by message id; at least 1). */
  readonly sampleEvery: number;
  // the running hash (RunningHash's two words; see mixText)
  #h1 = 0x811c9dc5;
  #h2 = 0x01000193;
  #kept = new RecordStore();
  #count = 0;
  // each frozen message's digest words, computed once
  #msgDigest = new WeakMap<object, Int32Array>();
  #lastMsg: object | null = null;
  #lastDigest: Int32Array = new Int32Array(2);
  // a direct-mapped cache of recent messages' digests by message id (a send, then its delivery)
  #idMsg: unknown[] = new Array(MSG_CACHE).fill(null);
  #idDigest = new Int32Array(2 * MSG_CACHE);

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
      this.#kept.keep(r);
    } else if (!("id" in r) || r.id % this.sampleEvery === 0) {
      // by the record's own id: a duplicate copy's record and its deliver/drop share the copy's id
      this.#kept.keep(r);
    }
  }

  /**
   * Record a send: the same as `add({ type: "send", t, id, from, to, msg, sizeBytes })`, without
   * building the record (the simulator's hot path).
   */
  addSend(t: number, id: number, from: NodeId, to: NodeId, msg: unknown, sizeBytes: number): void {
    if (this.mode === "off") return;
    this.#count++;
    this.#hashSend(t, id, from, to, msg, sizeBytes);
    if (this.mode === "full" || id % this.sampleEvery === 0) {
      this.#kept.keepMessage(K_SEND, t, id, from, to, msg, sizeBytes);
    }
  }

  /**
   * Record a delivery: the same as `add({ type: "deliver", t, id, from, to, msg, sentAt })`,
   * without building the record (the simulator's hot path).
   */
  addDeliver(t: number, id: number, from: NodeId, to: NodeId, msg: unknown, sentAt: number): void {
    if (this.mode === "off") return;
    this.#count++;
    this.#hashDeliver(t, id, from, to, msg, sentAt);
    if (this.mode === "full" || id % this.sampleEvery === 0) {
      this.#kept.keepMessage(K_DELIVER, t, id, from, to, msg, sentAt);
    }
  }

  // the end of an item (RunningHash.end)
  #end(): void {
    this.#h1 = Math.imul(HS[0] ^ 0x0a, 16777619);
    this.#h2 = HS[1];
  }

  /** Number of records kept: `records.length`, without building the records. */
  get kept(): number {
    return this.#kept.length;
  }

  /**
   * The kept records in order (every record in "full" mode, none when "off"). Each read returns
   * the same array, extended with the records kept since the last read; a record equals the one
   * added, with the same message object (records are stored by column and built when read).
   */
  get records(): TraceRecord[] {
    return this.#kept.records();
  }

  // The hash mixes a compact canonical form of each record, fed piece by piece (no string is
  // built): `s|t|id|from|to|sizeBytes|msg`, `d|t|id|from|to|sentAt|msg`, `x|t|id|from|to|reason|
  // msg`, `t|t|node|name`, and the stable JSON of any other record. Ids and sizes are written in
  // decimal; a time (t, sentAt) is mixed as the two 32-bit words of its IEEE-754 bits, low word
  // first; a message as the two words of its digest (`digestOf`: the running hash of its stable
  // JSON). A frozen message's digest is computed once and reused for its send, deliver and drop
  // records. Computing a digest may run the message's getters, so it is done before the hash's
  // state is loaded into HS (which nothing else may touch until it is stored back).
  #hashRecord(r: TraceRecord): void {
    switch (r.type) {
      case "send":
        return this.#hashSend(r.t, r.id, r.from, r.to, r.msg, r.sizeBytes);
      case "deliver":
        return this.#hashDeliver(r.t, r.id, r.from, r.to, r.msg, r.sentAt);
      case "drop": {
        this.#msgWords(r.id, r.msg);
        this.#begin();
        mixCode(120);
        this.#mixHead(r.t, r.id, r.from, r.to);
        mixText(r.reason);
        mixCode(BAR);
        mixCode(MW[0]);
        mixCode(MW[1]);
        break;
      }
      case "timer":
        this.#begin();
        mixCode(116);
        mixCode(BAR);
        mixTime(r.t);
        mixCode(BAR);
        mixText(r.node);
        mixCode(BAR);
        mixText(r.name);
        break;
      default: {
        const text = stableStringify(r);
        this.#begin();
        mixText(text);
      }
    }
    this.#end();
  }

  #hashSend(t: number, id: number, from: NodeId, to: NodeId, msg: unknown, size: number): void {
    this.#msgWords(id, msg);
    this.#begin();
    mixCode(115);
    this.#mixHead(t, id, from, to);
    mixNumber(size);
    mixCode(BAR);
    mixCode(MW[0]);
    mixCode(MW[1]);
    this.#end();
  }

  #hashDeliver(t: number, id: number, from: NodeId, to: NodeId, msg: unknown, sentAt: number) {
    this.#msgWords(id, msg);
    this.#begin();
    mixCode(100);
    this.#mixHead(t, id, from, to);
    mixTime(sentAt);
    mixCode(BAR);
    mixCode(MW[0]);
    mixCode(MW[1]);
    this.#end();
  }

  // the start of an item: the running hash's state into HS
  #begin(): void {
    HS[0] = this.#h1;
    HS[1] = this.#h2;
  }

  // `|t|id|from|to|` of a message record
  #mixHead(t: number, id: number, from: string, to: string): void {
    mixCode(BAR);
    mixTime(t);
    mixCode(BAR);
    mixNumber(id);
    mixCode(BAR);
    mixText(from);
    mixCode(BAR);
    mixText(to);
    mixCode(BAR);
  }

  // MW := the digest words of a message, found by its id first (its delivery or drop soon
  // follows its send). Only deeply frozen messages (storage's mark) are remembered: a plain object
  // a node changes and sends again must hash with its new content.
  #msgWords(id: number, m: unknown): void {
    const k = id & (MSG_CACHE - 1);
    const ids = this.#idDigest;
    // only frozen messages enter the cache, and frozen stays frozen: a hit needs no check
    if (this.#idMsg[k] !== m || m === null) {
      if (m === null || typeof m !== "object" || !isImmutable(m)) {
        return digestWordsOf(m);
      }
      const d = this.#digest(m);
      this.#idMsg[k] = m;
      ids[2 * k] = d[0];
      ids[2 * k + 1] = d[1];
    }
    MW[0] = ids[2 * k];
    MW[1] = ids[2 * k + 1];
  }

  #digest(m: object): Int32Array {
    // a message's records often follow one another (its delivery, then its forwarding's send)
    if (m === this.#lastMsg) return this.#lastDigest;
    let d = this.#msgDigest.get(m);
    if (d === undefined) {
      digestWordsOf(m);
      d = MW.slice();
      this.#msgDigest.set(m, d);
    }
    this.#lastMsg = m;
    return this.#lastDigest = d;
  }

  /** Hash of every record seen so far (16 hex digits); equal hashes mean identical runs. */
  hash(): string {
    return hex64(this.#h1, this.#h2);
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
  digestWordsOf(data);
  return hex64(MW[0], MW[1]);
}
