/**
 * Measurements of Tendermint (Buchman, Kwon, Milosevic 2018, Algorithm 1) for notebook 03: messages
 * per decision against (n − 1) + 2n(n − 1), latency from proposal to decision against 3δ, the cost
 * of a round change after a crashed, silent or equivocating proposer, and throughput against
 * block size. The gossip re-broadcast is switched off (its interval is longer than every run) so
 * that only the messages of Algorithm 1 are counted.
 * @module
 */
import { z } from "zod";
import { parseConfig } from "../sim/errors.ts";
import type { AdversaryInput } from "../net/adversary.ts";
import { tendermintCluster } from "../protocols/tendermint/cluster.ts";

const CONSENSUS = new Set(["Proposal", "Prevote", "Precommit"]);
const NO_GOSSIP = 1e9;

/** Parameters of {@link tendermintMessageRows} and {@link tendermintLatencyRows}. */
export const TendermintScaleParamsSchema = z.object({
  /** Cluster sizes. Default 4, 7, 10, 16, 31, 64. */
  ns: z.array(z.number().int().min(1)).min(1).default([4, 7, 10, 16, 31, 64]),
  /** The constant one-way delay δ (ms). Default 10. */
  deltaMs: z.number().positive().default(10),
  /** Seed. Default 1. */
  seed: z.number().int().default(1),
}).strict();

/** One row: messages of the first height and latency in δ, measured beside theory. */
export interface TendermintScaleRow {
  /** Validators. */
  readonly n: number;
  /** Proposal + prevote + precommit messages sent for height 1. */
  readonly messages: number;
  /** (n − 1) + 2n(n − 1). */
  readonly theoryMessages: number;
  /** From the proposal's send to the first decision, in units of δ. */
  readonly latencyDelta: number;
  /** 3 (propose, prevote, precommit). */
  readonly theoryLatencyDelta: number;
}

/**
 * Messages per decision and latency per n on a constant-δ network (no clients: an empty block;
 * no gossip re-broadcast).
 * @example
 * ```ts
 * tendermintMessageRows({ ns: [4] }); // [{ n: 4, messages: 27, theoryMessages: 27, latencyDelta: 3, ... }]
 * ```
 */
export function tendermintMessageRows(input: unknown = {}): TendermintScaleRow[] {
  const p = parseConfig(TendermintScaleParamsSchema, input, "tendermint scale parameters");
  return p.ns.map((n) => {
    const c = tendermintCluster({
      seed: p.seed,
      n,
      network: { latency: { kind: "constant", ms: p.deltaMs } },
      tendermint: { gossipIntervalMs: NO_GOSSIP, timeoutCommitMs: 100 * p.deltaMs },
      trace: { mode: "off" },
    });
    let messages = 0, proposedAt = NaN;
    c.sim.onDeliver((d) => {
      const m = d.msg as { type?: string; height?: number };
      if (m.height === 1 && m.type === "Proposal" && Number.isNaN(proposedAt)) {
        proposedAt = c.sim.nowMs - p.deltaMs; // constant delay: sent δ before its delivery
      }
    });
    const unsubscribeCount = countSends(
      c.sim,
      (m) => m.height === 1 && CONSENSUS.has(m.type ?? ""),
      () => messages++,
    );
    c.sim.run({ untilMs: 20 * p.deltaMs });
    unsubscribeCount();
    const decided = c.inv.decisionTimes()[0]?.t ?? NaN;
    return {
      n,
      messages,
      theoryMessages: (n - 1) + 2 * n * (n - 1),
      latencyDelta: (decided - proposedAt) / p.deltaMs,
      theoryLatencyDelta: 3,
    };
  });
}

/** Count the sends (network copies, before loss) whose message matches. */
function countSends(
  sim: { onDeliver(l: (d: { msg: unknown }) => void): () => void; stats: { sent: number } },
  match: (m: { type?: string; height?: number }) => boolean,
  inc: () => void,
): () => void {
  // a constant-delay network without loss delivers every send, so deliveries count sends
  return sim.onDeliver((d) => {
    if (match(d.msg as { type?: string; height?: number })) inc();
  });
}

/** Parameters of {@link tendermintRoundChangeRows}. */
export const TendermintRoundChangeParamsSchema = z.object({
  /** Validators. Default 4. */
  n: z.number().int().min(4).default(4),
  /** δ (ms). Default 10. */
  deltaMs: z.number().positive().default(10),
  /** timeoutPropose(0) (ms). Default 100. */
  timeoutProposeMs: z.number().positive().default(100),
  /** timeoutPrevote(0) (ms). Default 50. */
  timeoutPrevoteMs: z.number().positive().default(50),
  /** timeoutPrecommit(0) (ms). Default 50. */
  timeoutPrecommitMs: z.number().positive().default(50),
  /** Seed. Default 1. */
  seed: z.number().int().default(1),
}).strict();

/** One row: what the first proposer did and what it cost to reach the first decision. */
export interface TendermintRoundChangeRow {
  /** "honest", "crashed", "silent" or "equivocating" proposer of height 1, round 0. */
  readonly proposer: string;
  /** Time from the start of height 2 to its first decision (ms). */
  readonly decisionMs: number;
  /** Round of that decision. */
  readonly round: number;
  /** Consensus messages sent until then. */
  readonly messages: number;
  /**
   * The time theory gives: 3δ in round 0; after a mute proposer timeoutPropose(0) + 2δ (nil
   * prevotes, nil precommits) + timeoutPrecommit(0) + 3δ in round 1 (also the bound given for
   * an equivocating proposer, whose round may or may not survive).
   */
  readonly theoryMs: number;
}

