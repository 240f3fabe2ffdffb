/**
 * `--grid`: the checker against the previous checker (the library as committed at `--baseline REV`,
 * default HEAD, extracted with `git archive` to a temporary folder) on generated register
 * histories (see `generateRegisterHistory`): keys 1 (a register) or 8 (kv, split by key),
 * clients 10/50/100, 1k/5k/20k/100k operations, busy or sparse, linearizable or with one stale
 * read. Each (cell, checker) runs in its own process (so peak memory is its own, read from
 * /proc/self/status VmHWM, and a crash or a time-out is reported, not fatal), `--runs` times;
 * the table gives median times, their ratio new/previous, verdicts and peak memory. Both
 * checkers decide only (no witness), with the same step budget. Options: `--ops 1000,5000`,
 * `--clients 10,50`, `--keys 1,8`, `--overlap busy,sparse`, `--stale no,yes`, `--runs N`
 * (default 3), `--budget STEPS` (default 10,000,000), `--timeout S` (default 30: Porcupine's time-out per run; a process is killed after 2S + 10 s),
 * `--heap MB` V8 heap cap per process (default 4096), `--baseline REV`, `--no-baseline`,
 * `--warmup N` untimed runs before the timed ones in cells of at most 20,000 operations, for every
 * checker and Porcupine alike (default 1; a JIT needs several to reach its steady state).
 * Every checker is timed on the history's operations, paired from its events before the timed
 * region, as Porcupine is (its harness reads operations); `--from-events` times the checkers
 * from the raw events instead, pairing included (Porcupine's figures do not change).
 * `--porcupine DIR`: also Porcupine (Go) in the same run, from a Porcupine checkout's checker.go and
 * bitset.go compiled with a small harness (Go from Debian's golang-go; no module is downloaded),
 * under the same memory cap (ulimit -v) and with `--timeout` as Porcupine's own time-out.
 *
 * Linearizability checker speed on the Porcupine corpus (../shared/data/porcupine): total check
 * time and worst file per class (etcd Jepsen logs, kv -ok, kv -bad), over several runs; parsing
 * is timed separately. Verdicts only (no witness shrinking), as Porcupine reports them.
 *
 * Reference, Porcupine v1.3.0 (Go) on the same machine: ~0.5 s for all etcd histories, ~0.2 s
 * for kv/c50-ok split by key.
 *
 * Run: `deno run -A bench/lincheck_bench.ts` (options: `--runs N` (default 5), `--witness` to
 * also time witness shrinking on the illegal files, `--unsplit` to also check kv/c10-ok without
 * partitioning, `--baseline REV` to time the previous checker (the library at REV) on the same
 * files in the same process and print the ratio of medians). Timing uses performance.now here only: benchmarks are outside lib/.
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
/** Grid cells of at most this many operations get one untimed warm-up run before the timed runs. */
const WARM_UP_UP_TO = 20_000;
function opt(name: string, dflt: number): number {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
}
if (args.includes("--cell")) {
  await runCell();
  Deno.exit(0);
}
if (args.includes("--grid")) {
  await runGrid();
  Deno.exit(0);
}
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

/** Check one history: verdicts only, or with the witness shrunk when `minimize`. */
type Checker = (e: Entry, minimize: boolean) => { verdict: string; steps: number };

const current: Checker = (e, minimize) =>
  checkLinearizability(e.events, e.model(), minimize ? {} : { witness: false });

