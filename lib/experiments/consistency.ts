/**
 * Experiments of notebook 02 (consistency models). Four stores run on the simulator with the
 * same clients and the same partition schedule, and every history they produce goes through every
 * checker of `lib/checkers`:
 *
 * - `raft`: the Raft key-value store (reads confirmed by a heartbeat round, thesis §6.4):
 *   linearizable, unavailable on the minority side of a partition;
 * - `causal`: causal memory (Ahamad, Neiger, Burns, Kohli, Hutto 1995) — each replica applies
 *   writes in causal-broadcast delivery order and a read returns the local copy; concurrent
 *   writes of one key may be applied in different orders at different replicas;
 * - `cops`: the COPS-style causal+ store of `lib/protocols/cops` (Lloyd, Freedman, Kaminsky,
 *   Andersen, SOSP 2011): dependencies checked before a remote write is applied, LWW between
 *   concurrent writes, so replicas converge (causal convergence, CCv);
 * - `lww`: an eventually consistent store — one LWW-Register CRDT per key (Shapiro et al. 2011,
 *   §3.2.1), with per-key anti-entropy (each gossip round sends one key's state to one peer), so
 *   keys travel independently, like Dynamo-style stores without causal metadata.
 *
 * Clients of `cops`, `causal` and `lww` are co-located with a replica (a request takes about
 * `LOCAL_MS`) and never leave their side of a partition; clients of `raft` talk to their home
 * server and follow leader hints. Every history is differentiated (each value written once), so the polynomial
 * causal checkers apply.
 * @module
 */
import { z } from "zod";
import { quantile } from "d3-array";
import {
  checkCausal,
  checkConvergence,
  checkLinearizability,
  checkSequential,
  checkSessionGuarantees,
  checkStaleness,
  kvModel,
  type ReplicaSnapshot,
  type RwWitnessOp,
  SESSION_GUARANTEES,
  type SessionGuarantee,
  type WitnessOperation,
} from "../checkers/mod.ts";
import { createCluster } from "../net/cluster.ts";
import { CausalBroadcastNode } from "../protocols/causal/node.ts";
import { createCopsCluster } from "../protocols/cops/mod.ts";
import type { CausalMessage } from "../protocols/causal/messages.ts";
import { lwwRegister, type LWWRegisterState } from "../protocols/crdt/state.ts";
import type { KvServer } from "../protocols/kv/server.ts";
import type { RaftMessage } from "../protocols/raft/messages.ts";
import { type RaftKvMessage, raftKvServer } from "../protocols/raft/kv.ts";
import { parseConfig } from "../sim/errors.ts";
import type { Simulation } from "../sim/simulation.ts";
import type { NodeContext, NodeId, ProtocolNode } from "../sim/types.ts";
import { installWorkload, type OpGenerator } from "../workload/client.ts";
import { type HistoryEvent, type Operation, pairOperations } from "../workload/history.ts";
import { type Claim, claim, notApplicable } from "./claims.ts";
import { trackingKvDriver } from "./smr_kv.ts";
import { SMR_RAFT } from "./smr_params.ts";

// ---- parameters -------------------------------------------------------------------------------

/** Notebook 02's parameters (zod). */
export const ConsistencyParamsSchema = z.object({
  /** Root seed. */
  seed: z.number().int().default(1),
  /** Replicas per store (3–7). */
  replicas: z.number().int().min(3).max(7).default(3),
  /** Client sessions (each bound to replica `process mod replicas`). */
  clients: z.number().int().min(2).max(12).default(4),
  /** Keys of the multi-key runs (2–6; the one-key run always uses 1). */
  keys: z.number().int().min(2).max(6).default(2),
  /** Fraction of operations that are writes. */
  writeRatio: z.number().min(0.1).max(0.9).default(0.5),
  /** Clients issue operations until this time (ms). */
  runMs: z.number().int().min(1_000).max(20_000).default(3_000),
  /** Mean think time between a client's operations (exponential, ms). */
  thinkMsMean: z.number().min(1).max(500).default(25),
  /** One-way network latency, uniform in [latencyMsMin, latencyMsMax] (ms). */
  latencyMsMin: z.number().min(1).max(100).default(2),
  latencyMsMax: z.number().min(0.1).max(200).default(20),
  /** Anti-entropy period of the LWW store (ms). */
  gossipIntervalMs: z.number().min(1).max(1_000).default(40),
  /** The partition of the cost run starts here (ms) ... */
  partitionAtMs: z.number().int().min(500).max(15_000).default(1_000),
  /** ... and lasts this long (ms). */
  partitionForMs: z.number().int().min(200).max(10_000).default(1_800),
  /** Seeds of the map-of-models sweep (each runs every store). */
  seeds: z.number().int().min(1).max(20).default(2),
  /** Step budget of the sequential-consistency search (past it: "unknown"). */
  seqStepBudget: z.number().int().min(1_000).max(10_000_000).default(3_000_000),
  /** Seeds tried per ladder step until a run shows the separation (p.seed, p.seed + 1, ...). */
  ladderTries: z.number().int().min(1).max(20).default(12),
}).strict().refine((p) => p.latencyMsMin <= p.latencyMsMax, {
  message: "latencyMsMin must be ≤ latencyMsMax",
  path: ["latencyMsMin"],
}).refine((p) => p.partitionAtMs + p.partitionForMs < p.runMs, {
  message: "the partition must end before runMs",
  path: ["partitionForMs"],
});

/** Parameters as written. */
export type ConsistencyParamsInput = z.input<typeof ConsistencyParamsSchema>;
/** Parameters with defaults. */
export type ConsistencyParams = z.output<typeof ConsistencyParamsSchema>;

