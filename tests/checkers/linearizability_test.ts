import assert from "node:assert/strict";
import {
  type AnyModel,
  casRegisterModel,
  checkLinearizability,
  kvModel,
  type Model,
  ModelError,
  parseHistory,
  registerModel,
  type RegisterValue,
  sameValue,
  unknownOutput,
} from "@lab/checkers/mod.ts";
import { pairOperations } from "@lab/workload/history.ts";
import { cas, corpus, history, r, readCorpus, w } from "./_helpers.ts";

// ---------------------------------------------------------------------------------------------
// The Porcupine corpus: exactly the known verdicts.

for (const file of corpus()) {
  Deno.test(`corpus: ${file.name} is ${file.linearizable === false ? "illegal" : "ok"}`, () => {
    const parsed = parseHistory(readCorpus(file.name), { source: file.name });
    assert.equal(parsed.events.filter((e) => e.type === "invoke").length, file.ops);
    const model: AnyModel = file.name.startsWith("kv/") ? kvModel() : casRegisterModel();
    assert.equal(parsed.hasKeys, file.name.startsWith("kv/"));
    const result = checkLinearizability(parsed.events, model, { minimize: false });
    // etcd_095.log is empty (the cluster never started): an empty history is linearizable.
    assert.equal(
      result.verdict,
      file.linearizable === false ? "illegal" : "ok",
      result.explanation,
    );
    if (result.verdict === "illegal") assert.ok(result.witness);
  });
}

Deno.test("corpus: kv histories split into one partition per key (P-compositionality)", () => {
  const parsed = parseHistory(readCorpus("kv/c10-ok.txt"));
  const result = checkLinearizability(parsed.events, kvModel());
  assert.equal(result.verdict, "ok");
  assert.equal(result.partitions.length, 10);
  for (const p of result.partitions) {
    assert.equal(p.label, `key ${JSON.stringify(p.key)}`);
    assert.equal(p.linearization.length, p.operations);
    for (const id of p.linearization) assert.equal(result.operations[id].key, p.key);
  }
});

Deno.test("corpus: the unsplit kv model agrees with the per-key check", () => {
  for (const name of ["kv/c01-ok.txt", "kv/c01-bad.txt"]) {
    const events = parseHistory(readCorpus(name)).events;
    const split = checkLinearizability(events, kvModel(), { minimize: false });
    const whole = checkLinearizability(events, kvModel(), { minimize: false, partition: false });
    assert.equal(whole.partitions.length, 1);
    assert.equal(whole.verdict, split.verdict, name);
  }
});

// ---------------------------------------------------------------------------------------------
// Edge cases.

Deno.test("register: an empty history is linearizable", () => {
  const result = checkLinearizability([], casRegisterModel());
  assert.equal(result.verdict, "ok");
  assert.equal(result.steps, 0);
  assert.equal(result.witness, undefined);
});

Deno.test("register: sequential and overlapping histories that respect real time are ok", () => {
  const seq = history(w(0, 1, [0, 1]), r(1, 1, [2, 3]), w(0, 2, [4, 5]), r(1, 2, [6, 7]));
  assert.equal(checkLinearizability(seq, registerModel()).verdict, "ok");
  // The read overlaps the write, so it may see either value.
  const overlapOld = history(w(0, 1, [0, 10]), r(1, null, [1, 2]));
  const overlapNew = history(w(0, 1, [0, 10]), r(1, 1, [1, 2]));
  assert.equal(checkLinearizability(overlapOld, registerModel()).verdict, "ok");
  assert.equal(checkLinearizability(overlapNew, registerModel()).verdict, "ok");
  // ... but once it has seen the new value, a later read cannot see the old one.
  const flip = history(w(0, 1, [0, 10]), r(1, 1, [1, 2]), r(2, null, [3, 4]));
  assert.equal(checkLinearizability(flip, registerModel()).verdict, "illegal");
});

