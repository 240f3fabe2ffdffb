import assert from "node:assert/strict";
import fc from "fast-check";
import {
  compareHlc,
  compareLamport,
  hlcReceive,
  hlcSendOrLocal,
  HybridLogicalClock,
  LamportClock,
  VectorClock,
  vectorCompare,
  vectorIncrement,
  vectorLeq,
  vectorMerge,
  type VectorTimestamp,
} from "@lab/clocks/mod.ts";

Deno.test("lamport: IR1 ticks, IR2 stamps sends and receipts go past the stamp", () => {
  const a = new LamportClock(), b = new LamportClock();
  assert.equal(a.tick(), 1);
  const m = a.send();
  assert.equal(m, 2);
  assert.equal(b.tick(), 1);
  assert.equal(b.receive(m), 3); // max(1, 2) + 1
  assert.equal(b.receive(0), 4); // an old stamp still counts as an event
  assert.deepEqual(b.inspect(), { time: 4 });
  assert.throws(() => new LamportClock(-1), RangeError);
});

Deno.test("lamport: the total order ⇒ breaks ties by node id", () => {
  assert.ok(compareLamport({ time: 1, node: "n9" }, { time: 2, node: "n0" }) < 0);
  assert.ok(compareLamport({ time: 2, node: "n0" }, { time: 2, node: "n1" }) < 0);
  assert.equal(compareLamport({ time: 2, node: "n1" }, { time: 2, node: "n1" }), 0);
});

Deno.test("vector: increment, merge, compare", () => {
  assert.deepEqual(vectorIncrement({}, "a"), { a: 1 });
  assert.deepEqual(vectorIncrement({ a: 1, b: 2 }, "b"), { a: 1, b: 3 });
  assert.deepEqual(vectorMerge({ a: 2, b: 0 }, { b: 3, c: 1 }), { a: 2, b: 3, c: 1 });
  assert.equal(vectorCompare({ a: 1 }, { a: 1, b: 1 }), "before");
  assert.equal(vectorCompare({ a: 1, b: 1 }, { a: 1 }), "after");
  assert.equal(vectorCompare({ a: 1, b: 0 }, { a: 1 }), "equal");
  assert.equal(vectorCompare({ a: 1 }, { b: 1 }), "concurrent");
  const a = new VectorClock("a"), b = new VectorClock("b");
  const m = a.send();
  b.tick();
  assert.deepEqual(b.receive(m), { a: 1, b: 2 });
  assert.equal(vectorCompare(m, b.value), "before");
  assert.equal(vectorCompare(a.tick(), b.value), "concurrent");
});

const vec = fc.dictionary(fc.constantFrom("a", "b", "c", "d"), fc.nat({ max: 5 }));

Deno.test("vector: merge is the least upper bound and compare is a partial order", () => {
  fc.assert(fc.property(vec, vec, vec, (x: VectorTimestamp, y: VectorTimestamp, z) => {
    const m = vectorMerge(x, y);
    assert.ok(vectorLeq(x, m) && vectorLeq(y, m));
    if (vectorLeq(x, z) && vectorLeq(y, z)) assert.ok(vectorLeq(m, z));
    const o = vectorCompare(x, y);
    const back = vectorCompare(y, x);
    const flip = { before: "after", after: "before", equal: "equal", concurrent: "concurrent" };
    assert.equal(back, flip[o]);
    if (vectorLeq(x, y) && vectorLeq(y, z)) assert.ok(vectorLeq(x, z));
    assert.equal(vectorCompare(x, vectorIncrement(x, "a")), "before");
  }));
});

Deno.test("hlc: Figure 5 send/local rule", () => {
  assert.deepEqual(hlcSendOrLocal({ l: 0, c: 0 }, 5), { l: 5, c: 0 });
  assert.deepEqual(hlcSendOrLocal({ l: 10, c: 0 }, 7), { l: 10, c: 1 });
  assert.deepEqual(hlcSendOrLocal({ l: 10, c: 3 }, 10), { l: 10, c: 4 });
  assert.deepEqual(hlcSendOrLocal({ l: 10, c: 4 }, 12), { l: 12, c: 0 });
});

Deno.test("hlc: Figure 5 receive rule, each branch", () => {
  // l = l' = l.m: max of both counters + 1
  assert.deepEqual(hlcReceive({ l: 10, c: 2 }, { l: 10, c: 5 }, 8), { l: 10, c: 6 });
  // l = l' only
  assert.deepEqual(hlcReceive({ l: 10, c: 2 }, { l: 9, c: 7 }, 8), { l: 10, c: 3 });
  // l = l.m only
  assert.deepEqual(hlcReceive({ l: 10, c: 2 }, { l: 15, c: 3 }, 8), { l: 15, c: 4 });
  // physical time dominates
  assert.deepEqual(hlcReceive({ l: 10, c: 2 }, { l: 15, c: 3 }, 20), { l: 20, c: 0 });
});

Deno.test("hlc: a clock reads physical time through the function it is given", () => {
  let pt = 100;
  const a = new HybridLogicalClock(() => pt);
  assert.deepEqual(a.tick(), { l: 100, c: 0 });
  assert.deepEqual(a.send(), { l: 100, c: 1 });
  pt = 90; // physical clock behind the logical one: l holds, c counts
  assert.deepEqual(a.tick(), { l: 100, c: 2 });
  assert.deepEqual(a.receive({ l: 150, c: 4 }), { l: 150, c: 5 });
  pt = 200;
  assert.deepEqual(a.receive({ l: 150, c: 9 }), { l: 200, c: 0 });
  assert.ok(compareHlc({ l: 1, c: 9 }, { l: 2, c: 0 }) < 0);
  assert.ok(compareHlc({ l: 2, c: 1 }, { l: 2, c: 0 }) > 0);
  assert.equal(compareHlc(a.timestamp, { ...a.timestamp }), 0);
});

Deno.test("hlc: rules are monotone and never fall below physical time", () => {
  const ts = fc.record({ l: fc.integer({ min: 0, max: 50 }), c: fc.nat({ max: 5 }) });
  fc.assert(fc.property(ts, ts, fc.integer({ min: 0, max: 60 }), (s, m, pt) => {
    const a = hlcSendOrLocal(s, pt);
    assert.ok(compareHlc(s, a) < 0 && a.l >= pt);
    const b = hlcReceive(s, m, pt);
    assert.ok(compareHlc(s, b) < 0 && compareHlc(m, b) < 0 && b.l >= pt);
  }));
});
