/**
 * Handler tests of the acceptor and learner roles (Lamport, "Paxos Made Simple", 2001, §2.2–2.3):
 * a node over a fake context, one message in, the recorded effects and state out.
 */
import assert from "node:assert/strict";
import { MemoryStorage } from "../../../lib/sim/storage.ts";
import { Acceptor, PROMISED_KEY } from "../../../lib/protocols/paxos/acceptor.ts";
import { Learner } from "../../../lib/protocols/paxos/learner.ts";
import { type Ballot, compareBallots } from "../../../lib/protocols/paxos/messages.ts";
import { b, cmd, paxosNode } from "./_fake_context.ts";

Deno.test("paxos: ballots order by round, then proposer id (PMMC §3)", () => {
  const sorted = [b(2, "n0"), b(1, "n2"), b(1, "n0"), b(2, "n1")].sort(compareBallots);
  assert.deepEqual(sorted, [b(1, "n0"), b(1, "n2"), b(2, "n0"), b(2, "n1")]);
});

Deno.test("paxos §2.2 P1a: an acceptor promises a higher ballot and reports what it accepted", () => {
  const { ctx, node } = paxosNode({ self: "n1" });
  node.onMessage("n0", { type: "Prepare", ballot: b(1, "n0"), fromSlot: 1 });
  assert.deepEqual(ctx.take("n0"), [{ type: "Promise", ballot: b(1, "n0"), accepted: [] }]);
  node.onMessage("n0", { type: "Accept", ballot: b(1, "n0"), slot: 1, value: cmd("A") });
  assert.deepEqual(ctx.take("n0"), [{ type: "Accepted", ballot: b(1, "n0"), slot: 1 }]);
  // a higher ballot learns of A in the promise
  node.onMessage("n2", { type: "Prepare", ballot: b(2, "n2"), fromSlot: 1 });
  assert.deepEqual(ctx.take("n2"), [{
    type: "Promise",
    ballot: b(2, "n2"),
    accepted: [{ slot: 1, ballot: b(1, "n0"), value: cmd("A") }],
  }]);
  // slots below fromSlot are not reported
  node.onMessage("n2", { type: "Prepare", ballot: b(3, "n2"), fromSlot: 2 });
  assert.deepEqual(ctx.take("n2"), [{ type: "Promise", ballot: b(3, "n2"), accepted: [] }]);
});

Deno.test("paxos §2.2: an acceptor refuses a Prepare or an Accept below its promise (Nack)", () => {
  const { ctx, node } = paxosNode({ self: "n1" });
  node.onMessage("n2", { type: "Prepare", ballot: b(2, "n2"), fromSlot: 1 });
  ctx.take();
  node.onMessage("n0", { type: "Prepare", ballot: b(2, "n0"), fromSlot: 1 });
  assert.deepEqual(ctx.take("n0"), [{ type: "Nack", ballot: b(2, "n0"), promised: b(2, "n2") }]);
  node.onMessage("n0", { type: "Accept", ballot: b(1, "n0"), slot: 1, value: cmd("A") });
  assert.deepEqual(ctx.take("n0"), [{ type: "Nack", ballot: b(1, "n0"), promised: b(2, "n2") }]);
  assert.equal(node.acceptor!.acceptedIn(1), undefined);
  assert.equal(ctx.eventsOf("accept").length, 0);
});

Deno.test("paxos §2.2: accepting at a ballot above the promise also promises it", () => {
  const { ctx, node } = paxosNode({ self: "n1" });
  node.onMessage("n0", { type: "Accept", ballot: b(3, "n0"), slot: 2, value: cmd("X") });
  assert.deepEqual(node.promised, b(3, "n0"));
  assert.deepEqual(ctx.eventsOf("accept"), [{
    type: "accept",
    slot: 2,
    ballot: b(3, "n0"),
    value: cmd("X"),
  }]);
});

Deno.test("paxos §2.2: the promise and accepted values survive a crash (durable storage)", () => {
  const storage = new MemoryStorage();
  const emit = () => {};
  const a = new Acceptor(storage, emit);
  a.prepare(b(4, "n2"), 1);
  a.accept(b(3, "n0"), 1, cmd("A")); // refused: promised 4.n2
  a.accept(b(4, "n2"), 2, cmd("B"));
  const again = new Acceptor(storage, emit);
  assert.deepEqual(again.promised, b(4, "n2"));
  assert.equal(again.acceptedIn(1), undefined);
  assert.deepEqual(again.acceptedIn(2), { slot: 2, ballot: b(4, "n2"), value: cmd("B") });
  assert.equal(again.accept(b(3, "n0"), 1, cmd("A")).ok, false);
});

