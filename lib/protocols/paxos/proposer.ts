/**
 * The proposer role, with Multi-Paxos's stable leader on top (van Renesse & Altinbuken, "Paxos
 * Made Moderately Complex", 2015, §3: the leader's scout runs phase 1 once for every slot, its
 * commanders run phase 2 per slot).
 *
 * - Phase 1 (election): pick a ballot above every ballot seen, ask every acceptor to promise it
 *   for all slots from the first one this node has not learned. A majority of promises makes the
 *   proposer the leader of that ballot.
 * - Recovery: for each slot some promise reports as accepted, re-propose the value accepted at
 *   the highest ballot (Paxos Made Simple's P2c, PMMC's pmax); fill every other unlearned slot up
 *   to the highest one seen with a no-op, so the log has no holes.
 * - Phase 2: each new command gets the next slot and one round trip (Accept / Accepted) to a
 *   majority: phase 1 is skipped for as long as the ballot is not preempted.
 * - Preemption: any sign of a higher ballot (a Nack, a Prepare, an Accept or a heartbeat of a
 *   higher ballot) makes the proposer a follower.
 *
 * Leader election (our design, documented in node.ts): with `election: "stable"` a follower starts
 * phase 1 only after a randomized election timeout without a heartbeat from the leader of the
 * highest ballot it knows; with `election: "none"` a proposer with values to propose starts phase
 * 1 at once and retries after a back-off when preempted (dueling proposers).
 * @module
 */
import type { NodeContext, NodeId } from "../../sim/types.ts";
import { immutable } from "../../sim/storage.ts";
import { stableStringify } from "../../sim/trace.ts";
import type { ProposeResult, ReadResult } from "../kv/replicated_log.ts";
import type { PaxosConfig } from "./config.ts";
import type { Learner } from "./learner.ts";
import {
  type Accepted,
  type Ballot,
  ballotKey,
  BOTTOM,
  compareBallots,
  type HeartbeatAck,
  type LogValue,
  type Nack,
  type PaxosMessage,
  type PaxosPromise,
  type PValue,
  sameBallot,
} from "./messages.ts";

/** A proposer's status: "candidate" while its phase 1 runs, "leader" once a majority promised. */
export type ProposerStatus = "follower" | "candidate" | "leader";

/** Storage key of the highest round this proposer has tried (Paxos Made Simple §2.5). */
export const ROUND_KEY = "paxos/round";

/** Timer names of the proposer. */
export const T_ELECTION = "paxos:election";
/** The stable leader's heartbeat timer. */
export const T_HEARTBEAT = "paxos:heartbeat";
/** Retry and back-off timer without leader election. */
export const T_RETRY = "paxos:retry";

/** What the proposer needs from the node that hosts it. */
export interface ProposerHost {
  /** The hosting node's context: sends, timers, storage and events go through it. */
  readonly ctx: NodeContext<PaxosMessage>;
  /** The node's Paxos parameters, defaults applied. */
  readonly config: PaxosConfig;
  /** Acceptors: Prepare, Accept and Heartbeat go to these; a majority is a quorum. */
  readonly acceptors: readonly NodeId[];
  /** Learners: a Decide goes to each of these once a value is chosen. */
  readonly learners: readonly NodeId[];
  /** Every node that holds some role (heartbeat recipients), this one included. */
  readonly everyone: readonly NodeId[];
  /** This node's learner (every proposer is a learner). */
  readonly learner: Learner<unknown>;
  /** The promise of this node's acceptor, if it is one (a restarted proposer starts above it). */
  readonly localPromised: Ballot;
  /** Send; a message to this node itself is delivered locally after the current handler. */
  send(to: NodeId, msg: PaxosMessage): void;
}

interface Inflight {
  readonly value: LogValue;
  readonly acks: Set<NodeId>;
  /** Came from the `submit` queue (re-queued if the ballot is preempted before it is chosen). */
  readonly fromQueue: boolean;
}

interface PendingRead {
  readonly seq: number;
  readonly index: number;
  readonly cb: (r: ReadResult) => void;
}

