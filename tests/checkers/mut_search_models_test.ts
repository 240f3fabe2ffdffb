/**
 * Mutation tests (issue 15) for the built-in sequential specifications (_lin_models.ts) and the
 * linearization search (_lin_search.ts). Expectations come from the models' documented
 * semantics (Jepsen's register and cas register, Porcupine's kv) and from histories small
 * enough to linearize by hand.
 */
import assert from "node:assert/strict";
import {
  casRegisterModel,
  hashValue,
  kvModel,
  registerModel,
  sameValue,
  showValue,
} from "@lab/checkers/_lin_models.ts";
import type {
  KvInput,
  KvState,
  KvValue,
  RegisterInput,
  RegisterValue,
} from "@lab/checkers/_lin_models.ts";
import { ModelError, unknownOutput } from "@lab/checkers/_lin_model.ts";
import type { Model } from "@lab/checkers/_lin_model.ts";
import {
  fmix32,
  growPool,
  LinearizationSearch,
  linkEntries,
  MemoryAccount,
  orderEntries,
  rehash,
  searchLinearization,
} from "@lab/checkers/_lin_search.ts";
import type { SearchOp } from "@lab/checkers/_lin_search.ts";
import { addCounter, collidingCounter, op, sop } from "./_mut_search_helpers.ts";
import { flakyCounter } from "./_helpers.ts";

// ---------------------------------------------------------------------------------------------
// values

Deno.test("models: sameValue compares scalars by === and vectors element-wise", () => {
  assert.equal(sameValue(1, 1), true);
  assert.equal(sameValue(0, -0), true); // === does not tell zeros apart
  assert.equal(sameValue(NaN, NaN), false); // === never equates NaN
  assert.equal(sameValue("1", 1), false);
  assert.equal(sameValue(null, false), false);
  assert.equal(sameValue([1, [2, "x"]], [1, [2, "x"]]), true);
  assert.equal(sameValue([], []), true);
  assert.equal(sameValue([1], [1, 2]), false);
  assert.equal(sameValue([1, 2], [1]), false);
  assert.equal(sameValue([1, 2], [1, 3]), false);
  assert.equal(sameValue([1], 1), false);
  assert.equal(sameValue(1, [1]), false);
  assert.equal(sameValue([[1]], [[2]]), false);
});

Deno.test("models: showValue prints the way Jepsen does", () => {
  assert.equal(showValue(null), "nil");
  assert.equal(showValue(undefined), "nil");
  assert.equal(showValue("x"), '"x"');
  assert.equal(showValue([1, "a", [null, true]]), '[1 "a" [nil true]]');
  assert.equal(showValue([]), "[]");
  assert.equal(showValue(3.5), "3.5");
  assert.equal(showValue(false), "false");
});

Deno.test("models: hashValue gives equal values equal 32-bit hashes", () => {
  const pairs: [RegisterValue, RegisterValue][] = [
    [0, -0],
    [[1, "a", [true]], [1, "a", [true]]],
    ["abc", "abc"],
    [2 ** 40, 2 ** 40],
    [1.25, 1.25],
    [true, true],
    [null, null],
  ];
  for (const [a, b] of pairs) {
    assert.equal(hashValue(a), hashValue(b), showValue(a));
    assert.equal(hashValue(a) | 0, hashValue(a), `${showValue(a)} hashes to an int32`);
  }
});

Deno.test("models: hashValue spreads common distinct values (the state cache relies on it)", () => {
  // Not required for correctness, but a collision among such ordinary values would make the
  // cache compare every pair: 1 and 1.5, 2^31 and -2^31, "1" and 1, true and false, [1] and 1.
  const values: RegisterValue[] = [
    null,
    true,
    false,
    0,
    1,
    -1,
    1.5,
    -1.5,
    2 ** 31,
    -(2 ** 31),
    2 ** 31 - 1,
    -(2 ** 31) + 1,
    "",
    "1",
    "a",
    "true",
    "null",
    [],
    [1],
    ["1"],
    [[1]],
    [true],
    [null],
  ];
  const seen = new Map<number, RegisterValue>();
  for (const v of values) {
    const h = hashValue(v);
    assert.ok(!seen.has(h), `${showValue(v)} collides with ${showValue(seen.get(h))}`);
    seen.set(h, v);
  }
});

// ---------------------------------------------------------------------------------------------
// registers

Deno.test("models: the default register models are shared; an initial value builds a new one", () => {
  assert.equal(registerModel(), registerModel());
  assert.equal(registerModel({ initial: null }), registerModel());
  assert.equal(registerModel({}), registerModel());
  assert.ok(Object.isFrozen(registerModel()));
  assert.equal(registerModel().name, "register");
  assert.equal(registerModel().init(), null);
  const five = registerModel({ initial: 5 });
  assert.notEqual(five, registerModel());
  assert.notEqual(five, registerModel({ initial: 5 }));
  assert.equal(five.init(), 5);
  assert.equal(five.name, "register");
  // false and 0 are values, not "no initial value"
  assert.equal(registerModel({ initial: false }).init(), false);
  assert.equal(registerModel({ initial: 0 }).init(), 0);

  assert.equal(casRegisterModel(), casRegisterModel());
  assert.equal(casRegisterModel({ initial: null }), casRegisterModel());
  assert.notEqual(casRegisterModel(), registerModel());
  assert.equal(casRegisterModel().name, "cas-register");
  assert.equal(casRegisterModel().init(), null);
  const cas7 = casRegisterModel({ initial: 7 });
  assert.notEqual(cas7, casRegisterModel());
  assert.equal(cas7.init(), 7);
  assert.equal(cas7.name, "cas-register");
  assert.deepEqual(cas7.input(op("cas", { input: [7, 8] })), { f: "cas", from: 7, to: 8 });
});

Deno.test("models: register input reads read/get, write/put, and cas only in the cas register", () => {
  const reg = registerModel();
  const casReg = casRegisterModel();
  for (const m of [reg, casReg]) {
    assert.deepEqual(m.input(op("read")), { f: "read" });
    assert.deepEqual(m.input(op("get")), { f: "read" });
    assert.deepEqual(m.input(op("write", { input: 3 })), { f: "write", value: 3 });
    assert.deepEqual(m.input(op("put", { input: "x" })), { f: "write", value: "x" });
    // nil (absent, or undefined) is the value null; vectors are read element by element
    assert.deepEqual(m.input(op("write")), { f: "write", value: null });
    assert.deepEqual(m.input(op("write", { input: [1, undefined, [true]] })), {
      f: "write",
      value: [1, null, [true]],
    });
  }
  assert.deepEqual(casReg.input(op("cas", { input: [1, 2] })), { f: "cas", from: 1, to: 2 });
  assert.deepEqual(casReg.input(op("cas", { input: [null, [3]] })), {
    f: "cas",
    from: null,
    to: [3],
  });
  const e = assert.throws(
    () => reg.input(op("cas", { input: [1, 2], process: 4, invokeIndex: 9 })),
    (err: unknown) =>
      err instanceof ModelError &&
      err.message ===
        "operation at history[9] (process 4, cas): the register model has no cas (use cas-register)",
  );
  void e;
  assert.throws(
    () => reg.input(op("incr", { process: 2, invokeIndex: 3 })),
    (err: unknown) =>
      err instanceof ModelError &&
      err.message ===
        "operation at history[3] (process 2, incr): the register model supports read, write",
  );
  assert.throws(
    () => casReg.input(op("incr", { process: 2, invokeIndex: 3, key: "k" })),
    (err: unknown) =>
      err instanceof ModelError &&
      err.message ===
        'operation at history[3] (process 2, incr key "k"): the cas-register model supports read, write, cas',
  );
});

Deno.test("models: register input errors name the bad field and carry the operation", () => {
  const casReg = casRegisterModel();
  const bad = op("write", { input: { a: 1 }, invokeIndex: 5, process: 1 });
  try {
    casReg.input(bad);
    assert.fail("no error");
  } catch (err) {
    assert.ok(err instanceof ModelError);
    assert.equal(err.name, "ModelError");
    assert.equal(err.operation, bad);
    assert.equal(
      err.message,
      "operation at history[5] (process 1, write): written value must be nil, a number, a string or a vector",
    );
  }
  const msg = (o: ReturnType<typeof op>) => {
    try {
      casReg.input(o);
    } catch (err) {
      assert.ok(err instanceof ModelError);
      return err.message.replace(/^operation at history\[0\] \(process 0, \w+\): /, "");
    }
    return "no error";
  };
  assert.equal(
    msg(op("write", { input: [1, { a: 1 }] })),
    "written value must be nil, a number, a string or a vector",
  );
  assert.equal(msg(op("cas", { input: [1] })), "cas input must be [from to], got [1]");
  assert.equal(msg(op("cas", { input: [1, 2, 3] })), "cas input must be [from to], got [1 2 3]");
  assert.equal(msg(op("cas", { input: "ab" })), 'cas input must be [from to], got "ab"');
  assert.equal(msg(op("cas")), "cas input must be [from to], got nil");
  assert.equal(
    msg(op("cas", { input: [{}, 1] })),
    "cas from must be nil, a number, a string or a vector",
  );
  assert.equal(
    msg(op("cas", { input: [1, {}] })),
    "cas to must be nil, a number, a string or a vector",
  );
  assert.equal(msg(op("read", { output: {} })), "no error"); // input never reads the output
  assert.throws(
    () => casReg.output(op("read", { output: { x: 1 } })),
    /: value read must be nil, a number, a string or a vector$/,
  );
});

