import assert from "node:assert/strict";
import fc from "fast-check";
import { ConfigError, type NodeContext, type ProtocolNode, Simulation } from "@lab/sim/mod.ts";
import { createCluster, Network } from "@lab/net/mod.ts";
import { pinger, type PingMsg } from "./_helpers.ts";

function runPing(seed: number, lossRatio = 0.1) {
  const c = createCluster<PingMsg>({
    seed,
    nodes: 4,
    factory: pinger(20, 3),
    network: {
      latency: { kind: "lognormal", mu: 1, sigma: 0.5 },
      lossRatio,
      duplicateRatio: 0.05,
    },
    nemesis: [{ generator: "randomHalves", endMs: 100, periodMs: 30, faultMs: 10 }],
  });
  c.sim.run({ untilMs: 200 });
  return c.sim;
}

Deno.test("sim: the same seed and parameters give an identical trace hash", () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 1_000_000 }), (seed) => {
      const a = runPing(seed), b = runPing(seed);
      assert.equal(a.trace.hash(), b.trace.hash());
      assert.equal(a.trace.serialize(), b.trace.serialize());
    }),
    { numRuns: 25 },
  );
});

Deno.test("sim: different seeds give different traces", () => {
  const hashes = new Set<string>();
  for (let seed = 0; seed < 30; seed++) hashes.add(runPing(seed).trace.hash());
  assert.equal(hashes.size, 30);
});

Deno.test("sim: events at the same time run in insertion order", () => {
  const sim = new Simulation({ seed: 1 });
  const order: number[] = [];
  for (let i = 0; i < 50; i++) sim.schedule(5, () => order.push(i));
  sim.schedule(1, () => order.push(-1));
  sim.run();
  assert.deepEqual(order, [-1, ...Array.from({ length: 50 }, (_, i) => i)]);
});

Deno.test("sim: the queue pops in (time, insertion) order for any schedule", () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 0, max: 20 }), { maxLength: 200 }), (times) => {
      const sim = new Simulation({ seed: 0 });
      const seen: [number, number][] = [];
      times.forEach((t, i) => sim.schedule(t, () => seen.push([sim.nowMs, i])));
      sim.run();
      const expected = times.map((t, i) => [t, i] as [number, number])
        .sort((a, b) => a[0] - b[0] || a[1] - b[1]);
      assert.deepEqual(seen, expected);
    }),
  );
});

Deno.test("sim: a cancelled timer never fires and re-arming replaces the old timer", () => {
  fc.assert(
    fc.property(
      fc.array(
        fc.record({
          at: fc.integer({ min: 0, max: 100 }),
          name: fc.constantFrom("a", "b", "c"),
          op: fc.constantFrom("set", "cancel"),
          after: fc.integer({ min: 0, max: 50 }),
        }),
        { maxLength: 60 },
      ),
      (ops) => {
        const sim = new Simulation({ seed: 3 });
        let ctx!: NodeContext<never>;
        const fired: { name: string; t: number }[] = [];
        sim.addNode("x", (c) => {
          ctx = c;
          return { onMessage() {}, onTimer: (name) => fired.push({ name, t: sim.nowMs }) };
        });
        // model: the latest set or cancel per name wins
        const due = new Map<string, number | null>();
        const expected: { name: string; t: number }[] = [];
        const sorted = ops.map((o, i) => ({ ...o, i })).sort((a, b) => a.at - b.at || a.i - b.i);
        for (const o of sorted) {
          sim.at(o.at, () => {
            if (o.op === "set") ctx.setTimer(o.name, o.after);
            else ctx.cancelTimer(o.name);
          });
        }
        // compute the model's firings by replaying in time order
        const events: { t: number; kind: "op" | "fire"; o?: typeof sorted[0]; name?: string }[] =
          [];
        void events;
        let now = 0;
        const pendingFire: { name: string; t: number; gen: number }[] = [];
        let gen = 0;
        const latestGen = new Map<string, number>();
        const flushUntil = (t: number, inclusiveOpsFirst: boolean) => {
          pendingFire.sort((a, b) => a.t - b.t || a.gen - b.gen);
          while (
            pendingFire.length &&
            (pendingFire[0].t < t || (!inclusiveOpsFirst && pendingFire[0].t === t))
          ) {
            const f = pendingFire.shift()!;
            if (latestGen.get(f.name) === f.gen) {
              expected.push({ name: f.name, t: f.t });
              latestGen.delete(f.name);
            }
          }
        };
        for (const o of sorted) {
          // a timer due at o.at fires before o's op only if it was scheduled earlier (lower seq);
          // ops at time t were scheduled at time 0, before any timer, so ops go first at equal t
          flushUntil(o.at, true);
          now = o.at;
          if (o.op === "set") {
            gen++;
            latestGen.set(o.name, gen);
            pendingFire.push({ name: o.name, t: now + o.after, gen });
            due.set(o.name, now + o.after);
          } else {
            latestGen.delete(o.name);
            due.set(o.name, null);
          }
        }
        flushUntil(Infinity, false);
        sim.run();
        assert.deepEqual(fired, expected);
      },
    ),
    { numRuns: 200 },
  );
});

