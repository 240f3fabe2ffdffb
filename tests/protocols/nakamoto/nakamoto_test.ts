import assert from "node:assert/strict";
import fc from "fast-check";
import { ConfigError } from "../../../lib/sim/errors.ts";
import { Rng } from "../../../lib/sim/rng.ts";
import {
  hopDistances,
  isConnected,
  nakamotoNetwork,
  parseNakamotoConfig,
  randomPeerGraph,
  shortestTimes,
} from "../../../lib/protocols/nakamoto/mod.ts";

function configError(f: () => unknown, field: string): void {
  assert.throws(f, (e: unknown) => {
    assert.ok(e instanceof ConfigError, `expected ConfigError, got ${e}`);
    assert.ok(
      e.issues.some((i) => i.path === field || i.path.startsWith(`${field}[`)),
      `no issue names ${field}: ${e.message}`,
    );
    return true;
  });
}

Deno.test("nakamoto: bad input is refused naming the field before anything runs", () => {
  configError(() => nakamotoNetwork({ nodes: 10, hashShares: [0.5, 0.4] }), "hashShares");
  configError(() => nakamotoNetwork({ nodes: 10, hashShares: [1.5, -0.5] }), "hashShares");
  configError(() => nakamotoNetwork({ blockIntervalMs: 0 }), "blockIntervalMs");
  configError(() => nakamotoNetwork({ blockSizeBytes: 0 }), "blockSizeBytes");
  configError(() => nakamotoNetwork({ nodes: 8, outboundPeers: 8 }), "outboundPeers");
  configError(() => nakamotoNetwork({ nodes: 8, outboundPeers: 20 }), "outboundPeers");
  configError(() => nakamotoNetwork({ forkChoice: "heaviest-ish" }), "forkChoice");
  configError(() => nakamotoNetwork({ nodes: 4, miners: 5 }), "miners");
  configError(
    () => parseNakamotoConfig({ regions: [{ name: "x", weight: 1 }] }),
    "regionLatencies",
  );
});

Deno.test("nakamoto: random peer graph has k distinct outbound links, is connected and symmetric", () => {
  fc.assert(
    fc.property(fc.integer({ min: 10, max: 200 }), fc.integer({ min: 2, max: 8 }), (n, k) => {
      const g = randomPeerGraph(n, k, new Rng(n * 31 + k));
      assert.ok(isConnected(g));
      const adj = (i: number) => [...g.neighbors.subarray(g.offsets[i], g.offsets[i + 1])];
      let edges = 0;
      for (let i = 0; i < n; i++) {
        const a = adj(i);
        assert.equal(new Set(a).size, a.length, "no duplicate links");
        assert.ok(!a.includes(i), "no self link");
        for (const j of a) assert.ok(adj(j).includes(i), "links are bidirectional");
        edges += a.length;
      }
      // each node opened k links; a link both ends opened counts once
      assert.ok(edges / 2 <= n * k && edges / 2 >= n * k / 2);
      assert.ok(hopDistances(g, 0).every((d) => d >= 0));
    }),
    { numRuns: 30 },
  );
});

Deno.test("nakamoto: every node adopts every block and ends on one tip; same seed, same run", () => {
  const run = () => {
    const nw = nakamotoNetwork({ nodes: 150, blockIntervalMs: 5_000, blockSizeBytes: 200_000 });
    nw.runBlocks(40);
    return nw;
  };
  const a = run(), b = run();
  const tip = a.node(0).view.tip;
  // a tie between the last two blocks may leave first-seen tips apart, at one height
  for (let i = 0; i < 150; i++) {
    assert.equal(a.store.height(a.node(i).view.tip), a.store.height(tip));
  }
  for (let x = 1; x < a.store.size; x++) assert.equal(a.propagation(x).reached, 150);
  assert.equal(a.node(0).backlog, 0);
  assert.equal(a.store.size, b.store.size);
  assert.equal(a.sim.stats.delivered, b.sim.stats.delivered);
  assert.equal(b.node(0).view.tip, tip);
  assert.ok(a.sim.stats.byType.get("inv")! > 0 && a.sim.stats.byType.get("getdata")! > 0);
});

Deno.test("nakamoto: mining picks producers by hash share", () => {
  const nw = nakamotoNetwork({
    nodes: 20,
    hashShares: [0.7, 0.2, 0.1],
    blockIntervalMs: 600_000,
    blockSizeBytes: 1000,
  });
  nw.runBlocks(600);
  const count = new Map<string, number>();
  for (let b = 1; b < nw.store.size; b++) {
    const p = nw.store.producer(b);
    count.set(p, (count.get(p) ?? 0) + 1);
  }
  const shares = nw.miners.map((m) => (count.get(nw.ids[m]) ?? 0) / (nw.store.size - 1));
  assert.ok(Math.abs(shares[0] - 0.7) < 0.06, `share ${shares[0]}`);
  assert.ok(Math.abs(shares[2] - 0.1) < 0.04, `share ${shares[2]}`);
});

