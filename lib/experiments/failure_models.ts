/**
 * Experiments of notebook 06 (failure models): the failure detector's trade-off between
 * detection time and mistakes, phi-accrual against a fixed timeout on heterogeneous links, gossip
 * under a partition, and a paused leader that returns believing it is still in charge.
 * Each function takes parsed parameters and returns plain rows; the notebook plots and checks them.
 * @module
 */
import { z } from "zod";
import { mean, quantile } from "d3-array";
import { parseConfig } from "../sim/errors.ts";
import { type Claim, claim } from "./claims.ts";
import type { NodeId, TraceRecord } from "../sim/types.ts";
import { createCluster } from "../net/cluster.ts";
import type { FaultWindow } from "../net/nemesis.ts";
import type { NetworkConfigInput } from "../net/network.ts";
import type { FaultInput } from "../net/nemesis.ts";
import {
  DetectorLeaderNode,
  detectorQuality,
  type DownInterval,
  type HeartbeatConfigInput,
  type HeartbeatMessage,
  HeartbeatNode,
} from "../protocols/heartbeat/mod.ts";
import { type GossipMessage, GossipNode } from "../protocols/gossip/mod.ts";

/** Parameters of notebook 06. */
export const FailureModelsParamsSchema = z.object({
  seed: z.number().int().default(1),
  /** Cluster size for the detector experiments. */
  nodes: z.number().int().min(3).max(50).default(5),
  /** Heartbeat period (ms). */
  intervalMs: z.number().positive().default(100),
  /** Fixed timeouts to sweep (ms). */
  timeoutsMs: z.array(z.number().positive()).min(2).default([150, 200, 300, 400, 600, 800]),
  /** Loss ratios to sweep. */
  lossRatios: z.array(z.number().min(0).max(0.9)).min(1).default([0, 0.05, 0.1, 0.2]),
  /** Phi thresholds to sweep. */
  phiThresholds: z.array(z.number().positive()).min(2).default([1, 2, 4, 8, 12, 16]),
  /** Simulated time per detector run (ms). */
  runMs: z.number().min(10_000).default(60_000),
  /** Period between crashes in the rolling-crash nemesis, and how long each node stays down. */
  crashPeriodMs: z.number().positive().default(6000),
  crashDownMs: z.number().positive().default(3000),
  /** Gossip experiment: nodes, round length, when the partition heals. */
  gossipNodes: z.number().int().min(4).max(2048).default(32),
  gossipRoundMs: z.number().positive().default(100),
  gossipHealMs: z.number().positive().default(3000),
  /** Paused-leader experiment: when the leader pauses and for how long. */
  pauseAtMs: z.number().positive().default(3000),
  pauseMs: z.number().positive().default(2000),
}).strict();

/** Parameters as written (every field optional). */
export type FailureModelsParamsInput = z.input<typeof FailureModelsParamsSchema>;
/** Parameters with defaults. */
export type FailureModelsParams = z.output<typeof FailureModelsParamsSchema>;

/** Parse notebook parameters (a ConfigError names any bad field). */
export function parseFailureModelsParams(input: unknown): FailureModelsParams {
  return parseConfig(FailureModelsParamsSchema, input, "failure-models parameters");
}

/** One detector configuration's score. */
export interface DetectorRow {
  readonly detector: "fixed" | "phi";
  /** Timeout (fixed) or phi threshold. */
  readonly setting: number;
  readonly lossRatio: number;
  readonly detectionMsMean: number;
  readonly detectionMsP99: number;
  readonly missed: number;
  readonly falseSuspicions: number;
  readonly falseSuspicionsPerPairMinute: number;
  /** Theory for the fixed detector: see {@link predictedFalseSuspicions}. */
  readonly predictedFalsePerPairMinute: number;
}

