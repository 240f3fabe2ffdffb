/**
 * Notebook 08's locking experiments: leader election through a lease on the Raft key-value store
 * (a crash, a paused leader, a partitioned leader), the lock service with fencing tokens under
 * Kleppmann's paused-client scenario (without and with fencing, and a sweep over the pause), and
 * Redlock under a clock jump and a client pause. Every prediction is computed from the parameters
 * and checked against the runs by {@link checkLocks}.
 *
 * Sources: M. Kleppmann, "How to do distributed locking" (2016): the paused client of
 * "Protecting a resource with a lock" (a check of the lease just before the write does not help:
 * the pause can fall between the check and the write), the tokens of "Making the lock safe with
 * fencing", the clock jump and the pause of "Breaking Redlock with bad timings"; the Redis
 * "Distributed locks with Redis" page (Redlock: a majority of N independent nodes within the
 * validity ttl − elapsed; drift = ttl × 0.01 + 2 ms in the reference implementations).
 * @module
 */
import { z } from "zod";
import { parseConfig } from "../sim/errors.ts";
import type { NodeId } from "../sim/types.ts";
import type { FaultWindow } from "../net/nemesis.ts";
import type { StateInterval } from "../viz/timeline.ts";
import {
  type ElectionFault,
  type ElectionRun,
  type FencingRun,
  type LockHistory,
  type LockRun,
  type RedlockRun,
  runFencingScenario,
  runLeaseElection,
  runRedlock,
} from "../protocols/lock/mod.ts";
import { type Claim, claim, notApplicable } from "./claims.ts";

/** Link latency of every lease run (uniform, ms): the bounds below are computed from it. */
export const LOCK_LATENCY_MS = { min: 2, max: 8 } as const;
/** Lease client constants the bounds use: resend delay after a redirect, Redlock reply wait and retry. */
export const LOCK_TIMING = {
  redirectMs: 10,
  redlockReplyMs: 50,
  redlockRetryMs: 30,
  workMs: 2,
} as const;

/** Parameters of the locking experiments (validated; a ConfigError names the field). */
export const LockParamsSchema = z.object({
  /** Root seed. */
  seed: z.number().int().default(1),
  /** Raft key-value servers under the lease (1..9). */
  servers: z.number().int().min(1).max(9).default(3),
  /** Lease duration, local clock (ms, > 0). */
  leaseMs: z.number().finite().positive().default(400),
  /** Contenders read the lease record this often (ms, > 0). */
  pollMs: z.number().finite().positive().default(20),
  /** Client A's pause in the fencing scenario (ms, > 0). */
  pauseMs: z.number().finite().positive().default(1000),
  /** Pauses of the sweep (ms, each > 0; 1..12 of them). */
  pauseSweepMs: z.array(z.number().finite().positive()).min(1).max(12)
    .default([150, 300, 700, 1000, 1500]),
  /** Crash elections on seeds seed .. seed + k − 1 (1..50). */
  electionSeeds: z.number().int().min(1).max(50).default(5),
  /** Pause and partition length in the election runs (ms, > 0). */
  electionFaultForMs: z.number().finite().positive().default(1000),
  /** Independent Redlock nodes (odd, 3..15). */
  redlockNodes: z.number().int().min(3).max(15).refine((n) => n % 2 === 1, "must be odd")
    .default(5),
  /** Redlock keys' time to live (ms, > 0). */
  redlockTtlMs: z.number().finite().positive().default(1000),
  /** The Redlock node whose clock jumps (one of A's majority r0..r{m−1}). */
  jumpNode: z.string().min(1).default("r2"),
}).strict().superRefine((p, ctx) => {
  const m = Math.floor(p.redlockNodes / 2) + 1;
  const majority = Array.from({ length: m }, (_, i) => `r${i}`);
  if (!majority.includes(p.jumpNode)) {
    ctx.addIssue({
      code: "custom",
      path: ["jumpNode"],
      message: `unknown node "${p.jumpNode}": must be one of A's majority ${majority.join(", ")}`,
    });
  }
});

/** Parameters as written. */
export type LockParamsInput = z.input<typeof LockParamsSchema>;
/** Parameters with defaults applied. */
export type LockParams = z.output<typeof LockParamsSchema>;

