/**
 * Experiment 1 of notebook 05: the same key-value store, workload and fault schedule on
 * Multi-Paxos and on Raft. Faults: a lossy network for the whole run, the leader of the moment
 * crashed (then restarted), and later the leader of the moment cut off with one other server (then
 * healed). Measured: commit latency, throughput over time, messages per operation, time without
 * progress, and the linearizability verdict of each history.
 * @module
 */
import { checkLinearizability, kvModel, type Verdict } from "../checkers/mod.ts";
import { createCluster } from "../net/cluster.ts";
import type { FaultWindow } from "../net/nemesis.ts";
import type { EmittedEvent, Simulation } from "../sim/simulation.ts";
import type { NodeFactory, NodeId, ProtocolNode } from "../sim/types.ts";
import { installWorkload } from "../workload/client.ts";
import { type HistoryEvent, type Operation, pairOperations } from "../workload/history.ts";
import { latencyQuantiles, messagesPerOperation, perWindow } from "../workload/metrics.ts";
import { kvClientDriver, kvOpGenerator } from "../protocols/kv/client.ts";
import type { ReplicatedLog } from "../protocols/kv/replicated_log.ts";
import { paxosKvFactory } from "../protocols/paxos/kv.ts";
import { type Ballot, ballotKey } from "../protocols/paxos/messages.ts";
import { PaxosInvariants } from "../protocols/paxos/invariants.ts";
import { raftKvServer } from "../protocols/raft/kv.ts";
import { RaftInvariants } from "../protocols/raft/invariants.ts";
import { type ConsensusParams, SHARED_TIMING } from "./consensus_params.ts";
import { type Claim, claim, notApplicable } from "./claims.ts";

/** A crash-fault consensus protocol of the comparison. */
export type Protocol = "paxos" | "raft";

/** Both protocols, in chart order. */
export const PROTOCOLS: readonly Protocol[] = ["paxos", "raft"];

/**
 * Client settings of the comparison: a timeout several times the normal latency (~20 ms), many
 * retries of the same request id (sessions apply it once).
 */
export const KV_CLIENT = { timeoutMs: 100, retries: 100, retryBackoffMs: 10 } as const;

/** Gaps between successive ok completions longer than this count as time without progress. */
export const STALL_THRESHOLD_MS = 100;

/** One protocol's run of the comparison. */
export interface KvRun {
  readonly protocol: Protocol;
  readonly seed: number;
  readonly history: readonly HistoryEvent[];
  readonly ops: readonly Operation[];
  /** Linearizability verdict of the history (kvModel, P-compositional by key). */
  readonly verdict: Verdict;
  /** Time from a leader's propose to that leader seeing the entry committed / chosen (ms). */
  readonly commitLatencyMs: readonly number[];
  /** The same, for entries proposed outside every fault window. */
  readonly steadyCommitLatencyMs: readonly number[];
  /** Messages sent (protocol and client traffic, heartbeats included). */
  readonly messages: number;
  readonly okOps: number;
  /** Gaps between successive ok completions longer than {@link STALL_THRESHOLD_MS}. */
  readonly stalls: readonly { readonly fromMs: number; readonly toMs: number }[];
  /** The servers, in the order clients rotate through them. */
  readonly serverIds: readonly NodeId[];
  /** Leaders picked by the nemesis: the one crashed and the one partitioned away. */
  readonly crashedLeader: NodeId | undefined;
  readonly partitionedLeader: NodeId | undefined;
  /** Fault windows, for shading charts. */
  readonly faults: readonly FaultWindow[];
  readonly endMs: number;
  /** Messages sent per message type (protocol and client traffic; `stats.sent` split by type). */
  readonly messagesByType: Readonly<Record<string, number>>;
  /** Who led from when to when (a crash or a step-down ends a leadership). */
  readonly leaderships: readonly Leadership[];
  /** ReadIndex rounds: gets that reached a server while it was leader (each costs a heartbeat round). */
  readonly readRounds: number;
  /** Slots a leader saw chosen (Paxos `chosen` events; 0 for Raft). */
  readonly chosenSlots: number;
  /** Paxos `Decide` messages sent in answer to a `CatchUp` (0 for Raft). */
  readonly catchUpDecides: number;
  /** Every client request attempt (first tries and retries): when, and to which server. */
  readonly clientAttempts: readonly { readonly t: number; readonly to: NodeId }[];
  /** When clients received an answer (any KvResponse). */
  readonly clientAnswersMs: readonly number[];
}

