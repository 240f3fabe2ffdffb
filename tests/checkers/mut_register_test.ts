/**
 * Tests written to kill mutants of lib/checkers/_lin_register.ts and lib/checkers/_lin_witness.ts
 * (issue 15): the zones' exact answers (linearization order with its tie rules, conflicts and
 * reasons, writes of unknown outcome, histories that do not qualify), the register search's exact
 * outcome (steps, order, skipped writes, cache size, deepest prefix, value numbering of every kind
 * of key, the memory it charges and gives back), and the witness shrinking and explanation. Every
 * expected value is derived by hand from the definitions in those files, as each test's comments
 * say.
 */
import assert from "node:assert/strict";
import { registerModel } from "@lab/checkers/mod.ts";
import type { AnyModel } from "@lab/checkers/mod.ts";
import { checkRegisterZones, RegisterSearch } from "@lab/checkers/_lin_register.ts";
import { MemoryAccount, searchLinearization } from "@lab/checkers/_lin_search.ts";
import type { SearchOp, SearchOutcome } from "@lab/checkers/_lin_search.ts";
import { unknownOutput } from "@lab/checkers/_lin_model.ts";
import { explainStuck, shrinkWitness, witnessOps } from "@lab/checkers/_lin_witness.ts";
import type { ExplainedOp } from "@lab/checkers/_lin_witness.ts";
import { flakyCounter } from "./_helpers.ts";
import { boxedRegister, type Op, R, regSearch, W } from "./_mut_register_helpers.ts";

// ---------------------------------------------------------------------------------------------
// zones (checkRegisterZones)

const zones = (ops: Op[], model: AnyModel = registerModel()) => checkRegisterZones(model, ops);

Deno.test("zones: an empty history is linearized by the empty order", () => {
  assert.deepEqual(zones([]), { verdict: "ok", order: [], skipped: [] });
});

Deno.test("zones: a model without a register view does not qualify", () => {
  const plain: AnyModel = { ...registerModel(), registerView: undefined };
  assert.equal(zones([W(1, [0, 1])], plain), undefined);
});

Deno.test("zones: a read of a value nobody wrote is the whole conflict", () => {
  assert.deepEqual(zones([W(1, [0, 1]), R(5, [2, 3])]), {
    verdict: "illegal",
    conflict: [1],
    reason: "it reads a value never written",
  });
});

Deno.test("zones: a read that returns before its write starts conflicts with it, positions ascending", () => {
  const reason = "a read returns before the write of its value starts";
  // the write listed first, then the read; and the other way round
  assert.deepEqual(zones([W(1, [5, 6]), R(1, [0, 4])]), {
    verdict: "illegal",
    conflict: [0, 1],
    reason,
  });
  assert.deepEqual(zones([R(1, [0, 4]), W(1, [5, 6])]), {
    verdict: "illegal",
    conflict: [0, 1],
    reason,
  });
});

Deno.test("zones: a read whose return touches its write's invocation is concurrent with it", () => {
  // write 1 [5, 6], read 1 [0, 5]: one cluster, s = min completion = 5, f = max invocation = 5:
  // backward zone [5, 5]; both placed at 5, class 1, the write (r = 0) before the read (r = 1).
  assert.deepEqual(zones([W(1, [5, 6]), R(1, [0, 5])]), {
    verdict: "ok",
    order: [0, 1],
    skipped: [],
  });
});

Deno.test("zones: forward zones that only touch do not overlap; a late read goes before a write at its instant", () => {
  // ops: 0 read 2 [8, 9], 1 write 2 [4, 5], 2 read 1 [5, 6], 3 write 1 [0, 1].
  // Cluster of 1: s = 1 (its write), f = 5 (read at 5): forward (1, 5). Cluster of 2: s = 5, f = 8:
  // forward (5, 8). 5 < 5 is false: no overlap. Placement: write 1 at 1; read 1 at max(5, 1) = 5,
  // class 0 (5 ≠ s); write 2 at 5, class 2; read 2 at 8. At 5 the read (class 0) comes first.
  assert.deepEqual(zones([R(2, [8, 9]), W(2, [4, 5]), R(1, [5, 6]), W(1, [0, 1])]), {
    verdict: "ok",
    order: [3, 2, 1, 0],
    skipped: [],
  });
});

Deno.test("zones: overlapping forward zones conflict through their writes and zone-defining operations", () => {
  // ops: 0 read 2 [6, 7], 1 read 1 [10, 11], 2 write 2 [4, 5], 3 read 1 [1, 3], 4 write 1 [0, 3],
  // 5 read 1 [10, 12]. Cluster of 1, members [4, 1, 3, 5]: s = 3 first reached by op 4 (op 3
  // also completes at 3, not earlier), f = 10 first reached by op 1 (op 5 is invoked at 10 too,
  // not later): forward (3, 10). Cluster of 2, members [2, 0]: s = 5 (op 2), f = 6 (op 0):
  // forward (5, 6), which starts before 10. Witness: {4, 4, 1} ∪ {2, 2, 0}.
  assert.deepEqual(
    zones([
      R(2, [6, 7]),
      R(1, [10, 11]),
      W(2, [4, 5]),
      R(1, [1, 3]),
      W(1, [0, 3]),
      R(1, [10, 12]),
    ]),
    {
      verdict: "illegal",
      conflict: [0, 1, 2, 4],
      reason: "two values must both be the register's value at the same time",
    },
  );
});

Deno.test("zones: each forward zone is checked against the one reaching furthest so far", () => {
  // ops 0 write 1 [0, 1], 1 read 1 [2, 3]: forward (1, 2); 2 write 2 [2, 3], 3 read 2 [8, 9]:
  // (3, 8); 4 write 3 [3, 4], 5 read 3 [6, 7]: (4, 6). The first ends before the others start;
  // the third starts before the second ends. Witness {2, 2, 3} ∪ {4, 4, 5}.
  assert.deepEqual(
    zones([W(1, [0, 1]), R(1, [2, 3]), W(2, [2, 3]), R(2, [8, 9]), W(3, [3, 4]), R(3, [6, 7])]),
    {
      verdict: "illegal",
      conflict: [2, 3, 4, 5],
      reason: "two values must both be the register's value at the same time",
    },
  );
});

