/**
 * Command-line flags shared by the checker commands (`lincheck`, `check-history`): node:util's
 * parseArgs for the syntax, a zod schema for the values, and one-line usage errors naming the flag.
 * @module
 */
import { parseArgs, type ParseArgsConfig } from "node:util";
import type { z } from "zod";

/** Bad command-line input: the command prints the message and exits with code 2. */
export class UsageError extends Error {}

/**
 * Parse `args` with `options` (positionals allowed, unknown flags refused), then validate the
 * values with `schema`; a syntax error or the first invalid value becomes a {@link UsageError}
 * naming the flag and the value given.
 */
export function parseCliFlags<S extends z.ZodType>(
  args: string[],
  options: NonNullable<ParseArgsConfig["options"]>,
  schema: S,
): { flags: z.output<S>; files: string[] } {
  let parsed;
  try {
    parsed = parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError((e as Error).message.split("\n")[0].replace(/\. To specify.*$/, ""));
  }
  const result = schema.safeParse(parsed.values);
  if (!result.success) {
    const issue = result.error.issues[0];
    const flag = String(issue.path[0] ?? "");
    const given = (parsed.values as Record<string, unknown>)[flag];
    throw new UsageError(`--${flag} ${JSON.stringify(given)}: ${issue.message}`);
  }
  return { flags: result.data, files: parsed.positionals };
}
