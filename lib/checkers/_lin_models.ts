/**
 * Built-in sequential specifications: a read/write register, a compare-and-set register and a
 * key-value map (get / put / append / cas per key). Private; re-exported by linearizability.ts.
 * @module
 */
import type { Operation } from "../workload/history.ts";
import { ModelError, unknownOutput } from "./_lin_model.ts";
import type { Model, OperationGroup, RegisterKey, UnknownOutput } from "./_lin_model.ts";

/** A register value: a scalar or a vector of values; `null` means absent (Jepsen's nil). */
export type RegisterValue = null | boolean | number | string | readonly RegisterValue[];

/** The input of a register operation. */
export type RegisterInput =
  | { readonly f: "read" }
  | { readonly f: "write"; readonly value: RegisterValue }
  | { readonly f: "cas"; readonly from: RegisterValue; readonly to: RegisterValue };

/** The output of a register operation: the value read, or whether a cas swapped. */
export type RegisterOutput = RegisterValue;

/** Options of {@link registerModel} and {@link casRegisterModel}. */
export interface RegisterModelOptions {
  /** The register's initial value. Default `null` (absent, as Jepsen's etcd register starts). */
  readonly initial?: RegisterValue;
}

// ---------------------------------------------------------------------------------------------
// values: equality, hashing, printing

/** FNV-1a over UTF-16 code units: deterministic and cheap for short values. */
function hashString(s: string): number {
  let h = 0x811c9dc5 | 0;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h | 0;
}

const NULL_HASH = 0x5bd1e995 | 0;

/** A 32-bit hash of a register value, consistent with {@link sameValue}. */
export function hashValue(v: RegisterValue): number {
  if (v === null) return NULL_HASH;
  switch (typeof v) {
    case "number":
      return Number.isInteger(v) && Math.abs(v) < 2 ** 31 ? v | 0 : hashString(String(v));
    case "string":
      return hashString(v) ^ 0x27d4eb2d;
    // Stryker disable next-line StringLiteral,ConditionalExpression: equivalent — performance only: a boolean that misses this case hashes by its JSON text in the default branch, still equal for equal values
    case "boolean":
      return v ? 0x165667b1 : 0x0d3a2646;
    default:
      return hashString(JSON.stringify(v)) ^ 0x3c6ef372;
  }
}

/** A canonical string of a register value: equal under {@link sameValue} iff equal strings. */
export function valueString(v: RegisterValue): string {
  if (v === null) return "nil";
  if (typeof v === "string") return "s:" + v;
  // Stryker disable next-line UnaryOperator: equivalent — String(-0) is "0", so both zeros give "n:0" whichever one the test names
  if (typeof v === "number") return Object.is(v, -0) ? "n:0" : "n:" + String(v);
  if (typeof v === "boolean") return "b:" + String(v);
  return "v:[" + v.map(valueString).join(",") + "]";
}

/** Value equality: scalars by `===`, vectors element-wise. */
export function sameValue(a: RegisterValue, b: RegisterValue): boolean {
  if (a === b) return true;
  if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!sameValue(a[i], b[i])) return false;
  return true;
}

/** Print a value the way Jepsen does (`nil`, `3`, `"x"`, `[1 2]`). */
export function showValue(v: unknown): string {
  if (v === null || v === undefined) return "nil";
  if (typeof v === "string") return JSON.stringify(v);
  if (Array.isArray(v)) return "[" + v.map(showValue).join(" ") + "]";
  return String(v);
}

function where(op: Operation): string {
  const key = op.key === undefined ? "" : ` key ${JSON.stringify(op.key)}`;
  return `operation at history[${op.invokeIndex}] (process ${op.process}, ${op.f}${key})`;
}

function toValue(v: unknown, op: Operation, what: string): RegisterValue {
  if (v === undefined || v === null) return null;
  if (typeof v === "number" || typeof v === "string" || typeof v === "boolean") return v;
  if (Array.isArray(v)) return v.map((x) => toValue(x, op, what));
  throw new ModelError(`${where(op)}: ${what} must be nil, a number, a string or a vector`, op);
}

