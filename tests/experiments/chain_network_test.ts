import assert from "node:assert/strict";
import {
  forkClaims,
  forkRows,
  meshStaleRate,
  partitionClaims,
  type PartitionRow,
  partitionRows,
  propagationClaims,
  propagationRows,
  staleClaims,
  staleRows,
  throughputClaims,
  throughputRows,
} from "../../lib/experiments/chain_network.ts";
import type { Claim } from "../../lib/experiments/claims.ts";

const holds = (cs: Claim[], text: string) => {
  const c = cs.find((c) => c.claim.includes(text));
  assert.ok(c, `no claim "${text}" in ${cs.map((c) => c.claim).join(" | ")}`);
  return c.applicable === false ? "n/a" : c.holds;
};
const allHold = (cs: Claim[]) =>
  cs.forEach((c) => assert.ok(c.holds || c.applicable === false, `${c.claim}: ${c.detail}`));

Deno.test("chain: propagation claims hold, and fail on mutated rows", () => {
  const rows = propagationRows({
    nodes: 150,
    blockSizesBytes: [50_000, 1_000_000],
    peerCounts: [3, 8],
    blocks: 2,
  });
  const cs = propagationClaims(rows);
  allHold(cs);
  // a relay faster than the fastest path (validation skipped) breaks the lower bound
  const fast = rows.map((r) => ({ ...r, t90Ms: r.model90Ms * 0.8 }));
  assert.equal(holds(propagationClaims(fast), "faster than the shortest-path"), false);
  const slow = rows.map((r) => ({ ...r, t90Ms: r.model90Ms * 2 }));
  assert.equal(holds(propagationClaims(slow), "within 1.5×"), false);
  const flat = rows.map((r) => ({ ...r, t50Ms: 1000 }));
  assert.equal(holds(propagationClaims(flat), "bigger blocks"), false);
  const peersHurt = rows.map((r) => ({ ...r, t90Ms: r.outboundPeers * 1000 }));
  assert.equal(holds(propagationClaims(peersHurt), "more peers"), false);
  assert.equal(holds(propagationClaims(rows.slice(0, 1)), "bigger blocks"), "n/a");
});

Deno.test("chain: mesh stale rate matches (1 − 1/N)(1 − e^(−d/T)); a wrong N fails it", () => {
  const rows = staleRows({ blocks: 1500, dOverT: [0.05, 0.15, 0.4], realisticNodes: 0 });
  const cs = staleClaims(rows);
  allHold(cs);
  assert.equal(cs[2].applicable, false, "d/T = 0.4 is outside the first-order regime");
  // N = 2 halves the rate: the measured N = 10 rate does not match it
  const n2 = rows.map((r) => ({ ...r, theory: meshStaleRate(2, r.dOverT) }));
  assert.equal(staleClaims(n2).some((c) => c.applicable !== false && !c.holds), true);
  // realistic rows: claim within 2×, n/a with few stale blocks
  const real = { ...rows[0], network: "realistic" as const, stale: 2 };
  assert.equal(staleClaims([real])[0].applicable, false);
  const realBad = { ...rows[1], network: "realistic" as const, staleRate: rows[1].theory * 3 };
  assert.equal(staleClaims([realBad])[0].holds, false);
});

Deno.test("chain: fork lengths and reorg depths; mutated histograms fail", () => {
  const params = { blocks: 1500, dOverT: 0.2 };
  const rows = forkRows(params);
  assert.ok(rows.some((r) => r.kind === "fork" && r.length === 1));
  allHold(forkClaims(params, rows));
  const long = rows.map((r) =>
    r.kind === "fork" && r.length >= 2 ? { ...r, count: r.count * 50 + 50 } : r
  );
  assert.equal(holds(forkClaims(params, long), "length ≥ 2"), false);
  const deep = [...rows, { kind: "reorg" as const, length: 99, count: 1, fraction: 0 }];
  assert.equal(holds(forkClaims(params, deep), "no reorg is deeper"), false);
});

Deno.test("chain: throughput = capacity (1 − stale) / T, stale rises with size/T; mutations fail", () => {
  const rows = throughputRows({
    nodes: 60,
    blockSizesBytes: [250_000, 4_000_000],
    blockIntervalsMs: [10_000, 600_000],
    blocks: 40,
  });
  allHold(throughputClaims(rows));
  const nominal = rows.map((r) => ({ ...r, txPerSec: r.theoryTxPerSec * 3 }));
  assert.equal(holds(throughputClaims(nominal), "confirmed tx/s"), false);
  const free = rows.map((r) => ({ ...r, staleRate: 0.01 }));
  assert.equal(holds(throughputClaims(free), "costs security"), false);
});

Deno.test("chain: partition — Nakamoto forks and reorganises, Tendermint halts the minority", () => {
  const rows = partitionRows();
  allHold(partitionClaims(rows));
  const mut = (f: (r: PartitionRow) => PartitionRow) => rows.map(f);
  const noReorg = mut((r) => r.protocol === "nakamoto" ? { ...r, maxReorgDepth: 0 } : r);
  assert.equal(holds(partitionClaims(noReorg), "reorganises"), false);
  const live = mut((r) => r.protocol === "tendermint" ? { ...r, producedDuringPartition: 5 } : r);
  assert.equal(holds(partitionClaims(live), "halts"), false);
  const changed = mut((r) => r.protocol === "tendermint" ? { ...r, decisionsChanged: 1 } : r);
  assert.equal(holds(partitionClaims(changed), "never changes"), false);
  const oneSided = mut((r) =>
    r.protocol === "nakamoto" && r.side === "minority" ? { ...r, producedDuringPartition: 0 } : r
  );
  assert.equal(holds(partitionClaims(oneSided), "both sides"), false);
  const noHash = mut((r) =>
    r.protocol === "nakamoto" && r.side === "minority" ? { ...r, share: 0 } : r
  );
  assert.equal(holds(partitionClaims(noHash), "both sides"), "n/a");
  // A lucky minority that mined more blocks wins; the majority's branch is the one reorganised.
  const luckyMinority = mut((r) =>
    r.protocol !== "nakamoto"
      ? r
      : r.side === "minority"
      ? { ...r, producedDuringPartition: 12, maxReorgDepth: 0 }
      : { ...r, producedDuringPartition: 10, maxReorgDepth: 10 }
  );
  assert.equal(holds(partitionClaims(luckyMinority), "reorganises"), true);
  const majorityKeeps = mut((r) =>
    r.protocol !== "nakamoto"
      ? r
      : r.side === "minority"
      ? { ...r, producedDuringPartition: 12, maxReorgDepth: 12 }
      : { ...r, producedDuringPartition: 10, maxReorgDepth: 0 }
  );
  assert.equal(holds(partitionClaims(majorityKeeps), "reorganises"), false);
  const tie = mut((r) => r.protocol === "nakamoto" ? { ...r, producedDuringPartition: 7 } : r);
  assert.equal(holds(partitionClaims(tie), "reorganises"), "n/a");
});
