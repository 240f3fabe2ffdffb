/**
 * PBFT messages (Castro and Liskov, "Practical Byzantine Fault Tolerance", OSDI 1999, §4), with the
 * paper's field names: v = view, n = sequence number, d = digest D(m), i = the replica that signed,
 * m = the request batch a pre-prepare carries, C = checkpoint proof, P = prepared certificates,
 * V = view-change messages, O = pre-prepares of a new view. Every protocol message carries its
 * signer (`i`) and its signature over exactly the fields it stands for ({@link signedPart}).
 * @module
 */
import type { NodeId, Signature } from "../../sim/types.ts";

/** A command the log orders: it names its client session and request number (§4.1: c and t). */
export interface PbftCommandBase {
  /** The client session (the paper's c). */
  readonly clientId: string;
  /** The request's timestamp in its session (the paper's t). */
  readonly seq: number;
}

/**
 * The request batch m of a pre-prepare (§5.1 batching; one request when batchSize = 1, none for
 * the null request of §4.4). `nonce` is never set by honest code: a Byzantine primary uses it to
 * make a conflicting batch with the same requests but a different digest.
 */
export interface Batch<C> {
  /** The client requests, executed in this order. */
  readonly requests: readonly C[];
  /** Only set by an equivocating primary (changes the digest, not the requests). */
  readonly nonce?: string;
}

/** <PRE-PREPARE, v, n, d>σp with the batch m piggybacked (§4.2; m is not under the signature). */
export interface PrePrepare<C> {
  /** Message kind. */
  readonly type: "PRE-PREPARE";
  /** View. */
  readonly v: number;
  /** Sequence number. */
  readonly n: number;
  /** D(m). */
  readonly d: string;
  /** The primary that signed it. */
  readonly i: NodeId;
  /** The batch. */
  readonly m: Batch<C>;
  /** σp over {type, v, n, d}. */
  readonly signature: Signature;
}

/** <PREPARE, v, n, d, i>σi (§4.2). */
export interface Prepare {
  /** Message kind. */
  readonly type: "PREPARE";
  /** View. */
  readonly v: number;
  /** Sequence number. */
  readonly n: number;
  /** Digest. */
  readonly d: string;
  /** Signer. */
  readonly i: NodeId;
  /** σi. */
  readonly signature: Signature;
}

/** <COMMIT, v, n, D(m), i>σi (§4.2). */
export interface Commit {
  /** Message kind. */
  readonly type: "COMMIT";
  /** View. */
  readonly v: number;
  /** Sequence number. */
  readonly n: number;
  /** Digest. */
  readonly d: string;
  /** Signer. */
  readonly i: NodeId;
  /** σi. */
  readonly signature: Signature;
}

/** <CHECKPOINT, n, d, i>σi (§4.3): d is the digest of the state after executing n. */
export interface Checkpoint {
  /** Message kind. */
  readonly type: "CHECKPOINT";
  /** Sequence number of the last request reflected in the state. */
  readonly n: number;
  /** State digest. */
  readonly d: string;
  /** Signer. */
  readonly i: NodeId;
  /** σi. */
  readonly signature: Signature;
}

/** A prepared certificate Pm (§4.4): a pre-prepare and 2f matching prepares from other backups. */
export interface PreparedCertificate<C> {
  /** The pre-prepare, with its batch. */
  readonly prePrepare: PrePrepare<C>;
  /** 2f prepares matching it, from different backups. */
  readonly prepares: readonly Prepare[];
}

/** <VIEW-CHANGE, v+1, n, C, P, i>σi (§4.4). */
export interface ViewChange<C> {
  /** Message kind. */
  readonly type: "VIEW-CHANGE";
  /** The new view (v + 1). */
  readonly v: number;
  /** Sequence number of the last stable checkpoint s known to i. */
  readonly n: number;
  /** 2f + 1 checkpoint messages proving s (empty for the initial checkpoint 0). */
  readonly C: readonly Checkpoint[];
  /** A prepared certificate for each request prepared at i with sequence number > n. */
  readonly P: readonly PreparedCertificate<C>[];
  /** Signer. */
  readonly i: NodeId;
  /** σi over every other field. */
  readonly signature: Signature;
}

