/**
 * The BFT exercise battery (notebook 10): the reference single-shot agreement passes every
 * scenario; each classic mistake is caught and its replay line reproduces the failure; the attack
 * harness separates n = 3f from n = 3f + 1; shrinking, Twins and bad input.
 */
import assert from "node:assert/strict";
import { ConfigError } from "@lab/sim/mod.ts";
import {
  attackHarness,
  attackRun,
  type AttackStrategy,
  BA_MISTAKES,
  BA_SCENARIO_NAMES,
  type BaMistake,
  type BaScenarioName,
  bftBattery,
  conflictingProposal,
  findAndShrink,
  referenceBa,
  runBaScenario,
  runBaSchedule,
  switchVote,
  twinsExploreBa,
} from "@lab/protocols/bft/battery.ts";

const SEEDS = 4;

const field = (fn: () => unknown, path: string | RegExp) =>
  assert.throws(
    fn,
    (e: unknown) =>
      e instanceof ConfigError &&
      e.issues.some((i) => typeof path === "string" ? i.path === path : path.test(i.path)),
    `expected a ConfigError naming ${path}`,
  );

Deno.test("bft battery: the reference passes every scenario on every seed", () => {
  const r = bftBattery(referenceBa(), { seeds: SEEDS });
  assert.equal(r.rows.length, BA_SCENARIO_NAMES.length);
  for (const row of r.rows) assert.equal(row.failed, 0, row.message ?? row.scenario);
  assert.ok(r.ok);
});

/** Which scenarios must catch each mistake on seeds 1..SEEDS (deterministic runs). */
const EXPECTED: Record<BaMistake, BaScenarioName[]> = {
  mistakeQuorum2f: ["equivocate7"],
  mistakeSkipVerify: ["forgeQuorum"],
  mistakeVoteTwice: ["doublePropose", "twins"],
};

Deno.test("bft battery: each mistake flag is caught, and its replay line reproduces the failure", () => {
  for (const m of BA_MISTAKES) {
    const make = referenceBa({ [m]: true });
    const r = bftBattery(make, { seeds: SEEDS });
    assert.ok(!r.ok, m);
    for (const s of EXPECTED[m]) {
      const row = r.rows.find((x) => x.scenario === s)!;
      assert.ok(row.failed > 0, `${m} not caught by ${s}`);
      assert.equal(
        row.replay,
        `bftBattery(makeNode, { only: "${s}", seeds: [${row.firstFailingSeed}] })`,
      );
      // the replay line, evaluated: the same failure again
      const again = bftBattery(make, { only: s, seeds: [row.firstFailingSeed!] });
      assert.equal(again.rows[0].message, row.message);
    }
  }
  // what each catches is the rule it breaks
  const q = runBaScenario(referenceBa({ mistakeQuorum2f: true }), "equivocate7", 1);
  assert.equal(q.check, "agreement");
  const v = runBaScenario(referenceBa({ mistakeVoteTwice: true }), "doublePropose", 1);
  assert.ok(v.check === "agreement" || v.check === "honest-culprit", v.failure);
  // without a breach, the honest replica's second signature is the failure on its own
  const t = runBaScenario(referenceBa({ mistakeVoteTwice: true }), "forgeQuorum", 1);
  assert.equal(t.check, "honest-culprit");
  assert.match(t.failure!, /would be slashed/);
  const s = runBaScenario(referenceBa({ mistakeSkipVerify: true }), "forgeQuorum", 1);
  assert.ok(s.check === "agreement" || s.check === "validity", s.failure);
});

Deno.test("bft battery: beyond f a breach is allowed but accountable (≥ f + 1 culprits, all traitors)", () => {
  let breaches = 0;
  for (let seed = 1; seed <= 8; seed++) {
    const r = runBaScenario(referenceBa(), "coalition", seed);
    assert.equal(r.failure, undefined, r.failure);
    if (!r.breach) continue;
    breaches++;
    assert.ok(r.culprits.length >= 2);
    for (const c of r.culprits) assert.ok(r.byzantine.includes(c), c);
  }
  assert.ok(breaches > 0, "the coalition broke agreement on some seed");
});

Deno.test("bft battery: determinism (same seed twice, same trace hash)", () => {
  const a = runBaScenario(referenceBa(), "partitions", 3, { trace: true });
  const b = runBaScenario(referenceBa(), "partitions", 3, { trace: true });
  assert.equal(a.sim.trace.hash(), b.sim.trace.hash());
  assert.ok(a.trace.length > 0);
});

