/** Helpers of the key-value tests: Raft-backed KV clusters and a hand-driven client. */
import {
  buildSchedule,
  type Cluster,
  type ClusterOptions,
  createCluster,
} from "../../../lib/net/cluster.ts";
import type { FaultInput } from "../../../lib/net/nemesis.ts";
import type { Simulation } from "../../../lib/sim/simulation.ts";
import type { NodeContext, NodeId } from "../../../lib/sim/types.ts";
import type { HistoryEvent } from "../../../lib/workload/history.ts";
import type { RaftConfigInput } from "../../../lib/protocols/raft/config.ts";
import type { RaftMessage } from "../../../lib/protocols/raft/messages.ts";
import type { RaftNode } from "../../../lib/protocols/raft/node.ts";
import { type RaftKvMessage, raftKvServer } from "../../../lib/protocols/raft/kv.ts";
import { RaftInvariants } from "../../../lib/protocols/raft/invariants.ts";
import type { KvConfigInput } from "../../../lib/protocols/kv/config.ts";
import type { KvServer } from "../../../lib/protocols/kv/server.ts";
import type { KvResponse } from "../../../lib/protocols/kv/messages.ts";

/** A Raft KV cluster with the Raft invariants checked on every event. */
export interface KvCluster extends Cluster<RaftKvMessage> {
  readonly inv: RaftInvariants;
  server(id: NodeId): KvServer<RaftMessage>;
  raft(id: NodeId): RaftNode;
}

/** Build a Raft-backed key-value cluster. */
export function kvCluster(
  options: Omit<ClusterOptions<RaftKvMessage>, "factory"> & {
    raft?: RaftConfigInput;
    kv?: KvConfigInput;
  },
): KvCluster {
  const { raft, kv, ...rest } = options;
  const c = createCluster<RaftKvMessage>({ ...rest, factory: raftKvServer({ raft, kv }) });
  const inv = new RaftInvariants().attach(c.sim);
  const server = (id: NodeId) => {
    const s = c.sim.instanceOf<KvServer<RaftMessage>>(id);
    if (!s) throw new Error(`${id} is down`);
    return s;
  };
  return { ...c, inv, server, raft: (id) => server(id).log as RaftNode };
}

/** The leader of the highest term among live KV servers. */
export function kvLeader(sim: Simulation<RaftKvMessage>): NodeId | undefined {
  let best: NodeId | undefined;
  let term = -1;
  for (const id of sim.serverIds) {
    const r = sim.instanceOf<KvServer<RaftMessage>>(id)?.log as RaftNode | undefined;
    if (r && r.role === "leader" && r.term > term) [best, term] = [id, r.term];
  }
  return best;
}

/** A client driven by hand (one process), recording a Jepsen history into `history`. */
export class ManualClient {
  #ctx!: NodeContext<RaftKvMessage>;
  #seq = 0;
  #open: { f: string; key: string; value: unknown } | undefined;
  constructor(
    readonly sim: Simulation<RaftKvMessage>,
    readonly id: NodeId,
    readonly process: number,
    readonly history: HistoryEvent[],
  ) {
    sim.addNode(id, (ctx) => {
      this.#ctx = ctx;
      return { onMessage: (_from, m) => this.#onMessage(m) };
    }, { role: "client" });
    sim.run({ untilMs: sim.nowMs }); // boot the client node
  }

  /** Whether an operation is awaiting its answer. */
  get busy(): boolean {
    return this.#open !== undefined;
  }

  /** Invoke an operation at server `to`. */
  invoke(to: NodeId, f: string, key: string, value: unknown): void {
    if (this.#open) throw new Error(`${this.id}: an operation is still open`);
    this.#open = { f, key, value };
    this.history.push({
      type: "invoke",
      process: this.process,
      f,
      key,
      value,
      timeMs: this.sim.nowMs,
      node: to,
    });
    this.#ctx.send(to, { type: "KvRequest", clientId: this.id, seq: ++this.#seq, f, key, value });
  }

  #onMessage(m: RaftKvMessage): void {
    const r = m as KvResponse;
    if (r.type !== "KvResponse" || r.seq !== this.#seq || !this.#open) return;
    const o = this.#open;
    this.#open = undefined;
    const ok = r.ok;
    this.history.push({
      type: ok ? "ok" : "fail",
      process: this.process,
      f: o.f,
      key: o.key,
      value: ok && o.f === "get" ? r.value : o.value,
      timeMs: this.sim.nowMs,
      ...(r.error ? { error: r.error } : {}),
    });
  }
}

/**
 * Expand a nemesis (generators included) for `servers` and turn every partition into cuts between
 * the servers only. Workaround: a `partition` puts every node it does not list (the workload's
 * clients) in one more group, cut off from all servers; as cuts, clients still reach any server,
 * like a client network separate from the replication network.
 */
export function serverOnlyPartitions(
  nemesis: unknown,
  servers: readonly NodeId[],
  seed: number,
): FaultInput[] {
  return buildSchedule(nemesis, servers, seed).map((f): FaultInput => {
    if (f.type !== "partition") return f;
    const listed = new Set(f.groups.flat());
    const groups = [...f.groups, servers.filter((id) => !listed.has(id))];
    const pairs: [NodeId, NodeId][] = [];
    groups.forEach((g, i) =>
      groups.slice(i + 1).forEach((h) => g.forEach((a) => h.forEach((b) => pairs.push([a, b]))))
    );
    return pairs.length ? { atMs: f.atMs, type: "cut", pairs } : { atMs: f.atMs, type: "heal" };
  });
}
