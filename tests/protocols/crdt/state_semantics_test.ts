/** Each state-based CRDT's query semantics on small hand-made cases, and bad input. */
import assert from "node:assert/strict";
import { FakeContext } from "@lab/sim/fake_context.ts";
import { ConfigError } from "@lab/sim/errors.ts";
import {
  CrdtPreconditionError,
  CrdtTypeError,
  gCounter,
  gSet,
  lwwRegister,
  mergeChecked,
  mergeStates,
  mvRegister,
  type OpCrdtMessage,
  OpCrdtNode,
  opGCounter,
  orSet,
  pnCounter,
  type StateCrdtMessage,
  StateCrdtNode,
  twoPSet,
  type UpdateMeta,
} from "@lab/protocols/crdt/mod.ts";

const at = (replica: string, seq = 1, nowMs = 0): UpdateMeta => ({ replica, nowMs, seq });

Deno.test("crdt gCounter and pnCounter: value sums increments (minus decrements) across replicas", () => {
  const a = gCounter.update(gCounter.initial(), { type: "increment", by: 2 }, at("r0"));
  const b = gCounter.update(gCounter.initial(), { type: "increment" }, at("r1"));
  assert.equal(gCounter.value(gCounter.merge(a, b)), 3);
  let p = pnCounter.update(pnCounter.initial(), { type: "increment", by: 5 }, at("r0"));
  const q = pnCounter.update(pnCounter.initial(), { type: "decrement", by: 2 }, at("r1"));
  p = pnCounter.merge(p, q);
  assert.equal(pnCounter.value(p), 3);
  assert.equal(pnCounter.value(pnCounter.merge(p, q)), 3, "merging twice counts once");
});

Deno.test("crdt twoPSet: a removed element can never be added back (§3.3.2)", () => {
  let s = twoPSet.update(twoPSet.initial(), { type: "add", e: "x" }, at("r0"));
  s = twoPSet.update(s, { type: "remove", e: "x" }, at("r0", 2));
  s = twoPSet.update(s, { type: "add", e: "x" }, at("r0", 3));
  assert.deepEqual(twoPSet.value(s), []);
  assert.throws(
    () => twoPSet.update(twoPSet.initial(), { type: "remove", e: "y" }, at("r0")),
    CrdtPreconditionError,
  );
});

Deno.test("crdt orSet: an add concurrent with a remove wins; a re-add after remove works", () => {
  const base = orSet.update(orSet.initial(), { type: "add", e: "x" }, at("r0"));
  const removed = orSet.update(base, { type: "remove", e: "x" }, at("r1"));
  const readded = orSet.update(base, { type: "add", e: "x" }, at("r2"));
  assert.deepEqual(orSet.value(removed), []);
  assert.deepEqual(orSet.value(orSet.merge(removed, readded)), ["x"]);
  const again = orSet.update(removed, { type: "add", e: "x" }, at("r1", 2));
  assert.deepEqual(orSet.value(again), ["x"]);
});

Deno.test("crdt lwwRegister: the larger timestamp wins; a write after a merge beats what it saw", () => {
  const a = lwwRegister.update(lwwRegister.initial(), { type: "assign", x: "a" }, at("r0", 1, 100));
  const b = lwwRegister.update(lwwRegister.initial(), { type: "assign", x: "b" }, at("r1", 1, 50));
  const m = lwwRegister.merge(a, b);
  assert.equal(lwwRegister.value(m), "a");
  // r1's clock is behind, but its write after seeing "a" is stamped above it
  const c = lwwRegister.update(
    lwwRegister.merge(b, a),
    { type: "assign", x: "c" },
    at("r1", 2, 60),
  );
  assert.equal(lwwRegister.value(lwwRegister.merge(m, c)), "c");
});

Deno.test("crdt mvRegister: concurrent assignments are all returned until one overwrites them", () => {
  const a = mvRegister.update(mvRegister.initial(), { type: "assign", x: "a" }, at("r0"));
  const b = mvRegister.update(mvRegister.initial(), { type: "assign", x: "b" }, at("r1"));
  const m = mvRegister.merge(a, b);
  assert.deepEqual([...mvRegister.value(m)].sort(), ["a", "b"]);
  const c = mvRegister.update(m, { type: "assign", x: "c" }, at("r2"));
  assert.deepEqual(mvRegister.value(mvRegister.merge(m, c)), ["c"]);
});

Deno.test("crdt gSet: union", () => {
  const a = gSet.update(gSet.initial(), { type: "add", e: "x" }, at("r0"));
  const b = gSet.update(gSet.initial(), { type: "add", e: "y" }, at("r1"));
  assert.deepEqual(gSet.value(gSet.merge(a, b)), ["x", "y"]);
});

Deno.test("crdt bad input: merging CRDTs of different types names the field", () => {
  const g = gCounter.initial(), p = pnCounter.initial();
  assert.throws(() => mergeStates(g, p), (e: unknown) => {
    assert.ok(e instanceof CrdtTypeError);
    assert.equal(e.field, "type");
    assert.match(e.message, /field "type" is "gCounter" on the left and "pnCounter" on the right/);
    return true;
  });
  assert.throws(() => mergeChecked(gSet, gSet.initial(), orSet.initial()), /field "type"/);
  assert.throws(() => mergeChecked(gSet, gSet.initial(), 42), /field "type"/);
});

Deno.test("crdt bad input: a malformed state names the bad field", () => {
  assert.throws(
    () => mergeChecked(gCounter, gCounter.initial(), { type: "gCounter", P: { n1: -1 } }),
    (e: unknown) => e instanceof ConfigError && /gCounter state: P\.n1/.test(e.message),
  );
  assert.throws(
    () => mergeChecked(twoPSet, twoPSet.initial(), { type: "twoPSet", A: [] }),
    /twoPSet state: R/,
  );
});

Deno.test("crdt bad input: a replica receiving another type's state or effect throws, naming the field", () => {
  const ctx = new FakeContext<StateCrdtMessage>("n0", ["n1"]);
  const node = new StateCrdtNode(ctx, gCounter);
  assert.throws(
    () => node.onMessage("n1", { type: "state", state: pnCounter.initial(), reply: false }),
    CrdtTypeError,
  );
  const octx = new FakeContext<OpCrdtMessage<unknown>>("n0", ["n1"]);
  const onode = new OpCrdtNode(octx, opGCounter);
  assert.throws(
    () =>
      onode.onMessage("n1", {
        type: "data",
        origin: "n1",
        V: { n1: 1 },
        payload: { crdt: "opORSet", d: { add: { e: "x", tag: "n1:1" } } },
      }),
    /field "crdt" is "opGCounter" on the left and "opORSet" on the right/,
  );
});

Deno.test("crdt StateCrdtNode: gossip sends the state; a reply answers a sender that lacks something", () => {
  const ctx = new FakeContext<StateCrdtMessage>("n0", ["n1"]);
  const node = new StateCrdtNode(ctx, gCounter);
  node.start();
  assert.equal(ctx.timers.get("gossip"), 100);
  node.update({ type: "increment" });
  node.onTimer("gossip");
  assert.deepEqual(ctx.sent.at(-1), {
    to: "n1",
    msg: { type: "state", state: { type: "gCounter", P: { n0: 1 } }, reply: false },
  });
  ctx.sent.length = 0;
  node.onMessage("n1", { type: "state", state: { type: "gCounter", P: { n1: 2 } }, reply: false });
  assert.equal(node.value(), 3);
  assert.deepEqual(ctx.sent, [{
    to: "n1",
    msg: { type: "state", state: { type: "gCounter", P: { n0: 1, n1: 2 } }, reply: true },
  }]);
});
