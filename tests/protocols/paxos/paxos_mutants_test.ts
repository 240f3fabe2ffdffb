/**
 * Tests written to kill the mutants `deno task mutate lib/protocols/paxos` left alive: the
 * invariant checker throws (and names the slot) at a breach, the message guard refuses
 * non-objects, a proposer drops a queued command once it learns that command was chosen, and
 * campaign / retry / isLeader act only in the right role; then (held-out seed 103) the cap of 100
 * breaches, propose's event, the pipeline bound when a queue is drained at election, and the
 * pipeline accounting of the propose-own-value mistake; then (seed 104) the list of proposers
 * that are no learners, a late Accepted of an earlier ballot, a preempted leader's reads, issue
 * and breach messages, the learner's start, re-entrant proposals and the preemption count; then
 * (seed 105) the kv store's reason for refusing election "none", an empty CatchUp answer, and
 * the resend of an unchosen Accept only to acceptors that did not acknowledge it.
 */
import assert from "node:assert/strict";
import { createCluster } from "../../../lib/net/cluster.ts";
import { PaxosInvariantError, PaxosInvariants } from "../../../lib/protocols/paxos/invariants.ts";
import { isPaxosMessage, type PaxosMessage } from "../../../lib/protocols/paxos/messages.ts";
import { paxosFactory } from "../../../lib/protocols/paxos/node.ts";
import { ConfigError } from "../../../lib/sim/errors.ts";
import { T_ELECTION, T_HEARTBEAT, T_RETRY } from "../../../lib/protocols/paxos/proposer.ts";
import { paxosKvFactory } from "../../../lib/protocols/paxos/kv.ts";
import type { NodeContext } from "../../../lib/sim/types.ts";
import type { ReadResult } from "../../../lib/protocols/kv/replicated_log.ts";
import { ACCEPTED_KEY, Acceptor } from "../../../lib/protocols/paxos/acceptor.ts";
import { MemoryStorage } from "../../../lib/sim/storage.ts";
import { b, cmd, ListMachine, paxosNode } from "./_fake_context.ts";
import { Learner } from "../../../lib/protocols/paxos/learner.ts";

/** Three fake acceptors: n0 and n1 accept different values at the same ballot in slot 1. */
function conflictingAccepts(throwOnBreach?: boolean) {
  const c = createCluster<never>({
    seed: 1,
    nodes: 3,
    factory: (ctx: NodeContext<never>) => ({
      start: () => ctx.setTimer("go", 1),
      onMessage: () => {},
      onTimer: () => {
        if (ctx.self === "n2") return;
        ctx.emit({
          type: "accept",
          slot: 1,
          ballot: b(1, "n0"),
          value: ctx.self === "n0" ? "A" : "B",
        });
      },
    }),
  });
  const inv = new PaxosInvariants({ throwOnBreach, acceptors: 3 }).attach(c.sim);
  return { sim: c.sim, inv };
}

Deno.test("paxos invariants: a breach throws PaxosInvariantError naming invariant and slot", () => {
  const { sim } = conflictingAccepts(true);
  assert.throws(
    () => sim.run({ untilMs: 100 }),
    (e: unknown) =>
      e instanceof PaxosInvariantError && e.breach.invariant === "ballot-uniqueness" &&
      / slot=1\b/.test(e.message),
  );
  // throwing is the default
  assert.throws(() => conflictingAccepts().sim.run({ untilMs: 100 }), PaxosInvariantError);
  // without throwing, the same run records the breach and goes on
  const quiet = conflictingAccepts(false);
  quiet.sim.run({ untilMs: 100 });
  assert.equal(quiet.inv.breach?.invariant, "ballot-uniqueness");
  assert.equal(quiet.inv.breach?.slot, 1);
});

Deno.test("paxos messages: the guard accepts Paxos messages and refuses anything not an object", () => {
  assert.equal(isPaxosMessage({ type: "Prepare", ballot: b(1, "n0"), fromSlot: 1 }), true);
  assert.equal(isPaxosMessage({ type: "RequestVote" }), false);
  assert.equal(isPaxosMessage(null), false);
  assert.equal(isPaxosMessage("Prepare"), false);
  // a function carrying a `type` is not a message
  assert.equal(isPaxosMessage(Object.assign(() => {}, { type: "Prepare" })), false);
});

Deno.test("paxos proposer: a queued command leaves the queue once it is learned as chosen", () => {
  const { node } = paxosNode();
  node.submit("x");
  node.submit("y");
  assert.equal(node.proposer!.queued, 2);
  // a noop chosen in slot 1 removes nothing
  node.onMessage("n1", { type: "Decide", decisions: [{ slot: 1, value: { kind: "noop" } }] });
  assert.equal(node.proposer!.queued, 2);
  // another leader got "x" chosen in slot 2: this proposer must not propose it again
  node.onMessage("n1", { type: "Decide", decisions: [{ slot: 2, value: cmd("x") }] });
  assert.equal(node.proposer!.queued, 1);
  assert.equal(node.inspect().proposer!.queued, 1);
});

Deno.test("paxos node: campaign starts phase 1 on a follower and is a no-op for a leader", () => {
  const { ctx, node } = paxosNode();
  assert.equal(node.isLeader(), false, "a fresh follower is not leader");
  // a retry timer with nothing queued and no candidacy does nothing
  node.onTimer(T_RETRY);
  assert.equal(node.status, "follower");
  assert.deepEqual(ctx.take("n1"), []);
  node.campaign();
  assert.equal(node.status, "candidate");
  node.onMessage("n1", { type: "Promise", ballot: node.ballot, accepted: [] });
  assert.equal(node.isLeader(), true);
  const ballot = node.ballot;
  ctx.take("n1");
  node.campaign();
  assert.equal(node.status, "leader");
  assert.deepEqual(node.ballot, ballot, "a leader keeps its ballot");
  assert.ok(!ctx.take("n1").some((m) => m.type === "Prepare"), "no new phase 1");
});

Deno.test("paxosFactory accepts a pipeline above 1 and refuses 0, saying it is the paxos config", () => {
  paxosFactory({ pipeline: 4 });
  assert.throws(
    () => paxosFactory({ pipeline: 0 }),
    (e: unknown) =>
      e instanceof ConfigError && e.message.startsWith("invalid paxos config: ") &&
      e.message.includes("pipeline"),
  );
});

Deno.test("paxos invariants: chosen slots come out ascending and preemptions are counted", () => {
  const inv = new PaxosInvariants({ acceptors: 3 });
  const ballot = b(1, "n0");
  let t = 0;
  for (const slot of [5, 2, 9]) {
    for (const node of ["n0", "n1"]) {
      inv.observe({
        t,
        traceIndex: t++,
        node,
        event: { type: "accept", slot, ballot, value: slot },
      });
    }
  }
  assert.deepEqual(inv.chosenSlots(), [2, 5, 9]);
  inv.observe({ t, traceIndex: t++, node: "n2", event: { type: "preempted" } });
  inv.observe({ t, traceIndex: t++, node: "n2", event: { type: "preempted" } });
  const l = inv.liveness();
  assert.equal(l.preemptions, 2);
  assert.equal(l.chosenSlots, 3);
});

