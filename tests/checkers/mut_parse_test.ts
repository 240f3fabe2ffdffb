/**
 * Tests written to kill mutants of the history readers (lib/checkers/_edn.ts,
 * parse_history.ts, _rw_history.ts): exact values, exact error messages with their line and
 * column, and every branch of the Jepsen conventions. Columns are counted by hand, 1-based.
 */
import assert from "node:assert/strict";
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
import {
  causalPath,
  computeClocks,
  describeRw,
  lastIn,
  type RwOp,
  toRwHistory,
  valueKey,
  witnessOps,
  WriteIndex,
} from "@lab/checkers/_rw_history.ts";
import type { History } from "@lab/workload/history.ts";
import { history } from "./_helpers.ts";
import { get, put } from "./_weak_helpers.ts";
import { historyFails, log, parseFails, thrown } from "./_mut_parse_helpers.ts";

const sym = (s: string) => EdnSymbol.of(s);
const kw = keyword;

// ---------------------------------------------------------------------------------------------
// EDN reader (lib/checkers/_edn.ts)

Deno.test("edn: a ParseError says where (source, line, column) and what was expected", () => {
  const bare = new ParseError({ line: 3 }, "x", "y");
  assert.ok(bare instanceof Error);
  assert.equal(bare.name, "ParseError");
  assert.equal(bare.message, "3: expected x, found y"); // no column: none printed, 0 kept
  assert.deepEqual([bare.line, bare.column, bare.expected, bare.found], [3, 0, "x", "y"]);
  assert.equal(bare.source, undefined);
  const full = new ParseError({ line: 2, column: 5, source: "h.edn" }, "a", "b");
  assert.equal(full.message, "h.edn:2:5: expected a, found b");
  assert.deepEqual([full.line, full.column, full.source], [2, 5, "h.edn"]);
  // an empty source name prints nothing, like no source
  assert.equal(new ParseError({ line: 1, source: "" }, "a", "b").message, "1: expected a, found b");
});

Deno.test("edn: keywords and symbols are interned and print as written", () => {
  assert.equal(kw("a"), kw("a"));
  assert.notEqual(kw("a"), kw("b"));
  assert.equal(kw("ns/a").name, "ns/a");
  assert.equal(String(kw("ns/a")), ":ns/a");
  assert.equal(sym("foo"), sym("foo"));
  assert.notEqual(sym("foo"), sym("bar"));
  assert.equal(sym("foo").name, "foo");
  assert.equal(String(sym("foo")), "foo");
  assert.notEqual(sym("a") as unknown, kw("a") as unknown);
  assert.equal(readEdn(":a"), kw("a"));
  assert.equal(readEdn("foo"), sym("foo"));
});

Deno.test("edn: top-level forms carry their positions, a top-level list or vector its items'", () => {
  assert.deepEqual(readEdnForms("(1\n  [2 3]\n 4)"), [{
    value: [1, [2, 3], 4],
    line: 1,
    column: 1,
    items: [{ line: 1, column: 2 }, { line: 2, column: 3 }, { line: 3, column: 2 }],
  }]);
  // "[1 #_ 2 3]": the discarded 2 has no position, the 3 is at column 9
  assert.deepEqual(readEdnForms("[1 #_ 2 3]")[0].items, [{ line: 1, column: 2 }, {
    line: 1,
    column: 9,
  }]);
  // a discarded form at top level is no form; non-sequences carry no items
  assert.deepEqual(readEdnForms('  #_ 1 :a ; c\n"s"'), [
    { value: kw("a"), line: 1, column: 8 },
    { value: "s", line: 2, column: 1 },
  ]);
  // "#_ #_ 1 2 3": the inner #_ discards 1, the outer then discards 2
  assert.deepEqual(readEdnForms("#_ #_ 1 2 3"), [{ value: 3, line: 1, column: 11 }]);
  assert.deepEqual(readEdnForms(""), []);
  assert.deepEqual(readEdnForms(" ; only a comment\n,,"), []);
  assert.deepEqual(readEdnForms("1\r\n2").map((f) => [f.value, f.line, f.column]), [
    [1, 1, 1],
    [2, 2, 1],
  ]);
});

Deno.test("edn: readEdn wants exactly one value and says where the second starts", () => {
  parseFails(() => readEdn(""), "1: expected exactly one EDN value, found 0 values");
  parseFails(
    () => readEdn("1\n  2 3", { source: "v" }),
    "v:2:3: expected exactly one EDN value, found 3 values",
  );
});

Deno.test("edn: showEdn prints every kind of value as EDN", () => {
  assert.equal(showEdn(null), "nil");
  assert.equal(showEdn(undefined), "nil");
  assert.equal(showEdn('a"b'), '"a\\"b"');
  assert.equal(showEdn(-1.5), "-1.5");
  assert.equal(showEdn(true), "true");
  assert.equal(showEdn(false), "false");
  assert.equal(showEdn(kw("k")), ":k");
  assert.equal(showEdn(sym("s")), "s");
  assert.equal(showEdn([1, [null, "x"], []]), '[1 [nil "x"] []]');
  assert.equal(showEdn(new Map<unknown, unknown>([[kw("a"), 1], ["b", [2]]])), '{:a 1, "b" [2]}');
  assert.equal(showEdn(new Map()), "{}");
  assert.equal(showEdn(10n), "10");
});

Deno.test("edn: whitespace (space, tab, CR, LF, form feed, comma) and every delimiter end a token", () => {
  assert.deepEqual(readEdn("[1\t2\r3\f4,5\n6 7]"), [1, 2, 3, 4, 5, 6, 7]);
  // each symbol is directly followed by one delimiter: [ ] ( ) { } " ;
  assert.deepEqual(readEdn('[a[b]c(d)e{:f 1}g"h"i;c\n]'), [
    sym("a"),
    [sym("b")],
    sym("c"),
    [sym("d")],
    sym("e"),
    new Map([[kw("f"), 1]]),
    sym("g"),
    "h",
    sym("i"),
  ]);
  assert.deepEqual(readEdn("[:a[:b]:c]"), [kw("a"), [kw("b")], kw("c")]);
  // a comment or a token may end the text: the error after it is at the column past the end
  assert.equal(readEdn("1 ; c"), 1);
  parseFails(
    () => readEdn("[1 ; c"),
    '1:7: expected "]" to close the "[" of line 1, found end of input',
  );
  parseFails(
    () => readEdn("[1"),
    '1:3: expected "]" to close the "[" of line 1, found end of input',
  );
});

