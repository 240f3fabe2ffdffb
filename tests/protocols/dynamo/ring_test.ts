/**
 * Dynamo §4.2–4.3: consistent hashing with virtual nodes; a preference list is the first N
 * distinct physical nodes clockwise; virtual nodes even out each node's share of the ring.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { leafOf, MerkleTree, Ring, RING_SIZE, ringPosition } from "@lab/protocols/dynamo/mod.ts";

const nodeSet = fc.uniqueArray(fc.stringMatching(/^[a-z][a-z0-9]{0,6}$/), {
  minLength: 1,
  maxLength: 9,
});

Deno.test("dynamo ring: a preference list holds min(N, nodes) distinct nodes, the walk's prefix", () => {
  fc.assert(
    fc.property(
      nodeSet,
      fc.integer({ min: 1, max: 32 }),
      fc.string(),
      fc.nat(12),
      (ids, v, key, n) => {
        const ring = new Ring(ids, v);
        const pl = ring.preferenceList(key, n);
        assert.equal(pl.length, Math.min(n, ids.length));
        assert.equal(new Set(pl).size, pl.length);
        const walk = ring.walk(key);
        assert.deepEqual([...walk].sort(), [...ids].sort());
        assert.deepEqual(pl, walk.slice(0, pl.length));
        // the first node owns the first token at or after the key's position (clockwise)
        const pos = ringPosition(key);
        const first = ring.tokens.find((t) => t.position >= pos) ?? ring.tokens[0];
        if (n > 0) assert.equal(pl[0], first.node);
      },
    ),
    { numRuns: 200 },
  );
});

/** Largest share / fair share (1 / k) over the nodes. */
function imbalance(ids: readonly string[], vnodes: number): number {
  const share = new Ring(ids, vnodes).ownership();
  const total = [...share.values()].reduce((a, b) => a + b, 0);
  assert.ok(Math.abs(total - 1) < 1e-9);
  return Math.max(...share.values()) * ids.length;
}

const clusters = fc.uniqueArray(fc.stringMatching(/^n[0-9]{1,4}$/), { minLength: 3, maxLength: 8 });

Deno.test("dynamo ring: with 256 vnodes no node owns more than 1.5× its fair share", () => {
  // a node's share is a sum of ~vnodes arcs: relative spread ~ 1/sqrt(vnodes) ≈ 6 %, so 1.5× is
  // about 8 standard deviations away
  fc.assert(fc.property(clusters, (ids) => imbalance(ids, 256) <= 1.5), { numRuns: 60 });
});

Deno.test("dynamo ring: with one token per node the same bound fails (virtual nodes are what balance)", () => {
  const r = fc.check(fc.property(clusters, (ids) => imbalance(ids, 1) <= 1.5), {
    numRuns: 60,
    seed: 1,
  });
  assert.equal(r.failed, true, "one token per node should leave some node far above its share");
});

Deno.test("dynamo merkle: equal entries give equal roots; a changed key shows up in exactly its leaf", () => {
  fc.assert(
    fc.property(
      fc.uniqueArray(fc.string({ minLength: 1 }), { minLength: 1, maxLength: 40 }),
      fc.nat(),
      fc.integer({ min: 0, max: 8 }),
      (keys, pick, depth) => {
        const entries = keys.map((k) => [k, "n0:1"] as const);
        const a = new MerkleTree(entries, depth);
        assert.equal(a.root(), new MerkleTree([...entries].reverse(), depth).root());
        const changed = keys[pick % keys.length];
        const b = new MerkleTree(
          entries.map(([k, d]) => [k, k === changed ? "n1:7" : d] as const),
          depth,
        );
        assert.notEqual(a.root(), b.root());
        assert.deepEqual(a.diff(b), [leafOf(changed, depth)]);
        assert.ok(a.keysIn(leafOf(changed, depth)).includes(changed));
        assert.ok(leafOf(changed, depth) < 2 ** depth && ringPosition(changed) < RING_SIZE);
      },
    ),
    { numRuns: 150 },
  );
});
