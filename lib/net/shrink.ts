/**
 * Shrinking a failing fault schedule to a minimal one, and random schedules to search with.
 *
 * {@link shrinkSchedule} takes a deterministic test `fails(schedule)` and a schedule it fails on.
 * It first keeps the shortest failing prefix in time order (faults after the failure cannot matter;
 * a binary search finds it in about log2 n runs), then removes whole episodes (a crash with its
 * restart, a partition with its heal), then removes faults by delta debugging (Zeller &
 * Hildebrandt, "Simplifying and Isolating Failure-Inducing Input", IEEE TSE 2002: `ddmin`, which
 * tries chunks of the list and their complements, halving the chunk size down to single faults),
 * then simplifies the faults that remain while the test still fails: each time is moved as early
 * as it can go (which also shortens a partition, a crash or a slow link by moving its heal, restart
 * or restore), pauses are shortened, clock jumps, drifts and link delays are softened, and cut
 * links are dropped one by one. Removal and simplification repeat until nothing changes or the run
 * budget is spent. Unless the budget ran out, the result is 1-minimal: removing any single fault
 * makes the test pass.
 *
 * A failure that hangs on fine timing (a vote that must land between two messages) may not shrink
 * far: in a deterministic simulation removing any fault shifts every later random draw of the
 * nodes it touched, so most candidates stop failing. The budget bounds the effort and the best
 * schedule found so far is returned.
 *
 * Everything is deterministic: the same test and schedule give the same result, the same number of
 * runs and the same steps. A test must itself be deterministic (a fixed seed; see
 * {@link Simulation}), which also lets identical candidates be answered from a cache.
 * @module
 */
import type { NodeId } from "../sim/types.ts";
import { Rng } from "../sim/rng.ts";
import { stableStringify } from "../sim/trace.ts";
import { ConfigError } from "../sim/errors.ts";
import { type Fault, type FaultInput, parseSchedule, type Schedule } from "./nemesis.ts";

/** Options of {@link shrinkSchedule}. */
export interface ShrinkOptions {
  /** Most calls of the test, the check of the original included. Default 500. */
  readonly maxRuns?: number;
  /** Simplify the remaining faults after removing what can be removed. Default true. */
  readonly simplify?: boolean;
  /** Times and durations move in steps no smaller than this (ms). Default 1. */
  readonly resolutionMs?: number;
}

/** What a shrink step tried. */
export type ShrinkStepKind =
  | "original"
  | "empty"
  | "prefix"
  | "subset"
  | "complement"
  | "episode"
  | "earlier"
  | "shorten"
  | "soften"
  | "fewer-links";

/** One run of the test during shrinking (cache hits are not runs and are not listed). */
export interface ShrinkStep {
  /** 1-based number of this run. */
  readonly run: number;
  /** The shrinking move that produced this candidate (see {@link ShrinkStepKind}). */
  readonly kind: ShrinkStepKind;
  /** What changed, e.g. "remove 4 of 12 faults" or "crash n1: t=1200 → 600". */
  readonly description: string;
  /** Number of faults in the candidate. */
  readonly faults: number;
  /** Whether the candidate still failed (and so was kept). */
  readonly failed: boolean;
}

/** The outcome of {@link shrinkSchedule}. */
export interface ShrinkResult {
  /** The smallest failing schedule found, sorted by time (ties keep their order). */
  readonly schedule: Schedule;
  /** The schedule shrinking started from. */
  readonly original: Schedule;
  /** Calls of the test, the check of the original included. */
  readonly runs: number;
  /** Every run, in order. */
  readonly steps: readonly ShrinkStep[];
  /** True when the budget ran out before shrinking reached a fixpoint. */
  readonly exhausted: boolean;
}

class BudgetSpent extends Error {}

type FaultOf<T extends Fault["type"]> = Extract<Fault, { type: T }>;

