/** Canonical forms so equal CRDT states are equal as JSON. Private to the crdt folder. @module */

/** A sorted, duplicate-free copy of string elements. */
export function sortedUnique(items: Iterable<string>): string[] {
  return [...new Set(items)].sort(compareStrings);
}

/** Code-unit order (never locale-dependent). */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A record with keys in sorted order and zero entries dropped. */
export function sortedCounts(entries: Iterable<[string, number]>): Record<string, number> {
  const m = new Map<string, number>();
  for (const [k, v] of entries) if (v !== 0) m.set(k, v);
  return Object.fromEntries([...m.entries()].sort((a, b) => compareStrings(a[0], b[0])));
}

/** JSON with object keys sorted at every level, for equality of plain data. */
export function stableJson(x: unknown): string {
  if (x === undefined) return "null";
  if (x === null || typeof x !== "object") return JSON.stringify(x);
  if (Array.isArray(x)) return `[${x.map(stableJson).join(",")}]`;
  const keys = Object.keys(x).sort(compareStrings);
  const rec = x as Record<string, unknown>;
  return `{${keys.map((k) => `${JSON.stringify(k)}:${stableJson(rec[k])}`).join(",")}}`;
}

/** Whether every element of sorted-unique `a` is in `b`. */
export function isSubset(a: readonly string[], b: readonly string[]): boolean {
  const s = new Set(b);
  return a.every((x) => s.has(x));
}
