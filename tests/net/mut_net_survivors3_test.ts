/**
 * Tests written to kill the mutants a third held-out `deno task mutate lib/net` sample (seed 133)
 * left alive (the fourth, a per-link latency over a constant network, is in network_test.ts): a
 * restart with no crash before it in a fault-window list, an unknown node in `cut` named as a cut,
 * and a healed partition that blocks nothing however the nodes were grouped. Then those of a
 * fourth sample (seed 134): the cluster's node-count bound, the field an endMs before startMs is
 * reported on, a pause's fault window, canReach's and a link override's unknown nodes. And those
 * of a fifth (seed 135, 80 mutants): a Byzantine wrapper's emit, applyFault's refusal of a
 * byzantine fault without an adversary, ddmin's granularity after a complement, the soften step.
 */
import assert from "node:assert/strict";
import { ConfigError, type NodeContext, Rng, Simulation } from "@lab/sim/mod.ts";
import { createCluster, generateSchedule, type GeneratorInput, Network } from "@lab/net/mod.ts";
import { byzantineFactory } from "@lab/net/adversary.ts";
import {
  applyFault,
  type FaultInput,
  faultWindows,
  parseSchedule,
  type Schedule,
} from "@lab/net/nemesis.ts";
import { shrinkSchedule } from "@lab/net/shrink.ts";

Deno.test("faultWindows: a restart without a crash before it opens no crash window", () => {
  const schedule: Schedule = [
    { atMs: 5, type: "restart", node: "n1" }, // n1 was never down
    { atMs: 10, type: "crash", node: "n0" },
    { atMs: 30, type: "restart", node: "n0" },
    { atMs: 40, type: "restart", node: "n0" }, // already up again
  ];
  assert.deepEqual(faultWindows(schedule, 100), [
    { startMs: 10, endMs: 30, label: "crash n0", kind: "crash" },
  ]);
});

function withNodes(ids: string[]): Network {
  const net = new Network({}, { seed: 1 });
  ids.forEach((id, i) => net.addNode(id, i));
  return net;
}

Deno.test("net: an unknown node in cut is refused as a cut, naming the node", () => {
  const net = withNodes(["a", "b"]);
  assert.throws(
    () => net.cut([["a", "zz"]]),
    (e) =>
      e instanceof ConfigError && /^invalid cut: /.test(e.message) &&
      /unknown node "zz" \(nodes: a, b\)/.test(e.message),
  );
  assert.throws(
    () => net.cutOneWay(["zz"], ["a"]),
    (e) => e instanceof ConfigError && /^invalid cut: /.test(e.message) && /"zz"/.test(e.message),
  );
  assert.equal(net.canReach("a", "b"), true, "nothing was cut");
});

Deno.test("net: after heal no pair is blocked, whatever groups the last partition made", () => {
  const net = withNodes(["a", "b", "c"]);
  net.partition([["a"], ["b"]]); // c: the group of the servers not listed
  assert.deepEqual([net.canReach("a", "b"), net.canReach("b", "c"), net.canReach("a", "c")], [
    false,
    false,
    false,
  ]);
  net.heal();
  for (const [x, y] of [["a", "b"], ["b", "a"], ["b", "c"], ["c", "a"]]) {
    assert.equal(net.canReach(x, y), true, `${x} -> ${y} after heal`);
  }
  net.isolate("b");
  assert.deepEqual([net.canReach("a", "b"), net.canReach("b", "c"), net.canReach("a", "c")], [
    false,
    false,
    true,
  ]);
});

// ---- sample 134 ----

Deno.test("net cluster: more nodes than a link key can tell apart (2^26) is refused, naming nodes", () => {
  // links are keyed from·2^26 + to, so 2^26 − 1 nodes is the most a cluster can hold
  assert.throws(
    () => createCluster({ seed: 1, nodes: 2 ** 26, factory: () => ({}) as never }),
    (e: unknown) =>
      e instanceof ConfigError && e.issues.length === 1 && e.issues[0].path === "nodes" &&
      /67108863/.test(e.issues[0].message),
  );
});

