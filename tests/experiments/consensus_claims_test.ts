/**
 * Notebook 05's claims can fail: each one is shown failing on a mutated model or input, the
 * valence explorer reports a protocol without bivalent initial configurations, every parameter
 * change the notebook suggests runs, and a sample of ConsensusParamsSchema's documented range runs
 * every experiment with claims that hold or say "not applicable".
 */
import assert from "node:assert/strict";
import * as cs from "@lab/experiments/consensus.ts";
import { assertClaims, type Claim, isApplicable } from "@lab/experiments/claims.ts";
import { ConfigError } from "@lab/sim/mod.ts";

const failing = (claims: readonly Claim[], re: RegExp) =>
  claims.some((c) => isApplicable(c) && !c.holds && re.test(c.claim));

Deno.test("valence: deterministic Ben-Or has a bivalent initial configuration and a bivalent path (FLP Lemmas 2, 3)", () => {
  const r = cs.exploreValence({ rounds: 2 });
  assertClaims(cs.checkValence(r));
  assert.deepEqual(
    r.initial.filter((x) => x.valence === "bivalent").map((x) => x.inputs),
    ["001", "010", "100"],
  );
  // every configuration along the path is bivalent, computed by exhaustive search
  const x = new cs.ValenceExplorer({ rounds: 2 });
  let c = cs.initialConfig([0, 0, 1], "ben-or", 2);
  assert.equal(x.valence(c), "bivalent");
  c = x.step(c, 0);
  assert.equal(x.valence(c), r.path[0].valence);
});

Deno.test("valence: mutated protocols have no bivalent initial configuration, and the explorer says so", () => {
  for (const protocol of ["always-zero", "wait-for-all"] as const) {
    const r = cs.exploreValence({ protocol, rounds: 1 });
    assert.equal(r.bivalentInitial, undefined, protocol);
    assert.equal(r.path.length, 0);
    const claims = cs.checkValence(r);
    assert.ok(failing(claims, /Lemma 2/), `${protocol}: Lemma 2 claim must fail`);
    assert.ok(failing(claims, /stays bivalent|keeps it bivalent/), protocol);
  }
  // always deciding 0 breaks validity too
  assert.ok(
    failing(cs.checkValence(cs.exploreValence({ protocol: "always-zero", rounds: 1 })), /validity/),
  );
});

Deno.test("kv claims fail on a wrong heartbeat model, a wrong learn step, and swapped crash windows", () => {
  const p = cs.parseConsensusParams({});
  const kv = cs.kvComparison(p);
  assertClaims(cs.checkKvComparison(kv, p));
  const paxos = kv.runs.find((r) => r.protocol === "paxos")!;
  // a model with another heartbeat interval predicts a different count
  const hb = cs.messageTypes(paxos, p, 2 * cs.SHARED_TIMING.heartbeatIntervalMs)
    .find((t) => t.type === "Heartbeat")!;
  assert.ok(Math.abs(hb.sent - hb.predicted) > 0.02 * hb.predicted);
  // a Multi-Paxos that piggybacks its decisions (no Decide messages) fails the learn-step claim
  const piggy = {
    ...kv,
    runs: kv.runs.map((r) =>
      r.protocol === "paxos"
        ? { ...r, messagesByType: { ...r.messagesByType, Decide: r.catchUpDecides } }
        : r
    ),
  };
  assert.ok(failing(cs.checkKvComparison(piggy, p), /learn step/));
  // fewer heartbeats than the leaderships imply fails the heartbeat claim
  const quiet = {
    ...kv,
    runs: kv.runs.map((r) =>
      r.protocol === "paxos" ? { ...r, leaderships: r.leaderships.slice(0, 1) } : r
    ),
  };
  assert.ok(failing(cs.checkKvComparison(quiet, p), /heartbeats/));
  // client time that vanished without timeouts (no attempts recorded) breaks the throughput model
  const noTimeouts = {
    ...kv,
    runs: kv.runs.map((r) => ({
      ...r,
      clientAnswersMs: [...r.clientAnswersMs, ...r.clientAttempts.map((a) => a.t)],
    })),
  };
  const w = kv.runs.map((r) => cs.crashWindow(r, p));
  if (w.some((x) => x.timeouts > 20)) {
    assert.ok(failing(cs.checkKvComparison(noTimeouts, p), /post-crash throughput/));
  }
});

