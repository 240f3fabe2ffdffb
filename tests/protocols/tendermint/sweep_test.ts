/**
 * Tendermint seed sweeps: random adversaries of ≤ f validators and random faults never break
 * agreement or validity, and decisions resume after the heal; a mistake flag is caught, and its
 * failing schedule shrinks and replays.
 *
 * Replay one seed: `sweepOne(seed)` from lib/protocols/tendermint/sweep.ts.
 */
import assert from "node:assert/strict";
import { shrinkSchedule } from "../../../lib/net/shrink.ts";
import { runSchedule, sweepOne, sweepSchedule } from "../../../lib/protocols/tendermint/sweep.ts";

Deno.test("tendermint sweep: 30 seeds of ≤ f adversaries (random, and every fourth a mistake scenario) and faults, no breach, live after heal", () => {
  for (let seed = 1; seed <= 30; seed++) {
    const r = sweepOne(seed);
    assert.equal(r.breach, undefined, r.breach);
    assert.ok(r.decisions > 0, `seed=${seed}`);
  }
});

Deno.test("tendermint sweep: mistakePrevoteIgnoresLock is caught (seed 193), shrunk and replayed", () => {
  const seed = 193, mistake = "prevoteIgnoresLock" as const;
  const r = sweepOne(seed, { mistake });
  assert.match(r.breach ?? "", /agreement/);
  const fails = (s: ReturnType<typeof sweepSchedule>) =>
    /agreement/.test(runSchedule(seed, s, { mistake }).breach ?? "");
  const shrunk = shrinkSchedule(fails, sweepSchedule(seed), { maxRuns: 60 });
  assert.ok(shrunk.schedule.length <= shrunk.original.length);
  assert.ok(fails(shrunk.schedule), "the shrunk schedule replays the breach");
  // the same run without the mistake is safe
  assert.equal(runSchedule(seed, shrunk.schedule).breach, undefined);
});
