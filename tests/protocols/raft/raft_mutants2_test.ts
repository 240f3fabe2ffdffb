/**
 * More tests written to kill mutants `deno task mutate lib/protocols/raft` left alive (held-out
 * samples after raft_mutants_test.ts): a stale InstallSnapshot is answered with the newer term
 * (Figure 13, rule 1); a commit event means commitIndex advanced (Figure 2, "Rules for servers"
 * and AppendEntries rule 5); a read is answered once; a leader's campaign() does nothing; an
 * AppendEntries answer counts for CheckQuorum (thesis §6.2); and the names a caller relies on
 * (the stored log's key, the config path of an unknown server, the compaction error).
 */
import assert from "node:assert/strict";
import type { InstallSnapshot } from "../../../lib/protocols/raft/messages.ts";
import { raftFactory } from "../../../lib/protocols/raft/node.ts";
import { RaftLog } from "../../../lib/protocols/raft/log.ts";
import { createCluster } from "../../../lib/net/cluster.ts";
import { ConfigError } from "../../../lib/sim/errors.ts";
import { MemoryStorage } from "../../../lib/sim/storage.ts";
import type { ReadResult } from "../../../lib/protocols/kv/replicated_log.ts";
import {
  appendAck,
  appendEntries,
  elect,
  entries,
  ListMachine,
  node,
  storageWith,
} from "./_handler.ts";

Deno.test("raft §7 Figure 13 rule 1: a stale InstallSnapshot is answered at once with the newer term and installs nothing", () => {
  // our log: terms [1, 1, 3], current term 3
  const { ctx, raft } = node({ storage: storageWith([1, 1, 3], 3) });
  const snap: InstallSnapshot = {
    type: "InstallSnapshot",
    term: 2,
    leaderId: "n1",
    lastIncludedIndex: 5,
    lastIncludedTerm: 2,
    servers: ["n0", "n1", "n2", "n3", "n4"],
    data: null,
    seq: 7,
  };
  raft.onMessage("n1", snap);
  // the old leader learns term 3 from the answer (Figure 2, all servers) and steps down
  assert.deepEqual(ctx.take("n1"), [
    { type: "InstallSnapshotResponse", term: 3, matchIndex: 0, seq: 7 },
  ]);
  assert.deepEqual(
    [raft.term, raft.snapshotIndex, raft.lastLogIndex, raft.commitIndex, raft.leaderId],
    [3, 0, 3, 0, null],
  );
});

Deno.test("raft §5.3: a leader emits one commit event per advance of commitIndex, none for an ack that moves nothing", () => {
  const { ctx, raft } = node(); // five servers: a majority is three
  elect(ctx, raft); // term 1, its no-op at index 1
  ctx.events.length = 0;
  raft.onMessage("n1", appendAck(1, 1));
  assert.equal(ctx.eventsOf("commit").length, 0, "two of five store index 1");
  raft.onMessage("n2", appendAck(1, 1));
  assert.deepEqual(ctx.eventsOf("commit"), [
    { type: "commit", index: 1, term: 1, currentTerm: 1 },
  ]);
  // a fourth and a fifth replica of index 1 change nothing: commitIndex stays 1
  raft.onMessage("n3", appendAck(1, 1));
  raft.onMessage("n4", appendAck(1, 1));
  assert.equal(raft.commitIndex, 1);
  assert.equal(ctx.eventsOf("commit").length, 1);
});

Deno.test("raft Figure 2 AppendEntries rule 5: a late AppendEntries whose last new entry is at commitIndex commits nothing again", () => {
  const { ctx, raft } = node({ self: "n1" });
  // the leader n0 of term 1 sends entries 1..2 and says index 2 is committed
  raft.onMessage("n0", appendEntries("n0", 1, 0, 0, entries([1, 1]), 2));
  assert.equal(raft.commitIndex, 2);
  assert.equal(ctx.eventsOf("commit").length, 1);
  // a delayed copy of an AppendEntries carrying entry 2, sent after the leader committed index 3:
  // commitIndex = min(leaderCommit 3, index of last new entry 2) = 2, unchanged
  raft.onMessage("n0", appendEntries("n0", 1, 1, 1, entries([1], 2), 3));
  assert.equal(raft.commitIndex, 2);
  assert.equal(ctx.eventsOf("commit").length, 1, "commitIndex did not advance");
  const replies = ctx.take("n0").filter((m) => m.type === "AppendEntriesResponse");
  assert.deepEqual(replies.map((m) => m.success), [true, true]);
});

