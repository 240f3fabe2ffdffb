/**
 * The notebook runner. See tools/README.md.
 *
 * ```sh
 * deno task notebooks [--filter S] [--jobs N]          # run-all: out/notebooks + out/site
 * deno task notebook notebooks/06-x.ipynb --set k=v    # run-one with parameters
 * deno run -A tools/notebooks.ts check [--filter S]    # conventions + deno check of cells
 * deno run -A tools/notebooks.ts setup                 # Jupyter, kernelspec, npm cache
 * deno task notebooks:clear [paths…]                    # strip stored outputs and counts
 * ```
 *
 * @module
 */

import { basename, dirname, join, relative, resolve } from "node:path";
import { conventionProblems, typeCheckNotebooks } from "./nb/check.ts";
import {
  executeNotebook,
  messageRest,
  type NotebookVerdict,
  repoRoot,
  runPool,
} from "./nb/execute.ts";
import {
  cellSource,
  findTaggedCell,
  type Notebook,
  notebookStem,
  notebookTitle,
  readNotebook,
  writeNotebook,
} from "./nb/ipynb.ts";
import {
  declaredParameters,
  injectParameters,
  type Overrides,
  overridesSuffix,
  PARAMETERS_TAG,
  parseSetPairs,
  unknownKeys,
  validateParameters,
} from "./nb/parameters.ts";
import { clearOutputs } from "./nb/clear.ts";
import { setup } from "./nb/setup.ts";
import { renderIndex, type SiteEntry } from "./nb/site.ts";

const USAGE = `Usage: deno run -A tools/notebooks.ts <command> [options]

Commands:
  run-all    Execute every notebooks/*.ipynb (not _*), write out/notebooks/ and out/site/.
  run-one    Execute one notebook, optionally with --set key=value parameters.
  check      Check notebook conventions and type-check code cells with deno check.
  setup      Find Jupyter (install it if root), write the Deno kernelspec, cache npm deps.
  clear      Strip stored outputs and execution counts from notebooks/**/*.ipynb (or the
             given files), as they must be committed (deno task notebooks:clear).

Options:
  --filter S       run-all/check: only notebooks whose file name contains S
  --jobs N         run-all: notebooks executed in parallel (default 2)
  --set key=value  run-one: override a parameter (repeatable; value parsed as JSON, else string)
  --timeout S      per-cell timeout in seconds (default 1200)
  --drain-ms MS    keep reading kernel output this long after each cell goes idle (default 20)
  --dir DIR        notebooks folder (default notebooks/)
  --out DIR        output folder (default out/): DIR/notebooks/*.ipynb, DIR/site/*.html
`;

interface Flags {
  positional: string[];
  filter?: string;
  jobs: number;
  sets: string[];
  timeoutSeconds: number;
  drainMs: number;
  dir: string;
  out: string;
}

/** Parses the command line; `--set` also takes the bare `k=v` words that follow it. */
export function parseFlags(args: readonly string[], root: string): Flags {
  const flags: Flags = {
    positional: [],
    jobs: 2,
    sets: [],
    timeoutSeconds: 1200,
    drainMs: 20,
    dir: join(root, "notebooks"),
    out: join(root, "out"),
  };
  const value = (i: number, name: string): string => {
    const v = args[i + 1];
    if (v === undefined) throw new Error(`${name} needs a value`);
    return v;
  };
  const num = (v: string, name: string): number => {
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0) throw new Error(`${name} expects a number, got "${v}"`);
    return n;
  };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const [name, inline] = arg.startsWith("--") && arg.includes("=") && !arg.startsWith("--set=")
      ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)]
      : [arg, undefined];
    const take = () => inline ?? value(i++, name);
    switch (name) {
      case "--filter":
        flags.filter = take();
        break;
      case "--jobs":
        flags.jobs = Math.max(1, Math.floor(num(take(), name)));
        break;
      case "--timeout":
        flags.timeoutSeconds = num(take(), name);
        break;
      case "--drain-ms":
        flags.drainMs = num(take(), name);
        break;
      case "--dir":
        flags.dir = userPath(take());
        break;
      case "--out":
        flags.out = userPath(take());
        break;
      case "--set": {
        flags.sets.push(value(i++, name));
        while (i + 1 < args.length && !args[i + 1].startsWith("--") && args[i + 1].includes("=")) {
          flags.sets.push(args[++i]);
        }
        break;
      }
      default:
        if (arg.startsWith("--set=")) flags.sets.push(arg.slice("--set=".length));
        else if (arg.startsWith("-")) throw new Error(`unknown option ${arg}`);
        else flags.positional.push(arg);
    }
  }
  return flags;
}

