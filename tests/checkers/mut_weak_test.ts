/**
 * Exact outputs of the weak-consistency checkers (staleness, convergence, session guarantees,
 * sequential and causal consistency) on small hand-checked histories: verdicts, counts, witness
 * operations and explanation lines. Op ids are numbered by session (sessions in order of their
 * first invocation), then program order; each expectation below is derived by hand from the
 * checker's documented definition.
 */
import assert from "node:assert/strict";
import {
  canonicalValue,
  checkCausal,
  checkConvergence,
  checkQuiescentReads,
  checkSequential,
  checkSessionGuarantees,
  checkStaleness,
  HistoryError,
  memoKey,
  SESSION_GUARANTEES,
} from "@lab/checkers/mod.ts";
import type { SessionResult } from "@lab/checkers/mod.ts";
import type { History } from "@lab/workload/history.ts";
import { history, r, w } from "./_helpers.ts";
import { get, put } from "./_weak_helpers.ts";

const lines = (...l: string[]) => l.join("\n");

// ---------------------------------------------------------------------------------------------
// Staleness (Bailis et al. 2012)

Deno.test("staleness: bounds are validated, naming the option", () => {
  for (const k of [0, 1.5, -1, Number.NaN]) {
    assert.throws(
      () => checkStaleness([], { k }),
      (e: unknown) =>
        e instanceof RangeError && e.message === `options.k: expected an integer ≥ 1, got ${k}`,
    );
  }
  for (const tMs of [-1, Number.NaN]) {
    assert.throws(
      () => checkStaleness([], { tMs }),
      (e: unknown) =>
        e instanceof RangeError && e.message === `options.tMs: expected a number ≥ 0, got ${tMs}`,
    );
  }
  // The smallest legal bounds are accepted.
  assert.equal(checkStaleness([], { k: 1, tMs: 0 }).verdict, "ok");
  const empty = checkStaleness([]);
  assert.deepEqual(empty.histogram, []);
  assert.equal(
    empty.explanation,
    "0 reads, 0 stale; k-stale-consistent for k = 1, t-visible for t > 0 ms.",
  );
});

Deno.test("staleness: per-read measures, histogram, and the first read past each bound", () => {
  // p0 writes x 1, 2, 3 completing at 10, 30, 50. p2 (first invoked at 52, so session 1) reads
  // x → 2 at 52: write 3 completed before → 1 behind, lag 52 − 50 = 2; then y → nil (no write
  // of y: fresh). p1 reads x → 1 at 60: writes 2 and 3 missed → 2 behind, lag 60 − 30 = 30.
  // Ids: p0 0 1 2, p2 3 4, p1 5.
  const h = history(
    put(0, "x", 1, [0, 10]),
    put(0, "x", 2, [20, 30]),
    put(0, "x", 3, [40, 50]),
    get(2, "x", 2, [52, 53]),
    get(2, "y", null, [54, 55]),
    get(1, "x", 1, [60, 61]),
  );
  const res = checkStaleness(h);
  assert.equal(res.verdict, "ok");
  assert.deepEqual(res.perRead, [
    { read: 3, key: "x", invokeMs: 52, versionsBehind: 1, lagMs: 2 },
    { read: 4, key: "y", invokeMs: 54, versionsBehind: 0, lagMs: 0 },
    { read: 5, key: "x", invokeMs: 60, versionsBehind: 2, lagMs: 30 },
  ]);
  assert.equal(res.reads, 3);
  assert.equal(res.staleReads, 2);
  assert.equal(res.maxVersionsBehind, 2);
  assert.equal(res.maxLagMs, 30);
  assert.deepEqual(res.histogram, [1, 1, 1]);
  assert.equal(res.unorderedReads, 0);
  assert.equal(res.thinAirReads, 0);
  assert.equal(res.witness, undefined);
  assert.equal(
    res.explanation,
    "3 reads, 2 stale; k-stale-consistent for k = 3, t-visible for t > 30 ms.",
  );

  // k = 2: only read 5 (2 behind) breaks it; it returned write 0 and missed 1 and 2.
  const k2 = checkStaleness(h, { k: 2 });
  assert.equal(k2.verdict, "illegal");
  assert.deepEqual(k2.witness!.breaks, ["k"]);
  assert.deepEqual(k2.witness!.staleness, res.perRead[2]);
  assert.deepEqual(k2.witness!.operations.map((o) => o.id), [0, 1, 2, 5]);
  assert.equal(
    k2.explanation,
    lines(
      "3 reads, 2 stale; k-stale-consistent for k = 3, t-visible for t > 30 ms. First read past the bound:",
      "[5] returns a version 2 behind (missed 2 completed write(s), the oldest completed 30 ms before the read); k = 2:",
      '    [0] p0 write("x", 1) (0–10 ms)',
      '    [1] p0 write("x", 2) (20–30 ms)',
      '    [2] p0 write("x", 3) (40–50 ms)',
      '    [5] p1 read("x") → 1 (60–61 ms)',
    ),
  );
  // k = 1 and t = 2 ms: read 3 (1 behind, lag 2) breaks both; it is the first in history order.
  const both = checkStaleness(h, { k: 1, tMs: 2 });
  assert.deepEqual(both.witness!.breaks, ["k", "t"]);
  assert.equal(
    both.witness!.explanation,
    lines(
      "[3] returns a version 1 behind (missed 1 completed write(s), the oldest completed 2 ms before the read); k = 1; t = 2 ms:",
      '    [1] p0 write("x", 2) (20–30 ms)',
      '    [2] p0 write("x", 3) (40–50 ms)',
      '    [3] p2 read("x") → 2 (52–53 ms)',
    ),
  );
  // t = 3 ms: read 3's lag (2) is under it, read 5's (30) is not.
  const t3 = checkStaleness(h, { tMs: 3 });
  assert.deepEqual(t3.witness!.breaks, ["t"]);
  assert.equal(t3.witness!.staleness.read, 5);
  assert.match(t3.witness!.explanation, /^\[5\] returns a version 2 behind .*; t = 3 ms:$/m);
  // t = 0 ms: fresh reads (lag 0) never break it, stale ones always do.
  assert.equal(checkStaleness(h, { tMs: 0 }).witness!.staleness.read, 3);
  assert.equal(checkStaleness(h, { k: 3 }).verdict, "ok");
  assert.equal(checkStaleness(h, { tMs: 31 }).verdict, "ok");
  assert.equal(checkStaleness(history(get(0, "x", null, [0, 1])), { tMs: 0 }).verdict, "ok");
});

Deno.test("staleness: a write completing as the read is invoked is not yet committed for it", () => {
  // write 2 completes at 5; a read invoked at 5 that returns 1 is fresh, one at 6 is 1 behind.
  const h = history(
    put(0, "x", 1, [0, 1]),
    put(0, "x", 2, [2, 5]),
    get(1, "x", 1, [5, 6]),
    get(2, "x", 1, [6, 7]),
    get(3, "x", null, [1, 2]), // write 1 completed at 1, the read invoked at 1: fresh
    get(4, "x", null, [9, 10]), // both missed: 2 behind, lag 9 − 1 = 8
  );
  // Sessions by first invocation: p0 (0 1), p3 (2), p1 (3), p2 (4), p4 (5).
  const res = checkStaleness(h);
  assert.deepEqual(
    res.perRead.map((m) => [m.read, m.versionsBehind, m.lagMs]),
    [[2, 0, 0], [3, 0, 0], [4, 1, 1], [5, 2, 8]],
  );
  assert.deepEqual(res.histogram, [2, 1, 1]);
  // A read 2 behind and none 0 or 1 behind: the histogram counts 0 for those, no holes.
  const gap = checkStaleness(history(
    put(0, "x", 1, [0, 1]),
    put(0, "x", 2, [2, 3]),
    get(1, "x", null, [10, 11]),
  ));
  assert.deepEqual(gap.histogram, [0, 0, 1]);
  assert.ok(0 in gap.histogram && 1 in gap.histogram);
});

Deno.test("staleness: reads are listed in history order, across sessions", () => {
  // p1 reads at 10 and 30, p2 at 20: ids 1 2 (p1) and 3 (p2), listed 1 3 2.
  const res = checkStaleness(
    history(
      put(0, "x", 1, [0, 1]),
      get(1, "x", 1, [10, 11]),
      get(1, "x", 1, [30, 31]),
      get(2, "x", null, [20, 21]),
    ),
    { k: 1 },
  );
  assert.deepEqual(res.perRead.map((m) => m.read), [1, 3, 2]);
  assert.equal(res.witness!.staleness.read, 3);
});

