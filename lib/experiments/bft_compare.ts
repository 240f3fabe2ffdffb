/**
 * One harness for the five BFT protocols of notebook 03 — PBFT (Castro and Liskov, OSDI 1999),
 * Tendermint (Buchman, Kwon and Milosevic 2018), basic and chained HotStuff (Yin, Malkhi, Reiter,
 * Gueta and Abraham, PODC 2019) and GRANDPA over its round-robin block producer (Stewart and
 * Kokoris-Kogia 2020) — on the same constant-δ network, the same n sweep and the same four
 * scenarios:
 *
 * - `stable`: a correct leader; messages and authenticators per decision (counted over D
 *   consecutive decisions of the steady state), latency in δ from the leader's proposal (GRANDPA:
 *   the primary's round-start broadcast) to the last replica's decision, and throughput (decisions
 *   per simulated second, and the interval between decisions in δ);
 * - `crash`: the leader of the decision after the warm-up crashes just before it proposes
 *   (δ/2 earlier); time to the next decision, messages and authenticators between the last
 *   decision before the fault and the first after it;
 * - `equivocate`: the same replica turns Byzantine at the same moment with lib/net/adversary.ts's
 *   `equivocate` strategy (conflicting proposals and votes to the two halves of its peers);
 * - `partition`: after the warm-up the replicas are split into two halves, neither of which holds
 *   a quorum (⌈n/2⌉ < n − f), for `partitionDeltas`·δ, then healed: decisions whose proposal was
 *   made during the split, time to the first new decision after the heal, honest agreement.
 *
 * Each protocol is built with its own cluster builder (lib/protocols/<name>/cluster.ts) and its
 * BFT checker (agreement and validity on every event); the harness only adds a pass-through
 * interceptor on every node that counts what is sent (after any Byzantine behaviour), and listens
 * to decision events. GRANDPA has no leader: its primary only broadcasts a hint, and a round
 * finalises without it, so the leader scenarios are "not applicable" for it.
 * @module
 */
import { z } from "zod";
import { mean, sum } from "d3-array";
import { parseConfig } from "../sim/errors.ts";
import type { EmittedEvent, Simulation } from "../sim/simulation.ts";
import type { NodeId } from "../sim/types.ts";
import type { AdversaryInput } from "../net/adversary.ts";
import type { Network } from "../net/network.ts";
import type { BftInvariants } from "../protocols/bft/invariants.ts";
import { pbftCluster } from "../protocols/pbft/cluster.ts";
import { tendermintCluster } from "../protocols/tendermint/cluster.ts";
import { hotstuffCluster } from "../protocols/hotstuff/cluster.ts";
import { authenticators as hotstuffAuthenticators } from "../protocols/hotstuff/messages.ts";
import { grandpaCluster } from "../protocols/grandpa/cluster.ts";
import { hotstuffTheory, signaturesIn } from "./bft_hotstuff.ts";
import { pbftMessagesTheory } from "./bft_pbft.ts";
import { Notebook03ParamsSchema } from "./bft.ts";
import { type Claim, claim, notApplicable } from "./claims.ts";

/** The five protocols of the comparison, in table order. */
export const COMPARE_PROTOCOLS = [
  "pbft",
  "tendermint",
  "hotstuff-basic",
  "hotstuff-chained",
  "grandpa",
] as const;

/** One protocol of the comparison. */
export type CompareProtocol = typeof COMPARE_PROTOCOLS[number];

/** The four scenarios, in table order. */
export const COMPARE_SCENARIOS = ["stable", "crash", "equivocate", "partition"] as const;

/** One scenario of the comparison. */
export type CompareScenario = typeof COMPARE_SCENARIOS[number];

/** Parameters of {@link compareRows}. */
export const CompareParamsSchema = z.object({
  /** Cluster sizes (3f + 1 sizes show the formulas best). Default 4, 7, 10, 16. */
  ns: z.array(z.number().int().min(4).max(128)).min(1).default([4, 7, 10, 16]),
  /** Protocols. Default all five. */
  protocols: z.array(z.enum(COMPARE_PROTOCOLS)).min(1).default([...COMPARE_PROTOCOLS]),
  /** Scenarios. Default all four. */
  scenarios: z.array(z.enum(COMPARE_SCENARIOS)).min(1).default([...COMPARE_SCENARIOS]),
  /** The constant one-way delay δ (ms); GRANDPA's gossip delay T and slot length too. Default 10. */
  deltaMs: z.number().positive().max(1_000).default(10),
  /**
   * Every protocol's leader timeout in δ: PBFT's view-change timer, Tendermint's timeoutPropose,
   * HotStuff's base view timeout. Default 20.
   */
  timeoutDeltas: z.number().int().min(4).max(200).default(20),
  /** Decisions before the measured window (and before any fault). Default 4. */
  warmup: z.number().int().min(2).max(20).default(4),
  /** Decisions in the measured window of the stable scenario. Default 6. */
  decisions: z.number().int().min(2).max(50).default(6),
  /** Length of the no-quorum partition, in δ. Default 60. */
  partitionDeltas: z.number().int().min(10).max(10_000).default(60),
  /**
   * HotStuff QCs as one threshold signature (the paper's count, §3 and Table 1) instead of sets of
   * n − f signatures. Default true.
   */
  thresholdSignatures: z.boolean().default(true),
  /**
   * A classic mistake switched on in every honest HotStuff replica (the failing model of the
   * chained-commit claim): commit on a Two-Chain. Default none.
   */
  hotstuffMistake: z.enum(["commitOnTwoChain"]).optional(),
  /** Seed. Default 1. */
  seed: z.number().int().default(1),
}).strict();

/** Parameters as written. */
export type CompareParamsInput = z.input<typeof CompareParamsSchema>;
/** Parameters with defaults. */
export type CompareParams = z.output<typeof CompareParamsSchema>;

/** Parse the comparison's parameters (a ConfigError names any bad field). */
export function parseCompareParams(input: unknown = {}): CompareParams {
  return parseConfig(CompareParamsSchema, input, "bft compare parameters");
}

