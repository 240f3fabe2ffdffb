import assert from "node:assert/strict";
import {
  assertClaims,
  claim,
  ClaimError,
  isApplicable,
  notApplicable,
} from "@lab/experiments/claims.ts";

Deno.test("claims: a failing claim throws with its ✗ line; a not-applicable one neither passes nor fails", () => {
  const na = notApplicable("loss slows detection", "the run has no loss");
  assert.equal(isApplicable(na), false);
  assert.equal(isApplicable(claim("x", false, "d")), true);
  const table = assertClaims([claim("a holds", true, "1 = 1"), na]);
  assert.match(
    table.toString(),
    /^✓ a holds — 1 = 1\nn\/a loss slows detection — the run has no loss$/,
  );
  assert.match(table.bundle()["text/markdown"], /\| n\/a \| loss slows detection \|/);
  assert.throws(
    () => assertClaims([claim("b holds", false, "1 ≠ 2"), na]),
    (e: unknown) =>
      e instanceof ClaimError && e.message.startsWith("1 of 2 predictions failed") &&
      e.message.includes("✗ b holds (1 ≠ 2)") && !e.message.includes("loss slows"),
  );
});
