/**
 * Selfish mining (Eyal and Sirer, "Majority Is Not Enough: Bitcoin Mining Is Vulnerable", FC 2014;
 * CACM 2018) on the shared block tree: the pool's state machine (their Algorithm 1), the others
 * mining honestly on the longest chain they know, and the closed form of the pool's relative
 * revenue (their §4) beside it.
 *
 * The paper's model, kept here: mining is a Poisson process; the pool holds share α, the others
 * 1 − α; propagation is instant except in a tie, where "γ [is] the ratio of honest miners that
 * choose to mine on the pool's block" (§3). The honest miners are two {@link ChainView}s (longest
 * chain, first-seen on ties) standing for the γ and 1 − γ parts of the honest hash power: when the
 * pool publishes in reaction to an honest block, the γ view receives the pool's block first and the
 * other view the honest block first. (The honest finder's own vantage is a measure-zero detail in
 * the paper's continuum of miners and is not modelled.) Real latencies instead of γ belong to the
 * network-scale Nakamoto protocol of issue 10, not to this model.
 * @module
 */
import { z } from "zod";
import { type BlockId, BlockStore, ChainView } from "../../chain/mod.ts";
import { parseConfig } from "../../sim/errors.ts";
import type { Rng } from "../../sim/rng.ts";

/**
 * The selfish pool's relative revenue (Eyal and Sirer §4):
 * R_pool = [α(1−α)²(4α + γ(1−2α)) − α³] / [1 − α(1 + (2−α)α)], for 0 ≤ α < 1/2, 0 ≤ γ ≤ 1.
 * @example
 * ```ts
 * selfishRevenue(1 / 3, 0); // 1/3: the γ = 0 threshold
 * selfishRevenue(0.4, 0.5); // ≈ 0.5
 * ```
 */
export function selfishRevenue(alpha: number, gamma: number): number {
  checkAlphaGamma(alpha, gamma);
  const a = alpha;
  return (a * (1 - a) ** 2 * (4 * a + gamma * (1 - 2 * a)) - a ** 3) /
    (1 - a * (1 + (2 - a) * a));
}

/**
 * The share above which selfish mining pays (Eyal and Sirer §4, Observation 1): the pool earns
 * more than α exactly when (1 − γ)/(3 − 2γ) < α < 1/2. 1/3 at γ = 0, 1/4 at γ = 1/2, 0 at γ = 1.
 */
export function profitThreshold(gamma: number): number {
  checkAlphaGamma(0, gamma);
  return (1 - gamma) / (3 - 2 * gamma);
}

/** zod schema of {@link simulateSelfishMining}'s options. */
export const SelfishOptionsSchema = z.object({
  /** The pool's share α of the hash power, 0 ≤ α < 0.5 (the paper's range). */
  alpha: z.number().min(0).lt(0.5, {
    message: "must be < 0.5 (Eyal and Sirer's range; a majority pool simply takes over)",
  }),
  /** γ: the fraction of honest hash power that mines on the pool's block in a tie, in [0, 1]. */
  gamma: z.number().min(0).max(1),
  /** Blocks mined in the run, pool's and others' together. */
  blocks: z.number().int().min(1),
  /** Mean block interval T, ms (default 600 000); it only sets the blocks' timestamps. */
  blockIntervalMs: z.number().gt(0).default(600_000),
  /**
   * Mutation switch for tests (default false): every honest view hears the honest block first in
   * a race, as if γ were 0 whatever the parameter says.
   */
  ignoreGamma: z.boolean().default(false),
});

/** Options of {@link simulateSelfishMining} as given. */
export type SelfishOptionsInput = z.input<typeof SelfishOptionsSchema>;
/** Parsed options of {@link simulateSelfishMining}. */
export type SelfishOptions = z.output<typeof SelfishOptionsSchema>;

/** What one selfish-mining run measured. */
export interface SelfishResult {
  /** Blocks on the final main chain above genesis. */
  readonly mainChainBlocks: number;
  /** Of those, the pool's. */
  readonly poolMainChainBlocks: number;
  /** The pool's relative revenue: its share of main-chain blocks. */
  readonly relativeRevenue: number;
  /** Blocks the pool mined. */
  readonly poolBlocks: number;
  /** Blocks the others mined. */
  readonly honestBlocks: number;
  /** Races (the paper's state 0′: two public branches of length one). */
  readonly races: number;
  /** Reorgs seen by the 1 − γ honest view, and the deepest. */
  readonly reorgs: number;
  /** Deepest reorg seen by the 1 − γ honest view. */
  readonly maxReorgDepth: number;
}

/** Parse selfish-mining options, or throw a ConfigError naming the bad field. */
export function parseSelfishOptions(input: unknown): SelfishOptions {
  return parseConfig(SelfishOptionsSchema, input, "selfish-mining options");
}

/**
 * The selfish pool of Eyal and Sirer's Algorithm 1 over a block store: a private chain, the length
 * of its private branch, and the blocks not yet published. `onPoolBlock` and `onOthersBlock` return
 * the blocks the pool publishes in reaction, oldest first.
 */
export class SelfishPool {
  /** Head of the private chain (which includes the pool's published blocks). */
  privateTip: BlockId = 0;
  /** The paper's privateBranchLen. */
  privateBranchLen = 0;
  /** Height of the longest public chain the pool knows. */
  publicHeight = 0;
  #unpublished: BlockId[] = [];

  /** A pool that starts, like everyone, on genesis of `store`. */
  constructor(readonly store: BlockStore) {}