/** Parse notebook 02's parameters (a ConfigError names any bad field). */
export function parseConsistencyParams(input: unknown): ConsistencyParams {
  return parseConfig(ConsistencyParamsSchema, input, "consistency parameters");
}

// ---- the stores -------------------------------------------------------------------------------

/** The stores of the experiments. */
export type StoreKind = "raft" | "cops" | "causal" | "lww";
/** Every store, strongest first. */
export const STORE_KINDS: readonly StoreKind[] = ["raft", "cops", "causal", "lww"];
/** What each store is, for tables. */
export const STORE_LABELS: Readonly<Record<StoreKind, string>> = {
  raft: "Raft KV (reads by readIndex)",
  cops: "COPS-style causal+ store",
  causal: "causal memory over causal broadcast",
  lww: "LWW-Register per key, per-key gossip",
};

/** Raft clients give up an attempt after this long (ms) and retry with another server. */
export const RAFT_CLIENT_TIMEOUT_MS = 200;

/** How long a co-located client's request takes at its replica (ms). */
export const LOCAL_MS = 0.5;

type LwwGossip = { readonly type: "lww"; readonly key: string; readonly state: LWWRegisterState };

/**
 * A replica of the eventually consistent store: one LWW-Register CRDT per key; every
 * `gossipIntervalMs` it sends the state of one key (round robin) to one random peer, which merges.
 */
export class LwwKvReplica implements ProtocolNode<LwwGossip> {
  #ctx: NodeContext<LwwGossip>;
  #regs = new Map<string, LWWRegisterState>();
  #seq = 0;
  #turn = 0;
  /** A replica gossiping every `gossipIntervalMs` over `keys`. */
  constructor(
    ctx: NodeContext<LwwGossip>,
    readonly keys: readonly string[],
    readonly gossipIntervalMs: number,
  ) {
    this.#ctx = ctx;
  }
  start(): void {
    this.#ctx.setTimer("gossip", this.gossipIntervalMs);
  }
  /** The value of `key` here (null: never written). */
  read(key: string): unknown {
    return this.#regs.get(key)?.x ?? null;
  }
  /** Assign `value` to `key` here (LWW timestamp from the local clock). */
  write(key: string, value: unknown): void {
    const s = this.#regs.get(key) ?? lwwRegister.initial();
    this.#seq++;
    this.#regs.set(
      key,
      lwwRegister.update(s, { type: "assign", x: value }, {
        replica: this.#ctx.self,
        nowMs: this.#ctx.nowMs(),
        seq: this.#seq,
      }),
    );
  }
  onTimer(): void {
    const key = this.keys[this.#turn++ % this.keys.length];
    const state = this.#regs.get(key);
    const peers = this.#ctx.peers;
    if (state && peers.length) {
      this.#ctx.send(this.#ctx.rng.pick(peers), { type: "lww", key, state });
    }
    this.#ctx.setTimer("gossip", this.gossipIntervalMs);
  }
  onMessage(_from: NodeId, m: LwwGossip): void {
    const s = this.#regs.get(m.key) ?? lwwRegister.initial();
    this.#regs.set(m.key, lwwRegister.merge(s, m.state));
  }
  inspect(): Record<string, unknown> {
    return Object.fromEntries(this.keys.map((k) => [k, this.read(k)]));
  }
}

type CausalWrite = { readonly key: string; readonly value: unknown };

/**
 * A replica of causal memory: writes are causally broadcast, each delivery overwrites the local
 * copy (so replicas may end with different values after concurrent writes: no convergence rule).
 */
export class CausalMemoryReplica implements ProtocolNode<CausalMessage<CausalWrite>> {
  #store = new Map<string, unknown>();
  #cb: CausalBroadcastNode<CausalWrite>;
  /** A replica over a causal broadcast node with default parameters. */
  constructor(ctx: NodeContext<CausalMessage<CausalWrite>>, readonly keys: readonly string[]) {
    this.#cb = new CausalBroadcastNode<CausalWrite>(ctx, {}, {
      onDeliver: (m) => this.#store.set(m.payload.key, m.payload.value),
    });
  }
  start(): void {
    this.#cb.start();
  }
  onTimer(name: string): void {
    this.#cb.onTimer?.(name);
  }
  onMessage(from: NodeId, m: CausalMessage<CausalWrite>): void {
    this.#cb.onMessage(from, m);
  }
  /** The local copy of `key` (null: never written). */
  read(key: string): unknown {
    return this.#store.get(key) ?? null;
  }
  /** Write: delivered here at once, then broadcast. */
  write(key: string, value: unknown): void {
    this.#cb.broadcast({ key, value });
  }
  inspect(): Record<string, unknown> {
    return Object.fromEntries(this.keys.map((k) => [k, this.read(k)]));
  }
}

/** Options of one store run. */
export interface StoreRunOptions {
  /** Keys (default `p.keys`). */
  readonly keys?: number;
  /** Seed (default `p.seed`). */
  readonly seed?: number;
  /** Cut the cluster at `p.partitionAtMs` for `p.partitionForMs` (default false). */
  readonly partition?: boolean;
  /** Per-node clock offsets (ms), e.g. to skew LWW timestamps. */
  readonly clockOffsetsMs?: readonly number[];
}

/** One run of a store: plain data (cacheable). */
export interface StoreRun {
  readonly kind: StoreKind;
  readonly seed: number;
  readonly keys: number;
  readonly history: readonly HistoryEvent[];
  /** Replica states after the run, the heal and a quiet period. */
  readonly replicaStates: readonly ReplicaSnapshot[];
  /** Minority and majority sides (node ids), present when partitioned. */
  readonly sides?: { readonly minority: readonly NodeId[]; readonly majority: readonly NodeId[] };
  /** Clients stop here (ms); replicas are snapshotted at `endMs`. */
  readonly workloadEndMs: number;
  readonly endMs: number;
}

