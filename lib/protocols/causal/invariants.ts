/**
 * What causal broadcast promises, checked on every event against a happens-before relation built
 * from the events alone (never from the protocol's own vectors). Cachin, Guerraoui, Rodrigues,
 * "Introduction to Reliable and Secure Distributed Programming", 2nd ed., §3.9: m1 → m2 when
 * (a) one process broadcasts m1 before m2, (b) a process delivers m1 and then broadcasts m2, or
 * (c) transitively. Properties:
 * - causalDelivery: a process that delivers m2 has already delivered every m1 → m2.
 * - noDuplication: no message is delivered twice at a process.
 * - noCreation: only broadcast messages are delivered.
 *
 * Reads `broadcast` and `deliver` events ({@link CausalBroadcastNode}); a breach names the
 * message, the missing dependency, the node, the seed and the event position.
 * @module
 */
import type { NodeId } from "../../sim/types.ts";
import type { EmittedEvent, Simulation } from "../../sim/simulation.ts";
import { describeInvariantBreach, type InvariantBreach, InvariantError } from "../../sim/errors.ts";

/** The properties checked. */
export type CausalInvariantName = "causalDelivery" | "noDuplication" | "noCreation";

/** A breach with the message concerned and, for causalDelivery, the dependency not yet delivered. */
export interface CausalBreach extends InvariantBreach<CausalInvariantName> {
  /** Id (`origin:seq`) of the message delivered too early, twice, or never broadcast. */
  readonly messageId: string;
  /** For causalDelivery: a message in its causal past not delivered at `node`. */
  readonly missing?: string;
}

/** Thrown at the first breach when the checker is attached with `throwOnBreach`. */
export class CausalInvariantError extends InvariantError<CausalBreach> {
  /** Error name shown in stack traces and `String(err)`. */
  override name = "CausalInvariantError";
  /** An error whose message is the one-line description of the breach. */
  constructor(b: CausalBreach) {
    super(b, describeInvariantBreach("causal broadcast", b, ` message=${b.messageId}`));
  }
}

/** Options of {@link CausalDeliveryChecker}. */
export interface CausalCheckerOptions {
  /** Throw the first breach from `afterEach` when attached (default true); else only record it. */
  readonly throwOnBreach?: boolean;
  /** The run's seed, for the breach (taken from the simulation when attached). */
  readonly seed?: number | string;
}

/**
 * Checks causal delivery event by event.
 * @example
 * ```ts
 * const c = createCluster<CausalMessage<number>>({ seed: 1, nodes: 3, factory: (ctx) => new CausalBroadcastNode(ctx) });
 * const check = new CausalDeliveryChecker().attach(c.sim);
 * c.sim.run({ untilMs: 1000 }); // throws CausalInvariantError at the first breach
 * check.deliveries;
 * ```
 */
export class CausalDeliveryChecker {
  #throw: boolean;
  #seed: number | string | undefined;
  #sim: Simulation<unknown> | undefined;
  #events = 0;
  #now = 0;
  #breach: CausalBreach | undefined;
  #thrown = false;
  /** Causal past of each broadcast message (ids). */
  #past = new Map<string, ReadonlySet<string>>();
  /** Per node: delivered ids, and the causally closed set of everything that precedes its next broadcast. */
  #delivered = new Map<NodeId, Set<string>>();
  #known = new Map<NodeId, Set<string>>();
  #deliveries = 0;

  /** A checker; attach it to a simulation or feed it events with {@link observe}. */
  constructor(options: CausalCheckerOptions = {}) {
    this.#throw = options.throwOnBreach ?? true;
    this.#seed = options.seed;
  }

  /** The first breach, if any. */
  get breach(): CausalBreach | undefined {
    return this.#breach;
  }

  /** Deliveries checked. */
  get deliveries(): number {
    return this.#deliveries;
  }

  /** Messages broadcast so far. */
  get broadcasts(): number {
    return this.#past.size;
  }

  /** Ids delivered at `node`. */
  deliveredAt(node: NodeId): ReadonlySet<string> {
    return this.#delivered.get(node) ?? new Set();
  }

  /** Check every protocol event of `sim` from now on; returns this checker. */
  attach<M>(sim: Simulation<M>): this {
    this.#sim = sim as unknown as Simulation<unknown>;
    this.#seed = sim.seed;
    sim.onEvent((e) => this.observe(e));
    sim.afterEach(() => {
      this.#events++;
      if (this.#breach && this.#throw && !this.#thrown) {
        this.#thrown = true;
        throw new CausalInvariantError(this.#breach);
      }
    });
    return this;
  }

  /** Feed one event (in emission order); returns the first breach so far. */
  observe(e: Pick<EmittedEvent, "t" | "node" | "event">): CausalBreach | undefined {
    this.#now = e.t;
    const id = e.event.id as string;
    const node = e.node;
    let delivered = this.#delivered.get(node);
    if (!delivered) this.#delivered.set(node, delivered = new Set());
    let known = this.#known.get(node);
    if (!known) this.#known.set(node, known = new Set());
    if (e.event.type === "broadcast") {
      // Cachin et al. §3.9 (a), (b): everything this node broadcast or delivered precedes m
      this.#past.set(id, new Set(known));
    } else if (e.event.type === "deliver") {
      this.#deliveries++;
      const past = this.#past.get(id);
      if (!past) {
        this.#report(
          "noCreation",
          node,
          id,
          undefined,
          `delivered ${id}, which was never broadcast`,
        );
      } else if (delivered.has(id)) {
        this.#report("noDuplication", node, id, undefined, `delivered ${id} twice`);
      } else {
        for (const d of past) {
          if (!delivered.has(d)) {
            this.#report(
              "causalDelivery",
              node,
              id,
              d,
              `delivered ${id} before ${d}, which happened before it`,
            );
            break;
          }
        }
      }
      delivered.add(id);
      // (c) transitivity: the causal past of m joins the node's own past
      known.add(id);
      if (past) { for (const d of past) known.add(d); }
    }
    return this.#breach;
  }

  #report(
    invariant: CausalInvariantName,
    node: NodeId,
    messageId: string,
    missing: string | undefined,
    message: string,
  ): void {
    if (this.#breach) return;
    this.#breach = {
      invariant,
      message,
      node,
      messageId,
      ...(missing === undefined ? {} : { missing }),
      timeMs: this.#sim?.nowMs ?? this.#now,
      eventIndex: this.#events + 1,
      traceIndex: this.#sim?.trace.count ?? 0,
      seed: this.#seed,
    };
  }
}

/** Check a finished run's events (in emission order) at once; returns the first breach or undefined. */
export function checkCausalDelivery(
  events: readonly Pick<EmittedEvent, "t" | "node" | "event">[],
  options: { seed?: number | string } = {},
): CausalBreach | undefined {
  const c = new CausalDeliveryChecker({ throwOnBreach: false, seed: options.seed });
  for (const e of events) {
    if (e.event.type === "broadcast" || e.event.type === "deliver") c.observe(e);
  }
  return c.breach;
}