Deno.test("zones: forward zones starting together are taken by their ends; the first two conflict", () => {
  // ops 0..2 write 1, 2, 3, all [0, 2]; ops 3..5 read 1 [5, 6], read 2 [9, 10], read 3 [7, 8].
  // Every cluster has s = 2 (its write); f = 5, 9, 7. Sorted by start, then end: clusters of 1
  // (5), 3 (7), 2 (9); the second starts before the first ends. Witness: {0, 3} ∪ {2, 5}.
  assert.deepEqual(
    zones([W(1, [0, 2]), W(2, [0, 2]), W(3, [0, 2]), R(1, [5, 6]), R(2, [9, 10]), R(3, [7, 8])]),
    {
      verdict: "illegal",
      conflict: [0, 2, 3, 5],
      reason: "two values must both be the register's value at the same time",
    },
  );
});

Deno.test("zones: reads of the initial value make a forward zone from -∞ (virtual write, no position)", () => {
  // ops: 0 read nil [4, 5], 1 write 2 [10, 11], 2 write 1 [0, 1], 3 read 1 [2, 3].
  // Initial cluster: reads [0]: s = -∞ (its virtual write), f = 4 (op 0): forward (-∞, 4).
  // Cluster of 1: s = 1 (op 2), f = 2 (op 3): forward (1, 2), which starts before 4.
  // Witness: the initial cluster adds only op 0 (no write, no s operation); cluster of 1: 2, 3.
  // Cluster of 2 (backward [10, 11]) takes no part.
  assert.deepEqual(zones([R(null, [4, 5]), W(2, [10, 11]), W(1, [0, 1]), R(1, [2, 3])]), {
    verdict: "illegal",
    conflict: [0, 2, 3],
    reason: "two values must both be the register's value at the same time",
  });
});

Deno.test("zones: a backward zone inside a forward zone conflicts with it", () => {
  // ops: 0 write 2 [3, 5] (alone: s = 5, f = 3, backward [3, 5]), 1 read 1 [8, 9],
  // 2 write 1 [0, 1] (cluster of 1: forward (1, 8)). The forward zone starting last before 3 is
  // (1, 8), and 5 < 8: write 2 must take effect while the register holds 1.
  assert.deepEqual(zones([W(2, [3, 5]), R(1, [8, 9]), W(1, [0, 1])]), {
    verdict: "illegal",
    conflict: [0, 1, 2],
    reason: "a value is written and read entirely while another must be held",
  });
});

Deno.test("zones: a cluster whose zone is a single instant is a backward zone", () => {
  // ops 0 write 1 [0, 1], 1 read 1 [5, 6]: forward (1, 5). 2 write 2 [2, 3], 3 read 2 [3, 4]:
  // s = 3 (op 2) and f = 3 (op 3): not s < f, so a backward zone [3, 3], which lies inside
  // (1, 5). Witness {0, 0, 1} ∪ {2, 2, 3}.
  assert.deepEqual(zones([W(1, [0, 1]), R(1, [5, 6]), W(2, [2, 3]), R(2, [3, 4])]), {
    verdict: "illegal",
    conflict: [0, 1, 2, 3],
    reason: "a value is written and read entirely while another must be held",
  });
});

Deno.test("zones: a single-instant backward zone goes before a forward zone's write at that instant", () => {
  // ops 0 write 1 [0, 3], 1 read 1 [5, 6]: forward (3, 5), the write placed at 3 (class 2).
  // 2 write 2 [2, 3], 3 read 2 [3, 4]: backward [3, 3] (no forward zone starts before 3), both
  // placed at 3 with class 1: before write 1, which must come after them for read 1 at 5.
  assert.deepEqual(zones([W(1, [0, 3]), R(1, [5, 6]), W(2, [2, 3]), R(2, [3, 4])]), {
    verdict: "ok",
    order: [2, 3, 0, 1],
    skipped: [],
  });
});

Deno.test("zones: reads of the initial value are placed at their invocation; a later backward zone stays", () => {
  // ops 0 read nil [0, 1]: the initial cluster's forward zone (-∞, 0), its read at 0 (no write
  // to place). 1 write 1 [2, 3], 2 read 1 [4, 5]: forward (3, 4). 3 write 2 [6, 8]: backward
  // [6, 8]; the last forward zone starting before 6 ended at 4, so it stays at 6.
  assert.deepEqual(zones([R(null, [0, 1]), W(1, [2, 3]), R(1, [4, 5]), W(2, [6, 8])]), {
    verdict: "ok",
    order: [0, 1, 2, 3],
    skipped: [],
  });
});

Deno.test("zones: a backward zone ending where a forward zone ends is placed at that end", () => {
  // ops: 0 write 2 [3, 5] (backward [3, 5]), 1 read 1 [5, 6], 2 write 1 [0, 1]: forward (1, 5).
  // 5 < 5 is false: legal. The backward cluster's instant f = 3 falls inside (1, 5), so it moves
  // to 5 (class 1), after the forward zone's read placed at 5 (class 0).
  assert.deepEqual(zones([W(2, [3, 5]), R(1, [5, 6]), W(1, [0, 1])]), {
    verdict: "ok",
    order: [2, 1, 0],
    skipped: [],
  });
});

Deno.test("zones: a backward zone starting where a forward zone starts is not inside it", () => {
  // ops: 0 write 1 [0, 2], 1 read 1 [8, 9]: forward (2, 8). 2 write 2 [2, 4]: backward [2, 4].
  // The forward zones starting before 2: none (the zone starting at 2 does not count), so write 2
  // stays at 2, class 1, before write 1 placed at 2 with class 2.
  assert.deepEqual(zones([W(1, [0, 2]), R(1, [8, 9]), W(2, [2, 4])]), {
    verdict: "ok",
    order: [2, 0, 1],
    skipped: [],
  });
});

Deno.test("zones: clusters placed at the same instant and class go in cluster order, reads by position", () => {
  // ops: 0 write 3 [3, 6], 1 write 2 [3, 5]: two lone writes, backward [3, 6] and [3, 5], both
  // placed at f = 3, class 1; cluster numbers follow the writes' positions (op 0 first).
  assert.deepEqual(zones([W(3, [3, 6]), W(2, [3, 5])]), {
    verdict: "ok",
    order: [0, 1],
    skipped: [],
  });
  // ops: 0 write 2 [3, 6], 1 read 2 [3, 7]: backward [3, 6]; 2 write 3 [3, 5]: backward [3, 5].
  // All three at 3, class 1: the first cluster whole (its write, then its read), then the second.
  assert.deepEqual(zones([W(2, [3, 6]), R(2, [3, 7]), W(3, [3, 5])]), {
    verdict: "ok",
    order: [0, 1, 2],
    skipped: [],
  });
  // ops: 0 read 1 [2, 5], 1 read 1 [1, 4], 2 write 1 [0, 3], 3 read 1 [7, 8]: forward (3, 7);
  // the write at 3, reads 0 and 1 at max(invoke, 3) = 3 (class 2 with the write), read 3 at 7.
  assert.deepEqual(zones([R(1, [2, 5]), R(1, [1, 4]), W(1, [0, 3]), R(1, [7, 8])]), {
    verdict: "ok",
    order: [2, 0, 1, 3],
    skipped: [],
  });
});

