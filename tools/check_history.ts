/**
 * `deno task check-history`: judge recorded histories against one consistency model.
 *
 * ```sh
 * deno task check-history --model MODEL [--budget N] [--k N] [--t MS] [--quiescent-at MS]
 *                         [--quiet] FILE…
 * ```
 * MODEL is one of: `linearizable`, `sequential`, `causal` (= `cc`), `cc`, `ccv`, `cm`,
 * `session` (all four session guarantees), `read-your-writes`, `monotonic-reads`,
 * `monotonic-writes`, `writes-follow-reads`, `convergence` (reads after quiescence agree),
 * `k-staleness` (needs `--k`), `t-visibility` (needs `--t`).
 *
 * Files are Jepsen logs or EDN histories (lib/checkers/parse_history.ts reads both). Every model
 * except `linearizable` reads read/write histories (`read`/`write`, or `get`/`put` with `:key`);
 * `linearizable` also takes `cas` (a cas-register) and `append` (Porcupine's kv, whose keys start
 * as "" as in Porcupine; elsewhere nil is the initial value). The causal and session models
 * need each value written at most once per key.
 *
 * Prints, per file: file, verdict (ok / illegal / unknown / error), operations, time in ms,
 * model; then, indented, the checker's explanation: the witness when illegal (unless
 * `--quiet`), the error with its `FILE:LINE` and field when the input is bad.
 *
 * `--budget` bounds the search steps of the NP-complete checks (`linearizable`, default
 * 10000000; `sequential`, default 1000000); past it the verdict is "unknown". `--quiescent-at`
 * is the time (ms, as the history's times) from which reads (by invocation) must agree; default:
 * the time of the last write event (a file without `:time` counts events, so: after it).
 *
 * Exit status: 0 every file holds; 1 some file violates the model; 2 bad input (usage error,
 * unreadable or empty file, malformed history, a history that mixes models, a field of the wrong
 * type); 3 some file is "unknown" (budget exhausted). With several files the first of 2, 3, 1, 0
 * that applies wins.
 * @module
 */
import { parseCliFlags, UsageError } from "./_cli.ts";
import { z } from "zod";
import {
  casRegisterModel,
  checkCausal,
  checkLinearizability,
  checkQuiescentReads,
  checkSequential,
  checkSessionGuarantees,
  checkStaleness,
  HistoryError,
  kvModel,
  ModelError,
  ParseError,
  parseHistory,
  SESSION_GUARANTEES,
} from "../lib/checkers/mod.ts";
import type { AnyModel, CausalModel, SessionGuarantee } from "../lib/checkers/mod.ts";
import type { HistoryEvent } from "../lib/workload/history.ts";

const USAGE = "usage: deno task check-history --model MODEL [--budget N] [--k N] [--t MS] " +
  "[--quiescent-at MS] [--quiet] FILE…";

/** Every model the command knows. */
export const MODELS = [
  "linearizable",
  "sequential",
  "causal",
  "cc",
  "ccv",
  "cm",
  "session",
  ...SESSION_GUARANTEES,
  "convergence",
  "k-staleness",
  "t-visibility",
] as const;
type ModelName = typeof MODELS[number];

const positiveInt = z.string().regex(/^[1-9][0-9_]*$/, { error: "must be a positive integer" })
  .transform((s) => Number(s.replaceAll("_", "")))
  .refine((n) => Number.isSafeInteger(n), { error: "is too large" });
const nonNegative = z.string().regex(/^[0-9]+(\.[0-9]+)?$/, {
  error: "must be a number ≥ 0",
}).transform(Number);

/** Command-line flags, validated. */
const Flags = z.object({
  model: z.enum(MODELS, { error: `must be one of ${MODELS.join(", ")}` }).optional(),
  budget: positiveInt.optional(),
  k: positiveInt.optional(),
  t: nonNegative.optional(),
  "quiescent-at": nonNegative.optional(),
  quiet: z.boolean().default(false),
  help: z.boolean().default(false),
});
type FlagValues = z.infer<typeof Flags>;

/** A usage error: names the flag and says what is wrong. */

/** Bad file contents: `FILE:LINE: field: what is wrong`. */
class InputError extends Error {}

