/**
 * A checker of atomic commitment (Bernstein, Hadzilacos, Goodman 1987, §7.2) over protocol
 * events: AC1 agreement (no two processes decide differently), AC2 irrevocability (no process
 * decides twice), AC3 validity (commit only if every participant voted yes), AC4 non-triviality
 * (with all yes votes and no failures, the outcome is commit). The verdict carries the first
 * violating events as a witness, never a bare boolean. Also: time in doubt per participant.
 * @module
 */
import type { EmittedEvent } from "../../sim/simulation.ts";
import type { NodeId } from "../../sim/types.ts";
import type { Outcome } from "./messages.ts";

/** One violated condition with the events that show it. */
export interface CommitViolation {
  /** Which condition. */
  readonly condition: "agreement" | "irrevocability" | "validity" | "nonTriviality";
  /** What happened, in words. */
  readonly message: string;
  /** The events that witness it (decisions, votes), in run order. */
  readonly witness: readonly EmittedEvent[];
}

/** The verdict of {@link checkAtomicCommit}. */
export interface CommitVerdict {
  /** True when no condition is violated. */
  readonly ok: boolean;
  /** Every violated condition. */
  readonly violations: readonly CommitViolation[];
  /** Each process's (first) decision; absent: undecided (blocked or crashed). */
  readonly decisions: ReadonlyMap<NodeId, Outcome>;
  /** Participants that never decided. */
  readonly undecided: readonly NodeId[];
}

/**
 * Check atomic commitment on a run's events.
 * @example
 * ```ts
 * const v = checkAtomicCommit(sim.events, { participants: ["p1", "p2"], failureFree: true });
 * if (!v.ok) console.log(v.violations[0].message, v.violations[0].witness);
 * ```
 */
export function checkAtomicCommit(
  events: readonly EmittedEvent[],
  options: {
    /** The participants (resource managers) whose votes count. */
    readonly participants: readonly NodeId[];
    /** Whether the run had no failures and no lost messages (enables AC4). Default false. */
    readonly failureFree?: boolean;
  },
): CommitVerdict {
  const violations: CommitViolation[] = [];
  const first = new Map<NodeId, EmittedEvent>();
  const votes = new Map<NodeId, EmittedEvent>();
  for (const e of events) {
    if (e.event.type === "vote") votes.set(e.node, e);
    if (e.event.type !== "decide") continue;
    const prev = first.get(e.node);
    if (!prev) first.set(e.node, e);
    else if (prev.event.outcome !== e.event.outcome) {
      violations.push({
        condition: "irrevocability",
        message: `${e.node} decided ${prev.event.outcome} then ${e.event.outcome}`,
        witness: [prev, e],
      });
    }
  }
  const decided = [...first.values()].sort((a, b) => a.t - b.t);
  const commit = decided.find((e) => e.event.outcome === "commit");
  const abort = decided.find((e) => e.event.outcome === "abort");
  if (commit && abort) {
    violations.push({
      condition: "agreement",
      message: `${commit.node} decided commit at ${commit.t} ms and ${abort.node} decided abort ` +
        `at ${abort.t} ms`,
      witness: [commit, abort].sort((a, b) => a.t - b.t),
    });
  }
  if (commit) {
    const notYes = options.participants.filter((p) => votes.get(p)?.event.vote !== "yes");
    if (notYes.length) {
      violations.push({
        condition: "validity",
        message: `${commit.node} decided commit but ${notYes.join(", ")} did not vote yes`,
        witness: [commit, ...notYes.flatMap((p) => votes.get(p) ?? [])],
      });
    }
  }
  const allYes = options.participants.every((p) => votes.get(p)?.event.vote === "yes");
  if (options.failureFree && allYes && (abort || first.size === 0)) {
    violations.push({
      condition: "nonTriviality",
      message: abort
        ? `every participant voted yes and nothing failed, yet ${abort.node} decided abort`
        : "every participant voted yes and nothing failed, yet nobody decided",
      witness: abort ? [abort] : [],
    });
  }
  const decisions = new Map<NodeId, Outcome>();
  for (const [n, e] of first) decisions.set(n, e.event.outcome as Outcome);
  return {
    ok: violations.length === 0,
    violations,
    decisions,
    undecided: options.participants.filter((p) => !first.has(p)),
  };
}

/**
 * Time each participant spent in doubt: from its `prepared` (voted yes) event to its first
 * `decide`, or to `endMs` if it never decided (still blocked).
 */
export function timeInDoubt(
  events: readonly EmittedEvent[],
  endMs: number,
): Map<NodeId, { readonly ms: number; readonly resolved: boolean }> {
  const since = new Map<NodeId, number>();
  const out = new Map<NodeId, { ms: number; resolved: boolean }>();
  for (const e of events) {
    if (e.event.type === "prepared" && !since.has(e.node)) since.set(e.node, e.t);
    if (e.event.type === "decide" && since.has(e.node) && !out.has(e.node)) {
      out.set(e.node, { ms: e.t - since.get(e.node)!, resolved: true });
    }
  }
  for (const [n, t] of since) if (!out.has(n)) out.set(n, { ms: endMs - t, resolved: false });
  return out;
}
