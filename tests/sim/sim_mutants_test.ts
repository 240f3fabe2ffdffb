/**
 * Tests written to kill mutants `deno task mutate lib/sim` left alive: the event queue's `peek`,
 * message typing of `null`, the error naming a factory member that is not a server, a node's
 * peer count, storage copies, and the trace hash; then (seeds 4–7) node ids, twins, listeners,
 * pauses, replace, holds, member checks, run bounds, custom networks, signatures, the record of a
 * scripted run, FakeContext, storage's freezeInPlace and counters, and the trace's stable JSON
 * (against its definition), column store, sampling and canonical hash lines; then (held-out seed
 * 101) the queue's tie order after removeWhere, the view of a pause at its end instant, in-flight
 * partition drops, freezeIfImmutable, and stored nulls; then (held-out seed 104) a second crash of
 * a node that is already down; then (held-out seed 105) a read copy's own `__proto__` key.
 */
import assert from "node:assert/strict";
import { referenceStable } from "./_stable_reference.ts";
import fc from "fast-check";
import { EventQueue } from "@lab/sim/queue.ts";
import {
  ConstantNetwork,
  type EmittedEvent,
  messageTypeOf,
  type NetworkModel,
  Simulation,
  type Transmission,
  unknownMembers,
  withMemberCheck,
} from "@lab/sim/simulation.ts";
import {
  ConfigError,
  describeInvariantBreach,
  formatPath,
  InvariantError,
  SimulationError,
} from "@lab/sim/errors.ts";
import {
  freezeIfImmutable,
  freezeInPlace,
  immutable,
  isImmutable,
  MemoryStorage,
} from "@lab/sim/storage.ts";
import { digestOf, RunningHash, stableStringify, Trace } from "@lab/sim/trace.ts";
import type { NodeContext, Signature, TraceRecord } from "@lab/sim/types.ts";

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

Deno.test("sim errors: each error class has its own name, and a breach is described in one line", () => {
  const breach = {
    invariant: "one leader",
    message: "two leaders",
    node: "n1",
    timeMs: 12.34567,
    eventIndex: 7,
    traceIndex: 9,
    seed: 42,
  };
  const line = describeInvariantBreach("raft", breach, " term=3");
  assert.equal(
    line,
    `raft invariant "one leader" violated: seed=42 t=12.346ms event #7 trace record #9 node=n1 term=3: two leaders`,
  );
  const e = new InvariantError(breach, line);
  assert.equal(e.name, "InvariantError");
  assert.equal(e.message, line);
  assert.equal(e.breach, breach);
  assert.equal(new SimulationError("x").name, "SimulationError");
  const c = new ConfigError("cluster options", [{ path: "a.b", message: "bad" }, {
    path: "",
    message: "also bad",
  }]);
  assert.equal(c.name, "ConfigError");
  assert.equal(c.message, "invalid cluster options: a.b: bad; also bad");
  assert.equal(formatPath(["links", 2, "lossRatio"]), "links[2].lossRatio");
  assert.equal(formatPath([0, "a"]), "[0].a");
});

Deno.test("sim: a node id must be a non-empty string", () => {
  const sim = new Simulation<number>({ seed: 1 });
  assert.throws(() => sim.addNode("", () => ({ onMessage() {} })), SimulationError);
  assert.throws(
    () => sim.addNode(5 as unknown as string, () => ({ onMessage() {} })),
    SimulationError,
  );
  sim.addNode("a", () => ({ onMessage() {} }));
  assert.deepEqual(sim.nodeIds, ["a"]);
});

Deno.test("sim: a twin makes its identity Byzantine by default, and only then", () => {
  const make = () => {
    const sim = new Simulation<number>({ seed: 1 });
    sim.addNode("a", () => ({ onMessage() {} }));
    return sim;
  };
  const s1 = make();
  const i1 = s1.addTwin("a");
  assert.equal(i1, "a'");
  assert.equal(s1.node("a").byzantine, true);
  assert.equal(s1.node(i1).byzantine, true);
  const s2 = make();
  const i2 = s2.addTwin("a", { byzantine: false });
  assert.equal(s2.node("a").byzantine, false);
  assert.equal(s2.node(i2).byzantine, false);
});

Deno.test("sim: stopping one listener (event, delivery, check) leaves the others listening", () => {
  const sim = new Simulation<number>({ seed: 1 });
  sim.addNode("a", (ctx) => ({ start: () => ctx.send("b", 1), onMessage() {} }));
  sim.addNode("b", (ctx) => ({ onMessage: (_f, m) => ctx.emit({ type: "got", m }) }));
  const seen: string[] = [];
  const stopE1 = sim.onEvent(() => void seen.push("e1"));
  sim.onEvent(() => void seen.push("e2"));
  const stopD1 = sim.onDeliver(() => void seen.push("d1"));
  sim.onDeliver(() => void seen.push("d2"));
  let c1 = 0, c2 = 0;
  const stopC1 = sim.afterEach(() => void c1++);
  sim.afterEach(() => void c2++);
  stopE1();
  stopD1();
  stopC1();
  sim.run();
  assert.deepEqual(seen, ["d2", "e2"]);
  assert.equal(c1, 0);
  assert.ok(c2 > 0);
});

Deno.test("sim: a pause of 0 ms is allowed, a negative or NaN one is refused", () => {
  const sim = new Simulation<number>({ seed: 1 });
  sim.addNode("a", () => ({ onMessage() {} }));
  sim.run({ untilMs: 1 });
  sim.pause("a", 0);
  assert.throws(() => sim.pause("a", -1), SimulationError);
  assert.throws(() => sim.pause("a", NaN), SimulationError);
});

Deno.test("sim: replace bumps the incarnation, so the old object's context stays dead after a restart", () => {
  const sim = new Simulation<number>({ seed: 1 });
  const ctxs: { ctx: NodeContext<number>; tag: string }[] = [];
  sim.addNode("a", (ctx) => (ctxs.push({ ctx, tag: "honest" }), { onMessage() {} }));
  const got: string[] = [];
  sim.addNode("b", () => ({ onMessage: (_f, m) => void got.push(String(m)) }));
  sim.run({ untilMs: 1 });
  assert.equal(sim.node("a").incarnation, 0);
  sim.replace("a", (ctx) => (ctxs.push({ ctx, tag: "adversary" }), { onMessage() {} }));
  assert.equal(sim.node("a").incarnation, 1);
  sim.crash("a");
  assert.equal(sim.node("a").incarnation, 2);
  sim.restart("a");
  // every earlier context is dead: only the newest one can send
  ctxs.forEach(({ ctx }, i) => ctx.send("b", i));
  sim.run({ untilMs: 10 });
  assert.deepEqual(got, [String(ctxs.length - 1)]);
});

Deno.test("sim: hold and release are traced as nemesis actions", () => {
  const sim = new Simulation<number>({ seed: 1 });
  sim.addNode("a", () => ({ onMessage() {} }));
  sim.addNode("b", () => ({ onMessage() {} }));
  sim.hold("a", "b");
  sim.hold("b", "a", { bidirectional: true });
  sim.inject("a", "b", 1);
  sim.run({ untilMs: 5 });
  assert.equal(sim.release("a", "b"), 1);
  const actions = sim.trace.records.flatMap((r) => r.type === "nemesis" ? [r.action] : []);
  assert.deepEqual(actions, [
    { type: "hold", from: "a", to: "b", bidirectional: false },
    { type: "hold", from: "b", to: "a", bidirectional: true },
    { type: "release", from: "a", to: "b", released: 1 },
  ]);
});

