/**
 * Each classic mistake of config.ts is caught by the BFT checker in its scenario (scenarios.ts),
 * with at most f Byzantine replicas; with the flags off the same scenarios are safe and live.
 * Detection rate over 3 seeds per scenario is asserted to be 100 %.
 */
import assert from "node:assert/strict";
import {
  mistakeScenarios,
  runScenarioSchedule,
  scenarioPlan,
} from "../../../lib/protocols/hotstuff/scenarios.ts";

const SEEDS = [1, 2, 3];

for (const s of mistakeScenarios()) {
  Deno.test(`hotstuff mistake ${s.targets} is caught in ${s.name} (${s.description})`, () => {
    let caught = 0;
    for (const seed of SEEDS) {
      const r = runScenarioSchedule(s.name, seed, scenarioPlan(s.name, seed).schedule, {
        mistake: s.targets,
      });
      if (r.breach && /agreement/.test(r.breach.line)) caught++;
    }
    assert.equal(caught, SEEDS.length, `${s.name}: caught ${caught}/${SEEDS.length}`);
  });

  Deno.test(`hotstuff ${s.name} without the mistake: no breach, decisions resume after the heal`, () => {
    for (const seed of SEEDS) {
      const r = runScenarioSchedule(s.name, seed, scenarioPlan(s.name, seed).schedule);
      assert.equal(r.breach, undefined, `${s.name} seed=${seed}: ${r.breach?.line}`);
      assert.ok(r.live, `${s.name} seed=${seed}: not live after heal`);
    }
  });
}
