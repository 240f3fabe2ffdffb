/**
 * PBFT measurements for notebook 03 (Castro and Liskov, OSDI 1999): messages per decision against
 * 2n² − n + 1, latency in network delays δ against 5δ, the cost of a view change after a crashed
 * and a Byzantine primary, and throughput against batch size. Each function takes a zod-validated
 * params object and returns plain rows.
 * @module
 */
import { z } from "zod";
import { parseConfig } from "../sim/errors.ts";
import type { TraceRecord } from "../sim/types.ts";
import { pbftCluster } from "../protocols/pbft/cluster.ts";
import type { PbftClient } from "../protocols/pbft/service.ts";

/** Messages of one decision in the normal case without batching (§4.2 and §4.1). */
export function pbftMessagesTheory(n: number): {
  request: number;
  prePrepare: number;
  prepare: number;
  commit: number;
  reply: number;
  total: number;
} {
  const r = {
    request: 1,
    prePrepare: n - 1,
    prepare: (n - 1) * (n - 1),
    commit: n * (n - 1),
    reply: n,
  };
  return { ...r, total: r.request + r.prePrepare + r.prepare + r.commit + r.reply };
}

/** Parameters of {@link pbftMessagesPerDecision}. */
export const PbftMessagesParams = z.object({
  /** Cluster sizes (3f + 1 = 4, 7, 10, 16, 31, 64 by default). */
  ns: z.array(z.number().int().min(1).max(200)).min(1).default([4, 7, 10, 16, 31, 64]),
  /** Constant one-way delay δ (ms). */
  deltaMs: z.number().positive().default(10),
  /** Seed. */
  seed: z.number().int().default(1),
}).strict();

/** One row: measured message counts of one decision beside theory. */
export interface PbftMessagesRow {
  /** Replicas. */
  n: number;
  /** Faults tolerated. */
  f: number;
  /** REQUEST messages. */
  request: number;
  /** PRE-PREPARE messages. */
  prePrepare: number;
  /** PREPARE messages. */
  prepare: number;
  /** COMMIT messages. */
  commit: number;
  /** REPLY messages. */
  reply: number;
  /** All messages sent for the decision. */
  measured: number;
  /** 2n² − n + 1. */
  theory: number;
}

function countSends(records: readonly TraceRecord[], from = 0, to = Infinity): Map<string, number> {
  const m = new Map<string, number>();
  for (const r of records) {
    if (r.type !== "send" || r.t < from || r.t > to) continue;
    const t = (r.msg as { type: string }).type;
    m.set(t, (m.get(t) ?? 0) + 1);
  }
  return m;
}

/**
 * Messages per decision as n grows: one client, one request, no batching, checkpoints out of the
 * way; counted from the trace (every send of the run).
 * @example
 * ```ts
 * pbftMessagesPerDecision({ ns: [4, 7] }); // [{ n: 4, measured: 29, theory: 29, ... }, ...]
 * ```
 */
export function pbftMessagesPerDecision(
  params: z.input<typeof PbftMessagesParams> = {},
): PbftMessagesRow[] {
  const p = parseConfig(PbftMessagesParams, params, "pbft messages params");
  return p.ns.map((n) => {
    const c = pbftCluster({
      seed: p.seed,
      n,
      app: "counter",
      clients: 1,
      clientRequests: 1,
      network: { latency: { kind: "constant", ms: p.deltaMs } },
      pbft: { checkpointInterval: 1_000_000 },
    });
    c.sim.run({ untilMs: 20 * p.deltaMs });
    const m = countSends(c.sim.trace.records);
    const get = (t: string) => m.get(t) ?? 0;
    let measured = 0;
    for (const v of m.values()) measured += v;
    return {
      n,
      f: c.size.f,
      request: get("REQUEST"),
      prePrepare: get("PRE-PREPARE"),
      prepare: get("PREPARE"),
      commit: get("COMMIT"),
      reply: get("REPLY"),
      measured,
      theory: pbftMessagesTheory(n).total,
    };
  });
}