/** A proposer (and, once elected, a Multi-Paxos leader). */
export class Proposer {
  #h: ProposerHost;
  #c: PaxosConfig;
  #ctx: NodeContext<PaxosMessage>;
  #status: ProposerStatus = "follower";
  #ballot: Ballot = BOTTOM;
  #maxSeen: Ballot;
  #leaderId: NodeId | undefined;
  #fromSlot = 1;
  #promises = new Map<NodeId, readonly PValue[]>();
  #nextSlot = 1;
  #inflight = new Map<number, Inflight>();
  #queue: LogValue[] = [];
  #preemptions = 0;
  #retryArmed = false;
  #seq = 0;
  #acked = new Map<NodeId, number>();
  #readsAwaitingRound: PendingRead[] = [];
  // Stryker disable next-line ArrayDeclaration: equivalent — a stray element has no index: never ready, and the first onLearned filters it out (performance only)
  #readsAwaitingApply: { index: number; cb: (r: ReadResult) => void }[] = [];
  #quorum: number;

  /** A follower; its rounds start above what it tried before a crash and what its acceptor promised. */
  constructor(host: ProposerHost) {
    this.#h = host;
    this.#c = host.config;
    this.#ctx = host.ctx;
    this.#quorum = Math.floor(host.acceptors.length / 2) + 1;
    const round = host.ctx.storage.get<number>(ROUND_KEY) ?? 0;
    const own: Ballot = { round, proposerId: host.ctx.self };
    this.#maxSeen = compareBallots(own, host.localPromised) > 0 ? own : host.localPromised;
  }

  /** Current status. */
  get status(): ProposerStatus {
    return this.#status;
  }
  /** This proposer's latest ballot (BOTTOM before its first phase 1). */
  get ballot(): Ballot {
    return this.#ballot;
  }
  /** The highest ballot seen anywhere. */
  get maxSeen(): Ballot {
    return this.#maxSeen;
  }
  /** The leader this node last heard from (itself when leader). */
  get leaderId(): NodeId | undefined {
    return this.#leaderId;
  }
  /** Next slot a new command would get (meaningful while leader). */
  get nextSlot(): number {
    return this.#nextSlot;
  }
  /** Slots in phase 2. */
  get inflight(): number {
    return this.#inflight.size;
  }
  /** Values submitted and not yet chosen. */
  get queued(): number {
    return this.#queue.length;
  }
  /** Preemptions in a row since this proposer last got a value chosen. */
  get preemptions(): number {
    return this.#preemptions;
  }

