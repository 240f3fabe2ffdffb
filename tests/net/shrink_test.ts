/**
 * The fault-schedule shrinker (lib/net/shrink.ts): delta debugging finds exactly the faults a
 * synthetic failure needs, simplification moves and shortens what is left, the budget is honoured,
 * everything is deterministic; and on Raft with a classic mistake a generated failing schedule
 * shrinks to a small one that still fails when replayed.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  formatFault,
  randomSchedule,
  shrinkSchedule,
  type ShrinkStep,
} from "../../lib/net/shrink.ts";
import { type Fault, parseSchedule, type Schedule } from "../../lib/net/nemesis.ts";
import { createCluster, nodeIds } from "../../lib/net/cluster.ts";
import { ConfigError } from "../../lib/sim/errors.ts";
import { raftFactory, type RaftNode } from "../../lib/protocols/raft/node.ts";
import type { RaftConfigInput } from "../../lib/protocols/raft/config.ts";
import type { RaftMessage } from "../../lib/protocols/raft/messages.ts";
import { RaftInvariants } from "../../lib/protocols/raft/invariants.ts";

const NODES = nodeIds(5);

const crashesN1 = (f: Fault) => f.type === "crash" && f.node === "n1";
const isolatesN2 = (f: Fault) =>
  (f.type === "isolate" && f.node === "n2") ||
  (f.type === "partition" && f.groups.some((g) => g.length === 1 && g[0] === "n2"));
/** Fails iff the schedule crashes n1 and cuts n2 off from everyone. */
const synthetic = (s: Schedule) => s.some(crashesN1) && s.some(isolatesN2);

/** A noisy schedule from `seed` with the two culprits hidden among its faults. */
function noisy(seed: number, episodes = 30): Schedule {
  const noise = randomSchedule(seed, NODES, {
    endMs: 10_000,
    episodes,
    kinds: ["partition", "cut", "crash", "pause", "clockJump", "slowLink"],
  }).filter((f) => !crashesN1(f) && !isolatesN2(f));
  const at = (k: number) => Math.floor((noise.length * k) / 3);
  const out = noise.slice();
  out.splice(at(2), 0, { atMs: 7_000, type: "isolate", node: "n2" });
  out.splice(at(1), 0, { atMs: 3_500, type: "crash", node: "n1" });
  return out;
}

Deno.test("shrink: delta debugging keeps exactly the crash of n1 and the isolation of n2", () => {
  const original = noisy(1);
  assert.ok(original.length > 40, `${original.length} faults`);
  const r = shrinkSchedule(synthetic, original);
  assert.deepEqual(r.schedule.map(formatFault), ["t=0 crash n1", "t=0 isolate n2"]);
  assert.equal(r.exhausted, false);
  assert.deepEqual(r.original, original);
  assert.equal(r.steps.length, r.runs);
  assert.deepEqual(r.steps[0], {
    run: 1,
    kind: "original",
    description: `${original.length} faults`,
    faults: original.length,
    failed: true,
  });
  assert.ok(r.steps.some((s) => s.kind === "complement" && s.failed));
  assert.ok(r.steps.some((s) => s.kind === "earlier" && s.failed));
  assert.ok(r.runs < 120, `${r.runs} runs`);
  // every kept step failed, every step is numbered in order
  r.steps.forEach((s: ShrinkStep, i) => assert.equal(s.run, i + 1));
});

Deno.test("shrink: deterministic (same input, same result, runs and steps)", () => {
  const original = noisy(2);
  const a = shrinkSchedule(synthetic, original), b = shrinkSchedule(synthetic, original);
  assert.deepEqual(a, b);
});

Deno.test("shrink: property — for any schedule hiding the two culprits, exactly they remain", () => {
  const node = fc.constantFrom(...NODES);
  const at = fc.integer({ min: 0, max: 5_000 });
  const fault: fc.Arbitrary<Fault> = fc.oneof(
    fc.record({ atMs: at, type: fc.constant("crash" as const), node }),
    fc.record({ atMs: at, type: fc.constant("restart" as const), node }),
    fc.record({
      atMs: at,
      type: fc.constant("pause" as const),
      node,
      durationMs: fc.integer({ min: 0, max: 500 }),
    }),
    fc.record({ atMs: at, type: fc.constant("isolate" as const), node }),
    fc.record({ atMs: at, type: fc.constant("heal" as const) }),
  );
  fc.assert(
    fc.property(
      fc.array(fault, { maxLength: 40 }),
      fc.nat(),
      fc.nat(),
      at,
      at,
      (noise, i, j, t1, t2) => {
        const s = noise.filter((f) => !crashesN1(f) && !isolatesN2(f));
        s.splice(i % (s.length + 1), 0, { atMs: t1, type: "crash", node: "n1" });
        s.splice(j % (s.length + 1), 0, { atMs: t2, type: "isolate", node: "n2" });
        const r = shrinkSchedule(synthetic, parseSchedule(s, NODES));
        assert.equal(r.schedule.length, 2);
        assert.ok(synthetic(r.schedule));
        assert.ok(r.schedule.every((f) => f.atMs === 0));
      },
    ),
    { seed: 42, numRuns: 150 },
  );
});

