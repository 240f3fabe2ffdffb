#!/usr/bin/env python3
"""Execute one notebook on the Deno kernel without losing late outputs.

Called by tools/notebooks.ts (run-all, run-one); usable by hand:

    /usr/bin/python3 tools/execute_notebook.py IN.ipynb --output OUT.ipynb \
        [--html OUT.html] [--result RESULT.json] [--cwd DIR] [--timeout 1200] [--drain-ms 20]

Why this exists rather than `jupyter nbconvert --execute`:

* Since Deno 2.8.2 the kernel publishes `status: idle` slightly before some of a cell's
  outputs. nbclient stops reading iopub at `idle`, so ~5-10 % of cells lose output. Here,
  after `idle`, iopub keeps being read for `--drain-ms` (re-armed by every late message);
  anything that still arrives later, while another cell runs, is routed to the cell that
  produced it (by parent msg_id) instead of being dropped. A final drain runs after the last
  cell.
* A hidden preamble (not saved into the notebook) installs global `error` and
  `unhandledrejection` listeners that call `preventDefault()` and print a marked line. Without
  them an error thrown in a timer is swallowed (and the next timer await can hang ~30 s) and
  an unhandled rejection vanishes. A marked line in a cell's stderr fails the run at that
  cell, unless the cell is tagged `raises-exception`.
* The preamble also shows a thrown ConfigError or ClaimError as its message alone (no stack
  frames): a bad parameter reads as one line naming the field, as on the command line, and a
  failed prediction as its list of ✗ lines.
* On failure the partial executed notebook is still written, and a JSON result names the
  cell, its first source line, and the error name, message and traceback.
* The executed notebook is signed (nbformat's NotebookNotary, the user's Jupyter data dir), so
  classic Jupyter opens it as trusted and shows its charts.
* HTML pages link one shared assets/notebook.css and the bundled vega, vega-lite and
  vega-embed scripts (copied from node_modules into <html dir>/assets/): charts become
  interactive, with the SVG as fallback; nothing is loaded from outside the site folder.

Exit status: 0 success, 1 notebook failure (details in the result JSON), 2 usage/internal.
"""

import argparse
import asyncio
import base64
import json
import math
import os
import re
import sys
import threading
import time
import traceback
from queue import Empty

try:
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import (
        CellExecutionComplete,
        CellExecutionError,
        CellTimeoutError,
        DeadKernelError,
    )
    from nbclient.util import ensure_async, run_sync
except ImportError as exc:  # pragma: no cover - reported to the TS side verbatim
    sys.stderr.write(
        "execute_notebook.py: missing Python module (%s). Install Jupyter for this interpreter:\n"
        "  apt-get install -y jupyter-nbconvert python3-nbclient python3-ipykernel\n" % exc
    )
    sys.exit(2)

UNCAUGHT_MARK = "[distlab] uncaught error:"
REJECTION_MARK = "[distlab] unhandled rejection:"

# Errors the kernel shows as their message alone: their message is the whole story (the field
# at fault, the failed predictions); a stack through parseConfig or assertClaims only hides it.
ONE_LINE_ERRORS = ("ConfigError", "ClaimError")

# Executed once after the kernel starts; never saved into the notebook.
PREAMBLE = """
globalThis.addEventListener("error", (event) => {
  event.preventDefault();
  console.error("%s", event.error ?? event.message);
});
globalThis.addEventListener("unhandledrejection", (event) => {
  event.preventDefault();
  console.error("%s", event.reason);
});
{
  // V8 formats error.stack lazily through this hook; the kernel's traceback is error.stack.
  const oneLine = new Set(%s);
  const previous = Error.prepareStackTrace;
  Error.prepareStackTrace = (error, frames) => {
    if (oneLine.has(error?.name)) return `${error.name}: ${error.message}`;
    if (typeof previous === "function") return previous(error, frames);
    let head;
    try { head = String(error); } catch { head = "Error"; }
    // Deno's own format: file URLs, not paths.
    return head + frames.map((f) => {
      const file = f.getFileName();
      const text = String(f);
      return "\\n    at " + (file && file.startsWith("/") ? text.replace(file, "file://" + file) : text);
    }).join("");
  };
}
""" % (UNCAUGHT_MARK, REJECTION_MARK, json.dumps(list(ONE_LINE_ERRORS)))