Deno.test("staleness: versions are ordered by completion, ties by invocation", () => {
  // x := 1 is invoked first but completes last: the version order is 2, 1.
  const a = checkStaleness(history(
    put(0, "x", 1, [0, 10]),
    put(1, "x", 2, [1, 5]),
    get(2, "x", 2, [20, 21]),
    get(2, "x", 1, [22, 23]),
  ));
  assert.deepEqual(a.perRead.map((m) => [m.versionsBehind, m.lagMs]), [[1, 10], [0, 0]]);
  // The maxima come from the first read, not the last.
  assert.equal(a.maxVersionsBehind, 1);
  assert.equal(a.maxLagMs, 10);
  // Both complete at 10: p1's x := 5 was invoked (t = 1) before p0's x := 6 (t = 2), so 5 is
  // older. p0's session comes first (its read at t = 0), so the session order says otherwise.
  const b = checkStaleness(history(
    get(0, "y", null, [0, 0]),
    put(1, "x", 5, [1, 10]),
    put(0, "x", 6, [2, 10]),
    get(2, "x", 5, [20, 21]),
    get(2, "x", 6, [22, 23]),
  ));
  assert.deepEqual(b.perRead.map((m) => [m.key, m.versionsBehind, m.lagMs]), [
    ["y", 0, 0],
    ["x", 1, 10],
    ["x", 0, 0],
  ]);
});

Deno.test("staleness: reads of unknown-outcome writes and of unwritten values are not judged", () => {
  const res = checkStaleness(
    history(
      { p: 0, f: "write", key: "x", in: 1, at: [0, 1], status: "info" },
      { p: 2, f: "write", key: "x", in: 5, at: [0, 1], status: "fail" },
      get(1, "x", 1, [2, 3]), // reads the unknown-outcome write: unordered
      get(1, "x", 9, [4, 5]), // nobody wrote 9: thin air
      get(1, "x", 5, [6, 7]), // only a failed write wrote 5: thin air
    ),
    { k: 1 },
  );
  assert.equal(res.verdict, "ok");
  assert.equal(res.reads, 0);
  assert.deepEqual(res.perRead, []);
  assert.equal(res.unorderedReads, 1);
  assert.equal(res.thinAirReads, 2);
});

// ---------------------------------------------------------------------------------------------
// Convergence

Deno.test("convergence: snapshots are validated, naming the bad field", () => {
  const bad: [unknown[], string][] = [
    [[null], "snapshots[0].replica: expected a string"],
    [
      [{ replica: "a", state: {} }, { replica: 7, state: {} }],
      "snapshots[1].replica: expected a string",
    ],
    [[{ state: {} }], "snapshots[0].replica: expected a string"],
    [["n1"], "snapshots[0].replica: expected a string"],
    [[{ replica: "a", state: null }], "snapshots[0].state: expected a Map or an object"],
    [[{ replica: "a", state: "xyz" }], "snapshots[0].state: expected a Map or an object"],
    [[{ replica: "a" }], "snapshots[0].state: expected a Map or an object"],
  ];
  for (const [snaps, message] of bad) {
    assert.throws(
      () => checkConvergence(snaps as never),
      (e: unknown) => e instanceof TypeError && e.message === message,
      message,
    );
  }
});

Deno.test("convergence: divergent keys in sorted order, the first one explained by value groups", () => {
  const res = checkConvergence([
    { replica: "n1", state: { b: 1, a: "s", c: [1, 2] } },
    { replica: "n2", state: new Map<string, unknown>([["c", [1, 2]], ["a", "t"]]) },
    { replica: "n3", state: { a: "s", b: 1, c: [1, 2] } },
  ]);
  assert.equal(res.verdict, "illegal");
  assert.equal(res.replicas, 3);
  assert.equal(res.keys, 3);
  assert.deepEqual(res.divergentKeys, ["a", "b"]);
  assert.equal(res.witness!.key, "a");
  assert.deepEqual(res.witness!.groups, [
    { value: "s", replicas: ["n1", "n3"] },
    { value: "t", replicas: ["n2"] },
  ]);
  assert.equal(
    res.explanation,
    lines(
      "not converged: 2 of 3 key(s) differ; first:",
      'replicas disagree on key "a":',
      '    "s": n1, n3',
      '    "t": n2',
    ),
  );
  // A key missing on one replica forms the "absent" group.
  const miss = checkConvergence([
    { replica: "n1", state: { k: null } },
    { replica: "n2", state: {} },
    { replica: "n3", state: { k: [1, "a"] } },
  ]);
  assert.deepEqual(miss.witness!.groups.map((g) => g.replicas), [["n1"], ["n2"], ["n3"]]);
  assert.equal(
    miss.witness!.explanation,
    lines('replicas disagree on key "k":', "    nil: n1", "    absent: n2", '    [1 "a"]: n3'),
  );
  const ok = checkConvergence([
    { replica: "n1", state: { x: null, y: { p: 1, q: [2] } } },
    { replica: "n2", state: new Map<string, unknown>([["y", { q: [2], p: 1 }], ["x", null]]) },
  ]);
  assert.equal(ok.verdict, "ok");
  assert.deepEqual(ok.divergentKeys, []);
  assert.equal(ok.explanation, "converged: 2 replicas agree on 2 key(s).");
  assert.equal(checkConvergence([]).explanation, "converged: 0 replicas agree on 0 key(s).");
});

Deno.test("convergence: canonical values tell apart values that differ, nested in any way", () => {
  const differ: [unknown, unknown][] = [
    [1, "1"],
    [null, undefined],
    [null, "null"],
    [Symbol("a"), "a"],
    [1, 1n],
    [true, "true"],
    // Strings and symbols are quoted: their text cannot pass for separators.
    [["a", "b"], ["a,string:b"]],
    [[Symbol("a"), Symbol("b")], [Symbol("a),symbol:Symbol(b")]],
    // Brackets and braces delimit nested collections.
    [[1, [2]], [[1, 2]]],
    [[[1], 2], [[1, 2]]],
    [new Set([new Set([1]), 2]), new Set([new Set([1, 2])])],
    [new Set([1, new Set([2])]), new Set([new Set([1, 2])])],
    [{ a: { b: 1 }, c: 2 }, { a: { b: 1, c: 2 } }],
    [{ a: 1, b: { c: 2 } }, { a: { b: 1 }, c: 2 }],
    [
      new Map<string, unknown>([["a", new Map([["b", 1]])], ["c", 2]]),
      new Map<string, unknown>([["a", new Map([["b", 1], ["c", 2]])]]),
    ],
    [
      new Map<string, unknown>([["a", 1], ["c", new Map([["d", 2]])]]),
      new Map<string, unknown>([["a", new Map([["c", 1]])], ["d", 2]]),
    ],
    [new Set([1]), [1]],
    [new Map([["a", 1]]), new Set(["a", 1])],
    [{}, []],
    [[undefined], []],
    [[undefined, 1], [1]],
    [{ a: 1 }, { b: 1 }],
    [new Map([["a", 1]]), new Map([["a", 2]])],
  ];
  for (const [i, [a, b]] of differ.entries()) {
    assert.notEqual(canonicalValue(a), canonicalValue(b), `pair ${i}`);
    const res = checkConvergence([{ replica: "p", state: { k: a } }, {
      replica: "q",
      state: { k: b },
    }]);
    assert.equal(res.verdict, "illegal");
  }
  const same: [unknown, unknown][] = [
    [new Set([1, 2, 3]), new Set([3, 1, 2])],
    [new Map([["a", 1], ["b", 2]]), new Map([["b", 2], ["a", 1]])],
    [{ a: 1, b: 2 }, { b: 2, a: 1 }],
    [[1, { x: new Set(["u", "v"]) }], [1, { x: new Set(["v", "u"]) }]],
  ];
  for (const [a, b] of same) assert.equal(canonicalValue(a), canonicalValue(b));
});

