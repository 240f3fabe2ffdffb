/**
 * A Raft node (Ongaro & Ousterhout 2014, Figure 2 and §5–7; Ongaro's thesis 2014): leader
 * election with randomized timeouts, log replication with the consistency check and accelerated
 * backtracking, commitment by counting current-term replicas only, durable currentTerm, votedFor
 * and log, log compaction with snapshots and InstallSnapshot, PreVote and CheckQuorum, single-server
 * membership changes, ReadIndex and lease reads. It is sans-I/O: every effect goes through the
 * context. It implements the protocol-neutral {@link ReplicatedLog} so a state machine can sit on it.
 *
 * Events (for checkers and charts):
 * - `{ type: "role", role, term }` on every role change (and at start);
 * - `{ type: "leader", term }` when elected;
 * - `{ type: "propose", index, term }` when the leader appends a client command;
 * - `{ type: "commit", index, term, currentTerm }` when commitIndex advances (`term` is the entry's);
 * - `{ type: "apply", index, term, kind, command?, servers? }` for every applied entry;
 * - `{ type: "snapshot", index, term }` after compaction, `{ type: "snapshot-install", index, term }`
 *   after installing a leader's snapshot;
 * - `{ type: "stepdown", term, reason }` when a leader gives up ("check-quorum", "removed").
 * @module
 */
import type { NodeContext, NodeId, ProtocolNode } from "../../sim/types.ts";
import { ConfigError, parseConfig } from "../../sim/errors.ts";
import { type MemberCheck, unknownMembers, withMemberCheck } from "../../sim/simulation.ts";
import type {
  ReadOptions,
  ReadResult,
  ReplicatedLog,
  ReplicatedLogHooks,
} from "../kv/replicated_log.ts";
import type {
  AppendEntries,
  AppendEntriesResponse,
  InstallSnapshot,
  InstallSnapshotResponse,
  LogEntry,
  RaftMessage,
  RequestVote,
  RequestVoteResponse,
  Snapshot,
} from "./messages.ts";
import { type RaftConfig, type RaftConfigInput, RaftConfigSchema } from "./config.ts";
import { RaftLog } from "./log.ts";
import { freezeInPlace, immutable, MemoryStorage } from "../../sim/storage.ts";

/** A server's role. "precandidate" is the PreVote phase (thesis §9.6). */
export type RaftRole = "follower" | "precandidate" | "candidate" | "leader";

/** The outcome of {@link RaftNode.propose}. */
export type RaftProposeResult =
  | { readonly ok: true; readonly index: number; readonly term: number }
  | { readonly ok: false; readonly reason: "not-leader"; readonly leaderHint?: NodeId };

/** A single-server membership change (thesis §4.1). */
export type ConfigChange =
  | { readonly type: "add"; readonly server: NodeId }
  | { readonly type: "remove"; readonly server: NodeId };

/** The outcome of {@link RaftNode.proposeConfigChange}. */
export type ConfigChangeResult =
  | {
    readonly ok: true;
    readonly index: number;
    readonly term: number;
    readonly servers: readonly NodeId[];
  }
  | {
    readonly ok: false;
    /**
     * "config-pending": an earlier change is not committed yet (thesis §4.1: one at a time);
     * "term-not-committed": no entry of this leader's term is committed yet (the fix Ongaro posted
     * to raft-dev in 2015 for single-server changes); "no-change": nothing would change.
     */
    readonly reason: "not-leader" | "config-pending" | "term-not-committed" | "no-change";
    readonly leaderHint?: NodeId;
  };

/** What {@link RaftNode.inspect} returns: plain data, safe to keep and compare. */
export interface RaftInspection {
  /** This server's id. */
  readonly id: NodeId;
  /** Current role: follower, precandidate (thesis §9.6), candidate or leader. */
  readonly role: RaftRole;
  /** currentTerm: latest term this server has seen (Figure 2). */
  readonly term: number;
  /** Candidate that received this server's vote in the current term, or null (Figure 2). */
  readonly votedFor: NodeId | null;
  /** Leader of the current term as far as this server knows, or null. */
  readonly leaderId: NodeId | null;
  /** Highest log index known to be committed (Figure 2). */
  readonly commitIndex: number;
  /** Highest log index applied to the state machine (Figure 2). */
  readonly lastApplied: number;
  /** Last index covered by the snapshot (lastIncludedIndex, §7); 0 without one. */
  readonly snapshotIndex: number;
  /** Term of the snapshot's last included index (lastIncludedTerm, §7). */
  readonly snapshotTerm: number;
  /** Index of the last log entry (compared in elections, §5.4.1). */
  readonly lastLogIndex: number;
  /** Term of the last log entry (compared first in elections, §5.4.1). */
  readonly lastLogTerm: number;
  /** The configuration in force. */
  readonly servers: NodeId[];
  /** The entries after the snapshot. */
  readonly log: LogEntry[];
  /** The leader's view of each follower (empty unless leader). */
  readonly progress: { peer: NodeId; match: number; next: number; probing: boolean }[];
}

/** Called after entries are written to this node's log; `prevLogTerm` is the term before them. */
export type LogListener = (entries: readonly LogEntry[], prevLogTerm: number) => void;

/** Replication progress of one follower, as the leader tracks it (etcd-io/raft's Progress). */
interface Progress {
  /** Highest index known to be replicated on the follower (Figure 2: matchIndex). */
  match: number;
  /** Index of the next entry to send (Figure 2: nextIndex). */
  next: number;
  /** Probing: one AppendEntries at a time until the match point is found; else pipelining. */
  probing: boolean;
  /** A probe (or snapshot) is in flight; wait for its answer or the next heartbeat. */
  probeSent: boolean;
  /** Heard from since the last CheckQuorum tick. */
  active: boolean;
  /** Highest heartbeat round the follower acknowledged in this term. */
  ackedSeq: number;
}

interface PendingRound {
  round: number;
  index: number;
  cb: (r: ReadResult) => void;
}

