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
 * A CM-only witness (CyclicHB, WriteHBInitRead) is a chain of derived write orders, each
 * resting on earlier ones, so the cycle alone does not explain it. It is shrunk, like the
 * sequential checker's, to a minimal sub-history of the offending session's causal past
 * (deleting a write deletes the reads of its value); the explanation lists each derived order
 * with the read that forced it. CM is closed under sub-histories, so the shrunk witness is a
 * violation on its own.
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
import type { RwHistory, RwOp, RwWitnessOp } from "./_rw_history.ts";

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
  /**
   * Shrink a CM-only witness (CyclicHB, WriteHBInitRead) to a minimal sub-history. Default true.
   */
  readonly minimize?: boolean;
  /** Skip shrinking when the offending session's causal past is larger than this. Default 3000. */
  readonly minimizeMaxOperations?: number;
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
  /**
   * True when `operations` is a minimal sub-history that still shows the pattern: removing any
   * one operation (a write together with the reads of its value) makes it satisfy the model.
   * False when not shrunk (CC and CCv witnesses: the pattern plus the paths joining it).
   */
  readonly minimal: boolean;
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
  const found = search(h, model);
  if (!found || found.session < 0 || options.minimize === false) return done(found?.witness);
  return done(
    shrinkCm(h, found.session, options.minimizeMaxOperations ?? 3000) ?? found.witness,
  );
}

/** A witness, and for a CM-only pattern the session whose happens-before order is at fault. */
interface Found {
  readonly witness: CausalWitness;
  /** Session index (into `h.sessions`) for CyclicHB and WriteHBInitRead, else -1. */
  readonly session: number;
  /** Extra explanation lines (op ids in brackets), for CyclicHB: why each derived edge holds. */
  readonly notes?: readonly string[];
}

/** The first bad pattern of `model` in `h`, or undefined. */
function search(h: RwHistory, model: CausalModel): Found | undefined {
  for (const op of h.ops) {
    if (op.kind === "read" && h.readsFrom[op.id] === -2) {
      const w = witness(h, "ThinAirRead", [op.id], [], "a read returns a value no write wrote.");
      return { witness: w, session: -1 };
    }
  }
  const co = computeClocks(h);
  if ("cycle" in co) {
    // Stryker disable next-line ArrayDeclaration: equivalent — `extra` of witness(), whose witnessOps keeps ids ≥ 0, so an added non-number entry is dropped
    const w = witness(h, "CyclicCO", co.cycle, [], "program order and read-from form a cycle.");
    // Stryker disable next-line UnaryOperator: equivalent — shrinkCm returns undefined at once for a history whose PO ∪ WR is cyclic, whatever the session
    return { witness: w, session: -1 };
  }
  const w = findCcPattern(h, co.clock) ??
    (model === "CCv" ? findCyclicCf(h, co.clock) : undefined);
  if (w) return { witness: w, session: -1 };
  return model === "CM" ? findCmPattern(h, co.clock) : undefined;
}

/**
 * The sub-history of `h` made of the operations `keep` (ids in increasing order), renumbered;
 * `orig[i]` is the id in `h` of the sub-history's operation i. Every read in `keep` must keep
 * the write it reads from.
 */
function subHistory(h: RwHistory, keep: readonly number[]): { sub: RwHistory; orig: number[] } {
  const S = h.sessions.length;
  // Stryker disable next-line UnaryOperator: equivalent — newId is read only for kept ops and for the writes of kept reads, which are kept too (the past is closed under read-from, and drop() takes a write's readers with it)
  const newId = new Int32Array(h.ops.length).fill(-1);
  const sessions: number[][] = Array.from({ length: S }, () => []);
  const ops: RwOp[] = [];
  const sessionOf: number[] = [];
  for (const id of keep) {
    const s = h.sessionOf[id];
    newId[id] = ops.length;
    ops.push({ ...h.ops[id], id: ops.length, index: sessions[s].length });
    sessions[s].push(newId[id]);
    sessionOf.push(s);
  }
  const readsFrom = Int32Array.from(keep, (id) => {
    const src = h.readsFrom[id];
    return src < 0 ? src : newId[src];
  });
  const sub = {
    ops,
    sessions,
    processes: h.processes,
    sessionOf: Int32Array.from(sessionOf),
    readsFrom,
  };
  return { sub, orig: [...keep] };
}