Deno.test("convergence: reads after quiescence must agree per key", () => {
  const ev = (
    type: string,
    process: number,
    f: string,
    key: string,
    value: unknown,
    timeMs: number,
    node?: string,
  ) => ({
    type,
    process,
    f,
    key,
    value,
    timeMs,
    ...(node ? { node } : {}),
  });
  // p0 is session 0 (a write at t = 0). After t = 100: p1 reads x → 2 at 105, then x → 3 at
  // 108; p0 reads x → 1 at 110 and y → 1 twice. The first read of x after quiescence is p1's
  // at 105, the first to differ p1's at 108. Ids: p0 0 (write) 1 (x) 2 (y) 3 (y), p1 4 5.
  const h = [
    ev("invoke", 0, "write", "x", 1, 0, "n1"),
    ev("ok", 0, "write", "x", 1, 1, "n1"),
    ev("invoke", 1, "read", "x", null, 105, "n2"),
    ev("ok", 1, "read", "x", 2, 106, "n2"),
    ev("invoke", 1, "read", "x", null, 108),
    ev("ok", 1, "read", "x", 3, 109),
    ev("invoke", 0, "read", "x", null, 110, "n1"),
    ev("ok", 0, "read", "x", 1, 111, "n1"),
    ev("invoke", 0, "read", "y", null, 112),
    ev("ok", 0, "read", "y", 1, 113),
    ev("invoke", 0, "read", "y", null, 114),
    ev("ok", 0, "read", "y", 1, 115),
    ev("invoke", 0, "write", "z", 1, 116),
    ev("ok", 0, "write", "z", 1, 117),
  ] as unknown as History;
  const res = checkQuiescentReads(h, { quiescentAtMs: 100 });
  assert.equal(res.verdict, "illegal");
  assert.equal(res.reads, 5);
  assert.equal(res.keys, 2);
  assert.equal(res.writesAfterQuiescence, 1);
  assert.deepEqual(res.divergentKeys, ["x"]); // once, though two reads of x differ from the first
  assert.equal(res.witness!.key, "x");
  assert.deepEqual(res.witness!.operations.map((o) => o.id), [5, 6]);
  assert.equal(
    res.explanation,
    lines(
      "not converged: 1 key(s) read differently after quiescence; first:",
      'reads of key "x" after quiescence (t ≥ 100 ms) disagree:',
      '    [5] p1 read("x") → 2 at n2 (t=105)',
      '    [6] p1 read("x") → 3 (t=108)',
    ),
  );
  // A read invoked exactly at quiescentAtMs counts; the write at t = 0 does not.
  const at = checkQuiescentReads(h, { quiescentAtMs: 110 });
  assert.equal(at.verdict, "ok");
  assert.equal(at.reads, 3);
  assert.equal(at.writesAfterQuiescence, 1);
  assert.equal(at.explanation, "converged: 3 reads of 2 key(s) after quiescence agree.");
  const all = checkQuiescentReads(h, { quiescentAtMs: 0 });
  assert.equal(all.writesAfterQuiescence, 2);
  assert.deepEqual(all.divergentKeys, ["x"]);
  for (const bad of [undefined, {}, { quiescentAtMs: Number.NaN }, { quiescentAtMs: "5" }]) {
    assert.throws(
      () => checkQuiescentReads(h, bad as never),
      (e: unknown) =>
        e instanceof TypeError && e.message === "options.quiescentAtMs: expected a number (ms)",
    );
  }
});

Deno.test("convergence: several divergent keys after quiescence are each named once", () => {
  const h = history(
    get(0, "a", 1, [10, 11]),
    get(1, "a", 2, [12, 13]),
    get(0, "b", 1, [14, 15]),
    get(1, "b", 1, [16, 17]),
    get(2, "c", null, [18, 19]),
    get(2, "c", 3, [20, 21]),
    get(0, "a", 3, [22, 23]),
  );
  const res = checkQuiescentReads(h, { quiescentAtMs: 0 });
  assert.deepEqual(res.divergentKeys, ["a", "c"]);
  assert.equal(res.witness!.key, "a");
  assert.match(res.explanation, /^not converged: 2 key\(s\) read differently/);
});

// ---------------------------------------------------------------------------------------------
// Session guarantees (Terry et al. 1994)

const verdicts = (res: SessionResult) =>
  SESSION_GUARANTEES.map((g) => `${g}:${res.guarantees[g].violations}`).join(" ");

Deno.test("session: a history that writes a value twice to a key is refused", () => {
  // Versions are told apart by value, so x := 1 twice (the second at history[2]) is an error.
  assert.throws(
    () => checkSessionGuarantees(history(put(0, "x", 1, [0, 1]), put(1, "x", 1, [2, 3]))),
    (e: unknown) =>
      e instanceof HistoryError && e.index === 2 && e.field === "value" &&
      /written to key "x" twice/.test(e.message),
  );
});

Deno.test("session: the four guarantees, in Terry et al.'s order", () => {
  assert.deepEqual(SESSION_GUARANTEES, [
    "read-your-writes",
    "monotonic-reads",
    "writes-follow-reads",
    "monotonic-writes",
  ]);
});

Deno.test("session: reading one's own write, a concurrent write, or thin air breaks nothing", () => {
  // p0: x := 1 (0); read x → 1 (1, its own write); read x → 3 (2, p1's concurrent write: not
  // older than x := 1); read x → 9 (3, nobody wrote 9: left to the causal checker). p1: x := 3 (4).
  const res = checkSessionGuarantees(history(
    put(0, "x", 1, [0, 1]),
    get(0, "x", 1, [2, 3]),
    get(0, "x", 3, [4, 5]),
    get(0, "x", 9, [6, 7]),
    put(1, "x", 3, [0, 1]),
  ));
  assert.equal(res.verdict, "ok");
  assert.equal(res.versionOrder, "causal");
  assert.equal(res.operations, 5);
  assert.equal(
    verdicts(res),
    "read-your-writes:0 monotonic-reads:0 writes-follow-reads:0 monotonic-writes:0",
  );
  assert.equal(
    res.explanation,
    "read-your-writes: ok\nmonotonic-reads: ok\nwrites-follow-reads: ok\nmonotonic-writes: ok",
  );
  for (const g of SESSION_GUARANTEES) {
    assert.deepEqual(res.guarantees[g], { verdict: "ok", violations: 0, witness: undefined });
  }
});

Deno.test("session: read-your-writes and monotonic reads within one session, counted per read", () => {
  // p0: x := 1 (0); x := 2 (1); read x → 1 (2): misses its own x := 2 (RYW). read x → 2 (3).
  // read x → nil (4): misses x := 2 again (RYW) and is older than what read 3 saw (MR).
  const res = checkSessionGuarantees(history(
    put(0, "x", 1, [0, 1]),
    put(0, "x", 2, [2, 3]),
    get(0, "x", 1, [4, 5]),
    get(0, "x", 2, [6, 7]),
    get(0, "x", null, [8, 9]),
  ));
  assert.equal(res.verdict, "illegal");
  assert.equal(
    verdicts(res),
    "read-your-writes:2 monotonic-reads:1 writes-follow-reads:0 monotonic-writes:0",
  );
  const ryw = res.guarantees["read-your-writes"];
  assert.equal(ryw.verdict, "illegal");
  assert.equal(ryw.witness!.guarantee, "read-your-writes");
  assert.deepEqual([ryw.witness!.read, ryw.witness!.required, ryw.witness!.returned], [2, 1, 0]);
  assert.equal(
    ryw.witness!.explanation,
    lines(
      "read-your-writes: [2] misses the session's own earlier write.",
      '    [0] p0 write("x", 1)',
      '    [1] p0 write("x", 2)',
      '    [2] p0 read("x") → 1',
    ),
  );
  const mr = res.guarantees["monotonic-reads"].witness!;
  assert.deepEqual([mr.read, mr.required, mr.returned], [4, 1, -1]);
  assert.deepEqual(mr.operations.map((o) => o.id), [1, 3, 4]);
  assert.equal(
    res.explanation,
    lines(
      "read-your-writes: 2 violation(s); first:",
      ryw.witness!.explanation,
      "monotonic-reads: 1 violation(s); first:",
      "monotonic-reads: [4] returns an older version than [3], an earlier read of the session.",
      '    [1] p0 write("x", 2)',
      '    [3] p0 read("x") → 2',
      '    [4] p0 read("x") → nil',
      "writes-follow-reads: ok",
      "monotonic-writes: ok",
    ),
  );
});

Deno.test("session: a read older than the versions two sessions showed is one MR violation", () => {
  // p2 reads x → 1 (p0's), x → 2 (p1's), then nil: older than both floors, counted once.
  const res = checkSessionGuarantees(history(
    put(0, "x", 1, [0, 1]),
    put(1, "x", 2, [0, 1]),
    get(2, "x", 1, [2, 3]),
    get(2, "x", 2, [4, 5]),
    get(2, "x", null, [6, 7]),
  ));
  assert.equal(
    verdicts(res),
    "read-your-writes:0 monotonic-reads:1 writes-follow-reads:0 monotonic-writes:0",
  );
  const mr = res.guarantees["monotonic-reads"].witness!;
  assert.deepEqual([mr.read, mr.required, mr.returned], [4, 0, -1]);
});

