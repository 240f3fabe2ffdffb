import assert from "node:assert/strict";
import { ConfigError } from "@lab/sim/errors.ts";
import { exhaustiveSearch, parseGeneralsConfig, runGenerals } from "@lab/protocols/generals/mod.ts";

function paths(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof ConfigError, String(e));
    return e.issues.map((i) => i.path);
  }
  assert.fail("expected a ConfigError");
}

Deno.test("generals config: bad fields are refused by name", () => {
  assert.deepEqual(paths(() => parseGeneralsConfig({ n: 1, m: 0 })), ["n"]);
  assert.deepEqual(paths(() => parseGeneralsConfig({ n: 4, m: -1 })), ["m"]);
  assert.deepEqual(paths(() => parseGeneralsConfig({ n: 4, m: 3 })), ["m"]);
  assert.deepEqual(paths(() => parseGeneralsConfig({ n: 4, m: 1, commander: "n9" })), [
    "commander",
  ]);
  assert.deepEqual(paths(() => parseGeneralsConfig({ n: 4, m: 1, algorithm: "pbft" })), [
    "algorithm",
  ]);
  assert.deepEqual(paths(() => parseGeneralsConfig({ n: 4, m: 1, order: "HOLD" })), ["order"]);
  assert.deepEqual(paths(() => parseGeneralsConfig({ n: 4, m: 1, roundMs: 0 })), ["roundMs"]);
  assert.deepEqual(paths(() => parseGeneralsConfig({ n: 30, m: 6 })), ["m"]);
  assert.deepEqual(paths(() => parseGeneralsConfig({ n: 4, m: 1, bogus: 1 })), [""]);
});

Deno.test("generals config: a round no longer than the message delay is refused (assumption A3)", () => {
  assert.deepEqual(paths(() => runGenerals({ n: 4, m: 1, roundMs: 5, latencyMs: 5 })), [
    "latencyMs",
  ]);
});

Deno.test("generals config: bad traitors are refused before anything runs, naming the field", () => {
  const run = (traitors: unknown[], extra = {}) => () =>
    runGenerals({ n: 4, m: 1, traitors, ...extra });
  assert.deepEqual(paths(run([{ node: "n7", strategy: { kind: "silent" } }])), [
    "traitors[0].node",
  ]);
  assert.deepEqual(
    paths(
      run([{ node: "n1", strategy: { kind: "silent" } }, {
        node: "n1",
        strategy: { kind: "lieToAll" },
      }]),
    ),
    ["traitors[1].node"],
  );
  const five = ["n0", "n1", "n2", "n3", "n0"].map((node) => ({
    node,
    strategy: { kind: "silent" },
  }));
  assert.ok(paths(run(five)).includes("traitors"));
  assert.deepEqual(
    paths(run([{ node: "n1", strategy: { kind: "lieToSome", victims: ["n2", "x"] } }])),
    ["traitors[0].strategy.victims[1]"],
  );
  assert.deepEqual(paths(run([{ node: "n1", strategy: { kind: "teleport" } }])), [
    "traitors[0].strategy.kind",
  ]);
  assert.deepEqual(
    paths(run([{ node: "n1", strategy: { kind: "collude", attack: ["n2"], retreat: ["n2"] } }])),
    ["traitors[0].strategy.retreat[0]"],
  );
  assert.deepEqual(
    paths(run([{ node: "n1", strategy: { kind: "pattern", choices: { "n0>n1->n2": "alter" } } }])),
    ["traitors[0].strategy.choices.n0>n1->n2"],
  );
  assert.deepEqual(
    paths(
      run([{ node: "n1", strategy: { kind: "pattern", choices: { "n0>n1->n8": "RETREAT" } } }]),
    ),
    ["traitors[0].strategy.choices.n0>n1->n8"],
  );
});

Deno.test("generals config: exhaustive options are validated", () => {
  assert.deepEqual(
    paths(() => exhaustiveSearch({ n: 3, m: 1, algorithm: "sm", engine: "direct" })),
    [
      "engine",
    ],
  );
  assert.deepEqual(paths(() => exhaustiveSearch({ n: 3, m: 1, orders: [] })), ["orders"]);
});
