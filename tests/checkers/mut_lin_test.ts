/**
 * Tests written to kill the mutants of lib/checkers/linearizability.ts, _lin_gen.ts and _gen.ts
 * that the other checker tests leave alive (issue 15). Each expectation is derived from the
 * module comments and option docs of those files (cited at each test), not from their output.
 */
import assert from "node:assert/strict";
import {
  checkLinearizability,
  DEFAULT_MEMORY_BUDGET,
  generateRegisterHistory,
  kvModel,
  parseRegisterHistoryOptions,
  registerModel,
} from "@lab/checkers/linearizability.ts";
import type { AnyModel, Model, OperationGroup } from "@lab/checkers/linearizability.ts";
import { generateLaggingHistory } from "@lab/checkers/_gen.ts";
import { ConfigError } from "@lab/sim/errors.ts";
import { Rng } from "@lab/sim/rng.ts";
import { pairOperations } from "@lab/workload/history.ts";
import type { HistoryEvent, Operation } from "@lab/workload/history.ts";
import { history, r, w } from "./_helpers.ts";

// ---------------------------------------------------------------------------------------------
// _lin_gen.ts: generateRegisterHistory and its options
// ---------------------------------------------------------------------------------------------

/** Expect a ConfigError about register history options whose only issue is at `path`. */
function rejects(input: unknown, path: string): void {
  assert.throws(
    () => parseRegisterHistoryOptions(input),
    (e: unknown) =>
      e instanceof ConfigError && /^invalid register history options: /.test(e.message) &&
      e.issues.length === 1 && e.issues[0].path === path,
    `${JSON.stringify(input)} should be rejected at ${path}`,
  );
}

Deno.test("lin gen: every option is checked against its documented range, naming the field", () => {
  const base = { ops: 5, clients: 2 };
  // ops: int in [1, 10_000_000]
  rejects({ ...base, ops: 0 }, "ops");
  rejects({ ...base, ops: 2.5 }, "ops");
  rejects({ ...base, ops: 10_000_001 }, "ops");
  rejects({ clients: 2 }, "ops");
  assert.equal(parseRegisterHistoryOptions({ ...base, ops: 10_000_000 }).ops, 10_000_000);
  assert.equal(parseRegisterHistoryOptions({ ...base, ops: 1 }).ops, 1);
  // clients: int in [1, 100_000]
  rejects({ ...base, clients: 0 }, "clients");
  rejects({ ...base, clients: 1.5 }, "clients");
  rejects({ ...base, clients: 100_001 }, "clients");
  rejects({ ops: 5 }, "clients");
  assert.equal(parseRegisterHistoryOptions({ ...base, clients: 100_000 }).clients, 100_000);
  assert.equal(parseRegisterHistoryOptions({ ...base, clients: 1 }).clients, 1);
  // keys: int in [1, 1_000_000]
  rejects({ ...base, keys: 0 }, "keys");
  rejects({ ...base, keys: 2.5 }, "keys");
  rejects({ ...base, keys: 1_000_001 }, "keys");
  assert.equal(parseRegisterHistoryOptions({ ...base, keys: 1_000_000 }).keys, 1_000_000);
  assert.equal(parseRegisterHistoryOptions({ ...base, keys: 1 }).keys, 1);
  // overlap: "busy" | "sparse"
  rejects({ ...base, overlap: "dense" }, "overlap");
  assert.equal(parseRegisterHistoryOptions({ ...base, overlap: "sparse" }).overlap, "sparse");
  // stale: boolean
  rejects({ ...base, stale: 1 }, "stale");
  assert.equal(parseRegisterHistoryOptions({ ...base, stale: true }).stale, true);
  // readRatio: a fraction in [0, 1]
  rejects({ ...base, readRatio: -0.01 }, "readRatio");
  rejects({ ...base, readRatio: 1.01 }, "readRatio");
  for (const readRatio of [0, 0.3, 1]) {
    assert.equal(parseRegisterHistoryOptions({ ...base, readRatio }).readRatio, readRatio);
  }
  // seed: a number or a string
  rejects({ ...base, seed: true }, "seed");
  assert.equal(parseRegisterHistoryOptions({ ...base, seed: "abc" }).seed, "abc");
  assert.equal(parseRegisterHistoryOptions({ ...base, seed: 2.5 }).seed, 2.5);
  // strict: an unknown field is an error (zod reports it at the object's root)
  assert.throws(
    () => parseRegisterHistoryOptions({ ...base, clientz: 3 }),
    (e: unknown) => e instanceof ConfigError && /clientz/.test(e.message),
  );
  // the generator validates too
  assert.throws(() => generateRegisterHistory({ ops: 5, clients: 0 }), ConfigError);
  assert.throws(
    () => generateRegisterHistory({ ops: 5, clients: 2, readRatio: 2 }),
    (e: unknown) => e instanceof ConfigError && /readRatio/.test(e.message),
  );
});

Deno.test("lin gen: defaults are one key, busy, no stale read, half reads, seed 1", () => {
  assert.deepEqual(parseRegisterHistoryOptions({ ops: 3, clients: 2 }), {
    ops: 3,
    clients: 2,
    keys: 1,
    overlap: "busy",
    stale: false,
    readRatio: 0.5,
    seed: 1,
  });
  const opts = { ops: 60, clients: 3 };
  assert.deepEqual(
    generateRegisterHistory(opts),
    generateRegisterHistory({
      ...opts,
      keys: 1,
      overlap: "busy",
      stale: false,
      readRatio: 0.5,
      seed: 1,
    }),
  );
});

/** A generated operation, paired by process (each client has one operation outstanding). */
interface GenOp {
  process: number;
  f: string;
  key?: string;
  input: unknown;
  output: unknown;
  inv: number;
  comp: number;
  invokeIndex: number;
}

function pairByProcess(events: readonly HistoryEvent[]): GenOp[] {
  const open = new Map<number, GenOp>();
  const out: GenOp[] = [];
  events.forEach((e, i) => {
    if (e.type === "invoke") {
      assert.ok(!open.has(e.process), `process ${e.process} invoked twice at event ${i}`);
      const op: GenOp = {
        process: e.process,
        f: e.f,
        key: e.key,
        input: e.value,
        output: undefined,
        inv: e.timeMs,
        comp: NaN,
        invokeIndex: i,
      };
      open.set(e.process, op);
      out.push(op);
    } else {
      assert.equal(e.type, "ok", `event ${i}`);
      const op = open.get(e.process);
      assert.ok(op, `completion without invoke at event ${i}`);
      assert.equal(e.f, op.f);
      assert.equal(e.key, op.key);
      op.output = e.value;
      op.comp = e.timeMs;
      open.delete(e.process);
    }
  });
  assert.equal(open.size, 0, "every operation completes");
  return out;
}

/** Shape properties every generated history has, from the module comment and GenOp. */
function checkShape(
  g: ReturnType<typeof generateRegisterHistory>,
  o: { ops: number; clients: number; keys: number; overlap: "busy" | "sparse" },
): GenOp[] {
  assert.equal(g.operations, o.ops);
  assert.equal(g.history.length, 2 * o.ops);
  // time order, calls before returns at equal times
  for (let i = 1; i < g.history.length; i++) {
    const a = g.history[i - 1], b = g.history[i];
    assert.ok(a.timeMs <= b.timeMs, `event ${i} goes back in time`);
    if (a.timeMs === b.timeMs) assert.ok(!(a.type === "ok" && b.type === "invoke"), `event ${i}`);
  }
  const ops = pairByProcess(g.history);
  assert.equal(ops.length, o.ops);
  // then by operation (generation order): invokes at one time by client id (the earliest free
  // client, lowest id first), completions at one time in the order of their invocations
  const compIndex = new Map<GenOp, number>();
  for (const x of ops) {
    const k = g.history.findIndex((e, i) =>
      i > x.invokeIndex && e.type === "ok" && e.process === x.process
    );
    compIndex.set(x, k);
  }
  for (let i = 1; i < ops.length; i++) {
    const a = ops[i - 1], b = ops[i];
    if (a.inv === b.inv) assert.ok(a.process < b.process, `invokes at ${a.inv}`);
  }
  for (const a of ops) {
    for (const b of ops) {
      if (a.invokeIndex < b.invokeIndex && a.comp === b.comp) {
        assert.ok(compIndex.get(a)! < compIndex.get(b)!, `completions at ${a.comp}`);
      }
    }
  }
  const writes = new Map<number, GenOp>();
  for (const op of ops) {
    assert.ok(Number.isInteger(op.process) && op.process >= 0 && op.process < o.clients);
    assert.ok(op.f === "read" || op.f === "write");
    // durations are integers in [2, 20]
    assert.ok(Number.isInteger(op.inv) && Number.isInteger(op.comp));
    assert.ok(op.comp - op.inv >= 2 && op.comp - op.inv <= 20, `duration ${op.comp - op.inv}`);
    if (o.keys === 1) {
      assert.equal(op.key, undefined);
    } else {
      assert.match(op.key!, /^k\d+$/);
      assert.ok(Number(op.key!.slice(1)) < o.keys);
    }
    if (op.f === "write") {
      // unique positive integers, echoed by the completion
      assert.ok(Number.isInteger(op.input) && (op.input as number) > 0);
      assert.equal(op.output, op.input);
      assert.ok(!writes.has(op.input as number), `value ${op.input} written twice`);
      writes.set(op.input as number, op);
    } else {
      assert.equal(op.input, null);
    }
  }
  // written values are exactly 1..#writes
  for (let v = 1; v <= writes.size; v++) assert.ok(writes.has(v), `value ${v} never written`);
  // reads return null or a value written to the same key, by a write invoked before the read ends
  for (const op of ops) {
    if (op.f !== "read" || op.output === null) continue;
    const src = writes.get(op.output as number);
    assert.ok(src, `read of unwritten ${op.output}`);
    assert.equal(src.key, op.key);
    assert.ok(src.inv < op.comp);
  }
  // per client: one operation at a time, the next starting strictly after the last completed
  const byClient = new Map<number, GenOp[]>();
  for (const op of ops) byClient.set(op.process, [...(byClient.get(op.process) ?? []), op]);
  for (const list of byClient.values()) {
    for (let i = 1; i < list.length; i++) {
      const gap = list[i].inv - list[i - 1].comp;
      assert.ok(gap >= 1, `gap ${gap}`);
      // busy: "back-to-back": free = comp + 1 + (0 or 1)
      if (o.overlap === "busy") assert.ok(gap <= 2, `busy gap ${gap}`);
    }
  }
  return ops;
}