Deno.test("session: monotonic writes and reads name the earliest read that set the floor", () => {
  // p0: x := 1 (0); x := 2 (1); y := 1 (2). p1: read y → 1 (3) and again (4); read x → 2 (5)
  // and again (6); read x → 1 (7). Read 7 is older than x := 2, which read 5 saw first (MR),
  // and than x := 2 that p0 wrote before y := 1, which p1 first read at 3 (MW).
  const res = checkSessionGuarantees(history(
    put(0, "x", 1, [0, 1]),
    put(0, "x", 2, [2, 3]),
    put(0, "y", 1, [4, 5]),
    get(1, "y", 1, [6, 7]),
    get(1, "y", 1, [8, 9]),
    get(1, "x", 2, [10, 11]),
    get(1, "x", 2, [12, 13]),
    get(1, "x", 1, [14, 15]),
  ));
  assert.equal(
    verdicts(res),
    "read-your-writes:0 monotonic-reads:1 writes-follow-reads:0 monotonic-writes:1",
  );
  const mr = res.guarantees["monotonic-reads"].witness!;
  assert.deepEqual([mr.read, mr.required, mr.returned], [7, 1, 0]);
  assert.equal(
    mr.explanation,
    lines(
      "monotonic-reads: [7] returns an older version than [5], an earlier read of the session.",
      '    [0] p0 write("x", 1)',
      '    [1] p0 write("x", 2)',
      '    [5] p1 read("x") → 2',
      '    [7] p1 read("x") → 1',
    ),
  );
  const mw = res.guarantees["monotonic-writes"].witness!;
  assert.equal(mw.guarantee, "monotonic-writes");
  assert.deepEqual([mw.read, mw.required, mw.returned], [7, 1, 0]);
  assert.equal(
    mw.explanation,
    lines(
      "monotonic-writes: [7] misses a write that p0 made before [2], which this session read at [3].",
      '    [0] p0 write("x", 1)',
      '    [1] p0 write("x", 2)',
      '    [2] p0 write("y", 1)',
      '    [3] p1 read("y") → 1',
      '    [7] p1 read("x") → 1',
    ),
  );
});

Deno.test("session: writes-follow-reads names the read that the writer made before its write", () => {
  // p0: x := 1 (0). p1: read x → 1 (1); y := 1 (2). p2: read y → 1 (3); read x → nil (4).
  const res = checkSessionGuarantees(history(
    put(0, "x", 1, [0, 1]),
    get(1, "x", 1, [2, 3]),
    put(1, "y", 1, [4, 5]),
    get(2, "y", 1, [6, 7]),
    get(2, "x", null, [8, 9]),
  ));
  assert.equal(
    verdicts(res),
    "read-your-writes:0 monotonic-reads:0 writes-follow-reads:1 monotonic-writes:0",
  );
  const wfr = res.guarantees["writes-follow-reads"];
  assert.equal(wfr.verdict, "illegal");
  assert.deepEqual([wfr.witness!.read, wfr.witness!.required, wfr.witness!.returned], [4, 0, -1]);
  assert.equal(
    wfr.witness!.explanation,
    lines(
      "writes-follow-reads: [4] misses a write that p1 read at [1] before writing [2], which this session read at [3].",
      '    [0] p0 write("x", 1)',
      '    [1] p1 read("x") → 1',
      '    [2] p1 write("y", 1)',
      '    [3] p2 read("y") → 1',
      '    [4] p2 read("x") → nil',
    ),
  );
});

Deno.test("session: a key nobody wrote is never stale", () => {
  // p1 reads y → 1 (p0's, after x := 1), then q → nil: no session wrote q, nothing is missed.
  const res = checkSessionGuarantees(history(
    put(0, "x", 1, [0, 1]),
    put(0, "y", 1, [2, 3]),
    get(1, "y", 1, [4, 5]),
    get(1, "q", null, [6, 7]),
  ));
  assert.equal(res.verdict, "ok");
});

Deno.test("session: a version read from another session is older than that session's next write", () => {
  // p0: x := 1 (0). p1: read x → 1 (1); x := 2 (2). p2: read x → 2 (3); read x → 1 (4): x := 1
  // causally precedes x := 2 (p1 read it first), so read 4 goes back (MR only).
  const res = checkSessionGuarantees(history(
    put(0, "x", 1, [0, 1]),
    get(1, "x", 1, [2, 3]),
    put(1, "x", 2, [4, 5]),
    get(2, "x", 2, [6, 7]),
    get(2, "x", 1, [8, 9]),
  ));
  assert.equal(
    verdicts(res),
    "read-your-writes:0 monotonic-reads:1 writes-follow-reads:0 monotonic-writes:0",
  );
  const mr = res.guarantees["monotonic-reads"].witness!;
  assert.deepEqual([mr.read, mr.required, mr.returned], [4, 2, 0]);
});

Deno.test("session: writes-follow-reads when the writer's read is the first operation", () => {
  // p1: read x → 1 (0); y := 1 (1). p0: x := 1 (2). p2: read y → 1 (3); read x → nil (4).
  const res = checkSessionGuarantees(history(
    get(1, "x", 1, [0, 1]),
    put(0, "x", 1, [0, 1]),
    put(1, "y", 1, [2, 3]),
    get(2, "y", 1, [6, 7]),
    get(2, "x", null, [8, 9]),
  ));
  assert.equal(
    verdicts(res),
    "read-your-writes:0 monotonic-reads:0 writes-follow-reads:1 monotonic-writes:0",
  );
  const wfr = res.guarantees["writes-follow-reads"].witness!;
  assert.deepEqual([wfr.read, wfr.required, wfr.returned], [4, 2, -1]);
  assert.deepEqual(wfr.operations.map((o) => o.id).sort(), [0, 1, 2, 3, 4]);
});

Deno.test("session: what one session has seen does not carry over to the next", () => {
  // p1: x := 1 (0); y := 1 (1). p0 reads y → 1 (2); p2, which never read y, reads x → nil (3).
  const res = checkSessionGuarantees(history(
    put(1, "x", 1, [0, 1]),
    put(1, "y", 1, [2, 3]),
    get(0, "y", 1, [10, 11]),
    get(2, "x", null, [20, 21]),
  ));
  assert.equal(res.verdict, "ok");
  // Once p2 has read y → 1 too, its read of x → nil breaks monotonic writes.
  const res2 = checkSessionGuarantees(history(
    put(1, "x", 1, [0, 1]),
    put(1, "y", 1, [2, 3]),
    get(0, "y", 1, [10, 11]),
    get(2, "y", 1, [18, 19]),
    get(2, "x", null, [20, 21]),
  ));
  assert.equal(
    verdicts(res2),
    "read-your-writes:0 monotonic-reads:0 writes-follow-reads:0 monotonic-writes:1",
  );
});

Deno.test("session: with a cyclic PO ∪ WR the version order falls back to program order", () => {
  // p0: read x → 1 (0), y := 1 (1), y := 2 (2), read y → 1 (3). p1: read y → 1 (4), x := 1 (5).
  // Reads 0 and 4 each return the other session's later write: PO ∪ WR is cyclic. Read 3 still
  // misses p0's own y := 2, which follows y := 1 in program order.
  const res = checkSessionGuarantees(history(
    get(0, "x", 1, [0, 1]),
    put(0, "y", 1, [2, 3]),
    put(0, "y", 2, [4, 5]),
    get(0, "y", 1, [6, 7]),
    get(1, "y", 1, [0, 1]),
    put(1, "x", 1, [2, 3]),
  ));
  assert.equal(res.versionOrder, "program");
  assert.equal(
    verdicts(res),
    "read-your-writes:1 monotonic-reads:0 writes-follow-reads:0 monotonic-writes:0",
  );
  assert.deepEqual(res.guarantees["read-your-writes"].witness!.read, 3);
});

// ---------------------------------------------------------------------------------------------
// Sequential consistency

Deno.test("sequential: the memo key keeps apart configurations that differ", () => {
  const pos = (...p: number[]) => Int32Array.from(p);
  // positions 1,12 and 11,2 must not collide
  assert.notEqual(memoKey(pos(1, 12), ["nil"], true), memoKey(pos(11, 2), ["nil"], true));
  assert.equal(memoKey(pos(1, 12), ["nil"], true), memoKey(pos(1, 12), ["nil"], true));
  // stored values s:ab,s:c and s:a,s:bc must not collide
  assert.notEqual(memoKey(pos(0), ["s:ab", "s:c"], true), memoKey(pos(0), ["s:a", "s:bc"], true));
  // a value holding U+0001 (plainJoin false) must not pass for two values
  assert.notEqual(
    memoKey(pos(0), ["s:a\u0001s:b"], false),
    memoKey(pos(0), ["s:a", "s:b"], false),
  );
});

