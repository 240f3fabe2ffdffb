/**
 * A third set of tests written to kill mutants `deno task mutate lib/checkers` left alive: the
 * register generator's default, EDN maps inside operation values, the boundary of "causally
 * precedes" in the session guarantees, how convergence tells values apart, how showEdn writes
 * a value EDN has no form for, the reasons zones give and the model replay that certifies them,
 * a kv key's register view, writes the search reports as skipped, the raw CyclicHB witness and
 * the type keyword of a Jepsen log line. Expected values come from the definitions cited in each
 * test.
 */
import assert from "node:assert/strict";
import {
  type AnyModel,
  checkCausal,
  checkConvergence,
  checkLinearizability,
  checkSequential,
  checkSessionGuarantees,
  generateRegisterHistory,
  kvModel,
  parseEdnHistory,
  ParseError,
  parseJepsenLog,
  registerModel,
  showEdn,
} from "@lab/checkers/mod.ts";
import { parseRegisterHistoryOptions } from "@lab/checkers/_lin_gen.ts";
import { Rng } from "@lab/sim/rng.ts";
import { shrinkWitness } from "@lab/checkers/_lin_witness.ts";
import { searchLinearization } from "@lab/checkers/_lin_search.ts";
import type { SearchOp } from "@lab/checkers/_lin_search.ts";
import type { RegisterInput, RegisterValue } from "@lab/checkers/_lin_models.ts";
import { checkRegisterZones } from "@lab/checkers/_lin_register.ts";
import { unknownOutput } from "@lab/checkers/_lin_model.ts";
import type { History } from "@lab/workload/history.ts";
import { history, r, w } from "./_helpers.ts";
import { copsLike, get, put } from "./_weak_helpers.ts";

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

/** A register operation as the search and zones take it. */
const regOp = (
  input: RegisterInput,
  output: RegisterValue | typeof unknownOutput,
  at: [number, number],
): SearchOp<RegisterInput, RegisterValue> => ({
  input,
  output,
  invokeMs: at[0],
  completeMs: at[1],
});

Deno.test("checkers: a kv key's register view takes a get as a read of its value", () => {
  // RegisterView.access: write false for a read; RegisterKeys.of: the key of the value a read
  // returns (a string is its own key)
  const kv = kvModel();
  const op = (f: string, v: unknown) =>
    ({
      process: 0,
      f,
      key: "x",
      input: f === "put" ? v : null,
      output: v,
      invokeIndex: 0,
    }) as never;
  const keyModel = kv.partition!([op("put", "a")])[0].model as typeof kv;
  const view = keyModel.registerView!;
  const get = keyModel.input(op("get", "a"));
  assert.deepEqual(view.access(get, "a"), { write: false, value: "s:a" });
  assert.equal(view.keys!.of(get, "a"), "a");
  assert.equal(view.keys!.of(keyModel.input(op("put", "a")), null), "a");
  // so a key with unique puts and gets of them is decided by zones
  const h = history(
    { p: 0, f: "write", key: "x", in: "a", at: [0, 1] },
    { p: 1, f: "read", key: "x", out: "a", at: [2, 3] },
  );
  const res = checkLinearizability(h, kv);
  assert.equal(res.verdict, "ok");
  assert.equal(res.partitions[0].method, "zones");
});

Deno.test("checkers: zones say in words why a read of a later write is illegal", () => {
  // the read returns (1) before the write of its value is invoked (2): illegal outright
  const z = checkRegisterZones(registerModel(), [
    regOp({ f: "write", value: 1 }, null, [2, 3]),
    regOp({ f: "read" }, 1, [0, 1]),
  ]);
  assert.deepEqual(z, {
    verdict: "illegal",
    conflict: [0, 1],
    reason: "a read returns before the write of its value starts",
  });
});

Deno.test("checkers: zones say in words why two overlapping forward zones are illegal", () => {
  // value 1: written by 1, read from 4 on, so held over [1, 4]; value 2: written in [2, 3] and
  // read from 6 on, held over [3, 6]. Both must be the register's value in (3, 4).
  const z = checkRegisterZones(registerModel(), [
    regOp({ f: "write", value: 1 }, null, [0, 1]),
    regOp({ f: "read" }, 1, [4, 5]),
    regOp({ f: "write", value: 2 }, null, [2, 3]),
    regOp({ f: "read" }, 2, [6, 7]),
  ]);
  assert.deepEqual(z, {
    verdict: "illegal",
    conflict: [0, 1, 2, 3],
    reason: "two values must both be the register's value at the same time",
  });
});

