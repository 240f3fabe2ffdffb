import assert from "node:assert/strict";
import { ConfigError, FakeContext, Simulation } from "@lab/sim/mod.ts";
import {
  installLeaseClient,
  installRedlockClient,
  LeaseClient,
  type LeaseClientMessage,
  type LockMessage,
  parseLeaseRecord,
  ResourceNode,
  runFencingScenario,
  runLeaseElection,
} from "@lab/protocols/lock/mod.ts";
import type { KvRequest } from "@lab/protocols/kv/mod.ts";

const W = (token: number | null, client = "a"): LockMessage => ({
  type: "ResourceWrite",
  client,
  hold: 1,
  token,
  value: "v",
});

Deno.test("resource: with fencing a lower token is rejected, an equal or higher one accepted", () => {
  const ctx = new FakeContext<LockMessage>("store", []);
  const r = new ResourceNode(ctx, { fencing: true });
  for (const t of [33, 34, 34, 33, 35]) r.onMessage("x", W(t));
  assert.deepEqual(r.history().map((x) => x.accepted), [true, true, true, false, true]);
  assert.equal(ctx.eventsOf("resource-write").length, 5);
  assert.equal(r.inspect().highestToken, 35);
});

Deno.test("resource: without fencing every write is accepted", () => {
  const r = new ResourceNode(new FakeContext<LockMessage>("store", []), { fencing: false });
  for (const t of [34, 33]) r.onMessage("x", W(t));
  assert.deepEqual(r.history().map((x) => x.accepted), [true, true]);
});

Deno.test("lease client: polls, then acquires a free key with token previous + 1", () => {
  const ctx = new FakeContext<LeaseClientMessage>("c0", []);
  const c = new LeaseClient(ctx, { servers: ["n0", "n1"], leaseMs: 100 });
  c.start();
  c.onTimer("lease:tick");
  const poll = ctx.take("n0")[0] as KvRequest;
  assert.equal(poll.f, "get");
  const old = JSON.stringify({ h: null, t: 7, r: 3 });
  c.onMessage("n0", { type: "KvResponse", clientId: "c0", seq: poll.seq, ok: true, value: old });
  const cas = ctx.take("n0")[0] as KvRequest;
  assert.equal(cas.f, "cas");
  const [from, to] = cas.value as [string, string];
  assert.equal(from, old);
  // e: the holder's expiry in its own clock's terms (only the "expiry" takeover rule reads it)
  assert.deepEqual(parseLeaseRecord(to), { h: "c0", t: 8, r: 0, e: 100 });
  // the answer takes 30 ms: the lease counts from the send, so 70 ms of it are left
  ctx.now = 30;
  c.onMessage("n0", { type: "KvResponse", clientId: "c0", seq: cas.seq, ok: true });
  assert.equal(c.believesHolder(), true);
  assert.equal(ctx.timers.get("lease:expire"), 70);
  assert.deepEqual(ctx.eventsOf("hold-begin")[0], {
    type: "hold-begin",
    client: "c0",
    hold: 1,
    token: 8,
  });
  // its lease runs out on its own clock
  ctx.now = 100;
  c.onTimer("lease:expire");
  assert.equal(c.believesHolder(), false);
  assert.equal(ctx.eventsOf("hold-end")[0].reason, "expired");
});

Deno.test("lease client: a record held by another is taken only after a lease unchanged (timer, not clock)", () => {
  const ctx = new FakeContext<LeaseClientMessage>("c1", []);
  const c = new LeaseClient(ctx, { servers: ["n0"], leaseMs: 100 });
  const held = JSON.stringify({ h: "c0", t: 1, r: 0, e: 50 });
  const answer = (value: string) => {
    c.onTimer("lease:tick");
    const req = ctx.take("n0")[0] as KvRequest;
    assert.equal(req.f, "get");
    c.onMessage("n0", { type: "KvResponse", clientId: "c1", seq: req.seq, ok: true, value });
  };
  answer(held);
  assert.equal(ctx.timers.get("lease:observed"), 100, "a lease-long timer from the first sight");
  // its clock jumps far ahead: the observed rule does not care (and ignores the record's expiry)
  ctx.now = 10_000;
  answer(held);
  assert.equal(ctx.take("n0").length, 0, "no takeover before the timer fires");
  // a renewal changes the record: the timer starts over
  const renewed = JSON.stringify({ h: "c0", t: 1, r: 1, e: 150 });
  c.onTimer("lease:observed");
  answer(renewed);
  assert.equal(ctx.take("n0").length, 0, "the record changed: wait a new lease");
  c.onTimer("lease:observed");
  answer(renewed);
  const cas = ctx.take("n0")[0] as KvRequest;
  assert.equal(cas.f, "cas");
  assert.equal((cas.value as string[])[0], renewed);
  assert.equal(parseLeaseRecord((cas.value as string[])[1])!.t, 2);
});

