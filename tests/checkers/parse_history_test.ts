import assert from "node:assert/strict";
import fc from "fast-check";
import {
  detectHistoryFormat,
  EdnSymbol,
  type EdnValue,
  keyword,
  parseEdnHistory,
  ParseError,
  parseHistory,
  parseJepsenLog,
  readEdn,
  readEdnForms,
  showEdn,
} from "@lab/checkers/mod.ts";
import { pairOperations } from "@lab/workload/history.ts";

/** Assert `fn` throws a ParseError at `line` (and `column` when given) matching `expected`. */
function assertParseError(fn: () => unknown, line: number, expected: RegExp, column?: number) {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof ParseError, String(e));
    assert.equal(e.line, line, e.message);
    if (column !== undefined) assert.equal(e.column, column, e.message);
    assert.match(e.expected, expected);
    assert.match(e.message, new RegExp(`${line}(:\\d+)?: expected`));
    return true;
  });
}

// ---------------------------------------------------------------------------------------------
// EDN reader

Deno.test("edn: scalars, keywords, symbols, strings with escapes", () => {
  assert.equal(readEdn("nil"), null);
  assert.equal(readEdn("true"), true);
  assert.equal(readEdn("false"), false);
  assert.equal(readEdn("42"), 42);
  assert.equal(readEdn("-7"), -7);
  assert.equal(readEdn("+3"), 3);
  assert.equal(readEdn("12N"), 12);
  assert.equal(readEdn("1.5"), 1.5);
  assert.equal(readEdn("-2.5e3"), -2500);
  assert.equal(readEdn("1.25M"), 1.25);
  assert.equal(readEdn(":timed-out"), keyword("timed-out"));
  assert.equal(readEdn(":jepsen/op"), keyword("jepsen/op"));
  assert.equal(readEdn("foo"), EdnSymbol.of("foo"));
  assert.equal(readEdn(String.raw`"a\"b\\c\n\t\u00e9"`), 'a"b\\c\n\té');
  assert.equal(readEdn('"multi\nline"'), "multi\nline");
});

Deno.test("edn: collections, commas as whitespace, comments and discards", () => {
  assert.deepEqual(readEdn("[1, 2 ,3]"), [1, 2, 3]);
  assert.deepEqual(readEdn("(1 (2) [])"), [1, [2], []]);
  const m = readEdn('{:a 1, :b [nil "x"] ; comment\n :c {:d :e}}') as ReadonlyMap<
    EdnValue,
    EdnValue
  >;
  assert.equal(m.get(keyword("a")), 1);
  assert.deepEqual(m.get(keyword("b")), [null, "x"]);
  assert.equal(
    (m.get(keyword("c")) as ReadonlyMap<EdnValue, EdnValue>).get(keyword("d")),
    keyword("e"),
  );
  assert.deepEqual(readEdn("[1 #_ 2 3]"), [1, 3]);
  const forms = readEdnForms("{:a 1}\n\n  {:a 2}\n");
  assert.deepEqual(forms.map((f) => [f.line, f.column]), [[1, 1], [3, 3]]);
});

Deno.test("edn: malformed input names the line, the column and what was expected", () => {
  assertParseError(() => readEdn("[1 2"), 1, /"\]" to close the "\[" of line 1/);
  assertParseError(() => readEdnForms("{:a 1}\n{:a 1 :b}"), 2, /a value for map key :b/);
  assertParseError(() => readEdnForms('\n\n"abc'), 3, /closing '"'/);
  assertParseError(() => readEdn('"bad \\q"'), 1, /string escape/, 6);
  assertParseError(() => readEdn("[1 }"), 1, /"\]" to close/, 4);
  assertParseError(() => readEdn("#{1 2}"), 1, /sets #\{\} are not supported/);
  assertParseError(() => readEdn('#inst "2020"'), 1, /tagged literals/);
  assertParseError(() => readEdn("12abc"), 1, /a number/);
  assertParseError(() => readEdn("{:a 1 :a 2}"), 1, /distinct map keys/, 7);
  assertParseError(() => readEdn("1 2"), 1, /exactly one EDN value/);
  assertParseError(() => readEdn(")"), 1, /a value/);
  assertParseError(() => readEdn(": x"), 1, /a keyword name/);
});

Deno.test("edn: printing and reading again gives the same value (property)", () => {
  const kw = fc.stringMatching(/^[a-z][a-z0-9-]{0,6}$/).map((s) => keyword(s));
  const { value } = fc.letrec<{ value: EdnValue }>((tie) => ({
    value: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      fc.constant(null),
      fc.boolean(),
      fc.integer(),
      fc.double({ noNaN: true, noDefaultInfinity: true }).filter((x) => !Object.is(x, -0)),
      fc.string({ unit: "binary" }),
      kw,
      fc.array(tie("value"), { maxLength: 4 }),
      fc.uniqueArray(fc.tuple(kw, tie("value")), { maxLength: 4, selector: (t) => t[0] })
        .map((entries) => new Map<EdnValue, EdnValue>(entries)),
    ),
  }));
  fc.assert(fc.property(value, (v) => {
    assert.deepEqual(readEdn(showEdn(v)), v);
  }));
});