Deno.test("zones: writes of unknown outcome nobody read go last; those with a deadline are skipped", () => {
  // ops: 0 write 7 unknown (no deadline), 1 write 1 [2, 3], 2 read 1 [4, 5], 3 write 8 unknown
  // with deadline 9. Writes 7 and 8 have no reads: the tail [0, 3] (cluster order), after the
  // placed write 1 (at 3) and read 1 (at 4). Only the one with a deadline may not take effect.
  const ops = [
    W(7, [0, Infinity], false),
    W(1, [2, 3]),
    R(1, [4, 5]),
    W(8, [6, 9], false),
  ];
  assert.deepEqual(zones(ops), { verdict: "ok", order: [1, 2, 0, 3], skipped: [3] });
  // a read of unknown outcome is left out of the order
  assert.deepEqual(zones([R(unknownOutput, [0, 1]), W(1, [2, 3])]), {
    verdict: "ok",
    order: [1],
    skipped: [],
  });
});

Deno.test("zones: a write of unknown outcome that someone read is placed like any write", () => {
  // ops: 0 write 1 unknown [0, ∞), 1 read 1 [2, 3]: cluster of 1, s = 3 (the read; the write's
  // completion is ∞), f = 2 (the read): backward [2, 3]: both at 2, the write first.
  assert.deepEqual(zones([W(1, [0, Infinity], false), R(1, [2, 3])]), {
    verdict: "ok",
    order: [0, 1],
    skipped: [],
  });
});

Deno.test("zones: without readOnly an operation of unknown outcome is not taken as a read", () => {
  // model.readOnly missing: `readOnly?.(…) ?? false`, so the unknown write is kept (tail, no
  // deadline: not skipped) and an unknown read has no register access (does not qualify)
  const noReadOnly: AnyModel = { ...registerModel(), readOnly: undefined };
  assert.deepEqual(zones([W(7, [0, Infinity], false)], noReadOnly), {
    verdict: "ok",
    order: [0],
    skipped: [],
  });
  assert.equal(zones([R(unknownOutput, [0, 1])], noReadOnly), undefined);
});

Deno.test("zones: values written twice, or the initial value written, do not qualify", () => {
  assert.equal(zones([W(1, [0, 1]), W(1, [2, 3])]), undefined);
  assert.equal(zones([W(null, [0, 1])]), undefined);
  // a model whose initial value is 0: writing 0 does not qualify, writing null does
  assert.equal(zones([W(0, [0, 1])], registerModel({ initial: 0 })), undefined);
  assert.deepEqual(zones([W(null, [0, 1])], registerModel({ initial: 0 })), {
    verdict: "ok",
    order: [0],
    skipped: [],
  });
});

Deno.test("zones: the certificate is replayed through the model; a refusal hands the history back", () => {
  // a model refusing every write: the placed write fails the replay
  const refuses: AnyModel = { ...registerModel(), step: () => undefined };
  assert.equal(zones([W(1, [0, 1])], refuses), undefined);
  // the unknown tail is replayed too (a write without a deadline is taken as applied)
  assert.equal(zones([W(1, [0, Infinity], false)], refuses), undefined);
  // a tail write with a deadline is skipped, not replayed
  assert.deepEqual(zones([W(1, [0, 9], false)], refuses), {
    verdict: "ok",
    order: [0],
    skipped: [0],
  });
});

Deno.test("zones: an operation whose interval is inverted cannot be placed inside it", () => {
  // write 1 [5, 3] (invoked after it completes) alone: s = 3 < f = 5, a forward zone; the write
  // is placed at s = 3, before its invocation: the certificate fails
  assert.equal(zones([W(1, [5, 3])]), undefined);
  // read 1 [5, 3] of write 1 [0, 1]: s = 1, f = 5: the read is placed at max(5, 1) = 5, after
  // its completion
  assert.equal(zones([W(1, [0, 1]), R(1, [5, 3])]), undefined);
});

// ---------------------------------------------------------------------------------------------
// the register search (searchRegister, RegisterSearch)

Deno.test("register search: a spent memory account answers unknown with nothing found", () => {
  const out = regSearch([W(1, [0, 1])], { space: new RegisterSearch(new MemoryAccount(0)) });
  assert.deepEqual(out, {
    verdict: "unknown",
    steps: 0,
    order: [],
    skipped: [],
    cacheSize: 0,
    bestDepth: 0,
    outOfMemory: true,
  });
  // room for the operations' arrays (32 bytes × 64 operations) but not for the cache
  const memory = new MemoryAccount(2048 + 100);
  const half = regSearch([W(1, [0, 1])], { space: new RegisterSearch(memory) });
  assert.equal(half?.verdict, "unknown");
  assert.equal(half?.outOfMemory, true);
  assert.deepEqual(half?.order, []);
});

Deno.test("register search: models without keys or without readOnly do not qualify", () => {
  const honest = registerModel();
  const noKeys: AnyModel = {
    ...honest,
    registerView: { ...honest.registerView!, keys: undefined },
  };
  const noReadOnly: AnyModel = { ...honest, readOnly: undefined };
  assert.equal(regSearch([W(1, [0, 1])], { model: noKeys }), undefined);
  const noView: AnyModel = { ...honest, registerView: undefined };
  assert.equal(regSearch([W(1, [0, 1])], { model: noView }), undefined);
  assert.equal(regSearch([W(1, [0, 1])], { model: noReadOnly }), undefined);
});

Deno.test("register search: one write is linearized in one step", () => {
  assert.deepEqual(regSearch([W(1, [0, 1])]), {
    verdict: "ok",
    steps: 1,
    order: [0],
    skipped: [],
    cacheSize: 1,
    bestDepth: 1,
    outOfMemory: false,
  });
});

Deno.test("register search: a read of a value nobody wrote is illegal after one backtrack", () => {
  // entries c0 r0 c1 r1. 1: call 0 (write 1, taken, cached). 2: call 1 (read 2 in state 1:
  // refused). 3: return 1 with its call pending: deepest prefix 1, undo write 1. 4: return 0
  // pending at depth 0: illegal.
  assert.deepEqual(regSearch([W(1, [0, 1]), R(2, [2, 3])]), {
    verdict: "illegal",
    steps: 4,
    order: [],
    skipped: [],
    cacheSize: 1,
    bestDepth: 1,
    outOfMemory: false,
  });
  // a lone bad read: refused, then its own return at depth 0
  assert.deepEqual(regSearch([R(5, [0, 1])]), {
    verdict: "illegal",
    steps: 2,
    order: [],
    skipped: [],
    cacheSize: 0,
    bestDepth: 0,
    outOfMemory: false,
  });
});

