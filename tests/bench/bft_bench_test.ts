import assert from "node:assert/strict";
import { ConfigError } from "../../lib/sim/errors.ts";
import { budgetShare, median, parseBftBenchArgs } from "../../bench/bft_bench.ts";

/** The message of the ConfigError that parsing `args` throws. */
function errorOf(args: string[]): string {
  try {
    parseBftBenchArgs(args);
  } catch (e) {
    assert.ok(e instanceof ConfigError, `expected a ConfigError, got ${e}`);
    return e.message;
  }
  assert.fail(`no error for ${args.join(" ")}`);
}

Deno.test("bft bench: no arguments give the documented defaults", () => {
  assert.deepEqual(parseBftBenchArgs([]), {
    protocols: ["pbft", "tendermint", "hotstuff", "hotstuff-basic"],
    durationMs: 10_000,
    runs: 3,
    clients: 50,
    relay: 1_000_000,
  });
});

Deno.test("bft bench: a protocol list and numbers, as `--flag value` or `--flag=value`", () => {
  const o = parseBftBenchArgs([
    "--protocols",
    "hotstuff,pbft",
    "--duration-ms=2500",
    "--runs",
    "1",
    "--relay",
    "0",
  ]);
  assert.deepEqual(o.protocols, ["hotstuff", "pbft"]);
  assert.equal(o.durationMs, 2_500);
  assert.equal(o.runs, 1);
  assert.equal(o.relay, 0);
  assert.equal(o.clients, 50);
  assert.deepEqual(parseBftBenchArgs(["--protocols", "pbft, tendermint"]).protocols, [
    "pbft",
    "tendermint",
  ]);
});

Deno.test("bft bench: bad input is a ConfigError naming the flag", () => {
  assert.match(errorOf(["--protocols", "pbft,raft"]), /--protocols\[1\]/);
  assert.match(errorOf(["--protocols", ""]), /--protocols\[0\]/);
  assert.match(errorOf(["--duration-ms", "soon"]), /--duration-ms: /);
  assert.match(errorOf(["--duration-ms", "100"]), /--duration-ms: /); // below one 250 ms slice
  assert.match(errorOf(["--runs", "0"]), /--runs: /);
  assert.match(errorOf(["--runs", "1.5"]), /--runs: /);
  assert.match(errorOf(["--clients", "-3"]), /--clients: /);
  assert.match(errorOf(["--relay="]), /--relay: /); // empty is not 0
  assert.match(errorOf(["--runs"]), /--runs: needs a value/);
  assert.match(errorOf(["--runs", "--clients", "3"]), /--runs: needs a value/);
  assert.match(errorOf(["--speed", "9"]), /--speed: unknown option/);
  assert.match(errorOf(["pbft"]), /pbft: expected an option/);
});

Deno.test("bft bench: the share is decisions/s × messages/decision ÷ deliveries/s", () => {
  // 10,000 decisions/s at 12 messages each is 120,000 deliveries/s of a 2 M/s simulator
  assert.equal(budgetShare(10_000, 12, 2_000_000), 0.06);
  // the same messages per second counted per block instead of per command: the same share
  assert.equal(budgetShare(500, 240, 2_000_000), budgetShare(10_000, 12, 2_000_000));
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([0.5, 0.1, 0.3, 0.2, 0.4]), 0.3);
});
