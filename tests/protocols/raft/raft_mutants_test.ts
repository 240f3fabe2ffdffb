/**
 * Tests written to kill mutants `deno task mutate lib/protocols/raft` left alive: a pre-vote
 * (Ongaro's thesis §9.6) needs both a newer term and an up-to-date log; a leader ignores a stale
 * AppendEntries rejection at or below a follower's matchIndex; the snapshot breach names both sides.
 */
import assert from "node:assert/strict";
import {
  isRaftMessage,
  type LogEntry,
  type RaftMessage,
  type RequestVoteResponse,
} from "../../../lib/protocols/raft/messages.ts";
import { raftFactory, RaftNode, TERM_KEY } from "../../../lib/protocols/raft/node.ts";
import { ConfigError } from "../../../lib/sim/errors.ts";
import { createCluster } from "../../../lib/net/cluster.ts";
import { RaftInvariants } from "../../../lib/protocols/raft/invariants.ts";
import type { EmittedEvent } from "../../../lib/sim/simulation.ts";
import type { ProtocolEvent } from "../../../lib/sim/types.ts";
import {
  appendAck,
  appendEntries,
  elect,
  entries,
  FakeContext,
  ListMachine,
  node,
  requestVote,
  storageWith,
} from "./_handler.ts";
import { raftCluster, runUntilLeader } from "./_helpers.ts";
import { LOG_KEY, RaftLog, SNAPSHOT_KEY } from "../../../lib/protocols/raft/log.ts";
import { raftKvServer } from "../../../lib/protocols/raft/kv.ts";
import { MemoryStorage } from "../../../lib/sim/storage.ts";

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

/** An event as the simulator emits it, for feeding a checker by hand. */
const emitted = (t: number, node: string, event: ProtocolEvent): EmittedEvent => ({
  t,
  node,
  event,
  traceIndex: -1,
});

Deno.test("raft invariants: every proposal of a leader counts until committed or abandoned", () => {
  const inv = new RaftInvariants({ throwOnBreach: false });
  inv.observe(emitted(1, "n0", { type: "propose", index: 1, term: 1 }));
  inv.observe(emitted(2, "n0", { type: "propose", index: 2, term: 1 }));
  inv.observe(emitted(3, "n1", { type: "propose", index: 1, term: 2 }));
  assert.equal(inv.liveness().uncommittedProposals, 3);
  // n1 announcing itself leader keeps its proposal pending: its commit is timed
  inv.observe(emitted(4, "n1", { type: "role", role: "leader", term: 2 }));
  inv.observe(emitted(10, "n1", { type: "commit", index: 1, term: 2 }));
  assert.deepEqual(inv.liveness().commitLatencyMs, [7]);
  assert.equal(inv.liveness().uncommittedProposals, 2);
  // n0 is deposed: its two proposals are abandoned, still uncommitted, never timed
  inv.observe(emitted(11, "n0", { type: "role", role: "follower", term: 2 }));
  inv.observe(emitted(12, "n0", { type: "commit", index: 2, term: 1 }));
  assert.equal(inv.liveness().uncommittedProposals, 2);
  assert.deepEqual(inv.liveness().commitLatencyMs, [7]);
});

Deno.test("raft invariants: eventsChecked counts every simulator event checked", () => {
  const c = createCluster({ seed: 2, nodes: 3, factory: raftFactory() });
  const inv = new RaftInvariants().attach(c.sim);
  let events = 0;
  c.sim.afterEach(() => events++);
  c.sim.run({ untilMs: 500 });
  assert.ok(events > 10, `only ${events} events`);
  assert.equal(inv.eventsChecked, events);
});

Deno.test("raft: every server bootstraps the same configuration, whatever its peers' order", () => {
  const a = node({ self: "n2", peers: ["n4", "n0", "n3", "n1"] });
  const b = node({ self: "n0", peers: ["n3", "n1", "n4", "n2"] });
  assert.deepEqual(a.raft.servers, ["n0", "n1", "n2", "n3", "n4"]);
  assert.deepEqual(b.raft.servers, a.raft.servers);
  const given = node({ config: { servers: ["n2", "n0", "n1"] } });
  assert.deepEqual(given.raft.servers, ["n0", "n1", "n2"]);
  assert.deepEqual(
    given.raft.config.servers,
    ["n2", "n0", "n1"],
    "the config is not sorted in place",
  );
});

Deno.test("raft §5.1: a follower refuses a proposal and names the leader it heard from", () => {
  const { raft } = node();
  assert.deepEqual(raft.propose("x"), { ok: false, reason: "not-leader", leaderHint: undefined });
  raft.onMessage("n3", {
    type: "AppendEntries",
    term: 1,
    leaderId: "n3",
    prevLogIndex: 0,
    prevLogTerm: 0,
    entries: [],
    leaderCommit: 0,
    seq: 1,
  });
  assert.deepEqual(raft.propose("x"), { ok: false, reason: "not-leader", leaderHint: "n3" });
});

/** Read the breach without TypeScript keeping an earlier `=== undefined` narrowing. */
const breachOf = (inv: RaftInvariants) => inv.breach;

/** Three quiet servers (no election for a while) under a checker that records breaches. */
function quietCluster() {
  const c = raftCluster({
    seed: 1,
    nodes: 3,
    throwOnBreach: false,
    raft: { electionTimeoutMsMin: 5_000, electionTimeoutMsMax: 6_000, heartbeatIntervalMs: 1_000 },
  });
  c.sim.runFor(1);
  return c;
}

const entry = (index: number, term: number): LogEntry => ({
  index,
  term,
  kind: "command",
  command: `c${index}`,
});

Deno.test("raft §5.4 leader completeness: only commits of earlier terms bind a new leader, and the breach says what its log has", () => {
  const c = quietCluster();
  c.raft("n1").onMessage("n0", appendEntries("n0", 1, 0, 0, [entry(1, 1), entry(2, 1)]));
  const feed = (node: string, event: ProtocolEvent) =>
    c.inv.observe({ t: c.sim.nowMs, node, event, traceIndex: -1 });
  // committed in term 3: a leader of term 2 (its votes gathered earlier) need not hold it
  feed("n0", { type: "commit", index: 5, term: 3, currentTerm: 3 });
  feed("n1", { type: "leader", term: 2 });
  assert.equal(breachOf(c.inv), undefined);
  // committed at index 2 with term 2 in term 2: n1 holds term 1 there
  feed("n0", { type: "commit", index: 2, term: 2, currentTerm: 2 });
  feed("n1", { type: "leader", term: 3 });
  assert.equal(breachOf(c.inv)?.invariant, "leader-completeness");
  assert.match(breachOf(c.inv)!.message, /its log has term 1$/);
  // n2's log is empty: "no entry there"
  const d = quietCluster();
  d.inv.observe({
    t: 0,
    node: "n0",
    event: { type: "commit", index: 1, term: 1, currentTerm: 1 },
    traceIndex: -1,
  });
  d.inv.observe({ t: 0, node: "n2", event: { type: "leader", term: 2 }, traceIndex: -1 });
  assert.match(breachOf(d.inv)!.message, /its log has no entry there \(last index 0\)$/);
});

