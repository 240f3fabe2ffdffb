/**
 * Notebook 12 (blockchain-specific considerations) and the blockchain section of notebook 05: the
 * notebook's parameters as one zod schema, the glue that hands each library measurement
 * (`chain_network.ts`, `chain_attacks.ts`) its slice of them, and three small measurements of
 * their own on the existing Nakamoto network: ledger growth beside the header chain a light client
 * keeps, the window in which a pending transaction is public (the raw material of front-running),
 * and the common-prefix profile of two nodes' chains (Garay, Kiayias and Leonardos' property).
 * @module
 */
import { z } from "zod";
import { parseConfig } from "../sim/errors.ts";
import { type Claim, claim, notApplicable } from "./claims.ts";
import { blockCapacityTxs, nakamotoNetwork } from "../protocols/nakamoto/mod.ts";
import type {
  ForkParamsSchema,
  PartitionParamsSchema,
  PropagationParamsSchema,
  ScaleParamsSchema,
  StaleParamsSchema,
  ThroughputParamsSchema,
} from "./chain_network.ts";
import {
  type DoubleSpendParams,
  parseDoubleSpendParams,
  parseSelfishParams,
  type SelfishParams,
} from "./chain_attacks.ts";

// ---- notebook 12 parameters ---------------------------------------------------------------------

const sizes = z.array(z.number().int().positive()).min(1);
const intervals = z.array(z.number().positive()).min(1);

/**
 * Parameters of notebook 12, one per `const` of its `parameters` cell. Defaults run the notebook in
 * a few minutes, most of it the 10,000-node scale run.
 */
