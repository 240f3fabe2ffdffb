/**
 * The paths the checker takes to be cheap in a fresh process: the register search asks the model
 * once per (value, operation) and forgets those answers between partitions, carves its arrays out
 * of one buffer that later partitions reuse or regrow, orders entries reading each time once, and
 * the kv model reads numeric values inline. Expected verdicts come from the definition of
 * linearizability on hand-written histories (sequential ones have a single linearization, their
 * real-time order); entry orders are sorted by hand.
 */
import assert from "node:assert/strict";
import {
  checkLinearizability,
  kvModel,
  ModelError,
  registerModel,
  unknownOutput,
} from "@lab/checkers/mod.ts";
import type { AnyModel } from "@lab/checkers/mod.ts";
import type { OpSpec } from "./_helpers.ts";
import { history } from "./_helpers.ts";
import { orderEntries } from "@lab/checkers/_lin_search.ts";

/**
 * `pairs` write-then-read pairs on `key`, one after another (op j at [t0 + 10j, t0 + 10j + 1]):
 * write(i + 1), then read → i + 1, for i = 0 .. pairs - 1; with `staleAt`, the read of pair
 * `staleAt` returns the value of the pair before it instead.
 */
function sequentialPairs(key: string, pairs: number, t0: number, staleAt = -1): OpSpec[] {
  const ops: OpSpec[] = [];
  for (let i = 0; i < pairs; i++) {
    const t = t0 + 20 * i;
    ops.push({ p: 0, f: "write", key, in: i + 1, at: [t, t + 1] });
    ops.push({
      p: 0,
      f: "read",
      key,
      in: null,
      out: i === staleAt ? i : i + 1,
      at: [t + 10, t + 11],
    });
  }
  return ops;
}

Deno.test("register search: the model's answers are not carried from one partition to the next", () => {
  // Two partitions with the same shape (32 write/read pairs, so 64 operations each: the register
  // search runs on both, sharing its arrays), the second under a model that refuses every read
  // of a written value while its register keys still say such a read keeps the state. Under that
  // model the second partition's first read (of 1, right after write(1)) cannot be linearized
  // anywhere, so the history is illegal there; a search that reused the first partition's
  // answer for (value 1, operation 1) would call it ok.
  const plain = registerModel();
  const refusing: AnyModel = {
    ...plain,
    name: "refusing",
    step: (state, input, output) =>
      input.f === "read" && output !== unknownOutput && output !== null
        ? undefined
        : plain.step(state, input, output),
  };
  const twoKeys: AnyModel = {
    ...plain,
    name: "two-keys",
    partition: (ops) => [
      { label: "a", key: "a", operations: ops.filter((op) => op.key === "a"), model: plain },
      { label: "b", key: "b", operations: ops.filter((op) => op.key === "b"), model: refusing },
    ],
  };
  const h = history(...sequentialPairs("a", 32, 0), ...sequentialPairs("b", 32, 1000));
  const res = checkLinearizability(h, twoKeys, { witness: false });
  assert.equal(res.verdict, "illegal");
  assert.deepEqual(res.partitions.map((p) => p.verdict), ["ok", "illegal"]);
  // each on its own, under the plain model both partitions are linearizable
  const plainKeys: AnyModel = {
    ...twoKeys,
    partition: (ops) =>
      ["a", "b"].map((key) => ({
        label: key,
        key,
        operations: ops.filter((op) => op.key === key),
        model: plain,
      })),
  };
  assert.equal(checkLinearizability(h, plainKeys, { witness: false }).verdict, "ok");
});

Deno.test("register search: the model is asked again when an operation is tried from another value", () => {
  // A register model that also accepts a read of 100 while the register holds 200 (its keys
  // still describe a plain register). 30 sequential write/read pairs (values 1 .. 30), then
  // write(200) and write(100), concurrent, then read → 100, then read → 200. Under this model
  // the history is linearizable: ..., write(100), write(200), read → 100 (accepted at 200),
  // read → 200. A plain register could not explain it (both reads follow both writes), so the
  // register search, which tries read → 100 first at 100 and, after backtracking, at 200, must
  // ask the model again there and hand the partition to the general search.
  const plain = registerModel();
  const lenient: AnyModel = {
    ...plain,
    name: "lenient",
    step: (state, input, output) =>
      input.f === "read" && output === 100 && state === 200
        ? state
        : plain.step(state, input, output),
  };
  const pad: OpSpec[] = [];
  for (let i = 0; i < 30; i++) {
    pad.push({ p: 0, f: "write", in: i + 1, at: [20 * i, 20 * i + 1] });
    pad.push({ p: 0, f: "read", in: null, out: i + 1, at: [20 * i + 10, 20 * i + 11] });
  }
  const h = history(
    ...pad,
    { p: 0, f: "write", in: 200, at: [1000, 1010] },
    { p: 1, f: "write", in: 100, at: [1000, 1010] },
    { p: 2, f: "read", in: null, out: 100, at: [1020, 1021] },
    { p: 2, f: "read", in: null, out: 200, at: [1030, 1031] },
  );
  assert.equal(checkLinearizability(h, lenient, { witness: false }).verdict, "ok");
  assert.equal(checkLinearizability(h, plain, { witness: false }).verdict, "illegal");
});

