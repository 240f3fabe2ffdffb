import assert from "node:assert/strict";
import fc from "fast-check";
import {
  attackerSuccess,
  catchUpProbability,
  confirmationsForRisk,
  NAKAMOTO_TABLE,
} from "@lab/protocols/mining/confirmations.ts";
import { regularizedIncompleteBeta } from "@lab/protocols/mining/stats.ts";

Deno.test("Nakamoto §11: the Poisson formula prints the paper's table (q = 0.1 and 0.3)", () => {
  for (const { q, z, P } of NAKAMOTO_TABLE.attackerSuccess) {
    assert.equal(attackerSuccess(q, z).toFixed(7), P.toFixed(7), `q=${q} z=${z}`);
  }
});

Deno.test("Nakamoto §11: the Poisson formula gives the paper's z for P < 0.001", () => {
  for (const { q, z } of NAKAMOTO_TABLE.riskBelow0001) {
    assert.equal(confirmationsForRisk(q, 0.001), z, `q=${q}`);
  }
});

Deno.test("exact form = Rosenfeld's sum = Grunspan–Pérez-Marco's I_{4pq}(z, 1/2)", () => {
  const binom = (n: number, k: number) => {
    let c = 1;
    for (let i = 1; i <= k; i++) c = (c * (n - k + i)) / i;
    return c;
  };
  for (const q of [0.05, 0.1, 0.2, 0.3, 0.4, 0.45]) {
    const p = 1 - q;
    for (const z of [1, 2, 3, 5, 8, 13, 20]) {
      const exact = attackerSuccess(q, z, { progress: "negativeBinomial" });
      let rosenfeld = 1;
      for (let m = 0; m <= z; m++) {
        rosenfeld -= binom(m + z - 1, m) * (p ** z * q ** m - p ** m * q ** z);
      }
      const beta = regularizedIncompleteBeta(4 * p * q, z, 0.5);
      assert.ok(Math.abs(exact - rosenfeld) < 1e-9, `q=${q} z=${z}: ${exact} vs ${rosenfeld}`);
      assert.ok(
        Math.abs(exact - beta) < 1e-9 * Math.max(1, 1 / beta),
        `q=${q} z=${z}: ${exact} vs ${beta}`,
      );
    }
  }
});

Deno.test("Grunspan and Pérez-Marco: the exact z for P < 0.001 exceeds Nakamoto's", () => {
  const exact = NAKAMOTO_TABLE.riskBelow0001.map(({ q }) =>
    confirmationsForRisk(q, 0.001, { progress: "negativeBinomial" })
  );
  assert.deepEqual(exact, [6, 9, 13, 20, 32, 58, 133, 539]);
});

Deno.test("§11: q ≥ p catches up with probability 1; q = 0 never; z = 0 ties at once", () => {
  for (const q of [0.5, 0.6, 1]) {
    assert.equal(catchUpProbability(q, 10), 1);
    assert.equal(attackerSuccess(q, 10), 1);
    assert.equal(attackerSuccess(q, 10, { progress: "negativeBinomial", win: "overtake" }), 1);
    assert.equal(confirmationsForRisk(q, 0.001), undefined);
  }
  assert.equal(attackerSuccess(0, 3), 0);
  assert.equal(attackerSuccess(0.2, 0, { progress: "negativeBinomial" }), 1);
  // Overtaking from level: the gambler's ruin one step further, q/p.
  assert.ok(Math.abs(attackerSuccess(0.2, 0, { win: "overtake" }) - 0.25) < 1e-12);
  assert.equal(catchUpProbability(0.25, 2), (1 / 3) ** 2);
  assert.throws(() => attackerSuccess(1.5, 3), /attacker share q/);
  assert.throws(() => attackerSuccess(0.1, 2.5), /integer/);
});

Deno.test("property: success falls with z, rises with q, and overtaking is harder than tying", () => {
  fc.assert(
    fc.property(
      fc.double({ min: 0.01, max: 0.45, noNaN: true }),
      fc.integer({ min: 0, max: 60 }),
      fc.constantFrom("poisson" as const, "negativeBinomial" as const),
      (q, z, progress) => {
        const p = attackerSuccess(q, z, { progress });
        assert.ok(p >= 0 && p <= 1);
        assert.ok(attackerSuccess(q, z + 1, { progress }) <= p + 1e-12);
        assert.ok(attackerSuccess(Math.min(0.49, q + 0.02), z, { progress }) >= p - 1e-12);
        assert.ok(attackerSuccess(q, z, { progress, win: "overtake" }) <= p + 1e-12);
      },
    ),
    { numRuns: 200 },
  );
});
