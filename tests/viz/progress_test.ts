import assert from "node:assert/strict";
import { Progress, withProgress } from "@lab/viz/mod.ts";

Deno.test("progress: the bundle shows the count and a bar; withProgress keeps order", async () => {
  const p = new Progress("seeds", 4, { quiet: true });
  await p.tick();
  await p.tick("seed 2");
  const b = p.bundle("seed 2");
  assert.match(b["text/plain"], /^seeds: █+░+ 2\/4 · seed 2$/);
  assert.match(b["text/html"], /<progress value="2" max="4"/);
  const out = await withProgress("x", [3, 1, 2], (v, i) => v * 10 + i, { quiet: true });
  assert.deepEqual(out, [30, 11, 22]);
  assert.throws(() => new Progress("bad", 0), /total must be > 0/);
});
