/** Helpers of the Raft handler tests: a node over a FakeContext, with a prepared log. */
import { MemoryStorage } from "../../../lib/sim/storage.ts";
import type { NodeId } from "../../../lib/sim/types.ts";
import type { RaftConfigInput } from "../../../lib/protocols/raft/config.ts";
import type {
  AppendEntries,
  AppendEntriesResponse,
  LogEntry,
  RaftMessage,
  RequestVote,
} from "../../../lib/protocols/raft/messages.ts";
import { RaftNode, TERM_KEY, VOTE_KEY } from "../../../lib/protocols/raft/node.ts";
import { LOG_KEY } from "../../../lib/protocols/raft/log.ts";
import { FakeContext } from "./_fake_context.ts";
import { ListMachine } from "./_helpers.ts";

export { FakeContext, ListMachine };

/** Commands `c<index>` with the given terms at indices 1, 2, ... */
export function entries(terms: readonly number[], from = 1): LogEntry[] {
  return terms.map((term, k) => ({
    index: from + k,
    term,
    kind: "command" as const,
    command: `c${from + k}`,
  }));
}

/** Storage holding a log with these entry terms, a current term and a vote. */
export function storageWith(
  terms: readonly number[],
  currentTerm = terms.at(-1) ?? 0,
  votedFor: NodeId | null = null,
): MemoryStorage {
  const s = new MemoryStorage();
  if (terms.length) s.append(LOG_KEY, ...entries(terms));
  s.set(TERM_KEY, currentTerm);
  s.set(VOTE_KEY, votedFor);
  return s;
}

/** A started node `n0` of a five-server cluster (n0..n4) over a fake context. */
export function node(
  options: {
    self?: NodeId;
    peers?: NodeId[];
    storage?: MemoryStorage;
    config?: RaftConfigInput;
    machine?: ListMachine;
  } = {},
): { ctx: FakeContext<RaftMessage>; raft: RaftNode; machine: ListMachine } {
  const self = options.self ?? "n0";
  const peers = options.peers ?? ["n0", "n1", "n2", "n3", "n4"].filter((p) => p !== self);
  const ctx = new FakeContext<RaftMessage>(self, peers, options.storage);
  const machine = options.machine ?? new ListMachine();
  const raft = new RaftNode(ctx, options.config ?? {}, machine);
  raft.start();
  return { ctx, raft, machine };
}

/** A RequestVote from `candidateId`. */
export function requestVote(
  candidateId: NodeId,
  term: number,
  lastLogIndex: number,
  lastLogTerm: number,
  prevote = false,
): RequestVote {
  return { type: "RequestVote", term, candidateId, lastLogIndex, lastLogTerm, prevote };
}

/** A successful AppendEntriesResponse: `matchIndex` reached, echoing `seq`. */
export function appendAck(
  term: number,
  matchIndex: number,
  seq = 1,
  prevLogIndex = 0,
): AppendEntriesResponse {
  return {
    type: "AppendEntriesResponse",
    term,
    success: true,
    prevLogIndex,
    matchIndex,
    conflictTerm: 0,
    conflictIndex: 0,
    seq,
  };
}

/** An AppendEntries from `leaderId`. */
export function appendEntries(
  leaderId: NodeId,
  term: number,
  prevLogIndex: number,
  prevLogTerm: number,
  entries: readonly LogEntry[] = [],
  leaderCommit = 0,
  seq = 1,
): AppendEntries {
  return {
    type: "AppendEntries",
    term,
    leaderId,
    prevLogIndex,
    prevLogTerm,
    entries,
    leaderCommit,
    seq,
  };
}

/** Make a started node leader: fire its election timer and grant it votes from `voters`. */
export function elect(
  ctx: FakeContext<RaftMessage>,
  raft: RaftNode,
  voters: readonly NodeId[] = ["n1", "n2"],
): void {
  raft.onTimer("raft:election");
  for (const v of voters) {
    raft.onMessage(v, {
      type: "RequestVoteResponse",
      term: raft.term,
      voteGranted: true,
      prevote: false,
    });
  }
  if (raft.role !== "leader") throw new Error(`elect: ${raft.id} is ${raft.role}`);
  ctx.take();
}
