/**
 * Messages of the Dynamo-style store. The replica path uses the names of Bailis et al.'s WARS
 * model ("Probabilistically Bounded Staleness for practical partial quorums", VLDB 2012): `put` (W), `put-ack` (A), `get`
 * (R) and `get-reply` (S), so an experiment can give each its own latency distribution.
 * @module
 */
import type { NodeId } from "../../sim/types.ts";
import type { DynamoContext, Version } from "./version.ts";

/** A client's get, to any node (forwarded to a coordinator when needed). */
export interface ClientGet {
  readonly type: "client-get";
  /** Request id, unique per client. */
  readonly id: number;
  /** The client to answer (set by the client; kept when forwarded). */
  readonly client: NodeId;
  readonly key: string;
  /** Per-request N and R (absent: the configuration's). */
  readonly n?: number;
  readonly r?: number;
  /** Times forwarded so far (a node forwards at most once). */
  readonly hops?: number;
}

/** A client's put. */
export interface ClientPut {
  readonly type: "client-put";
  readonly id: number;
  readonly client: NodeId;
  readonly key: string;
  readonly value: unknown;
  /** The context of the client's last get of this key ("vv": the siblings it supersedes). */
  readonly context?: DynamoContext;
  readonly n?: number;
  readonly w?: number;
  readonly hops?: number;
}

/** The coordinator's answer to a client. */
export interface ClientReply {
  readonly type: "client-reply";
  readonly id: number;
  /** "ok": quorum reached; "unavailable": it was not within the request timeout. */
  readonly status: "ok" | "unavailable";
  readonly op: "get" | "put";
  /** A get's values: one per sibling ("lww": at most one), sorted; empty when the key is absent. */
  readonly values?: readonly unknown[];
  /** A get's context, to pass back with the next put of the key. */
  readonly context?: DynamoContext;
  /** The node that coordinated. */
  readonly coordinator: NodeId;
  /** Replies (get) or acknowledgements (put) received in time. */
  readonly acks: number;
}

/** Coordinator → replica: store this version (W in the WARS model). */
export interface ReplicaPut {
  readonly type: "put";
  /** The coordinator's operation id. */
  readonly op: number;
  readonly key: string;
  readonly versions: readonly Version[];
  /** Sloppy quorum (§4.6): the preference-list node this stand-in holds the version for. */
  readonly hintFor?: NodeId;
}

/** Replica → coordinator: stored (A). */
export interface ReplicaPutAck {
  readonly type: "put-ack";
  readonly op: number;
}

/** Coordinator → replica: send your versions of `key` (R). */
export interface ReplicaGet {
  readonly type: "get";
  readonly op: number;
  readonly key: string;
}

/** Replica → coordinator: my versions (S). */
export interface ReplicaGetReply {
  readonly type: "get-reply";
  readonly op: number;
  readonly key: string;
  readonly versions: readonly Version[];
}

/** Read repair (§5): the coordinator's merged versions to a replica that answered stale. */
export interface ReadRepair {
  readonly type: "repair";
  readonly key: string;
  readonly versions: readonly Version[];
}

/** Hinted handoff (§4.6): a stand-in gives the intended node the versions it held for it. */
export interface Handoff {
  readonly type: "handoff";
  readonly entries: readonly { readonly key: string; readonly versions: readonly Version[] }[];
}

/** The intended node took the handed-off keys. */
export interface HandoffAck {
  readonly type: "handoff-ack";
  readonly entries: readonly { readonly key: string; readonly digest: string }[];
}

/** Failure detector probe and its answer. */
export interface Ping {
  readonly type: "ping";
}
/** Answer to a ping. */
export interface Pong {
  readonly type: "pong";
}

/**
 * Anti-entropy (§4.7), Merkle mode: hashes of some tree nodes at one level, for the keys both
 * nodes replicate. The receiver answers with the children of the nodes that differ, or, at the
 * leaves, with its versions of the differing leaves' keys.
 */
export interface AeHashes {
  readonly type: "ae-hashes";
  /** Exchange id (per initiator). */
  readonly round: number;
  /** Level in the tree (0 = root; `depth` = leaves). */
  readonly level: number;
  /** Tree node indices at that level with their hashes. */
  readonly hashes: readonly (readonly [number, string])[];
}

/** Anti-entropy: the versions of every key in some leaves (or, "full" mode, of every shared key). */
export interface AeData {
  readonly type: "ae-data";
  readonly round: number;
  /** The leaves covered (undefined: every shared key, "full" mode). */
  readonly leaves?: readonly number[];
  readonly entries: readonly { readonly key: string; readonly versions: readonly Version[] }[];
  /** Whether the receiver should answer with its own data for the same leaves. */
  readonly reply: boolean;
}

/** Every message of the store. */
export type DynamoMessage =
  | ClientGet
  | ClientPut
  | ClientReply
  | ReplicaPut
  | ReplicaPutAck
  | ReplicaGet
  | ReplicaGetReply
  | ReadRepair
  | Handoff
  | HandoffAck
  | Ping
  | Pong
  | AeHashes
  | AeData;

/** The `type` of a store message (what per-type latencies and counters are keyed by). */
export type DynamoMessageType = DynamoMessage["type"];

/** Every message type, in a stable order. */
export const DYNAMO_MESSAGE_TYPES: readonly DynamoMessageType[] = [
  "client-get",
  "client-put",
  "client-reply",
  "put",
  "put-ack",
  "get",
  "get-reply",
  "repair",
  "handoff",
  "handoff-ack",
  "ping",
  "pong",
  "ae-hashes",
  "ae-data",
];
