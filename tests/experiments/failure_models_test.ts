import assert from "node:assert/strict";
import * as fm from "@lab/experiments/failure_models.ts";
import { assertClaims, claim, ClaimError } from "@lab/experiments/claims.ts";
import { ConfigError } from "@lab/sim/mod.ts";

for (const seed of [1, 2, 3]) {
  Deno.test(`failure models: every prediction of notebook 06 holds (seed ${seed})`, () => {
    assertClaims(fm.allFailureModelClaims(fm.parseFailureModelsParams({ seed })));
  });
}

Deno.test("failure models: a pause shorter than the timeout causes no split brain", () => {
  const p = fm.parseFailureModelsParams({ pauseMs: 200 });
  const r = fm.pausedLeader(p);
  assert.equal(r.conflictingActs.length, 0);
  assert.ok(fm.checkPausedLeader(r, p).some((c) => !c.holds), "the split-brain claim fails");
});

Deno.test("failure models: the trade-off check fails on rows that contradict theory", () => {
  const p = fm.parseFailureModelsParams({});
  const rows = fm.detectorTradeoff({ ...p, lossRatios: [0.1], timeoutsMs: [150, 300, 600] });
  const swapped = rows.map((r, i) => ({
    ...r,
    detectionMsMean: rows[rows.length - 1 - i].detectionMsMean,
  }));
  assert.ok(fm.checkDetectorTradeoff(swapped, p).some((c) => !c.holds));
});

Deno.test("failure models: bad parameters name the field", () => {
  assert.throws(
    () => fm.parseFailureModelsParams({ lossRatios: [0.1, 1.5] }),
    (e: unknown) => e instanceof ConfigError && e.message.includes("lossRatios[1]"),
  );
  assert.throws(() => fm.parseFailureModelsParams({ nodez: 3 }), /nodez/);
});

Deno.test("claims: assertClaims throws listing every failed prediction", () => {
  assert.throws(
    () => assertClaims([claim("a", true, "1"), claim("b", false, "2"), claim("c", false, "3")]),
    (e: unknown) =>
      e instanceof ClaimError && /2 of 3/.test(e.message) && /✗ c \(3\)/.test(e.message),
  );
  const t = assertClaims([claim("a", true, "x|y")]);
  const bundle = t.bundle();
  assert.ok(bundle["text/markdown"].includes("x\\|y"));
});
