/** Twin instances in the simulator (Twins, Bano et al., OPODIS 2021, §3). */
import assert from "node:assert/strict";
import { ConfigError, type NodeContext, type ProtocolNode, Simulation } from "@lab/sim/mod.ts";
import { createCluster, Network } from "@lab/net/mod.ts";

type Msg = { type: "hello"; from: string } | {
  type: "vote";
  sig: { signer: string; digest: string };
};

/** Records every message it gets with the sender the simulator hands it. */
function recorder(ctx: NodeContext<Msg>): ProtocolNode<Msg> {
  return {
    onMessage(from, m) {
      ctx.emit({ type: "got", from, kind: m.type });
    },
  };
}

/** At start, signs a vote and sends it to every peer (the peers it sees: identities). */
function voter(ctx: NodeContext<Msg>): ProtocolNode<Msg> {
  return {
    start() {
      const sig = ctx.sign({ vote: ctx.self });
      for (const p of ctx.peers) ctx.send(p, { type: "vote", sig });
    },
    onMessage(from, m) {
      ctx.emit({ type: "got", from, kind: m.type, me: ctx.self });
    },
  };
}

function twinSim() {
  const net = new Network({}, { seed: 1 });
  const sim = new Simulation<Msg>({ seed: 1, network: net });
  sim.addNode("n0", voter);
  sim.addNode("n1", recorder);
  sim.addNode("n2", recorder);
  const twin = sim.addTwin("n0");
  return { sim, net, twin };
}

Deno.test("twins: the twin runs as the same identity, with the same key, and is marked Byzantine", () => {
  const { sim, twin } = twinSim();
  assert.equal(twin, "n0'");
  assert.deepEqual(sim.instancesOf("n0"), ["n0", "n0'"]);
  assert.deepEqual(sim.instancesOf("n1"), ["n1"]);
  assert.deepEqual(sim.serverIds, ["n0", "n1", "n2"]); // peers see identities only
  sim.run({ untilMs: 10 });
  // both instances voted; n1 got two votes from "n0", each a valid signature of n0's key
  const got = sim.events.filter((e) => e.node === "n1" && e.event.kind === "vote");
  assert.equal(got.length, 2);
  assert.ok(got.every((e) => e.event.from === "n0"));
  assert.equal(sim.node("n0").byzantine, true);
  assert.equal(sim.node("n0'").byzantine, true);
  assert.equal(sim.node("n0'").identity, "n0");
  assert.equal(sim.node("n1").byzantine, false);
});

Deno.test("twins: a message to the identity reaches only the instances in the sender's partition", () => {
  const { sim, net } = twinSim();
  net.partition([["n0", "n1"], ["n0'", "n2"]]);
  sim.inject("n1", "n0", { type: "hello", from: "n1" });
  sim.inject("n2", "n0", { type: "hello", from: "n2" });
  sim.run({ untilMs: 10 });
  const hellos = sim.events.filter((e) => e.event.kind === "hello");
  // events of a twin instance carry the identity as node and the instance id apart
  assert.deepEqual(
    hellos.map((e) => [e.node, e.instance ?? e.node, e.event.from]),
    [["n0", "n0", "n1"], ["n0", "n0'", "n2"]],
  );
  // each instance's vote reached only its own side
  const votes = sim.events.filter((e) => e.event.kind === "vote").map((e) => e.node).sort();
  assert.deepEqual(votes, ["n1", "n2"]);
});

Deno.test("twins: without a partition both instances get a message; to oneself it stays local", () => {
  const sim = new Simulation<Msg>({ seed: 2 });
  sim.addNode("a", (ctx) => ({
    start: () => ctx.send("a", { type: "hello", from: "a" }),
    onMessage: (from, m) => ctx.emit({ type: "got", from, kind: m.type }),
  }));
  sim.addNode("b", (ctx) => ({
    start: () => ctx.send("a", { type: "hello", from: "b" }),
    onMessage: () => {},
  }));
  sim.addTwin("a", { instance: "a2" });
  sim.run({ untilMs: 10 });
  const got = sim.events.map((e) => `${e.instance ?? e.node}<-${e.event.from}`).sort();
  // b's hello reaches both; each instance's hello to "a" reaches itself only
  assert.deepEqual(got, ["a2<-a", "a2<-b", "a<-a", "a<-b"]);
});

Deno.test("twins: a router can cut by message (per-round partitions) and runs stay deterministic", () => {
  const run = () => {
    const c = createCluster<Msg>({ seed: 5, nodes: 3, factory: voter });
    c.sim.addTwin("n1");
    c.sim.setRouter((from, to) => !(from === "n1'" && to === "n2"));
    c.sim.run({ untilMs: 10 });
    return c.sim;
  };
  const a = run(), b = run();
  assert.equal(a.trace.hash(), b.trace.hash());
  const atN2 = a.events.filter((e) => e.node === "n2" && e.event.from === "n1");
  assert.equal(atN2.length, 1); // n1's vote, not n1''s
  assert.ok(a.stats.dropped >= 1);
});

Deno.test("twins: bad twin requests are ConfigErrors naming the field", () => {
  const sim = new Simulation<Msg>({ seed: 1 });
  sim.addNode("n0", recorder);
  sim.addNode("c0", recorder, { role: "client" });
  assert.throws(() => sim.addTwin("n9"), (e) => e instanceof ConfigError && /id/.test(e.message));
  assert.throws(
    () => sim.addTwin("c0"),
    (e) => e instanceof ConfigError && /server/.test(e.message),
  );
  sim.addTwin("n0");
  assert.throws(
    () => sim.addTwin("n0", { instance: "n0'" }),
    (e) => e instanceof ConfigError && /instance/.test(e.message),
  );
});
