/**
 * Experiments of notebook 03 (Byzantine fault tolerance) on PBFT and Tendermint: the n = 3f
 * counterexample on the real protocols, every Byzantine strategy of lib/net/adversary.ts against
 * both (at most f traitors, then a coalition of f + 1), and the two protocols side by side on one
 * key-value workload and one fault schedule. The Byzantine generals experiments live in
 * bft_generals.ts, quorum intersection in bft_quorums.ts, per-protocol measurements in
 * bft_pbft.ts and bft_tendermint.ts.
 * @module
 */
import { z } from "zod";
import { quantile as d3quantile } from "d3-array";
import { checkLinearizability, kvModel, type Verdict } from "../checkers/mod.ts";
import type { AdversaryInput, StrategyInput } from "../net/adversary.ts";
import type { FaultWindow } from "../net/nemesis.ts";
import { parseConfig } from "../sim/errors.ts";
import type { Simulation } from "../sim/simulation.ts";
import type { NodeId, TraceRecord } from "../sim/types.ts";
import { installWorkload } from "../workload/client.ts";
import { type HistoryEvent, type Operation, pairOperations } from "../workload/history.ts";
import { latencyMs, perWindow } from "../workload/metrics.ts";
import type { BftInvariants } from "../protocols/bft/invariants.ts";
import type { BftDecideEvent } from "../protocols/bft/events.ts";
import { kvClientDriver, kvOpGenerator } from "../protocols/kv/client.ts";
import { pbftCluster } from "../protocols/pbft/cluster.ts";
import { tendermintCluster } from "../protocols/tendermint/cluster.ts";
import {
  MISTAKE_SCENARIOS as PBFT_MISTAKE_SCENARIOS,
  runMistakeScenario as runPbftMistake,
} from "../protocols/pbft/sweep.ts";
import { detectionRates as tendermintDetectionRates } from "../protocols/tendermint/scenarios.ts";
import { type Claim, claim } from "./claims.ts";
import {
  pbftLatency,
  pbftMessagesPerDecision,
  pbftThroughput,
  pbftViewChangeCost,
} from "./bft_pbft.ts";
import { hotstuffMessageRows } from "./bft_hotstuff.ts";
import { grandpaRoundRows } from "./bft_grandpa.ts";
import {
  tendermintMessageRows,
  tendermintRoundChangeRows,
  tendermintThroughputRows,
} from "./bft_tendermint.ts";

/** A BFT protocol of the notebook. */
export type BftProtocol = "pbft" | "tendermint";

/** Both protocols, in chart order. */
export const BFT_PROTOCOLS: readonly BftProtocol[] = ["pbft", "tendermint"];

/** Fields of notebook 03's protocol experiments (the generals have their own schema). */
const BftParamsShape = z.object({
  /** Root seed of every run. */
  seed: z.number().int().default(1),
  /** Replicas of the side-by-side comparison and the adversary matrix (n ≥ 4). */
  nodes: z.number().int().min(4).max(16).default(4),
  /** Closed-loop key-value clients. */
  clients: z.number().int().min(1).max(32).default(4),
  /** Simulated length of the side-by-side run (ms). */
  runMs: z.number().min(4_000).max(60_000).default(8_000),
  /** One-way message delay: uniform between these (ms). */
  latencyMsMin: z.number().min(0).default(2),
  latencyMsMax: z.number().min(0).default(8),
  /** Loss ratio of every link during the whole comparison. */
  lossRatio: z.number().min(0).max(0.2).default(0.01),
  /** When replica n0 (PBFT's first primary, Tendermint's proposer of the first height) crashes,
   * and for how long (ms). */
  crashAtMs: z.number().min(200).default(1_500),
  crashForMs: z.number().positive().default(1_500),
  /** When one replica is cut off from the rest, and for how long (ms). */
  partitionAtMs: z.number().min(200).default(4_000),
  partitionForMs: z.number().positive().default(2_000),
  /** Simulated length of each adversary-matrix run (ms). */
  adversaryMs: z.number().min(1_000).max(30_000).default(3_000),
  /** Seeds per cell of the adversary matrix. */
  adversarySeeds: z.number().int().min(1).max(20).default(2),
}).strict();

/** The cross-field rules of the parameters (a ConfigError names the field). */
function refined<S extends z.ZodType<z.output<typeof BftParamsShape>>>(schema: S) {
  return schema
    .refine((p) => p.latencyMsMin <= p.latencyMsMax, {
      message: "latencyMsMin must not exceed latencyMsMax",
      path: ["latencyMsMin"],
    })
    .refine((p) => p.crashAtMs + p.crashForMs <= p.partitionAtMs, {
      message: "the crash must end before the partition starts",
      path: ["partitionAtMs"],
    })
    .refine((p) => p.partitionAtMs + p.partitionForMs + 1_000 <= p.runMs, {
      message: "runMs must leave at least 1 s after the partition heals",
      path: ["runMs"],
    });
}

/** Parameters of notebook 03's protocol experiments, with defaults. */
export const BftParamsSchema = refined(BftParamsShape);

/**
 * Every parameter of notebook 03: the protocol experiments' plus the generals' headline (n, m),
 * the cluster sizes of the scaling tables and the fixed delay δ of the latency tables.
 */
export const Notebook03ParamsSchema = refined(BftParamsShape.extend({
  /** Generals and traitors of the headline Byzantine generals run (OM(m), SM(m)). */
  generalsN: z.number().int().min(2).max(64).default(4),
  generalsM: z.number().int().min(0).max(6).default(1),
  /** Cluster sizes of the message-count tables. */
  scaleNodes: z.array(z.number().int().min(4).max(128)).min(1).default([4, 7, 10, 16, 31, 64]),
  /** The constant one-way delay δ of the latency tables (ms). */
  deltaMs: z.number().positive().max(1_000).default(10),
  /** Largest n of the GRANDPA rows of the five-protocol table (its rounds are slow to simulate). */
  grandpaMaxNodes: z.number().int().min(4).max(128).default(16),
}));

