/**
 * Tests written to kill the mutants a third held-out `deno task mutate lib/net` sample (seed 133)
 * left alive: a per-link latency over a constant network latency with nothing else configured, a
 * restart with no crash before it in a fault-window list, an unknown node in `cut` named as a cut,
 * and a healed partition that blocks nothing however the nodes were grouped.
 */
import assert from "node:assert/strict";
import { ConfigError, Simulation } from "@lab/sim/mod.ts";
import { Network } from "@lab/net/mod.ts";
import { faultWindows, type Schedule } from "@lab/net/nemesis.ts";

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
  const sim = new Simulation<number>({ seed: 1, network: net });
  const seen: string[] = [];
  for (const id of ["n0", "n1", "n2"]) {
    sim.addNode(id, (ctx) => ({
      start: () => ctx.peers.forEach((p) => ctx.send(p, 0)),
      onMessage: (from) => seen.push(`${from}->${id}@${sim.nowMs}`),
    }));
  }
  sim.run();
  assert.deepEqual(seen.sort(), [
    "n0->n1@9",
    "n0->n2@3",
    "n1->n0@3",
    "n1->n2@20",
    "n2->n0@3",
    "n2->n1@20",
  ]);
});

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
