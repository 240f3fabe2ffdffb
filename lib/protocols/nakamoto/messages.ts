/**
 * Block relay messages (Bitcoin's P2P protocol, reduced to blocks): `inv` announces a block a
 * node has validated, `getdata` asks for it, `block` carries it (its size sets transfer time).
 * Compact relay (BIP 152, with BIP 130 header announcements) adds `headers` (an announcement
 * carrying the block header) and `cmpctblock` (the header plus 6-byte short transaction ids: the
 * receiver rebuilds the block from its mempool). Messages are immutable and shared: one object per
 * block and kind for the whole run.
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

/** "Here is the header of block `block`" (BIP 130 `sendheaders` announcement). */
export interface HeadersMessage {
  readonly type: "headers";
  readonly block: BlockId;
}

/** Block `block` as a BIP 152 compact block (header, nonce, short ids, prefilled coinbase). */
export interface CmpctBlockMessage {
  readonly type: "cmpctblock";
  readonly block: BlockId;
}

/** Any Nakamoto relay message. */
export type NakamotoMessage =
  | InvMessage
  | GetDataMessage
  | BlockMessage
  | HeadersMessage
  | CmpctBlockMessage;

/** Wire size of an inv or getdata message: 24-byte header + count + one 36-byte inventory vector. */
export const INV_BYTES = 61;

/** Wire size of a one-header `headers` message: 24-byte header + count + 80-byte header + 0 txs. */
export const HEADERS_BYTES = 106;

/**
 * Wire size of a BIP 152 `cmpctblock` for a block of `txs` transactions whose header and coinbase
 * take `headerBytes`: 24-byte message header, the header and prefilled coinbase, an 8-byte nonce,
 * two count fields (3 bytes each at most) and a 6-byte short id per other transaction (BIP 152:
 * "short transaction IDs ... 6 bytes").
 */
export function compactBlockBytes(headerBytes: number, txs: number): number {
  return 24 + headerBytes + 8 + 6 + 6 * txs;
}

/** One shared message object per block and kind (messages are never mutated). */
export class MessageCache {
  #inv: InvMessage[] = [];
  #getdata: GetDataMessage[] = [];
  #block: BlockMessage[] = [];
  #headers: HeadersMessage[] = [];
  #cmpct: CmpctBlockMessage[] = [];
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
  /** The headers announcement of block `b`. */
  headers(b: BlockId): HeadersMessage {
    return this.#headers[b] ??= { type: "headers", block: b };
  }
  /** The compact block of block `b`. */
  cmpctblock(b: BlockId): CmpctBlockMessage {
    return this.#cmpct[b] ??= { type: "cmpctblock", block: b };
  }
}
