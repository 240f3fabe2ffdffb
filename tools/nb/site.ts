/**
 * The HTML site index: one row per notebook with title, status and duration.
 *
 * @module
 */

/** One notebook's row in the index. */
export interface SiteEntry {
  stem: string;
  title: string;
  status: "ok" | "error" | "missing-output";
  durationMs: number;
  /** One-line failure summary, empty when ok. */
  summary: string;
  /** Link to the rendered notebook, relative to the index. */
  htmlHref: string;
  /** Link to the executed .ipynb, relative to the index. */
  ipynbHref: string;
}

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}

const STATUS_TEXT: Record<SiteEntry["status"], string> = {
  ok: "ok",
  error: "failed",
  "missing-output": "missing output",
};

/** The index page. */
export function renderIndex(entries: readonly SiteEntry[], opts: { generated: string }): string {
  const ok = entries.filter((e) => e.status === "ok").length;
  const rows = entries.map((e) => {
    const status = escapeHtml(STATUS_TEXT[e.status]) +
      (e.summary ? `<div class="why">${escapeHtml(e.summary)}</div>` : "");
    return `<tr class="${e.status}">
  <td><a href="${escapeHtml(e.htmlHref)}">${escapeHtml(e.title)}</a><div class="file">${
      escapeHtml(e.stem)
    }.ipynb · <a href="${escapeHtml(e.ipynbHref)}">executed .ipynb</a></div></td>
  <td class="status">${status}</td>
  <td class="num">${(e.durationMs / 1000).toFixed(1)} s</td>
</tr>`;
  }).join("\n");
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>distlab notebooks</title>
<style>
body { font: 15px/1.45 system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: .45rem .6rem; border-bottom: 1px solid #ddd; vertical-align: top; }
td.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
.file { color: #666; font-size: 12px; }
tr.ok .status { color: #1a7f37; }
tr.error .status, tr.missing-output .status { color: #cf222e; font-weight: 600; }
.why { font-weight: normal; font-size: 12px; color: #444; font-family: ui-monospace, monospace; }
</style>
</head>
<body>
<h1>distlab notebooks</h1>
<p>${ok} of ${entries.length} notebooks executed cleanly · generated ${
    escapeHtml(opts.generated)
  }</p>
<table>
<thead><tr><th>Notebook</th><th>Status</th><th>Duration</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>
</body>
</html>
`;
}
