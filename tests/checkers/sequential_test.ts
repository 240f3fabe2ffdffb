/** Sequential consistency: search, step budget, witness shrinking. */
import assert from "node:assert/strict";
import { checkSequential } from "@lab/checkers/mod.ts";
import { history, r, w } from "./_helpers.ts";
import { get, put } from "./_weak_helpers.ts";

Deno.test("sequential: a session reading 2 then 1 after another wrote 1 then 2 is illegal", () => {
  const res = checkSequential(history(
    w(0, 1, [0, 1]),
    w(0, 2, [2, 3]),
    r(1, 2, [4, 5]),
    r(1, 1, [6, 7]),
    r(2, 2, [8, 9]), // irrelevant: shrinking removes it
  ));
  assert.equal(res.verdict, "illegal");
  assert.equal(res.witness!.minimal, true);
  assert.deepEqual(res.witness!.operations.map((o) => o.description), [
    "p0 write(1)",
    "p0 write(2)",
    "p1 read() → 2",
    "p1 read() → 1",
  ]);
});

Deno.test("sequential: key-value histories are searched as a whole (SC is not local)", () => {
  // Per key each session's view is fine; together no single order exists.
  const res = checkSequential(history(
    put(0, "x", 1, [0, 1]),
    get(0, "y", null, [2, 3]),
    put(1, "y", 1, [0, 1]),
    get(1, "x", null, [2, 3]),
  ));
  assert.equal(res.verdict, "illegal");
});

Deno.test("sequential: a write with unknown outcome may have happened or not", () => {
  const h = history({ p: 0, f: "write", in: 1, at: [0, 1], status: "info" }, r(1, null, [2, 3]));
  const res = checkSequential(h);
  assert.equal(res.verdict, "ok");
  const h2 = history({ p: 0, f: "write", in: 1, at: [0, 1], status: "info" }, r(1, 1, [2, 3]));
  assert.equal(checkSequential(h2).verdict, "ok");
});

Deno.test("sequential: the step budget gives unknown, never a wrong verdict", () => {
  // 8 sessions each write a distinct value then read a value nobody can see last: a large
  // search space with no solution.
  const ops = [];
  for (let p = 0; p < 8; p++) ops.push(w(p, p + 1, [0, 1]));
  for (let p = 0; p < 8; p++) ops.push(r(p, 99, [2, 3]));
  const res = checkSequential(history(...ops), { stepBudget: 50 });
  assert.equal(res.verdict, "unknown");
  assert.match(res.explanation, /step budget \(50\) ran out/);
  assert.equal(checkSequential(history(...ops)).verdict, "illegal");
});
