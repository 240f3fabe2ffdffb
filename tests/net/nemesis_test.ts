import assert from "node:assert/strict";
import fc from "fast-check";
import { ConfigError, Rng } from "@lab/sim/mod.ts";
import {
  buildSchedule,
  createCluster,
  faultWindows,
  generateSchedule,
  type GeneratorInput,
  installSchedule,
  nodeIds,
  parseSchedule,
} from "@lab/net/mod.ts";

const nodes = nodeIds(5);

Deno.test("nemesis: a schedule naming an unknown node is rejected with the field path", () => {
  assert.throws(
    () =>
      parseSchedule([
        { atMs: 0, type: "crash", node: "n1" },
        { atMs: 10, type: "partition", groups: [["n0"], ["n1", "n9"]] },
      ], nodes),
    (e: unknown) =>
      e instanceof ConfigError && e.message.includes('[1].groups[1][1]: unknown node "n9"'),
  );
  assert.throws(
    () => parseSchedule([{ atMs: -1, type: "heal" }], nodes),
    (e: unknown) => e instanceof ConfigError && e.message.includes("[0].atMs"),
  );
  assert.throws(
    () => parseSchedule([{ atMs: 1, type: "explode" }], nodes),
    (e: unknown) => e instanceof ConfigError && e.message.includes("[0].type"),
  );
  assert.throws(
    () => parseSchedule([{ atMs: 1, type: "partition", groups: [["n0", "n1"], ["n1"]] }], nodes),
    /"n1" is in two groups/,
  );
});

Deno.test("nemesis: createCluster rejects a bad nemesis before anything runs", () => {
  let built = 0;
  assert.throws(
    () =>
      createCluster({
        seed: 1,
        nodes: 3,
        factory: () => {
          built++;
          return { onMessage() {} };
        },
        nemesis: [{ atMs: 5, type: "pause", node: "n0", durationMs: "long" }],
      }),
    (e: unknown) => e instanceof ConfigError && e.message.includes("[0].durationMs"),
  );
  assert.equal(built, 0);
  assert.throws(
    () =>
      createCluster({
        seed: 1,
        nodes: 3,
        factory: () => ({ onMessage() {} }),
        nemesis: { generator: "randomHalves", endMs: 100, periodMs: -5, faultMs: 1 },
      }),
    (e: unknown) => e instanceof ConfigError && e.message.includes("periodMs"),
  );
  assert.throws(
    () => createCluster({ seed: 1, nodes: 0, factory: () => ({ onMessage() {} }) }),
    (e: unknown) => e instanceof ConfigError && e.message.includes("nodes"),
  );
});

const generators: GeneratorInput[] = [
  { generator: "randomHalves", endMs: 10_000, periodMs: 1000, faultMs: 400 },
  { generator: "majorityRing", endMs: 10_000, periodMs: 1000, faultMs: 400 },
  { generator: "bridge", endMs: 10_000, periodMs: 1000, faultMs: 400 },
  { generator: "isolateOne", endMs: 10_000, periodMs: 1000, faultMs: 400 },
  { generator: "flappingLink", endMs: 10_000, upMs: 300, downMs: 100 },
  { generator: "rollingCrashes", endMs: 10_000, periodMs: 700, downMs: 300 },
];

for (const g of generators) {
  Deno.test(`nemesis: the ${g.generator} generator is seeded, valid and bounded in time`, () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e6 }), (seed) => {
        const a = generateSchedule(g, nodes, new Rng(seed).fork("faults"));
        const b = generateSchedule(g, nodes, new Rng(seed).fork("faults"));
        assert.deepEqual(a, b);
        assert.ok(a.length > 0);
        assert.ok(a.every((f) => f.atMs >= 0 && f.atMs <= 10_000));
        parseSchedule(a, nodes); // valid
      }),
      { numRuns: 30 },
    );
  });
}

