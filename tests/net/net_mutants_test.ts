/**
 * Tests written to kill the mutants `deno task mutate lib/net` left alive: interceptor chains,
 * the Pareto law's infinite moments, and the refusals of a node in two partition groups and of a
 * region latency naming an unknown region, and the shrinker's step descriptions; then (seed 4)
 * interceptors, Byzantine tools, adversary and schedule paths, scheduled holds, fault windows,
 * fault formats, cut shrinking, random schedules, latency moments and samplers, run-time
 * network conditions and scheduled network faults; then (held-out seed 101) duplicate's copy
 * count, a bad clock config's path, normal latency validation, a server added during a partition,
 * and reconnect keeping other cuts; then (seed 102) the equivocate strategy's split, a config
 * without links, rollingCrashes drawing nothing extra without jitter, and ddmin's complement step;
 * then (seed 103) dropRandomly's draw and a bandwidth given on one link only; then (seed 104)
 * strategies without groupB or towards; then (seed 105) replay and impersonate, and a configured
 * reordering on a constant-latency network.
 */
import assert from "node:assert/strict";
import { ConfigError, Rng, type Signature, Simulation } from "@lab/sim/mod.ts";
import { createCluster, latencyMoments, latencySampler, Network } from "@lab/net/mod.ts";
import type { NetworkConfigInput } from "@lab/net/network.ts";
import {
  alter,
  behaviourOf,
  byzantineFactory,
  type ByzantineTools,
  chain,
  Coalition,
  delayAll,
  dropAll,
  dropRandomly,
  dropWhere,
  duplicate,
  equivocate,
  parseAdversaries,
} from "@lab/net/adversary.ts";
import { faultWindows, generateSchedule, parseSchedule, type Schedule } from "@lab/net/nemesis.ts";
import {
  formatFault,
  type RandomFaultKind,
  randomSchedule,
  shrinkSchedule,
} from "@lab/net/shrink.ts";

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

/** What each interceptor lets out of one message `m` to `to`. */
const outOf = (
  i: (
    o: { from: string; to: string; msg: number },
    net: { send(to: string, msg: number): void },
  ) => void,
  to: string,
  m: number,
) => {
  const out: string[] = [];
  i({ from: "x", to, msg: m }, { send: (t, msg) => void out.push(`${t}:${msg}`) });
  return out;
};

Deno.test("net adversary: dropWhere, alter, equivocate and dropAll pass exactly what they should", () => {
  const odd = dropWhere<number>((_to, m) => m % 2 === 1);
  assert.deepEqual(outOf(odd, "a", 1), []);
  assert.deepEqual(outOf(odd, "a", 2), ["a:2"]);
  const neg = alter<number>((to, m) => to === "b" ? null : -m);
  assert.deepEqual(outOf(neg, "a", 3), ["a:-3"]);
  assert.deepEqual(outOf(neg, "b", 3), []);
  const eq = equivocate<number>(["b"], (m) => m + 100);
  assert.deepEqual([...outOf(eq, "a", 1), ...outOf(eq, "b", 1)], ["a:1", "b:101"]);
  assert.deepEqual(outOf(dropAll<number>(), "a", 1), []);
});

Deno.test("net adversary: a Byzantine factory's tools sign as the node, and delayed sends wait", () => {
  type M = { v: number; sig?: Signature };
  const sim = new Simulation<M>({ seed: 1 });
  const got: string[] = [];
  const honest = (ctx: import("@lab/sim/mod.ts").NodeContext<M>) => ({
    start: () => ctx.send("r", { v: 1 }),
    onMessage() {},
  });
  sim.addNode(
    "b",
    byzantineFactory<M>(honest, (out, t) => {
      const sig = t.sign({ v: out.msg.v });
      t.send(out.to, { ...out.msg, sig });
      t.send(out.to, { v: 2, sig }, { delayMs: 7 });
    }),
  );
  sim.addNode("r", (ctx) => ({
    onMessage: (f, m) =>
      void got.push(
        `${f} ${m.v} ${m.sig?.signer} ${ctx.verify(m.sig!, { v: m.v })} @${ctx.nowMs()}`,
      ),
  }));
  sim.run();
  assert.deepEqual(got, ["b 1 b true @1", "b 2 b false @8"]);
});

Deno.test("net adversary: parseAdversaries of nothing is empty; a delay or withholding towards an unknown node is refused", () => {
  const ids = ["n0", "n1"];
  assert.deepEqual(parseAdversaries(undefined, ids), []);
  for (const kind of ["delay", "withholdVotes"] as const) {
    const s = kind === "delay"
      ? { kind, delayMs: 1, towards: ["n1", "zz"] }
      : { kind, towards: ["zz"] };
    assert.throws(
      () => parseAdversaries([{ nodes: ["n0"], strategies: [s] }], ids),
      (e: unknown) =>
        e instanceof ConfigError &&
        e.message.includes(
          `[0].strategies[0].towards[${kind === "delay" ? 1 : 0}]: unknown node "zz"`,
        ),
      kind,
    );
  }
});

