/**
 * Scenarios that make HotStuff's classic mistakes bite with at most f Byzantine replicas, so that
 * "each mistake is caught by a checker" means something: random faults rarely build the lock state
 * a mistake needs; these build it on purpose, the seed varying the network's latency, the view
 * timeout, when the attack starts and a few extra network faults (the schedule, which shrinks).
 *
 * - `fork-*` (targets `mistakeIgnoreLock`, Algorithm 1's safeNode): from `attackMs` on, every
 *   proposal of one Byzantine replica X is replaced by a fork: a node on genesis with the genesis
 *   QC as justify (view 0), signed by X. Correct replicas are locked on a QC of a later view, the
 *   fork extends nothing they are locked on and its justify is older than their lock, so safeNode
 *   rejects it. With the mistake they vote for it; basic HotStuff takes it through the four
 *   phases, chained HotStuff's next leaders extend it (its QC is the highest) until the Three-Chain
 *   commits it: a second node decided at height 1.
 * - `two-chain-split-n4` (targets `mistakeCommitOnTwoChain`, chained, n = 4, one node a view):
 *   X = leader(a) is Byzantine, A = leader(a − 1) honest. Nodes b_{a−3}, b_{a−2}, b_{a−1} are
 *   certified in consecutive views; X's proposal of view a (carrying QC(b_{a−1})) reaches A only,
 *   and the network drops A's messages of views ≥ a until the heal (asynchrony, not a fault of A).
 *   A sees the Two-Chain b_{a−1} ← b_{a−2} (with the mistake it commits b_{a−2}); the other honest
 *   replicas are locked on QC(b_{a−3}). X stays mute for views a + 1 … a + 3, then in view a + 4
 *   proposes F on QC(b_{a−3}) (a sibling of b_{a−2}), which extends their lock: they vote, honest
 *   leaders extend F, and the Two-Chain F ← c commits F at b_{a−2}'s height. With the Three-Chain
 *   rule A only committed b_{a−3}, which F extends: safe.
 *
 * Only X misbehaves: it runs the honest replica wrapped by `byzantineFactory`
 * (lib/net/adversary.ts) with a script over its own outgoing messages, signed with its own key;
 * it also reads the messages it receives (an adversary sees its own inbox) and takes part in the
 * pacemaker's view synchronization (NEW-VIEWs to all but the next leader, so that the honest
 * replicas move through views a + 1 … a + 3 without a proposal). With both flags off
 * every scenario is safe and decides again after the heal.
 * @module
 */
import type { NodeFactory, NodeId, ProtocolNode, Signature } from "../../sim/types.ts";
import { Rng } from "../../sim/rng.ts";
import { byzantineFactory, type ByzantineTools } from "../../net/adversary.ts";
import type { Schedule } from "../../net/nemesis.ts";
import { randomSchedule } from "../../net/shrink.ts";
import type { NetworkConfigInput } from "../../net/network.ts";
import { nodeIds } from "../../net/cluster.ts";
import { ConfigError } from "../../sim/errors.ts";
import { describeBftBreach } from "../bft/invariants.ts";
import type { HotStuffConfigInput } from "./config.ts";
import {
  GENESIS,
  GENESIS_QC,
  type HotStuffMessage,
  type HsBlock,
  type NewView,
  newViewSigned,
  nodeDigest,
  type Proposal,
  proposalSigned,
  type Vote,
  voteSigned,
} from "./messages.ts";
import type { HotStuffKvMessage } from "./kv.ts";
import { type HotStuffCluster, hotstuffCluster } from "./cluster.ts";

/** A classic mistake to switch on in the honest replicas. */
export type HotStuffMistake = "ignoreLock" | "commitOnTwoChain";

/** The scenario names. */
export type MistakeScenarioName =
  | "fork-basic-n4"
  | "fork-basic-n7"
  | "fork-chained-n4"
  | "fork-chained-n7"
  | "two-chain-split-n4";

/** A scenario: its size, variant and the mistake it was built to expose. */
export interface MistakeScenario {
  /** Name, e.g. "fork-basic-n4". */
  readonly name: MistakeScenarioName;
  /** Replicas. */
  readonly n: number;
  /** "basic" or "chained". */
  readonly variant: "basic" | "chained";
  /** The mistake it targets. */
  readonly targets: HotStuffMistake;
  /** One line: what happens. */
  readonly description: string;
}