Deno.test("edn: integers and floats, with N and M suffixes", () => {
  const cases: [string, number][] = [
    ["0", 0],
    ["9", 9],
    ["10", 10],
    ["+12N", 12],
    ["-30N", -30],
    ["0N", 0],
    ["7N", 7],
    ["100N", 100],
    ["1M", 1],
    ["0.5", 0.5],
    ["0.25", 0.25],
    ["10.5", 10.5],
    ["-9.75", -9.75],
    ["1.", 1],
    ["1e5", 100000],
    ["1e10", 1e10],
    ["1E-2", 0.01],
    ["2.5e+1M", 25],
    ["+1", 1],
  ];
  for (const [text, value] of cases) assert.equal(readEdn(text), value, text);
  assert.ok(Object.is(readEdn("-0"), -0));
  // a sign or dot not followed by a digit starts a symbol
  for (const s of ["+", "-", "-a", "+a", ".5", "-.5", "N", "a1", "nilx", "truex", "false?"]) {
    assert.equal(readEdn(s), sym(s), s);
  }
  assert.deepEqual(readEdn("[nil true false]"), [null, true, false]);
  for (const bad of ["00", "01", "1.5.5", "1e", "12NN", "1.5MM", "1.5N", "1x", "-1a", "1N5"]) {
    parseFails(() => readEdn(bad), `1:1: expected a number (integer or float), found "${bad}"`);
  }
  // the column is where the token starts, not where it ends
  parseFails(() => readEdn("[1 00]"), '1:4: expected a number (integer or float), found "00"');
});

Deno.test("edn: a closing bracket, a character or a dispatch where a value belongs", () => {
  parseFails(() => readEdn("]"), '1:1: expected a value, found unmatched "]"');
  parseFails(() => readEdn(")"), '1:1: expected a value, found unmatched ")"');
  parseFails(() => readEdn("}"), '1:1: expected a value, found unmatched "}"');
  parseFails(
    () => readEdn("\\a"),
    "1:1: expected a value (characters are not supported), found \\",
  );
  parseFails(() => readEdn("#_"), "1:3: expected a value after #_, found end of input");
  parseFails(
    () => readEdn("#{1}"),
    "1:1: expected a value (sets #{} are not supported), found #{",
  );
  parseFails(
    () => readEdn("#inst"),
    "1:1: expected a value (tagged literals are not supported), found #i",
  );
  parseFails(
    () => readEdn("#"),
    "1:1: expected a value (tagged literals are not supported), found #",
  );
  assert.deepEqual(readEdn("[#_ 1]"), []);
  assert.equal(readEdn("#_[1 2] 3"), 3);
});

Deno.test("edn: an unclosed or wrongly closed list or vector names its opening line", () => {
  parseFails(
    () => readEdn("[1 "),
    '1:4: expected "]" to close the "[" of line 1, found end of input',
  );
  parseFails(
    () => readEdn("(\n1"),
    '2:2: expected ")" to close the "(" of line 1, found end of input',
  );
  parseFails(() => readEdn("[1 )"), '1:4: expected "]" to close the "[" of line 1, found ")"');
  parseFails(() => readEdn("(1 ]"), '1:4: expected ")" to close the "(" of line 1, found "]"');
  parseFails(() => readEdn("(1 }"), '1:4: expected ")" to close the "(" of line 1, found "}"');
  parseFails(() => readEdn("[\n(1]"), '2:3: expected ")" to close the "(" of line 2, found "]"');
});

Deno.test("edn: maps: keys of any kind, discards, missing values, bad closers, duplicates", () => {
  const m = readEdn('{"k" 1, 2 [3], nil true, :n {:o {:p nil}}}') as ReadonlyMap<
    EdnValue,
    EdnValue
  >;
  assert.deepEqual([...m.keys()], ["k", 2, null, kw("n")]);
  assert.deepEqual([...m.values()].slice(0, 3), [1, [3], true]);
  assert.deepEqual(m.get(kw("n")), new Map([[kw("o"), new Map([[kw("p"), null]])]]));
  assert.deepEqual(readEdn("{}"), new Map());
  assert.deepEqual(readEdn("{#_ :x :a 1}"), new Map([[kw("a"), 1]]));
  assert.deepEqual(readEdn("{:a #_ 1 2}"), new Map([[kw("a"), 2]]));
  parseFails(() => readEdn("{:a"), "1:4: expected a value for map key :a, found end of input");
  parseFails(() => readEdn("{:a }"), '1:5: expected a value for map key :a, found "}"');
  parseFails(
    () => readEdn("{:a 1"),
    '1:6: expected "}" to close the "{" of line 1, found end of input',
  );
  parseFails(() => readEdn("{\n:a 1]"), '2:5: expected "}" to close the "{" of line 1, found "]"');
  parseFails(() => readEdn("{:a 1)"), '1:6: expected "}" to close the "{" of line 1, found ")"');
  parseFails(
    () => readEdn("{:a 1 :a 2}", { source: "m.edn" }),
    "m.edn:1:7: expected distinct map keys, found duplicate key :a",
  );
});

Deno.test("edn: strings: every escape, unicode, and errors at the right column", () => {
  assert.equal(readEdn('""'), "");
  assert.equal(
    readEdn(String.raw`"\n\t\r\b\f\"\\\u0041\u00e9\uABCD\uabcd"`),
    '\n\t\r\b\f"\\Aé\uABCD\uabcd',
  );
  assert.equal(readEdn('"😀 x"'), "😀 x");
  parseFails(
    () => readEdn('"ab'),
    `1:4: expected a closing '"' for the string opened on line 1, found end of input`,
  );
  parseFails(
    () => readEdn('"a\nb'),
    `2:2: expected a closing '"' for the string opened on line 1, found end of input`,
  );
  parseFails(
    () => readEdn('"ab\\'),
    "1:5: expected an escape character after \\, found end of input",
  );
  // `"\u12"`: the four characters after \u are 1, 2 and the closing quote
  parseFails(
    () => readEdn(String.raw`"\u12"`),
    '1:4: expected four hex digits after \\u, found "12\\""',
  );
  parseFails(
    () => readEdn(String.raw`"\u1xyz"`),
    '1:4: expected four hex digits after \\u, found "1xyz"',
  );
  const escapes = String.raw`a string escape (\n \t \r \b \f \" \\ \uXXXX)`;
  parseFails(() => readEdn(String.raw`"a\q"`), `1:3: expected ${escapes}, found "\\\\q"`);
  parseFails(() => readEdn('\n "\\q"'), `2:3: expected ${escapes}, found "\\\\q"`);
});