Deno.test("sim: a crash loses volatile state and keeps durable storage", () => {
  type M = { type: "inc" };
  class Counter implements ProtocolNode<M> {
    volatile = 0;
    constructor(private ctx: NodeContext<M>) {
      this.volatile = 0;
    }
    onMessage() {
      this.volatile++;
      this.ctx.storage.set("durable", (this.ctx.storage.get<number>("durable") ?? 0) + 1);
    }
    inspect() {
      return { volatile: this.volatile, durable: this.ctx.storage.get<number>("durable") ?? 0 };
    }
  }
  const sim = new Simulation<M>({ seed: 5 });
  sim.addNode("a", (ctx) => new Counter(ctx));
  sim.addNode("b", () => ({ onMessage() {} }));
  for (let i = 0; i < 3; i++) sim.at(1, () => sim.inject("b", "a", { type: "inc" }));
  sim.run({ untilMs: 10 });
  assert.deepEqual(sim.node("a").inspect(), { volatile: 3, durable: 3 });
  sim.crash("a");
  assert.equal(sim.node("a").up, false);
  assert.equal(sim.node("a").inspect(), undefined);
  sim.inject("b", "a", { type: "inc" });
  sim.run({ untilMs: 20 });
  assert.equal(sim.stats.dropped, 1, "a message to a crashed node is dropped");
  sim.restart("a");
  sim.run({ untilMs: 30 });
  assert.deepEqual(sim.node("a").inspect(), { volatile: 0, durable: 3 });
  assert.equal(sim.node("a").incarnation, 1);
  const drops = sim.trace.records.filter((r) => r.type === "drop");
  assert.equal(drops.length, 1);
  assert.equal(drops[0].type === "drop" && drops[0].reason, "crashed");
});

Deno.test("sim: durable storage copies values, so later mutation does not leak into it", () => {
  const sim = new Simulation({ seed: 1 });
  let seen: number[] = [];
  sim.addNode("a", (ctx) => ({
    start() {
      const log = [1, 2];
      ctx.storage.set("log", log);
      log.push(3);
      seen = ctx.storage.get<number[]>("log")!;
    },
    onMessage() {},
  }));
  sim.run();
  assert.deepEqual(seen, [1, 2]);
});

Deno.test("sim: timers of a crashed node never fire, even after restart", () => {
  const sim = new Simulation({ seed: 1 });
  const fired: number[] = [];
  sim.addNode("a", (ctx) => ({
    start() {
      ctx.setTimer("t", 10);
    },
    onMessage() {},
    onTimer: () => fired.push(sim.nowMs),
  }));
  sim.at(5, () => sim.crash("a"));
  sim.at(7, () => sim.restart("a"));
  sim.run({ untilMs: 100 });
  assert.deepEqual(fired, [17]);
});

Deno.test("sim: a paused node handles nothing, then its backlog in order on resume", () => {
  const sim = new Simulation<number>({ seed: 2 });
  const got: [number, number][] = [];
  let timerAt = -1;
  sim.addNode("a", (ctx) => ({
    start: () => ctx.setTimer("t", 20),
    onMessage: (_f, m) => got.push([sim.nowMs, m]),
    onTimer: () => timerAt = sim.nowMs,
  }));
  sim.addNode("b", () => ({ onMessage() {} }));
  sim.at(10, () => sim.pause("a", 50));
  for (let i = 0; i < 5; i++) sim.at(15 + i, () => sim.inject("b", "a", i));
  sim.at(70, () => sim.inject("b", "a", 99));
  sim.run({ untilMs: 100 });
  assert.deepEqual(got, [[60, 0], [60, 1], [60, 2], [60, 3], [60, 4], [71, 99]]);
  assert.equal(timerAt, 60, "a timer due during the pause fires at resume");
  const resume = sim.trace.records.find((r) => r.type === "resume");
  assert.ok(
    resume && resume.type === "resume" && resume.backlog === 6,
    "5 messages and 1 timer waited",
  );
});

