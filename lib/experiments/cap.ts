/**
 * Experiments of notebook 01 (CAP). One partition schedule, four stores:
 *
 * - the Raft KV store (CP: the minority side answers nothing);
 * - Dynamo with strict quorums (`lib/protocols/dynamo`, N of the key's preference list, R + W > N):
 *   a side answers an operation on a key only if it holds R (reads) or W (writes) of the key's N
 *   replicas, so availability is per key, computable from the ring;
 * - Dynamo with sloppy quorums and hinted handoff (AP: any W healthy nodes will do);
 * - the LWW-Register CRDT store of notebook 02 (AP, replicas answer locally).
 *
 * Per side: fraction of operations answered while partitioned, latency, and the checkers' verdict
 * (linearizability with its witness; the strongest model of notebook 02's map that holds). Then
 * PACELC (Abadi 2012) with no partition: latency against staleness as R and W change.
 * @module
 */
import { z } from "zod";
import { quantile } from "d3-array";
import { checkLinearizability, checkStaleness, kvModel } from "../checkers/mod.ts";
import { createDynamoCluster } from "../protocols/dynamo/mod.ts";
import { parseConfig } from "../sim/errors.ts";
import type { NodeId } from "../sim/types.ts";
import { type HistoryEvent, pairOperations } from "../workload/history.ts";
import { type PartitionRow, partitionRows } from "./chain_network.ts";
import { type Claim, claim, notApplicable } from "./claims.ts";
import { parsePbsParams, type PbsParams } from "./pbs.ts";
import {
  checkModels,
  type ConsistencyParams,
  type DrawnWitness,
  minoritySide,
  type ModelName,
  type ModelVerdict,
  parseConsistencyParams,
  RAFT_CLIENT_TIMEOUT_MS,
  raftRecoveryMs,
  runStore,
  type StoreRun,
  strongestModels,
  uniqueWriteGenerator,
} from "./consistency.ts";

