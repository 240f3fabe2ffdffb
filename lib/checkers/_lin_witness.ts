/**
 * Witnesses for non-linearizable histories: shrink a failing partition to a minimal illegal
 * sub-history (greedy chunked reduction in the spirit of delta debugging, Zeller & Hildebrandt
 * 2002, with the linearizability search as the test) and explain, in words, where the search got
 * stuck (Porcupine's partial linearizations).
 * Private to lib/checkers.
 * @module
 */
import { unknownOutput } from "./_lin_model.ts";
import type { Model } from "./_lin_model.ts";
import { searchLinearization } from "./_lin_search.ts";
import type { SearchOp, SearchOutcome } from "./_lin_search.ts";

/**
 * The result of {@link shrinkWitness}, as positions into the given operations. `critical`
 * operations keep their observed results; `context` operations are kept with an unknown outcome
 * (they may or may not have taken effect, before their completion).
 */
export interface Shrunk {
  readonly critical: readonly number[];
  readonly context: readonly number[];
  /** True when both shrinking phases ran to the end (see {@link shrinkWitness}). */
  readonly minimal: boolean;
  readonly steps: number;
}

/**
 * The operations of a witness, ready for the search: context operations lose their results.
 * Context that cannot matter is left out, which changes no verdict: reads (with an unknown result
 * they constrain nothing) and operations invoked after every critical one completed (they are
 * linearized after all of them, and the operations they could affect have unknown results).
 */
export function witnessOps<S, I, O>(
  model: Model<S, I, O>,
  ops: readonly SearchOp<I, O>[],
  critical: readonly number[],
  context: readonly number[],
): { positions: number[]; ops: SearchOp<I, O>[]; context: number[] } {
  let lastCompleteMs = -Infinity;
  for (const c of critical) lastCompleteMs = Math.max(lastCompleteMs, ops[c].completeMs);
  const relevant = context.filter((i) =>
    ops[i].invokeMs <= lastCompleteMs && !(model.readOnly?.(ops[i].input) ?? false)
  );
  const isContext = new Set(relevant);
  const positions = [...critical, ...relevant].sort((a, b) => a - b);
  return {
    positions,
    ops: positions.map((i) => isContext.has(i) ? { ...ops[i], output: unknownOutput } : ops[i]),
    context: relevant,
  };
}

/**
 * Shrink an illegal partition to a small, meaningful witness, in two phases.
 *
 * Deleting operations is the wrong move: delete the write a read observed and the read becomes
 * illegal on its own ("a value from nowhere"), so deletion-minimal witnesses degenerate to a
 * single read. Instead, phase 1 *forgets* results: a forgotten operation keeps its interval but
 * its outcome becomes unknown (it may or may not have taken effect, before its completion).
 * Forgetting only weakens a history, so a greedy pass (chunks of halving size, then single
 * operations) ends with a set of critical operations such that forgetting any one of them makes
 * the history linearizable. Phase 2 deletes forgotten operations while the history stays illegal
 * and every critical operation stays critical; what remains is the context the critical results
 * need. Deletion only removes options, so one pass suffices there too. Checks that run out of
 * budget count as "keep", and the result is then not minimal.
 */
export function shrinkWitness<S, I, O>(
  model: Model<S, I, O>,
  ops: readonly SearchOp<I, O>[],
  budget: number,
  hint: { readonly frontier?: readonly number[] } = {},
): Shrunk {
  let steps = 0;
  let undecided = false;
  const check = (critical: readonly number[], context: readonly number[]) => {
    const remaining = Math.max(0, budget - steps);
    const r = searchLinearization(
      model,
      witnessOps(model, ops, critical, context).ops,
      remaining,
      // Stryker disable next-line ObjectLiteral,BooleanLiteral: equivalent — record only fills the outcome's order and frontier, which check() never reads ({} means record false too)
      { record: false },
    );
    steps += r.steps;
    // Stryker disable next-line StringLiteral,BooleanLiteral: equivalent — a check without a memory account is undecided only when it spent the whole budget left, and then the result is not minimal anyway
    if (r.verdict === "unknown") undecided = true;
    return r.verdict;
  };
  const all = ops.map((_, i) => i);
  let critical = all.filter((i) => ops[i].output !== unknownOutput);
  let context = all.filter((i) => ops[i].output === unknownOutput);
  const out = (minimal: boolean): Shrunk => ({
    critical,
    context,
    minimal: minimal && !undecided,
    steps,
  });

  // Phase 0: the full search got stuck at the return of a frontier operation; operations invoked
  // after that point usually play no part. Forgetting them all at once (one check) makes them
  // irrelevant context, which is then left out, so every later check searches a shorter history.
  const frontier = hint.frontier ?? [];
  if (frontier.length > 0) {
    const stuckMs = Math.min(...frontier.map((i) => ops[i].completeMs));
    const late = critical.filter((c) => ops[c].invokeMs > stuckMs);
    const early = critical.filter((c) => ops[c].invokeMs <= stuckMs);
    if (late.length > 0 && early.length > 0 && check(early, context.concat(late)) === "illegal") {
      critical = early;
      context = witnessOps(model, ops, early, context.concat(late)).context.sort((a, b) => a - b);
    }
  }

  // Phase 1: forget results while the history stays illegal. Reads go first: a forgotten read
  // vanishes from the witness, a forgotten write stays as context, so this favours small witnesses.
  const forget = (pool: number[]): number[] => {
    const keep = critical.filter((c) => !pool.includes(c));
    return reduce(
      pool,
      (chunk, rest) => {
        const kept = keep.concat(rest);
        if (check(kept, context.concat(chunk)) !== "illegal") return false;
        context = witnessOps(model, ops, kept, context.concat(chunk)).context.sort((a, b) => a - b);
        return true;
      },
      // Stryker disable next-line ArrowFunction: equivalent — past the budget every check gets 0 steps and is undecided (or ok when empty), so nothing more is forgotten and no step is spent
      () => steps >= budget,
      keep.length > 0,
    );
  };
  const reads = critical.filter((c) => model.readOnly?.(ops[c].input) ?? false);
  const keptReads = forget(reads);
  critical = critical.filter((c) => !reads.includes(c) || keptReads.includes(c));
  // Stryker disable next-line MethodExpression,ArrowFunction,ArithmeticOperator: equivalent — reduce() keeps a subsequence of the sorted critical list, so it is sorted already (and a comparator that is never negative leaves it as it is)
  critical = forget(critical).sort((a, b) => a - b);
  if (steps >= budget) return out(false);

  // Phase 2: drop context that no critical result needs. Deleting an operation whose outcome is
  // unknown never makes an illegal history legal (a linearization without it is one where it did
  // not take effect), so only criticality is checked.
  context = witnessOps(model, ops, critical, context).context;
  const stillCritical = (ctx: readonly number[]) =>
    critical.every((c) => check(critical.filter((x) => x !== c), ctx.concat(c)) === "ok");
  // Stryker disable next-line ArrowFunction: equivalent — past the budget every check gets 0 steps and is undecided (or ok when empty), so nothing more is dropped and no step is spent
  context = reduce(context, (_chunk, rest) => stillCritical(rest), () => steps >= budget, true);
  return out(steps < budget);
}

