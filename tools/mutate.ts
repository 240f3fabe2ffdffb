/**
 * Mutation testing with StrykerJS: `deno task mutate [paths…] [--max N] [--seed S] [--tests a,b]
 * [--exclude globs] [--concurrency C] [--json FILE] [--keep]`. Each path (a module directory such as `lib/sim`, or one file) is
 * run on its own: Stryker (pinned `@stryker-mutator/core`, fetched by `npx`) instruments the
 * module's TypeScript, and its command test runner judges each mutant by the exit code of
 * `deno test -A --no-check <the module's own tests>` (killed = non-zero, timeout = over Stryker's
 * limit). Everything happens in a temporary copy of `lib/ tests/ tools/ deno.json deno.lock`, never
 * in the working tree. `--max N` samples N mutants per module (seeded, deterministic): a first pass
 * lists every mutant with a command that always passes, a second instruments only the sampled
 * mutants' lines (a fully instrumented module runs its tests several times slower), and only the
 * sampled mutants run the tests. `--exclude` drops files of a module (globs under it), e.g.
 * `--exclude 'battery*.ts'` for Raft's test battery, whose own tests take minutes.
 * Prints a score per module, (killed + timeout) / (killed + timeout + survived), and each surviving
 * mutant as `file:line  original → mutated  (operator)`. Not part of the README's test command.
 */
import { parseArgs } from "node:util";

/** The pinned StrykerJS (9.x runs on Node ≥ 20; 10.x needs Node ≥ 22). */
export const STRYKER = "@stryker-mutator/core@9.6.1";

/** The modules issue 15 names, each with its own tests (files chosen so one run stays short). */
export const MODULE_TESTS: Readonly<Record<string, readonly string[]>> = {
  "lib/sim": [
    "tests/sim/simulation_test.ts",
    "tests/sim/streams_test.ts",
    "tests/sim/rng_mutants_test.ts",
    "tests/sim/sim_mutants_test.ts",
    "tests/sim/twins_test.ts",
    "tests/sim/storage_perf_safety_test.ts",
    "tests/sim/trace_alias_test.ts",
    "tests/sim/queue_timers_test.ts",
    "tests/sim/observed_test.ts",
    "tests/sim/trace_hash_process_test.ts",
    "tests/sim/digest_stream_test.ts",
    "tests/sim/mut_sim_survivors_test.ts",
    "tests/sim/key_order_test.ts",
    "tests/sim/live_test.ts",
  ],
  "lib/net": ["tests/net"],
  "lib/protocols/raft": [
    "tests/protocols/raft/vote_test.ts",
    "tests/protocols/raft/append_test.ts",
    "tests/protocols/raft/election_test.ts",
    "tests/protocols/raft/log_matching_test.ts",
    "tests/protocols/raft/invariants_test.ts",
    "tests/protocols/raft/properties_test.ts",
    "tests/protocols/raft/snapshot_test.ts",
    "tests/protocols/raft/membership_test.ts",
    "tests/protocols/raft/mistakes_test.ts",
    "tests/protocols/raft/raft_mutants_test.ts",
    "tests/protocols/raft/mut_survivors_test.ts",
    "tests/protocols/raft/raft_mutants2_test.ts",
  ],
  "lib/protocols/paxos": [
    "tests/protocols/paxos/acceptor_test.ts",
    "tests/protocols/paxos/proposer_test.ts",
    "tests/protocols/paxos/properties_test.ts",
    "tests/protocols/paxos/mistakes_test.ts",
    "tests/protocols/paxos/kv_test.ts",
    "tests/protocols/paxos/paxos_mutants_test.ts",
  ],
  "lib/checkers": [
    "tests/checkers/between_models_test.ts",
    "tests/checkers/causal_test.ts",
    "tests/checkers/consistency_ladder_test.ts",
    "tests/checkers/consistency_property_test.ts",
    "tests/checkers/convergence_staleness_test.ts",
    "tests/checkers/linearizability_property_test.ts",
    "tests/checkers/linearizability_test.ts",
    "tests/checkers/parse_history_test.ts",
    "tests/checkers/sequential_test.ts",
    "tests/checkers/session_test.ts",
    "tests/checkers/weak_checkers_input_test.ts",
    "tests/checkers/witness_test.ts",
    "tests/checkers/checkers_mutants_test.ts",
    "tests/checkers/checkers_mutants2_test.ts",
    "tests/checkers/lincheck_cold_test.ts",
    "tests/checkers/checkers_mutants3_test.ts",
    "tests/checkers/causal_cm_test.ts",
    "tests/checkers/register_zones_test.ts",
    "tests/checkers/lincheck_fast_paths_test.ts",
    "tests/checkers/lincheck_small_test.ts",
    "tests/checkers/mut_parse_test.ts",
    "tests/checkers/mut_parse_survivor_test.ts",
    "tests/checkers/mut_weak_test.ts",
    "tests/checkers/mut_register_test.ts",
    "tests/checkers/mut_lin_test.ts",
    "tests/checkers/mut_search_models_test.ts",
  ],
};