export const Notebook12ParamsSchema = z.object({
  /** Root seed of every run. */
  seed: z.number().int().default(1),
  /** Propagation: nodes of the realistic network. */
  propagationNodes: z.number().int().min(10).default(1000),
  /** Propagation: block sizes (bytes). */
  propagationBlockSizesBytes: sizes.default([50_000, 250_000, 1_000_000, 4_000_000]),
  /** Propagation: outbound peer counts. */
  propagationPeerCounts: z.array(z.number().int().min(1)).min(1).default([4, 8, 16]),
  /** Propagation: blocks measured per point. */
  propagationBlocks: z.number().int().min(1).default(6),
  /** Stale rate: equal miners on the constant-delay mesh (N). */
  staleMiners: z.number().int().min(2).default(10),
  /** Stale rate: d/T values of the mesh runs. */
  staleDOverT: z.array(z.number().positive()).min(1).default([0.01, 0.03, 0.1, 0.2, 0.4]),
  /** Stale rate: blocks per mesh point. */
  staleBlocks: z.number().int().min(10).default(3000),
  /** Stale rate: nodes of the realistic-network rows (0: none). */
  realisticNodes: z.number().int().min(0).default(500),
  /** Stale rate: block intervals of the realistic rows (ms). */
  realisticIntervalsMs: z.array(z.number().positive()).default([15_000, 60_000]),
  /** Stale rate: blocks per realistic row. */
  realisticBlocks: z.number().int().min(10).default(150),
  /** Forks: d/T of the fork-length and reorg-depth run (mesh, `staleMiners` miners). */
  forkDOverT: z.number().positive().default(0.2),
  /** Forks: blocks. */
  forkBlocks: z.number().int().min(10).default(3000),
  /** Throughput: nodes of the realistic network. */
  throughputNodes: z.number().int().min(10).default(300),
  /** Throughput: block sizes (bytes). */
  throughputBlockSizesBytes: sizes.default([250_000, 1_000_000, 4_000_000]),
  /** Throughput: block intervals (ms). */
  throughputIntervalsMs: intervals.default([15_000, 60_000, 600_000]),
  /** Throughput: blocks per point. */
  throughputBlocks: z.number().int().min(10).default(100),
  /** Confirmations: attacker shares q of the simulated double-spend races (each < 0.5). */
  attackerShares: z.array(z.number().gt(0).lt(0.5)).min(1).default([0.1, 0.3]),
  /** Confirmations: confirmation counts z. */
  confirmations: z.array(z.number().int().min(0).max(10_000)).min(1).default([
    0,
    1,
    2,
    3,
    4,
    5,
    6,
    8,
    10,
  ]),
  /** Confirmations: races per (q, z). */
  doubleSpendTrials: z.number().int().min(1).default(20_000),
  /** Selfish mining: pool shares α (each < 0.5). */
  selfishAlphas: z.array(z.number().min(0).lt(0.5)).min(1).default([
    0.05,
    0.1,
    0.15,
    0.2,
    0.25,
    0.3,
    0.35,
    0.4,
    0.45,
  ]),
  /** Selfish mining: γ values. */
  selfishGammas: z.array(z.number().min(0).max(1)).min(1).default([0, 0.5, 1]),
  /** Selfish mining: blocks per run. */
  selfishBlocks: z.number().int().min(100).default(50_000),
  /** Selfish mining: runs per (α, γ). */
  selfishRuns: z.number().int().min(2).default(8),
  /** Partition: start, heal and end of the run (ms). */
  partitionAtMs: z.number().positive().default(60_000),
  healAtMs: z.number().positive().default(240_000),
  partitionEndMs: z.number().positive().default(360_000),
  /** Partition: fraction of nodes (and roughly of hash power) on the majority side. */
  majorityFraction: z.number().gt(0.5).lt(1).default(0.6),
  /** Partition: Nakamoto nodes. */
  partitionNodes: z.number().int().min(4).default(200),
  /** Ledger growth and light clients: nodes, block interval (ms), block size (bytes). */
  ledgerNodes: z.number().int().min(10).default(200),
  ledgerIntervalMs: z.number().positive().default(600_000),
  ledgerBlockSizeBytes: z.number().int().positive().default(1_000_000),
  /** Ledger growth: open-loop transaction rate (tx/s). */
  ledgerTxRatePerSec: z.number().positive().default(2),
  /** Ledger growth: simulated hours. */
  ledgerHours: z.number().positive().default(24),
  /** Scale run: nodes and blocks (the issue asks for ≥ 10,000 × 1,000). */
  scaleNodes: z.number().int().min(10).default(10_000),
  scaleBlocks: z.number().int().min(1).default(1000),
}).strict()
  .refine((p) => p.partitionAtMs < p.healAtMs && p.healAtMs < p.partitionEndMs, {
    message: "needs partitionAtMs < healAtMs < partitionEndMs",
    path: ["healAtMs"],
  })
  .refine((p) => p.ledgerHours * 3_600_000 >= 10 * p.ledgerIntervalMs, {
    message: "ledgerHours must cover at least 10 block intervals",
    path: ["ledgerHours"],
  });

/** Notebook 12 parameters as written. */
export type Notebook12ParamsInput = z.input<typeof Notebook12ParamsSchema>;
/** Notebook 12 parameters with defaults. */
export type Notebook12Params = z.output<typeof Notebook12ParamsSchema>;

/** Parse notebook 12's parameters (a ConfigError names the bad field before anything runs). */
export function parseNotebook12Params(input: unknown = {}): Notebook12Params {
  return parseConfig(Notebook12ParamsSchema, input, "notebook 12 parameters");
}

/** The input of `propagationRows` from the notebook's parameters. */
export function propagationInput(p: Notebook12Params): z.input<typeof PropagationParamsSchema> {
  return {
    seed: p.seed,
    nodes: p.propagationNodes,
    blockSizesBytes: p.propagationBlockSizesBytes,
    peerCounts: p.propagationPeerCounts,
    blocks: p.propagationBlocks,
  };
}

/** The input of `staleRows`. */
export function staleInput(p: Notebook12Params): z.input<typeof StaleParamsSchema> {
  return {
    seed: p.seed,
    miners: p.staleMiners,
    dOverT: p.staleDOverT,
    blocks: p.staleBlocks,
    realisticNodes: p.realisticNodes,
    realisticIntervalsMs: p.realisticIntervalsMs,
    realisticBlocks: p.realisticBlocks,
  };
}

/** The input of `forkRows` (and `forkClaims`). */
export function forkInput(p: Notebook12Params): z.input<typeof ForkParamsSchema> {
  return { seed: p.seed, miners: p.staleMiners, dOverT: p.forkDOverT, blocks: p.forkBlocks };
}

