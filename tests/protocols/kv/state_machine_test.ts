/**
 * The key-value state machine: deterministic semantics, snapshot/restore equivalence, and client
 * sessions (thesis §6.3) making retries idempotent. Properties over generated command sequences
 * with fast-check.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import {
  type KvCommand,
  type KvOp,
  KvStateMachine,
  parseKvOp,
} from "../../../lib/protocols/kv/state_machine.ts";

const key = fc.constantFrom("a", "b", "c");
const val = fc.constantFrom("0", "1", "2", "x");
const op: fc.Arbitrary<KvOp> = fc.oneof(
  fc.record({ f: fc.constant("get" as const), key }),
  fc.record({ f: fc.constant("put" as const), key, value: val }),
  fc.record({ f: fc.constant("append" as const), key, value: val }),
  fc.record({ f: fc.constant("cas" as const), key, from: fc.option(val, { nil: null }), to: val }),
);
/** Commands from 3 clients with increasing sequence numbers per client. */
const commands = fc.array(fc.tuple(fc.integer({ min: 0, max: 2 }), op), { maxLength: 60 }).map(
  (xs) => {
    const seq = [0, 0, 0];
    return xs.map(([c, o]): KvCommand => ({ clientId: `p${c}`, seq: ++seq[c], op: o }));
  },
);

function run(cmds: readonly KvCommand[], sessions = true): KvStateMachine {
  const sm = new KvStateMachine({ sessions });
  for (const c of cmds) sm.apply(c);
  return sm;
}

Deno.test("kv state machine: get/put/append/cas semantics (missing key reads null)", () => {
  const sm = new KvStateMachine();
  assert.deepEqual(sm.execute({ f: "get", key: "x" }), { ok: true, value: null });
  assert.deepEqual(sm.execute({ f: "append", key: "x", value: "a" }), { ok: true });
  assert.deepEqual(sm.execute({ f: "append", key: "x", value: "b" }), { ok: true });
  assert.deepEqual(sm.execute({ f: "get", key: "x" }), { ok: true, value: "ab" });
  assert.deepEqual(sm.execute({ f: "cas", key: "x", from: "a", to: "z" }), {
    ok: false,
    error: "cas-mismatch",
    value: "ab",
  });
  assert.deepEqual(sm.execute({ f: "cas", key: "x", from: "ab", to: "z" }), { ok: true });
  assert.deepEqual(sm.execute({ f: "cas", key: "y", from: null, to: "1" }), { ok: true });
  assert.deepEqual(sm.entries(), [["x", "z"], ["y", "1"]]);
});

Deno.test("kv parseKvOp: Jepsen-style requests become operations or errors", () => {
  assert.deepEqual(parseKvOp("get", "k", null), { f: "get", key: "k" });
  assert.deepEqual(parseKvOp("put", "k", 3), { f: "put", key: "k", value: "3" });
  assert.deepEqual(parseKvOp("cas", "k", [null, "1"]), { f: "cas", key: "k", from: null, to: "1" });
  // refusals name what is wrong
  assert.equal(parseKvOp("cas", "k", ["1"]), "cas needs [from, to]");
  assert.equal(parseKvOp("cas", "k", [{}, "1"]), "cas needs string values");
  assert.equal(parseKvOp("put", "k", { no: 1 }), "put needs a string value");
  assert.equal(parseKvOp("append", "k", null), "append needs a string value");
  assert.equal(parseKvOp("delete", "k", null), 'unknown operation "delete"');
});

Deno.test("kv state machine: deterministic — replicas applying the same commands agree", () => {
  fc.assert(fc.property(commands, (cmds) => {
    assert.deepEqual(run(cmds).snapshot(), run(cmds).snapshot());
  }));
});

Deno.test("kv state machine §7: snapshot at any point, restore, continue = never snapshotting", () => {
  fc.assert(fc.property(commands, fc.nat(), (cmds, cut) => {
    const k = cmds.length ? cut % (cmds.length + 1) : 0;
    const a = run(cmds.slice(0, k));
    const b = new KvStateMachine();
    b.restore(structuredClone(a.snapshot()));
    for (const c of cmds.slice(k)) b.apply(c);
    assert.deepEqual(b.snapshot(), run(cmds).snapshot());
  }));
});

Deno.test("kv state machine thesis §6.3: with sessions, retried commands do not change the outcome", () => {
  fc.assert(fc.property(commands, fc.array(fc.nat(), { maxLength: 20 }), (cmds, dupAt) => {
    // a retry re-delivers a client's latest command right after it (or later, before its next)
    const withRetries: KvCommand[] = [];
    const dups = new Set(dupAt.map((d) => (cmds.length ? d % cmds.length : 0)));
    cmds.forEach((c, i) => {
      withRetries.push(c);
      if (dups.has(i)) withRetries.push(structuredClone(c));
    });
    const once = run(cmds);
    const retried = run(withRetries);
    assert.deepEqual(retried.entries(), once.entries());
    assert.equal(retried.duplicatesSuppressed, withRetries.length - cmds.length);
    // and a retry gets the same answer as the original
    const sm = new KvStateMachine();
    for (const c of cmds) {
      const first = sm.apply(c);
      const again = sm.apply(c);
      assert.deepEqual(again, { result: first.result, duplicate: true });
    }
  }));
});

Deno.test("kv state machine: without sessions a retried append is applied twice", () => {
  const c: KvCommand = { clientId: "p0", seq: 1, op: { f: "append", key: "x", value: "a" } };
  assert.equal(run([c, c], false).read("x"), "aa");
  assert.equal(run([c, c], true).read("x"), "a");
});

Deno.test("kv state machine thesis §6.3: a late retry of an older request (not the latest) is not re-executed", () => {
  // the retried copy of command i arrives after later commands of the same client were applied
  fc.assert(fc.property(commands, fc.array(fc.nat(), { maxLength: 20 }), (cmds, late) => {
    const withLate: KvCommand[] = cmds.slice();
    for (const l of late) {
      if (!cmds.length) break;
      const c = cmds[l % cmds.length];
      // re-deliver it at a random position after the original (after any number of successors)
      const orig = withLate.indexOf(c);
      const at = orig + 1 + (l % (withLate.length - orig));
      withLate.splice(at, 0, structuredClone(c));
    }
    const once = run(cmds);
    const retried = run(withLate);
    assert.deepEqual(retried.entries(), once.entries());
    assert.equal(retried.duplicatesSuppressed, withLate.length - cmds.length);
  }));
  // the smallest case: p0 appends "a" (seq 1), then "b" (seq 2); the seq 1 retry arrives last
  const a: KvCommand = { clientId: "p0", seq: 1, op: { f: "append", key: "x", value: "a" } };
  const b: KvCommand = { clientId: "p0", seq: 2, op: { f: "append", key: "x", value: "b" } };
  const sm = run([a, b, a]);
  assert.equal(sm.read("x"), "ab");
  assert.equal(sm.duplicatesSuppressed, 1);
});
