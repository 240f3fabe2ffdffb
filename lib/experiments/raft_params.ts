/** Parameters of notebook 09 (exercise: Raft): one zod schema, with defaults. @module */
import { z } from "zod";
import { parseConfig } from "../sim/errors.ts";
import { defaultBatterySeeds } from "./raft_mistakes.ts";

/** Parameters of notebook 09; the defaults run the whole notebook in a few minutes. */
export const RaftExerciseParamsSchema = z.object({
  /** Root seed (Figure 16 trials derive their own seeds from it). */
  seed: z.number().int().default(1),
  /** Servers of the step-through and of Figure 16 (the paper used 5). */
  servers: z.number().int().min(3).max(9).default(5),
  /**
   * One-way message latency, uniform between these bounds (ms). The paper's cluster had a
   * broadcast time of about 15 ms; 3–9 ms one way gives that (see `broadcastTimeMs`).
   */
  latencyMsMin: z.number().min(0).default(3),
  latencyMsMax: z.number().min(0).default(9),
  /** Each server's clock runs fast or slow by up to this many parts per million (crystal drift). */
  clockDriftPpm: z.number().min(0).max(10_000).default(100),
  /** Figure 16: the lower end of every election timeout range (ms). */
  electionTimeoutMinMs: z.number().positive().default(150),
  /** Figure 16: the upper ends, one curve each (ms); equal to the minimum means no randomness. */
  electionTimeoutMaxesMs: z.array(z.number().positive()).min(2).default([
    150,
    151,
    155,
    175,
    200,
    300,
  ]),
  /** Figure 16: trials per range (the paper ran 1000). */
  trials: z.number().int().min(10).max(20_000).default(1000),
  /** Figure 16: trials of a range without randomness (the paper ran 100; they are slow). */
  fixedTrials: z.number().int().min(5).max(2_000).default(100),
  /** Figure 16: a trial still without a leader after this long is stopped (ms). */
  trialCapMs: z.number().min(1_000).max(3_600_000).default(300_000),
  /**
   * Figure 16's testbed: "disk" (the fast network below plus a disk write before RequestVote,
   * before each vote and before acknowledging entries, as LogCabin does) or "network" (the
   * broadcast time spent in the network: latencyMsMin–latencyMsMax one way, no disk).
   */
  figure16Testbed: z.enum(["disk", "network"]).default("disk"),
  /** The disk testbed's one-way latency (ms) and its disk write (ms). */
  fastLatencyMsMin: z.number().min(0).default(0.5),
  fastLatencyMsMax: z.number().min(0).default(1.5),
  diskWriteMs: z.number().min(0).default(12),
  /** Sensitivity: trials per curve. */
  sensitivityTrials: z.number().int().min(10).max(20_000).default(500),
  /**
   * Test battery: seeds per scenario for the reference and for each classic mistake. Default: the
   * fewest that catch each mistake the battery can catch with probability ≥ 0.99, from measured
   * detection power (`defaultBatterySeeds` in raft_mistakes.ts).
   */
  batterySeeds: z.number().int().min(1).max(200).default(defaultBatterySeeds()),
}).strict()
  .refine((p) => p.latencyMsMax >= p.latencyMsMin, {
    message: "latencyMsMax must be >= latencyMsMin",
    path: ["latencyMsMax"],
  })
  .refine((p) => p.fastLatencyMsMax >= p.fastLatencyMsMin, {
    message: "fastLatencyMsMax must be >= fastLatencyMsMin",
    path: ["fastLatencyMsMax"],
  })
  .refine((p) => p.electionTimeoutMaxesMs.every((m) => m >= p.electionTimeoutMinMs), {
    message: "every upper end must be >= electionTimeoutMinMs",
    path: ["electionTimeoutMaxesMs"],
  });

/** Parameters as written (every field optional). */
export type RaftExerciseParamsInput = z.input<typeof RaftExerciseParamsSchema>;
/** Parameters with defaults. */
export type RaftExerciseParams = z.output<typeof RaftExerciseParamsSchema>;

/** Parse notebook parameters (a ConfigError names any bad field). */
export function parseRaftExerciseParams(input: unknown): RaftExerciseParams {
  return parseConfig(RaftExerciseParamsSchema, input, "raft exercise parameters");
}