/**
 * Notebook 03's parameters cell: notebook 03's own parameters (lib/experiments/bft.ts) plus the
 * comparison's sizes, leader timeout, split length and signature model (validated by the same
 * fields as {@link CompareParamsSchema}; δ and the seed are shared).
 */
export const Notebook03CompareParamsSchema = Notebook03ParamsSchema.safeExtend({
  /** The comparison's cluster sizes (CompareParams.ns). */
  compareNodes: CompareParamsSchema.shape.ns,
  /** CompareParams.timeoutDeltas. */
  timeoutDeltas: CompareParamsSchema.shape.timeoutDeltas,
  /** CompareParams.partitionDeltas. */
  partitionDeltas: CompareParamsSchema.shape.partitionDeltas,
  /** CompareParams.thresholdSignatures. */
  thresholdSignatures: CompareParamsSchema.shape.thresholdSignatures,
});

// ---- the protocols, each through its own cluster builder -------------------------------------------

/** A built cluster, as the harness sees it. */
interface Built {
  readonly sim: Simulation<unknown>;
  readonly net: Network;
  readonly inv: BftInvariants;
  readonly servers: readonly NodeId[];
  readonly clients: readonly NodeId[];
  readonly f: number;
  readonly quorum: number;
}

/** What one scenario adds to a cluster. */
interface Faults {
  readonly byzantine?: AdversaryInput[];
  readonly nemesis?: unknown[];
  /** Periodic re-broadcast on (Tendermint gossip, GRANDPA vote re-broadcast): partitions need it. */
  readonly gossip: boolean;
}

/** A proposal seen on the wire: the decision it proposes and the view/round it belongs to. */
interface ProposalOf {
  readonly key: number;
  readonly view: number;
}

interface Kit {
  build(n: number, p: CompareParams, faults: Faults): Built;
  /** Messages counted (GRANDPA: not the block producer's). */
  counted(msg: unknown): boolean;
  /** Authenticators of one message. */
  auth(msg: unknown): number;
  /** The decision a message proposes (its first send starts the decision). */
  proposal(msg: unknown): ProposalOf | undefined;
  /** The decision an event reports. */
  decision(e: EmittedEvent): number | undefined;
  /** Why the leader scenarios do not apply, or undefined when the protocol has a leader. */
  readonly noLeader?: string;
}

const NO_GOSSIP = 1e9;
/**
 * The re-broadcast period (in δ) of the partition runs: what a partition dropped is sent again
 * within it after the heal.
 */
const GOSSIP_DELTAS = 10;
type M = { type?: string };

function bftDecision(e: EmittedEvent): number | undefined {
  return e.event.type === "bft-decide" ? e.event.slot as number : undefined;
}

/** The constant-δ network every run uses. */
function constant(p: CompareParams) {
  return { latency: { kind: "constant" as const, ms: p.deltaMs } };
}

/** What every cluster of the harness shares: the scenario's faults, no trace, breaches recorded. */
function common(x: Faults) {
  return {
    byzantine: x.byzantine,
    nemesis: x.nemesis,
    trace: { mode: "off" as const },
    throwOnBreach: false,
  };
}

/** The harness's view of a built cluster. */
function asBuilt(
  c: {
    readonly sim: unknown;
    readonly net: Network;
    readonly nodes: readonly NodeId[];
    readonly size: { readonly f: number; readonly quorum: number };
  },
  inv: BftInvariants,
  clients: readonly NodeId[] = [],
): Built {
  return {
    sim: c.sim as Simulation<unknown>,
    net: c.net,
    inv,
    servers: c.nodes,
    clients,
    f: c.size.f,
    quorum: c.size.quorum,
  };
}

const KITS: Record<CompareProtocol, Kit> = {
  pbft: {
    build(n, p, x) {
      const c = pbftCluster({
        seed: p.seed,
        n,
        app: "counter",
        clients: 1,
        network: constant(p),
        pbft: {
          checkpointInterval: 1_000_000,
          viewChangeTimeoutMs: p.timeoutDeltas * p.deltaMs,
        },
        ...common(x),
      });
      return asBuilt(c, c.invariants, c.clients);
    },
    counted: () => true,
    auth: (m) => signaturesIn(m),
    proposal(msg) {
      const m = msg as { type?: string; n?: number; v?: number };
      return m.type === "PRE-PREPARE" ? { key: m.n!, view: m.v! } : undefined;
    },
    decision: bftDecision,
  },
  tendermint: {
    build(n, p, x) {
      const c = tendermintCluster({
        seed: p.seed,
        n,
        network: constant(p),
        tendermint: {
          gossipIntervalMs: x.gossip ? GOSSIP_DELTAS * p.deltaMs : NO_GOSSIP,
          timeoutCommitMs: 0,
          timeoutProposeMs: p.timeoutDeltas * p.deltaMs,
        },
        ...common(x),
      });
      return asBuilt(c, c.inv);
    },
    counted: () => true,
    auth: (m) => signaturesIn(m),
    proposal(msg) {
      const m = msg as { type?: string; height?: number; round?: number };
      return m.type === "Proposal" ? { key: m.height!, view: m.round! } : undefined;
    },
    decision: bftDecision,
  },
  "hotstuff-basic": hotstuffKit("basic"),
  "hotstuff-chained": hotstuffKit("chained"),
  grandpa: {
    build(n, p, x) {
      const c = grandpaCluster({
        seed: p.seed,
        n,
        network: constant(p),
        grandpa: {
          gossipDelayMs: p.deltaMs,
          slotMs: p.deltaMs,
          rebroadcastMs: x.gossip ? GOSSIP_DELTAS * p.deltaMs : NO_GOSSIP,
        },
        ...common(x),
      });
      return asBuilt(c, c.inv);
    },
    // the block producer's announcements and fetches are another protocol's cost
    counted: (m) => !BLOCK_PRODUCTION.has((m as M).type ?? ""),
    auth: (m) => signaturesIn(m),
    proposal(msg) {
      const m = msg as { type?: string; round?: number };
      return m.type === "Primary" ? { key: m.round!, view: m.round! } : undefined;
    },
    decision(e) {
      return e.event.type === "grandpa-finalize" ? e.event.round as number : undefined;
    },
    noLeader: "GRANDPA has no leader: every voter prevotes and precommits on its own best chain, " +
      "and the primary of a round only broadcasts its estimate as a hint (§3.2)",
  },
};

