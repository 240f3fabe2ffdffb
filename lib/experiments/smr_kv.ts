/**
 * Experiments of notebook 04 on the Raft-replicated key-value store: one client request followed
 * step by step through the trace (client → leader → log → replication → commit → apply → reply),
 * and a Jepsen-style run under a leader crash and a partition, with latency, throughput, the
 * linearizability verdict and the final state of every replica.
 * @module
 */
import { checkLinearizability, kvModel, type LinearizabilityResult } from "../checkers/mod.ts";
import { createCluster } from "../net/cluster.ts";
import type { FaultWindow } from "../net/nemesis.ts";
import type { KvServer } from "../protocols/kv/server.ts";
import type { KvRequest, KvResponse } from "../protocols/kv/messages.ts";
import { kvClientDriver, kvOpGenerator } from "../protocols/kv/client.ts";
import type { AppendEntriesResponse, RaftMessage } from "../protocols/raft/messages.ts";
import { defaultRaftOf, RaftInvariants, type RaftLiveness } from "../protocols/raft/invariants.ts";
import { type RaftKvMessage, raftKvServer } from "../protocols/raft/kv.ts";
import type { Simulation } from "../sim/simulation.ts";
import { stableStringify } from "../sim/trace.ts";
import type { NodeContext, NodeId, TraceRecord } from "../sim/types.ts";
import { type ClientDriver, installWorkload } from "../workload/client.ts";
import { type HistoryEvent, type Operation, pairOperations } from "../workload/history.ts";
import { type Claim, claim } from "./claims.ts";
import { SMR_RAFT, type SmrParams } from "./smr_params.ts";

/** The leader of the highest term among live servers of a Raft cluster (KV servers or bare). */
export function currentLeader<M>(sim: Simulation<M>): NodeId | undefined {
  let best: NodeId | undefined;
  let term = -1;
  for (const id of sim.serverIds) {
    const r = defaultRaftOf(sim.instanceOf(id));
    if (r && r.role === "leader" && r.term > term) [best, term] = [id, r.term];
  }
  return best;
}

/** The store's client: follows the leader and moves on after a timeout (see kvClientDriver). */
export function trackingKvDriver(servers: readonly NodeId[]): ClientDriver<RaftKvMessage> {
  return kvClientDriver<RaftMessage>({ servers, followLeader: true });
}

function network(p: SmrParams, lossRatio = 0) {
  return {
    latency: { kind: "uniform" as const, minMs: p.latencyMsMin, maxMs: p.latencyMsMax },
    lossRatio,
  };
}

// ---- one request, step by step ----------------------------------------------------------------

/** One step of a request's journey through the replicated state machine. */
export interface WalkthroughStep {
  /** True time (ms). */
  readonly tMs: number;
  /** Where it happened (a node, or "a → b" for a message). */
  readonly where: string;
  /** Step of the protocol ("client request", "replicate", "commit", ...). */
  readonly step: string;
  readonly detail: string;
}

/** The traced run of one client request and its steps. */
export interface Walkthrough {
  readonly steps: WalkthroughStep[];
  /** The full trace of the run (3 servers and one client, under a second: small). */
  readonly trace: readonly TraceRecord[];
  readonly leader: NodeId;
  /** The follower the client asked first (it redirects the client to the leader). */
  readonly firstContact: NodeId;
  /** Log index of the client's command. */
  readonly index: number;
  /** When the client sent its request, and when the answer reached it (ms). */
  readonly requestMs: number;
  readonly replyMs: number;
  /** When the leader committed the entry, and when each server applied it (ms). */
  readonly commitMs: number;
  readonly appliedMs: Readonly<Record<NodeId, number>>;
  /** When each follower's acknowledgement of the entry reached the leader (ms). */
  readonly acksMs: Readonly<Record<NodeId, number>>;
  /** Servers in the cluster. */
  readonly servers: readonly NodeId[];
}

