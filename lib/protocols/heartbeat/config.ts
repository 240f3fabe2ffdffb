/** Configuration of the heartbeat failure detector. @module */
import { z } from "zod";

/** Detector parameters (zod; defaults give a fixed 500 ms timeout over 100 ms heartbeats). */
export const HeartbeatConfigSchema = z.object({
  /** How often each node sends a heartbeat to every peer (local-clock ms). */
  intervalMs: z.number().positive().default(100),
  /** "fixed": suspect after `timeoutMs` of silence; "phi": the phi-accrual detector. */
  detector: z.enum(["fixed", "phi"]).default("fixed"),
  /** Fixed detector: silence after which a peer is suspected. */
  timeoutMs: z.number().positive().default(500),
  /** Phi detector: suspect when phi exceeds this (phi = 1 means a 10% chance the peer is alive). */
  phiThreshold: z.number().positive().default(8),
  /** Phi detector: inter-arrival samples kept. */
  windowSize: z.number().int().min(2).default(100),
  /** Phi detector: floor on the standard deviation, so a perfectly regular link is not too eager. */
  minStdMs: z.number().positive().default(10),
  /** Phi detector: extra allowance added to the mean (Akka's acceptable-heartbeat-pause). */
  acceptablePauseMs: z.number().min(0).default(0),
  /**
   * Phi detector: which inter-arrival gaps enter the window (never one that spans a restart of
   * the peer, recognised by its heartbeat counter starting again).
   * - "dropSuspected": not a gap whose heartbeat arrives while the peer is suspected (Akka's
   *   PhiAccrualFailureDetector: "don't use the first heartbeat after failure for the history").
   *   The window then never sees the long gaps that loss produces, so it never learns loss.
   * - "all": every gap, so loss widens the learnt distribution (and so does a crash-restart gap).
   * - "maxInterval": every gap up to `maxIntervalMs`, suspected or not (Cassandra's ArrivalWindow,
   *   which ignores gaps above `cassandra.fd_max_interval_ms`, 2 gossip intervals by default).
   * Default "all".
   */
  gapFilter: z.enum(["dropSuspected", "all", "maxInterval"]).default("all"),
  /** Phi detector with gapFilter "maxInterval": longest gap kept (ms; default 2 × intervalMs). */
  maxIntervalMs: z.number().positive().optional(),
  /** How often suspicion is re-evaluated (local-clock ms). */
  checkIntervalMs: z.number().positive().default(10),
}).strict();

/** Parameters as written. */
export type HeartbeatConfigInput = z.input<typeof HeartbeatConfigSchema>;
/** Parameters with defaults. */
export type HeartbeatConfig = z.output<typeof HeartbeatConfigSchema>;
