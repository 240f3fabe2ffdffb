/**
 * The site's chart script (tools/nbconvert_templates/distlab/static/distlab-charts.js) against a
 * minimal fake DOM: the SVG fallback is hidden only once vega-embed has drawn the chart.
 */
import assert from "node:assert/strict";

const SCRIPT = await Deno.readTextFile(
  new URL("../../tools/nbconvert_templates/distlab/static/distlab-charts.js", import.meta.url),
);

interface FakeEl {
  hidden: boolean;
  removed: boolean;
  className: string;
  classes: Set<string>;
}

function page(specText: string) {
  const img: FakeEl = { hidden: false, removed: false, className: "", classes: new Set() };
  const inserted: FakeEl[] = [];
  const script = { textContent: specText, parentElement: undefined as unknown };
  const box = {
    classList: { add: (c: string) => boxClasses.add(c) },
    querySelector: (sel: string) => sel === "img.distlab-chart-svg" ? img : null,
    insertBefore: (el: FakeEl) => inserted.push(el),
  };
  const boxClasses = new Set<string>();
  script.parentElement = box;
  const document = {
    readyState: "complete",
    querySelectorAll: (sel: string) =>
      sel === 'script[type="application/vnd.vegalite.v5+json"]' ? [script] : [],
    createElement: () => {
      const el = { hidden: false, removed: false, className: "", classes: new Set<string>() };
      return Object.assign(el, { remove: () => el.removed = true });
    },
    addEventListener: () => assert.fail("the page is already loaded"),
  };
  return { img, inserted, boxClasses, document };
}

async function run(specText: string, vegaEmbed?: (...a: unknown[]) => Promise<unknown>) {
  const p = page(specText);
  const calls: unknown[][] = [];
  const g = {
    vegaEmbed: vegaEmbed &&
      ((...a: unknown[]) => {
        calls.push(a);
        return vegaEmbed(...a);
      }),
  };
  const quiet = { warn: () => {} };
  new Function("document", "globalThis", "console", SCRIPT)(p.document, g, quiet);
  await new Promise((r) => setTimeout(r, 0));
  return { ...p, calls };
}

Deno.test("site charts: vega-embed draws the spec, then the SVG fallback is hidden", async () => {
  const spec = { mark: "point", encoding: { tooltip: { field: "payload" } } };
  const r = await run(JSON.stringify(spec), () => Promise.resolve({}));
  assert.equal(r.calls.length, 1);
  assert.deepEqual(r.calls[0][1], spec);
  assert.deepEqual(r.calls[0][0], r.inserted[0]);
  assert.equal((r.calls[0][2] as { actions: boolean }).actions, false);
  assert.equal(r.img.hidden, true);
  assert.ok(r.boxClasses.has("distlab-interactive"));
});

Deno.test("site charts: the SVG stays when vega-embed fails, is missing, or the spec is bad", async () => {
  const failed = await run("{}", () => Promise.reject(new Error("bad spec")));
  assert.equal(failed.img.hidden, false);
  assert.equal(failed.inserted[0].removed, true);
  const missing = await run("{}");
  assert.equal(missing.img.hidden, false);
  assert.equal(missing.inserted.length, 0);
  const garbled = await run("{not json", () => Promise.resolve({}));
  assert.equal(garbled.calls.length, 0);
  assert.equal(garbled.img.hidden, false);
});
