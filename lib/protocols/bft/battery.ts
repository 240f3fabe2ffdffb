/**
 * The BFT exercise battery (notebook 10), in the manner of the Raft battery: scenarios a learner
 * points at their own single-shot Byzantine agreement, each over many seeds, with every failure
 * naming its seed and the one line that replays it; plus the attack harness (a learner's
 * Byzantine strategy against the reference at n = 3f and n = 3f + 1), fault schedules that can
 * be shrunk (lib/net/shrink.ts), and Twins exploration of the learner's code.
 *
 * ## The learner's contract
 * `makeNode(ctx, config)` builds one replica ({@link MakeBaNode}); `config` gives n, f, the leader
 * and the leader's input value. The node speaks {@link BaMessage} (propose / prepare / commit, each
 * signed with `ctx.sign(signedData(type, digest))`), emits `decideEvent(1, digest, [], 0)` exactly
 * once when it decides, and keeps in `ctx.storage` whatever it must not forget across a crash
 * (what it proposed and voted). See `ReferenceBaNode` in battery_reference.ts.
 *
 * @example
 * ```ts
 * import { bftBattery, referenceBa } from "@lab/protocols/bft/battery.ts";
 * const report = bftBattery(referenceBa(), { seeds: 10 });
 * report.ok; // true
 * bftBattery(referenceBa({ mistakeQuorum2f: true }), { only: "equivocate", seeds: [3] });
 * ```
 * @module
 */
import { z } from "zod";
import { ConfigError, parseConfig } from "../../sim/errors.ts";
import { Rng } from "../../sim/rng.ts";
import type { NodeId } from "../../sim/types.ts";
import { parseSchedule, type Schedule } from "../../net/nemesis.ts";
import type { FaultInput } from "../../net/nemesis.ts";
import { type ShrinkResult, shrinkSchedule } from "../../net/shrink.ts";
import {
  type AttackStrategy,
  BATTERY_NETWORK,
  type RunOutcome,
  runSpec,
} from "./battery_harness.ts";
import {
  BA_SCENARIO_NAMES,
  BA_SCENARIOS,
  type BaScenarioName,
  randomNetworkSchedule,
} from "./battery_scenarios.ts";
import { type MakeBaNode, referenceBa } from "./battery_reference.ts";
import {
  formatScenario,
  shrinkScenario,
  type TwinsScenario,
  twinsScenarios,
  twinsSpace,
} from "./twins.ts";

export * from "./battery_reference.ts";
export * from "./battery_harness.ts";
export * from "./battery_scenarios.ts";

/** Options of {@link bftBattery} (validated: a ConfigError names the bad field). */
export const BatteryOptionsSchema = z.object({
  /** Run only these scenarios (default: all, in order). */
  only: z.union([z.enum(BA_SCENARIO_NAMES), z.array(z.enum(BA_SCENARIO_NAMES)).min(1)])
    .optional(),
  /** A count k runs seeds 1..k; a list runs exactly those seeds. Default 10. */
  seeds: z.union([z.number().int().min(1).max(10_000), z.array(z.number().int()).min(1)])
    .default(10),
  /** Stop a scenario at its first failing seed. Default false. */
  stopAtFirstFailure: z.boolean().default(false),
}).strict();

/** Options as written. */
export type BatteryOptionsInput = z.input<typeof BatteryOptionsSchema>;

/** One row of the report: one scenario over all seeds. */
export interface BaBatteryRow {
  /** Scenario name. */
  readonly scenario: BaScenarioName;
  /** Seeds run. */
  readonly seeds: number;
  /** Seeds passed. */
  readonly passed: number;
  /** Seeds failed. */
  readonly failed: number;
  /** The seeds that failed, in order. */
  readonly failedSeeds: readonly number[];
  /** First failing seed, or null. */
  readonly firstFailingSeed: number | null;
  /** The first failure, `seed=… scenario: …`, or null. */
  readonly message: string | null;
  /** The check that failed first (agreement, accountability, honest-culprit, validity, liveness, error). */
  readonly check: string | null;
  /** The call that replays the first failure. */
  readonly replay: string | null;
  /** Agreement breaches seen (allowed beyond f when accountable). */
  readonly breaches: number;
  /** Messages sent, summed over seeds. */
  readonly messages: number;
}