const SCENARIOS: readonly MistakeScenario[] = [
  {
    name: "fork-basic-n4",
    n: 4,
    variant: "basic",
    targets: "ignoreLock",
    description: "Byzantine leader proposes a fork on genesis with the genesis QC",
  },
  {
    name: "fork-basic-n7",
    n: 7,
    variant: "basic",
    targets: "ignoreLock",
    description: "as fork-basic-n4 with 7 replicas",
  },
  {
    name: "fork-chained-n4",
    n: 4,
    variant: "chained",
    targets: "ignoreLock",
    description: "Byzantine leader proposes a fork on genesis; honest leaders extend it",
  },
  {
    name: "fork-chained-n7",
    n: 7,
    variant: "chained",
    targets: "ignoreLock",
    description: "as fork-chained-n4 with 7 replicas",
  },
  {
    name: "two-chain-split-n4",
    n: 4,
    variant: "chained",
    targets: "commitOnTwoChain",
    description: "one replica sees a Two-Chain; the others, locked lower, are led onto a sibling",
  },
];

/** Every scenario, in a fixed order. */
export function mistakeScenarios(): readonly MistakeScenario[] {
  return SCENARIOS;
}

/** Everything one run of a scenario needs, drawn from the seed. */
export interface ScenarioPlan {
  /** The scenario. */
  readonly scenario: MistakeScenario;
  /** The seed. */
  readonly seed: number;
  /** The Byzantine replica. */
  readonly byzantine: NodeId;
  /** fork: when X starts forking (ms); two-chain: unused (0). */
  readonly attackMs: number;
  /** two-chain: the view a whose leader X is; fork: 0. */
  readonly attackView: number;
  /** two-chain: the honest replica that sees the Two-Chain; fork: none. */
  readonly witness?: NodeId;
  /** Network. */
  readonly network: NetworkConfigInput;
  /** Protocol parameters. */
  readonly hotstuff: HotStuffConfigInput;
  /** Extra network faults (what shrinking removes). */
  readonly schedule: Schedule;
  /** End of the safety phase (heal, ms). */
  readonly safetyMs: number;
  /** A decision must come within this long after the heal. */
  readonly livenessBoundMs: number;
}

function scenarioOf(name: MistakeScenarioName): MistakeScenario {
  const s = SCENARIOS.find((x) => x.name === name);
  if (!s) {
    throw new ConfigError("hotstuff scenario", [{
      path: "name",
      message: `unknown scenario "${name}" (known: ${SCENARIOS.map((x) => x.name).join(", ")})`,
    }]);
  }
  return s;
}

/** The plan of scenario `name` for `seed`. */
export function scenarioPlan(name: MistakeScenarioName, seed: number): ScenarioPlan {
  const scenario = scenarioOf(name);
  const rng = new Rng(seed).fork(`hotstuff-scenario/${name}`);
  const ids = nodeIds(scenario.n);
  const minMs = rng.int(1, 4);
  const maxMs = minMs + rng.int(2, 12);
  const network: NetworkConfigInput = { latency: { kind: "uniform", minMs, maxMs } };
  if (scenario.targets === "commitOnTwoChain") {
    const attackView = 4 * rng.int(1, 3); // leader(a) = n0 with one view a leader
    return {
      scenario,
      seed,
      byzantine: "n0",
      attackMs: 0,
      attackView,
      witness: "n3",
      network,
      hotstuff: {
        viewTimeoutMs: 8 * maxMs + rng.int(0, 20),
        viewsPerLeader: 1,
        maxBackoffExponent: 2,
      },
      schedule: [],
      safetyMs: 3_000,
      livenessBoundMs: 2_500,
    };
  }
  const viewTimeoutMs = 12 * maxMs + rng.int(0, 40);
  const attackMs = rng.int(50, 400);
  return {
    scenario,
    seed,
    byzantine: rng.pick(ids),
    attackMs,
    attackView: 0,
    network,
    hotstuff: { viewTimeoutMs, viewsPerLeader: scenario.variant === "chained" ? 2 : 1 },
    schedule: randomSchedule(seed, ids, {
      startMs: attackMs,
      endMs: 1_200,
      episodes: 3,
      kinds: ["slowLink", "pause", "isolate"],
      maxDurationMs: 200,
    }),
    safetyMs: 2_000,
    livenessBoundMs: 2_500,
  };
}

