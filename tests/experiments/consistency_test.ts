import assert from "node:assert/strict";
import * as cm from "@lab/experiments/consistency.ts";
import { type Claim, isApplicable } from "@lab/experiments/claims.ts";
import { ConfigError } from "@lab/sim/mod.ts";

function failed(cs: readonly Claim[]): string[] {
  return cs.filter((c) => isApplicable(c) && !c.holds).map((c) => `✗ ${c.claim} (${c.detail})`);
}
const holds = (cs: readonly Claim[], i: number) => isApplicable(cs[i]) && cs[i].holds;

/** The notebook's defaults (the ladder looks for rare events: short runs would need many seeds). */
const p = cm.parseConsistencyParams({ seeds: 1 });
/** Short runs for the cost claims, which hold in every run. */
const SMALL = {
  runMs: 1_500,
  clients: 3,
  partitionAtMs: 500,
  partitionForMs: 600,
  seeds: 1,
  seqStepBudget: 100_000,
};

Deno.test("parameters: defaults parse; bad values are refused naming the field", () => {
  assert.equal(cm.parseConsistencyParams({}).replicas, 3);
  const refuses = (input: unknown, field: string) =>
    assert.throws(
      () => cm.parseConsistencyParams(input),
      (e: unknown) => e instanceof ConfigError && e.message.includes(field),
    );
  refuses({ replicas: 2 }, "replicas");
  refuses({ latencyMsMin: 30, latencyMsMax: 10 }, "latencyMsMin");
  refuses({ runMs: 2_000, partitionAtMs: 1_500, partitionForMs: 1_000 }, "partitionForMs");
  refuses({ extra: 1 }, "extra");
});

Deno.test("runStore is deterministic and every store writes unique values", () => {
  for (const kind of cm.STORE_KINDS) {
    const a = cm.runStore(kind, p, { partition: true });
    const b = cm.runStore(kind, p, { partition: true });
    assert.deepEqual(a.history, b.history, kind);
    const written = a.history.filter((e) => e.type === "invoke" && e.f === "put").map((e) =>
      `${e.key}/${e.value}`
    );
    assert.equal(new Set(written).size, written.length, `${kind}: a value written twice`);
    assert.ok(written.length > 0, kind);
  }
});

const ladder = cm.ladder(p);

Deno.test("ladder: each history satisfies its model and breaks the next stronger one", () => {
  assert.deepEqual(failed(cm.checkLadder(ladder)), []);
  // the witnesses are small enough to draw
  for (const s of ladder.slice(1)) assert.ok(s.report.witnesses[s.rejected!]!.opIds.length <= 12);
});

Deno.test("ladder claims fail on a history from the wrong store (mutated input)", () => {
  // the one-key LWW step given causal memory's history: sequential consistency fails there
  const swapped = [
    ladder[0],
    { ...ladder[1], run: ladder[2].run, report: ladder[2].report },
    ladder[2],
    ladder[3],
  ];
  assert.ok(!holds(cm.checkLadder(swapped), 1));
  // a stale read injected into the Raft history: not linearizable any more
  const h = ladder[0].run.history.map((e) => ({ ...e }));
  const put = h.findIndex((e) => e.type === "ok" && e.f === "put");
  const inv = h.findIndex((e, j) =>
    j > put && e.type === "invoke" && e.f === "get" && e.key === h[put].key
  );
  const i = h.findIndex((e, j) => j > inv && e.type === "ok" && e.process === h[inv].process);
  assert.ok(put >= 0 && inv > put && i > inv, "a get invoked after the first put completed");
  h[i] = { ...h[i], value: null }; // reads the initial value after a write completed
  const run = { ...ladder[0].run, history: h };
  const mutated = [{ ...ladder[0], run, report: cm.checkModels(run, p) }, ...ladder.slice(1)];
  assert.ok(!holds(cm.checkLadder(mutated), 0));
  // the LWW store with several keys given the one-key history: CC holds, so the step fails
  const noCausalBreak = [...ladder.slice(0, 3), {
    ...ladder[3],
    run: ladder[1].run,
    report: ladder[1].report,
  }];
  assert.ok(!holds(cm.checkLadder(noCausalBreak), 3));
});

