/**
 * Configuration of the lock protocols (zod, with defaults; a ConfigError names the bad field):
 * the lease client over the Raft key-value store, the protected resource, and Redlock.
 * All times are milliseconds of the node's own local clock.
 * @module
 */
import { z } from "zod";

const Ms = z.number().finite().positive();
const NodeName = z.string().min(1);

/** Node ids must be distinct: a duplicate would count one vote twice. */
function uniqueNodes(ids: readonly string[], ctx: z.RefinementCtx): void {
  const seen = new Set<string>();
  ids.forEach((id, i) => {
    if (seen.has(id)) {
      ctx.addIssue({ code: "custom", path: [i], message: `duplicate node "${id}"` });
    }
    seen.add(id);
  });
}

/** The protected resource (a simulated storage node). */
export const ResourceConfigSchema = z.object({
  /**
   * Reject a write whose fencing token is lower than the highest token seen (Kleppmann 2016,
   * "Making the lock safe with fencing"). Off, every write is accepted. Default true.
   */
  fencing: z.boolean().default(true),
}).strict();

/** Resource parameters as written. */
export type ResourceConfigInput = z.input<typeof ResourceConfigSchema>;

/**
 * A lease client over the Raft key-value store. In "election" mode it competes forever for the
 * lease and, while it holds it, acts as leader (a write to the resource every `actEveryMs`); in
 * "lock" mode it acquires once, makes `writes` writes and releases.
 */
export const LeaseClientConfigSchema = z.object({
  /** The key-value servers (at least one, distinct). */
  servers: z.array(NodeName).min(1).superRefine(uniqueNodes),
  /** The key holding the lease record. Default "lease". */
  key: z.string().min(1).default("lease"),
  /** Lease duration: a holder trusts its lease this long after sending its acquire/renew. */
  leaseMs: Ms,
  /** A holder renews every this often (must be below `leaseMs`). Default leaseMs / 3. */
  renewEveryMs: Ms.optional(),
  /** Non-holders read the lease record this often. Default 20. */
  pollMs: Ms.default(20),
  /** A request unanswered this long is retried at the next server. Default 60. */
  requestTimeoutMs: Ms.default(60),
  /** "election" (compete forever) or "lock" (acquire once, write, release). Default "election". */
  mode: z.enum(["election", "lock"]).default("election"),
  /** The protected resource the holder writes to (none: the holder only holds). */
  resource: NodeName.optional(),
  /** Delay before the first attempt (local clock). Default 0. */
  startDelayMs: z.number().finite().min(0).default(0),
  /** Election mode: the leader acts (writes to the resource) this often. Default 50. */
  actEveryMs: Ms.default(50),
  /**
   * Time between checking the lease and the write it allows (the work in between): a pause that
   * falls in this window lets a stale holder write. Default 2.
   */
  workMs: z.number().finite().min(0).default(2),
  /** Lock mode: writes made under the lock, `actEveryMs` apart, before releasing. Default 3. */
  writes: z.number().int().min(1).default(3),
  /**
   * When a contender may take over a held lease. "observed" (default): once it has seen the same
   * record unchanged for `leaseMs`, timed with a timer (monotonic, so no clock offset or jump
   * moves it). "expiry" — a classic mistake, off by default: once its own clock passes the
   * expiry the holder wrote in the record (its local time of sending + `leaseMs`), which trusts
   * the two clocks to agree; a contender whose clock runs ahead takes over while the holder still
   * trusts its lease (Kleppmann 2016, "Breaking Redlock with bad timings", on timing assumptions).
   */
  takeover: z.enum(["observed", "expiry"]).default("observed"),
}).strict().superRefine((c, ctx) => {
  if (c.renewEveryMs !== undefined && c.renewEveryMs >= c.leaseMs) {
    ctx.addIssue({
      code: "custom",
      path: ["renewEveryMs"],
      message: `must be below leaseMs (${c.leaseMs}): a holder must renew before its lease ends`,
    });
  }
});

/** Lease client parameters as written. */
export type LeaseClientConfigInput = z.input<typeof LeaseClientConfigSchema>;
/** Lease client parameters with defaults applied. */
export type LeaseClientConfig = z.output<typeof LeaseClientConfigSchema>;

/** A Redlock client over independent Redis-like nodes (the Redis "distlock" algorithm). */
export const RedlockConfigSchema = z.object({
  /** The independent lock nodes (at least 3, distinct; the lock needs a majority of them). */
  nodes: z.array(NodeName).min(3).superRefine(uniqueNodes),
  /** The lock's key. Default "lock". */
  key: z.string().min(1).default("lock"),
  /** The keys' time to live, the lock's initial validity. */
  ttlMs: Ms,
  /** Clock drift allowance: drift = ttl × factor + `driftExtraMs`. Default 0.01 (Redis's). */
  driftFactor: z.number().min(0).lt(1).default(0.01),
  /** Constant part of the drift allowance. Default 2 (Redis's reference implementations). */
  driftExtraMs: z.number().finite().min(0).default(2),
  /** How long the client waits for the nodes' answers. Default 50. */
  replyTimeoutMs: Ms.default(50),
  /** Wait before retrying after a failed attempt. Default 30. */
  retryDelayMs: Ms.default(30),
  /** Delay before the first attempt (local clock). Default 0. */
  startDelayMs: z.number().finite().min(0).default(0),
  /** The protected resource (none: the holder only holds). */
  resource: NodeName.optional(),
  /** Writes made under the lock, `writeEveryMs` apart, before releasing. Default 3. */
  writes: z.number().int().min(1).default(3),
  /** Gap between writes. Default 50. */
  writeEveryMs: Ms.default(50),
  /** Time between checking the validity and the write (see LeaseClientConfigSchema). Default 2. */
  workMs: z.number().finite().min(0).default(2),
}).strict();

/** Redlock client parameters as written. */
export type RedlockConfigInput = z.input<typeof RedlockConfigSchema>;
/** Redlock client parameters with defaults applied. */
export type RedlockConfig = z.output<typeof RedlockConfigSchema>;