const equivocatingLeader: AttackStrategy = (self, coalition) => (out, t) => {
  const honest = [self, ...t.peers].filter((id) => id !== self).sort();
  const sideB = new Set(honest.slice(Math.ceil(honest.length / 2)));
  const m = out.msg;
  if (!sideB.has(out.to)) return t.send(out.to, m);
  if (m.type === "propose") {
    const alt = conflictingProposal(m, t);
    coalition.pair(m.digest, alt.digest);
    return t.send(out.to, alt);
  }
  const twin = coalition.twin.get(m.digest);
  t.send(out.to, twin ? switchVote(m, twin, t) : m);
};

Deno.test("bft attack: an equivocating leader breaks n = 3f on every seed and never n = 3f + 1", () => {
  const rows = attackHarness(equivocatingLeader, { f: 1, seeds: 8, name: "equivocatingLeader" });
  assert.deepEqual(rows.map((r) => [r.n, r.quorum, r.breaches]), [[3, 2, 8], [4, 3, 0]]);
  assert.equal(rows[0].minCulprits, 1); // quorum 2f: the breach proves only the leader
  assert.equal(rows[1].safeDecisions, 8);
  assert.equal(rows[0].replay, `attackRun(equivocatingLeader, {"f":1}, 3, 1)`);
  const replayed = attackRun(equivocatingLeader, { f: 1 }, 3, 1);
  assert.ok(replayed.breach);
  assert.ok(replayed.trace.length > 0);
});

Deno.test("bft attack: bad input is a ConfigError naming the field", () => {
  field(() => attackHarness(null as never), "strategy");
  field(() => attackHarness(equivocatingLeader, { f: 1, traitors: ["n0", "n1"] }), "traitors");
  field(() => attackHarness(equivocatingLeader, { f: 1, traitors: ["n5"] }), "traitors[0]");
  field(() => attackHarness(equivocatingLeader, { f: 0 }), "f");
  field(() => attackHarness(equivocatingLeader, { seeds: 0 }), "seeds");
  field(() => attackHarness(equivocatingLeader, { f: 1, bogus: 1 } as never), "");
});

Deno.test("bft battery: bad input is a ConfigError naming the field", () => {
  field(() => bftBattery("x" as never), "makeNode");
  field(() => bftBattery(referenceBa(), { seeds: 0 }), "seeds");
  field(() => bftBattery(referenceBa(), { seeds: [1, 1.5] }), "seeds");
  field(() => bftBattery(referenceBa(), { only: "nope" as never }), "only");
  field(() => bftBattery(referenceBa(), { only: ["normal", "nope" as never] }), /^only/);
  field(() => runBaScenario(referenceBa(), "nope" as never, 1), "scenario");
  field(
    () => runBaSchedule(referenceBa(), 1, [{ atMs: 0, type: "crash", node: "n9" }]),
    "[0].node",
  );
  // the reference refuses an unsafe quorum without allowUnsafe, naming it
  field(() => runBaScenario(referenceBa({ quorum: 2 }), "normal", 1), "quorum");
  field(() => attackRun(equivocatingLeader, { f: 1, traitors: ["n3"] }, 3, 1), "traitors[0]");
});

Deno.test("bft battery: a failing fault schedule shrinks and replays", () => {
  const make = referenceBa({ mistakeQuorum2f: true });
  const s = findAndShrink(make, 40, 100);
  assert.ok(s.shrink, "a random schedule breaks quorum 2f");
  assert.ok(s.shrink.schedule.length < s.shrink.original.length);
  assert.ok(s.replayFailure);
  assert.match(s.replay!, /^runBaSchedule\(makeNode, \d+, \[/);
  // the replay line, evaluated
  const again = runBaSchedule(make, s.seed!, s.shrink.schedule);
  assert.equal(again.failure, s.replayFailure);
  // and the correct reference passes the same schedule
  assert.equal(runBaSchedule(referenceBa(), s.seed!, s.shrink.schedule).failure, undefined);
});

Deno.test("bft battery: Twins on the learner interface: reference clean, two mistakes caught", () => {
  const ref = twinsExploreBa(referenceBa(), { count: 60 });
  assert.equal(ref.violations, 0, ref.failure ?? "");
  const q = twinsExploreBa(referenceBa({ mistakeQuorum2f: true }), { count: 60 });
  assert.ok(q.violations > 0);
  assert.ok(q.minimalScenario && q.minimalScenario.rounds.length <= 2);
  const v = twinsExploreBa(referenceBa({ mistakeVoteTwice: true }), { count: 20 });
  assert.equal(v.violations, 20);
});
