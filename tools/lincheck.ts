/**
 * `deno task lincheck`: check recorded histories for linearizability.
 *
 * ```sh
 * deno task lincheck [--model register|cas-register|kv] [--initial VALUE] [--budget N]
 *                    [--explain] FILE…
 * ```
 * Prints one line per file: file, verdict (ok / illegal / unknown / empty / error), operations, time in
 * ms, model. Without `--model`, the model comes from the file: a Jepsen log is a cas-register, an
 * EDN history with `:key`s is a kv map, any other EDN history a cas-register. `--initial` is an
 * EDN literal (`nil`, `0`, `"x"`): the register's initial value or the value of a key never
 * written (default: nil for registers, "" for kv, as in Porcupine). `--budget` bounds the search
 * steps per file (default 10000000; past it the verdict is "unknown"). `--explain` prints the
 * witness of each illegal file.
 *
 * Exit status: 0 when every file is linearizable, 1 when some file is not, 2 when some file is
 * unknown, unreadable or holds no operations ("empty": an empty or whitespace-only file is a
 * mistake, not a proof), or on a usage error (the highest applicable code wins).
 * @module
 */
import { parseCliFlags, UsageError } from "./_cli.ts";
import { z } from "zod";
import {
  casRegisterModel,
  checkLinearizability,
  kvModel,
  ModelError,
  ParseError,
  parseHistory,
  readEdn,
  registerModel,
} from "../lib/checkers/mod.ts";
import type { AnyModel, EdnValue, RegisterValue } from "../lib/checkers/mod.ts";

const USAGE =
  "usage: deno task lincheck [--model register|cas-register|kv] [--initial VALUE] [--budget N] " +
  "[--explain] FILE…";

const MODELS = ["register", "cas-register", "kv"] as const;
type ModelName = typeof MODELS[number];

/** Command-line flags, validated. */
const Flags = z.object({
  model: z.enum(MODELS, { error: `must be one of ${MODELS.join(", ")}` }).optional(),
  initial: z.string().optional(),
  budget: z.string().regex(/^[1-9][0-9_]*$/, { error: "must be a positive integer" })
    .transform((s) => Number(s.replaceAll("_", "")))
    .refine((n) => Number.isSafeInteger(n), { error: "is too large" })
    .optional(),
  explain: z.boolean().default(false),
  help: z.boolean().default(false),
});

/** A usage error: names the flag and says what is wrong. */
function parseFlags(args: string[]): { flags: z.infer<typeof Flags>; files: string[] } {
  return parseCliFlags(args, {
    model: { type: "string" },
    initial: { type: "string" },
    budget: { type: "string" },
    explain: { type: "boolean" },
    help: { type: "boolean", short: "h" },
  }, Flags);
}

function toRegisterValue(v: EdnValue): RegisterValue {
  if (v === null || typeof v === "number" || typeof v === "string" || typeof v === "boolean") {
    return v;
  }
  if (Array.isArray(v)) return v.map(toRegisterValue);
  throw new UsageError(`--initial: a register value must be nil, a number, a string or a vector`);
}

/** The initial value from `--initial`, checked against the model. */
function parseInitial(text: string, model: ModelName): RegisterValue {
  let value: EdnValue;
  if (text === "") {
    value = "";
  } else {
    try {
      value = readEdn(text);
    } catch (e) {
      if (e instanceof ParseError) {
        throw new UsageError(`--initial ${JSON.stringify(text)}: not an EDN value (${e.message})`);
      }
      throw e;
    }
  }
  if (model === "kv" && value !== null && typeof value !== "string") {
    throw new UsageError(`--initial ${JSON.stringify(text)}: a kv value must be a string or nil`);
  }
  return toRegisterValue(value);
}

