/** Parameters of notebook 05 (consensus, crash-fault part): one zod schema, with defaults. @module */
import { z } from "zod";
import { parseConfig } from "../sim/errors.ts";

/** Parameters of notebook 05; the defaults run the whole notebook in well under a minute. */
export const ConsensusParamsSchema = z.object({
  /** Root seed of the single runs (the sweeps use seed, seed + 1, ...). */
  seed: z.number().int().default(1),
  /** Servers of the Paxos-vs-Raft key-value comparison. */
  nodes: z.number().int().min(3).max(9).default(5),
  /** Simulated length of the comparison (ms). */
  runMs: z.number().min(6_000).max(120_000).default(10_000),
  /** Closed-loop key-value clients. */
  clients: z.number().int().min(1).max(50).default(6),
  /** Loss ratio of every link during the whole comparison (the "lossy network"). */
  lossRatio: z.number().min(0).max(0.3).default(0.02),
  /** When the leader of the moment is crashed, and how long it stays down (ms). */
  crashAtMs: z.number().min(500).default(2_000),
  crashForMs: z.number().positive().default(2_000),
  /** When the leader of the moment is cut off with one other server, and for how long (ms). */
  partitionAtMs: z.number().min(500).default(5_500),
  partitionForMs: z.number().positive().default(2_000),
  /** Dueling proposers: simulated length of each run (ms) and seeds per configuration. */
  duelMs: z.number().min(500).max(60_000).default(3_000),
  duelSeeds: z.number().int().min(1).max(20).default(3),
  /** FLP adversary: servers, when the adversary lets go (ms), and seeds per protocol. */
  flpNodes: z.number().int().min(3).max(9).default(5),
  flpReleaseMs: z.number().min(500).max(60_000).default(3_000),
  flpSeeds: z.number().int().min(1).max(20).default(4),
}).strict()
  .refine((p) => p.crashAtMs + p.crashForMs <= p.partitionAtMs, {
    message: "the leader crash must end before the partition starts",
    path: ["partitionAtMs"],
  })
  .refine((p) => p.partitionAtMs + p.partitionForMs + 1_000 <= p.runMs, {
    message: "runMs must leave at least 1 s after the partition heals",
    path: ["runMs"],
  });

/** Parameters as written (every field optional). */
export type ConsensusParamsInput = z.input<typeof ConsensusParamsSchema>;
/** Parameters with defaults. */
export type ConsensusParams = z.output<typeof ConsensusParamsSchema>;

/** Parse notebook parameters (a ConfigError names any bad field). */
export function parseConsensusParams(input: unknown): ConsensusParams {
  return parseConfig(ConsensusParamsSchema, input, "consensus parameters");
}

/**
 * Timing shared by Paxos and Raft in every comparison, so that differences come from the
 * protocols and not from their settings: Raft's defaults (§5.6 and §9.3 of the Raft paper).
 */
export const SHARED_TIMING = {
  electionTimeoutMsMin: 150,
  electionTimeoutMsMax: 300,
  heartbeatIntervalMs: 50,
} as const;
