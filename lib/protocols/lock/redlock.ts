/**
 * Redlock, the Redis "distlock" algorithm, over independent Redis-like nodes. A node keeps
 * `key → (value, expiry on its own clock)` and answers `SET key value NX PX ttl`. The client
 * sends the SET to every node at once (the Redis page tries them one after the other, each
 * with a timeout much shorter than the ttl; a parallel round keeps the same majority and
 * validity rule and only shortens `elapsed`), then holds the lock when a majority set it and the validity
 * `ttl − elapsed − (ttl × driftFactor + driftExtraMs)`, measured from before the first SET on its
 * own clock, is positive (drift = ttl × 0.01 + 2 ms in the reference implementations, e.g.
 * redlock-py: 1 ms for Redis's expiry precision plus 1 ms minimum drift). Otherwise it deletes
 * its value everywhere and retries. Its per-acquisition values are random, unique but not
 * increasing, so it has no fencing token to offer (Kleppmann 2016, "Making the lock safe with
 * fencing"); its writes carry `token: null`.
 *
 * Events: as the lease client (`hold-begin`, `hold-end`, `act-begin`, `act`), plus
 * `redlock-attempt {client, acquired, votes, validityMs}`.
 * @module
 */
import type { NodeContext, NodeId, ProtocolNode } from "../../sim/types.ts";
import { parseConfig } from "../../sim/errors.ts";
import { type RedlockConfig, type RedlockConfigInput, RedlockConfigSchema } from "./config.ts";
import type { LockMessage, RedisSet } from "./messages.ts";

/** A Redis-like node: keys expire by its own local clock (a clock jump moves every expiry). */
export class RedisNode implements ProtocolNode<LockMessage> {
  #ctx: NodeContext<LockMessage>;
  #keys = new Map<string, { value: string; expiresLocalMs: number }>();

  /** An empty node. */
  constructor(ctx: NodeContext<LockMessage>) {
    this.#ctx = ctx;
  }

  /** SET NX PX and the compare-and-delete release. */
  onMessage(from: NodeId, msg: LockMessage): void {
    if (msg.type === "RedisSet") this.#set(from, msg);
    else if (msg.type === "RedisDel") {
      if (this.#live(msg.key)?.value === msg.value) this.#keys.delete(msg.key);
    }
  }

  #live(key: string): { value: string; expiresLocalMs: number } | undefined {
    const k = this.#keys.get(key);
    if (k && this.#ctx.nowMs() >= k.expiresLocalMs) {
      this.#keys.delete(key);
      return undefined;
    }
    return k;
  }

  #set(from: NodeId, m: RedisSet): void {
    const ok = this.#live(m.key) === undefined;
    if (ok) this.#keys.set(m.key, { value: m.value, expiresLocalMs: this.#ctx.nowMs() + m.ttlMs });
    this.#ctx.send(from, { type: "RedisSetReply", value: m.value, ok });
  }

  /** The live keys with their remaining time to live on this node's clock. */
  inspect(): { key: string; value: string; ttlMs: number }[] {
    const now = this.#ctx.nowMs();
    return [...this.#keys].filter(([, v]) => v.expiresLocalMs > now)
      .map(([key, v]) => ({ key, value: v.value, ttlMs: v.expiresLocalMs - now }));
  }
}

/**
 * A Redlock client: acquires once, makes `writes` writes to the resource `writeEveryMs` apart
 * (each after checking its validity, then `workMs` of work), and releases.
 * @example
 * ```ts
 * sim.addNode("a", (ctx) => new RedlockClient(ctx, { nodes: ["r0", "r1", "r2"], ttlMs: 500 }),
 *   { role: "client" });
 * ```
 */
export class RedlockClient implements ProtocolNode<LockMessage> {
  /** Parameters with defaults applied. */
  readonly config: RedlockConfig;
  #ctx: NodeContext<LockMessage>;
  #attempt = 0;
  #round: { value: string; startLocalMs: number; votes: Set<NodeId>; replies: number } | undefined;
  #holding: { hold: number; value: string; validUntilLocalMs: number; writes: number } | undefined;
  #holds = 0;
  #pending: number | undefined;
  #done = false;

  /** A client with the given parameters (validated). */
  constructor(ctx: NodeContext<LockMessage>, config: RedlockConfigInput) {
    this.config = parseConfig(RedlockConfigSchema, config, "redlock config");
    this.#ctx = ctx;
  }

  /** First attempt after the start delay. */
  start(): void {
    this.#ctx.setTimer("redlock:try", this.config.startDelayMs);
  }

