/**
 * One call that builds a COPS-style store on the simulator: `datacenters` replicas, closed-loop
 * clients each bound to its local datacenter, the network and a nemesis, all validated first.
 * @module
 */
import { createCluster } from "../../net/cluster.ts";
import type { Cluster } from "../../net/cluster.ts";
import type { NetworkConfigInput } from "../../net/network.ts";
import { ConfigError, parseConfig } from "../../sim/errors.ts";
import type { Simulation } from "../../sim/simulation.ts";
import type { History } from "../../workload/history.ts";
import { installWorkload, type Workload } from "../../workload/client.ts";
import { type CopsClusterConfig, type CopsClusterInput, CopsClusterSchema } from "./config.ts";
import type { CopsMessage } from "./messages.ts";
import { CopsReplica } from "./node.ts";
import { type CopsClientDriver, copsClientDriver, copsOpGenerator } from "./client.ts";

/** Options of {@link createCopsCluster}: the run parameters plus network and faults. */
export type CopsClusterOptions = CopsClusterInput & {
  /**
   * Further network knobs (loss, duplication, reordering, per-link overrides). Its `latency`
   * and `regions` are set from `localLatency` and `wanLatency`; giving them here is an error.
   */
  readonly network?: Omit<NetworkConfigInput, "latency" | "regions">;
  /** A nemesis schedule or generator spec (see lib/net/nemesis.ts); clients are never cut off. */
  readonly nemesis?: unknown;
};

/** What a finished run returns. */
export interface CopsRun {
  /** The clients' history (get/put with keys; values are written once per key). */
  readonly history: History;
  /**
   * Each replica's final store, after faults were repaired and `settleMs` passed (the shape
   * `checkConvergence` reads).
   */
  readonly snapshots: readonly { readonly replica: string; readonly state: Map<string, unknown> }[];
  /** Remote writes still waiting for dependencies at the end, over all replicas. */
  readonly pending: number;
  /** Writes applied (local and remote), over all replicas. */
  readonly applied: number;
}

/** A built store. */
export interface CopsCluster {
  /** Parameters with defaults applied. */
  readonly config: CopsClusterConfig;
  /** The underlying simulated cluster (network, schedule, repairAll). */
  readonly cluster: Cluster<CopsMessage>;
  /** The simulation. */
  readonly sim: Simulation<CopsMessage>;
  /** The clients. */
  readonly workload: Workload<CopsMessage>;
  /** The client library (per-process contexts). */
  readonly driver: CopsClientDriver;
  /** The replicas, by datacenter index. */
  replicas(): CopsReplica[];
  /** Run the workload until `endMs` under the faults, repair every fault, settle, return. */
  run(): CopsRun;
}

/**
 * Build a COPS-style store; every parameter is validated before anything runs (a ConfigError
 * names the bad field).
 * @example
 * ```ts
 * const store = createCopsCluster({
 *   seed: 7, datacenters: 3, clients: 6, keys: 3, endMs: 2000,
 *   wanLatency: { kind: "uniform", minMs: 5, maxMs: 100 },
 *   nemesis: [{ atMs: 500, type: "partition", groups: [["n0"], ["n1", "n2"]] },
 *             { atMs: 1200, type: "heal" }],
 * });
 * const run = store.run();
 * checkCausal(run.history, { model: "CCv" }).verdict; // "ok"
 * ```
 */
export function createCopsCluster(options: CopsClusterOptions): CopsCluster {
  const { network, nemesis, ...rest } = options;
  const config = parseConfig(CopsClusterSchema, rest, "cops cluster options");
  for (const field of ["latency", "regions"]) {
    if (network && field in network) {
      throw new ConfigError("cops cluster options", [{
        path: `network.${field}`,
        message: "set by localLatency and wanLatency; leave it out",
      }]);
    }
  }
  // Each datacenter is a region; clients belong to none, so their links take `latency`.
  const dcs = Array.from({ length: config.datacenters }, (_, i) => `n${i}`);
  const wan = dcs.flatMap((a, i) =>
    dcs.slice(i + 1).map((b) => ({ from: a, to: b, latency: config.wanLatency }))
  );
  let applied = 0;
  const cluster = createCluster<CopsMessage>({
    seed: config.seed,
    nodes: config.datacenters,
    factory: (ctx) => new CopsReplica(ctx, Number(ctx.self.slice(1)), config.replica),
    network: {
      ...network,
      latency: config.localLatency,
      regions: { of: Object.fromEntries(dcs.map((d) => [d, d])), latency: wan },
      links: [
        ...(network?.links ?? []),
        ...(config.wanLossRatio > 0
          ? wan.map(({ from, to }) => ({ from, to, lossRatio: config.wanLossRatio }))
          : []),
      ],
    },
    nemesis,
    trace: { mode: "off" },
  });
  const sim = cluster.sim;
  sim.onEvent((e) => {
    if (e.event.type === "apply") applied++;
  });
  const driver = copsClientDriver();
  const workload = installWorkload(
    sim,
    driver,
    copsOpGenerator({ keys: config.keys, writeRatio: config.writeRatio }),
    {
      mode: "closed",
      clients: config.clients,
      thinkTimeMs: config.thinkTimeMs,
      endMs: config.endMs,
      timeoutMs: config.timeoutMs,
    },
  );
  const replicas = () => cluster.nodes.map((id) => sim.instanceOf<CopsReplica>(id)!);
  return {
    config,
    cluster,
    sim,
    workload,
    driver,
    replicas,
    run() {
      sim.run({ untilMs: config.endMs });
      cluster.repairAll();
      sim.run({ untilMs: config.endMs + config.settleMs });
      const rs = replicas();
      return {
        history: workload.history,
        snapshots: rs.map((r, i) => ({ replica: cluster.nodes[i], state: r.snapshot() })),
        pending: rs.reduce((a, r) => a + r.pendingCount, 0),
        applied,
      };
    },
  };
}
