/**
 * The network model: per-link latency from distributions (with per-link and per-region
 * overrides), optional bandwidth so message size matters, loss, duplication, reordering, and
 * partitions of any shape (groups, one-way cuts, single links), healed in one call.
 * @module
 */
import { z } from "zod";
import type { NetworkModel, Transmission } from "../sim/simulation.ts";
import type { NodeId } from "../sim/types.ts";
import { Rng } from "../sim/rng.ts";
import { ConfigError, parseConfig } from "../sim/errors.ts";
import { type Latency, type LatencySampler, latencySampler, LatencySchema } from "./latency.ts";

const Ratio = z.number().min(0).max(1);

/** Per-link settings that override the network's defaults. */
export const LinkOverrideSchema = z.object({
  from: z.string(),
  to: z.string(),
  /** Apply to both directions (default true). */
  bidirectional: z.boolean().default(true),
  latency: LatencySchema.optional(),
  lossRatio: Ratio.optional(),
  duplicateRatio: Ratio.optional(),
  bandwidthBytesPerMs: z.number().positive().optional(),
}).strict();

/** Network configuration (all fields have defaults: a perfect 1 ms network). */
export const NetworkConfigSchema = z.object({
  /** Default latency of every link. Default constant 1 ms. */
  latency: LatencySchema.default({ kind: "constant", ms: 1 }),
  /** Probability that a message is lost. Default 0. */
  lossRatio: Ratio.default(0),
  /** Probability that a message is delivered twice. Default 0. */
  duplicateRatio: Ratio.default(0),
  /** Probability that a message is held back by an extra uniform delay (reordering). Default 0. */
  reorderRatio: Ratio.default(0),
  /** Maximum extra delay of a reordered message. Default 10 ms. */
  reorderDelayMs: z.number().min(0).default(10),
  /** Deliver in send order on each link (like TCP). Default false. */
  fifo: z.boolean().default(false),
  /** Link bandwidth; when set, a message of s bytes occupies its link for s / bandwidth ms. */
  bandwidthBytesPerMs: z.number().positive().optional(),
  /** Regions: which region each node is in, and the latency between (and within) regions. */
  regions: z.object({
    of: z.record(z.string(), z.string()),
    latency: z.array(
      z.object({ from: z.string(), to: z.string(), latency: LatencySchema }).strict(),
    ).default([]),
  }).strict().optional(),
  /** Per-link overrides (win over regions). */
  links: z.array(LinkOverrideSchema).default([]),
}).strict();

/** Network configuration as written (defaults optional). */
export type NetworkConfigInput = z.input<typeof NetworkConfigSchema>;
/** Network configuration with defaults applied. */
export type NetworkConfig = z.output<typeof NetworkConfigSchema>;

/** Key of the link from → to in sets and maps: `from * LINK_KEY + to` (node indices < 2^26). */
export const LINK_KEY = 2 ** 26;

/** Group of a client that no partition lists: it reaches every group. */
const FREE = -2;

class Link {
  freeAt = 0;
  lastAt = 0;
  extraMs = 0;
  /** The loss ratio a `slowLink` fault imposes on this link (undefined: none). */
  faultLossRatio: number | undefined = undefined;
  #rng: Rng | null = null;
  #sampler: LatencySampler | null = null;
  constructor(
    readonly parent: Rng,
    readonly name: string,
    readonly latency: Latency,
    readonly baseLossRatio: number,
    readonly duplicateRatio: number,
    readonly bandwidth: number,
  ) {}
  /** The link's own stream, derived on first use (a link that never draws costs no stream). */
  get rng(): Rng {
    // the derivation sits in its own method so that this getter stays small enough to inline
    return this.#rng ?? this.#newRng();
  }
  #newRng(): Rng {
    return this.#rng = this.parent.fork(this.name);
  }
  /**
   * Draw one latency. Uniform latency, the common case, is drawn here rather than through
   * d3-random's closure: the same arithmetic (`next() * (max - min) + min`, so the same numbers),
   * without two calls through per-link closures that the engine does not inline (about 10 % of
   * the simulator's time per delivery in a same-process A/B run of `deno task bench`'s relay).
   */
  sample(): number {
    const lat = this.latency;
    if (lat.kind === "constant") return lat.ms;
    if (lat.kind === "uniform") {
      return (this.rng.u32() / 4294967296) * (lat.maxMs - lat.minMs) + lat.minMs;
    }
    return (this.#sampler ??= latencySampler(lat, this.rng))();
  }
}

/** Temporary link degradation applied by the nemesis (`slowLink`), cleared by `restore`. */
export interface LinkFault {
  /** Added to every delay. */
  readonly extraMs?: number;
  /** Replaces the loss ratio. */
  readonly lossRatio?: number;
}

