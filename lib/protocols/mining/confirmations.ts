/**
 * How many confirmations make a payment safe: the attacker-success probabilities of Nakamoto's
 * "Bitcoin: A Peer-to-Peer Electronic Cash System" (2008), §11 "Calculations", and the exact form
 * that corrects its Poisson approximation (Rosenfeld, "Analysis of Hashrate-Based Double
 * Spending", 2014; Grunspan and Pérez-Marco, "Double spend races", 2017).
 *
 * Setting (§11): honest miners hold share p of the hash power, the attacker q = 1 − p. The
 * merchant's transaction enters an honest block; the attacker mines in private, from the
 * transaction's parent, a chain holding a conflicting transaction. The merchant waits until the
 * honest chain above that parent holds z blocks (z confirmations: the transaction's block and
 * z − 1 on top), then delivers. The attacker has k blocks at that moment.
 *
 * - Catch-up (§11, the gambler's ruin): from z blocks behind, the attacker ever reaches breakeven
 *   with probability q_z = 1 if p ≤ q, (q/p)^z if p > q.
 * - Nakamoto's approximation: k ~ Poisson(λ = z·q/p) ("assuming the honest blocks took the average
 *   expected time per block"), so P = 1 − Σ_{k=0..z} (λ^k e^{−λ}/k!)(1 − (q/p)^{z−k}).
 * - Exact: the honest chain's z blocks take a random time, so k counts attacker successes before
 *   the z-th honest success: negative binomial, P(k) = C(k+z−1, k) p^z q^k. Then
 *   P = 1 − Σ_{k=0..z} C(k+z−1, k) p^z q^k (1 − (q/p)^{z−k}), which equals Rosenfeld's
 *   1 − Σ_{m=0..z} C(m+z−1, m)(p^z q^m − p^m q^z) and Grunspan and Pérez-Marco's I_{4pq}(z, 1/2)
 *   (both checked numerically in the tests).
 *
 * "Catching up" in §11 is reaching breakeven (a tie). Under the longest-chain rule with first-seen
 * tie-breaking a tie does not yet reorganise the merchant's node: the attacker must overtake
 * (be one block longer). {@link attackerSuccess} offers both (`win: "tie" | "overtake"`); the
 * overtake variant replaces (q/p)^{z−k} by (q/p)^{z−k+1} and 1 by (q/p) at k = z.
 * @module
 */

/** How the attacker's progress during the z honest blocks is modelled. */
export type ProgressModel = "poisson" | "negativeBinomial";
/** What counts as the attacker winning: reaching the honest length (§11) or exceeding it. */
export type WinRule = "tie" | "overtake";

/**
 * Nakamoto §11: the probability that an attacker ever catches up from `deficit` blocks behind,
 * q_z = 1 if p ≤ q else (q/p)^z (the gambler's ruin with unlimited credit). A deficit ≤ 0 is 1.
 */
export function catchUpProbability(q: number, deficit: number): number {
  checkShare(q);
  const p = 1 - q;
  if (p <= q || deficit <= 0) return 1;
  return (q / p) ** deficit;
}

/**
 * The probability that the attacker reverses a payment after `z` confirmations.
 * Defaults (`progress: "poisson"`, `win: "tie"`) are Nakamoto's §11 formula and reproduce the
 * paper's table; `progress: "negativeBinomial"` is the exact value (Rosenfeld 2014; Grunspan and
 * Pérez-Marco 2017). Returns 1 when q ≥ p: a majority attacker always catches up (§11: "q_z = 1
 * if p ≤ q").
 * @example
 * ```ts
 * attackerSuccess(0.1, 5); // 0.0009137 (the paper's table)
 * attackerSuccess(0.1, 5, { progress: "negativeBinomial" }); // 0.0017818
 * ```
 */
export function attackerSuccess(
  q: number,
  z: number,
  options: { progress?: ProgressModel; win?: WinRule } = {},
): number {
  checkShare(q);
  if (!(Number.isInteger(z) && z >= 0)) {
    throw new RangeError(`confirmations z must be an integer ≥ 0, got ${z}`);
  }
  const p = 1 - q;
  if (q >= p) return 1;
  if (q === 0) return 0;
  const shift = (options.win ?? "tie") === "overtake" ? 1 : 0;
  const logPmf = progressLogPmf(q, z, options.progress ?? "poisson");
  // Σ_k P(k)·min(1, (q/p)^{z+shift−k}), summed term by term (no 1 − Σ cancellation), the tail
  // k > z + shift (where the attacker is already level or ahead) until it stops contributing.
  const logRatio = Math.log(q / p);
  let sum = 0;
  for (let k = 0;; k++) {
    const lp = logPmf(k);
    const deficit = z + shift - k;
    const term = Math.exp(lp + (deficit > 0 ? deficit * logRatio : 0));
    sum += term;
    if (deficit <= 0 && (term < 1e-18 * sum || !Number.isFinite(lp))) break;
    if (k > 100_000 + 100 * z) break;
  }
  return Math.min(1, sum);
}

