import assert from "node:assert/strict";
import { ConfigError } from "@lab/sim/mod.ts";
import {
  checkLocks,
  fencingRow,
  fencingRun,
  holdIntervals,
  type LockExperiment,
  type LockParams,
  LockParamsSchema,
  parseLockParams,
  pauseRegime,
  pauseWindows,
  runLockExperiment,
} from "@lab/experiments/locks.ts";
import { assertClaims, type Claim, isApplicable } from "@lab/experiments/claims.ts";
import { nodeStateTimeline, spaceTimeDiagram } from "@lab/viz/mod.ts";
import { assertRenders } from "../viz/_assert_chart.ts";

const failing = (cs: readonly Claim[]) => cs.filter((c) => isApplicable(c) && !c.holds);

const p0 = parseLockParams({});
const x0 = runLockExperiment(p0);

Deno.test("locks: every prediction holds with the notebook's defaults", () => {
  assert.deepEqual(failing(checkLocks(x0, p0)).map((c) => `${c.claim} (${c.detail})`), []);
  const applicable = checkLocks(x0, p0).filter(isApplicable).length;
  assert.equal(applicable, 17, `only ${applicable} claims applied with the defaults`);
  assert.equal(x0.fencing.length, 2);
  assert.equal(x0.sweep.length, 2 * p0.pauseSweepMs.length);
  assert.equal(x0.election.filter((r) => r.fault === "crash").length, p0.electionSeeds);
  assert.deepEqual(x0.redlock.map((r) => r.scenario), ["handover", "clock-jump", "pause"]);
});

Deno.test("locks: the notebook's parameter range (sampled) keeps every applicable prediction", () => {
  const points: Record<string, unknown>[] = [
    { leaseMs: 200, pauseMs: 600, pauseSweepMs: [100, 400, 800], electionSeeds: 2 },
    { leaseMs: 800, pauseMs: 1500, pauseSweepMs: [300, 1200, 2000], electionSeeds: 2, seed: 3 },
    { servers: 5, pollMs: 10, electionSeeds: 2, electionFaultForMs: 1500, pauseSweepMs: [900] },
    { redlockNodes: 3, jumpNode: "r0", redlockTtlMs: 500, electionSeeds: 1, pauseSweepMs: [500] },
    { redlockNodes: 7, jumpNode: "r3", redlockTtlMs: 2000, electionSeeds: 1, pauseSweepMs: [500] },
    {
      pauseMs: 450,
      electionFaultForMs: 300,
      redlockTtlMs: 150,
      electionSeeds: 1,
      pauseSweepMs: [500],
    },
  ];
  for (const pt of points) {
    const p = parseLockParams(pt);
    const bad = failing(checkLocks(runLockExperiment(p), p));
    assert.deepEqual(bad.map((c) => `${c.claim} (${c.detail})`), [], JSON.stringify(pt));
  }
});

Deno.test("locks: a pause inside the takeover window or a short election fault makes those claims n/a", () => {
  const p = parseLockParams({
    pauseMs: 450,
    electionFaultForMs: 300,
    electionSeeds: 1,
    pauseSweepMs: [500],
  });
  assert.equal(pauseRegime(p, 450), "n/a");
  const cs = checkLocks(runLockExperiment(p), p);
  const na = cs.filter((c) => !isApplicable(c)).map((c) => c.claim);
  assert.ok(na.some((c) => /late write corrupts/.test(c)));
  assert.ok(na.some((c) => /paused leader resumes/.test(c)));
});

function mutate(f: (x: LockExperiment) => LockExperiment, p: LockParams = p0): string[] {
  return failing(checkLocks(f(x0), p)).map((c) => c.claim);
}

