/**
 * One node's view of the shared block tree: which blocks it knows (a growable bitset indexed by
 * BlockId), the blocks waiting for a parent (an orphan pool), its fork-choice state, its tip,
 * its finalized block and the reorgs it went through.
 * @module
 */
import { type BlockId, type BlockStore, NO_BLOCK } from "./store.ts";
import {
  createForkChoice,
  type ForkChoice,
  type ForkChoiceName,
  parseForkChoiceName,
} from "./fork_choice.ts";
import { GrowableBits } from "./_dense.ts";

/** A change of main chain that dropped blocks: `depth` blocks of the old chain left it. */
export interface Reorg {
  /** The old tip. */
  from: BlockId;
  /** The new tip. */
  to: BlockId;
  /** The deepest block on both chains. */
  ancestor: BlockId;
  /** Blocks removed from the old main chain: height(from) − height(ancestor) (≥ 1). */
  depth: number;
}

/** What {@link ChainView.receive} did. */
export interface ReceiveResult {
  /** The tip moved (to a descendant of the old tip, or in a reorg). */
  tipChanged: boolean;
  /** Set when the old tip left the main chain. */
  reorg?: Reorg;
}

const UNCHANGED: ReceiveResult = Object.freeze({ tipChanged: false });

/**
 * One node's view. A received block whose parent the view lacks waits in the orphan pool and joins
 * (with any of its own waiting descendants, parents first, each level in arrival order) when the
 * parent does. The finalized block starts at genesis; `finalize` moves it down, and the fork choice
 * never picks a tip that does not descend from it.
 * @example
 * ```ts
 * const store = new BlockStore();
 * const view = new ChainView(store, "longest");
 * const a = store.add({ parent: 0, producer: "n1", sizeBytes: 1, timeMs: 1 });
 * view.receive(a); // { tipChanged: true }
 * view.confirmations(a); // 1
 * ```
 */
export class ChainView {
  /** The shared store. */
  readonly store: BlockStore;
  /** The fork-choice rule's state. */
  readonly forkChoice: ForkChoice;
  #known = new GrowableBits();
  #knownCount = 1;
  #orphans = new Map<BlockId, BlockId[]>();
  #orphanCount = 0;
  #finalized: BlockId = 0;
  #reorgs: Reorg[] = [];

  /** A view knowing only genesis; an unknown rule name throws a ConfigError naming "forkChoice". */
  constructor(store: BlockStore, forkChoice: ForkChoiceName) {
    const name = parseForkChoiceName(forkChoice, "forkChoice");
    this.store = store;
    this.#known.add(0);
    this.forkChoice = createForkChoice(name, this);
  }

  /** Whether the block is in this view's tree (received, with its whole ancestry). */
  has(id: BlockId): boolean {
    return this.#known.has(id);
  }

  /** Whether the block waits in the orphan pool for an ancestor. */
  isOrphan(id: BlockId): boolean {
    const waiting = this.#orphans.get(this.store.parent(id));
    return waiting !== undefined && waiting.includes(id);
  }

  /** Blocks in this view's tree, genesis included. */
  get knownCount(): number {
    return this.#knownCount;
  }

  /** Blocks waiting in the orphan pool. */
  get orphanCount(): number {
    return this.#orphanCount;
  }

  /** The tip of the main chain. */
  get tip(): BlockId {
    return this.forkChoice.tip;
  }

  /** The finalized block (genesis until `finalize`). */
  get finalized(): BlockId {
    return this.#finalized;
  }

  /** Every reorg so far, oldest first. */
  get reorgs(): readonly Reorg[] {
    return this.#reorgs;
  }

  /** Approximate bytes of this view's arrays (known set and fork-choice arrays; not the pool). */
  get arrayBytes(): number {
    return this.#known.bytes + this.forkChoice.bytes;
  }

  /**
   * Receive a block from the store: it joins the tree if its parent is known, else it waits in the
   * orphan pool. A block already known or already waiting changes nothing.
   */
  receive(id: BlockId): ReceiveResult {
    const store = this.store;
    const parent = store.parent(id); // checks the id
    if (this.#known.has(id)) return UNCHANGED;
    if (!this.#known.has(parent)) {
      const waiting = this.#orphans.get(parent);
      if (waiting === undefined) this.#orphans.set(parent, [id]);
      else if (!waiting.includes(id)) waiting.push(id);
      else return UNCHANGED;
      this.#orphanCount++;
      return UNCHANGED;
    }
    const before = this.forkChoice.tip;
    this.#join(id);
    if (this.#orphans.size > 0) {
      // FIFO: parents before children, each family in arrival order.
      const queue = [id];
      for (let i = 0; i < queue.length; i++) {
        const waiting = this.#orphans.get(queue[i]);
        if (waiting === undefined) continue;
        this.#orphans.delete(queue[i]);
        this.#orphanCount -= waiting.length;
        for (const c of waiting) {
          this.#join(c);
          queue.push(c);
        }
      }
    }
    return this.#afterTipMove(before);
  }

  #join(id: BlockId): void {
    this.#known.add(id);
    this.#knownCount++;
    this.forkChoice.onBlock(id);
  }

  #afterTipMove(before: BlockId): ReceiveResult {
    const after = this.forkChoice.tip;
    if (after === before) return UNCHANGED;
    const store = this.store;
    const ancestor = store.commonAncestor(before, after);
    if (ancestor === before) return { tipChanged: true };
    const reorg: Reorg = {
      from: before,
      to: after,
      ancestor,
      depth: store.height(before) - store.height(ancestor),
    };
    this.#reorgs.push(reorg);
    return { tipChanged: true, reorg };
  }

  /** Whether `id` is on the main chain (genesis..tip). */
  onMainChain(id: BlockId): boolean {
    return this.#known.has(id) && this.store.isAncestor(id, this.forkChoice.tip);
  }

  /** tip height − height(id) + 1 when `id` is on the main chain, else 0. */
  confirmations(id: BlockId): number {
    if (!this.onMainChain(id)) return 0;
    return this.store.height(this.forkChoice.tip) - this.store.height(id) + 1;
  }

  /**
   * A finality gadget's hook: from now on the main chain contains `id`. The block must be in the
   * view; an ancestor of the current finalized block changes nothing; a block conflicting with it
   * (on another branch) throws, since two finalized branches mean the gadget broke its safety.
   * A tip moved off its chain by this call is recorded in `reorgs`.
   */
  finalize(id: BlockId): ReceiveResult {
    const store = this.store;
    store.parent(id); // checks the id
    if (!this.#known.has(id)) {
      throw new RangeError(
        `ChainView.finalize: block ${id} is not in this view (receive it first)`,
      );
    }
    if (store.isAncestor(id, this.#finalized)) return UNCHANGED;
    if (!store.isAncestor(this.#finalized, id)) {
      throw new RangeError(
        `ChainView.finalize: block ${id} conflicts with the finalized block ${this.#finalized}` +
          ` (their common ancestor is ${store.commonAncestor(id, this.#finalized)})`,
      );
    }
    const before = this.forkChoice.tip;
    this.#finalized = id;
    this.forkChoice.onFinalize(id);
    return this.#afterTipMove(before);
  }

  /** The main chain from the finalized block (or genesis, with `fromGenesis`) to the tip. */
  mainChain(fromGenesis = false): BlockId[] {
    const store = this.store;
    const stop = fromGenesis ? NO_BLOCK : store.parent(this.#finalized);
    const out: BlockId[] = [];
    for (let x = this.forkChoice.tip; x !== stop; x = store.parent(x)) out.push(x);
    return out.reverse();
  }
}
