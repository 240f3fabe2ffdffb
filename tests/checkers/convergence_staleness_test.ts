/** Convergence after quiescence, and k-staleness / t-visibility. */
import assert from "node:assert/strict";
import { checkConvergence, checkQuiescentReads, checkStaleness } from "@lab/checkers/mod.ts";
import { history, r, w } from "./_helpers.ts";
import { get } from "./_weak_helpers.ts";

Deno.test("convergence: replicas that differ on one key are named with their values", () => {
  const res = checkConvergence([
    { replica: "n1", state: { x: 1, y: [1, 2] } },
    { replica: "n2", state: new Map<string, unknown>([["x", 1], ["y", [1, 2]]]) },
    { replica: "n3", state: { x: 1 } },
  ]);
  assert.equal(res.verdict, "illegal");
  assert.deepEqual(res.divergentKeys, ["y"]);
  assert.deepEqual(res.witness!.groups.map((g) => g.replicas), [["n1", "n2"], ["n3"]]);
  assert.equal(
    checkConvergence([{ replica: "a", state: { s: new Set([1, 2]) } }, {
      replica: "b",
      state: { s: new Set([2, 1]) },
    }]).verdict,
    "ok",
  );
});

Deno.test("convergence: reads after quiescence must agree, whichever replica serves them", () => {
  const h = history(get(0, "x", 1, [100, 101]), get(1, "x", 2, [102, 103]), get(2, "x", 0, [5, 6]));
  const res = checkQuiescentReads(h, { quiescentAtMs: 100 });
  assert.equal(res.verdict, "illegal");
  assert.equal(res.reads, 2);
  assert.equal(res.witness!.operations.length, 2);
});

Deno.test("staleness: versions behind and lag of each read, judged against k and t", () => {
  const h = history(
    w(0, 1, [0, 10]),
    w(0, 2, [20, 30]),
    w(0, 3, [40, 50]),
    r(1, 1, [60, 61]), // 2 versions behind; missed write 2, completed at 30 → lag 30
    r(1, 3, [62, 63]),
    r(2, null, [5, 6]), // the first write had not completed: fresh
  );
  const res = checkStaleness(h);
  assert.equal(res.verdict, "ok");
  assert.equal(res.maxVersionsBehind, 2);
  assert.equal(res.maxLagMs, 30);
  assert.deepEqual(res.histogram, [2, 0, 1]);
  const k2 = checkStaleness(h, { k: 2 });
  assert.equal(k2.verdict, "illegal");
  assert.deepEqual(k2.witness!.breaks, ["k"]);
  assert.equal(k2.witness!.operations.length, 4); // returned write, two missed writes, the read
  assert.equal(checkStaleness(h, { k: 3 }).verdict, "ok");
  assert.equal(checkStaleness(h, { tMs: 31 }).verdict, "ok");
  assert.deepEqual(checkStaleness(h, { tMs: 30 }).witness!.breaks, ["t"]);
});
