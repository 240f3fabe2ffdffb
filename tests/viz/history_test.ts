import assert from "node:assert/strict";
import { historyBars, historyChart, renderSvg } from "@lab/viz/mod.ts";
import { checkLinearizability, kvModel, parseHistory, registerModel } from "@lab/checkers/mod.ts";
import { type History, pairOperations } from "@lab/workload/mod.ts";
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
});

Deno.test("viz: historyChart of a corpus kv history, per key, without a witness", async () => {
  const url = new URL("../../../shared/data/porcupine/kv/c10-ok.txt", import.meta.url);
  const parsed = parseHistory(await Deno.readTextFile(url));
  const ops = pairOperations(parsed.events);
  assert.equal(checkLinearizability(ops, kvModel()).verdict, "ok");
  const key = ops[0].key!;
  const spec = historyChart(ops, { key, maxOps: 50 });
  const { bars, total } = historyBars(ops, { key, maxOps: 50 });
  assert.ok(bars.length <= 50 && total >= bars.length);
  assert.ok(bars.every((b) => ops[b.id].key === key));
  const svg = await renderSvg(spec);
  assert.ok(svg.includes("History"));
});
