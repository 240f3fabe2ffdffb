/**
 * Handler tests of HotStuff (Yin et al., PODC 2019) with a FakeContext (no simulator): Algorithm 2
 * (basic: prepare, pre-commit, commit, decide; safeNode), Algorithm 3 (chained: update(b*), the
 * Two-Chain lock and the Three-Chain commit of consecutive views), the pacemaker (§4.4) and the
 * signature checks.
 */
import assert from "node:assert/strict";
import { FakeContext } from "../../../lib/sim/fake_context.ts";
import { HotStuffNode } from "../../../lib/protocols/hotstuff/node.ts";
import { HotStuffTree } from "../../../lib/protocols/hotstuff/tree.ts";
import type { HotStuffConfigInput } from "../../../lib/protocols/hotstuff/config.ts";
import {
  authenticators,
  GENESIS,
  GENESIS_QC,
  type HotStuffMessage,
  type HsBlock,
  type NewView,
  newViewSigned,
  nodeDigest,
  type Proposal,
  proposalSigned,
  type QC,
  type Vote,
  type VotePhase,
  voteSigned,
} from "../../../lib/protocols/hotstuff/messages.ts";

const IDS = ["n0", "n1", "n2", "n3"];
type Ctx = FakeContext<HotStuffMessage>;
const ctxOf = (id: string, storage?: Ctx["storage"]) =>
  new FakeContext<HotStuffMessage>(id, IDS.filter((x) => x !== id), storage);
const leader = (v: number) => IDS[v % 4];

function replica(id: string, config: HotStuffConfigInput = {}, storage?: Ctx["storage"]) {
  const ctx = ctxOf(id, storage);
  const node = new HotStuffNode(ctx, config, undefined, new HotStuffTree());
  node.start();
  ctx.take();
  return { ctx, node };
}

function block(parent: QC, view: number, tag = ""): HsBlock {
  return {
    parent: parent.node,
    height: parent.height + 1,
    view,
    proposer: leader(view),
    cmds: [],
    justify: parent,
    ...(tag ? { nonce: tag } : {}),
  };
}

function proposal(type: "prepare" | "generic", b: HsBlock): Proposal {
  const base = { type, viewNumber: b.view, leader: b.proposer };
  return {
    ...base,
    node: b,
    signature: ctxOf(b.proposer).sign(proposalSigned(base, nodeDigest(b), b.height)),
  };
}

function vote(phase: VotePhase, view: number, b: HsBlock, replica: string): Vote {
  const base = { phase, viewNumber: view, node: nodeDigest(b), height: b.height, replica };
  return { type: "vote", ...base, partialSig: ctxOf(replica).sign(voteSigned(base)) };
}

function qc(phase: VotePhase, view: number, b: HsBlock, signers = ["n0", "n1", "n2"]): QC {
  return {
    phase,
    viewNumber: view,
    node: nodeDigest(b),
    height: b.height,
    sigs: signers.map((r) => vote(phase, view, b, r).partialSig),
  };
}

function newView(replica: string, view: number, justify: QC): NewView {
  const base = { viewNumber: view, replica, justify };
  return { type: "new-view", ...base, signature: ctxOf(replica).sign(newViewSigned(base)) };
}

const votes = (ctx: Ctx) => ctx.sent.filter((s) => s.msg.type === "vote");

Deno.test("hotstuff Algorithm 2 (Finally): every replica starts by sending NEW-VIEW with the genesis QC to leader(1), and arms the view timer", () => {
  const ctx = ctxOf("n2");
  new HotStuffNode(ctx, { variant: "basic" }).start();
  assert.equal(ctx.sent.length, 1);
  assert.equal(ctx.sent[0].to, "n1");
  const sent = ctx.take();
  assert.equal(sent[0].type, "new-view");
  assert.equal((sent[0] as NewView).justify.node, GENESIS);
  assert.equal(ctx.timers.get("view:1"), 300);
});

Deno.test("hotstuff Algorithm 2 (prepare, leader): on n − f NEW-VIEWs the leader proposes createLeaf(highQC.node) with justify = highQC", () => {
  const { ctx } = replica("n1", { variant: "basic" });
  const node = new HotStuffNode(ctx, { variant: "basic" }, undefined, new HotStuffTree());
  node.start(); // its own NEW-VIEW is delivered locally
  ctx.take();
  node.onMessage("n2", newView("n2", 0, GENESIS_QC));
  assert.equal(ctx.sent.length, 0, "2 of 3 NEW-VIEWs: wait");
  node.onMessage("n3", newView("n3", 0, GENESIS_QC));
  const props = ctx.sent.filter((s) => s.msg.type === "prepare");
  assert.equal(props.length, 3, "broadcast to the 3 others");
  const p = props[0].msg as Proposal;
  assert.equal(p.node.parent, GENESIS);
  assert.equal(p.node.justify.node, GENESIS);
  assert.equal(p.viewNumber, 1);
});