/** One leadership: `node` led from `fromMs` to `toMs`. */
export interface Leadership {
  readonly node: NodeId;
  readonly fromMs: number;
  readonly toMs: number;
}

/** One row of the comparison table. */
export interface KvSummaryRow {
  readonly protocol: Protocol;
  readonly okOps: number;
  readonly commitMsP50: number;
  readonly commitMsP99: number;
  readonly clientMsP50: number;
  readonly clientMsP99: number;
  readonly messagesPerOp: number;
  /** Total time in gaps without an ok completion longer than the stall threshold (ms). */
  readonly stalledMs: number;
  /** Longest gap without an ok completion (ms). */
  readonly longestStallMs: number;
  /** Gap that covers the leader crash (from the last completion before it to the first after). */
  readonly crashStallMs: number;
  readonly verdict: Verdict;
}

interface KvLog {
  readonly log: ReplicatedLog<unknown, unknown>;
}

function leaderOf(sim: Simulation<unknown>): NodeId | undefined {
  for (const id of sim.serverIds) {
    const s = sim.instanceOf<ProtocolNode<unknown> & KvLog>(id);
    if (s?.log.isLeader()) return id;
  }
  return undefined;
}

function quantile(xs: readonly number[], q: number): number {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  return s[lo] + (s[Math.min(lo + 1, s.length - 1)] - s[lo]) * (pos - lo);
}

/**
 * Run the key-value store on one protocol under the comparison's workload and faults. Safety
 * invariants of the protocol are checked on every event (a breach throws, naming the seed).
 */