Deno.test("models: register output is the value read, whether a cas swapped, or nil", () => {
  const m = casRegisterModel();
  assert.equal(m.output(op("read", { output: 4 })), 4);
  assert.equal(m.output(op("get", { output: "v" })), "v");
  assert.equal(m.output(op("read")), null);
  assert.deepEqual(m.output(op("get", { output: [1, undefined] })), [1, null]);
  // Jepsen: a cas reports failure with false; anything else means it swapped
  assert.equal(m.output(op("cas", { input: [1, 2], output: false })), false);
  assert.equal(m.output(op("cas", { input: [1, 2], output: true })), true);
  assert.equal(m.output(op("cas", { input: [1, 2], output: [1, 2] })), true);
  assert.equal(m.output(op("cas", { input: [1, 2] })), true);
  // a write's output is never looked at
  assert.equal(m.output(op("write", { input: 1, output: 9 })), null);
  assert.equal(m.output(op("put", { input: 1, output: "x" })), null);
});

Deno.test("models: register step follows read/write/cas semantics", () => {
  const m = casRegisterModel();
  const read = { f: "read" } as const;
  const vec: RegisterValue = [1, 2];
  assert.equal(m.step(vec, read, [1, 2]), vec); // same state object back
  assert.equal(m.step(vec, read, unknownOutput), vec);
  assert.equal(m.step(vec, read, [1, 3]), undefined);
  assert.equal(m.step(3, read, 4), undefined);
  assert.equal(m.step(3, read, 3), 3);
  assert.equal(m.step(3, { f: "write", value: 9 }, null), 9);
  assert.equal(m.step(3, { f: "write", value: 9 }, unknownOutput), 9);
  const cas = { f: "cas", from: 3, to: 4 } as const;
  assert.equal(m.step(3, cas, true), 4); // saw `from`, swapped
  assert.equal(m.step(3, cas, false), undefined); // could not have failed
  assert.equal(m.step(5, cas, false), 5); // failed: saw another value
  assert.equal(m.step(5, cas, true), undefined); // could not have swapped
  assert.equal(m.step(3, cas, unknownOutput), 4);
  assert.equal(m.step(5, cas, unknownOutput), 5);
  assert.deepEqual(m.step([1], { f: "cas", from: [1], to: [2] }, true), [2]);
  assert.equal(m.readOnly!(read), true);
  assert.equal(m.readOnly!({ f: "write", value: 1 }), false);
  assert.equal(m.readOnly!(cas), false);
  assert.equal(m.equal([1, "a"], [1, "a"]), true);
  assert.equal(m.equal(1, 2), false);
  assert.equal(m.hash([1, "a"]), hashValue([1, "a"]));
});

Deno.test("models: register descriptions", () => {
  const m = casRegisterModel();
  assert.equal(m.describe({ f: "read" }, 3), "read → 3");
  assert.equal(m.describe({ f: "read" }, null), "read → nil");
  assert.equal(m.describe({ f: "read" }, unknownOutput), "read → ?");
  assert.equal(m.describe({ f: "write", value: "x" }, null), 'write("x")');
  assert.equal(m.describe({ f: "write", value: [1, 2] }, unknownOutput), "write([1 2]) → ?");
  assert.equal(m.describe({ f: "cas", from: 1, to: null }, true), "cas(1, nil) → ok");
  assert.equal(m.describe({ f: "cas", from: 1, to: 2 }, false), "cas(1, 2) → fail");
  assert.equal(m.describe({ f: "cas", from: 1, to: 2 }, unknownOutput), "cas(1, 2) → ?");
  assert.equal(m.describeState(null), "absent (nil)");
  assert.equal(m.describeState([1, "a"]), '[1 "a"]');
  assert.equal(m.describeState(0), "0");
});

Deno.test("models: register view strings are equal exactly for equal values", () => {
  const m = casRegisterModel();
  const view = m.registerView!;
  const write = (v: RegisterValue) => view.access({ f: "write", value: v }, null)!;
  const read = (v: RegisterValue) => view.access({ f: "read" }, v)!;
  assert.equal(write(5).write, true);
  assert.equal(read(5).write, false);
  assert.equal(write(5).value, read(5).value);
  assert.equal(view.access({ f: "read" }, unknownOutput), undefined);
  assert.equal(view.access({ f: "cas", from: 1, to: 2 }, true), undefined);
  assert.equal(view.initial, write(null).value); // initial nil
  assert.equal(registerModel({ initial: 4 }).registerView!.initial, write(4).value);
  assert.equal(registerModel({ initial: "4" }).registerView!.initial, write("4").value);
  // sameValue(0, -0): the same canonical string
  assert.equal(write(-0).value, write(0).value);
  assert.equal(write([0]).value, write([-0]).value);
  // distinct values, distinct strings (including values whose printed forms could run together)
  const distinct: RegisterValue[] = [
    null,
    "nil",
    "",
    0,
    1,
    2,
    "0",
    "1",
    true,
    false,
    "true",
    "b:true",
    "n:1",
    [],
    [1],
    ["1"],
    [1, 2],
    ["1,2"],
    [[1, 2]],
    [[1], 2],
    [1, [2]],
    ["x", "y"],
    ["xs:y"],
    [null],
    ["nil"],
    [[]],
  ];
  const seen = new Map<string, RegisterValue>();
  for (const v of distinct) {
    const s = write(v).value;
    assert.ok(!seen.has(s), `${showValue(v)} and ${showValue(seen.get(s))} share ${s}`);
    seen.set(s, v);
  }
});

Deno.test("models: register keys exist only for primitive, non-NaN values", () => {
  assert.equal(registerModel().registerView!.keys!.initial, null);
  assert.equal(registerModel({ initial: "a" }).registerView!.keys!.initial, "a");
  assert.equal(registerModel({ initial: true }).registerView!.keys!.initial, true);
  assert.equal(registerModel({ initial: false }).registerView!.keys!.initial, false);
  assert.equal(registerModel({ initial: 0 }).registerView!.keys!.initial, 0);
  assert.equal(registerModel({ initial: NaN }).registerView!.keys, undefined);
  assert.equal(registerModel({ initial: [1] }).registerView!.keys, undefined);
  assert.equal(casRegisterModel({ initial: [] }).registerView!.keys, undefined);
  const of = casRegisterModel().registerView!.keys!.of;
  assert.equal(of({ f: "write", value: 3 }, null), 3);
  assert.equal(of({ f: "write", value: null }, null), null);
  assert.equal(of({ f: "write", value: "s" }, unknownOutput), "s");
  assert.equal(of({ f: "write", value: false }, null), false);
  assert.equal(of({ f: "write", value: [3] }, null), undefined);
  assert.equal(of({ f: "write", value: NaN }, null), undefined);
  assert.equal(of({ f: "read" }, 4), 4);
  assert.equal(of({ f: "read" }, null), null);
  assert.equal(of({ f: "read" }, [4]), undefined);
  assert.equal(of({ f: "read" }, unknownOutput), undefined);
  assert.equal(of({ f: "cas", from: 1, to: 2 }, true), undefined);
});

// ---------------------------------------------------------------------------------------------
// kv

type Kv = Model<KvState, KvInput, KvOutput>;
type KvOutput = string | null | boolean;

/** Run `inputs` (ok outputs as given, null for writes) from the initial state. */
function run(m: Kv, steps: [KvInput, KvOutput | typeof unknownOutput][]): KvState | undefined {
  let s: KvState | undefined = m.init();
  for (const [i, o] of steps) {
    if (s === undefined) return undefined;
    s = m.step(s, i, o);
  }
  return s;
}

function valuesOf(s: KvState | undefined): Record<string, string | null> | undefined {
  if (s === undefined) return undefined;
  return Object.fromEntries([...s.values].map(([k, v]) => [k, v.value]));
}

Deno.test("models: the default kv models are shared, one per usual initial value", () => {
  assert.equal(kvModel(), kvModel());
  assert.equal(kvModel({ initial: "" }), kvModel());
  assert.equal(kvModel({}), kvModel());
  assert.equal(kvModel({ initial: null }), kvModel({ initial: null }));
  assert.notEqual(kvModel({ initial: null }), kvModel());
  assert.ok(Object.isFrozen(kvModel()) && Object.isFrozen(kvModel({ initial: null })));
  assert.notEqual(kvModel({ initial: "z" }), kvModel({ initial: "z" }));
  assert.equal(kvModel().name, "kv");
  // the initial value is what a get of an unwritten key must return
  const get = (m: Kv, out: KvOutput) => run(m, [[{ f: "get", key: "k" }, out]]);
  assert.notEqual(get(kvModel(), ""), undefined);
  assert.equal(get(kvModel(), null), undefined);
  assert.notEqual(get(kvModel({ initial: null }), null), undefined);
  assert.equal(get(kvModel({ initial: null }), ""), undefined);
  assert.notEqual(get(kvModel({ initial: "z" }), "z"), undefined);
  assert.equal(get(kvModel({ initial: "z" }), ""), undefined);
});

