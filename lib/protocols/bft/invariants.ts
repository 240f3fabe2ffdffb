/**
 * BFT safety, validity, liveness and accountability, checked on every simulator event like the
 * Raft and Paxos invariants, for any protocol whose honest replicas emit `bft-decide` events
 * (events.ts):
 *
 * - agreement: no two honest replicas decide different values at the same slot (sequence number
 *   or height); nor does one replica decide a slot twice differently;
 * - validity: every request in a decided value was submitted by a client (a message sent by a
 *   client node whose `clientId` and `seq` name it);
 * - liveness after stabilisation: once faults stop (and an honest leader can take over),
 *   decisions resume within a stated bound ({@link BftInvariants.liveness});
 * - accountability: when agreement breaks (only possible with more than f Byzantine replicas),
 *   the checker names the replicas whose own signed statements prove them faulty — equivocation
 *   found generically, cross-round violations by the protocol's {@link Forensics}. Theory says at
 *   least f + 1 of them (two quorums of ⌈(n + f + 1)/2⌉ share f + 1 replicas).
 *
 * Byzantine replicas are those the simulator marks (`createCluster({ byzantine })`, nemesis
 * `byzantine` faults, `sim.replace`); their decisions do not count.
 * @module
 */
import type { Delivery, EmittedEvent, Simulation } from "../../sim/simulation.ts";
import type { NodeId } from "../../sim/types.ts";
import { describeInvariantBreach, type InvariantBreach, InvariantError } from "../../sim/errors.ts";
import type { BftDecideEvent } from "./events.ts";
import { requestId } from "./events.ts";
import {
  type Culprit,
  equivocators,
  type Forensics,
  type Statement,
  StatementLog,
} from "./evidence.ts";

/** The name of a BFT safety property. */
export type BftInvariantName = "agreement" | "validity";

/** A violation, with where to find it and, for agreement, the culprits. */
export interface BftBreach extends InvariantBreach<BftInvariantName> {
  /** The slot (sequence number or height). */
  readonly slot: number;
  /** For agreement: the replicas proven faulty by their own signatures (may be filled later). */
  culprits: readonly Culprit[];
}

/** Thrown (from `afterEach`) at the first breach. */
export class BftInvariantError extends InvariantError<BftBreach> {
  /** Error name shown in stack traces and `String(err)`. */
  override name = "BftInvariantError";
  /** An error describing `breach` (with `protocol` named first). */
  constructor(breach: BftBreach, protocol: string) {
    super(breach, describeBftBreach(breach, protocol));
  }
}

/** One line: protocol, invariant, seed, time, positions, slot, culprits, then the detail. */
export function describeBftBreach(b: BftBreach, protocol = "bft"): string {
  const culprits = b.culprits.length ? ` culprits=${b.culprits.map((c) => c.node).join(",")}` : "";
  return describeInvariantBreach(protocol, b, ` slot=${b.slot}${culprits}`);
}

/** Options of {@link BftInvariants}. */
export interface BftInvariantsOptions {
  /** Protocol name for messages (default "bft"). */
  readonly protocol?: string;
  /** Throw the first breach from `afterEach` (default true); else only record breaches. */
  readonly throwOnBreach?: boolean;
  /** Check validity (default true). Off when requests are injected without client nodes. */
  readonly validity?: boolean;
  /**
   * Read the signed statements of a delivered message, for accountability. Without it no culprit
   * can be named. Statements whose signature does not verify are ignored (forgeries).
   */
  readonly statements?: (msg: unknown) => readonly Statement[];
  /** Cross-round forensics of the protocol (equivocation is found without it). */
  readonly forensics?: Forensics;
  /** Seed to report when events are fed by hand. */
  readonly seed?: number | string;
}

/** Liveness figures after a time: when decisions resumed. */
export interface BftLiveness {
  /** The time from which decisions are counted (ms). */
  readonly fromMs: number;
  /** First honest decision at or after `fromMs` (NaN if none). */
  readonly firstDecisionMs: number;
  /** Honest decisions (distinct slots) at or after `fromMs`. */
  readonly decisions: number;
  /** Whether the first decision came within `boundMs` of `fromMs`. */
  readonly ok: boolean;
  /** The bound it was held to. */
  readonly boundMs: number;
}

interface SlotDecision {
  readonly digest: string;
  readonly node: NodeId;
  readonly t: number;
}

/**
 * The BFT checker.
 * @example
 * ```ts
 * const inv = new BftInvariants({ protocol: "pbft", statements: pbftStatements }).attach(sim);
 * sim.run({ untilMs: 10_000 }); // throws BftInvariantError at the first breach
 * inv.liveness(5_000, 2_000).ok;
 * ```
 */
export class BftInvariants {
  readonly #protocol: string;
  readonly #throw: boolean;
  readonly #validity: boolean;
  readonly #statementsOf?: (msg: unknown) => readonly Statement[];
  readonly #forensics?: Forensics;
  #seed: number | string | undefined;
  #sim: Simulation<unknown> | undefined;
  #breaches: BftBreach[] = [];
  #thrown = false;
  #events = 0;
  #decided = new Map<number, SlotDecision>();
  #byNode = new Map<NodeId, Map<number, string>>();
  #submitted = new Set<string>();
  #decisions: { t: number; slot: number }[] = [];
  #read = new WeakSet<object>();
  /** Every verified signed statement seen on the wire (when `statements` is given). */
  readonly log = new StatementLog();

  /** A checker; attach it to a simulation or feed it events by hand. */
  constructor(options: BftInvariantsOptions = {}) {
    this.#protocol = options.protocol ?? "bft";
    this.#throw = options.throwOnBreach ?? true;
    this.#validity = options.validity ?? true;
    this.#statementsOf = options.statements;
    this.#forensics = options.forensics;
    this.#seed = options.seed;
  }

