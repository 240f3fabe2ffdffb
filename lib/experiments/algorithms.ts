/**
 * Experiments of notebook 08 (distributed algorithms): election message complexity and election
 * time against theory as n grows (Chang–Roberts, Hirschberg–Sinclair, bully), what the elections
 * do under a partition and with a paused leader, and atomic commitment under failures (2PC
 * blocking, 3PC non-blocking under crashes and unsafe under a partition, Paxos Commit as the fix).
 * The runs come from `lib/protocols/election/measure.ts` and `lib/protocols/commit/scenarios.ts`
 * (the locking experiments from `./locks.ts`, whose parameters nest under `lock`); this module
 * adds the parameters, the predictions computed from them, and the claims.
 * @module
 */
import { z } from "zod";
import { deviation } from "d3-array";
import { parseConfig } from "../sim/errors.ts";
import type { NodeId, TraceRecord } from "../sim/types.ts";
import type { EmittedEvent } from "../sim/simulation.ts";
import { type StateInterval, stateIntervalsFromTrace } from "../viz/timeline.ts";
import { Rng } from "../sim/rng.ts";
import { type Claim, claim, notApplicable } from "./claims.ts";
import { type TendermintRoundChangeRow, tendermintRoundChangeRows } from "./bft_tendermint.ts";
import { LockParamsSchema } from "./locks.ts";
import {
  changRobertsAverage,
  changRobertsExact,
  changRobertsWorst,
  type ComplexityRow,
  electionComplexity,
  hirschbergSinclairBound,
  runBully,
  runRingElection,
  splitBrainIntervals,
} from "../protocols/election/mod.ts";
import {
  COMMIT_SCENARIOS,
  COMMIT_TIMING,
  type CommitScenario,
  type CommitScenarioResult,
  PAXOS_COMMIT_SETUP,
  runCommitScenario,
} from "../protocols/commit/mod.ts";

/** Parameters of notebook 08 (each field's documented range is the schema's). */
export const AlgorithmsParamsSchema = z.object({
  /** Root seed (random identifier orders; every run below derives from it). */
  seed: z.number().int().default(1),
  /** Ring and cluster sizes of the complexity sweep (each 2–128, no repeats, at least 3). */
  ringSizes: z.array(z.number().int().min(2, "a ring needs at least 2 nodes").max(128))
    .min(3, "a log-log slope needs at least 3 sizes").default([4, 8, 16, 32, 64]),
  /** Random identifier orders per size for the average rows (5–200). */
  trials: z.number().int().min(5).max(200).default(30),
  /** Nodes of the partition and pause scenarios (3–12). */
  clusterSize: z.number().int().min(3).max(12).default(5),
  /** Nodes n0..n(k−1) on the minority side of the partition (1 ≤ k < clusterSize). */
  partitionSide: z.number().int().min(1).default(2),
  /** When the partition starts (ms, 200–5000). */
  partitionAtMs: z.number().min(200).max(5000).default(500),
  /** How long the partition lasts (ms, 300–10000). */
  partitionMs: z.number().min(300).max(10_000).default(1500),
  /** When the leader pauses (ms, 200–5000). */
  pauseAtMs: z.number().min(200).max(5000).default(500),
  /** How long the leader stays paused (ms, 1–10000). */
  pauseMs: z.number().min(1).max(10_000).default(1000),
  /** The bully coordinator's heartbeat period (ms, 5–200). */
  heartbeatIntervalMs: z.number().min(5).max(200).default(20),
  /** Silence after which a bully node calls an election (ms, above the heartbeat period). */
  leaderTimeoutMs: z.number().min(10).max(2000).default(100),
  /** Garcia-Molina's T: wait for an answer from a higher node (ms, 2–500). */
  answerTimeoutMs: z.number().min(5, "must exceed a round trip (2 ms) with margin").max(500)
    .default(20),
  /** Length of each atomic-commitment run (ms, 3200–60000: past the 2PC restart at 3015 ms). */
  commitRunMs: z.number().min(3200).max(60_000).default(5000),
  /** The locking experiments' parameters (lib/experiments/locks.ts; every field optional). */
  lock: LockParamsSchema.default(() => LockParamsSchema.parse({})),
}).strict().superRefine((p, ctx) => {
  const seen = new Set<number>();
  p.ringSizes.forEach((n, i) => {
    if (seen.has(n)) {
      ctx.addIssue({ code: "custom", path: ["ringSizes", i], message: `duplicate size ${n}` });
    }
    seen.add(n);
  });
  if (p.partitionSide >= p.clusterSize) {
    ctx.addIssue({
      code: "custom",
      path: ["partitionSide"],
      message: `must leave nodes on the other side (below clusterSize ${p.clusterSize})`,
    });
  }
  const settled = p.leaderTimeoutMs + p.answerTimeoutMs + 2 * p.heartbeatIntervalMs;
  for (const field of ["partitionAtMs", "pauseAtMs"] as const) {
    if (p[field] < settled) {
      ctx.addIssue({
        code: "custom",
        path: [field],
        message: `the first leader is settled only after leaderTimeoutMs + answerTimeoutMs + ` +
          `2 × heartbeatIntervalMs = ${settled} ms`,
      });
    }
  }
  if (p.leaderTimeoutMs <= 2 * p.heartbeatIntervalMs) {
    ctx.addIssue({
      code: "custom",
      path: ["leaderTimeoutMs"],
      message: `must exceed two heartbeat periods (${2 * p.heartbeatIntervalMs} ms)`,
    });
  }
});

