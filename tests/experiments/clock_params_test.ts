import * as ex from "@lab/experiments/clocks.ts";
import { assertClaims } from "@lab/experiments/claims.ts";

// Each notebook's schema sampled over its documented range, one field at a time from the
// defaults: every claim holds or says it does not apply.

const EXERCISE: Record<string, unknown[]> = {
  nodes: [2, 3, 8],
  durationMs: [60_000, 400_000],
  pollIntervalMs: [2_000, 30_000, 60_000],
  maxInitialOffsetMs: [0, 2_000],
  maxDriftPpm: [0, 200],
  asymmetricOutMs: [0, 4, 100],
  jumpDeltaMs: [-5_000, 100, 20_000],
  lossRatio: [0, 0.6],
  spikeRatio: [0, 0.3],
  spikeExtraMs: [0, 20, 1_000],
  heavyDriftPpm: [0, 2_000],
};

for (const [field, values] of Object.entries(EXERCISE)) {
  Deno.test(`clock exercise parameters: ${field} over ${values.join(", ")}`, () => {
    for (const v of values) {
      const input: Record<string, unknown> = { seeds: [1], [field]: v };
      if (field === "durationMs") input.jumpAtMs = (v as number) * 0.7;
      const p = ex.parseClockExerciseParams(input);
      const result = ex.scoreExercise(ex.exerciseBaselines(p), p);
      try {
        assertClaims(ex.checkExerciseBaselines(result, p));
      } catch (e) {
        throw new Error(`${field}=${v}: ${(e as Error).message}`);
      }
    }
  });
}

const NOTEBOOK07: Record<string, unknown[]> = {
  demoNodes: [2, 6],
  demoActions: [1, 12],
  runNodes: [[2], [16]],
  runMaxDriftsPpm: [[0], [100_000]],
  runMaxOffsetsMs: [[0], [5_000]],
  runActions: [5, 60],
  pathRttMs: [80, 400],
  asymmetriesMs: [[-1, 0, 1], [-50, 0, 50]],
  driftPpm: [0, 10_000],
  pollIntervalsMs: [[100, 1_000], [60_000, 120_000]],
  durationMs: [40_000, 600_000],
};

for (const [field, values] of Object.entries(NOTEBOOK07)) {
  Deno.test(`clocks parameters: ${field} over ${JSON.stringify(values)}`, () => {
    for (const v of values) {
      const p = ex.parseClocksParams({ runs: 4, [field]: v });
      try {
        assertClaims([
          ...ex.checkLogicalDemo(ex.logicalDemo(p)),
          ...ex.checkRandomRuns(ex.randomRunChecks(p)),
          ...ex.checkMistakesCaught(ex.mistakesCaught(p, 4)),
          ...ex.checkAsymmetry(ex.asymmetrySweep(p), p),
          ...ex.checkPollIntervalDrift(ex.pollIntervalDrift(p), p),
        ]);
      } catch (e) {
        throw new Error(`${field}=${JSON.stringify(v)}: ${(e as Error).message}`);
      }
    }
  });
}
