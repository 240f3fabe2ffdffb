/**
 * A Paxos node: any combination of the proposer, acceptor and learner roles (Lamport, "Paxos
 * Made Simple", 2001; van Renesse & Altinbuken, "Paxos Made Moderately Complex", 2015). With one
 * slot it is single-decree Paxos; with a log of slots and a stable leader it is Multi-Paxos, and it
 * implements the protocol-neutral {@link ReplicatedLog} so the key-value store runs on it exactly
 * as on Raft. It is sans-I/O: every effect goes through the context.
 *
 * Roles talk to each other by messages even on one node: a message to oneself is delivered
 * locally (no network, no trace record) right after the current handler, so every role sees
 * exactly the messages of the protocol and nothing else.
 *
 * **Leader election (our design).** Ballots are Raft's terms: a ballot (round, proposer id) is
 * owned by one proposer, and its phase 1 is the election (a promise is a vote; unlike Raft, any
 * proposer can win, because phase 1 hands it every value it must re-propose). The leader of the
 * highest ballot sends a `Heartbeat` every `heartbeatIntervalMs` to every node; a proposer that
 * hears neither a heartbeat nor an Accept of a ballot at least as high as any it has seen for a
 * randomized election timeout (uniform in [`electionTimeoutMsMin`, `electionTimeoutMsMax`],
 * re-drawn each time, as in Raft §5.2) starts phase 1 with a higher round; a candidate whose
 * phase 1 does not complete within a timeout tries again higher. Any higher ballot preempts a
 * candidate or leader, which becomes a follower and waits for the next timeout. Heartbeats are
 * also answered by acceptors (`HeartbeatAck`, or `Nack` when they promised more), which gives
 * ReadIndex its leadership check and tells a deposed leader at once that it was preempted. There
 * are no leader leases: reads either go through the log or pay a heartbeat round.
 *
 * Events (for checkers and charts):
 * - `{ type: "role", role, term, ballot }` on every proposer status change (and at start);
 * - `{ type: "ballot", ballot, fromSlot }` when a proposer starts phase 1;
 * - `{ type: "leader", ballot, term }` when phase 1 succeeds;
 * - `{ type: "preempted", ballot, by }` when a higher ballot preempts a candidate or leader;
 * - `{ type: "propose", slot, ballot }` when a leader gives a client value a slot;
 * - `{ type: "accept", slot, ballot, value }` when an acceptor accepts;
 * - `{ type: "chosen", slot, ballot, value }` when a proposer sees a majority accept;
 * - `{ type: "decide", slot, value }` when a learner learns a slot.
 * @module
 */
import type { NodeContext, NodeId, ProtocolNode } from "../../sim/types.ts";
import { ConfigError, parseConfig } from "../../sim/errors.ts";
import { type MemberCheck, unknownMembers, withMemberCheck } from "../../sim/simulation.ts";
import type {
  ProposeResult,
  ReadResult,
  ReplicatedLog,
  ReplicatedLogHooks,
} from "../kv/replicated_log.ts";
import { type PaxosConfig, type PaxosConfigInput, PaxosConfigSchema } from "./config.ts";
import { Acceptor } from "./acceptor.ts";
import { Learner } from "./learner.ts";
import { Proposer, type ProposerStatus } from "./proposer.ts";
import { type Ballot, ballotKey, BOTTOM, type LogValue, type PaxosMessage } from "./messages.ts";

function byId(a: NodeId, b: NodeId): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The roles a node holds. */
export interface PaxosRoles {
  /** Runs phases 1 and 2 to get values chosen (Paxos Made Simple §2.1). */
  readonly proposer: boolean;
  /** Promises ballots and accepts values, remembering both durably (§2.2). */
  readonly acceptor: boolean;
  /** Learns which value is chosen in each slot and applies them in slot order (§2.3). */
  readonly learner: boolean;
}

/**
 * A Paxos node. Durable state: the acceptor's promise and accepted values, the learner's
 * decisions and the proposer's highest round; everything else is rebuilt after a restart.
 * @example
 * ```ts
 * const { sim } = createCluster<PaxosMessage>({ seed: 1, nodes: 3, factory: paxosFactory() });
 * sim.run({ untilMs: 1_000 });
 * const leader = sim.serverIds.find((id) => sim.instanceOf<PaxosNode>(id)!.isLeader())!;
 * sim.instanceOf<PaxosNode>(leader)!.propose("x"); // { ok: true, index: 1 }
 * ```
 */