/** Notebook 03's parameters, with defaults. */
export type Notebook03Params = z.output<typeof Notebook03ParamsSchema>;

/** Parse notebook 03's parameters (a ConfigError names any bad field). */
export function parseNotebook03Params(input: unknown = {}): Notebook03Params {
  return parseConfig(Notebook03ParamsSchema, input, "notebook 03 parameters");
}

/** Parameters as written. */
export type BftParamsInput = z.input<typeof BftParamsSchema>;
/** Parameters with defaults. */
export type BftParams = z.output<typeof BftParamsSchema>;

/** Parse notebook 03's protocol parameters (a ConfigError names any bad field). */
export function parseBftParams(input: unknown = {}): BftParams {
  return parseConfig(BftParamsSchema, input, "bft parameters");
}

/** What one run of either protocol's cluster exposes to the experiments. */
interface BuiltRun {
  readonly sim: Simulation<unknown>;
  readonly inv: BftInvariants;
  readonly faultWindows: (endMs?: number) => FaultWindow[];
  readonly repairAll: () => void;
}

interface RunSpec {
  readonly seed: number;
  readonly n: number;
  readonly f?: number;
  readonly quorum?: number;
  readonly allowUnsafe?: boolean;
  readonly network?: unknown;
  readonly nemesis?: unknown;
  readonly byzantine?: readonly AdversaryInput[];
  readonly trace?: "off" | "full";
}

/** Build a cluster of `protocol` (key-value servers, checker attached, breaches recorded). */
function build(protocol: BftProtocol, s: RunSpec): BuiltRun {
  const common = {
    seed: s.seed,
    n: s.n,
    f: s.f,
    quorum: s.quorum,
    allowUnsafe: s.allowUnsafe ?? false,
    network: s.network as never,
    nemesis: s.nemesis,
    byzantine: s.byzantine,
    trace: { mode: s.trace ?? "off" } as const,
    throwOnBreach: false,
  };
  if (protocol === "pbft") {
    const c = pbftCluster(common);
    return { sim: c.sim, inv: c.invariants, faultWindows: c.faultWindows, repairAll: c.repairAll };
  }
  const c = tendermintCluster(common);
  return {
    sim: c.sim as unknown as Simulation<unknown>,
    inv: c.inv,
    faultWindows: c.faultWindows,
    repairAll: c.repairAll,
  };
}

/** Client settings: a timeout several times the normal latency, many retries of one request id. */
export const BFT_KV_CLIENT = { timeoutMs: 300, retries: 100, retryBackoffMs: 20 } as const;

function network(p: BftParams, lossRatio = p.lossRatio) {
  return {
    latency: { kind: "uniform" as const, minMs: p.latencyMsMin, maxMs: p.latencyMsMax },
    lossRatio,
  };
}

// ---- the n = 3f counterexample on the real protocols --------------------------------------------

/** One run of the n = 3f demonstration. */
export interface N3fRow {
  readonly protocol: BftProtocol;
  readonly n: number;
  readonly f: number;
  readonly quorum: number;
  /** What the f traitors do. */
  readonly traitors: string;
  /** Distinct slots decided by honest replicas. */
  readonly decided: number;
  /** Whether agreement broke. */
  readonly agreementBroken: boolean;
  /** Culprits the checker named (empty without a breach). */
  readonly culprits: readonly NodeId[];
  /** The checker's first breach in one line ("" when none). */
  readonly breach: string;
  /** What theory predicts for this row, in words. */
  readonly predicted: string;
  /** Whether the run matches the prediction. */
  readonly asPredicted: boolean;
}

interface N3fCase {
  readonly n: number;
  readonly f: number;
  readonly quorum: number;
  readonly strategies: readonly StrategyInput[];
  readonly expect: "breach" | "stuck" | "safe-live";
  readonly traitors: string;
}

/**
 * n = 3f (3 replicas, f = 1) against n = 3f + 1 (4 replicas), PBFT and Tendermint: with the live
 * quorum 2f = 2 one equivocating replica breaks agreement; with the intersecting quorum 2f + 1 = 3
 * one silent replica stops every decision; at n = 4 neither traitor does either.
 */
