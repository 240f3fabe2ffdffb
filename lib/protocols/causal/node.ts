/**
 * Causal broadcast with vector clocks: the CBCAST delivery rule of Birman, Schiper and
 * Stephenson, "Lightweight Causal and Atomic Group Multicast", ACM TOCS 9(3), 1991, §4.
 * Each node counts, per origin, the messages it has delivered (VC). A message m from j stamped
 * VT(m) is delivered at i once
 *   VT(m)[j] = VC_i[j] + 1   (it is the next message from j) and
 *   VT(m)[k] ≤ VC_i[k] for every k ≠ j   (i has delivered everything j had when it sent m);
 * until then it waits in a buffer. Only broadcasts tick the vector, so VT(m) counts exactly the
 * messages in m's causal past.
 *
 * The paper assumes reliable channels; here messages may be lost or cut by partitions, so the
 * node adds anti-entropy (Demers et al. 1987): every `syncIntervalMs` it sends its VC to a random
 * peer, which answers with every message it has delivered that the asker lacks, in its own
 * delivery order (a causal order). Delivered messages are logged durably, so a node survives a
 * crash. The log is never pruned (stability tracking is left out).
 *
 * Events: `{ type: "broadcast", id, origin, seq, V }` at the origin, then
 * `{ type: "deliver", id, origin, seq, V }` at every node that delivers (the origin first).
 * @module
 */
import type { NodeContext, NodeId, ProtocolNode } from "../../sim/types.ts";
import { parseConfig } from "../../sim/errors.ts";
import { vectorGet, vectorIncrement, type VectorTimestamp } from "../../clocks/vector.ts";
import { type CausalData, type CausalMessage, messageId } from "./messages.ts";
import { type CausalConfig, type CausalConfigInput, CausalConfigSchema } from "./config.ts";

const LOG_KEY = "causal.log";

/** Callbacks of the application above causal broadcast. */
export interface CausalHandlers<P> {
  /** Called once per delivered message, in causal order (also for log replay after a restart). */
  onDeliver?(m: CausalData<P>): void;
}

/**
 * A causal broadcast node.
 * @example
 * ```ts
 * const c = createCluster<CausalMessage<string>>({
 *   seed: 1, nodes: 3, factory: (ctx) => new CausalBroadcastNode(ctx, {}),
 * });
 * c.sim.at(10, () => c.sim.instanceOf<CausalBroadcastNode<string>>("n0")!.broadcast("hi"));
 * c.sim.run({ untilMs: 1000 });
 * ```
 */
export class CausalBroadcastNode<P> implements ProtocolNode<CausalMessage<P>> {
  /** Parameters, defaults applied. */
  readonly config: CausalConfig;
  #ctx: NodeContext<CausalMessage<P>>;
  #handlers: CausalHandlers<P>;
  #VC: VectorTimestamp = {};
  #pending: CausalData<P>[] = [];
  #log: CausalData<P>[] = [];

  /** Parameters are validated (a ConfigError names any bad field); the durable log is replayed. */
  constructor(
    ctx: NodeContext<CausalMessage<P>>,
    config: CausalConfigInput = {},
    handlers: CausalHandlers<P> = {},
  ) {
    this.#ctx = ctx;
    this.#handlers = handlers;
    this.config = parseConfig(CausalConfigSchema, config, "causal broadcast config");
    for (const m of ctx.storage.list<CausalData<P>>(LOG_KEY)) {
      this.#log.push(m);
      this.#VC = {
        ...this.#VC,
        [m.origin]: Math.max(vectorGet(this.#VC, m.origin), m.V[m.origin]),
      };
      handlers.onDeliver?.(m);
    }
  }

  start(): void {
    this.#ctx.setTimer("sync", this.config.syncIntervalMs);
  }

  /** Delivered messages per origin (VC in the paper). */
  get delivered(): VectorTimestamp {
    return this.#VC;
  }

  /** The sequence number the next broadcast from this node will carry. */
  get nextSeq(): number {
    return vectorGet(this.#VC, this.#ctx.self) + 1;
  }

  /** Messages received but not yet deliverable. */
  get pendingCount(): number {
    return this.#pending.length;
  }

  /** Broadcast `payload`: deliver it here at once, then send it to every peer. */
  broadcast(payload: P): CausalData<P> {
    const self = this.#ctx.self;
    const m: CausalData<P> = {
      type: "data",
      origin: self,
      V: vectorIncrement(this.#VC, self),
      payload,
    };
    this.#ctx.emit({ type: "broadcast", id: messageId(m), origin: self, seq: m.V[self], V: m.V });
    this.#deliver(m);
    for (const p of this.#ctx.peers) this.#ctx.send(p, m);
    return m;
  }

  onMessage(from: NodeId, msg: CausalMessage<P>): void {
    switch (msg.type) {
      case "data":
        this.#receive(msg);
        break;
      case "sync": {
        const missing = this.#log.filter((m) => m.V[m.origin] > vectorGet(msg.V, m.origin));
        for (const m of missing) this.#ctx.send(from, m);
        break;
      }
    }
  }

  onTimer(name: string): void {
    if (name !== "sync") return;
    const peers = this.#ctx.peers;
    if (peers.length) {
      const targets = this.config.syncFanout >= peers.length
        ? peers
        : this.#ctx.rng.shuffle(peers).slice(0, this.config.syncFanout);
      for (const p of targets) this.#ctx.send(p, { type: "sync", V: this.#VC });
    }
    this.#ctx.setTimer("sync", this.config.syncIntervalMs);
  }

  #isDuplicate(m: CausalData<P>): boolean {
    const seq = m.V[m.origin];
    return seq <= vectorGet(this.#VC, m.origin) ||
      this.#pending.some((p) => p.origin === m.origin && p.V[m.origin] === seq);
  }

  // BSS 1991 §4, the CBCAST delivery condition.
  #deliverable(m: CausalData<P>): boolean {
    const j = m.origin;
    if (m.V[j] !== vectorGet(this.#VC, j) + 1) return false;
    for (const [k, n] of Object.entries(m.V)) {
      if (k !== j && n > vectorGet(this.#VC, k)) return false;
    }
    return true;
  }

  #receive(m: CausalData<P>): void {
    if (this.#isDuplicate(m)) return;
    if (this.config.deliverOnReceipt) {
      this.#deliver(m);
      return;
    }
    this.#pending.push(m);
    let progress = true;
    while (progress) {
      progress = false;
      for (let i = 0; i < this.#pending.length; i++) {
        const p = this.#pending[i];
        if (this.#deliverable(p)) {
          this.#pending.splice(i, 1);
          this.#deliver(p);
          progress = true;
          break;
        }
      }
    }
  }

  #deliver(m: CausalData<P>): void {
    const j = m.origin;
    this.#VC = { ...this.#VC, [j]: Math.max(vectorGet(this.#VC, j), m.V[j]) };
    this.#log.push(m);
    this.#ctx.storage.append(LOG_KEY, m);
    this.#ctx.emit({ type: "deliver", id: messageId(m), origin: j, seq: m.V[j], V: m.V });
    this.#handlers.onDeliver?.(m);
  }

  inspect(): unknown {
    return {
      VC: this.#VC,
      pending: this.#pending.map(messageId),
      delivered: this.#log.map(messageId),
    };
  }
}
