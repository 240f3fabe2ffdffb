/** The causal delivery checker on hand-written event sequences (known-good and known-bad). */
import assert from "node:assert/strict";
import { checkCausalDelivery } from "@lab/protocols/causal/mod.ts";

const b = (node: string, id: string) => ({ t: 0, node, event: { type: "broadcast", id } });
const d = (node: string, id: string) => ({ t: 0, node, event: { type: "deliver", id } });

Deno.test("causal checker: a causal history passes", () => {
  const events = [
    b("A", "A:1"),
    d("A", "A:1"),
    d("B", "A:1"),
    b("B", "B:1"),
    d("B", "B:1"),
    d("C", "A:1"),
    d("C", "B:1"),
    d("A", "B:1"),
  ];
  assert.equal(checkCausalDelivery(events), undefined);
});

Deno.test("causal checker: concurrent messages may arrive in any order", () => {
  const events = [
    b("A", "A:1"),
    d("A", "A:1"),
    b("B", "B:1"),
    d("B", "B:1"),
    d("C", "B:1"),
    d("C", "A:1"),
  ];
  assert.equal(checkCausalDelivery(events), undefined);
});

Deno.test("causal checker: a transitive dependency delivered late is the witness", () => {
  const events = [
    b("A", "A:1"),
    d("A", "A:1"),
    d("B", "A:1"),
    b("B", "B:1"), // A:1 → B:1
    d("B", "B:1"),
    d("C", "A:1"),
    d("C", "B:1"),
    b("C", "C:1"), // B:1 → C:1, so A:1 → C:1
    d("C", "C:1"),
    d("D", "C:1"), // D has neither A:1 nor B:1
  ];
  const breach = checkCausalDelivery(events, { seed: 5 });
  assert.ok(breach);
  assert.equal(breach.invariant, "causalDelivery");
  assert.equal(breach.node, "D");
  assert.equal(breach.messageId, "C:1");
  assert.ok(["A:1", "B:1"].includes(breach.missing!));
  assert.equal(breach.seed, 5);
});

Deno.test("causal checker: FIFO order of one sender is part of causality", () => {
  const events = [b("A", "A:1"), d("A", "A:1"), b("A", "A:2"), d("A", "A:2"), d("B", "A:2")];
  assert.equal(checkCausalDelivery(events)?.missing, "A:1");
});

Deno.test("causal checker: duplicate and invented deliveries are caught", () => {
  assert.equal(
    checkCausalDelivery([b("A", "A:1"), d("A", "A:1"), d("B", "A:1"), d("B", "A:1")])?.invariant,
    "noDuplication",
  );
  assert.equal(checkCausalDelivery([d("B", "X:9")])?.invariant, "noCreation");
});
