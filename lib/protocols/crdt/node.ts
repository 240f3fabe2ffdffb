/**
 * CRDT replicas on the simulator. A state-based replica applies updates locally and merges by
 * anti-entropy: every `gossipIntervalMs` it sends its whole state to a random peer (Shapiro et
 * al. 2011, §2.2: "a replica periodically sends its local state to some other replica, which
 * merges"). An op-based replica broadcasts each update's effect over causal broadcast (§2.3:
 * delivery in causal order, exactly once).
 *
 * Events: `{ type: "update", op, value }` at the source; the state-based node also emits
 * `{ type: "merge", from, changed: true }` when a merge changed its state.
 * @module
 */
import type { NodeContext, NodeId, ProtocolNode } from "../../sim/types.ts";
import { parseConfig } from "../../sim/errors.ts";
import { CausalBroadcastNode } from "../causal/node.ts";
import { CrdtTypeError, mergeChecked, type StateCrdt } from "./state.ts";
import type { OpCrdt } from "./op.ts";
import type { OpCrdtMessage, OpEffect, StateCrdtMessage } from "./messages.ts";
import {
  type OpCrdtConfig,
  type OpCrdtConfigInput,
  OpCrdtConfigSchema,
  type StateCrdtConfig,
  type StateCrdtConfigInput,
  StateCrdtConfigSchema,
} from "./config.ts";

const STATE_KEY = "crdt.state";
const SEQ_KEY = "crdt.seq";

/**
 * A state-based CRDT replica merging by gossip. The state and the update counter are durable.
 * @example
 * ```ts
 * const c = createCluster<StateCrdtMessage>({
 *   seed: 1, nodes: 3, factory: (ctx) => new StateCrdtNode(ctx, gCounter),
 * });
 * c.sim.at(5, () => c.sim.instanceOf<StateCrdtNode<GCounterState, GCounterOp, number>>("n0")!
 *   .update({ type: "increment" }));
 * c.sim.run({ untilMs: 2000 });
 * ```
 */
