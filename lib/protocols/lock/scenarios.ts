/**
 * The lock scenarios, each a deterministic simulation whose resource history goes to
 * {@link checkMutex}:
 * - lease election on the Raft key-value store (a crash, a paused leader, a partitioned leader);
 * - the fencing scenario (Kleppmann 2016): client A holds the lock, pauses past its lease, B
 *   takes the lock and writes, A resumes and writes; with and without fencing;
 * - Redlock over independent nodes: a clean hand-over, a clock jump on a node of the majority,
 *   and a client pause.
 * @module
 */
import { z } from "zod";
import { createCluster } from "../../net/cluster.ts";
import type { Simulation } from "../../sim/simulation.ts";
import type { NodeFactory, NodeId, TraceRecord } from "../../sim/types.ts";
import { ConfigError, parseConfig } from "../../sim/errors.ts";
import { raftKvServer } from "../raft/kv.ts";
import type { LeaseClient, LeaseClientMessage } from "./kv_lease.ts";
import { installLeaseClient, installRedlockClient } from "./install.ts";
import { ResourceNode } from "./resource.ts";
import { RedisNode } from "./redlock.ts";
import { checkMutex, type LockHistory, type MutexVerdict, type Write } from "./mutex_check.ts";
import { lockHistory } from "./history.ts";

const Ms = z.number().finite().positive();

/** Raft timing of the key-value store under the leases (the project's shared timing). */
export const KV_RAFT_TIMING = {
  electionTimeoutMsMin: 150,
  electionTimeoutMsMax: 300,
  heartbeatIntervalMs: 50,
} as const;

/** The node id of the protected resource. */
export const RESOURCE_ID = "store";

/** Options shared by the lease scenarios (validated; a ConfigError names the field). */
export const LeaseScenarioSchema = z.object({
  /** Root seed. */
  seed: z.number().int().default(1),
  /** Raft key-value servers. Default 3. */
  servers: z.number().int().min(1).max(9).default(3),
  /** Lease duration (local clock). Must be positive. */
  leaseMs: Ms.default(400),
  /** Renewal period; must be below the lease. Default leaseMs / 3. */
  renewEveryMs: Ms.optional(),
  /** Contenders read the lease record this often. Default 20. */
  pollMs: Ms.default(20),
  /** The holder acts (writes to the resource) this often. Default 50. */
  actEveryMs: Ms.default(50),
  /** Time between the lease check and its write. Default 2. */
  workMs: z.number().finite().min(0).default(2),
  /** Link latency: uniform between these bounds (ms). Default 2..8. */
  latencyMsMin: z.number().finite().min(0).default(2),
  /** Upper latency bound (ms), at least latencyMsMin. Default 8. */
  latencyMsMax: z.number().finite().min(0).default(8),
  /** Whether the resource rejects stale fencing tokens. Default true. */
  fencing: z.boolean().default(true),
  /** The contenders' takeover rule (see LeaseClientConfigSchema). Default "observed". */
  takeover: z.enum(["observed", "expiry"]).default("observed"),
}).strict().superRefine((o, ctx) => {
  if (o.latencyMsMax < o.latencyMsMin) {
    ctx.addIssue({ code: "custom", path: ["latencyMsMax"], message: "must be >= latencyMsMin" });
  }
  if (o.renewEveryMs !== undefined && o.renewEveryMs >= o.leaseMs) {
    ctx.addIssue({ code: "custom", path: ["renewEveryMs"], message: "must be below leaseMs" });
  }
});

/** Lease scenario options as written. */
export type LeaseScenarioInput = z.input<typeof LeaseScenarioSchema>;
/** Lease scenario options with defaults applied. */
export type LeaseScenario = z.output<typeof LeaseScenarioSchema>;

