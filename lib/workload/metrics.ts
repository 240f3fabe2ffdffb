/**
 * Metrics from histories and traces: latency quantiles, throughput and availability per time
 * window (overall and per side of a partition), and messages per operation.
 * @module
 */
import { quantileSorted } from "d3-array";
import type { Operation } from "./history.ts";
import type { TraceRecord } from "../sim/types.ts";

/** Latency of a completed operation in ms (ok or fail); undefined for unknown outcomes. */
export function latencyMs(op: Operation): number | undefined {
  return Number.isFinite(op.completeMs) ? op.completeMs - op.invokeMs : undefined;
}

/** Latency quantiles of ok operations, e.g. `{ 0.5: 3.1, 0.99: 40 }`; NaN when there are none. */
export function latencyQuantiles(
  ops: readonly Operation[],
  quantiles: readonly number[] = [0.5, 0.9, 0.99, 1],
): Record<string, number> {
  const xs = ops.filter((o) => o.status === "ok").map((o) => o.completeMs - o.invokeMs)
    .sort((a, b) => a - b);
  const out: Record<string, number> = {};
  for (const q of quantiles) out[String(q)] = xs.length ? quantileSorted(xs, q)! : NaN;
  return out;
}

/** One time window's counts. */
export interface WindowRow {
  /** Window start in ms (inclusive). */
  readonly startMs: number;
  /** Window end in ms (exclusive). */
  readonly endMs: number;
  /** Operations invoked in the window. */
  readonly invoked: number;
  /** Operations that completed ok in the window (by completion time). */
  readonly ok: number;
  /** Operations that completed with `fail` in the window (by completion time). */
  readonly fail: number;
  /** Invoked in the window with an unknown outcome. */
  readonly info: number;
  /** ok completions per second. */
  readonly throughputPerSec: number;
  /** Fraction of operations invoked in the window that completed ok (NaN when none). */
  readonly availability: number;
  /** Median latency of ok operations completed in the window (NaN when none). */
  readonly latencyMsP50: number;
}

/** Options of {@link perWindow}. */
export interface WindowOptions {
  /** Window width (default 1000 ms). */
  readonly windowMs?: number;
  /** First window start (default 0). */
  readonly fromMs?: number;
  /** End of the last window (default: the last event time). */
  readonly toMs?: number;
}

/** Throughput, availability and median latency per time window. */
export function perWindow(ops: readonly Operation[], options: WindowOptions = {}): WindowRow[] {
  const w = options.windowMs ?? 1000;
  if (!(w > 0)) throw new RangeError("perWindow: windowMs must be > 0");
  const from = options.fromMs ?? 0;
  let to = options.toMs ?? 0;
  if (options.toMs === undefined) {
    for (const o of ops) {
      to = Math.max(to, o.invokeMs, Number.isFinite(o.completeMs) ? o.completeMs : 0);
    }
  }
  const k = Math.max(1, Math.ceil((to - from) / w));
  const inv = new Array(k).fill(0), invOk = new Array(k).fill(0), ok = new Array(k).fill(0);
  const fail = new Array(k).fill(0), info = new Array(k).fill(0);
  const lat: number[][] = Array.from({ length: k }, () => []);
  const slot = (t: number) => Math.floor((t - from) / w);
  for (const o of ops) {
    const i = slot(o.invokeMs);
    if (i >= 0 && i < k) {
      inv[i]++;
      if (o.status === "ok") invOk[i]++;
      if (o.status === "info") info[i]++;
    }
    if (Number.isFinite(o.completeMs)) {
      const j = slot(o.completeMs);
      if (j >= 0 && j < k) {
        if (o.status === "ok") {
          ok[j]++;
          lat[j].push(o.completeMs - o.invokeMs);
        } else if (o.status === "fail") fail[j]++;
      }
    }
  }
  return inv.map((_, i) => {
    const l = lat[i].sort((a, b) => a - b);
    return {
      startMs: from + i * w,
      endMs: from + (i + 1) * w,
      invoked: inv[i],
      ok: ok[i],
      fail: fail[i],
      info: info[i],
      throughputPerSec: ok[i] * 1000 / w,
      availability: inv[i] ? invOk[i] / inv[i] : NaN,
      latencyMsP50: l.length ? quantileSorted(l, 0.5)! : NaN,
    };
  });
}

/** Availability (fraction ok) per window and per side, where `sideOf` names an operation's side. */
export function availabilityBySide(
  ops: readonly Operation[],
  sideOf: (op: Operation) => string,
  options: WindowOptions = {},
): { side: string; startMs: number; endMs: number; availability: number; invoked: number }[] {
  const sides = new Map<string, Operation[]>();
  for (const o of ops) {
    const s = sideOf(o);
    let l = sides.get(s);
    if (!l) sides.set(s, l = []);
    l.push(o);
  }
  let to = options.toMs;
  if (to === undefined) {
    to = 0;
    for (const o of ops) {
      to = Math.max(to, o.invokeMs, Number.isFinite(o.completeMs) ? o.completeMs : 0);
    }
  }
  const out = [];
  for (const side of [...sides.keys()].sort()) {
    for (const r of perWindow(sides.get(side)!, { ...options, toMs: to })) {
      out.push({
        side,
        startMs: r.startMs,
        endMs: r.endMs,
        availability: r.availability,
        invoked: r.invoked,
      });
    }
  }
  return out;
}

/** Messages sent per ok operation (pass `sim.stats.sent`, or a count of trace send records). */
export function messagesPerOperation(messagesSent: number, ops: readonly Operation[]): number {
  const ok = ops.filter((o) => o.status === "ok").length;
  return ok ? messagesSent / ok : NaN;
}

/**
 * Messages counted from a trace: every send record, or only those between `among` nodes (e.g. the
 * servers, leaving out client requests and replies). Needs a full trace (sampled traces keep one
 * message in `sampleEvery`; multiply, or use `sim.stats.sent`).
 */
export function messagesInTrace(
  records: readonly TraceRecord[],
  options: { among?: readonly string[]; fromMs?: number; toMs?: number } = {},
): number {
  const among = options.among ? new Set(options.among) : undefined;
  const lo = options.fromMs ?? -Infinity, hi = options.toMs ?? Infinity;
  let n = 0;
  for (const r of records) {
    if (r.type !== "send" || r.t < lo || r.t >= hi) continue;
    if (among && !(among.has(r.from) && among.has(r.to))) continue;
    n++;
  }
  return n;
}
