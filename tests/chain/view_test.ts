/** ChainView and the fork-choice plug-ins: one handler-style test per method and rule. */
import assert from "node:assert/strict";
import {
  BlockStore,
  ChainView,
  ConfigErrorForTest,
  forkChoiceNames,
  parseForkChoiceName,
} from "./_imports.ts";
import { treeStore } from "./_helpers.ts";

Deno.test("view: starts at genesis, knows only genesis", () => {
  for (const fc of forkChoiceNames) {
    const v = new ChainView(treeStore([0]), fc);
    assert.equal(v.tip, 0);
    assert.ok(v.has(0));
    assert.ok(!v.has(1));
    assert.equal(v.finalized, 0);
    assert.deepEqual(v.reorgs, []);
    assert.equal(v.confirmations(0), 1);
    assert.equal(v.forkChoice.name, fc);
  }
});

Deno.test("view: an unknown fork-choice name is a ConfigError naming the field", () => {
  assert.throws(
    () => new ChainView(new BlockStore(), "longset" as never),
    (e: unknown) =>
      e instanceof ConfigErrorForTest && /forkChoice: /.test(e.message) &&
      e.issues[0].path === "forkChoice",
  );
  assert.throws(
    () => parseForkChoiceName("GHOST", "nakamoto.forkChoice"),
    (e: unknown) => e instanceof ConfigErrorForTest && e.issues[0].path === "nakamoto.forkChoice",
  );
  assert.equal(parseForkChoiceName("ghost"), "ghost");
});

Deno.test("view: receive extends the tip; a duplicate changes nothing", () => {
  const s = treeStore([0, 1]);
  const v = new ChainView(s, "longest");
  assert.deepEqual(v.receive(1), { tipChanged: true });
  assert.deepEqual(v.receive(1), { tipChanged: false });
  assert.deepEqual(v.receive(2), { tipChanged: true });
  assert.equal(v.tip, 2);
  assert.equal(v.knownCount, 3);
});

Deno.test("view: a block with an unknown parent waits in the orphan pool until the parent comes", () => {
  const s = treeStore([0, 1, 2, 1]);
  const v = new ChainView(s, "longest");
  assert.deepEqual(v.receive(3), { tipChanged: false });
  assert.deepEqual(v.receive(4), { tipChanged: false });
  assert.deepEqual(v.receive(3), { tipChanged: false });
  assert.ok(!v.has(3));
  assert.ok(v.isOrphan(3));
  assert.equal(v.orphanCount, 2);
  assert.deepEqual(v.receive(2), { tipChanged: false });
  assert.equal(v.orphanCount, 3);
  assert.deepEqual(v.receive(1), { tipChanged: true });
  assert.deepEqual([v.has(1), v.has(2), v.has(3), v.has(4)], [true, true, true, true]);
  assert.equal(v.orphanCount, 0);
  assert.equal(v.tip, 3);
});

Deno.test("view: receiving an unknown id throws", () => {
  const v = new ChainView(new BlockStore(), "longest");
  assert.throws(() => v.receive(5), /unknown block 5/);
});

Deno.test("view: a reorg reports old tip, new tip, common ancestor and depth", () => {
  //   0 - 1 - 2 - 3
  //    \- 4 - 5 - 6 - 7
  const s = treeStore([0, 1, 2, 0, 4, 5, 6]);
  const v = new ChainView(s, "longest");
  for (const id of [1, 2, 3, 4, 5, 6]) assert.equal(v.receive(id).reorg, undefined);
  assert.equal(v.tip, 3); // 6 ties at height 3: first received stays
  const r = v.receive(7);
  assert.deepEqual(r, { tipChanged: true, reorg: { from: 3, to: 7, ancestor: 0, depth: 3 } });
  assert.deepEqual(v.reorgs, [r.reorg]);
});

Deno.test("view: confirmations and onMainChain", () => {
  const s = treeStore([0, 1, 2, 1]);
  const v = new ChainView(s, "longest");
  for (const id of [1, 2, 3, 4]) v.receive(id);
  assert.equal(v.tip, 3);
  assert.deepEqual([1, 2, 3].map((id) => v.confirmations(id)), [3, 2, 1]);
  assert.equal(v.confirmations(4), 0);
  assert.ok(v.onMainChain(2));
  assert.ok(!v.onMainChain(4));
  assert.deepEqual(v.mainChain(), [0, 1, 2, 3]);
});

