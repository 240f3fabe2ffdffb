/**
 * The Berkeley algorithm (Gusella & Zatti, "The Accuracy of the Clock Synchronization Achieved
 * by TEMPO in Berkeley UNIX 4.3BSD", IEEE TSE 15(7), 1989). Internal synchronization: a master
 * polls every node's clock, estimates each offset from the round trip (reading + RTT/2 − own
 * clock), computes a fault-tolerant average (clocks outside the largest group that agrees within
 * a bound are left out of the average) and sends every node the *relative* adjustment that
 * brings it to that average. Because adjustments are differences, their transit time does not
 * matter. The clocks agree with each other, not with true time: the group follows its average.
 *
 * Events (master only): `{ type: "sync", algorithm: "berkeley", round, readings, used, averageMs }`;
 * every node emits `{ type: "adjust", algorithm: "berkeley", round, stepMs }` when it applies one.
 * @module
 */
import { z } from "zod";
import type { NodeContext, NodeId } from "../sim/types.ts";
import { parseConfig } from "../sim/errors.ts";
import { ClockDiscipline, type SyncNode, type SyncNodeFactory } from "./discipline.ts";

/** Messages of the Berkeley algorithm. */
export type BerkeleyMessage =
  | { readonly type: "berkeleyPoll"; readonly round: number }
  | { readonly type: "berkeleyReport"; readonly round: number; readonly clockMs: number }
  | { readonly type: "berkeleyAdjust"; readonly round: number; readonly deltaMs: number };

/** Parameters of the Berkeley algorithm (zod, with defaults). */
export const BerkeleyConfigSchema = z.object({
  /** The master (TEMPO's time daemon master). Default "n0". */
  masterId: z.string().min(1).default("n0"),
  /** Master's local-clock time between rounds. Default 10 000 ms. */
  pollIntervalMs: z.number().positive().default(10_000),
  /** How long the master waits for reports before averaging what it has. Default 1 000 ms. */
  collectTimeoutMs: z.number().positive().default(1_000),
  /**
   * Fault-tolerant averaging bound γ: only the largest group of clocks within this of each other
   * is averaged. Default 50 ms.
   */
  maxDeviationMs: z.number().min(0).default(50),
  /** Readings with a longer round trip are discarded (too uncertain). Default none. */
  maxRttMs: z.number().positive().optional(),
}).strict();

/** Parameters as written. */
export type BerkeleyConfigInput = z.input<typeof BerkeleyConfigSchema>;
/** Parameters with defaults. */
export type BerkeleyConfig = z.output<typeof BerkeleyConfigSchema>;

/** The result of {@link faultTolerantAverage}. */
export interface FaultTolerantAverage {
  /** The average of the chosen values. */
  readonly mean: number;
  /** `used[i]` tells whether `values[i]` was in the chosen group. */
  readonly used: readonly boolean[];
}

/**
 * Gusella & Zatti's fault-tolerant average: the mean of the largest set of values whose spread
 * (max − min) is at most `maxDeviation`. Ties go to the group holding `values[prefer]` (the
 * master's own clock), then to the lowest group.
 * @example
 * ```ts
 * faultTolerantAverage([0, 4, -2, 300], 10).mean; // 0.67: the 300 ms clock is left out
 * ```
 */
export function faultTolerantAverage(
  values: readonly number[],
  maxDeviation: number,
  prefer = 0,
): FaultTolerantAverage {
  if (values.length === 0) throw new RangeError("faultTolerantAverage: no values");
  const order = values.map((_, i) => i).sort((a, b) => values[a] - values[b] || a - b);
  let bestLo = 0, bestHi = 0, bestHasPrefer = false;
  let hi = 0;
  for (let lo = 0; lo < order.length; lo++) {
    if (hi < lo) hi = lo;
    while (hi + 1 < order.length && values[order[hi + 1]] - values[order[lo]] <= maxDeviation) hi++;
    const size = hi - lo + 1, bestSize = bestHi - bestLo + 1;
    let hasPrefer = false;
    for (let k = lo; k <= hi; k++) if (order[k] === prefer) hasPrefer = true;
    if (size > bestSize || (size === bestSize && hasPrefer && !bestHasPrefer)) {
      bestLo = lo;
      bestHi = hi;
      bestHasPrefer = hasPrefer;
    }
  }
  const used = values.map(() => false);
  let sum = 0;
  for (let k = bestLo; k <= bestHi; k++) {
    used[order[k]] = true;
    sum += values[order[k]];
  }
  return { mean: sum / (bestHi - bestLo + 1), used };
}