/** The flags `parseArgs` accepts (values are validated by {@link Flags} afterwards). */
const OPTIONS = {
  model: { type: "string" },
  budget: { type: "string" },
  k: { type: "string" },
  t: { type: "string" },
  "quiescent-at": { type: "string" },
  quiet: { type: "boolean" },
  help: { type: "boolean", short: "h" },
} as const;

function parseFlags(args: string[]): { flags: FlagValues; files: string[] } {
  const { flags, files } = parseCliFlags(args, OPTIONS, Flags);
  if (!flags.help) {
    if (flags.model === undefined) throw new UsageError("--model is required");
    if (flags.model === "k-staleness" && flags.k === undefined) {
      throw new UsageError(
        "--model k-staleness needs --k N (reads must return one of the k latest)",
      );
    }
    if (flags.model === "t-visibility" && flags.t === undefined) {
      throw new UsageError("--model t-visibility needs --t MS (writes visible after t ms)");
    }
    if (flags.budget !== undefined && !["linearizable", "sequential"].includes(flags.model)) {
      throw new UsageError(
        `--budget: only linearizable and sequential search; ${flags.model} is polynomial`,
      );
    }
  }
  return { flags, files };
}

const REGISTER_F = new Set(["read", "write", "cas"]);
const KV_F = new Set(["get", "put", "append"]);

/**
 * Refuse a history that mixes models: some events with a `:key` and some without (a register
 * and a key-value map), or register operations (read/write/cas) beside key-value ones
 * (get/put/append); and, for the read/write models, a value that is not a scalar or a vector.
 */
function checkVocabulary(
  events: readonly HistoryEvent[],
  lines: readonly number[],
  file: string,
  readWrite: boolean,
): void {
  let keyed = -1, unkeyed = -1, register = -1, kv = -1;
  events.forEach((e, i) => {
    const at = `${file}:${lines[i]}`;
    if (e.key !== undefined) keyed = keyed < 0 ? i : keyed;
    else unkeyed = unkeyed < 0 ? i : unkeyed;
    if (keyed >= 0 && unkeyed >= 0) {
      const [has, lacks] = e.key !== undefined ? [i, unkeyed] : [keyed, i];
      throw new InputError(
        `${at}: :key: the history mixes models: line ${lines[has]} has a :key (a key-value ` +
          `map) and line ${lines[lacks]} has none (a single register)`,
      );
    }
    if (REGISTER_F.has(e.f)) register = register < 0 ? i : register;
    if (KV_F.has(e.f)) kv = kv < 0 ? i : kv;
    if (register >= 0 && kv >= 0) {
      const other = REGISTER_F.has(e.f) ? kv : register;
      throw new InputError(
        `${at}: :f: the history mixes models: :${e.f} beside :${events[other].f} at line ` +
          `${lines[other]} (register operations read/write/cas with key-value get/put/append)`,
      );
    }
    const v = e.value;
    if (readWrite && v !== null && typeof v === "object" && !Array.isArray(v)) {
      throw new InputError(
        `${at}: :value: expected nil, a number, a string, a keyword or a vector, found a map`,
      );
    }
  });
}

/** One checked file. */
interface Row {
  file: string;
  verdict: "ok" | "illegal" | "unknown" | "error";
  operations: number;
  ms: number;
  model: string;
  detail?: string;
}

const EXIT: Record<Row["verdict"], number> = { ok: 0, illegal: 1, error: 2, unknown: 3 };
const PRIORITY: readonly Row["verdict"][] = ["error", "unknown", "illegal", "ok"];