Deno.test("shrink: ddmin is 1-minimal for a non-monotone test (at least three crashes)", () => {
  const s = randomSchedule(3, NODES, { endMs: 5_000, episodes: 25 });
  const crashes = (x: Schedule) => x.filter((f) => f.type === "crash").length;
  assert.ok(crashes(s) >= 3);
  const r = shrinkSchedule((x) => crashes(x) >= 3, s, { simplify: false });
  assert.equal(r.schedule.length, 3);
  assert.equal(crashes(r.schedule), 3);
  // without simplification the faults are the original ones, times untouched
  for (const f of r.schedule) assert.ok(s.some((g) => JSON.stringify(g) === JSON.stringify(f)));
});

Deno.test("shrink: simplification moves times earlier and shortens pauses while it still fails", () => {
  const s = parseSchedule([
    { atMs: 100, type: "crash", node: "n3" },
    { atMs: 2_345, type: "pause", node: "n0", durationMs: 900 },
    { atMs: 4_000, type: "clockJump", node: "n4", deltaMs: -800 },
  ], NODES);
  // fails iff n0 is paused for at least 250 ms starting at 1 s or later
  const fails = (x: Schedule) =>
    x.some((f) => f.type === "pause" && f.node === "n0" && f.atMs >= 1_000 && f.durationMs >= 250);
  const r = shrinkSchedule(fails, s, { resolutionMs: 10 });
  assert.equal(r.schedule.length, 1);
  const p = r.schedule[0] as Extract<Fault, { type: "pause" }>;
  assert.ok(p.atMs >= 1_000 && p.atMs < 1_010, `atMs ${p.atMs}`);
  assert.ok(p.durationMs >= 250 && p.durationMs < 260, `durationMs ${p.durationMs}`);
  assert.ok(r.steps.some((x) => x.kind === "shorten" && x.failed));
  // a clock jump is softened towards 0 as far as the test allows
  const jump = shrinkSchedule(
    (x) => x.some((f) => f.type === "clockJump" && f.deltaMs <= -300),
    s,
  );
  assert.deepEqual(jump.schedule, [{ atMs: 0, type: "clockJump", node: "n4", deltaMs: -300 }]);
  // a cut keeps only the links the failure needs
  const cut = parseSchedule([{
    atMs: 50,
    type: "cut",
    pairs: [["n0", "n1"], ["n0", "n2"], ["n3", "n4"], ["n1", "n2"]],
  }], NODES);
  const needs = (x: Schedule) =>
    x.some((f) => f.type === "cut" && f.pairs.some(([a, b]) => a === "n3" && b === "n4"));
  assert.deepEqual(shrinkSchedule(needs, cut).schedule, [
    { atMs: 0, type: "cut", pairs: [["n3", "n4"]] },
  ]);
});

Deno.test("shrink: the run budget is honoured and the best schedule so far is returned", () => {
  const original = noisy(4, 60);
  const r = shrinkSchedule(synthetic, original, { maxRuns: 8 });
  assert.equal(r.exhausted, true);
  assert.equal(r.runs, 8);
  assert.ok(synthetic(r.schedule), "the result still fails");
  assert.ok(r.schedule.length < original.length);
});

Deno.test("shrink: errors — a schedule that does not fail, bad options; a failure with no fault", () => {
  assert.throws(
    () => shrinkSchedule(() => false, noisy(5)),
    /does not fail, so there is nothing to shrink/,
  );
  assert.throws(() => shrinkSchedule(() => true, [], { maxRuns: 0 }), ConfigError);
  assert.throws(() => shrinkSchedule(() => true, [], { resolutionMs: 0 }), ConfigError);
  const r = shrinkSchedule(() => true, noisy(5));
  assert.deepEqual(r.schedule, []);
  assert.equal(r.runs, 2);
  assert.equal(r.steps[1].kind, "empty");
});