/**
 * Three servers elect a leader; then one client sends `put(x, "1")` to a follower, is redirected,
 * and waits for the answer. The trace is kept in full and turned into the list of steps.
 */
export function requestWalkthrough(p: SmrParams): Walkthrough {
  const c = createCluster<RaftKvMessage>({
    seed: p.seed,
    nodes: 3,
    factory: raftKvServer({ raft: SMR_RAFT }),
    network: network(p),
    trace: { mode: "full" },
  });
  const sim = c.sim;
  let clientCtx: NodeContext<RaftKvMessage> | undefined;
  let replyMs = NaN;
  const req: KvRequest = {
    type: "KvRequest",
    clientId: "c0",
    seq: 1,
    f: "put",
    key: "x",
    value: "1",
  };
  sim.addNode("c0", (ctx) => {
    clientCtx = ctx;
    return {
      onMessage: (_from, m) => {
        const r = m as KvResponse;
        if (r.type !== "KvResponse") return;
        if (r.ok) replyMs = sim.nowMs;
        else if (r.leaderHint) ctx.send(r.leaderHint, req);
      },
    };
  }, { role: "client" });
  sim.run({ untilMs: 3_000, until: () => currentLeader(sim) !== undefined });
  sim.runFor(2 * SMR_RAFT.heartbeatIntervalMs + 7); // a quiet moment, off the heartbeat beat
  const leader = currentLeader(sim)!;
  const firstContact = c.nodes.find((id) => id !== leader)!;
  const requestMs = sim.nowMs;
  clientCtx!.send(firstContact, req);
  sim.run({ untilMs: requestMs + 1_000, until: () => Number.isFinite(replyMs) });
  sim.runFor(2 * SMR_RAFT.heartbeatIntervalMs); // followers learn the commit index
  const endMs = sim.nowMs;
  const trace = sim.trace.records;
  const steps: WalkthroughStep[] = [];
  let index = NaN;
  let commitMs = NaN;
  const appliedMs: Record<NodeId, number> = {};
  const acksMs: Record<NodeId, number> = {};
  const learnedCommit = new Set<NodeId>();
  for (const r of trace) {
    if (r.t < requestMs || r.t > endMs) continue;
    if (r.type === "send" && (r.from === "c0" || r.to === "c0")) {
      const m = r.msg as KvRequest | KvResponse;
      if (m.type === "KvRequest") {
        steps.push({
          tMs: r.t,
          where: `c0 → ${r.to}`,
          step: "client request",
          detail: `put(x, "1") to ${r.to === leader ? "the leader" : "a follower"}`,
        });
      } else {
        steps.push({
          tMs: r.t,
          where: `${r.from} → c0`,
          step: m.ok ? "reply" : "redirect",
          detail: m.ok ? "ok: the put took effect" : `${m.error}; the leader is ${m.leaderHint}`,
        });
      }
    } else if (r.type === "event" && r.event.type === "propose" && r.node === leader) {
      index = r.event.index as number;
      steps.push({
        tMs: r.t,
        where: leader,
        step: "append to log",
        detail: `the leader appends the command at index ${index}, term ${r.event.term}`,
      });
    } else if (r.type === "send" && Number.isFinite(index)) {
      const m = r.msg as RaftMessage;
      if (m.type === "AppendEntries" && m.entries.some((e) => e.index === index)) {
        steps.push({
          tMs: r.t,
          where: `${r.from} → ${r.to}`,
          step: "replicate",
          detail: `AppendEntries(prevLogIndex ${m.prevLogIndex}, entries ${
            m.entries.map((e) => e.index).join(",")
          }, leaderCommit ${m.leaderCommit})`,
        });
      } else if (
        m.type === "AppendEntries" && m.leaderCommit >= index && !learnedCommit.has(r.to)
      ) {
        learnedCommit.add(r.to);
        steps.push({
          tMs: r.t,
          where: `${r.from} → ${r.to}`,
          step: "tell commit",
          detail: `AppendEntries with leaderCommit ${m.leaderCommit} (next heartbeat or entry)`,
        });
      }
    } else if (r.type === "deliver" && Number.isFinite(index) && r.to === leader) {
      const m = r.msg as AppendEntriesResponse;
      if (
        m.type === "AppendEntriesResponse" && m.success && m.matchIndex >= index &&
        acksMs[r.from] === undefined
      ) {
        acksMs[r.from] = r.t;
        steps.push({
          tMs: r.t,
          where: `${r.from} → ${r.to}`,
          step: "acknowledge",
          detail: `${r.from} stored the entry (matchIndex ${m.matchIndex})`,
        });
      }
    } else if (r.type === "event" && r.event.type === "commit" && Number.isFinite(index)) {
      if ((r.event.index as number) >= index && r.node === leader && Number.isNaN(commitMs)) {
        commitMs = r.t;
        steps.push({
          tMs: r.t,
          where: leader,
          step: "commit",
          detail: `a majority stores index ${index}: commitIndex → ${r.event.index}`,
        });
      }
    } else if (r.type === "event" && r.event.type === "kv-apply" && r.event.index === index) {
      appliedMs[r.node] = r.t;
      steps.push({
        tMs: r.t,
        where: r.node,
        step: "apply",
        detail: `${r.node === leader ? "the leader" : "a follower"} executes put(x, "1") on its ` +
          "copy of the state machine",
      });
    }
  }
  steps.sort((a, b) => a.tMs - b.tMs);
  return {
    steps,
    trace,
    leader,
    firstContact,
    index,
    requestMs,
    replyMs,
    commitMs,
    appliedMs,
    acksMs,
    servers: c.nodes,
  };
}