Deno.test("models: kv input reads get/put/append/cas and names the bad field", () => {
  const m = kvModel();
  const input = (o: ReturnType<typeof op>) => {
    // the fields that say what the operation does (the hashes are checked through the states)
    const i = m.input(o) as Record<string, unknown>;
    return Object.fromEntries(
      ["f", "key", "value", "from", "to"].filter((k) => k in i).map((k) => [k, i[k]]),
    );
  };
  assert.deepEqual(input(op("get", { key: "a" })), { f: "get", key: "a" });
  assert.deepEqual(input(op("read", { key: "a" })), { f: "get", key: "a" });
  assert.deepEqual(input(op("put", { key: "a", input: "v" })), { f: "put", key: "a", value: "v" });
  assert.deepEqual(input(op("write", { key: "a", input: 12 })), {
    f: "put",
    key: "a",
    value: "12",
  });
  assert.deepEqual(input(op("append", { key: "a", input: "x" })), {
    f: "append",
    key: "a",
    value: "x",
  });
  assert.deepEqual(input(op("append", { key: "a", input: 7 })), {
    f: "append",
    key: "a",
    value: "7",
  });
  assert.deepEqual(input(op("cas", { key: "a", input: ["x", "y"] })), {
    f: "cas",
    key: "a",
    from: "x",
    to: "y",
  });
  assert.deepEqual(input(op("cas", { key: "a", input: [null, 3] })), {
    f: "cas",
    key: "a",
    from: null,
    to: "3",
  });
  assert.deepEqual(input(op("cas", { key: "a", input: [undefined, "y"] })), {
    f: "cas",
    key: "a",
    from: null,
    to: "y",
  });
  assert.deepEqual(input(op("cas", { key: "a", input: [1, "y"] })), {
    f: "cas",
    key: "a",
    from: "1",
    to: "y",
  });

  const msg = (o: ReturnType<typeof op>) => {
    try {
      m.input(o);
    } catch (err) {
      assert.ok(err instanceof ModelError);
      assert.equal(err.operation, o);
      return err.message;
    }
    return "no error";
  };
  assert.equal(
    msg(op("get", { invokeIndex: 4, process: 2 })),
    "operation at history[4] (process 2, get): kv operations need a key",
  );
  const at = "operation at history[0] (process 0, ";
  assert.equal(
    msg(op("put", { key: "k", input: true })),
    at + 'put key "k"): put value must be a string, got true',
  );
  assert.equal(
    msg(op("append", { key: "k" })),
    at + 'append key "k"): append value must be a string, got nil',
  );
  assert.equal(
    msg(op("write", { key: "k", input: [1] })),
    at + 'write key "k"): write value must be a string, got [1]',
  );
  assert.equal(
    msg(op("cas", { key: "k", input: "xy" })),
    at + 'cas key "k"): cas input must be [from to], got "xy"',
  );
  assert.equal(
    msg(op("cas", { key: "k", input: ["x"] })),
    at + 'cas key "k"): cas input must be [from to], got ["x"]',
  );
  assert.equal(
    msg(op("cas", { key: "k", input: ["x", "y", "z"] })),
    at + 'cas key "k"): cas input must be [from to], got ["x" "y" "z"]',
  );
  assert.equal(
    msg(op("cas", { key: "k", input: [true, "y"] })),
    at + 'cas key "k"): cas from must be a string, got true',
  );
  assert.equal(
    msg(op("cas", { key: "k", input: ["x", null] })),
    at + 'cas key "k"): cas to must be a string, got nil',
  );
  assert.equal(
    msg(op("incr", { key: "k" })),
    at + 'incr key "k"): the kv model supports get, put, append, cas',
  );
  assert.equal(
    msg(op("incr", { key: "k", input: 1 })),
    at + 'incr key "k"): the kv model supports get, put, append, cas',
  );
});

Deno.test("models: kv output is the value got, whether a cas swapped, or null", () => {
  const m = kvModel();
  assert.equal(m.output(op("get", { key: "a", output: "v" })), "v");
  assert.equal(m.output(op("read", { key: "a", output: 5 })), "5");
  assert.equal(m.output(op("get", { key: "a", output: null })), null);
  assert.equal(m.output(op("get", { key: "a" })), null);
  assert.throws(
    () => m.output(op("get", { key: "a", output: [1] })),
    /: value got must be a string, got \[1\]$/,
  );
  assert.equal(m.output(op("cas", { key: "a", input: ["x", "y"], output: false })), false);
  assert.equal(m.output(op("cas", { key: "a", input: ["x", "y"], output: true })), true);
  assert.equal(m.output(op("cas", { key: "a", input: ["x", "y"] })), true);
  assert.equal(m.output(op("put", { key: "a", input: "x", output: "x" })), null);
  assert.equal(m.output(op("append", { key: "a", input: "x", output: "x" })), null);
});

const kvIn = (o: ReturnType<typeof op>) => kvModel().input(o);

Deno.test("models: kv steps follow Porcupine's kv (append onto the current value)", () => {
  const m = kvModel();
  const put = (k: string, v: string) => kvIn(op("put", { key: k, input: v }));
  const app = (k: string, v: string) => kvIn(op("append", { key: k, input: v }));
  const get = (k: string) => kvIn(op("get", { key: k }));
  const cas = (k: string, from: string | null, to: string) =>
    kvIn(op("cas", { key: k, input: [from, to] }));
  assert.deepEqual(valuesOf(run(m, [[put("a", "1"), null], [app("a", "2"), null]])), { a: "12" });
  // absent reads as "" and append concatenates onto it
  assert.deepEqual(valuesOf(run(m, [[app("a", "x"), null], [get("a"), "x"]])), { a: "x" });
  assert.equal(run(m, [[app("a", "x"), null], [get("a"), "xx"]]), undefined);
  assert.deepEqual(valuesOf(run(m, [[get("a"), ""]])), {});
  assert.equal(run(m, [[get("a"), "q"]]), undefined);
  assert.deepEqual(valuesOf(run(m, [[get("a"), unknownOutput]])), {});
  // cas on the initial ""
  assert.deepEqual(valuesOf(run(m, [[cas("a", "", "n"), true]])), { a: "n" });
  assert.equal(run(m, [[cas("a", "", "n"), false]]), undefined);
  assert.deepEqual(valuesOf(run(m, [[cas("a", "o", "n"), false]])), {});
  assert.equal(run(m, [[cas("a", "o", "n"), true]]), undefined);
  assert.deepEqual(valuesOf(run(m, [[cas("a", "", "n"), unknownOutput]])), { a: "n" });
  assert.deepEqual(valuesOf(run(m, [[cas("a", "o", "n"), unknownOutput]])), {});
  // with initial nil, append to an absent key stores the string and a cas from nil matches it
  const nil = kvModel({ initial: null });
  assert.deepEqual(valuesOf(run(nil, [[app("a", "x"), null], [get("a"), "x"]])), { a: "x" });
  assert.deepEqual(valuesOf(run(nil, [[get("a"), null]])), {});
  assert.equal(run(nil, [[get("a"), ""]]), undefined);
  assert.deepEqual(valuesOf(run(nil, [[cas("a", null, "n"), true], [get("a"), "n"]])), { a: "n" });
  assert.equal(run(nil, [[cas("a", "", "n"), true]]), undefined);
  // other keys are untouched
  assert.deepEqual(
    valuesOf(run(m, [[put("a", "1"), null], [put("b", "2"), null], [get("a"), "1"]])),
    {
      a: "1",
      b: "2",
    },
  );
});

Deno.test("models: a kv step that changes nothing returns the same state", () => {
  const m = kvModel();
  const s1 = m.step(m.init(), kvIn(op("put", { key: "a", input: "1" })), null)!;
  assert.equal(m.step(s1, kvIn(op("get", { key: "a" })), "1"), s1);
  assert.equal(m.step(s1, kvIn(op("cas", { key: "a", input: ["z", "y"] })), false), s1);
  assert.equal(m.step(m.init(), kvIn(op("get", { key: "b" })), ""), m.init());
  assert.equal(m.init().values.size, 0);
  // the state before is never changed in place
  const s2 = m.step(s1, kvIn(op("put", { key: "a", input: "2" })), null)!;
  assert.deepEqual(valuesOf(s1), { a: "1" });
  assert.deepEqual(valuesOf(s2), { a: "2" });
});

Deno.test("models: kv states reached by different paths are equal with equal hashes", () => {
  const m = kvModel();
  const i = (f: string, key: string, input: unknown) => kvIn(op(f, { key, input }));
  const paths: [KvInput, KvOutput][][] = [
    [[i("put", "a", "xy"), null], [i("put", "b", "1"), null]],
    [[i("put", "b", "1"), null], [i("put", "a", "xy"), null]],
    [[i("append", "a", "x"), null], [i("append", "a", "y"), null], [i("put", "b", "1"), null]],
    [[i("put", "a", "q"), null], [i("put", "b", "1"), null], [i("put", "a", "xy"), null]],
    [[i("put", "b", "1"), null], [i("cas", "a", ["", "x"]), true], [i("append", "a", "y"), null]],
    [[i("put", "a", ""), null], [i("append", "a", "xy"), null], [i("put", "b", "1"), null]],
    [[i("put", "a", "x"), null], [i("put", "b", "1"), null], [i("cas", "a", ["x", "xy"]), true]],
  ];
  const states = paths.map((p) => run(m, p)!);
  for (const s of states) {
    assert.deepEqual(valuesOf(s), { a: "xy", b: "1" });
    assert.equal(m.hash(s), m.hash(states[0]));
    assert.equal(m.equal(s, states[0]), true);
  }
  // and states that differ are not equal
  const other = run(m, [[i("put", "a", "yx"), null], [i("put", "b", "1"), null]])!;
  assert.equal(m.equal(other, states[0]), false);
  const fewer = run(m, [[i("put", "a", "xy"), null]])!;
  assert.equal(m.equal(fewer, states[0]), false);
  assert.equal(m.equal(states[0], fewer), false);
  // the same per-key state through the key model (partition), including its hash
  const key = m.partition!([op("put", { key: "a", input: "xy" })])[0].model as Model<
    KvValue,
    KvInput,
    KvOutput
  >;
  const viaPut = key.step(key.init(), i("put", "a", "xy"), null)!;
  const viaAppend = key.step(
    key.step(key.init(), i("append", "a", "x"), null)!,
    i("append", "a", "y"),
    null,
  )!;
  const viaCas = key.step(key.init(), i("cas", "a", ["", "xy"]), true)!;
  for (const v of [viaAppend, viaCas]) {
    assert.equal(v.value, "xy");
    assert.equal(key.hash(v), key.hash(viaPut));
    assert.equal(key.equal(v, viaPut), true);
  }
  // a value put equal to the initial one is the initial state
  const back = key.step(viaPut, i("put", "a", ""), null)!;
  assert.equal(key.equal(back, key.init()), true);
  assert.equal(key.hash(back), key.hash(key.init()));
  assert.equal(key.equal(viaPut, key.init()), false);
});

