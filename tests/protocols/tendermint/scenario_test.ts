/**
 * Tendermint scenarios on the simulator: normal case, round change after a crashed or Byzantine
 * proposer, every adversary strategy with ≤ f traitors, an f + 1 coalition caught with culprits,
 * n = 3f refused, KV linearizability under faults, restart from durable state, determinism.
 */
import assert from "node:assert/strict";
import { checkLinearizability, kvModel } from "../../../lib/checkers/mod.ts";
import { ConfigError } from "../../../lib/sim/errors.ts";
import type { StrategyInput } from "../../../lib/net/adversary.ts";
import { tendermintCluster } from "../../../lib/protocols/tendermint/cluster.ts";
import { TendermintNode } from "../../../lib/protocols/tendermint/node.ts";
import { logNodeOf } from "../../../lib/protocols/kv/replicated_log.ts";

const NET = { latency: { kind: "uniform" as const, minMs: 1, maxMs: 10 } };

function tm(c: ReturnType<typeof tendermintCluster>, id: string) {
  const x = c.sim.instanceOf(id) as unknown as { inner?: unknown };
  return logNodeOf(x?.inner ?? x, TendermintNode)!;
}

Deno.test("tendermint: normal case on 4 and 7 validators decides a chain, all agree (lines 11–54)", () => {
  for (const n of [4, 7]) {
    const c = tendermintCluster({ seed: n, n, clients: 3, network: NET, trace: { mode: "off" } });
    c.sim.run({ untilMs: 1_500 });
    assert.ok(c.inv.decidedSlots > 20, `n=${n}: ${c.inv.decidedSlots} heights`);
    const ids = c.nodes.map((id) => tm(c, id).chain().slice(0, 15).map((x) => x.block.parent));
    for (const l of ids) assert.deepEqual(l, ids[0]);
    // every decision of the normal case is in round 0
    assert.ok(tm(c, "n0").chain().slice(0, 10).every((x) => x.round === 0));
  }
});

Deno.test("tendermint: a crashed proposer costs a round change (timeoutPropose, f+1 round skip), then progress", () => {
  const c = tendermintCluster({
    seed: 3,
    n: 4,
    network: NET,
    nemesis: [{ atMs: 0, type: "crash", node: "n2" }],
  });
  c.sim.run({ untilMs: 2_000 });
  const rounds = tm(c, "n0").chain().map((x) => x.round);
  assert.ok(rounds.length > 10);
  assert.ok(rounds.some((r) => r > 0), "heights proposed by n2 are decided in round ≥ 1");
  assert.ok(rounds.some((r) => r === 0));
});

Deno.test("tendermint: each Byzantine strategy with f = 1 (n = 4) and f = 2 (n = 7) traitors keeps agreement and makes progress", () => {
  const strategies: StrategyInput[] = [
    { kind: "equivocate" },
    { kind: "silent" },
    { kind: "delay", delayMs: 80 },
    { kind: "withholdVotes" },
    { kind: "replay", afterMs: 150 },
    { kind: "impersonate", victim: "n3" },
  ];
  for (const [n, traitors] of [[4, ["n1"]], [7, ["n1", "n2"]]] as const) {
    for (const s of strategies) {
      const c = tendermintCluster({
        seed: 11,
        n,
        network: NET,
        clients: 2,
        trace: { mode: "off" },
        byzantine: [{ nodes: [...traitors], strategies: [s] }],
        nemesis: [
          { atMs: 300, type: "partition", groups: [["n0", "n1"], c7(n)] },
          { atMs: 600, type: "heal" },
        ],
      });
      c.sim.run({ untilMs: 1_000 });
      const before = c.inv.decidedSlots;
      c.sim.run({ untilMs: 3_000 });
      assert.equal(c.inv.breaches.length, 0, `${s.kind} n=${n}`);
      assert.ok(c.inv.decidedSlots > before, `${s.kind} n=${n}: no progress after heal`);
      if (s.kind === "impersonate") {
        // forged votes never verify, so nothing is attributed to the victim
        assert.ok(c.inv.log.at(1).every((st) => st.signature.signer === st.signer));
      }
    }
  }
});

function c7(n: number): string[] {
  return Array.from({ length: n - 2 }, (_, i) => `n${i + 2}`);
}

