/**
 * The seeded fault generators, against their specs: every periodic fault is healed `faultMs` after
 * it starts (and nothing breaks the network again before that heal); every crash is followed by a
 * restart `downMs` later; after `endMs` the cluster is whole again (checked on a running cluster,
 * not only on the schedule); `rollingCrashes.shuffle` and `flappingLink.between` do what they say.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { Rng } from "@lab/sim/mod.ts";
import { createCluster, generateSchedule, type GeneratorInput, nodeIds } from "@lab/net/mod.ts";

const BREAKS = new Set(["partition", "cut", "isolate", "partitionOneWay"]);
const PERIODIC = ["randomHalves", "majorityRing", "bridge", "isolateOne"] as const;

/** On a running cluster: at `probeMs`, are all links open and all nodes up? */
function wholeAt(spec: GeneratorInput, n: number, seed: number, probes: readonly number[]) {
  const c = createCluster<null>({
    seed,
    nodes: n,
    factory: () => ({ onMessage() {} }),
    nemesis: spec,
    trace: { mode: "off" },
  });
  const out: boolean[] = [];
  for (const t of probes) {
    c.sim.at(t, () => {
      let whole = c.nodes.every((id) => c.sim.instanceOf(id) !== undefined);
      for (const a of c.nodes) for (const b of c.nodes) if (a !== b) whole &&= c.net.canReach(a, b);
      out.push(whole);
    });
  }
  c.sim.run({ untilMs: Math.max(...probes) + 1 });
  return out;
}

Deno.test("nemesis generators: each periodic fault is healed faultMs later, the cluster is whole after endMs", () => {
  fc.assert(
    fc.property(
      fc.constantFrom(...PERIODIC),
      fc.integer({ min: 0, max: 1e6 }),
      fc.integer({ min: 3, max: 7 }),
      fc.integer({ min: 20, max: 200 }),
      fc.double({ min: 0.1, max: 0.9, noNaN: true }),
      (generator, seed, n, periodMs, share) => {
        const faultMs = Math.round(periodMs * share);
        const endMs = 10 * periodMs + 7;
        const spec = { generator, startMs: 5, endMs, periodMs, faultMs } as GeneratorInput;
        const s = generateSchedule(spec, nodeIds(n), new Rng(seed).fork("faults"));
        const breaks = s.filter((f) => BREAKS.has(f.type));
        // one fault per period from startMs (majorityRing cuts nothing with 3 nodes)
        const starts = Array.from({ length: 11 }, (_, k) => 5 + k * periodMs); // 5 + 10 × period < endMs
        if (!(generator === "majorityRing" && n < 5)) {
          assert.deepEqual(breaks.map((f) => f.atMs), starts);
        }
        for (const t of starts) {
          const healAt = Math.min(t + faultMs, endMs);
          assert.ok(s.some((f) => f.type === "heal" && f.atMs === healAt), `no heal at ${healAt}`);
          // nothing breaks the network between the fault and its heal but the fault itself
          assert.ok(!breaks.some((f) => f.atMs > t && f.atMs < healAt));
        }
        // on a live cluster: broken in the middle of the first window (if it cut anything),
        // whole between windows and after the end
        const probes = [5 + faultMs / 2, 5 + (faultMs + periodMs) / 2, endMs + 1];
        const [during, between, after] = wholeAt(spec, n, seed, probes);
        if (breaks.length) assert.equal(during, false, "the first fault is in force");
        assert.equal(between, true, "healed before the next period");
        assert.equal(after, true, "whole after endMs");
      },
    ),
    { numRuns: 60, seed: 7 },
  );
});

