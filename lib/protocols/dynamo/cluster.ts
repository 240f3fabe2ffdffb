/**
 * A Dynamo cluster on the simulator in one call: servers on a ring, per-message-type latencies
 * (so an experiment can give the write path and the read path their own distributions, as PBS's
 * WARS model does), clients that record Jepsen histories for lib/checkers, workloads, counters
 * and replica snapshots for the convergence checker.
 * @module
 */
import { z } from "zod";
import type { NodeContext, NodeId } from "../../sim/types.ts";
import type { Simulation } from "../../sim/simulation.ts";
import type { TraceOptions } from "../../sim/trace.ts";
import { ConfigError, parseConfig } from "../../sim/errors.ts";
import {
  type Latency,
  type LatencySampler,
  latencySampler,
  LatencySchema,
} from "../../net/latency.ts";
import type { Network, NetworkConfigInput } from "../../net/network.ts";
import { createCluster } from "../../net/cluster.ts";
import type { FaultWindow, Schedule } from "../../net/nemesis.ts";
import type { HistoryEvent } from "../../workload/history.ts";
import {
  type ClientDriver,
  type ClientOp,
  installWorkload,
  type OpGenerator,
  type Workload,
  type WorkloadInput,
} from "../../workload/client.ts";
import type { ReplicaSnapshot } from "../../checkers/convergence.ts";
import {
  type DynamoConfig,
  type DynamoConfigInput,
  parseDynamoConfig,
  type QuorumOverride,
  resolveQuorum,
} from "./config.ts";
import { DYNAMO_MESSAGE_TYPES, type DynamoMessage, type DynamoMessageType } from "./messages.ts";
import { DynamoNode, type DynamoNodeState } from "./node.ts";
import { Ring } from "./ring.ts";
import {
  type DynamoContext,
  EMPTY_CONTEXT,
  mergeVersions,
  sortedValues,
  type Version,
} from "./version.ts";

/** Parameters of {@link createDynamoCluster}. */
export interface DynamoClusterParams {
  /** Root seed. */
  readonly seed: number | string;
  /** Server count (ids n0..) or explicit ids. Default 5. */
  readonly nodes?: number | readonly NodeId[];
  /** Store parameters (see `DynamoConfigSchema`). */
  readonly config?: DynamoConfigInput;
  /** The network (lib/net); default constant 1 ms. */
  readonly network?: NetworkConfigInput;
  /**
   * Extra latency of each message type, sampled per (sender, type) from its own seeded stream and
   * added to the network's latency; with `network.latency` constant 0 these are the latencies.
   */
  readonly latencyByType?: Partial<Record<DynamoMessageType, Latency>>;
  /** A nemesis schedule or generator, as for `createCluster`. */
  readonly nemesis?: unknown;
  /** Per-node clock offset and drift. */
  readonly clocks?: Readonly<Record<NodeId, { offsetMs?: number; drift?: number }>>;
  /** Trace options (default full). */
  readonly trace?: TraceOptions;
  /** Keep protocol events in `sim.events` (default true; counters work either way). */
  readonly collectEvents?: boolean;
}

const ParamsSchema = z.object({
  seed: z.union([z.number().int(), z.string().min(1)]),
  nodes: z.union([z.number().int().min(1).max(1000), z.array(z.string().min(1)).min(1)])
    .default(5),
  config: z.unknown().optional(),
  network: z.unknown().optional(),
  latencyByType: z.partialRecord(
    z.enum(DYNAMO_MESSAGE_TYPES as [string, ...string[]]),
    LatencySchema,
  )
    .optional(),
  nemesis: z.unknown().optional(),
  clocks: z.unknown().optional(),
  trace: z.unknown().optional(),
  collectEvents: z.boolean().optional(),
}).strict();

/**
 * Validate cluster parameters (a ConfigError names the field, e.g. `config.r`, `latencyByType.put`)
 * and return them with the store configuration parsed.
 */
export function parseDynamoClusterParams(
  input: unknown,
): DynamoClusterParams & {
  readonly nodes: number | readonly NodeId[];
  readonly config: DynamoConfig;
} {
  const p = parseConfig(ParamsSchema, input, "dynamo cluster params");
  const size = typeof p.nodes === "number" ? p.nodes : p.nodes.length;
  let config: DynamoConfig;
  try {
    config = parseDynamoConfig(p.config ?? {}, size);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    throw new ConfigError(
      "dynamo cluster params",
      err.issues.map((i) => ({ path: i.path ? `config.${i.path}` : "config", message: i.message })),
    );
  }
  return { ...(input as DynamoClusterParams), nodes: p.nodes, config };
}