function runOnce(minimize: boolean, check: Checker): Record<string, ClassFigures> {
  const figures: Record<string, ClassFigures> = {};
  for (const cls of classes) figures[cls] = { totalMs: 0, worst: { name: "", ms: 0 }, steps: 0 };
  for (const e of entries) {
    if (minimize && e.expected === "ok") continue;
    const t = performance.now();
    const result = check(e, minimize);
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

/**
 * Time each checker RUNS times on the corpus, runs interleaved (this one, then the previous, ...)
 * so that load changes hit both alike; print per class the best and median. Returns the medians.
 */
function report(
  label: string,
  minimize: boolean,
  checkers: readonly { name: string; check: Checker }[],
): number[][] {
  const shown = classes.filter((c) =>
    !minimize || entries.some((e) => e.cls === c && e.expected === "illegal")
  );
  const runs: Record<string, ClassFigures>[][] = checkers.map(() => []);
  for (let i = 0; i < RUNS; i++) {
    checkers.forEach(({ name, check }, k) => {
      const r = runOnce(minimize, check);
      runs[k].push(r);
      console.log(
        `${label}, ${name}, run ${i + 1}: ` +
          shown.map((c) => `${c} ${r[c].totalMs.toFixed(1)} ms`).join(", "),
      );
    });
  }
  return checkers.map(({ name }, k) => {
    console.log(
      `\n${label}, ${name}: per class, best and median of ${RUNS} runs; worst file in the best run`,
    );
    for (const cls of shown) {
      const totals = runs[k].map((r) => r[cls].totalMs).sort((a, b) => a - b);
      const best = runs[k].find((r) => r[cls].totalMs === totals[0])![cls];
      const median = totals[Math.floor(totals.length / 2)];
      console.log(
        `  ${cls.padEnd(12)} ${String(count(cls, minimize)).padStart(3)} files  best ${
          fmt(totals[0])
        }` +
          `  median ${fmt(median)}  steps ${String(best.steps).padStart(9)}` +
          `  worst ${best.worst.name} ${best.worst.ms.toFixed(1)} ms`,
      );
    }
    return classes.map((cls) => {
      const totals = runs[k].map((r) => r[cls].totalMs).sort((a, b) => a - b);
      return totals[Math.floor(totals.length / 2)];
    });
  });
}

const checkers: { name: string; check: Checker }[] = [{ name: "this checker", check: current }];
let baselineDir: string | undefined;
if (args.includes("--baseline")) {
  // The previous checker (the library at REV), same histories, same process, verdicts only.
  const rev = args[args.indexOf("--baseline") + 1];
  baselineDir = Deno.makeTempDirSync({ prefix: "lincheck-baseline-" }) + "/";
  const repo = new URL("..", import.meta.url).pathname;
  const tar = new Deno.Command("sh", {
    args: ["-c", `git -C '${repo}' archive '${rev}' lib | tar -x -C '${baselineDir}'`],
  }).outputSync();
  if (!tar.success) throw new Error(`cannot extract ${rev}`);
  const lib = await import(`file://${baselineDir}lib/checkers/linearizability.ts`);
  checkers.push({
    name: `previous (${rev})`,
    check: (e, minimize) =>
      lib.checkLinearizability(
        e.events,
        e.name.startsWith("kv/") ? lib.kvModel() : lib.casRegisterModel(),
        { minimize },
      ),
  });
}
const medians = report("verdicts", false, checkers);
console.log();
if (medians.length === 2) {
  console.log(
    "median time, this checker / previous: " +
      classes.map((c, i) => `${c} ${(medians[0][i] / medians[1][i]).toFixed(2)}`).join(", "),
  );
  Deno.removeSync(baselineDir!, { recursive: true });
}
if (args.includes("--witness")) {
  report("verdicts + witness shrinking (illegal files)", true, [{
    name: "this checker",
    check: current,
  }]);
}

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

// ---------------------------------------------------------------------------------------------
// --grid

interface Cell {
  keys: number;
  clients: number;
  ops: number;
  overlap: "busy" | "sparse";
  stale: boolean;
}

interface CellFigures {
  verdict: string;
  medianMs: number;
  steps: number;
  peakMB: number;
  method?: string;
  error?: string;
}

function listOpt(name: string, dflt: string): string[] {
  const i = args.indexOf(`--${name}`);
  return (i >= 0 ? args[i + 1] : dflt).split(",").map((x) => x.trim()).filter((x) => x !== "");
}

/** Child mode: one cell, one checker; prints one JSON line. */
async function runCell(): Promise<void> {
  const cell: Cell = JSON.parse(args[args.indexOf("--cell") + 1]);
  const which = args[args.indexOf("--checker") + 1];
  const runs = opt("runs", 3);
  const budget = opt("budget", 10_000_000);
  const { generateRegisterHistory } = await import("../lib/checkers/mod.ts");
  const { pairOperations } = await import("../lib/workload/history.ts");
  const g = generateRegisterHistory({ ...cell, seed: 1 });
  // Porcupine is given operations (invocation and completion times), paired from the events
  // outside its timed region (see porcupineCell); so are these checkers, unless --from-events
  // asks to time the pairing of raw events too.
  const input = args.includes("--from-events") ? g.history : pairOperations(g.history);
  const lib = which !== "old"
    ? await import("../lib/checkers/linearizability.ts")
    : await import(`file://${args[args.indexOf("--dir") + 1]}lib/checkers/linearizability.ts`);
  const model = () => cell.keys === 1 ? lib.registerModel() : lib.kvModel({ initial: null });
  const times: number[] = [];
  const check = () =>
    which !== "old"
      ? lib.checkLinearizability(input, model(), {
        stepBudget: budget,
        witness: false,
        zones: which === "new",
      })
      : lib.checkLinearizability(input, model(), { stepBudget: budget, minimize: false });
  // untimed runs first (JIT), as for Porcupine; a warm-up run that answers "unknown" (budget
  // reached) ends the warm-up, as Porcupine's time-out ends its own
  if (cell.ops <= WARM_UP_UP_TO) {
    for (let i = 0; i < opt("warmup", 1); i++) if (check().verdict === "unknown") break;
  }
  let result:
    | { verdict: string; steps: number; partitions: { method?: string; verdict: string }[] }
    | undefined;
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    result = check();
    times.push(performance.now() - t);
    if (result!.verdict === "unknown") break; // a budget-bound run is not repeated
  }
  times.sort((a, b) => a - b);
  const status = Deno.readTextFileSync("/proc/self/status");
  const hwm = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? "0") / 1024;
  const decided = result!.partitions.filter((p) => p.verdict !== "skipped");
  const methods = new Set(decided.map((p) => p.method ?? "search"));
  const out: CellFigures = {
    verdict: result!.verdict,
    medianMs: times[Math.floor(times.length / 2)],
    steps: result!.steps,
    peakMB: hwm,
    method: [...methods].join("+"),
  };
  console.log(JSON.stringify(out));
}

