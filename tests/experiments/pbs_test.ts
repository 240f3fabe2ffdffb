import assert from "node:assert/strict";
import * as pbs from "@lab/experiments/pbs.ts";
import { type Claim, isApplicable } from "@lab/experiments/claims.ts";
import { ConfigError } from "@lab/sim/mod.ts";

function failed(cs: readonly Claim[]): string[] {
  return cs.filter((c) => isApplicable(c) && !c.holds).map((c) => `✗ ${c.claim} (${c.detail})`);
}
const holds = (cs: readonly Claim[], i: number) => isApplicable(cs[i]) && cs[i].holds;

Deno.test("closed form: C(N−W,R)/C(N,R) to the k", () => {
  assert.equal(pbs.binomial(5, 2), 10);
  assert.equal(pbs.binomial(2, 3), 0);
  assert.ok(Math.abs(pbs.pbsStaleProbability(3, 1, 1, 1) - 2 / 3) < 1e-12);
  assert.ok(Math.abs(pbs.pbsStaleProbability(3, 1, 1, 2) - 4 / 9) < 1e-12);
  assert.ok(Math.abs(pbs.pbsStaleProbability(5, 2, 2, 1) - 3 / 10) < 1e-12);
  assert.equal(pbs.pbsStaleProbability(3, 2, 2, 1), 0);
  assert.throws(
    () => pbs.parsePbsParams({ trials: 10 }),
    (e: unknown) => e instanceof ConfigError && e.message.includes("trials"),
  );
});

Deno.test("WARS model: instant writes are always visible, slow ones less so right after commit", () => {
  assert.equal(pbs.warsProbability(3, 1, 1, 1e-6, 1, 0, 2_000, 1), 1);
  const slow = pbs.warsProbability(3, 1, 1, 10, 1, 0, 2_000, 1);
  assert.ok(slow > 0.3 && slow < 0.6, `${slow}`);
  assert.ok(pbs.warsProbability(3, 1, 1, 10, 1, 100, 2_000, 1) > 0.999);
});

Deno.test("k-staleness on the Dynamo store matches the closed form (k = 1) and stays under it (k > 1)", () => {
  for (const point of [{ trials: 400 }, { trials: 400, kWriteMeanMs: 50, maxK: 2, seed: 9 }]) {
    const p = pbs.parsePbsParams(point);
    const rows = pbs.kStaleness(p);
    assert.deepEqual(failed(pbs.checkKStaleness(rows)), [], JSON.stringify(point));
    // mutations: a closed form for the wrong W; staleness above the bound; a stale read with R + W > N
    const wrongW = rows.map((
      x,
    ) => (x.k === 1 && x.r + x.w <= x.n
      ? { ...x, predicted: pbs.pbsStaleProbability(x.n, x.r, x.w + 1, 1) }
      : x)
    );
    assert.ok(!holds(pbs.checkKStaleness(wrongW), 0));
    const above = rows.map((
      x,
    ) => (x.k > 1 && x.r + x.w <= x.n ? { ...x, measured: x.predicted + 0.2 } : x));
    assert.ok(!holds(pbs.checkKStaleness(above), 1));
    const strictStale = rows.map((x) => (x.r + x.w > x.n ? { ...x, stale: 1 } : x));
    assert.ok(!holds(pbs.checkKStaleness(strictStale), 2));
  }
});

Deno.test("t-visibility on the Dynamo store matches the WARS model", () => {
  for (
    const point of [{ trials: 300, tMs: [0, 5, 20] }, {
      trials: 300,
      writeMeansMs: [2, 30],
      otherMeanMs: 3,
      tMs: [0, 10],
    }]
  ) {
    const p = pbs.parsePbsParams(point);
    const rows = pbs.tVisibility(p);
    assert.deepEqual(failed(pbs.checkTVisibility(rows)), [], JSON.stringify(point));
    // mutations: predictions for other latencies; a curve that falls; slow writes fresher than fast
    const shifted = rows.map((x) => ({ ...x, wars: Math.max(0, x.wars - 0.3) }));
    assert.ok(!holds(pbs.checkTVisibility(shifted), 0));
    const falling = rows.map((x) => ({ ...x, measured: 1 - x.measured }));
    assert.ok(!holds(pbs.checkTVisibility(falling), 1));
    assert.ok(!holds(pbs.checkTVisibility(falling), 2));
  }
});
