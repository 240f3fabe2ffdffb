/**
 * A traced Raft run of notebook 09, step by step: the first election (election timers fire, a
 * candidate asks for votes, a majority grants them), the replication of one command (append,
 * AppendEntries, acknowledgements, commit, apply) while two followers are cut off, and a leader
 * crash with the election that follows, in which those two lack the committed entry and must lose
 * (§5.4.1). The steps are read from the trace, so they are what the code did, not a story about it.
 * @module
 */
import { createCluster } from "../net/cluster.ts";
import type { FaultWindow } from "../net/nemesis.ts";
import type {
  AppendEntries,
  AppendEntriesResponse,
  RaftMessage,
  RequestVote,
  RequestVoteResponse,
} from "../protocols/raft/messages.ts";
import { RaftInvariants } from "../protocols/raft/invariants.ts";
import { RaftNode } from "../protocols/raft/node.ts";
import type { NodeId, TraceRecord } from "../sim/types.ts";
import { type StateInterval, stateIntervalsFromTrace } from "../viz/timeline.ts";
import { type Claim, claim } from "./claims.ts";
import type { RaftExerciseParams } from "./raft_params.ts";
import type { RaftConfigInput } from "../protocols/raft/config.ts";

/** Raft timing of the step-through: the paper's recommended values. */
export const STEP_RAFT = {
  electionTimeoutMsMin: 150,
  electionTimeoutMsMax: 300,
  heartbeatIntervalMs: 50,
} as const;

/** One step of the step-through. */
export interface RaftStep {
  readonly tMs: number;
  readonly where: string;
  readonly step: string;
  readonly detail: string;
}

/** The step-through's run and what happened in it. */
export interface RaftStepThrough {
  readonly trace: readonly TraceRecord[];
  readonly servers: readonly NodeId[];
  readonly endMs: number;
  /** Each server's role over time (crashed included). */
  readonly roles: StateInterval[];
  readonly faults: FaultWindow[];
  readonly first: {
    readonly leader: NodeId;
    readonly term: number;
    /** When the winner's election timer fired, and when it became leader (ms). */
    readonly timeoutMs: number;
    readonly leaderMs: number;
    /** Granted votes that reached the winner in its term before it won. */
    readonly votes: readonly { readonly voter: NodeId; readonly atMs: number }[];
  };
  readonly electionSteps: RaftStep[];
  readonly replication: {
    readonly index: number;
    readonly term: number;
    readonly proposeMs: number;
    readonly commitMs: number;
    /** Acknowledgements of the entry that reached the leader, in order. */
    readonly acks: readonly { readonly follower: NodeId; readonly atMs: number }[];
    /** When each server applied it (first time). */
    readonly appliedMs: Readonly<Record<NodeId, number>>;
  };
  readonly replicationSteps: RaftStep[];
  readonly crash: { readonly node: NodeId; readonly atMs: number; readonly restartMs: number };
  /** Followers isolated from the proposal until the crash: survivors without the entry. */
  readonly lagging: readonly NodeId[];
  /** What the re-election did: candidates lacking the entry, and how their vote requests went. */
  readonly reElection: {
    /** Survivors that hold the committed entry at the crash. */
    readonly holders: readonly NodeId[];
    /** RequestVotes from candidates lacking the entry that reached a holder, and their answers. */
    readonly requestsToHolders: number;
    readonly grantedByHolders: number;
    /** Candidates lacking the entry that campaigned after the crash, before the new leader. */
    readonly laggingCandidates: readonly NodeId[];
  };
  readonly second: {
    readonly leader: NodeId;
    readonly term: number;
    readonly leaderMs: number;
    /** Term of the new leader's entry at the command's index (undefined: it lacks it). */
    readonly termAtIndex: number | undefined;
  };
  /** The invariant checker's first breach (none expected). */
  readonly breach: string | undefined;
}

/** The roles in the trace, for {@link stateIntervalsFromTrace}. */
function roleOf(r: TraceRecord): { node: NodeId; state: string } | undefined {
  return r.type === "event" && r.event.type === "role"
    ? { node: r.node, state: String(r.event.role) }
    : undefined;
}

