/**
 * GRANDPA's vote arithmetic (Stewart and Kokoris-Kogia 2020, §2.3, §3.2) and handler tests of one
 * voter over a FakeContext.
 */
import assert from "node:assert/strict";
import { BlockStore } from "../../../lib/chain/store.ts";
import { FakeContext } from "../../../lib/sim/fake_context.ts";
import {
  completable,
  estimate,
  ghost,
  type GhostParams,
  impossibleForAnyChild,
  possible,
  VoteSet,
} from "../../../lib/protocols/grandpa/ghost.ts";
import { GrandpaNode } from "../../../lib/protocols/grandpa/node.ts";
import { type GrandpaMessage, voteSigned } from "../../../lib/protocols/grandpa/messages.ts";

const P: GhostParams = { n: 4, f: 1, threshold: 3 };

/** genesis ← a ← b ← c, and a ← x (a fork at height 2). */
function tree() {
  const s = new BlockStore();
  const add = (parent: number) => s.add({ parent, producer: "p", sizeBytes: 1, timeMs: 0 });
  const a = add(0), b = add(a), c = add(b), x = add(a);
  return { s, a, b, c, x };
}

Deno.test("grandpa §2.3: a vote counts for its block's ancestors; g(S) is the highest block with a supermajority", () => {
  const { s, a, b, c, x } = tree();
  const v = new VoteSet();
  v.add("n0", c);
  v.add("n1", b);
  v.add("n2", x);
  assert.equal(ghost(v, s, P), a); // a has 3 (c, b, x all ≥ a); b only 2
  v.add("n3", c);
  assert.equal(ghost(v, s, P), b); // b has n0, n1, n3
  const few = new VoteSet();
  few.add("n0", c);
  few.add("n1", c);
  assert.equal(ghost(few, s, P), null, "fewer than a supermajority of voters: nil");
});

Deno.test("grandpa §2.3: an equivocator counts for every block (monotone supermajority)", () => {
  const { s, b, c, x } = tree();
  const v = new VoteSet();
  v.add("n0", c);
  v.add("n1", c);
  v.add("n2", x);
  v.add("n2", c); // equivocation
  assert.equal(v.equivocators, 1);
  assert.equal(ghost(v, s, P), c);
  assert.ok(possible(v, s, b, P));
});

Deno.test("grandpa §2.3/§3.2: possibility, the estimate E_r and completability", () => {
  const { s, a, b, c, x } = tree();
  const pv = new VoteSet();
  for (const id of ["n0", "n1", "n2", "n3"]) pv.add(id, c);
  const pc = new VoteSet();
  // three precommits for the fork x: c's chain above a can no longer reach 3 of 4
  pc.add("n0", x);
  pc.add("n1", x);
  pc.add("n2", x);
  assert.equal(ghost(pv, s, P), c);
  assert.ok(
    !possible(pc, s, b, P),
    "3 voters ≱ b: at most 1 missing + f = 1 more equivocation = 2 for b",
  );
  assert.ok(possible(pc, s, a, P));
  const two = new VoteSet();
  two.add("n0", x);
  two.add("n1", x);
  assert.ok(possible(two, s, b, P), "with 2 against, one of them may still equivocate (§2.3)");
  assert.equal(estimate(pv, pc, s, P), a); // the last block on chain(c) still possible
  assert.ok(completable(pv, pc, s, P), "E_r < g(V_r)");
  // all precommits for g(V): no child of it appears, so completable once 3 have precommitted
  const pc2 = new VoteSet();
  pc2.add("n0", c);
  pc2.add("n1", c);
  assert.ok(!completable(pv, pc2, s, P));
  pc2.add("n2", c);
  assert.ok(impossibleForAnyChild(pc2, s, c, P));
  assert.ok(completable(pv, pc2, s, P));
});

function voter() {
  const store = new BlockStore();
  const ctx = new FakeContext<GrandpaMessage>("n0", ["n1", "n2", "n3"]);
  const node = new GrandpaNode(ctx, store, { gossipDelayMs: 10, slotMs: 1e6, rebroadcastMs: 1e6 });
  node.start();
  return { store, ctx, node };
}

Deno.test("grandpa §3.2 step 3: a voter prevotes only at t_r + 2T (or once the round is completable)", () => {
  const { ctx, node } = voter();
  assert.equal(ctx.timers.get("prevote:1"), 20);
  assert.equal(ctx.timers.get("precommit:1"), 40);
  assert.equal(ctx.take().filter((m) => m.type === "Prevote").length, 0);
  node.onTimer("prevote:1");
  const prevotes = ctx.take().filter((m) => m.type === "Prevote");
  assert.equal(prevotes.length, 3); // to each peer
  assert.deepEqual(prevotes[0], { ...prevotes[0], round: 1, block: 0, voter: "n0" });
});

Deno.test("grandpa §3.2 step 4 / Finalisation: precommit g(V_r), finalise g(C_r) with its chain", () => {
  const { store, ctx, node } = voter();
  const a = store.add({ parent: 0, producer: "n1", sizeBytes: 1, timeMs: 0 });
  node.onMessage("n1", { type: "Blocks", ids: [a], fresh: true });
  node.onTimer("prevote:1");
  const vote = (type: "Prevote" | "Precommit", voter: string) => {
    const base = { type, round: 1, block: a, voter };
    return { ...base, signature: ctx.sign(voteSigned(base)) };
  };
  // FakeContext.sign signs as n0: fix the signer field so verify sees the claimed voter
  const signed = (type: "Prevote" | "Precommit", voter: string) => {
    const v = vote(type, voter);
    return { ...v, signature: { ...v.signature, signer: voter } };
  };
  ctx.take();
  node.onMessage("n1", signed("Prevote", "n1"));
  node.onMessage("n2", signed("Prevote", "n2"));
  const pcs = ctx.take().filter((m) => m.type === "Precommit");
  assert.equal(pcs.length, 3, "precommit by condition (iii): nothing voted above g(V)");
  assert.equal((pcs[0] as { block: number }).block, a);
  node.onMessage("n1", signed("Precommit", "n1"));
  node.onMessage("n2", signed("Precommit", "n2"));
  assert.equal(node.view.finalized, a);
  assert.deepEqual(
    ctx.events.filter((e) => e.type === "bft-decide").map((e) => [e.slot, e.digest]),
    [[1, String(a)]],
  );
  assert.equal(node.round, 2, "round 1 completable: round 2 starts");
});

Deno.test("grandpa: a vote whose signer is not its voter is rejected (impersonation)", () => {
  const { ctx, node } = voter();
  node.onTimer("prevote:1");
  ctx.take();
  const base = { type: "Prevote" as const, round: 1, block: 0, voter: "n2" };
  const forged = { ...base, signature: { signer: "n3", digest: "x" } };
  node.onMessage("n3", forged);
  node.onMessage("n3", { ...base, voter: "n1", signature: { signer: "n3", digest: "x" } });
  // two forged votes + own = 1 real voter: no supermajority, no precommit
  assert.equal(ctx.take().filter((m) => m.type === "Precommit").length, 0);
});