/**
 * Shrink a CM-only violation of session `s` to a minimal sub-history: HB_o of the session's last
 * operation lives inside its causal past, so start from that past and delete chunks of
 * operations (a write goes with the reads of its value), then single ones, while the
 * sub-history still breaks CM. CM holds of every sub-history of a CM history (restrict the
 * serializations), so what is left is a real violation. Undefined when the past is too large.
 */
function shrinkCm(h: RwHistory, s: number, maxOps: number): CausalWitness | undefined {
  const S = h.sessions.length;
  const co = computeClocks(h);
  if ("cycle" in co) return undefined;
  const ids = h.sessions[s];
  const o = ids[ids.length - 1];
  const inPast = (x: number) => co.clock[o * S + h.sessionOf[x]] >= h.ops[x].index;
  const past = h.ops.filter((op) => inPast(op.id)).map((op) => op.id);
  if (past.length > maxOps) return undefined;
  // Deleting a write deletes the reads of its value too (a read never returns a value nobody
  // wrote); a read can go alone.
  const readers = new Map<number, number[]>();
  for (const id of past) {
    const src = h.readsFrom[id];
    // Stryker disable next-line LogicalOperator: equivalent — with `||` writes and reads of the initial value are listed under -1 or -2, ids that drop() never looks up
    if (h.ops[id].kind === "read" && src >= 0) {
      // Stryker disable next-line ArrayDeclaration: equivalent — a non-number entry in a readers list matches no op id, so what drop() deletes is unchanged
      if (!readers.has(src)) readers.set(src, []);
      readers.get(src)!.push(id);
    }
  }
  const drop = (alive: readonly number[], gone: readonly number[]) => {
    const out = new Set(gone);
    // Stryker disable next-line ArrayDeclaration: equivalent — an added non-number entry in `out` matches no op id, so the filter below is unchanged
    for (const id of gone) for (const r of readers.get(id) ?? []) out.add(r);
    return alive.filter((id) => !out.has(id));
  };
  const build = (alive: readonly number[]) => subHistory(h, alive);
  const illegal = (alive: readonly number[]) => search(build(alive).sub, "CM") !== undefined;
  let alive = past;
  if (!illegal(alive)) return undefined; // cannot happen: HB_o depends on o's past only
  for (let chunk = Math.max(1, alive.length >> 1);; chunk = Math.max(1, chunk >> 1)) {
    // Stryker disable next-line ArithmeticOperator: equivalent — starting at alive.length + chunk only adds two first rounds whose slice is empty (trial = alive, no change)
    for (let i = alive.length - chunk; i > -chunk; i -= chunk) {
      const trial = drop(alive, alive.slice(Math.max(0, i), i + chunk));
      // an empty slice (alive shrank below i) gives trial = alive, illegal already: no change
      if (illegal(trial)) alive = trial;
    }
    if (chunk === 1) break;
  }
  // `alive` is minimal now: the chunk-1 pass tried dropping each survivor from a superset of the
  // final `alive`, and a sub-history of a CM history is CM, so no single deletion from it is
  // illegal either (a loop repeating single deletions here never dropped anything).
  const { sub, orig } = build(alive);
  const found = search(sub, "CM")!;
  const w = found.witness;
  const back = (list: readonly number[]) => list.map((i) => orig[i]);
  const core = back(w.core);
  // Stryker disable next-line MethodExpression,ArrowFunction,BooleanLiteral: equivalent — `rest` only adds ids of `all` (every op of the sub-history), and witness() dedupes and drops non-ids
  const rest = back(w.operations.map((op) => op.id)).filter((id) => !core.includes(id));
  const all = [...back(sub.ops.map((op) => op.id))];
  return witness(
    h,
    w.pattern,
    core,
    [...rest, ...all],
    w.explanation.split("\n")[0].slice(w.pattern.length + 2),
    found.notes?.map((line) => line.replace(/\[(\d+)\]/g, (_, i) => `[${orig[Number(i)]}]`)),
    true,
  );
}