function downIntervals(schedule: readonly FaultInput[], endMs: number): DownInterval[] {
  const open = new Map<NodeId, number>();
  const out: DownInterval[] = [];
  for (const f of [...schedule].sort((a, b) => a.atMs - b.atMs)) {
    if (f.type === "crash") open.set(f.node, f.atMs);
    if (f.type === "restart" && open.has(f.node)) {
      out.push({ node: f.node, fromMs: open.get(f.node)!, toMs: f.atMs });
      open.delete(f.node);
    }
  }
  for (const [node, fromMs] of open) out.push({ node, fromMs, toMs: endMs });
  return out;
}

function runDetector(
  p: FailureModelsParams,
  detector: HeartbeatConfigInput,
  network: NetworkConfigInput,
): ReturnType<typeof detectorQuality> {
  const c = createCluster<HeartbeatMessage>({
    seed: p.seed,
    nodes: p.nodes,
    factory: (ctx) => new HeartbeatNode(ctx, detector),
    network,
    nemesis: {
      generator: "rollingCrashes",
      startMs: 2000,
      endMs: p.runMs - p.crashDownMs,
      periodMs: p.crashPeriodMs,
      downMs: p.crashDownMs,
      // crash at a random phase of the heartbeat cycle, as real crashes do
      jitterMs: p.intervalMs,
    },
    trace: { mode: "off" },
  });
  c.sim.run({ untilMs: p.runMs });
  return detectorQuality(c.sim.events, downIntervals(c.schedule, p.runMs), {
    monitors: c.nodes,
    runMs: p.runMs,
  });
}

function row(
  detector: "fixed" | "phi",
  setting: number,
  lossRatio: number,
  q: ReturnType<typeof detectorQuality>,
  predicted: number,
): DetectorRow {
  const ds = q.detectionsMs.map((d) => d.ms);
  return {
    detector,
    setting,
    lossRatio,
    detectionMsMean: mean(ds) ?? NaN,
    detectionMsP99: quantile(ds, 0.99) ?? NaN,
    missed: q.missed,
    falseSuspicions: q.falseSuspicions,
    falseSuspicionsPerPairMinute: q.falseSuspicionsPerPairMinute,
    predictedFalsePerPairMinute: predicted,
  };
}

/** Latency of the trade-off sweep's network (ms): normal, mean 10, standard deviation 5. */
export const SWEEP_LATENCY = { meanMs: 10, stdMs: 5 } as const;

/** The standard normal's upper tail P(Z > z). */
function normalTail(z: number): number {
  // Abramowitz & Stegun 26.2.17
  const t = 1 / (1 + 0.2316419 * Math.abs(z));
  const d = 0.3989422804014327 * Math.exp(-z * z / 2);
  const p = d * t *
    (0.31938153 + t * (-0.356563782 + t * (1.781477937 + t * (-1.821255978 + t * 1.330274429))));
  return z >= 0 ? p : 1 - p;
}

/**
 * The simple theory of a fixed-timeout detector's mistakes on a lossy link. A false suspicion
 * needs the gap between two received heartbeats to exceed the timeout. After m consecutive losses
 * the gap is (m + 1)·interval plus the difference of two latencies (normal, σ√2), so with
 * m = ⌈timeout / interval⌉ − 1 losses a mistake happens with probability
 * P(N(0, σ√2) > timeout − (m + 1)·interval). Per monitored pair per minute:
 * heartbeats per minute × (1 − p) · p^m × that probability. It ignores the detector's check
 * period and rarer longer loss runs, so it is an estimate, not a bound.
 */
export function predictedFalseSuspicions(
  timeoutMs: number,
  intervalMs: number,
  lossRatio: number,
  latencyStdMs: number,
): number {
  const m = Math.max(0, Math.ceil(timeoutMs / intervalMs) - 1);
  const slack = timeoutMs - (m + 1) * intervalMs; // <= 0
  const pOver = latencyStdMs > 0
    ? normalTail(slack / (latencyStdMs * Math.SQRT2))
    : (slack < 0 ? 1 : 0);
  return (60_000 / intervalMs) * (1 - lossRatio) * lossRatio ** m * pOver;
}

