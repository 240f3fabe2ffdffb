/**
 * Shapiro et al. 2011 §2.2: a state-based object whose states form a join semilattice, whose
 * merge is the least upper bound and whose updates are inflationary converges. Each law is a
 * fast-check property over states reached by random executions of three replicas.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { stateEquals } from "@lab/protocols/crdt/mod.ts";
import { execute, STATE_CASES, steps } from "./_arbitraries.ts";

const RUNS = { numRuns: 150 };

function threeStates(op: fc.Arbitrary<unknown>) {
  return fc.tuple(steps(op), fc.nat(), fc.nat(), fc.nat());
}

function pick<T>(xs: readonly T[], i: number): T {
  return xs[i % xs.length];
}

for (const { crdt, op } of STATE_CASES) {
  Deno.test(`crdt ${crdt.type}: merge is commutative, associative and idempotent`, () => {
    fc.assert(
      fc.property(threeStates(op), ([run, i, j, k]) => {
        const { reached } = execute(crdt, run);
        const a = pick(reached, i), b = pick(reached, j), c = pick(reached, k);
        assert.ok(stateEquals(crdt.merge(a, b), crdt.merge(b, a)), "commutative");
        assert.ok(
          stateEquals(crdt.merge(crdt.merge(a, b), c), crdt.merge(a, crdt.merge(b, c))),
          "associative",
        );
        assert.ok(stateEquals(crdt.merge(a, a), a), "idempotent");
      }),
      RUNS,
    );
  });

  Deno.test(`crdt ${crdt.type}: merge is the least upper bound of compare`, () => {
    fc.assert(
      fc.property(threeStates(op), ([run, i, j]) => {
        const { reached } = execute(crdt, run);
        const a = pick(reached, i), b = pick(reached, j);
        const m = crdt.merge(a, b);
        assert.ok(crdt.leq(a, m) && crdt.leq(b, m), "an upper bound");
        // a ≤ b exactly when joining a adds nothing to b
        assert.equal(crdt.leq(a, b), stateEquals(m, b), "compare agrees with merge");
      }),
      RUNS,
    );
  });

  Deno.test(`crdt ${crdt.type}: every update is inflationary`, () => {
    fc.assert(
      fc.property(steps(op), (run) => {
        execute(crdt, run, (before, after) => {
          assert.ok(crdt.leq(before, after), "s ≤ update(s)");
        });
      }),
      RUNS,
    );
  });

  Deno.test(`crdt ${crdt.type}: replicas that merged everything agree, in any merge order`, () => {
    fc.assert(
      fc.property(steps(op), fc.nat(5), (run, rot) => {
        const { replicas } = execute(crdt, run);
        const join = (xs: unknown[]) => xs.reduce((acc, x) => crdt.merge(acc, x));
        const order = replicas.map((_, i) => replicas[(i + rot) % replicas.length]);
        const reversed = [...order].reverse();
        assert.ok(stateEquals(join(order), join(reversed)));
        assert.deepEqual(crdt.value(join(order)), crdt.value(join(replicas)));
      }),
      RUNS,
    );
  });
}