Deno.test("lease client: the 'expiry' rule takes over as soon as its own clock passes the record's expiry", () => {
  const ctx = new FakeContext<LeaseClientMessage>("c1", []);
  const c = new LeaseClient(ctx, { servers: ["n0"], leaseMs: 100, takeover: "expiry" });
  const held = JSON.stringify({ h: "c0", t: 1, r: 0, e: 50 });
  const poll = () => {
    c.onTimer("lease:tick");
    const req = ctx.take("n0")[0] as KvRequest;
    c.onMessage("n0", { type: "KvResponse", clientId: "c1", seq: req.seq, ok: true, value: held });
  };
  ctx.now = 49;
  poll();
  assert.equal(ctx.take("n0").length, 0);
  ctx.now = 50; // a clock offset of a few ms is enough to get here early
  poll();
  assert.equal((ctx.take("n0")[0] as KvRequest).f, "cas");
});

Deno.test("lease client: a renewal the store refuses ends the hold as lost", () => {
  const ctx = new FakeContext<LeaseClientMessage>("c0", []);
  const c = new LeaseClient(ctx, { servers: ["n0"], leaseMs: 90, renewEveryMs: 30 });
  c.onTimer("lease:tick");
  const poll = ctx.take("n0")[0] as KvRequest;
  c.onMessage("n0", { type: "KvResponse", clientId: "c0", seq: poll.seq, ok: true, value: null });
  const cas = ctx.take("n0")[0] as KvRequest;
  c.onMessage("n0", { type: "KvResponse", clientId: "c0", seq: cas.seq, ok: true });
  ctx.now = 30;
  c.onTimer("lease:tick");
  const renew = ctx.take("n0")[0] as KvRequest;
  assert.equal(renew.f, "cas");
  c.onMessage("n0", {
    type: "KvResponse",
    clientId: "c0",
    seq: renew.seq,
    ok: false,
    error: "cas-mismatch",
    value: "x",
  });
  assert.equal(c.believesHolder(), false);
  assert.equal(ctx.eventsOf("hold-end")[0].reason, "lost");
});

Deno.test("lease config: zero or negative lease, renewal not below the lease, duplicate servers → ConfigError naming the field", () => {
  const ctx = new FakeContext<LeaseClientMessage>("c0", []);
  const cases: [Record<string, unknown>, string][] = [
    [{ servers: ["n0"], leaseMs: 0 }, "leaseMs"],
    [{ servers: ["n0"], leaseMs: -5 }, "leaseMs"],
    [{ servers: ["n0"], leaseMs: 100, renewEveryMs: 100 }, "renewEveryMs"],
    [{ servers: ["n0", "n0"], leaseMs: 100 }, "servers[1]"],
    [{ servers: [], leaseMs: 100 }, "servers"],
    [{ servers: ["n0"], leaseMs: 100, pollMs: 0 }, "pollMs"],
  ];
  for (const [cfg, path] of cases) {
    assert.throws(
      () => new LeaseClient(ctx, cfg as never),
      (e) => e instanceof ConfigError && e.issues.some((i) => i.path === path),
      path,
    );
  }
  assert.throws(
    () => runFencingScenario({ lease: { leaseMs: 0 } }),
    (e) => e instanceof ConfigError && e.issues.some((i) => i.path === "lease.leaseMs"),
  );
  assert.throws(
    () => runLeaseElection({ candidates: ["c0", "c0"] }),
    (e) => e instanceof ConfigError && e.issues.some((i) => i.path === "candidates[1]"),
  );
  assert.throws(
    () => runLeaseElection({ candidates: ["c0", "store"] }),
    (e) => e instanceof ConfigError && e.issues.some((i) => i.path === "candidates[1]"),
  );
});

Deno.test("fencing scenario (Kleppmann 2016): without fencing A's late write corrupts, with fencing it is rejected", () => {
  const off = runFencingScenario({ lease: { fencing: false, leaseMs: 400 }, pauseMs: 1000 });
  const on = runFencingScenario({ lease: { fencing: true, leaseMs: 400 }, pauseMs: 1000 });
  assert.equal(off.staleWrite?.token, 1);
  assert.equal(off.staleAccepted, true);
  assert.equal(off.verdict.resourceSafe, false);
  assert.equal(on.staleWrite?.token, 1);
  assert.equal(on.staleAccepted, false);
  assert.equal(on.verdict.resourceSafe, true);
  // both believed they held the lock in both runs: fencing fixes the resource, not the belief
  for (const r of [off, on]) {
    assert.equal(r.verdict.exclusiveHolds, false);
    assert.ok(r.bGrantMs - r.aGrantMs >= 400, "B waited a full lease");
  }
  // a pause shorter than the lease: no takeover, no violation
  const short = runFencingScenario({ lease: { fencing: false, leaseMs: 400 }, pauseMs: 150 });
  assert.equal(short.verdict.resourceSafe, true);
  assert.equal(short.verdict.exclusiveHolds, true);
});