Deno.test("nemesis rollingCrashes: every crash is restarted downMs later; the cluster is whole after endMs", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 1e6 }),
      fc.integer({ min: 2, max: 7 }),
      fc.integer({ min: 20, max: 200 }),
      fc.double({ min: 0.1, max: 0.9, noNaN: true }),
      fc.boolean(),
      (seed, n, periodMs, share, shuffle) => {
        const downMs = Math.round(periodMs * share);
        const endMs = 12 * periodMs + 3;
        const spec: GeneratorInput = {
          generator: "rollingCrashes",
          endMs,
          periodMs,
          downMs,
          shuffle,
        };
        const ids = nodeIds(n);
        const s = generateSchedule(spec, ids, new Rng(seed).fork("faults"));
        const crashes = s.filter((f) => f.type === "crash");
        const restarts = s.filter((f) => f.type === "restart");
        assert.equal(crashes.length, 13, "one crash per period in [0, endMs)");
        crashes.forEach((c, k) => {
          assert.equal(c.atMs, k * periodMs);
          assert.ok(
            restarts.some((r) =>
              r.type === "restart" && c.type === "crash" && r.node === c.node &&
              r.atMs === Math.min(c.atMs + downMs, endMs)
            ),
            `crash ${k} is restarted`,
          );
        });
        // each round of n crashes takes every node once: in id order unless shuffled
        for (let r = 0; r + n <= crashes.length; r += n) {
          const round = crashes.slice(r, r + n).map((c) => (c.type === "crash" ? c.node : ""));
          assert.deepEqual(round.slice().sort(), ids.slice().sort(), `round ${r / n}`);
          if (!shuffle) assert.deepEqual(round, ids);
        }
        const [mid, after] = wholeAt(spec, n, seed, [downMs / 2, endMs + 1]);
        assert.equal(mid, false, "the first crash is in force");
        assert.equal(after, true, "whole after endMs");
      },
    ),
    { numRuns: 60, seed: 11 },
  );
});

Deno.test("nemesis rollingCrashes: shuffle varies the order across rounds and seeds", () => {
  const ids = nodeIds(5);
  const orders = new Set<string>();
  for (let seed = 0; seed < 10; seed++) {
    const s = generateSchedule(
      { generator: "rollingCrashes", endMs: 5 * 20 * 4, periodMs: 20, downMs: 5 },
      ids,
      new Rng(seed).fork("faults"),
    );
    const crashes = s.flatMap((f) => (f.type === "crash" ? [f.node] : []));
    for (let r = 0; r < crashes.length; r += 5) orders.add(crashes.slice(r, r + 5).join(","));
  }
  // 40 rounds, each a uniform permutation of 5 (120 orders): all in id order has chance 120^-40;
  // fewer than 20 distinct orders has a chance below 1e-9
  assert.ok(orders.size >= 20, `${orders.size} distinct orders`);
});

Deno.test("nemesis flappingLink: `between` fixes the link; without it one random link flaps", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 0, max: 1e6 }),
      fc.integer({ min: 3, max: 7 }),
      fc.integer({ min: 5, max: 100 }),
      fc.integer({ min: 5, max: 100 }),
      (seed, n, upMs, downMs) => {
        const ids = nodeIds(n);
        const endMs = 20 * (upMs + downMs);
        const a = ids[n - 1], b = ids[1];
        for (const between of [[a, b] as [string, string], undefined]) {
          const s = generateSchedule(
            { generator: "flappingLink", endMs, upMs, downMs, ...(between ? { between } : {}) },
            ids,
            new Rng(seed).fork("faults"),
          );
          const cuts = s.flatMap((f) => (f.type === "cut" ? [f.pairs] : []));
          assert.ok(cuts.length > 0);
          const links = new Set(cuts.map((p) => (assert.equal(p.length, 1), p[0].join("|"))));
          assert.equal(links.size, 1, "one link flaps");
          if (between) assert.deepEqual([...links], [`${a}|${b}`]);
          // every cut is healed before the next one, the last by endMs
          const seq = s.filter((f) => f.type === "cut" || f.type === "heal").map((f) => f.type);
          assert.deepEqual(seq, seq.map((_, i) => (i % 2 ? "heal" : "cut")));
          assert.equal(seq.at(-1), "heal");
        }
      },
    ),
    { numRuns: 50, seed: 3 },
  );
  // without `between`, the flapping link is drawn: different seeds pick different links
  const picked = new Set<string>();
  for (let seed = 0; seed < 20; seed++) {
    const s = generateSchedule(
      { generator: "flappingLink", endMs: 1000, upMs: 50, downMs: 50 },
      nodeIds(5),
      new Rng(seed).fork("faults"),
    );
    const c = s.find((f) => f.type === "cut");
    if (c?.type === "cut") picked.add(c.pairs[0].slice().sort().join("|"));
  }
  assert.ok(picked.size >= 4, `${picked.size} links over 20 seeds (10 possible)`);
});
