/**
 * Tests written to kill the mutants a third held-out `deno task mutate lib/net` sample (seed 133)
 * left alive (the fourth, a per-link latency over a constant network, is in network_test.ts): a
 * restart with no crash before it in a fault-window list, an unknown node in `cut` named as a cut,
 * and a healed partition that blocks nothing however the nodes were grouped.
 */
import assert from "node:assert/strict";
import { ConfigError } from "@lab/sim/mod.ts";
import { Network } from "@lab/net/mod.ts";
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
