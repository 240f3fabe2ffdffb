/**
 * The scenarios of the BFT exercise battery. Each builds a {@link RunSpec} from a seed: which
 * replicas turn traitor, with which strategy, over which network, is drawn from the seed, so more
 * seeds explore more placements (the leader among the traitors or not, which peers get which side
 * of an equivocation, which Twins partitions). Traitors are at most f unless the scenario says
 * "beyond f".
 * @module
 */
import { Rng } from "../../sim/rng.ts";
import type { NodeId } from "../../sim/types.ts";
import type { StrategyInput } from "../../net/adversary.ts";
import { randomSchedule } from "../../net/shrink.ts";
import type { Schedule } from "../../net/nemesis.ts";
import { twinsScenarios, twinsSpace } from "./twins.ts";
import type { AttackStrategy, RunSpec } from "./battery_harness.ts";
import {
  type BaMessage,
  type BaPropose,
  conflictingProposal,
  signedData,
} from "./battery_reference.ts";
import { digestOf } from "../../sim/trace.ts";

/** One scenario: what it is about, and its run for a seed. */
export interface BaScenario {
  /** What it checks, one line. */
  readonly describe: string;
  /** Replicas. */
  readonly n: number;
  /** Traitors: "≤ f", "beyond f" or "twins". */
  readonly traitors: string;
  /** The run for `seed`. */
  build(seed: number): RunSpec;
}

const ids = (n: number) => Array.from({ length: n }, (_, i) => `n${i}`);
const fOf = (n: number) => Math.floor((n - 1) / 3);
const rngOf = (seed: number, name: string) => new Rng(seed).fork(`bft-battery/${name}`);

/** k distinct replicas; the leader n0 among them with probability `pLeader` (else never). */
function pickTraitors(rng: Rng, n: number, k: number, pLeader: number): NodeId[] {
  const others = rng.shuffle(ids(n).slice(1));
  if (rng.chance(pLeader)) return ["n0", ...others.slice(0, k - 1)].sort();
  return others.slice(0, k).sort();
}

/** A random non-empty proper subset of `of` (the side of an equivocation that gets version B). */
function randomSide(rng: Rng, of: readonly NodeId[]): NodeId[] {
  const s = rng.shuffle(of);
  return s.slice(0, rng.int(1, Math.max(1, s.length - 1))).sort();
}

function generic(
  name: string,
  n: number,
  describe: string,
  strategy: (rng: Rng, traitors: NodeId[]) => StrategyInput,
  pLeader = 0.5,
): BaScenario {
  return {
    describe,
    n,
    traitors: "≤ f",
    build(seed) {
      const rng = rngOf(seed, name);
      const f = fOf(n);
      const traitors = pickTraitors(rng, n, f, pLeader);
      return {
        seed,
        n,
        f,
        byzantine: [{ nodes: traitors, strategies: [strategy(rng, traitors)] }],
        endMs: 800,
      };
    },
  };
}

/**
 * A hand-written attack (also the worked example's shape): the traitor invents a second value
 * and sends one victim a proposal for it plus prepares and commits "from" every replica, signed
 * with its own key. Only a replica that skips signature checks is fooled.
 */
export const forgeQuorum = (victim: NodeId, n: number): AttackStrategy => (self) => {
  let sent = false;
  return (out, t) => {
    t.send(out.to, out.msg);
    if (sent || out.msg.type !== "propose" && out.msg.type !== "prepare") return;
    sent = true;
    const value = `forged-by-${self}`;
    const digest = digestOf(value);
    const fake = (signer: NodeId, type: BaMessage["type"]) => ({
      signer,
      digest: t.sign(signedData(type, digest)).digest,
    });
    t.send(victim, { type: "propose", leader: "n0", value, digest, sig: fake("n0", "propose") });
    for (const r of ids(n)) {
      t.send(victim, { type: "prepare", replica: r, digest, sig: fake(r, "prepare") });
      t.send(victim, { type: "commit", replica: r, digest, sig: fake(r, "commit") });
    }
  };
};

/**
 * A Byzantine leader that signs two proposals and sends both to every replica, in an order drawn
 * per replica: an honest replica must vote for only one.
 */
export const doublePropose: AttackStrategy = () => (out, t) => {
  if (out.msg.type !== "propose") return t.send(out.to, out.msg);
  const alt: BaPropose = conflictingProposal(out.msg, t);
  const [a, b] = t.rng.chance(0.5) ? [out.msg, alt] : [alt, out.msg];
  t.send(out.to, a);
  t.send(out.to, b, { delayMs: t.rng.uniform(0, 15) });
};

/** The battery's scenario names, in run order. */
export const BA_SCENARIO_NAMES = [
  "normal",
  "lossy",
  "partitions",
  "silent",
  "delay",
  "withholdVotes",
  "replay",
  "impersonate",
  "equivocate",
  "equivocate7",
  "forgeQuorum",
  "doublePropose",
  "twins",
  "coalition",
] as const;

/** A scenario name. */
export type BaScenarioName = typeof BA_SCENARIO_NAMES[number];

/** Random network faults for a seed (partitions, isolations, crashes, pauses) before `endMs`. */
export function randomNetworkSchedule(seed: number, n: number, endMs = 300): Schedule {
  return randomSchedule(`bft-battery/${seed}`, ids(n), {
    endMs,
    episodes: 6,
    kinds: ["partition", "isolate", "crash", "pause"],
    maxDurationMs: 200,
  });
}

