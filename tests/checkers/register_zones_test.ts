/**
 * The zone procedure for read/write registers with unique values (Gibbons & Korach 1997) against
 * the search, on many random small histories: same verdict, and never a fall-back on a history
 * that qualifies (the theorem, checked). Plus the generator and the bounded-memory path.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  type AnyModel,
  casRegisterModel,
  checkLinearizability,
  generateRegisterHistory,
  kvModel,
  registerModel,
} from "@lab/checkers/mod.ts";
import { checkRegisterZones } from "@lab/checkers/_lin_register.ts";
import { pairOperations } from "@lab/workload/history.ts";
import type { HistoryEvent } from "@lab/workload/history.ts";
import { ConfigError } from "@lab/sim/errors.ts";
import { history, r, w } from "./_helpers.ts";

interface RawOp {
  write: boolean;
  /** Index into the written values (reads), or -1 for the initial value, or 99 for "never written". */
  pick: number;
  start: number;
  length: number;
  status: "ok" | "info" | "info-deadline";
}

const rawOp = fc.record<RawOp>({
  write: fc.boolean(),
  pick: fc.integer({ min: -1, max: 6 }),
  start: fc.integer({ min: 0, max: 12 }),
  length: fc.integer({ min: 0, max: 6 }),
  status: fc.constantFrom("ok", "ok", "ok", "ok", "ok", "info", "info-deadline"),
});

/**
 * Arbitrary small register histories with unique written values: operations on their own
 * processes (so any intervals are allowed), small integer times (many ties), reads of the
 * initial value, of written values, or (rarely) of a value nobody wrote; writes of unknown
 * outcome with and without a deadline.
 */
function build(raw: RawOp[]): HistoryEvent[] {
  const events: HistoryEvent[] = [];
  let writes = 0;
  const nWrites = raw.filter((o) => o.write).length;
  raw.forEach((o, p) => {
    const f = o.write ? "write" : "read";
    const value = o.write
      ? 100 + writes++
      : o.pick < 0
      ? null
      : o.pick === 6
      ? 999
      : nWrites === 0
      ? null
      : 100 + (o.pick % nWrites);
    const end = o.start + o.length;
    events.push({ type: "invoke", process: p, f, value: o.write ? value : null, timeMs: o.start });
    if (o.status === "ok") {
      events.push({ type: "ok", process: p, f, value, timeMs: end });
    } else if (o.status === "info-deadline" || !o.write) {
      events.push({ type: "info", process: p, f, value: null, timeMs: end });
    }
  });
  return events.sort((a, b) => a.timeMs - b.timeMs);
}

Deno.test("zones agree with the search on random register histories, and always decide", () => {
  let illegal = 0;
  let ok = 0;
  fc.assert(
    fc.property(fc.array(rawOp, { minLength: 1, maxLength: 9 }), (raw) => {
      const events = build(raw);
      const model = registerModel();
      const fast = checkLinearizability(events, model, { zones: true });
      const slow = checkLinearizability(events, model, { zones: false });
      assert.equal(fast.verdict, slow.verdict, JSON.stringify(events));
      // qualifying history: decided by zones, never handed back to the search
      assert.equal(fast.partitions[0].method, "zones", JSON.stringify(events));
      if (fast.verdict === "illegal") {
        illegal++;
        assert.ok(fast.witness);
        assert.equal(fast.witness.partitionOperations, fast.partitions[0].operations);
      } else ok++;
    }),
    { numRuns: 4000, seed: 14 },
  );
  // both verdicts are well represented, so the comparison means something
  assert.ok(illegal > 500 && ok > 500, `illegal ${illegal}, ok ${ok}`);
});

Deno.test("zones agree with the search when unknown writes have deadlines", () => {
  fc.assert(
    fc.property(fc.array(rawOp, { minLength: 1, maxLength: 9 }), (raw) => {
      const events = build(raw);
      // an info completion's time becomes a deadline: took effect before then, or never
      const ops = pairOperations(events).map((op) =>
        op.status === "info" && op.completeIndex >= 0
          ? { ...op, completeMs: events[op.completeIndex].timeMs }
          : op
      );
      const fast = checkLinearizability(ops, registerModel());
      const slow = checkLinearizability(ops, registerModel(), { zones: false });
      assert.equal(fast.verdict, slow.verdict, JSON.stringify(ops));
      assert.equal(fast.partitions[0].method, "zones");
    }),
    { numRuns: 2000, seed: 16 },
  );
});