/** The outcome of one client operation. */
export interface DynamoResult {
  /** "ok": quorum reached; "unavailable": the coordinator gave up; "timeout": no reply at all. */
  readonly status: "ok" | "unavailable" | "timeout";
  /** A get's values, one per sibling (sorted; "lww": at most one); [] for a put or an absent key. */
  readonly values: readonly unknown[];
  /** A get's context (pass it back with a put to supersede the siblings read). */
  readonly context: DynamoContext;
  /** The node that coordinated, when one answered. */
  readonly coordinator?: NodeId;
  /** Replies or acknowledgements the coordinator had when it answered. */
  readonly acks: number;
  /** True time of the invocation. */
  readonly invokeMs: number;
  /** True time of the completion. */
  readonly completeMs: number;
  /** completeMs − invokeMs. */
  readonly latencyMs: number;
}

/** A client operation in flight or done. */
export interface DynamoOp {
  /** Request id (unique in the cluster). */
  readonly id: number;
  /** "get" or "put". */
  readonly op: "get" | "put";
  /** The key. */
  readonly key: string;
  /** Whether a result arrived (or the client timed out). */
  readonly done: boolean;
  /** The result once done. */
  readonly result: DynamoResult | undefined;
}

/** Options of a client's get. */
export interface GetOptions {
  /** Replies to wait for (default the configuration's R). */
  readonly r?: number;
  /** Replicas (default N). */
  readonly n?: number;
  /** The server to contact (default the client's home). */
  readonly via?: NodeId;
}

/** Options of a client's put. */
export interface PutOptions {
  /** Acknowledgements to wait for (default W). */
  readonly w?: number;
  /** Replicas (default N). */
  readonly n?: number;
  /** The server to contact (default the client's home). */
  readonly via?: NodeId;
  /** The versions this put supersedes: a context, "none" (blind) or "last-read" (default). */
  readonly context?: DynamoContext | "last-read" | "none";
}

/** A client of the store; its operations are recorded in the cluster's history. */
export interface DynamoClient {
  /** The client's node id. */
  readonly id: NodeId;
  /** Its process number in the history. */
  readonly process: number;
  /** Read a key. */
  get(key: string, options?: GetOptions): DynamoOp;
  /** Write a key. */
  put(key: string, value: unknown, options?: PutOptions): DynamoOp;
}

/** Options of {@link dynamoDriver} (and of `cluster.workload`). */
export interface DynamoDriverOptions {
  /** Per-operation N, R, W (default: the configuration's). */
  readonly quorumFor?: (op: ClientOp) => QuorumOverride | undefined;
  /** "last-read" (default): a write carries the context of its process's last read of the key. */
  readonly context?: "last-read" | "none";
}

/** What the store did, summed over the nodes. */
export interface DynamoCounters {
  /** Messages sent (every type). */
  messages: number;
  /** Their size in bytes (JSON length). */
  bytes: number;
  /** Messages sent per type. */
  messagesByType: Record<string, number>;
  /** Bytes sent per type. */
  bytesByType: Record<string, number>;
  /** Versions stored as hints by sloppy stand-ins. */
  hintsStored: number;
  /** Hinted keys handed to their intended node and acknowledged. */
  hintsDelivered: number;
  /** Read-repair pushes to stale replicas. */
  readRepairs: number;
  /** Anti-entropy messages (ae-hashes + ae-data). */
  antiEntropyMessages: number;
  /** Their bytes. */
  antiEntropyBytes: number;
  /** Key entries shipped by anti-entropy. */
  antiEntropyKeysSent: number;
  /** Gets answered ok by a coordinator. */
  getsOk: number;
  /** Gets a coordinator answered "unavailable". */
  getsUnavailable: number;
  /** Puts answered ok. */
  putsOk: number;
  /** Puts answered "unavailable". */
  putsUnavailable: number;
}

