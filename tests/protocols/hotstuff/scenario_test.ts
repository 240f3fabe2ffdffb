/**
 * HotStuff scenarios on the simulator (Yin et al., PODC 2019), basic and chained: normal case,
 * a crashed leader (the pacemaker rotates, §4.4), every adversary strategy with ≤ f traitors, an
 * f + 1 coalition caught with culprits, n = 3f refused, KV linearizability under faults, restart
 * from durable state, determinism.
 */
import assert from "node:assert/strict";
import { checkLinearizability, kvModel } from "../../../lib/checkers/mod.ts";
import { ConfigError } from "../../../lib/sim/errors.ts";
import type { StrategyInput } from "../../../lib/net/adversary.ts";
import { hotstuffCluster } from "../../../lib/protocols/hotstuff/cluster.ts";
import { HotStuffNode } from "../../../lib/protocols/hotstuff/node.ts";
import { logNodeOf } from "../../../lib/protocols/kv/replicated_log.ts";

const NET = { latency: { kind: "uniform" as const, minMs: 1, maxMs: 10 } };
const VARIANTS = ["basic", "chained"] as const;

function hs(c: ReturnType<typeof hotstuffCluster>, id: string) {
  const x = c.sim.instanceOf(id) as unknown as { inner?: unknown };
  return logNodeOf(x?.inner ?? x, HotStuffNode)!;
}

Deno.test("hotstuff: normal case on 4 and 7 replicas, basic and chained, decides one chain that all share", () => {
  for (const variant of VARIANTS) {
    for (const n of [4, 7]) {
      const c = hotstuffCluster({
        seed: n,
        n,
        variant,
        clients: 3,
        network: NET,
        trace: { mode: "off" },
      });
      c.sim.run({ untilMs: 1_000 });
      assert.ok(c.inv.decidedSlots > 15, `${variant} n=${n}: ${c.inv.decidedSlots} heights`);
      const chains = c.nodes.map((id) => hs(c, id).committedChain().slice(0, 10));
      for (const l of chains) assert.deepEqual(l, chains[0]);
      assert.equal(c.inv.breaches.length, 0);
      // a stable leader run never times out a view
      assert.equal(c.sim.events.filter((e) => e.event.type === "hs-timeout").length, 0);
    }
  }
});

Deno.test("hotstuff: a crashed leader costs a view timeout; the pacemaker rotates to the next leader and decisions go on (§4.4)", () => {
  const cases = [
    ["basic", 4, 1],
    ["chained", 7, 1],
    ["chained", 4, 2],
  ] as const;
  for (const [variant, n, viewsPerLeader] of cases) {
    const c = hotstuffCluster({
      seed: 3,
      n,
      variant,
      network: NET,
      hotstuff: { viewsPerLeader, viewTimeoutMs: 100 },
      nemesis: [{ atMs: 100, type: "crash", node: "n2" }],
    });
    c.sim.run({ untilMs: 100 });
    const before = c.inv.decidedSlots;
    c.sim.run({ untilMs: 2_000 });
    const what = `${variant} n=${n} viewsPerLeader=${viewsPerLeader}`;
    assert.ok(c.inv.decidedSlots > before + 10, `${what}: ${before} → ${c.inv.decidedSlots}`);
    assert.ok(c.sim.events.some((e) => e.event.type === "hs-timeout"), `${what}: no timeout`);
    assert.equal(c.inv.breaches.length, 0);
  }
});

Deno.test("hotstuff (chained): with a new leader every view, n = 4 and one crashed replica, no Three-Chain of consecutive views ever forms again (§5 commit rule)", () => {
  const c = hotstuffCluster({
    seed: 3,
    n: 4,
    variant: "chained",
    network: NET,
    hotstuff: { viewTimeoutMs: 100 },
    nemesis: [{ atMs: 100, type: "crash", node: "n2" }],
  });
  c.sim.run({ untilMs: 150 });
  const before = c.inv.decidedSlots;
  c.sim.run({ untilMs: 2_000 });
  // views still advance (certified two-chains form), but a commit needs four honest leaders in a row
  assert.ok(c.inv.decidedSlots <= before + 1, `${before} → ${c.inv.decidedSlots}`);
  assert.ok(hs(c, "n0").inspect().view > 20);
});

