/**
 * Deterministic decimation for large traces and histories: charts draw at most a few thousand
 * marks and say in their subtitle how many they dropped. No randomness: the same input always
 * gives the same picture.
 * @module
 */

/**
 * Pick at most `max` items at evenly spaced indices (a stride), keeping order and the first item.
 *
 * @example
 * ```ts
 * import { strideSample } from "@lab/viz/sampling.ts";
 * strideSample([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 5); // [0, 2, 4, 6, 8]
 * ```
 */
export function strideSample<T>(items: readonly T[], max: number): T[] {
  const n = items.length;
  const m = Math.max(0, Math.floor(max));
  if (n <= m) return items.slice();
  const out: T[] = [];
  for (let i = 0; i < m; i++) out.push(items[Math.floor((i * n) / m)]);
  return out;
}

/** Options of {@link decimate}. */
export interface DecimateOptions<T> {
  /**
   * Items worth keeping over the others (failures, drops, tail latencies). They get up to half
   * the budget (strided if there are more) before the rest is strided into what is left.
   * Default: none.
   */
  readonly keep?: (item: T) => boolean;
}

/** Result of {@link decimate}. */
export interface Decimated<T> {
  /** The chosen items, in input order. */
  readonly items: T[];
  /** How many items there were. */
  readonly total: number;
  /** How many preferred (`keep`) items there were, and how many of them were chosen. */
  readonly preferredTotal: number;
  /** How many preferred items were chosen. */
  readonly preferredShown: number;
}

/**
 * Cap `items` to `max` deterministically, favouring items for which `keep` holds.
 *
 * @example
 * ```ts
 * import { decimate } from "@lab/viz/sampling.ts";
 * const xs = Array.from({ length: 100 }, (_, i) => i);
 * const d = decimate(xs, 10, { keep: (x) => x === 97 });
 * d.items.includes(97); // true
 * ```
 */
export function decimate<T>(
  items: readonly T[],
  max: number,
  options: DecimateOptions<T> = {},
): Decimated<T> {
  const total = items.length;
  const keep = options.keep;
  if (total <= max) {
    const preferred = keep ? items.reduce((a, x) => a + (keep(x) ? 1 : 0), 0) : 0;
    return { items: items.slice(), total, preferredTotal: preferred, preferredShown: preferred };
  }
  if (!keep) {
    return { items: strideSample(items, max), total, preferredTotal: 0, preferredShown: 0 };
  }
  const preferredIdx: number[] = [];
  const otherIdx: number[] = [];
  for (let i = 0; i < total; i++) (keep(items[i]) ? preferredIdx : otherIdx).push(i);
  const prefBudget = Math.min(
    preferredIdx.length,
    Math.max(Math.floor(max / 2), max - otherIdx.length),
  );
  const chosenPref = strideSample(preferredIdx, prefBudget);
  const chosenOther = strideSample(otherIdx, max - chosenPref.length);
  const idx = mergeSorted(chosenPref, chosenOther);
  return {
    items: idx.map((i) => items[i]),
    total,
    preferredTotal: preferredIdx.length,
    preferredShown: chosenPref.length,
  };
}

function mergeSorted(a: readonly number[], b: readonly number[]): number[] {
  const out: number[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (j >= b.length || (i < a.length && a[i] < b[j])) out.push(a[i++]);
    else out.push(b[j++]);
  }
  return out;
}

/**
 * Indices of `m` evenly spaced ranks in 0..n-1, always including the first and the last (for
 * CDFs and quantile curves, where the ends matter).
 */
export function evenRanks(n: number, m: number): number[] {
  if (n <= 0) return [];
  if (m >= n) return Array.from({ length: n }, (_, i) => i);
  if (m <= 1) return [n - 1];
  const out: number[] = [];
  let last = -1;
  for (let k = 0; k < m; k++) {
    const i = Math.round((k * (n - 1)) / (m - 1));
    if (i !== last) out.push(i);
    last = i;
  }
  return out;
}
