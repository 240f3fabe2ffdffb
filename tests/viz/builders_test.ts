import assert from "node:assert/strict";
import {
  barChart,
  faultWindowsFromTrace,
  heatmap,
  latencyCdf,
  latencyMsOf,
  latencyQuantiles,
  latencyScatter,
  lineChart,
  nodeStateTimeline,
  spaceTimeDiagram,
  stateIntervalsFromTrace,
  throughputChart,
} from "@lab/viz/mod.ts";
import { assertRenders, layersOf, rowsOfLayer, subtitleOf } from "./_assert_chart.ts";
import { syntheticOps, syntheticTrace } from "./_fixtures.ts";

const ops = syntheticOps(3000);
const trace = syntheticTrace(1500);
const faults = [
  { startMs: 2000, endMs: 3000, label: "partition {n0} | {n1,n2}" },
  { startMs: 6000, endMs: Infinity, label: "crash n1" },
];

function assertZoom(spec: object, channel: "x" | "y") {
  const withParams = layersOf(spec as never).filter((l) => Array.isArray(l.params));
  assert.equal(withParams.length, 1, "exactly one layer carries the zoom param");
  const p = (withParams[0].params as { select: { encodings: string[] }; bind: string }[])[0];
  assert.equal(p.bind, "scales");
  assert.deepEqual(p.select.encodings, [channel]);
}

Deno.test("viz: latencyScatter compiles, renders, shades faults and caps info latency", async () => {
  const spec = latencyScatter(ops, { faults });
  await assertRenders(spec, [
    "Latency of every operation",
    "partition {n0} | {n1,n2}",
    "crash n1",
    "latency (ms)",
  ]);
  const bands = rowsOfLayer(spec, "fault bands");
  assert.equal(bands.length, 2);
  assert.equal(bands[1].endMs, ops[ops.length - 1].invokeMs, "open fault clipped to the window");
  const rows = rowsOfLayer(spec, "ops");
  const finiteMax = Math.max(...ops.map(latencyMsOf).filter(Number.isFinite));
  const info = rows.filter((r) => r.status === "info");
  assert.ok(info.length > 0);
  for (const r of info) {
    assert.ok((r.latencyMs as number) > finiteMax, "info ops drawn above every finite latency");
  }
  // each info op says why it sits at the cap; finite ones carry no note
  for (const r of info) assert.equal(r.note, "unknown outcome: latency drawn at the cap");
  assert.ok(rows.filter((r) => r.status !== "info").every((r) => r.note === undefined));
  assertZoom(spec, "x");
});

Deno.test("viz: latencyQuantiles and latencyCdf compile and render", async () => {
  const q = latencyQuantiles(ops, { windowMs: 500, quantiles: [0.5, 0.95, 0.99, 1], faults });
  await assertRenders(q, ["Latency quantiles over time", "p99", "max", "partition {n0} | {n1,n2}"]);
  assertZoom(q, "x");
  const cdf = latencyCdf([
    { name: "150–150 ms", latenciesMs: ops.map(latencyMsOf) },
    { name: "150–300 ms", latenciesMs: [160, 190, 230, 250] },
  ], { logX: true });
  await assertRenders(cdf, ["Latency CDF", "150–300 ms", "cumulative fraction"]);
  assertZoom(cdf, "x");
});

Deno.test("viz: throughputChart from ops and from rows", async () => {
  const a = throughputChart(ops, { windowMs: 250, faults });
  await assertRenders(a, ["Throughput", "ok ops/s", "crash n1"]);
  assert.equal(rowsOfLayer(a, "fault bands").length, 2);
  assertZoom(a, "x");
  const b = throughputChart([
    { startMs: 0, endMs: 1000, opsPerSec: 50, series: "raft" },
    { startMs: 1000, endMs: 2000, opsPerSec: 0, series: "raft" },
    { startMs: 0, endMs: 1000, opsPerSec: 40, series: "paxos" },
    { startMs: 1000, endMs: 2000, opsPerSec: 45, series: "paxos" },
  ], { windowMs: 1000, title: "Committed commands" });
  await assertRenders(b, ["Committed commands", "paxos"]);
});

Deno.test("viz: spaceTimeDiagram renders lanes, arrows, drops and local events (both orientations)", async () => {
  const v = spaceTimeDiagram(trace, { fromMs: 0, toMs: 200 });
  await assertRenders(v, ["Messages between nodes", "n0", "n1", "n2", "time (ms)"]);
  assertZoom(v, "y");
  const h = spaceTimeDiagram(trace, { orient: "horizontal", fromMs: 0, toMs: 200 });
  await assertRenders(h, ["Messages between nodes"]);
  assertZoom(h, "x");
  const names = layersOf(v).map((l) => l.name);
  for (const n of ["lanes", "messages", "drops", "local events"]) assert.ok(names.includes(n), n);
});

