/**
 * Paxos Commit (Gray and Lamport, "Consensus on Transaction Commit", ACM TODS 31(1), 2006): one
 * Paxos instance per resource manager (RM) decides whether that RM is "prepared" or "aborted",
 * over 2F + 1 acceptors; the transaction commits iff every instance chose "prepared". Ballot 0
 * of instance i belongs to RM i, so in the normal case the RM's phase 2a goes straight to the
 * acceptors (§4: no phase 1 for ballot 0). A leader learns a value when a majority of acceptors
 * accepted it in one ballot. If the initial leader (the TM) fails, a backup leader runs phase 1
 * with a higher ballot for every instance and proposes the value it finds, or "aborted" where
 * none was accepted (§4: "a new leader … tries to get aborted chosen") — so the RMs are not
 * blocked by the TM's failure, only by the loss of more than F acceptors.
 *
 * Ballots and takeover (as in Lamport's PaxosCommit TLA+ spec: phase 1b answers a ballot above
 * the acceptor's promise, phase 2b accepts one at or above it, a ballot-b phase 2a carries the
 * value of the highest accepted ballot among a majority's 1b messages, else "aborted"): leaders[k]
 * owns ballots k, k + L, k + 2L, ... (L leaders; the TM, k = 0, only uses ballot 0, which is
 * the RMs' own). Backup k starts its first ballot after k × takeoverMs without an outcome and a
 * higher one every L × takeoverMs after that, running phase 1 on every instance whose value it
 * has not learned; it keeps its last ballot in stable storage, so a restarted leader never sends
 * two phase 2a messages with different values in one ballot.
 *
 * Departures: a node may play any roles at once; a fixed takeover order replaces a leader
 * election; by default (`phase2bTo: "every-leader"`) acceptors send phase 2b to every leader, so
 * a backup usually learns the ballot-0 votes without phase 1 (the paper sends 2b to the leader
 * of the ballot, `phase2bTo: "ballot-leader"`); an RM in doubt re-asks the leaders every
 * takeoverMs, since a leader sends the outcome once and a partition may eat it.
 *
 * Events: RMs emit `{ type: "vote", vote }`, `{ type: "prepared" }`, and every node that learns
 * the outcome `{ type: "decide", outcome }`.
 * @module
 */
import type { NodeContext, NodeId, ProtocolNode } from "../../sim/types.ts";
import { parseConfig } from "../../sim/errors.ts";
import {
  type PaxosCommitConfig,
  type PaxosCommitConfigInput,
  PaxosCommitConfigSchema,
} from "./config.ts";
import type { Outcome, PaxosCommitMessage, RmValue } from "./messages.ts";

interface AcceptorInstance {
  promised: number;
  accepted: { ballot: number; value: RmValue } | null;
}

/** A Paxos Commit node: RM, acceptor and/or leader, by the configuration. */
export class PaxosCommitNode implements ProtocolNode<PaxosCommitMessage> {
  /** The validated configuration. */
  readonly config: PaxosCommitConfig;
  #ctx: NodeContext<PaxosCommitMessage>;
  #outcome: Outcome | undefined;
  /** Leader: per instance, per ballot, value → acceptors that accepted it. */
  #learned = new Map<string, Map<number, Map<RmValue, Set<NodeId>>>>();
  #chosen = new Map<string, RmValue>();
  /** Leader phase 1: per instance, the promises of this leader's ballot. */
  #promises = new Map<string, Map<NodeId, PcAccepted>>();
  #ballot = -1;
  #rmVoted = false;

  /** The configuration is validated here (a ConfigError names the field). */
  constructor(ctx: NodeContext<PaxosCommitMessage>, config: PaxosCommitConfigInput) {
    this.#ctx = ctx;
    this.config = parseConfig(PaxosCommitConfigSchema, config, "Paxos Commit config");
    this.#outcome = ctx.storage.get<Outcome>("outcome");
    this.#ballot = ctx.storage.get<number>("ballot") ?? -1;
  }

