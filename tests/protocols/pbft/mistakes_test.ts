/**
 * PBFT's classic mistakes, each caught by BftInvariants in the scenario family that makes it bite
 * (and never flagged with the mistake off). Detection rates are printed for the report.
 */
import assert from "node:assert/strict";
import { MISTAKE_SCENARIOS, runMistakeScenario } from "../../../lib/protocols/pbft/sweep.ts";

const SEEDS = Array.from({ length: 20 }, (_, i) => i + 1);

for (const name of Object.keys(MISTAKE_SCENARIOS) as (keyof typeof MISTAKE_SCENARIOS)[]) {
  Deno.test(`pbft mistake caught — ${name}`, () => {
    let caught = 0;
    let example = "";
    for (const seed of SEEDS) {
      const on = runMistakeScenario(name, seed, true);
      if (on.caught) {
        caught++;
        example ||= on.breach!;
      }
      const off = runMistakeScenario(name, seed, false);
      assert.equal(off.caught, false, `seed=${seed} breached with the mistake off: ${off.breach}`);
    }
    console.log(
      `  ${name}: caught ${caught}/${SEEDS.length} (${(100 * caught / SEEDS.length).toFixed(0)}%)`,
    );
    assert.ok(caught >= 2, `caught only ${caught}/${SEEDS.length}`);
    assert.match(example, /agreement/);
  });
}
