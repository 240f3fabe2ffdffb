/**
 * A seeded generator of read/write register histories for the linearizability checker's
 * benchmarks and tests: closed-loop clients issue reads and writes of unique values against an
 * atomic register (or one register per key), each operation taking effect at a random instant
 * inside its interval, so the history is linearizable by construction. Optionally one read is
 * then made stale: it returns a value that two writes strictly before it had already replaced,
 * which no linearization can explain. "busy" keeps every client always in an operation (as many
 * operations overlap as there are clients); "sparse" spaces them out (about one in eight
 * overlaps another). Same options, same history.
 * @module
 */
import { z } from "zod";
import { Rng } from "../sim/rng.ts";
import { parseConfig } from "../sim/errors.ts";
import type { HistoryEvent } from "../workload/history.ts";

/** Options of {@link generateRegisterHistory}. */
export const RegisterHistorySchema = z.object({
  /** Operations in the history. */
  ops: z.number().int().min(1).max(10_000_000),
  /** Client processes (each has one operation outstanding at a time). */
  clients: z.number().int().min(1).max(100_000),
  /** Registers: 1 gives a single register (no `key`); more give keys k0, k1, ... Default 1. */
  keys: z.number().int().min(1).max(1_000_000).default(1),
  /** "busy": back-to-back operations; "sparse": long pauses between them. Default "busy". */
  overlap: z.enum(["busy", "sparse"]).default("busy"),
  /** Make one read stale (the history is then not linearizable). Default false. */
  stale: z.boolean().default(false),
  /** Fraction of reads. Default 0.5. */
  readRatio: z.number().min(0).max(1).default(0.5),
  /** Seed of the generator. Default 1. */
  seed: z.union([z.number(), z.string()]).default(1),
}).strict();

/** Options of {@link generateRegisterHistory} (see {@link RegisterHistorySchema}). */
export type RegisterHistoryOptions = z.input<typeof RegisterHistorySchema>;

/** A generated register history. */
export interface RegisterHistory {
  /** invoke/ok events in time order (calls before returns at equal times). */
  readonly history: HistoryEvent[];
  /** Operations in the history. */
  readonly operations: number;
  /** The stale read, when `stale` was asked and one could be made (index of its invoke event). */
  readonly staleRead?: {
    readonly invokeIndex: number;
    readonly key?: string;
    readonly value: number | null;
    /** The value it returned before being made stale. */
    readonly was: number | null;
  };
  /** Linearizable by construction: true unless a stale read was planted. */
  readonly linearizable: boolean;
}

/** Validate generator options; throws ConfigError naming the field. */
export function parseRegisterHistoryOptions(
  input: unknown,
): z.output<typeof RegisterHistorySchema> {
  return parseConfig(RegisterHistorySchema, input, "register history options");
}

interface GenOp {
  process: number;
  key: number;
  write: boolean;
  value: number; // written value, or value read (0: initial, emitted as null)
  inv: number;
  comp: number;
  point: number;
}

const DURATION = [2, 20] as const;

/**
 * Generate a register history (see the module comment). Reads of the initial value return null;
 * written values are unique positive integers. Deterministic in its options.
 */