Deno.test("sim: a factory's member check runs once, at the node's first boot", () => {
  let checks = 0;
  const ok = withMemberCheck(() => ({ onMessage() {} }), (servers) => {
    checks++;
    assert.deepEqual(servers, ["a", "b"]);
  });
  const sim = new Simulation<number>({ seed: 1 });
  sim.addNode("a", ok);
  sim.addNode("b", () => ({ onMessage() {} }));
  sim.run({ untilMs: 1 });
  assert.equal(checks, 1);
  sim.crash("a");
  sim.restart("a");
  assert.equal(checks, 1, "a restart does not check again");
  const bad = withMemberCheck(() => ({ onMessage() {} }), (servers) => {
    throw new ConfigError("x", unknownMembers(["zz"], servers, "servers"));
  });
  const sim2 = new Simulation<number>({ seed: 1 });
  sim2.addNode("a", bad);
  assert.throws(
    () => sim2.run(),
    (e: unknown) => e instanceof ConfigError && /servers\[0\]/.test(e.message),
  );
});

Deno.test("sim trace: stableStringify keeps primitives' types, sorts keys and writes collections as arrays", () => {
  assert.equal(stableStringify(true), "true");
  assert.equal(stableStringify(false), "false");
  assert.equal(stableStringify(null), "null");
  assert.equal(stableStringify(undefined), "null");
  assert.equal(stableStringify("s"), `"s"`);
  assert.equal(stableStringify(-2.5), "-2.5");
  assert.equal(stableStringify(3n), `"3n"`);
  assert.equal(stableStringify([NaN, Infinity, -Infinity]), `["NaN","Infinity","-Infinity"]`);
  assert.equal(stableStringify({ b: 1, a: [true, null], c: undefined }), `{"a":[true,null],"b":1}`);
  assert.equal(
    stableStringify(new Map<unknown, unknown>([[1, "x"], ["k", { z: 1, y: 2 }]])),
    `[[1,"x"],["k",{"y":2,"z":1}]]`,
  );
  assert.equal(stableStringify(new Set([2, 1])), "[2,1]");
  assert.equal(stableStringify(new Uint8Array([1, 2])), "[1,2]");
  assert.notEqual(stableStringify(new Map([[1, 2]])), stableStringify(new Map([[1, 3]])));
});

Deno.test("sim: run's time bound: a quiescent run advances to a finite bound, never backwards; NaN is refused", () => {
  const sim = new Simulation<number>({ seed: 1 });
  sim.schedule(5, () => {});
  assert.deepEqual(sim.run({ untilMs: 200 }), { reason: "time", nowMs: 200, events: 1 });
  assert.deepEqual(sim.run({ untilMs: 50 }), { reason: "time", nowMs: 200, events: 0 });
  assert.deepEqual(sim.runFor(30), { reason: "time", nowMs: 230, events: 0 });
  assert.throws(() => sim.run({ untilMs: NaN }), /untilMs is NaN/);
  assert.throws(() => sim.schedule(-1, () => {}), /delay must be >= 0, got -1/);
  let ranAt = -1;
  sim.at(10, () => ranAt = sim.nowMs); // in the past: runs now
  sim.run();
  assert.equal(ranAt, 230);
  assert.equal(sim.describe(), "seed=1 nodes=0 t=230ms trace=full");
  assert.equal(sim.eventsHandled, 2);
  assert.equal(sim.pending, 0);
});

Deno.test("sim: pauses extend to the latest end, resume ends one early, a crashed node ignores a pause", () => {
  const sim = new Simulation<number>({ seed: 1 });
  const got: number[] = [];
  sim.addNode("a", () => ({ onMessage: () => void got.push(sim.nowMs) }));
  sim.addNode("b", () => ({ onMessage() {} }));
  sim.run({ untilMs: 10 });
  sim.pause("a", 30); // until 40
  sim.at(15, () => sim.pause("a", 5)); // ends at 20 < 40: the pause still lasts until 40
  sim.at(20, () => sim.inject("b", "a", 1));
  sim.run({ untilMs: 35 });
  assert.equal(sim.node("a").paused, true);
  assert.deepEqual(got, []);
  sim.run({ untilMs: 45 });
  assert.deepEqual(got, [40]);
  assert.equal(sim.node("a").paused, false);
  sim.pause("a", 100);
  sim.inject("b", "a", 2);
  sim.run({ untilMs: 50 });
  sim.resume("a");
  assert.deepEqual(got, [40, 50], "resume hands the backlog over at once");
  sim.run({ untilMs: 200 });
  assert.deepEqual(got, [40, 50], "the old pause's end does nothing");
  sim.crash("a");
  sim.pause("a", 10);
  assert.equal(sim.node("a").paused, false);
  const pauses = sim.trace.records.filter((r) => r.type === "pause").length;
  assert.equal(pauses, 3);
});

Deno.test("sim: a crash ends a pause: the crashed node is not paused, even in the first ms", () => {
  const sim = new Simulation<number>({ seed: 1 });
  sim.addNode("a", () => ({ onMessage() {} }));
  sim.run({ untilMs: 0.25 });
  sim.pause("a", 5); // until 5.25
  assert.equal(sim.node("a").paused, true);
  sim.crash("a");
  // a crash forgets the pause (no pause end is left): paused means pausedUntil > now
  sim.run({ untilMs: 0.5 });
  assert.equal(sim.node("a").up, false);
  assert.equal(sim.node("a").paused, false);
});

Deno.test("sim: a crash during a pause drops the waiting messages as crashed", () => {
  const sim = new Simulation<number>({ seed: 1 });
  sim.addNode("a", () => ({ onMessage() {} }));
  sim.addNode("b", () => ({ onMessage() {} }));
  sim.run({ untilMs: 1 });
  sim.pause("a", 50);
  sim.inject("b", "a", 1);
  sim.inject("b", "a", 2);
  sim.run({ untilMs: 10 });
  sim.crash("a");
  const drops = sim.trace.records.flatMap((r) =>
    r.type === "drop" ? [`${r.from}->${r.to} ${r.msg} ${r.reason}`] : []
  );
  assert.deepEqual(drops, ["b->a 1 crashed", "b->a 2 crashed"]);
  assert.equal(sim.stats.dropped, 2);
  assert.equal(sim.stats.delivered, 0);
});

Deno.test("sim: release of one link frees only it (both ways); a held message to a crashed node is dropped", () => {
  const sim = new Simulation<string>({ seed: 1 });
  const got: string[] = [];
  for (const id of ["a", "b", "c"]) {
    sim.addNode(id, (ctx) => ({ onMessage: (f, m) => void got.push(`${f}->${ctx.self} ${m}`) }));
  }
  sim.run({ untilMs: 1 });
  assert.equal(sim.release(), 0);
  assert.equal(
    sim.trace.records.filter((r) => r.type === "nemesis").length,
    0,
    "nothing held: not traced",
  );
  sim.hold("a", "b", { bidirectional: true });
  sim.hold("a", "c");
  sim.inject("a", "b", "1");
  sim.inject("b", "a", "2");
  sim.inject("a", "c", "3");
  sim.run({ untilMs: 10 });
  assert.deepEqual(got, []);
  assert.equal(sim.release("b", "a"), 2);
  sim.run({ untilMs: 20 });
  assert.deepEqual(got.sort(), ["a->b 1", "b->a 2"]);
  sim.crash("c");
  assert.equal(sim.release(), 1);
  sim.run({ untilMs: 30 });
  assert.deepEqual(got, ["a->b 1", "b->a 2"]);
  const drop = sim.trace.records.find((r) => r.type === "drop");
  assert.ok(drop && drop.type === "drop" && drop.reason === "crashed" && drop.to === "c");
});

