/**
 * More tests written to kill mutants `deno task mutate lib/checkers` left alive: the searches'
 * caches (which configurations count as seen, what they cost), the register search's reuse of its
 * arrays, the order partitions are decided in, and the words of a few explanations. Expected
 * values are counted by hand from the definitions cited in each test.
 */
import assert from "node:assert/strict";
import {
  casRegisterModel,
  checkCausal,
  checkConvergence,
  checkLinearizability,
  checkSequential,
  checkStaleness,
  kvModel,
  parseEdnHistory,
  ParseError,
  parseJepsenLog,
  registerModel,
  unknownOutput,
} from "@lab/checkers/mod.ts";
import { showEdn } from "@lab/checkers/_edn.ts";
import { generateLaggingHistory } from "@lab/checkers/_gen.ts";
import { causalPath, computeClocks, toRwHistory } from "@lab/checkers/_rw_history.ts";
import { get, put } from "./_weak_helpers.ts";
import type { Model } from "@lab/checkers/mod.ts";
import type { Operation } from "@lab/workload/history.ts";
import type { RegisterInput, RegisterValue } from "@lab/checkers/_lin_models.ts";
import { MemoryAccount, orderEntries, searchLinearization } from "@lab/checkers/_lin_search.ts";
import type { SearchOp } from "@lab/checkers/_lin_search.ts";
import { RegisterSearch, searchRegister } from "@lab/checkers/_lin_register.ts";
import { memoKey } from "@lab/checkers/sequential.ts";
import { flakyCounter, history, r, w } from "./_helpers.ts";
import type { OpSpec } from "./_helpers.ts";

type Op = SearchOp<RegisterInput, RegisterValue>;
const write = (value: RegisterValue, at: [number, number]): Op => ({
  input: { f: "write", value },
  output: null,
  invokeMs: at[0],
  completeMs: at[1],
});
const read = (value: RegisterValue, at: [number, number]): Op => ({
  input: { f: "read" },
  output: value,
  invokeMs: at[0],
  completeMs: at[1],
});

/** The register search over `ops` with the model's reading of them. */
function registerSearch(ops: readonly Op[], space: RegisterSearch, maxSteps = 1_000_000) {
  return searchRegister(
    registerModel(),
    ops.map((o) => o.input),
    ops.map((o) => o.output),
    ops as unknown as Operation[],
    maxSteps,
    space,
  );
}

Deno.test("checkers: a cas is described with its outcome: ok, fail, or ? when unknown", () => {
  const m = casRegisterModel();
  const input: RegisterInput = { f: "cas", from: 1, to: 2 };
  assert.equal(m.describe(input, true), "cas(1, 2) → ok");
  assert.equal(m.describe(input, false), "cas(1, 2) → fail");
  assert.equal(m.describe(input, unknownOutput), "cas(1, 2) → ?");
});

Deno.test("checkers: orderEntries orders calls and returns by time, calls first on ties, dropped ops left out", () => {
  // op 0 [0, 10], op 1 [5, 20], op 2 dropped, op 3 [10, 12]; entries are 2i (call), 2i + 1 (return)
  const times = Float64Array.from([0, 10, 5, 20, 1, 2, 10, 12]);
  const dropped = Uint8Array.from([0, 0, 1, 0]);
  // by hand: c0@0, c1@5, c3@10 (a call at 10 goes before the return at 10), r0@10, r3@12, r1@20
  assert.deepEqual(Array.from(orderEntries(times, dropped, 3)), [0, 2, 6, 1, 7, 3]);
  // calls listed out of time order: op 0 [5, 6], op 1 [0, 10] → c1@0, c0@5, r0@6, r1@10
  const late = Float64Array.from([5, 6, 0, 10]);
  assert.deepEqual(Array.from(orderEntries(late, new Uint8Array(2), 2)), [2, 0, 1, 3]);
});