Deno.test("models: kv state hashes spread distinct maps (the state cache relies on it)", () => {
  // not required for correctness: a constant hash would make every cached kv state collide
  const m = kvModel({ initial: null });
  const i = (f: string, key: string, input: unknown) => kvIn(op(f, { key, input }));
  const states = [
    m.init(),
    run(m, [[i("put", "a", "1"), null]])!,
    run(m, [[i("put", "a", "2"), null]])!,
    run(m, [[i("put", "b", "1"), null]])!,
    run(m, [[i("put", "a", "1"), null], [i("put", "b", "1"), null]])!,
    run(m, [[i("put", "a", ""), null]])!,
  ];
  const hashes = new Set(states.map((s) => m.hash(s)));
  assert.equal(hashes.size, states.length);
});

Deno.test("models: kv equal checks sizes, keys and values, not only the hash", () => {
  const m = kvModel();
  const v = (value: string | null): KvValue => ({ value, hash: 0 });
  const st = (entries: [string, string | null][], hash = 7): KvState => ({
    values: new Map(entries.map(([k, x]) => [k, v(x)])),
    hash,
  });
  assert.equal(m.equal(st([["a", "1"]]), st([["a", "1"]])), true);
  assert.equal(m.equal(st([]), st([])), true);
  assert.equal(m.equal(st([["a", "1"]]), st([["a", "1"]], 8)), false);
  assert.equal(m.equal(st([["a", "1"]]), st([["a", "1"], ["b", "2"]])), false);
  assert.equal(m.equal(st([["a", "1"], ["b", "2"]]), st([["a", "1"]])), false);
  assert.equal(m.equal(st([["a", "1"]]), st([["b", "1"]])), false);
  assert.equal(m.equal(st([["a", "1"]]), st([["a", "2"]])), false);
  assert.equal(m.equal(st([["a", null]]), st([["a", ""]])), false);
  assert.equal(m.hash(st([], 12345)), 12345);
  const key = m.partition!([op("get", { key: "a" })])[0].model!;
  assert.equal(key.equal({ value: "1", hash: 3 }, { value: "1", hash: 3 }), true);
  assert.equal(key.equal({ value: "1", hash: 3 }, { value: "1", hash: 4 }), false);
  assert.equal(key.equal({ value: "1", hash: 3 }, { value: "2", hash: 3 }), false);
  assert.equal(key.hash({ value: "1", hash: 99 }), 99);
});

Deno.test("models: kv partitions by key in order of first appearance, each a string register", () => {
  const m = kvModel();
  const ops = [
    op("put", { key: "b", input: "1" }),
    op("get", { key: "a" }),
    op("get", { key: "b" }),
    op("get"), // no key: the "" group (input would reject it)
    op("put", { key: "", input: "2" }),
  ];
  const groups = m.partition!(ops);
  assert.deepEqual(groups.map((g) => [g.label, g.key]), [['key "b"', "b"], ['key "a"', "a"], [
    'key ""',
    "",
  ]]);
  assert.deepEqual(groups.map((g) => g.operations.map((o) => ops.indexOf(o))), [[0, 2], [1], [
    3,
    4,
  ]]);
  for (const g of groups) assert.equal(g.model, groups[0].model);
  const key = groups[0].model!;
  assert.equal(key.name, "kv-key");
  assert.equal(key.init().value, "");
  assert.equal(kvModel({ initial: null }).partition!(ops)[0].model!.init().value, null);
  assert.equal(key.readOnly!(kvIn(op("get", { key: "a" }))), true);
  assert.equal(key.readOnly!(kvIn(op("put", { key: "a", input: "1" }))), false);
  assert.equal(m.readOnly!(kvIn(op("get", { key: "a" }))), true);
  assert.equal(m.readOnly!(kvIn(op("append", { key: "a", input: "1" }))), false);
  assert.equal(m.readOnly!(kvIn(op("cas", { key: "a", input: ["1", "2"] }))), false);
  // the key model reads operations as the kv model does
  assert.deepEqual(key.input(op("get", { key: "z" })), { f: "get", key: "z" });
  assert.equal(key.output(op("get", { key: "z", output: 3 })), "3");
  assert.equal(key.step(key.init(), kvIn(op("get", { key: "z" })), "x"), undefined);
  assert.equal(key.describe(kvIn(op("get", { key: "z" })), "x"), 'get("z") → "x"');
  assert.equal(key.describeState({ value: "x", hash: 0 }), '"x"');
  assert.equal(key.describeState({ value: null, hash: 0 }), "absent (nil)");
  assert.deepEqual(m.partition!([]), []);
});

Deno.test("models: kv descriptions", () => {
  const m = kvModel();
  const d = (o: ReturnType<typeof op>, out: KvOutput | typeof unknownOutput) =>
    m.describe(kvIn(o), out);
  assert.equal(d(op("get", { key: "k" }), "v"), 'get("k") → "v"');
  assert.equal(d(op("get", { key: "k" }), null), 'get("k") → nil');
  assert.equal(d(op("get", { key: "k" }), unknownOutput), 'get("k") → ?');
  assert.equal(d(op("put", { key: "k", input: "v" }), null), 'put("k", "v")');
  assert.equal(d(op("append", { key: "k", input: "v" }), unknownOutput), 'append("k", "v") → ?');
  assert.equal(d(op("cas", { key: "k", input: [null, "x"] }), true), 'cas("k", nil, "x") → ok');
  assert.equal(d(op("cas", { key: "k", input: ["a", "x"] }), false), 'cas("k", "a", "x") → fail');
  assert.equal(
    d(op("cas", { key: "k", input: ["a", "x"] }), unknownOutput),
    'cas("k", "a", "x") → ?',
  );
  assert.equal(m.describeState(m.init()), "{}");
  const i = (f: string, key: string, input: unknown) => kvIn(op(f, { key, input }));
  const s = run(kvModel({ initial: null }), [
    [i("put", "c", "3"), null],
    [i("put", "a", "1"), null],
    [i("put", "b", "2"), null],
    [i("cas", "d", ["x", "y"]), false],
  ])!;
  assert.equal(m.describeState(s), '{"a" "1", "b" "2", "c" "3"}');
  const withNil: KvState = {
    values: new Map([["z", { value: null, hash: 0 }], ["y", { value: "", hash: 0 }]]),
    hash: 0,
  };
  assert.equal(m.describeState(withNil), '{"y" "", "z" absent (nil)}');
});

Deno.test("models: kv key view strings are equal exactly for equal values; keys are the values", () => {
  for (const initial of ["", null, "nil"]) {
    const key = kvModel({ initial }).partition!([op("get", { key: "a" })])[0].model as Model<
      KvValue,
      KvInput,
      KvOutput
    >;
    const view = key.registerView!;
    const put = (v: string) => view.access(kvIn(op("put", { key: "a", input: v })), null)!;
    const get = (v: string | null) => view.access(kvIn(op("get", { key: "a" })), v)!;
    assert.equal(put("x").write, true);
    assert.equal(get("x").write, false);
    assert.equal(put("x").value, get("x").value);
    assert.equal(put("").value, get("").value);
    assert.notEqual(get(null).value, get("").value);
    assert.notEqual(get(null).value, get("nil").value);
    assert.notEqual(put("x").value, put("y").value);
    // the initial value's string is the string of the value it is
    assert.equal(view.initial, initial === null ? get(null).value : put(initial).value);
    assert.equal(view.access(kvIn(op("get", { key: "a" })), unknownOutput), undefined);
    assert.equal(view.access(kvIn(op("append", { key: "a", input: "x" })), null), undefined);
    assert.equal(view.access(kvIn(op("cas", { key: "a", input: ["x", "y"] })), true), undefined);
    const keys = view.keys!;
    assert.equal(keys.initial, initial);
    assert.equal(keys.of(kvIn(op("put", { key: "a", input: "x" })), null), "x");
    assert.equal(keys.of(kvIn(op("get", { key: "a" })), "x"), "x");
    assert.equal(keys.of(kvIn(op("get", { key: "a" })), null), null);
    assert.equal(keys.of(kvIn(op("get", { key: "a" })), unknownOutput), undefined);
    assert.equal(keys.of(kvIn(op("get", { key: "a" })), true), undefined);
    assert.equal(keys.of(kvIn(op("append", { key: "a", input: "x" })), null), undefined);
    assert.equal(keys.of(kvIn(op("cas", { key: "a", input: ["x", "y"] })), true), undefined);
  }
  assert.equal(kvModel().registerView, undefined); // only the per-key model is a register
});

// ---------------------------------------------------------------------------------------------
// search: the pieces

Deno.test("search: a memory account charges up to its budget and refunds down to zero", () => {
  const m = new MemoryAccount(10);
  assert.equal(m.charge(4), true);
  assert.equal(m.charge(6), true); // exactly the budget is allowed
  assert.equal(m.used, 10);
  assert.equal(m.charge(1), false);
  assert.equal(m.used, 10); // nothing charged on refusal
  assert.equal(m.charge(0), true);
  m.refund(3);
  assert.equal(m.used, 7);
  assert.equal(m.charge(4), false);
  assert.equal(m.charge(3), true);
  m.refund(100);
  assert.equal(m.used, 0);
  assert.equal(m.budget, 10);
});

Deno.test("search: fmix32 is murmur3's finalizer", () => {
  // reference: the same finalizer in exact BigInt arithmetic, reduced mod 2^32
  const ref = (x0: number) => {
    const M = 0xffffffffn;
    let x = BigInt(x0 >>> 0);
    x ^= x >> 16n;
    x = (x * 0x85ebca6bn) & M;
    x ^= x >> 13n;
    x = (x * 0xc2b2ae35n) & M;
    x ^= x >> 16n;
    return Number(BigInt.asIntN(32, x));
  };
  assert.equal(fmix32(0), 0);
  for (
    const x of [1, 2, 0x9e3779b9 | 0, -1, 123456789, 0x7fffffff, -0x80000000, 65536, 0xdeadbeef | 0]
  ) {
    assert.equal(fmix32(x), ref(x), String(x));
  }
});