/** The input of `throughputRows`. */
export function throughputInput(p: Notebook12Params): z.input<typeof ThroughputParamsSchema> {
  return {
    seed: p.seed,
    nodes: p.throughputNodes,
    blockSizesBytes: p.throughputBlockSizesBytes,
    blockIntervalsMs: p.throughputIntervalsMs,
    blocks: p.throughputBlocks,
  };
}

/** The parsed parameters of `doubleSpendRace`. */
export function doubleSpendInput(p: Notebook12Params): DoubleSpendParams {
  return parseDoubleSpendParams({
    seed: p.seed,
    attackerShares: p.attackerShares,
    confirmations: p.confirmations,
    trials: p.doubleSpendTrials,
  });
}

/** The parsed parameters of `selfishMiningCurve`. */
export function selfishInput(p: Notebook12Params): SelfishParams {
  return parseSelfishParams({
    seed: p.seed,
    alphas: p.selfishAlphas,
    gammas: p.selfishGammas,
    blocks: p.selfishBlocks,
    runs: p.selfishRuns,
  });
}

/** The input of `partitionRows`. */
export function partitionInput(p: Notebook12Params): z.input<typeof PartitionParamsSchema> {
  return {
    seed: p.seed,
    partitionAtMs: p.partitionAtMs,
    healAtMs: p.healAtMs,
    endMs: p.partitionEndMs,
    majorityFraction: p.majorityFraction,
    nakamotoNodes: p.partitionNodes,
  };
}

/** The input of `chainScaleRun`. */
export function scaleInput(p: Notebook12Params): z.input<typeof ScaleParamsSchema> {
  return { seed: p.seed, nodes: p.scaleNodes, blocks: p.scaleBlocks };
}

// ---- ledger growth, light clients, the front-running window ----------------------------------

/** Parameters of {@link ledgerGrowth}. */
export const LedgerParamsSchema = z.object({
  /** Nodes. Default 200. */
  nodes: z.number().int().min(10).default(200),
  /** Block interval T (ms). Default 600 000. */
  blockIntervalMs: z.number().positive().default(600_000),
  /** Block size limit (bytes). Default 1 MB. */
  blockSizeBytes: z.number().int().positive().default(1_000_000),
  /** Open-loop transaction rate (tx/s). Default 2. */
  txRatePerSec: z.number().positive().default(2),
  /** Simulated hours of mining. Default 24. */
  hours: z.number().positive().default(24),
  /** Seed. Default 1. */
  seed: z.number().int().default(1),
}).strict();

/** What a ledger-growth run measured. */
export interface LedgerGrowth {
  /** Simulated hours of mining. */
  readonly hours: number;
  /** Blocks on node 0's final main chain (genesis excluded) and blocks mined. */
  readonly mainBlocks: number;
  readonly blocksMined: number;
  /** Transactions on the main chain. */
  readonly txs: number;
  /** Transactions that arrived by the tip's time (all of them fit when demand is under capacity). */
  readonly arrivedByTip: number;
  /** Simulated time of the tip block (ms). */
  readonly tipTimeMs: number;
  /** Bytes of the full main chain (every block, header and transactions). */
  readonly fullChainBytes: number;
  /** Bytes of the header chain a light client keeps (header bytes × height). */
  readonly headerChainBytes: number;
  /** Header bytes per block (the config's `headerBytes`). */
  readonly headerBytes: number;
  /** Bytes per transaction (the config's `txSizeBytes`). */
  readonly txSizeBytes: number;
  /** Full-chain bytes per simulated hour (up to the tip's time). */
  readonly bytesPerHour: number;
  /** Predicted bytes per hour: (rate·txSize + headerBytes·(1 − stale)/T)·3600 s. */
  readonly predictedBytesPerHour: number;
  /** Largest block on the main chain (bytes) and the limit: under it, demand is below capacity. */
  readonly maxBlockBytes: number;
  readonly capacityTxs: number;
  /** Mean transactions per main-chain block. */
  readonly txsPerBlock: number;
  /** An SPV inclusion proof for one transaction: header + ⌈log2(txs per block)⌉ hashes of 32 B. */
  readonly spvProofBytes: number;
  /**
   * Mean time a pending transaction is public before the block that includes it is mined, from
   * the main chain's gaps Δ: Σ Δ² / (2 Σ Δ) (arrivals are Poisson and every pending transaction
   * fits in the next block). The inspection paradox makes it T for exponential gaps, not T / 2.
   */
  readonly publicWindowMs: number;
  /** Standard error of {@link publicWindowMs} (delta method over the gaps). */
  readonly publicWindowStderrMs: number;
  /** Stale rate of the run. */
  readonly staleRate: number;
}

