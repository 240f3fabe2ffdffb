/**
 * Properties of the acceptor and learner over generated inputs (fast-check, which shrinks a
 * failure to a minimal sequence): an acceptor's promise never goes down, it never accepts below
 * it, a restart rebuilds exactly the same state; a learner applies every slot once, in order,
 * whatever order decisions arrive in. And the one-slot safety of Paxos over generated message
 * schedules: however the network reorders, duplicates and drops, at most one value is chosen —
 * unless a proposer ignores phase 1, which fast-check then finds. Runs use fixed fast-check seeds
 * (a failure prints the seed and the shrunk counterexample to replay).
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { MemoryStorage } from "../../../lib/sim/storage.ts";
import { Acceptor } from "../../../lib/protocols/paxos/acceptor.ts";
import { Learner } from "../../../lib/protocols/paxos/learner.ts";
import {
  type Ballot,
  compareBallots,
  type LogValue,
} from "../../../lib/protocols/paxos/messages.ts";
import { PaxosInvariants } from "../../../lib/protocols/paxos/invariants.ts";
import { paxosCluster } from "./_helpers.ts";

// plain objects (fast-check records have a null prototype; storage returns plain copies)
const ballot = fc.tuple(fc.integer({ min: 1, max: 6 }), fc.constantFrom("n0", "n1", "n2"))
  .map(([round, proposerId]): Ballot => ({ round, proposerId }));
const step = fc.oneof(
  fc.record({
    kind: fc.constant("prepare" as const),
    ballot,
    fromSlot: fc.integer({ min: 1, max: 3 }),
  }),
  fc.record({
    kind: fc.constant("accept" as const),
    ballot,
    slot: fc.integer({ min: 1, max: 3 }),
    value: fc.constantFrom("A", "B", "C"),
  }),
  fc.record({ kind: fc.constant("restart" as const) }),
);

Deno.test("paxos property: an acceptor's promise only grows, it accepts nothing below it, restarts change nothing", () => {
  fc.assert(
    fc.property(fc.array(step, { maxLength: 40 }), (steps) => {
      const storage = new MemoryStorage();
      let a = new Acceptor(storage, () => {});
      let promised: Ballot = a.promised;
      for (const s of steps) {
        if (s.kind === "restart") {
          const before = { p: a.promised, acc: a.acceptedValues() };
          a = new Acceptor(storage, () => {});
          assert.deepEqual({ p: a.promised, acc: a.acceptedValues() }, before);
          continue;
        }
        const r = s.kind === "prepare"
          ? a.prepare(s.ballot, s.fromSlot)
          : a.accept(s.ballot, s.slot, { kind: "command", command: s.value });
        // P1a: it answers ok exactly when the ballot is not below its promise
        assert.equal(r.ok, compareBallots(s.ballot, promised) >= 0);
        assert.ok(compareBallots(a.promised, promised) >= 0, "the promise never goes down");
        promised = a.promised;
        for (const pv of a.acceptedValues()) {
          assert.ok(compareBallots(pv.ballot, a.promised) <= 0, "accepted at or below the promise");
        }
      }
    }),
    { numRuns: 300, seed: 42 },
  );
});

Deno.test("paxos property: a learner applies each slot once, in order, whatever the arrival order", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 25 }).chain((n) =>
        fc.tuple(fc.constant(n), fc.shuffledSubarray([...Array(n).keys()].map((i) => i + 1)))
      ),
      fc.array(fc.integer({ min: 1, max: 25 }), { maxLength: 10 }),
      ([n, order], dups) => {
        // `order`: some slots in some order; `dups`: repeats and late extras
        const applied: number[] = [];
        const l = new Learner(new MemoryStorage(), () => {}, {
          apply: (e) => applied.push(e.index),
        });
        l.start();
        const value = (s: number): LogValue =>
          s % 4 === 0 ? { kind: "noop" } : { kind: "command", command: s };
        const arrivals = [...order, ...dups.filter((d) => d <= n)];
        for (const s of arrivals) l.learn(s, value(s));
        const learned = new Set(arrivals);
        let prefix = 0;
        while (learned.has(prefix + 1)) prefix++;
        const expected = [...Array(prefix).keys()].map((i) => i + 1).filter((s) => s % 4 !== 0);
        assert.deepEqual(applied, expected);
        assert.equal(l.firstUnchosen, prefix + 1);
      },
    ),
    { numRuns: 300, seed: 42 },
  );
});

/** One slot, three proposers with values of their own, a hostile network and rolling crashes. */
function oneSlot(
  seed: number,
  lossRatio: number,
  duplicateRatio: number,
  backoff: "none" | "randomized",
  mistakeProposeOwnValue = false,
): PaxosInvariants {
  const c = paxosCluster({
    seed,
    nodes: 3,
    trace: { mode: "off" },
    throwOnBreach: false,
    paxos: { election: "none", backoff, mistakeProposeOwnValue },
    network: {
      latency: { kind: "uniform", minMs: 1, maxMs: 30 },
      lossRatio,
      duplicateRatio,
      reorderRatio: 0.2,
    },
    nemesis: [{ generator: "rollingCrashes", startMs: 10, endMs: 400, periodMs: 40, downMs: 15 }],
  });
  c.sim.at(0, () => {
    for (const id of c.nodes) c.node(id).submit(`value of ${id}`);
  });
  c.sim.run({ untilMs: 600 });
  return c.inv;
}

const schedule = fc.tuple(
  fc.integer({ min: 1, max: 1_000_000 }),
  fc.double({ min: 0, max: 0.4, noNaN: true }),
  fc.double({ min: 0, max: 0.3, noNaN: true }),
  fc.constantFrom("none" as const, "randomized" as const),
);

Deno.test("paxos property: one slot, three proposers, any seed and network: at most one value chosen", () => {
  let decided = 0;
  fc.assert(
    fc.property(schedule, ([seed, loss, dup, backoff]) => {
      const inv = oneSlot(seed, loss, dup, backoff);
      const chosen = inv.chosenValues(1);
      assert.ok(chosen.length <= 1, `seed=${seed}: ${JSON.stringify(chosen)}`);
      assert.deepEqual(inv.breaches, [], `seed=${seed}: ${inv.breach?.message}`);
      if (chosen.length) decided++;
    }),
    { numRuns: 60, seed: 42 },
  );
  assert.ok(decided >= 30, `only ${decided} of 60 runs chose a value: the property is too easy`);
});

Deno.test("paxos property: with mistakeProposeOwnValue fast-check finds two values chosen", () => {
  const out = fc.check(
    fc.property(schedule, ([seed, loss, dup, backoff]) => {
      const inv = oneSlot(seed, loss, dup, backoff, true);
      return inv.chosenValues(1).length <= 1;
    }),
    { numRuns: 200, seed: 5 },
  );
  assert.ok(out.failed, "no counterexample found in 200 runs");
  // the (shrunk) counterexample replays: two values chosen with the flag, at most one without it
  const [seed, loss, dup, backoff] = out.counterexample![0];
  const bad = oneSlot(seed, loss, dup, backoff, true).chosenValues(1);
  assert.equal(bad.length, 2, `seed=${seed}: ${JSON.stringify(bad)}`);
  assert.ok(oneSlot(seed, loss, dup, backoff).chosenValues(1).length <= 1);
});
