/**
 * Chang and Roberts, "An improved algorithm for decentralized extrema-finding in circular
 * configurations of processes" (CACM 1979), on a unidirectional ring: a candidate sends its UID
 * clockwise; a node forwards a larger UID, swallows a smaller one (replacing it with its own if it
 * has not yet taken part), and the node that receives its own UID back is the largest and wins,
 * then announces itself once around the ring.
 *
 * Election messages: with every node an initiator, the UID u travels until the first larger UID
 * clockwise (the maximum travels the full n hops), so the count is a pure function of the ring
 * order. Worst case (UIDs decreasing clockwise): Σ_{u=1}^{n-1} u + n = n(n+1)/2. Average over
 * random orders: n·H_n (Chang–Roberts' result). The announcement adds n.
 *
 * Events: `{ type: "leader", leader, uid }` when a node learns the winner (the winner included).
 * @module
 */
import type { NodeContext, NodeId, ProtocolNode } from "../../sim/types.ts";
import { parseConfig } from "../../sim/errors.ts";
import { type RingConfig, type RingConfigInput, RingConfigSchema } from "./config.ts";
import type { ChangRobertsMessage } from "./messages.ts";

/** A Chang–Roberts ring node. */
export class ChangRobertsNode implements ProtocolNode<ChangRobertsMessage> {
  /** The validated configuration. */
  readonly config: RingConfig;
  #ctx: NodeContext<ChangRobertsMessage>;
  #uid: number;
  #next: NodeId;
  /** Chang–Roberts' "marked": this node has sent or forwarded an election message. */
  #participant = false;
  #leader: NodeId | undefined;

  /** The configuration is validated here (a ConfigError names the field). */
  constructor(ctx: NodeContext<ChangRobertsMessage>, config: RingConfigInput) {
    this.#ctx = ctx;
    this.config = parseConfig(RingConfigSchema, config, "Chang–Roberts config");
    const i = this.config.ring.indexOf(ctx.self);
    if (i < 0) throw new Error(`Chang–Roberts: ${ctx.self} is not on the ring`);
    this.#uid = this.config.uids[ctx.self];
    this.#next = this.config.ring[(i + 1) % this.config.ring.length];
  }

  start(): void {
    const initiators = this.config.initiators ?? this.config.ring;
    if (initiators.includes(this.#ctx.self)) this.#initiate();
  }

  #initiate(): void {
    if (this.#participant) return;
    this.#participant = true;
    this.#ctx.send(this.#next, { type: "cr-election", uid: this.#uid });
  }

  onMessage(_from: NodeId, msg: ChangRobertsMessage): void {
    if (msg.type === "cr-elected") {
      if (msg.leader === this.#ctx.self) return; // the announcement came home
      this.#learn(msg.leader, msg.uid);
      this.#ctx.send(this.#next, msg);
      return;
    }
    if (msg.uid > this.#uid) {
      this.#participant = true;
      this.#ctx.send(this.#next, msg);
    } else if (msg.uid < this.#uid) {
      // CR79: an unmarked process replaces a smaller identifier with its own; a marked one
      // swallows it (its own, larger identifier is already on its way)
      this.#initiate();
    } else {
      this.#learn(this.#ctx.self, this.#uid);
      this.#ctx.send(this.#next, { type: "cr-elected", uid: this.#uid, leader: this.#ctx.self });
    }
  }

  #learn(leader: NodeId, uid: number): void {
    if (this.#leader === leader) return;
    this.#leader = leader;
    this.#participant = false;
    this.#ctx.emit({ type: "leader", leader, uid });
  }

  /** The leader this node knows of (undefined until the announcement reaches it). */
  get leader(): NodeId | undefined {
    return this.#leader;
  }

  inspect(): unknown {
    return { uid: this.#uid, participant: this.#participant, leader: this.#leader };
  }
}