// ---------------------------------------------------------------------------------------------
// Jepsen logs

const LOG = [
  "INFO  jepsen.util - 0\t:invoke\t:read\tnil",
  "INFO  jepsen.util - 1\t:invoke\t:write\t3",
  "INFO  jepsen.util - 0\t:ok\t:read\tnil",
  "INFO  jepsen.util - 1   :ok     :write  3", // runs of spaces instead of tabs
  "INFO  jepsen.util - 2\t:invoke\t:cas\t[3 0]",
  "INFO  jepsen.util - :nemesis\t:info\t:start\tnil",
  "INFO  jepsen.util - 2\t:ok\t:cas\t[3 0]",
  "INFO  jepsen.util - 3\t:invoke\t:cas\t[1 2]",
  "INFO  jepsen.util - 3\t:fail\t:cas\t[1 2]",
  "INFO  jepsen.util - 4\t:invoke\t:read\tnil",
  "INFO  jepsen.util - 4\t:fail\t:read\t:timed-out",
  "INFO  jepsen.util - 4\t:invoke\t:write\t1",
  "INFO  jepsen.util - 4\t:info\t:write\t:timed-out",
  "",
  "INFO  jepsen.util - 0\t:invoke\t:write\t7",
].join("\n");

Deno.test("jepsen log: fields, values and Jepsen's outcome conventions", () => {
  const parsed = parseHistory(LOG, { source: "x.log" });
  assert.equal(parsed.format, "jepsen-log");
  assert.equal(parsed.hasKeys, false);
  const ev = parsed.events;
  assert.equal(ev.length, 13); // nemesis and blank lines skipped
  assert.deepEqual(ev[0], { type: "invoke", process: 0, f: "read", value: null, timeMs: 0 });
  assert.deepEqual(ev[3], { type: "ok", process: 1, f: "write", value: 3, timeMs: 3 });
  assert.deepEqual(ev[4].value, [3, 0]);
  assert.deepEqual([ev[5].type, ev[5].value], ["ok", true]); // :ok :cas
  assert.deepEqual([ev[7].type, ev[7].value], ["ok", false]); // :fail :cas: comparison failed
  assert.deepEqual([ev[9].type, ev[9].value], ["info", null]); // :fail :read :timed-out
  assert.deepEqual([ev[11].type, ev[11].value], ["info", null]); // :info
  assert.deepEqual(parsed.lines.slice(-3), [12, 13, 15]);
  const ops = pairOperations(ev);
  assert.deepEqual(ops.map((o) => o.status), ["ok", "ok", "ok", "ok", "info", "info", "info"]);
  // Knossos's reading of :fail :cas: the operation did not happen.
  const knossos = parseJepsenLog(LOG, { failedCas: "did-not-happen" });
  assert.equal(knossos.events[7].type, "fail");
});

Deno.test("jepsen log: anything before jepsen.util is ignored (timestamps, levels)", () => {
  const line =
    "2015-04-16 13:12:27,123{GMT}\tINFO\t[jepsen worker 0] jepsen.util: 0\t:invoke\t:read\tnil";
  assert.deepEqual(parseJepsenLog(line).events[0].f, "read");
});

