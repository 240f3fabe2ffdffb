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
