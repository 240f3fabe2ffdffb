/**
 * Notebook 04: each claim fails on a run or model that breaks it, and the claims hold (or say
 * "not applicable") across the parameter schema's documented range and every suggested change.
 */
import assert from "node:assert/strict";
import * as smr from "@lab/experiments/smr.ts";
import { assertClaims, type Claim } from "@lab/experiments/claims.ts";

const fails = (claims: Claim[], text: string) =>
  assert.ok(
    claims.some((c) => c.claim.includes(text) && c.applicable !== false && !c.holds),
    `expected "${text}" to fail:\n${claims.map((c) => `${c.holds} ${c.claim}`).join("\n")}`,
  );

const p = smr.parseSmrParams({ ledgerCommands: 60 });
const det = smr.determinismExperiment(p);

Deno.test("smr claims: each determinism claim fails on a result that breaks it", () => {
  const mut = (v: smr.LedgerVariant, f: Partial<smr.DivergenceRow>) => ({
    ...det,
    divergence: det.divergence.map((d) => d.variant === v ? { ...d, ...f } : d),
  });
  assertClaims(smr.checkDeterminism(det, p));
  fails(smr.checkDeterminism(mut("local clock", { distinctLogs: 2 }), p), "consensus did its job");
  fails(
    smr.checkDeterminism(mut("deterministic", { firstDivergentCommand: 30 }), p),
    "same state root",
  );
  fails(
    smr.checkDeterminism(mut("local clock", { firstDivergentCommand: 3 }), p),
    "first lock that executes",
  );
  fails(
    smr.checkDeterminism(
      { ...mut("local randomness", { firstDivergentCommand: 1 }) },
      p,
    ),
    "drawing local randomness",
  );
  fails(
    smr.checkDeterminism(mut("deterministic", { refusedReleases: 1 }), p),
    "every replica accepts every release",
  );
  const clock = det.divergence.find((d) => d.variant === "local clock")!;
  fails(
    smr.checkDeterminism(mut("local clock", { refusedReleases: clock.refusedReleases - 1 }), p),
    "each of the n − 1 followers refuses",
  );
  fails(
    smr.checkDeterminism(mut("local clock", { accountsReadDifferently: 0 }), p),
    "each of the n − 1 followers refuses",
  );
  // a model in which the lottery mints on one replica only breaks the supply prediction
  const minted = {
    ...det,
    replicas: det.replicas.map((x, i) => i === 0 ? { ...x, totalUnits: x.totalUnits + 50 } : x),
  };
  fails(smr.checkDeterminism(minted, p), "total-supply check");
});

Deno.test("smr claims: the fault claims fail on runs that break them", () => {
  const q = smr.parseSmrParams({ seed: 2 });
  const r = smr.kvUnderFaults(q);
  assertClaims(smr.checkKvUnderFaults(r, q));
  const b = smr.faultBounds(q);
  const cases: [Partial<smr.KvFaultRun>, string][] = [
    [{ linearizability: { ...r.linearizability, verdict: "illegal" } }, "linearizable"],
    [{ electionAfterCrashMs: b.minDetectMs - 1 }, "no follower campaigns"],
    [{ electionAfterCrashMs: b.electionMs + 1 }, "no follower campaigns"],
    [
      { crashStallMs: r.electionAfterCrashMs + q.clientTimeoutMs + b.roundTripsMs + 1 },
      "nothing completes",
    ],
    [{ electionAfterPartitionMs: b.electionMs + 1 }, "majority side"],
    [{ minorityCommits: 1 }, "cut-off leader commits nothing"],
    [{ partitionOkPerSec: 0.4 * r.baselineOkPerSec }, "majority keeps serving"],
    [{ ops: [...r.ops, { ...r.ops[0], status: "info" }] }, "no client gave up"],
    [{ replicaStates: r.replicaStates.map((s, i) => i ? s : { ...s, state: "[]" }) }, "same data"],
  ];
  for (const [m, text] of cases) fails(smr.checkKvUnderFaults({ ...r, ...m }, q), text);
});