Deno.test("paxosFactory's member check names the paxos config and the unknown acceptor", () => {
  assert.throws(
    () =>
      createCluster({
        seed: 1,
        nodes: 3,
        factory: paxosFactory({ acceptors: ["n0", "n1", "n9"] }),
      }),
    (e: unknown) =>
      e instanceof ConfigError && e.message.startsWith("invalid paxos config: ") &&
      e.message.includes("acceptors") && e.message.includes("n9"),
  );
});

Deno.test("paxos node: an acceptor-only node ignores a Nack and a Decide", () => {
  const { node } = paxosNode({
    self: "n2",
    config: { proposers: ["n0"], learners: ["n0", "n1"] },
  });
  assert.equal(node.proposer, undefined);
  assert.equal(node.learner, undefined);
  node.onMessage("n0", { type: "Nack", ballot: b(1, "n0"), promised: b(2, "n1") });
  node.onMessage("n0", { type: "Decide", decisions: [{ slot: 0, value: cmd("x") }] });
});

Deno.test("paxos node: a full Decide asks its sender for more, but never the node itself", () => {
  const full = { type: "Decide" as const, decisions: [{ slot: 0, value: cmd("x") }] };
  const fromPeer = paxosNode({ config: { maxDecisionsPerMessage: 1 } });
  fromPeer.node.onMessage("n1", full);
  assert.ok(fromPeer.ctx.take("n1").some((m) => m.type === "CatchUp"));
  const fromSelf = paxosNode({ config: { maxDecisionsPerMessage: 1 } });
  fromSelf.node.onMessage("n0", full);
  assert.deepEqual(fromSelf.ctx.take("n0").filter((m) => m.type === "CatchUp"), []);
});

Deno.test("paxos invariants: a later re-choice at a higher ballot keeps the lowest chosen ballot", () => {
  // v is chosen at ballot 1, then again at ballot 3; an acceptor taking w at ballot 2 breaks
  // stability (P2b: every ballot above 1 may carry only v), whatever happened at ballot 3
  const inv = new PaxosInvariants({ acceptors: 3 });
  let t = 0;
  const accept = (node: string, round: number, value: string) =>
    inv.observe({
      t,
      traceIndex: t++,
      node,
      event: { type: "accept", slot: 0, ballot: b(round, "n0"), value },
    });
  accept("n0", 1, "v");
  accept("n1", 1, "v");
  accept("n1", 3, "v");
  accept("n2", 3, "v");
  assert.equal(inv.breaches.length, 0);
  accept("n0", 2, "w");
  assert.ok(inv.breaches.some((x) => x.invariant === "stability"), JSON.stringify(inv.breaches));
});

Deno.test("paxos proposer: a follower that sees a higher ballot is not preempted", () => {
  const { ctx, node } = paxosNode();
  node.onMessage("n1", { type: "Prepare", ballot: b(5, "n1"), fromSlot: 0 });
  assert.equal(node.status, "follower");
  assert.deepEqual(ctx.events.filter((e) => e.type === "preempted"), []);
  node.campaign();
  node.onMessage("n2", { type: "Prepare", ballot: b(50, "n2"), fromSlot: 0 });
  assert.equal(node.status, "follower");
  assert.equal(ctx.events.filter((e) => e.type === "preempted").length, 1, "a candidate is");
});

/** n0 leads a cluster `nodes` (acceptors as configured); returns it with a read to confirm. */
function leaderWithRead(nodes: string[], acceptors?: string[]) {
  const { ctx, node } = paxosNode({ nodes, config: acceptors ? { acceptors } : {} });
  node.campaign();
  for (const a of node.acceptors) {
    if (a !== "n0") node.onMessage(a, { type: "Promise", ballot: node.ballot, accepted: [] });
  }
  assert.equal(node.isLeader(), true);
  ctx.take();
  const results: ReadResult[] = [];
  node.readIndex((r) => results.push(r));
  const hb = ctx.take().find((m) => m.type === "Heartbeat");
  assert.ok(hb?.type === "Heartbeat");
  return { node, results, seq: hb.seq };
}

/** Every subset of `xs`. */
function subsets<T>(xs: readonly T[]): T[][] {
  return xs.reduce<T[][]>((acc, x) => acc.concat(acc.map((s) => [...s, x])), [[]]);
}

Deno.test("paxos ReadIndex: a read is confirmed exactly when a majority of acceptors acknowledged", () => {
  const five = ["n0", "n1", "n2", "n3", "n4"];
  // five acceptors, the leader one of them (its own acceptor acknowledges locally): 2 more needed
  for (const acks of subsets(["n1", "n2", "n3", "n4"])) {
    const { node, results, seq } = leaderWithRead(five);
    for (const a of acks) node.onMessage(a, { type: "HeartbeatAck", ballot: node.ballot, seq });
    const want = acks.length + 1 >= 3 ? [{ ok: true, index: 0 }] : [];
    assert.deepEqual(results, want, `acks from n0 and [${acks}] of 5 acceptors`);
  }
  // four acceptors and a leader that is none of them: 3 acknowledgements needed
  for (const acks of subsets(["n1", "n2", "n3", "n4"])) {
    const { node, results, seq } = leaderWithRead(five, ["n1", "n2", "n3", "n4"]);
    for (const a of acks) node.onMessage(a, { type: "HeartbeatAck", ballot: node.ballot, seq });
    const want = acks.length >= 3 ? [{ ok: true, index: 0 }] : [];
    assert.deepEqual(results, want, `acks from [${acks}] of acceptors n1..n4`);
  }
});

Deno.test("paxos ReadIndex: a read waits for a majority of acknowledgements of its own round or later", () => {
  // acceptors n1..n4 (the leader n0 is not one): three reads, one heartbeat round each
  const { ctx, node } = paxosNode({
    nodes: ["n0", "n1", "n2", "n3", "n4"],
    config: { acceptors: ["n1", "n2", "n3", "n4"] },
  });
  node.campaign();
  for (const a of ["n1", "n2", "n3"]) {
    node.onMessage(a, { type: "Promise", ballot: node.ballot, accepted: [] });
  }
  ctx.take();
  const done: number[] = [];
  const seqs: number[] = [];
  for (const k of [1, 2, 3]) {
    node.readIndex((r) => r.ok && done.push(k));
    const hb = ctx.take().find((m) => m.type === "Heartbeat");
    assert.ok(hb?.type === "Heartbeat");
    seqs.push(hb.seq);
  }
  const ack = (from: string, seq: number) =>
    node.onMessage(from, { type: "HeartbeatAck", ballot: node.ballot, seq });
  ack("n1", seqs[2]);
  ack("n2", seqs[0]);
  assert.deepEqual(done, [], "two of four acceptors are no majority");
  ack("n3", seqs[1]);
  // n1, n2 and n3 all acknowledged round 1 or later; only n1 and n3 round 2; only n1 round 3
  assert.deepEqual(done, [1]);
  ack("n4", seqs[1]);
  assert.deepEqual(done, [1, 2]);
  ack("n2", seqs[2]);
  assert.deepEqual(done, [1, 2]);
  ack("n4", seqs[2]);
  assert.deepEqual(done, [1, 2, 3]);
});

