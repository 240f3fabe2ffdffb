/** Handler tests of Algorithm 1 with a FakeContext (no simulator). */
import assert from "node:assert/strict";
import { FakeContext } from "../../../lib/sim/fake_context.ts";
import { TendermintNode } from "../../../lib/protocols/tendermint/node.ts";
import {
  type Block,
  blockId,
  type Proposal,
  proposalSigned,
  type TendermintMessage,
  type Vote,
  voteSigned,
} from "../../../lib/protocols/tendermint/messages.ts";

const IDS = ["n0", "n1", "n2", "n3"];
const ctxOf = (id: string, storage?: FakeContext<TendermintMessage>["storage"]) =>
  new FakeContext<TendermintMessage>(id, IDS.filter((x) => x !== id), storage);

function proposal(h: number, r: number, block: Block, validRound = -1): Proposal {
  const proposer = IDS[(h + r) % 4];
  const base = { height: h, round: r, validRound, proposer };
  return {
    type: "Proposal",
    ...base,
    block,
    signature: ctxOf(proposer).sign(proposalSigned(base, blockId(block))),
  };
}
function vote(
  type: "Prevote" | "Precommit",
  v: string,
  h: number,
  r: number,
  id: string | null,
): Vote {
  const base = { type, height: h, round: r, id, validator: v };
  return { ...base, signature: ctxOf(v).sign(voteSigned(base)) };
}
const blk = (tag: string): Block => ({
  height: 1,
  round: 0,
  proposer: "n1",
  txs: [],
  parent: "genesis",
  nonce: tag,
});

Deno.test("tendermint line 14/21: proposer(1, 0) = n1 proposes; others arm timeoutPropose", () => {
  const c1 = ctxOf("n1");
  new TendermintNode(c1, {}).start();
  assert.equal(c1.take().filter((m) => m.type === "Proposal").length, 3);
  const c2 = ctxOf("n2");
  new TendermintNode(c2, {}).start();
  assert.equal(c2.timers.get("propose:1:0"), 100);
});

Deno.test("tendermint lines 22–27, 36–43: prevote id(v) when unlocked; a polka locks and precommits", () => {
  const c = ctxOf("n2");
  const node = new TendermintNode(c, {});
  node.start();
  const A = blk("A");
  node.onMessage("n1", proposal(1, 0, A));
  const pv = c.take().filter((m) => m.type === "Prevote") as Vote[];
  assert.equal(pv[0].id, blockId(A));
  for (const v of ["n0", "n1"]) node.onMessage(v, vote("Prevote", v, 1, 0, blockId(A)));
  assert.equal(node.inspect().lockedRound, 0);
  assert.equal(node.inspect().step, "precommit");
  assert.ok(c.take().some((m) => m.type === "Precommit" && (m as Vote).id === blockId(A)));
});

Deno.test("tendermint line 23: a locked replica prevotes nil for another value with vr = −1 (unless mistakePrevoteIgnoresLock); a restart keeps the lock", () => {
  for (const mistake of [false, true]) {
    const c = ctxOf("n3");
    const node = new TendermintNode(c, { mistakePrevoteIgnoresLock: mistake });
    node.start();
    const A = blk("A"), B = { ...blk("B"), round: 1 };
    node.onMessage("n1", proposal(1, 0, A));
    for (const v of ["n0", "n1"]) node.onMessage(v, vote("Prevote", v, 1, 0, blockId(A)));
    // move to round 1 (f + 1 = 2 validators there, line 55)
    for (const v of ["n0", "n2"]) node.onMessage(v, vote("Prevote", v, 1, 1, null));
    assert.equal(node.inspect().round, 1);
    // a restart from the same storage keeps the lock (durable state)
    const c2 = ctxOf("n3", c.storage);
    const again = new TendermintNode(c2, { mistakePrevoteIgnoresLock: mistake });
    again.start();
    assert.equal(again.inspect().lockedRound, 0);
    again.onMessage("n2", proposal(1, 1, B));
    const pv = c2.take().filter((m) =>
      m.type === "Prevote" && m.round === 1 && m.validator === "n3"
    ) as Vote[];
    assert.equal(pv.at(-1)!.id, mistake ? blockId(B) : null);
  }
});

Deno.test("tendermint: a vote signed by someone else than its validator is rejected", () => {
  const c = ctxOf("n2");
  const node = new TendermintNode(c, {});
  node.start();
  const forged = { ...vote("Prevote", "n0", 1, 3, null), validator: "n3" };
  node.onMessage("n0", forged);
  node.onMessage("n0", vote("Prevote", "n0", 1, 3, null));
  assert.equal(node.inspect().round, 0, "one real validator in round 3 is not f + 1");
});
