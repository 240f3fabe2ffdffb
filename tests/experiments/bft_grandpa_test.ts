/**
 * GRANDPA measurements against theory (Stewart and Kokoris-Kogia 2020, §4.2 Lemma 4.7 (b)): on a
 * constant-T network every round finalises within 6T of its start — exactly 4T with §3.2 step 4
 * condition (iii), 5T without — and a round costs (n − 1) + 2n(n − 1) messages; a mistake that
 * precommits without waiting for the prevotes makes the claims fail.
 */
import assert from "node:assert/strict";
import { assertClaims, isApplicable } from "../../lib/experiments/claims.ts";
import { grandpaRoundClaims, grandpaRoundRows } from "../../lib/experiments/bft_grandpa.ts";
import { ConfigError } from "../../lib/sim/errors.ts";

Deno.test("bft_grandpa: finality within 6T (exactly 4T) and (n − 1) + 2n(n − 1) messages per round, n = 4..16", () => {
  const rows = grandpaRoundRows({ ns: [4, 7, 10, 16], rounds: 4 });
  for (const r of rows) {
    assert.equal(r.maxFinalityT, 4);
    assert.equal(r.messagesPerRound, r.theoryMessages);
  }
  assertClaims(grandpaRoundClaims(rows));
});

Deno.test("bft_grandpa: without the optional condition (iii) rounds take exactly 5T, still within 6T", () => {
  const rows = grandpaRoundRows({ ns: [4, 7], rounds: 3, precommitOnImpossibleChild: false });
  assert.deepEqual(rows.map((r) => r.maxFinalityT), [5, 5]);
  assertClaims(grandpaRoundClaims(rows));
});

Deno.test("bft_grandpa: f silent voters keep the 6T bound (exact claims n/a)", () => {
  const rows = grandpaRoundRows({ ns: [4, 7], rounds: 3, silent: 1 });
  const claims = grandpaRoundClaims(rows);
  assert.ok(claims.some((c) => !isApplicable(c)));
  assertClaims(claims);
});

Deno.test("bft_grandpa: the failing model (precommit without waiting for the prevotes) fails the claims", () => {
  const rows = grandpaRoundRows({ ns: [4], rounds: 3, mistake: "precommitWithoutPrevotes" });
  assert.equal(rows[0].finalisingRounds, 0);
  assert.throws(() => assertClaims(grandpaRoundClaims(rows)), /within 6T/);
});

Deno.test("bft_grandpa: bad parameters name their field", () => {
  assert.throws(() => grandpaRoundRows({ ns: [] }), ConfigError);
  assert.throws(() => grandpaRoundRows({ gossipDelayMs: 0 }), /gossipDelayMs/);
});