Deno.test("raft §6.4: a read answered while entries were being applied is answered once, not again at the next commit", () => {
  const machine = new ListMachine();
  // a single server whose log holds three commands of term 1, none applied yet
  const { raft } = node({ peers: [], storage: storageWith([1, 1, 1], 1), machine });
  const got: ReadResult[] = [];
  const apply = machine.apply.bind(machine);
  machine.apply = (e) => {
    apply(e);
    // a read started from inside the apply hook of index 1 (the leader's no-op is at index 4)
    if (e.index === 1) raft.readIndex((r) => got.push(r));
  };
  raft.onTimer("raft:election"); // leader of term 2: entries 1..4 commit and are applied
  assert.equal(raft.lastApplied, 4);
  assert.deepEqual(got, [{ ok: true, index: 4 }]);
  const p = raft.propose("x"); // commits at once: a single server is its own majority
  assert.ok(p.ok);
  assert.equal(raft.lastApplied, 5);
  assert.deepEqual(got, [{ ok: true, index: 4 }], "the read's callback ran once");
});

Deno.test("raftFactory's member check gives the unknown server's path in the raft config", () => {
  assert.throws(
    () =>
      createCluster({ seed: 1, nodes: 3, factory: raftFactory({ servers: ["n0", "n1", "n9"] }) }),
    (e: unknown) =>
      e instanceof ConfigError && e.issues.length === 1 && e.issues[0].path === "servers[2]" &&
      e.message.startsWith("invalid raft config: servers[2]: "),
  );
});

Deno.test("raft log: compacting past the last entry is refused, naming the index and the log's end", () => {
  const log = new RaftLog(new MemoryStorage(), ["n0", "n1", "n2"]);
  log.append(entries([1, 1]));
  assert.throws(
    () =>
      log.compact({
        lastIncludedIndex: 5,
        lastIncludedTerm: 1,
        servers: ["n0", "n1", "n2"],
        data: null,
      }),
    { message: "RaftLog.compact(5): beyond the log (2)" },
  );
  assert.deepEqual([log.snapshotIndex, log.lastIndex], [0, 2], "nothing was compacted");
});

Deno.test("raft log: the entries are stored under the key raft/log, where storage readers find them", () => {
  const storage = new MemoryStorage();
  const log = new RaftLog(storage, ["n0", "n1", "n2"]);
  log.append(entries([1, 2]));
  assert.deepEqual(storage.list<{ term: number }>("raft/log").map((e) => e.term), [1, 2]);
  // a node restarted over the same storage reads them back
  const { raft } = node({ storage });
  assert.deepEqual(raft.logEntries().map((e) => [e.index, e.term]), [[1, 1], [2, 2]]);
});

Deno.test("raft: campaign() does nothing for a leader (no new term, no RequestVote)", () => {
  const { ctx, raft } = node();
  elect(ctx, raft); // leader of term 1
  ctx.events.length = 0;
  raft.campaign();
  assert.deepEqual([raft.role, raft.term, raft.votedFor], ["leader", 1, "n0"]);
  assert.deepEqual(ctx.take().filter((m) => m.type === "RequestVote"), []);
  assert.deepEqual(ctx.eventsOf("role"), [], "no role change");
});

Deno.test("raft thesis §6.2: an AppendEntries answer counts as hearing from the follower for checkQuorum", () => {
  const { ctx, raft } = node({ peers: ["n1", "n2"], config: { checkQuorum: true } });
  elect(ctx, raft, ["n1"]); // leader of term 1, its no-op at index 1
  // the first check passes (a new leader counts everyone as heard) and starts a new period
  raft.onTimer("raft:quorum");
  assert.equal(raft.role, "leader");
  // in this period only n1 answers: n0 and n1 are a majority of three
  raft.onMessage("n1", appendAck(1, 1));
  raft.onTimer("raft:quorum");
  assert.equal(raft.role, "leader");
  assert.deepEqual(ctx.eventsOf("stepdown"), []);
  // in the next period nobody answers: n0 alone is no majority
  raft.onTimer("raft:quorum");
  assert.equal(raft.role, "follower");
});