Deno.test("lin gen: the histories have the documented shape, for each parameter set", () => {
  for (
    const o of [
      { ops: 1, clients: 1, keys: 1, overlap: "busy" as const, seed: 3 },
      { ops: 40, clients: 1, keys: 1, overlap: "busy" as const, seed: 1 },
      { ops: 200, clients: 5, keys: 1, overlap: "busy" as const, seed: 2 },
      { ops: 200, clients: 4, keys: 3, overlap: "busy" as const, seed: 3 },
      { ops: 200, clients: 3, keys: 2, overlap: "sparse" as const, seed: 4 },
      { ops: 120, clients: 2, keys: 1, overlap: "sparse" as const, seed: "s" },
    ]
  ) {
    const g = generateRegisterHistory(o);
    assert.equal(g.linearizable, true);
    assert.equal(g.staleRead, undefined);
    assert.ok(!("staleRead" in g));
    const ops = checkShape(g, o);
    // closed-loop clients picking the earliest free one: every client gets operations
    assert.equal(new Set(ops.map((op) => op.process)).size, Math.min(o.clients, o.ops));
    if (o.keys > 1) assert.equal(new Set(ops.map((op) => op.key)).size, o.keys);
    // linearizable by construction
    const model: AnyModel = o.keys === 1 ? registerModel() : kvModel({ initial: null });
    assert.equal(checkLinearizability(g.history, model, { witness: false }).verdict, "ok");
    // same options, same history; another seed, another history
    assert.deepEqual(generateRegisterHistory(o), g);
    if (o.ops > 1) {
      assert.notDeepEqual(generateRegisterHistory({ ...o, seed: 99 }).history, g.history);
    }
  }
});

Deno.test("lin gen: busy clients start within 4 ms; sparse ones pause ~8·C mean durations", () => {
  // busy: first free time floor(uniform(0, 4)) in {0..3}, so each client's first invoke < 4
  for (const seed of [1, 2, 3]) {
    const ops = pairByProcess(
      generateRegisterHistory({ ops: 60, clients: 6, seed }).history,
    );
    for (let p = 0; p < 6; p++) {
      const first = ops.find((op) => op.process === p)!;
      assert.ok(first.inv < 4, `client ${p} starts at ${first.inv}`);
    }
  }
  // sparse, C = 2: a pause is 1 + round(exp(mean 8·2·11 = 176)); over ~150 pauses the mean
  // lies well within [100, 300]; busy pauses are 1 or 2. First free times in [0, 2·176).
  const sparse = pairByProcess(
    generateRegisterHistory({ ops: 300, clients: 2, overlap: "sparse", seed: 5 }).history,
  );
  const gaps: number[] = [];
  for (let p = 0; p < 2; p++) {
    const list = sparse.filter((op) => op.process === p);
    assert.ok(list[0].inv < 352, `first at ${list[0].inv}`);
    for (let i = 1; i < list.length; i++) gaps.push(list[i].inv - list[i - 1].comp);
  }
  const mean = gaps.reduce((a, b) => a + b, 0) / gaps.length;
  assert.ok(mean > 100 && mean < 300, `mean sparse pause ${mean}`);
  // the mean pause grows with C (8·C·11): C = 6 pauses average 528
  const six = pairByProcess(
    generateRegisterHistory({ ops: 600, clients: 6, overlap: "sparse", seed: 5 }).history,
  );
  const gaps6: number[] = [];
  for (let p = 0; p < 6; p++) {
    const list = six.filter((op) => op.process === p);
    for (let i = 1; i < list.length; i++) gaps6.push(list[i].inv - list[i - 1].comp);
  }
  const mean6 = gaps6.reduce((a, b) => a + b, 0) / gaps6.length;
  assert.ok(mean6 > 350 && mean6 < 750, `mean sparse pause with 6 clients ${mean6}`);
});

Deno.test("lin gen: readRatio 0 gives only writes, 1 only reads of the initial value, 0.3 about 30 %", () => {
  const writes = pairByProcess(
    generateRegisterHistory({ ops: 50, clients: 3, readRatio: 0, seed: 2 }).history,
  );
  assert.ok(writes.every((op) => op.f === "write"));
  const reads = pairByProcess(
    generateRegisterHistory({ ops: 50, clients: 3, readRatio: 1, seed: 2 }).history,
  );
  assert.ok(reads.every((op) => op.f === "read" && op.output === null));
  const mixed = pairByProcess(
    generateRegisterHistory({ ops: 2000, clients: 3, readRatio: 0.3, seed: 2 }).history,
  );
  const share = mixed.filter((op) => op.f === "read").length / mixed.length;
  // binomial(2000, 0.3): standard deviation ~0.01
  assert.ok(share > 0.25 && share < 0.35, `read share ${share}`);
  // no reads: no read can be made stale
  const noReads = generateRegisterHistory({ ops: 50, clients: 3, readRatio: 0, stale: true });
  assert.equal(noReads.linearizable, true);
  assert.ok(!("staleRead" in noReads));
  // a single operation: no write before a read, nothing to make stale
  const one = generateRegisterHistory({ ops: 1, clients: 1, readRatio: 1, stale: true });
  assert.equal(one.linearizable, true);
  assert.equal(one.staleRead, undefined);
});

/**
 * The stale-read condition of makeStale: a write wNew of the read's key completed before the read
 * started, and the value read is the initial one (null) or that of a write wOld of the key that
 * completed before wNew started. Strict inequalities: at equal times the operations overlap.
 */
function planted(read: GenOp, writes: readonly GenOp[]): boolean {
  const olds = read.output === null
    ? [{ comp: -Infinity }]
    : writes.filter((o) => o.input === read.output && o.key === read.key);
  return olds.some((o) =>
    writes.some((n) => n.key === read.key && n.inv > o.comp && n.comp < read.inv)
  );
}

/**
 * makeStale's choice: wNew is, among the writes of the read's key completed before the read
 * started, the one started last; the value read is that of the write (of the key) latest in
 * effect order among those completed before wNew started, or null when there is none. Effect
 * order is hidden, but a write that starts after another completes takes effect after it: so no
 * write completed before wNew started may start after the chosen one completed.
 */
function chosen(read: GenOp, writes: readonly GenOp[]): boolean {
  const same = writes.filter((o) => o.key === read.key);
  const before = same.filter((o) => o.comp < read.inv);
  if (before.length === 0) return false;
  const wNew = before.reduce((a, b) => (b.inv > a.inv ? b : a));
  const olds = same.filter((o) => o.comp < wNew.inv);
  if (read.output === null) return olds.length === 0;
  const wOld = olds.find((o) => o.input === read.output);
  return wOld !== undefined && !olds.some((o) => o.inv > wOld.comp);
}

Deno.test("lin gen: stale plants exactly one read that two earlier writes had replaced", () => {
  let nonNull = 0;
  let nullStale = 0;
  for (const keys of [1, 3]) {
    for (const seed of [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]) {
      const o = { ops: 80, clients: 3, keys, seed };
      const clean = generateRegisterHistory(o);
      const g = generateRegisterHistory({ ...o, stale: true });
      assert.equal(g.linearizable, false);
      assert.equal(g.operations, 80);
      const s = g.staleRead!;
      assert.ok(s, `seed ${seed}`);
      // everything but the stale read's completion is the clean history
      assert.equal(g.history.length, clean.history.length);
      const ops = pairByProcess(g.history);
      const read = ops.find((op) => op.invokeIndex === s.invokeIndex)!;
      assert.ok(read, "invokeIndex points at an invoke");
      assert.equal(read.f, "read");
      assert.equal(read.output, s.value);
      if (keys === 1) assert.ok(!("key" in s));
      else assert.equal(s.key, read.key);
      const diff = g.history.flatMap((e, i) =>
        JSON.stringify(e) === JSON.stringify(clean.history[i]) ? [] : [i]
      );
      assert.equal(diff.length, 1, `one event differs, seed ${seed}`);
      const before = clean.history[diff[0]];
      assert.equal(before.type, "ok");
      assert.equal(before.process, read.process);
      assert.equal(before.value, s.was);
      assert.notEqual(s.value, s.was);
      assert.equal(g.history[diff[0]].value, s.value);
      const writes = ops.filter((op) => op.f === "write");
      assert.ok(planted(read, writes), `keys ${keys} seed ${seed}`);
      assert.ok(chosen(read, writes), `keys ${keys} seed ${seed}`);
      if (s.value === null) nullStale++;
      else nonNull++;
      const model: AnyModel = keys === 1 ? registerModel() : kvModel({ initial: null });
      assert.equal(checkLinearizability(g.history, model, { witness: false }).verdict, "illegal");
    }
  }
  // both kinds occur: an older write's value, and the initial value
  assert.ok(nonNull > 0, "an older write's value");
  assert.ok(nonNull + nullStale === 24);
});

Deno.test("lin gen: the stale read is found from the middle half of the reads onwards", () => {
  // Reads are tried from a random one in the middle half (by effect point), so with many
  // eligible reads the planted one sits near the middle: never among the first fifth here.
  const positions: number[] = [];
  for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
    const g = generateRegisterHistory({ ops: 400, clients: 4, stale: true, seed });
    const ops = pairByProcess(g.history);
    const reads = ops.filter((op) => op.f === "read");
    const k = reads.findIndex((op) => op.invokeIndex === g.staleRead!.invokeIndex);
    const at = k / reads.length;
    assert.ok(at > 0.2 && at < 0.8, `seed ${seed}: stale read at ${at}`);
    positions.push(at);
  }
  // the starting read is random in the middle half: over 8 seeds, not always near its start
  assert.ok(Math.max(...positions) > 0.45, String(positions));
});

