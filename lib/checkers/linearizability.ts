/**
 * Linearizability checking (Herlihy & Wing 1990) of Jepsen-style histories against a sequential
 * model, Porcupine/Knossos-style: Wing & Gong's 1993 search with Lowe's 2017 just-in-time
 * linearization and state cache, per-partition checking (Horn & Kroening 2015,
 * P-compositionality), and a witness shrunk to a minimal illegal sub-history.
 *
 * References: J. M. Wing and C. Gong, "Testing and verifying concurrent objects", JPDC 17(1),
 * 1993; G. Lowe, "Testing for linearizability", CCPE 29(4), 2017; A. Horn and D. Kroening,
 * "Faster linearizability checking via P-compositionality", FORTE 2015; A. Athalye, Porcupine
 * (github.com/anishathalye/porcupine), whose corpus the tests use.
 *
 * Outcomes: `ok` operations happened between invoke and completion with the output observed;
 * `fail` operations did not happen and are removed; `info` and never-completed operations may or
 * may not have happened: their completion is at +∞ and any output is accepted, which also covers
 * "never took effect" since such an operation can always be linearized after everything else
 * (Porcupine's treatment). An `info` operation given a finite `completeMs` reads as a deadline:
 * it took effect before then, or never.
 *
 * Read/write register partitions whose written values are unique are decided without search, in
 * O(n log n), by Gibbons & Korach's zones ("Testing shared memories", SIAM J. Comput. 26(4),
 * 1997; see _lin_register.ts), with both answers certified: a linearization replayed through the
 * model, or a sub-history of at most six operations the search refutes. Other partitions are
 * searched; the search keeps no partial linearization unless a witness is wanted, which a second
 * pass on failure provides, and its state cache is held to `memoryBudget` (past it: "unknown").
 *
 * A witness is the failing partition shrunk by *forgetting* results (see `shrinkWitness` in
 * _lin_witness.ts): its critical operations' results contradict each other even when every other
 * operation of the partition may or may not have taken effect, and forgetting any one of them
 * makes the rest linearizable; context operations are those the critical results rely on.
 *
 * @example
 * ```ts
 * import { casRegisterModel, checkLinearizability } from "@lab/checkers/mod.ts";
 * const result = checkLinearizability([
 *   { type: "invoke", process: 0, f: "write", value: 1, timeMs: 0 },
 *   { type: "ok", process: 0, f: "write", value: 1, timeMs: 1 },
 *   { type: "invoke", process: 0, f: "write", value: 2, timeMs: 2 },
 *   { type: "ok", process: 0, f: "write", value: 2, timeMs: 3 },
 *   { type: "invoke", process: 1, f: "read", value: null, timeMs: 4 },
 *   { type: "ok", process: 1, f: "read", value: 1, timeMs: 5 },
 * ], casRegisterModel());
 * console.log(result.verdict); // "illegal": a stale read
 * console.log(result.explanation);
 * ```
 * @module
 */
import { pairOperations } from "../workload/history.ts";
import type { History, HistoryEvent, Operation } from "../workload/history.ts";
import { unknownOutput } from "./_lin_model.ts";
import type { AnyModel, Model, OperationGroup } from "./_lin_model.ts";
import { LinearizationSearch, MemoryAccount, searchLinearization } from "./_lin_search.ts";
import { checkRegisterZones, RegisterSearch, searchRegister } from "./_lin_register.ts";
import type { RegisterSearchOutcome } from "./_lin_register.ts";
import type { SearchOp, SearchOutcome } from "./_lin_search.ts";
import { explainStuck, shrinkWitness, witnessOps } from "./_lin_witness.ts";
import type { Shrunk } from "./_lin_witness.ts";

