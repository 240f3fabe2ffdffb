/**
 * Tests written to kill the mutants a held-out `deno task mutate lib/net` sample left alive: the
 * honest code's timers inside a Byzantine wrapper, faultWindows leaving the caller's schedule
 * alone, the duplication draw's strict boundary, and the shrinker pairing a crash with the
 * restart that ends it (the earliest one at or after it) on a schedule out of time order.
 */
import assert from "node:assert/strict";
import { Rng, Simulation } from "@lab/sim/mod.ts";
import type { NodeContext } from "@lab/sim/mod.ts";
import { Network } from "@lab/net/mod.ts";
import type { NetworkConfigInput } from "@lab/net/network.ts";
import { byzantineFactory } from "@lab/net/adversary.ts";
import { faultWindows, parseSchedule, type Schedule } from "@lab/net/nemesis.ts";
import { shrinkSchedule } from "@lab/net/shrink.ts";

Deno.test("net adversary: the honest code inside a Byzantine wrapper still gets its timers", () => {
  // The wrapped honest node arms a 5 ms timer at start and, when it fires, sends "tick" to r; the
  // behaviour passes every message through. With a constant 1 ms network r gets it at 5 + 1 ms.
  const sim = new Simulation<string>({ seed: 1 });
  const got: string[] = [];
  const fired: string[] = [];
  const honest = (ctx: NodeContext<string>) => ({
    start: () => ctx.setTimer("tick", 5),
    onTimer: (name: string) => {
      fired.push(`${name} @${ctx.nowMs()}`);
      ctx.send("r", "tick");
    },
    onMessage() {},
  });
  sim.addNode("b", byzantineFactory<string>(honest, (out, t) => t.send(out.to, out.msg)));
  sim.addNode("r", (ctx) => ({
    onMessage: (from, m) => void got.push(`${from} ${m} @${ctx.nowMs()}`),
  }));
  sim.run();
  assert.deepEqual(fired, ["tick @5"]);
  assert.deepEqual(got, ["b tick @6"]);
});

Deno.test("net nemesis: faultWindows does not reorder the caller's schedule", () => {
  const nodes = ["n0", "n1", "n2"];
  const schedule: Schedule = parseSchedule([
    { atMs: 300, type: "crash", node: "n1" },
    { atMs: 100, type: "partition", groups: [["n0"], ["n1", "n2"]] },
    { atMs: 200, type: "heal" },
  ], nodes);
  const before = structuredClone(schedule);
  const windows = faultWindows(schedule, 1_000);
  // the windows still come out in time order: the partition [100, 200), then the crash to the end
  assert.deepEqual(windows.map((w) => [w.startMs, w.endMs]), [[100, 200], [300, 1_000]]);
  assert.deepEqual(schedule, before, "the caller's array was changed");
});

Deno.test("net: a message is duplicated only when the link's draw is strictly below the ratio", () => {
  // Constant latency draws nothing, and loss and reordering are 0, so the first number the link
  // n0->n1 draws is the duplication draw. With the ratio set to exactly that number, `draw <
  // ratio` is false: one delivery after 3 ms. A ratio just above it duplicates the message.
  const seed = 11;
  const x = new Rng(seed).fork("net").fork("link/n0->n1").next();
  assert.ok(x > 0 && x < 1);
  const send = (duplicateRatio: number) => {
    const net = new Network({ latency: { kind: "constant", ms: 3 }, duplicateRatio }, { seed });
    net.addNode("n0", 0);
    net.addNode("n1", 1);
    return net.transmit(0, 1, 0, 0);
  };
  assert.equal(send(x), 3);
  assert.deepEqual(send(Math.min(1, x + 1e-9)), [3, 3]);
});

Deno.test("net: loss and reordering also need the link's draw strictly below their ratio", () => {
  // The same first draw x of the link n0->n1 decides loss (when lossRatio > 0) or, with no loss,
  // reordering (when reorderRatio > 0): a ratio of exactly x loses or holds back nothing.
  const seed = 12;
  const stream = new Rng(seed).fork("net").fork("link/n0->n1");
  const x = stream.next(), y = stream.next();
  assert.ok(x > 0 && x < 1 && y > 0);
  const send = (config: NetworkConfigInput) => {
    const net = new Network({ latency: { kind: "constant", ms: 3 }, ...config }, { seed });
    net.addNode("n0", 0);
    net.addNode("n1", 1);
    return net.transmit(0, 1, 0, 0);
  };
  const above = Math.min(1, x + 1e-9);
  assert.equal(send({ lossRatio: x }), 3);
  assert.equal(send({ lossRatio: above }), "loss");
  assert.equal(send({ reorderRatio: x, reorderDelayMs: 10 }), 3);
  // held back: 3 ms plus the link's second draw times the 10 ms maximum extra delay
  assert.equal(send({ reorderRatio: above, reorderDelayMs: 10 }), 3 + y * 10);
});

Deno.test("net shrink: a crash is removed with the earliest restart after it, even out of index order", () => {
  // The run "fails" when n1 crashes and restarts at least twice with one restart in [200, 250].
  // Hand trace: no prefix, episode or subset of [crash@100, restart@250, restart@300] fails, so
  // all three stay; simplification then moves the crash to 0, the first restart down to 200 (any
  // earlier leaves no restart in [200, 250]) and the second one to 0: [crash@0, restart@200,
  // restart@0], no longer in time order. The next episode pass must pair the crash with the
  // restart at 0 (the one that ends it), not with the one at 200 that merely comes first.
  const restarts = (s: Schedule) => s.filter((f) => f.type === "restart" && f.node === "n1");
  const fails = (s: Schedule) =>
    s.some((f) => f.type === "crash" && f.node === "n1") && restarts(s).length >= 2 &&
    restarts(s).some((f) => f.atMs >= 200 && f.atMs <= 250);
  const schedule = parseSchedule([
    { atMs: 100, type: "crash", node: "n1" },
    { atMs: 250, type: "restart", node: "n1" },
    { atMs: 300, type: "restart", node: "n1" },
  ], ["n0", "n1", "n2"]);
  const r = shrinkSchedule(fails, schedule);
  const episodes = r.steps.filter((s) => s.kind === "episode").map((s) => s.description);
  assert.deepEqual(episodes, [
    "remove t=100 crash n1 with t=250 restart n1",
    "remove t=0 crash n1 with t=0 restart n1",
  ]);
  assert.deepEqual(r.schedule.map((f) => [f.type, f.atMs]), [
    ["crash", 0],
    ["restart", 0],
    ["restart", 200],
  ]);
  assert.equal(r.exhausted, false);
});