/**
 * Validate the notebook's parameters (a ConfigError names the bad field).
 * @example
 * ```ts
 * const p = parseLockParams({ leaseMs: 400, pauseMs: 1000 });
 * ```
 */
export function parseLockParams(input: unknown): LockParams {
  return parseConfig(LockParamsSchema, input ?? {}, "lock parameters");
}

/** Predictions computed from the parameters. */
export interface LockBounds {
  /** One KV request, worst case: a redirect, then request, replication round and reply. */
  readonly requestMsMax: number;
  /** Fencing scenario: B's grant − A's grant (B contends from A's grant). */
  readonly takeoverLoMs: number;
  readonly takeoverHiMs: number;
  /** Election: from the fault on the leader to the next leader's hold. */
  readonly electionLoMs: number;
  readonly electionHiMs: number;
  /** Redlock validity after a successful acquisition. */
  readonly redlockValidityLoMs: number;
  readonly redlockValidityHiMs: number;
}

/**
 * The bounds. A request costs at most a redirect (2 latencies + the resend delay) plus request,
 * replication round trip and reply (4 latencies). B observes A's record within one request of A's
 * grant and takes over once it has seen it unchanged for a lease, at the next poll, with one more
 * request: takeover ∈ [L, L + poll + 3 req]. After a crash the last renewal was sent within
 * renew + poll + req before it (and may commit up to req after): election ∈
 * [L − renew − poll − req, L + 2 poll + 5 req]. Redlock: validity = ttl − elapsed − (ttl × 0.01 +
 * 2) with elapsed between two latencies and the reply timeout.
 */
export function lockBounds(p: LockParams): LockBounds {
  const lat = LOCK_LATENCY_MS;
  const req = 6 * lat.max + LOCK_TIMING.redirectMs;
  const L = p.leaseMs, renew = L / 3;
  const drift = p.redlockTtlMs * 0.01 + 2;
  return {
    requestMsMax: req,
    takeoverLoMs: L,
    takeoverHiMs: L + p.pollMs + 3 * req,
    electionLoMs: L - renew - p.pollMs - req,
    electionHiMs: L + 2 * p.pollMs + 5 * req,
    redlockValidityLoMs: p.redlockTtlMs - LOCK_TIMING.redlockReplyMs - drift,
    redlockValidityHiMs: p.redlockTtlMs - 2 * 1 - drift, // Redlock runs use 1..3 ms links
  };
}

/** One fencing-scenario run as a table row. */
export interface FencingRow {
  readonly fencing: boolean;
  readonly leaseMs: number;
  readonly pauseMs: number;
  readonly aGrantMs: number;
  readonly bGrantMs: number;
  /** B's grant − A's grant. */
  readonly takeoverMs: number;
  readonly resumeMs: number;
  /** Time both believed they held the lock. */
  readonly overlapMs: number;
  readonly staleWrite: "accepted" | "rejected" | "none";
  readonly resourceSafe: boolean;
  readonly exclusiveHolds: boolean;
  /** The checker's first resource violation, or "". */
  readonly witness: string;
}

/** One point of the pause sweep. */
export interface SweepRow {
  readonly pauseMs: number;
  readonly fencing: boolean;
  readonly takeoverMs: number;
  readonly overlapMs: number;
  readonly corrupted: boolean;
  readonly staleWrite: "accepted" | "rejected" | "none";
  /** What the bounds predict: corrupted iff no fencing and the pause outlasts the takeover. */
  readonly predicted: "corrupted" | "safe" | "n/a";
}

/** One lease-election run as a row. */
export interface ElectionRow {
  readonly fault: ElectionFault;
  readonly seed: number;
  /** Whether the resource checked fencing tokens in this run. */
  readonly fencing: boolean;
  /** The contenders' takeover rule in this run. */
  readonly takeover: "observed" | "expiry";
  /** The contender whose clock jumped ("clock-jump" runs). */
  readonly jumped: NodeId | undefined;
  readonly firstElectionMs: number;
  readonly oldLeader: NodeId | undefined;
  readonly newLeader: NodeId | undefined;
  readonly faultMs: number;
  readonly electionMs: number;
  readonly leaderlessMs: number;
  readonly overlapMs: number;
  readonly staleWrites: number;
  readonly staleAccepted: number;
  readonly exclusiveHolds: boolean;
  readonly resourceSafe: boolean;
}