export { ModelError, unknownOutput } from "./_lin_model.ts";
export type { AnyModel, Model, OperationGroup, UnknownOutput } from "./_lin_model.ts";
export {
  casRegisterModel,
  hashValue,
  kvModel,
  registerModel,
  sameValue,
  showValue,
} from "./_lin_models.ts";
export { generateRegisterHistory, parseRegisterHistoryOptions } from "./_lin_gen.ts";
export type { RegisterHistory, RegisterHistoryOptions } from "./_lin_gen.ts";
export type {
  KvInput,
  KvModelOptions,
  KvOutput,
  KvState,
  KvValue,
  RegisterInput,
  RegisterModelOptions,
  RegisterOutput,
  RegisterValue,
} from "./_lin_models.ts";

/** The answer of a check. */
export type Verdict = "ok" | "illegal" | "unknown";

/** Options of {@link checkLinearizability}. */
export interface CheckOptions {
  /** Search steps allowed over all partitions; past it the verdict is "unknown". Default 10_000_000. */
  readonly stepBudget?: number;
  /** Split the history with the model's `partition` (P-compositionality). Default true. */
  readonly partition?: boolean;
  /** Shrink the failing partition to a minimal witness (see {@link LinearizabilityWitness}). Default true. */
  readonly minimize?: boolean;
  /** Search steps allowed for shrinking the witness, on top of `stepBudget`. Default 10_000_000. */
  readonly minimizeStepBudget?: number;
  /**
   * Keep checking the other partitions after one is found illegal. Default false: partitions
   * advance round-robin and the first refuted one ends the check.
   */
  readonly checkAllPartitions?: boolean;
  /**
   * Build a witness and an explanation when the verdict is not ok. Default true. The search
   * itself only decides: on an illegal (or unknown) partition a second pass re-runs it, keeping
   * the longest partial linearization, so histories that are linearizable pay nothing for it.
   * With false the result has no witness and partitions report no prefix or frontier.
   */
  readonly witness?: boolean;
  /**
   * Bytes the search's state caches may hold, over all partitions (each cached configuration
   * costs about n/8 bytes for n operations). Past it the partition is answered "unknown" rather
   * than crashing. Default 512 MiB.
   */
  readonly memoryBudget?: number;
  /**
   * Decide read/write register partitions whose written values are unique without search
   * (Gibbons & Korach 1997, see _lin_register.ts), in O(n log n). Default true.
   */
  readonly zones?: boolean;
}

/** Register partitions this large get a short search before zones (see checkLinearizability). */
const PROBE_FROM = 64;

/** Extra steps of that short search: 2n + min(n, this). */
const PROBE_EXTRA = 1000;

/** Default of {@link CheckOptions.memoryBudget}: 512 MiB. */
export const DEFAULT_MEMORY_BUDGET = 512 * 1024 * 1024;

/** The outcome of one partition. Operation ids index {@link LinearizabilityResult.operations}. */
export interface PartitionResult {
  /** Position of this partition in {@link LinearizabilityResult.partitions}. */
  readonly index: number;
  /** `key "3"` for kv partitions, `all operations` without partitioning. */
  readonly label: string;
  /** The partition's key (key-value partitions only). */
  readonly key?: string;
  /** Operations checked (failed ones excluded). */
  readonly operations: number;
  /** "skipped": left undecided because another partition was found illegal first. */
  readonly verdict: Verdict | "skipped";
  /** Search steps spent on this partition. */
  readonly steps: number;
  /** Distinct (linearized set, state) configurations the search cached. */
  readonly cacheSize: number;
  /**
   * How it was decided: "search" (Wing & Gong / Lowe), or "zones" (a read/write register with
   * unique values, Gibbons & Korach 1997; no search, `steps` then counts only the search that
   * confirmed an illegal sub-history).
   */
  readonly method: "search" | "zones";
  /** "unknown" because the memory budget ran out (rather than the step budget). */
  readonly outOfMemory: boolean;
  /** Length of the longest linearizable prefix the search found (also without a witness). */
  readonly longestPrefix: number;
  /**
   * ok: a linearization (operation ids in order; reads with unknown outcome, which constrain
   * nothing, are left out); otherwise the longest linearizable prefix found.
   */
  readonly linearization: readonly number[];
  /** Operations of `linearization` (unknown outcome) taken as not having taken effect. */
  readonly skipped: readonly number[];
  /** Not ok: the operations that could have taken effect next at the deepest dead end. */
  readonly frontier: readonly number[];
}

