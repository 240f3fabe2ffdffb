/**
 * Dynamo §4.5: R + W > N makes every read quorum meet every write quorum, so in a fault-free run a
 * read invoked after a write completed sees it (k-staleness with k = 1, judged by the staleness
 * checker over a concurrent workload); R = W = 1 does not, and the checker finds stale reads.
 */
import assert from "node:assert/strict";
import { createDynamoCluster, dynamoOpGenerator } from "@lab/protocols/dynamo/mod.ts";
import {
  checkLinearizability,
  checkSessionGuarantees,
  checkStaleness,
  registerModel,
} from "@lab/checkers/mod.ts";
import type { OpGenerator } from "@lab/workload/client.ts";

/**
 * One writer process per key (PBS orders a key's versions by write completion, so writes of one
 * key must not overlap) and many concurrent readers, strict quorums, exponential latencies.
 */
function run(seed: number, r: number, w: number) {
  const keys = 2, clients = 8;
  const c = createDynamoCluster({
    seed,
    nodes: 5,
    config: { n: 3, r, w, quorum: "strict", conflict: "lww", readRepair: false },
    network: { latency: { kind: "exponential", meanMs: 2 } },
    trace: { mode: "off" },
  });
  let seq = 0;
  const gen: OpGenerator = (rng, process) =>
    process < keys
      ? { f: "write", key: `k${process}`, value: `v${++seq}` }
      : { f: "read", key: `k${rng.int(0, keys - 1)}`, value: null };
  const wl = c.workload(gen, { clients, endMs: 3000, timeoutMs: 1000 });
  c.run(4000);
  return { history: wl.history, c };
}

Deno.test("dynamo quorum: R + W > N (N=3, R=W=2) gives no stale read in a concurrent fault-free run", () => {
  for (const seed of [1, 2, 3]) {
    const { history } = run(seed, 2, 2);
    const s = checkStaleness(history, { k: 1 });
    assert.ok(s.reads > 1000, `seed=${seed}: only ${s.reads} reads`);
    assert.equal(s.verdict, "ok", `seed=${seed}: ${s.explanation}`);
    assert.equal(s.staleReads, 0);
    assert.equal(s.thinAirReads, 0);
  }
});

Deno.test("dynamo quorum: R = W = 1 (R + W ≤ N) returns stale reads the checker points at", () => {
  const { history } = run(1, 1, 1);
  const s = checkStaleness(history, { k: 1 });
  assert.equal(s.verdict, "illegal");
  assert.ok(s.staleReads > 10, `only ${s.staleReads} stale reads of ${s.reads}`);
  assert.ok(s.witness && s.witness.staleness.versionsBehind >= 1);
});

Deno.test("dynamo quorum: per-request R and W override the configured ones", () => {
  const c = createDynamoCluster({
    seed: 4,
    nodes: 5,
    config: { n: 3, r: 1, w: 1, quorum: "strict" },
  });
  const a = c.client();
  const put = a.put("x", "v", { w: 3 });
  c.settle([put]);
  assert.equal(put.result?.acks, 3);
  const get = a.get("x", { r: 3 });
  c.settle([get]);
  assert.equal(get.result?.acks, 3);
  assert.deepEqual(get.result?.values, ["v"]);
  const one = a.get("x");
  c.settle([one]);
  assert.equal(one.result?.acks, 1);
});

/** Fraction of reads (R = 1, right after each W = 1 put of a fresh key) that miss the put. */
function missFraction(fanout: "n" | "quorum", samples: number): number {
  const c = createDynamoCluster({
    seed: 6,
    nodes: 3,
    config: { n: 3, r: 1, w: 1, fanout, conflict: "lww", readRepair: false, coordinator: "any" },
    trace: { mode: "off" },
  });
  const a = c.client(), b = c.client();
  let miss = 0;
  for (let i = 0; i < samples; i++) {
    c.settle([a.put(`k${i}`, "v")]);
    const r = b.get(`k${i}`);
    c.settle([r]);
    if (r.result!.values.length === 0) miss++;
  }
  return miss / samples;
}

Deno.test("dynamo fanout quorum: a version on exactly W random replicas is missed with PBS's C(N−W,R)/C(N,R)", () => {
  const samples = 600, p = 2 / 3; // N = 3, W = R = 1: C(2,1)/C(3,1)
  const sd = Math.sqrt(p * (1 - p) / samples);
  const f = missFraction("quorum", samples);
  assert.ok(Math.abs(f - p) < 4 * sd, `missed ${f}, predicted ${p} ± ${4 * sd}`);
  // sent to all N (Dynamo's default) over an equal-latency network, the put is everywhere first
  assert.equal(missFraction("n", 100), 0);
});

Deno.test("dynamo history: the linearizability and session checkers read the store's history", () => {
  const c = createDynamoCluster({
    seed: 1,
    nodes: 5,
    config: { n: 3, r: 1, w: 1, conflict: "lww", quorum: "strict" },
    network: { latency: { kind: "exponential", meanMs: 2 } },
    trace: { mode: "off" },
  });
  const wl = c.workload(dynamoOpGenerator({ keys: 1 }), { clients: 4, endMs: 300 });
  c.run(800);
  const lin = checkLinearizability(wl.history, registerModel());
  assert.equal(lin.verdict, "illegal");
  assert.ok(lin.witness && lin.witness.operations.length >= 2);
  const session = checkSessionGuarantees(wl.history);
  assert.equal(session.verdict, "illegal");
});
