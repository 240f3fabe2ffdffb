/** Messages of the CRDT replica nodes. @module */
import type { CausalMessage } from "../causal/messages.ts";

/** State-based anti-entropy: the sender's whole state (§2.2: "merge" on receipt). */
export interface StateGossip {
  /** Message kind. */
  readonly type: "state";
  /** The sender's state (validated on receipt: it may be of another CRDT type). */
  readonly state: unknown;
  /** True for the answer to a gossip (never answered itself, so exchanges end). */
  readonly reply: boolean;
}

/** Every message of a state-based replica. */
export type StateCrdtMessage = StateGossip;

/** What an op-based replica broadcasts: the effect, tagged with its CRDT type. */
export interface OpEffect<D> {
  /** The CRDT type of the sender (replicas of another type reject the effect). */
  readonly crdt: string;
  /** The downstream effect. */
  readonly d: D;
}

/** Every message of an op-based replica: causal broadcast of effects. */
export type OpCrdtMessage<D> = CausalMessage<OpEffect<D>>;
