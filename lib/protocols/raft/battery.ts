/**
 * A test battery a learner runs against their own Raft, as MIT 6.824's lab tests do: two dozen
 * scenarios (elections, agreement, failures, persistence, crash-restart storms, Figure 8, unreliable
 * networks, a misrouted AppendEntries, churn, snapshots), each over many seeds, with safety checked on every simulator event
 * from what the learner's nodes report, and liveness bounds. A failure names its seed and the one
 * line that replays it.
 *
 * ## The learner's contract
 * `makeNode(ctx)` builds one server over its {@link NodeContext} (at start, and again after every
 * crash, over the same `ctx.storage`). The node is a {@link ProtocolNode} (`start`, `onMessage`,
 * `onTimer`; every effect goes through `ctx`) plus:
 * - `propose(command)` → `{ index, term, isLeader }` (MIT's `Start`), returning at once;
 * - `state()` → `{ term, isLeader }` (MIT's `GetState`);
 * - for every committed entry it applies, in index order from 1 (again from 1 after a restart),
 *   `ctx.emit({ type: "apply", index, command })`; entries of its own (a leader's no-op) are
 *   applied too, with any command value the servers agree on;
 * - optionally `snapshot(index, data)` (MIT's `Snapshot`): store `data` durably, discard the log
 *   through `index`, send it with InstallSnapshot, and hand it back to the service as
 *   `ctx.emit({ type: "restore", index, data })` when installing it or when starting up with one.
 *   Without this method the snapshot scenarios are reported as skipped.
 *
 * Everything the node must survive a crash with goes through `ctx.storage` (the simulator keeps it
 * and nothing else). The network delivers in 1–10 ms (reliable) or loses 10 %, duplicates,
 * reorders and delays up to 1.5 s (unreliable scenarios). Bounds assume election timeouts of a few
 * hundred ms, as in the lab: a leader within 5 s, a command committed within 10 s, at most 60
 * messages per server per second when idle, at most {@link BACKUP_MESSAGE_BOUND} messages to repair
 * long divergent logs (backtrack a term at a time), and at most {@link SNAPSHOT_STORAGE_BOUND}
 * serialized characters of storage per server once it snapshots.
 *
 * @example
 * ```ts
 * import { raftBattery, type BatteryNode } from "@lab/protocols/raft/battery.ts";
 * import type { NodeContext } from "@lab/sim/types.ts";
 *
 * class MyRaft implements BatteryNode<MyMessage> {
 *   constructor(private ctx: NodeContext<MyMessage>) {} // rebuild from ctx.storage here
 *   start() { this.ctx.setTimer("election", this.ctx.rng.uniform(150, 300)); }
 *   onMessage(from: string, m: MyMessage) {} // RequestVote, AppendEntries, ...
 *   onTimer(name: string) {}
 *   propose(command: unknown) { return { index: 0, term: 0, isLeader: false }; }
 *   state() { return { term: 0, isLeader: false }; }
 *   // on applying entry i: this.ctx.emit({ type: "apply", index: i, command });
 * }
 *
 * const report = raftBattery((ctx) => new MyRaft(ctx), { seeds: 50 });
 * console.table(report.rows);
 * // a failing row says e.g.:
 * //   replay: raftBattery(makeNode, { only: "figure8", seeds: [42] })
 * ```
 * @module
 */
import type { NodeContext, ProtocolEvent } from "../../sim/types.ts";
import { stableStringify } from "../../sim/trace.ts";
import { ConfigError } from "../../sim/errors.ts";
import { defineLive } from "../../sim/live.ts";
import type { RaftConfigInput } from "./config.ts";
import type { RaftMessage } from "./messages.ts";
import { RaftNode } from "./node.ts";
import {
  type BatteryNode,
  type BatterySnapshot,
  chainDigest,
  Harness,
  type MakeBatteryNode,
  type NodeState,
  type ProposeOutcome,
  ScenarioSkipped,
} from "./battery_harness.ts";
import { SCENARIO_NAMES, type ScenarioName, SCENARIOS } from "./battery_scenarios.ts";

export {
  type ApplyEvent,
  BatteryFailure,
  type BatteryNode,
  type BatterySnapshot,
  BOUNDS,
  Harness,
  type MakeBatteryNode,
  type NodeState,
  type ProposeOutcome,
  type RestoreEvent,
  ScenarioSkipped,
} from "./battery_harness.ts";
export {
  BACKUP_MESSAGE_BOUND,
  FIGURE8_ITERATIONS,
  IDLE_MESSAGES_PER_SERVER_PER_S,
  type Scenario,
  SCENARIO_NAMES,
  type ScenarioName,
  SCENARIOS,
  SNAPSHOT_STORAGE_BOUND,
} from "./battery_scenarios.ts";