/** A built Dynamo cluster. */
export interface DynamoCluster {
  /** The simulation. */
  readonly sim: Simulation<DynamoMessage>;
  /** The network (partition, heal, ...). */
  readonly net: Network;
  /** Server ids. */
  readonly nodes: readonly NodeId[];
  /** Store parameters in force. */
  readonly config: DynamoConfig;
  /** The ring. */
  readonly ring: Ring;
  /** The nemesis schedule (generators expanded). */
  readonly schedule: Schedule;
  /** Every operation issued through `client(...)`, as Jepsen events. */
  readonly history: HistoryEvent[];
  /** A key's preference list (default N). */
  preferenceList(key: string, n?: number): readonly NodeId[];
  /** Add a client node (default home: servers in turn). */
  client(options?: { name?: string; home?: NodeId; timeoutMs?: number }): DynamoClient;
  /** Install a lib/workload workload driving the store (its history is `workload.history`). */
  workload(
    generator: OpGenerator,
    options: WorkloadInput & DynamoDriverOptions & { prefix?: string },
  ): Workload<DynamoMessage>;
  /** Run until true time `untilMs`. */
  run(untilMs: number): void;
  /** Run until every op is done (at most `maxMs` more, default 60 000). */
  settle(ops: readonly DynamoOp[], maxMs?: number): void;
  /** Counters so far. */
  counters(): DynamoCounters;
  /**
   * One snapshot per preference rank ("rank0".."rank{N−1}"): rank i maps every key stored
   * anywhere to the (sorted) values its i-th preference-list node holds (absent: not there).
   * Feed to `checkConvergence`.
   */
  replicaSnapshots(): ReplicaSnapshot[];
  /** Each live node's own main store (key → sorted values). */
  nodeSnapshots(): ReplicaSnapshot[];
  /** A node's store and hints (undefined while crashed). */
  nodeState(id: NodeId): DynamoNodeState | undefined;
  /** Fault windows for charts. */
  faultWindows(endMs?: number): FaultWindow[];
  /** End every fault now (heal, restart, resume). */
  repairAll(): void;
  /** The trace hash (equal for equal seeds and parameters). */
  traceHash(): string;
}

/** The value a read puts in the history: null (absent), the value, or the sorted siblings. */
export function historyValue(values: readonly unknown[]): unknown {
  return values.length === 0 ? null : values.length === 1 ? values[0] : [...values];
}

function isGet(f: string): boolean {
  return f === "read" || f === "get";
}

/**
 * A lib/workload driver for the store: f "read"/"get" is a get, "write"/"put" a put; a get that
 * reaches no quorum fails, a put that reaches no quorum is "info" (it may be stored somewhere).
 * @example
 * ```ts
 * installWorkload(cluster.sim, dynamoDriver({ quorumFor: () => ({ r: 1, w: 1 }) }),
 *   dynamoOpGenerator({ keys: 2 }), { endMs: 1000 });
 * ```
 */
export function dynamoDriver(options: DynamoDriverOptions = {}): ClientDriver<DynamoMessage> {
  const contexts = new Map<string, DynamoContext>();
  const pending = new Map<string, ClientOp>();
  const tag = (ctx: NodeContext<DynamoMessage>, id: number) => `${ctx.self}\u0000${id}`;
  return {
    request(ctx, op) {
      pending.set(tag(ctx, op.id), op);
      const q = options.quorumFor?.(op) ?? {};
      const key = op.key ?? "";
      if (isGet(op.f)) {
        ctx.send(op.home, {
          type: "client-get",
          id: op.id,
          client: ctx.self,
          key,
          ...(q.n !== undefined ? { n: q.n } : {}),
          ...(q.r !== undefined ? { r: q.r } : {}),
        });
      } else {
        const c = options.context === "none"
          ? undefined
          : contexts.get(`${op.process}\u0000${key}`);
        ctx.send(op.home, {
          type: "client-put",
          id: op.id,
          client: ctx.self,
          key,
          value: op.value,
          ...(c ? { context: c } : {}),
          ...(q.n !== undefined ? { n: q.n } : {}),
          ...(q.w !== undefined ? { w: q.w } : {}),
        });
      }
    },
    response(ctx, _from, msg) {
      if (msg.type !== "client-reply") return undefined;
      const op = pending.get(tag(ctx, msg.id));
      if (!op) return undefined;
      pending.delete(tag(ctx, msg.id));
      if (msg.status !== "ok") {
        return msg.op === "get"
          ? { id: msg.id, type: "fail", error: "unavailable" }
          : { id: msg.id, type: "info", error: "unavailable" };
      }
      if (msg.op === "put") return { id: msg.id, type: "ok" };
      contexts.set(`${op.process}\u0000${op.key ?? ""}`, msg.context ?? EMPTY_CONTEXT);
      return { id: msg.id, type: "ok", value: historyValue(msg.values ?? []) };
    },
  };
}