/**
 * Run a Nakamoto network under an open-loop transaction load for `hours` simulated hours and
 * measure what a full node and a light client store, and how long a pending transaction sits in
 * public view before it is mined.
 * @example
 * ```ts
 * const g = ledgerGrowth({ nodes: 50, hours: 6, blockIntervalMs: 60_000 });
 * g.fullChainBytes / g.headerChainBytes; // how much a header-only client saves
 * ```
 */
export function ledgerGrowth(input: unknown = {}): LedgerGrowth {
  const p = parseConfig(LedgerParamsSchema, input, "ledger-growth parameters");
  const nw = nakamotoNetwork({
    seed: p.seed,
    nodes: p.nodes,
    blockIntervalMs: p.blockIntervalMs,
    blockSizeBytes: p.blockSizeBytes,
    txRatePerSec: p.txRatePerSec,
  }, { keepReorgs: false });
  const endMs = p.hours * 3_600_000;
  nw.startMining();
  nw.sim.run({ untilMs: endMs });
  nw.stopMining();
  nw.sim.run({ untilMs: endMs + 10 * p.blockIntervalMs });
  const store = nw.store, tip = nw.node(0).view.tip;
  const chain = store.chain(tip);
  let bytes = 0, maxBlock = 0, sumGap = 0, sumGap2 = 0;
  const gaps: number[] = [];
  for (let i = 1; i < chain.length; i++) {
    const s = store.sizeBytes(chain[i]);
    bytes += s;
    maxBlock = Math.max(maxBlock, s);
    const gap = store.timeMs(chain[i]) - store.timeMs(chain[i - 1]);
    gaps.push(gap);
    sumGap += gap;
    sumGap2 += gap * gap;
  }
  const height = chain.length - 1;
  const tipTime = store.timeMs(tip);
  const window = sumGap2 / (2 * sumGap);
  // delta method for R = A / B with A = mean(Δ²)/2, B = mean(Δ)
  const n = gaps.length, mA = sumGap2 / (2 * n), mB = sumGap / n;
  let vA = 0, vB = 0, cAB = 0;
  for (const g of gaps) {
    const a = g * g / 2 - mA, b = g - mB;
    vA += a * a;
    vB += b * b;
    cAB += a * b;
  }
  const R = mA / mB;
  const varR = (vA - 2 * R * cAB + R * R * vB) / (n * (n - 1) * mB * mB);
  const cfg = nw.config;
  const stale = (store.size - 1 - height) / (store.size - 1);
  const txs = nw.cumTxs(tip);
  const perBlock = txs / Math.max(height, 1);
  return {
    hours: p.hours,
    mainBlocks: height,
    blocksMined: store.size - 1,
    txs,
    arrivedByTip: nw.arrivedBy(tipTime),
    tipTimeMs: tipTime,
    fullChainBytes: bytes,
    headerChainBytes: height * cfg.headerBytes,
    headerBytes: cfg.headerBytes,
    txSizeBytes: cfg.txSizeBytes,
    bytesPerHour: bytes / (tipTime / 3_600_000),
    predictedBytesPerHour: (p.txRatePerSec * cfg.txSizeBytes +
      cfg.headerBytes * (1 - stale) / (p.blockIntervalMs / 1000)) * 3600,
    maxBlockBytes: maxBlock,
    capacityTxs: blockCapacityTxs(cfg),
    txsPerBlock: perBlock,
    spvProofBytes: cfg.headerBytes + 32 * Math.ceil(Math.log2(Math.max(2, perBlock))),
    publicWindowMs: window,
    publicWindowStderrMs: Math.sqrt(Math.max(varR, 0)),
    staleRate: stale,
  };
}

