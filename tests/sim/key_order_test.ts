// Stable JSON sorts each object's keys. The sorted order is remembered per key list (the table in
// trace.ts, looked up by the object's first key and checked key by key with for-in), so these
// tests compare stableStringify and digestOf with the definition in _stable_reference.ts,
// independent of that table: JSON.stringify of a copy whose keys were inserted in sorted order.
import assert from "node:assert/strict";
import fc from "fast-check";
import { digestOf, keyOrdersCached, RunningHash, stableStringify } from "@lab/sim/trace.ts";
import { referenceStable } from "./_stable_reference.ts";

function digestOfText(text: string): string {
  const h = new RunningHash();
  h.update(text);
  return h.digest();
}

/** stableStringify and digestOf of `v` both follow the definition. */
function assertStable(v: unknown): void {
  const want = referenceStable(v);
  assert.equal(stableStringify(v), want);
  assert.equal(digestOf(v), digestOfText(want));
}

Deno.test("objects with the same first key but other keys, or more keys, each get their own order", () => {
  assertStable({ b: 1, a: 2 });
  assertStable({ b: 1, c: 2 }); // same first key, same count, other keys
  assertStable({ b: 1, a: 2, c: 3 }); // same first key, one more key
  assertStable({ b: 1 });
  assertStable({ b: 1, a: 2 }); // seen before: from the table
  assertStable({ a: 2, b: 1 }); // same keys, other insertion order
  assertStable({});
});

Deno.test("a key list seen before is read from the table; a prefix or a superset of one is not", () => {
  // the count grows by one for a key list not seen before (or restarts at 1 when the table fills)
  const grew = (f: () => void) => {
    const c = keyOrdersCached();
    f();
    const d = keyOrdersCached();
    assert.ok(d === c || d === c + 1 || d === 1, `${c} → ${d}`);
    return d !== c;
  };
  grew(() => assertStable({ seenQ: 1, seenA: 2 }));
  assert.equal(grew(() => assertStable({ seenQ: 3, seenA: 4 })), false, "same keys: a hit");
  assert.equal(grew(() => assertStable({ seenQ: 3 })), true, "a prefix of the keys: a miss");
  assert.equal(grew(() => assertStable({ seenQ: 3, seenA: 4, seenB: 5 })), true, "a superset");
  assert.equal(grew(() => assertStable({ seenQ: 3, seenB: 4 })), true, "same count, other key");
  assert.equal(grew(() => assertStable({})), false, "no keys: never stored");
  // an object without a prototype uses the table too
  const bare = (a: number) => Object.assign(Object.create(null), { seenBare: a, seenA: 1 });
  assert.equal(grew(() => assertStable(bare(1))), true, "null prototype: stored");
  assert.equal(grew(() => assertStable(bare(2))), false, "null prototype: a hit");
});

Deno.test("an object whose keys change between digests is read with its new keys", () => {
  const o: Record<string, number> = { y: 1, x: 2 };
  assertStable(o);
  delete o.x;
  o.w = 3;
  assertStable(o);
  o.x = 4;
  assertStable(o);
  delete o.y;
  assertStable(o);
});

Deno.test("array-index keys come first in numeric order, from the table too", () => {
  for (let i = 0; i < 2; i++) {
    assertStable({ "10": "a", "2": "b", z: 1, "01": 2, "-1": 3 });
    assertStable({ "4294967294": 1, "4294967295": 2, "0": 3 });
  }
});

Deno.test("inherited, symbol and non-enumerable keys are left out, as JSON.stringify leaves them", () => {
  assertStable({ k: 1, j: 3 }); // a plain object with keys k, j is in the table now
  // for-in lists the own k, then the inherited j: the same list, so only the prototype check keeps
  // the table's order (which would read the inherited j) away from this object
  const child = Object.create({ j: 2 });
  child.k = 1;
  assert.equal(stableStringify(child), '{"k":1}');
  assert.equal(digestOf(child), digestOfText('{"k":1}'));
  class Point {
    constructor(readonly x: number, readonly y: number) {}
  }
  assert.equal(stableStringify(new Point(1, 2)), '{"x":1,"y":2}');
  const bare = Object.create(null);
  bare.b = 1;
  bare.a = 2;
  assert.equal(stableStringify(bare), '{"a":2,"b":1}');
  const withSymbol = { [Symbol("s")]: 1, a: 2 };
  assert.equal(stableStringify(withSymbol), '{"a":2}');
  const hidden = { a: 1 };
  Object.defineProperty(hidden, "h", { value: 2, enumerable: false });
  assert.equal(stableStringify(hidden), '{"a":1}');
});

