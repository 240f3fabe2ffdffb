/**
 * Loyal generals of OM(m) and SM(m) (Lamport, Shostak, Pease 1982, §3 and §4) as sans-I/O nodes.
 *
 * Rounds are synchronous: round r lasts `roundMs` of local time, longer than any message delay,
 * so whatever was sent at the start of round r has arrived by its end (assumption A3: the absence
 * of a message can be detected). Every send happens at the start of a round; a value that has not
 * arrived by the end of its round counts as RETREAT (§3: "uses the value RETREAT if he receives
 * no value"). After round m + 1 every lieutenant decides and emits
 * `{ type: "generals-decide", value, algorithm }`. A loyal commander emits
 * `{ type: "generals-order", value }` at start; a lieutenant that refuses a message emits
 * `{ type: "generals-reject", from, reason }`.
 * @module
 */
import type { NodeContext, NodeId, ProtocolNode } from "../../sim/types.ts";
import {
  effectiveDepth,
  generalIds,
  type GeneralsConfig,
  type GeneralsConfigInput,
  parseGeneralsConfig,
} from "./config.ts";
import {
  type GeneralsMessage,
  type OmMessage,
  type Order,
  pathKey,
  type SmMessage,
  smSignedData,
} from "./messages.ts";

/** What a general knows of the run's structure. */
export interface GeneralsView {
  /** This general. */
  readonly self: NodeId;
  /** The commander. */
  readonly commander: NodeId;
  /** The lieutenants (every general but the commander), in id order. */
  readonly lieutenants: readonly NodeId[];
  /** Recursion depth actually run (m, unless a mistake flag shortens it); rounds = depth + 1. */
  readonly depth: number;
  /** The configuration, defaults applied. */
  readonly config: GeneralsConfig;
}

/** The view of general `self` under `config`. */
export function generalsView(self: NodeId, config: GeneralsConfig): GeneralsView {
  return {
    self,
    commander: config.commander,
    lieutenants: generalIds(config.n).filter((g) => g !== config.commander),
    depth: effectiveDepth(config),
    config,
  };
}

/**
 * The paper's majority (§3): the value held by a majority of `values`, RETREAT when there is
 * none (a tie).
 */
export function majority(values: readonly Order[]): Order {
  let attack = 0;
  for (const v of values) if (v === "ATTACK") attack++;
  return attack * 2 > values.length ? "ATTACK" : "RETREAT";
}

/** Every OM path of `length` generals (commander first, distinct lieutenants) avoiding `exclude`. */
export function omPaths(view: GeneralsView, length: number, exclude: NodeId): NodeId[][] {
  let paths: NodeId[][] = [[view.commander]];
  for (let k = 1; k < length; k++) {
    const next: NodeId[][] = [];
    for (const p of paths) {
      for (const l of view.lieutenants) {
        if (l !== exclude && !p.includes(l)) next.push([...p, l]);
      }
    }
    paths = next;
  }
  return paths;
}

/** One send a general makes at the start of a round. */
export interface OmSend {
  /** Recipient. */
  readonly to: NodeId;
  /** The path the message carries (sender last). */
  readonly path: readonly NodeId[];
  /** The value a loyal general sends. */
  readonly value: Order;
}

/**
 * The sends a loyal general makes at the start of round `round` of OM: in round 1 the commander
 * sends its order; in round r ≥ 2 each lieutenant i, for every path P of r − 1 generals it
 * received on (or should have), acts as commander of OM(m − r + 1) and sends the value it
 * received on P (RETREAT if none) to every lieutenant not on P, with path P + [i] (§3, step 2).
 */
export function omOutgoing(
  view: GeneralsView,
  round: number,
  received: ReadonlyMap<string, Order>,
): OmSend[] {
  const out: OmSend[] = [];
  if (round === 1) {
    if (view.self !== view.commander) return out;
    for (const l of view.lieutenants) {
      out.push({ to: l, path: [view.commander], value: view.config.order });
    }
    return out;
  }
  if (view.self === view.commander || round > view.depth + 1) return out;
  for (const p of omPaths(view, round - 1, view.self)) {
    const value = received.get(pathKey(p)) ?? "RETREAT";
    const path = [...p, view.self];
    for (const l of view.lieutenants) {
      if (l !== view.self && !p.includes(l)) out.push({ to: l, path, value });
    }
    if (view.config.mistakeRelayToCommander) out.push({ to: view.commander, path, value });
  }
  return out;
}