/** The network of the trade-off sweep: normal latency 10 ± 5 ms and the given loss. */
export function sweepNetwork(lossRatio: number): NetworkConfigInput {
  return { latency: { kind: "normal", ...SWEEP_LATENCY }, lossRatio };
}

/**
 * Fixed-timeout detector over timeouts × loss ratios, under rolling crashes: detection time and
 * false suspicions per monitored pair per minute, with the simple theory for the latter.
 */
export function detectorTradeoff(p: FailureModelsParams): DetectorRow[] {
  const rows: DetectorRow[] = [];
  for (const loss of p.lossRatios) {
    for (const timeoutMs of p.timeoutsMs) {
      const q = runDetector(
        p,
        { detector: "fixed", intervalMs: p.intervalMs, timeoutMs },
        sweepNetwork(loss),
      );
      const predicted = predictedFalseSuspicions(
        timeoutMs,
        p.intervalMs,
        loss,
        SWEEP_LATENCY.stdMs,
      );
      rows.push(row("fixed", timeoutMs, loss, q, predicted));
    }
  }
  return rows;
}

/** Two regions: a fast, steady local link and a slow, jittery long-haul link. */
export function twoRegionNetwork(nodes: readonly NodeId[], lossRatio: number): NetworkConfigInput {
  const half = Math.ceil(nodes.length / 2);
  return {
    latency: { kind: "normal", meanMs: 2, stdMs: 0.5 },
    lossRatio,
    regions: {
      of: Object.fromEntries(nodes.map((id, i) => [id, i < half ? "eu" : "us"])),
      latency: [{ from: "eu", to: "us", latency: { kind: "lognormal", mu: 4, sigma: 0.35 } }],
    },
  };
}

/** Detection time split by link kind (same region vs across regions). */
export interface PhiVsFixedRow {
  readonly detector: "fixed" | "phi";
  readonly setting: number;
  readonly link: "local" | "long-haul";
  readonly detectionMsMean: number;
  readonly detections: number;
  readonly falseSuspicionsPerPairMinute: number;
}

/**
 * Phi-accrual against a fixed timeout on the same seeds and crash schedule, over two regions.
 * Theory: phi learns each link's inter-arrival distribution, so it suspects sooner on the steady
 * local link than on the jittery long-haul one; a fixed timeout waits the same on both.
 */
export function phiVsFixed(
  p: FailureModelsParams,
  options: { fixedTimeoutMs?: number; phiThreshold?: number; lossRatio?: number } = {},
): PhiVsFixedRow[] {
  const ids = Array.from({ length: p.nodes }, (_, i) => `n${i}`);
  const half = Math.ceil(ids.length / 2);
  const region = (id: NodeId) => (ids.indexOf(id) < half ? "eu" : "us");
  const net = twoRegionNetwork(ids, options.lossRatio ?? 0);
  const out: PhiVsFixedRow[] = [];
  const configs: [("fixed" | "phi"), number, HeartbeatConfigInput][] = [
    ["fixed", options.fixedTimeoutMs ?? 400, {
      detector: "fixed",
      intervalMs: p.intervalMs,
      timeoutMs: options.fixedTimeoutMs ?? 400,
    }],
    ["phi", options.phiThreshold ?? 8, {
      detector: "phi",
      intervalMs: p.intervalMs,
      phiThreshold: options.phiThreshold ?? 8,
      minStdMs: 5,
    }],
  ];
  for (const [detector, setting, cfg] of configs) {
    const q = runDetector(p, cfg, net);
    for (const link of ["local", "long-haul"] as const) {
      const ds = q.detectionsMs.filter((d) =>
        (region(d.monitor) === region(d.peer)) === (link === "local")
      ).map((d) => d.ms);
      out.push({
        detector,
        setting,
        link,
        detectionMsMean: mean(ds) ?? NaN,
        detections: ds.length,
        falseSuspicionsPerPairMinute: q.falseSuspicionsPerPairMinute,
      });
    }
  }
  return out;
}