/** Notebook 01's parameters (zod). */
export const CapParamsSchema = z.object({
  /** Root seed. */
  seed: z.number().int().default(1),
  /** Servers (3–7); the minority side is the first ⌊(n − 1)/2⌋. */
  nodes: z.number().int().min(3).max(7).default(5),
  /** Client sessions; client k's home server is node k mod nodes. */
  clients: z.number().int().min(2).max(20).default(10),
  /** Keys. */
  keys: z.number().int().min(1).max(16).default(8),
  /** Fraction of writes. */
  writeRatio: z.number().min(0.1).max(0.9).default(0.5),
  /** Clients issue operations until this time (ms). */
  runMs: z.number().int().min(2_000).max(20_000).default(5_000),
  /** Think time between a client's operations (ms). */
  thinkMs: z.number().min(1).max(500).default(20),
  /** One-way latency, uniform in [latencyMsMin, latencyMsMax] (ms). */
  latencyMsMin: z.number().min(1).max(100).default(2),
  latencyMsMax: z.number().min(1).max(200).default(20),
  /** The partition starts here (ms) ... */
  partitionAtMs: z.number().int().min(500).max(15_000).default(1_500),
  /** ... and lasts this long (ms). */
  partitionForMs: z.number().int().min(500).max(10_000).default(2_500),
  /** Dynamo's N, and R = W of the strict and sloppy runs (R + W > N is required for "strict"). */
  dynamoN: z.number().int().min(1).max(5).default(3),
  dynamoQuorum: z.number().int().min(1).max(5).default(2),
  /** PACELC and PBS-style legs: mean latency of the replica write leg and of every other message (ms). */
  pacelcWriteMeanMs: z.number().positive().max(200).default(20),
  pacelcOtherMeanMs: z.number().positive().max(200).default(2),
  /** PACELC sweep: the (R, W) pairs, with N = dynamoN. */
  pacelc: z.array(z.array(z.number().int().min(1).max(5)).length(2)).min(2).max(16)
    .default([[1, 1], [1, 2], [2, 1], [2, 2], [1, 3], [3, 1], [3, 3]]),
  /** PBS (pbs.ts): trials per point, write-leg means of the t-visibility curves, other legs, read delays, k-staleness write leg, largest k. */
  pbsTrials: z.number().int().min(100).max(20_000).default(1_000),
  pbsWriteMeansMs: z.array(z.number().positive().max(100)).min(1).max(4).default([0.25, 10]),
  pbsOtherMeanMs: z.number().positive().max(100).default(1),
  pbsTMs: z.array(z.number().min(0).max(1_000)).min(2).max(12).default([0, 1, 2, 5, 10, 20, 40]),
  pbsKWriteMeanMs: z.number().positive().max(100).default(10),
  pbsMaxK: z.number().int().min(1).max(5).default(3),
}).strict().superRefine((p, ctx) => {
  if (p.latencyMsMin > p.latencyMsMax) {
    ctx.addIssue({ code: "custom", path: ["latencyMsMin"], message: "must be ≤ latencyMsMax" });
  }
  if (p.partitionAtMs + p.partitionForMs >= p.runMs) {
    ctx.addIssue({
      code: "custom",
      path: ["partitionForMs"],
      message: "the partition must end before runMs",
    });
  }
  if (p.dynamoN > p.nodes) {
    ctx.addIssue({ code: "custom", path: ["dynamoN"], message: "N exceeds nodes" });
  }
  if (p.dynamoQuorum > p.dynamoN) {
    ctx.addIssue({ code: "custom", path: ["dynamoQuorum"], message: "R = W exceeds N" });
  }
  if (2 * p.dynamoQuorum <= p.dynamoN) {
    ctx.addIssue({
      code: "custom",
      path: ["dynamoQuorum"],
      message: "strict quorums need R + W > N",
    });
  }
  p.pacelc.forEach(([r, w], i) => {
    if (r > p.dynamoN || w > p.dynamoN) {
      ctx.addIssue({
        code: "custom",
        path: ["pacelc", i],
        message: `R or W exceeds N = ${p.dynamoN}`,
      });
    }
  });
});

/** Parameters as written. */
export type CapParamsInput = z.input<typeof CapParamsSchema>;
/** Parameters with defaults. */
export type CapParams = z.output<typeof CapParamsSchema>;

/** Parse notebook 01's parameters (a ConfigError names any bad field). */
export function parseCapParams(input: unknown): CapParams {
  return parseConfig(CapParamsSchema, input, "CAP parameters");
}

/** The same workload and partition, as notebook 02's parameters (for its stores). */
export function consistencyParamsOf(p: CapParams): ConsistencyParams {
  return parseConsistencyParams({
    seed: p.seed,
    replicas: p.nodes,
    clients: Math.min(p.clients, 12),
    keys: Math.min(Math.max(p.keys, 2), 6),
    writeRatio: p.writeRatio,
    runMs: p.runMs,
    thinkMsMean: p.thinkMs,
    latencyMsMin: p.latencyMsMin,
    latencyMsMax: p.latencyMsMax,
    partitionAtMs: p.partitionAtMs,
    partitionForMs: p.partitionForMs,
    seqStepBudget: 200_000,
  });
}

/** The PBS part of the parameters, as pbs.ts takes them. */
export function pbsParamsOf(p: CapParams): PbsParams {
  return parsePbsParams({
    seed: p.seed,
    trials: p.pbsTrials,
    kWriteMeanMs: p.pbsKWriteMeanMs,
    maxK: p.pbsMaxK,
    writeMeansMs: p.pbsWriteMeansMs,
    otherMeanMs: p.pbsOtherMeanMs,
    tMs: p.pbsTMs,
  });
}

