import assert from "node:assert/strict";
import type { NodeContext, NodeId, ProtocolNode } from "@lab/sim/mod.ts";
import { createCluster } from "@lab/net/mod.ts";
import {
  availabilityBySide,
  type ClientDriver,
  installWorkload,
  latencyQuantiles,
  messagesInTrace,
  messagesPerOperation,
  type Operation,
  pairOperations,
  perWindow,
} from "@lab/workload/mod.ts";

type Msg =
  | { type: "req"; id: number; f: string; value: unknown }
  | { type: "resp"; id: number; value: unknown };

/** A single-node register server that counts how many times it applied each request id. */
function registerServer(ctx: NodeContext<Msg>): ProtocolNode<Msg> {
  let value: unknown = null;
  return {
    onMessage(from: NodeId, m: Msg) {
      if (m.type !== "req") return;
      ctx.emit({ type: "apply", id: m.id });
      if (m.f === "write") value = m.value;
      ctx.send(from, { type: "resp", id: m.id, value: m.f === "read" ? value : m.value });
    },
  };
}

const driver: ClientDriver<Msg> = {
  request: (ctx, op) => ctx.send(op.home, { type: "req", id: op.id, f: op.f, value: op.value }),
  response: (_ctx, _from, m) =>
    m.type === "resp" ? { id: m.id, type: "ok", value: m.value } : undefined,
};

const gen = (rng: import("@lab/sim/mod.ts").Rng) =>
  rng.chance(0.5) ? { f: "read", value: null } : { f: "write", value: rng.int(0, 9) };

Deno.test("workload: closed-loop clients keep one operation each in flight", () => {
  const c = createCluster<Msg>({
    seed: 1,
    nodes: 1,
    factory: registerServer,
    network: { latency: { kind: "constant", ms: 5 } },
  });
  const w = installWorkload(c.sim, driver, gen, {
    mode: "closed",
    clients: 4,
    thinkTimeMs: 10,
    endMs: 1000,
  });
  c.sim.run({ untilMs: 2000 });
  const ops = pairOperations(w.history);
  // each op: 10 ms round trip + 10 ms think => 50 per client in 1000 ms
  assert.equal(ops.length, 4 * 50);
  assert.ok(ops.every((o) => o.status === "ok" && o.completeMs - o.invokeMs === 10));
  const reads = ops.filter((o) => o.f === "read");
  assert.ok(reads.length > 50);
  assert.equal(latencyQuantiles(ops)["0.5"], 10);
  assert.equal(messagesPerOperation(c.sim.stats.sent, ops), 2);
  assert.equal(messagesInTrace(c.sim.trace.records), c.sim.stats.sent);
  assert.equal(
    messagesInTrace(c.sim.trace.records, { among: ["n0"] }),
    0,
    "no server-to-server traffic",
  );
  assert.equal(messagesInTrace(c.sim.trace.records, { toMs: 500 }) > 0, true);
});

Deno.test("workload: open-loop arrivals are Poisson at the configured rate", () => {
  const c = createCluster<Msg>({
    seed: 2,
    nodes: 1,
    factory: registerServer,
    trace: { mode: "off" },
  });
  const rate = 500; // per second
  const w = installWorkload(c.sim, driver, gen, {
    mode: "open",
    ratePerSec: rate,
    clients: 2,
    endMs: 20_000,
  });
  c.sim.run({ untilMs: 21_000 });
  const ops = pairOperations(w.history);
  const expected = rate * 20;
  assert.ok(Math.abs(ops.length - expected) < 5 * Math.sqrt(expected), `${ops.length} arrivals`);
  // inter-arrival coefficient of variation ≈ 1 for a Poisson process
  const ts = ops.map((o) => o.invokeMs).sort((a, b) => a - b);
  const gaps = ts.slice(1).map((t, i) => t - ts[i]);
  const m = gaps.reduce((a, b) => a + b, 0) / gaps.length;
  const sd = Math.sqrt(gaps.reduce((a, b) => a + (b - m) ** 2, 0) / gaps.length);
  assert.ok(Math.abs(sd / m - 1) < 0.05, `cv ${sd / m}`);
  // a process never has two operations in flight (pairOperations would throw)
  assert.ok(ops.every((o) => o.status === "ok"));
});