/** The trade-off curves of both detectors on the two-region network (for one chart). */
export function tradeoffCurves(p: FailureModelsParams, lossRatio = 0.05): DetectorRow[] {
  const ids = Array.from({ length: p.nodes }, (_, i) => `n${i}`);
  const net = twoRegionNetwork(ids, lossRatio);
  const rows: DetectorRow[] = [];
  for (const timeoutMs of p.timeoutsMs) {
    const q = runDetector(p, { detector: "fixed", intervalMs: p.intervalMs, timeoutMs }, net);
    rows.push(row("fixed", timeoutMs, lossRatio, q, NaN));
  }
  for (const phiThreshold of p.phiThresholds) {
    const q = runDetector(
      p,
      { detector: "phi", intervalMs: p.intervalMs, phiThreshold, minStdMs: 5 },
      net,
    );
    rows.push(row("phi", phiThreshold, lossRatio, q, NaN));
  }
  return rows;
}

/** When each node learned the rumor. */
export interface GossipRow {
  readonly node: NodeId;
  readonly side: "origin side" | "far side";
  /** NaN when the node never learned it. */
  readonly learnedAtMs: number;
  readonly round: number;
  readonly hops: number;
}

/** Push-pull gossip from n0 while the cluster is split in halves until `gossipHealMs`. */
export function gossipUnderPartition(
  p: FailureModelsParams,
): { rows: GossipRow[]; faults: FaultWindow[]; healMs: number } {
  const ids = Array.from({ length: p.gossipNodes }, (_, i) => `n${i}`);
  const half = ids.length / 2;
  const near = ids.slice(0, half), far = ids.slice(half);
  const c = createCluster<GossipMessage>({
    seed: p.seed,
    nodes: ids,
    factory: (ctx) =>
      new GossipNode(ctx, { mode: "pushPull", roundMs: p.gossipRoundMs, rumorLifetimeRounds: 200 }),
    network: { latency: { kind: "uniform", minMs: 1, maxMs: 20 } },
    nemesis: [
      { atMs: 0, type: "partition", groups: [near, far] },
      { atMs: p.gossipHealMs, type: "heal" },
    ],
    trace: { mode: "off" },
  });
  c.sim.at(p.gossipRoundMs / 2, () => c.sim.instanceOf<GossipNode>("n0")!.broadcast("rumor"));
  const endMs = p.gossipHealMs + 40 * p.gossipRoundMs;
  c.sim.run({ untilMs: endMs });
  const learned = new Map(
    c.sim.events.filter((e) => e.event.type === "learn").map((e) => [e.node, e]),
  );
  const rows = ids.map((id): GossipRow => {
    const e = learned.get(id);
    return {
      node: id,
      side: near.includes(id) ? "origin side" : "far side",
      learnedAtMs: e ? e.t : NaN,
      round: e ? e.event.round as number : NaN,
      hops: e ? e.event.hops as number : NaN,
    };
  });
  return { rows, faults: c.faultWindows(endMs), healMs: p.gossipHealMs };
}

/** One interval of a node's belief about the leader. */
export interface BeliefRow {
  readonly node: NodeId;
  readonly startMs: number;
  readonly endMs: number;
  /** "leader (self)", "follows n1", "paused". */
  readonly state: string;
}

/** Result of the paused-leader experiment. */
export interface PausedLeaderResult {
  readonly beliefs: BeliefRow[];
  /** Every action a self-believed leader took. */
  readonly acts: { node: NodeId; atMs: number }[];
  /** Actions taken by a node while another node also believed itself leader. */
  readonly conflictingActs: { node: NodeId; atMs: number; otherLeaders: NodeId[] }[];
  readonly faults: FaultWindow[];
  readonly endMs: number;
  /** The full trace of the run (3 nodes, a few seconds: small). */
  readonly trace: readonly TraceRecord[];
}

