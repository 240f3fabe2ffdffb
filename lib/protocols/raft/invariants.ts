/**
 * Raft's safety properties (Figure 3 of the extended paper), checked on every simulator event,
 * and liveness figures read from the same run.
 *
 * - Election safety: at most one leader per term (from `leader` events).
 * - Log matching: two logs with an entry of the same index and term agree on it and on every
 *   entry before it. Checked incrementally: an (index, term) pair must always carry the same data
 *   and follow the same previous term, which by induction gives identical prefixes.
 * - Leader completeness: an entry committed in a term is in the log of every leader of a later
 *   term (checked when a leader is elected, against the commits seen so far).
 * - State machine safety: no two servers apply (or commit) different entries at one index.
 *
 * The first breach is kept with its trace position, seed and time; attached to a simulation the
 * checker throws it from `afterEach`, which stops the run at the offending event.
 * @module
 */
import type { EmittedEvent, Simulation } from "../../sim/simulation.ts";
import type { NodeId } from "../../sim/types.ts";
import { stableStringify } from "../../sim/trace.ts";
import { logNodeOf } from "../kv/replicated_log.ts";
import { describeInvariantBreach, type InvariantBreach, InvariantError } from "../../sim/errors.ts";
import type { LogEntry } from "./messages.ts";
import { RaftNode } from "./node.ts";

/** The name of a Raft safety property. */
export type RaftInvariantName =
  | "election-safety"
  | "log-matching"
  | "leader-completeness"
  | "state-machine-safety";

/** The first violation of a safety property, with where to find it. */
export type RaftBreach = InvariantBreach<RaftInvariantName>;

/** Thrown (from `afterEach`) when a safety property is violated. */
export class RaftInvariantError extends InvariantError<RaftBreach> {
  /** Error name shown in stack traces and `String(err)`. */
  override name = "RaftInvariantError";
  /** An error describing `breach`. */
  constructor(breach: RaftBreach) {
    super(breach, describeBreach(breach));
  }
}

/** One line: invariant, seed, time, event and trace position, then the detail. */
export function describeBreach(b: RaftBreach): string {
  return describeInvariantBreach("raft", b);
}

/** Liveness figures of a run. */
export interface RaftLiveness {
  /** First time some node was the leader that counts (NaN if never; see `electionMs`). */
  readonly firstLeaderMs: number;
  /**
   * Total time without a leader that counts, from the first leader to `endMs`. A leader counts
   * when it is live and a majority of its configuration is live at its term or below.
   */
  readonly leaderlessMs: number;
  /** Intervals without a leader that counts, after the first (an open one ends at `endMs`). */
  readonly leaderlessIntervals: readonly { readonly fromMs: number; readonly toMs: number }[];
  /** For each leader loss that ended: time until the next leader was elected. */
  readonly electionMs: readonly number[];
  /** Number of times the leader that counts changed (or appeared). */
  readonly leaderChanges: number;
  /** For each client command: time from the leader's propose to that leader's commit. */
  readonly commitLatencyMs: readonly number[];
  /** Proposals never seen committed by their leader. */
  readonly uncommittedProposals: number;
}

/** Options of {@link RaftInvariants}. */
export interface RaftInvariantsOptions {
  /** Find the Raft node inside a node's object (default: the object, or its `log` field). */
  readonly raftOf?: (instance: unknown) => RaftNode | undefined;
  /** Throw the first breach from `afterEach` (default true); else only record it. */
  readonly throwOnBreach?: boolean;
  /** Seed to report when events are fed by hand (attach uses the simulation's). */
  readonly seed?: number | string;
}

/** The Raft node inside a node object: the object itself or its `log` field. */
export function defaultRaftOf(instance: unknown): RaftNode | undefined {
  return logNodeOf(instance, RaftNode);
}

interface SeenEntry {
  readonly prevTerm: number;
  readonly digest: string;
  readonly node: NodeId;
}

const digests = new WeakMap<object, string>();

