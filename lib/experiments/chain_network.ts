/**
 * Nakamoto consensus at network scale, measured beside its theory (issue 10, notebook 12):
 * block propagation against block size and peer count, the stale rate against d/T (mesh formula
 * and the realistic network), fork lengths and reorg depths, throughput against block size and
 * interval with the stale rate as its security cost, finality under a partition for Nakamoto and
 * Tendermint on the same schedule, and a 10,000-node scale run. Every function takes zod-validated
 * parameters and returns plain rows; the claim functions compute predictions from the parameters
 * and say n/a outside their regime.
 * @module
 */
import { z } from "zod";
import { parseConfig } from "../sim/errors.ts";
import { type Claim, claim, notApplicable } from "./claims.ts";
import {
  blockCapacityTxs,
  INV_BYTES,
  type NakamotoNetwork,
  nakamotoNetwork,
  shortestTimes,
  validationDelayMs,
} from "../protocols/nakamoto/mod.ts";
import { tendermintCluster } from "../protocols/tendermint/cluster.ts";

// ---- helpers --------------------------------------------------------------------------------

const median = (xs: readonly number[]): number => quantile(xs, 0.5);

function quantile(xs: readonly number[], q: number): number {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (!s.length) return NaN;
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))];
}

/** Blocks on the main chain of node 0 (genesis excluded) and all blocks mined. */
function mainChainStats(nw: NakamotoNetwork): { main: number; total: number; tip: number } {
  const tip = nw.node(0).view.tip;
  return { main: nw.store.height(tip), total: nw.store.size - 1, tip };
}

/**
 * The stale-rate prediction for N equal miners on a constant-delay full mesh:
 * (1 − 1/N)(1 − e^(−d/T)). Assumptions: block discovery is Poisson with rate 1/T; every block
 * reaches every other miner exactly d after it is found (d includes transfer and validation);
 * a block is stale when the next block is found within d (probability 1 − e^(−d/T)) by a miner
 * other than its producer (probability 1 − 1/N: the producer itself would build on it), which
 * then mines on the old parent and creates a competitor at the same height; one block of each
 * such pair ends stale. Exact to first order in d/T; ignores three-way races and races during a
 * running race (second order), which make the true rate slightly different at large d/T.
 */
export function meshStaleRate(miners: number, dOverT: number): number {
  return (1 - 1 / miners) * (1 - Math.exp(-dOverT));
}

/** Binomial standard error of a rate p measured over `n` trials. */
const stderr = (p: number, n: number) => Math.sqrt(Math.max(p * (1 - p), 1e-12) / Math.max(n, 1));

// ---- propagation ------------------------------------------------------------------------------

/** Parameters of {@link propagationRows}. */
export const PropagationParamsSchema = z.object({
  /** Nodes. Default 1000. */
  nodes: z.number().int().min(10).default(1000),
  /** Block sizes (bytes). Default 50 kB, 250 kB, 1 MB, 4 MB. */
  blockSizesBytes: z.array(z.number().int().positive()).min(1).default([
    50_000,
    250_000,
    1_000_000,
    4_000_000,
  ]),
  /** Outbound peer counts. Default 4, 8, 16. */
  peerCounts: z.array(z.number().int().min(1)).min(1).default([4, 8, 16]),
  /** Blocks per point. Default 8. */
  blocks: z.number().int().min(1).default(8),
  /** Link bandwidth (bytes/ms). Default 1250 (10 Mbit/s). */
  bandwidthBytesPerMs: z.number().positive().default(1250),
  /** Seed. Default 1. */
  seed: z.number().int().default(1),
}).strict();

/** One point: a block size and peer count, propagation measured beside the path model. */
export interface PropagationRow {
  /** Block size (bytes). */
  readonly blockSizeBytes: number;
  /** Outbound peers per node. */
  readonly outboundPeers: number;
  /** Mean degree of the graph (outbound + inbound). */
  readonly meanDegree: number;
  /** Blocks measured. */
  readonly blocks: number;
  /** Median over blocks of the delay until 50 % / 90 % / 95 % of nodes adopted the block (ms). */
  readonly t50Ms: number;
  readonly t90Ms: number;
  readonly t95Ms: number;
  /** Median over blocks of the mean delay over nodes (ms). */
  readonly meanMs: number;
  /**
   * The same quantiles from the path model: shortest paths from the miner where crossing a link
   * costs inv + getdata + block latency, the block's transfer time and the receiver's validation.
   */
  readonly model50Ms: number;
  readonly model90Ms: number;
  readonly model95Ms: number;
}

/**
 * Decker and Wattenhofer (2013, "Information propagation in the Bitcoin network", IEEE P2P): the
 * Bitcoin block propagation they measured, a reference for scale only (their network, client and
 * block sizes differ from any run here).
 */
export const DECKER_WATTENHOFER_2013 = { medianMs: 6_500, meanMs: 12_600 } as const;

/**
 * Propagation time to 50 %, 90 % and 95 % of nodes against block size and outbound peer count
 * (saturated mempool: every block full; T = 600 s so blocks never overlap).
 * @example
 * ```ts
 * propagationRows({ nodes: 200, blockSizesBytes: [1_000_000], peerCounts: [8], blocks: 3 });
 * ```
 */