/**
 * Greedy chunked removal for a monotone predicate: try removing chunks of halving size, from the
 * end backwards, keeping each removal `accept` agrees to; a final pass uses single elements.
 */
function reduce(
  items: number[],
  accept: (chunk: number[], rest: number[]) => boolean,
  exhausted: () => boolean,
  allowEmpty: boolean,
): number[] {
  let chunk = Math.max(1, Math.ceil(items.length / 2));
  for (;;) {
    for (let end = items.length; end > 0 && !exhausted();) {
      const start = Math.max(0, end - chunk);
      const rest = items.slice(0, start).concat(items.slice(end));
      if ((allowEmpty || rest.length > 0) && accept(items.slice(start, end), rest)) items = rest;
      end = start;
    }
    if (chunk === 1 || exhausted()) return items;
    chunk = Math.max(1, Math.ceil(Math.min(chunk, items.length) / 2));
  }
}

/** An operation of the witness, as the explanation needs it. */
export interface ExplainedOp {
  readonly id: number;
  readonly process: number;
  readonly invokeMs: number;
  readonly completeMs: number;
  readonly description: string;
  readonly role: "critical" | "context";
}

function showTime(ms: number): string {
  return Number.isFinite(ms) ? String(ms) : "never (outcome unknown)";
}

/**
 * Words for a failed search over `ops` (positions as in `info`): the operations by role, the
 * longest prefix that linearizes, the state it leaves, and why each frontier operation is stuck.
 */
export function explainStuck<S, I, O>(
  model: Model<S, I, O>,
  ops: readonly SearchOp<I, O>[],
  info: readonly ExplainedOp[],
  outcome: SearchOutcome<S>,
): string[] {
  const lines: string[] = [];
  const frontier = new Set(outcome.frontier);
  const width = Math.max(...info.map((o) => o.description.length), 8);
  const list = (role: "critical" | "context") => {
    for (let i = 0; i < info.length; i++) {
      const o = info[i];
      if (o.role !== role) continue;
      lines.push(
        `  #${o.id} process ${o.process}  ${o.description.padEnd(width)}  invoked ${o.invokeMs}, ` +
          `completed ${showTime(o.completeMs)}${frontier.has(i) ? "  [frontier]" : ""}`,
      );
    }
  };
  lines.push("operations whose results cannot all hold:");
  list("critical");
  if (info.some((o) => o.role === "context")) {
    lines.push("context (each may or may not have taken effect; the results above rely on them):");
    list("context");
  }
  const skipped = new Set(outcome.skipped);
  const prefix = outcome.order.map((i) =>
    `#${info[i].id} ${info[i].description}${skipped.has(i) ? " (not taking effect)" : ""}`
  );
  const state = model.describeState(outcome.state);
  lines.push(
    prefix.length === 0
      ? `no operation can be linearized first (initial state ${state}).`
      : `longest linearizable prefix: ${prefix.join(", ")}; state ${state}.`,
  );
  if (outcome.frontier.length > 0) {
    lines.push("stuck: none of the operations that could take effect next leads anywhere:");
    for (const i of outcome.frontier) {
      const possible = model.stepAll
        ? model.stepAll(outcome.state, ops[i].input, ops[i].output).length > 0
        : model.step(outcome.state, ops[i].input, ops[i].output) !== undefined;
      const why = possible
        ? "possible here, but no continuation linearizes the rest"
        : `impossible in state ${state}`;
      lines.push(`  #${info[i].id} ${info[i].description}: ${why}`);
    }
  }
  return lines;
}
