/**
 * Notebook 09 (exercise: Raft): its predictions with smaller trial counts, a model or an input that
 * makes each claim fail, the parameter changes the notebook suggests, and a sample of the schema's
 * range. Expected counts are computed here from the parameters, not taken from the module.
 */
import assert from "node:assert/strict";
import * as rx from "@lab/experiments/raft_exercise.ts";
import { assertClaims, type Claim, isApplicable } from "@lab/experiments/claims.ts";
import { type BatteryNode, raftBattery, referenceRaft } from "@lab/protocols/raft/battery.ts";
import { ConfigError } from "@lab/sim/mod.ts";
import { binomial } from "@lab/experiments/pbs.ts";

const failing = (cs: Claim[], text: RegExp) => {
  const c = cs.find((x) => text.test(x.claim));
  assert.ok(c, `no claim matching ${text}: ${cs.map((x) => x.claim).join(" | ")}`);
  assert.equal(c.holds, false, `${c.claim} should fail: ${c.detail}`);
};
const holdsOrNa = (cs: Claim[], where: string) => {
  const bad = cs.filter((c) => !c.holds);
  assert.equal(bad.length, 0, `${where}: ${bad.map((c) => `${c.claim}: ${c.detail}`).join("; ")}`);
};

// ---- step-through ------------------------------------------------------------------------------

for (const seed of [1, 2, 3]) {
  Deno.test(`raft exercise: the step-through's claims hold (seed ${seed})`, () => {
    assertClaims(rx.checkStepThrough(rx.raftStepThrough(rx.parseRaftExerciseParams({ seed }))));
  });
}

Deno.test("raft exercise: the step-through exercises §5.4.1 and fails without the log check", () => {
  const p = rx.parseRaftExerciseParams({ seed: 1 });
  const ok = rx.raftStepThrough(p);
  // two of the four survivors lack the entry, and at least one of them asks a holder for a vote
  assert.equal(ok.lagging.length, 2);
  assert.equal(ok.reElection.holders.length, 2);
  assert.ok(ok.reElection.requestsToHolders > 0);
  const bad = rx.checkStepThrough(
    rx.raftStepThrough(p, { mistakeVoteWithoutUpToDateCheck: true }),
  );
  failing(bad, /§5\.4\.1/);
  failing(bad, /no safety property/);
  failing(bad, /holds the committed entry/);
});

Deno.test("raft exercise: each step-through claim fails on a mutated run", () => {
  const s = rx.raftStepThrough(rx.parseRaftExerciseParams({ seed: 2 }));
  failing(rx.checkStepThrough({ ...s, first: { ...s.first, votes: [] } }), /majority of its term/);
  failing(
    rx.checkStepThrough({ ...s, replication: { ...s.replication, acks: [] } }),
    /commits once a majority/,
  );
  failing(
    rx.checkStepThrough({
      ...s,
      replication: {
        ...s.replication,
        appliedMs: { ...s.replication.appliedMs, [s.lagging[0]]: 1 },
      },
    }),
    /cut-off ones do not/,
  );
  failing(rx.checkStepThrough({ ...s, breach: "x" }), /no safety property/);
});

// ---- Figure 16 ---------------------------------------------------------------------------------

const SMALL = {
  trials: 150,
  fixedTrials: 6,
  trialCapMs: 30_000,
  electionTimeoutMaxesMs: [150, 155, 200, 300],
};