/**
 * n0 leads (smallest id); at `pauseAtMs` it stops for `pauseMs` (a GC pause) — longer than the
 * detector timeout — so the others elect n1. When n0 resumes it still believes it leads and acts
 * at once, from its backlog, while n1 also leads: split brain, with no crash and no partition.
 */
export function pausedLeader(p: FailureModelsParams): PausedLeaderResult {
  const endMs = p.pauseAtMs + p.pauseMs + 2000;
  const c = createCluster<HeartbeatMessage>({
    seed: p.seed,
    nodes: 3,
    factory: (ctx) =>
      new DetectorLeaderNode(ctx, {
        detector: { detector: "fixed", intervalMs: p.intervalMs, timeoutMs: 5 * p.intervalMs },
        actIntervalMs: 50,
      }),
    network: { latency: { kind: "uniform", minMs: 5, maxMs: 15 } },
    nemesis: [{ atMs: p.pauseAtMs, type: "pause", node: "n0", durationMs: p.pauseMs }],
    trace: { mode: "full" },
  });
  const believes = new Map<NodeId, NodeId>();
  const conflicting: PausedLeaderResult["conflictingActs"] = [];
  const acts: PausedLeaderResult["acts"] = [];
  const beliefs: BeliefRow[] = [];
  const since = new Map<NodeId, { startMs: number; state: string }>();
  const setState = (node: NodeId, state: string, t: number) => {
    const cur = since.get(node);
    if (cur && cur.state === state) return;
    if (cur && t > cur.startMs) {
      beliefs.push({ node, startMs: cur.startMs, endMs: t, state: cur.state });
    }
    since.set(node, { startMs: t, state });
  };
  const pausedUntil = p.pauseAtMs + p.pauseMs;
  c.sim.onEvent((e) => {
    if (e.event.type === "leader") {
      const leader = e.event.leader as NodeId;
      believes.set(e.node, leader);
      setState(e.node, leader === e.node ? "leader (self)" : `follows ${leader}`, e.t);
    }
    if (e.event.type === "act") {
      acts.push({ node: e.node, atMs: e.t });
      // another running node (a paused one acts on nothing) that believes itself leader
      const others = [...believes].filter(([n, l]) =>
        n !== e.node && l === n && !c.sim.node(n).paused
      ).map(([n]) => n);
      if (others.length) conflicting.push({ node: e.node, atMs: e.t, otherLeaders: others });
    }
  });
  c.sim.at(p.pauseAtMs, () => setState("n0", "paused", p.pauseAtMs));
  c.sim.at(pausedUntil, () => {
    const l = believes.get("n0");
    setState("n0", l === "n0" ? "leader (self)" : `follows ${l}`, pausedUntil);
  });
  c.sim.run({ untilMs: endMs });
  for (const [node, s] of since) beliefs.push({ node, startMs: s.startMs, endMs, state: s.state });
  beliefs.sort((a, b) => a.node.localeCompare(b.node) || a.startMs - b.startMs);
  return {
    beliefs,
    acts,
    conflictingActs: conflicting,
    faults: c.faultWindows(endMs),
    endMs,
    trace: c.sim.trace.records,
  };
}

// ---- predictions ------------------------------------------------------------------------------

const f0 = (x: number) => x.toFixed(0);
const f2 = (x: number) => x.toFixed(2);

