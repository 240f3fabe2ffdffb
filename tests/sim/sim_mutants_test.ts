/**
 * Tests written to kill mutants `deno task mutate lib/sim` left alive: the event queue's `peek`,
 * message typing of `null`, the error naming a factory member that is not a server, a node's
 * peer count, storage copies, and the trace hash.
 */
import assert from "node:assert/strict";
import { EventQueue } from "@lab/sim/queue.ts";
import { messageTypeOf, Simulation, unknownMembers } from "@lab/sim/simulation.ts";
import { immutable, isImmutable, MemoryStorage } from "@lab/sim/storage.ts";
import { RunningHash, Trace } from "@lab/sim/trace.ts";
import type { TraceRecord } from "@lab/sim/types.ts";

Deno.test("sim queue: peek shows the earliest event (ties by insertion) without removing it", () => {
  const q = new EventQueue<{ t: number; seq: number; name: string }>();
  assert.equal(q.peek(), undefined);
  q.push({ t: 5, seq: 0, name: "late" });
  q.push({ t: 2, seq: 0, name: "first" });
  q.push({ t: 2, seq: 0, name: "second" });
  assert.equal(q.peek()?.name, "first");
  assert.equal(q.peek()?.name, "first", "peek does not remove");
  assert.equal(q.pop()?.name, "first");
  assert.equal(q.peek()?.name, "second");
  q.pop();
  q.pop();
  assert.equal(q.peek(), undefined);
});

Deno.test("sim: a null or untyped message is counted as (untyped), a typed one by its type", () => {
  assert.equal(messageTypeOf(null), "(untyped)");
  assert.equal(messageTypeOf(undefined), "(untyped)");
  assert.equal(messageTypeOf(7), "(untyped)");
  assert.equal(messageTypeOf({ type: 3 }), "(untyped)");
  assert.equal(messageTypeOf({ type: "Ping" }), "Ping");
});

Deno.test("sim: a member that is not a server is named with its path and the servers", () => {
  assert.deepEqual(unknownMembers(["n0", "n9"], ["n0", "n1"], "acceptors"), [
    { path: "acceptors[1]", message: `"n9" is not a server of the cluster (servers: n0, n1)` },
  ]);
  assert.deepEqual(unknownMembers(undefined, ["n0"], "x"), []);
});

Deno.test("sim: peerCount and peerAt skip the node itself, wherever it stands in the membership", () => {
  const sim = new Simulation<number>({ seed: 1 });
  const seen: Record<string, { count: number | undefined; peers: string[] }> = {};
  for (const id of ["n0", "n1", "n2"]) {
    sim.addNode(id, (ctx) => {
      seen[id] = {
        count: ctx.peerCount,
        peers: Array.from({ length: ctx.peerCount ?? 0 }, (_, i) => ctx.peerAt!(i)),
      };
      return { onMessage() {} };
    });
  }
  sim.run({ untilMs: 1 });
  assert.deepEqual(seen, {
    n0: { count: 2, peers: ["n1", "n2"] },
    n1: { count: 2, peers: ["n0", "n2"] },
    n2: { count: 2, peers: ["n0", "n1"] },
  });
});

Deno.test("sim storage: stored objects are copies, and a missing list reads as empty", () => {
  const s = new MemoryStorage();
  const v = { a: [1] };
  s.set("k", v);
  v.a.push(2);
  assert.deepEqual(s.get("k"), { a: [1] }, "a later change to the caller's object is not stored");
  assert.deepEqual(s.list("missing"), []);
  assert.equal(s.listLength("missing"), 0);
  s.append("l", { x: 1 });
  assert.deepEqual(s.list("l"), [{ x: 1 }]);
});

