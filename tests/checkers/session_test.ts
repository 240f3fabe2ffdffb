/** Session guarantees (Terry et al. 1994): one history per guarantee broken. */
import assert from "node:assert/strict";
import { checkSessionGuarantees } from "@lab/checkers/mod.ts";
import type { SessionGuarantee, SessionResult } from "@lab/checkers/mod.ts";
import { history } from "./_helpers.ts";
import { get, put } from "./_weak_helpers.ts";

function broken(res: SessionResult): SessionGuarantee[] {
  return (Object.keys(res.guarantees) as SessionGuarantee[])
    .filter((g) => res.guarantees[g].verdict === "illegal");
}

Deno.test("session: monotonic reads: a later read returns an older version", () => {
  // p0: x := 1; x := 2.  p1: read x → 2; read x → 1.
  const res = checkSessionGuarantees(history(
    put(0, "x", 1, [0, 1]),
    put(0, "x", 2, [2, 3]),
    get(1, "x", 2, [4, 5]),
    get(1, "x", 1, [6, 7]),
  ));
  assert.deepEqual(broken(res), ["monotonic-reads"]);
  assert.equal(res.guarantees["monotonic-reads"].witness!.read, 3);
});

Deno.test("session: writes-follow-reads: a reply seen without what it replied to", () => {
  // p0 posts x := 1; p1 reads it and writes y := 1; p2 reads y → 1 and then x → nil.
  const res = checkSessionGuarantees(history(
    put(0, "x", 1, [0, 1]),
    get(1, "x", 1, [2, 3]),
    put(1, "y", 1, [4, 5]),
    get(2, "y", 1, [6, 7]),
    get(2, "x", null, [8, 9]),
  ));
  assert.deepEqual(broken(res), ["writes-follow-reads"]);
  const wit = res.guarantees["writes-follow-reads"].witness!;
  assert.equal(wit.returned, -1);
  assert.equal(wit.operations.length, 5);
});

Deno.test("session: a causally fine history keeps every guarantee", () => {
  const res = checkSessionGuarantees(history(
    put(0, "x", 1, [0, 1]),
    get(0, "x", 1, [2, 3]),
    put(1, "x", 2, [0, 1]),
    get(1, "x", 1, [4, 5]),
    get(1, "x", 1, [6, 7]),
  ));
  assert.equal(res.verdict, "ok");
  assert.equal(res.versionOrder, "causal");
});
