/**
 * Figure 16 of the Raft paper (Ongaro & Ousterhout, "In Search of an Understandable Consensus
 * Algorithm", 2014, §9.3), reproduced on the simulator: the time to detect a crashed leader and
 * elect a new one, for election timeouts drawn from ranges with more or less randomness.
 *
 * The paper's method, as this module follows it: five servers; before each crash the servers'
 * logs have different lengths, so some candidates cannot win; the leader broadcasts a heartbeat
 * and is crashed at a uniformly random moment within its heartbeat interval, which is half the
 * minimum election timeout (so the shortest possible downtime is about half that timeout). The
 * paper gives the broadcast time (~15 ms) but not how it splits between network and disk; the
 * default here puts it all in the network (see {@link splitVoteSensitivity} for the other split).
 * One assumption is ours: each server's clock drifts by up to ±100 ppm, as quartz clocks do. With
 * timeouts of exactly 150 ms and no drift, servers that time out together stay in lock step
 * forever; real timers are never exactly equal, and drift is the simulator's way to say so.
 * @module
 */
import { createCluster } from "../net/cluster.ts";
import type { RaftMessage } from "../protocols/raft/messages.ts";
import { RaftNode } from "../protocols/raft/node.ts";
import { Rng } from "../sim/rng.ts";
import type { Interceptor } from "../sim/simulation.ts";
import { type Claim, claim } from "./claims.ts";
import type { RaftExerciseParams } from "./raft_params.ts";
import type { TopLevelSpec } from "vega-lite";
import { latencyCdf } from "../viz/latency.ts";

/** Something that shows progress (a {@link Progress} from `@lab/viz/progress.ts` fits). */
export interface ProgressSink {
  /** One unit of work done. */
  tick(note?: string): Promise<void> | void;
}

/** The setup of one election trial. */
export interface TrialSpec {
  /** The trial's own seed (derives every random stream of the trial). */
  readonly seed: string;
  readonly servers: number;
  /** Election timeout range (ms); the heartbeat interval is half the minimum, as in the paper. */
  readonly minMs: number;
  readonly maxMs: number;
  /** One-way latency, uniform (ms). */
  readonly latencyMsMin: number;
  readonly latencyMsMax: number;
  /** A server writes its vote to disk for this long before answering a RequestVote (ms). */
  readonly diskWriteMs: number;
  /** Clock drift bound (parts per million). */
  readonly clockDriftPpm: number;
  /** Stop the trial when no leader is elected within this long after the crash (ms). */
  readonly capMs: number;
}

/** The outcome of one trial. */
export interface TrialResult {
  /** Time from the crash to the next leader's election (ms); `Infinity` if none within the cap. */
  readonly electionMs: number;
  /** Terms from the crashed leader's to the new leader's (1: the first election succeeded). */
  readonly terms: number;
  /** Log lengths of the surviving servers at the crash (they differ, as in the paper). */
  readonly logLengths: readonly number[];
}

/** "150–155 ms". */
export function rangeLabel(minMs: number, maxMs: number): string {
  return `${minMs}–${maxMs} ms`;
}

/**
 * One trial: n0 is elected, the followers' logs are made to differ in length, n0 crashes at a
 * random moment of its heartbeat interval, and the time until a new leader is elected is measured.
 */