Deno.test("sim: a message across a partition is never delivered; healing restores delivery", () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 10_000 }), fc.integer({ min: 2, max: 7 }), (seed, n) => {
      const c = createCluster<PingMsg>({
        seed,
        nodes: n,
        factory: pinger(1000, 1),
        network: { latency: { kind: "uniform", minMs: 0.5, maxMs: 8 } },
      });
      const side = (id: string) => Number(id.slice(1)) % 2;
      const a = c.nodes.filter((id) => side(id) === 0), b = c.nodes.filter((id) => side(id) === 1);
      c.sim.at(50, () => c.net.partition([a, b]));
      c.sim.at(150, () => c.net.heal());
      c.sim.run({ untilMs: 300 });
      let crossDuring = 0, crossAfter = 0, crossDropped = 0;
      for (const r of c.sim.trace.records) {
        if (r.type === "deliver" && side(r.from) !== side(r.to)) {
          if (r.t >= 50 && r.t < 150) crossDuring++;
          if (r.t >= 160) crossAfter++;
        }
        if (r.type === "drop" && r.reason === "partition") {
          assert.notEqual(side(r.from), side(r.to));
          crossDropped++;
        }
      }
      assert.equal(crossDuring, 0, "no delivery across the partition");
      assert.ok(crossDropped > 0);
      assert.ok(crossAfter > 0, "delivery resumes after heal");
    }),
    { numRuns: 30 },
  );
});

Deno.test("sim: one-way cut blocks one direction only", () => {
  const c = createCluster<PingMsg>({ seed: 1, nodes: 2, factory: pinger(50, 1) });
  c.net.cutOneWay(["n0"], ["n1"]);
  c.sim.run({ untilMs: 100 });
  const d = c.sim.trace.records.filter((r) => r.type === "deliver");
  assert.ok(d.length > 0);
  assert.ok(d.every((r) => r.type === "deliver" && r.from === "n1" && r.to === "n0"));
});

Deno.test("sim: local clock = true time × (1 + drift) + offset, with jumps and drift changes", () => {
  const sim = new Simulation({ seed: 1 });
  const reads: number[] = [];
  sim.addNode("a", (ctx) => ({ onMessage() {}, start: () => void reads.push(ctx.nowMs()) }), {
    clockOffsetMs: 250,
    clockDrift: 1e-3,
  });
  sim.run({ untilMs: 1000 });
  assert.equal(reads[0], 250);
  assert.ok(Math.abs(sim.localTime("a") - (1000 * 1.001 + 250)) < 1e-9);
  sim.clockJump("a", -100);
  assert.ok(Math.abs(sim.localTime("a") - (1001 + 250 - 100)) < 1e-9);
  sim.setDrift("a", -2e-3);
  sim.run({ untilMs: 2000 });
  // continuous at the change, then slower
  assert.ok(Math.abs(sim.localTime("a") - (1151 + 1000 * 0.998)) < 1e-9);
  assert.ok(Math.abs(sim.clockOf("a").offsetMs - (1151 + 998 - 2000)) < 1e-9);
  sim.setClockOffset("a", 0);
  assert.equal(sim.localTime("a"), 2000);
});

Deno.test("sim: a drifting node's timers run on its local clock", () => {
  const sim = new Simulation({ seed: 1 });
  let firedAt = 0;
  sim.addNode("fast", (ctx) => ({
    start: () => ctx.setTimer("t", 1000),
    onMessage() {},
    onTimer: () => firedAt = sim.nowMs,
  }), { clockDrift: 0.25 });
  sim.run();
  assert.equal(firedAt, 800, "a clock 25% fast counts 1000 local ms in 800 true ms");
});

