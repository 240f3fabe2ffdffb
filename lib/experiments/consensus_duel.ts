/**
 * Experiment 2 of notebook 05: dueling proposers. Two proposers without leader election both have
 * values to propose. A proposer that is preempted (its ballot was overtaken by the other's) tries
 * again with a higher ballot, which preempts the other before its phase 2 completes, and so on:
 * a livelock that Paxos Made Simple (§2.4) already describes, and the reason Multi-Paxos elects a
 * distinguished proposer. Randomized back-off (wait a random, growing time before trying again)
 * breaks the symmetry: one proposer gets a window long enough to finish both phases.
 * @module
 */
import { createCluster } from "../net/cluster.ts";
import type { NodeFactory } from "../sim/types.ts";
import { paxosFactory, type PaxosNode } from "../protocols/paxos/node.ts";
import { PaxosInvariants } from "../protocols/paxos/invariants.ts";
import type { ConsensusParams } from "./consensus_params.ts";
import { type Claim, claim } from "./claims.ts";

/** The two configurations of the duel. */
export type DuelConfig = "no back-off" | "randomized back-off";

/** Both configurations, in chart order. */
export const DUEL_CONFIGS: readonly DuelConfig[] = ["no back-off", "randomized back-off"];

/** Width of the windows decisions are counted in (ms). */
export const DUEL_WINDOW_MS = 250;

/** One duel run's totals. */
export interface DuelRow {
  readonly config: DuelConfig;
  readonly seed: number;
  /** Slots chosen during the run. */
  readonly decisions: number;
  /** Phase 1 attempts. */
  readonly ballots: number;
  readonly preemptions: number;
  /** Decisions per second over the run. */
  readonly decisionsPerSec: number;
  /** First decision (ms; NaN if none). */
  readonly firstDecisionMs: number;
  /** Windows (of {@link DUEL_WINDOW_MS}) after the first one without any decision. */
  readonly emptyWindows: number;
  readonly windows: number;
}

/** Decisions per second in one window, averaged over seeds. */
export interface DuelWindowRow {
  readonly config: DuelConfig;
  readonly startMs: number;
  readonly decisionsPerSec: number;
}

/** The duel's results: totals per run and the decision rate over time. */
export interface DuelResult {
  readonly rows: readonly DuelRow[];
  readonly windows: readonly DuelWindowRow[];
}

/**
 * One duel: three acceptors (n0..n2), proposers n0 and n1 with a long backlog each, no leader
 * election, a jittery network (5–15 ms). Safety invariants are checked on every event.
 */
export function duelRun(
  config: DuelConfig,
  p: ConsensusParams,
): { row: DuelRow; counts: number[] } {
  const seed = p.seed;
  const c = createCluster<unknown>({
    seed,
    nodes: 3,
    factory: paxosFactory({
      election: "none",
      proposers: ["n0", "n1"],
      backoff: config === "no back-off" ? "none" : "randomized",
      backoffMs: 20,
    }) as NodeFactory<unknown>,
    network: { latency: { kind: "uniform", minMs: 5, maxMs: 15 } },
    trace: { mode: "off" },
  });
  const sim = c.sim;
  const inv = new PaxosInvariants().attach(sim);
  const backlog = Math.ceil(p.duelMs / 1000) * 200;
  sim.at(0, () => {
    for (const id of ["n0", "n1"]) {
      const node = sim.instanceOf<PaxosNode>(id)!;
      for (let k = 0; k < backlog; k++) node.submit(`${id}:${k}`);
    }
  });
  const n = Math.ceil(p.duelMs / DUEL_WINDOW_MS);
  const counts = new Array<number>(n).fill(0);
  const seen = new Set<number>();
  let first = NaN;
  sim.onEvent((e) => {
    if (e.event.type !== "chosen") return;
    const slot = e.event.slot as number;
    if (seen.has(slot)) return;
    seen.add(slot);
    if (Number.isNaN(first)) first = e.t;
    const k = Math.floor(e.t / DUEL_WINDOW_MS);
    if (k < n) counts[k]++;
  });
  sim.run({ untilMs: p.duelMs });
  const l = inv.liveness();
  return {
    row: {
      config,
      seed,
      decisions: seen.size,
      ballots: l.ballots,
      preemptions: l.preemptions,
      decisionsPerSec: seen.size * 1000 / p.duelMs,
      firstDecisionMs: first,
      emptyWindows: counts.slice(1).filter((x) => x === 0).length,
      windows: n,
    },
    counts,
  };
}

/** Both configurations over `duelSeeds` seeds. */
export function duelingProposers(p: ConsensusParams): DuelResult {
  const rows: DuelRow[] = [];
  const windows: DuelWindowRow[] = [];
  for (const config of DUEL_CONFIGS) {
    const sums = new Array<number>(Math.ceil(p.duelMs / DUEL_WINDOW_MS)).fill(0);
    for (let k = 0; k < p.duelSeeds; k++) {
      const r = duelRun(config, { ...p, seed: p.seed + k });
      rows.push(r.row);
      r.counts.forEach((x, i) => sums[i] += x);
    }
    sums.forEach((x, i) =>
      windows.push({
        config,
        startMs: i * DUEL_WINDOW_MS,
        decisionsPerSec: x / p.duelSeeds * 1000 / DUEL_WINDOW_MS,
      })
    );
  }
  return { rows, windows };
}

/** Mean one-way latency of the duel's network (ms). */
export const DUEL_LATENCY_MEAN_MS = 10;

/** What theory predicts for the duel, checked against the runs. */
export function checkDuelingProposers(r: DuelResult): Claim[] {
  const of = (c: DuelConfig) => r.rows.filter((x) => x.config === c);
  const none = of("no back-off"), rand = of("randomized back-off");
  const sum = (rows: readonly DuelRow[], f: (x: DuelRow) => number) =>
    rows.reduce((a, x) => a + f(x), 0);
  const noneDec = sum(none, (x) => x.decisions), randDec = sum(rand, (x) => x.decisions);
  const noneBallots = sum(none, (x) => x.ballots);
  // without contention a decision costs one round trip (pipeline 1): 1000 / (2 × mean latency)
  const ideal = 1000 / (2 * DUEL_LATENCY_MEAN_MS);
  const slowest = Math.min(...rand.map((x) => x.decisionsPerSec));
  return [
    claim(
      "without back-off the proposers livelock: under 10% of the decisions back-off gets",
      noneDec < 0.1 * randDec,
      `${noneDec} vs ${randDec} decisions over ${none.length} seeds`,
    ),
    claim(
      "without back-off nearly every ballot is preempted before it decides anything",
      noneBallots > 20 * Math.max(1, noneDec) &&
        sum(none, (x) => x.preemptions) >= 0.9 * noneBallots,
      `${noneBallots} ballots, ${
        sum(none, (x) => x.preemptions)
      } preemptions, ${noneDec} decisions`,
    ),
    claim(
      `randomized back-off decides in every ${DUEL_WINDOW_MS} ms window (no livelock)`,
      rand.every((x) => x.emptyWindows === 0),
      rand.map((x) => `seed ${x.seed}: ${x.emptyWindows} empty`).join(", "),
    ),
    claim(
      `randomized back-off reaches over half the uncontended rate (${ideal.toFixed(0)}/s)`,
      slowest > 0.5 * ideal,
      `slowest seed ${slowest.toFixed(1)} decisions/s`,
    ),
  ];
}
