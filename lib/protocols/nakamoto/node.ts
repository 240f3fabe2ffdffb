/**
 * A Nakamoto node (Nakamoto 2008, §5 "Network"): it relays blocks it has validated, adopts them
 * into its {@link ChainView} (fork choice by name; Nakamoto's rule is "longest", §4: "nodes
 * always consider the longest chain to be the correct one"), and a miner mines on its view's
 * tip. Relay follows Bitcoin's inv → getdata → block exchange; a node validates a block
 * (a delay that grows with size) before it adopts and announces it.
 *
 * Compact by design (10,000 nodes in one run): the block store, the peer graph and the message
 * objects are shared; a node holds its view, three small maps that empty as blocks settle, and
 * counters. Departures from Bitcoin Core, kept on purpose: every valid block is relayed, not only
 * a new tip (so stale blocks reach everyone and GHOST sees them, as Ethereum relayed uncles), and a
 * block whose parent is unknown makes the node fetch the parent from the same peer (the
 * pre-headers-first orphan walk) instead of syncing headers.
 * @module
 */
import type { NodeContext, ProtocolNode } from "../../sim/types.ts";
import { type BlockId, type BlockStore, ChainView, type ReceiveResult } from "../../chain/mod.ts";
import { INV_BYTES, type MessageCache, type NakamotoMessage } from "./messages.ts";
import type { PeerGraph } from "./topology.ts";
import { type NakamotoConfig, validationDelayMs } from "./config.ts";

/** What every node of a run shares (built once by `nakamotoNetwork`). */
export interface NakamotoShared {
  /** The configuration in force. */
  readonly config: NakamotoConfig;
  /** The one block store of the run. */
  readonly store: BlockStore;
  /** The peer graph. */
  readonly graph: PeerGraph;
  /** Node ids by index. */
  readonly ids: readonly string[];
  /** Node index by id. */
  readonly indexOf: ReadonlyMap<string, number>;
  /** Shared message objects. */
  readonly messages: MessageCache;
  /** Create a block on `parent` produced by node `index` now (fills it with transactions). */
  produce(index: number, parent: BlockId, nowMs: number): BlockId;
  /** A node adopted block `b` into its view (after validation). */
  adopted(index: number, b: BlockId, result: ReceiveResult, nowMs: number): void;
}

const VALIDATING = -1;

/** A Nakamoto node; build one per simulator node with the run's shared state. */
export class NakamotoNode implements ProtocolNode<NakamotoMessage> {
  /** This node's view of the block tree. */
  readonly view: ChainView;
  /** This node's index in the peer graph. */
  readonly index: number;
  /** Blocks this node mined. */
  mined = 0;
  #ctx: NodeContext<NakamotoMessage>;
  #sh: NakamotoShared;
  /** Block → time it was requested (≥ 0) or VALIDATING; empty once blocks settle. */
  #pending: Map<BlockId, number> | null = null;
  /** Block → peers known to have it (they announced or sent it), until this node relays it. */
  #heard: Map<BlockId, number[]> | null = null;
  /** Parent → validated children waiting for it. */
  #waiting: Map<BlockId, BlockId[]> | null = null;

  /** A node over `ctx` sharing `shared`. */
  constructor(ctx: NodeContext<NakamotoMessage>, shared: NakamotoShared) {
    this.#ctx = ctx;
    this.#sh = shared;
    this.index = shared.indexOf.get(ctx.self)!;
    this.view = new ChainView(shared.store, shared.config.forkChoice);
  }