Deno.test("search: growPool keeps the used words, at least doubles, and asks the account", () => {
  const pool = new Uint32Array([1, 2, 3, 4]);
  const a = growPool(pool, 2, 5, undefined)!;
  assert.deepEqual(Array.from(a), [1, 2, 0, 0, 0, 0, 0, 0]); // only `used` words are copied
  const b = growPool(pool, 4, 20, undefined)!;
  assert.equal(b.length, 20);
  assert.deepEqual(Array.from(b.subarray(0, 5)), [1, 2, 3, 4, 0]);
  const mem = new MemoryAccount(16);
  const c = growPool(pool, 4, 5, mem)!; // 4 more words: 16 bytes
  assert.equal(c.length, 8);
  assert.equal(mem.used, 16);
  assert.equal(growPool(c, 8, 9, mem), undefined);
  assert.equal(mem.used, 16);
  const roomy = new MemoryAccount(1000);
  assert.equal(growPool(new Uint32Array(0), 0, 3, roomy)!.length, 3);
  assert.equal(roomy.used, 12);
});

Deno.test("search: rehash probes linearly from hash & mask, wrapping around", () => {
  assert.deepEqual(Array.from(rehash([5, 5, 13], 3, 4)), [0, 0, 0, 0, 0, 1, 2, 3]);
  assert.deepEqual(Array.from(rehash([7, 15, -1], 3, 4)), [2, 3, 0, 0, 0, 0, 0, 1]);
  // only the first n hashes are entries
  assert.deepEqual(Array.from(rehash([1, 2, 3], 1, 2)), [0, 1, 0, 0]);
  assert.deepEqual(Array.from(rehash([], 0, 1)), [0, 0]);
});

Deno.test("search: linkEntries threads the entries behind the head, -1 at both ends", () => {
  const next = new Int32Array(5).fill(9);
  const prev = new Int32Array(5).fill(9);
  linkEntries(next, prev, 4, [0, 2, 1, 3]);
  assert.deepEqual(Array.from(next), [2, 3, 1, -1, 0]);
  assert.deepEqual(Array.from(prev), [4, 2, 0, 1, -1]);
  const n2 = new Int32Array(3).fill(9);
  const p2 = new Int32Array(3).fill(9);
  linkEntries(n2, p2, 2, []);
  assert.deepEqual([n2[2], p2[2]], [-1, -1]);
});

/** The time order orderEntries must give, by its definition (a plain comparator sort). */
function refOrder(times: number[], dropped: number[]): number[] {
  const entries: number[] = [];
  for (let i = 0; i < dropped.length; i++) if (dropped[i] === 0) entries.push(2 * i, 2 * i + 1);
  return entries.sort((a, b) =>
    times[a] !== times[b] ? times[a] - times[b] : (a & 1) !== (b & 1) ? (a & 1) - (b & 1) : a - b
  );
}

function order(times: number[], dropped?: number[]): number[] {
  const d = dropped ?? times.filter((_, i) => i % 2 === 0).map(() => 0);
  const m = d.filter((x) => x === 0).length;
  return Array.from(orderEntries(Float64Array.from(times), Uint8Array.from(d), m));
}

Deno.test("search: orderEntries orders by time, calls before returns, then by entry", () => {
  assert.deepEqual(order([]), []);
  assert.deepEqual(order([0, 5]), [0, 1]);
  // op 1's call at op 0's return: touching intervals are concurrent (call first)
  assert.deepEqual(order([0, 1, 1, 2]), [0, 2, 1, 3]);
  // returns out of order
  assert.deepEqual(order([0, 9, 1, 3, 2, 5]), [0, 2, 4, 3, 5, 1]);
  assert.deepEqual(order([0, 9, 1, 8, 2, 7, 3, 6]), [0, 2, 4, 6, 7, 5, 3, 1]);
  // equal returns keep their index order; an Infinity return goes last
  assert.deepEqual(order([0, 4, 1, 4, 2, Infinity, 3, 4]), [0, 2, 4, 6, 1, 3, 7, 5]);
  // calls out of order (the general sort), with ties of every kind
  assert.deepEqual(order([3, 4, 1, 4, 1, 3, 0, 1]), [6, 2, 4, 7, 0, 5, 1, 3]);
  assert.deepEqual(order([2, 3, 0, 2]), [2, 0, 3, 1]);
  // dropped operations are left out
  assert.deepEqual(order([0, 9, 1, 3, 2, 5], [0, 1, 0]), [0, 4, 5, 1]);
  assert.deepEqual(order([5, 6, 1, 3, 2, 4], [0, 0, 1]), [2, 3, 0, 1]);
  assert.deepEqual(order([0, 1], [1]), []);
  assert.deepEqual(order([4, 5, 0, 1], [0, 1]), [0, 1]);
  // a return before its own call (not a real history, but the order is still by time)
  assert.deepEqual(order([5, 3]), [1, 0]);
  assert.deepEqual(order([0, 1, 5, 3]), [0, 1, 3, 2]);
});

Deno.test("search: orderEntries matches the comparator sort on generated times", () => {
  // a small LCG: deterministic, no dependency on the library under test
  let seed = 12345;
  const rand = (k: number) => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return (seed >>> 8) % k;
  };
  for (let t = 0; t < 300; t++) {
    const n = 1 + rand(12);
    const sortedCalls = rand(2) === 0;
    const times: number[] = [];
    let call = 0;
    for (let i = 0; i < n; i++) {
      call = sortedCalls ? call + rand(3) : rand(10);
      const ret = rand(8) === 0 ? Infinity : call + rand(6);
      times.push(call, ret);
    }
    const dropped = times.filter((_, i) => i % 2 === 0).map(() => (rand(6) === 0 ? 1 : 0));
    assert.deepEqual(
      order(times, dropped),
      refOrder(times, dropped),
      JSON.stringify({ times, dropped }),
    );
  }
  // The insertion sort may move returns 8m + 1024 times (1824 for m = 100), then sorts in
  // general. Returns 1000 - i for ops 0..59 cost 1770 moves, op 60's (946.5) passes 54 more:
  // exactly 1824. Op 99's return then passes ops 61..98's: past the allowance, and it must
  // still be sorted (not merged half-sorted).
  {
    const times: number[] = [];
    for (let i = 0; i < 100; i++) {
      times.push(i, i < 60 ? 1000 - i : i === 60 ? 946.5 : i === 99 ? 1500 : 2000 + i);
    }
    const ref = refOrder(times, Array(100).fill(0));
    assert.deepEqual(order(times), ref);
    // and with one move fewer (op 60 passes 53) the insertion sort alone gives the same
    times[121] = 947.5;
    times[199] = 3000;
    assert.deepEqual(order(times), refOrder(times, Array(100).fill(0)));
  }
  // many inversions (past the insertion sort's allowance): the same order
  for (const n of [40, 200]) {
    const times: number[] = [];
    for (let i = 0; i < n; i++) times.push(i, 2 * n - i);
    assert.deepEqual(
      order(times),
      refOrder(times, times.filter((_, i) => i % 2 === 0).map(() => 0)),
    );
  }
});

// ---------------------------------------------------------------------------------------------
// search: hand-traced runs. Entries are walked in time order; one step is one call tried or one
// return reached (then the last linearized operation is undone).

type RIn = RegisterInput;
const W = (v: RegisterValue): RIn => ({ f: "write", value: v });
const R: RIn = { f: "read" };

/** A bank account: `take` k needs at least k (impossible otherwise), `dep` k adds k. */
const bank: Model<number, { f: "take" | "dep" | "read"; k: number }, number | null> = {
  name: "bank",
  init: () => 0,
  input: (o) => ({ f: o.f as "take" | "dep" | "read", k: o.input as number }),
  output: (o) => (o.f === "read" ? o.output as number : null),
  step: (s, input, output) => {
    if (input.f === "dep") return s + input.k;
    if (input.f === "take") return s >= input.k ? s - input.k : undefined;
    return output === unknownOutput || output === s ? s : undefined;
  },
  hash: (s) => s,
  equal: (a, b) => a === b,
  readOnly: (input) => input.f === "read",
  describe: (input) => input.f,
  describeState: (s) => String(s),
};
const take = (k: number) => ({ f: "take" as const, k });
const bread = { f: "read" as const, k: 0 };

Deno.test("search: one write is linearized in one step", () => {
  const out = searchLinearization(registerModel(), [sop(W(1), [0, 1], null)], 100);
  assert.deepEqual(out, {
    verdict: "ok",
    steps: 1,
    order: [0],
    skipped: [],
    state: 1,
    frontier: [],
    cacheSize: 1,
    bestDepth: 1,
    outOfMemory: false,
  });
});

Deno.test("search: a stale read is refuted with the longest prefix and its frontier", () => {
  // c0 linearizes the write; c1 (read 2) fails; r1 backtracks (record: [0], frontier [1]);
  // r0 is reached with nothing linearized: illegal. Four steps.
  const ops = [sop(W(1), [0, 1], null), sop<RIn, RegisterValue>(R, [2, 3], 2)];
  assert.deepEqual(searchLinearization(registerModel(), ops, 100), {
    verdict: "illegal",
    steps: 4,
    order: [0],
    skipped: [],
    state: 1,
    frontier: [1],
    cacheSize: 1,
    bestDepth: 1,
    outOfMemory: false,
  });
  // without recording: the same verdict and depth, no prefix
  assert.deepEqual(searchLinearization(registerModel(), ops, 100, { record: false }), {
    verdict: "illegal",
    steps: 4,
    order: [],
    skipped: [],
    state: null,
    frontier: [],
    cacheSize: 1,
    bestDepth: 1,
    outOfMemory: false,
  });
});