/** The minority side of a partition of `nodes`: the first floor((n − 1) / 2) nodes. */
export function minoritySide(nodes: readonly NodeId[]): NodeId[] {
  return nodes.slice(0, Math.floor((nodes.length - 1) / 2));
}

function network(p: ConsistencyParams) {
  return { latency: { kind: "uniform" as const, minMs: p.latencyMsMin, maxMs: p.latencyMsMax } };
}

function clocks(nodes: readonly NodeId[], offsets?: readonly number[]) {
  if (!offsets) return undefined;
  return Object.fromEntries(nodes.map((id, i) => [id, { offsetMs: offsets[i] ?? 0 }]));
}

/** Quiet time after the workload, for anti-entropy to finish before replicas are compared (ms). */
export function settleMs(p: ConsistencyParams, keys: number): number {
  return Math.max(1_000, 20 * keys * p.gossipIntervalMs + 10 * p.latencyMsMax);
}

function localClients(
  sim: Simulation<unknown>,
  nodes: readonly NodeId[],
  p: ConsistencyParams,
  keys: number,
  startMs: number,
  endMs: number,
): HistoryEvent[] {
  const history: HistoryEvent[] = [];
  for (let process = 0; process < p.clients; process++) {
    const node = nodes[process % nodes.length];
    const rng = sim.rng.fork(`client-${process}`);
    let written = 0;
    const step = () => {
      if (sim.nowMs >= endMs) return;
      const replica = sim.instanceOf<LwwKvReplica | CausalMemoryReplica>(node);
      if (!replica) return;
      const key = `k${rng.int(0, keys - 1)}`;
      const write = rng.chance(p.writeRatio);
      const value = write ? `${process}.${++written}` : null;
      const t = sim.nowMs;
      history.push({
        type: "invoke",
        process,
        f: write ? "put" : "get",
        key,
        value,
        timeMs: t,
        node,
      });
      const result = write ? (replica.write(key, value), value) : replica.read(key);
      sim.at(t + LOCAL_MS, () => {
        history.push({
          type: "ok",
          process,
          f: write ? "put" : "get",
          key,
          value: result,
          timeMs: sim.nowMs,
          node,
        });
        sim.at(sim.nowMs + rng.exponential(p.thinkMsMean), step);
      });
    };
    sim.at(startMs + rng.uniform(0, p.thinkMsMean), step);
  }
  return history;
}

/**
 * Reads and writes of keys k0..k{keys−1}, uniformly; each write's value is unique
 * ("<process>.<n>"), so histories are differentiated. `names` are the read and write operation
 * names the store's driver expects.
 */
export function uniqueWriteGenerator(
  keys: number,
  writeRatio: number,
  names: readonly [string, string],
): OpGenerator {
  const counters = new Map<number, number>();
  return (rng, process) => {
    const key = `k${rng.int(0, keys - 1)}`;
    if (!rng.chance(writeRatio)) return { f: names[0], key, value: null };
    const n = (counters.get(process) ?? 0) + 1;
    counters.set(process, n);
    return { f: names[1], key, value: `${process}.${n}` };
  };
}

/** Run one store under the notebook's workload (and the partition, when asked). */
export function runStore(kind: StoreKind, p: ConsistencyParams, o: StoreRunOptions = {}): StoreRun {
  const keys = o.keys ?? p.keys;
  const seed = o.seed ?? p.seed;
  const keyNames = Array.from({ length: keys }, (_, i) => `k${i}`);
  const startMs = kind === "raft" ? 600 : 50; // Raft needs a leader first
  const workloadEndMs = p.runMs;
  const endMs = p.runMs + settleMs(p, keys);
  if (kind === "cops") return runCops(p, keys, seed, o);
  let sim: Simulation<unknown>;
  let nodes: NodeId[];
  let net: { partition(g: readonly (readonly NodeId[])[]): void; heal(): void };
  let history: HistoryEvent[];
  let clientHome: (c: NodeId) => NodeId | undefined = () => undefined;
  let clientIds: readonly NodeId[] = [];
  const base = {
    seed,
    nodes: p.replicas,
    network: network(p),
    clocks: clocks(nodeIdsOf(p.replicas), o.clockOffsetsMs),
    trace: { mode: "off" as const },
  };
  if (kind === "raft") {
    const c = createCluster<RaftKvMessage>({ ...base, factory: raftKvServer({ raft: SMR_RAFT }) });
    sim = c.sim as Simulation<unknown>;
    nodes = [...c.nodes];
    net = c.net;
    const gen = uniqueWriteGenerator(keys, p.writeRatio, ["get", "put"]);
    const w = installWorkload(c.sim, trackingKvDriver(c.nodes), gen, {
      mode: "closed",
      clients: p.clients,
      startMs,
      endMs: workloadEndMs,
      timeoutMs: RAFT_CLIENT_TIMEOUT_MS,
      retries: 50, // as in notebook 04: each timeout moves the client on to another server
      retryBackoffMs: 5,
      thinkTimeMs: p.thinkMsMean,
    });
    history = w.history;
    clientIds = w.clientIds;
    clientHome = (cid) => nodes[clientIds.indexOf(cid) % nodes.length];
  } else {
    const c = kind === "lww"
      ? createCluster<LwwGossip>({
        ...base,
        factory: (ctx) => new LwwKvReplica(ctx, keyNames, p.gossipIntervalMs),
      })
      : createCluster<CausalMessage<CausalWrite>>({
        ...base,
        factory: (ctx) => new CausalMemoryReplica(ctx, keyNames),
      });
    sim = c.sim as Simulation<unknown>;
    nodes = [...c.nodes];
    net = c.net;
    history = localClients(sim, nodes, p, keys, startMs, workloadEndMs);
  }
  let sides: StoreRun["sides"];
  if (o.partition) {
    const minority = minoritySide(nodes);
    const majority = nodes.filter((id) => !minority.includes(id));
    sides = { minority, majority };
    const side = (group: readonly NodeId[]) => [
      ...group,
      ...clientIds.filter((cid) => group.includes(clientHome(cid)!)),
    ];
    sim.at(p.partitionAtMs, () => net.partition([side(minority), side(majority)]));
    sim.at(p.partitionAtMs + p.partitionForMs, () => net.heal());
  }
  sim.run({ untilMs: endMs });
  const replicaStates: ReplicaSnapshot[] = nodes.map((node) => {
    const inst = sim.instanceOf(node);
    if (kind === "raft") {
      const s = inst as unknown as KvServer<RaftMessage> | undefined;
      return { replica: node, state: Object.fromEntries(s ? s.machine.entries() : []) };
    }
    return { replica: node, state: (inst as LwwKvReplica | CausalMemoryReplica).inspect() };
  });
  return { kind, seed, keys, history, replicaStates, sides, workloadEndMs, endMs };
}

