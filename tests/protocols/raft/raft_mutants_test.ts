/**
 * Tests written to kill mutants `deno task mutate lib/protocols/raft` left alive: a pre-vote
 * (Ongaro's thesis §9.6) needs both a newer term and an up-to-date log; a leader ignores a stale
 * AppendEntries rejection at or below a follower's matchIndex; the snapshot breach names both sides.
 */
import assert from "node:assert/strict";
import {
  isRaftMessage,
  type RaftMessage,
  type RequestVoteResponse,
} from "../../../lib/protocols/raft/messages.ts";
import { raftFactory, type RaftNode } from "../../../lib/protocols/raft/node.ts";
import { ConfigError } from "../../../lib/sim/errors.ts";
import { createCluster } from "../../../lib/net/cluster.ts";
import { RaftInvariants } from "../../../lib/protocols/raft/invariants.ts";
import type { EmittedEvent } from "../../../lib/sim/simulation.ts";
import type { ProtocolEvent } from "../../../lib/sim/types.ts";
import { elect, type FakeContext, node, requestVote, storageWith } from "./_handler.ts";

const progressOf = (raft: RaftNode, peer: string) => {
  const p = raft.inspect().progress.find((x) => x.peer === peer);
  assert.ok(p, `no progress for ${peer}`);
  return p;
};

function voteReply(ctx: FakeContext<RaftMessage>, to: string): RequestVoteResponse {
  const replies = ctx.take(to).filter((m) => m.type === "RequestVoteResponse");
  assert.equal(replies.length, 1, `expected one vote reply to ${to}`);
  return replies[0] as RequestVoteResponse;
}

Deno.test("raft thesis §9.6: a pre-vote needs a newer term AND a log at least as up to date", () => {
  const cases = [
    { term: 3, lastLogIndex: 3, lastLogTerm: 2, grant: true, why: "newer term, same log" },
    { term: 3, lastLogIndex: 3, lastLogTerm: 1, grant: false, why: "newer term, older log" },
    { term: 2, lastLogIndex: 9, lastLogTerm: 2, grant: false, why: "same term, longer log" },
  ];
  for (const c of cases) {
    // our log: terms [1, 1, 2], current term 2, no leader heard from
    const { ctx, raft } = node({ storage: storageWith([1, 1, 2], 2), config: { preVote: true } });
    raft.onMessage("n1", requestVote("n1", c.term, c.lastLogIndex, c.lastLogTerm, true));
    const r = voteReply(ctx, "n1");
    assert.equal(r.voteGranted, c.grant, c.why);
    assert.equal(r.prevote, true);
    assert.equal(raft.term, 2, "a pre-vote never changes the term");
  }
});

Deno.test("raft §5.3: a rejection at or below matchIndex is stale and leaves nextIndex alone", () => {
  const { ctx, raft } = node({ storage: storageWith([1, 1], 1) });
  elect(ctx, raft);
  const last = raft.lastLogIndex;
  const ack = (success: boolean, prevLogIndex: number, matchIndex: number) =>
    raft.onMessage("n1", {
      type: "AppendEntriesResponse",
      term: raft.term,
      success,
      prevLogIndex,
      matchIndex,
      conflictTerm: success ? 0 : 1,
      conflictIndex: success ? 0 : 1,
      seq: 0,
    });
  ack(true, last, last);
  raft.propose("a");
  raft.propose("b");
  const before = progressOf(raft, "n1");
  assert.equal(before.match, last);
  // a rejection of an old request at prevLogIndex = matchIndex: n1 already acknowledged it
  ack(false, last, 0);
  assert.deepEqual(progressOf(raft, "n1"), before);
  ack(false, last - 1, 0);
  assert.deepEqual(progressOf(raft, "n1"), before);
});

Deno.test("raft invariants: a snapshot over an applied entry of another term is named in the breach", () => {
  const inv = new RaftInvariants();
  const ev = (t: number, node: string, event: ProtocolEvent): EmittedEvent => ({
    t,
    node,
    event,
    traceIndex: -1,
  });
  inv.observe(ev(1, "n0", { type: "apply", index: 3, term: 1, kind: "command", command: "a" }));
  inv.observe(ev(2, "n1", { type: "snapshot-install", index: 3, term: 1 }));
  assert.equal(inv.breach, undefined, "a snapshot agreeing with what was applied");
  inv.observe(ev(3, "n2", { type: "snapshot-install", index: 3, term: 2 }));
  const breach = (i: RaftInvariants) => i.breach;
  assert.equal(breach(inv)?.invariant, "state-machine-safety");
  assert.equal(
    breach(inv)?.message,
    "n2 installed a snapshot ending at index 3 term 2, but n0 applied term 1 there",
  );
});

Deno.test("raftFactory refuses a bad config at once, saying it is the raft config", () => {
  assert.throws(
    () => raftFactory({ heartbeatIntervalMs: -5 }),
    (e: unknown) =>
      e instanceof ConfigError && e.message.startsWith("invalid raft config: ") &&
      e.message.includes("heartbeatIntervalMs"),
  );
});

Deno.test("raftFactory's member check names the raft config and the unknown server", () => {
  assert.throws(
    () =>
      createCluster({ seed: 1, nodes: 3, factory: raftFactory({ servers: ["n0", "n1", "n9"] }) }),
    (e: unknown) =>
      e instanceof ConfigError && e.message.startsWith("invalid raft config: ") &&
      e.message.includes("servers") && e.message.includes("n9"),
  );
});

Deno.test("raft invariants: two different commands applied at one index break state-machine safety", () => {
  const inv = new RaftInvariants();
  const ev = (t: number, node: string, event: ProtocolEvent): EmittedEvent => ({
    t,
    node,
    event,
    traceIndex: -1,
  });
  inv.observe(ev(1, "n0", { type: "apply", index: 4, term: 1, kind: "command", command: "a" }));
  inv.observe(ev(2, "n1", { type: "apply", index: 4, term: 1, kind: "command", command: "a" }));
  assert.equal(inv.breach, undefined, "the same command twice");
  inv.observe(ev(3, "n2", { type: "apply", index: 4, term: 1, kind: "command", command: "b" }));
  const breach = (i: RaftInvariants) => i.breach;
  assert.equal(breach(inv)?.invariant, "state-machine-safety");
});

Deno.test("raft messages: the guard refuses null and a function that carries a Raft type", () => {
  assert.equal(isRaftMessage(null), false);
  const f = Object.assign(() => {}, { type: "RequestVote" });
  assert.equal(isRaftMessage(f), false);
  assert.equal(isRaftMessage({ type: "RequestVote" }), true);
});

Deno.test("raft: a single-server cluster serves a ReadIndex read on its own", () => {
  const { raft } = node({ peers: [] });
  raft.onTimer("raft:election");
  assert.equal(raft.role, "leader");
  const got: unknown[] = [];
  raft.readIndex((r) => got.push(r));
  raft.onTimer("raft:heartbeat");
  assert.deepEqual(got, [{ ok: true, index: 1 }]);
});