export function electionTrial(spec: TrialSpec): TrialResult {
  const rng = new Rng(spec.seed).fork("figure16");
  const ids = Array.from({ length: spec.servers }, (_, i) => `n${i}`);
  const hb = spec.minMs / 2;
  const drift = ids.map(() => rng.uniform(-1, 1) * spec.clockDriftPpm * 1e-6);
  const c = createCluster<RaftMessage>({
    seed: spec.seed,
    nodes: ids,
    factory: (ctx) =>
      new RaftNode(ctx, {
        electionTimeoutMsMin: spec.minMs,
        electionTimeoutMsMax: spec.maxMs,
        heartbeatIntervalMs: hb,
        snapshotThresholdEntries: 0,
      }),
    network: { latency: { kind: "uniform", minMs: spec.latencyMsMin, maxMs: spec.latencyMsMax } },
    clocks: Object.fromEntries(ids.map((id, i) => [id, { drift: drift[i] }])),
    trace: { mode: "off" },
    collectEvents: false,
  });
  const sim = c.sim;
  // Raft persists votedFor before it answers (Figure 2): the answer waits for the disk
  const disk = (to: string, msg: RaftMessage, send: Parameters<Interceptor<RaftMessage>>[1]) =>
    send.send(to, msg, msg.type === "RequestVoteResponse" ? { delayMs: spec.diskWriteMs } : {});
  if (spec.diskWriteMs > 0) {
    for (const id of ids) {
      sim.intercept(id, (out, net) => disk(out.to, out.msg, net), { byzantine: false });
    }
  }
  let leaderAt = NaN, leaderTerm = 0, crashAt = Infinity, electedAt = NaN, electedTerm = 0;
  let highestTerm = 0;
  sim.onEvent((e) => {
    if (e.event.type === "role") highestTerm = Math.max(highestTerm, e.event.term as number);
    if (e.event.type !== "leader") return;
    if (e.node === "n0" && Number.isNaN(leaderAt)) {
      leaderAt = e.t;
      leaderTerm = e.event.term as number;
    } else if (e.t > crashAt && Number.isNaN(electedAt)) {
      electedAt = e.t;
      electedTerm = e.event.term as number;
    }
  });
  // n0 campaigns first, well before any timer: a quick, deterministic first leader
  sim.at(1, () => sim.instanceOf<RaftNode>("n0")!.campaign());
  sim.run({ untilMs: 10_000, until: () => !Number.isNaN(leaderAt) });
  if (Number.isNaN(leaderAt)) throw new Error(`figure 16: no first leader (seed=${spec.seed})`);
  const leader = sim.instanceOf<RaftNode>("n0")!;
  // Different log lengths: follower k keeps only the first k of the next entries
  const followers = rng.shuffle(ids.slice(1));
  const base = leader.lastLogIndex;
  const allowed = new Map(followers.map((f, k) => [f, base + k]));
  sim.intercept("n0", (out, net) => {
    const m = out.msg;
    const msg = m.type === "AppendEntries" && m.entries.length > 0
      ? { ...m, entries: m.entries.filter((e) => e.index <= allowed.get(out.to)!) }
      : m;
    if (spec.diskWriteMs > 0) disk(out.to, msg, net);
    else net.send(out.to, msg);
  }, { byzantine: false });
  for (let k = 0; k < followers.length - 1; k++) leader.propose(`entry ${k}`);
  // crash uniformly within a heartbeat interval, a few intervals later (heartbeats are sent at
  // leaderAt + k × period in true time; the leader's clock drift stretches the period a little)
  const period = hb / (1 + drift[0]);
  const k = Math.ceil((sim.nowMs + 3 * hb - leaderAt) / period);
  crashAt = leaderAt + k * period + rng.uniform(0, period);
  sim.at(crashAt, () => sim.crash("n0"));
  sim.run({ untilMs: crashAt, until: () => false });
  const logLengths = followers.map((f) => sim.instanceOf<RaftNode>(f)!.lastLogIndex);
  sim.run({ untilMs: crashAt + spec.capMs, until: () => !Number.isNaN(electedAt) });
  const elected = !Number.isNaN(electedAt);
  return {
    electionMs: elected ? electedAt - crashAt : Infinity,
    terms: (elected ? electedTerm : highestTerm) - leaderTerm,
    logLengths,
  };
}

/** One trial as a row. */
export interface ElectionRow {
  /** "150–155 ms" (and, in the sensitivity experiment, the model). */
  readonly series: string;
  readonly minMs: number;
  readonly maxMs: number;
  readonly trial: number;
  /** `Infinity` when stopped at the cap. */
  readonly electionMs: number;
  readonly terms: number;
}

