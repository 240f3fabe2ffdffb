/**
 * Three-phase commit (Skeen, "Nonblocking commit protocols", SIGMOD 1981; Bernstein, Hadzilacos,
 * Goodman 1987, §7.5). Between the votes and the decision sits a PRE-COMMIT phase, so that no
 * state is adjacent to both commit and abort: a participant in w (voted yes) knows nobody has
 * committed, a participant in p knows everybody voted yes. When the coordinator is suspected,
 * the termination protocol runs: the first unsuspected node in [coordinator, ...participants]
 * becomes recovery coordinator, asks the others it does not suspect for their state and
 * - some c → commit; some a or q → abort;
 * - some p → send PRE-COMMIT to the rest, collect acks, then commit;
 * - all w → abort.
 * The original coordinator that times out waiting for pre-commit acks commits (the silent ones
 * crashed). This is non-blocking when the failure detector is reliable (crash failures, bounded
 * delays). Under a partition each side suspects the other and terminates on its own: the side
 * that holds a p commits, the side that holds only w aborts — atomicity is lost.
 *
 * Events: `{ type: "vote", vote }`, `{ type: "prepared" }` (in doubt from here),
 * `{ type: "state", state }` on every state change,
 * `{ type: "decide", outcome }`, `{ type: "recovery" }` when a node starts the termination
 * protocol, and the detector's `{ type: "suspect", peer }`.
 * @module
 */
import type { NodeContext, NodeId, ProtocolNode } from "../../sim/types.ts";
import { parseConfig } from "../../sim/errors.ts";
import { type ThreePcConfig, type ThreePcConfigInput, ThreePcConfigSchema } from "./config.ts";
import type { Outcome, ThreePcMessage, ThreePcState } from "./messages.ts";

type Phase = "idle" | "votes" | "acks" | "states";

/** A 3PC node: the coordinator or a participant, by its id. */
export class ThreePcNode implements ProtocolNode<ThreePcMessage> {
  /** The validated configuration. */
  readonly config: ThreePcConfig;
  #ctx: NodeContext<ThreePcMessage>;
  #state: ThreePcState = "q";
  /** What this node is collecting as (recovery) coordinator. */
  #phase: Phase = "idle";
  #replies = new Map<NodeId, unknown>();
  #lastHeard = new Map<NodeId, number>();
  #suspected = new Set<NodeId>();
  #all: NodeId[];

  /** The configuration is validated here (a ConfigError names the field). */
  constructor(ctx: NodeContext<ThreePcMessage>, config: ThreePcConfigInput) {
    this.#ctx = ctx;
    this.config = parseConfig(ThreePcConfigSchema, config, "3PC config");
    this.#all = [this.config.coordinator, ...this.config.participants];
  }

  start(): void {
    const now = this.#ctx.nowMs();
    for (const p of this.#all) if (p !== this.#ctx.self) this.#lastHeard.set(p, now);
    this.#heartbeat();
    if (this.#ctx.self === this.config.coordinator) {
      this.#setState("w");
      this.#phase = "votes";
      this.#replies.clear();
      for (const p of this.config.participants) this.#ctx.send(p, { type: "prepare" });
      this.#ctx.setTimer("phase", this.config.voteTimeoutMs);
    }
  }

  #heartbeat(): void {
    for (const p of this.#all) if (p !== this.#ctx.self) this.#ctx.send(p, { type: "alive" });
    this.#ctx.setTimer("alive", this.config.heartbeatIntervalMs);
  }

  #setState(s: ThreePcState): void {
    if (this.#state === s) return;
    this.#state = s;
    this.#ctx.emit({ type: "state", state: s });
    if (s === "c" || s === "a") {
      this.#phase = "idle";
      this.#ctx.cancelTimer("phase");
      this.#ctx.emit({ type: "decide", outcome: s === "c" ? "commit" : "abort" });
    }
  }

  get #decided(): boolean {
    return this.#state === "c" || this.#state === "a";
  }

  #decide(outcome: Outcome): void {
    if (this.#decided) return;
    this.#setState(outcome === "commit" ? "c" : "a");
    for (const p of this.#all) {
      if (p !== this.#ctx.self) this.#ctx.send(p, { type: "decision", outcome });
    }
  }

  /** The live nodes a (recovery) coordinator talks to. */
  #live(): NodeId[] {
    return this.#all.filter((p) => p !== this.#ctx.self && !this.#suspected.has(p));
  }