export function propagationRows(input: unknown = {}): PropagationRow[] {
  const p = parseConfig(PropagationParamsSchema, input, "propagation parameters");
  const rows: PropagationRow[] = [];
  for (const peers of p.peerCounts) {
    for (const size of p.blockSizesBytes) {
      const nw = nakamotoNetwork({
        seed: p.seed,
        nodes: p.nodes,
        outboundPeers: peers,
        blockSizeBytes: size,
        blockIntervalMs: 600_000,
        bandwidthBytesPerMs: p.bandwidthBytesPerMs,
      }, { keepReorgs: false });
      nw.runBlocks(p.blocks);
      const lat = latencyOf(nw);
      const cfg = nw.config;
      const t50: number[] = [], t90: number[] = [], t95: number[] = [], mean: number[] = [];
      const m50: number[] = [], m90: number[] = [], m95: number[] = [];
      for (let b = 1; b < nw.store.size; b++) {
        const pr = nw.propagation(b);
        t50.push(pr.t50Ms);
        t90.push(pr.t90Ms);
        t95.push(pr.t95Ms);
        mean.push(pr.meanMs);
        const s = nw.store.sizeBytes(b);
        const hop = (2 * INV_BYTES + s) / p.bandwidthBytesPerMs + validationDelayMs(cfg, s);
        const miner = nw.ids.indexOf(nw.store.producer(b));
        const d = [...shortestTimes(nw.graph, miner, (u, v) => 3 * lat(u, v) + hop)];
        m50.push(quantile(d, 0.5));
        m90.push(quantile(d, 0.9));
        m95.push(quantile(d, 0.95));
      }
      rows.push({
        blockSizeBytes: size,
        outboundPeers: peers,
        meanDegree: nw.graph.neighbors.length / p.nodes,
        blocks: nw.store.size - 1,
        t50Ms: median(t50),
        t90Ms: median(t90),
        t95Ms: median(t95),
        meanMs: median(mean),
        model50Ms: median(m50),
        model90Ms: median(m90),
        model95Ms: median(m95),
      });
    }
  }
  return rows;
}

/** One-way latency between node u and v of a network (ms). */
function latencyOf(nw: NakamotoNetwork): (u: number, v: number) => number {
  const c = nw.config;
  if (c.latencyModel === "constant") return () => c.latencyMs;
  const m = new Map<string, number>();
  for (const r of c.regionLatencies) {
    m.set(`${r.from}|${r.to}`, r.ms);
    m.set(`${r.to}|${r.from}`, r.ms);
  }
  return (u, v) => m.get(`${nw.regionOf[u]}|${nw.regionOf[v]}`)!;
}

/**
 * Claims on propagation rows: each quantile is at least the path model's (no relay beats the
 * fastest path) and within 1.5× of it (first-inv fetching rarely picks a much slower path);
 * bigger blocks propagate slower; more peers propagate no slower (the path model's own trend,
 * checked on the runs).
 */
export function propagationClaims(rows: readonly PropagationRow[]): Claim[] {
  const out: Claim[] = [];
  const worst = Math.min(...rows.map((r) => r.t90Ms / r.model90Ms));
  const worstHi = Math.max(...rows.map((r) => r.t90Ms / r.model90Ms));
  out.push(claim(
    "no block reaches 90 % of nodes faster than the shortest-path model allows",
    worst >= 1 - 1e-9,
    `min t90 / model90 = ${worst.toFixed(3)}`,
  ));
  out.push(claim(
    "relay by first announcement stays within 1.5× of the shortest-path model (t90)",
    worstHi <= 1.5,
    `max t90 / model90 = ${worstHi.toFixed(3)}`,
  ));
  const peers = [...new Set(rows.map((r) => r.outboundPeers))];
  const sizes = [...new Set(rows.map((r) => r.blockSizeBytes))].sort((a, b) => a - b);
  if (sizes.length < 2) {
    out.push(notApplicable("bigger blocks propagate slower", "only one block size"));
  } else {
    const ok = peers.every((k) => {
      const ts = sizes.map((s) =>
        rows.find((r) => r.outboundPeers === k && r.blockSizeBytes === s)!.t50Ms
      );
      return ts.every((t, i) => i === 0 || t > ts[i - 1]);
    });
    out.push(claim(
      "bigger blocks propagate slower (t50 rises with size at every peer count)",
      ok,
      peers.map((k) =>
        `k=${k}: ` +
        sizes.map((s) =>
          (rows.find((r) => r.outboundPeers === k && r.blockSizeBytes === s)!.t50Ms / 1000)
            .toFixed(2)
        ).join(" → ") + " s"
      ).join("; "),
    ));
  }
  const ks = [...peers].sort((a, b) => a - b);
  if (ks.length < 2) {
    out.push(notApplicable("more peers propagate no slower", "only one peer count"));
  } else {
    // on a small network two peer counts can give the same hop count: no slower everywhere,
    // faster somewhere
    const t90s = sizes.map((s) =>
      ks.map((k) => rows.find((r) => r.outboundPeers === k && r.blockSizeBytes === s)!.t90Ms)
    );
    const ok = t90s.every((ts) => ts[ts.length - 1] <= ts[0]) &&
      t90s.some((ts) => ts[ts.length - 1] < ts[0]);
    out.push(claim(
      `more peers propagate no slower, and faster for some block size (t90 at ` +
        `k=${ks[ks.length - 1]} against k=${ks[0]})`,
      ok,
      sizes.map((s) =>
        `${s / 1000} kB: ` +
        ks.map((k) =>
          (rows.find((r) => r.outboundPeers === k && r.blockSizeBytes === s)!.t90Ms / 1000)
            .toFixed(2)
        ).join(" → ") + " s"
      ).join("; "),
    ));
  }
  return out;
}

