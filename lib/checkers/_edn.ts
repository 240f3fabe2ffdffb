/**
 * A small, real EDN reader for the subset that Jepsen histories use: maps, vectors, lists,
 * strings with escapes, keywords, symbols, integers, floats, nil, true/false, `;` comments,
 * `#_` discards, and commas as whitespace. Sets, tagged literals and characters are rejected
 * with a {@link ParseError} that names the line and column.
 * @module
 */

/** A malformed input: where it went wrong (1-based line and column) and what was expected. */
export class ParseError extends Error {
  /** 1-based line of the offending input. */
  readonly line: number;
  /** 1-based column of the offending input (0 when unknown). */
  readonly column: number;
  /** What the parser expected there. */
  readonly expected: string;
  /** What it found instead. */
  readonly found: string;
  /** The file or source name, when known. */
  readonly source?: string;

  /** Build an error at `line`:`column`: "expected …, found …". */
  constructor(
    where: { line: number; column?: number; source?: string },
    expected: string,
    found: string,
  ) {
    const column = where.column ?? 0;
    const at = `${where.source ? where.source + ":" : ""}${where.line}${
      column ? ":" + column : ""
    }`;
    super(`${at}: expected ${expected}, found ${found}`);
    this.name = "ParseError";
    this.line = where.line;
    this.column = column;
    this.expected = expected;
    this.found = found;
    this.source = where.source;
  }
}

/** An EDN keyword such as `:invoke`; interned, so `keyword("a") === keyword("a")`. */
export class EdnKeyword {
  private static readonly interned = new Map<string, EdnKeyword>();
  private constructor(
    /** The name without the leading colon, namespace included (`"jepsen/op"`). */
    readonly name: string,
  ) {}
  /** The interned keyword with this name (no leading colon). */
  static of(name: string): EdnKeyword {
    let k = EdnKeyword.interned.get(name);
    if (k === undefined) {
      k = new EdnKeyword(name);
      EdnKeyword.interned.set(name, k);
    }
    return k;
  }
  /** `:name`, as written in EDN. */
  toString(): string {
    return ":" + this.name;
  }
}

/** An EDN symbol other than nil/true/false (e.g. `foo`); interned like keywords. */
export class EdnSymbol {
  private static readonly interned = new Map<string, EdnSymbol>();
  private constructor(
    /** The symbol's name. */
    readonly name: string,
  ) {}
  /** The interned symbol with this name. */
  static of(name: string): EdnSymbol {
    let s = EdnSymbol.interned.get(name);
    if (s === undefined) {
      s = new EdnSymbol(name);
      EdnSymbol.interned.set(name, s);
    }
    return s;
  }
  /** The symbol as written. */
  toString(): string {
    return this.name;
  }
}

/** An EDN map; keys compare by identity, which is by value for keywords, strings and numbers. */
export type EdnMap = ReadonlyMap<EdnValue, EdnValue>;

/** Any value the reader produces. Vectors and lists both become arrays. */
export type EdnValue =
  | null
  | boolean
  | number
  | string
  | EdnKeyword
  | EdnSymbol
  | readonly EdnValue[]
  | EdnMap;

/** A top-level form with the position where it starts. */
export interface EdnForm {
  readonly value: EdnValue;
  /** 1-based line where the form starts. */
  readonly line: number;
  /** 1-based column where the form starts. */
  readonly column: number;
  /** For a top-level vector or list: where each element starts. */
  readonly items?: readonly { readonly line: number; readonly column: number }[];
}

/** The interned keyword `:name`. */
export function keyword(name: string): EdnKeyword {
  return EdnKeyword.of(name);
}

/** Read every top-level form of `text`, with positions. Throws {@link ParseError}. */
export function readEdnForms(text: string, options: { source?: string } = {}): EdnForm[] {
  const reader = new Reader(text, options.source);
  const forms: EdnForm[] = [];
  for (;;) {
    reader.skipSpace();
    if (reader.atEnd()) return forms;
    const line = reader.line;
    const column = reader.column();
    const c = text[reader.pos];
    if (c === "[" || c === "(") {
      const items: { line: number; column: number }[] = [];
      forms.push({ value: reader.readSeq(c, items), line, column, items });
      continue;
    }
    const value = reader.readForm();
    if (value !== DISCARDED) forms.push({ value, line, column });
  }
}

/** Read exactly one EDN form from `text` (e.g. a value on a command line). */
export function readEdn(text: string, options: { source?: string } = {}): EdnValue {
  const forms = readEdnForms(text, options);
  if (forms.length !== 1) {
    const where = { line: forms[1]?.line ?? 1, column: forms[1]?.column, source: options.source };
    throw new ParseError(where, "exactly one EDN value", `${forms.length} values`);
  }
  return forms[0].value;
}

