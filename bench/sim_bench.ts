/**
 * Simulator throughput: deliveries per second of wall time for 16 nodes with ~1,000 messages in
 * flight (every delivery forwards the token to a random peer), tracing off and full, printed next
 * to the same loop written bare in the same run (a plain binary heap and direct calls) and the
 * ratio of the two; plus bytes of memory per traced event, bytes allocated per delivery (heap and
 * external memory, which holds the trace's typed arrays) and the trace hash of the full run
 * (identical in every repeat).
 *
 * The goals are judged on the interleaved ratios (both loops in alternating slices, so a shared
 * machine's changing load hits both alike); the best-of-K rates are printed too.
 *
 * Run: `deno task bench` (options: `--deliveries N`, `--traced N`, `--repeat K`).
 * Timing uses performance.now here only: benchmarks are outside lib/.
 */
import { Rng } from "../lib/sim/rng.ts";
import {
  RELAY_IN_FLIGHT as IN_FLIGHT,
  RELAY_NODES as NODES,
  relayCluster,
  relayRun,
} from "./_relay.ts";

const args = Deno.args;
const opt = (name: string, dflt: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const DELIVERIES = opt("deliveries", 3_000_000);
const TRACED = opt("traced", 300_000);
const REPEAT = opt("repeat", 3);

const framework = relayRun;

/**
 * Bytes allocated per delivery: growth of the heap and external memory over 30 short windows of a
 * warm run divided by the deliveries in each window; the median window (one in which no scavenge
 * ran, and the trace started no new chunk of records) is the allocation. The trace's chunks are
 * counted in the memory per traced record.
 */
function bytesPerDelivery(mode: "off" | "full"): number {
  const c = framework(50_000, mode).keep;
  const window = 2_000;
  const xs: number[] = [];
  for (let k = 0; k < 30; k++) {
    const h0 = memoryBytes();
    const d0 = c.sim.stats.delivered;
    c.sim.run({ maxEvents: window });
    xs.push((memoryBytes() - h0) / (c.sim.stats.delivered - d0));
  }
  return xs.sort((a, b) => a - b)[15];
}

/** Heap plus memory outside it (the trace keeps its records' numbers in typed arrays). */
function memoryBytes(): number {
  const m = Deno.memoryUsage();
  return m.heapUsed + m.external;
}

/**
 * Memory per kept record of a full trace: growth of the heap and of external memory (typed
 * arrays) over a run of `deliveries`, after a collection, divided by the records kept.
 */
function memoryPerRecord(deliveries: number): number {
  const c = relayCluster("full");
  // @ts-ignore: gc is exposed with --v8-flags=--expose-gc
  globalThis.gc?.();
  const m0 = memoryBytes();
  c.sim.run({ maxEvents: deliveries + NODES });
  return (memoryBytes() - m0) / c.sim.trace.kept;
}

// ---- the bare loop: the same work with a plain binary heap and direct calls ----------------
interface Ev {
  t: number;
  seq: number;
  to: number;
  hop: number;
}
function bareLoop() {
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
  /** Run `k` more deliveries; returns the wall ms they took. */
  return (k: number): number => {
    const t0 = performance.now();
    for (let delivered = 0; delivered < k; delivered++) {
      const e = pop();
      now = e.t;
      send(e.to, e.hop + 1);
    }
    return performance.now() - t0;
  };
}

function bare(deliveries: number) {
  const ms = bareLoop()(deliveries);
  return { perSec: deliveries / (ms / 1000) };
}

/**
 * The simulator and the bare loop in alternating slices of `slice` deliveries (after a warm-up
 * slice each), so both see the same machine load: the ratio of their rates is robust on a shared
 * machine where separate runs are not.
 */
function interleaved(deliveries: number, mode: "off" | "full", slice: number) {
  const b = bareLoop();
  const c = relayCluster(mode);
  b(slice);
  c.sim.run({ maxEvents: slice });
  let bareMs = 0, simMs = 0, done = 0;
  const d0 = c.sim.stats.delivered;
  while (done < deliveries) {
    bareMs += b(slice);
    const t0 = performance.now();
    c.sim.run({ maxEvents: slice });
    simMs += performance.now() - t0;
    done += slice;
  }
  const simDelivered = c.sim.stats.delivered - d0;
  return { ratio: (simDelivered / simMs) / (done / bareMs), hash: c.sim.trace.hash() };
}

const fmt = (x: number) => `${(x / 1e6).toFixed(2)} M/s`;
console.log(`distlab simulator benchmark: ${NODES} nodes, ${IN_FLIGHT} messages in flight`);
console.log(
  `deliveries per run: ${DELIVERIES.toLocaleString("en")} untraced, ${
    TRACED.toLocaleString("en")
  } traced; best of ${REPEAT}`,
);
let bestBare = 0, bestOff = 0, bestFull = 0, bestSampled = 0, bareTraced = 0;
const hashes = new Set<string>();
for (let r = 0; r < REPEAT; r++) {
  bestBare = Math.max(bestBare, bare(DELIVERIES).perSec);
  bestOff = Math.max(bestOff, framework(DELIVERIES, "off").perSec);
  bestSampled = Math.max(bestSampled, framework(TRACED, "sampled").perSec);
  bareTraced = Math.max(bareTraced, bare(TRACED).perSec);
  const f = framework(TRACED, "full");
  bestFull = Math.max(bestFull, f.perSec);
  hashes.add(f.hash);
}
const bytesPerRecord = memoryPerRecord(TRACED);
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
  `memory per traced record: ~${
    Math.round(bytesPerRecord)
  } bytes (growth of heap + external memory / records kept)`,
);
console.log(
  `allocation per delivery: ~${Math.round(bytesPerDelivery("off"))} bytes untraced, ~${
    Math.round(bytesPerDelivery("full"))
  } bytes with full tracing (median growth of heap + external memory over 30 windows of 2,000 deliveries)`,
);
console.log(
  `trace hash of the full run (${TRACED.toLocaleString("en")} deliveries, seed 1): ${
    [...hashes].join(", ")
  }${hashes.size === 1 ? " (identical in every repeat)" : " (DIFFERS between repeats)"}`,
);
const pairs = { off: [] as number[], full: [] as number[] };
for (let r = 0; r < REPEAT; r++) {
  pairs.off.push(interleaved(DELIVERIES, "off", 50_000).ratio);
  pairs.full.push(interleaved(TRACED, "full", 10_000).ratio);
}
const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const rOff = med(pairs.off), rFull = med(pairs.full);
console.log(
  `interleaved (simulator and bare loop in alternating slices, median of ${REPEAT}): ratio ${
    rOff.toFixed(2)
  } untraced, ${rFull.toFixed(2)} with full tracing`,
);
console.log(
  `goals: untraced ratio >= 0.8: ${rOff >= 0.8 ? "met" : "NOT met"}; full-tracing ratio >= 0.2: ${
    rFull >= 0.2 ? "met" : "NOT met"
  }`,
);
