/** Messages of causal broadcast. @module */
import type { NodeId } from "../../sim/types.ts";
import type { VectorTimestamp } from "../../clocks/vector.ts";

/** A broadcast message stamped with its origin's vector (Birman, Schiper, Stephenson 1991). */
export interface CausalData<P> {
  /** Message kind. */
  readonly type: "data";
  /** The node that broadcast it. */
  readonly origin: NodeId;
  /** VT(m): the origin's vector at broadcast; `V[origin]` is the message's sequence number. */
  readonly V: VectorTimestamp;
  /** Application data. */
  readonly payload: P;
}

/** Anti-entropy: "I have delivered this much from each origin; send me what I lack". */
export interface CausalSync {
  /** Message kind. */
  readonly type: "sync";
  /** The sender's delivered vector. */
  readonly V: VectorTimestamp;
}

/** Every causal broadcast message. */
export type CausalMessage<P> = CausalData<P> | CausalSync;

/** A message's id: `origin:seq`. */
export function messageId(m: { readonly origin: NodeId; readonly V: VectorTimestamp }): string {
  return `${m.origin}:${m.V[m.origin] ?? 0}`;
}