/** The battery's report. */
export interface BaBatteryReport {
  /** One row per scenario. */
  readonly rows: readonly BaBatteryRow[];
  /** True when no scenario failed. */
  readonly ok: boolean;
}

/** The one-line call that replays a failure (paste it where `makeNode` is defined). */
export function replayCommand(
  scenario: BaScenarioName,
  seed: number,
  makeNodeExpr = "makeNode",
): string {
  return `bftBattery(${makeNodeExpr}, { only: "${scenario}", seeds: [${seed}] })`;
}

function checkMakeNode(makeNode: unknown, where: string): void {
  if (typeof makeNode !== "function") {
    throw new ConfigError(where, [{
      path: "makeNode",
      message: "must be a function (ctx, config) => node",
    }]);
  }
}

/** Run one scenario on one seed (a test's or a debugger's entry point); `trace` for a diagram. */
export function runBaScenario(
  makeNode: MakeBaNode,
  scenario: BaScenarioName,
  seed: number,
  options: { trace?: boolean } = {},
): RunOutcome {
  checkMakeNode(makeNode, "runBaScenario");
  const s = BA_SCENARIOS[scenario];
  if (!s) {
    throw new ConfigError("runBaScenario", [{
      path: "scenario",
      message: `unknown scenario "${scenario}" (scenarios: ${BA_SCENARIO_NAMES.join(", ")})`,
    }]);
  }
  return runSpec(makeNode, { ...s.build(seed), trace: options.trace ?? false });
}

/**
 * Run the battery against a learner's node. Never throws for a failing implementation: failures
 * are counted per scenario, each with its first failing seed and replay line.
 */
export function bftBattery(
  makeNode: MakeBaNode,
  options: BatteryOptionsInput = {},
): BaBatteryReport {
  checkMakeNode(makeNode, "bftBattery");
  const o = parseConfig(BatteryOptionsSchema, options, "bftBattery options");
  const seeds = typeof o.seeds === "number"
    ? Array.from({ length: o.seeds }, (_, i) => i + 1)
    : o.seeds;
  const only = o.only === undefined
    ? [...BA_SCENARIO_NAMES]
    : typeof o.only === "string"
    ? [o.only]
    : o.only;
  const rows: BaBatteryRow[] = [];
  for (const scenario of only) {
    let passed = 0, failed = 0, breaches = 0, messages = 0, run = 0;
    const failedSeeds: number[] = [];
    let first: { seed: number; message: string; check: string } | undefined;
    for (const seed of seeds) {
      run++;
      const r = runBaScenario(makeNode, scenario, seed);
      messages += r.messages;
      if (r.breach) breaches++;
      if (r.failure === undefined) {
        passed++;
        continue;
      }
      failed++;
      failedSeeds.push(seed);
      first ??= { seed, message: `seed=${seed} ${scenario}: ${r.failure}`, check: r.check! };
      if (o.stopAtFirstFailure) break;
    }
    rows.push({
      scenario,
      seeds: run,
      passed,
      failed,
      failedSeeds,
      firstFailingSeed: first?.seed ?? null,
      message: first ? `${first.message}\n  replay: ${replayCommand(scenario, first.seed)}` : null,
      check: first?.check ?? null,
      replay: first ? replayCommand(scenario, first.seed) : null,
      breaches,
      messages,
    });
  }
  return { rows, ok: rows.every((r) => r.failed === 0) };
}

// ---- (a) attack: a learner's strategy at n = 3f and at n = 3f + 1 ---------------------------

