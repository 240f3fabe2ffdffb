/**
 * Causal consistency of read/write (key-value) histories, after Bouajjani, Enea, Guerraoui and
 * Hamza, "On verifying causal consistency", POPL 2017. For a *differentiated* history (each value
 * written at most once per key) the three variants are characterized by bad patterns, which this
 * module searches in polynomial time:
 *
 * - CC (causal consistency): CyclicCO, WriteCOInitRead, ThinAirRead, WriteCORead;
 * - CCv (causal convergence): CC's patterns and CyclicCF;
 * - CM (causal memory): CC's patterns, WriteHBInitRead and CyclicHB.
 *
 * Relations (paper §3, Table 2): PO is each session's order; WR links a write to the reads that
 * return its value; CO = (PO ∪ WR)+. w1 CF w2 when both write key x, w1 ≠ w2, and some read of x
 * that returns w2's value has w1 in its causal past. HB_o (for each operation o) is the smallest
 * transitive relation containing CO restricted to o's causal past and, for a read r ≤PO o
 * returning w2's value, w1 → w2 for every other write w1 of the same key with w1 HB_o r.
 *
 * Implementation: CO is kept as vector clocks over sessions (O(n·S) memory for n operations and
 * S sessions). Per read and session only the session's last write to the key inside the read's
 * past needs checking (earlier ones are PO-before it), so every pattern costs O(n·S·log n). HB_o
 * grows along program order, so CM checks HB_o only for the last operation of each session, by
 * saturating write → write edges until a fixpoint (each round recomputes the clocks).
 *
 * The history is taken as the client saw it: `fail` operations are dropped, reads with unknown
 * outcome are dropped, writes with unknown outcome are kept (they may have been read). A read of
 * `null` reads the initial value; writing `null` is an error.
 *
 * @example
 * ```ts
 * import { checkCausal } from "@lab/checkers/mod.ts";
 * const h = [
 *   { type: "invoke", process: 0, f: "write", key: "x", value: 1, timeMs: 0 },
 *   { type: "ok", process: 0, f: "write", key: "x", value: 1, timeMs: 1 },
 *   { type: "invoke", process: 0, f: "write", key: "y", value: 1, timeMs: 2 },
 *   { type: "ok", process: 0, f: "write", key: "y", value: 1, timeMs: 3 },
 *   { type: "invoke", process: 1, f: "read", key: "y", value: null, timeMs: 4 },
 *   { type: "ok", process: 1, f: "read", key: "y", value: 1, timeMs: 5 },
 *   { type: "invoke", process: 1, f: "read", key: "x", value: null, timeMs: 6 },
 *   { type: "ok", process: 1, f: "read", key: "x", value: null, timeMs: 7 },
 * ] as const;
 * console.log(checkCausal(h).witness?.pattern); // "WriteCOInitRead"
 * ```
 * @module
 */
import type { History } from "../workload/history.ts";
import {
  causalPath,
  computeClocks,
  lastIn,
  toRwHistory,
  witnessOps,
  WriteIndex,
} from "./_rw_history.ts";
import type { RwHistory, RwWitnessOp } from "./_rw_history.ts";

export { HistoryError } from "./_rw_history.ts";
export type { RwOp, RwWitnessOp } from "./_rw_history.ts";

/** The causal models of Bouajjani et al. 2017. */
export type CausalModel = "CC" | "CCv" | "CM";

/** The bad patterns of Bouajjani et al. 2017, Table 2. */
export type CausalBadPattern =
  | "ThinAirRead"
  | "CyclicCO"
  | "WriteCOInitRead"
  | "WriteCORead"
  | "CyclicCF"
  | "WriteHBInitRead"
  | "CyclicHB";

/** Options of {@link checkCausal}. */
export interface CausalOptions {
  /** Which variant. Default "CC". */
  readonly model?: CausalModel;
}

/** Why a history is not causally consistent: one bad pattern and the operations forming it. */
export interface CausalWitness {
  /** The bad pattern found. */
  readonly pattern: CausalBadPattern;
  /**
   * The operations of the pattern and of the PO/WR paths that connect them (only where a path
   * changes session), in invocation order: a sub-history that still exhibits the pattern.
   */
  readonly operations: readonly RwWitnessOp[];
  /** Ids of the pattern's own operations (e.g. w1, w2, r for WriteCORead). */
  readonly core: readonly number[];
  /** Several lines. */
  readonly explanation: string;
}