/**
 * Claims on a ledger-growth run (the first and last n/a when the offered load exceeds half the
 * capacity: then transactions queue for several blocks): the chain takes the offered load (on-chain transactions within
 * 4 Poisson standard deviations of rate × time, plus one block's capacity that may still be
 * pending at the tip: blocks after a long gap hit the size limit and leave a backlog); the header chain is exactly header bytes × height; a pending transaction is public for
 * about T (within 3 standard errors, slightly more: main-chain gaps are a little longer than
 * exponential when blocks go stale).
 */
export function ledgerClaims(
  params: z.input<typeof LedgerParamsSchema>,
  g: LedgerGrowth,
): Claim[] {
  const p = LedgerParamsSchema.parse(params);
  const out: Claim[] = [];
  const load = p.txRatePerSec * (p.blockIntervalMs / 1000) / g.capacityTxs;
  const busy = load > 0.5;
  const why =
    `offered load ${(load * 100).toFixed(0)} % of capacity: above 50 %, blocks after long gaps ` +
    "fill up and transactions queue for several blocks";
  const expected = p.txRatePerSec * g.tipTimeMs / 1000;
  const tol = 4 * Math.sqrt(expected) + g.capacityTxs;
  const takes =
    "the chain takes the offered load: on-chain txs = rate × time (± Poisson spread + one block pending)";
  out.push(
    busy ? notApplicable(takes, `${why} (${g.arrivedByTip - g.txs} pending at the tip)`) : claim(
      takes,
      g.txs <= g.arrivedByTip && Math.abs(g.txs - expected) <= tol,
      `${g.txs} on chain, ${expected.toFixed(0)} expected, ±${tol.toFixed(0)}; ${
        g.arrivedByTip - g.txs
      } still pending at the tip; ${(g.bytesPerHour / 1e6).toFixed(3)} MB/h vs ${
        (g.predictedBytesPerHour / 1e6).toFixed(3)
      } MB/h predicted`,
    ),
  );
  out.push(claim(
    "a light client's header chain is header bytes × height",
    g.headerChainBytes === g.headerBytes * g.mainBlocks,
    `${g.headerChainBytes} B for ${g.mainBlocks} blocks; full chain ${g.fullChainBytes} B`,
  ));
  const T = p.blockIntervalMs;
  const windowText = "a pending transaction is public for ≈ T before it is mined (not T/2)";
  if (busy) out.push(notApplicable(windowText, why));
  else if (g.mainBlocks < 30) {
    out.push(notApplicable(windowText, `only ${g.mainBlocks} blocks`));
  } else {
    const lo = T - 3 * g.publicWindowStderrMs,
      hi = T * (1 + 2 * g.staleRate) +
        3 * g.publicWindowStderrMs;
    out.push(claim(
      windowText,
      g.publicWindowMs >= lo && g.publicWindowMs <= hi,
      `Σ Δ²/(2 Σ Δ) = ${(g.publicWindowMs / 1000).toFixed(1)} s, T = ${T / 1000} s, ±${
        (3 * g.publicWindowStderrMs / 1000).toFixed(1)
      } s (3σ)`,
    ));
  }
  return out;
}

/** The input of {@link ledgerGrowth} from notebook 12's parameters. */
export function ledgerInput(p: Notebook12Params): z.input<typeof LedgerParamsSchema> {
  return {
    seed: p.seed,
    nodes: p.ledgerNodes,
    blockIntervalMs: p.ledgerIntervalMs,
    blockSizeBytes: p.ledgerBlockSizeBytes,
    txRatePerSec: p.ledgerTxRatePerSec,
    hours: p.ledgerHours,
  };
}

// ---- common prefix (notebook 05) ------------------------------------------------------------------

