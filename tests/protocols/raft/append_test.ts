/**
 * Handler tests of Raft's replication rules (extended paper Figure 2 "AppendEntries RPC", §5.3,
 * §5.4.2, Figure 13 "InstallSnapshot RPC", §7; thesis §5.3 accelerated backtracking, §6.4 reads)
 * over a fake context.
 */
import assert from "node:assert/strict";
import type {
  AppendEntries,
  AppendEntriesResponse,
  InstallSnapshot,
  RaftMessage,
} from "../../../lib/protocols/raft/messages.ts";
import { LOG_KEY } from "../../../lib/protocols/raft/log.ts";
import type { ReadResult } from "../../../lib/protocols/kv/replicated_log.ts";
import { RaftNode } from "../../../lib/protocols/raft/node.ts";
import {
  appendAck,
  appendEntries,
  elect,
  entries,
  FakeContext,
  ListMachine,
  node,
  storageWith,
} from "./_handler.ts";

function appendReply(ctx: FakeContext<RaftMessage>, to = "n1"): AppendEntriesResponse {
  const r = ctx.take(to).filter((m) => m.type === "AppendEntriesResponse");
  assert.equal(r.length, 1, `expected one AppendEntriesResponse to ${to}`);
  return r[0] as AppendEntriesResponse;
}

const terms = (raft: RaftNode) => raft.logEntries().map((e) => e.term);

Deno.test("raft §5.1: an AppendEntries from an older term is refused and changes nothing", () => {
  const { ctx, raft } = node({ storage: storageWith([1, 2], 3) });
  raft.onMessage("n1", appendEntries("n1", 2, 2, 2, entries([2], 3)));
  const r = appendReply(ctx);
  assert.deepEqual([r.success, r.term], [false, 3]);
  assert.deepEqual(terms(raft), [1, 2]);
  assert.equal(raft.leaderId, null);
});

Deno.test("raft §5.3: consistency check refuses a log without prevLogIndex (hint: lastLogIndex+1)", () => {
  const { ctx, raft } = node({ storage: storageWith([1, 1]) });
  raft.onMessage("n1", appendEntries("n1", 2, 5, 2, entries([2], 6)));
  const r = appendReply(ctx);
  assert.equal(r.success, false);
  assert.deepEqual([r.conflictTerm, r.conflictIndex, r.prevLogIndex], [0, 3, 5]);
  assert.deepEqual(terms(raft), [1, 1]);
});

Deno.test("raft thesis §5.3: a term mismatch at prevLogIndex reports the term and its first index", () => {
  const { ctx, raft } = node({ storage: storageWith([1, 2, 2, 2, 3]) });
  raft.onMessage("n1", appendEntries("n1", 4, 4, 3, entries([4], 5)));
  const r = appendReply(ctx);
  assert.equal(r.success, false);
  assert.deepEqual([r.conflictTerm, r.conflictIndex], [2, 2]);
});

Deno.test("raft Figure 2 rules 3-4: a conflicting entry and all that follow it are replaced", () => {
  const { ctx, raft } = node({ storage: storageWith([1, 1, 2, 2, 2], 2) });
  const fresh = [{ index: 3, term: 3, kind: "command" as const, command: "x" }];
  raft.onMessage("n1", appendEntries("n1", 3, 2, 1, fresh));
  const r = appendReply(ctx);
  assert.deepEqual([r.success, r.matchIndex], [true, 3]);
  assert.deepEqual(terms(raft), [1, 1, 3]);
  // durable too: a restarted node sees the same log
  assert.deepEqual(ctx.storage.list<{ term: number }>(LOG_KEY).map((e) => e.term), [1, 1, 3]);
});

Deno.test("raft Figure 2 rule 4: a late, reordered AppendEntries never truncates matching entries", () => {
  const { ctx, raft } = node({ storage: storageWith([1], 1) });
  raft.onMessage("n1", appendEntries("n1", 1, 1, 1, entries([1, 1, 1], 2)));
  assert.equal(appendReply(ctx).matchIndex, 4);
  raft.onMessage("n1", appendEntries("n1", 1, 1, 1, entries([1], 2)));
  const r = appendReply(ctx);
  assert.deepEqual([r.success, r.matchIndex], [true, 2], "matchIndex covers only what was sent");
  assert.equal(raft.lastLogIndex, 4);
});

Deno.test("raft Figure 2 rule 5: commitIndex = min(leaderCommit, last new entry), then apply in order", () => {
  const { ctx, raft, machine } = node();
  raft.onMessage("n1", appendEntries("n1", 1, 0, 0, entries([1, 1]), 5));
  assert.equal(raft.commitIndex, 2);
  assert.equal(raft.lastApplied, 2);
  assert.deepEqual(machine.applied.map((a) => a.index), [1, 2]);
  assert.deepEqual(ctx.eventsOf("commit"), [{
    type: "commit",
    index: 2,
    term: 1,
    currentTerm: 1,
  }]);
  assert.deepEqual(ctx.eventsOf("apply").map((e) => e.command), ["c1", "c2"]);
});

