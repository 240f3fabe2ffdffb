// digestOf mixes a value's stable JSON into the hash without building the text. Its definition is
// the running hash of stableStringify's text; these tests compare the two on generated values
// (every JSON-like shape, plus Maps, Sets, typed arrays, bigints, non-finite numbers, undefined,
// functions and symbols where stable JSON drops or nulls them) and on the cases where stable
// JSON bails out to its reference path.
import assert from "node:assert/strict";
import fc from "fast-check";
import { digestFallbacks, digestOf, RunningHash, stableStringify } from "@lab/sim/trace.ts";

/** The definition: a fresh running hash after update(stableStringify(v)). */
function reference(v: unknown): string {
  const h = new RunningHash();
  h.update(stableStringify(v));
  return h.digest();
}

/** digestOf(v) gives the definition's digest, or throws the same kind of error it throws. */
function assertSame(v: unknown): void {
  let want: string | Error;
  try {
    want = reference(v);
  } catch (e) {
    want = e as Error;
  }
  if (typeof want === "string") assert.equal(digestOf(v), want);
  else assert.throws(() => digestOf(v), { name: want.name, message: want.message });
}

const leaf = fc.oneof(
  fc.string({ unit: "binary", maxLength: 6 }),
  fc.constantFrom("", '"', "\\", "\n", "\ud800", "a\u0001b", "é", "__proto__", "toJSON"),
  fc.double(),
  fc.constantFrom(0, -0, NaN, Infinity, -Infinity, 1e21, 123456789, 1e9, 0.1),
  fc.integer(),
  fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  fc.constant(() => 1),
  fc.constant(Symbol("s")),
);

const key = fc.oneof(
  fc.string({ maxLength: 4 }),
  fc.constantFrom(
    "0",
    "1",
    "10",
    "2",
    "01",
    "4294967294",
    "4294967295",
    "-1",
    "a",
    "b",
    "undefined",
    "toJSON",
    "__proto__",
  ),
);

const value = fc.letrec((tie) => ({
  v: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    leaf,
    fc.array(tie("v"), { maxLength: 4 }),
    fc.dictionary(key, tie("v"), { maxKeys: 4 }),
    fc.array(fc.tuple(tie("v"), tie("v")), { maxLength: 3 }).map((es) => new Map(es)),
    fc.array(tie("v"), { maxLength: 3 }).map((xs) => new Set(xs)),
    fc.array(fc.double(), { maxLength: 3 }).map((xs) => new Float64Array(xs)),
    fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 3 }).map((xs) => new Uint8Array(xs)),
  ),
})).v;

/**
 * Whether stable JSON takes its reference path for `v` (written from stableStringify's rules, not
 * from the code): a top-level function or symbol; anywhere inside, a bigint typed array, or a
 * plain object with an own "__proto__" key whose value is defined, or a "toJSON" key whose value
 * is a function or a symbol.
 */
function needsReference(v: unknown, top = true): boolean {
  const t = typeof v;
  if (t === "function" || t === "symbol") return top;
  if (v === null || t !== "object") return false;
  if (v instanceof BigInt64Array || v instanceof BigUint64Array) return true;
  if (ArrayBuffer.isView(v)) return false;
  if (Array.isArray(v) || v instanceof Set) return [...v].some((x) => needsReference(x, false));
  if (v instanceof Map) {
    return [...v].some(([k, x]) => needsReference(k, false) || needsReference(x, false));
  }
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    if (k === "__proto__" && x !== undefined) return true;
    const tx = typeof x;
    if (k === "toJSON" && (tx === "function" || tx === "symbol")) return true;
    if (needsReference(x, false)) return true;
  }
  return false;
}

Deno.test("digestOf equals the running hash of the stable JSON on generated values", () => {
  fc.assert(
    fc.property(value, (v) => {
      const before = digestFallbacks();
      assertSame(v);
      // the text is mixed as it is written, except where the reference path is needed
      assert.equal(digestFallbacks() - before, needsReference(v) ? 1 : 0);
    }),
    { numRuns: 2000, seed: 15 },
  );
});

