/**
 * Tendermint's messages (Buchman, Kwon, Milosevic, "The latest gossip on BFT consensus", 2018,
 * Algorithm 1): ⟨PROPOSAL, h, round, v, validRound⟩, ⟨PREVOTE, h, round, id(v)⟩ and
 * ⟨PRECOMMIT, h, round, id(v)⟩, plus what the paper leaves to its gossip layer: transactions,
 * commit certificates for replicas that fell behind (block sync) and a request for them.
 * Field names follow the paper; `id(v)` is {@link blockId}, a digest of the block.
 * @module
 */
import type { NodeId, Signature } from "../../sim/types.ts";
import { digestOf } from "../../sim/trace.ts";
import { isImmutable } from "../../sim/storage.ts";

/** A client transaction: anything with the request id `clientId:seq` (a KV command). */
export interface Tx {
  /** The client session. */
  readonly clientId: string;
  /** The request number in its session. */
  readonly seq: number;
}

/** A block: the value v that consensus at height h decides (chained by the parent digest). */
export interface Block<C extends Tx = Tx> {
  /** The height it is proposed at. */
  readonly height: number;
  /** The round in which it was first proposed. */
  readonly round: number;
  /** The validator that built it. */
  readonly proposer: NodeId;
  /** Client transactions, applied in this order. */
  readonly txs: readonly C[];
  /** id() of the block decided at height − 1 ("genesis" at height 1). */
  readonly parent: string;
  /** Set only by a Byzantine proposer to make a conflicting twin with another digest. */
  readonly nonce?: string;
}

// id(v) of deeply frozen blocks (an honest proposer's, shared by every replica that receives it):
// such a block can never change, so its digest is computed once. Any other block (a Byzantine
// twin, one read back from storage) is digested on every call, as before.
const frozenIds = new WeakMap<object, string>();

/** id(v) of Algorithm 1: the digest of a block. */
export function blockId(block: Block): string {
  if (block === null || typeof block !== "object" || !isImmutable(block)) return digestOf(block);
  let id = frozenIds.get(block);
  if (id === undefined) {
    id = digestOf(block);
    frozenIds.set(block, id);
  }
  return id;
}

/** ⟨PROPOSAL, h_p, round_p, v, validRound_p⟩ (Algorithm 1, line 19), signed by `proposer`. */
export interface Proposal<C extends Tx = Tx> {
  /** Message kind. */
  readonly type: "Proposal";
  /** h. */
  readonly height: number;
  /** round. */
  readonly round: number;
  /** v. */
  readonly block: Block<C>;
  /** vr: the round of the POL the proposer had for v, or −1. */
  readonly validRound: number;
  /** The signer (must be proposer(h, round)). */
  readonly proposer: NodeId;
  /** Signature over {@link proposalSigned}. */
  readonly signature: Signature;
}

/** The two vote kinds. */
export type VoteType = "Prevote" | "Precommit";

/** ⟨PREVOTE, h, round, id(v)⟩ or ⟨PRECOMMIT, h, round, id(v)⟩; `id` null is nil. */
export interface Vote {
  /** Message kind. */
  readonly type: VoteType;
  /** h. */
  readonly height: number;
  /** round. */
  readonly round: number;
  /** id(v), or null for nil. */
  readonly id: string | null;
  /** The signer. */
  readonly validator: NodeId;
  /** Signature over {@link voteSigned}. */
  readonly signature: Signature;
}

/** A transaction gossiped to the other replicas' mempools. */
export interface TxGossip<C extends Tx = Tx> {
  /** Message kind. */
  readonly type: "Tx";
  /** The transaction. */
  readonly tx: C;
  /**
   * A client retried a transaction that is already decided (its reply was lost): include it
   * again (the state machine's session answers it without executing it twice).
   */
  readonly retry?: boolean;
}

/**
 * A commit certificate: the decided block of a height with 2f + 1 precommits for it (block sync;
 * not in Algorithm 1, which assumes gossip delivers every message to every correct process).
 */
export interface Commit<C extends Tx = Tx> {
  /** Message kind. */
  readonly type: "Commit";
  /** h. */
  readonly height: number;
  /** The round whose precommits decided it. */
  readonly round: number;
  /** The decided block. */
  readonly block: Block<C>;
  /** 2f + 1 signed precommits for id(block) in `round`. */
  readonly precommits: readonly Vote[];
}

/** Ask a peer for the commit certificates from `height` on (block sync). */
export interface SyncRequest {
  /** Message kind. */
  readonly type: "SyncRequest";
  /** The first height the sender lacks. */
  readonly height: number;
}

/** Every message between Tendermint replicas. */
export type TendermintMessage<C extends Tx = Tx> =
  | Proposal<C>
  | Vote
  | TxGossip<C>
  | Commit<C>
  | SyncRequest;

/** Exactly what a proposal's signature covers: h, round, id(v), validRound and the signer. */
export function proposalSigned(
  m: { height: number; round: number; validRound: number; proposer: NodeId },
  id: string,
): unknown {
  return {
    type: "Proposal",
    height: m.height,
    round: m.round,
    id,
    validRound: m.validRound,
    proposer: m.proposer,
  };
}

/** Exactly what a vote's signature covers. */
export function voteSigned(
  m: { type: VoteType; height: number; round: number; id: string | null; validator: NodeId },
): unknown {
  return { type: m.type, height: m.height, round: m.round, id: m.id, validator: m.validator };
}

/** The request id of a transaction (`clientId:seq`). */
export function txKey(tx: Tx): string {
  return `${tx.clientId}:${tx.seq}`;
}
