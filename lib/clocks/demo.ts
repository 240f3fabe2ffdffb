/**
 * An instrumented demo protocol for logical clocks: nodes exchange random messages (drawn from
 * their own `ctx.rng`) carrying Lamport, vector and hybrid logical clock timestamps, and emit
 * every send, receive and local event with all three timestamps and the physical clock reading.
 * {@link runCausalDemo} runs it over drifting, offset clocks and a random-latency network and
 * pairs each emitted event with its ground-truth vector from the trace; `checkCausalRun` then
 * checks what theory promises.
 *
 * Events: `{ type: "stamp", kind: "send" | "receive" | "local", peer, lamport, vector, hlc, ptMs }`.
 * @module
 */
import { z } from "zod";
import type { NodeContext, NodeId, ProtocolNode } from "../sim/types.ts";
import { parseConfig } from "../sim/errors.ts";
import type { Simulation } from "../sim/simulation.ts";
import { Rng } from "../sim/rng.ts";
import { createCluster } from "../net/cluster.ts";
import { LatencySchema } from "../net/latency.ts";
import { LamportClock } from "./lamport.ts";
import { VectorClock, vectorIncrement, type VectorTimestamp } from "./vector.ts";
import { hlcSendOrLocal, type HlcTimestamp, HybridLogicalClock } from "./hlc.ts";
import { type CausalEvent, type CausalHistory, causalHistory } from "./happens_before.ts";

/** The one message of the demo: a payload-free note carrying the sender's three timestamps. */
export interface CausalDemoMessage {
  /** Discriminant. */
  readonly type: "demo";
  /** The sender's Lamport time of the send. */
  readonly lamport: number;
  /** The sender's vector timestamp of the send. */
  readonly vector: VectorTimestamp;
  /** The sender's HLC timestamp of the send. */
  readonly hlc: HlcTimestamp;
}

/** What a demo node emits for each of its events. */
export interface StampEvent {
  /** Discriminant. */
  readonly type: "stamp";
  /** What the event was. */
  readonly kind: "send" | "receive" | "local";
  /** The destination of a send or the source of a receive; null for a local event. */
  readonly peer: NodeId | null;
  /** Lamport time of the event. */
  readonly lamport: number;
  /** Vector timestamp of the event. */
  readonly vector: VectorTimestamp;
  /** HLC timestamp of the event. */
  readonly hlc: HlcTimestamp;
  /** The physical clock reading the HLC used (local clock rounded down to the granularity). */
  readonly ptMs: number;
  /** A protocol event may carry more fields. */
  readonly [field: string]: unknown;
}

/** Demo node parameters (zod, with defaults). */
export const CausalDemoConfigSchema = z.object({
  /** Mean local-clock time between a node's own actions (exponentially distributed). */
  meanIntervalMs: z.number().positive().default(20),
  /** Probability that an action is a send to a random peer (else a local event). */
  sendRatio: z.number().min(0).max(1).default(0.6),
  /** How many own actions (sends and local events) each node performs before it goes quiet. */
  actions: z.number().int().min(0).default(30),
  /**
   * Resolution of the physical clock the HLC reads, in ms (0: exact). Real clocks tick; a coarse
   * clock makes equal `l` values common, which is what exercises the counter `c`.
   */
  clockGranularityMs: z.number().min(0).default(1),
  /**
   * A classic mistake to switch on, so a checker can be seen catching it. "lamportNoMerge" and
   * "vectorNoMerge" tick on receipt without merging the message's timestamp (the receiver then
   * orders its events before what caused them); "hlcNoMerge" treats a receipt as a local event,
   * so a node with a slower clock stamps an effect below its cause; "hlcCounterReset" drops one
   * case of the receive rule (Kulkarni et al. 2014, Figure 5: when the message's l.m becomes the
   * new l, c := c.m + 1) and resets c to 0 instead, so a receipt can be stamped (l.m, 0) below
   * its send (l.m, c.m > 0). Default "none".
   */
  mistake: z.enum(["none", "lamportNoMerge", "vectorNoMerge", "hlcNoMerge", "hlcCounterReset"])
    .default("none"),
}).strict();

