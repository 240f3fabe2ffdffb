import assert from "node:assert/strict";
import fc from "fast-check";
import { createCluster } from "@lab/net/mod.ts";
import { FakeContext } from "@lab/sim/fake_context.ts";
import {
  CausalBroadcastNode,
  type CausalBroadcastNode as CBN,
  type CausalConfigInput,
  type CausalData,
  CausalDeliveryChecker,
  CausalInvariantError,
  type CausalMessage,
  checkCausalDelivery,
} from "@lab/protocols/causal/mod.ts";

type Node = CBN<string>;
const data = (origin: string, V: Record<string, number>, payload = ""): CausalData<string> => ({
  type: "data",
  origin,
  V,
  payload,
});

Deno.test("causal: BSS delivery condition buffers a message until its causal past is delivered", () => {
  const ctx = new FakeContext<CausalMessage<string>>("n2", ["n0", "n1"]);
  const got: string[] = [];
  const node = new CausalBroadcastNode(ctx, {}, { onDeliver: (m) => got.push(m.payload) });
  // n1's reply depends on n0's question (V[n0] = 1): it waits for the question
  node.onMessage("n1", data("n1", { n0: 1, n1: 1 }, "reply"));
  assert.deepEqual(got, []);
  // a FIFO gap: n0's second message waits for its first
  node.onMessage("n0", data("n0", { n0: 2 }, "second"));
  assert.equal(node.pendingCount, 2);
  node.onMessage("n0", data("n0", { n0: 1 }, "question"));
  assert.deepEqual(got, ["question", "reply", "second"]);
  assert.deepEqual(node.delivered, { n0: 2, n1: 1 });
  // a duplicate is ignored
  node.onMessage("n0", data("n0", { n0: 1 }, "question"));
  assert.equal(got.length, 3);
  assert.equal(ctx.events.filter((e) => e.type === "deliver").length, 3);
});

Deno.test("causal: anti-entropy answers a sync with exactly the messages the asker lacks", () => {
  const ctx = new FakeContext<CausalMessage<string>>("n0", ["n1"]);
  const node = new CausalBroadcastNode<string>(ctx, {});
  node.broadcast("a");
  node.broadcast("b");
  ctx.sent.length = 0;
  node.onMessage("n1", { type: "sync", V: { n0: 1 } });
  assert.deepEqual(ctx.sent.map((s) => (s.msg as CausalData<string>).payload), ["b"]);
});

Deno.test("causal: the delivery log survives a crash (restart replays it, sequence numbers go on)", () => {
  const ctx = new FakeContext<CausalMessage<string>>("n0", ["n1"]);
  new CausalBroadcastNode<string>(ctx, {}).broadcast("a");
  const ctx2 = new FakeContext<CausalMessage<string>>("n0", ["n1"], ctx.storage);
  const replayed: string[] = [];
  const again = new CausalBroadcastNode<string>(ctx2, {}, {
    onDeliver: (m) => replayed.push(m.payload),
  });
  assert.deepEqual(replayed, ["a"]);
  assert.equal(again.nextSeq, 2);
});

Deno.test("causal: bad config names the field", () => {
  const ctx = new FakeContext<CausalMessage<string>>("n0", []);
  assert.throws(
    () => new CausalBroadcastNode(ctx, { syncIntervalMs: -1 } as CausalConfigInput),
    /syncIntervalMs/,
  );
});

interface RunOptions {
  seed: number;
  n?: number;
  config?: CausalConfigInput;
  nemesis?: unknown;
  lossRatio?: number;
  broadcasts?: { node: number; atMs: number }[];
  untilMs?: number;
}

/** A run with the checker attached: causal delivery is checked on every event. */
function run(o: RunOptions) {
  const n = o.n ?? 5;
  const c = createCluster<CausalMessage<string>>({
    seed: o.seed,
    nodes: n,
    factory: (ctx) => new CausalBroadcastNode<string>(ctx, o.config ?? {}),
    network: {
      latency: { kind: "uniform", minMs: 1, maxMs: 40 },
      lossRatio: o.lossRatio ?? 0,
      duplicateRatio: 0.05,
    },
    nemesis: o.nemesis,
    trace: { mode: "off" },
  });
  const checker = new CausalDeliveryChecker().attach(c.sim);
  const broadcasts = o.broadcasts ??
    Array.from({ length: 60 }, (_, i) => ({ node: (i * 7) % n, atMs: 10 + i * 15 }));
  for (const [i, b] of broadcasts.entries()) {
    c.sim.at(b.atMs, () => {
      const id = c.nodes[b.node % n];
      c.sim.instanceOf<Node>(id)?.broadcast(`m${i}`);
    });
  }
  c.sim.run({ untilMs: o.untilMs ?? 6000 });
  return { c, checker };
}