// ---------------------------------------------------------------------------------------------
// _gen.ts: generateLaggingHistory
// ---------------------------------------------------------------------------------------------

interface LagOp {
  process: number;
  f: string;
  key: string;
  value: number | null;
  at: number;
}

/** One operation at a time: invoke at 2i, ok at 2i + 1, same fields. */
function lagOps(events: readonly HistoryEvent[]): LagOp[] {
  assert.equal(events.length % 2, 0);
  const out: LagOp[] = [];
  for (let i = 0; i < events.length; i += 2) {
    const a = events[i], b = events[i + 1];
    assert.equal(a.type, "invoke");
    assert.equal(b.type, "ok");
    assert.equal(a.timeMs, i);
    assert.equal(b.timeMs, i + 1);
    assert.equal(a.process, b.process);
    assert.equal(a.f, b.f);
    assert.equal(a.key, b.key);
    if (a.f === "write") assert.equal(a.value, b.value);
    else assert.equal(a.value, null);
    out.push({ process: a.process, f: a.f, key: a.key!, value: b.value as number | null, at: i });
  }
  return out;
}

/**
 * Check the documented structure: writes append to one log (value = position + 1), a read on
 * replica p % R returns its key's value in a log prefix at most `maxLag` writes short of the end
 * and never shorter than what that replica returned before, then every replica catches up and
 * sessions 0..min(S, R) - 1 read every key once. Returns the number of stale reads.
 */
function checkLagging(
  o: { ops: number; sessions: number; keys: number; replicas: number; maxLag: number },
  g: ReturnType<typeof generateLaggingHistory>,
): number {
  const ops = lagOps(g.history);
  const q = Math.min(o.sessions, o.replicas);
  assert.equal(g.operations, o.ops + q * o.keys);
  assert.equal(ops.length, g.operations);
  assert.equal(g.quiescentAtMs, 2 * o.ops);
  const log: string[] = []; // key of each write, in log order
  const floor = new Array<number>(o.replicas).fill(0); // shortest prefix each replica may hold
  let stale = 0;
  const valueIn = (key: string, prefix: number) => {
    for (let i = prefix - 1; i >= 0; i--) if (log[i] === key) return i + 1;
    return null;
  };
  for (const op of ops.slice(0, o.ops)) {
    assert.ok(op.process >= 0 && op.process < o.sessions);
    assert.match(op.key, /^k\d+$/);
    assert.ok(Number(op.key.slice(1)) < o.keys);
    const rep = op.process % o.replicas;
    if (op.f === "write") {
      log.push(op.key);
      assert.equal(op.value, log.length, "a write appends value = log length");
      floor[rep] = log.length; // brought up to date, then appended
      continue;
    }
    assert.equal(op.f, "read");
    // some prefix length a in [max(floor, L - maxLag), L] gives the value read
    const lo = Math.max(floor[rep], log.length - o.maxLag);
    let found = -1;
    for (let a = lo; a <= log.length; a++) {
      if (valueIn(op.key, a) === op.value) {
        found = a;
        break;
      }
    }
    assert.ok(found >= 0, `read of ${op.key} = ${op.value} at ${op.at} fits no allowed prefix`);
    floor[rep] = found;
    if (op.value !== valueIn(op.key, log.length)) stale++;
  }
  // quiescent phase: sessions 0..q-1, each reading every key in order, all up to date
  const tail = ops.slice(o.ops);
  let k = 0;
  for (let p = 0; p < q; p++) {
    for (let key = 0; key < o.keys; key++, k++) {
      const op = tail[k];
      assert.equal(op.process, p);
      assert.equal(op.f, "read");
      assert.equal(op.key, `k${key}`);
      assert.equal(op.value, valueIn(`k${key}`, log.length));
    }
  }
  return stale;
}

Deno.test("lagging gen: defaults are 16 sessions, 1000 keys, 4 replicas, 30 % writes, lag 8, seed 1", () => {
  const g = generateLaggingHistory({ ops: 400 });
  assert.deepEqual(
    generateLaggingHistory({
      ops: 400,
      seed: 1,
      sessions: 16,
      keys: 1000,
      replicas: 4,
      writeRatio: 0.3,
      maxLagWrites: 8,
    }),
    g,
  );
  const stale = checkLagging({ ops: 400, sessions: 16, keys: 1000, replicas: 4, maxLag: 8 }, g);
  const ops = lagOps(g.history).slice(0, 400);
  assert.equal(new Set(ops.map((op) => op.process)).size, 16);
  const writes = ops.filter((op) => op.f === "write").length;
  assert.ok(writes > 90 && writes < 150, `writes ${writes} of 400 (expected ~120)`);
  // 1000 keys, 400 operations (~120 writes): a read of a key written within the last 8 writes
  // is rare, so stale reads are few
  assert.ok(stale < 20, `stale ${stale}`);
});

Deno.test("lagging gen: reads trail the log by at most maxLagWrites, replicas never go back", () => {
  for (
    const o of [
      { ops: 600, sessions: 6, keys: 3, replicas: 3, maxLag: 4, writeRatio: 0.4, seed: 2 },
      { ops: 600, sessions: 2, keys: 2, replicas: 4, maxLag: 2, writeRatio: 0.5, seed: 3 },
      { ops: 300, sessions: 5, keys: 1, replicas: 1, maxLag: 6, writeRatio: 0.3, seed: 4 },
    ]
  ) {
    const g = generateLaggingHistory({ ...o, maxLagWrites: o.maxLag });
    const stale = checkLagging(o, g);
    if (o.replicas === 1) {
      // the only replica is brought up to date by every write: it never trails the log
      assert.equal(stale, 0);
    } else {
      // few keys and a lag of several writes: some reads are stale
      assert.ok(stale > 0, `no stale read with ${JSON.stringify(o)}`);
    }
    assert.deepEqual(generateLaggingHistory({ ...o, maxLagWrites: o.maxLag }), g);
    const ops = lagOps(g.history).slice(0, o.ops);
    const share = ops.filter((op) => op.f === "write").length / o.ops;
    assert.ok(Math.abs(share - o.writeRatio) < 0.1, `write share ${share}`);
    assert.equal(new Set(ops.map((op) => op.key)).size, o.keys);
    assert.equal(new Set(ops.map((op) => op.process)).size, o.sessions);
  }
  // maxLagWrites 0: every read sees the latest write of its key (the history is linearizable)
  const o = { ops: 500, sessions: 4, keys: 2, replicas: 2, maxLag: 0 };
  const g = generateLaggingHistory({ ...o, maxLagWrites: 0, seed: 5 });
  assert.equal(checkLagging(o, g), 0);
  assert.equal(
    checkLinearizability(g.history, kvModel({ initial: null }), { witness: false }).verdict,
    "ok",
  );
  // writeRatio 0: nothing is ever written
  const none = lagOps(generateLaggingHistory({ ops: 50, keys: 2, writeRatio: 0 }).history);
  assert.ok(none.every((op) => op.f === "read" && op.value === null));
  // another seed, another history
  assert.notDeepEqual(
    generateLaggingHistory({ ops: 50, seed: 2 }).history,
    generateLaggingHistory({ ops: 50, seed: 3 }).history,
  );
});

// ---------------------------------------------------------------------------------------------
// linearizability.ts: checkLinearizability
// ---------------------------------------------------------------------------------------------

/** A counter without zones or partitioning: `add` n (output ignored), `read` the sum. */
function counterModel(extra: Partial<Model<number, unknown, unknown>> = {}) {
  const model: Model<number, { f: string; n: number }, unknown> = {
    name: "counter",
    init: () => 0,
    input: (op) => ({ f: op.f, n: op.f === "add" ? op.input as number : 0 }),
    output: (op) => op.output,
    step: (s, i, o) => i.f === "add" ? s + i.n : (o === s || typeof o === "symbol" ? s : undefined),
    hash: (s) => s,
    equal: (a, b) => a === b,
    describe: (i, o) => i.f === "add" ? `add(${i.n})` : `read → ${String(o)}`,
    describeState: (s) => `sum ${s}`,
    ...extra as object,
  };
  return model;
}

/** Operations built by hand (as paired ones would be), indices given explicitly. */
function op(
  f: string,
  input: unknown,
  output: unknown,
  invokeMs: number,
  completeMs: number,
  invokeIndex: number,
  status: "ok" | "info" | "fail" = "ok",
  process = 0,
  key?: string,
): Operation {
  return {
    process,
    f,
    ...(key === undefined ? {} : { key }),
    input,
    output: status === "ok" ? output : undefined,
    status,
    invokeMs,
    completeMs,
    invokeIndex,
    completeIndex: invokeIndex + 1,
  };
}

Deno.test("lin: an empty history is linearizable, in one partition, in zero steps", () => {
  for (const h of [[], [] as Operation[]]) {
    const res = checkLinearizability(h, registerModel());
    assert.equal(res.verdict, "ok");
    assert.equal(res.model, "register");
    assert.deepEqual(res.operations, []);
    assert.equal(res.steps, 0);
    assert.equal(res.witness, undefined);
    assert.equal(res.explanation, "linearizable: 0 operations in 1 partition(s), 0 steps.");
    assert.equal(res.partitions.length, 1);
    assert.equal(res.partitions[0].label, "all operations");
    assert.equal(res.partitions[0].operations, 0);
  }
  assert.equal(DEFAULT_MEMORY_BUDGET, 512 * 1024 * 1024);
  assert.equal(DEFAULT_MEMORY_BUDGET, 536_870_912);
});