/** The systems of the CAP experiment. */
export type CapSystem = "raft" | "dynamo-strict" | "dynamo-sloppy" | "lww";
/** All of them, CP first. */
export const CAP_SYSTEMS: readonly CapSystem[] = ["raft", "dynamo-strict", "dynamo-sloppy", "lww"];
/** Labels for tables. */
export const CAP_LABELS: Readonly<Record<CapSystem, string>> = {
  raft: "Raft KV",
  "dynamo-strict": "Dynamo, strict quorums",
  "dynamo-sloppy": "Dynamo, sloppy quorums + hinted handoff",
  lww: "LWW-Register CRDT store",
};

/** A Dynamo run under the partition, as a StoreRun plus the ring's preference lists. */
export interface DynamoRun {
  readonly run: StoreRun;
  /** Preference list (first N) of every key. */
  readonly preference: Readonly<Record<string, readonly NodeId[]>>;
}

/** Run Dynamo (strict or sloppy quorums, LWW) under the partition schedule. */
export function runDynamo(p: CapParams, quorum: "strict" | "sloppy", partition = true): DynamoRun {
  const c = createDynamoCluster({
    seed: p.seed,
    nodes: p.nodes,
    config: { n: p.dynamoN, r: p.dynamoQuorum, w: p.dynamoQuorum, quorum, conflict: "lww" },
    network: { latency: { kind: "uniform", minMs: p.latencyMsMin, maxMs: p.latencyMsMax } },
    trace: { mode: "off" },
  });
  const wl = c.workload(uniqueWriteGenerator(p.keys, p.writeRatio, ["read", "write"]), {
    mode: "closed",
    clients: p.clients,
    endMs: p.runMs,
    timeoutMs: 500,
    thinkTimeMs: p.thinkMs,
  });
  const nodes = [...c.nodes];
  const minority = minoritySide(nodes);
  const majority = nodes.filter((id) => !minority.includes(id));
  if (partition) {
    const home = (cid: NodeId) => nodes[wl.clientIds.indexOf(cid) % nodes.length];
    const side = (g: NodeId[]) => [...g, ...wl.clientIds.filter((cid) => g.includes(home(cid)))];
    c.sim.at(p.partitionAtMs, () => c.net.partition([side(minority), side(majority)]));
    c.sim.at(p.partitionAtMs + p.partitionForMs, () => c.net.heal());
  }
  const endMs = p.runMs + 2_000;
  c.run(endMs);
  const preference = Object.fromEntries(
    Array.from({ length: p.keys }, (_, i) => [`k${i}`, [...c.preferenceList(`k${i}`)]]),
  );
  return {
    run: {
      kind: "lww",
      seed: p.seed,
      keys: p.keys,
      history: wl.history,
      replicaStates: c.replicaSnapshots(),
      sides: partition ? { minority, majority } : undefined,
      workloadEndMs: p.runMs,
      endMs,
    },
    preference,
  };
}

/** One system, one side of the partition. */
export interface CapSideRow {
  readonly system: CapSystem;
  readonly side: "minority" | "majority";
  readonly servers: readonly NodeId[];
  /** Operations of this side's clients outstanding during the partition, and those answered (ok) before it healed. */
  readonly ops: number;
  readonly answered: number;
  readonly availability: number;
  /** Operations invoked after the cut and answered before the heal. */
  readonly answeredAfterCut: number;
  /**
   * The steady part of the partition: operations invoked from `STEADY_AFTER_MS` after the cut to
   * `STEADY_BEFORE_MS` before the heal (failure detection done, every such operation decided before
   * the heal), and the fraction answered. For Raft the window starts after an election and a client
   * timeout (`raftRecoveryMs`) and ends three client timeouts before the heal.
   */
  readonly steadyOps: number;
  readonly steadyAvailability: number;
  /** Latency of those answered (ms). */
  readonly meanMs: number;
  readonly p99Ms: number;
  /** Reads by this side's clients, invoked during the partition, and those that missed a write completed before they started. */
  readonly reads: number;
  readonly staleReads: number;
}

