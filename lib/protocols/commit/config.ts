/** Configuration of the atomic-commitment protocols (zod; a ConfigError names the bad field). @module */
import { z } from "zod";

const Vote = z.enum(["yes", "no"]);

const members = {
  /** The transaction manager (coordinator) node. */
  coordinator: z.string().min(1),
  /** The resource managers (participants), at least 1, no duplicates, not the coordinator. */
  participants: z.array(z.string().min(1)).min(1),
  /** Each participant's vote (default "yes" for every one). */
  votes: z.record(z.string(), Vote).default({}),
  /** The coordinator aborts if a vote is missing after this long (ms). */
  voteTimeoutMs: z.number().positive().default(100),
};

function refineMembers(
  c: { coordinator: string; participants: string[]; votes: Record<string, string> },
  ctx: z.RefinementCtx,
): void {
  const seen = new Set<string>();
  c.participants.forEach((p, i) => {
    if (seen.has(p) || p === c.coordinator) {
      ctx.addIssue({
        code: "custom",
        path: ["participants", i],
        message: p === c.coordinator ? `"${p}" is the coordinator` : `duplicate participant "${p}"`,
      });
    }
    seen.add(p);
  });
  for (const k of Object.keys(c.votes)) {
    if (!seen.has(k)) {
      ctx.addIssue({ code: "custom", path: ["votes", k], message: `"${k}" is not a participant` });
    }
  }
}

/** Two-phase commit (Gray 1978; Bernstein, Hadzilacos, Goodman 1987, ch. 7). */
export const TwoPcConfigSchema = z.object({
  ...members,
  /** An in-doubt participant asks again for the outcome this often (ms). */
  retryMs: z.number().positive().default(100),
  /**
   * Cooperative termination (BHG §7.4): an in-doubt participant also asks the other
   * participants, and learns the outcome from any that knows it or that voted no. Default false.
   */
  cooperativeTermination: z.boolean().default(false),
}).strict().superRefine(refineMembers);

/** 2PC configuration as written. */
export type TwoPcConfigInput = z.input<typeof TwoPcConfigSchema>;
/** 2PC configuration, validated. */
export type TwoPcConfig = z.output<typeof TwoPcConfigSchema>;

/** Three-phase commit (Skeen 1981) with a heartbeat failure detector. */
export const ThreePcConfigSchema = z.object({
  ...members,
  /**
   * The failure detector's bound: a node silent for this long is taken to have crashed. 3PC is
   * non-blocking only when this is a true bound on silence (a synchronous system), so it has no
   * default: a configuration without it is rejected.
   */
  failureDetectorTimeoutMs: z.number({ error: "3PC needs a failure-detector bound (ms)" })
    .positive(),
  /** Heartbeat period of every node (ms; must be below the failure-detector bound). */
  heartbeatIntervalMs: z.number().positive().default(10),
}).strict().superRefine((c, ctx) => {
  refineMembers(c, ctx);
  if (c.heartbeatIntervalMs >= c.failureDetectorTimeoutMs) {
    ctx.addIssue({
      code: "custom",
      path: ["heartbeatIntervalMs"],
      message: "must be below failureDetectorTimeoutMs",
    });
  }
});

/** 3PC configuration as written. */
export type ThreePcConfigInput = z.input<typeof ThreePcConfigSchema>;
/** 3PC configuration, validated. */
export type ThreePcConfig = z.output<typeof ThreePcConfigSchema>;

/** Paxos Commit (Gray and Lamport, "Consensus on Transaction Commit", TODS 2006). */
export const PaxosCommitConfigSchema = z.object({
  /** The resource managers (RMs), at least 1; each one's vote is a Paxos instance. */
  participants: z.array(z.string().min(1)).min(1),
  /** The 2F + 1 acceptors (at least 1; F = (count - 1) / 2 failures tolerated). */
  acceptors: z.array(z.string().min(1)).min(1),
  /** Leaders in takeover order: the first is the initial leader (the TM), the others backups. */
  leaders: z.array(z.string().min(1)).min(1),
  /** Each RM's vote (default "yes"). */
  votes: z.record(z.string(), z.enum(["yes", "no"])).default({}),
  /**
   * leaders[k] (k ≥ 1, a backup) takes over after k × this if no outcome is known, and starts a
   * higher ballot every L × this (L leaders) until it learns one.
   */
  takeoverMs: z.number().positive().default(200),
  /**
   * Where acceptors send phase 2b: "every-leader" (default; a backup learns the ballot-0 votes
   * without phase 1, the fast path) or "ballot-leader" (the paper's: to the leader owning the
   * ballot, so a backup learns the votes only through its own phase 1).
   */
  phase2bTo: z.enum(["every-leader", "ballot-leader"]).default("every-leader"),
}).strict().superRefine((c, ctx) => {
  for (const field of ["participants", "acceptors", "leaders"] as const) {
    const seen = new Set<string>();
    c[field].forEach((p, i) => {
      if (seen.has(p)) {
        ctx.addIssue({ code: "custom", path: [field, i], message: `duplicate "${p}"` });
      }
      seen.add(p);
    });
  }
  for (const k of Object.keys(c.votes)) {
    if (!c.participants.includes(k)) {
      ctx.addIssue({ code: "custom", path: ["votes", k], message: `"${k}" is not a participant` });
    }
  }
});

/** Paxos Commit configuration as written. */
export type PaxosCommitConfigInput = z.input<typeof PaxosCommitConfigSchema>;
/** Paxos Commit configuration, validated. */
export type PaxosCommitConfig = z.output<typeof PaxosCommitConfigSchema>;
