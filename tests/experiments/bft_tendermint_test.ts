/** Tendermint measurements match theory where theory is exact (message counts, latency in δ). */
import assert from "node:assert/strict";
import {
  tendermintMessageRows,
  tendermintRoundChangeRows,
  tendermintThroughputRows,
} from "../../lib/experiments/bft_tendermint.ts";

Deno.test("bft_tendermint: messages per decision = (n − 1) + 2n(n − 1) and latency = 3δ", () => {
  for (const r of tendermintMessageRows({ ns: [4, 7, 10, 16] })) {
    assert.equal(r.messages, r.theoryMessages, `n=${r.n}`);
    assert.equal(r.latencyDelta, r.theoryLatencyDelta, `n=${r.n}`);
  }
});

Deno.test("bft_tendermint: a mute proposer costs timeoutPropose + timeoutPrecommit + 5δ", () => {
  const rows = tendermintRoundChangeRows({});
  const by = new Map(rows.map((r) => [r.proposer, r]));
  assert.equal(by.get("honest")!.decisionMs, by.get("honest")!.theoryMs);
  for (const k of ["crashed", "silent"]) {
    assert.equal(by.get(k)!.decisionMs, by.get(k)!.theoryMs, k);
    assert.equal(by.get(k)!.round, 1, k);
  }
  assert.ok(by.get("equivocating")!.decisionMs <= by.get("equivocating")!.theoryMs);
});

Deno.test("bft_tendermint: throughput grows with block size", () => {
  const rows = tendermintThroughputRows({ blockSizes: [1, 16], durationMs: 1_000 });
  assert.ok(rows[1].txsPerSec > 4 * rows[0].txsPerSec);
  assert.equal(rows[0].txs, rows[0].heights - 1 + (rows[0].txs - rows[0].heights + 1));
});
