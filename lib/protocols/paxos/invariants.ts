/**
 * Paxos's safety properties, checked on every simulator event (Lamport, "Paxos Made Simple",
 * 2001, §2.1–2.3), and liveness figures read from the same run.
 *
 * "Chosen" is computed from the acceptors' states, not from what proposers claim: a value is
 * chosen in a slot once a majority of acceptors has accepted it there at the same ballot. Every
 * acceptor emits an `accept` event for each value it accepts (its only state change that matters
 * here; its accepted values are durable), so the checker's copy of the acceptors is exact.
 *
 * - agreement: at most one value is chosen per slot;
 * - stability: a chosen value never changes — once v is chosen in a slot, every value accepted
 *   there at a higher ballot is v (P2b), so any later majority agrees on v too;
 * - ballot uniqueness: at one ballot, a slot is offered one value (a ballot has one proposer);
 * - learner validity: a learner learns only a value that is chosen.
 *
 * The first breach is kept with its trace position, seed and time; attached to a simulation the
 * checker throws it from `afterEach`, which stops the run at the offending event.
 * @module
 */
import type { EmittedEvent, Simulation } from "../../sim/simulation.ts";
import type { NodeId } from "../../sim/types.ts";
import { stableStringify } from "../../sim/trace.ts";
import { logNodeOf } from "../kv/replicated_log.ts";
import { describeInvariantBreach, type InvariantBreach, InvariantError } from "../../sim/errors.ts";
import { type Ballot, ballotKey, compareBallots } from "./messages.ts";
import { PaxosNode } from "./node.ts";

/** The name of a Paxos safety property. */
export type PaxosInvariantName =
  | "agreement"
  | "stability"
  | "ballot-uniqueness"
  | "learner-validity";

/** A violation of a safety property, with where to find it. */
export interface PaxosBreach extends InvariantBreach<PaxosInvariantName> {
  /** The log slot where the property was violated. */
  readonly slot: number;
}

/** Thrown (from `afterEach`) at the first breach. */
export class PaxosInvariantError extends InvariantError<PaxosBreach> {
  /** Error name shown in stack traces and `String(err)`. */
  override name = "PaxosInvariantError";
  /** An error describing `breach`. */
  constructor(breach: PaxosBreach) {
    super(breach, describePaxosBreach(breach));
  }
}

/** One line: invariant, seed, time, event and trace position, then the detail. */
export function describePaxosBreach(b: PaxosBreach): string {
  return describeInvariantBreach("paxos", b, ` slot=${b.slot}`);
}

/** Liveness figures of a run. */
export interface PaxosLiveness {
  /** First time a value was chosen in some slot (NaN if never). */
  readonly firstChosenMs: number;
  /** Slots with a chosen value. */
  readonly chosenSlots: number;
  /** Phase 1 attempts (ballots started). */
  readonly ballots: number;
  /** Times a candidate or leader was preempted. */
  readonly preemptions: number;
  /** Leaders elected (phase 1 successes). */
  readonly leaders: number;
  /** For each value a leader proposed: time from its `propose` to its `chosen` (same node). */
  readonly commitLatencyMs: readonly number[];
}

/** Options of {@link PaxosInvariants}. */
export interface PaxosInvariantsOptions {
  /** Number of acceptors (default: read from the first PaxosNode found when attached). */
  readonly acceptors?: number;
  /** Throw the first breach from `afterEach` (default true); else only record breaches. */
  readonly throwOnBreach?: boolean;
  /** Seed to report when events are fed by hand. */
  readonly seed?: number | string;
}

/** The Paxos node inside a node object: the object itself or its `log` field (a KV server). */
export function defaultPaxosOf(instance: unknown): PaxosNode | undefined {
  return logNodeOf(instance, PaxosNode);
}

interface BallotVotes {
  readonly ballot: Ballot;
  readonly digest: string;
  readonly value: unknown;
  readonly acceptors: Set<NodeId>;
  readonly first: NodeId;
}

