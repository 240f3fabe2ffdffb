import assert from "node:assert/strict";
import fc from "fast-check";
import { decimate, evenRanks, strideSample } from "@lab/viz/mod.ts";

Deno.test("viz: strideSample picks evenly spaced items in order", () => {
  assert.deepEqual(strideSample([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 5), [0, 2, 4, 6, 8]);
  assert.deepEqual(strideSample([1, 2, 3], 10), [1, 2, 3]);
  assert.deepEqual(strideSample([1, 2, 3], 0), []);
});

Deno.test("viz: decimate favours preferred items and stays deterministic", () => {
  const xs = Array.from({ length: 1000 }, (_, i) => i);
  const d = decimate(xs, 10, { keep: (x) => x === 997 || x === 3 });
  assert.equal(d.items.length, 10);
  assert.ok(d.items.includes(997) && d.items.includes(3));
  assert.equal(d.preferredTotal, 2);
  assert.equal(d.preferredShown, 2);
  assert.deepEqual(
    decimate(xs, 10, { keep: (x) => x % 2 === 0 }).items,
    decimate(xs, 10, { keep: (x) => x % 2 === 0 }).items,
  );
});

Deno.test("viz: decimate never exceeds the cap, keeps order, and keeps all preferred items that fit (property)", () => {
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: 0, max: 20 }), { maxLength: 400 }),
      fc.integer({ min: 1, max: 100 }),
      (xs, max) => {
        const tagged = xs.map((v, i) => ({ v, i }));
        const keep = (x: { v: number }) => x.v === 0;
        const d = decimate(tagged, max, { keep });
        assert.ok(d.items.length <= max);
        assert.equal(d.items.length, Math.min(max, xs.length));
        for (let k = 1; k < d.items.length; k++) assert.ok(d.items[k - 1].i < d.items[k].i);
        const preferred = tagged.filter(keep).length;
        if (preferred <= max / 2) assert.equal(d.items.filter(keep).length, preferred);
        assert.equal(d.total, xs.length);
      },
    ),
  );
});

Deno.test("viz: evenRanks keeps the first and last rank", () => {
  assert.deepEqual(evenRanks(10, 3), [0, 5, 9]);
  assert.deepEqual(evenRanks(3, 10), [0, 1, 2]);
  assert.deepEqual(evenRanks(0, 10), []);
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 5000 }), fc.integer({ min: 2, max: 600 }), (n, m) => {
      const r = evenRanks(n, m);
      assert.equal(r[0], 0);
      assert.equal(r[r.length - 1], n - 1);
      assert.ok(r.length <= m);
    }),
  );
});