/** One system: both sides plus the verdicts on the whole history. */
export interface CapSystemResult {
  readonly system: CapSystem;
  readonly sides: readonly CapSideRow[];
  readonly verdicts: Readonly<Record<ModelName, ModelVerdict>>;
  /** Linearizability witness of the whole history, when not linearizable. */
  readonly witness?: DrawnWitness;
  /** The strongest models of the map that the whole history satisfies ({@link strongestModels}). */
  readonly strongest: string;
  /** Reads that missed a write completed before they started. */
  readonly staleReads: number;
  /** The history (for charts). */
  readonly history: readonly HistoryEvent[];
  /** Dynamo: predicted availability per side (strict: from the ring; sloppy: from the side's size). */
  readonly predicted?: Readonly<Record<"minority" | "majority", number>>;
}

/** The steady window starts this long after the cut (Dynamo suspects a silent peer after 150 ms). */
export const STEADY_AFTER_MS = 400;
/** ... and ends this long before the heal (a request gets "unavailable" after 200 ms). */
export const STEADY_BEFORE_MS = 300;

function sideRows(
  system: CapSystem,
  run: StoreRun,
  p: CapParams,
): CapSideRow[] {
  const from = p.partitionAtMs, to = p.partitionAtMs + p.partitionForMs;
  const ops = pairOperations(run.history);
  const staleness = checkStaleness(run.history);
  return (["minority", "majority"] as const).map((side) => {
    const servers = run.sides![side];
    // outstanding at some point of the partition (an operation stuck since before the cut counts)
    const mine = ops.filter((o) =>
      servers.includes(run.history[o.invokeIndex].node ?? "") && o.invokeMs < to &&
      o.completeMs >= from
    );
    const ok = mine.filter((o) => o.status === "ok" && o.completeMs < to);
    const lat = ok.map((o) => o.completeMs - o.invokeMs).sort((a, b) => a - b);
    const after = system === "raft" ? raftRecoveryMs(consistencyParamsOf(p)) : STEADY_AFTER_MS;
    const before = system === "raft" ? 3 * RAFT_CLIENT_TIMEOUT_MS : STEADY_BEFORE_MS;
    const steady = mine.filter((o) => o.invokeMs >= from + after && o.invokeMs < to - before);
    const steadyOk = steady.filter((o) => o.status === "ok" && o.completeMs < to).length;
    const inSide = new Set(
      mine.filter((o) => o.f === "read" || o.f === "get").map((o) => `${o.key}@${o.invokeMs}`),
    );
    const perRead = staleness.perRead.filter((x) => inSide.has(`${x.key}@${x.invokeMs}`));
    return {
      system,
      side,
      servers,
      ops: mine.length,
      answered: ok.length,
      availability: mine.length ? ok.length / mine.length : NaN,
      answeredAfterCut: ok.filter((o) => o.invokeMs >= from).length,
      steadyOps: steady.length,
      steadyAvailability: steady.length ? steadyOk / steady.length : NaN,
      meanMs: lat.length ? lat.reduce((a, b) => a + b, 0) / lat.length : NaN,
      p99Ms: lat.length ? quantile(lat, 0.99)! : NaN,
      reads: perRead.length,
      staleReads: perRead.filter((x) => x.versionsBehind > 0).length,
    };
  });
}

/**
 * Predicted availability of Dynamo with strict quorums on one side, in the steady part of the
 * partition: an operation on key k succeeds iff the side holds at least R (read) or W (write)
 * of k's N preference-list replicas; keys are uniform and reads a (1 − writeRatio) share.
 */
export function strictAvailability(
  preference: Readonly<Record<string, readonly NodeId[]>>,
  side: readonly NodeId[],
  r: number,
  w: number,
  writeRatio: number,
): number {
  const keys = Object.values(preference);
  const on = keys.map((list) => list.filter((id) => side.includes(id)).length);
  const reads = on.filter((x) => x >= r).length / keys.length;
  const writes = on.filter((x) => x >= w).length / keys.length;
  return (1 - writeRatio) * reads + writeRatio * writes;
}