// ---- stale rate --------------------------------------------------------------------------------

/** Parameters of {@link staleRows}. */
export const StaleParamsSchema = z.object({
  /** Equal miners on the full mesh (one per node). Default 10. */
  miners: z.number().int().min(2).default(10),
  /** d/T values of the mesh runs. Default 0.01, 0.03, 0.1, 0.2, 0.4. */
  dOverT: z.array(z.number().positive()).min(1).default([0.01, 0.03, 0.1, 0.2, 0.4]),
  /** Block interval T of the mesh runs (ms). Default 10 000. */
  blockIntervalMs: z.number().positive().default(10_000),
  /** Blocks per mesh point. Default 3000. */
  blocks: z.number().int().min(10).default(3000),
  /** Realistic network rows: nodes (0: none). Default 500. */
  realisticNodes: z.number().int().min(0).default(500),
  /** Block intervals of the realistic rows (ms). Default 15 s, 60 s. */
  realisticIntervalsMs: z.array(z.number().positive()).default([15_000, 60_000]),
  /** Blocks per realistic row. Default 150. */
  realisticBlocks: z.number().int().min(10).default(150),
  /** Block size of the realistic rows (bytes). Default 1 MB. */
  realisticBlockSizeBytes: z.number().int().positive().default(1_000_000),
  /** Seed. Default 1. */
  seed: z.number().int().default(1),
}).strict();

/** One stale-rate point. */
export interface StaleRow {
  /** "mesh" (constant delay d, full mesh, N equal miners) or "realistic" (random graph, regions). */
  readonly network: "mesh" | "realistic";
  /** Miners (equal shares). */
  readonly miners: number;
  /** d / T; on the realistic network d is the measured mean adoption delay. */
  readonly dOverT: number;
  /** Blocks mined. */
  readonly blocks: number;
  /** Blocks not on the final main chain. */
  readonly stale: number;
  /** stale / blocks. */
  readonly staleRate: number;
  /** (1 − 1/N)(1 − e^(−d/T)). */
  readonly theory: number;
  /** Binomial standard error of the measured rate. */
  readonly stderr: number;
}

/**
 * Stale rate against d/T: N equal miners on a constant-delay full mesh (push relay, no bandwidth
 * limit, no validation delay, so d is exactly the link delay) against
 * {@link meshStaleRate}; and on the realistic network (random graph, regions, 10 Mbit/s links,
 * validation) with d taken as the measured mean adoption delay.
 */
export function staleRows(input: unknown = {}): StaleRow[] {
  const p = parseConfig(StaleParamsSchema, input, "stale-rate parameters");
  const rows: StaleRow[] = [];
  for (const x of p.dOverT) {
    const nw = nakamotoNetwork({
      seed: p.seed,
      nodes: p.miners,
      topology: "fullMesh",
      latencyModel: "constant",
      latencyMs: x * p.blockIntervalMs,
      bandwidthBytesPerMs: null,
      validationMs: 0,
      validationMsPerMB: 0,
      relay: "push",
      miners: p.miners,
      blockIntervalMs: p.blockIntervalMs,
      blockSizeBytes: 1000,
    }, { keepReorgs: false });
    nw.runBlocks(p.blocks);
    const s = mainChainStats(nw);
    const rate = (s.total - s.main) / s.total;
    rows.push({
      network: "mesh",
      miners: p.miners,
      dOverT: x,
      blocks: s.total,
      stale: s.total - s.main,
      staleRate: rate,
      theory: meshStaleRate(p.miners, x),
      stderr: stderr(rate, s.total),
    });
  }
  if (p.realisticNodes > 0) {
    for (const T of p.realisticIntervalsMs) {
      const nw = nakamotoNetwork({
        seed: p.seed,
        nodes: p.realisticNodes,
        blockIntervalMs: T,
        blockSizeBytes: p.realisticBlockSizeBytes,
      }, { keepReorgs: false });
      nw.runBlocks(p.realisticBlocks);
      const s = mainChainStats(nw);
      const means: number[] = [];
      for (let b = 1; b < nw.store.size; b++) means.push(nw.propagation(b).meanMs);
      const d = means.reduce((a, v) => a + v, 0) / means.length;
      const rate = (s.total - s.main) / s.total;
      const N = nw.config.shares.length;
      rows.push({
        network: "realistic",
        miners: N,
        dOverT: d / T,
        blocks: s.total,
        stale: s.total - s.main,
        staleRate: rate,
        theory: meshStaleRate(N, d / T),
        stderr: stderr(rate, s.total),
      });
    }
  }
  return rows;
}

