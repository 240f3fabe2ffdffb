/**
 * The atomic-commitment scenarios of issue 13 as one call each: 2PC blocking, 3PC's crash
 * tolerance and partition failure, and Paxos Commit as the fix, with the checker's verdict, the
 * decisions and the time participants spent in doubt.
 * @module
 */
import { createCluster } from "../../net/cluster.ts";
import type { EmittedEvent } from "../../sim/simulation.ts";
import type { NodeId, TraceRecord } from "../../sim/types.ts";
import { PaxosCommitConfigSchema, ThreePcConfigSchema, TwoPcConfigSchema } from "./config.ts";
import { checkAtomicCommit, type CommitVerdict, timeInDoubt } from "./checker.ts";
import { TwoPcNode } from "./two_pc.ts";
import { ThreePcNode } from "./three_pc.ts";
import { PaxosCommitNode } from "./paxos_commit.ts";
import type { Outcome } from "./messages.ts";

/** The named scenarios. */
export type CommitScenario =
  | "2pc-ok"
  | "2pc-coordinator-crash"
  | "2pc-coordinator-crash-restart"
  | "3pc-coordinator-crash-after-prepare"
  | "3pc-coordinator-crash-after-precommit"
  | "3pc-partition"
  | "paxos-commit-tm-crash"
  | "paxos-commit-tm-crash-early"
  | "paxos-commit-partition";

/** Every scenario, in presentation order. */
export const COMMIT_SCENARIOS: readonly CommitScenario[] = [
  "2pc-ok",
  "2pc-coordinator-crash",
  "2pc-coordinator-crash-restart",
  "3pc-coordinator-crash-after-prepare",
  "3pc-coordinator-crash-after-precommit",
  "3pc-partition",
  "paxos-commit-tm-crash",
  "paxos-commit-tm-crash-early",
  "paxos-commit-partition",
];

/** The outcome of one scenario. */
export interface CommitScenarioResult {
  /** Which scenario. */
  readonly scenario: CommitScenario;
  /** The atomic-commitment checker's verdict on the participants. */
  readonly verdict: CommitVerdict;
  /** Each participant's decision ("blocked" if none by the end). */
  readonly decisions: Readonly<Record<NodeId, Outcome | "blocked">>;
  /** Longest time a participant spent in doubt (ms; to the end of the run if never resolved). */
  readonly maxInDoubtMs: number;
  /** Protocol messages sent (3PC's failure-detector heartbeats excluded). */
  readonly messages: number;
  /** Messages sent, by type (the simulator's `stats.byType`, heartbeats included). */
  readonly messagesByType: Readonly<Record<string, number>>;
  /** Each participant's time of decision (ms; absent: never decided). */
  readonly decidedAtMs: Readonly<Record<NodeId, number>>;
  /** The run's trace hash (one seed run twice gives the same hash). */
  readonly traceHash: string;
  /** The protocol events (for space-time charts). */
  readonly events: readonly EmittedEvent[];
  /** The run's trace records (for space-time diagrams). */
  readonly trace: readonly TraceRecord[];
}

/**
 * The fixed timing of {@link runCommitScenario}: 10 ms links, the coordinator crashes at 15 ms
 * (after PREPARE, before any vote arrives) or 35 ms (3PC after PRE-COMMIT), restarts at 3015 ms;
 * the protocols' defaults give a 2PC re-ask every 100 ms, a 3PC failure-detector bound of 50 ms
 * with a 10 ms heartbeat, and Paxos Commit's backup leaders[k] taking over after k × 200 ms; the
 * Paxos Commit partition lasts from 15 ms to 2000 ms.
 */
export const COMMIT_TIMING = {
  linkMs: 10,
  crashAtMs: 15,
  crashAfterPrecommitMs: 35,
  restartAtMs: 3015,
  retryMs: TwoPcConfigSchema.parse({ coordinator: "c", participants: ["p"] }).retryMs,
  failureDetectorMs: 50,
  heartbeatMs: ThreePcConfigSchema.parse({
    coordinator: "c",
    participants: ["p"],
    failureDetectorTimeoutMs: 50,
  }).heartbeatIntervalMs,
  takeoverMs:
    PaxosCommitConfigSchema.parse({ participants: ["p"], acceptors: ["a"], leaders: ["l"] })
      .takeoverMs,
  /** paxos-commit-partition: {tm, a0, p1} | {a1, a2, p2, p3} from here (ms)... */
  pcPartitionAtMs: 15,
  /** ...to the heal (ms). */
  pcHealAtMs: 2000,
} as const;

/** The Paxos Commit scenarios. */
export type PaxosCommitScenario = Extract<CommitScenario, `paxos-commit-${string}`>;

/** Paxos Commit's acceptors and leaders in each Paxos Commit scenario. */
export const PAXOS_COMMIT_SETUP = {
  acceptors: ["a0", "a1", "a2"],
  leaders: {
    "paxos-commit-tm-crash": ["tm", "a0"],
    "paxos-commit-tm-crash-early": ["tm", "a0"],
    "paxos-commit-partition": ["tm", "a0", "a1"],
  },
} as const;

const P = ["p1", "p2", "p3"];
const T = COMMIT_TIMING;
const LAT10 = { latency: { kind: "constant" as const, ms: T.linkMs } };