function digestOf(e: LogEntry): string {
  let d = digests.get(e);
  if (d === undefined) {
    d = e.kind === "command"
      ? `command:${stableStringify(e.command)}`
      : e.kind === "config"
      ? `config:${stableStringify(e.servers)}`
      : "noop";
    digests.set(e, d);
  }
  return d;
}

function eventDigest(ev: Record<string, unknown>): string {
  const kind = ev.kind as string;
  return kind === "command"
    ? `command:${stableStringify(ev.command)}`
    : kind === "config"
    ? `config:${stableStringify(ev.servers)}`
    : "noop";
}

/**
 * The Raft safety checker.
 * @example
 * ```ts
 * const { sim } = createCluster({ seed: 3, nodes: 5, factory: raftFactory() });
 * const inv = new RaftInvariants().attach(sim);
 * sim.run({ untilMs: 10_000 }); // throws RaftInvariantError at the first breach
 * inv.liveness().electionMs;
 * ```
 */
export class RaftInvariants {
  #raftOf: (instance: unknown) => RaftNode | undefined;
  #throw: boolean;
  #seed: number | string | undefined;
  #sim: Simulation<unknown> | undefined;
  #breach: RaftBreach | undefined;
  #thrown = false;
  #events = 0;
  #instances = new Map<NodeId, unknown>();
  #leaders = new Map<number, NodeId>();
  #seen = new Map<string, SeenEntry>();
  #committed = new Map<number, { term: number; node: NodeId }>();
  /** For each label term (the committing node's term), the highest committed index and its term. */
  #commitByLabel = new Map<number, { index: number; term: number; node: NodeId }>();
  #applied = new Map<number, { term: number; digest: string; node: NodeId }>();
  // liveness
  #leader: NodeId | undefined;
  #firstLeaderMs = NaN;
  #leaderlessFrom: number | undefined;
  #leaderless: { fromMs: number; toMs: number }[] = [];
  #leaderChanges = 0;
  #proposals = new Map<NodeId, { index: number; t: number }[]>();
  #commitLatency: number[] = [];
  #abandoned = 0;
  #now = 0;

  /** A checker; attach it to a simulation or feed it events with {@link observe}. */
  constructor(options: RaftInvariantsOptions = {}) {
    this.#raftOf = options.raftOf ?? defaultRaftOf;
    this.#throw = options.throwOnBreach ?? true;
    this.#seed = options.seed;
  }

  /** The first breach, if any. */
  get breach(): RaftBreach | undefined {
    return this.#breach;
  }

  /** Events handled since attaching. */
  get eventsChecked(): number {
    return this.#events;
  }