async function spawnCell(
  cell: Cell,
  which: "new" | "search" | "old",
  dir: string,
  timeoutS: number,
  heapMB: number,
): Promise<CellFigures> {
  const cmd = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      `--v8-flags=--max-old-space-size=${heapMB}`,
      new URL(import.meta.url).pathname,
      "--cell",
      JSON.stringify(cell),
      "--checker",
      which,
      "--dir",
      dir,
      "--runs",
      String(opt("runs", 3)),
      "--warmup",
      String(opt("warmup", 1)),
      "--budget",
      String(opt("budget", 10_000_000)),
      ...(args.includes("--from-events") ? ["--from-events"] : []),
    ],
    stdout: "piped",
    stderr: "piped",
  });
  const res = await outputWithin(cmd, 2 * timeoutS + 10);
  const text = new TextDecoder().decode(res.stdout).trim().split("\n").pop() ?? "";
  if (res.success && text.startsWith("{")) return JSON.parse(text);
  const err = new TextDecoder().decode(res.stderr);
  const why = res.signal === "SIGKILL"
    ? `time-out (${timeoutS} s)`
    : /out of memory|heap limit/i.test(err)
    ? `out of memory (heap cap ${heapMB} MB)`
    : `crashed (${res.code})`;
  return { verdict: "—", medianMs: NaN, steps: 0, peakMB: NaN, error: why };
}