  get #majority(): number {
    return Math.floor(this.config.acceptors.length / 2) + 1;
  }

  #leaderIndex(): number {
    return this.config.leaders.indexOf(this.#ctx.self);
  }

  start(): void {
    const k = this.#leaderIndex();
    if (k === 0 && !this.#ctx.storage.get<boolean>("began")) {
      this.#ctx.storage.set("began", true);
      for (const rm of this.config.participants) this.#ctx.send(rm, { type: "pc-begin" });
    }
    // only backups take over (leaders[k] after k × takeoverMs); the TM's ballot 0 is the RMs'
    if (k > 0 && !this.#outcome) this.#ctx.setTimer("takeover", k * this.config.takeoverMs);
  }

  #acceptor(rm: string): AcceptorInstance {
    return this.#ctx.storage.get<AcceptorInstance>(`acc/${rm}`) ??
      { promised: 0, accepted: null };
  }

  #learn(outcome: Outcome): void {
    if (this.#outcome) return;
    this.#outcome = outcome;
    this.#ctx.storage.set("outcome", outcome);
    this.#ctx.cancelTimer("takeover");
    this.#ctx.cancelTimer("inquire");
    this.#ctx.emit({ type: "decide", outcome });
  }

  onMessage(from: NodeId, msg: PaxosCommitMessage): void {
    switch (msg.type) {
      case "pc-begin": {
        if (this.#rmVoted || this.#outcome) return;
        this.#rmVoted = true;
        const vote = this.config.votes[this.#ctx.self] ?? "yes";
        this.#ctx.emit({ type: "vote", vote });
        if (vote === "yes") this.#ctx.emit({ type: "prepared" });
        else this.#learn("abort"); // an RM that votes no may abort at once
        const value: RmValue = vote === "yes" ? "prepared" : "aborted";
        if (vote === "yes") this.#ctx.setTimer("inquire", this.config.takeoverMs);
        for (const a of this.config.acceptors) {
          this.#ctx.send(a, { type: "pc-2a", ballot: 0, rm: this.#ctx.self, value });
        }
        return;
      }
      case "pc-2a": {
        const inst = this.#acceptor(msg.rm);
        // Paxos phase 2b: accept unless a higher ballot was promised
        if (msg.ballot < inst.promised) return;
        const next = { promised: msg.ballot, accepted: { ballot: msg.ballot, value: msg.value } };
        this.#ctx.storage.set(`acc/${msg.rm}`, next);
        const ls = this.config.leaders;
        const to = this.config.phase2bTo === "every-leader" ? ls : [ls[msg.ballot % ls.length]];
        for (const l of to) {
          this.#ctx.send(l, { type: "pc-2b", ballot: msg.ballot, rm: msg.rm, value: msg.value });
        }
        return;
      }
      case "pc-2b":
        return this.#onAccepted(from, msg.rm, msg.ballot, msg.value);
      case "pc-1a": {
        const inst = this.#acceptor(msg.rm);
        if (msg.ballot <= inst.promised) return;
        this.#ctx.storage.set(`acc/${msg.rm}`, { ...inst, promised: msg.ballot });
        this.#ctx.send(from, {
          type: "pc-1b",
          ballot: msg.ballot,
          rm: msg.rm,
          accepted: inst.accepted,
        });
        return;
      }
      case "pc-1b": {
        if (msg.ballot !== this.#ballot || this.#chosen.has(msg.rm)) return;
        const ps = this.#promises.get(msg.rm) ?? new Map<NodeId, PcAccepted>();
        this.#promises.set(msg.rm, ps);
        if (ps.has(from)) return;
        ps.set(from, msg.accepted);
        if (ps.size !== this.#majority) return;
        // Paxos phase 2a: the value of the highest accepted ballot, else "aborted" (GL06 §4)
        let best: PcAccepted = null;
        for (const a of ps.values()) if (a && (!best || a.ballot > best.ballot)) best = a;
        const value: RmValue = best ? best.value : "aborted";
        for (const a of this.config.acceptors) {
          this.#ctx.send(a, { type: "pc-2a", ballot: this.#ballot, rm: msg.rm, value });
        }
        return;
      }
      case "pc-outcome":
        return this.#learn(msg.outcome);
      case "pc-inquire":
        if (this.#outcome) this.#ctx.send(from, { type: "pc-outcome", outcome: this.#outcome });
        return;
    }
  }

  #onAccepted(from: NodeId, rm: string, ballot: number, value: RmValue): void {
    if (this.#leaderIndex() < 0 || this.#chosen.has(rm)) return;
    const byBallot = this.#learned.get(rm) ?? new Map<number, Map<RmValue, Set<NodeId>>>();
    this.#learned.set(rm, byBallot);
    const byValue = byBallot.get(ballot) ?? new Map<RmValue, Set<NodeId>>();
    byBallot.set(ballot, byValue);
    const set = byValue.get(value) ?? new Set<NodeId>();
    byValue.set(value, set);
    set.add(from);
    if (set.size < this.#majority) return;
    this.#chosen.set(rm, value);
    // GL06 §4: commit iff every instance chose prepared; abort as soon as one chose aborted
    const all = this.config.participants;
    let outcome: Outcome | undefined;
    if (value === "aborted") outcome = "abort";
    else if (all.every((p) => this.#chosen.get(p) === "prepared")) outcome = "commit";
    if (!outcome || this.#outcome) return;
    this.#learn(outcome);
    for (const p of new Set([...all, ...this.config.leaders])) {
      if (p !== this.#ctx.self) this.#ctx.send(p, { type: "pc-outcome", outcome });
    }
  }

  onTimer(name: string): void {
    if (name === "inquire" && !this.#outcome) {
      // the leader's outcome message may have been lost (a partition): ask again until answered
      for (const l of this.config.leaders) this.#ctx.send(l, { type: "pc-inquire" });
      this.#ctx.setTimer("inquire", this.config.takeoverMs);
      return;
    }
    if (name !== "takeover" || this.#outcome) return;
    const k = this.#leaderIndex();
    if (k <= 0) return; // the initial leader never runs phase 1 for ballot 0
    const L = this.config.leaders.length;
    this.#ballot = this.#ballot < 0 ? k : this.#ballot + L;
    this.#ctx.storage.set("ballot", this.#ballot); // forced before any 1a of this ballot leaves
    this.#promises.clear();
    for (const rm of this.config.participants) {
      if (this.#chosen.has(rm)) continue;
      for (const a of this.config.acceptors) {
        this.#ctx.send(a, { type: "pc-1a", ballot: this.#ballot, rm });
      }
    }
    this.#ctx.setTimer("takeover", L * this.config.takeoverMs);
  }

  /** The outcome this node knows. */
  get outcome(): Outcome | undefined {
    return this.#outcome;
  }

  inspect(): unknown {
    return {
      outcome: this.#outcome,
      chosen: Object.fromEntries(this.#chosen),
      ballot: this.#ballot,
    };
  }
}

type PcAccepted = { readonly ballot: number; readonly value: RmValue } | null;