Deno.test("sim: a Byzantine node cannot forge another node's signature", () => {
  type M = { v: number; sig: { signer: string; digest: string } };
  const sim = new Simulation<M>({ seed: 1 });
  const verdicts: boolean[] = [];
  let honestSig!: { signer: string; digest: string };
  sim.addNode("honest", (ctx) => ({
    start() {
      honestSig = ctx.sign({ v: 1 });
    },
    onMessage() {},
  }));
  sim.addNode("judge", (ctx) => ({
    onMessage: (_f, m) => verdicts.push(ctx.verify(m.sig, { v: m.v })),
  }));
  sim.addNode("byz", (ctx) => ({
    start() {
      ctx.send("judge", { v: 1, sig: honestSig }); // replaying a real signature: valid
      ctx.send("judge", { v: 2, sig: { ...honestSig } }); // same signature, other data: invalid
      ctx.send("judge", { v: 2, sig: { signer: "honest", digest: "0000000000000000" } });
      ctx.send("judge", { v: 2, sig: { ...ctx.sign({ v: 2 }), signer: "honest" } }); // relabelled
      ctx.send("judge", { v: 2, sig: ctx.sign({ v: 2 }) }); // its own: valid
    },
    onMessage() {},
  }));
  sim.run();
  assert.deepEqual(verdicts, [true, false, false, false, true]);
});

Deno.test("sim: an interceptor can drop, alter and duplicate a Byzantine node's traffic", () => {
  const sim = new Simulation<number>({ seed: 1 });
  const got: number[] = [];
  sim.addNode(
    "b",
    (ctx) => ({ start: () => [1, 2, 3].forEach((v) => ctx.send("r", v)), onMessage() {} }),
  );
  sim.addNode("r", () => ({ onMessage: (_f, m) => got.push(m) }));
  sim.intercept("b", ({ to, msg }, net) => {
    if (msg === 1) return; // drop
    if (msg === 2) return net.send(to, 20); // alter
    net.send(to, msg);
    net.send(to, msg, { delayMs: 5 }); // duplicate later
  }, { byzantine: true });
  sim.run();
  assert.deepEqual(got, [20, 3, 3]);
  assert.ok(sim.node("b").byzantine);
});

Deno.test("sim: replace swaps a node for an adversary that keeps its id and storage", () => {
  const sim = new Simulation<string>({ seed: 1 });
  const got: string[] = [];
  sim.addNode("x", (ctx) => ({ start: () => ctx.storage.set("k", "v"), onMessage() {} }));
  sim.addNode("y", () => ({ onMessage: (f, m) => got.push(`${f}:${m}`) }));
  sim.run({ untilMs: 1 });
  sim.replace("x", (ctx) => ({
    start: () => ctx.send("y", `evil-${ctx.storage.get<string>("k")}`),
    onMessage() {},
  }));
  sim.run({ untilMs: 10 });
  assert.deepEqual(got, ["x:evil-v"]);
});

Deno.test("sim: run stops on a predicate, a time, an event budget or quiescence", () => {
  const mk = () => {
    const sim = new Simulation({ seed: 1 });
    for (let i = 1; i <= 10; i++) sim.schedule(i * 10, () => {});
    return sim;
  };
  let s = mk();
  assert.deepEqual(s.run({ untilMs: 35 }), { reason: "time", nowMs: 35, events: 3 });
  s = mk();
  assert.equal(s.run({ until: () => s.nowMs >= 50 }).reason, "predicate");
  assert.equal(s.nowMs, 50);
  s = mk();
  assert.deepEqual(s.run({ maxEvents: 4 }), { reason: "maxEvents", nowMs: 40, events: 4 });
  s = mk();
  assert.deepEqual(s.run(), { reason: "quiescent", nowMs: 100, events: 10 });
  s = mk();
  assert.ok(s.step());
  assert.equal(s.nowMs, 10);
});

