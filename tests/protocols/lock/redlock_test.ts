import assert from "node:assert/strict";
import { ConfigError, FakeContext } from "@lab/sim/mod.ts";
import { type LockMessage, RedisNode, RedlockClient, runRedlock } from "@lab/protocols/lock/mod.ts";

Deno.test("redis node: SET NX PX refuses a live key and grants it once expired on its own clock", () => {
  const ctx = new FakeContext<LockMessage>("r0", []);
  const n = new RedisNode(ctx);
  const set = (value: string) =>
    n.onMessage("c", { type: "RedisSet", key: "k", value, ttlMs: 100 });
  set("a");
  set("b");
  ctx.now = 99;
  set("b");
  ctx.now = 100; // or a clock jump: the node only reads its own clock
  set("b");
  assert.deepEqual(ctx.take("c").map((m) => (m as { ok: boolean }).ok), [true, false, false, true]);
  n.onMessage("c", { type: "RedisDel", key: "k", value: "a" }); // not a's any more
  assert.equal(n.inspect().length, 1);
  n.onMessage("c", { type: "RedisDel", key: "k", value: "b" });
  assert.equal(n.inspect().length, 0);
});

Deno.test("redlock client: holds with a majority and validity ttl − elapsed − drift; else unlocks", () => {
  const nodes = ["r0", "r1", "r2", "r3", "r4"];
  const ctx = new FakeContext<LockMessage>("a", []);
  const c = new RedlockClient(ctx, { nodes, ttlMs: 1000 });
  assert.equal(c.validityMs(10), 1000 - 10 - (1000 * 0.01 + 2));
  c.onTimer("redlock:try");
  assert.equal(ctx.sent.length, 5);
  const value = (ctx.sent[0].msg as { value: string }).value;
  ctx.now = 10;
  for (const [i, r] of nodes.entries()) {
    c.onMessage(r, { type: "RedisSetReply", value, ok: i < 3 });
  }
  const att = ctx.eventsOf("redlock-attempt")[0];
  assert.equal(att.acquired, true);
  assert.equal(att.votes, 3);
  assert.equal(att.validityMs, 978);
  // a minority: the client deletes its value everywhere and retries
  const ctx2 = new FakeContext<LockMessage>("b", []);
  const c2 = new RedlockClient(ctx2, { nodes, ttlMs: 1000 });
  c2.onTimer("redlock:try");
  const v2 = (ctx2.sent[0].msg as { value: string }).value;
  ctx2.sent.length = 0;
  for (const [i, r] of nodes.entries()) {
    c2.onMessage(r, { type: "RedisSetReply", value: v2, ok: i < 2 });
  }
  assert.equal(ctx2.eventsOf("redlock-attempt")[0].acquired, false);
  assert.equal(ctx2.sent.filter((s) => s.msg.type === "RedisDel").length, 5);
  assert.equal(ctx2.timers.has("redlock:try"), true);
});

Deno.test("redlock: a clean hand-over is exclusive", () => {
  const r = runRedlock({ scenario: "handover" });
  assert.equal(r.verdict.exclusiveHolds, true);
  assert.equal(r.verdict.resourceSafe, true);
  assert.equal(r.history.holds.length, 2);
});

Deno.test("redlock (Kleppmann 2016): a clock jump on a node of the majority gives two holders, caught", () => {
  const r = runRedlock({ scenario: "clock-jump", jumpNode: "r2" });
  assert.equal(r.aVotes, 3);
  assert.equal(r.bVotes, 3);
  assert.equal(r.verdict.exclusiveHolds, false);
  assert.equal(r.verdict.resourceSafe, false);
  // without the jump, B cannot get a majority while A holds (it waits)
  const small = runRedlock({ scenario: "clock-jump", jumpNode: "r2", jumpMs: 1 });
  assert.equal(small.verdict.resourceSafe, true);
});

Deno.test("redlock (Kleppmann 2016): a client paused past its keys' expiry writes after B, caught", () => {
  const r = runRedlock({ scenario: "pause" });
  assert.equal(r.verdict.resourceSafe, false);
  assert.ok(r.verdict.violations.some((v) => v.kind === "interleaved-writes"));
  // a pause well inside the validity is harmless
  assert.equal(runRedlock({ scenario: "pause", pauseMs: 200 }).verdict.resourceSafe, true);
});

Deno.test("redlock config: fewer than 3 nodes, zero ttl, even node count, unknown jump node → ConfigError naming the field", () => {
  const ctx = new FakeContext<LockMessage>("a", []);
  const bad: [() => unknown, string][] = [
    [() => new RedlockClient(ctx, { nodes: ["r0", "r1"], ttlMs: 100 }), "nodes"],
    [() => new RedlockClient(ctx, { nodes: ["r0", "r1", "r1"], ttlMs: 100 }), "nodes[2]"],
    [() => new RedlockClient(ctx, { nodes: ["r0", "r1", "r2"], ttlMs: 0 }), "ttlMs"],
    [() => runRedlock({ nodes: 4 }), "nodes"],
    [() => runRedlock({ scenario: "clock-jump", jumpNode: "r4" }), "jumpNode"],
    [() => runRedlock({ scenario: "clock-jump", jumpNode: "x9" }), "jumpNode"],
  ];
  for (const [f, path] of bad) {
    assert.throws(
      f,
      (e) => e instanceof ConfigError && e.issues.some((i) => i.path === path),
      path,
    );
  }
});
