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
export function pairOperations(history: History): Operation[] {
  const open = new Map<number, number>();
  const ops: Operation[] = [];
  const opOfInvoke = new Map<number, number>();
  for (let i = 0; i < history.length; i++) {
    const e = history[i];
    if (e.type === "invoke") {
      if (open.has(e.process)) {
        throw new Error(
          `history[${i}]: process ${e.process} invokes while its operation at history[${
            open.get(e.process)
          }] is still open`,
        );
      }
      open.set(e.process, i);
      opOfInvoke.set(i, ops.length);
      ops.push({
        process: e.process,
        f: e.f,
        key: e.key,
        input: e.value,
        output: undefined,
        status: "info",
        invokeMs: e.timeMs,
        completeMs: Infinity,
        invokeIndex: i,
        completeIndex: -1,
      });
    } else {
      const inv = open.get(e.process);
      if (inv === undefined) {
        throw new Error(
          `history[${i}]: process ${e.process} completes (${e.type}) with no open invoke`,
        );
      }
      open.delete(e.process);
      const k = opOfInvoke.get(inv)!;
      const op = ops[k];
      if (e.type === "info") continue; // outcome unknown: stays open to the end
      ops[k] = {
        ...op,
        output: e.type === "ok" ? e.value : undefined,
        status: e.type,
        completeMs: e.timeMs,
        completeIndex: i,
      };
    }
  }
  return ops;
}
