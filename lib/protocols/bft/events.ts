/**
 * The protocol events every BFT replica emits, so one checker ({@link BftInvariants}) serves PBFT,
 * Tendermint and the protocols that come later.
 * @module
 */

/**
 * An honest replica decided (committed and will execute) `digest` at `slot` (PBFT's sequence
 * number, Tendermint's height). `requests` are the ids (`clientId:seq`) of the client requests the
 * value holds, in order; an empty list for a null request or an empty block.
 */
export type BftDecideEvent = {
  /** Event kind. */
  readonly type: "bft-decide";
  /** Sequence number or height. */
  readonly slot: number;
  /** Digest of the decided value (equal values have equal digests). */
  readonly digest: string;
  /** Ids of the client requests in the value (`clientId:seq`). */
  readonly requests: readonly string[];
  /** View or round in which it was decided. */
  readonly view: number;
};

/** The id a client request is known by: `clientId:seq`. */
export function requestId(clientId: string, seq: number): string {
  return `${clientId}:${seq}`;
}

/** Build a decide event. */
export function decideEvent(
  slot: number,
  digest: string,
  requests: readonly string[],
  view: number,
): BftDecideEvent {
  return { type: "bft-decide", slot, digest, requests, view };
}
