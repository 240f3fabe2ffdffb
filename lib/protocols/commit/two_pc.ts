/**
 * Two-phase commit. Phase 1: the coordinator sends PREPARE; each participant votes, and a yes
 * voter forces "prepared" to its log and is from then on in doubt: it may neither commit nor
 * abort on its own. Phase 2: the coordinator forces its decision (commit iff every vote is yes
 * and arrived in time) and sends it. A coordinator that crashes after PREPARE and before its
 * decision reaches the participants leaves every yes voter blocked until it restarts (the
 * blocking that 3PC and Paxos Commit remove). On restart without a logged decision the
 * coordinator aborts (presumed abort, Mohan, Lindsay, Obermarck 1986).
 *
 * Events: participants emit `{ type: "vote", vote }`, `{ type: "prepared" }` (in doubt from
 * here) and `{ type: "decide", outcome }`; the coordinator emits `{ type: "decide", outcome }`.
 * @module
 */
import type { NodeContext, NodeId, ProtocolNode } from "../../sim/types.ts";
import { parseConfig } from "../../sim/errors.ts";
import { type TwoPcConfig, type TwoPcConfigInput, TwoPcConfigSchema } from "./config.ts";
import type { Outcome, TwoPcMessage } from "./messages.ts";

/** A 2PC node: the coordinator or a participant, by its id. */
export class TwoPcNode implements ProtocolNode<TwoPcMessage> {
  /** The validated configuration. */
  readonly config: TwoPcConfig;
  #ctx: NodeContext<TwoPcMessage>;
  #votes = new Map<NodeId, "yes" | "no">();
  #decision: Outcome | undefined;
  #prepared = false;

  /** The configuration is validated here (a ConfigError names the field). */
  constructor(ctx: NodeContext<TwoPcMessage>, config: TwoPcConfigInput) {
    this.#ctx = ctx;
    this.config = parseConfig(TwoPcConfigSchema, config, "2PC config");
    this.#decision = ctx.storage.get<Outcome>("decision");
    this.#prepared = ctx.storage.get<boolean>("prepared") ?? false;
  }

  get #isCoordinator(): boolean {
    return this.#ctx.self === this.config.coordinator;
  }

  start(): void {
    if (this.#isCoordinator) {
      if (this.#decision) return this.#broadcast(this.#decision);
      if (this.#ctx.storage.get<boolean>("started")) {
        // restarted with no logged decision: nobody can have committed, so abort (presumed abort)
        return this.#decide("abort");
      }
      this.#ctx.storage.set("started", true);
      for (const p of this.config.participants) this.#ctx.send(p, { type: "prepare" });
      this.#ctx.setTimer("votes", this.config.voteTimeoutMs);
    } else if (this.#prepared && !this.#decision) {
      this.#ctx.setTimer("retry", this.config.retryMs);
    }
  }

  #decide(outcome: Outcome): void {
    if (this.#decision) return;
    this.#decision = outcome;
    this.#ctx.storage.set("decision", outcome); // forced before anyone hears it
    this.#ctx.cancelTimer("votes");
    this.#ctx.cancelTimer("retry");
    this.#ctx.emit({ type: "decide", outcome });
    if (this.#isCoordinator) this.#broadcast(outcome);
  }

  #broadcast(outcome: Outcome): void {
    for (const p of this.config.participants) this.#ctx.send(p, { type: "decision", outcome });
  }

  onMessage(from: NodeId, msg: TwoPcMessage): void {
    switch (msg.type) {
      case "prepare": {
        if (this.#decision || this.#prepared) {
          if (this.#prepared) this.#ctx.send(from, { type: "vote", vote: "yes" });
          return;
        }
        const vote = this.config.votes[this.#ctx.self] ?? "yes";
        this.#ctx.emit({ type: "vote", vote });
        if (vote === "no") {
          this.#ctx.send(from, { type: "vote", vote });
          return this.#decide("abort"); // a no voter may abort unilaterally
        }
        this.#prepared = true;
        this.#ctx.storage.set("prepared", true);
        this.#ctx.emit({ type: "prepared" });
        this.#ctx.send(from, { type: "vote", vote });
        this.#ctx.setTimer("retry", this.config.retryMs);
        return;
      }
      case "vote": {
        if (!this.#isCoordinator || this.#decision) return;
        this.#votes.set(from, msg.vote);
        if (msg.vote === "no") return this.#decide("abort");
        if (this.#votes.size === this.config.participants.length) this.#decide("commit");
        return;
      }
      case "decision":
        if (!this.#isCoordinator) this.#decide(msg.outcome);
        if (!this.#isCoordinator) this.#ctx.send(from, { type: "ack" });
        return;
      case "decision-request":
        // BHG §7.4: a participant that has not voted yes may abort, and say so
        if (!this.#decision && !this.#isCoordinator && !this.#prepared) this.#decide("abort");
        if (this.#decision) this.#ctx.send(from, { type: "decision", outcome: this.#decision });
        else if (!this.#isCoordinator) this.#ctx.send(from, { type: "decision-unknown" });
        return;
      case "ack":
      case "decision-unknown":
        return;
    }
  }

  onTimer(name: string): void {
    if (name === "votes") return this.#decide("abort");
    if (name === "retry" && !this.#decision) {
      this.#ctx.send(this.config.coordinator, { type: "decision-request" });
      if (this.config.cooperativeTermination) {
        for (const p of this.config.participants) {
          if (p !== this.#ctx.self) this.#ctx.send(p, { type: "decision-request" });
        }
      }
      this.#ctx.setTimer("retry", this.config.retryMs);
    }
  }

  /** The outcome this node knows (undefined: undecided). */
  get decision(): Outcome | undefined {
    return this.#decision;
  }

  inspect(): unknown {
    return {
      role: this.#isCoordinator ? "coordinator" : "participant",
      prepared: this.#prepared,
      decision: this.#decision,
      votes: Object.fromEntries(this.#votes),
    };
  }
}