Deno.test("sim trace: the hash separates fields, covers a delivery's send time, and is 16 hex digits", () => {
  const hashOf = (...rs: TraceRecord[]) => {
    const t = new Trace({ mode: "sampled" });
    for (const r of rs) t.add(r);
    return t.hash();
  };
  const send = { type: "send", t: 1, id: 0, msg: "m", sizeBytes: 10 } as const;
  assert.notEqual(
    hashOf({ ...send, from: "a", to: "bc" }),
    hashOf({ ...send, from: "ab", to: "c" }),
    "from and to are separated",
  );
  const deliver = { type: "deliver", t: 9, id: 0, from: "a", to: "b", msg: "m" } as const;
  assert.notEqual(hashOf({ ...deliver, sentAt: 1 }), hashOf({ ...deliver, sentAt: 2 }));
  assert.equal(hashOf({ ...deliver, sentAt: 1 }), hashOf({ ...deliver, sentAt: 1 }));
  // a send and a delivery with the same fields and number (sizeBytes 1, sentAt 1) differ by kind
  assert.notEqual(
    hashOf({ ...send, t: 9, from: "a", to: "b", sizeBytes: 1 }),
    hashOf({ ...deliver, sentAt: 1 }),
  );
  // "to" is separated from the size that follows it
  assert.notEqual(
    hashOf({ ...send, from: "a", to: "b", sizeBytes: 12 }),
    hashOf({ ...send, from: "a", to: "b1", sizeBytes: 2 }),
  );
  // every digest has both 32-bit words zero-padded (about 1 in 8 words starts with a 0 nibble)
  const h = new RunningHash();
  for (let i = 0; i < 200; i++) {
    h.feed(`x${i}`);
    assert.match(h.digest(), /^[0-9a-f]{16}$/);
  }
});

Deno.test("sim queue: removeWhere drops the matching events and keeps the rest in order", () => {
  const q = new EventQueue<{ t: number; seq: number; name: string }>();
  for (const [t, name] of [[4, "d"], [1, "a"], [3, "c"], [2, "b"], [5, "e"]] as const) {
    q.push({ t, seq: 0, name });
  }
  assert.equal(q.removeWhere((e) => e.name === "b" || e.name === "d"), 2);
  const out: string[] = [];
  for (let e = q.pop(); e; e = q.pop()) out.push(`${e.name}@${e.t}`);
  assert.deepEqual(out, ["a@1", "c@3", "e@5"]);
});

Deno.test("sim storage: isImmutable is true only for primitives and storage's frozen copies", () => {
  for (const x of [null, undefined, 0, "s", true, 3n]) {
    assert.equal(isImmutable(x), true, String(x));
  }
  for (const x of [{ a: 1 }, [1, 2], Object.freeze({ a: 1 })]) {
    assert.equal(isImmutable(x), false, JSON.stringify(x));
  }
  assert.equal(isImmutable(immutable({ term: 1, command: { key: "k" } })), true);
});

Deno.test("sim: with the trace off, a firing timer records nothing", () => {
  const sim = new Simulation<number>({ seed: 1, trace: { mode: "off" } });
  let fired = 0;
  sim.addNode("n0", (ctx) => ({
    start: () => ctx.setTimer("t", 5),
    onTimer: () => void fired++,
    onMessage() {},
  }));
  sim.run({ untilMs: 20 });
  assert.equal(fired, 1);
  assert.equal(sim.trace.records.length, 0);
});

Deno.test("sim storage: a Date keeps its type and an own __proto__ key stays a plain key", () => {
  const s = new MemoryStorage();
  s.set("d", new Date(5));
  const d = s.get("d");
  assert.ok(d instanceof Date && d.getTime() === 5, String(d));
  s.set("p", JSON.parse('{"__proto__": {"x": 1}, "y": 2}'));
  const p = s.get("p") as Record<string, unknown>;
  assert.equal(Object.getPrototypeOf(p), Object.prototype);
  assert.ok(Object.hasOwn(p, "__proto__"));
  assert.deepEqual(Object.keys(p).sort(), ["__proto__", "y"]);
  assert.equal((p as { x?: number }).x, undefined);
});

Deno.test("sim: adding a twin is traced with the node and the instance", () => {
  const sim = new Simulation<number>({ seed: 1 });
  sim.addNode("a", () => ({ onMessage() {} }));
  sim.addTwin("a", { instance: "a2" });
  const r = sim.trace.records.find((x) => x.type === "nemesis");
  assert.deepEqual(r && r.type === "nemesis" ? r.action : undefined, {
    type: "twin",
    node: "a",
    instance: "a2",
  });
});