Deno.test("kv: the explanation of the post-crash gap (seed 1: Paxos's new leader precedes the crashed server)", () => {
  const p = cs.parseConsensusParams({ seed: 1 });
  const kv = cs.kvComparison(p);
  const [wp, wr] = kv.runs.map((r) => cs.crashWindow(r, p));
  assert.ok(wp.crashedIsNextInRotation && !wr.crashedIsNextInRotation);
  assert.ok(wp.completions < 0.8 * wr.completions, `${wp.completions} vs ${wr.completions}`);
  assert.ok(wp.attemptsToCrashed > 3 * wr.attemptsToCrashed);
  const claims = cs.checkKvComparison(kv, p);
  assert.ok(
    claims.some((c) => isApplicable(c) && c.holds && /lost more client time/.test(c.claim)),
  );
  // swap the timeouts between the protocols: the explanation no longer fits
  const swapped = {
    ...kv,
    runs: kv.runs.map((r) => {
      const other = kv.runs.find((o) => o.protocol !== r.protocol)!;
      return { ...r, clientAttempts: other.clientAttempts, clientAnswersMs: other.clientAnswersMs };
    }),
  };
  assert.ok(failing(cs.checkKvComparison(swapped, p), /lost more client time|post-crash/));
});

Deno.test("flp claims fail on an adversary that decides, rounds that stall, or a slow recovery", () => {
  const p = cs.parseConsensusParams({});
  const rows = cs.flpSweep({ ...p, flpSeeds: 1 });
  assertClaims(cs.checkFlp(rows));
  assert.ok(
    failing(cs.checkFlp(rows.map((r) => ({ ...r, decidedBeforeRelease: true }))), /decides/),
  );
  assert.ok(failing(cs.checkFlp(rows.map((r) => ({ ...r, roundsWhileHeld: 2 }))), /not idle/));
  assert.ok(failing(cs.checkFlp(rows.map((r) => ({ ...r, held: 0 }))), /starved/));
  assert.ok(
    failing(
      cs.checkFlp(
        rows.map((r) => ({ ...r, decisionAfterReleaseMs: cs.FLP_DECISION_BOUND_MS + 1 })),
      ),
      /lets go/,
    ),
  );
});

Deno.test("mistake claims fail when the checker sees nothing wrong", () => {
  const s = cs.mistakeScenarios();
  assertClaims(cs.checkMistakes(s));
  const blind = s.map((x) => ({ ...x, breaches: [], chosenInSlot1: x.chosenInSlot1.slice(0, 1) }));
  assert.ok(cs.checkMistakes(blind).some((c) => !c.holds));
});

Deno.test("the notebook's suggested parameter changes run and their claims hold or say n/a", () => {
  // notes: --set lossRatio=0.1, --set flpReleaseMs=8000, --set duelMs=10000
  for (
    const input of [{ lossRatio: 0.1 }, { flpReleaseMs: 8_000, flpSeeds: 2 }, {
      duelMs: 10_000,
      duelSeeds: 2,
    }]
  ) {
    const p = cs.parseConsensusParams(input);
    const claims = "lossRatio" in input
      ? cs.checkKvComparison(cs.kvComparison(p), p)
      : "flpReleaseMs" in input
      ? cs.checkFlp(cs.flpSweep(p))
      : cs.checkDuelingProposers(cs.duelingProposers(p));
    assertClaims(claims);
  }
});

Deno.test("ConsensusParamsSchema's range: sampled parameters run every experiment; claims hold or say n/a", () => {
  const samples = [
    { nodes: 3, clients: 1, lossRatio: 0, seed: 2 },
    { nodes: 9, clients: 50, lossRatio: 0.3, seed: 3 },
    {
      nodes: 7,
      runMs: 20_000,
      crashAtMs: 500,
      crashForMs: 500,
      partitionAtMs: 3_000,
      partitionForMs: 5_000,
    },
    { duelMs: 500, duelSeeds: 1, flpNodes: 3, flpReleaseMs: 500, flpSeeds: 1 },
    { duelMs: 6_000, duelSeeds: 1, flpNodes: 9, flpReleaseMs: 4_000, flpSeeds: 1 },
  ];
  for (const s of samples) {
    const p = cs.parseConsensusParams({ duelSeeds: 1, flpSeeds: 1, ...s });
    const claims = [
      ...cs.checkKvComparison(cs.kvComparison(p), p),
      ...cs.checkDuelingProposers(cs.duelingProposers(p)),
      ...cs.checkFlp(cs.flpSweep(p)),
    ];
    try {
      assertClaims(claims);
    } catch (e) {
      throw new Error(`parameters ${JSON.stringify(s)}: ${(e as Error).message}`);
    }
  }
});

Deno.test("a bad parameter gives the one-line ConfigError naming the field", () => {
  assert.throws(
    () => cs.parseConsensusParams({ nodes: 2 }),
    (e: unknown) =>
      e instanceof ConfigError && /nodes/.test(e.message) && !e.message.includes("\n"),
  );
});
