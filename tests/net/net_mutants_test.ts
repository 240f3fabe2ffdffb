/**
 * Tests written to kill the mutants `deno task mutate lib/net` left alive: interceptor chains,
 * the Pareto law's infinite moments, and the refusals of a node in two partition groups and of a
 * region latency naming an unknown region, and the shrinker's step descriptions.
 */
import assert from "node:assert/strict";
import { ConfigError } from "@lab/sim/mod.ts";
import { createCluster, latencyMoments, Network } from "@lab/net/mod.ts";
import { chain, delayAll, duplicate } from "@lab/net/adversary.ts";
import { parseSchedule } from "@lab/net/nemesis.ts";
import { formatFault, shrinkSchedule } from "@lab/net/shrink.ts";

Deno.test("net adversary: chain runs every step in order and adds their delays", () => {
  const sent: { to: string; msg: string; delayMs: number | undefined }[] = [];
  const net = {
    send: (to: string, msg: string, o?: { delayMs?: number }) =>
      void sent.push({ to, msg, delayMs: o?.delayMs }),
  };
  chain<string>(delayAll(5), duplicate(2), delayAll(7))({ from: "n0", to: "n1", msg: "m" }, net);
  assert.ok(sent.length >= 2, `duplicate ran: ${JSON.stringify(sent)}`);
  assert.ok(sent.every((s) => s.to === "n1" && s.msg === "m" && s.delayMs === 12));
  sent.length = 0;
  chain<string>()({ from: "n0", to: "n2", msg: "x" }, net);
  assert.deepEqual(sent, [{ to: "n2", msg: "x", delayMs: 0 }]);
});

Deno.test("net latency: a Pareto law has an infinite mean for alpha ≤ 1 and variance for ≤ 2", () => {
  assert.equal(latencyMoments({ kind: "pareto", alpha: 1, scaleMs: 10 }).mean, Infinity);
  assert.equal(latencyMoments({ kind: "pareto", alpha: 0.5, scaleMs: 10 }).mean, Infinity);
  const m = latencyMoments({ kind: "pareto", alpha: 2, scaleMs: 10 });
  assert.equal(m.mean, 20);
  assert.equal(m.variance, Infinity);
  assert.equal(latencyMoments({ kind: "pareto", alpha: 3, scaleMs: 10 }).variance, 75);
});

Deno.test("net: a node in two partition groups is refused, naming the group and the node", () => {
  const c = createCluster<number>({ seed: 1, nodes: 3, factory: () => ({ onMessage() {} }) });
  assert.throws(
    () => c.net.partition([["n0", "n1"], ["n1", "n2"]]),
    (e: unknown) =>
      e instanceof ConfigError && e.message.includes("groups[1]") &&
      e.message.includes(`node "n1" appears in two groups`),
  );
});

Deno.test("net: a region latency naming an unknown region is refused with its path", () => {
  for (const k of ["from", "to"] as const) {
    const row = { from: "eu", to: "us", latency: { kind: "constant" as const, ms: 4 } };
    assert.throws(
      () =>
        new Network({
          latency: { kind: "constant", ms: 1 },
          regions: { of: { n0: "eu", n1: "us" }, latency: [{ ...row, [k]: "mars" }] },
        }, { seed: 1, nodes: ["n0", "n1"] }),
      (e: unknown) =>
        e instanceof ConfigError && e.message.includes(`regions.latency[0].${k}`) &&
        e.message.includes(`unknown region "mars"`),
    );
  }
});

Deno.test("net shrink: each step says which fault's time it moved, from where to where", () => {
  const s = parseSchedule([{ atMs: 2_000, type: "pause", node: "n0", durationMs: 300 }], ["n0"]);
  const r = shrinkSchedule((x) => x.some((f) => f.type === "pause" && f.atMs >= 1_000), s, {
    resolutionMs: 10,
  });
  const label = formatFault(s[0]);
  const earlier = r.steps.filter((x) => x.kind === "earlier");
  assert.ok(earlier.length > 0);
  assert.ok(
    earlier.some((x) => x.description === `${label} time: 2000 → 0`),
    earlier.map((x) => x.description).join(" | "),
  );
  assert.ok(earlier.every((x) => / time: \d+ → \d+$/.test(x.description)));
});

