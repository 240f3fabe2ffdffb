import assert from "node:assert/strict";
import { ConfigError } from "@lab/sim/mod.ts";
import { claim, notApplicable } from "@lab/experiments/claims.ts";
import {
  checkLinks,
  checkReadingList,
  headingAnchor,
  notebookHeadings,
  notebookLinks,
  NOTEBOOKS,
  parseOverviewParams,
  placeLink,
  READING_LIST,
  type ReadingEntry,
  statusRows,
} from "@lab/experiments/overview.ts";

const NB_DIR = new URL("../../notebooks/", import.meta.url);

async function presentHeadings(): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  for (const n of NOTEBOOKS) {
    try {
      out.set(n.file, notebookHeadings(await Deno.readTextFile(new URL(n.file, NB_DIR))));
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
  }
  return out;
}

Deno.test("overview: anchors are what nbconvert writes into the site's pages", () => {
  // ids copied from out/site/*.html rendered by tools/notebooks.ts (nbconvert 6.5, lab template)
  assert.equal(
    headingAnchor("Experiment 1 · The detector's trade-off"),
    "Experiment-1-%C2%B7-The-detector's-trade-off",
  );
  assert.equal(
    headingAnchor("Why f < n/3: quorums that must intersect in an honest replica"),
    "Why-f-%3C-n/3:-quorums-that-must-intersect-in-an-honest-replica",
  );
  assert.equal(
    headingAnchor("✏️ (b) Your implementation"),
    "%E2%9C%8F%EF%B8%8F-(b)-Your-implementation",
  );
  assert.equal(headingAnchor("FLP's valence, computed"), "FLP's-valence,-computed");
});

Deno.test("overview: links are found in markdown and checked against real headings", () => {
  const md = "see [a](05-consensus.ipynb#Paxos:-one-value), [b](05-consensus.ipynb#Nope), " +
    "[c](99-missing.ipynb), [d](https://example.org/x.ipynb) and [e](02-x.ipynb#Lin-(strong))";
  const links = notebookLinks(md);
  assert.deepEqual(links.map((l) => l.text), ["a", "b", "c", "e"]);
  const hs = new Map([["05-consensus.ipynb", ["Paxos: one value"]], ["02-x.ipynb", [
    "Lin (strong)",
  ]]]);
  assert.deepEqual(checkLinks(links, hs).map((v) => v.status), [
    "ok",
    "no such heading",
    "no such notebook",
    "unsafe anchor",
  ]);
});

Deno.test("overview: headings skip fenced code and read both source forms", () => {
  const nb = JSON.stringify({
    cells: [
      { cell_type: "markdown", source: ["# Title\n", "```\n", "# not a heading\n", "```\n"] },
      { cell_type: "markdown", source: "## Two · parts ##" },
      { cell_type: "code", source: "# a comment" },
    ],
  });
  assert.deepEqual(notebookHeadings(nb), ["Title", "Two · parts"]);
});

Deno.test("overview: every reading-list place names a notebook and a heading that exist", async () => {
  const hs = await presentHeadings();
  const links = READING_LIST.flatMap((e) =>
    e.places.map((p) => notebookLinks(placeLink("x", p))[0])
  );
  const bad = checkLinks(links, hs).filter((v) =>
    // notebook 01 is being written in parallel: only its absence is tolerated
    v.status !== "ok" && !(v.status === "no such notebook" && v.notebook === "01-cap-theorem.ipynb")
  );
  assert.deepEqual(bad, []);
});

Deno.test("overview: the notebook's own links all resolve", async () => {
  const hs = await presentHeadings();
  const self = JSON.parse(await Deno.readTextFile(new URL("00-overview.ipynb", NB_DIR))) as {
    cells: { cell_type: string; source: string[] }[];
  };
  const md = self.cells.filter((c) => c.cell_type === "markdown").map((c) => c.source.join(""))
    .join("\n");
  const links = notebookLinks(md);
  assert.ok(links.length > 20, `${links.length} links`);
  const bad = checkLinks(links, hs).filter((v) =>
    v.status !== "ok" && !(v.status === "no such notebook" && v.notebook === "01-cap-theorem.ipynb")
  );
  assert.deepEqual(bad, []);
});

