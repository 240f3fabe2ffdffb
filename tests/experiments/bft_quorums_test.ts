import assert from "node:assert/strict";
import { checkQuorumTable, quorumOverlap, quorumTable } from "@lab/experiments/bft_quorums.ts";

Deno.test("quorums: enumeration finds the 2q − n overlap and its witness", () => {
  const r = quorumOverlap(4, 1, 3);
  assert.equal(r.pairs, 16);
  assert.equal(r.minOverlap, 2);
  assert.ok(r.safe && r.live);
  const [a, b] = r.witness;
  assert.equal(a.filter((x) => b.includes(x)).length, 2);
  const u = quorumOverlap(3, 1, 2);
  assert.equal(u.minOverlap, 1);
  assert.equal(u.safe, false);
  assert.equal(u.live, true);
  // n = 3f with the intersecting quorum 2f + 1 = n: safe but not live
  const s = quorumOverlap(3, 1, 3);
  assert.equal(s.safe, true);
  assert.equal(s.live, false);
  assert.throws(() => quorumOverlap(15, 1, 3), RangeError);
});

Deno.test("quorums: the claims hold on the table and fail with the n ≥ 3f threshold", () => {
  const rows = quorumTable(9);
  assert.ok(checkQuorumTable(rows).every((c) => c.holds));
  const mutated = checkQuorumTable(rows, "threshold3f");
  assert.equal(mutated[1].holds, false);
  assert.match(mutated[1].detail, /fails at n=3 f=1/);
  // a table whose bound column was computed wrongly fails the first claim
  const broken = rows.map((r, i) => i === 2 ? { ...r, minOverlap: r.minOverlap + 1 } : r);
  assert.equal(checkQuorumTable(broken)[0].holds, false);
});