Deno.test("sim: inject and interceptors add their delays to the network's", () => {
  const sim = new Simulation<number>({ seed: 1, network: new ConstantNetwork(2) });
  const got: [number, number][] = [];
  sim.addNode("a", () => ({ onMessage() {} }));
  sim.addNode("b", () => ({ onMessage: (_f, m) => void got.push([m, sim.nowMs]) }));
  sim.run({ untilMs: 1 });
  sim.inject("a", "b", 1, { delayMs: 10 });
  sim.inject("a", "b", 2);
  sim.intercept("a", (o, net) => net.send(o.to, o.msg * 10, { delayMs: 5 }));
  sim.inject("a", "b", 3, { delayMs: 1 });
  sim.run();
  assert.deepEqual(got.sort((x, y) => x[1] - y[1]), [[2, 3], [30, 9], [1, 13]]);
});

Deno.test("sim: a custom network's drops and duplicates are counted and traced", () => {
  const fates: Transmission[] = ["loss", [1, 4, 6], 2];
  let k = 0;
  const network: NetworkModel = {
    usesSize: true,
    addNode() {},
    transmit: (_f, _t, size) => (sizes.push(size), fates[k++]),
    blocked: () => false,
  };
  const sizes: number[] = [];
  const sim = new Simulation<string>({
    seed: 1,
    network,
    messageSizeBytes: (m) => String(m).length,
  });
  const got: string[] = [];
  sim.addNode("a", () => ({ onMessage() {} }));
  sim.addNode("b", () => ({ onMessage: (_f, m) => void got.push(`${m}@${sim.nowMs}`) }));
  sim.inject("a", "b", "x");
  sim.inject("a", "b", "yy");
  sim.inject("a", "b", "zzz", { sizeBytes: 1000 });
  sim.run();
  assert.deepEqual(sizes, [1, 2, 1000]);
  assert.deepEqual(got, ["yy@1", "zzz@2", "yy@4", "yy@6"]);
  assert.equal(sim.stats.sent, 3);
  assert.equal(sim.stats.dropped, 1);
  assert.equal(sim.stats.duplicated, 2);
  assert.equal(sim.stats.delivered, 4);
  const dups = sim.trace.records.flatMap((r) => r.type === "duplicate" ? [[r.id, r.of]] : []);
  assert.deepEqual(dups, [[3, 2], [4, 2]]);
  const drop = sim.trace.records.find((r) => r.type === "drop");
  assert.ok(drop && drop.type === "drop" && drop.reason === "loss" && drop.msg === "x");
});

Deno.test("sim: signatures: a missing or malformed signature never verifies", () => {
  const sim = new Simulation<number>({ seed: 1 });
  let sig: Signature | undefined;
  sim.addNode("5", (ctx) => ({ start: () => void (sig = ctx.sign({ v: 1 })), onMessage() {} }));
  sim.run();
  assert.equal(sim.verifySignature(sig!, { v: 1 }), true);
  assert.equal(sim.verifySignature(null as unknown as Signature, { v: 1 }), false);
  // a signer that is not a string is refused, even one that prints as the real signer's id
  const numeric = { signer: 5, digest: sig!.digest } as unknown as Signature;
  assert.equal(sim.verifySignature(numeric, { v: 1 }), false);
  assert.equal(sim.verifySignature({ signer: "b", digest: sig!.digest }, { v: 1 }), false);
});

Deno.test("sim: events carry their trace position, and listeners hear them even when not collected", () => {
  const sim = new Simulation<number>({ seed: 1, collectEvents: false });
  const heard: EmittedEvent[] = [];
  sim.onEvent((e) => void heard.push(e));
  sim.addNode("a", (ctx) => ({ start: () => ctx.emit({ type: "hello" }), onMessage() {} }));
  sim.run({ untilMs: 3 });
  sim.emitFor("a", { type: "outside" });
  assert.equal(sim.events.length, 0);
  assert.deepEqual(heard.map((e) => [e.node, e.event.type, e.t]), [["a", "hello", 0], [
    "a",
    "outside",
    3,
  ]]);
  for (const e of heard) {
    const r = sim.trace.records[e.traceIndex];
    assert.ok(r.type === "event" && r.event === e.event);
  }
  const off = new Simulation<number>({ seed: 1, trace: { mode: "off" } });
  off.addNode("a", (ctx) => ({ start: () => ctx.emit({ type: "x" }), onMessage() {} }));
  off.run();
  assert.equal(off.events[0].traceIndex, -1);
});

Deno.test("sim: a handler's SimulationError passes through as is; a thrown non-Error is named", () => {
  const sim = new Simulation<number>({ seed: 3 });
  const inner = new SimulationError("inner");
  sim.addNode("a", () => ({
    start: () => {
      throw inner;
    },
    onMessage() {},
  }));
  assert.throws(() => sim.run(), (e: unknown) => e === inner);
  const sim2 = new Simulation<number>({ seed: 3 });
  sim2.addNode("a", () => ({ onMessage() {} }));
  sim2.addNode("b", () => ({
    onMessage: () => {
      throw "plain";
    },
  }));
  sim2.inject("a", "b", 1);
  assert.throws(() => sim2.run(), /node b failed in onMessage from a at t=1 ms \(seed=3\): plain/);
});

Deno.test("sim: setTimer refuses a negative delay; a dead context's calls do nothing", () => {
  const sim = new Simulation<number>({ seed: 1 });
  let ctx0!: NodeContext<number>;
  const fired: string[] = [];
  sim.addNode("a", (ctx) => {
    ctx0 ??= ctx;
    return { onMessage() {}, onTimer: (n) => void fired.push(n) };
  });
  sim.addNode("b", () => ({ onMessage() {} }));
  sim.run({ untilMs: 1 });
  assert.throws(() => ctx0.setTimer("t", -1), /a: setTimer\("t"\) needs afterMs >= 0, got -1/);
  ctx0.setTimer("keep", 5);
  sim.crash("a");
  sim.restart("a");
  ctx0.setTimer("dead", 1); // the old incarnation: ignored, no error
  ctx0.emit({ type: "dead" });
  ctx0.send("b", 1);
  sim.run({ untilMs: 20 });
  assert.deepEqual(fired, []);
  assert.equal(sim.events.length, 0);
  assert.equal(sim.stats.sent, 0);
  assert.throws(() => sim.setDrift("a", 1), /drift must be in \(-1, 1\)/);
  assert.throws(() => sim.setDrift("a", -1), /drift must be in \(-1, 1\)/);
});

Deno.test("sim: a cancelled timer stays cancelled; cancelling from a dead context does nothing", () => {
  const sim = new Simulation<number>({ seed: 1 });
  const ctxs: NodeContext<number>[] = [];
  const fired: string[] = [];
  sim.addNode(
    "a",
    (ctx) => (ctxs.push(ctx), { onMessage() {}, onTimer: (n) => void fired.push(n) }),
  );
  sim.run({ untilMs: 1 });
  sim.crash("a");
  sim.restart("a");
  ctxs[1].setTimer("t", 5);
  ctxs[0].cancelTimer("t");
  sim.run({ untilMs: 20 });
  assert.deepEqual(fired, ["t"]);
});

Deno.test("sim: peers are rebuilt when a server joins; a client is nobody's peer", () => {
  const sim = new Simulation<number>({ seed: 1 });
  let ctxA!: NodeContext<number>;
  sim.addNode("a", (ctx) => (ctxA = ctx, { onMessage() {} }));
  sim.run({ untilMs: 1 });
  assert.deepEqual(ctxA.peers, []);
  assert.equal(ctxA.peerCount, 0);
  sim.addNode("b", () => ({ onMessage() {} }));
  assert.deepEqual(ctxA.peers, ["b"]);
  assert.equal(ctxA.peerCount, 1);
  assert.equal(ctxA.peerAt!(0), "b");
  let ctxC!: NodeContext<number>;
  sim.addNode("c", (ctx) => (ctxC = ctx, { onMessage() {} }), { role: "client" });
  sim.run({ untilMs: 2 });
  assert.deepEqual(ctxA.peers, ["b"]);
  assert.deepEqual(ctxC.peers, ["a", "b"]);
  assert.equal(ctxC.peerCount, 2);
  assert.deepEqual([ctxC.peerAt!(0), ctxC.peerAt!(1)], ["a", "b"]);
  assert.equal(sim.node("c").role, "client");
  assert.deepEqual(sim.nodeIds, ["a", "b", "c"]);
  assert.equal(sim.hasNode("c"), true);
  assert.equal(sim.hasNode("d"), false);
  assert.throws(() => sim.indexOf("d"), /unknown node "d" \(nodes: a, b, c\)/);
  assert.deepEqual(sim.instancesOf("a"), ["a"]);
  assert.throws(() => sim.instancesOf("d"), /unknown node "d"/);
});