/**
 * Network-wide conditions changed at run time (`setConditions`, the nemesis `network` fault):
 * each field given replaces the configured value for every link until changed again.
 */
export interface NetworkConditions {
  /** Probability that a message is lost (replaces every link's configured loss ratio). */
  readonly lossRatio?: number;
  /** Probability that a message is held back by an extra uniform delay. */
  readonly reorderRatio?: number;
  /** Maximum extra delay of a reordered message (ms). */
  readonly reorderDelayMs?: number;
  /** Probability that a message is delivered twice (replaces every link's configured ratio). */
  readonly duplicateRatio?: number;
}

/** Run-time network conditions (zod): ratios in [0, 1], delays ≥ 0. */
export const NetworkConditionsSchema = z.object({
  lossRatio: Ratio.optional(),
  reorderRatio: Ratio.optional(),
  reorderDelayMs: z.number().min(0).optional(),
  duplicateRatio: Ratio.optional(),
}).strict();

/**
 * The network. Pass it to a Simulation; drive partitions through its verbs (or a nemesis).
 * @example
 * ```ts
 * const net = new Network({ latency: { kind: "uniform", minMs: 1, maxMs: 5 }, lossRatio: 0.01 }, { seed: 7 });
 * const sim = new Simulation({ seed: 7, network: net });
 * net.partition([["n0", "n1"], ["n2", "n3", "n4"]]);
 * net.heal();
 * ```
 */
export class Network implements NetworkModel {
  /** The configuration in force (defaults applied). */
  readonly config: NetworkConfig;
  readonly usesSize: boolean;
  #rng: Rng;
  #ids: NodeId[] = [];
  #index = new Map<NodeId, number>();
  #links: (Link | undefined)[][] = [];
  #group: number[] = [];
  #client: boolean[] = [];
  #partitioned = false;
  #cuts = new Set<number>();
  #faults = new Map<number, LinkFault>();
  #conditions: NetworkConditions = {};
  #isolated = new Set<number>();
  /**
   * The constant delay of every link when no link can hold state or draw a random number
   * (constant latency; no loss, duplication, reordering, bandwidth, FIFO, regions, overrides,
   * faults or run-time conditions): then no per-link object is made, so a large cluster costs
   * nothing per pair of nodes that talk. Undefined otherwise. The delays are the same either way.
   */
  #uniformMs: number | undefined;

  /**
   * A network from a config (validated: a ConfigError names any bad field). `nodes`, when given,
   * lets node names in links and regions be checked now rather than when nodes are added.
   */
  constructor(
    config: NetworkConfigInput = {},
    options: { seed: number | string; nodes?: readonly NodeId[] },
  ) {
    this.config = parseConfig(NetworkConfigSchema, config, "network config");
    this.usesSize = this.config.bandwidthBytesPerMs !== undefined ||
      this.config.links.some((l) => l.bandwidthBytesPerMs !== undefined);
    this.#rng = new Rng(options.seed).fork("net");
    this.#refreshUniform();
    if (options.nodes) validateNetworkNodes(this.config, options.nodes);
  }

  /** Node ids known to the network, in index order. */
  get nodeIds(): readonly NodeId[] {
    return this.#ids;
  }

  addNode(id: NodeId, index: number, role: "server" | "client" = "server"): void {
    this.#ids[index] = id;
    this.#index.set(id, index);
    this.#client[index] = role === "client";
    this.#group[index] = role === "client" ? FREE : this.#partitioned ? -1 : 0;
    this.#links[index] = [];
  }