Deno.test("hotstuff Algorithm 2 (prepare, replica): vote for a safe proposal once per view; reject an unsigned or impersonated one", () => {
  const { ctx, node } = replica("n2", { variant: "basic" });
  const b = block(GENESIS_QC, 1);
  node.onMessage("n1", proposal("prepare", b));
  assert.deepEqual(votes(ctx).map((s) => [s.to, (s.msg as Vote).phase]), [["n1", "prepare"]]);
  ctx.take();
  // a second proposal of view 1 (an equivocating leader) gets no second vote
  node.onMessage("n1", proposal("prepare", block(GENESIS_QC, 1, "twin")));
  assert.equal(votes(ctx).length, 0);
  // a proposal for view 2 signed by n1 while leader(2) = n2's peer n2 ... is not from leader(2)
  const fake = { ...proposal("prepare", block(GENESIS_QC, 2)), leader: "n1" };
  node.onMessage("n1", fake);
  assert.equal(votes(ctx).length, 0);
});

Deno.test("hotstuff Algorithm 1 safeNode: a node not extending lockedQC.node with an older justify is refused; the liveness rule (higher justify) accepts it", () => {
  const { ctx, node } = replica("n3", { variant: "basic" });
  const b1 = block(GENESIS_QC, 1);
  node.onMessage("n1", proposal("prepare", b1));
  node.onMessage("n1", {
    type: "pre-commit",
    viewNumber: 1,
    justify: qc("prepare", 1, b1),
    leader: "n1",
  });
  node.onMessage("n1", {
    type: "commit",
    viewNumber: 1,
    justify: qc("pre-commit", 1, b1),
    leader: "n1",
  });
  assert.equal(node.qcs().lockedQC.viewNumber, 1, "lockedQC ← precommitQC");
  ctx.take();
  // view 2: a fork on genesis with the genesis QC (view 0 ≤ lock's view 1): unsafe
  node.onMessage("n2", proposal("prepare", block(GENESIS_QC, 2, "fork")));
  assert.equal(votes(ctx).length, 0);
  // view 5: a node extending b1: safe by the safety rule
  const b5 = block(qc("prepare", 1, b1), 5);
  node.onMessage("n1", proposal("prepare", b5));
  assert.equal(votes(ctx).length, 1);
  // mistakeIgnoreLock votes for the fork
  const m = replica("n3", { variant: "basic", mistakeIgnoreLock: true });
  m.node.onMessage("n1", proposal("prepare", b1));
  m.node.onMessage("n1", {
    type: "commit",
    viewNumber: 1,
    justify: qc("pre-commit", 1, b1),
    leader: "n1",
  });
  m.ctx.take();
  m.node.onMessage("n2", proposal("prepare", block(GENESIS_QC, 2, "fork")));
  assert.equal(votes(m.ctx).length, 1);
});

Deno.test("hotstuff Algorithm 2 (pre-commit, commit, decide): QCs set prepareQC and lockedQC, the commit QC executes the node and starts the next view", () => {
  const { ctx, node } = replica("n2", { variant: "basic" });
  const b1 = block(GENESIS_QC, 1);
  node.onMessage("n1", proposal("prepare", b1));
  node.onMessage("n1", {
    type: "pre-commit",
    viewNumber: 1,
    justify: qc("prepare", 1, b1),
    leader: "n1",
  });
  assert.equal(node.qcs().highQC.phase, "prepare");
  node.onMessage("n1", {
    type: "commit",
    viewNumber: 1,
    justify: qc("pre-commit", 1, b1),
    leader: "n1",
  });
  assert.equal(node.qcs().lockedQC.phase, "pre-commit");
  assert.deepEqual(votes(ctx).map((s) => (s.msg as Vote).phase), [
    "prepare",
    "pre-commit",
    "commit",
  ]);
  ctx.take();
  node.onMessage("n1", {
    type: "decide",
    viewNumber: 1,
    justify: qc("commit", 1, b1),
    leader: "n1",
  });
  const decide = ctx.events.find((e) => e.type === "bft-decide")!;
  assert.equal(decide.slot, 1);
  assert.equal(decide.digest, nodeDigest(b1));
  assert.equal(ctx.sent.length, 0, "NEW-VIEW to leader(2) = n2 itself is local");
  assert.equal(node.inspect().view, 2);
});

Deno.test("hotstuff: a QC with fewer than n − f distinct valid signatures is rejected (duplicates, wrong phase)", () => {
  const { ctx, node } = replica("n2", { variant: "basic" });
  const b1 = block(GENESIS_QC, 1);
  node.onMessage("n1", proposal("prepare", b1));
  ctx.take();
  const dup = qc("prepare", 1, b1, ["n0", "n0", "n1"]);
  node.onMessage("n1", { type: "pre-commit", viewNumber: 1, justify: dup, leader: "n1" });
  assert.equal(votes(ctx).length, 0);
  const wrongPhase = qc("commit", 1, b1);
  node.onMessage("n1", { type: "pre-commit", viewNumber: 1, justify: wrongPhase, leader: "n1" });
  assert.equal(votes(ctx).length, 0);
  // a vote naming n3 but signed by n0 does not count at the leader (impersonation)
  const l = replica("n1", { variant: "basic" });
  const forged = { ...vote("prepare", 1, b1, "n0"), replica: "n3" };
  l.node.onMessage("n0", forged);
  assert.equal(l.ctx.sent.length, 0);
});

