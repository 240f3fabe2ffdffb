/** Malformed input to the weak-consistency checkers: errors name the event and the field. */
import assert from "node:assert/strict";
import {
  checkCausal,
  checkConvergence,
  checkQuiescentReads,
  checkSequential,
  checkSessionGuarantees,
  checkStaleness,
  HistoryError,
} from "@lab/checkers/mod.ts";
import type { History } from "@lab/workload/history.ts";

const ev = (o: Record<string, unknown>) => ({
  process: 0,
  f: "read",
  value: null,
  timeMs: 0,
  ...o,
});
const checkers = [
  (h: History) => checkSequential(h),
  (h: History) => checkCausal(h),
  (h: History) => checkSessionGuarantees(h),
  (h: History) => checkStaleness(h),
  (h: History) => checkQuiescentReads(h, { quiescentAtMs: 0 }),
];

function rejects(h: unknown[], index: number, field: string, pattern: RegExp) {
  for (const check of checkers) {
    assert.throws(() => check(h as unknown as History), (e: unknown) => {
      assert.ok(e instanceof HistoryError, String(e));
      assert.equal(e.index, index);
      assert.equal(e.field, field);
      assert.match(e.message, pattern);
      return true;
    });
  }
}

Deno.test("bad input: an operation that is not a read or a write", () => {
  rejects([ev({ type: "invoke", f: "cas", value: [1, 2] })], 0, "f", /^history\[0\]\.f: .*"cas"/);
});

Deno.test("bad input: unknown event type, bad process, missing time, bad key", () => {
  rejects([ev({ type: "invoke" }), ev({ type: "done" })], 1, "type", /invoke\|ok\|fail\|info/);
  rejects([ev({ type: "invoke", process: "p1" })], 0, "process", /integer/);
  rejects([ev({ type: "invoke", timeMs: undefined })], 0, "timeMs", /number/);
  rejects([ev({ type: "invoke", key: 3 })], 0, "key", /string/);
});

Deno.test("bad input: a write of nil, and a completion without an invocation", () => {
  rejects([ev({ type: "invoke", f: "write", value: null })], 0, "value", /nil/);
  rejects([ev({ type: "invoke" }), ev({ type: "ok" }), ev({ type: "ok" })], 2, "type", /no open/);
});

Deno.test("bad input: convergence snapshots and staleness bounds", () => {
  assert.throws(
    () => checkConvergence([{ replica: "a", state: null as unknown as Record<string, unknown> }]),
    /snapshots\[0\]\.state/,
  );
  assert.throws(() => checkStaleness([], { k: 0 }), /options\.k/);
  assert.throws(() => checkQuiescentReads([], {} as { quiescentAtMs: number }), /quiescentAtMs/);
});