Deno.test("lin: already paired operations are checked like the history they come from", () => {
  const h = history(w(0, 1, [0, 1]), w(1, 2, [2, 3]), r(2, 1, [4, 5]));
  const fromHistory = checkLinearizability(h, registerModel());
  const fromOps = checkLinearizability(pairOperations(h), registerModel());
  assert.equal(fromHistory.verdict, "illegal");
  assert.deepEqual(fromOps, fromHistory);
  // ok too: the same operations with a fresh read
  const good = history(w(0, 1, [0, 1]), w(1, 2, [2, 3]), r(2, 2, [4, 5]));
  const ok = checkLinearizability(pairOperations(good), registerModel());
  assert.equal(ok.verdict, "ok");
  // zones decide a small register with unique values, taking no search step
  assert.equal(ok.partitions[0].method, "zones");
  assert.deepEqual(ok.partitions[0].linearization, [0, 1, 2]);
  assert.equal(ok.explanation, "linearizable: 3 operations in 1 partition(s), 0 steps.");
});

Deno.test("lin: failed operations are left out, ids still index every operation", () => {
  // w1, a failed w2 (did not happen), then a read of 1: ok only because w2 is dropped
  const h = history(w(0, 1, [0, 1]), w(1, 2, [2, 3], "fail"), r(2, 1, [4, 5]), r(0, 1, [6, 7]));
  for (const zones of [true, false]) {
    const res = checkLinearizability(h, registerModel(), { zones });
    assert.equal(res.verdict, "ok", `zones ${zones}`);
    assert.equal(res.operations.length, 4);
    assert.equal(res.operations[1].status, "fail");
    assert.equal(res.partitions[0].operations, 3);
    // the only order: write 1, read, read (ids of the full operations array)
    assert.deepEqual(res.partitions[0].linearization, [0, 2, 3]);
    assert.equal(
      res.explanation.startsWith("linearizable: 3 operations in 1 partition(s), "),
      true,
    );
  }
  // a failed operation that "happened" would change the verdict: as ok it is illegal
  const asOk = history(w(0, 1, [0, 1]), w(1, 2, [2, 3]), r(2, 1, [4, 5]));
  assert.equal(checkLinearizability(asOk, registerModel()).verdict, "illegal");
  // illegal with a failed operation before the contradiction: witness ids skip it
  const bad = history(w(1, 9, [0, 1], "fail"), w(0, 1, [2, 3]), w(1, 2, [4, 5]), r(2, 1, [6, 7]));
  const res = checkLinearizability(bad, registerModel(), { zones: false });
  assert.equal(res.verdict, "illegal");
  assert.equal(res.partitions[0].operations, 3);
  assert.deepEqual(res.witness!.operations.map((o) => o.id).sort(), [1, 2, 3]);
  assert.ok(res.witness!.operations.every((o) => res.operations[o.id].status === "ok"));
});

Deno.test("lin: a partition returning an operation it was not given is an error naming the model", () => {
  const foreign = counterModel({
    partition: (
      ops: readonly Operation[],
    ) => [{ label: "x", operations: ops.map((o) => ({ ...o })) }],
  });
  const ops = [op("add", 1, null, 0, 1, 0), op("read", null, 1, 2, 3, 2)];
  assert.throws(
    () => checkLinearizability(ops, foreign),
    (e: unknown) =>
      e instanceof Error && e.message === "counter.partition returned a foreign operation",
  );
});

Deno.test("lin: operations with odd invocation indices are still found by identity", () => {
  // invokeIndex values that index no table: fractional, negative, huge, repeated
  for (const indices of [[1.5, 0.5, 2.5], [-3, -1, -2], [1e12, 3e12, 2e12], [4, 4, 4], [7, 2, 7]]) {
    const ops = [
      op("add", 1, null, 0, 1, indices[0]),
      op("add", 2, null, 2, 3, indices[1]),
      op("read", null, 3, 4, 5, indices[2]),
    ];
    // a partition that hands the operations back reversed (not the same array): ids by identity
    const model = counterModel({
      partition: (
        list: readonly Operation[],
      ) => [{ label: "rev", operations: [...list].reverse() }],
    });
    const res = checkLinearizability(ops, model);
    assert.equal(res.verdict, "ok", String(indices));
    assert.equal(res.partitions[0].label, "rev");
    // reversed positions 2, 1, 0 are ids 0, 1, 2; the only linearization is add 1, add 2, read
    assert.deepEqual(res.partitions[0].linearization, [0, 1, 2], String(indices));
    const bad = checkLinearizability(
      [ops[0], ops[1], op("read", null, 1, 4, 5, indices[2])],
      model,
    );
    assert.equal(bad.verdict, "illegal");
    assert.deepEqual(bad.witness!.operations.map((o) => o.id).sort(), [0, 1, 2]);
  }
});

Deno.test("lin: kv partitions by key unless partition is false", () => {
  const h = history(
    { p: 0, f: "write", key: "x", in: 1, at: [0, 1] },
    { p: 1, f: "write", key: "y", in: 5, at: [0, 1] },
    { p: 0, f: "read", key: "x", out: 1, at: [2, 3] },
    { p: 1, f: "read", key: "y", out: 5, at: [2, 3] },
  );
  const kv = kvModel({ initial: null });
  const res = checkLinearizability(h, kv);
  assert.equal(res.verdict, "ok");
  assert.equal(res.model, "kv");
  assert.deepEqual(res.partitions.map((p) => [p.index, p.label, p.key, p.operations]), [
    [0, 'key "x"', "x", 2],
    [1, 'key "y"', "y", 2],
  ]);
  // ids index the whole operations array: x's are the ones whose key is x
  for (const p of res.partitions) {
    assert.ok(p.linearization.every((id) => res.operations[id].key === p.key));
    assert.equal(p.linearization.length, 2);
    assert.equal(res.operations[p.linearization[0]].f, "write");
  }
  assert.equal(res.explanation, "linearizable: 4 operations in 2 partition(s), 0 steps.");
  const whole = checkLinearizability(h, kv, { partition: false });
  assert.equal(whole.verdict, "ok");
  assert.equal(whole.partitions.length, 1);
  assert.equal(whole.partitions[0].label, "all operations");
  assert.equal(whole.partitions[0].key, undefined);
  assert.equal(whole.partitions[0].operations, 4);
  assert.equal(whole.partitions[0].method, "search"); // the whole map is no register
  assert.ok(whole.partitions[0].steps > 0);
  assert.match(
    whole.explanation,
    /^linearizable: 4 operations in 1 partition\(s\), [1-9]\d* steps\.$/,
  );
});

/** 10 concurrent adds of 1 and a concurrent read of -1, which no order of them can give. */
function hardCounter(): Operation[] {
  const ops: Operation[] = [];
  for (let i = 0; i < 10; i++) ops.push(op("add", 1, null, i, 100, 2 * i, "ok", i));
  ops.push(op("read", null, -1, 10, 100, 20, "ok", 10));
  return ops;
}

Deno.test("lin: past the step budget the answer is unknown, and says which budget ran out", () => {
  const res = checkLinearizability(hardCounter(), counterModel(), { stepBudget: 100 });
  assert.equal(res.verdict, "unknown");
  assert.equal(res.witness, undefined);
  assert.ok(res.steps <= 100 && res.steps > 0, String(res.steps));
  const p = res.partitions[0];
  assert.equal(p.verdict, "unknown");
  assert.equal(p.outOfMemory, false);
  assert.equal(p.method, "search");
  assert.equal(p.operations, 11);
  // depth first: the 10 adds are linearized before the read is tried; the read never is
  assert.equal(p.longestPrefix, 10);
  // the unknown partition is explained: its deepest prefix is kept (the adds, ids 0..9)
  assert.deepEqual([...p.linearization].sort((a, b) => a - b), [...Array(10).keys()]);
  assert.deepEqual(p.frontier, [10]);
  assert.equal(
    res.explanation,
    "unknown: the step budget (100) ran out in all operations (11 operations); " +
      "longest linearizable prefix found: 10 operations.",
  );
  // without witness the same verdict, no prefix kept
  const bare = checkLinearizability(hardCounter(), counterModel(), {
    stepBudget: 100,
    witness: false,
  });
  assert.equal(bare.verdict, "unknown");
  assert.equal(bare.steps, res.steps);
  assert.deepEqual(bare.partitions[0].linearization, []);
  assert.deepEqual(bare.partitions[0].frontier, []);
  assert.equal(bare.partitions[0].longestPrefix, 10);
  // a large enough budget refutes it
  const full = checkLinearizability(hardCounter(), counterModel(), { minimize: false });
  assert.equal(full.verdict, "illegal");
  assert.ok(full.steps > 100);
});

Deno.test("lin: past the memory budget the answer is unknown, naming the memory budget", () => {
  const res = checkLinearizability(hardCounter(), counterModel(), { memoryBudget: 1 });
  assert.equal(res.verdict, "unknown");
  assert.equal(res.partitions[0].verdict, "unknown");
  assert.equal(res.partitions[0].outOfMemory, true);
  assert.equal(res.witness, undefined);
  assert.match(
    res.explanation,
    /^unknown: the memory budget \(1 bytes\) ran out in all operations \(11 operations\); longest linearizable prefix found: \d+ operations\.$/,
  );
  // the default budget (512 MiB) is ample for it
  const ample = checkLinearizability(hardCounter(), counterModel(), { minimize: false });
  assert.equal(ample.verdict, "illegal");
  assert.equal(ample.partitions[0].outOfMemory, false);
});

