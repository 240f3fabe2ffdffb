/**
 * Scenarios that make Tendermint's classic mistakes bite with at most f Byzantine validators, so
 * that "each mistake is caught by a checker in a sweep" means something: a random sweep rarely
 * builds the lock state a mistake needs (a lock on v held by some honest validators while another
 * already decided v), these scenarios build it on purpose, with the seed varying the network's
 * latency and jitter, the height at which it happens (hence which validators propose), which
 * honest validators play which part, and when the network heals.
 *
 * Two shapes, each on n = 4 (f = 1) and n = 7 (f = 2) (Buchman, Kwon, Milosevic 2018, Algorithm 1):
 *
 * - `lock-bypass` (targets `mistakePrevoteIgnoresLock`, lines 22–27): in round 0 an honest
 *   proposer's v gets a polka; all 2f + 1 honest validators lock v and precommit v. The links from
 *   a group A of f honest validators to the other f + 1 (group B) are held (asynchrony, nemesis
 *   `hold`), and the Byzantine validators precommit nil, so A sees 2f + 1 precommits for v and
 *   decides v while B sees only f + 1 and times out to round 1. There the Byzantine proposer
 *   proposes a fresh v' (validRound −1). Correct B validators are locked on v and prevote nil
 *   (line 23); with the mistake they prevote v', which with the f Byzantine prevotes is a polka,
 *   and B decides v' ≠ v.
 * - `stale-pol` (targets `mistakeUnlockOnLowerRound`, lines 28–33): a Byzantine proposer of round 0
 *   sends its w only to groups B and C, and its prevote only to C, so C sees a polka for w (locks
 *   w: validValue = w, validRound = 0) while A and B do not. In round 1 an honest proposer
 *   proposes a fresh v; A and B prevote v, the Byzantine validators prevote v to A and B only and
 *   |C| of them precommit v to A only: A and B lock v in round 1 and A decides v (with every
 *   precommit of A ∪ B, its own included); B and C do not. In round 2
 *   C, an honest proposer, re-proposes w with validRound 0 and relays the round-0 polka. Correct B
 *   validators are locked in round 1 > 0 and prevote nil (line 29: lockedRound ≤ vr fails); with
 *   the mistake they prevote w, and B ∪ C with the Byzantine votes decide w ≠ v.
 *
 * Only the Byzantine validators misbehave: they run the honest node wrapped by `byzantineFactory`
 * (lib/net/adversary.ts) whose own messages at the scenario's height are replaced by a script,
 * signed with their own keys. Honest validators run the honest node (with the mistake flag when
 * testing it). With both flags off, every scenario is safe and decides again after the heal.
 *
 * Departure from the default configuration: in `stale-pol` the gossip tick (the node's periodic
 * re-broadcast and block sync, a stand-in for the paper's eventual gossip, §2) is drawn between
 * 800 and 1200 ms, after the scenario's rounds: the adversary schedules gossip late, as it may
 * before GST. With the default 100 ms tick the round-0 polka would reach A and B in round 0 and
 * A's commit would reach B before round 2, which an adversary could also prevent with link holds
 * timed to the round, but not robustly across latencies.
 * @module
 */
import type { NodeFactory, NodeId } from "../../sim/types.ts";
import { Rng } from "../../sim/rng.ts";
import { byzantineFactory } from "../../net/adversary.ts";
import type { FaultInput, Schedule } from "../../net/nemesis.ts";
import { parseSchedule } from "../../net/nemesis.ts";
import type { NetworkConfigInput } from "../../net/network.ts";
import { ConfigError } from "../../sim/errors.ts";
import { describeBftBreach } from "../bft/invariants.ts";
import type { TendermintConfigInput } from "./config.ts";
import {
  type Block,
  blockId,
  type Proposal,
  proposalSigned,
  type TendermintMessage,
  voteSigned,
  type VoteType,
} from "./messages.ts";
import type { KvCommand } from "../kv/state_machine.ts";
import { type TendermintKvMessage, tendermintKvServer } from "./kv.ts";
import { type TendermintCluster, tendermintCluster } from "./cluster.ts";
import type { TraceOptions } from "../../sim/trace.ts";
import type { TendermintMistake } from "./sweep.ts";