  onMessage(from: string, msg: NakamotoMessage): void {
    const b = msg.block;
    if (msg.type === "getdata") {
      if (this.view.has(b)) this.#sendBlock(from, b);
      return;
    }
    if (this.view.has(b)) return;
    const p = this.#sh.indexOf.get(from)!;
    this.#noteHeard(b, p);
    const state = this.#pending?.get(b);
    if (msg.type === "inv") {
      if (state === VALIDATING || this.#isWaiting(b)) return;
      if (state !== undefined && this.#ctx.nowMs() - state < this.#sh.config.requestTimeoutMs) {
        return;
      }
      this.#request(from, b);
      return;
    }
    // a block
    if (state === VALIDATING || this.#isWaiting(b)) return;
    const store = this.#sh.store;
    const parent = store.parent(b);
    if (!this.view.has(parent) && !this.#isWaiting(parent)) {
      const ps = this.#pending?.get(parent);
      if (
        ps === undefined ||
        (ps !== VALIDATING && this.#ctx.nowMs() - ps >= this.#sh.config.requestTimeoutMs)
      ) {
        this.#request(from, parent); // the sender validated b, so it has b's parent
      }
    }
    (this.#pending ??= new Map()).set(b, VALIDATING);
    this.#ctx.setTimer(`v${b}`, validationDelayMs(this.#sh.config, store.sizeBytes(b)));
  }

  onTimer(name: string): void {
    const b = Number(name.slice(1));
    this.#pending!.delete(b);
    const parent = this.#sh.store.parent(b);
    if (!this.view.has(parent)) {
      const w = (this.#waiting ??= new Map());
      const list = w.get(parent);
      if (list) list.push(b);
      else w.set(parent, [b]);
      return;
    }
    this.#connect(b);
  }

  /** Mine a block on this node's tip now (called by the run's mining process). */
  mine(): BlockId {
    const b = this.#sh.produce(this.index, this.view.tip, this.#ctx.nowMs());
    this.mined++;
    this.#connect(b);
    return b;
  }

  /** Announce this node's tip to every peer (what a reconnection handshake does after a heal). */
  announceTip(): void {
    const tip = this.view.tip;
    if (tip === 0) return;
    const g = this.#sh.graph, ids = this.#sh.ids, inv = this.#sh.messages.inv(tip);
    for (let k = g.offsets[this.index]; k < g.offsets[this.index + 1]; k++) {
      this.#ctx.send(ids[g.neighbors[k]], inv, { sizeBytes: INV_BYTES });
    }
  }

  /** Blocks in flight at this node (requested or validating) and validated ones waiting for a parent. */
  get backlog(): number {
    let w = 0;
    for (const l of this.#waiting?.values() ?? []) w += l.length;
    return (this.#pending?.size ?? 0) + w;
  }

  /** A plain snapshot. */
  inspect(): unknown {
    return {
      tip: this.view.tip,
      height: this.#sh.store.height(this.view.tip),
      known: this.view.knownCount,
      mined: this.mined,
      reorgs: this.view.reorgs.length,
      backlog: this.backlog,
    };
  }

  #isWaiting(b: BlockId): boolean {
    if (!this.#waiting) return false;
    const list = this.#waiting.get(this.#sh.store.parent(b));
    return list !== undefined && list.includes(b);
  }

  #noteHeard(b: BlockId, p: number): void {
    const h = (this.#heard ??= new Map());
    const list = h.get(b);
    if (!list) h.set(b, [p]);
    else if (!list.includes(p)) list.push(p);
  }

  #request(to: string, b: BlockId): void {
    (this.#pending ??= new Map()).set(b, this.#ctx.nowMs());
    this.#ctx.send(to, this.#sh.messages.getdata(b), { sizeBytes: INV_BYTES });
  }

  #sendBlock(to: string, b: BlockId): void {
    this.#ctx.send(to, this.#sh.messages.block(b), { sizeBytes: this.#sh.store.sizeBytes(b) });
  }

  #connect(b: BlockId): void {
    const result = this.view.receive(b);
    this.#sh.adopted(this.index, b, result, this.#ctx.nowMs());
    this.#relay(b);
    const children = this.#waiting?.get(b);
    if (children) {
      this.#waiting!.delete(b);
      for (const c of children) this.#connect(c);
    }
  }

  #relay(b: BlockId): void {
    const sh = this.#sh, g = sh.graph, ids = sh.ids;
    const heard = this.#heard?.get(b);
    if (heard) this.#heard!.delete(b);
    const push = sh.config.relay === "push";
    const msg = push ? sh.messages.block(b) : sh.messages.inv(b);
    const size = push ? sh.store.sizeBytes(b) : INV_BYTES;
    for (let k = g.offsets[this.index]; k < g.offsets[this.index + 1]; k++) {
      const j = g.neighbors[k];
      if (heard && heard.includes(j)) continue;
      this.#ctx.send(ids[j], msg, { sizeBytes: size });
    }
  }
}