Deno.test("net nemesis: unknown nodes are named by their exact path in every fault kind", () => {
  const ids = ["n0", "n1"];
  const path = (f: unknown) => {
    try {
      parseSchedule([f], ids);
    } catch (e) {
      if (e instanceof ConfigError) return e.issues.map((i) => i.path);
      throw e;
    }
    return [];
  };
  assert.deepEqual(path({ atMs: 0, type: "cut", pairs: [["n0", "n1"], ["zz", "yy"]] }), [
    "[0].pairs[1][0]",
    "[0].pairs[1][1]",
  ]);
  assert.deepEqual(path({ atMs: 0, type: "partitionOneWay", from: ["zz"], to: ["n0", "yy"] }), [
    "[0].from[0]",
    "[0].to[1]",
  ]);
  assert.deepEqual(path({ atMs: 0, type: "partition", groups: [["n0"], ["n0", "zz"]] }), [
    "[0].groups[1][0]",
    "[0].groups[1][1]",
  ]);
  assert.deepEqual(
    path({
      atMs: 0,
      type: "byzantine",
      nodes: ["n0", "zz"],
      strategies: [
        { kind: "equivocate", groupB: ["n1", "e1"] },
        { kind: "delay", delayMs: 1, towards: ["d1"] },
        { kind: "withholdVotes", towards: ["w1"] },
        { kind: "impersonate", victim: "v1" },
      ],
    }),
    [
      "[0].nodes[1]",
      "[0].strategies[0].groupB[1]",
      "[0].strategies[1].towards[0]",
      "[0].strategies[2].towards[0]",
      "[0].strategies[3].victim",
    ],
  );
  for (const type of ["slowLink", "hold"]) {
    assert.deepEqual(path({ atMs: 0, type, from: "zz", to: "yy" }), ["[0].from", "[0].to"]);
  }
  for (
    const f of [
      { type: "isolate" },
      { type: "reconnect" },
      { type: "crash" },
      { type: "restart" },
      { type: "pause", durationMs: 1 },
      { type: "clockJump", deltaMs: 1 },
      { type: "clockDrift", drift: 0.1 },
    ]
  ) {
    assert.deepEqual(path({ atMs: 0, node: "zz", ...f }), ["[0].node"], f.type);
  }
});

Deno.test("net nemesis: a scheduled hold keeps messages until the scheduled release", () => {
  const got: number[] = [];
  const c = createCluster<number>({
    seed: 1,
    nodes: 2,
    factory: (ctx) => ({
      start: () => {
        if (ctx.self === "n0") ctx.setTimer("t", 10);
      },
      onTimer: () => ctx.send("n1", 1),
      onMessage: () => void got.push(ctx.nowMs()),
    }),
    nemesis: [
      { atMs: 5, type: "hold", from: "n0", to: "n1" },
      { atMs: 30, type: "release" },
    ],
  });
  c.sim.run({ untilMs: 100 });
  assert.deepEqual(got, [30]);
});

Deno.test("net nemesis: fault windows of every kind, open ones closed at the end", () => {
  const s = parseSchedule([
    { atMs: 10, type: "hold", from: "n0", to: "n1" },
    { atMs: 20, type: "release" },
    { atMs: 30, type: "hold", from: "n1", to: "n0" },
    { atMs: 40, type: "slowLink", from: "n0", to: "n1", extraMs: 5 },
    { atMs: 50, type: "restore" },
    { atMs: 60, type: "slowLink", from: "n1", to: "n0", extraMs: 5 },
    { atMs: 70, type: "clockJump", node: "n0", deltaMs: 3 },
    { atMs: 71, type: "clockDrift", node: "n1", drift: 0.1 },
    { atMs: 80, type: "isolate", node: "n1" },
    { atMs: 85, type: "reconnect", node: "n0" },
    { atMs: 90, type: "reconnect", node: "n1" },
    { atMs: 95, type: "cut", pairs: [["n0", "n1"]] },
    { atMs: 96, type: "partitionOneWay", from: ["n0"], to: ["n1"] },
    {
      atMs: 97,
      type: "network",
      lossRatio: 0.5,
      reorderRatio: 0.1,
      reorderDelayMs: 4,
      duplicateRatio: 0.2,
    },
    { atMs: 98, type: "network", reset: true },
    { atMs: 99, type: "network" },
    { atMs: 100, type: "crash", node: "n0" },
    { atMs: 101, type: "crash", node: "n0" },
  ], ["n0", "n1"]);
  assert.deepEqual(
    faultWindows(s, 200).map((w) => `${w.startMs}-${w.endMs} ${w.kind} ${w.label}`),
    [
      "10-20 hold hold n0→n1",
      "30-200 hold hold n1→n0",
      "40-50 slow slow n0-n1",
      "60-200 slow slow n1-n0",
      "70-70 clock clockJump n0",
      "71-71 clock clockDrift n1",
      "80-90 network isolate n1",
      "95-96 network cut",
      "96-200 network partitionOneWay",
      "97-97 network network: loss 0.5, reorder 0.1, reorder ≤ 4 ms, duplicate 0.2",
      "98-98 network network: reset",
      "99-99 network network: unchanged",
      "100-200 crash crash n0",
    ],
  );
});

