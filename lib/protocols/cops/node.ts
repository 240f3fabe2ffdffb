/**
 * One datacenter's replica of a causally consistent key-value store in the spirit of COPS
 * (Lloyd, Freedman, Kaminsky, Andersen, "Don't settle for eventual: scalable causal consistency
 * for wide-area storage with COPS", SOSP 2011, §3–§4). Clients talk only to their local replica;
 * a get returns the local version at once and a put is applied locally at once, then replicated
 * to the other datacenters with the client's dependencies. A remote replica applies it only
 * after every dependency is visible locally (the paper's `put_after` with `dep_check`), so no
 * reader anywhere sees an effect before its causes. Concurrent writes to one key are resolved
 * last-writer-wins by version number, a Lamport timestamp with the replica id in the low bits
 * (the paper's convergent conflict handling: replicas that saw the same writes agree).
 *
 * Where this departs from the paper, and why:
 * - one server per datacenter (COPS partitions the keyspace over many servers inside a
 *   linearizable local cluster; that is orthogonal to the causal guarantee between datacenters);
 * - a dependency counts as visible only when that exact version has been applied here (its own
 *   dependencies were satisfied first); a newer concurrent version of the same key is not
 *   enough, because it need not carry the older version's dependencies (accepting "this
 *   version or a newer one" let the causal checker find WriteCORead in 9 of 40 seeds with
 *   partitions and 5 % wide-area loss, measured once with that rule patched in);
 * - writes lost to partitions or loss are recovered by anti-entropy: every `syncIntervalMs` each
 *   replica tells its peers how much of each origin's writes it has received and a peer resends
 *   the rest (the paper assumes reliable links between datacenters);
 * - state is volatile: crashes are out of scope (COPS keeps a local cluster's data replicated).
 *
 * Events: `{ type: "apply", key, version, origin, value }` each time a replica applies a write
 * (its own clients' writes included); `{ type: "stale", key, version }` when last-writer-wins
 * keeps a newer version instead.
 * @module
 */
import type { NodeContext, NodeId, ProtocolNode } from "../../sim/types.ts";
import { parseConfig } from "../../sim/errors.ts";
import {
  type CopsMessage,
  type CopsReplicate,
  type Dependency,
  REPLICA_BITS,
  type Version,
} from "./messages.ts";
import {
  type CopsReplicaConfig,
  type CopsReplicaConfigInput,
  CopsReplicaConfigSchema,
} from "./config.ts";

/** The Lamport-clock part of a version. */
export function lamportOf(v: Version): number {
  return Math.floor(v / REPLICA_BITS);
}

/** A stored value and its version. */
export interface CopsEntry {
  /** The value. */
  readonly value: unknown;
  /** Its version (last-writer-wins order). */
  readonly version: Version;
}

/**
 * A COPS-style replica.
 * @example
 * ```ts
 * const ctx = new FakeContext<CopsMessage>("n0", ["n1"]);
 * const r = new CopsReplica(ctx, 0, {});
 * r.onMessage("c0", { type: "put", id: 1, key: "x", value: 1, deps: [] });
 * ```
 */
export class CopsReplica implements ProtocolNode<CopsMessage> {
  /** Parameters, defaults applied. */
  readonly config: CopsReplicaConfig;
  /** This replica's index (the low bits of its versions). */
  readonly index: number;
  #ctx: NodeContext<CopsMessage>;
  #lamport = 0;
  #store = new Map<string, CopsEntry>();
  /** Versions applied here: the dependencies that are visible locally. */
  #visible = new Set<Version>();
  #pending: CopsReplicate[] = [];
  /** Every write received (or written here), per origin, in the origin's order (seq − 1). */
  #log = new Map<NodeId, CopsReplicate[]>();
  /** Per origin, how many of its writes (a prefix) have been received. */
  #have = new Map<NodeId, number>();

  /** Parameters are validated (a ConfigError names any bad field). */
  constructor(ctx: NodeContext<CopsMessage>, index: number, config: CopsReplicaConfigInput = {}) {
    this.#ctx = ctx;
    this.config = parseConfig(CopsReplicaConfigSchema, config, "cops replica config");
    if (!Number.isInteger(index) || index < 0 || index >= REPLICA_BITS) {
      throw new RangeError(`cops replica index: expected an integer in [0, ${REPLICA_BITS})`);
    }
    this.index = index;
  }

  start(): void {
    this.#ctx.setTimer("sync", this.config.syncIntervalMs);
  }

