/**
 * The whole test suite, as the README's test command runs it (`deno task test`):
 *   0. setup: Jupyter (installed from Debian when missing and run as root), the Deno kernelspec,
 *      the npm cache;
 *   1. static checks: `deno fmt --check`, `deno lint`, `deno check` of lib/, tests/, bench/, tools/;
 *   2. unit, scenario and property tests: `deno test -A --parallel tests/`;
 *   3. notebooks: type-check every notebook's code, then execute every notebook through Jupyter
 *      (installing Jupyter and the Deno kernelspec when missing) and check that every code cell
 *      that must produce output did. Runs with DISTLAB_CACHE=off: the suite executes every
 *      experiment afresh instead of reading results cached by lib/experiments/cache.ts.
 * Prints each stage's time and ends with one line `distlab: N passed, M failed`.
 * Flags: `--skip-notebooks`, `--skip-static`, `--only-notebooks`.
 */

const deno = Deno.execPath();
const args = new Set(Deno.args);
const root = new URL("..", import.meta.url).pathname;

interface Stage {
  name: string;
  cmd: string[];
  /** Parses the stage's output into passed/failed counts (default: 1 passed or 1 failed). */
  count?: (out: string, ok: boolean) => { passed: number; failed: number };
  /** Extra environment for this stage. */
  env?: Record<string, string>;
}

async function runStage(stage: Stage): Promise<{ ok: boolean; passed: number; failed: number }> {
  const t0 = performance.now();
  console.log(`\n=== ${stage.name}: ${stage.cmd.join(" ")}`);
  const p = new Deno.Command(stage.cmd[0], {
    args: stage.cmd.slice(1),
    cwd: root,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1", DENO_JOBS: "2", ...stage.env },
  }).spawn();
  const dec = new TextDecoder();
  let captured = "";
  const pump = async (
    r: ReadableStream<Uint8Array>,
    w: { write(b: Uint8Array): Promise<number> },
  ) => {
    for await (const chunk of r) {
      captured += dec.decode(chunk, { stream: true });
      await w.write(chunk);
    }
  };
  await Promise.all([pump(p.stdout, Deno.stdout), pump(p.stderr, Deno.stderr)]);
  const { success } = await p.status;
  const secs = ((performance.now() - t0) / 1000).toFixed(1);
  const c = stage.count
    ? stage.count(captured, success)
    : success
    ? { passed: 1, failed: 0 }
    : { passed: 0, failed: 1 };
  // a failing command whose output shows no failure still counts as one
  if (!success && c.failed === 0) c.failed = 1;
  console.log(`=== ${stage.name}: ${success ? "ok" : "FAILED"} in ${secs} s`);
  return { ok: success, ...c };
}

/** Sum the counts of `deno test` summary lines: "ok | 22 passed (3 steps) | 0 failed". */
function denoTestCount(out: string): { passed: number; failed: number } {
  let passed = 0, failed = 0;
  for (const m of out.matchAll(/\|\s*(\d+) passed[^|]*\|\s*(\d+) failed/g)) {
    passed += Number(m[1]);
    failed += Number(m[2]);
  }
  return { passed, failed };
}

const stages: Stage[] = [];
if (!args.has("--skip-notebooks")) {
  // Jupyter, the kernelspec and the npm cache first: the runner's own tests need them too.
  stages.push({ name: "setup", cmd: [deno, "run", "-A", "tools/notebooks.ts", "setup"] });
}
if (!args.has("--skip-static") && !args.has("--only-notebooks")) {
  stages.push(
    { name: "format", cmd: [deno, "fmt", "--check"] },
    { name: "lint", cmd: [deno, "lint"] },
    { name: "type-check", cmd: [deno, "check", "lib/", "tests/", "bench/", "tools/"] },
  );
}
if (!args.has("--only-notebooks")) {
  stages.push({
    name: "tests",
    cmd: [deno, "test", "-A", "--parallel", "tests/"],
    count: denoTestCount,
  });
}
if (!args.has("--skip-notebooks")) {
  stages.push(
    { name: "notebook type-check", cmd: [deno, "run", "-A", "tools/notebooks.ts", "check"] },
    {
      name: "notebooks",
      cmd: [deno, "run", "-A", "tools/notebooks.ts", "run-all"],
      // the suite runs notebook 12's 10,000-node scale cell small (see its parameters cell)
      env: { DISTLAB_CACHE: "off", DISTLAB_SCALE: "small" },
    },
  );
}

const t0 = performance.now();
let passed = 0, failed = 0;
const failedStages: string[] = [];
for (const s of stages) {
  const r = await runStage(s);
  passed += r.passed;
  failed += r.failed;
  if (!r.ok) failedStages.push(s.name);
}
console.log(`\n=== total ${((performance.now() - t0) / 1000).toFixed(1)} s`);
if (failedStages.length) console.log(`failed stages: ${failedStages.join(", ")}`);
console.log(`distlab: ${passed} passed, ${failed} failed`);
Deno.exit(failedStages.length ? 1 : 0);
