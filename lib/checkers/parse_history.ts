/**
 * Parsers for recorded histories: Jepsen log lines (`INFO  jepsen.util - 2	:invoke	:cas	[3 0]`)
 * and EDN histories (one collection of maps, or one map per line). Both produce the
 * {@link HistoryEvent}s of lib/workload/history.ts and throw a {@link ParseError} naming the line
 * and what was expected.
 *
 * Jepsen conventions applied (as in Porcupine's and Knossos's readers):
 * - a completion whose value is `:timed-out`, and any `:info`, has an unknown outcome → `info`;
 * - `:ok :cas` becomes an `ok` event with value `true`; `:fail :cas` (not timed out) means the
 *   comparison failed, so by default it becomes an `ok` event with value `false` (the cas happened
 *   and changed nothing); with `failedCas: "did-not-happen"` it stays a `fail`;
 * - other `:fail`s did not happen;
 * - events of the `:nemesis` process are skipped;
 * - without `:time` fields, an event's `timeMs` is its index in the returned list.
 * @module
 */
import type { HistoryEvent, HistoryEventType } from "../workload/history.ts";
import { EdnKeyword, EdnSymbol, ParseError, readEdnForms } from "./_edn.ts";
import type { EdnForm, EdnMap, EdnValue } from "./_edn.ts";

export {
  EdnKeyword,
  EdnSymbol,
  keyword,
  ParseError,
  readEdn,
  readEdnForms,
  showEdn,
} from "./_edn.ts";
export type { EdnForm, EdnMap, EdnValue } from "./_edn.ts";

/** The formats {@link parseHistory} recognizes; "empty" is a file with nothing in it. */
export type HistoryFormat = "jepsen-log" | "edn" | "empty";

/** Options shared by the parsers. */
export interface ParseOptions {
  /** File name used in error messages. Default: none. */
  readonly source?: string;
  /**
   * What a non-timed-out `:fail :cas` means. "comparison-failed" (default, Porcupine's etcd
   * semantics and the corpus verdicts): it happened and saw a different value. "did-not-happen":
   * it is removed like any failed operation (Knossos).
   */
  readonly failedCas?: "comparison-failed" | "did-not-happen";
}

/** A parsed file: its format, its events and the 1-based line each event came from. */
export interface ParsedHistory {
  /** The format the text was parsed as. */
  readonly format: HistoryFormat;
  /** The history events, in file order. */
  readonly events: HistoryEvent[];
  /** `lines[i]` is the line where `events[i]` starts. */
  readonly lines: number[];
  /** True when any event carries a `key` (a key-value history). */
  readonly hasKeys: boolean;
}

const TYPES: ReadonlySet<string> = new Set(["invoke", "ok", "fail", "info"]);

/** Guess the format from the first meaningful character: `{ [ (` → EDN, `jepsen.util` → log. */
export function detectHistoryFormat(text: string): HistoryFormat | undefined {
  const m = /^(?:\s|,|;[^\n]*)*(\S)?/.exec(text);
  const first = m?.[1];
  if (first === undefined) return "empty";
  if (first === "{" || first === "[" || first === "(") return "edn";
  if (text.includes("jepsen.util")) return "jepsen-log";
  return undefined;
}

/** Parse a history file of either format (detected). Throws {@link ParseError}. */
export function parseHistory(text: string, options: ParseOptions = {}): ParsedHistory {
  const format = detectHistoryFormat(text);
  switch (format) {
    case "empty":
      return { format, events: [], lines: [], hasKeys: false };
    case "edn":
      return parseEdnHistory(text, options);
    case "jepsen-log":
      return parseJepsenLog(text, options);
    default: {
      const line = 1 + (text.slice(0, text.search(/\S/)).match(/\n/g)?.length ?? 0);
      throw new ParseError(
        { line, source: options.source },
        "a Jepsen log line (`INFO jepsen.util - 0 :invoke :read nil`) or an EDN history",
        JSON.stringify(text.trim().split("\n")[0].slice(0, 40)),
      );
    }
  }
}

/** Builds events with Jepsen's conventions and checks that invocations and completions pair up. */
class EventBuilder {
  readonly events: HistoryEvent[] = [];
  readonly lines: number[] = [];
  hasKeys = false;
  private readonly open = new Map<number, { line: number; f: string; key?: string }>();

  constructor(private readonly options: ParseOptions) {}

