/**
 * Errors with clear messages: bad input is rejected before a run, naming the field at fault.
 * @module
 */
import type { z } from "zod";

/** Bad configuration, schedule or parameter; `issues` lists each bad field path and what is wrong. */
export class ConfigError extends Error {
  override name = "ConfigError";
  /** One entry per problem: `path` like "nemesis[2].node". */
  readonly issues: readonly { path: string; message: string }[];
  constructor(what: string, issues: readonly { path: string; message: string }[]) {
    super(
      `invalid ${what}: ` +
        issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join("; "),
    );
    this.issues = issues;
  }
}

/** Format a zod issue path like `links[2].lossRatio`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const p of path) {
    if (typeof p === "number") out += `[${p}]`;
    else out += out ? `.${String(p)}` : String(p);
  }
  return out;
}

/**
 * Parse `input` with a zod schema, or throw a ConfigError naming every bad field.
 * @example
 * ```ts
 * import { z } from "zod";
 * const cfg = parseConfig(z.object({ n: z.number().int().min(1) }), { n: 3 }, "cluster config");
 * ```
 */
export function parseConfig<S extends z.ZodType>(
  schema: S,
  input: unknown,
  what: string,
): z.output<S> {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  throw new ConfigError(
    what,
    r.error.issues.map((i) => ({ path: formatPath(i.path), message: i.message })),
  );
}

/** An error thrown by a protocol handler, with the node, the virtual time and the seed. */
export class SimulationError extends Error {
  override name = "SimulationError";
}