/** Parameters of {@link pbftLatency}. */
export const PbftLatencyParams = z.object({
  /** Cluster sizes. */
  ns: z.array(z.number().int().min(1).max(200)).min(1).default([4, 7, 10, 16]),
  /** Constant one-way delay δ (ms). */
  deltaMs: z.number().positive().default(10),
  /** Requests the client sends one after the other. */
  requests: z.number().int().min(1).default(5),
  /** Seed. */
  seed: z.number().int().default(1),
}).strict();

/** One row: request-to-(f + 1 replies) latency in δ beside theory. */
export interface PbftLatencyRow {
  /** Replicas. */
  n: number;
  /** Mean latency (ms). */
  latencyMs: number;
  /** Mean latency in δ. */
  latencyDelta: number;
  /** Theory: request, pre-prepare, prepare, commit, reply = 5δ. */
  theoryDelta: number;
}

/** Latency from a request to the client's f + 1 matching replies on a constant-δ network. */
export function pbftLatency(params: z.input<typeof PbftLatencyParams> = {}): PbftLatencyRow[] {
  const p = parseConfig(PbftLatencyParams, params, "pbft latency params");
  return p.ns.map((n) => {
    const c = pbftCluster({
      seed: p.seed,
      n,
      app: "counter",
      clients: 1,
      clientRequests: p.requests,
      trace: { mode: "off" },
      network: { latency: { kind: "constant", ms: p.deltaMs } },
    });
    c.sim.run({ untilMs: (p.requests + 2) * 10 * p.deltaMs });
    const done = c.sim.instanceOf<PbftClient>("c0")!.done;
    const mean = done.reduce((s, d) => s + d.doneMs - d.sentMs, 0) / done.length;
    return { n, latencyMs: mean, latencyDelta: mean / p.deltaMs, theoryDelta: 5 };
  });
}

/** Parameters of {@link pbftViewChangeCost}. */
export const PbftViewChangeParams = z.object({
  /** Replicas. */
  n: z.number().int().min(4).max(100).default(4),
  /** Constant one-way delay δ (ms). */
  deltaMs: z.number().positive().default(10),
  /** View-change timer T (ms). */
  viewChangeTimeoutMs: z.number().positive().default(200),
  /** When the primary fails (ms). */
  faultAtMs: z.number().positive().default(500),
  /** What happens to the primary. */
  faults: z.array(z.enum(["crash", "silent", "equivocate"])).min(1).default([
    "crash",
    "silent",
    "equivocate",
  ]),
  /** Seed. */
  seed: z.number().int().default(1),
}).strict();

/** One row: the cost of replacing the primary. */
export interface PbftViewChangeRow {
  /** What the primary did. */
  fault: "crash" | "silent" | "equivocate";
  /** Replicas. */
  n: number;
  /** View of the next decision. */
  view: number;
  /** From the fault to the first honest decision in a new view (ms). */
  timeToDecisionMs: number;
  /** The same in δ. */
  timeToDecisionDelta: number;
  /** Messages sent from the fault to that decision. */
  messages: number;
  /** Of which VIEW-CHANGE. */
  viewChangeMessages: number;
  /** Of which NEW-VIEW. */
  newViewMessages: number;
  /** The timer T it waited on. */
  timeoutMs: number;
}

/**
 * Cost of a view change (§4.4): one client sends requests back to back; at `faultAtMs` the primary
 * crashes, falls silent, or starts equivocating (a Byzantine primary, alone: no quorum forms on
 * either side). Time and messages until the first decision in a new view.
 */