/**
 * Claims on stale rows: on the mesh, within 3 standard errors + 15 % of the formula for
 * d/T ≤ 0.2 (n/a beyond: second-order races); on the realistic network, within a factor 2 of
 * the formula with d = mean adoption delay (a heuristic: delay there is a distribution, not a
 * constant) when at least 5 stale blocks were seen.
 */
export function staleClaims(rows: readonly StaleRow[]): Claim[] {
  const out: Claim[] = [];
  for (const r of rows) {
    const label = `${r.network} d/T=${r.dOverT.toFixed(3)}`;
    const detail = `measured ${r.staleRate.toFixed(4)} (${r.stale}/${r.blocks}) vs ` +
      `(1−1/N)(1−e^(−d/T)) = ${r.theory.toFixed(4)}`;
    if (r.network === "mesh") {
      const text = `${label}: stale rate matches (1−1/N)(1−e^(−d/T))`;
      if (r.dOverT > 0.2) {
        out.push(notApplicable(text, `d/T > 0.2: second-order races matter (${detail})`));
      } else {
        const tol = 3 * stderr(r.theory, r.blocks) + 0.15 * r.theory;
        out.push(
          claim(text, Math.abs(r.staleRate - r.theory) <= tol, `${detail}, ±${tol.toFixed(4)}`),
        );
      }
    } else {
      const text = `${label}: stale rate within 2× of the formula at d = mean delay`;
      if (r.stale < 5) out.push(notApplicable(text, `fewer than 5 stale blocks (${detail})`));
      else {
        const ratio = r.staleRate / r.theory;
        out.push(claim(text, ratio >= 0.5 && ratio <= 2, `${detail}, ratio ${ratio.toFixed(2)}`));
      }
    }
  }
  return out;
}

// ---- forks and reorgs -------------------------------------------------------------------------

/** Parameters of {@link forkRows}. */
export const ForkParamsSchema = z.object({
  /** Equal miners on the mesh. Default 10. */
  miners: z.number().int().min(2).default(10),
  /** d / T. Default 0.2. */
  dOverT: z.number().positive().default(0.2),
  /** Blocks. Default 3000. */
  blocks: z.number().int().min(10).default(3000),
  /** Seed. Default 1. */
  seed: z.number().int().default(1),
}).strict();

/** One bar of the fork-length or reorg-depth histogram. */
export interface ForkRow {
  /** "fork" (stale branch length off the final main chain) or "reorg" (depth seen by a node). */
  readonly kind: "fork" | "reorg";
  /** Length or depth in blocks. */
  readonly length: number;
  /** How many. */
  readonly count: number;
  /** count / total of its kind. */
  readonly fraction: number;
}

/** Fork-length and reorg-depth distributions on the constant-delay mesh. */
export function forkRows(input: unknown = {}): ForkRow[] {
  const p = parseConfig(ForkParamsSchema, input, "fork parameters");
  const T = 10_000;
  const nw = nakamotoNetwork({
    seed: p.seed,
    nodes: p.miners,
    topology: "fullMesh",
    latencyModel: "constant",
    latencyMs: p.dOverT * T,
    bandwidthBytesPerMs: null,
    validationMs: 0,
    validationMsPerMB: 0,
    relay: "push",
    miners: p.miners,
    blockIntervalMs: T,
    blockSizeBytes: 1000,
  });
  nw.runBlocks(p.blocks);
  const forks = forkLengths(nw);
  const depths = new Map<number, number>();
  for (const r of nw.reorgs) depths.set(r.depth, (depths.get(r.depth) ?? 0) + 1);
  const rows: ForkRow[] = [];
  const push = (kind: "fork" | "reorg", m: Map<number, number>) => {
    const total = [...m.values()].reduce((a, b) => a + b, 0);
    for (const [length, count] of [...m].sort((a, b) => a[0] - b[0])) {
      rows.push({ kind, length, count, fraction: count / total });
    }
  };
  push("fork", forks);
  push("reorg", depths);
  return rows;
}

/** Lengths of the stale branches hanging off node 0's final main chain (longest path in each). */
export function forkLengths(nw: NakamotoNetwork): Map<number, number> {
  const store = nw.store, tip = nw.node(0).view.tip;
  const depthBelow = new Int32Array(store.size); // longest chain of descendants, blocks
  const out = new Map<number, number>();
  for (let b = store.size - 1; b >= 1; b--) {
    const p = store.parent(b);
    depthBelow[p] = Math.max(depthBelow[p], depthBelow[b] + 1);
  }
  for (let b = 1; b < store.size; b++) {
    if (store.isAncestor(b, tip)) continue;
    if (!store.isAncestor(store.parent(b), tip)) continue;
    const len = depthBelow[b] + 1;
    out.set(len, (out.get(len) ?? 0) + 1);
  }
  return out;
}

/**
 * Claims on fork rows: forks of length 1 dominate, and the share of forks of length ≥ 2 is at
 * most about the chance that a fork's next block is itself raced, p = (1−1/N)(1−e^(−d/T))
 * (allowing 3 standard errors); every reorg is at most as deep as the longest stale branch.
 */
