/**
 * Twins and the lock mistakes (Bano et al., "Twins: BFT Systems Made Robust", OPODIS 2021): the
 * step space with mixed links and unpartitioned rounds, scenario numbering, directed enumerations
 * and their bad input; Tendermint's unlockOnLowerRound caught in step rounds (the stale-polka
 * scenario of twins.ts, replayed; safe with the flags off); HotStuff's proposal salt (twins
 * propose distinct nodes in one view; off by default, where they propose the same one).
 */
import assert from "node:assert/strict";
import { ConfigError } from "@lab/sim/mod.ts";
import {
  formatScenario,
  scenarioAt,
  scenarioIndex,
  stirling2,
  type TwinsScenario,
  twinsSpace,
  twinsVariants,
} from "@lab/protocols/bft/twins.ts";
import {
  runTwinsScenario,
  STALE_POL_STEPS,
  STEP_RUN,
  twinsExplore,
} from "@lab/protocols/bft/twins_run.ts";
import { hotstuffCluster } from "@lab/protocols/hotstuff/cluster.ts";
import { HotStuffConfigSchema } from "@lab/protocols/hotstuff/config.ts";
import { nodeDigest } from "@lab/protocols/hotstuff/messages.ts";

const field = (fn: () => unknown, path: string) =>
  assert.throws(fn, (e) => e instanceof ConfigError && e.issues.some((i) => i.path === path));

const stepSpace = () =>
  twinsSpace({ n: 4, twins: ["n0"], rounds: 6, partitions: 2, links: "mixed", whole: true });

Deno.test("twins step space: 1 + S(5, 2) + 2·S(5, 2) = 46 choices a step; numbering inverts", () => {
  const s = stepSpace();
  assert.equal(s.perRound, 1 + stirling2(5, 2) + 2 * stirling2(5, 2));
  assert.equal(s.perRound, 46);
  assert.equal(s.blockOneway.filter((x) => x).length, 30);
  assert.equal(s.total, 46 ** 6);
  assert.equal(twinsSpace({ n: 4, rounds: 1, links: "mixed" }).perRound, 45);
  // round 0 of scenario 0 is the unpartitioned one
  assert.deepEqual(scenarioAt(s, 0).rounds[0].partition, [["n0", "n1", "n2", "n3", "n0'"]]);
  for (const i of [0, 1, 45, 46, 12345, 987654321, s.total - 1]) {
    assert.equal(scenarioIndex(s, scenarioAt(s, i)), i);
  }
  // the stale-polka scenario is in the space: its number gives it back (groups in any order)
  const k = scenarioIndex(s, STALE_POL_STEPS);
  assert.ok(k >= 0);
  assert.equal(scenarioIndex(s, scenarioAt(s, k)), k);
  // not in a space without one-way links, nor in one of another size
  assert.equal(scenarioIndex(twinsSpace({ n: 4, rounds: 6, whole: true }), STALE_POL_STEPS), -1);
  assert.equal(scenarioIndex(twinsSpace({ n: 4, rounds: 5, links: "mixed" }), STALE_POL_STEPS), -1);
});

Deno.test("twins directed enumeration: every choice of the listed steps, bad input refused", () => {
  const s = stepSpace();
  const v = [...twinsVariants(s, STALE_POL_STEPS, [5])];
  assert.equal(v.length, 46);
  assert.equal(new Set(v.map(formatScenario)).size, 46);
  for (const x of v) assert.deepEqual(x.rounds.slice(0, 5), STALE_POL_STEPS.rounds.slice(0, 5));
  assert.ok(v.some((x) => scenarioIndex(s, x) === scenarioIndex(s, STALE_POL_STEPS)));
  assert.equal([...twinsVariants(s, STALE_POL_STEPS, [0, 3])].length, 46 * 46);
  field(() => [...twinsVariants(s, { ...STALE_POL_STEPS, n: 7 }, [5])], "base.n");
  field(() => [...twinsVariants(s, { ...STALE_POL_STEPS, twins: ["n1"] }, [5])], "base.twins");
  field(
    () => [...twinsVariants(s, { ...STALE_POL_STEPS, rounds: [] }, [5])],
    "base.rounds",
  );
  field(() => [...twinsVariants(s, STALE_POL_STEPS, [6])], "vary[0]");
  field(() => [...twinsVariants(s, STALE_POL_STEPS, [1, 1])], "vary[1]");
  field(
    () =>
      twinsExplore("tendermint", {
        base: STALE_POL_STEPS,
        vary: [0, 1, 2, 3],
        links: "mixed",
        whole: true,
      }),
    "vary",
  );
});

