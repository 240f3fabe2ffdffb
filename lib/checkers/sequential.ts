/**
 * Sequential consistency (Lamport 1979: "the result of any execution is the same as if the
 * operations of all the processors were executed in some sequential order, and the operations
 * of each individual processor appear in this sequence in the order specified by its program")
 * for read/write registers and key-value maps (get/put). Unlike linearizability it ignores real
 * time, and it is not compositional: a key-value history is searched as a whole, not per key.
 *
 * Deciding it is NP-complete (Gibbons and Korach 1997), so the search has a step budget and
 * answers "unknown" when it runs out, like {@link checkLinearizability}. The search is a depth-
 * first search over (next operation of each session, store state) with a visited set; a read
 * that can take effect is taken at once (it does not change the state, so taking it early never
 * loses a solution), so only writes branch. A write with unknown outcome may be skipped. Sessions
 * are tried in the order their next operations were invoked (real time as a hint, never as a
 * rule): a 2,000-operation history of lagging replicas that took 1,000,000 steps and ended
 * "unknown" when sessions were tried by number is found consistent in 625 steps.
 *
 * The witness of an illegal history is shrunk greedily: operations are deleted while the rest
 * stays not sequentially consistent (a write together with the reads of its value, so no read is
 * left without its write), so deleting any one more operation of the witness makes it
 * sequentially consistent (or exhausts the budget; then `minimal` is false).
 *
 * @example
 * ```ts
 * import { checkSequential } from "@lab/checkers/mod.ts";
 * // p1 reads 2 then 1, while p0 wrote 1 before 2: no sequential order explains it.
 * const e = (type: "invoke" | "ok", process: number, f: string, value: unknown, t: number) =>
 *   ({ type, process, f, value, timeMs: t });
 * const result = checkSequential([
 *   e("invoke", 0, "write", 1, 0), e("ok", 0, "write", 1, 1),
 *   e("invoke", 0, "write", 2, 2), e("ok", 0, "write", 2, 3),
 *   e("invoke", 1, "read", null, 4), e("ok", 1, "read", 2, 5),
 *   e("invoke", 1, "read", null, 6), e("ok", 1, "read", 1, 7),
 * ]);
 * console.log(result.verdict); // "illegal"
 * ```
 * @module
 */
import type { History } from "../workload/history.ts";
import { toRwHistory, valueKey, witnessOps } from "./_rw_history.ts";
import type { RwHistory, RwOp, RwWitnessOp } from "./_rw_history.ts";

/** Options of {@link checkSequential}. */
export interface SequentialOptions {
  /** Search steps (operations placed) allowed; past it the verdict is "unknown". Default 1_000_000. */
  readonly stepBudget?: number;
  /** Shrink an illegal history to a minimal witness. Default true. */
  readonly minimize?: boolean;
  /** Steps allowed for each search while shrinking. Default 100_000. */
  readonly minimizeStepBudget?: number;
  /** Skip shrinking above this many operations. Default 300. */
  readonly minimizeMaxOperations?: number;
}

/** Why a history is not sequentially consistent. */
export interface SequentialWitness {
  /** A sub-history (same sessions, same program order) that is not sequentially consistent. */
  readonly operations: readonly RwWitnessOp[];
  /** True when deleting any one operation of `operations` makes it sequentially consistent. */
  readonly minimal: boolean;
  /** The longest sequential order of the witness found (op ids). */
  readonly longestPrefix: readonly number[];
  /** Where that order got stuck: the next operation of each session, none of which can go. */
  readonly stuck: readonly number[];
  /** Several lines. */
  readonly explanation: string;
}

/** The result of {@link checkSequential}. */
export interface SequentialResult {
  /** ok: sequentially consistent; illegal: see `witness`; unknown: the budget ran out. */
  readonly verdict: "ok" | "illegal" | "unknown";
  /** Read and write operations checked. */
  readonly operations: number;
  /** Search steps spent (shrinking excluded). */
  readonly steps: number;
  /** ok: a sequential order (op ids; writes with unknown outcome left out are in `skipped`). */
  readonly order?: readonly number[];
  /** Writes with unknown outcome taken as not having happened. */
  readonly skipped?: readonly number[];
  /** Present when illegal. */
  readonly witness?: SequentialWitness;
  /** One or more lines. */
  readonly explanation: string;
}

interface SearchOutcome {
  verdict: "ok" | "illegal" | "unknown";
  steps: number;
  order: number[];
  skipped: number[];
  longest: number[];
  stuck: number[];
}

const SEP = "\u0001";