/** Parameters as written (every field optional). */
export type AlgorithmsParamsInput = z.input<typeof AlgorithmsParamsSchema>;
/** Parameters with defaults. */
export type AlgorithmsParams = z.output<typeof AlgorithmsParamsSchema>;

/** Parse notebook parameters (a ConfigError names any bad field). */
export function parseAlgorithmsParams(input: unknown): AlgorithmsParams {
  return parseConfig(AlgorithmsParamsSchema, input, "distributed-algorithms parameters");
}

/** Link delay of the election runs (measure.ts's default network: constant 1 ms). */
export const ELECTION_LINK_MS = 1;

const f1 = (x: number) => x.toFixed(1);

// ---- message complexity ------------------------------------------------------------------------

/** The complexity table of measure.ts for the notebook's sizes, seed and trials. */
export function complexityTable(p: AlgorithmsParams): ComplexityRow[] {
  const ns = [...p.ringSizes].sort((a, b) => a - b);
  return electionComplexity(ns, { trials: p.trials, seed: p.seed });
}

/** Least-squares slope of log(y) against log(x): the exponent k of y ∝ x^k. */
export function logLogSlope(points: readonly { x: number; y: number }[]): number {
  const xs = points.map((q) => Math.log(q.x));
  const ys = points.map((q) => Math.log(q.y));
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = ys.reduce((a, b) => a + b, 0) / ys.length;
  let num = 0, den = 0;
  for (let i = 0; i < xs.length; i++) {
    num += (xs[i] - mx) * (ys[i] - my);
    den += (xs[i] - mx) ** 2;
  }
  return num / den;
}

/**
 * Standard deviation of the Chang–Roberts count over uniformly random orders (every node an
 * initiator), from the exact count of `samples` orders (measure.ts's `changRobertsExact`).
 */
function crSpread(n: number, samples: number, seed: number): number {
  const rng = new Rng(seed).fork("cr-spread");
  const base = Array.from({ length: n }, (_, i) => i + 1);
  const xs = Array.from({ length: samples }, () => changRobertsExact(rng.shuffle(base)));
  return deviation(xs) ?? 0;
}

/**
 * Claims on the complexity table: Chang–Roberts's worst case is exactly n(n+1)/2 and its mean over
 * random orders is n·H_n (within 4 standard errors); Hirschberg–Sinclair stays within
 * 8n(1+⌈log2 n⌉) on every order tried; the bully count from the lowest caller is n²+n−3 with equal
 * delays and n−1 from the highest; the log-log slopes are 2 for the quadratic cases and match
 * theory's slope for the n log n ones; election time grows linearly on the rings (Chang–Roberts:
 * exactly 2n−1 link delays) and is constant for the bully.
 */