Deno.test("raft log: a shared slice reaching past the end grows with the log", () => {
  const log = new RaftLog(new MemoryStorage(), ["n0", "n1", "n2"]);
  log.append([entry(1, 1), entry(2, 1)]);
  assert.deepEqual(log.sharedSlice(1, 4).map((x) => x.index), [1, 2]);
  log.append([entry(3, 1)]);
  assert.deepEqual(log.sharedSlice(1, 4).map((x) => x.index), [1, 2, 3]);
  assert.equal(log.sharedSlice(1, 3), log.sharedSlice(1, 3), "an in-range slice is shared");
});

Deno.test("raft log: after compaction the kept suffix is durable and term runs stop at the snapshot", () => {
  const storage = new MemoryStorage();
  const log = new RaftLog(storage, ["n0", "n1", "n2"]);
  log.append([entry(1, 1), entry(2, 1), entry(3, 1), entry(4, 1), entry(5, 2)]);
  log.compact({ lastIncludedIndex: 2, lastIncludedTerm: 1, servers: ["n0", "n1", "n2"], data: 0 });
  // the run of term 1 containing index 4 starts at the first kept entry, not at the snapshot
  assert.equal(log.firstIndexOfTerm(1, 4), 3);
  assert.equal(log.firstIndexOfTerm(2, 5), 5);
  const restarted = new RaftLog(storage, ["n0", "n1", "n2"]);
  assert.equal(restarted.snapshotIndex, 2);
  assert.deepEqual(restarted.entries().map((x) => [x.index, x.term]), [[3, 1], [4, 1], [5, 2]]);
});

Deno.test("raft messages: every message type is recognised as Raft", () => {
  const types = [
    "RequestVote",
    "RequestVoteResponse",
    "AppendEntries",
    "AppendEntriesResponse",
    "InstallSnapshot",
    "InstallSnapshotResponse",
  ];
  for (const type of types) assert.equal(isRaftMessage({ type }), true, type);
  assert.equal(isRaftMessage({ type: "" }), false);
});

Deno.test("raft §5.2: a candidate that hears the leader of its own term announces it is a follower", () => {
  const { ctx, raft } = node();
  raft.onTimer("raft:election");
  assert.equal(raft.role, "candidate");
  const roles = () => ctx.events.filter((e) => e.type === "role").map((e) => e.role);
  const before = roles().length;
  raft.onMessage("n1", appendEntries("n1", raft.term, 0, 0));
  assert.equal(raft.role, "follower");
  assert.deepEqual(roles().slice(before), ["follower"]);
});

Deno.test("raft: a deposed leader stops its heartbeats, fails pending reads and waits for an election", () => {
  const { ctx, raft } = node();
  elect(ctx, raft);
  const reads: unknown[] = [];
  raft.readIndex((r) => reads.push(r));
  assert.ok(ctx.timers.has("raft:heartbeat"));
  ctx.timers.delete("raft:election");
  raft.onMessage("n1", appendEntries("n1", raft.term + 1, 0, 0));
  assert.equal(raft.role, "follower");
  assert.deepEqual(reads, [{ ok: false, reason: "not-leader", leaderHint: "n1" }]);
  assert.equal(ctx.timers.has("raft:heartbeat"), false);
  assert.ok(ctx.timers.has("raft:election"));
});

Deno.test("raft thesis §9.6: a leader refuses a pre-vote however long ago it heard another leader", () => {
  const { ctx, raft } = node();
  ctx.now = 10_000;
  elect(ctx, raft);
  ctx.now = 20_000;
  raft.onMessage("n1", requestVote("n1", raft.term + 1, raft.lastLogIndex, raft.term, true));
  const r = voteReply(ctx, "n1");
  assert.equal(r.voteGranted, false);
  assert.equal(raft.role, "leader");
});

Deno.test("raft §6.4 ReadIndex: a read of a later round is served once its own round is acknowledged", () => {
  // the leader's no-op committed first (a read needs an entry of the leader's term committed)
  const { ctx, raft } = leaderWithCommittedNoop();
  const served: string[] = [];
  const seqOf = () => {
    const sent = ctx.take("n1").filter((m) => m.type === "AppendEntries");
    return (sent.at(-1) as { seq: number }).seq;
  };
  raft.readIndex((r) => r.ok && served.push("a"));
  const a = seqOf();
  raft.readIndex((r) => r.ok && served.push("b"));
  const b = seqOf();
  assert.ok(b > a);
  const ack = (p: string, seq: number) =>
    raft.onMessage(p, appendAck(raft.term, raft.lastLogIndex, seq, raft.lastLogIndex));
  ack("n1", a);
  ack("n2", a);
  assert.deepEqual(served, ["a"]);
  ack("n1", b);
  ack("n3", b);
  assert.deepEqual(served, ["a", "b"]);
});

Deno.test("raft: only a leader says it is leader", () => {
  const { ctx, raft } = node();
  assert.equal(raft.isLeader(), false, "follower");
  raft.onTimer("raft:election");
  assert.equal(raft.isLeader(), false, "candidate");
  raft.onMessage("n1", {
    type: "RequestVoteResponse",
    term: raft.term,
    voteGranted: true,
    prevote: false,
  });
  raft.onMessage("n2", {
    type: "RequestVoteResponse",
    term: raft.term,
    voteGranted: true,
    prevote: false,
  });
  assert.equal(raft.isLeader(), true);
  ctx.take();
});

Deno.test("raft §7: a late InstallSnapshot answer never lowers a follower's matchIndex", () => {
  const { ctx, raft } = node({ storage: storageWith([1, 1, 1, 1, 1], 1) });
  elect(ctx, raft);
  const last = raft.lastLogIndex;
  raft.onMessage("n1", appendAck(raft.term, last, 0, last));
  assert.equal(raft.matchIndexOf("n1"), last);
  raft.onMessage("n1", { type: "InstallSnapshotResponse", term: raft.term, matchIndex: 2, seq: 0 });
  assert.equal(raft.matchIndexOf("n1"), last);
});

Deno.test("raft invariants: liveness figures are copies, untouched by later events or by the caller", () => {
  const inv = new RaftInvariants({ throwOnBreach: false });
  inv.observe(emitted(1, "n0", { type: "propose", index: 1, term: 1 }));
  inv.observe(emitted(5, "n0", { type: "commit", index: 1, term: 1, currentTerm: 1 }));
  const first = inv.liveness().commitLatencyMs;
  assert.deepEqual(first, [4]);
  first.push(99);
  inv.observe(emitted(6, "n0", { type: "propose", index: 2, term: 1 }));
  inv.observe(emitted(9, "n0", { type: "commit", index: 2, term: 1, currentTerm: 1 }));
  assert.deepEqual(inv.liveness().commitLatencyMs, [4, 3]);
  assert.deepEqual(first, [4, 99]);
});

Deno.test("raft §5.2: a candidate that steps down in its own term keeps its vote (one vote per term)", () => {
  const { ctx, raft } = node();
  raft.onTimer("raft:election");
  const term = raft.term;
  raft.onMessage("n1", appendEntries("n1", term, 0, 0));
  assert.equal(raft.role, "follower");
  ctx.take();
  // n2 asks for a vote in the same term with a log as good as ours: we voted for ourselves
  raft.onMessage("n2", requestVote("n2", term, raft.lastLogIndex, 0));
  assert.equal(voteReply(ctx, "n2").voteGranted, false);
});