/** log P(k attacker blocks while the honest chain grows z blocks), as a function of k. */
function progressLogPmf(q: number, z: number, model: ProgressModel): (k: number) => number {
  const p = 1 - q;
  if (model === "poisson") {
    const lambda = (z * q) / p;
    // λ = 0 at z = 0: all mass at k = 0.
    if (lambda === 0) return (k) => (k === 0 ? 0 : -Infinity);
    const logLambda = Math.log(lambda);
    let lastK = 0, last = -lambda;
    return (k) => {
      // Called with k = 0, 1, 2, ...: extend the running log-term.
      if (k === 0) return (lastK = 0, last = -lambda);
      while (lastK < k) last += logLambda - Math.log(++lastK);
      return last;
    };
  }
  if (z === 0) return (k) => (k === 0 ? 0 : -Infinity);
  const logP = Math.log(p), logQ = Math.log(q);
  let lastK = 0, last = z * logP;
  return (k) => {
    if (k === 0) return (lastK = 0, last = z * logP);
    // C(k+z−1, k) p^z q^k, built up from k−1: × (k+z−1)/k × q.
    while (lastK < k) {
      lastK++;
      last += Math.log((lastK + z - 1) / lastK) + logQ;
    }
    return last;
  };
}

/**
 * The smallest z with attacker success below `risk` (the paper's "Solving for P less than 0.1%"
 * table uses risk 0.001); undefined when q ≥ 0.5 (no z is enough) or none is found below `maxZ`.
 */
export function confirmationsForRisk(
  q: number,
  risk: number,
  options: { progress?: ProgressModel; win?: WinRule; maxZ?: number } = {},
): number | undefined {
  checkShare(q);
  if (q >= 0.5) return undefined;
  const maxZ = options.maxZ ?? 20_000;
  // P(z) decreases in z for q < p: bracket by doubling, then bisect.
  const f = (z: number) => attackerSuccess(q, z, options);
  if (f(0) < risk) return 0;
  let hi = 1;
  while (f(hi) >= risk) {
    if (hi >= maxZ) return undefined;
    hi = Math.min(maxZ, hi * 2);
  }
  let lo = Math.floor(hi / 2);
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (f(mid) < risk) hi = mid;
    else lo = mid;
  }
  return hi;
}

/**
 * Nakamoto's §11 table, as printed (P to 7 decimals), for q = 0.1 (z = 0..10) and q = 0.3
 * (z = 0..50 step 5), and his "P < 0.001" table of z against q.
 */
export const NAKAMOTO_TABLE: {
  readonly attackerSuccess: readonly {
    readonly q: number;
    readonly z: number;
    readonly P: number;
  }[];
  readonly riskBelow0001: readonly { readonly q: number; readonly z: number }[];
} = {
  attackerSuccess: [
    ...[
      1.0,
      0.2045873,
      0.0509779,
      0.0131722,
      0.0034552,
      0.0009137,
      0.0002428,
      0.0000647,
      0.0000173,
      0.0000046,
      0.0000012,
    ].map((P, z) => ({ q: 0.1, z, P })),
    ...[
      1.0,
      0.1773523,
      0.0416605,
      0.0101008,
      0.0024804,
      0.0006132,
      0.0001522,
      0.0000379,
      0.0000095,
      0.0000024,
      0.0000006,
    ].map((P, i) => ({ q: 0.3, z: 5 * i, P })),
  ],
  riskBelow0001: [
    { q: 0.10, z: 5 },
    { q: 0.15, z: 8 },
    { q: 0.20, z: 11 },
    { q: 0.25, z: 15 },
    { q: 0.30, z: 24 },
    { q: 0.35, z: 41 },
    { q: 0.40, z: 89 },
    { q: 0.45, z: 340 },
  ],
};

function checkShare(q: number): void {
  if (!(q >= 0 && q <= 1)) throw new RangeError(`attacker share q must lie in [0, 1], got ${q}`);
}