  add(
    where: { line: number; column?: number },
    raw: {
      type: string;
      process: number;
      f: string;
      key?: string;
      value: unknown;
      timeMs?: number;
    },
  ): void {
    const at = { ...where, source: this.options.source };
    let type = raw.type as HistoryEventType;
    let value = raw.value;
    const timedOut = value instanceof EdnKeyword && value.name === "timed-out";
    if (type === "invoke") {
      const o = this.open.get(raw.process);
      if (o !== undefined) {
        throw new ParseError(
          at,
          `a completion of process ${raw.process}'s :${o.f} invoked on line ${o.line}`,
          `another :invoke (:${raw.f})`,
        );
      }
      this.open.set(raw.process, { line: where.line, f: raw.f, key: raw.key });
    } else {
      const o = this.open.get(raw.process);
      if (o === undefined) {
        throw new ParseError(
          at,
          `an :invoke by process ${raw.process} before this completion`,
          `:${type} :${raw.f} with no operation open`,
        );
      }
      if (o.f !== raw.f || o.key !== raw.key) {
        const show = (f: string, key?: string) => `:${f}${key === undefined ? "" : ` key ${key}`}`;
        throw new ParseError(
          at,
          `a completion of ${show(o.f, o.key)} (invoked on line ${o.line})`,
          show(raw.f, raw.key),
        );
      }
      this.open.delete(raw.process);
      if (timedOut || type === "info") {
        type = "info";
        value = null;
      } else if (raw.f === "cas" && type === "ok") {
        value = true;
      } else if (
        raw.f === "cas" && type === "fail" && this.options.failedCas !== "did-not-happen"
      ) {
        type = "ok";
        value = false;
      }
    }
    if (raw.key !== undefined) this.hasKeys = true;
    const event: HistoryEvent = {
      type,
      process: raw.process,
      f: raw.f,
      ...(raw.key === undefined ? {} : { key: raw.key }),
      value: toPlain(value),
      timeMs: raw.timeMs ?? this.events.length,
    };
    this.events.push(event);
    this.lines.push(where.line);
  }
}

/** EDN values as plain data: keywords and symbols become strings, maps become objects. */
function toPlain(v: unknown): unknown {
  if (v instanceof EdnKeyword || v instanceof EdnSymbol) return v.toString();
  if (Array.isArray(v)) return v.map(toPlain);
  if (v instanceof Map) {
    const o: Record<string, unknown> = {};
    for (const [k, x] of v) o[k instanceof EdnKeyword ? k.name : String(k)] = toPlain(x);
    return o;
  }
  return v;
}

/**
 * Parse Jepsen log lines: `LEVEL jepsen.util - PROCESS :TYPE :F VALUE`, fields separated by tabs
 * or runs of spaces, anything before `jepsen.util` (timestamps, levels) ignored, blank lines
 * skipped. VALUE is EDN: `nil`, an integer, `[from to]`, `:timed-out`.
 */
export function parseJepsenLog(text: string, options: ParseOptions = {}): ParsedHistory {
  const builder = new EventBuilder(options);
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const line = lines[i].replace(/\r$/, "");
    if (line.trim() === "") continue;
    const m = /^(.*?jepsen\.util\s*[-:]\s+)(\S+)(\s+)(\S+)(\s+)(\S+)(\s*)(.*)$/.exec(line);
    const expected = "a Jepsen log line: `INFO jepsen.util - PROCESS :TYPE :F VALUE`";
    if (m === null) {
      throw new ParseError({ line: lineNo, source: options.source }, expected, quote(line));
    }
    const [, lead, processText, s1, typeText, s2, fText, s3, valueText] = m;
    const col = (k: number) => 1 + lead.length + k;
    const processCol = col(0);
    const typeCol = col(processText.length + s1.length);
    const fCol = typeCol + typeText.length + s2.length;
    const valueCol = fCol + fText.length + s3.length;
    if (processText === ":nemesis") continue;
    if (!/^\d+$/.test(processText)) {
      throw new ParseError(
        { line: lineNo, column: processCol, source: options.source },
        "a process number or :nemesis",
        quote(processText),
      );
    }
    const type = typeText.startsWith(":") ? typeText.slice(1) : "";
    if (!TYPES.has(type)) {
      throw new ParseError(
        { line: lineNo, column: typeCol, source: options.source },
        ":invoke, :ok, :fail or :info",
        quote(typeText),
      );
    }
    if (!/^:[A-Za-z][\w.*+!?/-]*$/.test(fText)) {
      throw new ParseError(
        { line: lineNo, column: fCol, source: options.source },
        "an operation keyword such as :read, :write or :cas",
        quote(fText),
      );
    }
    let forms: EdnForm[];
    try {
      // no source here: the reader's error is rethrown below with this line's own place
      forms = readEdnForms(valueText);
    } catch (e) {
      if (!(e instanceof ParseError)) throw e;
      throw new ParseError(
        { line: lineNo, column: valueCol + e.column - 1, source: options.source },
        e.expected,
        e.found,
      );
    }
    if (forms.length !== 1) {
      throw new ParseError(
        { line: lineNo, column: valueCol, source: options.source },
        "one value (nil, an integer, [from to] or :timed-out)",
        forms.length === 0 ? "nothing" : quote(valueText),
      );
    }
    builder.add({ line: lineNo, column: processCol }, {
      type,
      process: Number(processText),
      f: fText.slice(1),
      value: forms[0].value,
    });
  }
  return { format: "jepsen-log", ...result(builder) };
}

