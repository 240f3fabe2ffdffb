/**
 * Gossip (epidemic) broadcast in synchronous rounds. Push (Demers et al., "Epidemic Algorithms
 * for Replicated Database Maintenance", 1987): every informed node sends the rumor to a random
 * peer each round; Pittel (1987) showed all n nodes are informed after log2 n + ln n + O(1)
 * rounds. Pull: every node asks a random peer each round, which finishes fast once most nodes
 * know. Push-pull (Karp, Schindelhauer, Shenker, Vöcking, 2000) does both in one exchange.
 *
 * Events: `{ type: "learn", rumor, round, hops }` when a node first learns a rumor.
 * @module
 */
import type { NodeContext, NodeId, ProtocolNode } from "../../sim/types.ts";
import { parseConfig } from "../../sim/errors.ts";
import type { GossipMessage, Rumor } from "./messages.ts";
import { type GossipConfig, type GossipConfigInput, GossipConfigSchema } from "./config.ts";

const parsedConfigs = new Map<string, GossipConfig>();

interface Known {
  rumor: Rumor;
  learnedRound: number;
}

/** A gossip node. Call `broadcast` on one node (e.g. via `sim.instanceOf(id)`) to start a rumor. */
export class GossipNode implements ProtocolNode<GossipMessage> {
  /** Gossip parameters, defaults applied. */
  readonly config: GossipConfig;
  #ctx: NodeContext<GossipMessage>;
  #round = 0;
  #known = new Map<string, Known>();

  /** Parameters are validated (a ConfigError names any bad field). */
  constructor(ctx: NodeContext<GossipMessage>, config: GossipConfigInput = {}) {
    this.#ctx = ctx;
    // one parse (and one frozen config object) per distinct configuration, not per node
    const key = JSON.stringify(config);
    let parsed = parsedConfigs.get(key);
    if (!parsed) {
      parsed = Object.freeze(parseConfig(GossipConfigSchema, config, "gossip config"));
      if (parsedConfigs.size >= 64) parsedConfigs.clear();
      parsedConfigs.set(key, parsed);
    }
    this.config = parsed;
  }

  start(): void {
    this.#ctx.setTimer("round", this.config.roundMs);
  }

  /** The current round number (rounds completed since start). */
  get round(): number {
    return this.#round;
  }

  /** Start spreading a new rumor from this node. */
  broadcast(id: string, payload?: unknown): void {
    this.#learn({ id, payload, hops: 0 });
  }

  /** Whether this node knows the rumor. */
  knows(id: string): boolean {
    return this.#known.has(id);
  }

  #learn(r: Rumor): void {
    if (this.#known.has(r.id)) return;
    this.#known.set(r.id, { rumor: r, learnedRound: this.#round });
    this.#ctx.emit({ type: "learn", rumor: r.id, round: this.#round, hops: r.hops });
  }

  #hot(): Rumor[] {
    const out: Rumor[] = [];
    for (const k of this.#known.values()) {
      if (this.#round - k.learnedRound <= this.config.rumorLifetimeRounds) {
        out.push({ ...k.rumor, hops: k.rumor.hops + 1 });
      }
    }
    return out;
  }

  // Peers are read from the cluster's shared membership (`peerCount`/`peerAt`) when the context
  // offers it, so a node never holds its own copy of an n-node peer list; the draws are those of
  // `rng.pick(peers)`, so runs are identical either way.
  #targets(): NodeId[] {
    const ctx = this.#ctx;
    const n = ctx.peerCount ?? ctx.peers.length;
    if (n === 0) return [];
    const at = ctx.peerAt ? (i: number) => ctx.peerAt!(i) : (i: number) => ctx.peers[i];
    if (this.config.fanout >= n) return Array.from({ length: n }, (_, i) => at(i));
    if (this.config.fanout === 1) return [at(Math.floor(ctx.rng.next() * n))];
    const chosen = new Set<NodeId>();
    while (chosen.size < this.config.fanout) chosen.add(at(Math.floor(ctx.rng.next() * n)));
    return [...chosen];
  }

  onTimer(name: string): void {
    if (name !== "round") return;
    this.#round++;
    const c = this.config;
    if (c.maxRounds !== undefined && this.#round > c.maxRounds) return;
    const hot = this.#hot();
    if (c.mode === "push") {
      if (hot.length) {
        for (const p of this.#targets()) this.#ctx.send(p, { type: "push", rumors: hot });
      }
    } else {
      const have = [...this.#known.keys()];
      const rumors = c.mode === "pushPull" ? hot : [];
      for (const p of this.#targets()) this.#ctx.send(p, { type: "pull", have, rumors });
    }
    this.#ctx.setTimer("round", c.roundMs);
  }

  onMessage(from: NodeId, msg: GossipMessage): void {
    switch (msg.type) {
      case "push":
      case "pullReply":
        for (const r of msg.rumors) this.#learn(r);
        break;
      case "pull": {
        for (const r of msg.rumors) this.#learn(r);
        const have = new Set(msg.have);
        const missing = this.#hot().filter((r) => !have.has(r.id));
        if (missing.length) this.#ctx.send(from, { type: "pullReply", rumors: missing });
        break;
      }
    }
  }

  inspect(): unknown {
    return { round: this.#round, known: [...this.#known.keys()] };
  }
}