/** Parameters of {@link commonPrefixRows}: a constant-delay full mesh, so Δ is known exactly. */
export const CommonPrefixParamsSchema = z.object({
  /** Equal miners, one per node. Default 10. */
  miners: z.number().int().min(2).max(50).default(10),
  /** Δ / T: the network delay bound as a fraction of the block interval. Default 0.2. */
  deltaOverT: z.number().positive().max(5).default(0.2),
  /** Simulated block intervals of mining. Default 5000. */
  intervals: z.number().int().min(20).default(5000),
  /** Snapshots per block interval (all pairs of nodes compared at each). Default 2. */
  samplesPerInterval: z.number().int().min(1).max(20).default(2),
  /** Largest k reported. Default 6. */
  maxK: z.number().int().min(1).max(50).default(6),
  /** Seed. Default 1. */
  seed: z.number().int().default(1),
}).strict();

/** One k: how often two nodes' chains with the last k blocks cut off still disagree. */
export interface CommonPrefixRow {
  /** Blocks cut off the tip. */
  readonly k: number;
  /** Pair snapshots compared. */
  readonly pairs: number;
  /** Snapshots where either chain minus its last k blocks is not a prefix of the other. */
  readonly violations: number;
  /** violations / pairs. */
  readonly rate: number;
}

/** A common-prefix run: its rows and the blocks behind them. */
export interface CommonPrefixResult {
  /** One row per k = 0..maxK. */
  readonly rows: readonly CommonPrefixRow[];
  /** Blocks mined and blocks on the final main chain. */
  readonly blocks: number;
  readonly mainBlocks: number;
  /** Deepest divergence seen in any snapshot (blocks). */
  readonly deepest: number;
}

/**
 * Garay, Kiayias and Leonardos' common-prefix property measured on the simulator: at regular
 * snapshots every pair of honest nodes is compared, and for each k the run counts pairs whose
 * chains, with the last k blocks cut off, are not prefixes of one another. Two chains with common
 * ancestor c disagree at k exactly when one of them holds more than k blocks above c.
 */
export function commonPrefixRows(input: unknown = {}): CommonPrefixResult {
  const p = parseConfig(CommonPrefixParamsSchema, input, "common-prefix parameters");
  const T = 10_000;
  const nw = nakamotoNetwork({
    seed: p.seed,
    nodes: p.miners,
    topology: "fullMesh",
    latencyModel: "constant",
    latencyMs: p.deltaOverT * T,
    bandwidthBytesPerMs: null,
    validationMs: 0,
    validationMsPerMB: 0,
    relay: "push",
    miners: p.miners,
    blockIntervalMs: T,
    blockSizeBytes: 1000,
  }, { keepReorgs: false });
  const hist = new Array<number>(p.maxK + 2).fill(0); // divergence depth, capped at maxK + 1
  let pairs = 0, deepest = 0;
  const step = T / p.samplesPerInterval;
  const endMs = p.intervals * T;
  const store = nw.store;
  for (let t = step; t <= endMs; t += step) {
    nw.sim.at(t, () => {
      const tips = Array.from({ length: p.miners }, (_, i) => nw.node(i).view.tip);
      for (let a = 0; a < tips.length; a++) {
        for (let b = a + 1; b < tips.length; b++) {
          const c = store.height(store.commonAncestor(tips[a], tips[b]));
          const d = Math.max(store.height(tips[a]) - c, store.height(tips[b]) - c);
          deepest = Math.max(deepest, d);
          hist[Math.min(d, p.maxK + 1)]++;
          pairs++;
        }
      }
    });
  }
  nw.startMining();
  nw.sim.run({ untilMs: endMs });
  nw.stopMining();
  const rows: CommonPrefixRow[] = [];
  for (let k = 0; k <= p.maxK; k++) {
    let v = 0;
    for (let d = k + 1; d < hist.length; d++) v += hist[d];
    rows.push({ k, pairs, violations: v, rate: v / pairs });
  }
  return {
    rows,
    blocks: store.size - 1,
    mainBlocks: store.height(nw.node(0).view.tip),
    deepest,
  };
}