/** Render a value back as EDN text (for messages and explanations). */
export function showEdn(value: unknown): string {
  if (value === null || value === undefined) return "nil";
  if (typeof value === "string") return JSON.stringify(value);
  // Stryker disable next-line StringLiteral,LogicalOperator: equivalent — a number or boolean that misses this line reaches the final `return String(value)` (it is no keyword, symbol, vector or map)
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  // Stryker disable next-line LogicalOperator: equivalent — a keyword or symbol that misses this line reaches the final `return String(value)`, which calls the same toString()
  if (value instanceof EdnKeyword || value instanceof EdnSymbol) return value.toString();
  if (Array.isArray(value)) return "[" + value.map(showEdn).join(" ") + "]";
  if (value instanceof Map) {
    const parts: string[] = [];
    for (const [k, v] of value) parts.push(showEdn(k) + " " + showEdn(v));
    return "{" + parts.join(", ") + "}";
  }
  return String(value);
}

const DISCARDED: unique symbol = Symbol("discarded");

const CLOSERS: Record<string, string> = { "[": "]", "(": ")", "{": "}" };

function isWhitespace(c: number): boolean {
  // space, tab, newline, carriage return, form feed, comma
  return c === 32 || c === 9 || c === 10 || c === 13 || c === 12 || c === 44;
}

function isDelimiter(c: number): boolean {
  return isWhitespace(c) || c === 91 || c === 93 || c === 40 || c === 41 || c === 123 ||
    c === 125 || c === 34 || c === 59;
}

const INT_RE = /^[+-]?(0|[1-9][0-9]*)N?$/;
const FLOAT_RE = /^[+-]?(0|[1-9][0-9]*)(\.[0-9]*)?([eE][+-]?[0-9]+)?M?$/;

class Reader {
  pos = 0;
  line = 1;
  private lineStart = 0;

  constructor(private readonly text: string, private readonly source?: string) {}

  atEnd(): boolean {
    return this.pos >= this.text.length;
  }

  column(): number {
    return this.pos - this.lineStart + 1;
  }

  fail(expected: string, found?: string): never {
    const f = found ?? (this.atEnd() ? "end of input" : JSON.stringify(this.text[this.pos]));
    throw new ParseError(
      { line: this.line, column: this.column(), source: this.source },
      expected,
      f,
    );
  }

  private advance(): number {
    const c = this.text.charCodeAt(this.pos++);
    if (c === 10) {
      this.line++;
      this.lineStart = this.pos;
    }
    return c;
  }

  skipSpace(): void {
    const t = this.text;
    while (this.pos < t.length) {
      const c = t.charCodeAt(this.pos);
      if (isWhitespace(c)) {
        this.advance();
      } else if (c === 59) { // ';' comment to end of line
        while (this.pos < t.length && t.charCodeAt(this.pos) !== 10) this.pos++;
      } else {
        return;
      }
    }
  }

  readForm(): EdnValue | typeof DISCARDED {
    this.skipSpace();
    // Stryker disable next-line StringLiteral: equivalent — never reached: every caller checks atEnd() after skipping space and before calling readForm
    if (this.atEnd()) this.fail("a value");
    const ch = this.text[this.pos];
    switch (ch) {
      case "[":
      case "(":
        return this.readSeq(ch);
      case "{":
        return this.readMap();
      case "]":
      case ")":
      case "}":
        return this.fail("a value", `unmatched ${JSON.stringify(ch)}`);
      case '"':
        return this.readString();
      case ":":
        return this.readKeyword();
      case "#":
        return this.readDispatch();
      case "\\":
        return this.fail("a value (characters are not supported)", "\\");
      default:
        return this.readAtom();
    }
  }

  private readValue(context: string): EdnValue {
    for (;;) {
      this.skipSpace();
      if (this.atEnd()) this.fail(context);
      const v = this.readForm();
      if (v !== DISCARDED) return v;
    }
  }

  private readDispatch(): typeof DISCARDED {
    const next = this.text[this.pos + 1];
    if (next === "_") {
      this.pos += 2;
      this.readValue("a value after #_");
      return DISCARDED;
    }
    if (next === "{") return this.fail("a value (sets #{} are not supported)", "#{");
    return this.fail("a value (tagged literals are not supported)", "#" + (next ?? ""));
  }