/** The register model, except that its step refuses `refuse` (which its register view hides). */
function refusing(refuse: (input: RegisterInput) => boolean): AnyModel {
  const honest = registerModel();
  return {
    ...honest,
    step: (s, input, output) => (refuse(input) ? undefined : honest.step(s, input, output)),
  };
}

Deno.test("checkers: a zones linearization is replayed through the model, not believed", () => {
  // The view calls [write 1, read 1] a plain register history, which zones accept; the model
  // refuses every read of 1, so no linearization exists and the search says illegal.
  const model = refusing((i) => i.f === "read");
  const ops = [regOp({ f: "write", value: 1 }, null, [0, 1]), regOp({ f: "read" }, 1, [2, 3])];
  assert.equal(checkRegisterZones(model, ops), undefined);
  const res = checkLinearizability(history(w(0, 1, [0, 1]), r(1, 1, [2, 3])), model);
  assert.equal(res.verdict, "illegal");
  assert.equal(res.partitions[0].method, "search");
  // the honest model: zones, ok
  assert.equal(checkRegisterZones(registerModel(), ops)?.verdict, "ok");
});

Deno.test("checkers: an unread write of unknown outcome is replayed through the model too", () => {
  // Write 9 never completes and nobody reads it: zones put it at the end of the linearization.
  // The model refuses it, so the certificate fails and the search decides (ok: it may never have
  // taken effect).
  const model = refusing((i) => i.f === "write" && i.value === 9);
  const ops = [
    regOp({ f: "write", value: 1 }, null, [0, 1]),
    regOp({ f: "write", value: 9 }, unknownOutput, [2, Infinity]),
  ];
  assert.equal(checkRegisterZones(model, ops), undefined);
  const res = checkLinearizability(history(w(0, 1, [0, 1]), w(1, 9, [2, 3], "pending")), model);
  assert.equal(res.verdict, "ok");
  assert.equal(res.partitions[0].method, "search");
  assert.equal(checkRegisterZones(registerModel(), ops)?.verdict, "ok");
});

Deno.test("checkers: the search reports a write of unknown outcome that cannot have taken effect as skipped", () => {
  // write 2 may have taken effect only before its deadline 3; the read at [4, 5] returns 1, so it
  // did not: the only linearization is write 1, (write 2 skipped), read 1.
  const model = registerModel();
  const ops = [
    regOp({ f: "write", value: 1 }, null, [0, 1]),
    regOp({ f: "write", value: 2 }, unknownOutput, [2, 3]),
    regOp({ f: "read" }, 1, [4, 5]),
  ];
  const res = searchLinearization(model, ops, 1000);
  assert.equal(res.verdict, "ok");
  assert.deepEqual(res.order, [0, 1, 2]);
  assert.deepEqual(res.skipped, [1]);
});

Deno.test("checkers: the raw CyclicHB witness holds the read that forced the cycle's write order", () => {
  // Ids session by session: p0 [0] x := 1, [1] x := 2, [2] y := 3, [3] x := 4; p1 [4] y := 5,
  // [5] x → 1, [6] x → 4, [7] y → 5. In p1's happens-before: [7] reads 5 with y := 3 in its past
  // (through [6]), so [2] before [4]; then [5] has x := 2 in its past and reads 1, so [1] before
  // [0], against p0's program order: the cycle [0] [1], forced by the read [5].
  const h = history(...copsLike());
  const raw = checkCausal(h, { model: "CM", minimize: false });
  assert.equal(raw.witness?.pattern, "CyclicHB");
  assert.deepEqual([...raw.witness!.core].sort(), [0, 1]);
  assert.deepEqual(raw.witness!.operations.map((o) => o.id).sort(), [0, 1, 5]);
  // too large a past to shrink: the same raw witness
  const big = checkCausal(h, { model: "CM", minimizeMaxOperations: 0 });
  assert.deepEqual(big.witness!.operations.map((o) => o.id).sort(), [0, 1, 5]);
});

Deno.test("checkers: a Jepsen log line's type must start with a colon", () => {
  // "xinvoke" is no keyword, even though it ends in "invoke"
  const line = "INFO jepsen.util - 0 xinvoke :read nil";
  assert.throws(
    () => parseJepsenLog(line),
    (e: unknown) =>
      e instanceof ParseError && e.line === 1 && e.column === 22 &&
      e.expected === ":invoke, :ok, :fail or :info" && e.found.includes("xinvoke"),
  );
  assert.equal(parseJepsenLog("INFO jepsen.util - 0 :invoke :read nil").events[0].type, "invoke");
});