const log = (s: string) => console.log(s);

/** Resolves a path the user typed: `deno task` runs in the repo root but sets INIT_CWD. */
function userPath(p: string): string {
  return resolve(Deno.env.get("INIT_CWD") ?? Deno.cwd(), p);
}
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)}s`;

/** Stored notebooks in `dir`: `*.ipynb` not starting with `_`, sorted, optionally filtered. */
export async function listNotebooks(dir: string, filter?: string): Promise<string[]> {
  const names: string[] = [];
  try {
    for await (const e of Deno.readDir(dir)) {
      if (e.isFile && e.name.endsWith(".ipynb") && !e.name.startsWith("_")) names.push(e.name);
    }
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return [];
    throw err;
  }
  return names.filter((n) => !filter || n.includes(filter)).sort().map((n) => join(dir, n));
}

function display(path: string, root: string): string {
  const rel = relative(root, path);
  return rel.startsWith("..") ? path : rel;
}

function printVerdict(stem: string, v: NotebookVerdict, cells: number) {
  const r = v.result;
  const parts = [`${cells} code cells`];
  if (r?.kernelStartMs != null) parts.push(`kernel start ${seconds(r.kernelStartMs)}`);
  if (r?.cellsMs != null) parts.push(`cells ${seconds(r.cellsMs)}`);
  if (r?.htmlMs != null) parts.push(`html ${seconds(r.htmlMs)}`);
  const late = (r?.lateInDrain ?? 0) + (r?.lateRouted ?? 0);
  if (late > 0) parts.push(`${late} late output${late > 1 ? "s" : ""} kept`);
  const cellCount = parts.join(", ");
  if (v.status === "ok") {
    log(`✓ ${stem}  ${seconds(v.durationMs)}  (${cellCount})`);
  } else {
    log(`✗ ${stem}  ${seconds(v.durationMs)}  ${v.summary}`);
  }
  for (const d of v.details) log(`    ${d}`);
}

async function runAll(flags: Flags, root: string): Promise<number> {
  const t0 = performance.now();
  const env = await setup(root, log);
  const paths = await listNotebooks(flags.dir, flags.filter);
  if (paths.length === 0) {
    const where = display(flags.dir, root);
    log(`no notebooks in ${where}/${flags.filter ? ` match --filter ${flags.filter}` : ""}`);
    return flags.filter ? 1 : 0;
  }
  const nbDir = join(flags.out, "notebooks");
  const siteDir = join(flags.out, "site");
  // The site carries its own copy of each executed notebook: nothing links out of out/site/.
  const siteNbDir = join(siteDir, "notebooks");
  await Deno.mkdir(nbDir, { recursive: true });
  await Deno.mkdir(siteNbDir, { recursive: true });
  const workers = Math.min(flags.jobs, paths.length);
  log(
    `running ${paths.length} notebook${paths.length > 1 ? "s" : ""} with ${workers} ` +
      `worker${workers > 1 ? "s" : ""} (python ${env.python}, drain ${flags.drainMs} ms)`,
  );
  const entries = await runPool(paths, flags.jobs, async (path, i) => {
    const stem = notebookStem(path);
    const nb = await readNotebook(path);
    for (const p of conventionProblems(nb, path)) log(`  warning: ${stem}: ${p}`);
    log(`▶ [${i + 1}/${paths.length}] ${stem}`);
    const verdict = await executeNotebook({
      input: path,
      cwd: dirname(path),
      outputNotebook: join(nbDir, `${stem}.ipynb`),
      outputHtml: join(siteDir, `${stem}.html`),
    }, { python: env.python, timeoutSeconds: flags.timeoutSeconds, drainMs: flags.drainMs });
    printVerdict(stem, verdict, nb.cells.filter((c) => c.cell_type === "code").length);
    await Deno.copyFile(join(nbDir, `${stem}.ipynb`), join(siteNbDir, `${stem}.ipynb`))
      .catch((err) => log(`  warning: ${stem}: no executed notebook to copy (${err.message})`));
    const e = verdict.result?.error;
    const entry: SiteEntry & { lateOutputs: number; messageLines: string[] } = {
      stem,
      title: notebookTitle(nb, stem),
      status: verdict.status,
      durationMs: Math.round(verdict.durationMs),
      summary: verdict.summary,
      htmlHref: `${encodeURIComponent(stem)}.html`,
      ipynbHref: `notebooks/${encodeURIComponent(stem)}.ipynb`,
      lateOutputs: (verdict.result?.lateInDrain ?? 0) + (verdict.result?.lateRouted ?? 0),
      messageLines: e ? messageRest(e.ename, e.evalue) : [],
    };
    return entry;
  });
  const generated = new Date().toISOString().replace(/\.\d+Z$/, "Z");
  await Deno.writeTextFile(join(siteDir, "index.html"), renderIndex(entries, { generated }));
  await Deno.writeTextFile(
    join(siteDir, "results.json"),
    JSON.stringify({ generated, notebooks: entries }, null, 2) + "\n",
  );
  const failed = entries.filter((e) => e.status !== "ok");
  log(
    `\n${entries.length - failed.length}/${entries.length} ok in ${
      seconds(performance.now() - t0)
    }` +
      ` · site: ${display(join(siteDir, "index.html"), root)}`,
  );
  for (const f of failed) {
    log(`FAILED ${f.stem}.ipynb: ${f.summary}`);
    for (const line of f.messageLines) log(`    ${line}`);
  }
  return failed.length > 0 ? 1 : 0;
}

/** Resolves `06-failure-models`, `notebooks/06-failure-models.ipynb` or a unique substring. */
async function resolveNotebook(arg: string, dir: string): Promise<string> {
  for (const candidate of [userPath(arg), join(dir, arg), join(dir, `${arg}.ipynb`)]) {
    try {
      if ((await Deno.stat(candidate)).isFile) return resolve(candidate);
    } catch {
      // try the next form
    }
  }
  const matches = (await listNotebooks(dir)).filter((p) => basename(p).includes(arg));
  if (matches.length === 1) return matches[0];
  if (matches.length > 1) {
    throw new Error(`"${arg}" matches several notebooks: ${matches.map((m) => basename(m))}`);
  }
  throw new Error(`no notebook "${arg}" (looked in . and ${dir})`);
}

async function runOne(flags: Flags, root: string): Promise<number> {
  if (flags.positional.length !== 1) throw new Error("run-one needs exactly one notebook path");
  const path = await resolveNotebook(flags.positional[0], flags.dir);
  const stem = notebookStem(path);
  const nb = await readNotebook(path);
  const overrides: Overrides = parseSetPairs(flags.sets);

  // Everything about the parameters is checked before Jupyter or a kernel starts.
  let input = path;
  let injectedIndex: number | undefined;
  let tmpInput: string | undefined;
  if (overrides.size > 0) {
    const at = findTaggedCell(nb, PARAMETERS_TAG);
    if (at < 0) throw new Error(`${display(path, root)}: no code cell is tagged "parameters"`);
    const decls = declaredParameters(cellSource(nb.cells[at]));
    const unknown = unknownKeys(decls, overrides);
    if (unknown.length > 0) {
      throw new Error(
        `unknown parameter${unknown.length > 1 ? "s" : ""} ${unknown.join(", ")} for ` +
          `${display(path, root)} (declared: ${decls.map((d) => d.name).join(", ") || "none"})`,
      );
    }
    const validation = await validateParameters(nb, path, overrides, { repoRoot: root });
    if (!validation.ok) throw new Error(`${display(path, root)}: ${validation.message}`);
    if (validation.skipped) log(`note: ${validation.skipped}; values are not validated first`);
    const injected = injectParameters(nb, overrides);
    injectedIndex = injected.injectedIndex;
    const tmpDir = join(root, ".tmp", "nbrun");
    await Deno.mkdir(tmpDir, { recursive: true });
    tmpInput = join(tmpDir, `${stem}${overridesSuffix(overrides)}.${crypto.randomUUID()}.ipynb`);
    await writeNotebook(tmpInput, injected.notebook as Notebook);
    input = tmpInput;
  }

  const env = await setup(root, log);
  const outStem = `${stem}${overridesSuffix(overrides)}`;
  const outNotebook = join(flags.out, "notebooks", `${outStem}.ipynb`);
  const outHtml = join(flags.out, "site", `${outStem}.html`);
  log(`▶ ${display(path, root)}${flags.sets.length ? ` with ${flags.sets.join(" ")}` : ""}`);
  try {
    const verdict = await executeNotebook({
      input,
      cwd: dirname(path),
      outputNotebook: outNotebook,
      outputHtml: outHtml,
      injectedIndex,
    }, { python: env.python, timeoutSeconds: flags.timeoutSeconds, drainMs: flags.drainMs });
    printVerdict(outStem, verdict, nb.cells.filter((c) => c.cell_type === "code").length);
    log(`executed: ${display(outNotebook, root)}\nhtml:     ${display(outHtml, root)}`);
    if (verdict.status !== "ok") {
      log(`FAILED ${outStem}.ipynb: ${verdict.summary}`);
      const e = verdict.result?.error;
      for (const line of e ? messageRest(e.ename, e.evalue) : []) log(`    ${line}`);
      return 1;
    }
    return 0;
  } finally {
    if (tmpInput) await Deno.remove(tmpInput).catch(() => {});
  }
}

async function check(flags: Flags, root: string): Promise<number> {
  const paths = flags.positional.length > 0
    ? flags.positional.map(userPath)
    : await listNotebooks(flags.dir, flags.filter);
  const notebooks = [];
  let problems = 0;
  for (const path of paths) {
    const nb = await readNotebook(path);
    for (const p of conventionProblems(nb, path)) {
      log(`${display(path, root)}: ${p}`);
      problems++;
    }
    notebooks.push({ path, nb });
  }
  const result = await typeCheckNotebooks(notebooks, root);
  if (result.report) log(result.report);
  const ok = problems === 0 && result.ok;
  log(
    `${ok ? "✓" : "✗"} checked ${paths.length} notebook${paths.length === 1 ? "" : "s"}: ` +
      `${problems} convention problem${problems === 1 ? "" : "s"}, ` +
      `type check ${result.ok ? "ok" : "failed"}`,
  );
  return ok ? 0 : 1;
}

async function clear(flags: Flags, root: string): Promise<number> {
  const paths = flags.positional.length > 0
    ? flags.positional.map(userPath)
    : await listNotebookFiles(flags.dir);
  let changed = 0;
  for (const path of paths) {
    const cleared = await clearOutputs(path);
    if (cleared > 0) {
      changed++;
      log(`cleared ${cleared} cell${cleared === 1 ? "" : "s"} in ${display(path, root)}`);
    }
  }
  log(
    `✓ ${paths.length} notebook${paths.length === 1 ? "" : "s"} stored clean (${changed} changed)`,
  );
  return 0;
}

/** Every `.ipynb` under `dir` (drafts and fixtures included), skipping `.ipynb_checkpoints`. */
async function listNotebookFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(dir)) {
    const path = join(dir, e.name);
    if (e.isDirectory && !e.name.startsWith(".")) out.push(...await listNotebookFiles(path));
    else if (e.isFile && e.name.endsWith(".ipynb")) out.push(path);
  }
  return out.sort();
}

async function main(args: string[]): Promise<number> {
  const root = repoRoot();
  const [command, ...rest] = args;
  if (!command || command === "--help" || command === "-h" || command === "help") {
    console.log(USAGE);
    return command ? 0 : 2;
  }
  const flags = parseFlags(rest, root);
  switch (command) {
    case "setup":
      await setup(root, log, { verbose: true });
      log("ok: Jupyter, the deno kernelspec and the npm cache are ready");
      return 0;
    case "run-all":
      return await runAll(flags, root);
    case "run-one":
      return await runOne(flags, root);
    case "check":
      return await check(flags, root);
    case "clear":
      return await clear(flags, root);
    default:
      console.error(`unknown command "${command}"\n\n${USAGE}`);
      return 2;
  }
}

if (import.meta.main) {
  try {
    Deno.exit(await main(Deno.args));
  } catch (err) {
    console.error(`error: ${(err as Error).message}`);
    Deno.exit(1);
  }
}
