import assert from "node:assert/strict";
import {
  barChart,
  display,
  hashString,
  latencyScatter,
  lineChart,
  prefixSvgIds,
  renderSvg,
  roundSvgNumbers,
  saveSvg,
  show,
  showAsync,
  specIdPrefix,
  summarizeSpec,
} from "@lab/viz/mod.ts";
import { syntheticOps } from "./_fixtures.ts";

const $display = Symbol.for("Jupyter.display");
const spec = latencyScatter(syntheticOps(300), {
  faults: [{ startMs: 100, endMs: 900, label: "partition" }],
});

Deno.test("viz: show() bundle has vega-lite v5, SVG and plain text", async () => {
  const chart = show(spec, { summary: "seed=42" });
  const method = (chart as unknown as Record<symbol, () => unknown>)[$display];
  assert.equal(typeof method, "function");
  const result = method.call(chart);
  assert.ok(result instanceof Promise, "the kernel awaits the display method");
  const bundle = (await result) as Record<string, unknown>;
  assert.deepEqual(Object.keys(bundle).sort(), [
    "application/vnd.vegalite.v5+json",
    "image/svg+xml",
    "text/plain",
  ]);
  assert.equal(bundle["application/vnd.vegalite.v5+json"], spec);
  assert.match(String(bundle["image/svg+xml"]), /^<svg/);
  const text = String(bundle["text/plain"]);
  assert.match(text, /^Latency of every operation\n300 ops; /);
  assert.match(text, /marks: .*point 300 \(ops\)/);
  assert.match(text, /ok latency p50 /);
  assert.match(text, /seed=42$/);
  assert.equal(await chart.bundle(), bundle, "rendered once, then cached");
  assert.deepEqual(JSON.parse(JSON.stringify(chart)), JSON.parse(JSON.stringify(spec)));
});

Deno.test("viz: showAsync() renders first and displays synchronously", async () => {
  const r = await showAsync(spec, { svg: false });
  const bundle = (r as unknown as Record<symbol, () => Record<string, unknown>>)[$display]();
  assert.ok(!(bundle instanceof Promise));
  assert.deepEqual(Object.keys(bundle).sort(), ["application/vnd.vegalite.v5+json", "text/plain"]);
});

Deno.test("viz: display() refuses politely outside the Jupyter kernel", async () => {
  await assert.rejects(() => display(spec), /needs the Deno Jupyter kernel/);
});

Deno.test("viz: importing lib/viz does not touch Deno.jupyter", async () => {
  // Outside the kernel, reading Deno.jupyter throws; this file imported mod.ts statically, and a
  // fresh dynamic import of the module graph must not throw either.
  assert.throws(() => (Deno as unknown as { jupyter: unknown }).jupyter);
  const viz = await import("@lab/viz/mod.ts");
  assert.equal(typeof viz.show, "function");
});

Deno.test("viz: SVG ids are prefixed from the spec hash and stable across renders", async () => {
  const a = await renderSvg(spec);
  const b = await renderSvg(spec); // vega's global id counter has moved on by now
  assert.equal(a, b);
  const prefix = specIdPrefix(spec);
  assert.match(prefix, /^v[0-9a-f]{10}-$/);
  const ids = [...a.matchAll(/\sid="([^"]*)"/g)].map((m) => m[1]);
  assert.ok(ids.length > 0);
  for (const id of ids) assert.ok(id.startsWith(prefix), id);
  for (const m of a.matchAll(/url\(#([^)]*)\)/g)) {
    assert.ok(ids.includes(m[1]), `reference ${m[1]} resolves`);
  }
  const other = await renderSvg(barChart([{ k: "a", v: 1 }], { x: "k", y: "v" }));
  const otherIds = [...other.matchAll(/\sid="([^"]*)"/g)].map((m) => m[1]);
  for (const id of otherIds) assert.ok(!ids.includes(id), "two charts never share an id");
  const custom = await renderSvg(spec, { idPrefix: "nb03-" });
  assert.match(custom, /id="nb03-0"/);
});

Deno.test("viz: prefixSvgIds rewrites ids and their references only", () => {
  const svg =
    '<svg><clipPath id="clip7"><rect/></clipPath><g clip-path="url(#clip7)"><use xlink:href="#clip7"/>' +
    '<a href="#elsewhere"/><text>id="clip7" url(#x)</text></g></svg>';
  assert.equal(
    prefixSvgIds(svg, "p-"),
    '<svg><clipPath id="p-0"><rect/></clipPath><g clip-path="url(#p-0)"><use xlink:href="#p-0"/>' +
      '<a href="#elsewhere"/><text>id="clip7" url(#x)</text></g></svg>',
  );
});

Deno.test("viz: roundSvgNumbers rounds geometry, not text", () => {
  assert.equal(
    roundSvgNumbers(
      '<path transform="translate(1.23456,-0.0001)" d="M1.5,2.33333L3,4"/><text>1.23456</text>',
      2,
    ),
    '<path transform="translate(1.23,0)" d="M1.5,2.33L3,4"/><text>1.23456</text>',
  );
});

Deno.test("viz: hashString is FNV-1a 64", () => {
  assert.equal(hashString(""), "cbf29ce484222325");
  assert.equal(hashString("a"), "af63dc4c8601ec8c");
});

Deno.test("viz: saveSvg writes the rendered SVG", async () => {
  const path = await Deno.makeTempFile({ suffix: ".svg" });
  try {
    const s = lineChart([{ n: 1, ms: 3 }, { n: 2, ms: 5 }], {
      x: "n",
      y: "ms",
      title: "Saved chart",
    });
    await saveSvg(s, path);
    const text = await Deno.readTextFile(path);
    assert.match(text, /^<svg/);
    assert.ok(text.includes("Saved chart"));
  } finally {
    await Deno.remove(path);
  }
});

Deno.test("viz: summarizeSpec works on foreign specs too", () => {
  const text = summarizeSpec({
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title: "Hand-written",
    data: { values: [{ a: 1 }, { a: 2 }] },
    mark: "bar",
    encoding: { x: { field: "a", type: "quantitative" } },
  });
  assert.equal(text, "Hand-written\nmarks: bar 2");
});