async function runGrid(): Promise<void> {
  const cells: Cell[] = [];
  for (const keys of listOpt("keys", "1,8").map(Number)) {
    for (const clients of listOpt("clients", "10,50,100").map(Number)) {
      for (const ops of listOpt("ops", "1000,5000,20000,100000").map(Number)) {
        for (const overlap of listOpt("overlap", "busy,sparse") as Cell["overlap"][]) {
          for (const stale of listOpt("stale", "no,yes").map((x) => x === "yes")) {
            cells.push({ keys, clients, ops, overlap, stale });
          }
        }
      }
    }
  }
  const timeoutS = opt("timeout", 30);
  const heapMB = opt("heap", 4096);
  const baseline = args.includes("--no-baseline")
    ? undefined
    : (args[args.indexOf("--baseline") + 1] && args.includes("--baseline")
      ? args[args.indexOf("--baseline") + 1]
      : "HEAD");
  let dir = "";
  if (baseline !== undefined) {
    dir = Deno.makeTempDirSync({ prefix: "lincheck-baseline-" }) + "/";
    const repo = new URL("..", import.meta.url).pathname;
    const tar = new Deno.Command("sh", {
      args: ["-c", `git -C '${repo}' archive '${baseline}' lib | tar -x -C '${dir}'`],
    }).outputSync();
    if (!tar.success) {
      throw new Error(`cannot extract ${baseline}: ${new TextDecoder().decode(tar.stderr)}`);
    }
  }
  console.log(
    `lincheck grid: ${cells.length} cells, ${opt("runs", 3)} runs each, step budget ` +
      `${opt("budget", 10_000_000)}, one process per (cell, checker), heap cap ${heapMB} MB, ` +
      `time-out ${timeoutS} s; previous checker: ${baseline ?? "none"}`,
  );
  const pi = args.indexOf("--porcupine");
  const porcupine = pi >= 0 ? buildPorcupine(args[pi + 1]) : { why: "no --porcupine DIR given" };
  console.log(
    porcupine.bin
      ? `Porcupine: checker.go and bitset.go of ${args[pi + 1]}, built with ${goVersion()}\n`
      : `Porcupine: not run (${porcupine.why})\n`,
  );
  const head =
    "keys clients    ops overlap want    | new: verdict   method    median ms  peak MB " +
    "| new, search only: verdict median ms peak MB " +
    "| previous: verdict  median ms  peak MB | porcupine: verdict median ms  peak MB " +
    "| new/previous new/porcupine search/previous search/porcupine";
  console.log(head);
  const show = (f: CellFigures) =>
    f.error
      ? f.error.padEnd(37)
      : `${f.verdict.padEnd(8)} ${(f.method ?? "").padEnd(8)} ${
        f.medianMs.toFixed(1).padStart(10)
      } ` +
        `${f.peakMB.toFixed(0).padStart(8)}`;
  for (const cell of cells) {
    const want = cell.stale ? "illegal" : "ok";
    const now = await spawnCell(cell, "new", dir, timeoutS, heapMB);
    const prev = baseline === undefined
      ? undefined
      : await spawnCell(cell, "old", dir, timeoutS, heapMB);
    const searchOnly = await spawnCell(cell, "search", dir, timeoutS, heapMB);
    const pc = porcupine.bin ? await porcupineCell(porcupine.bin, cell, timeoutS) : undefined;
    const ratioTo = (mine: CellFigures, other: CellFigures | undefined) =>
      other === undefined
        ? "".padStart(12)
        : mine.error || mine.verdict !== want
        ? "not decided".padStart(12)
        : other.error || other.verdict === "unknown"
        ? `< ${(mine.medianMs / (other.error ? 2 * timeoutS * 1000 : other.medianMs)).toFixed(3)}`
          .padStart(12)
        : (mine.medianMs / other.medianMs).toFixed(3).padStart(12);
    const ratio = `${ratioTo(now, prev)} ${ratioTo(now, pc)} ${ratioTo(searchOnly, prev)} ${
      ratioTo(searchOnly, pc)
    }`;
    const pcText = pc === undefined
      ? "".padEnd(36)
      : pc.error
      ? pc.error.padEnd(36)
      : `${pc.verdict.padEnd(8)} ${pc.medianMs.toFixed(1).padStart(10)} ${
        pc.peakMB.toFixed(0).padStart(8)
      }`.padEnd(36);
    const prevText = prev === undefined
      ? ""
      : prev.error
      ? prev.error.padEnd(36)
      : `${prev.verdict.padEnd(8)} ${prev.medianMs.toFixed(1).padStart(10)} ${
        prev.peakMB.toFixed(0).padStart(8)
      }`;
    console.log(
      `${String(cell.keys).padStart(4)} ${String(cell.clients).padStart(7)} ${
        String(cell.ops).padStart(6)
      } ${cell.overlap.padEnd(7)} ${want.padEnd(7)} | ${show(now)} | ${
        show(searchOnly)
      } | ${prevText} | ${pcText} | ${ratio}`,
    );
  }
  if (dir) Deno.removeSync(dir, { recursive: true });
}

// ---------------------------------------------------------------------------------------------
// Porcupine (Go), when a checkout is given with --porcupine DIR and `go` is installed: its
// checker.go and bitset.go are compiled with this small harness (a register model split by key,
// as Porcupine's own kv test model; the check is Porcupine's checkParallel without partial
// linearizations, i.e. CheckOperations).