export function checkComplexity(rows: readonly ComplexityRow[], p: AlgorithmsParams): Claim[] {
  const of = (alg: ComplexityRow["algorithm"], c: ComplexityRow["case"]) =>
    rows.filter((r) => r.algorithm === alg && r.case === c).sort((a, b) => a.n - b.n);
  const crW = of("changRoberts", "worst");
  const crA = of("changRoberts", "average");
  const hsM = of("hirschbergSinclair", "max");
  const bW = of("bully", "worst");
  const bB = of("bully", "best");
  const list = (rs: readonly ComplexityRow[]) =>
    rs.map((r) => `n=${r.n}: ${f1(r.measured)} vs ${f1(r.theory)}`).join("; ");
  const out: Claim[] = [];
  out.push(claim(
    "Chang–Roberts, UIDs decreasing clockwise: exactly n(n+1)/2 election messages",
    crW.length > 0 && crW.every((r) => r.measured === changRobertsWorst(r.n)),
    list(crW),
  ));
  const crOk = crA.map((r) => {
    const se = crSpread(r.n, 200, p.seed) / Math.sqrt(p.trials);
    return { r, se, ok: Math.abs(r.measured - changRobertsAverage(r.n)) <= 4 * se + 0.5 };
  });
  out.push(claim(
    `Chang–Roberts over ${p.trials} random orders: mean = n·H_n within 4 standard errors`,
    crOk.length > 0 && crOk.every((x) => x.ok),
    crOk.map((x) => `n=${x.r.n}: ${f1(x.r.measured)} vs ${f1(x.r.theory)} ± ${f1(4 * x.se)}`)
      .join("; "),
  ));
  out.push(claim(
    "Hirschberg–Sinclair: at most 8n(1+⌈log2 n⌉) probes and replies on every order tried",
    hsM.length > 0 && hsM.every((r) => r.measured <= hirschbergSinclairBound(r.n)),
    list(hsM),
  ));
  out.push(claim(
    "bully, the lowest node calls with equal link delays: n²+n−3 messages; the highest: n−1",
    bW.length > 0 && bW.every((r) => r.measured === r.n * r.n + r.n - 3) &&
      bB.every((r) => r.measured === r.n - 1),
    `${list(bW)}; best ${bB.map((r) => `n=${r.n}: ${r.measured}`).join(", ")}`,
  ));
  const slope = (rs: readonly ComplexityRow[], key: "measured" | "theory" | "timeMs") =>
    logLogSlope(rs.map((r) => ({ x: r.n, y: r[key] })));
  const nMin = crW[0]?.n ?? 2, nMax = crW[crW.length - 1]?.n ?? 2;
  out.push(claim(
    `election time, ${ELECTION_LINK_MS} ms links: Chang–Roberts exactly 2n−1 delays (the ` +
      "maximum's n hops, then n−1 of announcement), bully 2 delays at every n",
    crW.every((r) => r.timeMs === (2 * r.n - 1) * ELECTION_LINK_MS) &&
      bW.every((r) => r.timeMs === 2 * ELECTION_LINK_MS),
    `CR ${crW.map((r) => r.timeMs).join("/")} ms, bully ${bW.map((r) => r.timeMs).join("/")} ms ` +
      `for n = ${crW.map((r) => r.n).join("/")}`,
  ));
  const slopesText = "log-log slopes over the sizes: Chang–Roberts worst, bully and the " +
    "Chang–Roberts average follow their formulas' slopes (±0.15), Hirschberg–Sinclair's messages " +
    "grow no faster than its n log n bound (+0.15) and its time linearly (1 ± 0.15)";
  if (nMin < 4 || nMax / nMin < 8) {
    out.push(notApplicable(
      slopesText,
      `sizes ${nMin}–${nMax}: a slope needs n ≥ 4 and a range of at least 8× (lower-order terms ` +
        "dominate below)",
    ));
  } else {
    const s = {
      crW: slope(crW, "measured"),
      crWT: slope(crW, "theory"),
      bW: slope(bW, "measured"),
      bWT: slope(bW, "theory"),
      crA: slope(crA, "measured"),
      crAT: slope(crA, "theory"),
      hs: slope(hsM, "measured"),
      hsT: slope(hsM, "theory"),
      hsTime: slope(hsM, "timeMs"),
    };
    out.push(claim(
      slopesText,
      Math.abs(s.crW - s.crWT) <= 0.15 && Math.abs(s.bW - s.bWT) <= 0.15 &&
        Math.abs(s.crA - s.crAT) <= 0.15 && s.hs <= s.hsT + 0.15 && Math.abs(s.hsTime - 1) <= 0.15,
      `CR worst ${s.crW.toFixed(2)} (n(n+1)/2: ${s.crWT.toFixed(2)}), bully ${s.bW.toFixed(2)} ` +
        `(${s.bWT.toFixed(2)}), CR average ${s.crA.toFixed(2)} (n·H_n: ${s.crAT.toFixed(2)}), ` +
        `HS ${s.hs.toFixed(2)} (bound ${s.hsT.toFixed(2)}), HS time ${s.hsTime.toFixed(2)}`,
    ));
  }
  return out;
}

// ---- partition and pause -----------------------------------------------------------------------

/** One split-brain interval: two or more nodes believed themselves leader. */
export interface SplitRow {
  /** Start (ms). */
  readonly fromMs: number;
  /** End (ms). */
  readonly toMs: number;
  /** The self-believed leaders. */
  readonly leaders: readonly NodeId[];
}