/** Options of {@link attackHarness} (validated). */
export const AttackOptionsSchema = z.object({
  /** Traitors f (≥ 1): the attack runs at n = 3f (quorum 2f) and at n = 3f + 1 (quorum 2f + 1). */
  f: z.number().int().min(1).max(5).default(1),
  /** Who turns traitor (default n0..n{f-1}: the leader among them). At most f of them. */
  traitors: z.array(z.string().regex(/^n\d+$/)).min(1).optional(),
  /** Seeds per cluster size. Default 20. */
  seeds: z.number().int().min(1).max(1_000).default(20),
  /** The strategy's variable name, for the replay line (default "strategy"). */
  name: z.string().regex(/^[A-Za-z_$][\w$]*$/).default("strategy"),
}).strict();

/** Attack options as written. */
export type AttackOptionsInput = z.input<typeof AttackOptionsSchema>;

/** One row of the attack report: one cluster size over all seeds. */
export interface AttackRow {
  /** Replicas. */
  readonly n: number;
  /** Traitors. */
  readonly f: number;
  /** Quorum the reference counts to. */
  readonly quorum: number;
  /** "n = 3f" or "n = 3f + 1". */
  readonly regime: string;
  /** Seeds run. */
  readonly seeds: number;
  /** Seeds on which two honest replicas decided different values. */
  readonly breaches: number;
  /** Seeds without a breach on which some honest replica decided. */
  readonly safeDecisions: number;
  /** Fewest culprits proven over the breaches (NaN without breaches). */
  readonly minCulprits: number;
  /** The first breach, one line. */
  readonly firstBreach: string | null;
  /** The call that replays it with a full trace. */
  readonly replay: string | null;
}

/** The traced run of one attack seed: `attackRun(strategy, { f: 1 }, 4, seed)`. */
export function attackRun(
  strategy: AttackStrategy,
  options: AttackOptionsInput,
  n: number,
  seed: number,
  trace = true,
): RunOutcome {
  const o = parseAttack(strategy, options);
  const safe = n >= 3 * o.f + 1;
  const make = referenceBa(safe ? {} : { quorum: 2 * o.f, allowUnsafe: true });
  return runSpec(make, {
    seed,
    n,
    f: o.f,
    custom: { nodes: o.traitors ?? defaultTraitors(o.f), strategy },
    endMs: 600,
    trace,
  });
}

function defaultTraitors(f: number): NodeId[] {
  return Array.from({ length: f }, (_, i) => `n${i}`);
}

function parseAttack(strategy: unknown, options: AttackOptionsInput) {
  if (typeof strategy !== "function") {
    throw new ConfigError("attackHarness", [{
      path: "strategy",
      message: "must be a function (self, coalition) => behaviour",
    }]);
  }
  const o = parseConfig(AttackOptionsSchema, options, "attackHarness options");
  const issues: { path: string; message: string }[] = [];
  (o.traitors ?? []).forEach((id, i) => {
    if (Number(id.slice(1)) >= 3 * o.f) {
      issues.push({
        path: `traitors[${i}]`,
        message: `"${id}" is not a replica at n = 3f = ${3 * o.f}`,
      });
    }
  });
  if ((o.traitors?.length ?? 0) > o.f) {
    issues.push({ path: "traitors", message: `${o.traitors!.length} traitors > f = ${o.f}` });
  }
  if (new Set(o.traitors ?? []).size !== (o.traitors ?? []).length) {
    issues.push({ path: "traitors", message: "a traitor is listed twice" });
  }
  if (issues.length) throw new ConfigError("attackHarness options", issues);
  return o;
}

/**
 * Run a learner's Byzantine strategy against the reference agreement at n = 3f (quorum 2f, the
 * largest that stays live with f silent: unsafe) and at n = 3f + 1 (quorum 2f + 1), over seeds.
 * @example
 * ```ts
 * attackHarness(myEquivocation, { f: 1, seeds: 20 }); // rows for n = 3 and n = 4
 * ```
 */