Deno.test("edn: keywords need a name that does not start with ':' and has no '#'", () => {
  parseFails(() => readEdn(":"), `1:1: expected a keyword name after ':', found ":"`);
  parseFails(() => readEdn("[1 ::a]"), `1:4: expected a keyword name after ':', found "::a"`);
  parseFails(() => readEdn(":a#b"), `1:1: expected a keyword name after ':', found ":a#b"`);
  // only a leading colon is refused: one inside or at the end belongs to the name
  assert.equal(readEdn(":a:b"), kw("a:b"));
  assert.equal(readEdn(":ab:"), kw("ab:"));
});

// ---------------------------------------------------------------------------------------------
// Format detection and Jepsen logs (lib/checkers/parse_history.ts)

Deno.test("parse: the format comes from the first character after blanks, commas and comments", () => {
  assert.equal(detectHistoryFormat(""), "empty");
  assert.equal(detectHistoryFormat(" \t\n,, ; c\n;d"), "empty");
  assert.equal(detectHistoryFormat("; x jepsen.util"), "empty"); // only a comment
  assert.equal(detectHistoryFormat(", {"), "edn");
  assert.equal(detectHistoryFormat("; hello\n["), "edn");
  assert.equal(detectHistoryFormat(";a\n;b\n("), "edn");
  assert.equal(detectHistoryFormat("{"), "edn");
  assert.equal(detectHistoryFormat("["), "edn");
  assert.equal(detectHistoryFormat("("), "edn");
  // a comment runs to the end of its line: the { inside it is not the first character
  assert.equal(detectHistoryFormat("; {\nhello"), undefined);
  assert.equal(detectHistoryFormat("hello"), undefined);
  assert.equal(detectHistoryFormat("x\njepsen.util"), "jepsen-log");
  assert.deepEqual(parseHistory(""), { format: "empty", events: [], lines: [], hasKeys: false });
  assert.deepEqual(parseHistory("  ; c"), {
    format: "empty",
    events: [],
    lines: [],
    hasKeys: false,
  });
});

Deno.test("parse: text in no known format names its first non-blank line", () => {
  const what = "a Jepsen log line (`INFO jepsen.util - 0 :invoke :read nil`) or an EDN history";
  parseFails(
    () => parseHistory("\n\n  hello world\nmore", { source: "h.txt" }),
    `h.txt:3: expected ${what}, found "hello world"`,
  );
  parseFails(() => parseHistory("x"), `1: expected ${what}, found "x"`);
  // the text is trimmed as a whole: blanks ending the first line stay in the quote
  parseFails(() => parseHistory(" \n  hi there \nnext"), `2: expected ${what}, found "hi there "`);
});

/** One operation of each kind the Jepsen conventions treat differently. */
const CONVENTIONS = [
  log("0\t:invoke\t:write\t1"), // 1
  log("0\t:ok\t:write\t1"), // 2
  "   \t", // 3: blank
  log("1\t:invoke\t:read\tnil"), // 4
  log("1\t:ok\t:read\t:timed-out"), // 5: timed out → info
  log("2\t:invoke\t:cas\t[1 2]"), // 6
  log("2\t:fail\t:cas\t[1 2]"), // 7: the comparison failed → ok false
  log("12\t:invoke\t:write\t:x"), // 8
  log("12\t:fail\t:write\t:x"), // 9: a failed write did not happen
  log("3\t:invoke\t:cas\t[2 3]"), // 10
  log("3\t:fail\t:cas\t:timed-out"), // 11: timed out → info
  log(":nemesis\t:info\t:start\t{:a"), // 12: skipped before its value is read
  log("4\t:invoke\t:read\tnil"), // 13
  log('4\t:ok\t:read\t"timed-out"'), // 14: a string, not the keyword
  log("5\t:invoke\t:cas\t[0 1]"), // 15
  log("5\t:ok\t:cas\t[0 1]"), // 16: ok cas → true
  log("6  :invoke  :write  9"), // 17
  log("6  :info  :write  9"), // 18: info → null, whatever the value
  log('7 :invoke :write {:a [1 :b], x "y"}'), // 19
].join("\n");

Deno.test("parse: a Jepsen log follows Jepsen's conventions for every kind of completion", () => {
  const parsed = parseJepsenLog(CONVENTIONS);
  const e = (type: string, process: number, f: string, value: unknown, timeMs: number) => ({
    type,
    process,
    f,
    value,
    timeMs,
  });
  assert.deepEqual(parsed, {
    format: "jepsen-log",
    events: [
      e("invoke", 0, "write", 1, 0),
      e("ok", 0, "write", 1, 1),
      e("invoke", 1, "read", null, 2),
      e("info", 1, "read", null, 3),
      e("invoke", 2, "cas", [1, 2], 4),
      e("ok", 2, "cas", false, 5),
      e("invoke", 12, "write", ":x", 6),
      e("fail", 12, "write", ":x", 7),
      e("invoke", 3, "cas", [2, 3], 8),
      e("info", 3, "cas", null, 9),
      e("invoke", 4, "read", null, 10),
      e("ok", 4, "read", "timed-out", 11),
      e("invoke", 5, "cas", [0, 1], 12),
      e("ok", 5, "cas", true, 13),
      e("invoke", 6, "write", 9, 14),
      e("info", 6, "write", null, 15),
      e("invoke", 7, "write", { a: [1, ":b"], x: "y" }, 16),
    ],
    lines: [1, 2, 4, 5, 6, 7, 8, 9, 10, 11, 13, 14, 15, 16, 17, 18, 19],
    hasKeys: false,
  });
  // Knossos's reading: a failed cas did not happen; the others are read as before
  const knossos = parseJepsenLog(CONVENTIONS, { failedCas: "did-not-happen" });
  assert.deepEqual(knossos.events[5], e("fail", 2, "cas", [1, 2], 5));
  assert.deepEqual(knossos.events[9], e("info", 3, "cas", null, 9));
  assert.deepEqual(knossos.events[13], e("ok", 5, "cas", true, 13));
  assert.deepEqual(knossos.events[7], e("fail", 12, "write", ":x", 7));
  const explicit = parseJepsenLog(CONVENTIONS, { failedCas: "comparison-failed" });
  assert.deepEqual(explicit.events, parsed.events);
  // parseHistory detects the log and gives the same result
  assert.deepEqual(parseHistory(CONVENTIONS), parsed);
});