Deno.test("hotstuff: each Byzantine strategy with f = 1 (n = 4) and f = 2 (n = 7) traitors keeps agreement and makes progress after heal", () => {
  const strategies: StrategyInput[] = [
    { kind: "equivocate" },
    { kind: "silent" },
    { kind: "delay", delayMs: 80 },
    { kind: "withholdVotes" },
    { kind: "replay", afterMs: 150 },
    { kind: "impersonate", victim: "n3" },
  ];
  for (const variant of VARIANTS) {
    for (const [n, traitors] of [[4, ["n1"]], [7, ["n1", "n2"]]] as const) {
      for (const s of strategies) {
        const c = hotstuffCluster({
          seed: 11,
          n,
          variant,
          // chained HotStuff at n = 4 needs two views per leader to stay live with a mute one
          hotstuff: {
            viewsPerLeader: variant === "chained" ? 2 : 1,
            viewTimeoutMs: 100,
            maxBackoffExponent: 3,
          },
          network: NET,
          clients: 2,
          trace: { mode: "off" },
          collectEvents: false,
          byzantine: [{ nodes: [...traitors], strategies: [s] }],
          nemesis: [
            { atMs: 300, type: "partition", groups: [["n0", "n1"], rest(n)] },
            { atMs: 600, type: "heal" },
          ],
        });
        c.sim.run({ untilMs: 1_000 });
        const before = c.inv.decidedSlots;
        c.sim.run({ untilMs: 3_000 });
        const what = `${variant} ${s.kind} n=${n}`;
        assert.equal(c.inv.breaches.length, 0, what);
        assert.ok(c.inv.decidedSlots > before, `${what}: no progress after heal`);
        if (s.kind === "impersonate") {
          // forged votes never verify, so nothing is attributed to the victim
          for (const l of c.inv.log.bySlot.values()) {
            assert.ok(l.every((st) => st.signature.signer === st.signer));
          }
        }
      }
    }
  }
});

function rest(n: number): string[] {
  return Array.from({ length: n - 2 }, (_, i) => `n${i + 2}`);
}

Deno.test("hotstuff: a coalition of f + 1 equivocators breaks agreement (basic and chained) and is caught with ≥ f + 1 Byzantine culprits", () => {
  // the coalition leads the first views (chained: four in a row, so both forks get Three-Chains
  // of consecutive views); group B plus the coalition is a quorum
  const cases = [[4, ["n0", "n1"], ["n3"]], [7, ["n0", "n1", "n2"], ["n5", "n6"]]] as const;
  for (const variant of VARIANTS) {
    for (const [n, coalition, groupB] of cases) {
      let caught = 0;
      for (let seed = 1; seed <= 10 && caught === 0; seed++) {
        const c = hotstuffCluster({
          seed,
          n,
          variant,
          network: NET,
          throwOnBreach: false,
          trace: { mode: "off" },
          collectEvents: false,
          hotstuff: { viewsPerLeader: variant === "basic" ? 1 : n === 4 ? 4 : 2 },
          byzantine: [{
            nodes: [...coalition],
            strategies: [{ kind: "equivocate", groupB: [...groupB] }],
          }],
        });
        c.sim.run({ untilMs: 1_000 });
        const b = c.inv.breaches.find((x) => x.invariant === "agreement");
        if (!b) continue;
        caught++;
        const f = c.size.f;
        assert.ok(b.culprits.length >= f + 1, `${variant}: ${b.culprits.length} culprits, n=${n}`);
        for (const x of b.culprits) {
          assert.ok((coalition as readonly string[]).includes(x.node), x.node);
        }
      }
      assert.ok(
        caught > 0,
        `${variant}: no breach with a coalition of ${coalition.length} in n=${n}`,
      );
    }
  }
});

Deno.test("hotstuff: n = 3f is refused naming n and f unless allowUnsafe; bad options name the field", () => {
  assert.throws(
    () => hotstuffCluster({ seed: 1, n: 3, f: 1 }),
    (e: unknown) => e instanceof ConfigError && /n = 3 < 3f \+ 1 = 4 for f = 1/.test(e.message),
  );
  assert.throws(
    () => hotstuffCluster({ seed: 1, n: 4, clients: -1 }),
    (e: unknown) => e instanceof ConfigError && /clients/.test(e.message),
  );
  assert.throws(
    () => hotstuffCluster({ seed: 1, n: 4, variant: "pipelined" as "basic" }),
    (e: unknown) => e instanceof ConfigError && /variant/.test(e.message),
  );
  assert.throws(
    () => hotstuffCluster({ seed: 1, n: 4, hotstuff: { viewTimeoutMs: -1 } }),
    (e: unknown) => e instanceof ConfigError && /viewTimeoutMs/.test(e.message),
  );
  const c = hotstuffCluster({ seed: 1, n: 3, f: 1, allowUnsafe: true });
  c.sim.run({ untilMs: 200 });
  assert.ok(c.inv.decidedSlots > 0);
});