/** The result of {@link checkCausal}. */
export interface CausalResult {
  /** ok: no bad pattern of the model; illegal: see `witness`. */
  readonly verdict: "ok" | "illegal";
  /** The model checked. */
  readonly model: CausalModel;
  /** Read and write operations checked. */
  readonly operations: number;
  /** Sessions (client processes). */
  readonly sessions: number;
  /** Present when illegal. */
  readonly witness?: CausalWitness;
  /** One line for ok; the witness explanation otherwise. */
  readonly explanation: string;
}

/**
 * Check a differentiated read/write history against CC, CCv or CM. Throws
 * {@link HistoryError} for a malformed or non-differentiated history.
 */
export function checkCausal(history: History, options: CausalOptions = {}): CausalResult {
  const model = options.model ?? "CC";
  const h = toRwHistory(history, { differentiated: true });
  const done = (witness?: CausalWitness): CausalResult => ({
    verdict: witness ? "illegal" : "ok",
    model,
    operations: h.ops.length,
    sessions: h.sessions.length,
    witness,
    explanation: witness
      ? `not ${model}: ${witness.explanation}`
      : `${model}: ${h.ops.length} operations in ${h.sessions.length} sessions, no bad pattern.`,
  });
  for (const op of h.ops) {
    if (op.kind === "read" && h.readsFrom[op.id] === -2) {
      return done(
        witness(h, "ThinAirRead", [op.id], [], "a read returns a value no write wrote."),
      );
    }
  }
  const co = computeClocks(h);
  if ("cycle" in co) {
    return done(
      witness(h, "CyclicCO", co.cycle, [], "program order and read-from form a cycle."),
    );
  }
  const w = findCcPattern(h, co.clock) ??
    (model === "CCv"
      ? findCyclicCf(h, co.clock)
      : model === "CM"
      ? findCmPattern(h, co.clock)
      : undefined);
  return done(w);
}

function witness(
  h: RwHistory,
  pattern: CausalBadPattern,
  core: number[],
  extra: number[],
  text: string,
): CausalWitness {
  const operations = witnessOps(h, [...core, ...extra]);
  const lines = [
    `${pattern}: ${text}`,
    ...operations.map((op) => `  ${core.includes(op.id) ? "*" : " "} [${op.id}] ${op.description}`),
  ];
  return { pattern, operations, core, explanation: lines.join("\n") };
}

/** WriteCOInitRead and WriteCORead (ThinAirRead and CyclicCO are checked before). */
function findCcPattern(h: RwHistory, clock: Int32Array): CausalWitness | undefined {
  const S = h.sessions.length;
  const idx = new WriteIndex(h);
  const inPast = (a: number, b: number) =>
    a !== b && clock[b * S + h.sessionOf[a]] >= h.ops[a].index;
  for (const r of h.ops) {
    if (r.kind !== "read") continue;
    const src = h.readsFrom[r.id];
    for (let t = 0; t < S; t++) {
      const w2 = idx.lastAtOrBefore(r.key, t, clock[r.id * S + t]);
      if (w2 < 0 || w2 === src) continue;
      if (src === -1) {
        return witness(
          h,
          "WriteCOInitRead",
          [w2, r.id],
          causalPath(h, clock, w2, r.id),
          "a read returns the initial value although a write of its key is in its causal past.",
        );
      }
      if (inPast(src, w2)) {
        return witness(
          h,
          "WriteCORead",
          [src, w2, r.id],
          [...causalPath(h, clock, src, w2), ...causalPath(h, clock, w2, r.id)],
          "a read returns a write that another write of the same key, in the read's causal " +
            "past, causally overwrote.",
        );
      }
    }
  }
  return undefined;
}