Deno.test("raft §5.3: a follower that has everything gets no empty AppendEntries between heartbeats", () => {
  const { ctx, raft } = node();
  elect(ctx, raft);
  const last = raft.lastLogIndex;
  raft.onMessage("n1", appendAck(raft.term, last, 0, last));
  assert.equal(raft.matchIndexOf("n1"), last);
  assert.deepEqual(ctx.take("n1"), []);
});

Deno.test("raft: a follower keeps no replication progress, even when its configuration changes", () => {
  const { raft } = node();
  const config: LogEntry = { index: 1, term: 1, kind: "config", servers: ["n0", "n1", "n2"] };
  raft.onMessage("n1", appendEntries("n1", 1, 0, 0, [config]));
  assert.deepEqual(raft.servers, ["n0", "n1", "n2"]);
  assert.equal(raft.matchIndexOf("n2"), undefined);
  assert.deepEqual(raft.inspect().progress, []);
});

Deno.test("raft §5.2: by default a refused RequestVote does not reset the election timer", () => {
  const { ctx, raft } = node({ storage: storageWith([1, 1], 1) });
  ctx.timers.delete("raft:election");
  // n1's log is behind ours: refused
  raft.onMessage("n1", requestVote("n1", 2, 1, 1));
  assert.equal(voteReply(ctx, "n1").voteGranted, false);
  assert.equal(ctx.timers.has("raft:election"), false);
});

Deno.test("raft invariants: a log-matching breach names a no-op as such", () => {
  const c = quietCluster();
  const noop: LogEntry = { index: 1, term: 1, kind: "noop" };
  c.raft("n1").onMessage("n0", appendEntries("n0", 1, 0, 0, [noop]));
  c.raft("n2").onMessage("n0", appendEntries("n0", 1, 0, 0, [entry(1, 1)]));
  assert.equal(breachOf(c.inv)?.invariant, "log-matching");
  assert.match(breachOf(c.inv)!.message, /: command:"c1" vs noop$/);
});

Deno.test("raft kv: lease reads are refused without checkQuorum, other options are accepted", () => {
  raftKvServer({});
  raftKvServer({ kv: { reads: "readIndex" } });
  raftKvServer({ kv: { reads: "lease" }, raft: { checkQuorum: true } });
  assert.throws(
    () => raftKvServer({ kv: { reads: "lease" } }),
    (e: unknown) => e instanceof ConfigError && e.issues[0]?.path === "kv.reads",
  );
});

Deno.test("raft §6.4: a read waits for an entry of the leader's own term, even if an older one commits", () => {
  // MISTAKE flag on so that the leader commits its predecessor's entry by counting
  const { ctx, raft } = node({
    storage: storageWith([1, 1], 1),
    config: { mistakeCommitPreviousTermByCounting: true },
  });
  elect(ctx, raft);
  const served: number[] = [];
  raft.readIndex((r) => r.ok && served.push(r.index));
  const ack = (p: string, matchIndex: number, seq: number) =>
    raft.onMessage(p, appendAck(raft.term, matchIndex, seq, matchIndex));
  ack("n1", 2, 0);
  ack("n2", 2, 0);
  assert.equal(raft.commitIndex, 2, "the term-1 entries are committed by counting");
  ctx.take();
  raft.onTimer("raft:heartbeat");
  const seq = (ctx.take("n1").filter((m) => m.type === "AppendEntries").at(-1) as { seq: number })
    .seq;
  ack("n1", 2, seq);
  ack("n2", 2, seq);
  assert.deepEqual(served, [], "no entry of term 2 is committed yet");
});

Deno.test("raft §5.4 leader completeness: a term's highest commit binds later leaders, even when a lower one is seen after it", () => {
  const c = quietCluster();
  c.raft("n2").onMessage("n0", appendEntries("n0", 1, 0, 0, [entry(1, 1), entry(2, 1)]));
  const feed = (node: string, event: ProtocolEvent) =>
    c.inv.observe({ t: c.sim.nowMs, node, event, traceIndex: -1 });
  // the leader of term 1 commits index 3; a follower of term 1 catches up to index 2 only later
  feed("n0", { type: "commit", index: 3, term: 1, currentTerm: 1 });
  feed("n1", { type: "commit", index: 2, term: 1, currentTerm: 1 });
  // n2 holds index 2 but not the committed index 3
  feed("n2", { type: "leader", term: 2 });
  assert.equal(breachOf(c.inv)?.invariant, "leader-completeness");
  assert.match(breachOf(c.inv)!.message, /index 3 \(term 1, committed by n0\).*no entry there/);
});

Deno.test("raft invariants: a leader counts only while a majority is live at its term or below", () => {
  const c = raftCluster({ seed: 1, nodes: 3 });
  const l = runUntilLeader(c.sim, 3_000)!;
  assert.ok(l !== undefined, "no leader");
  c.sim.runFor(200);
  const intervals = () => c.inv.liveness().leaderlessIntervals;
  assert.deepEqual(intervals(), [], "a stable leader counts");
  const [a, b] = c.sim.serverIds.filter((id) => id !== l);
  // one follower down: the leader and the other follower are still a majority
  c.sim.crash(a);
  c.sim.runFor(100);
  assert.deepEqual(intervals(), [], "a majority is live");
  // the other follower moves to a newer term (asked for a vote before a crashed): the leader,
  // still leader in its own eyes until it hears b, no longer counts
  const term = c.raft(l).term;
  let bumpedAt = -1;
  c.sim.schedule(0, () => {
    c.raft(b).onMessage(a, requestVote(a, term + 1, c.raft(b).lastLogIndex, term));
    bumpedAt = c.sim.nowMs;
  });
  while (bumpedAt < 0) c.sim.step();
  assert.equal(c.raft(l).role, "leader");
  assert.equal(c.raft(b).term, term + 1);
  assert.deepEqual(intervals(), [{ fromMs: bumpedAt, toMs: bumpedAt }]);
});

Deno.test("raft thesis §9.6: a pre-candidate does not count late votes of its earlier candidacy as pre-votes", () => {
  const { ctx, raft } = node({ config: { preVote: true } });
  raft.onTimer("raft:election");
  assert.equal(raft.role, "precandidate");
  for (const p of ["n1", "n2"]) {
    raft.onMessage(p, { type: "RequestVoteResponse", term: 1, voteGranted: true, prevote: true });
  }
  assert.equal(raft.role, "candidate");
  assert.equal(raft.term, 1);
  // the election of term 1 times out: a new pre-vote round starts, still in term 1
  raft.onTimer("raft:election");
  assert.equal(raft.role, "precandidate");
  ctx.take();
  // votes of term 1 granted to the candidacy that ended arrive late: they are not pre-votes
  for (const p of ["n1", "n2", "n3"]) {
    raft.onMessage(p, { type: "RequestVoteResponse", term: 1, voteGranted: true, prevote: false });
  }
  assert.equal(raft.role, "precandidate");
  assert.equal(raft.term, 1);
  assert.deepEqual(ctx.take().filter((m) => m.type === "RequestVote"), []);
});

/** n0 leader of term 1 in n0..n4 with its no-op committed (acknowledged by n1 and n2). */
function leaderWithCommittedNoop() {
  const { ctx, raft } = node();
  elect(ctx, raft);
  for (const p of ["n1", "n2"]) {
    raft.onMessage(p, appendAck(raft.term, raft.lastLogIndex, 0, 0));
  }
  assert.equal(raft.commitIndex, 1);
  ctx.take();
  return { ctx, raft };
}