function porcupineTypes(): string {
  return `package porcupine

import "time"

type Operation struct {
	ClientId int
	Input    interface{}
	Call     int64
	Output   interface{}
	Return   int64
	Metadata interface{}
}

type OperationHistory [][]Operation

type Model struct {
	Partition func([]Operation) [][]Operation
	Init      func() interface{}
	Step      func(state, input, output interface{}) (bool, interface{})
	Equal     func(a, b interface{}) bool
	// the fields below are used only by checker.go's fillDefault and checkEvents, which the
	// harness does not call
	PartitionEvent            func([]Event) [][]Event
	DescribeOperation         func(input, output interface{}) string
	DescribeState             func(state interface{}) string
	DescribeOperationMetadata func(info interface{}) string
}

// Declarations that checker.go refers to outside the measured path (checkEvents, fillDefault);
// upstream keeps them in model.go, which the harness does not copy.
type EventKind bool

const (
	CallEvent   EventKind = false
	ReturnEvent EventKind = true
)

type Event struct {
	ClientId int
	Kind     EventKind
	Value    interface{}
	Id       int
	Metadata interface{}
}

type EventHistory []Event

func noPartition(h []Operation) [][]Operation               { return [][]Operation{h} }
func noPartitionEvent(h []Event) [][]Event                  { return [][]Event{h} }
func shallowEqual(a, b interface{}) bool                    { return a == b }
func defaultDescribeOperation(in, out interface{}) string   { return "" }
func defaultDescribeState(state interface{}) string         { return "" }
func defaultDescribeOperationMetadata(m interface{}) string { return "" }

type CheckResult string

const (
	Unknown CheckResult = "unknown"
	Ok      CheckResult = "ok"
	Illegal CheckResult = "illegal"
)

type Annotation struct{}

func Check(model Model, history []Operation, timeout time.Duration) CheckResult {
	parts := model.Partition(history)
	l := make([]entries, len(parts))
	for i, p := range parts {
		l[i] = makeEntries(OperationHistory{p})
	}
	r, _ := checkParallel(model, l, false, timeout)
	return r
}
`;
}

function porcupineMain(): string {
  return `package main

import (
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strconv"
	"time"

	"pc/porcupine"
)

type in struct {
	write bool
	value int64
}

func main() {
	data, _ := os.ReadFile(os.Args[1])
	runs, _ := strconv.Atoi(os.Args[2])
	timeoutS, _ := strconv.Atoi(os.Args[3])
	var raw [][6]int64 // client, key, write, value, call, return
	if err := json.Unmarshal(data, &raw); err != nil {
		panic(err)
	}
	ops := make([]porcupine.Operation, len(raw))
	for i, r := range raw {
		ops[i] = porcupine.Operation{ClientId: int(r[0]), Input: in{r[2] == 1, r[3]}, Call: r[4],
			Output: r[3], Return: r[5], Metadata: r[1]}
	}
	model := porcupine.Model{
		Partition: func(h []porcupine.Operation) [][]porcupine.Operation {
			byKey := map[int64][]porcupine.Operation{}
			keys := []int64{}
			for _, op := range h {
				k := op.Metadata.(int64)
				if _, ok := byKey[k]; !ok {
					keys = append(keys, k)
				}
				byKey[k] = append(byKey[k], op)
			}
			out := [][]porcupine.Operation{}
			for _, k := range keys {
				out = append(out, byKey[k])
			}
			return out
		},
		Init: func() interface{} { return int64(0) },
		Step: func(state, input, output interface{}) (bool, interface{}) {
			i := input.(in)
			if i.write {
				return true, i.value
			}
			return output.(int64) == state.(int64), state
		},
		Equal: func(a, b interface{}) bool { return a == b },
	}
	times := []float64{}
	var res porcupine.CheckResult
	warmups, _ := strconv.Atoi(os.Args[4])
	for k := 0; len(ops) <= ${WARM_UP_UP_TO} && k < warmups; k++ {
		if porcupine.Check(model, ops, time.Duration(timeoutS)*time.Second) == porcupine.Unknown {
			runs = 1
			break
		}
	}
	for k := 0; k < runs; k++ {
		t := time.Now()
		res = porcupine.Check(model, ops, time.Duration(timeoutS)*time.Second)
		times = append(times, float64(time.Since(t).Microseconds())/1000)
		if res == porcupine.Unknown {
			break // a timed-out run is not repeated
		}
	}
	sort.Float64s(times)
	status, _ := os.ReadFile("/proc/self/status")
	m := regexp.MustCompile(\`VmHWM:\\s+(\\d+)\`).FindSubmatch(status)
	kb, _ := strconv.Atoi(string(m[1]))
	fmt.Printf("{\\"verdict\\":\\"%s\\",\\"medianMs\\":%f,\\"steps\\":0,\\"peakMB\\":%f,\\"method\\":\\"porcupine\\"}\\n",
		res, times[len(times)/2], float64(kb)/1024)
}
`;
}