Deno.test("raft: a follower's commit never covers entries the leader did not vouch for", () => {
  // the follower holds stale entries 2..3 from an old term; the leader's heartbeat says commit 3
  const { raft } = node({ storage: storageWith([1, 1, 1], 1) });
  raft.onMessage("n1", appendEntries("n1", 2, 1, 1, [], 3));
  assert.equal(raft.commitIndex, 1, "only prevLogIndex + entries.length is known to match");
});

Deno.test("raft thesis §5.3: the leader skips a whole conflicting term when backtracking", () => {
  // leader log: terms [1, 1, 3, 3]; follower n1 has [1, 1, 2, 2, 2, 2] from a deposed leader
  const { ctx, raft } = node({ storage: storageWith([1, 1, 3, 3], 3) });
  elect(ctx, raft); // term 4, no-op at 5; nextIndex 5 for everyone (probe from prevLogIndex 4)
  raft.onMessage("n1", {
    type: "AppendEntriesResponse",
    term: 4,
    success: false,
    prevLogIndex: 4,
    matchIndex: 0,
    conflictTerm: 2,
    conflictIndex: 3,
    seq: 1,
  });
  // term 2 is not in the leader's log: next = conflictIndex = 3, so the probe has prevLogIndex 2
  let ae = ctx.take("n1")[0] as AppendEntries;
  assert.equal(ae.type, "AppendEntries");
  assert.deepEqual([ae.prevLogIndex, ae.prevLogTerm], [2, 1]);
  assert.deepEqual(ae.entries.map((e) => e.term), [3, 3, 4]);
  // a follower whose log has the leader's term: next = last index of that term + 1
  raft.onMessage("n2", {
    type: "AppendEntriesResponse",
    term: 4,
    success: false,
    prevLogIndex: 4,
    matchIndex: 0,
    conflictTerm: 1,
    conflictIndex: 1,
    seq: 1,
  });
  ae = ctx.take("n2")[0] as AppendEntries;
  assert.equal(ae.prevLogIndex, 2);
  // a follower with a short log: next = its lastLogIndex + 1
  raft.onMessage("n3", {
    type: "AppendEntriesResponse",
    term: 4,
    success: false,
    prevLogIndex: 4,
    matchIndex: 0,
    conflictTerm: 0,
    conflictIndex: 2,
    seq: 1,
  });
  ae = ctx.take("n3")[0] as AppendEntries;
  assert.equal(ae.prevLogIndex, 1);
});

Deno.test("raft: a stale rejection does not move nextIndex back", () => {
  const { ctx, raft } = node({ storage: storageWith([1, 1], 1) });
  elect(ctx, raft);
  raft.onMessage("n1", appendAck(2, 3, 1, 2));
  ctx.take();
  raft.onMessage("n1", {
    type: "AppendEntriesResponse",
    term: 2,
    success: false,
    prevLogIndex: 1,
    matchIndex: 0,
    conflictTerm: 0,
    conflictIndex: 1,
    seq: 1,
  });
  assert.equal(ctx.take("n1").length, 0);
  assert.equal(raft.matchIndexOf("n1"), 3);
});

Deno.test("raft §5.4.2: a leader commits by counting replicas only entries of its own term", () => {
  // Figure 8 (c): leader of term 4 holds an entry of term 2 at index 2
  const { ctx, raft } = node({ storage: storageWith([1, 2], 3) });
  elect(ctx, raft); // term 4, no-op at index 3
  raft.onMessage("n1", appendAck(4, 2));
  raft.onMessage("n2", appendAck(4, 2));
  assert.equal(raft.commitIndex, 0, "index 2 (term 2) is on a majority but not committed");
  raft.onMessage("n1", appendAck(4, 3));
  raft.onMessage("n2", appendAck(4, 3));
  assert.equal(raft.commitIndex, 3, "the term-4 entry commits, and index 2 with it");
});

Deno.test("raft mistake flag mistakeCommitPreviousTermByCounting: commits the old entry at once", () => {
  const { ctx, raft } = node({
    storage: storageWith([1, 2], 3),
    config: { mistakeCommitPreviousTermByCounting: true },
  });
  elect(ctx, raft);
  raft.onMessage("n1", appendAck(4, 2));
  raft.onMessage("n2", appendAck(4, 2));
  assert.equal(raft.commitIndex, 2);
});