export function runKv(protocol: Protocol, p: ConsensusParams): KvRun {
  const seed = p.seed;
  const factory = protocol === "paxos"
    ? paxosKvFactory({ paxos: { ...SHARED_TIMING } })
    : raftKvServer({ raft: { ...SHARED_TIMING } });
  const c = createCluster<unknown>({
    seed,
    nodes: p.nodes,
    factory: factory as unknown as NodeFactory<unknown>,
    network: { latency: { kind: "uniform", minMs: 2, maxMs: 8 }, lossRatio: p.lossRatio },
    trace: { mode: "off" },
  });
  const sim = c.sim;
  if (protocol === "paxos") new PaxosInvariants().attach(sim);
  else new RaftInvariants().attach(sim);
  const endMs = p.runMs;
  let crashedLeader: NodeId | undefined;
  let partitionedLeader: NodeId | undefined;
  const leaderships: Leadership[] = [];
  const leading = new Map<NodeId, number>();
  const endLeadership = (node: NodeId, t: number) => {
    const from = leading.get(node);
    if (from === undefined) return;
    leading.delete(node);
    leaderships.push({ node, fromMs: from, toMs: t });
  };
  let chosenSlots = 0;
  sim.onEvent((e) => {
    if (e.event.type === "chosen") chosenSlots++;
    if (e.event.type !== "role") return;
    if (e.event.role === "leader") {
      if (!leading.has(e.node)) leading.set(e.node, e.t);
    } else endLeadership(e.node, e.t);
  });
  // the nemesis targets whoever leads at that moment, so both protocols lose their leader
  sim.at(p.crashAtMs, () => {
    crashedLeader = leaderOf(sim);
    if (crashedLeader) {
      sim.crash(crashedLeader);
      endLeadership(crashedLeader, sim.nowMs);
    }
  });
  sim.at(p.crashAtMs + p.crashForMs, () => {
    if (crashedLeader) sim.restart(crashedLeader);
  });
  sim.at(p.partitionAtMs, () => {
    partitionedLeader = leaderOf(sim);
    if (!partitionedLeader) return;
    const others = c.nodes.filter((id) => id !== partitionedLeader);
    const k = Math.floor(p.nodes / 2) - 1; // the leader plus k others: still a minority
    const minority = [partitionedLeader, ...others.slice(0, k)];
    const majority = others.slice(k);
    // cut server links only: clients still reach both sides (a partition() would isolate them)
    c.net.cut(minority.flatMap((a) => majority.map((b) => [a, b] as [NodeId, NodeId])));
  });
  sim.at(p.partitionAtMs + p.partitionForMs, () => c.net.heal());
  const w = installWorkload(
    sim,
    kvClientDriver({ followLeader: true }),
    kvOpGenerator({ keys: 3 }),
    {
      mode: "closed",
      clients: p.clients,
      endMs: endMs - 500,
      ...KV_CLIENT,
    },
  );
  // count every message sent, by type, and the traffic the explanations below need
  const messagesByType: Record<string, number> = {};
  const clientAttempts: { t: number; to: NodeId }[] = [];
  const clientAnswersMs: number[] = [];
  const clientIds = new Set(sim.nodeIds.filter((id) => !sim.serverIds.includes(id)));
  let readRounds = 0;
  let catchUpDecides = 0;
  let catchUpFrom: { server: NodeId; learner: NodeId } | undefined;
  sim.onDeliver((d) => {
    const m = d.msg as { type: string; f?: string };
    catchUpFrom = m.type === "CatchUp" ? { server: d.to, learner: d.from } : undefined;
    if (m.type === "KvResponse" && clientIds.has(d.to)) clientAnswersMs.push(d.t);
    if (m.type === "KvRequest" && m.f === "get") {
      const s = sim.instanceOf<ProtocolNode<unknown> & KvLog>(d.to);
      if (s?.log.isLeader()) readRounds++;
    }
  });
  for (const id of sim.nodeIds) {
    sim.intercept(id, (out, net) => {
      const type = (out.msg as { type: string }).type;
      messagesByType[type] = (messagesByType[type] ?? 0) + 1;
      if (type === "KvRequest") clientAttempts.push({ t: sim.nowMs, to: out.to });
      if (
        type === "Decide" && catchUpFrom?.server === out.from && catchUpFrom.learner === out.to
      ) {
        catchUpDecides++;
        catchUpFrom = undefined;
      }
      net.send(out.to, out.msg);
    }, { byzantine: false }); // counting, not lying
  }
  sim.run({ untilMs: endMs });
  for (const node of [...leading.keys()]) endLeadership(node, endMs);
  leaderships.sort((a, b) => a.fromMs - b.fromMs || (a.node < b.node ? -1 : 1));
  const ops = pairOperations(w.history);
  const lin = checkLinearizability(w.history, kvModel({ initial: null }));
  const faults: FaultWindow[] = [
    {
      startMs: p.crashAtMs,
      endMs: p.crashAtMs + p.crashForMs,
      label: "leader crashed",
      kind: "crash",
    },
    {
      startMs: p.partitionAtMs,
      endMs: p.partitionAtMs + p.partitionForMs,
      label: "leader partitioned",
      kind: "network",
    },
  ];
  const commits = commitSamples(sim.events, protocol);
  // steady state: proposed outside every fault window and the 300 ms after it
  const quiet = (t: number) => faults.every((f) => t < f.startMs || t > f.endMs + 300);
  const done = ops.filter((o) => o.status === "ok").map((o) => o.completeMs).sort((a, b) => a - b);
  // from the first completion (after the first election) to the end of the workload
  const workloadEndMs = endMs - 500;
  const stalls: { fromMs: number; toMs: number }[] = [];
  const marks = done.filter((t) => t <= workloadEndMs);
  marks.push(workloadEndMs);
  for (let i = 1; i < marks.length; i++) {
    if (marks[i] - marks[i - 1] > STALL_THRESHOLD_MS) {
      stalls.push({ fromMs: marks[i - 1], toMs: marks[i] });
    }
  }
  return {
    protocol,
    seed,
    history: w.history,
    ops,
    verdict: lin.verdict,
    commitLatencyMs: commits.map((x) => x.latencyMs),
    steadyCommitLatencyMs: commits.filter((x) => quiet(x.proposeMs)).map((x) => x.latencyMs),
    messages: sim.stats.sent,
    okOps: done.length,
    stalls,
    serverIds: c.nodes,
    crashedLeader,
    partitionedLeader,
    faults,
    endMs,
    messagesByType,
    leaderships,
    readRounds,
    chosenSlots,
    catchUpDecides,
    clientAttempts,
    clientAnswersMs,
  };
}

/** One committed proposal: when its leader proposed it and how long until that leader committed it. */
export interface CommitSample {
  readonly proposeMs: number;
  readonly latencyMs: number;
}

/**
 * Commit latencies from protocol events: Paxos `propose` → `chosen` of the same slot and ballot
 * at the same node; Raft `propose` → the first `commit` covering its index at the same node while
 * it still leads (a deposed leader's proposals are dropped, as in RaftInvariants).
 */