Deno.test("net shrink: each fault kind has its one-line form", () => {
  const s = parseSchedule([
    { atMs: 1.23456, type: "partitionOneWay", from: ["n0", "n1"], to: ["n2", "n1"] },
    { atMs: 2, type: "cut", pairs: [["n0", "n1"], ["n1", "n2"]] },
    { atMs: 3, type: "partition", groups: [["n0", "n1"], ["n2"]] },
    { atMs: 4, type: "network", lossRatio: 0.5 },
    { atMs: 5, type: "pause", node: "n0", durationMs: 7 },
    { atMs: 6, type: "clockJump", node: "n0", deltaMs: -3 },
    { atMs: 7, type: "clockDrift", node: "n0", drift: 0.01 },
    { atMs: 8, type: "slowLink", from: "n0", to: "n1", extraMs: 4 },
    { atMs: 9, type: "slowLink", from: "n0", to: "n1", extraMs: 4, lossRatio: 0.2 },
    { atMs: 10, type: "byzantine", nodes: ["n0", "n1"], strategies: [{ kind: "silent" }] },
    { atMs: 11, type: "restore" },
    { atMs: 12, type: "reconnect", node: "n2" },
  ], ["n0", "n1", "n2"]);
  assert.deepEqual(s.map(formatFault), [
    "t=1.235 partitionOneWay n0 n1 -> n2 n1",
    "t=2 cut n0-n1 n1-n2",
    "t=3 partition [n0 n1 | n2]",
    `t=4 network {"lossRatio":0.5,"reset":false}`,
    "t=5 pause n0 7ms",
    "t=6 clockJump n0 -3ms",
    "t=7 clockDrift n0 0.01",
    "t=8 slowLink n0-n1 +4ms",
    "t=9 slowLink n0-n1 +4ms loss 0.2",
    `t=10 byzantine n0 n1 {"kind":"silent"}`,
    "t=11 restore",
    "t=12 reconnect n2",
  ]);
});

Deno.test("net shrink: a cut keeps exactly the links the failure needs", () => {
  const ids = ["n0", "n1", "n2", "n3"];
  const s = parseSchedule([{
    atMs: 0,
    type: "cut",
    pairs: [["n0", "n1"], ["n1", "n2"], ["n2", "n3"]],
  }], ids);
  const has = (x: typeof s, a: string, b: string) =>
    x.some((f) => f.type === "cut" && f.pairs.some(([p, q]) => p === a && q === b));
  const r = shrinkSchedule((x) => has(x, "n0", "n1") && has(x, "n1", "n2"), s);
  assert.deepEqual(r.schedule.map(formatFault), ["t=0 cut n0-n1 n1-n2"]);
  assert.deepEqual(
    r.steps.filter((x) => x.kind === "fewer-links" && x.failed).map((x) => x.description),
    ["t=0 cut n0-n1 n1-n2 n2-n3: keep n2-n3 connected"],
  );
});

Deno.test("net shrink: random partitions split the nodes in two, the first side up to half", () => {
  const ids = ["n0", "n1", "n2", "n3", "n4"];
  const s = randomSchedule(4, ids, { endMs: 1_000, episodes: 40, kinds: ["partition"] });
  const parts = s.filter((f) => f.type === "partition");
  assert.equal(parts.length, 40);
  assert.equal(s.filter((f) => f.type === "heal").length, 40);
  const sizes = new Set<number>();
  for (const f of parts) {
    if (f.type !== "partition") continue;
    assert.equal(f.groups.length, 2);
    assert.deepEqual(f.groups.flat().sort(), ids);
    assert.ok(f.groups[0].length >= 1 && f.groups[0].length <= 2);
    sizes.add(f.groups[0].length);
  }
  assert.deepEqual([...sizes].sort(), [1, 2]);
});

Deno.test("net latency: moments of each law, computed by hand", () => {
  const m = (spec: Parameters<typeof latencyMoments>[0]) => {
    const x = latencyMoments(spec);
    return [x.mean, Number(x.variance.toFixed(9))];
  };
  assert.deepEqual(m({ kind: "constant", ms: 7 }), [7, 0]);
  assert.deepEqual(m({ kind: "uniform", minMs: 2, maxMs: 8 }), [5, 3]);
  assert.deepEqual(m({ kind: "normal", meanMs: 4, stdMs: 2 }), [4, 4]);
  assert.deepEqual(m({ kind: "exponential", meanMs: 5 }), [5, 25]);
  assert.deepEqual(m({ kind: "exponential", meanMs: 5, minMs: 3 }), [8, 25]);
  assert.deepEqual(m({ kind: "lognormal", mu: 0, sigma: 0 }), [1, 0]);
  assert.deepEqual(m({ kind: "lognormal", mu: 0, sigma: 0, minMs: 2 }), [3, 0]);
  const ln = latencyMoments({ kind: "lognormal", mu: 1, sigma: 1 });
  assert.ok(Math.abs(ln.mean - Math.exp(1.5)) < 1e-12);
  assert.ok(Math.abs(ln.variance - (Math.E - 1) * Math.exp(3)) < 1e-9);
  assert.deepEqual(m({ kind: "empirical", samplesMs: [1, 3] }), [2, 1]);
  assert.deepEqual(m({ kind: "empirical", samplesMs: [4, 4, 4, 8] }), [5, 3]);
});

Deno.test("net latency: each sampler stays within its law's support", () => {
  const draws = (spec: Parameters<typeof latencySampler>[0]) => {
    const f = latencySampler(spec, new Rng(3).fork(spec.kind));
    return Array.from({ length: 2_000 }, f);
  };
  assert.ok(draws({ kind: "constant", ms: 7 }).every((x) => x === 7));
  const u = draws({ kind: "uniform", minMs: 2, maxMs: 8 });
  assert.ok(u.every((x) => x >= 2 && x < 8) && u.some((x) => x < 3) && u.some((x) => x > 7));
  const n = draws({ kind: "normal", meanMs: 1, stdMs: 5, minMs: 0.5 });
  assert.ok(n.every((x) => x >= 0.5) && n.some((x) => x === 0.5) && n.some((x) => x > 5));
  assert.ok(draws({ kind: "normal", meanMs: 0, stdMs: 5 }).every((x) => x >= 0));
  const e = draws({ kind: "exponential", meanMs: 5, minMs: 3 });
  assert.ok(e.every((x) => x >= 3) && e.some((x) => x < 3.1) && e.some((x) => x > 10));
  const l = draws({ kind: "lognormal", mu: 0, sigma: 0.1, minMs: 2 });
  assert.ok(l.every((x) => x > 2.5 && x < 3.7));
  const p = draws({ kind: "pareto", scaleMs: 10, alpha: 3 });
  assert.ok(p.every((x) => x >= 10) && p.some((x) => x < 10.5) && p.some((x) => x > 20));
  const emp = draws({ kind: "empirical", samplesMs: [1, 5, 9] });
  assert.deepEqual([...new Set(emp)].sort(), [1, 5, 9]);
});