Deno.test("sequential: a write with unknown outcome is skipped when that is the only way", () => {
  // p0: write 1 (outcome unknown) (0); read → nil (1). Placing the write first leaves the read
  // stuck (step 1); backtracking, skipping it (step 2) lets the read go.
  const h = history(w(0, 1, [0, 1], "info"), r(0, null, [2, 3]));
  const res = checkSequential(h);
  assert.equal(res.verdict, "ok");
  assert.deepEqual(res.order, [1]);
  assert.deepEqual(res.skipped, [0]);
  assert.equal(res.steps, 2);
  assert.equal(res.operations, 2);
  assert.equal(res.explanation, "sequentially consistent: 2 operations, 2 steps.");
  assert.equal(checkSequential(h, { stepBudget: 2 }).verdict, "ok");
  const one = checkSequential(h, { stepBudget: 1 });
  assert.equal(one.verdict, "unknown");
  assert.equal(one.steps, 1);
  assert.equal(one.order, undefined);
  assert.equal(
    one.explanation,
    "unknown: the step budget (1) ran out; the longest sequential order found places 0 of 2 operations.",
  );
});

Deno.test("sequential: sessions are tried by the invocation time of their next operation", () => {
  // p0: x := 1 at 0 (0), x := 2 at 10 (1). p1: y := 1 at 5 (2). Heads by time: 0, then 5, then 10.
  const res = checkSequential(history(
    put(0, "x", 1, [0, 1]),
    put(0, "x", 2, [10, 11]),
    put(1, "y", 1, [5, 6]),
  ));
  assert.deepEqual(res.order, [0, 2, 1]);
  assert.equal(res.steps, 3);
  // Equal times: the earlier session first.
  assert.deepEqual(checkSequential(history(put(0, "x", 1, [0, 1]), put(1, "y", 1, [0, 1]))).order, [
    0,
    1,
  ]);
  assert.deepEqual(
    checkSequential(history(put(0, "x", 1, [0, 1]), put(1, "y", 1, [0, 1]), put(2, "z", 1, [0, 1])))
      .order,
    [0, 1, 2],
  );
});

Deno.test("sequential: every write is a step, even one of the value already stored", () => {
  // p0: write 1 (0). p1: write 1 (1), invoked later. Both are placed, one step each.
  const res = checkSequential(history(w(0, 1, [0, 1]), w(1, 1, [2, 3])));
  assert.deepEqual(res.order, [0, 1]);
  assert.equal(res.steps, 2);
});

Deno.test("sequential: stored values holding U+0001 do not make two configurations look alike", () => {
  // x := A and y := B (p0) against x := C (p1) and y := D (p2), where A = "a␁s:b", B = "c",
  // C = "a", D = "b␁s:c": joined with U+0001, the stores (C, D) and (A, B) read the same.
  // p3 writes z only after p0, p1 and p2 have written everything (it reads their w0, w1, w2),
  // and p0 then reads z → 1, x → A, y → B: the one way through is the store (A, B) just before
  // z := 1. The search first reaches the store (C, D) there (sessions by invocation time) and
  // fails; the store (A, B) must not be taken for it.
  const A = "a\u0001s:b", B = "c", C = "a", D = "b\u0001s:c";
  const h = history(
    put(0, "x", A, [0, 1]),
    put(0, "y", B, [2, 3]),
    put(0, "w0", 1, [4, 5]),
    get(0, "z", 1, [30, 31]),
    get(0, "x", A, [32, 33]),
    get(0, "y", B, [34, 35]),
    put(1, "x", C, [6, 7]),
    put(1, "w1", 1, [8, 9]),
    put(2, "y", D, [10, 11]),
    put(2, "w2", 1, [12, 13]),
    get(3, "w0", 1, [14, 15]),
    get(3, "w1", 1, [16, 17]),
    get(3, "w2", 1, [18, 19]),
    put(3, "z", 1, [20, 21]),
  );
  const res = checkSequential(h);
  assert.equal(res.verdict, "ok");
  // p1's x := C (6) before p0's x := A (0), p2's y := D (8) before p0's y := B (1).
  const at = (id: number) => res.order!.indexOf(id);
  assert.ok(at(6) < at(0) && at(8) < at(1));
});

Deno.test("sequential: configurations already explored are not searched again", () => {
  // Three writes to three keys, then a read nobody can satisfy: the search places writes over the
  // subsets of {x, y, z}: 3 from the empty set, 2 from each of the 3 singletons, 1 from each of
  // the 3 pairs (a pair reached the second time is not expanded again): 12 steps.
  const res = checkSequential(
    history(
      put(0, "x", 1, [0, 1]),
      put(1, "y", 1, [0, 1]),
      put(2, "z", 1, [0, 1]),
      get(3, "q", 3, [0, 1]),
    ),
    { minimize: false },
  );
  assert.equal(res.verdict, "illegal");
  assert.equal(res.steps, 12);
});

Deno.test("sequential: an illegal history, unshrunk and shrunk, with the longest order and where it stuck", () => {
  // p0: write 1 (0); write 2 (1). p1: read → 2 (2); read → 1 (3). The search places 1, then 2,
  // lets read 2 go, and sticks at read 1: longest [0 1 2], stuck [3]; 2 steps in all.
  const h = history(w(0, 1, [0, 1]), w(0, 2, [2, 3]), r(1, 2, [4, 5]), r(1, 1, [6, 7]));
  const body = [
    "    [0] p0 write(1)",
    "    [1] p0 write(2)",
    "    [2] p1 read() → 2",
    "    [3] p1 read() → 1",
    "  longest sequential order: [0] [1] [2]",
    "  stuck at: [3]",
  ];
  const head =
    "not sequentially consistent: no order of all 4 operations respects each session's " +
    "program order and lets every read return the latest write; 4 operation(s) already " +
    "contradict each other";
  const raw = checkSequential(h, { minimize: false });
  assert.equal(raw.verdict, "illegal");
  assert.equal(raw.steps, 2);
  assert.equal(raw.operations, 4);
  assert.equal(raw.order, undefined);
  assert.equal(raw.witness!.minimal, false);
  assert.deepEqual(raw.witness!.longestPrefix, [0, 1, 2]);
  assert.deepEqual(raw.witness!.stuck, [3]);
  assert.equal(raw.explanation, lines(head + ":", ...body));
  assert.equal(raw.witness!.explanation, raw.explanation);
  // Every operation is needed (a write goes with the reads of its value): minimal as it is.
  const shrunk = checkSequential(h);
  assert.equal(shrunk.witness!.minimal, true);
  assert.equal(shrunk.explanation, lines(head + " (minimal):", ...body));
  assert.equal(checkSequential(h, { minimizeMaxOperations: 4 }).witness!.minimal, true);
  assert.equal(checkSequential(h, { minimizeMaxOperations: 3 }).explanation, raw.explanation);
  // Shrinking with a budget too small to decide anything: nothing is dropped, not minimal.
  const starved = checkSequential(h, { minimizeStepBudget: 1 });
  assert.equal(starved.witness!.minimal, false);
  assert.equal(starved.witness!.operations.length, 4);
  assert.equal(starved.explanation, raw.explanation);
});

Deno.test("sequential: shrinking deletes a write with every read of its value", () => {
  // As above plus p2: read → 1 (4), a second reader of write 1 (0). Deleting write 0 deletes
  // reads 3 and 4; a read left behind would contradict everything on its own.
  const res = checkSequential(
    history(w(0, 1, [0, 1]), w(0, 2, [2, 3]), r(1, 2, [4, 5]), r(1, 1, [6, 7]), r(2, 1, [8, 9])),
  );
  assert.equal(res.witness!.minimal, true);
  assert.deepEqual(res.witness!.operations.map((o) => o.id), [0, 1, 2, 3]);
});

Deno.test("sequential: the longest dead end is reported, not the first", () => {
  // p0: x := 1 (0). p1: x := 2 (1); read x → 1 (2); y := 1 (3); read z → 9 (4, never written).
  // First x := 1, x := 2: stuck at read 2 with 2 placed. Then x := 2, x := 1, read 2, y := 1:
  // stuck at read 4 with 4 placed.
  const res = checkSequential(
    history(
      put(0, "x", 1, [0, 1]),
      put(1, "x", 2, [5, 6]),
      get(1, "x", 1, [7, 8]),
      put(1, "y", 1, [9, 10]),
      get(1, "z", 9, [11, 12]),
    ),
    { minimize: false },
  );
  assert.deepEqual(res.witness!.longestPrefix, [1, 0, 2, 3]);
  assert.deepEqual(res.witness!.stuck, [4]);
  assert.equal(res.steps, 5);
});

