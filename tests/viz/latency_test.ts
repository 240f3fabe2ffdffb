import assert from "node:assert/strict";
import fc from "fast-check";
import {
  cdfRows,
  type LatencyOp,
  latencyQuantileRows,
  latencyQuantiles,
  latencyScatter,
  quantileLabel,
  throughputRows,
} from "@lab/viz/mod.ts";
import { rowsOfLayer, subtitleOf } from "./_assert_chart.ts";
import { syntheticOps } from "./_fixtures.ts";

const op = (
  invokeMs: number,
  latencyMs: number,
  status: LatencyOp["status"] = "ok",
  f = "read",
): LatencyOp => ({
  f,
  status,
  invokeMs,
  completeMs: status === "info" ? Infinity : invokeMs + latencyMs,
});

// Hand-computed with R-7 (d3 quantileSorted): h = (n - 1) p, interpolate between neighbours.
const handOps: LatencyOp[] = [
  op(0, 10),
  op(10, 20),
  op(20, 30),
  op(99, 40), // window [0, 100): [10, 20, 30, 40]
  op(150, 5), // window [100, 200): [5]
  // window [200, 300): empty
  op(300, 1),
  op(310, 3), // window [300, 400): [1, 3] (+ a fail and an info, excluded by default)
  op(320, 100, "fail"),
  op(330, 0, "info"),
];

Deno.test("viz: latencyQuantileRows gives hand-computed quantiles per window", () => {
  const rows = latencyQuantileRows(handOps, { windowMs: 100, quantiles: [0.5, 0.95, 0.99, 1] });
  const table = rows.map((
    r,
  ) => [r.startMs, r.quantile, Math.round(r.latencyMs * 1e9) / 1e9, r.count]);
  assert.deepEqual(table, [
    [0, "p50", 25, 4],
    [0, "p95", 38.5, 4],
    [0, "p99", 39.7, 4],
    [0, "max", 40, 4],
    [100, "p50", 5, 1],
    [100, "p95", 5, 1],
    [100, "p99", 5, 1],
    [100, "max", 5, 1],
    [300, "p50", 2, 2],
    [300, "p95", 2.9, 2],
    [300, "p99", 2.98, 2],
    [300, "max", 3, 2],
  ]);
  assert.deepEqual(rows.filter((r) => r.startMs === 0).map((r) => [r.endMs, r.midMs]), [
    [100, 50],
    [100, 50],
    [100, 50],
    [100, 50],
  ]);
});

Deno.test("viz: latencyQuantileRows can count fails and split by f", () => {
  const withFail = latencyQuantileRows(handOps, {
    windowMs: 100,
    quantiles: [0.5, 1],
    statuses: ["ok", "fail"],
  });
  assert.deepEqual(withFail.filter((r) => r.startMs === 300).map((r) => r.latencyMs), [3, 100]);
  const byF = latencyQuantileRows([op(0, 1, "ok", "read"), op(1, 9, "ok", "write")], {
    windowMs: 100,
    quantiles: [1],
    byF: true,
  });
  assert.deepEqual(byF.map((r) => [r.f, r.latencyMs]), [["read", 1], ["write", 9]]);
  assert.throws(() => latencyQuantileRows(handOps, { windowMs: 0 }), RangeError);
  assert.throws(() => latencyQuantileRows(handOps, { windowMs: 10, quantiles: [1.5] }), RangeError);
});

Deno.test("viz: latencyQuantileRows agrees with a naive computation (property)", () => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.integer({ min: 0, max: 999 }), fc.integer({ min: 0, max: 500 })), {
        minLength: 1,
        maxLength: 60,
      }),
      fc.integer({ min: 1, max: 300 }),
      (pairs, windowMs) => {
        const ops = pairs.map(([t, l]) => op(t, l));
        const rows = latencyQuantileRows(ops, { windowMs, quantiles: [0, 0.5, 1] });
        const from = Math.floor(Math.min(...pairs.map((p) => p[0])) / windowMs) * windowMs;
        for (const r of rows) {
          const xs = pairs.filter(([t]) => t >= r.startMs && t < r.endMs).map(([, l]) => l).sort((
            a,
            b,
          ) => a - b);
          assert.equal(r.count, xs.length);
          assert.equal((r.startMs - from) % windowMs, 0);
          if (r.q === 0) assert.equal(r.latencyMs, xs[0]);
          if (r.q === 1) assert.equal(r.latencyMs, xs[xs.length - 1]);
          if (r.q === 0.5 && xs.length % 2 === 1) {
            assert.equal(r.latencyMs, xs[(xs.length - 1) / 2]);
          }
        }
        assert.equal(rows.reduce((a, r) => a + (r.q === 0 ? r.count : 0), 0), pairs.length);
      },
    ),
  );
});

