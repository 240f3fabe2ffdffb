/**
 * The deterministic discrete-event simulator. It owns virtual time, the event queue, every node's
 * lifecycle (start, crash, restart, pause, replacement by an adversary), every node's clock and
 * the trace. What the network does to a message is decided by a pluggable {@link NetworkModel}
 * (lib/net provides the full one); protocol nodes see only their {@link NodeContext}.
 * @module
 */
import { z } from "zod";
import { EventQueue, type Scheduled } from "./queue.ts";
import { Rng } from "./rng.ts";
import { defineLive } from "./live.ts";
import { MemoryStorage } from "./storage.ts";
import { digestOf, Trace, type TraceOptions } from "./trace.ts";
import { ConfigError, parseConfig, SimulationError } from "./errors.ts";
import type {
  DropReason,
  NodeContext,
  NodeFactory,
  NodeId,
  ProtocolEvent,
  ProtocolNode,
  SendOptions,
  Signature,
  TraceRecord,
} from "./types.ts";

/** What the network does with one message: a delay (one copy), several delays, or a drop reason. */
export type Transmission = number | readonly number[] | DropReason;

/** The network as the simulator sees it. Indices are node indices in order of `addNode`. */
export interface NetworkModel {
  /**
   * Called once per node when it is added, in order; `index` is dense from 0. `role` tells
   * servers from clients (partitions leave unlisted clients connected).
   */
  addNode(id: NodeId, index: number, role?: "server" | "client"): void;
  /** Decide the fate of a message sent now from `from` to `to`. */
  transmit(from: number, to: number, sizeBytes: number, nowMs: number): Transmission;
  /** Whether traffic from → to is cut right now (checked again at delivery). */
  blocked(from: number, to: number): boolean;
  /** Whether message size matters (a link has a bandwidth); when false sizes are not computed. */
  readonly usesSize: boolean;
}

/** The simplest network: every message arrives after a constant delay. */
export class ConstantNetwork implements NetworkModel {
  readonly usesSize = false;
  /** Every message takes `latencyMs` (default 1). */
  constructor(readonly latencyMs = 1) {}
  addNode(): void {}
  transmit(): Transmission {
    return this.latencyMs;
  }
  blocked(): boolean {
    return false;
  }
}

/**
 * An adversary's hook on a Byzantine node's outgoing traffic. It sees every message the node tries
 * to send and decides what really goes out through `net`: nothing (drop), the message, an altered
 * one, copies, messages to other recipients, with extra delay. It cannot sign as another node.
 */
export type Interceptor<M> = (
  out: { readonly from: NodeId; readonly to: NodeId; readonly msg: M },
  net: { send(to: NodeId, msg: M, options?: { delayMs?: number; sizeBytes?: number }): void },
) => void;

/** Options for a node. */
export interface NodeOptions {
  /** "server" nodes are each other's peers; "client" nodes are not in `peers`. Default "server". */
  readonly role?: "server" | "client";
  /** Initial clock offset in ms (local = true × (1 + drift) + offset). Default 0. */
  readonly clockOffsetMs?: number;
  /** Initial clock drift ratio (1e-4 = 100 ppm fast). Default 0. */
  readonly clockDrift?: number;
  /** Mark the node Byzantine from the start (its factory builds an adversary). Default false. */
  readonly byzantine?: boolean;
}

const NodeOptionsSchema = z.object({
  role: z.enum(["server", "client"]).optional(),
  clockOffsetMs: z.number().finite().optional(),
  clockDrift: z.number().gt(-1).lt(1).optional(),
  byzantine: z.boolean().optional(),
}).strict();

/** Options of a simulation. */
export interface SimulationOptions {
  /** The root seed: every random stream derives from it. */
  readonly seed: number | string;
  /** Trace mode (default "full") and sampling. */
  readonly trace?: TraceOptions;
  /** The network; default a constant 1 ms network. */
  readonly network?: NetworkModel;
  /** Size of a message in bytes when the network uses sizes. Default 64 for every message. */
  readonly messageSizeBytes?: (msg: unknown) => number;
  /** Keep protocol events in `sim.events` (default true). */
  readonly collectEvents?: boolean;
}

const SimulationOptionsSchema = z.object({
  seed: z.union([z.number().int(), z.string().min(1)]),
  trace: z.object({
    mode: z.enum(["off", "sampled", "full"]).optional(),
    sampleEvery: z.number().int().min(1).optional(),
  }).strict().optional(),
  network: z.any().optional(),
  messageSizeBytes: z.any().optional(),
  collectEvents: z.boolean().optional(),
}).strict();

/** Why `run` returned. */
export type StopReason = "time" | "predicate" | "quiescent" | "maxEvents";

/** Result of a run call. */
export interface RunResult {
  /** Why the run stopped: time bound, `until` predicate, empty queue or event budget. */
  readonly reason: StopReason;
  /** Virtual (true) time in ms when `run` returned; advanced to `untilMs` on a time stop. */
  readonly nowMs: number;
  /** Events handled by this call (not since the simulation began). */
  readonly events: number;
}

/** Options of `run`. */
export interface RunOptions {
  /** Stop before the first event later than this time; time then advances to it. Default Infinity. */
  readonly untilMs?: number;
  /** Stop after this many events (default Infinity). */
  readonly maxEvents?: number;
  /** Stop as soon as this returns true (checked after every event). */
  readonly until?: () => boolean;
}

/** Message counters of a run. */
export interface MessageStats {
  /** Messages handed to the network (after any adversary interception). */
  sent: number;
  /** Messages handed to a node's onMessage. */
  delivered: number;
  /** Messages lost, cut by a partition or sent to a crashed node. */
  dropped: number;
  /** Extra copies created by the network. */
  duplicated: number;
  /**
   * Messages handed to the network per message `type` (the string field most protocol messages
   * carry; others count under "(untyped)"), the same messages `sent` counts. Brought up to date
   * each time it is read: read it again after running rather than keeping the Map.
   */
  readonly byType: Map<string, number>;
  /** Per node: messages it sent (as `sent` counts them) and messages delivered to it. */
  readonly byNode: Map<NodeId, NodeMessageStats>;
}

/** One node's message counters (see {@link MessageStats.byNode}). */
export interface NodeMessageStats {
  /** Messages this node handed to the network. */
  sent: number;
  /** Messages handed to this node's onMessage. */
  delivered: number;
}

/** The key a message is counted under in {@link MessageStats.byType}. */
export function messageTypeOf(msg: unknown): string {
  if (msg !== null && typeof msg === "object") {
    const t = (msg as { type?: unknown }).type;
    if (typeof t === "string") return t;
  }
  return "(untyped)";
}

/**
 * The property a node factory may carry to check the node ids its configuration names (Raft's
 * `servers`, Paxos's roles, an NTP server) against the cluster's servers; it throws a
 * ConfigError naming the field. `createCluster` calls it before anything runs, and the simulator
 * at a node's first boot (for nodes added with `addNode`).
 */
export const CHECK_MEMBERS: unique symbol = Symbol.for("distlab.checkMembers");

/** A check of configured node ids against the servers of the cluster (throws a ConfigError). */
export type MemberCheck = (servers: readonly NodeId[]) => void;