  readSeq(open: string, positions?: { line: number; column: number }[]): EdnValue[] {
    const close = CLOSERS[open];
    const startLine = this.line;
    this.advance();
    const items: EdnValue[] = [];
    for (;;) {
      this.skipSpace();
      if (this.atEnd()) {
        this.fail(
          `${JSON.stringify(close)} to close the ${JSON.stringify(open)} of line ${startLine}`,
        );
      }
      const c = this.text[this.pos];
      if (c === close) {
        this.advance();
        return items;
      }
      if (c === "]" || c === ")" || c === "}") {
        this.fail(
          `${JSON.stringify(close)} to close the ${JSON.stringify(open)} of line ${startLine}`,
        );
      }
      const line = this.line;
      const column = this.column();
      const v = this.readForm();
      if (v !== DISCARDED) {
        items.push(v);
        positions?.push({ line, column });
      }
    }
  }

  private readMap(): EdnMap {
    const startLine = this.line;
    this.advance();
    const map = new Map<EdnValue, EdnValue>();
    for (;;) {
      this.skipSpace();
      if (this.atEnd()) this.fail(`"}" to close the "{" of line ${startLine}`);
      const c = this.text[this.pos];
      if (c === "}") {
        this.advance();
        return map;
      }
      if (c === "]" || c === ")") this.fail(`"}" to close the "{" of line ${startLine}`);
      const keyLine = this.line;
      const keyColumn = this.column();
      const key = this.readForm();
      if (key === DISCARDED) continue;
      this.skipSpace();
      if (this.atEnd() || this.text[this.pos] === "}") {
        this.fail(`a value for map key ${showEdn(key)}`);
      }
      const value = this.readValue(`a value for map key ${showEdn(key)}`);
      if (map.has(key)) {
        throw new ParseError(
          { line: keyLine, column: keyColumn, source: this.source },
          "distinct map keys",
          `duplicate key ${showEdn(key)}`,
        );
      }
      map.set(key, value);
    }
  }

  private readString(): string {
    const startLine = this.line;
    this.advance(); // opening quote
    let out = "";
    const t = this.text;
    for (;;) {
      if (this.atEnd()) this.fail(`a closing '"' for the string opened on line ${startLine}`);
      const c = this.advance();
      if (c === 34) return out;
      if (c !== 92) {
        out += String.fromCharCode(c);
        continue;
      }
      if (this.atEnd()) this.fail("an escape character after \\");
      const escape = { line: this.line, column: this.column() - 1, source: this.source };
      const e = t[this.pos];
      this.advance();
      switch (e) {
        case "n":
          out += "\n";
          break;
        case "t":
          out += "\t";
          break;
        case "r":
          out += "\r";
          break;
        case "b":
          out += "\b";
          break;
        case "f":
          out += "\f";
          break;
        case '"':
          out += '"';
          break;
        case "\\":
          out += "\\";
          break;
        case "u": {
          const hex = t.slice(this.pos, this.pos + 4);
          // no anchors: hex holds at most four characters, so four hex digits in it are all of it
          if (!/[0-9a-fA-F]{4}/.test(hex)) {
            this.fail("four hex digits after \\u", JSON.stringify(hex));
          }
          this.pos += 4;
          out += String.fromCharCode(parseInt(hex, 16));
          break;
        }
        default:
          throw new ParseError(
            escape,
            'a string escape (\\n \\t \\r \\b \\f \\" \\\\ \\uXXXX)',
            JSON.stringify("\\" + e),
          );
      }
    }
  }

  private readToken(): string {
    const t = this.text;
    const start = this.pos;
    while (this.pos < t.length && !isDelimiter(t.charCodeAt(this.pos))) this.pos++;
    return t.slice(start, this.pos);
  }

  private readKeyword(): EdnKeyword {
    const column = this.column();
    this.pos++; // ':'
    const name = this.readToken();
    if (name === "" || name.startsWith(":") || name.includes("#")) {
      throw new ParseError(
        { line: this.line, column, source: this.source },
        "a keyword name after ':'",
        JSON.stringify(":" + name),
      );
    }
    return EdnKeyword.of(name);
  }

  private readAtom(): EdnValue {
    const column = this.column();
    const token = this.readToken();
    // Stryker disable next-line StringLiteral: equivalent — never reached: readForm sends here only a character that is no delimiter, so the token is never empty
    if (token === "") this.fail("a value");
    if (token === "nil") return null;
    if (token === "true") return true;
    if (token === "false") return false;
    const c = token.charCodeAt(0);
    const numeric = (c >= 48 && c <= 57) ||
      ((c === 43 || c === 45) && token.length > 1 && /[0-9]/.test(token[1]));
    if (numeric) {
      if (INT_RE.test(token)) return Number(token.endsWith("N") ? token.slice(0, -1) : token);
      if (FLOAT_RE.test(token)) return Number(token.endsWith("M") ? token.slice(0, -1) : token);
      throw new ParseError(
        { line: this.line, column, source: this.source },
        "a number (integer or float)",
        JSON.stringify(token),
      );
    }
    return EdnSymbol.of(token);
  }
}