/** Every scenario. */
export const BA_SCENARIOS: Readonly<Record<BaScenarioName, BaScenario>> = {
  normal: {
    describe: "no faults: every replica decides the leader's value",
    n: 4,
    traitors: "none",
    build: (seed) => ({ seed, n: 4, f: 1, endMs: 400 }),
  },
  lossy: {
    describe: "20 % loss, 10 % duplicates, reordering up to 100 ms: all decide (resends)",
    n: 4,
    traitors: "none",
    build: (seed) => ({
      seed,
      n: 4,
      f: 1,
      network: {
        latency: { kind: "uniform", minMs: 1, maxMs: 10 },
        lossRatio: 0.2,
        duplicateRatio: 0.1,
        reorderRatio: 0.2,
        reorderDelayMs: 100,
      },
      endMs: 1_000,
    }),
  },
  partitions: {
    describe: "random partitions, isolations, crash-restarts and pauses for 300 ms, then heal: " +
      "all decide within 600 ms",
    n: 4,
    traitors: "none",
    build: (seed) => ({
      seed,
      n: 4,
      f: 1,
      nemesis: randomNetworkSchedule(seed, 4),
      healAtMs: 500,
      endMs: 1_100,
    }),
  },
  silent: generic(
    "silent",
    7,
    "f = 2 of 7 replicas send nothing: the other n − f still decide (if the leader is honest)",
    () => ({ kind: "silent" }),
    0.3,
  ),
  delay: generic(
    "delay",
    4,
    "f replicas delay everything they send by 20–200 ms",
    (rng) => ({ kind: "delay", delayMs: Math.round(rng.uniform(20, 200)) }),
  ),
  withholdVotes: generic(
    "withholdVotes",
    4,
    "f replicas send no prepares or commits (to some or all peers)",
    (rng, t) =>
      rng.chance(0.5) ? { kind: "withholdVotes" } : {
        kind: "withholdVotes",
        towards: randomSide(rng, ids(4).filter((x) => !t.includes(x))),
      },
  ),
  replay: generic(
    "replay",
    4,
    "f replicas send every message again 5–300 ms later",
    (rng) => ({ kind: "replay", afterMs: Math.round(rng.uniform(5, 300)) }),
  ),
  impersonate: generic(
    "impersonate",
    4,
    "f replicas add forged votes claiming an honest replica's identity",
    (rng, t) => ({ kind: "impersonate", victim: rng.pick(ids(4).filter((x) => !t.includes(x))) }),
  ),
  equivocate: generic(
    "equivocate",
    4,
    "f replicas (the leader with probability ½) tell a random subset of peers a conflicting " +
      "proposal and votes",
    (rng, t) => ({
      kind: "equivocate",
      groupB: randomSide(rng, ids(4).filter((x) => !t.includes(x))),
    }),
  ),
  equivocate7: generic(
    "equivocate7",
    7,
    "as equivocate, with f = 2 of 7 colluding",
    (rng, t) => ({
      kind: "equivocate",
      groupB: randomSide(rng, ids(7).filter((x) => !t.includes(x))),
    }),
  ),
  forgeQuorum: {
    describe: "a traitor sends one victim a proposal and a quorum of votes for another value, " +
      "with signatures it cannot really make",
    n: 4,
    traitors: "≤ f",
    build(seed) {
      const rng = rngOf(seed, "forgeQuorum");
      const traitor = rng.pick(ids(4));
      const victim = rng.pick(ids(4).filter((x) => x !== traitor));
      return {
        seed,
        n: 4,
        f: 1,
        custom: { nodes: [traitor], strategy: forgeQuorum(victim, 4) },
        endMs: 600,
      };
    },
  },
  doublePropose: {
    describe: "the leader signs two proposals and sends both to everyone, in random order",
    n: 4,
    traitors: "≤ f",
    build: (seed) => ({
      seed,
      n: 4,
      f: 1,
      custom: { nodes: ["n0"], strategy: doublePropose },
      endMs: 600,
    }),
  },
  twins: {
    describe: "Twins: the leader runs twice (one key) under 2 rounds of 2-way partitions of 25 ms",
    n: 4,
    traitors: "twins",
    build(seed) {
      const space = twinsSpace({ n: 4, rounds: 2, partitions: 2 });
      const s = twinsScenarios(space, { count: 1, seed: `bft-battery/${seed}` }).next().value!;
      return { seed, n: 4, f: 1, twins: s, twinsWindowMs: 25, endMs: 600 };
    },
  },
  coalition: {
    describe: "beyond f: f + 1 traitors, the leader among them, equivocate together; a breach " +
      "must be accountable (≥ f + 1 culprits, all traitors)",
    n: 4,
    traitors: "beyond f",
    build(seed) {
      const rng = rngOf(seed, "coalition");
      const traitors = pickTraitors(rng, 4, 2, 1);
      const side = randomSide(rng, ids(4).filter((x) => !traitors.includes(x)));
      return {
        seed,
        n: 4,
        f: 1,
        byzantine: [{ nodes: traitors, strategies: [{ kind: "equivocate", groupB: side }] }],
        endMs: 600,
      };
    },
  },
};
