/**
 * Safety phase with faults, then a liveness phase after `repairAll` (STYLE.md): random
 * partitions, message loss, a crash and restart and a clock jump while clients write; after the
 * heal, hinted handoff, read repair and Merkle anti-entropy bring the replicas to one state
 * (convergence checker), in both conflict modes. With all three switched off they do not.
 */
import assert from "node:assert/strict";
import {
  createDynamoCluster,
  type DynamoConfigInput,
  dynamoOpGenerator,
} from "@lab/protocols/dynamo/mod.ts";
import { checkConvergence } from "@lab/checkers/mod.ts";

function faulty(seed: number, config: DynamoConfigInput) {
  const c = createDynamoCluster({
    seed,
    nodes: 5,
    config: { n: 3, r: 2, w: 2, antiEntropy: { intervalMs: 200 }, ...config },
    network: { latency: { kind: "exponential", meanMs: 2 }, lossRatio: 0.02 },
    nemesis: [
      { generator: "randomHalves", endMs: 3000, periodMs: 500, faultMs: 300 },
      { atMs: 800, type: "crash", node: "n1" },
      { atMs: 1500, type: "restart", node: "n1" },
      { atMs: 1000, type: "clockJump", node: "n2", deltaMs: -500 },
    ],
    trace: { mode: "off" },
  });
  const wl = c.workload(dynamoOpGenerator({ keys: 5 }), {
    clients: 6,
    endMs: 3000,
    timeoutMs: 500,
  });
  c.run(3000);
  c.repairAll();
  c.run(8000);
  return { c, wl };
}

Deno.test("dynamo faults: after random partitions, a crash and a clock jump, the healed replicas converge", () => {
  for (const conflict of ["vv", "lww"] as const) {
    for (const seed of [1, 2, 3]) {
      const { c, wl } = faulty(seed, { conflict });
      const conv = checkConvergence(c.replicaSnapshots());
      assert.equal(conv.verdict, "ok", `conflict=${conflict} seed=${seed}: ${conv.explanation}`);
      const k = c.counters();
      assert.ok(wl.history.length > 500 && k.hintsStored > 0 && k.hintsDelivered > 0);
    }
  }
});

Deno.test("dynamo faults: without handoff, read repair and anti-entropy the replicas stay apart", () => {
  const { c } = faulty(1, {
    handoffIntervalMs: 1e9,
    readRepair: false,
    antiEntropy: { intervalMs: 0 },
  });
  assert.equal(checkConvergence(c.replicaSnapshots()).verdict, "illegal");
});
