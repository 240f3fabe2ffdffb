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
 *
 * Compact relay (`relay: "compact"`, BIP 152 high-bandwidth mode with BIP 130 headers
 * announcements): a node keeps the 3 peers that most recently delivered a new block to it first as
 * its high-bandwidth peers (BIP 152: "the three peers that most recently provided ... new blocks");
 * they push it a `cmpctblock` on arrival, before validation (BIP 152 allows it), and every peer
 * not yet served gets a `headers` announcement after validation. The
 * `sendcmpct` messages that set this up are not modelled: a peer's choice is read directly. A push
 * or announcement to a node that has the block, or is validating it or holding it for its parent,
 * would be ignored on arrival (the only trace it leaves is the peer noted as having the block,
 * which only suppresses an announcement back to a node that has the block): it is not delivered,
 * its bytes are still charged to the link through `NakamotoShared.charge`.
 * @module
 */
import type { NodeContext, ProtocolNode } from "../../sim/types.ts";
import { type BlockId, type BlockStore, ChainView, type ReceiveResult } from "../../chain/mod.ts";
import {
  compactBlockBytes,
  HEADERS_BYTES,
  INV_BYTES,
  type MessageCache,
  type NakamotoMessage,
} from "./messages.ts";
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
  /** Compact relay: each node's high-bandwidth peers (3 slots a node, -1 = empty). */
  readonly hb?: Int32Array;
  /** Compact relay: every node by index (set once the cluster is built). */
  nodes?: readonly NakamotoNode[];
  /** Compact relay: occupy the link `from` → `to` with a message that is not delivered. */
  charge?(from: number, to: number, sizeBytes: number): void;
  /** Compact relay: messages not delivered because they could change nothing, and their bytes. */
  readonly elided?: { messages: number; bytes: number };
  /**
   * Compact relay: a cache of which node ignores which recent block, `ring[(b mod RING_BLOCKS) × n
   * + node] = b × 2 + state` (one row per block, so a relay's checks stay in one small row).
   */
  readonly ring?: Int32Array;
}

/** High-bandwidth peers a node names (BIP 152: up to 3). */
export const HB_PEERS = 3;

const VALIDATING = -1;
/** Ring states (`NakamotoShared.ring`): the node ignores pushes and announcements of the block. */
const ST_IGNORES = 1;
/** Blocks the ring remembers per node (a power of two). */
export const RING_BLOCKS = 64;

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
    const type = msg.type;
    if (type === "getdata") {
      if (this.view.has(b)) this.#sendBlock(from, b);
      return;
    }
    if (this.view.has(b)) return;
    const p = this.#sh.indexOf.get(from)!;
    this.#noteHeard(b, p);
    const state = this.#pending?.get(b);
    if (type === "inv" || type === "headers") {
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
    if (type === "cmpctblock") {
      this.#promote(p);
      this.#mark(b, ST_IGNORES);
      // BIP 152, high-bandwidth mode: peers send cmpctblock "possibly even before fully
      // validating the block"; this node pushes once the header connects (the parent is known)
      if (this.view.has(parent)) this.#relayCompact(b, this.#heard?.get(b), true);
    }
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

  /** Whether a push or announcement of `b` arriving now or later would change nothing here. */
  ignores(b: BlockId): boolean {
    return this.view.has(b) || this.#pending?.get(b) === VALIDATING || this.#isWaiting(b);
  }

  #mark(b: BlockId, state: number): void {
    const ring = this.#sh.ring;
    if (ring) ring[(b & (RING_BLOCKS - 1)) * this.#sh.graph.n + this.index] = b * 2 + state;
  }

  /** BIP 152: peer `p` gave this node a new block first; it becomes the newest HB peer. */
  #promote(p: number): void {
    const hb = this.#sh.hb!, o = this.index * HB_PEERS;
    let k = 0;
    while (k < HB_PEERS - 1 && hb[o + k] !== p) k++;
    for (; k > 0; k--) hb[o + k] = hb[o + k - 1];
    hb[o] = p;
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
    const sh = this.#sh;
    if (sh.config.relay === "compact") {
      this.#ctx.send(to, sh.messages.cmpctblock(b), {
        sizeBytes: compactBlockBytes(sh.config.headerBytes, sh.store.txs(b)),
      });
    } else this.#ctx.send(to, sh.messages.block(b), { sizeBytes: sh.store.sizeBytes(b) });
  }

  #connect(b: BlockId): void {
    const result = this.view.receive(b);
    this.#mark(b, ST_IGNORES);
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
    if (sh.config.relay === "compact") return this.#relayCompact(b, heard, false);
    const push = sh.config.relay === "push";
    const msg = push ? sh.messages.block(b) : sh.messages.inv(b);
    const size = push ? sh.store.sizeBytes(b) : INV_BYTES;
    for (let k = g.offsets[this.index]; k < g.offsets[this.index + 1]; k++) {
      const j = g.neighbors[k];
      if (heard && heard.includes(j)) continue;
      this.#ctx.send(ids[j], msg, { sizeBytes: size });
    }
  }

  /**
   * Compact relay of `b`: with `pushOnly`, a `cmpctblock` to the peers that named this node a
   * high-bandwidth peer (on arrival, before validation); otherwise (after validation, or on
   * mining) a `cmpctblock` to those and a `headers` announcement to every other peer. Peers known
   * to have `b`, and peers that would ignore it, get nothing delivered (a push's bytes still
   * occupy the link).
   */
  #relayCompact(b: BlockId, heard: number[] | undefined, pushOnly: boolean): void {
    const sh = this.#sh, g = sh.graph, ids = sh.ids, hb = sh.hb!, nodes = sh.nodes!;
    const ring = sh.ring!, row = (b & (RING_BLOCKS - 1)) * g.n, want = b * 2 + ST_IGNORES;
    const me = this.index;
    const cmpct = sh.messages.cmpctblock(b), headers = sh.messages.headers(b);
    const cmpctBytes = compactBlockBytes(sh.config.headerBytes, sh.store.txs(b));
    for (let k = g.offsets[me]; k < g.offsets[me + 1]; k++) {
      const j = g.neighbors[k];
      const o = j * HB_PEERS;
      const push = hb[o] === me || hb[o + 1] === me || hb[o + 2] === me;
      if (pushOnly && !push) continue;
      if (heard && heard.includes(j)) continue;
      const v = ring[row + j];
      if (pushOnly) this.#noteHeard(b, j); // announced: the after-validation pass skips it
      if (v === want || (v !== 0 && v >> 1 !== b && nodes[j].ignores(b))) {
        if (push) {
          sh.charge!(me, j, cmpctBytes); // a header announcement (106 bytes) is not charged
          sh.elided!.bytes += cmpctBytes;
        }
        sh.elided!.messages++;
        continue;
      }
      if (push) this.#ctx.send(ids[j], cmpct, { sizeBytes: cmpctBytes });
      else this.#ctx.send(ids[j], headers, { sizeBytes: HEADERS_BYTES });
    }
  }
}
