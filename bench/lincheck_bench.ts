/**
 * Linearizability checker speed on the Porcupine corpus (../shared/data/porcupine): total check
 * time and worst file per class (etcd Jepsen logs, kv -ok, kv -bad), over several runs; parsing
 * is timed separately. Verdicts only (no witness shrinking), as Porcupine reports them.
 *
 * Reference, Porcupine v1.3.0 (Go) on the same machine: ~0.5 s for all etcd histories, ~0.2 s
 * for kv/c50-ok split by key.
 *
 * Run: `deno run -A bench/lincheck_bench.ts` (options: `--runs N` (default 5), `--witness` to
 * also time witness shrinking on the illegal files, `--unsplit` to also check kv/c10-ok without
 * partitioning). Timing uses performance.now here only: benchmarks are outside lib/.
 */
import {
  type AnyModel,
  casRegisterModel,
  checkLinearizability,
  kvModel,
  parseHistory,
} from "../lib/checkers/mod.ts";
import type { HistoryEvent } from "../lib/workload/history.ts";

const args = Deno.args;
const opt = (name: string, dflt: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const RUNS = opt("runs", 5);
const dir = new URL("../../shared/data/porcupine/", import.meta.url);

interface Entry {
  name: string;
  cls: "etcd jepsen" | "kv ok" | "kv bad";
  events: HistoryEvent[];
  model: () => AnyModel;
  expected: "ok" | "illegal";
}

const expected: Record<string, { linearizable: boolean | null }> = JSON.parse(
  Deno.readTextFileSync(new URL("expected.json", dir)),
);
const names = Object.keys(expected).sort();
const t0 = performance.now();
const entries: Entry[] = names.map((name) => {
  const events = parseHistory(Deno.readTextFileSync(new URL(name, dir)), { source: name }).events;
  const kv = name.startsWith("kv/");
  return {
    name,
    cls: kv ? (name.includes("-ok") ? "kv ok" : "kv bad") : "etcd jepsen",
    events,
    model: kv ? () => kvModel() : () => casRegisterModel(),
    expected: expected[name].linearizable === false ? "illegal" : "ok",
  };
});
const parseMs = performance.now() - t0;
const classes = ["etcd jepsen", "kv ok", "kv bad"] as const;

interface ClassFigures {
  totalMs: number;
  worst: { name: string; ms: number };
  steps: number;
}

function runOnce(minimize: boolean): Record<string, ClassFigures> {
  const figures: Record<string, ClassFigures> = {};
  for (const cls of classes) figures[cls] = { totalMs: 0, worst: { name: "", ms: 0 }, steps: 0 };
  for (const e of entries) {
    if (minimize && e.expected === "ok") continue;
    const t = performance.now();
    const result = checkLinearizability(e.events, e.model(), { minimize });
    const ms = performance.now() - t;
    if (result.verdict !== e.expected) {
      throw new Error(`${e.name}: got ${result.verdict}, expected ${e.expected}`);
    }
    const f = figures[e.cls];
    f.totalMs += ms;
    f.steps += result.steps;
    if (ms > f.worst.ms) f.worst = { name: e.name, ms };
  }
  return figures;
}

const fmt = (ms: number) => `${ms.toFixed(1)} ms`.padStart(10);
const count = (cls: string, minimize: boolean) =>
  entries.filter((e) => e.cls === cls && (!minimize || e.expected === "illegal")).length;

console.log(`lincheck bench: ${entries.length} histories, parsed in ${parseMs.toFixed(1)} ms`);
console.log(`Deno ${Deno.version.deno}, V8 ${Deno.version.v8}, ${RUNS} runs\n`);

function report(label: string, minimize: boolean) {
  const shown = classes.filter((c) =>
    !minimize || entries.some((e) => e.cls === c && e.expected === "illegal")
  );
  const runs: Record<string, ClassFigures>[] = [];
  for (let i = 0; i < RUNS; i++) {
    const r = runOnce(minimize);
    runs.push(r);
    console.log(
      `${label} run ${i + 1}: ` +
        shown.map((c) => `${c} ${r[c].totalMs.toFixed(1)} ms`).join(", "),
    );
  }
  console.log(`\n${label}: per class, best and median of ${RUNS} runs; worst file in the best run`);
  for (const cls of shown) {
    const totals = runs.map((r) => r[cls].totalMs).sort((a, b) => a - b);
    const best = runs.find((r) => r[cls].totalMs === totals[0])![cls];
    const median = totals[Math.floor(totals.length / 2)];
    console.log(
      `  ${cls.padEnd(12)} ${String(count(cls, minimize)).padStart(3)} files  best ${
        fmt(totals[0])
      }` +
        `  median ${fmt(median)}  steps ${String(best.steps).padStart(9)}` +
        `  worst ${best.worst.name} ${best.worst.ms.toFixed(1)} ms`,
    );
  }
  console.log();
}

report("verdicts", false);
if (args.includes("--witness")) report("verdicts + witness shrinking (illegal files)", true);

if (args.includes("--unsplit")) {
  const c10 = entries.find((e) => e.name === "kv/c10-ok.txt")!;
  for (const partition of [true, false]) {
    const t = performance.now();
    const r = checkLinearizability(c10.events, kvModel(), { partition, stepBudget: 1e9 });
    console.log(
      `kv/c10-ok ${partition ? "split by key" : "unsplit     "}: ${r.verdict} in ` +
        `${(performance.now() - t).toFixed(1)} ms, ${r.steps} steps`,
    );
  }
}
