/**
 * Render vega-lite specs to SVG with vega's headless renderer, with ids made unique per chart
 * (vega numbers clip paths from a process-global counter, so two notebooks inlined in one HTML
 * page would otherwise share `clip1`) and coordinates rounded to keep notebooks small.
 * @module
 */
import type { TopLevelSpec } from "vega-lite";
import { compile } from "vega-lite";
import * as vega from "vega";
import { summarizeSpec } from "./_summary.ts";

/** Options of {@link renderSvg}. */
export interface RenderOptions {
  /** Prefix for every SVG id. Default: "v" + a hash of the spec, so the same chart gets the same ids. */
  readonly idPrefix?: string;
  /** Decimals kept in coordinates and path data. Default 2; `Infinity` keeps vega's output. */
  readonly precision?: number;
  /**
   * Alt text written into the SVG (`<title>`, `<desc>`, `role="img"`, `aria-label`): the spec's
   * `description` when it has one, else its plain-text summary (`summarizeSpec`); a string
   * replaces it, `false` leaves the SVG as vega drew it. Default true.
   */
  readonly alt?: boolean | string;
}

function escapeXmlText(s: string): string {
  return s.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;");
}

/**
 * Give an SVG its alt text: `role="img"`, `aria-label` (the first line) and `aria-describedby`
 * on the root, and `<title>` / `<desc>` as its first children.
 *
 * @example
 * ```ts
 * import { addSvgAltText } from "@lab/viz/render.ts";
 * addSvgAltText('<svg width="1"></svg>', "Latency\n300 ops", "a-");
 * // '<svg width="1" role="img" aria-label="Latency" aria-describedby="a-desc"><title>Latency</title><desc id="a-desc">Latency\n300 ops</desc></svg>'
 * ```
 */
export function addSvgAltText(svg: string, text: string, idPrefix: string): string {
  const open = /^<svg\b[^>]*>/.exec(svg);
  if (open === null) return svg;
  const title = text.split("\n")[0];
  const tag = open[0].slice(0, -1) +
    ` role="img" aria-label="${escapeXmlText(title)}" aria-describedby="${idPrefix}desc">`;
  return tag + `<title>${escapeXmlText(title)}</title>` +
    `<desc id="${idPrefix}desc">${escapeXmlText(text)}</desc>` + svg.slice(open[0].length);
}

/**
 * A deterministic 64-bit FNV-1a hash of `text`, as 16 hex digits.
 *
 * @example
 * ```ts
 * import { hashString } from "@lab/viz/render.ts";
 * hashString("abc"); // "e71fa2190541574b"
 * ```
 */
export function hashString(text: string): string {
  let h = 0xcbf29ce484222325n;
  const prime = 0x100000001b3n;
  const mask = 0xffffffffffffffffn;
  for (let i = 0; i < text.length; i++) {
    h ^= BigInt(text.charCodeAt(i));
    h = (h * prime) & mask;
  }
  return h.toString(16).padStart(16, "0");
}

/** A short deterministic id prefix for a spec: "v" + 10 hex digits of its hash + "-". */
export function specIdPrefix(spec: TopLevelSpec): string {
  return `v${hashString(JSON.stringify(spec)).slice(0, 10)}-`;
}

/**
 * Rename every `id` in an SVG to `prefix` + its order of appearance, and rewrite the references
 * (`url(#id)`, `href="#id"`). The result no longer depends on vega's global id counter.
 *
 * @example
 * ```ts
 * import { prefixSvgIds } from "@lab/viz/render.ts";
 * prefixSvgIds('<clipPath id="clip7"/><g clip-path="url(#clip7)"/>', "a-");
 * // '<clipPath id="a-0"/><g clip-path="url(#a-0)"/>'
 * ```
 */
export function prefixSvgIds(svg: string, prefix: string): string {
  const ids = new Map<string, string>();
  const renamed = svg.replace(/(\s)id="([^"]*)"/g, (_m, sp: string, id: string) => {
    let next = ids.get(id);
    if (next === undefined) ids.set(id, next = `${prefix}${ids.size}`);
    return `${sp}id="${next}"`;
  });
  return renamed
    .replace(/url\(#([^)]*)\)/g, (m, id: string) => {
      const next = ids.get(id);
      return next === undefined ? m : `url(#${next})`;
    })
    .replace(/((?:xlink:)?href)="#([^"]*)"/g, (m, attr: string, id: string) => {
      const next = ids.get(id);
      return next === undefined ? m : `${attr}="#${next}"`;
    });
}

const GEOMETRY_ATTR =
  /\s(d|transform|x|y|x1|x2|y1|y2|width|height|points|cx|cy|r|rx|ry)="([^"]*)"/g;

/** Round numbers in geometry attributes of an SVG to `digits` decimals (labels are left alone). */
export function roundSvgNumbers(svg: string, digits = 2): string {
  if (!Number.isFinite(digits)) return svg;
  const k = 10 ** digits;
  const re = new RegExp(`-?\\d*\\.\\d{${digits + 1},}(?:e-?\\d+)?`, "g");
  return svg.replace(GEOMETRY_ATTR, (_m, attr: string, value: string) => {
    const v = value.replace(re, (num) => {
      const r = Math.round(Number(num) * k) / k;
      return String(Object.is(r, -0) ? 0 : r);
    });
    return ` ${attr}="${v}"`;
  });
}

/**
 * Compile a vega-lite spec and render it to an SVG string with vega's headless renderer
 * (`renderer: "none"`), then make its ids unique, round its coordinates and write its alt text.
 *
 * @example
 * ```ts
 * import { lineChart, renderSvg } from "@lab/viz/mod.ts";
 * const svg = await renderSvg(lineChart([{ n: 1, ms: 3 }, { n: 2, ms: 5 }], { x: "n", y: "ms" }));
 * svg.startsWith("<svg"); // true
 * ```
 */
export async function renderSvg(spec: TopLevelSpec, options: RenderOptions = {}): Promise<string> {
  const vgSpec = compile(spec).spec;
  const view = new vega.View(vega.parse(vgSpec), { renderer: "none" });
  try {
    const svg = await view.toSVG();
    const prefix = options.idPrefix ?? specIdPrefix(spec);
    const out = prefixSvgIds(roundSvgNumbers(svg, options.precision ?? 2), prefix);
    const alt = options.alt ?? true;
    if (alt === false) return out;
    const text = typeof alt === "string"
      ? alt
      : typeof spec.description === "string"
      ? spec.description
      : summarizeSpec(spec);
    return addSvgAltText(out, text, prefix);
  } finally {
    view.finalize();
  }
}

/**
 * Render a spec to an SVG file (for READMEs, papers, and code hosts that show only images).
 *
 * @example
 * ```ts
 * import { barChart, saveSvg } from "@lab/viz/mod.ts";
 * await saveSvg(barChart([{ k: "a", v: 1 }], { x: "k", y: "v" }), "out/bar.svg");
 * ```
 */
export async function saveSvg(
  spec: TopLevelSpec,
  path: string | URL,
  options: RenderOptions = {},
): Promise<void> {
  await Deno.writeTextFile(path, await renderSvg(spec, options));
}