Deno.test("lin: the first illegal partition ends the check unless checkAllPartitions", () => {
  const kv = kvModel({ initial: null });
  // keys a (ok), b (stale read), c (stale read), d (ok)
  const ops = (key: string, stale: boolean, p: number) => [
    { p, f: "write", key, in: `${key}1`, at: [0, 1] as [number, number] },
    { p, f: "write", key, in: `${key}2`, at: [2, 3] as [number, number] },
    { p, f: "read", key, out: stale ? `${key}1` : `${key}2`, at: [4, 5] as [number, number] },
  ];
  const h = history(
    ...ops("a", false, 0),
    ...ops("b", true, 1),
    ...ops("c", true, 2),
    ...ops("d", false, 3),
  );
  for (const zones of [true, false]) {
    const first = checkLinearizability(h, kv, { zones });
    assert.equal(first.verdict, "illegal");
    assert.deepEqual(first.partitions.map((p) => p.verdict), [
      "ok",
      "illegal",
      "skipped",
      "skipped",
    ]);
    for (const p of first.partitions.slice(2)) {
      // never searched: nothing measured, nothing cached
      assert.equal(p.steps, 0);
      assert.equal(p.cacheSize, 0);
      assert.equal(p.longestPrefix, 0);
      assert.equal(p.outOfMemory, false);
      assert.deepEqual(p.linearization, []);
      assert.deepEqual(p.skipped, []);
      assert.deepEqual(p.frontier, []);
    }
    if (zones) {
      // zones decide a and refute b before c is reached: c and d were never searched
      assert.deepEqual(first.partitions.map((p) => p.method), [
        "zones",
        "zones",
        "search",
        "search",
      ]);
    }
    assert.equal(first.witness!.partition, 1);
    assert.equal(first.witness!.label, 'key "b"');
    assert.equal(first.witness!.key, "b");
    assert.ok(first.witness!.operations.every((o) => o.key === "b"));
    assert.equal(
      first.explanation.split("\n")[0].startsWith('not linearizable: key "b" (3 operations)'),
      true,
    );
    const all = checkLinearizability(h, kv, { zones, checkAllPartitions: true });
    assert.equal(all.verdict, "illegal");
    assert.deepEqual(all.partitions.map((p) => p.verdict), ["ok", "illegal", "illegal", "ok"]);
    assert.equal(all.witness!.partition, 1);
    // without a witness
    const bare = checkLinearizability(h, kv, { zones, witness: false });
    assert.equal(bare.witness, undefined);
    assert.equal(
      bare.explanation,
      'not linearizable: key "b" (3 operations); no witness was asked for.',
    );
  }
});

Deno.test("lin: the witness of a stale read names the two contradicting results and their context", () => {
  // w1, then w2, then a read of 1, and an unrelated later read of 2 (ids 0..3)
  const h = history(w(0, 1, [0, 1]), w(1, 2, [2, 3]), r(2, 1, [4, 5]), r(0, 2, [6, 7]));
  for (const zones of [true, false]) {
    const res = checkLinearizability(h, registerModel(), { zones });
    assert.equal(res.verdict, "illegal");
    const wit = res.witness!;
    assert.equal(wit.partition, 0);
    assert.equal(wit.label, "all operations");
    assert.equal(wit.key, undefined);
    assert.equal(wit.partitionOperations, 4);
    // forgetting w2's or the read's result explains the rest; w1 is context: with an unknown
    // outcome it still took effect before 1 or never, and the read of 1 relies on it (deleting
    // it leaves the read alone impossible, w2 unnecessary); the read of 2 is not needed
    assert.deepEqual(wit.operations.map((o) => o.id), [0, 1, 2]);
    assert.deepEqual(wit.operations.map((o) => o.role), ["context", "critical", "critical"]);
    assert.ok(wit.operations.every((o) => o.status === "ok"));
    assert.equal(wit.minimal, true);
    assert.deepEqual(wit.operations.map((o) => [o.process, o.f, o.input, o.output]), [
      [0, "write", 1, 1],
      [1, "write", 2, 2],
      [2, "read", null, 1],
    ]);
    assert.deepEqual(wit.operations.map((o) => [o.invokeMs, o.completeMs]), [[0, 1], [2, 3], [
      4,
      5,
    ]]);
    assert.deepEqual(wit.operations.map((o) => o.description), [
      "write(1)",
      "write(2)",
      "read → 1",
    ]);
    // the longest prefix: w1, w2; then the read of 1 cannot take effect in state 2
    assert.deepEqual(wit.linearization, [0, 1]);
    assert.deepEqual(wit.skipped, []);
    assert.deepEqual(wit.frontier, [2]);
    assert.deepEqual(wit.operations.map((o) => o.inFrontier), [false, false, true]);
    assert.equal(wit.stuckState, "2");
    const head = wit.explanation.split("\n")[0];
    assert.equal(
      head,
      "not linearizable: all operations (4 operations): the results of 2 operation(s) " +
        "contradict each other; the witness is minimal (forgetting any one result makes it " +
        "linearizable, and every context operation is needed).",
    );
    assert.equal(res.explanation, wit.explanation);
    assert.ok(wit.explanation.split("\n").length > 1);
  }
  // the search path keeps the whole partition's prefix and frontier too
  const searched = checkLinearizability(h, registerModel(), { zones: false });
  assert.deepEqual(searched.witness!.partitionLinearization, [0, 1]);
  assert.deepEqual(searched.witness!.partitionFrontier, [2]);
  assert.deepEqual(searched.partitions[0].linearization, [0, 1]);
  assert.deepEqual(searched.partitions[0].frontier, [2]);
  assert.equal(searched.partitions[0].method, "search");
  assert.equal(searched.partitions[0].longestPrefix, 2);
  // zones: decided from the conflicting operations, certified by a search of them alone
  const z = checkLinearizability(h, registerModel());
  assert.equal(z.partitions[0].method, "zones");
  assert.equal(z.partitions[0].verdict, "illegal");
  assert.ok(z.partitions[0].steps > 0);
  assert.equal(z.steps, z.partitions[0].steps);
  assert.equal(z.partitions[0].outOfMemory, false);
  assert.ok(z.partitions[0].linearization.every((id) => id <= 2));
});

Deno.test("lin: minimize false gives the whole partition, unknown outcomes as context", () => {
  // a pending write of 3 (unknown outcome) beside the stale read (ids: 0 w1, 1 w2, 2 w3?, 3 r1)
  const h = history(w(0, 1, [0, 1]), w(1, 2, [2, 3]), w(3, 3, [2, 3], "info"), r(2, 1, [4, 5]));
  const res = checkLinearizability(h, registerModel(), { minimize: false, zones: false });
  assert.equal(res.verdict, "illegal");
  const wit = res.witness!;
  assert.equal(wit.minimal, false);
  assert.equal(wit.minimizeSteps, 0);
  assert.equal(
    wit.explanation.split("\n")[0],
    "not linearizable: all operations (4 operations): no linearization exists.",
  );
  assert.deepEqual(wit.operations.map((o) => o.id), [0, 1, 2, 3]);
  const pending = wit.operations.find((o) => o.status === "info")!;
  assert.equal(pending.id, 2);
  assert.equal(pending.role, "context");
  assert.equal(pending.output, undefined);
  assert.equal(pending.completeMs, Infinity);
  assert.equal(pending.description, "write(3) → ?");
  assert.deepEqual(
    wit.operations.filter((o) => o.role === "critical").map((o) => o.id),
    [0, 1, 3],
  );
  // with shrinking: the pending write is not needed, the same three results remain
  const shrunk = checkLinearizability(h, registerModel(), { zones: false });
  assert.deepEqual(shrunk.witness!.operations.map((o) => o.id), [0, 1, 3]);
  assert.equal(shrunk.witness!.minimal, true);
  assert.ok(shrunk.witness!.minimizeSteps > 0);
  assert.equal(shrunk.witness!.partitionOperations, 4);
  // a shrinking budget of one step stops it early: not minimal, and said so
  const stopped = checkLinearizability(h, registerModel(), { zones: false, minimizeStepBudget: 1 });
  assert.equal(stopped.verdict, "illegal");
  assert.equal(stopped.witness!.minimal, false);
  assert.match(
    stopped.witness!.explanation.split("\n")[0],
    /; shrinking stopped at its step budget, so the witness may not be minimal\.$/,
  );
});

Deno.test("lin: an info operation with a finite completion is a deadline", () => {
  // w1; w2 info, invoked at 2, deadline 3; a read of 1 at [4, 5]; a read of 2 at [6, 7].
  // The read of 2 shows w2 took effect, so before 3: the read of 1 at 4 is then stale.
  const ops = (deadline: number) => [
    op("write", 1, 1, 0, 1, 0, "ok", 0),
    op("write", 2, undefined, 2, deadline, 2, "info", 1),
    op("read", null, 1, 4, 5, 4, "ok", 2),
    op("read", null, 2, 6, 7, 6, "ok", 0),
  ];
  for (const zones of [true, false]) {
    const res = checkLinearizability(ops(3), registerModel(), { zones });
    assert.equal(res.verdict, "illegal", `zones ${zones}`);
    const info = res.witness!.operations.find((o) => o.id === 1)!;
    assert.equal(info.status, "info");
    assert.equal(info.completeMs, 3);
    // without a deadline w2 may take effect after the read of 1
    assert.equal(checkLinearizability(ops(Infinity), registerModel(), { zones }).verdict, "ok");
  }
});

/** n sequential register operations: writes of 1, 2, ... each followed by a read of it. */
function sequential(n: number, staleAt = -1) {
  const specs = [];
  for (let i = 0; i < n; i++) {
    const v = Math.floor(i / 2) + 1;
    const at: [number, number] = [2 * i, 2 * i + 1];
    specs.push(i % 2 === 0 ? w(0, v, at) : r(1, i === staleAt ? (v > 1 ? v - 1 : null) : v, at));
  }
  return history(...specs);
}

