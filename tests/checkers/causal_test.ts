/** Causal consistency (Bouajjani et al., POPL 2017): one history per bad pattern. */
import assert from "node:assert/strict";
import { checkCausal, HistoryError } from "@lab/checkers/mod.ts";
import { history } from "./_helpers.ts";
import { get, put } from "./_weak_helpers.ts";

Deno.test("causal: ThinAirRead: a read of a value nobody wrote", () => {
  const res = checkCausal(history(put(0, "x", 1, [0, 1]), get(1, "x", 7, [2, 3])));
  assert.equal(res.witness?.pattern, "ThinAirRead");
  assert.deepEqual(res.witness!.core, [1]);
});

Deno.test("causal: CyclicCO: each session reads the other's later write", () => {
  // p0: read x → 1; y := 1.   p1: read y → 1; x := 1.
  const res = checkCausal(history(
    get(0, "x", 1, [0, 1]),
    get(1, "y", 1, [0, 1]),
    put(0, "y", 1, [2, 3]),
    put(1, "x", 1, [2, 3]),
  ));
  assert.equal(res.witness?.pattern, "CyclicCO");
  assert.equal(res.witness!.operations.length, 4);
});

Deno.test("causal: WriteCORead: a read returns a causally overwritten value", () => {
  // p0: x := 1.  p1: read x → 1; x := 2.  p2: read x → 2; read x → 1.
  const res = checkCausal(history(
    put(0, "x", 1, [0, 1]),
    get(1, "x", 1, [2, 3]),
    put(1, "x", 2, [4, 5]),
    get(2, "x", 2, [6, 7]),
    get(2, "x", 1, [8, 9]),
  ));
  assert.equal(res.verdict, "illegal");
  assert.equal(res.witness!.pattern, "WriteCORead");
  assert.equal(res.witness!.core.length, 3);
  assert.match(res.explanation, /^not CC: WriteCORead/);
});

Deno.test("causal: WriteHBInitRead: CC and CCv, not CM", () => {
  // p2's reads order x := 1 before x := 2, which puts z := 1 before its read of z → nil.
  const h = history(
    put(0, "z", 1, [0, 1]),
    put(0, "x", 1, [2, 3]),
    put(0, "u", 1, [4, 5]),
    put(1, "x", 2, [0, 1]),
    put(1, "y", 1, [2, 3]),
    get(2, "y", 1, [10, 11]),
    get(2, "z", null, [12, 13]),
    get(2, "u", 1, [14, 15]),
    get(2, "x", 2, [16, 17]),
  );
  assert.equal(checkCausal(h, { model: "CC" }).verdict, "ok");
  assert.equal(checkCausal(h, { model: "CCv" }).verdict, "ok");
  const cm = checkCausal(h, { model: "CM" });
  assert.equal(cm.witness?.pattern, "WriteHBInitRead");
  // z := 1 →CO x := 1, which p2's read of x → 2 orders before x := 2 →CO read z → nil.
  assert.equal(cm.witness!.operations.length, 9);
  const again = checkCausal(
    cm.witness!.operations.flatMap((o) =>
      history(
        o.kind === "write"
          ? put(o.process, o.key, o.value, [o.invokeMs, o.completeMs])
          : get(o.process, o.key, o.value, [o.invokeMs, o.completeMs]),
      )
    ),
    { model: "CM" },
  );
  assert.equal(again.witness?.pattern, "WriteHBInitRead");
});

Deno.test("causal: writes with unknown outcome may be read; failed operations are ignored", () => {
  const res = checkCausal(history(
    { p: 0, f: "write", key: "x", in: 1, at: [0, 1], status: "info" },
    { p: 1, f: "write", key: "x", in: 2, at: [0, 1], status: "fail" },
    get(2, "x", 1, [2, 3]),
  ));
  assert.equal(res.verdict, "ok");
  assert.equal(res.operations, 2);
});

Deno.test("causal: a non-differentiated history is refused, naming the event and field", () => {
  assert.throws(
    () => checkCausal(history(put(0, "x", 1, [0, 1]), put(1, "x", 1, [2, 3]))),
    (e: unknown) =>
      e instanceof HistoryError && e.index === 2 && e.field === "value" &&
      /written to key "x" twice/.test(e.message),
  );
});