/** One line for a fault: "t=1200 crash n1", "t=300 partition [n0 n1 | n2 n3 n4]". */
export function formatFault(f: Fault): string {
  const t = `t=${Math.round(f.atMs * 1000) / 1000}`;
  switch (f.type) {
    case "partition":
      return `${t} partition [${f.groups.map((g) => g.join(" ")).join(" | ")}]`;
    case "partitionOneWay":
      return `${t} partitionOneWay ${f.from.join(" ")} -> ${f.to.join(" ")}`;
    case "cut":
      return `${t} cut ${f.pairs.map(([a, b]) => `${a}-${b}`).join(" ")}`;
    case "isolate":
    case "reconnect":
    case "crash":
    case "restart":
      return `${t} ${f.type} ${f.node}`;
    case "network": {
      const { atMs: _a, type: _t, ...rest } = f;
      return `${t} network ${JSON.stringify(rest)}`;
    }
    case "pause":
      return `${t} pause ${f.node} ${f.durationMs}ms`;
    case "clockJump":
      return `${t} clockJump ${f.node} ${f.deltaMs}ms`;
    case "clockDrift":
      return `${t} clockDrift ${f.node} ${f.drift}`;
    case "slowLink":
      return `${t} slowLink ${f.from}-${f.to} +${f.extraMs}ms` +
        (f.lossRatio !== undefined ? ` loss ${f.lossRatio}` : "");
    case "hold":
      return `${t} hold ${f.from}${f.bidirectional ? "<->" : "->"}${f.to}`;
    case "byzantine":
      return `${t} byzantine ${f.nodes.join(" ")} ${
        f.strategies.map((s) => JSON.stringify(s)).join(" ")
      }`;
    case "heal":
    case "restore":
    case "release":
      return `${t} ${f.type}`;
  }
}

/**
 * Shrink a failing schedule: delta debugging over its faults, then simplification of each fault,
 * repeated to a fixpoint within `maxRuns` calls of `fails`. Throws if the original does not fail.
 * @example
 * ```ts
 * const fails = (s: Schedule) => runRaft(seed, s).breach !== undefined; // deterministic
 * const { schedule, runs, steps } = shrinkSchedule(fails, generated, { maxRuns: 300 });
 * schedule.map(formatFault); // e.g. ["t=0 crash n1", "t=412 isolate n2"]
 * ```
 */
export function shrinkSchedule(
  fails: (schedule: Schedule) => boolean,
  schedule: Schedule,
  options: ShrinkOptions = {},
): ShrinkResult {
  const maxRuns = options.maxRuns ?? 500;
  const resolution = options.resolutionMs ?? 1;
  if (!(Number.isInteger(maxRuns) && maxRuns >= 1)) {
    throw new ConfigError("shrink options", [{
      path: "maxRuns",
      message: "must be an integer >= 1",
    }]);
  }
  if (!(resolution > 0)) {
    throw new ConfigError("shrink options", [{ path: "resolutionMs", message: "must be > 0" }]);
  }
  const steps: ShrinkStep[] = [];
  const cache = new Map<string, boolean>();
  let runs = 0;
  // every phase keeps a candidate exactly when it fails, so the latest failure is the best so far
  let latest: Schedule = schedule;
  const test = (candidate: Schedule, kind: ShrinkStepKind, description: string): boolean => {
    const key = stableStringify(candidate);
    const hit = cache.get(key);
    if (hit !== undefined) return hit;
    if (runs >= maxRuns) throw new BudgetSpent();
    runs++;
    const failed = fails(candidate.map((f) => structuredClone(f)));
    cache.set(key, failed);
    steps.push({ run: runs, kind, description, faults: candidate.length, failed });
    if (failed) latest = candidate;
    return failed;
  };

  const original = schedule.map((f) => structuredClone(f));
  if (!test(original, "original", `${original.length} faults`)) {
    throw new Error(
      `shrinkSchedule: the original schedule (${original.length} faults) does not fail, so ` +
        `there is nothing to shrink; is the test deterministic?`,
    );
  }
  let best: Schedule = original;
  let exhausted = false;
  try {
    if (best.length > 0 && test([], "empty", "remove every fault")) {
      best = [];
    } else {
      best = shortestPrefix(sortByTime(best), test);
      for (;;) {
        best = ddmin(removeEpisodes(best, test), test);
        if (options.simplify === false) break;
        const simpler = simplify(best, test, resolution);
        if (simpler === best) break;
        best = simpler;
      }
    }
  } catch (e) {
    if (!(e instanceof BudgetSpent)) throw e;
    exhausted = true;
    best = latest;
  }
  return { schedule: sortByTime(best), original, runs, steps, exhausted };
}

