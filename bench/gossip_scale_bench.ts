/**
 * Gossip at scale: one push broadcast over n nodes (Demers et al. 1987 push epidemic, one peer
 * per round, constant 1 ms links, tracing off), run until every node has the rumor. Prints the
 * memory per idle node (heap growth from adding and starting n nodes, divided by n), the wall time
 * and rounds of the broadcast, the peak heap and the process's resident memory.
 *
 * Run: `deno run -A --v8-flags=--expose-gc,--max-old-space-size=4096 bench/gossip_scale_bench.ts`
 * (options: `--n 3000,100000`, `--lifetime R` rounds a node keeps pushing, default 60).
 * Goal: n = 100,000 completes in under a minute within 2 GB. Timing uses performance.now here
 * only: benchmarks are outside lib/.
 */
import { Simulation } from "../lib/sim/simulation.ts";
import { Network } from "../lib/net/network.ts";
import { GossipNode } from "../lib/protocols/gossip/node.ts";
import type { GossipMessage } from "../lib/protocols/gossip/messages.ts";

const args = Deno.args;
const arg = (name: string, dflt: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const SIZES = arg("n", "3000,100000").split(",").map(Number);
const LIFETIME = Number(arg("lifetime", "60"));
const ROUND_MS = 100;
// @ts-ignore: gc is exposed with --v8-flags=--expose-gc
const gc = () => globalThis.gc?.();
const mb = (b: number) => `${(b / 2 ** 20).toFixed(0)} MB`;

function once(n: number) {
  gc();
  const heap0 = Deno.memoryUsage().heapUsed;
  const t0 = performance.now();
  const sim = new Simulation<GossipMessage>({
    seed: 1,
    network: new Network({}, { seed: 1 }),
    trace: { mode: "off" },
    collectEvents: false,
  });
  const cfg = { mode: "push" as const, roundMs: ROUND_MS, rumorLifetimeRounds: LIFETIME };
  for (let i = 0; i < n; i++) sim.addNode(`n${i}`, (ctx) => new GossipNode(ctx, cfg));
  sim.run({ untilMs: ROUND_MS / 2 }); // every node started, round timers armed, no rumor yet
  const buildMs = performance.now() - t0;
  gc();
  const idleBytes = (Deno.memoryUsage().heapUsed - heap0) / n;
  let informed = 0, peakHeap = 0;
  sim.onEvent((e) => {
    if (e.event.type === "learn") informed++;
  });
  const sampleHeap = () => {
    peakHeap = Math.max(peakHeap, Deno.memoryUsage().heapUsed);
    if (informed < n) sim.schedule(ROUND_MS, sampleHeap);
  };
  sampleHeap();
  const t1 = performance.now();
  sim.instanceOf<GossipNode>("n0")!.broadcast("r1");
  sim.run({ until: () => informed === n, untilMs: ROUND_MS / 2 + ROUND_MS * 200 });
  const broadcastMs = performance.now() - t1;
  const rounds = Math.ceil((sim.nowMs - ROUND_MS / 2) / ROUND_MS);
  return {
    informed,
    rounds,
    buildMs,
    broadcastMs,
    idleBytes,
    peakHeap,
    rss: Deno.memoryUsage().rss,
    messages: sim.stats.delivered,
  };
}

console.log(`gossip scale bench: push, fanout 1, constant 1 ms links, trace off`);
for (const n of SIZES) {
  const r = once(n);
  const total = (r.buildMs + r.broadcastMs) / 1000;
  console.log(
    `  n = ${n.toLocaleString("en")}: ${
      r.informed.toLocaleString("en")
    } informed after ${r.rounds} rounds ` +
      `(log2 n + ln n = ${(Math.log2(n) + Math.log(n)).toFixed(1)}), ${
        r.messages.toLocaleString("en")
      } messages; build ${(r.buildMs / 1000).toFixed(1)} s + broadcast ${
        (r.broadcastMs / 1000).toFixed(1)
      } s = ${total.toFixed(1)} s wall; ${Math.round(r.idleBytes)} bytes per idle node; ` +
      `peak heap ${mb(r.peakHeap)}, rss ${mb(r.rss)}`,
  );
  if (n >= 100_000) {
    const ok = r.informed === n && total < 60 && r.rss < 2 * 2 ** 30;
    console.log(`  goal (n = ${n}: all informed in < 60 s within 2 GB): ${ok ? "met" : "NOT met"}`);
  }
}
