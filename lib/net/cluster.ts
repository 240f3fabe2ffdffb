/**
 * One call that builds a simulated cluster: nodes, network, clocks and a nemesis, all validated
 * before anything runs, all driven by one seed.
 * @module
 */
import { z } from "zod";
import { checkFactoryMembers, Simulation } from "../sim/simulation.ts";
import type { NodeFactory, NodeId } from "../sim/types.ts";
import type { TraceOptions } from "../sim/trace.ts";
import { ConfigError, parseConfig } from "../sim/errors.ts";
import { Network, type NetworkConfigInput, NetworkConfigSchema } from "./network.ts";
import { type AdversaryInput, parseAdversaries } from "./adversary.ts";
import {
  type AdversaryResolver,
  faultsRng,
  type FaultWindow,
  faultWindows,
  generateSchedule,
  GeneratorSchema,
  installSchedule,
  parseSchedule,
  type Schedule,
  ScheduleSchema,
} from "./nemesis.ts";

/** Options of {@link createCluster}. */
export interface ClusterOptions<M> {
  /** Root seed. */
  readonly seed: number | string;
  /** Number of server nodes (ids n0..n{k-1}) or explicit ids. */
  readonly nodes: number | readonly NodeId[];
  /** Builds each server node; a function of the node id when nodes play different roles. */
  readonly factory: NodeFactory<M>;
  /** Per-node factory (wins over `factory` for the ids it returns one for). */
  readonly factoryFor?: (id: NodeId) => NodeFactory<M> | undefined;
  /** Network configuration (defaults: constant 1 ms, no loss). */
  readonly network?: NetworkConfigInput;
  /** A hand-written schedule, or a seeded generator spec (or several). */
  readonly nemesis?: unknown;
  /** Per-node clock: offset and drift. */
  readonly clocks?: Readonly<Record<NodeId, { offsetMs?: number; drift?: number }>>;
  /** Trace options (default full). */
  readonly trace?: TraceOptions;
  /** Message size for bandwidth-limited links. */
  readonly messageSizeBytes?: (msg: unknown) => number;
  /** Keep protocol events in `sim.events` (default true; turn off for long benchmarks). */
  readonly collectEvents?: boolean;
  /**
   * Byzantine nodes (validated by `parseAdversaries`): those with `fromMs` 0 start as adversaries
   * (marked Byzantine), the others turn at `fromMs` through a nemesis `byzantine` fault.
   * Needs `adversary`.
   */
  readonly byzantine?: readonly AdversaryInput[];
  /** The protocol's adversary kit as a resolver, for `byzantine` and nemesis `byzantine` faults. */
  readonly adversary?: AdversaryResolver<M>;
}

/** A built cluster. */
export interface Cluster<M> {
  /** The simulation, with every node added and the fault schedule installed. */
  readonly sim: Simulation<M>;
  /** The network model (latency, loss, partitions) every message goes through. */
  readonly net: Network;
  /** Server node ids in creation order ("n0".."n{k-1}" when `nodes` is a count). */
  readonly nodes: readonly NodeId[];
  /** The concrete fault schedule (generators expanded). */
  readonly schedule: Schedule;
  /** Fault windows up to `endMs`, for shading charts. */
  faultWindows(endMs?: number): FaultWindow[];
  /**
   * End every fault now, for the liveness phase after a safety phase: heal partitions and cuts,
   * restore slow links, release held links, restart crashed servers, resume paused ones and stop
   * their drift (clock offsets stay). Scheduled faults still to come are not cancelled.
   */
  repairAll(): void;
}

const ClusterShape = z.object({
  seed: z.union([z.number().int(), z.string().min(1)]),
  nodes: z.union([
    z.number().int().min(1).max(2 ** 26 - 1),
    z.array(z.string().min(1)).min(1),
  ]),
  factory: z.custom<NodeFactory<unknown>>((f) => typeof f === "function", "must be a function"),
  network: z.unknown().optional(),
  nemesis: z.unknown().optional(),
  clocks: z.record(
    z.string(),
    z.object({
      offsetMs: z.number().finite().optional(),
      drift: z.number().gt(-1).lt(1).optional(),
    })
      .strict(),
  ).optional(),
  trace: z.unknown().optional(),
  messageSizeBytes: z.unknown().optional(),
  factoryFor: z.custom<unknown>((f) => typeof f === "function", "must be a function").optional(),
  collectEvents: z.boolean().optional(),
  byzantine: z.unknown().optional(),
  adversary: z.custom<unknown>((f) => typeof f === "function", "must be a function").optional(),
}).strict();

/** Server ids n0..n{k-1}. */
export function nodeIds(k: number): NodeId[] {
  return Array.from({ length: k }, (_, i) => `n${i}`);
}