Deno.test("raft exercise: Figure 16's predictions hold with 150 trials per range", async () => {
  const p = rx.parseRaftExerciseParams({ seed: 2, ...SMALL });
  let ticks = 0;
  const r = await rx.figure16(p, { tick: () => void ticks++ });
  assert.equal(r.rows.length, 6 + 3 * 150);
  assert.equal(ticks, 6 + 3 * 150);
  const cs = rx.checkFigure16(r, p);
  assertClaims(cs);
  // the lock-step prediction applies on the disk testbed: window 12.5 ms > jitter 1 ms
  assert.ok(cs.every(isApplicable), cs.filter((c) => !isApplicable(c)).map((c) => c.claim).join());
  // every curve is in the comparison, with the paper's words where it has some
  const rows = rx.figure16Comparison(r, p);
  assert.deepEqual(rows.map((x) => x.range), [
    "150–150 ms",
    "150–155 ms",
    "150–200 ms",
    "150–300 ms",
  ]);
  assert.match(rows[0].paper, /consistently took longer than 10 seconds/);
  assert.match(rows[1].paper, /287ms/);
  assert.match(rows[2].paper, /513ms/);
  assert.ok(rows.every((x) => x.medianMs <= x.p99Ms && x.p99Ms <= x.maxMs));
  // each Figure 16 claim fails on a mutated summary
  const mut = (f: (x: rx.ElectionSummary, i: number) => Partial<rx.ElectionSummary>) => ({
    ...r,
    summary: r.summary.map((x, i) => ({ ...x, ...f(x, i) })),
  });
  failing(
    rx.checkFigure16(mut((x) => x.maxMs === 150 ? { bestMs: 900 } : {}), p),
    /every election takes longer than 10 s/,
  );
  failing(
    rx.checkFigure16(mut((x) => x.maxMs === 155 ? { p50Ms: Infinity } : {}), p),
    /removes the lock step/,
  );
  failing(
    rx.checkFigure16(mut((_, i) => ({ meanTerms: i + 1 })), p),
    /terms per leader change fall/,
  );
  failing(rx.checkFigure16(mut((_, i) => ({ p99Ms: 100 * (i + 1) })), p), /99th percentile falls/);
  failing(rx.checkFigure16(mut(() => ({ bestMs: 10 })), p), /half the minimum timeout/);
});

Deno.test("raft exercise: the lock-step bound is computed from the testbed, and says n/a outside it", () => {
  const p = rx.parseRaftExerciseParams({});
  const [network, disk] = rx.testbeds(p);
  // disk: window 12 + 0.5, jitter 1, drift opens 2 × 100 ppm × 150 ms = 0.03 ms per round
  assert.ok(Math.abs(rx.lockStepBoundMs(disk, 150, 100) - (11.5 / 0.03) * 150) < 1e-6);
  // network: jitter 6 ms ≥ window 3 ms: a first round can succeed
  assert.equal(rx.lockStepBoundMs(network, 150, 100), 0);
  assert.equal(rx.lockStepBoundMs(disk, 150, 0), Infinity);
});

Deno.test("raft exercise: the testbeds have the paper's broadcast time (~15 ms)", () => {
  const [network, disk] = rx.testbeds(rx.parseRaftExerciseParams({}));
  assert.ok(network.broadcastMs > 13 && network.broadcastMs < 17, `${network.broadcastMs}`);
  assert.ok(disk.broadcastMs > 13 && disk.broadcastMs < 17, `${disk.broadcastMs}`);
});

Deno.test("raft exercise: an election trial is deterministic and starts from unequal logs", () => {
  const spec = {
    seed: "t",
    servers: 5,
    minMs: 150,
    maxMs: 300,
    latencyMsMin: 0.5,
    latencyMsMax: 1.5,
    diskWriteMs: 12,
    clockDriftPpm: 100,
    capMs: 10_000,
  };
  const a = rx.electionTrial(spec), b = rx.electionTrial(spec);
  assert.deepEqual(a, b);
  assert.equal(new Set(a.logLengths).size, 4, `log lengths ${a.logLengths}`);
  assert.ok(a.electionMs >= 75 && a.electionMs < 1_000, `${a.electionMs}`);
});

