/**
 * Jepsen-style operation histories: every client operation appears as an `invoke` followed by at
 * most one completion (`ok`, `fail` or `info`). `info` (and a missing completion) means the outcome
 * is unknown: the operation may or may not have taken effect.
 * @module
 */

/** The kind of a history event. */
export type HistoryEventType = "invoke" | "ok" | "fail" | "info";

/**
 * One history event. `f` is the operation ("read", "write", "cas", "get", "put", "append", ...).
 * For an `invoke`, `value` is the argument (write: the value, cas: `[from, to]`, read: null);
 * for an `ok`, it is the result (read: the value read). `key` is set for key-value operations.
 */
export interface HistoryEvent {
  /** `invoke` starts an operation; `ok`, `fail` or `info` completes it. */
  readonly type: HistoryEventType;
  /** The logical client process (one outstanding operation at a time). */
  readonly process: number;
  /** The operation name ("read", "write", "cas", "get", "put", "append", ...). */
  readonly f: string;
  /** The key, for key-value operations. */
  readonly key?: string;
  /** Invoke: the argument; completion: the result (e.g. the value read). */
  readonly value: unknown;
  /** True time of the event in ms (parsed histories without times use the line index). */
  readonly timeMs: number;
  /** The server the client talks to, when known (for availability per partition side). */
  readonly node?: string;
  /** Failure or info reason (e.g. "timeout", "not-leader"). */
  readonly error?: string;
}

/** A history: events in the order they happened. */
export type History = readonly HistoryEvent[];

/** An operation: an invocation paired with its completion (if any). */
export interface Operation {
  /** The logical client process that invoked it. */
  readonly process: number;
  /** The operation name, as in the history. */
  readonly f: string;
  /** The key, for key-value operations. */
  readonly key?: string;
  /** Argument given at invoke. */
  readonly input: unknown;
  /** Result from the `ok` completion; undefined when not ok. */
  readonly output: unknown;
  /** ok: took effect; fail: did not; info: unknown (never completed, timed out, crashed client). */
  readonly status: "ok" | "fail" | "info";
  /** Invocation time in ms (the invoke event's `timeMs`). */
  readonly invokeMs: number;
  /** Completion time; `Infinity` when the outcome is unknown. */
  readonly completeMs: number;
  /** Index of the invoke event in the history. */
  readonly invokeIndex: number;
  /** Index of the completion event, or -1. */
  readonly completeIndex: number;
}

/**
 * Pair invocations with completions. An invoke without a completion, or completed by `info`,
 * becomes an operation with status "info" and `completeMs = Infinity`.
 * Throws when a process completes an operation it never invoked.
 */
/** A process id that indexes an array (module level: a closure per call deoptimises the caller). */
const smallId = (p: number) => p >= 0 && p < 65536 && (p | 0) === p;

export function pairOperations(history: History): Operation[] {
  // First pass: match each invoke with its completion (event indices only, no objects), so the
  // second pass builds every operation once.
  const n = history.length;
  const completion = new Int32Array(n).fill(-1);
  // Open invocations by process: an array for the usual small non-negative integer ids, a map
  // for any other.
  const openAt: number[] = [];
  const openMap = new Map<number, number>();
  let count = 0;
  for (let i = 0; i < n; i++) {
    const e = history[i];
    const p = e.process;
    const inArray = smallId(p);
    const at = inArray ? openAt[p] : openMap.get(p);
    if (e.type === "invoke") {
      if (at !== undefined && at >= 0) {
        throw new Error(
          `history[${i}]: process ${p} invokes while its operation at history[${at}] is still open`,
        );
      }
      if (inArray) openAt[p] = i;
      else openMap.set(p, i);
      count++;
    } else {
      if (at === undefined || at < 0) {
        throw new Error(`history[${i}]: process ${p} completes (${e.type}) with no open invoke`);
      }
      if (inArray) openAt[p] = -1;
      else openMap.delete(p);
      if (e.type !== "info") completion[at] = i; // info: outcome unknown, stays open to the end
    }
  }
  const ops: Operation[] = new Array(count);
  for (let i = 0, k = 0; i < n; i++) {
    const e = history[i];
    if (e.type !== "invoke") continue;
    const c = completion[i];
    const done = c >= 0 ? history[c] : undefined;
    ops[k++] = {
      process: e.process,
      f: e.f,
      key: e.key,
      input: e.value,
      output: done !== undefined && done.type === "ok" ? done.value : undefined,
      status: done === undefined ? "info" : done.type === "ok" ? "ok" : "fail",
      invokeMs: e.timeMs,
      completeMs: done === undefined ? Infinity : done.timeMs,
      invokeIndex: i,
      completeIndex: c,
    };
  }
  return ops;
}