/** One mutant as Stryker's JSON report gives it, with the module-relative file. */
export interface MutantResult {
  readonly id: string;
  readonly file: string;
  readonly line: number;
  /** Where Stryker located it: `line:column-endLine:endColumn` (1-based, end exclusive). */
  readonly range: string;
  readonly operator: string;
  readonly original: string;
  readonly mutated: string;
  readonly status: string;
  /** Stryker's reason for the status: for "Ignored", the reason written in the disable comment. */
  readonly reason?: string;
}

/** A module's run: the mutants judged (sampled ones only, with `--max`). */
export interface ModuleResult {
  readonly module: string;
  readonly tests: readonly string[];
  /** Mutants in the module that can be judged (those not marked equivalent in the source). */
  readonly total: number;
  readonly mutants: readonly MutantResult[];
  /**
   * Mutants marked equivalent in the source with a Stryker disable comment
   * (`// Stryker disable next-line <Mutator>: equivalent — <why>`): listed with their reason,
   * never run and never counted in the score.
   */
  readonly ignored: readonly MutantResult[];
}

/** Mutation score: detected / (detected + survived + no coverage); errors are not counted. */
export function score(mutants: readonly MutantResult[]): {
  killed: number;
  timeout: number;
  survived: number;
  invalid: number;
  score: number;
} {
  const n = (s: string) => mutants.filter((m) => m.status === s).length;
  const killed = n("Killed"), timeout = n("Timeout");
  const survived = n("Survived") + n("NoCoverage");
  const invalid = n("CompileError") + n("RuntimeError");
  const valid = killed + timeout + survived;
  return { killed, timeout, survived, invalid, score: valid ? (killed + timeout) / valid : NaN };
}

/** A deterministic sample of k of the ids (mulberry32 Fisher–Yates from the seed), sorted. */
export function sampleIds(ids: readonly string[], k: number, seed: number): string[] {
  const a = [...ids];
  let s = seed >>> 0;
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a.slice(0, Math.min(k, a.length)).sort((x, y) => Number(x) - Number(y));
}

interface StrykerReport {
  files: Record<string, {
    source: string;
    mutants: {
      id: string;
      mutatorName: string;
      replacement?: string;
      status: string;
      statusReason?: string;
      location: { start: { line: number; column: number }; end: { line: number; column: number } };
    }[];
  }>;
}

/** The mutants of a Stryker JSON report, with the original text cut from the source. */
export function readReport(report: StrykerReport): MutantResult[] {
  const out: MutantResult[] = [];
  for (const [file, f] of Object.entries(report.files)) {
    const lines = f.source.split("\n");
    for (const m of f.mutants) {
      const { start, end } = m.location;
      const text = start.line === end.line
        ? lines[start.line - 1].slice(start.column - 1, end.column - 1)
        : [
          lines[start.line - 1].slice(start.column - 1),
          ...lines.slice(start.line, end.line - 1),
          lines[end.line - 1].slice(0, end.column - 1),
        ].join("\n");
      out.push({
        id: m.id,
        file,
        line: start.line,
        range: `${start.line}:${start.column}-${end.line}:${end.column}`,
        operator: m.mutatorName,
        original: text,
        mutated: m.replacement ?? "",
        status: m.status,
        ...(m.statusReason ? { reason: m.statusReason } : {}),
      });
    }
  }
  return out.sort((a, b) => Number(a.id) - Number(b.id));
}

const short = (s: string, n = 70) => {
  const one = s.replace(/\s+/g, " ").trim();
  return one.length > n ? `${one.slice(0, n - 1)}…` : one;
};

/** One surviving mutant as a line: `file:line  original → mutated  (operator)`. */
export function survivorLine(m: MutantResult): string {
  return `${m.file}:${m.line}  ${short(m.original)} → ${
    short(m.mutated) || "(removed)"
  }  (${m.operator})`;
}

async function run(cmd: string[], cwd: string, env: Record<string, string> = {}): Promise<number> {
  const p = new Deno.Command(cmd[0], {
    args: cmd.slice(1),
    cwd,
    env,
    stdout: "inherit",
    stderr: "inherit",
  }).spawn();
  return (await p.status).code;
}

