/**
 * Traitors: a separate node class over the same messages as the loyal generals, driven by a
 * zod-validated strategy. Honest code never asks "am I faulty?"; a traitor runs the loyal
 * schedule to know what a loyal general would send, then lies, stays silent or colludes.
 *
 * In OM a traitor can send any value on any of its sends (oral messages, §3). In SM (§4) it can
 * sign anything in its own name and drop or alter what it relays, but it cannot forge another
 * general's signature: an altered relay keeps the commander's signature over the old value, so
 * a loyal receiver's `verify` fails and the message is refused.
 * @module
 */
import { z } from "zod";
import { ConfigError, parseConfig } from "../../sim/errors.ts";
import type { NodeContext, NodeId, ProtocolNode, Signature } from "../../sim/types.ts";
import { generalIds, type GeneralsConfig } from "./config.ts";
import {
  chainKey,
  flip,
  type GeneralsMessage,
  type Order,
  pathKey,
  slotKey,
  type SmMessage,
  smSignedData,
} from "./messages.ts";
import { type GeneralsView, generalsView, omOutgoing, omRefusal, smRefusal } from "./node.ts";

/** One choice of an explicit lie pattern (exhaustive mode). */
export const PatternChoiceSchema = z.enum([
  "ATTACK",
  "RETREAT",
  "silent",
  "both",
  "relay",
  "drop",
  "alter",
]);

/** A choice of an explicit lie pattern. */
export type PatternChoice = z.infer<typeof PatternChoiceSchema>;

/** A traitor's strategy (zod, discriminated on `kind`). */
export const TraitorStrategySchema = z.discriminatedUnion("kind", [
  /** Flip the value sent to each general in `victims`; tell the others the truth. */
  z.object({ kind: z.literal("lieToSome"), victims: z.array(z.string().min(1)).min(1) }).strict(),
  /** Flip every value sent. */
  z.object({ kind: z.literal("lieToAll") }).strict(),
  /** Flip the value sent to every other recipient (lieutenants at odd positions in id order). */
  z.object({ kind: z.literal("alternate") }).strict(),
  /** Send nothing at all. */
  z.object({ kind: z.literal("silent") }).strict(),
  /**
   * Colluding traitors: every traitor with this strategy tells the generals in `attack` ATTACK
   * and those in `retreat` (default: every other general) RETREAT, on every message. In SM a
   * traitor commander also hands both signed orders to its fellow traitors.
   */
  z.object({
    kind: z.literal("collude"),
    attack: z.array(z.string().min(1)),
    retreat: z.array(z.string().min(1)).optional(),
  }).strict(),
  /**
   * An explicit lie pattern, by send. OM: key `slotKey(path, to)` → ATTACK | RETREAT | silent.
   * SM commander: key `->to` → ATTACK | RETREAT | both | silent. SM lieutenant: key
   * `chainKey(value, chain)->to` → relay | drop | alter. A send without a key is made loyally.
   */
  z.object({ kind: z.literal("pattern"), choices: z.record(z.string(), PatternChoiceSchema) })
    .strict(),
]);

/** A traitor's strategy. */
export type TraitorStrategy = z.infer<typeof TraitorStrategySchema>;

/** Which general is a traitor and how it behaves. */
export const TraitorSchema = z.object({
  /** The traitor's id. */
  node: z.string().min(1),
  /** Its strategy. */
  strategy: TraitorStrategySchema,
}).strict();

/** Traitors of a run (zod). */
export const TraitorsSchema = z.array(TraitorSchema);

/** A traitor as written. */
export type TraitorSpec = z.infer<typeof TraitorSchema>;

/**
 * Validate traitors against a configuration, or throw a ConfigError naming the bad field:
 * unknown or repeated ids, more traitors than generals, unknown ids in a strategy, overlapping
 * collusion groups, pattern choices that do not fit the algorithm.
 */