function casPair(op: Operation): { from: RegisterValue; to: RegisterValue } {
  const v = op.input;
  if (!Array.isArray(v) || v.length !== 2) {
    throw new ModelError(`${where(op)}: cas input must be [from to], got ${showValue(v)}`, op);
  }
  return { from: toValue(v[0], op, "cas from"), to: toValue(v[1], op, "cas to") };
}

/** A completed cas swapped unless its output is `false` (Jepsen's `:fail :cas`, see parsers). */
function casOutput(op: Operation): boolean {
  return op.output !== false;
}

function describeRegister(input: RegisterInput, output: RegisterOutput | UnknownOutput): string {
  const unknown = output === unknownOutput;
  switch (input.f) {
    case "read":
      return `read → ${unknown ? "?" : showValue(output)}`;
    case "write":
      return `write(${showValue(input.value)})${unknown ? " → ?" : ""}`;
    case "cas":
      return `cas(${showValue(input.from)}, ${showValue(input.to)}) → ${
        unknown ? "?" : output === false ? "fail" : "ok"
      }`;
  }
}

// ---------------------------------------------------------------------------------------------
// registers

function makeRegister(
  name: string,
  withCas: boolean,
  options: RegisterModelOptions,
): Model<RegisterValue, RegisterInput, RegisterOutput> {
  const initial = options.initial ?? null;
  return {
    name,
    init: () => initial,
    input(op: Operation): RegisterInput {
      switch (op.f) {
        case "read":
        case "get":
          return READ;
        case "write":
        case "put":
          return { f: "write", value: toValue(op.input, op, "written value") };
        case "cas":
          if (withCas) return { f: "cas", ...casPair(op) };
          throw new ModelError(`${where(op)}: the ${name} model has no cas (use cas-register)`, op);
        default:
          throw new ModelError(
            `${where(op)}: the ${name} model supports read, write${withCas ? ", cas" : ""}`,
            op,
          );
      }
    },
    output(op: Operation): RegisterOutput {
      if (op.f === "cas") return casOutput(op);
      if (op.f === "read" || op.f === "get") return toValue(op.output, op, "value read");
      return null;
    },
    step(state, input, output) {
      switch (input.f) {
        case "read":
          return output === unknownOutput || sameValue(state, output) ? state : undefined;
        case "write":
          return input.value;
        case "cas": {
          // Jepsen etcd semantics (as in Porcupine's model): a cas that reports failure
          // happened and saw a different value; one that reports success saw `from`.
          const matches = sameValue(state, input.from);
          if (output !== unknownOutput && (output !== false) !== matches) return undefined;
          return matches ? input.to : state;
        }
      }
    },
    readOnly: (input) => input.f === "read",
    registerView: {
      initial: valueString(initial),
      access(input, output) {
        if (input.f === "write") return { write: true, value: valueString(input.value) };
        if (input.f === "read" && output !== unknownOutput) {
          return { write: false, value: valueString(output) };
        }
        return undefined;
      },
      keys: isKey(initial) ? { initial, of: registerKey } : undefined,
    },
    hash: hashValue,
    equal: sameValue,
    describe: describeRegister,
    describeState: (s) => (s === null ? "absent (nil)" : showValue(s)),
  };
}

const READ: RegisterInput = { f: "read" };

/**
 * Scalars are their own keys: Map keys compare by SameValueZero, which agrees with
 * {@link sameValue} (`===`) except on NaN; vectors and NaN have no key.
 */
function isKey(v: RegisterValue): v is RegisterKey {
  return v === null || typeof v === "string" || typeof v === "boolean" ||
    (typeof v === "number" && v === v);
}

