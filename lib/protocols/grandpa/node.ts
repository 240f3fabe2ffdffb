/**
 * A GRANDPA node (Stewart and Kokoris-Kogia, "GRANDPA: a Byzantine Finality Gadget", 2020): a
 * voter running the rounds of §3.2 over its own view of the shared block tree, and a round-robin
 * slot producer, the block-production protocol P of §2.2 (each slot's producer extends the best
 * chain of its view, which always contains the last finalised block).
 *
 * Departures from the paper, each marked where it happens: the gossip network (§2.3: every
 * message an honest participant sends or receives reaches all honest participants within T after
 * GST) is direct broadcast plus a periodic re-broadcast of every vote held (own and relayed) of the
 * current and the previous round, in one message per peer, block requests for blocks a vote or a child names, and a catch-up answer (the
 * signed votes of a completed round) for a voter that fell two or more rounds behind, which then
 * skips the rounds in between without voting in them (as the finality-grandpa implementation
 * does; §3.2 step 1 asks a voter to have voted in all previous rounds); no commit messages (every
 * precommit is broadcast, so each node finalises from the precommits it sees; §3.2 calls commit
 * messages optional). Every voter is a voter of both votes of every round; rounds start at 1 with
 * E_0 = genesis; the primary of round r is voter r mod n, and it always broadcasts E_{r−1,v}
 * ("they can broadcast E_{r−1,v} anyway", step 2). Own votes, the round and the finalised block
 * are kept in durable storage, so a restarted node never votes twice in a round.
 * @module
 */
import type { NodeContext, NodeId, ProtocolNode } from "../../sim/types.ts";
import { parseConfig } from "../../sim/errors.ts";
import { type BftSize, bftSize } from "../bft/config.ts";
import { decideEvent } from "../bft/events.ts";
import { type BlockId, type BlockStore, NO_BLOCK } from "../../chain/store.ts";
import { ChainView } from "../../chain/view.ts";
import { type GrandpaConfig, type GrandpaConfigInput, GrandpaConfigSchema } from "./config.ts";
import {
  completable,
  estimate,
  ghost,
  type GhostParams,
  hasSupermajority,
  impossibleForAnyChild,
  VoteSet,
} from "./ghost.ts";
import {
  type CatchUp,
  type GrandpaMessage,
  type PrimaryPropose,
  primarySigned,
  type Vote,
  voteSigned,
  type VoteType,
} from "./messages.ts";

/** Blocks a {@link BlockRequest} answer carries at most. */
export const MAX_BLOCKS_PER_ANSWER = 32;

/** What a node keeps in durable storage besides its known blocks (key "gp:state"). */
export interface GrandpaPersisted {
  /** The current round. */
  readonly round: number;
  /** The last finalised block. */
  readonly finalized: BlockId;
  /** The round it was finalised in. */
  readonly finalizedRound: number;
  /** This node's own signed votes of the current and previous rounds. */
  readonly votes: readonly Vote[];
}

interface RoundState {
  /** V_{r,v}. */
  readonly prevotes: VoteSet;
  /** C_{r,v}. */
  readonly precommits: VoteSet;
  /** The signed votes behind the two sets (for catch-up answers). */
  readonly signed: Vote[];
  /** The block the primary broadcast (the first one accepted). */
  primaryBlock?: BlockId;
  prevoted: boolean;
  precommitted: boolean;
  /** t_{r,v} + 2T passed. */
  prevoteTimer: boolean;
  /** t_{r,v} + 4T passed. */
  precommitTimer: boolean;
  /** Last vote-set versions the finalisation rule looked at. */
  finalKey: string;
  cache?: { key: string; g: BlockId | null; e: BlockId | null; completable: boolean };
}