Deno.test("zones agree with the search on the kv model split by key", () => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(rawOp, fc.constantFrom("a", "b")), { minLength: 1, maxLength: 10 }),
      (pairs) => {
        const events = build(pairs.map(([o]) => o)).map((e) => ({
          ...e,
          key: pairs[e.process][1],
          value: typeof e.value === "number" ? String(e.value) : e.value,
        }));
        const model = kvModel({ initial: null });
        const fast = checkLinearizability(events, model);
        const slow = checkLinearizability(events, model, { zones: false });
        assert.equal(fast.verdict, slow.verdict, JSON.stringify(events));
      },
    ),
    { numRuns: 1500, seed: 15 },
  );
});

Deno.test("zones: the certificate is a real linearization and the conflict a real refutation", () => {
  // forward zones of 1 and 2 overlap: 1 is read after 2 was read, both writes before
  const h = history(w(0, 1, [0, 1]), w(1, 2, [2, 3]), r(2, 2, [4, 5]), r(3, 1, [6, 7]));
  const res = checkLinearizability(h, registerModel());
  assert.equal(res.verdict, "illegal");
  assert.equal(res.partitions[0].method, "zones");
  assert.ok(res.witness);
  assert.ok(res.witness.operations.length <= 6);
  // a backward zone (write 3 alone) inside the forward zone of 1
  const b = history(w(0, 1, [0, 1]), w(1, 3, [2, 3]), r(2, 1, [4, 5]));
  assert.equal(checkLinearizability(b, registerModel()).verdict, "illegal");
  // touching intervals are concurrent: write 3 at [1, 3] may precede write 1 at [0, 1]
  const t = history(w(0, 1, [0, 1]), w(1, 3, [1, 3]), r(2, 1, [4, 5]));
  const okRes = checkLinearizability(t, registerModel());
  assert.equal(okRes.verdict, "ok");
  assert.equal(okRes.partitions[0].method, "zones");
  assert.deepEqual(okRes.partitions[0].linearization, [1, 0, 2]);
});

Deno.test("zones: histories that do not qualify go to the search", () => {
  // a value written twice
  const dup = history(w(0, 1, [0, 1]), w(1, 1, [2, 3]), r(2, 1, [4, 5]));
  const a = checkLinearizability(dup, registerModel());
  assert.equal(a.verdict, "ok");
  assert.equal(a.partitions[0].method, "search");
  // a cas
  const withCas = history(w(0, 1, [0, 1]), {
    p: 1,
    f: "cas",
    in: [1, 2],
    out: true,
    at: [2, 3],
  }, r(2, 2, [4, 5]));
  assert.equal(checkLinearizability(withCas, casRegisterModel()).partitions[0].method, "search");
  // the direct call says "does not qualify"
  assert.equal(
    checkRegisterZones(registerModel(), [
      { input: { f: "write", value: null }, output: null, invokeMs: 0, completeMs: 1 },
    ]),
    undefined,
  );
});

