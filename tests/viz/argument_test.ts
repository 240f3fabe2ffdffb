/** Tests of the options that make charts carry the argument (issue 9 §4). */
import assert from "node:assert/strict";
import type { TraceRecord } from "@lab/sim/types.ts";
import {
  barChart,
  describeOperation,
  heatmap,
  historyBars,
  historyChart,
  linearizationPoints,
  lineChart,
  messageLabel,
  renderSvg,
  spaceTimeDiagram,
  summarizeSpec,
  throughputChart,
} from "@lab/viz/mod.ts";
import { TYPE_PALETTE, wrapText } from "../../lib/viz/_common.ts";
import { boxesOverlap, placeLabels } from "../../lib/viz/_labels.ts";
import { casRegisterModel, checkLinearizability, registerModel } from "@lab/checkers/mod.ts";
import { type History, pairOperations } from "@lab/workload/mod.ts";
import { assertRenders, escapeXml, layersOf, rowsOfLayer } from "./_assert_chart.ts";

/** CIE L*a*b* of a #rrggbb colour (D65). */
function lab(hex: string): [number, number, number] {
  const c = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255).map((v) =>
    v <= 0.04045 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4
  );
  const x = (0.4124 * c[0] + 0.3576 * c[1] + 0.1805 * c[2]) / 0.95047;
  const y = 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
  const z = (0.0193 * c[0] + 0.1192 * c[1] + 0.9505 * c[2]) / 1.08883;
  const f = (t: number) => t > 0.008856 ? Math.cbrt(t) : 7.787 * t + 16 / 116;
  return [116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))];
}
const deltaE = (a: string, b: string) => Math.hypot(...lab(a).map((v, i) => v - lab(b)[i]));

function broadcastTrace(types: readonly string[], n = 4): TraceRecord[] {
  const out: TraceRecord[] = [];
  let id = 0;
  types.forEach((type, k) => {
    const from = `n${k % n}`;
    for (let j = 0; j < n; j++) {
      if (`n${j}` === from) continue;
      const msg = { type, view: 0, n: 1, height: 1, round: k, term: 7 };
      const t = k * 10;
      out.push({ type: "send", t, id, from, to: `n${j}`, msg, sizeBytes: 64 });
      out.push({ type: "deliver", t: t + 10, id, from, to: `n${j}`, msg, sentAt: t });
      id++;
    }
  });
  return out.sort((a, b) => a.t - b.t);
}

function colourOf(spec: object, kind: string): string {
  const msgs = layersOf(spec as never).find((l) => l.name === "messages")!;
  const scale = (msgs.encoding as { color: { scale: { domain: string[]; range: string[] } } })
    .color.scale;
  return scale.range[scale.domain.indexOf(kind)];
}

Deno.test("viz §4: message types get distinct colours, in order of first send", async () => {
  const pbft = ["REQUEST", "PRE-PREPARE", "PREPARE", "COMMIT", "REPLY"];
  const spec = spaceTimeDiagram(broadcastTrace(pbft));
  const colours = pbft.map((k) => colourOf(spec, k));
  assert.equal(new Set(colours).size, 5, "five types, five colours");
  const msgs = layersOf(spec).find((l) => l.name === "messages")!;
  assert.deepEqual(
    (msgs.encoding as { color: { scale: { domain: string[] } } }).color.scale.domain,
    pbft,
    "legend in protocol order (first send), not alphabetical",
  );
  const svg = await renderSvg(spec);
  for (const c of colours) assert.ok(svg.includes(c), `colour ${c} drawn`);
  // any 3–8 types: every pair differs clearly (CIE76 ΔE ≥ 25), and none looks like the drop red
  for (let i = 0; i < 8; i++) {
    assert.ok(deltaE(TYPE_PALETTE[i], "#d62728") > 35, `${TYPE_PALETTE[i]} vs drop red`);
    for (let j = i + 1; j < 8; j++) {
      const d = deltaE(TYPE_PALETTE[i], TYPE_PALETTE[j]);
      assert.ok(d >= 25, `${TYPE_PALETTE[i]} vs ${TYPE_PALETTE[j]}: ΔE ${d.toFixed(1)}`);
    }
  }
  // the check catches near-identical hues (tableau20's blue and its neighbour in tableau10 blues)
  assert.ok(deltaE("#4c78a8", "#5878a8") < 25);
  const fixed = spaceTimeDiagram(broadcastTrace(["Prevote", "Precommit"]), {
    colors: [["Precommit", "#000000"]],
  });
  assert.equal(colourOf(fixed, "Precommit"), "#000000");
  assert.notEqual(colourOf(fixed, "Prevote"), "#000000");
});

