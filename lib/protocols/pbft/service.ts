/**
 * PBFT's own client-server pair (Castro and Liskov, OSDI 1999, §4.1): a replica host that executes
 * operations on a tiny deterministic state machine (a counter of executed operations) and replies
 * from every replica, and a client that sends <REQUEST, o, t, c> to the primary, broadcasts it to
 * every replica after a timeout, and accepts a result after f + 1 matching replies from different
 * replicas. The measurements of lib/experiments/bft_pbft.ts run on these.
 * @module
 */
import type { NodeContext, NodeId, ProtocolNode } from "../../sim/types.ts";
import type { PbftConfigInput } from "./config.ts";
import type { PbftCommandBase, PbftMessage, PbftReply, PbftRequest } from "./messages.ts";
import { PbftNode } from "./node.ts";

/** A client operation as the log orders it. */
export interface PbftOp extends PbftCommandBase {
  /** The operation o. */
  readonly o: unknown;
  /** Where replies go. */
  readonly replyTo: NodeId;
}

/** Everything a PBFT service replica or client handles. */
export type PbftServiceMessage = PbftMessage<PbftOp> | PbftRequest | PbftReply;

interface Snap {
  count: number;
  last: [string, { t: number; r: unknown }][];
}

/**
 * A replica of the PBFT service: requests go to the log; every executed request is answered by
 * every replica (§4.1: "each replica executes the request and sends a reply to the client").
 * @example
 * ```ts
 * const factory = (ctx) => new PbftService(ctx, { batchSize: 4 });
 * ```
 */
export class PbftService implements ProtocolNode<PbftServiceMessage> {
  /** The PBFT log. */
  readonly log: PbftNode<PbftOp>;
  #ctx: NodeContext<PbftServiceMessage>;
  #count = 0;
  #last = new Map<string, { t: number; r: unknown }>();

