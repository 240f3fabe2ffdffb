/**
 * Handler tests of Raft's election rules (extended paper Figure 2 "RequestVote RPC" and "Rules for
 * Servers", §5.2, §5.4.1; thesis §4.2.3, §6.2, §9.6): one input to a node over a fake context,
 * then assertions on the recorded effects and `inspect()`.
 */
import assert from "node:assert/strict";
import type {
  RaftMessage,
  RequestVote,
  RequestVoteResponse,
} from "../../../lib/protocols/raft/messages.ts";
import { TERM_KEY, VOTE_KEY } from "../../../lib/protocols/raft/node.ts";
import { RaftNode } from "../../../lib/protocols/raft/node.ts";
import { appendEntries, elect, FakeContext, node, requestVote, storageWith } from "./_handler.ts";

function voteReply(ctx: FakeContext<RaftMessage>, to: string): RequestVoteResponse {
  const replies = ctx.take(to).filter((m) => m.type === "RequestVoteResponse");
  assert.equal(replies.length, 1, `expected one vote reply to ${to}`);
  return replies[0] as RequestVoteResponse;
}

Deno.test("raft §5.1: a RequestVote from an older term is refused with the current term", () => {
  const { ctx, raft } = node({ storage: storageWith([1, 2], 3) });
  raft.onMessage("n1", requestVote("n1", 2, 5, 2));
  const r = voteReply(ctx, "n1");
  assert.equal(r.voteGranted, false);
  assert.equal(r.term, 3);
  assert.equal(raft.term, 3);
});

Deno.test("raft §5.2: one vote per term, first come first served, persisted before replying", () => {
  const { ctx, raft } = node({ storage: storageWith([1], 1) });
  raft.onMessage("n1", requestVote("n1", 2, 1, 1));
  assert.equal(voteReply(ctx, "n1").voteGranted, true);
  assert.equal(ctx.storage.get(VOTE_KEY), "n1");
  assert.equal(ctx.storage.get(TERM_KEY), 2);
  raft.onMessage("n2", requestVote("n2", 2, 1, 1));
  assert.equal(voteReply(ctx, "n2").voteGranted, false, "a second candidate in the same term");
  raft.onMessage("n1", requestVote("n1", 2, 1, 1));
  assert.equal(voteReply(ctx, "n1").voteGranted, true, "a retried request from the same candidate");
});

Deno.test("raft §5.2: granting a vote resets the election timer", () => {
  const { ctx, raft } = node();
  ctx.timers.delete("raft:election");
  raft.onMessage("n1", requestVote("n1", 1, 0, 0));
  assert.ok(ctx.timers.has("raft:election"));
});

Deno.test("raft §5.4.1: a vote goes only to a log at least as up to date", () => {
  // our log: terms [1, 1, 2]
  const cases: { lastLogIndex: number; lastLogTerm: number; grant: boolean; why: string }[] = [
    { lastLogIndex: 3, lastLogTerm: 1, grant: false, why: "older last term" },
    { lastLogIndex: 2, lastLogTerm: 2, grant: false, why: "same last term, shorter log" },
    { lastLogIndex: 3, lastLogTerm: 2, grant: true, why: "identical" },
    { lastLogIndex: 4, lastLogTerm: 2, grant: true, why: "same last term, longer log" },
    { lastLogIndex: 1, lastLogTerm: 3, grant: true, why: "newer last term, shorter log" },
  ];
  for (const c of cases) {
    const { ctx, raft } = node({ storage: storageWith([1, 1, 2], 2) });
    raft.onMessage("n1", requestVote("n1", 3, c.lastLogIndex, c.lastLogTerm));
    assert.equal(voteReply(ctx, "n1").voteGranted, c.grant, c.why);
    assert.equal(raft.term, 3, "the newer term is adopted whatever the vote");
  }
});

Deno.test("raft mistake flag mistakeVoteWithoutUpToDateCheck: votes for a stale log", () => {
  const { ctx, raft } = node({
    storage: storageWith([1, 1, 2], 2),
    config: { mistakeVoteWithoutUpToDateCheck: true },
  });
  raft.onMessage("n1", requestVote("n1", 3, 1, 1));
  assert.equal(voteReply(ctx, "n1").voteGranted, true);
});

Deno.test("raft Figure 2: a higher term in any message makes a leader a follower", () => {
  const { ctx, raft } = node();
  elect(ctx, raft);
  assert.equal(raft.role, "leader");
  raft.onMessage("n3", {
    type: "AppendEntriesResponse",
    term: raft.term + 4,
    success: false,
    prevLogIndex: 0,
    matchIndex: 0,
    conflictTerm: 0,
    conflictIndex: 0,
    seq: 0,
  });
  assert.equal(raft.role, "follower");
  assert.equal(raft.term, 5);
  assert.equal(raft.votedFor, null);
  assert.ok(ctx.eventsOf("role").some((e) => e.role === "follower" && e.term === 5));
});

