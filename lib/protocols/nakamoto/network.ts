/**
 * A whole Nakamoto network on the simulator: the peer graph, regions and bandwidth, one shared
 * block store, a node per graph vertex, the mining process, the transaction workload and the
 * measurements every experiment reads (propagation per block, reorgs, transactions reverted).
 *
 * Mining (Nakamoto 2008, §11; the Poisson model of block discovery): one global process draws the
 * time to the next block from Exp(T) and picks its producer with probability equal to its hash
 * share. By superposition and thinning of Poisson processes this is the same as every miner i
 * mining independently at rate share_i / T; and because the exponential is memoryless, a miner
 * that switches tips loses no progress, so mining on the tip at the moment of discovery is exact.
 *
 * Transactions: one open-loop Poisson arrival stream seen by every miner at once (a global FIFO
 * mempool; transaction gossip is not modelled). A block on `parent` takes the oldest transactions
 * not yet on the chain ending at `parent`, up to the size limit, so the transactions on any chain
 * are a prefix of the arrivals and `cumTxs(tip)` says which. A reorg from A to B puts the
 * transactions of the orphaned blocks (cumTxs(A) − cumTxs(ancestor)) back to pending; the new
 * chain already holds min(cumTxs(A), cumTxs(B)) − cumTxs(ancestor) of them again.
 * @module
 */
import { createCluster } from "../../net/cluster.ts";
import type { Network, NetworkConfigInput } from "../../net/network.ts";
import type { Simulation } from "../../sim/simulation.ts";
import { Rng } from "../../sim/rng.ts";
import { defineLive } from "../../sim/live.ts";
import { type BlockId, BlockStore, type ReceiveResult, type Reorg } from "../../chain/mod.ts";
import { blockCapacityTxs, type NakamotoConfig, parseNakamotoConfig } from "./config.ts";
import { MessageCache, type NakamotoMessage } from "./messages.ts";
import { HB_PEERS, NakamotoNode, type NakamotoShared, RING_BLOCKS } from "./node.ts";
import { fullMeshGraph, type PeerGraph, randomPeerGraph } from "./topology.ts";

/** A reorg seen by one node, with the transactions it put back to pending. */
export interface ReorgRecord extends Reorg {
  /** The node. */
  readonly node: number;
  /** When (ms). */
  readonly t: number;
  /** Transactions of the blocks that left the main chain (back to pending). */
  readonly txsReverted: number;
  /** Of those, the ones the new chain does not hold yet. */
  readonly txsStillPending: number;
}

/** Per-block propagation: when 50 %, 90 %, 95 % and all nodes had adopted it. */
export interface BlockPropagation {
  /** The block. */
  readonly block: BlockId;
  /** Nodes that adopted it. */
  readonly reached: number;
  /** Delay from mining to adoption by half the nodes (ms; NaN if not reached). */
  readonly t50Ms: number;
  /** ... by 90 % of nodes. */
  readonly t90Ms: number;
  /** ... by 95 % of nodes. */
  readonly t95Ms: number;
  /** ... by every node. */
  readonly t100Ms: number;
  /** Mean delay over the nodes that adopted it (ms). */
  readonly meanMs: number;
}

/** A built Nakamoto network. */
export interface NakamotoNetwork {
  /** The configuration in force. */
  readonly config: NakamotoConfig;
  /** The simulation. */
  readonly sim: Simulation<NakamotoMessage>;
  /** The network model (partitions: `net.partition`, `net.heal`). */
  readonly net: Network;
  /** The shared block store. */
  readonly store: BlockStore;
  /** The peer graph. */
  readonly graph: PeerGraph;
  /** Node ids by index. */
  readonly ids: readonly string[];
  /** Region of each node (index order; "" with constant latency). */
  readonly regionOf: readonly string[];
  /** Node index of each miner (same order as the shares). */
  readonly miners: readonly number[];
  /** The node objects by index. */
  node(index: number): NakamotoNode;
  /** Start the mining process (idempotent). */
  startMining(): void;
  /** Stop the mining process (blocks in flight still propagate). */
  stopMining(): void;
  /**
   * Mine until `blocks` blocks exist (genesis excluded), then stop mining and let every block in
   * flight settle (bounded by `drainMs`, default 10 × the block interval).
   */
  runBlocks(blocks: number, options?: { drainMs?: number }): void;
  /** Transactions on the chain ending at `b` (a prefix of the arrivals). */
  cumTxs(b: BlockId): number;
  /** Transactions that had arrived by `t` (ms). */
  arrivedBy(t: number): number;
  /** Propagation of block `b` (only blocks mined while tracking: all by default). */
  propagation(b: BlockId): BlockPropagation;
  /** Every reorg every node went through, in order. */
  readonly reorgs: readonly ReorgRecord[];
  /** Listen to reorgs as they happen. */
  onReorg(listener: (r: ReorgRecord) => void): void;
  /** Block count when mining stopped (genesis excluded). */
  readonly blocksMined: number;
  /**
   * Compact relay: pushes and announcements not delivered because the receiver already had the
   * block or was validating it (their bytes were charged to the links); zero in other modes.
   */
  readonly elided: { readonly messages: number; readonly bytes: number };
}