Deno.test("hotstuff kv: histories under partitions, crashes and a Byzantine replica are linearizable (basic and chained)", () => {
  for (const variant of VARIANTS) {
    for (const seed of [1, 2, 3]) {
      const c = hotstuffCluster({
        seed,
        n: 4,
        variant,
        clients: 4,
        network: { ...NET, lossRatio: 0.01 },
        trace: { mode: "off" },
        collectEvents: false,
        hotstuff: {
          viewTimeoutMs: 150,
          viewsPerLeader: variant === "chained" ? 2 : 1,
          maxBackoffExponent: 3,
        },
        workload: { endMs: 3_500, timeoutMs: 300, retries: 100 },
        byzantine: [{ nodes: [`n${seed % 4}`], strategies: [{ kind: "equivocate" }] }],
        nemesis: [
          { generator: "randomHalves", startMs: 200, endMs: 2_000, periodMs: 600, faultMs: 250 },
          { atMs: 900, type: "crash", node: `n${(seed + 1) % 4}` },
          { atMs: 1_300, type: "restart", node: `n${(seed + 1) % 4}` },
        ],
      });
      c.sim.run({ untilMs: 4_500 });
      const h = c.workload!.history;
      const ok = h.filter((e) => e.type === "ok").length;
      assert.ok(ok > 5, `${variant} seed=${seed}: ${ok} ok`);
      const r = checkLinearizability(h, kvModel({ initial: null }));
      assert.equal(r.verdict, "ok", `${variant} seed=${seed}\n${r.explanation}`);
    }
  }
});

Deno.test("hotstuff: a restarted replica resumes from durable storage (locks, votes, committed chain) and keeps deciding", () => {
  for (const variant of VARIANTS) {
    const c = hotstuffCluster({
      seed: 5,
      n: 4,
      variant,
      clients: 2,
      network: NET,
      nemesis: [{ atMs: 400, type: "crash", node: "n1" }, {
        atMs: 700,
        type: "restart",
        node: "n1",
      }],
    });
    c.sim.run({ untilMs: 399 });
    const before = hs(c, "n1").inspect();
    c.sim.run({ untilMs: 701 });
    const after = hs(c, "n1").inspect();
    assert.ok(after.committedHeight >= before.committedHeight, `${variant}: chain kept`);
    assert.ok(after.lockedView >= before.lockedView, `${variant}: lock kept`);
    c.sim.run({ untilMs: 2_000 });
    assert.equal(c.inv.breaches.length, 0);
    assert.ok(hs(c, "n1").inspect().committedHeight > after.committedHeight + 5, variant);
  }
});

Deno.test("hotstuff: a replica cut off for a while catches up by fetching the missing nodes", () => {
  for (const variant of VARIANTS) {
    const c = hotstuffCluster({
      seed: 8,
      n: 4,
      variant,
      network: NET,
      hotstuff: { viewTimeoutMs: 100, viewsPerLeader: variant === "chained" ? 2 : 1 },
      nemesis: [{ atMs: 100, type: "isolate", node: "n3" }, { atMs: 1_000, type: "heal" }],
    });
    c.sim.run({ untilMs: 999 });
    const behind = hs(c, "n3").inspect().committedHeight;
    const ahead = hs(c, "n0").inspect().committedHeight;
    assert.ok(ahead > behind + 5, `${variant}: ${behind} vs ${ahead}`);
    c.sim.run({ untilMs: 1_600 });
    assert.ok(hs(c, "n3").inspect().committedHeight >= ahead, `${variant}: n3 caught up`);
  }
});

Deno.test("hotstuff: the same seed gives the same trace hash; another seed another", () => {
  for (const variant of VARIANTS) {
    const hash = (seed: number) => {
      const c = hotstuffCluster({
        seed,
        n: 4,
        variant,
        clients: 2,
        network: NET,
        byzantine: [{ nodes: ["n1"], strategies: [{ kind: "equivocate" }] }],
      });
      c.sim.run({ untilMs: 600 });
      return c.sim.trace.hash();
    };
    assert.equal(hash(21), hash(21));
    assert.notEqual(hash(21), hash(22));
  }
});

Deno.test("hotstuff: every node of the run lives in one shared block tree with its QC in the payload", () => {
  const c = hotstuffCluster({ seed: 2, n: 4, network: NET, trace: { mode: "off" } });
  c.sim.run({ untilMs: 300 });
  const chain = hs(c, "n0").committedChain();
  assert.ok(chain.length > 5);
  for (const id of c.nodes) assert.equal(hs(c, id).tree, c.tree);
  const top = c.tree.idOf(chain.at(-1)!)!;
  const b = c.tree.block(top)!;
  assert.equal(c.tree.digestOf(c.tree.store.parent(top)), b.justify.node);
  assert.equal(b.justify.sigs.length, c.size.quorum);
});
