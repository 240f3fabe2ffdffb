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
  readonly round: number;
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
  readonly slot: number;
  readonly ballot: Ballot;
  readonly value: LogValue;
}

/** A slot and the value chosen for it, as learners hear of it. */
export interface Decision {
  readonly slot: number;
  readonly value: LogValue;
}

/** Phase 1a: a proposer asks acceptors to promise `ballot` for every slot ≥ `fromSlot`. */
export interface Prepare {
  readonly type: "Prepare";
  readonly ballot: Ballot;
  readonly fromSlot: number;
}

/**
 * Phase 1b: the acceptor promises to accept nothing below `ballot`, and reports the value it
 * accepted last (highest ballot) in every slot ≥ the Prepare's `fromSlot`.
 */
export interface PaxosPromise {
  readonly type: "Promise";
  readonly ballot: Ballot;
  readonly accepted: readonly PValue[];
}

/** Phase 2a: the proposer asks acceptors to accept `value` in `slot` at `ballot`. */
export interface Accept {
  readonly type: "Accept";
  readonly ballot: Ballot;
  readonly slot: number;
  readonly value: LogValue;
}

/** Phase 2b: the acceptor accepted the Accept of `ballot` for `slot`. */
export interface Accepted {
  readonly type: "Accepted";
  readonly ballot: Ballot;
  readonly slot: number;
}

/**
 * A refusal (not in Paxos Made Simple, which lets acceptors stay silent; PMMC answers with the
 * higher ballot): the acceptor has promised `promised`, which is above the request's `ballot`.
 * It tells the proposer at once that it was preempted instead of leaving it to time out.
 */
export interface Nack {
  readonly type: "Nack";
  readonly ballot: Ballot;
  readonly promised: Ballot;
}

/** A proposer (or any learner) tells learners which values are chosen. */
export interface Decide {
  readonly type: "Decide";
  readonly decisions: readonly Decision[];
}

/**
 * The stable leader's heartbeat (not in the papers; our design, see node.ts): it keeps other
 * proposers from starting elections, carries the leader's first unchosen slot so lagging learners
 * ask to catch up, and doubles as a leadership check for ReadIndex (acceptors answer).
 */
export interface Heartbeat {
  readonly type: "Heartbeat";
  readonly ballot: Ballot;
  /** The leader's heartbeat round, echoed in the answer. */
  readonly seq: number;
  /** Every slot below this one is chosen and known to the leader. */
  readonly firstUnchosen: number;
}

/** An acceptor's answer to a Heartbeat: it has promised nothing above `ballot`. */
export interface HeartbeatAck {
  readonly type: "HeartbeatAck";
  readonly ballot: Ballot;
  readonly seq: number;
}

/** A learner asks for the chosen values of slots ≥ `fromSlot`. */
export interface CatchUp {
  readonly type: "CatchUp";
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