Deno.test("nakamoto: blocks fill up to the size limit from the Poisson workload; reorgs revert txs", () => {
  const nw = nakamotoNetwork({
    nodes: 10,
    topology: "fullMesh",
    latencyModel: "constant",
    latencyMs: 2_000,
    bandwidthBytesPerMs: null,
    relay: "push",
    miners: 10,
    blockIntervalMs: 5_000,
    blockSizeBytes: 80 + 250 * 100,
    txRatePerSec: 30,
  });
  nw.runBlocks(200);
  let full = 0;
  for (let b = 1; b < nw.store.size; b++) {
    assert.ok(nw.store.txs(b) <= 100);
    assert.equal(nw.store.sizeBytes(b), 80 + 250 * nw.store.txs(b));
    if (nw.store.txs(b) === 100) full++;
  }
  assert.ok(full > 0, "the workload (150 tx per 5 s) fills some blocks");
  const tip = nw.node(0).view.tip;
  assert.ok(nw.cumTxs(tip) <= nw.arrivedBy(nw.store.timeMs(tip)));
  assert.ok(nw.reorgs.length > 0, "d/T = 0.4 forks");
  for (const r of nw.reorgs) {
    assert.equal(r.txsReverted, nw.cumTxs(r.from) - nw.cumTxs(r.ancestor));
    assert.ok(r.txsStillPending <= r.txsReverted);
  }
});

Deno.test("nakamoto: compact relay (BIP 152) keeps the main chain, reaches everyone faster, with far fewer deliveries", () => {
  const base = { nodes: 200, blockIntervalMs: 600_000, blockSizeBytes: 500_000, seed: 7 };
  const full = nakamotoNetwork({ ...base, relay: "inv" });
  const compact = nakamotoNetwork({ ...base, relay: "compact" });
  full.runBlocks(30);
  compact.runBlocks(30);
  // the same mining schedule and no forks at d/T ≪ 1: block for block the same chain
  assert.equal(compact.store.size, full.store.size);
  for (let b = 1; b < full.store.size; b++) {
    assert.equal(compact.store.parent(b), full.store.parent(b));
    assert.equal(compact.store.producer(b), full.store.producer(b));
  }
  const tip = full.node(0).view.tip;
  for (let i = 0; i < 200; i++) {
    assert.equal(full.node(i).view.tip, tip);
    assert.equal(compact.node(i).view.tip, tip);
  }
  // every block reaches every node; no faster than latency along the shortest path, no slower
  // than inv → getdata → full block
  const lat = new Map<string, number>();
  for (const r of compact.config.regionLatencies) {
    lat.set(`${r.from}|${r.to}`, r.ms);
    lat.set(`${r.to}|${r.from}`, r.ms);
  }
  const reg = compact.regionOf;
  for (let b = 1; b < full.store.size; b++) {
    const pf = full.propagation(b), pc = compact.propagation(b);
    assert.equal(pf.reached, 200);
    assert.equal(pc.reached, 200);
    const src = full.ids.indexOf(full.store.producer(b));
    const lower = shortestTimes(compact.graph, src, (u, v) => lat.get(`${reg[u]}|${reg[v]}`)!);
    const sorted = Array.from(lower).sort((x, y) => x - y);
    assert.ok(pc.t100Ms >= sorted[199] - 1e-9, `block ${b}: ${pc.t100Ms} < ${sorted[199]}`);
    assert.ok(pc.t50Ms >= sorted[99] - 1e-9);
    assert.ok(pc.t50Ms < pf.t50Ms && pc.t95Ms < pf.t95Ms, `block ${b}`);
  }
  assert.equal(full.elided.messages, 0);
  assert.ok(compact.elided.messages > 0);
  const perNodeBlock = (nw: typeof full) => nw.sim.stats.delivered / 200 / 30;
  assert.ok(perNodeBlock(full) > 9, `inv: ${perNodeBlock(full)}`);
  assert.ok(perNodeBlock(compact) < 4, `compact: ${perNodeBlock(compact)}`);
  assert.equal(full.sim.stats.byType.get("cmpctblock"), undefined);
  assert.ok(compact.sim.stats.byType.get("inv") === undefined);
});

Deno.test("nakamoto: compact relay under forks — same stale-rate regime as inv relay, one tip, deterministic", () => {
  // d/T large enough to fork: both modes converge, and compact (faster) forks no more often
  const base = { nodes: 120, blockIntervalMs: 4_000, blockSizeBytes: 200_000, seed: 3 };
  const stale = (relay: "inv" | "compact") => {
    const nw = nakamotoNetwork({ ...base, relay });
    nw.runBlocks(120);
    const tip = nw.node(0).view.tip;
    for (let i = 0; i < 120; i++) {
      assert.equal(nw.store.height(nw.node(i).view.tip), nw.store.height(tip));
    }
    for (let b = 1; b < nw.store.size; b++) assert.equal(nw.propagation(b).reached, 120);
    return { rate: 1 - nw.store.height(tip) / (nw.store.size - 1), nw };
  };
  const inv = stale("inv"), c1 = stale("compact"), c2 = stale("compact");
  assert.ok(inv.rate > 0.02, `inv stale rate ${inv.rate}`);
  assert.ok(c1.rate <= inv.rate, `compact ${c1.rate} vs inv ${inv.rate}`);
  assert.equal(c1.nw.sim.stats.delivered, c2.nw.sim.stats.delivered);
  assert.equal(c1.nw.node(0).view.tip, c2.nw.node(0).view.tip);
});