Deno.test("twins on Tendermint: unlockOnLowerRound caught in step rounds, replayed; flags off safe", () => {
  console.log("stale polka (unlockOnLowerRound):", formatScenario(STALE_POL_STEPS));
  const a = runTwinsScenario("tendermint", STALE_POL_STEPS, {
    ...STEP_RUN,
    mistake: "unlockOnLowerRound",
  });
  const b = runTwinsScenario("tendermint", STALE_POL_STEPS, {
    ...STEP_RUN,
    mistake: "unlockOnLowerRound",
  });
  assert.equal(a.violated, true, "unlockOnLowerRound caught");
  // n1 decides in round 1, n2 (locked in round 1, shown the round-0 polka in round 2) decides w
  assert.match(a.breach!, /agreement.*n1 decided .* but n2 decided/);
  assert.equal(a.breach, b.breach, "replay: same breach");
  assert.equal(runTwinsScenario("tendermint", STALE_POL_STEPS, STEP_RUN).violated, false);
  // robust to the network's draws: other seeds, same verdicts
  for (const seed of [2, 3, 4]) {
    const o = { ...STEP_RUN, seed };
    assert.equal(
      runTwinsScenario("tendermint", STALE_POL_STEPS, { ...o, mistake: "unlockOnLowerRound" })
        .violated,
      true,
    );
    assert.equal(runTwinsScenario("tendermint", STALE_POL_STEPS, o).violated, false);
  }
  // the same partitions as whole protocol rounds do not catch it (see twins.ts)
  const whole: TwinsScenario = { ...STALE_POL_STEPS, rounds: STALE_POL_STEPS.rounds.slice(0, 3) };
  assert.equal(
    runTwinsScenario("tendermint", whole, {
      ...STEP_RUN,
      roundMode: "message",
      mistake: "unlockOnLowerRound",
    }).violated,
    false,
  );
});

Deno.test("twins on Tendermint: directed enumeration of the round-0 prevote step, shrunk and replayed", () => {
  const [off, unlock] = twinsExplore("tendermint", {
    ...STEP_RUN,
    base: STALE_POL_STEPS,
    vary: [1],
    partitions: 2,
    links: "mixed",
    whole: true,
    scenarios: 46,
    mistake: ["none", "unlockOnLowerRound"],
  });
  assert.equal(off.explored, 46);
  assert.equal(off.violations, 0);
  assert.equal(off.errors, 0);
  assert.ok(unlock.violations >= 1, "caught among the 46 choices of step 1");
  assert.equal(unlock.replayed, true);
  const min = unlock.minimalScenario!;
  assert.equal(runTwinsScenario("tendermint", min, STEP_RUN).violated, false, "flags off: safe");
  console.log("minimal (unlockOnLowerRound, step 1 enumerated):", unlock.minimal);
});

/** Digests of the view-1 proposals of n0's two instances in a short run. */
function viewOneProposals(salt: boolean | undefined): Set<string> {
  const c = hotstuffCluster({
    seed: 1,
    n: 4,
    variant: "basic",
    trace: { mode: "off" },
    collectEvents: false,
    throwOnBreach: false,
    hotstuff: { leaderOf: () => "n0", ...(salt === undefined ? {} : { proposalSalt: salt }) },
  });
  c.sim.addTwin("n0");
  const seen = new Set<string>();
  c.sim.setRouter((_from, _to, msg) => {
    const m = msg as { type?: string; viewNumber?: number; node?: unknown };
    if (m.type === "prepare" && m.viewNumber === 1) seen.add(nodeDigest(m.node as never));
    return true;
  });
  c.sim.run({ untilMs: 50 });
  return seen;
}

Deno.test("HotStuff proposal salt: twins propose distinct nodes in one view; off by default", () => {
  assert.equal(HotStuffConfigSchema.parse({}).proposalSalt, false);
  assert.equal(viewOneProposals(true).size, 2, "salted twins: two conflicting view-1 nodes");
  assert.equal(viewOneProposals(undefined).size, 1, "default: both instances build one node");
  assert.equal(viewOneProposals(false).size, 1);
});