function runCops(p: ConsistencyParams, keys: number, seed: number, o: StoreRunOptions): StoreRun {
  const nodes = nodeIdsOf(p.replicas);
  const minority = minoritySide(nodes);
  const majority = nodes.filter((id) => !minority.includes(id));
  const settle = settleMs(p, keys);
  const store = createCopsCluster({
    seed,
    datacenters: p.replicas,
    clients: p.clients,
    keys,
    writeRatio: p.writeRatio,
    thinkTimeMs: p.thinkMsMean,
    endMs: p.runMs,
    settleMs: settle,
    // uniform, not constant: with a constant think time, constant latency keeps the clients in
    // lock-step, every operation overlapping others, and linearizability becomes trivially easy
    localLatency: { kind: "uniform", minMs: 0.1 * LOCAL_MS, maxMs: 0.9 * LOCAL_MS },
    wanLatency: { kind: "uniform", minMs: p.latencyMsMin, maxMs: p.latencyMsMax },
    ...(o.partition
      ? {
        nemesis: [
          { atMs: p.partitionAtMs, type: "partition", groups: [minority, majority] },
          { atMs: p.partitionAtMs + p.partitionForMs, type: "heal" },
        ],
      }
      : {}),
  });
  const run = store.run();
  return {
    kind: "cops",
    seed,
    keys,
    history: run.history,
    replicaStates: run.snapshots,
    sides: o.partition ? { minority, majority } : undefined,
    workloadEndMs: p.runMs,
    endMs: p.runMs + settle,
  };
}

function nodeIdsOf(n: number): NodeId[] {
  return Array.from({ length: n }, (_, i) => `n${i}`);
}

// ---- every checker on a history -----------------------------------------------------------------

/** The models the checkers decide, strongest first. */
export type ModelName =
  | "linearizable"
  | "sequential"
  | "CM"
  | "CCv"
  | "CC"
  | SessionGuarantee
  | "convergent";

/**
 * The strongest models of the map that hold for a history: linearizable, else sequential, else
 * every one of the incomparable CM and CCv that holds (joined by " + "), else CC, else
 * convergent, else "none". Sequential consistency implies both CM and CCv, and each implies CC.
 */
export function strongestModels(verdicts: Readonly<Partial<Record<ModelName, string>>>): string {
  const ok = (m: ModelName) => verdicts[m] === "ok";
  if (ok("linearizable")) return "linearizable";
  if (ok("sequential")) return "sequential";
  const causal = (["CM", "CCv"] as const).filter(ok);
  if (causal.length > 0) return causal.join(" + ");
  for (const m of ["CC", "convergent"] as const) if (ok(m)) return m;
  return "none";
}

/** Every model, in the order of the tables. */
export const MODELS: readonly ModelName[] = [
  "linearizable",
  "sequential",
  "CM",
  "CCv",
  "CC",
  ...SESSION_GUARANTEES,
  "convergent",
];

/** A checker's verdict. */
export type ModelVerdict = "ok" | "illegal" | "unknown";

/** A witness in chartable form: the operations (indices into `ops`) and one explanation. */
export interface DrawnWitness {
  readonly model: ModelName;
  readonly label: string;
  readonly opIds: readonly number[];
  readonly explanation: string;
}

/** All verdicts of one history, with witnesses for the illegal ones. */
export interface ModelReport {
  readonly kind: StoreKind;
  readonly seed: number;
  readonly keys: number;
  readonly operations: number;
  readonly verdicts: Readonly<Record<ModelName, ModelVerdict>>;
  readonly witnesses: Readonly<Partial<Record<ModelName, DrawnWitness>>>;
  /** Staleness: reads that missed a completed write, the worst lag (ms) and versions behind. */
  readonly staleReads: number;
  readonly reads: number;
  readonly maxLagMs: number;
  readonly maxVersionsBehind: number;
}

function opIdsOf(ops: readonly Operation[], w: readonly RwWitnessOp[]): number[] {
  const byInvoke = new Map(ops.map((o, i) => [o.invokeIndex, i]));
  return w.map((x) => byInvoke.get(x.invokeIndex)!).filter((i) => i !== undefined);
}