/** {@link RegisterKeys.of} of the register models. */
function registerKey(
  input: RegisterInput,
  output: RegisterOutput | UnknownOutput,
): RegisterKey | undefined {
  const v = input.f === "write" ? input.value : input.f === "read" ? output : undefined;
  return v !== undefined && v !== unknownOutput && isKey(v) ? v : undefined;
}

/**
 * A read/write register (Herlihy & Wing 1990's running example): `read` returns the last value
 * written, `initial` before any write.
 */
export function registerModel(
  options: RegisterModelOptions = {},
): Model<RegisterValue, RegisterInput, RegisterOutput> {
  if ((options.initial ?? null) !== null) return makeRegister("register", false, options);
  return PLAIN_REGISTER ??= Object.freeze(makeRegister("register", false, {}));
}

// The models with default options are built once and shared (frozen: a model is a pure
// specification). Besides saving the allocation, checks that build a fresh model each time then
// call the very same functions, so the engine's optimized code for the search is not thrown away
// ("wrong call target") on every new model.
let PLAIN_REGISTER: Model<RegisterValue, RegisterInput, RegisterOutput> | undefined;
let PLAIN_CAS_REGISTER: Model<RegisterValue, RegisterInput, RegisterOutput> | undefined;

/**
 * A compare-and-set register (Jepsen's etcd test): read, write, and `cas [from to]` that swaps
 * when the value equals `from`. A cas output of `false` means the comparison failed.
 */
export function casRegisterModel(
  options: RegisterModelOptions = {},
): Model<RegisterValue, RegisterInput, RegisterOutput> {
  if ((options.initial ?? null) !== null) return makeRegister("cas-register", true, options);
  return PLAIN_CAS_REGISTER ??= Object.freeze(makeRegister("cas-register", true, {}));
}

// ---------------------------------------------------------------------------------------------
// key-value map

/** The input of a kv operation (the key is carried by the operation and the partition). */
export type KvInput =
  | { readonly f: "get"; readonly key: string }
  | {
    readonly f: "put" | "append";
    readonly key: string;
    readonly value: string;
    /** Polynomial hash of `value` and base^length, for the O(1) incremental state hash. */
    readonly valueHash: number;
    readonly basePow: number;
  }
  | {
    readonly f: "cas";
    readonly key: string;
    readonly from: string | null;
    readonly to: string;
    readonly toHash: number;
    readonly toPow: number;
  };

/** The output of a kv operation: the value got, or whether a cas swapped; null otherwise. */
export type KvOutput = string | null | boolean;

/** The value of one key, with its polynomial hash maintained incrementally. */
export interface KvValue {
  /** The value, `null` when absent and the model's initial value is `null`. */
  readonly value: string | null;
  readonly hash: number;
}

/** The state of the unsplit kv model: every key's value. */
export interface KvState {
  readonly values: ReadonlyMap<string, KvValue>;
  readonly hash: number;
}

/** Options of {@link kvModel}. */
export interface KvModelOptions {
  /**
   * The value of a key never written. Default `""`: Porcupine's kv model, where `get` of a missing
   * key returns the empty string and `append` concatenates onto it. With `null`, a missing key
   * reads as nil and `append` to it stores the appended string.
   */
  readonly initial?: string | null;
}

const BASE = 0x01000193;

function polyHash(s: string): { hash: number; pow: number } {
  let h = 0;
  let p = 1;
  for (let i = 0; i < s.length; i++) {
    h = (Math.imul(h, BASE) + s.charCodeAt(i)) | 0;
    p = Math.imul(p, BASE);
  }
  return { hash: h, pow: p };
}

const ABSENT_HASH = 0x6a09e667 | 0;

function kvValue(value: string | null): KvValue {
  return { value, hash: value === null ? ABSENT_HASH : polyHash(value).hash };
}

function kvString(v: unknown, op: Operation, what: string): string {
  if (typeof v === "string") return v;
  if (typeof v === "number") return String(v);
  throw new ModelError(`${where(op)}: ${what} must be a string, got ${showValue(v)}`, op);
}