export function forkClaims(
  params: z.input<typeof ForkParamsSchema>,
  rows: readonly ForkRow[],
): Claim[] {
  const p = ForkParamsSchema.parse(params);
  const forks = rows.filter((r) => r.kind === "fork");
  const total = forks.reduce((a, r) => a + r.count, 0);
  const out: Claim[] = [];
  const text = "forks of length ≥ 2 are rare: their share ≤ p = (1−1/N)(1−e^(−d/T))";
  if (total < 20) out.push(notApplicable(text, `only ${total} forks`));
  else {
    const long = forks.filter((r) => r.length >= 2).reduce((a, r) => a + r.count, 0) / total;
    const prob = meshStaleRate(p.miners, p.dOverT);
    const tol = prob + 3 * stderr(prob, total);
    out.push(
      claim(
        text,
        long <= tol,
        `share ${long.toFixed(4)} of ${total} forks, bound ${tol.toFixed(4)}`,
      ),
    );
  }
  const maxFork = Math.max(0, ...forks.map((r) => r.length));
  const maxReorg = Math.max(0, ...rows.filter((r) => r.kind === "reorg").map((r) => r.length));
  out.push(claim(
    "no reorg is deeper than the longest stale branch",
    maxReorg <= maxFork,
    `deepest reorg ${maxReorg}, longest stale branch ${maxFork}`,
  ));
  return out;
}

// ---- throughput -----------------------------------------------------------------------------------

/** Parameters of {@link throughputRows}. */
export const ThroughputParamsSchema = z.object({
  /** Nodes of the realistic network. Default 300. */
  nodes: z.number().int().min(10).default(300),
  /** Block sizes (bytes). Default 250 kB, 1 MB, 4 MB. */
  blockSizesBytes: z.array(z.number().int().positive()).min(1).default([
    250_000,
    1_000_000,
    4_000_000,
  ]),
  /** Block intervals (ms). Default 15 s, 60 s, 600 s. */
  blockIntervalsMs: z.array(z.number().positive()).min(1).default([15_000, 60_000, 600_000]),
  /** Blocks per point. Default 100. */
  blocks: z.number().int().min(10).default(100),
  /** Seed. Default 1. */
  seed: z.number().int().default(1),
}).strict();

/** One throughput point. */
export interface ThroughputRow {
  /** Block size limit (bytes). */
  readonly blockSizeBytes: number;
  /** Block interval T (ms). */
  readonly blockIntervalMs: number;
  /** Transactions a block holds. */
  readonly capacityTxs: number;
  /** Transactions on the final main chain per second of the run. */
  readonly txPerSec: number;
  /** The nominal capacity, capacityTxs / T (tx/s). */
  readonly nominalTxPerSec: number;
  /** capacityTxs (1 − stale rate) / T: what reaches the main chain. */
  readonly theoryTxPerSec: number;
  /** Stale rate: the security cost (wasted hash power). */
  readonly staleRate: number;
  /** Blocks mined. */
  readonly blocks: number;
}

/**
 * Throughput against block size and interval on the realistic network with a saturated mempool
 * (every block full): measured confirmed tx/s beside capacity·(1 − stale)/T, with the stale rate.
 */
export function throughputRows(input: unknown = {}): ThroughputRow[] {
  const p = parseConfig(ThroughputParamsSchema, input, "throughput parameters");
  const rows: ThroughputRow[] = [];
  for (const T of p.blockIntervalsMs) {
    for (const size of p.blockSizesBytes) {
      const nw = nakamotoNetwork({
        seed: p.seed,
        nodes: p.nodes,
        blockIntervalMs: T,
        blockSizeBytes: size,
      }, { keepReorgs: false });
      nw.runBlocks(p.blocks);
      const s = mainChainStats(nw);
      let last = 0;
      for (let b = 1; b < nw.store.size; b++) last = Math.max(last, nw.store.timeMs(b));
      const cap = blockCapacityTxs(nw.config);
      const stale = (s.total - s.main) / s.total;
      rows.push({
        blockSizeBytes: size,
        blockIntervalMs: T,
        capacityTxs: cap,
        txPerSec: nw.cumTxs(s.tip) / (last / 1000),
        nominalTxPerSec: cap / (T / 1000),
        theoryTxPerSec: cap * (1 - stale) / (T / 1000),
        staleRate: stale,
        blocks: s.total,
      });
    }
  }
  return rows;
}

/**
 * Claims on throughput rows: measured tx/s within 3/√blocks (Poisson spread of the block count)
 * of capacity·(1 − stale)/T; and the security cost: the stale rate at the largest block and
 * shortest interval exceeds the one at the smallest block and longest interval.
 */