Deno.test("paxos config: each cross-field error names its own field in the issue path", () => {
  const issuesOf = (config: Record<string, number>) => {
    try {
      paxosNode({ config });
    } catch (e) {
      assert.ok(e instanceof ConfigError);
      return e.issues.map((i) => i.path);
    }
    assert.fail(`accepted ${JSON.stringify(config)}`);
  };
  assert.deepEqual(issuesOf({ electionTimeoutMsMin: 200, electionTimeoutMsMax: 180 }), [
    "electionTimeoutMsMax",
  ]);
  assert.deepEqual(issuesOf({ heartbeatIntervalMs: 150 }), ["heartbeatIntervalMs"]);
});

Deno.test("paxos invariants: a learner learning a value no majority accepted at one ballot is a breach", () => {
  const inv = new PaxosInvariants({ acceptors: 3, throwOnBreach: false });
  let t = 0;
  const feed = (node: string, event: Record<string, unknown> & { type: string }) =>
    inv.observe({ t, traceIndex: t++, node, event });
  // slot 1: only n0 accepted "v" (one of three); slot 2: n0 and n1 accepted "w" at one ballot
  feed("n0", { type: "accept", slot: 1, ballot: b(1, "n0"), value: "v" });
  feed("n0", { type: "accept", slot: 2, ballot: b(1, "n0"), value: "w" });
  feed("n1", { type: "accept", slot: 2, ballot: b(1, "n0"), value: "w" });
  feed("n2", { type: "decide", slot: 2, value: "w" });
  assert.deepEqual(inv.breaches, []);
  feed("n2", { type: "decide", slot: 1, value: "v" });
  assert.equal(inv.breaches.length, 1);
  assert.equal(inv.breach?.invariant, "learner-validity");
  assert.equal(inv.breach?.slot, 1);
});

Deno.test("paxos node without election: a Decide leaving no hole asks nobody to catch up", () => {
  const { ctx, node } = paxosNode({ config: { election: "none" } });
  node.onMessage("n1", { type: "Decide", decisions: [{ slot: 1, value: cmd("a") }] });
  assert.deepEqual(ctx.take("n1").filter((m) => m.type === "CatchUp"), []);
  // slot 3 learned while slot 2 is not: a hole, so ask the sender from slot 2
  node.onMessage("n1", { type: "Decide", decisions: [{ slot: 3, value: cmd("c") }] });
  assert.deepEqual(ctx.take("n1").filter((m) => m.type === "CatchUp"), [
    { type: "CatchUp", fromSlot: 2 },
  ]);
});

Deno.test("paxos proposer: maxSeen and inspect report the highest ballot seen and the leader", () => {
  const { node } = paxosNode();
  node.onMessage("n1", { type: "Prepare", ballot: b(5, "n1"), fromSlot: 1 });
  assert.deepEqual(node.proposer!.maxSeen, b(5, "n1"));
  node.onMessage("n2", { type: "Heartbeat", ballot: b(7, "n2"), seq: 1, firstUnchosen: 1 });
  assert.deepEqual(node.proposer!.maxSeen, b(7, "n2"));
  assert.equal(node.inspect().proposer!.leaderId, "n2");
  node.campaign();
  assert.deepEqual(node.proposer!.maxSeen, b(8, "n0"));
  assert.equal(node.inspect().proposer!.leaderId, null, "a candidate knows no leader");
  node.onMessage("n1", { type: "Promise", ballot: node.ballot, accepted: [] });
  assert.equal(node.inspect().proposer!.leaderId, "n0");
});

Deno.test("paxos stable election: the leader's Accepts and heartbeats re-arm the timeout, a repeated Prepare does not", () => {
  const { ctx, node } = paxosNode();
  const rearmedBy = (m: PaxosMessage) => {
    ctx.timers.delete(T_ELECTION);
    node.onMessage("n1", m);
    return ctx.timers.has(T_ELECTION);
  };
  const ballot = b(3, "n1");
  assert.equal(rearmedBy({ type: "Prepare", ballot, fromSlot: 1 }), true, "a new candidate");
  assert.equal(rearmedBy({ type: "Prepare", ballot, fromSlot: 1 }), false, "its Prepare again");
  assert.equal(rearmedBy({ type: "Heartbeat", ballot, seq: 1, firstUnchosen: 1 }), true);
  assert.equal(rearmedBy({ type: "Heartbeat", ballot, seq: 2, firstUnchosen: 1 }), true);
  assert.equal(rearmedBy({ type: "Accept", ballot, slot: 1, value: cmd("x") }), true);
  assert.equal(
    rearmedBy({ type: "Heartbeat", ballot: b(2, "n2"), seq: 1, firstUnchosen: 1 }),
    false,
  );
  // without leader election there is no election timer to arm
  const none = paxosNode({ config: { election: "none" } });
  none.node.onMessage("n1", { type: "Accept", ballot, slot: 1, value: cmd("x") });
  none.node.onMessage("n1", { type: "Heartbeat", ballot: b(4, "n1"), seq: 1, firstUnchosen: 1 });
  assert.equal(none.ctx.timers.has(T_ELECTION), false);
});

Deno.test("paxos proposer: a value taken from the submit queue is announced with its slot and ballot", () => {
  const { ctx, node } = paxosNode();
  node.campaign();
  node.onMessage("n1", { type: "Promise", ballot: node.ballot, accepted: [] });
  node.submit("q");
  assert.deepEqual(ctx.eventsOf("propose"), [{ type: "propose", slot: 1, ballot: node.ballot }]);
  assert.equal(node.proposer!.nextSlot, 2);
});

Deno.test("paxos invariants: commit latency is timed from a value's propose to its chosen event", () => {
  const inv = new PaxosInvariants({ acceptors: 3 });
  let traceIndex = 0;
  const feed = (t: number, node: string, event: Record<string, unknown> & { type: string }) =>
    inv.observe({ t, traceIndex: traceIndex++, node, event });
  assert.deepEqual(inv.liveness().commitLatencyMs, []);
  feed(10, "n0", { type: "propose", slot: 1, ballot: b(1, "n0") });
  // chosen at another ballot or by another node: not this proposal
  feed(12, "n0", { type: "chosen", slot: 1, ballot: b(2, "n0"), value: "x" });
  feed(13, "n1", { type: "chosen", slot: 1, ballot: b(1, "n0"), value: "x" });
  assert.deepEqual(inv.liveness().commitLatencyMs, []);
  feed(25, "n0", { type: "chosen", slot: 1, ballot: b(1, "n0"), value: "x" });
  assert.deepEqual(inv.liveness().commitLatencyMs, [15]);
  feed(30, "n0", { type: "chosen", slot: 1, ballot: b(1, "n0"), value: "x" });
  assert.deepEqual(inv.liveness().commitLatencyMs, [15], "timed once");
});

Deno.test("paxos kv: bad Paxos options name the paxos config and the paxos. field", () => {
  assert.throws(
    () => paxosKvFactory({ paxos: { pipeline: 0 } }),
    (e: unknown) =>
      e instanceof ConfigError && e.message.startsWith("invalid paxos config: pipeline"),
  );
  assert.throws(
    () =>
      createCluster({
        seed: 1,
        nodes: 3,
        factory: paxosKvFactory({ paxos: { acceptors: ["n0", "n9"] } }),
      }),
    (e: unknown) =>
      e instanceof ConfigError && e.message.startsWith("invalid paxos config: ") &&
      e.issues.length === 1 && e.issues[0].path.startsWith("paxos.acceptors"),
  );
});

