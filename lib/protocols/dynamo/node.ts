/**
 * A Dynamo storage node (DeCandia et al., SOSP 2007). Every node can coordinate: it computes a
 * key's targets from the ring, sends `put`/`get` to each of them, and answers the client once W
 * acknowledgements or R replies arrived (§4.5). Departure: the paper's coordinator writes its own
 * copy locally before replicating; here it sends to itself through the network like to any other
 * target, so all N replicas see the same latency distributions (as PBS's WARS model assumes). Sloppy
 * quorums replace silent targets by the next healthy nodes of the ring walk, which keep the
 * version as a hint for the node they stand in for and hand it over when it is reachable again
 * (§4.6). After answering a get the coordinator waits a little for the other replies and pushes
 * the merged version to the preference-list replicas that answered stale (read repair, §5).
 * Anti-entropy compares Merkle trees of the keys two nodes both replicate (§4.7).
 * @module
 */
import type { NodeContext, NodeId, ProtocolNode } from "../../sim/types.ts";
import type { DynamoConfig } from "./config.ts";
import type { Ring } from "./ring.ts";
import type { AeData, AeHashes, ClientGet, ClientPut, DynamoMessage } from "./messages.ts";
import {
  contextOf,
  type Dot,
  EMPTY_CONTEXT,
  mergeVersions,
  sameVersions,
  sortedValues,
  type Version,
  versionsDigest,
} from "./version.ts";
import { leafOf, MerkleTree } from "./merkle.ts";

/** A target of one request: the node and, for a sloppy stand-in, whom it replaces. */
interface Target {
  readonly node: NodeId;
  readonly hintFor?: NodeId;
}

interface CoordOp {
  readonly id: number;
  readonly kind: "get" | "put";
  readonly client: NodeId;
  readonly reqId: number;
  readonly key: string;
  readonly n: number;
  readonly need: number;
  readonly targets: Target[];
  readonly replies: Map<NodeId, readonly Version[]>;
  readonly versions: readonly Version[];
  done: boolean;
}

/** A node's state as `inspect()` returns it. */
export interface DynamoNodeState {
  /** Main store: key → versions (siblings in "vv" mode). */
  readonly store: Readonly<Record<string, readonly Version[]>>;
  /** Hints held for other nodes: intended node → key → versions. */
  readonly hints: Readonly<Record<NodeId, Readonly<Record<string, readonly Version[]>>>>;
}

const S = "s\u0000", H = "h\u0000", C = "c\u0000";

/**
 * One storage node. Build it through {@link createDynamoCluster}, or with a fake context in a
 * handler test: `new DynamoNode(ctx, config, ring)`.
 */
export class DynamoNode implements ProtocolNode<DynamoMessage> {
  #ctx: NodeContext<DynamoMessage>;
  #config: DynamoConfig;
  #ring: Ring;
  #store = new Map<string, Version[]>();
  #hints = new Map<NodeId, Map<string, Version[]>>();
  #lastHeard = new Map<NodeId, number>();
  #ops = new Map<number, CoordOp>();
  #nextOp = 1;
  #aeRound = 0;
  #aePeer = 0;

  /** A node over `ctx`; its store, hints and put counters are reloaded from durable storage. */
  constructor(ctx: NodeContext<DynamoMessage>, config: DynamoConfig, ring: Ring) {
    this.#ctx = ctx;
    this.#config = config;
    this.#ring = ring;
    for (const k of ctx.storage.keys().sort()) {
      if (k.startsWith(S)) this.#store.set(k.slice(S.length), ctx.storage.get<Version[]>(k)!);
      else if (k.startsWith(H)) {
        const [intended, key] = k.slice(H.length).split("\u0000");
        this.#hintMap(intended).set(key, ctx.storage.get<Version[]>(k)!);
      }
    }
  }

