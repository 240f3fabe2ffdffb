/**
 * Chain benchmark: block deliveries per wall-second of a Nakamoto network, set against the
 * simulator's own bare delivery rate measured in the same run (the sim_bench loop: 16 nodes
 * forwarding tokens, tracing off), then the 10,000-node scale run (default 1,000 blocks): wall
 * time and heap bytes per node.
 *
 * Run: `deno task bench:chain` (options: `--nodes N`, `--blocks K`, `--relay-nodes N`,
 * `--relay-blocks K`). Timing uses performance.now here only: benchmarks are outside lib/.
 */
import { createCluster } from "../lib/net/mod.ts";
import type { NodeContext, ProtocolNode } from "../lib/sim/types.ts";
import { nakamotoNetwork } from "../lib/protocols/nakamoto/mod.ts";
import { chainScaleRun } from "../lib/experiments/chain_network.ts";

const args = Deno.args;
const opt = (name: string, dflt: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const NODES = opt("nodes", 10_000);
const BLOCKS = opt("blocks", 1000);
const RELAY_NODES = opt("relay-nodes", 1000);
const RELAY_BLOCKS = opt("relay-blocks", 100);

type Token = { hop: number };
function relay(ctx: NodeContext<Token>): ProtocolNode<Token> {
  const peers = ctx.peers;
  return {
    start() {
      for (let i = 0; i < 63; i++) ctx.send(ctx.rng.pick(peers), { hop: 0 });
    },
    onMessage(_from, m) {
      ctx.send(peers[Math.floor(ctx.rng.next() * peers.length)], m);
    },
  };
}

function bareSimRate(deliveries: number): number {
  const c = createCluster<Token>({
    seed: 1,
    nodes: 16,
    factory: relay,
    network: { latency: { kind: "uniform", minMs: 1, maxMs: 10 } },
    trace: { mode: "off" },
    collectEvents: false,
  });
  const t0 = performance.now();
  c.sim.run({ maxEvents: deliveries });
  return c.sim.stats.delivered / ((performance.now() - t0) / 1000);
}

function chainRate(): { perSec: number; deliveries: number; ms: number } {
  const nw = nakamotoNetwork({ nodes: RELAY_NODES, blockIntervalMs: 600_000 }, {
    keepReorgs: false,
  });
  const t0 = performance.now();
  nw.runBlocks(RELAY_BLOCKS);
  const ms = performance.now() - t0;
  return { perSec: nw.sim.stats.delivered / (ms / 1000), deliveries: nw.sim.stats.delivered, ms };
}

const M = (x: number) => `${(x / 1e6).toFixed(3)} M/s`;
console.log(
  `chain benchmark: relay ${RELAY_NODES} nodes × ${RELAY_BLOCKS} blocks; scale ${NODES} nodes × ${BLOCKS} blocks`,
);
const bare1 = bareSimRate(2_000_000);
const chain = chainRate();
const bare2 = bareSimRate(2_000_000);
const bare = Math.max(bare1, bare2);
console.log(`simulator bare delivery rate (sim_bench loop, tracing off): ${M(bare)}`);
console.log(
  `nakamoto block relay: ${M(chain.perSec)} deliveries (${
    chain.deliveries.toLocaleString("en")
  } in ${(chain.ms / 1000).toFixed(1)} s)   ratio ${(chain.perSec / bare).toFixed(2)}`,
);

// @ts-ignore: gc is exposed with --v8-flags=--expose-gc
globalThis.gc?.();
const heap0 = Deno.memoryUsage().heapUsed;
const t0 = performance.now();
const r = chainScaleRun({ nodes: NODES, blocks: BLOCKS });
const wallMs = performance.now() - t0;
// @ts-ignore: gc is exposed with --v8-flags=--expose-gc
globalThis.gc?.();
const heap1 = Deno.memoryUsage().heapUsed;
console.log(
  `scale run: ${r.nodes} nodes, ${r.blocks} blocks, ${
    r.deliveries.toLocaleString("en")
  } deliveries, ` +
    `wall ${(wallMs / 1000).toFixed(1)} s (${M(r.deliveries / (wallMs / 1000))}), simulated ${
      (r.simulatedMs / 3_600_000).toFixed(1)
    } h`,
);
console.log(
  `  stale rate ${(r.staleRate * 100).toFixed(2)} %, t50 ${(r.t50Ms / 1000).toFixed(2)} s, t95 ${
    (r.t95Ms / 1000).toFixed(2)
  } s, converged ${r.converged}`,
);
console.log(
  `  memory: heap retained ${((heap1 - heap0) / 1e6).toFixed(1)} MB = ${
    Math.round((heap1 - heap0) / r.nodes)
  } bytes/node (view arrays ${Math.round(r.viewBytesPerNode)} B/node, store ${
    (r.storeBytes / 1e3).toFixed(0)
  } kB)`,
);
// keep the network alive until memory was measured
if (r.network.ids.length !== r.nodes) throw new Error("unreachable");