/**
 * The cost of a round change after a faulty proposer: height 1 is decided normally (3δ), then
 * n2, proposer(2, 0), fails before height 2 starts (at 3δ + timeout_commit); times and messages
 * are those of height 2, from its start.
 */
export function tendermintRoundChangeRows(input: unknown = {}): TendermintRoundChangeRow[] {
  const p = parseConfig(
    TendermintRoundChangeParamsSchema,
    input,
    "tendermint round change parameters",
  );
  const d = p.deltaMs;
  const cases: [string, AdversaryInput[], unknown[]][] = [
    ["honest", [], []],
    ["crashed", [], [{ atMs: 4 * d, type: "crash", node: "n2" }]],
    ["silent", [{ nodes: ["n2"], strategies: [{ kind: "silent" }], fromMs: 4 * d }], []],
    [
      "equivocating",
      [{ nodes: ["n2"], strategies: [{ kind: "equivocate" }], fromMs: 4 * d }],
      [],
    ],
  ];
  return cases.map(([proposer, byzantine, nemesis]) => {
    const c = tendermintCluster({
      seed: p.seed,
      n: p.n,
      network: { latency: { kind: "constant", ms: d } },
      byzantine,
      nemesis,
      tendermint: {
        gossipIntervalMs: NO_GOSSIP,
        timeoutCommitMs: 10 * d,
        timeoutProposeMs: p.timeoutProposeMs,
        timeoutPrevoteMs: p.timeoutPrevoteMs,
        timeoutPrecommitMs: p.timeoutPrecommitMs,
      },
      trace: { mode: "off" },
    });
    let messages = 0, done = false;
    c.sim.onDeliver((x) => {
      const m = x.msg as { type?: string; height?: number };
      if (!done && m.height === 2 && CONSENSUS.has(m.type ?? "")) messages++;
    });
    c.sim.onEvent((e) => {
      if (e.event.type === "bft-decide" && e.event.slot === 2) done = true;
    });
    const start = 3 * d + 10 * d;
    c.sim.run({ untilMs: start + p.timeoutProposeMs + p.timeoutPrecommitMs + 30 * d });
    const first = c.inv.decisionTimes().find((x) => x.slot === 2);
    const dec = c.sim.events.find((e) => e.event.type === "bft-decide" && e.event.slot === 2);
    return {
      proposer,
      decisionMs: first ? first.t - start : NaN,
      round: (dec?.event.view as number) ?? NaN,
      messages,
      theoryMs: proposer !== "honest"
        ? p.timeoutProposeMs + 2 * d + p.timeoutPrecommitMs + 3 * d
        : 3 * d,
    };
  });
}

/** Parameters of {@link tendermintThroughputRows}. */
export const TendermintThroughputParamsSchema = z.object({
  /** Block sizes (maxBlockTxs). Default 1, 4, 16, 64. */
  blockSizes: z.array(z.number().int().min(1)).min(1).default([1, 4, 16, 64]),
  /** Validators. Default 4. */
  n: z.number().int().min(4).default(4),
  /** Closed-loop KV clients. Default 64. */
  clients: z.number().int().min(1).default(64),
  /** δ (ms). Default 5. */
  deltaMs: z.number().positive().default(5),
  /** Simulated duration (ms). Default 2000. */
  durationMs: z.number().positive().default(2_000),
  /** Seed. Default 1. */
  seed: z.number().int().default(1),
}).strict();

/** One row: transactions decided per simulated second at one block size. */
export interface TendermintThroughputRow {
  /** maxBlockTxs. */
  readonly blockSize: number;
  /** Heights decided. */
  readonly heights: number;
  /** Transactions decided (duplicates of retried requests included). */
  readonly txs: number;
  /** txs per simulated second. */
  readonly txsPerSec: number;
  /** Client operations completed (ok) per simulated second. */
  readonly opsPerSec: number;
}

/** Throughput against block size (closed-loop KV clients, constant δ). */
export function tendermintThroughputRows(input: unknown = {}): TendermintThroughputRow[] {
  const p = parseConfig(
    TendermintThroughputParamsSchema,
    input,
    "tendermint throughput parameters",
  );
  return p.blockSizes.map((blockSize) => {
    const c = tendermintCluster({
      seed: p.seed,
      n: p.n,
      clients: p.clients,
      network: { latency: { kind: "constant", ms: p.deltaMs } },
      tendermint: { maxBlockTxs: blockSize, timeoutCommitMs: p.deltaMs },
      workload: { endMs: p.durationMs, timeoutMs: 2_000, retries: 100 },
      trace: { mode: "off" },
    });
    let heights = 0, txs = 0;
    c.sim.onEvent((e) => {
      if (e.node !== "n0" || e.event.type !== "bft-decide" || e.t > p.durationMs) return;
      heights++;
      txs += (e.event.requests as string[]).length;
    });
    c.sim.run({ untilMs: p.durationMs });
    const ok = c.workload!.history.filter((e) => e.type === "ok").length;
    return {
      blockSize,
      heights,
      txs,
      txsPerSec: txs / (p.durationMs / 1000),
      opsPerSec: ok / (p.durationMs / 1000),
    };
  });
}