/** Followers cut off while `x = 1` is replicated: as many as can miss it, ⌈n/2⌉ − 1. */
export function laggingCount(servers: number): number {
  return Math.ceil(servers / 2) - 1;
}

/**
 * Five servers start as followers; the first election runs on its own. 60 ms after it,
 * {@link laggingCount} followers are cut off and the leader is asked to replicate `x = 1`, which
 * commits on the others; 300 ms later the leader crashes, the cut-off followers return at the same
 * moment, and the leader restarts 600 ms after that. `config` (tests) mutates the Raft.
 */
export function raftStepThrough(
  p: RaftExerciseParams,
  config: RaftConfigInput = {},
): RaftStepThrough {
  const c = createCluster<RaftMessage>({
    seed: p.seed,
    nodes: p.servers,
    factory: (ctx) => new RaftNode(ctx, { ...STEP_RAFT, snapshotThresholdEntries: 0, ...config }),
    network: { latency: { kind: "uniform", minMs: p.latencyMsMin, maxMs: p.latencyMsMax } },
    trace: { mode: "full" },
  });
  const sim = c.sim;
  const inv = new RaftInvariants({ throwOnBreach: false }).attach(sim);
  const leaderOf = () => c.nodes.find((id) => sim.instanceOf<RaftNode>(id)?.role === "leader");
  sim.run({ untilMs: 5_000, until: () => leaderOf() !== undefined });
  const leader = leaderOf()!;
  const raft = sim.instanceOf<RaftNode>(leader)!;
  const term = raft.term;
  const leaderMs = sim.nowMs;
  sim.runFor(60);
  const lagging = c.nodes.filter((id) => id !== leader).slice(0, laggingCount(p.servers));
  for (const id of lagging) c.net.isolate(id);
  const proposeMs = sim.nowMs;
  const proposed = raft.propose("x = 1");
  if (!proposed.ok) throw new Error(`step-through: ${leader} refused the proposal`);
  const index = proposed.index;
  sim.runFor(300);
  const crashMs = sim.nowMs;
  sim.crash(leader);
  c.net.heal();
  const holders = c.nodes.filter((id) =>
    id !== leader && sim.instanceOf<RaftNode>(id)!.termAt(index) !== undefined
  );
  let second: NodeId | undefined;
  sim.run({
    untilMs: crashMs + 5_000,
    until: () => (second = leaderOf()) !== undefined,
  });
  const secondMs = sim.nowMs;
  const newLeader = sim.instanceOf<RaftNode>(second!)!;
  const secondTerm = newLeader.term;
  const termAtIndex = newLeader.termAt(index);
  const restartMs = crashMs + 600;
  sim.run({ untilMs: restartMs });
  sim.restart(leader);
  sim.runFor(300);
  const endMs = sim.nowMs;
  const trace = sim.trace.records;

  // ---- the first election, from the trace
  const electionSteps: RaftStep[] = [];
  const votes: { voter: NodeId; atMs: number }[] = [];
  let timeoutMs = NaN;
  for (const r of trace) {
    if (r.t > leaderMs) break;
    if (r.type === "timer" && r.name === "raft:election") {
      if (r.node === leader) timeoutMs = r.t;
      electionSteps.push({
        tMs: r.t,
        where: r.node,
        step: "election timeout",
        detail: `${r.node} heard from no leader: it becomes a candidate`,
      });
    } else if (r.type === "send" && (r.msg as RaftMessage).type === "RequestVote") {
      const m = r.msg as RequestVote;
      electionSteps.push({
        tMs: r.t,
        where: `${r.from} → ${r.to}`,
        step: "request vote",
        detail:
          `RequestVote(term ${m.term}, lastLogIndex ${m.lastLogIndex}, lastLogTerm ${m.lastLogTerm})`,
      });
    } else if (r.type === "deliver" && (r.msg as RaftMessage).type === "RequestVoteResponse") {
      const m = r.msg as RequestVoteResponse;
      if (r.to === leader && m.voteGranted && m.term === term) {
        votes.push({ voter: r.from, atMs: r.t });
      }
      electionSteps.push({
        tMs: r.t,
        where: `${r.from} → ${r.to}`,
        step: m.voteGranted ? "vote granted" : "vote refused",
        detail: `term ${m.term}${
          m.voteGranted ? "" : ": already voted in this term, or newer term"
        }`,
      });
    } else if (r.type === "event" && r.event.type === "leader") {
      electionSteps.push({
        tMs: r.t,
        where: r.node,
        step: "leader",
        detail: `${r.node} has votes from a majority: leader of term ${r.event.term}`,
      });
    }
  }

  // ---- the replication of x = 1, from the trace
  const replicationSteps: RaftStep[] = [];
  const acks: { follower: NodeId; atMs: number }[] = [];
  const appliedMs: Record<NodeId, number> = {};
  let commitMs = NaN;
  const told = new Set<NodeId>();
  const retried = new Set<NodeId>();
  for (const r of trace) {
    if (r.t < proposeMs || r.t >= crashMs) continue;
    if (r.type === "event" && r.event.type === "propose" && r.event.index === index) {
      replicationSteps.push({
        tMs: r.t,
        where: r.node,
        step: "append",
        detail: `the leader appends "x = 1" at index ${index}, term ${r.event.term}`,
      });
    } else if (r.type === "send" && (r.msg as RaftMessage).type === "AppendEntries") {
      const m = r.msg as AppendEntries;
      if (m.entries.some((e) => e.index === index)) {
        // a cut-off follower is sent the entry with every heartbeat: list the first attempt only
        if (lagging.includes(r.to) && retried.has(r.to)) continue;
        retried.add(r.to);
        replicationSteps.push({
          tMs: r.t,
          where: `${r.from} → ${r.to}`,
          step: "replicate",
          detail: `AppendEntries(prevLogIndex ${m.prevLogIndex}, prevLogTerm ${m.prevLogTerm}, ` +
            `entries [${
              m.entries.map((e) => e.index).join(", ")
            }], leaderCommit ${m.leaderCommit})`,
        });
      } else if (m.leaderCommit >= index && !told.has(r.to)) {
        told.add(r.to);
        replicationSteps.push({
          tMs: r.t,
          where: `${r.from} → ${r.to}`,
          step: "tell commit",
          detail: `heartbeat with leaderCommit ${m.leaderCommit}`,
        });
      }
    } else if (r.type === "deliver" && (r.msg as RaftMessage).type === "AppendEntriesResponse") {
      const m = r.msg as AppendEntriesResponse;
      if (m.success && m.matchIndex >= index && !acks.some((a) => a.follower === r.from)) {
        acks.push({ follower: r.from, atMs: r.t });
        replicationSteps.push({
          tMs: r.t,
          where: `${r.from} → ${r.to}`,
          step: "acknowledge",
          detail:
            `${r.from} passed the consistency check and stored it (matchIndex ${m.matchIndex})`,
        });
      }
    } else if (r.type === "event" && r.event.type === "commit" && r.node === leader) {
      if ((r.event.index as number) >= index && Number.isNaN(commitMs)) {
        commitMs = r.t;
        replicationSteps.push({
          tMs: r.t,
          where: r.node,
          step: "commit",
          detail: `stored on a majority: commitIndex → ${r.event.index}`,
        });
      }
    } else if (r.type === "event" && r.event.type === "apply" && r.event.index === index) {
      if (appliedMs[r.node] === undefined) {
        appliedMs[r.node] = r.t;
        replicationSteps.push({
          tMs: r.t,
          where: r.node,
          step: "apply",
          detail: `${r.node} applies index ${index} to its state machine`,
        });
      }
    }
  }
  replicationSteps.sort((a, b) => a.tMs - b.tMs);
  const roles = stateIntervalsFromTrace(trace, {
    endMs,
    stateOf: roleOf,
    nodes: c.nodes,
    initialState: "follower",
  });
  return {
    trace,
    servers: c.nodes,
    endMs,
    roles,
    faults: [{ startMs: crashMs, endMs: restartMs, label: `crash ${leader}`, kind: "crash" }],
    first: { leader, term, timeoutMs, leaderMs, votes },
    electionSteps,
    replication: { index, term, proposeMs, commitMs, acks, appliedMs },
    replicationSteps,
    crash: { node: leader, atMs: crashMs, restartMs },
    lagging,
    reElection: reElectionOf(trace, crashMs, secondMs, holders, lagging),
    second: { leader: second!, term: secondTerm, leaderMs: secondMs, termAtIndex },
    breach: inv.breach?.message,
  };
}