/** One Redlock run as a row. */
export interface RedlockRow {
  readonly scenario: "handover" | "clock-jump" | "pause";
  readonly aVotes: number;
  readonly bVotes: number;
  readonly aValidityMs: number;
  readonly bValidityMs: number;
  readonly overlapMs: number;
  readonly exclusiveHolds: boolean;
  readonly resourceSafe: boolean;
  readonly witness: string;
}

/** Everything notebook 08 shows about locks. */
export interface LockExperiment {
  readonly bounds: LockBounds;
  readonly fencing: readonly FencingRow[];
  readonly fencingRuns: readonly FencingRun[];
  readonly sweep: readonly SweepRow[];
  readonly election: readonly ElectionRow[];
  readonly electionRuns: readonly ElectionRun[];
  readonly redlock: readonly RedlockRow[];
  readonly redlockRuns: readonly RedlockRun[];
}

/** The checker's most serious resource violation: interleaving, then token order, then a stale write. */
const witnessOf = (r: LockRun) =>
  (["interleaved-writes", "fencing-order", "stale-write"] as const)
    .map((k) => r.verdict.violations.find((v) => v.kind === k))
    .find((v) => v !== undefined)?.message ?? "";

const staleOf = (r: FencingRun): "accepted" | "rejected" | "none" =>
  r.staleWrite === undefined ? "none" : r.staleWrite.accepted ? "accepted" : "rejected";

function lease(
  p: LockParams,
  fencing: boolean,
  seed = p.seed,
  takeover: "observed" | "expiry" = "observed",
) {
  return {
    seed,
    takeover,
    servers: p.servers,
    leaseMs: p.leaseMs,
    pollMs: p.pollMs,
    fencing,
    workMs: LOCK_TIMING.workMs,
    latencyMsMin: LOCK_LATENCY_MS.min,
    latencyMsMax: LOCK_LATENCY_MS.max,
  };
}

/** Kleppmann's scenario with A paused `pauseMs`, fencing off or on. */
export function fencingRun(p: LockParams, fencing: boolean, pauseMs = p.pauseMs): FencingRun {
  return runFencingScenario({ lease: lease(p, fencing), pauseMs });
}

/** A fencing run as a row. */
export function fencingRow(
  p: LockParams,
  r: FencingRun,
  fencing: boolean,
  pauseMs: number,
): FencingRow {
  return {
    fencing,
    leaseMs: p.leaseMs,
    pauseMs,
    aGrantMs: r.aGrantMs,
    bGrantMs: r.bGrantMs,
    takeoverMs: r.bGrantMs - r.aGrantMs,
    resumeMs: r.resumeMs,
    overlapMs: r.verdict.overlapMs,
    staleWrite: staleOf(r),
    resourceSafe: r.verdict.resourceSafe,
    exclusiveHolds: r.verdict.exclusiveHolds,
    witness: witnessOf(r),
  };
}

/**
 * The regime of a pause: "corrupted" when A resumes after every possible takeover (pause >
 * takeover upper bound), "safe" when its write lands before any takeover (pause + work + one
 * latency < takeover lower bound), "n/a" in between.
 */
export function pauseRegime(p: LockParams, pauseMs: number): "late" | "early" | "n/a" {
  const b = lockBounds(p);
  if (pauseMs > b.takeoverHiMs + LOCK_TIMING.workMs + LOCK_LATENCY_MS.max) return "late";
  if (pauseMs + LOCK_TIMING.workMs + LOCK_LATENCY_MS.max < b.takeoverLoMs) return "early";
  return "n/a";
}

function electionRow(r: ElectionRun, seed: number): ElectionRow {
  return {
    fault: r.fault,
    seed,
    fencing: r.fencing,
    takeover: r.takeover,
    jumped: r.jumped,
    firstElectionMs: r.firstElectionMs,
    oldLeader: r.oldLeader,
    newLeader: r.newLeader,
    faultMs: r.faultMs,
    electionMs: r.electionMs,
    leaderlessMs: r.leaderlessMs,
    overlapMs: r.verdict.overlapMs,
    staleWrites: r.staleWrites.length,
    staleAccepted: r.staleWrites.filter((w) => w.accepted).length,
    exclusiveHolds: r.verdict.exclusiveHolds,
    resourceSafe: r.verdict.resourceSafe,
  };
}

