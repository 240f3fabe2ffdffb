/**
 * Experiment 3 of notebook 05: FLP made visible. Fischer, Lynch and Paterson (1985) prove that in
 * an asynchronous system no deterministic protocol can guarantee that consensus terminates if one
 * process may crash: an adversary that controls message delays can always keep the system in a
 * state from which both decisions are still possible. Their adversary never drops a message, it
 * only delivers it late — after it has stopped mattering.
 *
 * {@link FlpAdversary} is that adversary for quorum-based protocols. It sits on every server's
 * outgoing traffic (`sim.intercept`) and recognises the one message that would complete a quorum
 * for a round: the last Promise a Paxos ballot needs, the last Accepted of a slot, the last vote a
 * Raft candidate needs. It holds that message back until a majority of the cluster has moved to a
 * higher round — the round is then dead, its quorum can never form — and only then delivers it.
 * Every message is delivered; none in time to matter. The protocols' own timeouts keep starting
 * new rounds, the adversary keeps starving them, and safety holds throughout because nothing is
 * ever decided. When the adversary lets go at `releaseMs` (the network becomes "synchronous
 * enough" — Dwork, Lynch & Stockmeyer's partial synchrony, 1988), a decision follows within a
 * few election timeouts.
 *
 * Design notes. The adversary sits on every server's outgoing traffic through the simulator's
 * interception hook, installed with `byzantine: false`: it is the scheduler, and the nodes run the
 * honest code. The adversary reads the protocol state it needs to
 * tell a dead round (promised ballots, current terms) from the nodes or, for crashed ones, from
 * their durable storage: FLP's adversary is omniscient.
 * @module
 */
import { createCluster } from "../net/cluster.ts";
import type { FaultWindow } from "../net/nemesis.ts";
import type { EmittedEvent, Simulation } from "../sim/simulation.ts";
import type { NodeFactory, NodeId } from "../sim/types.ts";
import { paxosFactory, PaxosNode } from "../protocols/paxos/node.ts";
import { PROMISED_KEY } from "../protocols/paxos/acceptor.ts";
import { PaxosInvariants } from "../protocols/paxos/invariants.ts";
import {
  type Ballot,
  ballotKey,
  BOTTOM,
  compareBallots,
  type PaxosMessage,
} from "../protocols/paxos/messages.ts";
import { raftFactory, RaftNode, TERM_KEY } from "../protocols/raft/node.ts";
import type { RaftMessage } from "../protocols/raft/messages.ts";
import { RaftInvariants } from "../protocols/raft/invariants.ts";
import type { ConsensusParams } from "./consensus_params.ts";
import { SHARED_TIMING } from "./consensus_params.ts";
import type { Protocol } from "./consensus_kv.ts";
import { type Claim, claim } from "./claims.ts";

/** How an adversary recognises the deciding messages of one protocol. */
export interface QuorumStrategy {
  /**
   * Called for every message a server sends while the adversary is active: the key of the round
   * whose quorum this message would complete (hold it), or undefined (let it pass; the strategy
   * records that it passed).
   */
  completes(from: NodeId, to: NodeId, msg: unknown): string | undefined;
  /** Whether the round `key` can no longer gather its quorum (a majority moved past it). */
  dead(key: string): boolean;
}

interface Held {
  readonly from: NodeId;
  readonly to: NodeId;
  readonly msg: unknown;
  readonly key: string;
  readonly sinceMs: number;
}

/** What the adversary did. */
export interface FlpAdversaryStats {
  /** Messages held back. */
  held: number;
  /** Longest a message was held (ms). */
  maxHoldMs: number;
  /** Most messages held at once. */
  maxHeldAtOnce: number;
  /** Held messages delivered since (all of them, once the adversary let go). */
  delivered: number;
}

/**
 * Hold every message that would complete a quorum until its round is dead; from `releaseMs` on,
 * deliver everything held and interfere no more.
 * @example
 * ```ts
 * const adv = new FlpAdversary(sim, paxosQuorumStrategy(sim), { releaseMs: 3_000 }).install();
 * sim.run({ untilMs: 5_000 });
 * adv.stats.held; // messages that would have decided a round in time
 * ```
 */
export class FlpAdversary {
  /** Counters. */
  readonly stats: FlpAdversaryStats = { held: 0, maxHoldMs: 0, maxHeldAtOnce: 0, delivered: 0 };
  #sim: Simulation<unknown>;
  #strategy: QuorumStrategy;
  #releaseMs: number;
  #held: Held[] = [];
  #releasing = new Set<unknown>();
  #active = true;

  /** An adversary over `sim`'s servers (call {@link install}). */
  constructor(sim: Simulation<unknown>, strategy: QuorumStrategy, options: { releaseMs: number }) {
    this.#sim = sim;
    this.#strategy = strategy;
    this.#releaseMs = options.releaseMs;
  }