OUTPUT_MSG_TYPES = {"stream", "display_data", "execute_result", "error", "update_display_data",
                    "clear_output"}


class NotebookFailure(Exception):
    """A failure attributed to one cell (or to kernel start when cell_index is None)."""

    def __init__(self, kind, cell_index, ename, evalue, tb):
        super().__init__("%s: %s" % (ename, evalue))
        self.kind = kind
        self.cell_index = cell_index
        self.ename = ename
        self.evalue = evalue
        self.traceback = tb


class DrainingClient(NotebookClient):
    """NotebookClient that keeps late iopub messages instead of dropping them."""

    def __init__(self, nb, drain_seconds, route_late=True, **kw):
        super().__init__(nb, **kw)
        self.drain_seconds = drain_seconds
        self.route_late = route_late
        # parent msg_id -> cell index, for every cell already sent to the kernel
        self.parent_to_cell = {}
        self.current_index = None
        self.cell_durations = {}
        self.late_in_drain = 0
        self.late_routed = 0
        self.preamble_ms = 0.0
        self.t_ready = None  # monotonic time when the kernel had run the preamble
        # cell index -> the execution count nbclient gave it (In [n] in every front end)
        self.assigned_counts = {}
        self.t_cells_done = None

    # --- kernel start: run the hidden preamble -------------------------------------------
    async def async_start_new_kernel_client(self):
        kc = await super().async_start_new_kernel_client()
        start = time.monotonic()
        msg_id = await ensure_async(kc.execute(PREAMBLE, store_history=False))
        reply = await self.async_wait_for_reply(msg_id)
        self.t_ready = time.monotonic()
        self.preamble_ms = (self.t_ready - start) * 1000
        if reply is None or reply["content"].get("status") != "ok":
            content = reply["content"] if reply else {}
            await self._async_cleanup_kernel()
            raise NotebookFailure(
                "startup", None, content.get("ename", "PreambleError"),
                content.get("evalue", "the hidden preamble cell failed"),
                content.get("traceback", []))
        return kc

    # --- iopub polling with a post-idle drain --------------------------------------------
    def _route_stray(self, msg):
        """Attach a late message from an earlier cell to that cell; report if it was kept."""
        parent = msg["parent_header"].get("msg_id")
        index = self.parent_to_cell.get(parent)
        if not self.route_late or index is None or msg["msg_type"] not in OUTPUT_MSG_TYPES:
            return False
        cell = self.nb.cells[index]
        try:
            self.process_message(msg, cell, index)
        except CellExecutionComplete:
            pass
        return True

    async def _async_poll_output_msg(self, parent_msg_id, cell, cell_index):
        assert self.kc is not None
        self.parent_to_cell[parent_msg_id] = cell_index
        while True:
            msg = await ensure_async(self.kc.iopub_channel.get_msg(timeout=None))
            if msg["parent_header"].get("msg_id") == parent_msg_id:
                try:
                    self.process_message(msg, cell, cell_index)
                except CellExecutionComplete:
                    break
            elif self._route_stray(msg):
                self.late_routed += 1
        await self._drain(parent_msg_id, cell, cell_index)

    async def _drain(self, parent_msg_id, cell, cell_index):
        """Read iopub until it has been quiet for drain_seconds (bounded to 20 windows)."""
        if self.drain_seconds <= 0:
            return
        hard_deadline = time.monotonic() + 20 * self.drain_seconds
        deadline = time.monotonic() + self.drain_seconds
        while True:
            remaining = min(deadline, hard_deadline) - time.monotonic()
            if remaining <= 0:
                return
            try:
                msg = await ensure_async(self.kc.iopub_channel.get_msg(timeout=remaining))
            except Empty:
                return
            if msg["parent_header"].get("msg_id") == parent_msg_id:
                if msg["msg_type"] in OUTPUT_MSG_TYPES:
                    self.late_in_drain += 1
                    deadline = time.monotonic() + self.drain_seconds
                try:
                    self.process_message(msg, cell, cell_index)
                except CellExecutionComplete:
                    pass
            elif self._route_stray(msg):
                self.late_routed += 1
                deadline = time.monotonic() + self.drain_seconds

    async def final_drain(self):
        if self.kc is None or self.drain_seconds <= 0:
            return
        deadline = time.monotonic() + max(self.drain_seconds, 0.05)
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return
            try:
                msg = await ensure_async(self.kc.iopub_channel.get_msg(timeout=remaining))
            except Empty:
                return
            if self._route_stray(msg):
                self.late_routed += 1

    # --- per-cell bookkeeping, stop on marked uncaught errors ----------------------------
    async def async_execute_cell(self, cell, cell_index, execution_count=None,
                                 store_history=True):
        self.current_index = cell_index
        if cell.cell_type == "code" and execution_count is not None:
            self.assigned_counts[cell_index] = execution_count
        start = time.monotonic()
        try:
            result = await super().async_execute_cell(
                cell, cell_index, execution_count=execution_count, store_history=store_history)
        finally:
            if cell.cell_type == "code":
                self.cell_durations[cell_index] = (time.monotonic() - start) * 1000
        if cell.cell_type == "code":
            check_marked_errors(cell, cell_index)
        return result

    async def async_execute(self, reset_kc=False, **kwargs):
        # Same as nbclient 0.7.2's async_execute plus a final drain before the kernel stops.
        if reset_kc and self.owns_km:
            await self._async_cleanup_kernel()
        self.reset_execution_trackers()
        async with self.async_setup_kernel(**kwargs):
            assert self.kc is not None
            msg_id = await ensure_async(self.kc.kernel_info())
            info_msg = await self.async_wait_for_reply(msg_id)
            if info_msg is not None and "language_info" in info_msg["content"]:
                self.nb.metadata["language_info"] = info_msg["content"]["language_info"]
            try:
                for index, cell in enumerate(self.nb.cells):
                    await self.async_execute_cell(
                        cell, index, execution_count=self.code_cells_executed + 1)
            finally:
                await self.final_drain()
                self.t_cells_done = time.monotonic()
            self.set_widgets_metadata()
        return self.nb

    # nbclient binds `execute` to its own async_execute; rebind to ours.
    execute = run_sync(async_execute)


