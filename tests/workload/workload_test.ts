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
