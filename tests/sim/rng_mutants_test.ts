/**
 * Laws of the seeded random streams, written to kill the mutants `deno task mutate lib/sim` left
 * alive in lib/sim/rng.ts (ranges, Fisher–Yates, exponential mean, fork independence). Statistical
 * checks use bounds of ≥ 5 standard deviations, computed from the law, not from a seed's draws.
 */
import assert from "node:assert/strict";
import { hash128, Rng } from "@lab/sim/rng.ts";

const N = 20_000;

/** |mean − mu| ≤ 5 standard errors for n draws of a law with standard deviation sd. */
const nearMean = (xs: number[], mu: number, sd: number, what: string) => {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const bound = 5 * sd / Math.sqrt(xs.length);
  assert.ok(Math.abs(mean - mu) <= bound, `${what}: mean ${mean}, law ${mu} ± ${bound}`);
};

Deno.test("rng: next() is in [0, 1) with mean 1/2 and variance 1/12", () => {
  const r = new Rng(7);
  const xs = Array.from({ length: N }, () => r.next());
  assert.ok(xs.every((x) => x >= 0 && x < 1));
  nearMean(xs, 0.5, Math.sqrt(1 / 12), "next");
  const u = Array.from({ length: N }, () => r.u32());
  assert.ok(u.every((x) => Number.isInteger(x) && x >= 0 && x < 2 ** 32));
  nearMean(u, 2 ** 31, 2 ** 32 / Math.sqrt(12), "u32");
});

Deno.test("rng: int(lo, hi) hits every value of the inclusive range and nothing outside", () => {
  const r = new Rng("int");
  const seen = new Map<number, number>();
  for (let i = 0; i < N; i++) {
    const x = r.int(-3, 4);
    seen.set(x, (seen.get(x) ?? 0) + 1);
  }
  assert.deepEqual([...seen.keys()].sort((a, b) => a - b), [-3, -2, -1, 0, 1, 2, 3, 4]);
  // each of the 8 values: binomial(N, 1/8), within 5 sd
  const sd = Math.sqrt(N * (1 / 8) * (7 / 8));
  for (const [v, c] of seen) assert.ok(Math.abs(c - N / 8) <= 5 * sd, `${v}: ${c}`);
  assert.equal(r.int(5, 5), 5);
});

Deno.test("rng: uniform(lo, hi) stays in [lo, hi) with mean (lo + hi) / 2", () => {
  const r = new Rng(3);
  const xs = Array.from({ length: N }, () => r.uniform(10, 14));
  assert.ok(xs.every((x) => x >= 10 && x < 14));
  assert.ok(xs.some((x) => x < 10.5) && xs.some((x) => x > 13.5));
  nearMean(xs, 12, 4 / Math.sqrt(12), "uniform");
});

Deno.test("rng: chance(p) is true with probability p, never for p ≤ 0, always for p = 1", () => {
  const r = new Rng(4);
  for (const p of [0.1, 0.5, 0.9]) {
    const xs = Array.from({ length: N }, () => r.chance(p) ? 1 : 0);
    nearMean(xs, p, Math.sqrt(p * (1 - p)), `chance(${p})`);
  }
  for (let i = 0; i < 1000; i++) {
    assert.equal(r.chance(0), false);
    assert.equal(r.chance(-1), false);
    assert.equal(r.chance(1), true);
  }
});

Deno.test("rng: pick reaches every element uniformly and refuses an empty array", () => {
  const r = new Rng(5);
  const items = ["a", "b", "c", "d"];
  const counts: Record<string, number> = {};
  for (let i = 0; i < N; i++) {
    const x = r.pick(items);
    counts[x] = (counts[x] ?? 0) + 1;
  }
  const sd = Math.sqrt(N * 0.25 * 0.75);
  assert.deepEqual(Object.keys(counts).sort(), items);
  for (const c of Object.values(counts)) assert.ok(Math.abs(c - N / 4) <= 5 * sd);
  assert.throws(() => r.pick([]), /Rng\.pick: empty array/);
});

