/**
 * The replicated key-value benchmark shared by `bench/raft_bench.ts` and `bench/paxos_bench.ts`:
 * a 5-server cluster under a closed-loop workload of puts (each client waits for its reply, no
 * think time), tracing off and protocol events not collected. Prints commits per wall second,
 * messages per commit and the protocol's share of the simulator's budget: commits per wall
 * second × messages per commit ÷ the simulator's untraced deliveries per second (the relay
 * workload of `deno task bench`, measured in the same run: the protocol's simulated time is run in
 * slices of 250 ms, each followed by a slice of the relay, so both see the same machine load).
 * Timing uses performance.now here only: benchmarks are outside lib/.
 */
import { Simulation } from "../lib/sim/simulation.ts";
import { Network } from "../lib/net/network.ts";
import { nodeIds } from "../lib/net/cluster.ts";
import { installWorkload } from "../lib/workload/client.ts";
import type { NodeFactory } from "../lib/sim/types.ts";
import type { KvServer } from "../lib/protocols/kv/server.ts";
import { kvClientDriver, kvOpGenerator } from "../lib/protocols/kv/client.ts";
import { relayCluster } from "./_relay.ts";

/** Options of one benchmark run (parsed from the command line by the callers). */
export interface KvBenchOptions {
  /** Protocol name for the printout. */
  readonly name: string;
  /** The server factory. */
  readonly factory: () => NodeFactory<unknown>;
  /** Closed-loop clients. */
  readonly clients: number;
  /** Simulated milliseconds per run. */
  readonly simMs: number;
  /** Runs (the median is reported). */
  readonly repeat: number;
  /** Relay deliveries per protocol run (spread over its 250 ms slices). */
  readonly relayDeliveries: number;
  /** One untimed protocol run before the timed ones (JIT warm-up, as the relay gets). */
  readonly warmup: boolean;
}

/** Command-line number option `--name N`, or the default. */
export function opt(name: string, dflt: number): number {
  const i = Deno.args.indexOf(`--${name}`);
  return i >= 0 ? Number(Deno.args[i + 1]) : dflt;
}

function once(o: KvBenchOptions, seed: number) {
  const ids = nodeIds(5);
  const network = new Network({ latency: { kind: "uniform", minMs: 1, maxMs: 5 } }, {
    seed,
    nodes: ids,
  });
  // collectEvents off: the cluster helper has no such option, so the simulation is built here
  const sim = new Simulation<unknown>({
    seed,
    network,
    trace: { mode: "off" },
    collectEvents: false,
  });
  const factory = o.factory();
  for (const id of ids) sim.addNode(id, factory);
  const w = installWorkload(
    sim as never,
    kvClientDriver(),
    kvOpGenerator({ keys: 16, mix: { put: 1 } }),
    { mode: "closed", clients: o.clients, endMs: o.simMs, timeoutMs: 1_000, retries: 10 },
  );
  const relay = relayCluster("off");
  relay.sim.run({ maxEvents: 200_000 }); // compiled and warm before timing
  const slices = Math.ceil(o.simMs / 250);
  const perSlice = Math.ceil(o.relayDeliveries / slices);
  let wallMs = 0, relayMs = 0;
  const relay0 = relay.sim.stats.delivered;
  for (let k = 1; k <= slices; k++) {
    const t0 = performance.now();
    sim.run({ untilMs: Math.min(o.simMs, k * 250) });
    const t1 = performance.now();
    relay.sim.run({ maxEvents: perSlice });
    relayMs += performance.now() - t1;
    wallMs += t1 - t0;
  }
  const budget = (relay.sim.stats.delivered - relay0) / (relayMs / 1000);
  // the furthest state machine: the leader's (commits are applied there first)
  const committed = Math.max(
    ...ids.map((id) => sim.instanceOf<KvServer<unknown>>(id)?.machine.applied ?? 0),
  );
  const acked = w.history.filter((e) => e.type === "ok").length;
  return { wallMs, committed, acked, messages: sim.stats.delivered, budget };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Run the benchmark and print every run, the medians and the share of the simulator's budget. */
export function runKvBench(o: KvBenchOptions): { share: number; commitsPerSec: number } {
  console.log(
    `${o.name} bench: 5 nodes, ${o.clients} closed-loop clients (puts), ${o.simMs} ms simulated, ` +
      `trace off${o.warmup ? ", after one untimed warm-up run" : ", no warm-up run"}`,
  );
  const rates: number[] = [], shares: number[] = [], budgets: number[] = [], mpc: number[] = [];
  // one untimed run first, so the protocol's code is compiled and warm like the relay's (which
  // `once` warms with 200,000 events before timing)
  if (o.warmup) once(o, 1_000);
  for (let r = 0; r < o.repeat; r++) {
    const x = once(o, r + 1);
    const budget = x.budget;
    const perSec = x.committed / (x.wallMs / 1000);
    const perCommit = x.messages / x.committed;
    const share = perSec * perCommit / budget;
    rates.push(perSec);
    shares.push(share);
    budgets.push(budget);
    mpc.push(perCommit);
    console.log(
      `  run ${r + 1}: ${x.committed} commands committed (${x.acked} acknowledged) in ${
        x.wallMs.toFixed(0)
      } ms wall → ${perSec.toFixed(0)} commits/s wall, ${
        (x.committed / (o.simMs / 1000)).toFixed(0)
      } commits/s simulated, ${perCommit.toFixed(1)} messages/commit; simulator ${
        (budget / 1e6).toFixed(2)
      } M deliveries/s untraced → share ${share.toFixed(3)}`,
    );
  }
  const share = median(shares), commitsPerSec = median(rates);
  console.log(
    `median: ${commitsPerSec.toFixed(0)} committed commands per second of wall time; ` +
      `${median(mpc).toFixed(1)} messages/commit; simulator ${
        (median(budgets) / 1e6).toFixed(2)
      } M deliveries/s untraced`,
  );
  console.log(
    `share of the simulator's budget (commits/s × messages/commit ÷ simulator deliveries/s): ` +
      `${share.toFixed(3)}  (goal >= 0.3: ${share >= 0.3 ? "met" : "NOT met"})`,
  );
  return { share, commitsPerSec };
}