async function stryker(
  dir: string,
  module: string,
  command: string,
  concurrency: number,
  report: string,
  ranges?: readonly string[],
  exclude: readonly string[] = [],
): Promise<StrykerReport> {
  const isFile = module.endsWith(".ts");
  const globs = [
    `${module}/**/*.ts`,
    `!${module}/**/mod.ts`,
    ...exclude.map((e) => `!${module}/**/${e}`),
  ];
  const conf = {
    testRunner: "command",
    commandRunner: { command },
    mutate: ranges ?? (isFile ? [module] : globs),
    coverageAnalysis: "off",
    concurrency,
    reporters: ["json"],
    jsonReporter: { fileName: report },
    tempDirName: ".stryker-tmp",
    // kept for Deno.remove: it holds a symlink to ../shared, which must not be followed
    cleanTempDir: false,
    timeoutMS: 20_000,
    // instrumented code runs slower, and the machine may be shared
    dryRunTimeoutMinutes: 20,
    logLevel: "warn",
  };
  const confFile = `${dir}/stryker.${report.replace(/\W/g, "_")}.json`;
  await Deno.writeTextFile(confFile, JSON.stringify(conf, null, 1));
  const code = await run(["npx", "-y", "-p", STRYKER, "stryker", "run", confFile], dir);
  if (code !== 0) throw new Error(`stryker exited ${code} for ${module} (config ${confFile})`);
  return JSON.parse(await Deno.readTextFile(`${dir}/${report}`));
}

const keyOf = (m: MutantResult) => `${m.file}:${m.range}:${m.operator}:${m.mutated}`;

/** Runs Stryker over one module in the copy at `dir`. */
export async function mutateModule(
  dir: string,
  module: string,
  tests: readonly string[],
  opts: { max?: number; seed: number; concurrency: number; exclude?: readonly string[] },
): Promise<ModuleResult> {
  const deno = Deno.execPath();
  const testCmd = `${deno} test -A --no-check ${tests.join(" ")}`;
  const tag = module.replace(/\W/g, "_");
  let total: number;
  if (opts.max !== undefined) {
    // pass 1: list the mutants (the command always passes, so this costs one process each)
    const listed = readReport(
      await stryker(dir, module, "true", 2, `list_${tag}.json`, undefined, opts.exclude),
    );
    const all = listed.filter((m) => m.status !== "Ignored");
    total = all.length;
    const ids = new Set(sampleIds(all.map((m) => m.id), opts.max, opts.seed));
    const sampled = all.filter((m) => ids.has(m.id));
    const ignored = listed.filter((m) => m.status === "Ignored");
    // pass 2 instruments only the sampled mutants' lines (instrumenting a whole module slows
    // every test run several times); a range also holds the mutants nested in it, so list again
    const ranges = [
      ...new Set(
        sampled.map((m) => `${m.file}:${m.range.replace(/^(\d+):\d+-(\d+):\d+$/, "$1-$2")}`),
      ),
    ];
    const inRanges = readReport(
      await stryker(dir, module, "true", 2, `ranges_${tag}.json`, ranges),
    );
    const want = new Set(sampled.map(keyOf));
    const runIds = inRanges.filter((m) => want.has(keyOf(m))).map((m) => m.id);
    if (runIds.length !== sampled.length) {
      throw new Error(
        `found ${runIds.length} of ${sampled.length} sampled mutants in their ranges`,
      );
    }
    await Deno.writeTextFile(`${dir}/sample_${tag}.txt`, runIds.join("\n") + "\n");
    // pass 3: a nested, unsampled mutant exits 1 at once (reported killed by Stryker, dropped here)
    const script = `${dir}/run_${tag}.sh`;
    await Deno.writeTextFile(
      script,
      `#!/bin/sh\nif [ -n "$__STRYKER_ACTIVE_MUTANT__" ] && ! grep -qx "$__STRYKER_ACTIVE_MUTANT__" ` +
        `${dir}/sample_${tag}.txt; then exit 1; fi\nexec ${testCmd}\n`,
    );
    await Deno.chmod(script, 0o755);
    const run = new Set(runIds);
    const judged = readReport(
      await stryker(dir, module, script, opts.concurrency, `run_${tag}.json`, ranges),
    ).filter((m) => run.has(m.id));
    for (const m of judged) {
      if (!want.has(keyOf(m))) throw new Error(`mutant ids moved between passes: ${keyOf(m)}`);
    }
    return { module, tests, total, mutants: judged, ignored };
  }
  const everything = readReport(
    await stryker(
      dir,
      module,
      testCmd,
      opts.concurrency,
      `run_${tag}.json`,
      undefined,
      opts.exclude,
    ),
  );
  const judged = everything.filter((m) => m.status !== "Ignored");
  total = judged.length;
  const ignored = everything.filter((m) => m.status === "Ignored");
  return { module, tests, total, mutants: judged, ignored };
}