Deno.test("viz: quantile labels", () => {
  assert.deepEqual([0, 0.5, 0.95, 0.999, 1].map(quantileLabel), [
    "min",
    "p50",
    "p95",
    "p99.9",
    "max",
  ]);
});

Deno.test("viz: cdfRows is the empirical CDF and keeps both ends when thinned", () => {
  assert.deepEqual(cdfRows("a", [3, 1, 2, Infinity]), [
    { name: "a", latencyMs: 1, fraction: 1 / 3 },
    { name: "a", latencyMs: 2, fraction: 2 / 3 },
    { name: "a", latencyMs: 3, fraction: 1 },
  ]);
  const many = cdfRows("b", Array.from({ length: 1000 }, (_, i) => 1000 - i), 10);
  assert.ok(many.length <= 10);
  assert.deepEqual(many[0], { name: "b", latencyMs: 1, fraction: 0.001 });
  assert.deepEqual(many[many.length - 1], { name: "b", latencyMs: 1000, fraction: 1 });
});

Deno.test("viz: throughputRows counts completions per window, empty windows as 0", () => {
  const ops = [op(4, 1), op(14, 1), op(119, 1), op(250, 0, "info"), op(380, 1)];
  const ok = throughputRows(ops, { windowMs: 100 });
  assert.deepEqual(ok.map((r) => [r.startMs, r.count, r.opsPerSec]), [
    [0, 2, 20],
    [100, 1, 10],
    [200, 0, 0],
    [300, 1, 10],
  ]);
  const withInfo = throughputRows(ops, { windowMs: 100, statuses: ["ok", "info"] });
  assert.deepEqual(withInfo.filter((r) => r.startMs === 200).map((r) => [r.series, r.count]), [
    ["ok", 0],
    ["info", 1],
  ]);
});

Deno.test("viz: latencyScatter caps marks, keeps failures, and says so in the subtitle", () => {
  const ops = syntheticOps(10_000);
  const spec = latencyScatter(ops, { maxPoints: 1000 });
  const rows = rowsOfLayer(spec, "ops");
  assert.equal(rows.length, 1000);
  assert.match(subtitleOf(spec), /showing 1,000 of 10,000 ops/);
  assert.match(subtitleOf(spec), /0–9,999 ms/);
  // 800 fails + 200 infos (+ ok tail latencies) exceed half the budget: they get half, strided.
  const notOk = rows.filter((r) => r.status !== "ok").length;
  assert.ok(notOk > 400 && notOk <= 500, `${notOk} fail/info rows`);
  const few = latencyScatter(ops.filter((o, i) => o.status === "ok" || i < 500), {
    maxPoints: 1000,
  });
  const fewRows = rowsOfLayer(few, "ops");
  const failsInInput = ops.filter((o, i) => o.status !== "ok" && i < 500).length;
  assert.ok(
    fewRows.filter((r) => r.status !== "ok").length >= failsInInput,
    "all rare failures kept",
  );
  const whole = latencyScatter(ops.slice(0, 100));
  assert.doesNotMatch(subtitleOf(whole), /showing/);
  assert.match(subtitleOf(whole), /^100 ops/);
});

Deno.test("viz: latencyScatter respects the time window", () => {
  const ops = syntheticOps(1000, 1000);
  const spec = latencyScatter(ops, { fromMs: 100, toMs: 200 });
  const rows = rowsOfLayer(spec, "ops");
  assert.ok(rows.every((r) => (r.invokeMs as number) >= 100 && (r.invokeMs as number) <= 200));
  assert.match(subtitleOf(spec), /100–200 ms/);
});

Deno.test("viz: latencyQuantiles caps windows and reports it", () => {
  const ops = syntheticOps(20_000, 100_000);
  const spec = latencyQuantiles(ops, { windowMs: 10, maxWindows: 100 });
  assert.match(subtitleOf(spec), /showing 100 of 10,000 windows/);
  assert.equal(rowsOfLayer(spec, "quantiles").length, 400);
});

Deno.test("viz: latencyCdf keeps unfinished samples in n, so the curve stays below 100%", async () => {
  const { latencyCdf } = await import("@lab/viz/mod.ts");
  const spec = latencyCdf([{ name: "a", latenciesMs: [10, 20, Infinity, Infinity] }]);
  const values = (spec as { data: { values: { fraction: number }[] } }).data.values;
  const top = Math.max(...values.map((v) => v.fraction));
  if (top !== 0.5) throw new Error(`expected the curve to end at 50%, got ${top}`);
  const many = latencyCdf(
    Array.from({ length: 6 }, (_, i) => ({ name: `s${i}`, latenciesMs: [1, 2, 3] })),
  );
  const sub = JSON.stringify(many.title);
  if (!sub.includes("6 series, n = 3 each")) throw new Error(`subtitle: ${sub}`);
});