/**
 * Lease elections: no fault and a crash on each election seed, then a paused leader (fencing on,
 * then off), a partitioned leader, and a contender's clock jumping `electionFaultForMs` ahead
 * (the "observed" rule, then the "expiry" mistake with fencing on and off).
 */
export function electionRuns(p: LockParams): ElectionRun[] {
  const runs: ElectionRun[] = [];
  const base = { faultAtMs: 2000, faultForMs: p.electionFaultForMs };
  const runMs = base.faultAtMs + p.electionFaultForMs + 3 * p.leaseMs + 1000;
  runs.push(runLeaseElection({ lease: lease(p, true), fault: "none", ...base, runMs }));
  for (let k = 0; k < p.electionSeeds; k++) {
    runs.push(
      runLeaseElection({ lease: lease(p, true, p.seed + k), fault: "crash", ...base, runMs }),
    );
  }
  runs.push(runLeaseElection({ lease: lease(p, true), fault: "pause", ...base, runMs }));
  runs.push(runLeaseElection({ lease: lease(p, false), fault: "pause", ...base, runMs }));
  runs.push(runLeaseElection({ lease: lease(p, true), fault: "partition", ...base, runMs }));
  for (
    const [takeover, fencing] of [["observed", true], ["expiry", true], ["expiry", false]] as const
  ) {
    runs.push(
      runLeaseElection({
        lease: lease(p, fencing, p.seed, takeover),
        fault: "clock-jump",
        ...base,
        runMs,
      }),
    );
  }
  return runs;
}

/** The three Redlock scenarios. */
export function redlockRuns(p: LockParams): RedlockRun[] {
  return (["handover", "clock-jump", "pause"] as const).map((scenario) =>
    runRedlock({
      seed: p.seed,
      scenario,
      nodes: p.redlockNodes,
      ttlMs: p.redlockTtlMs,
      jumpNode: p.jumpNode,
    })
  );
}

/**
 * Run every locking experiment.
 * @example
 * ```ts
 * const p = parseLockParams({});
 * const x = runLockExperiment(p);
 * assertClaims(checkLocks(x, p));
 * ```
 */
export function runLockExperiment(p: LockParams): LockExperiment {
  const fencingRuns = [false, true].map((f) => fencingRun(p, f));
  const sweep: SweepRow[] = [];
  for (const pauseMs of p.pauseSweepMs) {
    for (const fencing of [false, true]) {
      const r = fencingRun(p, fencing, pauseMs);
      const regime = pauseRegime(p, pauseMs);
      sweep.push({
        pauseMs,
        fencing,
        takeoverMs: r.bGrantMs - r.aGrantMs,
        overlapMs: r.verdict.overlapMs,
        corrupted: !r.verdict.resourceSafe,
        staleWrite: staleOf(r),
        predicted: regime === "n/a" ? "n/a" : regime === "late" && !fencing ? "corrupted" : "safe",
      });
    }
  }
  const eRuns = electionRuns(p);
  let crashSeed = p.seed;
  const election = eRuns.map((r) => electionRow(r, r.fault === "crash" ? crashSeed++ : p.seed));
  const rRuns = redlockRuns(p);
  return {
    bounds: lockBounds(p),
    fencing: fencingRuns.map((r, i) => fencingRow(p, r, i === 1, p.pauseMs)),
    fencingRuns,
    sweep,
    election,
    electionRuns: eRuns.filter((r) => r.fault !== "none" && r.fault !== "crash"),
    redlock: rRuns.map((r) => ({
      scenario: r.scenario,
      aVotes: r.aVotes,
      bVotes: r.bVotes,
      aValidityMs: r.aValidityMs,
      bValidityMs: r.bValidityMs,
      overlapMs: r.verdict.overlapMs,
      exclusiveHolds: r.verdict.exclusiveHolds,
      resourceSafe: r.verdict.resourceSafe,
      witness: witnessOf(r),
    })),
    redlockRuns: rRuns,
  };
}

/** Holds as timeline intervals (lane = client; state "holds token t" or "holds"). */
export function holdIntervals(history: LockHistory): StateInterval[] {
  return history.holds.map((h) => ({
    node: h.client,
    startMs: h.fromMs,
    endMs: h.toMs,
    state: h.token === null ? "holds" : `holds token ${h.token}`,
  }));
}