Deno.test("net shrink: random schedules of each kind have the promised shape", () => {
  const ids = ["n0", "n1", "n2", "n3"];
  const of = (kind: RandomFaultKind) =>
    randomSchedule(7, ids, {
      startMs: 100,
      endMs: 1_000,
      episodes: 30,
      kinds: [kind],
      maxDurationMs: 50,
    });
  const within = (s: Schedule) => s.every((f) => f.atMs >= 100 && f.atMs <= 1_050);
  for (
    const [kind, closer] of [["isolate", "heal"], ["cut", "heal"], ["crash", "restart"], [
      "slowLink",
      "restore",
    ]] as const
  ) {
    const s = of(kind);
    assert.ok(within(s), kind);
    assert.equal(s.filter((f) => f.type === kind).length, 30, kind);
    assert.equal(s.filter((f) => f.type === closer).length, 30, kind);
    assert.equal(s.length, 60, kind);
  }
  for (const f of of("cut")) if (f.type === "cut") assert.notEqual(f.pairs[0][0], f.pairs[0][1]);
  for (const f of of("slowLink")) {
    if (f.type === "slowLink") {
      assert.notEqual(f.from, f.to);
      assert.ok(f.extraMs >= 1 && f.extraMs <= 50);
    }
  }
  const pauses = of("pause");
  assert.equal(pauses.length, 30);
  assert.ok(pauses.every((f) => f.type === "pause" && f.durationMs >= 1 && f.durationMs <= 50));
  const jumps = of("clockJump").map((f) => f.type === "clockJump" ? f.deltaMs : NaN);
  assert.equal(jumps.length, 30);
  assert.ok(jumps.some((d) => d < 0) && jumps.some((d) => d > 0));
  assert.ok(jumps.every((d) => Math.abs(d) >= 1 && Math.abs(d) <= 50));
  const dflt = randomSchedule(7, ids, { endMs: 1_000 });
  assert.equal(
    dflt.filter((f) => ["partition", "isolate", "crash", "pause"].includes(f.type)).length,
    20,
  );
  assert.ok(
    dflt.every((f) =>
      ["partition", "isolate", "crash", "pause", "heal", "restart"].includes(f.type)
    ),
  );
  assert.throws(
    () => randomSchedule(1, ids, { endMs: 10, kinds: [] }),
    (e: unknown) => e instanceof ConfigError && e.issues[0].path === "kinds",
  );
  assert.throws(
    () => randomSchedule(1, ids, { startMs: 10, endMs: 10 }),
    (e: unknown) => e instanceof ConfigError && e.issues[0].path === "endMs",
  );
});

Deno.test("net shrink: drifts and slow links are softened towards 0 as far as the failure allows", () => {
  const ids = ["n0", "n1"];
  const s = parseSchedule([
    { atMs: 0, type: "clockDrift", node: "n0", drift: 0.5 },
    { atMs: 0, type: "slowLink", from: "n0", to: "n1", extraMs: 800 },
  ], ids);
  const r = shrinkSchedule(
    (x) =>
      x.some((f) => f.type === "clockDrift" && f.drift >= 0.1) &&
      x.some((f) => f.type === "slowLink" && f.extraMs >= 300),
    s,
    { resolutionMs: 1 },
  );
  const drift = r.schedule.find((f) => f.type === "clockDrift");
  const slow = r.schedule.find((f) => f.type === "slowLink");
  assert.ok(
    drift?.type === "clockDrift" && drift.drift >= 0.1 && drift.drift < 0.1 + 1e-5,
    JSON.stringify(drift),
  );
  assert.ok(slow?.type === "slowLink" && slow.extraMs === 300, JSON.stringify(slow));
  assert.ok(r.steps.some((x) => x.kind === "soften" && x.description.includes("drift")));
  assert.ok(r.steps.some((x) => x.kind === "soften" && x.description.includes("delay")));
});

Deno.test("net: the network reports its nodes, conditions and whether anything is cut", () => {
  const net = new Network({}, { seed: 1 });
  net.addNode("a", 0);
  net.addNode("b", 1);
  assert.deepEqual(net.nodeIds, ["a", "b"]);
  assert.equal(net.partitioned, false);
  net.cutOneWay(["a"], ["b"]);
  assert.equal(net.partitioned, true);
  assert.equal(net.canReach("a", "b"), false);
  assert.equal(net.canReach("b", "a"), true);
  net.heal();
  assert.equal(net.partitioned, false);
  net.partition([["a"], ["b"]]);
  assert.equal(net.partitioned, true);
  net.heal();
  net.setConditions({ lossRatio: 1 });
  net.setConditions({ reorderDelayMs: 3 });
  assert.deepEqual(net.conditions, { lossRatio: 1, reorderDelayMs: 3 });
  assert.equal(net.transmit(0, 1, 0, 0), "loss");
  net.resetConditions();
  assert.deepEqual(net.conditions, {});
  assert.equal(net.transmit(0, 1, 0, 0), 1);
  assert.throws(
    () => net.setConditions({ duplicateRatio: 2 }),
    (e: unknown) => e instanceof ConfigError && e.message.includes("duplicateRatio"),
  );
  assert.throws(() => net.canReach("a", "zz"), /unknown node "zz" \(nodes: a, b\)/);
});