Deno.test("raft exercise: the sensitivity prediction follows the windows, and fails swapped", async () => {
  const p = rx.parseRaftExerciseParams({ seed: 3, sensitivityTrials: 150 });
  let ticks = 0;
  const r = await rx.splitVoteSensitivity(p, { tick: () => void ticks++ });
  assert.equal(ticks, 2 * 2 * 150);
  assertClaims(rx.checkSensitivity(r));
  const swapped = {
    ...r,
    models: [r.models[1], r.models[0]].map((m, i) => ({ ...r.models[i], name: m.name })),
  };
  failing(rx.checkSensitivity(swapped as typeof r), /wider split-vote window/);
});

// ---- the parameter changes the notebook suggests, and a sample of the schema's range -----------

Deno.test("raft exercise: the notebook's suggested Figure 16 changes hold or say n/a", async () => {
  for (
    const set of [
      { figure16Testbed: "network" },
      { electionTimeoutMinMs: 25, electionTimeoutMaxesMs: [50, 100] },
      { electionTimeoutMinMs: 25, electionTimeoutMaxesMs: [50, 100], figure16Testbed: "network" },
    ]
  ) {
    const p = rx.parseRaftExerciseParams({ ...SMALL, ...set });
    const cs = rx.checkFigure16(await rx.figure16(p), p);
    holdsOrNa(cs, JSON.stringify(set));
  }
});

Deno.test("raft exercise: a sample of the parameter range: claims hold or say n/a", async () => {
  const points = [
    { seed: 7, servers: 3 },
    { servers: 7, latencyMsMin: 1, latencyMsMax: 2 },
    { clockDriftPpm: 0, electionTimeoutMaxesMs: [155, 200] },
    { clockDriftPpm: 1000 },
    { electionTimeoutMinMs: 300, electionTimeoutMaxesMs: [300, 305, 350, 600] },
    { diskWriteMs: 0, fastLatencyMsMin: 0.1, fastLatencyMsMax: 0.2 },
    { diskWriteMs: 30 },
  ];
  for (const pt of points) {
    const p = rx.parseRaftExerciseParams({ ...SMALL, trials: 100, sensitivityTrials: 60, ...pt });
    holdsOrNa(rx.checkStepThrough(rx.raftStepThrough(p)), `step ${JSON.stringify(pt)}`);
    holdsOrNa(rx.checkFigure16(await rx.figure16(p), p), `fig16 ${JSON.stringify(pt)}`);
    holdsOrNa(rx.checkSensitivity(await rx.splitVoteSensitivity(p)), `sens ${JSON.stringify(pt)}`);
  }
});

// ---- the battery and detection power -----------------------------------------------------------

/** P(X < k) for X ~ Binomial(n, p). */
const binomialBelow = (n: number, p: number, k: number) => {
  let s = 0;
  for (let i = 0; i < k; i++) s += binomial(n, i) * p ** i * (1 - p) ** (n - i);
  return s;
};
/** The largest k with P(X < k) ≤ alpha under Binomial(n, p): fewer catches than k reject p. */
const binomialFloor = (n: number, p: number, alpha: number) => {
  let k = 0;
  while (k < n && binomialBelow(n, p, k + 1) <= alpha) k++;
  return k;
};

Deno.test("raft exercise: a fresh re-measurement holds the stored detection power of stale replies", () => {
  // the hardest catchable mistake, re-measured on seeds the stored measurement (1..200) never used:
  // a seed counts if any scenario of the whole battery fails on it, as in detectionPower
  const stored = rx.MEASURED.mistakeAcceptStaleReplies;
  const p = stored.caught / stored.seeds;
  const seeds = Array.from({ length: 50 }, (_, i) => 1001 + i);
  const r = raftBattery(referenceRaft(rx.mistakeConfig("mistakeAcceptStaleReplies")), { seeds });
  const caught = new Set(r.rows.flatMap((x) => x.failedSeeds)).size;
  // under the stored rate, fewer than k catches in 50 seeds has probability ≤ 0.001
  const k = binomialFloor(seeds.length, p, 0.001);
  assert.ok(k > 0 && binomialBelow(seeds.length, p, k) <= 0.001);
  assert.ok(binomialBelow(seeds.length, p, k + 1) > 0.001, "k is the largest such floor");
  assert.ok(
    caught >= k,
    `caught on ${caught} of ${seeds.length} fresh seeds; the stored p = ${p.toFixed(3)} ` +
      `(${stored.caught}/${stored.seeds}) makes fewer than ${k} a < 0.1 % event: detection regressed`,
  );
  // the floor has teeth: a detector at a third of the stored power falls under it more often than not
  assert.ok(
    binomialBelow(seeds.length, p / 3, k) > 0.5,
    `${binomialBelow(seeds.length, p / 3, k)}`,
  );
});