export function generateRegisterHistory(options: RegisterHistoryOptions): RegisterHistory {
  const o = parseRegisterHistoryOptions(options);
  const rng = new Rng(o.seed).fork(`register-history/${o.overlap}/${o.clients}/${o.keys}`);
  const C = o.clients;
  const meanDur = (DURATION[0] + DURATION[1]) / 2;
  // sparse: each client pauses ~8·C mean durations, so ~1/8 of operations overlap another
  // Stryker disable next-line StringLiteral: equivalent — meanThink is read only when overlap is "sparse"
  const meanThink = o.overlap === "busy" ? 0.5 : 8 * C * meanDur;
  const free = new Float64Array(C);
  for (let p = 0; p < C; p++) {
    free[p] = Math.floor(rng.uniform(0, o.overlap === "busy" ? 4 : 2 * meanThink));
  }
  const ops: GenOp[] = [];
  for (let i = 0; i < o.ops; i++) {
    let p = 0;
    for (let q = 1; q < C; q++) if (free[q] < free[p]) p = q;
    const inv = free[p];
    const comp = inv + rng.int(DURATION[0], DURATION[1]);
    free[p] = comp + 1 +
      Math.round(o.overlap === "busy" ? rng.int(0, 1) : rng.exponential(meanThink));
    ops.push({
      process: p,
      key: o.keys === 1 ? 0 : rng.int(0, o.keys - 1),
      write: !rng.chance(o.readRatio),
      value: 0,
      inv,
      comp,
      point: rng.uniform(inv + 0.01, comp - 0.01),
    });
  }
  // Apply the operations atomically at their points: reads see the latest write of their key.
  const byPoint = ops.map((_, i) => i).sort((a, b) => ops[a].point - ops[b].point);
  const current = new Float64Array(o.keys);
  let nextValue = 1;
  for (const i of byPoint) {
    const op = ops[i];
    if (op.write) current[op.key] = op.value = nextValue++;
    else op.value = current[op.key];
  }
  let staleAt = -1;
  let was = 0;
  if (o.stale) {
    const s = makeStale(ops, byPoint, rng);
    if (s !== undefined) ({ at: staleAt, was } = s);
  }
  // Events: by time, calls before returns, then by operation.
  const ends: number[] = [];
  for (let i = 0; i < ops.length; i++) ends.push(2 * i, 2 * i + 1);
  const time = (e: number) => (e & 1 ? ops[e >> 1].comp : ops[e >> 1].inv);
  ends.sort((a, b) => time(a) - time(b) || (a & 1) - (b & 1) || a - b);
  const history: HistoryEvent[] = [];
  let staleIndex = -1;
  for (const e of ends) {
    const op = ops[e >> 1];
    const f = op.write ? "write" : "read";
    const value = op.value === 0 ? null : op.value;
    const key = o.keys === 1 ? undefined : `k${op.key}`;
    if ((e & 1) === 0) {
      if (e >> 1 === staleAt) staleIndex = history.length;
      history.push({
        type: "invoke",
        process: op.process,
        f,
        ...(key === undefined ? {} : { key }),
        value: op.write ? value : null,
        timeMs: op.inv,
      });
    } else {
      history.push({
        type: "ok",
        process: op.process,
        f,
        ...(key === undefined ? {} : { key }),
        value,
        timeMs: op.comp,
      });
    }
  }
  const staleOp = staleAt >= 0 ? ops[staleAt] : undefined;
  return {
    history,
    operations: ops.length,
    linearizable: staleOp === undefined,
    ...(staleOp === undefined ? {} : {
      staleRead: {
        invokeIndex: staleIndex,
        ...(o.keys === 1 ? {} : { key: `k${staleOp.key}` }),
        value: staleOp.value === 0 ? null : staleOp.value,
        was: was === 0 ? null : was,
      },
    }),
  };
}

/**
 * Make one read stale: a read r gets the value of a write wOld such that some write wNew of the
 * same key starts after wOld completed and completes before r starts (or the initial value, when
 * such a wNew exists but no wOld). Every linearization then orders wOld < wNew < r, so r cannot
 * read wOld's (unique) value. Reads are tried from a random one in the middle half onwards.
 */
function makeStale(
  ops: GenOp[],
  byPoint: readonly number[],
  rng: Rng,
): { at: number; was: number } | undefined {
  const reads = byPoint.filter((i) => !ops[i].write);
  if (reads.length === 0) return undefined;
  const start = Math.floor(reads.length / 4) +
    rng.int(0, Math.max(0, Math.floor(reads.length / 2) - 1));
  for (let k = 0; k < reads.length; k++) {
    const r = ops[reads[(start + k) % reads.length]];
    // wNew: among writes of r's key completed before r starts, the one started last
    let wNew: GenOp | undefined;
    let wOld: GenOp | undefined;
    for (const i of byPoint) {
      const w = ops[i];
      if (w.point > r.point) break;
      if (!w.write || w.key !== r.key || w.comp >= r.inv) continue;
      if (wNew === undefined || w.inv > wNew.inv) wNew = w;
    }
    if (wNew === undefined) continue;
    for (const i of byPoint) {
      const w = ops[i];
      if (w.point > wNew.point) break;
      if (w.write && w.key === r.key && w.comp < wNew.inv) wOld = w; // the latest such, by point
    }
    const stale = wOld === undefined ? 0 : wOld.value;
    if (stale === r.value) continue;
    const was = r.value;
    r.value = stale;
    return { at: ops.indexOf(r), was };
  }
  return undefined;
}