  /** Arm the probe, handoff and anti-entropy timers; every peer starts out healthy. */
  start(): void {
    const now = this.#ctx.nowMs();
    for (const p of this.#ctx.peers) this.#lastHeard.set(p, now);
    const c = this.#config;
    if (c.probeIntervalMs > 0) this.#ctx.setTimer("probe", c.probeIntervalMs);
    this.#ctx.setTimer("handoff", c.handoffIntervalMs);
    if (c.antiEntropy.intervalMs > 0) this.#ctx.setTimer("ae", c.antiEntropy.intervalMs);
  }

  /** The main store and the hints held, as plain objects. */
  inspect(): DynamoNodeState {
    const hints: Record<NodeId, Record<string, readonly Version[]>> = {};
    for (const [n, m] of this.#hints) if (m.size) hints[n] = Object.fromEntries(m);
    return { store: Object.fromEntries(this.#store), hints };
  }

  // ---- failure detection --------------------------------------------------------------------

  /** Whether `p` counts as healthy: heard from within `suspectAfterMs` (always, without probes). */
  #healthy(p: NodeId): boolean {
    if (p === this.#ctx.self || this.#config.probeIntervalMs === 0) return true;
    const t = this.#lastHeard.get(p);
    return t !== undefined && this.#ctx.nowMs() - t < this.#config.suspectAfterMs;
  }

  #suspect(p: NodeId): void {
    if (p !== this.#ctx.self) this.#lastHeard.set(p, -Infinity);
  }

  // ---- routing ------------------------------------------------------------------------------

  /**
   * The nodes a request for `key` goes to. Strict: the top n of the preference list. Sloppy
   * (§4.6): the first n healthy nodes of the ring walk; each stand-in beyond the top n is paired
   * with an unhealthy top-n node, in order, for its hint.
   */
  #targets(key: string, n: number): Target[] {
    const walk = this.#ring.walk(key);
    if (this.#config.quorum === "strict") return walk.slice(0, n).map((node) => ({ node }));
    const top = walk.slice(0, n);
    const missing = top.filter((p) => !this.#healthy(p));
    const out: Target[] = top.filter((p) => this.#healthy(p)).map((node) => ({ node }));
    for (const p of walk.slice(n)) {
      if (out.length >= n || missing.length === 0) break;
      if (this.#healthy(p)) out.push({ node: p, hintFor: missing.shift()! });
    }
    return out;
  }

  // ---- messages -----------------------------------------------------------------------------

  /** Any message proves its sender alive; then dispatch on its type. */
  onMessage(from: NodeId, msg: DynamoMessage): void {
    this.#lastHeard.set(from, this.#ctx.nowMs());
    switch (msg.type) {
      case "client-get":
      case "client-put":
        return this.#onClient(msg);
      case "put":
        if (msg.hintFor !== undefined && msg.hintFor !== this.#ctx.self) {
          this.#storeHint(msg.hintFor, msg.key, msg.versions);
        } else this.#merge(msg.key, msg.versions);
        return this.#ctx.send(from, { type: "put-ack", op: msg.op });
      case "get":
        return this.#ctx.send(from, {
          type: "get-reply",
          op: msg.op,
          key: msg.key,
          versions: this.#localVersions(msg.key),
        });
      case "put-ack":
      case "get-reply":
        return this.#onReply(from, msg.op, msg.type === "get-reply" ? msg.versions : []);
      case "repair":
        this.#merge(msg.key, msg.versions);
        return;
      case "handoff":
        for (const e of msg.entries) this.#merge(e.key, e.versions);
        return this.#ctx.send(from, {
          type: "handoff-ack",
          entries: msg.entries.map((e) => ({ key: e.key, digest: versionsDigest(e.versions) })),
        });
      case "handoff-ack":
        return this.#onHandoffAck(from, msg.entries);
      case "ping":
        return this.#ctx.send(from, { type: "pong" });
      case "pong":
      case "client-reply":
        return;
      case "ae-hashes":
        return this.#onAeHashes(from, msg);
      case "ae-data":
        return this.#onAeData(from, msg);
    }
  }

  /** Periodic probes, handoff and anti-entropy; per-operation timeouts and read repair. */
  onTimer(name: string): void {
    const c = this.#config;
    if (name === "probe") {
      for (const p of this.#ctx.peers) this.#ctx.send(p, { type: "ping" });
      this.#ctx.setTimer("probe", c.probeIntervalMs);
    } else if (name === "handoff") {
      this.#deliverHints();
      this.#ctx.setTimer("handoff", c.handoffIntervalMs);
    } else if (name === "ae") {
      this.#startAntiEntropy();
      this.#ctx.setTimer("ae", c.antiEntropy.intervalMs);
    } else if (name.startsWith("op:")) {
      const [, id, what] = name.split(":");
      const op = this.#ops.get(Number(id));
      if (!op) return;
      if (what === "timeout") this.#onTimeout(op);
      else if (what === "replica") this.#onReplicaTimeout(op);
      else if (what === "repair") this.#readRepair(op);
    }
  }

  // ---- coordination -------------------------------------------------------------------------

  #onClient(msg: ClientGet | ClientPut): void {
    const c = this.#config;
    const n = msg.n ?? c.n;
    let targets = this.#targets(msg.key, n);
    const self = this.#ctx.self;
    if (
      c.coordinator === "preference" && (msg.hops ?? 0) === 0 &&
      !targets.some((t) => t.node === self)
    ) {
      // §4.5: a node outside the key's top nodes forwards to the first (healthy) one
      const to = targets.find((t) => this.#healthy(t.node))?.node ?? targets[0]?.node;
      if (to !== undefined) return this.#ctx.send(to, { ...msg, hops: 1 });
    }
    const need = msg.type === "client-get" ? (msg.r ?? c.r) : (msg.w ?? c.w);
    // PBS's partial quorums: only `need` random targets are contacted
    if (c.fanout === "quorum") targets = this.#ctx.rng.shuffle(targets).slice(0, need);
    const id = this.#nextOp++;
    let versions: Version[] = [];
    if (msg.type === "client-put") {
      const counterKey = C + msg.key;
      const counter = (this.#ctx.storage.get<number>(counterKey) ?? 0) + 1;
      this.#ctx.storage.set(counterKey, counter);
      const dot: Dot = { node: self, counter };
      versions = [{
        value: msg.value,
        dot,
        context: msg.context ?? EMPTY_CONTEXT,
        ts: this.#ctx.nowMs(),
      }];
    }
    const op: CoordOp = {
      id,
      kind: msg.type === "client-get" ? "get" : "put",
      client: msg.client,
      reqId: msg.id,
      key: msg.key,
      n,
      need,
      targets,
      replies: new Map(),
      versions,
      done: false,
    };
    this.#ops.set(id, op);
    for (const t of targets) this.#sendToTarget(op, t);
    this.#ctx.setTimer(`op:${id}:timeout`, c.requestTimeoutMs);
    if (c.quorum === "sloppy") this.#ctx.setTimer(`op:${id}:replica`, c.replicaTimeoutMs);
  }

  #sendToTarget(op: CoordOp, t: Target): void {
    if (op.kind === "put") {
      this.#ctx.send(t.node, {
        type: "put",
        op: op.id,
        key: op.key,
        versions: op.versions,
        ...(t.hintFor !== undefined ? { hintFor: t.hintFor } : {}),
      });
    } else this.#ctx.send(t.node, { type: "get", op: op.id, key: op.key });
  }

  #onReply(from: NodeId, opId: number, versions: readonly Version[]): void {
    const op = this.#ops.get(opId);
    if (!op || !op.targets.some((t) => t.node === from)) return;
    op.replies.set(from, versions);
    if (op.done || op.replies.size < op.need) return;
    op.done = true;
    this.#ctx.cancelTimer(`op:${op.id}:timeout`);
    this.#ctx.cancelTimer(`op:${op.id}:replica`);
    if (op.kind === "put") {
      this.#answer(op, "ok", undefined);
      this.#ops.delete(op.id);
      return;
    }
    const merged = this.#mergeReplies(op);
    this.#answer(op, "ok", merged);
    if (!this.#config.readRepair) this.#ops.delete(op.id);
    else if (this.#config.readRepairWaitMs === 0) this.#readRepair(op);
    else this.#ctx.setTimer(`op:${op.id}:repair`, this.#config.readRepairWaitMs);
  }

  #mergeReplies(op: CoordOp): Version[] {
    let merged: Version[] = [];
    for (const vs of op.replies.values()) merged = mergeVersions(this.#config.conflict, merged, vs);
    return merged;
  }

  #answer(op: CoordOp, status: "ok" | "unavailable", merged: readonly Version[] | undefined) {
    this.#ctx.emit({
      type: "coordinated",
      op: op.kind,
      key: op.key,
      status,
      acks: op.replies.size,
      ...(op.kind === "put" ? { dot: op.versions[0].dot } : {}),
    });
    this.#ctx.send(op.client, {
      type: "client-reply",
      id: op.reqId,
      status,
      op: op.kind,
      coordinator: this.#ctx.self,
      acks: op.replies.size,
      ...(merged ? { values: sortedValues(merged), context: contextOf(merged) } : {}),
    });
  }

  #onTimeout(op: CoordOp): void {
    this.#ctx.cancelTimer(`op:${op.id}:replica`);
    if (!op.done) {
      op.done = true;
      this.#answer(op, "unavailable", undefined);
    }
    this.#ops.delete(op.id);
  }

  /** Sloppy quorum (§4.6): replace targets that stayed silent by the next healthy nodes. */
  #onReplicaTimeout(op: CoordOp): void {
    if (op.done) return;
    const silent = op.targets.filter((t) => !op.replies.has(t.node));
    for (const t of silent) this.#suspect(t.node);
    const used = new Set(op.targets.map((t) => t.node));
    const candidates = this.#ring.walk(op.key).filter((p) => !used.has(p) && this.#healthy(p));
    for (const t of silent) {
      const next = candidates.shift();
      if (next === undefined) break;
      const hintFor = t.hintFor ?? t.node;
      const nt: Target = next === hintFor ? { node: next } : { node: next, hintFor };
      op.targets.push(nt);
      this.#sendToTarget(op, nt);
    }
    this.#ctx.setTimer(`op:${op.id}:replica`, this.#config.replicaTimeoutMs);
  }

  /** §5: push the merged versions to preference-list replicas whose reply was stale. */
  #readRepair(op: CoordOp): void {
    this.#ops.delete(op.id);
    const merged = this.#mergeReplies(op);
    const owners = new Set(this.#ring.preferenceList(op.key, op.n));
    for (const [node, vs] of op.replies) {
      if (!owners.has(node) || sameVersions(vs, merged)) continue;
      this.#ctx.emit({ type: "read-repair", key: op.key, replica: node });
      this.#ctx.send(node, { type: "repair", key: op.key, versions: merged });
    }
  }

  // ---- local store --------------------------------------------------------------------------

  #merge(key: string, versions: readonly Version[]): void {
    const cur = this.#store.get(key) ?? [];
    const next = mergeVersions(this.#config.conflict, cur, versions);
    if (sameVersions(cur, next) && this.#store.has(key)) return;
    this.#store.set(key, next);
    this.#ctx.storage.set(S + key, next);
  }

  #hintMap(intended: NodeId): Map<string, Version[]> {
    let m = this.#hints.get(intended);
    if (!m) this.#hints.set(intended, m = new Map());
    return m;
  }

  #storeHint(intended: NodeId, key: string, versions: readonly Version[]): void {
    const m = this.#hintMap(intended);
    const next = mergeVersions(this.#config.conflict, m.get(key) ?? [], versions);
    m.set(key, next);
    this.#ctx.storage.set(`${H}${intended}\u0000${key}`, next);
    this.#ctx.emit({ type: "hint-stored", key, intended });
  }

  /** What this node answers a get with: its own versions and any hints it holds for the key. */
  #localVersions(key: string): Version[] {
    let vs = this.#store.get(key) ?? [];
    for (const m of this.#hints.values()) {
      const h = m.get(key);
      if (h) vs = mergeVersions(this.#config.conflict, vs, h);
    }
    return vs;
  }

  #deliverHints(): void {
    for (const [intended, m] of this.#hints) {
      if (m.size === 0 || !this.#healthy(intended)) continue;
      const entries = [...m].map(([key, versions]) => ({ key, versions }));
      this.#ctx.send(intended, { type: "handoff", entries });
    }
  }

  #onHandoffAck(from: NodeId, entries: readonly { key: string; digest: string }[]): void {
    const m = this.#hints.get(from);
    if (!m) return;
    for (const e of entries) {
      const h = m.get(e.key);
      // a hint that grew since it was sent stays until the next delivery
      if (!h || versionsDigest(h) !== e.digest) continue;
      m.delete(e.key);
      this.#ctx.storage.delete(`${H}${from}\u0000${e.key}`);
      this.#ctx.emit({ type: "hint-delivered", key: e.key, intended: from });
    }
  }

  // ---- anti-entropy (§4.7) ------------------------------------------------------------------

  /** Keys of the main store that both this node and `peer` replicate (top N of the walk). */
  #sharedKeys(peer: NodeId): string[] {
    const out: string[] = [];
    for (const key of this.#store.keys()) {
      const pl = this.#ring.preferenceList(key, this.#config.n);
      if (pl.includes(peer) && pl.includes(this.#ctx.self)) out.push(key);
    }
    return out.sort();
  }

  #tree(peer: NodeId): MerkleTree {
    return new MerkleTree(
      this.#sharedKeys(peer).map((k) => [k, versionsDigest(this.#store.get(k)!)] as const),
      this.#config.antiEntropy.depth,
    );
  }

  #startAntiEntropy(): void {
    const peers = this.#ctx.peers;
    if (peers.length === 0) return;
    const peer = peers[this.#aePeer++ % peers.length];
    const round = ++this.#aeRound;
    if (this.#config.antiEntropy.mode === "full") {
      const entries = this.#sharedKeys(peer).map((key) => ({
        key,
        versions: this.#store.get(key)!,
      }));
      this.#ctx.send(peer, { type: "ae-data", round, entries, reply: true });
      return;
    }
    this.#ctx.send(peer, {
      type: "ae-hashes",
      round,
      level: 0,
      hashes: [[0, this.#tree(peer).root()]],
    });
  }

  #onAeHashes(from: NodeId, msg: AeHashes): void {
    const tree = this.#tree(from);
    const differ = msg.hashes.filter(([i, h]) => tree.hash(msg.level, i) !== h).map(([i]) => i);
    if (differ.length === 0) return;
    if (msg.level === tree.depth) {
      const entries = differ.flatMap((leaf) =>
        tree.keysIn(leaf).map((key) => ({ key, versions: this.#store.get(key)! }))
      );
      this.#ctx.send(from, {
        type: "ae-data",
        round: msg.round,
        leaves: differ,
        entries,
        reply: true,
      });
      return;
    }
    const level = msg.level + 1;
    const hashes = differ.flatMap((i) =>
      [2 * i, 2 * i + 1].map((j) => [j, tree.hash(level, j)] as const)
    );
    this.#ctx.send(from, { type: "ae-hashes", round: msg.round, level, hashes });
  }

  #onAeData(from: NodeId, msg: AeData): void {
    const received = new Map(msg.entries.map((e) => [e.key, e.versions]));
    for (const e of msg.entries) this.#merge(e.key, e.versions);
    if (!msg.reply) return;
    const depth = this.#config.antiEntropy.depth;
    const leaves = msg.leaves ? new Set(msg.leaves) : undefined;
    const full = this.#config.antiEntropy.mode === "full";
    const entries = this.#sharedKeys(from)
      .filter((k) => !leaves || leaves.has(leafOf(k, depth)))
      // Merkle: only what the sender lacks; "full" ships everything back, as a naive sync would
      .filter((k) => full || !sameVersions(received.get(k) ?? [], this.#store.get(k)!))
      .map((key) => ({ key, versions: this.#store.get(key)! }));
    if (entries.length || full) {
      this.#ctx.send(from, {
        type: "ae-data",
        round: msg.round,
        ...(msg.leaves ? { leaves: msg.leaves } : {}),
        entries,
        reply: false,
      });
    }
  }
}
