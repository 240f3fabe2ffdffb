/**
 * The output rule: which code cells must produce output when a notebook is executed.
 *
 * Rule (checked after every run, a violation fails the notebook naming the cell):
 *
 * A code cell MUST produce at least one output (stream text, display data, an execute result
 * or an error) unless
 *   1. its source is empty or only comments, or
 *   2. it is tagged `parameters`, `injected-parameters`, `no-output` or `skip-execution`
 *      (nbclient does not run the latter), or
 *   3. every top-level statement in it is an import or a declaration: `import …` (not
 *      `import(…)`), `export …`, `const`, `let`, `var`, `using`, `function`, `async function`,
 *      `class`, `abstract class`, `declare …`, `type X =`, `interface`, `enum`, `namespace`.
 *
 * So `const rows = run(params);` may stay silent, but a cell with any other top-level
 * statement (`rows`, `show(chart)`, `console.log(…)`, `assert(…)`, `for (…) {…}`, `await x`)
 * must show something. A check cell that only asserts prints what it verified
 * (`console.log("ok: no two leaders in one term")`) or is tagged `no-output`.
 *
 * Top-level statements are found by a small scanner that understands strings, template
 * literals, comments, regex literals and bracket nesting, and splits statements at `;` and
 * at line breaks (a line break does not split when the previous line ends with an operator,
 * `,`, `(`, `[`, `{`, `.` or `=>`, or the next line starts with `.`, `?.`, `?`, `:`, `,`, a
 * binary operator, `)`, `]`, `(`, `[` or a backtick, as JavaScript's ASI would continue).
 *
 * @module
 */

import { cellLabel, cellSource, cellTags, type Notebook, type NotebookCell } from "./ipynb.ts";

/** Tags that exempt a code cell from the output rule. */
export const NO_OUTPUT_TAGS: readonly string[] = [
  "parameters",
  "injected-parameters",
  "no-output",
  "skip-execution",
];

const KEYWORDS_BEFORE_REGEX = new Set([
  "return",
  "typeof",
  "case",
  "do",
  "else",
  "in",
  "of",
  "new",
  "delete",
  "void",
  "throw",
  "await",
  "yield",
  "instanceof",
]);

const WORD_CHAR = /[A-Za-z0-9_$]/;

/** Characters that, ending a line, make the next line continue the same statement. */
function endsWithContinuation(prev: string, prev2: string): boolean {
  if ((prev === "+" && prev2 === "+") || (prev === "-" && prev2 === "-")) return false;
  return "=+-*/%&|^<>?:,([{.~".includes(prev);
}

/** Whether the text at `i` continues the previous line's statement. */
function startsWithContinuation(src: string, i: number): boolean {
  const c = src[i];
  if (c === "+" && src[i + 1] === "+") return false;
  if (c === "-" && src[i + 1] === "-") return false;
  return ".?:,)]([`=+-*/%&|^<>".includes(c);
}

/**
 * Splits `source` into its top-level statements (their text, trimmed). Statements inside
 * blocks, functions and brackets are part of the enclosing statement.
 */
