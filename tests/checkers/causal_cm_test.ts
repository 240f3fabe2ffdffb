/**
 * Causal memory (CM, Bouajjani, Enea, Guerraoui, Hamza, "On verifying causal consistency",
 * POPL 2017) on COPS-style histories: a real CyclicHB that CCv accepts, the witness shrunk to a
 * minimal sub-history, and an independent brute-force check of CM's definition.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { checkCausal } from "@lab/checkers/mod.ts";
import { createCopsCluster } from "@lab/protocols/cops/mod.ts";
import type { History } from "@lab/workload/history.ts";
import { history, type OpSpec } from "./_helpers.ts";
import { copsLike, get, put } from "./_weak_helpers.ts";

interface Op {
  readonly p: number;
  readonly write: boolean;
  readonly key: string;
  readonly value: unknown;
}

/** Operations of a history of ok reads and writes, in invocation order. */
function opsOf(h: History): Op[] {
  const ops: (Op & { value: unknown })[] = [];
  const open = new Map<number, number>();
  for (const e of h) {
    if (e.type === "invoke") {
      open.set(e.process, ops.length);
      const write = e.f === "write" || e.f === "put";
      ops.push({ p: e.process, write, key: e.key ?? "", value: write ? e.value : null });
    } else if (e.type === "ok" && !ops[open.get(e.process)!].write) {
      ops[open.get(e.process)!].value = e.value;
    }
  }
  return ops;
}

/**
 * CM straight from the paper's definition, by brute force (tiny histories only): for each
 * operation o, some order of o's causal past that respects CO = (PO ∪ WR)+ makes every read of
 * o's session up to o return the latest write of its key (other reads are unconstrained).
 */
function bruteForceCM(ops: readonly Op[]): boolean {
  const n = ops.length;
  const src = ops.map((o) =>
    o.write || o.value === null
      ? -1
      : ops.findIndex((w) => w.write && w.key === o.key && w.value === o.value)
  );
  const before: Set<number>[] = ops.map(() => new Set());
  for (let changed = true; changed;) {
    changed = false;
    for (let i = 0; i < n; i++) {
      const direct = [src[i], ...ops.keys().filter((j) => j < i && ops[j].p === ops[i].p)];
      for (const d of direct.filter((j) => j >= 0)) {
        for (const x of [d, ...before[d]]) {
          if (!before[i].has(x)) {
            before[i].add(x);
            changed = true;
          }
        }
      }
    }
  }
  return ops.every((o, oi) => {
    const past = [...before[oi], oi];
    const constrained = (r: number) => ops[r].p === o.p;
    const placed = new Set<number>();
    const latest = new Map<string, unknown>();
    const extend = (): boolean => {
      if (placed.size === past.length) return true;
      for (const x of past) {
        if (placed.has(x) || [...before[x]].some((y) => !placed.has(y))) continue;
        const op = ops[x];
        if (!op.write && constrained(x) && (latest.get(op.key) ?? null) !== op.value) continue;
        const had = latest.has(op.key);
        const old = latest.get(op.key);
        if (op.write) latest.set(op.key, op.value);
        placed.add(x);
        if (extend()) return true;
        placed.delete(x);
        if (op.write) had ? latest.set(op.key, old) : latest.delete(op.key);
      }
      return false;
    };
    return extend();
  });
}