Deno.test("search: a read that touches a write's completion may go before it", () => {
  // calls first at equal times: c0, c1, r0, r1. The read (nil) fails after the write, succeeds
  // before it once the write is undone: c0, c1, r1 (undo), c1, c0 = 5 steps, order [1, 0].
  const ops = [sop(W(1), [0, 1], null), sop<RIn, RegisterValue>(R, [1, 2], null)];
  const out = searchLinearization(registerModel(), ops, 100);
  assert.equal(out.verdict, "ok");
  assert.equal(out.steps, 5);
  assert.deepEqual(out.order, [1, 0]);
  assert.equal(out.state, 1);
  assert.equal(out.cacheSize, 3); // ({0}, 1), ({1}, nil), ({0, 1}, 1)
  // one time unit apart they are ordered, and the read is stale
  const apart = [sop(W(1), [0, 1], null), sop<RIn, RegisterValue>(R, [1.5, 2], null)];
  assert.equal(searchLinearization(registerModel(), apart, 100).verdict, "illegal");
});

Deno.test("search: a step budget stops the search; run resumes it where it stopped", () => {
  const ops = [sop(W(1), [0, 1], null), sop<RIn, RegisterValue>(R, [2, 3], 2)];
  const s = new LinearizationSearch(registerModel(), ops, { record: true });
  assert.equal(s.verdict, "unknown");
  assert.equal(s.run(0), false);
  assert.equal(s.run(-5), false);
  assert.equal(s.steps, 0);
  assert.equal(s.run(2), false);
  assert.equal(s.steps, 2);
  const mid = s.outcome();
  assert.equal(mid.verdict, "unknown");
  assert.deepEqual([mid.order, mid.frontier, mid.bestDepth, mid.state], [[], [], 0, null]);
  assert.equal(s.run(1), false); // step 3 reaches r1 and records
  assert.deepEqual(s.outcome().order, [0]);
  assert.equal(s.outcome().bestDepth, 1);
  assert.equal(s.run(1), true); // step 4 decides
  assert.equal(s.steps, 4);
  assert.equal(s.verdict, "illegal");
  assert.equal(s.run(10), true);
  assert.equal(s.steps, 4);
  // a budget exactly the steps needed decides; one less does not
  assert.equal(searchLinearization(registerModel(), ops, 4).verdict, "illegal");
  const short = searchLinearization(registerModel(), ops, 3);
  assert.equal(short.verdict, "unknown");
  assert.equal(short.steps, 3);
  assert.deepEqual(short.order, [0]);
  assert.deepEqual(short.frontier, [1]);
});

Deno.test("search: nothing to linearize is ok at once; unknown reads are dropped", () => {
  const empty = new LinearizationSearch(registerModel(), []);
  assert.equal(empty.verdict, "ok");
  assert.equal(empty.run(5), true);
  assert.deepEqual(empty.outcome(), {
    verdict: "ok",
    steps: 0,
    order: [],
    skipped: [],
    state: null,
    frontier: [],
    cacheSize: 0,
    bestDepth: 0,
    outOfMemory: false,
  });
  const onlyRead = searchLinearization(
    registerModel(),
    [sop<RIn, RegisterValue>(R, [0, Infinity])],
    5,
  );
  assert.deepEqual([onlyRead.verdict, onlyRead.steps, onlyRead.order], ["ok", 0, []]);
  // a dropped read is never linearized, even where it would fit
  const withWrite = searchLinearization(registerModel(), [
    sop<RIn, RegisterValue>(R, [0, Infinity]),
    sop(W(1), [1, 2], null),
  ], 50);
  assert.deepEqual([withWrite.verdict, withWrite.steps, withWrite.order], ["ok", 1, [1]]);
  // a model without readOnly keeps it (and linearizes it)
  const { readOnly: _, ...noReadOnly } = registerModel();
  const kept = searchLinearization(noReadOnly as Model<RegisterValue, RIn, RegisterValue>, [
    sop<RIn, RegisterValue>(R, [0, Infinity]),
    sop(W(1), [1, 2], null),
  ], 50);
  assert.equal(kept.verdict, "ok");
  assert.deepEqual([...kept.order].sort(), [0, 1]);
  // a write with unknown outcome is not dropped
  const unknownWrite = searchLinearization(registerModel(), [
    sop<RIn, RegisterValue>(W(3), [0, Infinity]),
  ], 5);
  assert.deepEqual([unknownWrite.steps, unknownWrite.order, unknownWrite.state], [1, [0], 3]);
});

Deno.test("search: an unknown write without deadline may take effect after a later read", () => {
  // entries c0, c1, r1, r0(∞). c0 (write 1) then c1 (read nil) fails; r1 undoes the write; c1
  // reads nil; c0 writes after it: 5 steps, order [1, 0], nothing skipped.
  const ops = [
    sop<RIn, RegisterValue>(W(1), [0, Infinity]),
    sop<RIn, RegisterValue>(R, [2, 3], null),
  ];
  const out = searchLinearization(registerModel(), ops, 100);
  assert.deepEqual(
    [out.verdict, out.steps, out.order, out.skipped, out.state, out.cacheSize],
    ["ok", 5, [1, 0], [], 1, 3],
  );
});

Deno.test("search: an unknown write with a deadline may not have taken effect", () => {
  // entries c0, r0 (deadline 1), c1, r1. c0 writes 1, c1 (read nil) fails, r1 undoes the write
  // and takes the other choice (no effect) at once; c1 then reads nil: 4 steps, op 0 skipped.
  const ops = [sop<RIn, RegisterValue>(W(1), [0, 1]), sop<RIn, RegisterValue>(R, [2, 3], null)];
  const out = searchLinearization(registerModel(), ops, 100);
  assert.deepEqual(
    [out.verdict, out.steps, out.order, out.skipped, out.state, out.cacheSize],
    ["ok", 4, [0, 1], [0], null, 3],
  );
  // writing the value already there: "no effect" is the same state, and the read of 5 is stale
  const same = [sop<RIn, RegisterValue>(W(null), [0, 1]), sop<RIn, RegisterValue>(R, [2, 3], 5)];
  const refuted = searchLinearization(registerModel(), same, 100);
  assert.deepEqual(
    [refuted.verdict, refuted.steps, refuted.order, refuted.frontier, refuted.cacheSize],
    ["illegal", 4, [0], [1], 1],
  );
});

Deno.test("search: an impossible unknown operation is linearized as not taking effect", () => {
  // take(1) from 0 is impossible: with or without a deadline it is skipped at once (choice 1)
  for (const end of [1, Infinity]) {
    const ops = [sop(take(1), [0, end]), sop(bread, [2, 3], 0)];
    const out = searchLinearization(bank, ops, 100);
    assert.deepEqual(
      [out.verdict, out.steps, out.order, out.skipped, out.state, out.cacheSize],
      ["ok", 2, [0, 1], [0], 0, 2],
      `deadline ${end}`,
    );
  }
  // a known take(1) from 0 has no such choice
  const known = searchLinearization(bank, [sop(take(1), [0, 1], null)], 100);
  assert.deepEqual([known.verdict, known.steps, known.bestDepth], ["illegal", 2, 0]);
});

Deno.test("search: an illegal history reports the skipped operations of its longest prefix", () => {
  // take(1) [0, ∞] (impossible), read 0 [2, 3], read 7 [4, 5]. Traced by hand:
  // 1 c0 skipped; 2 c1 reads 0; 3 c2 fails; 4 r2: record [0, 1] (skipped [0], frontier [2]),
  // undo op 1; 5 r1: undo op 0; 6 c1 reads 0 first; 7 c0 skipped again: ({0, 1}, 0) is cached;
  // 8 c2 fails; 9 r2 undoes op 1; 10 r1 with nothing linearized: illegal.
  const ops = [sop(take(1), [0, Infinity]), sop(bread, [2, 3], 0), sop(bread, [4, 5], 7)];
  assert.deepEqual(searchLinearization(bank, ops, 100), {
    verdict: "illegal",
    steps: 10,
    order: [0, 1],
    skipped: [0],
    state: 0,
    frontier: [2],
    cacheSize: 3,
    bestDepth: 2,
    outOfMemory: false,
  });
});

Deno.test("search: a cache entry matches only the same state (hash collisions are compared)", () => {
  // every state hashes to 0: inc → 1 first, read 2 fails, then inc → 2 must not be taken for
  // the cached ({inc}, 1). 4 steps: c0 (1), c1 fails, r1 (other choice 2), c1 reads 2.
  const ops = [
    sop<"inc" | "read", number | null>("inc", [0, 1], null),
    sop<"inc" | "read", number | null>("read", [2, 3], 2),
  ];
  assert.deepEqual(searchLinearization(collidingCounter, ops, 100), {
    verdict: "ok",
    steps: 4,
    order: [0, 1],
    skipped: [],
    state: 2,
    frontier: [],
    cacheSize: 3,
    bestDepth: 2,
    outOfMemory: false,
  });
  // deterministic model, colliding hashes: add(1) ∥ add(2), then read 3 and read 5 apart.
  // ({a1}, 1) and ({a2}, 2) differ in their sets; ({a1, a2}, 3) is reached twice and cached.
  type AI = { f: "add"; k: number } | { f: "read" };
  const add = (k: number): AI => ({ f: "add", k });
  const rd: AI = { f: "read" };
  const two = [
    sop<AI, number | null>(add(1), [0, 2], null),
    sop<AI, number | null>(add(2), [1, 3], null),
    sop<AI, number | null>(rd, [4, 5], 3),
  ];
  const out = searchLinearization(addCounter, two, 100);
  assert.deepEqual([out.verdict, out.order, out.state, out.cacheSize], ["ok", [0, 1, 2], 3, 3]);
  // read 4 instead: every path reaches ({a1, a2}, 3) and fails
  const bad = [two[0], two[1], sop<AI, number | null>(rd, [4, 5], 4)];
  const refuted = searchLinearization(addCounter, bad, 100);
  assert.deepEqual([refuted.verdict, refuted.cacheSize, refuted.bestDepth], ["illegal", 3, 2]);
});

