import assert from "node:assert/strict";
import type { NotebookCell } from "../../tools/nb/ipynb.ts";
import {
  findMissingOutputs,
  isDeclarationOnly,
  mustProduceOutput,
  topLevelStatements,
} from "../../tools/nb/output_rule.ts";

const code = (source: string, tags: string[] = []): NotebookCell => ({
  cell_type: "code",
  source,
  metadata: tags.length ? { tags } : {},
  outputs: [],
  execution_count: null,
});

Deno.test("output rule: statements split at ; and line breaks, not inside brackets", () => {
  assert.deepEqual(topLevelStatements("const a = 1; a"), ["const a = 1;", "a"]);
  assert.deepEqual(
    topLevelStatements("const f = (x: number) => {\n  return x;\n};\nf(2)"),
    ["const f = (x: number) => {\n  return x;\n};", "f(2)"],
  );
  assert.deepEqual(topLevelStatements("function g() {}\ng()"), ["function g() {}", "g()"]);
});

Deno.test("output rule: continuation lines stay in their statement (ASI)", () => {
  assert.deepEqual(
    topLevelStatements("const rows = data\n  .filter(Boolean)\n  .map((r) => r);"),
    ["const rows = data\n  .filter(Boolean)\n  .map((r) => r);"],
  );
  assert.deepEqual(topLevelStatements("const x =\n  3;\nconst y = x > 1\n  ? 1\n  : 2"), [
    "const x =\n  3;",
    "const y = x > 1\n  ? 1\n  : 2",
  ]);
  assert.deepEqual(topLevelStatements("let i = 0\ni++\ni"), ["let i = 0", "i++", "i"]);
});

Deno.test("output rule: strings, templates, comments and regexes do not confuse the scanner", () => {
  assert.equal(isDeclarationOnly('const s = "a; b\\" ; c";\n// x; y\n/* z;\n w */'), true);
  assert.equal(isDeclarationOnly("const t = `line\n${[1, 2].map((v) => `${v};`)}\n;x`;"), true);
  assert.equal(isDeclarationOnly("const re = /[;}]/g;\nconst half = 4 / 2;"), true);
  assert.equal(isDeclarationOnly("const re = /a;b/;\nre.test('a;b')"), false);
});

Deno.test("output rule: declarations and imports need no output, anything else does", () => {
  const silent = [
    'import { z } from "zod";',
    'import type { Foo } from "./foo.ts";',
    "export const a = 1;",
    "const { a, b } = obj;\nlet c = 2;\nvar d;",
    "function f() {\n  console.log(1);\n}",
    "async function g() {}\nclass C {}\nabstract class D {}",
    "type T = { a: number };\ninterface I {}\nenum E { A }",
    "// only a comment",
    "",
  ];
  for (const s of silent) assert.equal(isDeclarationOnly(s), true, s);
  const loud = [
    "x",
    "console.log(1)",
    "await show(chart)",
    "const a = 1;\na",
    'assert.equal(1, 1, "ok")',
    "for (const r of rows) console.log(r)",
    'await import("./x.ts")',
    "type = 3",
  ];
  for (const s of loud) assert.equal(isDeclarationOnly(s), false, s);
});

Deno.test("output rule: exempting tags", () => {
  assert.equal(mustProduceOutput(code("console.log(1)")), true);
  for (const tag of ["no-output", "parameters", "injected-parameters", "skip-execution"]) {
    assert.equal(mustProduceOutput(code("console.log(1)", [tag])), false, tag);
  }
  assert.equal(mustProduceOutput({ ...code("x"), cell_type: "markdown" }), false);
});

Deno.test("output rule: findMissingOutputs names the cell", () => {
  const nb = {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: {},
    cells: [
      { cell_type: "markdown" as const, source: "# T", metadata: {} },
      code("const a = 1;"),
      { ...code("a"), outputs: [{ output_type: "execute_result", data: { "text/plain": "1" } }] },
      code("if (a < 0) console.log(a)"),
    ],
  };
  const missing = findMissingOutputs(nb);
  assert.deepEqual(missing.map((m) => m.index), [3]);
  assert.equal(missing[0].label, "cell 4 of 4 (`if (a < 0) console.log(a)`)");
});