/** What the elections did under a partition and with a paused leader. */
export interface ElectionFaultsResult {
  /** Bully under the partition: split-brain intervals. */
  readonly bullyPartition: readonly SplitRow[];
  /** Bully under the partition: each node's final leader (after the heal). */
  readonly bullyPartitionFinal: Readonly<Record<NodeId, NodeId | null>>;
  /** Bully under the partition: who each node believed was leader, over time. */
  readonly bullyPartitionBeliefs: readonly StateInterval[];
  /** Bully with the paused leader: who each node believed was leader ("paused" while paused). */
  readonly bullyPauseBeliefs: readonly StateInterval[];
  /** Bully with the paused leader: split-brain intervals. */
  readonly bullyPause: readonly SplitRow[];
  /** Bully with the paused leader: each node's final leader. */
  readonly bullyPauseFinal: Readonly<Record<NodeId, NodeId | null>>;
  /** Ring elections partitioned from the start: how many nodes learned a leader. */
  readonly ringPartitionLeaders: Readonly<Record<string, number>>;
  /** Ring elections with node n(k) paused from the start: messages and time, with and without. */
  readonly ringPause: readonly {
    algorithm: string;
    messages: number;
    messagesUnpaused: number;
    timeMs: number;
    timeUnpausedMs: number;
  }[];
  /** The ring's UIDs (a random order from the seed). */
  readonly ringUids: readonly number[];
  /** End of the bully runs (ms). */
  readonly untilMs: number;
}

const ids = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
const finalRecord = (m: ReadonlyMap<NodeId, NodeId | undefined>) =>
  Object.fromEntries([...m].map(([k, v]) => [k, v ?? null]));

/**
 * Each node's belief over time from a bully run's `leader` events: "leader (self)" or
 * "follows nX", "paused" during `pause`, "no leader" before the first belief.
 */
export function beliefIntervals(
  events: readonly EmittedEvent[],
  endMs: number,
  pause?: { node: NodeId; atMs: number; durationMs: number },
): StateInterval[] {
  const records: TraceRecord[] = events.map((e) => ({
    type: "event",
    t: e.t,
    node: e.node,
    event: e.event,
  }));
  if (pause) {
    const at = records.findIndex((r) => r.t > pause.atMs);
    records.splice(at < 0 ? records.length : at, 0, {
      type: "pause",
      t: pause.atMs,
      node: pause.node,
      durationMs: pause.durationMs,
    });
  }
  return stateIntervalsFromTrace(records, {
    endMs,
    initialState: "no leader",
    stateOf: (r) =>
      r.type === "event" && r.event.type === "leader"
        ? {
          node: r.node,
          state: r.event.leader === r.node ? "leader (self)" : `follows ${String(r.event.leader)}`,
        }
        : undefined,
  });
}

/** The minority side n0..n(k−1) and the rest. */
export function partitionGroups(p: AlgorithmsParams): [NodeId[], NodeId[]] {
  const all = ids(p.clusterSize).map((i) => `n${i - 1}`);
  return [all.slice(0, p.partitionSide), all.slice(p.partitionSide)];
}

/** Run the bully and the two ring elections under the notebook's partition and pause. */
export function electionFaults(p: AlgorithmsParams): ElectionFaultsResult {
  const untilMs = Math.max(p.partitionAtMs + p.partitionMs, p.pauseAtMs + p.pauseMs) + 1000;
  const config = {
    heartbeatIntervalMs: p.heartbeatIntervalMs,
    leaderTimeoutMs: p.leaderTimeoutMs,
    answerTimeoutMs: p.answerTimeoutMs,
  };
  const uids = ids(p.clusterSize);
  const top = `n${p.clusterSize - 1}`;
  const part = runBully(uids, {
    seed: p.seed,
    config,
    nemesis: [
      { atMs: p.partitionAtMs, type: "partition", groups: partitionGroups(p) },
      { atMs: p.partitionAtMs + p.partitionMs, type: "heal" },
    ],
    untilMs,
  });
  const pause = runBully(uids, {
    seed: p.seed,
    config,
    nemesis: [{ atMs: p.pauseAtMs, type: "pause", node: top, durationMs: p.pauseMs }],
    untilMs,
  });
  const ringUids = new Rng(p.seed).fork("ring-uids").shuffle(uids);
  const [left, right] = partitionGroups(p);
  const ringPartitionLeaders: Record<string, number> = {};
  const ringPause = [];
  for (const alg of ["changRoberts", "hirschbergSinclair"] as const) {
    const r = runRingElection(alg, ringUids, {
      seed: p.seed,
      nemesis: [{ atMs: 0, type: "partition", groups: [left, right] }],
      untilMs,
    });
    ringPartitionLeaders[alg] = [...r.leaders.values()].filter((l) => l !== undefined).length;
    const base = runRingElection(alg, ringUids, { seed: p.seed });
    const paused = runRingElection(alg, ringUids, {
      seed: p.seed,
      nemesis: [{ atMs: 0, type: "pause", node: `n${p.partitionSide}`, durationMs: p.pauseMs }],
      untilMs: p.pauseMs + 10_000,
    });
    ringPause.push({
      algorithm: alg,
      messages: paused.electionMessages,
      messagesUnpaused: base.electionMessages,
      timeMs: paused.electionTimeMs,
      timeUnpausedMs: base.electionTimeMs,
    });
  }
  return {
    bullyPartition: splitBrainIntervals(part.events, untilMs),
    bullyPartitionFinal: finalRecord(part.leaders),
    bullyPartitionBeliefs: beliefIntervals(part.events, untilMs),
    bullyPauseBeliefs: beliefIntervals(pause.events, untilMs, {
      node: top,
      atMs: p.pauseAtMs,
      durationMs: p.pauseMs,
    }),
    bullyPause: splitBrainIntervals(pause.events, untilMs),
    bullyPauseFinal: finalRecord(pause.leaders),
    ringPartitionLeaders,
    ringPause,
    ringUids,
    untilMs,
  };
}

