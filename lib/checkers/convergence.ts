/**
 * Convergence, the safety half of eventual consistency (Terry et al. 1995; Shapiro et al. 2011's
 * strong eventual consistency): once updates stop and every replica has received every update,
 * all replicas hold the same state. Two checks:
 *
 * - {@link checkConvergence} compares replicas' final states (e.g. `inspect()` snapshots taken
 *   after the network healed and anti-entropy ran) key by key;
 * - {@link checkQuiescentReads} reads a client history: every read of a key invoked at or after
 *   `quiescentAtMs` (no write in flight, all healed) must return the same value, whichever
 *   replica served it.
 *
 * Both are linear in the input (a canonical string per value; plain objects compare with their
 * keys sorted, Maps and Sets by sorted entries).
 *
 * @example
 * ```ts
 * import { checkConvergence } from "@lab/checkers/mod.ts";
 * const r = checkConvergence([
 *   { replica: "n1", state: { x: 1, y: 2 } },
 *   { replica: "n2", state: { x: 1, y: 3 } },
 * ]);
 * console.log(r.verdict, r.witness?.key); // "illegal" "y"
 * ```
 * @module
 */
import type { History } from "../workload/history.ts";
import { toRwHistory, witnessOps } from "./_rw_history.ts";
import type { RwWitnessOp } from "./_rw_history.ts";
import { showValue } from "./_lin_models.ts";

/** One replica's final state: a map from key to value (a missing key is "absent"). */
export interface ReplicaSnapshot {
  /** The replica's name. */
  readonly replica: string;
  /** Its state. */
  readonly state: ReadonlyMap<string, unknown> | Readonly<Record<string, unknown>>;
}

/** Where replicas disagree: one key and the replicas grouped by the value they hold. */
export interface ConvergenceWitness {
  /** The first key (in sorted order) on which the replicas differ. */
  readonly key: string;
  /** Each distinct value with the replicas holding it (`undefined`: the key is absent). */
  readonly groups: readonly { readonly value: unknown; readonly replicas: readonly string[] }[];
  /** Several lines. */
  readonly explanation: string;
}

/** The result of {@link checkConvergence}. */
export interface ConvergenceResult {
  /** ok: every replica holds the same state. */
  readonly verdict: "ok" | "illegal";
  /** Replicas compared. */
  readonly replicas: number;
  /** Keys compared (the union over replicas). */
  readonly keys: number;
  /** Keys on which the replicas differ. */
  readonly divergentKeys: readonly string[];
  /** The first divergent key, when illegal. */
  readonly witness?: ConvergenceWitness;
  /** One or more lines. */
  readonly explanation: string;
}

/**
 * A canonical string for any plain value: equal values, equal strings, and different values,
 * different strings (a string or a symbol's description is quoted as JSON, so no text inside it
 * can pass for the separators of an array, set or map around it).
 */
export function canonicalValue(v: unknown): string {
  if (v === undefined) return "absent";
  if (typeof v === "string" || typeof v === "symbol") {
    // Stryker disable next-line StringLiteral: equivalent — without ":" a string or symbol still reads `string"…"` / `symbol"…"` (its JSON text ends at the closing quote), a form no other value's canonical string takes
    return typeof v + ":" + JSON.stringify(String(v));
  }
  if (v === null || typeof v !== "object") return typeof v + ":" + String(v);
  if (Array.isArray(v)) return "[" + v.map(canonicalValue).join(",") + "]";
  if (v instanceof Set) return "#{" + [...v].map(canonicalValue).sort().join(",") + "}";
  if (v instanceof Map) {
    return "{" + [...v].map(([k, x]) => canonicalValue(k) + "=" + canonicalValue(x)).sort()
      .join(",") +
      "}";
  }
  const o = v as Record<string, unknown>;
  return "{" + Object.keys(o).sort().map((k) => JSON.stringify(k) + ":" + canonicalValue(o[k]))
    .join(",") +
    "}";
}

function entries(s: ReplicaSnapshot["state"]): [string, unknown][] {
  return s instanceof Map ? [...s] : Object.entries(s as Record<string, unknown>);
}

