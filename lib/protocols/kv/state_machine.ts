/**
 * A deterministic key-value state machine (get, put, append, cas on string values) with client
 * sessions (thesis §6.3): each client's latest sequence number and response are kept in the
 * replicated state, so a retried command that was already applied is answered, not re-executed.
 * @module
 */

/** A key-value operation. A get of a missing key returns null; append to a missing key stores the value. */
export type KvOp =
  | { readonly f: "get"; readonly key: string }
  | { readonly f: "put"; readonly key: string; readonly value: string }
  | { readonly f: "append"; readonly key: string; readonly value: string }
  | { readonly f: "cas"; readonly key: string; readonly from: string | null; readonly to: string };

/** A command in the log: the operation and the client request it came from. */
export interface KvCommand {
  /** The client session that sent the request (thesis §6.3). */
  readonly clientId: string;
  /** The request's number in its session; one at or below the session's latest is a retry. */
  readonly seq: number;
  /** The operation to execute. */
  readonly op: KvOp;
}

/** The result of an operation. A failed cas reports the value it found. */
export type KvResult =
  | { readonly ok: true; readonly value?: string | null }
  | { readonly ok: false; readonly error: "cas-mismatch"; readonly value: string | null };

/** The result of every successful write: one frozen object, shared. */
const OK: KvResult = Object.freeze({ ok: true });

/** A snapshot of the state machine: plain arrays, in insertion order. */
export interface KvSnapshot {
  /** Every (key, value) pair, in insertion order. */
  readonly data: readonly (readonly [string, string])[];
  /** Per client session: its latest applied seq and that command's result (thesis §6.3). */
  readonly sessions: readonly (readonly [string, { seq: number; result: KvResult }])[];
}

/** Options of {@link KvStateMachine}. */
export interface KvStateMachineOptions {
  /** Deduplicate retried commands by (clientId, seq) (default true); false gives at-least-once. */
  readonly sessions?: boolean;
}

/**
 * The key-value state machine.
 * @example
 * ```ts
 * const sm = new KvStateMachine();
 * sm.apply({ clientId: "p0", seq: 1, op: { f: "append", key: "x", value: "a" } });
 * sm.apply({ clientId: "p0", seq: 1, op: { f: "append", key: "x", value: "a" } }); // duplicate
 * sm.read("x"); // "a"
 * ```
 */
export class KvStateMachine {
  /** Whether sessions deduplicate retries. */
  readonly sessions: boolean;
  #data = new Map<string, string>();
  #sessions = new Map<string, { seq: number; result: KvResult }>();
  #applied = 0;
  #duplicates = 0;
  #lastDuplicate = false;

  /** An empty map. */
  constructor(options: KvStateMachineOptions = {}) {
    this.sessions = options.sessions ?? true;
  }

  /** Commands applied by this replica (duplicates included, since its last restore). */
  get applied(): number {
    return this.#applied;
  }
  /** Retried commands answered from a session instead of re-executed (since its last restore). */
  get duplicatesSuppressed(): number {
    return this.#duplicates;
  }

  /** Apply a committed command; `duplicate` tells whether a session suppressed it. */
  apply(cmd: KvCommand): { result: KvResult; duplicate: boolean } {
    const result = this.applyCommand(cmd);
    return { result, duplicate: this.#lastDuplicate };
  }

  /**
   * {@link apply} without the wrapper object (a server applies every command on every replica):
   * the result; {@link lastWasDuplicate} tells whether a session suppressed it.
   */
  applyCommand(cmd: KvCommand): KvResult {
    this.#applied++;
    let s: { seq: number; result: KvResult } | undefined;
    if (this.sessions) {
      s = this.#sessions.get(cmd.clientId);
      if (s && cmd.seq <= s.seq) {
        this.#duplicates++;
        this.#lastDuplicate = true;
        // thesis §6.3: answer from the session; an older request's answer was already received
        return cmd.seq === s.seq ? s.result : OK;
      }
    }
    this.#lastDuplicate = false;
    const result = this.execute(cmd.op);
    if (this.sessions) {
      // the session record is private (snapshots copy it), so it is updated in place
      if (s) {
        s.seq = cmd.seq;
        s.result = result;
      } else this.#sessions.set(cmd.clientId, { seq: cmd.seq, result });
    }
    return result;
  }

  /** Whether the last {@link applyCommand} (or {@link apply}) was a suppressed duplicate. */
  get lastWasDuplicate(): boolean {
    return this.#lastDuplicate;
  }

  /** Execute one operation (no session bookkeeping). */
  execute(op: KvOp): KvResult {
    switch (op.f) {
      case "get":
        return { ok: true, value: this.read(op.key) };
      case "put":
        this.#data.set(op.key, op.value);
        return OK;
      case "append":
        this.#data.set(op.key, (this.#data.get(op.key) ?? "") + op.value);
        return OK;
      case "cas": {
        const cur = this.read(op.key);
        if (cur !== op.from) return { ok: false, error: "cas-mismatch", value: cur };
        this.#data.set(op.key, op.to);
        return OK;
      }
    }
  }

  /** The value of `key`, or null. */
  read(key: string): string | null {
    return this.#data.get(key) ?? null;
  }

  /** Every (key, value) pair, in insertion order. */
  entries(): [string, string][] {
    return [...this.#data];
  }

  /** The whole state as a fresh plain value. */
  snapshot(): KvSnapshot {
    return {
      data: [...this.#data],
      sessions: [...this.#sessions].map(([k, s]) => [k, structuredClone(s)] as const),
    };
  }

  /** Replace the state with a snapshot's. */
  restore(snapshot: KvSnapshot): void {
    this.#data = new Map(snapshot.data.map(([k, v]) => [k, v]));
    this.#sessions = new Map(snapshot.sessions.map(([k, s]) => [k, structuredClone(s)]));
  }
}

function str(v: unknown): string | null {
  return typeof v === "string" ? v : typeof v === "number" ? String(v) : null;
}

/** Turn a request's Jepsen-style (f, key, value) into an operation, or an error message. */
export function parseKvOp(f: string, key: string, value: unknown): KvOp | string {
  switch (f) {
    case "get":
    case "read":
      return { f: "get", key };
    case "put":
    case "write":
    case "append": {
      const v = str(value);
      if (v === null) return `${f} needs a string value`;
      return { f: f === "append" ? "append" : "put", key, value: v };
    }
    case "cas": {
      if (!Array.isArray(value) || value.length !== 2) return "cas needs [from, to]";
      const from = value[0] === null || value[0] === undefined ? null : str(value[0]);
      const to = str(value[1]);
      if (to === null || (from === null && value[0] !== null && value[0] !== undefined)) {
        return "cas needs string values";
      }
      return { f: "cas", key, from, to };
    }
    default:
      return `unknown operation "${f}"`;
  }
}