  /** Start (or restart) as a follower. */
  start(): void {
    this.#emitRole();
    if (this.#c.election === "stable") this.#armElection();
  }

  /** Run phase 1 now (stable election: as if the election timeout fired). No-op for a leader. */
  campaign(): void {
    if (this.#status !== "leader") this.#startPhase1();
  }

  // ---- client interface ---------------------------------------------------------------------

  /** Give `command` the next slot if leader (phase 2 only); otherwise refuse with a hint. */
  propose(command: unknown): ProposeResult {
    if (this.#status !== "leader") {
      return { ok: false, reason: "not-leader", leaderHint: this.#leaderId };
    }
    const slot = this.#nextSlot++;
    this.#ctx.emit({ type: "propose", slot, ballot: this.#ballot });
    this.#phase2(slot, { kind: "command", command }, false);
    return { ok: true, index: slot };
  }

  /**
   * Queue `command` at this proposer: it is proposed when this proposer leads (at most
   * `pipeline` in phase 2 at once) and re-queued if its ballot is preempted before it is chosen.
   * Without leader election, a follower with queued values starts phase 1 at once.
   */
  submit(command: unknown): void {
    this.#queue.push({ kind: "command", command });
    if (this.#status === "leader") return this.#pump();
    if (this.#c.election === "none" && this.#status === "follower" && !this.#retryArmed) {
      this.#startPhase1();
    }
  }

  /**
   * ReadIndex for Paxos: note the last slot this leader has assigned, confirm with a heartbeat
   * round that a majority of acceptors still promised nothing higher, then wait until that slot is
   * applied. Every write completed before the read was chosen in a slot at or below it (phase 1
   * recovered everything chosen at lower ballots; a higher ballot would need a promise from an
   * acceptor of the round's majority, given only after the round).
   */
  readIndex(cb: (r: ReadResult) => void): void {
    if (this.#status !== "leader") {
      cb({ ok: false, reason: "not-leader", leaderHint: this.#leaderId });
      return;
    }
    this.#readsAwaitingRound.push({ seq: this.#seq + 1, index: this.#nextSlot - 1, cb });
    this.#broadcastHeartbeat();
  }

  // ---- messages -----------------------------------------------------------------------------

  /**
   * A ballot seen in a Prepare, Accept or Heartbeat at this node. A higher one preempts us; a
   * stable follower treats the leader's Accepts and heartbeats (and a new candidate's Prepare,
   * like a granted vote) as reasons not to start an election yet.
   */
  observe(from: NodeId, ballot: Ballot, kind: "prepare" | "accept" | "heartbeat"): void {
    if (from === this.#ctx.self) return;
    const cmp = compareBallots(ballot, this.#maxSeen);
    if (cmp > 0) {
      this.#maxSeen = ballot;
      if (kind === "prepare") this.#leaderId = undefined;
    }
    if (this.#status !== "follower" && compareBallots(ballot, this.#ballot) > 0) {
      this.#stepDown(ballot);
    }
    if (this.#status !== "follower" || cmp < 0) return;
    if (kind !== "prepare") this.#leaderId = ballot.proposerId;
    if (this.#c.election === "stable" && (kind !== "prepare" || cmp > 0)) this.#armElection();
  }

  /** Phase 1b. */
  onPromise(from: NodeId, m: PaxosPromise): void {
    if (this.#status !== "candidate" || !sameBallot(m.ballot, this.#ballot)) return;
    if (!this.#h.acceptors.includes(from)) return;
    this.#promises.set(from, m.accepted);
    if (this.#promises.size >= this.#quorum) this.#becomeLeader();
  }

  /** Phase 2b. Only a leader has slots in phase 2 (#startPhase1 and #stepDown clear them). */
  onAccepted(from: NodeId, m: Accepted): void {
    if (!sameBallot(m.ballot, this.#ballot)) return;
    const f = this.#inflight.get(m.slot);
    if (!f || !this.#h.acceptors.includes(from)) return;
    f.acks.add(from);
    if (f.acks.size < this.#quorum) return;
    // a majority accepted the same ballot: the value is chosen (Paxos Made Simple §2.3)
    this.#inflight.delete(m.slot);
    if (f.fromQueue) this.#preemptions = 0;
    this.#ctx.emit({ type: "chosen", slot: m.slot, ballot: this.#ballot, value: f.value });
    const decide: PaxosMessage = { type: "Decide", decisions: [{ slot: m.slot, value: f.value }] };
    for (const l of this.#h.learners) this.#h.send(l, decide);
    this.#pump();
  }

  /** An acceptor refused: it promised a higher ballot. */
  onNack(_from: NodeId, m: Nack): void {
    if (compareBallots(m.promised, this.#maxSeen) > 0) this.#maxSeen = m.promised;
    if (this.#status !== "follower" && compareBallots(m.promised, this.#ballot) > 0) {
      this.#stepDown(m.promised);
    }
  }

  /**
   * An acceptor acknowledged a heartbeat round. A late one reaching a deposed leader of the same
   * ballot is harmless: it has no reads waiting and clears `#acked` when it leads again.
   */
  onHeartbeatAck(from: NodeId, m: HeartbeatAck): void {
    if (!sameBallot(m.ballot, this.#ballot)) return;
    if (!this.#h.acceptors.includes(from)) return;
    if (m.seq > (this.#acked.get(from) ?? 0)) {
      this.#acked.set(from, m.seq);
      this.#advanceReads();
    }
  }

  /** This node's learner learned `slot`: drop the value from the queue, release waiting reads. */
  onLearned(_slot: number, value: LogValue): void {
    if (value.kind === "command") {
      const k = this.#queueIndexOf(value.command);
      if (k >= 0) this.#queue.splice(k, 1);
    }
    if (this.#readsAwaitingApply.length) {
      const applied = this.#h.learner.lastApplied;
      const ready = this.#readsAwaitingApply.filter((r) => r.index <= applied);
      this.#readsAwaitingApply = this.#readsAwaitingApply.filter((r) => r.index > applied);
      for (const r of ready) r.cb({ ok: true, index: r.index });
    }
  }

  /** A proposer timer fired. */
  onTimer(name: string): void {
    switch (name) {
      case T_ELECTION:
        // §"leader election" in node.ts: no heartbeat from a leader for a whole timeout
        if (this.#status !== "leader") this.#startPhase1();
        return;
      case T_HEARTBEAT:
        if (this.#status !== "leader") return;
        this.#broadcastHeartbeat();
        this.#resendAccepts();
        this.#ctx.setTimer(T_HEARTBEAT, this.#c.heartbeatIntervalMs);
        return;
      case T_RETRY:
        this.#retryArmed = false;
        if (this.#status === "leader") {
          this.#resendAccepts();
          if (this.#inflight.size) this.#armRetry(this.#c.retryMs);
        } else if (this.#status === "candidate" || this.#queue.length) {
          this.#startPhase1();
        }
        return;
    }
  }

  /** A plain snapshot. */
  inspect(): {
    status: ProposerStatus;
    ballot: string;
    maxSeen: string;
    leaderId: NodeId | null;
    nextSlot: number;
    inflight: number;
    queued: number;
  } {
    return {
      status: this.#status,
      ballot: ballotKey(this.#ballot),
      maxSeen: ballotKey(this.#maxSeen),
      leaderId: this.#leaderId ?? null,
      nextSlot: this.#nextSlot,
      inflight: this.#inflight.size,
      queued: this.#queue.length,
    };
  }

  #queueIndexOf(command: unknown): number {
    // the key is computed only if the queue holds a command (usually it is empty)
    let key: string | undefined;
    return this.#queue.findIndex((v) =>
      v.kind === "command" && stableStringify(v.command) === (key ??= stableStringify(command))
    );
  }

  // ---- phases -------------------------------------------------------------------------------

  #startPhase1(): void {
    const round = this.#maxSeen.round + 1;
    // Paxos Made Simple §2.5: a proposer remembers in stable storage the highest proposal it has
    // tried, so that a restart never reuses a ballot with a different value
    this.#ctx.storage.set(ROUND_KEY, round);
    this.#ballot = { round, proposerId: this.#ctx.self };
    this.#maxSeen = this.#ballot;
    // never a leader here (every caller checks), so there is no heartbeat timer to cancel
    this.#status = "candidate";
    this.#leaderId = undefined;
    this.#promises.clear();
    this.#inflight.clear();
    this.#fromSlot = this.#h.learner.firstUnchosen;
    this.#emitRole();
    this.#ctx.emit({ type: "ballot", ballot: this.#ballot, fromSlot: this.#fromSlot });
    const prepare: PaxosMessage = {
      type: "Prepare",
      ballot: this.#ballot,
      fromSlot: this.#fromSlot,
    };
    for (const a of this.#h.acceptors) this.#h.send(a, prepare);
    if (this.#c.election === "stable") this.#armElection();
    else this.#armRetry(this.#c.retryMs);
  }

  #becomeLeader(): void {
    this.#status = "leader";
    this.#leaderId = this.#ctx.self;
    this.#acked.clear();
    this.#emitRole();
    this.#ctx.emit({ type: "leader", ballot: this.#ballot, term: this.#ballot.round });
    // PMMC's pmax: in each slot, the value accepted at the highest ballot
    const pmax = new Map<number, PValue>();
    for (const accepted of this.#promises.values()) {
      for (const pv of accepted) {
        if (pv.slot < this.#fromSlot) continue;
        const cur = pmax.get(pv.slot);
        if (!cur || compareBallots(pv.ballot, cur.ballot) > 0) pmax.set(pv.slot, pv);
      }
    }
    this.#promises.clear();
    const learner = this.#h.learner;
    let maxSlot = Math.max(this.#fromSlot - 1, learner.maxSlot);
    for (const s of pmax.keys()) if (s > maxSlot) maxSlot = s;
    this.#nextSlot = maxSlot + 1;
    for (let s = this.#fromSlot; s <= maxSlot; s++) {
      if (learner.valueAt(s)) continue;
      if (this.#c.mistakeProposeOwnValue) {
        // MISTAKE flag: ignore what phase 1 reported and propose our own value (or a no-op)
        const own = this.#queue.shift();
        this.#phase2(s, own ?? { kind: "noop" }, own !== undefined);
        continue;
      }
      // P2c: a value possibly chosen at a lower ballot must be proposed again; a slot nobody
      // accepted anything in is filled with a no-op so later slots can be applied
      const value = pmax.get(s)?.value ?? { kind: "noop" };
      // one of our own queued values, re-proposed where it was accepted: not a second copy
      const k = value.kind === "command" ? this.#queueIndexOf(value.command) : -1;
      if (k >= 0) this.#queue.splice(k, 1);
      this.#phase2(s, value, k >= 0);
    }
    if (this.#c.election === "stable") {
      this.#ctx.cancelTimer(T_ELECTION);
      this.#broadcastHeartbeat();
      this.#ctx.setTimer(T_HEARTBEAT, this.#c.heartbeatIntervalMs);
    }
    this.#pump();
  }

  /** Leader only (every caller checks): move queued values into phase 2, up to `pipeline`. */
  #pump(): void {
    let fromQueue = 0;
    for (const f of this.#inflight.values()) if (f.fromQueue) fromQueue++;
    while (fromQueue < this.#c.pipeline && this.#queue.length) {
      const v = this.#queue.shift()!;
      const slot = this.#nextSlot++;
      this.#ctx.emit({ type: "propose", slot, ballot: this.#ballot });
      this.#phase2(slot, v, true);
      fromQueue++;
    }
  }

  #phase2(slot: number, proposed: LogValue, fromQueue: boolean): void {
    // frozen once here (performance): every acceptor and learner then stores this very object,
    // which durable storage shares instead of copying
    const value = immutable(proposed) ?? proposed;
    this.#inflight.set(slot, { value, acks: new Set(), fromQueue });
    const accept: PaxosMessage = { type: "Accept", ballot: this.#ballot, slot, value };
    for (const a of this.#h.acceptors) this.#h.send(a, accept);
    if (this.#c.election === "none" && !this.#retryArmed) this.#armRetry(this.#c.retryMs);
  }

  #resendAccepts(): void {
    for (const [slot, f] of this.#inflight) {
      const accept: PaxosMessage = { type: "Accept", ballot: this.#ballot, slot, value: f.value };
      for (const a of this.#h.acceptors) if (!f.acks.has(a)) this.#h.send(a, accept);
    }
  }

  #stepDown(by: Ballot): void {
    this.#ctx.emit({ type: "preempted", ballot: this.#ballot, by });
    this.#status = "follower";
    this.#leaderId = undefined;
    // values of ours that may not be chosen go back to the front of the queue, in slot order
    const mine = [...this.#inflight].filter(([, f]) => f.fromQueue).sort((a, b) => a[0] - b[0]);
    this.#queue.unshift(...mine.map(([, f]) => f.value));
    this.#inflight.clear();
    this.#promises.clear();
    // a deposed leader stops its heartbeats (only a leader has this timer armed)
    this.#ctx.cancelTimer(T_HEARTBEAT);
    this.#failPendingReads();
    this.#emitRole();
    if (this.#c.election === "stable") {
      this.#armElection();
      return;
    }
    this.#preemptions++;
    this.#ctx.cancelTimer(T_RETRY);
    this.#retryArmed = false;
    if (this.#queue.length) this.#armRetry(this.#backoffMs());
  }

  /** Randomized exponential back-off after the k-th preemption in a row (or none). */
  #backoffMs(): number {
    if (this.#c.backoff === "none") return 0;
    const k = Math.min(this.#preemptions, 6);
    return this.#ctx.rng.uniform(0, this.#c.backoffMs * 2 ** k);
  }

  // ---- heartbeats and reads -----------------------------------------------------------------

  #broadcastHeartbeat(): void {
    this.#seq++;
    const hb: PaxosMessage = {
      type: "Heartbeat",
      ballot: this.#ballot,
      seq: this.#seq,
      firstUnchosen: this.#h.learner.firstUnchosen,
    };
    for (const id of this.#h.everyone) this.#h.send(id, hb);
  }

  #advanceReads(): void {
    if (this.#readsAwaitingRound.length === 0) return;
    const acks = this.#h.acceptors.map((a) => this.#acked.get(a) ?? 0).sort((a, b) => b - a);
    const confirmed = acks[this.#quorum - 1];
    const ready = this.#readsAwaitingRound.filter((r) => r.seq <= confirmed);
    if (ready.length === 0) return;
    this.#readsAwaitingRound = this.#readsAwaitingRound.filter((r) => r.seq > confirmed);
    const applied = this.#h.learner.lastApplied;
    for (const r of ready) {
      if (r.index <= applied) r.cb({ ok: true, index: r.index });
      else this.#readsAwaitingApply.push({ index: r.index, cb: r.cb });
    }
  }

  #failPendingReads(): void {
    const reads = this.#readsAwaitingRound;
    this.#readsAwaitingRound = [];
    for (const r of reads) r.cb({ ok: false, reason: "not-leader", leaderHint: this.#leaderId });
  }

  // ---- effects ------------------------------------------------------------------------------

  #armElection(): void {
    const c = this.#c;
    this.#ctx.setTimer(
      T_ELECTION,
      this.#ctx.rng.uniform(c.electionTimeoutMsMin, c.electionTimeoutMsMax),
    );
  }

  #armRetry(ms: number): void {
    this.#retryArmed = true;
    this.#ctx.setTimer(T_RETRY, ms);
  }

  #emitRole(): void {
    this.#ctx.emit({
      type: "role",
      role: this.#status,
      term: this.#ballot.round,
      ballot: this.#ballot,
    });
  }
}