Deno.test("rng: shuffle returns a permutation, leaves its input alone, and is uniform", () => {
  const r = new Rng(6);
  const input = [1, 2, 3];
  const perms = new Map<string, number>();
  const firsts = [0, 0, 0, 0, 0];
  for (let i = 0; i < N; i++) {
    const s = r.shuffle(input);
    assert.deepEqual([...s].sort(), [1, 2, 3]);
    perms.set(s.join(), (perms.get(s.join()) ?? 0) + 1);
    firsts[r.shuffle([0, 1, 2, 3, 4])[0]]++;
  }
  assert.deepEqual(input, [1, 2, 3]);
  // all 3! orders, each with probability 1/6
  assert.equal(perms.size, 6);
  const sd6 = Math.sqrt(N * (1 / 6) * (5 / 6));
  for (const [p, c] of perms) assert.ok(Math.abs(c - N / 6) <= 5 * sd6, `${p}: ${c}`);
  // every element is first with probability 1/5 (Fisher–Yates reaches index 0 and the last)
  const sd5 = Math.sqrt(N * 0.2 * 0.8);
  for (const c of firsts) assert.ok(Math.abs(c - N / 5) <= 5 * sd5, `${firsts}`);
  assert.deepEqual(r.shuffle([]), []);
  assert.deepEqual(r.shuffle([9]), [9]);
});

Deno.test("rng: exponential(mean) is non-negative with the given mean and standard deviation", () => {
  const r = new Rng(8);
  const xs = Array.from({ length: N }, () => r.exponential(3));
  assert.ok(xs.every((x) => x >= 0 && Number.isFinite(x)));
  nearMean(xs, 3, 3, "exponential");
  // P(X > mean) = e^-1
  const above = xs.map((x) => x > 3 ? 1 : 0);
  nearMean(above, Math.exp(-1), Math.sqrt(Math.exp(-1) * (1 - Math.exp(-1))), "tail");
});

Deno.test("rng: streams are named by path; a fork does not depend on the parent's draws", () => {
  const a = new Rng(42), b = new Rng("42");
  assert.equal(a.path, "42");
  assert.equal(a.next(), b.next(), "a number seed and its string name are the same stream");
  const before = new Rng(42).fork("n1");
  const parent = new Rng(42);
  for (let i = 0; i < 50; i++) parent.next();
  const after = parent.fork("n1");
  assert.equal(after.path, "42/n1");
  assert.deepEqual(
    Array.from({ length: 5 }, () => before.next()),
    Array.from({ length: 5 }, () => after.next()),
  );
  const x = new Rng(42).fork("n1").next(), y = new Rng(42).fork("n2").next();
  assert.notEqual(x, y);
  assert.notEqual(new Rng(1).next(), new Rng(2).next());
  // the stream skips its first draws: the first output is not a plain function of the hash words
  const h = hash128("42");
  assert.ok(h.every((w) => Number.isInteger(w) && w >= 0 && w < 2 ** 32));
  assert.notDeepEqual(hash128("42"), hash128("43"));
});

Deno.test("rng: chance(0) and chance of a negative p draw nothing from the stream", () => {
  const a = new Rng(11), b = new Rng(11);
  assert.equal(a.chance(0), false);
  assert.equal(a.chance(-1), false);
  assert.equal(a.next(), b.next());
});

/** sfc32 written from its definition (Doty-Humphrey), seeded with the four words of `seed`. */
function referenceSfc32(seed: readonly number[]) {
  let [a, b, c, d] = seed.map((x) => x | 0);
  return () => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return t >>> 0;
  };
}

Deno.test("rng: the stream is sfc32 seeded with hash128 of its path, after 12 discarded outputs", () => {
  for (
    const [r, path] of [[new Rng(42), "42"], [new Rng("x"), "x"], [
      new Rng(7).fork("n1"),
      "7/n1",
    ]] as const
  ) {
    assert.equal(r.path, path);
    const ref = referenceSfc32(hash128(path));
    for (let i = 0; i < 12; i++) ref();
    const next = () => ref() / 2 ** 32;
    assert.equal(r.u32(), ref());
    assert.equal(r.next(), next());
    let x = next();
    assert.equal(r.int(3, 9), 3 + Math.floor(x * 7));
    x = next();
    assert.equal(r.uniform(-2, 6), -2 + x * 8);
    x = next();
    assert.equal(r.pick(["a", "b", "c"]), ["a", "b", "c"][Math.floor(x * 3)]);
    x = next();
    assert.equal(r.exponential(5), -5 * Math.log(1 - x));
    x = next();
    assert.equal(r.chance(0.5), x < 0.5);
    // Fisher–Yates from the last index down
    const out = [1, 2, 3, 4];
    for (let i = 3; i > 0; i--) {
      const j = Math.floor(next() * (i + 1));
      [out[i], out[j]] = [out[j], out[i]];
    }
    assert.deepEqual(r.shuffle([1, 2, 3, 4]), out);
    assert.equal(r.next(), next(), "a shuffle of n items draws n − 1 numbers");
    assert.deepEqual(r.shuffle([]), []);
    assert.equal(r.next(), next(), "an empty shuffle draws nothing");
  }
});
