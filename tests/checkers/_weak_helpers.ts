/** Helpers for the weak-consistency checker tests: key-value operations for the history DSL. */
import type { OpSpec } from "./_helpers.ts";

/** A write of `v` to `key` by process `p`, invoked and completed at `at`. */
export const put = (p: number, key: string, v: unknown, at: [number, number]): OpSpec => ({
  p,
  f: "write",
  key,
  in: v,
  at,
});

/** A read of `key` by process `p` returning `v` (`null`: the initial value). */
export const get = (p: number, key: string, v: unknown, at: [number, number]): OpSpec => ({
  p,
  f: "read",
  key,
  in: null,
  out: v,
  at,
});
