import assert from "node:assert/strict";
import { ConfigError } from "@lab/sim/mod.ts";
import { createCluster, parseAdversaries, parseSchedule } from "@lab/net/mod.ts";
import { toyAdversary, type ToyMsg, toyNode } from "../protocols/bft/_toy.ts";

const ids = ["n0", "n1", "n2", "n3"];

Deno.test("adversaries: unknown nodes, repeats, too many traitors and negative delays are refused", () => {
  const bad = (input: unknown, re: RegExp) =>
    assert.throws(
      () => parseAdversaries(input, ids),
      (e: unknown) => e instanceof ConfigError && re.test(e.message),
    );
  bad(
    [{ nodes: ["n9"], strategies: [{ kind: "silent" }] }],
    /\[0\]\.nodes\[0\]: unknown node "n9"/,
  );
  bad([{ nodes: ["n0", "n0"], strategies: [{ kind: "silent" }] }], /\[0\]\.nodes\[1\]: .*twice/);
  bad(
    [{ nodes: ["n0"], strategies: [{ kind: "delay", delayMs: -5 }] }],
    /\[0\]\.strategies\[0\]\.delayMs/,
  );
  bad(
    [{ nodes: ["n0"], strategies: [{ kind: "impersonate", victim: "n7" }] }],
    /\[0\]\.strategies\[0\]\.victim: unknown node "n7"/,
  );
  bad(
    [{ nodes: ["n0"], strategies: [{ kind: "equivocate", groupB: ["x"] }] }],
    /groupB\[0\]: unknown node "x"/,
  );
  bad([{ nodes: ["n0"], strategies: [{ kind: "lie" }] }], /\[0\]\.strategies\[0\]\.kind/);
  bad([{ nodes: ["n0"], strategies: [] }], /\[0\]\.strategies/);
  bad(
    [{ nodes: ["n0", "n1"], strategies: [{ kind: "silent" }] }, {
      nodes: ["n2", "n3", "n1"],
      strategies: [{ kind: "silent" }],
    }],
    /5 traitors but only 4 nodes/,
  );
  assert.equal(
    parseAdversaries([{ nodes: ["n1"], strategies: [{ kind: "silent" }] }], ids)[0].fromMs,
    0,
  );
});

Deno.test("adversaries: a byzantine nemesis fault names unknown nodes and needs a resolver", () => {
  assert.throws(
    () =>
      parseSchedule([{
        atMs: 5,
        type: "byzantine",
        nodes: ["n1"],
        strategies: [{ kind: "impersonate", victim: "n8" }],
      }], ids),
    /\[0\]\.strategies\[0\]\.victim: unknown node "n8"/,
  );
  assert.throws(
    () =>
      createCluster<ToyMsg>({
        seed: 1,
        nodes: 4,
        factory: toyNode(),
        nemesis: [{ atMs: 5, type: "byzantine", nodes: ["n1"], strategies: [{ kind: "silent" }] }],
      }),
    /needs the cluster's adversary option/,
  );
  assert.throws(
    () =>
      createCluster<ToyMsg>({
        seed: 1,
        nodes: 4,
        factory: toyNode(),
        byzantine: [{ nodes: ["n1"], strategies: [{ kind: "silent" }] }],
      }),
    (e: unknown) => e instanceof ConfigError && e.issues[0].path === "adversary",
  );
});

Deno.test("adversaries: a node turns Byzantine at fromMs and is marked so", () => {
  const honest = toyNode();
  const c = createCluster<ToyMsg>({
    seed: 1,
    nodes: 4,
    factory: honest,
    byzantine: [{ nodes: ["n2"], strategies: [{ kind: "silent" }], fromMs: 50 }],
    adversary: toyAdversary(honest),
  });
  c.sim.run({ untilMs: 40 });
  assert.equal(c.sim.node("n2").byzantine, false);
  c.sim.run({ untilMs: 60 });
  assert.equal(c.sim.node("n2").byzantine, true);
});

Deno.test("adversaries: silent sends nothing, delay delays, withholdVotes keeps proposals", () => {
  const run = (strategies: unknown[], node = "n0") => {
    const honest = toyNode();
    const c = createCluster<ToyMsg>({
      seed: 1,
      nodes: 4,
      factory: honest,
      byzantine: [{ nodes: [node], strategies: strategies as never }],
      adversary: toyAdversary(honest),
    });
    c.sim.run({ untilMs: 100 });
    const from = c.sim.trace.records.filter((r) => r.type === "send" && r.from === node);
    return { c, from };
  };
  assert.equal(run([{ kind: "silent" }]).from.length, 0);
  const withheld = run([{ kind: "withholdVotes" }]).from;
  assert.ok(withheld.length > 0);
  assert.ok(withheld.every((r) => r.type === "send" && (r.msg as ToyMsg).type === "prop"));
  const delayed = run([{ kind: "delay", delayMs: 30, towards: ["n3"] }], "n1").c;
  const deliveries = delayed.sim.trace.records.filter((r) =>
    r.type === "deliver" && r.from === "n1" && (r.msg as ToyMsg).type === "vote"
  );
  const toN3 = deliveries.filter((r) => r.type === "deliver" && r.to === "n3");
  const toN2 = deliveries.filter((r) => r.type === "deliver" && r.to === "n2");
  assert.ok(toN3[0].t >= toN2[0].t + 30, `${toN3[0].t} vs ${toN2[0].t}`);
  const replayed = run([{ kind: "replay", afterMs: 20 }], "n1").from;
  assert.equal(replayed.length, 8); // 4 votes, each sent twice
});
