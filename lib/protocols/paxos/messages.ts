/**
 * Paxos's ballots, log values and messages (Lamport, "Paxos Made Simple", 2001; van Renesse &
 * Altinbuken, "Paxos Made Moderately Complex", 2015). Names follow "Paxos Made Simple"
 * (prepare / promise / accept / accepted); PMMC calls the same messages p1a / p1b / p2a / p2b.
 * Multi-Paxos runs one instance of the single-decree protocol per log slot; a `Prepare` covers
 * every slot from `fromSlot` on, which is what lets a stable leader skip phase 1 for later slots.
 * @module
 */
import type { NodeId } from "../../sim/types.ts";

/**
 * A ballot ("proposal number" in Paxos Made Simple): a round and the proposer that owns it. Two
 * proposers never share a ballot because the proposer id breaks ties (PMMC §3: ballots are
 * lexicographically ordered pairs). Ballots are Raft's terms, with the leader's id attached.
 */
export interface Ballot {
  /** The round: Paxos Made Simple's proposal number, compared first. */
  readonly round: number;
  /** The proposer that owns the ballot; breaks ties between equal rounds. */
  readonly proposerId: NodeId;
}

/** The smallest ballot: below every ballot a proposer can own ("nothing promised yet"). */
export const BOTTOM: Ballot = { round: 0, proposerId: "" };

/** Order ballots: by round, then by proposer id. Negative when a < b. */
export function compareBallots(a: Ballot, b: Ballot): number {
  if (a.round !== b.round) return a.round - b.round;
  return a.proposerId < b.proposerId ? -1 : a.proposerId > b.proposerId ? 1 : 0;
}

/** Whether two ballots are the same. */
export function sameBallot(a: Ballot, b: Ballot): boolean {
  return a.round === b.round && a.proposerId === b.proposerId;
}

/** "3.n1": a ballot as a short string (round.proposer), for events, keys and charts. */
export function ballotKey(b: Ballot): string {
  return `${b.round}.${b.proposerId}`;
}

/**
 * What a slot can hold: a client command, or the no-op a new leader proposes to fill a slot for
 * which phase 1 found no accepted value (PMMC §3, "holes" in the log).
 */
export type LogValue =
  | { readonly kind: "noop" }
  | { readonly kind: "command"; readonly command: unknown };

/** A value accepted by an acceptor in a slot at a ballot (PMMC's "pvalue"). */
export interface PValue {
  /** Log slot (Multi-Paxos instance) the value was accepted in. */
  readonly slot: number;
  /** Ballot at which the acceptor accepted it. */
  readonly ballot: Ballot;
  /** The accepted value. */
  readonly value: LogValue;
}

/** A slot and the value chosen for it, as learners hear of it. */
export interface Decision {
  /** The log slot decided. */
  readonly slot: number;
  /** The value chosen in that slot. */
  readonly value: LogValue;
}

/** Phase 1a: a proposer asks acceptors to promise `ballot` for every slot ≥ `fromSlot`. */
export interface Prepare {
  /** Message kind (p1a in PMMC). */
  readonly type: "Prepare";
  /** The ballot the proposer asks acceptors to promise. */
  readonly ballot: Ballot;
  /** First slot the promise covers; accepted values from here on are reported. */
  readonly fromSlot: number;
}

/**
 * Phase 1b: the acceptor promises to accept nothing below `ballot`, and reports the value it
 * accepted last (highest ballot) in every slot ≥ the Prepare's `fromSlot`.
 */
export interface PaxosPromise {
  /** Message kind (p1b in PMMC). */
  readonly type: "Promise";
  /** The ballot the acceptor promised (the Prepare's). */
  readonly ballot: Ballot;
  /** The acceptor's last accepted pvalue in each slot ≥ the Prepare's `fromSlot`. */
  readonly accepted: readonly PValue[];
}

/** Phase 2a: the proposer asks acceptors to accept `value` in `slot` at `ballot`. */
export interface Accept {
  /** Message kind (p2a in PMMC). */
  readonly type: "Accept";
  /** The proposer's ballot, for which a majority promised in phase 1. */
  readonly ballot: Ballot;
  /** The log slot to fill. */
  readonly slot: number;
  /** The proposed value: the highest-ballot one phase 1 reported for the slot, else new (P2c). */
  readonly value: LogValue;
}

/** Phase 2b: the acceptor accepted the Accept of `ballot` for `slot`. */
export interface Accepted {
  /** Message kind (p2b in PMMC). */
  readonly type: "Accepted";
  /** The ballot of the Accept the acceptor accepted. */
  readonly ballot: Ballot;
  /** The slot of that Accept. */
  readonly slot: number;
}

/**
 * A refusal (not in Paxos Made Simple, which lets acceptors stay silent; PMMC answers with the
 * higher ballot): the acceptor has promised `promised`, which is above the request's `ballot`.
 * It tells the proposer at once that it was preempted instead of leaving it to time out.
 */
export interface Nack {
  /** Message kind. */
  readonly type: "Nack";
  /** The ballot of the refused request (Prepare, Accept or Heartbeat). */
  readonly ballot: Ballot;
  /** The higher ballot the acceptor has promised; a retry must exceed it. */
  readonly promised: Ballot;
}

/** A proposer (or any learner) tells learners which values are chosen. */
export interface Decide {
  /** Message kind. */
  readonly type: "Decide";
  /** Chosen values, one per slot. */
  readonly decisions: readonly Decision[];
}

/**
 * The stable leader's heartbeat (not in the papers; our design, see node.ts): it keeps other
 * proposers from starting elections, carries the leader's first unchosen slot so lagging learners
 * ask to catch up, and doubles as a leadership check for ReadIndex (acceptors answer).
 */
export interface Heartbeat {
  /** Message kind. */
  readonly type: "Heartbeat";
  /** The leader's ballot; acceptors acknowledge unless they promised a higher one. */
  readonly ballot: Ballot;
  /** The leader's heartbeat round, echoed in the answer. */
  readonly seq: number;
  /** Every slot below this one is chosen and known to the leader. */
  readonly firstUnchosen: number;
}

/** An acceptor's answer to a Heartbeat: it has promised nothing above `ballot`. */
export interface HeartbeatAck {
  /** Message kind. */
  readonly type: "HeartbeatAck";
  /** The acknowledged Heartbeat's ballot (now promised by this acceptor). */
  readonly ballot: Ballot;
  /** The Heartbeat's `seq`, echoed so the leader knows which round a majority acknowledged. */
  readonly seq: number;
}

/** A learner asks for the chosen values of slots ≥ `fromSlot`. */
export interface CatchUp {
  /** Message kind. */
  readonly type: "CatchUp";
  /** The learner's first unchosen slot; chosen values from here on are sent back in a Decide. */
  readonly fromSlot: number;
}

/** Every Paxos message. */
export type PaxosMessage =
  | Prepare
  | PaxosPromise
  | Accept
  | Accepted
  | Nack
  | Decide
  | Heartbeat
  | HeartbeatAck
  | CatchUp;

/** The `type` of every Paxos message, to tell them from other traffic on a shared node. */
export const PAXOS_MESSAGE_TYPES: ReadonlySet<string> = new Set([
  "Prepare",
  "Promise",
  "Accept",
  "Accepted",
  "Nack",
  "Decide",
  "Heartbeat",
  "HeartbeatAck",
  "CatchUp",
]);

/** Whether a message is one of Paxos's. */
export function isPaxosMessage(msg: unknown): msg is PaxosMessage {
  return typeof msg === "object" && msg !== null &&
    PAXOS_MESSAGE_TYPES.has((msg as { type?: unknown }).type as string);
}