  /**
   * Check every event of `sim` from now on: protocol events as they are emitted, logs as they
   * change, and the leader situation after each event. Returns this checker.
   */
  attach<M>(sim: Simulation<M>): this {
    const s = sim as unknown as Simulation<unknown>;
    this.#sim = s;
    this.#seed = sim.seed;
    sim.onEvent((e) => this.observe(e));
    sim.afterEach(() => this.#afterEach());
    return this;
  }

  /**
   * Feed one protocol event. Without an attached simulation only election safety and state
   * machine safety are checked (log matching and leader completeness need the logs).
   */
  observe(e: EmittedEvent): void {
    this.#now = e.t;
    const ev = e.event as Record<string, unknown>;
    switch (e.event.type) {
      case "leader":
        return this.#onLeader(e.node, ev.term as number);
      case "commit":
        return this.#onCommit(e.node, ev);
      case "apply":
        return this.#onApply(e.node, ev);
      case "snapshot-install":
        return this.#onSnapshotInstall(e.node, ev);
      case "role": {
        // proposals a deposed leader never saw committed are abandoned
        const q = this.#proposals.get(e.node);
        if (ev.role !== "leader" && q && q.length) {
          this.#abandoned += q.length;
          q.length = 0;
        }
        return;
      }
      case "propose": {
        let q = this.#proposals.get(e.node);
        if (!q) this.#proposals.set(e.node, q = []);
        q.push({ index: ev.index as number, t: e.t });
        return;
      }
    }
  }

  /** Liveness figures up to `endMs` (default: the simulation's current time). */
  liveness(endMs?: number): RaftLiveness {
    const end = endMs ?? this.#sim?.nowMs ?? this.#now;
    const intervals = this.#leaderless.slice();
    if (this.#leaderlessFrom !== undefined) {
      intervals.push({ fromMs: this.#leaderlessFrom, toMs: end });
    }
    let uncommitted = this.#abandoned;
    for (const q of this.#proposals.values()) uncommitted += q.length;
    return {
      firstLeaderMs: this.#firstLeaderMs,
      leaderlessMs: intervals.reduce((a, i) => a + (i.toMs - i.fromMs), 0),
      leaderlessIntervals: intervals,
      electionMs: this.#leaderless.map((i) => i.toMs - i.fromMs),
      leaderChanges: this.#leaderChanges,
      commitLatencyMs: this.#commitLatency.slice(),
      uncommittedProposals: uncommitted,
    };
  }

  // ---- checks -------------------------------------------------------------------------------

  #report(invariant: RaftInvariantName, node: NodeId, message: string): void {
    if (this.#breach) return;
    this.#breach = {
      invariant,
      message,
      node,
      timeMs: this.#sim?.nowMs ?? this.#now,
      eventIndex: this.#events + 1,
      traceIndex: this.#sim?.trace.count ?? 0,
      seed: this.#seed,
    };
  }

  #afterEach(): void {
    const sim = this.#sim!;
    for (const id of sim.serverIds) {
      const inst = sim.instanceOf(id);
      if (inst !== this.#instances.get(id)) {
        this.#instances.set(id, inst);
        const raft = inst ? this.#raftOf(inst) : undefined;
        if (raft) this.#watch(id, raft);
      }
    }
    this.#trackLeader(sim);
    // counted last: a breach found above (a restarted server's stored log, the leader check)
    // belongs to the event just handled, numbered #events + 1 like those found during it
    this.#events++;
    if (this.#breach && this.#throw && !this.#thrown) {
      this.#thrown = true;
      throw new RaftInvariantError(this.#breach);
    }
  }

  #watch(id: NodeId, raft: RaftNode): void {
    raft.onLogAppend((entries, prevTerm) => this.#checkEntries(id, entries, prevTerm));
    // a new object (start or restart) rebuilt its log from storage: check what it holds
    const log = raft.logEntries();
    if (log.length) this.#checkEntries(id, log, raft.snapshotTerm);
  }

  #checkEntries(node: NodeId, entries: readonly LogEntry[], prevTerm: number): void {
    let pt = prevTerm;
    for (const e of entries) {
      const key = `${e.index}/${e.term}`;
      const d = digestOf(e);
      const seen = this.#seen.get(key);
      if (!seen) {
        this.#seen.set(key, { prevTerm: pt, digest: d, node });
      } else if (seen.digest !== d) {
        this.#report(
          "log-matching",
          node,
          `${node} and ${seen.node} hold different entries at index ${e.index} term ${e.term}: ` +
            `${d} vs ${seen.digest}`,
        );
      } else if (seen.prevTerm !== pt) {
        this.#report(
          "log-matching",
          node,
          `${node} and ${seen.node} agree on index ${e.index} term ${e.term} but not on the ` +
            `entry before it (term ${pt} vs ${seen.prevTerm})`,
        );
      }
      pt = e.term;
    }
  }

