/**
 * Runs tools/execute_notebook.py on one notebook and turns its result into a verdict:
 * ok, a cell error, or a cell that broke the output rule.
 *
 * @module
 */

import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { cellLabel, type Notebook, readNotebook } from "./ipynb.ts";
import { findMissingOutputs, type MissingOutput } from "./output_rule.ts";

/** Path of the Python executor. */
export const EXECUTOR = fileURLToPath(new URL("../execute_notebook.py", import.meta.url));

/** The JSON the executor writes (see tools/execute_notebook.py). */
export interface ExecutorResult {
  ok: boolean;
  durationMs: number;
  kernelStartMs: number | null;
  cellsMs: number | null;
  shutdownMs: number | null;
  htmlMs: number | null;
  preambleMs: number;
  cellDurationsMs: Record<string, number>;
  lateInDrain: number;
  lateRouted: number;
  htmlError: string | null;
  /** Why the executed notebook could not be signed as trusted (null when it was). */
  signError?: string | null;
  /** Cell index → the execution count (`In [n]`) it was given. */
  executionCounts?: Record<string, number>;
  error: {
    kind: "cell-error" | "timeout" | "dead-kernel" | "uncaught" | "startup" | "internal";
    cellIndex: number | null;
    firstLine: string | null;
    ename: string;
    evalue: string;
    traceback: string[];
  } | null;
}

/** Options shared by run-all and run-one. */
export interface ExecuteOptions {
  python: string;
  /** Per-cell timeout in seconds. */
  timeoutSeconds: number;
  /** Post-idle iopub drain per cell in milliseconds. */
  drainMs: number;
}

/** Where to execute from and where results go. */
export interface ExecuteJob {
  /** Notebook file handed to the executor (may be a temp copy with injected parameters). */
  input: string;
  /** Kernel working directory: the original notebook's folder (deno.json is found above). */
  cwd: string;
  outputNotebook: string;
  outputHtml?: string;
  /** Executed-cell index of an injected cell, so indices can be mapped back to the source. */
  injectedIndex?: number;
}

/** Outcome of one notebook. */
export interface NotebookVerdict {
  status: "ok" | "error" | "missing-output";
  durationMs: number;
  /** One line: "cell 7 of 15 (`x`): TypeError: boom". Empty when ok. */
  summary: string;
  /** Multi-line details (traceback, missing cells). */
  details: string[];
  result: ExecutorResult | null;
  missing: MissingOutput[];
}

const NOISE = [/"deno jupyter" is unstable/];

/** Renders an error message; a ZodError's JSON issue list becomes `field: message; …`. */
export function describeError(ename: string, evalue: string): string {
  if (ename === "ZodError" || /^\s*\[\s*\{[\s\S]*"path"[\s\S]*\}\s*\]\s*$/.test(evalue)) {
    try {
      const issues = JSON.parse(evalue) as { path?: unknown[]; message?: string }[];
      const parts = issues.map((i) => {
        const field = (i.path ?? []).map(String).join(".");
        return field ? `${field}: ${i.message}` : String(i.message);
      });
      return `${ename}: ${parts.join("; ")}`;
    } catch {
      // not JSON after all
    }
  }
  const first = evalue.split("\n")[0];
  return first ? `${ename}: ${first}` : ename;
}

/** The traceback minus its leading copy of `ename: evalue` (already in the summary). */
export function traceWithoutMessage(ename: string, evalue: string, traceback: string[]): string[] {
  const full = traceback.join("\n");
  const head = `${ename}: ${evalue}`;
  const rest = full.startsWith(head) ? full.slice(head.length) : full;
  return rest.split("\n").filter((l) => l.trim() !== "");
}

/**
 * The lines of a multi-line error message after its first (which the summary shows): a
 * ClaimError's `✗ prediction (measured)` lines. A ZodError's JSON is summarised instead.
 */