/** What every scenario returns: the history, the checker's verdict and the run's trace hash. */
export interface LockRun {
  /** Holds and resource writes. */
  readonly history: LockHistory;
  /** The mutual-exclusion checker's verdict. */
  readonly verdict: MutexVerdict;
  /** Hash of the run's trace (same seed and options: same hash). */
  readonly traceHash: string;
  /** Simulated time at the end (ms). */
  readonly endMs: number;
  /**
   * The lock traffic of the run for a space-time diagram (see {@link lockTraffic}); for Redlock
   * every message (its lock nodes are the servers, and their traffic is the point).
   */
  readonly trace: readonly TraceRecord[];
}

interface LeaseCluster {
  readonly sim: Simulation<unknown>;
  readonly servers: readonly NodeId[];
  cut(client: NodeId): void;
  heal(): void;
}

function leaseCluster(o: LeaseScenario): LeaseCluster {
  const c = createCluster<unknown>({
    seed: o.seed,
    nodes: o.servers,
    factory: raftKvServer({ raft: { ...KV_RAFT_TIMING } }) as unknown as NodeFactory<unknown>,
    network: { latency: { kind: "uniform", minMs: o.latencyMsMin, maxMs: o.latencyMsMax } },
  });
  c.sim.addNode(
    RESOURCE_ID,
    ((ctx) => new ResourceNode(ctx, { fencing: o.fencing })) as NodeFactory<unknown>,
    { role: "client" },
  );
  return {
    sim: c.sim,
    servers: c.nodes,
    cut: (client) => c.net.cut(c.nodes.map((s) => [client, s] as [NodeId, NodeId])),
    heal: () => c.net.heal(),
  };
}

function addLeaseClient(
  cl: LeaseCluster,
  id: NodeId,
  o: LeaseScenario,
  extra: { mode: "election" | "lock"; writes?: number },
): void {
  installLeaseClient(cl.sim, id, {
    servers: [...cl.servers],
    leaseMs: o.leaseMs,
    renewEveryMs: o.renewEveryMs,
    pollMs: o.pollMs,
    actEveryMs: o.actEveryMs,
    workMs: o.workMs,
    resource: RESOURCE_ID,
    mode: extra.mode,
    writes: extra.writes ?? 3,
    takeover: o.takeover,
  });
}

/**
 * The trace records a lock diagram needs: messages to or from a client or the resource (not the
 * store's own consensus traffic), faults, and the clients' and resource's protocol events.
 */
export function lockTraffic(
  trace: readonly TraceRecord[],
  servers: readonly NodeId[],
): TraceRecord[] {
  const server = new Set(servers);
  return trace.filter((r) => {
    switch (r.type) {
      case "send":
      case "deliver":
      case "drop":
      case "duplicate":
        return !(server.has(r.from) && server.has(r.to));
      case "event":
        return !server.has(r.node);
      case "timer":
        return false;
      default:
        return true;
    }
  });
}

function finish(sim: Simulation<unknown>, crashed: ReadonlyMap<NodeId, number>): LockRun {
  const history = lockHistory(sim.events, sim.nowMs, crashed);
  return {
    history,
    verdict: checkMutex(history),
    traceHash: sim.trace.hash(),
    endMs: sim.nowMs,
    trace: lockTraffic(sim.trace.records, sim.serverIds),
  };
}

/** The fencing scenario's run: the two holds, the pause and the stale write. */
export interface FencingRun extends LockRun {
  /** When A and B learned they held the lock (true time). */
  readonly aGrantMs: number;
  readonly bGrantMs: number;
  /** A's pause: from its first lease check to its resume (true time). */
  readonly pauseStartMs: number;
  readonly resumeMs: number;
  /** A's write after its pause that reached the resource after B's grant (undefined: none). */
  readonly staleWrite: Write | undefined;
  /** Whether the resource applied the stale write. */
  readonly staleAccepted: boolean;
}

/** Options of {@link runFencingScenario}: the shared ones plus A's pause. */
export const FencingScenarioSchema = z.object({
  /** Options shared by the lease scenarios. */
  lease: LeaseScenarioSchema.default(LeaseScenarioSchema.parse({})),
  /** How long A is paused, from its first lease check (ms, > 0). */
  pauseMs: Ms.default(1000),
  /** Writes B makes under its lock (B keeps the lock past A's resume when enough). Default 0: auto. */
  bWrites: z.number().int().min(0).default(0),
}).strict();

