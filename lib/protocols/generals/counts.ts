/**
 * Message counts predicted for loyal runs, set beside what the simulator measures.
 * @module
 */

/**
 * Messages OM(m) sends with n generals, from the algorithm's definition (§3): the commander sends
 * n − 1 orders, then each of the n − 1 lieutenants acts as commander of OM(m − 1) among n − 1
 * generals. M(n, 0) = n − 1; M(n, m) = (n − 1) + (n − 1)·M(n − 1, m − 1).
 */
export function omMessageCount(n: number, m: number): number {
  if (m === 0) return n - 1;
  return (n - 1) + (n - 1) * omMessageCount(n - 1, m - 1);
}

/**
 * The same count unrolled: round k + 1 (k = 0..m) sends (n − 1)(n − 2)···(n − 1 − k) messages,
 * one per path of k relayers and recipient; OM(m) sends the sum over its m + 1 rounds.
 */
export function omMessageCountClosed(n: number, m: number): number {
  let total = 0, term = 1;
  for (let k = 0; k <= m; k++) {
    term *= n - 1 - k;
    total += term;
  }
  return total;
}

/**
 * Messages SM(m) sends when every general is loyal: the commander's n − 1 signed orders, then (for
 * m ≥ 1) each lieutenant relays the one value it learns once, to the n − 2 other lieutenants
 * (§4: a value already in V_i is not relayed again). So n − 1 for m = 0 and (n − 1)² for m ≥ 1.
 * Verified against the simulator in the tests; with a traitor the count differs.
 */
export function smLoyalMessageCount(n: number, m: number): number {
  return m === 0 ? n - 1 : (n - 1) + (n - 1) * (n - 2);
}