/** One curve's summary. */
export interface ElectionSummary {
  readonly series: string;
  readonly minMs: number;
  readonly maxMs: number;
  readonly trials: number;
  /** Trials stopped at the cap without a leader. */
  readonly unfinished: number;
  /** Nearest-rank quantiles (ms); `Infinity` when the rank falls among unfinished trials. */
  readonly p50Ms: number;
  readonly p90Ms: number;
  readonly p99Ms: number;
  readonly worstMs: number;
  readonly bestMs: number;
  /** Mean number of terms per leader change (1 = no failed election). */
  readonly meanTerms: number;
  /** Fraction of trials that took longer than 10 s (unfinished included). */
  readonly over10s: number;
}

function nearestRank(sorted: readonly number[], q: number): number {
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)];
}

/** Summaries per series, in first-appearance order. */
export function summarize(rows: readonly ElectionRow[]): ElectionSummary[] {
  const series = [...new Set(rows.map((r) => r.series))];
  return series.map((s) => {
    const rs = rows.filter((r) => r.series === s);
    const xs = rs.map((r) => r.electionMs).sort((a, b) => a - b);
    return {
      series: s,
      minMs: rs[0].minMs,
      maxMs: rs[0].maxMs,
      trials: rs.length,
      unfinished: xs.filter((x) => !Number.isFinite(x)).length,
      p50Ms: nearestRank(xs, 0.5),
      p90Ms: nearestRank(xs, 0.9),
      p99Ms: nearestRank(xs, 0.99),
      worstMs: xs[xs.length - 1],
      bestMs: xs[0],
      meanTerms: rs.reduce((a, r) => a + r.terms, 0) / rs.length,
      over10s: xs.filter((x) => x > 10_000).length / xs.length,
    };
  });
}

/** The Figure 16 experiment's result. */
export interface Figure16Result {
  readonly rows: ElectionRow[];
  readonly summary: ElectionSummary[];
  /** Each trial stopped at this long without a leader (ms). */
  readonly capMs: number;
  /** The broadcast time of the modelled network (ms, mean over samples). */
  readonly broadcastMs: number;
}

/** Trials a Figure 16 run makes (for a progress display). */
export function figure16TrialCount(p: RaftExerciseParams): number {
  return p.electionTimeoutMaxesMs.reduce(
    (a, max) => a + (max === p.electionTimeoutMinMs ? p.fixedTrials : p.trials),
    0,
  );
}

/**
 * Mean broadcast time (ms): the leader sends an RPC to every follower in parallel and waits for
 * every answer; each answer waits `diskWriteMs` on the follower's disk first. Monte Carlo.
 */
export function broadcastTimeMs(
  followers: number,
  latencyMsMin: number,
  latencyMsMax: number,
  diskWriteMs = 0,
  samples = 20_000,
): number {
  const rng = new Rng("broadcast-time");
  let sum = 0;
  for (let s = 0; s < samples; s++) {
    let worst = 0;
    for (let f = 0; f < followers; f++) {
      const rtt = rng.uniform(latencyMsMin, latencyMsMax) + diskWriteMs +
        rng.uniform(latencyMsMin, latencyMsMax);
      if (rtt > worst) worst = rtt;
    }
    sum += worst;
  }
  return sum / samples;
}

/**
 * Figure 16 (top): for each upper end `max` in `electionTimeoutMaxesMs`, `trials` leader crashes
 * with timeouts uniform in [electionTimeoutMinMs, max] (`fixedTrials` when max = min).
 */
export async function figure16(
  p: RaftExerciseParams,
  progress?: ProgressSink,
): Promise<Figure16Result> {
  const rows: ElectionRow[] = [];
  const minMs = p.electionTimeoutMinMs;
  for (const maxMs of p.electionTimeoutMaxesMs) {
    const n = maxMs === minMs ? p.fixedTrials : p.trials;
    const series = rangeLabel(minMs, maxMs);
    for (let k = 0; k < n; k++) {
      const r = electionTrial({
        seed: `${p.seed}:${minMs}-${maxMs}:${k}`,
        servers: p.servers,
        minMs,
        maxMs,
        latencyMsMin: p.latencyMsMin,
        latencyMsMax: p.latencyMsMax,
        diskWriteMs: 0,
        clockDriftPpm: p.clockDriftPpm,
        capMs: p.trialCapMs,
      });
      rows.push({ series, minMs, maxMs, trial: k, electionMs: r.electionMs, terms: r.terms });
      await progress?.tick(series);
    }
  }
  return {
    rows,
    summary: summarize(rows),
    capMs: p.trialCapMs,
    broadcastMs: broadcastTimeMs(p.servers - 1, p.latencyMsMin, p.latencyMsMax),
  };
}

