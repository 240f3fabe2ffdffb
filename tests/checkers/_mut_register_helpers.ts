/** Helpers for mut_register_test.ts: register operations as the searches take them. */
import { registerModel } from "@lab/checkers/mod.ts";
import type { AnyModel, Model } from "@lab/checkers/mod.ts";
import { RegisterSearch, searchRegister } from "@lab/checkers/_lin_register.ts";
import type { SearchOp } from "@lab/checkers/_lin_search.ts";
import { unknownOutput } from "@lab/checkers/_lin_model.ts";
import type { RegisterInput, RegisterValue } from "@lab/checkers/_lin_models.ts";
import type { Operation } from "@lab/workload/history.ts";

/** A register operation as zones and the searches take it. */
export type Op = SearchOp<RegisterInput, RegisterValue>;

/** A write of `v` over `at`; `known` false gives it an unknown outcome (`at[1]`: its deadline). */
export const W = (v: RegisterValue, at: [number, number], known = true): Op => ({
  input: { f: "write", value: v },
  output: known ? null : unknownOutput,
  invokeMs: at[0],
  completeMs: at[1],
});

/** A read returning `v` (or of unknown outcome) over `at`. */
export const R = (v: RegisterValue | typeof unknownOutput, at: [number, number]): Op => ({
  input: { f: "read" },
  output: v,
  invokeMs: at[0],
  completeMs: at[1],
});

/** searchRegister over `ops` with the model's reading of them (defaults: plain register, 1e6 steps, fresh space). */
export function regSearch(
  ops: readonly Op[],
  o: { model?: AnyModel; space?: RegisterSearch; maxSteps?: number } = {},
) {
  return searchRegister(
    o.model ?? registerModel(),
    ops.map((x) => x.input),
    ops.map((x) => x.output),
    ops as unknown as Operation[],
    o.maxSteps ?? 1_000_000,
    o.space ?? new RegisterSearch(undefined),
  );
}

/**
 * The plain register with every state boxed in a fresh object (equal by content, never
 * identical): the register search's view and keys are the register's own.
 */
export function boxedRegister(): Model<{ v: RegisterValue }, RegisterInput, RegisterValue> {
  const base = registerModel();
  return {
    name: "boxed-register",
    init: () => ({ v: null }),
    input: (op) => base.input(op),
    output: (op) => base.output(op),
    step: (s, input, output) => {
      const next = base.step(s.v, input, output);
      return next === undefined ? undefined : { v: next };
    },
    hash: (s) => base.hash(s.v),
    equal: (a, b) => base.equal(a.v, b.v),
    readOnly: base.readOnly,
    registerView: base.registerView,
    describe: base.describe,
    describeState: (s) => base.describeState(s.v),
  };
}