Deno.test("raft §5.2: on election timeout a follower votes for itself and asks every peer", () => {
  const { ctx, raft } = node({ storage: storageWith([1, 3], 3) });
  raft.onTimer("raft:election");
  assert.equal(raft.role, "candidate");
  assert.equal(raft.term, 4);
  assert.equal(raft.votedFor, "n0");
  assert.equal(ctx.storage.get(TERM_KEY), 4);
  const reqs = ctx.take().filter((m) => m.type === "RequestVote") as RequestVote[];
  assert.equal(reqs.length, 4);
  for (const r of reqs) {
    assert.deepEqual(
      {
        term: r.term,
        lastLogIndex: r.lastLogIndex,
        lastLogTerm: r.lastLogTerm,
        prevote: r.prevote,
      },
      { term: 4, lastLogIndex: 2, lastLogTerm: 3, prevote: false },
    );
  }
});

Deno.test("raft §5.2: a majority of votes makes a leader, which appends a no-op and replicates", () => {
  const { ctx, raft } = node({ storage: storageWith([1], 1) });
  raft.onTimer("raft:election");
  ctx.take();
  raft.onMessage("n1", { type: "RequestVoteResponse", term: 2, voteGranted: true, prevote: false });
  assert.equal(raft.role, "candidate", "two of five is not a majority");
  raft.onMessage("n2", {
    type: "RequestVoteResponse",
    term: 2,
    voteGranted: false,
    prevote: false,
  });
  raft.onMessage("n3", { type: "RequestVoteResponse", term: 2, voteGranted: true, prevote: false });
  assert.equal(raft.role, "leader");
  assert.deepEqual(ctx.eventsOf("leader"), [{ type: "leader", term: 2 }]);
  // thesis §6.4: the new leader's first entry is a no-op of its term
  assert.deepEqual(raft.entryAt(2), { index: 2, term: 2, kind: "noop" });
  const aes = ctx.take().filter((m) => m.type === "AppendEntries");
  assert.equal(aes.length, 4);
  assert.ok(ctx.timers.has("raft:heartbeat"));
  assert.ok(!ctx.timers.has("raft:election"));
});

Deno.test("raft §5.2: a candidate that hears from a leader of its term becomes a follower", () => {
  const { ctx, raft } = node();
  raft.onTimer("raft:election");
  ctx.take();
  raft.onMessage("n2", appendEntries("n2", 1, 0, 0));
  assert.equal(raft.role, "follower");
  assert.equal(raft.leaderId, "n2");
  assert.equal(raft.term, 1);
});

Deno.test("raft Figure 2 (persistent state): votedFor survives a restart", () => {
  const { ctx, raft } = node();
  raft.onMessage("n1", requestVote("n1", 7, 0, 0));
  assert.equal(voteReply(ctx, "n1").voteGranted, true);
  // crash: a new object over the same storage
  const ctx2 = new FakeContext<RaftMessage>("n0", ctx.peers, ctx.storage);
  const again = new RaftNode(ctx2);
  again.start();
  assert.equal(again.term, 7);
  assert.equal(again.votedFor, "n1");
  again.onMessage("n2", requestVote("n2", 7, 0, 0));
  assert.equal(voteReply(ctx2, "n2").voteGranted, false);
});

Deno.test("raft mistake flag mistakeVolatileVotedFor: a restart forgets the vote", () => {
  const config = { mistakeVolatileVotedFor: true };
  const { ctx, raft } = node({ config });
  raft.onMessage("n1", requestVote("n1", 7, 0, 0));
  assert.equal(voteReply(ctx, "n1").voteGranted, true);
  assert.equal(ctx.storage.get(VOTE_KEY), undefined);
  const ctx2 = new FakeContext<RaftMessage>("n0", ctx.peers, ctx.storage);
  const again = new RaftNode(ctx2, config);
  again.start();
  again.onMessage("n2", requestVote("n2", 7, 0, 0));
  assert.equal(voteReply(ctx2, "n2").voteGranted, true, "votes twice in term 7");
});