/** Options of {@link dynamoOpGenerator}. */
export interface DynamoOpGeneratorOptions {
  /** Keys "k0".."k{keys−1}", chosen uniformly. Default 1. */
  readonly keys?: number;
  /** Probability that an operation is a read. Default 0.5. */
  readonly readRatio?: number;
}

/** Reads and writes of a few keys; every written value is unique ("p{process}-{seq}"). */
export function dynamoOpGenerator(options: DynamoOpGeneratorOptions = {}): OpGenerator {
  const keys = options.keys ?? 1, readRatio = options.readRatio ?? 0.5;
  if (!(Number.isInteger(keys) && keys >= 1)) {
    throw new ConfigError("dynamo op generator", [{
      path: "keys",
      message: "expected an integer >= 1",
    }]);
  }
  if (!(readRatio >= 0 && readRatio <= 1)) {
    throw new ConfigError("dynamo op generator", [{ path: "readRatio", message: "expected 0..1" }]);
  }
  let seq = 0;
  return (rng, process) => {
    const key = `k${keys === 1 ? 0 : rng.int(0, keys - 1)}`;
    if (rng.next() < readRatio) return { f: "read", key, value: null };
    return { f: "write", key, value: `p${process}-${++seq}` };
  };
}

function emptyCounters(): DynamoCounters {
  return {
    messages: 0,
    bytes: 0,
    messagesByType: {},
    bytesByType: {},
    hintsStored: 0,
    hintsDelivered: 0,
    readRepairs: 0,
    antiEntropyMessages: 0,
    antiEntropyBytes: 0,
    antiEntropyKeysSent: 0,
    getsOk: 0,
    getsUnavailable: 0,
    putsOk: 0,
    putsUnavailable: 0,
  };
}

/**
 * Build a Dynamo cluster; every parameter is validated first (a ConfigError names the field).
 * @example
 * ```ts
 * const c = createDynamoCluster({ seed: 1, nodes: 5, config: { n: 3, r: 2, w: 2 } });
 * const a = c.client();
 * const w = a.put("cart", ["book"]);
 * c.settle([w]);
 * const r = a.get("cart");
 * c.settle([r]);
 * r.result?.values; // [["book"]]
 * ```
 */
