/**
 * Why BFT needs n ≥ 3f + 1, checked by enumeration rather than asserted: every pair of quorums of
 * size q among n replicas shares at least 2q − n of them, and the bound is reached; safety needs
 * that overlap to hold an honest replica (2q − n ≥ f + 1), liveness needs a quorum to exist with f
 * replicas silent (q ≤ n − f). Both at once: 2(n − f) − n ≥ f + 1, i.e. n ≥ 3f + 1 (Castro and
 * Liskov, OSDI 1999, §2 and §4; Bracha and Toueg 1985 for the bound on asynchronous Byzantine
 * agreement).
 * @module
 */
import { type Claim, claim } from "./claims.ts";

/** One row of the quorum-intersection table. */
export interface QuorumRow {
  /** Replicas. */
  readonly n: number;
  /** Byzantine replicas assumed. */
  readonly f: number;
  /** Quorum size examined. */
  readonly q: number;
  /** Pairs of quorums enumerated (ordered, with repetition). */
  readonly pairs: number;
  /** Smallest overlap found by enumeration. */
  readonly minOverlap: number;
  /** The closed form 2q − n (at least 0). */
  readonly bound: number;
  /** Whether the smallest overlap always holds an honest replica (≥ f + 1). */
  readonly safe: boolean;
  /** Whether a quorum can form with f replicas silent (q ≤ n − f). */
  readonly live: boolean;
  /** Two quorums that reach the smallest overlap. */
  readonly witness: readonly [readonly number[], readonly number[]];
}

/** Every subset of {0..n−1} of size k, as bit masks (n ≤ 20). */
function subsets(n: number, k: number): number[] {
  const out: number[] = [];
  for (let m = 0; m < 1 << n; m++) {
    let c = 0;
    for (let x = m; x; x &= x - 1) c++;
    if (c === k) out.push(m);
  }
  return out;
}

function popcount(x: number): number {
  let c = 0;
  for (; x; x &= x - 1) c++;
  return c;
}

function members(mask: number, n: number): number[] {
  return Array.from({ length: n }, (_, i) => i).filter((i) => mask & (1 << i));
}

/**
 * Enumerate every pair of quorums of size `q` among `n` replicas (n ≤ 14) and return the smallest
 * overlap with a witness pair.
 * @example
 * ```ts
 * quorumOverlap(4, 1, 3).minOverlap; // 2 = f + 1: safe
 * quorumOverlap(3, 1, 2).minOverlap; // 1 = f: the overlap may be the traitor alone
 * ```
 */
export function quorumOverlap(n: number, f: number, q: number): QuorumRow {
  if (!(n >= 1 && n <= 14 && q >= 1 && q <= n && f >= 0)) {
    throw new RangeError(`quorumOverlap needs 1 ≤ q ≤ n ≤ 14 and f ≥ 0, got n=${n} q=${q} f=${f}`);
  }
  const qs = subsets(n, q);
  let min = Infinity;
  let witness: [number, number] = [qs[0], qs[0]];
  for (const a of qs) {
    for (const b of qs) {
      const o = popcount(a & b);
      if (o < min) [min, witness] = [o, [a, b]];
    }
  }
  return {
    n,
    f,
    q,
    pairs: qs.length * qs.length,
    minOverlap: min,
    bound: Math.max(0, 2 * q - n),
    safe: min >= f + 1,
    live: q <= n - f,
    witness: [members(witness[0], n), members(witness[1], n)],
  };
}

/**
 * For each n from 3 to `maxN` and f = ⌊(n − 1)/3⌋ and f = ⌈n/3⌉ (the smallest unsafe f), the
 * largest live quorum n − f examined by enumeration: safe exactly when n ≥ 3f + 1.
 */
export function quorumTable(maxN = 10): QuorumRow[] {
  const rows: QuorumRow[] = [];
  for (let n = 3; n <= maxN; n++) {
    for (const f of new Set([Math.floor((n - 1) / 3), Math.ceil(n / 3)])) {
      if (f < 1) continue;
      rows.push(quorumOverlap(n, f, n - f));
    }
  }
  return rows;
}

/**
 * Claims on the table: the enumerated minimum equals 2q − n, and the live quorum n − f is safe
 * exactly when n ≥ 3f + 1. `mistake` swaps the threshold for n ≥ 3f (tests show it fails).
 */
export function checkQuorumTable(
  rows: readonly QuorumRow[],
  mistake: "none" | "threshold3f" = "none",
): Claim[] {
  const threshold = (r: QuorumRow) =>
    mistake === "threshold3f" ? r.n >= 3 * r.f : r.n >= 3 * r.f + 1;
  const wrongBound = rows.filter((r) => r.minOverlap !== r.bound);
  const wrongSafe = rows.filter((r) => r.safe !== threshold(r));
  return [
    claim(
      "two quorums of q among n share at least 2q − n replicas, and some pair shares exactly that",
      wrongBound.length === 0,
      `${rows.length} (n, q) cases enumerated` +
        (wrongBound.length ? `; differs at n=${wrongBound[0].n} q=${wrongBound[0].q}` : ""),
    ),
    claim(
      "the largest live quorum n − f always overlaps in an honest replica exactly when n ≥ 3f + 1",
      wrongSafe.length === 0,
      wrongSafe.length
        ? `fails at n=${wrongSafe[0].n} f=${wrongSafe[0].f}: smallest overlap ${
          wrongSafe[0].minOverlap
        }`
        : `safe rows: ${rows.filter((r) => r.safe).map((r) => `${r.n}/${r.f}`).join(", ")}; ` +
          `unsafe: ${rows.filter((r) => !r.safe).map((r) => `${r.n}/${r.f}`).join(", ")} (n/f)`,
    ),
  ];
}

/** One cell of a quorum picture: is `replica` in `set` ("Q1", "Q2", "both")? */
export interface QuorumCell {
  /** The case drawn, e.g. "n = 4, f = 1, q = 3". */
  readonly case: string;
  /** "quorum 1", "quorum 2" or "overlap". */
  readonly set: string;
  /** Replica index as a label, e.g. "r0". */
  readonly replica: string;
  /** "member", "—" or, in the overlap row, "honest" / "may be Byzantine". */
  readonly role: string;
}

/**
 * Cells that draw the witness pair of each row: both quorums and their overlap, where the overlap
 * is marked "may be Byzantine" for its first f members (the worst case) and "honest" beyond.
 */
export function quorumPicture(rows: readonly QuorumRow[]): QuorumCell[] {
  const out: QuorumCell[] = [];
  for (const r of rows) {
    const label = `n = ${r.n}, f = ${r.f}, q = ${r.q}`;
    const [a, b] = r.witness;
    const both = a.filter((x) => b.includes(x));
    for (let i = 0; i < r.n; i++) {
      const replica = `r${i}`;
      out.push({ case: label, set: "quorum 1", replica, role: a.includes(i) ? "member" : "—" });
      out.push({ case: label, set: "quorum 2", replica, role: b.includes(i) ? "member" : "—" });
      const k = both.indexOf(i);
      out.push({
        case: label,
        set: "overlap",
        replica,
        role: k < 0 ? "—" : k < r.f ? "may be Byzantine" : "honest",
      });
    }
  }
  return out;
}
