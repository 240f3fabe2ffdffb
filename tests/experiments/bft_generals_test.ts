import assert from "node:assert/strict";
import type { Claim } from "@lab/experiments/claims.ts";
import { ConfigError } from "@lab/sim/errors.ts";
import { assertClaims, ClaimError } from "@lab/experiments/claims.ts";
import {
  exhaustiveTable,
  generalsClaims,
  messageCountRows,
  parseBftGeneralsParams,
  strategyTable,
} from "@lab/experiments/bft_generals.ts";

const find = (claims: { claim: string }[], re: RegExp) => {
  const c = claims.find((x) => re.test(x.claim));
  assert.ok(c, `no claim matching ${re}: ${claims.map((x) => x.claim).join(" | ")}`);
  return c as Claim;
};

Deno.test("bft generals: every claim holds with the default parameters", () => {
  const claims = generalsClaims(parseBftGeneralsParams());
  assert.equal(claims.length, 6);
  assertClaims(claims);
  assert.match(
    find(claims, /iff n > 3m/).detail,
    /n = 3: 21 patterns.*violations.*n = 4: 81 patterns/,
  );
});

Deno.test("bft generals: the exhaustive table has the pattern counts and the n = 3 violation in words", () => {
  const rows = exhaustiveTable(parseBftGeneralsParams());
  const row = (n: number, m: number, a: string) =>
    rows.find((r) => r.n === n && r.m === m && r.algorithm === a)!;
  assert.deepEqual([row(3, 1, "om").patterns, row(3, 1, "om").violations > 0], [21, true]);
  assert.match(row(3, 1, "om").firstViolation, /n1 tells n2 "n0 said RETREAT"/);
  assert.deepEqual([row(4, 1, "om").patterns, row(4, 1, "om").violations], [81, 0]);
  assert.deepEqual([row(3, 1, "sm").patterns, row(3, 1, "sm").violations], [28, 0]);
  assert.deepEqual([row(4, 1, "sm").patterns, row(4, 1, "sm").violations], [118, 0]);
  assert.equal(row(4, 2, "om").status, "complete");
  assert.ok(row(4, 2, "om").violations > 0);
  assert.equal(row(7, 2, "om").status, "out-of-reach");
});

Deno.test("bft generals: measured message counts equal the recursion (OM) and (n − 1)² (SM)", () => {
  const rows = messageCountRows(parseBftGeneralsParams());
  assert.ok(rows.every((r) => r.matches), JSON.stringify(rows.filter((r) => !r.matches)));
  const om72 = rows.find((r) => r.n === 7 && r.m === 2 && r.algorithm === "om")!;
  assert.equal(om72.measured, 156);
});

Deno.test("bft generals: every named strategy at n = 4, m = 1 keeps IC1 and IC2", () => {
  const rows = strategyTable(parseBftGeneralsParams());
  assert.equal(rows.length, 20);
  assert.ok(
    rows.every((r) => r.ic1 && r.ic2),
    JSON.stringify(rows.filter((r) => !(r.ic1 && r.ic2))),
  );
  assert.ok(rows.some((r) => r.algorithm === "sm" && r.rejected > 0));
});

Deno.test("bft generals: recursing one level short (OM(0)) makes the n = 4 claim, the rounds claim and the count claims fail", () => {
  const claims = generalsClaims(parseBftGeneralsParams({ mistakeOneRoundShort: true }));
  const iff = find(claims, /iff n > 3m/);
  assert.equal(iff.holds, false);
  assert.match(iff.detail, /n = 4: 33 patterns over 4 traitor positions, 18 violations/);
  assert.equal(find(claims, /decides after m \+ 1/).holds, false);
  assert.equal(find(claims, /loyal OM\(m\) sends/).holds, false);
  assert.equal(find(claims, /loyal SM\(m\) sends/).holds, false);
  assert.throws(() => assertClaims(claims), ClaimError);
});

Deno.test("bft generals: SM without signature checks makes the SM claims fail", () => {
  const claims = generalsClaims(parseBftGeneralsParams({ mistakeSkipVerify: true }));
  assert.equal(find(claims, /^SM\(1\) satisfies/).holds, false);
  assert.equal(find(claims, /cannot forge/).holds, false);
  assert.equal(find(claims, /iff n > 3m/).holds, true);
});

Deno.test("bft generals: relaying to the commander makes the OM message-count claim fail", () => {
  const claims = generalsClaims(parseBftGeneralsParams({ mistakeRelayToCommander: true }));
  const c = find(claims, /loyal OM\(m\) sends/);
  assert.equal(c.holds, false);
  assert.match(c.detail, /\(4,1\): 12 vs 9/);
});

Deno.test("bft generals: a search that only tries loyal RETREAT orders with traitor lieutenants misses the n = 3 violation, and the claim says so", () => {
  const claims = generalsClaims(
    parseBftGeneralsParams({ orders: ["RETREAT"], traitorsAt: "lieutenants" }),
  );
  const iff = find(claims, /iff n > 3m/);
  assert.equal(iff.holds, false);
  assert.match(iff.detail, /n = 3: 6 patterns over 2 traitor positions, 0 violations/);
});

Deno.test("bft generals: out of exhaustive reach the claims say 'not applicable' instead of passing vacuously", () => {
  const claims = generalsClaims(
    parseBftGeneralsParams({ n: 7, m: 2, countCases: [{ n: 7, m: 2 }] }),
  );
  const iff = find(claims, /iff n > 3m/);
  assert.equal(iff.applicable, false);
  assert.equal(find(claims, /SM\(2\) satisfies/).applicable, false);
  assert.equal(find(claims, /decides after m \+ 1 = 3 rounds/).holds, true);
});

Deno.test("bft generals: bad parameters are refused by name", () => {
  for (
    const [input, path] of [
      [{ n: 1 }, "n"],
      [{ m: -1 }, "m"],
      [{ orders: [] }, "orders"],
      [{ exhaustiveCases: [{ n: 3, m: 1, algorithm: "xx" }] }, "exhaustiveCases[0].algorithm"],
      [{ traitorsAt: "everywhere" }, "traitorsAt"],
    ] as const
  ) {
    assert.throws(
      () => parseBftGeneralsParams(input),
      (e) => e instanceof ConfigError && e.issues.some((i) => i.path === path),
      JSON.stringify(input),
    );
  }
});