Deno.test("sim: a twin's events name the identity and the instance; a router drops what it refuses", () => {
  const sim = new Simulation<string>({ seed: 1 });
  const got: string[] = [];
  sim.addNode("a", (ctx) => ({ onMessage: (f, m) => ctx.emit({ type: "got", f, m }) }));
  sim.addNode("b", (ctx) => ({ onMessage: (f, m) => void got.push(`${f}->${ctx.self} ${m}`) }));
  const tw = sim.addTwin("a", { instance: "A2" });
  assert.deepEqual(sim.instancesOf("a"), ["a", "A2"]);
  assert.equal(sim.node("A2").identity, "a");
  sim.setRouter((from, to, m) => !(from === "b" && to === "A2") || m === "ok");
  sim.inject("b", "a", "m1");
  sim.inject("b", "a", "ok");
  sim.run();
  const evs = sim.events.map((e) => `${e.node}/${e.instance ?? "-"} ${e.event.m}`);
  assert.deepEqual(evs, ["a/- m1", "a/- ok", "a/A2 ok"]);
  assert.equal(sim.stats.dropped, 1);
  sim.setRouter(null);
  sim.inject(tw, "b", "from twin");
  sim.run();
  assert.deepEqual(got, ["a->b from twin"]);
  assert.throws(
    () => sim.addTwin("zz"),
    (e: unknown) => e instanceof ConfigError && /unknown node "zz"/.test(e.message),
  );
  assert.throws(
    () => sim.addTwin("A2"),
    (e: unknown) => e instanceof ConfigError && /not a server identity/.test(e.message),
  );
  assert.throws(
    () => sim.addTwin("a", { instance: "b" }),
    (e: unknown) => e instanceof ConfigError && /instance id "b"/.test(e.message),
  );
});

Deno.test("sim: the default network ignores sizes: a send is traced with size 0 unless one is given", () => {
  let sized = 0;
  const sim = new Simulation<number>({ seed: 1, messageSizeBytes: () => (sized++, 99) });
  assert.equal(sim.network.usesSize, false);
  sim.addNode("a", (ctx) => ({
    start: () => {
      ctx.send("b", 1);
      ctx.send("b", 2, { sizeBytes: 7 });
    },
    onMessage() {},
  }));
  sim.addNode("b", () => ({ onMessage() {} }));
  sim.run();
  const sizes = sim.trace.records.flatMap((r) => r.type === "send" ? [r.sizeBytes] : []);
  assert.deepEqual(sizes, [0, 7]);
  assert.equal(sized, 0);
});

Deno.test("sim: clock changes, replacements and timers are traced with their fields", () => {
  const sim = new Simulation<number>({ seed: 1 });
  sim.addNode("a", (ctx) => ({ start: () => ctx.setTimer("tick", 4), onMessage() {} }));
  sim.run({ untilMs: 10 });
  sim.clockJump("a", 25);
  sim.setDrift("a", 0.5);
  sim.run({ untilMs: 20 });
  sim.setClockOffset("a", -3);
  sim.replace("a", () => ({ onMessage() {} }));
  const rs = sim.trace.records.filter((r) => r.type !== "send");
  assert.deepEqual(rs, [
    { type: "timer", t: 4, node: "a", name: "tick" },
    { type: "clock", t: 10, node: "a", offsetMs: 25, drift: 0 },
    { type: "clock", t: 10, node: "a", offsetMs: 25, drift: 0.5 },
    { type: "clock", t: 20, node: "a", offsetMs: -3, drift: 0.5 },
    { type: "nemesis", t: 20, action: { type: "replace", node: "a" } },
  ]);
});

Deno.test("sim: step on an empty queue returns false and leaves time alone", () => {
  const sim = new Simulation<number>({ seed: 1 });
  sim.schedule(3, () => {});
  assert.equal(sim.step(), true);
  assert.equal(sim.step(), false);
  assert.equal(sim.nowMs, 3);
  assert.equal(sim.eventsHandled, 1);
});

Deno.test("sim: a twin's instance id must be a non-empty string", () => {
  const sim = new Simulation<number>({ seed: 1 });
  sim.addNode("a", () => ({ onMessage() {} }));
  for (const instance of [5, "", "a"]) {
    assert.throws(
      () => sim.addTwin("a", { instance: instance as string }),
      (e: unknown) => e instanceof ConfigError && e.issues[0].path === "instance",
      String(instance),
    );
  }
  assert.deepEqual(sim.nodeIds, ["a"]);
});

Deno.test("sim trace: stableStringify orders index-like keys as JSON does and escapes what JSON escapes", () => {
  const cases: unknown[] = [
    { "10": 1, "9": 2, b: 3, a: 4 },
    { "01": 1, "1": 2, "0": 3 },
    { "1a": 1, "4294967294": 2 },
    { "1a": 1, "4294967295": 2, "12345678901": 3 },
    { "": 1, " ": 2 },
    ['q"uote', "back\\slash", "nl\n", "tab\t", "\u0001", "\ud800", "\udfff", "😀", "\uffff", "é"],
    { 'k"ey': { "\ud800": 1 } },
    new Map<unknown, unknown>([[{ b: 1, a: 2 }, new Set([undefined, NaN])]]),
    new Float64Array([1.5, NaN, -Infinity]),
    [undefined, () => 1, Symbol("s")],
    { f: () => 1, s: Symbol("s"), u: undefined, n: null },
    [-0, 1e21, 5e-7, 2n],
  ];
  for (const c of cases) {
    assert.equal(stableStringify(c), referenceStable(c), String(referenceStable(c)));
  }
  assert.equal(stableStringify({ "1a": 1, "4294967294": 2 }), `{"4294967294":2,"1a":1}`);
  assert.equal(stableStringify("\ud800"), `"\\ud800"`);
});

Deno.test("sim trace: stableStringify equals its definition on generated values (property)", () => {
  fc.assert(
    fc.property(
      fc.anything({
        withMap: true,
        withSet: true,
        withBigInt: true,
        withTypedArray: true,
        withSparseArray: true,
        withNullPrototype: true,
        key: fc.oneof(fc.string(), fc.nat().map(String), fc.constantFrom("01", "4294967295")),
      }),
      (v) => stableStringify(v) === referenceStable(v),
    ),
    { numRuns: 300, seed: 15 },
  );
});

Deno.test("sim trace: feedNumber mixes exactly the digits String(x) writes", () => {
  for (
    const x of [0, 7, 10, 99, 100, 4096, 123456789, 999999999, 1e9, 2 ** 31, 1.5, -3, NaN, 1e21]
  ) {
    const a = new RunningHash(), b = new RunningHash();
    a.feed("p");
    b.feed("p");
    a.feedNumber(x);
    b.feed(String(x));
    a.feedCode(124);
    b.feed("|");
    assert.equal(a.digest(), b.digest(), String(x));
  }
});

