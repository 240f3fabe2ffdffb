/**
 * Seed sweep: random Byzantine adversaries of at most f replicas, random network faults, safety
 * phase then heal and liveness. Zero breaches expected. With a mistake on, a failing schedule is
 * shrunk with shrinkSchedule and replayed.
 * Replay one seed: `deno eval 'import {sweepOne} from "./lib/protocols/pbft/sweep.ts"; console.log(sweepOne(17))'`
 */
import assert from "node:assert/strict";
import { Rng } from "../../../lib/sim/rng.ts";
import { pbftCluster } from "../../../lib/protocols/pbft/cluster.ts";
import { formatFault, shrinkSchedule } from "../../../lib/net/shrink.ts";
import {
  runSchedule,
  sweepAdversary,
  sweepOne,
  sweepSchedule,
} from "../../../lib/protocols/pbft/sweep.ts";

Deno.test("pbft sweep: 40 seeds of ≤ f random adversaries and random faults — no breach, liveness after heal", () => {
  const t0 = performance.now();
  let decisions = 0;
  for (let seed = 1; seed <= 40; seed++) {
    const r = sweepOne(seed);
    assert.equal(r.breach, undefined, r.breach);
    assert.ok(r.decisions > 0, `seed=${seed}: no decisions`);
    decisions += r.decisions;
  }
  const perSeed = (performance.now() - t0) / 40;
  console.log(`  ${(1000 / perSeed).toFixed(1)} seeds/s, ${decisions / 40} decisions/seed`);
  assert.ok(perSeed < 1000);
});

Deno.test("pbft sweep: a failing schedule (mistake on) shrinks and replays", () => {
  const mistake = "viewChangeIgnoresPrepared" as const;
  // a seed with no Byzantine replica: the faults alone make the mistake bite
  let seed = 0;
  for (let s = 1; s <= 40 && !seed; s++) {
    if (sweepAdversary(s).length === 0 && sweepOne(s, { mistake }).breach) seed = s;
  }
  assert.ok(seed > 0, "no failing seed in 1..40");
  const schedule = sweepSchedule(seed);
  const fails = (sch: typeof schedule) => runSchedule(seed, sch, { mistake }).breached;
  const shrunk = shrinkSchedule(fails, schedule, { maxRuns: 60 });
  assert.ok(shrunk.schedule.length >= 1 && shrunk.schedule.length < schedule.length);
  assert.equal(runSchedule(seed, [], { mistake }).breached, false, "no faults: no breach");
  const replay = runSchedule(seed, shrunk.schedule, { mistake });
  assert.equal(replay.breached, true, shrunk.schedule.map(formatFault).join("; "));
  console.log(
    `  seed ${seed}: ${schedule.length} → ${shrunk.schedule.length} faults in ${shrunk.runs} runs`,
  );
});

Deno.test("pbft: two replicas past a view do not answer each other's stale VIEW-CHANGE forever (sweep seed 1830, a replaying replica)", () => {
  // regression: each answered the other's stale VIEW-CHANGE with its own, and n3's replay doubled
  // every round: 250,000 VIEW-CHANGE messages by t = 2 s instead of about 150
  const seed = 1830;
  const rng = new Rng(`pbft-sweep/${seed}`).fork("network");
  const c = pbftCluster({
    seed,
    n: 4,
    app: "counter",
    clients: 1,
    trace: { mode: "off" },
    collectEvents: false,
    network: {
      latency: { kind: "uniform", minMs: 1, maxMs: rng.int(2, 20) },
      lossRatio: rng.int(0, 3) / 100,
    },
    nemesis: sweepSchedule(seed),
    byzantine: sweepAdversary(seed, 4),
    pbft: { checkpointInterval: 8, logWindow: 32 },
  });
  const r = c.sim.run({ untilMs: 8_000, maxEvents: 200_000 });
  assert.notEqual(r.reason, "maxEvents");
  assert.ok((c.sim.stats.byType.get("VIEW-CHANGE") ?? 0) < 1_000);
  assert.ok(c.invariants.decidedSlots > 0);
});

for (const seed of [6769, 8340]) {
  Deno.test(`pbft: a replica that executed a slot before the view change redoes it in the new view (sweep seed ${seed}, liveness after the heal)`, () => {
    // regression: the new primary re-issued a slot one honest replica had already executed; that
    // replica lost a prepare of the new view for it and, asking retransmission only for
    // lastExec + 1, never prepared or committed it in the new view (§4.4's redo), so the replica
    // that had not executed it never got 2f + 1 commits; a third voted VIEW-CHANGE alone and
    // nothing was decided after the heal
    const r = runSchedule(seed, sweepSchedule(seed));
    assert.equal(r.breach, undefined, r.breach);
    assert.equal(r.breached, false);
    assert.ok(r.decisions > 0, `seed=${seed}: no decisions`);
  });
}

for (const seed of [8912, 9541]) {
  Deno.test(`pbft: a new primary that cannot order keeps its view-change timer after the NEW-VIEW (sweep seed ${seed}, liveness after the heal)`, () => {
    // regression: one honest replica voted alone for a higher view and the Byzantine one stayed
    // silent, so the new primary never got 2f prepares; it had disarmed its timer on installing
    // the NEW-VIEW (only backups re-armed it) and the other backup had already executed the
    // request, so no replica ever timed out and nothing was decided after the heal (§4.5.2: the
    // timer runs until a request not executed before is executed in the new view)
    const r = runSchedule(seed, sweepSchedule(seed));
    assert.equal(r.breach, undefined, r.breach);
    assert.equal(r.breached, false);
    assert.ok(r.decisions > 0, `seed=${seed}: no decisions`);
  });
}