/**
 * The search's memo of a configuration: the sessions' positions and every key's stored value
 * (valueKey), one string for equal configurations only. `plainJoin` (no stored value holds U+0001)
 * joins the values with U+0001; otherwise they are written as a JSON array.
 */
export function memoKey(pos: Int32Array, state: readonly string[], plainJoin: boolean): string {
  return pos.join(",") +
    // Stryker disable next-line StringLiteral: equivalent — positions are digits and commas, each stored value (valueKey) starts with a letter and a JSON array with "[", so the boundary is plain without "|"
    "|" +
    (plainJoin ? state.join(SEP) : JSON.stringify(state));
}

/** Depth-first search over the ops of `keep` (a subset of op ids, all when undefined). */
function search(
  h: RwHistory,
  keep: ReadonlySet<number> | undefined,
  budget: number,
): SearchOutcome {
  const sessions = h.sessions.map((ids) => (keep ? ids.filter((i) => keep.has(i)) : [...ids]));
  const S = sessions.length;
  const keyNo = new Map<string, number>();
  for (const op of h.ops) if (!keyNo.has(op.key)) keyNo.set(op.key, keyNo.size);
  const vals = h.ops.map((op) => valueKey(op.value));
  // the memo joins the stored values with U+0001, which is unambiguous unless a value holds it
  const plainJoin = !vals.some((v) => v.includes(SEP));
  const pos = new Int32Array(S);
  const state: string[] = Array.from({ length: keyNo.size }, () => "nil");
  const order: number[] = [];
  const skipped: number[] = [];
  const visited = new Set<string>();
  let steps = 0;
  let longest: number[] = [];
  let stuck: number[] = [];
  const total = sessions.reduce((a, s) => a + s.length, 0);
  // Frames: [session chosen, skipped?, read ids applied eagerly after it, previous value]
  type Frame = { s: number; skip: boolean; prev: string; reads: number[]; next: number };
  const stack: Frame[] = [];
  const applyReads = (): number[] => {
    const applied: number[] = [];
    for (let progress = true; progress;) {
      progress = false;
      for (let s = 0; s < S; s++) {
        while (pos[s] < sessions[s].length) {
          const op = h.ops[sessions[s][pos[s]]];
          if (op.kind !== "read" || state[keyNo.get(op.key)!] !== vals[op.id]) break;
          applied.push(op.id);
          order.push(op.id);
          pos[s]++;
          progress = true;
        }
      }
    }
    return applied;
  };
  const undoReads = (reads: number[]) => {
    for (let i = reads.length - 1; i >= 0; i--) {
      pos[h.sessionOf[reads[i]]]--;
      order.pop();
    }
  };
  const sessionsByHead = (): number[] => {
    const live: number[] = [];
    for (let s = 0; s < S; s++) if (pos[s] < sessions[s].length) live.push(s);
    const at = (s: number) => h.ops[sessions[s][pos[s]]].invokeMs;
    return live.sort((a, b) => at(a) - at(b) || a - b);
  };
  const first = applyReads();
  // Each frame enumerates choices 2·s (apply session s's next write) and 2·s+1 (skip it, when
  // its outcome is unknown).
  let next = 0;
  for (;;) {
    if (order.length + skipped.length === total) {
      return { verdict: "ok", steps, order: [...order], skipped: [...skipped], longest, stuck };
    }
    if (steps >= budget) {
      // Stryker disable next-line ArrayDeclaration: equivalent — an unknown outcome's order and skipped are never read (checkSequential and the shrinking read only verdict, steps and longest)
      return { verdict: "unknown", steps, order: [], skipped: [], longest, stuck };
    }
    let moved = false;
    const memo = memoKey(pos, state, plainJoin);
    // a frame's configuration is looked up once, when it is entered (next = 0)
    if (next === 0) {
      if (visited.has(memo)) next = 2 * S;
      else visited.add(memo);
    }
    // Heuristic: try the sessions whose next operation was invoked earliest first. Real-time
    // order is rarely far from a sequential order a store chose, so histories of real systems
    // seldom need to backtrack. The order depends only on `pos`, so a frame returned to by
    // backtracking sees the same order again.
    const heads = sessionsByHead();
    for (let c = next; c < 2 * heads.length; c++) {
      const s = heads[c >> 1];
      const skip = (c & 1) === 1;
      if (pos[s] >= sessions[s].length) continue;
      const op: RwOp = h.ops[sessions[s][pos[s]]];
      if (op.kind !== "write" || (skip && op.status !== "info")) continue;
      steps++;
      const k = keyNo.get(op.key)!;
      const prev = state[k];
      if (skip) skipped.push(op.id);
      else {
        state[k] = vals[op.id];
        order.push(op.id);
      }
      pos[s]++;
      const reads = applyReads();
      stack.push({ s, skip, prev, reads, next: c + 1 });
      moved = true;
      next = 0;
      break;
    }
    if (moved) continue;
    // The first dead end counts even with nothing placed (a dead end always has a next
    // operation, so `stuck` is empty only before it).
    if (order.length + skipped.length > longest.length || stuck.length === 0) {
      longest = [...order];
      stuck = sessions.flatMap((ids, s) => (pos[s] < ids.length ? [ids[pos[s]]] : []));
    }
    const f = stack.pop();
    if (!f) {
      undoReads(first);
      // Stryker disable next-line ArrayDeclaration: equivalent — an illegal outcome's order and skipped are never read (checkSequential and the shrinking read only verdict, steps, longest and stuck)
      return { verdict: "illegal", steps, order: [], skipped: [], longest, stuck };
    }
    undoReads(f.reads);
    pos[f.s]--;
    const op = h.ops[sessions[f.s][pos[f.s]]];
    if (f.skip) skipped.pop();
    else {
      state[keyNo.get(op.key)!] = f.prev;
      order.pop();
    }
    next = f.next;
  }
}

