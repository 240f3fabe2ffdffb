/**
 * Tests written to kill mutants a held-out `deno task mutate lib/sim` sample left alive: a send to
 * an unknown node fails with a message naming it (also from a node whose sends an interceptor
 * routes), a twin added mid-run reads the simulation's clock, a signature verifies only with
 * the digest of the data it is checked against, a cyclic or very deep value is left to
 * structuredClone (the frozen copy gives up instead of recursing forever), peers seen by nodes
 * that cached them before a server joined mid-run; from a sample of 80 (seed 135): a crash while
 * a pause backlog is worked through, the peers array kept per membership, own `__proto__` keys.
 */
import assert from "node:assert/strict";
import {
  type NetworkModel,
  type NodeContext,
  type Signature,
  Simulation,
  SimulationError,
} from "@lab/sim/mod.ts";
import { digestOf, stableStringify } from "@lab/sim/trace.ts";
import { immutable, MemoryStorage } from "@lab/sim/storage.ts";

Deno.test("sim: a node sending to an unknown node fails with an error naming the node", () => {
  const sim = new Simulation<string>({ seed: 3 });
  sim.addNode("a", (ctx) => ({ start: () => ctx.send("zz", "hello"), onMessage() {} }));
  assert.throws(
    () => sim.run(),
    (e) =>
      e instanceof SimulationError &&
      /a sent a message to unknown node "zz" at t=0 ms/.test(e.message),
  );
});

Deno.test("sim: a send to an unknown node routed by an interceptor fails the same way", () => {
  const sim = new Simulation<string>({ seed: 3 });
  sim.addNode("a", (ctx) => ({ start: () => ctx.send("b", "hello"), onMessage() {} }));
  sim.addNode("b", () => ({ onMessage() {} }));
  // the interceptor forwards every message to a node that does not exist
  sim.intercept("a", (out, net) => net.send("zz", out.msg));
  assert.throws(
    () => sim.run(),
    (e) => e instanceof SimulationError && /a sent a message to unknown node "zz"/.test(e.message),
  );
});

Deno.test("sim: a twin added at t = 100 ms reads the simulation's time on its clock", () => {
  const sim = new Simulation<string>({ seed: 1 });
  const seen: string[] = [];
  sim.addNode("a", (ctx) => ({
    start() {
      seen.push(`${ctx.self} start @${ctx.nowMs()}`);
      ctx.setTimer("t", 10);
    },
    onTimer: () => void seen.push(`${ctx.self} timer @${ctx.nowMs()}`),
    onMessage() {},
  }));
  sim.run({ untilMs: 100 });
  sim.addTwin("a");
  sim.run({ untilMs: 200 });
  // the original booted at 0 (timer at 10); the twin boots at 100 with a clock that starts at the
  // simulation's time and does not drift, so its timer fires at 110. Both run as identity "a".
  assert.deepEqual(seen, ["a start @0", "a timer @10", "a start @100", "a timer @110"]);
});

Deno.test("sim: a signature verifies only with the digest of the data it is checked against", () => {
  const sim = new Simulation<number>({ seed: 1 });
  let sig: Signature | undefined;
  sim.addNode("a", (ctx) => ({ start: () => void (sig = ctx.sign({ v: 1 })), onMessage() {} }));
  sim.run();
  assert.equal(sim.verifySignature(sig!, { v: 1 }), true);
  // a's key did sign { v: 1 }, but this signature carries another digest: not a signature of it
  assert.equal(sim.verifySignature({ signer: "a", digest: "0123456789abcdef" }, { v: 1 }), false);
  assert.equal(sim.verifySignature({ ...sig!, digest: sig!.digest + "0" }, { v: 1 }), false);
});

