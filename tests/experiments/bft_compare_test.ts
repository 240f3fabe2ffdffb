import assert from "node:assert/strict";
import {
  compareClaims,
  type CompareParams,
  type CompareRow,
  compareRows,
  comparisonMarkdown,
  comparisonReading,
  Notebook03CompareParamsSchema,
  parseCompareParams,
  theoryAuthenticators,
  theoryMessages,
} from "../../lib/experiments/bft_compare.ts";
import { assertClaims, type Claim, isApplicable } from "../../lib/experiments/claims.ts";
import { ConfigError } from "../../lib/sim/errors.ts";

const params = parseCompareParams({ ns: [4, 7] });
const rows = compareRows(params);

function failing(claims: readonly Claim[], text: string): Claim[] {
  return claims.filter((c) => isApplicable(c) && !c.holds && c.claim.includes(text));
}

/** Replace `field` of the rows matching protocol and scenario (all n unless `n` is given). */
function mutate(
  base: readonly CompareRow[],
  protocol: string,
  scenario: string,
  change: (r: CompareRow) => Partial<CompareRow>,
  n?: number,
): CompareRow[] {
  return base.map((r) =>
    r.protocol === protocol && r.scenario === scenario && (n === undefined || r.n === n)
      ? { ...r, ...change(r) }
      : r
  );
}

Deno.test("bft compare: every prediction holds for the five protocols at n = 4 and 7", () => {
  assertClaims(compareClaims(rows, params));
  // 5 protocols × 2 sizes × 4 scenarios
  assert.equal(rows.length, 40);
  for (const r of rows.filter((r) => r.scenario === "stable")) {
    assert.equal(r.messages, theoryMessages(r.protocol, r.n), `${r.protocol} n=${r.n}`);
    assert.equal(r.authenticators, theoryAuthenticators(r.protocol, r.n, true));
  }
});

Deno.test("bft compare: basic HotStuff costs 8(n − 1) messages a decision, chained 2(n − 1)", () => {
  const basic = rows.filter((r) => r.protocol === "hotstuff-basic" && r.scenario === "stable");
  const chained = rows.filter((r) => r.protocol === "hotstuff-chained" && r.scenario === "stable");
  assert.deepEqual(basic.map((r) => r.messages), [24, 48]);
  assert.deepEqual(chained.map((r) => r.messages), [6, 12]);
  assert.deepEqual(chained.map((r) => r.threeChainOffsetDelta), [0, 0]);
});

Deno.test("bft compare: GRANDPA's leader scenarios are not applicable, with the reason", () => {
  const g = rows.filter((r) =>
    r.protocol === "grandpa" && (r.scenario === "crash" || r.scenario === "equivocate")
  );
  assert.equal(g.length, 4);
  assert.ok(g.every((r) => r.notApplicable.includes("primary")));
  const claims = compareClaims(rows, params).filter((c) =>
    c.claim.startsWith("grandpa: decisions resume after a")
  );
  assert.equal(claims.length, 2);
  assert.ok(claims.every((c) => !isApplicable(c)));
});

Deno.test("bft compare: a no-quorum partition decides nothing, and every protocol resumes after heal", () => {
  const part = rows.filter((r) => r.scenario === "partition");
  assert.equal(part.length, 10);
  assert.ok(part.every((r) => r.decisionsDuringPartition === 0 && Number.isFinite(r.recoveryMs)));
  assert.ok(rows.every((r) => r.notApplicable || r.breaches === 0));
});

Deno.test("bft compare: each prediction fails on a mutated input", () => {
  const c = (rs: CompareRow[]) => compareClaims(rs, params);
  const cases: [string, CompareRow[]][] = [
    [
      "pbft: messages per decision with a correct leader",
      mutate(rows, "pbft", "stable", (r) => ({ messages: r.messages + 1 }), 4),
    ],
    [
      "tendermint: messages per decision grow as n^2",
      mutate(rows, "tendermint", "stable", (r) => ({ messages: r.messages * r.n })),
    ],
    [
      "hotstuff-basic: messages per decision grow as n^1",
      mutate(rows, "hotstuff-basic", "stable", (r) => ({ messages: r.messages * r.n })),
    ],
    [
      "hotstuff-basic: authenticators per decision",
      mutate(
        rows,
        "hotstuff-basic",
        "stable",
        (r) => ({ authenticators: r.authenticators + 1 }),
        7,
      ),
    ],
    [
      "pbft: proposal to the last replica's decision takes 3δ",
      mutate(rows, "pbft", "stable", () => ({ maxLatencyDelta: 4 }), 7),
    ],
    [
      "grandpa: a round finalises 4T",
      mutate(rows, "grandpa", "stable", () => ({ latencyDelta: 5, maxLatencyDelta: 5 }), 4),
    ],
    [
      "hotstuff-chained: a decision every 2δ",
      mutate(rows, "hotstuff-chained", "stable", () => ({ intervalDelta: 3 }), 4),
    ],
    [
      "grandpa: a round finalises at least every 6T",
      mutate(rows, "grandpa", "stable", () => ({ intervalDelta: 7 }), 7),
    ],
    [
      "pbft: authenticators per decision grow as n²",
      mutate(rows, "pbft", "stable", (r) => ({ authenticators: r.authenticators * r.n })),
    ],
    [
      "pbft: authenticators across a view change grow as n³",
      mutate(rows, "pbft", "crash", (r) => ({ authenticators: r.authenticators / r.n })),
    ],
    [
      "hotstuff-basic: messages across a leader failure grow as n",
      mutate(rows, "hotstuff-basic", "crash", (r) => ({ messages: r.messages * r.n })),
    ],
    [
      "hotstuff-basic: authenticators across a leader failure",
      mutate(rows, "hotstuff-basic", "crash", (r) => ({ authenticators: r.authenticators * r.n })),
    ],
    [
      "hotstuff-chained: block b commits when the proposal three views later",
      mutate(rows, "hotstuff-chained", "stable", () => ({ threeChainOffsetDelta: 1 }), 7),
    ],
    [
      "tendermint: messages across a round change grow as n²",
      mutate(rows, "tendermint", "crash", (r) => ({ messages: r.messages * r.n })),
    ],
    [
      "tendermint: decisions resume after a crashed leader",
      mutate(rows, "tendermint", "crash", () => ({ recoveryMs: NaN }), 7),
    ],
    [
      "pbft: decisions resume after an equivocating leader",
      mutate(rows, "pbft", "equivocate", () => ({ recoveryMs: NaN }), 4),
    ],
    [
      "hotstuff-basic: no decision is proposed and made while no side holds a quorum",
      mutate(rows, "hotstuff-basic", "partition", () => ({ decisionsDuringPartition: 1 }), 4),
    ],
    [
      "grandpa: decisions resume after the heal",
      mutate(rows, "grandpa", "partition", () => ({ recoveryMs: NaN }), 7),
    ],
    [
      "grandpa: after GST",
      mutate(rows, "grandpa", "partition", () => ({ maxRoundAfterGstT: 7 }), 4),
    ],
    [
      "hotstuff-chained: honest replicas agree",
      mutate(rows, "hotstuff-chained", "partition", () => ({ breaches: 1 }), 7),
    ],
  ];
  for (const [text, mutated] of cases) {
    assert.equal(failing(c(rows), text).length, 0, `holds unmutated: ${text}`);
    assert.ok(failing(c(mutated), text).length > 0, `fails mutated: ${text}`);
  }
});