Deno.test("viz: nodeStateTimeline renders states from a trace", async () => {
  const intervals = stateIntervalsFromTrace(trace, {
    endMs: 3000,
    stateOf: (r) =>
      r.type === "event" && r.event.type === "role"
        ? { node: r.node, state: String(r.event.role) }
        : undefined,
  });
  const spec = nodeStateTimeline(intervals, {
    faults: faultWindowsFromTrace(trace, { endMs: 3000 }),
  });
  await assertRenders(spec, ["Node states over time", "leader", "crashed", "crash n1"]);
  assertZoom(spec, "x");
});

Deno.test("viz: heatmap writes values in cells (numeric and categorical)", async () => {
  const rows = [100, 200, 400].flatMap((timeoutMs) =>
    [0, 0.1, 0.3].map((lossRatio) => ({
      timeoutMs,
      lossRatio,
      detectMs: timeoutMs * (1 + 2 * lossRatio),
    }))
  );
  const a = heatmap(rows, {
    x: "timeoutMs",
    y: "lossRatio",
    value: "detectMs",
    xTitle: "timeout (ms)",
    yTitle: "loss ratio",
    valueTitle: "detection time (ms)",
    format: ",.0f",
    scheme: "viridis",
  });
  await assertRenders(a, ["detection time (ms)", "timeout (ms)", "480", "640"]);
  const b = heatmap([
    { scenario: "partition", mistake: "no fencing", outcome: "caught" },
    { scenario: "clock jump", mistake: "no fencing", outcome: "missed" },
  ], {
    x: "scenario",
    y: "mistake",
    value: "outcome",
    colors: [["caught", "#54a24b"], ["missed", "#e45756"]],
  });
  await assertRenders(b, ["caught", "missed", "clock jump"]);
});

Deno.test("viz: lineChart and barChart with error bands and bars", async () => {
  const rows = [3, 5, 7].flatMap((nodes) =>
    ["raft", "pbft"].map((p) => ({
      nodes,
      p,
      msgs: nodes * (p === "raft" ? 2 : nodes),
      lo: nodes,
      hi: nodes * 9,
    }))
  );
  const l = lineChart(rows, {
    x: "nodes",
    y: "msgs",
    series: "p",
    error: { lower: "lo", upper: "hi" },
    xTitle: "cluster size (nodes)",
    yTitle: "messages per op",
    title: "Messages per operation",
  });
  await assertRenders(l, ["Messages per operation", "cluster size (nodes)", "pbft"]);
  const lb = lineChart(rows, {
    x: "nodes",
    y: "msgs",
    series: "p",
    error: { lower: "lo", upper: "hi", style: "bars" },
  });
  await assertRenders(lb, ["msgs by nodes"]);
  const b = barChart(rows, {
    x: "nodes",
    y: "msgs",
    series: "p",
    error: { lower: "lo", upper: "hi" },
    labels: true,
    yTitle: "messages per op",
  });
  await assertRenders(b, ["messages per op", "raft"]);
  const bh = barChart([{ k: "raft", v: 4 }, { k: "pbft", v: 18 }], {
    x: "k",
    y: "v",
    horizontal: true,
  });
  await assertRenders(bh, ["v by k", "pbft"]);
});

Deno.test("viz: every builder puts units in its time-axis titles", () => {
  assert.match(subtitleOf(latencyScatter(ops)), /ms/);
  assert.match(JSON.stringify(throughputChart(ops, { windowMs: 100 })), /"time \(ms\)"/);
  assert.match(JSON.stringify(spaceTimeDiagram(trace)), /"time \(ms\)"/);
});

Deno.test("viz: grouped bars on a log scale are not stacked (stacking from 0 breaks log)", async () => {
  const { compile } = await import("vega-lite");
  const { barChart } = await import("@lab/viz/mod.ts");
  const rows = [{ k: "a", s: "x", v: 2 }, { k: "a", s: "y", v: 100 }, { k: "b", s: "x", v: 10 }];
  const vg = compile(barChart(rows, { x: "k", y: "v", series: "s", logY: true })).spec;
  const transforms = JSON.stringify(vg.data ?? []);
  if (transforms.includes('"stack"')) throw new Error("bars are stacked: " + transforms);
});