/**
 * Run one scenario (every link 10 ms unless stated; the run lasts `runMs`, default 5000).
 * - 2pc-coordinator-crash: the coordinator dies at 15 ms, after PREPARE, before any vote.
 * - 2pc-coordinator-crash-restart: the same, restarted at 3015 ms (presumed abort).
 * - 3pc-coordinator-crash-after-prepare / -after-precommit: the coordinator dies at 15 / 35 ms.
 * - 3pc-partition: c–p1 is 1 ms; {c, p1} | {p2, p3} at 25 ms cuts the PRE-COMMITs in flight.
 * - paxos-commit-tm-crash: the TM (initial leader) dies at 15 ms; acceptors a0..a2, backup a0;
 *   acceptors send phase 2b to every leader, so a0 learns the votes without phase 1 (fast path).
 * - paxos-commit-tm-crash-early: BeginCommit to p3 is lost (the TM died mid-broadcast) and the
 *   TM dies at 15 ms; phase 2b goes to the ballot's leader (the paper's), so the backup a0
 *   knows nothing: after takeoverMs it runs phase 1 with ballot 1 on every instance, re-proposes
 *   p1's and p2's accepted "prepared" and proposes "aborted" for p3 (nothing accepted): abort.
 * - paxos-commit-partition: {tm, a0, p1} | {a1, a2, p2, p3} at 15 ms (cutting p1's vote to a1,
 *   a2), healed at 2000 ms; backups a0, a1: a1 (majority side) aborts p1's instance by phase 1,
 *   the minority side waits for the heal.
 * @example
 * ```ts
 * runCommitScenario("3pc-partition").verdict.violations[0].condition; // "agreement"
 * ```
 */
export function runCommitScenario(
  scenario: CommitScenario,
  options: {
    /** Root seed (default 7). */ seed?: number;
    /** Run length in ms (default 5000). */ runMs?: number;
  } = {},
): CommitScenarioResult {
  const seed = options.seed ?? 7;
  const runMs = options.runMs ?? 5000;
  const crashAt = (atMs: number, node: string) => [{ atMs, type: "crash", node }];
  let sim;
  if (scenario.startsWith("2pc")) {
    const nemesis = scenario === "2pc-ok" ? [] : crashAt(T.crashAtMs, "c");
    if (scenario === "2pc-coordinator-crash-restart") {
      nemesis.push({ atMs: T.restartAtMs, type: "restart", node: "c" });
    }
    sim = createCluster({
      seed,
      nodes: ["c", ...P],
      factory: (ctx) => new TwoPcNode(ctx, { coordinator: "c", participants: P }),
      network: LAT10,
      nemesis,
    }).sim;
  } else if (scenario.startsWith("3pc")) {
    const partition = scenario === "3pc-partition";
    sim = createCluster({
      seed,
      nodes: ["c", ...P],
      factory: (ctx) =>
        new ThreePcNode(ctx, {
          coordinator: "c",
          participants: P,
          failureDetectorTimeoutMs: T.failureDetectorMs,
        }),
      network: partition
        ? { ...LAT10, links: [{ from: "c", to: "p1", latency: { kind: "constant", ms: 1 } }] }
        : LAT10,
      nemesis: partition
        ? [{ atMs: 25, type: "partition", groups: [["c", "p1"], ["p2", "p3"]] }]
        : crashAt(scenario.endsWith("prepare") ? T.crashAtMs : T.crashAfterPrecommitMs, "c"),
    }).sim;
  } else {
    const early = scenario === "paxos-commit-tm-crash-early";
    const partition = scenario === "paxos-commit-partition";
    sim = createCluster({
      seed,
      nodes: ["tm", "a0", "a1", "a2", ...P],
      factory: (ctx) =>
        new PaxosCommitNode(ctx, {
          participants: P,
          acceptors: [...PAXOS_COMMIT_SETUP.acceptors],
          leaders: [...PAXOS_COMMIT_SETUP.leaders[scenario as PaxosCommitScenario]],
          phase2bTo: early ? "ballot-leader" : "every-leader",
        }),
      network: early
        ? { ...LAT10, links: [{ from: "tm", to: "p3", bidirectional: false, lossRatio: 1 }] }
        : LAT10,
      nemesis: partition
        ? [
          {
            atMs: T.pcPartitionAtMs,
            type: "partition",
            groups: [["tm", "a0", "p1"], ["a1", "a2", "p2", "p3"]],
          },
          { atMs: T.pcHealAtMs, type: "heal" },
        ]
        : crashAt(T.crashAtMs, "tm"),
    }).sim;
  }
  sim.run({ untilMs: runMs });
  const verdict = checkAtomicCommit(sim.events, {
    participants: P,
    failureFree: scenario === "2pc-ok",
  });
  const doubt = timeInDoubt(sim.events, runMs);
  return {
    scenario,
    verdict,
    decisions: Object.fromEntries(P.map((p) => [p, verdict.decisions.get(p) ?? "blocked"])),
    maxInDoubtMs: Math.max(0, ...[...doubt.values()].map((d) => d.ms)),
    messages: sim.stats.sent - (sim.stats.byType.get("alive") ?? 0),
    messagesByType: Object.fromEntries(sim.stats.byType),
    decidedAtMs: Object.fromEntries(
      P.flatMap((p) => {
        const d = sim.events.find((e) => e.node === p && e.event.type === "decide");
        return d ? [[p, d.t]] : [];
      }),
    ),
    traceHash: sim.trace.hash(),
    events: sim.events,
    trace: sim.trace.records,
  };
}