Deno.test("paxos messages: every message type is recognised as Paxos", () => {
  const types = [
    "Prepare",
    "Promise",
    "Accept",
    "Accepted",
    "Nack",
    "Decide",
    "Heartbeat",
    "HeartbeatAck",
    "CatchUp",
  ];
  for (const type of types) assert.equal(isPaxosMessage({ type }), true, type);
  assert.equal(isPaxosMessage({ type: "" }), false);
});

Deno.test("paxos node: inspect reports the learner's first unchosen slot, null without a learner", () => {
  const { node } = paxosNode();
  assert.equal(node.inspect().firstUnchosen, 1);
  node.onMessage("n1", { type: "Decide", decisions: [{ slot: 1, value: cmd("a") }] });
  assert.equal(node.inspect().firstUnchosen, 2);
  const acceptorOnly = paxosNode({
    self: "n2",
    config: { proposers: ["n0"], learners: ["n0", "n1"] },
  });
  assert.equal(acceptorOnly.node.inspect().firstUnchosen, null);
});

Deno.test("paxos follower: a new candidate's Prepare clears the leader hint", () => {
  const { node } = paxosNode();
  node.onMessage("n1", { type: "Heartbeat", ballot: b(1, "n1"), seq: 1, firstUnchosen: 1 });
  assert.equal(node.leaderHint(), "n1");
  node.onMessage("n2", { type: "Prepare", ballot: b(2, "n2"), fromSlot: 1 });
  assert.equal(node.leaderHint(), undefined, "n1 may be deposed, n2 is not leader yet");
  node.onMessage("n2", { type: "Accept", ballot: b(2, "n2"), slot: 1, value: cmd("x") });
  assert.equal(node.leaderHint(), "n2");
});

Deno.test("paxos candidate: a message of its own ballot from another node is not a leader's", () => {
  const { ctx, node } = paxosNode();
  node.campaign();
  ctx.timers.delete(T_ELECTION);
  node.onMessage("n1", { type: "Heartbeat", ballot: node.ballot, seq: 1, firstUnchosen: 1 });
  assert.equal(node.status, "candidate");
  assert.equal(node.leaderHint(), undefined);
  assert.equal(ctx.timers.has(T_ELECTION), false, "its own timeout is not pushed back");
});

Deno.test("paxos ReadIndex: a late, reordered acknowledgement does not undo a newer one", () => {
  const { node, results, seq } = leaderWithRead(
    ["n0", "n1", "n2", "n3", "n4"],
    ["n1", "n2", "n3", "n4"],
  );
  const ack = (from: string, s: number) =>
    node.onMessage(from, { type: "HeartbeatAck", ballot: node.ballot, seq: s });
  ack("n1", seq);
  ack("n1", seq - 1); // the leader's election heartbeat, acknowledged late
  ack("n2", seq);
  assert.deepEqual(results, []);
  ack("n3", seq);
  assert.deepEqual(results, [{ ok: true, index: 0 }]);
});

Deno.test("paxos leader: slots this node learned before phase 1 completed are not proposed again", () => {
  // n0 learns slot 3 from a Decide while a stale phase 1 reports nothing accepted
  const { ctx, node } = paxosNode();
  node.campaign();
  node.onMessage("n1", { type: "Decide", decisions: [{ slot: 3, value: cmd("c") }] });
  node.onMessage("n1", { type: "Promise", ballot: node.ballot, accepted: [] });
  assert.equal(node.isLeader(), true);
  const accepts = ctx.take("n1").filter((m) => m.type === "Accept");
  assert.deepEqual(
    accepts.map((m) => m.type === "Accept" && [m.slot, m.value.kind]),
    [[1, "noop"], [2, "noop"]],
  );
  assert.deepEqual(node.propose("x"), { ok: true, index: 4 });
});

Deno.test("paxos: a follower's heartbeat timer (stale, or fired by hand) sends nothing", () => {
  const { ctx, node } = paxosNode();
  ctx.take();
  node.onTimer(T_HEARTBEAT);
  assert.deepEqual(ctx.take(), []);
  assert.equal(ctx.timers.has(T_HEARTBEAT), false);
});

Deno.test("paxos learner: learning a slot emits a decide event with the slot and value", () => {
  const { ctx, node } = paxosNode();
  node.onMessage("n1", { type: "Decide", decisions: [{ slot: 1, value: cmd("a") }] });
  node.onMessage("n1", { type: "Decide", decisions: [{ slot: 1, value: cmd("a") }] });
  assert.deepEqual(ctx.eventsOf("decide"), [{ type: "decide", slot: 1, value: cmd("a") }]);
});

Deno.test("paxos node: the configuration given is sorted into the role lists, never in place", () => {
  const config = {
    proposers: ["n1", "n0"],
    acceptors: ["n2", "n1", "n0"],
    learners: ["n2", "n1", "n0"],
  };
  const { node } = paxosNode({ config });
  assert.deepEqual(node.proposers, ["n0", "n1"]);
  assert.deepEqual(node.acceptors, ["n0", "n1", "n2"]);
  assert.deepEqual(node.learners, ["n0", "n1", "n2"]);
  assert.deepEqual(config.proposers, ["n1", "n0"]);
  assert.deepEqual(node.config.proposers, ["n1", "n0"]);
  assert.deepEqual(node.config.acceptors, ["n2", "n1", "n0"]);
  assert.deepEqual(node.config.learners, ["n2", "n1", "n0"]);
});

Deno.test("paxos node: a proposer that is no learner is refused as an invalid paxos config", () => {
  assert.throws(
    () => paxosNode({ config: { proposers: ["n0"], learners: ["n1", "n2"] } }),
    (e: unknown) =>
      e instanceof ConfigError &&
      e.message.startsWith("invalid paxos config: learners: every proposer must be a learner"),
  );
});

Deno.test("paxos node: inspect of a node without the acceptor role counts no accepted slots", () => {
  const { node } = paxosNode({ config: { acceptors: ["n1", "n2"] } });
  assert.equal(node.acceptor, undefined);
  assert.equal(node.inspect().acceptedSlots, 0);
  assert.equal(node.inspect().promised, null);
});

Deno.test("paxos node without election: a hole asks to catch up at most once per heartbeat interval", () => {
  const { ctx, node } = paxosNode({ config: { election: "none", heartbeatIntervalMs: 50 } });
  const catchUps = () => ctx.take("n1").filter((m) => m.type === "CatchUp").length;
  const hole = (slot: number) =>
    node.onMessage("n1", { type: "Decide", decisions: [{ slot, value: cmd(slot) }] });
  ctx.now = 100;
  hole(3);
  assert.equal(catchUps(), 1);
  ctx.now = 149;
  hole(4);
  assert.equal(catchUps(), 0, "49 ms later");
  ctx.now = 150;
  hole(5);
  assert.equal(catchUps(), 1, "a whole interval later");
});

Deno.test("paxos: submit starts phase 1 at once only for a follower without leader election", () => {
  const stable = paxosNode();
  stable.node.submit("x");
  assert.equal(stable.node.status, "follower");
  assert.deepEqual(stable.ctx.take().filter((m) => m.type === "Prepare"), []);
  const none = paxosNode({ config: { election: "none" } });
  none.node.campaign();
  const ballot = none.node.ballot;
  none.ctx.take();
  none.node.submit("y");
  assert.deepEqual(none.node.ballot, ballot, "a candidate keeps its phase 1");
  assert.deepEqual(none.ctx.take().filter((m) => m.type === "Prepare"), []);
});