Deno.test("smr claims: the exactly-once claims fail on runs that break them", () => {
  const q = smr.parseSmrParams({ retryRunMs: 1_500 });
  const r = smr.exactlyOnceExperiment(q);
  assertClaims(smr.checkExactlyOnce(r, q));
  const rows = (f: (x: smr.ExactlyOnceRow) => smr.ExactlyOnceRow) => ({
    ...r,
    rows: r.rows.map(f),
  });
  fails(smr.checkExactlyOnce(rows((x) => ({ ...x, retriesInLog: 0 })), q), "retries reached");
  fails(smr.checkExactlyOnce(rows((x) => ({ ...x, missingAcked: 1 })), q), "no acknowledged");
  fails(
    smr.checkExactlyOnce(rows((x) => x.sessions ? { ...x, extraApplications: 1 } : x), q),
    "with sessions every retry",
  );
  fails(
    smr.checkExactlyOnce(rows((x) => x.sessions ? x : { ...x, extraApplications: 0 }), q),
    "without sessions every retry",
  );
  fails(
    smr.checkExactlyOnce(rows((x) => x.sessions ? x : { ...x, verdict: "ok" }), q),
    "with sessions the history is linearizable",
  );
  // without loss and with a timeout above four one-way delays the duplicate claim does not apply
  const calm = smr.parseSmrParams({ retryLossRatio: 0, retryRunMs: 1_000 });
  const claims = smr.checkExactlyOnce(smr.exactlyOnceExperiment(calm), calm);
  assertClaims(claims);
  assert.ok(claims.some((c) => c.applicable === false));
});

// Every change the notebook suggests (parameters cell, notes) and points across the schema's
// documented range: the claims hold or say they do not apply.
const points: [string, smr.SmrParamsInput][] = [
  ["parameters cell example", { seed: 7, crashForMs: 3_000, retryLossRatio: 0.3 }],
  ["notes: crashForMs=200", { crashForMs: 200 }],
  ["notes: retryLossRatio=0.35", { retryLossRatio: 0.35 }],
  ["notes: latencyMsMax=20", { latencyMsMax: 20 }],
  ["fastest constant network", { latencyMsMin: 0.1, latencyMsMax: 0.1, seed: 4 }],
  ["slowest constant network", { latencyMsMin: 20, latencyMsMax: 20, seed: 5 }],
  ["3 servers", { nodes: 3, seed: 6 }],
  ["9 servers", { nodes: 9, seed: 7 }],
  ["1 client, 1 key", { clients: 1, keys: 1 }],
  ["20 clients, 20 keys, short run", {
    clients: 20,
    keys: 20,
    runMs: 8_000,
    crashAtMs: 1_500,
    crashForMs: 1_000,
    partitionAtMs: 3_000,
    partitionForMs: 2_000,
  }],
  ["short and long client timeouts", { clientTimeoutMs: 50, retryTimeoutMs: 20, seed: 8 }],
  ["long timeouts", { clientTimeoutMs: 2_000, retryTimeoutMs: 500 }],
  ["no loss", { retryLossRatio: 0 }],
  ["most loss", { retryLossRatio: 0.5, seed: 9 }],
  ["smallest ledger", { ledgerCommands: 10 }],
  ["largest ledger, 1-command blocks", { ledgerCommands: 600, blockSize: 1 }],
  ["largest blocks", { blockSize: 100, ledgerCommands: 300 }],
];
for (const [name, input] of points) {
  Deno.test(`smr range: ${name}`, () => {
    assertClaims(smr.allSmrClaims(smr.parseSmrParams(input)));
  });
}

Deno.test("smr range: the schema refuses what leaves the documented range, naming the field", () => {
  for (
    const [input, field] of [
      [{ latencyMsMax: 40 }, "latencyMsMax"],
      [{ latencyMsMin: 0 }, "latencyMsMin"],
      [{ clients: 50 }, "clients"],
      [{ crashAtMs: 1_000 }, "crashAtMs"],
      [{ crashForMs: 4_000 }, "partitionAtMs"],
    ] as const
  ) {
    assert.throws(() => smr.parseSmrParams(input), new RegExp(field));
  }
});