export function throughputClaims(rows: readonly ThroughputRow[]): Claim[] {
  const out: Claim[] = [];
  const worst = rows.map((r) => ({
    r,
    err: Math.abs(r.txPerSec / r.theoryTxPerSec - 1),
    tol: 3 / Math.sqrt(r.blocks),
  }));
  const bad = worst.filter((w) => w.err > w.tol);
  out.push(claim(
    "confirmed tx/s = capacity × (1 − stale rate) / T (within 3/√blocks)",
    bad.length === 0,
    bad.length
      ? bad.map((w) =>
        `${w.r.blockSizeBytes / 1000} kB, T=${w.r.blockIntervalMs / 1000} s: ${
          w.r.txPerSec.toFixed(1)
        } vs ${w.r.theoryTxPerSec.toFixed(1)}`
      ).join("; ")
      : `largest deviation ${(Math.max(...worst.map((w) => w.err)) * 100).toFixed(1)} %`,
  ));
  const sizes = rows.map((r) => r.blockSizeBytes), Ts = rows.map((r) => r.blockIntervalMs);
  const hi = rows.find((r) =>
    r.blockSizeBytes === Math.max(...sizes) && r.blockIntervalMs === Math.min(...Ts)
  );
  const lo = rows.find((r) =>
    r.blockSizeBytes === Math.min(...sizes) && r.blockIntervalMs === Math.max(...Ts)
  );
  const text = "pushing throughput costs security: stale rate rises with size/T";
  if (!hi || !lo || hi === lo) out.push(notApplicable(text, "needs two sizes or intervals"));
  else {
    out.push(claim(
      text,
      hi.staleRate > lo.staleRate,
      `stale ${(lo.staleRate * 100).toFixed(2)} % at ${lo.blockSizeBytes / 1000} kB/${
        lo.blockIntervalMs / 1000
      } s → ${(hi.staleRate * 100).toFixed(2)} % at ${hi.blockSizeBytes / 1000} kB/${
        hi.blockIntervalMs / 1000
      } s`,
    ));
  }
  return out;
}

// ---- finality under partition ---------------------------------------------------------------------

/** Parameters of {@link partitionRows}: one partition schedule for both protocols. */
export const PartitionParamsSchema = z.object({
  /** Partition starts (ms). Default 60 000. */
  partitionAtMs: z.number().positive().default(60_000),
  /** Partition heals (ms). Default 240 000. */
  healAtMs: z.number().positive().default(240_000),
  /** End of the run (ms). Default 360 000. */
  endMs: z.number().positive().default(360_000),
  /** Fraction of nodes (and so, roughly, of hash power) on the majority side. Default 0.6. */
  majorityFraction: z.number().gt(0.5).lt(1).default(0.6),
  /** Nakamoto nodes. Default 200. */
  nakamotoNodes: z.number().int().min(4).default(200),
  /** Nakamoto block interval (ms). Default 10 000. */
  blockIntervalMs: z.number().positive().default(10_000),
  /** Nakamoto transaction rate (tx/s). Default 50. */
  txRatePerSec: z.number().positive().default(50),
  /** Tendermint validators. Default 4. */
  validators: z.number().int().min(4).default(4),
  /** One-way delay of the Tendermint network (ms). Default 50. */
  tendermintLatencyMs: z.number().positive().default(50),
  /** Seed. Default 1. */
  seed: z.number().int().default(1),
}).strict().refine((p) => p.partitionAtMs < p.healAtMs && p.healAtMs < p.endMs, {
  message: "needs partitionAtMs < healAtMs < endMs",
  path: ["healAtMs"],
});

/** One protocol and one side of the partition. */
export interface PartitionRow {
  /** "nakamoto" or "tendermint". */
  readonly protocol: "nakamoto" | "tendermint";
  /** "majority" or "minority". */
  readonly side: "majority" | "minority";
  /** Nodes on this side. */
  readonly nodes: number;
  /** Hash share on this side (Nakamoto) or voting share (Tendermint). */
  readonly share: number;
  /** Blocks produced (Nakamoto) or heights decided (Tendermint) on this side during the partition. */
  readonly producedDuringPartition: number;
  /** Deepest reorg a node of this side went through after the heal (0: none). */
  readonly maxReorgDepth: number;
  /** Most transactions one node of this side saw reverted to pending after the heal. */
  readonly txsReverted: number;
  /** Decided heights whose value changed (Tendermint: always 0; Nakamoto: n/a, 0). */
  readonly decisionsChanged: number;
}

/**
 * Nakamoto and Tendermint on the same partition schedule (majority | minority, then heal).
 * Nakamoto keeps producing on both sides and the minority reorganises after the heal; Tendermint
 * halts on the minority side (no 2f + 1 there) and never changes a decided height.
 */