Deno.test("paxos MISTAKE mistakeForgetPromiseOnCrash: a restarted acceptor forgets its promise", () => {
  const storage = new MemoryStorage();
  const a = new Acceptor(storage, () => {}, { forgetPromiseOnCrash: true });
  assert.equal(a.prepare(b(5, "n2"), 1).ok, true);
  assert.equal(storage.get(PROMISED_KEY), undefined, "the promise was never written");
  const restarted = new Acceptor(storage, () => {}, { forgetPromiseOnCrash: true });
  // it now accepts the older ballot it had promised to refuse
  assert.equal(restarted.accept(b(1, "n0"), 1, cmd("A")).ok, true);
  const again = new Acceptor(storage, () => {}, { forgetPromiseOnCrash: true });
  const p: Ballot = again.promised;
  assert.deepEqual(p, b(1, "n0"), "after a restart the promise is the highest accepted ballot");
});

Deno.test("paxos: a heartbeat raises the promise and is acknowledged; a stale one is refused", () => {
  const { ctx, node } = paxosNode({ self: "n1" });
  node.onMessage("n0", { type: "Heartbeat", ballot: b(2, "n0"), seq: 7, firstUnchosen: 1 });
  assert.deepEqual(ctx.take("n0"), [{ type: "HeartbeatAck", ballot: b(2, "n0"), seq: 7 }]);
  assert.deepEqual(node.promised, b(2, "n0"));
  node.onMessage("n2", { type: "Heartbeat", ballot: b(1, "n2"), seq: 1, firstUnchosen: 1 });
  assert.deepEqual(ctx.take("n2"), [{ type: "Nack", ballot: b(1, "n2"), promised: b(2, "n0") }]);
});

Deno.test("paxos: a learner applies in slot order, once, and keeps decisions across a restart", () => {
  const storage = new MemoryStorage();
  const applied: unknown[] = [];
  const events: unknown[] = [];
  const l = new Learner(storage, (e) => events.push(e), { apply: (e) => applied.push(e.command) });
  l.start();
  assert.equal(l.learn(2, cmd("b")), true);
  assert.deepEqual(applied, [], "slot 1 is still unknown");
  assert.equal(l.learn(1, { kind: "noop" }), true);
  assert.equal(l.learn(3, cmd("c")), true);
  assert.equal(l.learn(3, cmd("other")), false, "a chosen value never changes");
  assert.deepEqual(applied, ["b", "c"], "no-ops are not applied");
  assert.equal(l.firstUnchosen, 4);
  assert.equal(events.length, 3);
  const replayed: unknown[] = [];
  const again = new Learner(storage, () => {}, { apply: (e) => replayed.push(e.command) });
  assert.deepEqual(replayed, [], "nothing is applied before start");
  again.start();
  assert.deepEqual(replayed, ["b", "c"]);
  assert.deepEqual(again.decisionsFrom(2, 10).map((d) => d.slot), [2, 3]);
});

Deno.test("paxos: a learner behind the leader's heartbeat asks to catch up; any learner answers", () => {
  const { ctx, node, machine } = paxosNode({ self: "n1" });
  node.onMessage("n0", { type: "Heartbeat", ballot: b(1, "n0"), seq: 1, firstUnchosen: 3 });
  const sent = ctx.take("n0");
  assert.deepEqual(sent.filter((m) => m.type === "CatchUp"), [{ type: "CatchUp", fromSlot: 1 }]);
  node.onMessage("n0", {
    type: "Decide",
    decisions: [{ slot: 1, value: cmd("x") }, { slot: 2, value: cmd("y") }],
  });
  assert.deepEqual(machine.applied.map((a) => a.command), ["x", "y"]);
  node.onMessage("n2", { type: "CatchUp", fromSlot: 2 });
  assert.deepEqual(ctx.take("n2"), [{ type: "Decide", decisions: [{ slot: 2, value: cmd("y") }] }]);
});