const BLOCK_PRODUCTION = new Set(["Blocks", "BlockRequest"]);

function hotstuffKit(variant: "basic" | "chained"): Kit {
  return {
    build(n, p, x) {
      const c = hotstuffCluster({
        seed: p.seed,
        n,
        variant,
        network: constant(p),
        hotstuff: {
          viewTimeoutMs: p.timeoutDeltas * p.deltaMs,
          thresholdSignatures: p.thresholdSignatures,
        },
        mistakes: p.hotstuffMistake ? { [p.hotstuffMistake]: true } : undefined,
        ...common(x),
      });
      return asBuilt(c, c.inv);
    },
    counted: () => true,
    // §4.4's count: partial signatures and the QCs carried (a QC is 1 with threshold signatures)
    auth: (m) => hotstuffAuthenticators(m),
    proposal(msg) {
      const m = msg as { type?: string; viewNumber?: number; node?: { height?: number } };
      return (m.type === "prepare" || m.type === "generic") && m.node
        ? { key: m.node.height!, view: m.viewNumber! }
        : undefined;
    },
    decision: bftDecision,
  };
}

// ---- the harness ------------------------------------------------------------------------------

/** What one run observed. */
interface Observation {
  readonly built: Built;
  /** Send times and authenticators of every counted message, in send order. */
  readonly sendT: number[];
  readonly sendAuth: number[];
  /** First send of each decision's proposal: time, sender, view. */
  readonly proposed: Map<number, { t: number; from: NodeId; view: number }>;
  /** First send of a proposal of each view. */
  readonly viewProposedAt: Map<number, number>;
  /** First honest decision of each key. */
  readonly firstDecided: Map<number, number>;
  /** Honest replicas that decided each key (or a later one), and when the last of them did. */
  readonly allDecided: Map<number, number>;
}

function observe(kit: Kit, built: Built): Observation {
  const { sim } = built;
  const o: Observation = {
    built,
    sendT: [],
    sendAuth: [],
    proposed: new Map(),
    viewProposedAt: new Map(),
    firstDecided: new Map(),
    allDecided: new Map(),
  };
  // a pass-through interceptor on every node: counts what really goes out (after a Byzantine
  // wrapper's choices), changes nothing
  for (const id of [...built.servers, ...built.clients]) {
    sim.intercept(id, (out, net) => {
      const msg = out.msg;
      if (kit.counted(msg)) {
        o.sendT.push(sim.nowMs);
        o.sendAuth.push(kit.auth(msg));
      }
      const pr = kit.proposal(msg);
      if (pr && !o.proposed.has(pr.key)) {
        o.proposed.set(pr.key, { t: sim.nowMs, from: out.from, view: pr.view });
      }
      if (pr && !o.viewProposedAt.has(pr.view)) o.viewProposedAt.set(pr.view, sim.nowMs);
      net.send(out.to, msg);
    });
  }
  // a replica that decides key k is credited with every earlier key too: GRANDPA may finalise a
  // later round's block without a finalise event for an earlier round (finality is monotone)
  const seen = new Map<number, Set<NodeId>>();
  sim.onEvent((e) => {
    const key = kit.decision(e);
    if (key === undefined || sim.node(e.node).byzantine) return;
    if (!o.firstDecided.has(key)) o.firstDecided.set(key, e.t);
    if (!seen.has(key)) seen.set(key, new Set());
    const honest = built.servers.filter((id) => !sim.node(id).byzantine).length;
    for (const [k, s] of seen) {
      if (k > key || o.allDecided.has(k)) continue;
      s.add(e.node);
      if (s.size >= honest) o.allDecided.set(k, e.t);
    }
  });
  return o;
}

/** Decision keys in the order of their first decision. */
function decisionOrder(o: Observation): { key: number; t: number }[] {
  return [...o.firstDecided].map(([key, t]) => ({ key, t })).sort((a, b) =>
    a.t - b.t || a.key - b.key
  );
}

function sendsIn(o: Observation, from: number, to: number): { messages: number; auth: number } {
  let messages = 0, auth = 0;
  for (let i = 0; i < o.sendT.length; i++) {
    if (o.sendT[i] >= from && o.sendT[i] < to) {
      messages++;
      auth += o.sendAuth[i];
    }
  }
  return { messages, auth };
}

/** One row: one protocol, one n, one scenario. NaN where a quantity does not apply. */
export interface CompareRow {
  readonly protocol: CompareProtocol;
  readonly scenario: CompareScenario;
  readonly n: number;
  readonly f: number;
  /** Why the scenario does not apply to the protocol (GRANDPA's leader scenarios), else "". */
  readonly notApplicable: string;
  /** stable: messages per decision over the window; crash/equivocate: messages across the fault. */
  readonly messages: number;
  /** Authenticators of the same messages (HotStuff: §4.4's count; others: signatures carried). */
  readonly authenticators: number;
  /** stable: mean proposal → last replica decided, in δ (GRANDPA: T = δ). */
  readonly latencyDelta: number;
  /** stable: the largest such latency, in δ. */
  readonly maxLatencyDelta: number;
  /** stable: mean interval between decisions, in δ. */
  readonly intervalDelta: number;
  /** stable: decisions per simulated second. */
  readonly decisionsPerSec: number;
  /**
   * chained HotStuff, stable: the largest |decision time − arrival of the proposal three views
   * later| over the window, in δ (0 when every block commits as that proposal arrives).
   */
  readonly threeChainOffsetDelta: number;
  /** The replica that failed or turned (crash/equivocate), else "". */
  readonly leader: string;
  /**
   * crash/equivocate: fault → first decision of the failed leader's key or a later one;
   * partition: heal → first new decision (ms).
   */
  readonly recoveryMs: number;
  /** crash/equivocate: last decision before the fault → first after it (ms). */
  readonly gapMs: number;
  /** partition: decisions whose proposal was first sent during the split, decided before heal. */
  readonly decisionsDuringPartition: number;
  /** partition: the two sides' sizes and the quorum. */
  readonly sides: string;
  /**
   * GRANDPA, partition: the largest time from a round's start to every honest voter's finality,
   * in T, over the rounds that start after GST = the heal + one re-broadcast period + T and
   * finalise a new block (NaN elsewhere).
   */
  readonly maxRoundAfterGstT: number;
  /** Decisions (first honest) made in the whole run. */
  readonly decided: number;
  /** Agreement or validity breaches among honest replicas. */
  readonly breaches: number;
}

