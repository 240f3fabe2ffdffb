/**
 * A Tendermint replica: Algorithm 1 of Buchman, Kwon and Milosevic, "The latest gossip on BFT
 * consensus" (2018), one consensus instance per height, chained into blocks, offered to a state
 * machine as a replicated log (lib/protocols/kv/replicated_log.ts).
 *
 * Comments cite the algorithm's line numbers. Departures from the paper, each marked where it
 * happens: heights start at 1 (height 0 is the genesis parent); the paper's gossip (§2: every
 * message a correct process receives eventually reaches every correct process) is implemented as
 * direct broadcast plus a periodic re-broadcast of one's own messages of the current height and of
 * the current round's proposal, and block sync (commit certificates) for replicas that fell
 * behind; a replica waits `timeoutCommitMs` between deciding and StartRound(0) of the next height
 * (Tendermint's timeout_commit); the decided chain and the round state (height, round, step,
 * locks, own messages) are kept in durable storage, so a restarted replica resumes without
 * contradicting what it signed.
 * @module
 */
import type { NodeContext, NodeId } from "../../sim/types.ts";
import { parseConfig } from "../../sim/errors.ts";
import { freezeIfImmutable as frozen, immutable, isImmutable } from "../../sim/storage.ts";
import { type BftSize, bftSize } from "../bft/config.ts";
import { decideEvent } from "../bft/events.ts";
import type { ProposeResult, ReplicatedLog, ReplicatedLogHooks } from "../kv/replicated_log.ts";
import {
  type TendermintConfig,
  type TendermintConfigInput,
  TendermintConfigSchema,
} from "./config.ts";
import {
  type Block,
  blockId,
  type Commit,
  type Proposal,
  proposalSigned,
  type TendermintMessage,
  type Tx,
  txKey,
  type Vote,
  voteSigned,
  type VoteType,
} from "./messages.ts";

/** step_p of Algorithm 1 (line 4). */
export type Step = "propose" | "prevote" | "precommit";
const STEP_RANK: Record<Step, number> = { propose: 0, prevote: 1, precommit: 2 };

/** The parent digest of the block at height 1. */
export const GENESIS = "genesis";

/** What a replica keeps in durable storage besides the chain (key "tm:state"). */
export interface TendermintPersisted<C extends Tx = Tx> {
  /** h_p. */
  readonly height: number;
  /** round_p. */
  readonly round: number;
  /** step_p. */
  readonly step: Step;
  /** lockedValue_p (null = nil). */
  readonly lockedValue: Block<C> | null;
  /** lockedRound_p. */
  readonly lockedRound: number;
  /** validValue_p. */
  readonly validValue: Block<C> | null;
  /** validRound_p. */
  readonly validRound: number;
  /** This replica's own signed messages of this height (re-broadcast by gossip). */
  readonly sent: readonly TendermintMessage<C>[];
  /** Decided h − 1 and waiting timeout_commit before StartRound(0). */
  readonly waiting?: boolean;
}

interface RoundState<C extends Tx> {
  /** Proposals from proposer(h, r) by id(v) (an equivocating proposer may send several). */
  readonly proposals: Map<string, Proposal<C>>;
  /** Votes per validator: normally one; an equivocator's conflicting votes count for each value. */
  readonly prevotes: Map<NodeId, Vote[]>;
  readonly precommits: Map<NodeId, Vote[]>;
  /** Validators with a message of this round (line 55). */
  readonly senders: Set<NodeId>;
}