Deno.test("causal CM: a COPS-like history is CCv but not CM (CyclicHB), by the checker and by the definition", () => {
  const h = history(...copsLike());
  assert.equal(checkCausal(h, { model: "CC" }).verdict, "ok");
  assert.equal(checkCausal(h, { model: "CCv" }).verdict, "ok");
  const cm = checkCausal(h, { model: "CM" });
  assert.equal(cm.verdict, "illegal");
  assert.equal(cm.witness!.pattern, "CyclicHB");
  assert.equal(cm.witness!.operations.length, 8);
  assert.equal(cm.witness!.minimal, true);
  // The cycle: x := 1 before x := 2 (p0's order) and x := 2 before x := 1 (p1's view).
  const core = cm.witness!.core.map((id) => cm.witness!.operations.find((o) => o.id === id)!);
  assert.deepEqual(core.map((o) => `${o.key}${o.value}`).sort(), ["x1", "x2"]);
  assert.match(cm.explanation, /returns \[\d+\]'s value although \[\d+\] happens before it/);
  assert.equal(bruteForceCM(opsOf(h)), false);
  // The oracle is not constant: without p1's read of y → 5 the history is CM, and the checker
  // agrees.
  const cut = history(...copsLike().slice(0, 7));
  assert.equal(bruteForceCM(opsOf(cut)), true);
  assert.equal(checkCausal(cut, { model: "CM" }).verdict, "ok");
});

Deno.test("causal CM: the CyclicHB witness is shrunk to the minimal core hidden in a larger history", () => {
  // Noise around the core: a third session, extra reads and writes that play no part.
  const noise: OpSpec[] = [
    put(2, "z", 1, [0, 1]),
    get(2, "x", 1, [3, 4]),
    put(2, "z", 2, [5, 6]),
    get(1, "z", 1, [8, 9]),
    get(0, "z", 2, [8, 9]),
    put(0, "z", 3, [10, 11]),
    get(2, "y", 3, [14, 15]),
    get(1, "x", 4, [14, 15]),
  ];
  const h = history(...copsLike(), ...noise);
  const cm = checkCausal(h, { model: "CM" });
  assert.equal(cm.witness?.pattern, "CyclicHB");
  assert.equal(cm.witness!.minimal, true);
  const kept = cm.witness!.operations.map((o) => `p${o.process} ${o.kind} ${o.key}${o.value}`);
  assert.deepEqual(kept.sort(), [
    "p0 write x1",
    "p0 write x2",
    "p0 write x4",
    "p0 write y3",
    "p1 read x1",
    "p1 read x4",
    "p1 read y5",
    "p1 write y5",
  ]);
  const raw = checkCausal(h, { model: "CM", minimize: false });
  assert.equal(raw.witness?.pattern, "CyclicHB");
  assert.equal(raw.witness!.minimal, false);
});

Deno.test("causal CM: on a COPS run the CM witness is a minimal, independently confirmed violation", () => {
  // Seed 4 of the sweep in tests/protocols/cops (random-halves partitions, 5 % wide-area loss).
  const run = createCopsCluster({
    seed: 4,
    datacenters: 3,
    clients: 6,
    keys: 5,
    writeRatio: 0.3,
    endMs: 1500,
    settleMs: 1500,
    wanLossRatio: 0.05,
    nemesis: { generator: "randomHalves", endMs: 1500, periodMs: 300, faultMs: 200 },
  }).run();
  assert.equal(checkCausal(run.history, { model: "CCv" }).verdict, "ok");
  const cm = checkCausal(run.history, { model: "CM" });
  assert.equal(cm.witness?.pattern, "CyclicHB");
  assert.equal(cm.witness!.minimal, true);
  const ops = cm.witness!.operations;
  assert.ok(ops.length <= 12, `${ops.length} operations`);
  const asHistory = (list: typeof ops) =>
    history(
      ...list.map((o, i) =>
        o.kind === "write"
          ? put(o.process, o.key, o.value, [2 * i, 2 * i + 1])
          : get(o.process, o.key, o.value, [2 * i, 2 * i + 1])
      ),
    );
  const sub = asHistory(ops);
  assert.equal(bruteForceCM(opsOf(sub)), false);
  assert.equal(checkCausal(sub, { model: "CCv" }).verdict, "ok");
  // Minimal: dropping any one operation (a write with the reads of its value) leaves CM.
  for (const o of ops) {
    const rest = ops.filter((q) =>
      q !== o &&
      !(o.kind === "write" && q.kind === "read" && q.key === o.key && q.value === o.value)
    );
    assert.equal(bruteForceCM(opsOf(asHistory(rest))), true, `without [${o.id}]`);
  }
});

Deno.test("property: the CM verdict agrees with the definition, and shrunk witnesses are minimal", () => {
  // Small histories of 4 sessions on 3 keys; a read returns any write of its key (earlier or
  // later) or nil, so every pattern, CC's included, comes up.
  const gen = fc.array(
    fc.record({
      p: fc.integer({ min: 0, max: 3 }),
      write: fc.boolean(),
      key: fc.constantFrom("x", "y", "z"),
      pick: fc.nat(7),
    }),
    { minLength: 2, maxLength: 9 },
  );
  fc.assert(
    fc.property(gen, (spec) => {
      const writes = spec.map((o, i) => ({ ...o, v: i + 1 })).filter((o) => o.write);
      const ops = spec.map((o, i) => {
        if (o.write) return put(o.p, o.key, i + 1, [2 * i, 2 * i + 1]);
        const ws = writes.filter((w) => w.key === o.key);
        const k = o.pick % (ws.length + 1);
        return get(o.p, o.key, k === ws.length ? null : ws[k].v, [2 * i, 2 * i + 1]);
      });
      const h = history(...ops);
      const cm = checkCausal(h, { model: "CM" });
      assert.equal(cm.verdict === "ok", bruteForceCM(opsOf(h)));
      if (!cm.witness?.minimal) return;
      const w = cm.witness.operations;
      const sub = (list: typeof w) =>
        opsOf(history(
          ...list.map((o, i) =>
            o.kind === "write"
              ? put(o.process, o.key, o.value, [2 * i, 2 * i + 1])
              : get(o.process, o.key, o.value, [2 * i, 2 * i + 1])
          ),
        ));
      assert.equal(bruteForceCM(sub(w)), false);
      for (const o of w) {
        const rest = w.filter((q) =>
          q !== o &&
          !(o.kind === "write" && q.kind === "read" && q.key === o.key && q.value === o.value)
        );
        assert.equal(bruteForceCM(sub(rest)), true);
      }
    }),
    { numRuns: 400, seed: 12 },
  );
});
