/**
 * A HotStuff replica: Yin, Malkhi, Reiter, Gueta, Abraham, "HotStuff: BFT Consensus with Linearity
 * and Responsiveness" (PODC 2019). Basic HotStuff (Algorithm 2: prepare, pre-commit, commit,
 * decide) and chained HotStuff (Algorithm 3: one generic phase per view, the commit rule on a
 * Three-Chain of consecutive views), chosen by `variant`, with a pacemaker (§4.4, §5: round-robin
 * leaders, view timeouts with exponential back-off, NEW-VIEW carrying the replica's highest QC to
 * the next leader), offered to a state machine as a replicated log
 * (lib/protocols/kv/replicated_log.ts).
 *
 * Nodes live in the shared block tree of the run ({@link HotStuffTree} over lib/chain's
 * BlockStore); each replica keeps its own record of the nodes it knows (`#known`, the part of the
 * tree it has received), its locks and its committed node.
 *
 * Departures from the paper, each marked where it happens: views start at 1 with the genesis QC
 * (view 0); a node's justify always certifies its parent (createLeaf(highQC.node), Algorithms 2
 * and 3), and instead of the paper's dummy nodes (§5: heights padded so that a direct parent is
 * the previous view) a "direct parent" is a parent proposed in the previous view; chained HotStuff
 * updates genericQC and the lock as in the event-driven Algorithm 4 (update(b*): highest QC, lock
 * on the Two-Chain's head when higher); a replica that receives a valid message of a later view
 * (a proposal, or a QC of it) jumps to that view (view synchronization the paper leaves to the
 * pacemaker); client commands are gossiped to every mempool, and missing ancestors are fetched
 * from the sender (block sync). Locks, highest QCs, the last view voted in per phase and the
 * committed node are durable, so a restarted replica never votes twice in a view.
 * @module
 */
import type { NodeContext, NodeId } from "../../sim/types.ts";
import { parseConfig } from "../../sim/errors.ts";
import { freezeIfImmutable as frozen, immutable, isImmutable } from "../../sim/storage.ts";
import type { BlockId } from "../../chain/mod.ts";
import { type BftSize, bftSize } from "../bft/config.ts";
import { decideEvent } from "../bft/events.ts";
import type { ProposeResult, ReplicatedLog, ReplicatedLogHooks } from "../kv/replicated_log.ts";
import { type HotStuffConfig, type HotStuffConfigInput, HotStuffConfigSchema } from "./config.ts";
import {
  GENESIS,
  GENESIS_QC,
  type HotStuffMessage,
  type HsBlock,
  type NewView,
  newViewSigned,
  nodeDigest,
  type PhaseMsg,
  type Proposal,
  proposalSigned,
  type QC,
  qcVotes,
  type Tx,
  txKey,
  type Vote,
  type VotePhase,
  voteSigned,
} from "./messages.ts";
import { HotStuffTree } from "./tree.ts";

/** What a replica keeps in durable storage (key "hs:state"). */
export interface HotStuffPersisted {
  /** curView. */
  readonly view: number;
  /** lockedQC. */
  readonly lockedQC: QC;
  /** prepareQC (basic) or genericQC (chained). */
  readonly highQC: QC;
  /** The last view voted in, per phase (never vote twice in a view). */
  readonly voted: Readonly<Record<VotePhase, number>>;
  /** Consecutive views without a new QC (the back-off exponent). */
  readonly failures: number;
  /** Digest of the last committed node. */
  readonly committed: string;
  /** The last view this replica proposed in as leader (never propose twice in a view). */
  readonly proposed: number;
}