/** Run every checker on a run's history (sequential consistency with the step budget). */
export function checkModels(run: StoreRun, p: ConsistencyParams): ModelReport {
  const ops = pairOperations(run.history);
  const v: Partial<Record<ModelName, ModelVerdict>> = {};
  const w: Partial<Record<ModelName, DrawnWitness>> = {};
  const lin = checkLinearizability(ops, kvModel({ initial: null }));
  v.linearizable = lin.verdict;
  if (lin.witness) {
    w.linearizable = {
      model: "linearizable",
      label: lin.witness.label,
      opIds: lin.witness.operations.map((o) => o.id),
      explanation: lin.witness.explanation,
    };
  }
  const seq = checkSequential(run.history, { stepBudget: p.seqStepBudget });
  v.sequential = seq.verdict;
  if (seq.witness) {
    w.sequential = {
      model: "sequential",
      label: `${seq.witness.operations.length} operations`,
      opIds: opIdsOf(ops, seq.witness.operations),
      explanation: seq.witness.explanation,
    };
  }
  for (const model of ["CM", "CCv", "CC"] as const) {
    const r = checkCausal(run.history, { model });
    v[model] = r.verdict;
    if (r.witness) {
      w[model] = {
        model,
        label: r.witness.pattern,
        opIds: opIdsOf(ops, r.witness.operations),
        explanation: r.witness.explanation,
      };
    }
  }
  const s = checkSessionGuarantees(run.history);
  for (const g of SESSION_GUARANTEES) {
    const r = s.guarantees[g];
    v[g] = r.verdict;
    if (r.witness) {
      w[g] = {
        model: g,
        label: g,
        opIds: opIdsOf(ops, r.witness.operations),
        explanation: r.witness.explanation,
      };
    }
  }
  const conv = checkConvergence(run.replicaStates);
  v.convergent = conv.verdict;
  if (conv.witness) {
    w.convergent = {
      model: "convergent",
      label: conv.witness.key,
      opIds: [],
      explanation: conv.witness.explanation,
    };
  }
  const st = checkStaleness(run.history);
  return {
    kind: run.kind,
    seed: run.seed,
    keys: run.keys,
    operations: ops.length,
    verdicts: v as Record<ModelName, ModelVerdict>,
    witnesses: w,
    staleReads: st.staleReads,
    reads: st.reads,
    maxLagMs: st.maxLagMs,
    maxVersionsBehind: st.maxVersionsBehind,
  };
}

/**
 * A witness as `historyChart` draws it: the operations of `ops` it names, all "critical".
 */
export function chartWitness(
  ops: readonly Operation[],
  w: DrawnWitness,
): { operations: WitnessOperation[]; label: string } {
  return {
    label: `${w.model}: ${w.label}`,
    operations: w.opIds.map((id) => {
      const o = ops[id];
      return {
        id,
        process: o.process,
        f: o.f,
        key: o.key,
        input: o.input,
        output: o.output,
        status: o.status === "ok" ? "ok" : "info",
        invokeMs: o.invokeMs,
        completeMs: o.completeMs,
        role: "critical" as const,
        inFrontier: false,
        description: o.f === "put" ? `put(${o.key}, ${o.input})` : `get(${o.key}) → ${o.output}`,
      };
    }),
  };
}

// ---- the ladder: one history per step, accepted by one model and rejected by the stronger -------

/** One step of the ladder. */
export interface LadderStep {
  /** The weaker model the history satisfies, and the stronger one it breaks. */
  readonly accepted: ModelName;
  readonly rejected: ModelName | null;
  readonly run: StoreRun;
  readonly report: ModelReport;
  /** Seeds tried before this run (1: the first seed showed it). */
  readonly tries: number;
}

/**
 * The runs of the ladder: for each step, the first seed of p.seed, p.seed + 1, ... (at most
 * `p.ladderTries`) whose history satisfies the weaker model and breaks the stronger one (or the
 * last seed tried, which {@link checkLadder} then fails).
 */
export function ladder(p: ConsistencyParams): LadderStep[] {
  const steps: [StoreKind, number, ModelName, ModelName | null][] = [
    ["raft", p.keys, "linearizable", null],
    ["lww", 1, "sequential", "linearizable"],
    ["causal", p.keys, "CM", "sequential"],
    ["lww", p.keys, "convergent", "CC"],
  ];
  return steps.map(([kind, keys, accepted, rejected]) => {
    let step: LadderStep | undefined;
    for (let i = 0; i < p.ladderTries; i++) {
      const run = runStore(kind, p, { keys, seed: p.seed + i });
      // the two verdicts that matter first (cheap), every checker only on the run kept
      const shown = (rejected === null || verdictOf(run, rejected, p) === "illegal") &&
        verdictOf(run, accepted, p) === "ok";
      if (shown || i === p.ladderTries - 1) {
        // the NP-complete search at full budget only where the step is about sequential consistency
        const seqMatters = accepted === "sequential" || rejected === "sequential";
        const q = seqMatters ? p : { ...p, seqStepBudget: Math.min(p.seqStepBudget, 200_000) };
        step = { accepted, rejected, run, report: checkModels(run, q), tries: i + 1 };
        break;
      }
    }
    if (rejected === "sequential" && step!.report.verdicts.sequential === "illegal") {
      const short = shortSequentialWitness(step!.run, p);
      if (short) {
        step = {
          ...step!,
          report: { ...step!.report, witnesses: { ...step!.report.witnesses, sequential: short } },
        };
      }
    }
    return step!;
  });
}

/**
 * A small sequential-consistency witness: the shortest prefix of the history (in events) that is
 * not sequentially consistent, found by bisection, then shrunk by the checker (reads in these
 * stores return values written earlier in real time, so every prefix is a history of its own).
 */