function judge(
  model: ModelName,
  events: HistoryEvent[],
  flags: FlagValues,
): { verdict: "ok" | "illegal" | "unknown"; explanation: string } {
  switch (model) {
    case "linearizable": {
      // A read/write history reads nil as the initial value; Porcupine's kv histories (with
      // append) start from "" as Porcupine does.
      const keyed = events.some((e) => e.key !== undefined);
      const porcupineKv = events.some((e) => e.f === "append");
      const model: AnyModel = !keyed
        ? casRegisterModel()
        : kvModel(porcupineKv ? {} : { initial: null });
      const r = checkLinearizability(events, model, {
        stepBudget: flags.budget,
        minimize: !flags.quiet,
      });
      return { verdict: r.verdict, explanation: r.explanation };
    }
    case "sequential": {
      const r = checkSequential(events, { stepBudget: flags.budget, minimize: !flags.quiet });
      return r;
    }
    case "causal":
    case "cc":
    case "ccv":
    case "cm": {
      const name: CausalModel = model === "ccv" ? "CCv" : model === "cm" ? "CM" : "CC";
      return checkCausal(events, { model: name });
    }
    case "session":
      return checkSessionGuarantees(events);
    case "read-your-writes":
    case "monotonic-reads":
    case "monotonic-writes":
    case "writes-follow-reads": {
      const g = checkSessionGuarantees(events).guarantees[model as SessionGuarantee];
      return {
        verdict: g.verdict,
        explanation: g.witness?.explanation ?? `${model}: holds (${g.violations} violations).`,
      };
    }
    case "convergence": {
      let last = -Infinity;
      for (const e of events) if (e.f === "write" || e.f === "put") last = Math.max(last, e.timeMs);
      const at = flags["quiescent-at"] ?? (Number.isFinite(last) ? last : 0);
      return checkQuiescentReads(events, { quiescentAtMs: at });
    }
    case "k-staleness":
      return checkStaleness(events, { k: flags.k });
    case "t-visibility":
      return checkStaleness(events, { tMs: flags.t });
  }
}

/**
 * Run the command on `args`, writing lines to `print`; resolves to the exit status.
 * Exported for tests; `deno task check-history` calls it with `Deno.args`.
 */
export async function checkHistoryCli(
  args: string[],
  print: (line: string) => void,
): Promise<number> {
  let flags: FlagValues;
  let files: string[];
  try {
    ({ flags, files } = parseFlags(args));
    if (flags.help) {
      print(USAGE);
      print(`models: ${MODELS.join(", ")}`);
      return 0;
    }
    if (files.length === 0) throw new UsageError("no FILE given");
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    print(`check-history: ${e.message}`);
    print(USAGE);
    return 2;
  }
  const model = flags.model!;
  const rows: Row[] = [];
  for (const file of files) {
    const t0 = performance.now();
    let lines: number[] = [];
    let operations = 0;
    const row = (verdict: Row["verdict"], detail?: string) =>
      rows.push({ file, verdict, operations, ms: performance.now() - t0, model, detail });
    try {
      const parsed = parseHistory(await Deno.readTextFile(file), { source: file });
      lines = parsed.lines;
      operations = parsed.events.filter((e) => e.type === "invoke").length;
      if (operations === 0) {
        throw new InputError(`${file}: no operations (the file is empty or holds only comments)`);
      }
      checkVocabulary(parsed.events, lines, file, model !== "linearizable");
      const r = judge(model, parsed.events, flags);
      row(r.verdict, r.verdict === "ok" || !flags.quiet ? r.explanation : undefined);
    } catch (e) {
      let message = (e as Error).message;
      if (e instanceof Deno.errors.NotFound) message = `${file}: no such file`;
      else if (e instanceof HistoryError) {
        message = `${file}:${lines[e.index] ?? "?"}: :${e.field}: ` +
          message.replace(/^history\[\d+\]\.[A-Za-z]+: /, "");
      } else if (e instanceof ModelError) {
        const at = e.operation?.invokeIndex;
        if (at !== undefined && lines[at] !== undefined) {
          message = `${file}:${lines[at]}: ${message}`;
        }
      } else if (!(e instanceof ParseError || e instanceof InputError)) {
        throw e;
      }
      row("error", message);
    }
  }
  const width = Math.max(...rows.map((r) => r.file.length));
  for (const r of rows) {
    const ops = `${r.operations} ops`.padStart(9);
    const ms = `${r.ms.toFixed(1)} ms`.padStart(10);
    print(`${r.file.padEnd(width)}  ${r.verdict.padEnd(7)}  ${ops}  ${ms}  ${r.model}`);
    if (r.detail !== undefined) { for (const line of r.detail.split("\n")) print(`    ${line}`); }
  }
  const worst = PRIORITY.find((v) => rows.some((r) => r.verdict === v))!;
  return EXIT[worst];
}

if (import.meta.main) {
  Deno.exit(await checkHistoryCli(Deno.args, (line) => console.log(line)));
}