/** The fixed detector's trade-off, as theory predicts it. */
export function checkDetectorTradeoff(
  rows: readonly DetectorRow[],
  p: FailureModelsParams,
): Claim[] {
  const byLoss = new Map<number, DetectorRow[]>();
  for (const r of rows) {
    const l = byLoss.get(r.lossRatio) ?? [];
    l.push(r);
    byLoss.set(r.lossRatio, l);
  }
  const claims: Claim[] = [];
  for (const [loss, rs] of byLoss) {
    const sorted = [...rs].sort((a, b) => a.setting - b.setting);
    const det = sorted.map((r) => r.detectionMsMean);
    claims.push(claim(
      `loss ${loss}: detection time grows with the timeout`,
      det.every((d, i) => i === 0 || d > det[i - 1]),
      det.map(f0).join(" < ") + " ms",
    ));
    const fs = sorted.map((r) => r.falseSuspicionsPerPairMinute);
    claims.push(claim(
      `loss ${loss}: false suspicions do not grow with the timeout`,
      fs.every((x, i) => i === 0 || x <= fs[i - 1]),
      fs.map(f2).join(" ≥ ") + " per pair-minute",
    ));
  }
  const within = rows.filter((r) =>
    r.detectionMsMean >= r.setting - p.intervalMs &&
    r.detectionMsMean <= r.setting + SWEEP_LATENCY.meanMs + 3 * SWEEP_LATENCY.stdMs
  );
  claims.push(claim(
    "mean detection time lies between timeout − interval and timeout + latency (+3σ)",
    within.length === rows.length,
    `${within.length} of ${rows.length} settings`,
  ));
  const lossless = rows.filter((r) =>
    r.lossRatio === 0 && r.setting > p.intervalMs + 6 * SWEEP_LATENCY.stdMs
  );
  claims.push(claim(
    "without loss, a timeout above interval + jitter never suspects a live node",
    lossless.every((r) => r.falseSuspicions === 0),
    lossless.map((r) => `${r.setting} ms: ${r.falseSuspicions}`).join(", ") || "no such setting",
  ));
  // Counts are Poisson-like: compare totals (hundreds of events), and per timeout only where
  // mistakes are frequent enough (>= 20 at every loss > 0) for noise not to decide the order.
  const losses = [...byLoss.keys()].sort((a, b) => a - b);
  const totals = losses.map((l) => byLoss.get(l)!.reduce((a, r) => a + r.falseSuspicions, 0));
  claims.push(claim(
    "more loss, more false suspicions (summed over all timeouts)",
    totals.every((x, i) => i === 0 || x > totals[i - 1]),
    losses.map((l, i) => `p=${l}: ${totals[i]}`).join(" < "),
  ));
  const frequent = [...new Set(rows.map((r) => r.setting))].filter((t) =>
    rows.filter((r) => r.setting === t && r.lossRatio > 0).every((r) => r.falseSuspicions >= 20)
  );
  const ordered = frequent.filter((t) => {
    const xs = rows.filter((r) => r.setting === t).sort((a, b) => a.lossRatio - b.lossRatio)
      .map((r) => r.falseSuspicions);
    return xs.every((x, i) => i === 0 || x > xs[i - 1]);
  });
  claims.push(claim(
    "where mistakes are frequent, more loss gives more of them at the same timeout",
    frequent.length > 0 && ordered.length === frequent.length,
    `${ordered.length} of ${frequent.length} timeouts (${frequent.join(", ")} ms)`,
  ));
  const testable = rows.filter((r) => r.predictedFalsePerPairMinute >= 1);
  const close = testable.filter((r) => {
    const ratio = r.falseSuspicionsPerPairMinute / r.predictedFalsePerPairMinute;
    return ratio > 1 / 3 && ratio < 3;
  });
  claims.push(claim(
    "the loss-run theory predicts the mistake rate within a factor of 3 (where it predicts ≥ 1/min)",
    testable.length > 0 && close.length === testable.length,
    testable.map((r) =>
      `${r.setting} ms, p=${r.lossRatio}: ${f2(r.falseSuspicionsPerPairMinute)} vs ${
        f2(r.predictedFalsePerPairMinute)
      }`
    ).join("; "),
  ));
  return claims;
}