export function parseTraitors(input: unknown, config: GeneralsConfig): TraitorSpec[] {
  const { traitors } = parseConfig(
    z.object({ traitors: TraitorsSchema }),
    { traitors: input ?? [] },
    "generals traitors",
  );
  const ids = generalIds(config.n);
  const issues: { path: string; message: string }[] = [];
  const known = (id: string, path: string) => {
    if (!ids.includes(id)) {
      issues.push({ path, message: `unknown general "${id}" (generals: n0..n${config.n - 1})` });
    }
  };
  if (traitors.length > config.n) {
    issues.push({
      path: "traitors",
      message: `${traitors.length} traitors but only ${config.n} generals`,
    });
  }
  const seen = new Set<string>();
  traitors.forEach((t, i) => {
    known(t.node, `traitors[${i}].node`);
    if (seen.has(t.node)) {
      issues.push({ path: `traitors[${i}].node`, message: `"${t.node}" is listed twice` });
    }
    seen.add(t.node);
    const s = t.strategy;
    const at = `traitors[${i}].strategy`;
    if (s.kind === "lieToSome") s.victims.forEach((v, j) => known(v, `${at}.victims[${j}]`));
    if (s.kind === "collude") {
      s.attack.forEach((v, j) => known(v, `${at}.attack[${j}]`));
      (s.retreat ?? []).forEach((v, j) => {
        known(v, `${at}.retreat[${j}]`);
        if (s.attack.includes(v)) {
          issues.push({ path: `${at}.retreat[${j}]`, message: `"${v}" is also in attack` });
        }
      });
    }
    if (s.kind === "pattern") {
      const allowed: readonly PatternChoice[] = config.algorithm === "om"
        ? ["ATTACK", "RETREAT", "silent"]
        : t.node === config.commander
        ? ["ATTACK", "RETREAT", "both", "silent"]
        : ["relay", "drop", "alter"];
      for (const [key, choice] of Object.entries(s.choices)) {
        const at2 = `${at}.choices.${key}`;
        if (!allowed.includes(choice)) {
          issues.push({ path: at2, message: `"${choice}" is not one of ${allowed.join(", ")}` });
        }
        for (const id of key.split(/->|>|:/).filter((x) => x.startsWith("n"))) known(id, at2);
      }
    }
  });
  if (issues.length) throw new ConfigError("generals traitors", issues);
  return traitors;
}

/** What a traitor with strategy `s` sends to `to` when a loyal general would send `value`. */
function lieFor(
  s: TraitorStrategy,
  view: GeneralsView,
  to: NodeId,
  value: Order,
): Order | null {
  switch (s.kind) {
    case "lieToSome":
      return s.victims.includes(to) ? flip(value) : value;
    case "lieToAll":
      return flip(value);
    case "alternate":
      return view.lieutenants.indexOf(to) % 2 === 1 ? flip(value) : value;
    case "silent":
      return null;
    case "collude":
      if (s.attack.includes(to)) return "ATTACK";
      if (s.retreat === undefined || s.retreat.includes(to)) return "RETREAT";
      return value;
    case "pattern":
      return value;
  }
}

/**
 * A traitor general (commander or lieutenant) of OM or SM. It keeps the loyal round schedule so
 * its messages are on time and well-formed; what it says is up to its strategy.
 */
export class TraitorGeneral implements ProtocolNode<GeneralsMessage> {
  /** What this general knows of the run's structure. */
  readonly view: GeneralsView;
  /** The strategy. */
  readonly strategy: TraitorStrategy;
  #ctx: NodeContext<GeneralsMessage>;
  #config: GeneralsConfig;
  #allies: readonly NodeId[];
  #round = 0;
  #received = new Map<string, Order>();
  #chains: SmMessage[] = [];
  #sent = 0;

  /**
   * A traitor under an already validated config (see `parseGeneralsConfig`, `parseTraitors`);
   * `allies` are the other traitors (colluders hand each other signed orders in SM).
   */
  constructor(
    ctx: NodeContext<GeneralsMessage>,
    config: GeneralsConfig,
    strategy: TraitorStrategy,
    allies: readonly NodeId[] = [],
  ) {
    this.#ctx = ctx;
    this.#config = config;
    this.strategy = strategy;
    this.#allies = allies.filter((a) => a !== ctx.self);
    this.view = generalsView(ctx.self, config);
  }

  start(): void {
    this.#round = 1;
    this.#sendRound();
    this.#ctx.setTimer("round", this.#config.roundMs);
  }

