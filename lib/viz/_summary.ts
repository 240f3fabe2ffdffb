/**
 * The plain-text summary of a chart spec (title, subtitle, marks per layer, the builder's key
 * numbers): shown as `text/plain` by `show()` and written into every SVG as its alt text.
 * @module
 */
import type { TopLevelSpec } from "vega-lite";
import { formatCount } from "./_common.ts";
import type { VizMeta } from "./_common.ts";

function titleText(spec: TopLevelSpec): [string, string] {
  const t = spec.title;
  if (t === undefined) return ["(untitled chart)", ""];
  if (typeof t === "string") return [t, ""];
  if (Array.isArray(t)) return [t.join(" "), ""];
  if (typeof t === "object" && t !== null && "text" in t) {
    const text = Array.isArray(t.text) ? t.text.join(" ") : String(t.text);
    const sub = "subtitle" in t && t.subtitle !== undefined
      ? Array.isArray(t.subtitle) ? t.subtitle.join(" ") : String(t.subtitle)
      : "";
    return [text, sub];
  }
  return ["(untitled chart)", ""];
}

function rowsOf(data: unknown, datasets: Record<string, unknown>): number | undefined {
  if (data === null || typeof data !== "object") return undefined;
  if ("values" in data && Array.isArray(data.values)) return data.values.length;
  if ("name" in data && typeof data.name === "string" && Array.isArray(datasets[data.name])) {
    return (datasets[data.name] as unknown[]).length;
  }
  return undefined;
}

/** Count marks per layer: "point 2,000 (ops)", inherited data included. */
function markCounts(spec: TopLevelSpec): string[] {
  const root = spec as unknown as Record<string, unknown>;
  const datasets = (root.datasets ?? {}) as Record<string, unknown>;
  const out: string[] = [];
  const walk = (
    node: Record<string, unknown>,
    inherited: number | undefined,
    name: string | undefined,
  ) => {
    const n = rowsOf(node.data, datasets) ?? inherited;
    const label = typeof node.name === "string" ? node.name : name;
    if (Array.isArray(node.layer)) {
      for (const child of node.layer) walk(child as Record<string, unknown>, n, label);
      return;
    }
    if (node.mark !== undefined) {
      const mark = typeof node.mark === "string"
        ? node.mark
        : String((node.mark as Record<string, unknown>).type);
      const filtered = Array.isArray(node.transform) && node.transform.length > 0 ? "≤ " : "";
      out.push(
        `${mark} ${n === undefined ? "?" : filtered + formatCount(n)}${label ? ` (${label})` : ""}`,
      );
    }
  };
  walk(root, undefined, undefined);
  return out;
}

/** The plain-text summary of a spec: title, subtitle, marks per layer, the builder's key numbers. */
export function summarizeSpec(spec: TopLevelSpec, extra: string | readonly string[] = []): string {
  const [title, subtitle] = titleText(spec);
  const lines = [title];
  if (subtitle) lines.push(subtitle);
  const marks = markCounts(spec);
  if (marks.length > 0) lines.push("marks: " + marks.join("; "));
  const meta = (spec.usermeta as { distlab?: VizMeta } | undefined)?.distlab;
  if (meta) lines.push(...meta.summary);
  lines.push(...(typeof extra === "string" ? [extra] : extra));
  return lines.join("\n");
}
