/**
 * Classic Raft mistakes, each switched on by its named flag, replayed as a scripted scenario and
 * caught by the invariant checker; the same script with the flag off stays safe. Election timeouts
 * are huge so that only `campaign()` starts elections: the script decides who runs and when.
 */
import assert from "node:assert/strict";
import type { RaftConfigInput } from "../../../lib/protocols/raft/config.ts";
import { type RaftCluster, raftCluster } from "./_helpers.ts";
import { MemoryStorage } from "../../../lib/sim/storage.ts";
import {
  appendEntries,
  entries as logEntries,
  node,
  requestVote,
  storageWith,
} from "./_handler.ts";

const SCRIPTED: RaftConfigInput = {
  electionTimeoutMsMin: 1_000_000,
  electionTimeoutMsMax: 2_000_000,
  heartbeatIntervalMs: 20,
};

/** Call elections at `id` until it wins (each `campaign()` is a new term). */
function campaignUntilLeader(c: RaftCluster, id: string, tries = 5): void {
  for (let k = 0; k < tries; k++) {
    c.raft(id).campaign();
    c.sim.run({ untilMs: c.sim.nowMs + 50, until: () => c.raft(id).role === "leader" });
    if (c.raft(id).role === "leader") return;
  }
  throw new Error(`${id} was not elected (seed=${String(c.sim.seed)})`);
}

function appliedAt(c: RaftCluster, index: number): string[] {
  return c.sim.events
    .filter((e) => e.event.type === "apply" && e.event.index === index)
    .map((e) =>
      `${e.node}:t${e.event.term}:${e.event.kind}${e.event.command ? ":" + e.event.command : ""}`
    );
}

/**
 * Figure 8 of the extended paper, nodes n0..n4 playing S1..S5. One entry per AppendEntries so the
 * moment between "index 2 reached a majority" and "index 3 reached a majority" can be cut.
 */
function figure8(mistake: boolean): RaftCluster {
  const c = raftCluster({
    seed: 8,
    nodes: 5,
    raft: { ...SCRIPTED, maxEntriesPerAppend: 1, mistakeCommitPreviousTermByCounting: mistake },
    throwOnBreach: false,
  });
  const { sim, net } = c;
  sim.run({ untilMs: 10 });
  // (a) S1 leads term 1 and its no-op (index 1) commits everywhere; then it replicates A at
  //     index 2 to S2 only
  campaignUntilLeader(c, "n0");
  sim.runFor(100);
  assert.ok(c.nodes.every((id) => c.raft(id).commitIndex === 1));
  net.cut([["n0", "n2"], ["n0", "n3"], ["n0", "n4"]]);
  assert.ok(c.raft("n0").propose("A").ok);
  sim.runFor(50);
  assert.equal(c.raft("n1").termAt(2), 1);
  sim.crash("n0");
  // (b) S5 is elected for term 2 by S3, S4 and itself; its entry at index 2 reaches no one
  campaignUntilLeader(c, "n4");
  net.isolate("n4");
  sim.crash("n4");
  sim.runFor(20); // its in-flight messages meet the cut (a crash does not recall them)
  // (c) S1 restarts and is elected (term 3) by S1, S2, S3; it replicates index 2 to S3
  net.heal();
  net.cut([["n0", "n3"]]);
  sim.restart("n0");
  campaignUntilLeader(c, "n0");
  sim.run({
    untilMs: sim.nowMs + 200,
    until: () => (c.raft("n0").matchIndexOf("n2") ?? 0) >= 2,
  });
  assert.equal(c.raft("n2").termAt(2), 1, "index 2 (term 1) is now on S1, S2, S3");
  // ... and crashes before its own term-3 entry (index 3) reaches S3
  net.isolate("n0");
  sim.crash("n0");
  sim.runFor(20);
  // (d) S5 restarts and wins term 4 with S3 and S4 (its last term 2 beats their 1)
  net.heal();
  sim.restart("n4");
  campaignUntilLeader(c, "n4");
  sim.runFor(200);
  return c;
}