Deno.test("raft thesis §9.6: PreVote asks for term + 1 without raising the term", () => {
  const { ctx, raft } = node({ storage: storageWith([1], 1), config: { preVote: true } });
  raft.onTimer("raft:election");
  assert.equal(raft.role, "precandidate");
  assert.equal(raft.term, 1);
  assert.equal(ctx.storage.get(TERM_KEY), 1);
  const reqs = ctx.take().filter((m) => m.type === "RequestVote") as RequestVote[];
  assert.ok(reqs.length === 4 && reqs.every((r) => r.prevote && r.term === 2));
  // granted pre-votes carry the proposed term and must not make the precandidate step down
  raft.onMessage("n1", { type: "RequestVoteResponse", term: 2, voteGranted: true, prevote: true });
  assert.equal(raft.role, "precandidate");
  raft.onMessage("n2", { type: "RequestVoteResponse", term: 2, voteGranted: true, prevote: true });
  assert.equal(raft.role, "candidate", "a majority of pre-votes starts the real election");
  assert.equal(raft.term, 2);
  assert.ok(ctx.take().some((m) => m.type === "RequestVote" && !m.prevote && m.term === 2));
});

Deno.test("raft thesis §9.6: a pre-vote does not change the voter's term or vote", () => {
  const { ctx, raft } = node({ storage: storageWith([1], 1) });
  raft.onMessage("n1", requestVote("n1", 5, 1, 1, true));
  const r = voteReply(ctx, "n1");
  assert.equal(r.voteGranted, true);
  assert.equal(r.term, 5);
  assert.equal(raft.term, 1);
  assert.equal(raft.votedFor, null);
});

Deno.test("raft thesis §9.6: no pre-vote while a leader was heard within the election timeout", () => {
  const { ctx, raft } = node({ storage: storageWith([1], 1) });
  ctx.now = 1000;
  raft.onMessage("n2", appendEntries("n2", 1, 1, 1));
  ctx.take();
  ctx.now = 1100; // < 150 ms later
  raft.onMessage("n1", requestVote("n1", 2, 1, 1, true));
  assert.equal(voteReply(ctx, "n1").voteGranted, false);
  ctx.now = 1200;
  raft.onMessage("n1", requestVote("n1", 2, 1, 1, true));
  assert.equal(voteReply(ctx, "n1").voteGranted, true);
});

Deno.test("raft thesis §4.2.3: with CheckQuorum a server in touch with its leader ignores RequestVote", () => {
  const { ctx, raft } = node({ storage: storageWith([1], 1), config: { checkQuorum: true } });
  ctx.now = 1000;
  raft.onMessage("n2", appendEntries("n2", 1, 1, 1));
  ctx.take();
  ctx.now = 1050;
  raft.onMessage("n1", requestVote("n1", 9, 5, 1));
  assert.equal(raft.term, 1, "the disruptive term is not adopted");
  assert.equal(ctx.take().length, 0, "and not answered");
  ctx.now = 1200;
  raft.onMessage("n1", requestVote("n1", 9, 5, 1));
  assert.equal(raft.term, 9);
  assert.equal(voteReply(ctx, "n1").voteGranted, true);
});

Deno.test("raft thesis §6.2: CheckQuorum makes a leader without a majority step down", () => {
  const { ctx, raft } = node({ config: { checkQuorum: true } });
  elect(ctx, raft);
  assert.ok(ctx.timers.has("raft:quorum"));
  // every progress starts active; the first tick clears the flags
  raft.onTimer("raft:quorum");
  assert.equal(raft.role, "leader");
  raft.onMessage("n1", {
    type: "AppendEntriesResponse",
    term: raft.term,
    success: true,
    prevLogIndex: 0,
    matchIndex: 1,
    conflictTerm: 0,
    conflictIndex: 0,
    seq: 1,
  });
  raft.onTimer("raft:quorum"); // heard only from n1: 2 of 5
  assert.equal(raft.role, "follower");
  assert.deepEqual(ctx.eventsOf("stepdown").map((e) => e.reason), ["check-quorum"]);
});

Deno.test("raft: a single-server cluster elects itself and commits alone", () => {
  const { ctx, raft } = node({ self: "solo", peers: [] });
  raft.onTimer("raft:election");
  assert.equal(raft.role, "leader");
  const r = raft.propose("x");
  assert.ok(r.ok);
  assert.equal(raft.commitIndex, 2);
  assert.deepEqual(
    ctx.eventsOf("apply").map((e) => [e.index, e.kind]),
    [[1, "noop"], [2, "command"]],
  );
});

Deno.test("raft config: bad parameters are rejected naming the field", () => {
  const ctx = new FakeContext<RaftMessage>("n0", ["n1"]);
  assert.throws(
    () => new RaftNode(ctx, { electionTimeoutMsMin: 300, electionTimeoutMsMax: 100 }),
    /electionTimeoutMsMax/,
  );
  assert.throws(() => new RaftNode(ctx, { heartbeatIntervalMs: 500 }), /heartbeatIntervalMs/);
  assert.throws(() => new RaftNode(ctx, { bogus: 1 } as never), /bogus|unrecognized/i);
});