export function n3fDemo(p: BftParams): N3fRow[] {
  const cases: N3fCase[] = [
    {
      n: 3,
      f: 1,
      quorum: 2,
      // the primary / first proposer tells n2 something else; its votes follow each side
      strategies: [{ kind: "equivocate", groupB: ["n2"] }],
      expect: "breach",
      traitors: "n0 equivocates (n2 hears another value)",
    },
    {
      n: 3,
      f: 1,
      quorum: 3,
      strategies: [{ kind: "silent" }],
      expect: "stuck",
      traitors: "n0 silent",
    },
    {
      n: 4,
      f: 1,
      quorum: 3,
      strategies: [{ kind: "equivocate", groupB: ["n3"] }],
      expect: "safe-live",
      traitors: "n0 equivocates (n3 hears another value)",
    },
    {
      n: 4,
      f: 1,
      quorum: 3,
      strategies: [{ kind: "silent" }],
      expect: "safe-live",
      traitors: "n0 silent",
    },
  ];
  const rows: N3fRow[] = [];
  for (const protocol of BFT_PROTOCOLS) {
    for (const c of cases) {
      const r = build(protocol, {
        seed: p.seed,
        n: c.n,
        f: c.f,
        quorum: c.quorum,
        allowUnsafe: c.n < 3 * c.f + 1,
        network: { latency: { kind: "uniform", minMs: p.latencyMsMin, maxMs: p.latencyMsMax } },
        byzantine: [{ nodes: ["n0"], strategies: [...c.strategies] }],
      });
      const w = installWorkload(
        r.sim,
        kvClientDriver({ followLeader: true }),
        kvOpGenerator({ keys: 2 }),
        { mode: "closed", clients: 2, endMs: p.adversaryMs - 500, ...BFT_KV_CLIENT },
      );
      void w;
      r.sim.run({ untilMs: p.adversaryMs });
      const b = r.inv.breaches.find((x) => x.invariant === "agreement");
      const decided = r.inv.decidedSlots;
      const predicted = c.expect === "breach"
        ? "agreement breaks (two quorums of 2 share only the traitor)"
        : c.expect === "stuck"
        ? "nothing is decided (a quorum of 3 needs the silent traitor)"
        : "safe and live (quorums of 3 share an honest replica; 3 honest replicas remain)";
      const asPredicted = c.expect === "breach"
        ? b !== undefined
        : c.expect === "stuck"
        ? decided === 0 && r.inv.breaches.length === 0
        : decided > 0 && r.inv.breaches.length === 0;
      rows.push({
        protocol,
        n: c.n,
        f: c.f,
        quorum: c.quorum,
        traitors: c.traitors,
        decided,
        agreementBroken: b !== undefined,
        culprits: b?.culprits.map((x) => x.node) ?? [],
        breach: b ? b.message : "",
        predicted,
        asPredicted,
      });
    }
  }
  return rows;
}

/** Claims of the n = 3f demonstration: every row as theory predicts, culprits truly Byzantine. */
export function checkN3f(rows: readonly N3fRow[]): Claim[] {
  return BFT_PROTOCOLS.map((protocol) => {
    const mine = rows.filter((r) => r.protocol === protocol);
    const bad = mine.filter((r) => !r.asPredicted);
    const breach = mine.find((r) => r.agreementBroken);
    return claim(
      `${protocol}: at n = 3f the live quorum 2f is unsafe and the safe quorum 2f + 1 is not live; ` +
        `at n = 3f + 1 one traitor does neither`,
      bad.length === 0 && (breach?.culprits.every((c) => c === "n0") ?? false),
      bad.length
        ? `not as predicted: ${bad.map((r) => `n=${r.n} q=${r.quorum} ${r.traitors}`).join("; ")}`
        : mine.map((r) =>
          `n=${r.n} q=${r.quorum}: ${r.decided} decided` +
          (r.agreementBroken ? `, agreement broken, culprits ${r.culprits.join(",")}` : "")
        )
          .join("; "),
    );
  });
}

// ---- every strategy against both protocols --------------------------------------------------------

/** One cell of the adversary matrix. */
export interface AdversaryRow {
  readonly protocol: BftProtocol;
  /** Strategy label. */
  readonly strategy: string;
  /** The Byzantine replicas. */
  readonly traitors: readonly NodeId[];
  /** f of the cluster. */
  readonly f: number;
  readonly seed: number;
  /** Slots decided by honest replicas. */
  readonly decided: number;
  /** Breaches the checker recorded (agreement, validity). */
  readonly breaches: number;
  /** Culprits named at the first agreement breach. */
  readonly culprits: readonly NodeId[];
  /** Honest replicas among the culprits (must be none). */
  readonly honestCulprits: readonly NodeId[];
  /** After the adversary stops and faults heal: did a decision come within the bound? */
  readonly liveAfterHeal: boolean;
}

/** The strategies of the matrix, as labels and configs (f traitors each). */
export function matrixStrategies(): { label: string; strategies: StrategyInput[] }[] {
  return [
    { label: "equivocate", strategies: [{ kind: "equivocate", groupB: ["n3"] }] },
    { label: "silent", strategies: [{ kind: "silent" }] },
    { label: "delay 200 ms to n1", strategies: [{ kind: "delay", delayMs: 200, towards: ["n1"] }] },
    { label: "withhold votes", strategies: [{ kind: "withholdVotes" }] },
    { label: "replay after 300 ms", strategies: [{ kind: "replay", afterMs: 300 }] },
    { label: "impersonate n1", strategies: [{ kind: "impersonate", victim: "n1" }] },
  ];
}

/** Liveness bound after the heal in the matrix (ms): several timeouts, doubled view changes. */
export const MATRIX_LIVENESS_MS = 4_000;

/**
 * Every strategy of {@link matrixStrategies} on both protocols with f traitors (n0 first: PBFT's
 * primary and Tendermint's first proposer), then the same equivocation by a coalition of f + 1
 * (which must break agreement and be named). A safety phase of `adversaryMs`, then the traitors
 * are left in place but the network is healed and a decision must come within
 * {@link MATRIX_LIVENESS_MS} (liveness is owed only with at most f traitors).
 */