/** Demo node parameters as written. */
export type CausalDemoConfigInput = z.input<typeof CausalDemoConfigSchema>;
/** Demo node parameters with defaults. */
export type CausalDemoConfig = z.output<typeof CausalDemoConfigSchema>;

/** Below any physical reading: the paper starts at l = 0 assuming pt ≥ 0; local clocks here may be negative. */
const HLC_START: HlcTimestamp = { l: Number.NEGATIVE_INFINITY, c: 0 };

/**
 * A demo node keeping all three logical clocks side by side.
 * @example
 * ```ts
 * const { sim } = createCluster({
 *   seed: 7, nodes: 3, factory: (ctx) => new CausalDemoNode(ctx, { actions: 10 }),
 * });
 * sim.run();
 * sim.events.filter((e) => e.event.type === "stamp").length; // 30 own actions + receipts
 * ```
 */
export class CausalDemoNode implements ProtocolNode<CausalDemoMessage> {
  /** Parameters with defaults applied. */
  readonly config: CausalDemoConfig;
  #ctx: NodeContext<CausalDemoMessage>;
  #lamport = new LamportClock();
  #vector: VectorClock;
  #hlc: HybridLogicalClock;
  #done = 0;

  /** Parameters are validated (a ConfigError names any bad field). */
  constructor(ctx: NodeContext<CausalDemoMessage>, config: CausalDemoConfigInput = {}) {
    this.#ctx = ctx;
    this.config = parseConfig(CausalDemoConfigSchema, config, "causal demo config");
    this.#vector = new VectorClock(ctx.self);
    this.#hlc = new HybridLogicalClock(() => this.physicalNowMs(), HLC_START);
  }

  /** The physical clock the HLC reads: the local clock rounded down to the granularity. */
  physicalNowMs(): number {
    const g = this.config.clockGranularityMs;
    const t = this.#ctx.nowMs();
    return g > 0 ? Math.floor(t / g) * g : t;
  }

  start(): void {
    this.#arm();
  }

  #arm(): void {
    if (this.#done < this.config.actions) {
      this.#ctx.setTimer("act", this.#ctx.rng.exponential(this.config.meanIntervalMs));
    }
  }

  onTimer(name: string): void {
    if (name !== "act") return;
    this.#done++;
    const peers = this.#ctx.peers;
    if (peers.length > 0 && this.#ctx.rng.chance(this.config.sendRatio)) {
      const to = this.#ctx.rng.pick(peers);
      const lamport = this.#lamport.send();
      const vector = this.#vector.send();
      const hlc = this.#hlc.send();
      // emit before sending: the emitted event then precedes the send record in the trace
      this.#stamp("send", to, lamport, vector, hlc);
      this.#ctx.send(to, { type: "demo", lamport, vector, hlc });
    } else {
      this.#stamp("local", null, this.#lamport.tick(), this.#vector.tick(), this.#hlc.tick());
    }
    this.#arm();
  }

  onMessage(from: NodeId, msg: CausalDemoMessage): void {
    if (msg.type !== "demo") return;
    const m = this.config.mistake;
    const lamport = m === "lamportNoMerge"
      ? this.#lamport.tick()
      : this.#lamport.receive(msg.lamport);
    let vector: VectorTimestamp;
    if (m === "vectorNoMerge") {
      vector = vectorIncrement(this.#vector.value, this.#ctx.self);
      this.#vector = new VectorClock(this.#ctx.self, vector);
    } else {
      vector = this.#vector.receive(msg.vector);
    }
    let hlc: HlcTimestamp;
    if (m === "hlcNoMerge") {
      hlc = hlcSendOrLocal(this.#hlc.timestamp, this.physicalNowMs());
      this.#hlc = new HybridLogicalClock(() => this.physicalNowMs(), hlc);
    } else if (m === "hlcCounterReset") {
      const before = this.#hlc.timestamp;
      hlc = this.#hlc.receive(msg.hlc);
      if (hlc.l === msg.hlc.l && hlc.l !== before.l) {
        hlc = { l: hlc.l, c: 0 }; // the mistake: the message moved l, but c is reset
        this.#hlc = new HybridLogicalClock(() => this.physicalNowMs(), hlc);
      }
    } else {
      hlc = this.#hlc.receive(msg.hlc);
    }
    this.#stamp("receive", from, lamport, vector, hlc);
  }

  #stamp(
    kind: StampEvent["kind"],
    peer: NodeId | null,
    lamport: number,
    vector: VectorTimestamp,
    hlc: HlcTimestamp,
  ): void {
    const event: StampEvent = {
      type: "stamp",
      kind,
      peer,
      lamport,
      vector,
      hlc,
      ptMs: this.physicalNowMs(),
    };
    this.#ctx.emit(event);
  }

  inspect(): unknown {
    return {
      actionsDone: this.#done,
      lamport: this.#lamport.time,
      vector: this.#vector.value,
      hlc: this.#hlc.timestamp,
    };
  }
}

