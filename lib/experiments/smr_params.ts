/** Parameters of notebook 04 (state machine replication): one zod schema, with defaults. @module */
import { z } from "zod";
import { parseConfig } from "../sim/errors.ts";

/** Parameters of notebook 04; the defaults run the whole notebook in well under a minute. */
export const SmrParamsSchema = z.object({
  /** Root seed of every run. */
  seed: z.number().int().default(1),
  /** Servers (replicas) of the key-value store. */
  nodes: z.number().int().min(3).max(9).default(5),
  /**
   * One-way message latency, uniform between these bounds (ms): above 0 (a follower hears of a
   * commit after the leader made it) and at most 20, well under the 150 ms election timeout
   * (Raft §5.6: broadcastTime ≪ electionTimeout).
   */
  latencyMsMin: z.number().positive().max(20).default(1),
  latencyMsMax: z.number().positive().max(20).default(10),
  /** Closed-loop key-value clients of the fault experiment. */
  clients: z.number().int().min(1).max(20).default(6),
  /** Keys the clients read and write. */
  keys: z.number().int().min(1).max(20).default(3),
  /** Simulated length of the fault experiment (ms); clients stop 1 s before the end. */
  runMs: z.number().min(6_000).max(120_000).default(12_000),
  /**
   * When the leader of the moment is crashed (after ≥ 0.5 s of fault-free service, measured from
   * 1 s on), and how long it stays down (ms).
   */
  crashAtMs: z.number().min(1_500).default(3_000),
  crashForMs: z.number().positive().default(2_000),
  /** When the leader of the moment is cut off with one other server, and for how long (ms). */
  partitionAtMs: z.number().min(500).default(7_000),
  partitionForMs: z.number().positive().default(2_500),
  /** A client that hears nothing for this long re-sends the request to the next server (ms). */
  clientTimeoutMs: z.number().positive().default(300),
  /** Width of the throughput windows (ms). */
  windowMs: z.number().positive().default(250),
  /** Determinism experiment: commands proposed, and commands per block. */
  ledgerCommands: z.number().int().min(10).max(600).default(120),
  blockSize: z.number().int().min(1).max(100).default(10),
  /** Exactly-once experiment: loss ratio of every link, client timeout (ms), simulated length (ms). */
  retryLossRatio: z.number().min(0).max(0.5).default(0.2),
  retryTimeoutMs: z.number().positive().default(60),
  retryRunMs: z.number().min(500).max(60_000).default(3_000),
}).strict()
  .refine((p) => p.latencyMsMax >= p.latencyMsMin, {
    message: "latencyMsMax must be >= latencyMsMin",
    path: ["latencyMsMax"],
  })
  .refine((p) => p.crashAtMs + p.crashForMs + 500 <= p.partitionAtMs, {
    message: "the leader crash must end at least 500 ms before the partition starts",
    path: ["partitionAtMs"],
  })
  .refine((p) => p.partitionAtMs + p.partitionForMs + 1_500 <= p.runMs, {
    message: "runMs must leave at least 1.5 s after the partition heals",
    path: ["runMs"],
  });

/** Parameters as written (every field optional). */
export type SmrParamsInput = z.input<typeof SmrParamsSchema>;
/** Parameters with defaults. */
export type SmrParams = z.output<typeof SmrParamsSchema>;

/** Parse notebook parameters (a ConfigError names any bad field). */
export function parseSmrParams(input: unknown): SmrParams {
  return parseConfig(SmrParamsSchema, input, "state machine replication parameters");
}

/**
 * Raft timing of every experiment of the notebook: the paper's recommended election timeout
 * (§5.6, §9.3), heartbeats well inside it, PreVote and CheckQuorum on as production deployments run
 * them (a partitioned leader steps down; a returning minority cannot disrupt the majority).
 */
export const SMR_RAFT = {
  electionTimeoutMsMin: 150,
  electionTimeoutMsMax: 300,
  heartbeatIntervalMs: 50,
  preVote: true,
  checkQuorum: true,
} as const;