Deno.test("parse: Jepsen log separators: CRLF, tabs, several spaces, ':' after jepsen.util", () => {
  const what = "a Jepsen log line: `INFO jepsen.util - PROCESS :TYPE :F VALUE`";
  const one = [log("0 :invoke :read nil"), log("0 :ok :read 3")];
  const want = [
    { type: "invoke", process: 0, f: "read", value: null, timeMs: 0 },
    { type: "ok", process: 0, f: "read", value: 3, timeMs: 1 },
  ];
  assert.deepEqual(parseJepsenLog(one.join("\r\n") + "\r\n").events, want);
  assert.deepEqual(
    parseJepsenLog("jepsen.util\t-\t0\t:invoke\t:read\tnil\njepsen.util:  0 :ok :read 3").events,
    want,
  );
  assert.deepEqual(
    parseJepsenLog("x jepsen.util -   0 :invoke :read nil\njepsen.util - 0 :ok :read 3   ").events,
    want,
  );
  // a carriage return between fields is whitespace like any other
  assert.deepEqual(parseJepsenLog(`${log("0\r:invoke :read nil")}\n${one[1]}`).events, want);
  // the first jepsen.util starts the fields, even when the value mentions another
  const quoted = log('0 :invoke :write "jepsen.util - 1 :ok :read 2"');
  assert.deepEqual(parseJepsenLog(quoted).events, [
    { type: "invoke", process: 0, f: "write", value: "jepsen.util - 1 :ok :read 2", timeMs: 0 },
  ]);
  // text after a carriage return inside a line is not silently dropped: no field may hold one
  parseFails(
    () => parseJepsenLog(log("0 :invoke :read nil\rjunk")),
    `1: expected ${what}, found ${JSON.stringify(log("0 :invoke :read nil\rjunk"))}`,
  );
  // jepsen.util must be followed by "-" or ":" and then a blank
  parseFails(
    () => parseJepsenLog("jepsen.util:0 :invoke :read nil"),
    `1: expected ${what}, found "jepsen.util:0 :invoke :read nil"`,
  );
  parseFails(
    () => parseJepsenLog("jepsen.util 0 :invoke :read nil"),
    `1: expected ${what}, found "jepsen.util 0 :invoke :read nil"`,
  );
});

Deno.test("parse: a malformed Jepsen log line names its line, column and field", () => {
  const what = "a Jepsen log line: `INFO jepsen.util - PROCESS :TYPE :F VALUE`";
  parseFails(
    () => parseJepsenLog(`${log("0 :invoke :read nil")}\ngarbage`, { source: "l.log" }),
    `l.log:2: expected ${what}, found "garbage"`,
  );
  // quoted whole up to 60 characters, cut to 57 and "..." beyond
  const g60 = "g".repeat(60);
  parseFails(() => parseJepsenLog(g60), `1: expected ${what}, found "${g60}"`);
  parseFails(() => parseJepsenLog(g60 + "h"), `1: expected ${what}, found "${"g".repeat(57)}..."`);
  const proc = "expected a process number or :nemesis";
  parseFails(() => parseJepsenLog(log("x :ok :read nil")), `1:20: ${proc}, found "x"`);
  parseFails(() => parseJepsenLog(log("-1 :ok :read nil")), `1:20: ${proc}, found "-1"`);
  parseFails(() => parseJepsenLog(log("1a :ok :read nil")), `1:20: ${proc}, found "1a"`);
  parseFails(() => parseJepsenLog(log("a1 :ok :read nil")), `1:20: ${proc}, found "a1"`);
  const type = "expected :invoke, :ok, :fail or :info";
  parseFails(() => parseJepsenLog(log("0 ok :read nil")), `1:22: ${type}, found "ok"`);
  parseFails(() => parseJepsenLog(log("0 xok :read nil")), `1:22: ${type}, found "xok"`);
  parseFails(() => parseJepsenLog(log("10  :done :read nil")), `1:24: ${type}, found ":done"`);
  const f = "expected an operation keyword such as :read, :write or :cas";
  parseFails(() => parseJepsenLog(log("0 :invoke read nil")), `1:30: ${f}, found "read"`);
  parseFails(() => parseJepsenLog(log("0 :invoke :1read nil")), `1:30: ${f}, found ":1read"`);
  parseFails(() => parseJepsenLog(log("0 :invoke x:read nil")), `1:30: ${f}, found "x:read"`);
  parseFails(() => parseJepsenLog(log("0 :invoke :read@ nil")), `1:30: ${f}, found ":read@"`);
  parseFails(() => parseJepsenLog(log("0 :invoke : nil")), `1:30: ${f}, found ":"`);
  const one = "expected one value (nil, an integer, [from to] or :timed-out)";
  parseFails(() => parseJepsenLog(log("0 :invoke :read")), `1:35: ${one}, found nothing`);
  parseFails(() => parseJepsenLog(log("0 :invoke :read   ")), `1:38: ${one}, found nothing`);
  parseFails(() => parseJepsenLog(log("0 :invoke :write 1 2")), `1:37: ${one}, found "1 2"`);
  // an error of the reader that is no ParseError (a stack overflow on absurdly deep nesting)
  // passes through as it is, not disguised as a parse error
  const deep = thrown(() => parseJepsenLog(log(`0 :invoke :write ${"[".repeat(200000)}`)));
  assert.ok(deep instanceof RangeError, String(deep));
  // an EDN error inside the value: its column counted from the start of the line
  parseFails(
    () => parseJepsenLog(`\n${log("0 :invoke :cas [1 2")}`, { source: "l.log" }),
    'l.log:2:39: expected "]" to close the "[" of line 1, found end of input',
  );
});

Deno.test("parse: operation names may hold letters, digits and .*+!?/-_ after the first letter", () => {
  const text = [
    log("0 :invoke :Read nil"),
    log("0 :ok :Read nil"),
    log("0 :invoke :a.b*c+d!e?f/g-h_1 nil"),
  ]
    .join("\n");
  assert.deepEqual(parseJepsenLog(text).events.map((e) => e.f), [
    "Read",
    "Read",
    "a.b*c+d!e?f/g-h_1",
  ]);
});

Deno.test("parse: invocations and completions must pair up, per process and operation", () => {
  parseFails(
    () => parseJepsenLog(log("5 :ok :read 1")),
    "1:20: expected an :invoke by process 5 before this completion, found :ok :read with no operation open",
  );
  parseFails(
    () => parseJepsenLog(`${log("0 :invoke :read nil")}\n${log("0 :invoke :write 2")}`),
    "2:20: expected a completion of process 0's :read invoked on line 1, found another :invoke (:write)",
  );
  parseFails(
    () =>
      parseJepsenLog(`${log("0 :invoke :read nil")}\n\n${log("0 :ok :write 2")}`, { source: "s" }),
    "s:3:20: expected a completion of :read (invoked on line 1), found :write",
  );
  // a process may invoke again once its operation completed
  const again = [log("0 :invoke :read nil"), log("0 :ok :read 1"), log("0 :invoke :read nil")];
  assert.deepEqual(parseJepsenLog(again.join("\n")).lines, [1, 2, 3]);
});

// ---------------------------------------------------------------------------------------------
// EDN histories (lib/checkers/parse_history.ts)

