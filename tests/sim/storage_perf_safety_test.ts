/**
 * Durable storage stays safe against aliasing now that it shares frozen values instead of
 * deep-copying every write and read: a node that mutates what it stored, what it read back, or
 * what it received (and stored) cannot change the storage's copy or another node's.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { Simulation } from "@lab/sim/mod.ts";
import { immutable, isImmutable, MemoryStorage } from "@lab/sim/storage.ts";
import { createCluster } from "@lab/net/mod.ts";
import { raftKvServer } from "@lab/protocols/raft/kv.ts";
import type { RaftNode } from "@lab/protocols/raft/node.ts";
import type { KvServer } from "@lab/protocols/kv/server.ts";
import type { RaftMessage } from "@lab/protocols/raft/messages.ts";
import { installWorkload } from "@lab/workload/client.ts";
import { kvClientDriver, kvOpGenerator } from "@lab/protocols/kv/client.ts";

type Entry = { term: number; command: { key: string; values: number[] } };

Deno.test("storage: mutating what was stored or appended does not reach the stored copy", () => {
  const st = new MemoryStorage();
  const v: Entry = { term: 1, command: { key: "k", values: [1, 2] } };
  st.set("v", v);
  st.append("l", v, { term: 2, command: { key: "j", values: [] } });
  v.term = 9;
  v.command.values.push(3);
  v.command.key = "changed";
  assert.deepEqual(st.get("v"), { term: 1, command: { key: "k", values: [1, 2] } });
  assert.deepEqual(st.list<Entry>("l")[0], { term: 1, command: { key: "k", values: [1, 2] } });
});

Deno.test("storage: what a read hands out is a mutable copy; changing it changes no storage", () => {
  const st = new MemoryStorage();
  st.set("v", { a: { b: [1] } });
  st.append("l", { x: 1 });
  const got = st.get<{ a: { b: number[] } }>("v")!;
  got.a.b.push(2);
  got.a = { b: [] };
  const l = st.list<{ x: number }>("l");
  l.push({ x: 2 });
  l[0].x = 5;
  assert.deepEqual(st.list("l"), [{ x: 1 }]);
  assert.deepEqual(st.get("v"), { a: { b: [1] } });
});

Deno.test("storage: values that are not plain data (Map, Set, Date) are still copied both ways", () => {
  const st = new MemoryStorage();
  const m = new Map([["k", [1]]]);
  st.set("m", m);
  st.append("l", new Set([1]));
  m.get("k")!.push(2);
  m.set("j", [3]);
  const got = st.get<Map<string, number[]>>("m")!;
  assert.deepEqual([...got], [["k", [1]]]);
  got.set("z", []);
  assert.deepEqual([...st.get<Map<string, number[]>>("m")!], [["k", [1]]]);
  const s = st.list<Set<number>>("l")[0];
  s.add(2);
  assert.deepEqual([...st.list<Set<number>>("l")[0]], [1]);
});

Deno.test("storage: a frozen value is shared, not copied again; plain data is copied once", () => {
  const raw = { term: 1, command: { key: "k" } };
  const f = immutable(raw)!;
  assert.notEqual(f, raw);
  assert.ok(isImmutable(f) && Object.isFrozen(f.command));
  assert.ok(!Object.isFrozen(raw), "the caller's own object stays mutable");
  assert.equal(immutable(f), f);
  assert.throws(() => {
    (f as { term: number }).term = 2;
  }, TypeError);
  assert.equal(immutable(new Map()), undefined);
  assert.equal(immutable(() => 1), undefined);
});

Deno.test("storage: any plain value round-trips equal and immune to later mutation (property)", () => {
  fc.assert(
    fc.property(fc.jsonValue(), (v) => {
      const st = new MemoryStorage();
      const before = structuredClone(v);
      st.set("k", v);
      st.append("l", v);
      if (v !== null && typeof v === "object") {
        // mutate the original deeply where possible
        const stack: unknown[] = [v];
        while (stack.length) {
          const o = stack.pop() as Record<string, unknown> | unknown[];
          if (Array.isArray(o)) {
            o.forEach((x) => x !== null && typeof x === "object" && stack.push(x));
            o.push("mut");
          } else {
            Object.values(o).forEach((x) => x !== null && typeof x === "object" && stack.push(x));
            o["mut"] = 1;
          }
        }
      }
      assert.deepEqual(st.get("k"), before);
      assert.deepEqual(st.list("l"), [before]);
    }),
    { numRuns: 100, endOnFailure: true },
  );
});

Deno.test("storage: a node mutating a received and stored entry cannot change the sender's copy", () => {
  type M = { entry: Entry };
  const sim = new Simulation<M>({ seed: 1 });
  const errors: string[] = [];
  sim.addNode("a", (ctx) => ({
    start() {
      // what a protocol sends is its own frozen copy (as Raft's log keeps entries)
      const entry = immutable<Entry>({ term: 1, command: { key: "k", values: [1] } })!;
      ctx.storage.append("log", entry);
      ctx.send("b", { entry });
    },
    onMessage() {},
  }));
  sim.addNode("b", (ctx) => ({
    onMessage(_from, m) {
      ctx.storage.append("log", m.entry);
      for (const mutate of [() => m.entry.command.values.push(2), () => (m.entry.term = 7)]) {
        try {
          mutate();
        } catch (e) {
          errors.push((e as Error).name);
        }
      }
      // what b reads back is its own copy: changing it changes neither log
      ctx.storage.list<Entry>("log")[0].command.values.push(3);
    },
  }));
  sim.run();
  const want = { term: 1, command: { key: "k", values: [1] } };
  assert.deepEqual(sim.node("a").storage.list("log"), [want]);
  assert.deepEqual(sim.node("b").storage.list("log"), [want]);
  assert.deepEqual(errors, ["TypeError", "TypeError"]);
});

Deno.test("storage: Raft followers share the leader's frozen entries; none can mutate them", () => {
  const c = createCluster<never>({
    seed: 3,
    nodes: 3,
    factory: raftKvServer() as never,
    network: { latency: { kind: "uniform", minMs: 1, maxMs: 3 } },
  });
  installWorkload(
    c.sim as never,
    kvClientDriver<RaftMessage>(),
    kvOpGenerator({ keys: 2, mix: { put: 1 } }),
    { mode: "closed", clients: 2, endMs: 1_500, timeoutMs: 500, retries: 5 },
  );
  c.sim.run({ untilMs: 2_000 });
  const logs = c.nodes.map((id) => (c.sim.instanceOf<KvServer<RaftMessage>>(id)!.log as RaftNode));
  const n = Math.min(...logs.map((r) => r.commitIndex));
  assert.ok(n > 5, `entries committed everywhere: ${n}`);
  const e = logs[1].entryAt(n)!;
  assert.equal(logs[0].entryAt(n), e, "one shared frozen object, not a copy per node");
  assert.ok(isImmutable(e));
  assert.throws(() => {
    (e as { term: number }).term = 99;
  }, TypeError);
  for (const id of c.nodes) {
    const stored = c.sim.node(id).storage.list<Entry>("raft/log");
    assert.notEqual(stored.at(-1)!.term, 99);
  }
});
