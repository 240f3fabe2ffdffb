import assert from "node:assert/strict";
import * as fm from "@lab/experiments/failure_models.ts";
import { type Claim, isApplicable } from "@lab/experiments/claims.ts";

/** A cheap base: short runs, two settings per sweep. */
const BASE = {
  runMs: 15_000,
  crashPeriodMs: 3000,
  crashDownMs: 1500,
  timeoutsMs: [150, 400],
  phiThresholds: [2, 8],
  lossRatios: [0, 0.1],
};

function failed(cs: readonly Claim[]): string[] {
  return cs.filter((c) => isApplicable(c) && !c.holds).map((c) => `✗ ${c.claim} (${c.detail})`);
}

/** Points across each documented range (ends and a middle), one parameter at a time. */
const POINTS: Record<string, unknown>[] = [
  { seed: 7 },
  { nodes: 3 },
  { nodes: 12 },
  { intervalMs: 20, timeoutsMs: [30, 80] },
  {
    intervalMs: 1000,
    timeoutsMs: [1500, 4000],
    runMs: 60_000,
    crashPeriodMs: 12_000,
    crashDownMs: 6000,
  },
  { lossRatios: [0, 0.3, 0.5] },
  { lossRatios: [0.9] },
  { phiThresholds: [0.5, 30] },
  { phiLossRatio: 0 },
  { phiLossRatio: 0.2 },
  { phiLossRatio: 0.5 },
  { gossipNodes: 4 },
  { gossipNodes: 512 },
  { gossipRoundMs: 40 },
  { gossipRoundMs: 1000, gossipHealMs: 8000 },
  { gossipHealMs: 20 },
  { gossipHealMs: 20_000 },
  { pauseMs: 200 },
  { pauseMs: 450 },
  { pauseMs: 5000, pauseAtMs: 1000 },
];

for (const point of POINTS) {
  Deno.test(`failure models: claims hold or say n/a at ${JSON.stringify(point)}`, () => {
    const p = fm.parseFailureModelsParams({ ...BASE, ...point });
    assert.deepEqual(failed(fm.allFailureModelClaims(p)), []);
  });
}

Deno.test("failure models: the notebook's suggested changes run and their claims hold", () => {
  // the parameters cell and the closing notes suggest these
  for (
    const set of [
      { lossRatios: [0, 0.3, 0.5] },
      { lossRatios: [0, 0.3], seed: 7 },
      { pauseMs: 300 },
    ]
  ) {
    const p = fm.parseFailureModelsParams(set);
    assert.deepEqual(failed(fm.allFailureModelClaims(p)), [], JSON.stringify(set));
  }
});