Deno.test("viz §4: payload labels appear as text in the SVG, once per broadcast", async () => {
  const trace = broadcastTrace(["Proposal", "Prevote"]);
  const spec = spaceTimeDiagram(trace);
  const labels = rowsOfLayer(spec, "payload labels");
  assert.deepEqual(labels.map((l) => l.text), ["term 7 v0 h1 r0 n1", "term 7 v0 h1 r1 n1"]);
  await assertRenders(spec, ["term 7 v0 h1 r0 n1", "payloads written on 2 of 6 arrows"]);
  const custom = spaceTimeDiagram(trace, {
    labels: (m) => `round=${(m as { round: number }).round}`,
  });
  await assertRenders(custom, ["round=0", "round=1"]);
  const off = await renderSvg(spaceTimeDiagram(trace, { labels: false }));
  assert.ok(!off.includes("term 7"), "labels: false draws none");
  assert.equal(
    messageLabel({ type: "AppendEntries", term: 2, prevLogIndex: 3, entries: [{}] }),
    "term 2 +1@4",
  );
  assert.equal(
    messageLabel({ type: "Prevote", height: 1, round: 0, id: null, validator: "n1" }),
    "h1 r0 nil",
  );
  assert.equal(
    messageLabel({
      type: "Accept",
      ballot: { round: 3, proposerId: "n1" },
      slot: 2,
      value: { kind: "noop" },
    }),
    "b3.n1 s2 =noop",
  );
  assert.equal(
    messageLabel({ type: "KvRequest", clientId: "c0", seq: 4, f: "put", key: "k0", value: 1 }),
    "#4 put k0 =1",
  );
  assert.equal(
    messageLabel({ type: "RequestVoteResponse", term: 3, voteGranted: false }),
    "term 3 ✗",
  );
  assert.equal(messageLabel({ type: "x", term: 123456789, view: 987654321 }, 12).length, 12);
});

Deno.test("viz §4: overlapping labels are left out; labels stay inside the plot", () => {
  const a = { cx: 0, cy: 0, hw: 20, hh: 5, angle: 0 };
  assert.ok(boxesOverlap(a, { ...a, cx: 30 }));
  assert.ok(!boxesOverlap(a, { ...a, cx: 41 }));
  // rotated 90°: a tall thin box beside `a` does not touch it; unrotated it would
  assert.ok(!boxesOverlap(a, { cx: 27, cy: 0, hw: 20, hh: 5, angle: 90 }));
  assert.ok(boxesOverlap(a, { cx: 27, cy: 0, hw: 20, hh: 5, angle: 0 }));
  assert.deepEqual(placeLabels([[a], [a, { ...a, cy: 20 }], [a]]), [0, 1, -1]);
  assert.deepEqual(placeLabels([[a], [{ ...a, cy: 50 }]], 1), [0, -1], "max labels");
  // 40 messages crossing the same spot: far fewer labels than messages, none overlapping
  const trace: TraceRecord[] = [];
  for (let i = 0; i < 40; i++) {
    const msg = { type: "AppendEntries", term: i, entries: [] };
    trace.push({ type: "send", t: i * 0.1, id: i, from: "n0", to: "n1", msg, sizeBytes: 1 });
    trace.push({
      type: "deliver",
      t: 10 + i * 0.1,
      id: i,
      from: "n0",
      to: "n1",
      msg,
      sentAt: i * 0.1,
    });
  }
  const rows = rowsOfLayer(spaceTimeDiagram(trace), "payload labels");
  assert.ok(rows.length > 0 && rows.length < 20, `${rows.length} labels for 40 arrows`);
});