export function topLevelStatements(source: string): string[] {
  const src = source;
  const n = src.length;
  const starts: number[] = [];
  const stack: string[] = []; // "(", "[", "{" or "${" (a template expression)
  let inTemplate = false;
  let expectStart = true;
  let sawNewline = false;
  let prev = ""; // last significant character
  let prev2 = ""; // the one before it
  let lastWord = ""; // set when the last token was a word, else ""
  const mark = (last: string, word = "") => {
    prev2 = prev;
    prev = last;
    lastWord = word;
  };
  let i = 0;
  while (i < n) {
    const c = src[i];
    if (inTemplate) {
      if (c === "\\") i += 2;
      else if (c === "`") {
        inTemplate = false;
        i++;
        mark("`");
      } else if (c === "$" && src[i + 1] === "{") {
        stack.push("${");
        inTemplate = false;
        i += 2;
        mark("{");
      } else i++;
      continue;
    }
    if (c === "/" && src[i + 1] === "/") {
      while (i < n && src[i] !== "\n") i++;
      continue;
    }
    if (c === "/" && src[i + 1] === "*") {
      const end = src.indexOf("*/", i + 2);
      const stop = end < 0 ? n : end + 2;
      if (stack.length === 0 && src.slice(i, stop).includes("\n")) sawNewline = true;
      i = stop;
      continue;
    }
    if (c === "\n") {
      if (stack.length === 0) sawNewline = true;
      i++;
      continue;
    }
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (stack.length === 0) {
      if (expectStart) {
        starts.push(i);
        expectStart = false;
      } else if (
        sawNewline && !endsWithContinuation(prev, prev2) && !startsWithContinuation(src, i)
      ) {
        starts.push(i);
      }
      sawNewline = false;
    }
    if (c === '"' || c === "'") {
      i++;
      while (i < n && src[i] !== c && src[i] !== "\n") i += src[i] === "\\" ? 2 : 1;
      i++;
      mark(c);
    } else if (c === "`") {
      inTemplate = true;
      i++;
    } else if (c === "/") {
      const regexAllowed = lastWord
        ? KEYWORDS_BEFORE_REGEX.has(lastWord)
        : prev === "" || "(,=:[!&|?{};+-*%<>~^".includes(prev);
      let j = i + 1;
      let inClass = false;
      let closed = false;
      while (regexAllowed && j < n && src[j] !== "\n") {
        const d = src[j];
        if (d === "/" && !inClass) {
          closed = true;
          j++;
          break;
        }
        if (d === "[") inClass = true;
        else if (d === "]") inClass = false;
        j += d === "\\" ? 2 : 1;
      }
      if (closed) {
        while (j < n && /[a-z]/i.test(src[j])) j++;
        i = j;
        mark("x"); // a regex literal ends an operand, like an identifier
      } else {
        i++;
        mark("/");
      }
    } else if (WORD_CHAR.test(c)) {
      let j = i;
      while (j < n && WORD_CHAR.test(src[j])) j++;
      const word = src.slice(i, j);
      i = j;
      mark(word[word.length - 1], word);
    } else {
      if (c === "(" || c === "[" || c === "{") stack.push(c);
      else if (c === ")" || c === "]" || c === "}") {
        if (stack.pop() === "${") inTemplate = true;
      } else if (c === ";" && stack.length === 0) expectStart = true;
      i++;
      mark(c);
    }
  }
  const out: string[] = [];
  for (let k = 0; k < starts.length; k++) {
    const text = src.slice(starts[k], k + 1 < starts.length ? starts[k + 1] : n).trim();
    if (text !== "" && text !== ";") out.push(text);
  }
  return out;
}

const DECLARATION_PATTERNS: readonly RegExp[] = [
  /^import\b(?!\s*[(.])/,
  /^export\b/,
  /^(?:declare\s+)?(?:const|let|var|enum|interface|namespace|module|using)\b/,
  /^(?:declare\s+)?(?:abstract\s+)?class\b/,
  /^(?:declare\s+)?(?:async\s+)?function\b/,
  /^await\s+using\b/,
  /^(?:declare\s+)?type\s+[A-Za-z_$][\w$]*\s*[<=]/,
];

/** Whether a top-level statement is an import or a declaration (so it prints nothing). */
export function isDeclaration(statement: string): boolean {
  return DECLARATION_PATTERNS.some((re) => re.test(statement));
}

/** Whether every top-level statement of `source` is an import or a declaration. */
export function isDeclarationOnly(source: string): boolean {
  return topLevelStatements(source).every(isDeclaration);
}

/** Whether the output rule requires this cell to produce output. */
export function mustProduceOutput(cell: NotebookCell): boolean {
  if (cell.cell_type !== "code") return false;
  if (cellTags(cell).some((t) => NO_OUTPUT_TAGS.includes(t))) return false;
  return !isDeclarationOnly(cellSource(cell));
}

/** A code cell that should have produced output and did not. */
export interface MissingOutput {
  index: number;
  label: string;
}

/** The cells of an executed notebook that break the output rule. */
export function findMissingOutputs(executed: Notebook): MissingOutput[] {
  const missing: MissingOutput[] = [];
  executed.cells.forEach((cell, index) => {
    if (mustProduceOutput(cell) && (cell.outputs ?? []).length === 0) {
      missing.push({ index, label: cellLabel(executed, index) });
    }
  });
  return missing;
}
