import assert from "node:assert/strict";
import { historyBars, historyChart, renderSvg } from "@lab/viz/mod.ts";
import { checkLinearizability, kvModel, parseHistory, registerModel } from "@lab/checkers/mod.ts";
import { type History, type HistoryEvent, pairOperations } from "@lab/workload/mod.ts";
import { assertRenders } from "./_assert_chart.ts";

const stale: History = [
  { type: "invoke", process: 0, f: "write", value: 1, timeMs: 0 },
  { type: "ok", process: 0, f: "write", value: 1, timeMs: 10 },
  { type: "invoke", process: 1, f: "write", value: 2, timeMs: 20 },
  { type: "ok", process: 1, f: "write", value: 2, timeMs: 30 },
  { type: "invoke", process: 2, f: "read", value: null, timeMs: 40 },
  { type: "ok", process: 2, f: "read", value: 1, timeMs: 50 },
  { type: "invoke", process: 0, f: "read", value: null, timeMs: 60 },
];

Deno.test("viz: historyChart highlights the witness of a stale read", async () => {
  const ops = pairOperations(stale);
  const r = checkLinearizability(ops, registerModel());
  assert.equal(r.verdict, "illegal");
  const spec = historyChart(ops, { witness: r.witness });
  const { bars } = historyBars(ops, { witness: r.witness, focus: false });
  const critical = bars.filter((b) => b.role === "critical");
  assert.ok(critical.some((b) => b.label.startsWith("read")), "the stale read is critical");
  assert.ok(bars.some((b) => b.open), "the pending read runs to the end");
  await assertRenders(spec, ["Not linearizable", "client process"]);
  // unfocused, every operation of the history is drawn as one bar, the open read included
  const svg = await renderSvg(historyChart(ops, { witness: r.witness, focus: false }));
  assert.equal(svg.match(/aria-roledescription="bar"/g)?.length ?? 0, ops.length);
});

Deno.test("viz: historyChart of a corpus kv history, per key, without a witness", async () => {
  const url = new URL("../../../shared/data/porcupine/kv/c10-ok.txt", import.meta.url);
  const parsed = parseHistory(await Deno.readTextFile(url));
  const ops = pairOperations(parsed.events);
  assert.equal(checkLinearizability(ops, kvModel()).verdict, "ok");
  const key = ops[0].key!;
  const spec = historyChart(ops, { key, maxOps: 50 });
  const { bars, total } = historyBars(ops, { key, maxOps: 50 });
  const ofKey = ops.filter((o) => o.key === key).length;
  assert.equal(total, ofKey);
  assert.equal(bars.length, Math.min(50, ofKey));
  assert.ok(bars.every((b) => ops[b.id].key === key));
  // one bar mark per operation drawn
  const svg = await renderSvg(spec);
  assert.equal(
    svg.match(/role="graphics-symbol"[^>]*aria-roledescription="bar"/g)?.length ?? 0,
    bars.length,
  );
});

Deno.test("viz: historyBars keeps exactly maxOps operations (the earliest; a witness's first)", () => {
  // 20 sequential writes by 4 processes: ids 0..19 in invoke order
  const h: HistoryEvent[] = [];
  for (let i = 0; i < 20; i++) {
    h.push({ type: "invoke", process: i % 4, f: "write", value: i, timeMs: 10 * i });
    h.push({ type: "ok", process: i % 4, f: "write", value: i, timeMs: 10 * i + 5 });
  }
  const ops = pairOperations(h);
  for (const maxOps of [1, 7, 19, 20, 25]) {
    const { bars, total } = historyBars(ops, { maxOps });
    const kept = Math.min(maxOps, 20);
    assert.equal(total, 20);
    assert.deepEqual(bars.map((b) => b.id), Array.from({ length: kept }, (_, i) => i), `${maxOps}`);
    const spec = historyChart(ops, { maxOps });
    assert.equal((spec.data as { values: unknown[] }).values.length, kept);
    const phrase = kept < 20 ? `showing ${kept} of 20 operations` : "20 operations";
    assert.ok(
      JSON.stringify(spec.title).includes(phrase),
      `${maxOps}: ${JSON.stringify(spec.title)}`,
    );
  }
  // a witness's operations are kept even when they are the latest
  const witness = {
    label: "w",
    operations: [{ id: 18, role: "critical", description: "write 18" }],
  } as unknown as NonNullable<Parameters<typeof historyBars>[1]>["witness"];
  const { bars } = historyBars(ops, { witness, focus: false, maxOps: 3 });
  assert.deepEqual(bars.map((b) => b.id), [0, 1, 18]);
});