Deno.test("raft exercise: the default seed count follows the measured detection power", () => {
  // ⌈ln 0.01 / ln(1 − p)⌉ for the hardest catchable mistake ("stale replies")
  const pStale = rx.MEASURED_DETECTION.mistakeAcceptStaleReplies;
  assert.ok(pStale > 0 && pStale < 1);
  assert.equal(rx.seedsNeeded(pStale), Math.ceil(Math.log(0.01) / Math.log(1 - pStale)));
  assert.equal(rx.seedsNeeded(0.355), 11);
  assert.equal(rx.seedsNeeded(0.5), 7);
  assert.equal(rx.seedsNeeded(1), 1);
  assert.equal(rx.seedsNeeded(0), Infinity);
  assert.equal(rx.parseRaftExerciseParams({}).batterySeeds, rx.seedsNeeded(pStale));
  // the default is the seed count of the weakest catchable flag, and ignores uncaught ones
  const power = { ...rx.MEASURED_DETECTION, mistakeVolatileLog: 0.5, mistakeAcceptStaleReplies: 1 };
  assert.equal(rx.defaultBatterySeeds({ ...power, mistakeVolatileVotedFor: 1 }), 7);
  assert.equal(
    rx.defaultBatterySeeds({ ...power, mistakeVolatileVotedFor: 0, mistakeVolatileLog: 1 }),
    1,
  );
  // every catchable flag: 1 − (1 − p)^11 ≥ 0.99
  for (const m of rx.RAFT_MISTAKES) {
    const p = rx.MEASURED_DETECTION[m];
    assert.ok(p === 0 || 1 - (1 - p) ** 11 >= 0.99, m);
  }
  assert.match(rx.passedLine(11), /^passed 11 seeds, which catches each known mistake with ≥ 99 %/);
  // misroutedAppend catches the last flag that no scenario caught (0 of 200 before it)
  assert.deepEqual(rx.uncaughtMistakes(), []);
  assert.equal(rx.MEASURED_DETECTION.mistakeCommitIndexUnbounded, 1);
  assert.doesNotMatch(rx.passedLine(11), /except/);
  assert.match(
    rx.passedLine(11, { ...rx.MEASURED_DETECTION, mistakeCommitIndexUnbounded: 0 }),
    /except "unbounded commitIndex", which no scenario caught in \d+/,
  );
  assert.match(rx.passedLine(3), /only/);
});

Deno.test("raft exercise: battery claims pass the reference and fail when a mistake is missed", () => {
  const p = rx.parseRaftExerciseParams({ batterySeeds: 2 });
  const make = (label: string, mistake: rx.RaftMistake | null, failedSeeds: number[]) => ({
    implementation: label,
    mistake,
    scenario: "basicAgree",
    seeds: 2,
    failed: failedSeeds.length,
    skipped: null,
    verdict: "",
    failRatio: 0,
    outcome: "passes" as const,
    message: failedSeeds.length ? "seed=1 basicAgree: x" : null,
    failedSeeds,
    durationMs: 0,
  });
  const all = [make("reference", null, []), ...rx.RAFT_MISTAKES.map((m) => make(m, m, [1]))];
  holdsOrNa(rx.checkBattery(all), "all caught");
  failing(
    rx.checkBattery([make("reference", null, [2]), ...all.slice(1)]),
    /reference Raft passes/,
  );
  failing(
    rx.checkBattery(
      all.map((c) => c.mistake === "mistakeVolatileLog" ? make("v", c.mistake, []) : c),
    ),
    /volatile log/,
  );
  assert.equal(rx.detectionPower(all).find((d) => d.mistake === "mistakeVolatileLog")!.p, 1 / 2);
  void p;
});