/** The outcome of one scenario run. */
export interface ScenarioResult {
  /** The plan that ran. */
  readonly plan: ScenarioPlan;
  /** The first breach, if any: one line, and the culprits named. */
  readonly breach?: { readonly line: string; readonly culprits: readonly NodeId[] };
  /** Whether a decision came within the bound after the heal (safe runs only). */
  readonly live: boolean;
  /** Heights decided by some honest replica. */
  readonly decisions: number;
}

/** Sign a proposal of `node` in view v as `self`. */
function signedProposal(
  type: "prepare" | "generic",
  v: number,
  node: HsBlock,
  sign: (d: unknown) => Signature,
  self: NodeId,
): Proposal {
  const base = { type, viewNumber: v, leader: self };
  return {
    ...base,
    node,
    signature: sign(proposalSigned(base, nodeDigest(node), node.height)),
  };
}

/** fork-*: X's proposals from `attackMs` on become forks on genesis. */
function forkFactory(
  honest: NodeFactory<HotStuffKvMessage>,
  plan: ScenarioPlan,
): NodeFactory<HotStuffKvMessage> {
  const forks = new Map<number, Proposal>();
  return byzantineFactory<HotStuffKvMessage>(honest, (out, t) => {
    const m = out.msg as unknown as HotStuffMessage;
    if ((m.type === "prepare" || m.type === "generic") && t.nowMs() >= plan.attackMs) {
      let p = forks.get(m.viewNumber);
      if (!p) {
        const node: HsBlock = {
          parent: GENESIS,
          height: 1,
          view: m.viewNumber,
          proposer: t.self,
          cmds: [],
          justify: GENESIS_QC,
          nonce: `fork:${t.self}:${m.viewNumber}`,
        };
        p = signedProposal(m.type, m.viewNumber, node, (d) => t.sign(d), t.self);
        forks.set(m.viewNumber, p);
      }
      return t.send(out.to, p as unknown as HotStuffKvMessage);
    }
    t.send(out.to, out.msg);
  });
}

/**
 * two-chain-split: X's script around view a (see the module comment). X's own code is muted from
 * view a on during the safety phase (except view a's proposal, sent to A only); the script reads
 * X's inbox and, once both other honest replicas sent their NEW-VIEW for view a + 3, proposes F
 * for view a + 4 and votes for F and for the honest node of view a + 5 that extends it.
 */