Deno.test("nemesis: majority ring gives every node a majority, no two the same one", () => {
  for (const n of [5, 7, 9]) {
    const ids = nodeIds(n);
    const s = generateSchedule(
      { generator: "majorityRing", endMs: 10, periodMs: 100, faultMs: 5 },
      ids,
      new Rng(1),
    );
    const cut = s.find((f) => f.type === "cut");
    assert.ok(cut && cut.type === "cut");
    const blocked = new Set(cut.pairs.flatMap(([a, b]) => [`${a}|${b}`, `${b}|${a}`]));
    const views = ids.map((a) =>
      ids.filter((b) => a === b || !blocked.has(`${a}|${b}`)).sort().join(",")
    );
    for (const v of views) assert.ok(v.split(",").length > n / 2, `view ${v} is a majority`);
    assert.equal(new Set(views).size, n, "every node sees a different majority");
  }
});

Deno.test("nemesis: bridge leaves one node connected to both halves", () => {
  const s = generateSchedule(
    { generator: "bridge", endMs: 10, periodMs: 100, faultMs: 5 },
    nodes,
    new Rng(2),
  );
  const cut = s.find((f) => f.type === "cut");
  assert.ok(cut && cut.type === "cut");
  const touched = new Set(cut.pairs.flat());
  assert.equal(touched.size, nodes.length - 1);
});

Deno.test("nemesis: faults take effect at their times and are traced", () => {
  const c = createCluster<number>({
    seed: 1,
    nodes: 3,
    factory: () => ({ onMessage() {} }),
    nemesis: [
      { atMs: 10, type: "crash", node: "n1" },
      { atMs: 20, type: "restart", node: "n1" },
      { atMs: 30, type: "clockJump", node: "n2", deltaMs: 500 },
      { atMs: 40, type: "clockDrift", node: "n2", drift: 0.01 },
      { atMs: 50, type: "isolate", node: "n0" },
      { atMs: 60, type: "heal" },
    ],
  });
  c.sim.run({ untilMs: 15 });
  assert.equal(c.sim.node("n1").up, false);
  c.sim.run({ untilMs: 25 });
  assert.equal(c.sim.node("n1").up, true);
  c.sim.run({ untilMs: 55 });
  assert.ok(Math.abs(c.sim.clockOf("n2").offsetMs - (500 + 15 * 0.01)) < 1e-9);
  assert.equal(c.net.canReach("n0", "n1"), false);
  assert.equal(c.net.canReach("n1", "n2"), true);
  c.sim.run({ untilMs: 70 });
  assert.equal(c.net.canReach("n0", "n1"), true);
  const kinds = c.sim.trace.records.filter((r) => r.type === "nemesis").map((r) =>
    r.type === "nemesis" ? (r.action as { type: string }).type : ""
  );
  assert.deepEqual(kinds, ["crash", "restart", "clockJump", "clockDrift", "isolate", "heal"]);
});

Deno.test("nemesis: fault windows pair partitions with heals and crashes with restarts", () => {
  const s = buildSchedule(
    [
      { atMs: 100, type: "partition", groups: [["n0"], ["n1", "n2"]] },
      { atMs: 300, type: "heal" },
      { atMs: 200, type: "crash", node: "n3" },
      { atMs: 250, type: "restart", node: "n3" },
      { atMs: 400, type: "pause", node: "n4", durationMs: 50 },
      { atMs: 500, type: "crash", node: "n0" },
    ],
    nodes,
    1,
  );
  assert.deepEqual(faultWindows(s, 1000).map((w) => [w.startMs, w.endMs, w.label]), [
    [100, 300, "partition"],
    [200, 250, "crash n3"],
    [400, 450, "pause n4"],
    [500, 1000, "crash n0"],
  ]);
});

Deno.test("cluster: repairAll ends every fault for the liveness phase", () => {
  const c = createCluster<number>({
    seed: 1,
    nodes: 3,
    factory: () => ({ onMessage() {} }),
    nemesis: [
      { atMs: 1, type: "crash", node: "n0" },
      { atMs: 1, type: "pause", node: "n1", durationMs: 10_000 },
      { atMs: 1, type: "clockDrift", node: "n2", drift: 0.01 },
      { atMs: 1, type: "isolate", node: "n2" },
      { atMs: 1, type: "hold", from: "n1", to: "n0" },
    ],
  });
  c.sim.run({ untilMs: 5 });
  c.repairAll();
  assert.ok(c.nodes.every((id) => c.sim.node(id).up && !c.sim.node(id).paused));
  assert.equal(c.sim.clockOf("n2").drift, 0);
  assert.ok(c.net.canReach("n2", "n0") && !c.net.partitioned);
});