Deno.test("net: run-time duplication and reordering switch a constant network to drawing per link", () => {
  const mk = () => {
    const net = new Network({ latency: { kind: "constant", ms: 2 } }, { seed: 1 });
    net.addNode("a", 0);
    net.addNode("b", 1);
    return net;
  };
  const dup = mk();
  dup.setConditions({ duplicateRatio: 1 });
  assert.deepEqual(dup.transmit(0, 1, 0, 0), [2, 2]);
  const re = mk();
  re.setConditions({ reorderRatio: 1, reorderDelayMs: 10 });
  const ds = Array.from({ length: 50 }, () => re.transmit(0, 1, 0, 0) as number);
  assert.ok(ds.every((d) => d >= 2 && d <= 12) && ds.some((d) => d > 3), String(ds));
  const loss = mk();
  loss.setConditions({ lossRatio: 1 });
  assert.equal(loss.transmit(0, 1, 0, 0), "loss");
});

Deno.test("net nemesis: scheduled cuts, one-way cuts, slow links, restores and network resets take effect", () => {
  const c = createCluster<number>({
    seed: 1,
    nodes: 3,
    factory: () => ({ onMessage() {} }),
    network: { latency: { kind: "constant", ms: 1 } },
    nemesis: [
      { atMs: 10, type: "cut", pairs: [["n0", "n1"]] },
      { atMs: 20, type: "partitionOneWay", from: ["n2"], to: ["n0"] },
      { atMs: 30, type: "heal" },
      { atMs: 40, type: "slowLink", from: "n0", to: "n1", extraMs: 9, bidirectional: false },
      { atMs: 50, type: "restore" },
      { atMs: 60, type: "network", lossRatio: 1 },
      { atMs: 70, type: "network", reset: true, reorderDelayMs: 2 },
    ],
  });
  const at = (t: number) => c.sim.run({ untilMs: t });
  at(15);
  assert.deepEqual([
    c.net.canReach("n0", "n1"),
    c.net.canReach("n1", "n0"),
    c.net.canReach("n2", "n0"),
  ], [
    false,
    false,
    true,
  ]);
  at(25);
  assert.deepEqual([c.net.canReach("n2", "n0"), c.net.canReach("n0", "n2")], [false, true]);
  at(35);
  assert.equal(c.net.partitioned, false);
  at(45);
  assert.equal(c.net.transmit(0, 1, 0, 45), 10);
  assert.equal(c.net.transmit(1, 0, 0, 45), 1);
  at(55);
  assert.equal(c.net.transmit(0, 1, 0, 55), 1);
  at(65);
  assert.equal(c.net.transmit(0, 1, 0, 65), "loss");
  at(75);
  assert.deepEqual(c.net.conditions, { reorderDelayMs: 2 });
  assert.equal(c.net.transmit(0, 1, 0, 75), 1);
});

// ---- held-out sample (seed 101) ---------------------------------------------------------------

Deno.test("net adversary: duplicate(n) sends exactly n copies of each message", () => {
  const received = (copies: number) => {
    const sim = new Simulation<string>({ seed: 1 });
    const got: string[] = [];
    sim.addNode("a", (ctx) => ({ start: () => ctx.send("b", "m"), onMessage() {} }));
    sim.addNode("b", () => ({ onMessage: (_f, m) => void got.push(m) }));
    sim.intercept("a", duplicate(copies));
    sim.run({ untilMs: 50 });
    return got;
  };
  assert.deepEqual(received(0), []);
  assert.deepEqual(received(1), ["m"]);
  assert.deepEqual(received(3), ["m", "m", "m"]);
});

Deno.test("net cluster: a bad clock config is refused naming clocks.<node>", () => {
  const make = (clocks: Record<string, { offsetMs?: number; drift?: number }>) => () =>
    createCluster<number>({ seed: 1, nodes: 2, factory: () => ({ onMessage() {} }), clocks });
  const refusal = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      assert.ok(e instanceof ConfigError, String(e));
      return e.issues.map((i) => i.path);
    }
    assert.fail("accepted");
  };
  assert.deepEqual(refusal(make({ n7: { offsetMs: 1 } })), ["clocks.n7"]);
  assert.throws(make({ n7: { offsetMs: 1 } }), /clocks\.n7: unknown node "n7" \(nodes: n0, n1\)/);
  assert.deepEqual(refusal(make({ n1: { drift: 1 } })), ["clocks.n1.drift"]);
  assert.deepEqual(refusal(make({ n0: { offsetMs: 1, skew: 2 } as never })), ["clocks.n0"]);
  const c = make({ n1: { offsetMs: 100 } })();
  c.sim.run({ untilMs: 1 });
  assert.deepEqual([c.sim.localTime("n0"), c.sim.localTime("n1")], [1, 101], "a good one applies");
});