  #onLeader(node: NodeId, term: number): void {
    const other = this.#leaders.get(term);
    if (other !== undefined && other !== node) {
      this.#report(
        "election-safety",
        node,
        `${node} and ${other} are both leaders of term ${term}`,
      );
      return;
    }
    this.#leaders.set(term, node);
    const raft = this.#sim ? this.#raftOf(this.#sim.instanceOf(node)) : undefined;
    if (!raft) return;
    // every entry committed in an earlier term must be in the new leader's log
    let best: { index: number; term: number; node: NodeId } | undefined;
    for (const [label, c] of this.#commitByLabel) {
      if (label < term && (!best || c.index > best.index)) best = c;
    }
    // entries inside the snapshot are gone, but its last one's term is known: check it too
    if (!best || best.index < raft.snapshotIndex) return;
    const t = raft.termAt(best.index);
    if (t !== best.term) {
      this.#report(
        "leader-completeness",
        node,
        `${node} became leader of term ${term} without the entry committed at index ` +
          `${best.index} (term ${best.term}, committed by ${best.node}); its log has ` +
          (t === undefined ? `no entry there (last index ${raft.lastLogIndex})` : `term ${t}`),
      );
    }
  }

  #onCommit(node: NodeId, ev: Record<string, unknown>): void {
    const index = ev.index as number, term = ev.term as number;
    const label = (ev.currentTerm as number | undefined) ?? term;
    const prior = this.#committed.get(index);
    if (prior && prior.term !== term) {
      this.#report(
        "state-machine-safety",
        node,
        `${node} committed index ${index} with term ${term}, ${prior.node} with term ${prior.term}`,
      );
      return;
    }
    if (!prior) this.#committed.set(index, { term, node });
    const c = this.#commitByLabel.get(label);
    if (!c || index > c.index) this.#commitByLabel.set(label, { index, term, node });
    const q = this.#proposals.get(node);
    while (q && q.length && q[0].index <= index) {
      const p = q.shift()!;
      this.#commitLatency.push(this.#now - p.t);
    }
  }

  #onApply(node: NodeId, ev: Record<string, unknown>): void {
    const index = ev.index as number, term = ev.term as number;
    const digest = eventDigest(ev);
    const prior = this.#applied.get(index);
    if (!prior) {
      this.#applied.set(index, { term, digest, node });
      return;
    }
    if (prior.term !== term || prior.digest !== digest) {
      this.#report(
        "state-machine-safety",
        node,
        `${node} applied ${digest} (term ${term}) at index ${index}, but ${prior.node} applied ` +
          `${prior.digest} (term ${prior.term})`,
      );
    }
  }

  #onSnapshotInstall(node: NodeId, ev: Record<string, unknown>): void {
    const index = ev.index as number, term = ev.term as number;
    const prior = this.#applied.get(index) ?? this.#committed.get(index);
    if (prior && prior.term !== term) {
      this.#report(
        "state-machine-safety",
        node,
        `${node} installed a snapshot ending at index ${index} term ${term}, but ${prior.node} ` +
          `applied term ${prior.term} there`,
      );
    }
  }

  /**
   * The leader that counts: a live leader whose configuration has a majority of live servers at
   * its term or below (so a deposed leader cut off in a minority, or a leader whose majority has
   * moved on to a newer term, does not count; minority candidates with inflated terms do not
   * dispute a working leader).
   */
  #trackLeader(sim: Simulation<unknown>): void {
    let leader: NodeId | undefined;
    let best = -1;
    for (const id of sim.serverIds) {
      const raft = this.#raftOf(sim.instanceOf(id));
      if (!raft || raft.role !== "leader" || raft.term <= best) continue;
      const servers = raft.servers;
      let support = 0;
      for (const s of servers) {
        const r = s === id ? raft : this.#raftOf(sim.instanceOf(s));
        if (r && r.term <= raft.term) support++;
      }
      if (support >= Math.floor(servers.length / 2) + 1) {
        leader = id;
        best = raft.term;
      }
    }
    if (leader === this.#leader) return;
    const now = sim.nowMs;
    if (leader !== undefined) {
      if (Number.isNaN(this.#firstLeaderMs)) this.#firstLeaderMs = now;
      if (this.#leaderlessFrom !== undefined) {
        this.#leaderless.push({ fromMs: this.#leaderlessFrom, toMs: now });
        this.#leaderlessFrom = undefined;
      }
      this.#leaderChanges++;
    } else if (!Number.isNaN(this.#firstLeaderMs)) {
      this.#leaderlessFrom = now;
    }
    this.#leader = leader;
  }
}
