/** Notebook 09 (exercise: Raft): its predictions with smaller trial counts, and its checks' teeth. */
import assert from "node:assert/strict";
import * as rx from "@lab/experiments/raft_exercise.ts";
import { assertClaims } from "@lab/experiments/claims.ts";
import { type BatteryNode, referenceRaft } from "@lab/protocols/raft/battery.ts";
import { ConfigError } from "@lab/sim/mod.ts";

for (const seed of [1, 2, 3]) {
  Deno.test(`raft exercise: the step-through's claims hold (seed ${seed})`, () => {
    assertClaims(rx.checkStepThrough(rx.raftStepThrough(rx.parseRaftExerciseParams({ seed }))));
  });
}

Deno.test("raft exercise: Figure 16's qualitative claims hold with 300 trials per range", async () => {
  const p = rx.parseRaftExerciseParams({ seed: 2, trials: 300, fixedTrials: 40 });
  const r = await rx.figure16(p);
  assert.equal(r.rows.length, rx.figure16TrialCount(p));
  assertClaims(rx.checkFigure16(r, p));
  const rows = rx.figure16Comparison(r, p);
  assert.deepEqual(rows.map((x) => x.range), [
    "150–150 ms",
    "150–155 ms",
    "150–200 ms",
    "all ranges",
  ]);
});

Deno.test("raft exercise: the sensitivity experiment's claims hold with 200 trials per curve", async () => {
  const p = rx.parseRaftExerciseParams({ seed: 3, sensitivityTrials: 200 });
  let ticks = 0;
  const r = await rx.splitVoteSensitivity(p, { tick: () => void ticks++ });
  assert.equal(ticks, rx.sensitivityTrialCount(p));
  assertClaims(rx.checkSensitivity(r));
});

Deno.test("raft exercise: an election trial is deterministic and starts from unequal logs", () => {
  const spec = {
    seed: "t",
    servers: 5,
    minMs: 150,
    maxMs: 300,
    latencyMsMin: 3,
    latencyMsMax: 9,
    diskWriteMs: 0,
    clockDriftPpm: 100,
    capMs: 10_000,
  };
  const a = rx.electionTrial(spec), b = rx.electionTrial(spec);
  assert.deepEqual(a, b);
  assert.equal(new Set(a.logLengths).size, 4, `log lengths ${a.logLengths}`);
  assert.ok(a.electionMs >= 75 && a.electionMs < 1_000, `${a.electionMs}`);
  // identical timeouts and perfect clocks: lock step until the cap, on some seeds
  const stuck = [1, 2, 3, 4, 5, 6, 7, 8].map((k) =>
    rx.electionTrial({ ...spec, seed: `lock${k}`, maxMs: 150, clockDriftPpm: 0, capMs: 5_000 })
  );
  assert.ok(stuck.some((t) => !Number.isFinite(t.electionMs)), "some trial stays split forever");
});

Deno.test("raft exercise: the modelled networks have the paper's broadcast time (~15 ms)", () => {
  const slow = rx.broadcastTimeMs(4, 3, 9);
  const fast = rx.broadcastTimeMs(4, 0.5, 1.5, 12);
  assert.ok(slow > 13 && slow < 17, `${slow}`);
  assert.ok(fast > 13 && fast < 17, `${fast}`);
});

Deno.test("raft exercise: the Figure 16 check fails when more randomness makes elections slower", async () => {
  const p = rx.parseRaftExerciseParams({
    electionTimeoutMaxesMs: [155, 175, 200],
    trials: 60,
  });
  const r = await rx.figure16(p);
  const reversed = {
    ...r,
    summary: r.summary.map((s, i) => ({ ...s, meanTerms: i + 1, p99Ms: 100 * (i + 1) })),
  };
  assert.ok(rx.checkFigure16(reversed, p).some((c) => !c.holds));
});

Deno.test("raft exercise: the battery passes the reference and catches every classic mistake", async () => {
  const p = rx.parseRaftExerciseParams({});
  let ticks = 0;
  const cells = await rx.batteryMatrix(p, { tick: () => void ticks++ });
  assert.equal(ticks, rx.batteryMatrixSize());
  assertClaims(rx.checkBattery(cells));
});

Deno.test("raft exercise: the failing schedule shrinks to a 1-minimal one that replays", () => {
  const d = rx.shrinkDemo(rx.parseRaftExerciseParams({ seed: 1 }));
  assertClaims(rx.checkShrink(d));
  const rows = rx.shrinkProgressRows(d.steps);
  assert.equal(rows.at(-1)!.faults, d.shrunk.length);
});

Deno.test("raft exercise: the acceptance test fails for a Raft that never elects a leader", async () => {
  class Inert implements BatteryNode<never> {
    onMessage(): void {}
    propose() {
      return { index: -1, term: 0, isLeader: false };
    }
    state() {
      return { term: 0, isLeader: false };
    }
  }
  const rows = await rx.learnerBattery(
    () => new Inert(),
    rx.parseRaftExerciseParams({ batterySeeds: 1 }),
  );
  assert.ok(rx.checkLearner(rows).some((c) => !c.holds));
  assert.ok(rows.some((r) => r.scenario === "snapshots" && r.skipped !== null));
});

Deno.test("raft exercise: bad parameters name the field", () => {
  assert.throws(
    () => rx.parseRaftExerciseParams({ electionTimeoutMaxesMs: [150, 120] }),
    (e: unknown) => e instanceof ConfigError && e.message.includes("electionTimeoutMaxesMs"),
  );
  assert.throws(() => rx.parseRaftExerciseParams({ trails: 10 }), /trails/);
});

Deno.test("raft exercise: the status paragraph is computed from the results", async () => {
  const params = rx.parseRaftExerciseParams({
    trials: 60,
    fixedTrials: 10,
    trialCapMs: 20_000,
    sensitivityTrials: 40,
    batterySeeds: 1,
  });
  const stepThrough = rx.raftStepThrough(params);
  const figure16 = await rx.figure16(params);
  const sensitivity = await rx.splitVoteSensitivity(params);
  const battery = await rx.batteryMatrix(params);
  const shrink = rx.shrinkDemo(params);
  const learner = await rx.learnerBattery(referenceRaft(), params);
  const claims = [...rx.checkStepThrough(stepThrough), ...rx.checkLearner(learner)];
  const text = rx.statusSummary({
    params,
    stepThrough,
    figure16,
    sensitivity,
    battery,
    shrink,
    learner,
    claims,
  }).toString();
  assert.match(text, new RegExp(`${claims.length} of ${claims.length} checked predictions hold`));
  assert.match(text, new RegExp(`${figure16.rows.length} trials`));
  assert.match(text, /passes 20 of 20 scenarios/);
});
