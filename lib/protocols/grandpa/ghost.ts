/**
 * GRANDPA's vote arithmetic (Stewart and Kokoris-Kogia 2020, §2.3 and §3.2) over the shared block
 * tree: a vote for B counts for B and every ancestor; an equivocating voter counts for everything
 * (so seeing more votes is monotone); a supermajority is ⌈(n + f + 1)/2⌉ voters; the 2/3-GHOST
 * function g(S); "possible"/"impossible" supermajorities; the estimate E_{r,v}; completability.
 * Pure functions of a {@link VoteSet} and the store, shared by the voters and the forensics.
 * @module
 */
import type { BlockId, BlockStore } from "../../chain/store.ts";
import type { NodeId } from "../../sim/types.ts";

/** n, f and the supermajority threshold ⌈(n + f + 1)/2⌉ the arithmetic works with. */
export interface GhostParams {
  /** Voters. */
  readonly n: number;
  /** Byzantine voters tolerated. */
  readonly f: number;
  /** Supermajority: ⌈(n + f + 1)/2⌉ unless overridden (lib/protocols/bft quorumSize). */
  readonly threshold: number;
}

/** The votes of one kind seen from one round: each voter's distinct blocks, in arrival order. */
export class VoteSet {
  readonly #byVoter = new Map<NodeId, BlockId[]>();
  #equivocators = 0;
  /** Bumped on every change (callers cache derived values on it). */
  version = 0;

  /** Add `voter`'s vote for `block`; false when already known. */
  add(voter: NodeId, block: BlockId): boolean {
    const l = this.#byVoter.get(voter);
    if (!l) {
      this.#byVoter.set(voter, [block]);
    } else {
      if (l.includes(block)) return false;
      l.push(block);
      if (l.length === 2) this.#equivocators++;
    }
    this.version++;
    return true;
  }

  /** Voters with at least one vote. */
  get voters(): number {
    return this.#byVoter.size;
  }

  /** Voters with two or more different votes (§2.3: they "equivocate"). */
  get equivocators(): number {
    return this.#equivocators;
  }

  /** Whether `voter` has a vote here. */
  has(voter: NodeId): boolean {
    return this.#byVoter.has(voter);
  }

  /** The blocks `voter` voted for (empty when none). */
  votesOf(voter: NodeId): readonly BlockId[] {
    return this.#byVoter.get(voter) ?? [];
  }

  /** Every (voter, blocks) pair, in first-vote order. */
  entries(): IterableIterator<[NodeId, BlockId[]]> {
    return this.#byVoter.entries();
  }
}

/**
 * Voters counting for B: those with a vote for a block ≥ B, plus every equivocator (§2.3: "the
 * set of voters who either have a vote for blocks ≥ B or equivocate").
 */
export function countFor(s: VoteSet, store: BlockStore, b: BlockId): number {
  let k = s.equivocators;
  for (const [, blocks] of s.entries()) {
    if (blocks.length === 1 && store.isAncestor(b, blocks[0])) k++;
  }
  return k;
}

/** S has a supermajority for B (§2.3). */
export function hasSupermajority(
  s: VoteSet,
  store: BlockStore,
  b: BlockId,
  p: GhostParams,
): boolean {
  return countFor(s, store, b) >= p.threshold;
}

/**
 * The 2/3-GHOST function g(S) (§2.3): the block with the highest block number for which S has a
 * supermajority, or null ("nil"). Supermajority is monotone down a chain, so a binary search on
 * the height finds it; at each height the candidates are the ancestors of the voted blocks (one
 * at most has a supermajority when S is safe; when it is not, the best-supported, lowest id).
 */
