/**
 * Session guarantees (Terry, Demers, Petersen, Spreitzer, Theimer, Welch, "Session guarantees for
 * weakly consistent replicated data", PDIS 1994) checked on a differentiated read/write history,
 * one session per client process:
 *
 * - read-your-writes (RYW): a read sees the session's own earlier writes of the key;
 * - monotonic reads (MR): a read does not see an older version of the key than an earlier read
 *   of the same session saw;
 * - monotonic writes (MW): once session t has read a write w2 of session s, t's later reads of a
 *   key that s wrote before w2 do not return a version older than s's write;
 * - writes-follow-reads (WFR): once session t has read a write w2 of session s, t's later reads
 *   of a key that s read before writing w2 do not return a version older than what s read.
 *
 * Terry et al. state the guarantees over the servers' write orders, which a client history does
 * not show. Here "v is older than f" means v is the initial value, or v ≠ f and v causally
 * precedes f (v <CO f with CO = (PO ∪ WR)+, Bouajjani et al. 2017), the only order among writes
 * a client can prove. When PO ∪ WR is cyclic the order falls back to program order alone
 * (`versionOrder: "program"`). Simplifications: MW and WFR are not transitive across sessions
 * (as in Terry et al.); WFR compares with the *last* value s read of the key before w2.
 *
 * Linear in the history up to a factor S·log n (S sessions): 100,000 operations check in well
 * under a second.
 *
 * @example
 * ```ts
 * import { checkSessionGuarantees } from "@lab/checkers/mod.ts";
 * const result = checkSessionGuarantees([
 *   { type: "invoke", process: 0, f: "write", key: "x", value: 1, timeMs: 0 },
 *   { type: "ok", process: 0, f: "write", key: "x", value: 1, timeMs: 1 },
 *   { type: "invoke", process: 0, f: "read", key: "x", value: null, timeMs: 2 },
 *   { type: "ok", process: 0, f: "read", key: "x", value: null, timeMs: 3 },
 * ]);
 * console.log(result.guarantees["read-your-writes"].verdict); // "illegal"
 * ```
 * @module
 */
import type { History } from "../workload/history.ts";
import { computeClocks, lastIn, toRwHistory, witnessOps, WriteIndex } from "./_rw_history.ts";
import type { RwWitnessOp } from "./_rw_history.ts";

/** Terry et al.'s four guarantees. */
export type SessionGuarantee =
  | "read-your-writes"
  | "monotonic-reads"
  | "monotonic-writes"
  | "writes-follow-reads";

/** All four guarantees, in Terry et al.'s order. */
export const SESSION_GUARANTEES: readonly SessionGuarantee[] = [
  "read-your-writes",
  "monotonic-reads",
  "writes-follow-reads",
  "monotonic-writes",
];

/** One violation: a read that returned a version older than one the guarantee requires. */
export interface SessionWitness {
  /** The guarantee broken. */
  readonly guarantee: SessionGuarantee;
  /** The stale read (id). */
  readonly read: number;
  /** The write it had to see, or a newer one (id). */
  readonly required: number;
  /** The write it saw instead (id), or -1 for the initial value. */
  readonly returned: number;
  /** The operations that make the requirement: the stale read, the required write and why. */
  readonly operations: readonly RwWitnessOp[];
  /** Several lines. */
  readonly explanation: string;
}

/** The outcome for one guarantee. */
export interface GuaranteeResult {
  /** ok or illegal. */
  readonly verdict: "ok" | "illegal";
  /** Reads that broke the guarantee. */
  readonly violations: number;
  /** The first violation (in session order). */
  readonly witness?: SessionWitness;
}

/** The result of {@link checkSessionGuarantees}. */
export interface SessionResult {
  /** ok when every checked guarantee holds. */
  readonly verdict: "ok" | "illegal";
  /** One outcome per guarantee checked. */
  readonly guarantees: Readonly<Record<SessionGuarantee, GuaranteeResult>>;
  /** The version order used (see the module comment). */
  readonly versionOrder: "causal" | "program";
  /** Read and write operations checked. */
  readonly operations: number;
  /** One line per guarantee. */
  readonly explanation: string;
}

/**
 * Check Terry et al.'s session guarantees on a differentiated read/write history. Throws
 * {@link HistoryError} for a malformed or non-differentiated history.
 */
