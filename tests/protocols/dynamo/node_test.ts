/**
 * Handler tests of one Dynamo node (fake context, no simulator) and the lattice laws of version
 * reconciliation (fast-check): replicas that merge in any order, any number of times, agree.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { FakeContext } from "@lab/sim/fake_context.ts";
import {
  contextOf,
  type DynamoMessage,
  DynamoNode,
  mergeVersions,
  parseDynamoConfig,
  Ring,
  type Version,
} from "@lab/protocols/dynamo/mod.ts";

const IDS = ["n0", "n1", "n2", "n3"];

function node(self: string, config = {}) {
  const ctx = new FakeContext<DynamoMessage>(self, IDS.filter((p) => p !== self));
  const cfg = parseDynamoConfig({ n: 3, r: 2, w: 2, probeIntervalMs: 0, ...config }, 4);
  const ring = new Ring(IDS, 8);
  const n = new DynamoNode(ctx, cfg, ring);
  n.start();
  return { ctx, n, ring };
}

Deno.test("dynamo node: a coordinator sends put to every target, itself included, and answers after W acks", () => {
  const { ctx, n, ring } = node("n0", { coordinator: "any" });
  let key = "k0";
  for (let i = 1; !ring.preferenceList(key, 3).includes("n0"); i++) key = `k${i}`;
  n.onMessage("c0", { type: "client-put", id: 1, client: "c0", key, value: "v" });
  const puts = ctx.sent.filter((s) => s.msg.type === "put").map((s) => s.to);
  assert.deepEqual(puts, [...ring.preferenceList(key, 3)]);
  ctx.take();
  assert.ok(ctx.timers.has("op:1:timeout") && ctx.timers.has("op:1:replica"));
  const [first, second] = ring.preferenceList(key, 3);
  n.onMessage(first, { type: "put-ack", op: 1 });
  assert.equal(ctx.take("c0").length, 0, "one ack is not W = 2");
  n.onMessage(second, { type: "put-ack", op: 1 });
  const [reply] = ctx.take("c0");
  assert.ok(reply.type === "client-reply" && reply.status === "ok" && reply.acks === 2);
  assert.deepEqual(ctx.eventsOf("coordinated").length, 1);
});

Deno.test("dynamo node: a replica stores a put (or a hint for the node it stands in for) and acks", () => {
  const { ctx, n } = node("n1");
  const v: Version = { value: 1, dot: { node: "n0", counter: 1 }, context: {}, ts: 0 };
  n.onMessage("n0", { type: "put", op: 7, key: "x", versions: [v] });
  n.onMessage("n0", { type: "put", op: 8, key: "y", versions: [v], hintFor: "n3" });
  assert.deepEqual(ctx.take("n0"), [{ type: "put-ack", op: 7 }, { type: "put-ack", op: 8 }]);
  const s = n.inspect();
  assert.deepEqual(Object.keys(s.store), ["x"]);
  assert.deepEqual(Object.keys(s.hints), ["n3"]);
  // the hint is handed off on the next handoff tick, and dropped once acknowledged
  n.onTimer("handoff");
  const [h] = ctx.take("n3");
  assert.equal(h.type, "handoff");
  n.onMessage("n3", { type: "handoff-ack", entries: [{ key: "y", digest: "n0:1" }] });
  assert.deepEqual(n.inspect().hints, {});
  assert.equal(ctx.eventsOf("hint-delivered").length, 1);
});

const dot = fc.record({
  node: fc.constantFrom("a", "b", "c"),
  counter: fc.integer({ min: 1, max: 6 }),
});
/** Versions as a history of puts would make them: each put's context is what some read saw. */
const histories = fc.array(fc.tuple(dot, fc.array(fc.nat(20), { maxLength: 3 })), {
  minLength: 1,
  maxLength: 10,
}).map((puts) => {
  const out: Version[] = [];
  const seen = new Set<string>();
  for (const [d, reads] of puts) {
    const key = `${d.node}:${d.counter}`;
    if (seen.has(key)) continue; // a dot is issued once
    seen.add(key);
    const read = reads.map((i) => out[i % Math.max(1, out.length)]).filter((x) => x);
    out.push({ value: key, dot: d, context: contextOf(read), ts: out.length });
  }
  return out;
});

Deno.test("dynamo versions: merge is commutative, associative and idempotent (vv and lww)", () => {
  for (const mode of ["vv", "lww"] as const) {
    const sub = histories.chain((h) =>
      fc.tuple(fc.subarray(h), fc.subarray(h), fc.subarray(h)).map(([a, b, c]) => [
        mergeVersions(mode, [], a),
        mergeVersions(mode, [], b),
        mergeVersions(mode, [], c),
      ])
    );
    fc.assert(
      fc.property(sub, ([a, b, c]) => {
        const m = (x: Version[], y: Version[]) => mergeVersions(mode, x, y);
        assert.deepEqual(m(a, b), m(b, a));
        assert.deepEqual(m(m(a, b), c), m(a, m(b, c)));
        assert.deepEqual(m(a, a), a);
        if (mode === "lww") assert.ok(m(a, b).length <= 1);
      }),
      { numRuns: 300 },
    );
  }
});