/**
 * Why lieutenant `view.self` refuses an OM message from `from` during `round`, or null when it
 * accepts it: the path must start at the commander, end with the sender (assumption A2: the
 * receiver knows who sent a message), hold distinct generals without the receiver, and have
 * `round` generals (a message on a path of r generals belongs to round r).
 */
export function omRefusal(
  view: GeneralsView,
  from: NodeId,
  msg: OmMessage,
  round: number,
): string | null {
  const p = msg.path;
  if (view.self === view.commander) return "the commander receives no orders";
  if (msg.value !== "ATTACK" && msg.value !== "RETREAT") return "value is not an order";
  if (!Array.isArray(p) || p.length === 0 || p[0] !== view.commander) {
    return "path does not start at the commander";
  }
  if (p[p.length - 1] !== from) return "path does not end with its sender";
  if (p.length !== round) return `path of ${p.length} generals arrived in round ${round}`;
  if (new Set(p).size !== p.length) return "path repeats a general";
  if (p.includes(view.self)) return "path contains the receiver";
  for (let i = 1; i < p.length; i++) {
    if (!view.lieutenants.includes(p[i])) return `unknown general "${p[i]}" on path`;
  }
  return null;
}

/**
 * Lieutenant `view.self`'s decision in OM(depth) from the values it received, keyed by path
 * (§3, step 3, applied recursively): in the sub-instance named by path P it takes v = the value
 * received on P (RETREAT if none); at depth 0 it uses v; otherwise it uses majority(v, w_j) over
 * every other lieutenant j of the sub-instance, w_j being its own decision in the sub-instance
 * P + [j] commanded by j.
 */
export function omDecision(view: GeneralsView, received: ReadonlyMap<string, Order>): Order {
  const decide = (p: NodeId[]): Order => {
    const v = received.get(pathKey(p)) ?? "RETREAT";
    if (p.length - 1 === view.depth) return v;
    const values: Order[] = [v];
    for (const j of view.lieutenants) {
      if (j !== view.self && !p.includes(j)) values.push(decide([...p, j]));
    }
    return majority(values);
  };
  return decide([view.commander]);
}

/**
 * choice(V) of SM (§4). The paper leaves choice open: it only requires choice({v}) = v and
 * choice(∅) = RETREAT (any deterministic function all loyal lieutenants share works, since they
 * end with the same V). We take the single element when |V| = 1, RETREAT otherwise.
 */
export function smChoice(values: ReadonlySet<Order>): Order {
  if (values.size === 1) return [...values][0];
  return "RETREAT";
}

/**
 * Why lieutenant `view.self` refuses an SM message from `from` during `round`, or null: the chain
 * must start with the commander's signature, end with the sender's, name distinct generals other
 * than the receiver, hold `round` signatures (a chain of r signatures belongs to round r, as in
 * Dolev–Strong; the paper leaves this timing implicit in "when he will receive no more
 * messages"), and every signature must verify over the value and the signatures before it.
 */
export function smRefusal(
  view: GeneralsView,
  ctx: Pick<NodeContext<unknown>, "verify">,
  from: NodeId,
  msg: SmMessage,
  round: number,
  skipVerify = false,
): string | null {
  const c = msg.chain;
  if (view.self === view.commander) return "the commander receives no orders";
  if (msg.value !== "ATTACK" && msg.value !== "RETREAT") return "value is not an order";
  if (!Array.isArray(c) || c.length === 0) return "empty chain";
  if (c[0]?.signer !== view.commander) return "chain does not start with the commander";
  if (c[c.length - 1]?.signer !== from) return "chain does not end with its sender";
  if (c.length !== round) return `chain of ${c.length} signatures arrived in round ${round}`;
  const signers = c.map((s) => s.signer);
  if (new Set(signers).size !== signers.length) return "chain repeats a signer";
  if (signers.includes(view.self)) return "chain contains the receiver";
  for (let i = 1; i < signers.length; i++) {
    if (!view.lieutenants.includes(signers[i])) return `unknown signer "${signers[i]}"`;
  }
  if (skipVerify) return null;
  for (let i = 0; i < c.length; i++) {
    if (!ctx.verify(c[i], smSignedData(msg.value, c.slice(0, i)))) {
      return `signature ${i} (by ${c[i].signer}) does not verify`;
    }
  }
  return null;
}

/** A plain snapshot of a general. */
export interface GeneralSnapshot {
  /** Current round (1-based; depth + 2 once finished). */
  readonly round: number;
  /** OM: values received, by path key. */
  readonly received: Readonly<Record<string, Order>>;
  /** SM: the set V_i. */
  readonly values: readonly Order[];
  /** The decision, once made. */
  readonly decision: Order | undefined;
}