  onMessage(from: NodeId, msg: GeneralsMessage): void {
    if (msg?.type === "om" && omRefusal(this.view, from, msg, this.#round) === null) {
      const key = pathKey(msg.path);
      if (!this.#received.has(key)) this.#received.set(key, msg.value);
    } else if (
      msg?.type === "sm" && smRefusal(this.view, this.#ctx, from, msg, this.#round) === null
    ) {
      this.#chains.push(msg);
    }
  }

  onTimer(name: string): void {
    if (name !== "round" || this.#round > this.view.depth) return;
    this.#round++;
    this.#sendRound();
    this.#ctx.setTimer("round", this.#config.roundMs);
  }

  #send(to: NodeId, msg: GeneralsMessage): void {
    this.#sent++;
    this.#ctx.send(to, msg);
  }

  #sendRound(): void {
    if (this.#config.algorithm === "om") this.#omRound();
    else if (this.#round === 1) this.#smCommanderRound();
    else this.#smRelayRound();
  }

  #omRound(): void {
    const s = this.strategy;
    for (const out of omOutgoing(this.view, this.#round, this.#received)) {
      let value: Order | null;
      if (s.kind === "pattern") {
        const c = s.choices[slotKey(out.path, out.to)];
        value = c === undefined ? out.value : c === "ATTACK" || c === "RETREAT" ? c : null;
      } else {
        value = lieFor(s, this.view, out.to, out.value);
      }
      if (value !== null) this.#send(out.to, { type: "om", path: out.path, value });
    }
  }

  #smCommanderRound(): void {
    if (this.#ctx.self !== this.view.commander) return;
    const s = this.strategy;
    const honest = this.#config.order;
    for (const l of this.view.lieutenants) {
      let values: Order[];
      if (s.kind === "pattern") {
        const c = s.choices[`->${l}`];
        values = c === undefined
          ? [honest]
          : c === "both"
          ? ["ATTACK", "RETREAT"]
          : c === "ATTACK" || c === "RETREAT"
          ? [c]
          : [];
      } else if (s.kind === "collude" && this.#allies.includes(l)) {
        values = ["ATTACK", "RETREAT"];
      } else {
        const v = lieFor(s, this.view, l, honest);
        values = v === null ? [] : [v];
      }
      for (const value of values) {
        this.#send(l, { type: "sm", value, chain: [this.#ctx.sign(smSignedData(value, []))] });
      }
    }
  }

  #relay(msg: SmMessage, value: Order): SmMessage {
    // Altering keeps the others' signatures (it cannot make new ones); only its own is valid.
    const chain: Signature[] = [...msg.chain, this.#ctx.sign(smSignedData(value, msg.chain))];
    return { type: "sm", value, chain };
  }

  #smRelayRound(): void {
    if (this.#ctx.self === this.view.commander) return;
    const chains = this.#chains;
    this.#chains = [];
    const s = this.strategy;
    const firstOfValue = new Set<string>();
    for (const msg of chains) {
      // A loyal lieutenant relays a value only the first time it learns it (§4).
      const loyal = !firstOfValue.has(msg.value);
      firstOfValue.add(msg.value);
      const signers = msg.chain.map((c) => c.signer);
      for (const l of this.view.lieutenants) {
        if (l === this.#ctx.self || signers.includes(l)) continue;
        let action: "relay" | "drop" | "alter";
        if (s.kind === "pattern") {
          const c = s.choices[`${chainKey(msg.value, msg.chain)}->${l}`];
          action = c === undefined
            ? (loyal ? "relay" : "drop")
            : c === "relay" || c === "alter"
            ? c
            : "drop";
        } else if (s.kind === "collude") {
          const wanted = this.#allies.includes(l) ? msg.value : lieFor(s, this.view, l, msg.value);
          action = wanted === msg.value ? "relay" : "drop";
        } else {
          const v = lieFor(s, this.view, l, msg.value);
          action = v === null ? "drop" : v !== msg.value ? "alter" : loyal ? "relay" : "drop";
        }
        if (action === "relay") this.#send(l, this.#relay(msg, msg.value));
        if (action === "alter") this.#send(l, this.#relay(msg, flip(msg.value)));
      }
    }
  }

  inspect(): unknown {
    return {
      traitor: true,
      strategy: this.strategy,
      round: this.#round,
      sent: this.#sent,
      received: Object.fromEntries(this.#received),
    };
  }
}
