/**
 * Merkle trees over a key range (Dynamo §4.7): the hash space is cut into 2^depth leaves, a leaf
 * hashes the (key, version digest) pairs that fall in it, a parent hashes its two children. Two
 * replicas compare roots, then descend only into children whose hashes differ, and ship only the
 * keys of differing leaves.
 * @module
 */
import { digestOf } from "../../sim/trace.ts";
import { RING_SIZE, ringPosition } from "./ring.ts";

/** The leaf (0 .. 2^depth − 1) a key falls in, by its ring position. */
export function leafOf(key: string, depth: number): number {
  return Math.floor(ringPosition(key) / RING_SIZE * 2 ** depth);
}

/** Hash of an empty subtree. */
const EMPTY = "-";

/**
 * A Merkle tree built from (key, digest) pairs. `level(l)[i]` is the hash of node i at level l
 * (0 = root, depth = leaves).
 * @example
 * ```ts
 * const a = new MerkleTree([["x", "n0:1"], ["y", "n1:1"]], 4);
 * const b = new MerkleTree([["x", "n0:1"], ["y", "n1:2"]], 4);
 * a.root() === b.root(); // false
 * a.diff(b);             // [leafOf("y", 4)]
 * ```
 */
export class MerkleTree {
  /** Tree depth (2^depth leaves). */
  readonly depth: number;
  #levels: string[][];
  #keysByLeaf = new Map<number, string[]>();

  /** Build the tree of `entries` ([key, digest of its versions]). */
  constructor(entries: Iterable<readonly [string, string]>, depth: number) {
    this.depth = depth;
    const leaves = 2 ** depth;
    const items = new Map<number, [string, string][]>();
    for (const [k, d] of entries) {
      const leaf = leafOf(k, depth);
      let l = items.get(leaf);
      if (!l) items.set(leaf, l = []);
      l.push([k, d]);
    }
    const bottom: string[] = new Array(leaves).fill(EMPTY);
    for (const [leaf, l] of items) {
      l.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
      bottom[leaf] = digestOf(l);
      this.#keysByLeaf.set(leaf, l.map((e) => e[0]));
    }
    const levels = [bottom];
    for (let d = depth; d > 0; d--) {
      const below = levels[0];
      const up: string[] = [];
      for (let i = 0; i < below.length; i += 2) {
        up.push(
          below[i] === EMPTY && below[i + 1] === EMPTY ? EMPTY : digestOf([below[i], below[i + 1]]),
        );
      }
      levels.unshift(up);
    }
    this.#levels = levels;
  }

  /** The root hash. */
  root(): string {
    return this.#levels[0][0];
  }

  /** Hash of node `index` at `level`. */
  hash(level: number, index: number): string {
    return this.#levels[level][index];
  }

  /** Keys in a leaf, sorted. */
  keysIn(leaf: number): readonly string[] {
    return this.#keysByLeaf.get(leaf) ?? [];
  }

  /** Leaves whose hashes differ from `other`'s (a local comparison, for tests). */
  diff(other: MerkleTree): number[] {
    const out: number[] = [];
    const walk = (level: number, i: number) => {
      if (this.hash(level, i) === other.hash(level, i)) return;
      if (level === this.depth) out.push(i);
      else {
        walk(level + 1, 2 * i);
        walk(level + 1, 2 * i + 1);
      }
    };
    walk(0, 0);
    return out;
  }
}
