/**
 * The simulator's reference workload, shared by the benchmarks: 16 nodes forwarding ~1,000
 * tokens to random peers (every delivery sends one message), so a run measures the simulator's
 * own cost per delivery. `deno task bench` compares it with a bare loop; the protocol benchmarks
 * divide their delivery rate by its untraced rate (the protocol's share of the simulator's budget).
 * Timing uses performance.now here only: benchmarks are outside lib/.
 */
import { createCluster } from "../lib/net/mod.ts";
import type { NodeContext, ProtocolNode } from "../lib/sim/types.ts";
import type { TraceMode } from "../lib/sim/trace.ts";
import { freezeInPlace } from "../lib/sim/storage.ts";

/** Nodes of the relay workload. */
export const RELAY_NODES = 16;
/** Tokens in flight. */
export const RELAY_IN_FLIGHT = 1000;

/** The relay message. */
export type Token = { hop: number };

/** A node that forwards every token it receives to a random peer. */
export function relay(ctx: NodeContext<Token>): ProtocolNode<Token> {
  const peers = ctx.peers;
  return {
    start() {
      const mine = Math.floor(RELAY_IN_FLIGHT / RELAY_NODES) +
        (Number(ctx.self.slice(1)) < RELAY_IN_FLIGHT % RELAY_NODES ? 1 : 0);
      // frozen once (storage's deep-frozen mark), as a protocol should treat a sent message: the
      // trace then stringifies each token once, not at every record
      for (let i = 0; i < mine; i++) ctx.send(ctx.rng.pick(peers), freezeInPlace({ hop: 0 })!);
    },
    onMessage(_from, m) {
      ctx.send(peers[Math.floor(ctx.rng.next() * peers.length)], m);
    },
  };
}

/** The relay cluster, built but not run (seed 1, uniform 1–10 ms links). */
export function relayCluster(mode: TraceMode) {
  return createCluster<Token>({
    seed: 1,
    nodes: RELAY_NODES,
    factory: relay,
    network: { latency: { kind: "uniform", minMs: 1, maxMs: 10 } },
    trace: { mode },
  });
}

/** Run the relay for `deliveries` deliveries; returns deliveries per wall second and the cluster. */
export function relayRun(deliveries: number, mode: TraceMode) {
  const c = relayCluster(mode);
  // @ts-ignore: gc is exposed with --v8-flags=--expose-gc
  globalThis.gc?.();
  const heap0 = Deno.memoryUsage().heapUsed;
  const t0 = performance.now();
  c.sim.run({ maxEvents: deliveries + RELAY_NODES });
  const ms = performance.now() - t0;
  const heap1 = Deno.memoryUsage().heapUsed;
  return {
    perSec: c.sim.stats.delivered / (ms / 1000),
    delivered: c.sim.stats.delivered,
    records: c.sim.trace.kept,
    heapBytes: heap1 - heap0,
    hash: c.sim.trace.hash(),
    keep: c,
  };
}
