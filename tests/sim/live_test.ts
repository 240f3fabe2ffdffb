// Live fields (getters) of node contexts, node views and Byzantine wrappers are made with shared
// getter functions (lib/sim/live.ts). A getter written in an object literal would make new
// functions per object, which V8 keeps in the object's map (old generation), so every finished
// run stayed reachable for the young-generation collector: these tests pin that the getters are
// shared and still read live.
import assert from "node:assert/strict";
import { defineLive } from "@lab/sim/live.ts";
import { Simulation } from "@lab/sim/simulation.ts";
import type { NodeContext, NodeId } from "@lab/sim/types.ts";
import { byzantineFactory, type ByzantineTools } from "@lab/net/adversary.ts";
import { nakamotoNetwork } from "@lab/protocols/nakamoto/network.ts";

const getter = (o: object, k: string) => Object.getOwnPropertyDescriptor(o, k)?.get;

Deno.test("defineLive: own enumerable getters that read live, shared by every object", () => {
  const slot = { up: true, n: 1 };
  const a = defineLive({ id: "a" }, { up: () => slot.up, n: () => slot.n });
  const b = defineLive({ id: "b" }, { up: () => !slot.up });
  assert.deepEqual(Object.keys(a), ["id", "up", "n"]);
  assert.equal(a.up, true);
  assert.equal(b.up, false);
  slot.up = false;
  slot.n = 2;
  assert.equal(a.up, false);
  assert.equal(a.n, 2);
  assert.equal(b.up, true);
  // the same getter function for the same name on both objects, a different one per name
  assert.equal(typeof getter(a, "up"), "function");
  assert.equal(getter(a, "up"), getter(b, "up"));
  assert.notEqual(getter(a, "up"), getter(a, "n"));
  // a spread copies the values; an object made from it by Object.create reads through it
  assert.deepEqual({ ...a }, { id: "a", up: false, n: 2 });
  const inner = Object.create(a) as typeof a;
  slot.n = 3;
  assert.equal(inner.n, 3);
  // read-only: assigning to a getter-only property throws in strict code
  assert.throws(() => {
    (a as { up: boolean }).up = true;
  }, TypeError);
});

Deno.test("node contexts and node views: live fields through shared getters", () => {
  const ctxs: NodeContext<string>[] = [];
  const sims = [1, 2].map((seed) => {
    const sim = new Simulation<string>({ seed });
    for (const id of ["a", "b", "c"]) {
      sim.addNode(id, (ctx) => {
        ctxs.push(ctx);
        return { onMessage() {} };
      });
    }
    sim.run({ untilMs: 1 });
    return sim;
  });
  assert.equal(ctxs.length, 6);
  for (const k of ["peers", "peerCount", "observed"]) {
    assert.equal(typeof getter(ctxs[0], k), "function", k);
    for (const c of ctxs) assert.equal(getter(c, k), getter(ctxs[0], k), k);
  }
  assert.deepEqual(ctxs[0].peers, ["b", "c"]);
  assert.equal(ctxs[0].peerCount, 2);
  assert.equal(ctxs[0].observed, true); // tracing is on by default
  // still live: a server added later is a peer
  sims[0].addNode("d", () => ({ onMessage() {} }));
  assert.deepEqual(ctxs[0].peers, ["b", "c", "d"]);
  assert.equal(ctxs[0].peerCount, 3);

  // message counters: byType is filled from the counters when read
  assert.equal(getter(sims[0].stats, "byType"), getter(sims[1].stats, "byType"));
  const sent = sims[0].stats.byType.get("(untyped)") ?? 0;
  ctxs[0].send("b", "ping");
  assert.equal(sims[0].stats.byType.get("(untyped)"), sent + 1);

  const views = sims.flatMap((s) => ["a", "b"].map((id) => s.node(id)));
  for (const k of ["up", "paused", "byzantine", "incarnation"]) {
    for (const v of views) assert.equal(getter(v, k), getter(views[0], k), k);
  }
  const v = sims[0].node("a");
  assert.equal(v.up, true);
  sims[0].crash("a");
  assert.equal(v.up, false);
  sims[0].restart("a");
  assert.equal(v.up, true);
  assert.equal(v.incarnation, 1);
});

Deno.test("byzantineFactory: the wrapped context and the tools read peers live, through shared getters", () => {
  const seen: { ctx: NodeContext<string>; tools?: ByzantineTools<string> }[] = [];
  const sim = new Simulation<string>({ seed: 4 });
  const honest = (ctx: NodeContext<string>) => {
    const rec: (typeof seen)[number] = { ctx };
    seen.push(rec);
    return { start: () => ctx.send(ctx.peers[0], "hi"), onMessage() {} };
  };
  const tools: ByzantineTools<string>[] = [];
  for (const id of ["a", "b"]) {
    sim.addNode(
      id,
      byzantineFactory(honest, (out, t) => {
        tools.push(t);
        t.send(out.to, out.msg);
      }),
    );
  }
  sim.run({ untilMs: 5 });
  assert.equal(seen.length, 2);
  assert.equal(tools.length, 2);
  const [w0, w1] = seen.map((s) => s.ctx);
  assert.equal(getter(w0, "peers"), getter(w1, "peers"));
  assert.equal(getter(tools[0], "peers"), getter(w0, "peers"));
  assert.deepEqual(w0.peers, ["b"]);
  assert.deepEqual(tools[0].peers, ["b"]);
  sim.addNode("c", () => ({ onMessage() {} }));
  const peersOf = (x: { peers: readonly NodeId[] }) => [...x.peers];
  assert.deepEqual(peersOf(w0), ["b", "c"]);
  assert.deepEqual(peersOf(tools[0]), ["b", "c"]);
  // the other fields of the honest context came through the spread
  assert.equal(w0.self, "a");
  assert.equal(typeof w0.peerAt, "function");
  assert.equal(w0.peerAt?.(0), "b");
});

Deno.test("nakamotoNetwork: blocksMined reads live, through a getter shared by every network", () => {
  const a = nakamotoNetwork({ nodes: 12, miners: 4, outboundPeers: 4, seed: 1 });
  const b = nakamotoNetwork({ nodes: 12, miners: 4, outboundPeers: 4, seed: 2 });
  assert.equal(getter(a, "blocksMined"), getter(b, "blocksMined"));
  assert.equal(a.blocksMined, 0);
  a.runBlocks(3);
  assert.equal(a.blocksMined, 3);
  assert.equal(b.blocksMined, 0);
});