/** The order of the steps, as the protocol requires it. */
export function checkWalkthrough(w: Walkthrough): Claim[] {
  const majority = Math.floor(w.servers.length / 2) + 1;
  const acksBeforeCommit = Object.values(w.acksMs).filter((t) => t <= w.commitMs).length;
  const followers = w.servers.filter((id) => id !== w.leader);
  const f1 = (x: number) => x.toFixed(1);
  return [
    claim(
      "the leader commits only once a majority (itself included) stores the entry",
      acksBeforeCommit + 1 >= majority,
      `${acksBeforeCommit} follower ack(s) + the leader before the commit at ${
        f1(w.commitMs)
      } ms; majority ${majority}`,
    ),
    claim(
      "the leader applies the command after the commit and replies after applying",
      w.appliedMs[w.leader] >= w.commitMs && w.replyMs >= w.appliedMs[w.leader],
      `commit ${f1(w.commitMs)}, apply ${f1(w.appliedMs[w.leader])}, reply reaches the client ${
        f1(w.replyMs)
      } ms`,
    ),
    claim(
      "every follower applies the same entry, after the leader committed it",
      followers.every((id) => w.appliedMs[id] !== undefined && w.appliedMs[id] > w.commitMs),
      followers.map((id) =>
        `${id} at ${w.appliedMs[id] === undefined ? "never" : f1(w.appliedMs[id])} ms`
      )
        .join(", "),
    ),
  ];
}

// ---- the store under a leader crash and a partition ---------------------------------------------