  /** Whether the adversary still interferes. */
  get active(): boolean {
    return this.#active;
  }

  /** Put the adversary on every server's outgoing traffic. Returns this. */
  install(): this {
    const sim = this.#sim;
    for (const id of sim.serverIds) {
      sim.intercept(id, (out, net) => {
        if (!this.#active || this.#releasing.has(out.msg)) return net.send(out.to, out.msg);
        const key = this.#strategy.completes(out.from, out.to, out.msg);
        if (key === undefined) return net.send(out.to, out.msg);
        this.#held.push({ ...out, key, sinceMs: sim.nowMs });
        this.stats.held++;
        this.stats.maxHeldAtOnce = Math.max(this.stats.maxHeldAtOnce, this.#held.length);
      }, { byzantine: false }); // FLP's adversary is the scheduler, not a faulty node
    }
    sim.afterEach(() => {
      if (this.#held.length === 0) return;
      const dead = this.#held.filter((h) => !this.#active || this.#strategy.dead(h.key));
      if (dead.length === 0) return;
      this.#held = this.#held.filter((h) => !dead.includes(h));
      for (const h of dead) this.#deliver(h);
    });
    sim.at(this.#releaseMs, () => {
      this.#active = false;
      const all = this.#held;
      this.#held = [];
      for (const h of all) this.#deliver(h);
    });
    return this;
  }

  #deliver(h: Held): void {
    this.stats.maxHoldMs = Math.max(this.stats.maxHoldMs, this.#sim.nowMs - h.sinceMs);
    this.stats.delivered++;
    this.#releasing.add(h.msg);
    try {
      this.#sim.inject(h.from, h.to, h.msg);
    } finally {
      this.#releasing.delete(h.msg);
    }
  }
}

function majority(n: number): number {
  return Math.floor(n / 2) + 1;
}

/**
 * Paxos's deciding messages: the Promise that would give a ballot its majority (the proposer's own
 * acceptor promises locally and counts), and the Accepted that would choose a slot. A ballot is
 * dead once a majority of acceptors promised a higher one.
 */
export function paxosQuorumStrategy(sim: Simulation<unknown>): QuorumStrategy {
  const node = (id: NodeId) => sim.instanceOf<PaxosNode>(id);
  const first = node(sim.serverIds[0]);
  const acceptors = first ? first.acceptors : sim.serverIds;
  const need = majority(acceptors.length);
  const passed = new Map<string, Set<NodeId>>();
  const ballots = new Map<string, Ballot>();
  const promisedBy = (id: NodeId): Ballot =>
    node(id)?.promised ?? sim.node(id).storage.get<Ballot>(PROMISED_KEY) ?? BOTTOM;
  const count = (key: string, proposer: NodeId, from: NodeId): string | undefined => {
    let s = passed.get(key);
    if (!s) {
      s = new Set();
      // the proposer's own acceptor answers locally, out of the adversary's reach
      if (acceptors.includes(proposer)) s.add(proposer);
      passed.set(key, s);
    }
    if (s.has(from)) return undefined;
    if (s.size + 1 >= need) return key;
    s.add(from);
    return undefined;
  };
  return {
    completes(from, _to, raw) {
      const m = raw as PaxosMessage;
      if (m.type === "Promise") {
        const key = ballotKey(m.ballot);
        ballots.set(key, m.ballot);
        return count(key, m.ballot.proposerId, from);
      }
      if (m.type === "Accepted") {
        const key = ballotKey(m.ballot);
        ballots.set(key, m.ballot);
        const k = count(`${key}#${m.slot}`, m.ballot.proposerId, from);
        return k === undefined ? undefined : key;
      }
      return undefined;
    },
    dead(key) {
      const b = ballots.get(key)!;
      let higher = 0;
      for (const a of acceptors) if (compareBallots(promisedBy(a), b) > 0) higher++;
      return higher >= need;
    },
  };
}

/**
 * Raft's deciding message: the granted vote that would give a candidate its majority (its own
 * vote counts). A candidate's term is dead once a majority of servers is in a later term.
 */
export function raftQuorumStrategy(sim: Simulation<unknown>): QuorumStrategy {
  const servers = sim.serverIds;
  const need = majority(servers.length);
  const passed = new Map<string, Set<NodeId>>();
  const termOf = (id: NodeId): number =>
    sim.instanceOf<RaftNode>(id)?.term ?? sim.node(id).storage.get<number>(TERM_KEY) ?? 0;
  return {
    completes(from, to, raw) {
      const m = raw as RaftMessage;
      if (m.type !== "RequestVoteResponse" || !m.voteGranted || m.prevote) return undefined;
      const key = `${m.term}@${to}`;
      let s = passed.get(key);
      if (!s) passed.set(key, s = new Set([to]));
      if (s.has(from)) return undefined;
      if (s.size + 1 >= need) return key;
      s.add(from);
      return undefined;
    },
    dead(key) {
      const term = Number(key.slice(0, key.indexOf("@")));
      let later = 0;
      for (const id of servers) if (termOf(id) > term) later++;
      return later >= need;
    },
  };
}

/** One run of the FLP experiment. */
export interface FlpRow {
  readonly protocol: Protocol;
  readonly seed: number;
  /** When the adversary let go (ms). */
  readonly releaseMs: number;
  /** First decision: a Paxos slot chosen / a Raft entry committed (NaN if none). */
  readonly decidedAtMs: number;
  readonly decidedBeforeRelease: boolean;
  /** Decision time minus release time (NaN if none). */
  readonly decisionAfterReleaseMs: number;
  /** Ballots (Paxos) or elections (Raft) started while the adversary was active. */
  readonly roundsWhileHeld: number;
  /** Messages the adversary held back. */
  readonly held: number;
  /** Held messages it delivered later (FLP's adversary delays, it never drops). */
  readonly delivered: number;
  /** Longest hold (ms). */
  readonly maxHoldMs: number;
}

/** A node's role over an interval (for the timeline chart). */
export interface RoleInterval {
  readonly node: NodeId;
  readonly startMs: number;
  readonly endMs: number;
  readonly state: string;
}

/** One FLP run with what the charts need. */
export interface FlpRun {
  readonly row: FlpRow;
  readonly roles: readonly RoleInterval[];
  /** The highest round (ballot round / term) any server had reached, as a step function. */
  readonly rounds: readonly {
    readonly protocol: Protocol;
    readonly timeMs: number;
    readonly round: number;
  }[];
  /** The adversary's window, for shading. */
  readonly faults: readonly FaultWindow[];
  readonly endMs: number;
}

/** Role intervals from `role` events (Paxos and Raft emit the same shape). */
export function roleIntervals(
  events: readonly EmittedEvent[],
  options: { readonly nodes: readonly NodeId[]; readonly endMs: number },
): RoleInterval[] {
  const { nodes, endMs } = options;
  const cur = new Map<NodeId, { state: string; since: number }>();
  const out: RoleInterval[] = [];
  for (const e of events) {
    if (e.event.type !== "role" || !nodes.includes(e.node)) continue;
    const state = String(e.event.role);
    const c = cur.get(e.node);
    if (c && c.state === state) continue;
    if (c && e.t > c.since) {
      out.push({ node: e.node, startMs: c.since, endMs: e.t, state: c.state });
    }
    cur.set(e.node, { state, since: e.t });
  }
  for (const [node, c] of cur) {
    if (endMs > c.since) out.push({ node, startMs: c.since, endMs, state: c.state });
  }
  return out.sort((a, b) => (a.node < b.node ? -1 : a.node > b.node ? 1 : a.startMs - b.startMs));
}

/**
 * One protocol under the FLP adversary until `flpReleaseMs`, then free. Paxos: every server is a
 * proposer holding a value of its own to propose; Raft: a new leader commits its no-op at once.
 * Safety invariants are checked on every event.
 */
export function flpRun(protocol: Protocol, p: ConsensusParams): FlpRun {
  const seed = p.seed;
  const releaseMs = p.flpReleaseMs;
  const endMs = releaseMs + 3_000;
  const network = { latency: { kind: "uniform" as const, minMs: 2, maxMs: 8 } };
  const c = protocol === "paxos"
    ? createCluster<unknown>({
      seed,
      nodes: p.flpNodes,
      factory: paxosFactory({ ...SHARED_TIMING }) as NodeFactory<unknown>,
      network,
      trace: { mode: "off" },
    })
    : createCluster<unknown>({
      seed,
      nodes: p.flpNodes,
      factory: raftFactory({ ...SHARED_TIMING }) as NodeFactory<unknown>,
      network,
      trace: { mode: "off" },
    });
  const sim = c.sim;
  if (protocol === "paxos") new PaxosInvariants().attach(sim);
  else new RaftInvariants().attach(sim);
  const strategy = protocol === "paxos" ? paxosQuorumStrategy(sim) : raftQuorumStrategy(sim);
  const adversary = new FlpAdversary(sim, strategy, { releaseMs }).install();
  if (protocol === "paxos") {
    sim.at(0, () => {
      for (const id of c.nodes) sim.instanceOf<PaxosNode>(id)!.submit(`value of ${id}`);
    });
  }
  let decidedAtMs = NaN;
  let roundsWhileHeld = 0;
  let maxRound = 0;
  const rounds: FlpRun["rounds"][number][] = [{ protocol, timeMs: 0, round: 0 }];
  const decision = protocol === "paxos" ? "chosen" : "commit";
  sim.onEvent((e) => {
    if (e.event.type === decision && Number.isNaN(decidedAtMs)) decidedAtMs = e.t;
    const started = protocol === "paxos"
      ? e.event.type === "ballot"
      : e.event.type === "role" && e.event.role === "candidate";
    if (!started) return;
    if (e.t < releaseMs) roundsWhileHeld++;
    const r = protocol === "paxos" ? (e.event.ballot as Ballot).round : e.event.term as number;
    if (r > maxRound) {
      // a step: the old round up to this instant, the new one from it
      rounds.push({ protocol, timeMs: e.t, round: maxRound }, { protocol, timeMs: e.t, round: r });
      maxRound = r;
    }
  });
  sim.run({ untilMs: endMs });
  rounds.push({ protocol, timeMs: Math.min(endMs, releaseMs + 1_000), round: maxRound });
  return {
    row: {
      protocol,
      seed,
      releaseMs,
      decidedAtMs,
      decidedBeforeRelease: decidedAtMs < releaseMs,
      decisionAfterReleaseMs: decidedAtMs - releaseMs,
      roundsWhileHeld,
      held: adversary.stats.held,
      delivered: adversary.stats.delivered,
      maxHoldMs: adversary.stats.maxHoldMs,
    },
    roles: roleIntervals(sim.events, { nodes: c.nodes, endMs }),
    rounds,
    faults: [{
      startMs: 0,
      endMs: releaseMs,
      label: "adversary holds deciding messages",
      kind: "network",
    }],
    endMs,
  };
}

/** The FLP experiment over `flpSeeds` seeds per protocol. */
export function flpSweep(p: ConsensusParams): FlpRow[] {
  const rows: FlpRow[] = [];
  for (const protocol of ["paxos", "raft"] as const) {
    for (let k = 0; k < p.flpSeeds; k++) {
      rows.push(flpRun(protocol, { ...p, seed: p.seed + k }).row);
    }
  }
  return rows;
}

/** Longest a decision may take after the adversary lets go: two election timeouts and change. */
export const FLP_DECISION_BOUND_MS = 2 * SHARED_TIMING.electionTimeoutMsMax + 100;

/**
 * Fewest rounds a run must start while the adversary is active: a starved round ends when its
 * candidate's election timeout fires, and every timeout is at most `electionTimeoutMsMax`, so at
 * least one new round starts per `electionTimeoutMsMax` of adversary time.
 */
export function flpMinRounds(releaseMs: number): number {
  return Math.floor(releaseMs / SHARED_TIMING.electionTimeoutMsMax);
}

/**
 * What the timeout-starving scheduler and partial synchrony predict, checked against the runs.
 * (Safety is not a claim here: the protocols' invariants are checked on every event and a breach
 * throws, naming the seed.)
 */
export function checkFlp(rows: readonly FlpRow[]): Claim[] {
  const undecided = rows.filter((r) => !r.decidedBeforeRelease);
  const worst = Math.max(...rows.map((r) => r.decisionAfterReleaseMs));
  const minRounds = Math.min(...rows.map((r) => r.roundsWhileHeld));
  const need = Math.min(...rows.map((r) => flpMinRounds(r.releaseMs)));
  return [
    claim(
      "while the scheduler starves quorums, neither protocol decides anything (every seed)",
      undecided.length === rows.length,
      `${undecided.length} of ${rows.length} runs undecided at release`,
    ),
    claim(
      `they are not idle: at least one new ballot / election per ${SHARED_TIMING.electionTimeoutMsMax} ` +
        `ms election timeout (≥ ${need} rounds before release)`,
      minRounds >= need,
      `at least ${minRounds} rounds per run before release`,
    ),
    claim(
      "every starved round was starved by holding a quorum-completing message (held ≥ rounds − 1)",
      rows.every((r) => r.held >= r.roundsWhileHeld - 1),
      rows.map((r) => `${r.protocol}/${r.seed}: ${r.held} held, ${r.roundsWhileHeld} rounds`)
        .join("; "),
    ),
    claim(
      `once it lets go (partial synchrony), a decision follows within ${FLP_DECISION_BOUND_MS} ms ` +
        "(two election timeouts + 100 ms)",
      rows.every((r) =>
        r.decisionAfterReleaseMs >= 0 && r.decisionAfterReleaseMs <= FLP_DECISION_BOUND_MS
      ),
      `slowest: ${Number.isFinite(worst) ? worst.toFixed(0) : "never"} ms after release`,
    ),
  ];
}