Deno.test("sim trace: records read back equal to what was added, across many chunks and reads", () => {
  const t = new Trace({ mode: "full" });
  const added: TraceRecord[] = [];
  const msgs = [{ m: 1 }, "two", null, 3];
  const read: TraceRecord[][] = [];
  for (let i = 0; i < 6_000; i++) {
    const k = i % 5;
    const r: TraceRecord = k === 0
      ? {
        type: "send",
        t: i,
        id: i,
        from: `a${i % 3}`,
        to: "b",
        msg: msgs[i % 4],
        sizeBytes: i % 7,
      }
      : k === 1
      ? {
        type: "deliver",
        t: i + 0.5,
        id: i - 1,
        from: "b",
        to: `a${i % 3}`,
        msg: msgs[i % 4],
        sentAt: i - 1,
      }
      : k === 2
      ? { type: "timer", t: i, node: `n${i % 4}`, name: `t${i % 2}` }
      : k === 3
      ? { type: "drop", t: i, id: i, from: "a", to: "b", msg: i, reason: "loss" }
      : { type: "crash", t: i, node: "n1" };
    t.add(r);
    added.push(r);
    if (i === 100 || i === 300 || i === 3_000) read.push(t.records);
  }
  assert.equal(t.count, 6_000);
  assert.equal(t.kept, 6_000);
  const all = t.records;
  assert.equal(all.length, 6_000);
  // 6 000 records fill chunks of 256, 256, 512, 1 024 and 2 048 and start one of 4 096
  assert.equal(all.map(stableStringify).join("\n"), added.map(stableStringify).join("\n"));
  assert.deepEqual(all.slice(0, 20), added.slice(0, 20));
  assert.deepEqual(all.slice(-20), added.slice(-20));
  for (let i = 0; i < all.length; i += 5) {
    const r = all[i];
    assert.ok(r.type === "send" && r.msg === msgs[i % 4]);
  }
  assert.ok(read.every((r) => r === all), "each read returns the same array, extended");
  assert.equal(t.serialize().split("\n").length, 6_000);
  assert.equal(t.serialize().split("\n")[2], stableStringify(added[2]));
});

Deno.test("sim trace: sampled mode keeps every record without an id and one id in sampleEvery", () => {
  const t = new Trace({ mode: "sampled", sampleEvery: 3.7 });
  assert.equal(t.sampleEvery, 3);
  for (let id = 0; id < 9; id++) {
    t.add({ type: "send", t: id, id, from: "a", to: "b", msg: id, sizeBytes: 0 });
    t.add({ type: "crash", t: id, node: "a" });
  }
  assert.equal(t.count, 18);
  assert.deepEqual(t.records.map((r) => r.type === "send" ? r.id : r.type), [
    0,
    "crash",
    "crash",
    "crash",
    3,
    "crash",
    "crash",
    "crash",
    6,
    "crash",
    "crash",
    "crash",
  ]);
  assert.equal(new Trace({ mode: "sampled", sampleEvery: 0 }).sampleEvery, 1);
  assert.equal(new Trace().sampleEvery, 100);
  assert.equal(new Trace().mode, "full");
  const off = new Trace({ mode: "off" });
  off.add({ type: "crash", t: 1, node: "a" });
  assert.equal(off.count, 0);
  assert.equal(off.enabled, false);
  assert.equal(off.hash(), new Trace().hash());
});

Deno.test("sim trace: the hash changes with any field of a record, and not with how equal data is written", () => {
  const A = { a: 1 }, B = { a: 2 };
  const base = (): TraceRecord[] => [
    { type: "send", t: 1, id: 1, from: "a", to: "b", msg: A, sizeBytes: 10 },
    { type: "deliver", t: 2.5, id: 1, from: "a", to: "b", msg: A, sentAt: 1 },
    { type: "drop", t: 3, id: 2, from: "b", to: "a", msg: null, reason: "loss" },
    { type: "timer", t: 4, node: "a", name: "tick" },
    { type: "clock", t: 5, node: "a", offsetMs: 2, drift: 0 },
  ];
  const hashOf = (rs: TraceRecord[]) => {
    const t = new Trace();
    for (const r of rs) t.add(r);
    return t.hash();
  };
  const h0 = hashOf(base());
  const changes: [number, string, unknown][] = [
    [0, "t", 1.5],
    [0, "id", 3],
    [0, "from", "c"],
    [0, "to", "c"],
    [0, "sizeBytes", 11],
    [0, "msg", B],
    [1, "t", 2.75],
    [1, "id", 4],
    [1, "from", "c"],
    [1, "to", "c"],
    [1, "sentAt", 1.25],
    [1, "msg", B],
    [2, "reason", "partition"],
    [2, "msg", 0],
    [2, "msg", "null"],
    [2, "from", "c"],
    [3, "t", 4.5],
    [3, "node", "b"],
    [3, "name", "tock"],
    [4, "offsetMs", 3],
  ];
  for (const [i, field, v] of changes) {
    const rs = base();
    rs[i] = { ...rs[i], [field]: v } as TraceRecord;
    assert.notEqual(hashOf(rs), h0, `${rs[i].type}.${field} = ${JSON.stringify(v)}`);
  }
  // the same data written differently hashes the same
  const same = base();
  same[0] = { ...same[0], msg: { a: 1 } } as TraceRecord;
  same[2] = { ...same[2], msg: undefined } as TraceRecord;
  assert.equal(hashOf(same), h0);
  assert.equal(hashOf(base()), h0);
});

Deno.test("sim trace: the hash is the running hash of each record's documented canonical form", () => {
  const m = { k: [1, 2] };
  const frozen = freezeInPlace({ type: "vote", term: 3 })!;
  const other = freezeInPlace({ type: "vote", term: 4 })!;
  const records: TraceRecord[] = [
    { type: "send", t: 12, id: 104, from: "n0", to: "n1", msg: m, sizeBytes: 1990 },
    { type: "deliver", t: 13.25, id: 104, from: "n0", to: "n1", msg: m, sentAt: 12 },
    { type: "drop", t: 1e9 + 7, id: 2_147_483_647, from: "n1", to: "n0", msg: "x", reason: "loss" },
    { type: "timer", t: 40, node: "n2", name: "election" },
    { type: "crash", t: 50, node: "n2" },
    { type: "send", t: -0.5, id: 0, from: "c", to: "n0", msg: null, sizeBytes: 0 },
    // a frozen message's digest is remembered by id: the same id slot with another message
    { type: "send", t: 0.1, id: 7, from: "n0", to: "n1", msg: frozen, sizeBytes: 3 },
    {
      type: "deliver",
      t: 0.30000000000000004,
      id: 7,
      from: "n0",
      to: "n1",
      msg: frozen,
      sentAt: 0.1,
    },
    { type: "send", t: 1 / 3, id: 7 + 8192, from: "n1", to: "n0", msg: other, sizeBytes: 3 },
    { type: "deliver", t: 2 / 3, id: 7 + 8192, from: "n1", to: "n0", msg: other, sentAt: 1 / 3 },
  ];
  // the canonical form as documented in lib/sim/trace.ts: text is fed by character; a time is
  // the two 32-bit words of its IEEE-754 bits, low word first; a message is the two words of its
  // digestOf (16 hex digits: first word, second word)
  type Item = string | number;
  const time = (x: number): Item[] => {
    const v = new DataView(new ArrayBuffer(8));
    v.setFloat64(0, x, true);
    return [v.getUint32(0, true), v.getUint32(4, true)];
  };
  const msg = (x: unknown): Item[] => {
    const d = digestOf(x);
    return [parseInt(d.slice(0, 8), 16), parseInt(d.slice(8), 16)];
  };
  const form = (r: TraceRecord): Item[] => {
    switch (r.type) {
      case "send":
        return ["s|", ...time(r.t), `|${r.id}|${r.from}|${r.to}|${r.sizeBytes}|`, ...msg(r.msg)];
      case "deliver":
        return [
          "d|",
          ...time(r.t),
          `|${r.id}|${r.from}|${r.to}|`,
          ...time(r.sentAt),
          "|",
          ...msg(r.msg),
        ];
      case "drop":
        return ["x|", ...time(r.t), `|${r.id}|${r.from}|${r.to}|${r.reason}|`, ...msg(r.msg)];
      case "timer":
        return ["t|", ...time(r.t), `|${r.node}|${r.name}`];
      default:
        return [stableStringify(r)];
    }
  };
  const t = new Trace();
  const h = new RunningHash();
  for (const r of records) {
    t.add(r);
    for (const x of form(r)) typeof x === "string" ? h.feed(x) : h.feedCode(x);
    h.end();
    assert.equal(t.hash(), h.digest(), JSON.stringify(r));
  }
});

