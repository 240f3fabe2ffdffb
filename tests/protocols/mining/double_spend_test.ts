import assert from "node:assert/strict";
import { attackerSuccess } from "@lab/protocols/mining/confirmations.ts";
import { simulateDoubleSpend } from "@lab/protocols/mining/double_spend.ts";
import { wilsonInterval } from "@lab/protocols/mining/stats.ts";
import { ConfigError } from "@lab/sim/errors.ts";
import { Rng } from "@lab/sim/rng.ts";

Deno.test("double spend: simulated tie and overtake rates hold the exact formulas (q=0.3, z=3)", () => {
  const r = simulateDoubleSpend({ attackerShare: 0.3, confirmations: 3, trials: 6000 }, new Rng(7));
  const tie = wilsonInterval(r.tieWins, r.trials, 0.999);
  const over = wilsonInterval(r.overtakeWins, r.trials, 0.999);
  const exactTie = attackerSuccess(0.3, 3, { progress: "negativeBinomial" });
  const exactOver = attackerSuccess(0.3, 3, { progress: "negativeBinomial", win: "overtake" });
  assert.ok(exactTie >= tie.low && exactTie <= tie.high, `${exactTie} ∉ [${tie.low}, ${tie.high}]`);
  assert.ok(exactOver >= over.low && exactOver <= over.high);
  assert.equal(r.horizonHits, 0);
  assert.ok(r.tieWins >= r.overtakeWins, "every overtake passes through a tie");
  assert.ok(r.maxReorgDepth >= 3, "a reversal removes at least the z confirmed blocks");
  // Attacker progress at acceptance is negative binomial with mean z·q/p.
  const mean = r.attackerBlocksAtAcceptance / r.trials;
  assert.ok(Math.abs(mean - 3 * 0.3 / 0.7) < 0.1, `mean ${mean}`);
});

Deno.test("double spend: one seed twice gives the same counts; another seed differs", () => {
  const o = { attackerShare: 0.2, confirmations: 2, trials: 2000 };
  assert.deepEqual(simulateDoubleSpend(o, new Rng(3)), simulateDoubleSpend(o, new Rng(3)));
  assert.notDeepEqual(simulateDoubleSpend(o, new Rng(3)), simulateDoubleSpend(o, new Rng(4)));
});

Deno.test("double spend: counting a tie as a win inflates the reversal rate to the tie rate", () => {
  const o = { attackerShare: 0.3, confirmations: 1, trials: 3000 };
  const right = simulateDoubleSpend(o, new Rng(5));
  const wrong = simulateDoubleSpend({ ...o, countTieAsWin: true }, new Rng(5));
  assert.equal(wrong.overtakeWins, wrong.tieWins);
  assert.ok(wrong.overtakeWins > right.overtakeWins * 1.5);
});

Deno.test("double spend: bad options are refused naming the field", () => {
  const bad = (o: Record<string, unknown>, field: RegExp) =>
    assert.throws(
      () => simulateDoubleSpend(o as never, new Rng(1)),
      (e: unknown) => e instanceof ConfigError && field.test(e.message),
    );
  bad({ attackerShare: 0.5, confirmations: 1, trials: 10 }, /attackerShare.*probability 1/);
  bad({ attackerShare: 0.2, confirmations: -1, trials: 10 }, /confirmations/);
  bad({ attackerShare: 0.2, confirmations: 1, trials: 0 }, /trials/);
  bad({ attackerShare: 0.2, confirmations: 1, trials: 5, giveUpRisk: 0 }, /giveUpRisk/);
});