/**
 * A loyal general: the commander or a lieutenant of OM(m) or SM(m), by its id and the config.
 * @example
 * ```ts
 * const { sim } = createCluster<GeneralsMessage>({
 *   seed: 1, nodes: 4, factory: (ctx) => new LoyalGeneral(ctx, { n: 4, m: 1 }),
 * });
 * sim.run();
 * ```
 */
export class LoyalGeneral implements ProtocolNode<GeneralsMessage> {
  /** The configuration, defaults applied. */
  readonly config: GeneralsConfig;
  /** What this general knows of the run's structure. */
  readonly view: GeneralsView;
  #ctx: NodeContext<GeneralsMessage>;
  #round = 0;
  #received = new Map<string, Order>();
  #values = new Set<Order>();
  #relays: SmMessage[] = [];
  #decision: Order | undefined;

  /** Parameters are validated (a ConfigError names any bad field). */
  constructor(ctx: NodeContext<GeneralsMessage>, config: GeneralsConfigInput | GeneralsConfig) {
    this.#ctx = ctx;
    this.config = parseGeneralsConfig(config);
    this.view = generalsView(ctx.self, this.config);
  }

  start(): void {
    this.#round = 1;
    if (this.#ctx.self === this.view.commander) {
      this.#ctx.emit({ type: "generals-order", value: this.config.order });
    }
    this.#sendRound();
    this.#ctx.setTimer("round", this.config.roundMs);
  }

  onMessage(from: NodeId, msg: GeneralsMessage): void {
    const reason = this.#refusal(from, msg);
    if (reason !== null) {
      this.#ctx.emit({ type: "generals-reject", from, reason });
      return;
    }
    if (msg.type === "om") {
      const key = pathKey(msg.path);
      // A2: each path has one sender; a duplicate (only a traitor sends one) changes nothing.
      if (!this.#received.has(key)) this.#received.set(key, msg.value);
    } else if (msg.type === "sm") {
      // §4 step 2: add v to V_i; relay v:0:j1...jk:i when k < m and v is new.
      if (this.#values.has(msg.value)) return;
      this.#values.add(msg.value);
      if (msg.chain.length - 1 < this.view.depth) {
        const sig = this.#ctx.sign(smSignedData(msg.value, msg.chain));
        this.#relays.push({ type: "sm", value: msg.value, chain: [...msg.chain, sig] });
      }
    }
  }

  #refusal(from: NodeId, msg: GeneralsMessage): string | null {
    if (this.#decision !== undefined || this.#round > this.view.depth + 1) {
      return "after the last round";
    }
    if (msg?.type !== this.config.algorithm) {
      return `message type ${String(msg?.type)} in ${this.config.algorithm}`;
    }
    if (msg.type === "om") return omRefusal(this.view, from, msg, this.#round);
    return smRefusal(this.view, this.#ctx, from, msg, this.#round, this.config.mistakeSkipVerify);
  }

  #sendRound(): void {
    if (this.config.algorithm === "om") {
      for (const s of omOutgoing(this.view, this.#round, this.#received)) {
        this.#ctx.send(s.to, { type: "om", path: s.path, value: s.value });
      }
      return;
    }
    if (this.#round === 1) {
      if (this.#ctx.self !== this.view.commander) return;
      const value = this.config.order;
      const chain = [this.#ctx.sign(smSignedData(value, []))];
      for (const l of this.view.lieutenants) this.#ctx.send(l, { type: "sm", value, chain });
      return;
    }
    const relays = this.#relays;
    this.#relays = [];
    for (const r of relays) {
      const signers = r.chain.map((s) => s.signer);
      for (const l of this.view.lieutenants) {
        if (!signers.includes(l)) this.#ctx.send(l, r);
      }
    }
  }

  onTimer(name: string): void {
    if (name !== "round") return;
    if (this.#round <= this.view.depth) {
      this.#round++;
      this.#sendRound();
      this.#ctx.setTimer("round", this.config.roundMs);
      return;
    }
    this.#round = this.view.depth + 2;
    if (this.#ctx.self === this.view.commander) return;
    this.#decision = this.config.algorithm === "om"
      ? omDecision(this.view, this.#received)
      : smChoice(this.#values);
    this.#ctx.emit({
      type: "generals-decide",
      value: this.#decision,
      algorithm: this.config.algorithm,
    });
  }

  /** The decision, once made. */
  get decision(): Order | undefined {
    return this.#decision;
  }

  inspect(): GeneralSnapshot {
    return {
      round: this.#round,
      received: Object.fromEntries(this.#received),
      values: [...this.#values],
      decision: this.#decision,
    };
  }
}