def check_marked_errors(cell, cell_index):
    if "raises-exception" in cell.metadata.get("tags", []):
        return
    for out in cell.get("outputs", []):
        if out.get("output_type") != "stream" or out.get("name") != "stderr":
            continue
        text = out.get("text", "")
        for mark, ename in ((UNCAUGHT_MARK, "UncaughtError"),
                            (REJECTION_MARK, "UnhandledRejection")):
            pos = text.find(mark)
            if pos >= 0:
                detail = text[pos + len(mark):].strip()
                first = detail.splitlines()[0] if detail else ""
                raise NotebookFailure(
                    "uncaught", cell_index, ename,
                    first + " (raised outside the cell's own flow: a timer, event or "
                    "un-awaited promise)", detail.splitlines())


def first_line(cell):
    for line in cell.source.splitlines():
        if line.strip():
            return line.strip()
    return ""


def fix_execution_counts(nb, assigned=None):
    """Give every executed code cell the count nbclient assigned (1, 2, ... in execution order; a
    late output routed back to a cell could carry the kernel's own count, which the hidden
    preamble shifts) and make its execute_result counts match."""
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        if assigned and index in assigned:
            cell["execution_count"] = assigned[index]
        for out in cell.get("outputs", []):
            if out.get("output_type") == "execute_result":
                out["execution_count"] = cell.get("execution_count")


def svg_data_uri(svg):
    if isinstance(svg, list):
        svg = "".join(svg)
    head = svg[:500]
    if "<svg" in head and "xmlns=" not in head:
        svg = svg.replace("<svg", '<svg xmlns="http://www.w3.org/2000/svg"', 1)
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def script_json(value):
    """JSON for a <script type="application/...+json"> element: no `<`, `>` or `&` left raw, so
    `</script>` or `<!--` inside a string cannot end the element."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def chart_alt(text):
    """A chart's alt text: its plain-text summary (title, marks, key numbers) on one line."""
    if isinstance(text, list):
        text = "".join(text)
    one = " · ".join(line.strip() for line in str(text).splitlines() if line.strip())
    return (one.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
            .replace(">", "&gt;"))