Deno.test("raft thesis §4.1: a leader forgets a removed server at once and replicates nothing more to it", () => {
  const { ctx, raft } = leaderWithCommittedNoop();
  const r = raft.proposeConfigChange({ type: "remove", server: "n4" });
  assert.ok(r.ok);
  assert.deepEqual(raft.servers, ["n0", "n1", "n2", "n3"]);
  assert.equal(raft.matchIndexOf("n4"), undefined);
  assert.deepEqual(raft.inspect().progress.map((p) => p.peer), ["n1", "n2", "n3"]);
  raft.propose("x");
  raft.onTimer("raft:heartbeat");
  assert.deepEqual(ctx.take("n4"), []);
  assert.ok(ctx.take("n3").some((m) => m.type === "AppendEntries"), "n3 is still replicated to");
});

Deno.test("raft thesis §4.1: a committed configuration entry is applied with its servers", () => {
  const { ctx, raft } = leaderWithCommittedNoop();
  const r = raft.proposeConfigChange({ type: "add", server: "n5" });
  assert.ok(r.ok);
  for (const p of ["n1", "n2"]) {
    raft.onMessage(p, appendAck(raft.term, 2, 0, 1));
  }
  assert.equal(raft.commitIndex, 1, "the new configuration of six needs four");
  raft.onMessage("n3", appendAck(raft.term, 2, 0, 1));
  assert.equal(raft.commitIndex, 2);
  assert.deepEqual(ctx.eventsOf("apply").at(-1), {
    type: "apply",
    index: 2,
    term: 1,
    kind: "config",
    servers: ["n0", "n1", "n2", "n3", "n4", "n5"],
  });
});

/**
 * Durable state of a server restarting in term 1 over a snapshot through index 5 (term 1) of
 * `servers`, with log entries 6, 7, … of the given terms after it.
 */
function snapshotStorage(servers: string[], terms: number[] = []): MemoryStorage {
  const storage = new MemoryStorage();
  storage.set(SNAPSHOT_KEY, { lastIncludedIndex: 5, lastIncludedTerm: 1, servers, data: [] });
  if (terms.length) storage.append(LOG_KEY, ...entries(terms, 6));
  storage.set(TERM_KEY, 1);
  return storage;
}

Deno.test("raft §7: a follower sent a snapshot gets no second one before it answers or a heartbeat", () => {
  const servers = ["n0", "n1", "n2", "n3", "n4"];
  const storage = snapshotStorage(servers);
  const { ctx, raft } = node({ storage });
  elect(ctx, raft);
  assert.equal(raft.snapshotIndex, 5);
  // n1 has nothing: it rejects the probe, and its next entry (1) is compacted away
  raft.onMessage("n1", {
    type: "AppendEntriesResponse",
    term: raft.term,
    success: false,
    prevLogIndex: raft.lastLogIndex - 1,
    matchIndex: 0,
    conflictTerm: 0,
    conflictIndex: 1,
    seq: 0,
  });
  const types = () => ctx.take("n1").map((m) => m.type);
  assert.deepEqual(types(), ["InstallSnapshot"]);
  raft.propose("x");
  raft.propose("y");
  assert.deepEqual(types(), [], "the snapshot is in flight");
  raft.onTimer("raft:heartbeat");
  assert.deepEqual(types(), ["InstallSnapshot"], "a heartbeat re-sends it");
});

Deno.test("raft §6.4: a read started from inside an apply hook is answered once its index is applied", () => {
  class ReadingMachine extends ListMachine {
    onApply: ((index: number) => void) | undefined;
    override apply(e: { index: number; command: unknown }): void {
      super.apply(e);
      this.onApply?.(e.index);
    }
  }
  const machine = new ReadingMachine();
  // a single server whose log holds three commands of term 1, none applied yet
  const { raft } = node({ peers: [], storage: storageWith([1, 1, 1], 1), machine });
  const got: { result: unknown; lastApplied: number; applied: number }[] = [];
  machine.onApply = (index) => {
    if (index !== 1) return;
    raft.readIndex((result) =>
      got.push({ result, lastApplied: raft.lastApplied, applied: machine.applied.length })
    );
    assert.deepEqual(got, [], "index 4 (the leader's no-op) is not applied yet");
  };
  // elected in term 2: the no-op at index 4 commits entries 1..4 at once
  raft.onTimer("raft:election");
  assert.equal(raft.role, "leader");
  assert.equal(raft.lastApplied, 4);
  assert.deepEqual(got, [{ result: { ok: true, index: 4 }, lastApplied: 4, applied: 3 }]);
});

Deno.test("raft log: truncating at the snapshot's own index is refused; the next index truncates", () => {
  const log = new RaftLog(new MemoryStorage(), ["n0", "n1", "n2"]);
  log.append([entry(1, 1), entry(2, 1), entry(3, 1)]);
  log.compact({ lastIncludedIndex: 2, lastIncludedTerm: 1, servers: ["n0", "n1", "n2"], data: 0 });
  assert.throws(() => log.truncateFrom(2), /truncateFrom\(2\): below the snapshot \(2\)/);
  log.truncateFrom(3);
  assert.equal(log.lastIndex, 2);
});

Deno.test("raft: with mistakeAcceptStaleReplies a stale AppendEntries (not a reply) is still refused", () => {
  // our log [1, 1, 2] in term 3; an old leader of term 1 sends a conflicting entry at index 3
  const { ctx, raft } = node({
    storage: storageWith([1, 1, 2], 3),
    config: { mistakeAcceptStaleReplies: true },
  });
  raft.onMessage("n1", appendEntries("n1", 1, 2, 1, [entry(3, 1)], 3));
  const replies = ctx.take("n1").filter((m) => m.type === "AppendEntriesResponse");
  assert.equal(replies.length, 1);
  assert.deepEqual(
    [(replies[0] as { term: number }).term, (replies[0] as { success: boolean }).success],
    [3, false],
  );
  assert.equal(raft.term, 3);
  assert.equal(raft.inspect().log.at(-1)?.term, 2, "the stale entry was not written");
});

Deno.test("raft kv: the server factory builds a working replica (a cluster elects a leader)", () => {
  const c = createCluster({ seed: 1, nodes: 3, factory: raftKvServer({}) });
  const leaders: string[] = [];
  c.sim.onEvent((e) => {
    if (e.event.type === "leader") leaders.push(e.node);
  });
  c.sim.run({ untilMs: 3_000 });
  assert.ok(leaders.length >= 1, "no leader elected by the raft kv servers");
});

Deno.test("raft §7: once a follower answers InstallSnapshot, the leader replicates to it at once and on each proposal", () => {
  const servers = ["n0", "n1", "n2", "n3", "n4"];
  const storage = snapshotStorage(servers);
  const { ctx, raft } = node({ storage });
  elect(ctx, raft);
  // the log: snapshot through 5 (term 1), the term-2 no-op at 6
  assert.equal(raft.lastLogIndex, 6);
  raft.onMessage("n1", {
    type: "AppendEntriesResponse",
    term: raft.term,
    success: false,
    prevLogIndex: 5,
    matchIndex: 0,
    conflictTerm: 0,
    conflictIndex: 1,
    seq: 0,
  });
  assert.deepEqual(ctx.take("n1").map((m) => m.type), ["InstallSnapshot"]);
  raft.onMessage("n1", { type: "InstallSnapshotResponse", term: raft.term, matchIndex: 5, seq: 0 });
  assert.equal(raft.matchIndexOf("n1"), 5);
  const sent = () =>
    ctx.take("n1").map((m) =>
      m.type === "AppendEntries" ? [m.prevLogIndex, m.entries.map((e) => e.index)] : m.type
    );
  // what the snapshot lacks (the no-op) follows the answer at once
  assert.deepEqual(sent(), [[5, [6]]]);
  // n1 is replicating now: each proposal goes out right away, pipelined, without waiting for acks
  raft.propose("x");
  assert.deepEqual(sent(), [[6, [7]]]);
  raft.propose("y");
  assert.deepEqual(sent(), [[7, [8]]]);
});

