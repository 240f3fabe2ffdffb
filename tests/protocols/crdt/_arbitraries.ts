/** fast-check generators of CRDT updates and of reachable states, shared by the crdt tests. */
import fc from "fast-check";
import {
  CrdtPreconditionError,
  gCounter,
  gSet,
  lwwRegister,
  mvRegister,
  orSet,
  pnCounter,
  type StateCrdt,
  twoPSet,
} from "@lab/protocols/crdt/mod.ts";

export const REPLICAS = ["r0", "r1", "r2"] as const;

const element = fc.constantFrom("a", "b", "c");
const addRemove = fc.oneof(
  fc.record({ type: fc.constant("add" as const), e: element }),
  fc.record({ type: fc.constant("remove" as const), e: element }),
);

// deno-lint-ignore no-explicit-any
export type AnyStateCrdt = StateCrdt<any, any, any>;

/** Each state-based CRDT with a generator of its updates. */
export const STATE_CASES: { crdt: AnyStateCrdt; op: fc.Arbitrary<unknown> }[] = [
  { crdt: gCounter, op: fc.record({ type: fc.constant("increment"), by: fc.nat(3) }) },
  {
    crdt: pnCounter,
    op: fc.record({ type: fc.constantFrom("increment", "decrement"), by: fc.nat(3) }),
  },
  { crdt: gSet, op: fc.record({ type: fc.constant("add" as const), e: element }) },
  { crdt: twoPSet, op: addRemove },
  { crdt: orSet, op: addRemove },
  { crdt: lwwRegister, op: fc.record({ type: fc.constant("assign"), x: fc.nat(4) }) },
  { crdt: mvRegister, op: fc.record({ type: fc.constant("assign"), x: fc.nat(4) }) },
];

/** One step of a replicated execution: an update at a replica, or a merge from another. */
export interface Step {
  readonly r: number;
  readonly merge: boolean;
  readonly from: number;
  readonly op: unknown;
  readonly nowMs: number;
}

/** Executions of up to 30 steps over three replicas. */
export function steps(op: fc.Arbitrary<unknown>): fc.Arbitrary<Step[]> {
  return fc.array(
    fc.record({
      r: fc.nat(REPLICAS.length - 1),
      merge: fc.boolean(),
      from: fc.nat(REPLICAS.length - 1),
      op,
      nowMs: fc.nat(6), // small clock values: LWW timestamps collide and ties are exercised
    }),
    { maxLength: 30 },
  );
}

/**
 * Run an execution; returns every state it reached (the lattice laws are claims about
 * reachable states: §2.2 of the paper) and the final replica states. `onUpdate` sees each
 * update's before and after state.
 */
export function execute(
  crdt: AnyStateCrdt,
  run: readonly Step[],
  onUpdate?: (before: unknown, after: unknown) => void,
): { reached: unknown[]; replicas: unknown[] } {
  const replicas: unknown[] = REPLICAS.map(() => crdt.initial());
  const seq = REPLICAS.map(() => 0);
  const reached: unknown[] = [crdt.initial()];
  for (const s of run) {
    const before = replicas[s.r];
    let after = before;
    if (s.merge) {
      after = crdt.merge(before, replicas[s.from]);
    } else {
      try {
        after = crdt.update(before, s.op, {
          replica: REPLICAS[s.r],
          nowMs: s.nowMs,
          seq: ++seq[s.r],
        });
      } catch (e) {
        if (!(e instanceof CrdtPreconditionError)) throw e;
        continue;
      }
      onUpdate?.(before, after);
    }
    replicas[s.r] = after;
    reached.push(after);
  }
  return { reached, replicas };
}