Deno.test("longest vs heaviest: more work beats more blocks only under heaviest", () => {
  //   0 - 1 - 2 - 3   (work 1 each)
  //    \- 4           (work 5)
  const s = treeStore([0, 1, 2, 0], [1, 1, 1, 5]);
  const longest = new ChainView(s, "longest");
  const heaviest = new ChainView(s, "heaviest");
  for (const id of [1, 2, 3, 4]) {
    longest.receive(id);
    heaviest.receive(id);
  }
  assert.equal(longest.tip, 3);
  assert.equal(heaviest.tip, 4);
  assert.deepEqual(heaviest.reorgs, [{ from: 3, to: 4, ancestor: 0, depth: 3 }]);
});

Deno.test("ghost: the heaviest subtree wins over the longest chain (Sompolinsky and Zohar, FC 2015)", () => {
  //   0 - 1 - 2 - 3 - 4           (a chain of 4)
  //    \- 5 - 6, 5 - 7, 5 - 8, 5 - 9  (a bushy subtree of 5 blocks, height 2)
  const s = treeStore([0, 1, 2, 3, 0, 5, 5, 5, 5]);
  const ghost = new ChainView(s, "ghost");
  const longest = new ChainView(s, "longest");
  for (let id = 1; id <= 9; id++) {
    ghost.receive(id);
    longest.receive(id);
  }
  assert.equal(longest.tip, 4);
  assert.equal(ghost.tip, 6); // subtree(5) weighs 5 > 4; among 6..9 (1 each) the first received
  assert.equal(ghost.reorgs.at(-1)!.depth, 4);
});

Deno.test("ghost: ties go to the child received first, whatever the ids", () => {
  const s = treeStore([0, 0]);
  const v = new ChainView(s, "ghost");
  v.receive(2);
  v.receive(1);
  assert.equal(v.tip, 2);
  const w = new ChainView(s, "heaviest");
  w.receive(2);
  w.receive(1);
  assert.equal(w.tip, 2);
});

Deno.test("finalize: the tip moves onto the finalized block's chain and never leaves it", () => {
  //   0 - 1 - 2 - 3
  //    \- 4
  const s = treeStore([0, 1, 2, 0]);
  for (const fc of forkChoiceNames) {
    const v = new ChainView(s, fc);
    for (const id of [1, 2, 3, 4]) v.receive(id);
    assert.equal(v.tip, 3);
    const r = v.finalize(4);
    assert.equal(v.finalized, 4);
    assert.equal(v.tip, 4, fc);
    assert.deepEqual(r.reorg, { from: 3, to: 4, ancestor: 0, depth: 3 });
    assert.deepEqual(v.reorgs, [r.reorg]);
    assert.equal(v.confirmations(4), 1);
    // a longer chain elsewhere no longer moves the tip
    const t = s.add({ parent: 3, producer: "x", sizeBytes: 1, timeMs: 0, work: 10 });
    assert.deepEqual(v.receive(t), { tipChanged: false });
    assert.equal(v.tip, 4, fc);
    const u = s.add({ parent: 4, producer: "x", sizeBytes: 1, timeMs: 0 });
    assert.deepEqual(v.receive(u), { tipChanged: true });
    assert.equal(v.tip, u);
  }
});

Deno.test("finalize: ancestors are no-ops; unknown and conflicting blocks throw", () => {
  const s = treeStore([0, 1, 0, 3]);
  const v = new ChainView(s, "longest");
  for (const id of [1, 2, 3]) v.receive(id);
  assert.throws(() => v.finalize(4), /block 4 is not in this view/);
  v.finalize(2);
  assert.deepEqual(v.finalize(1), { tipChanged: false });
  assert.equal(v.finalized, 2);
  assert.throws(() => v.finalize(3), /block 3 conflicts with the finalized block 2/);
  assert.throws(() => v.finalize(99), /unknown block 99/);
});
