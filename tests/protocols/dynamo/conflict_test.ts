/**
 * Dynamo §4.4: last-writer-wins by each coordinator's local clock loses one of two concurrent
 * writes, and under clock skew it even keeps the write that happened first in real time; version
 * vectors keep both as siblings, return them to the client, and a put carrying the read's context
 * supersedes them.
 */
import assert from "node:assert/strict";
import { createDynamoCluster } from "@lab/protocols/dynamo/mod.ts";

/** n1's clock runs `skewMs` behind; client a writes through n0, client b through n1. */
function twoWriters(conflict: "lww" | "vv", skewMs: number) {
  const c = createDynamoCluster({
    seed: 3,
    nodes: 3,
    config: { n: 3, r: 3, w: 3, conflict, coordinator: "any" },
    // the nemesis sets n1's clock back at the start (a clock jump, as NTP stepping a clock would)
    nemesis: skewMs ? [{ atMs: 0, type: "clockJump", node: "n1", deltaMs: -skewMs }] : [],
  });
  const a = c.client({ home: "n0" }), b = c.client({ home: "n1" }), reader = c.client();
  return { c, a, b, reader };
}

Deno.test("dynamo conflicts: concurrent blind writes — LWW keeps one, version vectors keep both", () => {
  const lww = twoWriters("lww", 0);
  lww.c.settle([lww.a.put("x", "from-a"), lww.b.put("x", "from-b")]);
  const r1 = lww.reader.get("x");
  lww.c.settle([r1]);
  assert.equal(r1.result?.values.length, 1, "LWW returns a single value: the other write is lost");

  const vv = twoWriters("vv", 0);
  vv.c.settle([vv.a.put("x", "from-a"), vv.b.put("x", "from-b")]);
  const r2 = vv.reader.get("x");
  vv.c.settle([r2]);
  assert.deepEqual(r2.result?.values, ["from-a", "from-b"]);
  // the reader resolves the conflict: its put carries the context of the siblings it read
  vv.c.settle([vv.reader.put("x", "merged")]);
  const r3 = vv.a.get("x");
  vv.c.settle([r3]);
  assert.deepEqual(r3.result?.values, ["merged"]);
  // a blind put (no context) does not supersede anything: it becomes a sibling
  vv.c.settle([vv.b.put("x", "blind", { context: "none" })]);
  const r4 = vv.a.get("x");
  vv.c.settle([r4]);
  assert.deepEqual(r4.result?.values, ["blind", "merged"]);
});

Deno.test("dynamo conflicts: under clock skew LWW drops the later write, version vectors do not", () => {
  for (const [skewMs, survivor] of [[0, "second"], [1000, "first"]] as const) {
    const { c, a, b, reader } = twoWriters("lww", skewMs);
    const first = a.put("x", "first");
    c.settle([first]);
    c.run(c.sim.nowMs + 10);
    const second = b.put("x", "second"); // later in true time, through n1
    c.settle([second]);
    assert.equal(second.result?.status, "ok", "the lost write was acknowledged");
    const r = reader.get("x");
    c.settle([r]);
    assert.deepEqual(r.result?.values, [survivor], `skew ${skewMs} ms`);
  }
  const { c, a, b, reader } = twoWriters("vv", 1000);
  c.settle([a.put("x", "first")]);
  c.settle([b.put("x", "second")]);
  const r = reader.get("x");
  c.settle([r]);
  assert.deepEqual(r.result?.values, ["first", "second"]);
});

Deno.test("dynamo conflicts: two concurrent puts through one coordinator stay siblings (dotted versions)", () => {
  const c = createDynamoCluster({ seed: 8, nodes: 3, config: { n: 3, r: 2, w: 2 } });
  const a = c.client({ home: "n0" }), b = c.client({ home: "n0" });
  c.settle([a.get("x"), b.get("x")]); // both read the same (empty) context
  c.settle([a.put("x", "a1"), b.put("x", "b1")]);
  const r = a.get("x", { r: 3 });
  c.settle([r]);
  assert.deepEqual(r.result?.values, ["a1", "b1"]);
});
