import assert from "node:assert/strict";
import { ConfigError } from "@lab/sim/mod.ts";
import { isApplicable } from "@lab/experiments/claims.ts";
import {
  type AlgorithmsParams,
  allAlgorithmClaims,
  checkCommit,
  checkComplexity,
  checkElectionFaults,
  checkProposerRotation,
  commitRows,
  commitRuns,
  commitScenarioTrace,
  complexityTable,
  electionFaults,
  logLogSlope,
  parseAlgorithmsParams,
  proposerRotation,
} from "@lab/experiments/algorithms.ts";
import type { ComplexityRow } from "@lab/protocols/election/mod.ts";
import { COMMIT_TIMING, runCommitScenario } from "@lab/protocols/commit/mod.ts";
import type { Claim } from "@lab/experiments/claims.ts";
import { checkLocks, parseLockParams, runLockExperiment } from "@lab/experiments/locks.ts";

const failing = (cs: readonly Claim[]) => cs.filter((c) => isApplicable(c) && !c.holds);
const P = parseAlgorithmsParams({});
const SMALL = parseAlgorithmsParams({ ringSizes: [4, 8, 32], trials: 10 });

Deno.test("algorithms: every claim holds at the notebook's defaults", () => {
  const bad = failing(allAlgorithmClaims(P));
  assert.deepEqual(bad, [], bad.map((c) => `${c.claim}: ${c.detail}`).join("\n"));
});

Deno.test("algorithms: bad parameters are refused naming the field, before any run", () => {
  const cases: [Record<string, unknown>, string][] = [
    [{ ringSizes: [1, 4, 8] }, "ringSizes[0]"],
    [{ ringSizes: [4, 8, 8] }, "ringSizes[2]"],
    [{ ringSizes: [4, 8] }, "ringSizes"],
    [{ partitionSide: 5, clusterSize: 5 }, "partitionSide"],
    [{ leaderTimeoutMs: 30, heartbeatIntervalMs: 20 }, "leaderTimeoutMs"],
    [{ commitRunMs: 3000 }, "commitRunMs"],
    [{ leaderTimeoutMs: 1000 }, "partitionAtMs"],
    [{ answerTimeoutMs: 2 }, "answerTimeoutMs"],
    [{ lock: { leaseMs: 0 } }, "lock.leaseMs"],
    [{ lock: { redlockNodes: 4 } }, "lock.redlockNodes"],
  ];
  for (const [input, field] of cases) {
    assert.throws(() => parseAlgorithmsParams(input), (e: unknown) => {
      assert.ok(e instanceof ConfigError, String(e));
      assert.ok(e.issues.some((i) => i.path === field), `${field} not in ${e.message}`);
      return true;
    });
  }
});

Deno.test("algorithms: the nested lock parameters are locks.ts's own, defaults included", () => {
  assert.deepEqual(P.lock, parseLockParams({}));
  const given = { leaseMs: 200, pauseMs: 300, seed: 4, redlockNodes: 7, jumpNode: "r3" };
  assert.deepEqual(parseAlgorithmsParams({ lock: given }).lock, parseLockParams(given));
});

Deno.test("algorithms: the lock change notebook 00 suggests for notebook 08 runs and holds", () => {
  const p = parseAlgorithmsParams({ lock: { pauseMs: 300 } });
  const bad = failing(checkLocks(runLockExperiment(p.lock), p.lock));
  assert.deepEqual(bad, [], bad.map((c) => `${c.claim}: ${c.detail}`).join("\n"));
});

// ---- mutations: each claim fails on an input that breaks what it predicts ----------------------

function mutate(
  rows: readonly ComplexityRow[],
  alg: ComplexityRow["algorithm"],
  c: ComplexityRow["case"],
  f: (r: ComplexityRow) => Partial<ComplexityRow>,
): ComplexityRow[] {
  return rows.map((
    r,
  ) => (r.algorithm === alg && r.case === c && r.n === 8 ? { ...r, ...f(r) } : r));
}