/** Options of {@link raftBattery}. */
export interface BatteryOptions {
  /** Run only these scenarios (default: all, in {@link SCENARIO_NAMES} order). */
  readonly only?: ScenarioName | readonly ScenarioName[];
  /** A number k runs seeds 1..k; an array runs exactly those seeds. Default 50. */
  readonly seeds?: number | readonly number[];
  /** Stop a scenario at its first failing seed (default false: run every seed and count). */
  readonly stopAtFirstFailure?: boolean;
  /** Called with each row as soon as its scenario finishes (progress in a notebook). */
  readonly onRow?: (row: BatteryRow) => void;
}

/** One row of the report: one scenario over all seeds. */
export interface BatteryRow {
  readonly scenario: ScenarioName;
  /** Seeds run (fewer than asked when it stopped at the first failure). */
  readonly seeds: number;
  readonly passed: number;
  readonly failed: number;
  /** Why the scenario was skipped (the node lacks an optional feature), else null. */
  readonly skipped: string | null;
  readonly firstFailingSeed: number | null;
  /** The seeds that failed, in order. */
  readonly failedSeeds: readonly number[];
  /** The first failure's message, starting with its seed; null when all passed. */
  readonly message: string | null;
  /** The call that replays the first failure, e.g. `raftBattery(makeNode, { only: ..., seeds: [42] })`. */
  readonly replay: string | null;
  /** Simulated time summed over the seeds run, in ms. */
  readonly durationMs: number;
}

/** The battery's report. */
export interface BatteryReport {
  readonly rows: readonly BatteryRow[];
  /** True when no scenario failed (skipped ones do not count against it). */
  readonly ok: boolean;
}

/** The one-line call that replays `scenario` on `seed`. */
export function replayCommand(scenario: ScenarioName, seed: number): string {
  return `raftBattery(makeNode, { only: "${scenario}", seeds: [${seed}] })`;
}

function seedsOf(seeds: BatteryOptions["seeds"]): number[] {
  if (seeds === undefined) return Array.from({ length: 50 }, (_, i) => i + 1);
  if (typeof seeds === "number") {
    if (!Number.isInteger(seeds) || seeds < 1) {
      throw new ConfigError("battery options", [{
        path: "seeds",
        message: `must be a positive integer or a list of integers, got ${seeds}`,
      }]);
    }
    return Array.from({ length: seeds }, (_, i) => i + 1);
  }
  seeds.forEach((s, i) => {
    if (!Number.isInteger(s)) {
      throw new ConfigError("battery options", [{
        path: `seeds[${i}]`,
        message: `must be an integer, got ${s}`,
      }]);
    }
  });
  return [...seeds];
}

function scenariosOf(only: BatteryOptions["only"]): ScenarioName[] {
  if (only === undefined) return [...SCENARIO_NAMES];
  const list = typeof only === "string" ? [only] : [...only];
  list.forEach((name, i) => {
    if (!(SCENARIO_NAMES as readonly string[]).includes(name)) {
      throw new ConfigError("battery options", [{
        path: typeof only === "string" ? "only" : `only[${i}]`,
        message: `unknown scenario "${name}" (scenarios: ${SCENARIO_NAMES.join(", ")})`,
      }]);
    }
  });
  return list;
}

/** Find a ScenarioSkipped in an error or its causes (the simulator wraps factory errors). */
function skipOf(e: unknown): ScenarioSkipped | undefined {
  for (let x = e, depth = 0; x instanceof Error && depth < 5; x = x.cause, depth++) {
    if (x instanceof ScenarioSkipped) return x;
  }
  return undefined;
}

/** The harness of `scenario` for `seed`: the cluster it runs on, before anything ran. */
export function scenarioHarness<M>(
  makeNode: MakeBatteryNode<M>,
  scenario: ScenarioName,
  seed: number,
  options: { readonly trace?: boolean } = {},
): Harness<M> {
  const s = SCENARIOS[scenario];
  return new Harness<M>(makeNode, {
    seed,
    scenario,
    nodes: s.nodes,
    network: s.network,
    snapshotEveryApplies: s.snapshotEveryApplies,
    trace: options.trace ?? false,
  });
}

/**
 * Run one scenario on one seed and throw its failure (a test or a debugger's entry point);
 * returns the harness so the run can be inspected afterwards.
 */
export function runScenario<M>(
  makeNode: MakeBatteryNode<M>,
  scenario: ScenarioName,
  seed: number,
): Harness<M> {
  const h = scenarioHarness(makeNode, scenario, seed);
  SCENARIOS[scenario].run(h as Harness<unknown>);
  h.checkSafety();
  return h;
}

