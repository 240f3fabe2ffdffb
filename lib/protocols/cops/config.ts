/** Configuration of the COPS-style causally consistent store. @module */
import { z } from "zod";
import { LatencySchema } from "../../net/latency.ts";

/** Parameters of one replica (one datacenter) (zod). */
export const CopsReplicaConfigSchema = z.object({
  /**
   * Anti-entropy period (local-clock ms): each replica sends, to every peer, how much of each
   * origin's writes it has received; the peer resends what is missing (partitions drop writes).
   */
  syncIntervalMs: z.number().positive().default(100),
  /**
   * Classic mistake, off by default: apply a remote write on receipt, without waiting for its
   * dependencies (no dep_check). A reader can then see an effect before its cause (a reply
   * before the question, y = 1 before the x = 1 that was written first); the causal checker
   * reports WriteCOInitRead or WriteCORead with the path of operations.
   */
  ignoreDependencies: z.boolean().default(false),
}).strict();

/** Replica parameters as written. */
export type CopsReplicaConfigInput = z.input<typeof CopsReplicaConfigSchema>;
/** Replica parameters with defaults. */
export type CopsReplicaConfig = z.output<typeof CopsReplicaConfigSchema>;

/** Parameters of a whole run: datacenters, clients and their workload (zod). */
export const CopsClusterSchema = z.object({
  /** Root seed. */
  seed: z.union([z.number().int(), z.string().min(1)]),
  /** Datacenters, one replica each (ids n0..n{k-1}). */
  datacenters: z.number().int().min(1).max(64).default(3),
  /** Client processes (closed loop); client k talks only to datacenter k mod `datacenters`. */
  clients: z.number().int().min(1).max(1000).default(6),
  /** Keys the clients read and write (k0..k{keys-1}). */
  keys: z.number().int().min(1).max(100_000).default(5),
  /**
   * Fraction of operations that are puts. Default 0.3: with mostly reads, a reader often meets
   * an effect before its cause when dependencies are ignored (16 of 20 seeds under partitions
   * at the defaults, against 7 of 20 with half puts and 3 keys).
   */
  writeRatio: z.number().min(0).max(1).default(0.3),
  /** Pause between a reply and a client's next operation (ms). */
  thinkTimeMs: z.number().min(0).default(5),
  /** Clients issue operations until this time (ms). */
  endMs: z.number().positive().default(2000),
  /** After `endMs` every fault is repaired and the replicas get this long to converge (ms). */
  settleMs: z.number().min(0).default(2000),
  /** A client operation with no reply after this long has an unknown outcome (ms). */
  timeoutMs: z.number().positive().default(1000),
  /** Latency between a client and its local datacenter. Default constant 1 ms. */
  localLatency: LatencySchema.default({ kind: "constant", ms: 1 }),
  /**
   * Latency between two datacenters (wide area). Default uniform 5–100 ms: spread enough that
   * a later write often overtakes an earlier one on another link.
   */
  wanLatency: LatencySchema.default({ kind: "uniform", minMs: 5, maxMs: 100 }),
  /** Probability that a message between two datacenters is lost (anti-entropy resends). */
  wanLossRatio: z.number().min(0).max(1).default(0),
  /** Replica parameters. */
  replica: CopsReplicaConfigSchema.default(CopsReplicaConfigSchema.parse({})),
}).strict();

/** Run parameters as written (network and nemesis go beside them, see createCopsCluster). */
export type CopsClusterInput = z.input<typeof CopsClusterSchema>;
/** Run parameters with defaults. */
export type CopsClusterConfig = z.output<typeof CopsClusterSchema>;