const EMPTY = {
  messages: NaN,
  authenticators: NaN,
  latencyDelta: NaN,
  maxLatencyDelta: NaN,
  intervalDelta: NaN,
  decisionsPerSec: NaN,
  threeChainOffsetDelta: NaN,
  leader: "",
  recoveryMs: NaN,
  gapMs: NaN,
  decisionsDuringPartition: NaN,
  sides: "",
  maxRoundAfterGstT: NaN,
  notApplicable: "",
} as const;

/** Simulated time allowed after a fault or a heal for the next decision. */
function horizonMs(p: CompareParams): number {
  // PBFT: client retransmission (300 ms) + view-change timer with back-off; HotStuff: back-off
  return 2_000 + 40 * p.timeoutDeltas * p.deltaMs;
}

function runStable(kit: Kit, protocol: CompareProtocol, n: number, p: CompareParams) {
  const built = kit.build(n, p, { gossip: false });
  const o = observe(kit, built);
  const need = p.warmup + p.decisions + 4; // chained HotStuff: the proposal three views later
  built.sim.run({
    untilMs: 400 * p.deltaMs + need * 20 * p.deltaMs,
    until: () => o.firstDecided.size >= need && o.allDecided.size >= need - 1,
  });
  const order = decisionOrder(o);
  const w = order.slice(p.warmup, p.warmup + p.decisions + 1);
  const d = p.deltaMs;
  let row: CompareRow;
  if (w.length < p.decisions + 1) {
    row = {
      ...EMPTY,
      protocol,
      scenario: "stable",
      n,
      f: built.f,
      decided: order.length,
      breaches: built.inv.breaches.length,
    };
  } else {
    const t0 = w[0].t, t1 = w[w.length - 1].t;
    const s = sendsIn(o, t0, t1);
    const lat = w.slice(0, -1).map((x) =>
      ((o.allDecided.get(x.key) ?? NaN) - (o.proposed.get(x.key)?.t ?? NaN)) / d
    );
    let offset = NaN;
    if (protocol === "hotstuff-chained") {
      offset = Math.max(
        ...w.slice(0, -1).map((x) => {
          const v = o.proposed.get(x.key)?.view ?? NaN;
          const later = o.viewProposedAt.get(v + 3) ?? NaN;
          // the proposer of view v + 3 commits as it builds its proposal; every other replica
          // when that proposal arrives, δ later: the last replica's decision is the arrival
          return Math.abs((o.allDecided.get(x.key) ?? NaN) - (later + d)) / d;
        }),
      );
    }
    row = {
      ...EMPTY,
      protocol,
      scenario: "stable",
      n,
      f: built.f,
      messages: s.messages / p.decisions,
      authenticators: s.auth / p.decisions,
      latencyDelta: lat.reduce((a, b) => a + b, 0) / lat.length,
      maxLatencyDelta: Math.max(...lat),
      intervalDelta: (t1 - t0) / p.decisions / d,
      decisionsPerSec: p.decisions / ((t1 - t0) / 1000),
      threeChainOffsetDelta: offset,
      decided: order.length,
      breaches: built.inv.breaches.length,
    };
  }
  return { row, o };
}

function runLeaderFault(
  kit: Kit,
  protocol: CompareProtocol,
  n: number,
  p: CompareParams,
  scenario: "crash" | "equivocate",
  stable: Observation,
): CompareRow {
  const order = decisionOrder(stable);
  const target = order[p.warmup];
  const prop = target ? stable.proposed.get(target.key) : undefined;
  if (!prop) {
    return {
      ...EMPTY,
      protocol,
      scenario,
      n,
      f: stable.built.f,
      notApplicable: "the stable run did not reach the warm-up",
      decided: 0,
      breaches: 0,
    };
  }
  // just before the leader proposes the decision after the warm-up (a deterministic re-run: the
  // same seed and parameters give the same run up to the fault)
  const atMs = prop.t - p.deltaMs / 2;
  const leader = prop.from;
  const built = kit.build(
    n,
    p,
    scenario === "crash" ? { gossip: false, nemesis: [{ atMs, type: "crash", node: leader }] } : {
      gossip: false,
      byzantine: [{ nodes: [leader], strategies: [{ kind: "equivocate" }], fromMs: atMs }],
    },
  );
  const o = observe(kit, built);
  // decisions of earlier keys may still complete after the fault (their votes are in flight):
  // the fault's cost is measured up to the first decision of the leader's key or a later one
  const k = target.key;
  built.sim.run({
    untilMs: atMs + horizonMs(p),
    until: () => [...o.firstDecided.keys()].some((key) => key >= k),
  });
  const order2 = decisionOrder(o);
  const last = order2.filter((x) => x.t <= atMs).at(-1);
  const next = order2.find((x) => x.key >= k);
  const s = last && next ? sendsIn(o, last.t, next.t) : { messages: NaN, auth: NaN };
  return {
    ...EMPTY,
    protocol,
    scenario,
    n,
    f: built.f,
    leader,
    messages: s.messages,
    authenticators: s.auth,
    recoveryMs: next ? next.t - atMs : NaN,
    gapMs: next && last ? next.t - last.t : NaN,
    decided: order2.length,
    breaches: built.inv.breaches.length,
  };
}