Deno.test("register: a stale read is illegal and the witness is exactly the three operations", () => {
  const h = history(
    w(0, 1, [0, 1]),
    r(2, 1, [1.5, 1.8]),
    w(1, 2, [2, 3]),
    r(2, 1, [4, 5]), // stale: 2 was written before this read began
    r(3, 2, [6, 7]),
  );
  const result = checkLinearizability(h, registerModel());
  assert.equal(result.verdict, "illegal");
  const witness = result.witness!;
  assert.ok(witness.minimal);
  const ids = witness.operations.map((o) => o.id);
  const ops = result.operations;
  // write 1, write 2 and the stale read; the other reads are irrelevant. Write 1 is context: the
  // stale read needs a source of 1, but whether write 1 happened does not matter, only that it
  // could not happen after write 2 (it completed before write 2 began).
  assert.deepEqual(ids.map((i) => [ops[i].f, ops[i].input ?? ops[i].output]), [
    ["write", 1],
    ["write", 2],
    ["read", 1],
  ]);
  assert.deepEqual(witness.operations.map((o) => o.role), ["context", "critical", "critical"]);
  assert.match(witness.explanation, /read → 1/);
  assert.match(witness.explanation, /impossible in state 2/);
  // The stale read is the one stuck at the frontier.
  const stuck = witness.operations.filter((o) => o.inFrontier);
  assert.deepEqual(stuck.map((o) => o.description), ["read → 1"]);
});

Deno.test("register: pending operations at the end may or may not have taken effect", () => {
  const seen = history(w(0, 1, [0, 0], "pending"), r(1, 1, [2, 3]));
  const unseen = history(w(0, 1, [0, 0], "pending"), r(1, null, [2, 3]));
  const both = history(w(0, 1, [0, 0], "pending"), r(1, 1, [2, 3]), r(2, null, [4, 5]));
  const never = history(w(0, 1, [0, 0], "pending"), r(1, 2, [2, 3]));
  assert.equal(checkLinearizability(seen, registerModel()).verdict, "ok");
  assert.equal(checkLinearizability(unseen, registerModel()).verdict, "ok");
  assert.equal(checkLinearizability(both, registerModel()).verdict, "illegal");
  assert.equal(checkLinearizability(never, registerModel()).verdict, "illegal");
  const ops = pairOperations(seen);
  assert.equal(ops[0].status, "info");
  assert.equal(ops[0].completeMs, Infinity);
});

Deno.test("register: a crashed client's write (info) may take effect long after the crash", () => {
  const h = history(
    w(0, 1, [0, 1], "info"),
    w(1, 2, [2, 3]),
    r(2, 2, [4, 5]),
    r(3, 1, [100, 101]), // the lost write lands late
  );
  assert.equal(checkLinearizability(h, registerModel()).verdict, "ok");
  const flipBack = history(
    w(0, 1, [0, 1], "info"),
    w(1, 2, [2, 3]),
    r(2, 1, [4, 5]),
    r(3, 2, [6, 7]),
    r(3, 1, [8, 9]), // 1 cannot come back after 2 overwrote it: only one write of 1
  );
  assert.equal(checkLinearizability(flipBack, registerModel()).verdict, "illegal");
});

Deno.test("register: an info operation with a finite completeMs takes effect before it or never", () => {
  const ops = (read2: number | null) =>
    pairOperations(history(w(1, 2, [0, 1]), r(2, 1, [10, 11]), r(3, read2, [12, 13])))
      .concat([{
        process: 0,
        f: "write",
        input: 1,
        output: undefined,
        status: "info",
        invokeMs: 2,
        completeMs: 5, // a deadline
        invokeIndex: 99,
        completeIndex: -1,
      }]);
  assert.equal(checkLinearizability(ops(1), registerModel()).verdict, "ok");
  // After the deadline nothing can change the value back to 2.
  assert.equal(checkLinearizability(ops(2), registerModel()).verdict, "illegal");
});

Deno.test("register: a failed operation did not happen", () => {
  const readsIt = history(w(0, 1, [0, 1], "fail"), r(1, 1, [2, 3]));
  const readsNil = history(w(0, 1, [0, 1], "fail"), r(1, null, [2, 3]));
  assert.equal(checkLinearizability(readsIt, registerModel()).verdict, "illegal");
  const ok = checkLinearizability(readsNil, registerModel());
  assert.equal(ok.verdict, "ok");
  assert.equal(ok.partitions[0].operations, 1);
});