/** <NEW-VIEW, v+1, V, O>σp (§4.4). */
export interface NewView<C> {
  /** Message kind. */
  readonly type: "NEW-VIEW";
  /** The new view. */
  readonly v: number;
  /** The 2f + 1 valid view-change messages the new primary received (its own included). */
  readonly V: readonly ViewChange<C>[];
  /** The pre-prepares of the new view for min-s < n ≤ max-s. */
  readonly O: readonly PrePrepare<C>[];
  /** The new primary. */
  readonly i: NodeId;
  /** σp over {type, v, V, O}. */
  readonly signature: Signature;
}

/** A backup relays a client request to the primary (§4.1: "forwards the request to the primary"). */
export interface Forward<C> {
  /** Message kind. */
  readonly type: "FORWARD";
  /** The request. */
  readonly request: C;
}

/**
 * State transfer (§4.3 and Castro's thesis §5.3.2, simplified): a replica that learns of a stable
 * checkpoint beyond what it executed asks for the state at n.
 */
export interface FetchState {
  /** Message kind. */
  readonly type: "FETCH-STATE";
  /** The stable checkpoint wanted. */
  readonly n: number;
}

/** The checkpoint state a replica keeps: what its digest d covers. */
export interface CheckpointRecord {
  /** Sequence number. */
  readonly n: number;
  /** Commands executed so far (flat log position of the last one). */
  readonly flat: number;
  /** Hash chain of the executed batch digests (stands in for the state when there is no snapshot). */
  readonly chain: string;
  /** Highest executed request number per client session. */
  readonly lastSeq: readonly (readonly [string, number])[];
  /** The state machine's snapshot (null when it has none). */
  readonly snapshot: unknown;
}

/** Answer to {@link FetchState}: the record whose digest the 2f + 1 checkpoint proof names. */
export interface StateTransfer {
  /** Message kind. */
  readonly type: "STATE";
  /** Sequence number. */
  readonly n: number;
  /** The state. */
  readonly record: CheckpointRecord;
}

/** Ask the primary of view v to re-send its NEW-VIEW (retransmission, §4.4; a departure: see node). */
export interface NewViewRequest {
  /** Message kind. */
  readonly type: "NEW-VIEW-REQUEST";
  /** The view whose NEW-VIEW is wanted. */
  readonly v: number;
}

/**
 * Ask every replica to re-send what it has for sequence number n (its pre-prepare, prepare and
 * commit, or the stable checkpoint proof when n is already garbage-collected): the paper's
 * retransmission (§4: messages are retransmitted until received), made explicit.
 */
export interface Retransmit {
  /** Message kind. */
  readonly type: "RETRANSMIT";
  /** The sequence number the sender is stuck at. */
  readonly n: number;
}

/** <REQUEST, o, t, c> from a {@link PbftClient} (§4.1); `replyTo` is where replies go. */
export interface PbftRequest {
  /** Message kind. */
  readonly type: "REQUEST";
  /** The client (paper's c). */
  readonly clientId: string;
  /** The timestamp t. */
  readonly seq: number;
  /** The operation o. */
  readonly o: unknown;
  /** The client node to reply to. */
  readonly replyTo: NodeId;
}

/** <REPLY, v, t, c, i, r> (§4.1). */
export interface PbftReply {
  /** Message kind. */
  readonly type: "REPLY";
  /** The replica's view. */
  readonly v: number;
  /** The request's timestamp. */
  readonly t: number;
  /** The client. */
  readonly c: string;
  /** The replica. */
  readonly i: NodeId;
  /** The result. */
  readonly r: unknown;
}

/** Every replica-to-replica message of the log protocol. */
export type PbftMessage<C> =
  | PrePrepare<C>
  | Prepare
  | Commit
  | Checkpoint
  | ViewChange<C>
  | NewView<C>
  | Forward<C>
  | FetchState
  | StateTransfer
  | NewViewRequest
  | Retransmit;

/** The exact data a message's signature covers (§4: the paper's ⟨...⟩σ without σ and m). */
export function signedPart(msg: { readonly type: string }): unknown {
  const { signature: _s, m: _m, ...rest } = msg as Record<string, unknown>;
  return rest;
}

/** Whether `msg` is one of the log protocol's messages. */
export function isPbftMessage(msg: unknown): msg is PbftMessage<unknown> {
  const t = (msg as { type?: unknown } | null)?.type;
  return t === "PRE-PREPARE" || t === "PREPARE" || t === "COMMIT" || t === "CHECKPOINT" ||
    t === "VIEW-CHANGE" || t === "NEW-VIEW" || t === "FORWARD" || t === "FETCH-STATE" ||
    t === "STATE" || t === "NEW-VIEW-REQUEST" || t === "RETRANSMIT";
}
