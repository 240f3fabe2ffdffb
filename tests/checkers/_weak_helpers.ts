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

// Why COPS gives CCv and not CM: COPS orders concurrent writes to a key by version (Lamport
// clock, replica id), one order for every replica, so the version order is the single
// arbitration CCv asks for. CM instead asks each session for its own serialization that explains
// all of its reads, and last-writer-wins ignores the session's view: here p1's datacenter gave
// p1's y := 5 a higher version than p0's concurrent y := 3, which arrives later and loses. When
// p1 then reads y → 5 with y := 3 in its causal past (through x := 4), p1's view must put y := 3
// before y := 5, hence x := 2 (before y := 3 at p0) before p1's earlier read of x → 1, which
// would have had to return 2. Minimal sub-history of seed 4 of the COPS sweep, keys renamed.
export const copsLike = (): OpSpec[] => [
  put(0, "x", 1, [0, 1]),
  put(0, "x", 2, [2, 3]),
  put(0, "y", 3, [4, 5]),
  put(0, "x", 4, [6, 7]),
  put(1, "y", 5, [0, 1]),
  get(1, "x", 1, [2, 3]),
  get(1, "x", 4, [10, 11]),
  get(1, "y", 5, [12, 13]),
];
