/** Configuration of a PBFT replica (zod, with defaults). @module */
import { z } from "zod";
import { BftSizeFields } from "../bft/config.ts";

/** PBFT replica parameters (Castro and Liskov, OSDI 1999, §4). */
export const PbftConfigSchema = z.object({
  ...BftSizeFields,
  /** §4.3: a checkpoint every K sequence numbers (the paper's K; default 16). */
  checkpointInterval: z.number().int().min(1).default(16),
  /** §4.3: the log window L: accept sequence numbers h < n ≤ h + L (default 64 = 4K). */
  logWindow: z.number().int().min(1).default(64),
  /** §5.1 (batching): most requests per pre-prepare (default 1: one request per sequence number). */
  batchSize: z.number().int().min(1).default(1),
  /**
   * With batchSize > 1, the primary starts a new sequence number before its batch is full only
   * while fewer than this many are in flight (§5.1: "the primary ... when the number of protocol
   * instances in progress is below a bound"); default 1.
   */
  pipelineDepth: z.number().int().min(1).default(1),
  /**
   * Most sequence numbers the primary keeps in flight (assigned, not executed), full batches
   * included (§5.1's bound on protocol instances in progress). Default: no bound but the log
   * window L.
   */
  maxInFlight: z.number().int().min(1).optional(),
  /** §4.5.2: the view-change timer T (doubled after each failed view change). Default 200 ms. */
  viewChangeTimeoutMs: z.number().positive().default(200),
  /**
   * Cap on the doubled view-change timer (departure: the paper doubles without bound, §4.5.2; a
   * cap keeps the time to recover after long faults bounded). Default 3200 ms (16 T).
   */
  viewChangeTimeoutMaxMs: z.number().positive().default(3200),
  /** How often a replica re-sends its VIEW-CHANGE while the new view is not installed (§4.4 retransmission). */
  viewChangeResendMs: z.number().positive().default(100),
  /**
   * Mistake (off by default): count 2f COMMITs instead of 2f + 1 as committed-local. Then only f
   * honest replicas need hold a prepared certificate, so a view-change quorum can miss every one
   * of them and the new view assigns another request to the same sequence number (§4.4's safety
   * argument needs f + 1 honest prepared replicas in every quorum).
   */
  mistakeCommitOn2f: z.boolean().default(false),
  /**
   * Mistake (off by default): the new primary builds O with null requests everywhere, ignoring
   * the prepared certificates P in the VIEW-CHANGE messages (§4.4 says: for each n with a
   * certificate, re-propose the digest of the highest view). A request committed in the old view
   * at some replicas is replaced by a null request at the others: agreement breaks.
   */
  mistakeViewChangeIgnoresPrepared: z.boolean().default(false),
  /**
   * Test hook (Twins, Bano et al. 2021, §4: the scenario assigns the leader of each round): the
   * primary of view v, overriding §4.1's v mod |R| when it returns an id. Default: none.
   */
  leaderOf: z.custom<(v: number) => string | undefined>((f) => typeof f === "function", {
    message: "must be a function (view) => node id",
  }).optional(),
}).strict();

/** Parameters as written. */
export type PbftConfigInput = z.input<typeof PbftConfigSchema>;
/** Parameters with defaults applied. */
export type PbftConfig = z.output<typeof PbftConfigSchema>;
