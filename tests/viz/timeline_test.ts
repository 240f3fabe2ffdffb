import assert from "node:assert/strict";
import type { TraceRecord } from "@lab/sim/types.ts";
import { faultWindowsFromTrace, nodeStateTimeline, stateIntervalsFromTrace } from "@lab/viz/mod.ts";
import { assertRenders, rowsOfLayer, subtitleOf } from "./_assert_chart.ts";

const role = (t: number, node: string, r: string): TraceRecord => ({
  type: "event",
  t,
  node,
  event: { type: "role", role: r },
});
const trace: TraceRecord[] = [
  role(0, "n0", "follower"),
  role(0, "n1", "follower"),
  role(150, "n0", "candidate"),
  role(160, "n0", "leader"),
  { type: "pause", t: 200, node: "n1", durationMs: 50 }, // no resume record: ends at 250
  { type: "crash", t: 300, node: "n0" },
  role(320, "n1", "candidate"),
  { type: "restart", t: 400, node: "n0" },
  role(400, "n0", "follower"),
  { type: "pause", t: 420, node: "n1", durationMs: 100 },
  { type: "resume", t: 450, node: "n1", backlog: 3 },
];
const stateOf = (r: TraceRecord) =>
  r.type === "event" && r.event.type === "role"
    ? { node: r.node, state: String(r.event.role) }
    : undefined;

Deno.test("viz: stateIntervalsFromTrace turns roles and lifecycle records into intervals", () => {
  const rows = stateIntervalsFromTrace(trace, { stateOf, endMs: 500 });
  assert.deepEqual(rows.map((r) => [r.node, r.startMs, r.endMs, r.state]), [
    ["n0", 0, 150, "follower"],
    ["n0", 150, 160, "candidate"],
    ["n0", 160, 300, "leader"],
    ["n0", 300, 400, "crashed"],
    ["n0", 400, 500, "follower"],
    ["n1", 0, 200, "follower"],
    ["n1", 200, 250, "paused"],
    ["n1", 250, 320, "follower"],
    ["n1", 320, 420, "candidate"],
    ["n1", 420, 450, "paused"],
    ["n1", 450, 500, "candidate"],
  ]);
  const liveness = stateIntervalsFromTrace(trace, { endMs: 500, nodes: ["n0"] });
  assert.deepEqual(liveness.map((r) => [r.startMs, r.endMs, r.state]), [
    [0, 300, "alive"],
    [300, 400, "crashed"],
    [400, 500, "alive"],
  ]);
});

Deno.test("viz: faultWindowsFromTrace pairs crash/restart and pauses", () => {
  const f = faultWindowsFromTrace([...trace, { type: "crash", t: 480, node: "n1" }], {
    endMs: 500,
  });
  assert.deepEqual(f, [
    { startMs: 200, endMs: 250, label: "pause n1" },
    { startMs: 300, endMs: 400, label: "crash n0" },
    { startMs: 420, endMs: 520, label: "pause n1" },
    { startMs: 480, endMs: 500, label: "crash n1" },
  ]);
});

Deno.test("viz: nodeStateTimeline renders, clips to the window, and caps intervals", async () => {
  const rows = stateIntervalsFromTrace(trace, { stateOf, endMs: 500 });
  const spec = nodeStateTimeline(rows, {
    fromMs: 100,
    toMs: 450,
    faults: faultWindowsFromTrace(trace, { endMs: 500 }),
  });
  await assertRenders(spec, ["Node states over time", "leader", "crashed", "paused", "crash n0"]);
  const bars = rowsOfLayer(spec, "states");
  assert.ok(bars.every((b) => (b.startMs as number) >= 100 && (b.endMs as number) <= 450));
  assert.equal(rowsOfLayer(spec, "fault bands").length, 3);
  const many = Array.from({ length: 5000 }, (_, i) => ({
    node: `n${i % 5}`,
    startMs: i,
    endMs: i + 1,
    state: i % 2 === 0 ? "follower" : "leader",
  }));
  const capped = nodeStateTimeline(many, { maxIntervals: 300 });
  assert.equal(rowsOfLayer(capped, "states").length, 300);
  assert.match(subtitleOf(capped), /showing 300 of 5,000 intervals/);
});
