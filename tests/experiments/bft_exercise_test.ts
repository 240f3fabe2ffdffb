/** Notebook 10's experiments: parameters, detection power and seed count, claims, debugging. */
import assert from "node:assert/strict";
import { ConfigError } from "@lab/sim/mod.ts";
import * as bx from "@lab/experiments/bft_exercise.ts";
import { bftBattery, referenceBa, runBaScenario } from "@lab/protocols/bft/battery.ts";

Deno.test("bft exercise: parameters parse with defaults; a bad one names its field", () => {
  const p = bx.parseBftExerciseParams({});
  assert.equal(p.batterySeeds, bx.defaultBatterySeeds());
  assert.throws(
    () => bx.parseBftExerciseParams({ batterySeeds: 0 }),
    (e: unknown) => e instanceof ConfigError && e.issues[0].path === "batterySeeds",
  );
  assert.throws(
    () => bx.parseBftExerciseParams({ twinsRound: 2 }),
    (e: unknown) => e instanceof ConfigError,
  );
});

Deno.test("bft exercise: the default seed count catches each measured mistake with ≥ 99 %", () => {
  const k = bx.defaultBatterySeeds();
  for (const m of bx.BA_MISTAKES) {
    assert.ok(1 - (1 - bx.MEASURED_DETECTION[m]) ** k >= 0.99, m);
  }
  // and one fewer does not (the count is the smallest)
  assert.ok(bx.BA_MISTAKES.some((m) => 1 - (1 - bx.MEASURED_DETECTION[m]) ** (k - 1) < 0.99));
  assert.equal(bx.passedLine(k), `passed ${k} seeds, which catches each known mistake with ≥ 99 %`);
  assert.match(bx.passedLine(1), /only \(\d+ seeds give ≥ 99 %\)/);
  assert.equal(bx.seedsNeeded(0.5), 7);
  assert.equal(bx.seedsNeeded(0), Infinity);
});

Deno.test("bft exercise: the matrix on a few seeds, its claims and the status", async () => {
  const params = bx.parseBftExerciseParams({ batterySeeds: 2, twinsScenarios: 10 });
  const matrix = await bx.batteryMatrix(params);
  assert.equal(matrix.length, bx.matrixSize());
  const claims = bx.checkMatrix(matrix);
  assert.ok(claims[0].holds, claims[0].detail);
  const power = bx.detectionPower(matrix);
  assert.equal(power.length, bx.BA_MISTAKES.length);
  assert.ok(power.find((d) => d.mistake === "mistakeVoteTwice")!.caughtSeeds === 2);
  const learner = bftBattery(referenceBa(), { seeds: 1 }).rows;
  assert.ok(bx.checkLearner(learner)[0].holds);
  const status = bx.statusSummary({
    params,
    attack: [
      {
        n: 3,
        f: 1,
        quorum: 2,
        regime: "n = 3f",
        seeds: 1,
        breaches: 1,
        safeDecisions: 0,
        minCulprits: 1,
        firstBreach: "x",
        replay: "y",
      },
      {
        n: 4,
        f: 1,
        quorum: 3,
        regime: "n = 3f + 1",
        seeds: 1,
        breaches: 0,
        safeDecisions: 1,
        minCulprits: NaN,
        firstBreach: null,
        replay: null,
      },
    ],
    matrix,
    twins: [],
    shrink: {
      tried: 1,
      seed: null,
      failure: null,
      shrink: null,
      replayFailure: null,
      replay: null,
    },
    learner,
    claims,
  });
  assert.match(status.text, /passes 14 of 14 scenarios/);
});

Deno.test("bft exercise: debugging a passing node demonstrates on a mistake with a pasteable replay", () => {
  const learner = bftBattery(referenceBa(), { seeds: 1, only: "equivocate" }).rows;
  const t = bx.debugTarget(referenceBa(), learner);
  assert.equal(t.yours, false);
  assert.equal(
    t.replay,
    `bftBattery(referenceBa({ mistakeQuorum2f: true }), { only: "equivocate", seeds: [${t.seed}] })`,
  );
  const r = bx.replayTraced(t.makeNode, t.scenario, t.seed);
  assert.ok(r.failure);
  assert.ok(r.trace.length > 0 && r.lastDecisionMs > 0);
  // a failing learner node is debugged itself
  const bad = referenceBa({ mistakeVoteTwice: true });
  const rows = bftBattery(bad, { seeds: 1, only: "doublePropose" }).rows;
  const mine = bx.debugTarget(bad, rows);
  assert.ok(mine.yours);
  assert.ok(runBaScenario(bad, mine.scenario, mine.seed).failure);
});