interface SlotState {
  /** Votes per ballot key. */
  readonly votes: Map<string, BallotVotes>;
  /** The first value chosen here, with the lowest ballot it was chosen at. */
  chosen?: { ballot: Ballot; digest: string; value: unknown };
  /** Every distinct value chosen here, in order (more than one only after a breach). */
  readonly all: unknown[];
}

/**
 * The Paxos safety checker.
 * @example
 * ```ts
 * const { sim } = createCluster({ seed: 3, nodes: 5, factory: paxosFactory() });
 * const inv = new PaxosInvariants().attach(sim);
 * sim.run({ untilMs: 10_000 }); // throws PaxosInvariantError at the first breach
 * inv.liveness().firstChosenMs;
 * ```
 */
export class PaxosInvariants {
  #throw: boolean;
  #seed: number | string | undefined;
  #sim: Simulation<unknown> | undefined;
  #quorum: number | undefined;
  #breaches: PaxosBreach[] = [];
  #thrown = false;
  #events = 0;
  #slots = new Map<number, SlotState>();
  #now = 0;
  // liveness
  #firstChosenMs = NaN;
  #ballots = 0;
  #preemptions = 0;
  #leaders = 0;
  #proposed = new Map<string, number>();
  #latency: number[] = [];

  /** A checker; attach it to a simulation or feed it events with {@link observe}. */
  constructor(options: PaxosInvariantsOptions = {}) {
    this.#throw = options.throwOnBreach ?? true;
    this.#seed = options.seed;
    if (options.acceptors !== undefined) this.#quorum = Math.floor(options.acceptors / 2) + 1;
  }

  /** The first breach, if any. */
  get breach(): PaxosBreach | undefined {
    return this.#breaches[0];
  }
  /** Every breach recorded (at most 100). */
  get breaches(): readonly PaxosBreach[] {
    return this.#breaches;
  }
  /** Events handled since attaching. */
  get eventsChecked(): number {
    return this.#events;
  }
  /** The value chosen in `slot` (first chosen, if several were), if any. */
  chosenAt(slot: number): unknown {
    return this.#slots.get(slot)?.chosen?.value;
  }
  /** Every distinct value chosen in `slot`, in the order they were chosen (one at most if safe). */
  chosenValues(slot: number): unknown[] {
    return this.#slots.get(slot)?.all.slice() ?? [];
  }
  /** Slots with a chosen value, ascending. */
  chosenSlots(): number[] {
    return [...this.#slots].filter(([, s]) => s.chosen).map(([k]) => k).sort((a, b) => a - b);
  }

  /** Check every event of `sim` from now on. Returns this checker. */
  attach<M>(sim: Simulation<M>): this {
    const s = sim as unknown as Simulation<unknown>;
    this.#sim = s;
    this.#seed = sim.seed;
    sim.onEvent((e) => this.observe(e));
    sim.afterEach(() => this.#afterEach());
    return this;
  }

  /** Feed one protocol event. */
  observe(e: EmittedEvent): void {
    this.#now = e.t;
    const ev = e.event as Record<string, unknown>;
    switch (e.event.type) {
      case "accept":
        return this.#onAccept(e.node, ev.slot as number, ev.ballot as Ballot, ev.value);
      case "decide":
        return this.#onDecide(e.node, ev.slot as number, ev.value);
      case "ballot":
        this.#ballots++;
        return;
      case "preempted":
        this.#preemptions++;
        return;
      case "leader":
        this.#leaders++;
        return;
      case "propose":
        this.#proposed.set(`${e.node}/${ev.slot}/${ballotKey(ev.ballot as Ballot)}`, e.t);
        return;
      case "chosen": {
        const key = `${e.node}/${ev.slot}/${ballotKey(ev.ballot as Ballot)}`;
        const t = this.#proposed.get(key);
        if (t !== undefined) {
          this.#latency.push(e.t - t);
          this.#proposed.delete(key);
        }
        return;
      }
    }
  }

  /** Liveness figures so far. */
  liveness(): PaxosLiveness {
    return {
      firstChosenMs: this.#firstChosenMs,
      chosenSlots: this.chosenSlots().length,
      ballots: this.#ballots,
      preemptions: this.#preemptions,
      leaders: this.#leaders,
      commitLatencyMs: this.#latency.slice(),
    };
  }

  // ---- checks -------------------------------------------------------------------------------

  #report(invariant: PaxosInvariantName, node: NodeId, slot: number, message: string): void {
    if (this.#breaches.length >= 100) return;
    this.#breaches.push({
      invariant,
      message,
      node,
      slot,
      timeMs: this.#sim?.nowMs ?? this.#now,
      eventIndex: this.#events + 1,
      traceIndex: this.#sim?.trace.count ?? 0,
      seed: this.#seed,
    });
  }