/**
 * Run the battery against a learner's Raft. Never throws for a failing implementation: failures
 * are counted in the report's rows, each with its first failing seed and replay call.
 * @example
 * ```ts
 * const report = raftBattery(referenceRaft(), { seeds: 50 });
 * report.ok; // true
 * raftBattery(referenceRaft({ mistakeVolatileVotedFor: true }), { only: "persist", seeds: [7] });
 * ```
 */
export function raftBattery<M>(
  makeNode: MakeBatteryNode<M>,
  options: BatteryOptions = {},
): BatteryReport {
  if (typeof makeNode !== "function") {
    throw new ConfigError("raftBattery", [{
      path: "makeNode",
      message: "must be a function (ctx) => node",
    }]);
  }
  const seeds = seedsOf(options.seeds);
  const rows: BatteryRow[] = [];
  for (const name of scenariosOf(options.only)) {
    let passed = 0, failed = 0, durationMs = 0, run = 0;
    let first: { seed: number; message: string } | undefined;
    const failedSeeds: number[] = [];
    let skipped: string | null = null;
    for (const seed of seeds) {
      run++;
      let h: Harness<M> | undefined;
      try {
        h = scenarioHarness(makeNode, name, seed);
        SCENARIOS[name].run(h as Harness<unknown>);
        h.checkSafety();
        passed++;
      } catch (e) {
        const skip = skipOf(e);
        if (skip) {
          skipped = skip.message;
          run = 0;
          break;
        }
        failed++;
        failedSeeds.push(seed);
        const msg = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
        if (!first) first = { seed, message: `seed=${seed} ${name}: ${msg}` };
        if (options.stopAtFirstFailure) break;
      } finally {
        durationMs += h?.sim.nowMs ?? 0;
      }
    }
    const row: BatteryRow = {
      scenario: name,
      seeds: run,
      passed,
      failed,
      skipped,
      firstFailingSeed: first?.seed ?? null,
      failedSeeds,
      message: first ? `${first.message}\n  replay: ${replayCommand(name, first.seed)}` : null,
      replay: first ? replayCommand(name, first.seed) : null,
      durationMs,
    };
    rows.push(row);
    options.onRow?.(row);
  }
  return { rows, ok: rows.every((r) => r.failed === 0) };
}

// ---- the reference implementation as a learner's node ----------------------------------------

/**
 * The reference {@link RaftNode} behind the learner's interface. It snapshots on its own every
 * `snapshotThresholdEntries` applied entries (default here 10, MIT's interval), so the service's
 * `snapshot(index, data)` calls are only a hint it ignores; its snapshots carry the same
 * {@link BatterySnapshot} the service would have given. With `snapshotThresholdEntries: 0` it
 * has no `snapshot` method and the snapshot scenarios are skipped.
 */
export class ReferenceBatteryNode implements BatteryNode<RaftMessage> {
  /** The wrapped node, for inspection. */
  readonly raft: RaftNode;
  /** Present when snapshots are on. */
  readonly snapshot?: (index: number, data: unknown) => void;
  #ctx: NodeContext<RaftMessage>;
  #sm: BatterySnapshot = { index: 0, digest: "" };

