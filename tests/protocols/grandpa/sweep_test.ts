/**
 * GRANDPA seed sweeps: random adversaries of ≤ f voters and random faults never make honest
 * voters finalise conflicting blocks, and finality resumes after the heal; a mistake flag is
 * caught, and its failing schedule shrinks and replays.
 *
 * Replay one seed: `sweepOne(seed)` from lib/protocols/grandpa/sweep.ts.
 */
import assert from "node:assert/strict";
import { shrinkSchedule } from "../../../lib/net/shrink.ts";
import { runSchedule, sweepOne, sweepSchedule } from "../../../lib/protocols/grandpa/sweep.ts";

Deno.test("grandpa sweep: 15 seeds of ≤ f adversaries and faults, no breach, finality after heal", () => {
  for (let seed = 1; seed <= 15; seed++) {
    const r = sweepOne(seed);
    assert.equal(r.breach, undefined, r.breach);
    assert.ok(r.decisions > 0, `seed=${seed}`);
  }
});

Deno.test("grandpa sweep: mistakePrecommitWithoutPrevotes is caught (seed 44), shrunk and replayed", () => {
  const seed = 44, mistake = "precommitWithoutPrevotes" as const;
  assert.match(sweepOne(seed, { mistake }).breach ?? "", /liveness/);
  const fails = (s: ReturnType<typeof sweepSchedule>) =>
    /liveness/.test(runSchedule(seed, s, { mistake }).breach ?? "");
  const shrunk = shrinkSchedule(fails, sweepSchedule(seed), { maxRuns: 20 });
  assert.ok(shrunk.schedule.length <= shrunk.original.length);
  assert.ok(fails(shrunk.schedule), "the shrunk schedule replays the breach");
  assert.equal(runSchedule(seed, shrunk.schedule).breach, undefined, "safe and live without it");
});