Deno.test("paxos: a leader's stale election timer does not start a new phase 1", () => {
  const { ctx, node } = paxosNode();
  node.campaign();
  node.onMessage("n1", { type: "Promise", ballot: node.ballot, accepted: [] });
  const ballot = node.ballot;
  ctx.take();
  node.onTimer(T_ELECTION);
  assert.equal(node.status, "leader");
  assert.deepEqual(node.ballot, ballot);
  assert.deepEqual(ctx.take().filter((m) => m.type === "Prepare"), []);
});

Deno.test("paxos without election: a candidate with nothing queued retries phase 1 higher", () => {
  const { node } = paxosNode({ config: { election: "none" } });
  node.campaign();
  const round = node.ballot.round;
  assert.equal(node.proposer!.queued, 0);
  node.onTimer(T_RETRY);
  assert.equal(node.status, "candidate");
  assert.equal(node.ballot.round, round + 1);
});

Deno.test("paxos: a preempted leader re-queues its submitted values, not proposed ones", () => {
  const { node } = paxosNode({ config: { pipeline: 2 } });
  node.campaign();
  node.onMessage("n1", { type: "Promise", ballot: node.ballot, accepted: [] });
  node.submit("a");
  node.propose("b");
  node.submit("c");
  assert.equal(node.proposer!.queued, 0);
  node.onMessage("n2", { type: "Nack", ballot: node.ballot, promised: b(9, "n2") });
  assert.equal(node.status, "follower");
  assert.equal(node.proposer!.queued, 2);
  // re-elected, it finds all three accepted by its own acceptor and re-proposes them in their
  // slots: the re-queued copies leave the queue instead of taking new slots
  node.campaign();
  node.onMessage("n1", { type: "Promise", ballot: node.ballot, accepted: [] });
  assert.equal(node.proposer!.inflight, 3);
  assert.equal(node.proposer!.queued, 0);
  assert.equal(node.proposer!.nextSlot, 4);
});

Deno.test("paxos acceptor: accepted values come out in slot order, and inspect counts them", () => {
  const { node } = paxosNode({ self: "n1" });
  const ballot = b(1, "n0");
  for (const slot of [3, 1, 2]) {
    node.onMessage("n0", { type: "Accept", ballot, slot, value: cmd(slot) });
  }
  assert.deepEqual(node.acceptor!.acceptedValues().map((pv) => pv.slot), [1, 2, 3]);
  assert.deepEqual(node.acceptor!.acceptedValues(2).map((pv) => pv.slot), [2, 3]);
  assert.equal(node.inspect().acceptedSlots, 3);
});

Deno.test("paxos invariants: fed by hand without `acceptors`, the checker says what to pass", () => {
  const inv = new PaxosInvariants();
  assert.throws(
    () =>
      inv.observe({
        t: 0,
        traceIndex: 0,
        node: "n0",
        event: { type: "accept", slot: 1, ballot: b(1, "n0"), value: "v" },
      }),
    /pass `acceptors` when feeding events by hand/,
  );
});

Deno.test("paxos kv: bad key-value options name the kv config", () => {
  assert.throws(
    () => paxosKvFactory({ kv: { reads: "bogus" as never } }),
    (e: unknown) => e instanceof ConfigError && e.message.startsWith("invalid kv config: reads"),
  );
});

Deno.test("paxos node: firstUnchosen follows the learner, and is 1 without one", () => {
  const { node } = paxosNode();
  assert.equal(node.firstUnchosen, 1);
  node.onMessage("n1", { type: "Decide", decisions: [{ slot: 1, value: cmd("a") }] });
  node.onMessage("n1", { type: "Decide", decisions: [{ slot: 3, value: cmd("c") }] });
  assert.equal(node.firstUnchosen, 2);
  const acceptorOnly = paxosNode({
    self: "n2",
    config: { proposers: ["n0"], learners: ["n0", "n1"] },
  });
  assert.equal(acceptorOnly.node.firstUnchosen, 1);
});

Deno.test("paxos §2.2 phase 1: a promise counts only from an acceptor", () => {
  // acceptors n0..n2 (quorum 2) among n0..n3: n3's promise is no vote
  const { node } = paxosNode({
    nodes: ["n0", "n1", "n2", "n3"],
    config: { acceptors: ["n0", "n1", "n2"] },
  });
  node.campaign();
  node.onMessage("n3", { type: "Promise", ballot: node.ballot, accepted: [] });
  assert.equal(node.status, "candidate");
  node.onMessage("n2", { type: "Promise", ballot: node.ballot, accepted: [] });
  assert.equal(node.status, "leader");
});

Deno.test("paxos ReadIndex: a read waiting for its slot is answered once, not again at later slots", () => {
  const { ctx, node } = paxosNode();
  node.campaign();
  node.onMessage("n1", { type: "Promise", ballot: node.ballot, accepted: [] });
  node.propose("w");
  ctx.take();
  const results: ReadResult[] = [];
  node.readIndex((r) => results.push(r));
  const hb = ctx.take("n1").find((m) => m.type === "Heartbeat");
  assert.ok(hb?.type === "Heartbeat");
  node.onMessage("n1", { type: "HeartbeatAck", ballot: node.ballot, seq: hb.seq });
  assert.deepEqual(results, []);
  node.onMessage("n1", { type: "Accepted", ballot: node.ballot, slot: 1 });
  assert.deepEqual(results, [{ ok: true, index: 1 }]);
  node.propose("x");
  node.onMessage("n1", { type: "Accepted", ballot: node.ballot, slot: 2 });
  assert.deepEqual(results, [{ ok: true, index: 1 }]);
});

Deno.test("paxos stable election: a leader's Accepts are re-sent on heartbeats, with no retry timer", () => {
  const { ctx, node } = paxosNode();
  node.campaign();
  node.onMessage("n1", { type: "Promise", ballot: node.ballot, accepted: [] });
  node.propose("w");
  assert.equal(ctx.timers.has(T_RETRY), false);
  // without election a retry timer covers phase 2
  const none = paxosNode({ config: { election: "none" } });
  none.node.submit("w");
  none.node.onMessage("n1", { type: "Promise", ballot: none.node.ballot, accepted: [] });
  none.node.onMessage("n1", { type: "Accepted", ballot: none.node.ballot, slot: 1 });
  none.node.onTimer(T_RETRY); // nothing in phase 2 any more: not re-armed
  none.ctx.timers.delete(T_RETRY);
  none.node.propose("x");
  assert.equal(none.ctx.timers.has(T_RETRY), true);
});

Deno.test("paxos: role events carry the status, the ballot's round as term, and the ballot", () => {
  const { ctx, node } = paxosNode();
  node.campaign();
  node.onMessage("n1", { type: "Promise", ballot: node.ballot, accepted: [] });
  assert.deepEqual(ctx.eventsOf("role"), [
    { type: "role", role: "follower", term: 0, ballot: b(0, "") },
    { type: "role", role: "candidate", term: 1, ballot: b(1, "n0") },
    { type: "role", role: "leader", term: 1, ballot: b(1, "n0") },
  ]);
});

