import assert from "node:assert/strict";
import { ConfigError, Rng, Simulation } from "@lab/sim/mod.ts";
import {
  createCluster,
  type Latency,
  latencyMoments,
  latencySampler,
  Network,
} from "@lab/net/mod.ts";

/** A node that sends `count` messages to every peer, one per `gapMs`. */
function blaster(count: number, gapMs: number) {
  return (ctx: import("@lab/sim/mod.ts").NodeContext<number>) => {
    let k = 0;
    const tick = () => {
      if (k >= count) return;
      k++;
      for (const p of ctx.peers) ctx.send(p, k);
      ctx.setTimer("t", gapMs);
    };
    return { start: tick, onTimer: tick, onMessage() {} };
  };
}

const N = 200_000;
const specs: Latency[] = [
  { kind: "constant", ms: 7 },
  { kind: "uniform", minMs: 2, maxMs: 12 },
  { kind: "normal", meanMs: 50, stdMs: 5 },
  { kind: "exponential", meanMs: 20 },
  { kind: "exponential", meanMs: 5, minMs: 3 },
  { kind: "lognormal", mu: 2, sigma: 0.5 },
  { kind: "pareto", scaleMs: 10, alpha: 4.5 },
  { kind: "empirical", samplesMs: [1, 1, 2, 3, 5, 8, 13] },
];

for (const spec of specs) {
  Deno.test(`net: ${spec.kind} latency matches its mean and variance over ${N} samples`, () => {
    const f = latencySampler(spec, new Rng(11).fork(`lat/${spec.kind}`));
    let sum = 0, sum2 = 0, min = Infinity;
    for (let i = 0; i < N; i++) {
      const x = f();
      sum += x;
      sum2 += x * x;
      min = Math.min(min, x);
    }
    const mean = sum / N, variance = sum2 / N - mean * mean;
    const m = latencyMoments(spec);
    const se = Math.sqrt(m.variance / N);
    assert.ok(min >= 0, "latency is never negative");
    assert.ok(
      Math.abs(mean - m.mean) <= 5 * se + 1e-9,
      `mean ${mean} vs ${m.mean} (±${5 * se})`,
    );
    const tol = spec.kind === "pareto" || spec.kind === "lognormal" ? 0.1 : 0.03;
    assert.ok(
      Math.abs(variance - m.variance) <= tol * m.variance + 1e-9,
      `variance ${variance} vs ${m.variance}`,
    );
  });
}

Deno.test("net: loss and duplication rates fall within binomial bounds", () => {
  const loss = 0.1, dup = 0.05;
  const c = createCluster<number>({
    seed: 4,
    nodes: 4,
    factory: blaster(2000, 1),
    network: { lossRatio: loss, duplicateRatio: dup, latency: { kind: "constant", ms: 1 } },
    trace: { mode: "off" },
  });
  c.sim.run();
  const { sent, dropped, duplicated, delivered } = c.sim.stats;
  assert.equal(sent, 4 * 3 * 2000);
  const bound = (p: number, n: number) => 5 * Math.sqrt(p * (1 - p) / n);
  assert.ok(Math.abs(dropped / sent - loss) < bound(loss, sent), `loss ${dropped / sent}`);
  const kept = sent - dropped;
  assert.ok(Math.abs(duplicated / kept - dup) < bound(dup, kept), `dup ${duplicated / kept}`);
  assert.equal(delivered, kept + duplicated);
});

/** Every node sends one message to every peer at start: "from->to@arrival ms", sorted. */
function arrivals(net: Network, ids: string[]): string[] {
  const sim = new Simulation<number>({ seed: 1, network: net });
  const seen: string[] = [];
  for (const id of ids) {
    sim.addNode(id, (ctx) => ({
      start: () => ctx.peers.forEach((p) => ctx.send(p, 0)),
      onMessage: (from) => seen.push(`${from}->${id}@${sim.nowMs}`),
    }));
  }
  sim.run();
  return seen.sort();
}

Deno.test("net: per-link and per-region overrides choose the latency", () => {
  const net = new Network({
    latency: { kind: "constant", ms: 1 },
    regions: {
      of: { n0: "eu", n1: "eu", n2: "us" },
      latency: [{ from: "eu", to: "us", latency: { kind: "constant", ms: 40 } }],
    },
    links: [{
      from: "n0",
      to: "n1",
      bidirectional: false,
      latency: { kind: "constant", ms: 9 },
    }],
  }, { seed: 1, nodes: ["n0", "n1", "n2"] });
  assert.deepEqual(arrivals(net, ["n0", "n1", "n2"]), [
    "n0->n1@9",
    "n0->n2@40",
    "n1->n0@1",
    "n1->n2@40",
    "n2->n0@40",
    "n2->n1@40",
  ]);
});