/** Order validators n0, n1, ..., n9, n10 (by length, then text). */
function byId(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

/**
 * A Tendermint replica.
 * @example
 * ```ts
 * const factory = (ctx) => new KvServer(ctx, { log: (c, hooks) => new TendermintNode(c, {}, hooks) });
 * ```
 */
export class TendermintNode<C extends Tx = Tx> implements ReplicatedLog<C, TendermintMessage<C>> {
  /** Parameters with defaults applied. */
  readonly config: TendermintConfig;
  /** n, f, the 2f + 1 quorum and the f + 1 weak certificate. */
  readonly size: BftSize;
  /** Every validator, in proposer-rotation order. */
  readonly validators: readonly NodeId[];
  readonly #ctx: NodeContext<TendermintMessage<C>>;
  readonly #hooks: ReplicatedLogHooks<C>;
  // Algorithm 1, lines 2–9
  #height = 1;
  #round = 0;
  #step: Step = "propose";
  #lockedValue: Block<C> | null = null;
  #lockedRound = -1;
  #validValue: Block<C> | null = null;
  #validRound = -1;
  /** Between a decision and StartRound(0) of the next height (timeout_commit). */
  #waiting = true;
  #rounds = new Map<number, Map<number, RoundState<C>>>();
  // "for the first time" guards of lines 34, 36 and 47, per round of the current height
  #prevoteTimerArmed = new Set<number>();
  #polkaSeen = new Set<number>();
  #precommitTimerArmed = new Set<number>();
  #sent: TendermintMessage<C>[] = [];
  #chain: Commit<C>[] = [];
  /** id() of the last block of #chain (GENESIS while it is empty): its blocks never change. */
  #lastBlockId = GENESIS;
  #mempool = new Map<string, C>();
  #decidedTx = new Set<string>();
  /** Decided transactions a client asked for again (its reply was lost): propose them again. */
  #redo = new Set<string>();
  #applied = 0;
  #lastGuess = 0;
  #peerHeight = new Map<NodeId, number>();
  #checking = false;
  #dirty = false;

  /** A replica over `ctx`; `hooks.apply` receives each decided transaction once, in order. */
  constructor(
    ctx: NodeContext<TendermintMessage<C>>,
    config: TendermintConfigInput = {},
    hooks: ReplicatedLogHooks<C> = { apply: () => {} },
  ) {
    this.config = parseConfig(TendermintConfigSchema, config, "tendermint config");
    this.validators = [ctx.self, ...ctx.peers].sort(byId);
    this.size = bftSize(this.validators.length, this.config, "tendermint config");
    this.#ctx = ctx;
    this.#hooks = hooks;
  }

  // ---- the replicated-log interface ----------------------------------------------------------

  /** Rebuild from durable storage (chain, then round state) and start (line 10). */
  start(): void {
    const ctx = this.#ctx;
    for (const c of ctx.storage.list<Commit<C>>("tm:chain")) this.#applyCommit(c);
    this.#height = this.#chain.length + 1;
    ctx.setTimer("gossip", this.config.gossipIntervalMs);
    const s = ctx.storage.get<TendermintPersisted<C>>("tm:state");
    if (s && s.height === this.#height && s.waiting) {
      this.#waiting = true;
      ctx.setTimer(`commit:${this.#height}`, this.config.timeoutCommitMs);
      return;
    }
    if (s && s.height === this.#height) {
      // resume exactly where we were: our votes of this round are already signed and sent
      this.#round = s.round;
      this.#step = s.step;
      this.#lockedValue = s.lockedValue;
      this.#lockedRound = s.lockedRound;
      this.#validValue = s.validValue;
      this.#validRound = s.validRound;
      this.#sent = [...s.sent];
      this.#waiting = false;
      for (const m of this.#sent) this.#record(m);
      this.#regossip();
      if (this.#step === "propose") {
        const proposed = this.#sent.some((m) => m.type === "Proposal" && m.round === this.#round);
        if (this.#proposer(this.#height, this.#round) === ctx.self && !proposed) {
          this.#propose();
        } else this.#armTimeout("propose", this.#round);
      }
      this.#check();
      return;
    }
    this.#startRound(0); // line 10: upon start do StartRound(0)
  }

  /**
   * A client transaction: into the mempool, gossiped to every replica so that whoever proposes
   * next can include it. Always accepted; the index is a guess of the flat log position (the
   * KvServer answers "lost-leadership" when another command lands there and the client retries;
   * its session makes the retry harmless).
   */
  propose(proposed: C): ProposeResult {
    // kept as immutable data (copied unless it is already), so blocks built from the mempool can
    // be frozen without copying their transactions again (see frozenBlock)
    const command = isImmutable(proposed) ? proposed : immutable(proposed) ?? proposed;
    const key = txKey(command);
    const retry = this.#decidedTx.has(key);
    if (retry) this.#redo.add(key); // a client retry of a decided tx: its reply was lost
    if (!this.#mempool.has(key)) this.#mempool.set(key, command);
    const gossip: TendermintMessage<C> = retry
      ? { type: "Tx", tx: command, retry: true }
      : { type: "Tx", tx: command };
    for (const p of this.#ctx.peers) this.#ctx.send(p, gossip);
    // Guess where it lands: after the block in flight (if it is not in it), then in the order
    // a proposer would take the mempool (#takeTxs).
    let guess = this.#applied + 1;
    const inFlight = this.#waiting
      ? undefined
      : this.#roundState(this.#height, this.#round).proposals.values().next().value;
    const flight = inFlight ? txKeysOf(inFlight.block) : NO_TX_KEYS;
    const at = flight.first.get(key) ?? -1;
    if (at >= 0) guess += at;
    else {
      guess += flight.count;
      // the mempool in #takeTxs's order and filter (a transaction's key is its mempool key)
      for (const k of this.#mempool.keys()) {
        if (this.#decidedTx.has(k) && !this.#redo.has(k)) continue;
        if (k === key) break;
        if (!flight.first.has(k)) guess++;
      }
    }
    if (this.#lastGuess > this.#applied) guess = Math.max(guess, this.#lastGuess + 1);
    this.#lastGuess = guess;
    return { ok: true, index: guess };
  }

  /** Whether this replica is proposer(h_p, round_p). */
  isLeader(): boolean {
    return this.#proposer(this.#height, this.#round) === this.#ctx.self;
  }

  /** proposer(h_p, round_p). */
  leaderHint(): NodeId | undefined {
    return this.#proposer(this.#height, this.#round);
  }

  /** Plain snapshot of the replica's state. */
  inspect(): {
    height: number;
    round: number;
    step: Step;
    waiting: boolean;
    lockedRound: number;
    lockedId: string | null;
    validRound: number;
    validId: string | null;
    decided: number;
    applied: number;
    mempool: number;
    lastBlockId: string;
  } {
    return {
      height: this.#height,
      round: this.#round,
      step: this.#step,
      waiting: this.#waiting,
      lockedRound: this.#lockedRound,
      lockedId: this.#lockedValue ? blockId(this.#lockedValue) : null,
      validRound: this.#validRound,
      validId: this.#validValue ? blockId(this.#validValue) : null,
      decided: this.#chain.length,
      applied: this.#applied,
      mempool: this.#mempool.size,
      lastBlockId: this.#lastId(),
    };
  }

  /** The decided chain: commit certificates, height 1 first. */
  chain(): readonly Commit<C>[] {
    return this.#chain;
  }

  // ---- messages ------------------------------------------------------------------------------

  /** A message from a peer. Signatures are checked before anything is recorded. */
  onMessage(from: NodeId, msg: TendermintMessage<C>): void {
    switch (msg.type) {
      case "Tx":
        if (!isTx(msg.tx)) return;
        if (this.#decidedTx.has(txKey(msg.tx))) {
          if (msg.retry !== true) return;
          this.#redo.add(txKey(msg.tx));
        }
        if (!this.#mempool.has(txKey(msg.tx))) this.#mempool.set(txKey(msg.tx), msg.tx);
        return;
      case "SyncRequest":
        return this.#serveSync(from, msg.height);
      case "Commit":
        this.#notePeer(from, msg.height + 1);
        if (msg.height === this.#height && this.#verifyCommit(msg)) {
          this.#decide(msg.round, msg.block, msg.precommits);
          this.#check();
        }
        return;
      case "Proposal":
      case "Prevote":
      case "Precommit": {
        if (!this.#verify(msg)) return;
        this.#notePeer(from, msg.height);
        if (msg.height < this.#height || msg.height > this.#height + 1) return;
        this.#record(msg);
        this.#check();
        return;
      }
    }
  }

  /** A timer: the three timeouts (lines 57–67), timeout_commit and the gossip tick. */
  onTimer(name: string): void {
    if (name === "gossip") {
      this.#regossip();
      this.#ctx.setTimer("gossip", this.config.gossipIntervalMs);
      return;
    }
    const [kind, hs, rs] = name.split(":");
    const h = Number(hs), r = Number(rs);
    if (h !== this.#height) return;
    if (kind === "commit") {
      if (this.#waiting) this.#startRound(0);
    } else if (this.#waiting || r !== this.#round) return;
    else if (kind === "propose" && this.#step === "propose") {
      // lines 57–60: OnTimeoutPropose
      this.#vote("Prevote", null);
      this.#setStep("prevote");
    } else if (kind === "prevote" && this.#step === "prevote") {
      // lines 61–64: OnTimeoutPrevote
      this.#vote("Precommit", null);
      this.#setStep("precommit");
    } else if (kind === "precommit") {
      // lines 65–67: OnTimeoutPrecommit
      this.#startRound(this.#round + 1);
    }
    this.#check();
  }

  // ---- Algorithm 1 ---------------------------------------------------------------------------

  /** proposer(h, r): round-robin over the validators by (h + r) mod n. */
  #proposer(h: number, r: number): NodeId {
    return this.config.leaderOf?.(h, r) ?? this.validators[(h + r) % this.validators.length];
  }

  /** Lines 11–21: StartRound(round). */
  #startRound(round: number): void {
    this.#waiting = false;
    this.#round = round; // line 12
    this.#step = "propose"; // line 13
    this.#persist();
    this.#ctx.emit({ type: "tm-round", height: this.#height, round, proposer: this.leaderHint() });
    if (this.#proposer(this.#height, round) === this.#ctx.self) this.#propose(); // line 14
    else this.#armTimeout("propose", round); // line 21
    this.#check();
  }

  /** Lines 15–19: propose validValue if set, else a new block (getValue()). */
  #propose(): void {
    const block: Block<C> = this.#validValue ?? this.#freshBlock();
    const base = {
      height: this.#height,
      round: this.#round,
      validRound: this.#validRound,
      proposer: this.#ctx.self,
    };
    const msg: Proposal<C> = frozen({
      type: "Proposal",
      ...base,
      block,
      signature: frozen(this.#ctx.sign(proposalSigned(base, blockId(block)))),
    });
    this.#broadcast(msg);
    // Gossip the POL with it (a departure made for the paper's gossip assumption): the prevotes
    // that justify validRound may have reached only some replicas (an equivocating voter).
    if (this.#validValue) this.#relay(this.#pol(this.#validRound, blockId(this.#validValue)));
  }

  /** getValue() (line 18): a new block of mempool transactions extending our chain. */
  #freshBlock(): Block<C> {
    const taken = this.#takeTxs();
    const block: Block<C> = {
      height: this.#height,
      round: this.#round,
      proposer: this.#ctx.self,
      txs: immutable(taken) ?? taken,
      parent: this.#lastId(),
    };
    // Twins test hook (config.proposalSalt): this instance's own input, as a timestamp would be
    if (!this.config.proposalSalt) return frozenBlock(block);
    return frozenBlock({ ...block, salt: this.#ctx.rng.int(0, 2 ** 31 - 1) } as Block<C>);
  }

  /** The prevotes for `id` in round `r` of this height that we hold. */
  #pol(r: number, id: string): Vote[] {
    const s = this.#rounds.get(this.#height)?.get(r);
    return s ? [...s.prevotes.values()].flat().filter((v) => v.id === id) : [];
  }

  /** Forward other validators' signed messages unchanged (gossip). */
  #relay(msgs: readonly TendermintMessage<C>[]): void {
    for (const p of this.#ctx.peers) for (const m of msgs) this.#ctx.send(p, m);
  }

  /** getValue() (line 18): undecided mempool transactions, first come first served, at most `max`. */
  #takeTxs(max = this.config.maxBlockTxs): C[] {
    const out: C[] = [];
    for (const [k, tx] of this.#mempool) {
      if (out.length >= max) break;
      if (!this.#decidedTx.has(k) || this.#redo.has(k)) out.push(tx);
    }
    return out;
  }

  /** Apply the upon-rules until none fires (each firing changes step, round or height). */
  #check(): void {
    if (this.#checking) {
      this.#dirty = true;
      return;
    }
    this.#checking = true;
    try {
      do {
        this.#dirty = false;
        while (!this.#waiting && this.#rule()) { /* fire rules to a fixpoint */ }
      } while (this.#dirty);
    } finally {
      this.#checking = false;
    }
  }

  /** Try the upon-rules in order; true when one fired. */
  #rule(): boolean {
    const h = this.#height, round = this.#round, Q = this.size.quorum;
    const rs = this.#roundState(h, round);
    const lockedId = this.#lockedValue ? blockId(this.#lockedValue) : null;
    if (this.#step === "propose") {
      for (const [id, p] of rs.proposals) {
        const vr = p.validRound;
        if (vr === -1) {
          // lines 22–27
          const ok = this.#valid(p.block) &&
            (this.config.mistakePrevoteIgnoresLock || this.#lockedRound === -1 || lockedId === id);
          this.#vote("Prevote", ok ? id : null);
          this.#setStep("prevote");
          return true;
        }
        if (vr >= 0 && vr < round && this.#count(h, vr, "Prevote", id) >= Q) {
          // lines 28–33 (the mistakes drop the lock conditions of line 29)
          const ok = this.#valid(p.block) &&
            (this.config.mistakePrevoteIgnoresLock || this.config.mistakeUnlockOnLowerRound ||
              this.#lockedRound <= vr || lockedId === id);
          this.#vote("Prevote", ok ? id : null);
          this.#setStep("prevote");
          return true;
        }
      }
    }
    if (
      this.#step === "prevote" && !this.#prevoteTimerArmed.has(round) &&
      rs.prevotes.size >= Q
    ) {
      // lines 34–35
      this.#prevoteTimerArmed.add(round);
      this.#armTimeout("prevote", round);
      return true;
    }
    if (STEP_RANK[this.#step] >= 1 && !this.#polkaSeen.has(round)) {
      for (const [id, p] of rs.proposals) {
        if (this.#count(h, round, "Prevote", id) >= Q && this.#valid(p.block)) {
          // lines 36–43
          this.#polkaSeen.add(round);
          if (this.#step === "prevote") {
            this.#lockedValue = p.block; // line 38
            this.#lockedRound = round; // line 39
            this.#ctx.emit({ type: "tm-lock", height: h, round, id });
            this.#vote("Precommit", id); // line 40
            this.#step = "precommit"; // line 41
          }
          this.#validValue = p.block; // line 42
          this.#validRound = round; // line 43
          this.#persist();
          return true;
        }
      }
    }
    if (this.#step === "prevote" && this.#count(h, round, "Prevote", null) >= Q) {
      // lines 44–46
      this.#vote("Precommit", null);
      this.#setStep("precommit");
      return true;
    }
    if (!this.#precommitTimerArmed.has(round) && rs.precommits.size >= Q) {
      // lines 47–48
      this.#precommitTimerArmed.add(round);
      this.#armTimeout("precommit", round);
      return true;
    }
    // lines 49–54: a decision in any round of this height
    for (const [r, st] of this.#rounds.get(h) ?? []) {
      for (const [id, p] of st.proposals) {
        if (this.#count(h, r, "Precommit", id) >= Q && this.#valid(p.block)) {
          const pcs = [...st.precommits.values()].flat().filter((v) => v.id === id);
          this.#decide(r, p.block, pcs);
          return true;
        }
      }
    }
    // lines 55–56: f + 1 validators are in a higher round
    let skip = -1;
    for (const [r, st] of this.#rounds.get(h) ?? []) {
      if (r > round && r > skip && st.senders.size >= this.size.weak) skip = r;
    }
    if (skip > round) {
      this.#startRound(skip);
      return true;
    }
    return false;
  }

  /** Lines 49–54: decide v at h_p, move to the next height, reset the locks. */
  #decide(round: number, block: Block<C>, precommits: readonly Vote[]): void {
    const h = this.#height;
    const commit: Commit<C> = {
      type: "Commit",
      height: h,
      round,
      block,
      precommits: precommits.slice(0, this.size.quorum),
    };
    this.#ctx.storage.append("tm:chain", commit);
    this.#applyCommit(commit);
    this.#height = h + 1; // line 52
    // line 53: reset locks and the message log of the old height
    this.#lockedValue = null;
    this.#lockedRound = -1;
    this.#validValue = null;
    this.#validRound = -1;
    this.#rounds.delete(h);
    this.#prevoteTimerArmed.clear();
    this.#polkaSeen.clear();
    this.#precommitTimerArmed.clear();
    this.#sent = [];
    this.#round = 0;
    this.#step = "propose";
    this.#waiting = true;
    this.#persist();
    // line 54: StartRound(0), after timeout_commit (a departure: see the module comment)
    if (this.config.timeoutCommitMs > 0) {
      this.#ctx.setTimer(`commit:${this.#height}`, this.config.timeoutCommitMs);
    } else this.#startRound(0);
  }

  /** Append a decided block to the chain and hand its transactions to the state machine. */
  #applyCommit(c: Commit<C>): void {
    this.#chain.push(c);
    this.#lastBlockId = blockId(c.block);
    const requests: string[] = [];
    for (const tx of c.block.txs) {
      const k = txKey(tx);
      requests.push(k);
      this.#decidedTx.add(k);
      this.#mempool.delete(k);
      this.#redo.delete(k);
      this.#applied++;
      this.#hooks.apply({ index: this.#applied, command: tx });
    }
    this.#ctx.emit(decideEvent(c.height, this.#lastBlockId, requests, c.round));
  }

  // ---- helpers -------------------------------------------------------------------------------

  /** valid(v): a well-formed block extending our chain at h_p. */
  #valid(b: Block<C>): boolean {
    return b !== null && typeof b === "object" && b.height === this.#height &&
      b.parent === this.#lastId() && Array.isArray(b.txs) &&
      b.txs.length <= this.config.maxBlockTxs && b.txs.every(isTx) &&
      this.validators.includes(b.proposer);
  }

  #lastId(): string {
    return this.#lastBlockId;
  }

  #roundState(h: number, r: number): RoundState<C> {
    let byRound = this.#rounds.get(h);
    if (!byRound) this.#rounds.set(h, byRound = new Map());
    let s = byRound.get(r);
    if (!s) {
      byRound.set(
        r,
        s = {
          proposals: new Map(),
          prevotes: new Map(),
          precommits: new Map(),
          senders: new Set(),
        },
      );
    }
    return s;
  }

  #count(h: number, r: number, type: VoteType, id: string | null): number {
    const s = this.#rounds.get(h)?.get(r);
    if (!s) return 0;
    let k = 0;
    for (const vs of (type === "Prevote" ? s.prevotes : s.precommits).values()) {
      if (vs.some((v) => v.id === id)) k++;
    }
    return k;
  }

  /** Check the signer and signature; a message naming another identity is rejected. */
  #verify(m: Proposal<C> | Vote): boolean {
    if (!Number.isInteger(m.height) || !Number.isInteger(m.round) || m.round < 0) return false;
    if (m.type === "Proposal") {
      if (!m.block || typeof m.block !== "object") return false;
      return m.proposer === this.#proposer(m.height, m.round) &&
        m.signature?.signer === m.proposer && Number.isInteger(m.validRound) &&
        this.#ctx.verify(m.signature, proposalSigned(m, blockId(m.block)));
    }
    return this.validators.includes(m.validator) && m.signature?.signer === m.validator &&
      this.#ctx.verify(m.signature, voteSigned(m));
  }

  /** Keep the first vote of each validator per round and kind (a second one is equivocation). */
  #record(m: TendermintMessage<C>): void {
    if (m.type === "Proposal") {
      const s = this.#roundState(m.height, m.round);
      if (s.proposals.size < 4) {
        const id = blockId(m.block);
        if (!s.proposals.has(id)) s.proposals.set(id, m);
      }
      s.senders.add(m.proposer);
    } else if (m.type === "Prevote" || m.type === "Precommit") {
      const s = this.#roundState(m.height, m.round);
      const votes = m.type === "Prevote" ? s.prevotes : s.precommits;
      const mine = votes.get(m.validator);
      if (!mine) votes.set(m.validator, [m]);
      else if (mine.length < 3 && !mine.some((v) => v.id === m.id)) mine.push(m);
      s.senders.add(m.validator);
    }
  }

  #verifyCommit(c: Commit<C>): boolean {
    if (!c.block || !this.#valid(c.block) || !Array.isArray(c.precommits)) return false;
    const id = blockId(c.block);
    const signers = new Set<NodeId>();
    for (const v of c.precommits) {
      if (
        v.type === "Precommit" && v.height === c.height && v.round === c.round && v.id === id &&
        this.#verify(v)
      ) signers.add(v.validator);
    }
    return signers.size >= this.size.quorum;
  }

  /** Sign and broadcast a vote for the current round (and count it ourselves). */
  #vote(type: VoteType, id: string | null): void {
    const base = { type, height: this.#height, round: this.#round, id, validator: this.#ctx.self };
    const vote: Vote = frozen({ ...base, signature: frozen(this.#ctx.sign(voteSigned(base))) });
    if (type === "Precommit" || id !== null) {
      this.#ctx.emit({ type: "tm-vote", height: this.#height, round: this.#round, vote: type, id });
    }
    this.#broadcast(vote);
  }

  /** Broadcast: persist as ours first (so a restart re-sends, never contradicts), send, record. */
  #broadcast(m: TendermintMessage<C>): void {
    this.#sent.push(m);
    this.#persist();
    for (const p of this.#ctx.peers) this.#ctx.send(p, m);
    this.#record(m);
  }

  #setStep(step: Step): void {
    this.#step = step;
    this.#persist();
  }

  #armTimeout(kind: "propose" | "prevote" | "precommit", round: number): void {
    const c = this.config;
    const base = kind === "propose"
      ? c.timeoutProposeMs
      : kind === "prevote"
      ? c.timeoutPrevoteMs
      : c.timeoutPrecommitMs;
    this.#ctx.setTimer(`${kind}:${this.#height}:${round}`, base + round * c.timeoutDeltaMs);
  }

  #persist(): void {
    const s: TendermintPersisted<C> = {
      height: this.#height,
      round: this.#round,
      step: this.#step,
      lockedValue: this.#lockedValue,
      lockedRound: this.#lockedRound,
      validValue: this.#validValue,
      validRound: this.#validRound,
      sent: this.#sent,
      waiting: this.#waiting,
    };
    this.#ctx.storage.set("tm:state", s);
  }

  #notePeer(from: NodeId, height: number): void {
    if (!this.validators.includes(from)) return;
    this.#peerHeight.set(from, height);
  }

  /**
   * Gossip tick (a departure: the paper assumes gossip). Re-send our own messages of this height
   * and the current round's proposal, so loss and healed partitions do not stall; send commit
   * certificates to peers last seen at a lower height, and ask a peer seen higher for blocks.
   */
  #regossip(): void {
    const ctx = this.#ctx;
    const out: TendermintMessage<C>[] = [...this.#sent];
    if (!this.#waiting) {
      for (const p of this.#roundState(this.#height, this.#round).proposals.values()) {
        if (p.proposer !== ctx.self) out.push(p);
        if (p.validRound >= 0) out.push(...this.#pol(p.validRound, blockId(p.block)));
      }
      if (this.#validValue) out.push(...this.#pol(this.#validRound, blockId(this.#validValue)));
    }
    for (const peer of ctx.peers) for (const m of out) ctx.send(peer, m);
    let ahead: NodeId | undefined;
    let best = this.#height;
    for (const [peer, h] of this.#peerHeight) {
      if (h < this.#height) this.#serveSync(peer, h);
      if (h > best) [ahead, best] = [peer, h];
    }
    if (ahead !== undefined) ctx.send(ahead, { type: "SyncRequest", height: this.#height });
    this.#peerHeight.clear();
  }

  /** Block sync: commit certificates from `height` on. */
  #serveSync(to: NodeId, height: number): void {
    if (!Number.isInteger(height) || height < 1) return;
    const end = Math.min(this.#chain.length, height - 1 + this.config.maxCommitsPerSync);
    for (let h = height; h <= end; h++) this.#ctx.send(to, this.#chain[h - 1]);
  }
}

/**
 * The block frozen in place when its transactions are immutable (a frozen copy of the taken
 * array, sharing the mempool's immutable transactions), so durable storage shares it instead of
 * copying it and blockId() digests it once. Otherwise the block as it is.
 */
function frozenBlock<C extends Tx>(block: Block<C>): Block<C> {
  return isImmutable(block.txs) ? frozen(block) : block;
}

/** The request ids of a block's transactions: how many, and the first position of each. */
interface TxKeys {
  readonly count: number;
  readonly first: ReadonlyMap<string, number>;
}

const NO_TX_KEYS: TxKeys = { count: 0, first: new Map() };
// a frozen block's keys, computed once (propose() asks for the in-flight block's on every request)
const frozenTxKeys = new WeakMap<object, TxKeys>();

function txKeysOf(block: Block): TxKeys {
  const memo = block !== null && typeof block === "object" && isImmutable(block);
  let keys = memo ? frozenTxKeys.get(block) : undefined;
  if (keys) return keys;
  const all = block.txs.map(txKey);
  const first = new Map<string, number>();
  all.forEach((k, i) => {
    if (!first.has(k)) first.set(k, i);
  });
  keys = { count: all.length, first };
  if (memo) frozenTxKeys.set(block, keys);
  return keys;
}

function isTx(tx: unknown): tx is Tx {
  const t = tx as Tx | null;
  return t !== null && typeof t === "object" && typeof t.clientId === "string" &&
    typeof t.seq === "number";
}

/** A node factory for bare Tendermint replicas (no state machine). */
export function tendermintFactory<C extends Tx = Tx>(
  config: TendermintConfigInput = {},
): (ctx: NodeContext<TendermintMessage<C>>) => TendermintNode<C> {
  parseConfig(TendermintConfigSchema, config, "tendermint config");
  return (ctx) => new TendermintNode<C>(ctx, config);
}