/** Parameters of {@link runCausalDemo} (zod, with defaults). */
export const CausalDemoParamsSchema = z.object({
  /** Root seed. */
  seed: z.union([z.number().int(), z.string().min(1)]).default(1),
  /** Number of nodes (ids n0..n{k-1}). */
  nodes: z.number().int().min(1).max(64).default(4),
  /** Latency of every link. Default uniform 1–50 ms (so messages overtake each other). */
  latency: LatencySchema.default({ kind: "uniform", minMs: 1, maxMs: 50 }),
  /** Message loss probability. Default 0. */
  lossRatio: z.number().min(0).max(1).default(0),
  /** Probability that a message is delivered twice. Default 0. */
  duplicateRatio: z.number().min(0).max(1).default(0),
  /** Initial clock offset of each node (ms). Default: uniform in ±maxOffsetMs from the seed. */
  offsetsMs: z.array(z.number().finite()).optional(),
  /** Drift of each node (1e-4 = 100 ppm fast). Default: uniform in ±maxDriftPpm from the seed. */
  drifts: z.array(z.number().gt(-1).lt(1)).optional(),
  /** Bound of the random initial offsets. Default 20 ms. */
  maxOffsetMs: z.number().min(0).default(20),
  /** Bound of the random drifts in parts per million. Default 100. */
  maxDriftPpm: z.number().min(0).lt(1e6).default(100),
  /** Node parameters. */
  node: CausalDemoConfigSchema.prefault({}),
  /** Safety cap on the run's true time (it normally ends when every node has done its actions). */
  untilMs: z.number().positive().default(600_000),
}).strict();

/** Demo parameters as written. */
export type CausalDemoParamsInput = z.input<typeof CausalDemoParamsSchema>;
/** Demo parameters with defaults. */
export type CausalDemoParams = z.output<typeof CausalDemoParamsSchema>;

/** One emitted event of a demo run, flattened for tables and charts, with its bounds. */
export interface StampRow {
  /** Position of the event's record in the trace (the key into the causal history). */
  readonly index: number;
  /** The node the event happened at. */
  readonly node: NodeId;
  /** True time in ms. */
  readonly t: number;
  /** Send, receive or local. */
  readonly kind: StampEvent["kind"];
  /** The destination of a send or the source of a receive; null for a local event. */
  readonly peer: NodeId | null;
  /** Lamport time. */
  readonly lamport: number;
  /** Vector timestamp. */
  readonly vector: VectorTimestamp;
  /** HLC l. */
  readonly hlcL: number;
  /** HLC c. */
  readonly hlcC: number;
  /** The physical clock reading at the event (what the HLC used). */
  readonly ptMs: number;
  /**
   * max over nodes of their physical reading at this instant, minus this node's: the skew that
   * bounds l − pt here (the paper's ε, measured at the event's instant).
   */
  readonly skewBoundMs: number;
}