Deno.test("keys that JSON escapes are escaped in the remembered text", () => {
  for (let i = 0; i < 2; i++) {
    assertStable({ 'q"': 1, "b\\": 2, "n\n": 3, "\u0001": 4, "é": 5 });
  }
  assert.equal(stableStringify({ '"': 1 }), '{"\\"":1}');
});

Deno.test("the table is bounded: it starts afresh when full, and large key lists never enter it", () => {
  // 64 keys are remembered, 65 are not
  const many = (n: number, tag: string) =>
    Object.fromEntries(Array.from({ length: n }, (_, i) => [`${tag}${i}`, i]));
  let before = keyOrdersCached();
  assertStable(many(64, "bounded-a"));
  const after64 = keyOrdersCached();
  assert.ok(after64 === before + 1 || after64 === 1, `64 keys: ${before} → ${after64}`);
  before = keyOrdersCached();
  assertStable(many(65, "bounded-b"));
  assert.equal(keyOrdersCached(), before, "65 keys are not remembered");
  // 5,000 key lists never seen before: the table fills (4,096), starts afresh, stays bounded
  let max = 0, dropped = false;
  for (let i = 0; i < 5000; i++) {
    const c = keyOrdersCached();
    assertStable({ [`fill${i}`]: i, z: i });
    const d = keyOrdersCached();
    max = Math.max(max, d);
    if (d >= c) continue;
    dropped = true;
    // right after starting afresh the table holds exactly the key list that filled it
    assert.equal(d, 1);
    assertStable({ [`fill${i}`]: -i, z: 0 });
    assert.equal(keyOrdersCached(), 1, "the key list stored after the reset is found again");
    assertStable({});
    assert.equal(keyOrdersCached(), 1, "an object without keys is never stored");
  }
  assert.ok(dropped, "the table started afresh at least once");
  assert.ok(max <= 4096, `the table held ${max} key orders`);
  // objects seen before the table started afresh still read right
  assertStable({ fill0: 1, z: 2 });
  assertStable(many(64, "bounded-a"));
});

Deno.test("when the table fills on a first key it already holds, it starts afresh with that key list only", () => {
  let j = 0;
  const pad = () => {
    assert.ok(j < 20_000, "the table never started afresh");
    assertStable({ [`refill${j++}`]: 1 });
  };
  // fill until the table starts afresh, then hold a list for the first key "shared"
  for (let c = keyOrdersCached(); keyOrdersCached() >= c; pad()) c = keyOrdersCached();
  assertStable({ shared: 1, a: 1 });
  const padded = j;
  while (keyOrdersCached() < 4096) pad();
  // a new key list under "shared" fills the table: it restarts holding just this list
  assertStable({ shared: 1, b: 1 });
  assert.equal(keyOrdersCached(), 1);
  assertStable({ shared: 2, b: 2 });
  assert.equal(keyOrdersCached(), 1, "the new list is found under its first key");
  assertStable({ [`refill${padded}`]: 2 });
  assert.equal(keyOrdersCached(), 2, "a list from before the restart is not held");
});

const key = fc.constantFrom("a", "b", "c", "d", "0", "1", "10", "type", "v", "n", 'x"', "é");
const json = fc.letrec((tie) => ({
  v: fc.oneof(
    { depthSize: "small" },
    fc.string({ maxLength: 4 }),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie("v"), { maxLength: 3 }),
    fc.dictionary(key, tie("v"), { maxKeys: 5 }),
  ),
})).v;

Deno.test("generated objects over a small key alphabet (many share a first key) follow the definition", () => {
  // two passes over the same values: the first fills the table, the second reads from it
  fc.assert(
    fc.property(fc.array(json, { minLength: 1, maxLength: 8 }), (vs) => {
      for (let pass = 0; pass < 2; pass++) for (const v of vs) assertStable(v);
    }),
    { numRuns: 400, seed: 7 },
  );
});
