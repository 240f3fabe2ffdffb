/**
 * A third set of tests written to kill mutants `deno task mutate lib/checkers` left alive: the
 * register generator's default, EDN maps inside operation values, the boundary of "causally
 * precedes" in the session guarantees, how convergence tells values apart, and how showEdn writes
 * a value EDN has no form for. Expected values come from the definitions cited in each test.
 */
import assert from "node:assert/strict";
import {
  checkConvergence,
  checkSequential,
  checkSessionGuarantees,
  generateRegisterHistory,
  parseEdnHistory,
  registerModel,
  showEdn,
} from "@lab/checkers/mod.ts";
import { parseRegisterHistoryOptions } from "@lab/checkers/_lin_gen.ts";
import { Rng } from "@lab/sim/rng.ts";
import { shrinkWitness } from "@lab/checkers/_lin_witness.ts";
import { searchLinearization } from "@lab/checkers/_lin_search.ts";
import type { SearchOp } from "@lab/checkers/_lin_search.ts";
import type { RegisterInput, RegisterValue } from "@lab/checkers/_lin_models.ts";
import type { History } from "@lab/workload/history.ts";
import { history } from "./_helpers.ts";
import { get, put } from "./_weak_helpers.ts";

Deno.test("checkers: a register history asked for busy overlap is the default one", () => {
  // RegisterHistorySchema: overlap defaults to "busy"
  assert.equal(parseRegisterHistoryOptions({ ops: 1, clients: 1 }).overlap, "busy");
  for (const seed of [1, 2]) {
    assert.deepEqual(
      generateRegisterHistory({ ops: 40, clients: 3, seed, overlap: "busy" }),
      generateRegisterHistory({ ops: 40, clients: 3, seed }),
    );
  }
});

Deno.test("checkers: an EDN map inside an operation's value becomes a plain object", () => {
  const parsed = parseEdnHistory('{:process 0, :type :invoke, :f :write, :value {:x 1, "y" 2}}');
  // toPlain: keyword keys by name, other keys as strings
  assert.deepEqual(parsed.events[0].value, { x: 1, y: 2 });
});

Deno.test("checkers: a write that is the last of its session in the own write's past is older (read-your-writes)", () => {
  // p1's write of 1 is p0's read's source, so it causally precedes p0's write of 2 (CO = (PO ∪
  // WR)+) and is the latest p1 operation in that write's past. p0's last read returns 1 after
  // p0 wrote 2: it misses the session's own write.
  const res = checkSessionGuarantees(history(
    put(1, "x", 1, [0, 1]),
    get(0, "x", 1, [2, 3]),
    put(0, "x", 2, [4, 5]),
    get(0, "x", 1, [6, 7]),
  ));
  const ryw = res.guarantees["read-your-writes"];
  assert.equal(ryw.verdict, "illegal");
  assert.equal(ryw.violations, 1);
  assert.equal(res.guarantees["monotonic-reads"].verdict, "ok");
  assert.equal(res.guarantees["monotonic-writes"].verdict, "ok");
  assert.equal(res.guarantees["writes-follow-reads"].verdict, "ok");
});

Deno.test('checkers: replicas holding [a, b] and ["a,stringb"] have not converged', () => {
  // different values (two strings against one), so the key diverges
  const res = checkConvergence([
    { replica: "r1", state: { k: ["a", "b"] } },
    { replica: "r2", state: { k: ["a,stringb"] } },
  ]);
  assert.equal(res.verdict, "illegal");
  assert.deepEqual(res.divergentKeys, ["k"]);
  // a string holding the separators the canonical form puts between elements is still one
  // element: ["a", "b"] against ["a\",string:\"b"] differ (they did not, before strings were quoted)
  for (const other of ["a,string:b", 'a",string:"b']) {
    const quoted = checkConvergence([
      { replica: "r1", state: { k: ["a", "b"] } },
      { replica: "r2", state: { k: [other] } },
    ]);
    assert.equal(quoted.verdict, "illegal", other);
    assert.deepEqual(quoted.divergentKeys, ["k"]);
  }
  // equal values still agree
  const same = checkConvergence([
    { replica: "r1", state: { k: ["a,b", { x: "y" }] } },
    { replica: "r2", state: { k: ["a,b", { x: "y" }] } },
  ]);
  assert.equal(same.verdict, "ok");
});

Deno.test("checkers: showEdn writes a value EDN has no form for (a bigint) with String", () => {
  assert.equal(showEdn(12n), "12");
});