Deno.test("search: nondeterministic steps try every outcome, then not taking effect", () => {
  // flaky inc (+1 or +2) with a deadline, then read 0: 1 c0 (+1); 2 c1 fails; 3 r1 → +2;
  // 4 c1 fails; 5 r1 → no effect (choice 2, the skip choice); 6 c1 reads 0. Op 0 is skipped.
  type CI = "inc" | "read";
  const ops = [sop<CI, number | null>("inc", [0, 1]), sop<CI, number | null>("read", [2, 3], 0)];
  assert.deepEqual(searchLinearization(flakyCounter, ops, 100), {
    verdict: "ok",
    steps: 6,
    order: [0, 1],
    skipped: [0],
    state: 0,
    frontier: [],
    cacheSize: 4,
    bestDepth: 2,
    outOfMemory: false,
  });
  // without a deadline the inc can go after the read instead (no skip choice: both outcomes
  // exist): 1 c0 +1; 2 c1 fails; 3 r1 → +2; 4 c1 fails; 5 r1 undoes op 0; 6 c1 reads 0; 7 c0 +1.
  const late = [sop<CI, number | null>("inc", [0, Infinity]), ops[1]];
  assert.deepEqual(searchLinearization(flakyCounter, late, 100), {
    verdict: "ok",
    steps: 7,
    order: [1, 0],
    skipped: [],
    state: 1,
    frontier: [],
    cacheSize: 4,
    bestDepth: 2,
    outOfMemory: false,
  });
  // known inc, read 0: refuted after both outcomes; prefix [0] at +1 (the first record)
  const known = [sop<CI, number | null>("inc", [0, 1], null), ops[1]];
  const refuted = searchLinearization(flakyCounter, known, 100);
  assert.deepEqual(
    [
      refuted.verdict,
      refuted.steps,
      refuted.order,
      refuted.skipped,
      refuted.state,
      refuted.frontier,
    ],
    ["illegal", 6, [0], [], 1, [1]],
  );
});

Deno.test("search: an illegal prefix records the skip choice of a nondeterministic step", () => {
  // inc with deadline, read 0, then read 9 (never): the longest prefix is [0, 1] with op 0
  // not taking effect (the only way read 0 fits).
  type CI = "inc" | "read";
  const ops = [
    sop<CI, number | null>("inc", [0, 1]),
    sop<CI, number | null>("read", [2, 3], 0),
    sop<CI, number | null>("read", [4, 5], 9),
  ];
  const out = searchLinearization(flakyCounter, ops, 100);
  assert.deepEqual(
    [out.verdict, out.order, out.skipped, out.state, out.frontier, out.bestDepth],
    ["illegal", [0, 1], [0], 0, [2], 2],
  );
});

// ---------------------------------------------------------------------------------------------
// search: the cache and its memory

/**
 * `prefix` sequential writes, then `k` concurrent writes of distinct values, then a read of a
 * value never written. Illegal, so every reachable configuration is cached once: one per
 * prefix length, and for each nonempty subset S of the concurrent writes one per last-written
 * value in S, Σ |S| = k·2^(k-1).
 */
function concurrentWrites(prefix: number, k: number): SearchOp<RIn, RegisterValue>[] {
  const ops: SearchOp<RIn, RegisterValue>[] = [];
  for (let i = 0; i < prefix; i++) ops.push(sop(W(i), [2 * i, 2 * i + 1], null));
  const t = 2 * prefix;
  for (let j = 0; j < k; j++) ops.push(sop(W(1000 + j), [t + j, t + k + j], null));
  ops.push(sop<RIn, RegisterValue>(R, [t + 3 * k, t + 3 * k + 1], -1));
  return ops;
}

Deno.test("search: an illegal history caches each reachable configuration once", () => {
  const out = searchLinearization(registerModel(), concurrentWrites(0, 9), 1e6, { record: false });
  assert.equal(out.verdict, "illegal");
  assert.equal(out.cacheSize, 9 * 2 ** 8);
  assert.equal(out.bestDepth, 9);
  // the same with 30 more writes after the read (never reached): the sets stay in word 0 of two
  const padded = concurrentWrites(0, 9);
  for (let i = 0; i < 30; i++) padded.push(sop(W(i), [100 + 2 * i, 101 + 2 * i], null));
  const two = searchLinearization(registerModel(), padded, 1e6, { record: false });
  assert.deepEqual([two.verdict, two.cacheSize, two.bestDepth], ["illegal", 9 * 2 ** 8, 9]);
  // 70 operations over three bitset words: the prefix fills word 0 (its configurations are kept
  // compactly from the first word not full) and the concurrent writes straddle words 1 and 2
  const wide = searchLinearization(registerModel(), concurrentWrites(60, 9), 1e6, {
    record: false,
  });
  assert.equal(wide.verdict, "illegal");
  assert.equal(wide.cacheSize, 60 + 9 * 2 ** 8);
  assert.equal(wide.bestDepth, 69);
  // and the same history with a read of the last value of some order is ok
  const ok = concurrentWrites(60, 9);
  ok[69] = sop<RIn, RegisterValue>(R, [ok[69].invokeMs, ok[69].completeMs], 1004);
  const fine = searchLinearization(registerModel(), ok, 1e6);
  assert.equal(fine.verdict, "ok");
  assert.equal(fine.order.length, 70);
  assert.deepEqual(fine.order.slice(0, 60), [...Array(60).keys()]);
  assert.equal(fine.order[68], 64); // write 1004 is op 64, right before the read
  assert.equal(fine.order[69], 69);
  assert.equal(fine.state, 1004);
});

Deno.test("search: the cache charges its memory account as it grows", () => {
  // The constructor charges 256 entries of 32 bytes (hash, head, length, offset: 4 each; two
  // table slots and a state: 8 each) plus a 256-word pool: 9216 bytes. With ≤ 32 operations an
  // entry keeps one word, so 2304 entries grow the pool 256 → 4096 words (4 bytes per new word)
  // and the entries 256 → 4096 (32 bytes per new entry): 9216 + 36 · 3840 = 147456 bytes.
  const roomy = new MemoryAccount(1e9);
  const s = new LinearizationSearch(registerModel(), concurrentWrites(0, 9), { memory: roomy });
  assert.equal(roomy.used, 9216);
  assert.equal(s.run(1e6), true);
  assert.equal(s.verdict, "illegal");
  assert.equal(roomy.used, 147456);
  assert.equal(s.outcome().outOfMemory, false);

  // One byte short: the last doubling (at entry 2049) is refused, after the pool's growth.
  const tight = new MemoryAccount(147455);
  const t = new LinearizationSearch(registerModel(), concurrentWrites(0, 9), { memory: tight });
  assert.equal(t.run(1e6), false);
  assert.equal(t.verdict, "unknown");
  assert.equal(t.outOfMemory, true);
  const o = t.outcome();
  assert.deepEqual([o.verdict, o.outOfMemory, o.cacheSize], ["unknown", true, 2048]);
  assert.equal(tight.used, 147456 - 32 * 2048);
  const steps = t.steps;
  assert.equal(t.run(1e6), false); // never advances again
  assert.equal(t.steps, steps);

  // The pool's growth refused: budget ends just before entry 257's pool words (1024 bytes).
  const pool = new MemoryAccount(9216 + 1023);
  const p = new LinearizationSearch(registerModel(), concurrentWrites(0, 9), { memory: pool });
  assert.equal(p.run(1e6), false);
  assert.deepEqual([p.outcome().cacheSize, p.outOfMemory, pool.used], [256, true, 9216]);

  // Not even the first 256 entries: out of memory before any step.
  const none = new MemoryAccount(9215);
  const n = new LinearizationSearch(registerModel(), concurrentWrites(0, 2), { memory: none });
  assert.equal(n.outOfMemory, true);
  assert.equal(none.used, 0);
  assert.equal(n.run(100), false);
  assert.equal(n.steps, 0);
  assert.deepEqual(
    [n.outcome().verdict, n.outcome().outOfMemory, n.outcome().cacheSize],
    ["unknown", true, 0],
  );
  // exactly enough for the first 256
  const just = new MemoryAccount(9216);
  const j = new LinearizationSearch(registerModel(), concurrentWrites(0, 2), { memory: just });
  assert.equal(j.outOfMemory, false);
  assert.equal(j.run(100), true);
  assert.equal(j.verdict, "illegal");
  assert.equal(j.outcome().cacheSize, 4); // 2 · 2^1
});

Deno.test("search: a set reached in different orders is one cache entry, across bitset words", () => {
  // 60 sequential writes, then 9 concurrent writes of the same value (ops 60..68, in words 1
  // and 2) and a read of a value never written: one configuration per prefix length and one
  // per nonempty subset of the concurrent writes (the state is 7 whatever the order).
  const ops = concurrentWrites(60, 9).map((o, i) =>
    i >= 60 && i < 69 ? sop<RIn, RegisterValue>(W(7), [o.invokeMs, o.completeMs], null) : o
  );
  const out = searchLinearization(registerModel(), ops, 1e6, { record: false });
  assert.equal(out.verdict, "illegal");
  assert.equal(out.cacheSize, 60 + 2 ** 9 - 1);
  // the same with the concurrent block inside word 0 and word 1 (ops 26..34)
  const low = concurrentWrites(26, 9).map((o, i) =>
    i >= 26 && i < 35 ? sop<RIn, RegisterValue>(W(7), [o.invokeMs, o.completeMs], null) : o
  );
  assert.equal(searchLinearization(registerModel(), low, 1e6).cacheSize, 26 + 2 ** 9 - 1);
});