Deno.test("viz §4: protocol event types get distinct shapes and readable labels", async () => {
  const trace: TraceRecord[] = [
    { type: "timer", t: 0, node: "n0", name: "election" },
    { type: "event", t: 1, node: "n0", event: { type: "role", role: "candidate", term: 2 } },
    { type: "event", t: 5, node: "n0", event: { type: "role", role: "leader", term: 2 } },
    { type: "event", t: 6, node: "n1", event: { type: "commit", index: 4 } },
    { type: "crash", t: 8, node: "n1" },
  ];
  const spec = spaceTimeDiagram(trace, { nodes: ["n0", "n1"] });
  const ev = layersOf(spec).find((l) => l.name === "local events")!;
  const shape = (ev.encoding as { shape: { scale: { domain: string[]; range: string[] } } }).shape
    .scale;
  assert.deepEqual(shape.domain, ["timer", "role", "commit", "crash"]);
  assert.equal(new Set(shape.range).size, 4, "four kinds, four shapes");
  await assertRenders(spec, ["leader term 2", "commit i4", "crash"]);
});

Deno.test("viz §4: messages on the same path are drawn side by side", () => {
  const trace: TraceRecord[] = ["Proposal", "Prevote"].flatMap((type, id): TraceRecord[] => [
    { type: "send", t: 0, id, from: "n1", to: "n0", msg: { type }, sizeBytes: 1 },
    { type: "deliver", t: 10, id, from: "n1", to: "n0", msg: { type }, sentAt: 0 },
  ]);
  const rows = rowsOfLayer(spaceTimeDiagram(trace), "messages");
  assert.equal(rows[0].fromLane, 1);
  assert.notEqual(rows[1].fromLane, 1, "the second is nudged off the first");
  assert.ok(Math.abs((rows[1].fromLane as number) - 1) < 0.1);
});

const concurrent: History = [
  { type: "invoke", process: 0, f: "write", value: 1, timeMs: 0 },
  { type: "ok", process: 0, f: "write", value: 1, timeMs: 10 },
  { type: "invoke", process: 1, f: "write", value: 2, timeMs: 5 },
  { type: "invoke", process: 2, f: "read", value: null, timeMs: 12 },
  { type: "ok", process: 2, f: "read", value: 2, timeMs: 18 },
  { type: "ok", process: 1, f: "write", value: 2, timeMs: 30 },
  { type: "invoke", process: 0, f: "cas", value: [2, 3], timeMs: 32 },
  { type: "ok", process: 0, f: "cas", value: [2, 3], timeMs: 40 },
  { type: "invoke", process: 2, f: "read", value: null, timeMs: 35 },
  { type: "ok", process: 2, f: "read", value: 3, timeMs: 45 },
];

Deno.test("viz §4: history bars say write, read and cas, with values", async () => {
  const ops = pairOperations(concurrent);
  assert.deepEqual(historyBars(ops).bars.map((b) => [b.kind, b.label]), [
    ["write", "write 1"],
    ["write", "write 2"],
    ["read", "read → 2"],
    ["cas", "cas 2→3"],
    ["read", "read → 3"],
  ]);
  assert.equal(
    describeOperation({ ...ops[0], f: "put", key: "k0", input: { value: "a" }, status: "fail" }),
    'put k0 "a" ✗ failed',
  );
  await assertRenders(historyChart(ops), ["write 1", "cas 2→3", "read → 3", "W", "R", "C"]);
});

