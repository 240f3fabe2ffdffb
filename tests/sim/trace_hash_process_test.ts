/**
 * Issue 14: the full-tracing hash stays identical across runs and processes. The same scenario
 * (tests/sim/_hash_scenario.ts) is hashed here and in two fresh processes.
 */
import assert from "node:assert/strict";
import { scenarioHash } from "./_hash_scenario.ts";

const scenario = new URL("./_hash_scenario.ts", import.meta.url).href;

async function hashInFreshProcess(): Promise<string> {
  const r = await new Deno.Command(Deno.execPath(), {
    args: [
      "eval",
      `import { scenarioHash } from "${scenario}"; console.log(scenarioHash());`,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  assert.equal(r.code, 0, dec.decode(r.stderr));
  return dec.decode(r.stdout).trim();
}

Deno.test("sim trace: the full trace hash is the same in this process, again, and in two other processes", async () => {
  const here = scenarioHash();
  assert.match(here, /^[0-9a-f]{16}$/);
  assert.equal(scenarioHash(), here);
  const [a, b] = await Promise.all([hashInFreshProcess(), hashInFreshProcess()]);
  assert.equal(a, here);
  assert.equal(b, here);
});
