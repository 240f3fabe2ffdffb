/**
 * Tests written to kill the mutants `deno task mutate lib/protocols/paxos` left alive: the
 * invariant checker throws (and names the slot) at a breach, the message guard refuses
 * non-objects, a proposer drops a queued command once it learns that command was chosen, and
 * campaign / retry / isLeader act only in the right role.
 */
import assert from "node:assert/strict";
import { createCluster } from "../../../lib/net/cluster.ts";
import { PaxosInvariantError, PaxosInvariants } from "../../../lib/protocols/paxos/invariants.ts";
import { isPaxosMessage } from "../../../lib/protocols/paxos/messages.ts";
import { paxosFactory } from "../../../lib/protocols/paxos/node.ts";
import { ConfigError } from "../../../lib/sim/errors.ts";
import { T_RETRY } from "../../../lib/protocols/paxos/proposer.ts";
import type { NodeContext } from "../../../lib/sim/types.ts";
import { b, cmd, paxosNode } from "./_fake_context.ts";

/** Three fake acceptors: n0 and n1 accept different values at the same ballot in slot 1. */
function conflictingAccepts(throwOnBreach: boolean) {
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
