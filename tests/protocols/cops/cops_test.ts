import assert from "node:assert/strict";
import { FakeContext } from "@lab/sim/fake_context.ts";
import {
  type CopsClusterOptions,
  type CopsMessage,
  CopsReplica,
  type CopsReplicate,
  createCopsCluster,
  REPLICA_BITS,
} from "@lab/protocols/cops/mod.ts";
import { checkCausal, checkConvergence } from "@lab/checkers/mod.ts";

const write = (
  origin: string,
  seq: number,
  key: string,
  value: unknown,
  lamport: number,
  replica: number,
  deps: { key: string; version: number }[] = [],
): CopsReplicate => ({
  type: "replicate",
  origin,
  seq,
  key,
  value,
  version: lamport * REPLICA_BITS + replica,
  deps,
});

Deno.test("cops: a remote write waits until its dependency is visible locally (put_after, dep_check)", () => {
  const ctx = new FakeContext<CopsMessage>("n2", ["n0", "n1"]);
  const r = new CopsReplica(ctx, 2, {});
  const x = write("n0", 1, "x", 1, 1, 0);
  const y = write("n0", 2, "y", 1, 2, 0, [{ key: "x", version: x.version }]);
  r.onMessage("n0", y); // y overtook x on the wide-area link
  assert.equal(r.read("y"), undefined);
  assert.equal(r.pendingCount, 1);
  r.onMessage("n0", x);
  assert.deepEqual(ctx.events.map((e) => e.key), ["x", "y"]);
  assert.equal(r.pendingCount, 0);
  // a duplicate is ignored
  r.onMessage("n0", x);
  assert.equal(ctx.events.length, 2);
});

Deno.test("cops: with ignoreDependencies the effect is visible before its cause", () => {
  const ctx = new FakeContext<CopsMessage>("n2", ["n0", "n1"]);
  const r = new CopsReplica(ctx, 2, { ignoreDependencies: true });
  const x = write("n0", 1, "x", 1, 1, 0);
  r.onMessage("n0", write("n0", 2, "y", 1, 2, 0, [{ key: "x", version: x.version }]));
  assert.equal(r.read("y")?.value, 1);
  assert.equal(r.read("x"), undefined);
});

Deno.test("cops: a newer concurrent version does not satisfy a dependency on an older one", () => {
  // n1 wrote x with a higher version than n0's x; a write depending on n0's x still waits.
  const ctx = new FakeContext<CopsMessage>("n2", ["n0", "n1"]);
  const r = new CopsReplica(ctx, 2, {});
  const x0 = write("n0", 1, "x", "a", 1, 0);
  r.onMessage("n1", write("n1", 1, "x", "b", 5, 1));
  const z = write("n0", 2, "z", 1, 2, 0, [{ key: "x", version: x0.version }]);
  r.onMessage("n0", z);
  assert.equal(r.read("z"), undefined);
  r.onMessage("n0", x0);
  assert.equal(r.read("z")?.value, 1);
  // last-writer-wins: the older x arrived last but the higher version stays
  assert.equal(r.read("x")?.value, "b");
  assert.ok(ctx.events.some((e) => e.type === "stale" && e.version === x0.version));
});

Deno.test("cops: a local put gets a version above its dependencies and goes to every peer", () => {
  const ctx = new FakeContext<CopsMessage>("n1", ["n0", "n2"]);
  const r = new CopsReplica(ctx, 1, {});
  const dep = { key: "x", version: 9 * REPLICA_BITS + 0 };
  r.onMessage("c0", { type: "put", id: 4, key: "y", value: 7, deps: [dep] });
  const reply = ctx.sent.find((s) => s.to === "c0")!.msg;
  assert.equal(reply.type, "putReply");
  assert.equal(reply.type === "putReply" && reply.version, 10 * REPLICA_BITS + 1);
  const out = ctx.sent.filter((s) => s.msg.type === "replicate").map((s) => s.to);
  assert.deepEqual(out, ["n0", "n2"]);
  r.onMessage("c0", { type: "get", id: 5, key: "y" });
  assert.deepEqual(ctx.sent.at(-1), {
    to: "c0",
    msg: { type: "getReply", id: 5, key: "y", value: 7, version: 10 * REPLICA_BITS + 1 },
  });
});