export function ghost(s: VoteSet, store: BlockStore, p: GhostParams): BlockId | null {
  if (s.voters < p.threshold) return null; // genesis is ≤ every vote
  let maxH = 0;
  for (const [, blocks] of s.entries()) {
    for (const b of blocks) maxH = Math.max(maxH, store.height(b));
  }
  const bestAt = (h: number): { block: BlockId; count: number } => {
    const counts = new Map<BlockId, number>();
    for (const [, blocks] of s.entries()) {
      if (blocks.length !== 1) continue;
      if (store.height(blocks[0]) < h) continue;
      const a = store.ancestorAt(blocks[0], h);
      counts.set(a, (counts.get(a) ?? 0) + 1);
    }
    if (counts.size === 0 && s.equivocators > 0) {
      // only equivocators reach this height: any of their blocks' ancestors
      for (const [, blocks] of s.entries()) {
        for (const b of blocks) if (store.height(b) >= h) counts.set(store.ancestorAt(b, h), 0);
      }
    }
    let block = -1, count = -1;
    for (const [b, c] of counts) {
      if (c > count || (c === count && b < block)) {
        block = b;
        count = c;
      }
    }
    return { block, count: count < 0 ? -1 : count + s.equivocators };
  };
  let lo = 0, hi = maxH;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (bestAt(mid).count >= p.threshold) lo = mid;
    else hi = mid - 1;
  }
  return lo === 0 ? 0 : bestAt(lo).block;
}

/**
 * Whether it is possible for S to have a supermajority for B (§2.3): there is a safe T ⊇ S with
 * one, built by "adding a vote for B for all voters without votes in S and enough voters who
 * already have votes in S to bring the number of equivocations up to f".
 */
export function possible(s: VoteSet, store: BlockStore, b: BlockId, p: GhostParams): boolean {
  const forB = countFor(s, store, b);
  const noVote = p.n - s.voters;
  const against = s.voters - forB; // honest-looking voters with a vote ≱ B
  const moreEquivocations = Math.min(Math.max(0, p.f - s.equivocators), against);
  return forB + noVote + moreEquivocations >= p.threshold;
}

/**
 * "It is impossible for any child of B to have a supermajority in S" (§2.3): S has votes from at
 * least a supermajority of voters (2f + 1 when n = 3f + 1) and it is impossible for each child of
 * B appearing on the chain of a vote in S.
 */
export function impossibleForAnyChild(
  s: VoteSet,
  store: BlockStore,
  b: BlockId,
  p: GhostParams,
): boolean {
  if (s.voters < p.threshold) return false;
  const h = store.height(b) + 1;
  const seen = new Set<BlockId>();
  for (const [, blocks] of s.entries()) {
    for (const t of blocks) {
      if (store.height(t) < h || !store.isAncestor(b, t)) continue;
      const child = store.ancestorAt(t, h);
      if (seen.has(child)) continue;
      seen.add(child);
      if (possible(s, store, child, p)) return false;
    }
  }
  return true;
}

/**
 * E_{r,v} (§3.2): "the last block in the chain with head g(V_{r,v}) for which it is possible for
 * C_{r,v} to have a supermajority"; null when g(V_{r,v}) is nil. Possibility is monotone down the
 * chain (Lemma 2.2 (i)), so a binary search on the height finds it.
 */
export function estimate(
  prevotes: VoteSet,
  precommits: VoteSet,
  store: BlockStore,
  p: GhostParams,
): BlockId | null {
  const g = ghost(prevotes, store, p);
  if (g === null) return null;
  let lo = 0, hi = store.height(g);
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (possible(precommits, store, store.ancestorAt(g, mid), p)) lo = mid;
    else hi = mid - 1;
  }
  return store.ancestorAt(g, lo);
}

/**
 * "v sees that round r is completable" (§3.2): E_{r,v} < g(V_{r,v}), or it is impossible for
 * C_{r,v} to have a supermajority for any child of g(V_{r,v}).
 */
export function completable(
  prevotes: VoteSet,
  precommits: VoteSet,
  store: BlockStore,
  p: GhostParams,
): boolean {
  const g = ghost(prevotes, store, p);
  if (g === null) return false;
  const e = estimate(prevotes, precommits, store, p)!;
  if (store.height(e) < store.height(g)) return true;
  return impossibleForAnyChild(precommits, store, g, p);
}