// ---- debugging a learner's failure ---------------------------------------------------------------

Deno.test("raft exercise: a learner's failure replays from its pasted line, traced", () => {
  const makeNode = referenceRaft({ mistakeVolatileLog: true });
  const rows = raftBattery(makeNode, { only: ["lateVotes"], seeds: 1 }).rows;
  const target = rx.debugTarget(makeNode, rows, [])!;
  assert.equal(target.yours, true);
  // the line the notebook prints, evaluated as pasted into a cell
  const pasted = new Function(
    "raftBattery",
    "makeNode",
    "referenceRaft",
    `return ${target.replay};`,
  );
  const again = pasted(raftBattery, makeNode, referenceRaft) as ReturnType<typeof raftBattery>;
  assert.equal(again.rows[0].failed, 1);
  assert.equal(again.rows[0].message, rows[0].message);
  const t = rx.replayTraced(makeNode, target.scenario, target.seed);
  assert.ok(
    t.failure !== null && rows[0].message!.includes(t.failure.replace(/^BatteryFailure: /, "")),
  );
  assert.ok(t.trace.some((r) => r.type === "send"), "a full trace");
  assert.ok(t.roles.some((r) => r.state === "leader"));
  // a passing learner: the demonstration's line, pasted, fails the same way
  const demo = rx.debugTarget(referenceRaft(), [], [{
    ...rows[0],
    implementation: "volatile log",
    mistake: "mistakeVolatileLog",
    verdict: "",
    failRatio: 1,
    outcome: "fails on every seed",
  }])!;
  assert.equal(demo.yours, false);
  const demoRun = pasted(raftBattery, referenceRaft(), referenceRaft) as ReturnType<
    typeof raftBattery
  >;
  void demoRun;
  const demoPasted = new Function("raftBattery", "referenceRaft", `return ${demo.replay};`);
  assert.equal(demoPasted(raftBattery, referenceRaft).rows[0].failed, 1, demo.replay);
});

Deno.test("raft exercise: the shrinker works on a learner's node, and finds nothing in the reference", () => {
  const p = rx.parseRaftExerciseParams({});
  const s = rx.shrinkLearner(referenceRaft({ mistakeVolatileLog: true }), p);
  assert.ok(s.found, "some random schedule breaks the volatile log");
  assert.ok(s.found.shrunk.length < s.found.original.length);
  assert.ok(s.found.failureAfter !== null, "the shrunk schedule still fails");
  const pasted = new Function("rx", "makeNode", `return ${s.found.replay.replay};`);
  assert.ok(pasted(rx, referenceRaft({ mistakeVolatileLog: true })).failure !== null);
  assert.equal(rx.shrinkLearner(referenceRaft(), p, 3).found, null);
});

// ---- shrink demo, acceptance, params, status ------------------------------------------------------

Deno.test("raft exercise: the failing schedule shrinks to a 1-minimal one that replays", () => {
  const d = rx.shrinkDemo(rx.parseRaftExerciseParams({ seed: 1 }));
  assertClaims(rx.checkShrink(d));
  const rows = rx.shrinkProgressRows(d.steps);
  assert.equal(rows.at(-1)!.faults, d.shrunk.length);
  failing(rx.checkShrink({ ...d, withoutOne: d.withoutOne.map(() => "breach") }), /1-minimal/);
  failing(rx.checkShrink({ ...d, correctBreach: "x" }), /correct Raft survives/);
  failing(rx.checkShrink({ ...d, shrunk: d.original }), /much smaller/);
  assert.match(rx.shrinkDiscussion(d).toString(), new RegExp(`${d.original.length} faults became`));
});