export function adversaryMatrix(p: BftParams): AdversaryRow[] {
  const rows: AdversaryRow[] = [];
  const f = Math.floor((p.nodes - 1) / 3);
  const ids = Array.from({ length: p.nodes }, (_, i) => `n${i}`);
  const cells = [
    ...matrixStrategies().map((s) => ({ ...s, traitors: ids.slice(0, f) })),
    {
      label: `coalition of f + 1 equivocating`,
      strategies: [{
        kind: "equivocate",
        groupB: ids.slice(f + 1 + Math.floor((p.nodes - f - 1) / 2)),
      }],
      traitors: ids.slice(0, f + 1),
    },
  ] as { label: string; strategies: StrategyInput[]; traitors: NodeId[] }[];
  for (const protocol of BFT_PROTOCOLS) {
    for (const cell of cells) {
      for (let k = 0; k < p.adversarySeeds; k++) {
        const seed = p.seed + k;
        const r = build(protocol, {
          seed,
          n: p.nodes,
          network: network(p),
          byzantine: [{ nodes: cell.traitors, strategies: cell.strategies }],
        });
        installWorkload(
          r.sim,
          kvClientDriver({ followLeader: true }),
          kvOpGenerator({ keys: 3 }),
          {
            mode: "closed",
            clients: p.clients,
            endMs: p.adversaryMs + MATRIX_LIVENESS_MS,
            ...BFT_KV_CLIENT,
          },
        );
        r.sim.run({ untilMs: p.adversaryMs });
        r.repairAll();
        const healMs = r.sim.nowMs;
        r.sim.run({ untilMs: healMs + MATRIX_LIVENESS_MS });
        const b = r.inv.breaches.find((x) => x.invariant === "agreement");
        const culprits = b?.culprits.map((c) => c.node) ?? [];
        rows.push({
          protocol,
          strategy: cell.label,
          traitors: cell.traitors,
          f,
          seed,
          decided: r.inv.decidedSlots,
          breaches: r.inv.breaches.length,
          culprits,
          honestCulprits: culprits.filter((c) => !cell.traitors.includes(c)),
          liveAfterHeal: r.inv.liveness(healMs, MATRIX_LIVENESS_MS).ok,
        });
      }
    }
  }
  return rows;
}

/**
 * Claims of the matrix: with at most f traitors no breach and decisions after the heal, for every
 * strategy and protocol; with f + 1 equivocators agreement breaks and at least f + 1 culprits are
 * named, none of them honest.
 */
export function checkAdversaryMatrix(rows: readonly AdversaryRow[]): Claim[] {
  const out: Claim[] = [];
  for (const protocol of BFT_PROTOCOLS) {
    const mine = rows.filter((r) => r.protocol === protocol);
    const within = mine.filter((r) => r.traitors.length <= r.f);
    const beyond = mine.filter((r) => r.traitors.length > r.f);
    const unsafe = within.filter((r) => r.breaches > 0);
    const stuck = within.filter((r) => !r.liveAfterHeal);
    out.push(claim(
      `${protocol}: with at most f traitors, no strategy breaks agreement or validity, and ` +
        `decisions resume within ${MATRIX_LIVENESS_MS} ms of the heal`,
      within.length > 0 && unsafe.length === 0 && stuck.length === 0,
      `${within.length} runs` +
        (unsafe.length ? `; breach under ${unsafe[0].strategy} seed ${unsafe[0].seed}` : "") +
        (stuck.length
          ? `; no decision after heal under ${stuck[0].strategy} seed ${stuck[0].seed}`
          : ""),
    ));
    const missed = beyond.filter((r) => r.breaches === 0);
    const few = beyond.filter((r) => r.breaches > 0 && r.culprits.length < r.f + 1);
    const wrong = beyond.filter((r) => r.honestCulprits.length > 0);
    out.push(claim(
      `${protocol}: a coalition of f + 1 equivocators breaks agreement, and the checker names at ` +
        `least f + 1 culprits, all of them Byzantine`,
      beyond.length > 0 && missed.length === 0 && few.length === 0 && wrong.length === 0,
      `${beyond.length} runs; culprits: ${
        beyond.map((r) => r.culprits.join(",") || "none").join(" | ")
      }` +
        (wrong.length ? `; honest replica named: ${wrong[0].honestCulprits.join(",")}` : ""),
    ));
  }
  return out;
}

// ---- PBFT and Tendermint side by side ------------------------------------------------------------

/** One protocol's run of the side-by-side comparison. */
export interface SideRun {
  readonly protocol: BftProtocol;
  readonly history: readonly HistoryEvent[];
  readonly ops: readonly Operation[];
  /** Linearizability verdict of the key-value history. */
  readonly verdict: Verdict;
  /** Breaches of the BFT checker (none expected). */
  readonly breaches: number;
  readonly okOps: number;
  /** Client-side latency of ok operations (ms). */
  readonly latenciesMs: readonly number[];
  /** Slots decided by honest replicas. */
  readonly decided: number;
  /** Messages sent during the run (protocol and client traffic). */
  readonly messages: number;
  /** Decisions made during the partition, per side ("isolated" n? and "rest"). */
  readonly partitionDecisions: {
    readonly side: string;
    readonly replicas: string;
    readonly decisions: number;
  }[];
  /** Fault windows for charts. */
  readonly faults: FaultWindow[];
  /** Which replica the partition isolated. */
  readonly isolated: NodeId;
  /** Longest gap between two ok completions (ms) and where it started. */
  readonly longestStallMs: number;
  readonly longestStallFromMs: number;
}

/** The fault schedule shared by both protocols. */
export function sideBySideSchedule(p: BftParams): { schedule: unknown[]; isolated: NodeId } {
  const isolated = `n${p.nodes - 1}`;
  return {
    isolated,
    schedule: [
      { atMs: p.crashAtMs, type: "crash", node: "n0" },
      { atMs: p.crashAtMs + p.crashForMs, type: "restart", node: "n0" },
      { atMs: p.partitionAtMs, type: "isolate", node: isolated },
      { atMs: p.partitionAtMs + p.partitionForMs, type: "heal" },
    ],
  };
}

