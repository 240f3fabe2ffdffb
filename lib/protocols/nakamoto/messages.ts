/**
 * Block relay messages (Bitcoin's P2P protocol, reduced to blocks): `inv` announces a block a
 * node has validated, `getdata` asks for it, `block` carries it (its size sets transfer time).
 * Messages are immutable and shared: one object per block and kind for the whole run.
 * @module
 */
import type { BlockId } from "../../chain/mod.ts";

/** "I have block `block`" (an inventory vector). */
export interface InvMessage {
  readonly type: "inv";
  readonly block: BlockId;
}

/** "Send me block `block`". */
export interface GetDataMessage {
  readonly type: "getdata";
  readonly block: BlockId;
}

/** The block itself (sent with the block's size in bytes). */
export interface BlockMessage {
  readonly type: "block";
  readonly block: BlockId;
}

/** Any Nakamoto relay message. */
export type NakamotoMessage = InvMessage | GetDataMessage | BlockMessage;

/** Wire size of an inv or getdata message: 24-byte header + count + one 36-byte inventory vector. */
export const INV_BYTES = 61;

/** One shared message object per block and kind (messages are never mutated). */
export class MessageCache {
  #inv: InvMessage[] = [];
  #getdata: GetDataMessage[] = [];
  #block: BlockMessage[] = [];
  /** The inv of block `b`. */
  inv(b: BlockId): InvMessage {
    return this.#inv[b] ??= { type: "inv", block: b };
  }
  /** The getdata of block `b`. */
  getdata(b: BlockId): GetDataMessage {
    return this.#getdata[b] ??= { type: "getdata", block: b };
  }
  /** The block message of block `b`. */
  block(b: BlockId): BlockMessage {
    return this.#block[b] ??= { type: "block", block: b };
  }
}