  /** Blocks mined but not yet published, oldest first. */
  get unpublished(): readonly BlockId[] {
    return this.#unpublished;
  }

  /** Δ = length(private chain) − length(public chain). */
  get lead(): number {
    return this.store.height(this.privateTip) - this.publicHeight;
  }

  /** "My pool found a block" (Algorithm 1): `id` extends the private chain. */
  onPoolBlock(id: BlockId): BlockId[] {
    if (this.store.parent(id) !== this.privateTip) {
      throw new RangeError(`SelfishPool: block ${id} does not extend the private chain`);
    }
    const deltaPrev = this.lead;
    this.privateTip = id;
    this.privateBranchLen++;
    this.#unpublished.push(id);
    // Was a tie with a branch of 1: publish, the pool wins thanks to its lead of 1.
    if (deltaPrev === 0 && this.privateBranchLen === 2) {
      this.privateBranchLen = 0;
      return this.#publish(this.#unpublished.length);
    }
    return [];
  }

  /** "Others found a block" (Algorithm 1): `id` is a new public block from the honest miners. */
  onOthersBlock(id: BlockId): BlockId[] {
    const deltaPrev = this.lead;
    this.publicHeight = Math.max(this.publicHeight, this.store.height(id));
    if (deltaPrev <= 0) {
      // They win: adopt the public chain.
      this.privateTip = id;
      this.privateBranchLen = 0;
      this.#unpublished = [];
      return [];
    }
    if (deltaPrev === 1) return this.#publish(this.#unpublished.length); // same length: try our luck
    if (deltaPrev === 2) {
      this.privateBranchLen = 0;
      return this.#publish(this.#unpublished.length); // the pool wins by its lead of 1
    }
    return this.#publish(1); // Δprev > 2: publish the first unpublished block
  }

  #publish(n: number): BlockId[] {
    const out = this.#unpublished.splice(0, n);
    for (const id of out) this.publicHeight = Math.max(this.publicHeight, this.store.height(id));
    return out;
  }
}

/**
 * One selfish-mining run of `blocks` blocks drawing from `rng`: the pool's relative revenue on the
 * final main chain (at the end the pool publishes what it still holds; an end effect of O(1)
 * blocks).
 * @example
 * ```ts
 * simulateSelfishMining({ alpha: 0.4, gamma: 0, blocks: 100_000 }, new Rng(1)).relativeRevenue;
 * // ≈ 0.48 (selfishRevenue(0.4, 0) = 0.4797)
 * ```
 */
export function simulateSelfishMining(input: SelfishOptionsInput, rng: Rng): SelfishResult {
  const o = parseSelfishOptions(input);
  const store = new BlockStore({ capacity: o.blocks + 16 });
  const pool = new SelfishPool(store);
  // The honest hash power in two parts: γ hears the pool first in a race, 1 − γ the honest block.
  const withPool = new ChainView(store, "longest");
  const withHonest = new ChainView(store, "longest");
  const views = [withPool, withHonest];
  let now = 0, poolBlocks = 0, honestBlocks = 0, races = 0;
  for (let n = 0; n < o.blocks; n++) {
    now += rng.exponential(o.blockIntervalMs);
    const u = rng.next();
    if (u < o.alpha) {
      poolBlocks++;
      const id = store.add({
        parent: pool.privateTip,
        producer: "pool",
        sizeBytes: 0,
        timeMs: now,
      });
      for (const b of pool.onPoolBlock(id)) for (const v of views) v.receive(b);
    } else {
      honestBlocks++;
      // The finder belongs to the γ part with probability γ (shares γ(1−α) and (1−γ)(1−α)).
      const finder = rng.next() < o.gamma ? withPool : withHonest;
      const id = store.add({ parent: finder.tip, producer: "honest", sizeBytes: 0, timeMs: now });
      const leadBefore = pool.lead;
      const published = pool.onOthersBlock(id);
      if (leadBefore === 1) races++;
      // Eyal and Sirer §3: the pool publishes the moment it learns of the honest block; γ of the
      // honest power hears the pool's block first. (Mutation: nobody does.)
      if (o.ignoreGamma) withPool.receive(id);
      for (const b of published) withPool.receive(b);
      withPool.receive(id);
      withHonest.receive(id);
      for (const b of published) withHonest.receive(b);
    }
  }
  // End of run: the pool publishes the rest; the longest public chain (first-seen on ties) counts.
  for (const b of pool.unpublished) for (const v of views) v.receive(b);
  const tip = withHonest.tip;
  let main = 0, poolMain = 0;
  for (let x = tip; x !== 0; x = store.parent(x)) {
    main++;
    if (store.producer(x) === "pool") poolMain++;
  }
  return {
    mainChainBlocks: main,
    poolMainChainBlocks: poolMain,
    relativeRevenue: main === 0 ? 0 : poolMain / main,
    poolBlocks,
    honestBlocks,
    races,
    reorgs: withHonest.reorgs.length,
    maxReorgDepth: withHonest.reorgs.reduce((m, r) => Math.max(m, r.depth), 0),
  };
}

function checkAlphaGamma(alpha: number, gamma: number): void {
  if (!(alpha >= 0 && alpha < 0.5)) {
    throw new RangeError(`alpha must lie in [0, 0.5), got ${alpha}`);
  }
  if (!(gamma >= 0 && gamma <= 1)) throw new RangeError(`gamma must lie in [0, 1], got ${gamma}`);
}