export function attackHarness(
  strategy: AttackStrategy,
  options: AttackOptionsInput = {},
): AttackRow[] {
  const o = parseAttack(strategy, options);
  return [3 * o.f, 3 * o.f + 1].map((n) => {
    let breaches = 0, safeDecisions = 0, minCulprits = NaN;
    let first: string | null = null, replay: string | null = null;
    for (let seed = 1; seed <= o.seeds; seed++) {
      const r = attackRun(strategy, options, n, seed, false);
      if (Object.keys(r.decisions).length > 0 && !r.breach) safeDecisions++;
      if (r.breach) {
        breaches++;
        minCulprits = Number.isNaN(minCulprits)
          ? r.culprits.length
          : Math.min(minCulprits, r.culprits.length);
        if (first === null) {
          first = `seed=${seed}: ${r.breach}`;
          const opts = { f: o.f, ...(o.traitors ? { traitors: o.traitors } : {}) };
          replay = `attackRun(${o.name}, ${JSON.stringify(opts)}, ${n}, ${seed})`;
        }
      }
    }
    return {
      n,
      f: o.f,
      quorum: n === 3 * o.f ? 2 * o.f : 2 * o.f + 1,
      regime: n === 3 * o.f ? "n = 3f" : "n = 3f + 1",
      seeds: o.seeds,
      breaches,
      safeDecisions,
      minCulprits,
      firstBreach: first,
      replay,
    };
  });
}

// ---- fault schedules for shrinking -----------------------------------------------------------

/** Replicas of the schedule runs. */
export const SCHEDULE_N = 4;

/**
 * A random schedule for `seed`: network faults (partitions, isolations, crash-restarts, pauses)
 * in the first 300 ms plus one replica (the leader half the time) that is a traitor from the start
 * (≤ f = 1), with a generic strategy (equivocation half the time).
 */
export function randomBaSchedule(seed: number): Schedule {
  const rng = new Rng(seed).fork("bft-battery/schedule");
  const all = Array.from({ length: SCHEDULE_N }, (_, i) => `n${i}`);
  const traitor = rng.chance(0.5) ? "n0" : rng.pick(all);
  const others = all.filter((x) => x !== traitor);
  const kinds: FaultInput[] = [
    {
      atMs: 0,
      type: "byzantine",
      nodes: [traitor],
      strategies: [{ kind: "equivocate", groupB: rng.shuffle(others).slice(0, rng.int(1, 2)) }],
    },
    { atMs: 0, type: "byzantine", nodes: [traitor], strategies: [{ kind: "replay", afterMs: 40 }] },
    {
      atMs: 0,
      type: "byzantine",
      nodes: [traitor],
      strategies: [{ kind: "impersonate", victim: rng.pick(others) }],
    },
  ];
  const turn = rng.chance(0.5) ? kinds[0] : rng.pick(kinds);
  return parseSchedule([...randomNetworkSchedule(seed, SCHEDULE_N), turn], all)
    .sort((a, b) => a.atMs - b.atMs);
}

/**
 * Run `schedule` (faults, then `repairAll` at 500 ms) on the learner's node: the deterministic
 * test shrinking calls. A pasted replay line: `runBaSchedule(makeNode, seed, schedule)`.
 */
export function runBaSchedule(
  makeNode: MakeBaNode,
  seed: number,
  schedule: readonly FaultInput[],
  options: { trace?: boolean } = {},
): RunOutcome {
  checkMakeNode(makeNode, "runBaSchedule");
  const all = Array.from({ length: SCHEDULE_N }, (_, i) => `n${i}`);
  const parsed = parseSchedule(schedule, all);
  // a traitor from t = 0 is one from the start (a nemesis turn at 0 would come after start())
  const fromStart = parsed.flatMap((f) =>
    f.type === "byzantine" && f.atMs === 0 ? [{ nodes: f.nodes, strategies: f.strategies }] : []
  );
  return runSpec(makeNode, {
    seed,
    n: SCHEDULE_N,
    f: 1,
    network: BATTERY_NETWORK,
    byzantine: fromStart,
    nemesis: parsed.filter((f) => !(f.type === "byzantine" && f.atMs === 0)),
    healAtMs: 500,
    endMs: 1_100,
    trace: options.trace ?? false,
  });
}

