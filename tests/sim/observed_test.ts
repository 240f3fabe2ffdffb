/**
 * `ctx.observed`: false only while nobody records or reads protocol events, so protocols may skip
 * building events then; skipping them must not change the run itself.
 */
import assert from "node:assert/strict";
import { Simulation } from "@lab/sim/simulation.ts";
import { Network } from "@lab/net/network.ts";
import { installWorkload } from "@lab/workload/client.ts";
import { kvClientDriver, kvOpGenerator } from "@lab/protocols/kv/client.ts";
import { raftKvServer } from "@lab/protocols/raft/kv.ts";
import type { KvServer } from "@lab/protocols/kv/server.ts";
import type { NodeContext } from "@lab/sim/types.ts";
import type { TraceMode } from "@lab/sim/trace.ts";

Deno.test("sim: ctx.observed is true exactly while events are traced, collected or listened to", () => {
  const seen = (mode: TraceMode, collectEvents: boolean, listen: boolean) => {
    const sim = new Simulation<number>({ seed: 1, trace: { mode }, collectEvents });
    let ctx: NodeContext<number> | null = null;
    sim.addNode("a", (c) => {
      ctx = c;
      return { onMessage() {} };
    });
    sim.run({ untilMs: 1 });
    const before = ctx!.observed;
    const stop = listen ? sim.onEvent(() => {}) : null;
    const during = ctx!.observed;
    stop?.();
    return [before, during, ctx!.observed];
  };
  assert.deepEqual(seen("off", false, false), [false, false, false]);
  // a listener makes it true while attached, and only then
  assert.deepEqual(seen("off", false, true), [false, true, false]);
  assert.deepEqual(seen("off", true, false), [true, true, true]);
  assert.deepEqual(seen("sampled", false, false), [true, true, true]);
  assert.deepEqual(seen("full", false, false), [true, true, true]);
});

Deno.test("raft kv: a run nobody observes ends in the same state as one whose events are collected", () => {
  const run = (collectEvents: boolean) => {
    const ids = ["n0", "n1", "n2"];
    const network = new Network({ latency: { kind: "uniform", minMs: 1, maxMs: 5 } }, {
      seed: 3,
      nodes: ids,
    });
    const sim = new Simulation<unknown>({
      seed: 3,
      network,
      trace: { mode: "off" },
      collectEvents,
    });
    for (const id of ids) sim.addNode(id, raftKvServer() as never);
    const w = installWorkload(
      sim as never,
      kvClientDriver(),
      kvOpGenerator({ keys: 4, mix: { put: 1, get: 1 } }),
      { mode: "closed", clients: 5, endMs: 3_000, timeoutMs: 500, retries: 3 },
    );
    sim.run({ untilMs: 4_000 });
    const applies = sim.events.filter((e) => e.event.type === "apply").length;
    return {
      history: JSON.stringify(w.history),
      data: ids.map((id) =>
        JSON.stringify(sim.instanceOf<KvServer<unknown>>(id)?.machine.entries())
      ),
      delivered: sim.stats.delivered,
      applies,
    };
  };
  const quiet = run(false), watched = run(true);
  assert.ok(watched.applies > 100, `events were collected (${watched.applies} applies)`);
  assert.equal(quiet.applies, 0);
  assert.equal(quiet.history, watched.history);
  assert.deepEqual(quiet.data, watched.data);
  assert.equal(quiet.delivered, watched.delivered);
});

Deno.test("sim: stats.byType counts each sender's alternating types and is current at every read", () => {
  const sim = new Simulation<{ type: string } | number>({ seed: 1 });
  sim.addNode("a", (ctx) => ({
    start() {
      for (const t of ["x", "y", "x", "x", "z"]) ctx.send("b", { type: t });
      ctx.send("b", 7);
    },
    onMessage() {},
  }));
  sim.addNode("b", (ctx) => ({
    start() {
      ctx.send("a", { type: "y" });
      ctx.send("a", { type: "x" });
    },
    onMessage() {},
  }));
  sim.run({ untilMs: 0 });
  const first = Object.fromEntries(sim.stats.byType);
  assert.deepEqual(first, { x: 4, y: 2, z: 1, "(untyped)": 1 });
  sim.inject("a", "b", { type: "y" });
  sim.inject("b", "a", { type: "w" });
  assert.deepEqual(Object.fromEntries(sim.stats.byType), {
    x: 4,
    y: 3,
    z: 1,
    "(untyped)": 1,
    w: 1,
  });
  assert.equal([...sim.stats.byType.values()].reduce((p, q) => p + q, 0), sim.stats.sent);
});