Deno.test("sim storage: a function or a symbol is not plain data, alone or nested", () => {
  for (const x of [Symbol("s"), () => 1]) {
    assert.equal(immutable(x), undefined, String(x));
    assert.equal(immutable({ a: [1, x] }), undefined, String(x));
    assert.equal(immutable([x]), undefined, String(x));
  }
  // durable storage holds only what structuredClone can copy: a symbol is refused
  const s = new MemoryStorage();
  assert.throws(() => s.set("k", Symbol("s")));
  assert.throws(() => s.append("l", { a: Symbol("s") }));
  assert.deepEqual(immutable({ a: [1, "x", null, true] }), { a: [1, "x", null, true] });
});

Deno.test("sim: FakeContext's clock, timers, take and events", async () => {
  const { FakeContext } = await import("@lab/sim/fake_context.ts");
  const storage = new MemoryStorage();
  storage.set("k", 1);
  const ctx = new FakeContext<string>("a", ["b"], storage);
  assert.equal(ctx.storage.get("k"), 1);
  assert.equal(ctx.nowMs(), 0);
  ctx.now = 42;
  assert.equal(ctx.nowMs(), 42);
  ctx.setTimer("x", 5);
  ctx.setTimer("y", 6);
  ctx.cancelTimer("x");
  assert.deepEqual([...ctx.timers], [["y", 6]]);
  for (const [to, m] of [["b", "1"], ["c", "2"], ["b", "3"]]) ctx.send(to, m);
  assert.deepEqual(ctx.take("b"), ["1", "3"]);
  assert.deepEqual(ctx.sent, [{ to: "c", msg: "2" }]);
  assert.deepEqual(ctx.take("zz"), []);
  ctx.emit({ type: "u" });
  ctx.emit({ type: "v" });
  ctx.emit({ type: "u", n: 2 });
  assert.deepEqual(ctx.eventsOf("u"), [{ type: "u" }, { type: "u", n: 2 }]);
  assert.equal(ctx.rng.path, "fake/a");
  assert.equal(ctx.verify(undefined as unknown as Signature, 1), false);
  assert.equal(ctx.sign(1).signer, "a");
});

Deno.test("sim: a pause ended early does not end the next pause; the refusal names the field", () => {
  const sim = new Simulation<number>({ seed: 1 });
  sim.addNode("a", () => ({ onMessage() {} }));
  sim.run({ untilMs: 1 });
  sim.pause("a", 10); // would end at 11
  sim.resume("a");
  sim.pause("a", 100); // ends at 101
  sim.run({ untilMs: 50 });
  assert.equal(sim.node("a").paused, true, "the first pause's end at 11 did not end this one");
  assert.equal(sim.trace.records.filter((r) => r.type === "resume").length, 1);
  assert.throws(
    () => sim.pause("a", -5),
    /^SimulationError: pause: durationMs must be >= 0$|pause: durationMs must be >= 0/,
  );
  assert.throws(
    () => sim.addTwin("zz"),
    /^ConfigError: invalid addTwin: id: unknown node "zz"|invalid addTwin: id: unknown node "zz"/,
  );
});

Deno.test("sim: a network that uses sizes gets 64 bytes per message by default", () => {
  const sizes: number[] = [];
  const network: NetworkModel = {
    usesSize: true,
    addNode() {},
    transmit: (_f, _t, size) => (sizes.push(size), 1),
    blocked: () => false,
  };
  const sim = new Simulation<string>({ seed: 1, network });
  sim.addNode("a", () => ({ onMessage() {} }));
  sim.addNode("b", () => ({ onMessage() {} }));
  sim.inject("a", "b", "x");
  sim.inject("a", "b", "y", { sizeBytes: 3 });
  sim.run();
  assert.deepEqual(sizes, [64, 3]);
});

Deno.test("sim: a scripted run's full trace, record by record", () => {
  const fates: Transmission[] = [5, "loss", [2, 3]];
  let k = 0;
  const network: NetworkModel = {
    usesSize: false,
    addNode() {},
    transmit: () => fates[k++ % fates.length],
    blocked: () => false,
  };
  const sim = new Simulation<string>({ seed: 1, network });
  sim.addNode("a", (ctx) => ({ start: () => ctx.setTimer("t", 1), onMessage() {}, onTimer() {} }));
  sim.addNode("b", (ctx) => ({ onMessage: (_f, m) => ctx.emit({ type: "got", m }) }));
  sim.run({ untilMs: 1 }); // timer at 1
  sim.inject("a", "b", "m1"); // delivered at 6
  sim.inject("a", "b", "m2"); // lost
  sim.pause("b", 3); // until 4
  sim.resume("a"); // not paused: nothing
  sim.run({ untilMs: 4 });
  sim.inject("a", "b", "m3"); // two copies, at 6 and 7
  sim.crash("b");
  sim.restart("b");
  sim.hold("a", "b");
  sim.run({ untilMs: 6.5 });
  sim.release();
  sim.run({ untilMs: 6.6 });
  sim.replace("a", () => ({ onMessage() {} }));
  sim.clockJump("a", 2);
  sim.addTwin("a");
  sim.crash("b");
  sim.run({ untilMs: 10 });
  const brief = sim.trace.records.map((r) => {
    const { type, t } = r;
    switch (r.type) {
      case "send":
        return `${t} send ${r.id} ${r.from}>${r.to} ${r.msg}`;
      case "deliver":
        return `${t} deliver ${r.id} ${r.from}>${r.to} ${r.msg} sent ${r.sentAt}`;
      case "drop":
        return `${t} drop ${r.id} ${r.from}>${r.to} ${r.msg} ${r.reason}`;
      case "duplicate":
        return `${t} duplicate ${r.id} of ${r.of} ${r.from}>${r.to}`;
      case "timer":
        return `${t} timer ${r.node} ${r.name}`;
      case "nemesis":
        return `${t} nemesis ${JSON.stringify(r.action)}`;
      case "clock":
        return `${t} clock ${r.node} ${r.offsetMs} ${r.drift}`;
      case "pause":
        return `${t} pause ${r.node} ${r.durationMs}`;
      case "resume":
        return `${t} resume ${r.node} ${r.backlog}`;
      case "crash":
      case "restart":
        return `${t} ${type} ${r.node}`;
      case "event":
        return `${t} event ${r.node} ${JSON.stringify(r.event)}`;
      default:
        return `${t} ${type}`;
    }
  });
  assert.deepEqual(brief, [
    "1 timer a t",
    "1 send 2 a>b m1",
    "1 send 3 a>b m2",
    "1 drop 3 a>b m2 loss",
    "1 pause b 3",
    "4 resume b 0",
    "4 send 4 a>b m3",
    "4 duplicate 5 of 4 a>b",
    "4 crash b",
    "4 restart b",
    `4 nemesis {"type":"hold","from":"a","to":"b","bidirectional":false}`,
    `6.5 nemesis {"type":"release","released":2}`,
    "6.5 deliver 2 a>b m1 sent 1",
    `6.5 event b {"type":"got","m":"m1"}`,
    "6.5 deliver 4 a>b m3 sent 4",
    `6.5 event b {"type":"got","m":"m3"}`,
    `6.6 nemesis {"type":"replace","node":"a"}`,
    "6.6 clock a 2 0",
    `6.6 nemesis {"type":"twin","node":"a","instance":"a'"}`,
    "6.6 crash b",
    "7 drop 5 a>b m3 crashed",
  ]);
  assert.equal(sim.stats.dropped, 2);
});

