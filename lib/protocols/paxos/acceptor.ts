/**
 * The acceptor role: Paxos's memory. It promises not to accept anything below a ballot (phase 1)
 * and accepts values at ballots it has not promised away (phase 2). One promised ballot covers
 * every slot (PMMC's acceptor keeps a single `ballot_num`), so one Prepare serves a leader's
 * whole future log. Both the promise and every accepted value are written to durable storage
 * before the acceptor answers (Paxos Made Simple §2.2: "an acceptor must remember this
 * information even if it fails and then restarts").
 *
 * Events: `{ type: "accept", slot, ballot, value }` for every value accepted (the invariant
 * checker computes "chosen" from these).
 * @module
 */
import type { DurableStorage } from "../../sim/storage.ts";
import type { ProtocolEvent } from "../../sim/types.ts";
import { type Ballot, BOTTOM, compareBallots, type LogValue, type PValue } from "./messages.ts";

/** Storage key of the promised ballot. */
export const PROMISED_KEY = "paxos/promised";
/** Storage key of the list of accepted pvalues (append-only; the last one per slot counts). */
export const ACCEPTED_KEY = "paxos/accepted";

/** The outcome of a Prepare or an Accept at an acceptor. */
export type AcceptorReply<T> =
  | ({ readonly ok: true } & T)
  | { readonly ok: false; readonly promised: Ballot };

/** Options of {@link Acceptor}. */
export interface AcceptorOptions {
  /** The MISTAKE flag `mistakeForgetPromiseOnCrash` (see config.ts). Default false. */
  readonly forgetPromiseOnCrash?: boolean;
}

/**
 * An acceptor over durable storage; rebuilt from it after a restart.
 * @example
 * ```ts
 * const a = new Acceptor(new MemoryStorage(), () => {});
 * a.prepare({ round: 1, proposerId: "n0" }, 1); // { ok: true, accepted: [] }
 * a.accept({ round: 1, proposerId: "n0" }, 1, { kind: "noop" }); // { ok: true }
 * ```
 */
export class Acceptor {
  #storage: DurableStorage;
  #emit: (e: ProtocolEvent) => void;
  #forget: boolean;
  #promised: Ballot;
  #accepted = new Map<number, PValue>();

  /** Rebuild the acceptor's state from `storage`; `emit` publishes its events. */
  constructor(
    storage: DurableStorage,
    emit: (e: ProtocolEvent) => void,
    options: AcceptorOptions = {},
  ) {
    this.#storage = storage;
    this.#emit = emit;
    this.#forget = options.forgetPromiseOnCrash ?? false;
    let highest: Ballot = BOTTOM;
    for (const pv of storage.list<PValue>(ACCEPTED_KEY)) {
      this.#accepted.set(pv.slot, pv);
      if (compareBallots(pv.ballot, highest) > 0) highest = pv.ballot;
    }
    // MISTAKE flag: the promise was never written, so after a restart only what was accepted
    // bounds it from below
    this.#promised = this.#forget ? highest : storage.get<Ballot>(PROMISED_KEY) ?? highest;
  }

  /** The highest ballot promised (or accepted at). */
  get promised(): Ballot {
    return this.#promised;
  }

  /** The value last accepted in `slot`, if any. */
  acceptedIn(slot: number): PValue | undefined {
    return this.#accepted.get(slot);
  }

  /** Every slot's last accepted value, in slot order. */
  acceptedValues(fromSlot = 0): PValue[] {
    const out: PValue[] = [];
    for (const pv of this.#accepted.values()) if (pv.slot >= fromSlot) out.push(pv);
    return out.sort((a, b) => a.slot - b.slot);
  }

  /** Number of slots with an accepted value. */
  get acceptedCount(): number {
    return this.#accepted.size;
  }

  /**
   * Phase 1b (Paxos Made Simple §2.2): promise `ballot` if it is higher than every ballot promised
   * so far, and report the values accepted in slots ≥ `fromSlot`. PMMC answers a ballot equal
   * to the promised one too (a re-sent Prepare), which we follow.
   */
  prepare(ballot: Ballot, fromSlot: number): AcceptorReply<{ accepted: PValue[] }> {
    if (compareBallots(ballot, this.#promised) < 0) return { ok: false, promised: this.#promised };
    this.#promise(ballot);
    return { ok: true, accepted: this.acceptedValues(fromSlot) };
  }

  /**
   * Phase 2b: accept `value` in `slot` unless a higher ballot was promised ("an acceptor can
   * accept a proposal numbered n iff it has not responded to a prepare request having a number
   * greater than n", P1a). Accepting also promises `ballot`.
   */
  accept(ballot: Ballot, slot: number, value: LogValue): AcceptorReply<Record<never, never>> {
    if (compareBallots(ballot, this.#promised) < 0) return { ok: false, promised: this.#promised };
    this.#promise(ballot);
    const prior = this.#accepted.get(slot);
    if (prior && compareBallots(prior.ballot, ballot) === 0) return { ok: true }; // a re-sent Accept
    const pv: PValue = { slot, ballot, value };
    this.#storage.append(ACCEPTED_KEY, pv);
    this.#accepted.set(slot, pv);
    this.#emit({ type: "accept", slot, ballot, value });
    return { ok: true };
  }

  /**
   * A leader's heartbeat: acknowledge it iff nothing higher was promised, raising the promise to
   * its ballot (promising more is always safe). ReadIndex relies on this: once a majority has
   * acknowledged a round, no higher ballot can have completed phase 1 before that round began.
   */
  heartbeat(ballot: Ballot): AcceptorReply<Record<never, never>> {
    if (compareBallots(ballot, this.#promised) < 0) return { ok: false, promised: this.#promised };
    this.#promise(ballot);
    return { ok: true };
  }

  #promise(ballot: Ballot): void {
    if (compareBallots(ballot, this.#promised) <= 0) return;
    this.#promised = ballot;
    // MISTAKE flag: the promise lives only in memory
    if (!this.#forget) this.#storage.set(PROMISED_KEY, ballot);
  }
}
