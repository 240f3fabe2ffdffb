import assert from "node:assert/strict";
import * as ca from "@lab/experiments/chain_attacks.ts";
import { assertClaims, type Claim, isApplicable } from "@lab/experiments/claims.ts";
import { ConfigError } from "@lab/sim/errors.ts";

function fails(cs: readonly Claim[], text: RegExp): boolean {
  return cs.some((c) => isApplicable(c) && !c.holds && text.test(c.claim));
}

const dsSmall = ca.parseDoubleSpendParams({
  attackerShares: [0.1, 0.3],
  confirmations: [0, 1, 3, 8],
  trials: 8000,
  seed: 3,
});
const dsRows = ca.doubleSpendRace(dsSmall);

const smSmall = ca.parseSelfishParams({
  alphas: [0.1, 0.25, 0.4],
  blocks: 20_000,
  runs: 5,
  seed: 3,
});
const smRows = ca.selfishMiningCurve(smSmall);

Deno.test("chain attacks: Nakamoto's tables are reproduced and the exact form asks for more", () => {
  const t = ca.nakamotoTable();
  assert.equal(t.length, 22);
  assertClaims(ca.checkNakamotoTables(t, ca.riskTable()));
  const q3z5 = t.find((r) => r.q === 0.3 && r.z === 5)!;
  assert.equal(q3z5.paper, 0.1773523);
  assert.ok(Math.abs(q3z5.exact - 0.1976173) < 1e-7);
});

Deno.test("chain attacks: simulated double spends hold the exact formulas; n/a where unresolvable", () => {
  const cs = ca.checkDoubleSpendRace(dsRows, dsSmall);
  assertClaims(cs);
  // P = 1 at z = 0 (tie) and q=0.1 z=8 (P ≈ 7e−5 at 8000 trials) cannot be resolved.
  assert.ok(cs.some((c) => !isApplicable(c) && /q=0.1 z=8: the exact catch-up/.test(c.claim)));
  assert.ok(cs.some((c) => !isApplicable(c) && /q=0.3 z=0: the exact catch-up/.test(c.claim)));
  // Poisson against exact is resolvable at q=0.3, z=8 with 8000 trials.
  assert.ok(cs.some((c) => isApplicable(c) && /q=0.3 z=8: Nakamoto's Poisson/.test(c.claim)));
});

Deno.test("mutation: an attacker counted as winning on a tie fails the overtake claims", () => {
  const rows = ca.doubleSpendRace(dsSmall, { countTieAsWin: true });
  const cs = ca.checkDoubleSpendRace(rows, dsSmall);
  assert.ok(fails(cs, /q=0.3 z=1: the exact overtake/));
  assert.ok(fails(cs, /q=0.3 z=3: the exact overtake/));
});

Deno.test("mutation: Nakamoto's Poisson value passed off as exact fails the exact claim", () => {
  const rows = dsRows.map((r) => ({ ...r, exact: r.nakamoto }));
  assert.ok(fails(ca.checkDoubleSpendRace(rows, dsSmall), /q=0.3 z=8: the exact catch-up/));
});

Deno.test("selfish mining: the curve holds R_pool and crosses α at (1−γ)/(3−2γ)", () => {
  const cs = ca.checkSelfishMining(smRows, smSmall);
  assertClaims(cs);
  // Near the threshold the sign claim is n/a (γ=0.5, α=0.25 sits exactly on it).
  assert.ok(cs.some((c) => !isApplicable(c) && /γ=0.5 α=0.25: selfish revenue/.test(c.claim)));
  assert.ok(cs.some((c) => isApplicable(c) && /γ=0 α=0.4: selfish revenue is above/.test(c.claim)));
  assert.ok(cs.some((c) => isApplicable(c) && /γ=0 α=0.1: selfish revenue is below/.test(c.claim)));
  const b = ca.simulatedThresholdBracket(smRows, 0);
  assert.ok(b.low <= 1 / 3 && 1 / 3 <= b.high);
});

Deno.test("mutation: γ ignored fails R_pool at γ = 1 and moves the crossing off the threshold", () => {
  const rows = ca.selfishMiningCurve(
    { ...smSmall, gammas: [1] },
    { ignoreGamma: true },
  );
  const cs = ca.checkSelfishMining(rows, { ...smSmall, gammas: [1] });
  assert.ok(fails(cs, /γ=1 α=0.25: Eyal and Sirer's R_pool/));
  assert.ok(fails(cs, /γ=1 α=0.25: selfish revenue is above/));
  assert.ok(fails(cs, /γ=1: the simulated curve crosses α/));
});

Deno.test("chain attacks: bad input is refused naming the field", () => {
  const bad = (f: () => unknown, field: RegExp) =>
    assert.throws(f, (e: unknown) => e instanceof ConfigError && field.test(e.message));
  bad(
    () => ca.parseDoubleSpendParams({ attackerShares: [0.2, 0.5] }),
    /attackerShares\[1\].*probability 1/,
  );
  bad(() => ca.parseDoubleSpendParams({ trials: 0 }), /trials/);
  bad(() => ca.parseDoubleSpendParams({ confirmations: [1.5] }), /confirmations\[0\]/);
  bad(() => ca.parseSelfishParams({ alphas: [0.1, 0.5] }), /alphas\[1\]/);
  bad(() => ca.parseSelfishParams({ alphas: [-0.1] }), /alphas\[0\]/);
  bad(() => ca.parseSelfishParams({ gammas: [0, 1.2] }), /gammas\[1\]/);
  bad(() => ca.parseSelfishParams({ runs: 1 }), /runs/);
  bad(() => ca.parseSelfishParams({ blocks: 0 }), /blocks/);
});