Deno.test("register search: a write that must go second is found after backtracking", () => {
  // ops 0 write 1 [0, 10], 1 write 2 [1, 3], 2 read 1 [4, 5]; entries c0 c1 r1 c2 r2 r0.
  // 1 c0 taken ({0}, 1). 2 c1 taken ({0,1}, 2). 3 c2 read 1 in 2: refused. 4 r2: undo op 1.
  // 5 r1: undo op 0. 6 c1 taken ({1}, 2). 7 c0 taken ({0,1}, 1). 8 c2 taken ({0,1,2}, 1): done.
  // Five configurations cached, one per taken step.
  assert.deepEqual(regSearch([W(1, [0, 10]), W(2, [1, 3]), R(1, [4, 5])]), {
    verdict: "ok",
    steps: 8,
    order: [1, 0, 2],
    skipped: [],
    cacheSize: 5,
    bestDepth: 3,
    outOfMemory: false,
  });
});

Deno.test("register search: a write of unknown outcome with a deadline may not have taken effect", () => {
  // ops 0 write 1 [0, 1], 1 write 2 unknown, deadline 3, 2 read 1 [4, 5]; entries c0 r0 c1 r1 c2
  // r2. 1 c0 taken. 2 c1 taken ({0,1}, 2). 3 c2 read 1 in 2: refused. 4 r2: undo op 1, which
  // has a deadline: retried as not taking effect ({0,1}, 1, new). 5 c2 taken: done.
  assert.deepEqual(regSearch([W(1, [0, 1]), W(2, [2, 3], false), R(1, [4, 5])]), {
    verdict: "ok",
    steps: 5,
    order: [0, 1, 2],
    skipped: [1],
    cacheSize: 4,
    bestDepth: 3,
    outOfMemory: false,
  });
});

Deno.test("register search: a write of unknown outcome without a deadline is only ever applied", () => {
  // ops 0 write 1 [0, 1], 1 write 2 unknown (no deadline: its return is at ∞), 2 read 1 [4, 5];
  // entries c0 r0 c1 c2 r2 r1. 1 c0 taken. 2 c1 taken ({0,1}, 2). 3 c2 refused. 4 r2: undo op 1
  // (no deadline: no "not taken" retry), then from its call the next entry is c2. 5 c2 taken
  // ({0,2}, 1). 6 c1 taken ({0,1,2}, 2): done, op 1 applied last.
  assert.deepEqual(regSearch([W(1, [0, 1]), W(2, [2, Infinity], false), R(1, [4, 5])]), {
    verdict: "ok",
    steps: 6,
    order: [0, 2, 1],
    skipped: [],
    cacheSize: 4,
    bestDepth: 3,
    outOfMemory: false,
  });
  // a read of unknown outcome is dropped: nothing to linearize, no step
  assert.deepEqual(regSearch([R(unknownOutput, [0, 1])]), {
    verdict: "ok",
    steps: 0,
    order: [],
    skipped: [],
    cacheSize: 0,
    bestDepth: 0,
    outOfMemory: false,
  });
});

Deno.test("register search: a step budget stops it with unknown and no prefix yet", () => {
  // the history of "a write that must go second": steps 1 and 2 take both writes, step 3 refuses
  // the read; no return was reached yet, so the deepest prefix is reported as 0
  assert.deepEqual(regSearch([W(1, [0, 10]), W(2, [1, 3]), R(1, [4, 5])], { maxSteps: 3 }), {
    verdict: "unknown",
    steps: 3,
    order: [],
    skipped: [],
    cacheSize: 2,
    bestDepth: 0,
    outOfMemory: false,
  });
});

/** Sequential pairs: write v, then read v, for each value (2k operations, k values). */
function writeReadPairs(values: readonly RegisterValueKey[]): Op[] {
  return values.flatMap((v, i) => [W(v, [4 * i, 4 * i + 1]), R(v, [4 * i + 2, 4 * i + 3])]);
}
type RegisterValueKey = number | string | boolean | null;

Deno.test("register search: every kind of key gets its own value number", () => {
  // Small non-negative integers go through an array of 2 · 64 + 64 = 192 slots (a fresh space for
  // fewer than 33 operations); negative, fractional, large (192 and more) numbers and other
  // primitives through a Map. Each value must get one number: otherwise a read is taken for a
  // different value than the write's, the model disagrees and the search declines (undefined).
  const values: RegisterValueKey[] = [0, 5, 191, 192, 1e6, -3, 2.5, "5", "x", true, false];
  const ops = writeReadPairs(values);
  const n = ops.length;
  assert.deepEqual(regSearch(ops), {
    verdict: "ok",
    steps: n,
    order: ops.map((_, i) => i),
    skipped: [],
    cacheSize: n,
    bestDepth: n,
    outOfMemory: false,
  });
  // a value read that is the written one only by another kind of key (5 vs "5") is refused
  assert.equal(regSearch([W(5, [0, 1]), R("5", [2, 3])])?.verdict, "illegal");
});

Deno.test("register search: the initial value is number 0, whatever kind of key it has", () => {
  // a read of the initial value first, then a write and a read of it: 3 steps, ok. If the
  // initial value were numbered differently from the read's key, the model (which reads the
  // initial value) would disagree and the search would decline.
  for (const initial of [0, 7, 191, 192, 1e6, -1, 2.5, "x", true]) {
    const model = registerModel({ initial });
    const out = regSearch([R(initial, [0, 1]), W(99, [2, 3]), R(99, [4, 5])], { model });
    assert.deepEqual(out, {
      verdict: "ok",
      steps: 3,
      order: [0, 1, 2],
      skipped: [],
      cacheSize: 3,
      bestDepth: 3,
      outOfMemory: false,
    }, `initial ${String(initial)}`);
  }
});

Deno.test("register search: states equal by the model but not identical are the same value", () => {
  // boxed states: the read's step returns a new object equal to the one the write reached
  assert.deepEqual(regSearch([W(1, [0, 1]), R(1, [2, 3])], { model: boxedRegister() }), {
    verdict: "ok",
    steps: 2,
    order: [0, 1],
    skipped: [],
    cacheSize: 2,
    bestDepth: 2,
    outOfMemory: false,
  });
});

