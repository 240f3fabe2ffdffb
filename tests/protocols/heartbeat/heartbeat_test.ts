import assert from "node:assert/strict";
import { ConfigError } from "@lab/sim/mod.ts";
import { createCluster } from "@lab/net/mod.ts";
import {
  detectorQuality,
  type HeartbeatConfigInput,
  type HeartbeatMessage,
  HeartbeatNode,
  phi,
} from "@lab/protocols/heartbeat/mod.ts";

function run(cfg: HeartbeatConfigInput, seed: number, lossRatio = 0) {
  const c = createCluster<HeartbeatMessage>({
    seed,
    nodes: 5,
    factory: (ctx) => new HeartbeatNode(ctx, cfg),
    network: { latency: { kind: "normal", meanMs: 10, stdMs: 3 }, lossRatio },
    nemesis: [{ atMs: 5000, type: "crash", node: "n2" }, {
      atMs: 9000,
      type: "restart",
      node: "n2",
    }],
    trace: { mode: "off" },
  });
  c.sim.run({ untilMs: 12_000 });
  return detectorQuality(c.sim.events, [{ node: "n2", fromMs: 5000, toMs: 9000 }], {
    monitors: c.nodes,
    runMs: 12_000,
  });
}

Deno.test("heartbeat: fixed timeout detects a crash within timeout + interval + latency", () => {
  const q = run({ detector: "fixed", intervalMs: 100, timeoutMs: 400 }, 1);
  assert.equal(q.missed, 0);
  assert.equal(q.detectionsMs.length, 4, "every live monitor suspects the crashed node");
  for (const d of q.detectionsMs) assert.ok(d.ms >= 300 && d.ms <= 400 + 10 + 30, `${d.ms}`);
  assert.equal(q.falseSuspicions, 0);
});

Deno.test("heartbeat: a shorter timeout detects faster but errs more under loss", () => {
  const short = run({ detector: "fixed", intervalMs: 100, timeoutMs: 150 }, 2, 0.2);
  const long = run({ detector: "fixed", intervalMs: 100, timeoutMs: 600 }, 2, 0.2);
  const mean = (xs: readonly { ms: number }[]) => xs.reduce((a, d) => a + d.ms, 0) / xs.length;
  assert.ok(mean(short.detectionsMs) < mean(long.detectionsMs));
  assert.ok(short.falseSuspicions > long.falseSuspicions);
});

Deno.test("heartbeat: phi-accrual detects the crash and trusts the restarted node", () => {
  const c = createCluster<HeartbeatMessage>({
    seed: 3,
    nodes: 3,
    factory: (ctx) => new HeartbeatNode(ctx, { detector: "phi", phiThreshold: 8 }),
    network: { latency: { kind: "normal", meanMs: 10, stdMs: 3 } },
    nemesis: [{ atMs: 3000, type: "crash", node: "n1" }, {
      atMs: 6000,
      type: "restart",
      node: "n1",
    }],
  });
  c.sim.run({ untilMs: 8000 });
  const ev = c.sim.events.filter((e) => e.event.peer === "n1").map((e) =>
    `${e.node}:${e.event.type}`
  );
  assert.deepEqual(ev.sort(), ["n0:suspect", "n0:trust", "n2:suspect", "n2:trust"]);
});

Deno.test("heartbeat: phi grows with silence", () => {
  assert.ok(phi(100, 100, 10) < 1);
  assert.ok(phi(150, 100, 10) > 5);
  assert.ok(phi(200, 100, 10) > phi(150, 100, 10));
});

Deno.test("heartbeat: bad parameters name the field", () => {
  const c = createCluster<HeartbeatMessage>({
    seed: 1,
    nodes: 2,
    factory: (ctx) => new HeartbeatNode(ctx, { intervalMs: -1 }),
  });
  assert.throws(
    () => c.sim.run(),
    (e: unknown) => e instanceof Error && /intervalMs/.test(e.message),
  );
  assert.throws(
    () => new HeartbeatNode({} as never, { detector: "psychic" as "phi" }),
    ConfigError,
  );
});