function sortByTime(s: Schedule): Schedule {
  return s.map((f, i) => ({ f, i })).sort((a, b) => a.f.atMs - b.f.atMs || a.i - b.i).map((x) =>
    x.f
  );
}

type Test = (candidate: Schedule, kind: ShrinkStepKind, description: string) => boolean;

/**
 * The shortest failing prefix in time order, by binary search. Faults after the moment a run
 * fails cannot matter, and dropping them first is cheap (about log2 n runs) where ddmin on a
 * failure that depends on fine timing would spend its budget on large chunks that all pass.
 */
function shortestPrefix(c: Schedule, test: Test): Schedule {
  let lo = 0, hi = c.length; // c.slice(0, hi) fails; c.slice(0, lo) is not known to
  while (hi - lo > 1) {
    const mid = lo + Math.floor((hi - lo) / 2);
    const prefix = c.slice(0, mid);
    if (test(prefix, "prefix", `keep the first ${mid} of ${c.length} faults`)) hi = mid;
    else lo = mid;
  }
  return c.slice(0, hi);
}

/** Zeller & Hildebrandt's ddmin: a 1-minimal failing sublist of `c` (which fails). */
function ddmin(c: Schedule, test: Test): Schedule {
  let n = 2;
  while (c.length >= 2) {
    const chunks = split(c, n);
    let reduced = false;
    // reduce to a subset: one chunk alone still fails
    for (let i = 0; i < chunks.length && !reduced; i++) {
      if (test(chunks[i], "subset", `keep ${chunks[i].length} of ${c.length} faults`)) {
        c = chunks[i];
        n = 2;
        reduced = true;
      }
    }
    // reduce to a complement: the rest without one chunk still fails (when n = 2 these are the
    // subsets again, answered from the cache without a run)
    for (let i = 0; i < chunks.length && !reduced; i++) {
      const rest = chunks.filter((_, k) => k !== i).flat();
      if (test(rest, "complement", `remove ${chunks[i].length} of ${c.length} faults`)) {
        c = rest;
        n = Math.max(n - 1, 2);
        reduced = true;
      }
    }
    if (reduced) continue;
    if (n >= c.length) break;
    n = Math.min(2 * n, c.length);
  }
  return c;
}

/** The fault that ends the episode `f` opens (its restart, heal or restore), if `g` is one. */
function closes(f: Fault, g: Fault): boolean {
  switch (f.type) {
    case "crash":
      return g.type === "restart" && g.node === f.node;
    case "partition":
    case "partitionOneWay":
    case "cut":
    case "isolate":
      return g.type === "heal";
    case "slowLink":
      return g.type === "restore";
    case "hold":
      return g.type === "release";
    default:
      return false;
  }
}

/**
 * Remove whole episodes: a crash with the restart that ends it, a partition with its heal, a slow
 * link with its restore. ddmin removes one fault at a time at its finest, and removing a crash
 * alone leaves its restart behind (and vice versa), which changes a run more than removing both.
 */
function removeEpisodes(c: Schedule, test: Test): Schedule {
  for (let i = c.length - 1; i >= 0; i--) {
    if (i >= c.length) continue;
    const f = c[i];
    let j = -1;
    for (let k = 0; k < c.length; k++) {
      if (k !== i && c[k].atMs >= f.atMs && closes(f, c[k]) && (j < 0 || c[k].atMs < c[j].atMs)) {
        j = k;
      }
    }
    if (j < 0) continue;
    const candidate = c.filter((_, k) => k !== i && k !== j);
    if (test(candidate, "episode", `remove ${formatFault(f)} with ${formatFault(c[j])}`)) {
      c = candidate;
    }
  }
  return c;
}