Deno.test("digestOf of values where stable JSON takes its reference path", () => {
  const proto = JSON.parse('{"__proto__": {"x": 1}, "a": 2}');
  const cases: unknown[] = [
    proto,
    { b: 1, toJSON: () => "replaced" },
    { toJSON: () => ({ z: [1, 2] }) },
    new DataView(new ArrayBuffer(2)),
    new BigInt64Array([1n, -2n]),
    [1, { n: new BigUint64Array([3n]) }],
    { deep: [{ t: new DataView(new ArrayBuffer(1)) }] },
  ];
  // by hand: the two DataView cases need no reference path, the other five do
  assert.deepEqual(cases.map((v) => needsReference(v)), [
    true,
    true,
    true,
    false,
    true,
    true,
    false,
  ]);
  for (const v of cases) {
    const before = digestFallbacks();
    assertSame(v);
    // a DataView needs no reference path (it has no length: "[]", as that path writes)
    assert.equal(digestFallbacks() - before, needsReference(v) ? 1 : 0);
  }
  // a bigint typed array has no stable JSON: JSON.stringify of its numbers' copy throws
  assert.throws(() => digestOf(new BigInt64Array([1n])), TypeError);
  assert.equal(stableStringify(proto), '{"__proto__":{"x":1},"a":2}');
  assert.equal(stableStringify({ b: 1, toJSON: () => "replaced" }), '"replaced"');
  // and each differs from the digest of the text stable JSON would have written without bailing
  const plain = new RunningHash();
  plain.update('{"a":2}');
  assert.notEqual(digestOf(proto), plain.digest());
});

Deno.test("digestOf of a top-level function or symbol throws, as the definition does", () => {
  assert.throws(() => reference(() => 1), TypeError);
  assert.throws(() => digestOf(() => 1), TypeError);
  assert.throws(() => digestOf(Symbol("x")), TypeError);
});

Deno.test("a getter that computes a digest does not disturb the digest being computed", () => {
  const inner = { k: [1, "two"] };
  const v = {
    a: 1,
    get b() {
      return digestOf(inner);
    },
    c: [3],
  };
  // by hand: the getter's value is the digest text of inner, a plain string
  const expected = reference({ a: 1, b: reference(inner), c: [3] });
  assert.equal(digestOf(v), expected);
});

Deno.test("an error thrown while reading the value propagates, and the value is read once", () => {
  let reads = 0;
  const v = {
    get x() {
      reads++;
      if (reads === 1) throw new RangeError("first read fails");
      return 1;
    },
  };
  assert.throws(() => digestOf(v), { name: "RangeError", message: "first read fails" });
  assert.equal(reads, 1);
  // a cycle overflows the stack, as the definition does
  const cyc: unknown[] = [];
  cyc.push(cyc);
  assert.throws(() => digestOf(cyc), RangeError);
  // and the digest of a DataView is the reference path's "[]"
  const empty = new RunningHash();
  empty.update("[]");
  assert.equal(digestOf(new DataView(new ArrayBuffer(4))), empty.digest());
});

Deno.test("strings are quoted and escaped as JSON writes them (texts written by hand)", () => {
  const text = (t: string) => {
    const h = new RunningHash();
    h.update(t);
    return h.digest();
  };
  assert.equal(digestOf('a"b'), text('"a\\"b"'));
  assert.equal(digestOf("a\\b"), text('"a\\\\b"'));
  assert.equal(digestOf("x\ny"), text('"x\\ny"'));
  assert.equal(digestOf("\u0001"), text('"\\u0001"'));
  assert.equal(digestOf("\ud800"), text('"\\ud800"'));
  assert.equal(digestOf("\udfff"), text('"\\udfff"'));
  assert.equal(digestOf({ 'k"': "é " }), text('{"k\\"":"é "}'));
  assert.equal(digestOf(["\u001f", "~"]), text('["\\u001f","~"]'));
  // a key named "undefined" is a key like any other
  assert.equal(
    digestOf({ undefined: 1, a: [true, null] }),
    text('{"a":[true,null],"undefined":1}'),
  );
  assert.equal(
    digestOf({ 2: "x", 10: "y", b: 1n, a: -0 }),
    text('{"2":"x","10":"y","a":0,"b":"1n"}'),
  );
  assert.equal(digestOf(new Map([[1, new Set(["s"])]])), text('[[1,["s"]]]'));
  assert.equal(digestOf([NaN, -Infinity, undefined]), text('["NaN","-Infinity",null]'));
  assert.equal(digestOf(new Float64Array([1.5, NaN])), text("[1.5,null]"));
});

Deno.test("digestOf is the same however often it runs, and differs where the texts differ", () => {
  const a = { type: "Prepare", view: 1, seq: 2, digest: "ab" };
  const b = { seq: 2, digest: "ab", view: 1, type: "Prepare" };
  assert.equal(digestOf(a), digestOf(b));
  assert.notEqual(digestOf(a), digestOf({ ...a, seq: 3 }));
  assert.notEqual(digestOf(["a", "b"]), digestOf(["a,b"]));
  assert.notEqual(digestOf("1"), digestOf(1));
  // stable JSON writes a bigint as the string of its digits and "n" (normalize's rule)
  assert.equal(digestOf(1n), digestOf("1n"));
  assert.equal(digestOf(NaN), digestOf("NaN"));
});
