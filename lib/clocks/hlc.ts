/**
 * Hybrid logical clocks (Kulkarni, Demirbas, Madappa, Avva, Leone, "Logical Physical Clocks",
 * OPODIS 2014). A timestamp (l, c): `l` is the largest physical time the node has heard of, `c`
 * counts events since `l` last changed. HLC keeps Lamport's clock condition (e hb f ⇒
 * (l, c)(e) < (l, c)(f)), stays close to physical time (pt ≤ l and, with clocks synchronized
 * within ε, l − pt ≤ ε) and fits in the space of an NTP timestamp.
 *
 * The update rules below are the paper's Figure 5, verbatim apart from names.
 * @module
 */

/** An HLC timestamp: `l` (ms of physical time) and the logical counter `c`. */
export interface HlcTimestamp {
  /** The largest physical time (ms) heard of, directly or through messages. */
  readonly l: number;
  /** Events since `l` last changed (the logical part). */
  readonly c: number;
}

/** The zero timestamp (the paper's initial state: l.j := 0; c.j := 0). */
export const HLC_ZERO: HlcTimestamp = Object.freeze({ l: 0, c: 0 });

/**
 * Figure 5, "Send or local event": l := max(l', pt); c := c + 1 if l did not change, else 0.
 * Pure: takes the state before the event and the physical clock reading, returns the new state
 * (which is also the event's timestamp).
 * @example
 * ```ts
 * hlcSendOrLocal({ l: 10, c: 0 }, 7);  // { l: 10, c: 1 }: pt is behind, count
 * hlcSendOrLocal({ l: 10, c: 4 }, 12); // { l: 12, c: 0 }: physical time moved on
 * ```
 */
export function hlcSendOrLocal(state: HlcTimestamp, ptMs: number): HlcTimestamp {
  const lPrev = state.l;
  const l = Math.max(lPrev, ptMs);
  const c = l === lPrev ? state.c + 1 : 0;
  return { l, c };
}

/**
 * Figure 5, "Receive event of message m": l := max(l', l.m, pt), and c from whichever of the
 * local and the message's timestamps carried the new l (both: max of their counters), plus one;
 * 0 when physical time alone is largest.
 * @example
 * ```ts
 * hlcReceive({ l: 10, c: 2 }, { l: 10, c: 5 }, 8); // { l: 10, c: 6 }
 * hlcReceive({ l: 10, c: 2 }, { l: 15, c: 3 }, 8); // { l: 15, c: 4 }
 * hlcReceive({ l: 10, c: 2 }, { l: 15, c: 3 }, 20); // { l: 20, c: 0 }
 * ```
 */
export function hlcReceive(state: HlcTimestamp, m: HlcTimestamp, ptMs: number): HlcTimestamp {
  const lPrev = state.l;
  const l = Math.max(lPrev, m.l, ptMs);
  let c: number;
  if (l === lPrev && l === m.l) c = Math.max(state.c, m.c) + 1;
  else if (l === lPrev) c = state.c + 1;
  else if (l === m.l) c = m.c + 1;
  else c = 0;
  return { l, c };
}

/**
 * Order HLC timestamps lexicographically by (l, c): the order that extends happens-before.
 * Negative when a < b. Ties between nodes (equal l and c) can be broken by node id.
 */
export function compareHlc(a: HlcTimestamp, b: HlcTimestamp): number {
  if (a.l !== b.l) return a.l < b.l ? -1 : 1;
  if (a.c !== b.c) return a.c < b.c ? -1 : 1;
  return 0;
}

/**
 * A hybrid logical clock owned by one node. Physical time comes from the function you pass:
 * in a protocol node that is `() => ctx.nowMs()` (or a corrected clock from a sync algorithm),
 * so the clock stays deterministic and never reads the host's time.
 * @example
 * ```ts
 * // inside a protocol node
 * const hlc = new HybridLogicalClock(() => ctx.nowMs());
 * ctx.send(peer, { type: "write", ts: hlc.send() });
 * // on receipt
 * hlc.receive(msg.ts);
 * ```
 */
export class HybridLogicalClock {
  #pt: () => number;
  #state: HlcTimestamp;

  /** A clock reading physical time from `physicalNowMs`, starting from `initial` (default 0, 0). */
  constructor(physicalNowMs: () => number, initial: HlcTimestamp = HLC_ZERO) {
    this.#pt = physicalNowMs;
    this.#state = initial;
  }

  /** The timestamp of the last event (the initial one before any). */
  get timestamp(): HlcTimestamp {
    return this.#state;
  }

  /** A local event (Figure 5, "send or local event"); returns its timestamp. */
  tick(): HlcTimestamp {
    this.#state = hlcSendOrLocal(this.#state, this.#pt());
    return this.#state;
  }

  /** A send event (same rule as a local event); returns the timestamp to put on the message. */
  send(): HlcTimestamp {
    return this.tick();
  }

  /** A receive event of a message stamped `remote` (Figure 5, "receive event"). */
  receive(remote: HlcTimestamp): HlcTimestamp {
    this.#state = hlcReceive(this.#state, remote, this.#pt());
    return this.#state;
  }

  /** A plain snapshot. */
  inspect(): HlcTimestamp {
    return this.#state;
  }
}
