/**
 * Dynamo §5 (read repair) and §4.7 (anti-entropy with Merkle trees): a replica that missed a
 * write is fixed by the coordinator of a later read that heard its stale answer, or by periodic
 * Merkle-tree exchanges that ship only the differing leaves (fewer bytes than a full sync).
 */
import assert from "node:assert/strict";
import { createDynamoCluster, type DynamoConfigInput } from "@lab/protocols/dynamo/mod.ts";
import { checkConvergence } from "@lab/checkers/mod.ts";

/** Isolate one replica of `key` while a strict W = 2 write goes through, then heal. */
function missedWrite(config: DynamoConfigInput) {
  const c = createDynamoCluster({
    seed: 5,
    nodes: 4,
    config: { n: 3, r: 3, w: 2, quorum: "strict", ...config },
  });
  const key = "cart";
  const [, , stale] = c.preferenceList(key);
  const a = c.client({ home: c.preferenceList(key)[0] });
  c.settle([a.put(key, "old")]);
  c.settle([a.get(key)]); // the next put supersedes what this read saw
  c.run(c.sim.nowMs + 50);
  c.net.isolate(stale);
  c.settle([a.put(key, "new")]);
  c.net.heal();
  c.run(c.sim.nowMs + 50);
  const before = c.nodeState(stale)!.store[key].map((v) => v.value);
  const read = a.get(key);
  c.settle([read]);
  c.run(c.sim.nowMs + 200);
  return { c, key, stale, before, read };
}

Deno.test("dynamo read repair: the coordinator pushes the newest version to the stale replica it heard", () => {
  const { c, key, stale, before, read } = missedWrite({});
  assert.deepEqual(before, ["old"], "the isolated replica should have missed the write");
  assert.deepEqual(read.result?.values, ["new"]);
  assert.equal(c.counters().readRepairs, 1);
  assert.deepEqual(c.nodeState(stale)!.store[key].map((v) => v.value), ["new"]);
  assert.equal(checkConvergence(c.replicaSnapshots()).verdict, "ok");
});

Deno.test("dynamo read repair: switched off, the stale replica stays stale", () => {
  const { c, key, stale, read } = missedWrite({ readRepair: false });
  assert.deepEqual(read.result?.values, ["new"]);
  assert.equal(c.counters().readRepairs, 0);
  assert.deepEqual(c.nodeState(stale)!.store[key].map((v) => v.value), ["old"]);
  assert.equal(checkConvergence(c.replicaSnapshots()).verdict, "illegal");
});

/**
 * 200 keys written everywhere, then 5 updated while one node is isolated; anti-entropy runs for
 * 1.5 s after the heal (no reads, so no read repair; strict quorums, so no hints).
 */
function antiEntropy(mode: "merkle" | "full", intervalMs: number) {
  const c = createDynamoCluster({
    seed: 9,
    nodes: 4,
    config: {
      n: 3,
      r: 1,
      w: 2,
      quorum: "strict",
      probeIntervalMs: 0,
      antiEntropy: { intervalMs, mode, depth: 6 },
    },
    trace: { mode: "off" },
  });
  const a = c.client({ home: "n0" });
  for (let i = 0; i < 200; i++) c.settle([a.put(`k${i}`, `v${i}`, { w: 3 })]);
  c.net.isolate("n3");
  let updated = 0;
  for (let i = 0; updated < 5; i++) {
    if (!c.preferenceList(`k${i}`).includes("n3")) continue;
    c.settle([
      a.put(`k${i}`, `v${i}'`, { via: c.preferenceList(`k${i}`).find((p) => p !== "n3") }),
    ]);
    updated++;
  }
  c.net.heal();
  const diverged = checkConvergence(c.replicaSnapshots()).verdict;
  const start = c.counters();
  c.run(c.sim.nowMs + 1500);
  const end = c.counters();
  return {
    diverged,
    converged: checkConvergence(c.replicaSnapshots()),
    bytes: end.antiEntropyBytes - start.antiEntropyBytes,
    keys: end.antiEntropyKeysSent - start.antiEntropyKeysSent,
  };
}

Deno.test("dynamo anti-entropy: Merkle exchanges converge the replicas and send less than a full sync", () => {
  const merkle = antiEntropy("merkle", 100);
  const full = antiEntropy("full", 100);
  assert.equal(merkle.diverged, "illegal", "the isolated node should have missed the updates");
  assert.equal(merkle.converged.verdict, "ok", merkle.converged.explanation);
  assert.equal(full.converged.verdict, "ok", full.converged.explanation);
  assert.ok(merkle.keys < full.keys / 10, `merkle shipped ${merkle.keys} keys, full ${full.keys}`);
  assert.ok(merkle.bytes < full.bytes / 5, `merkle ${merkle.bytes} B, full ${full.bytes} B`);
});

Deno.test("dynamo anti-entropy: switched off, the isolated node never catches up", () => {
  const off = antiEntropy("merkle", 0);
  assert.equal(off.converged.verdict, "illegal");
  assert.equal(off.bytes, 0);
});