/** One operation of a witness, with everything a chart needs. */
export interface WitnessOperation {
  /** Index in {@link LinearizabilityResult.operations}. */
  readonly id: number;
  /** The client process that invoked it. */
  readonly process: number;
  /** The operation name (e.g. "read", "cas"). */
  readonly f: string;
  /** The key, for key-value operations. */
  readonly key?: string;
  /** The argument given at invoke. */
  readonly input: unknown;
  /** The observed output; `undefined` when the outcome is unknown. */
  readonly output: unknown;
  /** "info" covers timed-out, crashed and never-completed operations. */
  readonly status: "ok" | "info";
  /** Invocation time in ms. */
  readonly invokeMs: number;
  /** `Infinity` when the outcome is unknown. */
  readonly completeMs: number;
  /**
   * "critical": its observed result is part of the contradiction. "context": an operation the
   * critical results rely on, checked with an unknown outcome (it may or may not have taken
   * effect, before its completion).
   */
  readonly role: "critical" | "context";
  /** True when the operation was a candidate to take effect next where the search got stuck. */
  readonly inFrontier: boolean;
  /** The model's one-line description, e.g. `cas(1, 2) → ok`. */
  readonly description: string;
}

/** Why a history is not linearizable: a small illegal sub-history and where the search got stuck. */
export interface LinearizabilityWitness {
  /** Index of the failing partition in {@link LinearizabilityResult.partitions}. */
  readonly partition: number;
  /** The failing partition's label (see {@link PartitionResult.label}). */
  readonly label: string;
  /** The failing partition's key (key-value partitions only). */
  readonly key?: string;
  /**
   * The illegal sub-history, in invocation order: critical operations with their results and
   * context operations with unknown outcome (the whole partition when `minimize` is off).
   */
  readonly operations: readonly WitnessOperation[];
  /** Ids of the longest linearizable prefix of `operations`, in linearization order. */
  readonly linearization: readonly number[];
  /** Operations of `linearization` (unknown outcome) that it takes as not having taken effect. */
  readonly skipped: readonly number[];
  /** The model state after `linearization`, described. */
  readonly stuckState: string;
  /** Ids of the operations that could take effect next, none successfully. */
  readonly frontier: readonly number[];
  /**
   * True when shrinking finished: forgetting the result of any one critical operation makes the
   * witness linearizable, and deleting any context operation leaves some critical result
   * unnecessary. False when shrinking was off or ran out of `minimizeStepBudget`.
   */
  readonly minimal: boolean;
  /** Operations in the whole failing partition. */
  readonly partitionOperations: number;
  /** Longest linearizable prefix found in the whole partition (ids, in order). */
  readonly partitionLinearization: readonly number[];
  /** Frontier at the deepest dead end of the whole partition (ids). */
  readonly partitionFrontier: readonly number[];
  /** Search steps spent shrinking the witness. */
  readonly minimizeSteps: number;
  /** A human-readable account, several lines. */
  readonly explanation: string;
}

/** The result of {@link checkLinearizability}. */
export interface LinearizabilityResult {
  /** ok: linearizable; illegal: not (see `witness`); unknown: the step budget ran out. */
  readonly verdict: Verdict;
  /** The model's name. */
  readonly model: string;
  /** The operations checked (paired from the history); ids elsewhere index this array. */
  readonly operations: readonly Operation[];
  /** Search steps over all partitions, witness shrinking excluded. */
  readonly steps: number;
  /** One outcome per partition, in the order the model's `partition` returned them. */
  readonly partitions: readonly PartitionResult[];
  /** Present when the verdict is "illegal". */
  readonly witness?: LinearizabilityWitness;
  /** One line for ok; for illegal the witness explanation; for unknown which partition ran out. */
  readonly explanation: string;
}

