/**
 * Errors with clear messages: bad input is rejected before a run, naming the field at fault.
 * @module
 */
import type { z } from "zod";

/** Bad configuration, schedule or parameter; `issues` lists each bad field path and what is wrong. */
export class ConfigError extends Error {
  /** Error name shown in stack traces and `String(err)`. */
  override name = "ConfigError";
  /** One entry per problem: `path` like "nemesis[2].node". */
  readonly issues: readonly { path: string; message: string }[];
  /** An error about `what` (e.g. "cluster options") whose message lists every issue. */
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
  /** Error name shown in stack traces and `String(err)`. */
  override name = "SimulationError";
}

/** The first violation of a protocol's safety property, with where to find it in the run. */
export interface InvariantBreach<Name extends string = string> {
  /** Which safety property was violated. */
  readonly invariant: Name;
  /** What was observed, in words (the detail at the end of the one-line description). */
  readonly message: string;
  /** The node whose action revealed it. */
  readonly node: string;
  /** True (simulated) time in ms. */
  readonly timeMs: number;
  /** Simulator events handled since the checker was attached (1-based). */
  readonly eventIndex: number;
  /** Trace records seen so far (`sim.trace.count`; 0 with tracing off). */
  readonly traceIndex: number;
  /** The run's root seed (undefined when events were fed by hand without one). */
  readonly seed: number | string | undefined;
}

/** One line: protocol, invariant, seed, time, event and trace position, node, extra, detail. */
export function describeInvariantBreach(
  protocol: string,
  b: InvariantBreach,
  extra = "",
): string {
  return `${protocol} invariant "${b.invariant}" violated: seed=${String(b.seed)} t=${+b.timeMs
    .toFixed(3)}ms ` +
    `event #${b.eventIndex} trace record #${b.traceIndex} node=${b.node}${extra}: ${b.message}`;
}

/** Thrown by an invariant checker at the first breach (usually from `sim.afterEach`). */
export class InvariantError<B extends InvariantBreach = InvariantBreach> extends Error {
  /** Error name shown in stack traces and `String(err)`. */
  override name = "InvariantError";
  /** The breach. */
  readonly breach: B;
  /** An error whose message is `description` (see {@link describeInvariantBreach}). */
  constructor(breach: B, description: string) {
    super(description);
    this.breach = breach;
  }
}