Deno.test("sim: several keys signing the same data each verify; a key that did not sign does not", () => {
  const sim = new Simulation<number>({ seed: 1 });
  const sigs = new Map<string, Signature>();
  for (const id of ["a", "b", "c", "d"]) {
    sim.addNode(id, (ctx) => ({
      start: () => {
        if (id !== "d") sigs.set(id, ctx.sign({ v: 1 }));
        if (id === "a") ctx.sign({ v: 1 }); // signing again changes nothing
      },
      onMessage() {},
    }));
  }
  sim.run();
  const digest = sigs.get("a")!.digest;
  assert.equal(sigs.get("b")!.digest, digest);
  for (const id of ["a", "b", "c"]) {
    assert.equal(sim.verifySignature({ signer: id, digest }, { v: 1 }), true, id);
  }
  // the same digest in the name of a key that never signed it
  assert.equal(sim.verifySignature({ signer: "d", digest }, { v: 1 }), false);
  assert.equal(sim.verifySignature({ signer: "e", digest }, { v: 1 }), false);
  // exactly two keys, each signing once: the second is recorded beside the first
  const two = new Simulation<number>({ seed: 1 });
  for (const id of ["a", "b"]) {
    two.addNode(id, (ctx) => ({ start: () => void ctx.sign({ v: 2 }), onMessage() {} }));
  }
  two.run();
  const d2 = digestOf({ v: 2 });
  assert.equal(two.verifySignature({ signer: "a", digest: d2 }, { v: 2 }), true);
  assert.equal(two.verifySignature({ signer: "b", digest: d2 }, { v: 2 }), true);
});

Deno.test("sim: a node added at t = 100 ms with drift and offset starts its clock at true time × (1 + drift) + offset", () => {
  const sim = new Simulation<string>({ seed: 1 });
  sim.addNode("a", () => ({ onMessage() {} }));
  sim.run({ untilMs: 100 });
  let local = NaN;
  sim.addNode("b", (ctx) => ({ start: () => void (local = ctx.nowMs()), onMessage() {} }), {
    clockDrift: 0.5,
    clockOffsetMs: 7,
  });
  sim.run({ untilMs: 101 });
  // local = baseLocal + (now - baseTrue)(1 + drift) with baseTrue 100, baseLocal 100·1.5 + 7 = 157
  assert.equal(local, 157);
});

Deno.test("stableStringify: a top-level undefined is JSON null, as JSON.stringify(normalize(v)) gives", () => {
  // normalize maps undefined to null (the same canonical form as inside arrays)
  assert.equal(stableStringify(undefined), "null");
  assert.equal(stableStringify([undefined]), "[null]");
  // a function or symbol has no JSON form at the top level, as with JSON.stringify
  assert.equal(stableStringify(() => 1), undefined);
});

Deno.test("storage: a cyclic value is not plain data: immutable() gives undefined and storage keeps a private copy", () => {
  // A cycle through an object and one through an array: the copy gives up past depth 200 (and
  // never recurses forever), so the value goes to structuredClone, which keeps the cycle.
  const o: Record<string, unknown> = { term: 1 };
  o.self = o;
  const a: unknown[] = [1];
  a.push(a);
  for (const v of [o, a, { wrap: [o] }]) assert.equal(immutable(v), undefined);
  const s = new MemoryStorage();
  s.set("o", o);
  s.append("l", a);
  const got = s.get<Record<string, unknown>>("o")!;
  assert.equal(got.self, got, "the cycle survives the copy");
  assert.notEqual(got, o, "a private copy, not the caller's object");
  const [l] = s.list<unknown[]>("l");
  assert.equal(l[1], l);
  // a deep chain that is not a cycle: past depth 200 it is copied by structuredClone too
  let deep: Record<string, unknown> = { leaf: true };
  for (let i = 0; i < 300; i++) deep = { next: deep };
  assert.equal(immutable(deep), undefined);
  let shallow: Record<string, unknown> = { leaf: true };
  for (let i = 0; i < 150; i++) shallow = { next: shallow };
  const frozen = immutable(shallow);
  assert.ok(
    frozen !== undefined && Object.isFrozen(frozen),
    "a chain of 150 is plain data, frozen",
  );
  assert.deepEqual(frozen, shallow);
});