Deno.test("register search: keys that do not describe the model give the partition back, memory refunded", () => {
  // every value under key 0, the initial value's: the model takes write 1 to 1, not to the
  // initial nil, so the first step disagrees
  const honest = registerModel();
  const liar: AnyModel = {
    ...honest,
    registerView: { ...honest.registerView!, keys: { initial: 0, of: () => 0 } },
  };
  const memory = new MemoryAccount(1e9);
  const space = new RegisterSearch(memory);
  assert.equal(regSearch([W(1, [0, 1]), R(1, [2, 3])], { model: liar, space }), undefined);
  assert.equal(memory.used, 0);
  // a value without a key (a vector) is declined before searching, memory refunded too
  assert.equal(regSearch([W([1, 2], [0, 1])], { space }), undefined);
  assert.equal(memory.used, 0);
});

Deno.test("register search: the memory it charges, keeps for the next partition, and gives back", () => {
  // reset(1) on a fresh space: arrays for max(2 · 1, 64) = 64 operations at 32 bytes (2048) and a
  // cache of max(64, 0) = 64 entries at 28 + 8 bytes (2304)
  const memory = new MemoryAccount(1e9);
  const space = new RegisterSearch(memory);
  assert.equal(regSearch([W(1, [0, 1])], { space })?.verdict, "ok");
  assert.equal(memory.used, 2048 + 2304);
  // 64 operations: the arrays (64) are reused; the cache needs 64 + 64/8 = 72 entries or more:
  // doubled to 128 (36 · 128 = 4608 more)
  const writes = Array.from({ length: 64 }, (_, i) => W(i + 1, [2 * i, 2 * i + 1]));
  assert.deepEqual(regSearch(writes, { space }), {
    verdict: "ok",
    steps: 64,
    order: writes.map((_, i) => i),
    skipped: [],
    cacheSize: 64,
    bestDepth: 64,
    outOfMemory: false,
  });
  assert.equal(memory.used, 2048 + 2304 + 4608);
  // a declined partition that needed no growth gives back nothing and keeps the arrays
  assert.equal(regSearch([W([1], [0, 1])], { space }), undefined);
  assert.equal(memory.used, 2048 + 2304 + 4608);
  assert.equal(regSearch([W(1, [0, 1]), R(1, [2, 3])], { space })?.verdict, "ok");
  assert.equal(memory.used, 2048 + 2304 + 4608);
  // 200 operations: arrays for 400 (12800 bytes) and a cache of 256 entries (9216 bytes)
  const more = Array.from({ length: 200 }, (_, i) => W(i + 1, [2 * i, 2 * i + 1]));
  assert.equal(regSearch(more, { space })?.steps, 200);
  assert.equal(memory.used, 2048 + 2304 + 4608 + 12800 + 9216);
});

Deno.test("register search: a fresh space sized for 64 operations is charged once", () => {
  // reset(64) on a fresh space: arrays for max(128, 64) = 128 operations (4096 bytes), a cache of
  // 128 entries (64 < 72: doubled from 64; 4608 bytes)
  const memory = new MemoryAccount(1e9);
  const writes = Array.from({ length: 64 }, (_, i) => W(i + 1, [2 * i, 2 * i + 1]));
  assert.equal(regSearch(writes, { space: new RegisterSearch(memory) })?.verdict, "ok");
  assert.equal(memory.used, 4096 + 4608);
});

// ---------------------------------------------------------------------------------------------
// witnesses (_lin_witness.ts)

/** `op` with its result forgotten (unknown outcome, its completion kept as a deadline). */
const forgot = (op: Op): Op => ({ ...op, output: unknownOutput });

/** Steps the search takes to decide `ops` (as shrinkWitness's checks run it). */
const stepsOf = (ops: Op[]) =>
  searchLinearization(registerModel(), ops, 1e9, { record: false }).steps;

Deno.test("witnessOps: context that cannot matter is left out, the rest loses its results", () => {
  const ops = [
    W(1, [0, 1]), // 0 critical
    W(2, [2, 3]), // 1 context: kept (a write invoked before the critical ones all completed)
    R(1, [4, 5]), // 2 critical: the last completion is 5
    R(2, [1, 2]), // 3 context: a read, left out
    W(3, [6, 7]), // 4 context: invoked at 6, after 5, left out
    W(4, [5, 9]), // 5 context: invoked at 5, not after 5, kept
  ];
  const out = witnessOps(registerModel(), ops, [2, 0], [5, 3, 1, 4]);
  assert.deepEqual(out.positions, [0, 1, 2, 5]);
  assert.deepEqual(out.context, [5, 1]); // in the order given
  assert.deepEqual(out.ops, [ops[0], forgot(ops[1]), ops[2], forgot(ops[5])]);
  assert.equal(out.ops[0], ops[0]); // critical operations are passed as they are
  // a model without readOnly keeps context reads (nothing says they are reads)
  const noReadOnly: AnyModel = { ...registerModel(), readOnly: undefined };
  assert.deepEqual(witnessOps(noReadOnly, ops, [2, 0], [3]).positions, [0, 2, 3]);
  // no critical operation: nothing completes, so no context is relevant
  assert.deepEqual(witnessOps(registerModel(), ops, [], [1, 5]), {
    positions: [],
    ops: [],
    context: [],
  });
});

Deno.test("shrinkWitness: a stale read keeps the write it missed and its read; the first write is context", () => {
  // ops 0 write 1 [0, 1], 1 write 2 [2, 3], 2 read 1 [4, 5]: illegal (2 overwrote 1 before 4).
  // Phase 1, reads: forgetting read 2 leaves writes 0, 1 (ok): kept. All: chunk 2 — forget 1, 2:
  // [write 1] ok, rejected; chunk [0]: forget write 1 (kept as context with deadline 1): still
  // illegal, accepted. Chunk 1 — forget 2: [w1?, w2] ok; forget 1: [w1?, w2?, r1] ok. Phase 2:
  // drop context 0: then forgetting 1 must make it ok, but [w2?, r1] is illegal: 0 stays.
  const ops = [W(1, [0, 1]), W(2, [2, 3]), R(1, [4, 5])];
  const [w1, w2, r1] = ops;
  const phase1 = [[w1, w2], [w1], [forgot(w1), w2, r1], [forgot(w1), w2], [
    forgot(w1),
    forgot(w2),
    r1,
  ]].reduce((a, h) => a + stepsOf(h), 0);
  const phase2 = stepsOf([forgot(w2), r1]);
  const total = phase1 + phase2;
  const full = shrinkWitness(registerModel(), ops, 1e9);
  assert.deepEqual(full, { critical: [1, 2], context: [0], minimal: true, steps: total });
  // the same checks with a budget of exactly their steps: all decided, but the budget is spent,
  // so the result is not claimed minimal; one step more and it is
  assert.deepEqual(shrinkWitness(registerModel(), ops, total), { ...full, minimal: false });
  assert.deepEqual(shrinkWitness(registerModel(), ops, total + 1), full);
  // a budget spent by phase 1: phase 2 does not run
  assert.deepEqual(shrinkWitness(registerModel(), ops, phase1), {
    critical: [1, 2],
    context: [0],
    minimal: false,
    steps: phase1,
  });
  // one step into phase 2: its only check is cut short (undecided), so the context stays
  assert.deepEqual(shrinkWitness(registerModel(), ops, phase1 + 1), {
    critical: [1, 2],
    context: [0],
    minimal: false,
    steps: phase1 + 1,
  });
  // a budget of one step: the first check (writes 0 and 1, two steps) is undecided, nothing is
  // forgotten, and shrinking stops
  assert.deepEqual(shrinkWitness(registerModel(), ops, 1), {
    critical: [0, 1, 2],
    context: [],
    minimal: false,
    steps: 1,
  });
});

