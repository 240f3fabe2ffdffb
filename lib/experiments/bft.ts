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
import type { NodeId } from "../sim/types.ts";
import { installWorkload } from "../workload/client.ts";
import { type HistoryEvent, type Operation, pairOperations } from "../workload/history.ts";
import { latencyMs, perWindow } from "../workload/metrics.ts";
import type { BftInvariants } from "../protocols/bft/invariants.ts";
import type { BftDecideEvent } from "../protocols/bft/events.ts";
import { kvClientDriver, kvOpGenerator } from "../protocols/kv/client.ts";
import { pbftCluster } from "../protocols/pbft/cluster.ts";
import { tendermintCluster } from "../protocols/tendermint/cluster.ts";
import { type Claim, claim } from "./claims.ts";

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
      throughputPerSec: w.throughputPerSec,
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
