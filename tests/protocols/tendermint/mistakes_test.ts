/**
 * Tendermint's classic mistakes, each caught by the BFT checker on a scenario built to make it
 * bite with at most f Byzantine validators (lib/protocols/tendermint/scenarios.ts), over seeds
 * that vary latency, jitter, the height, the roles and the heal; the flag-off control on the
 * same runs is safe and live; the sweep draws the scenarios for one seed in four.
 *
 * Replay one run: `runMistakeScenario("lock-bypass-n4", seed, { mistake: "prevoteIgnoresLock" })`.
 */
import assert from "node:assert/strict";
import { formatFault, shrinkSchedule } from "../../../lib/net/shrink.ts";
import type { Schedule } from "../../../lib/net/nemesis.ts";
import {
  detectionRates,
  mistakeScenarios,
  runMistakeScenario,
  runScenarioSchedule,
  scenarioPlan,
} from "../../../lib/protocols/tendermint/scenarios.ts";
import { runSchedule, sweepOne, sweepScenario } from "../../../lib/protocols/tendermint/sweep.ts";

Deno.test("tendermint mistakes: each flag is caught on its scenario in ≥ 90 % of 20 seeds; flags off: no breach, live after heal", () => {
  const rows = detectionRates(20);
  const table = rows.map((r) =>
    `${r.scenario} ${r.mistake}: ${r.detected}/${r.seeds} live ${r.live}`
  )
    .join("\n");
  for (const s of mistakeScenarios()) {
    const row = (m: string) => rows.find((r) => r.scenario === s.name && r.mistake === m)!;
    // measured 20/20 on every scenario (and 200/200 on seeds 1..200); 90 % leaves a margin
    assert.ok(row(s.targets).rate >= 0.9, `${s.name} × ${s.targets}\n${table}`);
    // the control: the same runs with both flags off never break agreement or validity, and an
    // honest validator decides within the bound after repairAll()
    assert.equal(row("none").detected, 0, table);
    assert.equal(row("none").live, row("none").seeds, table);
  }
  // the other flag on each shape (measured 0): `unlockOnLowerRound` only relaxes line 29, and
  // lock-bypass's v' has validRound −1 (line 23 still holds the lock); `prevoteIgnoresLock`
  // makes C, locked on w, prevote v in round 1 of stale-pol, so C sees v's polka and re-proposes
  // v, not w, in round 2 — that flag is a different bug, with its own scenario
  for (const r of rows) {
    const target = mistakeScenarios().find((s) => s.name === r.scenario)!.targets;
    if (r.mistake !== "none" && r.mistake !== target) assert.equal(r.detected, 0, table);
  }
});

Deno.test("tendermint mistakes: the culprits named are the validators whose own signatures break the lock rule", () => {
  for (const s of mistakeScenarios()) {
    for (let seed = 1; seed <= 8; seed++) {
      const r = runMistakeScenario(s.name, seed, { mistake: s.targets });
      const p = r.plan;
      const where = `${s.name} seed=${seed}`;
      assert.ok(r.breach, where);
      assert.equal(r.breach.invariant, "agreement", where);
      assert.equal(r.breach.slot, p.height, where);
      // Agreement breaks with only f Byzantine validators because honest validators run the
      // mistaken code. Forensics (Sheng et al. 2021, §5) names whoever signed a precommit for v in
      // round r and a prevote for v' ≠ v in a later round with no polka for v' in between: that is
      // group B, honest but mistaken (f + 1 of them, so the "≥ f + 1 culprits" of accountability
      // holds, but the culprits are not the Byzantine ones). In lock-bypass the Byzantine
      // validators precommitted nil, so nothing they signed breaks a rule; in stale-pol |C| of
      // them precommitted v in round 1 and prevoted w in round 2, so they are named too
      // (|B| + |C| = 2f + 1 − |A| ≥ f + 1 culprits).
      const expected = s.targets === "prevoteIgnoresLock"
        ? [...p.groupB]
        : [...p.groupB, ...p.byzantine.slice(0, p.groupC.length)];
      assert.deepEqual([...r.breach.culprits].sort(), expected.sort(), where);
      assert.ok(r.breach.culprits.length >= s.f + 1, where);
      assert.ok(r.breach.rules.every((x) => x.startsWith("amnesia:")), where);
      // A decided v first; then a member of B (or, in stale-pol, of C) decided the other value
      // (the run stops at that first conflicting decision)
      const a = r.decidedAt[p.groupA[0]];
      assert.ok(a !== undefined, where);
      const others = [...p.groupB, ...p.groupC];
      assert.ok(others.some((b) => ![undefined, a].includes(r.decidedAt[b])), where);
    }
  }
});

Deno.test("tendermint mistakes: a lock-bypass schedule shrinks to its holds and replays through the sweep", () => {
  const mistake = "prevoteIgnoresLock" as const;
  // a sweep seed that draws a lock-bypass scenario
  let seed = 4;
  while (!sweepScenario(seed)?.startsWith("lock-bypass")) seed += 4;
  const scenario = sweepScenario(seed)!;
  const plan = scenarioPlan(scenario, seed);
  assert.match(sweepOne(seed, { mistake }).breach ?? "", /agreement.*scenario=lock-bypass/);
  const fails = (s: Schedule) =>
    runScenarioSchedule(scenario, seed, s, { mistake }).breach?.invariant === "agreement";
  const shrunk = shrinkSchedule(fails, plan.schedule, { maxRuns: 40 });
  const lines = shrunk.schedule.map(formatFault);
  // the release is not needed; what remains are holds from A to B
  assert.ok(shrunk.schedule.length < plan.schedule.length, lines.join("; "));
  assert.ok(shrunk.schedule.every((f) => f.type === "hold"), lines.join("; "));
  assert.ok(
    shrunk.schedule.every((f) =>
      f.type === "hold" && plan.groupA.includes(f.from) && plan.groupB.includes(f.to)
    ),
    lines.join("; "),
  );
  // replay through the sweep's runSchedule, with and without the mistake
  assert.match(runSchedule(seed, shrunk.schedule, { mistake, scenario }).breach ?? "", /agreement/);
  assert.equal(runScenarioSchedule(scenario, seed, shrunk.schedule).breach, undefined);
});

Deno.test("tendermint mistakes: the sweep's scenario seeds catch each flag and stay safe with the flags off", () => {
  const seeds = Array.from({ length: 16 }, (_, i) => 4 * (i + 1));
  for (const mistake of ["prevoteIgnoresLock", "unlockOnLowerRound"] as const) {
    const targeted = seeds.filter((seed) =>
      mistakeScenarios().find((s) => s.name === sweepScenario(seed))!.targets === mistake
    );
    assert.ok(targeted.length > 0, mistake);
    const caught = targeted.filter((seed) => sweepOne(seed, { mistake }).breach !== undefined);
    assert.ok(
      caught.length >= 0.9 * targeted.length,
      `${mistake}: ${caught.length}/${targeted.length}`,
    );
  }
  for (const seed of seeds) {
    const r = sweepOne(seed);
    assert.equal(r.breach, undefined, r.breach);
    assert.ok(r.decisions > 0, `seed=${seed}`);
  }
});

Deno.test("tendermint mistakes: a scenario run is a pure function of the seed", () => {
  const a = runMistakeScenario("stale-pol-n7", 5, { mistake: "unlockOnLowerRound" });
  const b = runMistakeScenario("stale-pol-n7", 5, { mistake: "unlockOnLowerRound" });
  assert.deepEqual(a.breach, b.breach);
  assert.deepEqual(a.decidedAt, b.decidedAt);
  assert.equal(a.decisions, b.decisions);
});
