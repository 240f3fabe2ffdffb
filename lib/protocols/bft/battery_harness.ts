/**
 * The tester behind the BFT exercise battery: one run of a learner's single-shot agreement (the
 * wire format of battery_reference.ts) on a simulated cluster with Byzantine nodes (generic
 * strategies from lib/net/adversary.ts or hand-written behaviours), network faults and Twins
 * partitions, judged by BftInvariants and four end-of-run checks:
 *
 * - agreement: no two honest replicas decide different values (within f traitors a breach is a
 *   failure; beyond f it is allowed but must be *accountable*: at least f + 1 culprits proven by
 *   their own signatures, every one of them truly Byzantine);
 * - no honest culprit: no honest replica ever signs two conflicting statements in one phase (it
 *   would be slashed, and the checker could not tell it from a traitor);
 * - validity: every honest decision is the digest of a proposal the leader really signed;
 * - liveness: when the leader stays honest, every honest replica decides once faults stop.
 * @module
 */
import { createCluster } from "../../net/cluster.ts";
import type { NetworkConfigInput } from "../../net/network.ts";
import type { Schedule } from "../../net/nemesis.ts";
import {
  type AdversaryInput,
  type Behaviour,
  behaviourOf,
  byzantineFactory,
  Coalition,
  parseAdversaries,
} from "../../net/adversary.ts";
import type { Simulation } from "../../sim/simulation.ts";
import { ConfigError } from "../../sim/errors.ts";
import type { NodeContext, NodeId, ProtocolNode, TraceRecord } from "../../sim/types.ts";
import { BftInvariants, describeBftBreach } from "./invariants.ts";
import { equivocators } from "./evidence.ts";
import { twinOf, type TwinsScenario } from "./twins.ts";
import {
  baKit,
  type BaMessage,
  type BaMistake,
  baStatements,
  type MakeBaNode,
} from "./battery_reference.ts";

/**
 * A hand-written Byzantine strategy: given the traitor's id and the state its coalition shares,
 * the behaviour that rewrites everything its honest code sends (see `Behaviour` in
 * lib/net/adversary.ts).
 */
export type AttackStrategy = (self: NodeId, coalition: Coalition) => Behaviour<BaMessage>;

/** One run: cluster, faults and what is required of it. */
export interface RunSpec {
  /** Seed of the simulation. */
  readonly seed: number;
  /** Replicas n0..n{n-1}. */
  readonly n: number;
  /** The f the protocol is configured to tolerate. */
  readonly f: number;
  /** The leader (default "n0"). */
  readonly leader?: NodeId;
  /** Traitors running generic strategies (validated by parseAdversaries). */
  readonly byzantine?: readonly AdversaryInput[];
  /** Traitors running a hand-written strategy (one coalition). */
  readonly custom?: { readonly nodes: readonly NodeId[]; readonly strategy: AttackStrategy };
  /** Network (default: uniform 1–10 ms one way, nothing lost). */
  readonly network?: NetworkConfigInput;
  /** A nemesis schedule (faults, and `byzantine` turns with generic strategies). */
  readonly nemesis?: Schedule;
  /** A Twins scenario: its twins run twice; round r = time window [r·w, (r+1)·w). */
  readonly twins?: TwinsScenario;
  /** Twins round length (ms). Default 25. */
  readonly twinsWindowMs?: number;
  /** When every fault ends (`repairAll`); default: no repair. */
  readonly healAtMs?: number;
  /** Simulated time of the run (ms). */
  readonly endMs: number;
  /** Full trace (for a space-time diagram). Default false. */
  readonly trace?: boolean;
}

/** What one run showed. */
export interface RunOutcome {
  /** The first failed check, one line; undefined when the run passed. */
  readonly failure?: string;
  /** Which check failed. */
  readonly check?:
    | "agreement"
    | "accountability"
    | "honest-culprit"
    | "validity"
    | "liveness"
    | "error";
  /** Honest replicas' decisions, node → digest. */
  readonly decisions: Readonly<Record<NodeId, string>>;
  /** Traitors (marked Byzantine by the end of the run, twins included). */
  readonly byzantine: readonly NodeId[];
  /** Agreement breach (one line) when there was one, even if allowed (beyond f). */
  readonly breach?: string;
  /** Culprits of the breach. */
  readonly culprits: readonly NodeId[];
  /** Messages sent. */
  readonly messages: number;
  /** The simulation (inspect it, or its trace). */
  readonly sim: Simulation<BaMessage>;
  /** Trace records (empty unless `trace`). */
  readonly trace: readonly TraceRecord[];
}

