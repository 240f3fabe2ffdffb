/**
 * Scenario tests of single-server membership changes (Ongaro's thesis ch. 4): one server added or
 * removed at a time, a configuration in force as soon as it is in a server's log, the next change
 * only after the previous one commits, and a removed leader stepping down once its removal commits.
 */
import assert from "node:assert/strict";
import { leaderOf, proposeContinuously, raftCluster, runUntilLeader } from "./_helpers.ts";

const NET = { latency: { kind: "uniform" as const, minMs: 1, maxMs: 10 } };

Deno.test("raft thesis §4.1: servers are added one at a time and catch up (via snapshot)", () => {
  const c = raftCluster({
    seed: 31,
    nodes: 5,
    network: NET,
    raft: { servers: ["n0", "n1", "n2"], snapshotThresholdEntries: 10 },
  });
  const l = runUntilLeader(c.sim, 2_000)!;
  assert.ok(["n0", "n1", "n2"].includes(l));
  c.sim.runFor(3_000);
  // n3 and n4 are outside the configuration: they never campaign
  assert.ok(
    !c.sim.events.some((e) =>
      ["n3", "n4"].includes(e.node) && e.event.type === "role" && e.event.role !== "follower"
    ),
  );
  proposeContinuously(c.sim, 10, 10_000);
  c.sim.runFor(500);
  const add3 = c.raft(l).proposeConfigChange({ type: "add", server: "n3" });
  assert.ok(add3.ok, JSON.stringify(add3));
  assert.deepEqual(add3.servers, ["n0", "n1", "n2", "n3"]);
  assert.deepEqual(c.raft(l).servers, ["n0", "n1", "n2", "n3"], "in force as soon as appended");
  // one change at a time
  assert.deepEqual(c.raft(l).proposeConfigChange({ type: "add", server: "n4" }), {
    ok: false,
    reason: "config-pending",
  });
  c.sim.runFor(300);
  assert.ok(c.raft(l).proposeConfigChange({ type: "add", server: "n4" }).ok);
  c.sim.runFor(500);
  for (const id of c.nodes) {
    assert.deepEqual(c.raft(id).servers, ["n0", "n1", "n2", "n3", "n4"], id);
    assert.ok(c.raft(l).commitIndex - c.raft(id).commitIndex <= 5, `${id} lags`);
  }
  // the newcomers joined after compaction, so they were sent snapshots
  for (const id of ["n3", "n4"]) {
    assert.ok(c.sim.events.some((e) => e.node === id && e.event.type === "snapshot-install"), id);
  }
  // five voters now: two crashes are tolerated
  c.sim.crash(c.nodes.filter((id) => id !== l)[0]);
  c.sim.crash(c.nodes.filter((id) => id !== l)[1]);
  const before = c.raft(l).commitIndex;
  c.sim.runFor(300);
  assert.ok(c.raft(l).commitIndex > before + 10);
});

Deno.test("raft thesis §4.2.2: a removed leader steps down once its removal commits", () => {
  const c = raftCluster({ seed: 32, nodes: 5, network: NET, raft: { preVote: true } });
  const l = runUntilLeader(c.sim, 2_000)!;
  proposeContinuously(c.sim, 10, 10_000);
  c.sim.runFor(300);
  const r = c.raft(l).proposeConfigChange({ type: "remove", server: l });
  assert.ok(r.ok);
  assert.ok(!r.servers.includes(l));
  assert.equal(c.raft(l).role, "leader", "it keeps leading until the removal commits");
  c.sim.runFor(100);
  assert.notEqual(c.raft(l).role, "leader");
  const down = c.sim.events.find((e) => e.node === l && e.event.type === "stepdown");
  assert.equal(down?.event.reason, "removed");
  const next = runUntilLeader(c.sim, 2_000, (id) => id !== l)!;
  assert.ok(next, "no leader among the remaining four, seed=32");
  c.sim.runFor(2_000);
  // the removed server is not in its own configuration: it never campaigns again
  const after = c.sim.events.filter((e) =>
    e.node === l && e.event.type === "role" && e.t > down!.t
  );
  assert.ok(after.every((e) => e.event.role === "follower"), JSON.stringify(after));
  // four voters: a majority is three, so crashing the removed server and one more is fine
  c.sim.crash(l);
  c.sim.crash(c.nodes.find((id) => id !== l && id !== leaderOf(c.sim))!);
  const before = c.raft(leaderOf(c.sim)!).commitIndex;
  c.sim.runFor(500);
  assert.ok(c.raft(leaderOf(c.sim)!).commitIndex > before + 10);
});

Deno.test("raft thesis §4.1: a change waits until the leader has committed an entry of its term", () => {
  const c = raftCluster({ seed: 33, nodes: 3, network: NET });
  const l = runUntilLeader(c.sim, 2_000)!;
  // at the instant of election the no-op is not committed yet
  assert.deepEqual(c.raft(l).proposeConfigChange({ type: "remove", server: "n2" }), {
    ok: false,
    reason: "term-not-committed",
  });
  c.sim.runFor(100);
  assert.deepEqual(c.raft(l).proposeConfigChange({ type: "add", server: "n1" }), {
    ok: false,
    reason: "no-change",
  });
  const f = c.nodes.find((id) => id !== l)!;
  assert.deepEqual(c.raft(f).proposeConfigChange({ type: "remove", server: "n2" }), {
    ok: false,
    reason: "not-leader",
    leaderHint: l,
  });
});