/**
 * Split into `n` contiguous chunks of nearly equal size. ddmin keeps 2 <= n <= length (it doubles n
 * up to the length, and a kept complement has at least n − 1 items), so no chunk is empty; the
 * filter is a guard: with an empty chunk, whose complement is the whole list, ddmin would loop.
 */
function split<T>(items: readonly T[], n: number): T[][] {
  const out: T[][] = [];
  let start = 0;
  for (let k = 0; k < n; k++) {
    const end = start + Math.floor((items.length - start) / (n - k));
    out.push(items.slice(start, end));
    start = end;
  }
  // Stryker disable next-line ConditionalExpression: equivalent — no chunk is empty while 2 <= n <= length (above); → false is killed, but cannot be kept alone
  return out.filter((c) => c.length > 0);
}

/**
 * Simplify each fault in turn while the schedule still fails; returns `s` itself when nothing
 * could be simplified.
 */
function simplify(s: Schedule, test: Test, resolution: number): Schedule {
  let cur = s;
  const replace = (i: number, f: Fault): Schedule => cur.map((x, k) => (k === i ? f : x));
  /** Binary search of a number from `value` towards `target`, keeping what still fails. */
  const towards = (
    i: number,
    value: number,
    target: number,
    make: (v: number) => Fault,
    kind: ShrinkStepKind,
    what: string,
    step: number,
  ): void => {
    let far = value; // known to fail
    let near = target; // not known to fail
    // the target itself first: it is often enough (a time of 0, no pause)
    for (let probes = 0; probes < 16 && far !== near; probes++) {
      const v = probes === 0 ? near : midpoint(near, far, step);
      if (v === near && probes > 0) break;
      const candidate = replace(i, make(v));
      if (test(candidate, kind, `${what}: ${fmt(far)} → ${fmt(v)}`)) {
        cur = candidate;
        far = v;
      } else {
        near = v;
      }
    }
  };
  for (let i = 0; i < cur.length; i++) {
    const f0 = cur[i];
    const label = formatFault(f0);
    towards(i, f0.atMs, 0, (v) => ({ ...cur[i], atMs: v }), "earlier", `${label} time`, resolution);
    const f = cur[i];
    switch (f.type) {
      case "pause":
        towards(
          i,
          f.durationMs,
          0,
          (v) => ({ ...(cur[i] as FaultOf<"pause">), durationMs: v }),
          "shorten",
          `${label} duration`,
          resolution,
        );
        break;
      case "clockJump":
        towards(
          i,
          f.deltaMs,
          0,
          (v) => ({ ...(cur[i] as FaultOf<"clockJump">), deltaMs: v }),
          "soften",
          `${label} jump`,
          resolution,
        );
        break;
      case "clockDrift":
        towards(
          i,
          f.drift,
          0,
          (v) => ({ ...(cur[i] as FaultOf<"clockDrift">), drift: v }),
          "soften",
          `${label} drift`,
          1e-6,
        );
        break;
      case "slowLink":
        towards(
          i,
          f.extraMs,
          0,
          (v) => ({ ...(cur[i] as FaultOf<"slowLink">), extraMs: v }),
          "soften",
          `${label} delay`,
          resolution,
        );
        break;
      case "cut": {
        for (let k = f.pairs.length - 1; k >= 0; k--) {
          const g = cur[i] as FaultOf<"cut">;
          if (g.pairs.length <= 1) break;
          const pairs = g.pairs.filter((_, j) => j !== k);
          const candidate = replace(i, { ...g, pairs });
          const [a, b] = g.pairs[k];
          if (test(candidate, "fewer-links", `${label}: keep ${a}-${b} connected`)) {
            cur = candidate;
          }
        }
        break;
      }
      default:
        break;
    }
  }
  return cur; // `s` itself unless a simpler candidate failed
}

/** The midpoint of near and far on the step grid, rounded towards `near` (near when adjacent). */
function midpoint(near: number, far: number, step: number): number {
  const mid = near + (far - near) / 2;
  const v = near < far ? Math.floor(mid / step) * step : Math.ceil(mid / step) * step;
  const r = Number(v.toPrecision(12));
  return (near < far ? r <= near : r >= near) ? near : r;
}