/** The two ways of spending a broadcast time compared by {@link splitVoteSensitivity}. */
export interface SensitivityModel {
  readonly name: string;
  readonly latencyMsMin: number;
  readonly latencyMsMax: number;
  readonly diskWriteMs: number;
  readonly broadcastMs: number;
}

/** The sensitivity experiment's result. */
export interface SensitivityResult {
  readonly models: readonly SensitivityModel[];
  readonly rows: ElectionRow[];
  readonly summary: ElectionSummary[];
}

/** Upper ends of the sensitivity experiment: little and plenty of randomness. */
export const SENSITIVITY_MAXES = [155, 300] as const;

/** Trials the sensitivity experiment makes. */
export function sensitivityTrialCount(p: RaftExerciseParams): number {
  return 2 * SENSITIVITY_MAXES.length * p.sensitivityTrials;
}

/**
 * The same broadcast time spent two ways: all in the network (the default model), or in a fast
 * network plus a disk write before each vote. Split votes need two candidates whose timers fire
 * closer together than a RequestVote takes to arrive, so it is the one-way delay, not the
 * broadcast time, that sets how often they happen.
 */
export async function splitVoteSensitivity(
  p: RaftExerciseParams,
  progress?: ProgressSink,
): Promise<SensitivityResult> {
  const f = p.servers - 1;
  const models: SensitivityModel[] = [
    {
      name: `network ${p.latencyMsMin}–${p.latencyMsMax} ms`,
      latencyMsMin: p.latencyMsMin,
      latencyMsMax: p.latencyMsMax,
      diskWriteMs: 0,
      broadcastMs: broadcastTimeMs(f, p.latencyMsMin, p.latencyMsMax),
    },
    {
      name: `network ${p.fastLatencyMsMin}–${p.fastLatencyMsMax} ms + disk ${p.diskWriteMs} ms`,
      latencyMsMin: p.fastLatencyMsMin,
      latencyMsMax: p.fastLatencyMsMax,
      diskWriteMs: p.diskWriteMs,
      broadcastMs: broadcastTimeMs(f, p.fastLatencyMsMin, p.fastLatencyMsMax, p.diskWriteMs),
    },
  ];
  const rows: ElectionRow[] = [];
  const minMs = p.electionTimeoutMinMs;
  for (const maxMs of SENSITIVITY_MAXES) {
    for (const m of models) {
      const series = `${rangeLabel(minMs, maxMs)}, ${m.name}`;
      for (let k = 0; k < p.sensitivityTrials; k++) {
        const r = electionTrial({
          seed: `${p.seed}:sensitivity:${minMs}-${maxMs}:${k}`,
          servers: p.servers,
          minMs,
          maxMs,
          latencyMsMin: m.latencyMsMin,
          latencyMsMax: m.latencyMsMax,
          diskWriteMs: m.diskWriteMs,
          clockDriftPpm: p.clockDriftPpm,
          capMs: p.trialCapMs,
        });
        rows.push({ series, minMs, maxMs, trial: k, electionMs: r.electionMs, terms: r.terms });
        await progress?.tick(series);
      }
    }
  }
  return { models, rows, summary: summarize(rows) };
}

/** What the paper reports in §9.3, for the comparison table. */
export const PAPER_FIGURE16: readonly { readonly range: string; readonly reported: string }[] = [
  {
    range: "150–150 ms",
    reported:
      "elections consistently took longer than 10 s, because of many split votes (100 trials)",
  },
  { range: "150–155 ms", reported: "median downtime 287 ms" },
  { range: "150–200 ms", reported: "worst case 513 ms over 1000 trials" },
  {
    range: "all ranges",
    reported: "the smallest possible downtime is about half the minimum election timeout",
  },
];

