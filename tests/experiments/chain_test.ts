import assert from "node:assert/strict";
import * as ch from "@lab/experiments/chain.ts";
import * as cn from "@lab/experiments/chain_network.ts";
import * as ca from "@lab/experiments/chain_attacks.ts";
import { type Claim, isApplicable } from "@lab/experiments/claims.ts";
import { ConfigError } from "@lab/sim/errors.ts";

/** Small sizes for every run of notebook 12; one parameter at a time is varied from here. */
const SMALL: ch.Notebook12ParamsInput = {
  propagationNodes: 150,
  propagationBlockSizesBytes: [250_000, 1_000_000, 4_000_000],
  propagationPeerCounts: [4, 8],
  propagationBlocks: 2,
  staleDOverT: [0.03, 0.1],
  staleBlocks: 600,
  realisticNodes: 60,
  realisticBlocks: 30,
  forkBlocks: 600,
  throughputNodes: 40,
  throughputBlockSizesBytes: [250_000, 1_000_000],
  throughputIntervalsMs: [15_000, 600_000],
  throughputBlocks: 20,
  confirmations: [0, 2, 4],
  doubleSpendTrials: 2000,
  selfishAlphas: [0.1, 0.25, 0.45],
  selfishBlocks: 5000,
  selfishRuns: 8,
  partitionNodes: 30,
  ledgerNodes: 30,
  ledgerHours: 8,
  scaleNodes: 200,
  scaleBlocks: 20,
};

function failed(cs: readonly Claim[]): string[] {
  return cs.filter((c) => isApplicable(c) && !c.holds).map((c) => `✗ ${c.claim} (${c.detail})`);
}

/** The runs of one notebook section, with the claims the notebook asserts after them. */
const SECTIONS: Record<string, (p: ch.Notebook12Params) => Claim[]> = {
  propagation: (p) => {
    const rows = cn.propagationRows(ch.propagationInput(p));
    return [
      ...cn.propagationClaims(rows),
      ...ch.delayFitClaims(ch.delayFit(rows, p.propagationPeerCounts.at(-1)!)),
    ];
  },
  stale: (p) => cn.staleClaims(cn.staleRows(ch.staleInput(p))),
  forks: (p) => cn.forkClaims(ch.forkInput(p), cn.forkRows(ch.forkInput(p))),
  throughput: (p) => cn.throughputClaims(cn.throughputRows(ch.throughputInput(p))),
  confirmations: (p) => {
    const ds = ch.doubleSpendInput(p);
    return ca.checkDoubleSpendRace(ca.doubleSpendRace(ds), ds);
  },
  selfish: (p) => {
    const sp = ch.selfishInput(p);
    return ca.checkSelfishMining(ca.selfishMiningCurve(sp), sp);
  },
  partition: (p) => cn.partitionClaims(cn.partitionRows(ch.partitionInput(p))),
  ledger: (p) => ch.ledgerClaims(ch.ledgerInput(p), ch.ledgerGrowth(ch.ledgerInput(p))),
  scale: (p) => {
    const r = cn.chainScaleRun(ch.scaleInput(p));
    return ch.scaleClaims(r, {
      blocks: p.scaleBlocks,
      miners: r.network.config.shares.length,
      blockIntervalMs: r.network.config.blockIntervalMs,
    });
  },
};

function run(input: ch.Notebook12ParamsInput, only?: readonly string[]): Claim[] {
  const p = ch.parseNotebook12Params({ ...SMALL, ...input });
  return Object.entries(SECTIONS)
    .filter(([k]) => !only || only.includes(k))
    .flatMap(([, f]) => f(p));
}

Deno.test("notebook 12 params: defaults parse; a bad field is a ConfigError naming it", () => {
  const p = ch.parseNotebook12Params({});
  assert.equal(p.scaleNodes, 10_000);
  assert.equal(p.scaleBlocks, 1000);
  const bad: [Record<string, unknown>, string][] = [
    [{ propagationNodes: 3 }, "propagationNodes"],
    [{ attackerShares: [0.6] }, "attackerShares[0]"],
    [{ selfishGammas: [1.5] }, "selfishGammas[0]"],
    [{ majorityFraction: 0.4 }, "majorityFraction"],
    [{ healAtMs: 10_000 }, "healAtMs"],
    [{ ledgerHours: 0.1 }, "ledgerHours"],
    [{ scaleNodes: "many" }, "scaleNodes"],
    [{ lossRatio: 0.1 }, ""], // unknown key: strict schema
  ];
  for (const [input, field] of bad) {
    assert.throws(() => ch.parseNotebook12Params(input), (e: unknown) => {
      assert.ok(e instanceof ConfigError, String(e));
      assert.ok(e.message.includes(field), `${e.message} should name ${field}`);
      return true;
    });
  }
  assert.throws(() => ch.commonPrefixRows({ deltaOverT: 0 }), ConfigError);
  assert.throws(() => ch.ledgerGrowth({ txRatePerSec: -1 }), ConfigError);
});

Deno.test("notebook 12 at small sizes: every claim holds or is n/a", () => {
  const cs = run({});
  assert.deepEqual(failed(cs), []);
  assert.ok(cs.filter(isApplicable).length >= 20, `${cs.filter(isApplicable).length} applicable`);
});