function isHistory(x: History | readonly Operation[]): x is History {
  return x.length > 0 && "type" in (x[0] as HistoryEvent | Operation);
}

/**
 * Positions of the operations a model's `partition` returned in the checked operations. Paired
 * histories give every operation its own invocation index, so that index finds it (checked by
 * identity); a Map is built only when it does not.
 */
class OperationIds {
  private byInvoke?: Int32Array;
  private map?: Map<Operation, number>;

  constructor(private readonly operations: readonly Operation[]) {}

  of(group: readonly Operation[], name: string): Int32Array {
    const ids = new Int32Array(group.length);
    const table = this.byInvoke ?? this.buildTable();
    const operations = this.operations;
    for (let k = 0; k < group.length; k++) {
      const op = group[k];
      const at = op.invokeIndex;
      // Stryker disable next-line EqualityOperator,ConditionalExpression,LogicalOperator,UnaryOperator: equivalent — performance only: an id this line gets wrong (or -1, or undefined past the table) fails `operations[id] === op` below, and search finds it
      const id = at >= 0 && at < table.length && (at | 0) === at ? table[at] : -1;
      ids[k] = id >= 0 && operations[id] === op ? id : this.search(op, name);
    }
    return ids;
  }

  /** The slow way, for operations not found by their invocation index. */
  private search(op: Operation, name: string): number {
    this.map ??= new Map(this.operations.map((o, i) => [o, i]));
    const id = this.map.get(op);
    if (id === undefined) throw new Error(`${name}.partition returned a foreign operation`);
    return id;
  }

  private buildTable(): Int32Array {
    // plain indexed loops: this runs once per check, mostly before the engine optimizes it
    const operations = this.operations;
    const n = operations.length;
    // Stryker disable next-line ArithmeticOperator: equivalent — performance only: the table is a cache checked by identity in `of`, a missing or wrong entry is found by search
    const limit = 4 * n + 16;
    let size = 0;
    for (let i = 0; i < n; i++) {
      const at = operations[i].invokeIndex;
      // Stryker disable next-line ConditionalExpression,EqualityOperator,ArithmeticOperator: equivalent — performance only: a table too small or too large (Int32Array truncates a fractional length) only sends lookups to search; `at < limit` guards memory against a huge index
      if (at >= 0 && at < limit && (at | 0) === at && at >= size) size = at + 1;
    }
    // Stryker disable next-line UnaryOperator: equivalent — performance only: without -1 marks no entry is written and every lookup goes to search
    const table = new Int32Array(size).fill(-1);
    for (let i = 0; i < n; i++) {
      const at = operations[i].invokeIndex;
      // Stryker disable next-line ConditionalExpression,EqualityOperator,LogicalOperator,UnaryOperator: equivalent — performance only: a typed array ignores writes at non-index keys, and an entry left out or overwritten only sends its lookup to search
      if (at >= 0 && at < size && (at | 0) === at && table[at] === -1) table[at] = i;
    }
    return this.byInvoke = table;
  }
}

/** One partition while it is being checked. */
class Part {
  search?: LinearizationSearch<unknown, unknown, unknown>;
  /** Decided by the register search: ok, or illegal when no witness is wanted. */
  registerSearch?: RegisterSearchOutcome;
  /** Decided by zones: ok with `order`, or illegal with a refuted `conflict`. */
  zones?: {
    readonly order?: readonly number[];
    readonly skipped?: readonly number[];
    readonly conflict?: readonly number[];
    readonly outcome?: SearchOutcome<unknown>;
    readonly steps: number;
  };
  private ops?: readonly SearchOp<unknown, unknown>[];

  /** The model's reading of every operation, done at once so that a bad one is always reported. */
  constructor(
    readonly group: OperationGroup,
    readonly ids: ArrayLike<number>,
    readonly model: AnyModel,
    readonly inputs: readonly unknown[],
    readonly outputs: readonly unknown[],
  ) {}