export function pbftViewChangeCost(
  params: z.input<typeof PbftViewChangeParams> = {},
): PbftViewChangeRow[] {
  const p = parseConfig(PbftViewChangeParams, params, "pbft view change params");
  return p.faults.map((fault) => {
    const c = pbftCluster({
      seed: p.seed,
      n: p.n,
      app: "counter",
      clients: 1,
      network: { latency: { kind: "constant", ms: p.deltaMs } },
      pbft: { viewChangeTimeoutMs: p.viewChangeTimeoutMs, checkpointInterval: 1_000_000 },
      nemesis: fault === "crash" ? [{ atMs: p.faultAtMs, type: "crash", node: "n0" }] : undefined,
      byzantine: fault === "crash" ? undefined : [{
        nodes: ["n0"],
        strategies: [{ kind: fault }],
        fromMs: p.faultAtMs,
      }],
    });
    let at = NaN;
    let view = 0;
    c.sim.onEvent((e) => {
      if (
        Number.isNaN(at) && e.event.type === "bft-decide" && (e.event.view as number) > 0 &&
        !c.sim.node(e.node).byzantine
      ) {
        at = e.t;
        view = e.event.view as number;
      }
    });
    c.sim.run({
      untilMs: p.faultAtMs + 40 * p.viewChangeTimeoutMs,
      until: () => !Number.isNaN(at),
    });
    const m = countSends(c.sim.trace.records, p.faultAtMs, at);
    let messages = 0;
    for (const v of m.values()) messages += v;
    return {
      fault,
      n: p.n,
      view,
      timeToDecisionMs: at - p.faultAtMs,
      timeToDecisionDelta: (at - p.faultAtMs) / p.deltaMs,
      messages,
      viewChangeMessages: m.get("VIEW-CHANGE") ?? 0,
      newViewMessages: m.get("NEW-VIEW") ?? 0,
      timeoutMs: p.viewChangeTimeoutMs,
    };
  });
}

/** Parameters of {@link pbftThroughput}. */
export const PbftThroughputParams = z.object({
  /** Replicas. */
  n: z.number().int().min(4).max(100).default(4),
  /** Batch sizes to compare. */
  batchSizes: z.array(z.number().int().min(1)).min(1).default([1, 2, 4, 8, 16, 32]),
  /** Closed-loop clients. */
  clients: z.number().int().min(1).default(64),
  /** Sequence numbers in flight at most (the bound that makes batching pay). */
  maxInFlight: z.number().int().min(1).default(1),
  /** Constant one-way delay δ (ms). */
  deltaMs: z.number().positive().default(5),
  /** Measured window after warm-up (ms). */
  durationMs: z.number().positive().default(2_000),
  /** Warm-up (ms). */
  warmupMs: z.number().min(0).default(200),
  /** Seed. */
  seed: z.number().int().default(1),
}).strict();

/** One row: throughput at one batch size. */
export interface PbftThroughputRow {
  /** Batch size. */
  batchSize: number;
  /** Completed client requests per simulated second. */
  requestsPerSec: number;
  /** Decided sequence numbers per simulated second. */
  decisionsPerSec: number;
  /** Mean requests per decided sequence number. */
  requestsPerDecision: number;
  /** Messages sent per completed request. */
  messagesPerRequest: number;
}

/** Throughput (committed requests per simulated second) against batch size with many clients. */
export function pbftThroughput(
  params: z.input<typeof PbftThroughputParams> = {},
): PbftThroughputRow[] {
  const p = parseConfig(PbftThroughputParams, params, "pbft throughput params");
  return p.batchSizes.map((batchSize) => {
    const c = pbftCluster({
      seed: p.seed,
      n: p.n,
      app: "counter",
      clients: p.clients,
      trace: { mode: "off" },
      collectEvents: false,
      clientTimeoutMs: 100_000,
      network: { latency: { kind: "constant", ms: p.deltaMs } },
      pbft: { batchSize, maxInFlight: p.maxInFlight, pipelineDepth: p.maxInFlight },
    });
    let done = 0;
    let decisions = 0;
    const end = p.warmupMs + p.durationMs;
    c.sim.onEvent((e) => {
      if (e.t < p.warmupMs || e.t > end) return;
      if (e.event.type === "pbft-client-done") done++;
      if (e.event.type === "bft-decide" && e.node === "n1") decisions++;
    });
    c.sim.run({ untilMs: p.warmupMs });
    const sent0 = c.sim.stats.sent;
    c.sim.run({ untilMs: end });
    const sec = p.durationMs / 1000;
    return {
      batchSize,
      requestsPerSec: done / sec,
      decisionsPerSec: decisions / sec,
      requestsPerDecision: decisions ? done / decisions : 0,
      messagesPerRequest: done ? (c.sim.stats.sent - sent0) / done : 0,
    };
  });
}
