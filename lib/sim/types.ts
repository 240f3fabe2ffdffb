/**
 * Core types shared by every layer: node ids, the context a protocol node talks to, protocol
 * events and trace records. Protocol code depends on these types only, never on the simulator.
 * @module
 */
import type { Rng } from "./rng.ts";
import type { DurableStorage } from "./storage.ts";

/** A node's identifier ("n0", "n1", "c0" for clients, ...). */
export type NodeId = string;

/** Something a protocol tells the outside world: checkers and charts read these. */
export interface ProtocolEvent {
  /** Event kind, e.g. "role", "commit", "apply", "decide", "suspect", "deliver". */
  readonly type: string;
  /** Kind-specific fields, e.g. `term` and `index` of a commit or `peer` of a suspect. */
  readonly [field: string]: unknown;
}

/** Options of a single send. */
export interface SendOptions {
  /** Size on the wire in bytes; matters only when the link has a bandwidth. Default: the network's `messageSizeBytes(msg)` or 64. */
  readonly sizeBytes?: number;
}

/**
 * The only door between a protocol node and the world. A node never reads a clock, draws a random
 * number or sleeps except through its context, so every run is a pure function of the seed.
 */
export interface NodeContext<M> {
  /** This node's id. */
  readonly self: NodeId;
  /** Every other server node of the cluster (clients excluded), in a stable order. */
  readonly peers: readonly NodeId[];
  /**
   * `peers.length`, read from the cluster's shared membership without building this node's own
   * `peers` array (large clusters; absent in contexts that do not share membership).
   */
  readonly peerCount?: number;
  /** `peers[i]`, read from the shared membership without copying it (see `peerCount`). */
  peerAt?(i: number): NodeId;
  /** This node's local clock in ms: true time × (1 + drift) + offset. */
  nowMs(): number;
  /** This node's own random stream (forked from the root seed by node id). */
  readonly rng: Rng;
  /** Send a message; the network decides its fate. */
  send(to: NodeId, msg: M, options?: SendOptions): void;
  /**
   * Arm a timer that fires after `afterMs` of this node's local clock; re-arming a name replaces
   * the old timer. Timers are monotonic: the delay is converted to true time with the drift in
   * force when the timer is armed; a later drift change or clock jump does not move it.
   */
  setTimer(name: string, afterMs: number): void;
  /** Cancel a timer; a cancelled timer never fires. */
  cancelTimer(name: string): void;
  /** Storage that survives crashes; everything else in the node is lost on crash. */
  readonly storage: DurableStorage;
  /** Publish a protocol event (commits, decisions, role changes). */
  emit(event: ProtocolEvent): void;
  /**
   * False while nobody records or reads protocol events (tracing off, events not collected, no
   * listener), so a hot path may skip building an event it would only emit. Absent: assume true.
   */
  readonly observed?: boolean;
  /** Sign data with this node's key (unforgeable in the simulator). */
  sign(data: unknown): Signature;
  /** Verify that `signature` is `signer`'s signature over `data`. */
  verify(signature: Signature, data: unknown): boolean;
}

/** A signature: only the simulator can mint one for a node, so a Byzantine node cannot forge another's. */
export interface Signature {
  /** The node whose key made the signature. */
  readonly signer: NodeId;
  /** Hash of the signed data (stable JSON, 16 hex digits); `verify` recomputes it. */
  readonly digest: string;
}

/** A protocol node: handlers the simulator calls. State lives in the object and is lost on crash. */
export interface ProtocolNode<M> {
  /** Called once when the node starts, and again after every restart (on a new object rebuilt from storage). */
  start?(): void;
  /** A message arrived. */
  onMessage(from: NodeId, msg: M): void;
  /** A timer armed with `setTimer(name, ...)` fired. */
  onTimer?(name: string): void;
  /** A plain snapshot of the node's state for notebooks and debugging. */
  inspect?(): unknown;
}

/** Builds a node from its context (at start and at every restart). */
export type NodeFactory<M> = (ctx: NodeContext<M>) => ProtocolNode<M>;

/** Why the network or the simulator dropped a message. */
export type DropReason = "loss" | "partition" | "crashed" | "adversary" | "unknown-node";

/** One record of the trace. `t` is true (simulated) time in ms. */
export type TraceRecord =
  | {
    readonly type: "send";
    readonly t: number;
    readonly id: number;
    readonly from: NodeId;
    readonly to: NodeId;
    readonly msg: unknown;
    readonly sizeBytes: number;
  }
  | {
    readonly type: "deliver";
    readonly t: number;
    readonly id: number;
    readonly from: NodeId;
    readonly to: NodeId;
    readonly msg: unknown;
    readonly sentAt: number;
  }
  | {
    readonly type: "drop";
    readonly t: number;
    readonly id: number;
    readonly from: NodeId;
    readonly to: NodeId;
    readonly msg: unknown;
    readonly reason: DropReason;
  }
  | {
    /** The network made an extra copy `id` of message `of` (the copy's deliver/drop uses `id`). */
    readonly type: "duplicate";
    readonly t: number;
    readonly id: number;
    readonly of: number;
    readonly from: NodeId;
    readonly to: NodeId;
  }
  | { readonly type: "timer"; readonly t: number; readonly node: NodeId; readonly name: string }
  | { readonly type: "crash"; readonly t: number; readonly node: NodeId }
  | { readonly type: "restart"; readonly t: number; readonly node: NodeId }
  | {
    readonly type: "pause";
    readonly t: number;
    readonly node: NodeId;
    readonly durationMs: number;
  }
  | { readonly type: "resume"; readonly t: number; readonly node: NodeId; readonly backlog: number }
  | {
    readonly type: "clock";
    readonly t: number;
    readonly node: NodeId;
    readonly offsetMs: number;
    readonly drift: number;
  }
  | { readonly type: "nemesis"; readonly t: number; readonly action: unknown }
  | {
    readonly type: "event";
    readonly t: number;
    readonly node: NodeId;
    readonly event: ProtocolEvent;
  };

/** The `type` field of a trace record. */
export type TraceRecordType = TraceRecord["type"];