Deno.test("net: a fifo link never delivers before the send time plus the latency", () => {
  // Messages sent at 10, 20, 30 ms on a FIFO link with a constant 5 ms latency arrive 5 ms
  // after each send: FIFO only ever holds a message back behind the link's previous one.
  const got: { m: number; sentAt: number; at: number }[] = [];
  const c = createCluster<number>({
    seed: 1,
    nodes: 2,
    factory: (ctx) => {
      let k = 0;
      return {
        start: () => {
          if (ctx.self === "n0") ctx.setTimer("t", 10);
        },
        onTimer: () => {
          ctx.send("n1", ++k);
          if (k < 3) ctx.setTimer("t", 10);
        },
        onMessage: (_f, m) => void got.push({ m, sentAt: 10 * m, at: ctx.nowMs() }),
      };
    },
    network: { latency: { kind: "constant", ms: 5 }, fifo: true },
  });
  c.sim.run();
  assert.deepEqual(got.map((g) => [g.m, g.at]), [[1, 15], [2, 25], [3, 35]]);
});

Deno.test("net: a region latency is used even when the base latency is constant", () => {
  const net = new Network({
    latency: { kind: "constant", ms: 1 },
    regions: {
      of: { n0: "eu", n1: "us" },
      latency: [{ from: "eu", to: "us", latency: { kind: "constant", ms: 40 } }],
    },
  }, { seed: 1, nodes: ["n0", "n1"] });
  net.addNode("n0", 0);
  net.addNode("n1", 1);
  assert.equal(net.transmit(0, 1, 0, 0), 40);
});

Deno.test("net shrink: a two-way hold is written with <->, a one-way hold with ->", () => {
  const [two, one] = parseSchedule([
    { atMs: 5, type: "hold", from: "n0", to: "n1", bidirectional: true },
    { atMs: 6, type: "hold", from: "n0", to: "n1" },
  ], ["n0", "n1"]);
  assert.equal(formatFault(two), "t=5 hold n0<->n1");
  assert.equal(formatFault(one), "t=6 hold n0->n1");
});

Deno.test("net cluster: factoryFor must be a function, and a function is used per node", () => {
  const made: string[] = [];
  const c = createCluster<number>({
    seed: 1,
    nodes: 2,
    factory: () => ({ onMessage() {} }),
    factoryFor: (id) => () => (made.push(id), { onMessage() {} }),
  });
  c.sim.run();
  assert.deepEqual(made.sort(), ["n0", "n1"]);
  assert.throws(
    () =>
      createCluster<number>({
        seed: 1,
        nodes: 2,
        factory: () => ({ onMessage() {} }),
        factoryFor: 5 as unknown as () => undefined,
      }),
    (e: unknown) => e instanceof ConfigError && e.message.includes("factoryFor"),
  );
});

Deno.test("net: a client that joins during a partition reaches both sides", () => {
  const net = new Network({ latency: { kind: "constant", ms: 3 } }, {
    seed: 1,
    nodes: ["n0", "n1", "c0"],
  });
  net.addNode("n0", 0);
  net.addNode("n1", 1);
  net.partition([["n0"], ["n1"]]);
  net.addNode("c0", 2, "client");
  assert.equal(net.transmit(0, 1, 0, 0), "partition");
  for (const [a, b] of [[2, 0], [2, 1], [0, 2], [1, 2]]) {
    assert.notEqual(net.transmit(a, b, 0, 0), "partition", `${a}→${b}`);
  }
});

Deno.test("net shrink: an episode pairs a crash with its restart and a partition with its heal", () => {
  const s = parseSchedule([
    { atMs: 10, type: "crash", node: "n0" },
    { atMs: 15, type: "partition", groups: [["n0"], ["n1"]] },
    { atMs: 20, type: "pause", node: "n1", durationMs: 5 },
    { atMs: 40, type: "heal" },
    { atMs: 50, type: "restart", node: "n0" },
  ], ["n0", "n1"]);
  const needed = ["pause", "heal", "restart"];
  const r = shrinkSchedule((x) => needed.every((t) => x.some((f) => f.type === t)), s, {
    resolutionMs: 10,
  });
  assert.deepEqual(r.steps.filter((x) => x.kind === "episode").map((x) => x.description), [
    "remove t=15 partition [n0 | n1] with t=40 heal",
    "remove t=10 crash n0 with t=50 restart n0",
  ]);
});
