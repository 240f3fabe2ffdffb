/**
 * Tests written to kill mutants `deno task mutate lib/checkers` left alive: the explanations a
 * learner reads must say what went wrong, not only the verdict; long bad input is quoted cut short.
 */
import assert from "node:assert/strict";
import { checkCausal, checkSequential, ParseError, parseJepsenLog } from "@lab/checkers/mod.ts";
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
