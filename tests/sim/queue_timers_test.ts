/**
 * The event queue's `reschedule` and `remove`, checked against a model (a list sorted by time,
 * then by the order of scheduling), and the simulator's timers built on them: re-arming a timer
 * moves its one queued event instead of leaving a stale copy behind, cancelling takes it out, and
 * both keep the order of events that a fresh push would give.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { EventQueue } from "@lab/sim/queue.ts";
import { Simulation } from "@lab/sim/simulation.ts";

type Item = { t: number; seq: number; qi?: number; name: number };

/** One operation on the queue: push a new item, pop, or reschedule / remove the k-th live item. */
type Op =
  | { op: "push"; t: number }
  | { op: "pop" }
  | { op: "reschedule"; k: number; t: number }
  | { op: "remove"; k: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant("push" as const), t: fc.integer({ min: 0, max: 20 }) }),
  fc.record({ op: fc.constant("pop" as const) }),
  fc.record({
    op: fc.constant("reschedule" as const),
    k: fc.nat(50),
    t: fc.integer({ min: 0, max: 20 }),
  }),
  fc.record({ op: fc.constant("remove" as const), k: fc.nat(50) }),
);

Deno.test("sim queue: push, pop, reschedule and remove agree with a sorted-list model", () => {
  fc.assert(
    fc.property(fc.array(opArb, { maxLength: 120 }), (ops) => {
      const q = new EventQueue<Item>();
      // the model: live items with their (t, order) key; order is a counter bumped on every
      // push and every reschedule, as the definition says ("as if popped and pushed again now")
      const model: { item: Item; t: number; order: number }[] = [];
      let order = 0, name = 0;
      for (const o of ops) {
        if (o.op === "push") {
          const item: Item = { t: o.t, seq: -1, name: name++ };
          q.push(item);
          model.push({ item, t: o.t, order: order++ });
        } else if (o.op === "pop") {
          model.sort((a, b) => a.t - b.t || a.order - b.order);
          const want = model.shift();
          assert.equal(q.pop(), want?.item);
        } else if (model.length > 0) {
          const m = model[o.k % model.length];
          if (o.op === "reschedule") {
            q.reschedule(m.item, o.t);
            m.t = o.t;
            m.order = order++;
          } else {
            q.remove(m.item);
            model.splice(model.indexOf(m), 1);
          }
        }
        assert.equal(q.size, model.length);
      }
      model.sort((a, b) => a.t - b.t || a.order - b.order);
      const rest: Item[] = [];
      for (let e = q.pop(); e; e = q.pop()) rest.push(e);
      assert.deepEqual(rest.map((e) => e.name), model.map((m) => m.item.name));
    }),
    { numRuns: 300, seed: 15 },
  );
});

Deno.test("sim queue: a rescheduled item runs after items already due at its new time", () => {
  const q = new EventQueue<Item>();
  const a: Item = { t: 9, seq: 0, name: 0 };
  const b: Item = { t: 5, seq: 0, name: 1 };
  q.push(a);
  q.push(b);
  q.reschedule(a, 5); // earlier than before, but scheduled after b: b first
  assert.deepEqual([q.pop()?.name, q.pop()?.name], [1, 0]);
});

Deno.test("sim queue: reschedule or remove of an item that is not queued is an error, not a silent corruption", () => {
  const q = new EventQueue<Item>();
  const a: Item = { t: 1, seq: 0, name: 0 };
  const b: Item = { t: 2, seq: 0, name: 1 };
  assert.throws(() => q.remove(a), /EventQueue\.remove: the event is not in this queue/);
  q.push(a);
  q.push(b);
  assert.equal(q.pop(), a);
  assert.throws(() => q.reschedule(a, 3), /EventQueue\.reschedule: the event is not in this queue/);
  const other = new EventQueue<Item>();
  assert.throws(() => other.remove(b), /not in this queue/);
  q.remove(b);
  assert.throws(() => q.remove(b), /not in this queue/);
  assert.equal(q.size, 0);
  // removeWhere takes items out too: they are no longer queued afterwards
  const c: Item = { t: 1, seq: 0, name: 2 };
  q.push(c);
  q.removeWhere(() => true);
  assert.throws(() => q.reschedule(c, 4), /not in this queue/);
});

Deno.test("sim timers: re-arming leaves one queued event per timer, cancelling leaves none", () => {
  const sim = new Simulation<number>({ seed: 1 });
  const fired: [string, number][] = [];
  sim.addNode("a", (ctx) => ({
    start() {
      ctx.setTimer("t", 100);
    },
    onMessage() {
      ctx.setTimer("t", 100); // re-armed on every message, as a Raft follower does
    },
    onTimer(name) {
      fired.push([name, sim.nowMs]);
    },
  }));
  sim.addNode("b", () => ({ onMessage() {} }));
  sim.run({ untilMs: 0 });
  for (let i = 1; i <= 50; i++) sim.inject("b", "a", i, { delayMs: i });
  sim.run({ untilMs: 30 });
  // message i arrives at 1 + i ms (1 ms network): i = 30…50 are still in flight, plus the one
  // timer (the old way left a stale copy queued for each of the 29 re-arms so far)
  assert.equal(sim.pending, 21 + 1);
  sim.run({ untilMs: 1_000 });
  // the last message arrives at 51 ms (1 ms network + 50): the timer fires 100 ms later, once
  assert.deepEqual(fired, [["t", 151]]);
  assert.equal(sim.pending, 0);
});