Deno.test("raft exercise: the acceptance test fails for a Raft that never elects a leader", async () => {
  class Inert implements BatteryNode<never> {
    onMessage(): void {}
    propose() {
      return { index: -1, term: 0, isLeader: false };
    }
    state() {
      return { term: 0, isLeader: false };
    }
  }
  const rows = await rx.learnerBattery(
    () => new Inert(),
    rx.parseRaftExerciseParams({ batterySeeds: 1 }),
  );
  failing(rx.checkLearner(rows), /passes every scenario/);
  assert.ok(rows.some((r) => r.scenario === "snapshots" && r.skipped !== null));
});

Deno.test("raft exercise: bad parameters name the field", () => {
  assert.throws(
    () => rx.parseRaftExerciseParams({ electionTimeoutMaxesMs: [150, 120] }),
    (e: unknown) => e instanceof ConfigError && e.message.includes("electionTimeoutMaxesMs"),
  );
  assert.throws(() => rx.parseRaftExerciseParams({ trails: 10 }), /trails/);
  assert.throws(() => rx.parseRaftExerciseParams({ figure16Testbed: "ssd" }), /figure16Testbed/);
});

Deno.test("raft exercise: task 5's re-measurement runs and catches stale replies", () => {
  const r = raftBattery(referenceRaft(rx.mistakeConfig("mistakeAcceptStaleReplies")), {
    only: "lateVotes",
    seeds: 40,
  });
  assert.ok(r.rows[0].failed > 0 && r.rows[0].failed < 40, `${r.rows[0].failed} of 40`);
});

Deno.test("raft exercise: the status paragraph is computed from the results", async () => {
  const params = rx.parseRaftExerciseParams({
    ...SMALL,
    trials: 40,
    fixedTrials: 5,
    sensitivityTrials: 40,
    batterySeeds: 1,
  });
  const stepThrough = rx.raftStepThrough(params);
  const figure16 = await rx.figure16(params);
  const sensitivity = await rx.splitVoteSensitivity(params);
  const battery = await rx.batteryMatrix(params);
  assert.equal(battery.length, 24 * 9, "24 scenarios × (reference + 8 mistakes)");
  const shrink = rx.shrinkDemo(params);
  const learner = await rx.learnerBattery(referenceRaft(), params);
  const claims = [...rx.checkStepThrough(stepThrough), ...rx.checkLearner(learner)];
  const text = rx.statusSummary({
    params,
    stepThrough,
    figure16,
    sensitivity,
    battery,
    shrink,
    learner,
    claims,
  }).toString();
  assert.match(text, new RegExp(`${claims.length} of ${claims.length} checked predictions hold`));
  assert.match(
    text,
    new RegExp(`${5 + 3 * 40} trials on the network 0\\.5–1\\.5 ms \\+ disk 12 ms`),
  );
  assert.match(text, /passes 24 of 24 scenarios/);
  assert.match(text, /which catches each known mistake with ≥ \d+(\.\d)? % only \(11 seeds give/);
});

Deno.test("raft exercise: task 4 runs the shrunk schedule with PreVote through runWithSchedule", () => {
  const p = rx.parseRaftExerciseParams({ seed: 1 });
  const d = rx.shrinkDemo(p);
  const r = rx.runWithSchedule(
    { preVote: true, mistakeVoteWithoutUpToDateCheck: true },
    d.shrunk,
    { seed: p.seed, servers: p.servers },
  );
  // PreVote keeps the cut-off server from raising its term, so the same two faults are safe
  assert.equal(r.breach, undefined, r.breach?.message);
});
