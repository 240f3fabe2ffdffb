import assert from "node:assert/strict";
import { join } from "node:path";
import {
  cached,
  cacheFile,
  clearCache,
  decodeValue,
  encodeValue,
  lastCacheOutcome,
  libraryVersion,
} from "@lab/experiments/cache.ts";
import { asymmetrySweep, parseClocksParams } from "@lab/experiments/clocks.ts";

async function tempCache(): Promise<string> {
  return await Deno.makeTempDir({ prefix: "distlab-cache-" });
}

Deno.test("cache: a hit returns rows equal to a fresh run without recomputing; a parameter change misses", async () => {
  const dir = await tempCache();
  try {
    const p = parseClocksParams({});
    let calls = 0;
    const run = (params: typeof p) => () => {
      calls++;
      return asymmetrySweep(params);
    };
    const fresh = asymmetrySweep(p);
    const first = await cached("07-asymmetry", { p }, run(p), { dir, disabled: false });
    assert.equal(lastCacheOutcome().status, "miss");
    const second = await cached("07-asymmetry", { p }, run(p), { dir, disabled: false });
    assert.equal(lastCacheOutcome().status, "hit");
    assert.equal(calls, 1, "the hit did not recompute");
    assert.deepStrictEqual(first, fresh);
    assert.deepStrictEqual(second, fresh);

    const p2 = parseClocksParams({ seed: p.seed + 1 });
    const third = await cached("07-asymmetry", { p: p2 }, run(p2), { dir, disabled: false });
    assert.equal(lastCacheOutcome().status, "miss", "another seed is another entry");
    assert.equal(calls, 2);
    assert.deepStrictEqual(third, asymmetrySweep(p2));
    assert.notDeepStrictEqual(third, fresh, "the seed changes the rows, so a stale hit would show");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cache: the key covers inputs (in any key order), name, library version and the compute source", async () => {
  const dir = await tempCache();
  try {
    const f = () => 1;
    const g = () => 2;
    const a = await cacheFile("x", { a: 1, b: [1, 2] }, f, { dir, disabled: false, version: "v1" });
    assert.equal(
      await cacheFile("x", { b: [1, 2], a: 1 }, f, { dir, disabled: false, version: "v1" }),
      a,
    );
    const others = [
      await cacheFile("x", { a: 2, b: [1, 2] }, f, { dir, disabled: false, version: "v1" }),
      await cacheFile("x", { a: 1, b: [2, 1] }, f, { dir, disabled: false, version: "v1" }),
      await cacheFile("y", { a: 1, b: [1, 2] }, f, { dir, disabled: false, version: "v1" }),
      await cacheFile("x", { a: 1, b: [1, 2] }, f, { dir, disabled: false, version: "v2" }),
      await cacheFile("x", { a: 1, b: [1, 2] }, g, { dir, disabled: false, version: "v1" }),
      await cacheFile("x", { a: 1, b: [1, 2], c: undefined }, f, {
        dir,
        disabled: false,
        version: "v1",
      }),
    ];
    for (const o of others) assert.notEqual(o, a);
    assert.equal(new Set(others).size, others.length);

    // A library edit misses: the stored value for version v1 is not served for v2.
    // (`compute` reads `answer` from its closure, which the key cannot see: that is why inputs
    // must hold everything a computation depends on besides the library.)
    let answer = "old lib";
    const h = () => answer;
    assert.equal(await cached("x", {}, h, { dir, disabled: false, version: "v1" }), "old lib");
    answer = "new lib";
    assert.equal(await cached("x", {}, h, { dir, disabled: false, version: "v2" }), "new lib");
    answer = "ignored";
    assert.equal(await cached("x", {}, h, { dir, disabled: false, version: "v1" }), "old lib");

    const v = await libraryVersion();
    assert.match(v, /^[0-9a-f]{16}$/);
    assert.equal(await libraryVersion(), v);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cache: special numbers and undefined round-trip exactly; non-plain data is refused by path", async () => {
  const dir = await tempCache();
  try {
    const value = {
      rows: [{ x: NaN, y: -0, z: Infinity, w: -Infinity, u: undefined, s: "s", b: false, n: null }],
      empty: [],
      nested: { deep: [[1.5e-300, -2]] },
    };
    assert.deepStrictEqual(decodeValue(JSON.parse(JSON.stringify(encodeValue(value)))), value);
    let calls = 0;
    const make = () => (calls++, value);
    await cached("special", {}, make, { dir, disabled: false });
    const hit = await cached("special", {}, make, { dir, disabled: false });
    assert.equal(calls, 1);
    assert.equal(lastCacheOutcome().status, "hit");
    assert.deepStrictEqual(hit, value);
    assert.ok(Object.is((hit as typeof value).rows[0].y, -0));

    assert.throws(() => encodeValue({ rows: [{ m: new Map() }] }), /value\.rows\[0\]\.m is a Map/);
    assert.throws(() => encodeValue([1, , 3]), /value\[1\] is a hole/);
    assert.throws(() => encodeValue({ f: () => 1 }), /value\.f is a function/);
    class Row {
      x = 1;
    }
    await assert.rejects(
      cached("bad", {}, () => [new Row()], { dir, disabled: false }),
      /value\[0\] is a Row/,
    );
    await assert.rejects(Deno.stat(join(dir, "bad")), Deno.errors.NotFound, "nothing stored");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cache: DISTLAB_CACHE=off computes every time and writes nothing; a torn file is recomputed", async () => {
  const dir = await tempCache();
  const saved = Deno.env.get("DISTLAB_CACHE");
  try {
    Deno.env.set("DISTLAB_CACHE", "off");
    let calls = 0;
    const f = () => ++calls;
    assert.equal(await cached("off", {}, f, { dir }), 1);
    assert.equal(await cached("off", {}, f, { dir }), 2);
    assert.equal(lastCacheOutcome().status, "off");
    assert.deepEqual([...Deno.readDirSync(dir)], []);
    Deno.env.delete("DISTLAB_CACHE");

    let next = "a";
    const g = () => next;
    assert.equal(await cached("torn", {}, g, { dir, disabled: false }), "a");
    const file = lastCacheOutcome().file!;
    await Deno.writeTextFile(file, '{"name": "torn", "val');
    next = "b";
    assert.equal(await cached("torn", {}, g, { dir, disabled: false }), "b");
    assert.equal(lastCacheOutcome().status, "miss");
    next = "c";
    assert.equal(await cached("torn", {}, g, { dir, disabled: false }), "b");

    await clearCache({ dir });
    await assert.rejects(Deno.stat(dir), Deno.errors.NotFound);
  } finally {
    if (saved === undefined) Deno.env.delete("DISTLAB_CACHE");
    else Deno.env.set("DISTLAB_CACHE", saved);
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
});