Deno.test("fencing scenario: same seed, same trace hash", () => {
  const a = runFencingScenario({ lease: { seed: 4 } });
  const b = runFencingScenario({ lease: { seed: 4 } });
  assert.equal(a.traceHash, b.traceHash);
  assert.notEqual(a.traceHash, runFencingScenario({ lease: { seed: 5 } }).traceHash);
});

Deno.test("lease election: a crashed leader is replaced about one lease later; a partitioned one steps down first", () => {
  const crash = runLeaseElection({ fault: "crash", lease: { leaseMs: 400 } });
  assert.ok(crash.oldLeader && crash.newLeader && crash.newLeader !== crash.oldLeader);
  assert.ok(crash.electionMs > 400 - 400 / 3 - 100 && crash.electionMs < 400 + 400);
  assert.ok(crash.verdict.exclusiveHolds && crash.verdict.resourceSafe);
  const part = runLeaseElection({ fault: "partition", lease: { leaseMs: 400 } });
  assert.ok(part.newLeader !== undefined && part.newLeader !== part.oldLeader);
  assert.ok(part.leaderlessMs >= 0);
  assert.ok(part.verdict.exclusiveHolds, "no two leaders under a partition");
});

Deno.test("lease election: a paused leader resumes believing it leads; fencing rejects its act", () => {
  for (const fencing of [true, false]) {
    const r = runLeaseElection({
      fault: "pause",
      faultForMs: 1000,
      lease: { leaseMs: 400, fencing },
    });
    assert.equal(r.verdict.exclusiveHolds, false, "two leaders by their own belief");
    assert.ok(r.staleWrites.length > 0);
    assert.equal(r.staleWrites.every((w) => !w.accepted), fencing);
    assert.equal(r.verdict.resourceSafe, fencing);
  }
});

Deno.test("lease client (lock mode): releases after its writes, retrying the release if a renewal changed the record", () => {
  const ctx = new FakeContext<LeaseClientMessage>("a", []);
  const c = new LeaseClient(ctx, {
    servers: ["n0"],
    leaseMs: 90,
    mode: "lock",
    writes: 1,
    resource: "store",
  });
  c.onTimer("lease:tick");
  const poll = ctx.take("n0")[0] as KvRequest;
  c.onMessage("n0", { type: "KvResponse", clientId: "a", seq: poll.seq, ok: true, value: null });
  const cas = ctx.take("n0")[0] as KvRequest;
  c.onMessage("n0", { type: "KvResponse", clientId: "a", seq: cas.seq, ok: true });
  c.onTimer("lease:act");
  c.onTimer("lease:act-do");
  assert.equal((ctx.take("store")[0] as { token: number }).token, 1);
  assert.equal(ctx.eventsOf("hold-end")[0].reason, "released");
  const rel = ctx.take("n0")[0] as KvRequest;
  assert.equal(rel.f, "cas");
  const renewed = JSON.stringify({ h: "a", t: 1, r: 1 });
  c.onMessage("n0", {
    type: "KvResponse",
    clientId: "a",
    seq: rel.seq,
    ok: false,
    error: "cas-mismatch",
    value: renewed,
  });
  const again = ctx.take("n0")[0] as KvRequest;
  assert.deepEqual(again.value, [renewed, JSON.stringify({ h: null, t: 1, r: 1 })]);
});

Deno.test("install: a client naming unknown servers, lock nodes or resource → ConfigError naming each field", () => {
  const sim = new Simulation<unknown>({ seed: 1 });
  sim.addNode("n0", () => ({ onMessage() {} }));
  assert.throws(
    () => installLeaseClient(sim, "c", { servers: ["n0", "zz"], leaseMs: 100, resource: "nope" }),
    (e) =>
      e instanceof ConfigError &&
      e.issues.map((i) => i.path).join() === "servers[1],resource",
  );
  assert.throws(
    () => installRedlockClient(sim, "a", { nodes: ["n0", "r1", "r2"], ttlMs: 100 }),
    (e) => e instanceof ConfigError && e.issues.map((i) => i.path).join() === "nodes[1],nodes[2]",
  );
  assert.equal(sim.hasNode("c"), false, "nothing was added");
  installLeaseClient(sim, "c", { servers: ["n0"], leaseMs: 100 });
  assert.equal(sim.hasNode("c"), true);
});

Deno.test("lease election: a contender's clock jump breaks only the 'expiry' takeover rule", () => {
  const observed = runLeaseElection({ fault: "clock-jump", faultForMs: 1000 });
  assert.equal(observed.newLeader, undefined);
  assert.equal(observed.verdict.exclusiveHolds, true);
  for (const fencing of [true, false]) {
    const r = runLeaseElection({
      fault: "clock-jump",
      faultForMs: 1000,
      lease: { takeover: "expiry", fencing },
    });
    assert.equal(r.newLeader, r.jumped, "the contender whose clock jumped took over");
    assert.equal(r.verdict.exclusiveHolds, false, "while the old leader still trusted its lease");
    if (fencing) assert.equal(r.verdict.resourceSafe, true);
  }
});
