/**
 * The bully algorithm (Garcia-Molina, "Elections in a Distributed Computing System", IEEE
 * Trans. Computers 1982). A node that calls an election sends ELECTION to every node of higher
 * priority; a higher node that is alive answers (ANSWER) and calls its own election. A node that
 * hears no answer within T takes over and sends COORDINATOR to everyone; a node that heard an
 * answer but no coordinator within T' calls a new election. The paper assumes a synchronous
 * system (bounded delays, a reliable failure detector); the timeouts stand in for that bound, so
 * a partition or a pause longer than T breaks the assumption: two coordinators, one per side.
 *
 * Message count when every node is up and only the lowest node calls the election: node i
 * (rank i of n) sends n-1-i ELECTIONs, each answered, and the highest sends n-1 COORDINATORs:
 * n(n-1)/2 + n(n-1)/2 + (n-1) = n² - 1 (the O(n²) worst case). Best case (the highest node
 * calls it): n - 1.
 *
 * Failure detection (not in the count): with `heartbeatIntervalMs` > 0 the coordinator sends
 * `leader-heartbeat`s and a node silent-timed-out on its coordinator calls an election.
 *
 * Events: `{ type: "leader", leader }` when a node's belief changes (the winner included),
 * `{ type: "election" }` when a node calls an election.
 * @module
 */
import type { NodeContext, NodeId, ProtocolNode } from "../../sim/types.ts";
import { parseConfig } from "../../sim/errors.ts";
import { type BullyConfig, type BullyConfigInput, BullyConfigSchema } from "./config.ts";
import type { BullyMessage } from "./messages.ts";

/** A bully-algorithm node. */
export class BullyNode implements ProtocolNode<BullyMessage> {
  /** The validated configuration. */
  readonly config: BullyConfig;
  #ctx: NodeContext<BullyMessage>;
  #uid: number;
  #higher: NodeId[];
  #others: NodeId[];
  #leader: NodeId | undefined;
  /** Garcia-Molina's "election" status: waiting for answers, or for the coordinator. */
  #state: "normal" | "waitAnswer" | "waitCoordinator" = "normal";

  /** The configuration is validated here (a ConfigError names the field). */
  constructor(ctx: NodeContext<BullyMessage>, config: BullyConfigInput) {
    this.#ctx = ctx;
    this.config = parseConfig(BullyConfigSchema, config, "bully config");
    const { members, uids } = this.config;
    if (!members.includes(ctx.self)) throw new Error(`bully: ${ctx.self} is not a member`);
    this.#uid = uids[ctx.self];
    this.#others = members.filter((m) => m !== ctx.self);
    this.#higher = this.#others.filter((m) => uids[m] > this.#uid);
  }

  start(): void {
    if (this.config.initiators.includes(this.#ctx.self)) this.#callElection();
    else if (this.config.heartbeatIntervalMs > 0) {
      this.#ctx.setTimer("leader", this.config.leaderTimeoutMs);
    }
  }

  #callElection(): void {
    if (this.#state !== "normal") return;
    this.#ctx.emit({ type: "election" });
    if (this.#higher.length === 0) return this.#takeOver();
    this.#state = "waitAnswer";
    for (const h of this.#higher) this.#ctx.send(h, { type: "election" });
    this.#ctx.setTimer("answer", this.config.answerTimeoutMs);
  }

  #takeOver(): void {
    this.#state = "normal";
    this.#ctx.cancelTimer("answer");
    this.#ctx.cancelTimer("coordinator");
    this.#ctx.cancelTimer("leader");
    this.#setLeader(this.#ctx.self);
    for (const o of this.#others) this.#ctx.send(o, { type: "coordinator" });
    if (this.config.heartbeatIntervalMs > 0) {
      this.#ctx.setTimer("heartbeat", this.config.heartbeatIntervalMs);
    }
  }

  #setLeader(leader: NodeId): void {
    if (leader !== this.#ctx.self) this.#ctx.cancelTimer("heartbeat");
    if (this.#leader === leader) return;
    this.#leader = leader;
    this.#ctx.emit({ type: "leader", leader });
  }

  #accept(from: NodeId): void {
    if (this.config.uids[from] < this.#uid) {
      // a lower node claims to lead: bully it (Garcia-Molina: a recovering higher node takes over)
      this.#callElection();
      return;
    }
    this.#state = "normal";
    this.#ctx.cancelTimer("answer");
    this.#ctx.cancelTimer("coordinator");
    this.#setLeader(from);
    if (this.config.heartbeatIntervalMs > 0) {
      this.#ctx.setTimer("leader", this.config.leaderTimeoutMs);
    }
  }

  onMessage(from: NodeId, msg: BullyMessage): void {
    switch (msg.type) {
      case "election":
        this.#ctx.send(from, { type: "answer" });
        // a coordinator already in office tells the caller instead of re-announcing to all
        // (departure: the paper's coordinator would run a whole new election it wins at once)
        if (this.#leader === this.#ctx.self && this.#state === "normal") {
          this.#ctx.send(from, { type: "coordinator" });
          return;
        }
        this.#callElection();
        return;
      case "answer":
        if (this.#state !== "waitAnswer") return;
        this.#state = "waitCoordinator";
        this.#ctx.cancelTimer("answer");
        this.#ctx.setTimer("coordinator", this.config.coordinatorTimeoutMs);
        return;
      case "coordinator":
        return this.#accept(from);
      case "leader-heartbeat":
        if (this.#leader === from) {
          this.#ctx.setTimer("leader", this.config.leaderTimeoutMs);
        } else this.#accept(from);
        return;
    }
  }

  onTimer(name: string): void {
    switch (name) {
      case "answer":
        // no higher node answered within T: take over
        if (this.#state === "waitAnswer") this.#takeOver();
        return;
      case "coordinator":
        // a higher node answered but never announced itself (it failed meanwhile): start again
        if (this.#state === "waitCoordinator") {
          this.#state = "normal";
          this.#callElection();
        }
        return;
      case "leader":
        if (this.#leader !== this.#ctx.self) {
          this.#state = "normal";
          this.#callElection();
        }
        return;
      case "heartbeat":
        if (this.#leader !== this.#ctx.self) return;
        for (const o of this.#others) this.#ctx.send(o, { type: "leader-heartbeat" });
        this.#ctx.setTimer("heartbeat", this.config.heartbeatIntervalMs);
        return;
    }
  }

  /** Who this node believes is coordinator. */
  get leader(): NodeId | undefined {
    return this.#leader;
  }

  inspect(): unknown {
    return { uid: this.#uid, state: this.#state, leader: this.#leader };
  }
}
