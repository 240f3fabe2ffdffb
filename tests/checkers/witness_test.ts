import assert from "node:assert/strict";
import {
  type AnyModel,
  casRegisterModel,
  checkLinearizability,
  kvModel,
  type LinearizabilityResult,
  parseHistory,
} from "@lab/checkers/mod.ts";
import type { Operation } from "@lab/workload/history.ts";
import { corpus, readCorpus } from "./_helpers.ts";

/** The operation with its result forgotten: it may or may not have happened, before it completed. */
function forget(op: Operation): Operation {
  return { ...op, status: "info", output: undefined };
}

function verdict(ops: Operation[], model: AnyModel) {
  return checkLinearizability(ops, model, { minimize: false, stepBudget: 5_000_000 }).verdict;
}

/**
 * The witness contract: (1) the whole failing partition with every result outside the witness
 * forgotten is still illegal, so the witness certifies the history is not linearizable;
 * (2) the witness alone (context results forgotten) is illegal; when `minimal` is claimed,
 * (3) forgetting any one critical result makes it linearizable and (4) deleting any context
 * operation leaves some critical result unnecessary.
 */
function assertWitness(result: LinearizabilityResult, model: AnyModel, name: string) {
  const witness = result.witness!;
  const ops = result.operations;
  const critical = witness.operations.filter((o) => o.role === "critical").map((o) => o.id);
  const context = witness.operations.filter((o) => o.role === "context").map((o) => o.id);
  assert.ok(critical.length > 0, name);
  const criticalSet = new Set(critical);
  const partitionIds = result.operations
    .map((op, id) => ({ op, id }))
    .filter(({ op }) =>
      op.status !== "fail" && (witness.key === undefined || op.key === witness.key)
    )
    .map(({ id }) => id);
  assert.ok(witness.operations.every((o) => partitionIds.includes(o.id)), name);
  const certificate = partitionIds.map((id) => criticalSet.has(id) ? ops[id] : forget(ops[id]));
  assert.equal(verdict(certificate, model), "illegal", `${name}: certificate`);
  const build = (
    crit: number[],
    ctx: number[],
  ) => [...crit.map((id) => ops[id]), ...ctx.map((id) => forget(ops[id]))];
  assert.equal(verdict(build(critical, context), model), "illegal", `${name}: witness`);
  if (!witness.minimal) return;
  for (const c of critical) {
    const rest = critical.filter((x) => x !== c);
    assert.equal(verdict(build(rest, [...context, c]), model), "ok", `${name}: critical #${c}`);
  }
  for (const f of context) {
    const ctx = context.filter((x) => x !== f);
    const needed = critical.some((c) =>
      verdict(build(critical.filter((x) => x !== c), [...ctx, c]), model) === "illegal"
    );
    assert.ok(needed, `${name}: context #${f} is needed`);
  }
}

const bad = corpus().filter((f) => f.linearizable === false);

Deno.test("witness: every illegal corpus history gets a certified witness, nearly all minimal", () => {
  let minimal = 0;
  const sizes: number[] = [];
  for (const file of bad) {
    const model: AnyModel = file.name.startsWith("kv/") ? kvModel() : casRegisterModel();
    const events = parseHistory(readCorpus(file.name)).events;
    const result = checkLinearizability(events, model, { minimizeStepBudget: 1_000_000 });
    assert.equal(result.verdict, "illegal");
    assertWitness(result, model, file.name);
    if (result.witness!.minimal) {
      minimal++;
      sizes.push(result.witness!.operations.length);
    }
  }
  // On a 1M-step shrinking budget a few of the hardest etcd histories stop early.
  assert.ok(minimal >= bad.length - 4, `${minimal} of ${bad.length} minimal`);
  assert.ok(Math.max(...sizes) <= 12, `largest minimal witness: ${Math.max(...sizes)}`);
});

Deno.test("witness: with the default budget a hard etcd history is minimized too", () => {
  const events = parseHistory(readCorpus("jepsen/etcd_057.log")).events;
  const model = casRegisterModel();
  const result = checkLinearizability(events, model);
  assert.ok(result.witness!.minimal);
  assert.ok(result.witness!.operations.length <= 12);
  assertWitness(result, model, "etcd_057");
});

Deno.test("witness: without shrinking, the whole partition is the witness", () => {
  const events = parseHistory(readCorpus("jepsen/etcd_000.log")).events;
  const result = checkLinearizability(events, casRegisterModel(), { minimize: false });
  const witness = result.witness!;
  assert.equal(witness.minimal, false);
  assert.equal(witness.operations.length, witness.partitionOperations);
  assert.deepEqual(witness.linearization, witness.partitionLinearization);
  assert.deepEqual(witness.frontier, witness.partitionFrontier);
  assert.ok(witness.frontier.length > 0);
});

Deno.test("witness: the explanation reads as an account of the contradiction", () => {
  const events = parseHistory(readCorpus("kv/c01-bad.txt")).events;
  const result = checkLinearizability(events, kvModel());
  const text = result.witness!.explanation;
  assert.match(text, /^not linearizable: key "\d+" \(\d+ operations\)/);
  assert.match(text, /operations whose results cannot all hold:/);
  assert.match(text, /longest linearizable prefix: /);
  assert.match(text, /stuck: .*\n {2}#\d+ get\("\d+"\) → ".*": impossible in state/);
  assert.equal(result.explanation, text);
});
