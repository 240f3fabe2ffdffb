/**
 * Consistent hashing with virtual nodes (Dynamo §4.2) and preference lists (§4.3): each physical
 * node owns `vnodes` positions (tokens) on a ring of 2^32 positions; a key is stored on the first
 * N distinct physical nodes met walking clockwise from the key's position.
 * @module
 */
import { hash128 } from "../../sim/rng.ts";
import type { NodeId } from "../../sim/types.ts";

/** Size of the hash space: positions are integers in [0, RING_SIZE). */
export const RING_SIZE = 2 ** 32;

/** The ring position of a string (a key, or a node's token name). */
export function ringPosition(s: string): number {
  return hash128(s)[0] >>> 0;
}

/** One token: a position owned by a physical node. */
export interface Token {
  /** Position on the ring. */
  readonly position: number;
  /** The physical node owning it. */
  readonly node: NodeId;
}

/**
 * A ring of virtual nodes.
 * @example
 * ```ts
 * const ring = new Ring(["n0", "n1", "n2", "n3"], 8);
 * ring.preferenceList("cart:42", 3); // three distinct nodes, e.g. ["n2", "n0", "n3"]
 * ```
 */
export class Ring {
  /** Tokens sorted by position (ties broken by node id). */
  readonly tokens: readonly Token[];
  /** The physical nodes, in the order given. */
  readonly nodes: readonly NodeId[];
  #walkCache = new Map<string, NodeId[]>();

  /** A ring where each node owns `vnodes` tokens at positions hash(`${node}#${i}`). */
  constructor(nodes: readonly NodeId[], vnodes: number) {
    if (!(Number.isInteger(vnodes) && vnodes >= 1)) {
      throw new RangeError(`vnodes: expected an integer >= 1, got ${vnodes}`);
    }
    this.nodes = [...nodes];
    const tokens: Token[] = [];
    for (const node of nodes) {
      for (let i = 0; i < vnodes; i++) {
        tokens.push({ position: ringPosition(`${node}#${i}`), node });
      }
    }
    tokens.sort((a, b) =>
      a.position - b.position || (a.node < b.node ? -1 : a.node > b.node ? 1 : 0)
    );
    this.tokens = tokens;
  }

  /** Index of the first token at or after `position` (wrapping to 0). */
  #firstAtOrAfter(position: number): number {
    let lo = 0, hi = this.tokens.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.tokens[mid].position < position) lo = mid + 1;
      else hi = mid;
    }
    return lo === this.tokens.length ? 0 : lo;
  }

  /**
   * Every distinct physical node in clockwise order from the key's position: the first N are the
   * preference list, the rest are the stand-ins a sloppy quorum walks to (§4.6).
   */
  walk(key: string): readonly NodeId[] {
    const cached = this.#walkCache.get(key);
    if (cached) return cached;
    const out: NodeId[] = [];
    const seen = new Set<NodeId>();
    const start = this.#firstAtOrAfter(ringPosition(key));
    for (let k = 0; k < this.tokens.length && out.length < this.nodes.length; k++) {
      const t = this.tokens[(start + k) % this.tokens.length];
      // §4.3: skip positions of a physical node already in the list
      if (!seen.has(t.node)) {
        seen.add(t.node);
        out.push(t.node);
      }
    }
    if (this.#walkCache.size > 100_000) this.#walkCache.clear();
    this.#walkCache.set(key, out);
    return out;
  }

  /** The key's preference list: the first `n` distinct nodes clockwise (§4.3). */
  preferenceList(key: string, n: number): readonly NodeId[] {
    return this.walk(key).slice(0, n);
  }

  /**
   * The fraction of the ring each node is the first owner of (the arcs ending at its tokens):
   * with one token per node the shares are very uneven; more tokens even them out (§4.2, §6.2).
   */
  ownership(): Map<NodeId, number> {
    const share = new Map<NodeId, number>(this.nodes.map((n) => [n, 0]));
    const t = this.tokens;
    for (let i = 0; i < t.length; i++) {
      const prev = t[(i - 1 + t.length) % t.length].position;
      const arc = t.length === 1 ? RING_SIZE : (t[i].position - prev + RING_SIZE) % RING_SIZE;
      share.set(t[i].node, share.get(t[i].node)! + arc / RING_SIZE);
    }
    return share;
  }
}
