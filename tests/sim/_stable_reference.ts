// The definition stableStringify documents, written independently of lib/sim/trace.ts, for tests
// that compare the library's stable JSON and digests with it.
/** The definition stableStringify documents: JSON of a copy with sorted keys, Maps/Sets as arrays. */
export function referenceStable(value: unknown): string {
  const norm = (v: unknown): unknown => {
    if (v === null || typeof v !== "object") {
      if (typeof v === "number" && !Number.isFinite(v)) return String(v);
      if (typeof v === "bigint") return `${v}n`;
      return v === undefined ? null : v;
    }
    if (Array.isArray(v)) return v.map(norm);
    if (v instanceof Map) return [...v.entries()].map(([k, x]) => [norm(k), norm(x)]);
    if (v instanceof Set) return [...v].map(norm);
    if (ArrayBuffer.isView(v)) return Array.from(v as unknown as ArrayLike<number>);
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) {
      const x = (v as Record<string, unknown>)[k];
      if (x !== undefined) out[k] = norm(x);
    }
    return out;
  };
  return JSON.stringify(norm(value));
}
