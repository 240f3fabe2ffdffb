import assert from "node:assert/strict";
import type { TraceRecord } from "@lab/sim/types.ts";
import { localEvents, pairMessages, spaceTimeDiagram } from "@lab/viz/mod.ts";
import { assertRenders, layersOf, rowsOfLayer, subtitleOf } from "./_assert_chart.ts";
import { syntheticTrace } from "./_fixtures.ts";

const ping = { type: "ping" };
const small: TraceRecord[] = [
  { type: "send", t: 0, id: 7, from: "n0", to: "n1", msg: ping, sizeBytes: 64 },
  {
    type: "send",
    t: 1,
    id: 3,
    from: "n1",
    to: "n2",
    msg: { type: "vote", term: 2 },
    sizeBytes: 64,
  },
  { type: "send", t: 2, id: 9, from: "n2", to: "n0", msg: ping, sizeBytes: 64 },
  { type: "duplicate", t: 2, id: 10, of: 7, from: "n0", to: "n1" },
  { type: "timer", t: 3, node: "n0", name: "election" },
  {
    type: "drop",
    t: 4,
    id: 3,
    from: "n1",
    to: "n2",
    msg: { type: "vote", term: 2 },
    reason: "partition",
  },
  { type: "deliver", t: 5, id: 7, from: "n0", to: "n1", msg: ping, sentAt: 0 },
  { type: "deliver", t: 6, id: 10, from: "n0", to: "n1", msg: ping, sentAt: 0 },
  { type: "deliver", t: 8, id: 42, from: "n2", to: "n1", msg: ping, sentAt: -5 }, // sent before the trace
  { type: "crash", t: 9, node: "n2" },
  { type: "event", t: 10, node: "n0", event: { type: "role", role: "leader" } },
];

Deno.test("viz: pairMessages pairs sends with delivers and drops by id", () => {
  const rows = pairMessages(small);
  const byId = (id: number) => rows.filter((r) => r.id === id);
  assert.deepEqual(byId(7).map((r) => [r.sendMs, r.endMs, r.fate, r.duplicate]), [[
    0,
    5,
    "delivered",
    false,
  ]]);
  assert.deepEqual(byId(10).map((r) => [r.sendMs, r.endMs, r.fate, r.duplicate]), [[
    0,
    6,
    "delivered",
    true,
  ]]);
  assert.deepEqual(byId(3).map((r) => [r.sendMs, r.endMs, r.fate, r.reason, r.kind]), [
    [1, 4, "dropped", "partition", "vote"],
  ]);
  assert.deepEqual(byId(9).map((r) => [r.sendMs, r.endMs, r.fate]), [[2, 10, "in flight"]]);
  assert.deepEqual(byId(42).map((r) => [r.sendMs, r.fate]), [[-5, "delivered"]]);
  assert.deepEqual(rows.map((r) => r.id), [42, 7, 10, 3, 9], "ordered by send time");
  assert.deepEqual(localEvents(small).map((e) => [e.node, e.category, e.label]), [
    ["n0", "timer", "election"],
    ["n2", "crash", "crash"],
    ["n0", "event", "role"],
  ]);
  assert.equal(localEvents(small, { timers: false }).length, 2);
});

Deno.test("viz: spaceTimeDiagram draws drops as X at the midpoint with a reason tooltip", async () => {
  const spec = spaceTimeDiagram(small, { fromMs: 0, toMs: 10 });
  await assertRenders(spec, ["Messages between nodes", "n0", "n1", "n2"]);
  const msgs = rowsOfLayer(spec, "messages");
  const dropped = msgs.filter((m) => m.fate === "dropped");
  assert.equal(dropped.length, 1);
  assert.equal(dropped[0].reason, "partition");
  assert.equal(dropped[0].endLane, 1.5, "halfway between n1 (lane 1) and n2 (lane 2)");
  assert.match(String(dropped[0].payload), /"term":2/);
  const drops = JSON.stringify(layersOf(spec).find((l) => l.name === "drops"));
  assert.match(drops, /"cross"/);
  assert.match(drops, /drop reason/);
  const delivered = msgs.filter((m) => m.latencyMs !== undefined);
  assert.deepEqual(delivered.map((m) => m.id).sort(), [10, 42, 7]);
  assert.ok(rowsOfLayer(spec, "local events").some((e) => e.category === "crash"));
});

Deno.test("viz: spaceTimeDiagram honours nodes and window", () => {
  const spec = spaceTimeDiagram(small, { nodes: ["n1", "n0"], fromMs: 0, toMs: 5 });
  const msgs = rowsOfLayer(spec, "messages");
  assert.deepEqual(msgs.map((m) => m.id), [7, 10]);
  assert.deepEqual(
    msgs.map((m) => [m.fromLane, m.endLane]),
    [[1, 0], [1, 0]],
    "lanes follow the given order",
  );
  assert.ok(rowsOfLayer(spec, "local events").every((e) => e.node === "n0" || e.node === "n1"));
});

Deno.test("viz: spaceTimeDiagram on 100k messages: cuts the window by default, strides on request", async () => {
  const big = syntheticTrace(100_000);
  const t0 = performance.now();
  const first = spaceTimeDiagram(big, { timers: false, maxMessages: 2000 });
  const buildMs = performance.now() - t0;
  assert.ok(buildMs < 5000, `built in ${buildMs.toFixed(0)} ms`);
  const firstRows = rowsOfLayer(first, "messages");
  assert.equal(firstRows.length, 2000);
  assert.match(subtitleOf(first), /^first 2,000 of 100,000 messages \(window cut to fit/);
  assert.match(subtitleOf(first), /; 0–3,998 ms/, "the window ends at the 2,000th send");
  assert.ok(firstRows.every((m) => (m.sendMs as number) <= 3998));

  for (
    const spec of [
      spaceTimeDiagram(big, { timers: false, overflow: "stride", maxMessages: 2000 }),
      spaceTimeDiagram(big, { timers: false, fromMs: 0, toMs: 200_000, maxMessages: 2000 }),
    ]
  ) {
    const msgs = rowsOfLayer(spec, "messages");
    assert.equal(msgs.length, 2000);
    assert.match(
      subtitleOf(spec),
      /^showing 2,000 of 100,000 messages \(1,000 of 14,287 drops\/in flight\)/,
    );
    assert.match(subtitleOf(spec), /; 0–(199,99\d|200,000) ms/);
    assert.equal(
      msgs.filter((m) => m.fate === "dropped").length,
      1000,
      "drops get half the budget",
    );
  }
  await assertRenders(first, ["first 2,000 of 100,000 messages"]);
  const byDefault = spaceTimeDiagram(big, { timers: false });
  assert.equal(rowsOfLayer(byDefault, "messages").length, 1000);
  assert.match(subtitleOf(byDefault), /^first 1,000 of 100,000 messages/);
});