Deno.test("algorithms: complexity claims fail on mutated measurements", () => {
  const rows = complexityTable(SMALL);
  assert.deepEqual(failing(checkComplexity(rows, SMALL)), []);
  const which = (rs: ComplexityRow[]) => failing(checkComplexity(rs, SMALL)).map((c) => c.claim);
  // one extra Chang–Roberts message in the worst case
  assert.ok(
    which(mutate(rows, "changRoberts", "worst", (r) => ({ measured: r.measured + 1 })))
      .some((c) => c.startsWith("Chang–Roberts, UIDs decreasing")),
  );
  // the average run on the worst order (n(n+1)/2 instead of n·H_n)
  assert.ok(
    which(mutate(rows, "changRoberts", "average", (r) => ({ measured: r.n * (r.n + 1) / 2 })))
      .some((c) => c.includes("random orders")),
  );
  // Hirschberg–Sinclair above its bound
  assert.ok(
    which(mutate(rows, "hirschbergSinclair", "max", (r) => ({ measured: r.theory + 1 })))
      .some((c) => c.startsWith("Hirschberg–Sinclair")),
  );
  // the textbook sequential bully count n² − 1 is not what equal delays give
  assert.ok(
    which(mutate(rows, "bully", "worst", (r) => ({ measured: r.n * r.n - 1 })))
      .some((c) => c.startsWith("bully")),
  );
  // a ring whose election takes one delay longer
  assert.ok(
    which(mutate(rows, "changRoberts", "worst", (r) => ({ timeMs: r.timeMs + 1 })))
      .some((c) => c.startsWith("election time")),
  );
  // a linear bully breaks the slope claim
  const linear = rows.map((r) =>
    r.algorithm === "bully" && r.case === "worst" ? { ...r, measured: 10 * r.n } : r
  );
  assert.ok(which(linear).some((c) => c.startsWith("log-log")));
  assert.throws(() => parseAlgorithmsParams({ nodes: 5 }), /nodes/);
});

Deno.test("algorithms: log-log slope recovers the exponent", () => {
  const pts = (k: number) => [4, 8, 16, 32].map((x) => ({ x, y: 3 * x ** k }));
  assert.ok(Math.abs(logLogSlope(pts(2)) - 2) < 1e-9);
  assert.ok(Math.abs(logLogSlope(pts(1)) - 1) < 1e-9);
});

Deno.test("algorithms: fault claims fail on mutated runs", () => {
  const r = electionFaults(P);
  assert.deepEqual(failing(checkElectionFaults(r, P)), []);
  const names = (x: typeof r) => failing(checkElectionFaults(x, P)).map((c) => c.claim);
  // a partition that never split the brain (one leader throughout)
  assert.ok(names({ ...r, bullyPartition: [] }).some((c) => c.includes("partition")));
  // a paused leader whose deputy never took over
  assert.ok(names({ ...r, bullyPause: [] }).some((c) => c.includes("paused")));
  // a cut ring that still elected someone
  assert.ok(
    names({ ...r, ringPartitionLeaders: { changRoberts: 2, hirschbergSinclair: 0 } })
      .some((c) => c.startsWith("ring elections")),
  );
  // a pause that cost messages
  const extra = r.ringPause.map((x) => ({ ...x, messages: x.messages + 1 }));
  assert.ok(names({ ...r, ringPause: extra }).some((c) => c.startsWith("a ring node")));
  // predictions come from the parameters: the same run judged with another partition time fails
  const moved = { ...P, partitionAtMs: P.partitionAtMs + 300 };
  assert.ok(failing(checkElectionFaults(r, moved)).some((c) => c.claim.includes("partition")));
});

Deno.test("algorithms: belief timelines show two self-believed leaders exactly in the split", () => {
  const r = electionFaults(P);
  const selfAt = (rows: typeof r.bullyPauseBeliefs, t: number) =>
    rows.filter((b) => b.state === "leader (self)" && b.startMs <= t && t < b.endMs).map((b) =>
      b.node
    )
      .sort();
  const split = r.bullyPause[0];
  const mid = (split.fromMs + split.toMs) / 2;
  // the paused node still believes it leads (shown as paused), its deputy leads in its own view
  assert.deepEqual(selfAt(r.bullyPauseBeliefs, mid), ["n3"]);
  assert.ok(r.bullyPauseBeliefs.some((b) => b.node === "n4" && b.state === "paused"));
  assert.deepEqual(
    selfAt(r.bullyPartitionBeliefs, (r.bullyPartition[0].fromMs + r.bullyPartition[0].toMs) / 2),
    ["n1", "n4"],
  );
  assert.deepEqual(selfAt(r.bullyPartitionBeliefs, r.untilMs - 1), ["n4"]);
});

