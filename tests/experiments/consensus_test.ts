/**
 * Notebook 05's experiments: every prediction holds on several seeds, the checks fail on rows that
 * contradict theory, the FLP adversary keeps a protocol undecided for as long as it runs, and bad
 * parameters name their field.
 */
import assert from "node:assert/strict";
import * as cs from "@lab/experiments/consensus.ts";
import { assertClaims } from "@lab/experiments/claims.ts";
import { ConfigError } from "@lab/sim/mod.ts";

for (const seed of [1, 2, 3]) {
  Deno.test(`consensus: every prediction of notebook 05 holds (seed ${seed})`, () => {
    const p = cs.parseConsensusParams({ seed });
    assertClaims([
      ...cs.checkMistakes(cs.mistakeScenarios()),
      ...cs.checkKvComparison(cs.kvComparison(p), p),
      ...cs.checkDuelingProposers(cs.duelingProposers(p)),
      ...cs.checkFlp(cs.flpSweep(p)),
    ]);
  });
}

Deno.test("consensus: the FLP adversary keeps Paxos and Raft undecided as long as it runs", () => {
  const p = cs.parseConsensusParams({ flpReleaseMs: 10_000, flpNodes: 3 });
  for (const protocol of cs.PROTOCOLS) {
    const r = cs.flpRun(protocol, { ...p, seed: 9 });
    assert.ok(r.row.decidedBeforeRelease === false, `${protocol} decided at ${r.row.decidedAtMs}`);
    assert.ok(r.row.roundsWhileHeld > 30, `${protocol}: ${r.row.roundsWhileHeld} rounds`);
    assert.ok(r.row.decisionAfterReleaseMs <= cs.FLP_DECISION_BOUND_MS);
  }
});

Deno.test("consensus: without the adversary both protocols decide within one election", () => {
  const p = cs.parseConsensusParams({ flpReleaseMs: 500 });
  for (const protocol of cs.PROTOCOLS) {
    const r = cs.flpRun(protocol, { ...p, flpReleaseMs: 0, seed: 2 });
    assert.ok(r.row.decidedAtMs < 400, `${protocol} decided at ${r.row.decidedAtMs}`);
    assert.equal(r.row.held, 0);
  }
});

Deno.test("consensus: the checks fail on rows that contradict theory", () => {
  const p = cs.parseConsensusParams({});
  const duel = cs.duelingProposers({ ...p, duelSeeds: 1, duelMs: 1_000 });
  const swapped = {
    ...duel,
    rows: duel.rows.map((r) => ({
      ...r,
      config: r.config === "no back-off" ? "randomized back-off" as const : "no back-off" as const,
    })),
  };
  assert.ok(cs.checkDuelingProposers(swapped).some((c) => !c.holds));
  const flp = cs.flpSweep({ ...p, flpSeeds: 1 });
  const early = flp.map((r) => ({ ...r, decidedBeforeRelease: true }));
  assert.ok(cs.checkFlp(early).some((c) => !c.holds));
});

Deno.test("consensus: the Paxos commit latency samples pair propose with chosen", () => {
  const p = cs.parseConsensusParams({});
  const run = cs.runKv("paxos", p);
  assert.ok(run.commitLatencyMs.length > 100);
  assert.ok(run.commitLatencyMs.every((x) => x >= 2 * 2 && x < 5_000), "at least a round trip");
  const rows = cs.throughputByProtocol([run], 500);
  assert.equal(rows.length, Math.ceil((p.runMs - 500) / 500));
  assert.ok(rows.every((r) => r.series === "paxos"));
});

Deno.test("consensus: bad parameters name the field", () => {
  assert.throws(
    () => cs.parseConsensusParams({ lossRatio: 0.9 }),
    (e: unknown) => e instanceof ConfigError && e.message.includes("lossRatio"),
  );
  assert.throws(
    () => cs.parseConsensusParams({ crashAtMs: 5_000, partitionAtMs: 5_500 }),
    (e: unknown) => e instanceof ConfigError && e.message.includes("partitionAtMs"),
  );
  assert.throws(() => cs.parseConsensusParams({ nodez: 3 }), /nodez/);
});