  #idx(id: NodeId, what: string): number {
    const i = this.#index.get(id);
    if (i === undefined) {
      throw new ConfigError(what, [{
        path: "",
        message: `unknown node "${id}" (nodes: ${this.#ids.join(", ")})`,
      }]);
    }
    return i;
  }

  /** The link from → to, made on first use (the lookup is kept small enough to inline). */
  #link(from: number, to: number): Link {
    return this.#links[from][to] ?? this.#newLink(from, to);
  }

  #newLink(from: number, to: number): Link {
    const c = this.config;
    const a = this.#ids[from], b = this.#ids[to];
    let latency: Latency = c.latency;
    let loss = c.lossRatio, dup = c.duplicateRatio, bw = c.bandwidthBytesPerMs ?? 0;
    if (c.regions) {
      const ra = c.regions.of[a], rb = c.regions.of[b];
      for (const r of c.regions.latency) {
        if ((r.from === ra && r.to === rb) || (r.from === rb && r.to === ra)) latency = r.latency;
      }
    }
    for (const o of c.links) {
      if ((o.from === a && o.to === b) || (o.bidirectional && o.from === b && o.to === a)) {
        if (o.latency) latency = o.latency;
        if (o.lossRatio !== undefined) loss = o.lossRatio;
        if (o.duplicateRatio !== undefined) dup = o.duplicateRatio;
        if (o.bandwidthBytesPerMs !== undefined) bw = o.bandwidthBytesPerMs;
      }
    }
    const l = new Link(this.#rng, `link/${a}->${b}`, latency, loss, dup, bw);
    const f = this.#faults.get(from * LINK_KEY + to);
    if (f) applyFault(l, f);
    this.#links[from][to] = l;
    return l;
  }

  #refreshUniform(): void {
    const c = this.config, k = this.#conditions;
    // the latency kind is checked where this is used
    const stateless = c.lossRatio === 0 &&
      c.duplicateRatio === 0 && c.reorderRatio === 0 && !c.fifo && !this.usesSize &&
      c.regions === undefined && c.links.length === 0 && this.#faults.size === 0 &&
      k.lossRatio === undefined && k.duplicateRatio === undefined && k.reorderRatio === undefined;
    this.#uniformMs = stateless && c.latency.kind === "constant" ? c.latency.ms : undefined;
  }

  transmit(from: number, to: number, sizeBytes: number, nowMs: number): Transmission {
    if (this.blocked(from, to)) return "partition";
    if (this.#uniformMs !== undefined) return this.#uniformMs;
    const l = this.#link(from, to);
    const k = this.#conditions;
    const loss = l.faultLossRatio ?? k.lossRatio ?? l.baseLossRatio;
    if (loss > 0 && l.rng.next() < loss) return "loss";
    let d = l.sample() + l.extraMs;
    const c = this.config;
    const reorder = k.reorderRatio ?? c.reorderRatio;
    if (reorder > 0 && l.rng.next() < reorder) {
      d += l.rng.next() * (k.reorderDelayMs ?? c.reorderDelayMs);
    }
    if (l.bandwidth > 0) {
      const start = Math.max(nowMs, l.freeAt);
      const tx = sizeBytes / l.bandwidth;
      l.freeAt = start + tx;
      d += start - nowMs + tx;
    }
    if (c.fifo) {
      const at = Math.max(nowMs + d, l.lastAt);
      l.lastAt = at;
      d = at - nowMs;
    }
    const dup = k.duplicateRatio ?? l.duplicateRatio;
    if (dup > 0 && l.rng.next() < dup) {
      let d2 = l.sample() + l.extraMs;
      if (c.fifo) d2 = Math.max(d2, d);
      return [d, d2];
    }
    return d;
  }

  blocked(from: number, to: number): boolean {
    if (this.#partitioned) {
      const a = this.#group[from], b = this.#group[to];
      if (a !== b && a !== FREE && b !== FREE) return true;
    }
    return this.#cuts.size > 0 && this.#cuts.has(from * LINK_KEY + to);
  }

  /** Whether `from` can currently reach `to`. */
  canReach(from: NodeId, to: NodeId): boolean {
    return !this.blocked(this.#idx(from, "canReach"), this.#idx(to, "canReach"));
  }

  /**
   * Split the nodes into groups that cannot talk to each other. Servers not listed form one more
   * group together; clients not listed stay connected to every group (they stand for the users
   * of the whole cluster; list a client in a group to put it on one side). Replaces any earlier
   * grouping; one-way cuts stay until `heal`.
   */
  partition(groups: readonly (readonly NodeId[])[]): void {
    const seen = new Set<NodeId>();
    for (let g = 0; g < groups.length; g++) {
      for (const id of groups[g]) {
        if (seen.has(id)) {
          throw new ConfigError("partition", [{
            path: `groups[${g}]`,
            message: `node "${id}" appears in two groups`,
          }]);
        }
        seen.add(id);
        this.#idx(id, "partition");
      }
    }
    for (let i = 0; i < this.#group.length; i++) {
      this.#group[i] = this.#client[i] ? FREE : groups.length;
    }
    groups.forEach((g, k) => g.forEach((id) => this.#group[this.#idx(id, "partition")] = k));
    this.#partitioned = true;
  }

  /** Cut traffic from every node in `from` to every node in `to` (one way only). */
  cutOneWay(from: readonly NodeId[], to: readonly NodeId[]): void {
    for (const a of from) {
      for (const b of to) {
        if (a !== b) this.#cuts.add(this.#idx(a, "cut") * LINK_KEY + this.#idx(b, "cut"));
      }
    }
  }

  /** Cut single links in both directions (any shape: rings, bridges). */
  cut(pairs: readonly (readonly [NodeId, NodeId])[]): void {
    for (const [a, b] of pairs) {
      this.cutOneWay([a], [b]);
      this.cutOneWay([b], [a]);
    }
  }

  /** Isolate one node from everyone. */
  isolate(id: NodeId): void {
    this.#isolated.add(this.#idx(id, "isolate"));
    // the pair (id, id) is skipped by cutOneWay
    this.cut(this.#ids.map((x) => [id, x] as [NodeId, NodeId]));
  }

  /**
   * Undo `isolate(id)` without healing anything else: remove every cut to and from `id` (one-way
   * cuts included), except those to nodes that are themselves still isolated. A grouping made
   * by `partition` is left as it is (use `heal` or a new `partition` for that).
   */
  reconnect(id: NodeId): void {
    const i = this.#idx(id, "reconnect");
    this.#isolated.delete(i);
    for (const key of [...this.#cuts]) {
      const a = Math.floor(key / LINK_KEY), b = key % LINK_KEY;
      const other = a === i ? b : b === i ? a : -1;
      if (other >= 0 && !this.#isolated.has(other)) this.#cuts.delete(key);
    }
  }

  /**
   * Change loss, reordering and duplication of every link from now on (validated: a ConfigError
   * names a bad field). Each field given replaces the configured value until changed again; a
   * `slowLink` loss ratio still wins on its link. `setConditions({})` changes nothing; pass the
   * configured values (or call `resetConditions`) to go back.
   */
  setConditions(conditions: NetworkConditions): void {
    const c = parseConfig(NetworkConditionsSchema, conditions, "network conditions");
    this.#conditions = { ...this.#conditions, ...c };
    this.#refreshUniform();
  }

  /** Back to the configured loss, reordering and duplication. */
  resetConditions(): void {
    this.#conditions = {};
    this.#refreshUniform();
  }

  /** The run-time conditions in force (fields not listed: as configured). */
  get conditions(): NetworkConditions {
    return this.#conditions;
  }

  /** Remove every partition and cut. */
  heal(): void {
    // the groups are left as they are: they are read only while partitioned, and the next
    // `partition` rewrites every one of them
    this.#partitioned = false;
    this.#cuts.clear();
    this.#isolated.clear();
  }

  /** Whether any partition or cut is in force. */
  get partitioned(): boolean {
    return this.#partitioned || this.#cuts.size > 0;
  }

  /** Degrade links from → to (and back when `bidirectional`) until `restore`. */
  slowLink(from: NodeId, to: NodeId, fault: LinkFault, bidirectional = true): void {
    const pairs: [number, number][] = [[this.#idx(from, "slowLink"), this.#idx(to, "slowLink")]];
    if (bidirectional) pairs.push([pairs[0][1], pairs[0][0]]);
    for (const [a, b] of pairs) {
      this.#faults.set(a * LINK_KEY + b, fault);
      const l = this.#links[a][b];
      if (l) applyFault(l, fault);
    }
    this.#refreshUniform();
  }

  /** Undo every `slowLink`. */
  restore(): void {
    for (const key of this.#faults.keys()) {
      const a = Math.floor(key / LINK_KEY), b = key % LINK_KEY;
      const l = this.#links[a][b];
      if (l) applyFault(l, {});
    }
    this.#faults.clear();
    this.#refreshUniform();
  }
}

function applyFault(l: Link, f: LinkFault): void {
  l.extraMs = f.extraMs ?? 0;
  l.faultLossRatio = f.lossRatio;
}

/** Check that every node named in a network config exists; throws a ConfigError naming the field. */
export function validateNetworkNodes(config: NetworkConfig, nodes: readonly NodeId[]): void {
  const known = new Set(nodes);
  const issues: { path: string; message: string }[] = [];
  const unknown = (id: string) => `unknown node "${id}" (nodes: ${nodes.join(", ")})`;
  config.links.forEach((l, i) => {
    if (!known.has(l.from)) issues.push({ path: `links[${i}].from`, message: unknown(l.from) });
    if (!known.has(l.to)) issues.push({ path: `links[${i}].to`, message: unknown(l.to) });
  });
  if (config.regions) {
    for (const id of Object.keys(config.regions.of)) {
      if (!known.has(id)) issues.push({ path: `regions.of.${id}`, message: unknown(id) });
    }
    const regions = new Set(Object.values(config.regions.of));
    config.regions.latency.forEach((r, i) => {
      for (const k of ["from", "to"] as const) {
        if (!regions.has(r[k])) {
          issues.push({
            path: `regions.latency[${i}].${k}`,
            message: `unknown region "${r[k]}" (regions: ${[...regions].join(", ")})`,
          });
        }
      }
    });
  }
  if (issues.length) throw new ConfigError("network config", issues);
}
