/** Determinism (same seed, same trace hash) and bad configuration refused before anything runs. */
import assert from "node:assert/strict";
import {
  createDynamoCluster,
  type DynamoClusterParams,
  dynamoOpGenerator,
  parseDynamoConfig,
} from "@lab/protocols/dynamo/mod.ts";
import { ConfigError } from "@lab/sim/errors.ts";

function traced(seed: number) {
  const c = createDynamoCluster({
    seed,
    nodes: 5,
    config: { n: 3, r: 1, w: 1, antiEntropy: { intervalMs: 200 } },
    network: { latency: { kind: "exponential", meanMs: 2 }, lossRatio: 0.01 },
    latencyByType: { put: { kind: "exponential", meanMs: 5 } },
    nemesis: [
      { atMs: 300, type: "partition", groups: [["n0", "n1"], ["n2", "n3", "n4"]] },
      { atMs: 700, type: "heal" },
    ],
  });
  const wl = c.workload(dynamoOpGenerator({ keys: 3 }), { clients: 4, endMs: 1000 });
  c.run(1500);
  return { hash: c.traceHash(), history: JSON.stringify(wl.history), counters: c.counters() };
}

Deno.test("dynamo determinism: the same seed gives the same trace hash, history and counters", () => {
  const a = traced(21), b = traced(21), other = traced(22);
  assert.equal(a.hash, b.hash);
  assert.equal(a.history, b.history);
  assert.deepEqual(a.counters, b.counters);
  assert.notEqual(a.hash, other.hash);
  assert.ok(a.counters.messagesByType["put"] > 0 && a.counters.antiEntropyMessages > 0);
});

Deno.test("dynamo latencyByType: the write path gets its own distribution", () => {
  const c = createDynamoCluster({
    seed: 2,
    nodes: 3,
    config: { n: 3, r: 1, w: 3, probeIntervalMs: 0 },
    network: { latency: { kind: "constant", ms: 0 } },
    latencyByType: { put: { kind: "constant", ms: 7 }, "get-reply": { kind: "constant", ms: 3 } },
  });
  const a = c.client();
  const w = a.put("x", 1);
  c.settle([w]);
  assert.equal(w.result?.latencyMs, 7);
  const r = a.get("x");
  c.settle([r]);
  assert.equal(r.result?.latencyMs, 3);
});

function refused(params: unknown, path: string, text = path) {
  assert.throws(
    () => createDynamoCluster(params as DynamoClusterParams),
    (e: unknown) =>
      e instanceof ConfigError && e.issues.some((i) => i.path === path) &&
      e.message.includes(text),
    `expected a ConfigError naming ${path}`,
  );
}

Deno.test("dynamo config: bad parameters are refused with a ConfigError naming the field", () => {
  refused({ seed: 1, config: { n: 3, r: 4 } }, "config.r");
  refused({ seed: 1, config: { n: 3, w: 5 } }, "config.w");
  refused({ seed: 1, nodes: 3, config: { n: 4, r: 1, w: 1 } }, "config.n");
  refused({ seed: 1, config: { vnodes: 0 } }, "config.vnodes");
  refused({ seed: 1, config: { quorum: "loose" } }, "config.quorum");
  refused({ seed: 1, config: { antiEntropy: { depth: 40 } } }, "config.antiEntropy.depth");
  refused(
    { seed: 1, latencyByType: { put: { kind: "exponential", meanMs: -1 } } },
    "latencyByType.put.meanMs",
  );
  refused(
    { seed: 1, latencyByType: { bogus: { kind: "constant", ms: 1 } } },
    "latencyByType",
    "bogus",
  );
  refused({ seed: 1, nodes: 0 }, "nodes");
  assert.throws(() => parseDynamoConfig({ r: 4, n: 3 }), /r: R = 4 exceeds N = 3/);
  assert.equal(parseDynamoConfig({}).n, 3);
  // per request
  const c = createDynamoCluster({ seed: 1, nodes: 3 });
  const a = c.client();
  assert.throws(
    () => a.get("x", { r: 4 }),
    (e: unknown) => e instanceof ConfigError && e.issues[0].path === "r",
  );
  assert.throws(
    () => a.put("x", 1, { n: 4 }),
    (e: unknown) => e instanceof ConfigError && e.issues[0].path === "n",
  );
  assert.throws(
    () => a.put("x", null),
    (e: unknown) => e instanceof ConfigError && e.issues[0].path === "value",
  );
  assert.throws(
    () => c.client({ home: "n9" }),
    (e: unknown) => e instanceof ConfigError && e.issues[0].path === "home",
  );
  assert.equal(c.history.length, 0, "a refused request is not recorded");
});