/** The pause of a fencing run as a fault window to shade. */
export function pauseWindows(r: FencingRun): FaultWindow[] {
  return [{ startMs: r.pauseStartMs, endMs: r.resumeMs, label: "pause a", kind: "pause" }];
}

const f0 = (x: number) => Number.isFinite(x) ? x.toFixed(0) : String(x);
const within = (x: number, lo: number, hi: number) => x >= lo && x <= hi;

/** What theory predicts for the locking experiments, checked against the runs. */
export function checkLocks(x: LockExperiment, p: LockParams): Claim[] {
  const b = lockBounds(p);
  const out: Claim[] = [];
  const [off, on] = [x.fencing.find((r) => !r.fencing)!, x.fencing.find((r) => r.fencing)!];
  const regime = pauseRegime(p, p.pauseMs);
  // --- the fencing scenario
  out.push(claim(
    `B takes the lock between ${f0(b.takeoverLoMs)} and ${f0(b.takeoverHiMs)} ms after A ` +
      `(a lease of ${p.leaseMs} ms unchanged, then one poll and a compare-and-set)`,
    [off, on].every((r) => within(r.takeoverMs, b.takeoverLoMs, b.takeoverHiMs)),
    `measured ${f0(off.takeoverMs)} ms (no fencing), ${f0(on.takeoverMs)} ms (fencing)`,
  ));
  if (regime === "late") {
    out.push(claim(
      `without fencing, A's write after its ${p.pauseMs} ms pause is accepted inside B's hold: ` +
        "the checker reports the corruption with its witness",
      off.staleWrite === "accepted" && !off.resourceSafe && off.witness !== "",
      `stale write ${off.staleWrite}; ${off.witness || "no violation found"}`,
    ));
    out.push(claim(
      "with fencing, the resource rejects A's write (token below the highest seen): no violation",
      on.staleWrite === "rejected" && on.resourceSafe,
      `stale write ${on.staleWrite}; resource safe: ${on.resourceSafe}`,
    ));
    const lo = p.pauseMs - b.takeoverHiMs, hi = p.pauseMs - b.takeoverLoMs;
    out.push(claim(
      `both believe they hold the lock for pause − takeover: between ${f0(lo)} and ${f0(hi)} ms`,
      [off, on].every((r) => within(r.overlapMs, lo, hi) && !r.exclusiveHolds),
      `overlap ${f0(off.overlapMs)} ms (no fencing), ${f0(on.overlapMs)} ms (fencing)`,
    ));
  } else {
    const why = regime === "early"
      ? `pause ${p.pauseMs} ms ends before any takeover (< ${f0(b.takeoverLoMs)} ms)`
      : `pause ${p.pauseMs} ms within the takeover window ${f0(b.takeoverLoMs)}–${
        f0(b.takeoverHiMs)
      } ms: the outcome depends on timing`;
    out.push(notApplicable("without fencing, A's late write corrupts the resource", why));
    out.push(notApplicable("with fencing, A's late write is rejected", why));
  }
  // --- the sweep: corrupted iff no fencing and pause > takeover
  const decided = x.sweep.filter((s) => s.predicted !== "n/a");
  const wrong = decided.filter((s) => (s.predicted === "corrupted") !== s.corrupted);
  out.push(
    decided.length === 0
      ? notApplicable(
        "corrupted iff no fencing and pause > takeover time",
        "every swept pause falls in the takeover window",
      )
      : claim(
        `corrupted iff no fencing and the pause outlasts the takeover (> ${
          f0(b.takeoverHiMs)
        } ms); ` +
          `never corrupted with fencing`,
        wrong.length === 0,
        wrong.length
          ? `mismatch at ${wrong.map((s) => `${s.pauseMs} ms fencing=${s.fencing}`).join(", ")}`
          : `${decided.length} of ${x.sweep.length} sweep points decided, all as predicted`,
      ),
  );
  // --- the lease election
  const crashes = x.election.filter((r) => r.fault === "crash");
  const none = x.election.find((r) => r.fault === "none");
  out.push(claim(
    "without faults one leader is elected and keeps renewing: no second leader, no violation",
    none !== undefined && none.newLeader === undefined && none.exclusiveHolds && none.resourceSafe,
    none ? `leader ${none.oldLeader}, first elected at ${f0(none.firstElectionMs)} ms` : "no run",
  ));
  out.push(claim(
    `after the leader crashes, another is elected within [L − renew − poll − req, L + 2 poll + 5 ` +
      `req] = [${f0(b.electionLoMs)}, ${f0(b.electionHiMs)}] ms, on every seed`,
    crashes.length > 0 &&
      crashes.every((r) => within(r.electionMs, b.electionLoMs, b.electionHiMs)),
    crashes.map((r) => `seed ${r.seed}: ${f0(r.electionMs)} ms`).join(", "),
  ));
  const pauses = x.election.filter((r) => r.fault === "pause");
  if (p.electionFaultForMs > b.electionHiMs + LOCK_TIMING.workMs + LOCK_LATENCY_MS.max) {
    const lo = p.electionFaultForMs - b.electionHiMs, hi = p.electionFaultForMs - b.electionLoMs;
    out.push(claim(
      `a leader paused ${p.electionFaultForMs} ms resumes believing it leads: two leaders by ` +
        `their own belief for ${f0(lo)}–${f0(hi)} ms`,
      pauses.length === 2 &&
        pauses.every((r) => !r.exclusiveHolds && within(r.overlapMs, lo, hi)),
      pauses.map((r) => `${f0(r.overlapMs)} ms (${r.oldLeader} then ${r.newLeader})`).join(", "),
    ));
    const fenced = pauses.find((r) => r.fencing), bare = pauses.find((r) => !r.fencing);
    out.push(claim(
      "its stale act reaches the resource: rejected with fencing, accepted (a violation) without",
      fenced !== undefined && bare !== undefined && fenced.staleWrites > 0 &&
        fenced.staleAccepted === 0 && fenced.resourceSafe && bare.staleAccepted > 0 &&
        !bare.resourceSafe,
      fenced && bare
        ? `fencing: ${fenced.staleWrites} stale, ${fenced.staleAccepted} accepted; without: ` +
          `${bare.staleWrites} stale, ${bare.staleAccepted} accepted`
        : "missing runs",
    ));
  } else {
    const why = `pause ${p.electionFaultForMs} ms not beyond the election bound ${
      f0(b.electionHiMs)
    } ms`;
    out.push(notApplicable("a paused leader resumes believing it leads", why));
    out.push(notApplicable("its stale act is rejected with fencing", why));
  }
  const part = x.election.find((r) => r.fault === "partition");
  out.push(
    p.electionFaultForMs > b.electionHiMs
      ? claim(
        "a leader cut off from the store steps down when its lease ends, before anyone takes " +
          `over: no two leaders, a leaderless gap, a new leader within ${f0(b.electionHiMs)} ms`,
        part !== undefined && part.exclusiveHolds && part.resourceSafe &&
          part.leaderlessMs >= 0 && within(part.electionMs, b.electionLoMs, b.electionHiMs),
        part
          ? `gap ${f0(part.leaderlessMs)} ms, new leader ${part.newLeader} after ${
            f0(part.electionMs)
          } ms, overlap ${f0(part.overlapMs)} ms`
          : "no run",
      )
      : notApplicable(
        "a partitioned leader steps down before anyone takes over",
        `partition ${p.electionFaultForMs} ms not beyond the election bound`,
      ),
  );
  // --- a contender's clock jumps ahead
  const jumps = x.election.filter((r) => r.fault === "clock-jump");
  const obs = jumps.find((r) => r.takeover === "observed");
  const expF = jumps.find((r) => r.takeover === "expiry" && r.fencing);
  const expB = jumps.find((r) => r.takeover === "expiry" && !r.fencing);
  const renew = p.leaseMs / 3;
  const takeHi = 2 * (p.pollMs + 2 * b.requestMsMax);
  const overlapHi = renew + p.pollMs + 2 * b.requestMsMax;
  out.push(claim(
    `a contender's clock jumping ${p.electionFaultForMs} ms ahead changes nothing under the ` +
      "observed rule (its takeover timer is monotonic): no second leader",
    obs !== undefined && obs.newLeader === undefined && obs.exclusiveHolds && obs.resourceSafe,
    obs ? `new leader: ${obs.newLeader ?? "none"}, overlap ${f0(obs.overlapMs)} ms` : "no run",
  ));
  if (p.electionFaultForMs >= p.leaseMs) {
    out.push(claim(
      `under the "expiry" rule the jumped contender takes over within ${f0(takeHi)} ms while ` +
        `the leader still trusts its lease: two leaders for at most renew + poll + 2 req = ` +
        `${f0(overlapHi)} ms (its next renewal fails)`,
      [expF, expB].every((r) =>
        r !== undefined && r.newLeader === r.jumped && within(r.electionMs, 0, takeHi) &&
        !r.exclusiveHolds && within(r.overlapMs, 0, overlapHi)
      ),
      [expF, expB].map((r) =>
        r
          ? `${r.jumped} took over after ${f0(r.electionMs)} ms, overlap ${f0(r.overlapMs)} ms`
          : "no run"
      ).join("; "),
    ));
    out.push(claim(
      "with fencing the resource keeps lock order through that overlap (tokens checked)",
      expF !== undefined && expF.resourceSafe,
      expF
        ? `stale acts ${expF.staleWrites}, accepted ${expF.staleAccepted} (accepted ones landed ` +
          `before the new token); without fencing: resource safe ${expB?.resourceSafe}`
        : "no run",
    ));
  } else {
    const why = `jump ${p.electionFaultForMs} ms < lease ${p.leaseMs} ms: the record's expiry ` +
      "may still lie ahead of the jumped clock";
    out.push(notApplicable('the "expiry" rule gives two leaders after a clock jump', why));
    out.push(notApplicable("fencing keeps lock order through the overlap", why));
  }
  // --- Redlock
  const rl = (s: RedlockRow["scenario"]) => x.redlock.find((r) => r.scenario === s);
  const hand = rl("handover"), jump = rl("clock-jump"), pz = rl("pause");
  out.push(claim(
    `Redlock's validity = ttl − elapsed − (ttl × 0.01 + 2 ms): between ` +
      `${f0(b.redlockValidityLoMs)} and ${f0(b.redlockValidityHiMs)} ms`,
    x.redlock.every((r) => within(r.aValidityMs, b.redlockValidityLoMs, b.redlockValidityHiMs)),
    x.redlock.map((r) => `${r.scenario}: ${f0(r.aValidityMs)} ms`).join(", "),
  ));
  out.push(claim(
    "Redlock without faults hands the lock over cleanly: exclusive, no violation",
    hand !== undefined && hand.exclusiveHolds && hand.resourceSafe,
    hand ? `overlap ${f0(hand.overlapMs)} ms` : "no run",
  ));
  const m = Math.floor(p.redlockNodes / 2) + 1;
  // B tries 150 ms after A; A's hold (6 writes ttl/10 apart) must still run then
  out.push(
    p.redlockTtlMs < 400
      ? notApplicable(
        "a clock jump on a node of A's majority gives B a majority too",
        `ttl ${p.redlockTtlMs} ms < 400 ms: A's hold ends before B's first attempt`,
      )
      : claim(
        `a clock jump on ${p.jumpNode} (one of A's ${m}) lets B win ${p.jumpNode} plus the other ` +
          `${p.redlockNodes - m}: both hold a majority, both write, and the checker catches it`,
        jump !== undefined && jump.aVotes >= m && jump.bVotes >= m && !jump.exclusiveHolds &&
          !jump.resourceSafe && jump.witness !== "",
        jump
          ? `votes A ${jump.aVotes}, B ${jump.bVotes}; ${jump.witness || "no violation"}`
          : "no run",
      ),
  );
  // B acquires within one retry period (reply wait + retry delay) after A's keys expire
  out.push(
    p.redlockTtlMs < 200
      ? notApplicable(
        "a paused Redlock client writes after B acquired",
        `ttl ${p.redlockTtlMs} ms < 200 ms: B's retry period is too coarse to resolve the order`,
      )
      : claim(
        `a client paused ${
          2 * p.redlockTtlMs
        } ms (past its ${p.redlockTtlMs} ms keys) writes after ` +
          "B acquired: caught by the checker (Redlock issues no fencing token to stop it)",
        pz !== undefined && !pz.resourceSafe && pz.witness !== "",
        pz ? pz.witness || "no violation" : "no run",
      ),
  );
  return out;
}