/** CCv: CF ∪ CO must be acyclic. */
function findCyclicCf(h: RwHistory, clock: Int32Array): CausalWitness | undefined {
  const S = h.sessions.length;
  const idx = new WriteIndex(h);
  const cfPreds: number[][] = new Array(h.ops.length);
  const because = new Map<string, number>();
  for (const r of h.ops) {
    const w2 = h.readsFrom[r.id];
    if (r.kind !== "read" || w2 < 0) continue;
    for (let t = 0; t < S; t++) {
      const w1 = idx.lastAtOrBefore(r.key, t, clock[r.id * S + t]);
      if (w1 < 0 || w1 === w2) continue;
      if (clock[w2 * S + t] >= h.ops[w1].index) continue; // already w1 CO w2
      (cfPreds[w2] ??= []).push(w1);
      because.set(`${w1},${w2}`, r.id);
    }
  }
  const c = computeClocks(h, cfPreds);
  if (!("cycle" in c)) return undefined;
  const reads: number[] = [];
  const cyc = c.cycle;
  for (let i = 0; i < cyc.length; i++) {
    const r = because.get(`${cyc[i]},${cyc[(i + 1) % cyc.length]}`);
    if (r !== undefined) reads.push(r);
  }
  return witness(
    h,
    "CyclicCF",
    cyc,
    reads,
    "the conflict order (w1 CF w2: a read of w2's value has w1 in its causal past) and the " +
      "causal order form a cycle, so no single order of writes explains every read.",
  );
}

/** CM: per session, HB_o of its last operation (HB_o only grows along program order). */
function findCmPattern(h: RwHistory, co: Int32Array): CausalWitness | undefined {
  const S = h.sessions.length;
  const idx = new WriteIndex(h);
  for (let s = 0; s < S; s++) {
    const ids = h.sessions[s];
    if (ids.length === 0) continue;
    const added: number[][] = new Array(h.ops.length);
    const because = new Map<string, number>();
    for (let round = 0;; round++) {
      // Round 0: HB starts as CO, whose clocks are known.
      const c = round === 0 ? { clock: co } : computeClocks(h, added);
      if ("cycle" in c) {
        const cyc = c.cycle;
        const reads: number[] = [];
        for (let i = 0; i < cyc.length; i++) {
          const r = because.get(`${cyc[i]},${cyc[(i + 1) % cyc.length]}`);
          if (r !== undefined) reads.push(r);
        }
        return witness(
          h,
          "CyclicHB",
          cyc,
          reads,
          `the happens-before order of session p${h.processes[s]} (its causal past with the ` +
            "write order its own reads imply) is cyclic.",
        );
      }
      const hb = c.clock;
      const hbBefore = (x: number, y: number) =>
        x === y || hb[y * S + h.sessionOf[x]] >= h.ops[x].index;
      // The write → write edges (with the reads that forced them) lying on an HB path a → b.
      // With the causal (PO/WR) paths that connect them where a step is causal, so the witness
      // stays a sub-history that shows the pattern.
      const coBefore = (x: number, y: number) =>
        x !== y && co[y * S + h.sessionOf[x]] >= h.ops[x].index;
      const link = (x: number, y: number) => (coBefore(x, y) ? causalPath(h, co, x, y) : []);
      const onPath = (a: number, b: number) =>
        [...because].flatMap(([e, q]) => {
          const [x, y] = e.split(",").map(Number);
          if (!hbBefore(a, x) || !hbBefore(y, b)) return [];
          return [x, y, q, ...link(a, x), ...link(x, q), ...link(y, b)];
        });
      let grew = false;
      for (const r of ids) {
        const op = h.ops[r];
        if (op.kind !== "read") continue;
        const w2 = h.readsFrom[r];
        const lists = idx.forKey(op.key);
        for (let t = 0; t < S; t++) {
          const w1 = lists ? lastIn(lists[t], hb[r * S + t]) : -1;
          if (w1 < 0 || w1 === w2) continue;
          if (w2 === -1) {
            return witness(
              h,
              "WriteHBInitRead",
              [w1, r],
              onPath(w1, r),
              `session p${h.processes[s]} reads the initial value after a write of the key ` +
                "happened before the read in its happens-before order.",
            );
          }
          if (hb[w2 * S + t] >= h.ops[w1].index) continue;
          (added[w2] ??= []).push(w1);
          because.set(`${w1},${w2}`, r);
          grew = true;
        }
      }
      if (!grew) break;
    }
  }
  return undefined;
}
