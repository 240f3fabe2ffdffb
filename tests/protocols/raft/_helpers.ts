/** Shared helpers of the Raft tests: clusters, leader lookup, a background proposer. */
import { type Cluster, type ClusterOptions, createCluster } from "../../../lib/net/cluster.ts";
import type { Simulation } from "../../../lib/sim/simulation.ts";
import type { NodeId } from "../../../lib/sim/types.ts";
import type { RaftConfigInput } from "../../../lib/protocols/raft/config.ts";
import type { RaftMessage } from "../../../lib/protocols/raft/messages.ts";
import { RaftNode } from "../../../lib/protocols/raft/node.ts";
import type { ReplicatedLogHooks } from "../../../lib/protocols/kv/replicated_log.ts";
import { RaftInvariants } from "../../../lib/protocols/raft/invariants.ts";

/** A toy state machine: the list of applied commands, with snapshot/restore. */
export class ListMachine implements ReplicatedLogHooks<unknown> {
  applied: { index: number; command: unknown }[] = [];
  apply(e: { index: number; command: unknown }): void {
    this.applied.push({ index: e.index, command: e.command });
  }
  snapshot(): unknown {
    return structuredClone(this.applied);
  }
  restore(s: unknown): void {
    this.applied = structuredClone(s) as { index: number; command: unknown }[];
  }
}

/** A Raft cluster with an attached invariant checker and a ListMachine per node. */
export interface RaftCluster extends Cluster<RaftMessage> {
  readonly inv: RaftInvariants;
  readonly machines: Map<NodeId, ListMachine>;
  raft(id: NodeId): RaftNode;
}

/** Build a cluster of Raft nodes, checked on every event. */
export function raftCluster(
  options: Omit<ClusterOptions<RaftMessage>, "factory"> & {
    raft?: RaftConfigInput;
    perNode?: (id: NodeId) => RaftConfigInput;
    throwOnBreach?: boolean;
  },
): RaftCluster {
  const machines = new Map<NodeId, ListMachine>();
  const { raft: raftCfg, perNode, throwOnBreach, ...rest } = options;
  const c = createCluster<RaftMessage>({
    ...rest,
    factory: (ctx) => {
      const m = new ListMachine();
      machines.set(ctx.self, m);
      return new RaftNode(ctx, { ...raftCfg, ...(perNode?.(ctx.self) ?? {}) }, m);
    },
  });
  const inv = new RaftInvariants({ throwOnBreach }).attach(c.sim);
  return {
    ...c,
    inv,
    machines,
    raft: (id) => {
      const r = c.sim.instanceOf<RaftNode>(id);
      if (!r) throw new Error(`${id} is down`);
      return r;
    },
  };
}

/** The node that is leader of the highest term among live nodes, if any. */
export function leaderOf(sim: Simulation<RaftMessage>): NodeId | undefined {
  let best: NodeId | undefined;
  let term = -1;
  for (const id of sim.serverIds) {
    const r = sim.instanceOf<RaftNode>(id);
    if (r && r.role === "leader" && r.term > term) {
      best = id;
      term = r.term;
    }
  }
  return best;
}

/** Leaders that are live (one per term at most; stale leaders of older terms included). */
export function leaders(sim: Simulation<RaftMessage>): NodeId[] {
  return sim.serverIds.filter((id) => sim.instanceOf<RaftNode>(id)?.role === "leader");
}

/** Run until some live node is leader (and, optionally, satisfies `ok`). */
export function runUntilLeader(
  sim: Simulation<RaftMessage>,
  withinMs: number,
  ok: (id: NodeId) => boolean = () => true,
): NodeId | undefined {
  let found: NodeId | undefined;
  sim.run({
    untilMs: sim.nowMs + withinMs,
    until: () => {
      const l = leaderOf(sim);
      if (l !== undefined && ok(l)) found = l;
      return found !== undefined;
    },
  });
  return found;
}

/**
 * Every `everyMs`, propose `cmd-<k>` at the current leader (if any). Returns the list of
 * proposals accepted (command, leader, index, term).
 */
export function proposeContinuously(
  sim: Simulation<RaftMessage>,
  everyMs: number,
  untilMs: number,
): { command: string; atMs: number }[] {
  const accepted: { command: string; atMs: number }[] = [];
  let k = 0;
  const tick = () => {
    if (sim.nowMs >= untilMs) return;
    const l = leaderOf(sim);
    if (l !== undefined) {
      const command = `cmd-${k++}`;
      const r = sim.instanceOf<RaftNode>(l)!.propose(command);
      if (r.ok) accepted.push({ command, atMs: sim.nowMs });
    }
    sim.schedule(everyMs, tick);
  };
  sim.schedule(everyMs, tick);
  return accepted;
}

/**
 * §5.4.2 watched after every event: a leader's commitIndex only moves to an entry of its own term
 * (older entries commit indirectly). Returns the list of breaches, filled as the run goes.
 */
export function watchCommitRule(c: RaftCluster): string[] {
  const seen = new Map<string, number>();
  const breaches: string[] = [];
  c.sim.afterEach(() => {
    for (const id of c.sim.serverIds) {
      const r = c.sim.instanceOf<RaftNode>(id);
      if (!r || r.role !== "leader") continue;
      const key = `${id}/${r.term}`;
      const before = seen.get(key);
      seen.set(key, r.commitIndex);
      if (before === undefined || r.commitIndex === before) continue;
      const t = r.termAt(r.commitIndex);
      if (t !== r.term) {
        breaches.push(
          `t=${c.sim.nowMs} ${id} (leader of term ${r.term}) moved commitIndex ${before} → ` +
            `${r.commitIndex}, an entry of term ${t}`,
        );
      }
    }
  });
  return breaches;
}
