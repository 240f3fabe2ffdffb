/**
 * Figure 16 of the Raft paper (Ongaro & Ousterhout, "In Search of an Understandable Consensus
 * Algorithm", 2014, §9.3), reproduced on the simulator: the time to detect a crashed leader and
 * elect a new one, for election timeouts drawn from ranges with more or less randomness.
 *
 * The paper's method (§9.3, in its words: "the servers in each trial had different log lengths, so
 * some candidates were not eligible to become leader"; "our test script triggered a synchronized
 * broadcast of heartbeat RPCs from the leader before terminating its process"; "the leader was
 * crashed uniformly randomly within its heartbeat interval, which was half of the minimum election
 * timeout"), as this module follows it: five servers, of which two of the four survivors hold
 * logs too short to win; the leader broadcasts a heartbeat to every follower at once and is crashed
 * at a uniformly random moment of the heartbeat interval that follows.
 *
 * The paper gives the broadcast time (~15 ms) but not how it splits between network and disk. Its
 * implementation (LogCabin) writes currentTerm and votedFor to disk before it sends RequestVote
 * and before it grants a vote, and the log before it acknowledges entries; the default testbed
 * ("disk") models that: a fast LAN (0.5–1.5 ms one way) and a 12 ms disk write at each of those
 * points, a broadcast time of about 15 ms. The "network" testbed spends the same broadcast time in
 * the network instead (3–9 ms one way, no disk); see {@link splitVoteSensitivity}.
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
import { type Claim, claim, notApplicable } from "./claims.ts";
import type { RaftExerciseParams } from "./raft_params.ts";
import type { TopLevelSpec } from "vega-lite";
import { latencyCdf } from "../viz/latency.ts";
import { MarkdownText } from "./clock_display.ts";

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
  /**
   * A disk write (ms) before a candidate sends RequestVote (currentTerm, votedFor), before a server
   * answers one (votedFor, or a newer term) and before a follower acknowledges entries (its log).
   */
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
  // Raft persists state before it answers (Figure 2): a candidate its term and vote before asking,
  // a voter its vote before answering, a follower new entries before acknowledging them
  const persisted = (msg: RaftMessage) =>
    msg.type === "RequestVote" || msg.type === "RequestVoteResponse" ||
    (msg.type === "AppendEntriesResponse" && msg.success && msg.matchIndex > 0);
  const disk = (to: string, msg: RaftMessage, send: Parameters<Interceptor<RaftMessage>>[1]) =>
    send.send(to, msg, persisted(msg) ? { delayMs: spec.diskWriteMs } : {});
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
  // the synchronized heartbeat: the leader's heartbeat round sends every follower an empty
  // AppendEntries at one instant (leaderAt + k × period in true time; the leader's clock drift
  // stretches the period a little); the crash falls uniformly within the interval after one
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
  /** Mean (ms); `Infinity` when some trial is unfinished. */
  readonly meanMs: number;
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
      meanMs: xs.reduce((a, x) => a + x, 0) / xs.length,
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
  /** The broadcast time of the modelled testbed (ms, mean over samples). */
  readonly broadcastMs: number;
  /** The testbed the trials ran on. */
  readonly testbed: SensitivityModel;
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
  const [network, disk] = testbeds(p);
  const m = p.figure16Testbed === "disk" ? disk : network;
  for (const maxMs of p.electionTimeoutMaxesMs) {
    const n = maxMs === minMs ? p.fixedTrials : p.trials;
    const series = rangeLabel(minMs, maxMs);
    for (let k = 0; k < n; k++) {
      const r = electionTrial({
        seed: `${p.seed}:${minMs}-${maxMs}:${k}`,
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
  return {
    rows,
    summary: summarize(rows),
    capMs: p.trialCapMs,
    broadcastMs: m.broadcastMs,
    testbed: m,
  };
}

/** The two testbeds with the paper's ~15 ms broadcast time: all network, or LAN plus disk. */
export function testbeds(p: RaftExerciseParams): [SensitivityModel, SensitivityModel] {
  const f = p.servers - 1;
  return [
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

/** Randomness of the sensitivity experiment's ranges (ms above the minimum): little and plenty. */
export const SENSITIVITY_RANDOMNESS = [5, 150] as const;

/** Trials the sensitivity experiment makes. */
export function sensitivityTrialCount(p: RaftExerciseParams): number {
  return 2 * SENSITIVITY_RANDOMNESS.length * p.sensitivityTrials;
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
  const models: SensitivityModel[] = testbeds(p);
  const rows: ElectionRow[] = [];
  const minMs = p.electionTimeoutMinMs;
  for (const maxMs of SENSITIVITY_RANDOMNESS.map((r) => minMs + r)) {
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

/** What the paper reports in §9.3 (its text; other curves are only drawn in its Figure 16). */
export const PAPER_FIGURE16 = {
  fixed:
    '"In the absence of randomness, leader election consistently took longer than 10 seconds ' +
    'in our tests due to many split votes" (100 trials)',
  fiveMs: '"Adding just 5ms of randomness helps significantly, resulting in a median downtime of ' +
    '287ms"',
  fiftyMs: '"with 50ms of randomness the worst-case completion time (over 1000 trials) was 513ms"',
  minimum: '"the smallest possible downtime was about half of the minimum election timeout"',
} as const;

/** The paper's numbers: 150–155 ms median, 150–200 ms worst case (ms). */
export const PAPER_NUMBERS = { fiveMsMedianMs: 287, fiftyMsWorstMs: 513 } as const;

const fmt = (x: number) => Number.isFinite(x) ? `${x.toFixed(0)} ms` : "no leader at the cap";

/**
 * The split-vote window of a testbed (ms): how long after the first timer fires the others must
 * fire to become candidates too. A RequestVote leaves after the candidate's disk write and takes
 * at least the minimum one-way latency to arrive.
 */
export function splitWindowMs(m: Pick<SensitivityModel, "latencyMsMin" | "diskWriteMs">): number {
  return m.diskWriteMs + m.latencyMsMin;
}

/**
 * Lower bound (ms) on an election without randomness, or 0 if the first round can succeed. The
 * synchronized heartbeat reaches the survivors within `latencyMsMax − latencyMsMin` of each other,
 * so their timers fire that close together; if that is less than the split-vote window, every
 * survivor becomes a candidate before any RequestVote arrives, and nobody wins. Each restarts the
 * same timeout when its own fires, so the offsets change only by clock drift: at most
 * 2 × drift × timeout per round. The window must open up first: that many rounds of `min` ms.
 */
export function lockStepBoundMs(m: SensitivityModel, minMs: number, driftPpm: number): number {
  const jitter = m.latencyMsMax - m.latencyMsMin;
  const gap = splitWindowMs(m) - jitter;
  if (gap <= 0) return 0;
  if (driftPpm === 0) return Infinity;
  const rounds = gap / (2 * driftPpm * 1e-6 * minMs);
  return rounds * minMs;
}

/** The paper's findings, as predictions computed from the parameters, checked on the run. */
export function checkFigure16(r: Figure16Result, p: RaftExerciseParams): Claim[] {
  const s = r.summary;
  const min = p.electionTimeoutMinMs;
  const fixed = s.find((x) => x.maxMs === min);
  const random = s.filter((x) => x.maxMs > min).sort((a, b) => a.maxMs - b.maxMs);
  const five = s.find((x) => x.maxMs === min + 5);
  const strictlyDown = (xs: number[]) => xs.every((x, i) => i === 0 || x < xs[i - 1]);
  const claims: Claim[] = [];
  const bound = lockStepBoundMs(r.testbed, min, p.clockDriftPpm);
  const window = splitWindowMs(r.testbed);
  const jitter = r.testbed.latencyMsMax - r.testbed.latencyMsMin;
  const lockText = "without randomness every election takes longer than 10 s (paper: consistently)";
  if (!fixed) {
    claims.push(notApplicable(lockText, `no ${rangeLabel(min, min)} curve in this run`));
  } else if (bound < 10_000) {
    claims.push(notApplicable(
      lockText,
      bound === 0
        ? `heartbeat arrival jitter ${jitter.toFixed(1)} ms ≥ split-vote window ` +
          `${window.toFixed(1)} ms: a first round can succeed`
        : `lock step lasts at least ${fmt(bound)} only, not 10 s`,
    ));
  } else {
    claims.push(claim(
      lockText,
      fixed.bestMs > 10_000,
      `predicted ≥ ${
        Number.isFinite(bound) ? `${(bound / 1000).toFixed(0)} s` : "forever"
      } (window ${window.toFixed(1)} ms − jitter ${jitter.toFixed(1)} ms, opened by ` +
        `${2 * p.clockDriftPpm} ppm per round); fastest of ${fixed.trials}: ${
          fmt(fixed.bestMs)
        }, ` +
        `median ${fmt(fixed.p50Ms)}, ${fixed.unfinished} stopped at the cap`,
    ));
  }
  const fiveText = "5 ms of randomness removes the lock step: its median is below the lock-step " +
    "bound, since every round is a fresh chance for one timer to lead by the window";
  if (!five) {
    claims.push(notApplicable(fiveText, `no ${rangeLabel(min, min + 5)} curve in this run`));
  } else if (bound < 10_000 || !Number.isFinite(bound)) {
    claims.push(notApplicable(
      fiveText,
      Number.isFinite(bound)
        ? "no lock step here (see above), so nothing for randomness to remove"
        : "without drift the bound is infinite",
    ));
  } else {
    claims.push(claim(
      fiveText,
      Number.isFinite(five.p50Ms) && five.p50Ms < bound,
      `median ${fmt(five.p50Ms)} < ${fmt(bound)}` +
        (fixed ? ` (no randomness: median ${fmt(fixed.p50Ms)})` : "") +
        ` (paper: ${PAPER_NUMBERS.fiveMsMedianMs} ms vs over 10 s)`,
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
  const tailText = "more randomness, shorter tail: the 99th percentile falls as randomness grows " +
    "to 50 ms";
  claims.push(
    narrow.length >= 2
      ? claim(
        tailText,
        strictlyDown(narrow.map((x) => x.p99Ms)),
        narrow.map((x) => `${x.series}: ${fmt(x.p99Ms)}`).join(", "),
      )
      : notApplicable(tailText, "fewer than two ranges with 1–50 ms of randomness"),
  );
  const best = Math.min(...s.map((x) => x.bestMs));
  claims.push(claim(
    "no election finishes before half the minimum timeout: a follower's timer starts at the last " +
      "heartbeat, at most one heartbeat interval (min/2) before the crash",
    best >= min / 2,
    `fastest ${best.toFixed(0)} ms ≥ ${min / 2} ms`,
  ));
  return claims;
}

/** What the sensitivity experiment predicts, from each testbed's split-vote window. */
export function checkSensitivity(r: SensitivityResult): Claim[] {
  const [a, b] = r.models;
  const get = (max: number, m: SensitivityModel) =>
    r.summary.find((x) => x.maxMs === max && x.series.endsWith(m.name))!;
  const [wa, wb] = [splitWindowMs(a), splitWindowMs(b)];
  const text =
    "with 5 ms of randomness, the testbed with the wider split-vote window (disk write " +
    "before RequestVote + one-way delay) has more failed elections and a higher median";
  if (Math.abs(wa - wb) < 2) {
    return [notApplicable(text, `windows ${wa.toFixed(1)} and ${wb.toFixed(1)} ms are too close`)];
  }
  const claims: Claim[] = [];
  const [wide, narrow] = wa > wb ? [a, b] : [b, a];
  const lo = r.summary[0].minMs + SENSITIVITY_RANDOMNESS[0];
  const w = get(lo, wide), n = get(lo, narrow);
  claims.push(claim(
    text,
    w.meanTerms > n.meanTerms && w.p50Ms > n.p50Ms,
    `${wide.name} (window ${splitWindowMs(wide).toFixed(1)} ms): ${
      w.meanTerms.toFixed(2)
    } terms, ` +
      `median ${fmt(w.p50Ms)}; ${narrow.name} (window ${splitWindowMs(narrow).toFixed(1)} ms): ` +
      `${n.meanTerms.toFixed(2)} terms, median ${fmt(n.p50Ms)}`,
  ));
  return claims;
}

/** One row of the comparison with the paper: a curve's statistics, and what the paper says. */
export interface PaperComparisonRow {
  readonly range: string;
  readonly medianMs: number;
  readonly meanMs: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly paper: string;
}

/** Every curve's median, mean, p99 and maximum next to what §9.3 of the paper reports. */
export function figure16Comparison(r: Figure16Result, p: RaftExerciseParams): PaperComparisonRow[] {
  const min = p.electionTimeoutMinMs;
  return r.summary.map((x) => ({
    range: x.series,
    medianMs: x.p50Ms,
    meanMs: x.meanMs,
    p99Ms: x.p99Ms,
    maxMs: x.worstMs,
    paper: min !== 150
      ? "the paper's top graph starts at 150 ms"
      : x.maxMs === min
      ? PAPER_FIGURE16.fixed
      : x.maxMs === min + 5
      ? PAPER_FIGURE16.fiveMs
      : x.maxMs === min + 50
      ? PAPER_FIGURE16.fiftyMs
      : "not stated in the text (only drawn)",
  }));
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

/** The discussion after Figure 16, with every number taken from the run. */
export function figure16Discussion(r: Figure16Result, p: RaftExerciseParams): MarkdownText {
  const min = p.electionTimeoutMinMs;
  const s = r.summary;
  const fixed = s.find((x) => x.maxMs === min);
  const random = s.filter((x) => x.maxMs > min).sort((a, b) => a.maxMs - b.maxMs);
  const widest = random.at(-1);
  const five = s.find((x) => x.maxMs === min + 5);
  const fifty = s.find((x) => x.maxMs === min + 50);
  const w = splitWindowMs(r.testbed);
  const out: string[] = [];
  if (fixed && widest) {
    out.push(
      `"Terms per leader change" is the mechanism made visible: at ${fixed.series} a leader ` +
        `change burns ${fixed.meanTerms.toFixed(0)} terms on average, each one a split vote; at ` +
        `${widest.series} it takes ${widest.meanTerms.toFixed(2)}. What is left above one there ` +
        "is mostly candidates with too-short logs that lose (two of the four survivors cannot " +
        "win): if the first timer to fire belongs to one of them, the voters refuse it without " +
        "resetting their timers, and the next candidate follows in a new term.",
    );
  }
  if (five && fixed) {
    out.push(
      `Against the paper: without randomness ${(100 * fixed.over10s).toFixed(0)}% of ` +
        `${fixed.trials} elections took over 10 s (fastest ${fmt(fixed.bestMs)}; the paper: ` +
        `"consistently longer than 10 seconds"). With 5 ms of randomness the median is ` +
        `${fmt(five.p50Ms)}, ${(five.p50Ms / PAPER_NUMBERS.fiveMsMedianMs).toFixed(1)}× the ` +
        `paper's ${PAPER_NUMBERS.fiveMsMedianMs} ms` +
        (fifty
          ? `; with 50 ms the worst of ${fifty.trials} is ${fmt(fifty.worstMs)} against the ` +
            `paper's ${PAPER_NUMBERS.fiftyMsWorstMs} ms`
          : "") +
        `. A split vote needs two timers closer than the split-vote window, ${w.toFixed(1)} ms ` +
        `on this testbed; 5 ms of randomness against a window of that size decides how many ` +
        "rounds an election takes, so the 5 ms curve is the one most sensitive to what the paper " +
        "does not report (how its 15 ms broadcast time splits between network, disk and the " +
        "RPC stack). The sensitivity experiment below moves that split.",
    );
  }
  return new MarkdownText(out.join("\n\n"));
}

/** The discussion after the sensitivity experiment, from the run. */
export function sensitivityDiscussion(r: SensitivityResult): MarkdownText {
  const [a, b] = r.models;
  const get = (max: number, m: SensitivityModel) =>
    r.summary.find((x) => x.maxMs === max && x.series.endsWith(m.name))!;
  const min = r.summary[0].minMs;
  const [lo, hi] = SENSITIVITY_RANDOMNESS.map((x) => min + x);
  const a5 = get(lo, a), b5 = get(lo, b), aw = get(hi, a), bw = get(hi, b);
  const ratio = Math.max(a5.p50Ms, b5.p50Ms) / Math.min(a5.p50Ms, b5.p50Ms);
  return new MarkdownText(
    `The broadcast times are ${a.broadcastMs.toFixed(1)} and ${b.broadcastMs.toFixed(1)} ms. ` +
      `With ${lo - a5.minMs} ms of randomness the two testbeds differ by a factor of ` +
      `${ratio.toFixed(1)} in the median (${a.name}: ${fmt(a5.p50Ms)}, window ` +
      `${splitWindowMs(a).toFixed(1)} ms; ${b.name}: ${fmt(b5.p50Ms)}, window ` +
      `${splitWindowMs(b).toFixed(1)} ms); the paper's ${PAPER_NUMBERS.fiveMsMedianMs} ms ` +
      (Math.min(a5.p50Ms, b5.p50Ms) > PAPER_NUMBERS.fiveMsMedianMs
        ? "is below both, as if its window were narrower than either"
        : Math.max(a5.p50Ms, b5.p50Ms) < PAPER_NUMBERS.fiveMsMedianMs
        ? "is above both, as if its window were wider than either"
        : "lies between them") +
      `. With ${hi - aw.minMs} ms of randomness the medians ` +
      `are ${fmt(aw.p50Ms)} and ${fmt(bw.p50Ms)}: Raft's recommended range does not depend on ` +
      "how the broadcast time is made up, which is why it is recommended.",
  );
}