Deno.test("raft §5.3: a leader pipelines new entries to replicating followers", () => {
  const { ctx, raft } = node();
  elect(ctx, raft);
  raft.onMessage("n1", appendAck(1, 1));
  ctx.take();
  raft.propose("a");
  raft.propose("b");
  const sent = ctx.take("n1") as AppendEntries[];
  assert.deepEqual(sent.map((m) => [m.prevLogIndex, m.entries.map((e) => e.index)]), [
    [1, [2]],
    [2, [3]],
  ]);
  // a probing follower (n2, never answered) gets nothing until its probe is answered
  assert.equal(ctx.take("n2").length, 0);
});

Deno.test("raft §5.3: a heartbeat re-sends unacknowledged entries and a lost probe", () => {
  const { ctx, raft } = node();
  elect(ctx, raft);
  raft.onMessage("n1", appendAck(1, 1));
  raft.propose("a"); // index 2, sent to n1 and "lost"
  ctx.take();
  raft.onTimer("raft:heartbeat");
  const toN1 = ctx.take("n1") as AppendEntries[];
  assert.deepEqual(toN1.map((m) => [m.prevLogIndex, m.entries.length]), [[1, 1]]);
  const toN2 = ctx.take("n2") as AppendEntries[];
  assert.deepEqual(toN2.map((m) => [m.prevLogIndex, m.entries.length]), [[0, 2]]);
});

Deno.test("raft thesis §6.4: ReadIndex waits for a majority to acknowledge a fresh heartbeat round", () => {
  const { ctx, raft } = node();
  elect(ctx, raft);
  const got: ReadResult[] = [];
  raft.readIndex((r) => got.push(r));
  assert.equal(got.length, 0, "no entry of the leader's term is committed yet");
  raft.onMessage("n1", appendAck(1, 1, 1));
  raft.onMessage("n2", appendAck(1, 1, 1)); // the no-op commits: the read starts a round
  assert.equal(raft.commitIndex, 1);
  assert.equal(got.length, 0);
  const round = (ctx.take("n1").at(-1) as AppendEntries).seq;
  raft.onMessage("n1", appendAck(1, 1, round));
  assert.equal(got.length, 0, "two of five");
  raft.onMessage("n3", appendAck(1, 1, round));
  assert.deepEqual(got, [{ ok: true, index: 1 }]);
  // a follower refuses with a hint
  const f = node({ self: "n4" });
  f.raft.onMessage("n0", appendEntries("n0", 1, 0, 0));
  f.raft.readIndex((r) => got.push(r));
  assert.deepEqual(got[1], { ok: false, reason: "not-leader", leaderHint: "n0" });
});

Deno.test("raft thesis §6.4.1: a lease from acknowledged heartbeats serves reads locally (CheckQuorum on)", () => {
  const { ctx, raft } = node({ config: { checkQuorum: true } });
  ctx.now = 1000;
  elect(ctx, raft);
  raft.onMessage("n1", appendAck(1, 1, 1));
  raft.onMessage("n2", appendAck(1, 1, 1)); // round 1, sent at 1000, acknowledged by a majority
  assert.ok(raft.leaseValid());
  const got: ReadResult[] = [];
  ctx.now = 1100;
  raft.readIndex((r) => got.push(r), { lease: true });
  assert.deepEqual(got, [{ ok: true, index: 1 }], "served at once");
  ctx.take();
  ctx.now = 1000 + 150 * 0.95 + 1; // lease over: falls back to a heartbeat round
  raft.readIndex((r) => got.push(r), { lease: true });
  assert.equal(got.length, 1);
  assert.ok(ctx.take("n1").some((m) => m.type === "AppendEntries"));
});

Deno.test("raft §7 Figure 13: InstallSnapshot replaces a conflicting log and the state machine", () => {
  const machine = new ListMachine();
  const { ctx, raft } = node({ storage: storageWith([1, 1, 2], 2), machine });
  const snap: InstallSnapshot = {
    type: "InstallSnapshot",
    term: 3,
    leaderId: "n1",
    lastIncludedIndex: 5,
    lastIncludedTerm: 3,
    servers: ["n0", "n1", "n2", "n3", "n4"],
    data: [{ index: 5, command: "from-snapshot" }],
    seq: 4,
  };
  raft.onMessage("n1", snap);
  const r = ctx.take("n1")[0];
  assert.deepEqual(r, { type: "InstallSnapshotResponse", term: 3, matchIndex: 5, seq: 4 });
  assert.deepEqual(
    [raft.snapshotIndex, raft.snapshotTerm, raft.lastLogIndex, raft.commitIndex, raft.lastApplied],
    [5, 3, 5, 5, 5],
  );
  assert.equal(raft.logEntries().length, 0, "the conflicting log is discarded");
  assert.deepEqual(machine.applied, [{ index: 5, command: "from-snapshot" }]);
  assert.notEqual(machine.applied, snap.data, "the leader's data is copied, never shared");
  // the log continues after the snapshot
  raft.onMessage("n1", appendEntries("n1", 3, 5, 3, entries([3], 6), 6));
  assert.equal(raft.lastApplied, 6);
  // and a restart rebuilds the state machine from the stored snapshot
  const m2 = new ListMachine();
  const again = new RaftNode(new FakeContext<RaftMessage>("n0", ctx.peers, ctx.storage), {}, m2);
  assert.deepEqual([again.snapshotIndex, again.lastApplied, again.lastLogIndex], [5, 5, 6]);
  assert.deepEqual(m2.applied.map((a) => a.command), ["from-snapshot"]);
});

