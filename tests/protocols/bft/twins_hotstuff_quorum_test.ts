/**
 * Twins catches HotStuff's quorumOffByOne (lib/protocols/hotstuff/config.ts; the argument is in
 * lib/protocols/bft/twins.ts): one round at n = 4 that puts the twin instances of n0 in different
 * groups, each with an honest replica, makes both groups certify and decide their own node with
 * quorums of 2; the flag off, the same scenario is safe. Sampling the paper's space finds it, and
 * the shrinker reduces it to one partitioned round that replays the breach.
 */
import assert from "node:assert/strict";
import { formatScenario, type TwinsScenario } from "@lab/protocols/bft/twins.ts";
import { runTwinsScenario, TWINS_MISTAKES, twinsExplore } from "@lab/protocols/bft/twins_run.ts";
import { HotStuffConfigSchema } from "@lab/protocols/hotstuff/config.ts";

const RUN = { seed: 1, roundMode: "message", clients: 1 } as const;

/** Leader n0; t = n0 with n1, t' = n0' with n2 and n3. */
const SPLIT: TwinsScenario = {
  n: 4,
  twins: ["n0"],
  rounds: [{ leader: "n0", partition: [["n0", "n1"], ["n0'", "n2", "n3"]] }],
};

Deno.test("hotstuff quorumOffByOne: off by default, a Twins mistake of HotStuff", () => {
  assert.equal(HotStuffConfigSchema.parse({}).mistakeQuorumOffByOne, false);
  assert.ok((TWINS_MISTAKES.hotstuff as readonly string[]).includes("quorumOffByOne"));
});

Deno.test("hotstuff quorumOffByOne: one split round decides two nodes; safe with the flag off", () => {
  const bad = runTwinsScenario("hotstuff", SPLIT, { ...RUN, mistake: "quorumOffByOne" });
  assert.equal(bad.violated, true, "caught");
  assert.match(bad.breach!, /agreement/);
  assert.match(bad.breach!, /culprits=n0\b/, "the twinned identity is the culprit");
  const ok = runTwinsScenario("hotstuff", SPLIT, RUN);
  assert.equal(ok.violated, false, ok.breach);
  assert.ok(ok.decisions > 0, "flags off, the run still decides");
});

Deno.test("hotstuff quorumOffByOne: sampled paper rounds catch it; minimal scenario replayed", () => {
  const [off, on] = twinsExplore("hotstuff", {
    n: 4,
    rounds: 3,
    partitions: 2,
    scenarios: 4,
    ...RUN,
    mistake: ["none", "quorumOffByOne"],
  });
  assert.equal(off.violations, 0, off.breach);
  assert.equal(off.errors, 0);
  assert.ok(on.violations >= 1, `${on.violations} of ${on.explored}`);
  assert.equal(on.replayed, true);
  const min = on.minimalScenario!;
  console.log("minimal (quorumOffByOne):", formatScenario(min));
  // shrunk to one partitioned round splitting the twin instances, each with an honest replica
  const parts = min.rounds.filter((r) => r.partition.length > 1);
  assert.equal(parts.length, 1, on.minimal);
  const groups = parts[0].partition;
  const t = groups.find((g) => g.includes("n0"))!;
  const t2 = groups.find((g) => g.includes("n0'"))!;
  assert.notEqual(t, t2, "twin instances apart");
  assert.ok(t.length >= 2 && t2.length >= 2, on.minimal);
  // the shrunk scenario is safe with the flag off
  assert.equal(runTwinsScenario("hotstuff", min, RUN).violated, false);
});
