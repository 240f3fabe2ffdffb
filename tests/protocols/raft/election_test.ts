/**
 * Scenario tests of Raft elections and replication: 3 to 5 simulated nodes, scripted faults, the
 * invariant checker attached on every event.
 */
import assert from "node:assert/strict";
import { leaderOf, leaders, proposeContinuously, raftCluster, runUntilLeader } from "./_helpers.ts";

const NET = { latency: { kind: "uniform" as const, minMs: 1, maxMs: 10 } };

Deno.test("raft §5.2: a five-node cluster elects one leader that every node follows", () => {
  const c = raftCluster({ seed: 11, nodes: 5, network: NET });
  const l = runUntilLeader(c.sim, 2_000);
  assert.ok(l, "no leader within 2 s, seed=11");
  c.sim.runFor(500);
  assert.deepEqual(leaders(c.sim), [l]);
  for (const id of c.nodes) {
    assert.equal(c.raft(id).leaderId, l, `${id} follows ${c.raft(id).leaderId}`);
    assert.equal(c.raft(id).term, c.raft(l).term);
  }
  assert.ok(c.inv.liveness().firstLeaderMs < 2_000);
});

Deno.test("raft §5.2: after the leader crashes a new one is elected in a later term", () => {
  const c = raftCluster({ seed: 12, nodes: 5, network: NET });
  const old = runUntilLeader(c.sim, 2_000)!;
  const oldTerm = c.raft(old).term;
  proposeContinuously(c.sim, 20, 4_000);
  c.sim.runFor(300);
  c.sim.crash(old);
  const crashAt = c.sim.nowMs;
  const next = runUntilLeader(c.sim, 2_000, (id) => id !== old);
  assert.ok(next, "no new leader within 2 s of the crash, seed=12");
  assert.ok(c.raft(next).term > oldTerm);
  // the election took at least a minimum election timeout and at most a few
  const took = c.sim.nowMs - crashAt;
  assert.ok(took >= 150 && took < 1_500, `re-election took ${took} ms`);
  c.sim.runFor(500);
  // the old leader comes back as a follower and catches up
  c.sim.restart(old);
  c.sim.runFor(1_000);
  assert.equal(c.raft(old).role, "follower");
  assert.ok(c.raft(next).commitIndex - c.raft(old).commitIndex <= 1, "the old leader caught up");
  const mine = c.machines.get(old)!.applied;
  assert.deepEqual(mine, c.machines.get(next)!.applied.slice(0, mine.length));
  const live = c.inv.liveness();
  assert.equal(live.electionMs.length, 1);
  assert.ok(live.electionMs[0] <= took + 1e-9);
  assert.ok(live.commitLatencyMs.length > 50);
});

Deno.test("raft §5.2: no leader is elected without a majority", () => {
  const c = raftCluster({ seed: 13, nodes: 5, network: NET });
  runUntilLeader(c.sim, 2_000);
  for (const id of ["n0", "n1", "n2"]) c.sim.crash(id);
  const t = c.sim.nowMs;
  c.sim.runFor(5_000);
  const elected = c.sim.events.filter((e) => e.event.type === "leader" && e.t > t);
  assert.deepEqual(elected, [], "a leader was elected by two of five");
  assert.equal(leaders(c.sim).length, 0);
  // the survivors kept trying: their terms grew
  assert.ok(c.raft("n3").term > 3 && c.raft("n4").term > 3);
  // a majority back: a leader again
  c.sim.restart("n0");
  assert.ok(runUntilLeader(c.sim, 3_000), "no leader after a majority came back, seed=13");
});

