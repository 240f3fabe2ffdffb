import assert from "node:assert/strict";
import fc from "fast-check";
import {
  type CausalDemoParamsInput,
  checkCausalRun,
  runCausalDemo,
  vectorCompare,
} from "@lab/clocks/mod.ts";

/** Generated demo runs: seeds, node counts, clock offsets and drifts, latencies, granularity. */
const MAX_NODES = 6;
const demoParams: fc.Arbitrary<CausalDemoParamsInput> = fc.record({
  seed: fc.integer({ min: 0, max: 1_000_000 }),
  nodes: fc.integer({ min: 1, max: MAX_NODES }),
  // one clock per possible node (extra entries are unused): no `chain`, so shrinking stays good
  offsetsMs: fc.array(fc.integer({ min: -200, max: 200 }), {
    minLength: MAX_NODES,
    maxLength: MAX_NODES,
  }),
  drifts: fc.array(fc.integer({ min: -5_000, max: 5_000 }).map((ppm) => ppm * 1e-6), {
    minLength: MAX_NODES,
    maxLength: MAX_NODES,
  }),
  latency: fc.tuple(fc.nat({ max: 30 }), fc.nat({ max: 80 })).map(([lo, extra]) => ({
    kind: "uniform" as const,
    minMs: lo,
    maxMs: lo + extra,
  })),
  duplicateRatio: fc.constantFrom(0, 0.1),
  lossRatio: fc.constantFrom(0, 0.1),
  node: fc.record({
    actions: fc.integer({ min: 0, max: 40 }),
    meanIntervalMs: fc.integer({ min: 1, max: 40 }),
    sendRatio: fc.double({ min: 0, max: 1, noNaN: true }),
    clockGranularityMs: fc.constantFrom(0, 1, 5, 25),
  }),
});

Deno.test("causal properties: Lamport, vector and HLC clocks agree with ground truth on generated runs", () => {
  let events = 0, concurrent = 0, maxC = 0;
  fc.assert(
    fc.property(demoParams, (params) => {
      const run = runCausalDemo(params);
      const verdict = checkCausalRun(run);
      // (a) a→b ⇒ L(a) < L(b); (b) V decides → exactly; (c) HLC: l ≥ pt, l − pt ≤ ε, c bounded,
      // HLC respects →. On failure fast-check shrinks the parameters and this message names them.
      assert.ok(verdict.ok, verdict.violations.map((v) => v.message).join("\n"));
      assert.ok(verdict.stats.maxLMinusPtMs <= verdict.stats.epsilonMs + 1e-9);
      events += verdict.stats.events;
      concurrent += verdict.stats.concurrentPairs;
      maxC = Math.max(maxC, verdict.stats.maxC);
    }),
    { numRuns: 300, seed: 20260101 },
  );
  // the generator really exercises concurrency and the HLC counter
  assert.ok(events > 5_000, `only ${events} events`);
  assert.ok(concurrent > 10_000, `only ${concurrent} concurrent pairs`);
  assert.ok(maxC >= 2, `max c only ${maxC}`);
});

Deno.test("causal properties: ground truth and protocol vectors agree pair by pair", () => {
  const run = runCausalDemo({ seed: 11, nodes: 5, node: { actions: 25 } });
  assert.equal(run.rows.length, run.events.length);
  let checked = 0;
  for (let i = 0; i < run.rows.length; i++) {
    for (let j = 0; j < run.rows.length; j++) {
      const truth = run.history.order(run.events[i], run.events[j]);
      assert.equal(vectorCompare(run.rows[i].vector, run.rows[j].vector), truth);
      checked++;
    }
  }
  assert.ok(checked > 10_000);
});

Deno.test("causal properties: each classic mistake is caught with a witness pair", () => {
  const cases = [
    ["lamportNoMerge", "lamportClockCondition"],
    ["vectorNoMerge", "vectorExact"],
    ["hlcNoMerge", "hlcClockCondition"],
  ] as const;
  for (const [mistake, property] of cases) {
    const run = runCausalDemo({ seed: 5, nodes: 4, maxDriftPpm: 1000, node: { mistake } });
    const verdict = checkCausalRun(run);
    assert.equal(verdict.ok, false, mistake);
    assert.ok(verdict.violated.includes(property), `${mistake}: ${verdict.violated}`);
    const w = verdict.violations.find((v) => v.property === property)!;
    assert.ok(w.earlier, "a pair witness");
    assert.ok(
      run.history.happensBefore(run.history.at(w.earlier.index)!, run.history.at(w.event.index)!),
    );
    assert.match(w.message, /seed=5/);
  }
});

Deno.test("causal properties: fast-check shrinks a broken clock to a minimal run", () => {
  const broken = demoParams.map((p) => ({
    ...p,
    node: { ...p.node, mistake: "hlcNoMerge" as const },
  }));
  const out = fc.check(
    fc.property(broken, (params) => checkCausalRun(runCausalDemo(params)).ok),
    { numRuns: 200, seed: 7 },
  );
  assert.equal(out.failed, true);
  const [minimal] = out.counterexample!;
  // the smallest failing run: two nodes, one of which receives a message from a faster clock
  assert.equal(minimal.nodes, 2);
  assert.ok((minimal.node?.actions ?? 0) <= 2, JSON.stringify(minimal));
});

Deno.test("causal properties: Lamport clocks order concurrent events (the converse fails)", () => {
  const verdict = checkCausalRun(runCausalDemo({ seed: 2, nodes: 4 }));
  assert.ok(verdict.ok);
  assert.ok(verdict.stats.lamportOrderedConcurrentPairs > 0);
});

Deno.test("causal properties: the same seed gives the same trace", () => {
  const a = runCausalDemo({ seed: 42, nodes: 5 });
  const b = runCausalDemo({ seed: 42, nodes: 5 });
  assert.equal(a.sim.trace.hash(), b.sim.trace.hash());
  assert.deepEqual(a.rows, b.rows);
  assert.notEqual(runCausalDemo({ seed: 43, nodes: 5 }).sim.trace.hash(), a.sim.trace.hash());
});
