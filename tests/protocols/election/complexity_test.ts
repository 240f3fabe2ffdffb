import assert from "node:assert/strict";
import fc from "fast-check";
import { Rng } from "@lab/sim/mod.ts";
import {
  bullyWorst,
  bullyWorstSimultaneous,
  changRobertsAverage,
  changRobertsExact,
  changRobertsWorst,
  electionComplexity,
  hirschbergSinclairBound,
  runBully,
  runRingElection,
} from "@lab/protocols/election/mod.ts";

const range = (n: number) => Array.from({ length: n }, (_, i) => i + 1);

Deno.test("chang-roberts: UIDs decreasing clockwise cost exactly n(n+1)/2, plus n to announce", () => {
  for (const n of [2, 3, 5, 8, 16, 33, 64]) {
    const r = runRingElection("changRoberts", range(n).reverse());
    assert.equal(r.electionMessages, changRobertsWorst(n), `n=${n}`);
    assert.equal(r.announceMessages, n);
    assert.ok([...r.leaders.values()].every((l) => l === "n0"), "the largest UID (n0) leads");
  }
});

Deno.test("chang-roberts: increasing clockwise is the best case, 2n - 1", () => {
  for (const n of [2, 4, 16]) {
    assert.equal(runRingElection("changRoberts", range(n)).electionMessages, 2 * n - 1);
  }
});

Deno.test("chang-roberts: the count for any order equals Σ distance to the next larger UID", () => {
  fc.assert(
    fc.property(
      fc.uniqueArray(fc.integer({ min: 0, max: 1000 }), { minLength: 2, maxLength: 12 }),
      (uids) => {
        const r = runRingElection("changRoberts", uids);
        assert.equal(r.electionMessages, changRobertsExact(uids));
        // UID of rank u (1 = smallest) stops at the first larger one: at most u hops, n for the
        // maximum, so no order exceeds Σ_{u<n} u + n = n(n+1)/2
        assert.ok(r.electionMessages <= changRobertsWorst(uids.length));
        const winner = `n${uids.indexOf(Math.max(...uids))}`;
        assert.ok([...r.leaders.values()].every((l) => l === winner));
      },
    ),
    { numRuns: 60, seed: 13 },
  );
});

Deno.test("chang-roberts: the mean over random orders is n·H_n", () => {
  // exact per-order formula (checked against the simulator above) makes many samples cheap
  const rng = new Rng(5).fork("orders");
  for (const n of [8, 32, 128]) {
    const trials = 4000;
    let sum = 0;
    for (let t = 0; t < trials; t++) sum += changRobertsExact(rng.shuffle(range(n)));
    const mean = sum / trials;
    const rel = Math.abs(mean - changRobertsAverage(n)) / changRobertsAverage(n);
    assert.ok(rel < 0.02, `n=${n} mean=${mean} n·H_n=${changRobertsAverage(n)}`);
  }
});

Deno.test("hirschberg-sinclair: within 8n(1 + ⌈log2 n⌉) on every order tried, and O(n log n)", () => {
  const rng = new Rng(6).fork("orders");
  for (const n of [2, 3, 5, 8, 13, 32, 64]) {
    const orders = [
      range(n),
      range(n).reverse(),
      ...Array.from({ length: 10 }, () => rng.shuffle(range(n))),
    ];
    for (const o of orders) {
      const r = runRingElection("hirschbergSinclair", o);
      assert.ok(r.electionMessages <= hirschbergSinclairBound(n), `n=${n} ${r.electionMessages}`);
      const winner = `n${o.indexOf(n)}`;
      assert.ok([...r.leaders.values()].every((l) => l === winner));
      assert.equal(r.announceMessages, n);
    }
  }
  // beyond small n, HS beats Chang–Roberts' worst case
  const n = 64;
  assert.ok(
    runRingElection("hirschbergSinclair", range(n).reverse()).electionMessages <
      changRobertsWorst(n),
  );
});

Deno.test("bully: the lowest caller costs n² + n - 3 with equal delays (textbook n² - 1), the highest n - 1", () => {
  for (const n of [2, 3, 5, 8, 20]) {
    const worst = runBully(range(n), { initiators: ["n0"] });
    assert.equal(worst.electionMessages, bullyWorstSimultaneous(n), `n=${n}`);
    assert.ok(worst.electionMessages >= bullyWorst(n));
    assert.ok([...worst.leaders.values()].every((l) => l === `n${n - 1}`));
    assert.equal(runBully(range(n), { initiators: [`n${n - 1}`] }).electionMessages, n - 1);
  }
});

Deno.test("bully: with random delays late ELECTIONs restart elections; the count exceeds n² - 1", () => {
  // measured, seeds 1-3, uniform 1-10 ms, T = 25 ms: n=5: 27-38, n=10: 156-269, n=20: 1419-1718,
  // n=40: 9716-11754 (6-7 n²): a node that already accepted the coordinator and then gets a
  // late ELECTION holds a whole new election (Garcia-Molina's rule), so the cascade grows past n²
  for (const n of [5, 10, 20]) {
    for (const seed of [1, 2, 3]) {
      const r = runBully(range(n), {
        seed,
        config: { answerTimeoutMs: 25 },
        network: { latency: { kind: "uniform", minMs: 1, maxMs: 10 } },
      });
      assert.ok(r.electionMessages >= bullyWorst(n) - n, `n=${n} seed=${seed}`);
      assert.ok([...r.leaders.values()].every((l) => l === `n${n - 1}`));
    }
  }
});

Deno.test("election complexity table: one row per algorithm, case and n", () => {
  const rows = electionComplexity([4, 8], { trials: 5 });
  assert.equal(rows.length, 12);
  for (const r of rows) {
    if (r.theoryKind === "exact") assert.equal(r.measured, r.theory, JSON.stringify(r));
    if (r.theoryKind === "bound") assert.ok(r.measured <= r.theory, JSON.stringify(r));
  }
});

Deno.test("election: one seed run twice gives the same leaders and counts", () => {
  const a = runBully(range(6), {
    seed: 9,
    network: { latency: { kind: "uniform", minMs: 1, maxMs: 9 } },
  });
  const b = runBully(range(6), {
    seed: 9,
    network: { latency: { kind: "uniform", minMs: 1, maxMs: 9 } },
  });
  assert.equal(a.electionMessages, b.electionMessages);
  assert.deepEqual(a.events, b.events);
});
