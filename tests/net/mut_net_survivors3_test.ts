/**
 * Tests written to kill the mutants a third held-out `deno task mutate lib/net` sample (seed 133)
 * left alive (the fourth, a per-link latency over a constant network, is in network_test.ts): a
 * restart with no crash before it in a fault-window list, an unknown node in `cut` named as a cut,
 * and a healed partition that blocks nothing however the nodes were grouped. Then those of a
 * fourth sample (seed 134): the cluster's node-count bound, the field an endMs before startMs is
 * reported on, a pause's fault window, canReach's and a link override's unknown nodes.
 */
import assert from "node:assert/strict";
import { ConfigError, Rng } from "@lab/sim/mod.ts";
import { createCluster, generateSchedule, type GeneratorInput, Network } from "@lab/net/mod.ts";
import { faultWindows, type Schedule } from "@lab/net/nemesis.ts";

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