Deno.test("hotstuff Algorithm 3 (chained): update(b*) locks on the Two-Chain and commits the Three-Chain of consecutive views only", () => {
  const chain = (views: number[]) => {
    const out: HsBlock[] = [];
    let q = GENESIS_QC;
    for (const v of views) {
      const b = block(q, v);
      out.push(b);
      q = qc("generic", v, b);
    }
    return out;
  };
  const run = (views: number[], config: HotStuffConfigInput = {}) => {
    const { ctx, node } = replica("n0", { variant: "chained", ...config });
    for (const b of chain(views)) node.onMessage(b.proposer, proposal("generic", b));
    return { ctx, node };
  };
  // b(1) ← b'(2) ← b''(3) ← b*(4): b* carries QC(b''): lock on b', commit b
  const a = run([1, 2, 3, 4]);
  assert.equal(a.node.qcs().lockedQC.viewNumber, 2);
  assert.deepEqual(a.ctx.events.filter((e) => e.type === "bft-decide").map((e) => e.slot), [1]);
  // views 1, 2, 4, 5: the chain 1 ← 2 ← 4 is not consecutive: nothing commits
  const b = run([1, 2, 4, 5]);
  assert.equal(b.ctx.events.filter((e) => e.type === "bft-decide").length, 0);
  // with mistakeCommitOnTwoChain, b*(3) carrying QC(b''(2)) already commits b'(1)
  const c = run([1, 2, 3], { mistakeCommitOnTwoChain: true });
  assert.deepEqual(c.ctx.events.filter((e) => e.type === "bft-decide").map((e) => e.slot), [1]);
  const d = run([1, 2, 3]);
  assert.equal(d.ctx.events.filter((e) => e.type === "bft-decide").length, 0);
  // votes go to the next leader (Algorithm 3: leader(curView + 1))
  assert.equal((a.ctx.sent.find((s) => s.msg.type === "vote")!).to, "n2");
});

Deno.test("hotstuff pacemaker (§4.4): a view timeout sends NEW-VIEW with the highest QC to the next leader; the timeout doubles", () => {
  const { ctx, node } = replica("n0", {
    variant: "basic",
    viewTimeoutMs: 100,
    syncAfterFailures: 3,
  });
  node.onTimer("view:1");
  assert.equal(ctx.sent.length, 1);
  assert.equal(ctx.sent[0].to, "n2");
  assert.equal(ctx.sent[0].msg.type, "new-view");
  assert.equal(ctx.timers.get("view:2"), 200);
  node.onTimer("view:2");
  assert.equal(ctx.timers.get("view:3"), 400);
  node.onTimer("view:3"); // three failures: broadcast and wait for n − f (view synchronization)
  assert.equal(ctx.sent.filter((s) => s.msg.type === "new-view").length, 1 + 1 + 3);
  assert.equal(node.inspect().view, 3);
  node.onMessage("n1", newView("n1", 3, GENESIS_QC));
  node.onMessage("n2", newView("n2", 3, GENESIS_QC));
  assert.equal(node.inspect().view, 4, "n − f replicas left view 3");
});

Deno.test("hotstuff: a restarted replica keeps its lock and never votes twice in a view (durable state)", () => {
  const { ctx, node } = replica("n2", { variant: "basic" });
  const b1 = block(GENESIS_QC, 1);
  node.onMessage("n1", proposal("prepare", b1));
  node.onMessage("n1", {
    type: "commit",
    viewNumber: 1,
    justify: qc("pre-commit", 1, b1),
    leader: "n1",
  });
  const again = new HotStuffNode(
    ctxOf("n2", ctx.storage),
    { variant: "basic" },
    undefined,
    new HotStuffTree(),
  );
  const c2 = ctxOf("n2", ctx.storage);
  const r = new HotStuffNode(c2, { variant: "basic" }, undefined, new HotStuffTree());
  r.start();
  assert.equal(r.qcs().lockedQC.viewNumber, 1);
  c2.take();
  r.onMessage("n1", proposal("prepare", block(GENESIS_QC, 1, "other")));
  assert.equal(votes(c2).length, 0, "already voted prepare in view 1");
  assert.ok(again);
});

Deno.test("hotstuff §4.4 authenticators: a vote counts 1, a QC n − f (or 1 aggregated)", () => {
  const b1 = block(GENESIS_QC, 1);
  assert.equal(authenticators(vote("prepare", 1, b1, "n0")), 1);
  const q = qc("prepare", 1, b1);
  assert.equal(authenticators({ type: "pre-commit", viewNumber: 1, justify: q, leader: "n1" }), 3);
  assert.equal(
    authenticators({
      type: "pre-commit",
      viewNumber: 1,
      justify: { ...q, aggregate: true },
      leader: "n1",
    }),
    1,
  );
  assert.equal(authenticators(proposal("prepare", block(q, 2))), 3);
});