Deno.test("raft §5.4 leader completeness: the breach names the first server that committed the missing entry", () => {
  const c = quietCluster();
  // n2 holds indices 1 and 2 (term 1), not index 3
  c.raft("n2").onMessage("n0", appendEntries("n0", 1, 0, 0, [entry(1, 1), entry(2, 1)]));
  const feed = (node: string, event: ProtocolEvent) =>
    c.inv.observe({ t: c.sim.nowMs, node, event, traceIndex: -1 });
  // n0 commits index 3 first, in term 1; n1 learns the same commit later, already in term 2
  feed("n0", { type: "commit", index: 3, term: 1, currentTerm: 1 });
  feed("n1", { type: "commit", index: 3, term: 1, currentTerm: 2 });
  feed("n2", { type: "leader", term: 3 });
  assert.equal(breachOf(c.inv)?.invariant, "leader-completeness");
  assert.match(breachOf(c.inv)!.message, /index 3 \(term 1, committed by n0\)/);
});

Deno.test("raft kv: refused lease reads raise a ConfigError about the raft kv options", () => {
  assert.throws(
    () => raftKvServer({ kv: { reads: "lease" }, raft: { checkQuorum: false } }),
    (e: unknown) =>
      e instanceof ConfigError && e.message.startsWith("invalid raft kv options: kv.reads: "),
  );
});

Deno.test("raft thesis §6.4.1: only a leader with checkQuorum holds a lease", () => {
  // three servers n0..n2; n1 acknowledges the first heartbeat round at once
  const leased = (checkQuorum: boolean) => {
    const { ctx, raft } = node({ peers: ["n1", "n2"], config: { checkQuorum } });
    elect(ctx, raft, ["n1"]);
    raft.onMessage("n1", appendAck(raft.term, 0, 1));
    ctx.now = 10;
    return { ctx, raft };
  };
  const withCq = leased(true);
  assert.equal(withCq.raft.leaseValid(), true, "a majority acknowledged round 1 just now");
  assert.equal(leased(false).raft.leaseValid(), false, "no lease without checkQuorum");
  // the leased leader hears of a newer term and steps down: its lease goes with its leadership
  withCq.raft.onMessage("n2", appendEntries("n2", withCq.raft.term + 1, 0, 0));
  assert.equal(withCq.raft.role, "follower");
  assert.equal(withCq.raft.leaseValid(), false, "a follower holds no lease");
});

Deno.test("raft thesis §6.2: an InstallSnapshot answer counts as hearing from the follower for checkQuorum", () => {
  const servers = ["n0", "n1", "n2"];
  const run = (answer: boolean) => {
    const storage = snapshotStorage(servers);
    const { ctx, raft } = node({ peers: ["n1", "n2"], storage, config: { checkQuorum: true } });
    elect(ctx, raft, ["n1"]);
    // the first check passes (a new leader counts everyone as heard) and starts a new period
    raft.onTimer("raft:quorum");
    assert.equal(raft.role, "leader");
    // in this period only n1 speaks, and only to answer a snapshot
    if (answer) {
      raft.onMessage("n1", {
        type: "InstallSnapshotResponse",
        term: raft.term,
        matchIndex: 5,
        seq: 1,
      });
    }
    raft.onTimer("raft:quorum");
    return raft.role;
  };
  assert.equal(run(true), "leader", "n0 and n1 are a majority of three");
  assert.equal(run(false), "follower", "n0 alone is no majority");
});

Deno.test("raft thesis §6.4.1: with heartbeat rounds pipelined, each acknowledged round extends the lease from its own start", () => {
  const { ctx, raft } = node({
    peers: ["n1", "n2"],
    config: {
      checkQuorum: true,
      electionTimeoutMsMin: 1_000,
      electionTimeoutMsMax: 2_000,
      heartbeatIntervalMs: 100,
      leaseClockDriftBound: 0,
    },
  });
  elect(ctx, raft, ["n1"]); // round 1 goes out at t=0
  ctx.now = 100;
  raft.onTimer("raft:heartbeat"); // round 2 goes out at t=100, before round 1 is acknowledged
  ctx.take();
  ctx.now = 150;
  raft.onMessage("n1", appendAck(raft.term, 1, 1));
  ctx.now = 200;
  raft.onMessage("n1", appendAck(raft.term, 1, 2));
  // the lease lasts electionTimeoutMsMin = 1000 ms from the start of round 2 (t=100)
  ctx.now = 1_099;
  assert.equal(raft.leaseValid(), true, "round 2 started at t=100: the lease holds until 1100");
  ctx.now = 1_100;
  assert.equal(raft.leaseValid(), false, "the lease has run out");
});

Deno.test("raft invariants: state-machine-safety breaches say who committed or applied what, and where", () => {
  const ev = (t: number, node: string, event: ProtocolEvent): EmittedEvent => ({
    t,
    node,
    event,
    traceIndex: -1,
  });
  const breach = (i: RaftInvariants) => i.breach;
  const commits = new RaftInvariants();
  commits.observe(ev(1, "n0", { type: "commit", index: 4, term: 1, currentTerm: 1 }));
  commits.observe(ev(2, "n1", { type: "commit", index: 4, term: 2, currentTerm: 2 }));
  assert.equal(breach(commits)?.invariant, "state-machine-safety");
  assert.equal(breach(commits)?.message, "n1 committed index 4 with term 2, n0 with term 1");
  const applies = new RaftInvariants();
  applies.observe(ev(1, "n0", { type: "apply", index: 4, term: 1, kind: "command", command: "a" }));
  applies.observe(ev(2, "n2", { type: "apply", index: 4, term: 1, kind: "command", command: "b" }));
  assert.equal(breach(applies)?.invariant, "state-machine-safety");
  assert.equal(
    breach(applies)?.message,
    'n2 applied command:"b" (term 1) at index 4, but n0 applied command:"a" (term 1)',
  );
});

Deno.test("raft log: log.config changes identity only when a configuration entry comes or goes", () => {
  // RaftNode tells a configuration change by identity (`log.config !== configBefore`)
  const log = new RaftLog(new MemoryStorage(), ["n0", "n1", "n2"]);
  const grown = ["n0", "n1", "n2", "n3"];
  log.append([entry(1, 1), { index: 2, term: 1, kind: "config", servers: grown }, entry(3, 1)]);
  log.append([entry(4, 1)]);
  const config = log.config;
  assert.deepEqual(config, { servers: grown, index: 2 });
  log.truncateFrom(4);
  assert.equal(log.config, config, "only a command was removed: the same configuration object");
  log.truncateFrom(2);
  assert.deepEqual(log.config, { servers: ["n0", "n1", "n2"], index: 0 });
});