  /** The operations as the general search and zones take them (built when first needed). */
  get searchOps(): readonly SearchOp<unknown, unknown>[] {
    if (this.ops !== undefined) return this.ops;
    const ops = this.group.operations;
    const out = new Array<SearchOp<unknown, unknown>>(ops.length);
    for (let i = 0; i < ops.length; i++) {
      const op = ops[i];
      out[i] = {
        input: this.inputs[i],
        output: this.outputs[i],
        invokeMs: op.invokeMs,
        // An `info` operation with a finite completeMs has a deadline: if it took effect, it did
        // so before then. pairOperations gives unknown outcomes completeMs = Infinity.
        completeMs: op.status === "ok" || Number.isFinite(op.completeMs) ? op.completeMs : Infinity,
      };
    }
    return this.ops = out;
  }
}

/** The model's input and output of each operation (a plain loop: no closure per call). */
function readOperations(model: AnyModel, ops: readonly Operation[]): [unknown[], unknown[]] {
  const inputs = new Array<unknown>(ops.length);
  const outputs = new Array<unknown>(ops.length);
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i];
    inputs[i] = model.input(op);
    outputs[i] = op.status === "ok" ? model.output(op) : unknownOutput;
  }
  return [inputs, outputs];
}

/**
 * Decide whether a history (or already paired operations) is linearizable with respect to
 * `model`. Deterministic: the same history, model and options give the same result.
 */