/** Fencing scenario options as written. */
export type FencingScenarioInput = z.input<typeof FencingScenarioSchema>;

/**
 * Kleppmann's scenario on the Raft-backed lock: A acquires (token t), checks its lease and is
 * paused (a GC pause) before its write; B, which started contending when A got the lock, takes
 * over once A's record has been unchanged for a lease and writes with token t + 1; A resumes and
 * sends its write with token t. The resource accepts it without fencing and rejects it with.
 * @example
 * ```ts
 * const r = runFencingScenario({ lease: { fencing: false, leaseMs: 400 }, pauseMs: 1000 });
 * r.verdict.resourceSafe; // false: A's write landed inside B's hold
 * ```
 */
export function runFencingScenario(input: FencingScenarioInput = {}): FencingRun {
  const p = parseConfig(FencingScenarioSchema, input, "fencing scenario");
  const o = p.lease;
  const cl = leaseCluster(o);
  const { sim } = cl;
  // B holds until well after A resumes, so A's stale write falls inside B's hold
  const bWrites = p.bWrites || Math.max(1, Math.ceil((p.pauseMs - o.leaseMs + 300) / o.actEveryMs));
  addLeaseClient(cl, "a", o, { mode: "lock", writes: 3 });
  let aGrantMs = NaN, bGrantMs = NaN, pauseStartMs = NaN;
  sim.onEvent((e) => {
    const ev = e.event as Record<string, unknown>;
    if (ev.type === "hold-begin" && ev.client === "a" && Number.isNaN(aGrantMs)) {
      aGrantMs = e.t;
      // B starts contending the moment A holds the lock
      sim.at(e.t, () => addLeaseClient(cl, "b", o, { mode: "lock", writes: bWrites }));
    }
    if (ev.type === "hold-begin" && ev.client === "b" && Number.isNaN(bGrantMs)) bGrantMs = e.t;
    if (ev.type === "act-begin" && ev.client === "a" && Number.isNaN(pauseStartMs)) {
      pauseStartMs = e.t;
      sim.at(e.t, () => sim.pause("a", p.pauseMs));
    }
  });
  sim.run({
    untilMs: 30_000,
    until: () => !Number.isNaN(pauseStartMs) && sim.nowMs > pauseStartMs + p.pauseMs + 600,
  });
  const run = finish(sim, new Map());
  // A's write made after its pause that reached the resource once B held the lock
  const staleWrite = run.history.writes.find((w) =>
    w.client === "a" && w.timeMs >= pauseStartMs + p.pauseMs && w.timeMs >= bGrantMs
  );
  return {
    ...run,
    aGrantMs,
    bGrantMs,
    pauseStartMs,
    resumeMs: pauseStartMs + p.pauseMs,
    staleWrite,
    staleAccepted: staleWrite?.accepted ?? false,
  };
}

/**
 * A fault: on the elected leader (crash, pause, partition from the store), or a forward clock
 * jump on a contender ("clock-jump": the first candidate that is not the leader).
 */
export type ElectionFault = "none" | "crash" | "pause" | "partition" | "clock-jump";

/** Options of {@link runLeaseElection}. */
export const ElectionScenarioSchema = z.object({
  /** Options shared by the lease scenarios. */
  lease: LeaseScenarioSchema.default(LeaseScenarioSchema.parse({})),
  /** Candidates (client ids, at least 2, distinct). Default c0, c1, c2. */
  candidates: z.array(z.string().min(1)).min(2).default(["c0", "c1", "c2"]),
  /** The fault hitting whoever leads at `faultAtMs` (or, for "clock-jump", a contender). */
  fault: z.enum(["none", "crash", "pause", "partition", "clock-jump"]).default("crash"),
  /** When the fault hits (true time, ms). Default 2000. */
  faultAtMs: z.number().finite().min(0).default(2000),
  /** Pause length / partition length / size of the forward clock jump (ms). Default 1000. */
  faultForMs: Ms.default(1000),
  /** Run length (ms); must extend past the fault. Default 5000. */
  runMs: Ms.default(5000),
}).strict().superRefine((o, ctx) => {
  const seen = new Set<string>();
  o.candidates.forEach((c, i) => {
    if (seen.has(c) || c === RESOURCE_ID || /^n\d+$/.test(c)) {
      ctx.addIssue({
        code: "custom",
        path: ["candidates", i],
        message: `"${c}" is a duplicate or a reserved node id (servers n0.., "${RESOURCE_ID}")`,
      });
    }
    seen.add(c);
  });
  if (o.runMs <= o.faultAtMs + o.faultForMs) {
    ctx.addIssue({ code: "custom", path: ["runMs"], message: "must end after the fault" });
  }
});