const fmt = (x: number) => Number.isFinite(x) ? `${x.toFixed(0)} ms` : "no leader at the cap";

/** What the paper's Figure 16 shows, checked on the reproduction. */
export function checkFigure16(r: Figure16Result, p: RaftExerciseParams): Claim[] {
  const s = r.summary;
  const min = p.electionTimeoutMinMs;
  const fixed = s.find((x) => x.maxMs === min);
  const random = s.filter((x) => x.maxMs > min).sort((a, b) => a.maxMs - b.maxMs);
  const five = s.find((x) => x.maxMs === min + 5);
  const wide = random.filter((x) => x.maxMs - min >= 50);
  const strictlyDown = (xs: number[]) => xs.every((x, i) => i === 0 || x < xs[i - 1]);
  const claims: Claim[] = [];
  if (fixed) {
    claims.push(claim(
      "without randomness elections often take longer than 10 s (paper: consistently)",
      fixed.over10s >= 0.3,
      `${(100 * fixed.over10s).toFixed(0)}% of ${fixed.trials} trials over 10 s; median ${
        fmt(fixed.p50Ms)
      }; ${fixed.unfinished} stopped at the cap`,
    ));
  }
  if (fixed && five) {
    claims.push(claim(
      "5 ms of randomness removes most of it: median under a second, ≥ 10× below no randomness",
      five.p50Ms < 1_000 && five.p50Ms * 10 <= fixed.p50Ms,
      `median ${fmt(five.p50Ms)} vs ${fmt(fixed.p50Ms)} (paper: 287 ms with 5 ms)`,
    ));
  }
  claims.push(claim(
    "more randomness, fewer split votes: terms per leader change fall as the range widens",
    strictlyDown(random.map((x) => x.meanTerms)) &&
      (!fixed || fixed.meanTerms > random[0].meanTerms || fixed.unfinished > 0),
    [...(fixed ? [fixed] : []), ...random].map((x) => `${x.series}: ${x.meanTerms.toFixed(2)}`)
      .join(", "),
  ));
  // beyond ~50 ms of randomness split votes are rare and the tail is set by the timeout range
  // itself, so the comparison is made where split votes dominate it
  const narrow = random.filter((x) => x.maxMs - min <= 50);
  if (narrow.length >= 2) {
    claims.push(claim(
      "more randomness, shorter tail: the 99th percentile falls as randomness grows to 50 ms",
      strictlyDown(narrow.map((x) => x.p99Ms)),
      narrow.map((x) => `${x.series}: ${fmt(x.p99Ms)}`).join(", "),
    ));
  }
  const best = Math.min(...s.map((x) => x.bestMs));
  claims.push(claim(
    "no election finishes before half the minimum timeout: a follower's timer starts at the last " +
      "heartbeat, at most one heartbeat interval (min/2) before the crash",
    best >= min / 2,
    `fastest ${best.toFixed(0)} ms ≥ ${min / 2} ms`,
  ));
  if (wide.length) {
    claims.push(claim(
      "with ≥ 50 ms of randomness every election finishes within a second (paper: worst 513 ms " +
        "for 150–200 ms)",
      wide.every((x) => x.worstMs < 1_000),
      wide.map((x) => `${x.series}: worst ${fmt(x.worstMs)}`).join(", "),
    ));
  }
  return claims;
}

/** What the sensitivity experiment predicts. */
export function checkSensitivity(r: SensitivityResult): Claim[] {
  const [slow, fast] = r.models;
  const get = (max: number, m: SensitivityModel) =>
    r.summary.find((x) => x.maxMs === max && x.series.endsWith(m.name))!;
  const s155 = get(SENSITIVITY_MAXES[0], slow), f155 = get(SENSITIVITY_MAXES[0], fast);
  return [
    claim(
      "both models have about the same broadcast time (within 20%)",
      Math.abs(slow.broadcastMs - fast.broadcastMs) <= 0.2 * slow.broadcastMs,
      `${slow.broadcastMs.toFixed(1)} vs ${fast.broadcastMs.toFixed(1)} ms`,
    ),
    claim(
      "with little randomness, a shorter one-way delay means fewer split votes and faster elections",
      f155.meanTerms < s155.meanTerms && f155.p50Ms < s155.p50Ms,
      `150–${SENSITIVITY_MAXES[0]} ms: terms ${f155.meanTerms.toFixed(2)} vs ${
        s155.meanTerms.toFixed(2)
      }, median ${fmt(f155.p50Ms)} vs ${fmt(s155.p50Ms)}`,
    ),
  ];
}