/**
 * When the survivors' bully takes over after the leader goes silent at `atMs`: the last heartbeat
 * arrived within one period before (plus one link delay), the leader timeout runs, then T.
 */
export function predictedTakeoverWindow(p: AlgorithmsParams, atMs: number): [number, number] {
  const wait = p.leaderTimeoutMs + p.answerTimeoutMs;
  return [atMs - p.heartbeatIntervalMs + wait, atMs + ELECTION_LINK_MS + wait + 2];
}

/**
 * Claims on the fault runs: the bully elects one leader per side of a partition (the highest of
 * each side), starting within the predicted takeover window and ending within one heartbeat
 * of the heal; a paused leader leaves two self-believed leaders from the takeover until it
 * resumes (when the pause outlasts the takeover); ring elections elect nobody when the ring is
 * cut, and a paused ring node delays the election by the pause without changing the count.
 */
export function checkElectionFaults(r: ElectionFaultsResult, p: AlgorithmsParams): Claim[] {
  const [left, right] = partitionGroups(p);
  const top = right[right.length - 1];
  const out: Claim[] = [];
  const [lo, hi] = predictedTakeoverWindow(p, p.partitionAtMs);
  const heal = p.partitionAtMs + p.partitionMs;
  const sp = r.bullyPartition;
  const want = [left[left.length - 1], top].sort();
  const finals = (m: Readonly<Record<NodeId, NodeId | null>>) =>
    `; final ${[...new Set(Object.values(m))].join(",")}`;
  const spans = (xs: readonly SplitRow[]) =>
    xs.length
      ? xs.map((s) => `${s.leaders.join("+")} ${s.fromMs}–${s.toMs} ms`).join("; ")
      : "none";
  const partText = `bully, partition ${left.join(",")} | ${
    right.join(",")
  } at ${p.partitionAtMs} ms`;
  if (heal < lo) {
    out.push(claim(
      `${partText}: heals at ${heal} ms, before the minority's takeover (${lo}–${hi} ms): one leader`,
      sp.length === 0 && Object.values(r.bullyPartitionFinal).every((l) => l === top),
      spans(sp) + finals(r.bullyPartitionFinal),
    ));
  } else if (heal <= hi) {
    out.push(notApplicable(
      `${partText}: two leaders until the heal`,
      `the heal (${heal} ms) falls inside the takeover window ${lo}–${hi} ms`,
    ));
  } else {
    out.push(claim(
      `${partText}: two leaders (${want.join(" and ")}) from ${lo}–${hi} ms until ` +
        `${heal}–${heal + p.heartbeatIntervalMs + 2} ms, then one (${top})`,
      sp.length === 1 && JSON.stringify(sp[0].leaders) === JSON.stringify(want) &&
        sp[0].fromMs >= lo && sp[0].fromMs <= hi && sp[0].toMs >= heal &&
        sp[0].toMs <= heal + p.heartbeatIntervalMs + 2 &&
        Object.values(r.bullyPartitionFinal).every((l) => l === top),
      spans(sp) + finals(r.bullyPartitionFinal),
    ));
  }
  const [plo, phi] = predictedTakeoverWindow(p, p.pauseAtMs);
  const resume = p.pauseAtMs + p.pauseMs;
  const second = `n${p.clusterSize - 2}`;
  const pauseText = `bully, leader ${top} paused ${p.pauseMs} ms at ${p.pauseAtMs} ms`;
  if (resume < plo) {
    out.push(claim(
      `${pauseText}: resumes at ${resume} ms, before the takeover (${plo}–${phi} ms): one leader`,
      r.bullyPause.length === 0 && Object.values(r.bullyPauseFinal).every((l) => l === top),
      spans(r.bullyPause) + finals(r.bullyPauseFinal),
    ));
  } else if (resume <= phi + 2) {
    out.push(notApplicable(
      `${pauseText}: two leaders until it resumes`,
      `the resume (${resume} ms) falls inside the takeover window ${plo}–${phi} ms`,
    ));
  } else {
    const s = r.bullyPause;
    out.push(claim(
      `${pauseText}: two leaders (${second}, ${top}) from ${plo}–${phi} ms until it resumes ` +
        `(${resume}–${resume + 10} ms), then ${top} again`,
      s.length === 1 && JSON.stringify(s[0].leaders) === JSON.stringify([second, top].sort()) &&
        s[0].fromMs >= plo && s[0].fromMs <= phi && s[0].toMs >= resume &&
        s[0].toMs <= resume + 10 && Object.values(r.bullyPauseFinal).every((l) => l === top),
      spans(s) + finals(r.bullyPauseFinal),
    ));
  }
  out.push(claim(
    "ring elections cut by a partition elect nobody (no leader rather than two)",
    Object.values(r.ringPartitionLeaders).every((c) => c === 0),
    Object.entries(r.ringPartitionLeaders).map(([a, c]) => `${a}: ${c} nodes learned a leader`)
      .join("; "),
  ));
  out.push(claim(
    `a ring node paused ${p.pauseMs} ms: the same message count, the election ends after the pause`,
    r.ringPause.every((x) =>
      x.messages === x.messagesUnpaused && x.timeMs >= p.pauseMs &&
      x.timeMs <= p.pauseMs + x.timeUnpausedMs + 2 * p.clusterSize * ELECTION_LINK_MS
    ),
    r.ringPause.map((x) =>
      `${x.algorithm}: ${x.messages} vs ${x.messagesUnpaused} msgs, ${x.timeMs} vs ${x.timeUnpausedMs} ms`
    ).join("; "),
  ));
  return out;
}