/**
 * The same key-value workload (closed-loop clients following leader hints) and the same faults
 * on PBFT and on Tendermint: a lossy network all along, n0 crashed then restarted, then one
 * replica isolated then healed. Returns one {@link SideRun} per protocol.
 */
export function sideBySide(p: BftParams): SideRun[] {
  const { schedule, isolated } = sideBySideSchedule(p);
  return BFT_PROTOCOLS.map((protocol) => {
    const r = build(protocol, {
      seed: p.seed,
      n: p.nodes,
      network: network(p),
      nemesis: schedule,
    });
    const w = installWorkload(
      r.sim,
      kvClientDriver({ followLeader: true }),
      kvOpGenerator({ keys: 3 }),
      { mode: "closed", clients: p.clients, endMs: p.runMs - 500, ...BFT_KV_CLIENT },
    );
    const from = p.partitionAtMs, to = p.partitionAtMs + p.partitionForMs;
    const perReplica = new Map<NodeId, Set<number>>();
    r.sim.onEvent((e) => {
      if (e.event.type !== "bft-decide" || e.t < from || e.t >= to) return;
      let s = perReplica.get(e.node);
      if (!s) perReplica.set(e.node, s = new Set());
      s.add((e.event as unknown as BftDecideEvent).slot);
    });
    r.sim.run({ untilMs: p.runMs });
    const ops = pairOperations(w.history);
    const ok = ops.filter((o) => o.status === "ok").sort((a, b) => a.completeMs - b.completeMs);
    let longestStallMs = 0, longestStallFromMs = 0;
    for (let i = 1; i < ok.length; i++) {
      const gap = ok[i].completeMs - ok[i - 1].completeMs;
      if (gap > longestStallMs) [longestStallMs, longestStallFromMs] = [gap, ok[i - 1].completeMs];
    }
    const rest = r.sim.serverIds.filter((id) => id !== isolated);
    const restDecisions = new Set<number>();
    for (const id of rest) for (const s of perReplica.get(id) ?? []) restDecisions.add(s);
    return {
      protocol,
      history: w.history,
      ops,
      verdict: checkLinearizability(w.history, kvModel({ initial: null })).verdict,
      breaches: r.inv.breaches.length,
      okOps: ok.length,
      latenciesMs: ok.map((o) => latencyMs(o)!).filter((x) => Number.isFinite(x)),
      decided: r.inv.decidedSlots,
      messages: r.sim.stats.sent,
      partitionDecisions: [
        {
          side: `isolated (${isolated})`,
          replicas: isolated,
          decisions: perReplica.get(isolated)?.size ?? 0,
        },
        { side: "rest", replicas: rest.join(" "), decisions: restDecisions.size },
      ],
      faults: r.faultWindows(p.runMs),
      isolated,
      longestStallMs,
      longestStallFromMs,
    };
  });
}

/** Ok operations per second in windows, one series per protocol (for a throughput chart). */
export function sideThroughput(runs: readonly SideRun[], windowMs: number, runMs: number) {
  return runs.flatMap((r) =>
    perWindow(r.ops, { windowMs, fromMs: 0, toMs: runMs - 500 }).map((w) => ({
      series: r.protocol,
      startMs: w.startMs,
      endMs: w.endMs,
      ok: w.ok,
      opsPerSec: w.throughputPerSec,
    }))
  );
}

/**
 * Claims of the comparison: both histories linearizable with no BFT breach; during the partition
 * the isolated replica (one of n, below any quorum) decides nothing while the rest (n − 1 ≥ 2f + 1)
 * keep deciding; both protocols make progress again after each fault.
 */
export function checkSideBySide(runs: readonly SideRun[], p: BftParams): Claim[] {
  const f = Math.floor((p.nodes - 1) / 3);
  const quorum = Math.ceil((p.nodes + f + 1) / 2);
  return runs.flatMap((r) => {
    const isolated = r.partitionDecisions[0].decisions;
    const rest = r.partitionDecisions[1].decisions;
    const restCanDecide = p.nodes - 1 >= quorum;
    return [
      claim(
        `${r.protocol}: the key-value history is linearizable and the BFT checker records no breach`,
        r.verdict === "ok" && r.breaches === 0,
        `linearizability ${r.verdict}, ${r.breaches} breaches, ${r.okOps} ok operations, ` +
          `${r.decided} slots decided`,
      ),
      claim(
        `${r.protocol}: during the partition the isolated replica decides nothing (1 < quorum ` +
          `${quorum}); the other ${p.nodes - 1} ` +
          (restCanDecide ? `(≥ quorum) keep deciding` : `(< quorum) stop too`),
        isolated === 0 && (restCanDecide ? rest > 0 : rest === 0),
        `isolated ${r.isolated}: ${isolated} decisions; rest: ${rest}`,
      ),
    ];
  });
}

/** The q-quantile of `xs` (NaN when empty), for tables of latencies. */
export function quantile(xs: readonly number[], q: number): number {
  return d3quantile(xs, q) ?? NaN;
}

// ---- measurements beside theory -------------------------------------------------------------------

/** Messages and latency of one decision at one n, measured beside theory. */
export interface ScaleRow {
  readonly protocol: BftProtocol;
  readonly n: number;
  /** Messages of one decision, counted from the run. */
  readonly messages: number;
  /** PBFT 2n² − n + 1; Tendermint (n − 1) + 2n(n − 1). */
  readonly theoryMessages: number;
  /** PBFT: request to the client's f + 1 replies; Tendermint: proposal to decision (in δ). */
  readonly latencyDelta: number;
  /** 5 for PBFT, 3 for Tendermint. */
  readonly theoryLatencyDelta: number;
}

