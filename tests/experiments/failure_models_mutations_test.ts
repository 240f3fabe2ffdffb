import assert from "node:assert/strict";
import * as fm from "@lab/experiments/failure_models.ts";
import { type Claim, isApplicable } from "@lab/experiments/claims.ts";

// Each prediction of notebook 06 must fail when the model or its input is mutated.
const small = fm.parseFailureModelsParams({
  runMs: 20_000,
  crashPeriodMs: 3000,
  crashDownMs: 1500,
  timeoutsMs: [150, 300],
  phiThresholds: [2, 8],
  lossRatios: [0, 0.1],
});

function fails(cs: readonly Claim[], text: RegExp): boolean {
  return cs.some((c) => isApplicable(c) && !c.holds && text.test(c.claim));
}

Deno.test("mutation: 15 % more loss than the parameters say breaks the trade-off theory", () => {
  const rows = fm.detectorTradeoff(small, { network: (p) => fm.sweepNetwork(p + 0.15) });
  const cs = fm.checkDetectorTradeoff(rows, small);
  assert.ok(fails(cs, /loss-run theory/), "mistake theory");
  assert.ok(fails(cs, /never suspects a live node/), "no mistakes without loss");
});

Deno.test("mutation: a slower network breaks the lossless detection bound", () => {
  const rows = fm.detectorTradeoff(small, {
    network: (p) => ({ latency: { kind: "normal", meanMs: 60, stdMs: 5 }, lossRatio: p }),
  });
  const cs = fm.checkDetectorTradeoff(rows, small);
  assert.ok(fails(cs, /without loss every detection/));
  assert.ok(fails(cs, /loss-aware theory/));
});

Deno.test("mutation: swapped detection times break the ordering and the theory", () => {
  const rows = fm.detectorTradeoff({ ...small, lossRatios: [0.1] });
  const swapped = rows.map((r, i) => ({
    ...r,
    detectionMsMean: rows[rows.length - 1 - i].detectionMsMean,
    falseSuspicions: rows[rows.length - 1 - i].falseSuspicions,
  }));
  const cs = fm.checkDetectorTradeoff(swapped, small);
  assert.ok(fails(cs, /loss-aware theory/));
  assert.ok(fails(cs, /mistakes fall with the timeout/));
});

Deno.test("mutation: phi on a network whose long haul is as steady as the local link", () => {
  const rows = fm.phiVsFixed(small, {
    network: () => ({ latency: { kind: "normal", meanMs: 2, stdMs: 0.5 } }),
  });
  assert.ok(fails(fm.checkPhiVsFixed(rows), /phi ≥ 8 on the long-haul/));
});

Deno.test("mutation: phi's loss theories fail when the link loses 3× what they assume", () => {
  const ids = Array.from({ length: small.nodes }, (_, i) => `n${i}`);
  const rows = fm.tradeoffCurves(small, 0.05, {
    network: () => fm.twoRegionNetwork(ids, 0.15),
  });
  const cs = fm.checkTradeoffCurves(rows);
  assert.ok(fails(cs, /Akka rule/), cs.map((c) => c.detail).join("\n"));
});

Deno.test("mutation: push-only gossip misses Karp et al.'s push-pull bound", () => {
  const p = fm.parseFailureModelsParams({ gossipNodes: 256 });
  const push = fm.gossipSpread(p, { mode: "push" });
  const cs = fm.checkGossip({ ...push, mode: "pushPull" }, fm.gossipUnderPartition(p), p);
  assert.ok(fails(cs, /push-pull informs all/), `push took ${push.rounds} rounds`);
});

Deno.test("mutation: a rumor that stops spreading before the heal never crosses it", () => {
  const p = fm.parseFailureModelsParams({});
  const r = fm.gossipUnderPartition(p, { rumorLifetimeRounds: 5 });
  assert.ok(fails(fm.checkGossip(fm.gossipSpread(p), r, p), /after the heal/));
});

Deno.test("mutation: a detector faster than the theory assumes breaks the pause claims", () => {
  const long = fm.parseFailureModelsParams({});
  assert.ok(
    fails(fm.checkPausedLeader(fm.pausedLeader(long, { timeoutMs: 250 }), long), /takes over/),
  );
  const short = fm.parseFailureModelsParams({ pauseMs: 300 });
  assert.ok(
    fails(fm.checkPausedLeader(fm.pausedLeader(short, { timeoutMs: 150 }), short), /no takeover/),
  );
});

Deno.test("failure models: a bad parameter is a one-line ConfigError naming the field", () => {
  assert.throws(
    () => fm.parseFailureModelsParams({ timeoutsMs: [50, 300] }),
    (e: unknown) =>
      e instanceof Error && /timeoutsMs\[0\]/.test(e.message) && !/\{/.test(e.message),
  );
});