/**
 * 97 operations: writes 1..32 one after another (ops 0..31: the first bitset word fills up), two
 * concurrent writes of 100 (ops 32 and 64: bitset words 1 and 2), a read of 7 after them (op 33,
 * impossible: the register holds 100), and writes nobody reaches (the rest: words 1 to 3).
 * Every attempt dies at the read, so the search meets each configuration once: the 32 prefixes
 * {0..i} (state i + 1), then {32}, {32, 64} and {64} after the whole prefix (state 100): 35. The
 * second visit of {32, 64} (64 first, then 32) is a cache hit on an entry followed in the cache
 * by that of {64}, whose first kept word (word 1) is zero, as is word 3 of the set.
 */
function cacheHistory(): Op[] {
  const ops: Op[] = [];
  for (let i = 0; i < 32; i++) ops.push(write(i + 1, [10 * i, 10 * i + 1]));
  ops.push(write(100, [400, 410]), read(7, [420, 421]));
  while (ops.length < 97) {
    const k = ops.length;
    ops.push(k === 64 ? write(100, [400, 410]) : write(200 + k, [500 + 10 * k, 501 + 10 * k]));
  }
  return ops;
}

Deno.test("checkers: the search caches each (linearized set, state) once, past a full bitset word", () => {
  const out = searchLinearization(registerModel(), cacheHistory(), 1_000_000, { record: false });
  assert.equal(out.verdict, "illegal");
  assert.equal(out.cacheSize, 35);
});

Deno.test("checkers: the register search caches each (linearized set, value) once, past a full bitset word", () => {
  const out = registerSearch(cacheHistory(), new RegisterSearch(undefined));
  assert.ok(out !== undefined);
  assert.equal(out.verdict, "illegal");
  assert.equal(out.cacheSize, 35);
});

Deno.test("checkers: the search's cache keeps only the words from the first not-full one (memory charged)", () => {
  // 400 writes one after another: 400 configurations {0..i}. An entry keeps the words from the
  // first that is not all ones to the last non-zero one: one word, none when i + 1 is a multiple
  // of 32 (12 such i below 400), so 388 words. Charges: the initial cache of 256 entries
  // (32 bytes each + 4 per pool word: 9216), the pool doubled to 512 words when the 265th entry
  // needs word 257 (4 × 256 = 1024), the entries doubled at the 257th (32 × 256 = 8192).
  const ops = Array.from({ length: 400 }, (_, i) => write(i + 1, [2 * i, 2 * i + 1]));
  const memory = new MemoryAccount(1e9);
  const out = searchLinearization(registerModel(), ops, 1_000_000, { memory });
  assert.equal(out.verdict, "ok");
  assert.equal(out.cacheSize, 400);
  assert.equal(memory.used, 9216 + 1024 + 8192);
});

/**
 * Eight concurrent writes of 1..8 and then a read of 99, which nobody wrote: every configuration
 * (a non-empty set of writes, the last one's value) is explored once: Σ C(8, j) · j = 8 · 2^7.
 */
function concurrentWrites(): Op[] {
  const ops = Array.from({ length: 8 }, (_, i) => write(i + 1, [0, 10]));
  ops.push(read(99, [20, 21]));
  return ops;
}

Deno.test("checkers: the register search grows its cache without a memory account", () => {
  const out = registerSearch(concurrentWrites(), new RegisterSearch(undefined));
  assert.ok(out !== undefined);
  assert.equal(out.verdict, "illegal");
  assert.equal(out.cacheSize, 1024);
  assert.equal(out.outOfMemory, false);
});

Deno.test("checkers: the register search stops out of memory when its cache may not double", () => {
  // reset(9): arrays for max(2 · 9, 64) = 64 operations (32 bytes each: 2048) and a cache of 64
  // entries (28 + 8 bytes each: 2304). Doubling the cache at its 65th entry would cost another
  // 2304 bytes; 1280 are left, so the search stops with 64 entries.
  const memory = new MemoryAccount(2048 + 2304 + 1280);
  const out = registerSearch(concurrentWrites(), new RegisterSearch(memory));
  assert.ok(out !== undefined);
  assert.equal(out.verdict, "unknown");
  assert.equal(out.outOfMemory, true);
  assert.equal(out.cacheSize, 64);
});

