/** PBFT measurements against theory where theory is exact (message counts, latency in δ). */
import assert from "node:assert/strict";
import {
  pbftLatency,
  pbftMessagesPerDecision,
  pbftMessagesTheory,
  pbftThroughput,
  pbftViewChangeCost,
} from "../../lib/experiments/bft_pbft.ts";
import { ConfigError } from "../../lib/sim/errors.ts";

Deno.test("bft_pbft: messages per decision = 2n² − n + 1 for n = 4, 7, 10, 16, 31, 64 (§4.2)", () => {
  const rows = pbftMessagesPerDecision();
  assert.deepEqual(rows.map((r) => r.n), [4, 7, 10, 16, 31, 64]);
  for (const r of rows) {
    const t = pbftMessagesTheory(r.n);
    assert.equal(r.measured, r.theory, `n=${r.n}`);
    assert.equal(r.theory, 2 * r.n * r.n - r.n + 1);
    assert.deepEqual(
      [r.request, r.prePrepare, r.prepare, r.commit, r.reply],
      [t.request, t.prePrepare, t.prepare, t.commit, t.reply],
    );
  }
});

Deno.test("bft_pbft: latency from request to f + 1 replies is 5δ on a constant-δ network", () => {
  for (const r of pbftLatency({ ns: [4, 7, 10], deltaMs: 7 })) {
    assert.equal(r.latencyDelta, r.theoryDelta, `n=${r.n}`);
  }
});

Deno.test("bft_pbft: a view change after a crashed, silent or equivocating primary, then progress", () => {
  const rows = pbftViewChangeCost({ n: 4, deltaMs: 10, viewChangeTimeoutMs: 200 });
  assert.deepEqual(rows.map((r) => r.fault), ["crash", "silent", "equivocate"]);
  for (const r of rows) {
    assert.ok(r.view >= 1, r.fault);
    assert.ok(r.timeToDecisionMs >= r.timeoutMs, `${r.fault}: waits at least T`);
    assert.ok(r.viewChangeMessages >= 3 * 3, `${r.fault}: 2f + 1 replicas multicast VIEW-CHANGE`);
    assert.ok(r.newViewMessages >= 3, r.fault);
  }
  // crash and silence look the same to the others: client timeout (300 ms) + T + 5δ
  assert.equal(rows[0].timeToDecisionMs, 300 + 200 + 5 * 10);
  assert.equal(rows[1].timeToDecisionMs, rows[0].timeToDecisionMs);
});

Deno.test("bft_pbft: with one sequence number in flight, throughput grows with the batch size", () => {
  const rows = pbftThroughput({ batchSizes: [1, 4, 16], clients: 32, durationMs: 600 });
  assert.ok(rows[1].requestsPerSec > 3 * rows[0].requestsPerSec);
  assert.ok(rows[2].requestsPerSec > 3 * rows[1].requestsPerSec);
  assert.ok(rows[2].messagesPerRequest < rows[0].messagesPerRequest / 3);
  // one decision per 3δ (pre-prepare, prepare, commit) whatever the batch
  for (const r of rows) assert.ok(Math.abs(r.decisionsPerSec - 1000 / 15) < 3, JSON.stringify(r));
});

Deno.test("bft_pbft: bad parameters are refused with a ConfigError", () => {
  assert.throws(() => pbftMessagesPerDecision({ ns: [] }), ConfigError);
  assert.throws(() => pbftThroughput({ batchSizes: [0] }), ConfigError);
});
