/**
 * Tests written to kill the mutants a second held-out `deno task mutate lib/net` sample left
 * alive: a Byzantine send with a delay of exactly 0, the bounds of the lognormal and empirical
 * latency specs, and the shrinker's run budget (a budget of one run, and the best schedule kept
 * when the budget runs out right after a candidate that passed).
 */
import assert from "node:assert/strict";
import { Simulation } from "@lab/sim/mod.ts";
import type { NodeContext } from "@lab/sim/mod.ts";
import { Network } from "@lab/net/mod.ts";
import { byzantineFactory } from "@lab/net/adversary.ts";
import { parseSchedule, type Schedule } from "@lab/net/nemesis.ts";
import { shrinkSchedule } from "@lab/net/shrink.ts";

Deno.test("net adversary: a Byzantine send with delayMs 0 goes out at once, like an honest one", () => {
  // At start b's honest code sends "a" to r, which the behaviour forwards with an extra delay of
  // 0 (an explicit 0 and no option at all must be alike); then the honest node c, started after b,
  // sends "c" to r. A delay of 0 adds nothing, so "a" leaves during b's start, before "c", and
  // over the default constant 1 ms network both arrive at 1 ms in the order sent (events at the
  // same time run in the order they were scheduled). Waiting on a 0 ms timer instead would send
  // "a" only when that timer fires, after c's start: r would get "c" first.
  for (const options of [{ delayMs: 0 }, undefined]) {
    const sim = new Simulation<string>({ seed: 3 });
    const got: string[] = [];
    const honest = (ctx: NodeContext<string>) => ({
      start: () => ctx.send("r", "a"),
      onMessage() {},
    });
    sim.addNode(
      "b",
      byzantineFactory<string>(honest, (out, t) => t.send(out.to, out.msg, options)),
    );
    sim.addNode("c", (ctx) => ({ start: () => ctx.send("r", "c"), onMessage() {} }));
    sim.addNode("r", (ctx) => ({
      onMessage: (from, m) => void got.push(`${from} ${m} @${ctx.nowMs()}`),
    }));
    sim.run();
    assert.deepEqual(got, ["b a @1", "c c @1"], `options ${JSON.stringify(options)}`);
  }
});

Deno.test("net latency: a lognormal sigma must be >= 0, so a positive one is accepted", () => {
  // sigma is a standard deviation: any value >= 0 is valid, a negative one is not.
  const net = (sigma: number) =>
    new Network({ latency: { kind: "lognormal", mu: 1, sigma } }, { seed: 1 });
  assert.doesNotThrow(() => net(0.5));
  assert.doesNotThrow(() => net(0));
  assert.throws(() => net(-0.5), /latency\.sigma/);
});

Deno.test("net latency: an empirical latency takes one or more samples, never none", () => {
  const net = (samplesMs: number[]) =>
    new Network({ latency: { kind: "empirical", samplesMs } }, { seed: 1 });
  assert.doesNotThrow(() => net([1, 2, 5]));
  assert.doesNotThrow(() => net([4]));
  assert.throws(() => net([]), /latency\.samplesMs/);
  // with several samples, every delivery takes one of them
  const n = net([1, 2, 5]);
  n.addNode("n0", 0);
  n.addNode("n1", 1);
  for (let i = 0; i < 20; i++) {
    const d = n.transmit(0, 1, 0, 0);
    assert.ok(d === 1 || d === 2 || d === 5, `delay ${d}`);
  }
});

const twoFaults = (): Schedule =>
  parseSchedule([
    { atMs: 10, type: "crash", node: "n1" },
    { atMs: 20, type: "crash", node: "n2" },
  ], ["n0", "n1", "n2"]);

Deno.test("net shrink: a budget of one run is valid and spends it on the original", () => {
  // maxRuns counts the check of the original, so 1 is the smallest valid budget: the original is
  // run, the next candidate (the empty schedule) finds no budget left and the original is kept.
  const schedule = twoFaults();
  const r = shrinkSchedule((s) => s.length > 0, schedule, { maxRuns: 1 });
  assert.equal(r.runs, 1);
  assert.equal(r.exhausted, true);
  assert.deepEqual(r.schedule, schedule);
  assert.deepEqual(r.steps.map((s) => [s.kind, s.failed]), [["original", true]]);
  assert.throws(() => shrinkSchedule(() => true, schedule, { maxRuns: 0 }), /maxRuns/);
});

Deno.test("net shrink: a candidate that passed is not returned when the budget runs out", () => {
  // The test fails on any non-empty schedule. Run 1: the original fails; run 2: the empty
  // schedule passes (so it is not kept); the next candidate (a prefix) finds the budget of 2
  // spent. The best failing schedule found is still the original, not the empty one that passed.
  const schedule = twoFaults();
  const r = shrinkSchedule((s) => s.length > 0, schedule, { maxRuns: 2 });
  assert.equal(r.exhausted, true);
  assert.deepEqual(r.steps.map((s) => [s.kind, s.failed]), [["original", true], ["empty", false]]);
  assert.deepEqual(r.schedule, schedule);
});