Deno.test("cops: anti-entropy resends what a peer lacks", () => {
  const ctx = new FakeContext<CopsMessage>("n0", ["n1"]);
  const r = new CopsReplica(ctx, 0, {});
  r.onMessage("c0", { type: "put", id: 1, key: "x", value: 1, deps: [] });
  r.onMessage("c0", { type: "put", id: 2, key: "x", value: 2, deps: [] });
  ctx.sent.length = 0;
  r.onMessage("n1", { type: "sync", have: { n0: 1 } });
  assert.deepEqual(ctx.sent.map((s) => (s.msg as CopsReplicate).value), [2]);
});

/** Partitions every 300 ms (random halves), 5 % loss between datacenters, wide-area delays 5–100 ms. */
const faulty = (seed: number, ignoreDependencies = false): CopsClusterOptions => ({
  seed,
  datacenters: 3,
  clients: 6,
  keys: 5,
  writeRatio: 0.3,
  endMs: 1500,
  settleMs: 1500,
  wanLossRatio: 0.05,
  nemesis: { generator: "randomHalves", endMs: 1500, periodMs: 300, faultMs: 200 },
  replica: { ignoreDependencies },
});

Deno.test("cops: CC and CCv hold and replicas converge under random delays, loss and partitions", () => {
  for (let seed = 1; seed <= 6; seed++) {
    const run = createCopsCluster(faulty(seed)).run();
    const ops = run.history.filter((e) => e.type === "ok").length;
    assert.ok(ops > 500, `seed=${seed}: only ${ops} operations`);
    for (const model of ["CC", "CCv"] as const) {
      const r = checkCausal(run.history, { model });
      assert.equal(r.verdict, "ok", `seed=${seed} ${model}: ${r.explanation}`);
    }
    const c = checkConvergence(run.snapshots);
    assert.equal(c.verdict, "ok", `seed=${seed}: ${c.explanation}`);
    assert.equal(run.pending, 0, `seed=${seed}`);
  }
});

Deno.test("cops: the ignoreDependencies mistake is caught by the causal checker with a witness", () => {
  let caught = 0;
  for (let seed = 1; seed <= 6; seed++) {
    const run = createCopsCluster(faulty(seed, true)).run();
    const r = checkCausal(run.history, { model: "CC" });
    if (r.verdict === "ok") continue;
    caught++;
    assert.ok(
      r.witness!.pattern === "WriteCORead" || r.witness!.pattern === "WriteCOInitRead",
      r.explanation,
    );
    // the witness is a small sub-history: the pattern's operations and the paths joining them
    assert.ok(r.witness!.operations.length <= 12, r.explanation);
    // the store still converges: eventually consistent, not causal
    assert.equal(checkConvergence(run.snapshots).verdict, "ok");
  }
  assert.ok(caught >= 3, `caught in ${caught} of 6 seeds`);
});

Deno.test("cops: one seed run twice gives the same history and final stores", () => {
  const a = createCopsCluster(faulty(11)).run();
  const b = createCopsCluster(faulty(11)).run();
  assert.equal(JSON.stringify(a.history), JSON.stringify(b.history));
  assert.deepEqual(a.snapshots, b.snapshots);
  const c = createCopsCluster(faulty(12)).run();
  assert.notEqual(JSON.stringify(a.history), JSON.stringify(c.history));
});

Deno.test("cops: bad config is refused before anything runs, naming the field", () => {
  const bad: [Record<string, unknown>, RegExp][] = [
    [{ keys: 0 }, /cops cluster options: keys:/],
    [{ datacenters: 1.5 }, /datacenters/],
    [{ writeRatio: 2 }, /writeRatio/],
    [{ replica: { syncIntervalMs: -1 } }, /replica\.syncIntervalMs/],
    [{ replica: { ignoreDeps: true } }, /replica/],
    [{ wanLatency: { kind: "uniform", minMs: 1 } }, /wanLatency/],
    [{ network: { latency: { kind: "constant", ms: 1 } } }, /network\.latency/],
    [{ network: { lossRatio: 3 } }, /lossRatio/],
    [{ nemesis: [{ atMs: 10, type: "crash", node: "n9" }] }, /n9/],
  ];
  for (const [patch, re] of bad) {
    assert.throws(
      () => createCopsCluster({ seed: 1, ...patch } as CopsClusterOptions),
      re,
      JSON.stringify(patch),
    );
  }
});