Deno.test("raft: a heartbeat timer firing late on a deposed leader sends nothing and is not re-armed", () => {
  const { ctx, raft } = node();
  elect(ctx, raft);
  raft.onMessage("n1", appendEntries("n1", raft.term + 1, 0, 0));
  assert.equal(raft.role, "follower");
  assert.equal(ctx.timers.has("raft:heartbeat"), false, "stepping down cancels the heartbeat");
  ctx.take();
  raft.onTimer("raft:heartbeat");
  assert.deepEqual(ctx.take(), []);
  assert.equal(ctx.timers.has("raft:heartbeat"), false);
});

Deno.test("raft: a leader deposed by a newer term in a reply knows of no leader (null)", () => {
  const { ctx, raft } = node();
  elect(ctx, raft);
  raft.onMessage("n1", { ...appendAck(raft.term + 1, 0, 1), success: false });
  assert.equal(raft.role, "follower");
  assert.equal(raft.leaderId, null);
  assert.equal(raft.inspect().leaderId, null);
});

Deno.test("raft §5.2/§7: a candidate sent InstallSnapshot by the leader of its term becomes its follower and installs it", () => {
  const { ctx, raft } = node();
  raft.onTimer("raft:election");
  assert.equal(raft.role, "candidate");
  ctx.take();
  raft.onMessage("n1", {
    type: "InstallSnapshot",
    term: raft.term,
    leaderId: "n1",
    lastIncludedIndex: 3,
    lastIncludedTerm: 1,
    servers: ["n0", "n1", "n2", "n3", "n4"],
    data: [],
    seq: 7,
  });
  assert.equal(raft.role, "follower");
  assert.equal(raft.leaderHint(), "n1");
  assert.equal(raft.snapshotIndex, 3);
  assert.deepEqual(ctx.take("n1"), [
    { type: "InstallSnapshotResponse", term: raft.term, matchIndex: 3, seq: 7 },
  ]);
});

Deno.test("raft §7: an AppendEntries wholly inside the follower's snapshot is acknowledged at it and changes nothing, even with mistakeTruncateOnAppend", () => {
  const servers = ["n0", "n1", "n2", "n3", "n4"];
  // snapshot through index 5 (term 1), then entries 6 and 7 of term 1
  const storage = snapshotStorage(servers, [1, 1]);
  const { ctx, raft } = node({ storage, config: { mistakeTruncateOnAppend: true } });
  assert.equal(raft.lastLogIndex, 7);
  // a delayed message of the leader of term 1 carrying entries 3 and 4
  raft.onMessage("n1", appendEntries("n1", 1, 2, 1, [entry(3, 1), entry(4, 1)], 5, 9));
  assert.equal(raft.lastLogIndex, 7, "entries 6 and 7 are kept");
  const replies = ctx.take("n1");
  assert.equal(replies.length, 1);
  assert.deepEqual(
    [replies[0].type, (replies[0] as { success: boolean }).success],
    ["AppendEntriesResponse", true],
  );
  assert.equal((replies[0] as { matchIndex: number }).matchIndex, 5);
});

/** Three Raft servers just started, whose first election is seconds away (so a test can feed
 * them by hand first), with a typed accessor for each one's RaftNode. */
function startedSlowCluster() {
  const { sim } = createCluster<RaftMessage>({
    seed: 1,
    nodes: 3,
    factory: raftFactory({
      electionTimeoutMsMin: 5_000,
      electionTimeoutMsMax: 6_000,
      heartbeatIntervalMs: 1_000,
    }),
  });
  sim.runFor(1);
  return { sim, raft: (id: string) => sim.instanceOf<RaftNode>(id)! };
}

Deno.test("raft invariants: a checker attached late checks the entries the servers already hold", () => {
  const { sim, raft } = startedSlowCluster();
  // before any checker watches: n1 and n2 take different entries at index 1 of term 1
  raft("n1").onMessage("n0", appendEntries("n0", 1, 0, 0, [entry(1, 1)]));
  raft("n2").onMessage("n0", appendEntries("n0", 1, 0, 0, [{ index: 1, term: 1, kind: "noop" }]));
  const inv = new RaftInvariants({ throwOnBreach: false }).attach(sim);
  sim.runFor(7_000);
  const breach = (i: RaftInvariants) => i.breach;
  assert.equal(breach(inv)?.invariant, "log-matching");
  assert.equal(
    breach(inv)?.message,
    'n2 and n1 hold different entries at index 1 term 1: noop vs command:"c1"',
  );
});

Deno.test("raft config: a fixed election timeout (max = min) is allowed; max < min and a heartbeat not below min are refused, naming the field", () => {
  raftFactory({ electionTimeoutMsMin: 300, electionTimeoutMsMax: 300, heartbeatIntervalMs: 50 });
  const issuesOf = (config: Parameters<typeof raftFactory>[0]) => {
    try {
      raftFactory(config);
    } catch (e) {
      assert.ok(e instanceof ConfigError);
      assert.match(e.message, /^invalid raft config: /);
      return e.issues;
    }
    assert.fail("the config was accepted");
  };
  assert.deepEqual(
    issuesOf({ electionTimeoutMsMin: 300, electionTimeoutMsMax: 299, heartbeatIntervalMs: 50 }),
    [{
      path: "electionTimeoutMsMax",
      message: "electionTimeoutMsMax must be >= electionTimeoutMsMin",
    }],
  );
  const heartbeat = issuesOf({
    electionTimeoutMsMin: 300,
    electionTimeoutMsMax: 400,
    heartbeatIntervalMs: 300,
  });
  assert.equal(heartbeat.length, 1);
  assert.equal(heartbeat[0].path, "heartbeatIntervalMs");
  assert.match(heartbeat[0].message, /^heartbeatIntervalMs must be < electionTimeoutMsMin/);
});

Deno.test("raft thesis §9.6: a pre-candidate does not count a late pre-vote granted for an earlier term", () => {
  // our log [1, 1], current term 2: a pre-candidacy now proposes term 3
  const { ctx, raft } = node({ storage: storageWith([1, 1], 2), config: { preVote: true } });
  raft.onTimer("raft:election");
  assert.equal(raft.role, "precandidate");
  ctx.take();
  const grant = (from: string, term: number) =>
    raft.onMessage(from, { type: "RequestVoteResponse", term, voteGranted: true, prevote: true });
  grant("n1", 2); // granted to a pre-candidacy of term 1, which proposed term 2
  grant("n2", 3);
  assert.equal(raft.role, "precandidate", "n0 and n2 are two of five: no majority yet");
  assert.equal(raft.term, 2);
  grant("n3", 3);
  assert.equal(raft.role, "candidate", "n0, n2 and n3 are a majority of five");
  assert.equal(raft.term, 3);
});

// ---- held-out sample (seed 106) ---------------------------------------------------------------

Deno.test("raft invariants: a breach found during an event names that event (1-based), the last one here", () => {
  // n0 and n1 both claim leadership of term 1, at 1 ms and 2 ms: the run ends with n1's claim
  const { sim } = createCluster<never>({
    seed: 1,
    nodes: 2,
    factory: (ctx) => ({
      start: () => ctx.setTimer("claim", ctx.self === "n0" ? 1 : 2),
      onMessage: () => {},
      onTimer: () => ctx.emit({ type: "leader", term: 1 }),
    }),
  });
  const inv = new RaftInvariants({ throwOnBreach: false }).attach(sim);
  sim.run({ untilMs: 100 });
  assert.equal(inv.breach?.invariant, "election-safety");
  assert.ok(inv.eventsChecked >= 2);
  assert.equal(inv.breach?.eventIndex, inv.eventsChecked);
});