export function commitSamples(
  events: readonly EmittedEvent[],
  protocol: Protocol,
): CommitSample[] {
  const out: CommitSample[] = [];
  if (protocol === "paxos") {
    const open = new Map<string, number>();
    for (const e of events) {
      const ev = e.event as Record<string, unknown>;
      if (ev.type !== "propose" && ev.type !== "chosen") continue;
      const key = `${e.node}/${ev.slot}/${ballotKey(ev.ballot as Ballot)}`;
      if (ev.type === "propose") open.set(key, e.t);
      else {
        const t = open.get(key);
        if (t !== undefined) {
          out.push({ proposeMs: t, latencyMs: e.t - t });
          open.delete(key);
        }
      }
    }
    return out;
  }
  const open = new Map<NodeId, { index: number; t: number }[]>();
  for (const e of events) {
    const ev = e.event as Record<string, unknown>;
    if (ev.type === "propose") {
      let q = open.get(e.node);
      if (!q) open.set(e.node, q = []);
      q.push({ index: ev.index as number, t: e.t });
    } else if (ev.type === "role" && ev.role !== "leader") {
      open.delete(e.node);
    } else if (ev.type === "commit") {
      const q = open.get(e.node);
      while (q && q.length && q[0].index <= (ev.index as number)) {
        const x = q.shift()!;
        out.push({ proposeMs: x.t, latencyMs: e.t - x.t });
      }
    }
  }
  return out;
}

/** Summarize a run for the comparison table. */
export function summarizeKv(r: KvRun, p: ConsensusParams): KvSummaryRow {
  const client = latencyQuantiles(r.ops, [0.5, 0.99]);
  const crashStall = r.stalls.find((s) => s.fromMs <= p.crashAtMs + 50 && s.toMs > p.crashAtMs);
  return {
    protocol: r.protocol,
    okOps: r.okOps,
    commitMsP50: quantile(r.steadyCommitLatencyMs, 0.5),
    commitMsP99: quantile(r.steadyCommitLatencyMs, 0.99),
    clientMsP50: client["0.5"],
    clientMsP99: client["0.99"],
    messagesPerOp: messagesPerOperation(r.messages, r.ops),
    stalledMs: r.stalls.reduce((a, s) => a + s.toMs - s.fromMs, 0),
    longestStallMs: r.stalls.reduce((a, s) => Math.max(a, s.toMs - s.fromMs), 0),
    crashStallMs: crashStall ? crashStall.toMs - crashStall.fromMs : 0,
    verdict: r.verdict,
  };
}

/** Both protocols' runs and their summary rows. */
export interface KvComparison {
  readonly runs: readonly KvRun[];
  readonly summary: readonly KvSummaryRow[];
}

/** Run the comparison: the same seed, workload and faults on Paxos, then on Raft. */
export function kvComparison(p: ConsensusParams): KvComparison {
  const runs = PROTOCOLS.map((protocol) => runKv(protocol, p));
  return { runs, summary: runs.map((r) => summarizeKv(r, p)) };
}

/** Throughput of ok operations per window, one series per protocol (for `throughputChart`). */
export function throughputByProtocol(
  runs: readonly KvRun[],
  windowMs = 250,
): { startMs: number; endMs: number; opsPerSec: number; series: string; count: number }[] {
  return runs.flatMap((r) =>
    perWindow(r.ops, { windowMs, fromMs: 0, toMs: r.endMs - 500 }).map((w) => ({
      startMs: w.startMs,
      endMs: w.endMs,
      opsPerSec: w.throughputPerSec,
      series: r.protocol,
      count: w.ok,
    }))
  );
}

/** Fraction of ok operations that went through the log (everything but reads). */
export function writeFraction(r: KvRun): number {
  const ok = r.ops.filter((o) => o.status === "ok");
  return ok.length ? ok.filter((o) => o.f !== "get").length / ok.length : NaN;
}

const f0 = (x: number) => x.toFixed(0);
const f1 = (x: number) => x.toFixed(1);