Deno.test("tendermint: a coalition of f + 1 equivocators breaks agreement and is caught with ≥ f + 1 Byzantine culprits", () => {
  // groupB splits the honest validators in two, each half plus the coalition a quorum
  const cases = [[4, ["n0", "n1"], ["n3"]], [7, ["n0", "n1", "n2"], ["n5", "n6"]]] as const;
  for (const [n, coalition, groupB] of cases) {
    let caught = 0;
    for (let seed = 1; seed <= 10 && caught === 0; seed++) {
      const c = tendermintCluster({
        seed,
        n,
        network: NET,
        throwOnBreach: false,
        trace: { mode: "off" },
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
      assert.ok(b.culprits.length >= f + 1, `${b.culprits.length} culprits, n=${n}`);
      for (const x of b.culprits) {
        assert.ok((coalition as readonly string[]).includes(x.node), x.node);
      }
    }
    assert.ok(caught > 0, `no breach with a coalition of ${coalition.length} in n=${n}`);
  }
});

Deno.test("tendermint: n = 3f is refused naming n and f unless allowUnsafe", () => {
  assert.throws(
    () => tendermintCluster({ seed: 1, n: 3, f: 1 }),
    (e: unknown) => e instanceof ConfigError && /n = 3 < 3f \+ 1 = 4 for f = 1/.test(e.message),
  );
  assert.throws(
    () => tendermintCluster({ seed: 1, n: 4, clients: -1 }),
    (e: unknown) => e instanceof ConfigError && /clients/.test(e.message),
  );
  const c = tendermintCluster({ seed: 1, n: 3, f: 1, allowUnsafe: true });
  c.sim.run({ untilMs: 200 });
  assert.ok(c.inv.decidedSlots > 0);
});

Deno.test("tendermint kv: histories under partitions, crashes and a Byzantine validator are linearizable", () => {
  for (const seed of [1, 2, 3, 4, 5]) {
    const c = tendermintCluster({
      seed,
      n: 4,
      clients: 4,
      network: { ...NET, lossRatio: 0.01 },
      trace: { mode: "off" },
      workload: { endMs: 2_500, timeoutMs: 300, retries: 100 },
      byzantine: [{ nodes: [`n${seed % 4}`], strategies: [{ kind: "equivocate" }] }],
      nemesis: [
        { generator: "randomHalves", startMs: 200, endMs: 2_000, periodMs: 600, faultMs: 250 },
        { atMs: 900, type: "crash", node: `n${(seed + 1) % 4}` },
        { atMs: 1_300, type: "restart", node: `n${(seed + 1) % 4}` },
      ],
    });
    c.sim.run({ untilMs: 3_500 });
    const h = c.workload!.history;
    const ok = h.filter((e) => e.type === "ok").length;
    assert.ok(ok > 10, `seed=${seed}: ${ok} ok`);
    const r = checkLinearizability(h, kvModel({ initial: null }));
    assert.equal(r.verdict, "ok", `seed=${seed}\n${r.explanation}`);
  }
});

Deno.test("tendermint: a restarted validator resumes from durable storage (chain, lock, step) without contradicting its votes", () => {
  const c = tendermintCluster({
    seed: 5,
    n: 4,
    clients: 2,
    network: NET,
    nemesis: [{ atMs: 400, type: "crash", node: "n1" }, { atMs: 700, type: "restart", node: "n1" }],
  });
  c.sim.run({ untilMs: 399 });
  const before = tm(c, "n1").inspect();
  c.sim.run({ untilMs: 701 });
  const after = tm(c, "n1").inspect();
  assert.ok(after.decided >= before.decided, "chain kept");
  assert.equal(after.lastBlockId === before.lastBlockId || after.decided > before.decided, true);
  c.sim.run({ untilMs: 2_000 });
  assert.equal(c.inv.breaches.length, 0);
  assert.ok(tm(c, "n1").inspect().decided > after.decided, "caught up and kept deciding");
});

Deno.test("tendermint: a validator cut off for a while catches up by block sync (commit certificates)", () => {
  const c = tendermintCluster({
    seed: 8,
    n: 4,
    network: NET,
    nemesis: [{ atMs: 100, type: "isolate", node: "n3" }, { atMs: 1_000, type: "heal" }],
  });
  c.sim.run({ untilMs: 999 });
  const behind = tm(c, "n3").inspect().decided;
  const ahead = tm(c, "n0").inspect().decided;
  assert.ok(ahead > behind + 10);
  c.sim.run({ untilMs: 1_500 });
  assert.ok(tm(c, "n3").inspect().decided >= ahead, "n3 caught up");
});

Deno.test("tendermint: the same seed gives the same trace hash; another seed another", () => {
  const hash = (seed: number) => {
    const c = tendermintCluster({
      seed,
      n: 4,
      clients: 2,
      network: NET,
      byzantine: [{ nodes: ["n1"], strategies: [{ kind: "equivocate" }] }],
    });
    c.sim.run({ untilMs: 800 });
    return c.sim.trace.hash();
  };
  assert.equal(hash(21), hash(21));
  assert.notEqual(hash(21), hash(22));
});