/**
 * Messages per decision and latency in δ for every n of `scaleNodes`, both protocols, on a network
 * with the constant delay δ (no batching, one request; Tendermint's gossip re-broadcast off).
 */
export function scaleTable(p: Notebook03Params): ScaleRow[] {
  const ns = [...p.scaleNodes];
  const pm = pbftMessagesPerDecision({ ns, deltaMs: p.deltaMs, seed: p.seed });
  const pl = pbftLatency({ ns, deltaMs: p.deltaMs, seed: p.seed, requests: 3 });
  const tr = tendermintMessageRows({ ns, deltaMs: p.deltaMs, seed: p.seed });
  return [
    ...pm.map((r, i) => ({
      protocol: "pbft" as const,
      n: r.n,
      messages: r.measured,
      theoryMessages: r.theory,
      latencyDelta: pl[i].latencyDelta,
      theoryLatencyDelta: pl[i].theoryDelta,
    })),
    ...tr.map((r) => ({
      protocol: "tendermint" as const,
      n: r.n,
      messages: r.messages,
      theoryMessages: r.theoryMessages,
      latencyDelta: r.latencyDelta,
      theoryLatencyDelta: r.theoryLatencyDelta,
    })),
  ];
}

/** Claims of the scale table: exact message counts and latencies, for each protocol. */
export function checkScale(rows: readonly ScaleRow[]): Claim[] {
  return BFT_PROTOCOLS.flatMap((protocol) => {
    const mine = rows.filter((r) => r.protocol === protocol);
    const formula = protocol === "pbft" ? "2n² − n + 1" : "(n − 1) + 2n(n − 1)";
    const badM = mine.filter((r) => r.messages !== r.theoryMessages);
    const badL = mine.filter((r) => Math.abs(r.latencyDelta - r.theoryLatencyDelta) > 1e-9);
    const steps = protocol === "pbft" ? 5 : 3;
    return [
      claim(
        `${protocol}: one decision costs ${formula} messages`,
        mine.length > 0 && badM.length === 0,
        mine.map((r) => `n=${r.n}: ${r.messages} vs ${r.theoryMessages}`).join(", "),
      ),
      claim(
        `${protocol}: ${
          protocol === "pbft" ? "request to f + 1 replies" : "proposal to decision"
        } takes ${steps}δ on a constant-δ network`,
        mine.length > 0 && badL.length === 0,
        mine.map((r) => `n=${r.n}: ${+r.latencyDelta.toFixed(3)}δ`).join(", "),
      ),
    ];
  });
}

/** The cost of a failed leader, one row per protocol and fault. */
export interface LeaderFailureRow {
  readonly protocol: BftProtocol;
  /** What the leader (PBFT primary, Tendermint proposer) did. */
  readonly fault: string;
  /** From the fault (PBFT) or the height's start (Tendermint) to the next decision (ms). */
  readonly timeToDecisionMs: number;
  /** Messages sent meanwhile. */
  readonly messages: number;
  /** The time the timeouts predict (ms), or NaN where no exact prediction exists. */
  readonly theoryMs: number;
  /** How the prediction is made up. */
  readonly theory: string;
}

/** PBFT's client retransmission timeout (the PbftClient default), part of the view-change time. */
export const PBFT_CLIENT_TIMEOUT_MS = 300;

/**
 * PBFT's view change after a crashed, silent and equivocating primary (view-change timer T = 20δ)
 * and Tendermint's round change after a crashed, silent and equivocating proposer, at `nodes`.
 */
export function leaderFailureTable(p: Notebook03Params): LeaderFailureRow[] {
  const T = 20 * p.deltaMs;
  const pv = pbftViewChangeCost({
    n: p.nodes,
    deltaMs: p.deltaMs,
    viewChangeTimeoutMs: T,
    seed: p.seed,
  });
  const tv = tendermintRoundChangeRows({ n: p.nodes, deltaMs: p.deltaMs, seed: p.seed });
  return [
    ...pv.map((r) => {
      const exact = r.fault !== "equivocate";
      return {
        protocol: "pbft" as const,
        fault: r.fault,
        timeToDecisionMs: r.timeToDecisionMs,
        messages: r.messages,
        theoryMs: exact ? PBFT_CLIENT_TIMEOUT_MS + T + 5 * p.deltaMs : NaN,
        theory: exact
          ? `client timeout ${PBFT_CLIENT_TIMEOUT_MS} + T ${T} + 5δ (relay, VIEW-CHANGE, NEW-VIEW, prepare, commit)`
          : `depends on what the split primary gets through; at least T`,
      };
    }),
    ...tv.map((r) => ({
      protocol: "tendermint" as const,
      fault: r.proposer,
      timeToDecisionMs: r.decisionMs,
      messages: r.messages,
      theoryMs: r.proposer === "equivocating" ? NaN : r.theoryMs,
      theory: r.proposer === "honest"
        ? "3δ"
        : r.proposer === "equivocating"
        ? `at most ${r.theoryMs} (a round change), 3δ if one value gets a polka`
        : "timeoutPropose + 2δ + timeoutPrecommit + 3δ",
    })),
  ];
}