def make_html_exporter():
    # nbconvert 6.5's lab template passes SVG through lxml's clean_html, which strips the
    # drawing (<rect>, <path>, xmlns ...). Our template embeds the SVG as a data: URI <img>
    # instead: intact, script-free, and vega's per-kernel ids cannot collide on one page.
    from nbconvert import HTMLExporter

    templates = os.path.join(os.path.dirname(os.path.abspath(__file__)), "nbconvert_templates")
    exporter = HTMLExporter(template_name="distlab", extra_template_basedirs=[templates])
    exporter.register_filter("svg_data_uri", svg_data_uri)
    exporter.register_filter("script_json", script_json)
    exporter.register_filter("chart_alt", chart_alt)
    return exporter


class Prepared(threading.Thread):
    """Builds a value in the background (importing nbconvert costs ~0.6 s: overlap it with
    the kernel's start-up, which is mostly waiting)."""

    def __init__(self, fn):
        super().__init__(daemon=True)
        self.fn = fn
        self.value = None
        self.error = None
        self.start()

    def run(self):
        try:
            self.value = self.fn()
        except Exception as exc:  # surfaced by get()
            self.error = exc

    def get(self):
        self.join()
        if self.error is not None:
            raise self.error
        return self.value


REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TEMPLATE_STATIC = os.path.join(os.path.dirname(os.path.abspath(__file__)), "nbconvert_templates",
                               "distlab", "static")
# Bundled into <site>/assets/ from the repo's node_modules (deno install puts them there).
VEGA_ASSETS = {
    "vega.min.js": ("vega", "build/vega.min.js"),
    "vega-lite.min.js": ("vega-lite", "build/vega-lite.min.js"),
    "vega-embed.min.js": ("vega-embed", "build/vega-embed.min.js"),
}


def write_if_changed(path, data):
    """Write bytes atomically, and only when they differ (parallel runs share the assets)."""
    try:
        with open(path, "rb") as f:
            if f.read() == data:
                return
    except FileNotFoundError:
        pass
    tmp = "%s.%d.tmp" % (path, os.getpid())
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


def lab_static_css():
    """nbconvert's lab template CSS (index.css + the light theme), found on the template path."""
    from jupyter_core.paths import jupyter_path

    for base in jupyter_path("nbconvert", "templates"):
        static = os.path.join(base, "lab", "static")
        if os.path.isfile(os.path.join(static, "index.css")):
            parts = []
            for name in ("index.css", "theme-light.css"):
                with open(os.path.join(static, name), encoding="utf-8") as f:
                    parts.append(f.read())
            return parts
    raise FileNotFoundError("nbconvert's lab template (lab/static/index.css) was not found")


def write_site_assets(site_dir, inlined_css):
    """<site>/assets/: notebook.css (shared by every page), distlab-charts.js and the vega
    bundles. Returns a list of problems (missing bundles leave the SVG charts static)."""
    assets = os.path.join(site_dir, "assets")
    os.makedirs(assets, exist_ok=True)
    problems = []
    css = lab_static_css()
    with open(os.path.join(TEMPLATE_STATIC, "distlab.css"), encoding="utf-8") as f:
        css.append(f.read())
    css.extend(inlined_css)  # pygments' highlight styles, as the lab template would inline them
    write_if_changed(os.path.join(assets, "notebook.css"), "\n\n".join(css).encode("utf-8"))
    with open(os.path.join(TEMPLATE_STATIC, "distlab-charts.js"), "rb") as f:
        write_if_changed(os.path.join(assets, "distlab-charts.js"), f.read())
    for name, (package, rel) in VEGA_ASSETS.items():
        src = os.path.join(REPO, "node_modules", package, rel)
        try:
            with open(src, "rb") as f:
                data = f.read()
        except FileNotFoundError:
            problems.append("%s missing (run `deno install`): charts stay static SVG" % src)
            continue
        # Drop the source-map comment: the .map is not shipped, so browsers need not ask for it.
        data = re.sub(rb"\n?//# sourceMappingURL=\S+\s*$", b"\n", data)
        write_if_changed(os.path.join(assets, name), data)
    return problems


