/**
 * BFT throughput: the Raft benchmark's measurement (bench/_kv_bench.ts) for the Byzantine
 * protocols. For each of PBFT, Tendermint and HotStuff (chained, and basic) a 4-replica key-value
 * cluster runs the BFT clusters' closed-loop client workload (`installBftKvWorkload`: each client
 * waits for its reply, no think time) for a fixed simulated duration, tracing off, protocol events
 * not collected and no checker attached. Printed per protocol, median of the runs: decisions per
 * wall second (committed commands as the Raft benchmark counts them, retried duplicates included,
 * with the unique ones beside them; and blocks: a replica's `bft-decide` events), messages per
 * decision, the simulator's untraced deliveries per second measured in the same run (the relay
 * workload of `deno task bench`, run in slices alternating with the protocol's 250 ms slices, as
 * bench/_kv_bench.ts does) and the protocol's share of the simulator's budget: decisions per second
 * × messages per decision ÷ deliveries per second.
 *
 * Run: `deno run -A bench/bft_bench.ts` (options: `--protocols pbft,tendermint,hotstuff,
 * hotstuff-basic`, `--duration-ms T` simulated, `--runs K`, `--clients N`, `--relay N` deliveries
 * of the budget measurement per run, 0 to skip it, e.g. under a CPU profile).
 * Timing uses performance.now here only: benchmarks are outside lib/.
 * @module
 */
import { z } from "zod";
import { ConfigError, formatPath } from "../lib/sim/errors.ts";
import { Simulation } from "../lib/sim/simulation.ts";
import type { NodeFactory } from "../lib/sim/types.ts";
import { Network } from "../lib/net/network.ts";
import { nodeIds } from "../lib/net/cluster.ts";
import type { KvServer } from "../lib/protocols/kv/server.ts";
import { installBftKvWorkload } from "../lib/protocols/bft/cluster_shape.ts";
import { pbftKvServer } from "../lib/protocols/pbft/kv.ts";
import { tendermintKvServer } from "../lib/protocols/tendermint/kv.ts";
import { hotstuffKvServer } from "../lib/protocols/hotstuff/kv.ts";
import { relayCluster } from "./_relay.ts";

/** The protocols the benchmark knows ("hotstuff" is chained HotStuff, Algorithm 3). */
export const BFT_BENCH_PROTOCOLS = ["pbft", "tendermint", "hotstuff", "hotstuff-basic"] as const;

/** A benchmarked protocol. */
export type BftBenchProtocol = typeof BFT_BENCH_PROTOCOLS[number];

/** Replicas of every benchmarked cluster. */
export const BFT_BENCH_REPLICAS = 4;

const SLICE_MS = 250;

// keyed by the command-line flags, so an error names the flag the user typed
const ArgsSchema = z.object({
  protocols: z.array(z.enum(BFT_BENCH_PROTOCOLS)).min(1)
    .default(["pbft", "tendermint", "hotstuff", "hotstuff-basic"]),
  "duration-ms": z.number().int().min(SLICE_MS).max(3_600_000).default(10_000),
  runs: z.number().int().min(1).max(99).default(3),
  clients: z.number().int().min(1).max(10_000).default(50),
  relay: z.number().int().min(0).default(1_000_000),
}).strict();

/** Parsed options of the benchmark. */
export interface BftBenchOptions {
  /** Protocols to run, in order (default all four). */
  readonly protocols: readonly BftBenchProtocol[];
  /** Simulated milliseconds per run (default 10,000; at least one 250 ms slice). */
  readonly durationMs: number;
  /** Runs per protocol, seeds 1..runs; the median is reported (default 3). */
  readonly runs: number;
  /** Closed-loop clients (default 50, the Raft benchmark's). */
  readonly clients: number;
  /** Relay deliveries per run for the simulator's budget (default 1,000,000; 0 skips it). */
  readonly relay: number;
}