function reElectionOf(
  trace: readonly TraceRecord[],
  crashMs: number,
  leaderMs: number,
  holders: readonly NodeId[],
  lagging: readonly NodeId[],
): RaftStepThrough["reElection"] {
  let requests = 0, granted = 0;
  const candidates = new Set<NodeId>();
  for (const r of trace) {
    if (r.t < crashMs || r.t > leaderMs) continue;
    if (r.type === "send" && (r.msg as RaftMessage).type === "RequestVote") {
      if (lagging.includes(r.from)) candidates.add(r.from);
    }
    if (r.type !== "deliver" || (r.msg as RaftMessage).type !== "RequestVoteResponse") continue;
    if (lagging.includes(r.to) && holders.includes(r.from)) {
      requests++;
      if ((r.msg as RequestVoteResponse).voteGranted) granted++;
    }
  }
  return {
    holders,
    requestsToHolders: requests,
    grantedByHolders: granted,
    laggingCandidates: [...candidates],
  };
}

/** What Raft promises, checked on the step-through. */
export function checkStepThrough(s: RaftStepThrough): Claim[] {
  const majority = Math.floor(s.servers.length / 2) + 1;
  const votesBefore = s.first.votes.filter((v) => v.atMs <= s.first.leaderMs).length;
  const acksBefore = s.replication.acks.filter((a) => a.atMs <= s.replication.commitMs).length;
  const f1 = (x: number) => x.toFixed(1);
  const connected = s.servers.filter((id) => !s.lagging.includes(id));
  return [
    claim(
      "no safety property is ever violated (election safety, log matching, leader completeness, " +
        "state machine safety, checked after every event)",
      s.breach === undefined,
      s.breach ?? `${s.trace.length} trace records checked`,
    ),
    claim(
      "the first leader won with votes from a majority of its term (its own included)",
      votesBefore + 1 >= majority,
      `${s.first.leader}: ${votesBefore} granted vote(s) + its own, majority ${majority}`,
    ),
    claim(
      "the entry commits once a majority stores it, not before",
      acksBefore + 1 >= majority && Number.isFinite(s.replication.commitMs),
      `${acksBefore} acknowledgement(s) + the leader by the commit at ${
        f1(s.replication.commitMs)
      } ms`,
    ),
    claim(
      "every server the leader reaches applies it, the leader first; the cut-off ones do not",
      connected.every((id) => s.replication.appliedMs[id] >= s.replication.commitMs) &&
        s.lagging.every((id) => s.replication.appliedMs[id] === undefined),
      s.servers.map((id) => `${id} ${f1(s.replication.appliedMs[id] ?? NaN)}`).join(", ") +
        ` ms (cut off: ${s.lagging.join(", ")})`,
    ),
    claim(
      `§5.4.1: of the ${s.servers.length - 1} survivors, ${s.lagging.length} lack the committed ` +
        "entry; no survivor holding it votes for one of them, so one holding it wins",
      s.reElection.grantedByHolders === 0 && !s.lagging.includes(s.second.leader),
      `holders ${s.reElection.holders.join(", ")}; ${
        s.reElection.laggingCandidates.length
          ? `${s.reElection.laggingCandidates.join(", ")} campaigned without it and got ` +
            `${s.reElection.grantedByHolders} of ${s.reElection.requestsToHolders} votes from holders`
          : "no server without it campaigned before the election"
      }; winner ${s.second.leader}`,
    ),
    claim(
      "after the crash a leader of a higher term is elected, and it holds the committed entry",
      s.second.term > s.first.term && s.second.termAtIndex === s.replication.term,
      `${s.second.leader} leads term ${s.second.term} at ${f1(s.second.leaderMs)} ms; its entry ` +
        `${s.replication.index} has term ${s.second.termAtIndex}`,
    ),
  ];
}