export class StateCrdtNode<S extends { readonly type: string }, Op, V>
  implements ProtocolNode<StateCrdtMessage> {
  /** Parameters, defaults applied. */
  readonly config: StateCrdtConfig;
  /** The CRDT this replica holds. */
  readonly crdt: StateCrdt<S, Op, V>;
  #ctx: NodeContext<StateCrdtMessage>;
  #state: S;
  #seq: number;

  /** Parameters are validated (a ConfigError names any bad field); state is restored from storage. */
  constructor(
    ctx: NodeContext<StateCrdtMessage>,
    crdt: StateCrdt<S, Op, V>,
    config: StateCrdtConfigInput = {},
  ) {
    this.#ctx = ctx;
    this.crdt = crdt;
    this.config = parseConfig(StateCrdtConfigSchema, config, "state CRDT config");
    this.#state = ctx.storage.get<S>(STATE_KEY) ?? crdt.initial();
    this.#seq = ctx.storage.get<number>(SEQ_KEY) ?? 0;
  }

  start(): void {
    this.#ctx.setTimer("gossip", this.config.gossipIntervalMs);
  }

  /** The current state (immutable). */
  get state(): S {
    return this.#state;
  }

  /** The query result. */
  value(): V {
    return this.crdt.value(this.#state);
  }

  /** Apply an update at this replica (throws CrdtPreconditionError when its precondition fails). */
  update(op: Op): void {
    const seq = this.#seq + 1;
    const meta = { replica: this.#ctx.self, nowMs: this.#ctx.nowMs(), seq };
    this.#state = this.crdt.update(this.#state, op, meta);
    this.#seq = seq;
    this.#ctx.storage.set(SEQ_KEY, seq);
    this.#ctx.storage.set(STATE_KEY, this.#state);
    this.#ctx.emit({ type: "update", op, value: this.value() });
  }

  onTimer(name: string): void {
    if (name !== "gossip") return;
    const peers = this.#ctx.peers;
    if (peers.length) {
      const targets = this.config.fanout >= peers.length
        ? peers
        : this.#ctx.rng.shuffle(peers).slice(0, this.config.fanout);
      for (const p of targets) {
        this.#ctx.send(p, { type: "state", state: this.#state, reply: false });
      }
    }
    this.#ctx.setTimer("gossip", this.config.gossipIntervalMs);
  }

  onMessage(from: NodeId, msg: StateCrdtMessage): void {
    if (msg.type !== "state") return;
    const before = this.#state;
    const merged = mergeChecked(this.crdt, before, msg.state);
    const changed = !this.crdt.leq(merged, before);
    if (changed) {
      this.#state = merged;
      this.#ctx.storage.set(STATE_KEY, merged);
      this.#ctx.emit({ type: "merge", from, changed: true });
    }
    // the sender lacks something we have: answer with the join so one exchange settles both
    if (this.config.pushPull && !msg.reply && !this.crdt.leq(before, msg.state as S)) {
      this.#ctx.send(from, { type: "state", state: this.#state, reply: true });
    }
  }

  inspect(): unknown {
    return { type: this.crdt.type, state: this.#state, value: this.value() };
  }
}

/**
 * An op-based CRDT replica over causal broadcast.
 * @example
 * ```ts
 * const c = createCluster<OpCrdtMessage<ORSetEffect>>({
 *   seed: 1, nodes: 3, factory: (ctx) => new OpCrdtNode(ctx, opORSet),
 * });
 * c.sim.at(5, () => c.sim.instanceOf<OpCrdtNode<readonly OrPair[], SetOp, ORSetEffect, string[]>>("n0")!
 *   .update({ type: "add", e: "x" }));
 * c.sim.run({ untilMs: 2000 });
 * ```
 */
export class OpCrdtNode<S, Op, D, V> implements ProtocolNode<OpCrdtMessage<D>> {
  /** Parameters, defaults applied. */
  readonly config: OpCrdtConfig;
  /** The CRDT this replica holds. */
  readonly crdt: OpCrdt<S, Op, D, V>;
  #ctx: NodeContext<OpCrdtMessage<D>>;
  #bcast: CausalBroadcastNode<OpEffect<D>>;
  #state: S;

  /** Parameters are validated; the state is rebuilt by replaying the durable delivery log. */
  constructor(
    ctx: NodeContext<OpCrdtMessage<D>>,
    crdt: OpCrdt<S, Op, D, V>,
    config: OpCrdtConfigInput = {},
  ) {
    this.#ctx = ctx;
    this.crdt = crdt;
    this.config = parseConfig(OpCrdtConfigSchema, config, "op CRDT config");
    this.#state = crdt.initial();
    this.#bcast = new CausalBroadcastNode<OpEffect<D>>(ctx, this.config.causal, {
      onDeliver: (m) => this.#apply(m.payload),
    });
  }

  start(): void {
    this.#bcast.start();
  }

  /** The current state. */
  get state(): S {
    return this.#state;
  }

  /** The causal broadcast layer (for its delivered vector and pending buffer). */
  get broadcast(): CausalBroadcastNode<OpEffect<D>> {
    return this.#bcast;
  }

  /** The query result. */
  value(): V {
    return this.crdt.value(this.#state);
  }

  /** Prepare at the source (checking the precondition), then broadcast the effect causally. */
  update(op: Op): void {
    const meta = { replica: this.#ctx.self, nowMs: this.#ctx.nowMs(), seq: this.#bcast.nextSeq };
    const d = this.crdt.prepare(this.#state, op, meta);
    this.#bcast.broadcast({ crdt: this.crdt.type, d });
    this.#ctx.emit({ type: "update", op, value: this.value() });
  }

  #apply(e: OpEffect<D>): void {
    if (e.crdt !== this.crdt.type) throw new CrdtTypeError("crdt", this.crdt.type, e.crdt);
    this.#state = this.crdt.effect(this.#state, e.d);
  }

  onMessage(from: NodeId, msg: OpCrdtMessage<D>): void {
    this.#bcast.onMessage(from, msg);
  }

  onTimer(name: string): void {
    this.#bcast.onTimer(name);
  }

  inspect(): unknown {
    return {
      type: this.crdt.type,
      state: this.#state,
      value: this.value(),
      causal: this.#bcast.inspect(),
    };
  }
}
