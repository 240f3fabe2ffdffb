/**
 * Shapiro et al. 2011 §2.3: an op-based object converges when concurrent effects commute
 * (causally ordered ones are applied in the same order everywhere by causal delivery).
 * Property: from a reachable state s, two updates prepared concurrently (both at s, at two
 * replicas) give the same state whichever effect is applied first.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  CrdtPreconditionError,
  type OpCrdt,
  opGCounter,
  opGSet,
  opLWWRegister,
  opMVRegister,
  opORSet,
  opPNCounter,
  opTwoPSet,
  stateEquals,
} from "@lab/protocols/crdt/mod.ts";

// deno-lint-ignore no-explicit-any
type AnyOpCrdt = OpCrdt<any, any, any, any>;

const element = fc.constantFrom("a", "b", "c");
const addRemove = fc.oneof(
  fc.record({ type: fc.constant("add" as const), e: element }),
  fc.record({ type: fc.constant("remove" as const), e: element }),
);
const CASES: { crdt: AnyOpCrdt; op: fc.Arbitrary<unknown> }[] = [
  { crdt: opGCounter, op: fc.record({ type: fc.constant("increment"), by: fc.nat(3) }) },
  {
    crdt: opPNCounter,
    op: fc.record({ type: fc.constantFrom("increment", "decrement"), by: fc.nat(3) }),
  },
  { crdt: opGSet, op: fc.record({ type: fc.constant("add"), e: element }) },
  { crdt: opTwoPSet, op: addRemove },
  { crdt: opORSet, op: addRemove },
  { crdt: opLWWRegister, op: fc.record({ type: fc.constant("assign"), x: fc.nat(4) }) },
  { crdt: opMVRegister, op: fc.record({ type: fc.constant("assign"), x: fc.nat(4) }) },
];
const REPLICAS = ["r0", "r1", "r2"];

interface Ctx {
  seq: number[];
}

function prepare(crdt: AnyOpCrdt, s: unknown, op: unknown, r: number, nowMs: number, c: Ctx) {
  try {
    return crdt.prepare(s, op, { replica: REPLICAS[r], nowMs, seq: ++c.seq[r] });
  } catch (e) {
    if (e instanceof CrdtPreconditionError) return undefined;
    throw e;
  }
}

const stepArb = (op: fc.Arbitrary<unknown>) =>
  fc.record({ r: fc.nat(REPLICAS.length - 1), op, nowMs: fc.nat(6) });

for (const { crdt, op } of CASES) {
  Deno.test(`crdt ${crdt.type}: concurrent effects commute`, () => {
    fc.assert(
      fc.property(
        fc.array(stepArb(op), { maxLength: 20 }),
        stepArb(op),
        stepArb(op),
        (history, u1, u2) => {
          // one replica's updates are sequential, never concurrent
          fc.pre(u1.r !== u2.r);
          const c: Ctx = { seq: REPLICAS.map(() => 0) };
          // a causal history applied everywhere: each update prepared at the state it follows
          let s = crdt.initial();
          for (const h of history) {
            const d = prepare(crdt, s, h.op, h.r, h.nowMs, c);
            if (d !== undefined) s = crdt.effect(s, d);
          }
          const d1 = prepare(crdt, s, u1.op, u1.r, u1.nowMs, c);
          const d2 = prepare(crdt, s, u2.op, u2.r, u2.nowMs, c);
          if (d1 === undefined || d2 === undefined) return;
          const s12 = crdt.effect(crdt.effect(s, d1), d2);
          const s21 = crdt.effect(crdt.effect(s, d2), d1);
          assert.ok(stateEquals(s12, s21), `${JSON.stringify(s12)} vs ${JSON.stringify(s21)}`);
          assert.deepEqual(crdt.value(s12), crdt.value(s21));
        },
      ),
      { numRuns: 300 },
    );
  });
}

Deno.test("crdt opORSet: a remove concurrent with an add of the same element loses (add wins)", () => {
  const m = (replica: string, seq: number) => ({ replica, nowMs: 0, seq });
  let s = opORSet.effect(
    opORSet.initial(),
    opORSet.prepare([], { type: "add", e: "x" }, m("r0", 1)),
  );
  const rm = opORSet.prepare(s, { type: "remove", e: "x" }, m("r1", 1));
  const add = opORSet.prepare(s, { type: "add", e: "x" }, m("r2", 1));
  s = opORSet.effect(opORSet.effect(s, rm), add);
  assert.deepEqual(opORSet.value(s), ["x"]);
});

Deno.test("crdt opMVRegister: concurrent assigns are both kept, a later assign replaces them", () => {
  const m = (replica: string, seq: number) => ({ replica, nowMs: 0, seq });
  const s0 = opMVRegister.initial();
  const a = opMVRegister.prepare(s0, { type: "assign", x: "a" }, m("r0", 1));
  const b = opMVRegister.prepare(s0, { type: "assign", x: "b" }, m("r1", 1));
  const s = opMVRegister.effect(opMVRegister.effect(s0, a), b);
  assert.deepEqual([...opMVRegister.value(s)].sort(), ["a", "b"]);
  const c = opMVRegister.prepare(s, { type: "assign", x: "c" }, m("r2", 1));
  assert.deepEqual(opMVRegister.value(opMVRegister.effect(s, c)), ["c"]);
});