function runPartition(kit: Kit, protocol: CompareProtocol, n: number, p: CompareParams) {
  const built = kit.build(n, p, { gossip: true });
  const o = observe(kit, built);
  const { sim, net, servers } = built;
  sim.run({ untilMs: 400 * p.deltaMs, until: () => o.firstDecided.size >= p.warmup });
  const splitAt = sim.nowMs;
  const half = Math.ceil(n / 2);
  // the client (PBFT) stays with the first half
  net.partition([[...servers.slice(0, half), ...built.clients], servers.slice(half)]);
  const healAt = splitAt + p.partitionDeltas * p.deltaMs;
  sim.run({ untilMs: healAt });
  net.heal();
  const decidedBefore = new Set(o.firstDecided.keys());
  const fresh = () => [...o.firstDecided].filter(([k]) => !decidedBefore.has(k));
  // GRANDPA's model (§2): after GST every message arrives within T. Messages the split dropped
  // are only sent again by the re-broadcast, so the lemma's GST is the heal plus one period + T.
  const d = p.deltaMs;
  const gst = healAt + (GOSSIP_DELTAS + 1) * d;
  const roundsAfterGst = () => [...o.proposed.values()].filter((x) => x.t >= gst).length;
  sim.run({
    untilMs: healAt + horizonMs(p),
    until: () => fresh().length >= 4 && (protocol !== "grandpa" || roundsAfterGst() >= 4),
  });
  // let every round already started run 7T more: one that needs longer than 6T shows as such
  if (protocol === "grandpa") sim.run({ untilMs: sim.nowMs + 7 * d });
  const during =
    [...o.firstDecided].filter(([k, t]) =>
      t <= healAt && (o.proposed.get(k)?.t ?? -Infinity) >= splitAt
    ).length;
  const first = Math.min(...fresh().map(([, t]) => t));
  let roundAfterGst = NaN;
  if (protocol === "grandpa") {
    const end = sim.nowMs;
    // a round whose g(H_r) is a block already final finalises nothing new and emits nothing
    // (Lemma 4.7 (b) holds for it trivially): only rounds that finalised a new block somewhere
    // are timed, until every honest voter has it
    const rounds = [...o.proposed].filter(([k, x]) =>
      x.t >= gst && x.t <= end - 7 * d && o.firstDecided.has(k)
    ).map(([k, x]) => ((o.allDecided.get(k) ?? Infinity) - x.t) / d);
    roundAfterGst = rounds.length ? Math.max(...rounds) : NaN;
  }
  return {
    ...EMPTY,
    protocol,
    scenario: "partition" as const,
    n,
    f: built.f,
    recoveryMs: Number.isFinite(first) ? first - healAt : NaN,
    decisionsDuringPartition: during,
    sides: `${half} | ${n - half} (quorum ${built.quorum})`,
    maxRoundAfterGstT: roundAfterGst,
    decided: o.firstDecided.size,
    breaches: built.inv.breaches.length,
  };
}

/**
 * Every protocol × n × scenario of the parameters, on one harness.
 * @example
 * ```ts
 * compareRows(parseCompareParams({ ns: [4], protocols: ["hotstuff-basic"], scenarios: ["stable"] }));
 * // [{ protocol: "hotstuff-basic", n: 4, messages: 24, latencyDelta: 7, intervalDelta: 8, ... }]
 * ```
 */
export function compareRows(p: CompareParams): CompareRow[] {
  const rows: CompareRow[] = [];
  for (const protocol of p.protocols) {
    const kit = KITS[protocol];
    for (const n of p.ns) {
      const stable = runStable(kit, protocol, n, p);
      if (p.scenarios.includes("stable")) rows.push(stable.row);
      for (const scenario of ["crash", "equivocate"] as const) {
        if (!p.scenarios.includes(scenario)) continue;
        rows.push(
          kit.noLeader
            ? {
              ...EMPTY,
              protocol,
              scenario,
              n,
              f: stable.o.built.f,
              notApplicable: kit.noLeader,
              decided: NaN,
              breaches: NaN,
            }
            : runLeaderFault(kit, protocol, n, p, scenario, stable.o),
        );
      }
      if (p.scenarios.includes("partition")) rows.push(runPartition(kit, protocol, n, p));
    }
  }
  return rows;
}

// ---- theory -----------------------------------------------------------------------------------

/** Messages per decision with a correct leader, from the papers' message patterns (q = n − f). */
export function theoryMessages(protocol: CompareProtocol, n: number): number {
  switch (protocol) {
    case "pbft":
      return pbftMessagesTheory(n).total; // request, pre-prepare, prepares, commits, replies
    case "tendermint":
    case "grandpa":
      return (n - 1) + 2 * n * (n - 1); // a proposal (primary) broadcast and two all-to-all votes
    case "hotstuff-basic":
      return hotstuffTheory("basic", n, n - Math.floor((n - 1) / 3)).messages; // 8(n − 1)
    case "hotstuff-chained":
      return hotstuffTheory("chained", n, n - Math.floor((n - 1) / 3)).messages; // 2(n − 1)
  }
}

/**
 * Authenticators per decision with a correct leader. PBFT: the signed pre-prepare, prepares and
 * commits, (n − 1) + (n − 1)² + n(n − 1) (this implementation's requests and replies carry none);
 * Tendermint and GRANDPA: one signature a message; HotStuff: §4.4's count, (n − 1)(5q + 3) basic
 * and (n − 1)(q + 1) chained with QCs as signature sets, 8(n − 1) and 2(n − 1) with threshold QCs.
 */
export function theoryAuthenticators(
  protocol: CompareProtocol,
  n: number,
  thresholdSignatures: boolean,
): number {
  const q = n - Math.floor((n - 1) / 3);
  switch (protocol) {
    case "pbft":
      return (n - 1) + (n - 1) ** 2 + n * (n - 1);
    case "tendermint":
    case "grandpa":
      return theoryMessages(protocol, n);
    case "hotstuff-basic":
    case "hotstuff-chained": {
      const t = hotstuffTheory(protocol === "hotstuff-basic" ? "basic" : "chained", n, q);
      return thresholdSignatures ? t.authenticatorsThreshold : t.authenticators;
    }
  }
}

/** The growth exponent theory gives (messages per decision, correct leader). */
export const MESSAGE_EXPONENT: Record<CompareProtocol, number> = {
  pbft: 2,
  tendermint: 2,
  "hotstuff-basic": 1,
  "hotstuff-chained": 1,
  grandpa: 2,
};