Deno.test("parse: an EDN history: keys of every kind, string :f, missing :value, nested values", () => {
  const text = `[{:process 0, :type :invoke, :f :write, :key :k, :value 1}
 {:process :nemesis, :type :info, :f :kill}
 {:process 0, :type :ok, :f :write, :key :k, :value 1}
  {:process 1, :type :invoke, :f "read", :key 7}
 {:process 1, :type :ok, :f "read", :key 7, :value nil}
 {:process 2, :type :invoke, :f :txn, :key "s", :value [[:r 1 nil] {:x "y", "z" foo, 3 {:w true}}]}
 {:process 3, :type :invoke, :f :read, :key nil, :value nil}]`;
  const parsed = parseHistory(text);
  assert.deepEqual(parsed, {
    format: "edn",
    events: [
      { type: "invoke", process: 0, f: "write", key: "k", value: 1, timeMs: 0 },
      { type: "ok", process: 0, f: "write", key: "k", value: 1, timeMs: 1 },
      { type: "invoke", process: 1, f: "read", key: "7", value: null, timeMs: 2 },
      { type: "ok", process: 1, f: "read", key: "7", value: null, timeMs: 3 },
      {
        type: "invoke",
        process: 2,
        f: "txn",
        key: "s",
        // keyword map keys lose their colon, other keys print as strings
        value: [[":r", 1, null], { x: "y", z: "foo", "3": { w: true } }],
        timeMs: 4,
      },
      { type: "invoke", process: 3, f: "read", value: null, timeMs: 5 }, // :key nil: no key
    ],
    lines: [1, 3, 4, 5, 6, 7],
    hasKeys: true,
  });
  // a list works like a vector; without keys hasKeys stays false
  const plain = parseEdnHistory(
    "({:process 0 :type :invoke :f :read :key nil}\n {:process 0 :type :ok :f :read :value 5})",
  );
  assert.deepEqual(plain, {
    format: "edn",
    events: [
      { type: "invoke", process: 0, f: "read", value: null, timeMs: 0 },
      { type: "ok", process: 0, f: "read", value: 5, timeMs: 1 },
    ],
    lines: [1, 2],
    hasKeys: false,
  });
  // one map alone is one operation, not a collection of them
  assert.deepEqual(parseEdnHistory("{:process 4 :type :invoke :f :read}").events, [
    { type: "invoke", process: 4, f: "read", value: null, timeMs: 0 },
  ]);
});

Deno.test("parse: EDN :time is used (ns → ms) only when every event has one", () => {
  const op = (type: string, time: string) => `{:process 0 :type :${type} :f :read :time ${time}}`;
  assert.deepEqual(
    parseEdnHistory(`${op("invoke", "2000000")}\n${op("ok", "0")}`).events.map((e) => e.timeMs),
    [2, 0],
  );
  // one :time nil (or missing): every event is timed by its index instead
  assert.deepEqual(
    parseEdnHistory(`${op("invoke", "2000000")}\n${op("ok", "nil")}`).events.map((e) => e.timeMs),
    [0, 1],
  );
  assert.deepEqual(
    parseEdnHistory(`${op("invoke", "nil")}\n${op("ok", "7000000")}`).events.map((e) => e.timeMs),
    [0, 1],
  );
});

Deno.test("parse: a bad EDN operation names its line, column and the field at fault", () => {
  const ops = "expected an operation map {:process … :type … :f …}";
  parseFails(() => parseEdnHistory("7"), `1:1: ${ops}, found 7`);
  parseFails(() => parseEdnHistory("nil"), `1:1: ${ops}, found nil`);
  parseFails(() => parseEdnHistory('"x"'), `1:1: ${ops}, found "x"`);
  parseFails(() => parseEdnHistory(":a"), `1:1: ${ops}, found :a`);
  parseFails(() => parseEdnHistory("foo"), `1:1: ${ops}, found foo`);
  parseFails(() => parseEdnHistory("true"), `1:1: ${ops}, found true`);
  parseFails(() => parseEdnHistory("[[1]]"), `1:2: ${ops}, found a vector`);
  // two collections are two forms, each of which should have been a map
  parseFails(
    () => parseEdnHistory("[{:process 0 :type :invoke :f :r}]\n[{:process 1 :type :invoke :f :r}]"),
    `1:1: ${ops}, found a vector`,
  );
  const at = (body: string) => () =>
    parseEdnHistory(`{:process 9 :type :invoke :f :r}\n  {${body}}`);
  parseFails(at(":type :ok :f :r"), "2:3: expected a :process entry, found none");
  const proc = "2:3: expected an integer :process or :nemesis";
  parseFails(at(":process nil :type :ok :f :r"), `${proc}, found nil`);
  parseFails(at(":process 1.5 :type :ok :f :r"), `${proc}, found 1.5`);
  parseFails(at(':process "0" :type :ok :f :r'), `${proc}, found "0"`);
  parseFails(at(":process :foo :type :ok :f :r"), `${proc}, found :foo`);
  parseFails(at(":process [0] :type :ok :f :r"), `${proc}, found a vector`);
  parseFails(at(":process {:a 1} :type :ok :f :r"), `${proc}, found a map`);
  parseFails(at(":process foo :type :ok :f :r"), `${proc}, found foo`);
  const type = "2:3: expected :type :invoke, :ok, :fail or :info";
  parseFails(at(":process 9 :f :r"), `${type}, found no :type`);
  parseFails(at(":process 9 :type :done :f :r"), `${type}, found :done`);
  parseFails(at(':process 9 :type "ok" :f :r'), `${type}, found "ok"`);
  parseFails(at(":process 9 :type nil :f :r"), `${type}, found nil`);
  const f = "2:3: expected an :f keyword";
  parseFails(at(":process 9 :type :ok"), `${f}, found no :f`);
  parseFails(at(":process 9 :type :ok :f 3"), `${f}, found 3`);
  parseFails(at(":process 9 :type :ok :f [:r]"), `${f}, found a vector`);
  const key = "2:3: expected a string, number or keyword :key";
  parseFails(at(":process 9 :type :ok :f :r :key [1]"), `${key}, found a vector`);
  parseFails(at(":process 9 :type :ok :f :r :key true"), `${key}, found true`);
  parseFails(at(":process 9 :type :ok :f :r :key foo"), `${key}, found foo`);
  parseFails(at(":process 9 :type :ok :f :r :key {}"), `${key}, found a map`);
  const time = "2:3: expected a numeric :time (nanoseconds)";
  parseFails(at(':process 9 :type :ok :f :r :time "5"'), `${time}, found "5"`);
  parseFails(at(":process 9 :type :ok :f :r :time :t"), `${time}, found :t`);
  parseFails(
    () => parseEdnHistory("[{:process 0 :type :invoke :f :r}\n {:type :ok}]", { source: "h.edn" }),
    "h.edn:2:2: expected a :process entry, found none",
  );
});

