/**
 * The map of models as properties over generated small differentiated histories: whatever the
 * history, linearizable ⇒ sequential ⇒ causal memory and causal convergence ⇒ causal
 * consistency. A checker that reports a bad pattern in a sequentially consistent history is
 * wrong, so these catch false alarms in the polynomial checkers.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { checkCausal, checkLinearizability, checkSequential, kvModel } from "@lab/checkers/mod.ts";
import type { HistoryEvent } from "@lab/workload/history.ts";

interface GenOp {
  readonly p: number;
  readonly write: boolean;
  readonly key: "x" | "y";
  /** For reads: which written value to return (0 = nil), modulo the writes so far. */
  readonly pick: number;
}

/** Each session's operations one after the other; reads return some value written to the key. */
function build(ops: readonly GenOp[]): HistoryEvent[] {
  const events: HistoryEvent[] = [];
  const written: Record<string, number[]> = { x: [], y: [] };
  let next = 1;
  ops.forEach((o, i) => {
    const base = { process: o.p, f: o.write ? "write" : "read", key: o.key };
    if (o.write) {
      const v = next++;
      written[o.key].push(v);
      events.push({ ...base, type: "invoke", value: v, timeMs: 2 * i });
      events.push({ ...base, type: "ok", value: v, timeMs: 2 * i + 1 });
    } else {
      const vs = written[o.key];
      const v = o.pick % (vs.length + 1) === 0 ? null : vs[(o.pick % (vs.length + 1)) - 1];
      events.push({ ...base, type: "invoke", value: null, timeMs: 2 * i });
      events.push({ ...base, type: "ok", value: v, timeMs: 2 * i + 1 });
    }
  });
  return events;
}

const genOps = fc.array(
  fc.record<GenOp>({
    p: fc.integer({ min: 0, max: 2 }),
    write: fc.boolean(),
    key: fc.constantFrom("x", "y"),
    pick: fc.integer({ min: 0, max: 5 }),
  }),
  { minLength: 1, maxLength: 9 },
);

Deno.test("property: linearizable ⇒ sequential ⇒ CM and CCv ⇒ CC", () => {
  fc.assert(
    fc.property(genOps, (ops) => {
      const h = build(ops);
      const lin = checkLinearizability(h, kvModel()).verdict;
      const sc = checkSequential(h, { minimize: false }).verdict;
      const cc = checkCausal(h, { model: "CC" }).verdict;
      const cm = checkCausal(h, { model: "CM" }).verdict;
      const ccv = checkCausal(h, { model: "CCv" }).verdict;
      if (lin === "ok") assert.equal(sc, "ok");
      if (sc === "ok") {
        assert.equal(cm, "ok", "SC but not CM");
        assert.equal(ccv, "ok", "SC but not CCv");
      }
      if (cm === "ok" || ccv === "ok") assert.equal(cc, "ok");
    }),
    { numRuns: 1500, seed: 12 },
  );
});

/** Sequential consistency by brute force: try every interleaving of the sessions. */
function bruteForceSequential(h: readonly HistoryEvent[]): boolean {
  const sessions = new Map<number, { write: boolean; key: string; value: unknown }[]>();
  for (let i = 0; i < h.length; i += 2) {
    const inv = h[i];
    const done = h[i + 1];
    const write = inv.f === "write";
    if (!sessions.has(inv.process)) sessions.set(inv.process, []);
    sessions.get(inv.process)!.push({
      write,
      key: inv.key!,
      value: write ? inv.value : done.value,
    });
  }
  const lists = [...sessions.values()];
  const pos = lists.map(() => 0);
  const state = new Map<string, unknown>();
  const go = (): boolean => {
    if (lists.every((l, s) => pos[s] === l.length)) return true;
    for (let s = 0; s < lists.length; s++) {
      const op = lists[s][pos[s]];
      if (!op) continue;
      const prev = state.get(op.key) ?? null;
      if (!op.write && prev !== op.value) continue;
      if (op.write) state.set(op.key, op.value);
      pos[s]++;
      const ok = go();
      pos[s]--;
      state.set(op.key, prev);
      if (ok) return true;
    }
    return false;
  };
  return go();
}

Deno.test("property: the sequential checker agrees with brute-force enumeration", () => {
  fc.assert(
    fc.property(genOps, (ops) => {
      const h = build(ops);
      const expected = bruteForceSequential(h) ? "ok" : "illegal";
      const res = checkSequential(h);
      assert.equal(res.verdict, expected);
      if (res.verdict === "illegal") {
        // The witness is itself not sequentially consistent.
        const sub = res.witness!.operations.flatMap((o) => {
          const base = { process: o.process, f: o.kind, key: o.key };
          return [
            {
              ...base,
              type: "invoke" as const,
              value: o.kind === "write" ? o.value : null,
              timeMs: o.invokeMs,
            },
            { ...base, type: "ok" as const, value: o.value, timeMs: o.completeMs },
          ];
        });
        assert.equal(bruteForceSequential(sub), false);
      }
    }),
    { numRuns: 1000, seed: 34 },
  );
});