Deno.test("cas register: a cas that reports failure saw another value", () => {
  const good = history(w(0, 1, [0, 1]), cas(1, 1, 2, true, [2, 3]), cas(2, 1, 3, false, [4, 5]));
  assert.equal(checkLinearizability(good, casRegisterModel()).verdict, "ok");
  const bad = history(w(0, 1, [0, 1]), cas(1, 1, 2, false, [2, 3]));
  assert.equal(checkLinearizability(bad, casRegisterModel()).verdict, "illegal");
  const unknownCas = history(w(0, 1, [0, 1]), cas(1, 1, 2, true, [2, 3], "info"), r(2, 2, [4, 5]));
  assert.equal(checkLinearizability(unknownCas, casRegisterModel()).verdict, "ok");
});

Deno.test("register: the initial value is configurable", () => {
  const h = history(r(0, 0, [0, 1]));
  assert.equal(checkLinearizability(h, registerModel()).verdict, "illegal");
  assert.equal(checkLinearizability(h, registerModel({ initial: 0 })).verdict, "ok");
});

Deno.test("register: an unsupported operation is a ModelError, not a verdict", () => {
  const h = history(cas(0, 1, 2, true, [0, 1]));
  assert.throws(() => checkLinearizability(h, registerModel()), ModelError);
  const weird = history({ p: 0, f: "enqueue", in: 1, at: [0, 1] });
  assert.throws(() => checkLinearizability(weird, casRegisterModel()), /supports read, write, cas/);
});

Deno.test("kv: gets of missing keys return the initial value and appends concatenate", () => {
  const h = history(
    { p: 0, f: "get", key: "a", out: "", at: [0, 1] },
    { p: 0, f: "append", key: "a", in: "x", at: [2, 3] },
    { p: 1, f: "append", key: "a", in: "y", at: [4, 5] },
    { p: 0, f: "get", key: "a", out: "xy", at: [6, 7] },
    { p: 1, f: "put", key: "b", in: "z", at: [8, 9] },
    { p: 0, f: "cas", key: "b", in: ["z", "w"], out: true, at: [10, 11] },
    { p: 1, f: "get", key: "b", out: "w", at: [12, 13] },
  );
  const result = checkLinearizability(h, kvModel());
  assert.equal(result.verdict, "ok");
  assert.deepEqual(result.partitions.map((p) => p.key), ["a", "b"]);
  const wrongOrder = history(
    { p: 0, f: "append", key: "a", in: "x", at: [2, 3] },
    { p: 1, f: "append", key: "a", in: "y", at: [4, 5] },
    { p: 0, f: "get", key: "a", out: "yx", at: [6, 7] },
  );
  assert.equal(checkLinearizability(wrongOrder, kvModel()).verdict, "illegal");
  const nilInitial = history({ p: 0, f: "get", key: "a", out: null, at: [0, 1] });
  assert.equal(checkLinearizability(nilInitial, kvModel()).verdict, "illegal");
  assert.equal(checkLinearizability(nilInitial, kvModel({ initial: null })).verdict, "ok");
});

Deno.test("kv: partitions advance round-robin, so a quick refutation ends a hard check", () => {
  // kv/c50-bad.txt has keys whose search runs past 2 million steps; others fail within 10k.
  const events = parseHistory(readCorpus("kv/c50-bad.txt")).events;
  const result = checkLinearizability(events, kvModel(), { minimize: false });
  assert.equal(result.verdict, "illegal");
  assert.ok(result.steps < 500_000, `${result.steps} steps`);
  assert.ok(result.partitions.some((p) => p.verdict === "skipped"));
  const all = checkLinearizability(events, kvModel(), {
    minimize: false,
    checkAllPartitions: true,
    stepBudget: 1_000_000,
  });
  assert.ok(all.partitions.every((p) => p.verdict !== "skipped"));
  assert.ok(all.partitions.filter((p) => p.verdict === "illegal").length >= 2);
});