export class PaxosNode<C = unknown>
  implements ProtocolNode<PaxosMessage>, ReplicatedLog<C, PaxosMessage> {
  /** Parameters with defaults applied. */
  readonly config: PaxosConfig;
  /** This node's id. */
  readonly id: NodeId;
  /** Which roles this node holds. */
  readonly roles: PaxosRoles;
  /** Nodes holding the proposer role (sorted). */
  readonly proposers: readonly NodeId[];
  /** Nodes holding the acceptor role (sorted); a majority of them is a quorum. */
  readonly acceptors: readonly NodeId[];
  /** Nodes holding the learner role (sorted). */
  readonly learners: readonly NodeId[];
  /** The acceptor role, if held. */
  readonly acceptor: Acceptor | undefined;
  /** The learner role, if held (every proposer is a learner). */
  readonly learner: Learner<C> | undefined;
  /** The proposer role, if held. */
  readonly proposer: Proposer | undefined;
  #ctx: NodeContext<PaxosMessage>;
  #local: PaxosMessage[] = [];
  #draining = false;
  #lastCatchUpMs = -Infinity;

  /**
   * Build a node over `ctx`, rebuilding durable state from `ctx.storage`. `hooks` connect a state
   * machine to the learner (default: none). Parameters are validated (a ConfigError names any
   * bad field); every proposer must also be a learner.
   */
  constructor(
    ctx: NodeContext<PaxosMessage>,
    config: PaxosConfigInput = {},
    hooks: ReplicatedLogHooks<C> = { apply() {} },
  ) {
    this.#ctx = ctx;
    this.id = ctx.self;
    this.config = parseConfig(PaxosConfigSchema, config, "paxos config");
    const all = [ctx.self, ...ctx.peers].sort(byId);
    this.proposers = (this.config.proposers ?? all).slice().sort(byId);
    this.acceptors = (this.config.acceptors ?? all).slice().sort(byId);
    this.learners = (this.config.learners ?? all).slice().sort(byId);
    const notLearning = this.proposers.filter((p) => !this.learners.includes(p));
    if (notLearning.length) {
      throw new ConfigError("paxos config", [{
        path: "learners",
        message: `every proposer must be a learner (it needs to know what is chosen); ` +
          `missing: ${notLearning.join(", ")}`,
      }]);
    }
    this.roles = {
      proposer: this.proposers.includes(ctx.self),
      acceptor: this.acceptors.includes(ctx.self),
      learner: this.learners.includes(ctx.self),
    };
    const emit = (e: { type: string; [k: string]: unknown }) => ctx.emit(e);
    this.acceptor = this.roles.acceptor
      ? new Acceptor(ctx.storage, emit, {
        forgetPromiseOnCrash: this.config.mistakeForgetPromiseOnCrash,
      })
      : undefined;
    this.learner = this.roles.learner ? new Learner<C>(ctx.storage, emit, hooks) : undefined;
    const everyone = [...new Set([...this.proposers, ...this.acceptors, ...this.learners])]
      .sort(byId);
    this.proposer = this.roles.proposer
      ? new Proposer({
        ctx,
        config: this.config,
        acceptors: this.acceptors,
        learners: this.learners,
        everyone,
        learner: this.learner as Learner<unknown>,
        localPromised: this.acceptor?.promised ?? BOTTOM,
        send: (to, msg) => this.#send(to, msg),
      })
      : undefined;
  }

  // ---- read-only views ----------------------------------------------------------------------

  /** The proposer's status ("follower" for a node without the role). */
  get status(): ProposerStatus {
    return this.proposer?.status ?? "follower";
  }
  /** The proposer's latest ballot. */
  get ballot(): Ballot {
    return this.proposer?.ballot ?? BOTTOM;
  }
  /** The acceptor's promised ballot. */
  get promised(): Ballot {
    return this.acceptor?.promised ?? BOTTOM;
  }
  /** Every slot below this one has been learned here. */
  get firstUnchosen(): number {
    return this.learner?.firstUnchosen ?? 1;
  }
  /** The value learned for `slot` here, if any. */
  valueAt(slot: number): LogValue | undefined {
    return this.learner?.valueAt(slot);
  }
  /** Whether this node is the leader of its ballot. */
  isLeader(): boolean {
    return this.proposer?.status === "leader";
  }
  /** The leader this node last heard from (itself when leader). */
  leaderHint(): NodeId | undefined {
    return this.proposer?.leaderId;
  }

  /** A plain snapshot of the node's state. */
  inspect(): {
    id: NodeId;
    roles: PaxosRoles;
    proposer: ReturnType<Proposer["inspect"]> | null;
    promised: string | null;
    acceptedSlots: number;
    firstUnchosen: number | null;
    lastApplied: number | null;
  } {
    return {
      id: this.id,
      roles: this.roles,
      proposer: this.proposer?.inspect() ?? null,
      promised: this.acceptor ? ballotKey(this.acceptor.promised) : null,
      acceptedSlots: this.acceptor?.acceptedCount ?? 0,
      firstUnchosen: this.learner?.firstUnchosen ?? null,
      lastApplied: this.learner?.lastApplied ?? null,
    };
  }

  // ---- lifecycle and client interface -------------------------------------------------------

  /** Start (or restart): apply what was learned before, then run as a follower. */
  start(): void {
    this.#entry(() => {
      this.learner?.start();
      this.proposer?.start();
    });
  }

  /** Run phase 1 now (as if the election timeout fired). */
  campaign(): void {
    this.#entry(() => this.proposer?.campaign());
  }

  /** Give `command` the next slot if this node leads (Multi-Paxos: phase 2 only). */
  propose(command: C): ProposeResult {
    if (!this.proposer) return { ok: false, reason: "not-leader" };
    return this.#entry(() => this.proposer!.propose(command));
  }

  /** Queue `command` at this proposer (see {@link Proposer.submit}). */
  submit(command: C): void {
    if (!this.proposer) throw new Error(`${this.id} is not a proposer`);
    this.#entry(() => this.proposer!.submit(command));
  }

  /** Linearizable read without a log write (see {@link Proposer.readIndex}); no leases. */
  readIndex(callback: (result: ReadResult) => void): void {
    if (!this.proposer) {
      callback({ ok: false, reason: "not-leader" });
      return;
    }
    this.#entry(() => this.proposer!.readIndex(callback));
  }

  /** A message arrived. */
  onMessage(from: NodeId, msg: PaxosMessage): void {
    this.#entry(() => this.#handle(from, msg));
  }

  /** A timer fired. */
  onTimer(name: string): void {
    this.#entry(() => this.proposer?.onTimer(name));
  }

  // ---- dispatch -----------------------------------------------------------------------------

  #handle(from: NodeId, m: PaxosMessage): void {
    switch (m.type) {
      case "Prepare": {
        if (this.acceptor) {
          const r = this.acceptor.prepare(m.ballot, m.fromSlot);
          this.#send(
            from,
            r.ok
              ? { type: "Promise", ballot: m.ballot, accepted: r.accepted }
              : { type: "Nack", ballot: m.ballot, promised: r.promised },
          );
        }
        this.proposer?.observe(from, m.ballot, "prepare");
        return;
      }
      case "Accept": {
        if (this.acceptor) {
          const r = this.acceptor.accept(m.ballot, m.slot, m.value);
          this.#send(
            from,
            r.ok
              ? { type: "Accepted", ballot: m.ballot, slot: m.slot }
              : { type: "Nack", ballot: m.ballot, promised: r.promised },
          );
        }
        this.proposer?.observe(from, m.ballot, "accept");
        return;
      }
      case "Heartbeat": {
        if (this.acceptor) {
          const r = this.acceptor.heartbeat(m.ballot);
          this.#send(
            from,
            r.ok
              ? { type: "HeartbeatAck", ballot: m.ballot, seq: m.seq }
              : { type: "Nack", ballot: m.ballot, promised: r.promised },
          );
        }
        // Stryker disable next-line StringLiteral: equivalent — observe compares kind only with "prepare", so any other string acts as "heartbeat" does
        this.proposer?.observe(from, m.ballot, "heartbeat");
        // (our own heartbeat never reports more than our learner knows: it cannot unlearn)
        if (this.learner && m.firstUnchosen > this.learner.firstUnchosen) {
          this.#catchUp(from, true);
        }
        return;
      }
      case "Promise":
        return this.proposer?.onPromise(from, m);
      case "Accepted":
        return this.proposer?.onAccepted(from, m);
      case "Nack":
        return this.proposer?.onNack(from, m);
      case "HeartbeatAck":
        return this.proposer?.onHeartbeatAck(from, m);
      case "Decide": {
        const l = this.learner;
        if (!l) return;
        for (const d of m.decisions) {
          if (l.learn(d.slot, d.value)) this.proposer?.onLearned(d.slot, d.value);
        }
        // a full batch: ask for the rest now. A hole below what we just heard of is usually a
        // Decide still in flight; with a stable leader its heartbeats reveal real gaps, without
        // one this is the only hint, so ask (at most once per heartbeat interval)
        const full = m.decisions.length >= this.config.maxDecisionsPerMessage;
        const hole = this.config.election === "none" && l.maxSlot >= l.firstUnchosen;
        if (from !== this.id && (full || hole)) this.#catchUp(from, full);
        return;
      }
      case "CatchUp": {
        if (!this.learner) return;
        const decisions = this.learner.decisionsFrom(
          m.fromSlot,
          this.config.maxDecisionsPerMessage,
        );
        if (decisions.length) this.#send(from, { type: "Decide", decisions });
        return;
      }
    }
  }

  /** Ask `from` for decisions we miss, at most once per heartbeat interval unless `now`. */
  #catchUp(from: NodeId, now: boolean): void {
    const t = this.#ctx.nowMs();
    if (!now && t - this.#lastCatchUpMs < this.config.heartbeatIntervalMs) return;
    this.#lastCatchUpMs = t;
    this.#send(from, { type: "CatchUp", fromSlot: this.learner!.firstUnchosen });
  }

  #send(to: NodeId, msg: PaxosMessage): void {
    if (to === this.id) this.#local.push(msg);
    else this.#ctx.send(to, msg);
  }

  /** Run an entry point, then deliver the messages this node sent itself, in order. */
  #entry<T>(fn: () => T): T {
    const r = fn();
    if (this.#draining) return r;
    this.#draining = true;
    try {
      for (let m = this.#local.shift(); m !== undefined; m = this.#local.shift()) {
        this.#handle(this.id, m);
      }
    } finally {
      this.#draining = false;
    }
    return r;
  }
}

