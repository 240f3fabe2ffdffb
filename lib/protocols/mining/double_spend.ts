/**
 * A private-chain double-spend race on the shared block tree (Nakamoto 2008, §11), simulated trial
 * by trial so its success rate can be set beside the formulas of ./confirmations.ts.
 *
 * One trial: honest miners (share p) and the attacker (share q = 1 − p) find blocks as two
 * independent Poisson processes (rates p/T and q/T). The merchant's transaction goes into the first
 * honest block, on top of block B (the merchant's tip when the race starts). At the same moment the attacker starts mining in
 * private on B, its first block holding a conflicting transaction. The merchant's node (one
 * {@link ChainView}, longest chain, first-seen on ties; the honest miners share it, so the honest
 * network has no internal forks) accepts when the transaction's block has z confirmations. From
 * then on the attacker publishes as soon as its branch is strictly longer than the honest one: the
 * merchant's view reorganises by itself and the trial counts a reversal when the transaction's
 * block has left the main chain. The trial also records whether the attacker ever drew level
 * (a tie: Nakamoto's "catch up", which first-seen does not yet reorganise), so one run measures
 * both variants of ./confirmations.ts.
 *
 * The attacker gives up when it falls so far behind that (q/p)^deficit < `giveUpRisk` (default
 * 1e−9): a bias of at most that much per trial, stated in the result. A per-trial block horizon
 * stops runaway trials; hitting it is reported, never silently counted.
 * @module
 */
import { z } from "zod";
import { BlockStore, ChainView } from "../../chain/mod.ts";
import { parseConfig } from "../../sim/errors.ts";
import type { Rng } from "../../sim/rng.ts";

/** zod schema of {@link simulateDoubleSpend}'s options. */
export const DoubleSpendOptionsSchema = z.object({
  /** The attacker's share q of the hash power, 0 < q < 0.5 (q ≥ 0.5 always wins: nothing to race). */
  attackerShare: z.number().gt(0).lt(0.5, {
    message: "must be < 0.5: with q ≥ p the attacker catches up with probability 1 (Nakamoto §11)",
  }),
  /** Confirmations z the merchant waits for (the transaction's block counts as the first). */
  confirmations: z.number().int().min(0).max(10_000),
  /** Independent races. */
  trials: z.number().int().min(1),
  /** Mean block interval T of the whole network, ms (default 600 000: Bitcoin's ten minutes). */
  blockIntervalMs: z.number().gt(0).default(600_000),
  /** The attacker abandons a race it can win with probability below this (default 1e−9). */
  giveUpRisk: z.number().gt(0).lt(1).default(1e-9),
  /** Blocks per trial after which the race stops undecided (default 1 000 000). */
  maxBlocksPerTrial: z.number().int().min(1).default(1_000_000),
  /**
   * Mutation switch for tests (default false): count a tie as a reversal. Wrong under first-seen
   * tie-breaking (the merchant's node keeps its chain on a tie), so the overtake rate it reports
   * must fail against the overtake formula.
   */
  countTieAsWin: z.boolean().default(false),
});

/** Options of {@link simulateDoubleSpend} as given (defaults filled in by parsing). */
export type DoubleSpendOptionsInput = z.input<typeof DoubleSpendOptionsSchema>;
/** Parsed options of {@link simulateDoubleSpend}. */
export type DoubleSpendOptions = z.output<typeof DoubleSpendOptionsSchema>;

/** What {@link simulateDoubleSpend} measured. */
export interface DoubleSpendResult {
  /** Races run. */
  readonly trials: number;
  /** Races where the attacker's branch reached the honest length after acceptance (§11's catch-up). */
  readonly tieWins: number;
  /** Races where the merchant's view reorganised the transaction away (strictly longer branch). */
  readonly overtakeWins: number;
  /** Races the attacker abandoned (deficit past the give-up point). */
  readonly giveUps: number;
  /** Races stopped by the per-trial block horizon, undecided. */
  readonly horizonHits: number;
  /** Blocks the attacker held when the merchant accepted, summed over trials (mean = this / trials). */
  readonly attackerBlocksAtAcceptance: number;
  /** Deepest reorg the merchant's view went through. */
  readonly maxReorgDepth: number;
  /** Blocks mined over all trials. */
  readonly blocks: number;
  /** The deficit at which the attacker gives up. */
  readonly giveUpDeficit: number;
}

/** Parse double-spend options, or throw a ConfigError naming the bad field. */
export function parseDoubleSpendOptions(input: unknown): DoubleSpendOptions {
  return parseConfig(DoubleSpendOptionsSchema, input, "double-spend options");
}

