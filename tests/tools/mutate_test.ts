/**
 * The pure parts of tools/mutate.ts: reading Stryker's JSON report (with mutants marked equivalent
 * in the source), the score, the seeded sample and the printed summary.
 */
import assert from "node:assert/strict";
import { readReport, sampleIds, score, summary } from "../../tools/mutate.ts";

const source = [
  "export function max(a: number, b: number) {",
  "  // Stryker disable next-line EqualityOperator: equivalent — a === b returns either",
  "  return a >= b ? a : b;",
  "}",
].join("\n");

const at = (line: number, c0: number, c1: number) => ({
  start: { line, column: c0 },
  end: { line, column: c1 },
});

const report = {
  files: {
    "max.ts": {
      source,
      mutants: [
        {
          id: "2",
          mutatorName: "EqualityOperator",
          replacement: "a > b",
          status: "Ignored",
          statusReason: "equivalent — a === b returns either",
          location: at(3, 10, 16),
        },
        {
          id: "1",
          mutatorName: "ConditionalExpression",
          replacement: "true",
          status: "Killed",
          location: at(3, 10, 16),
        },
        {
          id: "3",
          mutatorName: "EqualityOperator",
          replacement: "a < b",
          status: "Survived",
          location: at(3, 10, 16),
        },
      ],
    },
  },
};

Deno.test("mutate: the report gives each mutant's original text, status and reason, sorted by id", () => {
  const ms = readReport(report);
  assert.deepEqual(ms.map((m) => m.id), ["1", "2", "3"]);
  assert.equal(ms[0].original, "a >= b");
  assert.equal(ms[0].range, "3:10-3:16");
  assert.equal(ms[1].reason, "equivalent — a === b returns either");
  assert.equal(ms[0].reason, undefined);
});

Deno.test("mutate: mutants marked equivalent are listed with their reason and not counted", () => {
  const ms = readReport(report);
  const ignored = ms.filter((m) => m.status === "Ignored");
  const judged = ms.filter((m) => m.status !== "Ignored");
  const s = score(judged);
  assert.deepEqual([s.killed, s.survived, s.score], [1, 1, 0.5]);
  const text = summary({ module: "lib/x", tests: ["t.ts"], total: 2, mutants: judged, ignored });
  assert.match(text, /score 50\.0 %/);
  assert.match(text, /survived max\.ts:3 {2}a >= b → a < b {2}\(EqualityOperator\)/);
  assert.match(text, /1 marked equivalent in the source/);
  assert.match(text, /equivalent max\.ts:3 .*: equivalent — a === b returns either/);
});

Deno.test("mutate: a timeout counts as detected, compile errors are not counted", () => {
  const m = (status: string) => ({ ...readReport(report)[0], status });
  const s = score([m("Timeout"), m("CompileError"), m("NoCoverage"), m("Killed")]);
  assert.deepEqual([s.timeout, s.invalid, s.survived], [1, 1, 1]);
  assert.equal(s.score, 2 / 3);
});

Deno.test("mutate: the sample is deterministic per seed, sorted, of the asked size", () => {
  const ids = Array.from({ length: 50 }, (_, i) => String(i + 1));
  const a = sampleIds(ids, 10, 7);
  assert.deepEqual(a, sampleIds(ids, 10, 7));
  assert.equal(new Set(a).size, 10);
  assert.deepEqual(a, [...a].sort((x, y) => Number(x) - Number(y)));
  assert.notDeepEqual(a, sampleIds(ids, 10, 8));
  assert.equal(sampleIds(ids, 80, 1).length, 50);
});