Deno.test("generator: deterministic, linearizable or with one stale read, as it says", () => {
  for (const overlap of ["busy", "sparse"] as const) {
    for (const keys of [1, 4]) {
      const opts = { ops: 400, clients: 10, keys, overlap, seed: 7 };
      const a = generateRegisterHistory(opts);
      assert.deepEqual(a, generateRegisterHistory(opts));
      assert.equal(a.operations, 400);
      assert.equal(a.linearizable, true);
      const model: AnyModel = keys === 1 ? registerModel() : kvModel({ initial: null });
      assert.equal(checkLinearizability(a.history, model).verdict, "ok");
      assert.equal(checkLinearizability(a.history, model, { zones: false }).verdict, "ok");
      const s = generateRegisterHistory({ ...opts, stale: true });
      assert.equal(s.linearizable, false);
      assert.ok(s.staleRead);
      const res = checkLinearizability(s.history, model);
      assert.equal(res.verdict, "illegal");
      // the planted read is among the witness's operations
      const staleOp = res.operations.findIndex((op) => op.invokeIndex === s.staleRead!.invokeIndex);
      assert.ok(res.witness!.operations.some((op) => op.id === staleOp), res.explanation);
      // and putting its value back makes the history linearizable again
      const at = s.staleRead!.invokeIndex;
      const done = s.history.findIndex((e, i) => i > at && e.process === s.history[at].process);
      const fixed = s.history.map((e, i) => i === done ? { ...e, value: s.staleRead!.was } : e);
      assert.equal(checkLinearizability(fixed, model, { zones: false }).verdict, "ok");
    }
  }
  // busy overlaps many operations; sparse few
  const busy = generateRegisterHistory({ ops: 2000, clients: 10, overlap: "busy" }).history;
  const sparse = generateRegisterHistory({ ops: 2000, clients: 10, overlap: "sparse" }).history;
  const open = (h: HistoryEvent[]) => {
    let cur = 0;
    let sum = 0;
    for (const e of h) {
      cur += e.type === "invoke" ? 1 : -1;
      if (e.type === "invoke") sum += cur;
    }
    return sum / (h.length / 2);
  };
  assert.ok(open(busy) > 8, `busy ${open(busy)}`);
  assert.ok(open(sparse) < 1.5, `sparse ${open(sparse)}`);
  assert.throws(
    () => generateRegisterHistory({ ops: 0, clients: 10 }),
    (e) => e instanceof ConfigError && /ops/.test(e.message),
  );
  assert.throws(
    () => generateRegisterHistory({ ops: 10, clients: 10, overlap: "dense" as "busy" }),
    (e) => e instanceof ConfigError && /overlap/.test(e.message),
  );
});

Deno.test("zones decide a 100,000-operation register history in seconds", () => {
  const g = generateRegisterHistory({ ops: 100_000, clients: 100, overlap: "busy", seed: 2 });
  const t = performance.now();
  const res = checkLinearizability(g.history, registerModel());
  const ms = performance.now() - t;
  assert.equal(res.verdict, "ok");
  assert.equal(res.partitions[0].method, "zones");
  // ~1 s on a quiet machine; the bound leaves room for a loaded one (the search cannot decide it)
  assert.ok(ms < 20_000, `${ms} ms`);
});

Deno.test("memory budget: a small budget answers unknown instead of growing the cache", () => {
  const g = generateRegisterHistory({ ops: 20_000, clients: 100, overlap: "busy", seed: 5 });
  const budget = 4 * 1024 * 1024;
  const res = checkLinearizability(g.history, registerModel(), {
    zones: false,
    memoryBudget: budget,
    stepBudget: 1e9,
  });
  assert.equal(res.verdict, "unknown");
  assert.ok(res.partitions[0].outOfMemory);
  assert.match(res.explanation, /memory budget/);
  // the cache stayed within the budget: at least 32 bytes of bookkeeping per configuration
  assert.ok(res.partitions[0].cacheSize > 0);
  assert.ok(res.partitions[0].cacheSize * 32 <= budget, String(res.partitions[0].cacheSize));
  // the same history within a generous budget is decided
  const small = generateRegisterHistory({ ops: 300, clients: 10, overlap: "busy", seed: 5 });
  assert.equal(
    checkLinearizability(small.history, registerModel(), { zones: false, memoryBudget: 1 << 30 })
      .verdict,
    "ok",
  );
});

Deno.test("witness: false decides without building explanations; the verdicts do not change", () => {
  const g = generateRegisterHistory({ ops: 300, clients: 5, overlap: "busy", stale: true });
  const a = checkLinearizability(g.history, registerModel(), { zones: false, witness: false });
  const b = checkLinearizability(g.history, registerModel(), { zones: false });
  assert.equal(a.verdict, "illegal");
  assert.equal(b.verdict, "illegal");
  assert.equal(a.witness, undefined);
  assert.ok(b.witness);
  assert.equal(a.steps, b.steps);
  assert.deepEqual(a.partitions[0].linearization, []);
  // the second pass records the same deepest prefix length the first pass measured
  assert.equal(b.partitions[0].linearization.length, a.partitions[0].longestPrefix);
});