Deno.test("checkers: a generated operation takes effect at a point drawn in [invoke + 0.01, complete - 0.01)", () => {
  // Replay the generator's draws for two busy clients on one register (generateRegisterHistory:
  // start times, then per operation its duration, think time, read-or-write and effect point).
  const rng = new Rng(4922).fork("register-history/busy/2/1");
  const free = [0, 1].map(() => Math.floor(rng.uniform(0, 4)));
  const ops: { inv: number; comp: number; write: boolean; point: number }[] = [];
  for (let i = 0; i < 2; i++) {
    const p = free[1] < free[0] ? 1 : 0;
    const inv = free[p];
    const comp = inv + rng.int(2, 20);
    free[p] = comp + 1 + rng.int(0, 1);
    const write = !rng.chance(0.5);
    ops.push({ inv, comp, write, point: rng.uniform(inv + 0.01, comp - 0.01) });
  }
  // this seed gives a write and a read that overlap
  const [wr, rd] = ops[0].write ? ops : [ops[1], ops[0]];
  assert.ok(wr.write && !rd.write && wr.inv < rd.comp && rd.inv < wr.comp);
  // the read returns the write's value (1) exactly when the write took effect first
  const expected = wr.point < rd.point ? 1 : null;
  const g = generateRegisterHistory({ ops: 2, clients: 2, seed: 4922 });
  const readOk = g.history.find((e) => e.type === "ok" && e.f === "read");
  assert.equal(readOk?.value, expected);
});

Deno.test("checkers: a sequential witness whose single-deletion check runs out of budget is not minimal", () => {
  // [process, read?, value] in invocation order; key k(value mod 2), nil reads are of k0
  const spec: [number, boolean, number | null][] = [
    [0, true, 1],
    [1, true, 1],
    [3, false, 1],
    [0, false, 2],
    [0, true, 1],
    [3, true, 2],
    [3, false, 3],
    [3, true, 2],
    [2, false, 4],
    [1, false, 5],
    [1, true, null],
  ];
  const build = (keep: (i: number) => boolean): History =>
    history(
      ...spec.flatMap(([p, isRead, v], i) => {
        if (!keep(i)) return [];
        const key = `k${v === null ? 0 : v % 2}`;
        const at: [number, number] = [2 * i, 2 * i + 1];
        return [isRead ? get(p, key, v, at) : put(p, key, v, at)];
      }),
    );
  const b = 10;
  const res = checkSequential(build(() => true), { minimizeStepBudget: b });
  assert.equal(res.verdict, "illegal");
  // every operation of spec is one invoke and one completion, so invoke index 2i is spec[i]
  const kept = new Set(res.witness!.operations.map((op) => op.invokeIndex / 2));
  // Deleting one witness operation deletes the reads of its value with it (sequential.ts).
  const verdicts = [...kept].map((i) => {
    const [, isRead, v] = spec[i];
    const gone = (j: number) => j === i || (!isRead && spec[j][1] && spec[j][2] === v);
    return checkSequential(build((j) => kept.has(j) && !gone(j)), { stepBudget: b }).verdict;
  });
  // minimal means each such deletion was decided (ok) within the budget
  assert.ok(verdicts.includes("unknown"), verdicts.join(" "));
  assert.equal(res.witness!.minimal, false);
});

Deno.test("checkers: shrinking first forgets the operations invoked after the stuck return, in one search", () => {
  type Op = SearchOp<RegisterInput, RegisterValue>;
  const op = (input: RegisterInput, output: RegisterValue, at: [number, number]): Op => ({
    input,
    output,
    invokeMs: at[0],
    completeMs: at[1],
  });
  const a = op({ f: "write", value: 1 }, null, [0, 1]);
  const b = op({ f: "read" }, 5, [2, 3]); // nobody writes 5
  const c = op({ f: "write", value: 3 }, null, [4, 5]); // invoked after b returned
  const model = registerModel();
  // The full search gets stuck at b's return with only b pending: the frontier is [b].
  const full = searchLinearization(model, [a, b, c], 1000);
  assert.deepEqual([full.verdict, full.frontier], ["illegal", [1]]);
  // Phase 0 forgets c (invoked at 4 > 3), which then is no relevant context, and checks [a, b]:
  // call a (taken), call b (read 5 after write 1: refused), return b (stuck; undo a), return a
  // (stuck at depth 0: illegal), 4 steps. Everything after it is the same as shrinking [a, b]
  // with no hint.
  assert.equal(searchLinearization(model, [a, b], 1000).steps, 4);
  const hinted = shrinkWitness(model, [a, b, c], 1000, { frontier: [1] });
  const plain = shrinkWitness(model, [a, b], 1000);
  assert.deepEqual([hinted.critical, hinted.context], [plain.critical, plain.context]);
  assert.equal(hinted.steps, plain.steps + 4);
});
