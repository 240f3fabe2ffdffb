// The determinism lint rule (tools/lint_determinism.ts) on a file under a lib/ folder: it reports
// Math.random, Date.now, new Date() and timers, and does not crash on identifiers named like
// Object.prototype members (`valueOf.length` once made it look up the prototype's method).
import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../", import.meta.url));

async function lint(source: string): Promise<{ code: number; out: string }> {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.mkdir(join(dir, "lib"));
    const file = join(dir, "lib", "a.ts");
    await Deno.writeTextFile(file, source);
    const r = await new Deno.Command(Deno.execPath(), {
      args: ["lint", "--config", join(root, "deno.json"), file],
      stdout: "piped",
      stderr: "piped",
      env: { NO_COLOR: "1" },
    }).output();
    const dec = new TextDecoder();
    return { code: r.code, out: dec.decode(r.stdout) + dec.decode(r.stderr) };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("lint: nondeterminism in lib/ is reported, prototype-named identifiers are not a crash", async () => {
  const bad = await lint(
    "const valueOf = [1];\nconst toString = { now: 1 };\n" +
      "export const a = valueOf.length + toString.now + Math.random() + Date.now();\n" +
      "export const d = new Date();\nsetTimeout(() => {}, 1);\n",
  );
  assert.equal(bad.code, 1, bad.out);
  for (const what of ["Math.random", "Date.now", "new Date()", "setTimeout"]) {
    assert.match(bad.out, new RegExp(what.replace(/[.()]/g, "\\$&")), what);
  }
  assert.match(bad.out, /Found 4 problems/);
  const clean = await lint(
    "const valueOf = [1];\nconst constructor = { name: 1 };\n" +
      "export const a = valueOf.length + constructor.name;\n",
  );
  assert.equal(clean.code, 0, clean.out);
});
