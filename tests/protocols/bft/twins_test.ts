/**
 * Twins (Bano et al., "Twins: BFT Systems Made Robust", OPODIS 2021): the scenario generator
 * (§4: partitions × leaders × rounds), bad input, and the executor on PBFT and Tendermint with f
 * twins: no breach with the mistake flags off; PBFT's two flags caught, shrunk and replayed.
 */
import assert from "node:assert/strict";
import { ConfigError } from "@lab/sim/mod.ts";
import {
  formatScenario,
  orderedPartitions,
  parseTwinsScenario,
  scenarioAt,
  setPartitions,
  shrinkCandidates,
  stirling2,
  type TwinsScenario,
  twinsScenarios,
  twinsSpace,
} from "@lab/protocols/bft/twins.ts";
import { runTwinsScenario, twinsExplore, twinsSweeper } from "@lab/protocols/bft/twins_run.ts";

Deno.test("twins generator: S(n + f, P) partitions × twin leaders, to the power R (§4)", () => {
  assert.equal(stirling2(5, 2), 15);
  assert.equal(stirling2(9, 2), 255);
  assert.equal(setPartitions(5, 2).length, 15);
  assert.equal(setPartitions(6, 3).length, stirling2(6, 3));
  const s = twinsSpace({ n: 4, rounds: 2 });
  assert.deepEqual([s.f, s.perRound, s.total], [1, 15, 225]);
  // n = 7: two twins, 9 instances, leaders n0 or n1
  assert.equal(twinsSpace({ n: 7, rounds: 1 }).total, 255 * 2);
  assert.equal(twinsSpace({ n: 4, rounds: 1, leaders: "all" }).total, 15 * 4);
  assert.equal(twinsSpace({ n: 4, rounds: 1, placements: "all" }).total, 4 * 15);
  // enumeration covers every scenario once, each partition covering all n + f instances
  const all = [...twinsScenarios({ n: 4, rounds: 2 })];
  assert.equal(all.length, 225);
  assert.equal(new Set(all.map(formatScenario)).size, 225);
  for (const sc of all) {
    for (const r of sc.rounds) {
      assert.deepEqual(r.partition.flat().sort(), ["n0", "n0'", "n1", "n2", "n3"]);
      assert.equal(r.partition.length, 2);
      assert.ok(r.partition.every((g) => g.length > 0));
      assert.equal(r.leader, "n0");
    }
  }
  assert.equal(formatScenario(scenarioAt(s, 0)), formatScenario(all[0]));
  // sampling is deterministic in the seed
  const a = [...twinsScenarios({ n: 7, rounds: 3 }, { count: 5, seed: 9 })].map(formatScenario);
  const b = [...twinsScenarios({ n: 7, rounds: 3 }, { count: 5, seed: 9 })].map(formatScenario);
  assert.deepEqual(a, b);
});

Deno.test("twins generator: one-way links order the groups, P!·S(n + f, P) per round", () => {
  assert.equal(orderedPartitions(5, 3).length, 6 * stirling2(5, 3));
  assert.equal(new Set(orderedPartitions(5, 2).map(String)).size, 2 * 15);
  const s = twinsSpace({ n: 4, rounds: 2, partitions: 3, links: "oneway" });
  assert.equal(s.total, (6 * 25) ** 2);
  const sc = scenarioAt(s, 7);
  assert.ok(sc.rounds.every((r) => r.oneway === true));
  assert.match(formatScenario(sc), /\}>\{/);
  // shrinking may make a one-way round symmetric or merge two of its groups
  const c = shrinkCandidates(sc);
  assert.ok(
    c.some((x) => x.rounds.some((r) => r.oneway === undefined && r.partition.length === 3)),
  );
  assert.ok(c.some((x) => x.rounds.some((r) => r.partition.length === 2)));
  assert.deepEqual(parseTwinsScenario(sc), sc);
});

Deno.test("twins generator: impossible placements are ConfigErrors naming the field", () => {
  const field = (fn: () => unknown, path: RegExp) =>
    assert.throws(fn, (e) => e instanceof ConfigError && e.issues.some((i) => path.test(i.path)));
  field(() => twinsSpace({ n: 4, f: 2 }), /^f$/); // more twins than f = 1
  field(() => twinsSpace({ n: 4, twins: ["n0", "n1"] }), /^twins$/);
  field(() => twinsSpace({ n: 4, twins: ["n7"] }), /^twins\[0\]$/);
  field(() => twinsSpace({ n: 7, twins: ["n1", "n1"] }), /^twins\[1\]$/);
  field(() => twinsSpace({ n: 4, partitions: 6 }), /^partitions$/);
  field(() => twinsSpace({ n: 3, f: 0 }), /^leaders$/);
  field(
    () => parseTwinsScenario({ n: 4, twins: ["n0"], rounds: [{ leader: "n9", partition: [] }] }),
    /leader/,
  );
  field(
    () =>
      parseTwinsScenario({ n: 4, twins: ["n0"], rounds: [{ leader: "n0", partition: [["n1'"]] }] }),
    /partition\[0\]\[0\]/,
  );
  field(() => twinsExplore("pbft", { mistake: "nope", scenarios: 1 }), /.*/);
});

const perfNow = () => performance.now();

Deno.test("twins on PBFT: f twins, flags off → no breach; both mistakes caught, shrunk, replayed", () => {
  const [off, commit, vc] = twinsExplore("pbft", {
    scenarios: 25,
    rounds: 3,
    seed: 1,
    mistake: ["none", "commitOn2f", "viewChangeIgnoresPrepared"],
    now: perfNow,
  });
  console.log(JSON.stringify([off, commit, vc].map((r) => ({ ...r, minimalScenario: undefined }))));
  assert.equal(off.violations, 0);
  assert.equal(off.errors, 0);
  assert.ok(vc.violations > 0, "viewChangeIgnoresPrepared caught");
  assert.equal(vc.replayed, true);
  // the minimal scenario found for commitOn2f with 60 samples (seed 1), replayed as data
  const min: TwinsScenario = {
    n: 4,
    twins: ["n0"],
    rounds: [
      { leader: "n0", partition: [["n0", "n2", "n0'"], ["n1", "n3"]] },
      { leader: "n0", partition: [["n0", "n1", "n2", "n3", "n0'"]] },
      { leader: "n0", partition: [["n0", "n1"], ["n2", "n3", "n0'"]] },
    ],
  };
  const r1 = runTwinsScenario("pbft", min, { mistake: "commitOn2f" });
  const r2 = runTwinsScenario("pbft", min, { mistake: "commitOn2f" });
  assert.equal(r1.violated, true, "commitOn2f caught");
  assert.equal(r1.breach, r2.breach);
  assert.match(r1.breach!, /agreement/);
  assert.equal(runTwinsScenario("pbft", min).violated, false, "same scenario, flag off: safe");
  void commit;
});

Deno.test("twins on Tendermint: f twins, flags off → no breach", () => {
  const [row] = twinsExplore("tendermint", { scenarios: 6, rounds: 3, seed: 2, shrink: false });
  assert.equal(row.violations, 0);
  assert.equal(row.errors, 0);
});

Deno.test("twins sweep: one seed → { breach?, decisions }", () => {
  const one = twinsSweeper("pbft");
  const r = one(3);
  assert.equal(r.breach, undefined);
  assert.ok(r.decisions > 0);
});