  /** Check every event of `sim` from now on (and record submitted requests and statements). */
  attach<M>(sim: Simulation<M>): this {
    const s = sim as unknown as Simulation<unknown>;
    this.#sim = s;
    this.#seed ??= sim.seed;
    s.onEvent((e) => this.observe(e));
    s.onDeliver((d) => this.#onDeliver(d));
    s.afterEach(() => {
      this.#events++;
      if (this.#throw && !this.#thrown && this.#breaches.length) {
        this.#thrown = true;
        throw new BftInvariantError(this.#breaches[0], this.#protocol);
      }
    });
    return this;
  }

  /** Every breach recorded so far (the first is the one thrown). */
  get breaches(): readonly BftBreach[] {
    return this.#breaches;
  }

  /** Distinct slots decided by some honest replica. */
  get decidedSlots(): number {
    return this.#decided.size;
  }

  /** Request ids clients submitted so far. */
  get submitted(): ReadonlySet<string> {
    return this.#submitted;
  }

  /** Record that a client submitted request `id` (`clientId:seq`), when feeding by hand. */
  submit(id: string): void {
    this.#submitted.add(id);
  }

  #onDeliver(d: Delivery<unknown>): void {
    const sim = this.#sim!;
    const m = d.msg as { clientId?: unknown; seq?: unknown } | null;
    if (
      m && typeof m.clientId === "string" && typeof m.seq === "number" &&
      sim.node(d.from).role === "client"
    ) this.#submitted.add(requestId(m.clientId, m.seq));
    if (!this.#statementsOf || m === null || typeof m !== "object") return;
    // a broadcast delivers one message object to every peer: read its statements once
    if (this.#read.has(m)) return;
    this.#read.add(m);
    for (const st of this.#statementsOf(d.msg)) {
      if (st.signature?.signer === st.signer && sim.verifySignature(st.signature, st.signed)) {
        this.log.add(st);
      }
    }
  }

  #honest(node: NodeId): boolean {
    return !this.#sim || !this.#sim.node(node).byzantine;
  }

  /** Feed one protocol event (called for every event when attached). */
  observe(e: EmittedEvent): void {
    if (e.event.type !== "bft-decide" || !this.#honest(e.node)) return;
    const ev = e.event as unknown as BftDecideEvent;
    let mine = this.#byNode.get(e.node);
    if (!mine) this.#byNode.set(e.node, mine = new Map());
    const before = mine.get(ev.slot);
    if (before !== undefined && before !== ev.digest) {
      this.#breach(
        "agreement",
        e,
        ev.slot,
        `${e.node} decided slot ${ev.slot} twice: ${before} then ${ev.digest}`,
        before,
        ev.digest,
      );
    }
    mine.set(ev.slot, ev.digest);
    const first = this.#decided.get(ev.slot);
    if (!first) {
      this.#decided.set(ev.slot, { digest: ev.digest, node: e.node, t: e.t });
      this.#decisions.push({ t: e.t, slot: ev.slot });
    } else if (first.digest !== ev.digest) {
      this.#breach(
        "agreement",
        e,
        ev.slot,
        `${first.node} decided ${first.digest} at t=${+first.t.toFixed(3)}ms but ${e.node} ` +
          `decided ${ev.digest}`,
        first.digest,
        ev.digest,
      );
    }
    if (this.#validity && this.#sim) {
      const bad = ev.requests.find((r) => !this.#submitted.has(r));
      if (bad !== undefined) {
        this.#breach(
          "validity",
          e,
          ev.slot,
          `${e.node} decided request ${bad}, which no client submitted`,
        );
      }
    }
  }

  #breach(
    invariant: BftInvariantName,
    e: EmittedEvent,
    slot: number,
    message: string,
    a?: string,
    b?: string,
  ): void {
    const culprits = a !== undefined && b !== undefined ? this.culprits(slot, a, b) : [];
    this.#breaches.push({
      invariant,
      message,
      node: e.node,
      timeMs: e.t,
      eventIndex: this.#events + 1,
      traceIndex: e.traceIndex,
      seed: this.#seed,
      slot,
      culprits,
    });
  }

  /**
   * The replicas proven faulty for a conflict between digests `a` and `b` at `slot`: equivocators
   * first, then the protocol's forensics (one entry per node, first proof kept).
   */
  culprits(slot: number, a: string, b: string): Culprit[] {
    const out = new Map<NodeId, Culprit>();
    for (const c of equivocators(this.log, slot)) out.set(c.node, c);
    for (const c of this.#forensics?.(this.log, slot, a, b) ?? []) {
      if (!out.has(c.node)) out.set(c.node, c);
    }
    return [...out.values()].sort((x, y) => x.node < y.node ? -1 : x.node > y.node ? 1 : 0);
  }

  /**
   * Liveness after stabilisation: did an honest replica decide a new slot within `boundMs` of
   * `fromMs` (when faults stopped and an honest leader could take over)?
   */
  liveness(fromMs: number, boundMs: number): BftLiveness {
    const after = this.#decisions.filter((d) => d.t >= fromMs);
    const firstDecisionMs = after.length ? after[0].t : NaN;
    return {
      fromMs,
      firstDecisionMs,
      decisions: after.length,
      ok: after.length > 0 && firstDecisionMs - fromMs <= boundMs,
      boundMs,
    };
  }

  /** Decision times of honest replicas (first decision of each slot), in order. */
  decisionTimes(): readonly { t: number; slot: number }[] {
    return this.#decisions;
  }
}