// ---- atomic commitment -------------------------------------------------------------------------

/** The fixed timing of `runCommitScenario` (re-exported from the scenarios module). */
export { COMMIT_TIMING };

/** One atomic-commitment scenario's row for the notebook's table. */
export interface CommitRow {
  /** Which scenario. */
  readonly scenario: CommitScenario;
  /** Checker verdict: ok, or the violated conditions. */
  readonly verdict: string;
  /** Each participant's decision. */
  readonly decisions: string;
  /** Longest time in doubt (ms). */
  readonly maxInDoubtMs: number;
  /** Protocol messages. */
  readonly messages: number;
}

/** Run every commit scenario with the notebook's seed and run length. */
export function commitRuns(p: AlgorithmsParams): CommitScenarioResult[] {
  return COMMIT_SCENARIOS.map((s) => runCommitScenario(s, { seed: p.seed, runMs: p.commitRunMs }));
}

/** Table rows of the commit runs. */
export function commitRows(results: readonly CommitScenarioResult[]): CommitRow[] {
  return results.map((r) => ({
    scenario: r.scenario,
    verdict: r.verdict.ok ? "ok" : r.verdict.violations.map((v) => v.condition).join(", "),
    decisions: Object.entries(r.decisions).map(([k, v]) => `${k}:${v}`).join(" "),
    maxInDoubtMs: r.maxInDoubtMs,
    messages: r.messages,
  }));
}

/**
 * The in-doubt bound of 3PC after a coordinator crash at `crashAtMs`: the crash is noticed at most
 * FD + one heartbeat after the last message (one link delay after the crash), then the
 * termination protocol needs at most 5 link delays (state request and reply, PRE-COMMIT and ack,
 * the decision); a participant is in doubt from its vote (one link delay after the start).
 */
export function threePcInDoubtBound(crashAtMs: number): number {
  const t = COMMIT_TIMING;
  return crashAtMs + t.linkMs + t.failureDetectorMs + t.heartbeatMs + 5 * t.linkMs - t.linkMs;
}

/**
 * Claims on the commit runs: failure-free 2PC commits within two link delays of the votes; with
 * its coordinator crashed after PREPARE every participant stays in doubt to the end of the run
 * (blocking); restarted, it resolves only after the restart (presumed abort); 3PC with a reliable
 * detector decides everywhere within {@link threePcInDoubtBound}, aborting when nobody was
 * pre-committed and committing when someone was; under the partition the atomicity checker
 * finds the sides deciding differently; Paxos Commit decides everywhere despite the TM's crash:
 * in 3 delays on the fast path, by takeover + 5 delays when the backup must run phase 1, and
 * under a partition the majority side decides by phase 1 while the minority waits for the heal.
 */