Deno.test("workload: timeouts become info, retries reuse the request id", () => {
  const c = createCluster<Msg>({
    seed: 3,
    nodes: 1,
    factory: registerServer,
    network: { latency: { kind: "constant", ms: 5 } },
    nemesis: [{ atMs: 100, type: "crash", node: "n0" }, { atMs: 400, type: "restart", node: "n0" }],
  });
  const w = installWorkload(c.sim, driver, (rng) => ({ f: "write", value: rng.int(0, 9) }), {
    clients: 1,
    endMs: 600,
    timeoutMs: 50,
    retries: 2,
  });
  c.sim.run({ untilMs: 1000 });
  const ops = pairOperations(w.history);
  const info = ops.filter((o) => o.status === "info");
  assert.ok(info.length >= 1, "operations during the crash time out");
  assert.ok(info.every((o) => o.invokeMs >= 90 && o.invokeMs < 400));
  // processes with an unknown outcome are retired (Jepsen)
  const processes = new Set(ops.map((o) => o.process));
  assert.equal(processes.size, info.length + 1);
  // retried requests carry the same id: the server may apply one id more than once
  const applies = c.sim.events.filter((e) => e.event.type === "apply").map((e) => e.event.id);
  const last = ops.at(-1)!;
  assert.equal(last.status, "ok");
  assert.ok(applies.length >= ops.filter((o) => o.status === "ok").length);
});

Deno.test("workload: bad workload parameters name the field", () => {
  const c = createCluster<Msg>({ seed: 1, nodes: 1, factory: registerServer });
  assert.throws(
    () => installWorkload(c.sim, driver, gen, { endMs: 100, ratePerSec: 0 }),
    /workload config: ratePerSec/,
  );
  assert.throws(
    () => installWorkload(c.sim, driver, gen, { endMs: 100, mode: "burst" as "open" }),
    /mode/,
  );
  assert.throws(() => installWorkload(c.sim, driver, gen, {} as { endMs: number }), /endMs/);
});

function op(
  invokeMs: number,
  completeMs: number,
  status: Operation["status"],
  process = 0,
): Operation {
  return {
    process,
    f: "write",
    input: 1,
    output: undefined,
    status,
    invokeMs,
    completeMs: status === "info" ? Infinity : completeMs,
    invokeIndex: 0,
    completeIndex: 0,
  };
}

Deno.test("metrics: per-window throughput, availability and latency by hand", () => {
  const ops = [
    op(0, 10, "ok"),
    op(100, 300, "ok"),
    op(500, 900, "fail"),
    op(1200, 1250, "ok"),
    op(1500, 0, "info"),
  ];
  const rows = perWindow(ops, { windowMs: 1000, toMs: 2000 });
  assert.equal(rows.length, 2);
  assert.deepEqual(
    rows.map((
      r,
    ) => [r.invoked, r.ok, r.fail, r.info, r.throughputPerSec, r.availability, r.latencyMsP50]),
    [[3, 2, 1, 0, 2, 2 / 3, 105], [2, 1, 0, 1, 1, 0.5, 50]],
  );
  const q = latencyQuantiles(ops, [0, 0.5, 1]);
  assert.deepEqual(q, { "0": 10, "0.5": 50, "1": 200 });
  const sides = availabilityBySide(ops, (o) => (o.invokeMs < 1000 ? "left" : "right"), {
    windowMs: 2000,
  });
  assert.deepEqual(sides.map((s) => [s.side, s.availability]), [["left", 2 / 3], ["right", 0.5]]);
});

Deno.test("history: pairing rejects a completion without an invoke", () => {
  assert.throws(
    () => pairOperations([{ type: "ok", process: 3, f: "read", value: 1, timeMs: 0 }]),
    /history\[0\]: process 3 completes/,
  );
});

/** A driver that records every request it is asked to send: (id, attempt, home, time). */
function recordingDriver(sim: { readonly nowMs: number }) {
  const sent: { id: number; attempt: number; home: string; t: number }[] = [];
  const d: ClientDriver<Msg | { type: "retry"; id: number; redirect: string }> = {
    request: (ctx, op) => {
      sent.push({ id: op.id, attempt: op.attempt, home: op.home, t: sim.nowMs });
      ctx.send(op.home, { type: "req", id: op.id, f: op.f, value: op.value });
    },
    response: (_ctx, _from, m) =>
      m.type === "resp"
        ? { id: m.id, type: "ok", value: m.value }
        : m.type === "retry"
        ? { id: m.id, type: "retry", error: "not here", redirect: m.redirect }
        : undefined,
  };
  return { sent, driver: d };
}

