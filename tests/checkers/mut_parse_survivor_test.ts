/**
 * A malformed VALUE in a Jepsen log line: the EDN reader's error is moved to the log's own line
 * and column (the value's column plus the offset inside the value) and keeps the source name.
 * Columns are counted by hand, 1-based.
 */
import assert from "node:assert/strict";
import { ParseError, parseJepsenLog } from "@lab/checkers/mod.ts";

Deno.test("parse: a bad EDN value in a Jepsen log names the log's line, column and source", () => {
  const text = [
    "INFO jepsen.util - 0 :invoke :read nil",
    // I N F O _ j e p s e n . u t i l _ - _ 3 _ : o k _ : w r i t e _ [ 1 _ # x ]
    // 1 . . . 5 6 . . . . . . . . . 16 . 18 . 20 . 22 . 24 . 26 . . . . 31 . 33 . 35 36
    // the value "[1 #x]" starts at column 33; its "#x" (a tagged literal) is 4th in it: 33 + 3
    "INFO jepsen.util - 3 :ok :write [1 #x]",
  ].join("\n");
  let err: unknown;
  try {
    parseJepsenLog(text, { source: "x.edn" });
  } catch (e) {
    err = e;
  }
  assert.ok(err instanceof ParseError, `expected a ParseError, got ${String(err)}`);
  assert.deepEqual([err.line, err.column, err.source], [2, 36, "x.edn"]);
  assert.equal(
    err.message,
    "x.edn:2:36: expected a value (tagged literals are not supported), found #x",
  );
});

Deno.test("parse: a bad EDN value after tabs counts each tab as one column", () => {
  // "INFO jepsen.util - " is 19 columns, "12" 20–21, tab 22, ":ok" 23–25, tab 26,
  // ":cas" 27–30, tab 31: the value "[1 2" starts at 32 and ends unclosed after column 35,
  // so the reader reports the end of input at the value's 5th column: 32 + 4 = 36
  const text = "INFO jepsen.util - 12\t:ok\t:cas\t[1 2";
  let err: unknown;
  try {
    parseJepsenLog(text, { source: "h.log" });
  } catch (e) {
    err = e;
  }
  assert.ok(err instanceof ParseError, `expected a ParseError, got ${String(err)}`);
  assert.deepEqual([err.line, err.column, err.source], [1, 36, "h.log"]);
});