Deno.test("jepsen log: malformed lines give the line number and what was expected", () => {
  const lines = LOG.split("\n");
  const withLine = (i: number, text: string) => [...lines.slice(0, i), text].join("\n");
  assertParseError(() => parseJepsenLog(withLine(2, "garbage")), 3, /a Jepsen log line/);
  assertParseError(
    () => parseJepsenLog(withLine(2, "INFO  jepsen.util - x\t:ok\t:read\tnil")),
    3,
    /a process number/,
    21,
  );
  assertParseError(
    () => parseJepsenLog(withLine(2, "INFO  jepsen.util - 0\t:done\t:read\tnil")),
    3,
    /:invoke, :ok, :fail or :info/,
    23,
  );
  assertParseError(
    () => parseJepsenLog(withLine(4, "INFO  jepsen.util - 2\t:invoke\t:cas\t[3 0")),
    5,
    /"\]" to close/,
  );
  assertParseError(
    () => parseJepsenLog(withLine(4, "INFO  jepsen.util - 2\t:invoke\t:cas\t1 2")),
    5,
    /one value/,
  );
  // Pairing: completions need an open invocation of the same operation.
  assertParseError(
    () => parseJepsenLog("INFO  jepsen.util - 5\t:ok\t:read\t1"),
    1,
    /an :invoke by process 5/,
  );
  assertParseError(
    () => parseJepsenLog(withLine(1, "INFO  jepsen.util - 0\t:invoke\t:read\tnil")),
    2,
    /a completion of process 0's :read invoked on line 1/,
  );
  assertParseError(
    () => parseJepsenLog(withLine(2, "INFO  jepsen.util - 0\t:ok\t:write\t1")),
    3,
    /a completion of :read \(invoked on line 1\)/,
  );
});

// ---------------------------------------------------------------------------------------------
// EDN histories

Deno.test("edn history: one map a line, keys kept as strings, nemesis skipped", () => {
  const text = [
    '{:process 0, :type :invoke, :f :append, :key "0", :value "x 0 0 y"}',
    "{:process :nemesis, :type :info, :f :start, :value nil}",
    '{:process 0, :type :ok, :f :append, :key "0", :value "x 0 0 y"}',
    "{:process 1, :type :invoke, :f :get, :key 5, :value nil}",
    '{:process 1, :type :ok, :f :get, :key 5, :value ""}',
  ].join("\n");
  const parsed = parseHistory(text);
  assert.equal(parsed.format, "edn");
  assert.equal(parsed.hasKeys, true);
  assert.deepEqual(parsed.events.map((e) => [e.type, e.f, e.key, e.value]), [
    ["invoke", "append", "0", "x 0 0 y"],
    ["ok", "append", "0", "x 0 0 y"],
    ["invoke", "get", "5", null],
    ["ok", "get", "5", ""],
  ]);
  assert.deepEqual(parsed.lines, [1, 3, 4, 5]);
});

Deno.test("edn history: a single vector of maps, with :time in nanoseconds", () => {
  const text = `[{:process 0 :type :invoke :f :write :value 1 :time 1000000}
 {:process 0 :type :ok :f :write :value 1 :time 3000000}
 {:process 1 :type :invoke :f :cas :value [1 2] :time 4000000}
 {:process 1 :type :fail :f :cas :value [1 2] :time 5500000}]`;
  const parsed = parseEdnHistory(text);
  assert.deepEqual(parsed.events.map((e) => e.timeMs), [1, 3, 4, 5.5]);
  assert.deepEqual(parsed.lines, [1, 2, 3, 4]);
  assert.deepEqual([parsed.events[3].type, parsed.events[3].value], ["ok", false]);
});

Deno.test("edn history: malformed operations name their line", () => {
  const ok = "{:process 0, :type :invoke, :f :read, :value nil}";
  assertParseError(() => parseEdnHistory(`${ok}\n{:process 0, :f :read}`), 2, /:type/);
  assertParseError(
    () => parseEdnHistory(`${ok}\n{:process "p", :type :ok, :f :read}`),
    2,
    /integer :process/,
  );
  assertParseError(() => parseEdnHistory(`${ok}\n[1 2]`), 2, /an operation map/);
  assertParseError(
    () => parseEdnHistory(`${ok}\n{:process 0, :type :ok, :value 1}`),
    2,
    /an :f keyword/,
  );
  assertParseError(() => parseEdnHistory(`[${ok}\n 7]`), 2, /an operation map/, 2);
  assertParseError(
    () => parseEdnHistory(`${ok}\n{:process 0, :type :ok, :f :read, :key [1]}`),
    2,
    /:key/,
  );
});

Deno.test("format detection", () => {
  assert.equal(detectHistoryFormat(""), "empty");
  assert.equal(detectHistoryFormat("  \n ; only a comment\n"), "empty");
  assert.equal(detectHistoryFormat("\n{:process 0}"), "edn");
  assert.equal(detectHistoryFormat("[]"), "edn");
  assert.equal(detectHistoryFormat(LOG), "jepsen-log");
  assert.equal(detectHistoryFormat("hello"), undefined);
  assert.deepEqual(parseHistory("").events, []);
  assertParseError(
    () => parseHistory("\n\nhello world"),
    3,
    /Jepsen log line .* or an EDN history/,
  );
});