/** Compare replicas' final states key by key. */
export function checkConvergence(snapshots: readonly ReplicaSnapshot[]): ConvergenceResult {
  const maps = snapshots.map((s, i) => {
    if (s === null || typeof s !== "object" || typeof s.replica !== "string") {
      throw new TypeError(`snapshots[${i}].replica: expected a string`);
    }
    if (s.state === null || typeof s.state !== "object") {
      throw new TypeError(`snapshots[${i}].state: expected a Map or an object`);
    }
    return new Map(entries(s.state));
  });
  const keys = [...new Set(maps.flatMap((m) => [...m.keys()]))].sort();
  const divergent: string[] = [];
  let witness: ConvergenceWitness | undefined;
  for (const key of keys) {
    const groups = new Map<string, { value: unknown; replicas: string[] }>();
    maps.forEach((m, i) => {
      const v = m.get(key);
      const c = canonicalValue(v);
      const g = groups.get(c);
      if (g) g.replicas.push(snapshots[i].replica);
      else groups.set(c, { value: v, replicas: [snapshots[i].replica] });
    });
    if (groups.size <= 1) continue;
    divergent.push(key);
    if (!witness) {
      const gs = [...groups.values()];
      witness = {
        key,
        groups: gs,
        explanation: [
          `replicas disagree on key ${JSON.stringify(key)}:`,
          ...gs.map((g) =>
            `    ${g.value === undefined ? "absent" : showValue(g.value)}: ${g.replicas.join(", ")}`
          ),
        ].join("\n"),
      };
    }
  }
  return {
    verdict: witness ? "illegal" : "ok",
    replicas: snapshots.length,
    keys: keys.length,
    divergentKeys: divergent,
    witness,
    explanation: witness
      ? `not converged: ${divergent.length} of ${keys.length} key(s) differ; first:\n` +
        witness.explanation
      : `converged: ${snapshots.length} replicas agree on ${keys.length} key(s).`,
  };
}

/** Options of {@link checkQuiescentReads}. */
export interface QuiescentReadsOptions {
  /** Reads invoked at or after this time must agree. Required. */
  readonly quiescentAtMs: number;
}

/** Two reads of one key, after quiescence, that returned different values. */
export interface QuiescentReadsWitness {
  /** The key. */
  readonly key: string;
  /** The two reads (the first read of the key after quiescence, and the first that differs). */
  readonly operations: readonly RwWitnessOp[];
  /** Several lines. */
  readonly explanation: string;
}

/** The result of {@link checkQuiescentReads}. */
export interface QuiescentReadsResult {
  /** ok: every key's reads after quiescence agree. */
  readonly verdict: "ok" | "illegal";
  /** Reads checked (invoked at or after `quiescentAtMs`). */
  readonly reads: number;
  /** Keys read after quiescence. */
  readonly keys: number;
  /** Keys whose reads disagree. */
  readonly divergentKeys: readonly string[];
  /** Present when illegal. */
  readonly witness?: QuiescentReadsWitness;
  /** One or more lines. */
  readonly explanation: string;
  /** Writes invoked at or after `quiescentAtMs` (quiescence assumed none; reported, not judged). */
  readonly writesAfterQuiescence: number;
}

/** Check that reads after quiescence agree per key. Throws HistoryError for bad input. */
export function checkQuiescentReads(
  history: History,
  options: QuiescentReadsOptions,
): QuiescentReadsResult {
  if (typeof options?.quiescentAtMs !== "number" || Number.isNaN(options.quiescentAtMs)) {
    throw new TypeError("options.quiescentAtMs: expected a number (ms)");
  }
  const h = toRwHistory(history);
  const first = new Map<string, number>();
  const divergent: string[] = [];
  const bad = new Set<string>();
  let witness: QuiescentReadsWitness | undefined;
  let reads = 0;
  let writes = 0;
  const late = h.ops.filter((op) => op.invokeMs >= options.quiescentAtMs);
  late.sort((a, b) => a.invokeIndex - b.invokeIndex);
  for (const op of late) {
    if (op.kind === "write") {
      writes++;
      continue;
    }
    reads++;
    const f = first.get(op.key);
    if (f === undefined) {
      first.set(op.key, op.id);
      continue;
    }
    if (canonicalValue(h.ops[f].value) === canonicalValue(op.value) || bad.has(op.key)) continue;
    bad.add(op.key);
    divergent.push(op.key);
    if (!witness) {
      const operations = witnessOps(h, [f, op.id]);
      witness = {
        key: op.key,
        operations,
        explanation: [
          `reads of key ${JSON.stringify(op.key)} after quiescence (t ≥ ${options.quiescentAtMs} ` +
          "ms) disagree:",
          ...operations.map((o) =>
            `    [${o.id}] ${o.description}${o.node ? ` at ${o.node}` : ""} (t=${o.invokeMs})`
          ),
        ].join("\n"),
      };
    }
  }
  return {
    verdict: witness ? "illegal" : "ok",
    reads,
    keys: first.size,
    divergentKeys: divergent,
    witness,
    writesAfterQuiescence: writes,
    explanation: witness
      ? `not converged: ${divergent.length} key(s) read differently after quiescence; first:\n` +
        witness.explanation
      : `converged: ${reads} reads of ${first.size} key(s) after quiescence agree.`,
  };
}