Deno.test("sim storage: freezeInPlace freezes a literal of immutable values itself, and copies anything else", () => {
  const inner = immutable({ k: [1] })!;
  const lit = { a: 1, b: "s", c: null, d: inner, e: undefined };
  assert.equal(freezeInPlace(lit), lit);
  assert.ok(Object.isFrozen(lit) && isImmutable(lit));
  assert.equal(freezeInPlace(lit), lit, "already immutable: itself");
  const nested = { a: { b: 1 } };
  const n2 = freezeInPlace(nested)!;
  assert.notEqual(n2, nested);
  assert.deepEqual(n2, nested);
  assert.ok(
    isImmutable(n2) && !Object.isFrozen(nested),
    "a mutable value inside: copied, input left alone",
  );
  const arr = [1, 2];
  const a2 = freezeInPlace(arr)!;
  assert.ok(a2 !== arr && isImmutable(a2) && !Object.isFrozen(arr));
  const frozen = Object.freeze({ a: 1 });
  const f2 = freezeInPlace(frozen)!;
  assert.ok(f2 !== frozen && isImmutable(f2), "frozen elsewhere: copied and marked");
  const proto = JSON.parse('{"__proto__": 1, "x": 2}');
  const p2 = freezeInPlace(proto) as Record<string, unknown>;
  assert.ok(p2 !== proto && Object.hasOwn(p2, "__proto__") && !Object.isFrozen(proto));
  assert.equal(freezeInPlace({ f: () => 1 }), undefined);
  assert.equal(freezeInPlace({ s: Symbol("s") }), undefined);
  assert.equal(freezeInPlace(new (class X {})()), undefined);
  const nullProto = Object.assign(Object.create(null), { a: 1 });
  const np = freezeInPlace(nullProto)!;
  assert.ok(np !== nullProto && isImmutable(np));
  assert.equal(freezeInPlace(5), 5);
  assert.equal(freezeInPlace(null), null);
  assert.equal(freezeInPlace("s"), "s");
});

Deno.test("sim storage: writes, keys, truncate, appendAll and delete", () => {
  const s = new MemoryStorage();
  assert.equal(s.writes, 0);
  assert.deepEqual(s.keys(), []);
  s.set("a", 1);
  s.append("l", 1, 2, 3);
  s.appendAll("l", [9, 4, 5], 1);
  assert.deepEqual(s.list("l"), [1, 2, 3, 4, 5]);
  assert.equal(s.writes, 3);
  s.truncate("l", 10); // longer than the list: nothing happens
  s.truncate("missing", 0);
  assert.equal(s.listLength("l"), 5);
  assert.equal(s.writes, 3);
  s.truncate("l", 2);
  assert.deepEqual(s.list("l"), [1, 2]);
  assert.equal(s.writes, 4);
  s.set("l", "v"); // a value and a list under one key
  assert.deepEqual(s.keys(), ["a", "l"]);
  s.delete("l");
  assert.deepEqual(s.keys(), ["a"]);
  assert.equal(s.get("l"), undefined);
  assert.deepEqual(s.list("l"), []);
  assert.equal(s.writes, 6);
  s.append("m", 1);
  s.truncate("m", -3);
  assert.equal(s.listLength("m"), 0);
});

Deno.test("sim: a message or timer due exactly when a pause ends waits for the resume", () => {
  const sim = new Simulation<number>({ seed: 1 });
  sim.addNode("a", (ctx) => ({
    start: () => ctx.setTimer("t", 10),
    onMessage() {},
    onTimer() {},
  }));
  sim.addNode("b", () => ({ onMessage() {} }));
  sim.run({ untilMs: 5 });
  sim.inject("b", "a", 1, { delayMs: 4 }); // arrives at 10
  sim.pause("a", 5); // until 10
  sim.run({ untilMs: 20 });
  const at10 = sim.trace.records.filter((r) => r.t === 10).map((r) =>
    r.type === "resume" ? `resume ${r.backlog}` : r.type
  );
  // the backlog runs in due order: the timer was queued first
  assert.deepEqual(at10, ["resume 2", "timer", "deliver"]);
});

Deno.test("sim: a member check attached under the registry symbol's name is found (another copy of the library)", () => {
  let checked: readonly string[] = [];
  const factory = Object.assign(() => ({ onMessage() {} }), {
    [Symbol.for("distlab.checkMembers")]: (servers: readonly string[]) => void (checked = servers),
  });
  const sim = new Simulation<number>({ seed: 1 });
  sim.addNode("a", factory);
  sim.run();
  assert.deepEqual(checked, ["a"]);
});

Deno.test("sim trace: stableStringify's fallback cases (__proto__, toJSON, 64-bit arrays, DataView) match the definition", () => {
  const cases: unknown[] = [
    JSON.parse('{"__proto__": {"a": 5, "z": [1, null, 2.5]}, "b": [true, "x"]}'),
    { toJSON: () => ({ q: 1 }), a: 2 },
    { nested: { toJSON: () => 7 } },
    { d: new DataView(new ArrayBuffer(2)) },
  ];
  for (const c of cases) assert.equal(stableStringify(c), referenceStable(c), referenceStable(c));
  assert.equal(stableStringify(JSON.parse('{"__proto__": {"a": 5}}')), `{"__proto__":{"a":5}}`);
  // an empty key is no array index, even after an index key
  assert.equal(stableStringify({ "5": 1, "": 2, " ": 0 }), `{"5":1,"":2," ":0}`);
  // as in the definition, JSON cannot write the bigints of a BigInt64Array
  assert.throws(() => referenceStable(new BigInt64Array([1n])), TypeError);
  assert.throws(() => stableStringify(new BigInt64Array([1n])), TypeError);
});

Deno.test("sim queue: peekTime is Infinity whenever the queue is empty", () => {
  const q = new EventQueue<{ t: number; seq: number }>();
  assert.equal(q.peekTime(), Infinity);
  q.push({ t: 3, seq: 0 });
  q.push({ t: 1, seq: 0 });
  assert.equal(q.peekTime(), 1);
  q.pop();
  assert.equal(q.peekTime(), 3);
  q.pop();
  assert.equal(q.peekTime(), Infinity);
  assert.equal(q.size, 0);
});

Deno.test("sim: replace marks the node Byzantine; a bad id is refused with its value", () => {
  const sim = new Simulation<number>({ seed: 1 });
  sim.addNode("a", () => ({ onMessage() {} }));
  assert.equal(sim.node("a").byzantine, false);
  sim.replace("a", () => ({ onMessage() {} }));
  assert.equal(sim.node("a").byzantine, true);
  assert.throws(
    () => sim.addNode("", () => ({ onMessage() {} })),
    /addNode: id must be a non-empty string, got $/,
  );
  assert.throws(
    () => sim.addNode(undefined as unknown as string, () => ({ onMessage() {} })),
    /addNode: id must be a non-empty string, got undefined/,
  );
});

// ---- held-out sample (seed 101) ---------------------------------------------------------------