/** Claims of the leader-failure table: the exact predictions hold, the others respect their bound. */
export function checkLeaderFailure(
  rows: readonly LeaderFailureRow[],
  p: Notebook03Params,
): Claim[] {
  const T = 20 * p.deltaMs;
  const exact = rows.filter((r) => Number.isFinite(r.theoryMs));
  const wrong = exact.filter((r) => Math.abs(r.timeToDecisionMs - r.theoryMs) > 1e-6);
  const pbftEq = rows.filter((r) => r.protocol === "pbft" && !Number.isFinite(r.theoryMs));
  return [
    claim(
      "a crashed or silent leader costs exactly what the timeouts predict (PBFT: client timeout + " +
        "T + 5δ; Tendermint: timeoutPropose + 2δ + timeoutPrecommit + 3δ)",
      exact.length > 0 && wrong.length === 0,
      exact.map((r) =>
        `${r.protocol} ${r.fault}: ${Math.round(r.timeToDecisionMs)} vs ${r.theoryMs}`
      )
        .join("; "),
    ),
    claim(
      "an equivocating PBFT primary is replaced too: the next decision comes in a later view, at " +
        "least T after the fault",
      pbftEq.length > 0 && pbftEq.every((r) => r.timeToDecisionMs >= T),
      pbftEq.map((r) => `${r.fault}: ${Math.round(r.timeToDecisionMs)} ms ≥ T = ${T}`).join("; "),
    ),
  ];
}

/** Throughput at one batch or block size. */
export interface ThroughputRow {
  readonly protocol: BftProtocol;
  /** Requests per agreement: PBFT batch size, Tendermint block size. */
  readonly size: number;
  /** Client operations completed per simulated second. */
  readonly opsPerSec: number;
  /** Requests ordered per simulated second. */
  readonly orderedPerSec: number;
}

/** Throughput against batch size (PBFT) and block size (Tendermint), `nodes` replicas, 64 clients. */
export function throughputTable(p: Notebook03Params, sizes = [1, 4, 16, 64]): ThroughputRow[] {
  const pt = pbftThroughput({
    n: p.nodes,
    batchSizes: sizes,
    deltaMs: p.deltaMs / 2,
    seed: p.seed,
  });
  const tt = tendermintThroughputRows({
    n: p.nodes,
    blockSizes: sizes,
    deltaMs: p.deltaMs / 2,
    seed: p.seed,
  });
  return [
    ...pt.map((r) => ({
      protocol: "pbft" as const,
      size: r.batchSize,
      opsPerSec: r.requestsPerSec,
      orderedPerSec: r.decisionsPerSec * r.requestsPerDecision,
    })),
    ...tt.map((r) => ({
      protocol: "tendermint" as const,
      size: r.blockSize,
      opsPerSec: r.opsPerSec,
      orderedPerSec: r.txsPerSec,
    })),
  ];
}

/** Claim: batching raises throughput for both protocols (each size above the smallest beats it). */
export function checkThroughput(rows: readonly ThroughputRow[]): Claim[] {
  return BFT_PROTOCOLS.map((protocol) => {
    const mine = [...rows.filter((r) => r.protocol === protocol)].sort((a, b) => a.size - b.size);
    const base = mine[0];
    const worse = mine.slice(1).filter((r) => !(r.opsPerSec > base.opsPerSec));
    return claim(
      `${protocol}: larger ${protocol === "pbft" ? "batches" : "blocks"} order more requests per ` +
        `second than ${base?.size ?? "?"} per agreement (the n² votes are shared)`,
      mine.length > 1 && worse.length === 0,
      mine.map((r) => `${r.size}: ${Math.round(r.opsPerSec)}/s`).join(", "),
    );
  });
}

// ---- classic mistakes, caught -------------------------------------------------------------------------

/** Detection of one mistake in one scenario. */
export interface MistakeRow {
  readonly protocol: BftProtocol;
  readonly scenario: string;
  /** The flag switched on, or "none" (the control). */
  readonly mistake: string;
  readonly seeds: number;
  /** Seeds whose run the checker flagged (agreement or validity breach). */
  readonly detected: number;
  readonly rate: number;
  /** Whether the scenario was built for this mistake. */
  readonly targeted: boolean;
}

/** Run every scripted mistake scenario of both protocols on seeds 1..`seeds`, flag on and off. */
export function mistakeTable(seeds: number): MistakeRow[] {
  const rows: MistakeRow[] = [];
  for (const [name, s] of Object.entries(PBFT_MISTAKE_SCENARIOS)) {
    for (const on of [true, false]) {
      let detected = 0;
      for (let seed = 1; seed <= seeds; seed++) {
        if (runPbftMistake(name as keyof typeof PBFT_MISTAKE_SCENARIOS, seed, on).caught) {
          detected++;
        }
      }
      rows.push({
        protocol: "pbft",
        scenario: name,
        mistake: on ? s.mistake : "none",
        seeds,
        detected,
        rate: detected / seeds,
        targeted: on,
      });
    }
  }
  for (const r of tendermintDetectionRates(seeds)) {
    const targeted = (r.mistake === "prevoteIgnoresLock" && r.scenario.startsWith("lock-bypass")) ||
      (r.mistake === "unlockOnLowerRound" && r.scenario.startsWith("stale-pol"));
    rows.push({
      protocol: "tendermint",
      scenario: r.scenario,
      mistake: r.mistake,
      seeds: r.seeds,
      detected: r.detected,
      rate: r.rate,
      targeted,
    });
  }
  return rows;
}

/**
 * Claims of the mistake table: with every flag off nothing is flagged; every flag is caught in its
 * own scenario on at least half of the seeds.
 */
export function checkMistakes(rows: readonly MistakeRow[]): Claim[] {
  const control = rows.filter((r) => r.mistake === "none");
  const targeted = rows.filter((r) => r.targeted);
  const weak = targeted.filter((r) => r.rate < 0.5);
  return [
    claim(
      "with every mistake flag off, no scenario breaks agreement or validity",
      control.length > 0 && control.every((r) => r.detected === 0),
      control.map((r) => `${r.scenario}: ${r.detected}/${r.seeds}`).join("; "),
    ),
    claim(
      "each mistake is caught by the checker on at least half the seeds of its scenario",
      targeted.length > 0 && weak.length === 0,
      targeted.map((r) => `${r.mistake} in ${r.scenario}: ${r.detected}/${r.seeds}`).join("; "),
    ),
  ];
}

