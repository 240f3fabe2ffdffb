/**
 * End-to-end tests of the notebook runner. They execute real notebooks on the Deno kernel
 * and therefore need Jupyter; without it they FAIL with the install command (CI installs
 * `jupyter-nbconvert python3-nbclient python3-ipykernel`), they never skip.
 */
import assert from "node:assert/strict";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { cellSource, cellTags, type Notebook, readNotebook } from "../../tools/nb/ipynb.ts";
import { findMissingOutputs } from "../../tools/nb/output_rule.ts";
import { conventionProblems } from "../../tools/nb/check.ts";
import { clearOutputs } from "../../tools/nb/clear.ts";
import { findJupyter } from "../../tools/nb/setup.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const CLI = join(ROOT, "tools", "notebooks.ts");
const FIXTURES = join(ROOT, "notebooks", "_smoke");

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

async function cli(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", CLI, ...args],
    cwd: ROOT,
    env: { NO_COLOR: "1", ...env },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code: out.code, stdout: text(out.stdout), stderr: text(out.stderr) };
}

let ready: Promise<void> | undefined;
/** Runs `setup` once; a missing Jupyter fails the calling test with setup's message. */
function requireJupyter(): Promise<void> {
  ready ??= cli(["setup"]).then((r) => {
    if (r.code !== 0) {
      throw new Error(
        `the notebook runner tests need Jupyter and do not skip without it.\n${r.stderr}${r.stdout}`,
      );
    }
  });
  return ready;
}