Deno.test("net: a per-link latency wins over a constant network latency when nothing else is set", () => {
  // Only `links` departs from a stateless constant network: every other link still takes 3 ms,
  // n0 -> n1 takes 9 ms (one way), n1 -> n2 and back 20 ms.
  const net = new Network({
    latency: { kind: "constant", ms: 3 },
    links: [
      { from: "n0", to: "n1", bidirectional: false, latency: { kind: "constant", ms: 9 } },
      { from: "n1", to: "n2", latency: { kind: "constant", ms: 20 } },
    ],
  }, { seed: 1, nodes: ["n0", "n1", "n2"] });
  assert.deepEqual(arrivals(net, ["n0", "n1", "n2"]), [
    "n0->n1@9",
    "n0->n2@3",
    "n1->n0@3",
    "n1->n2@20",
    "n2->n0@3",
    "n2->n1@20",
  ]);
});

Deno.test("net: bandwidth makes big messages take longer and queue on the link", () => {
  const net = new Network({ latency: { kind: "constant", ms: 5 }, bandwidthBytesPerMs: 1000 }, {
    seed: 1,
  });
  const sim = new Simulation<string>({ seed: 1, network: net });
  const at: Record<string, number> = {};
  sim.addNode("a", (ctx) => ({
    start() {
      ctx.send("b", "block", { sizeBytes: 1_000_000 });
      ctx.send("b", "vote", { sizeBytes: 100 });
    },
    onMessage() {},
  }));
  sim.addNode("b", () => ({ onMessage: (_f, m) => at[m] = sim.nowMs }));
  sim.run();
  assert.equal(at.block, 1005, "1 MB at 1 MB/s plus 5 ms propagation");
  assert.equal(at.vote, 1005.1, "the vote waits behind the block on the same link");
});

Deno.test("net: fifo links never reorder; reordering links do", () => {
  const order = (fifo: boolean) => {
    const c = createCluster<number>({
      seed: 3,
      nodes: 2,
      factory: (ctx) => {
        const got: number[] = [];
        return {
          start: () => {
            if (ctx.self === "n0") { for (let i = 0; i < 500; i++) ctx.send("n1", i); }
          },
          onMessage: (_f, m) => {
            got.push(m);
            ctx.emit({ type: "got", m });
          },
        };
      },
      network: {
        latency: { kind: "exponential", meanMs: 5 },
        fifo,
        reorderRatio: 0.2,
        reorderDelayMs: 20,
      },
    });
    c.sim.run();
    return c.sim.events.map((e) => e.event.m as number);
  };
  const f = order(true), r = order(false);
  assert.deepEqual(f, Array.from({ length: 500 }, (_, i) => i));
  assert.notDeepEqual(r, f);
  assert.deepEqual([...r].sort((a, b) => a - b), f);
});

Deno.test("net: slowLink adds delay and loss until restore", () => {
  const c = createCluster<number>({
    seed: 1,
    nodes: 2,
    factory: blaster(300, 1),
    network: { latency: { kind: "constant", ms: 1 } },
    nemesis: [
      { atMs: 100, type: "slowLink", from: "n0", to: "n1", extraMs: 50, lossRatio: 0.5 },
      { atMs: 200, type: "restore" },
    ],
  });
  c.sim.run();
  const lat = (lo: number, hi: number) =>
    c.sim.trace.records.filter((r) => r.type === "deliver" && r.sentAt >= lo && r.sentAt < hi)
      .map((r) => r.type === "deliver" ? r.t - r.sentAt : 0);
  assert.ok(lat(0, 99).every((x) => x === 1));
  assert.ok(lat(100, 199).every((x) => x === 51));
  assert.ok(lat(200, 300).every((x) => x === 1));
  const lost =
    c.sim.trace.records.filter((r) =>
      r.type === "drop" && r.reason === "loss" && r.t >= 100 && r.t < 200
    ).length;
  assert.ok(lost > 60 && lost < 140, `about half of 200 messages lost, got ${lost}`);
});