Deno.test("locks: mutated results make the matching claims fail", () => {
  // the resource accepted the late write although fencing was on (a resource without the check)
  const noFence = mutate((x) => ({
    ...x,
    fencing: x.fencing.map((r) =>
      r.fencing ? { ...r, staleWrite: "accepted", resourceSafe: false } : r
    ),
  }));
  assert.ok(noFence.some((c) => /with fencing, the resource rejects/.test(c)), noFence.join("; "));
  // the corruption went unnoticed (a checker that misses it)
  const blind = mutate((x) => ({
    ...x,
    fencing: x.fencing.map((r) => ({ ...r, resourceSafe: true, witness: "" })),
    redlock: x.redlock.map((r) => ({ ...r, resourceSafe: true, witness: "" })),
  }));
  assert.ok(blind.some((c) => /without fencing, A's write/.test(c)));
  assert.ok(blind.some((c) => /clock jump/.test(c)));
  assert.ok(blind.some((c) => /client paused/.test(c)));
  // a takeover before a full lease (a contender comparing clocks it should not trust)
  const early = mutate((x) => ({
    ...x,
    fencing: x.fencing.map((r) => ({ ...r, takeoverMs: 0.5 * p0.leaseMs })),
  }));
  assert.ok(early.some((c) => /B takes the lock/.test(c)));
  // a sweep point that corrupts although predicted safe
  const sweep = mutate((x) => ({ ...x, sweep: x.sweep.map((s) => ({ ...s, corrupted: true })) }));
  assert.ok(sweep.some((c) => /corrupted iff/.test(c)));
  // an election that took two leases
  const slow = mutate((x) => ({
    ...x,
    election: x.election.map((r) =>
      r.fault === "crash" ? { ...r, electionMs: 2 * p0.leaseMs + 500 } : r
    ),
  }));
  assert.ok(slow.some((c) => /after the leader crashes/.test(c)));
  // two leaders under a partition
  const split = mutate((x) => ({
    ...x,
    election: x.election.map((r) => r.fault === "partition" ? { ...r, exclusiveHolds: false } : r),
  }));
  assert.ok(split.some((c) => /cut off from the store/.test(c)));
  // a contender's clock jump that split the leadership under the observed rule
  const jumpObs = mutate((x) => ({
    ...x,
    election: x.election.map((r) =>
      r.fault === "clock-jump" && r.takeover === "observed"
        ? { ...r, newLeader: "c2", exclusiveHolds: false }
        : r
    ),
  }));
  assert.ok(jumpObs.some((c) => /changes nothing under the observed rule/.test(c)));
  // the "expiry" mistake that did not split (a model whose contenders ignore the record's expiry)
  const jumpExp = mutate((x) => ({
    ...x,
    election: x.election.map((r) =>
      r.fault === "clock-jump" && r.takeover === "expiry"
        ? { ...r, newLeader: undefined, exclusiveHolds: true, electionMs: NaN }
        : r
    ),
  }));
  assert.ok(jumpExp.some((c) => /under the "expiry" rule/.test(c)));
  // a Redlock validity without the drift allowance
  const drift = mutate((x) => ({
    ...x,
    redlock: x.redlock.map((r) => ({ ...r, aValidityMs: p0.redlockTtlMs - 1 })),
  }));
  assert.ok(drift.some((c) => /validity/.test(c)));
});

Deno.test("locks: a mutated model (the 'fenced' run on a resource without the check) fails the fencing claim", () => {
  const unchecked = fencingRun(p0, false);
  const x = { ...x0, fencing: [x0.fencing[0], fencingRow(p0, unchecked, true, p0.pauseMs)] };
  const bad = failing(checkLocks(x, p0)).map((c) => c.claim);
  assert.deepEqual(bad.length, 1, bad.join("; "));
  assert.match(bad[0], /with fencing, the resource rejects/);
});

Deno.test("locks: claims checked against the wrong parameters fail (predictions come from the parameters)", () => {
  const wrongLease = parseLockParams({ leaseMs: 1000 });
  const bad = failing(checkLocks(x0, wrongLease)).map((c) => c.claim);
  assert.ok(bad.some((c) => /B takes the lock/.test(c)), bad.join("; "));
  assert.ok(bad.some((c) => /after the leader crashes/.test(c)));
  const wrongPause = parseLockParams({ pauseMs: 3000 });
  assert.ok(
    failing(checkLocks(x0, wrongPause)).some((c) => /both believe they hold/.test(c.claim)),
  );
  assert.throws(() => assertClaims(checkLocks(x0, wrongLease)), /predictions failed/);
});

Deno.test("locks: bad parameters are refused with a ConfigError naming the field", () => {
  const cases: [Record<string, unknown>, string][] = [
    [{ leaseMs: 0 }, "leaseMs"],
    [{ leaseMs: -1 }, "leaseMs"],
    [{ pauseMs: 0 }, "pauseMs"],
    [{ pauseSweepMs: [] }, "pauseSweepMs"],
    [{ pauseSweepMs: [100, -1] }, "pauseSweepMs[1]"],
    [{ redlockNodes: 4 }, "redlockNodes"],
    [{ jumpNode: "r9" }, "jumpNode"],
    [{ jumpNode: "r3" }, "jumpNode"],
    [{ electionSeeds: 0 }, "electionSeeds"],
    [{ servers: 0 }, "servers"],
    [{ nope: 1 }, ""],
  ];
  for (const [input, path] of cases) {
    assert.throws(
      () => parseLockParams(input),
      (e) => e instanceof ConfigError && e.issues.some((i) => i.path === path),
      JSON.stringify(input),
    );
  }
  assert.equal(LockParamsSchema.safeParse({}).success, true);
});

Deno.test("locks: chart helpers give one lane per holder and the pause window", () => {
  const run = x0.fencingRuns[0];
  const lanes = holdIntervals(run.history);
  assert.deepEqual([...new Set(lanes.map((l) => l.node))].sort(), ["a", "b"]);
  assert.ok(lanes.some((l) => l.state === "holds token 2"));
  const [w] = pauseWindows(run);
  assert.equal(w.endMs - w.startMs, p0.pauseMs);
});

Deno.test("locks: the fencing run's lock traffic and holds render as charts", async () => {
  const run = x0.fencingRuns[0];
  // only client and resource traffic: no message between two key-value servers
  const servers = new Set(["n0", "n1", "n2"]);
  assert.ok(run.trace.some((r) => r.type === "deliver" && r.to === "store"));
  assert.ok(
    run.trace.every((r) => !(r.type === "send" && servers.has(r.from) && servers.has(r.to))),
  );
  await assertRenders(
    spaceTimeDiagram(run.trace, { nodes: ["a", "b", "store", "n0", "n1", "n2"] }),
  );
  await assertRenders(
    nodeStateTimeline(holdIntervals(run.history), { faults: pauseWindows(run) }),
    ["holds token 2"],
  );
});

Deno.test("locks: same parameters, same runs", () => {
  const again = runLockExperiment(p0);
  assert.deepEqual(
    again.fencingRuns.map((r) => r.traceHash),
    x0.fencingRuns.map((r) => r.traceHash),
  );
  assert.deepEqual(again.election, x0.election);
});
