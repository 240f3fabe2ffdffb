/**
 * GRANDPA scenarios (Stewart and Kokoris-Kogia 2020): finality progresses in the normal case; with
 * ≤ f Byzantine voters of every strategy no two honest voters finalise conflicting blocks and
 * finality resumes after heal (§4.1 Theorem 4.1, §4.2); an f + 1 equivocating coalition finalises
 * conflicting blocks and the challenge procedure names ≥ f + 1 culprits, all Byzantine; unsafe
 * sizes are refused; a run is a function of its seed.
 */
import assert from "node:assert/strict";
import { ConfigError } from "../../../lib/sim/errors.ts";
import type { StrategyInput } from "../../../lib/net/adversary.ts";
import { grandpaCluster } from "../../../lib/protocols/grandpa/cluster.ts";

Deno.test("grandpa: finality progresses in the normal case (every honest voter, whole chains)", () => {
  const c = grandpaCluster({ seed: 1, n: 4 });
  c.sim.run({ untilMs: 1_000 });
  assert.equal(c.inv.breaches.length, 0);
  assert.ok(c.inv.decidedSlots >= 30, `finalised heights: ${c.inv.decidedSlots}`);
  for (const id of c.nodes) {
    const s = c.node(id)!.inspect();
    assert.ok(s.finalizedHeight >= 30 && s.finalizedHeight <= s.tipHeight, `${id}`);
  }
});

const strategies: StrategyInput[] = [
  { kind: "equivocate" },
  { kind: "silent" },
  { kind: "delay", delayMs: 60 },
  { kind: "withholdVotes" },
  { kind: "replay", afterMs: 150 },
  { kind: "impersonate", victim: "n2" },
];

for (const s of strategies) {
  Deno.test(`grandpa: ≤ f Byzantine (${s.kind}) under a partition: no conflicting finality, finality resumes after heal`, () => {
    for (const [n, traitors] of [[4, ["n1"]], [7, ["n1", "n4"]]] as const) {
      const c = grandpaCluster({
        seed: 3,
        n,
        byzantine: [{ nodes: [...traitors], strategies: [s] }],
        network: { latency: { kind: "uniform", minMs: 1, maxMs: 10 } },
        nemesis: [
          { atMs: 300, type: "partition", groups: [["n0", "n1"], c_rest(n)] },
          { atMs: 700, type: "heal" },
        ],
      });
      c.sim.run({ untilMs: 800 });
      const before = c.inv.decidedSlots;
      c.sim.run({ untilMs: 1_600 });
      assert.equal(c.inv.breaches.length, 0);
      assert.ok(c.inv.liveness(800, 500).ok, `n=${n} ${s.kind}: no finality after heal`);
      assert.ok(c.inv.decidedSlots > before);
    }
  });
}

function c_rest(n: number): string[] {
  return Array.from({ length: n - 2 }, (_, i) => `n${i + 2}`);
}

Deno.test("grandpa §4.1 Theorem 4.1: an f + 1 equivocating coalition finalises conflicting blocks; ≥ f + 1 culprits named, all Byzantine", () => {
  for (
    const [n, coalition, groupB] of [
      [4, ["n0", "n1"], ["n3"]],
      [7, ["n0", "n1", "n2"], ["n5", "n6"]],
    ] as const
  ) {
    const f = Math.floor((n - 1) / 3);
    const c = grandpaCluster({
      seed: 1,
      n,
      throwOnBreach: false,
      grandpa: { slotMs: 200 },
      byzantine: [{
        nodes: [...coalition],
        strategies: [{ kind: "equivocate", groupB: [...groupB] }],
      }],
    });
    c.sim.run({ untilMs: 1_500 });
    const breach = c.inv.breaches.find((b) => b.invariant === "agreement");
    assert.ok(breach, `n=${n}: no conflicting finality`);
    const culprits = breach.culprits.map((x) => x.node);
    assert.ok(culprits.length >= f + 1, `n=${n}: culprits ${culprits}`);
    for (const x of culprits) {
      assert.ok((coalition as readonly string[]).includes(x), `${x} is honest`);
    }
  }
});

Deno.test("grandpa: n = 3f refused naming n and f unless allowUnsafe; bad parameters name their field", () => {
  assert.throws(() => grandpaCluster({ seed: 1, n: 3, f: 1 }), (e) => {
    assert.ok(e instanceof ConfigError);
    assert.match(String(e), /n = 3 < 3f \+ 1 = 4/);
    return true;
  });
  const c = grandpaCluster({ seed: 1, n: 3, f: 1, allowUnsafe: true });
  c.sim.run({ untilMs: 200 });
  assert.throws(
    () => grandpaCluster({ seed: 1, n: 4, grandpa: { gossipDelayMs: -1 } }),
    /gossipDelayMs/,
  );
  assert.throws(
    () => grandpaCluster({ seed: 1, n: 4, grandpa: { forkChoice: "tallest" as "longest" } }),
    /forkChoice/,
  );
});

Deno.test("grandpa: a crashed voter restarts from durable storage without equivocating and catches up", () => {
  const c = grandpaCluster({
    seed: 5,
    n: 4,
    nemesis: [{ atMs: 200, type: "crash", node: "n2" }, { atMs: 600, type: "restart", node: "n2" }],
  });
  c.sim.run({ untilMs: 1_200 });
  assert.equal(c.inv.breaches.length, 0);
  const n2 = c.node("n2")!.inspect(), n0 = c.node("n0")!.inspect();
  assert.ok(
    n2.finalizedHeight >= n0.finalizedHeight - 3,
    `n2 ${n2.finalizedHeight} n0 ${n0.finalizedHeight}`,
  );
  assert.ok(n2.round >= n0.round - 1);
});

Deno.test("grandpa: same seed twice gives the same trace hash", () => {
  const run = () => {
    const c = grandpaCluster({
      seed: 9,
      n: 4,
      network: { latency: { kind: "uniform", minMs: 1, maxMs: 12 }, lossRatio: 0.05 },
      byzantine: [{ nodes: ["n3"], strategies: [{ kind: "equivocate" }] }],
    });
    c.sim.run({ untilMs: 600 });
    return c.sim.trace.hash();
  };
  assert.equal(run(), run());
});