Deno.test("overview: a reading-list verdict follows its claims; errors and n/a never pass", () => {
  const base: ReadingEntry = { cite: "x", keyResult: "y", places: [] };
  const [ok, bad, thrown, empty, none] = checkReadingList([
    { ...base, check: () => [claim("a", true, "1"), notApplicable("b", "outside")] },
    { ...base, check: () => [claim("a", true, "1"), claim("b", false, "2")] },
    {
      ...base,
      check: () => {
        throw new Error("boom");
      },
    },
    { ...base, check: () => [notApplicable("b", "outside")] },
    { ...base, why: "described only" },
  ]);
  assert.equal(ok.status, "matches");
  assert.equal(ok.checked, 1);
  assert.equal(bad.status, "differs");
  assert.match(bad.detail, /✗ b \(2\)/);
  assert.equal(thrown.status, "error");
  assert.match(thrown.detail, /boom/);
  assert.equal(empty.status, "error");
  assert.equal(none.status, "not reproduced");
});

Deno.test("overview: every entry without a check says why; the checked ones match today", () => {
  for (const e of READING_LIST) assert.ok(e.check || e.why, e.cite);
  // the fast path the notebook runs; slow entries would show here first
  const fast = READING_LIST.filter((e) => /Lamport, \*Time|Nakamoto|Chang, Roberts/.test(e.cite));
  assert.equal(fast.length, 3);
  for (const r of checkReadingList(fast)) assert.equal(r.status, "matches", r.detail);
});

Deno.test("overview: progress is validated naming the field, and feeds the status line", () => {
  assert.throws(
    () => parseOverviewParams({ progress: { "05-consensus.ipynb": "finished" } }),
    (e: unknown) =>
      e instanceof ConfigError && e.issues.some((i) => i.path === "progress.05-consensus.ipynb"),
  );
  assert.throws(
    () => parseOverviewParams({ progress: { "13-nothing.ipynb": "done" } }),
    (e: unknown) =>
      e instanceof ConfigError && e.issues.some((i) => i.path === "progress.13-nothing.ipynb"),
  );
  const p = parseOverviewParams({ progress: { "05-consensus.ipynb": "done" } });
  const base: ReadingEntry = {
    cite: "x",
    keyResult: "y",
    places: [{ notebook: "05-consensus.ipynb", heading: "" }],
  };
  const results = checkReadingList([
    { ...base, check: () => [claim("a", true, "")] },
    { ...base, check: () => [claim("a", false, "")] },
  ]);
  const rows = statusRows(p, results, new Set(["05-consensus.ipynb"]));
  const r5 = rows.find((r) => r.notebook === "05-consensus.ipynb")!;
  assert.deepEqual([r5.mark, r5.present, r5.reproductions], ["done", true, "1 of 2 match"]);
  // only the main (first) place hosts a reproduction
  const second = checkReadingList([{
    ...base,
    places: [{ notebook: "04-state-machine-replication.ipynb", heading: "" }, base.places[0]],
    check: () => [claim("a", true, "")],
  }]);
  assert.equal(
    statusRows(p, second, new Set()).find((r) => r.notebook === "05-consensus.ipynb")!
      .reproductions,
    "—",
  );
  const off = statusRows(parseOverviewParams({ runChecks: false }), [], new Set());
  assert.ok(off.every((r) => r.reproductions === "—" && r.mark === "not started"));
  const r7 = rows.find((r) => r.notebook === "07-clock-synchronization.ipynb")!;
  assert.deepEqual([r7.mark, r7.present, r7.reproductions], ["not started", false, "—"]);
});