Deno.test("raft Figure 8: committing an old-term entry by counting is caught (mistake flag on)", () => {
  const c = figure8(true);
  const b = c.inv.breach;
  assert.ok(b, "the checker found nothing, seed=8");
  assert.equal(b.invariant, "leader-completeness");
  assert.equal(b.node, "n4");
  assert.match(b.message, /index 2 \(term 1/);
  assert.equal(b.seed, 8);
  // the consequence: index 2 was applied as A by S1 and later as S5's entry of term 2 elsewhere
  const applied = appliedAt(c, 2);
  assert.ok(applied.includes("n0:t1:command:A"), applied.join(", "));
  assert.ok(applied.some((a) => a.includes(":t2:")), applied.join(", "));
});

Deno.test("raft Figure 8: with the §5.4.2 rule the same schedule is safe", () => {
  const c = figure8(false);
  assert.equal(c.inv.breach, undefined, c.inv.breach?.message);
  // A was never committed, so it could be overwritten: nobody applied it
  assert.ok(!appliedAt(c, 2).some((a) => a.endsWith(":A")));
  assert.equal(c.raft("n4").role, "leader");
});

/**
 * n0 and n1 cannot talk; both talk to n2. n0 wins term 1 with n2's vote; n2 crashes and restarts
 * before hearing from n0 again; then n1 asks n2 for its vote in term 1.
 */
function doubleVote(mistakeVolatileVotedFor: boolean): RaftCluster {
  const c = raftCluster({
    seed: 9,
    nodes: 3,
    raft: { ...SCRIPTED, mistakeVolatileVotedFor },
    throwOnBreach: false,
  });
  c.sim.run({ untilMs: 10 });
  c.net.cut([["n0", "n1"]]);
  campaignUntilLeader(c, "n0");
  c.net.cutOneWay(["n0"], ["n2"]); // n0's first AppendEntries never reaches n2
  c.sim.crash("n2");
  c.sim.restart("n2");
  c.sim.runFor(5);
  c.raft("n1").campaign();
  c.sim.runFor(50);
  return c;
}

Deno.test("raft Figure 2: a votedFor kept in memory lets a restarted server vote twice (flag on)", () => {
  const c = doubleVote(true);
  const b = c.inv.breach;
  assert.ok(b, "the checker found nothing, seed=9");
  assert.equal(b.invariant, "election-safety");
  assert.match(b.message, /n1 and n0 are both leaders of term 1/);
  assert.equal(c.raft("n0").role, "leader");
  assert.equal(c.raft("n1").role, "leader");
});

Deno.test("raft Figure 2: a durable votedFor survives the restart and refuses the second vote", () => {
  const c = doubleVote(false);
  assert.equal(c.inv.breach, undefined, c.inv.breach?.message);
  assert.equal(c.raft("n2").votedFor, "n0");
  assert.notEqual(c.raft("n1").role, "leader");
});

/** n2 misses a committed entry; the leader crashes; n2 asks n1 for its vote. */
function staleCandidate(mistakeVoteWithoutUpToDateCheck: boolean): RaftCluster {
  const c = raftCluster({
    seed: 10,
    nodes: 3,
    raft: { ...SCRIPTED, mistakeVoteWithoutUpToDateCheck },
    throwOnBreach: false,
  });
  c.sim.run({ untilMs: 10 });
  campaignUntilLeader(c, "n0");
  c.sim.runFor(50);
  c.net.isolate("n2");
  assert.ok(c.raft("n0").propose("X").ok);
  c.sim.runFor(50);
  assert.equal(c.raft("n0").commitIndex, 2, "X is committed by n0 and n1");
  c.sim.crash("n0");
  c.net.heal();
  c.raft("n2").campaign();
  c.sim.runFor(100);
  return c;
}

Deno.test("raft §5.4.1: voting without the up-to-date check elects a leader missing a commit (flag on)", () => {
  const c = staleCandidate(true);
  const b = c.inv.breach;
  assert.ok(b, "the checker found nothing, seed=10");
  assert.equal(b.invariant, "leader-completeness");
  assert.equal(b.node, "n2");
  // n1 had applied X at index 2; the new leader applies its own no-op there
  const applied = appliedAt(c, 2);
  assert.ok(applied.includes("n1:t1:command:X") && applied.includes("n2:t2:noop"), applied.join());
});

Deno.test("raft §5.4.1: with the up-to-date check the stale candidate loses", () => {
  const c = staleCandidate(false);
  assert.equal(c.inv.breach, undefined, c.inv.breach?.message);
  assert.notEqual(c.raft("n2").role, "leader");
});

Deno.test("raft invariants: a breach is thrown from afterEach with seed, time and trace position", () => {
  const c = raftCluster({
    seed: 10,
    nodes: 3,
    raft: { ...SCRIPTED, mistakeVoteWithoutUpToDateCheck: true },
  });
  c.sim.run({ untilMs: 10 });
  campaignUntilLeader(c, "n0");
  c.sim.runFor(50);
  c.net.isolate("n2");
  c.raft("n0").propose("X");
  c.sim.runFor(50);
  c.sim.crash("n0");
  c.net.heal();
  c.raft("n2").campaign();
  assert.throws(
    () => c.sim.runFor(100),
    (e: Error) => {
      assert.equal(e.name, "RaftInvariantError");
      assert.match(
        e.message,
        /leader-completeness.*seed=10 t=\d+(\.\d+)?ms event #\d+ trace record #\d+/,
      );
      return true;
    },
  );
  // the breach's trace position is the record of the offending protocol event
  const r = c.sim.trace.records[c.inv.breach!.traceIndex - 1];
  assert.ok(r.type === "event" && r.node === "n2" && r.event.type === "leader", JSON.stringify(r));
});

// ---- the students' guide's mistakes, each on one node over a fake context (flag on vs off) ----

for (const mistake of [false, true]) {
  Deno.test(`raft guide: a vote granted in an earlier term ${mistake ? "is counted (flag on)" : "is dropped"}`, () => {
    const { raft } = node({ config: { mistakeAcceptStaleReplies: mistake } });
    raft.onTimer("raft:election"); // candidate of term 1
    raft.onTimer("raft:election"); // candidate of term 2
    for (const v of ["n1", "n2"]) {
      raft.onMessage(v, {
        type: "RequestVoteResponse",
        term: 1,
        voteGranted: true,
        prevote: false,
      });
    }
    assert.equal(raft.role, mistake ? "leader" : "candidate");
  });

  Deno.test(`raft guide: a late, shorter AppendEntries ${mistake ? "truncates acknowledged entries (flag on)" : "keeps matching entries"}`, () => {
    const { raft } = node({
      storage: storageWith([1], 1),
      config: { mistakeTruncateOnAppend: mistake },
    });
    const all = logEntries([1, 1, 1], 1);
    raft.onMessage("n1", appendEntries("n1", 1, 0, 0, all)); // stores 1..3
    raft.onMessage("n1", appendEntries("n1", 1, 0, 0, all.slice(0, 1))); // a delayed older one
    assert.equal(raft.lastLogIndex, mistake ? 1 : 3);
  });

  Deno.test(`raft guide: commitIndex ${mistake ? "runs past the checked entries (flag on)" : "stops at the last new entry"}`, () => {
    // entries 2..3 are stale (term 1); the leader of term 2 checks only index 1, commit 3
    const { raft } = node({
      storage: storageWith([1, 1, 1], 2),
      config: { mistakeCommitIndexUnbounded: mistake },
    });
    raft.onMessage("n1", appendEntries("n1", 2, 1, 1, [], 3));
    assert.equal(raft.commitIndex, mistake ? 3 : 1);
  });

  Deno.test(`raft guide: a refused RequestVote ${mistake ? "resets the election timer (flag on)" : "leaves the timer alone"}`, () => {
    const { ctx, raft } = node({
      storage: storageWith([1, 1], 1),
      config: { mistakeResetTimerOnVoteRequest: mistake },
    });
    ctx.timers.delete("raft:election");
    raft.onMessage("n1", requestVote("n1", 2, 0, 0)); // outdated log: refused
    assert.equal(raft.votedFor, null);
    assert.equal(ctx.timers.has("raft:election"), mistake);
  });

  Deno.test(`raft guide: the log ${mistake ? "is lost in a restart (flag on)" : "survives a restart"}`, () => {
    const { ctx, raft } = node({ config: { mistakeVolatileLog: mistake } });
    raft.onMessage("n1", appendEntries("n1", 1, 0, 0, logEntries([1, 1], 1)));
    assert.equal(raft.lastLogIndex, 2);
    const again = node({
      storage: ctx.storage as MemoryStorage,
      config: { mistakeVolatileLog: mistake },
    });
    assert.equal(again.raft.lastLogIndex, mistake ? 0 : 2);
  });
}