Deno.test("nemesis generator: an endMs before startMs is refused on the endMs field", () => {
  for (
    const spec of [
      { generator: "rollingCrashes", startMs: 50, endMs: 10, periodMs: 5, downMs: 1 },
      { generator: "isolateOne", startMs: 50, endMs: 10, periodMs: 5, faultMs: 1 },
    ] as GeneratorInput[]
  ) {
    assert.throws(
      () => generateSchedule(spec, ["n0", "n1", "n2"], new Rng(1)),
      (e: unknown) =>
        e instanceof ConfigError && e.issues.length === 1 && e.issues[0].path === "endMs" &&
        e.issues[0].message === "endMs (10) precedes startMs (50)",
    );
  }
});

Deno.test("faultWindows: a pause is a window of kind pause for its duration", () => {
  const schedule: Schedule = [{ atMs: 20, type: "pause", node: "n2", durationMs: 15 }];
  assert.deepEqual(faultWindows(schedule, 100), [
    { startMs: 20, endMs: 35, label: "pause n2", kind: "pause" },
  ]);
});

Deno.test("net: canReach with an unknown node is refused as canReach, naming the node", () => {
  const net = withNodes(["a", "b"]);
  for (const [x, y] of [["a", "zz"], ["zz", "a"]]) {
    assert.throws(
      () => net.canReach(x, y),
      (e) =>
        e instanceof ConfigError &&
        e.message === 'invalid canReach: unknown node "zz" (nodes: a, b)',
    );
  }
});

Deno.test("net: a link override from an unknown node is refused on links[i].from", () => {
  const refusal = (links: { from: string; to: string }[]) => {
    try {
      new Network({ links }, { seed: 1, nodes: ["n0", "n1"] });
    } catch (e) {
      assert.ok(e instanceof ConfigError, String(e));
      return e.issues.map((i) => `${i.path}: ${i.message}`);
    }
    return [];
  };
  assert.deepEqual(refusal([{ from: "n0", to: "n1" }, { from: "n9", to: "n1" }]), [
    'links[1].from: unknown node "n9" (nodes: n0, n1)',
  ]);
  assert.deepEqual(refusal([{ from: "x", to: "y" }]), [
    'links[0].from: unknown node "x" (nodes: n0, n1)',
    'links[0].to: unknown node "y" (nodes: n0, n1)',
  ]);
});

// ---- sample 135 ----

Deno.test("net adversary: the honest code inside a Byzantine wrapper emits, signs and verifies as itself", () => {
  const sim = new Simulation<string>({ seed: 1 });
  const honest = (ctx: NodeContext<string>) => ({
    start() {
      const s = ctx.sign("block 7");
      ctx.emit({ type: "decide", value: 7, ok: ctx.verify(s, "block 7"), bad: ctx.verify(s, "x") });
    },
    onMessage() {},
  });
  sim.addNode("b", byzantineFactory<string>(honest, (out, t) => t.send(out.to, out.msg)));
  sim.run();
  assert.deepEqual(sim.events.map((e) => [e.node, e.t, e.event]), [
    ["b", 0, { type: "decide", value: 7, ok: true, bad: false }],
  ]);
});

Deno.test("nemesis applyFault: a byzantine fault without an adversary is refused on the byzantine field", () => {
  const c = createCluster({ seed: 1, nodes: 2, factory: () => ({ onMessage() {} }) });
  assert.throws(
    () =>
      applyFault(c.sim as Simulation<unknown>, c.net, {
        atMs: 0,
        type: "byzantine",
        nodes: ["n0"],
        strategies: [{ kind: "silent" }],
      }),
    (e: unknown) =>
      e instanceof ConfigError && e.issues.length === 1 && e.issues[0].path === "byzantine" &&
      /needs the cluster's adversary option/.test(e.issues[0].message),
  );
});