Deno.test("map of models: no counterexample on generated histories; fabricated ones are caught", () => {
  const sweep = cm.modelSweep(cm.parseConsistencyParams({ ...SMALL, seqStepBudget: 300_000 }));
  assert.deepEqual(failed(cm.checkImplications(sweep)), []);
  const ok = Object.fromEntries(cm.MODELS.map((m) => [m, "ok"])) as Record<
    cm.ModelName,
    cm.ModelVerdict
  >;
  // linearizable but not sequential: a checker bug the claim must report
  assert.ok(!holds(cm.checkImplications([{ verdicts: { ...ok, sequential: "illegal" } }]), 0));
  // CC but not read-your-writes
  assert.ok(
    !holds(cm.checkImplications([{ verdicts: { ...ok, "read-your-writes": "illegal" } }]), 0),
  );
  // no history separates the models: strictness fails
  const none = Object.fromEntries(cm.MODELS.map((m) => [m, "illegal"])) as Record<
    cm.ModelName,
    cm.ModelVerdict
  >;
  assert.ok(!holds(cm.checkImplications([{ verdicts: ok }, { verdicts: none }]), 1));
  const seqNotCm = { ...none, sequential: "ok", CM: "ok" } as Record<cm.ModelName, cm.ModelVerdict>;
  assert.ok(!holds(cm.checkImplications([{ verdicts: ok }, { verdicts: seqNotCm }]), 2));
});

Deno.test("cost: the linearizable store pays latency and availability, the others staleness", () => {
  const rows = cm.costOfModels(cm.parseConsistencyParams(SMALL));
  assert.deepEqual(failed(cm.checkCost(rows, p)), []);
  const raft = (f: (r: cm.CostRow) => cm.CostRow) =>
    rows.map((r) => (r.kind === "raft" ? f(r) : r));
  assert.ok(!holds(cm.checkCost(raft((r) => ({ ...r, meanMs: 1 })), p), 0));
  assert.ok(!holds(cm.checkCost(raft((r) => ({ ...r, minorityAnsweredAfterCut: 1 })), p), 1));
  assert.ok(
    !holds(
      cm.checkCost(
        raft((r) => ({ ...r, majorityRecoveredOps: 5, majorityRecoveredAvailability: 0 })),
        p,
      ),
      2,
    ),
  );
  const slowLocal = rows.map((r) => (r.kind === "lww" ? { ...r, p99Ms: 2 * p.latencyMsMin } : r));
  assert.ok(!holds(cm.checkCost(slowLocal, p), 3));
  assert.ok(!holds(cm.checkCost(raft((r) => ({ ...r, staleFraction: 1 })), p), 4));
});

Deno.test("parameter range: the cost claims hold across the notebook's ranges", () => {
  const points: Record<string, unknown>[] = [
    { replicas: 7, clients: 6, keys: 6, latencyMsMin: 1, latencyMsMax: 5, seed: 3 },
    {
      replicas: 5,
      clients: 12,
      writeRatio: 0.9,
      thinkMsMean: 5,
      latencyMsMin: 10,
      latencyMsMax: 100,
      gossipIntervalMs: 150,
    },
  ];
  for (const point of points) {
    const q = cm.parseConsistencyParams({ ...SMALL, ...point });
    assert.deepEqual(failed(cm.checkCost(cm.costOfModels(q), q)), [], JSON.stringify(point));
  }
});

Deno.test("the change notebook 02 suggests (seed=5 replicas=5 clients=6 keys=3 latencyMsMax=40 seeds=1 seqStepBudget=300000)", () => {
  const q = cm.parseConsistencyParams({
    seed: 5,
    replicas: 5,
    clients: 6,
    keys: 3,
    latencyMsMax: 40,
    seeds: 1,
    seqStepBudget: 300_000,
  });
  assert.deepEqual(failed(cm.checkLadder(cm.ladder(q))), []);
  assert.deepEqual(failed(cm.checkImplications(cm.modelSweep(q))), []);
  assert.deepEqual(failed(cm.checkCost(cm.costOfModels(q), q)), []);
});

Deno.test("consistency: strongestModels names both incomparable causal models when both hold", () => {
  const { strongestModels } = cm;
  assert.equal(strongestModels({ linearizable: "ok", sequential: "ok", CM: "ok" }), "linearizable");
  assert.equal(strongestModels({ linearizable: "illegal", sequential: "ok" }), "sequential");
  assert.equal(
    strongestModels({ linearizable: "illegal", sequential: "unknown", CM: "ok", CCv: "ok" }),
    "CM + CCv",
  );
  assert.equal(
    strongestModels({ sequential: "illegal", CM: "illegal", CCv: "ok", CC: "ok" }),
    "CCv",
  );
  assert.equal(strongestModels({ CM: "illegal", CCv: "illegal", CC: "ok" }), "CC");
  assert.equal(strongestModels({ CC: "illegal", convergent: "ok" }), "convergent");
  assert.equal(strongestModels({ CC: "illegal", convergent: "illegal" }), "none");
});
