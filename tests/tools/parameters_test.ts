import assert from "node:assert/strict";
import type { Notebook } from "../../tools/nb/ipynb.ts";
import {
  declaredParameters,
  formatIssues,
  injectParameters,
  overridesSuffix,
  parseSetPairs,
  parseValue,
  unknownKeys,
} from "../../tools/nb/parameters.ts";
import { parseFlags } from "../../tools/notebooks.ts";

const notebook = (): Notebook => ({
  nbformat: 4,
  nbformat_minor: 5,
  metadata: {},
  cells: [
    { cell_type: "markdown", id: "a", source: "# T", metadata: {} },
    {
      cell_type: "code",
      id: "b",
      source: "const seed = 42;\nconst lossRatio = 0.05;",
      metadata: { tags: ["parameters"] },
      outputs: [],
      execution_count: null,
    },
    { cell_type: "code", id: "c", source: "seed", metadata: {}, outputs: [] },
  ],
});

Deno.test("parameters: values parse as JSON when they can, else stay strings", () => {
  assert.equal(parseValue("5"), 5);
  assert.equal(parseValue("0.1"), 0.1);
  assert.equal(parseValue("true"), true);
  assert.deepEqual(parseValue("[1,2]"), [1, 2]);
  assert.equal(parseValue('"5"'), "5");
  assert.equal(parseValue("raft"), "raft");
  assert.equal(parseValue(""), "");
  assert.deepEqual([...parseSetPairs(["a=1", "b=x=y"])], [["a", 1], ["b", "x=y"]]);
  assert.throws(() => parseSetPairs(["novalue"]), /key=value/);
});

Deno.test("parameters: declared names come from top-level const declarations", () => {
  assert.deepEqual(
    declaredParameters('import { x } from "y";\nconst seed = 42;\nlet mode: "a" | "b" = "a";'),
    [{ name: "seed", keyword: "const" }, { name: "mode", keyword: "let" }],
  );
  assert.throws(() => declaredParameters("const { a } = obj;"), /const name = value/);
  assert.throws(() => declaredParameters("console.log(1)"), /const name = value/);
});

Deno.test("parameters: the injected cell follows the parameters cell and is tagged", () => {
  const { notebook: nb, injectedIndex } = injectParameters(
    notebook(),
    parseSetPairs(["lossRatio=0.1"]),
  );
  assert.equal(injectedIndex, 2);
  assert.equal(nb.cells.length, 4);
  const cell = nb.cells[2];
  assert.deepEqual(cell.metadata.tags, ["injected-parameters"]);
  assert.match(cell.source as string, /^const lossRatio = 0\.1;$/m);
  assert.doesNotMatch(cell.source as string, /seed/);
  assert.equal(nb.cells[3].id, "c");
  assert.equal(notebook().cells.length, 3, "the input is not modified");
});

Deno.test("parameters: unknown keys are rejected by name", () => {
  const decls = declaredParameters("const seed = 1;");
  assert.deepEqual(unknownKeys(decls, parseSetPairs(["seed=2", "sed=3"])), ["sed"]);
  assert.throws(
    () => injectParameters(notebook(), parseSetPairs(["bogus=1"])),
    /unknown parameter bogus \(the parameters cell declares: seed, lossRatio\)/,
  );
});

Deno.test("parameters: output names carry the overrides, sorted and file-safe", () => {
  assert.equal(overridesSuffix(parseSetPairs(["lossRatio=0.1"])), "__lossRatio=0.1");
  assert.equal(overridesSuffix(parseSetPairs(["seed=7", "mode=a b/c"])), "__mode=a_b_c__seed=7");
  assert.equal(overridesSuffix(new Map()), "");
});

Deno.test("parameters: zod issues become one line naming the field", () => {
  assert.equal(
    formatIssues([{
      path: ["lossRatio"],
      message: "Too big: expected number to be <=1",
      received: "2",
    }]),
    "lossRatio=2: Too big: expected number to be <=1",
  );
});

Deno.test("cli: --set takes repeated and trailing key=value words", () => {
  const flags = parseFlags(["nb.ipynb", "--set", "a=1", "b=2", "--set", "c=x", "--jobs=3"], "/r");
  assert.deepEqual(flags.sets, ["a=1", "b=2", "c=x"]);
  assert.deepEqual(flags.positional, ["nb.ipynb"]);
  assert.equal(flags.jobs, 3);
  assert.throws(() => parseFlags(["--bogus"], "/r"), /unknown option --bogus/);
});
