/** Configuration of a Paxos node (zod, with defaults). @module */
import { z } from "zod";

const Ids = z.array(z.string().min(1)).min(1);

/** Paxos parameters; every field has a default. Times are in local-clock milliseconds. */
export const PaxosConfigSchema = z.object({
  /** Nodes that hold the proposer role. Default: every server (this node and its peers). */
  proposers: Ids.optional(),
  /** Nodes that hold the acceptor role; a majority of them is a quorum. Default: every server. */
  acceptors: Ids.optional(),
  /** Nodes that hold the learner role (they apply the log). Default: every server. */
  learners: Ids.optional(),
  /**
   * How proposers decide who runs phase 1.
   * - "stable" (Multi-Paxos): a proposer starts phase 1 only after hearing no heartbeat from a
   *   leader for a randomized election timeout; a preempted leader steps down and waits.
   * - "none": no leader election. A proposer with values to propose starts phase 1 at once and,
   *   when preempted, tries again with a higher ballot after its back-off (PMMC §3's naive leader):
   *   two such proposers can preempt each other forever ("dueling proposers").
   * Default "stable".
   */
  election: z.enum(["stable", "none"]).default("stable"),
  /** Lower bound of the randomized election timeout (stable election). Default 150. */
  electionTimeoutMsMin: z.number().positive().default(150),
  /** Upper bound of the randomized election timeout. Default 300. */
  electionTimeoutMsMax: z.number().positive().default(300),
  /** How often a stable leader sends heartbeats (and re-sends unanswered Accepts). Default 50. */
  heartbeatIntervalMs: z.number().positive().default(50),
  /**
   * Back-off of a preempted proposer without leader election: "none" retries at once with a
   * higher ballot; "randomized" waits uniform(0, backoffMs · 2^k) after the k-th preemption in a
   * row (randomized exponential back-off, the textbook cure for dueling). Default "randomized".
   */
  backoff: z.enum(["none", "randomized"]).default("randomized"),
  /** Base of the randomized back-off. Default 20. */
  backoffMs: z.number().positive().default(20),
  /** A phase that got no quorum within this long is retried (lost messages). Default 100. */
  retryMs: z.number().positive().default(100),
  /** Values a proposer keeps in phase 2 at once from its `submit` queue. Default 1. */
  pipeline: z.number().int().min(1).default(1),
  /** Most decisions in one catch-up answer. Default 64. */
  maxDecisionsPerMessage: z.number().int().min(1).default(64),
  /**
   * MISTAKE (Paxos Made Simple §2.2, the acceptor's "must remember" rule): keep the promised
   * ballot only in memory. After a crash the acceptor has forgotten that it promised a higher
   * ballot, so it accepts an older ballot's Accept that it had promised to refuse. The newer
   * proposer built its value on that promise (phase 1 saw nothing accepted there), so both
   * ballots can win a majority with different values: two values chosen in one slot.
   * Accepted values stay durable; after a restart the promise falls back to the highest
   * accepted ballot. Default false.
   */
  mistakeForgetPromiseOnCrash: z.boolean().default(false),
  /**
   * MISTAKE (Paxos Made Simple §2.2, P2c; PMMC's pmax): ignore the values that phase 1 reports
   * as accepted and propose one's own value (its own command, or a no-op in a recovered slot).
   * A value already chosen at a lower ballot is then overwritten by a majority at the higher
   * ballot: a second value chosen, and learners that learned the first one disagree with those
   * that learn the second. Default false.
   */
  mistakeProposeOwnValue: z.boolean().default(false),
}).strict()
  .refine((c) => c.electionTimeoutMsMax >= c.electionTimeoutMsMin, {
    message: "electionTimeoutMsMax must be >= electionTimeoutMsMin",
    path: ["electionTimeoutMsMax"],
  })
  .refine((c) => c.heartbeatIntervalMs < c.electionTimeoutMsMin, {
    message: "heartbeatIntervalMs must be < electionTimeoutMsMin (heartbeats must beat timeouts)",
    path: ["heartbeatIntervalMs"],
  });

/** Paxos parameters as written (every field optional). */
export type PaxosConfigInput = z.input<typeof PaxosConfigSchema>;
/** Paxos parameters with defaults applied. */
export type PaxosConfig = z.output<typeof PaxosConfigSchema>;