Deno.test("lin: register partitions of 64 operations or more get a short search before zones", () => {
  // 63: straight to zones (no step); 64: the short search decides a sequential history
  const small = checkLinearizability(sequential(63), registerModel());
  assert.equal(small.verdict, "ok");
  assert.equal(small.partitions[0].method, "zones");
  assert.equal(small.steps, 0);
  assert.equal(small.partitions[0].steps, 0);
  assert.equal(small.partitions[0].cacheSize, 0);
  assert.equal(small.partitions[0].outOfMemory, false);
  assert.deepEqual(small.partitions[0].frontier, []);
  assert.deepEqual(small.partitions[0].skipped, []);
  assert.deepEqual(small.partitions[0].linearization, [...Array(63).keys()]);
  assert.equal(small.partitions[0].longestPrefix, 63);
  const big = checkLinearizability(sequential(64), registerModel());
  assert.equal(big.verdict, "ok");
  assert.equal(big.partitions[0].method, "search");
  assert.ok(big.steps > 0);
  assert.equal(big.partitions[0].steps, big.steps);
  assert.deepEqual(big.partitions[0].linearization, [...Array(64).keys()]);
  assert.equal(big.partitions[0].longestPrefix, 64);
  assert.deepEqual(big.partitions[0].frontier, []);
  assert.equal(big.partitions[0].outOfMemory, false);
  assert.equal(
    big.explanation,
    `linearizable: 64 operations in 1 partition(s), ${big.steps} steps.`,
  );
  // a budget too small for the short search leaves the partition to zones, which need no steps
  const tight = checkLinearizability(sequential(64), registerModel(), { stepBudget: 5 });
  assert.equal(tight.verdict, "ok");
  assert.equal(tight.partitions[0].method, "zones");
  assert.ok(tight.steps <= 5);
  // illegal (a stale read at op 41): without a witness the short search's answer stands
  const bare = checkLinearizability(sequential(64, 41), registerModel(), { witness: false });
  assert.equal(bare.verdict, "illegal");
  assert.equal(bare.partitions[0].method, "search");
  assert.deepEqual(bare.partitions[0].frontier, []);
  assert.equal(
    bare.explanation,
    "not linearizable: all operations (64 operations); no witness was asked for.",
  );
  // with a witness the general search builds it: the stale read and the two writes
  const res = checkLinearizability(sequential(64, 41), registerModel());
  assert.equal(res.verdict, "illegal");
  assert.equal(res.partitions[0].method, "search");
  // op 41 reads 20 after write 21 (op 40) completed; write 20 is op 38
  assert.deepEqual(res.witness!.operations.map((o) => o.id), [38, 40, 41]);
  assert.equal(res.witness!.partitionOperations, 64);
  assert.deepEqual(res.witness!.partitionLinearization, [...Array(41).keys()]);
  assert.deepEqual(res.witness!.partitionFrontier, [41]);
  // zones off: the same witness
  const off = checkLinearizability(sequential(64, 41), registerModel(), { zones: false });
  assert.deepEqual(off.witness!.operations.map((o) => o.id), [38, 40, 41]);
});

/** The counter, split by the operations' `key` (groups in order of first appearance). */
function splitCounter() {
  return counterModel({
    partition: (ops: readonly Operation[]) => {
      const groups = new Map<string, Operation[]>();
      for (const o of ops) groups.set(o.key!, [...(groups.get(o.key!) ?? []), o]);
      return [...groups].map(([key, operations]): OperationGroup => ({
        label: `group ${key}`,
        key,
        operations,
      }));
    },
  });
}

/** n concurrent adds of 1 and a concurrent read of -1 under `key`, ids from `base`. */
function hardGroup(key: string, n: number, base: number): Operation[] {
  const ops: Operation[] = [];
  for (let i = 0; i < n; i++) {
    ops.push(op("add", 1, null, i, 100, 2 * (base + i), "ok", base + i, key));
  }
  ops.push(op("read", null, -1, n, 100, 2 * (base + n), "ok", base + n, key));
  return ops;
}

Deno.test("lin: searches advance round-robin in slices of 1024 steps that double each round", () => {
  // how many steps refuting each group takes on its own
  const alone = (n: number) =>
    checkLinearizability(hardGroup("a", n, 0), counterModel(), { witness: false }).steps;
  const big = alone(12), mid = alone(8), tiny = alone(1);
  // preconditions for the slices below: 12 adds need more than 1024 + 2048 + 4096 steps, 8 adds
  // more than one slice but no more than two rounds' (1024 + 2048), one add a few steps
  assert.ok(big > 7168, `12 adds: ${big}`);
  assert.ok(mid > 1024 && mid <= 3072, `8 adds: ${mid}`);
  assert.ok(tiny < 1024, `1 add: ${tiny}`);
  // group a (hard) gets 1024 steps, then group b (refuted at once) ends the check
  const ops1 = [...hardGroup("a", 12, 0), ...hardGroup("b", 1, 20)];
  const r1 = checkLinearizability(ops1, splitCounter(), { witness: false });
  assert.equal(r1.verdict, "illegal");
  assert.deepEqual(r1.partitions.map((p) => p.verdict), ["skipped", "illegal"]);
  assert.equal(r1.partitions[0].steps, 1024);
  assert.equal(r1.partitions[1].steps, tiny);
  assert.equal(r1.steps, 1024 + tiny);
  // group b needs a second round: a has then had 1024 + 2048 steps
  const ops2 = [...hardGroup("a", 12, 0), ...hardGroup("b", 8, 20)];
  const r2 = checkLinearizability(ops2, splitCounter(), { witness: false });
  assert.deepEqual(r2.partitions.map((p) => p.verdict), ["skipped", "illegal"]);
  assert.equal(r2.partitions[0].steps, 3072);
  assert.equal(r2.partitions[1].steps, mid);
  assert.equal(r2.steps, 3072 + mid);
  assert.equal(
    r2.explanation,
    "not linearizable: group b (9 operations); no witness was asked for.",
  );
  // the refuted group first: the other one never runs
  const ops3 = [...hardGroup("b", 1, 20), ...hardGroup("a", 12, 0)];
  const r3 = checkLinearizability(ops3, splitCounter(), { witness: false });
  assert.deepEqual(r3.partitions.map((p) => p.label), ["group b", "group a"]);
  assert.deepEqual(r3.partitions.map((p) => p.verdict), ["illegal", "skipped"]);
  assert.equal(r3.partitions[1].steps, 0);
  assert.equal(r3.steps, tiny);
  const r4 = checkLinearizability(ops2, splitCounter(), {
    witness: false,
    checkAllPartitions: true,
  });
  // checking all partitions: both refuted; the one refuted first (b, in round two) is named
  assert.deepEqual(r4.partitions.map((p) => p.verdict), ["illegal", "illegal"]);
  assert.equal(r4.steps, big + mid);
  assert.equal(
    r4.explanation,
    "not linearizable: group b (9 operations); no witness was asked for.",
  );
});

Deno.test("lin: a step budget is shared by the partitions; only the first unknown one is explained", () => {
  const ops = [...hardGroup("a", 12, 0), ...hardGroup("b", 12, 20)];
  // a gets 1024 steps, b the 476 left
  const res = checkLinearizability(ops, splitCounter(), { stepBudget: 1500 });
  assert.equal(res.verdict, "unknown");
  assert.equal(res.steps, 1500);
  assert.deepEqual(res.partitions.map((p) => p.steps), [1024, 476]);
  assert.deepEqual(res.partitions.map((p) => p.verdict), ["unknown", "unknown"]);
  // both reach the 12 adds; only group a keeps its prefix (ids 0..11)
  assert.deepEqual(res.partitions.map((p) => p.longestPrefix), [12, 12]);
  assert.deepEqual([...res.partitions[0].linearization].sort((x, y) => x - y), [
    ...Array(12).keys(),
  ]);
  assert.deepEqual(res.partitions[1].linearization, []);
  assert.equal(
    res.explanation,
    "unknown: the step budget (1500) ran out in group a (13 operations); " +
      "longest linearizable prefix found: 12 operations.",
  );
});

Deno.test("lin: partition results from zones and the short search index the whole history", () => {
  const kv = kvModel({ initial: null });
  // keys a (ok), b (stale) interleaved: a's ops are ids 0, 2, 4 and b's 1, 3, 5
  const h = history(
    { p: 0, f: "write", key: "a", in: "a1", at: [0, 1] },
    { p: 1, f: "write", key: "b", in: "b1", at: [0, 1] },
    { p: 0, f: "write", key: "a", in: "a2", at: [2, 3] },
    { p: 1, f: "write", key: "b", in: "b2", at: [2, 3] },
    { p: 0, f: "read", key: "a", out: "a2", at: [4, 5] },
    { p: 1, f: "read", key: "b", out: "b1", at: [4, 5] },
  );
  for (const zones of [true, false]) {
    const res = checkLinearizability(h, kv, { zones });
    assert.deepEqual(res.operations.map((o) => o.key), ["a", "b", "a", "b", "a", "b"]);
    const [a, b] = res.partitions;
    assert.equal(a.verdict, "ok");
    assert.deepEqual(a.linearization, [0, 2, 4]);
    assert.equal(a.longestPrefix, 3);
    assert.equal(b.verdict, "illegal");
    assert.equal(b.method, zones ? "zones" : "search");
    // b1, b2 linearized; stuck at the read of b1
    assert.deepEqual(b.linearization, [1, 3]);
    assert.equal(b.longestPrefix, 2);
    assert.deepEqual(b.frontier, [5]);
    assert.deepEqual(b.skipped, []);
    assert.deepEqual(res.witness!.operations.map((o) => o.id), [1, 3, 5]);
    assert.deepEqual(res.witness!.linearization, [1, 3]);
    assert.deepEqual(res.witness!.frontier, [5]);
    assert.deepEqual(res.witness!.partitionFrontier, [5]);
    if (zones) {
      assert.equal(a.method, "zones");
      assert.equal(a.steps, 0);
      assert.equal(a.cacheSize, 0);
      assert.deepEqual(a.frontier, []);
      assert.ok(b.steps > 0 && b.cacheSize > 0);
      assert.equal(res.steps, b.steps);
    }
  }
  // the short search: keys x and y of 64 sequential operations each, a stale read in both
  const seq = (key: string, p: number) =>
    sequential(64, 41).map((e) => ({ ...e, key, process: e.process + p }));
  const xs = seq("x", 0), ys = seq("y", 2);
  // interleave: every x event then the y event of the same time
  const both = xs.flatMap((e, i) => [e, ys[i]]);
  const bare = checkLinearizability(both, kv, { witness: false });
  assert.deepEqual(bare.partitions.map((p) => [p.label, p.method, p.verdict]), [
    ['key "x"', "search", "illegal"],
    ['key "y"', "search", "skipped"],
  ]);
  // no witness: no prefix kept, but its length is measured (the first 41 operations)
  assert.deepEqual(bare.partitions[0].linearization, []);
  assert.deepEqual(bare.partitions[0].frontier, []);
  assert.equal(bare.partitions[0].longestPrefix, 41);
  assert.equal(bare.steps, bare.partitions[0].steps);
  const all = checkLinearizability(both, kv, { witness: false, checkAllPartitions: true });
  assert.deepEqual(all.partitions.map((p) => p.verdict), ["illegal", "illegal"]);
  assert.equal(all.partitions[1].longestPrefix, 41);
  assert.equal(all.steps, all.partitions[0].steps + all.partitions[1].steps);
  assert.equal(
    all.explanation,
    'not linearizable: key "x" (64 operations); no witness was asked for.',
  );
  // with witnesses: the general search, the first partition named
  const full = checkLinearizability(both, kv, { checkAllPartitions: true });
  assert.deepEqual(full.partitions.map((p) => p.verdict), ["illegal", "illegal"]);
  assert.equal(full.witness!.partition, 0);
  assert.deepEqual(full.witness!.operations.map((o) => o.id), [76, 80, 82]);
  // ok: x's k-th operation is id 2k, y's 2k + 1, each linearized in order
  const oks = (key: string, p: number) =>
    sequential(64).map((e) => ({ ...e, key, process: e.process + p }));
  const xo = oks("x", 0), yo = oks("y", 2);
  const ok = checkLinearizability(xo.flatMap((e, i) => [e, yo[i]]), kv);
  assert.equal(ok.verdict, "ok");
  assert.deepEqual(ok.partitions.map((p) => p.method), ["search", "search"]);
  assert.deepEqual(ok.partitions[0].linearization, [...Array(64).keys()].map((k) => 2 * k));
  assert.deepEqual(ok.partitions[1].linearization, [...Array(64).keys()].map((k) => 2 * k + 1));
  assert.deepEqual(ok.partitions.map((p) => p.longestPrefix), [64, 64]);
  assert.deepEqual(ok.partitions[1].skipped, []);
  assert.equal(ok.steps, ok.partitions[0].steps + ok.partitions[1].steps);
});