function fmt(v: number): string {
  return String(Number(v.toPrecision(6)));
}

/** The fault kinds {@link randomSchedule} draws from. */
export type RandomFaultKind =
  | "partition"
  | "isolate"
  | "cut"
  | "crash"
  | "pause"
  | "clockJump"
  | "slowLink";

/** Options of {@link randomSchedule}. */
export interface RandomScheduleOptions {
  /** Number of fault episodes (each may add its heal, restart or restore). Default 20. */
  readonly episodes?: number;
  /** Episodes start at or after this time. Default 0. */
  readonly startMs?: number;
  /** Episodes start before this time. */
  readonly endMs: number;
  /** Kinds to draw from, uniformly. Default partition, isolate, crash, pause. */
  readonly kinds?: readonly RandomFaultKind[];
  /** Longest episode (a partition until its heal, a crash until its restart, a pause). Default 1000. */
  readonly maxDurationMs?: number;
}

/**
 * A random schedule from a seed, in the nemesis vocabulary: each episode is a partition into
 * random halves, an isolated node or a cut link (each followed by a heal), a crash (followed by a
 * restart), a pause, a clock jump, or a slow link (followed by a restore). Validated against
 * `nodes`; sorted by time.
 * @example
 * ```ts
 * const s = randomSchedule(42, ["n0", "n1", "n2"], { endMs: 5_000, kinds: ["crash", "isolate"] });
 * ```
 */
export function randomSchedule(
  seed: number | string,
  nodes: readonly NodeId[],
  options: RandomScheduleOptions,
): Schedule {
  if (nodes.length < 2) {
    throw new ConfigError("random schedule", [{
      path: "nodes",
      message: "needs at least 2 nodes",
    }]);
  }
  const rng = new Rng(seed).fork("random-schedule");
  const episodes = options.episodes ?? 20;
  const start = options.startMs ?? 0;
  const kinds = options.kinds ?? ["partition", "isolate", "crash", "pause"];
  const maxD = options.maxDurationMs ?? 1_000;
  if (!(options.endMs > start)) {
    throw new ConfigError("random schedule", [{ path: "endMs", message: "must be > startMs" }]);
  }
  if (kinds.length === 0) {
    throw new ConfigError("random schedule", [{ path: "kinds", message: "must not be empty" }]);
  }
  const out: FaultInput[] = [];
  const ms = (v: number) => Math.round(v);
  for (let e = 0; e < episodes; e++) {
    const t = ms(rng.uniform(start, options.endMs));
    const d = ms(rng.uniform(1, maxD));
    const kind = rng.pick(kinds);
    switch (kind) {
      case "partition": {
        const s = rng.shuffle(nodes);
        const k = rng.int(1, Math.floor(nodes.length / 2));
        out.push({ atMs: t, type: "partition", groups: [s.slice(0, k), s.slice(k)] });
        out.push({ atMs: t + d, type: "heal" });
        break;
      }
      case "isolate":
        out.push({ atMs: t, type: "isolate", node: rng.pick(nodes) });
        out.push({ atMs: t + d, type: "heal" });
        break;
      case "cut": {
        const [a, b] = rng.shuffle(nodes);
        out.push({ atMs: t, type: "cut", pairs: [[a, b]] });
        out.push({ atMs: t + d, type: "heal" });
        break;
      }
      case "crash": {
        const node = rng.pick(nodes);
        out.push({ atMs: t, type: "crash", node });
        out.push({ atMs: t + d, type: "restart", node });
        break;
      }
      case "pause":
        out.push({ atMs: t, type: "pause", node: rng.pick(nodes), durationMs: d });
        break;
      case "clockJump":
        out.push({
          atMs: t,
          type: "clockJump",
          node: rng.pick(nodes),
          deltaMs: rng.chance(0.5) ? d : -d,
        });
        break;
      case "slowLink": {
        const [a, b] = rng.shuffle(nodes);
        out.push({ atMs: t, type: "slowLink", from: a, to: b, extraMs: d });
        out.push({ atMs: t + d, type: "restore" });
        break;
      }
    }
  }
  return sortByTime(parseSchedule(out, nodes));
}