/**
 * Build a cluster; every option is validated first (a ConfigError names the bad field).
 * @example
 * ```ts
 * const { sim } = createCluster({
 *   seed: 1, nodes: 5, factory: (ctx) => new HeartbeatNode(ctx, {}),
 *   network: { latency: { kind: "uniform", minMs: 1, maxMs: 10 }, lossRatio: 0.01 },
 *   nemesis: [{ atMs: 1000, type: "partition", groups: [["n0", "n1"], ["n2", "n3", "n4"]] },
 *             { atMs: 3000, type: "heal" }],
 * });
 * sim.run({ untilMs: 5000 });
 * ```
 */
export function createCluster<M>(options: ClusterOptions<M>): Cluster<M> {
  const o = parseConfig(ClusterShape, options, "cluster options");
  const ids = typeof o.nodes === "number" ? nodeIds(o.nodes) : [...o.nodes];
  if (new Set(ids).size !== ids.length) {
    throw new ConfigError("cluster options", [{
      path: "nodes",
      message: "node ids must be unique",
    }]);
  }
  const net = new Network(
    (options.network ?? {}) as z.input<typeof NetworkConfigSchema>,
    { seed: o.seed, nodes: ids },
  );
  const schedule = buildSchedule(options.nemesis, ids, o.seed);
  const adversaries = parseAdversaries(options.byzantine ?? [], ids);
  if (adversaries.length && !options.adversary) {
    throw new ConfigError("cluster options", [{
      path: "adversary",
      message: "byzantine nodes need the protocol's adversary resolver",
    }]);
  }
  const startFactories = new Map<NodeId, NodeFactory<M>>();
  for (const a of adversaries) {
    if (a.fromMs > 0) {
      schedule.push({
        atMs: a.fromMs,
        type: "byzantine",
        nodes: a.nodes,
        strategies: a.strategies,
      });
      continue;
    }
    const make = options.adversary!(a);
    for (const id of a.nodes) startFactories.set(id, make(id));
  }
  for (const id of Object.keys(o.clocks ?? {})) {
    if (!ids.includes(id)) {
      throw new ConfigError("cluster options", [{
        path: `clocks.${id}`,
        message: `unknown node "${id}" (nodes: ${ids.join(", ")})`,
      }]);
    }
  }
  // node ids named in protocol configs (Raft servers, Paxos roles, an NTP server) must be servers
  const factories = new Set<unknown>([options.factory]);
  for (const id of ids) {
    const f = startFactories.get(id) ?? options.factoryFor?.(id);
    if (f) factories.add(f);
  }
  for (const f of factories) checkFactoryMembers(f, ids);
  const sim = new Simulation<M>({
    seed: o.seed,
    network: net,
    trace: options.trace,
    messageSizeBytes: options.messageSizeBytes,
    collectEvents: options.collectEvents,
  });
  for (const id of ids) {
    const c = o.clocks?.[id];
    const byz = startFactories.get(id);
    const factory = byz ?? options.factoryFor?.(id) ?? options.factory;
    sim.addNode(id, factory, {
      clockOffsetMs: c?.offsetMs,
      clockDrift: c?.drift,
      byzantine: byz !== undefined,
    });
  }
  installSchedule(sim, net, schedule, options.adversary);
  return {
    sim,
    net,
    nodes: ids,
    schedule,
    faultWindows: (endMs?: number) => faultWindows(schedule, endMs ?? sim.nowMs),
    repairAll() {
      net.heal();
      net.restore();
      sim.release();
      for (const id of ids) {
        sim.restart(id);
        sim.resume(id);
        sim.setDrift(id, 0);
      }
    },
  };
}

/**
 * Turn a nemesis option into a concrete schedule: undefined → none; an array whose items have
 * `atMs` → a hand-written schedule; a generator spec (or an array of them) → expanded from the
 * seed's "faults" stream.
 */
export function buildSchedule(
  nemesis: unknown,
  ids: readonly NodeId[],
  seed: number | string,
): Schedule {
  if (nemesis === undefined) return [];
  const items = Array.isArray(nemesis) ? nemesis : [nemesis];
  const rng = faultsRng(seed);
  const out: Schedule = [];
  const hand: unknown[] = [];
  items.forEach((it) => {
    if (it && typeof it === "object" && "generator" in it) {
      parseConfig(GeneratorSchema, it, "nemesis generator");
      out.push(...generateSchedule(it as z.input<typeof GeneratorSchema>, ids, rng));
    } else {
      hand.push(it);
    }
  });
  parseConfig(ScheduleSchema, hand, "nemesis schedule");
  out.push(...parseSchedule(hand, ids));
  return out;
}