Deno.test("paxos acceptor: restarted without a stored promise, it promises the highest ballot it accepted at", () => {
  const storage = new MemoryStorage();
  storage.append(ACCEPTED_KEY, { slot: 1, ballot: b(3, "n1"), value: cmd("a") });
  storage.append(ACCEPTED_KEY, { slot: 2, ballot: b(1, "n2"), value: cmd("b") });
  const a = new Acceptor(storage, () => {});
  assert.deepEqual(a.promised, b(3, "n1"));
  assert.equal(a.acceptedCount, 2);
});

Deno.test("paxos invariants: ballots started are counted", () => {
  const inv = new PaxosInvariants({ acceptors: 3 });
  inv.observe({ t: 0, traceIndex: 0, node: "n0", event: { type: "ballot", ballot: b(1, "n0") } });
  inv.observe({ t: 1, traceIndex: 1, node: "n1", event: { type: "ballot", ballot: b(2, "n1") } });
  assert.equal(inv.liveness().ballots, 2);
});

Deno.test("paxos proposer: phase 1 announces its ballot and first slot", () => {
  const { ctx, node } = paxosNode();
  node.campaign();
  assert.deepEqual(ctx.eventsOf("ballot"), [{ type: "ballot", ballot: b(1, "n0"), fromSlot: 1 }]);
});

Deno.test("paxos node: a node without the proposer role refuses a read", () => {
  const { node } = paxosNode({ self: "n2", config: { proposers: ["n0"], learners: ["n0", "n1"] } });
  const got: ReadResult[] = [];
  node.readIndex((r) => got.push(r));
  assert.deepEqual(got, [{ ok: false, reason: "not-leader" }]);
});

Deno.test("paxos without election: a hole in what the node itself decided does not use up its catch-up", () => {
  // n0 leads with two values in flight; slot 2 is chosen first, so its own learner has a hole
  const { ctx, node } = paxosNode({ config: { election: "none", pipeline: 2 } });
  node.submit("a");
  node.onMessage("n1", { type: "Promise", ballot: node.ballot, accepted: [] });
  node.submit("b");
  node.onMessage("n1", { type: "Accepted", ballot: node.ballot, slot: 2 });
  assert.equal(node.valueAt(2)?.kind, "command");
  assert.equal(node.firstUnchosen, 1);
  ctx.take();
  // a peer's Decide with a hole, at the same instant: ask that peer
  node.onMessage("n2", { type: "Decide", decisions: [{ slot: 4, value: cmd("d") }] });
  assert.deepEqual(ctx.take("n2").filter((m) => m.type === "CatchUp"), [
    { type: "CatchUp", fromSlot: 1 },
  ]);
});

Deno.test("paxos ReadIndex: reads waiting for different slots are each answered when theirs is applied", () => {
  const { ctx, node } = paxosNode();
  node.campaign();
  node.onMessage("n1", { type: "Promise", ballot: node.ballot, accepted: [] });
  const served: number[] = [];
  const readAt = () => {
    node.readIndex((r) => r.ok && served.push(r.index));
    const hb = ctx.take("n1").filter((m) => m.type === "Heartbeat").at(-1);
    assert.ok(hb?.type === "Heartbeat");
    node.onMessage("n1", { type: "HeartbeatAck", ballot: node.ballot, seq: hb.seq });
  };
  node.propose("w1");
  readAt();
  node.propose("w2");
  readAt();
  assert.deepEqual(served, []);
  node.onMessage("n1", { type: "Accepted", ballot: node.ballot, slot: 1 });
  assert.deepEqual(served, [1]);
  node.onMessage("n1", { type: "Accepted", ballot: node.ballot, slot: 2 });
  assert.deepEqual(served, [1, 2]);
});

Deno.test("paxos recovery: a no-op slot never takes a queued command, not even an undefined one", () => {
  const { ctx, node } = paxosNode();
  node.submit(undefined);
  node.campaign();
  const accepted = [{ slot: 2, ballot: b(0, "n1"), value: cmd("x") }];
  node.onMessage("n1", { type: "Promise", ballot: node.ballot, accepted });
  const accepts = ctx.take("n1").flatMap((m) => m.type === "Accept" ? [[m.slot, m.value]] : []);
  assert.deepEqual(accepts, [
    [1, { kind: "noop" }],
    [2, cmd("x")],
    [3, cmd(undefined)],
  ]);
});

Deno.test("paxos without election: a submit during the back-off waits for it", () => {
  const { ctx, node } = paxosNode({ config: { election: "none", backoff: "randomized" } });
  node.submit("v");
  node.onMessage("n1", { type: "Nack", ballot: node.ballot, promised: b(4, "n1") });
  assert.equal(node.status, "follower");
  ctx.take();
  node.submit("w");
  assert.equal(node.status, "follower");
  assert.deepEqual(ctx.take().filter((m) => m.type === "Prepare"), []);
});

Deno.test("paxos node: a node without the proposer role is a follower, and says why it refuses a submit", () => {
  // n2 is an acceptor only: proposers and learners are n0 and n1
  const { ctx, node } = paxosNode({
    self: "n2",
    config: { proposers: ["n0"], learners: ["n0", "n1"] },
  });
  assert.equal(node.proposer, undefined);
  assert.equal(node.status, "follower");
  assert.equal(node.isLeader(), false);
  // it still serves as an acceptor: a Prepare from n0 is promised, its status is unchanged
  node.onMessage("n0", { type: "Prepare", ballot: b(1, "n0"), fromSlot: 1 });
  assert.deepEqual(ctx.take("n0").map((m) => m.type), ["Promise"]);
  assert.equal(node.status, "follower");
  assert.throws(
    () => node.submit("v"),
    (e: unknown) => e instanceof Error && e.message === "n2 is not a proposer",
  );
  assert.deepEqual(ctx.take(), [], "a refused submit sends nothing");
});

Deno.test("paxos §2.3 phase 2: an Accepted counts toward the majority only from an acceptor", () => {
  // acceptors n1..n3 (quorum 2) among n0..n4; the leader n0 and n4 are no acceptors
  const { ctx, node } = paxosNode({
    nodes: ["n0", "n1", "n2", "n3", "n4"],
    config: { acceptors: ["n1", "n2", "n3"] },
  });
  node.campaign();
  for (const a of ["n1", "n2"]) {
    node.onMessage(a, { type: "Promise", ballot: node.ballot, accepted: [] });
  }
  assert.equal(node.isLeader(), true);
  assert.ok(node.propose("w").ok);
  const chosen = () => ctx.eventsOf("chosen").map((e) => e.slot);
  node.onMessage("n1", { type: "Accepted", ballot: node.ballot, slot: 1 });
  assert.deepEqual(chosen(), [], "one acceptor of three is no majority");
  node.onMessage("n4", { type: "Accepted", ballot: node.ballot, slot: 1 });
  assert.deepEqual(chosen(), [], "n4 is no acceptor: its Accepted is no vote");
  assert.equal(node.valueAt(1), undefined);
  node.onMessage("n2", { type: "Accepted", ballot: node.ballot, slot: 1 });
  assert.deepEqual(chosen(), [1]);
  assert.deepEqual(node.valueAt(1), cmd("w"));
});

// ---- held-out sample (seed 103) ---------------------------------------------------------------