Deno.test("viz §4: linearization points follow the checker's order inside each interval", async () => {
  const ops = pairOperations(concurrent);
  const r = checkLinearizability(ops, casRegisterModel());
  assert.equal(r.verdict, "ok");
  const order = r.partitions[0].linearization;
  const pts = linearizationPoints(ops, order, 45);
  assert.deepEqual(pts.map((p) => p.id), [...order]);
  for (let i = 0; i < pts.length; i++) {
    const o = ops[pts[i].id];
    assert.ok(pts[i].atMs >= o.invokeMs && pts[i].atMs <= o.completeMs, `point ${i} in interval`);
    if (i > 0) assert.ok(pts[i].atMs >= pts[i - 1].atMs, "non-decreasing along the order");
  }
  // write 2 is linearized before the read of 2, though write 1 completes first
  assert.ok(order.indexOf(1) < order.indexOf(2));
  const spec = historyChart(ops, { linearization: r });
  assert.equal(rowsOfLayer(spec, "linearization points").length, 5);
  await assertRenders(spec, ["linearization points (5 operations, in order)"]);
  // an order against real time (the read of 2 before write 1 completed... and began) cannot
  // sit inside every interval
  const bad = linearizationPoints(ops, [2, 0, 1, 3, 4], 45);
  assert.ok(bad.some((p) => p.atMs > ops[p.id].completeMs || p.atMs < ops[p.id].invokeMs));
  // without an ok result, a witness's prefix is drawn
  const stale: History = [
    { type: "invoke", process: 0, f: "write", value: 1, timeMs: 0 },
    { type: "ok", process: 0, f: "write", value: 1, timeMs: 10 },
    { type: "invoke", process: 1, f: "write", value: 2, timeMs: 20 },
    { type: "ok", process: 1, f: "write", value: 2, timeMs: 30 },
    { type: "invoke", process: 2, f: "read", value: null, timeMs: 40 },
    { type: "ok", process: 2, f: "read", value: 1, timeMs: 50 },
  ];
  const sops = pairOperations(stale);
  const w = checkLinearizability(sops, registerModel()).witness!;
  const ws = historyChart(sops, { witness: w, focus: false });
  assert.deepEqual(rowsOfLayer(ws, "linearization points").map((p) => p.id), [...w.linearization]);
  await assertRenders(ws, ["the order the checker linearized before it got stuck"]);
});

Deno.test("viz §4: theory drawn dashed next to measurements (lineChart, barChart)", async () => {
  const rows = [1, 2, 3, 4].flatMap((t) =>
    ["p = 0.1", "p = 0.3"].map((p, k) => ({
      timeout: t * 100,
      rate: (k + 1) * 0.5 ** t * 1.1,
      predicted: (k + 1) * 0.5 ** t,
      p,
    }))
  );
  const spec = lineChart(rows, {
    x: "timeout",
    y: "rate",
    series: "p",
    theory: "predicted",
    logY: true,
  });
  const theory = layersOf(spec).find((l) => l.name === "theory")!;
  const enc = theory.encoding as Record<string, { field?: string; datum?: string }>;
  assert.equal(enc.y.field, "predicted");
  assert.equal(enc.color.field, "p", "theory in its series' colour");
  assert.equal(enc.strokeDash.datum, "theory");
  const svg = await assertRenders(spec, ["theory", "measured", "p = 0.3"]);
  assert.match(svg, /stroke-dasharray="6,4"/, "a dashed line");
  const own = lineChart(rows, {
    x: "timeout",
    y: "rate",
    series: "p",
    theory: rows.map((r) => ({ ...r, rate: r.predicted })),
    theoryLabels: ["simulated", "formula"],
  });
  await assertRenders(own, ["simulated", "formula"]);
  assert.equal(rowsOfLayer(own, "theory").length, rows.length);
  const bars = barChart(
    [{ n: 4, msgs: 30, f: 29 }, { n: 7, msgs: 95, f: 92 }],
    { x: "n", y: "msgs", theory: "f", theoryLabel: "2n² − n + 1" },
  );
  const tick = layersOf(bars).find((l) => l.name === "theory")!;
  assert.equal((tick.mark as { type: string }).type, "tick");
  await assertRenders(bars, ["2n² − n + 1"]);
  assert.ok(
    !layersOf(lineChart(rows, { x: "timeout", y: "rate" })).some((l) => l.name === "theory"),
  );
});

