/**
 * Seed sweeps (TigerBeetle-style): for each seed, 3, 5 or 7 Paxos nodes on a lossy, duplicating,
 * reordering network run a safety phase under a generated fault schedule (lib/net partition
 * generators, rolling crashes, GC pauses, clock drift) with the invariants checked on every event
 * (agreement, stability, ballot uniqueness, learner validity), then a liveness phase: heal
 * everything and require a new value to be chosen within a bound. One seed in five runs without
 * leader election (two or three proposers with randomized back-off). Every failure names the seed
 * and the command that replays it.
 *
 * Replay one seed: `PAXOS_SEED=42 deno test -A tests/protocols/paxos/sweep_test.ts`
 */
import assert from "node:assert/strict";
import type { PaxosConfigInput } from "../../../lib/protocols/paxos/config.ts";
import { stableStringify } from "../../../lib/sim/trace.ts";
import { ballotKey } from "../../../lib/protocols/paxos/messages.ts";
import {
  leaderOf,
  networkGenerator,
  pausesAndDrift,
  paxosCluster,
  proposeContinuously,
  SWEEP_NETWORK,
} from "./_helpers.ts";

const ONLY = Deno.env.get("PAXOS_SEED");
const SEEDS = ONLY ? [Number(ONLY)] : Array.from({ length: 100 }, (_, i) => i + 1);
const FAULT_END_MS = 8_000;
const PROGRESS_BOUND_MS = 5_000;

const replay = (seed: number) =>
  `replay: PAXOS_SEED=${seed} deno test -A tests/protocols/paxos/sweep_test.ts`;

function configFor(seed: number, ids: readonly string[]): PaxosConfigInput {
  if (seed % 5 !== 0) return {};
  return { election: "none", proposers: ids.slice(0, 2 + (seed % 2)), backoff: "randomized" };
}

function sweepOne(seed: number): { chosen: number } {
  const size = [3, 5, 7][seed % 3];
  const ids = Array.from({ length: size }, (_, i) => `n${i}`);
  const paxos = configFor(seed, ids);
  const c = paxosCluster({
    seed,
    nodes: ids,
    trace: { mode: "off" },
    paxos,
    network: SWEEP_NETWORK,
    nemesis: [
      networkGenerator(seed, FAULT_END_MS),
      {
        generator: "rollingCrashes",
        startMs: 800,
        endMs: FAULT_END_MS,
        periodMs: 1_100,
        downMs: 600,
      },
      ...pausesAndDrift(seed, ids, FAULT_END_MS),
    ],
  });
  const what = `seed=${seed} nodes=${size} paxos=${JSON.stringify(paxos)}`;
  proposeContinuously(c.sim, 15, FAULT_END_MS);
  try {
    // safety phase: faults, invariants on every event
    c.sim.run({ untilMs: FAULT_END_MS });
    // liveness phase: heal everything; a value offered now must be chosen within the bound
    c.repairAll();
    const healedAt = c.sim.nowMs;
    let chosenAfterHeal = 0;
    c.sim.onEvent((e) => {
      if (e.event.type === "chosen") chosenAfterHeal++;
    });
    const probe = `probe@${healedAt}`;
    let offered = false;
    let offeredAt: string | undefined; // leader and ballot that took the probe
    const learnedProbe = () =>
      ids.some((id) => {
        const n = c.sim.instanceOf(id) ? c.node(id) : undefined;
        for (let s = 1; n && s < n.firstUnchosen; s++) {
          const v = n.valueAt(s);
          if (v?.kind === "command" && v.command === probe) return true;
        }
        return false;
      });
    c.sim.run({
      untilMs: healedAt + PROGRESS_BOUND_MS,
      until: () => {
        if (paxos.election === "none") {
          // the proposers still hold a backlog; progress is any new value chosen after the heal
          return chosenAfterHeal > 0;
        }
        if (offered && learnedProbe()) return true;
        // a stale leader may take the probe and then lose its slot to a no-op: offer it again
        // to every new leader (or new ballot) until some learner has it
        const l = leaderOf(c.sim);
        if (l === undefined) return false;
        const at = `${l}@${ballotKey(c.node(l).ballot)}`;
        if (at !== offeredAt && c.node(l).propose(probe).ok) {
          offered = true;
          offeredAt = at;
        }
        return false;
      },
    });
    assert.ok(
      paxos.election === "none" ? chosenAfterHeal > 0 : learnedProbe(),
      `no value chosen within ${PROGRESS_BOUND_MS} ms after heal, ${what}; ${replay(seed)}`,
    );
    // every pair of learners agrees on every slot both learned
    const nodes = ids.map((id) => c.node(id));
    const top = Math.max(...nodes.map((n) => n.firstUnchosen));
    for (let s = 1; s < top; s++) {
      const vals = new Set(
        nodes.map((n) => n.valueAt(s)).filter((v) => v).map((v) => stableStringify(v)),
      );
      assert.ok(vals.size <= 1, `learners disagree on slot ${s}, ${what}; ${replay(seed)}`);
    }
  } catch (e) {
    if (e instanceof Error && !e.message.includes("replay:")) {
      e.message = `${e.message}\n${what}; ${replay(seed)}`;
    }
    throw e;
  }
  assert.ok(c.inv.eventsChecked > 1_000, `too few events checked, ${what}`);
  return { chosen: c.inv.chosenSlots().length };
}

Deno.test(`paxos sweep: safety under generated faults, progress after heal (${SEEDS.length} seeds)`, () => {
  let chosen = 0;
  for (const seed of SEEDS) chosen += sweepOne(seed).chosen;
  assert.ok(chosen > SEEDS.length * 20, `only ${chosen} slots chosen over the sweep`);
});