/** The run of the store under faults, with what the checks need. */
export interface KvFaultRun {
  readonly history: readonly HistoryEvent[];
  readonly ops: readonly Operation[];
  readonly faults: readonly FaultWindow[];
  readonly endMs: number;
  /** Clients stop issuing operations here (ms). */
  readonly workloadEndMs: number;
  readonly crashed: NodeId;
  /** Time from the crash to the next leader's election (ms). */
  readonly electionAfterCrashMs: number;
  /** The leader cut off, the server cut off with it, and the majority side. */
  readonly partitionedLeader: NodeId;
  readonly minority: readonly NodeId[];
  readonly majority: readonly NodeId[];
  /** Time from the partition to a leader elected on the majority side (ms). */
  readonly electionAfterPartitionMs: number;
  /** Commits on the minority side, while cut off, of entries appended after the cut. */
  readonly minorityCommits: number;
  /** Client commands the cut-off leader appended after the cut (before it stepped down). */
  readonly proposedInMinority: number;
  /** Longest stretch without an ok completion starting near each fault (ms). */
  readonly crashStallMs: number;
  readonly partitionStallMs: number;
  /** ok completions per second before any fault, and in the second half of the partition. */
  readonly baselineOkPerSec: number;
  readonly partitionOkPerSec: number;
  /** Each replica's key-value data at the end, as one string (equal strings: equal states). */
  readonly replicaStates: readonly { readonly node: NodeId; readonly state: string }[];
  readonly linearizability: LinearizabilityResult;
  readonly liveness: RaftLiveness;
}

/**
 * The operations on one key that overlap [fromMs, toMs], with times shifted so that `originMs`
 * becomes 0 (for a history chart of a moment: "0 = the crash").
 */
export function opsWindow(
  ops: readonly Operation[],
  options: { key: string; fromMs: number; toMs: number; originMs?: number },
): Operation[] {
  const o = options.originMs ?? 0;
  return ops.filter((op) =>
    op.key === options.key && op.invokeMs <= options.toMs && op.completeMs >= options.fromMs
  ).map((op) => ({ ...op, invokeMs: op.invokeMs - o, completeMs: op.completeMs - o }));
}

/** Longest gap between consecutive ok completions that starts within [fromMs, toMs]. */
export function longestStall(ops: readonly Operation[], fromMs: number, toMs: number): number {
  const done = ops.filter((o) => o.status === "ok").map((o) => o.completeMs).sort((a, b) => a - b);
  let best = 0;
  for (let i = 1; i < done.length; i++) {
    if (done[i - 1] >= fromMs && done[i - 1] <= toMs) best = Math.max(best, done[i] - done[i - 1]);
  }
  return best;
}

function okPerSec(ops: readonly Operation[], fromMs: number, toMs: number): number {
  const n = ops.filter((o) => o.status === "ok" && o.completeMs >= fromMs && o.completeMs < toMs)
    .length;
  return toMs > fromMs ? (n * 1000) / (toMs - fromMs) : NaN;
}

/**
 * A five-server store under a closed-loop workload of gets, puts, appends and compare-and-sets.
 * At `crashAtMs` the leader of the moment crashes (restarting `crashForMs` later); at
 * `partitionAtMs` the leader of the moment is cut off, with as many other servers as still leave
 * a minority (floor((n − 1) / 2) servers in all: one other of five), for `partitionForMs`. Clients stay connected to every server (they stand for users outside the
 * data centre) and follow leader hints. Raft's invariants are checked on every event.
 */
