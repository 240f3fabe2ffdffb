/** Shared assertions: a spec compiles with vega-lite and renders to SVG with vega. */
import assert from "node:assert/strict";
import { compile } from "vega-lite";
import type { TopLevelSpec } from "vega-lite";
import { renderSvg } from "@lab/viz/mod.ts";

/** Compile, render, and check the SVG is non-empty and contains each of `texts`. */
export async function assertRenders(
  spec: TopLevelSpec,
  texts: readonly string[] = [],
): Promise<string> {
  assert.equal(spec.$schema, "https://vega.github.io/schema/vega-lite/v5.json");
  const vg = compile(spec).spec;
  assert.ok(vg.marks && vg.marks.length > 0, "compiled vega spec has marks");
  const svg = await renderSvg(spec);
  assert.ok(svg.startsWith("<svg"), "starts with <svg");
  assert.ok(svg.length > 1000, `svg is not trivially small (${svg.length} bytes)`);
  for (const t of texts) assert.ok(svg.includes(escapeXml(t)), `svg contains ${JSON.stringify(t)}`);
  return svg;
}

/** Escape like vega's SVG string renderer does for text content. */
export function escapeXml(s: string): string {
  return s.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
}

/** The subtitle of a spec as one string. */
export function subtitleOf(spec: TopLevelSpec): string {
  const t = spec.title;
  if (t && typeof t === "object" && !Array.isArray(t) && "subtitle" in t) {
    // a wrapped subtitle is an array of lines
    return Array.isArray(t.subtitle) ? t.subtitle.join(" ") : String(t.subtitle);
  }
  return "";
}

/** All layers of a spec, flattened. */
export function layersOf(spec: TopLevelSpec): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  const walk = (n: Record<string, unknown>) => {
    if (Array.isArray(n.layer)) { for (const c of n.layer) walk(c as Record<string, unknown>); }
    else out.push(n);
  };
  walk(spec as unknown as Record<string, unknown>);
  return out;
}

/** Inline rows of a named layer (or of a named dataset it points to). */
export function rowsOfLayer(spec: TopLevelSpec, name: string): Record<string, unknown>[] {
  const layer = layersOf(spec).find((l) => l.name === name);
  assert.ok(layer, `layer ${name} exists`);
  const data = layer.data as { values?: unknown[]; name?: string } | undefined;
  if (data?.values) return data.values as Record<string, unknown>[];
  const datasets = (spec as { datasets?: Record<string, unknown[]> }).datasets ?? {};
  if (data?.name) return datasets[data.name] as Record<string, unknown>[];
  return ((spec as { data?: { values?: unknown[] } }).data?.values ?? []) as Record<
    string,
    unknown
  >[];
}