  /** Wrap a new RaftNode over `ctx` (its events are translated, see {@link referenceRaft}). */
  constructor(ctx: NodeContext<RaftMessage>, config: RaftConfigInput) {
    this.#ctx = ctx;
    // peers read live, through a shared getter (lib/sim/live.ts: a getter literal kept each run alive)
    const fields: Omit<NodeContext<RaftMessage>, "peers"> = {
      self: ctx.self,
      nowMs: () => ctx.nowMs(),
      rng: ctx.rng,
      send: (to, msg, o) => ctx.send(to, msg, o),
      setTimer: (name, ms) => ctx.setTimer(name, ms),
      cancelTimer: (name) => ctx.cancelTimer(name),
      storage: ctx.storage,
      emit: (e) => this.#translate(e),
      sign: (d) => ctx.sign(d),
      verify: (sig, d) => ctx.verify(sig, d),
    };
    const inner: NodeContext<RaftMessage> = defineLive(fields, { peers: () => ctx.peers });
    this.raft = new RaftNode(inner, config, {
      apply() {},
      snapshot: () => ({ ...this.#sm }),
      restore: (data, index) => {
        this.#sm = data as BatterySnapshot;
        ctx.emit({ type: "restore", index, data });
      },
    });
    if (this.raft.config.snapshotThresholdEntries > 0) this.snapshot = () => {};
  }

  #translate(e: ProtocolEvent): void {
    if (e.type !== "apply") return this.#ctx.emit(e);
    // every entry is applied: a command as is, the leader's no-op as null, a configuration as such
    const command = e.kind === "command"
      ? e.command
      : e.kind === "config"
      ? { config: e.servers }
      : null;
    const index = e.index as number;
    this.#sm = { index, digest: chainDigest(this.#sm.digest, stableStringify(command)) };
    this.#ctx.emit({ type: "apply", index, command });
  }

  start(): void {
    this.raft.start();
  }
  onMessage(from: string, msg: RaftMessage): void {
    this.raft.onMessage(from, msg);
  }
  onTimer(name: string): void {
    this.raft.onTimer(name);
  }
  inspect(): unknown {
    return this.raft.inspect();
  }
  propose(command: unknown): ProposeOutcome {
    const r = this.raft.propose(command);
    return r.ok
      ? { index: r.index, term: r.term, isLeader: true }
      : { index: -1, term: this.raft.term, isLeader: false };
  }
  state(): NodeState {
    return { term: this.raft.term, isLeader: this.raft.role === "leader" };
  }
}

/**
 * The reference Raft as a learner's `makeNode`, with its classic-mistake flags available.
 * `snapshotThresholdEntries` defaults to 10 here (MIT's snapshot interval).
 * @example
 * ```ts
 * raftBattery(referenceRaft({ mistakeCommitPreviousTermByCounting: true }), { only: "figure8" });
 * ```
 */
export function referenceRaft(config: RaftConfigInput = {}): MakeBatteryNode<RaftMessage> {
  const cfg: RaftConfigInput = { snapshotThresholdEntries: 10, ...config };
  return (ctx) => new ReferenceBatteryNode(ctx, cfg);
}

/** The classic-mistake flags of the reference Raft (the notebook's three, then the students' guide's). */
export const RAFT_MISTAKES = [
  "mistakeCommitPreviousTermByCounting",
  "mistakeVoteWithoutUpToDateCheck",
  "mistakeVolatileVotedFor",
  "mistakeAcceptStaleReplies",
  "mistakeTruncateOnAppend",
  "mistakeCommitIndexUnbounded",
  "mistakeResetTimerOnVoteRequest",
  "mistakeVolatileLog",
] as const;

/** A classic-mistake flag. */
export type RaftMistake = typeof RAFT_MISTAKES[number];

/**
 * The configuration that shows a mistake as learners make it: the flag on; for the old-term
 * commit also no election no-op (thesis §6.4), which otherwise puts an entry of the leader's term on
 * the same majority and hides the mistake in almost every run; for the unbounded commitIndex also
 * no log compaction. A leader that compacts every 10 applied entries sends InstallSnapshot to any
 * follower further behind, so each AppendEntries starts within 10 entries of its commitIndex and
 * its batch (up to 64 entries) reaches past it: no follower then ever holds entries past the
 * batch and below leaderCommit, and the rule the mistake breaks never matters (learners whose
 * leader sends AppendEntries that stop short of its commitIndex, as a batch limit without
 * compaction does, have the mistake for real; `misroutedAppend` catches it).
 */
export function mistakeConfig(mistake: RaftMistake): RaftConfigInput {
  switch (mistake) {
    case "mistakeCommitPreviousTermByCounting":
      return { [mistake]: true, electionNoop: false };
    case "mistakeCommitIndexUnbounded":
      return { [mistake]: true, snapshotThresholdEntries: 0 };
    default:
      return { [mistake]: true };
  }
}

/** One cell of the scenario × mistake matrix. */
export interface MistakeMatrixRow {
  readonly mistake: RaftMistake;
  readonly scenario: ScenarioName;
  readonly seeds: number;
  readonly failed: number;
  readonly firstFailingSeed: number | null;
  readonly message: string | null;
}

/**
 * Which scenario catches which classic mistake: the battery on the reference Raft with each flag
 * on. `config` is merged under each flag (e.g. a smaller `maxEntriesPerAppend`).
 */
export function mistakeMatrix(
  options: BatteryOptions & { readonly config?: RaftConfigInput } = {},
): MistakeMatrixRow[] {
  const out: MistakeMatrixRow[] = [];
  for (const mistake of RAFT_MISTAKES) {
    const report = raftBattery(
      referenceRaft({ ...options.config, ...mistakeConfig(mistake) }),
      options,
    );
    for (const r of report.rows) {
      out.push({
        mistake,
        scenario: r.scenario,
        seeds: r.seeds,
        failed: r.failed,
        firstFailingSeed: r.firstFailingSeed,
        message: r.message,
      });
    }
  }
  return out;
}