Deno.test("algorithms: a pause or partition shorter than the takeover predicts one leader", () => {
  const p = parseAlgorithmsParams({ pauseMs: 50, partitionMs: 300, leaderTimeoutMs: 400 });
  const r = electionFaults(p);
  const cs = checkElectionFaults(r, p);
  assert.ok(cs.filter((c) => c.claim.includes("one leader")).length === 2);
  assert.deepEqual(failing(cs), []);
  // and a run with split brain fails that prediction
  const split = [{ fromMs: 600, toMs: 700, leaders: ["n3", "n4"] }];
  assert.ok(failing(checkElectionFaults({ ...r, bullyPause: split }, p)).length === 1);
  // a resume inside the takeover window is outside both predictions
  const q = parseAlgorithmsParams({ pauseMs: 115 });
  assert.ok(checkElectionFaults(electionFaults(q), q).some((c) => !isApplicable(c)));
});

Deno.test("algorithms: commit claims fail on mutated results", () => {
  const rs = commitRuns(P);
  assert.deepEqual(failing(checkCommit(rs, P)), []);
  const swap = (s: string, f: (r: (typeof rs)[number]) => (typeof rs)[number]) =>
    rs.map((r) => (r.scenario === s ? f(r) : r));
  const names = (x: typeof rs) => failing(checkCommit(x, P)).map((c) => c.claim);
  // 3PC's partition run judged atomic (a checker that missed it)
  const ok3 = swap("3pc-partition", (r) => ({ ...r, verdict: { ...r.verdict, violations: [] } }));
  assert.ok(names(ok3).some((c) => c.startsWith("3PC under a partition")));
  // a 2PC that did not block
  const unblocked = swap("2pc-coordinator-crash", (r) => ({
    ...r,
    decisions: { p1: "abort", p2: "abort", p3: "abort" },
  }));
  assert.ok(names(unblocked).some((c) => c.includes("blocked")));
  // a 3PC that waited longer than the detector bound allows
  const slow = swap("3pc-coordinator-crash-after-prepare", (r) => ({ ...r, maxInDoubtMs: 400 }));
  assert.ok(names(slow).some((c) => c.startsWith("3PC with")));
  // Paxos Commit that blocked like 2PC
  const px = swap("paxos-commit-tm-crash", (r) => ({ ...r, maxInDoubtMs: P.commitRunMs }));
  assert.ok(names(px).some((c) => c.startsWith("Paxos Commit, TM crashed after")));
  // the fast path took the takeover after all (one delay slower than the tight bound, or phase 1)
  const slowFast = swap("paxos-commit-tm-crash", (r) => ({ ...r, maxInDoubtMs: 40 }));
  assert.deepEqual(names(slowFast).length, 1);
  const p1Fast = swap("paxos-commit-tm-crash", (r) => ({
    ...r,
    messagesByType: { ...r.messagesByType, "pc-1a": 3 },
  }));
  assert.ok(names(p1Fast)[0].startsWith("Paxos Commit, TM crashed after"));
  // the blocking prediction comes from commitRunMs: judged against a longer run it fails
  const longer = { ...P, commitRunMs: P.commitRunMs + 1000 };
  assert.ok(failing(checkCommit(rs, longer)).some((c) => c.claim.includes("blocked")));
});

Deno.test("algorithms: each new Paxos Commit claim fails on a mutated run", () => {
  const rs = commitRuns(P);
  const swap = (s: string, f: (r: (typeof rs)[number]) => (typeof rs)[number]) =>
    rs.map((r) => (r.scenario === s ? f(r) : r));
  const names = (x: typeof rs) => failing(checkCommit(x, P)).map((c) => c.claim);
  const early = (f: (r: (typeof rs)[number]) => (typeof rs)[number]) =>
    names(swap("paxos-commit-tm-crash-early", f));
  const isEarly = (c: string[]) => c.length === 1 && c[0].includes("BeginCommit lost");
  // no phase 1 ran (the takeover path skipped, as on the fast path)
  assert.ok(isEarly(early((r) => ({ ...r, messagesByType: { ...r.messagesByType, "pc-1a": 0 } }))));
  // phase 1 answered by a minority only
  assert.ok(isEarly(early((r) => ({ ...r, messagesByType: { ...r.messagesByType, "pc-1b": 2 } }))));
  // a decision one delay later than takeover + 5 delays, or before the takeover could start
  const shift = (d: number) => (r: (typeof rs)[number]) => ({
    ...r,
    decidedAtMs: Object.fromEntries(Object.entries(r.decidedAtMs).map(([k, v]) => [k, v + d])),
  });
  assert.ok(isEarly(early(shift(10))));
  assert.ok(isEarly(early(shift(-60))));
  // an RM whose instance had nothing accepted decided commit (a wrong value in phase 2a)
  assert.ok(isEarly(early((r) => ({ ...r, decisions: { ...r.decisions, p3: "commit" } }))));
  // the partition: minority decided before the heal, majority only after it, or a split decision
  const part = (f: (r: (typeof rs)[number]) => (typeof rs)[number]) =>
    names(swap("paxos-commit-partition", f));
  const isPart = (c: string[]) => c.length === 1 && c[0].includes("under the partition");
  const at = (k: string, v: number) => (r: (typeof rs)[number]) => ({
    ...r,
    decidedAtMs: { ...r.decidedAtMs, [k]: v },
  });
  assert.ok(isPart(part(at("p1", COMMIT_TIMING.pcHealAtMs - 1))));
  assert.ok(isPart(part(at("p2", COMMIT_TIMING.pcHealAtMs + 30))));
  assert.ok(isPart(part(at("p1", COMMIT_TIMING.pcHealAtMs + COMMIT_TIMING.takeoverMs + 30))));
  const splitRun = runCommitScenario("3pc-partition", { seed: P.seed, runMs: P.commitRunMs });
  assert.ok(isPart(part((r) => ({ ...r, verdict: splitRun.verdict }))));
});

