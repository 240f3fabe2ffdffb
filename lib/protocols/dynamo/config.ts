/**
 * Configuration of the Dynamo-style store (DeCandia et al., "Dynamo: Amazon's highly available
 * key-value store", SOSP 2007): replication N, quorums R and W (§4.5), virtual nodes (§4.2),
 * strict or sloppy quorums with hinted handoff (§4.6), read repair (§5), Merkle anti-entropy
 * (§4.7) and the conflict rule (§4.4: version vectors with siblings, or last-writer-wins).
 * @module
 */
import { z } from "zod";
import { ConfigError, parseConfig } from "../../sim/errors.ts";

/** Store parameters (zod, every field has a default). Times are the node's local-clock ms. */
export const DynamoConfigSchema = z.object({
  /** Replicas per key: the first N distinct nodes clockwise on the ring (§4.3). Default 3. */
  n: z.number().int().min(1).default(3),
  /** Replies a get waits for (§4.5). Default 2. */
  r: z.number().int().min(1).default(2),
  /** Acknowledgements a put waits for, the coordinator's own included (§4.5). Default 2. */
  w: z.number().int().min(1).default(2),
  /** Ring positions (tokens) per physical node (§4.2). Default 16. */
  vnodes: z.number().int().min(1).max(4096).default(16),
  /**
   * "strict": only the top N of the preference list count; "sloppy": the first N healthy nodes of
   * the ring walk, a stand-in keeping a hint for the node it replaces (§4.6). Default "sloppy".
   */
  quorum: z.enum(["strict", "sloppy"]).default("sloppy"),
  /**
   * "vv": dotted version vectors, concurrent versions kept as siblings and returned with a
   * context (§4.4); "lww": the version with the highest coordinator local-clock timestamp wins.
   * Default "vv".
   */
  conflict: z.enum(["vv", "lww"]).default("vv"),
  /**
   * "preference": a node not among the key's targets forwards the request to the first healthy
   * one (§4.5); "any": the node the client contacted coordinates. Default "preference".
   */
  coordinator: z.enum(["preference", "any"]).default("preference"),
  /**
   * "n": a put or get goes to all N targets and waits for the first W or R (§4.5); "quorum": it
   * goes to only W (put) or R (get) targets drawn at random from the N, so a version reaches
   * exactly W replicas unless repair, hints or anti-entropy spread it (the setting of Bailis et
   * al.'s k-staleness closed form in "Probabilistically Bounded Staleness", VLDB 2012). Default "n".
   */
  fanout: z.enum(["n", "quorum"]).default("n"),
  /** A get or put that has not reached its quorum after this long fails. Default 200. */
  requestTimeoutMs: z.number().positive().default(200),
  /** Sloppy quorum: a target silent this long is replaced by the next healthy node. Default 50. */
  replicaTimeoutMs: z.number().positive().default(50),
  /** Read repair (§5): push the merged version to stale replicas that answered. Default true. */
  readRepair: z.boolean().default(true),
  /** After answering a get, wait this long for the remaining replies before repairing. Default 20. */
  readRepairWaitMs: z.number().min(0).default(20),
  /** Period of hinted-handoff delivery attempts (§4.6). Default 100. */
  handoffIntervalMs: z.number().positive().default(100),
  /** Failure detector: ping period (0: no pings, every peer is always healthy). Default 50. */
  probeIntervalMs: z.number().min(0).default(50),
  /** A peer not heard from for this long is suspected (not healthy). Default 150. */
  suspectAfterMs: z.number().positive().default(150),
  /** Anti-entropy (§4.7). */
  antiEntropy: z.object({
    /** Period of one exchange with the next peer (0: off). Default 0. */
    intervalMs: z.number().min(0).default(0),
    /** "merkle": compare tree hashes top-down, ship differing leaves; "full": ship everything. */
    mode: z.enum(["merkle", "full"]).default("merkle"),
    /** Tree depth: 2^depth leaves over the hash space. Default 6. */
    depth: z.number().int().min(0).max(16).default(6),
  }).strict().default({ intervalMs: 0, mode: "merkle", depth: 6 }),
}).strict();

/** Store parameters as written. */
export type DynamoConfigInput = z.input<typeof DynamoConfigSchema>;
/** Store parameters with defaults. */
export type DynamoConfig = z.output<typeof DynamoConfigSchema>;

/**
 * Parse store parameters; `clusterSize` (when known) bounds N. A ConfigError names the field:
 * `r` or `w` larger than `n`, `n` larger than the cluster, `vnodes` below 1, ...
 */
export function parseDynamoConfig(input: unknown, clusterSize?: number): DynamoConfig {
  const c = parseConfig(DynamoConfigSchema, input ?? {}, "dynamo config");
  const issues: { path: string; message: string }[] = [];
  if (c.r > c.n) issues.push({ path: "r", message: `R = ${c.r} exceeds N = ${c.n}` });
  if (c.w > c.n) issues.push({ path: "w", message: `W = ${c.w} exceeds N = ${c.n}` });
  if (clusterSize !== undefined && c.n > clusterSize) {
    issues.push({ path: "n", message: `N = ${c.n} exceeds the cluster size ${clusterSize}` });
  }
  if (issues.length) throw new ConfigError("dynamo config", issues);
  return c;
}

/** Per-request overrides of N, R and W (each defaults to the store's configuration). */
export const QuorumOverrideSchema = z.object({
  /** Replicas for this request. */
  n: z.number().int().min(1).optional(),
  /** Replies a get waits for. */
  r: z.number().int().min(1).optional(),
  /** Acknowledgements a put waits for. */
  w: z.number().int().min(1).optional(),
}).strict();

/** Per-request overrides of N, R and W. */
export type QuorumOverride = z.input<typeof QuorumOverrideSchema>;

/**
 * The N, R and W of one request: overrides on top of the configuration, checked like the
 * configuration (a ConfigError names `r`, `w` or `n`).
 */
export function resolveQuorum(
  config: DynamoConfig,
  override: QuorumOverride | undefined,
  clusterSize: number,
): { n: number; r: number; w: number } {
  const o = parseConfig(QuorumOverrideSchema, override ?? {}, "dynamo request");
  const q = { n: o.n ?? config.n, r: o.r ?? config.r, w: o.w ?? config.w };
  const issues: { path: string; message: string }[] = [];
  if (q.r > q.n) issues.push({ path: "r", message: `R = ${q.r} exceeds N = ${q.n}` });
  if (q.w > q.n) issues.push({ path: "w", message: `W = ${q.w} exceeds N = ${q.n}` });
  if (q.n > clusterSize) {
    issues.push({ path: "n", message: `N = ${q.n} exceeds the cluster size ${clusterSize}` });
  }
  if (issues.length) throw new ConfigError("dynamo request", issues);
  return q;
}