Deno.test("sim: trace modes: off records nothing, sampled keeps whole messages and hashes all", () => {
  const run = (mode: "off" | "sampled" | "full") => {
    const c = createCluster<PingMsg>({
      seed: 9,
      nodes: 3,
      factory: pinger(100, 1),
      trace: { mode, sampleEvery: 10 },
    });
    c.sim.run({ untilMs: 200 });
    return c.sim;
  };
  const off = run("off"), sampled = run("sampled"), full = run("full");
  assert.equal(off.trace.records.length, 0);
  assert.equal(sampled.trace.hash(), full.trace.hash());
  assert.equal(sampled.trace.count, full.trace.records.length);
  const sends = (s: typeof full) => s.trace.records.filter((r) => r.type === "send").length;
  assert.ok(sends(sampled) <= sends(full) / 8, "about one message in ten is kept");
  assert.ok(sends(sampled) > 0);
  const ids = new Set(
    sampled.trace.records.filter((r) => r.type === "send").map((r) => r.type === "send" && r.id),
  );
  for (const r of sampled.trace.records) if (r.type === "deliver") assert.ok(ids.has(r.id));
  assert.deepEqual(off.stats, full.stats, "message counters do not depend on the trace mode");
});

Deno.test("sim: bad options are rejected with a ConfigError naming the field", () => {
  assert.throws(
    () => new Simulation({ seed: 1.5 }),
    (e: unknown) => e instanceof ConfigError && /seed/.test(e.message),
  );
  assert.throws(
    () => new Simulation({ seed: 1, trace: { mode: "verbose" as "full" } }),
    (e: unknown) => e instanceof ConfigError && e.message.includes("trace.mode"),
  );
  const sim = new Simulation({ seed: 1 });
  assert.throws(
    () => sim.addNode("a", () => ({ onMessage() {} }), { clockDrift: 2 }),
    (e: unknown) => e instanceof ConfigError && e.message.includes("clockDrift"),
  );
  sim.addNode("a", () => ({ onMessage() {} }));
  assert.throws(() => sim.addNode("a", () => ({ onMessage() {} })), /duplicate node id "a"/);
  assert.throws(() => sim.crash("zz"), /unknown node "zz"/);
});

Deno.test("sim: an error inside a handler names the node, the time and the seed", () => {
  const sim = new Simulation({ seed: 77 });
  sim.addNode("a", (ctx) => ({
    start: () => ctx.setTimer("boom", 5),
    onMessage() {},
    onTimer() {
      throw new Error("kaput");
    },
  }));
  assert.throws(() => sim.run(), /node a failed in onTimer\("boom"\) at t=5 ms \(seed=77\): kaput/);
});

Deno.test("sim: a node added later starts at that time and sees every peer", () => {
  const sim = new Simulation({ seed: 1 });
  const peersSeen: string[][] = [];
  sim.addNode("a", (ctx) => ({ onMessage() {}, start: () => void peersSeen.push([...ctx.peers]) }));
  sim.run({ untilMs: 10 });
  sim.addNode("b", (ctx) => ({ onMessage() {}, start: () => void peersSeen.push([...ctx.peers]) }));
  sim.addNode("c", () => ({ onMessage() {} }), { role: "client" });
  sim.run({ untilMs: 20 });
  assert.deepEqual(peersSeen, [[], ["a"]]);
  assert.deepEqual(sim.serverIds, ["a", "b"]);
});

Deno.test("sim: the network can be used directly with its own validation", () => {
  assert.throws(
    () => new Network({ lossRatio: 1.5 }, { seed: 1 }),
    (e: unknown) => e instanceof ConfigError && e.message.includes("lossRatio"),
  );
});

Deno.test("sim: FakeContext records sends, timers, events and checks signatures' digests", async () => {
  const { FakeContext } = await import("@lab/sim/mod.ts");
  const ctx = new FakeContext<string>("a", ["b", "c"]);
  ctx.send("b", "x");
  ctx.send("c", "y");
  ctx.setTimer("t", 5);
  ctx.emit({ type: "e", v: 1 });
  assert.deepEqual(ctx.take("c"), ["y"]);
  assert.deepEqual(ctx.take(), ["x"]);
  assert.equal(ctx.timers.get("t"), 5);
  assert.equal(ctx.eventsOf("e").length, 1);
  const sig = ctx.sign({ v: 1 });
  assert.ok(ctx.verify(sig, { v: 1 }));
  assert.ok(!ctx.verify(sig, { v: 2 }));
});

