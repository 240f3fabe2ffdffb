/**
 * Multi-Paxos throughput: the Raft benchmark's workload (5 servers, closed-loop puts, tracing
 * off) on the Paxos key-value store, with the protocol's share of the simulator's budget (see
 * bench/_kv_bench.ts).
 *
 * Run: `deno run -A bench/paxos_bench.ts` (options: `--clients N`, `--sim-ms T`, `--repeat K`,
 * `--relay N`, `--no-warmup`).
 */
import { paxosKvFactory } from "../lib/protocols/paxos/kv.ts";
import type { NodeFactory } from "../lib/sim/types.ts";
import { opt, runKvBench } from "./_kv_bench.ts";

runKvBench({
  name: "paxos",
  factory: () => paxosKvFactory() as unknown as NodeFactory<unknown>,
  clients: opt("clients", 50),
  simMs: opt("sim-ms", 20_000),
  repeat: opt("repeat", 3),
  relayDeliveries: opt("relay", 2_000_000),
  warmup: !Deno.args.includes("--no-warmup"),
});