const NUMERIC_FLAGS = new Set(["duration-ms", "runs", "clients", "relay"]);

/**
 * Parse command-line arguments (`--flag value` or `--flag=value`), or throw a ConfigError naming
 * the flag at fault (unknown flag, missing value, not a number, out of range, unknown protocol).
 * @example
 * ```ts
 * parseBftBenchArgs(["--protocols", "pbft,hotstuff", "--runs", "1"]).protocols; // ["pbft", "hotstuff"]
 * ```
 */
export function parseBftBenchArgs(args: readonly string[]): BftBenchOptions {
  const input: Record<string, unknown> = {};
  const issues: { path: string; message: string }[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (!a.startsWith("--")) {
      issues.push({ path: a, message: "expected an option --name value" });
      continue;
    }
    const eq = a.indexOf("=");
    const name = eq >= 0 ? a.slice(2, eq) : a.slice(2);
    let value: string | undefined = eq >= 0 ? a.slice(eq + 1) : args[i + 1];
    if (eq < 0) {
      if (value === undefined || value.startsWith("--")) value = undefined;
      else i++;
    }
    if (value === undefined) {
      issues.push({ path: `--${name}`, message: "needs a value" });
      continue;
    }
    if (name === "protocols") input[name] = value.split(",").map((s) => s.trim());
    else if (NUMERIC_FLAGS.has(name)) {
      // a non-numeric text stays a string, so zod reports it as the wrong type for this flag
      input[name] = value.trim() !== "" && Number.isFinite(Number(value)) ? Number(value) : value;
    } else input[name] = value;
  }
  const r = ArgsSchema.safeParse(input);
  if (!r.success) {
    for (const i of r.error.issues) {
      const keys = (i as { keys?: string[] }).keys;
      if (i.code === "unrecognized_keys" && keys) {
        for (const k of keys) {
          issues.push({
            path: `--${k}`,
            message: `unknown option (known: ${Object.keys(ArgsSchema.shape).join(", ")})`,
          });
        }
      } else issues.push({ path: `--${formatPath(i.path)}`, message: i.message });
    }
  }
  if (issues.length > 0 || !r.success) throw new ConfigError("bft bench options", issues);
  return {
    protocols: r.data.protocols,
    durationMs: r.data["duration-ms"],
    runs: r.data.runs,
    clients: r.data.clients,
    relay: r.data.relay,
  };
}

/**
 * The protocol's share of the simulator's budget: decisions per wall second × messages per
 * decision ÷ the simulator's untraced deliveries per second (1 means the protocol's run delivered
 * messages as fast as the bare simulator can; the rest of the time went to the protocol's code).
 */
export function budgetShare(
  decisionsPerSec: number,
  messagesPerDecision: number,
  deliveriesPerSec: number,
): number {
  return decisionsPerSec * messagesPerDecision / deliveriesPerSec;
}