Deno.test("checkers: a register search declined for a partition still has room for the next one", () => {
  const space = new RegisterSearch(undefined);
  // a vector value has no key: the register search declines (the general search takes over)
  assert.equal(registerSearch([write([1, 2], [0, 1]), read([1, 2], [2, 3])], space), undefined);
  // then one read of 5 from an empty register: illegal, whatever came before
  const out = registerSearch([read(5, [0, 1])], space);
  assert.ok(out !== undefined);
  assert.equal(out.verdict, "illegal");
  const ok = registerSearch([read(null, [0, 1])], space);
  assert.equal(ok?.verdict, "ok");
  assert.deepEqual(ok?.order, [0]);
});

/** A counter (inc, read) with no register view, partitioned by the operations' key. */
const keyedCounter: Model<number, "inc" | "read", number | null> = {
  name: "keyed-counter",
  init: () => 0,
  input: (op) => (op.f === "inc" ? "inc" : "read"),
  output: (op) => (op.f === "read" ? op.output as number : null),
  step: (s, input, output) =>
    input === "inc" ? s + 1 : output === unknownOutput || output === s ? s : undefined,
  hash: (s) => s,
  equal: (a, b) => a === b,
  readOnly: (input) => input === "read",
  describe: (input, output) => (input === "inc" ? "inc" : `read → ${String(output)}`),
  describeState: (s) => String(s),
  partition: (ops) =>
    ["a", "b"].map((key) => ({
      label: `key ${key}`,
      key,
      operations: ops.filter((op) => op.key === key),
    })),
};

Deno.test("checkers: partitions without a register view are searched round-robin from the first", () => {
  // key a: inc then a read of 1 (linearizable, two steps); key b: 63 incs then a read of 0
  // (illegal). Round-robin starts with the first partition, so a is decided before b stops
  // the check.
  const ops = [
    { p: 0, f: "inc", key: "a", at: [0, 1] as [number, number] },
    { p: 0, f: "read", key: "a", out: 1, at: [2, 3] as [number, number] },
    ...Array.from({ length: 63 }, (_, i) => ({
      p: 1,
      f: "inc",
      key: "b",
      at: [10 + 2 * i, 11 + 2 * i] as [number, number],
    })),
    { p: 1, f: "read", key: "b", out: 0, at: [500, 501] as [number, number] },
  ];
  const res = checkLinearizability(history(...ops), keyedCounter, { witness: false });
  assert.equal(res.verdict, "illegal");
  assert.deepEqual(res.partitions.map((p) => [p.label, p.operations, p.verdict]), [
    ["key a", 2, "ok"],
    ["key b", 64, "illegal"],
  ]);
});

Deno.test("checkers: a zone conflict's partition reports the longest prefix and the stuck frontier", () => {
  // write 1, write 2, then a read of 1: the cluster of 1 holds the register over [1, 4] while
  // write 2 lies inside. The search of these three gets as far as [w1, w2] and is stuck at the
  // read.
  const res = checkLinearizability(
    history(w(0, 1, [0, 1]), w(0, 2, [2, 3]), r(1, 1, [4, 5])),
    registerModel(),
  );
  assert.equal(res.verdict, "illegal");
  const p = res.partitions[0];
  assert.equal(p.method, "zones");
  assert.equal(p.longestPrefix, 2);
  assert.deepEqual(p.linearization, [0, 1]);
  assert.deepEqual(p.frontier, [2]);
});

Deno.test("checkers: a divergence lists each value's replicas, comma-separated, and absent keys", () => {
  const res = checkConvergence([
    { replica: "r1", state: { x: 1 } },
    { replica: "r2", state: { x: 1 } },
    { replica: "r3", state: {} },
  ]);
  assert.equal(res.verdict, "illegal");
  assert.equal(
    res.witness?.explanation,
    'replicas disagree on key "x":\n    1: r1, r2\n    absent: r3',
  );
});

Deno.test("checkers: a sequential witness shrunk with every search out of budget is not minimal", () => {
  // p1 reads 2 then 1 while p0 wrote 1 before 2: illegal. With no steps for the shrinking, every
  // deletion check runs out of budget, so nothing is deleted and minimality is not established.
  const res = checkSequential(
    history(w(0, 1, [0, 1]), w(0, 2, [2, 3]), r(1, 2, [4, 5]), r(1, 1, [6, 7])),
    { minimizeStepBudget: 0 },
  );
  assert.equal(res.verdict, "illegal");
  assert.equal(res.witness?.minimal, false);
  assert.equal(res.witness?.operations.length, 4);
  assert.doesNotMatch(res.explanation, /\(minimal\)/);
});