/** Latency, proposal to the last replica's decision, in δ (GRANDPA: round start to finality, T). */
export function theoryLatencyDelta(protocol: CompareProtocol): number {
  switch (protocol) {
    case "pbft":
    case "tendermint":
      return 3; // pre-prepare/proposal, prepare/prevote, commit/precommit
    case "hotstuff-basic":
    case "hotstuff-chained":
      return 7; // three phases of 2δ and the decide message / the proposal three views later
    case "grandpa":
      return 4; // prevote at 2T, prevotes in at 3T, precommits in at 4T (bft_grandpa.ts)
  }
}

/**
 * Interval between decisions in the steady state, in δ (GRANDPA: the bound 6T). PBFT with one
 * closed-loop client: request, pre-prepare, prepare, commit, reply; Tendermint with
 * timeoutCommit = 0: proposal, prevote, precommit; HotStuff from bft_hotstuff.ts.
 */
export function theoryIntervalDelta(protocol: CompareProtocol): number {
  switch (protocol) {
    case "pbft":
      return 5;
    case "tendermint":
      return 3;
    case "hotstuff-basic":
      return hotstuffTheory("basic", 4, 3).intervalDelta;
    case "hotstuff-chained":
      return hotstuffTheory("chained", 4, 3).intervalDelta;
    case "grandpa":
      return 6;
  }
}

const INTERVAL_WHY: Record<CompareProtocol, string> = {
  pbft: "one request in flight: request, three phases, reply",
  tendermint: "timeoutCommit 0: the next proposal goes out at the decision",
  "hotstuff-basic": "four phases of 2δ",
  "hotstuff-chained": "one generic phase of 2δ a view",
  grandpa: "",
};

/**
 * Tolerance of a fitted growth exponent: the nearest whole exponent must be the predicted one
 * (lower-order terms bend small-n fits, e.g. 9n − 13 fits n^1.39 between n = 4 and 7, but a
 * quadratic never fits below 1.5).
 */
export const EXPONENT_TOLERANCE = 0.5;

/** The fitted exponent of `y` against n over the rows (NaN with fewer than 2 sizes). */
export function fitExponent(rows: readonly CompareRow[], y: "messages" | "authenticators"): number {
  const pts = rows.filter((r) => Number.isFinite(r[y]) && r[y] > 0).map((r) => ({
    x: r.n,
    y: r[y],
  }));
  if (new Set(pts.map((q) => q.x)).size < 2) return NaN;
  // least squares on (log n, log y): slope = cov / var
  const lx = pts.map((q) => Math.log(q.x)), ly = pts.map((q) => Math.log(q.y));
  const mx = mean(lx)!, my = mean(ly)!;
  return sum(lx, (x: number, i: number) => (x - mx) * (ly[i] - my)) /
    sum(lx, (x: number) => (x - mx) ** 2);
}

function exponentClaim(
  text: string,
  rows: readonly CompareRow[],
  y: "messages" | "authenticators",
  expected: number,
): Claim {
  const k = fitExponent(rows, y);
  const ns = rows.map((r) => r.n);
  if (new Set(ns).size < 2) {
    return notApplicable(text, `an exponent needs at least two sizes (ran n = ${ns.join(", ")})`);
  }
  return claim(
    text,
    Math.abs(k - expected) < EXPONENT_TOLERANCE,
    `fitted exponent ${k.toFixed(2)} (expected ${expected} ± ${EXPONENT_TOLERANCE}) over n = ` +
      `${ns.join(", ")}: ${rows.map((r) => Math.round(r[y])).join(", ")}`,
  );
}

/**
 * What theory predicts for the rows, each prediction computed from the parameters: exact
 * messages per decision (8(n − 1) for basic HotStuff, 2(n − 1) chained, 2n² − n + 1 for PBFT,
 * (n − 1) + 2n(n − 1) for Tendermint and a GRANDPA round), exact latencies in δ, fitted growth
 * exponents (PBFT O(n²) normal case, O(n³) authenticators across a view change; HotStuff O(n)
 * across a leader failure), chained HotStuff committing a block when the proposal three views
 * later arrives, GRANDPA finalising within 6T of a round's start after GST, no decision during a
 * no-quorum partition, progress after every fault and heal, and honest agreement everywhere.
 */