// ---- one decision, traced --------------------------------------------------------------------------

/** The traced run of one decision, for a space-time diagram. */
export interface OneDecision {
  readonly protocol: BftProtocol;
  /** Send/deliver/drop records of the protocol's messages, plus the protocol events. */
  readonly trace: readonly TraceRecord[];
  /** Nodes to draw, in lane order. */
  readonly nodes: readonly NodeId[];
  /** When the decision's first message went out, and when it completed (ms). */
  readonly startMs: number;
  readonly endMs: number;
  /** (end − start) / δ. */
  readonly deltas: number;
}

const DRAWN: Record<BftProtocol, ReadonlySet<string>> = {
  pbft: new Set(["REQUEST", "PRE-PREPARE", "PREPARE", "COMMIT", "REPLY"]),
  tendermint: new Set(["Proposal", "Prevote", "Precommit"]),
};

/**
 * One decision at n = 4 on a constant-δ network, fully traced: PBFT from a client's request to
 * its f + 1 replies, Tendermint from the proposal of height 1 to the first decision. Only the
 * messages of the decision are kept (Tendermint's periodic gossip is switched off).
 */
export function oneDecision(protocol: BftProtocol, deltaMs: number, seed = 1): OneDecision {
  const network = { latency: { kind: "constant" as const, ms: deltaMs } };
  let records: readonly TraceRecord[];
  let nodes: NodeId[];
  if (protocol === "pbft") {
    const c = pbftCluster({
      seed,
      n: 4,
      app: "counter",
      clients: 1,
      clientRequests: 1,
      network,
      pbft: { checkpointInterval: 1_000_000 },
    });
    c.sim.run({ untilMs: 20 * deltaMs });
    records = c.sim.trace.records;
    nodes = ["c0", ...c.nodes];
  } else {
    const c = tendermintCluster({
      seed,
      n: 4,
      network,
      tendermint: { gossipIntervalMs: 1e9, timeoutCommitMs: 100 * deltaMs },
    });
    c.sim.run({ untilMs: 10 * deltaMs });
    records = c.sim.trace.records;
    nodes = [...c.nodes];
  }
  const kept = records.filter((r) =>
    r.type === "send" || r.type === "deliver" || r.type === "drop"
      ? DRAWN[protocol].has((r.msg as { type?: string }).type ?? "")
      : r.type === "event" && r.event.type === "bft-decide"
  );
  const sends = kept.filter((r) => r.type === "send");
  const startMs = sends.length ? sends[0].t : NaN;
  const endMs = protocol === "pbft"
    ? kept.filter((r) => r.type === "deliver" && r.to === "c0").map((r) => r.t).sort((a, b) =>
      a - b
    )[1] ?? NaN // the client's second (f + 1 = 2) reply
    : kept.filter((r) => r.type === "event").map((r) => r.t)[0] ?? NaN;
  return { protocol, trace: kept, nodes, startMs, endMs, deltas: (endMs - startMs) / deltaMs };
}

// ---- five protocols on one harness --------------------------------------------------------------

/** One decision (a GRANDPA round) of one protocol at one n, measured beside theory. */
export interface FiveRow {
  readonly protocol: string;
  readonly n: number;
  readonly messages: number;
  readonly theoryMessages: number;
  /** From the proposal (PBFT: the client's request) to the decision, in δ (GRANDPA: in T). */
  readonly latencyDelta: number;
  /** Authenticators with QCs as signature sets (HotStuff only; NaN elsewhere). */
  readonly authenticators: number;
  /** Authenticators with threshold signatures (HotStuff only; NaN elsewhere). */
  readonly authenticatorsThreshold: number;
}

/**
 * PBFT, Tendermint, basic and chained HotStuff and GRANDPA on one constant-δ network, for every n
 * of `scaleNodes` (GRANDPA up to `grandpaMaxNodes`), with the rows behind them for the claims.
 */
export function fiveProtocols(p: Notebook03Params, scale: readonly ScaleRow[]) {
  const ns = [...p.scaleNodes];
  const hs = hotstuffMessageRows({ ns, deltaMs: p.deltaMs, seed: p.seed });
  const gns = ns.filter((n) => n <= p.grandpaMaxNodes);
  const gr = gns.length
    ? grandpaRoundRows({ ns: gns, gossipDelayMs: p.deltaMs, seed: p.seed, rounds: 3 })
    : [];
  const rows: FiveRow[] = [
    ...scale.map((r) => ({
      protocol: r.protocol,
      n: r.n,
      messages: r.messages,
      theoryMessages: r.theoryMessages,
      latencyDelta: r.latencyDelta,
      authenticators: NaN,
      authenticatorsThreshold: NaN,
    })),
    ...hs.map((r) => ({
      protocol: `hotstuff (${r.variant})`,
      n: r.n,
      messages: r.messages,
      theoryMessages: r.theoryMessages,
      latencyDelta: r.latencyDelta,
      authenticators: r.authenticators,
      authenticatorsThreshold: r.authenticatorsThreshold,
    })),
    ...gr.map((r) => ({
      protocol: "grandpa (a round)",
      n: r.n,
      messages: r.messagesPerRound,
      theoryMessages: r.theoryMessages,
      latencyDelta: r.maxFinalityT,
      authenticators: NaN,
      authenticatorsThreshold: NaN,
    })),
  ];
  return { rows, hotstuff: hs, grandpa: gr };
}