Deno.test("checkers: a sequential witness that deleting any one operation clears is minimal", () => {
  // by hand, deleting w1 (with its read), w2 (with its read), read 2 or read 1 leaves a history
  // with a sequential order, so the four operations are a minimal witness
  const res = checkSequential(
    history(w(0, 1, [0, 1]), w(0, 2, [2, 3]), r(1, 2, [4, 5]), r(1, 1, [6, 7])),
  );
  assert.equal(res.verdict, "illegal");
  assert.equal(res.witness?.minimal, true);
  assert.match(res.explanation, /4 operation\(s\) already contradict each other \(minimal\):/);
});

/** A counter whose `inc` adds 1 or 2: only `stepAll` describes it (`step` must not be used). */
const twoStepCounter: Model<number, "inc" | "read", number | null> = {
  ...flakyCounter,
  name: "two-step-counter",
  step: (s, input, output) =>
    input === "inc" ? s + 1 : output === unknownOutput || output === s ? s : undefined,
};

Deno.test("checkers: the general search takes every next state stepAll gives", () => {
  // one inc then a read of 2: the inc may add 2 (stepAll), though `step` alone would give 1
  const ops = [
    { input: "inc" as const, output: null, invokeMs: 0, completeMs: 1 },
    { input: "read" as const, output: 2, invokeMs: 2, completeMs: 3 },
  ];
  const out = searchLinearization(twoStepCounter, ops, 1000);
  assert.equal(out.verdict, "ok");
  assert.deepEqual(out.order, [0, 1]);
  assert.equal(out.state, 2);
});

Deno.test("checkers: the sequential search tells positions (1, 10) and (11, 0) apart", () => {
  // p0: y := 1, then nine reads of 1. p1: x := 1, y := 1, nine reads of 1, y := 2, a read of 1.
  // By hand, a sequential order: p1 up to its y := 2, then all of p0 (y := 1 and its reads),
  // then p1's last read of 1. The search reaches p0 after one operation and p1 after ten, and
  // later p0 after eleven and p1 after none, with the same store (x = 1, y = 1): as strings
  // without a separator both positions read "110", yet only the second leads on to an order.
  const ops: OpSpec[] = [
    { p: 0, f: "write", key: "y", in: 1, at: [3, 4] },
    ...Array.from({ length: 9 }, (_, i) => get(0, "y", 1, [10 + 2 * i, 11 + 2 * i])),
    { p: 1, f: "write", key: "x", in: 1, at: [1, 2] },
    { p: 1, f: "write", key: "y", in: 1, at: [5, 6] },
    ...Array.from({ length: 9 }, (_, i) => get(1, "y", 1, [11 + 2 * i, 12 + 2 * i])),
    { p: 1, f: "write", key: "y", in: 2, at: [60, 61] },
    { p: 1, f: "read", key: "y", out: 1, at: [62, 63] },
  ];
  assert.equal(checkSequential(history(...ops)).verdict, "ok");
});

Deno.test("checkers: the sequential search tells stores apart whose values print alike run together", () => {
  // By hand, a sequential order: p1 (y := "b", x := "as:", z is nil), then p0 (x := "a",
  // y := "s:b", z is nil), then p2 (z := 1, x is "a"). The search first tries p0 before p1,
  // reaching x = "as:", y = "b" (x is not "a": p2 is stuck); with p1 first it reaches x = "a",
  // y = "s:b", whose values' keys ("s:a", "s:s:b") run together as those of the first
  // ("s:as:", "s:b") do: only a separator tells the two stores apart.
  const res = checkSequential(history(
    { p: 0, f: "write", key: "x", in: "a", at: [0, 1] },
    { p: 0, f: "write", key: "y", in: "s:b", at: [2, 3] },
    { p: 0, f: "read", key: "z", out: null, at: [4, 5] },
    { p: 1, f: "write", key: "y", in: "b", at: [10, 11] },
    { p: 1, f: "write", key: "x", in: "as:", at: [12, 13] },
    { p: 1, f: "read", key: "z", out: null, at: [14, 15] },
    { p: 2, f: "write", key: "z", in: 1, at: [20, 21] },
    { p: 2, f: "read", key: "x", out: "a", at: [22, 23] },
  ));
  assert.equal(res.verdict, "ok");
});

