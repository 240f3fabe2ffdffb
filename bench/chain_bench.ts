/**
 * Chain benchmark: block deliveries per wall-second of a Nakamoto network, set against the
 * simulator's own bare delivery rate measured in the same run (the sim_bench loop: 16 nodes
 * forwarding tokens, tracing off), for both relay modes (inv → getdata → block, and BIP 152 compact
 * relay, whose messages that could change nothing are charged to links but not delivered), then
 * the 10,000-node scale run (default 1,000 blocks, compact relay): wall time, deliveries, and
 * memory per node (heap retained after gc, and process RSS).
 *
 * Run: `deno task bench:chain` (options: `--nodes N`, `--blocks K`, `--relay-nodes N`,
 * `--relay-blocks K`, `--scale-relay inv|compact`). Timing uses performance.now here only:
 * benchmarks are outside lib/. The machine may be shared: compare figures from one run.
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
const sr = args.indexOf("--scale-relay");
const SCALE_RELAY = sr >= 0 && args[sr + 1] === "inv" ? "inv" : "compact";

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

function chainRate(
  relay: "inv" | "compact",
): { perSec: number; deliveries: number; elided: number; ms: number } {
  const nw = nakamotoNetwork({ nodes: RELAY_NODES, blockIntervalMs: 600_000, relay }, {
    keepReorgs: false,
  });
  const t0 = performance.now();
  nw.runBlocks(RELAY_BLOCKS);
  const ms = performance.now() - t0;
  const deliveries = nw.sim.stats.delivered;
  return { perSec: deliveries / (ms / 1000), deliveries, elided: nw.elided.messages, ms };
}

const M = (x: number) => `${(x / 1e6).toFixed(3)} M/s`;
console.log(
  `chain benchmark: relay ${RELAY_NODES} nodes × ${RELAY_BLOCKS} blocks; scale ${NODES} nodes × ${BLOCKS} blocks`,
);
const bare1 = bareSimRate(2_000_000);
const inv = chainRate("inv");
const compact = chainRate("compact");
const bare2 = bareSimRate(2_000_000);
const bare = Math.max(bare1, bare2);
const perNodeBlock = (d: number) => (d / RELAY_NODES / RELAY_BLOCKS).toFixed(2);
console.log(`simulator bare delivery rate (sim_bench loop, tracing off): ${M(bare)}`);
for (const [name, c] of [["inv", inv], ["compact", compact]] as const) {
  console.log(
    `nakamoto ${name} relay: ${M(c.perSec)} deliveries (${c.deliveries.toLocaleString("en")}` +
      ` = ${perNodeBlock(c.deliveries)} a node a block, ${
        c.elided.toLocaleString("en")
      } elided, in ${(c.ms / 1000).toFixed(1)} s)   ratio to bare ${(c.perSec / bare).toFixed(2)}`,
  );
}
console.log(`  same blocks, compact relay wall time ÷ inv: ${(compact.ms / inv.ms).toFixed(2)}`);

// @ts-ignore: gc is exposed with --v8-flags=--expose-gc
globalThis.gc?.();
const heap0 = Deno.memoryUsage().heapUsed;
const t0 = performance.now();
const r = chainScaleRun({ nodes: NODES, blocks: BLOCKS, relay: SCALE_RELAY });
const wallMs = performance.now() - t0;
// @ts-ignore: gc is exposed with --v8-flags=--expose-gc
globalThis.gc?.();
const heap1 = Deno.memoryUsage().heapUsed;
const rss = Deno.memoryUsage().rss;
console.log(
  `scale run (${r.relay} relay): ${r.nodes} nodes, ${r.blocks} blocks, ${
    r.deliveries.toLocaleString("en")
  } deliveries (${(r.deliveries / r.nodes / r.blocks).toFixed(2)} a node a block; ${
    r.elided.toLocaleString("en")
  } elided), ` +
    `wall ${(wallMs / 1000).toFixed(1)} s (${M(r.deliveries / (wallMs / 1000))}, ratio to bare ${
      (r.deliveries / (wallMs / 1000) / bare).toFixed(2)
    }), simulated ${(r.simulatedMs / 3_600_000).toFixed(1)} h`,
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
  } kB); process RSS ${(rss / 1e6).toFixed(0)} MB = ${Math.round(rss / r.nodes)} bytes/node`,
);
// keep the network alive until memory was measured
if (r.network.ids.length !== r.nodes) throw new Error("unreachable");