/** Storage key of currentTerm. */
// Stryker disable next-line StringLiteral: equivalent — every read and write of currentTerm goes through this constant, and "" stays distinct from every other key of a Raft node (votedFor, bootstrap, log, snapshot)
export const TERM_KEY = "raft/currentTerm";
/** Storage key of votedFor. */
// Stryker disable next-line StringLiteral: equivalent — every read and write of votedFor goes through this constant, and "" stays distinct from every other key of a Raft node (currentTerm, bootstrap, log, snapshot)
export const VOTE_KEY = "raft/votedFor";
/** Storage key of the bootstrap configuration (written once, at first start). */
export const BOOTSTRAP_KEY = "raft/bootstrap";

/** The entries of a heartbeat (shared: frozen, so no receiver can change it). */
const NO_ENTRIES: readonly LogEntry[] = Object.freeze([]);

const T_ELECTION = "raft:election";
const T_HEARTBEAT = "raft:heartbeat";
const T_QUORUM = "raft:quorum";

/**
 * The `k`-th largest of `xs[0..n)` (1-based), what sorting a copy in descending order and taking
 * index k − 1 gives, without the copy or the sort: the largest value that at least k values reach.
 * Quadratic, for the handful of servers of a configuration.
 */
function kthLargest(xs: readonly number[], n: number, k: number): number {
  let best = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = xs[i];
    if (v <= best) continue;
    let reach = 0;
    for (let j = 0; j < n; j++) if (xs[j] >= v) reach++;
    if (reach >= k) best = v;
  }
  return best;
}

function byId(a: NodeId, b: NodeId): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * A Raft server. State lives in the object (lost on crash) except currentTerm, votedFor, the log
 * and the snapshot, which are in `ctx.storage`; a restarted node rebuilds from them in its
 * constructor.
 * @example
 * ```ts
 * const { sim } = createCluster<RaftMessage>({ seed: 1, nodes: 3, factory: (ctx) => new RaftNode(ctx) });
 * sim.run({ untilMs: 2_000 });
 * const leader = sim.serverIds.find((id) => sim.instanceOf<RaftNode>(id)?.role === "leader");
 * sim.instanceOf<RaftNode>(leader!)!.propose({ op: "x" });
 * ```
 */