/** A node running the Berkeley algorithm (master or slave). */
export class BerkeleyNode implements SyncNode<BerkeleyMessage> {
  /** Parameters with defaults applied. */
  readonly config: BerkeleyConfig;
  /** The node's clock correction. */
  readonly clock: ClockDiscipline;
  #ctx: NodeContext<BerkeleyMessage>;
  #round = 0;
  #sentRawMs = 0;
  #readings: { node: NodeId; offsetMs: number }[] = [];
  #collecting = false;

  /** Parameters are validated (a ConfigError names any bad field). */
  constructor(ctx: NodeContext<BerkeleyMessage>, config: BerkeleyConfigInput = {}) {
    this.#ctx = ctx;
    this.config = parseConfig(BerkeleyConfigSchema, config, "berkeley config");
    this.clock = new ClockDiscipline(() => ctx.nowMs());
  }

  /** Whether this node is the master. */
  get isMaster(): boolean {
    return this.#ctx.self === this.config.masterId;
  }

  correctedNowMs(): number {
    return this.clock.correctedNowMs();
  }

  start(): void {
    if (this.isMaster) this.#poll();
  }

  #poll(): void {
    this.#round++;
    this.#readings = [];
    this.#collecting = true;
    this.#sentRawMs = this.clock.rawNowMs();
    for (const p of this.#ctx.peers) {
      this.#ctx.send(p, { type: "berkeleyPoll", round: this.#round });
    }
    this.#ctx.setTimer("collect", this.config.collectTimeoutMs);
    this.#ctx.setTimer("poll", this.config.pollIntervalMs);
  }

  onMessage(from: NodeId, msg: BerkeleyMessage): void {
    switch (msg.type) {
      case "berkeleyPoll":
        this.#ctx.send(from, {
          type: "berkeleyReport",
          round: msg.round,
          clockMs: this.clock.correctedNowMs(),
        });
        break;
      case "berkeleyReport": {
        if (!this.isMaster || !this.#collecting || msg.round !== this.#round) return;
        if (this.#readings.some((r) => r.node === from)) return;
        const rttMs = this.clock.rawNowMs() - this.#sentRawMs;
        if (this.config.maxRttMs !== undefined && rttMs > this.config.maxRttMs) return;
        // Gusella & Zatti: the slave read its clock about RTT/2 before the report arrived
        const offsetMs = msg.clockMs + rttMs / 2 - this.clock.correctedNowMs();
        this.#readings.push({ node: from, offsetMs });
        if (this.#readings.length === this.#ctx.peers.length) this.#average();
        break;
      }
      case "berkeleyAdjust":
        if (from !== this.config.masterId) return;
        this.clock.step(msg.deltaMs);
        this.#ctx.emit({
          type: "adjust",
          algorithm: "berkeley",
          round: msg.round,
          stepMs: msg.deltaMs,
        });
        break;
    }
  }

  onTimer(name: string): void {
    if (name === "poll") this.#poll();
    else if (name === "collect" && this.#collecting) this.#average();
  }

  #average(): void {
    this.#collecting = false;
    this.#ctx.cancelTimer("collect");
    const offsets = [0, ...this.#readings.map((r) => r.offsetMs)];
    const { mean, used } = faultTolerantAverage(offsets, this.config.maxDeviationMs, 0);
    // every clock, outliers included, is told how far it is from the average
    this.#readings.forEach((r) => {
      this.#ctx.send(r.node, {
        type: "berkeleyAdjust",
        round: this.#round,
        deltaMs: mean - r.offsetMs,
      });
    });
    this.clock.step(mean);
    this.#ctx.emit({
      type: "sync",
      algorithm: "berkeley",
      round: this.#round,
      readings: this.#readings.length,
      used: used.filter((u) => u).length,
      averageMs: mean,
    });
    this.#ctx.emit({ type: "adjust", algorithm: "berkeley", round: this.#round, stepMs: mean });
  }

  inspect(): unknown {
    return { master: this.isMaster, round: this.#round, clock: this.clock.inspect() };
  }
}

/**
 * A factory for the Berkeley algorithm (config validated now).
 * @example
 * ```ts
 * const { sim } = createCluster({ seed: 1, nodes: 5, factory: berkeleyFactory({ maxDeviationMs: 20 }) });
 * ```
 */
export function berkeleyFactory(
  config: BerkeleyConfigInput = {},
): SyncNodeFactory<BerkeleyMessage> {
  parseConfig(BerkeleyConfigSchema, config, "berkeley config");
  return (ctx) => new BerkeleyNode(ctx, config);
}