Deno.test("budget: running out of steps gives unknown, with what was found so far", () => {
  const events = parseHistory(readCorpus("jepsen/etcd_002.log")).events;
  const result = checkLinearizability(events, casRegisterModel(), { stepBudget: 1000 });
  assert.equal(result.verdict, "unknown");
  assert.equal(result.steps, 1000);
  assert.equal(result.witness, undefined);
  assert.match(result.explanation, /step budget \(1000\) ran out/);
  assert.ok(result.partitions[0].linearization.length > 0);
  assert.ok(result.partitions[0].frontier.length > 0);
});

Deno.test("determinism: the same history gives the same result, witness included", () => {
  const events = parseHistory(readCorpus("jepsen/etcd_000.log")).events;
  const a = checkLinearizability(events, casRegisterModel());
  const b = checkLinearizability(events, casRegisterModel());
  assert.deepEqual(a, b);
});

Deno.test("operations: a pre-paired Operation[] is accepted and ids index it", () => {
  const ops = pairOperations(history(w(0, 1, [0, 1]), r(1, 2, [2, 3])));
  const result = checkLinearizability(ops, registerModel());
  assert.equal(result.verdict, "illegal");
  assert.equal(result.operations, ops);
  assert.deepEqual(result.witness!.operations.map((o) => o.id), [1]);
});

Deno.test("witness: every operation carries what a chart needs", () => {
  const events = parseHistory(readCorpus("kv/c01-bad.txt")).events;
  const result = checkLinearizability(events, kvModel());
  const witness = result.witness!;
  assert.equal(witness.key, result.partitions[witness.partition].key);
  assert.ok(witness.operations.some((o) => o.inFrontier));
  for (const o of witness.operations) {
    const op = result.operations[o.id];
    assert.equal(o.process, op.process);
    assert.equal(o.f, op.f);
    assert.equal(o.key, witness.key);
    assert.equal(o.input, op.input);
    assert.equal(o.invokeMs, op.invokeMs);
    assert.equal(o.completeMs, op.completeMs);
    assert.ok(o.role === "critical" || o.role === "context");
    assert.equal(typeof o.description, "string");
  }
  for (const id of [...witness.linearization, ...witness.frontier, ...witness.skipped]) {
    assert.ok(witness.operations.some((o) => o.id === id));
  }
});

// ---------------------------------------------------------------------------------------------
// A nondeterministic model exercises the branching path of the search.

/** A register whose writes may be silently lost. */
function lossyRegister(): Model<RegisterValue, RegisterValue | undefined, RegisterValue> {
  return {
    name: "lossy-register",
    init: () => null,
    input: (op) => (op.f === "write" ? op.input as RegisterValue : undefined),
    output: (op) => op.output as RegisterValue,
    step: () => {
      throw new Error("stepAll is used instead");
    },
    stepAll(state, input, output) {
      if (input === undefined) {
        return output === unknownOutput || sameValue(state, output) ? [state] : [];
      }
      return [input, state];
    },
    readOnly: (input) => input === undefined,
    hash: (s) => (typeof s === "number" ? s : -1),
    equal: sameValue,
    describe: (input, output) =>
      input === undefined ? `read → ${String(output)}` : `write(${String(input)})`,
    describeState: (s) => String(s),
  };
}

Deno.test("nondeterministic model: every possible next state is tried", () => {
  const lost = history(w(0, 1, [0, 1]), r(1, null, [2, 3]), w(0, 2, [4, 5]), r(1, 2, [6, 7]));
  assert.equal(checkLinearizability(lost, lossyRegister()).verdict, "ok");
  assert.equal(checkLinearizability(lost, registerModel()).verdict, "illegal");
  const impossible = history(w(0, 1, [0, 1]), r(1, 1, [2, 3]), r(1, 3, [4, 5]));
  const result = checkLinearizability(impossible, lossyRegister());
  assert.equal(result.verdict, "illegal");
  assert.deepEqual(result.witness!.operations.map((o) => o.description), ["read → 3"]);
});
