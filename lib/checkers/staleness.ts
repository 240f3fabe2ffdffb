/**
 * Staleness of reads, as Bailis, Venkataraman, Franklin, Hellerstein and Stoica measure it in
 * "Probabilistically Bounded Staleness for practical partial quorums" (VLDB 2012):
 *
 * - k-staleness: a read returns one of the k latest committed versions. A read's
 *   `versionsBehind` counts the writes of its key that completed before the read was invoked and
 *   come after the version it returned; the read is k-stale-consistent when versionsBehind < k.
 * - t-visibility: a read invoked t ms or more after a write completed returns that write or a
 *   newer one. A stale read's `lagMs` is the time from the completion of the oldest version it
 *   missed to its invocation; the history is t-visible for every t > max lagMs.
 *
 * The version order of a key is the order in which its writes completed (PBS assumes writes of a
 * key do not overlap). Writes with unknown outcome have no place in it: reads of their values
 * are counted in `unorderedReads` and not judged; reads of values nobody wrote are counted in
 * `thinAirReads`. Cost O(n log n).
 *
 * @example
 * ```ts
 * import { checkStaleness } from "@lab/checkers/mod.ts";
 * const e = (type: "invoke" | "ok", process: number, f: string, value: unknown, t: number) =>
 *   ({ type, process, f, value, timeMs: t });
 * const r = checkStaleness([
 *   e("invoke", 0, "write", 1, 0), e("ok", 0, "write", 1, 1),
 *   e("invoke", 1, "read", null, 5), e("ok", 1, "read", null, 6),
 * ], { k: 1 });
 * console.log(r.verdict, r.maxVersionsBehind, r.maxLagMs); // "illegal" 1 4
 * ```
 * @module
 */
import type { History } from "../workload/history.ts";
import { toRwHistory, valueKey, witnessOps } from "./_rw_history.ts";
import type { RwWitnessOp } from "./_rw_history.ts";

/** Options of {@link checkStaleness}: the bounds to judge against (none: only measure). */
export interface StalenessOptions {
  /** Every read must return one of the k latest versions (k ≥ 1). Default: not judged. */
  readonly k?: number;
  /** Every read must see every write that completed at least tMs before it. Default: not judged. */
  readonly tMs?: number;
}

/** The staleness of one read. */
export interface ReadStaleness {
  /** Op id (see the witness operations). */
  readonly read: number;
  /** The key read. */
  readonly key: string;
  /** Invocation time. */
  readonly invokeMs: number;
  /** Committed versions newer than the one returned. */
  readonly versionsBehind: number;
  /** 0 when fresh; else invokeMs minus the completion of the oldest missed version. */
  readonly lagMs: number;
}

/** A read that breaks the bound. */
export interface StalenessWitness {
  /** The read, the version it returned and the versions it missed. */
  readonly operations: readonly RwWitnessOp[];
  /** The read's measure. */
  readonly staleness: ReadStaleness;
  /** Which bound it breaks. */
  readonly breaks: readonly ("k" | "t")[];
  /** Several lines. */
  readonly explanation: string;
}

/** The result of {@link checkStaleness}. */
export interface StalenessResult {
  /** ok when every judged read meets the given bounds (always ok without bounds). */
  readonly verdict: "ok" | "illegal";
  /** Reads measured. */
  readonly reads: number;
  /** Reads with versionsBehind > 0. */
  readonly staleReads: number;
  /** The largest versionsBehind (the history is k-stale-consistent for k = this + 1). */
  readonly maxVersionsBehind: number;
  /** The largest lagMs (the history is t-visible for t > this). */
  readonly maxLagMs: number;
  /** `histogram[v]` = reads with versionsBehind = v. */
  readonly histogram: readonly number[];
  /** Every measured read, in history order. */
  readonly perRead: readonly ReadStaleness[];
  /** Reads of writes with unknown outcome (not judged). */
  readonly unorderedReads: number;
  /** Reads of values nobody wrote (not judged). */
  readonly thinAirReads: number;
  /** The first read (history order) breaking a bound. */
  readonly witness?: StalenessWitness;
  /** One or more lines. */
  readonly explanation: string;
}