export function checkSessionGuarantees(history: History): SessionResult {
  const h = toRwHistory(history, { differentiated: true });
  const S = h.sessions.length;
  const n = h.ops.length;
  let versionOrder: "causal" | "program" = "causal";
  let c = computeClocks(h);
  if ("cycle" in c) {
    versionOrder = "program";
    c = computeClocks(h, undefined, false) as { clock: Int32Array; topo: Int32Array };
  }
  const clock = c.clock;
  const older = (v: number, f: number) =>
    v < 0 || (v !== f && clock[f * S + h.sessionOf[v]] >= h.ops[v].index);
  const writes = new WriteIndex(h, "write");
  const reads = new WriteIndex(h, "read");
  const found: Record<SessionGuarantee, { count: number; witness?: SessionWitness }> = {
    "read-your-writes": { count: 0 },
    "monotonic-reads": { count: 0 },
    "writes-follow-reads": { count: 0 },
    "monotonic-writes": { count: 0 },
  };
  const report = (
    g: SessionGuarantee,
    r: number,
    f: number,
    v: number,
    why: number[],
    text: string,
  ) => {
    const e = found[g];
    e.count++;
    if (e.witness) return;
    const operations = witnessOps(h, [f, v, ...why, r]);
    const lines = [
      `${g}: [${r}] ${text}`,
      ...operations.map((op) => `    [${op.id}] ${op.description}`),
    ];
    e.witness = {
      guarantee: g,
      read: r,
      required: f,
      returned: v,
      operations,
      explanation: lines.join("\n"),
    };
  };
  // Per session t: seen[s] = 1 + highest index of session s's writes that t has read; the read
  // that saw it is seenBy[s].
  const seen = new Int32Array(S);
  const seenBy = new Int32Array(S);
  for (let t = 0; t < S; t++) {
    seen.fill(0);
    const ownLast = new Map<string, number>();
    const floors = new Map<string, Map<number, [number, number]>>(); // key → session → [write, read]
    for (const id of h.sessions[t]) {
      const op = h.ops[id];
      if (op.kind === "write") {
        ownLast.set(op.key, id);
        continue;
      }
      const v = h.readsFrom[id];
      if (v === -2) continue; // a value nobody wrote: the causal checker reports ThinAirRead
      const own = ownLast.get(op.key);
      if (own !== undefined && older(v, own)) {
        // Stryker disable next-line ArrayDeclaration: equivalent — `why` only feeds witnessOps, which keeps ids ≥ 0, so an added non-number entry is dropped
        report("read-your-writes", id, own, v, [], "misses the session's own earlier write.");
      }
      const fl = floors.get(op.key);
      if (fl) {
        for (const [f, r0] of fl.values()) {
          if (older(v, f)) {
            report(
              "monotonic-reads",
              id,
              f,
              v,
              [r0],
              "returns an older version than [" + r0 +
                "], an earlier read of the session.",
            );
            break;
          }
        }
      }
      const wl = writes.forKey(op.key);
      const rl = reads.forKey(op.key)!;
      for (let s = 0; s < S; s++) {
        // Stryker disable next-line LogicalOperator: equivalent — seen[t] stays 0 (a session's own writes never raise it), and with seen[s] = 0 both lastIn lookups below get -2 and return -1
        if (s === t || seen[s] === 0) continue;
        const w1 = wl ? lastIn(wl[s], seen[s] - 2) : -1;
        if (w1 >= 0 && older(v, w1)) {
          const w2 = h.readsFrom[seenBy[s]];
          report(
            "monotonic-writes",
            id,
            w1,
            v,
            [seenBy[s], w2],
            `misses a write that ` +
              `p${h.processes[s]} made before [${w2}], which this session read at [${seenBy[s]}].`,
          );
        }
        const r1 = lastIn(rl[s], seen[s] - 2);
        const f = r1 >= 0 ? h.readsFrom[r1] : -1;
        if (f >= 0 && older(v, f)) {
          const w2 = h.readsFrom[seenBy[s]];
          report(
            "writes-follow-reads",
            id,
            f,
            v,
            [r1, seenBy[s], w2],
            `misses a write that ` +
              `p${h.processes[s]} read at [${r1}] before writing [${w2}], which this session ` +
              `read at [${seenBy[s]}].`,
          );
        }
      }
      if (v >= 0) {
        const s = h.sessionOf[v];
        let m = floors.get(op.key);
        if (!m) floors.set(op.key, m = new Map());
        const prev = m.get(s);
        if (!prev || h.ops[prev[0]].index < h.ops[v].index) m.set(s, [v, id]);
        if (s !== t && h.ops[v].index + 1 > seen[s]) {
          seen[s] = h.ops[v].index + 1;
          seenBy[s] = id;
        }
      }
    }
  }
  const guarantees = {} as Record<SessionGuarantee, GuaranteeResult>;
  for (const g of SESSION_GUARANTEES) {
    const e = found[g];
    guarantees[g] = {
      verdict: e.count > 0 ? "illegal" : "ok",
      violations: e.count,
      witness: e.witness,
    };
  }
  const bad = SESSION_GUARANTEES.filter((g) => found[g].count > 0);
  return {
    verdict: bad.length > 0 ? "illegal" : "ok",
    guarantees,
    versionOrder,
    operations: n,
    explanation: SESSION_GUARANTEES.map((g) =>
      found[g].count > 0
        ? `${g}: ${found[g].count} violation(s); first:\n${found[g].witness!.explanation}`
        : `${g}: ok`
    ).join("\n"),
  };
}