/** What clients did between the end of the crash stall and the crashed leader's restart. */
export interface CrashWindowRow {
  readonly protocol: Protocol;
  /** The window: from the first completion after the crash to the restart (ms). */
  readonly fromMs: number;
  readonly toMs: number;
  /** The leader elected after the crash, and whether the clients' rotation puts the crashed server next after it. */
  readonly newLeader: NodeId | undefined;
  readonly crashedIsNextInRotation: boolean;
  /** Operations completed (ok or failed) in the window. */
  readonly completions: number;
  /** Client request attempts sent in the window, and how many went to the crashed server. */
  readonly attempts: number;
  readonly attemptsToCrashed: number;
  /** Attempts without an answer: each cost the client a full timeout. */
  readonly timeouts: number;
  /** Mean latency of the operations that completed within one client timeout (ms). */
  readonly fastOpMs: number;
  /** (clients × window − timeouts × client timeout) / fastOpMs: Little's law for closed-loop clients. */
  readonly predictedCompletions: number;
}

/**
 * The post-crash window of one run: closed-loop clients split their time between operations that
 * go through at once and client timeouts (a lost request or answer, or a request sent to the
 * crashed server). A client that times out at the leader tries the next server in its rotation;
 * when that is the crashed server, the retry costs a second timeout.
 */
export function crashWindow(r: KvRun, p: ConsensusParams): CrashWindowRow {
  const stall = r.stalls.find((s) => s.fromMs <= p.crashAtMs + 50 && s.toMs > p.crashAtMs);
  const fromMs = stall ? stall.toMs : p.crashAtMs;
  const toMs = p.crashAtMs + p.crashForMs;
  const attempts = r.clientAttempts.filter((x) => x.t >= fromMs && x.t < toMs);
  const answers = r.clientAnswersMs.filter((t) => t >= fromMs && t < toMs).length;
  const done = r.ops.filter((o) =>
    o.status !== "info" && o.completeMs >= fromMs && o.completeMs < toMs
  );
  const fast = done.map((o) => o.completeMs - o.invokeMs).filter((x) => x < KV_CLIENT.timeoutMs);
  const fastOpMs = fast.length ? fast.reduce((a, x) => a + x, 0) / fast.length : NaN;
  const timeouts = Math.max(0, attempts.length - answers);
  const newLeader = r.leaderships.find((l) => l.fromMs > p.crashAtMs && l.fromMs < toMs)?.node;
  // the clients' rotation is the server list in order (kvClientDriver's ctx.peers)
  const all = r.serverIds;
  const next = newLeader ? all[(all.indexOf(newLeader) + 1) % all.length] : undefined;
  return {
    protocol: r.protocol,
    fromMs,
    toMs,
    newLeader,
    crashedIsNextInRotation: next !== undefined && next === r.crashedLeader,
    completions: done.length,
    attempts: attempts.length,
    attemptsToCrashed: attempts.filter((x) => x.to === r.crashedLeader).length,
    timeouts,
    fastOpMs,
    predictedCompletions: (p.clients * (toMs - fromMs) - timeouts * KV_CLIENT.timeoutMs) / fastOpMs,
  };
}

/** Messages per type of one run, with the count the Paxos model predicts where it predicts one. */
export interface MessageTypeRow {
  readonly protocol: Protocol;
  readonly type: string;
  readonly sent: number;
  readonly perOkOp: number;
  /** The model's count (NaN where the type has no prediction). */
  readonly predicted: number;
  /** How the prediction is computed. */
  readonly model: string;
}

/**
 * Heartbeat broadcasts a leadership sends: one on election, then one per heartbeat interval
 * until it ends (Paxos node.ts; Raft §5.2), plus one per ReadIndex read.
 */
export function heartbeatRounds(r: KvRun, heartbeatIntervalMs: number): number {
  const periodic = r.leaderships.reduce(
    (a, l) => a + 1 + Math.floor((l.toMs - l.fromMs) / heartbeatIntervalMs),
    0,
  );
  return periodic + r.readRounds;
}

/**
 * Message counts per type, and the Paxos model's predictions from n, the heartbeat interval and
 * the run's leaderships, reads and chosen slots:
 * - Heartbeat = (n − 1) × heartbeat rounds (the leader heartbeats every other node);
 * - Decide = (n − 1) × chosen slots (the learn step) + the answers to CatchUp requests;
 * - Accept ≥ (n − 1) × chosen slots (one per other acceptor; more when re-sent each heartbeat
 *   to acceptors that have not answered: lost, crashed or cut off).
 */