Deno.test("raft log: the last index of a term may be the snapshot's own index", () => {
  const log = new RaftLog(new MemoryStorage(), ["n0", "n1", "n2"]);
  log.append([entry(1, 1), entry(2, 2), entry(3, 2), entry(4, 3), entry(5, 3)]);
  log.compact({ lastIncludedIndex: 3, lastIncludedTerm: 2, servers: ["n0", "n1", "n2"], data: 0 });
  // index 3 (term 2) is the snapshot's: term 2's run ends there
  assert.equal(log.lastIndexOfTerm(2, 5), 3);
  assert.equal(log.lastIndexOfTerm(3, 5), 5);
  assert.equal(log.lastIndexOfTerm(3, 4), 4);
});

Deno.test("raft §7 Figure 13: a snapshot whose last entry the log holds at another term discards the whole log", () => {
  const servers = ["n0", "n1", "n2"];
  // the log holds index 2 at term 1, the snapshot says index 2 was of term 2
  const conflicting = new RaftLog(new MemoryStorage(), servers);
  conflicting.append([entry(1, 1), entry(2, 1), entry(3, 1)]);
  assert.equal(
    conflicting.install({ lastIncludedIndex: 2, lastIncludedTerm: 2, servers, data: 0 }),
    false,
  );
  assert.equal(conflicting.lastIndex, 2);
  assert.deepEqual(conflicting.entries(), []);
  // the same log and a snapshot agreeing on index 2's term: entry 3 is kept
  const agreeing = new RaftLog(new MemoryStorage(), servers);
  agreeing.append([entry(1, 1), entry(2, 1), entry(3, 1)]);
  assert.equal(
    agreeing.install({ lastIncludedIndex: 2, lastIncludedTerm: 1, servers, data: 0 }),
    true,
  );
  assert.deepEqual(agreeing.entries().map((x) => x.index), [3]);
});

Deno.test("raft: a leader's election timer (re-armed under mistakeResetTimerOnVoteRequest) fires once, starting nothing", () => {
  const { ctx, raft } = node({ config: { mistakeResetTimerOnVoteRequest: true } });
  elect(ctx, raft);
  const term = raft.term;
  ctx.timers.delete("raft:election");
  // a candidate of the same term that lost: refused, and the mistake re-arms the timer
  raft.onMessage("n3", requestVote("n3", term, 0, 0));
  assert.equal(voteReply(ctx, "n3").voteGranted, false);
  assert.equal(ctx.timers.has("raft:election"), true);
  // it fires (a fired timer is gone): no election, and it is not armed again
  ctx.timers.delete("raft:election");
  raft.onTimer("raft:election");
  assert.equal(raft.role, "leader");
  assert.equal(raft.term, term);
  assert.ok(!ctx.take().some((m) => m.type === "RequestVote"), "no election started");
  assert.equal(ctx.timers.has("raft:election"), false);
});

Deno.test("raft §7: an AppendEntries reaching from inside the follower's snapshot past its log appends only what is new", () => {
  const servers = ["n0", "n1", "n2", "n3", "n4"];
  // snapshot through index 5 (term 1), then entries 6 and 7 of term 1
  const storage = snapshotStorage(servers, [1, 1]);
  const { ctx, raft } = node({ storage });
  // entries 3..8 after index 2: 3..5 are in the snapshot, 6 and 7 are held, 8 is new
  const sent = [3, 4, 5, 6, 7, 8].map((i) => entry(i, 1));
  raft.onMessage("n1", appendEntries("n1", 1, 2, 1, sent, 5, 4));
  assert.deepEqual(raft.logEntries().map((x) => x.index), [6, 7, 8]);
  const replies = ctx.take("n1");
  assert.equal(replies.length, 1);
  const r = replies[0];
  assert.ok(r.type === "AppendEntriesResponse");
  assert.equal(r.success, true);
  assert.equal(r.matchIndex, 8);
});

Deno.test("raft §5.3: a success for an earlier pipelined AppendEntries does not pull nextIndex back", () => {
  const { ctx, raft } = leaderWithCommittedNoop();
  // n1 acknowledged the no-op (index 1): no probe is in flight, appends are pipelined
  assert.equal(progressOf(raft, "n1").probing, false);
  raft.propose("a");
  raft.propose("b");
  assert.equal(progressOf(raft, "n1").next, 4, "entries 2 and 3 are on their way");
  ctx.take();
  raft.onMessage("n1", appendAck(raft.term, 2, 0, 1));
  assert.equal(progressOf(raft, "n1").match, 2);
  assert.equal(progressOf(raft, "n1").next, 4);
  assert.deepEqual(
    ctx.take("n1").filter((m) => m.type === "AppendEntries"),
    [],
    "entry 3 is not sent again",
  );
});

Deno.test("raft thesis §4.2.2: a leader removed from the configuration steps down when that entry commits, not before", () => {
  const { ctx, raft } = leaderWithCommittedNoop();
  raft.propose("a"); // index 2
  assert.ok(raft.proposeConfigChange({ type: "remove", server: "n0" }).ok); // index 3
  assert.deepEqual(raft.servers, ["n1", "n2", "n3", "n4"]);
  // the new configuration (in effect once appended) needs three of n1..n4
  for (const p of ["n1", "n2", "n3"]) raft.onMessage(p, appendAck(raft.term, 2, 0, 1));
  assert.equal(raft.commitIndex, 2);
  assert.equal(raft.role, "leader", "its removal is not committed yet");
  assert.deepEqual(ctx.eventsOf("stepdown"), []);
  for (const p of ["n1", "n2", "n3"]) raft.onMessage(p, appendAck(raft.term, 3, 0, 2));
  assert.equal(raft.commitIndex, 3);
  assert.equal(raft.role, "follower");
  assert.deepEqual(ctx.eventsOf("stepdown").map((e) => e.reason), ["removed"]);
});

Deno.test("raft thesis §4.2.2: a removed follower that learns the removal committed keeps following its leader", () => {
  const servers = ["n1", "n2", "n3", "n4"];
  const { ctx, raft } = node();
  const sent: LogEntry[] = [
    { index: 1, term: 1, kind: "noop" },
    { index: 2, term: 1, kind: "config", servers },
  ];
  raft.onMessage("n1", appendEntries("n1", 1, 0, 0, sent, 2));
  assert.equal(raft.commitIndex, 2);
  assert.deepEqual(raft.servers, servers);
  assert.equal(raft.role, "follower");
  assert.equal(raft.leaderId, "n1");
  assert.deepEqual(ctx.eventsOf("stepdown"), []);
});

// ---- seed 106 re-run (the equivalence mark in node.ts changed the sample) -------------------