/** Order voters n0, n1, ..., n9, n10 (by length, then text). */
export function byId(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

/**
 * A GRANDPA voter and slot producer over a shared {@link BlockStore}.
 * @example
 * ```ts
 * const store = new BlockStore();
 * const factory = (ctx) => new GrandpaNode(ctx, store, { gossipDelayMs: 10 });
 * ```
 */
export class GrandpaNode implements ProtocolNode<GrandpaMessage> {
  /** Parameters with defaults applied. */
  readonly config: GrandpaConfig;
  /** n, f and the supermajority. */
  readonly size: BftSize;
  /** Every voter, in primary/producer rotation order. */
  readonly validators: readonly NodeId[];
  /** This node's view of the block tree (its finalised block is GRANDPA's). */
  readonly view: ChainView;
  readonly #ctx: NodeContext<GrandpaMessage>;
  readonly #store: BlockStore;
  readonly #p: GhostParams;
  readonly #members: ReadonlySet<NodeId>;
  #round = 1;
  #finalizedRound = 0;
  #rounds = new Map<number, RoundState>();
  /** Votes and primary messages waiting for a block the view lacks. */
  #pending = new Map<BlockId, { from: NodeId; msg: Vote | PrimaryPropose }[]>();
  #requested = new Map<BlockId, number>();
  #catchUpAskedMs = -Infinity;
  #checking = false;
  #again = false;

  /** A node over `ctx` sharing `store` with every other node of the run. */
  constructor(
    ctx: NodeContext<GrandpaMessage>,
    store: BlockStore,
    config: GrandpaConfigInput = {},
  ) {
    this.config = parseConfig(GrandpaConfigSchema, config, "grandpa config");
    this.validators = [ctx.self, ...ctx.peers].sort(byId);
    this.size = bftSize(this.validators.length, this.config, "grandpa config");
    this.#p = { n: this.size.n, f: this.size.f, threshold: this.size.quorum };
    this.#members = new Set(this.validators);
    this.#ctx = ctx;
    this.#store = store;
    this.view = new ChainView(store, this.config.forkChoice);
  }

  /** The current round. */
  get round(): number {
    return this.#round;
  }

  /** The primary of round r: voter r mod n (§3.2: "rotate through the voter set"). */
  primary(round: number): NodeId {
    return this.config.primaryOf?.(round) ?? this.validators[round % this.validators.length];
  }

  // ---- lifecycle ------------------------------------------------------------------------------

  /** Rebuild from durable storage, arm the slot and gossip timers, enter the current round. */
  start(): void {
    const ctx = this.#ctx;
    for (const id of ctx.storage.list<BlockId>("gp:blocks")) this.view.receive(id);
    const s = ctx.storage.get<GrandpaPersisted>("gp:state");
    if (s) {
      if (this.view.has(s.finalized)) this.view.finalize(s.finalized);
      this.#finalizedRound = s.finalizedRound;
      this.#round = s.round;
      for (const v of s.votes) this.#addVote(v);
    }
    this.#armSlot();
    ctx.setTimer("gossip", this.config.rebroadcastMs);
    this.#startRound(this.#round, s !== undefined);
  }

  /** Handle a message from a peer. */
  onMessage(from: NodeId, msg: GrandpaMessage): void {
    if (!msg || typeof msg !== "object") return;
    switch (msg.type) {
      case "Prevote":
      case "Precommit":
        this.#onVote(from, msg);
        break;
      case "Primary":
        this.#onPrimary(from, msg);
        break;
      case "Blocks":
        this.#onBlocks(from, msg.ids);
        break;
      case "BlockRequest":
        this.#onBlockRequest(from, msg.id);
        break;
      case "CatchUpRequest":
        this.#onCatchUpRequest(from, msg.round);
        break;
      case "CatchUp":
        this.#onCatchUp(from, msg);
        break;
      case "Votes":
        if (Array.isArray(msg.votes)) { for (const v of msg.votes) this.#onVote(from, v); }
        break;
    }
    this.#check();
  }

  /** Timers: the round's 2T and 4T marks, slots, gossip. */
  onTimer(name: string): void {
    if (name === "slot") this.#onSlot();
    else if (name === "gossip") this.#onGossip();
    else if (name.startsWith("prevote:") || name.startsWith("precommit:")) {
      const [kind, r] = name.split(":");
      const rs = this.#rounds.get(Number(r));
      if (rs && kind === "prevote") rs.prevoteTimer = true;
      if (rs && kind === "precommit") rs.precommitTimer = true;
    }
    this.#check();
  }

  /** A plain snapshot for notebooks and tests. */
  inspect(): {
    round: number;
    finalized: BlockId;
    finalizedHeight: number;
    finalizedRound: number;
    tip: BlockId;
    tipHeight: number;
    knownBlocks: number;
  } {
    return {
      round: this.#round,
      finalized: this.view.finalized,
      finalizedHeight: this.#store.height(this.view.finalized),
      finalizedRound: this.#finalizedRound,
      tip: this.view.tip,
      tipHeight: this.#store.height(this.view.tip),
      knownBlocks: this.view.knownCount,
    };
  }

  // ---- block production (P, §2.2) -----------------------------------------------------------

  #armSlot(): void {
    const now = this.#ctx.nowMs(), s = this.config.slotMs;
    const next = (Math.floor(now / s) + 1) * s;
    this.#ctx.setTimer("slot", Math.max(next - now, s / 1000));
  }

  #onSlot(): void {
    const now = this.#ctx.nowMs();
    const slot = Math.round(now / this.config.slotMs);
    const until = this.config.produceUntilMs;
    if (
      slot > 0 && this.validators[slot % this.validators.length] === this.#ctx.self &&
      (until === undefined || now <= until)
    ) {
      // the producer extends the best chain of its view, which contains the last finalised block
      const id = this.#store.add({
        parent: this.view.tip,
        producer: this.#ctx.self,
        sizeBytes: this.config.blockSizeBytes,
        timeMs: now,
        payload: { slot },
      });
      this.#join(id);
      this.#broadcast({ type: "Blocks", ids: [id], fresh: true });
    }
    this.#armSlot();
  }

  // ---- gossip -------------------------------------------------------------------------------

  #broadcast(msg: GrandpaMessage): void {
    for (const p of this.#ctx.peers) this.#ctx.send(p, msg);
  }

  #onGossip(): void {
    const now = this.#ctx.nowMs();
    // relay every vote held of the previous and current round (own and others'), in one message
    const votes: Vote[] = [];
    for (const r of [this.#round - 1, this.#round]) {
      votes.push(...this.#rounds.get(r)?.signed ?? []);
    }
    if (votes.length) this.#broadcast({ type: "Votes", votes });
    if (this.primary(this.#round) === this.#ctx.self) this.#sendPrimary(this.#round);
    for (const [id, waiting] of this.#pending) {
      const at = this.#requested.get(id) ?? -Infinity;
      if (now - at >= this.config.rebroadcastMs && waiting.length) {
        this.#request(id, waiting[waiting.length - 1].from, true);
      }
    }
    this.#ctx.setTimer("gossip", this.config.rebroadcastMs);
  }

  #request(id: BlockId, from: NodeId, force = false): void {
    const now = this.#ctx.nowMs();
    const at = this.#requested.get(id);
    if (!force && at !== undefined && now - at < this.config.rebroadcastMs) return;
    this.#requested.set(id, now);
    if (from !== this.#ctx.self) this.#ctx.send(from, { type: "BlockRequest", id });
  }

  #validBlock(id: unknown): id is BlockId {
    return typeof id === "number" && Number.isInteger(id) && id >= 0 && id < this.#store.size;
  }

  #join(id: BlockId): void {
    if (this.view.has(id)) return;
    this.view.receive(id);
    this.#ctx.storage.append("gp:blocks", id);
  }

  #onBlocks(from: NodeId, ids: readonly BlockId[]): void {
    if (!Array.isArray(ids)) return;
    const before = this.view.knownCount;
    for (const id of ids) {
      if (!this.#validBlock(id) || this.view.has(id) || this.view.isOrphan(id)) continue;
      this.view.receive(id);
      this.#ctx.storage.append("gp:blocks", id); // replayed in this order on restart
    }
    const last = ids[ids.length - 1];
    if (this.#validBlock(last) && !this.view.has(last)) {
      // an orphan: ask the sender for the missing stretch above the highest known ancestor
      let x = last;
      for (let k = 0; k < 1024 && !this.view.has(this.#store.parent(x)); k++) {
        x = this.#store.parent(x);
      }
      const h = Math.min(
        this.#store.height(x) + MAX_BLOCKS_PER_ANSWER - 1,
        this.#store.height(last),
      );
      this.#request(this.#store.ancestorAt(last, h), from);
    }
    if (this.view.knownCount > before) this.#releasePending();
  }

  #releasePending(): void {
    for (const [id, waiting] of [...this.#pending]) {
      if (!this.view.has(id)) continue;
      this.#pending.delete(id);
      this.#requested.delete(id);
      for (const w of waiting) {
        if (w.msg.type === "Primary") this.#onPrimary(w.from, w.msg);
        else this.#onVote(w.from, w.msg);
      }
    }
  }

  #onBlockRequest(from: NodeId, id: BlockId): void {
    if (!this.#validBlock(id) || !this.view.has(id) || id === 0) return;
    const h = this.#store.height(id);
    const lo = Math.max(1, h - MAX_BLOCKS_PER_ANSWER + 1);
    const ids: BlockId[] = [];
    for (let x = id; x !== NO_BLOCK && this.#store.height(x) >= lo; x = this.#store.parent(x)) {
      ids.push(x);
    }
    this.#ctx.send(from, { type: "Blocks", ids: ids.reverse() });
  }

  #wait(id: BlockId, from: NodeId, msg: Vote | PrimaryPropose): void {
    let l = this.#pending.get(id);
    if (!l) this.#pending.set(id, l = []);
    if (l.length < 4 * this.validators.length) l.push({ from, msg });
    this.#request(id, from);
  }

  // ---- votes --------------------------------------------------------------------------------

  #roundState(r: number): RoundState {
    let rs = this.#rounds.get(r);
    if (!rs) {
      this.#rounds.set(
        r,
        rs = {
          prevotes: new VoteSet(),
          precommits: new VoteSet(),
          signed: [],
          prevoted: false,
          precommitted: false,
          prevoteTimer: false,
          precommitTimer: false,
          finalKey: "",
        },
      );
    }
    return rs;
  }

  /** Accept a vote only with a verified signature of a voter of the set (never trust `from`). */
  #verifyVote(m: Vote): boolean {
    return (m.type === "Prevote" || m.type === "Precommit") && Number.isInteger(m.round) &&
      m.round >= 1 && this.#validBlock(m.block) && this.#members.has(m.voter) &&
      m.signature?.signer === m.voter && this.#ctx.verify(m.signature, voteSigned(m));
  }

  #onVote(from: NodeId, m: Vote): void {
    if (!this.#verifyVote(m)) return;
    if (m.round > this.#round + 1) {
      // someone is two or more rounds ahead: ask for the votes of a round it completed
      const now = this.#ctx.nowMs();
      if (now - this.#catchUpAskedMs >= this.config.rebroadcastMs) {
        this.#catchUpAskedMs = now;
        this.#ctx.send(from, { type: "CatchUpRequest", round: this.#round });
      }
      return;
    }
    if (m.round < this.#round - this.config.keepRounds) return;
    if (!this.view.has(m.block)) return this.#wait(m.block, from, m);
    this.#addVote(m);
  }

  #addVote(m: Vote): void {
    const rs = this.#roundState(m.round);
    const set = m.type === "Prevote" ? rs.prevotes : rs.precommits;
    if (!set.add(m.voter, m.block)) return;
    rs.signed.push(m);
    if (m.voter === this.#ctx.self) {
      if (m.type === "Prevote") rs.prevoted = true;
      else rs.precommitted = true;
    }
  }

  #onPrimary(from: NodeId, m: PrimaryPropose): void {
    if (
      !Number.isInteger(m.round) || !this.#validBlock(m.block) ||
      m.primary !== this.primary(m.round) || m.signature?.signer !== m.primary ||
      !this.#ctx.verify(m.signature, primarySigned(m))
    ) return;
    if (m.round < this.#round - 1 || m.round > this.#round + 1) return;
    if (!this.view.has(m.block)) return this.#wait(m.block, from, m);
    const rs = this.#roundState(m.round);
    rs.primaryBlock ??= m.block;
  }

  #onCatchUpRequest(from: NodeId, round: number): void {
    const done = this.#round - 1;
    if (!Number.isInteger(round) || done <= round) return;
    const rs = this.#rounds.get(done);
    if (!rs) return;
    const out: CatchUp = {
      type: "CatchUp",
      round: done,
      prevotes: rs.signed.filter((v) => v.type === "Prevote"),
      precommits: rs.signed.filter((v) => v.type === "Precommit"),
    };
    this.#ctx.send(from, out);
  }

  #onCatchUp(from: NodeId, m: CatchUp): void {
    if (!Number.isInteger(m.round) || m.round < this.#round) return;
    if (!Array.isArray(m.prevotes) || !Array.isArray(m.precommits)) return;
    for (const v of [...m.prevotes, ...m.precommits]) {
      if (v.round !== m.round || !this.#verifyVote(v)) continue;
      if (!this.view.has(v.block)) this.#wait(v.block, from, v);
      else this.#addVote(v);
    }
    const info = this.#info(m.round);
    // departure (see the module doc): skip to round R + 1 once R is completable in our own view
    if (info.completable) this.#startRound(m.round + 1);
  }

  #sign(type: VoteType, round: number, block: BlockId): Vote {
    const base = { type, round, block, voter: this.#ctx.self };
    return { ...base, signature: this.#ctx.sign(voteSigned(base)) };
  }

  #sendPrimary(r: number): void {
    const e = r === 1 ? 0 : this.#info(r - 1).e;
    if (e === null) return;
    const base = { round: r, block: e, primary: this.#ctx.self };
    const msg: PrimaryPropose = {
      type: "Primary",
      ...base,
      signature: this.#ctx.sign(primarySigned(base)),
    };
    this.#roundState(r).primaryBlock ??= e;
    this.#broadcast(msg);
  }

  // ---- rounds (§3.2) ------------------------------------------------------------------------

  /** g(V_{r,v}), E_{r,v} and completability of round r, cached on the vote-set versions. */
  #info(r: number): { g: BlockId | null; e: BlockId | null; completable: boolean } {
    const rs = this.#rounds.get(r);
    if (!rs) return { g: null, e: null, completable: false };
    const key = `${rs.prevotes.version}:${rs.precommits.version}`;
    if (rs.cache?.key === key) return rs.cache;
    const store = this.#store;
    const g = ghost(rs.prevotes, store, this.#p);
    const e = g === null ? null : estimate(rs.prevotes, rs.precommits, store, this.#p);
    rs.cache = {
      key,
      g,
      e,
      completable: g !== null && completable(rs.prevotes, rs.precommits, store, this.#p),
    };
    return rs.cache;
  }

  #startRound(r: number, restarting = false): void {
    const ctx = this.#ctx;
    const T = this.config.gossipDelayMs;
    this.#round = r;
    const rs = this.#roundState(r);
    for (const k of [...this.#rounds.keys()]) {
      if (k < r - this.config.keepRounds) this.#rounds.delete(k);
    }
    ctx.emit({ type: "grandpa-round", round: r });
    // §3.2 step 3 and 4: the 2T and 4T marks from t_{r,v}
    ctx.setTimer(`prevote:${r}`, 2 * T);
    ctx.setTimer(`precommit:${r}`, 4 * T);
    // §3.2 step 2: the primary broadcasts E_{r−1,v}
    if (this.primary(r) === ctx.self && !(restarting && rs.prevoted)) this.#sendPrimary(r);
    this.#persist();
    this.#check();
  }

  /** The best chain containing `b`: the tip if it descends from b, else the deepest block under b. */
  #bestContaining(b: BlockId): BlockId {
    const store = this.#store, view = this.view;
    if (store.isAncestor(b, view.tip)) return view.tip;
    let best = b, bestH = store.height(b);
    const stack = [b];
    while (stack.length) {
      const x = stack.pop()!;
      const h = store.height(x);
      if (h > bestH || (h === bestH && x < best)) {
        best = x;
        bestH = h;
      }
      for (let c = store.firstChild(x); c !== NO_BLOCK; c = store.nextSibling(c)) {
        if (view.has(c)) stack.push(c);
      }
    }
    return best;
  }

  #vote(type: VoteType, r: number, block: BlockId): void {
    const v = this.#sign(type, r, block);
    this.#addVote(v);
    this.#persist();
    this.#broadcast(v);
  }

  /** Re-evaluate every waiting condition until nothing changes. */
  #check(): void {
    if (this.#checking) {
      this.#again = true;
      return;
    }
    this.#checking = true;
    try {
      do {
        this.#again = false;
        this.#step();
      } while (this.#again);
    } finally {
      this.#checking = false;
    }
  }

  #step(): void {
    const store = this.#store, c = this.config;
    const r = this.#round;
    const rs = this.#roundState(r);
    const prevE = r === 1 ? 0 : this.#info(r - 1).e;
    // §3.2 step 3: prevote once t_{r,v} + 2T passed or round r is completable
    if (!rs.prevoted && prevE !== null && (rs.prevoteTimer || this.#info(r).completable)) {
      let base = prevE;
      const b = rs.primaryBlock;
      const prevG = r === 1 ? null : this.#info(r - 1).g;
      // "unless we received a block B from the primary and g(V_{r−1,v}) ≥ B > E_{r−1,v}"
      if (
        b !== undefined && prevG !== null && store.isAncestor(b, prevG) &&
        store.isAncestor(prevE, b) && b !== prevE
      ) base = b;
      if (c.mistakePrevoteIgnoresEstimate) base = this.view.finalized; // MISTAKE (config.ts)
      this.#vote("Prevote", r, this.#bestContaining(base));
    }
    // §3.2 step 4: precommit g(V_{r,v}) once it is ≥ E_{r−1,v} and (i), (ii) or (iii) holds
    if (rs.prevoted && !rs.precommitted) {
      const info = this.#info(r);
      if (c.mistakePrecommitWithoutPrevotes) {
        const target = info.g ?? prevE; // MISTAKE (config.ts): no wait for the prevotes
        if (target !== null) this.#vote("Precommit", r, target);
      } else if (info.g !== null && prevE !== null && store.isAncestor(prevE, info.g)) {
        if (
          rs.precommitTimer || info.completable ||
          (c.precommitOnImpossibleChild &&
            impossibleForAnyChild(rs.prevotes, store, info.g, this.#p))
        ) this.#vote("Precommit", r, info.g);
      }
    }
    this.#finalise();
    // §3.2 step 1: start round r + 1 when round r is completable and we voted in it
    const done = this.#rounds.get(r)!;
    if (done.prevoted && done.precommitted && this.#info(r).completable) {
      this.#startRound(r + 1);
      this.#again = true;
    }
  }

  /**
   * §3.2, "Finalisation": after the precommit step of round r, if B = g(C_{r,v}) is later than the
   * last finalised block and V_{r,v} has a supermajority for B, finalise B — and with it its whole
   * chain.
   */
  #finalise(): void {
    const store = this.#store;
    for (const [k, rs] of this.#rounds) {
      if (k > this.#round || (k === this.#round && !rs.precommitted)) continue;
      const key = `${rs.prevotes.version}:${rs.precommits.version}`;
      if (rs.finalKey === key) continue;
      rs.finalKey = key;
      const b = ghost(rs.precommits, store, this.#p);
      if (b === null || store.height(b) <= store.height(this.view.finalized)) continue;
      if (!hasSupermajority(rs.prevotes, store, b, this.#p)) continue;
      this.#finalizeBlock(b, k);
    }
  }

  #finalizeBlock(b: BlockId, round: number): void {
    const store = this.#store, ctx = this.#ctx;
    const fin = this.view.finalized;
    if (!store.isAncestor(fin, b)) {
      // two conflicting finalised blocks: only possible with more than f Byzantine voters
      ctx.emit({ type: "grandpa-conflict", round, block: b, finalized: fin });
      return;
    }
    for (let h = store.height(fin) + 1; h <= store.height(b); h++) {
      ctx.emit(decideEvent(h, String(store.ancestorAt(b, h)), [], round));
    }
    this.view.finalize(b);
    this.#finalizedRound = round;
    ctx.emit({ type: "grandpa-finalize", round, block: b, height: store.height(b) });
    this.#persist();
  }

  #persist(): void {
    const votes: Vote[] = [];
    for (const r of [this.#round - 1, this.#round]) {
      for (const v of this.#rounds.get(r)?.signed ?? []) {
        if (v.voter === this.#ctx.self) votes.push(v);
      }
    }
    const s: GrandpaPersisted = {
      round: this.#round,
      finalized: this.view.finalized,
      finalizedRound: this.#finalizedRound,
      votes,
    };
    this.#ctx.storage.set("gp:state", s);
  }
}