Deno.test("register search: arrays reused and regrown across partitions of 64, 200 and 70 operations", () => {
  // kv partitions in order of first appearance: k0 (64 operations), k1 (200: more than the room
  // for 2 × 64 the first one left, so everything is allocated again), k2 (70: fits, reused).
  // Sequential histories: the one linearization is the real-time order.
  const parts = [["k0", 32], ["k1", 100], ["k2", 35]] as const;
  const build = (staleKey: string) =>
    history(
      ...parts.flatMap(([key, pairs], g) =>
        sequentialPairs(key, pairs, 10_000 * g, key === staleKey ? pairs - 2 : -1)
      ),
    );
  const ok = checkLinearizability(build(""), kvModel(), { witness: false });
  assert.equal(ok.verdict, "ok");
  ok.partitions.forEach((p, g) => {
    assert.equal(p.operations, 2 * parts[g][1]);
    assert.equal(p.method, "search");
    // operation ids are positions in the history's operations, which are in time order here
    const first = ok.partitions.slice(0, g).reduce((s, q) => s + q.operations, 0);
    assert.deepEqual(p.linearization, Array.from({ length: p.operations }, (_, i) => first + i));
  });
  // a stale read (it returns the value that the write just before it replaced) in the last,
  // smaller partition, and then in the middle, larger one
  for (const [key, g] of [["k2", 2], ["k1", 1]] as const) {
    const bad = checkLinearizability(build(key), kvModel(), { witness: false });
    assert.equal(bad.verdict, "illegal", key);
    assert.equal(bad.partitions[g].verdict, "illegal", key);
    assert.deepEqual(bad.partitions.slice(0, g).map((p) => p.verdict), Array(g).fill("ok"), key);
  }
});

Deno.test("orderEntries: returns out of order are moved back, ties stay by operation", () => {
  // calls at 0, 1, 2, 3; returns at 10, 5, 10, 7. By time: the four calls (entries 0, 2, 4, 6),
  // then r1 (5), r3 (7), then r0 and r2 (both at 10, lower operation first).
  const times = Float64Array.from([0, 10, 1, 5, 2, 10, 3, 7]);
  assert.deepEqual(Array.from(orderEntries(times, new Uint8Array(4), 4)), [0, 2, 4, 6, 3, 7, 1, 5]);
  // a call at the same time as a return goes first: op 0 [0, 5], op 1 [5, 6], op 2 [6, 9]
  const touching = Float64Array.from([0, 5, 5, 6, 6, 9]);
  assert.deepEqual(Array.from(orderEntries(touching, new Uint8Array(3), 3)), [0, 2, 1, 4, 3, 5]);
});

Deno.test("kv model: numeric values are read as their decimal strings, anything else is refused", () => {
  const put = (v: unknown, at: [number, number]): OpSpec => ({
    p: 0,
    f: "put",
    key: "x",
    in: v,
    at,
  });
  const get = (v: unknown, at: [number, number]): OpSpec => ({
    p: 1,
    f: "get",
    key: "x",
    in: null,
    out: v,
    at,
  });
  // put(5) then get → "5": the same value once read as a string
  assert.equal(
    checkLinearizability(history(put(5, [0, 1]), get("5", [2, 3])), kvModel()).verdict,
    "ok",
  );
  assert.equal(
    checkLinearizability(history(put(5, [0, 1]), get("6", [2, 3])), kvModel()).verdict,
    "illegal",
  );
  assert.throws(
    () => checkLinearizability(history(put(true, [0, 1])), kvModel()),
    (e: unknown) =>
      e instanceof ModelError && /put value must be a string, got true/.test(e.message),
  );
});
