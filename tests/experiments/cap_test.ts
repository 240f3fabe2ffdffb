import assert from "node:assert/strict";
import * as cap from "@lab/experiments/cap.ts";
import { type Claim, isApplicable } from "@lab/experiments/claims.ts";
import type { PartitionRow } from "@lab/experiments/chain_network.ts";
import { ConfigError } from "@lab/sim/mod.ts";

function failed(cs: readonly Claim[]): string[] {
  return cs.filter((c) => isApplicable(c) && !c.holds).map((c) => `✗ ${c.claim} (${c.detail})`);
}
const holds = (cs: readonly Claim[], i: number) => isApplicable(cs[i]) && cs[i].holds;

Deno.test("parameters: defaults parse; bad values are refused naming the field", () => {
  assert.equal(cap.parseCapParams({}).nodes, 5);
  const refuses = (input: unknown, field: string) =>
    assert.throws(
      () => cap.parseCapParams(input),
      (e: unknown) => e instanceof ConfigError && e.message.includes(field),
    );
  refuses({ dynamoQuorum: 1 }, "dynamoQuorum"); // R + W ≤ N is not a strict quorum
  refuses({ dynamoN: 4, nodes: 3 }, "dynamoN");
  refuses({ pacelc: [[1, 1], [4, 1]] }, "pacelc");
  refuses({ runMs: 3_000, partitionAtMs: 1_500, partitionForMs: 2_000 }, "partitionForMs");
  refuses({ latencyMsMin: 50, latencyMsMax: 10 }, "latencyMsMin");
});

Deno.test("strictAvailability counts the keys whose quorum is on the side", () => {
  const pref = {
    a: ["n0", "n1", "n2"],
    b: ["n2", "n3", "n4"],
    c: ["n1", "n3", "n0"],
    d: ["n4", "n0", "n3"],
  };
  // minority {n0, n1}: a and c have 2 replicas there, b none, d one
  assert.equal(cap.strictAvailability(pref, ["n0", "n1"], 2, 2, 0.5), 0.5);
  assert.equal(cap.strictAvailability(pref, ["n2", "n3", "n4"], 2, 2, 0.5), 0.5);
  // R = 1 reads work wherever one replica is
  assert.equal(cap.strictAvailability(pref, ["n0", "n1"], 1, 3, 1 / 2), 0.5 * 0.75 + 0.5 * 0);
});

/** A small run of the experiment (3 servers, short partition) and a mid-range one. */
const SMALL = {
  nodes: 3,
  clients: 6,
  keys: 6,
  runMs: 3_000,
  partitionAtMs: 800,
  partitionForMs: 1_800,
};
const small = cap.parseCapParams(SMALL);
const results = cap.capExperiment(small);

Deno.test("CAP: CP refuses on the minority, strict quorums follow the ring, AP answers and is stale", () => {
  // SMALL is also the change notebook 01 suggests: its other sections run here too
  assert.deepEqual(failed(cap.checkCap(results)), []);
  assert.deepEqual(failed(cap.checkPacelc(cap.pacelcSweep(small))), []);
});

Deno.test("CAP claims fail on mutated results", () => {
  const edit = (s: cap.CapSystem, f: (r: cap.CapSystemResult) => cap.CapSystemResult) =>
    results.map((r) => (r.system === s ? f(r) : r));
  const editSide = (s: cap.CapSystem, side: string, patch: Partial<cap.CapSideRow>) =>
    edit(
      s,
      (r) => ({ ...r, sides: r.sides.map((x) => (x.side === side ? { ...x, ...patch } : x)) }),
    );
  assert.ok(!holds(cap.checkCap(editSide("raft", "minority", { answeredAfterCut: 1 })), 0));
  assert.ok(
    !holds(
      cap.checkCap(editSide("raft", "majority", { steadyAvailability: 0.1, steadyOps: 20 })),
      1,
    ),
  );
  // a strict-quorum store that answered everything on the minority side breaks the ring prediction
  const strictMinority = results.find((r) => r.system === "dynamo-strict")!.predicted!.minority;
  assert.ok(
    !holds(
      cap.checkCap(
        editSide("dynamo-strict", "minority", {
          steadyAvailability: strictMinority < 0.5 ? 1 : 0,
          steadyOps: 50,
        }),
      ),
      2,
    ),
  );
  // sloppy quorums refusing on the majority side
  assert.ok(
    !holds(
      cap.checkCap(editSide("dynamo-sloppy", "majority", { steadyAvailability: 0, steadyOps: 50 })),
      5,
    ),
  );
  assert.ok(
    !holds(
      cap.checkCap(edit("lww", (r) => ({ ...r, verdicts: { ...r.verdicts, linearizable: "ok" } }))),
      6,
    ),
  );
  assert.ok(!holds(cap.checkCap(editSide("lww", "minority", { staleReads: 0 })), 7));
  assert.ok(
    !holds(
      cap.checkCap(
        edit("lww", (r) => ({ ...r, verdicts: { ...r.verdicts, convergent: "illegal" } })),
      ),
      8,
    ),
  );
});