export function compareClaims(rows: readonly CompareRow[], p: CompareParams): Claim[] {
  const out: Claim[] = [];
  const of = (protocol: CompareProtocol, scenario: CompareScenario) =>
    rows.filter((r) => r.protocol === protocol && r.scenario === scenario && !r.notApplicable)
      .sort((a, b) => a.n - b.n);
  for (const protocol of p.protocols) {
    const st = of(protocol, "stable");
    if (st.length) {
      const formula = {
        pbft: "2n² − n + 1",
        tendermint: "(n − 1) + 2n(n − 1)",
        "hotstuff-basic": "8(n − 1)",
        "hotstuff-chained": "2(n − 1)",
        grandpa: "(n − 1) + 2n(n − 1) per round",
      }[protocol];
      out.push(claim(
        `${protocol}: messages per decision with a correct leader = ${formula}`,
        st.every((r) => r.messages === theoryMessages(protocol, r.n)),
        st.map((r) => `n=${r.n}: ${r.messages} vs ${theoryMessages(protocol, r.n)}`).join(", "),
      ));
      out.push(exponentClaim(
        `${protocol}: messages per decision grow as n^${MESSAGE_EXPONENT[protocol]}`,
        st,
        "messages",
        MESSAGE_EXPONENT[protocol],
      ));
      const authFormula = {
        pbft: "(n − 1) + (n − 1)² + n(n − 1)",
        tendermint: "one a message",
        grandpa: "one a message",
        "hotstuff-basic": p.thresholdSignatures ? "8(n − 1)" : "(n − 1)(5q + 3)",
        "hotstuff-chained": p.thresholdSignatures ? "2(n − 1)" : "(n − 1)(q + 1)",
      }[protocol];
      out.push(claim(
        `${protocol}: authenticators per decision = ${authFormula}`,
        st.every((r) =>
          r.authenticators === theoryAuthenticators(protocol, r.n, p.thresholdSignatures)
        ),
        st.map((r) =>
          `n=${r.n}: ${r.authenticators} vs ${
            theoryAuthenticators(protocol, r.n, p.thresholdSignatures)
          }`
        ).join(", "),
      ));
      const L = theoryLatencyDelta(protocol);
      out.push(claim(
        protocol === "grandpa"
          ? `grandpa: a round finalises ${L}T after it starts (within Lemma 4.7's 6T)`
          : `${protocol}: proposal to the last replica's decision takes ${L}δ`,
        st.every((r) =>
          Math.abs(r.maxLatencyDelta - L) < 1e-9 && Math.abs(r.latencyDelta - L) < 1e-9
        ),
        st.map((r) => `n=${r.n}: ${+r.maxLatencyDelta.toFixed(3)}`).join(", "),
      ));
      const I = theoryIntervalDelta(protocol);
      out.push(claim(
        protocol === "grandpa"
          ? "grandpa: a round finalises at least every 6T (the next round starts by t_r + 6T, " +
            "Lemma 4.6 (iv))"
          : `${protocol}: a decision every ${I}δ (${INTERVAL_WHY[protocol]}): ` +
            `${+(1000 / (I * p.deltaMs)).toFixed(1)} decisions per second at δ = ${p.deltaMs} ms`,
        st.every((r) =>
          protocol === "grandpa" ? r.intervalDelta <= I : Math.abs(r.intervalDelta - I) < 1e-9
        ),
        st.map((r) =>
          `n=${r.n}: ${+r.intervalDelta.toFixed(3)}δ, ${+r.decisionsPerSec.toFixed(1)}/s`
        )
          .join(", "),
      ));
      if (protocol === "hotstuff-chained") {
        out.push(claim(
          "hotstuff-chained: block b commits when the proposal three views later arrives",
          st.every((r) => r.threeChainOffsetDelta === 0),
          st.map((r) => `n=${r.n}: off by ${r.threeChainOffsetDelta}δ`).join(", "),
        ));
      }
      if (protocol === "pbft") {
        out.push(exponentClaim(
          "pbft: authenticators per decision grow as n² (normal case)",
          st,
          "authenticators",
          2,
        ));
      }
    }
    const crash = of(protocol, "crash");
    if (protocol === "pbft" && crash.length) {
      out.push(exponentClaim(
        "pbft: authenticators across a view change grow as n³ (Castro–Liskov; HotStuff Table 1)",
        crash,
        "authenticators",
        3,
      ));
    }
    if ((protocol === "hotstuff-basic" || protocol === "hotstuff-chained") && crash.length) {
      const ok = crash.filter((r) => Number.isFinite(r.messages));
      out.push(exponentClaim(
        `${protocol}: messages across a leader failure grow as n (linear view change)`,
        ok,
        "messages",
        1,
      ));
      if (p.thresholdSignatures) {
        out.push(exponentClaim(
          `${protocol}: authenticators across a leader failure grow as n (threshold QCs)`,
          ok,
          "authenticators",
          1,
        ));
      }
    }
    if (protocol === "tendermint" && crash.length) {
      out.push(exponentClaim(
        "tendermint: messages across a round change grow as n² (nil prevotes and precommits, " +
          "all to all)",
        crash,
        "messages",
        2,
      ));
    }
    for (const scenario of ["crash", "equivocate"] as const) {
      const rs = rows.filter((r) => r.protocol === protocol && r.scenario === scenario);
      if (!rs.length) continue;
      const na = rs.find((r) => r.notApplicable);
      const live = rs.filter((r) => !r.notApplicable && !chainedN4(r));
      const what = scenario === "crash" ? "a crashed leader" : "an equivocating leader";
      if (na && !live.length) {
        out.push(notApplicable(`${protocol}: decisions resume after ${what}`, na.notApplicable));
        continue;
      }
      out.push(claim(
        `${protocol}: decisions resume after ${what}, within ${horizonMs(p)} ms`,
        live.every((r) => Number.isFinite(r.recoveryMs)),
        live.map((r) => `n=${r.n}: ${r.recoveryMs} ms`).join(", "),
      ));
      const skipped = rs.filter(chainedN4);
      if (skipped.length) {
        out.push(notApplicable(
          `${protocol} n=4: decisions resume after ${what}`,
          "with a new leader every view, chained HotStuff needs four consecutive views with honest " +
            "leaders to commit, and at n = 4 the failed replica leads every fourth view " +
            "(lib/protocols/hotstuff/config.ts, viewsPerLeader)",
        ));
      }
    }
    const part = of(protocol, "partition");
    if (part.length) {
      out.push(claim(
        `${protocol}: no decision is proposed and made while no side holds a quorum`,
        part.every((r) => r.decisionsDuringPartition === 0),
        part.map((r) => `n=${r.n} (${r.sides}): ${r.decisionsDuringPartition}`).join(", "),
      ));
      out.push(claim(
        `${protocol}: decisions resume after the heal, within ${horizonMs(p)} ms`,
        part.every((r) => Number.isFinite(r.recoveryMs)),
        part.map((r) => `n=${r.n}: ${r.recoveryMs} ms`).join(", "),
      ));
      if (protocol === "grandpa") {
        out.push(claim(
          "grandpa: after GST (heal + re-broadcast + T) every round that finalises a new block " +
            "has it final at every honest voter within 6T of its start (Lemma 4.7 (b))",
          part.every((r) => r.maxRoundAfterGstT <= 6),
          part.map((r) => `n=${r.n}: worst ${r.maxRoundAfterGstT}T`).join(", "),
        ));
      }
    }
    const all = rows.filter((r) => r.protocol === protocol && !r.notApplicable);
    if (all.length) {
      out.push(claim(
        `${protocol}: honest replicas agree in every run (crash, equivocation, partition)`,
        all.every((r) => r.breaches === 0),
        `${all.reduce((k, r) => k + r.breaches, 0)} breaches in ${all.length} runs`,
      ));
    }
  }
  return out;
}

function chainedN4(r: CompareRow): boolean {
  return r.protocol === "hotstuff-chained" && r.n === 4 && r.scenario === "crash";
}