Deno.test("algorithms: rotation claims fail when a faulty proposer costs another round", () => {
  const rows = proposerRotation(P);
  assert.deepEqual(failing(checkProposerRotation(rows)), []);
  const late = rows.map((r) => (r.proposer === "crashed" ? { ...r, round: 2 } : r));
  assert.equal(failing(checkProposerRotation(late)).length, 1);
  const slow = rows.map((
    r,
  ) => (r.proposer === "honest" ? { ...r, decisionMs: r.theoryMs + 10 } : r));
  assert.equal(failing(checkProposerRotation(slow)).length, 1);
});

Deno.test("algorithms: the captured commit trace is the scenario's own run", () => {
  const { result, trace } = commitScenarioTrace("3pc-partition", P);
  assert.equal(result.traceHash, runCommitScenario("3pc-partition", { seed: P.seed }).traceHash);
  assert.ok(trace.some((r) => r.type === "send") && trace.some((r) => r.type === "drop"));
  assert.ok(commitRows([result])[0].verdict.includes("agreement"));
});

Deno.test("algorithms: one seed run twice gives identical claims", () => {
  const a = allAlgorithmClaims(SMALL).map((c) => c.detail);
  const b = allAlgorithmClaims(SMALL).map((c) => c.detail);
  assert.deepEqual(a, b);
});

// ---- the notebook's parameter ranges, sampled ---------------------------------------------------

const SAMPLES: Record<string, unknown>[] = [
  { seed: 7, ringSizes: [2, 3, 5], trials: 5 },
  { seed: 3, ringSizes: [8, 24, 96], trials: 12 },
  { ringSizes: [5, 10, 20, 40], clusterSize: 3, partitionSide: 1 },
  { clusterSize: 12, partitionSide: 11, pauseMs: 3000, pauseAtMs: 4000 },
  { clusterSize: 8, partitionSide: 4, partitionAtMs: 200, partitionMs: 300 },
  { heartbeatIntervalMs: 5, leaderTimeoutMs: 11, answerTimeoutMs: 5, pauseMs: 100 },
  {
    heartbeatIntervalMs: 200,
    leaderTimeoutMs: 2000,
    answerTimeoutMs: 500,
    pauseMs: 10_000,
    partitionAtMs: 3000,
    pauseAtMs: 3000,
  },
  { partitionAtMs: 5000, partitionMs: 10_000, commitRunMs: 3200 },
  { commitRunMs: 60_000, pauseMs: 1 },
  // the change the notebook's parameters cell suggests
  { ringSizes: [4, 16, 64, 128], trials: 60 },
];

for (const s of SAMPLES) {
  Deno.test(`algorithms: claims hold at ${JSON.stringify(s)}`, () => {
    // samples that leave the sizes alone run a small sweep (the defaults run in the first test)
    const p: AlgorithmsParams = parseAlgorithmsParams(
      "ringSizes" in s ? s : { ringSizes: [4, 8, 32], trials: 5, ...s },
    );
    const bad = failing(allAlgorithmClaims(p));
    assert.deepEqual(bad, [], bad.map((c) => `${c.claim}: ${c.detail}`).join("\n"));
  });
}
