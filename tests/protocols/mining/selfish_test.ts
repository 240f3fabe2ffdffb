import assert from "node:assert/strict";
import { BlockStore } from "@lab/chain/mod.ts";
import {
  profitThreshold,
  SelfishPool,
  selfishRevenue,
  simulateSelfishMining,
} from "@lab/protocols/mining/selfish.ts";
import { ConfigError } from "@lab/sim/errors.ts";
import { Rng } from "@lab/sim/rng.ts";

/**
 * Eyal and Sirer §4's Markov chain solved numerically (states 0, 0′, 1, 2, …, truncated): an
 * independent check of the closed form.
 */
function markovRevenue(a: number, g: number, maxLead = 250): number {
  // pi[0] = state 0, pi[1] = state 0′, pi[k + 1] = lead k ≥ 1.
  let pi = new Float64Array(maxLead + 2);
  pi[0] = 1;
  for (let it = 0; it < 3000; it++) {
    const nx = new Float64Array(maxLead + 2);
    nx[0] += pi[0] * (1 - a) + pi[1]; // 0 stays on an honest block; 0′ always resolves to 0
    nx[2] += pi[0] * a; // 0 → lead 1
    nx[1] += pi[2] * (1 - a); // lead 1 → 0′ (race)
    nx[3] += pi[2] * a; // lead 1 → 2
    nx[0] += pi[3] * (1 - a); // lead 2 → 0 (publish all)
    for (let k = 3; k <= maxLead; k++) {
      nx[Math.min(k + 2, maxLead + 1)] += pi[k + 1] * a;
      nx[k] += pi[k + 1] * (1 - a);
    }
    nx[4] += pi[3] * a;
    pi = nx;
  }
  let pool = 0, others = 0;
  others += pi[0] * (1 - a); // honest block in state 0
  pool += pi[1] * (a * 2 + g * (1 - a) * 1); // 0′ resolved by the pool (2) or on its block (1)
  others += pi[1] * (g * (1 - a) * 1 + (1 - g) * (1 - a) * 2);
  pool += pi[3] * (1 - a) * 2; // lead 2 → 0: both pool blocks
  for (let k = 3; k <= maxLead; k++) pool += pi[k + 1] * (1 - a); // lead > 2: one pool block settles
  return pool / (pool + others);
}

Deno.test("Eyal–Sirer §4: the closed form equals the Markov chain's revenue", () => {
  for (const g of [0, 0.25, 0.5, 1]) {
    for (const a of [0.05, 0.15, 0.25, 1 / 3, 0.4, 0.45]) {
      const m = markovRevenue(a, g);
      assert.ok(
        Math.abs(m - selfishRevenue(a, g)) < 1e-6,
        `α=${a} γ=${g}: ${m} vs ${selfishRevenue(a, g)}`,
      );
    }
  }
});

Deno.test("Eyal–Sirer Observation 1: revenue = α exactly at (1−γ)/(3−2γ)", () => {
  assert.equal(profitThreshold(0), 1 / 3);
  assert.equal(profitThreshold(0.5), 0.25);
  assert.equal(profitThreshold(1), 0);
  for (const g of [0, 0.2, 0.5, 0.8]) {
    const t = profitThreshold(g);
    assert.ok(Math.abs(selfishRevenue(t, g) - t) < 1e-12);
    assert.ok(selfishRevenue(t - 0.01, g) < t - 0.01);
    assert.ok(selfishRevenue(t + 0.01, g) > t + 0.01);
  }
  assert.throws(() => selfishRevenue(0.5, 0), /alpha/);
  assert.throws(() => profitThreshold(1.2), /gamma/);
});