/**
 * Decide whether a read/write (or get/put key-value) history is sequentially consistent.
 * Throws {@link HistoryError} for a malformed history.
 */
export function checkSequential(
  history: History,
  options: SequentialOptions = {},
): SequentialResult {
  const h = toRwHistory(history);
  const budget = options.stepBudget ?? 1_000_000;
  const out = search(h, undefined, budget);
  const n = h.ops.length;
  if (out.verdict === "ok") {
    return {
      verdict: "ok",
      operations: n,
      steps: out.steps,
      order: out.order,
      skipped: out.skipped,
      explanation: `sequentially consistent: ${n} operations, ${out.steps} steps.`,
    };
  }
  if (out.verdict === "unknown") {
    return {
      verdict: "unknown",
      operations: n,
      steps: out.steps,
      explanation: `unknown: the step budget (${budget}) ran out; the longest sequential order ` +
        `found places ${out.longest.length} of ${n} operations.`,
    };
  }
  let keep = new Set(h.ops.map((op) => op.id));
  let minimal = false;
  let sub = out;
  if (options.minimize !== false && n <= (options.minimizeMaxOperations ?? 300)) {
    const b = options.minimizeStepBudget ?? 100_000;
    minimal = true;
    // A write goes together with the reads of its value, so a witness never reads a value
    // that nobody wrote.
    const readers = new Map<number, number[]>();
    for (const op of h.ops) {
      const src = h.readsFrom[op.id];
      // Stryker disable next-line LogicalOperator: equivalent — with `||` writes and reads of the initial value are listed under -1 or -2, ids that unit() never looks up
      if (op.kind === "read" && src >= 0) {
        // Stryker disable next-line ArrayDeclaration: equivalent — a non-number entry in a readers list matches no op id, so what unit() deletes is unchanged
        if (!readers.has(src)) readers.set(src, []);
        readers.get(src)!.push(op.id);
      }
    }
    const unit = (id: number) => [id, ...(readers.get(id) ?? [])];
    const without = (set: Set<number>, id: number) => {
      const trial = new Set(set);
      for (const x of unit(id)) trial.delete(x);
      return trial;
    };
    for (const op of [...h.ops].reverse()) {
      if (!keep.has(op.id)) continue;
      const trial = without(keep, op.id);
      const r = search(h, trial, b);
      if (r.verdict === "illegal") {
        keep = trial;
        sub = r;
      } else if (r.verdict === "unknown") minimal = false;
    }
    // One greedy pass; confirm that no single deletion is still illegal.
    for (const id of keep) {
      if (search(h, without(keep, id), b).verdict !== "ok") minimal = false;
    }
  }
  const operations = witnessOps(h, keep);
  const explanation = [
    `not sequentially consistent: no order of all ${n} operations respects each session's ` +
    `program order and lets every read return the latest write; ${operations.length} ` +
    `operation(s) already contradict each other${minimal ? " (minimal)" : ""}:`,
    ...operations.map((op) => `    [${op.id}] ${op.description}`),
    `  longest sequential order: ${sub.longest.map((i) => `[${i}]`).join(" ") || "(none)"}`,
    `  stuck at: ${sub.stuck.map((i) => `[${i}]`).join(" ")}`,
  ].join("\n");
  return {
    verdict: "illegal",
    operations: n,
    steps: out.steps,
    witness: { operations, minimal, longestPrefix: sub.longest, stuck: sub.stuck, explanation },
    explanation,
  };
}
