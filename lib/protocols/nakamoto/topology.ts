/**
 * The peer graph of a Nakamoto network, stored once for all nodes: a compressed adjacency array
 * (CSR: `offsets` and `neighbors`, Int32), so a node's peer list is a slice of one shared array.
 * Random graphs follow Bitcoin Core's shape: every node opens a fixed number of outbound links to
 * distinct random nodes; links are bidirectional, so a node's degree is its outbound links plus
 * the inbound ones others opened (mean 2k).
 * @module
 */
import type { Rng } from "../../sim/rng.ts";
import { ConfigError } from "../../sim/errors.ts";

/** An undirected graph in CSR form. */
export interface PeerGraph {
  /** Number of nodes. */
  readonly n: number;
  /** Node i's neighbours are `neighbors[offsets[i] .. offsets[i + 1])`. */
  readonly offsets: Int32Array;
  /** Concatenated neighbour lists. */
  readonly neighbors: Int32Array;
}

/** Degree of node i. */
export function degree(g: PeerGraph, i: number): number {
  return g.offsets[i + 1] - g.offsets[i];
}

function fromEdges(n: number, a: Int32Array, b: Int32Array, m: number): PeerGraph {
  const deg = new Int32Array(n + 1);
  for (let e = 0; e < m; e++) {
    deg[a[e]]++;
    deg[b[e]]++;
  }
  const offsets = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) offsets[i + 1] = offsets[i] + deg[i];
  const fill = offsets.slice(0, n);
  const neighbors = new Int32Array(offsets[n]);
  for (let e = 0; e < m; e++) {
    neighbors[fill[a[e]]++] = b[e];
    neighbors[fill[b[e]]++] = a[e];
  }
  return { n, offsets, neighbors };
}

/**
 * A random graph: every node links to `k` distinct other nodes drawn uniformly (a link both ends
 * opened counts once). Redrawn (up to 20 times) until connected; a ConfigError naming
 * `outboundPeers` when no draw is.
 */
export function randomPeerGraph(n: number, k: number, rng: Rng): PeerGraph {
  if (k >= n) {
    throw new ConfigError("peer graph", [{
      path: "outboundPeers",
      message: `${k} outbound peers need more than ${k} other nodes (nodes: ${n})`,
    }]);
  }
  for (let attempt = 0; attempt < 20; attempt++) {
    const a = new Int32Array(n * k), b = new Int32Array(n * k);
    const seen = new Set<number>();
    let m = 0;
    const picked = new Int32Array(k);
    for (let i = 0; i < n; i++) {
      let got = 0;
      while (got < k) {
        let j = Math.floor(rng.next() * (n - 1));
        if (j >= i) j++;
        let dup = false;
        for (let q = 0; q < got; q++) if (picked[q] === j) dup = true;
        if (dup) continue;
        picked[got++] = j;
        const key = i < j ? i * n + j : j * n + i;
        if (seen.has(key)) continue;
        seen.add(key);
        a[m] = i;
        b[m] = j;
        m++;
      }
    }
    const g = fromEdges(n, a, b, m);
    if (isConnected(g)) return g;
  }
  throw new ConfigError("peer graph", [{
    path: "outboundPeers",
    message: `20 random graphs with ${k} outbound peers on ${n} nodes were all disconnected`,
  }]);
}

/** Every pair of the n nodes linked. */
export function fullMeshGraph(n: number): PeerGraph {
  const m = n * (n - 1) / 2;
  const a = new Int32Array(m), b = new Int32Array(m);
  let e = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      a[e] = i;
      b[e] = j;
      e++;
    }
  }
  return fromEdges(n, a, b, m);
}

/** Hop distance from `source` to every node (breadth-first; -1 when unreachable). */
export function hopDistances(g: PeerGraph, source: number): Int32Array {
  const dist = new Int32Array(g.n).fill(-1);
  const queue = new Int32Array(g.n);
  let head = 0, tail = 0;
  dist[source] = 0;
  queue[tail++] = source;
  while (head < tail) {
    const u = queue[head++];
    for (let p = g.offsets[u]; p < g.offsets[u + 1]; p++) {
      const v = g.neighbors[p];
      if (dist[v] < 0) {
        dist[v] = dist[u] + 1;
        queue[tail++] = v;
      }
    }
  }
  return dist;
}

/** Whether every node reaches every other. */
export function isConnected(g: PeerGraph): boolean {
  if (g.n === 0) return true;
  const d = hopDistances(g, 0);
  for (let i = 0; i < g.n; i++) if (d[i] < 0) return false;
  return true;
}

/**
 * Earliest arrival from `source` when crossing the edge u–v costs `cost(u, v)` (Dijkstra with a
 * binary heap): with per-link bandwidth and one block in flight, the time a relay reaches each
 * node when every node fetches from the neighbour on its fastest path.
 */
export function shortestTimes(
  g: PeerGraph,
  source: number,
  cost: (u: number, v: number) => number,
): Float64Array {
  const dist = new Float64Array(g.n).fill(Infinity);
  const heapNode: number[] = [], heapKey: number[] = [];
  const push = (v: number, k: number) => {
    let i = heapNode.length;
    heapNode.push(v);
    heapKey.push(k);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (heapKey[p] <= k) break;
      heapNode[i] = heapNode[p];
      heapKey[i] = heapKey[p];
      i = p;
    }
    heapNode[i] = v;
    heapKey[i] = k;
  };
  const pop = (): [number, number] => {
    const top: [number, number] = [heapNode[0], heapKey[0]];
    const v = heapNode.pop()!, k = heapKey.pop()!;
    const n = heapNode.length;
    if (n > 0) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const c = r < n && heapKey[r] < heapKey[l] ? r : l;
        if (heapKey[c] >= k) break;
        heapNode[i] = heapNode[c];
        heapKey[i] = heapKey[c];
        i = c;
      }
      heapNode[i] = v;
      heapKey[i] = k;
    }
    return top;
  };
  dist[source] = 0;
  push(source, 0);
  while (heapNode.length) {
    const [u, d] = pop();
    if (d > dist[u]) continue;
    for (let p = g.offsets[u]; p < g.offsets[u + 1]; p++) {
      const v = g.neighbors[p];
      const nd = d + cost(u, v);
      if (nd < dist[v]) {
        dist[v] = nd;
        push(v, nd);
      }
    }
  }
  return dist;
}
