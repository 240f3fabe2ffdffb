/**
 * Scenario tests of log compaction (extended paper §7, Figure 13): snapshots taken at a threshold,
 * InstallSnapshot for a follower whose missing entries were compacted away, and restarts that
 * rebuild the state machine from a stored snapshot plus the log after it.
 */
import assert from "node:assert/strict";
import type { RaftNode } from "../../../lib/protocols/raft/node.ts";
import { leaderOf, raftCluster, runUntilLeader } from "./_helpers.ts";

const NET = { latency: { kind: "uniform" as const, minMs: 1, maxMs: 10 } };

function proposeMany(node: RaftNode, n: number, prefix: string): void {
  for (let k = 0; k < n; k++) assert.ok(node.propose(`${prefix}${k}`).ok);
}

Deno.test("raft §7: a lagging follower catches up through InstallSnapshot", () => {
  const c = raftCluster({
    seed: 21,
    nodes: 3,
    network: NET,
    raft: { snapshotThresholdEntries: 20 },
  });
  const l = runUntilLeader(c.sim, 2_000)!;
  const lagger = c.nodes.find((id) => id !== l)!;
  c.sim.crash(lagger);
  for (let round = 0; round < 10; round++) {
    proposeMany(c.raft(l), 10, `r${round}-`);
    c.sim.runFor(50);
  }
  assert.ok(c.raft(l).snapshotIndex >= 80, `leader snapshot at ${c.raft(l).snapshotIndex}`);
  assert.ok(c.raft(l).logEntries().length < 25, "the leader's log was compacted");
  c.sim.restart(lagger);
  c.sim.runFor(500);
  const f = c.raft(lagger);
  assert.equal(f.commitIndex, c.raft(l).commitIndex);
  assert.deepEqual(c.machines.get(lagger)!.applied, c.machines.get(l)!.applied);
  assert.equal(c.machines.get(l)!.applied.length, 100);
  const installs = c.sim.events.filter((e) =>
    e.node === lagger && e.event.type === "snapshot-install"
  );
  assert.equal(installs.length, 1);
  assert.ok(
    c.sim.trace.records.some((r) =>
      r.type === "deliver" && (r.msg as { type: string }).type === "InstallSnapshot"
    ),
  );
});

Deno.test("raft §7: a restarted server rebuilds its state machine from its snapshot and log", () => {
  const c = raftCluster({
    seed: 22,
    nodes: 3,
    network: NET,
    raft: { snapshotThresholdEntries: 15 },
  });
  const l = runUntilLeader(c.sim, 2_000)!;
  proposeMany(c.raft(l), 40, "x");
  c.sim.runFor(300);
  proposeMany(c.raft(l), 5, "z"); // committed after the last snapshot
  c.sim.runFor(300);
  const f = c.nodes.find((id) => id !== l)!;
  const before = c.raft(f).inspect();
  assert.ok(before.snapshotIndex > 0 && before.lastLogIndex > before.snapshotIndex);
  c.sim.crash(f);
  c.sim.restart(f);
  const after = c.raft(f);
  assert.deepEqual(
    [after.snapshotIndex, after.lastLogIndex, after.lastApplied, after.term],
    [before.snapshotIndex, before.lastLogIndex, before.snapshotIndex, before.term],
  );
  // the state machine holds exactly the snapshot's prefix until the leader says what is committed
  assert.deepEqual(
    c.machines.get(f)!.applied,
    c.machines.get(l)!.applied.filter((a) => a.index <= before.snapshotIndex),
  );
  c.sim.runFor(200);
  assert.deepEqual(c.machines.get(f)!.applied, c.machines.get(l)!.applied);
});

Deno.test("raft Figure 2: the whole cluster restarts from storage and keeps every committed entry", () => {
  const c = raftCluster({
    seed: 23,
    nodes: 5,
    network: NET,
    raft: { snapshotThresholdEntries: 25 },
  });
  const l = runUntilLeader(c.sim, 2_000)!;
  proposeMany(c.raft(l), 60, "y");
  c.sim.runFor(300);
  const committed = c.machines.get(l)!.applied.map((a) => a.command);
  assert.equal(committed.length, 60);
  for (const id of c.nodes) c.sim.crash(id);
  c.sim.runFor(1_000);
  for (const id of c.nodes) c.sim.restart(id);
  const l2 = runUntilLeader(c.sim, 3_000)!;
  assert.ok(l2, "no leader after a full restart, seed=23");
  proposeMany(c.raft(l2), 1, "after-");
  c.sim.runFor(300);
  for (const id of c.nodes) {
    const cmds = c.machines.get(id)!.applied.map((a) => a.command);
    assert.deepEqual(cmds, [...committed, "after-0"], `${id} lost committed state`);
  }
  assert.equal(leaderOf(c.sim), l2);
});