Deno.test("sim queue: after removeWhere, events due at the same time still come out in insertion order", () => {
  const q = new EventQueue<{ t: number; seq: number; name: string }>();
  q.push({ t: 5, seq: 0, name: "first" });
  q.push({ t: 5, seq: 0, name: "second" });
  // an earlier event pushed last sifts up to the top and moves "first" below "second" in the
  // heap's array ([early, second, first]): the rebuild must sort the two ties by sequence
  q.push({ t: 1, seq: 0, name: "early" });
  assert.equal(q.removeWhere((e) => e.name === "early"), 1);
  q.push({ t: 5, seq: 0, name: "third" });
  const out: string[] = [];
  for (let e = q.pop(); e; e = q.pop()) out.push(e.name);
  assert.deepEqual(out, ["first", "second", "third"]);
});

Deno.test("sim: at the exact end of a pause the view says not paused, yet a delivery due then still waits for the resume", () => {
  const sim = new Simulation<number>({ seed: 1 });
  const got: number[] = [];
  sim.addNode("a", () => ({ onMessage: () => void got.push(sim.nowMs) }));
  sim.addNode("b", () => ({ onMessage() {} }));
  sim.run({ untilMs: 5 });
  sim.inject("b", "a", 1, { delayMs: 4 }); // 1 ms network + 4: due at 10, queued before the pause
  const seen: { t: number; paused: boolean; got: number }[] = [];
  const look = () => seen.push({ t: sim.nowMs, paused: sim.node("a").paused, got: got.length });
  sim.at(9.5, look);
  sim.at(10, look); // queued before the pause: runs at 10 after the delivery, before the resume
  sim.pause("a", 5); // until 10
  sim.run({ untilMs: 20 });
  // the view counts the pause as [start, end); delivery and timers treat its end as still paused
  assert.deepEqual(seen, [
    { t: 9.5, paused: true, got: 0 },
    { t: 10, paused: false, got: 0 },
  ]);
  assert.deepEqual(got, [10], "handed over by the resume at 10");
  const resume = sim.trace.records.find((r) => r.type === "resume");
  assert.ok(resume?.type === "resume" && resume.t === 10 && resume.backlog === 1);
});

Deno.test("sim: a message sent before a partition and due after it starts is dropped in flight, reason partition", () => {
  let cut = false;
  const network: NetworkModel = {
    usesSize: false,
    addNode() {},
    transmit: () => 10,
    blocked: () => cut,
  };
  const sim = new Simulation<string>({ seed: 1, network });
  const got: string[] = [];
  sim.addNode("a", () => ({ onMessage() {} }));
  sim.addNode("b", () => ({ onMessage: (_f, m) => void got.push(m) }));
  sim.inject("a", "b", "m"); // sent at 0, due at 10
  sim.at(5, () => cut = true);
  sim.run({ untilMs: 20 });
  assert.deepEqual(got, []);
  const send = sim.trace.records.find((r) => r.type === "send");
  const drops = sim.trace.records.filter((r) => r.type === "drop");
  assert.equal(drops.length, 1);
  const d = drops[0];
  assert.ok(d.type === "drop" && send?.type === "send");
  assert.deepEqual(
    { t: d.t, id: d.id, from: d.from, to: d.to, msg: d.msg, reason: d.reason },
    { t: 10, id: send.id, from: "a", to: "b", msg: "m", reason: "partition" },
  );
  assert.equal(sim.stats.dropped, 1);
});

Deno.test("sim storage: freezeIfImmutable freezes in place only when every own value is immutable", () => {
  const vote = { type: "prevote", round: 0, id: "ab", none: null, gone: undefined };
  assert.equal(isImmutable(vote), false, "a fresh literal is not immutable yet");
  assert.equal(freezeIfImmutable(vote), vote, "the same object, not a copy");
  assert.ok(Object.isFrozen(vote));
  assert.equal(isImmutable(vote), true);
  // a value that is itself deeply frozen plain data counts as immutable
  const inner = immutable({ key: "k", list: [1, 2] })!;
  const cmd = { seq: 1, op: inner };
  assert.equal(freezeIfImmutable(cmd), cmd);
  assert.ok(Object.isFrozen(cmd) && isImmutable(cmd));
  // a plain (or merely shallow-frozen) object inside: returned as it is, nothing frozen
  const plainInner = { key: "k" };
  const block = { height: 3, body: plainInner };
  assert.equal(freezeIfImmutable(block), block);
  assert.equal(Object.isFrozen(block), false);
  assert.equal(Object.isFrozen(plainInner), false);
  assert.equal(isImmutable(block), false);
  block.height = 4; // still the caller's to change
  assert.equal(block.height, 4);
  const shallow = { body: Object.freeze({ key: "k" }) };
  assert.equal(freezeIfImmutable(shallow), shallow);
  assert.equal(Object.isFrozen(shallow), false);
  assert.equal(isImmutable(shallow), false);
  const withList = { xs: [1, 2] };
  freezeIfImmutable(withList);
  assert.equal(Object.isFrozen(withList) || Object.isFrozen(withList.xs), false);
  assert.equal(isImmutable(withList), false);
});

Deno.test("sim storage: a stored null reads back as null, inside objects and lists and on its own", () => {
  const s = new MemoryStorage();
  s.set("o", { a: null, b: { c: null }, xs: [null, 1] });
  s.set("n", null);
  s.append("l", null);
  s.append("l", { v: null });
  assert.deepEqual(s.get("o"), { a: null, b: { c: null }, xs: [null, 1] });
  assert.equal(s.get("n"), null);
  assert.deepEqual(s.list("l"), [null, { v: null }]);
});

Deno.test("sim: crashing a node that is already down changes nothing: one crash record, one incarnation bump", () => {
  const sim = new Simulation<number>({ seed: 1, trace: { mode: "full" } });
  const boots: number[] = [];
  sim.addNode("a", () => (boots.push(sim.nowMs), { onMessage() {} }));
  sim.run({ untilMs: 1 });
  sim.crash("a");
  sim.run({ untilMs: 2 });
  sim.crash("a"); // down already: a no-op, as restart of a node that is up is one
  assert.equal(sim.node("a").up, false);
  assert.equal(sim.node("a").incarnation, 1, "bumped by the first crash only");
  const crashes = sim.trace.records.flatMap((r) => r.type === "crash" ? [r.t] : []);
  assert.deepEqual(crashes, [1], "the trace shows the one crash that happened");
  sim.restart("a");
  assert.equal(sim.node("a").up, true);
  assert.equal(sim.node("a").incarnation, 1);
  assert.deepEqual(boots, [0, 2]);
});

Deno.test("sim storage: a read is a mutable copy, an own __proto__ key included", () => {
  const s = new MemoryStorage();
  s.set("p", JSON.parse('{"__proto__": 1, "y": 2}'));
  const p = s.get("p") as Record<string, unknown>;
  // an own data property shadows Object.prototype's accessor: assignment writes the key itself
  p["__proto__"] = 3;
  assert.deepEqual(Object.getOwnPropertyDescriptor(p, "__proto__"), {
    value: 3,
    enumerable: true,
    writable: true,
    configurable: true,
  });
  assert.equal(Object.getPrototypeOf(p), Object.prototype);
  delete p["__proto__"];
  assert.equal(Object.hasOwn(p, "__proto__"), false);
  const again = s.get("p") as Record<string, unknown>;
  assert.equal(Object.getOwnPropertyDescriptor(again, "__proto__")?.value, 1, "storage kept 1");
});

Deno.test("sim trace: a value that takes the reference path (a DataView) still writes a Set as an array", () => {
  // a DataView makes stableStringify use its definition, JSON of normalize's copy: keys sorted,
  // a Set as the array of its elements, a DataView as Array.from of it (no length: empty)
  const v = { s: new Set([1, 2]), d: new DataView(new ArrayBuffer(1)) };
  assert.equal(stableStringify(v), '{"d":[],"s":[1,2]}');
});