/**
 * Predicted availability of sloppy quorums on a side of `size` servers: any R (reads) or W
 * (writes) reachable healthy nodes will do, so a side answers reads iff size ≥ R and writes iff
 * size ≥ W.
 */
export function sloppyAvailability(size: number, r: number, w: number, writeRatio: number): number {
  return (1 - writeRatio) * (size >= r ? 1 : 0) + writeRatio * (size >= w ? 1 : 0);
}

/** Run one system under the partition and check it. */
export function capSystem(system: CapSystem, p: CapParams): CapSystemResult {
  const cp = consistencyParamsOf(p);
  let run: StoreRun;
  let predicted: CapSystemResult["predicted"];
  if (system === "raft" || system === "lww") {
    run = runStore(system, cp, { partition: true });
  } else {
    const d = runDynamo(p, system === "dynamo-strict" ? "strict" : "sloppy");
    run = d.run;
    if (system === "dynamo-sloppy") {
      predicted = {
        minority: sloppyAvailability(
          run.sides!.minority.length,
          p.dynamoQuorum,
          p.dynamoQuorum,
          p.writeRatio,
        ),
        majority: sloppyAvailability(
          run.sides!.majority.length,
          p.dynamoQuorum,
          p.dynamoQuorum,
          p.writeRatio,
        ),
      };
    } else {
      predicted = {
        minority: strictAvailability(
          d.preference,
          run.sides!.minority,
          p.dynamoQuorum,
          p.dynamoQuorum,
          p.writeRatio,
        ),
        majority: strictAvailability(
          d.preference,
          run.sides!.majority,
          p.dynamoQuorum,
          p.dynamoQuorum,
          p.writeRatio,
        ),
      };
    }
  }
  const rep = checkModels(run, cp);
  return {
    system,
    sides: sideRows(system, run, p),
    verdicts: rep.verdicts,
    witness: rep.witnesses.linearizable,
    strongest: strongestModels(rep.verdicts),
    staleReads: rep.staleReads,
    history: run.history,
    predicted,
  };
}

/** The CAP experiment: every system on the same schedule. */
export function capExperiment(p: CapParams): CapSystemResult[] {
  return CAP_SYSTEMS.map((s) => capSystem(s, p));
}

/** Tolerance of the quorum availability predictions: 3σ of a binomial proportion + 1/n. */
export function strictTolerance(predicted: number, ops: number): number {
  return 3 * Math.sqrt((predicted * (1 - predicted)) / Math.max(ops, 1)) + 1 / Math.max(ops, 1);
}