/** One row of the comparison with the paper. */
export interface PaperComparisonRow {
  readonly range: string;
  readonly paper: string;
  readonly reproduction: string;
}

/** The reproduction next to what §9.3 of the paper reports. */
export function figure16Comparison(r: Figure16Result, p: RaftExerciseParams): PaperComparisonRow[] {
  const min = p.electionTimeoutMinMs;
  const at = (max: number) => r.summary.find((x) => x.minMs === min && x.maxMs === max);
  const out: PaperComparisonRow[] = [];
  const fixed = at(min);
  if (fixed) {
    out.push({
      range: fixed.series,
      paper: PAPER_FIGURE16[0].reported,
      reproduction: `${(100 * fixed.over10s).toFixed(0)}% of ${fixed.trials} trials over 10 s; ` +
        `median ${(fixed.p50Ms / 1000).toFixed(1)} s; ${fixed.unfinished} without a leader after ` +
        `${(r.capMs / 1000).toFixed(0)} s`,
    });
  }
  const five = at(min + 5);
  if (five) {
    out.push({
      range: five.series,
      paper: PAPER_FIGURE16[1].reported,
      reproduction: `median ${fmt(five.p50Ms)}; ${
        five.meanTerms.toFixed(2)
      } terms per leader change`,
    });
  }
  const fifty = at(min + 50);
  if (fifty) {
    out.push({
      range: fifty.series,
      paper: PAPER_FIGURE16[2].reported,
      reproduction: `worst ${fmt(fifty.worstMs)} over ${fifty.trials} trials (99th percentile ${
        fmt(fifty.p99Ms)
      })`,
    });
  }
  const best = Math.min(...r.summary.map((x) => x.bestMs));
  out.push({
    range: PAPER_FIGURE16[3].range,
    paper: `${PAPER_FIGURE16[3].reported} (${min / 2} ms here)`,
    reproduction: `fastest ${fmt(best)} over all trials`,
  });
  return out;
}

/** Options of {@link electionCdf}. */
export interface ElectionCdfOptions {
  readonly title: string;
  /** One subtitle line (the per-series counts latencyCdf lists would not fit). */
  readonly subtitle: string;
  /** x-axis domain (ms, log scale). */
  readonly domainMs: readonly [number, number];
}

/**
 * Empirical CDFs of election times on a log axis (like the paper's figure): `latencyCdf` with a
 * fixed x domain, a one-line subtitle and legend labels long enough for the series names.
 * Values beyond the domain's end (unfinished trials) are drawn at its end.
 */
export function electionCdf(
  series: readonly { readonly name: string; readonly latenciesMs: readonly number[] }[],
  options: ElectionCdfOptions,
): TopLevelSpec {
  const [lo, hi] = options.domainMs;
  const spec = latencyCdf(
    series.map((s) => ({ name: s.name, latenciesMs: s.latenciesMs.map((x) => Math.min(x, hi)) })),
    { logX: true, xTitle: "time without a leader after the crash (ms, log scale)" },
  ) as TopLevelSpec & { encoding: Record<string, Record<string, unknown>> };
  return {
    ...spec,
    title: {
      ...(typeof spec.title === "object" ? spec.title : {}),
      text: options.title,
      subtitle: options.subtitle,
    },
    encoding: {
      ...spec.encoding,
      x: { ...spec.encoding.x, scale: { type: "log", domain: [lo, hi], nice: false } },
      // without a canvas, vega estimates label widths generously: leave room
      color: { ...spec.encoding.color, legend: { labelLimit: 480 } },
    },
  } as TopLevelSpec;
}