function result(b: EventBuilder): Omit<ParsedHistory, "format"> {
  return { events: b.events, lines: b.lines, hasKeys: b.hasKeys };
}

function quote(s: string): string {
  return JSON.stringify(s.length > 60 ? s.slice(0, 57) + "..." : s);
}

const K = {
  process: EdnKeyword.of("process"),
  type: EdnKeyword.of("type"),
  f: EdnKeyword.of("f"),
  key: EdnKeyword.of("key"),
  value: EdnKeyword.of("value"),
  time: EdnKeyword.of("time"),
} as const;

/**
 * Parse an EDN history: either one vector/list of operation maps, or a sequence of maps (one a
 * line, as Jepsen's history.edn). Keys `:process` (integer, or `:nemesis` to skip), `:type`,
 * `:f`, optional `:key` (string, number or keyword; kept as a string), `:value`, and `:time` in
 * nanoseconds (used as `timeMs = time / 1e6` when every event has one).
 */
export function parseEdnHistory(text: string, options: ParseOptions = {}): ParsedHistory {
  const forms = readEdnForms(text, { source: options.source });
  let maps: EdnForm[] = forms;
  if (forms.length === 1 && Array.isArray(forms[0].value)) {
    const outer = forms[0];
    maps = (outer.value as readonly EdnValue[]).map((value, i) => ({ value, ...outer.items![i] }));
  }
  const at = (f: EdnForm) => ({ line: f.line, column: f.column, source: options.source });
  const raws: {
    form: EdnForm;
    raw: { type: string; process: number; f: string; key?: string; value: unknown };
    time?: number;
  }[] = [];
  for (const form of maps) {
    const m = form.value;
    if (!(m instanceof Map)) {
      throw new ParseError(at(form), "an operation map {:process … :type … :f …}", describe(m));
    }
    const map = m as EdnMap;
    const process = map.get(K.process);
    if (process instanceof EdnKeyword && process.name === "nemesis") continue;
    if (process === undefined) throw new ParseError(at(form), "a :process entry", "none");
    if (typeof process !== "number" || !Number.isInteger(process)) {
      throw new ParseError(at(form), "an integer :process or :nemesis", describe(process));
    }
    const type = map.get(K.type);
    if (!(type instanceof EdnKeyword) || !TYPES.has(type.name)) {
      throw new ParseError(
        at(form),
        ":type :invoke, :ok, :fail or :info",
        type === undefined ? "no :type" : describe(type),
      );
    }
    const f = map.get(K.f);
    const fName = f instanceof EdnKeyword ? f.name : typeof f === "string" ? f : undefined;
    if (fName === undefined) {
      throw new ParseError(at(form), "an :f keyword", f === undefined ? "no :f" : describe(f));
    }
    const keyValue = map.get(K.key);
    let key: string | undefined;
    if (keyValue !== undefined && keyValue !== null) {
      if (typeof keyValue === "string") key = keyValue;
      else if (typeof keyValue === "number") key = String(keyValue);
      else if (keyValue instanceof EdnKeyword) key = keyValue.name;
      else throw new ParseError(at(form), "a string, number or keyword :key", describe(keyValue));
    }
    const time = map.get(K.time);
    if (time !== undefined && time !== null && typeof time !== "number") {
      throw new ParseError(at(form), "a numeric :time (nanoseconds)", describe(time));
    }
    raws.push({
      form,
      raw: { type: type.name, process, f: fName, key, value: map.get(K.value) ?? null },
      time: typeof time === "number" ? time : undefined,
    });
  }
  const timed = raws.length > 0 && raws.every((r) => r.time !== undefined);
  const builder = new EventBuilder(options);
  for (const r of raws) {
    builder.add(r.form, { ...r.raw, timeMs: timed ? r.time! / 1e6 : undefined });
  }
  return { format: "edn", ...result(builder) };
}

function describe(v: EdnValue | undefined): string {
  // Stryker disable next-line StringLiteral: equivalent — never reached: every caller passes a value it read (missing entries are reported before describe is called)
  if (v === undefined) return "nothing";
  if (v === null) return "nil";
  if (Array.isArray(v)) return "a vector";
  if (v instanceof Map) return "a map";
  if (v instanceof EdnKeyword || v instanceof EdnSymbol) return v.toString();
  return JSON.stringify(v);
}