Deno.test("shrinkWitness: a frontier hint forgets what was invoked after the earliest stuck return", () => {
  // ops 0 write 1 [0, 1], 1 read 5 [2, 3] (nobody writes 5), 2 write 3 [3, 6], 3 write 4 [5, 8].
  // Hint: frontier [1, 2], earliest completion 3; only op 3 was invoked after 3 (op 2 at 3 is not
  // after). Phase 0: forget op 3: [w1, r5, w3, w4?] illegal, kept (op 3 is relevant context:
  // invoked at 5 ≤ 6). Phase 1, reads: forgetting r5 gives [w1, w3, w4?], ok. All: chunk [1, 2]:
  // [w1] ok; chunk [0]: [w1?, r5, w3, w4?] illegal, accepted; then chunk [2]: critical [1] alone
  // completes at 3, so op 3 (invoked at 5) drops out: [w1?, r5, w3?] illegal, accepted. Phase 2:
  // with one critical operation, forgetting it leaves nothing to check: every context goes.
  const ops = [W(1, [0, 1]), R(5, [2, 3]), W(3, [3, 6]), W(4, [5, 8])];
  const [w1, r5, w3, w4] = ops;
  const steps = [
    [w1, r5, w3, forgot(w4)],
    [w1, w3, forgot(w4)],
    [w1],
    [forgot(w1), r5, w3, forgot(w4)],
    [forgot(w1), r5, forgot(w3)],
  ].reduce((a, h) => a + stepsOf(h), 0);
  assert.deepEqual(shrinkWitness(registerModel(), ops, 1e9, { frontier: [1, 2] }), {
    critical: [1],
    context: [],
    minimal: true,
    steps,
  });
});

/** A search outcome written out by hand (explainStuck only formats it). */
function outcome<S>(
  state: S,
  order: number[],
  skipped: number[],
  frontier: number[],
): SearchOutcome<S> {
  return {
    verdict: "illegal",
    steps: 0,
    order,
    skipped,
    state,
    frontier,
    cacheSize: 0,
    bestDepth: order.length,
    outOfMemory: false,
  };
}

Deno.test("explainStuck: roles, padded descriptions, unknown completions, prefix and frontier in words", () => {
  const model = registerModel();
  const ops = [W(1, [0, 1]), W(2, [2, Infinity], false), R(1, [4, 5]), W(3, [4, 6])];
  const info: ExplainedOp[] = [
    { id: 4, process: 0, invokeMs: 0, completeMs: 1, description: "write(1)", role: "critical" },
    {
      id: 7,
      process: 2,
      invokeMs: 2,
      completeMs: Infinity,
      description: "write(2) → ?",
      role: "context",
    },
    { id: 9, process: 1, invokeMs: 4, completeMs: 5, description: "read → 1", role: "critical" },
    { id: 11, process: 3, invokeMs: 4, completeMs: 6, description: "write(3)", role: "critical" },
  ];
  // descriptions padded to the longest, 12 ("write(2) → ?"); critical first, then context;
  // the prefix names op 1 as not taking effect; state 1 (showValue); write 3 is possible in 1
  assert.deepEqual(explainStuck(model, ops, info, outcome(1, [0, 1], [1], [3])), [
    "operations whose results cannot all hold:",
    "  #4 process 0  write(1)      invoked 0, completed 1",
    "  #9 process 1  read → 1      invoked 4, completed 5",
    "  #11 process 3  write(3)      invoked 4, completed 6  [frontier]",
    "context (each may or may not have taken effect; the results above rely on them):",
    "  #7 process 2  write(2) → ?  invoked 2, completed never (outcome unknown)",
    "longest linearizable prefix: #4 write(1), #7 write(2) → ? (not taking effect); state 1.",
    "stuck: none of the operations that could take effect next leads anywhere:",
    "  #11 write(3): possible here, but no continuation linearizes the rest",
  ]);
  // nothing linearized, only critical operations, a read impossible in the initial state
  // (described by describeState: absent (nil)); descriptions padded to at least 8
  const one = [R(1, [0, 1])];
  const readInfo: ExplainedOp[] = [
    { id: 3, process: 5, invokeMs: 0, completeMs: 1, description: "rd 1", role: "critical" },
  ];
  assert.deepEqual(explainStuck(model, one, readInfo, outcome(null, [], [], [0])), [
    "operations whose results cannot all hold:",
    "  #3 process 5  rd 1      invoked 0, completed 1  [frontier]",
    "no operation can be linearized first (initial state absent (nil)).",
    "stuck: none of the operations that could take effect next leads anywhere:",
    "  #3 rd 1: impossible in state absent (nil)",
  ]);
  // no frontier: no "stuck" lines
  assert.deepEqual(explainStuck(model, one, readInfo, outcome(1, [0], [], [])), [
    "operations whose results cannot all hold:",
    "  #3 process 5  rd 1      invoked 0, completed 1",
    "longest linearizable prefix: #3 rd 1; state 1.",
  ]);
});