Deno.test("CAP: parameter range (5 servers, N = 5 with quorums of 3; 7 servers with N = 3)", () => {
  for (
    const point of [{ nodes: 5, clients: 10, keys: 10, dynamoN: 5, dynamoQuorum: 3, seed: 4 }, {
      nodes: 7,
      clients: 14,
      keys: 12,
      latencyMsMax: 40,
    }]
  ) {
    const p = cap.parseCapParams({ ...SMALL, ...point });
    assert.deepEqual(failed(cap.checkCap(cap.capExperiment(p))), [], JSON.stringify(point));
  }
});

Deno.test("sloppy quorums on a side smaller than W refuse writes", () => {
  assert.equal(cap.sloppyAvailability(1, 2, 2, 0.5), 0);
  assert.equal(cap.sloppyAvailability(2, 2, 2, 0.5), 1);
  assert.equal(cap.sloppyAvailability(2, 1, 3, 0.5), 0.5);
});

Deno.test("PACELC: R + W > N never stale, partial quorums stale, latency grows with R and W", () => {
  for (
    const point of [{}, {
      nodes: 3,
      pacelcWriteMeanMs: 40,
      pacelcOtherMeanMs: 1,
      pacelc: [[1, 1], [2, 2], [3, 3]],
    }]
  ) {
    const p = cap.parseCapParams({ ...SMALL, runMs: 2_000, partitionForMs: 600, ...point });
    const rows = cap.pacelcSweep(p);
    assert.deepEqual(failed(cap.checkPacelc(rows)), [], JSON.stringify(point));
    // mutations: a stale read under R + W > N; no stale read under partial quorums; flat latency
    const strictStale = rows.map((x) => (x.strict ? { ...x, staleReads: 1 } : x));
    assert.ok(!holds(cap.checkPacelc(strictStale), 0));
    const partialFresh = rows.map((x) => (x.strict ? x : { ...x, staleReads: 0 }));
    assert.ok(!holds(cap.checkPacelc(partialFresh), 1));
    const flat = rows.map((x) => ({ ...x, readMeanMs: 5 }));
    assert.ok(!holds(cap.checkPacelc(flat), 2));
  }
});

Deno.test("blockchains under partition: longest chain available and reorganises, BFT halts the minority", () => {
  const rows = cap.blockchainPartition(small);
  assert.deepEqual(failed(cap.checkBlockchain(rows)), []);
  const edit = (protocol: string, side: string, patch: Partial<PartitionRow>) =>
    rows.map((r) => (r.protocol === protocol && r.side === side ? { ...r, ...patch } : r));
  assert.ok(
    !holds(cap.checkBlockchain(edit("nakamoto", "minority", { producedDuringPartition: 0 })), 0),
  );
  const nMaj = rows.find((r) => r.protocol === "nakamoto" && r.side === "majority")!;
  const nMin = rows.find((r) => r.protocol === "nakamoto" && r.side === "minority")!;
  const loser = nMaj.producedDuringPartition < nMin.producedDuringPartition
    ? "majority"
    : "minority";
  assert.ok(!holds(cap.checkBlockchain(edit("nakamoto", loser, { maxReorgDepth: 0 })), 1));
  assert.ok(
    !holds(cap.checkBlockchain(edit("tendermint", "minority", { producedDuringPartition: 3 })), 2),
  );
});