LINK_ATTR = re.compile(r'(\s)(href|src)="([^"]*)"')


def localize_links(html, site_dir, source_dir=None):
    """Keep every link inside the site: `X.ipynb` (a sibling notebook) becomes `X.html`; any
    other relative link that leaves the site folder, or names a file that is not there, becomes
    inert (`data-repo-href`). External http(s) links in the text and data: URIs stay."""

    def fix(m):
        space, attr, url = m.group(1), m.group(2), m.group(3)
        if (not url or url.startswith(("#", "data:", "mailto:"))
                or re.match(r"^https?://", url)):
            return m.group(0)
        if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", url) or url.startswith("//"):
            return '%sdata-repo-%s="%s"' % (space, attr, url)
        path, sep, frag = url.partition("#")
        name = os.path.basename(path)
        # a sibling notebook gets its page: it is rendered by the same run, perhaps after this one
        # (run-all renders notebooks in parallel), so look for the notebook, not for its page
        sibling = source_dir is not None and os.path.isfile(os.path.join(source_dir, name))
        if attr == "href" and name.endswith(".ipynb") and (sibling or os.path.isfile(
                os.path.join(site_dir, name[:-len(".ipynb")] + ".html"))):
            return '%s%s="%s%s%s"' % (space, attr, name[:-len(".ipynb")] + ".html", sep, frag)
        target = os.path.normpath(os.path.join(site_dir, path))
        inside = os.path.commonpath([os.path.abspath(site_dir), target]) == os.path.abspath(
            site_dir)
        if inside and os.path.exists(target):
            return m.group(0)
        return '%sdata-repo-%s="%s"' % (space, attr, url)

    return LINK_ATTR.sub(fix, html)


def write_html(nb, path, exporter, source_dir=None):
    """Render the page; returns a list of problems with the site's shared assets."""
    title = next((line.lstrip("#").strip() for cell in nb.cells if cell.cell_type == "markdown"
                  for line in cell.source.splitlines() if line.startswith("#")), None)
    resources = {"metadata": {"name": title or os.path.splitext(os.path.basename(path))[0]}}
    body, out_resources = exporter.from_notebook_node(nb, resources=resources)
    site_dir = os.path.dirname(os.path.abspath(path))
    problems = write_site_assets(site_dir, out_resources.get("inlining", {}).get("css", []))
    with open(path, "w", encoding="utf-8") as f:
        f.write(localize_links(body, site_dir, source_dir))
    return problems