Deno.test("explainStuck: a nondeterministic model is asked through stepAll", () => {
  // flakyCounter: step throws, stepAll gives inc → [s + 1, s + 2], a read of another value → []
  type CounterOp = SearchOp<"inc" | "read", number | null>;
  const ops: CounterOp[] = [
    { input: "inc", output: null, invokeMs: 0, completeMs: 1 },
    { input: "read", output: 5, invokeMs: 2, completeMs: 3 },
  ];
  const info: ExplainedOp[] = [
    { id: 0, process: 0, invokeMs: 0, completeMs: 1, description: "inc", role: "critical" },
    { id: 1, process: 1, invokeMs: 2, completeMs: 3, description: "read → 5", role: "critical" },
  ];
  const lines = explainStuck(flakyCounter, ops, info, outcome(1, [0], [], [1, 0]));
  assert.deepEqual(lines.slice(-3), [
    "stuck: none of the operations that could take effect next leads anywhere:",
    "  #1 read → 5: impossible in state 1",
    "  #0 inc: possible here, but no continuation linearizes the rest",
  ]);
});

Deno.test("shrinkWitness: a budget spent by the first check returns the context as it came", () => {
  // the stale read plus a read of unknown outcome (op 3): it starts as context. The first check
  // (forget read 2: writes 0 and 1) takes the whole budget; shrinking stops before phase 2, which
  // would have dropped the read from the context.
  const ops = [W(1, [0, 1]), W(2, [2, 3]), R(1, [4, 5]), R(unknownOutput, [6, 7])];
  const first = stepsOf([ops[0], ops[1]]);
  assert.deepEqual(shrinkWitness(registerModel(), ops, first), {
    critical: [0, 1, 2],
    context: [3],
    minimal: false,
    steps: first,
  });
});

Deno.test("shrinkWitness: a frontier hint with nothing invoked after it costs nothing", () => {
  // the stale read with frontier [2] (completing at 5): every operation was invoked by then, so
  // phase 0 has nothing to forget and runs no check: the result is the one without a hint
  const ops = [W(1, [0, 1]), W(2, [2, 3]), R(1, [4, 5])];
  assert.deepEqual(
    shrinkWitness(registerModel(), ops, 1e9, { frontier: [2] }),
    shrinkWitness(registerModel(), ops, 1e9),
  );
});

Deno.test("shrinkWitness: a frontier hint whose early part is legal only costs its check", () => {
  // ops 0 write 1 [0, 1], 1 write 2 [2, 3], 2 read 1 [5, 6]. Hint: frontier [0] (completes at 1):
  // ops 1 and 2 were invoked later; without them the history [write 1] is ok, so phase 0 changes
  // nothing, and the rest is the stale read's shrinking (see above).
  const ops = [W(1, [0, 1]), W(2, [2, 3]), R(1, [5, 6])];
  const [w1, w2, r1] = ops;
  const steps = [
    [w1],
    [w1, w2],
    [w1],
    [forgot(w1), w2, r1],
    [forgot(w1), w2],
    [forgot(w1), forgot(w2), r1],
    [forgot(w2), r1],
  ].reduce((a, h) => a + stepsOf(h), 0);
  assert.deepEqual(shrinkWitness(registerModel(), ops, 1e9, { frontier: [0] }), {
    critical: [1, 2],
    context: [0],
    minimal: true,
    steps,
  });
});

Deno.test("shrinkWitness: reads are forgotten first; a forgotten read leaves the witness", () => {
  // the stale read plus a later read of 2 (op 3, consistent). Reads first: chunk [3]: without
  // read 3's result the history stays illegal ([w1, w2, r1]: a forgotten read is no context);
  // chunk [2]: [w1, w2] ok. Then the stale read's shrinking of [0, 1, 2].
  const ops = [W(1, [0, 1]), W(2, [2, 3]), R(1, [4, 5]), R(2, [6, 7])];
  const [w1, w2, r1] = ops;
  const steps = [
    [w1, w2, r1],
    [w1, w2],
    [w1],
    [forgot(w1), w2, r1],
    [forgot(w1), w2],
    [forgot(w1), forgot(w2), r1],
    [forgot(w2), r1],
  ].reduce((a, h) => a + stepsOf(h), 0);
  assert.deepEqual(shrinkWitness(registerModel(), ops, 1e9), {
    critical: [1, 2],
    context: [0],
    minimal: true,
    steps,
  });
  // a model without readOnly has no reads to forget first, and keeps reads as context
  const noReadOnly: AnyModel = { ...registerModel(), readOnly: undefined };
  const stale = ops.slice(0, 3);
  const plainSteps = [
    [w1],
    [forgot(w1), w2, r1],
    [forgot(w1), w2],
    [forgot(w1), forgot(w2), r1],
    [forgot(w2), r1],
  ].reduce((a, h) => a + stepsOf(h), 0);
  assert.deepEqual(shrinkWitness(noReadOnly, stale, 1e9), {
    critical: [1, 2],
    context: [0],
    minimal: true,
    steps: plainSteps,
  });
});

Deno.test("shrinkWitness: three reads that are all needed are tried in halves, then one by one", () => {
  // ops 0 write 1 [0, 10], 1 write 2 [0, 10] (concurrent), 2 read 1 [1, 2], 3 read 2 [3, 4],
  // 4 read 1 [5, 6]: 1, 2, 1 needs three changes of value from two writes: illegal; any two of
  // the reads are fine. Reads: halves [3, 4] and [2] cannot be forgotten, then singles neither.
  // All five: chunk 3 — [2, 3, 4] no; [0, 1] yes (each write, forgotten, still may take effect).
  // Then halves and singles of the three reads: none. Phase 2: without write 1 (or 2) the read of
  // 1 (or 2) is impossible whatever else is forgotten, so both writes stay as context.
  const ops = [W(1, [0, 10]), W(2, [0, 10]), R(1, [1, 2]), R(2, [3, 4]), R(1, [5, 6])];
  const out = shrinkWitness(registerModel(), ops, 20_000);
  assert.deepEqual([out.critical, out.context, out.minimal], [[2, 3, 4], [0, 1], true]);
  assert.ok(out.steps < 20_000);
});

Deno.test("register search: a cache entry keeps only the words from the first not-full one", () => {
  // 400 writes one after another: configurations {0..i}, i < 400. An entry keeps the words from
  // the first that is not all ones to the last non-zero one: one word, none when i + 1 is a
  // multiple of 32 (12 such i), so 388 words, within the pool of 2 × 512 words. Charges:
  // arrays for max(800, 64) = 800 operations (32 × 800) and a cache of 512 entries (the first
  // doubling of 64 that is at least 400 + 50), 36 bytes each; no growth after that.
  const memory = new MemoryAccount(1e9);
  const writes = Array.from({ length: 400 }, (_, i) => W(i + 1, [2 * i, 2 * i + 1]));
  const out = regSearch(writes, { space: new RegisterSearch(memory) });
  assert.equal(out?.verdict, "ok");
  assert.equal(out?.steps, 400);
  assert.equal(out?.cacheSize, 400);
  assert.equal(memory.used, 32 * 800 + 36 * 512);
  // a budget with 100 bytes less stops before searching: the cache does not fit
  const tight = new MemoryAccount(32 * 800 + 36 * 512 - 100);
  assert.equal(regSearch(writes, { space: new RegisterSearch(tight) })?.outOfMemory, true);
});