  /** The local value of `key` (undefined when never written here). */
  read(key: string): CopsEntry | undefined {
    return this.#store.get(key);
  }

  /** The local store as a plain key → value map (for the convergence checker). */
  snapshot(): Map<string, unknown> {
    return new Map([...this.#store].map(([k, e]) => [k, e.value]));
  }

  /** Remote writes received whose dependencies are not yet visible here. */
  get pendingCount(): number {
    return this.#pending.length;
  }

  onMessage(from: NodeId, msg: CopsMessage): void {
    switch (msg.type) {
      case "get": {
        const e = this.#store.get(msg.key);
        this.#ctx.send(from, {
          type: "getReply",
          id: msg.id,
          key: msg.key,
          value: e?.value ?? null,
          version: e?.version ?? 0,
        });
        break;
      }
      case "put":
        this.#put(from, msg.id, msg.key, msg.value, msg.deps);
        break;
      case "replicate":
        this.#receive(msg);
        break;
      case "sync":
        for (const [origin, writes] of this.#log) {
          for (let s = msg.have[origin] ?? 0; s < writes.length; s++) {
            if (writes[s]) this.#ctx.send(from, writes[s]);
          }
        }
        break;
      case "getReply":
      case "putReply":
        break; // replies go to clients
    }
  }

  onTimer(name: string): void {
    if (name !== "sync") return;
    const have = Object.fromEntries(this.#have);
    for (const p of this.#ctx.peers) this.#ctx.send(p, { type: "sync", have });
    this.#ctx.setTimer("sync", this.config.syncIntervalMs);
  }

  // COPS §4: a local put is applied at once, with a version above every dependency's (so the
  // last-writer-wins order extends the causal order), then sent to the other datacenters.
  #put(client: NodeId, id: number, key: string, value: unknown, deps: readonly Dependency[]) {
    let t = this.#lamport;
    for (const d of deps) t = Math.max(t, lamportOf(d.version));
    this.#lamport = t + 1;
    const self = this.#ctx.self;
    const w: CopsReplicate = {
      type: "replicate",
      origin: self,
      seq: (this.#have.get(self) ?? 0) + 1,
      key,
      value,
      version: this.#lamport * REPLICA_BITS + this.index,
      deps: deps.map((d) => ({ key: d.key, version: d.version })),
    };
    this.#record(w);
    this.#apply(w);
    this.#ctx.send(client, { type: "putReply", id, key, version: w.version });
    for (const p of this.#ctx.peers) this.#ctx.send(p, w);
  }

  /** Log a write by (origin, seq); false when it was already received. */
  #record(w: CopsReplicate): boolean {
    let log = this.#log.get(w.origin);
    if (!log) this.#log.set(w.origin, log = []);
    if (log[w.seq - 1]) return false;
    log[w.seq - 1] = w;
    let have = this.#have.get(w.origin) ?? 0;
    while (log[have]) have++;
    this.#have.set(w.origin, have);
    return true;
  }

  #receive(w: CopsReplicate): void {
    if (!this.#record(w)) return;
    if (this.config.ignoreDependencies) {
      this.#apply(w);
      return;
    }
    this.#pending.push(w);
    // put_after: apply each pending write whose dependencies are all visible (dep_check),
    // until no more can go.
    for (let progress = true; progress;) {
      progress = false;
      for (let i = 0; i < this.#pending.length; i++) {
        const p = this.#pending[i];
        if (!p.deps.every((d) => this.#visible.has(d.version))) continue;
        this.#pending.splice(i, 1);
        this.#apply(p);
        progress = true;
        i--;
      }
    }
  }

  #apply(w: CopsReplicate): void {
    this.#lamport = Math.max(this.#lamport, lamportOf(w.version));
    this.#visible.add(w.version);
    const cur = this.#store.get(w.key);
    // Convergent conflict handling: last writer (highest version) wins.
    if (cur && cur.version > w.version) {
      this.#ctx.emit({ type: "stale", key: w.key, version: w.version });
      return;
    }
    this.#store.set(w.key, { value: w.value, version: w.version });
    this.#ctx.emit({
      type: "apply",
      key: w.key,
      version: w.version,
      origin: w.origin,
      value: w.value,
    });
  }

  inspect(): unknown {
    return {
      lamport: this.#lamport,
      store: Object.fromEntries(
        [...this.#store].map(([k, e]) => [k, { value: e.value, version: e.version }]),
      ),
      pending: this.#pending.map((w) => `${w.origin}:${w.seq}`),
      have: Object.fromEntries(this.#have),
    };
  }
}