Deno.test("parse: an EDN history that is no EDN names the source, line and column", () => {
  parseFails(
    () => parseEdnHistory("[{:process 0 :type :invoke :f :r}\n", { source: "h.edn" }),
    'h.edn:2:1: expected "]" to close the "[" of line 1, found end of input',
  );
  parseFails(
    () => parseHistory('{:process 0 :f "r}', { source: "g.edn" }),
    `g.edn:1:19: expected a closing '"' for the string opened on line 1, found end of input`,
  );
});

Deno.test("parse: an EDN completion must match its invocation's :f and :key", () => {
  const inv = '{:process 0 :type :invoke :f :read :key "a"}';
  parseFails(
    () => parseEdnHistory(`${inv}\n{:process 0 :type :ok :f :read}`),
    "2:1: expected a completion of :read key a (invoked on line 1), found :read",
  );
  parseFails(
    () =>
      parseEdnHistory(
        "{:process 0 :type :invoke :f :read}\n {:process 0 :type :ok :f :read :key 5}",
      ),
    "2:2: expected a completion of :read (invoked on line 1), found :read key 5",
  );
  parseFails(
    () => parseEdnHistory(`${inv}\n{:process 0 :type :ok :f :write :key "a"}`, { source: "k" }),
    "k:2:1: expected a completion of :read key a (invoked on line 1), found :write key a",
  );
  parseFails(
    () => parseEdnHistory("{:process 3 :type :fail :f :read}"),
    "1:1: expected an :invoke by process 3 before this completion, found :fail :read with no operation open",
  );
});

// ---------------------------------------------------------------------------------------------
// Read/write histories (lib/checkers/_rw_history.ts)

/** A raw event; `extra` adds key, node, ... */
const ev = (
  type: string,
  process: unknown,
  f: unknown,
  value: unknown,
  timeMs: unknown,
  extra: Record<string, unknown> = {},
) => ({ type, process, f, value, timeMs, ...extra });
const rw = (...events: unknown[]) => toRwHistory(events as unknown as History);

Deno.test("rw: valueKey tells values of different types apart", () => {
  assert.equal(valueKey(null), "nil");
  assert.equal(valueKey(undefined), "nil");
  assert.equal(valueKey(1), "number:1");
  assert.equal(valueKey(true), "boolean:true");
  assert.equal(valueKey("1"), "s:1");
  assert.equal(valueKey([1, "a"]), 'j:[1,"a"]');
  assert.equal(valueKey({ a: 1 }), 'j:{"a":1}');
});

Deno.test("rw: each malformed event is named by index and field, with what was found", () => {
  const e = thrown(() => toRwHistory(5 as unknown as History));
  assert.ok(e instanceof TypeError);
  assert.equal(e.message, "history: expected an array of events");
  historyFails(() => rw(null), 0, "type", "history[0].type: expected an event object");
  historyFails(() => rw(7), 0, "type", "history[0].type: expected an event object");
  const ok = ev("invoke", 0, "read", null, 0);
  historyFails(
    () => rw(ok, ev("done", 1, "read", null, 1)),
    1,
    "type",
    'history[1].type: expected invoke|ok|fail|info, got "done"',
  );
  historyFails(
    () => rw({ process: 0, f: "read", timeMs: 0 }),
    0,
    "type",
    "history[0].type: expected invoke|ok|fail|info, got nil",
  );
  historyFails(
    () => rw(ev("invoke", "p1", "read", null, 0)),
    0,
    "process",
    'history[0].process: expected an integer, got "p1"',
  );
  historyFails(
    () => rw(ev("invoke", 1.5, "read", null, 0)),
    0,
    "process",
    "history[0].process: expected an integer, got 1.5",
  );
  const f = "expected read|get|write|put (a read/write history), got";
  historyFails(() => rw(ev("invoke", 0, "cas", [1, 2], 0)), 0, "f", `history[0].f: ${f} "cas"`);
  historyFails(() => rw(ev("invoke", 0, 3, null, 0)), 0, "f", `history[0].f: ${f} 3`);
  historyFails(
    () => rw(ev("invoke", 0, "read", null, "1")),
    0,
    "timeMs",
    'history[0].timeMs: expected a number, got "1"',
  );
  historyFails(
    () => rw(ev("invoke", 0, "read", null, NaN)),
    0,
    "timeMs",
    "history[0].timeMs: expected a number, got NaN",
  );
  historyFails(
    () => rw(ev("invoke", 0, "read", null, 0, { key: 3 })),
    0,
    "key",
    "history[0].key: expected a string, got 3",
  );
  const nil = "history[0].value: a write of nil: nil stands for the initial value";
  historyFails(() => rw(ev("invoke", 0, "write", null, 0)), 0, "value", nil);
  historyFails(() => rw(ev("invoke", 0, "put", undefined, 0)), 0, "value", nil);
  // a completion's value is not the write's argument: an ok with nil is fine
  const h = rw(ev("invoke", 0, "write", 1, 0), ev("ok", 0, "write", null, Infinity));
  assert.deepEqual([h.ops[0].value, h.ops[0].completeMs], [1, Infinity]);
});

Deno.test("rw: pairing errors name the event, also past history[9]", () => {
  historyFails(
    () => rw(ev("invoke", 0, "read", null, 0), ev("invoke", 0, "read", null, 1)),
    1,
    "type",
    "history[1].type: process 0 invokes while its operation at history[0] is still open",
  );
  const five = Array.from({ length: 5 }, (_, i) => [
    ev("invoke", 0, "write", i + 1, 2 * i),
    ev("ok", 0, "write", i + 1, 2 * i + 1),
  ]).flat();
  historyFails(
    () => rw(...five, ev("ok", 1, "read", 1, 10)),
    10,
    "type",
    "history[10].type: process 1 completes (ok) with no open invoke",
  );
});

