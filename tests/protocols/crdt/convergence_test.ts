/**
 * Strong eventual consistency on the simulator (Shapiro et al. 2011, §2): replicas updated on
 * both sides of a partition diverge, and once the network heals they all reach the same state:
 * state-based replicas by gossip (anti-entropy to random peers), op-based replicas by causal
 * broadcast, with causal delivery checked on every event.
 */
import assert from "node:assert/strict";
import { createCluster } from "@lab/net/mod.ts";
import { Rng } from "@lab/sim/rng.ts";
import type { Simulation } from "@lab/sim/simulation.ts";
import {
  CrdtPreconditionError,
  type OpCrdt,
  type OpCrdtMessage,
  OpCrdtNode,
  opGCounter,
  opGSet,
  opLWWRegister,
  opMVRegister,
  opORSet,
  opPNCounter,
  opTwoPSet,
  STATE_CRDTS,
  type StateCrdtMessage,
  StateCrdtNode,
  stateEquals,
} from "@lab/protocols/crdt/mod.ts";
import { CausalDeliveryChecker } from "@lab/protocols/causal/mod.ts";
import type { AnyStateCrdt } from "./_arbitraries.ts";

const PARTITION = [
  { atMs: 0, type: "partition", groups: [["n0", "n1"], ["n2", "n3", "n4"]] },
  { atMs: 2000, type: "heal" },
];
const NETWORK = {
  latency: { kind: "uniform" as const, minMs: 1, maxMs: 20 },
  lossRatio: 0.1,
  duplicateRatio: 0.05,
};

/** A random update for a CRDT type tag (removes pick a present element when there is one). */
function randomOp(type: string, rng: Rng, value: unknown): unknown {
  const e = `e${rng.int(0, 40)}`;
  if (/Counter/i.test(type)) {
    return {
      type: /pn/i.test(type) && rng.chance(0.4) ? "decrement" : "increment",
      by: rng.int(1, 3),
    };
  }
  if (/Register/i.test(type)) return { type: "assign", x: rng.int(0, 100) };
  if (/gSet/i.test(type)) return { type: "add", e };
  const present = value as string[];
  if (present.length && rng.chance(0.4)) return { type: "remove", e: rng.pick(present) };
  return { type: "add", e };
}

interface Replica {
  update(op: unknown): void;
  value(): unknown;
  readonly state: unknown;
}
// deno-lint-ignore no-explicit-any
type AnySim = Simulation<any>;
const replica = (sim: AnySim, id: string) => sim.instanceOf(id) as unknown as Replica;

function drive(
  sim: AnySim,
  nodes: readonly string[],
  type: string,
  seed: number,
) {
  const rng = new Rng(seed, "workload");
  for (let i = 0; i < 80; i++) {
    const id = nodes[rng.int(0, nodes.length - 1)];
    const pickRng = rng.fork(`op${i}`);
    sim.at(10 + i * 22, () => {
      const r = replica(sim, id);
      if (!r) return; // crashed
      try {
        r.update(randomOp(type, pickRng, r.value()));
      } catch (e) {
        if (!(e instanceof CrdtPreconditionError)) throw e;
      }
    });
  }
}

function assertConverged(sim: AnySim, nodes: readonly string[], what: string) {
  const states = nodes.map((id) => replica(sim, id).state);
  for (const [i, s] of states.entries()) {
    assert.ok(stateEquals(s, states[0]), `${what}: ${nodes[i]} differs from n0`);
  }
}

for (const crdt of Object.values(STATE_CRDTS) as AnyStateCrdt[]) {
  Deno.test(`crdt ${crdt.type}: state-based replicas converge by gossip after the partition heals`, () => {
    for (const seed of [1, 2, 3]) {
      const c = createCluster<StateCrdtMessage>({
        seed,
        nodes: 5,
        factory: (ctx) => new StateCrdtNode(ctx, crdt, { gossipIntervalMs: 50 }),
        network: NETWORK,
        nemesis: PARTITION,
        trace: { mode: "off" },
      });
      drive(c.sim, c.nodes, crdt.type, seed);
      c.sim.run({ untilMs: 1990 });
      const left = replica(c.sim, "n0").state, right = replica(c.sim, "n2").state;
      assert.ok(
        !stateEquals(left, right),
        `seed=${seed}: the two sides diverged during the partition`,
      );
      c.sim.run({ untilMs: 6000 });
      assertConverged(c.sim, c.nodes, `${crdt.type} seed=${seed}`);
    }
  });
}

// deno-lint-ignore no-explicit-any
const OP_CASES: OpCrdt<any, any, any, any>[] = [
  opGCounter,
  opPNCounter,
  opGSet,
  opTwoPSet,
  opORSet,
  opLWWRegister,
  opMVRegister,
];

for (const crdt of OP_CASES) {
  Deno.test(`crdt ${crdt.type}: op-based replicas over causal broadcast converge after the heal`, () => {
    for (const seed of [1, 2, 3]) {
      const c = createCluster<OpCrdtMessage<unknown>>({
        seed,
        nodes: 5,
        factory: (ctx) => new OpCrdtNode(ctx, crdt, { causal: { syncIntervalMs: 50 } }),
        network: NETWORK,
        nemesis: PARTITION,
        trace: { mode: "off" },
      });
      const checker = new CausalDeliveryChecker().attach(c.sim); // every event
      drive(c.sim, c.nodes, crdt.type.replace(/^op/, ""), seed);
      c.sim.run({ untilMs: 1990 });
      const left = replica(c.sim, "n0").state, right = replica(c.sim, "n2").state;
      assert.ok(
        !stateEquals(left, right),
        `seed=${seed}: the two sides diverged during the partition`,
      );
      c.sim.run({ untilMs: 6000 });
      assertConverged(c.sim, c.nodes, `${crdt.type} seed=${seed}`);
      assert.equal(checker.breach, undefined);
    }
  });
}

Deno.test("crdt: a state-based replica restarted after a crash keeps its state and converges", () => {
  const crdt = STATE_CRDTS.orSet as AnyStateCrdt;
  const c = createCluster<StateCrdtMessage>({
    seed: 9,
    nodes: 4,
    factory: (ctx) => new StateCrdtNode(ctx, crdt, { gossipIntervalMs: 50 }),
    network: NETWORK,
    nemesis: [{ atMs: 500, type: "crash", node: "n1" }, {
      atMs: 1500,
      type: "restart",
      node: "n1",
    }],
    trace: { mode: "off" },
  });
  drive(c.sim, c.nodes, crdt.type, 9);
  c.sim.run({ untilMs: 5000 });
  assertConverged(c.sim, c.nodes, "orSet with a crash");
});