/**
 * Run `trials` double-spend races drawing from `rng` (one stream for all trials, in order).
 * @example
 * ```ts
 * const r = simulateDoubleSpend({ attackerShare: 0.3, confirmations: 5, trials: 10_000 }, new Rng(1));
 * r.tieWins / r.trials; // ≈ 0.198 (exact) — Nakamoto's Poisson form says 0.177
 * ```
 */
export function simulateDoubleSpend(input: DoubleSpendOptionsInput, rng: Rng): DoubleSpendResult {
  const o = parseDoubleSpendOptions(input);
  const q = o.attackerShare, p = 1 - q, z = o.confirmations;
  const honestMean = o.blockIntervalMs / p, attackerMean = o.blockIntervalMs / q;
  const giveUpDeficit = Math.max(1, Math.ceil(Math.log(o.giveUpRisk) / Math.log(q / p)));
  let tieWins = 0, overtakeWins = 0, giveUps = 0, horizonHits = 0, atAcceptance = 0;
  let maxReorgDepth = 0, blocks = 0;

  // Races run back to back on one chain: each starts from the merchant's current tip (a race
  // leaves either the honest chain or the attacker's branch as the main chain; by memorylessness
  // the next race is independent of it). A fresh store every ~200 000 blocks bounds memory.
  let store = new BlockStore({ capacity: 1 << 14 });
  let merchant = new ChainView(store, "longest");
  let now = 0;
  for (let trial = 0; trial < o.trials; trial++) {
    if (store.size > 200_000) {
      store = new BlockStore({ capacity: 1 << 14 });
      merchant = new ChainView(store, "longest");
    }
    const base = merchant.tip; // B: the transaction's parent
    let txBlock = -1;
    let attackerTip = base;
    const attackerPublished: number[] = [];
    let tHonest = now + rng.exponential(honestMean);
    let tAttacker = now + rng.exponential(attackerMean);
    let accepted = z === 0; // z = 0: the merchant delivers on seeing the transaction
    let tied = accepted; // z = 0: both branches are empty, already level
    let outcome: "overtake" | "giveUp" | "horizon" | undefined;
    for (let n = 0; outcome === undefined; n++) {
      if (n >= o.maxBlocksPerTrial) {
        outcome = "horizon";
        break;
      }
      if (tHonest <= tAttacker) {
        const id = store.add({
          parent: merchant.tip,
          producer: "honest",
          sizeBytes: 0,
          timeMs: tHonest,
          txs: txBlock < 0 ? 1 : 0,
          payload: txBlock < 0 ? "pay merchant" : undefined,
        });
        merchant.receive(id);
        if (txBlock < 0) txBlock = id;
        tHonest += rng.exponential(honestMean);
      } else {
        attackerTip = store.add({
          parent: attackerTip,
          producer: "attacker",
          sizeBytes: 0,
          timeMs: tAttacker,
          txs: attackerTip === base ? 1 : 0,
          payload: attackerTip === base ? "pay attacker" : undefined,
        });
        attackerPublished.push(attackerTip);
        tAttacker += rng.exponential(attackerMean);
      }
      blocks++;
      const honestLen = store.height(merchant.tip) - store.height(base);
      const attackerLen = store.height(attackerTip) - store.height(base);
      if (!accepted && txBlock >= 0 && merchant.confirmations(txBlock) >= z) {
        accepted = true;
        atAcceptance += attackerLen;
      }
      if (!accepted) continue;
      if (attackerLen >= honestLen) tied = true;
      // The attacker publishes once its branch would win the merchant's fork choice.
      if (attackerLen > honestLen || (o.countTieAsWin && attackerLen >= honestLen)) {
        for (const id of attackerPublished) {
          const r = merchant.receive(id);
          if (r.reorg) maxReorgDepth = Math.max(maxReorgDepth, r.reorg.depth);
        }
        attackerPublished.length = 0;
        // Reorg by the fork choice itself, or (mutation) a tie counted as a reversal.
        // (z = 0 and no honest block yet: the transaction can no longer be mined at all.)
        if (txBlock < 0 || !merchant.onMainChain(txBlock) || o.countTieAsWin) outcome = "overtake";
      } else if (honestLen - attackerLen >= giveUpDeficit) outcome = "giveUp";
    }
    now = Math.max(store.timeMs(merchant.tip), store.timeMs(attackerTip));
    if (tied) tieWins++;
    if (outcome === "overtake") overtakeWins++;
    else if (outcome === "giveUp") giveUps++;
    else horizonHits++;
  }
  return {
    trials: o.trials,
    tieWins,
    overtakeWins,
    giveUps,
    horizonHits,
    attackerBlocksAtAcceptance: atAcceptance,
    maxReorgDepth,
    blocks,
    giveUpDeficit,
  };
}