/** Attach a {@link MemberCheck} to a factory (returns the same function). */
export function withMemberCheck<F extends object>(factory: F, check: MemberCheck): F {
  Object.defineProperty(factory, CHECK_MEMBERS, { value: check });
  return factory;
}

/** Run a factory's member check, if it has one, against `servers`. */
export function checkFactoryMembers(factory: unknown, servers: readonly NodeId[]): void {
  const check = (factory as { [CHECK_MEMBERS]?: MemberCheck } | null)?.[CHECK_MEMBERS];
  if (typeof check === "function") check(servers);
}

/**
 * The issues of a member check: each configured id (at `path[i]`) that is not a server.
 * @example
 * ```ts
 * unknownMembers(["n0", "n9"], ["n0", "n1"], "servers"); // [{ path: "servers[1]", ... }]
 * ```
 */
export function unknownMembers(
  ids: readonly NodeId[] | undefined,
  servers: readonly NodeId[],
  path: string,
): { path: string; message: string }[] {
  const known = new Set(servers);
  return (ids ?? []).flatMap((id, i) =>
    known.has(id) ? [] : [{
      path: `${path}[${i}]`,
      message: `"${id}" is not a server of the cluster (servers: ${servers.join(", ")})`,
    }]
  );
}

/**
 * A Twins delivery filter (`Simulation.setRouter`): may the instance `from` reach the instance
 * `to` with `msg`? Instance ids are node ids (a twin's own id, e.g. "n0'").
 */
export type TwinRouter<M> = (from: NodeId, to: NodeId, msg: M) => boolean;

/** A message as it is handed to a node (see `Simulation.onDeliver`). */
export interface Delivery<M> {
  /** True (simulated) time in ms. */
  readonly t: number;
  /** The sending node (the real sender, whatever the message claims; a twin: its identity). */
  readonly from: NodeId;
  /** The receiving node. */
  readonly to: NodeId;
  /** The message, as delivered (not a copy: do not mutate it). */
  readonly msg: M;
}

/** A protocol event as the simulator keeps it. */
export interface EmittedEvent {
  /** True (simulated) time in ms at which the node emitted it. */
  readonly t: number;
  /** The node that emitted it (for a twin instance: the identity it runs as). */
  readonly node: NodeId;
  /** The emitting instance's own id, when it is a twin instance (`addTwin`) and differs from `node`. */
  readonly instance?: NodeId;
  /** The event exactly as the node passed it to `emit`. */
  readonly event: ProtocolEvent;
  /** Position of this event's record in the trace (-1 when tracing is off). */
  readonly traceIndex: number;
}

/** Key of the link a → b in the held-link set: `a * LINK_KEY + b` (node indices < 2^26). */
const LINK_KEY = 2 ** 26;

const KIND_DELIVER = 0;
const KIND_TIMER = 1;
const KIND_CALL = 2;

/**
 * A queued event. The fields are declared (`declare`, no initializer) and first set in the
 * constructor: a class field without a value starts as `undefined`, after which V8 keeps the field
 * in its generic representation and boxes every non-integer time stored into it (a fresh heap
 * number per delivery). Set first to numbers, `t` and `sentAt` are stored in place.
 */
class SimEvent implements Scheduled {
  declare t: number;
  declare kind: number;
  declare node: number;
  declare from: number;
  declare id: number;
  declare sentAt: number;
  declare msg: unknown;
  declare name: string;
  declare fn: (() => void) | null;
  declare seq: number;
  declare qi: number;
  constructor(
    t: number,
    kind: number,
    node: number,
    from: number,
    id: number,
    sentAt: number,
    msg: unknown,
    name: string,
    fn: (() => void) | null,
  ) {
    this.t = t;
    this.kind = kind;
    this.node = node;
    this.from = from;
    this.id = id;
    this.sentAt = sentAt;
    this.msg = msg;
    this.name = name;
    this.fn = fn;
    this.seq = 0;
    this.qi = -1;
  }
}

/**
 * A node's armed timers by name. A handful of timers is the rule, so they sit in two short arrays
 * searched by `===`: a Map would hash every name, and hashing a freshly built name (a client's
 * `timeout:<op id>`) costs far more than comparing it with two or three others. Past
 * {@link TimerTable.SMALL} timers they move to a Map.
 */
class TimerTable<E> {
  static readonly SMALL = 8;
  #names: string[] = [];
  // Stryker disable next-line ArrayDeclaration: equivalent — a node's boot clears its table before its first timer, so this initial array is never read
  #events: E[] = [];
  #map: Map<string, E> | null = null;