export function checkCommit(
  results: readonly CommitScenarioResult[],
  p: AlgorithmsParams,
): Claim[] {
  const t = COMMIT_TIMING;
  const by = new Map(results.map((r) => [r.scenario, r]));
  const get = (s: CommitScenario) => by.get(s);
  const all = (r: CommitScenarioResult | undefined, d: string) =>
    r !== undefined && Object.values(r.decisions).every((x) => x === d);
  const show = (r: CommitScenarioResult | undefined) =>
    r === undefined
      ? "not run"
      : `${Object.values(r.decisions).join("/")}, in doubt ${r.maxInDoubtMs} ms, checker ${
        r.verdict.ok ? "ok" : r.verdict.violations.map((v) => v.condition).join("+")
      }`;
  const out: Claim[] = [];
  const ok = get("2pc-ok");
  out.push(claim(
    `2PC without failures commits everywhere, in doubt ≤ 2 link delays (${2 * t.linkMs} ms)`,
    all(ok, "commit") && ok!.verdict.ok && ok!.maxInDoubtMs <= 2 * t.linkMs,
    show(ok),
  ));
  const blk = get("2pc-coordinator-crash");
  const blockedFor = p.commitRunMs - t.linkMs;
  out.push(claim(
    `2PC, coordinator crashed after PREPARE: everyone blocked, in doubt to the end (${blockedFor} ms)`,
    all(blk, "blocked") && blk!.maxInDoubtMs >= blockedFor && blk!.verdict.undecided.length === 3,
    show(blk),
  ));
  const rst = get("2pc-coordinator-crash-restart");
  const rLo = t.restartAtMs - t.linkMs, rHi = t.restartAtMs + t.retryMs + 2 * t.linkMs;
  out.push(claim(
    `2PC, coordinator restarted at ${t.restartAtMs} ms: resolved (presumed abort) only then, ` +
      `in doubt ${rLo}–${rHi} ms`,
    all(rst, "abort") && rst!.verdict.ok && rst!.maxInDoubtMs >= rLo && rst!.maxInDoubtMs <= rHi,
    show(rst),
  ));
  const c1 = get("3pc-coordinator-crash-after-prepare");
  const c2 = get("3pc-coordinator-crash-after-precommit");
  const b1 = threePcInDoubtBound(t.crashAtMs), b2 = threePcInDoubtBound(t.crashAfterPrecommitMs);
  out.push(claim(
    `3PC with a ${t.failureDetectorMs} ms detector bound: a crash after PREPARE aborts ` +
      `everywhere within ${b1} ms, after PRE-COMMIT commits within ${b2} ms (non-blocking)`,
    all(c1, "abort") && c1!.verdict.ok && c1!.maxInDoubtMs <= b1 &&
      all(c2, "commit") && c2!.verdict.ok && c2!.maxInDoubtMs <= b2,
    `${show(c1)}; ${show(c2)}`,
  ));
  const part = get("3pc-partition");
  const agreement = part?.verdict.violations.find((v) => v.condition === "agreement");
  out.push(claim(
    "3PC under a partition: the side holding a PRE-COMMIT commits, the other aborts; the " +
      "checker reports an agreement violation",
    part !== undefined && agreement !== undefined && part.decisions.p1 === "commit" &&
      part.decisions.p2 === "abort",
    agreement ? `${agreement.message}` : show(part),
  ));
  const px = get("paxos-commit-tm-crash");
  const n1a = (r: CommitScenarioResult | undefined) => r?.messagesByType["pc-1a"] ?? 0;
  const n1b = (r: CommitScenarioResult | undefined) => r?.messagesByType["pc-1b"] ?? 0;
  const pFast = 3 * t.linkMs;
  out.push(claim(
    `Paxos Commit, TM crashed after BeginCommit: every RM commits, atomically, in doubt ≤ 3 ` +
      `delays (${pFast} ms: RM's 2a, acceptors' 2b, outcome) — the fast path: acceptors send 2b ` +
      `to every leader, so backup a0 learns the votes with no takeover and no phase 1 (0 1a sent)`,
    all(px, "commit") && px!.verdict.ok && px!.maxInDoubtMs <= pFast && n1a(px) === 0,
    `${show(px)}, ${n1a(px)} phase 1a`,
  ));
  const early = get("paxos-commit-tm-crash-early");
  const nInst = 3 * PAXOS_COMMIT_SETUP.acceptors.length; // 3 instances × the acceptors
  const eLo = t.takeoverMs, eHi = t.takeoverMs + 5 * t.linkMs;
  const eLast = early ? Math.max(...Object.values(early.decidedAtMs)) : NaN;
  out.push(claim(
    `Paxos Commit, TM crashed with p3's BeginCommit lost: backup a0 takes over at ` +
      `${t.takeoverMs} ms with ballot 1, runs phase 1 on all 3 instances (${nInst} 1a, ${nInst} ` +
      `1b), proposes "aborted" where nothing was accepted, and every RM aborts at ` +
      `${eLo}–${eHi} ms (takeover + 1a, 1b, 2a, 2b, outcome delays)`,
    all(early, "abort") && early!.verdict.ok && early!.verdict.undecided.length === 0 &&
      n1a(early) === nInst && n1b(early) === nInst && eLast >= eLo && eLast <= eHi,
    `${show(early)}, ${n1a(early)} 1a, ${n1b(early)} 1b, last decision ${eLast} ms`,
  ));
  const pp = get("paxos-commit-partition");
  // a1 is leaders[2]: its first ballot starts at 2 × takeoverMs; the minority RM re-asks every
  // takeoverMs, so it hears the outcome within one period + a round trip after the heal
  const mHi = 2 * t.takeoverMs + 5 * t.linkMs;
  const hLo = t.pcHealAtMs, hHi = t.pcHealAtMs + t.takeoverMs + 2 * t.linkMs;
  const at = (n: string) => pp?.decidedAtMs[n] ?? NaN;
  out.push(claim(
    `Paxos Commit under the partition {tm, a0, p1} | {a1, a2, p2, p3}: atomic; the majority ` +
      `side's backup a1 aborts p1's instance by phase 1 and p2, p3 decide by ${mHi} ms ` +
      `(2 × takeover + 5 delays); p1 stays undecided until the heal at ${hLo} ms and decides ` +
      `by ${hHi} ms`,
    all(pp, "abort") && pp!.verdict.ok && n1a(pp) > 0 && at("p2") <= mHi && at("p3") <= mHi &&
      at("p1") >= hLo && at("p1") <= hHi,
    `${show(pp)}, decided at p1 ${at("p1")} / p2 ${at("p2")} / p3 ${at("p3")} ms`,
  ));
  return out;
}