export function checkLinearizability<S, I, O>(
  history: History | readonly Operation[],
  model: Model<S, I, O>,
  options: CheckOptions = {},
): LinearizabilityResult {
  const budget = options.stepBudget ?? 10_000_000;
  const wantWitness = options.witness !== false;
  const memory = new MemoryAccount(options.memoryBudget ?? DEFAULT_MEMORY_BUDGET);
  const operations: readonly Operation[] = isHistory(history)
    ? pairOperations(history)
    : history as readonly Operation[];
  // failed operations did not happen; without any, `live` is `operations` itself
  let fails = 0;
  for (let i = 0; i < operations.length; i++) if (operations[i].status === "fail") fails++;
  const live: readonly Operation[] = fails === 0
    ? operations
    : operations.filter((op) => op.status !== "fail");
  const liveIds = new Int32Array(live.length);
  for (let i = 0, k = 0; i < operations.length; i++) {
    if (fails === 0 || operations[i].status !== "fail") liveIds[k++] = i;
  }
  const groups: OperationGroup[] = options.partition !== false && model.partition
    ? model.partition(live)
    : [{ label: "all operations", operations: live }];
  const idOf = new OperationIds(operations);

  const parts: Part[] = groups.map((group) => {
    const ids = group.operations === live ? liveIds : idOf.of(group.operations, model.name);
    const groupModel: AnyModel = group.model ?? model;
    const [inputs, outputs] = readOperations(groupModel, group.operations);
    return new Part(group, ids, groupModel, inputs, outputs);
  });
  let steps = 0;
  let failed: number | undefined;
  const stopEarly = () => failed !== undefined && !options.checkAllPartitions;

  // Register partitions with unique values: decided by zones, certified (see _lin_register.ts).
  // Zones cost O(n log n) with a large constant; on histories with little overlap the search
  // runs in about one step per operation and is cheaper, so register partitions of 64 operations
  // or more first get a short search (2n + min(n, 1000) steps) and go to zones only when that
  // does not decide them (smaller ones go straight to zones: nothing there is worth saving).
  // The short search is the register search of _lin_register.ts where the model gives values
  // primitive keys (the built-in models do), the general search otherwise.
  if (options.zones !== false) {
    let space: RegisterSearch | undefined; // the register search's arrays, shared by partitions
    for (let g = 0; g < parts.length && !stopEarly(); g++) {
      const part = parts[g];
      if (part.model.registerView === undefined) continue;
      const n = part.inputs.length;
      if (n >= PROBE_FROM) {
        const probeSteps = 2 * n + Math.min(n, PROBE_EXTRA);
        // The short search, specialised to registers whose values have primitive keys (every
        // step it takes is checked against the model's own, see _lin_register.ts). An illegal
        // partition whose witness is wanted goes on to the general search, which builds it.
        const probe = searchRegister(
          part.model,
          part.inputs,
          part.outputs,
          part.group.operations,
          Math.min(probeSteps, budget - steps),
          space ??= new RegisterSearch(memory),
        );
        if (probe !== undefined) steps += probe.steps;
        if (
          probe !== undefined &&
          (probe.verdict === "ok" || probe.verdict === "illegal" && !wantWitness)
        ) {
          part.registerSearch = probe;
          if (probe.verdict === "illegal" && failed === undefined) failed = g;
          continue;
        }
        if (probe === undefined || probe.verdict === "illegal" || probe.outOfMemory) {
          const search = part.search = new LinearizationSearch(part.model, part.searchOps, {
            memory,
          });
          search.run(Math.min(probeSteps, budget - steps));
          steps += search.steps;
          if (search.verdict === "illegal" && failed === undefined) failed = g;
          if (search.verdict !== "unknown" || search.outOfMemory) continue;
        }
      }
      const z = checkRegisterZones(part.model, part.searchOps);
      if (z === undefined) continue;
      if (z.verdict === "ok") {
        part.search = undefined;
        part.zones = { order: z.order, skipped: z.skipped, steps: 0 };
        continue;
      }
      // The conflict is a handful of operations: the search must refute them on their own.
      const sub = z.conflict.map((i) => part.searchOps[i]);
      const check = searchLinearization(part.model, sub, budget, { record: wantWitness });
      if (check.verdict !== "illegal") continue; // cannot happen if the theorem holds: search
      part.search = undefined;
      steps += check.steps;
      part.zones = { conflict: z.conflict, outcome: check, steps: check.steps };
      if (failed === undefined) failed = g;
    }
  }

  // Every other partition is checked by its own resumable search. They advance round-robin in
  // slices that double each round, so an illegal partition that is quick to refute ends the
  // check before a hard one eats the budget (Porcupine gets the same effect from parallel
  // goroutines). The searches keep no partial linearization (see `witness`).
  for (const part of parts) {
    const decided = part.zones !== undefined || part.registerSearch !== undefined;
    if (!decided && part.search === undefined && !stopEarly()) {
      part.search = new LinearizationSearch(part.model, part.searchOps, { memory });
    }
  }
  let active = parts.map((_, g) => g).filter((g) => {
    const search = parts[g].search;
    return search !== undefined && search.verdict === "unknown" && !search.outOfMemory;
  });
  for (let slice = 1024; active.length > 0 && steps < budget && !stopEarly(); slice *= 2) {
    for (const g of active) {
      const search = parts[g].search!;
      const before = search.steps;
      search.run(Math.min(slice, budget - steps));
      steps += search.steps - before;
      if (search.verdict === "illegal" && failed === undefined) failed = g;
      if (stopEarly()) break;
    }
    active = active.filter((g) => {
      const search = parts[g].search!;
      return search.verdict === "unknown" && !search.outOfMemory;
    });
  }

  // Second pass, only where an explanation is wanted and the verdict is not ok: the same
  // deterministic search for the same number of steps, now keeping the deepest prefix.
  const firstUnknown = parts.findIndex((p) => p.search?.verdict === "unknown");
  const outcomes = parts.map((part, g) => {
    const search = part.search;
    if (search === undefined) return undefined;
    const first = search.outcome();
    const stopped = first.verdict === "unknown" && stopEarly();
    // Stryker disable next-line StringLiteral: equivalent — performance only: an ok search run again with recording takes the same steps to the same ok
    if (!wantWitness || first.verdict === "ok" || stopped || first.outOfMemory) return first;
    if (first.verdict === "unknown" && g !== firstUnknown) return first; // not explained
    // Let the first search's cache go before the second builds the same one.
    part.search = undefined;
    const again = new LinearizationSearch(part.model, part.searchOps, {
      record: true,
      memory: new MemoryAccount(memory.budget),
    });
    again.run(first.steps);
    return { ...again.outcome(), cacheSize: first.cacheSize };
  });

  const partitions: PartitionResult[] = parts.map(({ group, ids, zones, registerSearch }, g) => {
    const base = { index: g, label: group.label, key: group.key, operations: ids.length };
    if (registerSearch !== undefined) {
      const linearization = new Array<number>(registerSearch.order.length);
      for (let k = 0; k < linearization.length; k++) {
        linearization[k] = ids[registerSearch.order[k]];
      }
      return {
        ...base,
        verdict: registerSearch.verdict === "ok" ? "ok" : "illegal",
        steps: registerSearch.steps,
        cacheSize: registerSearch.cacheSize,
        method: "search",
        outOfMemory: false,
        longestPrefix: registerSearch.bestDepth,
        linearization,
        skipped: registerSearch.skipped.map((i) => ids[i]),
        frontier: [],
      };
    }
    if (zones !== undefined && zones.order !== undefined) {
      return {
        ...base,
        verdict: "ok",
        steps: 0,
        cacheSize: 0,
        method: "zones",
        outOfMemory: false,
        longestPrefix: zones.order.length,
        linearization: zones.order.map((i) => ids[i]),
        skipped: zones.skipped!.map((i) => ids[i]),
        frontier: [],
      };
    }
    if (zones !== undefined) {
      const sub = zones.outcome!;
      const at = (k: number) => ids[zones.conflict![k]];
      return {
        ...base,
        verdict: "illegal",
        steps: zones.steps,
        cacheSize: sub.cacheSize,
        method: "zones",
        outOfMemory: false,
        longestPrefix: sub.bestDepth,
        linearization: sub.order.map(at),
        skipped: sub.skipped.map(at),
        frontier: sub.frontier.map(at),
      };
    }
    const outcome = outcomes[g];
    if (outcome === undefined) {
      return {
        ...base,
        verdict: "skipped",
        steps: 0,
        cacheSize: 0,
        method: "search",
        outOfMemory: false,
        longestPrefix: 0,
        linearization: [],
        skipped: [],
        frontier: [],
      };
    }
    const stopped = outcome.verdict === "unknown" && stopEarly();
    return {
      ...base,
      verdict: stopped ? "skipped" : outcome.verdict,
      steps: outcome.steps,
      cacheSize: outcome.cacheSize,
      method: "search",
      outOfMemory: outcome.outOfMemory,
      longestPrefix: outcome.bestDepth,
      linearization: outcome.order.map((i) => ids[i]),
      skipped: outcome.skipped.map((i) => ids[i]),
      frontier: outcome.frontier.map((i) => ids[i]),
    };
  });
  const unknownAt = partitions.find((p) => p.verdict === "unknown");
  let witness: LinearizabilityWitness | undefined;
  if (failed !== undefined && wantWitness) {
    const f = parts[failed];
    if (f.zones !== undefined) {
      // The witness is built from the refuted sub-history alone.
      const positions = f.zones.conflict!;
      const subGroup: OperationGroup = {
        ...f.group,
        operations: positions.map((i) => f.group.operations[i]),
      };
      witness = buildWitness(
        f.model,
        subGroup,
        failed,
        positions.map((i) => f.ids[i]),
        positions.map((i) => f.searchOps[i]),
        f.zones.outcome!,
        options,
        f.searchOps.length,
      );
    } else {
      witness = buildWitness(
        f.model,
        f.group,
        failed,
        f.ids,
        f.searchOps,
        outcomes[failed]!,
        options,
        f.searchOps.length,
      );
    }
  }

  const verdict: Verdict = failed !== undefined ? "illegal" : unknownAt ? "unknown" : "ok";
  const explanation = witness
    ? witness.explanation
    : failed !== undefined
    ? `not linearizable: ${partitions[failed].label} (${partitions[failed].operations} ` +
      "operations); no witness was asked for."
    : unknownAt
    ? (unknownAt.outOfMemory
      ? `unknown: the memory budget (${memory.budget} bytes) ran out in ${unknownAt.label} `
      : `unknown: the step budget (${budget}) ran out in ${unknownAt.label} `) +
      `(${unknownAt.operations} operations); longest linearizable prefix found: ` +
      `${unknownAt.longestPrefix} operations.`
    : `linearizable: ${live.length} operations in ${groups.length} partition(s), ${steps} steps.`;
  return { verdict, model: model.name, operations, steps, partitions, witness, explanation };
}

