/**
 * Notebook parameters: the `parameters` cell, `--set key=value` overrides, validation by the
 * notebook's zod schema before anything runs, and papermill-style injection.
 *
 * Conventions (see tools/README.md):
 * - One code cell is tagged `parameters`. It declares each parameter as its own top-level
 *   `const name = <literal or expression>;` (no destructuring, one name per statement).
 * - Its cell metadata names the zod schema that validates the parameters:
 *   `"distlab": {"schema": "@lab/experiments/<topic>.ts#ParamsSchema"}` (a specifier the repo's
 *   import map resolves, or a path relative to the notebook, then `#` and the export name).
 *   The schema's keys are the parameter names.
 * - `run-one` injects the overrides as a new code cell tagged `injected-parameters` right after
 *   the `parameters` cell; V8's REPL mode lets it re-declare the `const`s.
 *
 * @module
 */

import { dirname, isAbsolute, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { cellSource, findTaggedCell, type Notebook, type NotebookCell } from "./ipynb.ts";
import { topLevelStatements } from "./output_rule.ts";

/** A parameter declared in the `parameters` cell. */
export interface ParameterDecl {
  name: string;
  keyword: "const" | "let" | "var";
}

/** Overrides from the command line, in the order given. */
export type Overrides = Map<string, unknown>;

/** The tag of the cell holding the defaults. */
export const PARAMETERS_TAG = "parameters";
/** The tag of the cell `run-one` inserts. */
export const INJECTED_TAG = "injected-parameters";

/** The names declared by a `parameters` cell, in order. Throws on unsupported forms. */
export function declaredParameters(source: string): ParameterDecl[] {
  const decls: ParameterDecl[] = [];
  for (const statement of topLevelStatements(source)) {
    if (/^import\b/.test(statement)) continue;
    const m = statement.match(/^(?:export\s+)?(const|let|var)\s+([A-Za-z_$][\w$]*)\s*[:=]/);
    if (!m) {
      throw new Error(
        `the parameters cell may only hold imports and \`const name = value;\` declarations, ` +
          `found: ${statement.split("\n")[0]}`,
      );
    }
    decls.push({ name: m[2], keyword: m[1] as ParameterDecl["keyword"] });
  }
  return decls;
}

/** `5` → 5, `true` → true, `[1,2]` → [1, 2], `"x"` → "x", `abc` → "abc" (JSON if it parses). */
export function parseValue(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

/** Parses `key=value` pairs. Throws on a pair without `=` or with an invalid key. */
export function parseSetPairs(pairs: readonly string[]): Overrides {
  const out: Overrides = new Map();
  for (const pair of pairs) {
    const eq = pair.indexOf("=");
    if (eq <= 0) throw new Error(`--set expects key=value, got "${pair}"`);
    const key = pair.slice(0, eq).trim();
    if (!/^[A-Za-z_$][\w$]*$/.test(key)) throw new Error(`--set: "${key}" is not a valid name`);
    out.set(key, parseValue(pair.slice(eq + 1)));
  }
  return out;
}

/** The keys of `overrides` the parameters cell does not declare. */
export function unknownKeys(decls: readonly ParameterDecl[], overrides: Overrides): string[] {
  const known = new Set(decls.map((d) => d.name));
  return [...overrides.keys()].filter((k) => !known.has(k));
}

/** Source of the injected cell. Values become JSON literals, valid TypeScript. */
export function injectedSource(decls: readonly ParameterDecl[], overrides: Overrides): string {
  const lines = ["// Parameters injected by tools/notebooks.ts run-one (--set)."];
  for (const decl of decls) {
    if (overrides.has(decl.name)) {
      lines.push(`${decl.keyword} ${decl.name} = ${JSON.stringify(overrides.get(decl.name))};`);
    }
  }
  return lines.join("\n");
}

/** A copy of `nb` with the injected cell right after the `parameters` cell. */
export function injectParameters(
  nb: Notebook,
  overrides: Overrides,
): { notebook: Notebook; injectedIndex: number } {
  const at = findTaggedCell(nb, PARAMETERS_TAG);
  if (at < 0) throw new Error(`no code cell is tagged "${PARAMETERS_TAG}"`);
  const decls = declaredParameters(cellSource(nb.cells[at]));
  const unknown = unknownKeys(decls, overrides);
  if (unknown.length > 0) {
    const names = decls.map((d) => d.name).join(", ") || "none";
    throw new Error(
      `unknown parameter${unknown.length > 1 ? "s" : ""} ${unknown.join(", ")} ` +
        `(the parameters cell declares: ${names})`,
    );
  }
  const cell: NotebookCell = {
    cell_type: "code",
    execution_count: null,
    metadata: { tags: [INJECTED_TAG] },
    outputs: [],
    source: injectedSource(decls, overrides),
  };
  if (nb.nbformat_minor >= 5) cell.id = "injected-parameters";
  const cells = [...nb.cells.slice(0, at + 1), cell, ...nb.cells.slice(at + 1)];
  return { notebook: { ...nb, cells }, injectedIndex: at + 1 };
}

/** `__lossRatio=0.1__seed=7`: the overrides sorted by key, safe for a file name. */
export function overridesSuffix(overrides: Overrides): string {
  const keys = [...overrides.keys()].sort();
  return keys.map((k) => {
    const v = overrides.get(k);
    const text = typeof v === "string" ? v : JSON.stringify(v);
    return `__${k}=${text.replace(/[^A-Za-z0-9._,+=@-]/g, "_").slice(0, 60)}`;
  }).join("");
}

/** The schema a `parameters` cell names in `metadata.distlab.schema`. */
export interface SchemaRef {
  /** As written in the metadata. */
  text: string;
  /** Import specifier usable from a module inside the repo (import-map name or file URL). */
  specifier: string;
  exportName: string;
}

/** Reads `metadata.distlab.schema` (`<specifier>#<Export>`); null when absent. */
export function schemaRef(cell: NotebookCell, notebookPath: string): SchemaRef | null {
  const text = cell.metadata?.distlab?.schema;
  if (text === undefined) return null;
  if (typeof text !== "string" || !/^[^#]+#[A-Za-z_$][\w$]*$/.test(text)) {
    throw new Error(
      `metadata.distlab.schema must look like "@lab/experiments/topic.ts#ParamsSchema", ` +
        `got ${JSON.stringify(text)}`,
    );
  }
  const [spec, exportName] = text.split("#");
  let specifier = spec;
  if (spec.startsWith("./") || spec.startsWith("../")) {
    specifier = pathToFileURL(resolve(dirname(resolve(notebookPath)), spec)).href;
  } else if (isAbsolute(spec)) {
    specifier = pathToFileURL(spec).href;
  }
  return { text, specifier, exportName };
}

/** Outcome of validating defaults + overrides with the notebook's schema. */
export type Validation =
  | { ok: true; skipped?: string }
  | { ok: false; message: string };

interface ValidatorOutput {
  ok: boolean;
  setup?: string;
  issues?: { path: string[]; message: string; received?: string }[];
}

/**
 * Builds the module that evaluates the parameters cell, applies the overrides and runs
 * `schema.safeParse`. It lives inside the repo so deno.json's import map applies.
 */
export function validatorModule(
  ref: SchemaRef,
  parametersSource: string,
  decls: readonly ParameterDecl[],
  overrides: Overrides,
): string {
  const names = decls.map((d) => `${d.name}, `).join("");
  const json = JSON.stringify(JSON.stringify(Object.fromEntries(overrides)));
  return `// Generated by tools/notebooks.ts: validates notebook parameters before a run.
import { ${ref.exportName} as __distlabSchema } from ${JSON.stringify(ref.specifier)};
${parametersSource}
;
const __distlabInput: Record<string, unknown> = { ${names}...JSON.parse(${json}) };
// deno-lint-ignore no-explicit-any
const __distlabS: any = __distlabSchema;
if (typeof __distlabS?.safeParse !== "function") {
  console.log(JSON.stringify({ ok: false, setup: "export ${ref.exportName} of " +
    ${JSON.stringify(ref.text.split("#")[0])} + " is not a zod schema" }));
} else {
  const r = __distlabS.safeParse(__distlabInput);
  const show = (path: PropertyKey[]): string | undefined => {
    // deno-lint-ignore no-explicit-any
    let v: any = __distlabInput;
    for (const k of path) v = v?.[k as string];
    try { return v === undefined ? undefined : JSON.stringify(v); } catch { return String(v); }
  };
  console.log(JSON.stringify(r.success ? { ok: true } : {
    ok: false,
    issues: r.error.issues.map((i: { path: PropertyKey[]; message: string }) => ({
      path: i.path.map(String), message: i.message, received: show(i.path),
    })),
  }));
}
`;
}

/** One line per zod issue: `lossRatio=2: Too big: expected number to be <=1`. */
export function formatIssues(
  issues: readonly { path: readonly string[]; message: string; received?: string }[],
): string {
  return issues.map((i) => {
    const field = i.path.join(".");
    if (!field) return i.message;
    return `${field}${i.received !== undefined ? `=${i.received}` : ""}: ${i.message}`;
  }).join("; ");
}

/**
 * Validates the parameters (defaults from the `parameters` cell, then the overrides) with
 * the schema named in its metadata, in a separate Deno process, before any kernel starts.
 */
export async function validateParameters(
  nb: Notebook,
  notebookPath: string,
  overrides: Overrides,
  opts: { repoRoot: string; denoPath?: string },
): Promise<Validation> {
  const at = findTaggedCell(nb, PARAMETERS_TAG);
  if (at < 0) return { ok: false, message: `no code cell is tagged "${PARAMETERS_TAG}"` };
  const cell = nb.cells[at];
  const ref = schemaRef(cell, notebookPath);
  if (!ref) {
    return { ok: true, skipped: "the parameters cell has no metadata.distlab.schema" };
  }
  const source = cellSource(cell);
  const decls = declaredParameters(source);
  const dir = resolve(opts.repoRoot, ".tmp", "nbparams");
  await Deno.mkdir(dir, { recursive: true });
  const file = resolve(dir, `validate_${crypto.randomUUID().slice(0, 8)}.ts`);
  await Deno.writeTextFile(file, validatorModule(ref, source, decls, overrides));
  try {
    const out = await new Deno.Command(opts.denoPath ?? Deno.execPath(), {
      args: ["run", "-A", "--quiet", file],
      cwd: opts.repoRoot,
      env: { NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const stdout = new TextDecoder().decode(out.stdout).trim();
    const lastLine = stdout.split("\n").pop() ?? "";
    let parsed: ValidatorOutput | undefined;
    try {
      parsed = JSON.parse(lastLine) as ValidatorOutput;
    } catch {
      parsed = undefined;
    }
    if (!out.success || !parsed) {
      const stderr = new TextDecoder().decode(out.stderr).trim();
      return {
        ok: false,
        message: `could not evaluate the parameters with schema ${ref.text}: ` +
          (stderr.split("\n").slice(0, 6).join("\n") || stdout || `exit ${out.code}`),
      };
    }
    if (parsed.setup) return { ok: false, message: parsed.setup };
    if (parsed.ok) return { ok: true };
    return { ok: false, message: `invalid parameter ${formatIssues(parsed.issues ?? [])}` };
  } finally {
    await Deno.remove(file).catch(() => {});
  }
}