/** One commit scenario run with the notebook's seed and run length, with its trace records. */
export function commitScenarioTrace(
  scenario: CommitScenario,
  p: AlgorithmsParams,
): { result: CommitScenarioResult; trace: readonly TraceRecord[] } {
  const result = runCommitScenario(scenario, { seed: p.seed, runMs: p.commitRunMs });
  return { result, trace: result.trace };
}

// ---- blockchains: proposer rotation instead of an election --------------------------------------

/** Tendermint's round change after a faulty proposer (notebook 03's run, at this seed). */
export function proposerRotation(p: AlgorithmsParams): TendermintRoundChangeRow[] {
  return tendermintRoundChangeRows({ seed: p.seed });
}

/**
 * Claims on the rotation runs: with an honest proposer the height is decided in round 0 in 3δ;
 * with a crashed or silent one nobody elects anybody: the validators time out and round 1's
 * proposer, fixed in advance by (h + r) mod n, decides it after exactly the time the timeouts
 * give (timeoutPropose + 2δ + timeoutPrecommit + 3δ).
 */
export function checkProposerRotation(rows: readonly TendermintRoundChangeRow[]): Claim[] {
  const honest = rows.find((r) => r.proposer === "honest");
  const mute = rows.filter((r) => r.proposer === "crashed" || r.proposer === "silent");
  return [
    claim(
      "Tendermint, honest proposer: decided in round 0 after 3δ",
      honest !== undefined && honest.round === 0 && honest.decisionMs === honest.theoryMs,
      honest ? `round ${honest.round}, ${honest.decisionMs} ms vs ${honest.theoryMs} ms` : "no run",
    ),
    claim(
      "Tendermint, crashed or silent proposer: round 1's pre-agreed proposer decides after " +
        "timeoutPropose + 2δ + timeoutPrecommit + 3δ, with no election",
      mute.length === 2 && mute.every((r) => r.round === 1 && r.decisionMs === r.theoryMs),
      mute.map((r) => `${r.proposer}: round ${r.round}, ${r.decisionMs} vs ${r.theoryMs} ms`)
        .join("; "),
    ),
  ];
}

/**
 * Every claim of notebook 08 at these parameters except the locking section's, which
 * `checkLocks(runLockExperiment(p.lock), p.lock)` of `./locks.ts` makes (and its tests cover).
 */
export function allAlgorithmClaims(p: AlgorithmsParams): Claim[] {
  return [
    ...checkComplexity(complexityTable(p), p),
    ...checkElectionFaults(electionFaults(p), p),
    ...checkCommit(commitRuns(p), p),
    ...checkProposerRotation(proposerRotation(p)),
  ];
}
