/** Helpers for mut_search_models_test.ts: operations built by hand and search inputs. */
import type { Operation } from "@lab/workload/history.ts";
import { unknownOutput } from "@lab/checkers/_lin_model.ts";
import type { Model } from "@lab/checkers/_lin_model.ts";
import type { SearchOp } from "@lab/checkers/_lin_search.ts";

/** An operation as pairOperations would give it (defaults: process 0, ok, at [0, 1], index 0). */
export function op(
  f: string,
  fields: {
    key?: string;
    input?: unknown;
    output?: unknown;
    process?: number;
    invokeIndex?: number;
    status?: Operation["status"];
  } = {},
): Operation {
  return {
    process: fields.process ?? 0,
    f,
    ...(fields.key === undefined ? {} : { key: fields.key }),
    input: fields.input,
    output: fields.output,
    status: fields.status ?? "ok",
    invokeMs: 0,
    completeMs: 1,
    invokeIndex: fields.invokeIndex ?? 0,
    completeIndex: 1,
  };
}

/** A search operation over [invokeMs, completeMs]; `out` omitted means an unknown outcome. */
export function sop<I, O>(
  input: I,
  at: readonly [number, number],
  ...out: [O] | []
): SearchOp<I, O> {
  return {
    input,
    output: out.length === 0 ? unknownOutput : out[0] as O,
    invokeMs: at[0],
    completeMs: at[1],
  };
}

/**
 * A counter whose `inc` adds 1 or 2 (nondeterministic) and whose states all hash to 0: every
 * cache lookup collides, so only `equal` tells states apart.
 */
export const collidingCounter: Model<number, "inc" | "read", number | null> = {
  name: "colliding-counter",
  init: () => 0,
  input: (o) => (o.f === "inc" ? "inc" : "read"),
  output: (o) => (o.f === "read" ? o.output as number : null),
  step: () => {
    throw new Error("stepAll is used instead");
  },
  stepAll: (s, input, output) =>
    input === "inc" ? [s + 1, s + 2] : output === unknownOutput || output === s ? [s] : [],
  hash: () => 0,
  equal: (a, b) => a === b,
  readOnly: (input) => input === "read",
  describe: (input, output) => (input === "inc" ? "inc" : `read → ${String(output)}`),
  describeState: (s) => String(s),
};

/**
 * A deterministic counter (`add` k, `read`) with a constant hash: states that differ collide in
 * the cache, so only `equal` tells them apart.
 */
export const addCounter: Model<number, { f: "add"; k: number } | { f: "read" }, number | null> = {
  name: "add-counter",
  init: () => 0,
  input: (o) => (o.f === "add" ? { f: "add", k: o.input as number } : { f: "read" }),
  output: (o) => (o.f === "read" ? o.output as number : null),
  step: (s, input, output) =>
    input.f === "add" ? s + input.k : output === unknownOutput || output === s ? s : undefined,
  hash: () => 0,
  equal: (a, b) => a === b,
  readOnly: (input) => input.f === "read",
  describe: (input, output) => (input.f === "add" ? `add(${input.k})` : `read → ${String(output)}`),
  describeState: (s) => String(s),
};