/** The default network of the battery: uniform 1–10 ms one way. */
export const BATTERY_NETWORK: NetworkConfigInput = {
  latency: { kind: "uniform", minMs: 1, maxMs: 10 },
};

/**
 * The factory the simulator calls for each instance: the learner's node with its config. The
 * leader's input is `n0/1`, and `n0/2` for a second instance (a Twin) or after a restart.
 */
function honestFactory(
  makeNode: MakeBaNode,
  n: number,
  f: number,
  leader: NodeId,
): (ctx: NodeContext<BaMessage>) => ProtocolNode<BaMessage> {
  const incarnations = new Map<NodeId, number>();
  return (ctx) => {
    const k = (incarnations.get(ctx.self) ?? 0) + 1;
    incarnations.set(ctx.self, k);
    return makeNode(ctx, { n, f, leader, input: `${ctx.self}/${k}` });
  };
}

/** Run one spec and judge it (never throws for a faulty implementation: see `failure`). */
export function runSpec(makeNode: MakeBaNode, spec: RunSpec): RunOutcome {
  const leader = spec.leader ?? "n0";
  const honest = honestFactory(makeNode, spec.n, spec.f, leader);
  const custom = spec.custom;
  const customNodes = new Set(custom?.nodes ?? []);
  const byz: AdversaryInput[] = [...(spec.byzantine ?? [])];
  if (custom) byz.push({ nodes: [...custom.nodes], strategies: [{ kind: "silent" }] });
  const c = createCluster<BaMessage>({
    seed: spec.seed,
    nodes: spec.n,
    factory: honest,
    network: spec.network ?? BATTERY_NETWORK,
    ...(spec.nemesis ? { nemesis: spec.nemesis } : {}),
    trace: { mode: spec.trace ? "full" : "off" },
    collectEvents: false,
    byzantine: byz,
    adversary: (entry) => {
      const coalition = new Coalition();
      // the hand-written strategy's entry (its nodes are exactly the custom traitors)
      if (custom && entry.fromMs === 0 && entry.nodes.every((id) => customNodes.has(id))) {
        return (id) => byzantineFactory(honest, custom.strategy(id, coalition));
      }
      return () => byzantineFactory(honest, behaviourOf(entry.strategies, baKit, coalition));
    },
  });
  const sim = c.sim;
  const inv = new BftInvariants({
    protocol: "bft-exercise",
    statements: baStatements,
    throwOnBreach: false,
    validity: false,
  }).attach(sim);
  const decisions: Record<NodeId, string> = {};
  sim.onEvent((e) => {
    if (e.event.type !== "bft-decide" || sim.node(e.node).byzantine) return;
    decisions[e.node] ??= String(e.event.digest);
  });
  if (spec.twins) {
    for (const id of spec.twins.twins) sim.addTwin(id);
    const w = spec.twinsWindowMs ?? 25;
    const groups = spec.twins.rounds.map((r) => {
      const m = new Map<NodeId, number>();
      r.partition.forEach((g, k) => g.forEach((x) => m.set(x, k)));
      return m;
    });
    sim.setRouter((from, to) => {
      const r = Math.floor(sim.nowMs / w);
      if (from === to || r >= groups.length) return true;
      const a = groups[r].get(from), b = groups[r].get(to);
      return a === undefined || b === undefined || a === b;
    });
  }
  let error: string | undefined;
  try {
    if (spec.healAtMs !== undefined) {
      sim.run({ untilMs: spec.healAtMs });
      c.repairAll();
    }
    sim.run({ untilMs: spec.endMs });
  } catch (e) {
    // a misconfiguration (e.g. an unsafe quorum without allowUnsafe) is the caller's, not a finding
    for (let x: unknown = e, d = 0; x instanceof Error && d < 5; x = x.cause, d++) {
      if (x instanceof ConfigError) throw x;
    }
    error = e instanceof Error ? e.message : String(e);
  }
  const ids = [...c.nodes];
  const traitors = ids.filter((id) => sim.node(id).byzantine);
  const isByz = (id: NodeId) => traitors.includes(id);
  const out = (check?: RunOutcome["check"], failure?: string): RunOutcome => {
    const b = inv.breaches.find((x) => x.invariant === "agreement");
    return {
      ...(failure !== undefined ? { failure, check } : {}),
      decisions,
      byzantine: traitors,
      ...(b ? { breach: describeBftBreach(b, "bft-exercise") } : {}),
      culprits: b ? b.culprits.map((x) => x.node) : [],
      messages: sim.stats.sent,
      sim,
      trace: sim.trace.records,
    };
  };
  if (error !== undefined) return out("error", `a node threw: ${error}`);
  // traitors beyond the protocol's f (twins count as traitors)
  const beyondF = traitors.length > spec.f;
  const b = inv.breaches.find((x) => x.invariant === "agreement");
  if (b) {
    const line = describeBftBreach(b, "bft-exercise");
    if (!beyondF) {
      return out("agreement", `agreement broken with ${traitors.length} ≤ f traitors: ${line}`);
    }
    const named = b.culprits.map((x) => x.node);
    const innocent = named.filter((id) => !isByz(id));
    if (innocent.length) {
      return out("accountability", `honest ${innocent.join(", ")} named as culprit(s): ${line}`);
    }
    if (named.length < spec.f + 1) {
      return out(
        "accountability",
        `only ${named.length} culprit(s) proven, < f + 1 = ${spec.f + 1}: ${line}`,
      );
    }
  }
  // an honest replica that signed two conflicting statements would be slashed
  const bad = equivocators(inv.log, 1).filter((x) => !isByz(x.node));
  if (bad.length) {
    const x = bad[0];
    return out(
      "honest-culprit",
      `honest ${x.node} signed two conflicting ${x.evidence[0].phase}s (${x.evidence[0].digest} ` +
        `and ${x.evidence[1].digest}): it would be slashed as a traitor`,
    );
  }
  // validity: a decided digest must be one the leader signed a proposal for
  const proposed = new Set(
    inv.log.at(1).filter((s) => s.phase === "propose" && s.signer === leader).map((s) => s.digest),
  );
  for (const [node, d] of Object.entries(decisions)) {
    if (!proposed.has(d)) {
      return out("validity", `${node} decided ${d}, which ${leader} never signed a proposal for`);
    }
  }
  // liveness: with an honest leader, every honest replica decides once faults stop
  if (!isByz(leader)) {
    const undecided = ids.filter((id) => !isByz(id) && decisions[id] === undefined);
    if (undecided.length) {
      return out(
        "liveness",
        `${undecided.join(", ")} undecided at t=${spec.endMs}ms though the leader ${leader} is ` +
          `honest` +
          (spec.healAtMs !== undefined ? ` and faults ended at t=${spec.healAtMs}ms` : ""),
      );
    }
  }
  return out();
}

/** Validate adversaries of a spec against n (ConfigError naming the field). */
export function checkAdversaries(spec: RunSpec): void {
  parseAdversaries(spec.byzantine ?? [], Array.from({ length: spec.n }, (_, i) => `n${i}`));
}

/** The twin instance ids of a scenario (for lanes of a diagram). */
export function instancesOf(spec: RunSpec): NodeId[] {
  const ids = Array.from({ length: spec.n }, (_, i) => `n${i}`);
  return [...ids, ...(spec.twins?.twins ?? []).map(twinOf)];
}

/** Short names of the mistakes. */
export const BA_MISTAKE_LABELS: Readonly<Record<BaMistake, string>> = {
  mistakeQuorum2f: "quorum 2f",
  mistakeSkipVerify: "no signature check",
  mistakeVoteTwice: "votes twice",
};
