import assert from "node:assert/strict";
import { Rng } from "@lab/sim/rng.ts";
import {
  evaluateOmDirect,
  evaluateOnSimulator,
  exhaustiveSearch,
  type LiePattern,
  parseGeneralsConfig,
  type PatternChoice,
  traitorSlots,
} from "@lab/protocols/generals/mod.ts";

Deno.test("generals exhaustive: OM(1) with 3 generals — some lie pattern violates IC1 or IC2 (LSP82 §3)", () => {
  const r = exhaustiveSearch({ n: 3, m: 1 });
  assert.equal(r.status, "complete");
  assert.equal(r.engine, "simulator");
  assert.equal(r.traitorSets, 3);
  // commander traitor: 2 sends × {ATTACK, RETREAT, silent} = 3^2 = 9; each lieutenant traitor:
  // one send, 3 choices, × 2 loyal orders = 6; 9 + 2·6 = 21.
  assert.equal(r.patterns, 21);
  assert.ok(r.violations > 0);
  console.log(
    `OM(1), n=3: ${r.violations} of ${r.patterns} patterns violate; first: ${r.first!.words}`,
  );
  assert.equal(r.first!.verdict.ok, false);
  assert.match(r.first!.words, /tells n2 "n0 said RETREAT"/);
});

Deno.test("generals exhaustive: OM(1) with 4 generals — no lie pattern at any traitor position violates IC1 or IC2", () => {
  const r = exhaustiveSearch({ n: 4, m: 1 });
  assert.equal(r.status, "complete");
  // commander: 3^3 = 27; each of 3 lieutenants: 3^2 × 2 orders = 18 → 27 + 54 = 81.
  assert.equal(r.patterns, 81);
  assert.equal(r.violations, 0);
  console.log(
    `OM(1), n=4: ${r.patterns} patterns over ${r.traitorSets} traitor positions, 0 violations`,
  );
  const five = exhaustiveSearch({ n: 5, m: 1 });
  assert.equal(five.patterns, 297);
  assert.equal(five.violations, 0);
});

Deno.test("generals exhaustive: SM(1) with 3 and 4 generals holds for every pattern (signed orders, relays, drops, alterations)", () => {
  const three = exhaustiveSearch({ n: 3, m: 1, algorithm: "sm" });
  // commander: {ATTACK, RETREAT, both, silent}^2 = 16; lieutenant: {relay, drop, alter} × 2 orders
  // = 6 each → 28.
  assert.equal(three.patterns, 28);
  assert.equal(three.violations, 0);
  const four = exhaustiveSearch({ n: 4, m: 1, algorithm: "sm" });
  assert.equal(four.patterns, 64 + 3 * 9 * 2);
  assert.equal(four.violations, 0);
  console.log(`SM(1): n=3 ${three.patterns} patterns, n=4 ${four.patterns} patterns, 0 violations`);
});

Deno.test("generals exhaustive: OM(2) with 4 generals (n ≤ 3m) fails; with 7 generals it is out of reach", () => {
  const r = exhaustiveSearch({ n: 4, m: 2 });
  assert.equal(r.status, "complete");
  assert.equal(r.engine, "direct");
  assert.equal(r.patterns, 45927);
  assert.ok(r.violations > 0);
  const seven = exhaustiveSearch({ n: 7, m: 2 });
  assert.equal(seven.status, "out-of-reach");
  assert.equal(seven.patterns, 0);
  assert.ok(BigInt(seven.patternSpace) > 10n ** 25n, seven.patternSpace);
  const sampled = exhaustiveSearch({ n: 7, m: 2, sample: 300, engine: "direct" });
  assert.equal(sampled.status, "sampled");
  assert.equal(sampled.patterns, 300);
  assert.equal(sampled.violations, 0);
});

Deno.test("generals exhaustive: the direct evaluator gives the simulator's decisions on sampled patterns", () => {
  const rng = new Rng("generals-direct-vs-sim");
  for (
    const [n, m, traitors] of [[4, 1, ["n0"]], [4, 1, ["n2"]], [5, 2, ["n0", "n3"]], [5, 2, [
      "n1",
      "n4",
    ]], [4, 2, ["n1", "n2"]]] as const
  ) {
    for (let k = 0; k < 25; k++) {
      const order = rng.pick(["ATTACK", "RETREAT"] as const);
      const config = parseGeneralsConfig({ n, m, order });
      const choices: Record<string, Record<string, PatternChoice>> = {};
      for (const t of traitors) {
        choices[t] = {};
        for (const s of traitorSlots(config, t, order)) choices[t][s.key] = rng.pick(s.options);
      }
      const pattern: LiePattern = { traitors: [...traitors], order, choices };
      assert.deepEqual(
        evaluateOmDirect(config, pattern),
        evaluateOnSimulator(config, pattern),
        `n=${n} m=${m} ${JSON.stringify(pattern)}`,
      );
    }
  }
});

Deno.test("generals exhaustive: restricting the search (only loyal RETREAT orders, traitors only among lieutenants) finds nothing at n = 3", () => {
  const r = exhaustiveSearch({ n: 3, m: 1, orders: ["RETREAT"], traitorsAt: "lieutenants" });
  assert.equal(r.patterns, 6);
  assert.equal(r.violations, 0);
});

Deno.test("generals exhaustive: SM(2) searches are reported out of reach, not passed", () => {
  const r = exhaustiveSearch({ n: 5, m: 2, algorithm: "sm" });
  assert.equal(r.status, "out-of-reach");
  assert.match(r.note!, /SM\(1\)/);
});