Deno.test("raft §5.3-5.4: a partitioned leader's uncommitted entries are overwritten after heal", () => {
  const c = raftCluster({ seed: 14, nodes: 5, network: NET });
  const old = runUntilLeader(c.sim, 2_000)!;
  c.sim.runFor(300);
  const mate = c.nodes.find((id) => id !== old)!;
  const majority = c.nodes.filter((id) => id !== old && id !== mate);
  c.net.partition([[old, mate], majority]);
  const base = c.raft(old).lastLogIndex;
  for (const cmd of ["lost-1", "lost-2", "lost-3"]) assert.ok(c.raft(old).propose(cmd).ok);
  const next = runUntilLeader(c.sim, 2_000, (id) => majority.includes(id))!;
  assert.ok(next, "the majority side elected no leader, seed=14");
  for (const cmd of ["kept-1", "kept-2"]) assert.ok(c.raft(next).propose(cmd).ok);
  c.sim.runFor(500);
  assert.equal(c.raft(old).role, "leader", "the old leader does not know yet");
  assert.ok(c.raft(old).commitIndex <= base, "the minority committed nothing new");
  c.net.heal();
  c.sim.runFor(1_000);
  assert.equal(c.raft(old).role, "follower");
  const commands = (id: string) =>
    c.raft(id).logEntries().flatMap((e) => e.kind === "command" ? [e.command] : []);
  for (const id of c.nodes) {
    assert.deepEqual(c.raft(id).logEntries(), c.raft(next).logEntries(), `${id}'s log differs`);
    assert.ok(!commands(id).some((x) => String(x).startsWith("lost")), `${id} kept a lost entry`);
    assert.deepEqual(commands(id).slice(-2), ["kept-1", "kept-2"]);
  }
  assert.ok(
    !c.sim.events.some((e) =>
      e.event.type === "apply" && String(e.event.command).startsWith("lost")
    ),
    "an uncommitted entry of the old leader was applied",
  );
});

Deno.test("raft thesis §9.6: with PreVote a rejoining node does not depose a healthy leader", () => {
  const run = (preVote: boolean) => {
    const c = raftCluster({ seed: 15, nodes: 5, network: NET, raft: { preVote } });
    const l = runUntilLeader(c.sim, 2_000)!;
    c.sim.runFor(200);
    const term = c.raft(l).term;
    const lonely = c.nodes.find((id) => id !== l)!;
    c.net.isolate(lonely);
    c.sim.runFor(3_000);
    c.net.heal();
    c.sim.runFor(1_000);
    return { term, termAfter: c.raft(lonely).term, leaderAfter: leaderOf(c.sim), l, c };
  };
  const without = run(false);
  assert.ok(without.termAfter > without.term, "without PreVote the isolated node's term grew");
  const withPv = run(true);
  assert.equal(withPv.termAfter, withPv.term, "with PreVote the term stays");
  assert.equal(withPv.leaderAfter, withPv.l, "and the leader keeps its job");
  assert.equal(withPv.c.raft(withPv.l).term, withPv.term);
});

Deno.test("raft thesis §6.2: with CheckQuorum a leader cut off from the majority steps down", () => {
  for (const checkQuorum of [false, true]) {
    const c = raftCluster({ seed: 16, nodes: 5, network: NET, raft: { checkQuorum } });
    const l = runUntilLeader(c.sim, 2_000)!;
    c.net.isolate(l);
    c.sim.runFor(1_000);
    assert.equal(c.raft(l).role === "leader", !checkQuorum, `checkQuorum=${checkQuorum}`);
    if (checkQuorum) {
      const e = c.sim.events.find((x) => x.node === l && x.event.type === "stepdown")!;
      assert.equal(e.event.reason, "check-quorum");
    }
  }
});

Deno.test("raft: logs converge and commit under loss, duplication and reordering", () => {
  const c = raftCluster({
    seed: 17,
    nodes: 3,
    network: { ...NET, lossRatio: 0.1, duplicateRatio: 0.1, reorderRatio: 0.2, reorderDelayMs: 30 },
  });
  const accepted = proposeContinuously(c.sim, 10, 3_000);
  c.sim.run({ untilMs: 4_000 });
  const l = leaderOf(c.sim)!;
  assert.ok(l);
  assert.ok(accepted.length > 100);
  for (const id of c.nodes) {
    assert.equal(c.raft(id).commitIndex, c.raft(l).lastLogIndex, `${id} lags`);
    assert.deepEqual(c.machines.get(id)!.applied, c.machines.get(l)!.applied);
  }
});