  get(name: string): E | undefined {
    if (this.#map !== null) return this.#map.get(name);
    const names = this.#names;
    for (let i = 0; i < names.length; i++) if (names[i] === name) return this.#events[i];
    return undefined;
  }

  set(name: string, e: E): void {
    if (this.#map !== null) {
      this.#map.set(name, e);
      return;
    }
    const names = this.#names;
    for (let i = 0; i < names.length; i++) {
      if (names[i] === name) {
        this.#events[i] = e;
        return;
      }
    }
    // Stryker disable next-line all: equivalent — performance only: the array and the Map hold the same timers; the only order read (events(), when a crash drops them) decides which pooled event objects are reused first, never what runs
    if (names.length < TimerTable.SMALL) {
      this.#names.push(name);
      this.#events.push(e);
    } else {
      this.#map = new Map(this.#names.map((n, i) => [n, this.#events[i]]));
      this.#map.set(name, e);
      this.#names = [];
      this.#events = [];
    }
  }

  delete(name: string): void {
    if (this.#map !== null) {
      this.#map.delete(name);
      return;
    }
    const names = this.#names, events = this.#events;
    for (let i = 0; i < names.length; i++) {
      if (names[i] === name) {
        const last = names.length - 1;
        names[i] = names[last];
        events[i] = events[last];
        names.pop();
        events.pop();
        return;
      }
    }
  }

  clear(): void {
    this.#names = [];
    this.#events = [];
    this.#map = null;
  }

  /** Every armed timer's event. */
  events(): E[] {
    return this.#map !== null ? [...this.#map.values()] : this.#events.slice();
  }
}

interface Clock {
  baseTrue: number;
  baseLocal: number;
  drift: number;
}

class NodeSlot<M> {
  /** This node's message counters (also in `stats.byNode`), bumped without a map lookup. */
  msgStats: NodeMessageStats | null = null;
  /** The type of the last message this node sent and its counter (most sends repeat it). */
  lastType: string | null = null;
  // Stryker disable next-line ObjectLiteral: equivalent — lastType starts null and a message type is a string, so this is replaced before its first read
  lastTypeCount: { n: number } = { n: 0 };
  up = false;
  started = false;
  byzantine = false;
  membersChecked = false;
  pausedUntil = -1;
  pauseGen = 0;
  backlog: SimEvent[] = [];
  instance: ProtocolNode<M> | null = null;
  ctx: NodeContext<M> | null = null;
  incarnation = 0;
  /** Each armed timer's event (in the queue, or in the pause backlog once due). */
  timers = new TimerTable<SimEvent>();
  interceptor: Interceptor<M> | null = null;
  peersCache: NodeId[] | null = null;
  /** Membership version `peersCache` was computed for. */
  // Stryker disable next-line UnaryOperator: equivalent — while peersCache is null the cache is rebuilt whatever this holds; it is only compared after the first build sets it
  peersVersion = -1;
  /** Position of the identity among the servers (-1: none), as of membership `posVersion`. */
  // Stryker disable next-line UnaryOperator: equivalent — posVersion -1 never equals the membership version (0 and up), so selfPos is computed before it is first read
  selfPos = -1;
  posVersion = -1;
  /** The identity this instance runs as (its own id, except for a twin: the twinned node's id). */
  identity: NodeId;
  /** The node's read-only view, made on the first `node(id)` (its getters read this slot). */
  view: NodeView | undefined = undefined;
  constructor(
    readonly id: NodeId,
    readonly index: number,
    readonly role: "server" | "client",
    public factory: NodeFactory<M>,
    readonly storage: MemoryStorage,
    readonly rng: Rng,
    readonly clock: Clock,
  ) {
    this.identity = id;
  }
}

/** A read-only view of a node for notebooks and checkers. */
export interface NodeView {
  /** The node's id, as given to `addNode` (a twin instance's own id, e.g. "n0'"). */
  readonly id: NodeId;
  /** The identity it runs as: its id, or for a twin instance the twinned node's id. */
  readonly identity: NodeId;
  /** "server" nodes are each other's peers; "client" nodes are not in `peers`. */
  readonly role: "server" | "client";
  /** False while crashed (or before start). */
  readonly up: boolean;
  /** True during a `pause`: due messages and timers wait in a backlog until it resumes. */
  readonly paused: boolean;
  /** True once replaced by an adversary. */
  readonly byzantine: boolean;
  /** Bumped on every crash and `replace`; contexts of older incarnations are dead. */
  readonly incarnation: number;
  /** The node's durable storage (the live object, not a copy); it survives crashes. */
  readonly storage: MemoryStorage;
  /** The node's `inspect()` snapshot, or undefined when crashed. */
  inspect(): unknown;
}

/**
 * A deterministic simulation: the same seed, nodes and calls give the identical trace.
 * @example
 * ```ts
 * const sim = new Simulation<string>({ seed: 42 });
 * sim.addNode("a", (ctx) => ({ start: () => ctx.send("b", "hi"), onMessage() {} }));
 * sim.addNode("b", (ctx) => ({ onMessage: (from, m) => ctx.emit({ type: "got", from, m }) }));
 * sim.run({ untilMs: 10 });
 * sim.events.length; // 1
 * ```
 */
export class Simulation<M = unknown> {
  /** The root seed. */
  readonly seed: number | string;
  /** The root random stream; fork named streams from it. */
  readonly rng: Rng;
  /** The trace of this run. */
  readonly trace: Trace;
  /** The network model. */
  readonly network: NetworkModel;
  /** Protocol events in order (when `collectEvents`). */
  readonly events: EmittedEvent[] = [];
  /** Per message type, its send counter (see `stats.byType`). */
  #typeCounts = new Map<string, { n: number }>();
  /** Message counters, kept whatever the trace mode. */
  readonly stats: MessageStats = ((counts: Map<string, { n: number }>) => {
    const byType = new Map<string, number>();
    return defineLive({ sent: 0, delivered: 0, dropped: 0, duplicated: 0, byNode: new Map() }, {
      // counted in cells (a send bumps its type's cell, found without a Map lookup when the
      // sender's previous message had the same type); the Map is filled from them when read
      byType: () => {
        for (const [t, c] of counts) byType.set(t, c.n);
        return byType;
      },
    });
  })(this.#typeCounts);

  #now = 0;
  #queue = new EventQueue<SimEvent>();
  #nodes: NodeSlot<M>[] = [];
  #index = new Map<NodeId, number>();
  #servers: NodeId[] = [];
  /** Bumped whenever the server set changes (peer lists are rebuilt lazily, not per addNode). */
  #membersVersion = 0;
  /** Position of each server in `#servers`. */
  #serverPos = new Map<NodeId, number>();
  #msgId = 0;
  #handled = 0;
  #sizeOf: (msg: unknown) => number;
  #collect: boolean;
  #eventListeners: ((e: EmittedEvent) => void)[] = [];
  #afterEach: (() => void)[] = [];
  #deliverListeners: ((d: Delivery<M>) => void)[] = [];
  /** Who signed each digest: one signer (the usual case), or the set of them. */
  #signatures = new Map<string, string | Set<string>>();
  #tracing: boolean;
  #intercepting = false;
  #held = new Set<number>();
  #heldQueue = new Map<number, SimEvent[]>();
  #free: SimEvent[] = [];
  /** Instances (slot indices) of each twinned identity, the original first (`addTwin`). */
  #instancesOf = new Map<NodeId, number[]>();
  #router: TwinRouter<M> | null = null;

  /** A new simulation; options are validated (a ConfigError names any bad field). */
  constructor(options: SimulationOptions) {
    parseConfig(SimulationOptionsSchema, options, "simulation options");
    this.seed = options.seed;
    this.rng = new Rng(options.seed);
    this.trace = new Trace(options.trace);
    this.#tracing = this.trace.enabled;
    this.network = options.network ?? new ConstantNetwork(1);
    this.#sizeOf = options.messageSizeBytes ?? (() => 64);
    this.#collect = options.collectEvents ?? true;
  }

  /** Current virtual time in ms. */
  get nowMs(): number {
    return this.#now;
  }

  /**
   * Number of events handled so far: deliveries, timers that fired, scheduled calls and events
   * that found their node crashed (a re-armed or cancelled timer leaves no event behind).
   */
  get eventsHandled(): number {
    return this.#handled;
  }

  /** Number of queued events. */
  get pending(): number {
    return this.#queue.size;
  }

  /** Every node id in order of addition. */
  get nodeIds(): readonly NodeId[] {
    return this.#nodes.map((n) => n.id);
  }

  /** Server node ids in order of addition. */
  get serverIds(): readonly NodeId[] {
    return this.#servers;
  }

  /** Add a node; it starts at the current time (its `start` runs as the next event at this time). */
  addNode(id: NodeId, factory: NodeFactory<M>, options: NodeOptions = {}): void {
    if (typeof id !== "string" || id.length === 0) {
      throw new SimulationError(`addNode: id must be a non-empty string, got ${String(id)}`);
    }
    if (this.#index.has(id)) throw new SimulationError(`addNode: duplicate node id "${id}"`);
    const o = parseConfig(NodeOptionsSchema, options, `options of node "${id}"`);
    const index = this.#nodes.length;
    const slot = new NodeSlot<M>(
      id,
      index,
      o.role ?? "server",
      factory,
      new MemoryStorage(),
      this.rng.fork(`node/${id}`),
      {
        baseTrue: this.#now,
        baseLocal: this.#now * (1 + (o.clockDrift ?? 0)) + (o.clockOffsetMs ?? 0),
        drift: o.clockDrift ?? 0,
      },
    );
    slot.byzantine = o.byzantine ?? false;
    this.#nodes.push(slot);
    this.#index.set(id, index);
    if (slot.role === "server") {
      this.#serverPos.set(id, this.#servers.length);
      this.#servers.push(id);
    }
    this.#membersVersion++;
    this.network.addNode(id, index, slot.role);
    this.schedule(0, () => {
      if (slot.started) return;
      // Stryker disable next-line BooleanLiteral: equivalent — only this start event reads `started` (restart sets it to skip the event), and it runs once, so nothing reads what it writes here
      slot.started = true;
      this.#boot(slot);
    });
  }

  /**
   * Run a second instance of server `id` (Twins, Bano et al., OPODIS 2021, §3): the same identity
   * (`ctx.self`, the peers it sees, the key `ctx.sign` uses, the sender its messages carry) but
   * its own object, storage, timers, random stream and network node `instance` (default `id'`),
   * so partitions can place the two instances apart. A message sent to `id` goes to every
   * instance the sender can reach (each copy a separate transmission, cut by partitions like any
   * other); a message an instance sends to its own identity stays with that instance. Both
   * instances are marked Byzantine unless `byzantine: false`: a twinned identity is a faulty one
   * (it equivocates through honest code) and counts toward f. Returns the instance id.
   * @example
   * ```ts
   * sim.addTwin("n0"); // "n0'"; then net.partition([["n0", "n1"], ["n0'", "n2", "n3"]])
   * ```
   */
  addTwin(
    id: NodeId,
    options: { instance?: NodeId; factory?: NodeFactory<M>; byzantine?: boolean } = {},
  ): NodeId {
    const i = this.#index.get(id);
    if (i === undefined) {
      throw new ConfigError("addTwin", [{
        path: "id",
        message: `unknown node "${id}" (servers: ${this.#servers.join(", ")})`,
      }]);
    }
    const orig = this.#nodes[i];
    if (orig.role !== "server" || orig.identity !== id) {
      throw new ConfigError("addTwin", [{
        path: "id",
        message: `"${id}" is not a server identity (only servers can be twinned)`,
      }]);
    }
    const instance = options.instance ?? `${id}'`;
    if (typeof instance !== "string" || instance.length === 0 || this.#index.has(instance)) {
      throw new ConfigError("addTwin", [{
        path: "instance",
        message: `instance id "${String(instance)}" is empty or already used`,
      }]);
    }
    const index = this.#nodes.length;
    const slot = new NodeSlot<M>(
      instance,
      index,
      "server",
      options.factory ?? orig.factory,
      new MemoryStorage(),
      this.rng.fork(`node/${instance}`),
      { baseTrue: this.#now, baseLocal: this.#now, drift: 0 },
    );
    slot.identity = id;
    const byz = options.byzantine ?? true;
    slot.byzantine = byz;
    if (byz) orig.byzantine = true;
    this.#nodes.push(slot);
    this.#index.set(instance, index);
    const list = this.#instancesOf.get(id) ?? [i];
    list.push(index);
    this.#instancesOf.set(id, list);
    // no new membership version: a twin runs as its identity, so no node's peers or position change
    this.network.addNode(instance, index, "server");
    // Stryker disable next-line ConditionalExpression: equivalent — performance only (→ true): with tracing off, the trace records nothing (add, addSend, addDeliver return at once; → false is killed, but cannot be kept alone)
    if (this.#tracing) {
      this.trace.add({
        type: "nemesis",
        t: this.#now,
        action: { type: "twin", node: id, instance },
      });
    }
    this.schedule(0, () => {
      if (slot.started) return;
      // Stryker disable next-line BooleanLiteral: equivalent — only this start event reads `started` (restart sets it to skip the event), and it runs once, so nothing reads what it writes here
      slot.started = true;
      this.#boot(slot);
    });
    return instance;
  }

  /** The instances of an identity: `[id]`, or the original and its twins (`addTwin`). */
  instancesOf(id: NodeId): readonly NodeId[] {
    const list = this.#instancesOf.get(id);
    if (list) return list.map((k) => this.#nodes[k].id);
    this.indexOf(id);
    return [id];
  }

  /**
   * A delivery filter over instances (the Twins network, where each protocol round has its own
   * partition): called at every transmission with the sending and receiving instance ids and the
   * message; `false` drops the copy (reason "partition"). `null` removes it.
   */
  setRouter(router: TwinRouter<M> | null): void {
    this.#router = router;
  }

  /** Index of a node (dense from 0); throws a clear error for an unknown id. */
  indexOf(id: NodeId): number {
    const i = this.#index.get(id);
    if (i === undefined) {
      throw new SimulationError(`unknown node "${id}" (nodes: ${this.nodeIds.join(", ")})`);
    }
    return i;
  }

  /** Whether a node with this id exists. */
  hasNode(id: NodeId): boolean {
    return this.#index.has(id);
  }

  /** A read-only view of a node. */
  node(id: NodeId): NodeView {
    const s = this.#nodes[this.indexOf(id)];
    // one view per node, made once: checkers ask on every delivery and decision
    return s.view ??= this.#viewOf(s);
  }

  #viewOf(s: NodeSlot<M>): NodeView {
    const now = () => this.#now;
    return defineLive({
      id: s.id,
      identity: s.identity,
      role: s.role,
      storage: s.storage,
      inspect: () => s.instance?.inspect?.(),
    }, {
      up: () => s.up,
      paused: () => s.pausedUntil > now(),
      byzantine: () => s.byzantine,
      incarnation: () => s.incarnation,
    });
  }

  /** The live protocol object of a node (undefined when crashed): for tests and notebooks. */
  instanceOf<T extends ProtocolNode<M>>(id: NodeId): T | undefined {
    return (this.#nodes[this.indexOf(id)].instance ?? undefined) as T | undefined;
  }

  /** Listen to protocol events as they are emitted; returns a function that stops listening. */
  onEvent(listener: (e: EmittedEvent) => void): () => void {
    this.#eventListeners.push(listener);
    return () => {
      this.#eventListeners = this.#eventListeners.filter((l) => l !== listener);
    };
  }

  /**
   * Listen to every message handed to a node's `onMessage` (after partitions, holds and pauses),
   * just before the node handles it: what checkers that read messages (BFT accountability) see.
   * Returns a function that stops listening.
   */
  onDeliver(listener: (d: Delivery<M>) => void): () => void {
    this.#deliverListeners.push(listener);
    return () => {
      this.#deliverListeners = this.#deliverListeners.filter((l) => l !== listener);
    };
  }

  /**
   * Whether `signature` is a signature that its signer's key really made over `data` (what a
   * node's `ctx.verify` answers), for checkers reading signed messages from outside any node.
   */
  verifySignature(signature: Signature, data: unknown): boolean {
    if (!signature || typeof signature.signer !== "string") return false;
    const digest = digestOf(data);
    if (signature.digest !== digest) return false;
    const by = this.#signatures.get(digest);
    return by === signature.signer || (typeof by === "object" && by.has(signature.signer));
  }

  /**
   * Call `check` after every handled event (invariant checking); throw from it to stop the run.
   * Returns a function that removes the check.
   */
  afterEach(check: () => void): () => void {
    this.#afterEach.push(check);
    return () => {
      this.#afterEach = this.#afterEach.filter((c) => c !== check);
    };
  }

  /** Run `fn` after `delayMs` of true time. */
  schedule(delayMs: number, fn: () => void): void {
    if (!(delayMs >= 0)) throw new SimulationError(`schedule: delay must be >= 0, got ${delayMs}`);
    this.#queue.push(
      // Stryker disable next-line UnaryOperator: equivalent — a call event's node and sender are never read (dispatch runs its fn; calls are never recycled, held or backlogged)
      new SimEvent(this.#now + delayMs, KIND_CALL, -1, -1, 0, 0, undefined, "", fn),
    );
  }

  /** Run `fn` at absolute true time `atMs` (not before now). */
  at(atMs: number, fn: () => void): void {
    this.schedule(Math.max(0, atMs - this.#now), fn);
  }

  // ---- clocks -------------------------------------------------------------------------------

  /** A node's local clock reading now: true × (1 + drift) + offset, with jumps applied. */
  localTime(id: NodeId): number {
    return this.#local(this.#nodes[this.indexOf(id)].clock);
  }

  /** A node's current drift and offset (local − true) in ms. */
  clockOf(id: NodeId): { drift: number; offsetMs: number } {
    const c = this.#nodes[this.indexOf(id)].clock;
    return { drift: c.drift, offsetMs: this.#local(c) - this.#now };
  }

  #local(c: Clock): number {
    return c.baseLocal + (this.#now - c.baseTrue) * (1 + c.drift);
  }

  /** Step a node's clock by `deltaMs` (an NTP step, an operator's mistake, a VM migration). */
  clockJump(id: NodeId, deltaMs: number): void {
    const s = this.#nodes[this.indexOf(id)];
    this.#rebase(s.clock);
    s.clock.baseLocal += deltaMs;
    this.#traceClock(s);
  }

  /** Change a node's drift from now on (the clock stays continuous). */
  setDrift(id: NodeId, drift: number): void {
    if (!(drift > -1 && drift < 1)) throw new SimulationError(`setDrift: drift must be in (-1, 1)`);
    const s = this.#nodes[this.indexOf(id)];
    this.#rebase(s.clock);
    s.clock.drift = drift;
    this.#traceClock(s);
  }

  /** Set a node's clock so that it reads true time + `offsetMs` now. */
  setClockOffset(id: NodeId, offsetMs: number): void {
    const s = this.#nodes[this.indexOf(id)];
    this.#rebase(s.clock);
    s.clock.baseLocal = this.#now + offsetMs;
    this.#traceClock(s);
  }

  #rebase(c: Clock): void {
    c.baseLocal = this.#local(c);
    c.baseTrue = this.#now;
  }

  #traceClock(s: NodeSlot<M>): void {
    // Stryker disable next-line ConditionalExpression: equivalent — performance only (→ true): with tracing off, the trace records nothing (add, addSend, addDeliver return at once; → false is killed, but cannot be kept alone)
    if (this.#tracing) {
      this.trace.add({
        type: "clock",
        t: this.#now,
        node: s.id,
        offsetMs: this.#local(s.clock) - this.#now,
        drift: s.clock.drift,
      });
    }
  }

  // ---- lifecycle ----------------------------------------------------------------------------

  /** Crash a node: its object, timers and pending backlog are lost; durable storage is kept. */
  crash(id: NodeId): void {
    const s = this.#nodes[this.indexOf(id)];
    if (!s.up) return;
    s.up = false;
    s.instance = null;
    s.ctx = null;
    this.#dropTimers(s);
    s.incarnation++;
    s.pausedUntil = -1;
    const backlog = s.backlog;
    s.backlog = [];
    // Stryker disable next-line ConditionalExpression: equivalent — performance only (→ true): with tracing off, the trace records nothing (add, addSend, addDeliver return at once; → false is killed, but cannot be kept alone)
    if (this.#tracing) this.trace.add({ type: "crash", t: this.#now, node: id });
    for (const e of backlog) if (e.kind === KIND_DELIVER) this.#drop(e, "crashed");
  }

  /** Restart a crashed node: a new object is built by its factory over the kept storage. */
  restart(id: NodeId): void {
    const s = this.#nodes[this.indexOf(id)];
    if (s.up) return;
    // Stryker disable next-line ConditionalExpression: equivalent — performance only (→ true): with tracing off, the trace records nothing (add, addSend, addDeliver return at once; → false is killed, but cannot be kept alone)
    if (this.#tracing) this.trace.add({ type: "restart", t: this.#now, node: id });
    s.started = true;
    this.#boot(s);
  }

  /**
   * Pause a node for `durationMs` (a GC or VM pause): it handles nothing meanwhile; messages and
   * timers that fall due wait in a backlog and are handled, in order, when it resumes.
   */
  pause(id: NodeId, durationMs: number): void {
    if (!(durationMs >= 0)) throw new SimulationError(`pause: durationMs must be >= 0`);
    const s = this.#nodes[this.indexOf(id)];
    if (!s.up) return;
    const until = Math.max(s.pausedUntil, this.#now + durationMs);
    s.pausedUntil = until;
    const gen = ++s.pauseGen;
    // Stryker disable next-line ConditionalExpression: equivalent — performance only (→ true): with tracing off, the trace records nothing (add, addSend, addDeliver return at once; → false is killed, but cannot be kept alone)
    if (this.#tracing) this.trace.add({ type: "pause", t: this.#now, node: id, durationMs });
    this.at(until, () => {
      if (s.pauseGen === gen && s.up) this.#resume(s);
    });
  }

  /** End a pause now. */
  resume(id: NodeId): void {
    const s = this.#nodes[this.indexOf(id)];
    if (s.up && s.pausedUntil >= this.#now) this.#resume(s);
  }

  #resume(s: NodeSlot<M>): void {
    s.pausedUntil = -1;
    s.pauseGen++;
    const backlog = s.backlog;
    s.backlog = [];
    // Stryker disable next-line ConditionalExpression: equivalent — performance only (→ true): with tracing off, the trace records nothing (add, addSend, addDeliver return at once; → false is killed, but cannot be kept alone)
    if (this.#tracing) {
      this.trace.add({ type: "resume", t: this.#now, node: s.id, backlog: backlog.length });
    }
    for (const e of backlog) {
      if (!s.up) {
        if (e.kind === KIND_DELIVER) this.#drop(e, "crashed");
        continue;
      }
      this.#dispatch(e);
    }
  }

  /**
   * Replace a node by an adversary's (or any other) implementation from now on. The new object
   * gets the node's context: same id, storage and signing key. Marks the node Byzantine.
   */
  replace(id: NodeId, factory: NodeFactory<M>): void {
    const s = this.#nodes[this.indexOf(id)];
    s.factory = factory;
    s.byzantine = true;
    // Stryker disable next-line ConditionalExpression: equivalent — performance only (→ true): with tracing off, the trace records nothing (add, addSend, addDeliver return at once; → false is killed, but cannot be kept alone)
    if (this.#tracing) {
      this.trace.add({ type: "nemesis", t: this.#now, action: { type: "replace", node: id } });
    }
    if (s.up) {
      this.#dropTimers(s);
      s.incarnation++;
      this.#boot(s);
    }
  }

  /** Disarm every timer of a node (crash, replace): their queued events leave the queue too. */
  #dropTimers(s: NodeSlot<M>): void {
    for (const e of s.timers.events()) {
      // a due timer waiting in a pause backlog is not queued (the backlog is handled apart)
      if (e.qi >= 0) {
        this.#queue.remove(e);
        this.#recycle(e);
      }
    }
    s.timers.clear();
  }

  /**
   * Hold the link from → to (and back when `bidirectional`): messages that arrive on it wait,
   * in order, until {@link release} (turmoil's `hold`). Unlike a partition nothing is lost; a
   * message whose receiver crashed meanwhile is dropped at release.
   */
  hold(from: NodeId, to: NodeId, options: { bidirectional?: boolean } = {}): void {
    const a = this.indexOf(from), b = this.indexOf(to);
    this.#held.add(a * LINK_KEY + b);
    if (options.bidirectional) this.#held.add(b * LINK_KEY + a);
    // Stryker disable next-line ConditionalExpression: equivalent — performance only (→ true): with tracing off, the trace records nothing (add, addSend, addDeliver return at once; → false is killed, but cannot be kept alone)
    if (this.#tracing) {
      this.trace.add({
        type: "nemesis",
        t: this.#now,
        action: { type: "hold", from, to, bidirectional: options.bidirectional ?? false },
      });
    }
  }

  /**
   * Release held links (all of them, or only from → to and back) and deliver what waited on them
   * now, in arrival order. Returns the number of messages released.
   */
  release(from?: NodeId, to?: NodeId): number {
    const keys = from === undefined || to === undefined ? [...this.#held] : (() => {
      const a = this.indexOf(from), b = this.indexOf(to);
      return [a * LINK_KEY + b, b * LINK_KEY + a].filter((k) => this.#held.has(k));
    })();
    let n = 0;
    for (const k of keys) {
      this.#held.delete(k);
      const q = this.#heldQueue.get(k);
      if (!q) continue;
      this.#heldQueue.delete(k);
      for (const e of q) {
        e.t = this.#now;
        this.#queue.push(e);
        n++;
      }
    }
    if (this.#tracing && keys.length > 0) {
      this.trace.add({
        type: "nemesis",
        t: this.#now,
        action: { type: "release", from, to, released: n },
      });
    }
    return n;
  }

  /**
   * Route every message this node sends through `interceptor` (null removes it). The node is
   * marked Byzantine only when asked (`{ byzantine: true }`: the interceptor is the node lying);
   * by default (`byzantine: false`) the interceptor models the environment (a slow disk before a
   * reply, a scheduler choosing delivery order) and the node stays honest.
   */
  intercept(
    id: NodeId,
    interceptor: Interceptor<M> | null,
    options: { byzantine?: boolean } = {},
  ): void {
    const s = this.#nodes[this.indexOf(id)];
    s.interceptor = interceptor;
    if (interceptor && options.byzantine === true) s.byzantine = true;
  }

  #boot(s: NodeSlot<M>): void {
    s.up = true;
    s.pausedUntil = -1;
    s.timers.clear();
    if (!s.membersChecked) {
      // bad ids in the node's configuration are a configuration error, not a crash mid-run
      s.membersChecked = true;
      checkFactoryMembers(s.factory, this.#servers);
    }
    const ctx = this.#makeContext(s, s.incarnation);
    s.ctx = ctx;
    s.instance = this.#guard(s, "factory", () => s.factory(ctx));
    const inst = s.instance;
    if (inst.start) this.#guard(s, "start", () => inst.start!());
  }

  #guard<T>(s: NodeSlot<M>, what: string, fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      if (err instanceof SimulationError) throw err;
      const msg = err instanceof Error ? err.message : String(err);
      throw new SimulationError(
        `node ${s.id} failed in ${what} at t=${this.#now} ms (seed=${String(this.seed)}): ${msg}`,
        { cause: err },
      );
    }
  }

  #makeContext(s: NodeSlot<M>, incarnation: number): NodeContext<M> {
    // deno-lint-ignore no-this-alias
    const sim = this;
    const live = () => s.incarnation === incarnation && s.up;
    const ctx: Omit<NodeContext<M>, "peers" | "peerCount" | "observed"> = {
      self: s.identity,
      peerAt(i: number): NodeId {
        const k = sim.#selfPos(s);
        return sim.#servers[k >= 0 && i >= k ? i + 1 : i];
      },
      nowMs: () => sim.#local(s.clock),
      rng: s.rng,
      send(to: NodeId, msg: M, options?: SendOptions) {
        if (live()) sim.#send(s, to, msg, options?.sizeBytes, 0);
      },
      setTimer(name: string, afterMs: number) {
        if (!live()) return;
        if (!(afterMs >= 0)) {
          throw new SimulationError(
            `${s.id}: setTimer("${name}") needs afterMs >= 0, got ${afterMs}`,
          );
        }
        // a timer takes a number from the message-id counter (as it always has), so re-arming
        // a timer never renumbers the messages sent after it
        ++sim.#msgId;
        const t = sim.#now + afterMs / (1 + s.clock.drift);
        const armed = s.timers.get(name);
        if (armed !== undefined && armed.qi >= 0) {
          // re-arming moves the queued event: no stale copy is left behind to pop later
          sim.#queue.reschedule(armed, t);
        } else {
          const e = sim.#timerEvent(t, s.index, name);
          s.timers.set(name, e);
          sim.#queue.push(e);
        }
      },
      cancelTimer(name: string) {
        if (!live()) return;
        const armed = s.timers.get(name);
        if (armed === undefined) return;
        s.timers.delete(name);
        if (armed.qi >= 0) {
          sim.#queue.remove(armed);
          sim.#recycle(armed);
        }
      },
      storage: s.storage,
      emit(event: ProtocolEvent) {
        if (live()) sim.#emit(s, event);
      },
      sign(data: unknown): Signature {
        const digest = digestOf(data);
        sim.#signed(s.identity, digest);
        return { signer: s.identity, digest };
      },
      verify(signature: Signature, data: unknown): boolean {
        return sim.verifySignature(signature, data);
      },
    };
    // live fields through shared getters (see live.ts: a getter literal would keep the run alive)
    return defineLive(ctx, {
      peers: () => {
        if (!s.peersCache || s.peersVersion !== sim.#membersVersion) {
          s.peersCache = sim.#servers.filter((p) => p !== s.identity);
          s.peersVersion = sim.#membersVersion;
        }
        return s.peersCache;
      },
      peerCount: () => {
        const k = sim.#selfPos(s);
        return sim.#servers.length - (k >= 0 ? 1 : 0);
      },
      observed: () => sim.#tracing || sim.#collect || sim.#eventListeners.length > 0,
    });
  }

  /** Record that `signer` signed `digest` (what verifySignature looks up). */
  #signed(signer: string, digest: string): void {
    const by = this.#signatures.get(digest);
    if (by === undefined) this.#signatures.set(digest, signer);
    else if (typeof by === "string") {
      // Stryker disable next-line ConditionalExpression: equivalent (→ true) — a key signing the same data again would make the set {signer}, which verifies exactly as the string does (performance only)
      if (by !== signer) this.#signatures.set(digest, new Set([by, signer]));
    } else by.add(signer);
  }

  /** Position of a node's identity among the servers (-1 when it is not one). */
  #selfPos(s: NodeSlot<M>): number {
    if (s.posVersion !== this.#membersVersion) {
      s.selfPos = this.#serverPos.get(s.identity) ?? -1;
      s.posVersion = this.#membersVersion;
    }
    return s.selfPos;
  }

  #emit(s: NodeSlot<M>, event: ProtocolEvent): void {
    let traceIndex = -1;
    if (this.#tracing) {
      traceIndex = this.trace.count;
      this.trace.add({ type: "event", t: this.#now, node: s.id, event });
    }
    // nobody keeps or reads it: skip building the wrapper (a hot path in protocol benches)
    if (!this.#collect && this.#eventListeners.length === 0) return;
    const e: EmittedEvent = s.identity === s.id
      ? { t: this.#now, node: s.id, event, traceIndex }
      : { t: this.#now, node: s.identity, instance: s.id, event, traceIndex };
    if (this.#collect) this.events.push(e);
    for (const l of this.#eventListeners) l(e);
  }

  /** Emit a protocol event on behalf of a node from outside (e.g. a workload or a checker). */
  emitFor(id: NodeId, event: ProtocolEvent): void {
    this.#emit(this.#nodes[this.indexOf(id)], event);
  }

  // ---- messages -----------------------------------------------------------------------------

  /** Inject a message as if `from` had sent it now (tests, forged traffic from outside). */
  inject(from: NodeId, to: NodeId, msg: M, options?: { delayMs?: number; sizeBytes?: number }) {
    this.#send(this.#nodes[this.indexOf(from)], to, msg, options?.sizeBytes, options?.delayMs ?? 0);
  }

  // The common case (a known node, no interceptor, no twins) is kept small enough for the engine
  // to inline into a node's send; everything else goes through #sendRouted.
  #send(s: NodeSlot<M>, to: NodeId, msg: M, sizeBytes: number | undefined, extraDelay: number) {
    const toIdx = this.#index.get(to);
    if (toIdx !== undefined && s.interceptor === null && this.#instancesOf.size === 0) {
      this.#transmit(s, toIdx, msg, sizeBytes, extraDelay);
    } else this.#sendRouted(s, to, msg, sizeBytes, extraDelay);
  }

  #sendRouted(
    s: NodeSlot<M>,
    to: NodeId,
    msg: M,
    sizeBytes: number | undefined,
    extraDelay: number,
  ) {
    const toIdx = this.#index.get(to);
    if (toIdx === undefined) {
      throw new SimulationError(
        `${s.id} sent a message to unknown node "${to}" at t=${this.#now} ms (seed=${
          String(this.seed)
        })`,
      );
    }
    if (s.interceptor && !this.#intercepting) {
      this.#intercepting = true;
      try {
        s.interceptor({ from: s.id, to, msg }, {
          send: (to2, msg2, o) =>
            this.#send(s, to2, msg2, o?.sizeBytes, extraDelay + (o?.delayMs ?? 0)),
        });
      } finally {
        this.#intercepting = false;
      }
      return;
    }
    // Stryker disable next-line ConditionalExpression: equivalent — performance only (→ true): without twins the lookup below finds nothing (→ false is killed, but cannot be kept alone)
    if (this.#instancesOf.size > 0) {
      const twins = this.#instancesOf.get(to);
      if (twins) {
        // Twins (§3): a message to a twinned identity goes to each instance; to oneself, stays
        if (to === s.identity) this.#transmit(s, s.index, msg, sizeBytes, extraDelay);
        else for (const k of twins) this.#transmit(s, k, msg, sizeBytes, extraDelay);
        return;
      }
    }
    this.#transmit(s, toIdx, msg, sizeBytes, extraDelay);
  }

  #transmit(
    s: NodeSlot<M>,
    toIdx: number,
    msg: M,
    sizeBytes: number | undefined,
    extraDelay: number,
  ): void {
    const to = this.#nodes[toIdx].id;
    const id = ++this.#msgId;
    this.stats.sent++;
    this.#countSent(s, msg);
    const size = this.network.usesSize ? (sizeBytes ?? this.#sizeOf(msg)) : (sizeBytes ?? 0);
    const tr = this.#router && !this.#router(s.id, to, msg)
      ? "partition"
      : this.network.transmit(s.index, toIdx, size, this.#now);
    // Stryker disable next-line ConditionalExpression: equivalent — performance only (→ true): with tracing off, the trace records nothing (add, addSend, addDeliver return at once; → false is killed, but cannot be kept alone)
    if (this.#tracing) {
      this.trace.addSend(this.#now, id, s.id, to, msg, size);
    }
    if (typeof tr === "number") {
      this.#queue.push(this.#deliverEvent(this.#now + tr + extraDelay, toIdx, s.index, id, msg));
    } else if (typeof tr === "string") {
      this.stats.dropped++;
      // Stryker disable next-line ConditionalExpression: equivalent — performance only (→ true): with tracing off, the trace records nothing (add, addSend, addDeliver return at once; → false is killed, but cannot be kept alone)
      if (this.#tracing) {
        this.trace.add({ type: "drop", t: this.#now, id, from: s.id, to, msg, reason: tr });
      }
    } else {
      for (let k = 0; k < tr.length; k++) {
        let cid = id;
        if (k > 0) {
          cid = ++this.#msgId;
          this.stats.duplicated++;
          // Stryker disable next-line ConditionalExpression: equivalent — performance only (→ true): with tracing off, the trace records nothing (add, addSend, addDeliver return at once; → false is killed, but cannot be kept alone)
          if (this.#tracing) {
            this.trace.add({ type: "duplicate", t: this.#now, id: cid, of: id, from: s.id, to });
          }
        }
        this.#queue.push(
          this.#deliverEvent(this.#now + tr[k] + extraDelay, toIdx, s.index, cid, msg),
        );
      }
    }
  }

  // Delivery events are recycled once handled (never when a pause backlog or a held link keeps
  // them), so a steady run allocates no event objects.
  #deliverEvent(t: number, toIdx: number, fromIdx: number, id: number, msg: unknown): SimEvent {
    const e = this.#free.pop();
    if (e === undefined) {
      return new SimEvent(t, KIND_DELIVER, toIdx, fromIdx, id, this.#now, msg, "", null);
    }
    e.t = t;
    e.kind = KIND_DELIVER;
    e.node = toIdx;
    e.from = fromIdx;
    e.id = id;
    e.sentAt = this.#now;
    e.msg = msg;
    return e;
  }

  #timerEvent(t: number, node: number, name: string): SimEvent {
    const e = this.#free.pop();
    // Stryker disable next-line ConditionalExpression: equivalent — performance only (→ true): a fresh event and a recycled one are set up alike (→ false is killed, but cannot be kept alone)
    if (e === undefined) {
      // Stryker disable next-line UnaryOperator: equivalent — a timer event's `from` is never read (only deliveries read it, and set it when recycled)
      return new SimEvent(t, KIND_TIMER, node, -1, 0, 0, undefined, name, null);
    }
    e.t = t;
    e.kind = KIND_TIMER;
    e.node = node;
    // Stryker disable next-line UnaryOperator: equivalent — a timer event's `from` is never read (only deliveries read it, and set it when recycled)
    e.from = -1;
    e.id = 0;
    e.sentAt = 0;
    e.name = name;
    return e;
  }

  #recycle(e: SimEvent): void {
    e.msg = undefined;
    // Stryker disable next-line all: equivalent — performance only: the limit bounds the pool's memory; a recycled event and a fresh one behave the same
    if (this.#free.length < 65536) this.#free.push(e);
  }

  #nodeStats(s: NodeSlot<M>): NodeMessageStats {
    if (s.msgStats) return s.msgStats;
    let n = this.stats.byNode.get(s.id);
    if (!n) this.stats.byNode.set(s.id, n = { sent: 0, delivered: 0 });
    return s.msgStats = n;
  }

  #countSent(from: NodeSlot<M>, msg: unknown): void {
    const t = messageTypeOf(msg);
    if (from.lastType !== t) {
      let c = this.#typeCounts.get(t);
      if (c === undefined) this.#typeCounts.set(t, c = { n: 0 });
      from.lastType = t;
      from.lastTypeCount = c;
    }
    from.lastTypeCount.n++;
    this.#nodeStats(from).sent++;
  }

  #drop(e: SimEvent, reason: DropReason): void {
    this.stats.dropped++;
    // Stryker disable next-line ConditionalExpression: equivalent — performance only (→ true): with tracing off, the trace records nothing (add, addSend, addDeliver return at once; → false is killed, but cannot be kept alone)
    if (this.#tracing) {
      this.trace.add({
        type: "drop",
        t: this.#now,
        id: e.id,
        from: this.#nodes[e.from].id,
        to: this.#nodes[e.node].id,
        msg: e.msg,
        reason,
      });
    }
  }

  // ---- running ------------------------------------------------------------------------------

  #dispatch(e: SimEvent): void {
    if (e.kind === KIND_DELIVER) {
      const s = this.#nodes[e.node];
      if (!s.up) {
        this.#drop(e, "crashed");
        return this.#recycle(e);
      }
      if (this.network.blocked(e.from, e.node)) {
        this.#drop(e, "partition");
        return this.#recycle(e);
      }
      if (this.#held.size > 0) {
        const key = e.from * LINK_KEY + e.node;
        if (this.#held.has(key)) {
          let q = this.#heldQueue.get(key);
          if (!q) this.#heldQueue.set(key, q = []);
          q.push(e);
          return;
        }
      }
      if (s.pausedUntil >= this.#now) {
        s.backlog.push(e);
        return;
      }
      const sender = this.#nodes[e.from];
      const from = sender.id;
      this.stats.delivered++;
      this.#nodeStats(s).delivered++;
      // Stryker disable next-line ConditionalExpression: equivalent — performance only (→ true): with tracing off, the trace records nothing (add, addSend, addDeliver return at once; → false is killed, but cannot be kept alone)
      if (this.#tracing) {
        this.trace.addDeliver(this.#now, e.id, from, s.id, e.msg, e.sentAt);
      }
      // Stryker disable next-line EqualityOperator: equivalent — performance only (→ >=): with no listener the loop below does nothing (→ <= is killed, but cannot be kept alone)
      if (this.#deliverListeners.length > 0) {
        const d: Delivery<M> = { t: this.#now, from: sender.identity, to: s.id, msg: e.msg as M };
        for (const l of this.#deliverListeners) l(d);
      }
      const inst = s.instance!;
      const msg = e.msg as M;
      this.#recycle(e);
      try {
        inst.onMessage(sender.identity, msg);
      } catch (err) {
        this.#guard(s, `onMessage from ${from}`, () => {
          throw err;
        });
      }
    } else if (e.kind === KIND_TIMER) {
      const s = this.#nodes[e.node];
      const name = e.name;
      if (!s.up || s.timers.get(name) !== e) return this.#recycle(e);
      if (s.pausedUntil >= this.#now) {
        s.backlog.push(e);
        return;
      }
      this.#recycle(e);
      s.timers.delete(name);
      // Stryker disable next-line ConditionalExpression: equivalent — performance only (→ true): with tracing off, the trace records nothing (add, addSend, addDeliver return at once; → false is killed, but cannot be kept alone)
      if (this.#tracing) this.trace.add({ type: "timer", t: this.#now, node: s.id, name });
      const inst = s.instance!;
      if (inst.onTimer) {
        // the label and the guard's closure are made only when the handler throws
        try {
          inst.onTimer(name);
        } catch (err) {
          this.#guard(s, `onTimer("${name}")`, () => {
            throw err;
          });
        }
      }
    } else {
      e.fn!();
    }
  }

  /** Handle exactly one event; returns false when the queue is empty. */
  step(): boolean {
    const e = this.#queue.pop();
    if (!e) return false;
    this.#now = e.t;
    this.#dispatch(e);
    this.#handled++;
    for (const c of this.#afterEach) c();
    return true;
  }

  /**
   * Run until a time, a predicate, quiescence (empty queue) or an event budget, whichever first.
   * @example
   * ```ts
   * sim.run({ untilMs: 5_000 });
   * sim.run({ until: () => leaderElected(sim), untilMs: 60_000 });
   * ```
   */
  run(options: RunOptions = {}): RunResult {
    const untilMs = options.untilMs ?? Infinity;
    const maxEvents = options.maxEvents ?? Infinity;
    const until = options.until;
    if (Number.isNaN(untilMs)) throw new SimulationError("run: untilMs is NaN");
    const q = this.#queue;
    const checks = this.#afterEach;
    let n = 0;
    let reason: StopReason = "quiescent";
    for (;;) {
      if (n >= maxEvents) {
        reason = "maxEvents";
        break;
      }
      if (q.size === 0) {
        reason = "quiescent";
        break;
      }
      const t = q.peekTime();
      if (t > untilMs) {
        reason = "time";
        break;
      }
      const head = q.pop()!;
      this.#now = t;
      this.#dispatch(head);
      n++;
      this.#handled++;
      if (checks.length) { for (let i = 0; i < checks.length; i++) checks[i](); }
      if (until && until()) {
        reason = "predicate";
        break;
      }
    }
    if (reason === "time" || (reason === "quiescent" && Number.isFinite(untilMs))) {
      if (untilMs > this.#now) this.#now = untilMs;
      if (reason === "quiescent") reason = "time";
    }
    return { reason, nowMs: this.#now, events: n };
  }

  /** Run for `durationMs` more of virtual time. */
  runFor(durationMs: number): RunResult {
    return this.run({ untilMs: this.#now + durationMs });
  }

  /** A one-line description of the run's identity, printed first in failures. */
  describe(): string {
    return `seed=${
      String(this.seed)
    } nodes=${this.#nodes.length} t=${this.#now}ms trace=${this.trace.mode}`;
  }
}

export type { TraceRecord };