Deno.test("causal: after a partition heals every node delivers every message, causally, seed=1", () => {
  const { c, checker } = run({
    seed: 1,
    lossRatio: 0.1,
    nemesis: [
      { atMs: 0, type: "partition", groups: [["n0", "n1"], ["n2", "n3", "n4"]] },
      { atMs: 2000, type: "heal" },
    ],
  });
  assert.equal(checker.breach, undefined);
  assert.equal(checker.broadcasts, 60);
  for (const id of c.nodes) {
    assert.equal(checker.deliveredAt(id).size, 60, `seed=1: ${id} delivered every message`);
  }
  assert.equal(checkCausalDelivery(c.sim.events), undefined, "the offline check agrees");
  const across = c.sim.events.filter((e) =>
    e.event.type === "deliver" && ["n2", "n3", "n4"].includes(e.node) &&
    ["n0", "n1"].includes(e.event.origin as string)
  );
  assert.ok(
    across.length > 0 && across.every((e) => e.t >= 2000),
    "nothing crossed before the heal",
  );
});

Deno.test("causal: seed sweep with generated faults; causal delivery on every event, all delivered after repair", () => {
  for (let seed = 1; seed <= 15; seed++) {
    const c = createCluster<CausalMessage<string>>({
      seed,
      nodes: 5,
      factory: (ctx) => new CausalBroadcastNode<string>(ctx, {}),
      network: { latency: { kind: "exponential", meanMs: 10 }, lossRatio: 0.05 },
      nemesis: { generator: "randomHalves", startMs: 0, endMs: 2500, periodMs: 500, faultMs: 350 },
      trace: { mode: "off" },
    });
    const checker = new CausalDeliveryChecker().attach(c.sim);
    for (let i = 0; i < 50; i++) {
      c.sim.at(
        5 + i * 50,
        () => c.sim.instanceOf<Node>(c.nodes[(i * 3 + seed) % 5])?.broadcast(`m${i}`),
      );
    }
    c.sim.run({ untilMs: 3000 });
    c.repairAll();
    c.sim.run({ untilMs: 8000 });
    const replay =
      `replay: deno test -A tests/protocols/causal/causal_broadcast_test.ts (seed=${seed})`;
    for (const id of c.nodes) {
      assert.equal(
        checker.deliveredAt(id).size,
        checker.broadcasts,
        `seed=${seed} ${id}; ${replay}`,
      );
    }
  }
});

Deno.test("causal: fast-check schedules of broadcasts never break causal delivery", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 1_000_000 }),
      fc.array(fc.record({ node: fc.nat(3), atMs: fc.nat(1500) }), { minLength: 1, maxLength: 40 }),
      (seed, broadcasts) => {
        const { c, checker } = run({
          seed,
          n: 4,
          broadcasts,
          lossRatio: 0.1,
          nemesis: [
            { atMs: 300, type: "partition", groups: [["n0"], ["n1", "n2", "n3"]] },
            { atMs: 1200, type: "heal" },
          ],
          untilMs: 5000,
        });
        for (const id of c.nodes) assert.equal(checker.deliveredAt(id).size, broadcasts.length);
      },
    ),
    { numRuns: 25 },
  );
});

Deno.test("causal: the deliverOnReceipt mistake is caught by the checker with a witness", () => {
  let caught: CausalInvariantError | undefined;
  for (let seed = 1; seed <= 10 && !caught; seed++) {
    try {
      run({ seed, config: { deliverOnReceipt: true } });
    } catch (e) {
      if (e instanceof CausalInvariantError) caught = e;
      else throw e;
    }
  }
  assert.ok(caught, "some seed delivers a message before its causal past");
  assert.equal(caught.breach.invariant, "causalDelivery");
  assert.ok(caught.breach.missing, "the witness names the missing dependency");
  assert.match(caught.message, /seed=\d+/);
});

Deno.test("causal: one seed run twice gives the same trace hash", () => {
  const hash = () => {
    const c = createCluster<CausalMessage<string>>({
      seed: 7,
      nodes: 4,
      factory: (ctx) => new CausalBroadcastNode<string>(ctx, {}),
      network: { latency: { kind: "uniform", minMs: 1, maxMs: 30 }, lossRatio: 0.1 },
    });
    for (let i = 0; i < 20; i++) {
      c.sim.at(i * 20, () => c.sim.instanceOf<Node>(c.nodes[i % 4])?.broadcast(`m${i}`));
    }
    c.sim.run({ untilMs: 2000 });
    return c.sim.trace.hash();
  };
  assert.equal(hash(), hash());
});
