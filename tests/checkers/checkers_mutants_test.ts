/**
 * Tests written to kill mutants `deno task mutate lib/checkers` left alive: the explanations a
 * learner reads must say what went wrong, not only the verdict; long bad input is quoted cut short.
 */
import assert from "node:assert/strict";
import {
  checkCausal,
  checkSequential,
  checkStaleness,
  ParseError,
  parseJepsenLog,
} from "@lab/checkers/mod.ts";
import { causalPath, computeClocks, toRwHistory } from "@lab/checkers/_rw_history.ts";
import { history, r, w } from "./_helpers.ts";
import { get, put } from "./_weak_helpers.ts";

Deno.test("checkers: a thin-air read's witness says no write wrote the value", () => {
  const res = checkCausal(history(put(0, "x", 1, [0, 1]), get(1, "x", 7, [2, 3])));
  assert.equal(res.witness?.pattern, "ThinAirRead");
  assert.match(res.explanation, /a read returns a value no write wrote\./);
});

Deno.test("checkers: a sequential-consistency violation is explained with its operation count", () => {
  const res = checkSequential(history(
    w(0, 1, [0, 1]),
    w(0, 2, [2, 3]),
    r(1, 2, [4, 5]),
    r(1, 1, [6, 7]),
  ));
  assert.equal(res.verdict, "illegal");
  assert.match(
    res.explanation,
    /^not sequentially consistent: no order of all 4 operations respects each session's program order/,
  );
  assert.match(res.explanation, /4 operation\(s\) already contradict each other \(minimal\):/);
});

Deno.test("checkers: a long malformed log line is quoted cut to 60 characters", () => {
  const long = "garbage ".repeat(20);
  assert.throws(
    () => parseJepsenLog(long),
    (e: unknown) =>
      e instanceof ParseError && e.message.includes(JSON.stringify(long.slice(0, 57) + "...")) &&
      !e.message.includes(long.slice(0, 70)),
  );
  assert.throws(
    () => parseJepsenLog("short garbage"),
    (e: unknown) => e instanceof ParseError && e.message.includes(`"short garbage"`),
  );
});

Deno.test("checkers: a causal path goes through the read that brought the write into the session", () => {
  const h = toRwHistory(history(
    put(0, "x", 1, [0, 1]),
    put(1, "y", 5, [2, 3]),
    put(1, "z", 6, [4, 5]),
    get(1, "x", 1, [6, 7]),
    put(1, "z", 8, [8, 9]),
    get(1, "z", 8, [10, 11]),
  ));
  const c = computeClocks(h);
  assert.ok("clock" in c);
  // op 0 (put x=1 in session 0) reaches op 5 through op 3, the first of session 1 to read it
  assert.deepEqual(causalPath(h, c.clock, 0, 5), [0, 3, 5]);
});

Deno.test("checkers: staleness counts only reads that are behind as stale", () => {
  const res = checkStaleness(history(
    w(0, 1, [0, 10]),
    w(0, 2, [20, 30]),
    r(1, 1, [40, 41]), // 1 version behind
    r(1, 2, [42, 43]), // fresh
    r(2, null, [5, 6]), // fresh: the first write had not completed
  ));
  assert.equal(res.staleReads, 1);
  assert.match(res.explanation, /3 reads, 1 stale;/);
});

Deno.test("checkers: a WriteCORead witness shows the causal paths between its three operations", () => {
  // p0: x := 1.  p1: read x → 1; x := 2.  p2: read x → 2; read x → 1.
  const res = checkCausal(history(
    put(0, "x", 1, [0, 1]),
    get(1, "x", 1, [2, 3]),
    put(1, "x", 2, [4, 5]),
    get(2, "x", 2, [6, 7]),
    get(2, "x", 1, [8, 9]),
  ));
  assert.equal(res.witness?.pattern, "WriteCORead");
  // the core is ops 0, 2, 4; ops 1 (p1 reads x=1) and 3 (p2 reads x=2) carry the causality
  assert.deepEqual(res.witness!.operations.map((o) => o.id).sort(), [0, 1, 2, 3, 4]);
});