Deno.test("sim timers: a cancelled timer is gone from the queue and never fires; an earlier re-arm fires early", () => {
  const sim = new Simulation<number>({ seed: 1 });
  const fired: [string, number][] = [];
  sim.addNode("a", (ctx) => ({
    start() {
      ctx.setTimer("x", 50);
      ctx.setTimer("y", 80);
      ctx.setTimer("z", 500);
    },
    onMessage(_f, m) {
      if (m === 1) ctx.cancelTimer("x");
      if (m === 2) ctx.setTimer("z", 10); // from 500 down to 12 + 10
      if (m === 3) ctx.cancelTimer("never-set"); // harmless
    },
    onTimer(name) {
      fired.push([name, sim.nowMs]);
    },
  }));
  sim.addNode("b", () => ({ onMessage() {} }));
  sim.run({ untilMs: 0 });
  assert.equal(sim.pending, 3);
  sim.inject("b", "a", 1, { delayMs: 9 }); // arrives at 10
  sim.inject("b", "a", 2, { delayMs: 11 }); // arrives at 12
  sim.inject("b", "a", 3, { delayMs: 12 }); // arrives at 13
  sim.run({ untilMs: 13 });
  assert.equal(sim.pending, 2, "y and the re-armed z; x was taken out");
  sim.run({ untilMs: 1_000 });
  assert.deepEqual(fired, [["z", 22], ["y", 80]]);
  // events handled: the two nodes' starts, 3 deliveries and 2 timers; no stale pops of x at 50
  // or of z's first arming at 500
  assert.equal(sim.eventsHandled, 2 + 3 + 2);
});

Deno.test("sim timers: a timer re-armed while its due event waits in a pause backlog fires once, at the new time", () => {
  const sim = new Simulation<number>({ seed: 1 });
  const fired: [string, number][] = [];
  sim.addNode("a", (ctx) => ({
    start() {
      ctx.setTimer("t", 10);
    },
    onMessage() {
      ctx.setTimer("t", 40);
    },
    onTimer(name) {
      fired.push([name, sim.nowMs]);
    },
  }));
  sim.addNode("b", () => ({ onMessage() {} }));
  sim.run({ untilMs: 0 });
  sim.inject("b", "a", 1, { delayMs: 4 }); // due at 5, during the pause
  sim.pause("a", 20); // 0–20: the message (5) and the timer (10) wait in the backlog
  sim.run({ untilMs: 1_000 });
  // at the resume (20) the message is handled first and re-arms t for 20 + 40: the backlogged
  // firing at 10 is stale by then and is dropped
  assert.deepEqual(fired, [["t", 60]]);
});

Deno.test("sim timers: re-arming consumes message ids as before, so later message ids do not shift", () => {
  // two runs that differ only in how often a timer is re-armed between two sends: the second
  // message's id is larger by exactly the number of extra re-arms (one id per setTimer call)
  const ids = (rearms: number) => {
    const sim = new Simulation<number>({ seed: 1, trace: { mode: "full" } });
    sim.addNode("a", (ctx) => ({
      start() {
        ctx.send("b", 1);
        for (let i = 0; i < rearms; i++) ctx.setTimer("t", 100);
        ctx.send("b", 2);
      },
      onMessage() {},
    }));
    sim.addNode("b", () => ({ onMessage() {} }));
    sim.run({ untilMs: 50 });
    return sim.trace.records.flatMap((r) => r.type === "send" ? [r.id] : []);
  };
  const [a1, a2] = ids(0), [b1, b2] = ids(3);
  assert.equal(a1, b1);
  assert.equal(b2 - a2, 3);
});

Deno.test("sim timers: many timers on one node (past the small table) fire, cancel and re-arm by name", () => {
  for (const count of [3, 8, 9, 20]) {
    const sim = new Simulation<number>({ seed: 1 });
    const fired: string[] = [];
    sim.addNode("a", (ctx) => ({
      start() {
        for (let i = 0; i < count; i++) ctx.setTimer(`t${i}`, 10 + i);
        ctx.cancelTimer("t1"); // the second armed: the table closes the gap
        ctx.setTimer(`t${count - 1}`, 5); // the last re-armed earlier
        ctx.setTimer("t0", 100); // the first re-armed later
      },
      onMessage() {},
      onTimer(name) {
        fired.push(`${name}@${sim.nowMs}`);
      },
    }));
    sim.run({ untilMs: 1_000 });
    const want = [`t${count - 1}@5`];
    for (let i = 2; i < count - 1; i++) want.push(`t${i}@${10 + i}`);
    want.push("t0@100");
    assert.deepEqual(fired, want, `count ${count}`);
    assert.equal(sim.pending, 0);
  }
});

Deno.test("sim timers: a crash or a replace takes the node's armed timers out of the queue", () => {
  for (const how of ["crash", "replace"] as const) {
    const sim = new Simulation<number>({ seed: 1 });
    const fired: string[] = [];
    const factory = (tag: string) => (ctx: import("@lab/sim/types.ts").NodeContext<number>) => ({
      start() {
        if (tag === "first") {
          ctx.setTimer("a", 50);
          ctx.setTimer("b", 80);
        }
      },
      onMessage() {},
      onTimer(name: string) {
        fired.push(`${tag}:${name}`);
      },
    });
    sim.addNode("n", factory("first"));
    sim.run({ untilMs: 10 });
    assert.equal(sim.pending, 2);
    if (how === "crash") sim.crash("n");
    else sim.replace("n", factory("second"));
    assert.equal(sim.pending, 0, how);
    const before = sim.eventsHandled;
    sim.run({ untilMs: 1_000 });
    assert.deepEqual(fired, [], how);
    assert.equal(sim.eventsHandled, before, `${how}: no stale timer pops`);
  }
});
