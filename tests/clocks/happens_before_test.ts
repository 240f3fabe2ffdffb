import assert from "node:assert/strict";
import { causalHistory, vectorCompare } from "@lab/clocks/mod.ts";
import { Simulation, type TraceRecord } from "@lab/sim/mod.ts";

const ev = (t: number, node: string, type = "x"): TraceRecord => ({
  type: "event",
  t,
  node,
  event: { type },
});

Deno.test("happens-before: program order, send → deliver and transitivity from a hand trace", () => {
  // a1 → send(1) → deliver(1) at b → b2; c1 concurrent with everything; duplicate 3 of 2
  const trace: TraceRecord[] = [
    ev(0, "a"),
    { type: "send", t: 1, id: 1, from: "a", to: "b", msg: null, sizeBytes: 0 },
    ev(1, "c"),
    ev(2, "b"),
    { type: "deliver", t: 3, id: 1, from: "a", to: "b", msg: null, sentAt: 1 },
    ev(4, "b"),
    { type: "send", t: 5, id: 2, from: "b", to: "c", msg: null, sizeBytes: 0 },
    { type: "duplicate", t: 5, id: 3, of: 2, from: "b", to: "c" },
    { type: "timer", t: 6, node: "c", name: "tick" },
    { type: "deliver", t: 7, id: 3, from: "b", to: "c", msg: null, sentAt: 5 },
  ];
  const h = causalHistory(trace);
  assert.deepEqual(h.nodes, ["a", "b", "c"]);
  const [a1, sa, c1, b1, db, b2, sb, dc] = h.events;
  assert.equal(h.events.length, 8); // the timer is not an event by default
  assert.deepEqual(db.vector, { a: 2, b: 2 });
  assert.deepEqual(dc.vector, { a: 2, b: 4, c: 2 });
  assert.equal(h.order(a1, b2), "before");
  assert.equal(h.order(b2, a1), "after");
  assert.equal(h.order(sa, b1), "concurrent");
  assert.equal(h.order(c1, b2), "concurrent");
  assert.equal(h.order(c1, dc), "before"); // program order at c
  assert.equal(h.order(a1, dc), "before"); // transitively through b, via the duplicate
  assert.equal(h.order(sb, sb), "equal");
  assert.deepEqual(h.pastOf(b2).map((e) => e.index), [0, 1, 3, 4]);
  assert.equal(h.at(4), db);
  assert.equal(h.protocolEvents("x").length, 4);
  for (const x of h.events) {
    for (const y of h.events) assert.equal(h.order(x, y), vectorCompare(x.vector, y.vector));
  }
  const withTimers = causalHistory(trace, { includeTimers: true });
  assert.equal(withTimers.events.length, 9);
});

Deno.test("happens-before: a delivery without its send is an error (trace not full)", () => {
  const trace: TraceRecord[] = [
    { type: "deliver", t: 3, id: 9, from: "a", to: "b", msg: null, sentAt: 1 },
  ];
  assert.throws(() => causalHistory(trace), /no send record/);
  const sim = new Simulation({ seed: 1, trace: { mode: "sampled" } });
  assert.throws(() => causalHistory(sim.trace), /full trace/);
});

Deno.test("happens-before: program order runs on across a crash and restart", () => {
  const sim = new Simulation<string>({ seed: 3 });
  sim.addNode("a", (ctx) => ({
    start: () => ctx.emit({ type: "up" }),
    onMessage() {},
  }));
  sim.run({ untilMs: 1 });
  sim.crash("a");
  sim.restart("a");
  sim.run({ untilMs: 2 });
  const h = causalHistory(sim.trace);
  const [first, second] = h.protocolEvents("up");
  assert.equal(h.order(first, second), "before");
});