Deno.test("randomSchedule: deterministic by seed, valid, sorted, in the requested vocabulary", () => {
  const opts = { endMs: 3_000, episodes: 30, kinds: ["crash", "slowLink"] as const };
  const a = randomSchedule(9, NODES, { ...opts, kinds: [...opts.kinds] });
  const b = randomSchedule(9, NODES, { ...opts, kinds: [...opts.kinds] });
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, randomSchedule(10, NODES, { ...opts, kinds: [...opts.kinds] }));
  assert.deepEqual(parseSchedule(a, NODES), a);
  assert.ok(a.every((f, i) => i === 0 || a[i - 1].atMs <= f.atMs));
  assert.deepEqual(
    [...new Set(a.map((f) => f.type))].sort(),
    ["crash", "restart", "restore", "slowLink"],
  );
  assert.equal(a.filter((f) => f.type === "crash" || f.type === "slowLink").length, 30);
  assert.throws(() => randomSchedule(1, ["n0"], { endMs: 10 }), ConfigError);
  assert.throws(() => randomSchedule(1, NODES, { endMs: 0 }), ConfigError);
});

// ---- on Raft ------------------------------------------------------------------------------------

/**
 * A Raft run under `schedule` (fixed seed 1, a client proposing every 20 ms); returns the first
 * safety breach, if any. Deterministic, so it can be a shrinker's test.
 */
function raftRun(
  raft: RaftConfigInput,
  schedule: Schedule,
  nodes: number,
  endMs: number,
): string | undefined {
  const c = createCluster<RaftMessage>({
    seed: 1,
    nodes,
    factory: raftFactory(raft),
    nemesis: schedule,
    trace: { mode: "off" },
    collectEvents: false,
    network: { latency: { kind: "uniform", minMs: 1, maxMs: 10 } },
  });
  const inv = new RaftInvariants({ throwOnBreach: false }).attach(c.sim);
  let k = 0;
  const client = () => {
    for (const id of c.nodes) {
      const r = c.sim.instanceOf<RaftNode>(id);
      if (r?.role === "leader") r.propose(`c${k++}`);
    }
    if (c.sim.nowMs < endMs) c.sim.schedule(20, client);
  };
  c.sim.schedule(20, client);
  c.sim.run({ untilMs: endMs, until: () => inv.breach !== undefined });
  return inv.breach?.invariant;
}

/** The first seed (from 1) whose generated schedule fails. */
function firstFailing(gen: (seed: number) => Schedule, fails: (s: Schedule) => boolean) {
  for (let seed = 1; seed <= 100; seed++) {
    const s = gen(seed);
    if (fails(s)) return { seed, schedule: s };
  }
  throw new Error("no generated schedule failed in seeds 1..100");
}

Deno.test("shrink on Raft: voting without the up-to-date check shrinks to at most three faults", () => {
  const raft = { mistakeVoteWithoutUpToDateCheck: true };
  const fails = (s: Schedule) => raftRun(raft, s, 5, 5_000) !== undefined;
  const { seed, schedule } = firstFailing(
    (seed) =>
      randomSchedule(seed, NODES, {
        endMs: 4_000,
        episodes: 20,
        kinds: ["crash", "isolate", "partition"],
      }),
    fails,
  );
  const r = shrinkSchedule(fails, schedule, { maxRuns: 300 });
  const shown = r.schedule.map(formatFault).join("; ");
  console.log(
    `seed ${seed}: ${schedule.length} faults → ${r.schedule.length} (${shown}), ` +
      `${r.runs} runs`,
  );
  assert.ok(r.schedule.length <= 3, shown);
  assert.ok(r.schedule.length < schedule.length / 4);
  // the minimal schedule replays: it still fails, with the same kind of breach
  assert.equal(raftRun(raft, r.schedule, 5, 5_000), raftRun(raft, schedule, 5, 5_000));
  assert.equal(r.exhausted, false);
});

Deno.test("shrink on Raft: a volatile votedFor's double vote shrinks and still fails on replay", () => {
  const raft = { mistakeVolatileVotedFor: true };
  const three = nodeIds(3);
  const fails = (s: Schedule) => raftRun(raft, s, 3, 3_000) === "election-safety";
  // servers bounced (down 1–2 ms) a hundred times, links cut now and then
  const gen = (seed: number) =>
    [
      ...randomSchedule(seed, three, {
        endMs: 3_000,
        episodes: 100,
        maxDurationMs: 2,
        kinds: ["crash"],
      }),
      ...randomSchedule(seed, three, { endMs: 3_000, episodes: 10, kinds: ["cut", "isolate"] }),
    ].sort((a, b) => a.atMs - b.atMs);
  const { seed, schedule } = firstFailing(gen, fails);
  const r = shrinkSchedule(fails, schedule, { maxRuns: 400 });
  const shown = r.schedule.map(formatFault).join("; ");
  console.log(
    `seed ${seed}: ${schedule.length} faults → ${r.schedule.length} (${shown}), ` +
      `${r.runs} runs`,
  );
  assert.ok(r.schedule.length <= schedule.length / 4, shown);
  assert.ok(fails(r.schedule), "the shrunk schedule no longer fails");
  assert.ok(r.schedule.some((f) => f.type === "crash"), "a double vote needs a restart");
});