/** The scenario names. */
export type MistakeScenarioName =
  | "lock-bypass-n4"
  | "lock-bypass-n7"
  | "stale-pol-n4"
  | "stale-pol-n7";

/** A scenario: its size and the mistake it was built to expose. */
export interface MistakeScenario {
  /** Name, e.g. "lock-bypass-n4". */
  readonly name: MistakeScenarioName;
  /** Validators. */
  readonly n: number;
  /** Byzantine validators (= f). */
  readonly f: number;
  /** The mistake it targets. */
  readonly targets: TendermintMistake;
  /** One line: what happens. */
  readonly description: string;
}

const SCENARIOS: readonly MistakeScenario[] = [
  {
    name: "lock-bypass-n4",
    n: 4,
    f: 1,
    targets: "prevoteIgnoresLock",
    description: "round-0 lock on v, one honest decides v; Byzantine round-1 proposer offers " +
      "fresh v' (vr = -1) to the locked rest",
  },
  {
    name: "lock-bypass-n7",
    n: 7,
    f: 2,
    targets: "prevoteIgnoresLock",
    description: "as lock-bypass-n4 with 2 deciders, 3 locked laggards and 2 Byzantine",
  },
  {
    name: "stale-pol-n4",
    n: 4,
    f: 1,
    targets: "unlockOnLowerRound",
    description: "polka for w in round 0 seen by one, lock on v in round 1 and v decided by " +
      "one; round-2 proposer re-proposes w with vr = 0",
  },
  {
    name: "stale-pol-n7",
    n: 7,
    f: 2,
    targets: "unlockOnLowerRound",
    description: "as stale-pol-n4 with groups of 1–2 deciders, 1–3 re-lockers, 1–2 w-lockers",
  },
];

/** Every scenario, in a fixed order. */
export function mistakeScenarios(): readonly MistakeScenario[] {
  return SCENARIOS;
}

function scenarioOf(name: string): MistakeScenario {
  const s = SCENARIOS.find((x) => x.name === name);
  if (!s) {
    throw new ConfigError("tendermint mistake scenario", [{
      path: "name",
      message: `unknown scenario "${name}" (known: ${SCENARIOS.map((x) => x.name).join(", ")})`,
    }]);
  }
  return s;
}

/** What one seed of a scenario draws: roles, network, timing and the fault schedule. */
export interface ScenarioPlan {
  /** The scenario. */
  readonly scenario: MistakeScenario;
  /** The seed. */
  readonly seed: number;
  /** The height at which the scenario plays (earlier heights run normally). */
  readonly height: number;
  /** The Byzantine validators (f of them). */
  readonly byzantine: readonly NodeId[];
  /** Honest validators that decide v. */
  readonly groupA: readonly NodeId[];
  /** Honest validators locked on v that a mistake makes decide another value. */
  readonly groupB: readonly NodeId[];
  /** stale-pol only: honest validators locked on w in round 0 (the round-2 proposer among them). */
  readonly groupC: readonly NodeId[];
  /** Network (uniform latency drawn from the seed, no loss). */
  readonly network: NetworkConfigInput;
  /** Protocol parameters of every validator (the mistake flag is added per run). */
  readonly tendermint: TendermintConfigInput;
  /** The nemesis schedule (lock-bypass: holds A → B, then a release; stale-pol: none). */
  readonly schedule: Schedule;
  /** End of the safety phase (then `repairAll()`), ms. */
  readonly safetyMs: number;
  /** A decision must come within this long after the heal, ms. */
  readonly livenessBoundMs: number;
}

/** Validators in proposer-rotation order (as TendermintNode sorts them). */
function validators(n: number): NodeId[] {
  return Array.from({ length: n }, (_, i) => `n${i}`);
}