Deno.test("lin: a register whose written values repeat is searched, not decided by zones", () => {
  const h = history(w(0, 1, [0, 1]), w(1, 1, [2, 3]), r(2, 1, [4, 5]));
  const res = checkLinearizability(h, registerModel());
  assert.equal(res.verdict, "ok");
  assert.equal(res.partitions[0].method, "search");
  assert.ok(res.steps > 0);
  const bad = history(w(0, 1, [0, 1]), w(1, 2, [2, 3]), w(1, 1, [4, 5]), r(2, 2, [6, 7]));
  assert.equal(checkLinearizability(bad, registerModel()).partitions[0].method, "search");
  assert.equal(checkLinearizability(bad, registerModel()).verdict, "illegal");
});

Deno.test("lin: a partition out of memory keeps no prefix (a second pass would run out too)", () => {
  const res = checkLinearizability(hardCounter(), counterModel(), { memoryBudget: 1 });
  assert.equal(res.partitions[0].outOfMemory, true);
  assert.deepEqual(res.partitions[0].linearization, []);
  assert.deepEqual(res.partitions[0].frontier, []);
});

/**
 * The generator's draws replayed from its description, for small cases: stream
 * `register-history/<overlap>/<clients>/<keys>` forked from the seed; each client's first free
 * time floor(uniform(0, 4)) (busy) or floor(uniform(0, 2·meanThink)) (sparse, meanThink =
 * 8·C·11); then per operation: the earliest free client (lowest id at ties), duration int(2, 20),
 * pause 1 + int(0, 1) (busy) or 1 + round(exponential(meanThink)), key int(0, keys - 1) when
 * keys > 1, a read with chance(readRatio), an effect point uniform(inv + 0.01, comp - 0.01).
 * Values are then assigned in effect order. Returns [process, key, write, inv, comp, value].
 */
function replayRegister(o: {
  ops: number;
  clients: number;
  keys: number;
  overlap: "busy" | "sparse";
  readRatio: number;
  seed: number;
  stale?: boolean;
}): [number, number, boolean, number, number, number][] {
  const rng = new Rng(o.seed).fork(`register-history/${o.overlap}/${o.clients}/${o.keys}`);
  const meanThink = 8 * o.clients * 11;
  const free: number[] = [];
  for (let p = 0; p < o.clients; p++) {
    free.push(Math.floor(rng.uniform(0, o.overlap === "busy" ? 4 : 2 * meanThink)));
  }
  const ops = [];
  for (let i = 0; i < o.ops; i++) {
    const p = free.indexOf(Math.min(...free)); // the lowest id among the earliest free
    const inv = free[p];
    const comp = inv + rng.int(2, 20);
    free[p] = comp + 1 +
      (o.overlap === "busy" ? rng.int(0, 1) : Math.round(rng.exponential(meanThink)));
    const key = o.keys === 1 ? 0 : rng.int(0, o.keys - 1);
    const write = !rng.chance(o.readRatio);
    ops.push({ p, key, write, inv, comp, point: rng.uniform(inv + 0.01, comp - 0.01), value: 0 });
  }
  const current = new Array<number>(o.keys).fill(0);
  let next = 1;
  const byPoint = [...ops].sort((a, b) => a.point - b.point);
  for (const x of byPoint) {
    if (x.write) current[x.key] = x.value = next++;
    else x.value = current[x.key];
  }
  if (o.stale) {
    // reads in effect order, tried from floor(n/4) + int(0, max(0, floor(n/2) - 1)) on, wrapping;
    // the first whose key has a write completed before it starts, and whose value then differs
    // from the stale one, gets it
    const reads = byPoint.filter((x) => !x.write);
    const start = reads.length === 0 ? 0 : Math.floor(reads.length / 4) +
      rng.int(0, Math.max(0, Math.floor(reads.length / 2) - 1));
    for (let k = 0; k < reads.length; k++) {
      const rd = reads[(start + k) % reads.length];
      const same = ops.filter((x) => x.write && x.key === rd.key);
      const before = same.filter((x) => x.comp < rd.inv);
      if (before.length === 0) continue;
      // the one started last (which one at equal starts does not matter: wOld depends on its start)
      const wNew = before.reduce((a, b) => (b.inv > a.inv ? b : a));
      const olds = same.filter((x) => x.comp < wNew.inv);
      const wOld = olds.length === 0
        ? undefined
        : olds.reduce((a, b) => (b.point > a.point ? b : a));
      const stale = wOld?.value ?? 0;
      if (stale === rd.value) continue;
      rd.value = stale;
      break;
    }
  }
  return ops.map((x) => [x.p, x.key, x.write, x.inv, x.comp, x.value]);
}

Deno.test("lin gen: small histories are exactly the replayed draws", () => {
  for (
    const o of [
      { ops: 12, clients: 3, keys: 1, overlap: "busy" as const, readRatio: 0.5, seed: 11 },
      { ops: 12, clients: 4, keys: 2, overlap: "busy" as const, readRatio: 0.4, seed: 12 },
      { ops: 10, clients: 3, keys: 3, overlap: "sparse" as const, readRatio: 0.5, seed: 13 },
      { ops: 30, clients: 5, keys: 1, overlap: "busy" as const, readRatio: 0.5, seed: 14 },
      { ops: 3000, clients: 6, keys: 1, overlap: "busy" as const, readRatio: 0.5, seed: 15 },
      ...[1, 2, 3, 4, 5, 6, 7, 8].map((seed) => ({
        ops: 40 + 5 * seed,
        clients: 2 + (seed % 4),
        keys: 1 + (seed % 3),
        overlap: "busy" as const,
        readRatio: 0.5,
        seed,
        stale: true,
      })),
      {
        ops: 60,
        clients: 3,
        keys: 2,
        overlap: "sparse" as const,
        readRatio: 0.6,
        seed: 9,
        stale: true,
      },
    ]
  ) {
    const want = replayRegister(o);
    const g = generateRegisterHistory(o);
    const got = pairByProcess(g.history).map((x) => [
      x.process,
      o.keys === 1 ? 0 : Number(x.key!.slice(1)),
      x.f === "write",
      x.inv,
      x.comp,
      x.output ?? 0,
    ]);
    // events are ordered by time, so compare as sets of operations
    const key = (a: unknown[]) => JSON.stringify(a);
    assert.deepEqual(got.map(key).sort(), want.map(key).sort(), JSON.stringify(o));
  }
});

Deno.test("lagging gen: operations follow the draws of the lagging-history stream", () => {
  // per operation: session int(0, S - 1), key int(0, K - 1), lag int(0, maxLag), write chance
  const o = { ops: 40, seed: 21, sessions: 5, keys: 3, replicas: 2, writeRatio: 0.4 };
  const rng = new Rng(21).fork("lagging-history");
  const want: string[] = [];
  for (let i = 0; i < o.ops; i++) {
    const p = rng.int(0, 4);
    const key = rng.int(0, 2);
    rng.int(0, 8);
    want.push(`${p} k${key} ${rng.chance(0.4) ? "write" : "read"}`);
  }
  const got = lagOps(generateLaggingHistory(o).history).slice(0, o.ops);
  assert.deepEqual(got.map((x) => `${x.process} ${x.key} ${x.f}`), want);
});

/** A generated register history with each value v written and read as [v] (no primitive key). */
function arrayValued(o: { ops: number; clients: number; seed: number; stale?: boolean }) {
  const g = generateRegisterHistory(o);
  return g.history.map((e) => ({ ...e, value: e.value === null ? null : [e.value] }));
}

