/**
 * The shared BFT sweep driver (lib/protocols/bft/sweep_phases.ts) on a scripted cluster: which
 * phase a breach is found in, that faults are repaired only after a clean safety phase, and the
 * exact report lines (the Tendermint, HotStuff and GRANDPA sweeps print them).
 */
import assert from "node:assert/strict";
import {
  bftSweepSchedule,
  type PhasedCluster,
  replayLine,
  runPhases,
  scenarioVerdict,
} from "../../../lib/protocols/bft/sweep_phases.ts";
import type { BftBreach } from "../../../lib/protocols/bft/invariants.ts";

const breach = (slot: number): BftBreach => ({
  invariant: "agreement",
  message: "two values",
  node: "n1",
  timeMs: 10,
  eventIndex: 3,
  traceIndex: 0,
  seed: 7,
  slot,
  culprits: [],
});

/** A cluster whose breaches and decisions appear at scripted times; records what was called. */
function scripted(o: { breachAtMs?: number; decidedAfterHeal: boolean }) {
  const calls: string[] = [];
  const breaches: BftBreach[] = [];
  let now = 0;
  const c: PhasedCluster = {
    sim: {
      run({ untilMs }) {
        calls.push(`run ${untilMs}`);
        if (o.breachAtMs !== undefined && o.breachAtMs <= untilMs && now < o.breachAtMs) {
          breaches.push(breach(4));
        }
        now = untilMs;
      },
    },
    inv: {
      breaches,
      decidedSlots: 5,
      liveness: (from, bound) => {
        calls.push(`liveness ${from} ${bound}`);
        return { ok: o.decidedAfterHeal } as ReturnType<PhasedCluster["inv"]["liveness"]>;
      },
    },
    repairAll: () => calls.push("repair"),
  };
  return { c, calls };
}

const opts = {
  protocol: "tendermint",
  seed: 7,
  safetyMs: 1000,
  livenessBoundMs: 500,
  replay: replayLine(7, "unlockOnLowerRound"),
};

Deno.test("bft sweep phases: a clean, live run repairs after the safety phase and reports decisions", () => {
  const { c, calls } = scripted({ decidedAfterHeal: true });
  assert.deepEqual(runPhases(c, opts), { decisions: 5 });
  assert.deepEqual(calls, ["run 1000", "repair", "run 1500", "liveness 1000 500"]);
});

Deno.test("bft sweep phases: a safety-phase breach is reported before any repair", () => {
  const { c, calls } = scripted({ breachAtMs: 600, decidedAfterHeal: true });
  const r = runPhases(c, { ...opts, tag: "variant=basic" });
  assert.deepEqual(calls, ["run 1000"]);
  assert.match(r.breach!, /^tendermint .*agreement.* slot=4.* variant=basic; /);
  assert.ok(r.breach!.endsWith(`; replay: sweepOne(7, { mistake: "unlockOnLowerRound" })`));
});

Deno.test("bft sweep phases: a breach in the liveness phase wins over liveness", () => {
  const { c, calls } = scripted({ breachAtMs: 1200, decidedAfterHeal: false });
  const r = runPhases(c, opts);
  assert.deepEqual(calls, ["run 1000", "repair", "run 1500"]);
  assert.match(r.breach!, /agreement/);
});

Deno.test("bft sweep phases: no decision after the heal is a liveness breach naming the bound and seed", () => {
  const { c } = scripted({ decidedAfterHeal: false });
  const r = runPhases(c, { ...opts, progress: "new finalised height", tag: "variant=chained" });
  assert.equal(
    r.breach,
    "tendermint liveness: no new finalised height within 500 ms after heal, seed=7 " +
      'variant=chained; replay: sweepOne(7, { mistake: "unlockOnLowerRound" })',
  );
  assert.equal(r.decisions, 5);
});

Deno.test("bft sweep phases: scenario verdicts name the scenario; the replay line omits no mistake", () => {
  const replay = replayLine(8);
  assert.equal(replay, "replay: sweepOne(8)");
  const base = { live: true, decisions: 3, plan: { livenessBoundMs: 900 } };
  const o = { protocol: "hotstuff", seed: 8, scenario: "s1", replay };
  assert.deepEqual(scenarioVerdict(base, o), { decisions: 3 });
  assert.equal(
    scenarioVerdict({ ...base, breach: { line: "hotstuff agreement x" } }, o).breach,
    "hotstuff agreement x; scenario=s1; replay: sweepOne(8)",
  );
  assert.equal(
    scenarioVerdict({ ...base, live: false }, o).breach,
    "hotstuff liveness: no decision within 900 ms after heal, seed=8; scenario=s1; " +
      "replay: sweepOne(8)",
  );
});

Deno.test("bft sweep phases: the schedule's episodes start quietMs before the safety phase ends", () => {
  for (const seed of [1, 2, 3, 4, 5]) {
    const s = bftSweepSchedule(seed, 4, 2_500, { quietMs: 300, episodes: 6, maxDurationMs: 600 });
    assert.ok(s.length > 0);
    const undo = new Set(["heal", "restart", "restore"]);
    for (const step of s.filter((x) => !undo.has(x.type))) {
      assert.ok(step.atMs < 2_200, `seed ${seed}: ${JSON.stringify(step)}`);
    }
    assert.deepEqual(
      s,
      bftSweepSchedule(seed, 4, 2_500, { quietMs: 300, episodes: 6, maxDurationMs: 600 }),
    );
  }
});
