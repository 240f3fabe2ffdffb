/** Configuration of a Raft node (zod, with defaults). @module */
import { z } from "zod";

/** Raft parameters; every field has a default. Times are in local-clock milliseconds. */
export const RaftConfigSchema = z.object({
  /** Lower bound of the randomized election timeout (§5.2). Default 150. */
  electionTimeoutMsMin: z.number().positive().default(150),
  /** Upper bound of the randomized election timeout (§5.2). Default 300. */
  electionTimeoutMsMax: z.number().positive().default(300),
  /** How often the leader sends heartbeats (empty AppendEntries). Default 50. */
  heartbeatIntervalMs: z.number().positive().default(50),
  /** Most entries in one AppendEntries. Default 64. */
  maxEntriesPerAppend: z.number().int().min(1).default(64),
  /**
   * Take a snapshot and compact the log once this many applied entries follow the last snapshot
   * (§7). 0 turns compaction off. Default 1000.
   */
  snapshotThresholdEntries: z.number().int().min(0).default(1000),
  /**
   * PreVote (thesis §9.6): a server first asks whether it could win, without raising its term,
   * so a partitioned server rejoining cannot force the cluster into a new term. Default false.
   */
  preVote: z.boolean().default(false),
  /**
   * CheckQuorum (thesis §6.2): a leader that has not heard from a majority for an election
   * timeout steps down. It also turns on the rule of thesis §4.2.3: a server that heard from a
   * current leader within the minimum election timeout ignores RequestVote (does not raise its
   * term or vote), which leader leases rely on. Default false.
   */
  checkQuorum: z.boolean().default(false),
  /**
   * Lease reads (thesis §6.4.1) trust a lease of electionTimeoutMsMin × (1 − this bound) from the
   * start of the last heartbeat round a majority acknowledged. Safe while followers' clocks run at
   * most about this fraction faster than the leader's; a clock jump or larger drift breaks it.
   * Default 0.05.
   */
  leaseClockDriftBound: z.number().min(0).lt(1).default(0.05),
  /**
   * The bootstrap configuration. Default: this node and every server peer when it first starts.
   * A node not in its own configuration never campaigns; it joins when a leader adds it.
   */
  servers: z.array(z.string().min(1)).min(1).optional(),
  /**
   * Append a no-op entry on becoming leader (thesis §6.4) so entries of earlier terms commit at
   * once and ReadIndex has a current-term commit to wait for. Default true. Turning it off is for
   * study: it is how many first Raft implementations look, and it makes the Figure 8 mistake far
   * easier to hit (ReadIndex then waits for the term's first client entry).
   */
  electionNoop: z.boolean().default(true),
  /**
   * MISTAKE (Figure 8, §5.4.2): commit an entry from an earlier term as soon as a majority stores
   * it. A later leader that never saw it can still be elected and overwrite it, so an entry that
   * was applied gets replaced. Raft counts replicas only for current-term entries. Default false.
   */
  mistakeCommitPreviousTermByCounting: z.boolean().default(false),
  /**
   * MISTAKE (§5.4.1): grant votes without checking that the candidate's log is at least as up to
   * date. A candidate missing committed entries can then win and overwrite them, breaking leader
   * completeness. Default false.
   */
  mistakeVoteWithoutUpToDateCheck: z.boolean().default(false),
  /**
   * MISTAKE (Figure 2, "persistent state"): keep votedFor only in memory. A server that crashes
   * and restarts within a term can vote twice in it, so two leaders can be elected in one term.
   * Default false.
   */
  mistakeVolatileVotedFor: z.boolean().default(false),
  // ---- mistakes from the MIT 6.824 "Students' Guide to Raft" (Gjengset, 2016); study only ----
  /**
   * MISTAKE (guide, "Term confusion"): act on RequestVote/AppendEntries replies from an older term.
   * A candidate counts votes granted in an earlier term, so two servers can win one term; a leader
   * takes a match from an earlier leadership as current. Raft drops replies whose term is not the
   * current one. Default false.
   */
  mistakeAcceptStaleReplies: z.boolean().default(false),
  /**
   * MISTAKE (guide, "The importance of details"; Figure 2 AppendEntries rule 3): truncate the log
   * after prevLogIndex on every successful AppendEntries, even when the entries match. A delayed,
   * shorter AppendEntries then erases entries the follower already acknowledged and the leader
   * counted: commits stall, or a committed entry vanishes from a majority. Default false.
   */
  mistakeTruncateOnAppend: z.boolean().default(false),
  /**
   * MISTAKE (guide, "The importance of details"; Figure 2 AppendEntries rule 5): set commitIndex =
   * min(leaderCommit, last log index) instead of min(leaderCommit, index of the last new entry).
   * Entries past those the leader just checked may be stale ones from an old term, and get
   * applied. Default false.
   */
  mistakeCommitIndexUnbounded: z.boolean().default(false),
  /**
   * MISTAKE (guide, "Livelocks"; §5.2): reset the election timer on every RequestVote received,
   * granted or not. Servers with outdated logs, which cannot win, then keep postponing the
   * up-to-date ones: with few eligible servers elections take many rounds. Default false.
   */
  mistakeResetTimerOnVoteRequest: z.boolean().default(false),
  /**
   * MISTAKE (Figure 2, "persistent state"): keep the log (and snapshot) only in memory. A server
   * that acknowledged entries and restarts has lost them, so a committed entry can drop below a
   * majority and a leader without it can be elected. Default false.
   */
  mistakeVolatileLog: z.boolean().default(false),
}).strict()
  .refine((c) => c.electionTimeoutMsMax >= c.electionTimeoutMsMin, {
    message: "electionTimeoutMsMax must be >= electionTimeoutMsMin",
    path: ["electionTimeoutMsMax"],
  })
  .refine((c) => c.heartbeatIntervalMs < c.electionTimeoutMsMin, {
    message:
      "heartbeatIntervalMs must be < electionTimeoutMsMin (§5.6: broadcastTime ≪ electionTimeout)",
    path: ["heartbeatIntervalMs"],
  });

/** Raft parameters as written (every field optional). */
export type RaftConfigInput = z.input<typeof RaftConfigSchema>;
/** Raft parameters with defaults applied. */
export type RaftConfig = z.output<typeof RaftConfigSchema>;
