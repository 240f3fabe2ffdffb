/**
 * Simulator throughput: deliveries per second of wall time for 16 nodes with ~1,000 messages in
 * flight (every delivery forwards the token to a random peer), tracing off and full, printed next
 * to the same loop written bare in the same run (a plain binary heap and direct calls) and the
 * ratio of the two; plus bytes of memory per traced event.
 *
 * Run: `deno task bench` (options: `--deliveries N`, `--traced N`, `--repeat K`).
 * Timing uses performance.now here only: benchmarks are outside lib/.
 */
import { createCluster } from "../lib/net/mod.ts";
import { Rng } from "../lib/sim/rng.ts";
import type { NodeContext, ProtocolNode } from "../lib/sim/types.ts";

const args = Deno.args;
const opt = (name: string, dflt: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const NODES = 16;
const IN_FLIGHT = 1000;
const DELIVERIES = opt("deliveries", 3_000_000);
const TRACED = opt("traced", 300_000);
const REPEAT = opt("repeat", 3);

type Token = { hop: number };

function relay(ctx: NodeContext<Token>): ProtocolNode<Token> {
  const peers = ctx.peers;
  return {
    start() {
      const mine = Math.floor(IN_FLIGHT / NODES) +
        (Number(ctx.self.slice(1)) < IN_FLIGHT % NODES ? 1 : 0);
      for (let i = 0; i < mine; i++) ctx.send(ctx.rng.pick(peers), { hop: 0 });
    },
    onMessage(_from, m) {
      ctx.send(peers[Math.floor(ctx.rng.next() * peers.length)], m);
    },
  };
}

function framework(deliveries: number, mode: "off" | "sampled" | "full") {
  const c = createCluster<Token>({
    seed: 1,
    nodes: NODES,
    factory: relay,
    network: { latency: { kind: "uniform", minMs: 1, maxMs: 10 } },
    trace: { mode },
  });
  // @ts-ignore: gc is exposed with --v8-flags=--expose-gc
  globalThis.gc?.();
  const heap0 = Deno.memoryUsage().heapUsed;
  const t0 = performance.now();
  c.sim.run({ maxEvents: deliveries + NODES });
  const ms = performance.now() - t0;
  const heap1 = Deno.memoryUsage().heapUsed;
  return {
    perSec: c.sim.stats.delivered / (ms / 1000),
    delivered: c.sim.stats.delivered,
    records: c.sim.trace.records.length,
    heapBytes: heap1 - heap0,
    keep: c,
  };
}

// ---- the bare loop: the same work with a plain binary heap and direct calls ----------------
interface Ev {
  t: number;
  seq: number;
  to: number;
  hop: number;
}
function bare(deliveries: number) {
  const heap: Ev[] = [];
  let seq = 0;
  const less = (a: Ev, b: Ev) => a.t < b.t || (a.t === b.t && a.seq < b.seq);
  const push = (e: Ev) => {
    let i = heap.length;
    heap.push(e);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!less(e, heap[p])) break;
      heap[i] = heap[p];
      i = p;
    }
    heap[i] = e;
  };
  const pop = (): Ev => {
    const top = heap[0];
    const last = heap.pop()!;
    if (heap.length) {
      let i = 0;
      const n = heap.length;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) break;
        const r = l + 1;
        const c = r < n && less(heap[r], heap[l]) ? r : l;
        if (!less(heap[c], last)) break;
        heap[i] = heap[c];
        i = c;
      }
      heap[i] = last;
    }
    return top;
  };
  const rngs = Array.from({ length: NODES }, (_, i) => new Rng(1).fork(`bare/${i}`));
  const linkRng = new Rng(1).fork("bare/net");
  let now = 0;
  const send = (from: number, hop: number) => {
    let to = Math.floor(rngs[from].next() * (NODES - 1));
    if (to >= from) to++;
    push({ t: now + 1 + linkRng.next() * 9, seq: seq++, to, hop });
  };
  for (let k = 0; k < IN_FLIGHT; k++) send(k % NODES, 0);
  const t0 = performance.now();
  let delivered = 0;
  while (delivered < deliveries) {
    const e = pop();
    now = e.t;
    delivered++;
    send(e.to, e.hop + 1);
  }
  const ms = performance.now() - t0;
  return { perSec: delivered / (ms / 1000) };
}

const fmt = (x: number) => `${(x / 1e6).toFixed(2)} M/s`;
console.log(`distlab simulator benchmark: ${NODES} nodes, ${IN_FLIGHT} messages in flight`);
console.log(
  `deliveries per run: ${DELIVERIES.toLocaleString("en")} untraced, ${
    TRACED.toLocaleString("en")
  } traced; best of ${REPEAT}`,
);
let bestBare = 0, bestOff = 0, bestFull = 0, bestSampled = 0, bytesPerRecord = 0, bareTraced = 0;
for (let r = 0; r < REPEAT; r++) {
  bestBare = Math.max(bestBare, bare(DELIVERIES).perSec);
  bestOff = Math.max(bestOff, framework(DELIVERIES, "off").perSec);
  bestSampled = Math.max(bestSampled, framework(TRACED, "sampled").perSec);
  bareTraced = Math.max(bareTraced, bare(TRACED).perSec);
  const f = framework(TRACED, "full");
  bestFull = Math.max(bestFull, f.perSec);
  if (r === REPEAT - 1) bytesPerRecord = f.heapBytes / f.records;
}
console.log(`bare loop (binary heap, direct calls): ${fmt(bestBare)}`);
console.log(
  `simulator, tracing off:                ${fmt(bestOff)}   ratio ${
    (bestOff / bestBare).toFixed(2)
  }`,
);
console.log(
  `simulator, tracing sampled (1 in 100 kept, all hashed): ${fmt(bestSampled)}   ratio ${
    (bestSampled / bareTraced).toFixed(2)
  }`,
);
console.log(
  `simulator, tracing full (every record kept and hashed): ${fmt(bestFull)}   ratio ${
    (bestFull / bareTraced).toFixed(2)
  }`,
);
console.log(
  `memory per traced record: ~${Math.round(bytesPerRecord)} bytes (heap growth / records)`,
);
const goalRate = bestOff >= 2e6, goalRatio = bestOff / bestBare >= 0.5;
console.log(
  `goals: >= 2 M deliveries/s untraced: ${goalRate ? "met" : "NOT met"}; ratio >= 0.5: ${
    goalRatio ? "met" : "NOT met"
  }`,
);
