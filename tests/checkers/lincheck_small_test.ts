/**
 * The register search (searchRegister in _lin_register.ts), which decides register partitions of
 * 64 operations or more before the general search: it must explore exactly as the general search
 * does (same verdicts, same steps), including operations with unknown outcomes, and must never
 * rest on keys that do not describe the model.
 */
import assert from "node:assert/strict";
import {
  casRegisterModel,
  checkLinearizability,
  generateRegisterHistory,
  kvModel,
  registerModel,
} from "@lab/checkers/mod.ts";
import type { AnyModel } from "@lab/checkers/mod.ts";
import { pairOperations } from "@lab/workload/history.ts";
import type { HistoryEvent, Operation } from "@lab/workload/history.ts";

/** Verdicts and per-partition steps with the register search (default) and without it. */
function compare(history: HistoryEvent[] | Operation[], model: AnyModel, what: string): string {
  const fast = checkLinearizability(history, model, { witness: false });
  const slow = checkLinearizability(history, model, { witness: false, zones: false });
  assert.equal(fast.verdict, slow.verdict, what);
  fast.partitions.forEach((p, i) => {
    // decided by a search on both sides: the same exploration, step for step
    if (
      p.method === "search" && p.verdict !== "skipped" && slow.partitions[i].verdict !== "skipped"
    ) {
      assert.equal(p.steps, slow.partitions[i].steps, `${what}, partition ${i}`);
      assert.equal(p.cacheSize, slow.partitions[i].cacheSize, `${what}, partition ${i}`);
    }
  });
  return fast.verdict;
}

Deno.test("register search: the general search's verdicts and steps on generated register histories", () => {
  const verdicts = { ok: 0, illegal: 0 };
  for (const keys of [1, 4]) {
    for (const clients of [3, 10]) {
      for (const overlap of ["busy", "sparse"] as const) {
        for (const stale of [false, true]) {
          for (const seed of [1, 2, 3]) {
            const g = generateRegisterHistory({ keys, clients, ops: 400, overlap, stale, seed });
            const model = keys === 1 ? registerModel() : kvModel({ initial: null });
            const v = compare(
              g.history,
              model,
              JSON.stringify({ keys, clients, overlap, stale, seed }),
            );
            if (v === "ok" || v === "illegal") verdicts[v]++;
          }
        }
      }
    }
  }
  assert.ok(verdicts.ok >= 20 && verdicts.illegal >= 20, JSON.stringify(verdicts));
});

Deno.test("register search: unknown outcomes, with and without deadlines, as the general search", () => {
  let illegal = 0;
  for (const stale of [false, true]) {
    for (const seed of [4, 5, 6, 7, 8]) {
      const g = generateRegisterHistory({ clients: 4, ops: 200, overlap: "busy", stale, seed });
      const ops = pairOperations(g.history);
      // every 7th operation's outcome becomes unknown; every other one of those keeps its
      // completion as a deadline
      const unknown = ops.map((op, i) =>
        i % 7 !== 3 ? op : {
          ...op,
          status: "info" as const,
          output: undefined,
          completeMs: i % 14 === 3 ? op.completeMs : Infinity,
        }
      );
      if (compare(unknown, registerModel(), `stale ${stale}, seed ${seed}`) === "illegal") {
        illegal++;
      }
    }
  }
  assert.ok(illegal >= 1, "some history stays illegal");
  // A write with unknown outcome and a deadline that must not have taken effect: the read after
  // its deadline returns the value before it. 70 operations first, so the register search runs.
  const ops: Operation[] = [];
  const op = (i: number, f: string, v: number, at: number, status: "ok" | "info", end: number) =>
    ops.push({
      process: i % 3,
      f,
      key: undefined,
      input: f === "write" ? v : null,
      output: status === "ok" ? (f === "write" ? v : v) : undefined,
      status,
      invokeMs: at,
      completeMs: end,
      invokeIndex: 2 * ops.length,
      completeIndex: 2 * ops.length + 1,
    });
  for (let i = 0; i < 35; i++) {
    op(i, "write", i + 1, 10 * i, "ok", 10 * i + 2);
    op(i + 1, "read", i + 1, 10 * i + 4, "ok", 10 * i + 6);
  }
  op(0, "write", 100, 400, "ok", 401);
  op(1, "write", 200, 402, "info", 403); // deadline 403: took effect before then, or never
  op(2, "read", 100, 404, "ok", 405);
  assert.equal(compare(ops, registerModel(), "deadline write that never took effect"), "ok");
  const r = checkLinearizability(ops, registerModel(), { witness: false });
  assert.equal(r.partitions[0].method, "search");
  assert.deepEqual(r.partitions[0].skipped, [71]);
});