Deno.test("bft compare: chained HotStuff committing on a Two-Chain fails the three-views claim", () => {
  const p = parseCompareParams({
    ns: [7],
    protocols: ["hotstuff-chained"],
    scenarios: ["stable"],
    hotstuffMistake: "commitOnTwoChain",
  });
  const claims = compareClaims(compareRows(p), p);
  assert.ok(failing(claims, "block b commits when the proposal three views later arrives").length);
  assert.ok(failing(claims, "proposal to the last replica's decision takes 7δ").length);
});

Deno.test("bft compare: predictions hold across the parameter range the notebook suggests", () => {
  const points: Partial<CompareParams>[] = [
    { deltaMs: 5, timeoutDeltas: 10, warmup: 2, decisions: 3, partitionDeltas: 20, seed: 2 },
    { thresholdSignatures: false, timeoutDeltas: 40, partitionDeltas: 200, seed: 3 },
    { deltaMs: 50, warmup: 6, decisions: 10, seed: 4 },
  ];
  for (const pt of points) {
    const p = parseCompareParams({ ...pt, ns: [4] });
    assertClaims(compareClaims(compareRows(p), p));
  }
});

Deno.test("bft compare: one seed and parameters give identical rows", () => {
  const p = parseCompareParams({
    ns: [4],
    protocols: ["pbft", "grandpa"],
    scenarios: ["stable", "partition"],
  });
  assert.deepEqual(compareRows(p), compareRows(p));
});

Deno.test("bft compare: bad parameters are refused naming the field", () => {
  const bad: [unknown, string][] = [
    [{ ns: [3] }, "ns"],
    [{ ns: [200] }, "ns"],
    [{ protocols: ["raft"] }, "protocols"],
    [{ scenarios: [] }, "scenarios"],
    [{ deltaMs: 0 }, "deltaMs"],
    [{ timeoutDeltas: 2 }, "timeoutDeltas"],
    [{ hotstuffMistake: "ignoreLock" }, "hotstuffMistake"],
    [{ extra: 1 }, "extra"],
  ];
  for (const [input, field] of bad) {
    assert.throws(() => parseCompareParams(input), (e: unknown) => {
      assert.ok(e instanceof ConfigError, String(e));
      assert.match(String((e as Error).message), new RegExp(field));
      return true;
    });
  }
});

Deno.test("bft compare: the notebook's table and reading carry the measured numbers", () => {
  const md = comparisonMarkdown(rows, params);
  assert.equal(md.split("\n").length, 2 + params.protocols.length);
  const pbft7 = rows.find((r) => r.protocol === "pbft" && r.scenario === "stable" && r.n === 7)!;
  assert.match(md, new RegExp(`\\| pbft \\| 2n² − n \\+ 1 \\| ${pbft7.messages} \\|`));
  assert.match(md, /\| grandpa \|.*n\/a: no leader/);
  const text = comparisonReading(rows, params);
  const crash = rows.find((r) => r.protocol === "pbft" && r.scenario === "crash" && r.n === 7)!;
  assert.ok(text.includes(`PBFT sends ${crash.authenticators} signatures`), text);
});

Deno.test("bft compare: notebook 03's parameters cell schema refuses a bad comparison field", () => {
  assert.ok(
    Notebook03CompareParamsSchema.safeParse({ compareNodes: [4, 7], timeoutDeltas: 20 }).success,
  );
  const bad = Notebook03CompareParamsSchema.safeParse({ compareNodes: [2] });
  assert.equal(bad.success, false);
  assert.deepEqual(bad.error!.issues.map((i) => i.path[0]), ["compareNodes"]);
  assert.equal(Notebook03CompareParamsSchema.safeParse({ grandpaMaxNodes: 8 }).success, true);
});