Deno.test("nemesis: reconnect ends one node's isolation; network changes loss at run time", () => {
  const c = createCluster<number>({
    seed: 2,
    nodes: 3,
    factory: (ctx) => {
      const tick = () => {
        for (const p of ctx.peers) ctx.send(p, 0);
        if (ctx.nowMs() < 600) ctx.setTimer("t", 1);
      };
      return { start: tick, onTimer: tick, onMessage() {} };
    },
    nemesis: [
      { atMs: 100, type: "isolate", node: "n0" },
      { atMs: 200, type: "reconnect", node: "n0" },
      { atMs: 300, type: "network", lossRatio: 0.5 },
      { atMs: 400, type: "network", reset: true },
      { atMs: 500, type: "network", reorderRatio: 1, reorderDelayMs: 30 },
    ],
  });
  c.sim.run();
  const drops = (reason: string, lo: number, hi: number) =>
    c.sim.trace.records.filter((r) =>
      r.type === "drop" && r.reason === reason && r.t >= lo && r.t < hi
    ).length;
  assert.ok(drops("partition", 100, 200) > 300, "n0 isolated");
  assert.equal(drops("partition", 200, 600), 0, "reconnected");
  const lost = drops("loss", 300, 400);
  assert.ok(lost > 200 && lost < 400, `about half of ~600 messages lost, got ${lost}`);
  assert.equal(drops("loss", 400, 600), 0, "reset to the configured (lossless) network");
  const late =
    c.sim.trace.records.filter((r) => r.type === "deliver" && r.sentAt >= 500 && r.t - r.sentAt > 1)
      .length;
  assert.ok(late > 100, `reordering on: ${late} delayed`);
  const w = c.faultWindows(700);
  assert.ok(w.some((x) => x.label === "isolate n0" && x.startMs === 100 && x.endMs === 200));
  assert.ok(w.some((x) => x.label === "network: loss 0.5" && x.startMs === 300));
  assert.throws(
    () => parseSchedule([{ atMs: 0, type: "reconnect", node: "n7" }], nodes),
    (e: unknown) => e instanceof ConfigError && e.message.includes("[0].node"),
  );
  assert.throws(
    () => parseSchedule([{ atMs: 0, type: "network", lossRatio: 1.5 }], nodes),
    (e: unknown) => e instanceof ConfigError && e.message.includes("lossRatio"),
  );
});

Deno.test("nemesis: a fault scheduled in the past is refused when installed", () => {
  const c = createCluster<number>({ seed: 1, nodes: 3, factory: () => ({ onMessage() {} }) });
  c.sim.run({ untilMs: 500 });
  assert.throws(
    () =>
      installSchedule(c.sim, c.net, [
        { atMs: 600, type: "crash", node: "n1" },
        { atMs: 100, type: "heal" },
      ]),
    (e: unknown) =>
      e instanceof ConfigError && e.message.includes("[1].atMs") &&
      e.message.includes("in the past"),
  );
  installSchedule(c.sim, c.net, [{ atMs: 500, type: "crash", node: "n1" }]); // now is fine
  c.sim.run({ untilMs: 501 });
  assert.equal(c.sim.node("n1").up, false);
});

Deno.test("nemesis: a generator whose end precedes its start is refused, naming endMs", () => {
  for (
    const spec of [
      { generator: "randomHalves", startMs: 5_000, endMs: 1_000, periodMs: 100, faultMs: 50 },
      { generator: "flappingLink", startMs: 10, endMs: 5, upMs: 10, downMs: 10 },
      { generator: "rollingCrashes", startMs: 300, endMs: 200, periodMs: 10, downMs: 5 },
    ] as GeneratorInput[]
  ) {
    assert.throws(
      () => generateSchedule(spec, nodes, new Rng(1)),
      (e: unknown) => e instanceof ConfigError && e.message.includes("endMs"),
      spec.generator,
    );
    assert.throws(
      () => buildSchedule(spec, nodes, 1),
      (e: unknown) => e instanceof ConfigError && e.message.includes("endMs"),
    );
  }
  // equal start and end is an empty window, not an error
  assert.deepEqual(
    generateSchedule(
      { generator: "isolateOne", startMs: 10, endMs: 10, periodMs: 5, faultMs: 1 },
      nodes,
      new Rng(1),
    ),
    [],
  );
});
