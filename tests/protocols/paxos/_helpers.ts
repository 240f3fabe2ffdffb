/** Shared helpers of the Paxos tests: checked clusters, leader lookup, a background proposer. */
import { type Cluster, type ClusterOptions, createCluster } from "../../../lib/net/cluster.ts";
import type { FaultInput, GeneratorInput } from "../../../lib/net/nemesis.ts";
import { Rng } from "../../../lib/sim/rng.ts";
import type { Simulation } from "../../../lib/sim/simulation.ts";
import type { NodeId } from "../../../lib/sim/types.ts";
import type { PaxosConfigInput } from "../../../lib/protocols/paxos/config.ts";
import type { PaxosMessage } from "../../../lib/protocols/paxos/messages.ts";
import { PaxosNode } from "../../../lib/protocols/paxos/node.ts";
import { PaxosInvariants } from "../../../lib/protocols/paxos/invariants.ts";
import { ListMachine } from "./_fake_context.ts";

/** A Paxos cluster with an attached invariant checker and a ListMachine per node. */
export interface PaxosCluster extends Cluster<PaxosMessage> {
  readonly inv: PaxosInvariants;
  readonly machines: Map<NodeId, ListMachine>;
  /** The live node (throws when it is down). */
  node(id: NodeId): PaxosNode;
}

/** Build a cluster of Paxos nodes, checked on every event. */
export function paxosCluster(
  options: Omit<ClusterOptions<PaxosMessage>, "factory"> & {
    paxos?: PaxosConfigInput;
    throwOnBreach?: boolean;
  },
): PaxosCluster {
  const machines = new Map<NodeId, ListMachine>();
  const { paxos, throwOnBreach, ...rest } = options;
  const c = createCluster<PaxosMessage>({
    ...rest,
    factory: (ctx) => {
      const m = new ListMachine();
      machines.set(ctx.self, m);
      return new PaxosNode(ctx, paxos ?? {}, m);
    },
  });
  const inv = new PaxosInvariants({ throwOnBreach }).attach(c.sim);
  return {
    ...c,
    inv,
    machines,
    node: (id) => {
      const n = c.sim.instanceOf<PaxosNode>(id);
      if (!n) throw new Error(`${id} is down`);
      return n;
    },
  };
}

/** The live leader of the highest ballot, if any. */
export function leaderOf(sim: Simulation<PaxosMessage>): NodeId | undefined {
  let best: NodeId | undefined;
  let round = -1;
  for (const id of sim.serverIds) {
    const n = sim.instanceOf<PaxosNode>(id);
    if (n?.isLeader() && n.ballot.round > round) [best, round] = [id, n.ballot.round];
  }
  return best;
}

/**
 * Every `everyMs` until `untilMs`, offer `cmd-<k>`: to the leader with `propose` (stable election),
 * or with `submit` to the proposers in turn (no election). Returns how many were offered.
 */
export function proposeContinuously(
  sim: Simulation<PaxosMessage>,
  everyMs: number,
  untilMs: number,
): { offered: number } {
  const out = { offered: 0 };
  let k = 0;
  const tick = () => {
    if (sim.nowMs >= untilMs) return;
    const any = sim.serverIds.map((id) => sim.instanceOf<PaxosNode>(id)).find((n) => n);
    if (any?.config.election === "none") {
      const proposers = any.proposers.filter((id) => sim.instanceOf(id));
      if (proposers.length) {
        sim.instanceOf<PaxosNode>(proposers[k % proposers.length])!.submit(`cmd-${k++}`);
        out.offered++;
      }
    } else {
      const l = leaderOf(sim);
      if (l !== undefined && sim.instanceOf<PaxosNode>(l)!.propose(`cmd-${k++}`).ok) out.offered++;
    }
    sim.schedule(everyMs, tick);
  };
  sim.schedule(everyMs, tick);
  return out;
}

/** A network fault generator chosen by the seed (the lib/net vocabulary). */
export function networkGenerator(seed: number, endMs: number): GeneratorInput {
  const g = { startMs: 300, endMs };
  switch (seed % 6) {
    case 0:
      return { generator: "randomHalves", ...g, periodMs: 1_200, faultMs: 700 };
    case 1:
      return { generator: "majorityRing", ...g, periodMs: 1_200, faultMs: 700 };
    case 2:
      return { generator: "bridge", ...g, periodMs: 1_200, faultMs: 700 };
    case 3:
      return { generator: "isolateOne", ...g, periodMs: 800, faultMs: 500 };
    case 4:
      return { generator: "flappingLink", ...g, upMs: 250, downMs: 250 };
    default:
      return { generator: "randomHalves", ...g, periodMs: 600, faultMs: 350 };
  }
}

/** GC pauses and clock drift drawn from the seed (the generators do not make these). */
export function pausesAndDrift(
  seed: number,
  nodes: readonly string[],
  endMs: number,
): FaultInput[] {
  const rng = new Rng(seed).fork("paxos-sweep/pauses");
  const out: FaultInput[] = [];
  for (let k = 0; k < 3; k++) {
    out.push({
      atMs: rng.uniform(300, endMs - 300),
      type: "pause",
      node: rng.pick(nodes),
      durationMs: rng.uniform(50, 500),
    });
  }
  out.push({ atMs: rng.uniform(0, 1_500), type: "clockDrift", node: rng.pick(nodes), drift: 0.2 });
  out.push({ atMs: rng.uniform(0, 1_500), type: "clockDrift", node: rng.pick(nodes), drift: -0.2 });
  return out;
}

/** The lossy, duplicating, reordering network of the sweeps. */
export const SWEEP_NETWORK = {
  latency: { kind: "uniform" as const, minMs: 1, maxMs: 15 },
  lossRatio: 0.05,
  duplicateRatio: 0.02,
  reorderRatio: 0.05,
};