/** Election scenario options as written. */
export type ElectionScenarioInput = z.input<typeof ElectionScenarioSchema>;

/** A lease election run. */
export interface ElectionRun extends LockRun {
  readonly fault: ElectionFault;
  /** When the fault hit (for a pause: the leader's next lease check at or after `faultAtMs`). */
  readonly faultMs: number;
  /** The leader when the fault hit, and the next leader (undefined when none). */
  readonly oldLeader: NodeId | undefined;
  /** The contender whose clock jumped ("clock-jump" only). */
  readonly jumped: NodeId | undefined;
  /** Whether the resource checked fencing tokens. */
  readonly fencing: boolean;
  /** The contenders' takeover rule. */
  readonly takeover: "observed" | "expiry";
  readonly newLeader: NodeId | undefined;
  /** First election: from time 0 to the first hold. */
  readonly firstElectionMs: number;
  /** From the fault to the next leader's hold (NaN when no other leader arose). */
  readonly electionMs: number;
  /** Time after the fault with nobody believing it leads, until the next leader (ms). */
  readonly leaderlessMs: number;
  /** The old leader's writes that reached the resource after the new leader's hold began. */
  readonly staleWrites: readonly Write[];
}

/**
 * Leader election through a lease on the Raft key-value store: every candidate polls the lease
 * key and compare-and-sets it once the record has been unchanged for a lease; the leader renews
 * and writes to the resource. The fault hits whoever leads at `faultAtMs`.
 * @example
 * ```ts
 * const r = runLeaseElection({ fault: "crash", lease: { leaseMs: 400 } });
 * r.electionMs; // about one lease after the crash
 * ```
 */
export function runLeaseElection(input: ElectionScenarioInput = {}): ElectionRun {
  const p = parseConfig(ElectionScenarioSchema, input, "election scenario");
  const o = p.lease;
  const cl = leaseCluster(o);
  const { sim } = cl;
  for (const c of p.candidates) addLeaseClient(cl, c, o, { mode: "election" });
  let faultMs = NaN;
  let oldLeader: NodeId | undefined;
  let jumped: NodeId | undefined;
  let firstElectionMs = NaN;
  const crashed = new Map<NodeId, number>();
  const leader = () =>
    p.candidates.find((c) => sim.instanceOf<LeaseClient>(c)?.believesHolder() === true);
  sim.onEvent((e) => {
    const ev = e.event as Record<string, unknown>;
    if (ev.type === "hold-begin" && Number.isNaN(firstElectionMs)) firstElectionMs = e.t;
    if (
      p.fault === "pause" && ev.type === "act-begin" && e.t >= p.faultAtMs &&
      Number.isNaN(faultMs)
    ) {
      faultMs = e.t;
      oldLeader = e.node;
      sim.at(e.t, () => sim.pause(e.node, p.faultForMs));
    }
  });
  if (p.fault !== "pause") {
    sim.at(p.faultAtMs, () => {
      faultMs = p.faultAtMs;
      oldLeader = leader();
      if (!oldLeader) return;
      if (p.fault === "crash") {
        sim.crash(oldLeader);
        crashed.set(oldLeader, sim.nowMs);
      } else if (p.fault === "partition") {
        cl.cut(oldLeader);
        sim.at(p.faultAtMs + p.faultForMs, () => cl.heal());
      } else if (p.fault === "clock-jump") {
        jumped = p.candidates.find((c) => c !== oldLeader);
        if (jumped) sim.clockJump(jumped, p.faultForMs);
      }
    });
  }
  sim.run({ untilMs: p.runMs });
  const run = finish(sim, crashed);
  const next = run.history.holds.find((h) => h.client !== oldLeader && h.fromMs > faultMs);
  const oldEnd = run.history.holds.filter((h) => h.client === oldLeader && h.fromMs <= faultMs)
    .reduce((a, h) => Math.max(a, h.toMs), faultMs);
  return {
    ...run,
    fault: p.fault,
    faultMs,
    oldLeader,
    jumped,
    fencing: o.fencing,
    takeover: o.takeover,
    newLeader: next?.client,
    firstElectionMs,
    electionMs: next ? next.fromMs - faultMs : NaN,
    leaderlessMs: next ? Math.max(0, next.fromMs - oldEnd) : NaN,
    staleWrites: next
      ? run.history.writes.filter((w) => w.client === oldLeader && w.timeMs >= next.fromMs)
      : [],
  };
}