Deno.test("workload: a timed-out attempt is re-sent every timeoutMs, up to `retries` times, then info", () => {
  // one closed-loop client, 5 ms each way, the server down over [C0, C1)
  const T = 50, R = 2, C0 = 100, C1 = 320, LAT = 5;
  const c = createCluster<Msg>({
    seed: 3,
    nodes: 1,
    factory: registerServer,
    network: { latency: { kind: "constant", ms: LAT } },
    nemesis: [{ atMs: C0, type: "crash", node: "n0" }, { atMs: C1, type: "restart", node: "n0" }],
  });
  const rec = recordingDriver(c.sim);
  const w = installWorkload(
    c.sim,
    rec.driver as ClientDriver<Msg>,
    () => ({ f: "write", value: 1 }),
    {
      clients: 1,
      endMs: 600,
      timeoutMs: T,
      retries: R,
    },
  );
  c.sim.run({ untilMs: 1000 });
  const ops = pairOperations(w.history);
  // the operation invoked at C0 is lost with the crash: R + 1 attempts, T apart, then info
  const lost = ops.find((o) => o.invokeMs === C0);
  assert.ok(lost, `an operation is invoked at ${C0}`);
  assert.equal(lost.status, "info");
  const lostAt = C0 + (R + 1) * T;
  const ids = [...new Set(rec.sent.map((s) => s.id))];
  const attemptsOf = (invokeMs: number) => {
    const id = ids.find((i) => rec.sent.find((s) => s.id === i)!.t === invokeMs)!;
    return rec.sent.filter((s) => s.id === id).map((s) => [s.attempt, s.t]);
  };
  assert.deepEqual(attemptsOf(C0), Array.from({ length: R + 1 }, (_, k) => [k, C0 + k * T]));
  // the next one (invoked when the first gave up) succeeds on the first attempt after the restart
  const k = Math.ceil((C1 - lostAt - LAT) / T);
  assert.ok(k <= R, "the parameters put a successful retry within the budget");
  const next = ops.find((o) => o.invokeMs === lostAt);
  assert.ok(next, `an operation is invoked at ${lostAt}`);
  assert.equal(next.status, "ok");
  assert.equal(next.completeMs, lostAt + k * T + 2 * LAT);
  assert.deepEqual(
    attemptsOf(lostAt),
    Array.from({ length: k + 1 }, (_, j) => [j, lostAt + j * T]),
  );
  // every attempt of one request carries its id; the server applied the retried write once
  const applies = c.sim.events.filter((e) => e.event.type === "apply").map((e) => e.event.id);
  assert.equal(applies.filter((id) => id === ids[ids.length - 1]).length, 1);
  assert.equal(ops.filter((o) => o.status === "info").length, 1);
});

Deno.test("workload: a `retry` reply re-sends after retryBackoffMs to the redirect; retries 0 gives up", () => {
  const BACKOFF = 30, LAT = 5;
  for (const retries of [0, 1]) {
    // n0 sends every request to n1; n1 serves
    const c = createCluster<Msg | { type: "retry"; id: number; redirect: string }>({
      seed: 4,
      nodes: 2,
      factory: (ctx) =>
        ctx.self === "n0"
          ? {
            onMessage(from, m) {
              if (m.type === "req") ctx.send(from, { type: "retry", id: m.id, redirect: "n1" });
            },
          }
          : registerServer(ctx as NodeContext<Msg>) as ProtocolNode<
            Msg | { type: "retry"; id: number; redirect: string }
          >,
      network: { latency: { kind: "constant", ms: LAT } },
    });
    const rec = recordingDriver(c.sim);
    const w = installWorkload(c.sim, rec.driver, () => ({ f: "write", value: 1 }), {
      clients: 1,
      endMs: 1,
      retries,
      retryBackoffMs: BACKOFF,
    });
    c.sim.run({ untilMs: 500 });
    const [o] = pairOperations(w.history);
    if (retries === 0) {
      assert.equal(o.status, "info");
      assert.equal(o.completeMs, Infinity);
      assert.deepEqual(rec.sent.map((s) => s.home), ["n0"]);
    } else {
      assert.equal(o.status, "ok");
      assert.equal(o.completeMs, 2 * LAT + BACKOFF + 2 * LAT);
      assert.deepEqual(rec.sent.map((s) => [s.attempt, s.home, s.t]), [
        [0, "n0", 0],
        [1, "n1", 2 * LAT + BACKOFF],
      ]);
    }
  }
});

Deno.test("workload: maxOps caps the invocations (closed and open loop)", () => {
  for (const mode of ["closed", "open"] as const) {
    for (const maxOps of [1, 7, 40]) {
      const c = createCluster<Msg>({ seed: 5, nodes: 1, factory: registerServer });
      const w = installWorkload(c.sim, driver, gen, {
        mode,
        clients: 3,
        ratePerSec: 200,
        endMs: 2_000,
        maxOps,
      });
      c.sim.run({ untilMs: 3_000 });
      const ops = pairOperations(w.history);
      // without the cap: ~ 2 s × 200/s open, hundreds closed
      assert.equal(ops.length, maxOps, `${mode} maxOps=${maxOps}`);
      assert.ok(ops.every((o) => o.status === "ok"));
    }
  }
});
