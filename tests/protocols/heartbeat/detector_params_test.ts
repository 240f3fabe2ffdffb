/**
 * The failure detector's parameters, each against a prediction computed here: φ adapts to the
 * inter-arrival times it observed (Hayashibara et al. 2004, §3: φ from the mean and spread of the
 * sampled window), `windowSize` bounds that window to the latest samples, `acceptablePauseMs` is
 * added to the mean, and suspicion is only decided on the `checkIntervalMs` grid.
 * Expected φ values come from the standard normal table (P(Z > z)), not from the module.
 */
import assert from "node:assert/strict";
import { FakeContext } from "../../../lib/sim/fake_context.ts";
import { createCluster } from "@lab/net/mod.ts";
import {
  type HeartbeatConfigInput,
  type HeartbeatMessage,
  HeartbeatNode,
} from "@lab/protocols/heartbeat/mod.ts";

/** −log10 of standard normal upper tails, from the table: z → φ. */
const PHI_AT_Z: Record<number, number> = {
  0: -Math.log10(0.5),
  2: -Math.log10(0.02275),
  3: -Math.log10(0.0013499),
  4: -Math.log10(3.1671e-5),
  5: -Math.log10(2.8665e-7),
};

/** A phi node n0 watching n1; `gaps` are the heartbeat inter-arrival times fed in, in order. */
function watcher(cfg: HeartbeatConfigInput, gaps: readonly number[]) {
  const ctx = new FakeContext<HeartbeatMessage>("n0", ["n1"]);
  const node = new HeartbeatNode(ctx, { detector: "phi", ...cfg });
  node.start();
  let seq = 1;
  ctx.now = 1_000;
  node.onMessage("n1", { type: "heartbeat", seq }); // first heartbeat: no gap yet
  for (const g of gaps) {
    ctx.now += g;
    node.onMessage("n1", { type: "heartbeat", seq: ++seq });
  }
  const last = ctx.now;
  return {
    ctx,
    node,
    phiAfter: (silenceMs: number) => (ctx.now = last + silenceMs, node.phiOf("n1")),
  };
}

const near = (actual: number, expected: number, tol: number, what: string) =>
  assert.ok(Math.abs(actual - expected) <= tol, `${what}: φ ${actual} vs ${expected} ± ${tol}`);

Deno.test("phi adapts to the observed inter-arrival times, not the configured interval", () => {
  // the link delivers every 200 ms although the configured interval is 100 ms
  const steady = watcher({ intervalMs: 100, minStdMs: 10 }, Array(12).fill(200));
  near(steady.phiAfter(200), PHI_AT_Z[0], 0.01, "silence = observed mean");
  near(steady.phiAfter(230), PHI_AT_Z[3], 0.01, "mean + 3 × minStd (no spread observed)");
  // with ±20 ms jitter the spread is learnt too: population std 20 (sample std 20.5)
  const jittery = watcher(
    { intervalMs: 100, minStdMs: 1 },
    Array.from({ length: 20 }, (_, i) => (i % 2 ? 220 : 180)),
  );
  near(jittery.phiAfter(200), PHI_AT_Z[0], 0.01, "jittery, at the mean");
  near(jittery.phiAfter(240), PHI_AT_Z[2], 0.06, "jittery, two standard deviations late");
  near(jittery.phiAfter(280), PHI_AT_Z[4], 0.35, "jittery, four standard deviations late");
  // slower heartbeats give a lower φ for the same silence
  const fast = watcher({ intervalMs: 100, minStdMs: 10 }, Array(12).fill(100));
  near(fast.phiAfter(150), PHI_AT_Z[5], 0.05, "100 ms link, 150 ms silence");
  assert.ok(steady.phiAfter(150) < 0.01, "200 ms link, 150 ms silence: not late at all");
});

Deno.test("phi windowSize keeps only the latest samples", () => {
  // ten gaps of 100 ms, then five of 300 ms: a window of 5 holds only the 300s
  const gaps = [...Array(10).fill(100), ...Array(5).fill(300)];
  const w5 = watcher({ windowSize: 5, minStdMs: 10 }, gaps);
  near(w5.phiAfter(300), PHI_AT_Z[0], 0.01, "window 5 at 300 ms");
  near(w5.phiAfter(330), PHI_AT_Z[3], 0.01, "window 5 at 330 ms");
  // a window of 15 holds all: mean 166.7, std 94.3 → z = 1.414 at 300 ms, P = 0.0787
  const w15 = watcher({ windowSize: 15, minStdMs: 10 }, gaps);
  near(w15.phiAfter(300), -Math.log10(0.0787), 0.02, "window 15 at 300 ms");
  // one more gap of 100 evicts the oldest 300 from the window of 5: mean 260, std 80
  const w5b = watcher({ windowSize: 5, minStdMs: 10 }, [...gaps, 100]);
  near(w5b.phiAfter(260), PHI_AT_Z[0], 0.01, "window 5 after one more 100 ms gap");
});

Deno.test("phi acceptablePauseMs is added to the mean before φ is computed", () => {
  const gaps = Array(12).fill(100);
  const none = watcher({ minStdMs: 10 }, gaps);
  const pause = watcher({ minStdMs: 10, acceptablePauseMs: 50 }, gaps);
  near(none.phiAfter(150), PHI_AT_Z[5], 0.05, "no pause allowance, 150 ms");
  near(pause.phiAfter(150), PHI_AT_Z[0], 0.01, "50 ms allowance, 150 ms");
  near(pause.phiAfter(180), PHI_AT_Z[3], 0.01, "50 ms allowance, 180 ms");
  // suspicion (threshold 8 ≈ z 5.61) comes 50 ms later with the allowance
  for (const [w, from] of [[none, 100], [pause, 150]] as const) {
    w.phiAfter(from + 55); // z 5.5: φ ≈ 7.7, not yet
    w.node.onTimer("check");
    assert.deepEqual(w.ctx.eventsOf("suspect"), [], `no suspicion at ${from + 55}`);
    w.phiAfter(from + 57); // z 5.7: φ ≈ 8.2
    w.node.onTimer("check");
    assert.deepEqual(w.ctx.eventsOf("suspect"), [{ type: "suspect", peer: "n1" }]);
  }
});

Deno.test("heartbeat checkIntervalMs: a crash is suspected at the first check after the timeout", () => {
  // n1 beats every 100 ms from 0 and crashes at 1050: its last heartbeat reaches n0 at 1005
  const LAT = 5, TIMEOUT = 300, CRASH = 1050;
  const lastArrival = Math.floor(CRASH / 100) * 100 + LAT;
  for (const checkIntervalMs of [10, 70, 250, 333]) {
    const c = createCluster<HeartbeatMessage>({
      seed: 1,
      nodes: 2,
      factory: (ctx) =>
        new HeartbeatNode(ctx, {
          detector: "fixed",
          intervalMs: 100,
          timeoutMs: TIMEOUT,
          checkIntervalMs,
        }),
      network: { latency: { kind: "constant", ms: LAT } },
      nemesis: [{ atMs: CRASH, type: "crash", node: "n1" }],
      trace: { mode: "off" },
    });
    c.sim.run({ untilMs: 3_000 });
    const s = c.sim.events.filter((e) => e.node === "n0" && e.event.type === "suspect");
    // checks run at k × checkIntervalMs; the first with silence > timeout decides
    const expected = (Math.floor((lastArrival + TIMEOUT) / checkIntervalMs) + 1) * checkIntervalMs;
    assert.deepEqual(s.map((e) => e.t), [expected], `checkIntervalMs ${checkIntervalMs}`);
  }
});