// ---- the comparison table -----------------------------------------------------------------------

const FORMULA: Record<CompareProtocol, string> = {
  pbft: "2n² − n + 1",
  tendermint: "(n − 1) + 2n(n − 1)",
  "hotstuff-basic": "8(n − 1)",
  "hotstuff-chained": "2(n − 1)",
  grandpa: "(n − 1) + 2n(n − 1) a round",
};

/**
 * The comparison table of notebook 03 as markdown, one row per protocol, every number from the
 * rows: messages and authenticators per decision at the largest n with the fitted exponent,
 * latency and interval in δ, the cost of a crashed and of an equivocating leader at the largest n
 * (with the exponent of the authenticators across the failure), and the no-quorum partition.
 */
export function comparisonMarkdown(rows: readonly CompareRow[], p: CompareParams): string {
  const nMax = Math.max(...p.ns);
  const fmt = (x: number, digits = 0) => Number.isFinite(x) ? String(+x.toFixed(digits)) : "—";
  const head = "| protocol | messages / decision (formula) | at n = " + nMax +
    " | exponent | authenticators / decision | latency | interval (decisions/s) | " +
    "crashed leader: recovery, messages, authenticators (exponent) | equivocating leader: " +
    "recovery | no-quorum split: decided, resumed after heal |\n" +
    "|---|---|---|---|---|---|---|---|---|---|\n";
  const body = p.protocols.map((protocol) => {
    const mine = (s: CompareScenario) =>
      rows.filter((r) => r.protocol === protocol && r.scenario === s).sort((a, b) => a.n - b.n);
    const st = mine("stable"), cr = mine("crash"), eq = mine("equivocate");
    const pa = mine("partition");
    const top = st.at(-1), c = cr.at(-1), e = eq.at(-1), q = pa.at(-1);
    const unit = protocol === "grandpa" ? "T" : "δ";
    const crash = !c
      ? "—"
      : c.notApplicable
      ? "n/a: no leader (the primary only hints)"
      : `${fmt(c.recoveryMs)} ms, ${fmt(c.messages)}, ${fmt(c.authenticators)} ` +
        `(n^${fmt(fitExponent(cr.filter((r) => !r.notApplicable), "authenticators"), 2)})`;
    const equiv = !e ? "—" : e.notApplicable ? "n/a" : `${fmt(e.recoveryMs)} ms`;
    return `| ${protocol} | ${FORMULA[protocol]} | ${fmt(top?.messages ?? NaN)} | ` +
      `n^${fmt(fitExponent(st, "messages"), 2)} | ${fmt(top?.authenticators ?? NaN)} | ` +
      `${fmt(top?.latencyDelta ?? NaN, 2)}${unit} | ${fmt(top?.intervalDelta ?? NaN, 2)}${unit} ` +
      `(${fmt(top?.decisionsPerSec ?? NaN, 1)}) | ${crash} | ${equiv} | ` +
      `${q ? `${q.decisionsDuringPartition}, ${fmt(q.recoveryMs)} ms` : "—"} |`;
  }).join("\n");
  return head + body;
}

/**
 * The comparison in words, every number from the rows: the largest n's message counts, the cost
 * of a crashed leader's replacement, and which protocol resumed last after the partition and why.
 */
export function comparisonReading(rows: readonly CompareRow[], p: CompareParams): string {
  const nMax = Math.max(...p.ns);
  const at = (protocol: CompareProtocol, scenario: CompareScenario) =>
    rows.find((r) => r.protocol === protocol && r.scenario === scenario && r.n === nMax);
  const out: string[] = [];
  const [pb, tm, hb, hc] = (["pbft", "tendermint", "hotstuff-basic", "hotstuff-chained"] as const)
    .map((x) => at(x, "stable"));
  if (pb && hb && hc) {
    out.push(
      `At n = ${nMax} one decision costs ${pb.messages} messages in PBFT` +
        (tm ? `, ${tm.messages} in Tendermint` : "") +
        `, ${hb.messages} in basic HotStuff and ${hc.messages} in chained HotStuff, which also ` +
        `decides every ${+hc.intervalDelta.toFixed(2)}δ where basic HotStuff needs ` +
        `${+hb.intervalDelta.toFixed(2)}δ` +
        (hc.latencyDelta >= hb.latencyDelta ? ": pipelining buys throughput, not latency" : "") +
        ` (proposal to decision: basic ${+hb.latencyDelta.toFixed(2)}δ, chained ` +
        `${+hc.latencyDelta.toFixed(2)}δ, PBFT ${+pb.latencyDelta.toFixed(2)}δ).`,
    );
  }
  const pc = at("pbft", "crash"), hcr = at("hotstuff-basic", "crash");
  if (pc && hcr && Number.isFinite(pc.authenticators) && Number.isFinite(hcr.authenticators)) {
    out.push(
      `Replacing a crashed leader at n = ${nMax}: PBFT sends ${pc.authenticators} signatures ` +
        `between the last decision before the crash and the first after it, basic HotStuff ` +
        `${hcr.authenticators} authenticators (${
          (pc.authenticators / hcr.authenticators).toFixed(0)
        }` +
        `× fewer); PBFT's VIEW-CHANGE messages carry the prepared certificates, HotStuff's ` +
        `NEW-VIEW messages one QC each.`,
    );
  }
  const part = rows.filter((r) =>
    r.scenario === "partition" && r.n === nMax &&
    Number.isFinite(r.recoveryMs)
  );
  if (part.length) {
    const slow = part.reduce((a, b) => (b.recoveryMs > a.recoveryMs ? b : a));
    const fast = part.reduce((a, b) => (b.recoveryMs < a.recoveryMs ? b : a));
    out.push(
      `After the ${p.partitionDeltas}δ split heals, ${fast.protocol} decides again first ` +
        `(${fast.recoveryMs} ms) and ${slow.protocol} last (${slow.recoveryMs} ms)` +
        (slow.protocol.startsWith("hotstuff")
          ? ": HotStuff's pacemaker doubles the view timeout after every failed view, so after a " +
            "long split its replicas first sit out a long timeout."
          : "."),
    );
  }
  return out.join(" ");
}