Deno.test("net: bad network configs name the field", () => {
  const bad: [unknown, RegExp][] = [
    [{ lossRatio: -0.1 }, /lossRatio/],
    [
      { latency: { kind: "uniform", minMs: 5, maxMs: 1 } },
      /latency\.maxMs: maxMs must be >= minMs/,
    ],
    [{ latency: { kind: "gamma" } }, /latency\.kind/],
    [{ links: [{ from: "n0", to: "n9" }] }, /links\[0\]\.to: unknown node "n9"/],
    [{ bandwidthBytesPerMs: 0 }, /bandwidthBytesPerMs/],
    [{ latency: { kind: "constant", ms: 1, extra: 1 } }, /latency/],
  ];
  for (const [cfg, re] of bad) {
    assert.throws(
      () => new Network(cfg as never, { seed: 1, nodes: ["n0", "n1"] }),
      (e: unknown) => e instanceof ConfigError && re.test(e.message),
      `expected ${re} for ${JSON.stringify(cfg)}`,
    );
  }
});

Deno.test("net: a partition leaves unlisted clients connected to every side", () => {
  const c = createCluster<number>({ seed: 1, nodes: 4, factory: () => ({ onMessage() {} }) });
  c.sim.addNode("c0", () => ({ onMessage() {} }), { role: "client" });
  c.sim.addNode("c1", () => ({ onMessage() {} }), { role: "client" });
  c.net.partition([["n0", "n1"], ["n2", "c1"]]);
  assert.equal(c.net.canReach("c0", "n0"), true);
  assert.equal(c.net.canReach("c0", "n3"), true);
  assert.equal(c.net.canReach("n3", "c0"), true);
  assert.equal(c.net.canReach("c1", "n0"), false, "a listed client is on its side");
  assert.equal(c.net.canReach("c1", "n2"), true);
  assert.equal(c.net.canReach("n0", "n3"), false, "unlisted servers form their own group");
  c.net.heal();
  assert.equal(c.net.canReach("c1", "n0"), true);
});

Deno.test("net: reconnect undoes isolate for one node and leaves other cuts in place", () => {
  const net = new Network({}, { seed: 1 });
  const sim = new Simulation({ seed: 1, network: net });
  for (const id of ["a", "b", "c", "d"]) sim.addNode(id, () => ({ onMessage() {} }));
  net.isolate("a");
  net.isolate("b");
  net.cut([["c", "d"]]);
  assert.equal(net.canReach("a", "c"), false);
  net.reconnect("a");
  assert.ok(net.canReach("a", "c") && net.canReach("c", "a") && net.canReach("a", "d"));
  assert.equal(net.canReach("a", "b"), false, "b is still isolated");
  assert.equal(net.canReach("c", "d"), false, "the c-d cut is not healed");
  assert.equal(net.partitioned, true);
  net.reconnect("b");
  assert.ok(net.canReach("a", "b"));
  net.cutOneWay(["a"], ["c"]);
  net.reconnect("a"); // one-way cuts from or to the node go too
  assert.ok(net.canReach("a", "c"));
  assert.throws(() => net.reconnect("zz"), ConfigError);
});

Deno.test("net: setConditions changes loss and reordering at run time", () => {
  const run = (change: (net: Network) => void) => {
    const c = createCluster<number>({
      seed: 4,
      nodes: 2,
      factory: blaster(400, 1),
      network: { latency: { kind: "constant", ms: 1 } },
    });
    c.sim.at(200, () => change(c.net));
    c.sim.run();
    const drops = (lo: number, hi: number) =>
      c.sim.trace.records.filter((r) => r.type === "drop" && r.t >= lo && r.t < hi).length;
    const late = (lo: number, hi: number) =>
      c.sim.trace.records.filter((r) =>
        r.type === "deliver" && r.sentAt >= lo && r.sentAt < hi && r.t - r.sentAt > 1
      ).length;
    return { before: drops(0, 200), after: drops(200, 400), lateBefore: late(0, 200), c, late };
  };
  const lossy = run((net) => net.setConditions({ lossRatio: 0.3 }));
  assert.equal(lossy.before, 0);
  // 400 messages (both directions) after the change, 30 % lost: binomial mean 120, sd ≈ 9
  assert.ok(lossy.after > 90 && lossy.after < 150, `lost ${lossy.after}`);
  const shuffled = run((net) => net.setConditions({ reorderRatio: 0.5, reorderDelayMs: 20 }));
  assert.equal(shuffled.lateBefore, 0);
  const lateAfter = shuffled.late(200, 400);
  assert.ok(lateAfter > 150 && lateAfter < 250, `delayed ${lateAfter} of 400`);
  const back = run((net) => {
    net.setConditions({ lossRatio: 1 });
    net.resetConditions();
  });
  assert.equal(back.after, 0);
  const net = new Network({}, { seed: 1 });
  assert.throws(
    () => net.setConditions({ lossRatio: 2 }),
    (e: unknown) => e instanceof ConfigError && e.message.includes("lossRatio"),
  );
});