Deno.test("shrink: ddmin's moves on eight faults, two of which fail together (traced by hand)", () => {
  // Eight pauses of n0 at 0, 10, …, 70 ms; the run fails when the first and the last are both
  // present. Zeller and Hildebrandt's ddmin ("Simplifying and Isolating Failure-Inducing Input",
  // IEEE TSE 28(2), 2002, §3, "A Minimizing Algorithm"): subsets are tried first, then
  // complements; after a complement is kept the granularity drops by one, to max(n − 1, 2).
  // Runs answered from the cache (a candidate already tried) are not steps.
  const s = parseSchedule(
    Array.from({ length: 8 }, (_, i) => ({
      atMs: 10 * i,
      type: "pause" as const,
      node: "n0",
      durationMs: 5,
    })),
    ["n0", "n1"],
  );
  const has = (x: Schedule, t: number) => x.some((f) => f.atMs === t);
  const r = shrinkSchedule((x) => has(x, 0) && has(x, 70), s, { simplify: false });
  assert.deepEqual(r.schedule.map((f) => f.atMs), [0, 70]);
  assert.deepEqual(r.steps.map((x) => `${x.kind} ${x.faults} ${x.failed ? "fails" : "passes"}`), [
    "original 8 fails",
    "empty 0 passes",
    "prefix 4 passes", // 0..30
    "prefix 6 passes", // 0..50
    "prefix 7 passes", // 0..60: every fault is needed in the prefix
    // n = 2: 0..30 is the 4-fault prefix again (cached); 40..70 (the complements are these two)
    "subset 4 passes",
    "subset 2 passes", // n = 4: {0,10}
    "subset 2 passes", // {20,30}
    "subset 2 passes", // {40,50}
    "subset 2 passes", // {60,70}
    "complement 6 passes", // without {0,10}
    "complement 6 fails", // without {20,30}: kept, n = 3
    // n = 3 on {0,10,40,50,60,70}: without {0,10} is 40..70 again (cached)
    "complement 4 fails", // without {40,50}: kept, n = 2, then 4 (chunks of two are cached)
    "subset 1 passes", // {0}
    "subset 1 passes", // {10}
    "subset 1 passes", // {60}
    "subset 1 passes", // {70}
    "complement 3 passes", // without {0}
    "complement 3 fails", // without {10}: kept, n = 3
    "complement 2 fails", // {0,70}, without {60}: kept; n = 2 = length and nothing reduces
  ]);
  assert.equal(r.runs, 20);
});

Deno.test("shrink: softening a clock jump, a drift or a slow link is a soften step", () => {
  const nodes = ["n0", "n1"];
  const cases: [FaultInput, (x: Schedule) => boolean, FaultInput][] = [
    [
      { atMs: 0, type: "clockJump", node: "n1", deltaMs: -800 },
      (x) => x.some((f) => f.type === "clockJump" && f.deltaMs <= -300),
      { atMs: 0, type: "clockJump", node: "n1", deltaMs: -300 },
    ],
    [
      { atMs: 0, type: "slowLink", from: "n0", to: "n1", extraMs: 640 },
      (x) => x.some((f) => f.type === "slowLink" && f.extraMs >= 40),
      { atMs: 0, type: "slowLink", from: "n0", to: "n1", extraMs: 40 },
    ],
    [
      { atMs: 0, type: "clockDrift", node: "n0", drift: 0.5 },
      (x) => x.some((f) => f.type === "clockDrift" && f.drift >= 0.25),
      { atMs: 0, type: "clockDrift", node: "n0", drift: 0.25 },
    ],
  ];
  for (const [fault, fails, shrunk] of cases) {
    const r = shrinkSchedule(fails, parseSchedule([fault], nodes));
    assert.deepEqual(r.schedule, parseSchedule([shrunk], nodes));
    // after the original and the empty schedule, every move is a soften (the time is 0 already)
    assert.deepEqual([...new Set(r.steps.slice(2).map((x) => x.kind))], ["soften"], fault.type);
  }
});
