/**
 * GRANDPA's messages (Stewart and Kokoris-Kogia, "GRANDPA: a Byzantine Finality Gadget", 2020,
 * §3.2): signed prevotes and precommits for a block in a round, the primary's broadcast of its
 * estimate E_{r−1}, and what the paper leaves to its gossip network (§2.3, "Network model"): block
 * announcements and requests, and a catch-up answer made of signed votes of a completed round.
 * Blocks live in the shared block tree (lib/chain); a block is named by its store id.
 * @module
 */
import type { NodeId, Signature } from "../../sim/types.ts";
import type { BlockId } from "../../chain/store.ts";

/** The two vote kinds of a round (§3.2, steps 3 and 4). */
export type VoteType = "Prevote" | "Precommit";

/** A vote: "a block hash, together with ... round number and the type of vote ... signed" (§2.3). */
export interface Vote {
  /** Prevote or precommit. */
  readonly type: VoteType;
  /** r. */
  readonly round: number;
  /** The block voted for (a vote for B counts for every ancestor of B). */
  readonly block: BlockId;
  /** The voter who signed it. */
  readonly voter: NodeId;
  /** Signature over {@link voteSigned}. */
  readonly signature: Signature;
}

/** The primary's broadcast of E_{r−1,v} at the start of round r (§3.2, step 2). */
export interface PrimaryPropose {
  /** Message kind. */
  readonly type: "Primary";
  /** r. */
  readonly round: number;
  /** E_{r−1,v}. */
  readonly block: BlockId;
  /** The primary of round r (signer). */
  readonly primary: NodeId;
  /** Signature over {@link primarySigned}. */
  readonly signature: Signature;
}

/**
 * Blocks for the receiver's view, parents first: a producer's announcement of a block it just
 * built (`fresh`), or an answer to a {@link BlockRequest}.
 */
export interface Blocks {
  /** Message kind. */
  readonly type: "Blocks";
  /** Block ids, each after its parent. */
  readonly ids: readonly BlockId[];
  /** True for a producer's announcement of its new block (the block-production protocol). */
  readonly fresh?: boolean;
}

/** Ask a peer for a block the sender's view lacks (and some of its ancestors). */
export interface BlockRequest {
  /** Message kind. */
  readonly type: "BlockRequest";
  /** The wanted block. */
  readonly id: BlockId;
}

/**
 * Ask a peer that is ahead (it voted in a round above ours + 1) for the votes of its last
 * completed round (not in §3.2: the paper's discussion of imperfect gossip, "voters asking other
 * voters for votes from previous rounds").
 */
export interface CatchUpRequest {
  /** Message kind. */
  readonly type: "CatchUpRequest";
  /** The requester's current round. */
  readonly round: number;
}

/** The signed prevotes and precommits of a round the sender saw as completable. */
export interface CatchUp {
  /** Message kind. */
  readonly type: "CatchUp";
  /** The completed round. */
  readonly round: number;
  /** Its prevotes (signed by their voters). */
  readonly prevotes: readonly Vote[];
  /** Its precommits. */
  readonly precommits: readonly Vote[];
}

/**
 * The gossip re-broadcast: every signed vote the sender holds of its current and previous round,
 * its own and relayed ones (§2.3: "any message sent or received by an honest participant reaches
 * all honest participants"), in one message per peer.
 */
export interface Votes {
  /** Message kind. */
  readonly type: "Votes";
  /** Signed votes (each checked against its own voter's signature). */
  readonly votes: readonly Vote[];
}

/** Every message between GRANDPA nodes. */
export type GrandpaMessage =
  | Vote
  | Votes
  | PrimaryPropose
  | Blocks
  | BlockRequest
  | CatchUpRequest
  | CatchUp;

/** Exactly what a vote's signature covers: kind, round, block and voter. */
export function voteSigned(
  m: { type: VoteType; round: number; block: BlockId; voter: NodeId },
): unknown {
  return { type: m.type, round: m.round, block: m.block, voter: m.voter };
}

/** Exactly what the primary's signature covers. */
export function primarySigned(m: { round: number; block: BlockId; primary: NodeId }): unknown {
  return { type: "Primary", round: m.round, block: m.block, primary: m.primary };
}
