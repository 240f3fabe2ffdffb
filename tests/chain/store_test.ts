/** BlockStore: one test per method, the jump-pointer queries on long chains, and bad input. */
import assert from "node:assert/strict";
import { BlockStore, NO_BLOCK } from "@lab/chain/mod.ts";
import { treeStore } from "./_helpers.ts";

Deno.test("store: genesis is block 0 with height 0, no parent and no work", () => {
  const s = new BlockStore();
  assert.equal(s.size, 1);
  assert.equal(s.parent(0), NO_BLOCK);
  assert.equal(s.height(0), 0);
  assert.equal(s.work(0), 0);
  assert.equal(s.totalWork(0), 0);
  assert.equal(s.producer(0), "genesis");
  assert.deepEqual(s.chain(0), [0]);
  assert.deepEqual(s.children(0), []);
});

Deno.test("store: add assigns dense ids and records every field", () => {
  const s = new BlockStore({ capacity: 1 });
  const a = s.add({ parent: 0, producer: "n1", sizeBytes: 1000, work: 2.5, timeMs: 10, txs: 7 });
  const b = s.add({ parent: a, producer: "n2", sizeBytes: 0, timeMs: 20, payload: { qc: 3 } });
  assert.deepEqual([a, b, s.size], [1, 2, 3]);
  assert.deepEqual([s.parent(b), s.height(b), s.work(b), s.totalWork(b)], [a, 2, 1, 3.5]);
  assert.deepEqual([s.producer(a), s.sizeBytes(a), s.timeMs(a), s.txs(a)], ["n1", 1000, 10, 7]);
  assert.deepEqual([s.txs(b), s.payload(b), s.payload(a)], [0, { qc: 3 }, undefined]);
});

Deno.test("store: arrays grow past the initial capacity without losing blocks", () => {
  const s = new BlockStore({ capacity: 2 });
  let tip = 0;
  for (let i = 0; i < 5000; i++) {
    tip = s.add({ parent: tip, producer: `p${i % 7}`, sizeBytes: i, timeMs: i });
  }
  assert.equal(s.size, 5001);
  assert.equal(s.height(tip), 5000);
  assert.equal(s.sizeBytes(1234), 1233);
  assert.equal(s.producer(4000), `p${3999 % 7}`);
  assert.equal(s.totalWork(tip), 5000);
});

Deno.test("store: children are listed in the order they were added", () => {
  const s = treeStore([0, 0, 1, 0, 1]);
  assert.deepEqual(s.children(0), [1, 2, 4]);
  assert.deepEqual(s.children(1), [3, 5]);
  assert.deepEqual(s.children(3), []);
  assert.equal(s.firstChild(0), 1);
  assert.equal(s.nextSibling(1), 2);
  assert.equal(s.nextSibling(4), NO_BLOCK);
});

Deno.test("store: ancestorAt, commonAncestor, isAncestor and chain on a small fork", () => {
  //   0 - 1 - 2 - 3
  //        \- 4 - 5
  const s = treeStore([0, 1, 2, 1, 4]);
  assert.equal(s.ancestorAt(3, 0), 0);
  assert.equal(s.ancestorAt(3, 2), 2);
  assert.equal(s.ancestorAt(5, 3), 5);
  assert.equal(s.commonAncestor(3, 5), 1);
  assert.equal(s.commonAncestor(5, 4), 4);
  assert.equal(s.commonAncestor(0, 5), 0);
  assert.equal(s.commonAncestor(3, 3), 3);
  assert.ok(s.isAncestor(1, 5));
  assert.ok(s.isAncestor(5, 5));
  assert.ok(!s.isAncestor(2, 5));
  assert.ok(!s.isAncestor(5, 1));
  assert.deepEqual(s.chain(5), [0, 1, 4, 5]);
});

Deno.test("store: ancestor queries on a 200,000-block chain with a late fork stay fast", () => {
  const s = new BlockStore();
  let tip = 0;
  for (let i = 0; i < 200_000; i++) {
    tip = s.add({ parent: tip, producer: "m", sizeBytes: 1, timeMs: i });
  }
  const fork = s.add({ parent: 150_000, producer: "x", sizeBytes: 1, timeMs: 0 });
  for (let h = 0; h <= 200_000; h += 997) assert.equal(s.ancestorAt(tip, h), h);
  assert.equal(s.commonAncestor(tip, fork), 150_000);
  assert.equal(s.commonAncestor(fork, 3), 3);
  assert.ok(s.isAncestor(149_999, fork));
  assert.ok(!s.isAncestor(150_001, fork));
});

Deno.test("store: a block whose parent does not exist is refused with a clear error", () => {
  const s = treeStore([0, 1]);
  assert.throws(
    () => s.add({ parent: 7, producer: "n", sizeBytes: 1, timeMs: 0 }),
    /BlockStore\.add: parent 7 does not exist \(the store holds ids 0\.\.2\)/,
  );
  assert.throws(() => s.add({ parent: -1, producer: "n", sizeBytes: 1, timeMs: 0 }), /parent -1/);
  assert.throws(() => s.add({ parent: 1.5, producer: "n", sizeBytes: 1, timeMs: 0 }), /parent 1.5/);
  assert.equal(s.size, 3);
});

Deno.test("store: bad fields and unknown ids are refused, naming the field", () => {
  const s = new BlockStore();
  const bad = (b: Record<string, unknown>, re: RegExp) =>
    assert.throws(
      () => s.add({ parent: 0, producer: "n", sizeBytes: 1, timeMs: 0, ...b } as never),
      re,
    );
  bad({ work: -1 }, /work must be finite/);
  bad({ work: Infinity }, /work must be finite/);
  bad({ sizeBytes: -3 }, /sizeBytes must be an integer/);
  bad({ sizeBytes: 0.5 }, /sizeBytes/);
  bad({ txs: -1 }, /txs must be a non-negative integer/);
  bad({ timeMs: NaN }, /timeMs must be finite/);
  bad({ producer: 3 }, /producer must be a string/);
  assert.throws(() => new BlockStore({ capacity: -1 }), /capacity/);
  assert.throws(() => s.height(1), /BlockStore\.height: unknown block 1/);
  assert.throws(() => s.ancestorAt(0, 1), /height 1 is not in \[0, 0\]/);
  assert.throws(() => s.commonAncestor(0, 9), /unknown block 9/);
  assert.equal(s.size, 1);
});
