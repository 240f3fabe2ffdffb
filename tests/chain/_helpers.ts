/** Shared builders for the chain tests: small trees by parent list, and naive reference rules. */
import { type BlockId, BlockStore } from "@lab/chain/mod.ts";

/** A store whose block i+1 has parent `parents[i]` and work `works[i]` (default 1). */
export function treeStore(parents: readonly number[], works: readonly number[] = []): BlockStore {
  const store = new BlockStore({ capacity: 4 });
  parents.forEach((p, i) =>
    store.add({ parent: p, producer: `n${i % 3}`, sizeBytes: 100, work: works[i] ?? 1, timeMs: i })
  );
  return store;
}

/** Parent of each block by the plain array (genesis: -1). */
export function naiveParents(parents: readonly number[]): number[] {
  return [-1, ...parents];
}

/** The path genesis..id by walking parents. */
export function naivePath(par: readonly number[], id: BlockId): BlockId[] {
  const out: BlockId[] = [];
  for (let x = id; x !== -1; x = par[x]) out.push(x);
  return out.reverse();
}

/** a is an ancestor of (or equal to) b, by walking parents. */
export function naiveIsAncestor(par: readonly number[], a: BlockId, b: BlockId): boolean {
  for (let x = b; x !== -1; x = par[x]) if (x === a) return true;
  return false;
}

/** The deepest common ancestor, by comparing the two paths. */
export function naiveCommonAncestor(par: readonly number[], a: BlockId, b: BlockId): BlockId {
  const pa = naivePath(par, a), pb = naivePath(par, b);
  let i = 0;
  while (i + 1 < pa.length && i + 1 < pb.length && pa[i + 1] === pb[i + 1]) i++;
  return pa[i];
}

/**
 * A naive view: the connection order of blocks given an arrival order (orphans join when their
 * parent does: parents first, each family in arrival order), and the reference fork-choice rules.
 */
export class NaiveView {
  /** Connection index of each known block (genesis 0). */
  readonly order = new Map<BlockId, number>([[0, 0]]);
  /** Waiting blocks, in arrival order. */
  pending: BlockId[] = [];
  finalized: BlockId = 0;

  constructor(readonly par: readonly number[], readonly work: readonly number[]) {}

  receive(id: BlockId): void {
    if (this.order.has(id) || this.pending.includes(id)) return;
    if (!this.order.has(this.par[id])) {
      this.pending.push(id);
      return;
    }
    const queue = [id];
    while (queue.length > 0) {
      const y = queue.shift()!;
      this.order.set(y, this.order.size);
      const ready = this.pending.filter((z) => this.par[z] === y);
      this.pending = this.pending.filter((z) => this.par[z] !== y);
      queue.push(...ready);
    }
  }

  height(id: BlockId): number {
    return naivePath(this.par, id).length - 1;
  }

  totalWork(id: BlockId): number {
    return naivePath(this.par, id).reduce((s, x) => s + (x === 0 ? 0 : this.work[x]), 0);
  }

  /** Known blocks descending from the finalized block. */
  candidates(): BlockId[] {
    return [...this.order.keys()].filter((x) => naiveIsAncestor(this.par, this.finalized, x));
  }

  /** Max score; ties to the first connected. */
  bestBy(score: (id: BlockId) => number): BlockId {
    let best = this.finalized;
    for (const x of this.candidates()) {
      const s = score(x), sb = score(best);
      if (s > sb || (s === sb && this.order.get(x)! < this.order.get(best)!)) best = x;
    }
    return best;
  }

  longest(): BlockId {
    return this.bestBy((x) => this.height(x));
  }

  heaviest(): BlockId {
    return this.bestBy((x) => this.totalWork(x));
  }

  /** Subtree weight of x among known blocks. */
  subtreeWeight(x: BlockId): number {
    let w = 0;
    for (const y of this.order.keys()) if (naiveIsAncestor(this.par, x, y)) w += this.work[y] ?? 0;
    return w;
  }

  /** GHOST from the finalized block: heaviest known child subtree, ties to the first connected. */
  ghost(): BlockId {
    let b = this.finalized;
    for (;;) {
      const kids = [...this.order.keys()].filter((y) => this.par[y] === b);
      if (kids.length === 0) return b;
      kids.sort((u, v) =>
        this.subtreeWeight(v) - this.subtreeWeight(u) || this.order.get(u)! - this.order.get(v)!
      );
      b = kids[0];
    }
  }
}