/**
 * Claims on a common-prefix run. Forks happen: with Δ/T large enough that the run expects at
 * least 20 stale blocks, some snapshot disagrees at k = 1 (n/a otherwise). The disagreement falls
 * geometrically with k: for k ≥ 1, where at least 20 snapshots disagree at k, the share that
 * still disagrees at k + 1 is at most 1 − e^(−Δ/T) (plus 3 binomial standard errors), the chance
 * that the losing branch finds its next block within Δ and keeps the race alive.
 */
export function commonPrefixClaims(
  params: z.input<typeof CommonPrefixParamsSchema>,
  r: CommonPrefixResult,
): Claim[] {
  const p = CommonPrefixParamsSchema.parse(params);
  const out: Claim[] = [];
  const x = p.deltaOverT;
  const expectedStale = p.intervals * (1 - 1 / p.miners) * (1 - Math.exp(-x));
  const r1 = r.rows[1];
  const forks = "forks happen: two nodes' chains minus their last block sometimes disagree";
  out.push(
    expectedStale >= 20
      ? claim(forks, r1.violations > 0, `${r1.violations} of ${r1.pairs} pair snapshots at k = 1`)
      : notApplicable(forks, `the run expects only ${expectedStale.toFixed(1)} stale blocks`),
  );
  const cont = 1 - Math.exp(-x);
  for (let k = 1; k < r.rows.length - 1; k++) {
    const a = r.rows[k], b = r.rows[k + 1];
    const text = `k=${k}→${k + 1}: disagreement falls at least by the factor 1 − e^(−Δ/T) = ${
      cont.toFixed(3)
    }`;
    if (a.violations < 20) {
      out.push(notApplicable(text, `only ${a.violations} disagreeing snapshots at k = ${k}`));
      continue;
    }
    const ratio = b.violations / a.violations;
    const tol = cont + 3 * Math.sqrt(cont * (1 - cont) / a.violations);
    out.push(claim(
      text,
      ratio <= tol,
      `${b.violations}/${a.violations} = ${ratio.toFixed(3)} ≤ ${tol.toFixed(3)}`,
    ));
  }
  return out;
}

// ---- propagation limits throughput --------------------------------------------------------------

/** One block interval: the largest block that keeps the stale rate under a target, and its tx/s. */
export interface CeilingRow {
  /** Block interval T (ms). */
  readonly blockIntervalMs: number;
  /** Stale-rate target. */
  readonly staleTarget: number;
  /** Mean adoption delay d allowed by the target: −T ln(1 − target / (1 − 1/N)) (ms). */
  readonly maxDelayMs: number;
  /** Largest block size whose fitted mean delay stays within it (bytes; 0: none). */
  readonly maxBlockBytes: number;
  /** Transactions per second at that size: ⌊(size − header) / txSize⌋ / T. */
  readonly txPerSec: number;
}

/** An affine fit of mean adoption delay against block size, with its quality. */
export interface DelayFit {
  /** Outbound peers of the rows fitted. */
  readonly outboundPeers: number;
  /** Intercept (ms): latency and fixed validation along the paths. */
  readonly interceptMs: number;
  /** Slope (ms per MB): transfer and per-MB validation along the paths. */
  readonly msPerMB: number;
  /** Coefficient of determination of the fit. */
  readonly r2: number;
  /** Points fitted. */
  readonly points: number;
}

/** Least-squares fit of `meanMs` against block size for one peer count of propagation rows. */
export function delayFit(
  rows: readonly { blockSizeBytes: number; outboundPeers: number; meanMs: number }[],
  outboundPeers: number,
): DelayFit {
  const rs = rows.filter((r) => r.outboundPeers === outboundPeers);
  const n = rs.length;
  const xs = rs.map((r) => r.blockSizeBytes / 1e6), ys = rs.map((r) => r.meanMs);
  const mx = xs.reduce((a, b) => a + b, 0) / n, my = ys.reduce((a, b) => a + b, 0) / n;
  let sxy = 0, sxx = 0, syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (xs[i] - mx) * (ys[i] - my);
    sxx += (xs[i] - mx) ** 2;
    syy += (ys[i] - my) ** 2;
  }
  const slope = sxx > 0 ? sxy / sxx : NaN;
  return {
    outboundPeers,
    interceptMs: my - slope * mx,
    msPerMB: slope,
    r2: sxx > 0 && syy > 0 ? (sxy * sxy) / (sxx * syy) : NaN,
    points: n,
  };
}