export function shortSequentialWitness(
  run: StoreRun,
  p: ConsistencyParams,
): DrawnWitness | undefined {
  const h = run.history;
  const illegal = (n: number) =>
    checkSequential(h.slice(0, n), { stepBudget: p.seqStepBudget, minimize: false }).verdict ===
      "illegal";
  if (!illegal(h.length)) return undefined;
  let lo = 0, hi = h.length; // prefix lo is not illegal, prefix hi is
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (illegal(mid)) hi = mid;
    else lo = mid;
  }
  const prefix = h.slice(0, hi);
  const r = checkSequential(prefix, { stepBudget: p.seqStepBudget, minimizeMaxOperations: 1_000 });
  if (!r.witness) return undefined;
  return {
    model: "sequential",
    label: `${r.witness.operations.length} operations${r.witness.minimal ? " (minimal)" : ""}`,
    opIds: opIdsOf(pairOperations(h), r.witness.operations),
    explanation: r.witness.explanation,
  };
}

/** One model's verdict on a run (the same checkers as {@link checkModels}). */
export function verdictOf(run: StoreRun, model: ModelName, p: ConsistencyParams): ModelVerdict {
  switch (model) {
    case "linearizable":
      return checkLinearizability(pairOperations(run.history), kvModel({ initial: null })).verdict;
    case "sequential":
      return checkSequential(run.history, { stepBudget: p.seqStepBudget, minimize: false }).verdict;
    case "CM":
    case "CCv":
    case "CC":
      return checkCausal(run.history, { model }).verdict;
    case "convergent":
      return checkConvergence(run.replicaStates).verdict;
    default:
      return checkSessionGuarantees(run.history).guarantees[model].verdict;
  }
}

/** What theory predicts for each step of the ladder. */
export function checkLadder(steps: readonly LadderStep[]): Claim[] {
  const why: Record<string, string> = {
    "raft/linearizable": "every get is confirmed by a majority heartbeat round after the leader " +
      "applied all earlier commits (readIndex), so each operation takes effect inside its interval",
    "lww/sequential": "with one key, every replica's value only moves forward in the single LWW " +
      "timestamp order and a write after a merge always gets a larger timestamp, so the " +
      "timestamp order with each session's reads placed between the writes is a sequential " +
      "order; but a replica answers before gossip arrives, so reads miss completed writes",
    "causal/CM": "replicas apply writes in causal delivery order (causal memory), but concurrent " +
      "writes of a key reach different replicas in different orders, which no single order explains",
    "lww/convergent": "LWW merge is a join, so replicas agree once gossip stops; but keys travel " +
      "separately, so a read can see a write without the writes it depended on",
  };
  return steps.map((s) => {
    const r = s.report;
    const acc = r.verdicts[s.accepted];
    const rej = s.rejected ? r.verdicts[s.rejected] : "illegal";
    const text = s.rejected
      ? `${STORE_LABELS[s.run.kind]} (${s.run.keys} key${s.run.keys > 1 ? "s" : ""}): ` +
        `${s.accepted} holds, ${s.rejected} fails — ${why[`${s.run.kind}/${s.accepted}`]}`
      : `${STORE_LABELS[s.run.kind]}: linearizable — ${why["raft/linearizable"]}`;
    return claim(
      text,
      acc === "ok" && rej === "illegal",
      `seed ${s.run.seed} (try ${s.tries}), ${r.operations} operations: ${s.accepted} ${acc}` +
        (s.rejected
          ? `, ${s.rejected} ${rej} (${r.witnesses[s.rejected]?.label ?? "no witness"})`
          : ""),
    );
  });
}

// ---- the map of models --------------------------------------------------------------------------

/**
 * Implications between the models as the checkers define them: linearizability ⇒ sequential
 * (Herlihy & Wing 1990: real-time order only adds constraints); sequential ⇒ CM and CCv, CM ⇒ CC,
 * CCv ⇒ CC (Bouajjani et al. 2017, §3); CC ⇒ each session guarantee (a violation of one is a
 * WriteCORead or WriteCOInitRead pattern); linearizable ⇒ convergent is NOT listed: convergence is
 * about replica state, not the client history.
 */
export const IMPLICATIONS: readonly (readonly [ModelName, ModelName])[] = [
  ["linearizable", "sequential"],
  ["sequential", "CM"],
  ["sequential", "CCv"],
  ["CM", "CC"],
  ["CCv", "CC"],
  ...SESSION_GUARANTEES.map((g) => ["CC", g] as const),
];

/** Every store on `p.seeds` seeds (one and `p.keys` keys for the LWW store), each history checked. */
export function modelSweep(p: ConsistencyParams): ModelReport[] {
  const out: ModelReport[] = [];
  for (let i = 0; i < p.seeds; i++) {
    const seed = p.seed + 1 + i;
    for (
      const [kind, keys] of [["raft", p.keys], ["cops", p.keys], ["causal", p.keys], ["lww", 1], [
        "lww",
        p.keys,
      ]] as const
    ) {
      out.push(checkModels(runStore(kind, p, { seed, keys }), p));
    }
  }
  return out;
}

/** Count, per implication A ⇒ B, the histories where A holds and B does not (must be 0). */
export function implicationCounterexamples(
  reports: readonly Pick<ModelReport, "verdicts">[],
): { from: ModelName; to: ModelName; both: number; counterexamples: number; separating: number }[] {
  return IMPLICATIONS.map(([a, b]) => ({
    from: a,
    to: b,
    both: reports.filter((r) => r.verdicts[a] === "ok" && r.verdicts[b] === "ok").length,
    counterexamples:
      reports.filter((r) => r.verdicts[a] === "ok" && r.verdicts[b] === "illegal").length,
    separating: reports.filter((r) => r.verdicts[b] === "ok" && r.verdicts[a] === "illegal").length,
  }));
}