Deno.test("register search: keys that do not describe the model are caught, not believed", () => {
  // Every value under one key: taken at its word, the search would find every read possible and
  // call a stale history linearizable. Each of its steps is asked of the model, which refuses.
  const honest = registerModel();
  const liar: AnyModel = {
    ...honest,
    registerView: { ...honest.registerView!, keys: { initial: 0, of: () => 0 } },
  };
  for (const seed of [1, 2, 3]) {
    const g = generateRegisterHistory({
      clients: 5,
      ops: 300,
      overlap: "sparse",
      stale: true,
      seed,
    });
    assert.equal(checkLinearizability(g.history, honest, { witness: false }).verdict, "illegal");
    const r = checkLinearizability(g.history, liar, { witness: false });
    assert.equal(r.verdict, "illegal", `seed ${seed}`);
  }
  // and the other way round: distinct keys for equal values cannot make a good history illegal
  let fresh = 0;
  const splitter: AnyModel = {
    ...honest,
    registerView: { ...honest.registerView!, keys: { initial: -1, of: () => fresh++ } },
  };
  const good = generateRegisterHistory({ clients: 5, ops: 300, overlap: "sparse", seed: 9 });
  assert.equal(checkLinearizability(good.history, splitter, { witness: false }).verdict, "ok");
});

Deno.test("register search: values without a key (vectors) and cas go to the general search", () => {
  const g = generateRegisterHistory({
    clients: 5,
    ops: 200,
    overlap: "sparse",
    stale: true,
    seed: 3,
  });
  const vectors = g.history.map((e) => (e.value === null ? e : { ...e, value: [e.value, 0] }));
  compare(vectors, registerModel(), "vectors");
  const r = checkLinearizability(vectors, registerModel(), { witness: false });
  assert.equal(r.verdict, "illegal");
  assert.equal(compare(g.history, casRegisterModel(), "cas register"), "illegal");
});

Deno.test("register search: a memory budget too small for its arrays answers unknown", () => {
  const g = generateRegisterHistory({ clients: 5, ops: 500, overlap: "sparse", seed: 2 });
  const r = checkLinearizability(g.history, registerModel(), { witness: false, memoryBudget: 64 });
  assert.equal(r.verdict, "unknown");
  assert.equal(r.partitions[0].outOfMemory, true);
});

Deno.test("built-in models with default options are shared and frozen", () => {
  assert.equal(registerModel(), registerModel());
  assert.equal(casRegisterModel(), casRegisterModel());
  assert.equal(kvModel(), kvModel({ initial: "" }));
  assert.equal(kvModel({ initial: null }), kvModel({ initial: null }));
  assert.notEqual(kvModel(), kvModel({ initial: null }));
  assert.notEqual(registerModel(), registerModel({ initial: 0 }));
  assert.notEqual(registerModel(), casRegisterModel());
  assert.ok(Object.isFrozen(registerModel()));
  assert.throws(() => {
    (registerModel() as { name: string }).name = "changed";
  });
  // a non-default initial value still gets its own model
  assert.equal(registerModel({ initial: 3 }).init(), 3);
});