/** A Redlock scenario. */
export type RedlockScenario = "handover" | "clock-jump" | "pause";

/** Options of {@link runRedlock}. */
export const RedlockScenarioSchema = z.object({
  /** Root seed. */
  seed: z.number().int().default(1),
  /** Which scenario. */
  scenario: z.enum(["handover", "clock-jump", "pause"]).default("handover"),
  /** Independent lock nodes (odd, at least 3). Default 5. */
  nodes: z.number().int().min(3).max(15).refine((n) => n % 2 === 1, "must be odd")
    .default(5),
  /** Keys' time to live (ms, > 0). Default 1000. */
  ttlMs: Ms.default(1000),
  /** Clock-jump scenario: which node's clock jumps (a node of A's majority). Default "r2". */
  jumpNode: z.string().min(1).default("r2"),
  /** Clock-jump size (ms, forward). Default ttlMs. */
  jumpMs: Ms.optional(),
  /** Pause scenario: A's pause (ms). Default 2 × ttlMs. */
  pauseMs: Ms.optional(),
  /** Clock drift factor of the validity computation. Default 0.01. */
  driftFactor: z.number().min(0).lt(1).default(0.01),
  /** Link latency, uniform (ms). Default 1..3. */
  latencyMsMin: z.number().finite().min(0).default(1),
  /** Upper latency bound (ms). Default 3. */
  latencyMsMax: z.number().finite().min(0).default(3),
}).strict();

/** Redlock scenario options as written. */
export type RedlockScenarioInput = z.input<typeof RedlockScenarioSchema>;

/** A Redlock run. */
export interface RedlockRun extends LockRun {
  readonly scenario: RedlockScenario;
  /** The nodes whose vote each client's successful attempt counted (A's, then B's). */
  readonly aVotes: number;
  readonly bVotes: number;
  /** Validity each client was granted (ms of its clock). */
  readonly aValidityMs: number;
  readonly bValidityMs: number;
}

/**
 * Redlock over independent nodes `r0..r{k-1}`, clients "a" and "b" writing to the resource (no
 * fencing token exists). Scenarios (Kleppmann, "How to do distributed locking", 2016: the GC
 * pause of "Protecting a resource with a lock" and the clock jump of "Breaking Redlock with bad
 * timings"):
 * - "handover": A acquires, writes, releases; B then acquires: exclusive;
 * - "clock-jump": A reaches only r0..r{m-1} (a majority), the clock of `jumpNode` (one of them)
 *   jumps forward so its key expires; B, cut from the others of A's majority, gets `jumpNode` plus
 *   the minority: a majority too. Both hold the lock and both write;
 * - "pause": A acquires on every node and is paused past the keys' expiry before its write; B
 *   acquires and writes; A resumes and writes.
 * @example
 * ```ts
 * runRedlock({ scenario: "clock-jump" }).verdict.resourceSafe; // false
 * ```
 */
