/**
 * Histories that sit exactly between two models, beyond the hand-written ladder of
 * consistency_ladder_test.ts (sequential/linearizable, causal/sequential, eventual/causal,
 * read-your-writes only, CC/CCv/CM): histories from the simulator's COPS store and from the
 * lagging-replica generator at scale, causal without convergence, each remaining session
 * guarantee broken alone, and the k-staleness and t-visibility boundaries. Each history is
 * accepted by the weaker model's checker and rejected, with a witness, by the stronger one's.
 */
import assert from "node:assert/strict";
import {
  checkCausal,
  checkConvergence,
  checkLinearizability,
  checkQuiescentReads,
  checkSequential,
  checkSessionGuarantees,
  checkStaleness,
  kvModel,
  SESSION_GUARANTEES,
} from "@lab/checkers/mod.ts";
import { generateLaggingHistory } from "@lab/checkers/_gen.ts";
import { createCopsCluster } from "@lab/protocols/cops/mod.ts";
import type { History } from "@lab/workload/history.ts";
import { history } from "./_helpers.ts";
import { get, put } from "./_weak_helpers.ts";

/** The session guarantees a history breaks, in Terry et al.'s order. */
const broken = (h: History) => {
  const s = checkSessionGuarantees(h);
  return SESSION_GUARANTEES.filter((g) => s.guarantees[g].verdict === "illegal");
};

Deno.test("between: 2,000 operations of lagging replicas are sequential but not linearizable", () => {
  const g = generateLaggingHistory({ ops: 2000, seed: 3, keys: 20, sessions: 8 });
  const sc = checkSequential(g.history);
  assert.equal(sc.verdict, "ok", sc.explanation);
  assert.equal(sc.order!.length, g.operations);
  const lin = checkLinearizability(g.history, kvModel({ initial: null }));
  assert.equal(lin.verdict, "illegal");
  assert.ok(lin.witness, lin.explanation);
  // causal and every session guarantee hold too; the stale reads break 1-staleness only
  assert.equal(checkCausal(g.history, { model: "CM" }).verdict, "ok");
  assert.deepEqual(broken(g.history), []);
  const st = checkStaleness(g.history, { k: 1 });
  assert.equal(st.verdict, "illegal");
  assert.equal(checkStaleness(g.history, { k: st.maxVersionsBehind + 1 }).verdict, "ok");
});

Deno.test("between: a COPS run from the simulator is causal (CCv) and convergent, not sequential", () => {
  // Short runs, so the sequential search ends within its budget; the first seed whose history
  // the search refutes is kept (seeds whose search runs out of budget are skipped, not counted).
  let found = false;
  for (let seed = 1; seed <= 6 && !found; seed++) {
    const run = createCopsCluster({ seed, endMs: 100, settleMs: 1000 }).run();
    for (const model of ["CC", "CCv"] as const) {
      assert.equal(checkCausal(run.history, { model }).verdict, "ok", `seed=${seed} ${model}`);
    }
    assert.equal(checkConvergence(run.snapshots).verdict, "ok", `seed=${seed}`);
    const sc = checkSequential(run.history, { stepBudget: 100_000 });
    if (sc.verdict !== "illegal") continue;
    found = true;
    // a minimal witness: a handful of operations in which no order of all of them works
    assert.equal(sc.witness!.minimal, true, sc.explanation);
    assert.ok(sc.witness!.operations.length <= 6, sc.explanation);
  }
  assert.ok(found, "no COPS history in seeds 1..6 was refuted as sequential");
});

Deno.test("between: COPS with ignoreDependencies converges but is not causal", () => {
  let found = false;
  for (let seed = 1; seed <= 6 && !found; seed++) {
    const run = createCopsCluster({ seed, endMs: 1000, replica: { ignoreDependencies: true } })
      .run();
    assert.equal(checkConvergence(run.snapshots).verdict, "ok", `seed=${seed}`);
    const lastWrite = Math.max(...run.history.filter((e) => e.f === "put").map((e) => e.timeMs));
    assert.equal(
      checkQuiescentReads(run.history, { quiescentAtMs: lastWrite }).verdict,
      "ok",
      `seed=${seed}`,
    );
    const cc = checkCausal(run.history);
    if (cc.verdict === "ok") continue;
    found = true;
    assert.match(cc.witness!.pattern, /^WriteCO(Init)?Read$/, cc.explanation);
  }
  assert.ok(found, "ignoreDependencies went unnoticed in seeds 1..6");
});

