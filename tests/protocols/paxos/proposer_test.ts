/**
 * Handler tests of the proposer role and the Multi-Paxos leader (Lamport, "Paxos Made Simple",
 * 2001, §2.2 and §3; van Renesse & Altinbuken, "Paxos Made Moderately Complex", 2015, §3).
 * Node n0 of three (n0..n2) over a fake context; its own acceptor answers locally.
 */
import assert from "node:assert/strict";
import { MemoryStorage } from "../../../lib/sim/storage.ts";
import { ROUND_KEY, T_ELECTION, T_HEARTBEAT } from "../../../lib/protocols/paxos/proposer.ts";
import type { PaxosMessage, PValue } from "../../../lib/protocols/paxos/messages.ts";
import type { PaxosNode } from "../../../lib/protocols/paxos/node.ts";
import type { ReadResult } from "../../../lib/protocols/kv/replicated_log.ts";
import { b, cmd, paxosNode } from "./_fake_context.ts";

/** Fire n0's election timer and let n1 promise with `accepted`. */
function elect(node: PaxosNode, accepted: PValue[] = []): void {
  node.onTimer(T_ELECTION);
  node.onMessage("n1", { type: "Promise", ballot: node.ballot, accepted });
}

function ofType<T extends PaxosMessage["type"]>(
  msgs: PaxosMessage[],
  type: T,
): Extract<PaxosMessage, { type: T }>[] {
  return msgs.filter((m) => m.type === type) as Extract<PaxosMessage, { type: T }>[];
}

Deno.test("paxos §2.2 phase 1: the election timeout sends Prepare for every slot not yet learned", () => {
  const { ctx, node } = paxosNode();
  assert.ok(ctx.timers.has(T_ELECTION), "a stable follower arms its election timer");
  node.onTimer(T_ELECTION);
  assert.equal(node.status, "candidate");
  assert.deepEqual(node.ballot, b(1, "n0"));
  assert.deepEqual(ctx.take("n1"), [{ type: "Prepare", ballot: b(1, "n0"), fromSlot: 1 }]);
  assert.deepEqual(ctx.take("n2"), [{ type: "Prepare", ballot: b(1, "n0"), fromSlot: 1 }]);
  // Paxos Made Simple §2.5: the highest round tried is in stable storage before it is used
  assert.equal(ctx.storage.get(ROUND_KEY), 1);
});

Deno.test("paxos: a majority of promises (its own acceptor's counts) makes the proposer leader", () => {
  const { ctx, node } = paxosNode();
  elect(node);
  assert.equal(node.status, "leader");
  assert.ok(node.isLeader());
  assert.deepEqual(ctx.eventsOf("leader"), [{ type: "leader", ballot: b(1, "n0"), term: 1 }]);
  assert.ok(ctx.timers.has(T_HEARTBEAT));
  assert.ok(ctx.take("n2").some((m) => m.type === "Heartbeat"), "a new leader heartbeats at once");
});

Deno.test("paxos §2.2 P2c: a new leader re-proposes the value accepted at the highest ballot", () => {
  const { ctx, node } = paxosNode();
  node.onTimer(T_ELECTION); // ballot 1.n0 ...
  node.onMessage("n2", { type: "Nack", ballot: node.ballot, promised: b(3, "n2") });
  assert.equal(node.status, "follower", "a Nack with a higher ballot preempts the candidate");
  elect(node, [
    { slot: 1, ballot: b(2, "n1"), value: cmd("old") },
    { slot: 1, ballot: b(3, "n2"), value: cmd("newer") },
    { slot: 3, ballot: b(2, "n1"), value: cmd("c") },
  ]);
  assert.deepEqual(node.ballot, b(4, "n0"), "the new ballot is above every ballot seen");
  const accepts = ofType(ctx.take("n1"), "Accept");
  assert.deepEqual(accepts.map((a) => [a.slot, a.value]), [
    [1, cmd("newer")],
    [2, { kind: "noop" }], // the hole is filled so slot 3 can be applied
    [3, cmd("c")],
  ]);
  // new commands go after the recovered slots, with phase 2 only
  assert.deepEqual(node.propose("d"), { ok: true, index: 4 });
  assert.deepEqual(ofType(ctx.take("n2"), "Accept").map((a) => a.slot), [1, 2, 3, 4]);
  assert.equal(ofType(ctx.sent.map((s) => s.msg), "Prepare").length, 0, "phase 1 is skipped");
});