/** A found and shrunk failing schedule. */
export interface ScheduleShrink {
  /** Random schedules tried. */
  readonly tried: number;
  /** The seed of the failing one (null: none failed). */
  readonly seed: number | null;
  /** Its failure. */
  readonly failure: string | null;
  /** The shrink result. */
  readonly shrink: ShrinkResult | null;
  /** The failure of the shrunk schedule's replay. */
  readonly replayFailure: string | null;
  /** The replay line. */
  readonly replay: string | null;
}

/**
 * Try random schedules (seeds 1..`maxSchedules`) until one fails, shrink it (delta debugging,
 * lib/net/shrink.ts) and replay the minimal schedule.
 */
export function findAndShrink(
  makeNode: MakeBaNode,
  maxSchedules = 40,
  maxRuns = 150,
  makeNodeExpr = "makeNode",
): ScheduleShrink {
  for (let seed = 1; seed <= maxSchedules; seed++) {
    const schedule = randomBaSchedule(seed);
    const r = runBaSchedule(makeNode, seed, schedule);
    if (r.failure === undefined) continue;
    const shrink = shrinkSchedule(
      (s) => runBaSchedule(makeNode, seed, s).failure !== undefined,
      schedule,
      { maxRuns, resolutionMs: 5 },
    );
    const again = runBaSchedule(makeNode, seed, shrink.schedule);
    return {
      tried: seed,
      seed,
      failure: r.failure,
      shrink,
      replayFailure: again.failure ?? null,
      replay: `runBaSchedule(${makeNodeExpr}, ${seed}, ${JSON.stringify(shrink.schedule)})`,
    };
  }
  return {
    tried: maxSchedules,
    seed: null,
    failure: null,
    shrink: null,
    replayFailure: null,
    replay: null,
  };
}

// ---- Twins exploration of a learner's node ---------------------------------------------------

/** The outcome of {@link twinsExploreBa}. */
export interface BaTwinsReport {
  /** Scenarios in the space (n = 4, one twin, P = 2, R rounds). */
  readonly space: number;
  /** Scenarios run. */
  readonly explored: number;
  /** Scenarios that failed a check. */
  readonly violations: number;
  /** The first failing scenario, one line. */
  readonly first: string | null;
  /** Its failure. */
  readonly failure: string | null;
  /** The shrunk scenario (fewer rounds, merged partitions), one line. */
  readonly minimal: string | null;
  /** The shrunk scenario as data. */
  readonly minimalScenario: TwinsScenario | null;
}

/**
 * Every Twins scenario of n = 4, the leader twinned, 2-way partitions, `rounds` rounds of 25 ms
 * (all of them when `count` ≥ the space), on the learner's node; the first violation shrunk.
 */
export function twinsExploreBa(
  makeNode: MakeBaNode,
  options: { rounds?: number; count?: number; seed?: number } = {},
): BaTwinsReport {
  checkMakeNode(makeNode, "twinsExploreBa");
  const space = twinsSpace({ n: 4, rounds: options.rounds ?? 2, partitions: 2 });
  const list = [...twinsScenarios(space, { count: options.count, seed: options.seed ?? 1 })];
  const run = (s: TwinsScenario) =>
    runSpec(makeNode, {
      seed: options.seed ?? 1,
      n: 4,
      f: 1,
      twins: s,
      twinsWindowMs: 25,
      endMs: 600,
    });
  let violations = 0;
  let first: { s: TwinsScenario; failure: string } | undefined;
  for (const s of list) {
    const r = run(s);
    if (r.failure === undefined) continue;
    violations++;
    first ??= { s, failure: r.failure };
  }
  const min = first ? shrinkScenario((s) => run(s).failure !== undefined, first.s).scenario : null;
  return {
    space: space.total,
    explored: list.length,
    violations,
    first: first ? formatScenario(first.s) : null,
    failure: first?.failure ?? null,
    minimal: min ? formatScenario(min) : null,
    minimalScenario: min,
  };
}