export function messageTypes(
  r: KvRun,
  p: ConsensusParams,
  heartbeatIntervalMs: number = SHARED_TIMING.heartbeatIntervalMs,
): MessageTypeRow[] {
  const n = p.nodes;
  const pred: Record<string, [number, string]> = r.protocol === "paxos"
    ? {
      Heartbeat: [
        (n - 1) * heartbeatRounds(r, heartbeatIntervalMs),
        `(n − 1) × (rounds of leadership every ${heartbeatIntervalMs} ms + ReadIndex reads)`,
      ],
      Decide: [
        (n - 1) * r.chosenSlots + r.catchUpDecides,
        "(n − 1) × chosen slots + answers to CatchUp",
      ],
      Accept: [(n - 1) * r.chosenSlots, "at least (n − 1) × chosen slots"],
    }
    : {};
  return Object.entries(r.messagesByType).sort((a, b) => b[1] - a[1]).map(([type, sent]) => ({
    protocol: r.protocol,
    type,
    sent,
    perOkOp: sent / Math.max(1, r.okOps),
    predicted: pred[type]?.[0] ?? NaN,
    model: pred[type]?.[1] ?? "",
  }));
}

/** Largest loss ratio for which the two-term crash-window model (timeouts + fast ops) is claimed. */
export const CRASH_WINDOW_MAX_LOSS = 0.05;