Deno.test("paxos MISTAKE mistakeProposeOwnValue: the leader ignores what phase 1 reported", () => {
  const { ctx, node } = paxosNode({ config: { election: "none" } });
  node.submit("mine");
  node.onMessage("n1", {
    type: "Promise",
    ballot: node.ballot,
    accepted: [{ slot: 1, ballot: b(0, "n1"), value: cmd("chosen?") }],
  });
  assert.deepEqual(ofType(ctx.take("n1"), "Accept").map((a) => a.value), [
    cmd("chosen?"),
    cmd("mine"),
  ]);
  const bad = paxosNode({ config: { election: "none", mistakeProposeOwnValue: true } });
  bad.node.submit("mine");
  bad.node.onMessage("n1", {
    type: "Promise",
    ballot: bad.node.ballot,
    accepted: [{ slot: 1, ballot: b(0, "n1"), value: cmd("chosen?") }],
  });
  assert.deepEqual(ofType(bad.ctx.take("n1"), "Accept").map((a) => a.value), [cmd("mine")]);
});

Deno.test("paxos §2.3: a majority of Accepted chooses the value; learners are told", () => {
  const { ctx, node, machine } = paxosNode();
  elect(node);
  ctx.take();
  const r = node.propose("x");
  assert.ok(r.ok);
  assert.equal(ctx.eventsOf("chosen").length, 0, "its own acceptor alone is no majority");
  node.onMessage("n2", { type: "Accepted", ballot: node.ballot, slot: 1 });
  assert.deepEqual(ctx.eventsOf("chosen"), [{
    type: "chosen",
    slot: 1,
    ballot: b(1, "n0"),
    value: cmd("x"),
  }]);
  assert.deepEqual(ofType(ctx.take("n1"), "Decide"), [{
    type: "Decide",
    decisions: [{ slot: 1, value: cmd("x") }],
  }]);
  assert.deepEqual(machine.applied, [{ index: 1, command: "x" }], "the leader learns too");
  // a duplicate Accepted changes nothing
  node.onMessage("n1", { type: "Accepted", ballot: node.ballot, slot: 1 });
  assert.equal(ctx.eventsOf("chosen").length, 1);
});

Deno.test("paxos: a leader that sees a higher ballot steps down and refuses proposals", () => {
  const { ctx, node } = paxosNode();
  elect(node);
  node.onMessage("n2", { type: "Prepare", ballot: b(5, "n2"), fromSlot: 1 });
  assert.equal(node.status, "follower");
  assert.deepEqual(ctx.eventsOf("preempted").at(-1), {
    type: "preempted",
    ballot: b(1, "n0"),
    by: b(5, "n2"),
  });
  assert.deepEqual(node.propose("x"), { ok: false, reason: "not-leader", leaderHint: undefined });
  assert.ok(!ctx.timers.has(T_HEARTBEAT));
  // the candidate's heartbeat, once it leads, names the leader
  node.onMessage("n2", { type: "Heartbeat", ballot: b(5, "n2"), seq: 1, firstUnchosen: 1 });
  assert.equal(node.leaderHint(), "n2");
});

Deno.test("paxos §2.5: a restarted proposer never reuses a ballot it may have used before", () => {
  const storage = new MemoryStorage();
  const first = paxosNode({ storage });
  first.node.onTimer(T_ELECTION);
  first.node.onTimer(T_ELECTION);
  assert.deepEqual(first.node.ballot, b(2, "n0"));
  const again = paxosNode({ storage });
  again.node.onTimer(T_ELECTION);
  assert.deepEqual(again.node.ballot, b(3, "n0"));
});

