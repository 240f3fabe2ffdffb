/**
 * Dynamo §4.6: under a partition, a strict quorum (only the preference list's top N count)
 * refuses writes on the side that lacks W of them, while a sloppy quorum (the first N healthy
 * nodes) accepts them on stand-ins that keep hints; after the heal the hints are handed off and
 * the replicas converge (convergence checker).
 */
import assert from "node:assert/strict";
import { createDynamoCluster, type DynamoConfigInput } from "@lab/protocols/dynamo/mod.ts";
import { checkConvergence } from "@lab/checkers/mod.ts";

const SIDE_A = ["n0", "n1", "n2"];
const SIDE_B = ["n3", "n4"];

/**
 * A key whose top 3 holds both side-B nodes: side A reaches one of its replicas, so W = 2 is out
 * of a strict quorum's reach there, while side A has the 3 healthy nodes a sloppy quorum needs.
 */
function keyOwnedBySideB(c: ReturnType<typeof createDynamoCluster>): string {
  for (let i = 0;; i++) {
    const key = `key${i}`;
    if (SIDE_B.every((p) => c.preferenceList(key).includes(p))) return key;
  }
}

function scenario(config: DynamoConfigInput) {
  const c = createDynamoCluster({
    seed: 11,
    nodes: 5,
    config: { n: 3, r: 2, w: 2, ...config },
    network: { latency: { kind: "uniform", minMs: 1, maxMs: 3 } },
  });
  const key = keyOwnedBySideB(c);
  const a = c.client({ home: "n0" }); // on side A
  c.run(500);
  c.net.partition([[...SIDE_A, a.id], SIDE_B]);
  c.run(1000);
  const results = [];
  for (let i = 0; i < 5; i++) {
    // read-modify-write: the put carries the read's context, so it supersedes what was read
    c.settle([a.get(key)]);
    const op = a.put(key, `w${i}`);
    c.settle([op]);
    results.push(op.result!.status);
  }
  const during = c.counters();
  const pendingHints = c.nodes.reduce((s, id) => s + Object.keys(c.nodeState(id)!.hints).length, 0);
  c.net.heal();
  c.run(c.sim.nowMs + 2000);
  return { c, key, results, during, pendingHints };
}

Deno.test("dynamo sloppy quorum: the side without W replicas keeps accepting writes where a strict quorum refuses", () => {
  const strict = scenario({ quorum: "strict" });
  assert.deepEqual(strict.results, Array(5).fill("unavailable"));
  assert.equal(strict.during.putsOk, 0);
  assert.equal(strict.during.hintsStored, 0);
  const sloppy = scenario({ quorum: "sloppy" });
  assert.deepEqual(sloppy.results, Array(5).fill("ok"));
  assert.ok(
    sloppy.during.hintsStored > 0,
    "stand-ins must hold hints for the unreachable replicas",
  );
  assert.ok(sloppy.pendingHints > 0);
});

Deno.test("dynamo hinted handoff: after the heal the hints reach their nodes and the replicas converge", () => {
  const { c, key, during } = scenario({ quorum: "sloppy" });
  const after = c.counters();
  assert.ok(after.hintsDelivered > 0 && after.hintsDelivered >= during.hintsDelivered);
  for (const id of c.nodes) assert.deepEqual(c.nodeState(id)!.hints, {}, `${id} still holds hints`);
  const conv = checkConvergence(c.replicaSnapshots());
  assert.equal(conv.verdict, "ok", conv.explanation);
  for (const owner of c.preferenceList(key)) {
    assert.deepEqual(c.nodeState(owner)!.store[key].map((v) => v.value), ["w4"]);
  }
});

Deno.test("dynamo hinted handoff: without handoff (and no anti-entropy) the replicas stay apart", () => {
  const { c } = scenario({ quorum: "sloppy", handoffIntervalMs: 1e9 });
  assert.equal(c.counters().hintsDelivered, 0);
  const conv = checkConvergence(c.replicaSnapshots());
  assert.equal(conv.verdict, "illegal");
});