  #afterEach(): void {
    this.#events++;
    if (this.#breaches.length && this.#throw && !this.#thrown) {
      this.#thrown = true;
      throw new PaxosInvariantError(this.#breaches[0]);
    }
  }

  #quorumSize(node: NodeId): number {
    if (this.#quorum === undefined) {
      const p = this.#sim ? defaultPaxosOf(this.#sim.instanceOf(node)) : undefined;
      if (!p) throw new Error("PaxosInvariants: pass `acceptors` when feeding events by hand");
      this.#quorum = Math.floor(p.acceptors.length / 2) + 1;
    }
    return this.#quorum;
  }

  #onAccept(node: NodeId, slot: number, ballot: Ballot, value: unknown): void {
    let s = this.#slots.get(slot);
    if (!s) this.#slots.set(slot, s = { votes: new Map(), all: [] });
    const digest = stableStringify(value);
    const key = ballotKey(ballot);
    let v = s.votes.get(key);
    if (!v) s.votes.set(key, v = { ballot, digest, value, acceptors: new Set(), first: node });
    else if (v.digest !== digest) {
      this.#report(
        "ballot-uniqueness",
        node,
        slot,
        `${node} accepted ${digest} at ballot ${key}, ${v.first} accepted ${v.digest} there`,
      );
    }
    // P2b: once v is chosen, a higher ballot may carry only v
    const c = s.chosen;
    if (c && compareBallots(ballot, c.ballot) > 0 && c.digest !== digest) {
      this.#report(
        "stability",
        node,
        slot,
        `${node} accepted ${digest} at ballot ${key} after ${c.digest} was chosen at ballot ` +
          ballotKey(c.ballot),
      );
    }
    v.acceptors.add(node);
    if (v.acceptors.size !== this.#quorumSize(node)) return;
    if (!c) {
      s.chosen = { ballot, digest, value };
      s.all.push(value);
      if (Number.isNaN(this.#firstChosenMs)) this.#firstChosenMs = this.#sim?.nowMs ?? this.#now;
    } else if (c.digest !== v.digest) {
      if (!s.all.some((x) => stableStringify(x) === v.digest)) s.all.push(v.value);
      this.#report(
        "agreement",
        node,
        slot,
        `two values chosen: ${c.digest} at ballot ${ballotKey(c.ballot)} and ${v.digest} at ` +
          `ballot ${key} (accepted by ${[...v.acceptors].join(", ")})`,
      );
    } else if (compareBallots(ballot, c.ballot) < 0) {
      c.ballot = ballot;
    }
  }

  #onDecide(node: NodeId, slot: number, value: unknown): void {
    const s = this.#slots.get(slot);
    const digest = stableStringify(value);
    let chosen = false;
    if (s) {
      for (const v of s.votes.values()) {
        if (v.digest === digest && v.acceptors.size >= this.#quorumSize(node)) chosen = true;
      }
    }
    if (!chosen) {
      this.#report(
        "learner-validity",
        node,
        slot,
        `${node} learned ${digest}, which no majority of acceptors accepted at one ballot` +
          (s?.chosen ? ` (chosen: ${s.chosen.digest})` : " (nothing chosen there)"),
      );
    }
  }
}