/**
 * The throughput ceiling that propagation sets (Decker and Wattenhofer's point, Gervais et al.'s
 * trade-off): invert the stale-rate formula (1 − 1/N)(1 − e^(−d/T)) ≤ target for d, and the
 * fitted delay d(s) = intercept + slope·s for the block size s, at each block interval.
 */
export function throughputCeiling(
  fit: DelayFit,
  options: {
    readonly miners: number;
    readonly staleTarget: number;
    readonly intervalsMs: readonly number[];
    readonly headerBytes: number;
    readonly txSizeBytes: number;
  },
): CeilingRow[] {
  const { miners, staleTarget } = options;
  return options.intervalsMs.map((T) => {
    const share = staleTarget / (1 - 1 / miners);
    const dMax = share < 1 ? -T * Math.log(1 - share) : Infinity;
    const s = Math.max(0, Math.floor((dMax - fit.interceptMs) / fit.msPerMB * 1e6));
    const txs = s > options.headerBytes
      ? Math.floor((s - options.headerBytes) / options.txSizeBytes)
      : 0;
    return {
      blockIntervalMs: T,
      staleTarget,
      maxDelayMs: dMax,
      maxBlockBytes: s,
      txPerSec: txs / (T / 1000),
    };
  });
}

/**
 * Claims on the delay fit: mean adoption delay is affine in block size (R² ≥ 0.98, n/a with fewer
 * than three sizes), so the transfer time per MB sets the slope and throughput has a ceiling.
 */
export function delayFitClaims(fit: DelayFit): Claim[] {
  const text = `k=${fit.outboundPeers}: mean adoption delay is affine in block size (R² ≥ 0.98)`;
  if (fit.points < 3) return [notApplicable(text, `${fit.points} block sizes`)];
  return [
    claim(
      text,
      fit.r2 >= 0.98 && fit.msPerMB > 0,
      `d ≈ ${(fit.interceptMs / 1000).toFixed(2)} s + ${
        (fit.msPerMB / 1000).toFixed(2)
      } s/MB, R² = ${fit.r2.toFixed(4)}`,
    ),
  ];
}

// ---- scale run --------------------------------------------------------------------------------

/**
 * Claims on a scale run: every node ends on the same tip; at least the blocks asked for were
 * mined; and the stale rate is within a factor 2 of (1 − 1/N)(1 − e^(−d/T)) with d the median
 * time to half the nodes (n/a when that predicts fewer than 5 stale blocks: nothing to resolve).
 */
export function scaleClaims(
  r: {
    readonly nodes: number;
    readonly blocks: number;
    readonly converged: boolean;
    readonly staleRate: number;
    readonly t50Ms: number;
  },
  asked: { readonly blocks: number; readonly miners: number; readonly blockIntervalMs: number },
): Claim[] {
  const theory = (1 - 1 / asked.miners) * (1 - Math.exp(-r.t50Ms / asked.blockIntervalMs));
  const text = "stale rate within 2× of (1−1/N)(1−e^(−d/T)) at d = median time to half the nodes";
  const expected = theory * r.blocks;
  const stale = Math.round(r.staleRate * r.blocks);
  return [
    claim(
      `every one of the ${r.nodes} nodes ends on the same tip after the drain`,
      r.converged,
      `converged: ${r.converged}`,
    ),
    claim(
      `the run mined at least the ${asked.blocks} blocks asked for`,
      r.blocks >= asked.blocks,
      `${r.blocks} blocks`,
    ),
    expected < 5
      ? notApplicable(
        text,
        `the formula expects ${
          expected.toFixed(1)
        } stale blocks of ${r.blocks} (measured ${stale})`,
      )
      : claim(
        text,
        r.staleRate >= theory / 2 && r.staleRate <= 2 * theory,
        `measured ${r.staleRate.toFixed(4)} (${stale}/${r.blocks}) vs ${theory.toFixed(4)}`,
      ),
  ];
}
