/** Deterministic synthetic traces and operations for the viz tests (no simulator needed). */
import type { TraceRecord } from "@lab/sim/types.ts";
import type { LatencyOp } from "@lab/viz/mod.ts";

/** A tiny LCG so fixtures are the same on every run. */
export function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** `n` operations over `spanMs`, every 10th a fail, every 50th an info. */
export function syntheticOps(n: number, spanMs = 10_000, seed = 1): LatencyOp[] {
  const r = lcg(seed);
  const ops: LatencyOp[] = [];
  for (let i = 0; i < n; i++) {
    const invokeMs = (i * spanMs) / n;
    const lat = 1 + 20 * r() + (r() < 0.01 ? 200 : 0);
    const status = i % 50 === 49 ? "info" : i % 10 === 9 ? "fail" : "ok";
    ops.push({
      f: i % 3 === 0 ? "write" : "read",
      status,
      invokeMs,
      completeMs: status === "info" ? Infinity : invokeMs + lat,
      process: i % 5,
    });
  }
  return ops;
}

/** A trace of `n` messages among `nodes` nodes; every 7th message dropped; timers and a crash. */
export function syntheticTrace(n: number, nodes = 3, seed = 2): TraceRecord[] {
  const r = lcg(seed);
  const out: TraceRecord[] = [];
  const pending: TraceRecord[] = [];
  for (let i = 0; i < n; i++) {
    const t = i * 2;
    const from = `n${i % nodes}`;
    const to = `n${(i + 1 + (i % 2)) % nodes}`;
    const msg = { type: i % 2 === 0 ? "AppendEntries" : "AppendEntriesReply", term: 1, index: i };
    out.push({ type: "send", t, id: i, from, to, msg, sizeBytes: 64 });
    const lat = 1 + 5 * r();
    if (i % 7 === 3) {
      pending.push({ type: "drop", t: t + lat / 2, id: i, from, to, msg, reason: "loss" });
    } else if (i !== n - 1) {
      pending.push({ type: "deliver", t: t + lat, id: i, from, to, msg, sentAt: t });
    }
    if (i % 10 === 0) out.push({ type: "timer", t, node: from, name: "heartbeat" });
  }
  out.push({ type: "crash", t: n / 2, node: "n1" });
  out.push({ type: "restart", t: n, node: "n1" });
  out.push({ type: "event", t: 1, node: "n0", event: { type: "role", role: "leader", term: 1 } });
  for (const p of pending) out.push(p);
  return out.sort((a, b) => a.t - b.t);
}