Deno.test("net latency: a normal latency is validated field by field, defaults applied", () => {
  const refusal = (latency: unknown, where = "latency") => {
    const config = where === "latency" ? { latency } : {
      links: [{ from: "a", to: "b", latency }],
    };
    try {
      new Network(config as never, { seed: 1 });
    } catch (e) {
      assert.ok(e instanceof ConfigError, String(e));
      return e.issues.map((i) => i.path).join(" ");
    }
    return "accepted";
  };
  const ok = { kind: "normal", meanMs: 5, stdMs: 1 };
  assert.equal(refusal(ok), "accepted");
  assert.equal(refusal({ ...ok, minMs: 2 }), "accepted");
  assert.equal(refusal({ ...ok, meanMs: -1 }), "latency.meanMs");
  assert.equal(refusal({ ...ok, stdMs: -0.5 }), "latency.stdMs");
  assert.equal(refusal({ ...ok, minMs: -1 }), "latency.minMs");
  assert.equal(refusal({ kind: "normal", meanMs: 5 }), "latency.stdMs");
  assert.equal(refusal({ kind: "normal", stdMs: 1 }), "latency.meanMs");
  assert.equal(refusal({ ...ok, meanMs: "5" }), "latency.meanMs");
  assert.equal(refusal({ ...ok, maxMs: 9 }), "latency", "unknown fields are refused");
  assert.equal(refusal({ ...ok, stdMs: -1 }, "links"), "links[0].latency.stdMs");
  // defaults: nothing is added to the spec; the network's own defaults fill the rest
  const net = new Network({ latency: { kind: "normal", meanMs: 5, stdMs: 0 } }, { seed: 1 });
  assert.deepEqual(net.config, {
    latency: { kind: "normal", meanMs: 5, stdMs: 0 },
    lossRatio: 0,
    duplicateRatio: 0,
    reorderRatio: 0,
    reorderDelayMs: 10,
    fifo: false,
    links: [],
  });
  net.addNode("a", 0);
  net.addNode("b", 1);
  assert.equal(net.transmit(0, 1, 0, 0), 5, "std 0: the mean exactly");
  // minMs defaults to 0: a zero mean and spread gives 0; minMs given clamps up
  const floor = (spec: Record<string, number>) => {
    const n = new Network({ latency: { kind: "normal", ...spec } as never }, { seed: 1 });
    n.addNode("a", 0);
    n.addNode("b", 1);
    return n.transmit(0, 1, 0, 0);
  };
  assert.equal(floor({ meanMs: 0, stdMs: 0 }), 0);
  assert.equal(floor({ meanMs: 2, stdMs: 0, minMs: 3 }), 3);
});

Deno.test("net: a server added during a partition joins no group: cut off from every earlier server", () => {
  const net = new Network({}, { seed: 1 });
  net.addNode("a", 0);
  net.addNode("b", 1);
  net.addNode("u", 2); // left out of the partition: the third group
  net.addNode("cl", 3, "client");
  net.partition([["a"], ["b"]]);
  net.addNode("late", 4);
  net.addNode("late2", 5);
  for (const other of ["a", "b", "u"]) {
    assert.equal(net.canReach("late", other), false, `late -> ${other}`);
    assert.equal(net.canReach(other, "late"), false, `${other} -> late`);
  }
  // the servers that join during the partition share their group; a free client reaches them
  assert.ok(net.canReach("late", "late2") && net.canReach("late2", "late"));
  assert.ok(net.canReach("cl", "late") && net.canReach("late", "cl"));
  net.heal();
  assert.ok(net.canReach("late", "a") && net.canReach("b", "late") && net.canReach("u", "late"));
  // added when nothing is partitioned: with everyone
  net.addNode("later", 6);
  assert.ok(net.canReach("later", "a") && net.canReach("a", "later"));
});

Deno.test("net: reconnect(n0) keeps a cut between two other nodes", () => {
  const net = new Network({}, { seed: 1 });
  const ids = ["n0", "n1", "n2", "n3"];
  ids.forEach((id, i) => net.addNode(id, i));
  net.cut([["n1", "n2"]]);
  net.cutOneWay(["n3"], ["n2"]);
  net.isolate("n0");
  net.reconnect("n0");
  for (const other of ["n1", "n2", "n3"]) {
    assert.ok(net.canReach("n0", other) && net.canReach(other, "n0"), other);
  }
  assert.equal(net.canReach("n1", "n2"), false);
  assert.equal(net.canReach("n2", "n1"), false);
  assert.equal(net.canReach("n3", "n2"), false);
  assert.equal(net.canReach("n2", "n3"), true);
  assert.equal(net.partitioned, true);
});

Deno.test("net cluster: duplicate node ids are refused at createCluster, naming nodes", () => {
  assert.throws(
    () => createCluster({ seed: 1, nodes: ["a", "b", "a"], factory: () => ({}) as never }),
    (e: unknown) =>
      e instanceof ConfigError && e.issues[0]?.path === "nodes" &&
      /node ids must be unique/.test(e.message),
  );
});

Deno.test("net: slowLink on an unknown node is refused, naming slowLink and the node", () => {
  const c = createCluster({ seed: 1, nodes: 2, factory: () => ({}) as never });
  assert.throws(
    () => c.net.slowLink("n0", "n9", { extraMs: 5 }),
    (e: unknown) =>
      e instanceof ConfigError &&
      e.message === 'invalid slowLink: unknown node "n9" (nodes: n0, n1)',
  );
  assert.throws(
    () => c.net.slowLink("n8", "n1", { extraMs: 5 }, false),
    (e: unknown) =>
      e instanceof ConfigError &&
      e.message === 'invalid slowLink: unknown node "n8" (nodes: n0, n1)',
  );
});

// ---- seed 102, second batch -------------------------------------------------------------------