/** proposer(h, r) of TendermintNode: round-robin by (h + r) mod n. */
function proposerOf(n: number, h: number, r: number): NodeId {
  return validators(n)[(h + r) % n];
}

/**
 * The plan one seed draws for a scenario.
 * @example
 * ```ts
 * scenarioPlan("lock-bypass-n4", 3).groupA; // e.g. ["n0"]
 * ```
 */
export function scenarioPlan(name: MistakeScenarioName, seed: number): ScenarioPlan {
  const scenario = scenarioOf(name);
  const { n, f } = scenario;
  const rng = new Rng(seed).fork(`tendermint-scenario/${name}`);
  const height = rng.int(1, 3);
  const minMs = rng.int(1, 5);
  const network: NetworkConfigInput = {
    latency: { kind: "uniform", minMs, maxMs: minMs + rng.int(2, 15) },
  };
  const timeoutCommitMs = rng.int(5, 25);
  const ids = validators(n);
  const livenessBoundMs = 1_500;
  if (scenario.targets === "prevoteIgnoresLock") {
    // the round-1 proposer is Byzantine; the round-0 proposer is honest
    const x1 = proposerOf(n, height, 1);
    const p0 = proposerOf(n, height, 0);
    const others = rng.shuffle(ids.filter((id) => id !== x1 && id !== p0));
    const byzantine = [x1, ...others.slice(0, f - 1)];
    const honest = rng.shuffle(ids.filter((id) => !byzantine.includes(id)));
    const groupA = honest.slice(0, f).sort(byId);
    const groupB = honest.slice(f).sort(byId);
    const releaseMs = rng.int(600, 900);
    const faults: FaultInput[] = [];
    for (const a of groupA) {
      for (const b of groupB) faults.push({ atMs: 0, type: "hold", from: a, to: b });
    }
    faults.push({ atMs: releaseMs, type: "release" });
    return {
      scenario,
      seed,
      height,
      byzantine: byzantine.sort(byId),
      groupA,
      groupB,
      groupC: [],
      network,
      tendermint: { timeoutCommitMs },
      schedule: parseSchedule(faults, ids),
      safetyMs: 1_000,
      livenessBoundMs,
    };
  }
  // stale-pol: the round-0 proposer is Byzantine, rounds 1 and 2 have honest proposers
  const x1 = proposerOf(n, height, 0);
  const p1 = proposerOf(n, height, 1);
  const p2 = proposerOf(n, height, 2);
  const rest = rng.shuffle(ids.filter((id) => id !== x1 && id !== p1 && id !== p2));
  const byzantine = [x1, ...rest.slice(0, f - 1)];
  const free = rest.slice(f - 1); // honest besides p1 and p2
  // |A| ∈ [1, f], |C| ∈ [1, f], |B| = 2f + 1 − |A| − |C| ≥ 1 (see the module comment)
  const sizeA = rng.int(1, f), sizeC = rng.int(1, f);
  const groupC = [p2, ...free.splice(0, sizeC - 1)];
  const ab = rng.shuffle([p1, ...free]);
  const groupA = ab.slice(0, sizeA).sort(byId);
  const groupB = ab.slice(sizeA).sort(byId);
  return {
    scenario,
    seed,
    height,
    byzantine: byzantine.sort(byId),
    groupA,
    groupB,
    groupC: groupC.sort(byId),
    network,
    tendermint: { timeoutCommitMs, gossipIntervalMs: rng.int(800, 1_200) },
    schedule: [],
    safetyMs: 1_300,
    livenessBoundMs,
  };
}

