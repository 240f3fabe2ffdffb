/**
 * Static checks of stored notebooks: the authoring conventions, and `deno check` of the code
 * cells (converted to one module per notebook under `.tmp/nbcheck/`, errors mapped back to
 * notebook + cell + line).
 *
 * @module
 */

import { dirname, join, relative, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { cellSource, cellTags, findTaggedCell, type Notebook, notebookStem } from "./ipynb.ts";
import { CLEAR_COMMAND, hasStoredOutputs } from "./clear.ts";
import { declaredParameters, PARAMETERS_TAG, schemaRef } from "./parameters.ts";

/** Where a generated line came from. */
export type LineOrigin =
  | { kind: "cell"; cellIndex: number; line: number }
  | { kind: "schema" }
  | { kind: "generated" };

/** A notebook converted to a TypeScript module. */
export interface GeneratedModule {
  notebook: string;
  nb: Notebook;
  text: string;
  /** Origin of each line; index 0 is line 1. */
  lines: LineOrigin[];
}

/**
 * Rewrites relative module specifiers (`from "./x.ts"`, `import("../y.ts")`) to absolute
 * file URLs: the kernel resolves them from the notebook's folder, the generated module lives
 * elsewhere. Line structure is preserved.
 */
export function rebaseRelativeImports(source: string, notebookPath: string): string {
  const base = pathToFileURL(resolve(notebookPath));
  return source.replace(
    /(\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)(["'])(\.\.?\/[^"'\n]*)\2/gm,
    (_all, lead: string, quote: string, spec: string) =>
      `${lead}${quote}${new URL(spec, base).href}${quote}`,
  );
}

/**
 * Converts the code cells to one module. When the `parameters` cell names a schema, adds a
 * typed assignment of the declared values to the schema's input type, so `deno check` flags
 * a parameter the schema lacks, a missing one, or a default of the wrong type.
 */
export function notebookToModule(nb: Notebook, notebookPath: string): GeneratedModule {
  const lines: LineOrigin[] = [];
  const out: string[] = [];
  const push = (text: string, origin: LineOrigin) => {
    out.push(text);
    lines.push(origin);
  };
  push(`// Generated from ${notebookPath} by tools/notebooks.ts check; do not edit.`, {
    kind: "generated",
  });
  const paramsAt = findTaggedCell(nb, PARAMETERS_TAG);
  nb.cells.forEach((cell, cellIndex) => {
    if (cell.cell_type !== "code" || cellTags(cell).includes("skip-execution")) return;
    push(`// ---- cell ${cellIndex + 1} ----`, { kind: "generated" });
    rebaseRelativeImports(cellSource(cell), notebookPath).split("\n").forEach((text, i) => {
      push(text, { kind: "cell", cellIndex, line: i + 1 });
    });
    push(";", { kind: "generated" });
    if (cellIndex !== paramsAt) return;
    let ref = null;
    let names: string[] = [];
    try {
      ref = schemaRef(cell, notebookPath);
      names = declaredParameters(cellSource(cell)).map((d) => d.name);
    } catch {
      return; // reported by conventionProblems
    }
    if (!ref) return;
    push(`import type * as __distlabZod from "zod";`, { kind: "schema" });
    push(
      `import { ${ref.exportName} as __distlabSchema } from ${JSON.stringify(ref.specifier)};`,
      { kind: "schema" },
    );
    push(
      `const __distlabParams: __distlabZod.input<typeof __distlabSchema> = { ${
        names.join(", ")
      } };`,
      { kind: "schema" },
    );
  });
  push("export {};", { kind: "generated" });
  return { notebook: notebookPath, nb, text: out.join("\n") + "\n", lines };
}

/** Rewrites `at file:///…/.tmp/nbcheck/x.ts:L:C` lines to notebook + cell + line. */
export function mapCheckOutput(
  output: string,
  modules: ReadonlyMap<string, GeneratedModule>,
): string {
  return output.replace(
    /(file:\/\/\S+?\.ts):(\d+):(\d+)/g,
    (whole, url: string, line: string, col: string) => {
      const mod = modules.get(url);
      if (!mod) return whole;
      const origin = mod.lines[Number(line) - 1];
      if (!origin || origin.kind === "generated") return `${mod.notebook} (generated line)`;
      if (origin.kind === "schema") {
        return `${mod.notebook}, parameters cell vs. its metadata.distlab.schema ` +
          `(a parameter missing from the schema, or a default of the wrong type)`;
      }
      const head = cellSource(mod.nb.cells[origin.cellIndex]).split("\n")[0].trim().slice(0, 60);
      return `${mod.notebook}, cell ${
        origin.cellIndex + 1
      } (\`${head}\`), line ${origin.line}:${col}`;
    },
  );
}

/** Authoring-convention problems of a stored notebook (empty when it follows them). */
export function conventionProblems(nb: Notebook, path: string): string[] {
  const problems: string[] = [];
  const first = nb.cells[0];
  if (!first || first.cell_type !== "markdown" || !/^\s*#\s+\S/m.test(cellSource(first))) {
    problems.push("the first cell must be a markdown cell starting with a `# Title` heading");
  }
  const kernel = (nb.metadata.kernelspec as { name?: string } | undefined)?.name;
  if (kernel !== "deno") {
    problems.push(`metadata.kernelspec.name must be "deno" (found ${JSON.stringify(kernel)})`);
  }
  const tagged = nb.cells.filter((c) => cellTags(c).includes(PARAMETERS_TAG));
  if (tagged.length !== 1 || tagged[0].cell_type !== "code") {
    problems.push(`exactly one code cell must be tagged "parameters" (found ${tagged.length})`);
  } else {
    try {
      declaredParameters(cellSource(tagged[0]));
      if (!schemaRef(tagged[0], path)) {
        problems.push(
          `the parameters cell needs metadata {"distlab": {"schema": ` +
            `"@lab/experiments/<topic>.ts#ParamsSchema"}} so run-one validates --set values`,
        );
      }
    } catch (err) {
      problems.push((err as Error).message);
    }
  }
  const stored = nb.cells.flatMap((c, i) => hasStoredOutputs(c) ? [i + 1] : []);
  if (stored.length > 0) {
    problems.push(
      `${stored.length === 1 ? "cell" : "cells"} ${stored.join(", ")} ` +
        `${stored.length === 1 ? "has" : "have"} stored outputs or an execution count; ` +
        `notebooks are stored clean: run \`${CLEAR_COMMAND}\``,
    );
  }
  return problems;
}

/** Result of `deno check` over the notebooks. */
export interface TypeCheckResult {
  ok: boolean;
  /** deno check's output with locations mapped to notebooks. */
  report: string;
}

/** Writes one module per notebook under `<repoRoot>/.tmp/nbcheck/` and runs `deno check`. */
export async function typeCheckNotebooks(
  notebooks: readonly { path: string; nb: Notebook }[],
  repoRoot: string,
): Promise<TypeCheckResult> {
  if (notebooks.length === 0) return { ok: true, report: "" };
  const dir = join(repoRoot, ".tmp", "nbcheck");
  await Deno.mkdir(dir, { recursive: true });
  const modules = new Map<string, GeneratedModule>();
  const files: string[] = [];
  for (const { path, nb } of notebooks) {
    const display = relative(repoRoot, path) || path;
    const mod = notebookToModule(nb, display);
    // notebooks/NN-x.ipynb → .tmp/nbcheck/NN-x.ts; notebooks elsewhere get a folder of their
    // own so two folders with equal file names (test fixtures) cannot overwrite each other.
    const folder = relative(repoRoot, dirname(path));
    const sub = folder === "notebooks" ? "" : folder.replace(/[^A-Za-z0-9_-]+/g, "_");
    await Deno.mkdir(join(dir, sub), { recursive: true });
    const file = join(dir, sub, `${notebookStem(path)}.ts`);
    await Deno.writeTextFile(file, mod.text);
    files.push(file);
    modules.set(pathToFileURL(file).href, mod);
  }
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["check", "--quiet", ...files],
    cwd: repoRoot,
    env: { NO_COLOR: "1", RUST_BACKTRACE: "0" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  return { ok: out.success, report: mapCheckOutput(text.trim(), modules) };
}