/** The result of {@link runCausalDemo}. */
export interface CausalDemoRun {
  /** Parameters with defaults applied and clocks drawn. */
  readonly params: CausalDemoParams;
  /** The clocks actually used, per node. */
  readonly clocks: Readonly<Record<NodeId, { offsetMs: number; drift: number }>>;
  /** The simulation (its full trace included). */
  readonly sim: Simulation<CausalDemoMessage>;
  /** Every emitted stamp event in trace order. */
  readonly rows: readonly StampRow[];
  /** Ground truth from the trace. */
  readonly history: CausalHistory;
  /** `events[i]` is the ground-truth event of `rows[i]`. */
  readonly events: readonly CausalEvent[];
  /** The paper's ε for this run: the largest difference of two nodes' physical clocks seen at any event. */
  readonly epsilonMs: number;
}

/**
 * Run the demo protocol and pair every emitted event with ground truth from the trace.
 * @example
 * ```ts
 * const run = runCausalDemo({ seed: 3, nodes: 4, maxDriftPpm: 200, node: { actions: 20 } });
 * const verdict = checkCausalRun(run);
 * verdict.ok; // true: Lamport, vector and HLC clocks all respect happens-before
 * ```
 */
export function runCausalDemo(params: CausalDemoParamsInput = {}): CausalDemoRun {
  const p = parseConfig(CausalDemoParamsSchema, params, "causal demo parameters");
  const ids = Array.from({ length: p.nodes }, (_, i) => `n${i}`);
  const rng = new Rng(p.seed).fork("clocks");
  const clocks: Record<NodeId, { offsetMs: number; drift: number }> = {};
  ids.forEach((id, i) => {
    const offsetMs = p.offsetsMs?.[i] ?? rng.uniform(-p.maxOffsetMs, p.maxOffsetMs);
    const drift = p.drifts?.[i] ?? rng.uniform(-p.maxDriftPpm, p.maxDriftPpm) * 1e-6;
    clocks[id] = { offsetMs, drift };
  });
  const { sim } = createCluster<CausalDemoMessage>({
    seed: p.seed,
    nodes: ids,
    factory: (ctx) => new CausalDemoNode(ctx, p.node),
    network: { latency: p.latency, lossRatio: p.lossRatio, duplicateRatio: p.duplicateRatio },
    clocks,
  });
  const g = p.node.clockGranularityMs;
  const q = (t: number) => (g > 0 ? Math.floor(t / g) * g : t);
  const bounds = new Map<number, number>();
  let epsilonMs = 0;
  sim.onEvent((e) => {
    if (e.event.type !== "stamp") return;
    let hi = -Infinity, lo = Infinity;
    for (const id of ids) {
      const pt = q(sim.localTime(id));
      if (pt > hi) hi = pt;
      if (pt < lo) lo = pt;
    }
    epsilonMs = Math.max(epsilonMs, hi - lo);
    bounds.set(sim.trace.records.length - 1, hi - q(sim.localTime(e.node)));
  });
  sim.run({ untilMs: p.untilMs });
  const history = causalHistory(sim.trace, { nodes: ids });
  const events = history.protocolEvents("stamp");
  const rows = events.map((e): StampRow => {
    const ev = (e.record as { event: unknown }).event as StampEvent;
    return {
      index: e.index,
      node: e.node,
      t: e.t,
      kind: ev.kind,
      peer: ev.peer,
      lamport: ev.lamport,
      vector: ev.vector,
      hlcL: ev.hlc.l,
      hlcC: ev.hlc.c,
      ptMs: ev.ptMs,
      skewBoundMs: bounds.get(e.index) ?? NaN,
    };
  });
  return { params: p, clocks, sim, rows, history, events, epsilonMs };
}
