/**
 * Lamport's logical clocks (Lamport, "Time, Clocks, and the Ordering of Events in a Distributed
 * System", CACM 1978). A counter per process that satisfies the Clock Condition: if a → b
 * (a happened before b) then C(a) < C(b). The converse does not hold: C(a) < C(b) says nothing
 * about causality (vector clocks decide it exactly).
 * @module
 */
import type { NodeId } from "../sim/types.ts";

/** A Lamport time paired with the node that produced it, for Lamport's total order "⇒". */
export interface LamportStamp {
  /** The clock value C(a). */
  readonly time: number;
  /** The process the event happened at (breaks ties). */
  readonly node: NodeId;
}

/**
 * A Lamport clock: a mutable counter owned by one node. Plain data, no I/O: keep one in a
 * protocol node and put `send()`'s value on every outgoing message.
 * @example
 * ```ts
 * const a = new LamportClock(), b = new LamportClock();
 * const m = a.send();     // a: 1, stamp 1 goes on the message
 * b.tick();               // b: 1 (a local event)
 * b.receive(m);           // b: max(1, 1) + 1 = 2
 * ```
 */
export class LamportClock {
  #time: number;

  /** A clock starting at `initial` (default 0: no event yet). */
  constructor(initial = 0) {
    if (!Number.isFinite(initial) || initial < 0) {
      throw new RangeError(`LamportClock: initial time must be a finite number >= 0`);
    }
    this.#time = initial;
  }

  /** The current value (the time of the last event, 0 before any). */
  get time(): number {
    return this.#time;
  }

  /** A local event. IR1: each process increments its clock between any two successive events. */
  tick(): number {
    return ++this.#time;
  }

  /** A send event: tick, and return the timestamp Tm = C(send) to put on the message (IR2a). */
  send(): number {
    return this.tick();
  }

  /**
   * A receive event of a message stamped `stamp`. IR2b: set the clock greater than or equal to its
   * present value and greater than Tm; with IR1 the receive event gets max(C, Tm) + 1.
   */
  receive(stamp: number): number {
    if (!Number.isFinite(stamp)) throw new RangeError(`LamportClock.receive: bad stamp ${stamp}`);
    this.#time = Math.max(this.#time, stamp) + 1;
    return this.#time;
  }

  /** A plain snapshot. */
  inspect(): { time: number } {
    return { time: this.#time };
  }
}

/**
 * Lamport's total order "⇒": by time, ties broken by node id (any fixed total order of processes
 * works; here plain code-unit string order, so it is locale independent). Negative when a ⇒ b.
 * @example
 * ```ts
 * compareLamport({ time: 3, node: "n1" }, { time: 3, node: "n2" }); // < 0
 * ```
 */
export function compareLamport(a: LamportStamp, b: LamportStamp): number {
  if (a.time !== b.time) return a.time < b.time ? -1 : 1;
  if (a.node === b.node) return 0;
  return a.node < b.node ? -1 : 1;
}