export function kvUnderFaults(p: SmrParams): KvFaultRun {
  const c = createCluster<RaftKvMessage>({
    seed: p.seed,
    nodes: p.nodes,
    factory: raftKvServer({ raft: SMR_RAFT }),
    network: network(p),
    trace: { mode: "off" },
  });
  const sim = c.sim;
  const inv = new RaftInvariants().attach(sim);
  const workloadEndMs = p.runMs - 1_000;
  const w = installWorkload(sim, trackingKvDriver(c.nodes), kvOpGenerator({ keys: p.keys }), {
    mode: "closed",
    clients: p.clients,
    endMs: workloadEndMs,
    timeoutMs: p.clientTimeoutMs,
    retries: 50,
    retryBackoffMs: 5,
    thinkTimeMs: 10,
  });
  let crashed = "";
  let partitionedLeader = "";
  let minority: NodeId[] = [];
  let majority: NodeId[] = [];
  const restartAtMs = p.crashAtMs + p.crashForMs;
  const healAtMs = p.partitionAtMs + p.partitionForMs;
  sim.at(p.crashAtMs, () => {
    crashed = currentLeader(sim) ?? c.nodes[0];
    sim.crash(crashed);
  });
  sim.at(restartAtMs, () => sim.restart(crashed));
  sim.at(p.partitionAtMs, () => {
    partitionedLeader = currentLeader(sim) ?? c.nodes[0];
    // the largest minority that contains the leader: floor((n − 1) / 2) servers (2 of 5, 1 of 3)
    const others = c.nodes.filter((id) => id !== partitionedLeader);
    minority = [partitionedLeader, ...others.slice(0, Math.floor((c.nodes.length - 1) / 2) - 1)];
    majority = c.nodes.filter((id) => !minority.includes(id));
    c.net.partition([minority, majority]);
  });
  sim.at(healAtMs, () => c.net.heal());
  let electedAfterCrash = NaN;
  let electedAfterPartition = NaN;
  let minorityCommits = 0;
  let proposedInMinority = 0;
  // what the cut-off leader held at the cut: it may still commit those entries, with the help of
  // a follower on its side that stored them before the cut; anything it appends later, never
  let lastIndexAtCut = Infinity;
  sim.at(p.partitionAtMs, () => {
    lastIndexAtCut = defaultRaftOf(sim.instanceOf(partitionedLeader))?.lastLogIndex ?? Infinity;
  });
  sim.onEvent((e) => {
    if (e.event.type === "leader") {
      if (e.t >= p.crashAtMs && Number.isNaN(electedAfterCrash)) electedAfterCrash = e.t;
      if (
        e.t >= p.partitionAtMs && majority.includes(e.node) && Number.isNaN(electedAfterPartition)
      ) electedAfterPartition = e.t;
    }
    if (e.t < p.partitionAtMs || e.t >= healAtMs || !minority.includes(e.node)) return;
    if (e.event.type === "propose") proposedInMinority++;
    if (e.event.type === "commit" && (e.event.index as number) > lastIndexAtCut) minorityCommits++;
  });
  sim.run({ untilMs: p.runMs });
  const ops = pairOperations(w.history);
  const faults: FaultWindow[] = [
    {
      startMs: p.crashAtMs,
      endMs: restartAtMs,
      label: `crash ${crashed} (leader)`,
      kind: "crash",
    },
    {
      startMs: p.partitionAtMs,
      endMs: healAtMs,
      label: `partition {${minority.join(",")}} | {${majority.join(",")}}`,
      kind: "network",
    },
  ];
  const replicaStates = c.nodes.map((node) => {
    const s = sim.instanceOf<KvServer<RaftMessage>>(node);
    const entries = s ? s.machine.entries().sort((a, b) => (a[0] < b[0] ? -1 : 1)) : null;
    return { node, state: entries ? stableStringify(entries) : "down" };
  });
  return {
    history: w.history,
    ops,
    faults,
    endMs: p.runMs,
    workloadEndMs,
    crashed,
    electionAfterCrashMs: electedAfterCrash - p.crashAtMs,
    partitionedLeader,
    minority,
    majority,
    electionAfterPartitionMs: electedAfterPartition - p.partitionAtMs,
    minorityCommits,
    proposedInMinority,
    crashStallMs: longestStall(ops, p.crashAtMs - 100, p.crashAtMs + 1_000),
    partitionStallMs: longestStall(ops, p.partitionAtMs - 100, p.partitionAtMs + 1_000),
    baselineOkPerSec: okPerSec(ops, 1_000, p.crashAtMs),
    partitionOkPerSec: okPerSec(ops, p.partitionAtMs + p.partitionForMs / 2, healAtMs),
    replicaStates,
    linearizability: checkLinearizability(ops, kvModel({ initial: null })),
    liveness: inv.liveness(),
  };
}