Deno.test("raft §5.3: after a rejection the leader probes: one AppendEntries in flight until the follower answers", () => {
  // our log [1, 1]: elected in term 2, the no-op is index 3 and the probe to n1 is at index 2
  const { ctx, raft } = node({ storage: storageWith([1, 1], 1) });
  elect(ctx, raft);
  assert.equal(raft.lastLogIndex, 3);
  // n2 has everything: its probe is answered, it is replicated to from now on
  raft.onMessage("n2", appendAck(raft.term, 3, 0, 2));
  ctx.take();
  // n1 holds index 1 only: it refuses prevLogIndex 2, hinting index 2
  raft.onMessage("n1", {
    type: "AppendEntriesResponse",
    term: raft.term,
    success: false,
    prevLogIndex: 2,
    matchIndex: 0,
    conflictTerm: 0,
    conflictIndex: 2,
    seq: 0,
  });
  const probe = ctx.take("n1").filter((m) => m.type === "AppendEntries");
  assert.deepEqual(probe.map((m) => m.type === "AppendEntries" && m.prevLogIndex), [1]);
  assert.deepEqual(progressOf(raft, "n1"), { peer: "n1", match: 0, next: 2, probing: true });
  // a proposal now sends nothing more to n1: its probe is still unanswered
  raft.propose("x");
  assert.deepEqual(ctx.take("n1").filter((m) => m.type === "AppendEntries"), []);
  assert.ok(ctx.take("n2").some((m) => m.type === "AppendEntries"), "n2 is replicated to");
});

Deno.test("raft §7: a follower whose state machine has no restore hook still installs a snapshot", () => {
  const ctx = new FakeContext<RaftMessage>("n0", ["n1", "n2"]);
  const applied: unknown[] = [];
  const raft = new RaftNode(ctx, {}, { apply: (e) => applied.push(e.command) });
  raft.start();
  raft.onMessage("n1", {
    type: "InstallSnapshot",
    term: 1,
    leaderId: "n1",
    lastIncludedIndex: 4,
    lastIncludedTerm: 1,
    servers: ["n0", "n1", "n2"],
    data: null,
    seq: 1,
  });
  assert.equal(raft.snapshotIndex, 4);
  assert.equal(raft.commitIndex, 4);
  assert.deepEqual(applied, []);
  raft.onMessage("n1", appendEntries("n1", 1, 4, 1, [entry(5, 1)], 5));
  assert.deepEqual(applied, ["c5"]);
});

Deno.test("raft invariants: a configuration entry and a no-op at one index and term break log matching", () => {
  const { sim, raft } = startedSlowCluster();
  const servers = ["n0", "n1", "n2"];
  raft("n1").onMessage(
    "n0",
    appendEntries("n0", 1, 0, 0, [{ index: 1, term: 1, kind: "config", servers }]),
  );
  raft("n2").onMessage("n0", appendEntries("n0", 1, 0, 0, [{ index: 1, term: 1, kind: "noop" }]));
  const inv = new RaftInvariants({ throwOnBreach: false }).attach(sim);
  sim.runFor(1);
  assert.equal(inv.breach?.invariant, "log-matching");
  assert.equal(
    inv.breach?.message,
    'n2 and n1 hold different entries at index 1 term 1: noop vs config:["n0","n1","n2"]',
  );
});

Deno.test("raft §5.4 leader completeness: a commit binds by the term it was made in, or by the entry's term when that is not given", () => {
  // an entry of term 1 committed by the leader of term 3: a leader of term 2 need not hold it
  const c = quietCluster();
  c.raft("n1").onMessage("n0", appendEntries("n0", 1, 0, 0, [entry(1, 1), entry(2, 1)]));
  const feed = (inv: RaftInvariants, node: string, event: ProtocolEvent) =>
    inv.observe({ t: 0, node, event, traceIndex: -1 });
  feed(c.inv, "n0", { type: "commit", index: 3, term: 1, currentTerm: 3 });
  feed(c.inv, "n1", { type: "leader", term: 2 });
  assert.equal(breachOf(c.inv), undefined);
  // the same commit without currentTerm counts as made in term 1: it binds the leader of term 2
  const d = quietCluster();
  d.raft("n1").onMessage("n0", appendEntries("n0", 1, 0, 0, [entry(1, 1), entry(2, 1)]));
  feed(d.inv, "n0", { type: "commit", index: 3, term: 1 });
  feed(d.inv, "n1", { type: "leader", term: 2 });
  assert.equal(breachOf(d.inv)?.invariant, "leader-completeness");
  assert.match(breachOf(d.inv)!.message, /index 3 \(term 1, committed by n0\)/);
});

Deno.test("raft: with mistakeAcceptStaleReplies, a stale rejection past the leader's log sends no empty probe", () => {
  // n0 led term 3 with a longer log, was cut back to 8 entries, and now leads term 5 (no-op 9)
  const { ctx, raft } = node({
    storage: storageWith([1, 1, 1, 1, 1, 1, 1, 1], 4),
    config: { mistakeAcceptStaleReplies: true },
  });
  elect(ctx, raft);
  assert.equal(raft.lastLogIndex, 9);
  raft.onMessage("n1", appendAck(raft.term, 9, 0, 8));
  ctx.take();
  // n1's refusal of an AppendEntries of term 3 at index 11, accepted by the mistake
  raft.onMessage("n1", {
    type: "AppendEntriesResponse",
    term: 3,
    success: false,
    prevLogIndex: 11,
    matchIndex: 0,
    conflictTerm: 0,
    conflictIndex: 11,
    seq: 0,
  });
  assert.equal(raft.role, "leader");
  // nextIndex now points past the log (11): there is nothing to probe with until a heartbeat
  assert.equal(progressOf(raft, "n1").next, 11);
  assert.deepEqual(ctx.take("n1"), []);
});

Deno.test("raft thesis §6.4: a read confirms leadership with a heartbeat round unless it asks for the lease", () => {
  // a leader of three with checkQuorum whose no-op (index 1) n1 acknowledged just now: the no-op
  // is committed and the lease is held
  const { ctx, raft } = node({ peers: ["n1", "n2"], config: { checkQuorum: true } });
  elect(ctx, raft, ["n1"]);
  raft.onMessage("n1", appendAck(raft.term, 1, 1));
  ctx.now = 10;
  assert.equal(raft.leaseValid(), true);
  assert.equal(raft.inspect().commitIndex, 1);
  const got: string[] = [];
  const note = (s: string) => void got.push(s);
  raft.readIndex((r) => note(`default ${r.ok}`)); // no options: lease off by default
  assert.deepEqual(got, [], "the default read waits for a new round's acknowledgements");
  raft.readIndex((r) => note(`lease ${r.ok}`), { lease: true });
  assert.deepEqual(got, ["lease true"], "a lease read is answered at once");
});

Deno.test("raft log: compaction writes the snapshot, drops the stored log and rewrites only the kept suffix", () => {
  const servers = ["n0", "n1", "n2"];
  const snap = (i: number) => ({ lastIncludedIndex: i, lastIncludedTerm: 1, servers, data: 0 });
  // a snapshot covering the whole log: two durable writes (the snapshot, the log's deletion)
  const whole = new MemoryStorage();
  const a = new RaftLog(whole, servers);
  a.append([entry(1, 1), entry(2, 1), entry(3, 1)]);
  const w0 = whole.writes;
  a.compact(snap(3));
  assert.equal(whole.writes - w0, 2);
  assert.deepEqual(whole.keys().includes(LOG_KEY), false, "no empty log list is written back");
  // two entries kept after the snapshot: one more write that appends them
  const part = new MemoryStorage();
  const b = new RaftLog(part, servers);
  b.append([entry(1, 1), entry(2, 1), entry(3, 1)]);
  const w1 = part.writes;
  b.compact(snap(1));
  assert.equal(part.writes - w1, 3);
  assert.equal(part.listLength(LOG_KEY), 2);
});