export function partitionRows(input: unknown = {}): PartitionRow[] {
  const p = parseConfig(PartitionParamsSchema, input, "partition parameters");
  const rows: PartitionRow[] = [];
  // Nakamoto
  const nw = nakamotoNetwork({
    seed: p.seed,
    nodes: p.nakamotoNodes,
    blockIntervalMs: p.blockIntervalMs,
    blockSizeBytes: 100_000,
    txRatePerSec: p.txRatePerSec,
  }, { keepReorgs: false });
  const nMaj = Math.round(p.majorityFraction * p.nakamotoNodes);
  const majority = nw.ids.slice(0, nMaj), minority = nw.ids.slice(nMaj);
  const sideOf = (i: number) => (i < nMaj ? 0 : 1);
  const share = [0, 0];
  nw.miners.forEach((m, k) => share[sideOf(m)] += nw.config.shares[k]);
  const produced = [0, 0], depth = [0, 0], reverted = [0, 0];
  nw.onReorg((r) => {
    if (r.t < p.healAtMs) return;
    const s = sideOf(r.node);
    depth[s] = Math.max(depth[s], r.depth);
    reverted[s] = Math.max(reverted[s], r.txsReverted);
  });
  nw.sim.at(p.partitionAtMs, () => nw.net.partition([majority, minority]));
  nw.sim.at(p.healAtMs, () => {
    nw.net.heal();
    for (let i = 0; i < nw.ids.length; i++) nw.node(i).announceTip();
  });
  nw.startMining();
  nw.sim.run({ untilMs: p.endMs });
  nw.stopMining();
  nw.sim.run({ untilMs: p.endMs + 60_000 });
  for (let b = 1; b < nw.store.size; b++) {
    const t = nw.store.timeMs(b);
    if (t >= p.partitionAtMs && t < p.healAtMs) {
      produced[sideOf(nw.ids.indexOf(nw.store.producer(b)))]++;
    }
  }
  for (const s of [0, 1]) {
    rows.push({
      protocol: "nakamoto",
      side: s === 0 ? "majority" : "minority",
      nodes: s === 0 ? majority.length : minority.length,
      share: share[s],
      producedDuringPartition: produced[s],
      maxReorgDepth: depth[s],
      txsReverted: reverted[s],
      decisionsChanged: 0,
    });
  }
  // Tendermint on the same schedule
  const n = p.validators;
  const quorum = 2 * Math.floor((n - 1) / 3) + 1;
  const ids = Array.from({ length: n }, (_, i) => `n${i}`);
  const tmMajority = ids.slice(
    0,
    Math.min(n - 1, Math.max(quorum, Math.round(p.majorityFraction * n))),
  );
  const tmMinority = ids.slice(tmMajority.length);
  const c = tendermintCluster({
    seed: p.seed,
    n,
    network: { latency: { kind: "constant", ms: p.tendermintLatencyMs } },
    nemesis: [
      { atMs: p.partitionAtMs, type: "partition", groups: [tmMajority, tmMinority] },
      { atMs: p.healAtMs, type: "heal" },
    ],
    tendermint: { timeoutCommitMs: 1000 },
    trace: { mode: "off" },
    collectEvents: false,
  });
  const decidedBy = new Map<string, Map<number, string>>();
  const during = [new Set<number>(), new Set<number>()];
  let changed = 0;
  c.sim.onEvent((e) => {
    if (e.event.type !== "bft-decide") return;
    const ev = e.event as unknown as { slot: number; digest: string };
    let m = decidedBy.get(e.node);
    if (!m) decidedBy.set(e.node, m = new Map());
    const before = m.get(ev.slot);
    if (before !== undefined && before !== ev.digest) changed++;
    m.set(ev.slot, ev.digest);
    if (e.t >= p.partitionAtMs && e.t < p.healAtMs) {
      during[tmMajority.includes(e.node) ? 0 : 1].add(ev.slot);
    }
  });
  c.sim.run({ untilMs: p.endMs });
  for (const s of [0, 1]) {
    const side = s === 0 ? tmMajority : tmMinority;
    rows.push({
      protocol: "tendermint",
      side: s === 0 ? "majority" : "minority",
      nodes: side.length,
      share: side.length / n,
      producedDuringPartition: during[s].size,
      maxReorgDepth: 0,
      txsReverted: 0,
      decisionsChanged: changed,
    });
  }
  return rows;
}

/**
 * Claims on partition rows (CAP as blockchains meet it): Nakamoto produces on both sides (n/a
 * when a side has no hash power) and the minority reorganises after the heal by at least the
 * blocks it made alone; Tendermint's minority (below 2/3 of the votes) decides nothing during the
 * partition, its majority keeps deciding, and no decided height ever changes.
 */
export function partitionClaims(rows: readonly PartitionRow[]): Claim[] {
  const out: Claim[] = [];
  const get = (proto: string, side: string) =>
    rows.find((r) => r.protocol === proto && r.side === side)!;
  const nMaj = get("nakamoto", "majority"), nMin = get("nakamoto", "minority");
  const both = "Nakamoto keeps producing blocks on both sides of the partition";
  if (nMin.share === 0 || nMaj.share === 0) {
    out.push(notApplicable(both, "a side has no hash power"));
  } else {
    out.push(claim(
      both,
      nMaj.producedDuringPartition > 0 && nMin.producedDuringPartition > 0,
      `majority ${nMaj.producedDuringPartition}, minority ${nMin.producedDuringPartition} blocks`,
    ));
  }
  // The side whose branch is shorter at the heal loses it, whichever side that is: the minority
  // has less hash power, but over a short partition it can still mine more blocks by luck.
  const reorg =
    "after the heal the side that mined fewer blocks alone reorganises at least as deep as those blocks";
  const [loser, winner] = nMin.producedDuringPartition <= nMaj.producedDuringPartition
    ? [nMin, nMaj]
    : [nMaj, nMin];
  if (loser.producedDuringPartition === 0) {
    out.push(notApplicable(reorg, `the ${loser.side} made no block`));
  } else if (loser.producedDuringPartition === winner.producedDuringPartition) {
    out.push(notApplicable(reorg, "both sides mined as many blocks: the tie-break decides"));
  } else {
    out.push(claim(
      reorg,
      loser.maxReorgDepth >= loser.producedDuringPartition,
      `${loser.side}: depth ${loser.maxReorgDepth} ≥ ${loser.producedDuringPartition} blocks; ${loser.txsReverted} txs back to pending`,
    ));
  }
  const tMaj = get("tendermint", "majority"), tMin = get("tendermint", "minority");
  out.push(claim(
    "Tendermint halts on the minority side and keeps deciding on the majority side",
    tMin.producedDuringPartition === 0 && tMaj.producedDuringPartition > 0,
    `majority decided ${tMaj.producedDuringPartition} heights, minority ${tMin.producedDuringPartition}`,
  ));
  out.push(claim(
    "Tendermint never changes a decided height (nothing reverted)",
    tMaj.decisionsChanged === 0 && tMin.decisionsChanged === 0 && tMin.maxReorgDepth === 0,
    `${tMaj.decisionsChanged} decided heights changed`,
  ));
  return out;
}