Deno.test("register search: keys that split or merge the model's values are caught at the first step", () => {
  const honest = registerModel();
  // every operation its own key: the read of 1 gets another number than write 1, so the search
  // would refuse it, but the model takes it
  let fresh = 0;
  const splitter: AnyModel = {
    ...honest,
    registerView: { ...honest.registerView!, keys: { initial: -1, of: () => fresh++ } },
  };
  assert.equal(regSearch([W(1, [0, 1]), R(1, [2, 3])], { model: splitter }), undefined);
  // writes 1 and 2 under one key: the value that number stands for is 1 for the model (its first
  // write), but write 2 takes the model to 2
  const merger: AnyModel = {
    ...honest,
    registerView: { ...honest.registerView!, keys: { initial: null, of: () => "same" } },
  };
  assert.equal(regSearch([W(1, [0, 1]), W(2, [2, 3])], { model: merger }), undefined);
});

Deno.test("register search: the cache and its pool grow by doubling, each growth charged", () => {
  // eight concurrent writes of 1..8, then a read of 99 nobody wrote: all 8 · 2^7 = 1024
  // configurations are cached, one word each (operation 8, the read, is never linearized).
  // reset(9): arrays for 64 operations (2048) and a cache of 64 entries (36 · 64 = 2304), pool of
  // 128 words. Growth, at 64 entries: cache to 128 (2304); at 128: pool to 256 words (4 · 128)
  // and cache to 256 (36 · 128); at 256: pool 512 (4 · 256), cache 512 (36 · 256); at 512: pool
  // 1024 (4 · 512), cache 1024 (36 · 512). The 1024th entry fits.
  const ops = Array.from({ length: 8 }, (_, i) => W(i + 1, [0, 10]));
  ops.push(R(99, [20, 21]));
  const memory = new MemoryAccount(1e9);
  const out = regSearch(ops, { space: new RegisterSearch(memory) });
  assert.equal(out?.verdict, "illegal");
  assert.equal(out?.cacheSize, 1024);
  assert.equal(
    memory.used,
    2048 + 2304 + 2304 + (4 * 128 + 36 * 128) + (4 * 256 + 36 * 256) + (4 * 512 + 36 * 512),
  );
});

Deno.test("register search: a model refusing a write the keys allow gives the partition back", () => {
  // the keys say write 2 leads to value 2; this model refuses to write 2
  const base = registerModel();
  const picky: AnyModel = {
    ...base,
    step: (s, input, output) =>
      input.f === "write" && input.value === 2 ? undefined : base.step(s, input, output),
  };
  assert.equal(regSearch([W(2, [0, 1])], { model: picky }), undefined);
});

Deno.test("register search: a deep search keeps which writes did not take effect", () => {
  // op 0 write 1 with deadline 1 (unknown outcome), op 1 read nil [2, 3], then 20 writes one
  // after another. 1 c0 taken (value 1). 2 c1 read nil in 1: refused. 3 r1: undo op 0; it has a
  // deadline: retried as not taking effect (new). 4 c1 taken. 5..24 the writes. 23
  // configurations; 22 operations deep, op 0 not taking effect.
  const ops = [W(1, [0, 1], false), R(null, [2, 3])];
  for (let i = 0; i < 20; i++) ops.push(W(i + 2, [4 + 2 * i, 5 + 2 * i]));
  assert.deepEqual(regSearch(ops), {
    verdict: "ok",
    steps: 24,
    order: ops.map((_, i) => i),
    skipped: [0],
    cacheSize: 23,
    bestDepth: 22,
    outOfMemory: false,
  });
});

Deno.test("register search: a configuration met again when retrying a write as not taken is a cache hit", () => {
  // op 0 write 1 with deadline 10 (invoked first), op 1 write 2 [1, 10], op 2 read 99 (nobody
  // wrote 99): illegal whatever op 0 did. The search first takes op 0 then op 1 ({0, 1}, value
  // 2); later, after op 1 then op 0 taken, undoing op 0 retries it as not taking effect:
  // ({0, 1}, 2) again, a cache hit, after which the search goes on (it is no memory stop).
  for (const deadlines of [[10], [10, 10]]) {
    const ops = [W(1, [0, 10], false), W(2, [1, 10], deadlines.length < 2), R(99, [11, 12])];
    const out = regSearch(ops);
    assert.equal(out?.verdict, "illegal");
    assert.equal(out?.outOfMemory, false);
  }
});

Deno.test("register search: with writes of unknown outcome it explores as the general search does", () => {
  // The register search follows the general search step for step (_lin_register.ts), so both
  // must report the same verdict, steps and cache size. Two writes with deadlines and a read of
  // a value nobody wrote make both retry writes as not taking effect, at a call and when
  // backtracking, and meet configurations again.
  const histories: Op[][] = [
    [W(1, [0, 10], false), W(2, [0, 10], false), R(99, [11, 12])],
    [W(1, [0, 10], false), W(2, [1, 10], false), W(3, [2, 10]), R(99, [11, 12])],
    [W(1, [0, 10], false), W(2, [0, 10], false), R(1, [11, 12]), R(2, [13, 14])],
    [W(1, [0, 10], false), W(2, [0, Infinity], false), R(2, [11, 12]), R(1, [13, 14])],
  ];
  for (const ops of histories) {
    const general = searchLinearization(registerModel(), ops, 1e6, { record: false });
    const out = regSearch(ops);
    assert.deepEqual(
      [out?.verdict, out?.steps, out?.cacheSize],
      [general.verdict, general.steps, general.cacheSize],
      JSON.stringify(ops),
    );
  }
});

Deno.test("register search: a write of unknown outcome with a deadline cannot take effect after it", () => {
  // op 0 write 2, unknown outcome, deadline 3; op 1 write 1 [4, 5]; op 2 read 2 [6, 7]. Write 2
  // took effect before 3 or never, so write 1 came after it: the read of 2 is impossible.
  const out = regSearch([W(2, [0, 3], false), W(1, [4, 5]), R(2, [6, 7])]);
  assert.equal(out?.verdict, "illegal");
  // without a deadline it may take effect last
  assert.equal(regSearch([W(2, [0, Infinity], false), W(1, [4, 5]), R(2, [6, 7])])?.verdict, "ok");
});