function buildWitness(
  model: AnyModel,
  group: OperationGroup,
  index: number,
  ids: ArrayLike<number>,
  searchOps: readonly SearchOp<unknown, unknown>[],
  outcome: SearchOutcome<unknown>,
  options: CheckOptions,
  partitionSize: number,
): LinearizabilityWitness {
  const all = searchOps.map((_, i) => i);
  const whole: Shrunk = {
    critical: all.filter((i) => searchOps[i].output !== unknownOutput),
    context: all.filter((i) => searchOps[i].output === unknownOutput),
    minimal: false,
    steps: 0,
  };
  let shrunk = whole;
  let positions = all;
  let subOps = searchOps;
  let sub = outcome;
  if (options.minimize !== false) {
    shrunk = shrinkWitness(model, searchOps, options.minimizeStepBudget ?? 10_000_000, {
      frontier: outcome.frontier,
    });
    const w = witnessOps(model, searchOps, shrunk.critical, shrunk.context);
    // Re-run on the witness itself so its prefix and frontier describe exactly these operations.
    const check = searchLinearization(model, w.ops, options.stepBudget ?? 10_000_000);
    if (check.verdict === "illegal") {
      positions = w.positions;
      subOps = w.ops;
      sub = check;
    } else {
      // Only a budget can get here (shrinking keeps the history illegal): fall back to the whole
      // partition rather than show an unchecked witness.
      shrunk = { ...whole, steps: shrunk.steps };
    }
  }
  const frontier = new Set(sub.frontier);
  const context = new Set(shrunk.context);
  const operations: WitnessOperation[] = positions.map((i, k) => {
    const op = group.operations[i];
    return {
      id: ids[i],
      process: op.process,
      f: op.f,
      key: op.key,
      input: op.input,
      output: op.status === "ok" ? op.output : undefined,
      status: op.status === "ok" ? "ok" : "info",
      invokeMs: op.invokeMs,
      completeMs: searchOps[i].completeMs,
      role: context.has(i) ? "context" : "critical",
      inFrontier: frontier.has(k),
      description: model.describe(searchOps[i].input, searchOps[i].output),
    };
  });
  const nCritical = shrunk.critical.length;
  const head = `not linearizable: ${group.label} (${partitionSize} operations): ` +
    (options.minimize === false
      ? "no linearization exists."
      : `the results of ${nCritical} operation(s) contradict each other` +
        (shrunk.minimal
          ? "; the witness is minimal (forgetting any one result makes it linearizable, and " +
            "every context operation is needed)."
          : "; shrinking stopped at its step budget, so the witness may not be minimal."));
  const explanation = [head, ...explainStuck(model, subOps, operations, sub)].join("\n");
  return {
    partition: index,
    label: group.label,
    key: group.key,
    operations,
    linearization: sub.order.map((k) => operations[k].id),
    skipped: sub.skipped.map((k) => operations[k].id),
    stuckState: model.describeState(sub.state),
    frontier: sub.frontier.map((k) => operations[k].id),
    minimal: shrunk.minimal,
    partitionOperations: partitionSize,
    partitionLinearization: outcome.order.map((i) => ids[i]),
    partitionFrontier: outcome.frontier.map((i) => ids[i]),
    minimizeSteps: shrunk.steps,
    explanation,
  };
}
