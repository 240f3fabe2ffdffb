/**
 * The sequential specification a linearizability checker compares a history against: a model
 * is a deterministic (or nondeterministic) state machine plus the hashing the search's state
 * cache needs. Private to lib/checkers; re-exported by linearizability.ts.
 * @module
 */
import type { Operation } from "../workload/history.ts";

/** Stands for the output of an operation whose outcome is unknown (`info` or never completed). */
export const unknownOutput: unique symbol = Symbol("unknownOutput");

/** The type of {@link unknownOutput}. */
export type UnknownOutput = typeof unknownOutput;

/** A bad operation for a model (unsupported `f`, malformed value): a caller error, not a verdict. */
export class ModelError extends Error {
  /** The offending operation, when known (its `invokeIndex` locates it in the history). */
  readonly operation?: Operation;
  /** Build the error; `message` says which operation and what was expected. */
  constructor(message: string, operation?: Operation) {
    super(message);
    this.name = "ModelError";
    this.operation = operation;
  }
}

/**
 * A group of operations checked on its own (P-compositionality, Horn & Kroening 2015): the
 * history is linearizable iff each group is linearizable against `model` (or the parent model).
 */
export interface OperationGroup {
  /** Human-readable name, e.g. `key "3"`. */
  readonly label: string;
  /** The key all operations share, for key-partitioned models. */
  readonly key?: string;
  /** The operations, as the same objects the checker passed to `partition`. */
  readonly operations: readonly Operation[];
  /**
   * The specification projected onto this group (e.g. the single-key register a kv map becomes
   * once split by key). Defaults to the model that produced the partition.
   */
  readonly model?: AnyModel;
}

/**
 * A sequential specification. `step` must be pure: it returns the state after applying `input`
 * with the observed `output`, or `undefined` when that output is impossible in `state`. An
 * `output` of {@link unknownOutput} accepts any result.
 *
 * The search caches (linearized set, state) pairs, so `hash` must give equal states equal
 * hashes and `equal` must be an equivalence (Lowe 2017: the cache is what makes the
 * just-in-time search practical).
 */
export interface Model<S, I, O> {
  /** Name shown in reports ("cas-register", "kv"). */
  readonly name: string;
  /** The initial state. */
  init(): S;
  /** Read the model's input from an operation; throws {@link ModelError} when unsupported. */
  input(op: Operation): I;
  /** Read the model's output from an `ok` operation; throws {@link ModelError} when malformed. */
  output(op: Operation): O;
  /** Deterministic step: the next state, or `undefined` when the output is impossible. */
  step(state: S, input: I, output: O | UnknownOutput): S | undefined;
  /** Nondeterministic step, used instead of `step` when present: every possible next state. */
  stepAll?(state: S, input: I, output: O | UnknownOutput): readonly S[];
  /** A 32-bit integer hash; equal states must hash equally. */
  hash(state: S): number;
  /** State equality (an equivalence compatible with `hash`). */
  equal(a: S, b: S): boolean;
  /**
   * True when the operation never changes the state (a read). With an unknown outcome such an
   * operation constrains nothing, so the checker drops it. Optional; default false.
   */
  readOnly?(input: I): boolean;
  /**
   * For read/write registers: how an operation reads or writes the register, with values as
   * canonical strings (equal values, equal strings), or `undefined` for anything else (a cas, an
   * append). When every operation of a partition is a read or a write and written values are
   * unique, the checker decides it without search (Gibbons & Korach 1997; see _lin_register.ts).
   */
  readonly registerView?: RegisterView<I, O>;
  /** Split a history into independently checkable groups (P-compositionality). */
  partition?(ops: readonly Operation[]): OperationGroup[];
  /** One-line description of an operation, e.g. `cas(1, 2) → ok`. */
  describe(input: I, output: O | UnknownOutput): string;
  /** One-line description of a state, e.g. `3` or `absent`. */
  describeState(state: S): string;
}

/** A read or a write of a register value (canonical string), as {@link Model.registerView} sees it. */
export interface RegisterAccess {
  /** True for a write, false for a read. */
  readonly write: boolean;
  /** The value written or read, as a canonical string. */
  readonly value: string;
}

/** The read/write view of a register model (see {@link Model.registerView}). */
export interface RegisterView<I, O> {
  /** The initial value, as a canonical string. */
  readonly initial: string;
  /** The access an operation makes, or `undefined` when it is not a plain read or write. */
  access(input: I, output: O | UnknownOutput): RegisterAccess | undefined;
  /**
   * Optional, allocation-free form of `access` for the checker's register search: values as
   * primitive keys, equal values iff equal keys as `Map` keys see them (SameValueZero).
   */
  readonly keys?: RegisterKeys<I, O>;
}

/** A primitive standing for a register value (see {@link RegisterView.keys}). */
export type RegisterKey = string | number | boolean | null;

/** Register values as primitive keys (see {@link RegisterView.keys}). */
export interface RegisterKeys<I, O> {
  /** The key of the initial value. */
  readonly initial: RegisterKey;
  /**
   * The key of the value a write writes or a read (with a known output) returns, or `undefined`
   * when the operation is neither or its value has no primitive key (e.g. a vector). Writes and
   * reads are told apart by {@link Model.readOnly}.
   */
  of(input: I, output: O | UnknownOutput): RegisterKey | undefined;
}

/** A model of any state, input and output type (e.g. a list of models to choose from). */
// deno-lint-ignore no-explicit-any
export type AnyModel = Model<any, any, any>;
