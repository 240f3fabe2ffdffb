/**
 * Leader election by failure detector, the naive way: every node believes the leader is the
 * smallest id it does not suspect, and a node that believes itself leader acts (e.g. accepts
 * writes) every `actIntervalMs`. With an unreliable detector this breaks: a leader that pauses
 * (a GC pause) longer than the timeout is replaced, and when it resumes it still believes it is in
 * charge and acts before it hears of its successor — two leaders at once. Leases with fencing
 * tokens and consensus (Raft, Paxos) exist to prevent exactly this.
 *
 * Events: `{ type: "leader", leader }` when a node's belief changes; `{ type: "act", seq }` each
 * time a self-believed leader acts; plus the detector's `suspect` / `trust`.
 * @module
 */
import type { NodeContext, NodeId, ProtocolEvent, ProtocolNode } from "../../sim/types.ts";
import { HeartbeatNode } from "./node.ts";
import type { HeartbeatConfigInput } from "./config.ts";
import type { HeartbeatMessage } from "./messages.ts";

/** A node that follows the smallest unsuspected id as leader. */
export class DetectorLeaderNode implements ProtocolNode<HeartbeatMessage> {
  #ctx: NodeContext<HeartbeatMessage>;
  #hb: HeartbeatNode;
  #suspected = new Set<NodeId>();
  #leader: NodeId | undefined;
  #acts = 0;
  /** Local-clock ms between two acts of a self-believed leader (default 50). */
  readonly actIntervalMs: number;

  /** `detector` configures the heartbeat detector; the leader acts every `actIntervalMs`. */
  constructor(
    ctx: NodeContext<HeartbeatMessage>,
    options: { detector?: HeartbeatConfigInput; actIntervalMs?: number } = {},
  ) {
    this.#ctx = ctx;
    this.actIntervalMs = options.actIntervalMs ?? 50;
    const inner: NodeContext<HeartbeatMessage> = Object.create(ctx);
    inner.emit = (e: ProtocolEvent) => {
      ctx.emit(e);
      if (e.type === "suspect") this.#suspected.add(e.peer as NodeId);
      if (e.type === "trust") this.#suspected.delete(e.peer as NodeId);
      this.#update();
    };
    // timers are shared: the detector uses "beat" and "check", this node "act"
    this.#hb = new HeartbeatNode(inner, options.detector ?? {});
  }

  start(): void {
    this.#hb.start();
    this.#update();
    this.#ctx.setTimer("act", this.actIntervalMs);
  }

  #update(): void {
    const candidates = [this.#ctx.self, ...this.#ctx.peers.filter((p) => !this.#suspected.has(p))]
      .sort();
    const leader = candidates[0];
    if (leader !== this.#leader) {
      this.#leader = leader;
      this.#ctx.emit({ type: "leader", leader });
    }
  }

  onMessage(from: NodeId, msg: HeartbeatMessage): void {
    this.#hb.onMessage(from, msg);
  }

  onTimer(name: string): void {
    if (name === "act") {
      if (this.#leader === this.#ctx.self) this.#ctx.emit({ type: "act", seq: ++this.#acts });
      this.#ctx.setTimer("act", this.actIntervalMs);
    } else {
      this.#hb.onTimer(name);
    }
  }

  /** Who this node believes leads. */
  get leader(): NodeId | undefined {
    return this.#leader;
  }

  inspect(): unknown {
    return { leader: this.#leader, suspected: [...this.#suspected], detector: this.#hb.inspect() };
  }
}
