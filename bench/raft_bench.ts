/**
 * Raft throughput: commands committed per second of wall time for a 5-node Raft key-value cluster
 * under a closed-loop workload of puts (each client waits for its reply, no think time), tracing
 * off and protocol events not collected. Also prints the simulated throughput and message counts.
 *
 * Run: `deno run -A bench/raft_bench.ts` (options: `--clients N`, `--sim-ms T`, `--repeat K`).
 * Timing uses performance.now here only: benchmarks are outside lib/.
 */
import { Simulation } from "../lib/sim/simulation.ts";
import { Network } from "../lib/net/network.ts";
import { nodeIds } from "../lib/net/cluster.ts";
import { installWorkload } from "../lib/workload/client.ts";
import { type RaftKvMessage, raftKvServer } from "../lib/protocols/raft/kv.ts";
import type { RaftMessage } from "../lib/protocols/raft/messages.ts";
import type { RaftNode } from "../lib/protocols/raft/node.ts";
import type { KvServer } from "../lib/protocols/kv/server.ts";
import { kvClientDriver, kvOpGenerator } from "../lib/protocols/kv/client.ts";

const args = Deno.args;
const opt = (name: string, dflt: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const CLIENTS = opt("clients", 50);
const SIM_MS = opt("sim-ms", 20_000);
const REPEAT = opt("repeat", 3);

function once(seed: number) {
  const ids = nodeIds(5);
  const network = new Network({ latency: { kind: "uniform", minMs: 1, maxMs: 5 } }, {
    seed,
    nodes: ids,
  });
  // collectEvents off: the cluster helper has no such option, so the simulation is built here
  const sim = new Simulation<RaftKvMessage>({
    seed,
    network,
    trace: { mode: "off" },
    collectEvents: false,
  });
  const factory = raftKvServer({ raft: { snapshotThresholdEntries: 10_000 } });
  for (const id of ids) sim.addNode(id, factory);
  const w = installWorkload(
    sim,
    kvClientDriver<RaftMessage>(),
    kvOpGenerator({ keys: 16, mix: { put: 1 } }),
    {
      mode: "closed",
      clients: CLIENTS,
      endMs: SIM_MS,
      timeoutMs: 1_000,
      retries: 10,
    },
  );
  const t0 = performance.now();
  sim.run({ untilMs: SIM_MS });
  const wallMs = performance.now() - t0;
  const leader = ids.find((id) =>
    (sim.instanceOf<KvServer<RaftMessage>>(id)?.log as RaftNode).role === "leader"
  )!;
  const raft = sim.instanceOf<KvServer<RaftMessage>>(leader)!.log as RaftNode;
  const committed = sim.instanceOf<KvServer<RaftMessage>>(leader)!.machine.applied;
  const acked = w.history.filter((e) => e.type === "ok").length;
  return { wallMs, committed, acked, commitIndex: raft.commitIndex, messages: sim.stats.delivered };
}

console.log(
  `raft bench: 5 nodes, ${CLIENTS} closed-loop clients (puts), ${SIM_MS} ms simulated, trace off`,
);
const rates: number[] = [];
for (let r = 0; r < REPEAT; r++) {
  const x = once(r + 1);
  const perSec = x.committed / (x.wallMs / 1000);
  rates.push(perSec);
  console.log(
    `  run ${r + 1}: ${x.committed} commands committed (${x.acked} acknowledged) in ${
      x.wallMs.toFixed(0)
    } ms wall` +
      ` → ${perSec.toFixed(0)} commits/s wall, ${
        (x.committed / (SIM_MS / 1000)).toFixed(0)
      } commits/s simulated,` +
      ` ${(x.messages / x.committed).toFixed(1)} messages/commit`,
  );
}
rates.sort((a, b) => a - b);
console.log(
  `median: ${
    rates[Math.floor(rates.length / 2)].toFixed(0)
  } committed commands per second of wall time`,
);
