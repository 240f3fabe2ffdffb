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
    this.#applied++;
    if (this.sessions) {
      const s = this.#sessions.get(cmd.clientId);
      if (s && cmd.seq <= s.seq) {
        this.#duplicates++;
        // thesis §6.3: answer from the session; an older request's answer was already received
        return { result: cmd.seq === s.seq ? s.result : { ok: true }, duplicate: true };
      }
    }
    const result = this.execute(cmd.op);
    if (this.sessions) this.#sessions.set(cmd.clientId, { seq: cmd.seq, result });
    return { result, duplicate: false };
  }

  /** Execute one operation (no session bookkeeping). */
  execute(op: KvOp): KvResult {
    const cur = this.#data.get(op.key) ?? null;
    switch (op.f) {
      case "get":
        return { ok: true, value: cur };
      case "put":
        this.#data.set(op.key, op.value);
        return { ok: true };
      case "append":
        this.#data.set(op.key, (cur ?? "") + op.value);
        return { ok: true };
      case "cas":
        if (cur !== op.from) return { ok: false, error: "cas-mismatch", value: cur };
        this.#data.set(op.key, op.to);
        return { ok: true };
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

/** Turn a request's Jepsen-style (f, key, value) into an operation, or an error message. */
export function parseKvOp(f: string, key: string, value: unknown): KvOp | string {
  const str = (v: unknown) => typeof v === "string" ? v : typeof v === "number" ? String(v) : null;
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