export class RaftNode<C = unknown>
  implements ProtocolNode<RaftMessage>, ReplicatedLog<C, RaftMessage> {
  /** Parameters with defaults applied. */
  readonly config: RaftConfig;
  /** This server's id. */
  readonly id: NodeId;
  #ctx: NodeContext<RaftMessage>;
  #hooks: ReplicatedLogHooks<C>;
  #log: RaftLog;
  // persistent state (Figure 2)
  #term: number;
  #votedFor: NodeId | null;
  // volatile state
  #role: RaftRole = "follower";
  #leaderId: NodeId | null = null;
  #commitIndex: number;
  #lastApplied: number;
  #votes = new Set<NodeId>();
  #progress = new Map<NodeId, Progress>();
  #lastLeaderContactMs = -Infinity;
  // heartbeat rounds, for ReadIndex and leases (thesis §6.4)
  #round = 0;
  #roundSentAt = new Map<number, number>();
  #quorumRound = 0;
  #leaseStartMs = -Infinity;
  #readsAwaitingTermCommit: { cb: (r: ReadResult) => void; lease: boolean }[] = [];
  #readsAwaitingRound: PendingRound[] = [];
  #readsAwaitingApply: { index: number; cb: (r: ReadResult) => void }[] = [];
  #listeners: LogListener[] = [];
  /** Scratch space of the quorum computations (one number per server). */
  #scratch: number[] = [];

  /**
   * Build a node over `ctx`, rebuilding persistent state from `ctx.storage`. `hooks` connect a
   * state machine (default: none; snapshots then carry `null`). Parameters are validated (a
   * ConfigError names any bad field).
   */
  constructor(
    ctx: NodeContext<RaftMessage>,
    config: RaftConfigInput = {},
    hooks: ReplicatedLogHooks<C> = { apply() {} },
  ) {
    this.#ctx = ctx;
    this.id = ctx.self;
    this.#hooks = hooks;
    this.config = parseConfig(RaftConfigSchema, config, "raft config");
    const s = ctx.storage;
    let bootstrap = s.get<NodeId[]>(BOOTSTRAP_KEY);
    if (!bootstrap) {
      bootstrap = (this.config.servers ?? [ctx.self, ...ctx.peers]).slice().sort(byId);
      s.set(BOOTSTRAP_KEY, bootstrap);
    }
    this.#term = s.get<number>(TERM_KEY) ?? 0;
    this.#votedFor = this.config.mistakeVolatileVotedFor ? null : s.get<NodeId>(VOTE_KEY) ?? null;
    // MISTAKE flag mistakeVolatileLog: the log lives in memory only, so a restart forgets every
    // entry this server acknowledged (a committed entry can drop below a majority)
    this.#log = new RaftLog(this.config.mistakeVolatileLog ? new MemoryStorage() : s, bootstrap);
    // commitIndex and lastApplied are volatile (Figure 2); the snapshot holds only committed state
    this.#commitIndex = this.#lastApplied = this.#log.snapshotIndex;
    if (this.#log.snapshotIndex > 0) {
      this.#hooks.restore?.(structuredClone(this.#log.snapshot.data), this.#log.snapshotIndex);
    }
  }

  // ---- read-only views ----------------------------------------------------------------------

  /** Current role. */
  get role(): RaftRole {
    return this.#role;
  }
  /** Latest term this server has seen. */
  get term(): number {
    return this.#term;
  }
  /** Candidate that received this server's vote in the current term, if any. */
  get votedFor(): NodeId | null {
    return this.#votedFor;
  }
  /** Leader of the current term as far as this server knows. */
  get leaderId(): NodeId | null {
    return this.#leaderId;
  }
  /** Highest index known to be committed. */
  get commitIndex(): number {
    return this.#commitIndex;
  }
  /** Highest index applied to the state machine. */
  get lastApplied(): number {
    return this.#lastApplied;
  }
  /** Index of the last log entry. */
  get lastLogIndex(): number {
    return this.#log.lastIndex;
  }
  /** Term of the last log entry. */
  get lastLogTerm(): number {
    return this.#log.lastTerm;
  }
  /** Last index covered by the snapshot. */
  get snapshotIndex(): number {
    return this.#log.snapshotIndex;
  }
  /** Term of the last index covered by the snapshot. */
  get snapshotTerm(): number {
    return this.#log.snapshotTerm;
  }
  /** The configuration in force (the latest in the log, thesis §4.1). */
  get servers(): readonly NodeId[] {
    return this.#log.config.servers;
  }
  /** Term of the entry at `index`; undefined when compacted or absent. */
  termAt(index: number): number | undefined {
    return this.#log.termAt(index);
  }
  /** The entry at `index`, if kept in the log. */
  entryAt(index: number): LogEntry | undefined {
    return this.#log.entryAt(index);
  }
  /** Every entry after the snapshot. */
  logEntries(): LogEntry[] {
    return this.#log.entries();
  }
  /** The leader's matchIndex for a peer (undefined when not leader or unknown peer). */
  matchIndexOf(peer: NodeId): number | undefined {
    return this.#progress.get(peer)?.match;
  }
  /** Whether this node currently believes it is the leader. */
  isLeader(): boolean {
    return this.#role === "leader";
  }
  /** The leader this node last heard from (itself when leader). */
  leaderHint(): NodeId | undefined {
    return this.#leaderId ?? undefined;
  }
  /** Whether a leader lease holds now (thesis §6.4.1; needs `checkQuorum`). */
  leaseValid(): boolean {
    return this.config.checkQuorum && this.#role === "leader" &&
      this.#ctx.nowMs() <
        this.#leaseStartMs +
          this.config.electionTimeoutMsMin * (1 - this.config.leaseClockDriftBound);
  }

  /** Register a listener called after entries are written to this node's log. */
  onLogAppend(listener: LogListener): void {
    this.#listeners.push(listener);
  }

  /** A plain snapshot of the node's state. */
  inspect(): RaftInspection {
    return {
      id: this.id,
      role: this.#role,
      term: this.#term,
      votedFor: this.#votedFor,
      leaderId: this.#leaderId,
      commitIndex: this.#commitIndex,
      lastApplied: this.#lastApplied,
      snapshotIndex: this.#log.snapshotIndex,
      snapshotTerm: this.#log.snapshotTerm,
      lastLogIndex: this.#log.lastIndex,
      lastLogTerm: this.#log.lastTerm,
      servers: [...this.#log.config.servers],
      log: this.#log.entries(),
      progress: [...this.#progress].map(([peer, p]) => ({
        peer,
        match: p.match,
        next: p.next,
        probing: p.probing,
      })),
    };
  }

  // ---- lifecycle ----------------------------------------------------------------------------

  /** Start (or restart) as a follower. */
  start(): void {
    this.#emitRole();
    this.#resetElectionTimer();
  }

  /** A timer fired. */
  onTimer(name: string): void {
    switch (name) {
      case T_ELECTION:
        if (this.#role === "leader") return;
        this.#resetElectionTimer();
        // §5.2: a follower that hears nothing for an election timeout starts an election
        this.campaign();
        return;
      case T_HEARTBEAT:
        if (this.#role !== "leader") return;
        this.#broadcastHeartbeat();
        this.#ctx.setTimer(T_HEARTBEAT, this.config.heartbeatIntervalMs);
        return;
      case T_QUORUM:
        if (this.#role === "leader") this.#checkQuorum();
        return;
    }
  }

  /**
   * Start an election now, as if the election timeout had fired (with PreVote first when on).
   * Does nothing for a leader or a server outside its own configuration.
   */
  campaign(): void {
    if (this.#role === "leader" || !this.#promotable()) return;
    if (this.config.preVote) this.#becomePreCandidate();
    else this.#becomeCandidate();
  }

  // ---- client interface (ReplicatedLog) -----------------------------------------------------

  /** Append a command if leader (§5.3); it commits once a majority stores it. */
  propose(command: C): RaftProposeResult {
    if (this.#role !== "leader") {
      return { ok: false, reason: "not-leader", leaderHint: this.leaderHint() };
    }
    const e = this.#appendLocal({
      index: this.#log.lastIndex + 1,
      term: this.#term,
      kind: "command",
      // a caller's command is copied (once, frozen) unless it is immutable already
      command: immutable(command) ?? command,
    });
    // Stryker disable next-line ConditionalExpression: equivalent — performance only (→ true): an event nobody records or reads is built and dropped by emit (→ false is killed, but cannot be kept alone)
    if (this.#ctx.observed !== false) {
      this.#ctx.emit({ type: "propose", index: e.index, term: e.term });
    }
    this.#afterLocalAppend();
    return { ok: true, index: e.index, term: e.term };
  }

  /**
   * Add or remove one server (thesis §4.1). The new configuration takes effect on every server as
   * soon as the entry is in its log; the next change waits until this one commits.
   */
  proposeConfigChange(change: ConfigChange): ConfigChangeResult {
    if (this.#role !== "leader") {
      return { ok: false, reason: "not-leader", leaderHint: this.leaderHint() };
    }
    if (this.#log.config.index > this.#commitIndex) return { ok: false, reason: "config-pending" };
    if (this.#log.termAt(this.#commitIndex) !== this.#term) {
      return { ok: false, reason: "term-not-committed" };
    }
    const cur = this.#log.config.servers;
    const has = cur.includes(change.server);
    if (change.type === "add" ? has : !has) return { ok: false, reason: "no-change" };
    const servers = change.type === "add"
      ? [...cur, change.server].sort(byId)
      : cur.filter((s) => s !== change.server);
    const e = this.#appendLocal({
      index: this.#log.lastIndex + 1,
      term: this.#term,
      kind: "config",
      servers,
    });
    this.#afterLocalAppend();
    return { ok: true, index: e.index, term: e.term, servers };
  }

  /**
   * ReadIndex (thesis §6.4): note the commit index, confirm leadership with a heartbeat round
   * acknowledged by a majority, wait until applied, then call back. With `lease` and CheckQuorum,
   * a held lease (thesis §6.4.1) skips the round.
   */
  readIndex(callback: (result: ReadResult) => void, options: ReadOptions = {}): void {
    if (this.#role !== "leader") {
      callback({ ok: false, reason: "not-leader", leaderHint: this.leaderHint() });
      return;
    }
    const lease = options.lease ?? false;
    // §6.4 step 1: the leader must have committed an entry of its term to know the commit index
    if (this.#log.termAt(this.#commitIndex) !== this.#term) {
      this.#readsAwaitingTermCommit.push({ cb: callback, lease });
      return;
    }
    this.#startRead(callback, lease);
  }

  #startRead(cb: (r: ReadResult) => void, lease: boolean): void {
    const index = this.#commitIndex;
    if (lease && this.leaseValid()) return this.#whenApplied(index, cb);
    // a fresh round: only acknowledgements of heartbeats sent after the request prove that no
    // newer leader existed when it arrived
    this.#readsAwaitingRound.push({ round: this.#round + 1, index, cb });
    this.#broadcastHeartbeat();
  }

  #whenApplied(index: number, cb: (r: ReadResult) => void): void {
    if (this.#lastApplied >= index) cb({ ok: true, index });
    else this.#readsAwaitingApply.push({ index, cb });
  }

  #failPendingReads(): void {
    const hint = this.leaderHint();
    const fail: ReadResult = { ok: false, reason: "not-leader", leaderHint: hint };
    const a = this.#readsAwaitingTermCommit, b = this.#readsAwaitingRound;
    this.#readsAwaitingTermCommit = [];
    this.#readsAwaitingRound = [];
    for (const r of a) r.cb(fail);
    for (const r of b) r.cb(fail);
  }

  // ---- messages -----------------------------------------------------------------------------

  /** A message arrived: rules for all servers first, then the role's own rules. */
  onMessage(from: NodeId, m: RaftMessage): void {
    // Figure 2, all servers: a higher term makes any server a follower in that term
    if (m.term > this.#term) {
      if (m.type === "RequestVote") {
        // thesis §4.2.3: a server that believes a leader is alive ignores a disruptive candidate
        if (!m.prevote && this.#inLease()) return;
        if (!m.prevote) this.#becomeFollower(m.term, null);
      } else if (m.type === "RequestVoteResponse" && m.prevote && m.voteGranted) {
        // a granted pre-vote carries the proposed term, not the voter's: no step-down
      } else {
        const leader = m.type === "AppendEntries" || m.type === "InstallSnapshot"
          ? m.leaderId
          : null;
        this.#becomeFollower(m.term, leader);
      }
    } else if (m.term < this.#term) {
      // MISTAKE flag mistakeAcceptStaleReplies: a reply from an older term is acted on as if
      // current (a vote granted in term t counted in term t + 1: two leaders in one term)
      const staleReply = m.type === "RequestVoteResponse" || m.type === "AppendEntriesResponse";
      if (!(staleReply && this.config.mistakeAcceptStaleReplies)) {
        // a stale sender learns the newer term from the reply and steps down
        return this.#replyStale(from, m);
      }
    }
    if (m.type === "RequestVote") return this.#handleRequestVote(from, m);
    switch (this.#role) {
      case "leader":
        return this.#stepLeader(from, m);
      case "candidate":
      case "precandidate":
        return this.#stepCandidate(from, m);
      case "follower":
        return this.#stepFollower(from, m);
    }
  }

  #replyStale(from: NodeId, m: RaftMessage): void {
    switch (m.type) {
      case "RequestVote":
        this.#send(from, {
          type: "RequestVoteResponse",
          term: this.#term,
          voteGranted: false,
          prevote: m.prevote,
        });
        return;
      case "AppendEntries":
        this.#send(from, {
          type: "AppendEntriesResponse",
          term: this.#term,
          success: false,
          prevLogIndex: m.prevLogIndex,
          matchIndex: 0,
          conflictTerm: 0,
          conflictIndex: 0,
          seq: m.seq,
        });
        return;
      case "InstallSnapshot":
        this.#send(from, {
          type: "InstallSnapshotResponse",
          term: this.#term,
          matchIndex: 0,
          seq: m.seq,
        });
        return;
      // Stryker disable next-line ConditionalExpression: equivalent — the last case of a switch that ends the function: emptied, control leaves the switch and the function just the same
      default:
        return; // stale responses are dropped
    }
  }

  #stepLeader(from: NodeId, m: RaftMessage): void {
    switch (m.type) {
      case "AppendEntriesResponse":
        return this.#handleAppendResponse(from, m);
      case "InstallSnapshotResponse":
        return this.#handleSnapshotResponse(from, m);
      // Stryker disable next-line ConditionalExpression: equivalent — the last case of a switch that ends the function: emptied, control leaves the switch and the function just the same
      default:
        // AppendEntries from another leader of this term cannot happen (election safety);
        // vote responses of this term are late answers to our own election
        return;
    }
  }

  #stepCandidate(from: NodeId, m: RaftMessage): void {
    switch (m.type) {
      case "RequestVoteResponse":
        return this.#handleVoteResponse(from, m);
      case "AppendEntries":
      case "InstallSnapshot":
        // §5.2: a candidate that hears from a leader of its term (or newer) returns to follower
        this.#becomeFollower(m.term, m.leaderId);
        return this.#stepFollower(from, m);
      // Stryker disable next-line ConditionalExpression: equivalent — the last case of a switch that ends the function: emptied, control leaves the switch and the function just the same
      default:
        return;
    }
  }

  #stepFollower(from: NodeId, m: RaftMessage): void {
    switch (m.type) {
      case "AppendEntries":
        this.#heardFromLeader(m.leaderId);
        return this.#handleAppendEntries(from, m);
      case "InstallSnapshot":
        this.#heardFromLeader(m.leaderId);
        return this.#handleInstallSnapshot(from, m);
      // Stryker disable next-line ConditionalExpression: equivalent — the last case of a switch that ends the function: emptied, control leaves the switch and the function just the same
      default:
        return;
    }
  }

  #heardFromLeader(leader: NodeId): void {
    this.#leaderId = leader;
    this.#lastLeaderContactMs = this.#ctx.nowMs();
    this.#resetElectionTimer();
  }

  // ---- elections (§5.2, §5.4.1, thesis §9.6) -------------------------------------------------

  #handleRequestVote(from: NodeId, m: RequestVote): void {
    // §5.4.1: vote only for a candidate whose log is at least as up to date as ours
    const upToDate = this.config.mistakeVoteWithoutUpToDateCheck ||
      m.lastLogTerm > this.#log.lastTerm ||
      (m.lastLogTerm === this.#log.lastTerm && m.lastLogIndex >= this.#log.lastIndex);
    if (m.prevote) {
      // thesis §9.6: grant a pre-vote if the candidate could win: its term would be newer, its log
      // is up to date, and we have not heard from a live leader within an election timeout
      const grant = m.term > this.#term && upToDate && !this.#heardFromLeaderRecently();
      this.#send(from, {
        type: "RequestVoteResponse",
        term: grant ? m.term : this.#term,
        voteGranted: grant,
        prevote: true,
      });
      return;
    }
    // here m.term === currentTerm (a newer term was adopted above, an older one answered stale)
    const free = this.#votedFor === null || this.#votedFor === m.candidateId;
    const grant = free && upToDate;
    // MISTAKE flag mistakeResetTimerOnVoteRequest: resetting on a refused request lets servers that
    // cannot win (outdated logs) keep postponing the campaigns of servers that can
    if (!grant && this.config.mistakeResetTimerOnVoteRequest) this.#resetElectionTimer();
    if (grant) {
      this.#votedFor = m.candidateId;
      this.#persistTermAndVote();
      // §5.2: granting a vote resets the election timer
      this.#resetElectionTimer();
    }
    this.#send(from, {
      type: "RequestVoteResponse",
      term: this.#term,
      voteGranted: grant,
      prevote: false,
    });
  }

  #handleVoteResponse(from: NodeId, m: RequestVoteResponse): void {
    if (m.prevote !== (this.#role === "precandidate") || !m.voteGranted) return;
    const stale = !m.prevote && m.term < this.#term && this.config.mistakeAcceptStaleReplies;
    if (m.prevote ? m.term !== this.#term + 1 : m.term !== this.#term && !stale) return;
    this.#votes.add(from);
    if (!this.#isQuorum((id) => this.#votes.has(id))) return;
    if (this.#role === "precandidate") this.#becomeCandidate();
    else this.#becomeLeader();
  }

  #becomePreCandidate(): void {
    this.#role = "precandidate";
    this.#leaderId = null;
    this.#votes = new Set([this.id]);
    this.#emitRole();
    this.#resetElectionTimer();
    if (this.#isQuorum((id) => this.#votes.has(id))) return this.#becomeCandidate();
    this.#requestVotes(true);
  }

  #becomeCandidate(): void {
    // §5.2: increment currentTerm, vote for self, reset the election timer, ask for votes
    this.#term++;
    this.#votedFor = this.id;
    this.#persistTermAndVote();
    this.#role = "candidate";
    this.#leaderId = null;
    this.#votes = new Set([this.id]);
    this.#emitRole();
    this.#resetElectionTimer();
    if (this.#isQuorum((id) => this.#votes.has(id))) return this.#becomeLeader();
    this.#requestVotes(false);
  }

  #requestVotes(prevote: boolean): void {
    const msg: RequestVote = {
      type: "RequestVote",
      term: prevote ? this.#term + 1 : this.#term,
      candidateId: this.id,
      lastLogIndex: this.#log.lastIndex,
      lastLogTerm: this.#log.lastTerm,
      prevote,
    };
    for (const id of this.#log.config.servers) if (id !== this.id) this.#send(id, msg);
  }

  #becomeLeader(): void {
    this.#role = "leader";
    this.#leaderId = this.id;
    this.#votes.clear();
    this.#ctx.cancelTimer(T_ELECTION);
    this.#progress.clear();
    this.#roundSentAt.clear();
    this.#quorumRound = this.#round;
    this.#leaseStartMs = -Infinity;
    this.#syncProgress();
    this.#emitRole();
    this.#ctx.emit({ type: "leader", term: this.#term });
    // thesis §6.4 / §5.4.2: a no-op entry lets the new leader commit (and learn) earlier entries
    if (this.config.electionNoop) {
      this.#appendLocal({ index: this.#log.lastIndex + 1, term: this.#term, kind: "noop" });
    }
    this.#broadcastHeartbeat();
    this.#maybeCommit();
    this.#ctx.setTimer(T_HEARTBEAT, this.config.heartbeatIntervalMs);
    if (this.config.checkQuorum) this.#ctx.setTimer(T_QUORUM, this.config.electionTimeoutMsMin);
  }

  #becomeFollower(term: number, leaderId: NodeId | null): void {
    const changed = this.#role !== "follower" || term !== this.#term;
    const wasLeader = this.#role === "leader";
    if (term > this.#term) {
      this.#term = term;
      this.#votedFor = null;
      this.#persistTermAndVote();
    }
    this.#role = "follower";
    this.#leaderId = leaderId;
    this.#votes.clear();
    if (wasLeader) {
      this.#ctx.cancelTimer(T_HEARTBEAT);
      this.#ctx.cancelTimer(T_QUORUM);
      this.#progress.clear();
      this.#failPendingReads();
      this.#resetElectionTimer();
    }
    // Figure 2 resets the election timer only on a leader's AppendEntries, a granted vote or a
    // new election: resetting it on every higher term would let a candidate with a stale log,
    // rejected by everyone, keep postponing the up-to-date servers' campaigns
    if (changed) this.#emitRole();
  }

  #checkQuorum(): void {
    // thesis §6.2: a leader that has not heard from a majority for an election timeout steps down
    const ok = this.#isQuorum((id) => id === this.id || this.#progress.get(id)?.active === true);
    for (const p of this.#progress.values()) p.active = false;
    if (!ok) {
      this.#ctx.emit({ type: "stepdown", term: this.#term, reason: "check-quorum" });
      this.#becomeFollower(this.#term, null);
      return;
    }
    this.#ctx.setTimer(T_QUORUM, this.config.electionTimeoutMsMin);
  }

  #promotable(): boolean {
    return this.#log.config.servers.includes(this.id);
  }

  #heardFromLeaderRecently(): boolean {
    if (this.#role === "leader") return true;
    return this.#leaderId !== null &&
      this.#ctx.nowMs() - this.#lastLeaderContactMs < this.config.electionTimeoutMsMin;
  }

  #inLease(): boolean {
    return this.config.checkQuorum && this.#heardFromLeaderRecently();
  }

  #isQuorum(has: (id: NodeId) => boolean): boolean {
    const servers = this.#log.config.servers;
    let n = 0;
    for (const id of servers) if (has(id)) n++;
    return n >= Math.floor(servers.length / 2) + 1;
  }

  // ---- replication (§5.3), leader side ------------------------------------------------------

  /** Append a new entry of this leader (`index` is lastIndex + 1, `term` the current term). */
  #appendLocal(e: LogEntry): LogEntry {
    // built here and handed to the log: frozen in place when its values are immutable already
    const f = freezeInPlace(e) ?? e;
    this.#appendToLog([f]);
    return f;
  }

  #afterLocalAppend(): void {
    for (const peer of this.#progress.keys()) this.#sendAppend(peer, false);
    this.#maybeCommit();
  }

  #syncProgress(): void {
    const servers = this.#log.config.servers;
    for (const id of servers) {
      if (id === this.id || this.#progress.has(id)) continue;
      this.#progress.set(id, {
        match: 0,
        next: this.#log.lastIndex + 1,
        probing: true,
        probeSent: false,
        active: true,
        ackedSeq: 0,
      });
    }
    for (const id of [...this.#progress.keys()]) {
      if (!servers.includes(id)) this.#progress.delete(id);
    }
  }

  #broadcastHeartbeat(): void {
    this.#round++;
    this.#roundSentAt.set(this.#round, this.#ctx.nowMs());
    for (const peer of this.#progress.keys()) this.#sendAppend(peer, true);
    this.#advanceReads();
  }

  /**
   * Send what the follower needs next. A heartbeat always sends (re-sending a lost probe, or the
   * unacknowledged entries after matchIndex); otherwise a probing follower gets one message at a
   * time and a replicating one gets new entries pipelined, nextIndex advancing optimistically.
   */
  #sendAppend(peer: NodeId, heartbeat: boolean, pr = this.#progress.get(peer)!): void {
    if (!heartbeat && pr.probing && pr.probeSent) return;
    const log = this.#log;
    let prev = heartbeat && !pr.probing ? pr.match : pr.next - 1;
    if (prev < log.snapshotIndex) prev = pr.next - 1;
    // §7: the entries the follower needs were compacted away, so send the snapshot
    if (prev < log.snapshotIndex) return this.#sendSnapshot(peer, pr);
    const last = Math.min(log.lastIndex, prev + this.config.maxEntriesPerAppend);
    if (!heartbeat && last <= prev) return;
    this.#send(peer, {
      type: "AppendEntries",
      term: this.#term,
      leaderId: this.id,
      prevLogIndex: prev,
      prevLogTerm: log.termAt(prev)!,
      entries: last > prev ? log.sharedSlice(prev + 1, last) : NO_ENTRIES,
      leaderCommit: this.#commitIndex,
      seq: this.#round,
    });
    if (pr.probing) pr.probeSent = true;
    else if (last + 1 > pr.next) pr.next = last + 1;
  }

  /** After an answer that may have changed the role or the configuration: send more if still due. */
  #sendAppendAgain(peer: NodeId): void {
    if (this.#role !== "leader") return;
    const pr = this.#progress.get(peer);
    if (pr !== undefined) this.#sendAppend(peer, false, pr);
  }

  #sendSnapshot(peer: NodeId, pr: Progress): void {
    const snap = this.#log.snapshot;
    this.#send(peer, {
      type: "InstallSnapshot",
      term: this.#term,
      leaderId: this.id,
      lastIncludedIndex: snap.lastIncludedIndex,
      lastIncludedTerm: snap.lastIncludedTerm,
      servers: snap.servers,
      data: snap.data,
      seq: this.#round,
    });
    pr.probing = true;
    pr.probeSent = true;
  }

  #handleAppendResponse(from: NodeId, m: AppendEntriesResponse): void {
    const pr = this.#progress.get(from);
    if (!pr) return;
    pr.active = true;
    this.#noteAck(pr, m.seq);
    if (m.success) {
      if (m.matchIndex > pr.match) pr.match = m.matchIndex;
      if (pr.probing) {
        pr.probing = false;
        pr.probeSent = false;
        pr.next = pr.match + 1;
      } else if (pr.next < pr.match + 1) {
        pr.next = pr.match + 1;
      }
      this.#maybeCommit();
      this.#sendAppendAgain(from);
      return;
    }
    // a rejection is news only for the probe in flight, or for entries past matchIndex
    if (pr.probing ? m.prevLogIndex !== pr.next - 1 : m.prevLogIndex <= pr.match) return;
    // thesis §3.5 (paper §5.3): skip the follower's whole conflicting term at once
    let next = m.conflictIndex;
    if (m.conflictTerm > 0) {
      const last = this.#log.lastIndexOfTerm(m.conflictTerm, m.prevLogIndex);
      if (last > 0) next = last + 1;
    }
    pr.next = Math.max(pr.match + 1, Math.min(next, m.prevLogIndex));
    pr.probing = true;
    pr.probeSent = false;
    this.#sendAppend(from, false);
  }

  #handleSnapshotResponse(from: NodeId, m: InstallSnapshotResponse): void {
    const pr = this.#progress.get(from);
    if (!pr) return;
    pr.active = true;
    this.#noteAck(pr, m.seq);
    if (m.matchIndex > pr.match) pr.match = m.matchIndex;
    pr.probing = false;
    // Stryker disable next-line BooleanLiteral: equivalent — probeSent is read only as `probing && probeSent`, probing is false here, and every place that sets probing sets probeSent too
    pr.probeSent = false;
    pr.next = pr.match + 1;
    this.#maybeCommit();
    this.#sendAppendAgain(from);
  }

  #noteAck(pr: Progress, seq: number): void {
    if (seq > pr.ackedSeq) {
      pr.ackedSeq = seq;
      this.#advanceReads();
    }
  }

  /** The newest heartbeat round a majority acknowledged confirms leadership as of its start. */
  #advanceReads(): void {
    const servers = this.#log.config.servers;
    const acks = this.#scratch;
    const n = servers.length;
    for (let i = 0; i < n; i++) {
      const id = servers[i];
      // Stryker disable next-line OptionalChaining: equivalent — only a leader gets here (heartbeat rounds and acks are leader-only), and a leader's progress holds every server of its configuration but itself (#syncProgress on election and on every config entry it appends)
      acks[i] = id === this.id ? this.#round : this.#progress.get(id)?.ackedSeq ?? 0;
    }
    const need = Math.floor(n / 2) + 1;
    if (n < need) return;
    const q = kthLargest(acks, n, need);
    if (q > this.#quorumRound) {
      this.#quorumRound = q;
      const t = this.#roundSentAt.get(q);
      if (t !== undefined && t > this.#leaseStartMs) this.#leaseStartMs = t;
      // Stryker disable next-line BlockStatement: equivalent — memory only: a round below quorumRound is never looked up again (lookups are of rounds above it, quorumRound only grows, rounds are never reused and the map is cleared on election)
      for (const k of this.#roundSentAt.keys()) {
        if (k >= q) break;
        this.#roundSentAt.delete(k);
      }
    }
    if (this.#readsAwaitingRound.length === 0) return;
    const ready = this.#readsAwaitingRound.filter((r) => r.round <= this.#quorumRound);
    if (ready.length === 0) return;
    this.#readsAwaitingRound = this.#readsAwaitingRound.filter((r) => r.round > this.#quorumRound);
    for (const r of ready) this.#whenApplied(r.index, r.cb);
  }

  #maybeCommit(): void {
    if (this.#role !== "leader") return;
    const servers = this.#log.config.servers;
    const matches = this.#scratch;
    const count = servers.length;
    for (let i = 0; i < count; i++) {
      const id = servers[i];
      // Stryker disable next-line OptionalChaining: equivalent — only a leader gets here, and a leader's progress holds every server of its configuration but itself (#syncProgress on election and on every config entry it appends; a leader never truncates or installs a snapshot)
      matches[i] = id === this.id ? this.#log.lastIndex : this.#progress.get(id)?.match ?? 0;
    }
    const need = Math.floor(count / 2) + 1;
    if (count < need) return;
    const n = kthLargest(matches, count, need);
    if (n <= this.#commitIndex) return;
    // §5.4.2: only entries of the current term are committed by counting replicas; earlier ones
    // commit indirectly with them (Figure 8 shows why)
    if (this.#log.termAt(n) !== this.#term && !this.config.mistakeCommitPreviousTermByCounting) {
      return;
    }
    this.#commitTo(n);
  }

  // ---- replication (§5.3), follower side ----------------------------------------------------

  #handleAppendEntries(from: NodeId, m: AppendEntries): void {
    const log = this.#log;
    let prevIndex = m.prevLogIndex;
    let prevTerm = m.prevLogTerm;
    let entries = m.entries;
    if (prevIndex < log.snapshotIndex) {
      // our snapshot holds only committed entries, which the leader has too (leader completeness)
      const skip = log.snapshotIndex - prevIndex;
      if (skip >= entries.length) {
        return this.#replyAppend(from, m, true, log.snapshotIndex, 0, 0);
      }
      entries = entries.slice(skip);
      prevIndex = log.snapshotIndex;
      prevTerm = log.snapshotTerm;
    }
    // §5.3 consistency check: reject unless our log has an entry at prevLogIndex of prevLogTerm
    if (prevIndex > log.lastIndex) {
      return this.#replyAppend(from, m, false, 0, 0, log.lastIndex + 1);
    }
    const t = log.termAt(prevIndex)!;
    if (t !== prevTerm) {
      return this.#replyAppend(from, m, false, 0, t, log.firstIndexOfTerm(t, prevIndex));
    }
    // Figure 2 rules 3–4: delete a conflicting entry and all after it; append new entries.
    // Entries that match are kept, so a late, reordered AppendEntries never truncates the log.
    // MISTAKE flag mistakeTruncateOnAppend: drop everything after prevLogIndex first; a delayed,
    // shorter AppendEntries then erases acknowledged entries (the leader counted them)
    if (this.config.mistakeTruncateOnAppend && prevIndex < log.lastIndex) {
      log.truncateFrom(prevIndex + 1);
    }
    let k = 0;
    for (; k < entries.length; k++) {
      const e = entries[k];
      if (e.index > log.lastIndex) break;
      if (log.termAt(e.index) !== e.term) {
        log.truncateFrom(e.index);
        break;
      }
    }
    if (k < entries.length) this.#appendToLog(k === 0 ? entries : entries.slice(k));
    const matchIndex = prevIndex + entries.length;
    // Figure 2 rule 5: commitIndex = min(leaderCommit, index of last new entry)
    if (m.leaderCommit > this.#commitIndex) {
      // MISTAKE flag mistakeCommitIndexUnbounded: bound by the last log index instead, which may
      // commit stale entries past the ones this AppendEntries checked
      const c = Math.min(
        m.leaderCommit,
        this.config.mistakeCommitIndexUnbounded ? log.lastIndex : matchIndex,
      );
      if (c > this.#commitIndex) this.#commitTo(c);
    }
    this.#replyAppend(from, m, true, matchIndex, 0, 0);
  }

  #replyAppend(
    to: NodeId,
    m: AppendEntries,
    success: boolean,
    matchIndex: number,
    conflictTerm: number,
    conflictIndex: number,
  ): void {
    this.#send(to, {
      type: "AppendEntriesResponse",
      term: this.#term,
      success,
      prevLogIndex: m.prevLogIndex,
      matchIndex,
      conflictTerm,
      conflictIndex,
      seq: m.seq,
    });
  }

  #handleInstallSnapshot(from: NodeId, m: InstallSnapshot): void {
    const reply = (matchIndex: number) =>
      this.#send(from, {
        type: "InstallSnapshotResponse",
        term: this.#term,
        matchIndex,
        seq: m.seq,
      });
    // committed entries already match the leader's; nothing to install
    if (m.lastIncludedIndex <= this.#commitIndex) return reply(this.#commitIndex);
    const snap: Snapshot = {
      lastIncludedIndex: m.lastIncludedIndex,
      lastIncludedTerm: m.lastIncludedTerm,
      servers: [...m.servers],
      // messages are shared objects in the simulator: never keep the leader's copy
      data: structuredClone(m.data),
    };
    // Figure 13 rules 6–8: keep a matching suffix, else discard the log; reset the state machine
    this.#log.install(snap);
    this.#commitIndex = this.#lastApplied = snap.lastIncludedIndex;
    this.#hooks.restore?.(structuredClone(snap.data), snap.lastIncludedIndex);
    this.#ctx.emit({
      type: "snapshot-install",
      index: snap.lastIncludedIndex,
      term: snap.lastIncludedTerm,
    });
    reply(snap.lastIncludedIndex);
  }

  // ---- log, commit and apply ----------------------------------------------------------------

  #appendToLog(entries: readonly LogEntry[]): void {
    const listeners = this.#listeners;
    const prevTerm = listeners.length ? this.#log.termAt(entries[0].index - 1) ?? 0 : 0;
    const configBefore = this.#log.config;
    this.#log.append(entries);
    if (this.#log.config !== configBefore && this.#role === "leader") this.#syncProgress();
    for (const l of listeners) l(entries, prevTerm);
  }

  #commitTo(index: number): void {
    this.#commitIndex = index;
    // Stryker disable next-line ConditionalExpression: equivalent — performance only (→ true): an event nobody records or reads is built and dropped by emit (→ false is killed, but cannot be kept alone)
    if (this.#ctx.observed !== false) {
      this.#ctx.emit({
        type: "commit",
        index,
        term: this.#log.termAt(index),
        currentTerm: this.#term,
      });
    }
    this.#applyCommitted();
    if (
      this.#role === "leader" && !this.#promotable() && this.#log.config.index <= this.#commitIndex
    ) {
      // thesis §4.2.2: a leader removed from the configuration steps down once that is committed
      this.#ctx.emit({ type: "stepdown", term: this.#term, reason: "removed" });
      this.#becomeFollower(this.#term, null);
      return;
    }
    if (this.#role === "leader" && this.#readsAwaitingTermCommit.length) {
      if (this.#log.termAt(this.#commitIndex) === this.#term) {
        const reads = this.#readsAwaitingTermCommit;
        this.#readsAwaitingTermCommit = [];
        for (const r of reads) this.#startRead(r.cb, r.lease);
      }
    }
  }

  #applyCommitted(): void {
    // building the apply events is skipped while nobody records or reads them
    // Stryker disable next-line ConditionalExpression: equivalent — performance only (→ true): an event nobody records or reads is built and dropped by emit (→ false is killed, but cannot be kept alone)
    const observed = this.#ctx.observed !== false;
    while (this.#lastApplied < this.#commitIndex) {
      const i = this.#lastApplied + 1;
      const e = this.#log.entryAt(i)!;
      this.#lastApplied = i;
      switch (e.kind) {
        case "command":
          // Stryker disable next-line ConditionalExpression: equivalent — performance only (→ true): an event nobody records or reads is built and dropped by emit (→ false is killed, but cannot be kept alone)
          if (observed) {
            this.#ctx.emit({
              type: "apply",
              index: i,
              term: e.term,
              kind: e.kind,
              command: e.command,
            });
          }
          this.#hooks.apply({ index: i, command: e.command as C });
          break;
        case "config":
          this.#ctx.emit({
            type: "apply",
            index: i,
            term: e.term,
            kind: e.kind,
            servers: e.servers,
          });
          break;
        case "noop":
          this.#ctx.emit({ type: "apply", index: i, term: e.term, kind: e.kind });
          break;
      }
    }
    this.#maybeSnapshot();
    if (this.#readsAwaitingApply.length) {
      // Stryker disable next-line MethodExpression: equivalent — here lastApplied = commitIndex, and every waiting read was queued at a commitIndex no later than now (commitIndex never falls within an instance)
      const ready = this.#readsAwaitingApply.filter((r) => r.index <= this.#lastApplied);
      // Stryker disable next-line ArrowFunction: equivalent — for the same reason no waiting read is past lastApplied here, so this filter keeps nothing whatever its predicate says
      this.#readsAwaitingApply = this.#readsAwaitingApply.filter((r) =>
        r.index > this.#lastApplied
      );
      for (const r of ready) r.cb({ ok: true, index: r.index });
    }
  }

  #maybeSnapshot(): void {
    const threshold = this.config.snapshotThresholdEntries;
    if (threshold === 0 || this.#lastApplied - this.#log.snapshotIndex < threshold) return;
    // §7: each server snapshots its own committed state independently
    const index = this.#lastApplied;
    const snap: Snapshot = {
      lastIncludedIndex: index,
      lastIncludedTerm: this.#log.termAt(index)!,
      servers: this.#log.configAt(index).servers,
      data: this.#hooks.snapshot ? this.#hooks.snapshot() : null,
    };
    this.#log.compact(snap);
    this.#ctx.emit({ type: "snapshot", index, term: snap.lastIncludedTerm });
  }

  // ---- effects ------------------------------------------------------------------------------

  #persistTermAndVote(): void {
    this.#ctx.storage.set(TERM_KEY, this.#term);
    // MISTAKE flag: votedFor lives only in memory, so a restart forgets a vote cast in this term
    if (!this.config.mistakeVolatileVotedFor) this.#ctx.storage.set(VOTE_KEY, this.#votedFor);
  }

  #resetElectionTimer(): void {
    const c = this.config;
    this.#ctx.setTimer(
      T_ELECTION,
      this.#ctx.rng.uniform(c.electionTimeoutMsMin, c.electionTimeoutMsMax),
    );
  }

  #emitRole(): void {
    this.#ctx.emit({ type: "role", role: this.#role, term: this.#term });
  }

  #send(to: NodeId, msg: RaftMessage): void {
    this.#ctx.send(to, msg);
  }
}

/**
 * A node factory for a cluster of bare Raft nodes.
 * @example
 * ```ts
 * const { sim } = createCluster({ seed: 7, nodes: 5, factory: raftFactory({ preVote: true }) });
 * ```
 */
export function raftFactory<C = unknown>(
  config: RaftConfigInput = {},
  hooks?: (ctx: NodeContext<RaftMessage>) => ReplicatedLogHooks<C>,
): (ctx: NodeContext<RaftMessage>) => RaftNode<C> {
  const parsed = parseConfig(RaftConfigSchema, config, "raft config");
  return withMemberCheck(
    (ctx: NodeContext<RaftMessage>) => new RaftNode<C>(ctx, config, hooks ? hooks(ctx) : undefined),
    raftMemberCheck(parsed, "raft config", "servers"),
  );
}

/**
 * The member check of a Raft configuration: every id in `servers` must be a server of the
 * cluster (a ConfigError naming `what` and `path` otherwise).
 */
export function raftMemberCheck(config: RaftConfig, what: string, path: string): MemberCheck {
  return (servers) => {
    const issues = unknownMembers(config.servers, servers, path);
    if (issues.length) throw new ConfigError(what, issues);
  };
}