export function runRedlock(input: RedlockScenarioInput = {}): RedlockRun {
  const p = parseConfig(RedlockScenarioSchema, input, "redlock scenario");
  const ids = Array.from({ length: p.nodes }, (_, i) => `r${i}`);
  if (p.latencyMsMax < p.latencyMsMin) {
    throw new ConfigError("redlock scenario", [{
      path: "latencyMsMax",
      message: "must be >= latencyMsMin",
    }]);
  }
  const m = Math.floor(p.nodes / 2) + 1;
  const aSide = ids.slice(0, m);
  if (p.scenario === "clock-jump" && !aSide.includes(p.jumpNode)) {
    throw new ConfigError("redlock scenario", [{
      path: "jumpNode",
      message: `unknown or not in A's majority: "${p.jumpNode}" (A's majority: ${
        aSide.join(", ")
      })`,
    }]);
  }
  const c = createCluster<unknown>({
    seed: p.seed,
    nodes: ids,
    factory: ((ctx) => new RedisNode(ctx as never)) as NodeFactory<unknown>,
    network: { latency: { kind: "uniform", minMs: p.latencyMsMin, maxMs: p.latencyMsMax } },
  });
  const { sim, net } = c;
  sim.addNode(
    RESOURCE_ID,
    ((ctx) => new ResourceNode(ctx, { fencing: true })) as NodeFactory<unknown>,
    { role: "client" },
  );
  const ttl = p.ttlMs;
  const writeEveryMs = ttl / 10;
  const client = (id: NodeId, startDelayMs: number, writes: number) =>
    installRedlockClient(sim, id, {
      nodes: ids,
      ttlMs: ttl,
      driftFactor: p.driftFactor,
      startDelayMs,
      resource: RESOURCE_ID,
      writes,
      writeEveryMs,
    });
  const attempts: { client: NodeId; votes: number; validityMs: number }[] = [];
  sim.onEvent((e) => {
    const ev = e.event as Record<string, unknown>;
    if (ev.type === "redlock-attempt" && ev.acquired) {
      attempts.push({
        client: ev.client as NodeId,
        votes: ev.votes as number,
        validityMs: ev.validityMs as number,
      });
    }
  });
  const jumpMs = p.jumpMs ?? ttl;
  if (p.scenario === "handover") {
    client("a", 10, 3);
    client("b", 10 + 3 * writeEveryMs + 100, 3);
  } else if (p.scenario === "clock-jump") {
    client("a", 10, 6);
    client("b", 10 + 150, 3);
    // A cannot reach the minority; B cannot reach A's majority except the node whose clock jumps
    net.cut(ids.slice(m).map((r) => ["a", r] as [NodeId, NodeId]));
    net.cut(aSide.filter((r) => r !== p.jumpNode).map((r) => ["b", r] as [NodeId, NodeId]));
    sim.at(100, () => sim.clockJump(p.jumpNode, jumpMs));
  } else {
    const pauseMs = p.pauseMs ?? 2 * ttl;
    client("a", 10, 3);
    client("b", 50, 3);
    let paused = false;
    sim.onEvent((e) => {
      const ev = e.event as Record<string, unknown>;
      if (ev.type === "act-begin" && e.node === "a" && !paused) {
        paused = true;
        sim.at(e.t, () => sim.pause("a", pauseMs));
      }
    });
  }
  sim.run({ untilMs: 10 * ttl + (p.pauseMs ?? 2 * ttl) + 1000 });
  const run = { ...finish(sim, new Map()), trace: lockTraffic(sim.trace.records, []) };
  const a = attempts.find((x) => x.client === "a");
  const b = attempts.find((x) => x.client === "b");
  return {
    ...run,
    scenario: p.scenario,
    aVotes: a?.votes ?? 0,
    bVotes: b?.votes ?? 0,
    aValidityMs: a?.validityMs ?? NaN,
    bValidityMs: b?.validityMs ?? NaN,
  };
}

/** The lease client type, re-exported for scenario users. */
export type { LeaseClientMessage };
