/**
 * The fixed-cost fast paths of the linearizability checker (issue 14): pairing by small process
 * ids, the search's time order built by insertion sort and merge, and the short search that
 * register partitions get before zones. Each is compared with the general path on the same input.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { checkLinearizability, registerModel } from "@lab/checkers/linearizability.ts";
import { generateRegisterHistory } from "@lab/checkers/mod.ts";
import { LinearizationSearch } from "@lab/checkers/_lin_search.ts";
import type { SearchOp } from "@lab/checkers/_lin_search.ts";
import { unknownOutput } from "@lab/checkers/_lin_model.ts";
import { pairOperations } from "@lab/workload/history.ts";
import type { HistoryEvent } from "@lab/workload/history.ts";

// process ids outside the array fast path: large, negative, fractional
const ODD_IDS = [1e9, -3, 2.5, 70_000];

Deno.test("pairOperations: small process ids and any other ids pair the same way", () => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.constantFrom("ok", "fail", "info")), {
        maxLength: 30,
      }),
      (steps) => {
        // each step invokes on a process, completing it later by the given type (or never)
        const events: HistoryEvent[] = [];
        const open = new Set<number>();
        steps.forEach(([p, type], t) => {
          if (open.has(p)) {
            open.delete(p);
            events.push({ type, process: p, f: "write", value: t, timeMs: t });
          } else {
            open.add(p);
            events.push({ type: "invoke", process: p, f: "write", value: t, timeMs: t });
          }
        });
        const renamed = events.map((e) => ({ ...e, process: ODD_IDS[e.process] }));
        const a = pairOperations(events);
        const b = pairOperations(renamed);
        assert.deepEqual(b.map((op) => ({ ...op, process: ODD_IDS.indexOf(op.process) })), a);
      },
    ),
    { numRuns: 300, seed: 141 },
  );
  for (const id of [0, ...ODD_IDS]) {
    const inv: HistoryEvent = { type: "invoke", process: id, f: "read", value: null, timeMs: 0 };
    assert.throws(() => pairOperations([inv, inv]), /invokes while its operation/);
    assert.throws(
      () => pairOperations([{ ...inv, type: "ok" }]),
      /completes \(ok\) with no open invoke/,
    );
  }
});

Deno.test("search: the time order of calls and returns does not depend on the operations' order", () => {
  // Operations listed by invocation take the insertion-sort path; the same operations shuffled
  // (calls out of order) take the general sort. Both must give the same verdict and steps.
  const model = registerModel();
  for (const stale of [false, true]) {
    const g = generateRegisterHistory({ clients: 5, ops: 300, overlap: "busy", stale, seed: 3 });
    const ops: SearchOp<unknown, unknown>[] = pairOperations(g.history).map((op) => ({
      input: model.input(op),
      output: op.status === "ok" ? model.output(op) : unknownOutput,
      invokeMs: op.invokeMs,
      completeMs: op.status === "ok" ? op.completeMs : Infinity,
    }));
    const sorted = new LinearizationSearch(model, ops);
    sorted.run(1e6);
    assert.equal(sorted.verdict, stale ? "illegal" : "ok");
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_000_000 }), (seed) => {
        const order = ops.map((_, i) => i).sort((a, b) =>
          ((Math.imul(a + seed, 0x9e3779b1) >>> 0) % 1000) -
          ((Math.imul(b + seed, 0x9e3779b1) >>> 0) % 1000)
        );
        const shuffled = new LinearizationSearch(model, order.map((i) => ops[i]));
        shuffled.run(1e6);
        assert.equal(shuffled.verdict, sorted.verdict);
      }),
      { numRuns: 10, seed: 142 },
    );
  }
  // touching intervals are concurrent on both paths: write 2 at [1, 2] may precede write 1 at
  // [0, 1], so reading 1 at [3, 4] is fine (a return before a call at the same time would refute it)
  const touch: SearchOp<unknown, unknown>[] = [
    { input: { f: "write", value: 1 }, output: null, invokeMs: 0, completeMs: 1 },
    { input: { f: "write", value: 2 }, output: null, invokeMs: 1, completeMs: 2 },
    { input: { f: "read" }, output: 1, invokeMs: 3, completeMs: 4 },
  ];
  for (const ops of [touch, [touch[2], touch[1], touch[0]]]) {
    const s = new LinearizationSearch(model, ops);
    s.run(1000);
    assert.equal(s.verdict, "ok");
  }
});

Deno.test("register partitions of 64+ operations: the short search decides sparse ones, zones busy ones", () => {
  for (const stale of [false, true]) {
    const sparse = generateRegisterHistory({
      clients: 10,
      ops: 400,
      overlap: "sparse",
      stale,
      seed: 5,
    });
    const busy = generateRegisterHistory({
      clients: 10,
      ops: 400,
      overlap: "busy",
      stale,
      seed: 5,
    });
    const want = stale ? "illegal" : "ok";
    const a = checkLinearizability(sparse.history, registerModel(), { witness: false });
    assert.equal(a.verdict, want);
    assert.equal(a.partitions[0].method, "search");
    const b = checkLinearizability(busy.history, registerModel(), { witness: false });
    assert.equal(b.verdict, want);
    assert.equal(b.partitions[0].method, "zones");
    // the same verdicts without zones
    for (const h of [sparse, busy]) {
      assert.equal(
        checkLinearizability(h.history, registerModel(), { witness: false, zones: false }).verdict,
        want,
      );
    }
  }
});