export function messageRest(ename: string, evalue: string, max = 40): string[] {
  if (ename === "ZodError" || /^\s*\[\s*\{/.test(evalue)) return [];
  const rest = evalue.split("\n").slice(1).filter((l) => l.trim() !== "");
  return rest.length > max
    ? [...rest.slice(0, max), `… and ${rest.length - max} more lines`]
    : rest;
}

/**
 * Labels a cell of the executed notebook the way the executed notebook shows it: its position
 * among all cells (markdown included, as VS Code's "Cell 4 of 5" counts; the executed notebook
 * includes an injected-parameters cell) and, for an executed code cell, its `In [n]` prompt.
 */
export function labelCell(executed: Notebook, index: number, injectedIndex?: number): string {
  const label = cellLabel(executed, index);
  const count = executed.cells[index]?.execution_count;
  const prompt = typeof count === "number" ? `, In [${count}]` : "";
  const what = index === injectedIndex ? " (the injected-parameters cell)" : "";
  return label.replace(/^(cell \d+ of \d+)/, `$1${prompt}${what}`);
}

/** Executes one notebook and checks the output rule. */
export async function executeNotebook(
  job: ExecuteJob,
  opts: ExecuteOptions,
): Promise<NotebookVerdict> {
  const resultFile = `${job.outputNotebook}.result.json`;
  await Deno.mkdir(dirname(job.outputNotebook), { recursive: true });
  await Deno.remove(resultFile).catch(() => {});
  const args = [
    EXECUTOR,
    job.input,
    "--output",
    job.outputNotebook,
    "--result",
    resultFile,
    "--cwd",
    job.cwd,
    "--timeout",
    String(opts.timeoutSeconds),
    "--drain-ms",
    String(opts.drainMs),
  ];
  if (job.outputHtml) args.push("--html", job.outputHtml);
  const started = performance.now();
  const out = await new Deno.Command(opts.python, {
    args,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1", PYTHONDONTWRITEBYTECODE: "1" },
  }).output();
  const wallMs = performance.now() - started;
  const stderr = new TextDecoder().decode(out.stderr).split("\n")
    .filter((l) => l.trim() !== "" && !NOISE.some((re) => re.test(l)));

  let result: ExecutorResult | null = null;
  try {
    result = JSON.parse(await Deno.readTextFile(resultFile)) as ExecutorResult;
  } catch {
    result = null;
  }
  await Deno.remove(resultFile).catch(() => {});
  if (!result) {
    return {
      status: "error",
      durationMs: wallMs,
      summary: `the executor failed (exit ${out.code}) before producing a result`,
      details: stderr.slice(-20),
      result: null,
      missing: [],
    };
  }
  const details: string[] = [];
  if (result.htmlError) details.push(`HTML: ${result.htmlError}`);
  if (result.signError) {
    details.push(
      `not signed as trusted (classic Jupyter will hide its charts): ${result.signError}`,
    );
  }
  const executed = await readNotebook(job.outputNotebook);
  if (result.error) {
    const e = result.error;
    const where = e.cellIndex === null
      ? (e.kind === "startup" || e.kind === "internal" ? "kernel start" : "notebook")
      : labelCell(executed, e.cellIndex, job.injectedIndex);
    const summary = `${where}: ${describeError(e.ename, e.evalue)}`;
    details.push(...messageRest(e.ename, e.evalue));
    details.push(...traceWithoutMessage(e.ename, e.evalue, e.traceback).slice(0, 12));
    if (e.kind === "internal" || e.kind === "startup") details.push(...stderr.slice(-10));
    return { status: "error", durationMs: wallMs, summary, details, result, missing: [] };
  }
  const missing = findMissingOutputs(executed).map((m) => ({
    index: m.index,
    label: labelCell(executed, m.index, job.injectedIndex),
  }));
  if (missing.length > 0) {
    const first = missing[0];
    const more = missing.length > 1 ? ` (and ${missing.length - 1} more)` : "";
    details.push(
      ...missing.map((m) => `no output: ${m.label}`),
      "A code cell with a non-declaration statement must show something; print a result " +
        "or tag the cell no-output (tools/README.md, output rule).",
    );
    return {
      status: "missing-output",
      durationMs: wallMs,
      summary: `${first.label}: produced no output${more}`,
      details,
      result,
      missing,
    };
  }
  return { status: "ok", durationMs: wallMs, summary: "", details, result, missing: [] };
}

/** Runs `fn` over `items` with at most `jobs` in flight; results keep the input order. */
export async function runPool<T, R>(
  items: readonly T[],
  jobs: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(jobs, items.length)) }, worker));
  return results;
}

/** The repository root: the folder holding deno.json above tools/. */
export function repoRoot(): string {
  return resolve(dirname(EXECUTOR), "..");
}

/** Convenience for callers that need a path inside the repo. */
export function inRepo(...parts: string[]): string {
  return join(repoRoot(), ...parts);
}
