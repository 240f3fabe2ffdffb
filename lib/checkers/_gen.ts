/**
 * A seeded generator of large read/write histories for benchmarks and scale tests: a store whose
 * replicas apply one global log of writes, each replica lagging behind the log's end by a random
 * number of writes. Sessions stick to a replica; a write first brings its replica up to date and
 * then appends to the log (as if through a sequencer), so every replica's state is a prefix of
 * the log. Such a history is sequentially consistent (hence causal, with every session guarantee)
 * but not linearizable: reads are stale by up to `maxLagWrites` versions. After the last
 * operation every replica catches up and each session reads every key once (the quiescent
 * phase, for the convergence check). Each value is written once (a differentiated history).
 * @module
 */
import { Rng } from "../sim/rng.ts";
import type { HistoryEvent } from "../workload/history.ts";

/** Options of {@link generateLaggingHistory}. */
export interface LaggingHistoryOptions {
  /** Operations before the quiescent phase. */
  readonly ops: number;
  /** Seed of the generator. Default 1. */
  readonly seed?: number;
  /** Sessions (client processes). Default 16. */
  readonly sessions?: number;
  /** Keys k0..k{keys-1}. Default 1000. */
  readonly keys?: number;
  /** Replicas sessions are spread over. Default 4. */
  readonly replicas?: number;
  /** Fraction of writes. Default 0.3. */
  readonly writeRatio?: number;
  /** A replica trails the log by at most this many writes. Default 8. */
  readonly maxLagWrites?: number;
}

/** A generated history and when its quiescent phase starts. */
export interface LaggingHistory {
  /** invoke/ok events, one operation at a time (times 2i and 2i + 1). */
  readonly history: HistoryEvent[];
  /** The quiescent phase (catch-up reads) starts here. */
  readonly quiescentAtMs: number;
  /** Operations in the history, quiescent phase included. */
  readonly operations: number;
}

/** Generate a sequentially consistent, stale-reading history (see the module comment). */
export function generateLaggingHistory(options: LaggingHistoryOptions): LaggingHistory {
  const sessions = options.sessions ?? 16;
  const keys = options.keys ?? 1000;
  const R = options.replicas ?? 4;
  const writeRatio = options.writeRatio ?? 0.3;
  const maxLag = options.maxLagWrites ?? 8;
  const rng = new Rng(options.seed ?? 1).fork("lagging-history");
  const log: { key: number; value: number }[] = [];
  const applied = new Int32Array(R); // replica r holds log[0 .. applied[r])
  const state = Array.from({ length: R }, () => new Int32Array(keys)); // 0: initial
  const catchUp = (r: number, upTo: number) => {
    for (let i = applied[r]; i < upTo; i++) state[r][log[i].key] = log[i].value;
    applied[r] = Math.max(applied[r], upTo);
  };
  const events: HistoryEvent[] = [];
  let t = 0;
  const emit = (process: number, f: "read" | "write", key: number, value: number) => {
    const k = `k${key}`;
    const v = value === 0 ? null : value;
    events.push({ type: "invoke", process, f, key: k, value: f === "write" ? v : null, timeMs: t });
    events.push({ type: "ok", process, f, key: k, value: v, timeMs: t + 1 });
    t += 2;
  };
  for (let i = 0; i < options.ops; i++) {
    const p = rng.int(0, sessions - 1);
    const r = p % R;
    const key = rng.int(0, keys - 1);
    // the replica advances to somewhere within maxLag of the log's end (never backwards)
    catchUp(r, Math.max(applied[r], log.length - rng.int(0, maxLag)));
    if (rng.chance(writeRatio)) {
      catchUp(r, log.length);
      log.push({ key, value: log.length + 1 });
      catchUp(r, log.length);
      emit(p, "write", key, log.length);
    } else {
      emit(p, "read", key, state[r][key]);
    }
  }
  const quiescentAtMs = t;
  for (let r = 0; r < R; r++) catchUp(r, log.length);
  for (let p = 0; p < Math.min(sessions, R); p++) {
    for (let key = 0; key < keys; key++) emit(p, "read", key, state[p % R][key]);
  }
  return { history: events, quiescentAtMs, operations: events.length / 2 };
}
