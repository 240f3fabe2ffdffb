/**
 * A heartbeat failure detector. Every node sends heartbeats to every peer and watches theirs.
 * The fixed variant suspects a peer after a fixed silence; the phi-accrual variant (Hayashibara,
 * Défago, Yared, Katayama, "The φ Accrual Failure Detector", 2004) models inter-arrival times as a
 * normal distribution and suspects when φ = −log10(P(a heartbeat arrives later than now)) passes a
 * threshold, so it adapts to the link's observed jitter.
 *
 * Events: `{ type: "suspect", peer }` and `{ type: "trust", peer }` (a suspected peer spoke again).
 * @module
 */
import type { NodeContext, NodeId, ProtocolNode } from "../../sim/types.ts";
import { parseConfig } from "../../sim/errors.ts";
import type { HeartbeatMessage } from "./messages.ts";
import {
  type HeartbeatConfig,
  type HeartbeatConfigInput,
  HeartbeatConfigSchema,
} from "./config.ts";

interface PeerState {
  lastMs: number;
  /** The peer's heartbeat counter at `lastMs` (0 before any heartbeat). */
  lastSeq: number;
  /** Ring buffer of inter-arrival times. */
  intervals: number[];
  next: number;
  suspected: boolean;
}

/** The standard normal's upper tail P(X > z), via the complementary error function. */
function upperTail(z: number): number {
  // Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7)
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const y = t *
    (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))));
  const erfc = y * Math.exp(-x * x);
  return z >= 0 ? erfc / 2 : 1 - erfc / 2;
}

/**
 * φ for a silence of `elapsedMs` given the mean and standard deviation of inter-arrival times.
 * @example
 * ```ts
 * phi(100, 100, 10); // ≈ 0.30: a heartbeat is about due
 * phi(150, 100, 10); // ≈ 6.5: five standard deviations late
 * ```
 */
export function phi(elapsedMs: number, meanMs: number, stdMs: number): number {
  const p = upperTail((elapsedMs - meanMs) / stdMs);
  return -Math.log10(Math.max(p, 1e-300));
}

/** A heartbeat failure detector node. */
export class HeartbeatNode implements ProtocolNode<HeartbeatMessage> {
  /** Detector parameters, defaults applied. */
  readonly config: HeartbeatConfig;
  #ctx: NodeContext<HeartbeatMessage>;
  #seq = 0;
  #peers = new Map<NodeId, PeerState>();

  /** Parameters are validated (a ConfigError names any bad field). */
  constructor(ctx: NodeContext<HeartbeatMessage>, config: HeartbeatConfigInput = {}) {
    this.#ctx = ctx;
    this.config = parseConfig(HeartbeatConfigSchema, config, "heartbeat config");
  }

  start(): void {
    const now = this.#ctx.nowMs();
    for (const p of this.#ctx.peers) {
      // a peer is given one full timeout from our start before it can be suspected
      this.#peers.set(p, { lastMs: now, lastSeq: 0, intervals: [], next: 0, suspected: false });
    }
    this.#beat();
    this.#ctx.setTimer("check", this.config.checkIntervalMs);
  }

  #beat(): void {
    this.#seq++;
    for (const p of this.#ctx.peers) this.#ctx.send(p, { type: "heartbeat", seq: this.#seq });
    this.#ctx.setTimer("beat", this.config.intervalMs);
  }

  onMessage(from: NodeId, msg: HeartbeatMessage): void {
    const now = this.#ctx.nowMs();
    let s = this.#peers.get(from);
    if (!s) {
      this.#peers.set(
        from,
        s = { lastMs: now, lastSeq: 0, intervals: [], next: 0, suspected: false },
      );
    }
    const gap = now - s.lastMs;
    // a counter that did not grow means the peer restarted: that gap spans a crash, not loss
    const sameIncarnation = s.lastSeq > 0 && msg.seq > s.lastSeq;
    if (gap > 0 && sameIncarnation && this.#keepGap(gap, s)) {
      if (s.intervals.length < this.config.windowSize) s.intervals.push(gap);
      else s.intervals[s.next] = gap;
      s.next = (s.next + 1) % this.config.windowSize;
    }
    s.lastMs = now;
    s.lastSeq = msg.seq;
    if (s.suspected) {
      s.suspected = false;
      this.#ctx.emit({ type: "trust", peer: from });
    }
  }

  #keepGap(gap: number, s: PeerState): boolean {
    const c = this.config;
    switch (c.gapFilter) {
      case "all":
        return true;
      // Akka: a heartbeat that finds the peer unavailable does not enter the history
      case "dropSuspected":
        return !s.suspected;
      // Cassandra: never record a gap longer than the cap, suspected or not
      case "maxInterval":
        return gap <= (c.maxIntervalMs ?? 2 * c.intervalMs);
    }
  }

  onTimer(name: string): void {
    if (name === "beat") return this.#beat();
    if (name === "check") {
      const now = this.#ctx.nowMs();
      for (const [peer, s] of this.#peers) {
        if (!s.suspected && this.#shouldSuspect(s, now)) {
          s.suspected = true;
          this.#ctx.emit({ type: "suspect", peer });
        }
      }
      this.#ctx.setTimer("check", this.config.checkIntervalMs);
    }
  }

  /** Current φ of a peer (fixed detector: elapsed / timeout as a stand-in). */
  phiOf(peer: NodeId): number {
    const s = this.#peers.get(peer);
    if (!s) return 0;
    return this.#phiOf(s, this.#ctx.nowMs());
  }

  #phiOf(s: PeerState, now: number): number {
    const c = this.config;
    const xs = s.intervals;
    // before any sample, assume the configured interval with a generous spread
    let mean = c.intervalMs, std = c.intervalMs / 4;
    if (xs.length >= 2) {
      let sum = 0;
      for (const x of xs) sum += x;
      mean = sum / xs.length;
      let v = 0;
      for (const x of xs) v += (x - mean) ** 2;
      std = Math.sqrt(v / xs.length);
    }
    return phi(now - s.lastMs, mean + c.acceptablePauseMs, Math.max(std, c.minStdMs));
  }

  #shouldSuspect(s: PeerState, now: number): boolean {
    if (this.config.detector === "fixed") return now - s.lastMs > this.config.timeoutMs;
    return this.#phiOf(s, now) > this.config.phiThreshold;
  }

  /** Peers currently suspected. */
  suspected(): NodeId[] {
    return [...this.#peers].filter(([, s]) => s.suspected).map(([p]) => p);
  }

  inspect(): unknown {
    return {
      seq: this.#seq,
      suspected: this.suspected(),
      lastHeardMs: Object.fromEntries([...this.#peers].map(([p, s]) => [p, s.lastMs])),
    };
  }
}
