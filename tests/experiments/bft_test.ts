import assert from "node:assert/strict";
import { ConfigError } from "@lab/sim/mod.ts";
import {
  adversaryMatrix,
  checkAdversaryMatrix,
  checkN3f,
  checkSideBySide,
  n3fDemo,
  parseBftParams,
  parseNotebook03Params,
  sideBySide,
} from "@lab/experiments/bft.ts";

const quick = parseBftParams({ adversarySeeds: 1, adversaryMs: 2_000, runMs: 7_000 });

Deno.test("bft experiments: bad parameters name the field before anything runs", () => {
  assert.throws(
    () => parseBftParams({ nodes: 3 }),
    (e: unknown) => e instanceof ConfigError && e.issues[0].path === "nodes",
  );
  assert.throws(
    () => parseBftParams({ latencyMsMin: 9, latencyMsMax: 2 }),
    (e: unknown) => e instanceof ConfigError && e.issues[0].path === "latencyMsMin",
  );
  assert.throws(
    () => parseNotebook03Params({ partitionAtMs: 7_000, partitionForMs: 2_000, runMs: 8_000 }),
    (e: unknown) => e instanceof ConfigError && e.issues[0].path === "runMs",
  );
  assert.throws(() => parseNotebook03Params({ scaleNodes: [3] }), /scaleNodes\[0\]/);
  assert.equal(parseNotebook03Params({}).generalsN, 4);
});

Deno.test("bft experiments: n = 3f breaks or stalls both protocols; n = 3f + 1 does not", () => {
  const rows = n3fDemo(quick);
  const claims = checkN3f(rows);
  assert.ok(claims.every((c) => c.holds), claims.map((c) => c.detail).join("\n"));
  for (const r of rows.filter((x) => x.n === 3 && x.quorum === 2)) {
    assert.ok(r.agreementBroken, r.protocol);
    assert.deepEqual(r.culprits, ["n0"]);
  }
  // the claim fails when a row is not as predicted (e.g. the stalled run decided something)
  const mutated = rows.map((r) =>
    r.n === 3 && r.quorum === 3 ? { ...r, decided: 1, asPredicted: false } : r
  );
  assert.ok(checkN3f(mutated).every((c) => !c.holds));
  // ... and when an honest replica is blamed
  const blamed = rows.map((r) => r.agreementBroken ? { ...r, culprits: ["n1"] } : r);
  assert.ok(checkN3f(blamed).every((c) => !c.holds));
});

Deno.test("bft experiments: the adversary matrix holds within f and breaks (with culprits) beyond", () => {
  const rows = adversaryMatrix(quick);
  const claims = checkAdversaryMatrix(rows);
  assert.ok(
    claims.every((c) => c.holds),
    claims.filter((c) => !c.holds).map((c) => c.detail).join("\n"),
  );
  assert.equal(rows.filter((r) => r.traitors.length > r.f).length, 2);
  // mutated inputs make each claim fail
  const breachWithin = rows.map((r, i) => i === 0 ? { ...r, breaches: 1 } : r);
  assert.equal(checkAdversaryMatrix(breachWithin)[0].holds, false);
  const honestBlamed = rows.map((r) =>
    r.traitors.length > r.f ? { ...r, honestCulprits: ["n2"] } : r
  );
  assert.equal(checkAdversaryMatrix(honestBlamed)[1].holds, false);
  const tooFew = rows.map((r) => r.traitors.length > r.f ? { ...r, culprits: ["n0"] } : r);
  assert.equal(checkAdversaryMatrix(tooFew)[1].holds, false);
});

Deno.test("bft experiments: side by side, both linearizable; the isolated replica decides nothing", () => {
  const runs = sideBySide(quick);
  const claims = checkSideBySide(runs, quick);
  assert.ok(
    claims.every((c) => c.holds),
    claims.filter((c) => !c.holds).map((c) => c.detail).join("\n"),
  );
  for (const r of runs) assert.ok(r.okOps > 50, `${r.protocol}: ${r.okOps} ok operations`);
  const leaky = runs.map((r) => ({
    ...r,
    partitionDecisions: [{ ...r.partitionDecisions[0], decisions: 1 }, r.partitionDecisions[1]],
  }));
  assert.ok(checkSideBySide(leaky, quick).filter((c) => !c.holds).length === 2);
});