function kvInput(op: Operation): KvInput {
  if (op.key === undefined) throw new ModelError(`${where(op)}: kv operations need a key`, op);
  const key = op.key;
  switch (op.f) {
    case "get":
    case "read":
      return { f: "get", key };
    case "put":
    case "write":
    case "append": {
      // the usual values are read inline; kvString (and its message) only for the rest
      const v = op.input;
      const value = typeof v === "string"
        ? v
        : typeof v === "number"
        ? String(v)
        : kvString(v, op, `${op.f} value`);
      // polyHash, inline: one object per operation rather than two
      let hash = 0;
      let pow = 1;
      for (let i = 0; i < value.length; i++) {
        hash = (Math.imul(hash, BASE) + value.charCodeAt(i)) | 0;
        pow = Math.imul(pow, BASE);
      }
      return { f: op.f === "append" ? "append" : "put", key, value, valueHash: hash, basePow: pow };
    }
    case "cas": {
      const v = op.input;
      if (!Array.isArray(v) || v.length !== 2) {
        throw new ModelError(`${where(op)}: cas input must be [from to], got ${showValue(v)}`, op);
      }
      const from = v[0] === null || v[0] === undefined ? null : kvString(v[0], op, "cas from");
      const to = kvString(v[1], op, "cas to");
      const { hash, pow } = polyHash(to);
      return { f: "cas", key, from, to, toHash: hash, toPow: pow };
    }
    default:
      throw new ModelError(`${where(op)}: the kv model supports get, put, append, cas`, op);
  }
}

function kvOutput(op: Operation): KvOutput {
  switch (op.f) {
    case "get":
    case "read":
      return op.output === null || op.output === undefined
        ? null
        : kvString(op.output, op, "value got");
    case "cas":
      return casOutput(op);
    default:
      return null;
  }
}

/** One key's step; `undefined` when the observed output is impossible. */
function stepValue(
  cur: KvValue,
  input: KvInput,
  output: KvOutput | UnknownOutput,
): KvValue | undefined {
  switch (input.f) {
    case "get":
      return output === unknownOutput || output === cur.value ? cur : undefined;
    case "put":
      return { value: input.value, hash: input.valueHash };
    case "append": {
      // Porcupine's kv: append concatenates onto the current value (absent counts as "").
      if (cur.value === null) return { value: input.value, hash: input.valueHash };
      return {
        value: cur.value + input.value,
        hash: (Math.imul(cur.hash, input.basePow) + input.valueHash) | 0,
      };
    }
    case "cas": {
      const matches = cur.value === input.from;
      if (output !== unknownOutput && (output !== false) !== matches) return undefined;
      return matches ? { value: input.to, hash: input.toHash } : cur;
    }
  }
}

function describeKv(input: KvInput, output: KvOutput | UnknownOutput): string {
  const unknown = output === unknownOutput;
  const k = JSON.stringify(input.key);
  switch (input.f) {
    case "get":
      return `get(${k}) → ${unknown ? "?" : showValue(output)}`;
    case "put":
    case "append":
      return `${input.f}(${k}, ${JSON.stringify(input.value)})${unknown ? " → ?" : ""}`;
    case "cas":
      return `cas(${k}, ${showValue(input.from)}, ${JSON.stringify(input.to)}) → ${
        unknown ? "?" : output === false ? "fail" : "ok"
      }`;
  }
}

function describeKvValue(v: KvValue): string {
  return v.value === null ? "absent (nil)" : JSON.stringify(v.value);
}

/** {@link RegisterKeys.of} of a kv key: values are strings or null (absent), their own keys. */
function kvKey(input: KvInput, output: KvOutput | UnknownOutput): RegisterKey | undefined {
  if (input.f === "put") return input.value;
  if (input.f !== "get" || output === unknownOutput) return undefined;
  return typeof output === "boolean" ? undefined : output;
}