  #startPreCommit(): void {
    this.#setState("p");
    this.#phase = "acks";
    this.#replies.clear();
    for (const p of this.#live()) this.#ctx.send(p, { type: "pre-commit" });
    this.#ctx.setTimer("phase", this.config.failureDetectorTimeoutMs);
    this.#maybeFinishAcks();
  }

  #maybeFinishAcks(): void {
    if (this.#phase !== "acks") return;
    if (this.#live().every((p) => this.#replies.has(p))) this.#decide("commit");
  }

  onMessage(from: NodeId, msg: ThreePcMessage): void {
    this.#lastHeard.set(from, this.#ctx.nowMs());
    switch (msg.type) {
      case "alive":
        return;
      case "prepare": {
        if (this.#state !== "q") return;
        const vote = this.config.votes[this.#ctx.self] ?? "yes";
        this.#ctx.emit({ type: "vote", vote });
        this.#ctx.send(from, { type: "vote", vote });
        if (vote === "no") return this.#setState("a");
        this.#ctx.emit({ type: "prepared" });
        this.#setState("w");
        return;
      }
      case "vote": {
        if (this.#phase !== "votes") return;
        if (msg.vote === "no") return this.#decide("abort");
        this.#replies.set(from, msg.vote);
        if (this.#replies.size === this.config.participants.length) this.#startPreCommit();
        return;
      }
      case "pre-commit":
        if (this.#decided) return;
        this.#setState("p");
        this.#ctx.send(from, { type: "pre-commit-ack" });
        return;
      case "pre-commit-ack":
        if (this.#phase !== "acks") return;
        this.#replies.set(from, true);
        return this.#maybeFinishAcks();
      case "decision":
        if (!this.#decided) this.#setState(msg.outcome === "commit" ? "c" : "a");
        this.#ctx.send(from, { type: "ack" });
        return;
      case "ack":
        return;
      case "state-request":
        this.#ctx.send(from, { type: "state-reply", state: this.#state });
        return;
      case "state-reply":
        if (this.#phase !== "states") return;
        this.#replies.set(from, msg.state);
        return this.#maybeTerminate(false);
    }
  }

  /** The termination protocol's rule, once every live node answered (or on timeout). */
  #maybeTerminate(timedOut: boolean): void {
    const live = this.#live();
    if (!timedOut && !live.every((p) => this.#replies.has(p))) return;
    const states = [this.#state, ...[...this.#replies.values()] as ThreePcState[]];
    if (states.includes("c")) return this.#decide("commit");
    if (states.includes("a") || states.includes("q")) return this.#decide("abort");
    if (states.includes("p")) return this.#startPreCommit();
    return this.#decide("abort");
  }

  #recoveryCoordinator(): NodeId | undefined {
    return this.#all.find((p) => p === this.#ctx.self || !this.#suspected.has(p));
  }

  #check(): void {
    const now = this.#ctx.nowMs();
    for (const [p, t] of this.#lastHeard) {
      if (!this.#suspected.has(p) && now - t > this.config.failureDetectorTimeoutMs) {
        this.#suspected.add(p);
        this.#ctx.emit({ type: "suspect", peer: p });
      }
    }
    if (this.#decided || this.#phase !== "idle" || this.#state === "q") return;
    // Skeen's termination protocol: the first unsuspected node takes over as coordinator
    if (this.#recoveryCoordinator() !== this.#ctx.self) return;
    if (this.#ctx.self === this.config.coordinator) return;
    this.#ctx.emit({ type: "recovery" });
    this.#phase = "states";
    this.#replies.clear();
    for (const p of this.#live()) this.#ctx.send(p, { type: "state-request" });
    this.#ctx.setTimer("phase", this.config.failureDetectorTimeoutMs);
    this.#maybeTerminate(false);
  }

  onTimer(name: string): void {
    switch (name) {
      case "alive":
        this.#heartbeat();
        return this.#check();
      case "phase":
        if (this.#phase === "votes") return this.#decide("abort");
        // BHG §7.5: a coordinator in p that misses acks commits (the silent ones failed)
        if (this.#phase === "acks") return this.#decide("commit");
        if (this.#phase === "states") return this.#maybeTerminate(true);
        return;
    }
  }

  /** This node's 3PC state. */
  get state(): ThreePcState {
    return this.#state;
  }

  inspect(): unknown {
    return { state: this.#state, phase: this.#phase, suspected: [...this.#suspected] };
  }
}