Deno.test("search: a full bitset word costs the cache nothing", () => {
  // 32 sequential writes fill word 0: from then on an entry keeps word 1 only. Entries: 31 of
  // one word, one of none ({0..31}), then 8 · 2^7 = 1024 of one word: 1056 entries, 1055 pool
  // words. Charges: 9216 at first, entries 256 → 2048 (32 · 1792), pool 256 → 2048 (4 · 1792).
  const mem = new MemoryAccount(1e9);
  const s = new LinearizationSearch(registerModel(), concurrentWrites(32, 8), { memory: mem });
  assert.equal(s.run(1e6), true);
  assert.equal(s.verdict, "illegal");
  assert.equal(s.outcome().cacheSize, 32 + 8 * 2 ** 7);
  assert.equal(mem.used, 9216 + 36 * 1792);
});

Deno.test("search: a deadline operation whose effect is cached may still not take effect", () => {
  // a = write 1 [0, 2] and b = write 1 [1, 3], both unknown with deadlines, then read nil.
  // 1 c_a (1); 2 c_b (1); 3 c_r fails; 4 r_r: record, undo b (no effect would be the same
  // state); 5 r_b: undo a, take a's "no effect"; 6 c_b: ({a, b}, 1) is cached, so b takes "no
  // effect"; 7 c_r reads nil. Both skipped.
  const ops = [
    sop<RIn, RegisterValue>(W(1), [0, 2]),
    sop<RIn, RegisterValue>(W(1), [1, 3]),
    sop<RIn, RegisterValue>(R, [4, 5], null),
  ];
  assert.deepEqual(searchLinearization(registerModel(), ops, 100), {
    verdict: "ok",
    steps: 7,
    order: [0, 1, 2],
    skipped: [0, 1],
    state: null,
    frontier: [],
    cacheSize: 5,
    bestDepth: 3,
    outOfMemory: false,
  });
});

Deno.test("search: the frontier holds only the calls before the pending return", () => {
  // write 1, read 2 (stale), write 3 after it: stuck at r1 with c1 the only candidate
  const ops = [
    sop(W(1), [0, 1], null),
    sop<RIn, RegisterValue>(R, [2, 3], 2),
    sop(W(3), [4, 5], null),
  ];
  const out = searchLinearization(registerModel(), ops, 100);
  assert.deepEqual([out.verdict, out.order, out.frontier], ["illegal", [0], [1]]);
  // two calls before the stuck return: both are candidates
  const two = [
    sop(W(1), [0, 1], null),
    sop<RIn, RegisterValue>(R, [2, 4], 2),
    sop<RIn, RegisterValue>(R, [3, 5], 1),
    sop(W(3), [6, 7], null),
  ];
  const o2 = searchLinearization(registerModel(), two, 100);
  // read 1 linearizes after write 1 (depth 2); read 2 is then stuck at its return
  assert.deepEqual([o2.verdict, o2.order, o2.frontier, o2.state], ["illegal", [0, 2], [1], 1]);
});

/** The bank as a nondeterministic model (stepAll): every possible next state. */
const bankAll: typeof bank = {
  ...bank,
  stepAll: (s, input, output) => {
    const next = bank.step(s, input, output);
    return next === undefined ? [] : [next];
  },
};

Deno.test("search: with stepAll, an impossible unknown operation is skipped", () => {
  // as with step: take(1) from 0 without a deadline has no outcome, so "no effect" is offered
  const ops = [sop(take(1), [0, Infinity]), sop(bread, [2, 3], 0)];
  const out = searchLinearization(bankAll, ops, 100);
  assert.deepEqual(
    [out.verdict, out.steps, out.order, out.skipped, out.state, out.cacheSize],
    ["ok", 2, [0, 1], [0], 0, 2],
  );
  // a possible one without a deadline gets no skip choice: take(1) after dep(1) is taken
  const dep = { f: "dep" as const, k: 1 };
  const possible = [sop(dep, [0, 1], null), sop(take(1), [2, Infinity]), sop(bread, [3, 4], 0)];
  const o2 = searchLinearization(bankAll, possible, 100);
  assert.deepEqual([o2.verdict, o2.order, o2.skipped, o2.state], ["ok", [0, 1, 2], [], 0]);
});

Deno.test("search: cached sets are compared word by word, not only by their Zobrist hash", () => {
  // The search keys op i by fmix32((i + 1) · 0x9e3779b9). Among 39 such 32-bit keys some
  // nonempty subset T XORs to 0 (Gaussian elimination over GF(2)): the sets A and A ∪ T then
  // hash alike. With a model whose state never changes (every op is add(0)) and ops in
  // sequence, A = {39} followed by T is a path through both: the history is trivially ok.
  const keys = Array.from({ length: 39 }, (_, i) => fmix32(Math.imul(i + 1, 0x9e3779b9)) >>> 0);
  const basis: { v: number; set: Set<number> }[] = [];
  let t: Set<number> | undefined;
  for (let i = 0; i < keys.length && t === undefined; i++) {
    let v = keys[i];
    let set = new Set([i]);
    for (const b of basis) {
      if (((v ^ b.v) >>> 0) < v) {
        v = (v ^ b.v) >>> 0;
        set = new Set(
          [...set].filter((x) => !b.set.has(x)).concat([...b.set].filter((x) => !set.has(x))),
        );
      }
    }
    if (v === 0) t = set;
    else basis.push({ v, set });
  }
  assert.ok(t !== undefined && t.size > 0);
  assert.equal([...t].reduce((x, i) => (x ^ keys[i]) >>> 0, 0), 0);
  const inT = [...t].sort((a, b) => a - b);
  const rest = keys.map((_, i) => i).filter((i) => !t!.has(i));
  assert.ok(rest.some((i) => i < 32)); // word 0 never fills: every set keeps words 0..1
  const seq = [39, ...inT, ...rest];
  type AI = { f: "add"; k: number } | { f: "read" };
  const ops: SearchOp<AI, number | null>[] = [];
  seq.forEach((
    i,
    pos,
  ) => (ops[i] = sop<AI, number | null>({ f: "add", k: 0 }, [2 * pos, 2 * pos + 1], null)));
  const out = searchLinearization(addCounter, ops, 1000);
  assert.deepEqual([out.verdict, out.steps, out.cacheSize], ["ok", 40, 40]);
  assert.deepEqual(out.order, seq);
});

Deno.test("model: ModelError names itself and keeps the operation; unknownOutput is a named symbol", () => {
  const e = new ModelError("bad input");
  assert.ok(e instanceof Error);
  assert.equal(e.name, "ModelError");
  assert.equal(e.message, "bad input");
  assert.equal(e.operation, undefined);
  const o = op("read");
  assert.equal(new ModelError("x", o).operation, o);
  assert.match(String(new ModelError("y", o)), /^ModelError: y$/);
  assert.equal(typeof unknownOutput, "symbol");
  assert.equal(unknownOutput.description, "unknownOutput");
});

Deno.test("search: a search records its prefix only when asked (searchLinearization asks)", () => {
  const ops = [sop(W(1), [0, 1], null), sop<RIn, RegisterValue>(R, [2, 3], 2)];
  const quiet = new LinearizationSearch(registerModel(), ops);
  assert.equal(quiet.run(100), true);
  const o = quiet.outcome();
  assert.deepEqual([o.verdict, o.order, o.frontier, o.bestDepth], ["illegal", [], [], 1]);
  const loud = searchLinearization(registerModel(), ops, 100);
  assert.deepEqual([loud.order, loud.frontier], [[0], [1]]);
});

Deno.test("search: lifting and restoring operations keeps the time-ordered list intact", () => {
  // read 1 [0, 10], write 1 [1, 5], write 2 [2, 20]: op 1's return sits right before op 0's
  // when op 1 is lifted first. The only order is write 1, read 1, write 2: 4 steps (c0 fails,
  // c1, c0, c2).
  const a = [
    sop<RIn, RegisterValue>(R, [0, 10], 1),
    sop(W(1), [1, 5], null),
    sop(W(2), [2, 20], null),
  ];
  const out = searchLinearization(registerModel(), a, 100);
  assert.deepEqual([out.verdict, out.steps, out.order, out.state], ["ok", 4, [1, 0, 2], 2]);
  // read 3 [0, 5.5], write 1 [1, 5], write 3 [2, 4], read 1 [6, 7]: write 1 is tried first
  // and undone (its return again right before op 0's); the only order is write 3, read 3,
  // write 1, read 1.
  const b = [
    sop<RIn, RegisterValue>(R, [0, 5.5], 3),
    sop(W(1), [1, 5], null),
    sop(W(3), [2, 4], null),
    sop<RIn, RegisterValue>(R, [6, 7], 1),
  ];
  const o2 = searchLinearization(registerModel(), b, 1000);
  assert.deepEqual([o2.verdict, o2.order, o2.state], ["ok", [2, 0, 1, 3], 1]);
});

Deno.test("search: an outcome equal to one already tried is a cache hit, whatever the set's width", () => {
  // inc with two equal outcomes (+1, +1), then a read of 5: 1 c0 (+1); 2 c1 fails; 3 r1: the
  // second outcome is the cached ({0}, 1), so op 0 is undone; 4 r0 with nothing linearized.
  // 31 reads with unknown outcome (dropped) widen the linearized set to two words.
  type CI = "inc" | "read";
  const twice: Model<number, CI, number | null> = {
    ...flakyCounter,
    stepAll: (s, input, output) =>
      input === "inc" ? [s + 1, s + 1] : output === unknownOutput || output === s ? [s] : [],
  };
  for (const pad of [0, 31]) {
    const ops = [
      sop<CI, number | null>("inc", [0, 1], null),
      sop<CI, number | null>("read", [2, 3], 5),
    ];
    for (let i = 0; i < pad; i++) ops.push(sop<CI, number | null>("read", [4 + i, Infinity]));
    const out = searchLinearization(twice, ops, 100);
    assert.deepEqual([out.verdict, out.steps, out.cacheSize], ["illegal", 4, 1], `pad ${pad}`);
  }
});