Deno.test("rw: operations grouped by session, failed ops and unknown reads dropped", () => {
  const h = rw(
    ev("invoke", 5, "write", 1, 0, { key: "x" }), // 0: fails, dropped
    ev("fail", 5, "write", 1, 1, { key: "x" }),
    ev("invoke", 3, "write", 2, 2, { key: "x", node: "n1" }), // 2: p3 is the first session
    ev("ok", 3, "write", 2, 3, { key: "x", node: "n2" }),
    ev("invoke", 5, "read", null, 4, { key: "x" }), // 4
    ev("ok", 5, "read", 2, 5, { key: "x" }),
    ev("invoke", 3, "put", 3, 6, { key: "y" }), // 6: outcome unknown, kept
    ev("info", 3, "put", null, 7, { key: "y" }),
    ev("invoke", 7, "get", null, 8, { key: "y" }), // 8: outcome unknown, dropped
    ev("info", 7, "get", null, 9, { key: "y" }),
    ev("invoke", 7, "read", null, 10), // 10: no key, no value: the initial value
    ev("ok", 7, "read", undefined, 11),
    ev("invoke", 5, "get", null, 12, { key: "x" }), // 12: nobody wrote 9
    ev("ok", 5, "get", 9, 13, { key: "x" }),
  );
  const op = (
    id: number,
    process: number,
    index: number,
    kind: string,
    key: string,
    value: unknown,
    status: string,
    invokeMs: number,
    completeMs: number,
  ) => ({
    id,
    process,
    index,
    kind,
    key,
    value,
    status,
    invokeMs,
    completeMs,
    invokeIndex: invokeMs,
  });
  assert.deepEqual(h.ops, [
    { ...op(0, 3, 0, "write", "x", 2, "ok", 2, 3), node: "n1" },
    op(1, 3, 1, "write", "y", 3, "info", 6, Infinity),
    op(2, 5, 0, "read", "x", 2, "ok", 4, 5),
    op(3, 5, 1, "read", "x", 9, "ok", 12, 13),
    op(4, 7, 0, "read", "", null, "ok", 10, 11),
  ]);
  assert.deepEqual(h.sessions, [[0, 1], [2, 3], [4]]);
  assert.deepEqual(h.processes, [3, 5, 7]);
  assert.deepEqual([...h.sessionOf], [0, 0, 1, 1, 2]);
  // writes read from nothing (-1); read x → 2 from op 0; 9 from no write (-2); nil: initial (-1)
  assert.deepEqual([...h.readsFrom], [-1, -1, 0, -2, -1]);
});

Deno.test("rw: a value written twice to a key is refused only for differentiated checkers", () => {
  const twice = [
    ev("invoke", 1, "write", 1, 0, { key: "x" }),
    ev("ok", 1, "write", 1, 1, { key: "x" }),
    ev("invoke", 0, "write", 1, 2, { key: "x" }),
    ev("ok", 0, "write", 1, 3, { key: "x" }),
    ev("invoke", 2, "read", null, 4, { key: "x" }),
    ev("ok", 2, "read", 1, 5, { key: "x" }),
  ];
  historyFails(
    () => toRwHistory(twice as unknown as History, { differentiated: true }),
    2,
    "value",
    'history[2].value: 1 is written to key "x" twice (also at history[0]); this checker needs ' +
      "a differentiated history (each value written at most once per key)",
  );
  // without the option the read goes with the first write (op 0, process 1's)
  assert.deepEqual([...rw(...twice).readsFrom], [-1, -1, 0]);
  // the same value on other keys, or a key and value that concatenate alike, are distinct
  const distinct = [
    ev("invoke", 0, "write", 1, 0, { key: "x" }),
    ev("ok", 0, "write", 1, 1, { key: "x" }),
    ev("invoke", 0, "write", 1, 2, { key: "y" }),
    ev("ok", 0, "write", 1, 3, { key: "y" }),
    ev("invoke", 0, "write", "s:", 4, { key: "x" }),
    ev("ok", 0, "write", "s:", 5, { key: "x" }),
    ev("invoke", 0, "write", "", 6, { key: "xs:" }),
    ev("ok", 0, "write", "", 7, { key: "xs:" }),
    ev("invoke", 1, "read", null, 8, { key: "xs:" }),
    ev("ok", 1, "read", "", 9, { key: "xs:" }),
    ev("invoke", 1, "read", null, 10, { key: "y" }),
    ev("ok", 1, "read", 1, 11, { key: "y" }),
    ev("invoke", 1, "read", null, 12, { key: "x" }),
    ev("ok", 1, "read", "1", 13, { key: "x" }), // the string "1", not the number
  ];
  const h = toRwHistory(distinct as unknown as History, { differentiated: true });
  assert.deepEqual([...h.readsFrom], [-1, -1, -1, -1, 3, 1, -2]);
});

/** p0: x := 1, read y → 2.  p1: y := 2, read x → 1. */
const crossed = () =>
  toRwHistory(history(
    put(0, "x", 1, [0, 1]),
    put(1, "y", 2, [2, 3]),
    get(0, "y", 2, [4, 5]),
    get(1, "x", 1, [6, 7]),
  ));

Deno.test("rw: vector clocks over PO ∪ WR, without WR, and with added edges", () => {
  const h = crossed();
  // ops: 0 = p0 x:=1, 1 = p0 y→2, 2 = p1 y:=2, 3 = p1 x→1
  assert.deepEqual([...h.readsFrom], [-1, 2, -1, 0]);
  const c = computeClocks(h);
  assert.ok("clock" in c);
  // clock[o] = per session, the highest program-order index in o's past
  assert.deepEqual([...c.clock], [0, -1, 1, 0, -1, 0, 0, 1]);
  assert.deepEqual([...c.topo], [0, 2, 1, 3]);
  const po = computeClocks(h, undefined, false);
  assert.ok("clock" in po);
  assert.deepEqual([...po.clock], [0, -1, 1, -1, -1, 0, -1, 1]);
  assert.deepEqual([...po.topo], [0, 2, 1, 3]);
  // an added edge op 2 → op 0 puts p1's write in the past of everything of p0
  const added = computeClocks(h, [[2]]);
  assert.ok("clock" in added);
  assert.deepEqual([...added.clock], [0, 0, 1, 0, -1, 0, 0, 1]);
  assert.deepEqual([...added.topo], [2, 0, 1, 3]);
  // an added edge op 3 → op 0 closes the cycle 0 → 3 (3 reads 0's write) → 0
  assert.deepEqual(computeClocks(h, [[3]]), { cycle: [0, 3] });
  // an added edge op 3 → op 2 closes 2 → 3 → 2. Kahn's algorithm removes only op 0; op 1 is
  // left (op 2 precedes it) but leads nowhere, so the search for a cycle starts again at op 2
  assert.deepEqual(computeClocks(h, [undefined, undefined, [3]]), { cycle: [2, 3] });
});

