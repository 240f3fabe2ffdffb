/**
 * The polynomial checkers (causal CC/CCv, session guarantees, convergence, staleness) on a
 * 100,000-operation history (CM on 20,000), with operations checked per second printed. The history comes from
 * a seeded run of an atomic key-value store (so every model holds), then one read is made stale
 * to show the violation is found at that size too.
 */
import assert from "node:assert/strict";
import {
  checkCausal,
  checkQuiescentReads,
  checkSessionGuarantees,
  checkStaleness,
} from "@lab/checkers/mod.ts";
import type { History, HistoryEvent } from "@lab/workload/history.ts";

const OPS = 100_000;

/** A seeded history of an atomic store: `sessions` clients, `keys` keys, 30% writes. */
function atomicStoreHistory(ops: number, sessions: number, keys: number, seed: number): History {
  let x = seed >>> 0;
  const rand = () => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0; // LCG: deterministic
    return x / 2 ** 32;
  };
  const store = new Map<string, number>();
  const events: HistoryEvent[] = [];
  let value = 0;
  for (let i = 0; i < ops; i++) {
    const process = Math.floor(rand() * sessions);
    const key = `k${Math.floor(rand() * keys)}`;
    const t = 2 * i;
    if (i >= ops - 2 * keys || rand() >= 0.3) {
      const v = store.get(key) ?? null;
      events.push({ type: "invoke", process, f: "read", key, value: null, timeMs: t });
      events.push({ type: "ok", process, f: "read", key, value: v, timeMs: t + 1 });
    } else {
      const v = ++value;
      store.set(key, v);
      events.push({ type: "invoke", process, f: "write", key, value: v, timeMs: t });
      events.push({ type: "ok", process, f: "write", key, value: v, timeMs: t + 1 });
    }
  }
  return events;
}

function timed<T>(label: string, ops: number, f: () => T): T {
  const t0 = performance.now();
  const out = f();
  const ms = performance.now() - t0;
  console.log(
    `${label}: ${ops} ops in ${ms.toFixed(0)} ms (${Math.round(ops / (ms / 1000))} ops/s)`,
  );
  return out;
}

Deno.test("scale: 100,000 operations through the polynomial checkers", () => {
  const h = atomicStoreHistory(OPS, 16, 1000, 42);
  for (const model of ["CC", "CCv"] as const) {
    const r = timed(`causal ${model}`, OPS, () => checkCausal(h, { model }));
    assert.equal(r.verdict, "ok", r.explanation);
  }
  const s = timed("session guarantees", OPS, () => checkSessionGuarantees(h));
  assert.equal(s.verdict, "ok", s.explanation);
  const q = timed(
    "convergence (quiescent reads)",
    OPS,
    () => checkQuiescentReads(h, { quiescentAtMs: 2 * (OPS - 2000) }),
  );
  assert.equal(q.verdict, "ok", q.explanation);
  const st = timed("staleness", OPS, () => checkStaleness(h, { k: 1 }));
  assert.equal(st.verdict, "ok", st.explanation);

  // One stale read in the middle: a read that returns the initial value of a key its own session
  // wrote earlier.
  const events = [...h];
  const i = events.findIndex((e, j) =>
    j > OPS && e.type === "ok" && e.f === "read" && e.value !== null &&
    events.slice(0, j).some((w) =>
      w.type === "ok" && w.f === "write" && w.process === e.process &&
      w.key === e.key
    )
  );
  events[i] = { ...events[i], value: null };
  const bad = timed("causal CC, one stale read", OPS, () => checkCausal(events));
  assert.equal(bad.witness?.pattern, "WriteCOInitRead");
  assert.equal(bad.witness!.core.length, 2);
});

Deno.test("scale: causal memory (CM) on 20,000 operations", () => {
  // CM saturates a happens-before order per session, recomputing the clocks each round: about
  // S times the cost of CC, so it runs on a fifth of the history here.
  const n = 20_000;
  const h = atomicStoreHistory(n, 16, 1000, 7);
  const r = timed("causal CM", n, () => checkCausal(h, { model: "CM" }));
  assert.equal(r.verdict, "ok", r.explanation);
});
