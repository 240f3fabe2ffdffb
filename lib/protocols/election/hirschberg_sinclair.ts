/**
 * Hirschberg and Sinclair, "Decentralized extrema-finding in circular configurations of
 * processors" (CACM 1980), on a bidirectional ring. In phase k = 0, 1, ... every candidate
 * still active sends a probe 2^k hops in both directions. A node relays a probe whose UID is
 * larger than its own and swallows a smaller one; the node at hop 2^k sends a reply back. A
 * candidate that gets both replies starts phase k + 1; a probe that comes back to its sender
 * (travelled all the way round) elects it. The announcement then goes once around (n messages).
 *
 * Bound (HS80, and Lynch, Distributed Algorithms §3.4): at most ⌈n / (2^(k-1) + 1)⌉ candidates
 * start phase k ≥ 1, each costing at most 4·2^k messages, so at most 8n per phase over
 * 1 + ⌈log2 n⌉ phases: 8n(1 + ⌈log2 n⌉) probe and reply messages (HS quote 8n + 8⌈n lg n⌉).
 *
 * Events: `{ type: "leader", leader, uid }` when a node learns the winner (the winner included).
 * @module
 */
import type { NodeContext, NodeId, ProtocolNode } from "../../sim/types.ts";
import { parseConfig } from "../../sim/errors.ts";
import { type RingConfig, type RingConfigInput, RingConfigSchema } from "./config.ts";
import type { HirschbergSinclairMessage } from "./messages.ts";

/** A Hirschberg–Sinclair ring node. */
export class HirschbergSinclairNode implements ProtocolNode<HirschbergSinclairMessage> {
  /** The validated configuration. */
  readonly config: RingConfig;
  #ctx: NodeContext<HirschbergSinclairMessage>;
  #uid: number;
  #cw: NodeId;
  #ccw: NodeId;
  #phase = -1;
  #replies = 0;
  #leader: NodeId | undefined;

  /** The configuration is validated here (a ConfigError names the field). */
  constructor(ctx: NodeContext<HirschbergSinclairMessage>, config: RingConfigInput) {
    this.#ctx = ctx;
    this.config = parseConfig(RingConfigSchema, config, "Hirschberg–Sinclair config");
    const ring = this.config.ring;
    const i = ring.indexOf(ctx.self);
    if (i < 0) throw new Error(`Hirschberg–Sinclair: ${ctx.self} is not on the ring`);
    this.#uid = this.config.uids[ctx.self];
    this.#cw = ring[(i + 1) % ring.length];
    this.#ccw = ring[(i - 1 + ring.length) % ring.length];
  }

  start(): void {
    const initiators = this.config.initiators ?? this.config.ring;
    if (initiators.includes(this.#ctx.self)) this.#startPhase(0);
  }

  #startPhase(phase: number): void {
    this.#phase = phase;
    this.#replies = 0;
    this.#ctx.send(this.#cw, { type: "hs-probe", uid: this.#uid, phase, hop: 1, dir: "cw" });
    this.#ctx.send(this.#ccw, { type: "hs-probe", uid: this.#uid, phase, hop: 1, dir: "ccw" });
  }

  #toward(dir: "cw" | "ccw"): NodeId {
    return dir === "cw" ? this.#cw : this.#ccw;
  }

  onMessage(_from: NodeId, msg: HirschbergSinclairMessage): void {
    switch (msg.type) {
      case "hs-probe": {
        if (msg.uid === this.#uid) {
          // HS80: a probe that returns to its sender has passed every node: it is the maximum
          if (this.#leader === undefined) this.#win();
          return;
        }
        // a node woken by a probe joins as a candidate (HS80: every processor may start)
        if (this.#phase < 0 && this.#leader === undefined) this.#startPhase(0);
        if (msg.uid < this.#uid) return; // swallowed
        if (msg.hop < 2 ** msg.phase) {
          this.#ctx.send(this.#toward(msg.dir), { ...msg, hop: msg.hop + 1 });
        } else {
          const back = msg.dir === "cw" ? "ccw" : "cw";
          this.#ctx.send(this.#toward(back), {
            type: "hs-reply",
            uid: msg.uid,
            phase: msg.phase,
            dir: back,
          });
        }
        return;
      }
      case "hs-reply": {
        if (msg.uid !== this.#uid) {
          this.#ctx.send(this.#toward(msg.dir), msg);
          return;
        }
        if (msg.phase !== this.#phase || this.#leader !== undefined) return;
        if (++this.#replies === 2) this.#startPhase(this.#phase + 1);
        return;
      }
      case "hs-elected": {
        if (msg.leader === this.#ctx.self) return;
        this.#learn(msg.leader, msg.uid);
        this.#ctx.send(this.#cw, msg);
        return;
      }
    }
  }

  #win(): void {
    this.#learn(this.#ctx.self, this.#uid);
    this.#ctx.send(this.#cw, { type: "hs-elected", uid: this.#uid, leader: this.#ctx.self });
  }

  #learn(leader: NodeId, uid: number): void {
    if (this.#leader === leader) return;
    this.#leader = leader;
    this.#ctx.emit({ type: "leader", leader, uid });
  }

  /** The leader this node knows of. */
  get leader(): NodeId | undefined {
    return this.#leader;
  }

  inspect(): unknown {
    return { uid: this.#uid, phase: this.#phase, replies: this.#replies, leader: this.#leader };
  }
}