Deno.test("paxos invariants: at most 100 breaches are kept, the first 100", () => {
  const inv = new PaxosInvariants({ acceptors: 3, throwOnBreach: false });
  // nothing was accepted anywhere: every decide is a learner-validity breach in its own slot
  for (let slot = 1; slot <= 150; slot++) {
    inv.observe({
      t: slot,
      traceIndex: 0,
      node: "n0",
      event: { type: "decide", slot, value: "v" },
    });
  }
  assert.equal(inv.breaches.length, 100);
  assert.deepEqual(
    inv.breaches.map((x) => x.slot),
    Array.from({ length: 100 }, (_, k) => k + 1),
  );
  assert.ok(inv.breaches.every((x) => x.invariant === "learner-validity"));
});

Deno.test("paxos proposer: propose announces the slot it gives and the leader's ballot", () => {
  const { ctx, node } = paxosNode();
  node.campaign();
  node.onMessage("n1", { type: "Promise", ballot: node.ballot, accepted: [] });
  assert.equal(node.isLeader(), true);
  assert.deepEqual(node.propose("x"), { ok: true, index: 1 });
  assert.deepEqual(node.propose("y"), { ok: true, index: 2 });
  assert.deepEqual(ctx.eventsOf("propose"), [
    { type: "propose", slot: 1, ballot: b(1, "n0") },
    { type: "propose", slot: 2, ballot: b(1, "n0") },
  ]);
});

Deno.test("paxos leader: a queue drained at election fills at most `pipeline` slots", () => {
  for (const pipeline of [1, 2]) {
    const { ctx, node } = paxosNode({ config: { election: "none", pipeline } });
    for (const c of ["a", "b", "c"]) node.submit(c);
    assert.equal(node.status, "candidate");
    ctx.take();
    node.onMessage("n1", { type: "Promise", ballot: node.ballot, accepted: [] });
    assert.equal(node.isLeader(), true);
    assert.equal(node.proposer!.inflight, pipeline);
    assert.equal(node.proposer!.queued, 3 - pipeline);
    const accepts = ctx.take("n1").flatMap((m) => m.type === "Accept" ? [m.slot] : []);
    assert.deepEqual(accepts, pipeline === 1 ? [1] : [1, 2], `pipeline ${pipeline}`);
  }
});

Deno.test("paxos MISTAKE propose-own-value: a recovered slot given a queued value counts against the pipeline, a no-op does not", () => {
  const reported = [{ slot: 1, ballot: b(1, "n1"), value: cmd("z") }];
  // queued a and b: slot 1 takes a (the mistake), a fills the pipeline of 1, so b waits
  const own = paxosNode({ config: { election: "none", mistakeProposeOwnValue: true } });
  own.node.submit("a");
  own.node.submit("b");
  own.node.onMessage("n1", { type: "Promise", ballot: own.node.ballot, accepted: reported });
  assert.equal(own.node.isLeader(), true);
  assert.deepEqual(
    own.ctx.take("n1").flatMap((m) => m.type === "Accept" ? [[m.slot, m.value]] : []),
    [[1, cmd("a")]],
  );
  assert.equal(own.node.proposer!.queued, 1, "b waits for a");
  // nothing queued: slot 1 takes a no-op, which leaves the pipeline free for a later submit
  const noop = paxosNode({ config: { election: "none", mistakeProposeOwnValue: true } });
  noop.node.campaign();
  noop.node.onMessage("n1", { type: "Promise", ballot: noop.node.ballot, accepted: reported });
  assert.equal(noop.node.isLeader(), true);
  noop.node.submit("c");
  assert.deepEqual(
    noop.ctx.take("n1").flatMap((m) => m.type === "Accept" ? [[m.slot, m.value]] : []),
    [[1, { kind: "noop" }], [2, cmd("c")]],
  );
  assert.equal(noop.node.proposer!.queued, 0);
});

// ---- held-out sample (seed 104) ---------------------------------------------------------------

Deno.test("paxos config: the proposer-learner check lists every proposer that is no learner", () => {
  assert.throws(
    () => paxosNode({ config: { proposers: ["n0", "n1"], learners: ["n2"] } }),
    (e: unknown) =>
      e instanceof ConfigError && e.issues.length === 1 && e.issues[0].path === "learners" &&
      e.issues[0].message.endsWith("; missing: n0, n1"),
  );
});

Deno.test("paxos §2.3 phase 2: a late Accepted of an earlier ballot does not count toward the new one", () => {
  // n0 leads ballot 1 and proposes x in slot 1; n2 preempts it before anything is chosen
  const { ctx, node } = paxosNode();
  node.campaign();
  node.onMessage("n1", { type: "Promise", ballot: node.ballot, accepted: [] });
  const first = node.ballot;
  node.propose("x");
  node.onMessage("n2", { type: "Nack", ballot: first, promised: b(2, "n2") });
  assert.equal(node.status, "follower");
  // re-elected at ballot 3 with n2's promise: its own acceptor reports x in slot 1, so slot 1
  // goes to phase 2 again, and only n0's own acceptor has accepted it at ballot 3 so far
  node.campaign();
  assert.deepEqual(node.ballot, b(3, "n0"));
  node.onMessage("n2", { type: "Promise", ballot: node.ballot, accepted: [] });
  assert.equal(node.isLeader(), true);
  const chosen = () => ctx.eventsOf("chosen").map((e) => e.slot);
  // n1's acceptance of ballot 1, delayed: n0 and n1 are a majority, but not at one ballot
  node.onMessage("n1", { type: "Accepted", ballot: first, slot: 1 });
  assert.deepEqual(chosen(), []);
  assert.equal(node.valueAt(1), undefined);
  node.onMessage("n2", { type: "Accepted", ballot: node.ballot, slot: 1 });
  assert.deepEqual(chosen(), [1]);
  assert.deepEqual(node.valueAt(1), cmd("x"));
});

Deno.test("paxos ReadIndex: a leader preempted before the round is confirmed fails its read as not-leader", () => {
  const { node, results, seq } = leaderWithRead(["n0", "n1", "n2"]);
  node.onMessage("n1", { type: "Nack", ballot: node.ballot, promised: b(5, "n1") });
  assert.equal(node.status, "follower");
  assert.equal(results.length, 1, "answered at once, not left waiting");
  assert.equal(results[0].ok, false);
  assert.equal(!results[0].ok && results[0].reason, "not-leader");
  // a late acknowledgement of the round does not answer it a second time
  node.onMessage("n1", { type: "HeartbeatAck", ballot: b(1, "n0"), seq });
  assert.equal(results.length, 1);
});

// ---- seed 104 re-run (the equivalence mark in learner.ts changed the sample) -------------------

Deno.test("paxos config: the heartbeat bound's issue says what it requires", () => {
  try {
    paxosNode({
      config: { electionTimeoutMsMin: 200, electionTimeoutMsMax: 300, heartbeatIntervalMs: 200 },
    });
    assert.fail("the config was accepted");
  } catch (e) {
    assert.ok(e instanceof ConfigError);
    assert.deepEqual(e.issues, [{
      path: "heartbeatIntervalMs",
      message: "heartbeatIntervalMs must be < electionTimeoutMsMin (heartbeats must beat timeouts)",
    }]);
  }
});