/** The implications hold on every generated history (no history satisfies A and breaks B). */
export function checkImplications(reports: readonly Pick<ModelReport, "verdicts">[]): Claim[] {
  const rows = implicationCounterexamples(reports);
  const unknown = reports.filter((r) => MODELS.some((m) => r.verdicts[m] === "unknown")).length;
  return [
    claim(
      "the checkers agree with the map: no history satisfies a model and breaks one it implies",
      rows.every((r) => r.counterexamples === 0),
      rows.filter((r) => r.counterexamples > 0).map((r) =>
        `${r.from} ⇒ ${r.to}: ${r.counterexamples}`
      )
        .join("; ") ||
        `${IMPLICATIONS.length} implications, ${reports.length} histories, 0 counterexamples` +
          (unknown ? ` (${unknown} with an "unknown" verdict)` : ""),
    ),
    strictness(
      reports,
      "the map is strict: some history is sequential but not linearizable (the one-key LWW store's stale reads)",
      "linearizable",
      "sequential",
    ),
    strictness(
      reports,
      "the map is strict: some history is causal memory but not sequential (causal memory's concurrent writes)",
      "sequential",
      "CM",
    ),
  ];
}

/**
 * Some history satisfies `weak` and breaks `strong`. Histories where the checker of `strong` said
 * "unknown" (the sequential search ran out of budget) cannot count either way: when every
 * candidate (weak ok, strong not ok) is unknown, the claim does not apply.
 */
function strictness(
  reports: readonly Pick<ModelReport, "verdicts">[],
  text: string,
  strong: ModelName,
  weak: ModelName,
): Claim {
  const candidates = reports.filter((r) =>
    r.verdicts[weak] === "ok" && r.verdicts[strong] !== "ok"
  );
  const separating = candidates.filter((r) => r.verdicts[strong] === "illegal").length;
  if (candidates.length > 0 && separating === 0) {
    return notApplicable(
      text,
      `the ${strong} checker answered "unknown" on all ${candidates.length} candidates`,
    );
  }
  return claim(text, separating > 0, `${separating} of ${reports.length} histories`);
}

// ---- cost: latency and availability -------------------------------------------------------------

/** Latency and availability of one store under the partition. */
export interface CostRow {
  readonly kind: StoreKind;
  readonly label: string;
  /** Strongest model its history satisfied in this run. */
  /** {@link strongestModels} of the run's verdicts. */
  readonly strongest: string;
  /** Latency of ok operations outside the partition (ms). */
  readonly meanMs: number;
  readonly p99Ms: number;
  /** Fraction of operations invoked during the partition that got an ok, per side. */
  readonly minorityAvailability: number;
  readonly majorityAvailability: number;
  readonly minorityOps: number;
  readonly majorityOps: number;
  /** Minority operations invoked after the cut and answered before the heal. */
  readonly minorityAnsweredAfterCut: number;
  /**
   * The majority side's availability for operations invoked once a new leader can have been
   * elected and found (see {@link raftRecoveryMs}) and decided before the heal; NaN when that
   * window is empty.
   */
  readonly majorityRecoveredAvailability: number;
  readonly majorityRecoveredOps: number;
  /** Fraction of reads that missed a completed write, and the worst lag (ms). */
  readonly staleFraction: number;
  readonly maxLagMs: number;
}

/**
 * Availability during [fromMs, toMs) for clients of `side`: of the operations outstanding at some
 * point of the window (invoked before `toMs − marginMs` and not completed before `fromMs`), the
 * fraction answered (ok) before `toMs`. An operation stuck since before the cut counts as not
 * answered.
 */
export function availability(
  history: readonly HistoryEvent[],
  side: readonly NodeId[],
  fromMs: number,
  toMs: number,
  marginMs = 0,
): { ops: number; answered: number; fraction: number } {
  const ops = pairOperations(history).filter((o) =>
    o.invokeMs < toMs - marginMs && o.completeMs >= fromMs &&
    side.includes(history[o.invokeIndex].node ?? "")
  );
  const answered = ops.filter((o) => o.status === "ok" && o.completeMs < toMs).length;
  return { ops: ops.length, answered, fraction: ops.length ? answered / ops.length : NaN };
}

/** Like {@link availability}, for the operations invoked in [fromMs, toMs) only. */
export function availabilityInvoked(
  history: readonly HistoryEvent[],
  side: readonly NodeId[],
  fromMs: number,
  toMs: number,
): { ops: number; answered: number; fraction: number } {
  const ops = pairOperations(history).filter((o) =>
    o.invokeMs >= fromMs && o.invokeMs < toMs && side.includes(history[o.invokeIndex].node ?? "")
  );
  const answered = ops.filter((o) => o.status === "ok" && o.completeMs < toMs).length;
  return { ops: ops.length, answered, fraction: ops.length ? answered / ops.length : NaN };
}

/** Latency (mean, p99) of ok operations that neither overlap [fromMs, toMs) nor start before it and end after. */
export function latencyOutside(history: readonly HistoryEvent[], fromMs: number, toMs: number) {
  const xs = pairOperations(history).filter((o) =>
    o.status === "ok" && (o.completeMs < fromMs || o.invokeMs >= toMs)
  ).map((o) => o.completeMs - o.invokeMs).sort((a, b) => a - b);
  return { meanMs: xs.reduce((a, b) => a + b, 0) / xs.length, p99Ms: quantile(xs, 0.99) ?? NaN };
}

