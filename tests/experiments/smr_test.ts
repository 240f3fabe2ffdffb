/** Notebook 04 (state machine replication): its predictions on several seeds, and its checks' teeth. */
import assert from "node:assert/strict";
import * as smr from "@lab/experiments/smr.ts";
import { assertClaims } from "@lab/experiments/claims.ts";
import { ConfigError } from "@lab/sim/mod.ts";

for (const seed of [1, 2, 3]) {
  Deno.test(`smr: every prediction of notebook 04 holds (seed ${seed})`, () => {
    assertClaims(smr.allSmrClaims(smr.parseSmrParams({ seed })));
  });
}

Deno.test("smr: a shorter run with other fault times still meets every prediction", () => {
  const p = smr.parseSmrParams({
    seed: 11,
    runMs: 8_000,
    crashAtMs: 1_500,
    crashForMs: 1_000,
    partitionAtMs: 3_500,
    partitionForMs: 2_000,
    ledgerCommands: 60,
    retryRunMs: 2_000,
  });
  assertClaims([
    ...smr.checkKvUnderFaults(smr.kvUnderFaults(p), p),
    ...smr.checkDeterminism(smr.determinismExperiment(p), p),
    ...smr.checkExactlyOnce(smr.exactlyOnceExperiment(p)),
  ]);
});

Deno.test("smr: the same seed gives the same history and the same state roots", () => {
  const p = smr.parseSmrParams({ seed: 5, ledgerCommands: 40 });
  const a = smr.determinismExperiment(p), b = smr.determinismExperiment(p);
  assert.deepEqual(a.replicas, b.replicas);
  const w1 = smr.requestWalkthrough(p), w2 = smr.requestWalkthrough(p);
  assert.deepEqual(w1.steps, w2.steps);
});

Deno.test("smr: the determinism check fails when a deterministic replica disagrees", () => {
  const p = smr.parseSmrParams({ ledgerCommands: 40 });
  const r = smr.determinismExperiment(p);
  const broken = {
    ...r,
    divergence: r.divergence.map((d) =>
      d.variant === "deterministic" ? { ...d, firstDivergentCommand: 12, distinctFinalRoots: 2 } : d
    ),
  };
  assert.ok(smr.checkDeterminism(broken, p).some((c) => !c.holds));
});

Deno.test("smr: the exactly-once check fails when sessions let a duplicate through", () => {
  const r = smr.exactlyOnceExperiment(smr.parseSmrParams({ retryRunMs: 1_500 }));
  const broken = {
    ...r,
    rows: r.rows.map((x) => x.sessions ? { ...x, extraApplications: 1 } : x),
  };
  assert.ok(smr.checkExactlyOnce(broken).some((c) => !c.holds));
});

Deno.test("smr: the fault check fails on a non-linearizable or diverged run", () => {
  const p = smr.parseSmrParams({});
  const r = smr.kvUnderFaults(p);
  const diverged = {
    ...r,
    replicaStates: r.replicaStates.map((s, i) => i === 0 ? { ...s, state: "[]" } : s),
  };
  assert.ok(smr.checkKvUnderFaults(diverged, p).some((c) => !c.holds));
  const early = { ...r, electionAfterCrashMs: 20 };
  assert.ok(smr.checkKvUnderFaults(early, p).some((c) => !c.holds));
});

Deno.test("smr: the client driver re-sends a timed-out request to the next server", () => {
  const sent: string[] = [];
  const d = smr.trackingKvDriver(["n0", "n1", "n2"]);
  const ctx = { self: "c0", send: (to: string) => sent.push(to) } as never;
  const op = { id: 1, process: 0, f: "get", key: "x", value: null, home: "n0" };
  d.request(ctx, { ...op, attempt: 0 });
  d.request(ctx, { ...op, attempt: 1 }); // timed out at n0
  d.request(ctx, { ...op, attempt: 2, home: "n2" }); // redirected to n2
  assert.deepEqual(sent, ["n0", "n1", "n2"]);
  // an answer from n2 makes it the first choice for the next request
  d.response(ctx, "n2", { type: "KvResponse", clientId: "p0", seq: 1, ok: true, value: null });
  d.request(ctx, { ...op, id: 2, attempt: 0 });
  assert.equal(sent.at(-1), "n2");
});

Deno.test("smr: bad parameters name the field", () => {
  assert.throws(
    () => smr.parseSmrParams({ crashAtMs: 6_000, partitionAtMs: 7_000 }),
    (e: unknown) => e instanceof ConfigError && e.message.includes("partitionAtMs"),
  );
  assert.throws(() => smr.parseSmrParams({ nodez: 3 }), /nodez/);
});