/** Measure k-staleness and t-visibility of every read, and judge them against the bounds. */
export function checkStaleness(history: History, options: StalenessOptions = {}): StalenessResult {
  if (options.k !== undefined && !(Number.isInteger(options.k) && options.k >= 1)) {
    throw new RangeError(`options.k: expected an integer ≥ 1, got ${options.k}`);
  }
  if (options.tMs !== undefined && !(options.tMs >= 0)) {
    throw new RangeError(`options.tMs: expected a number ≥ 0, got ${options.tMs}`);
  }
  const h = toRwHistory(history);
  const byKey = new Map<string, { ids: number[]; done: number[] }>();
  const ops = [...h.ops].filter((op) => op.kind === "write" && op.status === "ok");
  ops.sort((a, b) => a.completeMs - b.completeMs || a.invokeIndex - b.invokeIndex);
  const position = new Map<string, number>(); // key + value → version position
  for (const w of ops) {
    let e = byKey.get(w.key);
    if (!e) byKey.set(w.key, e = { ids: [], done: [] });
    position.set(w.key + "\u0000" + valueKey(w.value), e.ids.length);
    e.ids.push(w.id);
    e.done.push(w.completeMs);
  }
  const reads = h.ops.filter((op) => op.kind === "read");
  reads.sort((a, b) => a.invokeIndex - b.invokeIndex);
  const perRead: ReadStaleness[] = [];
  const histogram: number[] = [];
  let unordered = 0;
  let thinAir = 0;
  let stale = 0;
  let maxBehind = 0;
  let maxLag = 0;
  let witness: StalenessWitness | undefined;
  for (const r of reads) {
    const e = byKey.get(r.key);
    let pos = -1;
    if (r.value !== null) {
      const p = position.get(r.key + "\u0000" + valueKey(r.value));
      if (p === undefined) {
        if (h.readsFrom[r.id] >= 0) unordered++;
        else thinAir++;
        continue;
      }
      pos = p;
    }
    // Writes of the key completed strictly before the read was invoked: a prefix of the order.
    let lo = 0;
    let hi = e ? e.done.length : 0;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (e!.done[mid] < r.invokeMs) lo = mid + 1;
      else hi = mid;
    }
    const behind = Math.max(0, lo - (pos + 1));
    const lagMs = behind > 0 ? r.invokeMs - e!.done[pos + 1] : 0;
    const m: ReadStaleness = {
      read: r.id,
      key: r.key,
      invokeMs: r.invokeMs,
      versionsBehind: behind,
      lagMs,
    };
    perRead.push(m);
    histogram[behind] = (histogram[behind] ?? 0) + 1;
    if (behind > 0) stale++;
    if (behind > maxBehind) maxBehind = behind;
    if (lagMs > maxLag) maxLag = lagMs;
    const breaks: ("k" | "t")[] = [];
    if (options.k !== undefined && behind >= options.k) breaks.push("k");
    if (options.tMs !== undefined && behind > 0 && lagMs >= options.tMs) breaks.push("t");
    if (breaks.length > 0 && !witness) {
      const missed = e!.ids.slice(pos + 1, lo);
      const src = pos >= 0 ? [e!.ids[pos]] : [];
      const operations = witnessOps(h, [...src, ...missed, r.id]);
      witness = {
        operations,
        staleness: m,
        breaks,
        explanation: [
          `[${r.id}] returns a version ${behind} behind (missed ${missed.length} completed ` +
          `write(s), the oldest completed ${lagMs} ms before the read)` +
          (breaks.includes("k") ? `; k = ${options.k}` : "") +
          (breaks.includes("t") ? `; t = ${options.tMs} ms` : "") + ":",
          ...operations.map((o) =>
            `    [${o.id}] ${o.description} (${o.invokeMs}–${o.completeMs} ms)`
          ),
        ].join("\n"),
      };
    }
  }
  for (let i = 0; i < histogram.length; i++) histogram[i] ??= 0;
  const summary = `${perRead.length} reads, ${stale} stale; k-stale-consistent for k = ` +
    `${maxBehind + 1}, t-visible for t > ${maxLag} ms`;
  return {
    verdict: witness ? "illegal" : "ok",
    reads: perRead.length,
    staleReads: stale,
    maxVersionsBehind: maxBehind,
    maxLagMs: maxLag,
    histogram,
    perRead,
    unorderedReads: unordered,
    thinAirReads: thinAir,
    witness,
    explanation: witness
      ? `${summary}. First read past the bound:\n${witness.explanation}`
      : summary + ".",
  };
}