Deno.test("checkers: a reused register search starts from an empty linearized set", () => {
  const space = new RegisterSearch(undefined);
  // first partition: 40 writes one after another, all linearized
  const first = Array.from({ length: 40 }, (_, i) => write(i + 1, [2 * i, 2 * i + 1]));
  assert.equal(registerSearch(first, space)?.verdict, "ok");
  // second, 40 operations: writes of 1, 1 and 2 at once, then a read of 3 (nobody wrote it),
  // then writes nobody reaches. Each configuration (a non-empty set of the three writes, the
  // value of one written last) is met once: {a}, {b}, {c}, {a, b} with 1; {a, c}, {b, c} and
  // {a, b, c} with 1 or 2: 10.
  const second = [
    write(1, [0, 10]),
    write(1, [0, 10]),
    write(2, [0, 10]),
    read(3, [20, 21]),
    ...Array.from({ length: 36 }, (_, i) => write(10 + i, [30 + 2 * i, 31 + 2 * i])),
  ];
  const out = registerSearch(second, space);
  assert.equal(out?.verdict, "illegal");
  assert.equal(out?.cacheSize, 10);
});

Deno.test("checkers: the sequential search tries the session whose next operation was invoked first", () => {
  // p0: x := 1 at 0, x := 3 at 30; p1: x := 2 at 10; p2 reads 1, 2, 3. After x := 1 the next
  // operations are p0's x := 3 (invoked at 30) and p1's x := 2 (at 10): p1 goes first, and the
  // order x := 1, x := 2, x := 3 is found placing each write once: 3 steps.
  const res = checkSequential(history(
    w(0, 1, [0, 1]),
    w(0, 3, [30, 31]),
    w(1, 2, [10, 11]),
    r(2, 1, [40, 41]),
    r(2, 2, [42, 43]),
    r(2, 3, [44, 45]),
  ));
  assert.equal(res.verdict, "ok");
  assert.equal(res.steps, 3);
  assert.deepEqual(res.order, [0, 3, 2, 4, 1, 5]);
});

Deno.test("checkers: a malformed log line of 60 characters is quoted whole, one of 61 cut", () => {
  for (const [n, shown] of [[60, "g".repeat(60)], [61, "g".repeat(57) + "..."]] as const) {
    assert.throws(
      () => parseJepsenLog("g".repeat(n)),
      (e: unknown) => e instanceof ParseError && e.message.includes(JSON.stringify(shown)),
    );
  }
});

Deno.test("checkers: an empty key-value state is described as {}", () => {
  const m = kvModel();
  assert.equal(m.describeState(m.init()), "{}");
});

Deno.test("checkers: a replica state that is not an object is refused", () => {
  assert.throws(
    () => checkConvergence([{ replica: "r1", state: 5 as unknown as Record<string, unknown> }]),
    (e: unknown) =>
      e instanceof TypeError && e.message === "snapshots[0].state: expected a Map or an object",
  );
});

Deno.test("checkers: a kv get of nil reads the initial value, so a small key is decided by zones", () => {
  // one key, unique values, under 64 operations: the register rule sends it straight to zones
  // (Gibbons & Korach); a get of nil is a read of the initial value, a get of "a" of the put
  const h = history(
    { p: 0, f: "read", key: "k", in: null, out: null, at: [0, 1] },
    { p: 1, f: "write", key: "k", in: "a", at: [2, 3] },
    { p: 0, f: "read", key: "k", in: null, out: "a", at: [4, 5] },
  );
  const res = checkLinearizability(h, kvModel({ initial: null }));
  assert.equal(res.verdict, "ok");
  assert.deepEqual(res.partitions.map((p) => [p.method, p.operations]), [["zones", 3]]);
});