export function createDynamoCluster(params: DynamoClusterParams): DynamoCluster {
  const p = parseDynamoClusterParams(params);
  const config = p.config;
  const ids = typeof p.nodes === "number"
    ? Array.from({ length: p.nodes }, (_, i) => `n${i}`)
    : [...p.nodes];
  const ring = new Ring(ids, config.vnodes);
  const base = createCluster<DynamoMessage>({
    seed: p.seed,
    nodes: ids,
    factory: (ctx) => new DynamoNode(ctx, config, ring),
    network: p.network,
    nemesis: p.nemesis,
    clocks: p.clocks,
    trace: p.trace,
    collectEvents: p.collectEvents,
  });
  const sim = base.sim;
  const counters = emptyCounters();
  const latencies = p.latencyByType ?? {};
  const samplers = new Map<string, LatencySampler>();

  // every send goes through here: per-type latency (an environment model, not a Byzantine node)
  // and the message and byte counters
  const intercept = (id: NodeId) => {
    sim.intercept(id, (out, net) => {
      const type = out.msg.type;
      const bytes = JSON.stringify(out.msg).length;
      counters.messages++;
      counters.bytes += bytes;
      counters.messagesByType[type] = (counters.messagesByType[type] ?? 0) + 1;
      counters.bytesByType[type] = (counters.bytesByType[type] ?? 0) + bytes;
      if (out.msg.type === "ae-hashes" || out.msg.type === "ae-data") {
        counters.antiEntropyMessages++;
        counters.antiEntropyBytes += bytes;
        if (out.msg.type === "ae-data") counters.antiEntropyKeysSent += out.msg.entries.length;
      }
      const spec = latencies[type as DynamoMessageType];
      let delayMs = 0;
      if (spec) {
        const k = `${id}\u0000${type}`;
        let s = samplers.get(k);
        if (!s) samplers.set(k, s = latencySampler(spec, sim.rng.fork(`dynamo/latency/${k}`)));
        delayMs = s();
      }
      net.send(out.to, out.msg, { delayMs, sizeBytes: bytes });
    }, { byzantine: false });
  };
  ids.forEach(intercept);

  sim.onEvent((e) => {
    switch (e.event.type) {
      case "hint-stored":
        counters.hintsStored++;
        break;
      case "hint-delivered":
        counters.hintsDelivered++;
        break;
      case "read-repair":
        counters.readRepairs++;
        break;
      case "coordinated": {
        const ok = e.event.status === "ok";
        if (e.event.op === "get") ok ? counters.getsOk++ : counters.getsUnavailable++;
        else ok ? counters.putsOk++ : counters.putsUnavailable++;
      }
    }
  });

  const history: HistoryEvent[] = [];
  let nextReq = 1;
  let clients = 0;
  let nextProcess = 0;

  const client = (options: { name?: string; home?: NodeId; timeoutMs?: number } = {}) => {
    const k = clients++;
    const id = options.name ?? `d${k}`;
    const home = options.home ?? ids[k % ids.length];
    if (!ids.includes(home)) {
      throw new ConfigError("dynamo client", [{
        path: "home",
        message: `"${home}" is not a server (servers: ${ids.join(", ")})`,
      }]);
    }
    const timeoutMs = options.timeoutMs ?? 4 * config.requestTimeoutMs + 100;
    const process = nextProcess++;
    const lastContext = new Map<string, DynamoContext>();
    const open = new Map<number, { op: DynamoOpImpl; node: NodeId }>();
    let ctxRef: NodeContext<DynamoMessage> | undefined;
    const finish = (
      rid: number,
      r: Omit<DynamoResult, "invokeMs" | "completeMs" | "latencyMs">,
    ) => {
      const o = open.get(rid);
      if (!o) return;
      open.delete(rid);
      const now = sim.nowMs;
      const op = o.op;
      op.result = { ...r, invokeMs: op.invokeMs, completeMs: now, latencyMs: now - op.invokeMs };
      op.done = true;
      if (op.op === "get" && r.status === "ok") lastContext.set(op.key, r.context);
      const base = {
        process,
        f: op.op === "get" ? "read" : "write",
        key: op.key,
        timeMs: now,
        node: o.node,
      };
      if (r.status === "ok") {
        history.push({
          type: "ok",
          ...base,
          value: op.op === "get" ? historyValue(r.values) : op.value,
        });
      } else if (op.op === "get" && r.status === "unavailable") {
        history.push({ type: "fail", ...base, value: null, error: "unavailable" });
      } else history.push({ type: "info", ...base, value: op.value, error: r.status });
    };
    sim.addNode(id, (ctx) => {
      ctxRef = ctx;
      return {
        onMessage(_from, msg) {
          if (msg.type !== "client-reply") return;
          finish(msg.id, {
            status: msg.status,
            values: msg.values ?? [],
            context: msg.context ?? EMPTY_CONTEXT,
            coordinator: msg.coordinator,
            acks: msg.acks,
          });
        },
        onTimer(name) {
          finish(Number(name.slice(2)), {
            status: "timeout",
            values: [],
            context: EMPTY_CONTEXT,
            acks: 0,
          });
        },
      };
    }, { role: "client" });
    intercept(id);
    const issue = (
      kind: "get" | "put",
      key: string,
      value: unknown,
      via: NodeId | undefined,
      q: QuorumOverride,
      context: DynamoContext | undefined,
    ): DynamoOp => {
      const quorum = resolveQuorum(config, q, ids.length);
      const to = via ?? home;
      if (!ids.includes(to)) {
        throw new ConfigError("dynamo request", [{
          path: "via",
          message: `"${to}" is not a server`,
        }]);
      }
      if (open.size > 0) {
        throw new ConfigError("dynamo request", [{
          path: "client",
          message:
            `client ${id} already has an operation in flight (one at a time, like a Jepsen process)`,
        }]);
      }
      const rid = nextReq++;
      const op = new DynamoOpImpl(rid, kind, key, value, sim.nowMs);
      open.set(rid, { op, node: to });
      history.push({
        type: "invoke",
        process,
        f: kind === "get" ? "read" : "write",
        key,
        value: kind === "get" ? null : value,
        timeMs: sim.nowMs,
        node: to,
      });
      const go = () => {
        const ctx = ctxRef!;
        ctx.setTimer(`t:${rid}`, timeoutMs);
        if (kind === "get") {
          ctx.send(to, { type: "client-get", id: rid, client: id, key, n: quorum.n, r: quorum.r });
        } else {
          ctx.send(to, {
            type: "client-put",
            id: rid,
            client: id,
            key,
            value,
            n: quorum.n,
            w: quorum.w,
            ...(context ? { context } : {}),
          });
        }
      };
      // a client added just now boots at the current time, after this call
      if (ctxRef) go();
      else sim.schedule(0, go);
      return op;
    };
    return {
      id,
      process,
      get: (key: string, o: GetOptions = {}) =>
        issue("get", key, null, o.via, {
          ...(o.r !== undefined ? { r: o.r } : {}),
          ...(o.n !== undefined ? { n: o.n } : {}),
        }, undefined),
      put: (key: string, value: unknown, o: PutOptions = {}) => {
        if (value === null || value === undefined) {
          throw new ConfigError("dynamo request", [{
            path: "value",
            message: "null stands for an absent key",
          }]);
        }
        const c = o.context === undefined || o.context === "last-read"
          ? lastContext.get(key)
          : o.context === "none"
          ? undefined
          : o.context;
        return issue("put", key, value, o.via, {
          ...(o.w !== undefined ? { w: o.w } : {}),
          ...(o.n !== undefined ? { n: o.n } : {}),
        }, c);
      },
    };
  };

  const storeOf = (id: NodeId): DynamoNodeState | undefined =>
    sim.node(id).inspect() as DynamoNodeState | undefined;

  return {
    sim,
    net: base.net,
    nodes: ids,
    config,
    ring,
    schedule: base.schedule,
    history,
    preferenceList: (key, n) => ring.preferenceList(key, n ?? config.n),
    client,
    workload(generator, options) {
      const { quorumFor, context, ...rest } = options;
      const driver = dynamoDriver({
        ...(context ? { context } : {}),
        ...(quorumFor
          ? {
            quorumFor: (op: ClientOp) => {
              const q = quorumFor(op);
              // a bad per-operation quorum is refused (ConfigError) when it is sent
              resolveQuorum(config, q, ids.length);
              return q;
            },
          }
          : {}),
      });
      const w = installWorkload(sim, driver, generator, rest);
      w.clientIds.forEach(intercept);
      return w;
    },
    run(untilMs) {
      sim.run({ untilMs });
    },
    settle(ops, maxMs = 60_000) {
      const end = sim.nowMs + maxMs;
      sim.run({ untilMs: end, until: () => ops.every((o) => o.done) });
    },
    counters: () => structuredClone(counters),
    replicaSnapshots() {
      const stores = new Map(ids.map((id) => [id, storeOf(id)?.store]));
      const keys = new Set<string>();
      for (const s of stores.values()) for (const k of Object.keys(s ?? {})) keys.add(k);
      const sorted = [...keys].sort();
      return Array.from({ length: config.n }, (_, rank) => {
        const state: Record<string, unknown> = {};
        for (const key of sorted) {
          const owner = ring.preferenceList(key, config.n)[rank];
          const vs = stores.get(owner)?.[key];
          if (vs) state[key] = sortedValues(vs);
        }
        return { replica: `rank${rank}`, state };
      });
    },
    nodeSnapshots() {
      return ids.flatMap((id) => {
        const s = storeOf(id);
        if (!s) return [];
        const state: Record<string, unknown> = {};
        for (const k of Object.keys(s.store).sort()) state[k] = sortedValues(s.store[k]);
        return [{ replica: id, state }];
      });
    },
    nodeState: storeOf,
    faultWindows: (endMs) => base.faultWindows(endMs),
    repairAll: () => base.repairAll(),
    traceHash: () => sim.trace.hash(),
  };
}

class DynamoOpImpl implements DynamoOp {
  done = false;
  result: DynamoResult | undefined = undefined;
  constructor(
    readonly id: number,
    readonly op: "get" | "put",
    readonly key: string,
    readonly value: unknown,
    readonly invokeMs: number,
  ) {}
}

/** Merge the versions every live node holds for `key` (main store and hints): what a full read would see. */
export function allVersions(cluster: DynamoCluster, key: string): Version[] {
  let out: Version[] = [];
  for (const id of cluster.nodes) {
    const s = cluster.nodeState(id);
    if (!s) continue;
    if (s.store[key]) out = mergeVersions(cluster.config.conflict, out, s.store[key]);
    for (const h of Object.values(s.hints)) {
      if (h[key]) out = mergeVersions(cluster.config.conflict, out, h[key]);
    }
  }
  return out;
}
