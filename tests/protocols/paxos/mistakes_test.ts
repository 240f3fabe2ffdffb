/**
 * Paxos's classic mistakes, each switched on by its named flag: first as a scripted three-node
 * scenario (the one notebook 05 shows), then found by a seed sweep with generated faults within a
 * bounded number of seeds. The same scripts and schedules without the flags stay safe.
 *
 * Replay one seed: `PAXOS_MISTAKE_SEED=7 deno test -A tests/protocols/paxos/mistakes_test.ts`
 */
import assert from "node:assert/strict";
import { mistakeScenario } from "../../../lib/experiments/consensus_mistakes.ts";
import type { PaxosConfigInput } from "../../../lib/protocols/paxos/config.ts";
import {
  networkGenerator,
  type PaxosCluster,
  paxosCluster,
  proposeContinuously,
  SWEEP_NETWORK,
} from "./_helpers.ts";

const ONLY = Deno.env.get("PAXOS_MISTAKE_SEED");
const replay = (seed: number) =>
  `replay: PAXOS_MISTAKE_SEED=${seed} deno test -A tests/protocols/paxos/mistakes_test.ts`;

for (const mistake of ["mistakeProposeOwnValue", "mistakeForgetPromiseOnCrash"] as const) {
  Deno.test(`paxos ${mistake}: the scripted scenario chooses two values; without it, one`, () => {
    const bad = mistakeScenario(mistake, true);
    assert.ok(
      bad.breaches.some((b) => b.invariant === "agreement"),
      `expected an agreement breach, got ${JSON.stringify(bad.breaches.map((b) => b.invariant))}`,
    );
    assert.deepEqual(bad.chosenInSlot1, ["A", "B"]);
    const learned = new Set(bad.acceptors.map((a) => a.learned).filter((x) => x !== "—"));
    assert.equal(learned.size, 2, "learners disagree");
    const good = mistakeScenario(mistake, false);
    assert.deepEqual(good.breaches, []);
    assert.equal(good.chosenInSlot1.length, 1);
  });
}

/**
 * A schedule that makes a mistake likely to show: for proposing one's own value, the general
 * sweep (leader changes under partitions and crashes); for forgetting a promise, three nodes,
 * no leader election (proposers overtake each other all the time), a "bridge" partition (two
 * proposers that reach each other only through the middle acceptor) and very frequent short
 * crashes, so an acceptor often crashes between promising a ballot and accepting at it.
 */
function mistakeRun(mistake: string, flag: boolean, seed: number): PaxosCluster {
  const forget = mistake === "mistakeForgetPromiseOnCrash";
  const endMs = forget ? 8_000 : 4_000;
  const paxos: PaxosConfigInput = forget
    ? { election: "none", backoff: "randomized", mistakeForgetPromiseOnCrash: flag }
    : { mistakeProposeOwnValue: flag };
  const c = paxosCluster({
    seed,
    nodes: forget ? 3 : [3, 5][seed % 2],
    trace: { mode: "off" },
    throwOnBreach: false,
    paxos,
    network: forget ? { latency: { kind: "uniform", minMs: 5, maxMs: 20 } } : SWEEP_NETWORK,
    nemesis: forget
      ? [
        { generator: "bridge", startMs: 0, endMs, periodMs: 1_000, faultMs: 900 },
        { generator: "rollingCrashes", startMs: 100, endMs, periodMs: 50, downMs: 5, jitterMs: 50 },
      ]
      : [
        networkGenerator(seed, endMs),
        { generator: "rollingCrashes", startMs: 300, endMs, periodMs: 300, downMs: 100 },
      ],
  });
  proposeContinuously(c.sim, 10, endMs);
  // stop at the first agreement breach (a stability breach, P2b, usually comes just before it)
  c.sim.run({
    untilMs: endMs,
    until: () => c.inv.breaches.some((b) => b.invariant === "agreement"),
  });
  return c;
}

const BOUND = { mistakeProposeOwnValue: 5, mistakeForgetPromiseOnCrash: 10 } as const;

for (const mistake of ["mistakeProposeOwnValue", "mistakeForgetPromiseOnCrash"] as const) {
  Deno.test(`paxos ${mistake}: a seed sweep with generated faults catches it within ${BOUND[mistake]} seeds`, () => {
    const seeds = ONLY ? [Number(ONLY)] : Array.from({ length: BOUND[mistake] }, (_, i) => i + 1);
    let caught: number | undefined;
    for (const seed of seeds) {
      const c = mistakeRun(mistake, true, seed);
      if (c.inv.breaches.some((b) => b.invariant === "agreement")) {
        caught = seed;
        const b = c.inv.breach!;
        assert.equal(b.seed, seed, "the breach names its seed");
        break;
      }
    }
    assert.ok(
      caught !== undefined,
      `${mistake} not caught in seeds ${seeds[0]}..${seeds.at(-1)}; ${replay(seeds[0])}`,
    );
    // control: the very same schedules without the flag are safe
    for (const seed of seeds.filter((s) => s <= caught!)) {
      const c = mistakeRun(mistake, false, seed);
      assert.deepEqual(
        c.inv.breaches.map((b) => b.invariant),
        [],
        `seed=${seed} without ${mistake}: ${c.inv.breach?.message}; ${replay(seed)}`,
      );
    }
  });
}