/** Options of {@link nakamotoNetwork} that are not configuration. */
export interface NakamotoNetworkOptions {
  /** Keep every reorg record (default true; big runs keep only counts via `onReorg`). */
  readonly keepReorgs?: boolean;
}

/**
 * Build a Nakamoto network; the configuration is validated first (a ConfigError names the field
 * before anything is built).
 * @example
 * ```ts
 * const n = nakamotoNetwork({ nodes: 200, blockIntervalMs: 60_000, blockSizeBytes: 100_000 });
 * n.runBlocks(20);
 * n.node(0).view.tip; // the same tip on every node after the drain
 * ```
 */
export function nakamotoNetwork(
  input: unknown = {},
  options: NakamotoNetworkOptions = {},
): NakamotoNetwork {
  const config = parseNakamotoConfig(input);
  const root = new Rng(config.seed);
  const n = config.nodes;
  const ids = Array.from({ length: n }, (_, i) => `n${i}`);
  const indexOf = new Map(ids.map((id, i) => [id, i]));
  const graph = config.topology === "fullMesh"
    ? fullMeshGraph(n)
    : randomPeerGraph(n, config.outboundPeers, root.fork("topology"));

  // regions: each node drawn by weight from its own stream
  const regionOf: string[] = new Array(n).fill("");
  let network: NetworkConfigInput;
  const bw = config.bandwidthBytesPerMs ?? undefined;
  if (config.latencyModel === "regions") {
    const rr = root.fork("regions");
    const total = config.regions.reduce((a, r) => a + r.weight, 0);
    const of: Record<string, string> = {};
    for (let i = 0; i < n; i++) {
      let u = rr.next() * total, k = 0;
      while (k < config.regions.length - 1 && u >= config.regions[k].weight) {
        u -= config.regions[k].weight;
        k++;
      }
      regionOf[i] = config.regions[k].name;
      of[ids[i]] = regionOf[i];
    }
    network = {
      latency: { kind: "constant", ms: 0 },
      bandwidthBytesPerMs: bw,
      regions: {
        of,
        // the network refuses regions no node is in
        latency: config.regionLatencies.filter((r) =>
          regionOf.includes(r.from) && regionOf.includes(r.to)
        ).map((r) => ({
          from: r.from,
          to: r.to,
          latency: { kind: "constant" as const, ms: r.ms },
        })),
      },
    };
  } else {
    network = { latency: { kind: "constant", ms: config.latencyMs }, bandwidthBytesPerMs: bw };
  }

  // miners: on node i in a full mesh, else on distinct nodes drawn by the seed
  const shares = config.shares;
  const miners = config.topology === "fullMesh"
    ? shares.map((_, i) => i)
    : root.fork("miners").shuffle(ids.map((_, i) => i)).slice(0, shares.length);
  const cumShare: number[] = [];
  shares.reduce((a, s, i) => (cumShare[i] = a + s), 0);

  // the transaction workload: a lazily advanced Poisson counter
  const txRng = root.fork("workload");
  const rateMs = config.txRatePerSec === undefined ? Infinity : config.txRatePerSec / 1000;
  let arrived = 0, nextArrival = rateMs === Infinity ? Infinity : txRng.exponential(1 / rateMs);
  const arrivedBy = (t: number): number => {
    if (rateMs === Infinity) return Infinity;
    while (nextArrival <= t) {
      arrived++;
      nextArrival += txRng.exponential(1 / rateMs);
    }
    return arrived;
  };

  const store = new BlockStore({ capacity: 4096 });
  const capacity = blockCapacityTxs(config);
  const cum: number[] = [0];
  const reach: number[] = [0];
  const sumDelay: number[] = [0];
  const marks: number[][] = [[NaN, NaN, NaN, NaN]];
  const q = [Math.ceil(0.5 * n), Math.ceil(0.9 * n), Math.ceil(0.95 * n), n];
  const reorgs: ReorgRecord[] = [];
  const listeners: ((r: ReorgRecord) => void)[] = [];
  const keep = options.keepReorgs ?? true;
  const elided = { messages: 0, bytes: 0 };
  let hb: Int32Array | undefined;
  if (config.relay === "compact") {
    // BIP 152: until blocks arrive, a node's high-bandwidth peers are its first (outbound) peers
    hb = new Int32Array(n * HB_PEERS).fill(-1);
    for (let i = 0; i < n; i++) {
      const o = graph.offsets[i], d = graph.offsets[i + 1] - o;
      for (let k = 0; k < Math.min(HB_PEERS, d); k++) hb[i * HB_PEERS + k] = graph.neighbors[o + k];
    }
  }

  const shared: NakamotoShared = {
    config,
    store,
    graph,
    ids,
    indexOf,
    messages: new MessageCache(),
    hb,
    elided,
    ring: hb ? new Int32Array(RING_BLOCKS * n) : undefined,
    produce(index, parent, nowMs) {
      const pending = arrivedBy(nowMs) - cum[parent];
      const txs = Math.max(0, Math.min(capacity, pending));
      const sizeBytes = config.headerBytes + txs * config.txSizeBytes;
      const b = store.add({ parent, producer: ids[index], sizeBytes, timeMs: nowMs, txs });
      cum[b] = cum[parent] + txs;
      reach[b] = 0;
      sumDelay[b] = 0;
      marks[b] = [NaN, NaN, NaN, NaN];
      return b;
    },
    adopted(index: number, b: BlockId, result: ReceiveResult, nowMs: number) {
      const r = ++reach[b];
      const delay = nowMs - store.timeMs(b);
      sumDelay[b] += delay;
      const m = marks[b];
      for (let k = 0; k < 4; k++) if (r === q[k]) m[k] = delay;
      const rg = result.reorg;
      if (rg) {
        const reverted = cum[rg.from] - cum[rg.ancestor];
        const rec: ReorgRecord = {
          ...rg,
          node: index,
          t: nowMs,
          txsReverted: reverted,
          txsStillPending: Math.max(0, cum[rg.from] - cum[rg.to]),
        };
        if (keep) reorgs.push(rec);
        for (const l of listeners) l(rec);
      }
    },
  };

  const c = createCluster<NakamotoMessage>({
    seed: config.seed,
    nodes: ids,
    factory: (ctx) => new NakamotoNode(ctx, shared),
    network,
    trace: { mode: config.trace },
    collectEvents: false,
  });
  const sim = c.sim;
  sim.run({ untilMs: 0 }); // start every node
  const nodes = ids.map((id) => sim.instanceOf<NakamotoNode>(id)!);
  if (config.relay === "compact") {
    const net = c.net;
    if (net.nodeIds.some((id, i) => id !== ids[i])) {
      throw new Error("nakamotoNetwork: network indices differ from node indices");
    }
    shared.nodes = nodes;
    shared.charge = (from, to, size) => void net.transmit(from, to, size, sim.nowMs);
  }

  const mineRng = root.fork("mining");
  let mining = false, generation = 0, blocksMined = 0;
  const schedule = (gen: number) => {
    sim.schedule(mineRng.exponential(config.blockIntervalMs), () => {
      if (!mining || gen !== generation) return;
      const u = mineRng.next();
      let k = 0;
      while (k < cumShare.length - 1 && u >= cumShare[k]) k++;
      nodes[miners[k]].mine();
      blocksMined++;
      schedule(gen);
    });
  };

  const self: Omit<NakamotoNetwork, "blocksMined"> = {
    config,
    sim,
    net: c.net,
    store,
    graph,
    ids,
    regionOf,
    miners,
    node: (i) => nodes[i],
    startMining() {
      if (mining) return;
      mining = true;
      schedule(++generation);
    },
    stopMining() {
      mining = false;
      generation++;
    },
    runBlocks(blocks, opts = {}) {
      self.startMining();
      sim.run({ until: () => blocksMined >= blocks });
      self.stopMining();
      sim.run({ untilMs: sim.nowMs + (opts.drainMs ?? 10 * config.blockIntervalMs) });
    },
    cumTxs: (b) => cum[b],
    arrivedBy: (t) => Math.min(arrivedBy(t), Number.MAX_SAFE_INTEGER),
    propagation(b) {
      const m = marks[b];
      return {
        block: b,
        reached: reach[b],
        t50Ms: m[0],
        t90Ms: m[1],
        t95Ms: m[2],
        t100Ms: m[3],
        meanMs: reach[b] ? sumDelay[b] / reach[b] : NaN,
      };
    },
    reorgs,
    onReorg(l) {
      listeners.push(l);
    },
    elided,
  };
  // blocksMined read live, through a shared getter (lib/sim/live.ts: a getter literal kept each run alive)
  return defineLive(self, { blocksMined: () => blocksMined });
}