Deno.test("sequential: a shrinking search that runs out of budget makes the witness not minimal", () => {
  // p0: read j → 1 (0); read k → nil (1); writes q1..q4 (2-5). p1: k := 1 (6); j := 1 (7).
  // j := 1 follows k := 1, so p0 cannot read j → 1 and then k → nil. With 3 steps per shrinking
  // search: deleting 7 or 6 frees p0, whose 4 writes then take more than 3 steps (unknown, both
  // kept); deleting a write of p0 leaves p0 stuck at read 1 after 2 steps (illegal, deleted).
  // What is left, 0 1 6 7, is minimal, but a search ran out of budget, so it is not claimed.
  const h = history(
    get(0, "j", 1, [0, 1]),
    get(0, "k", null, [2, 3]),
    put(0, "q1", 1, [4, 5]),
    put(0, "q2", 1, [6, 7]),
    put(0, "q3", 1, [8, 9]),
    put(0, "q4", 1, [10, 11]),
    put(1, "k", 1, [1, 2]),
    put(1, "j", 1, [3, 4]),
  );
  const starved = checkSequential(h, { minimizeStepBudget: 3 });
  assert.deepEqual(starved.witness!.operations.map((o) => o.id).sort(), [0, 1, 6, 7]);
  assert.equal(starved.witness!.minimal, false);
  const full = checkSequential(h);
  assert.deepEqual(full.witness!.operations.map((o) => o.id).sort(), [0, 1, 6, 7]);
  assert.equal(full.witness!.minimal, true);
});

Deno.test("sequential: a skipped write counts as progress when measuring dead ends", () => {
  // p0: x := 1 (outcome unknown) (0); read x → nil (1); read y → 9 (2, never written).
  // Writing x sticks at read 1 (1 operation decided); skipping it lets read 1 go and sticks at
  // read 2 (2 decided: the skip and the read), which is the one reported.
  const res = checkSequential(
    history(
      { p: 0, f: "write", key: "x", in: 1, at: [0, 1], status: "info" },
      get(0, "x", null, [2, 3]),
      get(0, "y", 9, [4, 5]),
    ),
    { minimize: false },
  );
  assert.equal(res.verdict, "illegal");
  assert.deepEqual(res.witness!.longestPrefix, [1]);
  assert.deepEqual(res.witness!.stuck, [2]);
});

Deno.test("sequential: shrinking keeps the earliest contradiction and drops the rest", () => {
  // Two independent contradictions, on x and on y. Sessions by first invocation: p0 (x writes 0
  // 1), p2 (y writes 2 3), p1 (x reads 4 5), p3 (y reads 6 7). The greedy pass deletes from the
  // last operation back, so the contradiction on y goes.
  const res = checkSequential(history(
    put(0, "x", 1, [0, 1]),
    put(0, "x", 2, [2, 3]),
    get(1, "x", 2, [4, 5]),
    get(1, "x", 1, [6, 7]),
    put(2, "y", 1, [0, 1]),
    put(2, "y", 2, [2, 3]),
    get(3, "y", 2, [4, 5]),
    get(3, "y", 1, [6, 7]),
  ));
  assert.deepEqual(res.witness!.operations.map((o) => o.id), [0, 1, 4, 5]);
  assert.equal(res.witness!.minimal, true);
  assert.deepEqual(res.witness!.longestPrefix, [0, 1, 4]);
  assert.deepEqual(res.witness!.stuck, [5]);
});

Deno.test("sequential: the first of equally long dead ends is reported; a read alone is stuck at once", () => {
  // p0: write 1 (0). p1: write 2 (1). p2: read → 3 (2), which nobody wrote. Orders 0 1 and 1 0
  // both stick with two operations placed; the first found (0 1) is reported. 4 steps.
  const h = history(w(0, 1, [0, 1]), w(1, 2, [0, 1]), r(2, 3, [2, 3]));
  const raw = checkSequential(h, { minimize: false });
  assert.equal(raw.steps, 4);
  assert.deepEqual(raw.witness!.longestPrefix, [0, 1]);
  assert.deepEqual(raw.witness!.stuck, [2]);
  const budget = checkSequential(h, { stepBudget: 3 });
  assert.equal(budget.verdict, "unknown");
  assert.equal(
    budget.explanation,
    "unknown: the step budget (3) ran out; the longest sequential order found places 2 of 3 operations.",
  );
  // Shrunk: the read alone contradicts itself; no operation can be placed at all.
  const res = checkSequential(h);
  assert.equal(res.witness!.minimal, true);
  assert.deepEqual(res.witness!.operations.map((o) => o.id), [2]);
  assert.deepEqual(res.witness!.longestPrefix, []);
  assert.deepEqual(res.witness!.stuck, [2]);
  assert.equal(
    res.explanation,
    lines(
      "not sequentially consistent: no order of all 3 operations respects each session's " +
        "program order and lets every read return the latest write; 1 operation(s) already " +
        "contradict each other (minimal):",
      "    [2] p2 read() → 3",
      "  longest sequential order: (none)",
      "  stuck at: [2]",
    ),
  );
});

// ---------------------------------------------------------------------------------------------
// Causal consistency (Bouajjani et al. 2017)

const opsOfCausal = (ops: readonly { id: number }[]) => ops.map((o) => o.id);

Deno.test("causal: an ok history, for each model", () => {
  const h = history(
    put(0, "x", 1, [0, 1]),
    get(0, "x", 1, [2, 3]),
    get(1, "x", 1, [2, 3]),
    put(1, "y", 1, [4, 5]),
  );
  const cc = checkCausal(h);
  assert.deepEqual(cc, {
    verdict: "ok",
    model: "CC",
    operations: 4,
    sessions: 2,
    witness: undefined,
    explanation: "CC: 4 operations in 2 sessions, no bad pattern.",
  });
  assert.equal(
    checkCausal(h, { model: "CCv" }).explanation,
    "CCv: 4 operations in 2 sessions, no bad pattern.",
  );
  assert.equal(
    checkCausal(h, { model: "CM" }).explanation,
    "CM: 4 operations in 2 sessions, no bad pattern.",
  );
});

Deno.test("causal: ThinAirRead and CyclicCO witnesses, line by line", () => {
  const thin = checkCausal(history(put(0, "x", 1, [0, 1]), get(1, "x", 7, [2, 3])), {
    model: "CM",
  });
  assert.equal(thin.verdict, "illegal");
  assert.equal(thin.model, "CM");
  assert.equal(thin.witness!.minimal, false);
  assert.deepEqual(opsOfCausal(thin.witness!.operations), [1]);
  assert.equal(
    thin.explanation,
    lines(
      "not CM: ThinAirRead: a read returns a value no write wrote.",
      '  * [1] p1 read("x") → 7',
    ),
  );
  // p0: read x → 1 (0); y := 1 (1).  p1: read y → 1 (2); x := 1 (3).  0 → 1 → 2 → 3 → 0.
  const cyc = checkCausal(history(
    get(0, "x", 1, [0, 1]),
    get(1, "y", 1, [0, 1]),
    put(0, "y", 1, [2, 3]),
    put(1, "x", 1, [2, 3]),
  ));
  assert.equal(cyc.witness!.pattern, "CyclicCO");
  assert.deepEqual([...cyc.witness!.core].sort(), [0, 1, 2, 3]);
  assert.equal(
    cyc.witness!.explanation,
    lines(
      "CyclicCO: program order and read-from form a cycle.",
      '  * [0] p0 read("x") → 1',
      '  * [2] p1 read("y") → 1',
      '  * [1] p0 write("y", 1)',
      '  * [3] p1 write("x", 1)',
    ),
  );
});