Deno.test("sim: peers and peerCount follow servers added mid-run; a twin adds no peer", () => {
  // n0 and n1 read their peers at start and at 20 ms; n2 joins at 5 ms, a twin of n1 at 15 ms.
  // At 20 ms both must see n2 (a cache kept from start would not), and the twin, which runs as
  // identity n1, is nobody's new peer and sees n0 and n2.
  const sim = new Simulation<string>({ seed: 1 });
  const seen: string[] = [];
  const node = (ctx: NodeContext<string>) => {
    const look = () =>
      seen.push(`${ctx.self}@${ctx.nowMs()}: ${ctx.peers.join(",")} (${ctx.peerCount})`);
    return {
      start() {
        look();
        ctx.setTimer("look", 20 - ctx.nowMs());
      },
      onTimer: look,
      onMessage() {},
    };
  };
  sim.addNode("n0", node);
  sim.addNode("n1", node);
  sim.run({ untilMs: 5 });
  sim.addNode("n2", node);
  sim.run({ untilMs: 15 });
  sim.addTwin("n1");
  sim.run({ untilMs: 30 });
  assert.deepEqual(seen, [
    "n0@0: n1 (1)",
    "n1@0: n0 (1)",
    "n2@5: n0,n1 (2)",
    "n1@15: n0,n2 (2)",
    "n0@20: n1,n2 (2)",
    "n1@20: n0,n2 (2)",
    "n2@20: n0,n1 (2)",
    "n1@20: n0,n2 (2)",
  ]);
});

Deno.test("sim: a node crashed while it works through its pause backlog drops the messages left, not the timers", () => {
  // b is paused from 0.5 to 10.5 ms; m1, m2, m3 arrive at 1 ms and its 5 ms timer falls due: all
  // wait in the backlog. On resume m1's handler crashes b: m2 and m3 are dropped as "crashed"
  // (two drops), the timer is simply gone (a timer is not a message, so it is no drop).
  const sim = new Simulation<string>({ seed: 1 });
  const got: string[] = [];
  sim.addNode("a", (ctx) => ({
    start: () => ["m1", "m2", "m3"].forEach((m) => ctx.send("b", m)),
    onMessage() {},
  }));
  sim.addNode("b", (ctx) => ({
    start: () => ctx.setTimer("t", 5),
    onTimer: () => void got.push("timer"),
    onMessage: (_from, m) => {
      got.push(m);
      if (m === "m1") sim.crash("b");
    },
  }));
  sim.run({ untilMs: 0.5 });
  sim.pause("b", 10);
  sim.run();
  assert.deepEqual(got, ["m1"]);
  assert.equal(sim.stats.dropped, 2);
  const drops = sim.trace.records.flatMap((r) => r.type === "drop" ? [[r.t, r.msg, r.reason]] : []);
  assert.deepEqual(drops, [
    [10.5, "m2", "crashed"],
    [10.5, "m3", "crashed"],
  ]);
});

Deno.test("sim: ctx.peers is the same array until the membership changes", () => {
  // protocols read ctx.peers on every broadcast: it is built once per membership, not per read
  const sim = new Simulation<string>({ seed: 1 });
  const seen: (readonly string[])[] = [];
  sim.addNode("n0", (ctx) => ({
    start() {
      seen.push(ctx.peers, ctx.peers);
      ctx.setTimer("t", 10);
    },
    onTimer: () => void seen.push(ctx.peers, ctx.peers),
    onMessage() {},
  }));
  sim.addNode("n1", () => ({ onMessage() {} }));
  sim.run({ untilMs: 5 });
  sim.addNode("n2", () => ({ onMessage() {} }));
  sim.run();
  assert.deepEqual(seen, [["n1"], ["n1"], ["n1", "n2"], ["n1", "n2"]]);
  assert.ok(seen[0] === seen[1] && seen[2] === seen[3], "rebuilt on a read");
  assert.ok(seen[1] !== seen[2], "kept across a membership change");
});

