/**
 * Histories that sit exactly between two consistency models: each is accepted by the weaker
 * model's checker and rejected, with a witness, by the stronger one's.
 */
import assert from "node:assert/strict";
import {
  casRegisterModel,
  checkCausal,
  checkLinearizability,
  checkQuiescentReads,
  checkSequential,
  checkSessionGuarantees,
  kvModel,
} from "@lab/checkers/mod.ts";
import { history, r, w } from "./_helpers.ts";
import { get, put } from "./_weak_helpers.ts";

Deno.test("ladder: a read that misses a completed write is sequential but not linearizable", () => {
  const h = history(w(0, 1, [0, 1]), r(1, null, [2, 3]));
  const lin = checkLinearizability(h, casRegisterModel());
  assert.equal(lin.verdict, "illegal");
  const sc = checkSequential(h);
  assert.equal(sc.verdict, "ok");
  assert.deepEqual(sc.order, [1, 0]); // the read goes first: real time is ignored
});

Deno.test("ladder: store buffering is causal (CC, CCv, CM) but not sequential", () => {
  // p0: x := 1; read y → nil.  p1: y := 1; read x → nil.  Some write must come first.
  const h = history(
    put(0, "x", 1, [0, 1]),
    put(1, "y", 1, [0, 1]),
    get(0, "y", null, [2, 3]),
    get(1, "x", null, [2, 3]),
  );
  const sc = checkSequential(h);
  assert.equal(sc.verdict, "illegal");
  assert.equal(sc.witness!.operations.length, 4);
  assert.equal(sc.witness!.minimal, true);
  for (const model of ["CC", "CCv", "CM"] as const) {
    assert.equal(checkCausal(h, { model }).verdict, "ok", model);
  }
  assert.equal(checkLinearizability(h, kvModel()).verdict, "illegal");
});

Deno.test("ladder: a causality violation that still converges is eventual but not causal", () => {
  // p0: x := 1; y := 1.  p1 sees y = 1 and then the old x. After quiescence all agree.
  const h = history(
    put(0, "x", 1, [0, 1]),
    put(0, "y", 1, [2, 3]),
    get(1, "y", 1, [4, 5]),
    get(1, "x", null, [6, 7]),
    get(1, "x", 1, [100, 101]),
    get(0, "x", 1, [100, 101]),
    get(1, "y", 1, [102, 103]),
    get(0, "y", 1, [102, 103]),
  );
  const cc = checkCausal(h);
  assert.equal(cc.verdict, "illegal");
  assert.equal(cc.witness!.pattern, "WriteCOInitRead");
  // The witness: x := 1 →PO y := 1 →WR read y → 1 →PO read x → nil.
  assert.deepEqual(cc.witness!.operations.map((o) => o.description), [
    'p0 write("x", 1)',
    'p0 write("y", 1)',
    'p1 read("y") → 1',
    'p1 read("x") → nil',
  ]);
  assert.equal(checkQuiescentReads(h, { quiescentAtMs: 100 }).verdict, "ok");
  // Of the session guarantees it breaks monotonic writes only (p1 saw y := 1 but not the earlier
  // x := 1 of the same session).
  const s = checkSessionGuarantees(h);
  assert.deepEqual(
    Object.entries(s.guarantees).filter(([, g]) => g.verdict === "illegal").map(([k]) => k),
    ["monotonic-writes"],
  );
});

Deno.test("ladder: a stale read of one's own write breaks read-your-writes only", () => {
  const h = history(put(0, "x", 1, [0, 1]), get(0, "x", null, [2, 3]), get(1, "x", 1, [4, 5]));
  const s = checkSessionGuarantees(h);
  assert.equal(s.verdict, "illegal");
  assert.equal(s.guarantees["read-your-writes"].verdict, "illegal");
  assert.equal(s.guarantees["monotonic-reads"].verdict, "ok");
  assert.equal(s.guarantees["monotonic-writes"].verdict, "ok");
  assert.equal(s.guarantees["writes-follow-reads"].verdict, "ok");
  const wit = s.guarantees["read-your-writes"].witness!;
  assert.equal(wit.read, 1);
  assert.equal(wit.required, 0);
  assert.equal(wit.returned, -1);
  assert.equal(wit.operations.length, 2);
});

Deno.test("ladder: CC and CM but not CCv: two sessions order concurrent writes differently", () => {
  // p0: x := 1; read x → 2.   p1: x := 2; read x → 1.
  const h = history(
    put(0, "x", 1, [0, 1]),
    put(1, "x", 2, [0, 1]),
    get(0, "x", 2, [2, 3]),
    get(1, "x", 1, [2, 3]),
  );
  assert.equal(checkCausal(h, { model: "CC" }).verdict, "ok");
  assert.equal(checkCausal(h, { model: "CM" }).verdict, "ok");
  const ccv = checkCausal(h, { model: "CCv" });
  assert.equal(ccv.verdict, "illegal");
  assert.equal(ccv.witness!.pattern, "CyclicCF");
  assert.equal(ccv.witness!.operations.length, 4);
});

Deno.test("ladder: CC but neither CM nor CCv: one session flips between two writes", () => {
  // p2 reads x = 1, then 2, then 1 again; the writes are concurrent.
  const h = history(
    put(0, "x", 1, [0, 1]),
    put(1, "x", 2, [0, 1]),
    get(2, "x", 1, [2, 3]),
    get(2, "x", 2, [4, 5]),
    get(2, "x", 1, [6, 7]),
  );
  assert.equal(checkCausal(h, { model: "CC" }).verdict, "ok");
  const cm = checkCausal(h, { model: "CM" });
  assert.equal(cm.verdict, "illegal");
  assert.equal(cm.witness!.pattern, "CyclicHB");
  assert.equal(checkCausal(h, { model: "CCv" }).witness?.pattern, "CyclicCF");
});