Deno.test("checkers: the sequential search's memo tells apart states whose values hold U+0001", () => {
  const pos = new Int32Array([1, 1]);
  // two different states: x = "a\u0001s:b", y = "c" against x = "a", y = "b\u0001s:c"
  const one = ["s:a\u0001s:b", "s:c"], two = ["s:a", "s:b\u0001s:c"];
  // joined with U+0001 they read the same, so the search must not join them plainly
  assert.equal(one.join("\u0001"), two.join("\u0001"));
  assert.notEqual(memoKey(pos, one, false), memoKey(pos, two, false));
  // without U+0001 in any value, the plain join is kept, and equal states still meet
  assert.equal(memoKey(pos, ["s:a", "nil"], true), "1,1|s:a\u0001nil");
  assert.equal(memoKey(pos, [...one], false), memoKey(pos, one, false));
});

// ---- training seed 112 ---------------------------------------------------------------------

Deno.test("checkers: showEdn writes an absent value as nil, like null", () => {
  assert.equal(showEdn(undefined), "nil");
  assert.equal(showEdn(null), "nil");
  assert.equal(showEdn([1, undefined]), "[1 nil]");
});

Deno.test("checkers: a lagging history's quiescent reads see every key's last write", () => {
  // after the last operation every replica catches up (module comment of _gen.ts): each
  // quiescent read returns the last value written to its key, or nil for a key never written
  const g = generateLaggingHistory({ ops: 400, keys: 6, sessions: 5, replicas: 3, seed: 9 });
  const last = new Map<string, unknown>();
  let quiescentReads = 0;
  for (const e of g.history) {
    if (e.type !== "ok") continue;
    if (e.timeMs < g.quiescentAtMs) {
      if (e.f === "write") last.set(e.key!, e.value);
      continue;
    }
    quiescentReads++;
    assert.equal(e.value, last.get(e.key!) ?? null, `${e.key} at ${e.timeMs}`);
  }
  // each of min(sessions, replicas) = 3 sessions reads each of the 6 keys once
  assert.equal(quiescentReads, 18);
  assert.ok(last.size >= 3, "some keys were written");
});

Deno.test("checkers: an EDN operation without :type is refused with 'no :type'", () => {
  assert.throws(
    () => parseEdnHistory("{:process 0, :f :read, :value nil}"),
    (e: unknown) => e instanceof ParseError && /no :type/.test(e.message),
  );
});

Deno.test("checkers: a write completing as the read is invoked does not make the read stale", () => {
  // staleness counts writes completed strictly before the read was invoked
  const res = checkStaleness(
    history(put(0, "x", 1, [0, 5]), get(1, "x", null, [5, 6]), get(1, "x", null, [6, 7])),
    { k: 1 },
  );
  assert.deepEqual(res.perRead.map((m) => [m.read, m.versionsBehind]), [[1, 0], [2, 1]]);
});

Deno.test("checkers: a causal witness lists its operations, the core ones starred", () => {
  // ThinAirRead: p1 reads 7, which nobody wrote; the core is that read (id 1)
  const res = checkCausal(history(put(0, "x", 1, [0, 1]), get(1, "x", 7, [2, 3])));
  const lines = res.witness!.explanation.split("\n");
  const listed = lines.filter((l) => /^ {2}[* ] \[\d+\] /.test(l));
  assert.ok(listed.length >= 1, res.witness!.explanation);
  assert.ok(listed.some((l) => l.startsWith("  * [1] ")), res.witness!.explanation);
  assert.equal(listed.length, res.witness!.operations.length);
});

Deno.test("checkers: a causal path from a read to a later op of its session is that program order", () => {
  // op 0: p0 writes x = 1; op 1: p1 reads x → 1; op 2: p1 writes y = 2. From op 1 to op 2 the
  // path is program order alone: [1, 2], not back through the write the read came from
  const h = toRwHistory(
    history(put(0, "x", 1, [0, 1]), get(1, "x", 1, [2, 3]), put(1, "y", 2, [4, 5])),
  );
  const c = computeClocks(h);
  assert.ok("clock" in c);
  assert.deepEqual(causalPath(h, c.clock, 1, 2), [1, 2]);
  assert.deepEqual(causalPath(h, c.clock, 0, 2), [0, 1, 2]);
});