/** The kv specification projected onto one key: a register of strings (P-compositionality). */
function kvKeyModel(initial: string | null): Model<KvValue, KvInput, KvOutput> {
  const init = kvValue(initial);
  return {
    name: "kv-key",
    init: () => init,
    input: kvInput,
    output: kvOutput,
    step: stepValue,
    readOnly: (input) => input.f === "get",
    registerView: {
      initial: initial === null ? "nil" : "s:" + initial,
      access(input, output) {
        if (input.f === "put") return { write: true, value: "s:" + input.value };
        if (input.f === "get" && output !== unknownOutput) {
          return { write: false, value: output === null ? "nil" : "s:" + String(output) };
        }
        return undefined;
      },
      keys: { initial, of: kvKey },
    },
    hash: (s) => s.hash,
    equal: (a, b) => a.hash === b.hash && a.value === b.value,
    describe: describeKv,
    describeState: describeKvValue,
  };
}

function entryHash(key: string, v: KvValue): number {
  return Math.imul(hashString(key), 0x9e3779b1) ^ v.hash;
}

/**
 * A key-value map of strings with `get`, `put`, `append` and `cas [from to]` per key. Keys are
 * independent, so `partition` splits the history by key and checks each key as a string register
 * (Horn & Kroening 2015, P-compositionality); without partitioning the state is the whole map.
 */
export function kvModel(options: KvModelOptions = {}): Model<KvState, KvInput, KvOutput> {
  const initial = options.initial === undefined ? "" : options.initial;
  // shared when built with one of the two usual initial values (see PLAIN_REGISTER)
  if (initial === "") return KV_EMPTY_STRING ??= Object.freeze(makeKv(""));
  if (initial === null) return KV_NIL ??= Object.freeze(makeKv(null));
  return makeKv(initial);
}

let KV_EMPTY_STRING: Model<KvState, KvInput, KvOutput> | undefined;
let KV_NIL: Model<KvState, KvInput, KvOutput> | undefined;

function makeKv(initial: string | null): Model<KvState, KvInput, KvOutput> {
  const init = kvValue(initial);
  const keyModel = kvKeyModel(initial);
  const empty: KvState = { values: new Map(), hash: 0 };
  return {
    name: "kv",
    init: () => empty,
    input: kvInput,
    output: kvOutput,
    step(state, input, output) {
      const cur = state.values.get(input.key) ?? init;
      const next = stepValue(cur, input, output);
      if (next === undefined) return undefined;
      if (next === cur) return state;
      const values = new Map(state.values);
      values.set(input.key, next);
      const old = state.values.has(input.key) ? entryHash(input.key, cur) : 0;
      return { values, hash: state.hash ^ old ^ entryHash(input.key, next) };
    },
    readOnly: (input) => input.f === "get",
    hash: (s) => s.hash,
    equal(a, b) {
      if (a.hash !== b.hash || a.values.size !== b.values.size) return false;
      for (const [k, v] of a.values) {
        const w = b.values.get(k);
        if (w === undefined || w.value !== v.value) return false;
      }
      return true;
    },
    partition(ops) {
      const byKey = new Map<string, Operation[]>();
      for (let i = 0; i < ops.length; i++) {
        const op = ops[i];
        const key = op.key ?? "";
        let group = byKey.get(key);
        if (group === undefined) byKey.set(key, group = []);
        group.push(op);
      }
      const groups: OperationGroup[] = [];
      for (const [key, operations] of byKey) {
        groups.push({ label: `key ${JSON.stringify(key)}`, key, operations, model: keyModel });
      }
      return groups;
    },
    describe: describeKv,
    describeState(s) {
      if (s.values.size === 0) return "{}";
      const keys = [...s.values.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      return "{" + keys.map((k) => `${JSON.stringify(k)} ${describeKvValue(s.values.get(k)!)}`)
        .join(", ") +
        "}";
    },
  };
}