Deno.test("causal: WriteCOInitRead and WriteCORead witnesses carry the causal paths", () => {
  // p0: x := 1 (0); y := 1 (1).  p1: read y → 1 (2); read x → nil (3).
  const init = checkCausal(
    history(
      put(0, "x", 1, [0, 1]),
      put(0, "y", 1, [2, 3]),
      get(1, "y", 1, [4, 5]),
      get(1, "x", null, [6, 7]),
    ),
    { model: "CCv" },
  );
  assert.equal(init.witness!.pattern, "WriteCOInitRead");
  assert.deepEqual(init.witness!.core, [0, 3]);
  assert.equal(
    init.explanation,
    lines(
      "not CCv: WriteCOInitRead: a read returns the initial value although a write of its key is in its causal past.",
      '  * [0] p0 write("x", 1)',
      '    [1] p0 write("y", 1)',
      '    [2] p1 read("y") → 1',
      '  * [3] p1 read("x") → nil',
    ),
  );
  // p0: x := 1 (0).  p1: read x → 1 (1); x := 2 (2).  p2: read x → 2 (3); read x → 1 (4).
  const co = checkCausal(
    history(
      put(0, "x", 1, [0, 1]),
      get(1, "x", 1, [2, 3]),
      put(1, "x", 2, [4, 5]),
      get(2, "x", 2, [6, 7]),
      get(2, "x", 1, [8, 9]),
    ),
    { model: "CM" },
  );
  assert.equal(co.witness!.pattern, "WriteCORead");
  assert.deepEqual(co.witness!.core, [0, 2, 4]);
  assert.equal(co.witness!.minimal, false);
  assert.equal(
    co.explanation,
    lines(
      "not CM: WriteCORead: a read returns a write that another write of the same key, in the read's causal past, causally overwrote.",
      '  * [0] p0 write("x", 1)',
      '    [1] p1 read("x") → 1',
      '  * [2] p1 write("x", 2)',
      '    [3] p2 read("x") → 2',
      '  * [4] p2 read("x") → 1',
    ),
  );
  // Only the pattern and its paths: p0's y := 5 and p2's read of y, on no path, are left out.
  const lean = checkCausal(history(
    put(0, "x", 1, [0, 1]),
    put(0, "y", 5, [2, 3]),
    get(1, "x", 1, [2, 3]),
    put(1, "x", 2, [4, 5]),
    get(2, "x", 2, [6, 7]),
    get(2, "y", null, [7, 8]),
    get(2, "x", 1, [8, 9]),
  ));
  // ids: p0 0 (x1) 1 (y5); p1 2 (read x1) 3 (x2); p2 4 (read x2) 5 (read y) 6 (read x1)
  assert.equal(lean.witness!.pattern, "WriteCORead");
  assert.deepEqual(lean.witness!.core, [0, 3, 6]);
  assert.deepEqual(opsOfCausal(lean.witness!.operations), [0, 2, 3, 4, 6]);
});

Deno.test("causal: CyclicCF names the reads behind each conflict edge", () => {
  // p0: x := 1 (0); read x → 2 (1).  p1: x := 2 (2); read x → 1 (3).
  const h = history(
    put(0, "x", 1, [0, 1]),
    put(1, "x", 2, [0, 1]),
    get(0, "x", 2, [2, 3]),
    get(1, "x", 1, [2, 3]),
  );
  const res = checkCausal(h, { model: "CCv" });
  assert.equal(res.witness!.pattern, "CyclicCF");
  assert.deepEqual([...res.witness!.core].sort(), [0, 2]);
  assert.equal(
    res.witness!.explanation,
    lines(
      "CyclicCF: the conflict order (w1 CF w2: a read of w2's value has w1 in its causal past) and the causal order form a cycle, so no single order of writes explains every read.",
      '  * [0] p0 write("x", 1)',
      '  * [2] p1 write("x", 2)',
      '    [1] p0 read("x") → 2',
      '    [3] p1 read("x") → 1',
    ),
  );
});

/** p0 reads x → 1, 2, 1 while p1 writes x := 1 and p2 writes x := 2: CC, not CM. */
const flip = (): Parameters<typeof history> => [
  get(0, "x", 1, [0, 1]),
  put(1, "x", 1, [0, 1]),
  put(2, "x", 2, [0, 1]),
  get(0, "x", 2, [2, 3]),
  get(0, "x", 1, [4, 5]),
];

Deno.test("causal CM: CyclicHB in the first session, unshrunk and shrunk", () => {
  // ids: p0 0 (read 1) 1 (read 2) 2 (read 1), p1 3 (x := 1), p2 4 (x := 2). Read 1 orders x := 1
  // before x := 2 (x := 1 happens before it), read 2 the other way round.
  const h = history(...flip());
  assert.equal(checkCausal(h).verdict, "ok");
  const notes = [
    "  [3] before [4]: [1] returns [4]'s value although [3] happens before it",
    "  [4] before [3]: [2] returns [3]'s value although [4] happens before it",
  ];
  const text = "CyclicHB: the happens-before order of session p0 (its causal past with the write " +
    "order its own reads imply) is cyclic.";
  const raw = checkCausal(h, { model: "CM", minimize: false });
  assert.equal(raw.witness!.pattern, "CyclicHB");
  assert.deepEqual(raw.witness!.core, [3, 4]);
  assert.equal(raw.witness!.minimal, false);
  assert.equal(
    raw.explanation,
    lines(
      "not CM: " + text,
      '  * [3] p1 write("x", 1)',
      '  * [4] p2 write("x", 2)',
      '    [1] p0 read("x") → 2',
      '    [2] p0 read("x") → 1',
      ...notes,
    ),
  );
  // Every operation is needed: the shrunk witness is all of them, marked minimal.
  const cm = checkCausal(h, { model: "CM" });
  assert.equal(cm.witness!.minimal, true);
  assert.deepEqual(cm.witness!.core, [3, 4]);
  assert.equal(
    cm.witness!.explanation,
    lines(
      text + " Minimal sub-history:",
      '    [0] p0 read("x") → 1',
      '  * [3] p1 write("x", 1)',
      '  * [4] p2 write("x", 2)',
      '    [1] p0 read("x") → 2',
      '    [2] p0 read("x") → 1',
      ...notes,
    ),
  );
});

Deno.test("causal CM: a shrunk witness is reported with the history's own op ids", () => {
  // An unrelated first session (p9: z := 1, id 0) shifts the flip to ids 1..5 and lies outside
  // p0's causal past, so the sub-history is renumbered from 0; the witness maps back.
  const h = history(put(9, "z", 1, [0, 1]), ...flip());
  const notes = [
    "  [4] before [5]: [2] returns [5]'s value although [4] happens before it",
    "  [5] before [4]: [3] returns [4]'s value although [5] happens before it",
  ];
  const text = "CyclicHB: the happens-before order of session p0 (its causal past with the write " +
    "order its own reads imply) is cyclic.";
  const cm = checkCausal(h, { model: "CM" });
  assert.equal(cm.operations, 6);
  assert.equal(cm.sessions, 4);
  assert.deepEqual(cm.witness!.core, [4, 5]);
  assert.equal(cm.witness!.minimal, true);
  assert.equal(
    cm.witness!.explanation,
    lines(
      text + " Minimal sub-history:",
      '    [1] p0 read("x") → 1',
      '  * [4] p1 write("x", 1)',
      '  * [5] p2 write("x", 2)',
      '    [2] p0 read("x") → 2',
      '    [3] p0 read("x") → 1',
      ...notes,
    ),
  );
  // The causal past has 5 operations: shrinking is skipped above that size.
  assert.equal(checkCausal(h, { model: "CM", minimizeMaxOperations: 5 }).witness!.minimal, true);
  const big = checkCausal(h, { model: "CM", minimizeMaxOperations: 4 });
  assert.equal(big.witness!.minimal, false);
  assert.equal(
    big.witness!.explanation,
    lines(
      text,
      '  * [4] p1 write("x", 1)',
      '  * [5] p2 write("x", 2)',
      '    [2] p0 read("x") → 2',
      '    [3] p0 read("x") → 1',
      ...notes,
    ),
  );
});

Deno.test("causal CM: shrinking drops what the cycle does not need", () => {
  // Before the flip, p0 reads y → 1 (p1's y := 1, written before x := 1): in the causal past
  // but not needed. ids: p0 0 (read y) 1 2 3 (reads of x), p1 4 (y := 1) 5 (x := 1), p2 6.
  const h = history(
    get(0, "y", 1, [0, 1]),
    put(1, "y", 1, [0, 1]),
    put(2, "x", 2, [0, 1]),
    get(0, "x", 1, [2, 3]),
    put(1, "x", 1, [2, 3]),
    get(0, "x", 2, [4, 5]),
    get(0, "x", 1, [6, 7]),
  );
  const cm = checkCausal(h, { model: "CM" });
  assert.equal(cm.witness!.pattern, "CyclicHB");
  assert.equal(cm.witness!.minimal, true);
  assert.deepEqual(opsOfCausal(cm.witness!.operations).sort(), [1, 2, 3, 5, 6]);
  assert.equal(checkCausal(h, { model: "CM", minimize: false }).witness!.minimal, false);
});