/** Order replicas n0, n1, ..., n9, n10 (by length, then text). */
function byId(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

const NEXT_PHASE: Record<"prepare" | "pre-commit" | "commit", PhaseMsg["type"]> = {
  prepare: "pre-commit",
  "pre-commit": "commit",
  commit: "decide",
};

/**
 * A HotStuff replica.
 * @example
 * ```ts
 * const tree = new HotStuffTree();
 * const factory = (ctx) => new KvServer(ctx, { log: (c, h) => new HotStuffNode(c, {}, h, tree) });
 * ```
 */
export class HotStuffNode<C extends Tx = Tx> implements ReplicatedLog<C, HotStuffMessage<C>> {
  /** Parameters with defaults applied. */
  readonly config: HotStuffConfig;
  /** n, f and the n − f quorum. */
  readonly size: BftSize;
  /** Every replica, in leader-rotation order. */
  readonly validators: readonly NodeId[];
  /** The shared block tree of the run. */
  readonly tree: HotStuffTree;
  /** n − f, or n − f − 1 with mistakeQuorumOffByOne (MISTAKE: see config.ts). */
  readonly #quorum: number;
  readonly #ctx: NodeContext<HotStuffMessage<C>>;
  readonly #hooks: ReplicatedLogHooks<C>;
  // Algorithm 2/3 state
  #view = 1;
  #lockedQC: QC = GENESIS_QC;
  /** prepareQC (basic) or genericQC (chained): the highest QC this replica holds. */
  #highQC: QC = GENESIS_QC;
  #voted: Record<VotePhase, number> = { prepare: 0, "pre-commit": 0, commit: 0, generic: 0 };
  #failures = 0;
  #committed: BlockId = 0;
  /** The nodes this replica has received (its own view of the shared tree). */
  #known = new Set<BlockId>([0]);
  // leader state
  #newViews = new Map<number, Map<NodeId, QC>>();
  /** Replicas known to have left each view (view synchronization). */
  #left = new Map<number, Set<NodeId>>();
  #votes = new Map<string, Map<string, Map<NodeId, Vote>>>();
  #qcDone = new Set<string>();
  #proposedView = 0;
  // plumbing
  #local: HotStuffMessage<C>[] = [];
  #draining = false;
  #pending: { from: NodeId; msg: HotStuffMessage<C> }[] = [];
  #fetching = new Set<string>();
  #qcCache = new Map<string, boolean>();
  // mempool and execution
  #mempool = new Map<string, C>();
  #decidedTx = new Set<string>();
  #redo = new Set<string>();
  #applied = 0;
  #lastGuess = 0;

  /** A replica over `ctx`; `hooks.apply` receives each committed command once, in order. */
  constructor(
    ctx: NodeContext<HotStuffMessage<C>>,
    config: HotStuffConfigInput = {},
    hooks: ReplicatedLogHooks<C> = { apply: () => {} },
    tree: HotStuffTree = new HotStuffTree(),
  ) {
    this.config = parseConfig(HotStuffConfigSchema, config, "hotstuff config");
    this.validators = [ctx.self, ...ctx.peers].sort(byId);
    this.size = bftSize(this.validators.length, this.config, "hotstuff config");
    this.tree = tree;
    this.#quorum = this.size.quorum - (this.config.mistakeQuorumOffByOne ? 1 : 0);
    this.#ctx = ctx;
    this.#hooks = hooks;
  }

  // ---- the replicated-log interface ----------------------------------------------------------

  /** Rebuild from durable storage (known nodes, committed prefix, locks), then enter the view. */
  start(): void {
    const ctx = this.#ctx;
    for (const b of ctx.storage.list<HsBlock<C>>("hs:blocks")) {
      const id = this.tree.add(b, ctx.nowMs());
      if (id !== undefined) this.#known.add(id);
    }
    const s = ctx.storage.get<HotStuffPersisted>("hs:state");
    if (s) {
      this.#lockedQC = s.lockedQC;
      this.#highQC = s.highQC;
      this.#voted = { ...s.voted };
      this.#failures = s.failures;
      this.#proposedView = s.proposed;
      const c = this.tree.idOf(s.committed);
      if (c !== undefined && this.#known.has(c)) this.#execute(c);
      this.#view = s.view;
      this.#armView();
      // rejoin: tell leader(curView) our highest QC again (the NEW-VIEW we sent may be lost)
      this.#sendNewView(this.#view - 1, this.#highQC);
      if (this.config.variant === "basic") this.#tryProposeBasic();
      else this.#tryProposeChained(this.#view);
    } else {
      // view 1: every replica sends NEW-VIEW with the genesis QC to leader(1) (Algorithm 2, "Finally")
      this.#armView();
      this.#persist();
      this.#sendNewView(0, this.#highQC);
    }
    this.#drain();
  }

  /**
   * A client command: into the mempool, gossiped to every replica so that whoever leads next can
   * propose it. Always accepted; the index is a guess of the flat log position (the KvServer
   * answers "lost-leadership" when another command lands there and the client retries; its
   * session makes the retry harmless).
   */
  propose(proposed: C): ProposeResult {
    // kept as immutable data (copied unless it is already), so a leaf's commands are frozen
    // without copying them again (see #propose)
    const command = isImmutable(proposed) ? proposed : immutable(proposed) ?? proposed;
    const key = txKey(command);
    const retry = this.#decidedTx.has(key);
    if (retry) this.#redo.add(key);
    if (!this.#mempool.has(key)) this.#mempool.set(key, command);
    const gossip: HotStuffMessage<C> = retry
      ? { type: "tx", tx: command, retry: true }
      : { type: "tx", tx: command };
    for (const p of this.#ctx.peers) this.#ctx.send(p, gossip);
    const head = this.tree.idOf(this.#highQC.node) ?? this.#committed;
    const inFlight = this.#uncommittedKeys(head);
    let guess = this.#applied + 1 + inFlight.size;
    if (inFlight.has(key)) guess = this.#applied + 1;
    else {
      // the mempool in #takeTxs's order and filter (a command's key is its mempool key)
      for (const k of this.#mempool.keys()) {
        if (inFlight.has(k) || (this.#decidedTx.has(k) && !this.#redo.has(k))) continue;
        if (k === key) break;
        guess++;
      }
    }
    if (this.#lastGuess > this.#applied) guess = Math.max(guess, this.#lastGuess + 1);
    this.#lastGuess = guess;
    return { ok: true, index: guess };
  }

  /** Whether this replica is leader(curView). */
  isLeader(): boolean {
    return this.leader(this.#view) === this.#ctx.self;
  }

  /** leader(curView). */
  leaderHint(): NodeId | undefined {
    return this.leader(this.#view);
  }

  /**
   * leader(v): round-robin over the replicas, `viewsPerLeader` views each (§4.4), unless the
   * `leaderOf` test hook names one.
   */
  leader(v: number): NodeId {
    const n = this.validators.length;
    const turn = Math.floor(v / this.config.viewsPerLeader);
    return this.config.leaderOf?.(v) ?? this.validators[((turn % n) + n) % n];
  }

  /** Plain snapshot of the replica's state. */
  inspect(): {
    variant: string;
    view: number;
    lockedView: number;
    highView: number;
    committedHeight: number;
    committed: string;
    known: number;
    applied: number;
    mempool: number;
    failures: number;
  } {
    return {
      variant: this.config.variant,
      view: this.#view,
      lockedView: this.#lockedQC.viewNumber,
      highView: this.#highQC.viewNumber,
      committedHeight: this.tree.store.height(this.#committed),
      committed: this.tree.digestOf(this.#committed),
      known: this.#known.size,
      applied: this.#applied,
      mempool: this.#mempool.size,
      failures: this.#failures,
    };
  }

  /** The committed chain: node digests, genesis excluded, lowest first. */
  committedChain(): string[] {
    return this.tree.store.chain(this.#committed).slice(1).map((id) => this.tree.digestOf(id));
  }

  /** lockedQC and the highest QC (prepareQC or genericQC). */
  qcs(): { lockedQC: QC; highQC: QC } {
    return { lockedQC: this.#lockedQC, highQC: this.#highQC };
  }

  // ---- messages ------------------------------------------------------------------------------

  /** A message from a peer; signatures and QCs are checked before anything is used. */
  onMessage(from: NodeId, msg: HotStuffMessage<C>): void {
    this.#handle(from, msg);
    this.#drain();
  }

  /** The pacemaker's view timer: nextView(curView) (Algorithm 2/3, "Finally"). */
  onTimer(name: string): void {
    const [kind, vs] = name.split(":");
    if (kind !== "view" || Number(vs) !== this.#view) return;
    this.#failures++;
    this.#ctx.emit({ type: "hs-timeout", view: this.#view });
    const sync = this.config.syncAfterFailures;
    if (sync > 0 && this.#failures >= sync) {
      // view synchronization: broadcast that we leave this view, but wait in it until n − f
      // replicas left it (or f + 1 left a later one), re-broadcasting at each timeout
      this.#sendNewView(this.#view, this.#highQC);
      this.#armView();
      this.#persist();
    } else this.#nextView();
    this.#drain();
  }

  #handle(from: NodeId, msg: HotStuffMessage<C>): void {
    if (!msg || typeof msg !== "object") return;
    switch (msg.type) {
      case "tx":
        if (!isTx(msg.tx)) return;
        if (this.#decidedTx.has(txKey(msg.tx))) {
          if (msg.retry !== true) return;
          this.#redo.add(txKey(msg.tx));
        }
        if (!this.#mempool.has(txKey(msg.tx))) this.#mempool.set(txKey(msg.tx), msg.tx);
        return;
      case "fetch":
        return this.#serveFetch(from, msg.node);
      case "blocks":
        return this.#onBlocks(from, msg.blocks);
      case "new-view":
        return this.#onNewView(msg);
      case "vote":
        return this.#onVote(msg);
      case "prepare":
      case "generic":
        return this.#onProposal(from, msg);
      case "pre-commit":
      case "commit":
      case "decide":
        return this.#onPhase(from, msg);
    }
  }

  /** Process our own messages (to ourselves) after the current handler, in order. */
  #drain(): void {
    if (this.#draining) return;
    this.#draining = true;
    try {
      while (this.#local.length) this.#handle(this.#ctx.self, this.#local.shift()!);
    } finally {
      this.#draining = false;
    }
  }

  #sendTo(to: NodeId, msg: HotStuffMessage<C>): void {
    if (to === this.#ctx.self) this.#local.push(msg);
    else this.#ctx.send(to, msg);
  }

  #broadcast(msg: HotStuffMessage<C>): void {
    for (const p of this.#ctx.peers) this.#ctx.send(p, msg);
    this.#local.push(msg);
  }

  // ---- pacemaker (§4.4, §5) ------------------------------------------------------------------

  /** The view timeout: viewTimeoutMs · 2^min(failures, maxBackoffExponent). */
  timeoutMs(): number {
    return this.config.viewTimeoutMs *
      2 ** Math.min(this.#failures, this.config.maxBackoffExponent);
  }

  #armView(): void {
    this.#ctx.setTimer(`view:${this.#view}`, this.timeoutMs());
  }

  /** Enter view v > curView (after a decision, a timeout, or a valid message of view v). */
  #enterView(v: number): void {
    if (v <= this.#view) return;
    this.#ctx.cancelTimer(`view:${this.#view}`);
    this.#view = v;
    this.#armView();
    this.#persist();
    for (const k of this.#newViews.keys()) if (k < v - 2) this.#newViews.delete(k);
    for (const k of this.#left.keys()) if (k < v) this.#left.delete(k);
    for (const k of this.#votes.keys()) {
      if (Number(k.split("|")[1]) < v - 2) this.#votes.delete(k);
    }
    this.#fetching.clear();
  }

  /** nextView: send NEW-VIEW with our highest QC to leader(curView + 1) and enter that view. */
  #nextView(): void {
    const v = this.#view;
    this.#enterView(v + 1);
    this.#sendNewView(v, this.#highQC);
  }

  #sendNewView(v: number, qc: QC): void {
    const base = { viewNumber: v, replica: this.#ctx.self, justify: qc };
    const m: NewView = frozen({
      type: "new-view",
      ...base,
      signature: frozen(this.#ctx.sign(newViewSigned(base))),
    });
    const sync = this.config.syncAfterFailures;
    if (sync > 0 && this.#failures >= sync) this.#broadcast(m); // view synchronization
    else this.#sendTo(this.leader(v + 1), m);
  }

  /**
   * View synchronization (see config.ts `syncAfterFailures`): leave curView when n − f replicas
   * left views ≥ curView; join view w + 1 when f + 1 replicas left views ≥ w > curView (then at
   * least one honest replica gave up on w).
   */
  #trySync(): void {
    for (;;) {
      const leftFrom = (w: number) => {
        const who = new Set<NodeId>();
        for (const [x, set] of this.#left) if (x >= w) { for (const r of set) who.add(r); }
        return who.size;
      };
      let jump = -1;
      for (const w of this.#left.keys()) {
        if (w > this.#view && w > jump && leftFrom(w) >= this.size.weak) jump = w;
      }
      if (jump > this.#view) {
        this.#enterView(jump);
        this.#nextView();
        continue;
      }
      const mine = this.#left.get(this.#view)?.has(this.#ctx.self) ?? false;
      if (mine && leftFrom(this.#view) >= this.#quorum) {
        this.#enterView(this.#view + 1);
        continue;
      }
      return;
    }
  }

  #onNewView(m: NewView): void {
    if (
      !Number.isInteger(m.viewNumber) || !this.validators.includes(m.replica) ||
      m.signature?.signer !== m.replica || !this.#ctx.verify(m.signature, newViewSigned(m)) ||
      !this.#validQC(m.justify)
    ) return;
    if (m.viewNumber >= this.#view) {
      let left = this.#left.get(m.viewNumber);
      if (!left) this.#left.set(m.viewNumber, left = new Set());
      left.add(m.replica);
      this.#trySync();
    }
    if (this.leader(m.viewNumber + 1) !== this.#ctx.self) return;
    if (m.viewNumber + 1 < this.#view) return;
    let byReplica = this.#newViews.get(m.viewNumber);
    if (!byReplica) this.#newViews.set(m.viewNumber, byReplica = new Map());
    if (!byReplica.has(m.replica)) byReplica.set(m.replica, m.justify);
    if (this.config.variant === "basic") this.#tryProposeBasic();
    else {
      this.#updateQCHigh(m.justify); // Algorithm 4, onReceiveNewView
      this.#tryProposeChained(m.viewNumber + 1);
    }
  }

  // ---- the leader ----------------------------------------------------------------------------

  /**
   * Basic HotStuff, prepare phase as leader (Algorithm 2): wait for n − f NEW-VIEW messages of
   * view curView − 1, take highQC (the one with the highest viewNumber) and broadcast
   * Msg(prepare, createLeaf(highQC.node, cmds), highQC).
   */
  #tryProposeBasic(): void {
    for (const [w, byReplica] of this.#newViews) {
      const v = w + 1;
      if (v < this.#view || v <= this.#proposedView || byReplica.size < this.#quorum) continue;
      if (this.leader(v) !== this.#ctx.self) continue;
      let high = this.#highQC;
      for (const qc of byReplica.values()) if (qc.viewNumber > high.viewNumber) high = qc;
      if (!this.#knows(high.node)) {
        // fetch the node highQC certifies from a replica that reported it
        for (const [r, qc] of byReplica) if (qc === high) this.#fetch(r, high.node);
        return;
      }
      this.#enterView(v);
      this.#propose("prepare", v, high);
      return;
    }
  }

  /**
   * Chained HotStuff as the next leader (Algorithm 3): wait for n − f votes of view curView − 1
   * (genericQC ← QC(V)), or n − f NEW-VIEW messages after a failed view, and broadcast
   * Msg(generic, createLeaf(genericQC.node, cmds), genericQC).
   */
  #tryProposeChained(v: number): void {
    if (this.leader(v) !== this.#ctx.self || v < this.#view || v <= this.#proposedView) return;
    const w = v - 1;
    const timedOut = this.#newViews.get(w)?.size ?? 0;
    if (!this.#qcDone.has(`generic|${w}`) && timedOut < this.#quorum) return;
    const high = this.#highQC;
    if (!this.#knows(high.node)) {
      // fetch the certified node from a replica that voted for it or reported its QC
      const from = [...this.#votes.get(`generic|${high.viewNumber}`)?.get(high.node)?.keys() ?? []];
      for (const [r, qc] of this.#newViews.get(w) ?? []) if (qc.node === high.node) from.push(r);
      const r = from.find((x) => x !== this.#ctx.self);
      if (r !== undefined) this.#fetch(r, high.node);
      return;
    }
    this.#enterView(v);
    this.#propose("generic", v, high);
  }

  /** createLeaf(high.node, cmds) with justify = high, signed and broadcast (also to ourselves). */
  #propose(type: "prepare" | "generic", v: number, high: QC): void {
    this.#proposedView = v;
    this.#persist();
    const parent = this.tree.idOf(high.node)!;
    const leaf: HsBlock<C> = {
      parent: high.node,
      height: high.height + 1,
      view: v,
      proposer: this.#ctx.self,
      cmds: frozenArray(this.#takeTxs(parent)),
      justify: high,
    };
    // Twins test hook (config.proposalSalt): this instance's own input, as a timestamp would be
    const node: HsBlock<C> = frozen(
      this.config.proposalSalt
        ? { ...leaf, nonce: `salt-${this.#ctx.rng.int(0, 2 ** 31 - 1)}` }
        : leaf,
    );
    const base = { type, viewNumber: v, leader: this.#ctx.self };
    const msg: Proposal<C> = frozen({
      ...base,
      node,
      signature: frozen(this.#ctx.sign(proposalSigned(base, nodeDigest(node), node.height))),
    });
    this.#broadcast(msg);
  }

  /** Collect votes; on n − f matching ones form a QC (Algorithm 1, QC(V)). */
  #onVote(m: Vote): void {
    if (
      !this.validators.includes(m.replica) || m.partialSig?.signer !== m.replica ||
      !Number.isInteger(m.viewNumber) || !this.#ctx.verify(m.partialSig, voteSigned(m))
    ) return;
    const chained = m.phase === "generic";
    if (chained !== (this.config.variant === "chained")) return;
    // basic: votes go to leader(curView); chained: to leader(curView + 1)
    const collector = chained ? this.leader(m.viewNumber + 1) : this.leader(m.viewNumber);
    if (collector !== this.#ctx.self) return;
    const key = `${m.phase}|${m.viewNumber}`;
    let byDigest = this.#votes.get(key);
    if (!byDigest) this.#votes.set(key, byDigest = new Map());
    let byReplica = byDigest.get(m.node);
    if (!byReplica) byDigest.set(m.node, byReplica = new Map());
    if (!byReplica.has(m.replica)) byReplica.set(m.replica, m);
    if (!this.#qcDone.has(key) && byReplica.size >= this.#quorum) {
      const votes = [...byReplica.values()].slice(0, this.#quorum);
      const qc: QC = frozen({
        phase: m.phase,
        viewNumber: m.viewNumber,
        node: m.node,
        height: m.height,
        sigs: frozenArray(votes.map((x) => x.partialSig)),
        ...(this.config.thresholdSignatures ? { aggregate: true } : {}),
      });
      if (chained) {
        this.#qcDone.add(key);
        this.#updateQCHigh(qc);
        this.#tryProposeChained(m.viewNumber + 1);
      } else if (m.viewNumber === this.#view && this.#proposedView === m.viewNumber) {
        this.#qcDone.add(key);
        const type = NEXT_PHASE[m.phase as "prepare" | "pre-commit" | "commit"];
        this.#broadcast({ type, viewNumber: m.viewNumber, justify: qc, leader: this.#ctx.self });
      }
    } else if (chained) this.#tryProposeChained(m.viewNumber + 1);
  }

  // ---- the replica ---------------------------------------------------------------------------

  /**
   * A proposal. Basic (Algorithm 2, prepare phase as replica): if m.node extends m.justify.node
   * and safeNode(m.node, m.justify), send voteMsg(prepare, m.node) to leader(curView). Chained
   * (Algorithm 3): vote for b* to leader(curView + 1) if safeNode, then update genericQC, the lock
   * and the commit from b*'s ancestors, and move to the next view.
   */
  #onProposal(from: NodeId, m: Proposal<C>): void {
    const variantType = this.config.variant === "basic" ? "prepare" : "generic";
    if (m.type !== variantType || !Number.isInteger(m.viewNumber) || m.viewNumber < 1) return;
    if (!m.node || typeof m.node !== "object") return;
    const digest = nodeDigest(m.node);
    if (
      m.leader !== this.leader(m.viewNumber) || m.signature?.signer !== m.leader ||
      !this.#ctx.verify(m.signature, proposalSigned(m, digest, m.node.height))
    ) return;
    if (m.viewNumber < this.#view) return;
    if (m.node.view !== m.viewNumber || m.node.proposer !== m.leader) return;
    const id = this.#learn(from, m.node, digest, m);
    if (id === undefined) return;
    this.#enterView(m.viewNumber);
    const b = m.node;
    if (m.type === "prepare") {
      if (this.#voted.prepare >= m.viewNumber) return;
      if (!this.#safeNode(digest, b.justify)) return;
      this.#vote("prepare", m.viewNumber, digest, b.height, this.leader(m.viewNumber));
      return;
    }
    // chained (Algorithm 3 / Algorithm 4 onReceiveProposal: vote first, then update(b*))
    if (this.#voted.generic < m.viewNumber && this.#safeNode(digest, b.justify)) {
      this.#vote("generic", m.viewNumber, digest, b.height, this.leader(m.viewNumber + 1));
    }
    this.#update(b);
    this.#enterView(m.viewNumber + 1);
    this.#tryProposeChained(m.viewNumber + 1);
  }

  /**
   * safeNode(node, qc) (Algorithm 1): node extends lockedQC.node (safety rule) or
   * qc.viewNumber > lockedQC.viewNumber (liveness rule).
   */
  #safeNode(digest: string, qc: QC): boolean {
    if (this.config.mistakeIgnoreLock) return true; // MISTAKE: see config.ts
    return this.tree.extends(digest, this.#lockedQC.node) ||
      qc.viewNumber > this.#lockedQC.viewNumber;
  }

  /**
   * Chained update(b*) (Algorithm 3; Algorithm 4): b'' = b*.justify.node, b' = b''.justify.node,
   * b = b'.justify.node. genericQC ← b*.justify when higher (One-Chain); lockedQC ← b''.justify
   * when higher (Two-Chain b'' ← b'); commit b when b'' ← b' ← b are direct parents (here:
   * consecutive views, see the module comment) — the Three-Chain.
   */
  #update(bStar: HsBlock<C>): void {
    const qc = bStar.justify;
    this.#updateQCHigh(qc);
    const b2 = this.#blockOf(qc.node); // b''
    if (!b2) return;
    if (b2.justify.viewNumber > this.#lockedQC.viewNumber) {
      this.#lockedQC = b2.justify; // Two-Chain: lock on b'
      this.#persist();
    }
    const b1 = this.#blockOf(b2.justify.node); // b'
    if (!b1) return;
    if (this.config.mistakeCommitOnTwoChain && b2.view === b1.view + 1) {
      // MISTAKE: commit b' on the Two-Chain b'' ← b' (see config.ts)
      this.#commit(this.tree.idOf(b2.justify.node)!);
      return;
    }
    const b0 = this.#blockOf(b1.justify.node); // b
    if (!b0) return;
    if (b2.view === b1.view + 1 && b1.view === b0.view + 1) {
      this.#commit(this.tree.idOf(b1.justify.node)!); // Three-Chain: decide b
    }
  }

  #updateQCHigh(qc: QC): void {
    if (qc.viewNumber > this.#highQC.viewNumber) {
      this.#highQC = qc;
      this.#failures = 0; // a new QC: the network delivers again, drop the back-off
      this.#persist();
    }
  }

  /**
   * Basic HotStuff, phases 2–4 as replica (Algorithm 2): on matchingQC(m.justify, prepare,
   * curView) set prepareQC and vote pre-commit; on a pre-commit QC set lockedQC and vote commit;
   * on a commit QC execute the commands through m.justify.node and call nextView.
   */
  #onPhase(from: NodeId, m: PhaseMsg): void {
    if (this.config.variant !== "basic" || !Number.isInteger(m.viewNumber)) return;
    const qc = m.justify;
    const want = m.type === "pre-commit"
      ? "prepare"
      : m.type === "commit"
      ? "pre-commit"
      : "commit";
    if (!qc || qc.phase !== want || qc.viewNumber !== m.viewNumber || !this.#validQC(qc)) return;
    if (m.type === "decide") {
      const id = this.tree.idOf(qc.node);
      if (id === undefined || !this.#known.has(id)) {
        this.#buffer(from, m);
        this.#fetch(from, qc.node);
        return;
      }
      this.#commit(id);
      if (m.viewNumber >= this.#view) {
        this.#enterView(m.viewNumber);
        this.#nextView();
      }
      return;
    }
    if (m.viewNumber < this.#view) return;
    this.#enterView(m.viewNumber);
    const leader = this.leader(m.viewNumber);
    if (m.type === "pre-commit") {
      if (qc.viewNumber > this.#highQC.viewNumber) {
        this.#highQC = qc; // prepareQC ← m.justify
        this.#failures = 0; // a new QC: drop the back-off
      }
      if (this.#voted["pre-commit"] < m.viewNumber) {
        this.#vote("pre-commit", m.viewNumber, qc.node, qc.height, leader);
      }
    } else {
      if (qc.viewNumber > this.#lockedQC.viewNumber) this.#lockedQC = qc; // lockedQC ← m.justify
      if (qc.viewNumber > this.#highQC.viewNumber) this.#highQC = qc;
      if (this.#voted.commit < m.viewNumber) {
        this.#vote("commit", m.viewNumber, qc.node, qc.height, leader);
      }
    }
    this.#persist();
  }

  /** voteMsg(phase, node, ⊥) with our partial signature, to `to`; recorded durably first. */
  #vote(phase: VotePhase, v: number, node: string, height: number, to: NodeId): void {
    this.#voted[phase] = v;
    this.#persist();
    const base = { phase, viewNumber: v, node, height, replica: this.#ctx.self };
    const vote: Vote = frozen({
      type: "vote",
      ...base,
      partialSig: frozen(this.#ctx.sign(voteSigned(base))),
    });
    this.#sendTo(to, vote);
  }

  // ---- commit and execution ------------------------------------------------------------------

  /**
   * Commit node `id` and its uncommitted ancestors (onCommit, Algorithm 4: execute in order).
   * A node that does not extend the committed one (only with a mistake flag or more than f
   * Byzantine replicas) is reported by emitting the fork's decisions; nothing is re-executed.
   */
  #commit(id: BlockId): void {
    const store = this.tree.store;
    if (store.isAncestor(id, this.#committed)) return;
    this.#failures = 0;
    if (store.isAncestor(this.#committed, id)) this.#execute(id);
    else {
      const a = store.commonAncestor(id, this.#committed);
      for (const x of store.chain(id).slice(store.height(a) + 1)) {
        const b = this.tree.block<C>(x)!;
        this.#ctx.emit(decideEvent(b.height, this.tree.digestOf(x), b.cmds.map(txKey), b.view));
      }
      this.#committed = id;
    }
    this.#persist();
  }

  /** Execute the nodes from the committed one (exclusive) to `id`, emitting bft-decide each. */
  #execute(id: BlockId): void {
    const store = this.tree.store;
    // the ancestors of `id` above the committed height, lowest first (store.chain(id).slice(from)
    // without walking down to genesis)
    const from = store.height(this.#committed) + 1;
    const ids = new Array<BlockId>(Math.max(0, store.height(id) - from + 1));
    for (let i = ids.length - 1, x = id; i >= 0; i--, x = store.parent(x)) ids[i] = x;
    for (const x of ids) {
      const b = this.tree.block<C>(x)!;
      const requests: string[] = [];
      for (const tx of b.cmds) {
        const k = txKey(tx);
        requests.push(k);
        this.#decidedTx.add(k);
        this.#mempool.delete(k);
        this.#redo.delete(k);
        this.#applied++;
        this.#hooks.apply({ index: this.#applied, command: tx });
      }
      this.#ctx.emit(decideEvent(b.height, this.tree.digestOf(x), requests, b.view));
    }
    this.#committed = id;
  }

  // ---- nodes, QCs, block sync ----------------------------------------------------------------

  /** A QC is valid with n − f distinct replicas' valid signatures (or it is the genesis QC). */
  #validQC(qc: QC): boolean {
    if (!qc || typeof qc !== "object" || !Array.isArray(qc.sigs)) return false;
    if (qc.node === GENESIS) return qc.viewNumber === 0 && qc.height === 0 && qc.sigs.length === 0;
    if (!Number.isInteger(qc.viewNumber) || qc.viewNumber < 1 || !Number.isInteger(qc.height)) {
      return false;
    }
    const key = `${qc.phase}|${qc.viewNumber}|${qc.node}|${qc.height}|` +
      qc.sigs.map((s) => `${s?.signer}:${s?.digest}`).join(",");
    const cached = this.#qcCache.get(key);
    if (cached !== undefined) return cached;
    const signers = new Set<NodeId>();
    for (const v of qcVotes(qc)) {
      if (
        this.validators.includes(v.signer) && !signers.has(v.signer) &&
        this.#ctx.verify(v.signature, v.signed)
      ) signers.add(v.signer);
    }
    const ok = signers.size >= this.#quorum;
    if (this.#qcCache.size > 4096) this.#qcCache.clear();
    this.#qcCache.set(key, ok);
    return ok;
  }

  /**
   * Learn a node (well-formed, justify a valid QC of its parent): add it to the shared tree and to
   * what we know. Undefined when invalid, or when its parent is unknown (then the message is
   * buffered and the parent fetched from the sender).
   */
  #learn(
    from: NodeId,
    b: HsBlock<C>,
    digest: string,
    msg?: HotStuffMessage<C>,
  ): BlockId | undefined {
    const known = this.tree.idOf(digest);
    if (known !== undefined && this.#known.has(known)) return known;
    if (
      typeof b.parent !== "string" || !Number.isInteger(b.height) || b.height < 1 ||
      !Number.isInteger(b.view) || !Array.isArray(b.cmds) ||
      b.cmds.length > this.config.maxBlockTxs || !b.cmds.every(isTx) ||
      !this.validators.includes(b.proposer) || !b.justify || b.justify.node !== b.parent ||
      b.justify.height !== b.height - 1 || b.justify.viewNumber >= b.view ||
      !this.#validQC(b.justify)
    ) return undefined;
    const parent = this.tree.idOf(b.parent);
    if (parent === undefined || !this.#known.has(parent)) {
      if (msg) this.#buffer(from, msg);
      this.#fetch(from, b.parent);
      return undefined;
    }
    const id = this.tree.add(b, this.#ctx.nowMs(), digest);
    if (id === undefined) return undefined;
    this.#known.add(id);
    this.#ctx.storage.append("hs:blocks", b);
    return id;
  }

  #knows(digest: string): boolean {
    const id = this.tree.idOf(digest);
    return id !== undefined && this.#known.has(id);
  }

  #blockOf(digest: string): HsBlock<C> | undefined {
    const id = this.tree.idOf(digest);
    return id !== undefined && this.#known.has(id) ? this.tree.block<C>(id) : undefined;
  }

  #buffer(from: NodeId, msg: HotStuffMessage<C>): void {
    this.#pending.push({ from, msg });
    if (this.#pending.length > 32) this.#pending.shift();
  }

  #fetch(from: NodeId, digest: string): void {
    if (from === this.#ctx.self || this.#fetching.has(digest)) return;
    this.#fetching.add(digest);
    this.#ctx.send(from, { type: "fetch", node: digest });
  }

  #serveFetch(to: NodeId, digest: string): void {
    let id = typeof digest === "string" ? this.tree.idOf(digest) : undefined;
    if (id === undefined || !this.#known.has(id)) return;
    const blocks: HsBlock<C>[] = [];
    while (id > 0 && blocks.length < this.config.maxBlocksPerFetch) {
      blocks.push(this.tree.block<C>(id)!);
      id = this.tree.store.parent(id);
    }
    if (blocks.length) this.#ctx.send(to, { type: "blocks", blocks });
  }

  #onBlocks(from: NodeId, blocks: readonly HsBlock<C>[]): void {
    if (!Array.isArray(blocks)) return;
    let learned = false;
    for (let i = blocks.length - 1; i >= 0; i--) {
      const b = blocks[i];
      if (!b || typeof b !== "object") continue;
      const digest = nodeDigest(b);
      this.#fetching.delete(digest);
      if (this.#knows(digest)) continue;
      if (this.#learn(from, b, digest) !== undefined) learned = true;
    }
    if (!learned) return;
    const pending = this.#pending;
    this.#pending = [];
    for (const p of pending) this.#handle(p.from, p.msg);
    if (this.config.variant === "basic") this.#tryProposeBasic();
    else this.#tryProposeChained(this.#view);
  }

  // ---- mempool -------------------------------------------------------------------------------

  /** Keys of the commands in the known nodes between the committed node and `head`. */
  #uncommittedKeys(head: BlockId): Set<string> {
    const out = new Set<string>();
    const store = this.tree.store;
    const floor = store.height(this.#committed);
    let x = head;
    while (x > 0 && store.height(x) > floor) {
      for (const k of cmdKeys(this.tree.block<C>(x)!)) out.add(k);
      x = store.parent(x);
    }
    return out;
  }

  /** Commands for a new node on `parent`: undecided, not already above the committed node. */
  #takeTxs(parent: BlockId, max = this.config.maxBlockTxs): C[] {
    const skip = this.#uncommittedKeys(parent);
    const out: C[] = [];
    for (const [k, tx] of this.#mempool) {
      if (out.length >= max) break;
      if (skip.has(k)) continue;
      if (!this.#decidedTx.has(k) || this.#redo.has(k)) out.push(tx);
    }
    return out;
  }

  #persist(): void {
    const s: HotStuffPersisted = {
      view: this.#view,
      lockedQC: this.#lockedQC,
      highQC: this.#highQC,
      voted: { ...this.#voted },
      failures: this.#failures,
      committed: this.tree.digestOf(this.#committed),
      proposed: this.#proposedView,
    };
    this.#ctx.storage.set("hs:state", s);
  }
}

/** A frozen copy of an array this replica just built (elements shared when immutable). */
function frozenArray<T>(a: T[]): readonly T[] {
  return immutable(a) ?? a;
}

// the request ids of a frozen node's commands, computed once (every client request walks the
// uncommitted nodes)
const frozenCmdKeys = new WeakMap<object, readonly string[]>();

function cmdKeys(b: HsBlock): readonly string[] {
  if (!isImmutable(b)) return b.cmds.map(txKey);
  let keys = frozenCmdKeys.get(b);
  if (keys === undefined) frozenCmdKeys.set(b, keys = b.cmds.map(txKey));
  return keys;
}

function isTx(tx: unknown): tx is Tx {
  const t = tx as Tx | null;
  return t !== null && typeof t === "object" && typeof t.clientId === "string" &&
    typeof t.seq === "number";
}

/** A node factory for bare HotStuff replicas sharing one block tree (no state machine). */
export function hotstuffFactory<C extends Tx = Tx>(
  config: HotStuffConfigInput = {},
  tree: HotStuffTree = new HotStuffTree(),
): (ctx: NodeContext<HotStuffMessage<C>>) => HotStuffNode<C> {
  parseConfig(HotStuffConfigSchema, config, "hotstuff config");
  return (ctx) => new HotStuffNode<C>(ctx, config, undefined, tree);
}
