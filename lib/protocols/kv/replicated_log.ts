/**
 * The replicated-log interface a state machine is built on, independent of the consensus protocol
 * that implements it (Raft now, Multi-Paxos later). A log node accepts proposals, reports
 * committed commands in log order through an `apply` hook, optionally serves linearizable reads
 * without writing to the log (ReadIndex, thesis §6.4), and asks the state machine for snapshots.
 *
 * A log node runs inside a host node (e.g. a key-value server) that shares its context: the host
 * keeps its own message types and timer names (prefix `kv:`) and forwards everything else here.
 * @module
 */
import type { NodeContext, NodeId } from "../../sim/types.ts";

/** The outcome of a proposal: accepted at a log position, or refused with a hint where to go. */
export type ProposeResult =
  | { readonly ok: true; readonly index: number }
  | { readonly ok: false; readonly reason: "not-leader"; readonly leaderHint?: NodeId };

/** The outcome of a read request: safe to read the local state machine now, or refused. */
export type ReadResult =
  | {
    readonly ok: true;
    /** The read index: the local state machine has applied at least this far. */
    readonly index: number;
  }
  | { readonly ok: false; readonly reason: "not-leader"; readonly leaderHint?: NodeId };

/** Options of a read. */
export interface ReadOptions {
  /**
   * Serve from a leader lease when one holds (thesis §6.4.1), which trusts bounded clock drift;
   * otherwise confirm leadership with a heartbeat round (ReadIndex). Default false.
   */
  readonly lease?: boolean;
}

/** A committed command, delivered once per index, in index order. */
export interface AppliedEntry<C> {
  /** Log index at which the command was committed. */
  readonly index: number;
  /** The committed command, as proposed. */
  readonly command: C;
}

/** What the state machine offers the log. */
export interface ReplicatedLogHooks<C> {
  /** Apply a committed command (called in log order; deterministic state machines only). */
  apply(entry: AppliedEntry<C>): void;
  /**
   * The state machine's state as of the last applied entry, as a fresh plain value (it is stored
   * and sent to lagging replicas; the state machine must not keep a reference to it).
   */
  snapshot?(): unknown;
  /** Replace the state machine's state with a snapshot taken at log position `index`. */
  restore?(snapshot: unknown, index: number): void;
}

/** A replicated log node, driven by its host node. */
export interface ReplicatedLog<C, M> {
  /** Called from the host's `start` (after a restart too: state is rebuilt from storage). */
  start(): void;
  /** A message of the log protocol arrived. */
  onMessage(from: NodeId, msg: M): void;
  /** A timer the log armed fired (every timer whose name does not start with `kv:`). */
  onTimer(name: string): void;
  /** Ask to append `command`; only the current leader accepts. */
  propose(command: C): ProposeResult;
  /**
   * Linearizable read without a log write (thesis §6.4): calls back once it is safe to read the
   * local state machine, or with a refusal. Optional: a host falls back to reads through the log.
   */
  readIndex?(callback: (result: ReadResult) => void, options?: ReadOptions): void;
  /** Whether this node currently believes it is the leader. */
  isLeader(): boolean;
  /** The leader this node last heard from (itself when leader), if any. */
  leaderHint(): NodeId | undefined;
  /** A plain snapshot of the log node's state. */
  inspect(): unknown;
}

/** Builds a log node over the host's context and the state machine's hooks. */
export type ReplicatedLogFactory<C, M> = (
  ctx: NodeContext<M>,
  hooks: ReplicatedLogHooks<C>,
) => ReplicatedLog<C, M>;

/**
 * The log node of class `cls` inside a node object: the object itself (a bare log node) or its
 * `log` field (a host such as the key-value server); undefined otherwise (or when crashed).
 * @example
 * ```ts
 * const raft = logNodeOf(sim.instanceOf("n0"), RaftNode);
 * ```
 */
export function logNodeOf<T>(
  instance: unknown,
  // deno-lint-ignore no-explicit-any
  cls: abstract new (...args: any[]) => T,
): T | undefined {
  if (instance instanceof cls) return instance;
  const log = (instance as { log?: unknown } | null | undefined)?.log;
  return log instanceof cls ? log : undefined;
}