/** What Gilbert and Lynch's theorem and the designs predict for each system. */
export function checkCap(results: readonly CapSystemResult[]): Claim[] {
  const get = (s: CapSystem) => results.find((r) => r.system === s)!;
  const side = (r: CapSystemResult, s: "minority" | "majority") =>
    r.sides.find((x) => x.side === s)!;
  const pct = (x: number) => `${(100 * x).toFixed(0)} %`;
  const raft = get("raft"),
    strict = get("dynamo-strict"),
    sloppy = get("dynamo-sloppy"),
    lww = get("lww");
  const raftMaj = side(raft, "majority");
  const out: Claim[] = [
    claim(
      "Raft (CP): linearizable, and the minority side answers nothing it was asked after the cut " +
        "(no majority there)",
      raft.verdicts.linearizable === "ok" && side(raft, "minority").ops > 0 &&
        side(raft, "minority").answeredAfterCut === 0,
      `linearizable ${raft.verdicts.linearizable}; minority: ${
        side(raft, "minority").ops
      } operations ` +
        `outstanding, ${side(raft, "minority").answered} answered (in flight at the cut), ` +
        `${side(raft, "minority").answeredAfterCut} of those invoked after the cut`,
    ),
    raftMaj.steadyOps > 0
      ? claim(
        "Raft: the majority side serves again once it has elected a leader (operations invoked after " +
          "an election and a client timeout): more than half answered before the heal",
        raftMaj.steadyAvailability > 0.5,
        `${pct(raftMaj.steadyAvailability)} of ${raftMaj.steadyOps} (all majority operations: ${
          pct(raftMaj.availability)
        } of ${raftMaj.ops})`,
      )
      : notApplicable(
        "Raft: the majority side serves again once it has a leader",
        "the partition is shorter than an election and a client timeout",
      ),
  ];
  for (
    const [r, what] of [
      [strict, "of its key's N replicas on that side — predicted from the ring"],
      [
        sloppy,
        "healthy servers on that side (any will do) — predicted from the side's size",
      ],
    ] as const
  ) {
    for (const s of ["minority", "majority"] as const) {
      const row = side(r, s);
      const tol = strictTolerance(r.predicted![s], row.steadyOps);
      out.push(
        row.steadyOps > 0
          ? claim(
            `${
              CAP_LABELS[r.system]
            }, ${s} side: once the partition is detected, it answers an operation ` +
              `iff it has R (reads) or W (writes) ${what}`,
            Math.abs(row.steadyAvailability - r.predicted![s]) <= tol,
            `${
              pct(row.steadyAvailability)
            } of ${row.steadyOps} answered in the steady window; predicted ` +
              `${pct(r.predicted![s])} ± ${pct(tol)}`,
          )
          : notApplicable(
            `${CAP_LABELS[r.system]}, ${s} side follows its quorum rule`,
            "no operation in the steady window",
          ),
      );
    }
  }
  // the A horn: both sides write (sloppy needs W servers on the minority side to be AP at all)
  const apBoth = [lww, ...(sloppy.predicted!.minority === 1 ? [sloppy] : [])];
  out.push(
    claim(
      `AP stores (${
        apBoth.map((r) => r.system).join(", ")
      }): both sides keep answering, and the price is ` +
        "consistency: the history is not linearizable (witness below)",
      apBoth.every((r) =>
        side(r, "minority").steadyAvailability === 1 &&
        side(r, "majority").steadyAvailability === 1 &&
        r.verdicts.linearizable === "illegal"
      ),
      apBoth.map((r) =>
        `${r.system}: ${pct(side(r, "minority").steadyAvailability)} / ${
          pct(side(r, "majority").steadyAvailability)
        }, ` +
        `linearizable ${r.verdicts.linearizable}, ${r.staleReads} stale reads`
      ).join("; ") + (sloppy.predicted!.minority < 1
        ? "; sloppy quorums: the minority side has fewer than R or W servers"
        : ""),
    ),
    claim(
      `AP stores (${
        apBoth.map((r) => r.system).join(", ")
      }): during the partition the minority side's clients ` +
        "read stale values (the majority's writes cannot reach them)",
      apBoth.every((r) => side(r, "minority").staleReads > 0),
      apBoth.map((r) =>
        `${r.system}: ${side(r, "minority").staleReads} of ${
          side(r, "minority").reads
        } minority reads stale`
      ).join("; "),
    ),
    claim(
      "after the heal every AP replica converges (eventual consistency)",
      [sloppy, lww].every((r) => r.verdicts.convergent === "ok"),
      [sloppy, lww].map((r) => `${r.system}: ${r.verdicts.convergent}`).join("; "),
    ),
  );
  return out;
}

// ---- PACELC: no partition, latency against consistency --------------------------------------

/** One (R, W) setting of the PACELC sweep. */
export interface PacelcRow {
  readonly r: number;
  readonly w: number;
  readonly n: number;
  readonly strict: boolean;
  readonly readMeanMs: number;
  readonly writeMeanMs: number;
  readonly readP99Ms: number;
  readonly writeP99Ms: number;
  readonly reads: number;
  readonly staleReads: number;
  readonly staleFraction: number;
  readonly linearizable: ModelVerdict;
}