Deno.test("causal CM: the derived write orders are listed up to twelve", () => {
  // n keys each flipped as above by p0: 2 derived orders per key, all found in the first round.
  const keys = (n: number) => {
    const ops = [];
    for (let i = 0; i < n; i++) {
      const k = `k${i}`;
      ops.push(put(1, k, 1, [10 * i, 10 * i + 1]), put(2, k, 2, [10 * i, 10 * i + 1]));
      ops.push(get(0, k, 1, [10 * i + 2, 10 * i + 3]));
      ops.push(get(0, k, 2, [10 * i + 4, 10 * i + 5]));
      ops.push(get(0, k, 1, [10 * i + 6, 10 * i + 7]));
    }
    return checkCausal(history(...ops), { model: "CM", minimize: false }).explanation.split("\n");
  };
  const orders = (l: string[]) => l.filter((s) => /^ {2}\[\d+\] before \[\d+\]: /.test(s)).length;
  const seven = keys(7);
  assert.equal(orders(seven), 12);
  assert.equal(seven[seven.length - 1], "  … and 2 more derived orders");
  const six = keys(6);
  assert.equal(orders(six), 12);
  assert.match(six[six.length - 1], /^ {2}\[\d+\] before \[\d+\]: /);
});

Deno.test("causal CM: WriteHBInitRead lists the derived order and the paths around it", () => {
  // p2's read of x → 2 orders x := 1 (p0) before x := 2 (p1), so z := 1 (before x := 1 at p0)
  // happens before p2's read of z → nil. ids: p0 0 (z) 1 (x) 2 (u), p1 3 (x) 4 (y),
  // p2 5 (read y) 6 (read z) 7 (read u) 8 (read x).
  const h = history(
    put(0, "z", 1, [0, 1]),
    put(0, "x", 1, [2, 3]),
    put(0, "u", 1, [4, 5]),
    put(1, "x", 2, [0, 1]),
    put(1, "y", 1, [2, 3]),
    get(2, "y", 1, [10, 11]),
    get(2, "z", null, [12, 13]),
    get(2, "u", 1, [14, 15]),
    get(2, "x", 2, [16, 17]),
  );
  const body = [
    '  * [0] p0 write("z", 1)',
    '    [3] p1 write("x", 2)',
    '    [1] p0 write("x", 1)',
    '    [4] p1 write("y", 1)',
    '    [2] p0 write("u", 1)',
    '    [5] p2 read("y") → 1',
    '  * [6] p2 read("z") → nil',
    '    [7] p2 read("u") → 1',
    '    [8] p2 read("x") → 2',
  ];
  const text = "WriteHBInitRead: session p2 reads the initial value after a write of the key " +
    "happened before the read in its happens-before order.";
  const raw = checkCausal(h, { model: "CM", minimize: false });
  assert.deepEqual(raw.witness!.core, [0, 6]);
  assert.equal(raw.witness!.explanation, lines(text, ...body));
  const cm = checkCausal(h, { model: "CM" });
  assert.deepEqual(cm.witness!.core, [0, 6]);
  assert.equal(cm.witness!.explanation, lines(text + " Minimal sub-history:", ...body));
});

Deno.test("causal CM: deleting a write while shrinking deletes every read of its value", () => {
  // p1: x := 1 (0); p2: x := 2 (1); p0 reads x → 1 (2), 2 (3), 1 (4), 1 (5). The minimal
  // witness is the flip 0..4. Were a read of x := 1 left behind when x := 1 goes, it would read
  // the initial value after p0 saw x := 2, a different (CC) violation.
  const h = history(
    put(1, "x", 1, [0, 1]),
    put(2, "x", 2, [0, 1]),
    get(0, "x", 1, [0, 1]),
    get(0, "x", 2, [2, 3]),
    get(0, "x", 1, [4, 5]),
    get(0, "x", 1, [6, 7]),
  );
  const cm = checkCausal(h, { model: "CM" });
  assert.equal(cm.witness!.pattern, "CyclicHB");
  assert.equal(cm.witness!.minimal, true);
  assert.deepEqual([...cm.witness!.core].sort(), [0, 1]);
  assert.deepEqual(opsOfCausal(cm.witness!.operations).sort(), [0, 1, 2, 3, 4]);
});

Deno.test("causal CM: shrinking deletes chunks from the end before single operations", () => {
  // Two independent flips in p0's past: on y (reads 0 1 2, writes 7 by p3 and 9 by p4) and on x
  // (reads 3 4 5, writes 6 by p1 and 8 by p2). Halving: deleting the block of reads 4 5 keeps
  // the y flip, so the witness is the y flip (deleting single operations from the end first
  // would have removed y := 2 and kept the x flip).
  const h = history(
    get(0, "y", 1, [0, 1]),
    put(1, "x", 1, [1, 2]),
    put(3, "y", 1, [2, 3]),
    put(2, "x", 2, [3, 4]),
    put(4, "y", 2, [4, 5]),
    get(0, "y", 2, [10, 11]),
    get(0, "y", 1, [12, 13]),
    get(0, "x", 1, [14, 15]),
    get(0, "x", 2, [16, 17]),
    get(0, "x", 1, [18, 19]),
  );
  const cm = checkCausal(h, { model: "CM" });
  assert.equal(cm.witness!.pattern, "CyclicHB");
  assert.equal(cm.witness!.minimal, true);
  assert.deepEqual([...cm.witness!.core].sort(), [7, 9]);
  assert.deepEqual(opsOfCausal(cm.witness!.operations).sort((a, b) => a - b), [0, 1, 2, 7, 9]);
});

Deno.test("causal CM: WriteHBInitRead leaves out derived orders off the happens-before path", () => {
  // As above, plus p2 first reads k → 1 (p3) and k → 2 (p4): a derived order k := 1 before
  // k := 2 that z := 1 does not happen before, so it is not part of the witness.
  // ids: p0 0 (z) 1 (x) 2 (u), p1 3 (x) 4 (y), p2 5 (k1) 6 (k2) 7 (y) 8 (z) 9 (u) 10 (x),
  // p3 11 (k := 1), p4 12 (k := 2).
  const h = history(
    put(0, "z", 1, [0, 1]),
    put(0, "x", 1, [2, 3]),
    put(0, "u", 1, [4, 5]),
    put(1, "x", 2, [0, 1]),
    put(1, "y", 1, [2, 3]),
    get(2, "k", 1, [6, 7]),
    get(2, "k", 2, [8, 9]),
    get(2, "y", 1, [10, 11]),
    get(2, "z", null, [12, 13]),
    get(2, "u", 1, [14, 15]),
    get(2, "x", 2, [16, 17]),
    put(3, "k", 1, [7, 8]),
    put(4, "k", 2, [7, 8]),
  );
  const raw = checkCausal(h, { model: "CM", minimize: false });
  assert.equal(raw.witness!.pattern, "WriteHBInitRead");
  assert.deepEqual(raw.witness!.core, [0, 8]);
  assert.deepEqual(opsOfCausal(raw.witness!.operations).sort((a, b) => a - b), [
    0,
    1,
    2,
    3,
    4,
    7,
    8,
    9,
    10,
  ]);
});

Deno.test("causal CM: the WriteHBInitRead witness follows read-from into the write order", () => {
  // p3: z := 1 (0). p1: x := 2 (1); y := 1 (2). p0: read z → 1 (3); x := 1 (4); u := 1 (5).
  // p2: read y → 1 (6); read z → nil (7); read u → 1 (8); read x → 2 (9). Read 9 orders x := 1
  // before x := 2, so z := 1 → read 3 → x := 1 → x := 2 → y := 1 → read 6 → read 7: the path
  // from z := 1 to x := 1 crosses sessions at read 3, which the witness must show.
  const h = history(
    put(3, "z", 1, [0, 1]),
    get(0, "z", 1, [2, 3]),
    put(0, "x", 1, [4, 5]),
    put(0, "u", 1, [6, 7]),
    put(1, "x", 2, [0, 1]),
    put(1, "y", 1, [2, 3]),
    get(2, "y", 1, [10, 11]),
    get(2, "z", null, [12, 13]),
    get(2, "u", 1, [14, 15]),
    get(2, "x", 2, [16, 17]),
  );
  const raw = checkCausal(h, { model: "CM", minimize: false });
  assert.equal(raw.witness!.pattern, "WriteHBInitRead");
  assert.deepEqual(raw.witness!.core, [0, 7]);
  assert.deepEqual(
    opsOfCausal(raw.witness!.operations).sort((a, b) => a - b),
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
  );
});