Deno.test("paxos invariants: the breach message says it is a Paxos invariant, with the seed", () => {
  assert.throws(
    () => conflictingAccepts(true).sim.run({ untilMs: 100 }),
    (e: unknown) =>
      e instanceof PaxosInvariantError &&
      e.message.startsWith('paxos invariant "ballot-uniqueness" violated: seed=1 '),
  );
});

Deno.test("paxos kv: refused lease reads name the read modes to use instead", () => {
  assert.throws(
    () => paxosKvFactory({ kv: { reads: "lease" } }),
    (e: unknown) =>
      e instanceof ConfigError && e.issues.length === 1 && e.issues[0].path === "kv.reads" &&
      e.issues[0].message.endsWith('; use "readIndex" or "log"'),
  );
});

Deno.test("paxos learner: nothing is applied before start; start applies what was learned, in slot order", () => {
  const applied: unknown[] = [];
  const l = new Learner(new MemoryStorage(), () => {}, { apply: (e) => applied.push(e.command) });
  l.learn(2, cmd("b"));
  l.learn(1, cmd("a"));
  assert.deepEqual(applied, []);
  assert.equal(l.lastApplied, 0);
  l.start();
  assert.deepEqual(applied, ["a", "b"]);
  l.learn(3, cmd("c"));
  assert.deepEqual(applied, ["a", "b", "c"], "once started, a learned slot is applied at once");
});

Deno.test("paxos node: inspect reports the learner's last applied slot, null without a learner", () => {
  const { node } = paxosNode();
  assert.equal(node.inspect().lastApplied, 0);
  node.onMessage("n1", { type: "Decide", decisions: [{ slot: 1, value: cmd("a") }] });
  node.onMessage("n1", { type: "Decide", decisions: [{ slot: 3, value: cmd("c") }] });
  assert.equal(node.inspect().lastApplied, 1, "slot 2 is a hole");
  const acceptorOnly = paxosNode({
    self: "n2",
    config: { proposers: ["n0"], learners: ["n0", "n1"] },
  });
  assert.equal(acceptorOnly.node.inspect().lastApplied, null);
});

Deno.test("paxos node: a value proposed from inside an apply hook is handled after the hook returns", () => {
  // a single node: it is its own acceptor and learner, every message is local
  const calls: string[] = [];
  const host: { propose?: (c: unknown) => unknown } = {};
  class Reentrant extends ListMachine {
    override apply(e: { index: number; command: unknown }): void {
      calls.push(`enter ${e.index}`);
      super.apply(e);
      if (e.command === "x") host.propose!("y");
      calls.push(`exit ${e.index}`);
    }
  }
  const { node, machine } = paxosNode({ nodes: ["n0"], machine: new Reentrant() });
  host.propose = (c) => node.propose(c);
  node.campaign();
  assert.equal(node.isLeader(), true);
  node.propose("x");
  assert.deepEqual(machine.applied.map((a) => a.command), ["x", "y"]);
  assert.deepEqual(calls, ["enter 1", "exit 1", "enter 2", "exit 2"]);
});

Deno.test("paxos without election: only a chosen value of the queue ends a run of preemptions", () => {
  // back-off after the k-th preemption in a row: uniform(0, backoffMs · 2^k), here at its top
  const { ctx, node } = paxosNode({ config: { election: "none", backoffMs: 20 } });
  ctx.rng.uniform = (_lo: number, hi: number) => hi;
  node.submit("a");
  node.onMessage("n1", { type: "Nack", ballot: node.ballot, promised: b(2, "n1") });
  assert.equal(ctx.timers.get(T_RETRY), 40, "first preemption: 20 · 2");
  node.onTimer(T_RETRY);
  node.onMessage("n1", { type: "Promise", ballot: node.ballot, accepted: [] });
  assert.equal(node.isLeader(), true);
  // "a" (queued) is in slot 1; "p" (proposed directly) is in slot 2 and gets chosen
  assert.deepEqual(node.propose("p"), { ok: true, index: 2 });
  node.onMessage("n1", { type: "Accepted", ballot: node.ballot, slot: 2 });
  assert.deepEqual(ctx.eventsOf("chosen").map((e) => e.slot), [2]);
  node.onMessage("n2", { type: "Nack", ballot: node.ballot, promised: b(9, "n2") });
  assert.equal(node.status, "follower");
  assert.equal(ctx.timers.get(T_RETRY), 80, "second preemption in a row: 20 · 4");
  // now "a" gets chosen: the run ends, the next preemption is a first one again
  node.onTimer(T_RETRY);
  node.onMessage("n1", { type: "Promise", ballot: node.ballot, accepted: [] });
  assert.equal(node.isLeader(), true);
  node.onMessage("n1", { type: "Accepted", ballot: node.ballot, slot: 1 });
  assert.deepEqual(ctx.eventsOf("chosen").map((e) => e.slot), [2, 1]);
  node.submit("q");
  node.onMessage("n2", { type: "Nack", ballot: node.ballot, promised: b(99, "n2") });
  assert.equal(ctx.timers.get(T_RETRY), 40);
});

// ---- held-out seed 105 ----------------------------------------------------------------------

Deno.test("paxos kv: election none is refused with the reason a key-value store needs a stable leader", () => {
  assert.throws(
    () => paxosKvFactory({ paxos: { election: "none" } }),
    (e: unknown) =>
      e instanceof ConfigError && e.issues.length === 1 &&
      e.issues[0].path === "paxos.election" && /needs a stable leader/.test(e.issues[0].message),
  );
});

Deno.test("paxos node: a CatchUp for slots the learner does not have is answered with nothing", () => {
  const { ctx, node } = paxosNode();
  node.onMessage("n1", { type: "CatchUp", fromSlot: 0 });
  assert.deepEqual(ctx.take("n1"), [], "no empty Decide");
  // once it has learned slot 0, the same request gets that decision
  node.onMessage("n2", { type: "Decide", decisions: [{ slot: 0, value: cmd("x") }] });
  node.onMessage("n1", { type: "CatchUp", fromSlot: 0 });
  assert.deepEqual(ctx.take("n1"), [{ type: "Decide", decisions: [{ slot: 0, value: cmd("x") }] }]);
});

Deno.test("paxos leader: a heartbeat resends an unchosen Accept only to acceptors that did not ack", () => {
  // five acceptors, quorum 3: one Accepted (from n1) does not choose the slot
  const { ctx, node } = paxosNode({ nodes: ["n0", "n1", "n2", "n3", "n4"] });
  node.campaign();
  node.onMessage("n1", { type: "Promise", ballot: node.ballot, accepted: [] });
  node.onMessage("n2", { type: "Promise", ballot: node.ballot, accepted: [] });
  assert.equal(node.isLeader(), true);
  assert.deepEqual(node.propose("x"), { ok: true, index: 1 });
  const accept = ctx.take("n3").find((m) => m.type === "Accept");
  assert.ok(accept && accept.type === "Accept");
  node.onMessage("n1", { type: "Accepted", ballot: node.ballot, slot: accept.slot });
  for (const n of ["n0", "n1", "n2", "n3", "n4"]) ctx.take(n);
  node.onTimer(T_HEARTBEAT);
  const resent = (n: string) =>
    ctx.take(n).filter((m) => m.type === "Accept" && m.slot === accept.slot).length;
  assert.equal(resent("n1"), 0, "n1 acknowledged: no resend");
  for (const n of ["n2", "n3", "n4"]) assert.equal(resent(n), 1, n);
});