/** Phi adapts to each link; a fixed timeout does not. */
export function checkPhiVsFixed(rows: readonly PhiVsFixedRow[]): Claim[] {
  const get = (d: string, l: string) => rows.find((r) => r.detector === d && r.link === l)!;
  const pl = get("phi", "local"), ph = get("phi", "long-haul");
  const fl = get("fixed", "local"), fh = get("fixed", "long-haul");
  return [
    claim(
      "phi suspects a crashed peer much sooner over the steady local link than over the jittery one",
      pl.detectionMsMean < 0.6 * ph.detectionMsMean,
      `${f0(pl.detectionMsMean)} vs ${f0(ph.detectionMsMean)} ms`,
    ),
    claim(
      "a fixed timeout waits about as long on both links (they differ by the latency gap only)",
      Math.abs(fh.detectionMsMean - fl.detectionMsMean) < 100,
      `${f0(fl.detectionMsMean)} vs ${f0(fh.detectionMsMean)} ms`,
    ),
    claim(
      "on the local link phi detects faster than the fixed timeout",
      pl.detectionMsMean < fl.detectionMsMean,
      `${f0(pl.detectionMsMean)} vs ${f0(fl.detectionMsMean)} ms`,
    ),
  ];
}

/** Gossip cannot cross a partition; healing lets it through. */
export function checkGossipUnderPartition(r: ReturnType<typeof gossipUnderPartition>): Claim[] {
  const near = r.rows.filter((x) => x.side === "origin side");
  const far = r.rows.filter((x) => x.side === "far side");
  return [
    claim(
      "every node on the origin's side learns the rumor before the heal",
      near.every((x) => x.learnedAtMs < r.healMs),
      `${near.filter((x) => x.learnedAtMs < r.healMs).length} of ${near.length}`,
    ),
    claim(
      "no node across the partition learns it before the heal",
      far.every((x) => !(x.learnedAtMs < r.healMs)),
      `earliest far-side learning at ${f0(Math.min(...far.map((x) => x.learnedAtMs)))} ms`,
    ),
    claim(
      "after the heal every node learns it",
      r.rows.every((x) => Number.isFinite(x.learnedAtMs)),
      `${r.rows.filter((x) => Number.isFinite(x.learnedAtMs)).length} of ${r.rows.length}`,
    ),
  ];
}

/** A paused leader acts on a belief that stopped being true while it slept. */
export function checkPausedLeader(r: PausedLeaderResult, p: FailureModelsParams): Claim[] {
  const resumeMs = p.pauseAtMs + p.pauseMs;
  const stale = r.conflictingActs.filter((a) => a.node === "n0");
  const newLeader = r.beliefs.find((b) => b.node === "n1" && b.state === "leader (self)");
  return [
    claim(
      "while n0 is paused the others suspect it and n1 takes over",
      newLeader !== undefined && newLeader.startMs > p.pauseAtMs && newLeader.startMs < resumeMs,
      newLeader ? `n1 leads from ${f0(newLeader.startMs)} ms` : "n1 never leads",
    ),
    claim(
      "on resuming, n0 acts as leader while n1 also leads (split brain)",
      stale.length > 0 && stale[0].atMs === resumeMs,
      stale.length
        ? `n0 acts at ${f0(stale[0].atMs)} ms; also leading: ${stale[0].otherLeaders.join(", ")}`
        : "no conflicting act",
    ),
  ];
}

/** Every prediction of notebook 06 for one parameter set (what tests and sweeps assert). */
export function allFailureModelClaims(p: FailureModelsParams): Claim[] {
  return [
    ...checkDetectorTradeoff(detectorTradeoff(p), p),
    ...checkPhiVsFixed(phiVsFixed(p)),
    ...checkGossipUnderPartition(gossipUnderPartition(p)),
    ...checkPausedLeader(pausedLeader(p), p),
  ];
}