function witness(
  h: RwHistory,
  pattern: CausalBadPattern,
  core: number[],
  extra: number[],
  text: string,
  notes?: readonly string[],
  minimal = false,
): CausalWitness {
  const operations = witnessOps(h, [...core, ...extra]);
  const lines = [
    `${pattern}: ${text}${minimal ? " Minimal sub-history:" : ""}`,
    ...operations.map((op) => `  ${core.includes(op.id) ? "*" : " "} [${op.id}] ${op.description}`),
    ...(notes ?? []),
  ];
  return { pattern, operations, core, minimal, explanation: lines.join("\n") };
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
      // Stryker disable next-line LogicalOperator: equivalent — what `&&` lets through finds nothing: w2 = -1 with src ≥ 0 fails inPast (clock[-S + …] is undefined), w2 = src fails inPast (a = b); src = -2 (thin air) was reported before
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
  // Stryker disable next-line ArrayDeclaration: equivalent — performance only: a sparse array without a preset length reads the same (computeClocks reads added?.[o])
  const cfPreds: number[][] = new Array(h.ops.length);
  const because = new Map<string, number>();
  for (const r of h.ops) {
    const w2 = h.readsFrom[r.id];
    // Stryker disable next-line LogicalOperator: equivalent — with `&&` reads of the initial value (w2 = -1) go on, but their edges land on cfPreds[-1] and key "w1,-1", which computeClocks and the cycle (ids ≥ 0) never read; writes still stop (their w2 is -1)
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
  // Stryker disable next-line ArrayDeclaration: equivalent — this list is only `extra` of witness(), whose witnessOps keeps ids ≥ 0, so an added non-number entry is dropped
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
function findCmPattern(h: RwHistory, co: Int32Array): Found | undefined {
  const S = h.sessions.length;
  const idx = new WriteIndex(h);
  for (let s = 0; s < S; s++) {
    const ids = h.sessions[s];
    if (ids.length === 0) continue;
    // Stryker disable next-line ArrayDeclaration: equivalent — performance only: a sparse array without a preset length reads the same (computeClocks reads added?.[o])
    const added: number[][] = new Array(h.ops.length);
    const because = new Map<string, number>();
    for (let round = 0;; round++) {
      // Round 0: HB starts as CO, whose clocks are known.
      const c = round === 0 ? { clock: co } : computeClocks(h, added);
      if ("cycle" in c) {
        const cyc = c.cycle;
        // Stryker disable next-line ArrayDeclaration: equivalent — this list is only `extra` of witness(), whose witnessOps keeps ids ≥ 0, so an added non-number entry is dropped
        const reads: number[] = [];
        for (let i = 0; i < cyc.length; i++) {
          const r = because.get(`${cyc[i]},${cyc[(i + 1) % cyc.length]}`);
          if (r !== undefined) reads.push(r);
        }
        // Every derived write order, in the order it was derived (each one's "happens before"
        // uses program order, read-from and the ones above it); the first 12.
        const notes = [...because].slice(0, 12).map(([e, r]) => {
          const [w1, w2] = e.split(",");
          return `  [${w1}] before [${w2}]: [${r}] returns [${w2}]'s value although [${w1}] ` +
            "happens before it";
        });
        if (because.size > 12) notes.push(`  … and ${because.size - 12} more derived orders`);
        const w = witness(
          h,
          "CyclicHB",
          cyc,
          reads,
          `the happens-before order of session p${h.processes[s]} (its causal past with the ` +
            "write order its own reads imply) is cyclic.",
          notes,
        );
        return { witness: w, session: s, notes };
      }
      const hb = c.clock;
      const hbBefore = (x: number, y: number) =>
        x === y || hb[y * S + h.sessionOf[x]] >= h.ops[x].index;
      // The write → write edges (with the reads that forced them) lying on an HB path a → b.
      // With the causal (PO/WR) paths that connect them where a step is causal, so the witness
      // stays a sub-history that shows the pattern.
      const coBefore = (x: number, y: number) =>
        x !== y && co[y * S + h.sessionOf[x]] >= h.ops[x].index;
      // Stryker disable next-line ArrayDeclaration: equivalent — link() only feeds `extra` of witness(), whose witnessOps keeps ids ≥ 0, so an added non-number entry is dropped
      const link = (x: number, y: number) => (coBefore(x, y) ? causalPath(h, co, x, y) : []);
      const onPath = (a: number, b: number) =>
        [...because].flatMap(([e, q]) => {
          const [x, y] = e.split(",").map(Number);
          // Stryker disable next-line ArrayDeclaration: equivalent — this list is only `extra` of witness(), whose witnessOps keeps ids ≥ 0, so an added non-number entry is dropped
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
          // Stryker disable next-line ConditionalExpression: equivalent — performance only (w1 === w2 → false): then hb[w2·S + t] is w2's own index (a clock includes its operation), so the check below skips it too (→ true is killed, but cannot be kept alone)
          if (w1 < 0 || w1 === w2) continue;
          if (w2 === -1) {
            const w = witness(
              h,
              "WriteHBInitRead",
              [w1, r],
              onPath(w1, r),
              `session p${h.processes[s]} reads the initial value after a write of the key ` +
                "happened before the read in its happens-before order.",
            );
            return { witness: w, session: s };
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