/** The median (the upper one of an even count). */
export function median(xs: readonly number[]): number {
  return [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
}

/** The key-value server factory of a protocol, one per run (HotStuff's shares one block tree). */
function factoryOf(p: BftBenchProtocol): NodeFactory<unknown> {
  switch (p) {
    case "pbft":
      return pbftKvServer() as unknown as NodeFactory<unknown>;
    case "tendermint":
      return tendermintKvServer() as unknown as NodeFactory<unknown>;
    case "hotstuff":
      return hotstuffKvServer({ hotstuff: { variant: "chained" } }) as unknown as NodeFactory<
        unknown
      >;
    case "hotstuff-basic":
      return hotstuffKvServer({ hotstuff: { variant: "basic" } }) as unknown as NodeFactory<
        unknown
      >;
  }
}

/** What one run measured. */
export interface BftRunResult {
  /** Wall milliseconds spent in the protocol's simulation. */
  readonly wallMs: number;
  /** Commands applied by the furthest replica's state machine (retried duplicates included). */
  readonly commands: number;
  /** Of those, commands applied for the first time (a client's retry of an applied one is not). */
  readonly unique: number;
  /** Blocks (slots) decided by the furthest replica. */
  readonly blocks: number;
  /** Client operations acknowledged. */
  readonly acked: number;
  /** Messages delivered. */
  readonly messages: number;
  /** The simulator's untraced deliveries per wall second in the same run (NaN when skipped). */
  readonly budget: number;
}

/** One run of `p` with `seed` (a warm-up when `relay` is 0 and the result is ignored). */
export function runOnce(
  p: BftBenchProtocol,
  seed: number,
  o: Pick<BftBenchOptions, "durationMs" | "clients" | "relay">,
): BftRunResult {
  const ids = nodeIds(BFT_BENCH_REPLICAS);
  // the Raft benchmark's network (bench/_kv_bench.ts), so messages per decision compare
  const network = new Network({ latency: { kind: "uniform", minMs: 1, maxMs: 5 } }, {
    seed,
    nodes: ids,
  });
  const sim = new Simulation<unknown>({
    seed,
    network,
    trace: { mode: "off" },
    collectEvents: false,
  });
  const factory = factoryOf(p);
  for (const id of ids) sim.addNode(id, factory);
  const decided = new Map<string, number>(), firstApplied = new Map<string, number>();
  sim.onEvent((e) => {
    const t = e.event.type;
    if (t === "bft-decide") decided.set(e.node, (decided.get(e.node) ?? 0) + 1);
    else if (t === "kv-apply" && !(e.event as { duplicate?: boolean }).duplicate) {
      firstApplied.set(e.node, (firstApplied.get(e.node) ?? 0) + 1);
    }
  });
  const w = installBftKvWorkload(sim as never, o.clients, { endMs: o.durationMs })!;
  const relay = o.relay > 0 ? relayCluster("off") : undefined;
  relay?.sim.run({ maxEvents: 200_000 }); // compiled and warm before timing
  const slices = Math.ceil(o.durationMs / SLICE_MS);
  const perSlice = Math.ceil(o.relay / slices);
  let wallMs = 0, relayMs = 0;
  const relay0 = relay?.sim.stats.delivered ?? 0;
  for (let k = 1; k <= slices; k++) {
    const t0 = performance.now();
    sim.run({ untilMs: Math.min(o.durationMs, k * SLICE_MS) });
    const t1 = performance.now();
    wallMs += t1 - t0;
    if (relay) {
      relay.sim.run({ maxEvents: perSlice });
      relayMs += performance.now() - t1;
    }
  }
  const budget = relay ? (relay.sim.stats.delivered - relay0) / (relayMs / 1000) : NaN;
  const commands = Math.max(
    0,
    ...ids.map((id) => sim.instanceOf<KvServer<unknown>>(id)?.machine.applied ?? 0),
  );
  const blocks = Math.max(0, ...decided.values());
  const unique = Math.max(0, ...firstApplied.values());
  const acked = w.history.filter((e) => e.type === "ok").length;
  return { wallMs, commands, unique, blocks, acked, messages: sim.stats.delivered, budget };
}

/** Median figures of one protocol. */
export interface BftBenchRow {
  /** The protocol. */
  readonly protocol: BftBenchProtocol;
  /** Committed commands per wall second. */
  readonly commandsPerSec: number;
  /** Of those, first applications (no retried duplicate) per wall second. */
  readonly uniquePerSec: number;
  /** Messages delivered per committed command. */
  readonly messagesPerCommand: number;
  /** Decided blocks per wall second. */
  readonly blocksPerSec: number;
  /** Messages delivered per decided block. */
  readonly messagesPerBlock: number;
  /** The simulator's untraced deliveries per wall second. */
  readonly budget: number;
  /** The protocol's share of the simulator's budget. */
  readonly share: number;
}

const f0 = (x: number) => x.toFixed(0);
// NaN when the budget was not measured (`--relay 0`)
const fM = (x: number) => Number.isNaN(x) ? "n/a" : (x / 1e6).toFixed(2);
const f3 = (x: number) => Number.isNaN(x) ? "n/a" : x.toFixed(3);
const f1 = (x: number) => x.toFixed(1);

/** Run one protocol `runs` times (after a short warm-up run) and print each run and the medians. */
export function benchProtocol(p: BftBenchProtocol, o: BftBenchOptions): BftBenchRow {
  runOnce(p, 1_000, { durationMs: Math.min(o.durationMs, 2_000), clients: o.clients, relay: 0 });
  const cps: number[] = [], ups: number[] = [], mpc: number[] = [];
  const bps: number[] = [], mpb: number[] = [];
  const budgets: number[] = [], shares: number[] = [];
  for (let r = 0; r < o.runs; r++) {
    const x = runOnce(p, r + 1, o);
    const wallSec = x.wallMs / 1000;
    const perSec = x.commands / wallSec, perCommand = x.messages / x.commands;
    const share = budgetShare(perSec, perCommand, x.budget);
    cps.push(perSec);
    ups.push(x.unique / wallSec);
    mpc.push(perCommand);
    bps.push(x.blocks / wallSec);
    mpb.push(x.messages / x.blocks);
    budgets.push(x.budget);
    shares.push(share);
    console.log(
      `  run ${r + 1} (seed ${r + 1}): ${x.commands} commands committed (${x.unique} unique, ` +
        `${x.acked} acknowledged)` +
        ` in ${x.blocks} blocks, ${x.messages} messages, ${f0(x.wallMs)} ms wall → ` +
        `${f0(perSec)} commands/s wall (${f0(x.commands / (o.durationMs / 1000))}/s simulated), ` +
        `${f0(x.blocks / wallSec)} blocks/s wall, ${f1(perCommand)} messages/command, ` +
        `${f1(x.messages / x.blocks)} messages/block; simulator ${
          fM(x.budget)
        } M deliveries/s untraced → share ${f3(share)}`,
    );
  }
  return {
    protocol: p,
    commandsPerSec: median(cps),
    uniquePerSec: median(ups),
    messagesPerCommand: median(mpc),
    blocksPerSec: median(bps),
    messagesPerBlock: median(mpb),
    budget: median(budgets),
    share: median(shares),
  };
}

/** Run the benchmark for every chosen protocol and print the per-run figures and a summary. */
export function runBftBench(o: BftBenchOptions): BftBenchRow[] {
  console.log(
    `bft bench: ${BFT_BENCH_REPLICAS} replicas, ${o.clients} closed-loop clients (the BFT ` +
      `clusters' KV workload), ${o.durationMs} ms simulated, trace off, median of ${o.runs}`,
  );
  const rows: BftBenchRow[] = [];
  for (const p of o.protocols) {
    console.log(`${p}:`);
    rows.push(benchProtocol(p, o));
  }
  console.log(
    "median per protocol (decisions per wall second; the share is the same for commands and " +
      "blocks: decisions/s × messages/decision = messages/s):",
  );
  for (const r of rows) {
    console.log(
      `  ${r.protocol.padEnd(15)} ${f0(r.commandsPerSec).padStart(7)} commands/s ` +
        `(${f0(r.uniquePerSec).padStart(6)} unique) ` +
        `${f1(r.messagesPerCommand).padStart(6)} msgs/command  ${
          f0(r.blocksPerSec).padStart(6)
        } blocks/s ${f1(r.messagesPerBlock).padStart(6)} msgs/block  simulator ${
          fM(r.budget)
        } M deliveries/s  share ${f3(r.share)}`,
    );
  }
  return rows;
}

if (import.meta.main) {
  let o: BftBenchOptions;
  try {
    o = parseBftBenchArgs(Deno.args);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    console.error(e.message);
    Deno.exit(2);
  }
  runBftBench(o);
}