function byId(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

// ---- the Byzantine script ------------------------------------------------------------------------

/** A block, proposal and message of the KV cluster. */
type KvBlock = Block<KvCommand>;
type KvProposal = Proposal<KvCommand>;
type Msg = TendermintMessage<KvCommand>;

/** What a script may do: sign and send as the Byzantine validator, at the scenario's height. */
interface ScriptKit {
  readonly self: NodeId;
  readonly height: number;
  /** Sign a vote of `round` for `id` (null = nil) and send it to `to`. */
  vote(type: VoteType, round: number, id: string | null, to: readonly NodeId[]): void;
  /** Sign a proposal of `block` in `round` with `validRound` and send it to `to`. */
  propose(round: number, block: KvBlock, validRound: number, to: readonly NodeId[]): void;
  /** Forward a message signed by someone else, unchanged. */
  forward(msg: Msg, to: readonly NodeId[]): void;
}

/** Called once per round of the scenario's height, with the first proposal seen for it. */
type Script = (p: KvProposal, kit: ScriptKit) => void;

/**
 * A Byzantine validator: honest code (via `byzantineFactory`) at every height but `height`, where
 * its own proposals, votes and commit certificates are withheld and `script` speaks instead,
 * called with each round's proposal (received, or built by the honest code as proposer).
 */
function scriptedByzantine(
  honest: NodeFactory<TendermintKvMessage>,
  height: number,
  script: Script,
): NodeFactory<TendermintKvMessage> {
  return (ctx) => {
    const handled = new Set<number>();
    const kit: ScriptKit = {
      self: ctx.self,
      height,
      vote(type, round, id, to) {
        const base = { type, height, round, id, validator: ctx.self };
        const v = { ...base, signature: ctx.sign(voteSigned(base)) };
        for (const p of to) if (p !== ctx.self) ctx.send(p, v);
      },
      propose(round, block, validRound, to) {
        const base = { height, round, validRound, proposer: ctx.self };
        const m: KvProposal = {
          type: "Proposal",
          ...base,
          block,
          signature: ctx.sign(proposalSigned(base, blockId(block))),
        };
        for (const p of to) if (p !== ctx.self) ctx.send(p, m);
      },
      forward(msg, to) {
        for (const p of to) if (p !== ctx.self) ctx.send(p, msg);
      },
    };
    const onProposal = (p: KvProposal) => {
      if (p.height !== height || handled.has(p.round)) return;
      handled.add(p.round);
      script(p, kit);
    };
    const node = byzantineFactory<TendermintKvMessage>(honest, (out, tools) => {
      const m = out.msg as Msg;
      const consensus = m.type === "Proposal" || m.type === "Prevote" || m.type === "Precommit" ||
        m.type === "Commit";
      if (!consensus || m.height !== height) return tools.send(out.to, out.msg);
      if (m.type === "Proposal" && m.proposer === tools.self) onProposal(m);
    })(ctx);
    return {
      ...node,
      onMessage(from, msg) {
        const m = msg as Msg;
        if (m.type === "Proposal") onProposal(m);
        node.onMessage(from, msg);
      },
    };
  };
}

/** lock-bypass: vote v in round 0 but precommit nil; as round-1 proposer offer a fresh v'. */
function lockBypassScript(plan: ScenarioPlan): Script {
  const n = plan.scenario.n;
  const all = validators(n);
  const x1 = proposerOf(n, plan.height, 1);
  return (p, k) => {
    if (p.round !== 0) return;
    // the round-0 proposer may be in A, whose links to B are held: pass its proposal on (gossip)
    k.forward(p, all);
    k.vote("Prevote", 0, blockId(p.block), all);
    // nil, not v: B then sees 2f + 1 precommits (arming timeoutPrecommit, line 47) but only
    // f + 1 for v, so it moves to round 1 still locked on v
    k.vote("Precommit", 0, null, all);
    // v': a fresh block of round 1 built by x1 on the same parent (every Byzantine builds the
    // same one, so they vote for the same id)
    const fresh: KvBlock = {
      height: plan.height,
      round: 1,
      proposer: x1,
      txs: [],
      parent: p.block.parent,
    };
    if (k.self === x1) k.propose(1, fresh, -1, all);
    k.vote("Prevote", 1, blockId(fresh), all);
    k.vote("Precommit", 1, blockId(fresh), all);
  };
}

/** stale-pol: split round 0 so only C sees w's polka, help A and B lock v in round 1, vote w. */
function stalePolScript(plan: ScenarioPlan): Script {
  const n = plan.scenario.n;
  const all = validators(n);
  const { groupA: A, groupB: B, groupC: C, byzantine: X } = plan;
  const x1 = proposerOf(n, plan.height, 0);
  return (p, k) => {
    const id = blockId(p.block);
    if (p.round === 0) {
      // w reaches B and C (and the coalition) but not A, which prevotes nil on timeoutPropose
      if (k.self === x1) k.forward(p, [...B, ...C, ...X]);
      // the Byzantine prevotes for w go to C only: C sees 2f + 1 (polka, lock w), B sees
      // |B| + |C| ≤ 2f and locks nothing. No precommit: 2f + 1 honest ones arm the timeouts.
      k.vote("Prevote", 0, id, [...C, ...X]);
    } else if (p.round === 1) {
      // v: prevotes to A and B (their polka, lock v in round 1), none to C (no validValue v);
      // precommits to A only, so A decides v and B does not. Only |C| of the Byzantine
      // precommit: then A needs every precommit of A ∪ B, its own included, and so cannot
      // decide and leave the height before it precommitted — B and C need A's precommits
      // (2f + 1 in all, line 47) to time out to round 2.
      k.vote("Prevote", 1, id, [...A, ...B]);
      if (X.indexOf(k.self) < C.length) k.vote("Precommit", 1, id, A);
    } else if (p.round === 2) {
      // C re-proposes w with validRound 0: vote for it everywhere
      k.vote("Prevote", 2, id, all);
      k.vote("Precommit", 2, id, all);
    }
  };
}

// ---- running ---------------------------------------------------------------------------------------

/** Options of {@link runMistakeScenario}. */
export interface MistakeScenarioOptions {
  /** Mistake switched on in every honest validator (default none: the control). */
  readonly mistake?: TendermintMistake;
  /** Called with the cluster after it is built, before it runs (to watch events or the trace). */
  readonly observe?: (cluster: TendermintCluster) => void;
  /** Trace options (default off). */
  readonly trace?: TraceOptions;
}

/** An agreement or validity breach, summarised. */
export interface ScenarioBreach {
  /** "agreement" or "validity". */
  readonly invariant: string;
  /** The height. */
  readonly slot: number;
  /** Validators proven faulty by their own signatures (sorted). */
  readonly culprits: readonly NodeId[];
  /** The rule each culprit broke, in the same order. */
  readonly rules: readonly string[];
  /** One line (describeBftBreach) with the seed. */
  readonly line: string;
}

/** The outcome of one scenario run. */
export interface MistakeScenarioResult {
  /** The plan the seed drew. */
  readonly plan: ScenarioPlan;
  /** The first safety breach, if any. */
  readonly breach?: ScenarioBreach;
  /** Heights decided by some honest validator. */
  readonly decisions: number;
  /** Whether an honest validator decided within the bound after the heal. */
  readonly live: boolean;
  /** Heights the groups decided at the scenario's height: node → block id (honest only). */
  readonly decidedAt: Readonly<Record<NodeId, string>>;
}

/**
 * One run of a scenario with an explicit fault schedule (for shrinking); see
 * {@link runMistakeScenario}.
 */
export function runScenarioSchedule(
  name: MistakeScenarioName,
  seed: number,
  schedule: Schedule,
  options: MistakeScenarioOptions = {},
): MistakeScenarioResult {
  const plan = scenarioPlan(name, seed);
  const { n } = plan.scenario;
  const mistake = options.mistake;
  const tendermint = plan.tendermint;
  const c = tendermintCluster({
    seed,
    n,
    network: plan.network,
    nemesis: schedule,
    trace: options.trace ?? { mode: "off" },
    collectEvents: false,
    throwOnBreach: false,
    tendermint,
    mistakes: mistake ? { [mistake]: true } : undefined,
  });
  const honest = tendermintKvServer({
    tendermint: { ...tendermint, f: c.size.f, quorum: c.size.quorum },
  });
  const script = plan.scenario.targets === "prevoteIgnoresLock"
    ? lockBypassScript(plan)
    : stalePolScript(plan);
  for (const x of plan.byzantine) c.sim.replace(x, scriptedByzantine(honest, plan.height, script));
  const decidedAt: Record<NodeId, string> = {};
  options.observe?.(c);
  c.sim.onEvent((e) => {
    const ev = e.event as { type: string; slot?: number; digest?: string };
    if (ev.type === "bft-decide" && ev.slot === plan.height && !plan.byzantine.includes(e.node)) {
      decidedAt[e.node] ??= ev.digest!;
    }
  });
  // stop at the first breach (nothing after it matters), else at the end of the safety phase
  c.sim.run({ untilMs: plan.safetyMs, until: () => c.inv.breaches.length > 0 });
  if (c.inv.breaches.length === 0) {
    c.repairAll();
    // the liveness phase ends at the first decision after the heal
    const since = () => c.inv.decisionTimes().some((d) => d.t >= plan.safetyMs);
    c.sim.run({ untilMs: plan.safetyMs + plan.livenessBoundMs, until: since });
  }
  const b = c.inv.breaches[0];
  const breach: ScenarioBreach | undefined = b && {
    invariant: b.invariant,
    slot: b.slot,
    culprits: b.culprits.map((x) => x.node),
    rules: b.culprits.map((x) => x.rule),
    line: describeBftBreach(b, "tendermint"),
  };
  return {
    plan,
    breach,
    decisions: c.inv.decidedSlots,
    live: c.inv.liveness(plan.safetyMs, plan.livenessBoundMs).ok,
    decidedAt,
  };
}

/**
 * One seed of a scenario: the plan's schedule, a safety phase, `repairAll()`, a liveness phase.
 * @example
 * ```ts
 * runMistakeScenario("lock-bypass-n4", 1, { mistake: "prevoteIgnoresLock" }).breach?.culprits;
 * runMistakeScenario("lock-bypass-n4", 1).breach; // undefined: the control is safe
 * ```
 */
export function runMistakeScenario(
  name: MistakeScenarioName,
  seed: number,
  options: MistakeScenarioOptions = {},
): MistakeScenarioResult {
  return runScenarioSchedule(name, seed, scenarioPlan(name, seed).schedule, options);
}

/** One row of {@link detectionRates}. */
export interface DetectionRow {
  /** The scenario. */
  readonly scenario: MistakeScenarioName;
  /** The mistake switched on, or "none" (the control). */
  readonly mistake: TendermintMistake | "none";
  /** Seeds run. */
  readonly seeds: number;
  /** Seeds with an agreement or validity breach. */
  readonly detected: number;
  /** detected / seeds. */
  readonly rate: number;
  /** Seeds that decided again within the bound after the heal. */
  readonly live: number;
}

/**
 * Run every mistake (and the flag-off control) on every scenario over `seeds` (a count: seeds
 * 1..count, or a list) and count the seeds whose run breaks agreement or validity.
 * @example
 * ```ts
 * detectionRates(20).filter((r) => r.mistake === "none").every((r) => r.detected === 0); // true
 * ```
 */
export function detectionRates(
  seeds: number | readonly number[],
  options: { scenarios?: readonly MistakeScenarioName[] } = {},
): DetectionRow[] {
  const list = typeof seeds === "number" ? Array.from({ length: seeds }, (_, i) => i + 1) : seeds;
  const names = options.scenarios ?? SCENARIOS.map((s) => s.name);
  const rows: DetectionRow[] = [];
  for (const scenario of names) {
    for (const mistake of ["prevoteIgnoresLock", "unlockOnLowerRound", "none"] as const) {
      let detected = 0, live = 0;
      for (const seed of list) {
        const r = runMistakeScenario(scenario, seed, {
          mistake: mistake === "none" ? undefined : mistake,
        });
        if (r.breach) detected++;
        if (r.live) live++;
      }
      rows.push({
        scenario,
        mistake,
        seeds: list.length,
        detected,
        rate: list.length ? detected / list.length : 0,
        live,
      });
    }
  }
  return rows;
}
