/**
 * Jupyter display for charts on the Deno kernel. A chart is shown as a MIME bundle with the
 * vega-lite v5 spec (interactive in JupyterLab and VS Code), an SVG rendering of the same chart
 * (nbconvert HTML, nbviewer, code hosts) and a short plain-text summary.
 *
 * Nothing here touches `Deno.jupyter` at import time (it throws outside the kernel): `show()`
 * returns an object with a `Symbol.for("Jupyter.display")` method, which Deno's kernel calls and
 * awaits when the object is a cell's last expression (Deno's `Displayable` allows a Promise).
 * @module
 */
import type { TopLevelSpec } from "vega-lite";
import { type RenderOptions, renderSvg } from "./render.ts";
import { summarizeSpec } from "./_summary.ts";

export { summarizeSpec };

/** The symbol Deno's Jupyter kernel looks for on a cell's result. */
export const JUPYTER_DISPLAY: unique symbol = Symbol.for("Jupyter.display") as never;

/** The MIME type front ends render vega-lite v5 with. */
export const VEGA_LITE_MIME = "application/vnd.vegalite.v5+json";

/** The bundle a chart displays as. */
export interface MimeBundle {
  /** The vega-lite spec (JupyterLab, VS Code). */
  readonly "application/vnd.vegalite.v5+json": TopLevelSpec;
  /** The same chart as SVG (nbconvert HTML, nbviewer, code hosts). */
  readonly "image/svg+xml": string;
  /** Title, subtitle, mark counts and key numbers. */
  readonly "text/plain": string;
}

/** Options of {@link show}, {@link showAsync} and {@link display}. */
export interface ShowOptions extends RenderOptions {
  /** Extra lines for the plain-text summary (key numbers the notebook wants on record). Default none. */
  readonly summary?: string | readonly string[];
  /** Include the SVG rendering. Default true. */
  readonly svg?: boolean;
}

/** Anything Deno's kernel can display: an object with a `Symbol.for("Jupyter.display")` method. */
export interface Displayable {
  /** The MIME bundle to show; Deno's kernel awaits a Promise. */
  [JUPYTER_DISPLAY](): MimeBundle | Promise<MimeBundle>;
}

/** Build the full MIME bundle of a spec (renders the SVG). */
export async function mimeBundle(
  spec: TopLevelSpec,
  options: ShowOptions = {},
): Promise<MimeBundle> {
  const svg = options.svg === false ? undefined : await renderSvg(spec, options);
  const bundle: Record<string, unknown> = { [VEGA_LITE_MIME]: spec };
  if (svg !== undefined) bundle["image/svg+xml"] = svg;
  bundle["text/plain"] = summarizeSpec(spec, options.summary);
  return bundle as unknown as MimeBundle;
}

/** A chart ready for Jupyter: the spec, and a display method that renders on demand. */
export class Chart implements Displayable {
  /** The vega-lite spec. */
  readonly spec: TopLevelSpec;
  readonly #options: ShowOptions;
  #bundle: Promise<MimeBundle> | undefined;

  /** Wrap a spec; nothing is rendered until displayed. */
  constructor(spec: TopLevelSpec, options: ShowOptions = {}) {
    this.spec = spec;
    this.#options = options;
  }

  /** The MIME bundle (rendered once, then cached). */
  bundle(): Promise<MimeBundle> {
    return this.#bundle ??= mimeBundle(this.spec, this.#options);
  }

  /** The plain-text summary. */
  summary(): string {
    return summarizeSpec(this.spec, this.#options.summary);
  }

  /** Called by Deno's Jupyter kernel; the kernel awaits the Promise. */
  [JUPYTER_DISPLAY](): Promise<MimeBundle> {
    return this.bundle();
  }

  /** The spec as JSON. */
  toJSON(): TopLevelSpec {
    return this.spec;
  }
}

/** A chart whose bundle is already rendered: its display method answers synchronously. */
export class RenderedChart implements Displayable {
  /** The rendered bundle. */
  readonly bundle: MimeBundle;

  /** Wrap a rendered bundle. */
  constructor(bundle: MimeBundle) {
    this.bundle = bundle;
  }

  /** The vega-lite spec. */
  get spec(): TopLevelSpec {
    return this.bundle[VEGA_LITE_MIME];
  }

  /** The SVG rendering. */
  get svg(): string {
    return this.bundle["image/svg+xml"];
  }

  /** Called by Deno's Jupyter kernel. */
  [JUPYTER_DISPLAY](): MimeBundle {
    return this.bundle;
  }

  /** The spec as JSON. */
  toJSON(): TopLevelSpec {
    return this.spec;
  }
}

/**
 * Make a chart displayable: as a cell's last expression it shows as vega-lite + SVG + text.
 * Rendering happens when the kernel asks (the kernel awaits it).
 *
 * @example
 * ```ts
 * import { lineChart, show } from "@lab/viz/mod.ts";
 * show(lineChart([{ n: 3, ms: 12 }, { n: 5, ms: 15 }], { x: "n", y: "ms", yTitle: "latency (ms)" }));
 * ```
 */
export function show(spec: TopLevelSpec, options: ShowOptions = {}): Chart {
  return new Chart(spec, options);
}

/**
 * Render first, then return a displayable whose display method is synchronous (for front ends or
 * tools that do not await the display method, and to time rendering inside the cell).
 *
 * @example
 * ```ts
 * import { barChart, showAsync } from "@lab/viz/mod.ts";
 * await showAsync(barChart([{ k: "a", v: 1 }], { x: "k", y: "v" }));
 * ```
 */
export async function showAsync(
  spec: TopLevelSpec,
  options: ShowOptions = {},
): Promise<RenderedChart> {
  return new RenderedChart(await mimeBundle(spec, options));
}

interface JupyterApi {
  display(obj: unknown, options?: { raw?: boolean }): Promise<void>;
}

/**
 * Display a chart now, from anywhere in a cell (several charts per cell, or inside loops), via
 * `Deno.jupyter.display(bundle, { raw: true })`. Throws outside the Jupyter kernel.
 *
 * @example
 * ```ts
 * import { display, latencyCdf } from "@lab/viz/mod.ts";
 * await display(latencyCdf([{ name: "a", latenciesMs: [1, 2, 3] }]));
 * ```
 */
export async function display(spec: TopLevelSpec, options: ShowOptions = {}): Promise<void> {
  let jupyter: JupyterApi | undefined;
  try {
    jupyter = (Deno as unknown as { jupyter?: JupyterApi }).jupyter;
  } catch {
    jupyter = undefined;
  }
  if (jupyter === undefined) {
    throw new Error(
      "display() needs the Deno Jupyter kernel; use show(spec) or renderSvg(spec) elsewhere",
    );
  }
  await jupyter.display(await mimeBundle(spec, options), { raw: true });
}