/** Every relative href/src of a site page: whether it stays inside the site and exists. */
async function localRefs(site: string, page: string) {
  const html = await Deno.readTextFile(join(site, page));
  const refs = [];
  for (const m of html.matchAll(/\s(?:href|src)="([^"]*)"/g)) {
    const url = m[1];
    if (url.startsWith("#") || url.startsWith("data:")) continue;
    const path = resolve(dirname(join(site, page)), decodeURIComponent(url.split("#")[0]));
    let exists = true;
    await Deno.stat(path).catch(() => exists = false);
    refs.push({ url, inside: !/^[a-z]+:|^\/\//i.test(url) && path.startsWith(site + "/"), exists });
  }
  return refs;
}

/** A scratch folder inside the repo (so kernels find deno.json) holding the fixtures. */
async function workspace(): Promise<{ dir: string; nb: string; out: string }> {
  const dir = join(ROOT, ".tmp", `nbtest-${crypto.randomUUID().slice(0, 8)}`);
  const nb = join(dir, "notebooks");
  await Deno.mkdir(nb, { recursive: true });
  for await (const e of Deno.readDir(FIXTURES)) {
    if (e.isFile) await Deno.copyFile(join(FIXTURES, e.name), join(nb, e.name));
  }
  return { dir, nb, out: join(dir, "out") };
}

const streamText = (nb: Notebook, index: number, name = "stdout") =>
  (nb.cells[index].outputs ?? []).filter((o) => o.output_type === "stream" && o.name === name)
    .map((o) => Array.isArray(o.text) ? o.text.join("") : o.text ?? "").join("");

/** Per cell: output types plus their text, with consecutive stream chunks merged. */
function outputSummary(nb: Notebook): string[] {
  return nb.cells.map((cell) => {
    const parts: string[] = [];
    for (const o of cell.outputs ?? []) {
      if (o.output_type === "stream") {
        const text = Array.isArray(o.text) ? o.text.join("") : o.text ?? "";
        const last = parts.length - 1;
        if (last >= 0 && parts[last].startsWith(`stream:${o.name}:`)) parts[last] += text;
        else parts.push(`stream:${o.name}:${text}`);
      } else {
        parts.push(`${o.output_type}:${Object.keys(o.data ?? {}).sort().join(",")}`);
      }
    }
    return parts.join(" | ");
  });
}

Deno.test("setup: without Jupyter the runner fails with the exact install command", async () => {
  const r = await cli(["setup"], {
    DISTLAB_PYTHON: "/nonexistent/python3",
    DISTLAB_NO_INSTALL: "1",
  });
  assert.equal(r.code, 1);
  assert.match(
    r.stderr,
    /apt-get install -y jupyter-nbconvert python3-nbclient python3-ipykernel/,
  );
  assert.match(r.stderr, /\/nonexistent\/python3/);
});

Deno.test("setup: the deno kernelspec points at this deno and keeps interrupts and NO_COLOR", async () => {
  await requireJupyter();
  const env = await findJupyter();
  assert.ok(env, "setup succeeded, so a Jupyter python must be found");
  const spec = JSON.parse(
    await Deno.readTextFile(join(env.dataDir, "kernels", "deno", "kernel.json")),
  );
  assert.deepEqual(spec.argv, [
    Deno.execPath(),
    "jupyter",
    "--kernel",
    "--conn",
    "{connection_file}",
  ]);
  assert.equal(spec.interrupt_mode, "message");
  assert.equal(spec.env.NO_COLOR, "1");
  assert.equal(spec.language, "typescript");
});

/** Whether `python` says this user's notary trusts the notebook (classic Jupyter's check). */
async function trusted(python: string, path: string): Promise<boolean> {
  const out = await new Deno.Command(python, {
    args: [
      "-c",
      "import sys, nbformat\nfrom nbformat.sign import NotebookNotary\n" +
      "print(NotebookNotary().check_signature(nbformat.read(sys.argv[1], as_version=4)))",
      path,
    ],
    stdout: "piped",
  }).output();
  return new TextDecoder().decode(out.stdout).trim() === "True";
}

/** The `error` output of a cell. */
const errorOutput = (nb: Notebook, index: number) =>
  (nb.cells[index].outputs ?? []).find((o) => o.output_type === "error");

Deno.test("run-all: executes in parallel, writes the site, fails naming notebook and cell", async () => {
  await requireJupyter();
  const ws = await workspace();
  try {
    const r = await cli(["run-all", "--dir", ws.nb, "--out", ws.out, "--jobs", "2"]);
    const log = r.stdout + r.stderr;
    assert.equal(r.code, 1, log);
    assert.match(log, /✓ outputs /);
    assert.match(log, /✓ params /);
    assert.match(
      log,
      /FAILED failing\.ipynb: cell 4 of 5, In \[3\] \(`throw new RangeError\(.*\): RangeError: smoke failure for seed 1/,
    );
    assert.match(
      log,
      /FAILED silent\.ipynb: cell 3 of 4, In \[2\] \(`if \(seed < 0\).*`\): produced no output/,
    );
    // A failed prediction: the summary names the cell, and the ✗ lines follow it.
    assert.match(
      log,
      /FAILED claims\.ipynb: cell 5 of 6, In \[3\] \(`assertClaims\(\[`\): ClaimError: 2 of 3 predictions failed:\n +✗ measured ≤ limit 1 \(measured 2\)\n +✗ measured < limit 1 - 1 \(measured 2\)\n/,
    );

    // The partial notebook is saved: the failing cell carries the error, later cells did not run.
    const failing = await readNotebook(join(ws.out, "notebooks", "failing.ipynb"));
    assert.equal(failing.cells[3].outputs?.[0]?.output_type, "error");
    assert.deepEqual(failing.cells[4].outputs, []);
    assert.equal(streamText(failing, 2), "before the failure\n");
    // The numbers in the message are the executed notebook's: cell 4, prompt In [3].
    assert.equal(failing.cells[3].execution_count, 3);
    // Other errors keep their stack frames (the one-line display is for ConfigError/ClaimError).
    assert.match(errorOutput(failing, 3)?.traceback?.join("\n") ?? "", /\n +at /);

    // The kernel shows a ClaimError as its message alone: no stack frames.
    const claims = await readNotebook(join(ws.out, "notebooks", "claims.ipynb"));
    assert.match(cellSource(claims.cells[4]), /^assertClaims\(\[/);
    assert.equal(claims.cells[4].execution_count, 3);
    assert.deepEqual(errorOutput(claims, 4)?.traceback, [
      "ClaimError: 2 of 3 predictions failed:",
      "  ✗ measured ≤ limit 1 (measured 2)",
      "  ✗ measured < limit 1 - 1 (measured 2)",
    ]);

    // Executed notebooks are signed: classic Jupyter opens them trusted, charts shown.
    const env = await findJupyter();
    assert.ok(env);
    for (const stem of ["outputs", "failing"]) {
      assert.ok(await trusted(env.python, join(ws.out, "notebooks", `${stem}.ipynb`)), stem);
    }

    // Site: an index linking every notebook with title and status, charts as intact SVG.
    const site = join(ws.out, "site");
    const index = await Deno.readTextFile(join(site, "index.html"));
    for (const stem of ["claims", "failing", "outputs", "params", "silent"]) {
      assert.match(index, new RegExp(`href="${stem}\\.html"`));
      await Deno.stat(join(site, `${stem}.html`));
      assert.match(index, new RegExp(`href="notebooks/${stem}\\.ipynb"`));
      assert.ok(await trusted(env.python, join(site, "notebooks", `${stem}.ipynb`)));
    }
    // Self-contained: every page references only files inside out/site/ (no CDN, no `../`).
    for (const page of ["index.html", "outputs.html", "claims.html"]) {
      for (const ref of await localRefs(site, page)) {
        assert.ok(ref.inside, `${page} references ${ref.url}, outside out/site/`);
        assert.ok(ref.exists, `${page} references ${ref.url}, which is not there`);
      }
    }
    // A link to a sibling notebook goes to its page; a link into the repository is made inert.
    const claimsPage = await Deno.readTextFile(join(site, "claims.html"));
    assert.match(claimsPage, /<a href="failing\.html">the failing notebook<\/a>/);
    assert.match(claimsPage, /<a data-repo-href="\.\.\/\.\.\/lib\/experiments\/claims\.ts">/);
    // Charts: the vega-lite spec (for the interactive view) next to the SVG fallback; the CSS is
    // one shared file, not ~0.5 MB inlined per page.
    assert.match(index, /Smoke: every cell shows output/);
    assert.match(index, /missing output/);
    assert.match(index, /failed/);
    const page = await Deno.readTextFile(join(site, "outputs.html"));
    const uri = page.match(/src="data:image\/svg\+xml;base64,([A-Za-z0-9+/=]+)"/);
    assert.ok(uri, "the chart is embedded as an SVG image");
    const svg = new TextDecoder().decode(Uint8Array.from(atob(uri[1]), (c) => c.charCodeAt(0)));
    assert.match(svg, /<rect x="5" y="5" width="110" height="50" fill="steelblue"\/>/);
    const spec = page.match(
      /<script type="application\/vnd\.vegalite\.v5\+json">([^<]*)<\/script>/,
    );
    assert.ok(spec, "the vega-lite spec is embedded");
    assert.deepEqual(JSON.parse(spec[1]), {
      $schema: "https://vega.github.io/schema/vega-lite/v5.json",
      mark: "bar",
    });
    assert.match(page, /<link rel="stylesheet" href="assets\/notebook\.css">/);
    assert.doesNotMatch(page, /<style/);
    assert.ok(page.length < 100_000, `outputs.html is ${page.length} bytes`);
    assert.ok((await Deno.stat(join(site, "assets", "notebook.css"))).size > 400_000);
    // The bundled scripts are the UMD builds: loaded in page order they define vegaEmbed.
    const g = globalThis as Record<string, unknown>;
    try {
      for (const f of ["vega.min.js", "vega-lite.min.js", "vega-embed.min.js"]) {
        const code = await Deno.readTextFile(join(site, "assets", f));
        assert.doesNotMatch(code, /sourceMappingURL/);
        new Function("exports", "module", "define", code).call(globalThis);
      }
      assert.equal(typeof g.vegaEmbed, "function");
    } finally {
      delete g.vega;
      delete g.vegaLite;
      delete g.vegaEmbed;
    }
    const results = JSON.parse(await Deno.readTextFile(join(site, "results.json")));
    assert.deepEqual(
      results.notebooks.map((n: { stem: string; status: string }) => `${n.stem}:${n.status}`),
      ["claims:error", "failing:error", "outputs:ok", "params:ok", "silent:missing-output"],
    );
  } finally {
    await Deno.remove(ws.dir, { recursive: true });
  }
});

Deno.test("executor: no output is lost, over three parallel runs of a 39-cell notebook", async () => {
  await requireJupyter();
  const ws = await workspace();
  try {
    const outs = [0, 1, 2].map((i) => join(ws.out, String(i)));
    const runs = await Promise.all(
      outs.map((out) => cli(["run-one", join(ws.nb, "outputs.ipynb"), "--out", out])),
    );
    const summaries: string[][] = [];
    for (const [i, r] of runs.entries()) {
      assert.equal(r.code, 0, r.stdout + r.stderr);
      const nb = await readNotebook(join(outs[i], "notebooks", "outputs.ipynb"));
      assert.deepEqual(findMissingOutputs(nb), []);
      const forLoop = nb.cells.findIndex((c) => cellSource(c).startsWith("for ("));
      assert.equal(streamText(nb, forLoop), "round 0\nround 1\nround 2\n");
      const last = nb.cells.length - 1;
      assert.equal(streamText(nb, last), "last cell 6\n");
      summaries.push(outputSummary(nb));
    }
    assert.deepEqual(summaries[1], summaries[0]);
    assert.deepEqual(summaries[2], summaries[0]);
  } finally {
    await Deno.remove(ws.dir, { recursive: true });
  }
});

Deno.test("run-one: --set injects a tagged cell after `parameters` and changes the result", async () => {
  await requireJupyter();
  const ws = await workspace();
  try {
    const r = await cli(["run-one", join(ws.nb, "params.ipynb"), "--set", "n=5", "--out", ws.out]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const nb = await readNotebook(join(ws.out, "notebooks", "params__n=5.ipynb"));
    assert.deepEqual(cellTags(nb.cells[1]), ["parameters"]);
    assert.deepEqual(cellTags(nb.cells[2]), ["injected-parameters"]);
    assert.match(cellSource(nb.cells[2]), /^const n = 5;$/m);
    assert.equal(streamText(nb, 4), "n=5 label=default\n");
    await Deno.stat(join(ws.out, "site", "params__n=5.html"));
  } finally {
    await Deno.remove(ws.dir, { recursive: true });
  }
});

Deno.test("run-one: a bad parameter inside the kernel is one ConfigError line naming the field", async () => {
  await requireJupyter();
  const ws = await workspace();
  try {
    // As a user editing the parameters cell in Jupyter: no --set, so nothing validates first.
    const path = join(ws.nb, "params.ipynb");
    const nb = await readNotebook(path);
    nb.cells[1].source = 'const n = 500;\nconst label = "default";';
    await Deno.writeTextFile(path, JSON.stringify(nb, null, 1));
    const r = await cli(["run-one", path, "--out", ws.out]);
    const log = r.stdout + r.stderr;
    assert.equal(r.code, 1, log);
    const message =
      "ConfigError: invalid params.ipynb parameters: n: Too big: expected number to be <=100";
    assert.ok(
      log.includes(
        `FAILED params.ipynb: cell 3 of 4, In [2] (\`import { parseParams } from "./smoke_params.ts";\`): ${message}\n`,
      ),
      log,
    );
    const executed = await readNotebook(join(ws.out, "notebooks", "params.ipynb"));
    assert.equal(executed.cells[2].execution_count, 2);
    assert.deepEqual(errorOutput(executed, 2)?.traceback, [message]);
  } finally {
    await Deno.remove(ws.dir, { recursive: true });
  }
});

Deno.test("run-one: with injected parameters, cell numbers are the executed notebook's", async () => {
  await requireJupyter();
  const ws = await workspace();
  try {
    const r = await cli([
      "run-one",
      join(ws.nb, "claims.ipynb"),
      "--set",
      "limit=0",
      "--out",
      ws.out,
    ]);
    const log = r.stdout + r.stderr;
    assert.equal(r.code, 1, log);
    assert.match(
      log,
      /FAILED claims__limit=0\.ipynb: cell 6 of 7, In \[4\] \(`assertClaims\(\[`\): ClaimError: 2 of 3 predictions failed:\n +✗ measured ≤ limit 0 \(measured 2\)\n +✗ measured < limit 0 - 1 \(measured 2\)\n/,
    );
    assert.match(log, /executed: .*out\/notebooks\/claims__limit=0\.ipynb/);
    const nb = await readNotebook(join(ws.out, "notebooks", "claims__limit=0.ipynb"));
    assert.equal(nb.cells.length, 7);
    assert.deepEqual(cellTags(nb.cells[2]), ["injected-parameters"]);
    assert.match(cellSource(nb.cells[5]), /^assertClaims\(\[/);
    assert.equal(nb.cells[5].execution_count, 4);
    assert.equal(errorOutput(nb, 5)?.ename, "ClaimError");
  } finally {
    await Deno.remove(ws.dir, { recursive: true });
  }
});

Deno.test("clear: strips stored outputs byte-exactly back to the clean file; check names the task", async () => {
  const dir = await Deno.makeTempDir({ prefix: "nbclear-" });
  try {
    const clean = await Deno.readTextFile(join(FIXTURES, "claims.ipynb"));
    const nb = JSON.parse(clean) as Notebook;
    nb.cells[2].outputs = [{ output_type: "stream", name: "stdout", text: ["x\n"] }];
    nb.cells[2].execution_count = 2;
    nb.cells[4].execution_count = 3;
    const path = join(dir, "claims.ipynb");
    await Deno.writeTextFile(path, JSON.stringify(nb, null, 1) + "\n");
    assert.deepEqual(conventionProblems(nb, path).filter((p) => p.includes("stored")), [
      "cells 3, 5 have stored outputs or an execution count; notebooks are stored clean: " +
      "run `deno task notebooks:clear`",
    ]);
    const r = await cli(["clear", path]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /cleared 2 cells in/);
    assert.equal(await Deno.readTextFile(path), clean);
    assert.equal(await clearOutputs(path), 0, "a clean file is left alone");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("run-one: a bad value gives the zod message naming the field, before any kernel", async () => {
  const ws = await workspace();
  try {
    const r = await cli([
      "run-one",
      join(ws.nb, "params.ipynb"),
      "--set",
      "n=500",
      "--out",
      ws.out,
    ]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /invalid parameter n=500: Too big: expected number to be <=100/);
    assert.equal(r.stderr.trim().split("\n").length, 1, "one line, no stack trace");
    assert.doesNotMatch(r.stdout, /▶/, "nothing was executed");
    await assert.rejects(Deno.stat(ws.out));
  } finally {
    await Deno.remove(ws.dir, { recursive: true });
  }
});

Deno.test("run-one: an unknown parameter key is rejected by name", async () => {
  const r = await cli(["run-one", join(FIXTURES, "params.ipynb"), "--set", "bogus=1"]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /unknown parameter bogus .*\(declared: n, label\)/);
});

Deno.test("check: type errors map to notebook + cell; parameters must match the schema", async () => {
  const ws = await workspace();
  try {
    const good = await cli(["check", "--dir", ws.nb]);
    assert.equal(good.code, 0, good.stdout + good.stderr);

    const nb = await readNotebook(join(ws.nb, "params.ipynb"));
    nb.cells[1].source = 'const n = 3;\nconst label = "default";\nconst extra = true;';
    nb.cells[3].source = 'const wrong: number = "text";\nconsole.log(wrong);';
    await Deno.writeTextFile(join(ws.nb, "broken.ipynb"), JSON.stringify(nb));
    const bad = await cli(["check", join(ws.nb, "broken.ipynb")]);
    const log = bad.stdout + bad.stderr;
    assert.equal(bad.code, 1, log);
    assert.match(
      log,
      /TS2322[\s\S]*broken\.ipynb, cell 4 \(`const wrong: number = "text";`\), line 1:7/,
    );
    assert.match(log, /'extra' does not exist[\s\S]*broken\.ipynb, parameters cell vs\./);
  } finally {
    await Deno.remove(ws.dir, { recursive: true });
  }
});