Deno.test("rw: without WR, a read's write is no predecessor (and takes no successor slot)", () => {
  // p0: x:=1 (op 0), y:=2 (op 1), z:=3 (op 2).  p1: read x → 1 (op 3).
  const h = toRwHistory(history(
    put(0, "x", 1, [0, 1]),
    put(0, "y", 2, [2, 3]),
    put(0, "z", 3, [4, 5]),
    get(1, "x", 1, [6, 7]),
  ));
  const po = computeClocks(h, undefined, false);
  assert.ok("clock" in po, JSON.stringify(po));
  assert.deepEqual([...po.clock], [0, -1, 1, -1, 2, -1, -1, 0]);
  assert.deepEqual([...po.topo], [0, 3, 1, 2]);
  const co = computeClocks(h);
  assert.ok("clock" in co);
  assert.deepEqual([...co.clock], [0, -1, 1, -1, 2, -1, 0, 0]);
  assert.deepEqual([...co.topo], [0, 1, 3, 2]);
});

Deno.test("rw: describeRw writes an operation the way the witnesses print it", () => {
  const base = {
    id: 0,
    process: 0,
    index: 0,
    key: "",
    status: "ok",
    invokeMs: 0,
    completeMs: 1,
    invokeIndex: 0,
  };
  const d = (o: Record<string, unknown>) => describeRw({ ...base, ...o } as unknown as RwOp);
  assert.equal(d({ kind: "write", value: 1 }), "p0 write(1)");
  assert.equal(d({ kind: "write", key: "x", value: "a", process: 4 }), 'p4 write("x", "a")');
  assert.equal(
    d({ kind: "write", key: "x", value: 1, status: "info" }),
    'p0 write("x", 1) (outcome unknown)',
  );
  assert.equal(d({ kind: "read", key: "x", value: null, process: 2 }), 'p2 read("x") → nil');
  assert.equal(d({ kind: "read", value: [1, "a"], process: 2 }), 'p2 read() → [1 "a"]');
});

/** p0: x:=1, y:=2, x:=3, read x → 3.  p1: read x → 1, x:=4. */
const indexed = () =>
  toRwHistory(history(
    put(0, "x", 1, [0, 1]),
    put(0, "y", 2, [2, 3]),
    put(0, "x", 3, [4, 5]),
    get(0, "x", 3, [6, 7]),
    get(1, "x", 1, [8, 9]),
    put(1, "x", 4, [10, 11]),
  ));

Deno.test("rw: WriteIndex lists each session's writes (or reads) of a key by program order", () => {
  const h = indexed();
  const writes = new WriteIndex(h);
  assert.deepEqual(writes.forKey("x"), [{ idx: [0, 2], ids: [0, 2] }, { idx: [1], ids: [5] }]);
  assert.deepEqual(writes.forKey("y"), [{ idx: [1], ids: [1] }, { idx: [], ids: [] }]);
  assert.equal(writes.forKey("z"), undefined);
  const last: [string, number, number, number][] = [
    ["x", 0, -1, -1],
    ["x", 0, 0, 0],
    ["x", 0, 1, 0],
    ["x", 0, 2, 2],
    ["x", 0, 9, 2],
    ["x", 1, 0, -1],
    ["x", 1, 1, 5],
    ["y", 1, 5, -1],
    ["z", 0, 5, -1],
  ];
  for (const [key, s, upTo, id] of last) {
    assert.equal(writes.lastAtOrBefore(key, s, upTo), id, `${key} ${s} ${upTo}`);
  }
  const reads = new WriteIndex(h, "read");
  assert.deepEqual(reads.forKey("x"), [{ idx: [3], ids: [3] }, { idx: [0], ids: [4] }]);
  assert.equal(reads.forKey("y"), undefined);
});

Deno.test("rw: lastIn finds the last id at or before an index by binary search", () => {
  const e = { idx: [1, 3, 5], ids: [10, 11, 12] };
  const want = [[-1, -1], [0, -1], [1, 10], [2, 10], [3, 11], [4, 11], [5, 12], [9, 12]];
  for (const [upTo, id] of want) assert.equal(lastIn(e, upTo), id, `upTo ${upTo}`);
  assert.equal(lastIn({ idx: [], ids: [] }, 3), -1);
  assert.equal(lastIn({ idx: [0], ids: [7] }, 0), 7);
  assert.equal(lastIn({ idx: [0], ids: [7] }, -1), -1);
  const long = { idx: [0, 1, 2, 3, 4, 5, 6, 7], ids: [20, 21, 22, 23, 24, 25, 26, 27] };
  for (let i = 0; i < 8; i++) assert.equal(lastIn(long, i), 20 + i);
});

Deno.test("rw: witness operations are deduplicated, valid ids only, in invocation order", () => {
  const h = indexed();
  const w = witnessOps(h, [5, -1, 0, 5, 4, -2]);
  assert.deepEqual(w, [
    { ...h.ops[0], description: 'p0 write("x", 1)' },
    { ...h.ops[4], description: 'p1 read("x") → 1' },
    { ...h.ops[5], description: 'p1 write("x", 4)' },
  ]);
  assert.deepEqual(witnessOps(h, []), []);
});

Deno.test("rw: a causal path hops sessions at the first operation that saw the source", () => {
  // p0: x:=1 (op 0).  p1: y:=5 (1), read x → 1 (2), z:=2 (3).  p2: read z → 2 (4), w:=3 (5).
  const h = toRwHistory(history(
    put(0, "x", 1, [0, 1]),
    put(1, "y", 5, [2, 3]),
    get(1, "x", 1, [4, 5]),
    put(1, "z", 2, [6, 7]),
    get(2, "z", 2, [8, 9]),
    put(2, "w", 3, [10, 11]),
  ));
  const c = computeClocks(h);
  assert.ok("clock" in c);
  // sessions p0, p1, p2: op 2 joins op 0's clock, op 4 op 3's
  assert.deepEqual([...c.clock], [0, -1, -1, -1, 0, -1, 0, 1, -1, 0, 2, -1, 0, 2, 0, 0, 2, 1]);
  // 0 → 2 (read x) → 3 (program order) → 4 (read z) → 5 (program order)
  assert.deepEqual(causalPath(h, c.clock, 0, 5), [0, 2, 3, 4, 5]);
  // from p1's first op, program order reaches 3, then 4 reads it
  assert.deepEqual(causalPath(h, c.clock, 1, 5), [1, 3, 4, 5]);
  assert.deepEqual(causalPath(h, c.clock, 2, 5), [2, 3, 4, 5]);
  assert.deepEqual(causalPath(h, c.clock, 0, 3), [0, 2, 3]);
  const x = crossed(); // p0: x:=1 (0), read y → 2 (1).  p1: y:=2 (2), read x → 1 (3).
  const cx = computeClocks(x);
  assert.ok("clock" in cx);
  assert.deepEqual(causalPath(x, cx.clock, 2, 1), [2, 1]);
  assert.deepEqual(causalPath(x, cx.clock, 0, 3), [0, 3]);
});