Deno.test("lin: the short search of a large register partition takes 2n + min(n, 1000) steps", () => {
  // Values without a primitive key: the register search does not apply, the general search is
  // the short search. It needs far more than 2·100 + 100 = 300 steps on this history...
  const h = arrayValued({ ops: 100, clients: 10, seed: 3 });
  const searched = checkLinearizability(h, registerModel(), { witness: false, zones: false });
  assert.equal(searched.verdict, "ok");
  assert.ok(searched.steps > 300, String(searched.steps));
  // ...so it stops after 300 steps and zones decide
  const res = checkLinearizability(h, registerModel(), { witness: false });
  assert.equal(res.verdict, "ok");
  assert.equal(res.partitions[0].method, "zones");
  assert.equal(res.steps, 300);
  assert.equal(res.partitions[0].steps, 0);
  // 64 operations: 2·64 + 64 = 192
  const h64 = arrayValued({ ops: 64, clients: 8, seed: 3 });
  assert.ok(
    checkLinearizability(h64, registerModel(), { witness: false, zones: false }).steps > 192,
  );
  const r64 = checkLinearizability(h64, registerModel());
  assert.equal(r64.partitions[0].method, "zones");
  assert.equal(r64.steps, 192);
  // a stale read: zones refute a few operations after the 300 steps, and the abandoned short
  // search is not resumed even when every partition is checked
  const bad = arrayValued({ ops: 100, clients: 10, seed: 3, stale: true });
  for (const checkAllPartitions of [false, true]) {
    const r = checkLinearizability(bad, registerModel(), { checkAllPartitions });
    assert.equal(r.verdict, "illegal");
    assert.equal(r.partitions[0].method, "zones");
    assert.ok(r.partitions[0].steps > 0);
    assert.equal(r.steps, 300 + r.partitions[0].steps);
  }
  // a small one goes straight to zones
  const small = checkLinearizability(
    arrayValued({ ops: 63, clients: 8, seed: 3 }),
    registerModel(),
  );
  assert.equal(small.partitions[0].method, "zones");
  assert.equal(small.steps, 0);
  // sequential array values: the short search decides them (64 steps or so, within 192)
  const seq = sequential(64).map((e) => ({ ...e, value: e.value === null ? null : [e.value] }));
  const s = checkLinearizability(seq, registerModel());
  assert.equal(s.verdict, "ok");
  assert.equal(s.partitions[0].method, "search");
  assert.ok(s.steps > 0 && s.steps <= 192);
  assert.equal(s.partitions[0].steps, s.steps);
});

Deno.test("lin: a large register partition out of memory is unknown", () => {
  const res = checkLinearizability(sequential(64), registerModel(), { memoryBudget: 1 });
  assert.equal(res.verdict, "unknown");
  assert.equal(res.partitions[0].outOfMemory, true);
  assert.match(
    res.explanation,
    /^unknown: the memory budget \(1 bytes\) ran out in all operations \(64 operations\)/,
  );
});

Deno.test("lin: the short search of a later partition gets only the steps left", () => {
  const kv = kvModel({ initial: null });
  const oks = (key: string, p: number) =>
    sequential(64).map((e) => ({ ...e, key, process: e.process + p }));
  const xo = oks("x", 0), yo = oks("y", 2);
  const h = xo.flatMap((e, i) => [e, yo[i]]);
  const free = checkLinearizability(h, kv);
  assert.deepEqual(free.partitions.map((p) => p.method), ["search", "search"]);
  const s = free.partitions[0].steps;
  assert.equal(free.partitions[1].steps, s);
  // a budget of 1.5 s: x takes s, y's short search gets s/2 and stops; zones decide y
  const budget = s + Math.floor(s / 2);
  const res = checkLinearizability(h, kv, { stepBudget: budget });
  assert.equal(res.verdict, "ok");
  assert.deepEqual(res.partitions.map((p) => p.method), ["search", "zones"]);
  assert.equal(res.steps, budget);
});

Deno.test("lin: a partition without a register view gets no short search, even when large", () => {
  // group a: 70 concurrent adds and an impossible read (hard); group b: refuted at once
  const ops = [...hardGroup("a", 70, 0), ...hardGroup("b", 1, 100)];
  const res = checkLinearizability(ops, splitCounter(), { witness: false });
  assert.deepEqual(res.partitions.map((p) => p.verdict), ["skipped", "illegal"]);
  // a had the first round's 1024 steps only
  assert.equal(res.partitions[0].steps, 1024);
});

Deno.test("lin: the first unknown partition is explained even when an earlier one is ok", () => {
  // group a: one add and a read of its sum (ok); group b: hard, runs out of steps
  const okGroup = [
    op("add", 2, null, 0, 1, 0, "ok", 0, "a"),
    op("read", null, 2, 2, 3, 2, "ok", 0, "a"),
  ];
  const ops = [...okGroup, ...hardGroup("b", 12, 10)];
  const res = checkLinearizability(ops, splitCounter(), { stepBudget: 1500 });
  assert.equal(res.verdict, "unknown");
  assert.deepEqual(res.partitions.map((p) => p.verdict), ["ok", "unknown"]);
  assert.deepEqual(res.partitions[0].linearization, [0, 1]);
  // b's prefix: its 12 adds (ids 2..13)
  assert.deepEqual(
    [...res.partitions[1].linearization].sort((x, y) => x - y),
    [...Array(12).keys()].map((k) => k + 2),
  );
  assert.equal(
    res.explanation,
    "unknown: the step budget (1500) ran out in group b (13 operations); " +
      "longest linearizable prefix found: 12 operations.",
  );
});

Deno.test("lin: skipped and out-of-memory partitions are not searched a second time", () => {
  // witness wanted: the refuted group b is explained; a, left undecided, is not
  const ops1 = [...hardGroup("a", 12, 0), ...hardGroup("b", 1, 20)];
  const res = checkLinearizability(ops1, splitCounter());
  assert.deepEqual(res.partitions.map((p) => p.verdict), ["skipped", "illegal"]);
  assert.equal(res.partitions[0].steps, 1024);
  assert.deepEqual(res.partitions[0].linearization, []);
  assert.deepEqual(res.partitions[0].frontier, []);
  assert.equal(res.witness!.partition, 1);
  // out of memory deep in the search (20 kB hold a few hundred of the 1024 configurations of
  // 10 adds): no second pass (it would run out again)
  const oom = checkLinearizability(hardCounter(), counterModel(), { memoryBudget: 20_000 });
  assert.equal(oom.verdict, "unknown");
  assert.equal(oom.partitions[0].outOfMemory, true);
  assert.ok(oom.partitions[0].longestPrefix > 0);
  assert.deepEqual(oom.partitions[0].linearization, []);
});

Deno.test("lin: an info write that cannot have taken effect is reported as skipped", () => {
  // w2 ok at [0, 1]; w1 info, invoked at 2 with deadline 3; a read of 2 at [4, 5]. Had w1 taken
  // effect it did so after w2 (it started after w2 completed) and before the read: the read
  // would return 1. So every linearization takes w1 as not having taken effect.
  const ops = [
    op("write", 2, 2, 0, 1, 0, "ok", 0),
    op("write", 1, undefined, 2, 3, 2, "info", 1),
    op("read", null, 2, 4, 5, 4, "ok", 2),
  ];
  for (const zones of [true, false]) {
    const res = checkLinearizability(ops, registerModel(), { zones });
    assert.equal(res.verdict, "ok");
    const p = res.partitions[0];
    assert.equal(p.method, zones ? "zones" : "search");
    assert.deepEqual(p.skipped, [1]);
    assert.deepEqual([...p.linearization].sort(), [0, 1, 2]);
    assert.deepEqual(p.linearization.filter((id) => id !== 1), [0, 2]);
  }
  // the same after 64 sequential operations (the short register search decides it)
  const seq = pairOperations(sequential(64));
  const res = checkLinearizability([
    ...seq,
    op("write", 999, undefined, 130, 131, 200, "info", 3),
    op("read", null, 32, 140, 141, 202, "ok", 4),
  ], registerModel());
  assert.equal(res.verdict, "ok");
  assert.equal(res.partitions[0].method, "search");
  assert.deepEqual(res.partitions[0].skipped, [64]);
  // an info operation's output is never shown, whatever the operation carries
  const carried = [
    op("write", 1, 1, 0, 1, 0, "ok", 0),
    { ...op("write", 2, undefined, 2, 3, 2, "info", 1), output: 2 },
    op("read", null, 1, 4, 5, 4, "ok", 2),
    op("read", null, 2, 6, 7, 6, "ok", 0),
  ];
  const bad = checkLinearizability(carried, registerModel(), { minimize: false });
  assert.equal(bad.verdict, "illegal");
  const info = bad.witness!.operations.find((o) => o.id === 1)!;
  assert.equal(info.status, "info");
  assert.equal(info.output, undefined);
});

Deno.test("lin: a witness its own check cannot refute within the step budget falls back to the partition", () => {
  // the stale read of before, a later pending write; 6 steps refute the whole partition, but
  // the shrunk witness (w1 as context, its outcome forgotten) needs more: with a budget of
  // exactly 6 the unchecked witness is not shown, the whole partition is
  const h = history(
    w(0, 1, [0, 1]),
    w(1, 2, [2, 3]),
    r(2, 1, [4, 5]),
    r(0, 2, [6, 7]),
    w(3, 9, [20, 21], "pending"),
  );
  const whole = checkLinearizability(h, registerModel(), { zones: false, witness: false });
  assert.equal(whole.steps, 6);
  const res = checkLinearizability(h, registerModel(), { zones: false, stepBudget: 6 });
  assert.equal(res.verdict, "illegal");
  const wit = res.witness!;
  assert.equal(wit.minimal, false);
  assert.deepEqual(wit.operations.map((o) => o.id), [0, 1, 2, 3, 4]);
  // the four ok operations are critical, the pending write context
  assert.deepEqual(wit.operations.map((o) => o.role), [
    "critical",
    "critical",
    "critical",
    "critical",
    "context",
  ]);
  // the shrinking steps were spent all the same
  assert.ok(wit.minimizeSteps > 0);
  assert.equal(
    wit.explanation.split("\n")[0],
    "not linearizable: all operations (5 operations): the results of 4 operation(s) contradict " +
      "each other; shrinking stopped at its step budget, so the witness may not be minimal.",
  );
  // with two more steps the witness checks out
  const more = checkLinearizability(h, registerModel(), { zones: false, stepBudget: 8 });
  assert.equal(more.witness!.minimal, true);
  assert.deepEqual(more.witness!.operations.map((o) => o.id), [0, 1, 2]);
});