def sign_notebook(path):
    """Mark the written notebook trusted for this user (what `python3 -m nbformat.sign` does),
    so classic Jupyter shows its SVG charts instead of their text."""
    from nbformat.sign import NotebookNotary

    notary = NotebookNotary()
    nb = nbformat.read(path, as_version=4)
    notary.sign(nb)
    if not notary.check_signature(nb):
        raise RuntimeError("the signature did not verify")


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("input")
    p.add_argument("--output", required=True, help="executed notebook (also on failure)")
    p.add_argument("--html", help="also render the executed notebook to this HTML file")
    p.add_argument("--result", help="write the JSON result here (default: stdout)")
    p.add_argument("--cwd", help="kernel working directory (default: the input's folder)")
    p.add_argument("--timeout", type=float, default=1200,
                   help="per-cell timeout, seconds (0 = none)")
    p.add_argument("--startup-timeout", type=float, default=60)
    p.add_argument("--drain-ms", type=float, default=20,
                   help="keep reading iopub this long after each cell's idle (0 = off)")
    p.add_argument("--no-late-routing", action="store_true",
                   help="drop late messages of earlier cells, as stock nbclient does "
                        "(only to measure what the drain saves)")
    p.add_argument("--kernel", default="deno")
    p.add_argument("--no-sign", action="store_true",
                   help="do not mark the executed notebook trusted (nbformat's notary)")
    args = p.parse_args()

    started = time.monotonic()
    exporter = Prepared(make_html_exporter) if args.html else None
    nb = nbformat.read(args.input, as_version=4)
    cwd = os.path.abspath(args.cwd or os.path.dirname(os.path.abspath(args.input)))
    client = DrainingClient(
        nb,
        drain_seconds=args.drain_ms / 1000.0,
        route_late=not args.no_late_routing,
        kernel_name=args.kernel,
        timeout=int(math.ceil(args.timeout)) or None,
        startup_timeout=int(math.ceil(args.startup_timeout)),
        allow_errors=False,
        record_timing=False,
        resources={"metadata": {"path": cwd}},
    )
    failure = None
    kernel_started = time.monotonic()
    try:
        client.execute(cwd=cwd)
    except NotebookFailure as exc:
        failure = exc
    except CellExecutionError as exc:
        i = client.current_index
        outs = [o for o in nb.cells[i].get("outputs", []) if o.get("output_type") == "error"]
        tb = outs[-1].get("traceback", []) if outs else str(exc).splitlines()
        failure = NotebookFailure("cell-error", i, exc.ename, exc.evalue, tb)
    except CellTimeoutError as exc:
        failure = NotebookFailure("timeout", client.current_index, "CellTimeoutError",
                                  "cell did not finish within %gs (--timeout)" % args.timeout,
                                  [])
    except DeadKernelError as exc:
        failure = NotebookFailure("dead-kernel", client.current_index, "DeadKernelError",
                                  str(exc), [])
    except Exception as exc:  # kernel start failures, missing kernelspec, ...
        failure = NotebookFailure("internal", client.current_index, type(exc).__name__,
                                  str(exc), traceback.format_exc().splitlines())

    executed_at = time.monotonic()
    fix_execution_counts(nb, client.assigned_counts)
    os.makedirs(os.path.dirname(os.path.abspath(args.output)), exist_ok=True)
    nbformat.write(nb, args.output)
    sign_error = None
    if not args.no_sign:
        try:
            sign_notebook(args.output)
        except Exception as exc:  # trusted or not, the notebook is written
            sign_error = "%s: %s" % (type(exc).__name__, exc)
    html_error = None
    html_start = time.monotonic()
    if args.html:
        try:
            os.makedirs(os.path.dirname(os.path.abspath(args.html)), exist_ok=True)
            problems = write_html(nb, args.html, exporter.get(),
                                  os.path.dirname(os.path.abspath(args.input)))
            if problems:
                html_error = "; ".join(problems)
        except Exception as exc:  # the run's verdict must not depend on rendering
            html_error = "%s: %s" % (type(exc).__name__, exc)

    html_ms = (time.monotonic() - html_start) * 1000

    def span(a, b):
        return round((b - a) * 1000, 1) if a is not None and b is not None else None

    result = {
        "ok": failure is None,
        "durationMs": round((time.monotonic() - started) * 1000, 1),
        # kernel start to ready (incl. the preamble), cells (incl. drains), kernel shutdown
        "kernelStartMs": span(kernel_started, client.t_ready),
        "cellsMs": span(client.t_ready, client.t_cells_done),
        "shutdownMs": span(client.t_cells_done, executed_at),
        "htmlMs": round(html_ms, 1) if args.html else None,
        "preambleMs": round(client.preamble_ms, 1),
        "cellDurationsMs": {str(k): round(v, 1) for k, v in client.cell_durations.items()},
        "lateInDrain": client.late_in_drain,
        "lateRouted": client.late_routed,
        "htmlError": html_error,
        "signError": sign_error,
        "executionCounts": {str(k): v for k, v in client.assigned_counts.items()},
        "error": None,
    }
    if failure is not None:
        i = failure.cell_index
        result["error"] = {
            "kind": failure.kind,
            "cellIndex": i,
            "firstLine": first_line(nb.cells[i]) if i is not None else None,
            "ename": failure.ename,
            "evalue": failure.evalue,
            "traceback": failure.traceback,
        }
    text = json.dumps(result, indent=1)
    if args.result:
        with open(args.result, "w", encoding="utf-8") as f:
            f.write(text)
    else:
        print(text)
    return 0 if failure is None else 1


if __name__ == "__main__":
    sys.exit(main())