Deno.test("net adversary: the equivocate strategy sends group B a conflicting proposal and vote", () => {
  // a stub kit: "P:x" proposes x, "V:x" votes for x; the conflicting twin of "P:x" is "P:x'"
  const kit = {
    isProposal: (m: string) => m.startsWith("P:"),
    isVote: (m: string) => m.startsWith("V:"),
    conflicting: (m: string) => `${m}'`,
    forge: () => null,
  };
  const b = behaviourOf<string>(
    [{ kind: "equivocate", groupB: ["b"] }],
    kit,
    new Coalition(),
  );
  const sent: string[] = [];
  const tools = {
    self: "z",
    peers: ["a", "b"],
    send: (to: string, msg: string) => void sent.push(`${to}:${msg}`),
  } as unknown as ByzantineTools<string>;
  for (const to of ["a", "b"]) for (const msg of ["P:x", "V:x", "other"]) b({ to, msg }, tools);
  assert.deepEqual(sent, ["a:P:x", "a:V:x", "a:other", "b:P:x'", "b:V:x'", "b:other"]);
});

Deno.test("net: a config without links is accepted with its nodes and keeps the constant delay", () => {
  const net = new Network({ latency: { kind: "constant", ms: 3 } }, {
    seed: 1,
    nodes: ["a", "b"],
  });
  assert.deepEqual(net.config.links, []);
  net.addNode("a", 0);
  net.addNode("b", 1);
  assert.equal(net.transmit(0, 1, 0, 0), 3);
});

