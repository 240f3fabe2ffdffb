/**
 * Raft's log entries, snapshots and messages (Ongaro & Ousterhout, "In Search of an
 * Understandable Consensus Algorithm (Extended Version)", 2014, Figures 2 and 13; Ongaro's thesis,
 * "Consensus: Bridging Theory and Practice", 2014). Field names follow the paper.
 * @module
 */
import type { NodeId } from "../../sim/types.ts";

/** What an entry carries: a client command, a leader's no-op (thesis §6.4), or a configuration. */
export type EntryData =
  | { readonly kind: "noop" }
  | { readonly kind: "command"; readonly command: unknown }
  | {
    readonly kind: "config";
    /** The full server set of the new configuration (thesis ch. 4: one server added or removed). */
    readonly servers: readonly NodeId[];
  };

/** One log entry: its position, the term in which a leader created it, and its data (Figure 2). */
export type LogEntry = { readonly index: number; readonly term: number } & EntryData;

/** A snapshot: the state machine as of `lastIncludedIndex`, with the configuration then (§7). */
export interface Snapshot {
  /** The snapshot replaces all entries up through and including this index (Figure 13). */
  readonly lastIncludedIndex: number;
  /** Term of lastIncludedIndex. */
  readonly lastIncludedTerm: number;
  /** The latest configuration as of `lastIncludedIndex` (thesis §5.1). */
  readonly servers: readonly NodeId[];
  /** Opaque state machine state from the `snapshot` hook (null without one). */
  readonly data: unknown;
}

/** Invoked by candidates to gather votes (§5.2), or pre-votes when `prevote` (thesis §9.6). */
export interface RequestVote {
  /** Message kind. */
  readonly type: "RequestVote";
  /** The candidate's term; for a pre-vote, the term it would campaign in (currentTerm + 1). */
  readonly term: number;
  /** Candidate requesting the vote. */
  readonly candidateId: NodeId;
  /** Index of the candidate's last log entry (§5.4). */
  readonly lastLogIndex: number;
  /** Term of the candidate's last log entry (§5.4). */
  readonly lastLogTerm: number;
  /** A pre-vote (thesis §9.6): no term changes, no vote recorded. */
  readonly prevote: boolean;
}

/** Answer to a RequestVote. A granted pre-vote carries the proposed term, not the voter's. */
export interface RequestVoteResponse {
  /** Message kind. */
  readonly type: "RequestVoteResponse";
  /** currentTerm, for the candidate to update itself (granted pre-vote: the proposed term). */
  readonly term: number;
  /** True means the candidate received the vote. */
  readonly voteGranted: boolean;
  /** Answers a pre-vote. */
  readonly prevote: boolean;
}

/** Invoked by the leader to replicate entries (§5.3); also the heartbeat (no entries). */
export interface AppendEntries {
  /** Message kind. */
  readonly type: "AppendEntries";
  /** Leader's term. */
  readonly term: number;
  /** So followers can redirect clients. */
  readonly leaderId: NodeId;
  /** Index of the log entry immediately preceding the new ones. */
  readonly prevLogIndex: number;
  /** Term of the prevLogIndex entry. */
  readonly prevLogTerm: number;
  /** Entries to store (empty for a heartbeat). */
  readonly entries: readonly LogEntry[];
  /** Leader's commitIndex. */
  readonly leaderCommit: number;
  /**
   * The leader's heartbeat round when it sent this (not in the paper): echoed back so the leader
   * can tell which round a majority acknowledged, for ReadIndex and leases (thesis §6.4).
   */
  readonly seq: number;
}

/**
 * Answer to an AppendEntries. On rejection, `conflictTerm`/`conflictIndex` let the leader skip a
 * whole conflicting term at once (thesis §5.3, the "accelerated log backtracking" optimization).
 */
export interface AppendEntriesResponse {
  /** Message kind. */
  readonly type: "AppendEntriesResponse";
  /** currentTerm, for the leader to update itself. */
  readonly term: number;
  /** True if the follower contained an entry matching prevLogIndex and prevLogTerm. */
  readonly success: boolean;
  /** The request's prevLogIndex, so the leader can discard stale answers. */
  readonly prevLogIndex: number;
  /** On success: the last index known to match the leader (prevLogIndex + entries.length). */
  readonly matchIndex: number;
  /** On rejection: the term of the follower's entry at prevLogIndex, or 0 when it has none. */
  readonly conflictTerm: number;
  /** On rejection: the first index of `conflictTerm` in the follower's log, or its lastLogIndex + 1. */
  readonly conflictIndex: number;
  /** The request's heartbeat round, echoed. */
  readonly seq: number;
}

/**
 * Invoked by the leader to send a snapshot to a follower that is too far behind (§7, Figure 13).
 * Departure: the snapshot goes in one message rather than in chunks (`offset`, `done`), since a
 * simulated message is an object; a bandwidth-limited link still charges for its size.
 */
export interface InstallSnapshot {
  /** Message kind. */
  readonly type: "InstallSnapshot";
  /** Leader's term. */
  readonly term: number;
  /** So followers can redirect clients. */
  readonly leaderId: NodeId;
  /** The snapshot replaces all entries up through and including this index. */
  readonly lastIncludedIndex: number;
  /** Term of lastIncludedIndex. */
  readonly lastIncludedTerm: number;
  /** The configuration as of lastIncludedIndex (thesis §5.1). */
  readonly servers: readonly NodeId[];
  /** The state machine's snapshot. */
  readonly data: unknown;
  /** The leader's heartbeat round (see AppendEntries). */
  readonly seq: number;
}

/** Answer to an InstallSnapshot: the index up to which the follower now matches the leader. */
export interface InstallSnapshotResponse {
  /** Message kind. */
  readonly type: "InstallSnapshotResponse";
  /** currentTerm, for the leader to update itself. */
  readonly term: number;
  /** The follower's log now matches the leader's up to here. */
  readonly matchIndex: number;
  /** The request's heartbeat round, echoed. */
  readonly seq: number;
}

/** Every Raft message. */
export type RaftMessage =
  | RequestVote
  | RequestVoteResponse
  | AppendEntries
  | AppendEntriesResponse
  | InstallSnapshot
  | InstallSnapshotResponse;

/** The `type` of every Raft message, to tell them from other traffic on a shared node. */
export const RAFT_MESSAGE_TYPES: ReadonlySet<string> = new Set([
  "RequestVote",
  "RequestVoteResponse",
  "AppendEntries",
  "AppendEntriesResponse",
  "InstallSnapshot",
  "InstallSnapshotResponse",
]);

/** Whether a message is one of Raft's. */
export function isRaftMessage(msg: unknown): msg is RaftMessage {
  return typeof msg === "object" && msg !== null &&
    RAFT_MESSAGE_TYPES.has((msg as { type?: unknown }).type as string);
}
