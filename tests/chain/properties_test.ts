/**
 * Properties over random trees and random arrival orders (fast-check): the store's ancestor
 * queries agree with a naive parent walk, each rule's tip matches a naive reference after every
 * arrival, reorg depth is old tip height − ancestor height, and a finalized block stays on the
 * main chain.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { type BlockId, ChainView, forkChoiceNames } from "@lab/chain/mod.ts";
import {
  naiveCommonAncestor,
  naiveIsAncestor,
  naiveParents,
  NaiveView,
  treeStore,
} from "./_helpers.ts";

/** Random trees: each new block extends one of the last three blocks (deep trees) or any block. */
const tree = fc.integer({ min: 1, max: 40 }).chain((n) =>
  fc.tuple(
    fc.array(fc.tuple(fc.nat(), fc.boolean()), { minLength: n, maxLength: n }).map((xs) =>
      xs.map(([r, near], i) => (near ? Math.max(0, i - (r % 3)) : r % (i + 1)))
    ),
    fc.array(fc.integer({ min: 1, max: 3 }), { minLength: n, maxLength: n }),
    fc.array(fc.nat(), { minLength: n, maxLength: n }),
  ).map(([parents, works, keys]) => {
    // arrival order: blocks 1..n sorted by random keys (orphans included)
    const arrival = parents.map((_, i) => i + 1).sort((a, b) => keys[a - 1] - keys[b - 1] || a - b);
    return { parents, works, arrival };
  })
);

const RUNS = 150;

Deno.test("property: commonAncestor, isAncestor and ancestorAt agree with a naive parent walk", () => {
  fc.assert(
    fc.property(tree, ({ parents }) => {
      const s = treeStore(parents);
      const par = naiveParents(parents);
      for (let a = 0; a < s.size; a++) {
        for (let b = 0; b < s.size; b++) {
          assert.equal(s.commonAncestor(a, b), naiveCommonAncestor(par, a, b));
          assert.equal(s.isAncestor(a, b), naiveIsAncestor(par, a, b));
        }
        const path = s.chain(a);
        for (let h = 0; h < path.length; h++) assert.equal(s.ancestorAt(a, h), path[h]);
      }
    }),
    { numRuns: RUNS },
  );
});

Deno.test("property: each rule's tip matches its naive reference after every arrival", () => {
  fc.assert(
    fc.property(tree, ({ parents, works, arrival }) => {
      const s = treeStore(parents, works);
      const par = naiveParents(parents);
      const views = forkChoiceNames.map((name) => new ChainView(s, name));
      const naive = new NaiveView(par, [0, ...works]);
      for (const id of arrival) {
        naive.receive(id);
        for (const v of views) v.receive(id);
        const [longest, heaviest, ghost] = views;
        assert.equal(longest.tip, naive.longest(), "longest");
        assert.equal(heaviest.tip, naive.heaviest(), "heaviest");
        assert.equal(ghost.tip, naive.ghost(), "ghost");
        for (const v of views) assert.equal(v.knownCount, naive.order.size);
      }
    }),
    { numRuns: RUNS },
  );
});

Deno.test("property: every tip move is an extension or a reorg of depth old height − ancestor height", () => {
  fc.assert(
    fc.property(tree, ({ parents, works, arrival }) => {
      const s = treeStore(parents, works);
      const par = naiveParents(parents);
      for (const name of forkChoiceNames) {
        const v = new ChainView(s, name);
        let seen = 0;
        for (const id of arrival) {
          const before = v.tip;
          const r = v.receive(id);
          assert.equal(r.tipChanged, v.tip !== before);
          if (!r.tipChanged) continue;
          const anc = naiveCommonAncestor(par, before, v.tip);
          if (anc === before) {
            assert.equal(r.reorg, undefined);
            continue;
          }
          assert.deepEqual(r.reorg, {
            from: before,
            to: v.tip,
            ancestor: anc,
            depth: s.height(before) - s.height(anc),
          });
          assert.ok(r.reorg!.depth >= 1);
          assert.equal(v.onMainChain(before), false);
          assert.equal(v.confirmations(before), 0);
          seen++;
        }
        assert.equal(v.reorgs.length, seen);
      }
    }),
    { numRuns: RUNS },
  );
});

Deno.test("property: a finalized block stays on the main chain, and the tip is the rule's best above it", () => {
  const withFinality = tree.chain((t) =>
    fc.record({
      t: fc.constant(t),
      // after arrival i, finalize a random known descendant of the finalized block (or nothing)
      picks: fc.array(fc.option(fc.nat(), { freq: 3 }), {
        minLength: t.arrival.length,
        maxLength: t.arrival.length,
      }),
    })
  );
  fc.assert(
    fc.property(withFinality, ({ t: { parents, works, arrival }, picks }) => {
      const s = treeStore(parents, works);
      const par = naiveParents(parents);
      for (const name of forkChoiceNames) {
        const v = new ChainView(s, name);
        const naive = new NaiveView(par, [0, ...works]);
        arrival.forEach((id, i) => {
          naive.receive(id);
          v.receive(id);
          const pick = picks[i];
          if (pick !== null) {
            const cands = naive.candidates();
            const f: BlockId = cands[pick % cands.length];
            const before = v.tip;
            const r = v.finalize(f);
            naive.finalized = f;
            assert.equal(r.tipChanged, before !== v.tip);
          }
          assert.ok(v.onMainChain(v.finalized), `${name}: finalized ${v.finalized} off the chain`);
          assert.ok(v.confirmations(v.finalized) >= 1);
          if (name === "ghost") assert.equal(v.tip, naive.ghost());
          else if (name === "longest") assert.equal(s.height(v.tip), s.height(naive.longest()));
          else assert.equal(s.totalWork(v.tip), s.totalWork(naive.heaviest()));
        });
        for (const r of v.reorgs) assert.equal(r.depth, s.height(r.from) - s.height(r.ancestor));
      }
    }),
    { numRuns: RUNS },
  );
});