/** The printed summary of a module's run. */
export function summary(r: ModuleResult): string {
  const s = score(r.mutants);
  const pct = Number.isNaN(s.score) ? "n/a" : `${(100 * s.score).toFixed(1)} %`;
  const lines = [
    `${r.module}: score ${pct} — ${s.killed} killed, ${s.timeout} timeout, ${s.survived} survived` +
    (s.invalid ? `, ${s.invalid} errors (not counted)` : "") +
    ` of ${r.mutants.length} judged` +
    (r.mutants.length < r.total ? ` (a sample of ${r.total})` : "") +
    `; tests: ${r.tests.join(" ")}`,
  ];
  for (const m of r.mutants.filter((m) => m.status === "Survived" || m.status === "NoCoverage")) {
    lines.push(`  survived ${survivorLine(m)}`);
  }
  if (r.ignored.length) {
    lines.push(`  ${r.ignored.length} marked equivalent in the source (not run, not counted):`);
    for (const m of r.ignored) lines.push(`  equivalent ${survivorLine(m)}: ${m.reason ?? "?"}`);
  }
  return lines.join("\n");
}

if (import.meta.main) {
  const { values, positionals } = parseArgs({
    args: Deno.args,
    allowPositionals: true,
    options: {
      max: { type: "string" },
      seed: { type: "string", default: "1" },
      tests: { type: "string" },
      concurrency: { type: "string", default: "2" },
      json: { type: "string" },
      keep: { type: "boolean", default: false },
      exclude: { type: "string" },
    },
  });
  const int = (name: string, v: string | undefined, min: number) => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n < min) {
      console.error(`--${name} must be an integer ≥ ${min}, got ${v}`);
      Deno.exit(2);
    }
    return n;
  };
  const max = int("max", values.max, 1);
  const seed = int("seed", values.seed, 0)!;
  const concurrency = int("concurrency", values.concurrency, 1)!;
  const modules = (positionals.length ? positionals : Object.keys(MODULE_TESTS)).map((p) =>
    p.replace(/\/+$/, "")
  );
  for (const m of modules) {
    try {
      Deno.statSync(m);
    } catch {
      console.error(`no such module: ${m}`);
      Deno.exit(2);
    }
    if (!values.tests && !MODULE_TESTS[m] && !m.startsWith("lib/")) {
      console.error(`${m}: give --tests (no default test mapping outside lib/)`);
      Deno.exit(2);
    }
  }
  const dir = await Deno.makeTempDir({ prefix: "distlab-mutate-" });
  const cp = await run(
    ["cp", "-r", "lib", "tests", "tools", "deno.json", "deno.lock", dir],
    Deno.cwd(),
  );
  if (cp !== 0) throw new Error("copying the repository failed");
  // tests that read the corpus beside the repository (tests/checkers: ../../../shared) find it
  // from Stryker's sandbox (<dir>/.stryker-tmp/sandbox-x/tests/checkers) through this link
  try {
    const shared = Deno.realPathSync("../shared");
    await Deno.mkdir(`${dir}/.stryker-tmp`, { recursive: true });
    await Deno.symlink(shared, `${dir}/.stryker-tmp/shared`);
  } catch { /* no corpus beside the repository */ }
  const results: ModuleResult[] = [];
  try {
    for (const m of modules) {
      const tests = values.tests?.split(",") ??
        MODULE_TESTS[m] ?? [m.replace(/^lib\//, "tests/").replace(/\.ts$/, "")];
      console.error(`mutate: ${m} (tests: ${tests.join(" ")}) in ${dir}`);
      const r = await mutateModule(dir, m, tests, {
        max,
        seed,
        concurrency,
        exclude: values.exclude?.split(","),
      });
      results.push(r);
      console.log(summary(r));
    }
  } finally {
    if (!values.keep) await Deno.remove(dir, { recursive: true });
    else console.error(`kept ${dir}`);
  }
  if (values.json) await Deno.writeTextFile(values.json, JSON.stringify(results, null, 1));
  console.log("\nmodule | score | killed | timeout | survived | judged | mutants | equivalent");
  for (const r of results) {
    const s = score(r.mutants);
    console.log(
      `${r.module} | ${(100 * s.score).toFixed(1)} % | ${s.killed} | ${s.timeout} | ` +
        `${s.survived} | ${r.mutants.length} | ${r.total} | ${r.ignored.length}`,
    );
  }
}