Deno.test("notebook 12 parameter range: ends and middles, one at a time", () => {
  const points: [ch.Notebook12ParamsInput, string[]][] = [
    [{ seed: 7 }, ["stale", "forks", "ledger", "confirmations"]],
    [{ staleMiners: 2, staleDOverT: [0.2] }, ["stale", "forks"]],
    [{ staleMiners: 40, forkDOverT: 0.05 }, ["forks"]],
    [{ forkDOverT: 1 }, ["forks"]],
    [{ realisticNodes: 0 }, ["stale"]],
    [{ propagationPeerCounts: [16], propagationBlockSizesBytes: [250_000] }, ["propagation"]],
    [{ attackerShares: [0.45], confirmations: [1, 6] }, ["confirmations"]],
    [{ selfishGammas: [1], selfishAlphas: [0.05, 0.3] }, ["selfish"]],
    [{ majorityFraction: 0.9 }, ["partition"]],
    [{ majorityFraction: 0.51, healAtMs: 100_000, partitionEndMs: 200_000 }, ["partition"]],
    [{ ledgerTxRatePerSec: 0.05 }, ["ledger"]],
    [{ ledgerIntervalMs: 60_000, ledgerHours: 2, ledgerBlockSizeBytes: 100_000 }, ["ledger"]],
  ];
  for (const [input, only] of points) {
    assert.deepEqual(failed(run(input, only)), [], JSON.stringify(input));
  }
});

Deno.test("notebook 12: the parameter changes it suggests run and their claims hold or are n/a", () => {
  // forkDOverT=0.5, ledgerTxRatePerSec=6, selfishGammas=[0.25], scaleNodes=1000 scaleBlocks=100
  const points: [ch.Notebook12ParamsInput, string[]][] = [
    [{ forkDOverT: 0.5 }, ["forks"]],
    [{ ledgerTxRatePerSec: 6 }, ["ledger"]],
    [{ selfishGammas: [0.25], selfishAlphas: [0.1, 0.3, 0.45] }, ["selfish"]],
    [{ scaleNodes: 1000, scaleBlocks: 100 }, ["scale"]],
  ];
  for (const [input, only] of points) {
    const cs = run(input, only);
    assert.deepEqual(failed(cs), [], JSON.stringify(input));
  }
  // a busy ledger says n/a instead of passing or failing on queueing
  const busy = run({ ledgerTxRatePerSec: 6 }, ["ledger"]);
  assert.equal(busy.filter((c) => !isApplicable(c)).length, 2);
});

Deno.test("ledger claims fail on a wrong model: doubled header bytes, halved window", () => {
  const input = { nodes: 30, hours: 8 };
  const g = ch.ledgerGrowth(input);
  assert.deepEqual(failed(ch.ledgerClaims(input, g)), []);
  assert.ok(
    failed(ch.ledgerClaims(input, { ...g, headerChainBytes: 2 * g.headerChainBytes })).length,
  );
  assert.ok(failed(ch.ledgerClaims(input, { ...g, publicWindowMs: g.publicWindowMs / 2 })).length);
  assert.ok(failed(ch.ledgerClaims(input, { ...g, txs: Math.round(g.txs * 0.8) })).length);
  assert.ok(g.fullChainBytes > 100 * g.headerChainBytes);
});

Deno.test("common prefix (notebook 05): claims hold; a slower decay fails them; Δ/T = 1 runs", () => {
  const r = ch.commonPrefixRows({ intervals: 2000 });
  assert.deepEqual(failed(ch.commonPrefixClaims({ intervals: 2000 }, r)), []);
  for (let k = 1; k < r.rows.length; k++) {
    assert.ok(r.rows[k].violations <= r.rows[k - 1].violations);
  }
  // if forks did not shrink with depth, the decay claims would catch it
  const flat = { ...r, rows: r.rows.map((x) => ({ ...x, violations: r.rows[1].violations })) };
  assert.ok(failed(ch.commonPrefixClaims({ intervals: 2000 }, flat)).length);
  // the change the notebook suggests
  const big = { deltaOverT: 1, intervals: 2000 };
  const rb = ch.commonPrefixRows(big);
  assert.deepEqual(failed(ch.commonPrefixClaims(big, rb)), []);
  assert.ok(rb.deepest > r.deepest, `${rb.deepest} > ${r.deepest}`);
  // tiny Δ: forks are too rare to claim anything but the decay is n/a, not failed
  const tiny = { deltaOverT: 0.001, intervals: 500 };
  assert.deepEqual(failed(ch.commonPrefixClaims(tiny, ch.commonPrefixRows(tiny))), []);
});

Deno.test("throughput ceiling: inverse of the stale formula, affine fit", () => {
  const rows = [1, 2, 4].map((mb) => ({
    blockSizeBytes: mb * 1e6,
    outboundPeers: 8,
    meanMs: 500 + 2500 * mb,
  }));
  const fit = ch.delayFit(rows, 8);
  assert.ok(Math.abs(fit.msPerMB - 2500) < 1e-6 && Math.abs(fit.interceptMs - 500) < 1e-6);
  assert.deepEqual(failed(ch.delayFitClaims(fit)), []);
  const [row] = ch.throughputCeiling(fit, {
    miners: 16,
    staleTarget: 0.01,
    intervalsMs: [600_000],
    headerBytes: 80,
    txSizeBytes: 250,
  });
  // at the ceiling the formula gives the target back
  const d = fit.interceptMs + fit.msPerMB * row.maxBlockBytes / 1e6;
  assert.ok(Math.abs(cn.meshStaleRate(16, d / 600_000) - 0.01) < 1e-5);
  const noisy = ch.delayFit([...rows, { blockSizeBytes: 3e6, outboundPeers: 8, meanMs: 100 }], 8);
  assert.ok(failed(ch.delayFitClaims(noisy)).length);
});