Deno.test("Algorithm 1: lead 1 then an honest block publishes into a race; the pool's next block wins it", () => {
  const s = new BlockStore();
  const pool = new SelfishPool(s);
  const p1 = s.add({ parent: 0, producer: "pool", sizeBytes: 0, timeMs: 1 });
  assert.deepEqual(pool.onPoolBlock(p1), []);
  assert.equal(pool.lead, 1);
  const h1 = s.add({ parent: 0, producer: "honest", sizeBytes: 0, timeMs: 2 });
  assert.deepEqual(pool.onOthersBlock(h1), [p1], "Δprev = 1: publish, same length, try our luck");
  assert.equal(pool.lead, 0);
  const p2 = s.add({ parent: p1, producer: "pool", sizeBytes: 0, timeMs: 3 });
  assert.deepEqual(pool.onPoolBlock(p2), [p2], "Δprev = 0 with a branch of 2: publish, pool wins");
  assert.equal(pool.privateBranchLen, 0);
});

Deno.test("Algorithm 1: lead 3 publishes one block per honest block, then all at lead 2", () => {
  const s = new BlockStore();
  const pool = new SelfishPool(s);
  const ps: number[] = [];
  for (let i = 0; i < 3; i++) {
    ps.push(s.add({ parent: ps.at(-1) ?? 0, producer: "pool", sizeBytes: 0, timeMs: i }));
    pool.onPoolBlock(ps[i]);
  }
  assert.equal(pool.lead, 3);
  const h1 = s.add({ parent: 0, producer: "honest", sizeBytes: 0, timeMs: 5 });
  assert.deepEqual(pool.onOthersBlock(h1), [ps[0]], "Δprev > 2: first unpublished block");
  const h2 = s.add({ parent: h1, producer: "honest", sizeBytes: 0, timeMs: 6 });
  assert.deepEqual(pool.onOthersBlock(h2), [ps[1], ps[2]], "Δprev = 2: publish all");
  assert.equal(pool.privateBranchLen, 0);
  // Honest block in state 0: they win, the pool adopts it.
  const h3 = s.add({ parent: ps[2], producer: "honest", sizeBytes: 0, timeMs: 7 });
  assert.deepEqual(pool.onOthersBlock(h3), []);
  assert.equal(pool.privateTip, h3);
  assert.throws(() => pool.onPoolBlock(h1), /private chain/);
});

Deno.test("selfish mining on the tree: revenue near R_pool; deterministic; γ matters", () => {
  const o = { alpha: 0.35, gamma: 0.5, blocks: 40_000 };
  const a = simulateSelfishMining(o, new Rng(11));
  assert.deepEqual(a, simulateSelfishMining(o, new Rng(11)));
  assert.ok(Math.abs(a.relativeRevenue - selfishRevenue(0.35, 0.5)) < 0.02, `${a.relativeRevenue}`);
  assert.equal(a.poolBlocks + a.honestBlocks, 40_000);
  assert.ok(a.mainChainBlocks < 40_000, "selfish mining orphans blocks");
  assert.ok(a.races > 0 && a.reorgs > 0);
  const wrong = simulateSelfishMining({ ...o, ignoreGamma: true }, new Rng(11));
  assert.ok(wrong.relativeRevenue < a.relativeRevenue - 0.02, "γ treated as 0 loses revenue");
  const honestPool = simulateSelfishMining({ alpha: 0, gamma: 0.5, blocks: 1000 }, new Rng(1));
  assert.equal(honestPool.relativeRevenue, 0);
  assert.equal(honestPool.mainChainBlocks, 1000);
});

Deno.test("selfish mining: bad options are refused naming the field", () => {
  const bad = (o: Record<string, unknown>, field: RegExp) =>
    assert.throws(
      () => simulateSelfishMining(o as never, new Rng(1)),
      (e: unknown) => e instanceof ConfigError && field.test(e.message),
    );
  bad({ alpha: 0.5, gamma: 0, blocks: 10 }, /alpha/);
  bad({ alpha: -0.1, gamma: 0, blocks: 10 }, /alpha/);
  bad({ alpha: 0.2, gamma: 1.5, blocks: 10 }, /gamma/);
  bad({ alpha: 0.2, gamma: 0.5, blocks: 0 }, /blocks/);
});