Deno.test("between: causal (CC) but not convergent: two replicas keep different values", () => {
  // p0 and p1 write x concurrently and each keeps reading its own value, long after quiescence.
  const h = history(
    put(0, "x", 1, [0, 1]),
    put(1, "x", 2, [0, 1]),
    get(0, "x", 1, [100, 101]),
    get(1, "x", 2, [100, 101]),
  );
  assert.equal(checkCausal(h, { model: "CC" }).verdict, "ok");
  assert.deepEqual(broken(h), []);
  const q = checkQuiescentReads(h, { quiescentAtMs: 50 });
  assert.equal(q.verdict, "illegal");
  assert.equal(q.witness!.key, "x");
  assert.equal(q.witness!.operations.length, 2);
  // CCv's bad patterns cannot see it either: no read has both writes in its causal past, so no
  // conflict order is implied; non-convergence shows only against quiescence (or final states).
  assert.equal(checkCausal(h, { model: "CCv" }).verdict, "ok");
  assert.equal(
    checkConvergence([
      { replica: "p0's", state: { x: 1 } },
      { replica: "p1's", state: { x: 2 } },
    ]).verdict,
    "illegal",
  );
});

Deno.test("between: monotonic reads broken alone", () => {
  // p0 writes x = 1 then x = 2; p1 reads 2, then the older 1.
  const h = history(
    put(0, "x", 1, [0, 1]),
    put(0, "x", 2, [2, 3]),
    get(1, "x", 2, [4, 5]),
    get(1, "x", 1, [6, 7]),
  );
  assert.deepEqual(broken(h), ["monotonic-reads"]);
  const w = checkSessionGuarantees(h).guarantees["monotonic-reads"].witness!;
  assert.equal(w.returned, 0); // the write of 1
  assert.equal(w.required, 1); // the write of 2, already read
  assert.equal(checkCausal(h).witness?.pattern, "WriteCORead");
  // with concurrent writes the same reads keep every guarantee (no version order between them)
  const concurrent = history(
    put(0, "x", 1, [0, 1]),
    put(1, "x", 2, [0, 1]),
    get(2, "x", 2, [4, 5]),
    get(2, "x", 1, [6, 7]),
  );
  assert.deepEqual(broken(concurrent), []);
});

Deno.test("between: writes-follow-reads broken alone", () => {
  // p1 reads x = 1 and replies y = 1; p2 sees the reply but not what it replied to.
  const h = history(
    put(0, "x", 1, [0, 1]),
    get(1, "x", 1, [2, 3]),
    put(1, "y", 1, [4, 5]),
    get(2, "y", 1, [6, 7]),
    get(2, "x", null, [8, 9]),
  );
  assert.deepEqual(broken(h), ["writes-follow-reads"]);
  assert.equal(checkCausal(h).witness?.pattern, "WriteCOInitRead");
  // without p1's read of x there is no dependency: every guarantee and CC hold
  const noRead = history(
    put(0, "x", 1, [0, 1]),
    put(1, "y", 1, [4, 5]),
    get(2, "y", 1, [6, 7]),
    get(2, "x", null, [8, 9]),
  );
  assert.deepEqual(broken(noRead), []);
  assert.equal(checkCausal(noRead).verdict, "ok");
});

Deno.test("between: 2-stale but not 1-stale, 8-visible but not 7-visible", () => {
  // x = 2 completes at 3; p1 reads the older 1 at 10: one version behind, 7 ms late.
  const h = history(put(0, "x", 1, [0, 1]), put(0, "x", 2, [2, 3]), get(1, "x", 1, [10, 11]));
  assert.equal(checkStaleness(h, { k: 2 }).verdict, "ok");
  const k1 = checkStaleness(h, { k: 1 });
  assert.equal(k1.verdict, "illegal");
  assert.equal(k1.witness!.staleness.versionsBehind, 1);
  assert.equal(checkStaleness(h, { tMs: 8 }).verdict, "ok");
  const t7 = checkStaleness(h, { tMs: 7 });
  assert.equal(t7.verdict, "illegal");
  assert.equal(t7.witness!.staleness.lagMs, 7);
  // the stale read is sequential (read first) and causal, not linearizable
  assert.equal(checkSequential(h).verdict, "ok");
  assert.equal(checkCausal(h, { model: "CM" }).verdict, "ok");
  assert.equal(checkLinearizability(h, kvModel({ initial: null })).verdict, "illegal");
});
