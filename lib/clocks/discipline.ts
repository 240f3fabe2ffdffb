/**
 * The clock discipline: how a synchronization algorithm adjusts a node's clock without the
 * simulator's help.
 *
 * Design choice. A protocol node reads its hardware clock through `ctx.nowMs()` and, by design,
 * cannot set it: NodeContext offers no such capability, and the simulator's clock belongs to the
 * world (the nemesis jumps and drifts it). So a node keeps a *software correction* on top of the
 * raw clock, as an operating system keeps the system clock on top of its oscillator:
 *
 *   corrected(raw) = raw + offset + frequency × (raw − anchor)
 *
 * `step` moves the corrected clock by an amount at once (settimeofday), `setFrequency` makes it
 * run faster or slower than the raw clock (adjtimex's frequency word). The raw clock keeps its
 * drift and suffers every nemesis jump; the correction is the node's volatile state (lost on a
 * crash, like a daemon's in-memory state). An algorithm exposes the result as `correctedNowMs()`,
 * and experiments measure its error as corrected − true time, with true time taken from the
 * simulation (`sim.nowMs`) by the harness, never inside the node.
 * @module
 */
import type { NodeContext, ProtocolNode } from "../sim/types.ts";

/** A snapshot of a discipline's state. */
export interface DisciplineState {
  /** corrected − raw at this instant (ms). */
  readonly correctionMs: number;
  /** Frequency correction (1e-4: the corrected clock gains 0.1 ms per s of raw clock). */
  readonly frequency: number;
  /** Number of steps applied. */
  readonly steps: number;
  /** Sum of |step| applied (ms). */
  readonly steppedMs: number;
}

/**
 * A software clock correction over a raw clock.
 * @example
 * ```ts
 * // inside a protocol node
 * const clock = new ClockDiscipline(() => ctx.nowMs());
 * clock.setTo(serverTimeMs + rttMs / 2);   // Cristian's rule
 * clock.correctedNowMs();                  // the synchronized reading
 * ```
 */
export class ClockDiscipline {
  #raw: () => number;
  #offset: number;
  #frequency: number;
  #anchor = 0;
  #steps = 0;
  #stepped = 0;

  /** A discipline over `rawNowMs` with an initial correction (default none). */
  constructor(rawNowMs: () => number, options: { offsetMs?: number; frequency?: number } = {}) {
    this.#raw = rawNowMs;
    this.#offset = options.offsetMs ?? 0;
    this.#frequency = options.frequency ?? 0;
    if (!Number.isFinite(this.#offset)) throw new RangeError("ClockDiscipline: bad offsetMs");
    checkFrequency(this.#frequency);
  }

  /** The raw (hardware) clock reading. */
  rawNowMs(): number {
    return this.#raw();
  }

  /** The corrected clock reading. */
  correctedNowMs(): number {
    return this.#at(this.#raw());
  }

  #at(raw: number): number {
    return raw + this.#offset + this.#frequency * (raw - this.#anchor);
  }

  /** Move the corrected clock by `deltaMs` now (positive: forward). */
  step(deltaMs: number): void {
    if (!Number.isFinite(deltaMs)) {
      throw new RangeError(`ClockDiscipline.step: bad delta ${deltaMs}`);
    }
    this.#offset += deltaMs;
    this.#steps++;
    this.#stepped += Math.abs(deltaMs);
  }

  /** Step so the corrected clock reads `targetMs` now; returns the step applied. */
  setTo(targetMs: number): number {
    const delta = targetMs - this.correctedNowMs();
    this.step(delta);
    return delta;
  }

  /** The current frequency correction. */
  get frequency(): number {
    return this.#frequency;
  }

  /** Change the frequency correction from now on (the corrected clock stays continuous). */
  setFrequency(frequency: number): void {
    checkFrequency(frequency);
    const raw = this.#raw();
    this.#offset = this.#at(raw) - raw;
    this.#anchor = raw;
    this.#frequency = frequency;
  }

  /** A plain snapshot. */
  inspect(): DisciplineState {
    const raw = this.#raw();
    return {
      correctionMs: this.#at(raw) - raw,
      frequency: this.#frequency,
      steps: this.#steps,
      steppedMs: this.#stepped,
    };
  }
}

function checkFrequency(f: number): void {
  if (!(f > -0.5 && f < 0.5)) {
    throw new RangeError(`ClockDiscipline: frequency ${f} out of (-0.5, 0.5)`);
  }
}

/** A protocol node that synchronizes its clock and exposes the result. */
export interface SyncNode<M = unknown> extends ProtocolNode<M> {
  /** This node's synchronized clock reading (ms). */
  correctedNowMs(): number;
}

/** Builds a synchronizing node from its context: the interface every sync algorithm implements. */
export type SyncNodeFactory<M = unknown> = (ctx: NodeContext<M>) => SyncNode<M>;