/** Exponential latency per message type: the replica write leg slow, every other leg fast. */
export function pacelcLegs(p: CapParams) {
  const e = (meanMs: number) => ({ kind: "exponential" as const, meanMs });
  const o = e(p.pacelcOtherMeanMs);
  return {
    put: e(p.pacelcWriteMeanMs),
    "put-ack": o,
    get: o,
    "get-reply": o,
    "client-get": o,
    "client-put": o,
    "client-reply": o,
  };
}

/**
 * Dynamo (strict quorums, LWW, no partition) with each (R, W): client k writes only key k (so the
 * writes of a key never overlap and "the last completed write" is well defined, as PBS assumes)
 * and reads any key.
 */
export function pacelcSweep(p: CapParams): PacelcRow[] {
  return p.pacelc.map(([r, w]) => {
    const c = createDynamoCluster({
      seed: p.seed,
      nodes: p.nodes,
      config: { n: p.dynamoN, r, w, quorum: "strict", conflict: "lww" },
      network: { latency: { kind: "constant", ms: 0 } },
      latencyByType: pacelcLegs(p),
      trace: { mode: "off" },
    });
    const counters = new Map<number, number>();
    const wl = c.workload((rng, process) => {
      if (!rng.chance(p.writeRatio)) {
        return { f: "read", key: `k${rng.int(0, p.clients - 1)}`, value: null };
      }
      const n = (counters.get(process) ?? 0) + 1;
      counters.set(process, n);
      return { f: "write", key: `k${process}`, value: `${process}.${n}` };
    }, {
      mode: "closed",
      clients: p.clients,
      endMs: p.runMs,
      timeoutMs: 500,
      thinkTimeMs: p.thinkMs,
    });
    c.run(p.runMs + 1_000);
    const ops = pairOperations(wl.history).filter((o) => o.status === "ok");
    const lat = (f: string) =>
      ops.filter((o) => o.f === f).map((o) => o.completeMs - o.invokeMs).sort((a, b) => a - b);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const rl = lat("read"), wlat = lat("write");
    const st = checkStaleness(wl.history);
    return {
      r,
      w,
      n: p.dynamoN,
      strict: r + w > p.dynamoN,
      readMeanMs: mean(rl),
      writeMeanMs: mean(wlat),
      readP99Ms: quantile(rl, 0.99) ?? NaN,
      writeP99Ms: quantile(wlat, 0.99) ?? NaN,
      reads: st.reads,
      staleReads: st.staleReads,
      staleFraction: st.reads ? st.staleReads / st.reads : 0,
      linearizable:
        checkLinearizability(pairOperations(wl.history), kvModel({ initial: null })).verdict,
    };
  });
}

/**
 * PACELC's "else" half: with no partition, R + W > N gives no stale read; R + W ≤ N gives some
 * (with this many reads); and waiting for more replicas costs latency: read latency grows with R
 * and write latency with W (the R-th and W-th fastest of N round trips).
 */
