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
  const cs = fm.checkPausedLeader(r, p);
  assert.ok(cs.length === 1 && cs[0].holds && /no takeover/.test(cs[0].claim), cs[0].detail);
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