/** Build the Porcupine harness from a checkout; the binary's path, or why it cannot run. */
function buildPorcupine(src: string): { bin?: string; why?: string } {
  const dir = Deno.makeTempDirSync({ prefix: "lincheck-porcupine-" });
  try {
    Deno.mkdirSync(`${dir}/porcupine`);
    for (const f of ["checker.go", "bitset.go"]) {
      Deno.copyFileSync(`${src}/${f}`, `${dir}/porcupine/${f}`);
    }
    Deno.writeTextFileSync(`${dir}/porcupine/types.go`, porcupineTypes());
    Deno.writeTextFileSync(`${dir}/main.go`, porcupineMain());
    Deno.writeTextFileSync(`${dir}/go.mod`, "module pc\n\ngo 1.19\n");
    const out = new Deno.Command("go", {
      args: ["build", "-o", "porcupine-check", "."],
      cwd: dir,
      env: { GOFLAGS: "-mod=mod", GOPROXY: "off", GOCACHE: `${dir}/.cache` },
    }).outputSync();
    if (!out.success) return { why: new TextDecoder().decode(out.stderr).slice(0, 400) };
    return { bin: `${dir}/porcupine-check` };
  } catch (e) {
    return { why: (e as Error).message };
  }
}

/** Child mode for Porcupine: write the cell's history as JSON and run the harness on it. */
async function porcupineCell(bin: string, cell: Cell, timeoutS: number): Promise<CellFigures> {
  const { generateRegisterHistory } = await import("../lib/checkers/mod.ts");
  const { pairOperations } = await import("../lib/workload/history.ts");
  const g = generateRegisterHistory({ ...cell, seed: 1 });
  const rows = pairOperations(g.history).map((op) => [
    op.process,
    op.key === undefined ? 0 : Number(op.key.slice(1)),
    op.f === "write" ? 1 : 0,
    Number((op.f === "write" ? op.input : op.output) ?? 0),
    op.invokeMs,
    op.completeMs,
  ]);
  const file = Deno.makeTempFileSync({ suffix: ".json" });
  Deno.writeTextFileSync(file, JSON.stringify(rows));
  // the same memory cap as the Deno processes (address space, with 1 GB of slack for Go's)
  const cap = (opt("heap", 4096) + 1024) * 1024;
  const child = new Deno.Command("sh", {
    args: [
      "-c",
      `ulimit -v ${cap}; exec "$0" "$@"`,
      bin,
      file,
      String(opt("runs", 3)),
      String(timeoutS),
      String(opt("warmup", 1)),
    ],
    stdout: "piped",
    stderr: "piped",
  });
  const res = await outputWithin(child, 2 * timeoutS + 10);
  Deno.removeSync(file);
  const text = new TextDecoder().decode(res.stdout).trim();
  if (res.success && text.startsWith("{")) return JSON.parse(text);
  const err = new TextDecoder().decode(res.stderr);
  return {
    verdict: "—",
    medianMs: NaN,
    steps: 0,
    peakMB: NaN,
    error: res.signal === "SIGKILL"
      ? `time-out`
      : /out of memory/i.test(err)
      ? "out of memory"
      : `crashed (${res.code})`,
  };
}

function goVersion(): string {
  try {
    return new TextDecoder().decode(
      new Deno.Command("go", { args: ["version"] }).outputSync().stdout,
    )
      .trim();
  } catch {
    return "go (version unknown)";
  }
}

/** Run a command, killing it (SIGKILL) once `seconds` have passed. */
async function outputWithin(cmd: Deno.Command, seconds: number): Promise<Deno.CommandOutput> {
  const child = cmd.spawn();
  const timer = setTimeout(() => {
    try {
      child.kill("SIGKILL");
    } catch { /* already gone */ }
  }, seconds * 1000);
  const res = await child.output();
  clearTimeout(timer);
  return res;
}
