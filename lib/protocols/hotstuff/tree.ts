/**
 * The block tree of one HotStuff run: the shared {@link BlockStore} (lib/chain) holding every node
 * any replica proposed, content-addressed by digest so that a node received by several replicas
 * is stored once. The node itself (with its justify QC) is the block's payload. Which nodes a
 * replica knows is that replica's own record (node.ts); the tree only answers structural
 * questions (parent, height, extends).
 * @module
 */
import { type BlockId, BlockStore } from "../../chain/mod.ts";
import { GENESIS, type HsBlock, nodeDigest, type Tx } from "./messages.ts";

/** The shared tree: BlockStore plus a digest index. */
export class HotStuffTree {
  /** The store (one per run). */
  readonly store: BlockStore;
  #byDigest = new Map<string, BlockId>([[GENESIS, 0]]);
  #digest: string[] = [GENESIS];

  /** A tree holding only genesis. */
  constructor(store: BlockStore = new BlockStore()) {
    this.store = store;
  }

  /** The id of a node by digest, or undefined when nobody added it. */
  idOf(digest: string): BlockId | undefined {
    return this.#byDigest.get(digest);
  }

  /** The digest of a stored node. */
  digestOf(id: BlockId): string {
    return this.#digest[id];
  }

  /** The node content (undefined for genesis). */
  block<C extends Tx>(id: BlockId): HsBlock<C> | undefined {
    return id === 0 ? undefined : this.store.payload(id) as HsBlock<C>;
  }

  /**
   * Add a node whose parent is stored (idempotent by digest); returns its id, or undefined when
   * the parent is missing or the claimed height is not the parent's + 1.
   */
  add<C extends Tx>(b: HsBlock<C>, timeMs: number, digest = nodeDigest(b)): BlockId | undefined {
    const known = this.#byDigest.get(digest);
    if (known !== undefined) return known;
    const parent = this.#byDigest.get(b.parent);
    if (parent === undefined || this.store.height(parent) + 1 !== b.height) return undefined;
    const id = this.store.add({
      parent,
      producer: b.proposer,
      sizeBytes: 64 + 32 * b.cmds.length,
      timeMs,
      txs: b.cmds.length,
      payload: b,
    });
    this.#byDigest.set(digest, id);
    this.#digest[id] = digest;
    return id;
  }

  /** Whether node `b` extends (is a descendant of, or equal to) node `a` (by digest). */
  extends(b: string, a: string): boolean {
    const ib = this.#byDigest.get(b), ia = this.#byDigest.get(a);
    return ib !== undefined && ia !== undefined && this.store.isAncestor(ia, ib);
  }
}
