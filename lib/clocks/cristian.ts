/**
 * Cristian's algorithm (Cristian, "Probabilistic Clock Synchronization", Distributed Computing
 * 3(3), 1989). A client asks a time server for its time T, measures the round trip RTT on its own
 * clock and sets its clock to T + RTT/2. The server read its clock somewhere inside the round
 * trip, so the error is at most RTT/2 (RTT/2 − min when a minimum one-way delay min is known):
 * a short round trip gives a tight bound, which is why the probabilistic version retries until
 * it gets an RTT under a threshold (or, here, keeps the shortest of a few attempts).
 *
 * Every node answers requests with its corrected clock, so any node can serve; nodes other than
 * `serverId` poll it every `pollIntervalMs` of their local clock.
 *
 * Events: `{ type: "sync", algorithm: "cristian", rttMs, stepMs, attempts }` on each adjustment.
 * @module
 */
import { z } from "zod";
import type { NodeContext, NodeId } from "../sim/types.ts";
import { parseConfig } from "../sim/errors.ts";
import { ClockDiscipline, type SyncNode, type SyncNodeFactory } from "./discipline.ts";

/** Messages of Cristian's algorithm. */
export type CristianMessage =
  | { readonly type: "cristianRequest"; readonly seq: number }
  | { readonly type: "cristianReply"; readonly seq: number; readonly serverTimeMs: number };

/** Parameters of Cristian's algorithm (zod, with defaults). */
export const CristianConfigSchema = z.object({
  /** The time server. Default "n0". */
  serverId: z.string().min(1).default("n0"),
  /** Local-clock time between two synchronization rounds. Default 10 000 ms. */
  pollIntervalMs: z.number().positive().default(10_000),
  /** Requests per round at most; the shortest round trip of the round is used. Default 1. */
  maxAttempts: z.number().int().min(1).default(1),
  /** Accept the first reply whose RTT is at most this (Cristian's 2U threshold). Default none. */
  maxRttMs: z.number().positive().optional(),
  /** A request without reply after this long counts as lost. Default 1 000 ms. */
  timeoutMs: z.number().positive().default(1_000),
  /**
   * Classic mistake: set the clock to the server's T, ignoring the delay (off by default). The
   * reply is RTT/2 old on average when it arrives, so the clock ends up behind by the one-way
   * delay of the reply, every time.
   */
  ignoreDelay: z.boolean().default(false),
}).strict();

/** Parameters as written. */
export type CristianConfigInput = z.input<typeof CristianConfigSchema>;
/** Parameters with defaults. */
export type CristianConfig = z.output<typeof CristianConfigSchema>;

interface Reply {
  serverTimeMs: number;
  rttMs: number;
  receivedRawMs: number;
}

/** A node running Cristian's algorithm (client unless it is the server). */
export class CristianNode implements SyncNode<CristianMessage> {
  /** Parameters with defaults applied. */
  readonly config: CristianConfig;
  /** The node's clock correction. */
  readonly clock: ClockDiscipline;
  #ctx: NodeContext<CristianMessage>;
  #seq = 0;
  #sentRawMs = 0;
  #attempts = 0;
  #best: Reply | null = null;
  #awaiting = false;
  #syncs = 0;

  /** Parameters are validated (a ConfigError names any bad field). */
  constructor(ctx: NodeContext<CristianMessage>, config: CristianConfigInput = {}) {
    this.#ctx = ctx;
    this.config = parseConfig(CristianConfigSchema, config, "cristian config");
    this.clock = new ClockDiscipline(() => ctx.nowMs());
  }

  /** Whether this node is the time server. */
  get isServer(): boolean {
    return this.#ctx.self === this.config.serverId;
  }

  correctedNowMs(): number {
    return this.clock.correctedNowMs();
  }

  start(): void {
    if (!this.isServer) this.#beginRound();
  }

  #beginRound(): void {
    this.#attempts = 0;
    this.#best = null;
    this.#attempt();
  }

  #attempt(): void {
    this.#attempts++;
    this.#seq++;
    this.#awaiting = true;
    this.#sentRawMs = this.clock.rawNowMs();
    this.#ctx.send(this.config.serverId, { type: "cristianRequest", seq: this.#seq });
    this.#ctx.setTimer("timeout", this.config.timeoutMs);
  }

  onMessage(from: NodeId, msg: CristianMessage): void {
    if (msg.type === "cristianRequest") {
      this.#ctx.send(from, {
        type: "cristianReply",
        seq: msg.seq,
        serverTimeMs: this.clock.correctedNowMs(),
      });
      return;
    }
    // a late reply to an earlier attempt (or a duplicate) is stale: its RTT is unknown
    if (from !== this.config.serverId || !this.#awaiting || msg.seq !== this.#seq) return;
    this.#awaiting = false;
    this.#ctx.cancelTimer("timeout");
    const now = this.clock.rawNowMs();
    const reply: Reply = {
      serverTimeMs: msg.serverTimeMs,
      rttMs: now - this.#sentRawMs,
      receivedRawMs: now,
    };
    if (!this.#best || reply.rttMs < this.#best.rttMs) this.#best = reply;
    const max = this.config.maxRttMs;
    if ((max !== undefined && reply.rttMs <= max) || this.#attempts >= this.config.maxAttempts) {
      this.#finishRound();
    } else {
      this.#attempt();
    }
  }

  onTimer(name: string): void {
    if (name === "poll") return this.#beginRound();
    if (name === "timeout") {
      this.#awaiting = false;
      if (this.#attempts < this.config.maxAttempts) this.#attempt();
      else this.#finishRound();
    }
  }

  #finishRound(): void {
    const r = this.#best;
    if (r) {
      const age = this.clock.rawNowMs() - r.receivedRawMs;
      // Cristian 1989: the server's reading is RTT/2 old, ± RTT/2, when the reply arrives
      const estimate = this.config.ignoreDelay
        ? r.serverTimeMs + age
        : r.serverTimeMs + r.rttMs / 2 + age;
      const stepMs = this.clock.setTo(estimate);
      this.#syncs++;
      this.#ctx.emit({
        type: "sync",
        algorithm: "cristian",
        rttMs: r.rttMs,
        stepMs,
        attempts: this.#attempts,
      });
    }
    this.#ctx.setTimer("poll", this.config.pollIntervalMs);
  }

  inspect(): unknown {
    return { server: this.isServer, syncs: this.#syncs, clock: this.clock.inspect() };
  }
}

/**
 * A factory for Cristian's algorithm (config validated now, so a bad field fails before a run).
 * @example
 * ```ts
 * const { sim } = createCluster({ seed: 1, nodes: 4, factory: cristianFactory({ maxAttempts: 3 }) });
 * ```
 */
export function cristianFactory(
  config: CristianConfigInput = {},
): SyncNodeFactory<CristianMessage> {
  parseConfig(CristianConfigSchema, config, "cristian config");
  return (ctx) => new CristianNode(ctx, config);
}

/**
 * The deliberately naive algorithm: ask the server and set the clock to its reading, ignoring
 * the message delay (Cristian with `ignoreDelay`). Expected error: minus the reply's one-way delay.
 */
export function naiveFactory(
  config: Omit<CristianConfigInput, "ignoreDelay"> = {},
): SyncNodeFactory<CristianMessage> {
  return cristianFactory({ ...config, ignoreDelay: true });
}
