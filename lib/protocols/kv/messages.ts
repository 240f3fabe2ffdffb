/** Messages between key-value clients and servers. @module */
import type { NodeId } from "../../sim/types.ts";

/**
 * A client request. `(clientId, seq)` identifies it across retries: a server with sessions applies
 * it at most once (thesis §6.3). `value` follows Jepsen: put/append take a string, cas takes
 * `[from, to]`, get takes null.
 */
export interface KvRequest {
  /** Message kind. */
  readonly type: "KvRequest";
  /** The client session (one request at a time per session). */
  readonly clientId: string;
  /** The request's number in its session; retries reuse it. */
  readonly seq: number;
  /** Operation: "get" | "put" | "append" | "cas". */
  readonly f: string;
  /** The key. */
  readonly key: string;
  /** The argument (Jepsen conventions). */
  readonly value: unknown;
}

/**
 * A server's answer. `ok` with the value read (get) or nothing; otherwise an error:
 * "not-leader" (retry, at `leaderHint` when given), "lost-leadership" (the entry was replaced;
 * retry), "cas-mismatch" (the compare failed: definite), "bad-request" (definite).
 */
export interface KvResponse {
  /** Message kind. */
  readonly type: "KvResponse";
  /** The request's session. */
  readonly clientId: string;
  /** The request's number. */
  readonly seq: number;
  /** Whether the operation took effect (for a get: was read). */
  readonly ok: boolean;
  /** The value read (get, null when missing), or the value a failed cas found. */
  readonly value?: unknown;
  /** Why not ok. */
  readonly error?: "not-leader" | "lost-leadership" | "cas-mismatch" | "bad-request";
  /** Where the leader probably is. */
  readonly leaderHint?: NodeId;
}

/** Client-facing messages. */
export type KvClientMessage = KvRequest | KvResponse;

/** Everything a key-value server node handles: client traffic plus its log protocol's messages. */
export type KvServerMessage<LM> = KvClientMessage | LM;

/** Whether a message is client-facing (the rest belongs to the log protocol). */
export function isKvClientMessage(msg: unknown): msg is KvClientMessage {
  const t = (msg as { type?: unknown } | null)?.type;
  return t === "KvRequest" || t === "KvResponse";
}