function makeModel(name: ModelName, initial: string | undefined): AnyModel {
  switch (name) {
    case "register":
      return registerModel(initial === undefined ? {} : { initial: parseInitial(initial, name) });
    case "cas-register":
      return casRegisterModel(
        initial === undefined ? {} : { initial: parseInitial(initial, name) },
      );
    case "kv":
      return kvModel(
        initial === undefined ? {} : { initial: parseInitial(initial, name) as string | null },
      );
  }
}

/** One checked file. */
interface Row {
  file: string;
  verdict: "ok" | "illegal" | "unknown" | "empty" | "error";
  operations: number;
  ms: number;
  model: string;
  detail?: string;
}

const EXIT: Record<Row["verdict"], number> = {
  ok: 0,
  illegal: 1,
  unknown: 2,
  empty: 2,
  error: 2,
};

/**
 * Run the command on `args`, writing lines to `print`; resolves to the exit status.
 * Exported for tests; `deno task lincheck` calls it with `Deno.args`.
 */
export async function lincheck(args: string[], print: (line: string) => void): Promise<number> {
  let flags: z.infer<typeof Flags>;
  let files: string[];
  try {
    ({ flags, files } = parseFlags(args));
    if (flags.help) {
      print(USAGE);
      return 0;
    }
    if (files.length === 0) throw new UsageError("no FILE given");
    if (flags.initial !== undefined) {
      // Validate --initial once, before any file (against the kv rules too once the model is known).
      parseInitial(flags.initial, flags.model ?? "register");
    }
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    print(`lincheck: ${e.message}`);
    print(USAGE);
    return 2;
  }

  const rows: Row[] = [];
  for (const file of files) {
    const t0 = performance.now();
    let modelName: ModelName = flags.model ?? "cas-register";
    let lines: number[] = [];
    let operations = 0;
    try {
      const text = await Deno.readTextFile(file);
      const parsed = parseHistory(text, { source: file });
      lines = parsed.lines;
      operations = parsed.events.filter((e) => e.type === "invoke").length;
      if (flags.model === undefined) modelName = parsed.hasKeys ? "kv" : "cas-register";
      if (operations === 0) {
        // an empty history is trivially linearizable, but an empty file is almost always a
        // mistake (a run that never started, a wrong path): say so and fail like "unknown"
        rows.push({
          file,
          verdict: "empty",
          operations,
          ms: performance.now() - t0,
          model: modelName,
          detail: "no operations: the file is empty or holds only whitespace and comments",
        });
        continue;
      }
      const model = makeModel(modelName, flags.initial);
      const result = checkLinearizability(parsed.events, model, {
        stepBudget: flags.budget,
        minimize: flags.explain,
      });
      rows.push({
        file,
        verdict: result.verdict,
        operations,
        ms: performance.now() - t0,
        model: modelName,
        detail: flags.explain && result.verdict !== "ok" ? result.explanation : undefined,
      });
    } catch (e) {
      let message = (e as Error).message;
      if (e instanceof Deno.errors.NotFound) message = `${file}: no such file`;
      const at = e instanceof ModelError ? e.operation?.invokeIndex : undefined;
      if (at !== undefined && lines[at] !== undefined) message = `${file}:${lines[at]}: ${message}`;
      rows.push({
        file,
        verdict: "error",
        operations,
        ms: performance.now() - t0,
        model: modelName,
        detail: message,
      });
    }
  }

  const width = Math.max(...rows.map((r) => r.file.length));
  for (const r of rows) {
    const ops = `${r.operations} ops`.padStart(9);
    const ms = `${r.ms.toFixed(1)} ms`.padStart(10);
    print(`${r.file.padEnd(width)}  ${r.verdict.padEnd(7)}  ${ops}  ${ms}  ${r.model}`);
    if (r.detail !== undefined) {
      for (const line of r.detail.split("\n")) print(`    ${line}`);
    }
  }
  return Math.max(0, ...rows.map((r) => EXIT[r.verdict]));
}

if (import.meta.main) {
  Deno.exit(await lincheck(Deno.args, (line) => console.log(line)));
}