export function checkPacelc(rows: readonly PacelcRow[]): Claim[] {
  const strict = rows.filter((x) => x.strict), partial = rows.filter((x) => !x.strict);
  const byR = new Map<number, number[]>(), byW = new Map<number, number[]>();
  for (const x of rows) {
    byR.set(x.r, [...(byR.get(x.r) ?? []), x.readMeanMs]);
    byW.set(x.w, [...(byW.get(x.w) ?? []), x.writeMeanMs]);
  }
  const avg = (m: Map<number, number[]>) =>
    [...m.entries()].sort((a, b) => a[0] - b[0]).map((
      [k, v],
    ) => [k, v.reduce((a, b) => a + b, 0) / v.length]);
  const rAvg = avg(byR), wAvg = avg(byW);
  const up = (xs: number[][]) => xs.every((x, i) => i === 0 || x[1] > xs[i - 1][1]);
  const f1 = (x: number) => x.toFixed(1);
  return [
    claim(
      "R + W > N: no read misses a completed write",
      strict.every((x) => x.staleReads === 0),
      strict.map((x) => `R=${x.r} W=${x.w}: ${x.staleReads}/${x.reads}`).join("; ") ||
        "no strict setting",
    ),
    claim(
      "R + W ≤ N: some reads are stale",
      partial.every((x) => x.staleReads > 0),
      partial.map((x) => `R=${x.r} W=${x.w}: ${x.staleReads}/${x.reads}`).join("; ") ||
        "no partial setting",
    ),
    claim(
      "mean read latency grows with R, mean write latency with W (averaged over the other)",
      up(rAvg) && up(wAvg),
      `reads ${rAvg.map(([k, v]) => `R=${k}: ${f1(v)} ms`).join(", ")}; writes ${
        wAvg.map(([k, v]) => `W=${k}: ${f1(v)} ms`).join(", ")
      }`,
    ),
  ];
}

// ---- blockchains under the same kind of partition ----------------------------------------------

/**
 * Nakamoto and Tendermint cut into majority | minority and healed (chain_network.ts's
 * `partitionRows`, at a size that runs in seconds: 40 miners, 10 s blocks, a 3-minute cut).
 */
export function blockchainPartition(p: CapParams): PartitionRow[] {
  return partitionRows({
    seed: p.seed,
    nakamotoNodes: 40,
    blockIntervalMs: 10_000,
    txRatePerSec: 5,
    partitionAtMs: 60_000,
    healAtMs: 240_000,
    endMs: 300_000,
    validators: 4,
  });
}

/**
 * CAP as the two chains meet it: the longest chain stays available on both sides and pays with
 * a reorganisation of the side whose branch loses (the one with fewer blocks: the chain with more
 * work wins); the BFT chain stays consistent — its minority decides nothing, no decision changes.
 */
export function checkBlockchain(rows: readonly PartitionRow[]): Claim[] {
  const row = (protocol: PartitionRow["protocol"], side: PartitionRow["side"]) =>
    rows.find((r) => r.protocol === protocol && r.side === side)!;
  const nMaj = row("nakamoto", "majority"), nMin = row("nakamoto", "minority");
  const tMaj = row("tendermint", "majority"), tMin = row("tendermint", "minority");
  const loser = nMaj.producedDuringPartition < nMin.producedDuringPartition ? nMaj : nMin;
  const tie = nMaj.producedDuringPartition === nMin.producedDuringPartition;
  return [
    claim(
      "the longest chain stays available: both sides keep producing blocks during the partition",
      nMaj.producedDuringPartition > 0 && nMin.producedDuringPartition > 0,
      `majority ${nMaj.producedDuringPartition}, minority ${nMin.producedDuringPartition} blocks`,
    ),
    tie
      ? notApplicable(
        "after the heal, the side with fewer blocks reorganises at least as deep as its own branch",
        "both sides produced the same number of blocks",
      )
      : claim(
        "after the heal, the side with fewer blocks reorganises at least as deep as its own branch " +
          "(its blocks' transactions go back to pending)",
        loser.maxReorgDepth >= loser.producedDuringPartition,
        `${loser.side} side: ${loser.producedDuringPartition} blocks alone, reorg depth ${loser.maxReorgDepth}, ` +
          `${loser.txsReverted} txs back to pending`,
      ),
    claim(
      "the BFT chain (Tendermint) stays consistent: the minority decides nothing, the majority keeps " +
        "deciding, and no decided height ever changes",
      tMin.producedDuringPartition === 0 && tMaj.producedDuringPartition > 0 &&
        tMaj.decisionsChanged === 0 && tMin.decisionsChanged === 0,
      `majority ${tMaj.producedDuringPartition} heights, minority ${tMin.producedDuringPartition}; ` +
        `${tMaj.decisionsChanged} decisions changed`,
    ),
  ];
}