Deno.test("storage: an own __proto__ key is stored and read back as data, also where __proto__ is a setter", async () => {
  // JSON.parse makes "__proto__" an own property. Deno removes the Object.prototype.__proto__
  // accessor, so `o[k] = x` would make an own property here anyway; in Node, a browser, or Deno
  // with --unstable-unsafe-proto, it sets the copy's prototype instead and the key is lost. The
  // check runs in a subprocess with the accessor back, and in this process.
  const storage = new URL("../../lib/sim/storage.ts", import.meta.url).href;
  const script = `
    import { immutable, MemoryStorage } from "${storage}";
    const v = JSON.parse('{"__proto__": {"x": 1}, "y": [{"__proto__": 2}]}');
    const s = new MemoryStorage();
    s.set("k", v);
    s.append("l", v);
    const out = [s.get("k"), s.list("l")[0], immutable(v)].map((g) => [
      Object.hasOwn(g, "__proto__"),
      Object.getPrototypeOf(g) === Object.prototype,
      JSON.stringify(g),
      g.x === undefined,
    ]);
    console.log(JSON.stringify(out));
  `;
  const expected = Array(3).fill([true, true, '{"__proto__":{"x":1},"y":[{"__proto__":2}]}', true]);
  for (const flags of [["--unstable-unsafe-proto"], []]) {
    const r = await new Deno.Command(Deno.execPath(), {
      args: ["eval", "--no-check", ...flags, script],
      stdout: "piped",
      stderr: "piped",
    }).output();
    const err = new TextDecoder().decode(r.stderr);
    assert.ok(r.success, err);
    assert.deepEqual(JSON.parse(new TextDecoder().decode(r.stdout)), expected, flags.join(" "));
  }
});

Deno.test("sim: node(id) is one live view per node: taken before a pause, a crash and a replace, it reads each", () => {
  const sim = new Simulation<number>({ seed: 1 });
  sim.addNode("a", () => ({ onMessage() {}, inspect: () => "honest" }));
  const v = sim.node("a");
  assert.equal(sim.node("a"), v, "the same view object each time");
  sim.run({ untilMs: 1 });
  assert.deepEqual([v.up, v.paused, v.byzantine, v.incarnation, v.inspect()], [
    true,
    false,
    false,
    0,
    "honest",
  ]);
  sim.pause("a", 10);
  assert.equal(v.paused, true);
  sim.run({ untilMs: 20 });
  assert.equal(
    v.paused,
    false,
    "paused reads the simulation's time now, not when the view was made",
  );
  sim.crash("a");
  assert.deepEqual([v.up, v.incarnation, v.inspect()], [false, 1, undefined]);
  sim.restart("a");
  assert.deepEqual([v.up, v.incarnation, v.inspect()], [true, 1, "honest"]);
  sim.replace("a", () => ({ onMessage() {}, inspect: () => "byzantine" }));
  assert.deepEqual([v.up, v.byzantine, v.incarnation, v.inspect()], [true, true, 2, "byzantine"]);
  assert.equal(v.storage, sim.node("a").storage);
});

Deno.test("sim: a duplicated message keeps the sender's extra delay on every copy", () => {
  // a network that delivers every message twice, after 2 ms and after 5 ms
  const twice: NetworkModel = {
    usesSize: false,
    addNode() {},
    transmit: () => [2, 5],
    blocked: () => false,
  };
  const sim = new Simulation<number>({ seed: 1, network: twice });
  const got: string[] = [];
  sim.addNode("a", (ctx) => ({ onMessage: (_from, m) => void got.push(`${m} @${ctx.nowMs()}`) }));
  sim.addNode("b", () => ({ onMessage() {} }));
  sim.run({ untilMs: 1 });
  sim.inject("b", "a", 7, { delayMs: 10 });
  sim.run();
  assert.deepEqual(got, ["7 @13", "7 @16"]);
});

Deno.test("stableStringify: an error thrown while reading a value propagates even when a second read would succeed", () => {
  let reads = 0;
  const flaky = {
    get x() {
      if (reads++ === 0) throw new Error("first read fails");
      return 1;
    },
  };
  assert.throws(() => stableStringify(flaky), /first read fails/);
  assert.equal(reads, 1, "read once: the error is not retried through the reference path");
});