// ---- scale -------------------------------------------------------------------------------------

/** Parameters of {@link chainScaleRun}. */
export const ScaleParamsSchema = z.object({
  /** Nodes. Default 10 000. */
  nodes: z.number().int().min(10).default(10_000),
  /** Blocks to mine. Default 1000. */
  blocks: z.number().int().min(1).default(1000),
  /** Outbound peers. Default 8. */
  outboundPeers: z.number().int().min(1).default(8),
  /** Block size (bytes). Default 1 MB. */
  blockSizeBytes: z.number().int().positive().default(1_000_000),
  /** Block interval (ms). Default 600 000. */
  blockIntervalMs: z.number().positive().default(600_000),
  /** Seed. Default 1. */
  seed: z.number().int().default(1),
  /**
   * Block relay: "compact" (BIP 152 high-bandwidth compact blocks with headers announcements;
   * messages that could change nothing are charged to the links but not delivered, see
   * `NakamotoConfigSchema.relay`) or "inv" (inv → getdata → full block, every message delivered:
   * about 11 deliveries a node a block, several times slower). Default "compact".
   */
  relay: z.enum(["compact", "inv"]).default("compact"),
}).strict();

/** What a scale run reports (wall time and memory are measured by the caller). */
export interface ScaleResult {
  /** Nodes. */
  readonly nodes: number;
  /** Blocks mined. */
  readonly blocks: number;
  /** Messages delivered. */
  readonly deliveries: number;
  /** Simulator events handled. */
  readonly events: number;
  /** Simulated time (ms). */
  readonly simulatedMs: number;
  /** Stale rate. */
  readonly staleRate: number;
  /** Median over blocks of the delay to 50 % / 95 % of nodes (ms). */
  readonly t50Ms: number;
  readonly t95Ms: number;
  /** Every node ends on the same tip. */
  readonly converged: boolean;
  /** Mean bytes of a node's view arrays (known set and fork-choice state). */
  readonly viewBytesPerNode: number;
  /** Bytes of the shared block store's arrays. */
  readonly storeBytes: number;
  /** The relay mode used. */
  readonly relay: "compact" | "inv";
  /** Messages charged to links but not delivered (compact relay; 0 with inv). */
  readonly elided: number;
}

/**
 * A big Nakamoto run with tracing off (10,000 nodes, 1,000 blocks by default). Returns simulated
 * figures; a notebook or bench times the call and measures memory around it.
 * @example
 * ```ts
 * const t0 = performance.now(); // in a notebook or bench, not in lib/
 * const r = chainScaleRun({ nodes: 10_000, blocks: 1000 });
 * ```
 */
export function chainScaleRun(input: unknown = {}): ScaleResult & { network: NakamotoNetwork } {
  const p = parseConfig(ScaleParamsSchema, input, "scale parameters");
  const nw = nakamotoNetwork({
    seed: p.seed,
    nodes: p.nodes,
    outboundPeers: p.outboundPeers,
    blockSizeBytes: p.blockSizeBytes,
    blockIntervalMs: p.blockIntervalMs,
    relay: p.relay,
    trace: "off",
  }, { keepReorgs: false });
  nw.runBlocks(p.blocks);
  const s = mainChainStats(nw);
  const t50: number[] = [], t95: number[] = [];
  for (let b = 1; b < nw.store.size; b++) {
    const pr = nw.propagation(b);
    t50.push(pr.t50Ms);
    t95.push(pr.t95Ms);
  }
  let viewBytes = 0, converged = true;
  for (let i = 0; i < p.nodes; i++) {
    const v = nw.node(i).view;
    viewBytes += v.arrayBytes;
    if (v.tip !== s.tip) converged = false;
  }
  return {
    nodes: p.nodes,
    blocks: s.total,
    deliveries: nw.sim.stats.delivered,
    events: nw.sim.eventsHandled,
    simulatedMs: nw.sim.nowMs,
    staleRate: (s.total - s.main) / s.total,
    t50Ms: median(t50),
    t95Ms: median(t95),
    converged,
    viewBytesPerNode: viewBytes / p.nodes,
    storeBytes: nw.store.arrayBytes,
    relay: p.relay,
    elided: nw.elided.messages,
    network: nw,
  };
}
