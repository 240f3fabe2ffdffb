/**
 * Raft throughput: commands committed per second of wall time for a 5-node Raft key-value cluster
 * under a closed-loop workload of puts (each client waits for its reply, no think time), tracing
 * off and protocol events not collected. Also prints the simulated throughput, message counts and
 * the protocol's share of the simulator's budget (see bench/_kv_bench.ts).
 *
 * Run: `deno task bench:raft` (options: `--clients N`, `--sim-ms T`, `--repeat K`,
 * `--relay N` deliveries of the budget measurement, `--no-warmup` to time the first, cold run too).
 */
import { raftKvServer } from "../lib/protocols/raft/kv.ts";
import type { NodeFactory } from "../lib/sim/types.ts";
import { opt, runKvBench } from "./_kv_bench.ts";

runKvBench({
  name: "raft",
  factory: () =>
    raftKvServer({ raft: { snapshotThresholdEntries: 10_000 } }) as unknown as NodeFactory<unknown>,
  clients: opt("clients", 50),
  simMs: opt("sim-ms", 20_000),
  repeat: opt("repeat", 3),
  relayDeliveries: opt("relay", 2_000_000),
  warmup: !Deno.args.includes("--no-warmup"),
});