Deno.test("nemesis rollingCrashes: with no jitter each round is one Fisher–Yates draw, nothing else", () => {
  // The generator draws from the stream it is given: per round a Fisher–Yates permutation and,
  // only when jitterMs > 0, one uniform per crash. Reproduce that by hand from the same stream.
  const ids = ["n0", "n1", "n2", "n3"];
  const periodMs = 10, downMs = 4, rounds = 5;
  const endMs = periodMs * ids.length * rounds;
  const s = generateSchedule(
    { generator: "rollingCrashes", endMs, periodMs, downMs, shuffle: true, jitterMs: 0 },
    ids,
    new Rng(7).fork("faults"),
  );
  const hand = new Rng(7).fork("faults");
  const expected: string[] = [];
  let t = 0;
  for (let r = 0; r < rounds; r++) {
    const order = ids.slice();
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(hand.next() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    for (const id of order) {
      expected.push(`${t} crash ${id}`, `${t + downMs} restart ${id}`);
      t += periodMs;
    }
  }
  const got = s.map((f) => `${f.atMs} ${f.type} ${"node" in f ? f.node : ""}`);
  assert.deepEqual(got, expected);
});

Deno.test("net shrink: a complement that still fails ends the ddmin round (the chunks are stale)", () => {
  // Four pauses; the failure needs the first and the last. Prefix search keeps all four; ddmin
  // tries halves, then quarters, then complements. Once a complement of the four fails it starts
  // a new round on the three left instead of trying more complements of the old four.
  const ids = ["n0"];
  const s = parseSchedule(
    [0, 1, 2, 3].map((k) => ({ atMs: k * 100, type: "pause", node: "n0", durationMs: 5 })),
    ids,
  );
  const need = (x: Schedule) => x.some((f) => f.atMs === 0) && x.some((f) => f.atMs === 300);
  const r = shrinkSchedule(need, s, { simplify: false });
  assert.deepEqual(r.schedule.map((f) => f.atMs), [0, 300]);
  const complements = r.steps.filter((x) => x.kind === "complement")
    .map((x) => `${x.description} ${x.faults} ${x.failed}`);
  assert.deepEqual(complements, [
    "remove 1 of 4 faults 3 false", // without 0
    "remove 1 of 4 faults 3 true", // without 100: fails, the round ends
    // [0, 200, 300] in thirds ([200, 300] was a half, so its answer is cached): without 200
    "remove 1 of 3 faults 2 true",
  ]);
});

Deno.test("net shrink: an episode pairs a slow link with its restore and a hold with its release", () => {
  const s = parseSchedule([
    { atMs: 10, type: "slowLink", from: "n0", to: "n1", extraMs: 5 },
    { atMs: 15, type: "hold", from: "n1", to: "n0" },
    { atMs: 20, type: "pause", node: "n1", durationMs: 5 },
    { atMs: 40, type: "release" },
    { atMs: 50, type: "restore" },
  ], ["n0", "n1"]);
  const needed = ["pause", "restore", "release"];
  const r = shrinkSchedule((x) => needed.every((t) => x.some((f) => f.type === t)), s, {
    resolutionMs: 10,
  });
  assert.deepEqual(r.steps.filter((x) => x.kind === "episode").map((x) => x.description), [
    "remove t=15 hold n1->n0 with t=40 release",
    "remove t=10 slowLink n0-n1 +5ms with t=50 restore",
  ]);
});

Deno.test("net shrink: maxRuns must be an integer of at least 1, and the error says so", () => {
  for (const maxRuns of [0, 1.5]) {
    assert.throws(
      () => shrinkSchedule(() => true, [], { maxRuns }),
      (e: unknown) =>
        e instanceof ConfigError &&
        e.message === "invalid shrink options: maxRuns: must be an integer >= 1",
    );
  }
});

// ---- held-out sample (seed 103) ---------------------------------------------------------------

Deno.test("net adversary: dropRandomly passes a message exactly when its draw is not a drop", () => {
  const passed = (ratio: number, seed: number, n: number) => {
    const i = dropRandomly<number>(ratio, new Rng(seed));
    const out: number[] = [];
    for (let m = 0; m < n; m++) {
      i({ from: "x", to: "a", msg: m }, { send: (_t, msg) => void out.push(msg) });
    }
    return out;
  };
  const all = Array.from({ length: 50 }, (_, m) => m);
  assert.deepEqual(passed(0, 1, 50), all, "ratio 0 drops nothing");
  assert.deepEqual(passed(1, 1, 50), [], "ratio 1 drops everything");
  // ratio 0.3: message m passes iff the m-th draw of the same stream is >= 0.3 (Rng.chance)
  const twin = new Rng(9);
  const expected = Array.from({ length: 200 }, (_, m) => m).filter(() => !(twin.next() < 0.3));
  const got = passed(0.3, 9, 200);
  assert.deepEqual(got, expected);
  assert.ok(got.length > 100 && got.length < 180, `about 70 % pass: ${got.length}`);
});

Deno.test("net: a bandwidth set on one link only makes message size count on that link", () => {
  const lat = { kind: "constant", ms: 5 } as const;
  const n = (links: NetworkConfigInput["links"]) =>
    new Network({ latency: lat, links }, { seed: 1 });
  assert.equal(new Network({ latency: lat }, { seed: 1 }).usesSize, false);
  assert.equal(new Network({ latency: lat, bandwidthBytesPerMs: 10 }, { seed: 1 }).usesSize, true);
  assert.equal(n([{ from: "a", to: "b", latency: lat }]).usesSize, false, "no bandwidth anywhere");
  assert.equal(n([{ from: "a", to: "b", bandwidthBytesPerMs: 10 }]).usesSize, true);
  assert.equal(
    n([{ from: "a", to: "c", latency: lat }, { from: "a", to: "b", bandwidthBytesPerMs: 10 }])
      .usesSize,
    true,
    "one link of two has a bandwidth",
  );
  // end to end: 1000 bytes (from messageSizeBytes, no sizeBytes given) at 10 bytes/ms on a→b
  const net = n([{ from: "a", to: "b", bandwidthBytesPerMs: 10 }]);
  const sim = new Simulation<string>({ seed: 1, network: net, messageSizeBytes: () => 1000 });
  const at: number[] = [];
  sim.addNode("a", (ctx) => ({ start: () => ctx.send("b", "m"), onMessage() {} }));
  sim.addNode("b", () => ({ onMessage: () => void at.push(sim.nowMs) }));
  sim.run();
  assert.deepEqual(at, [105], "100 ms on the wire plus 5 ms propagation");
});

// ---- held-out sample (seed 104) ---------------------------------------------------------------

Deno.test("net adversary: strategies whose groupB or towards is left out are accepted as written", () => {
  const ids = ["n0", "n1", "n2"];
  const strategies = [
    { kind: "equivocate" as const },
    { kind: "delay" as const, delayMs: 3 },
    { kind: "withholdVotes" as const },
  ];
  assert.deepEqual(parseAdversaries([{ nodes: ["n2"], strategies }], ids), [
    { nodes: ["n2"], strategies, fromMs: 0 },
  ]);
  assert.throws(
    () =>
      parseAdversaries([{
        nodes: ["n2"],
        strategies: [{ kind: "equivocate", groupB: ["n1", "zz"] }],
      }], ids),
    (e: unknown) =>
      e instanceof ConfigError &&
      e.message.includes('[0].strategies[0].groupB[1]: unknown node "zz"'),
  );
});

// ---- held-out seed 105 ----------------------------------------------------------------------

Deno.test("net adversary: replay sends each message now and again afterMs later; impersonate forges votes only", () => {
  // a stub kit: "V:x" is a vote; a forged vote names its victim
  const kit = {
    isProposal: (m: string) => m.startsWith("P:"),
    isVote: (m: string) => m.startsWith("V:"),
    conflicting: (m: string) => `${m}'`,
    forge: (m: string, victim: string) => (m === "V:unforgeable" ? null : `${m}~${victim}`),
  };
  const run = (strategy: Parameters<typeof behaviourOf<string>>[0][number], msgs: string[]) => {
    const b = behaviourOf<string>([strategy], kit, new Coalition());
    const sent: string[] = [];
    const tools = {
      self: "z",
      peers: ["a"],
      send: (to: string, msg: string, o?: { delayMs?: number }) =>
        void sent.push(`${to}:${msg}` + ((o?.delayMs ?? 0) > 0 ? `@${o!.delayMs}` : "")),
    } as unknown as ByzantineTools<string>;
    for (const msg of msgs) b({ to: "a", msg }, tools);
    return sent;
  };
  assert.deepEqual(run({ kind: "replay", afterMs: 7 }, ["V:x", "P:y"]), [
    "a:V:x",
    "a:V:x@7",
    "a:P:y",
    "a:P:y@7",
  ]);
  assert.deepEqual(
    run({ kind: "impersonate", victim: "v" }, ["V:x", "P:y", "V:unforgeable"]),
    ["a:V:x", "a:V:x~v", "a:P:y", "a:V:unforgeable"],
  );
});

Deno.test("net: a configured reordering makes a constant-latency network draw extra delays", () => {
  const net = new Network(
    { latency: { kind: "constant", ms: 2 }, reorderRatio: 1, reorderDelayMs: 10 },
    { seed: 1 },
  );
  net.addNode("a", 0);
  net.addNode("b", 1);
  // every message is held back by a uniform extra delay in [0, 10)
  const ds = Array.from({ length: 50 }, () => net.transmit(0, 1, 0, 0) as number);
  assert.ok(ds.every((d) => d >= 2 && d < 12) && ds.some((d) => d > 3), String(ds));
  // with the ratio at 0 (the default), the delay is the constant
  const plain = new Network({ latency: { kind: "constant", ms: 2 } }, { seed: 1 });
  plain.addNode("a", 0);
  plain.addNode("b", 1);
  assert.equal(plain.transmit(0, 1, 0, 0), 2);
});