  /** A replica over `ctx` with PBFT parameters `config`. */
  constructor(ctx: NodeContext<PbftServiceMessage>, config?: PbftConfigInput) {
    this.#ctx = ctx;
    this.log = new PbftNode<PbftOp>(ctx as NodeContext<PbftMessage<PbftOp>>, config, {
      apply: (e) => this.#apply(e.command),
      snapshot: (): Snap => ({ count: this.#count, last: [...this.#last] }),
      restore: (s) => {
        const snap = s as Snap;
        this.#count = snap.count;
        this.#last = new Map(snap.last);
      },
    });
  }

  /** Start or restart the log. */
  start(): void {
    this.log.start();
  }

  /** Requests are proposed (or relayed by a backup); the rest is the log protocol's. */
  onMessage(from: NodeId, msg: PbftServiceMessage): void {
    if (msg.type === "REPLY") return;
    if (msg.type !== "REQUEST") return this.log.onMessage(from, msg);
    const last = this.#last.get(msg.clientId);
    // §4.1: an old request is answered from the last reply, never executed again
    if (last && msg.seq <= last.t) {
      if (msg.seq === last.t) this.#reply(msg.replyTo, msg.clientId, last.t, last.r);
      return;
    }
    this.log.propose({ clientId: msg.clientId, seq: msg.seq, o: msg.o, replyTo: msg.replyTo });
  }

  /** Log timers. */
  onTimer(name: string): void {
    this.log.onTimer(name);
  }

  /** The log's inspection and the counter. */
  inspect(): { count: number; log: unknown } {
    return { count: this.#count, log: this.log.inspect() };
  }

  #apply(c: PbftOp): void {
    const last = this.#last.get(c.clientId);
    if (last && c.seq <= last.t) return;
    const r = ++this.#count;
    this.#last.set(c.clientId, { t: c.seq, r });
    this.#reply(c.replyTo, c.clientId, c.seq, r);
  }

  #reply(to: NodeId, c: string, t: number, r: unknown): void {
    const msg: PbftReply = { type: "REPLY", v: this.log.view, t, c, i: this.#ctx.self, r };
    this.#ctx.send(to, msg);
  }
}

/** Options of {@link PbftClient}. */
export interface PbftClientOptions {
  /** Faults tolerated (f + 1 matching replies accepted). Default ⌊(n − 1)/3⌋. */
  readonly f?: number;
  /** Requests to send, one at a time (default unlimited). */
  readonly requests?: number;
  /** Retransmission timeout: then the request is broadcast to every replica (§4.1). Default 300 ms. */
  readonly timeoutMs?: number;
  /** When to send the first request (local ms). Default 0. */
  readonly startMs?: number;
}

/** One completed request of a {@link PbftClient}. */
export interface PbftClientDone {
  /** Timestamp t. */
  readonly t: number;
  /** When it was first sent (local ms). */
  readonly sentMs: number;
  /** When f + 1 matching replies were in (local ms). */
  readonly doneMs: number;
  /** The result. */
  readonly r: unknown;
}

/**
 * A PBFT client (§4.1), closed loop: one request at a time to the primary it believes in; after a
 * timeout it broadcasts; f + 1 matching replies from different replicas make the result. Emits
 * `{ type: "pbft-client-done", t, latencyMs }` per completed request.
 */
export class PbftClient implements ProtocolNode<PbftServiceMessage> {
  /** Completed requests, in order. */
  readonly done: PbftClientDone[] = [];
  #ctx: NodeContext<PbftServiceMessage>;
  #o: Required<Omit<PbftClientOptions, "f">> & { f: number };
  #replicas: NodeId[];
  #view = 0;
  #t = 0;
  #sentMs = 0;
  #replies = new Map<NodeId, unknown>();
  #inFlight = false;

  /** A client over `ctx` (its peers are the replicas). */
  constructor(ctx: NodeContext<PbftServiceMessage>, options: PbftClientOptions = {}) {
    this.#ctx = ctx;
    this.#replicas = [...ctx.peers].sort();
    const n = this.#replicas.length;
    this.#o = {
      f: options.f ?? Math.floor((n - 1) / 3),
      requests: options.requests ?? Infinity,
      timeoutMs: options.timeoutMs ?? 300,
      startMs: options.startMs ?? 0,
    };
  }

  /** Send the first request at `startMs`. */
  start(): void {
    if (this.#t > 0) return;
    if (this.#o.startMs > this.#ctx.nowMs()) {
      this.#ctx.setTimer("client:start", this.#o.startMs - this.#ctx.nowMs());
    } else this.#next();
  }

  /** Collect replies. */
  onMessage(from: NodeId, msg: PbftServiceMessage): void {
    if (msg.type !== "REPLY" || !this.#inFlight || msg.t !== this.#t) return;
    if (msg.c !== this.#ctx.self) return;
    if (msg.i !== from || !this.#replicas.includes(from)) return;
    this.#replies.set(from, msg.r);
    if (msg.v > this.#view) this.#view = msg.v;
    let same = 0;
    for (const r of this.#replies.values()) if (r === msg.r) same++;
    // §4.1: f + 1 matching replies from different replicas
    if (same < this.#o.f + 1) return;
    const doneMs = this.#ctx.nowMs();
    this.done.push({ t: this.#t, sentMs: this.#sentMs, doneMs, r: msg.r });
    this.#ctx.emit({ type: "pbft-client-done", t: this.#t, latencyMs: doneMs - this.#sentMs });
    this.#ctx.cancelTimer("client:retry");
    this.#inFlight = false;
    this.#next();
  }

  /** Start or retransmit. */
  onTimer(name: string): void {
    if (name === "client:start") return this.#next();
    if (name !== "client:retry" || !this.#inFlight) return;
    // §4.1: no reply in time: broadcast the request to every replica
    for (const r of this.#replicas) this.#ctx.send(r, this.#request());
    this.#ctx.setTimer("client:retry", this.#o.timeoutMs);
  }

  /** Progress. */
  inspect(): { t: number; done: number; view: number } {
    return { t: this.#t, done: this.done.length, view: this.#view };
  }

  #request(): PbftRequest {
    return {
      type: "REQUEST",
      clientId: this.#ctx.self,
      seq: this.#t,
      o: `op${this.#t}`,
      replyTo: this.#ctx.self,
    };
  }

  #next(): void {
    if (this.done.length >= this.#o.requests) return;
    this.#t++;
    this.#inFlight = true;
    this.#replies.clear();
    this.#sentMs = this.#ctx.nowMs();
    this.#ctx.send(this.#replicas[this.#view % this.#replicas.length], this.#request());
    this.#ctx.setTimer("client:retry", this.#o.timeoutMs);
  }
}