  /** Votes from the nodes. */
  onMessage(from: NodeId, msg: LockMessage): void {
    const r = this.#round;
    if (msg.type !== "RedisSetReply" || !r || msg.value !== r.value) return;
    r.replies++;
    if (msg.ok) r.votes.add(from);
    if (r.replies === this.config.nodes.length) this.#decide();
  }

  /** Attempts, the reply timeout, writes. */
  onTimer(name: string): void {
    if (name === "redlock:try") this.#try();
    else if (name === "redlock:decide") this.#decide();
    else if (name === "redlock:act") this.#actCheck();
    else if (name === "redlock:act-do") this.#actDo();
  }

  /** A plain snapshot. */
  inspect(): unknown {
    return { holding: this.#holding ? { ...this.#holding } : null, done: this.#done };
  }

  /** The validity the algorithm grants after `elapsedMs` of acquiring. */
  validityMs(elapsedMs: number): number {
    const c = this.config;
    return c.ttlMs - elapsedMs - (c.ttlMs * c.driftFactor + c.driftExtraMs);
  }

  #try(): void {
    if (this.#done || this.#holding) return;
    const value = `${this.#ctx.self}:${++this.#attempt}`;
    this.#round = { value, startLocalMs: this.#ctx.nowMs(), votes: new Set(), replies: 0 };
    for (const n of this.config.nodes) {
      this.#ctx.send(n, {
        type: "RedisSet",
        key: this.config.key,
        value,
        ttlMs: this.config.ttlMs,
      });
    }
    this.#ctx.setTimer("redlock:decide", this.config.replyTimeoutMs);
  }

  #decide(): void {
    const r = this.#round;
    if (!r) return;
    this.#round = undefined;
    this.#ctx.cancelTimer("redlock:decide");
    const quorum = Math.floor(this.config.nodes.length / 2) + 1;
    const validity = this.validityMs(this.#ctx.nowMs() - r.startLocalMs);
    const acquired = r.votes.size >= quorum && validity > 0;
    this.#ctx.emit({
      type: "redlock-attempt",
      client: this.#ctx.self,
      acquired,
      votes: r.votes.size,
      validityMs: validity,
    });
    if (!acquired) {
      this.#unlock(r.value);
      this.#ctx.setTimer("redlock:try", this.config.retryDelayMs);
      return;
    }
    const hold = ++this.#holds;
    this.#holding = {
      hold,
      value: r.value,
      validUntilLocalMs: r.startLocalMs + validity,
      writes: 0,
    };
    this.#ctx.emit({ type: "hold-begin", client: this.#ctx.self, hold, token: null });
    this.#ctx.setTimer("redlock:act", 0);
  }

  #unlock(value: string): void {
    for (const n of this.config.nodes) {
      this.#ctx.send(n, { type: "RedisDel", key: this.config.key, value });
    }
  }

  #actCheck(): void {
    const h = this.#holding;
    if (!h) return;
    if (this.#ctx.nowMs() >= h.validUntilLocalMs) return this.#end("expired");
    this.#pending = h.hold;
    this.#ctx.emit({ type: "act-begin", client: this.#ctx.self, hold: h.hold, token: null });
    this.#ctx.setTimer("redlock:act-do", this.config.workMs);
  }

  // As in the lease client: the write in progress does not re-check the validity.
  #actDo(): void {
    const hold = this.#pending;
    this.#pending = undefined;
    if (hold === undefined) return;
    const h = this.#holding?.hold === hold ? this.#holding : undefined;
    const n = h ? ++h.writes : 0;
    this.#ctx.emit({ type: "act", client: this.#ctx.self, hold, token: null });
    if (this.config.resource !== undefined) {
      this.#ctx.send(this.config.resource, {
        type: "ResourceWrite",
        client: this.#ctx.self,
        hold,
        token: null,
        value: `${this.#ctx.self}/${hold}/${n}`,
      });
    }
    if (!h) {
      this.#done = true;
      return;
    }
    // a write that finds the validity gone ends the hold (the next check would anyway)
    if (this.#ctx.nowMs() >= h.validUntilLocalMs) return this.#end("expired");
    if (h.writes >= this.config.writes) {
      this.#end("released");
      this.#unlock(h.value);
      return;
    }
    this.#ctx.setTimer("redlock:act", this.config.writeEveryMs);
  }

  #end(reason: "released" | "expired"): void {
    const h = this.#holding;
    if (!h) return;
    this.#holding = undefined;
    this.#done = true;
    this.#ctx.cancelTimer("redlock:act");
    this.#ctx.emit({ type: "hold-end", client: this.#ctx.self, hold: h.hold, token: null, reason });
  }
}