function twoChainFactory(
  honest: NodeFactory<HotStuffKvMessage>,
  plan: ScenarioPlan,
): NodeFactory<HotStuffKvMessage> {
  const a = plan.attackView;
  const byView = new Map<number, HsBlock>();
  const ready = new Set<NodeId>();
  const synced = new Set<number>();
  let tools: ByzantineTools<HotStuffKvMessage> | undefined;
  let fork: Proposal | undefined;
  let votedC = false;
  const vote = (t: ByzantineTools<HotStuffKvMessage>, v: number, node: HsBlock, to: NodeId) => {
    const base = {
      phase: "generic" as const,
      viewNumber: v,
      node: nodeDigest(node),
      height: node.height,
      replica: t.self,
    };
    const m: Vote = { type: "vote", ...base, partialSig: t.sign(voteSigned(base)) };
    t.send(to, m as unknown as HotStuffKvMessage);
  };
  const wrapped = byzantineFactory<HotStuffKvMessage>(honest, (out, t) => {
    tools = t;
    const m = out.msg as unknown as HotStuffMessage;
    const v = (m as { viewNumber?: number }).viewNumber;
    if (typeof v !== "number" || v < a || t.nowMs() >= plan.safetyMs) {
      return t.send(out.to, out.msg);
    }
    if (m.type === "generic" && v === a && out.to === plan.witness) t.send(out.to, out.msg);
  });
  return (ctx) => {
    const node = wrapped(ctx) as ProtocolNode<HotStuffKvMessage> & { inner?: unknown };
    const others = ctx.peers.filter((p) => p !== plan.witness);
    const leader = (v: number) => `n${v % (ctx.peers.length + 1)}`;
    return {
      start: node.start ? () => node.start!() : undefined,
      onMessage: (from: NodeId, msg: HotStuffKvMessage) => {
        node.onMessage(from, msg);
        const p = msg as unknown as HotStuffMessage;
        const t = tools;
        if (!t) return;
        if (p?.type === "generic" && p.node && !byView.has(p.viewNumber)) {
          byView.set(p.viewNumber, p.node);
          if (
            fork && !votedC && p.viewNumber === a + 5 && p.node.parent === nodeDigest(fork.node)
          ) {
            votedC = true;
            vote(t, a + 5, p.node, leader(a + 6));
          }
        }
        if (
          p?.type === "new-view" && p.viewNumber >= a && p.viewNumber <= a + 3 &&
          others.includes(p.replica)
        ) {
          if (p.viewNumber === a + 3) ready.add(p.replica);
          if (!synced.has(p.viewNumber)) {
            // take part in view synchronization, but keep the next leader short of n − f
            synced.add(p.viewNumber);
            const base = { viewNumber: p.viewNumber, replica: t.self, justify: GENESIS_QC };
            const nv: NewView = {
              type: "new-view",
              ...base,
              signature: t.sign(newViewSigned(base)),
            };
            for (const q of ctx.peers) {
              if (q !== leader(p.viewNumber + 1)) t.send(q, nv as unknown as HotStuffKvMessage);
            }
          }
        }
        if (!fork && ready.size === others.length) {
          const lockQc = byView.get(a - 2)?.justify; // QC(b_{a−3}): the others' lock
          if (!lockQc) return;
          const f: HsBlock = {
            parent: lockQc.node,
            height: lockQc.height + 1,
            view: a + 4,
            proposer: t.self,
            cmds: [],
            justify: lockQc,
          };
          fork = signedProposal("generic", a + 4, f, (d) => t.sign(d), t.self);
          for (const q of ctx.peers) t.send(q, fork as unknown as HotStuffKvMessage);
          vote(t, a + 4, f, leader(a + 5));
        }
      },
      onTimer: (name: string) => node.onTimer?.(name),
      inspect: () => node.inspect?.(),
      inner: node.inner,
    } as ProtocolNode<HotStuffKvMessage>;
  };
}

/** Build the scenario's cluster (X replaced by its script, A's link filter installed). */
export function scenarioCluster(
  plan: ScenarioPlan,
  schedule: Schedule,
  options: { mistake?: HotStuffMistake; trace?: boolean } = {},
): HotStuffCluster {
  const s = plan.scenario;
  const c = hotstuffCluster({
    seed: plan.seed,
    n: s.n,
    variant: s.variant,
    network: plan.network,
    nemesis: schedule,
    hotstuff: plan.hotstuff,
    trace: options.trace ? undefined : { mode: "off" },
    collectEvents: false,
    throwOnBreach: false,
    mistakes: options.mistake ? { [options.mistake]: true } : undefined,
  });
  if (s.targets === "commitOnTwoChain") {
    c.sim.replace(plan.byzantine, twoChainFactory(c.factory, plan));
    const a = plan.attackView;
    // the network (not A) drops A's messages of views ≥ a until the heal: asynchrony
    c.sim.intercept(plan.witness!, ({ to, msg }, net) => {
      const v = (msg as { viewNumber?: number }).viewNumber;
      if (typeof v === "number" && v >= a) return;
      net.send(to, msg);
    });
  } else c.sim.replace(plan.byzantine, forkFactory(c.factory, plan));
  return c;
}

/** Run scenario `name` with `schedule` (safety phase, heal, liveness phase). */
export function runScenarioSchedule(
  name: MistakeScenarioName,
  seed: number,
  schedule: Schedule,
  options: { mistake?: HotStuffMistake } = {},
): ScenarioResult {
  const plan = scenarioPlan(name, seed);
  const c = scenarioCluster(plan, schedule, options);
  c.sim.run({ untilMs: plan.safetyMs });
  const first = () => {
    const b = c.inv.breaches[0];
    return b
      ? { line: describeBftBreach(b, "hotstuff"), culprits: b.culprits.map((x) => x.node) }
      : undefined;
  };
  let breach = first();
  if (!breach) {
    if (plan.witness) c.sim.intercept(plan.witness, null);
    c.repairAll();
    c.sim.run({ untilMs: plan.safetyMs + plan.livenessBoundMs });
    breach = first();
  }
  const live = c.inv.liveness(plan.safetyMs, plan.livenessBoundMs).ok;
  return { plan, breach, live, decisions: c.inv.decidedSlots };
}