/**
 * How long the majority side of a Raft store may need before it answers again: an election
 * (two timeouts, one split vote allowed, and four one-way delays, as in notebook 04) plus the
 * client timeouts spent trying servers it cannot reach (the minority's, then the new leader).
 */
export function raftRecoveryMs(p: ConsistencyParams): number {
  const unreachable = minoritySide(Array.from({ length: p.replicas }, (_, i) => `n${i}`)).length;
  return 2 * SMR_RAFT.electionTimeoutMsMax + 4 * p.latencyMsMax +
    (unreachable + 1) * RAFT_CLIENT_TIMEOUT_MS;
}

/** Every store with the partition: latency, availability per side, staleness, strongest model. */
export function costOfModels(p: ConsistencyParams): CostRow[] {
  const from = p.partitionAtMs, to = p.partitionAtMs + p.partitionForMs;
  return STORE_KINDS.map((kind) => {
    const run = runStore(kind, p, { partition: true });
    // the strongest model *confirmed*: a small budget for the NP-complete sequential search
    const rep = checkModels(run, { ...p, seqStepBudget: Math.min(p.seqStepBudget, 200_000) });
    const lat = latencyOutside(run.history, from, to);
    // operations invoked in the last LOCAL_MS before the heal cannot finish before it, on any store
    const min = availability(run.history, run.sides!.minority, from, to, LOCAL_MS);
    const maj = availability(run.history, run.sides!.majority, from, to, LOCAL_MS);
    // operations that can complete before the heal: invoked a client timeout (and retries) earlier
    const rec = availabilityInvoked(
      run.history,
      run.sides!.majority,
      from + raftRecoveryMs(p),
      to - 3 * RAFT_CLIENT_TIMEOUT_MS,
    );
    return {
      kind,
      label: STORE_LABELS[kind],
      strongest: strongestModels(rep.verdicts),
      meanMs: lat.meanMs,
      p99Ms: lat.p99Ms,
      minorityAvailability: min.fraction,
      majorityAvailability: maj.fraction,
      minorityOps: min.ops,
      majorityOps: maj.ops,
      minorityAnsweredAfterCut:
        availabilityInvoked(run.history, run.sides!.minority, from, to).answered,
      majorityRecoveredAvailability: rec.fraction,
      majorityRecoveredOps: rec.ops,
      staleFraction: rep.reads ? rep.staleReads / rep.reads : 0,
      maxLagMs: rep.maxLagMs,
    };
  });
}

/**
 * What theory predicts for the cost: a linearizable store needs round trips (latency ≥ 2 one-way
 * delays: client to leader and back, at least) and answers nothing on the minority side; the weaker
 * stores answer every request locally (LOCAL_MS) on both sides and pay in staleness instead.
 */
export function checkCost(rows: readonly CostRow[], p: ConsistencyParams): Claim[] {
  const raft = rows.find((r) => r.kind === "raft")!;
  const weak = rows.filter((r) => r.kind !== "raft");
  const f1 = (x: number) => x.toFixed(1);
  return [
    claim(
      "the linearizable store pays at least a client round trip (2 × min one-way latency) per operation",
      raft.meanMs >= 2 * p.latencyMsMin,
      `mean ${f1(raft.meanMs)} ms, p99 ${f1(raft.p99Ms)} ms; 2 × ${p.latencyMsMin} ms = ${
        f1(2 * p.latencyMsMin)
      } ms`,
    ),
    claim(
      "the linearizable store answers nothing on the minority side that was asked after the cut " +
        "(no majority there)",
      raft.minorityOps > 0 && raft.minorityAnsweredAfterCut === 0,
      `minority: ${raft.minorityOps} ops outstanding during the partition, ${
        (100 * raft.minorityAvailability).toFixed(0)
      } % answered; ${raft.minorityAnsweredAfterCut} of those invoked after the cut answered`,
    ),
    raft.majorityRecoveredOps > 0
      ? claim(
        "the majority side serves again once it has a leader: operations invoked after an election and " +
          "the client timeouts (raftRecoveryMs) are answered before the heal",
        raft.majorityRecoveredAvailability > 0,
        `${
          (100 * raft.majorityRecoveredAvailability).toFixed(0)
        } % of ${raft.majorityRecoveredOps} ` +
          `(all majority ops: ${
            (100 * raft.majorityAvailability).toFixed(0)
          } % of ${raft.majorityOps})`,
      )
      : notApplicable(
        "the majority side serves again once it has a leader",
        `the partition (${p.partitionForMs} ms) is shorter than the recovery bound ${
          raftRecoveryMs(p)
        } ms plus client timeouts`,
      ),
    claim(
      "the causal and eventual stores answer every request on both sides, locally: p99 latency " +
        "below one minimum one-way delay between replicas",
      weak.every((r) =>
        r.minorityAvailability === 1 && r.majorityAvailability === 1 && r.p99Ms < p.latencyMsMin
      ),
      weak.map((r) =>
        `${r.kind}: ${(100 * r.minorityAvailability).toFixed(0)} % / ${
          (100 * r.majorityAvailability).toFixed(0)
        } %, p99 ${r.p99Ms.toFixed(2)} ms`
      ).join("; "),
    ),
    claim(
      "the weaker stores pay in staleness: more of their reads miss a completed write than the " +
        "linearizable store's (whose only 'stale' reads follow overlapping writes, which PBS's " +
        "version order — by completion — ranks differently from the linearization)",
      weak.every((r) => r.staleFraction > raft.staleFraction),
      rows.map((r) =>
        `${r.kind}: ${(100 * r.staleFraction).toFixed(1)} % stale, max lag ${f1(r.maxLagMs)} ms`
      )
        .join("; "),
    ),
  ];
}