Deno.test("sim: a held link delivers nothing until release, then everything in order", () => {
  const c = createCluster<PingMsg>({
    seed: 2,
    nodes: 2,
    factory: pinger(30, 2),
    network: { latency: { kind: "uniform", minMs: 1, maxMs: 8 } },
    nemesis: [
      { atMs: 10, type: "hold", from: "n0", to: "n1" },
      { atMs: 40, type: "release" },
    ],
  });
  c.sim.run({ untilMs: 200 });
  const d = c.sim.trace.records.filter((r) => r.type === "deliver" && r.from === "n0");
  const during = d.filter((r) => r.t > 10 && r.t < 40);
  assert.equal(during.length, 0, "nothing crosses a held link");
  const atRelease = d.filter((r) => r.t === 40);
  assert.ok(atRelease.length > 5, `the backlog lands at release (${atRelease.length})`);
  const sent = c.sim.trace.records.filter((r) => r.type === "send" && r.from === "n0").length;
  assert.equal(d.length, sent, "a hold loses nothing");
  assert.ok(c.faultWindows(200).some((w) => w.label === "hold n0→n1" && w.endMs === 40));
  const back = c.sim.trace.records.filter((r) => r.type === "deliver" && r.from === "n1");
  assert.ok(back.some((r) => r.t > 10 && r.t < 40), "the other direction is not held");
});

Deno.test("sim: intercept marks a node Byzantine only when asked", () => {
  const sim = new Simulation<number>({ seed: 1 });
  sim.addNode("a", () => ({ onMessage() {} }));
  sim.intercept("a", (o, net) => net.send(o.to, o.msg, { delayMs: 3 }));
  assert.equal(sim.node("a").byzantine, false, "default: the interceptor is the environment");
  sim.intercept("a", (o, net) => net.send(o.to, o.msg), { byzantine: false });
  assert.equal(sim.node("a").byzantine, false);
  sim.intercept("a", (o, net) => net.send(o.to, o.msg), { byzantine: true });
  assert.equal(sim.node("a").byzantine, true);
});

Deno.test("sim: stats count messages per type and per node", () => {
  const sim = new Simulation<PingMsg>({ seed: 1 });
  sim.addNode("a", pinger(3));
  sim.addNode("b", pinger(0));
  sim.addNode("c", pinger(0));
  sim.run();
  // a pings b and c three times each; each ping is answered
  assert.equal(sim.stats.byType.get("ping"), 6);
  assert.equal(sim.stats.byType.get("pong"), 6);
  assert.deepEqual(sim.stats.byNode.get("a"), { sent: 6, delivered: 6 });
  assert.deepEqual(sim.stats.byNode.get("b"), { sent: 3, delivered: 3 });
  const sumType = [...sim.stats.byType.values()].reduce((x, y) => x + y, 0);
  const sumNode = [...sim.stats.byNode.values()].reduce((x, y) => x + y.sent, 0);
  assert.equal(sumType, sim.stats.sent);
  assert.equal(sumNode, sim.stats.sent);
  const delivered = [...sim.stats.byNode.values()].reduce((x, y) => x + y.delivered, 0);
  assert.equal(delivered, sim.stats.delivered);
  // messages without a string `type` are counted too
  const raw = new Simulation<number>({ seed: 1 });
  raw.addNode("x", (ctx) => ({ start: () => ctx.send("y", 7), onMessage() {} }));
  raw.addNode("y", () => ({ onMessage() {} }));
  raw.run();
  assert.equal(raw.stats.byType.get("(untyped)"), 1);
});

Deno.test("sim: onDeliver sees every delivered message once, before the node handles it", () => {
  const sim = new Simulation<PingMsg>({ seed: 1 });
  const order: string[] = [];
  sim.addNode("a", pinger(2));
  sim.addNode("b", (ctx) => ({
    onMessage(from, m) {
      order.push(`handle ${m.type}${m.n}`);
      if (m.type === "ping") ctx.send(from, { type: "pong", n: m.n });
    },
  }));
  const seen: string[] = [];
  const stop = sim.onDeliver((d) => {
    seen.push(`${d.from}->${d.to} ${d.msg.type}${d.msg.n} @${d.t}`);
    if (d.to === "b") order.push(`hook ${d.msg.type}${d.msg.n}`);
  });
  sim.run();
  assert.equal(seen.length, sim.stats.delivered);
  assert.deepEqual(order, ["hook ping1", "handle ping1", "hook ping2", "handle ping2"]);
  stop();
  const before = seen.length;
  sim.inject("a", "b", { type: "ping", n: 9 });
  sim.run();
  assert.equal(seen.length, before, "no longer listening after stop()");
});