/** What theory predicts for the store under faults. */
/**
 * The timing predictions of the fault experiment, from the parameters: the earliest a follower
 * can notice a dead leader, the latest a new leader should appear (a first timeout, one more if
 * the vote splits, PreVote and RequestVote round trips), and the round trips a client needs
 * after its timeout (re-send, redirect, replicate, reply) plus its back-off and think time.
 */
export function faultBounds(p: SmrParams): {
  minDetectMs: number;
  electionMs: number;
  roundTripsMs: number;
} {
  return {
    minDetectMs: SMR_RAFT.electionTimeoutMsMin - SMR_RAFT.heartbeatIntervalMs,
    electionMs: 2 * SMR_RAFT.electionTimeoutMsMax + 4 * p.latencyMsMax,
    roundTripsMs: 6 * p.latencyMsMax + 15,
  };
}

/** What theory predicts for the store under a crash and a partition (bounds: {@link faultBounds}). */
export function checkKvUnderFaults(r: KvFaultRun, p: SmrParams): Claim[] {
  const f0 = (x: number) => x.toFixed(0);
  const b = faultBounds(p);
  const minDetect = b.minDetectMs;
  const states = new Set(r.replicaStates.map((s) => s.state));
  const unknown = r.ops.filter((o) => o.status === "info").length;
  return [
    claim(
      "the history is linearizable despite the crash and the partition",
      r.linearizability.verdict === "ok",
      `${r.ops.length} operations: ${r.linearizability.explanation.split("\n")[0]}`,
    ),
    claim(
      "after the leader crash, no follower campaigns before its election timer runs out " +
        "(≥ min timeout − heartbeat interval), and a new leader is elected within " +
        "2 × max timeout + 4 one-way delays (one split vote allowed; PreVote and vote rounds)",
      r.electionAfterCrashMs >= minDetect && r.electionAfterCrashMs <= b.electionMs,
      `new leader ${f0(r.electionAfterCrashMs)} ms after the crash (predicted ${minDetect}–${
        f0(b.electionMs)
      } ms)`,
    ),
    claim(
      "nothing completes without a leader; clients find the new one within one client timeout",
      r.crashStallMs >= r.electionAfterCrashMs &&
        r.crashStallMs <= r.electionAfterCrashMs + p.clientTimeoutMs + b.roundTripsMs,
      `longest stall ${f0(r.crashStallMs)} ms; bound: election ${
        f0(r.electionAfterCrashMs)
      } ms + client timeout ${p.clientTimeoutMs} ms + ${f0(b.roundTripsMs)} ms of round trips`,
    ),
    claim(
      "the majority side of the partition elects a leader of its own within the same election bound",
      r.electionAfterPartitionMs <= b.electionMs,
      `${f0(r.electionAfterPartitionMs)} ms after the cut, among ${r.majority.join(", ")} ` +
        `(bound ${f0(b.electionMs)} ms)`,
    ),
    claim(
      "the cut-off leader commits nothing it appends after the cut: it cannot reach a majority",
      r.minorityCommits === 0,
      `${r.proposedInMinority} commands appended on ${r.minority.join(", ")} after the cut, ` +
        `${r.minorityCommits} of them committed there`,
    ),
    claim(
      "the majority keeps serving: throughput late in the partition ≥ half the fault-free rate",
      r.partitionOkPerSec >= 0.5 * r.baselineOkPerSec,
      `${f0(r.partitionOkPerSec)} vs ${f0(r.baselineOkPerSec)} ok ops/s`,
    ),
    claim(
      "no client gave up: every operation got a definite answer (clients retry the same request)",
      unknown === 0,
      `${unknown} operations with unknown outcome`,
    ),
    claim(
      "after the faults every replica holds the same data (same commands, same order, same state)",
      states.size === 1 && !states.has("down"),
      `${states.size} distinct final state(s) over ${r.replicaStates.length} replicas`,
    ),
  ];
}