Deno.test("viz §4: log scales on builders of rates and counts", () => {
  const scaleOf = (spec: object, layer: string, ch: string) =>
    (layersOf(spec as never).find((l) => l.name === layer)!.encoding as Record<
      string,
      { scale?: { type?: string } }
    >)[ch].scale?.type;
  const tp = [{ startMs: 0, endMs: 100, opsPerSec: 10 }, {
    startMs: 100,
    endMs: 200,
    opsPerSec: 0,
  }];
  assert.equal(
    scaleOf(throughputChart(tp, { windowMs: 100, logY: "symlog" }), "throughput", "y"),
    "symlog",
  );
  assert.equal(
    scaleOf(throughputChart(tp, { windowMs: 100, logY: true }), "throughput", "y"),
    "log",
  );
  assert.equal(scaleOf(throughputChart(tp, { windowMs: 100 }), "throughput", "y"), undefined);
  const rows = [{ k: "a", v: 0 }, { k: "b", v: 1000 }];
  assert.equal(scaleOf(barChart(rows, { x: "k", y: "v", logY: "symlog" }), "bars", "y"), "symlog");
  assert.equal(
    scaleOf(lineChart([{ x: 1, y: 0 }], { x: "x", y: "y", logY: "symlog" }), "lines", "y"),
    "symlog",
  );
  const hm = heatmap([{ a: 1, b: 1, v: 1 }, { a: 2, b: 1, v: 1000 }], {
    x: "a",
    y: "b",
    value: "v",
    logColor: true,
  });
  assert.equal(scaleOf(hm, "cells", "color"), "log");
});

Deno.test("viz §4: long legend labels and titles are not cut; SVG has alt text", async () => {
  const long = "fixed timeout at the recommended setting, measured over 200 seeds";
  const rows = [{ x: 1, y: 2, s: long }, { x: 2, y: 3, s: long }, { x: 1, y: 1, s: "phi" }];
  const yTitle = "false suspicions per pair-minute (log scale; zeros drawn at the floor value)";
  const spec = lineChart(rows, { x: "x", y: "y", series: "s", yTitle, height: 200 });
  const svg = await renderSvg(spec);
  assert.ok(svg.includes(escapeXml(long)), "the whole legend label is drawn");
  assert.ok(!svg.includes("…"), "nothing truncated");
  const wrapped = wrapText(yTitle, 31);
  assert.ok(Array.isArray(wrapped) && wrapped.every((l) => l.length <= 31));
  for (const line of wrapped as string[]) assert.ok(svg.includes(escapeXml(line)), line);
  // a long title wraps to the chart instead of widening it
  const title = "Mean detection time by link: phi adapts to the link, a fixed timeout does not, " +
    "and the gap grows with the latency";
  const narrow = lineChart(rows, { x: "x", y: "y", title, width: 300 });
  const t = narrow.title as { text: string | string[] };
  assert.ok(Array.isArray(t.text), "title wrapped");
  const w = Number(/<svg[^>]*width="(\d+)"/.exec(await renderSvg(narrow))![1]);
  // unwrapped, vega would size the SVG for one 120-character line (about 1,250 px)
  assert.ok(w < 700, `svg width ${w} stays near the 300 px plot`);
  // alt text from the plain-text summary
  assert.match(svg, /^<svg[^>]* role="img" aria-label="false suspicions per pair-minute/);
  const desc = /<desc id="[^"]*">([^<]*)<\/desc>/.exec(svg)![1];
  assert.equal(desc, escapeXml(summarizeSpec(spec)).replaceAll('"', "&quot;"));
  assert.ok(!(await renderSvg(spec, { alt: false })).includes("<desc"));
});
