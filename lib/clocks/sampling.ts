/**
 * Reading every node's clock three ways during a run: true time (the simulation's), the node's
 * raw local clock (drift, offset and nemesis jumps applied) and its corrected clock (what its
 * synchronization algorithm made of it), for error charts and scores.
 * @module
 */
import type { Simulation } from "../sim/simulation.ts";
import type { NodeId, ProtocolNode } from "../sim/types.ts";

/** One reading of one node's clocks. */
export interface ClockSampleRow {
  /** True time of the reading (ms). */
  readonly tMs: number;
  /** The node read. */
  readonly node: NodeId;
  /** True time (equals tMs; kept as a column for charts). */
  readonly trueMs: number;
  /** The raw local clock: true × (1 + drift) + offset, with jumps. */
  readonly localMs: number;
  /** The node's `correctedNowMs()`, or its raw clock when it has none. */
  readonly correctedMs: number;
  /** correctedMs − trueMs. */
  readonly errorMs: number;
}

/** Options of {@link sampleClocks}. */
export interface SampleClocksOptions {
  /** True time between readings (ms). */
  readonly everyMs: number;
  /** Last reading at or before this true time; the simulation has run to it on return. */
  readonly untilMs: number;
  /** Nodes to read. Default every node. */
  readonly nodes?: readonly NodeId[];
}

/** Read the clocks of `nodes` (default all) now. Crashed nodes are skipped. */
export function readClocks<M>(sim: Simulation<M>, nodes?: readonly NodeId[]): ClockSampleRow[] {
  const out: ClockSampleRow[] = [];
  const t = sim.nowMs;
  for (const id of nodes ?? sim.nodeIds) {
    const inst = sim.instanceOf<ProtocolNode<M> & { correctedNowMs?: () => number }>(id);
    if (!inst) continue;
    const localMs = sim.localTime(id);
    const correctedMs = typeof inst.correctedNowMs === "function" ? inst.correctedNowMs() : localMs;
    out.push({ tMs: t, node: id, trueMs: t, localMs, correctedMs, errorMs: correctedMs - t });
  }
  return out;
}

/**
 * Drive the simulation and read every node's clocks at `now`, `now + everyMs`, ... up to
 * `untilMs`. Each reading happens after every event at that instant. Reading does not schedule
 * anything, so a sampled run stays identical to an unsampled one.
 * @example
 * ```ts
 * const { sim } = createCluster({ seed: 1, nodes: 3, factory: ntpFactory(), clocks: { n1: { offsetMs: 80 } } });
 * const rows = sampleClocks(sim, { everyMs: 500, untilMs: 60_000 });
 * rows.filter((r) => r.node === "n1").at(-1)!.errorMs; // ≈ 0 once NTP has run
 * ```
 */
export function sampleClocks<M>(
  sim: Simulation<M>,
  options: SampleClocksOptions,
): ClockSampleRow[] {
  const { everyMs, untilMs } = options;
  if (!(everyMs > 0)) throw new RangeError(`sampleClocks: everyMs must be > 0, got ${everyMs}`);
  const out: ClockSampleRow[] = [];
  const start = sim.nowMs;
  for (let k = 0;; k++) {
    const t = start + k * everyMs;
    if (t > untilMs) break;
    sim.run({ untilMs: t });
    out.push(...readClocks(sim, options.nodes));
  }
  sim.run({ untilMs });
  return out;
}