/**
 * A node factory for a cluster of bare Paxos nodes.
 * @example
 * ```ts
 * const { sim } = createCluster({ seed: 7, nodes: 5, factory: paxosFactory({ election: "none" }) });
 * ```
 */
export function paxosFactory<C = unknown>(
  config: PaxosConfigInput = {},
  hooks?: (ctx: NodeContext<PaxosMessage>) => ReplicatedLogHooks<C>,
): (ctx: NodeContext<PaxosMessage>) => PaxosNode<C> {
  const parsed = parseConfig(PaxosConfigSchema, config, "paxos config");
  return withMemberCheck(
    (ctx: NodeContext<PaxosMessage>) =>
      new PaxosNode<C>(ctx, config, hooks ? hooks(ctx) : undefined),
    paxosMemberCheck(parsed, "paxos config", ""),
  );
}

/**
 * The member check of a Paxos configuration: every proposer, acceptor and learner named must be
 * a server of the cluster (a ConfigError naming e.g. `acceptors[2]` otherwise). `prefix` is put
 * before each field ("paxos." inside the key-value store's options).
 */
export function paxosMemberCheck(config: PaxosConfig, what: string, prefix: string): MemberCheck {
  return (servers) => {
    const issues = (["proposers", "acceptors", "learners"] as const).flatMap((k) =>
      unknownMembers(config[k], servers, `${prefix}${k}`)
    );
    if (issues.length) throw new ConfigError(what, issues);
  };
}
