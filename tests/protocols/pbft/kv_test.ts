/**
 * The key-value store on PBFT, end to end: the unchanged KvServer, workload and linearizability
 * checker over PBFT replicas with crashes, partitions, loss and a Byzantine replica; BftInvariants
 * on every event. Replay one seed: `PBFT_KV_SEED=3 deno test -A tests/protocols/pbft/kv_test.ts`
 */
import assert from "node:assert/strict";
import { checkLinearizability, kvModel } from "../../../lib/checkers/mod.ts";
import { installWorkload } from "../../../lib/workload/client.ts";
import { kvClientDriver, kvOpGenerator } from "../../../lib/protocols/kv/client.ts";
import { pbftCluster } from "../../../lib/protocols/pbft/cluster.ts";
import { pbftKvServer } from "../../../lib/protocols/pbft/kv.ts";
import { ConfigError } from "../../../lib/sim/errors.ts";
import type { StrategyInput } from "../../../lib/net/adversary.ts";

const ONLY = Deno.env.get("PBFT_KV_SEED");
const SEEDS = ONLY ? [Number(ONLY)] : [1, 2, 3, 4, 5, 6];
const STRATEGIES: StrategyInput[] = [
  { kind: "equivocate" },
  { kind: "silent" },
  { kind: "withholdVotes" },
  { kind: "delay", delayMs: 150 },
  { kind: "replay", afterMs: 40 },
  { kind: "impersonate", victim: "n1" },
];

Deno.test(`pbft kv: histories under faults and one Byzantine replica are linearizable (${SEEDS.length} seeds)`, () => {
  for (const seed of SEEDS) {
    const what =
      `seed=${seed}; replay: PBFT_KV_SEED=${seed} deno test -A tests/protocols/pbft/kv_test.ts`;
    const c = pbftCluster({
      seed,
      n: 4,
      trace: { mode: "off" },
      network: { latency: { kind: "uniform", minMs: 1, maxMs: 8 }, lossRatio: 0.01 },
      byzantine: [{ nodes: [`n${seed % 4}`], strategies: [STRATEGIES[seed % STRATEGIES.length]] }],
      nemesis: [
        { atMs: 800, type: "crash", node: `n${(seed + 1) % 4}` },
        { atMs: 1_600, type: "restart", node: `n${(seed + 1) % 4}` },
        { atMs: 2_200, type: "isolate", node: `n${(seed + 2) % 4}` },
        { atMs: 2_800, type: "heal" },
      ],
      pbft: { checkpointInterval: 8, logWindow: 32 },
    });
    const w = installWorkload(
      c.sim,
      kvClientDriver({ followLeader: true }),
      kvOpGenerator({ keys: 3 }),
      { mode: "closed", clients: 4, endMs: 4_000, timeoutMs: 300, retries: 60, retryBackoffMs: 10 },
    );
    c.sim.run({ untilMs: 5_000 });
    const ok = w.history.filter((e) => e.type === "ok").length;
    assert.ok(ok > 50, `only ${ok} ok operations, ${what}`);
    const r = checkLinearizability(w.history, kvModel({ initial: null }));
    assert.equal(r.verdict, "ok", `${what}\n${r.explanation}`);
  }
});

Deno.test("pbft kv: every replica applies the same commands in the same order", () => {
  const c = pbftCluster({
    seed: 7,
    n: 4,
    network: { latency: { kind: "uniform", minMs: 1, maxMs: 8 } },
  });
  installWorkload(c.sim, kvClientDriver({ followLeader: true }), kvOpGenerator({ keys: 3 }), {
    mode: "closed",
    clients: 3,
    endMs: 1_000,
    timeoutMs: 300,
    retries: 20,
  });
  c.sim.run({ untilMs: 1_500 });
  const applied = new Map<string, string[]>();
  for (const e of c.sim.events) {
    if (e.event.type !== "kv-apply") continue;
    let l = applied.get(e.node);
    if (!l) applied.set(e.node, l = []);
    l.push(`${e.event.index}:${e.event.clientId}/${e.event.seq}`);
  }
  const ref = applied.get("n0")!;
  assert.ok(ref.length > 50);
  for (const id of c.nodes) assert.deepEqual(applied.get(id), ref, id);
});

Deno.test("pbft kv: lease reads are refused with a ConfigError", () => {
  assert.throws(() => pbftKvServer({ kv: { reads: "lease" } }), ConfigError);
});