Deno.test("paxos ReadIndex: confirmed by a majority's heartbeat acks, then served once applied", () => {
  const { ctx, node } = paxosNode();
  elect(node);
  node.propose("w");
  ctx.take();
  const results: ReadResult[] = [];
  node.readIndex((r) => results.push(r));
  const hb = ofType(ctx.take("n1"), "Heartbeat").at(-1)!;
  node.onMessage("n1", { type: "HeartbeatAck", ballot: node.ballot, seq: hb.seq });
  assert.equal(results.length, 0, "the write at slot 1 is not applied yet");
  node.onMessage("n1", { type: "Accepted", ballot: node.ballot, slot: 1 });
  assert.deepEqual(results[0], { ok: true, index: 1 });
  // a deposed leader refuses
  node.onMessage("n2", { type: "Nack", ballot: node.ballot, promised: b(9, "n2") });
  node.readIndex((r) => results.push(r));
  assert.deepEqual(results.at(-1), { ok: false, reason: "not-leader", leaderHint: undefined });
});

Deno.test("paxos without leader election: submit starts phase 1 at once; a preempted proposer backs off", () => {
  const { ctx, node } = paxosNode({ config: { election: "none", backoff: "randomized" } });
  assert.ok(!ctx.timers.has(T_ELECTION), "no election timer without leader election");
  node.submit("v");
  assert.equal(node.status, "candidate");
  node.onMessage("n1", { type: "Nack", ballot: node.ballot, promised: b(4, "n1") });
  assert.equal(node.status, "follower");
  const wait = ctx.timers.get("paxos:retry")!;
  assert.ok(wait >= 0 && wait < 40, `back-off ${wait} ms within [0, backoffMs · 2^1)`);
  node.onTimer("paxos:retry");
  assert.deepEqual(node.ballot, b(5, "n0"));
  const none = paxosNode({ config: { election: "none", backoff: "none" } });
  none.node.submit("v");
  none.node.onMessage("n1", { type: "Nack", ballot: none.node.ballot, promised: b(4, "n1") });
  assert.equal(none.ctx.timers.get("paxos:retry"), 0, "no back-off: retry at once");
});

Deno.test("paxos config: bad values name the field; a proposer must be a learner", () => {
  assert.throws(() => paxosNode({ config: { heartbeatIntervalMs: 500 } }), /heartbeatIntervalMs/);
  assert.throws(
    () => paxosNode({ config: { proposers: ["n0"], learners: ["n1", "n2"] } }),
    /every proposer must be a learner.*n0/,
  );
  assert.throws(() => paxosNode({ config: { eleciton: "none" } as never }), /eleciton/);
});

Deno.test("paxos: roles can be split across nodes (n2 only accepts)", () => {
  const { ctx, node } = paxosNode({
    self: "n2",
    config: { proposers: ["n0", "n1"], learners: ["n0", "n1"] },
  });
  assert.deepEqual(node.roles, { proposer: false, acceptor: true, learner: false });
  assert.equal(ctx.timers.size, 0);
  node.onMessage("n0", { type: "Prepare", ballot: b(1, "n0"), fromSlot: 1 });
  assert.equal(ctx.take("n0")[0].type, "Promise");
  assert.deepEqual(node.propose("x"), { ok: false, reason: "not-leader" });
  // the leader's heartbeat reaches a node with no proposer: acknowledged, nothing else to tell
  node.onMessage("n0", { type: "Heartbeat", ballot: b(1, "n0"), seq: 4, firstUnchosen: 1 });
  assert.deepEqual(ctx.take("n0"), [{ type: "HeartbeatAck", ballot: b(1, "n0"), seq: 4 }]);
});
