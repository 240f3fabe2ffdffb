import assert from "node:assert/strict";
import fc from "fast-check";
import { casRegisterModel, checkLinearizability, kvModel } from "@lab/checkers/mod.ts";
import type { HistoryEvent } from "@lab/workload/history.ts";

/** One generated operation before it is run: what it does and how long it stays open. */
interface GenOp {
  kind: "read" | "write" | "cas";
  key: string;
  value: number;
  from: number;
  beforeMs: number;
  afterMs: number;
  outcome: "ok" | "info" | "fail";
  /** For "info": whether it took effect. */
  applied: boolean;
}

const genOp = (windowMs: number, keys: string[]) =>
  fc.record<GenOp>({
    kind: fc.constantFrom("read", "write", "cas"),
    key: fc.constantFrom(...keys),
    value: fc.integer({ min: 0, max: 4 }),
    from: fc.integer({ min: 0, max: 4 }),
    beforeMs: fc.integer({ min: 0, max: windowMs }),
    afterMs: fc.integer({ min: 0, max: windowMs }),
    outcome: fc.constantFrom("ok", "ok", "ok", "ok", "ok", "ok", "info", "fail"),
    applied: fc.boolean(),
  });

/**
 * A generated run: `processes` clients take turns; operation i takes effect at 10i + 5 (its
 * linearization point) inside a window [point - beforeMs, point + afterMs]. Windows are shorter
 * than half a client's turn, so a client never has two operations open.
 */
const genRun = (keys: string[], maxOps: number) =>
  fc.integer({ min: 1, max: 6 }).chain((processes) =>
    fc.record({
      processes: fc.constant(processes),
      ops: fc.array(genOp(5 * processes - 1, keys), { minLength: 1, maxLength: maxOps }),
    })
  );

/**
 * Run the operations on a sequential register (or one register per key) in order, recording
 * the history a client would see. Failed operations and info operations that are not applied
 * do not touch the state; an info operation that is its client's last may never complete.
 */
function runSequential(
  run: { processes: number; ops: GenOp[] },
  options: { kv: boolean },
): { events: HistoryEvent[]; writesCompleted: number[] } {
  const state = new Map<string, number | string | null>();
  const events: HistoryEvent[] = [];
  const lastOf = new Map<number, number>();
  run.ops.forEach((_, i) => lastOf.set(i % run.processes, i));
  const writesCompleted: number[] = [];
  run.ops.forEach((op, i) => {
    const process = i % run.processes;
    const point = 10 * i + 5;
    const takesEffect = op.outcome === "ok" || (op.outcome === "info" && op.applied);
    const initial = options.kv ? "" : null;
    const cur = state.has(op.key) ? state.get(op.key)! : initial;
    let f: string = op.kind;
    let input: unknown = null;
    let output: unknown = null;
    if (op.kind === "read") {
      f = options.kv ? "get" : "read";
      output = cur;
    } else if (op.kind === "write") {
      f = options.kv ? "put" : "write";
      input = options.kv ? String(op.value) : op.value;
      if (takesEffect) state.set(op.key, input as number | string);
      output = input;
    } else {
      const from = options.kv ? String(op.from) : op.from;
      const to = options.kv ? String(op.value) : op.value;
      input = [from, to];
      const swaps = cur === from;
      if (takesEffect && swaps) state.set(op.key, to);
      output = swaps;
    }
    const key = options.kv ? { key: op.key } : {};
    events.push({ type: "invoke", process, f, ...key, value: input, timeMs: point - op.beforeMs });
    const doneMs = point + op.afterMs;
    if (op.outcome === "ok") {
      events.push({ type: "ok", process, f, ...key, value: output, timeMs: doneMs });
      if (op.kind === "write") writesCompleted.push(doneMs);
    } else if (op.outcome === "fail") {
      events.push({ type: "fail", process, f, ...key, value: null, timeMs: doneMs });
    } else if (lastOf.get(process) !== i) {
      events.push({ type: "info", process, f, ...key, value: null, timeMs: doneMs });
    } // else: the client crashed, the operation never completes
  });
  const order = (e: HistoryEvent) => (e.type === "invoke" ? 0 : 1);
  events.sort((a, b) => a.timeMs - b.timeMs || order(a) - order(b));
  return { events, writesCompleted };
}

Deno.test("property: running a sequential cas register always gives a linearizable history", () => {
  fc.assert(
    fc.property(genRun(["r"], 40), (run) => {
      const { events } = runSequential(run, { kv: false });
      const result = checkLinearizability(events, casRegisterModel());
      assert.equal(result.verdict, "ok", result.explanation);
    }),
    { numRuns: 300 },
  );
});

Deno.test("property: an injected impossible read makes the history illegal, and is in the witness", () => {
  fc.assert(
    fc.property(
      genRun(["r"], 30),
      fc.nat(),
      fc.boolean(),
      (run, where, stale) => {
        const { events, writesCompleted } = runSequential(run, { kv: false });
        // Either a value nobody ever wrote, or nil (the initial value) read after a write
        // completed: writes never store nil, so the register cannot be absent again.
        fc.pre(!stale || writesCompleted.length > 0);
        const atMs = stale
          ? writesCompleted[where % writesCompleted.length] + 0.5
          : (where % (10 * run.ops.length + 10)) - 0.5;
        const value = stale ? null : 99;
        const process = run.processes; // a client of its own
        const injected: HistoryEvent[] = [
          { type: "invoke", process, f: "read", value: null, timeMs: atMs },
          { type: "ok", process, f: "read", value, timeMs: atMs + 0.25 },
        ];
        const history = [...events, ...injected].sort((a, b) => a.timeMs - b.timeMs);
        const result = checkLinearizability(history, casRegisterModel());
        assert.equal(result.verdict, "illegal");
        const read = result.operations.findIndex((o) => o.process === process);
        const critical = result.witness!.operations.filter((o) => o.role === "critical");
        assert.ok(critical.some((o) => o.id === read), result.witness!.explanation);
      },
    ),
    { numRuns: 200 },
  );
});

Deno.test("property: P-compositionality, checking per key agrees with checking the whole map", () => {
  fc.assert(
    fc.property(
      genRun(["a", "b", "c"], 14),
      fc.option(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 4 })), { nil: undefined }),
      (run, corrupt) => {
        const { events } = runSequential(run, { kv: true });
        if (corrupt !== undefined) {
          // Replace the result of one get: sometimes still linearizable, often not.
          const gets = events.filter((e) => e.type === "ok" && e.f === "get");
          if (gets.length > 0) {
            const i = events.indexOf(gets[corrupt[0] % gets.length]);
            events[i] = { ...events[i], value: String(corrupt[1]) };
          }
        }
        const split = checkLinearizability(events, kvModel(), { minimize: false });
        const whole = checkLinearizability(events, kvModel(), {
          minimize: false,
          partition: false,
        });
        assert.equal(split.verdict, whole.verdict);
        if (corrupt === undefined) assert.equal(split.verdict, "ok");
      },
    ),
    { numRuns: 200 },
  );
});
