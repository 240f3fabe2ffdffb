/** HotStuff measurements match theory where theory is exact (message and authenticator counts, latency in δ, a crashed leader's cost). */
import assert from "node:assert/strict";
import {
  hotstuffClaims,
  hotstuffMessageRows,
  hotstuffViewChangeRows,
  signaturesIn,
} from "../../lib/experiments/bft_hotstuff.ts";
import { assertClaims, ClaimError } from "../../lib/experiments/claims.ts";
import { ConfigError } from "../../lib/sim/errors.ts";

Deno.test("bft_hotstuff: basic 8(n − 1) and chained 2(n − 1) messages per decision, authenticators both ways, 7δ latency", () => {
  const rows = hotstuffMessageRows({ ns: [4, 7, 10] });
  assert.equal(rows.length, 6);
  for (const r of rows) {
    assert.equal(r.messages, r.theoryMessages, `${r.variant} n=${r.n}`);
    assert.equal(r.authenticators, r.theoryAuthenticators, `${r.variant} n=${r.n}`);
    assert.equal(r.authenticatorsThreshold, r.theoryAuthenticatorsThreshold);
    assert.equal(r.latencyDelta, 7);
    assert.equal(r.intervalDelta, r.variant === "basic" ? 8 : 2);
  }
  assert.equal(rows.find((r) => r.variant === "basic" && r.n === 4)!.messages, 24);
  assertClaims(hotstuffClaims(rows));
});

Deno.test("bft_hotstuff: claims fail on a wrong model (a count off by one, a latency off by δ)", () => {
  const rows = hotstuffMessageRows({ ns: [4], variants: ["basic"] });
  const off = [{ ...rows[0], messages: rows[0].messages + 1 }];
  assert.throws(() => assertClaims(hotstuffClaims(off)), ClaimError);
  const slow = [{ ...rows[0], latencyDelta: 8 }];
  assert.throws(() => assertClaims(hotstuffClaims(slow)), ClaimError);
  const quadratic = [{ ...rows[0], authenticatorsThreshold: rows[0].authenticators }];
  assert.throws(() => assertClaims(hotstuffClaims(quadratic)), ClaimError);
});

Deno.test("bft_hotstuff: a crashed leader costs T + 8δ and a linear number of NEW-VIEWs; PBFT's view change carries more signatures", () => {
  const rows = hotstuffViewChangeRows({ ns: [4, 7], pbftNs: [4, 7] });
  for (const r of rows.filter((x) => x.protocol !== "pbft")) {
    assert.equal(r.gapMs, r.theoryGapMs, `${r.protocol} n=${r.n}`);
    assert.equal(r.viewChangeMessages, r.theoryViewChangeMessages, `${r.protocol} n=${r.n}`);
    assert.equal(r.messages, r.theoryMessages, `${r.protocol} n=${r.n}`);
  }
  assert.ok(!rows.some((r) => r.protocol === "chained" && r.n === 4), "chained needs n ≥ 5");
  assertClaims(hotstuffClaims([], rows));
  const wrong = rows.map((r) => r.protocol === "basic" ? { ...r, gapMs: r.gapMs + 10 } : r);
  assert.throws(() => assertClaims(hotstuffClaims([], wrong)), ClaimError);
});

Deno.test("bft_hotstuff: parameters are validated; signaturesIn counts nested signatures", () => {
  assert.throws(() => hotstuffMessageRows({ ns: [2] }), ConfigError);
  assert.throws(() => hotstuffViewChangeRows({ variants: ["pipelined"] }), ConfigError);
  assert.equal(
    signaturesIn({ a: [{ signer: "n0", digest: "x" }, { b: { signer: "n1", digest: "y" } }] }),
    2,
  );
});
