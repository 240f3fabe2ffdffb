/**
 * HotStuff seed sweeps: random adversaries of ≤ f replicas and random faults never break agreement
 * or validity, and decisions resume after the heal; a mistake flag is caught, and its failing
 * schedule shrinks and replays.
 *
 * Replay one seed: `sweepOne(seed)` from lib/protocols/hotstuff/sweep.ts.
 */
import assert from "node:assert/strict";
import { shrinkSchedule } from "../../../lib/net/shrink.ts";
import {
  runSchedule,
  runSeedSchedule,
  seedSchedule,
  sweepOne,
  sweepScenario,
} from "../../../lib/protocols/hotstuff/sweep.ts";

Deno.test("hotstuff sweep: 30 seeds (basic and chained) of ≤ f adversaries and faults, every fourth a mistake scenario: no breach, live after heal", () => {
  for (let seed = 1; seed <= 30; seed++) {
    const r = sweepOne(seed);
    assert.equal(r.breach, undefined, r.breach);
    assert.ok(r.decisions > 0, `seed=${seed}`);
  }
});

Deno.test("hotstuff sweep: mistakeIgnoreLock is caught (seed 16), its schedule shrunk and replayed", () => {
  const seed = 16, mistake = "ignoreLock" as const;
  const scenario = sweepScenario(seed);
  assert.equal(scenario, "fork-basic-n4");
  assert.match(sweepOne(seed, { mistake }).breach ?? "", /agreement/);
  const fails = (s: ReturnType<typeof seedSchedule>) =>
    /agreement/.test(runSchedule(seed, s, { mistake, scenario }).breach ?? "");
  const shrunk = shrinkSchedule(fails, seedSchedule(seed), { maxRuns: 40 });
  assert.ok(shrunk.schedule.length <= shrunk.original.length);
  assert.ok(fails(shrunk.schedule), "the shrunk schedule replays the breach");
  // the same run without the mistake is safe; runSeedSchedule (tools/sweep.ts) replays it
  assert.equal(runSchedule(seed, shrunk.schedule, { scenario }).breach, undefined);
  assert.match(runSeedSchedule(seed, shrunk.schedule, { mistake }).breach ?? "", /agreement/);
});

Deno.test("hotstuff sweep: mistakeCommitOnTwoChain is caught on its scenario seed (12) and not without it", () => {
  assert.equal(sweepScenario(12), "two-chain-split-n4");
  assert.match(sweepOne(12, { mistake: "commitOnTwoChain" }).breach ?? "", /agreement/);
  assert.equal(sweepOne(12).breach, undefined);
});