/** What theory predicts for the comparison, checked against the runs. */
export function checkKvComparison(c: KvComparison, p: ConsensusParams): Claim[] {
  const get = (pr: Protocol) => c.summary.find((s) => s.protocol === pr)!;
  const run = (pr: Protocol) => c.runs.find((r) => r.protocol === pr)!;
  const px = get("paxos"), rf = get("raft");
  const lo = SHARED_TIMING.electionTimeoutMsMin - SHARED_TIMING.heartbeatIntervalMs;
  const hi = SHARED_TIMING.electionTimeoutMsMax + 2 * KV_CLIENT.timeoutMs + 100;
  const during = (r: KvRun) =>
    r.ops.filter((o) =>
      o.status === "ok" && o.completeMs > p.partitionAtMs + 700 &&
      o.completeMs < p.partitionAtMs + p.partitionForMs
    ).length;
  const last = (r: KvRun) =>
    r.ops.filter((o) => o.status === "ok" && o.completeMs > r.endMs - 1_500).length;
  const types = messageTypes(run("paxos"), p);
  const t = (type: string) => types.find((x) => x.type === type);
  const within = (x: MessageTypeRow | undefined, tol: number) =>
    x !== undefined && Math.abs(x.sent - x.predicted) <= tol * x.predicted;
  const hb = t("Heartbeat"), dec = t("Decide"), acc = t("Accept");
  const windows = c.runs.map((r) => crashWindow(r, p));
  const wp = windows.find((w) => w.protocol === "paxos")!;
  const wr = windows.find((w) => w.protocol === "raft")!;
  const fit = (w: CrashWindowRow) => w.completions / w.predictedCompletions;
  const gap = Math.abs(wp.completions - wr.completions) / Math.max(wp.completions, wr.completions);
  const fewer = wp.completions < wr.completions ? wp : wr;
  const more = fewer === wp ? wr : wp;
  const crashed = c.runs.every((r) => r.crashedLeader !== undefined);
  const lossy = p.lossRatio > CRASH_WINDOW_MAX_LOSS;
  const lossyWhy = `loss ${p.lossRatio} > ${CRASH_WINDOW_MAX_LOSS}: lost votes and heartbeats ` +
    "add whole election and client timeouts, outside this prediction";
  return [
    px.verdict === "unknown" || rf.verdict === "unknown"
      ? notApplicable(
        "both histories are linearizable (crash, partition and loss notwithstanding)",
        `the checker gave up within its search budget (paxos ${px.verdict}, raft ${rf.verdict})`,
      )
      : claim(
        "both histories are linearizable (crash, partition and loss notwithstanding)",
        px.verdict === "ok" && rf.verdict === "ok",
        `paxos ${px.verdict}, raft ${rf.verdict}`,
      ),
    claim(
      "steady-state commit takes one round trip to a majority in both: medians within 25%",
      Math.abs(px.commitMsP50 - rf.commitMsP50) <= 0.25 * Math.min(px.commitMsP50, rf.commitMsP50),
      `paxos ${f1(px.commitMsP50)} ms, raft ${f1(rf.commitMsP50)} ms`,
    ),
    claim(
      `Paxos heartbeats: (n − 1) × (one per ${SHARED_TIMING.heartbeatIntervalMs} ms of ` +
        `leadership + one round per ReadIndex read), within 2%`,
      within(hb, 0.02),
      `predicted ${hb ? f0(hb.predicted) : "?"}, sent ${hb?.sent ?? 0}`,
    ),
    claim(
      "Paxos's learn step: (n − 1) Decide per chosen slot, plus the answers to CatchUp, within 2%",
      within(dec, 0.02),
      `predicted ${dec ? f0(dec.predicted) : "?"} = ${p.nodes - 1} × ${
        run("paxos").chosenSlots
      } + ` +
        `${run("paxos").catchUpDecides}, sent ${dec?.sent ?? 0}`,
    ),
    claim(
      "Paxos's Accepts: at least (n − 1) per chosen slot (re-sends on top)",
      acc !== undefined && acc.sent >= acc.predicted && acc.predicted > 0,
      `at least ${acc ? f0(acc.predicted) : "?"}, sent ${acc?.sent ?? 0}`,
    ),
    lossy
      ? notApplicable(
        `after the leader crash both stall for about one election: between ${lo} and ${hi} ms`,
        lossyWhy,
      )
      : claim(
        `after the leader crash both stall for about one election: between ${lo} and ${hi} ms`,
        [px, rf].every((s) => s.crashStallMs >= lo && s.crashStallMs <= hi),
        `paxos ${f0(px.crashStallMs)} ms, raft ${f0(rf.crashStallMs)} ms`,
      ),
    !crashed
      ? notApplicable(
        "post-crash throughput follows the clients' timeouts",
        "no leader was crashed",
      )
      : p.lossRatio > CRASH_WINDOW_MAX_LOSS
      ? notApplicable(
        "post-crash throughput = (clients × window − timeouts × client timeout) / fast-op latency",
        `loss ${p.lossRatio} > ${CRASH_WINDOW_MAX_LOSS}: lost protocol messages also slow ` +
          "operations that do not time out, outside this two-term model",
      )
      : windows.some((w) => w.toMs - w.fromMs < 5 * KV_CLIENT.timeoutMs)
      ? notApplicable(
        "post-crash throughput = (clients × window − timeouts × client timeout) / fast-op latency",
        `a window between the election and the restart is shorter than 5 client timeouts ` +
          `(${windows.map((w) => `${w.protocol} ${f0(w.toMs - w.fromMs)} ms`).join(", ")})`,
      )
      : claim(
        "post-crash throughput = (clients × window − timeouts × client timeout) / fast-op " +
          "latency, within 15% for both protocols",
        windows.every((w) => Math.abs(fit(w) - 1) <= 0.15),
        windows.map((w) =>
          `${w.protocol}: ${w.completions} ops vs ${f0(w.predictedCompletions)} predicted ` +
          `(${w.timeouts} timeouts)`
        ).join("; "),
      ),
    lossy
      ? notApplicable(
        "the protocol with less post-crash throughput lost more client time to timeouts",
        lossyWhy,
      )
      : !crashed || gap <= 0.15
      ? notApplicable(
        "the protocol with less post-crash throughput lost more client time to timeouts",
        crashed
          ? `post-crash completions within 15% (paxos ${wp.completions}, raft ${wr.completions})`
          : "no leader was crashed",
      )
      : claim(
        "the protocol with less post-crash throughput lost more client time to timeouts",
        fewer.timeouts > more.timeouts,
        `${fewer.protocol}: ${fewer.completions} ops, ${fewer.timeouts} timeouts ` +
          `(${fewer.attemptsToCrashed} at the crashed server); ${more.protocol}: ` +
          `${more.completions} ops, ${more.timeouts} timeouts`,
      ),
    claim(
      "the majority side keeps serving while the old leader is cut off",
      during(run("paxos")) > 0 && during(run("raft")) > 0,
      `ok ops in the partition's last ${f0(p.partitionForMs - 700)} ms: paxos ` +
        `${during(run("paxos"))}, raft ${during(run("raft"))}`,
    ),
    claim(
      "both serve again at the end (the old leader rejoined as a follower)",
      last(run("paxos")) > 0 && last(run("raft")) > 0,
      `ok ops in the last second: paxos ${last(run("paxos"))}, raft ${last(run("raft"))}`,
    ),
  ];
}
