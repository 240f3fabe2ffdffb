/**
 * A small run whose full trace covers every record kind the hash writes specially (sends and
 * deliveries at non-integer times, frozen and plain messages, a plain message changed and sent
 * again, a timer, a drop, a crash): `scenarioHash()` is its trace hash, which
 * trace_hash_process_test.ts compares across processes.
 */
import { createCluster } from "../../lib/net/mod.ts";
import { freezeInPlace } from "../../lib/sim/storage.ts";
import type { NodeContext, ProtocolNode } from "../../lib/sim/types.ts";

type Msg = { hop: number; note?: string };

function node(ctx: NodeContext<Msg>): ProtocolNode<Msg> {
  const plain: Msg = { hop: 0, note: "plain" };
  return {
    start() {
      ctx.send(ctx.rng.pick(ctx.peers), freezeInPlace({ hop: 0 })!);
      ctx.setTimer("tick", 3.5);
    },
    onMessage(_from, m) {
      if (m.hop < 40) ctx.send(ctx.rng.pick(ctx.peers), freezeInPlace({ hop: m.hop + 1 })!);
    },
    onTimer() {
      plain.hop++;
      ctx.send(ctx.rng.pick(ctx.peers), plain);
      if (plain.hop < 5) ctx.setTimer("tick", 7.25);
    },
  };
}

/** The trace hash of the scenario (seed 7). */
export function scenarioHash(): string {
  const c = createCluster<Msg>({
    seed: 7,
    nodes: 5,
    factory: node,
    network: { latency: { kind: "uniform", minMs: 1, maxMs: 10 }, lossRatio: 0.05 },
    trace: { mode: "full" },
  });
  c.sim.at(20.5, () => c.sim.crash("n3"));
  c.sim.run({ untilMs: 200 });
  return c.sim.trace.hash();
}