Deno.test("raft §7 Figure 13 rule 6: a snapshot that matches the log keeps the entries after it", () => {
  const { raft } = node({ storage: storageWith([1, 1, 2, 2], 2) });
  raft.onMessage("n1", {
    type: "InstallSnapshot",
    term: 2,
    leaderId: "n1",
    lastIncludedIndex: 2,
    lastIncludedTerm: 1,
    servers: ["n0", "n1", "n2"],
    data: null,
    seq: 1,
  });
  assert.deepEqual([raft.snapshotIndex, raft.lastLogIndex], [2, 4]);
  assert.deepEqual(raft.servers, ["n0", "n1", "n2"]);
});

Deno.test("raft §7: the leader compacts its log and sends a snapshot to a follower that lags", () => {
  const machine = new ListMachine();
  const { ctx, raft } = node({ config: { snapshotThresholdEntries: 3 }, machine });
  elect(ctx, raft);
  for (const c of ["a", "b", "c"]) raft.propose(c);
  raft.onMessage("n1", appendAck(1, 4));
  raft.onMessage("n2", appendAck(1, 4));
  assert.equal(raft.commitIndex, 4);
  assert.equal(raft.snapshotIndex, 4, "compacted once 3 entries were applied past the snapshot");
  assert.deepEqual(ctx.eventsOf("snapshot"), [{ type: "snapshot", index: 4, term: 1 }]);
  ctx.take();
  // n3 never answered; it rejects the next probe with an empty log
  raft.onMessage("n3", {
    type: "AppendEntriesResponse",
    term: 1,
    success: false,
    prevLogIndex: 0,
    matchIndex: 0,
    conflictTerm: 0,
    conflictIndex: 1,
    seq: 1,
  });
  const sent = ctx.take("n3");
  assert.equal(sent.length, 1);
  const s = sent[0] as InstallSnapshot;
  assert.equal(s.type, "InstallSnapshot");
  assert.deepEqual([s.lastIncludedIndex, s.lastIncludedTerm], [4, 1]);
  assert.deepEqual((s.data as { command: unknown }[]).map((a) => a.command), ["a", "b", "c"]);
  raft.onTimer("raft:heartbeat");
  assert.equal(ctx.take("n3")[0].type, "InstallSnapshot", "a heartbeat re-sends a lost snapshot");
  raft.onMessage("n3", { type: "InstallSnapshotResponse", term: 1, matchIndex: 4, seq: s.seq });
  assert.equal(raft.matchIndexOf("n3"), 4);
});

Deno.test("raft §5.1: a stale InstallSnapshot (already committed) is acknowledged and ignored", () => {
  const { ctx, raft, machine } = node();
  raft.onMessage("n1", appendEntries("n1", 1, 0, 0, entries([1, 1, 1]), 3));
  ctx.take();
  raft.onMessage("n1", {
    type: "InstallSnapshot",
    term: 1,
    leaderId: "n1",
    lastIncludedIndex: 2,
    lastIncludedTerm: 1,
    servers: ["n0", "n1"],
    data: "ignored",
    seq: 1,
  });
  assert.equal(raft.snapshotIndex, 0);
  assert.equal(machine.applied.length, 3);
  assert.deepEqual(ctx.take("n1"), [
    { type: "InstallSnapshotResponse", term: 1, matchIndex: 3, seq: 1 },
  ]);
});

Deno.test("raft §6.4: a new leader appends a no-op, unless electionNoop is off", async () => {
  const { node, elect, storageWith } = await import("./_handler.ts");
  for (const electionNoop of [true, false]) {
    const { ctx, raft } = node({ storage: storageWith([1, 1]), config: { electionNoop } });
    elect(ctx, raft);
    const last = raft.entryAt(raft.lastLogIndex);
    if (electionNoop) {
      if (raft.lastLogIndex !== 3 || last?.kind !== "noop") {
        throw new Error("expected a no-op at 3");
      }
    } else if (raft.lastLogIndex !== 2) {
      throw new Error(`expected no new entry, got index ${raft.lastLogIndex}`);
    }
  }
});
