/**
 * The interactive consistency conditions of the Byzantine generals problem (§1):
 * IC1: all loyal lieutenants obey the same order; IC2: if the commander is loyal, every loyal
 * lieutenant obeys the order it sends. The checker answers with a witness: who decided what.
 * @module
 */
import type { EmittedEvent } from "../../sim/simulation.ts";
import type { NodeId } from "../../sim/types.ts";
import type { Order } from "./messages.ts";

/** What the checker needs to know about a run. */
export interface GeneralsOutcome {
  /** The commander. */
  readonly commander: NodeId;
  /** Traitors (commander or lieutenants). */
  readonly traitors: readonly NodeId[];
  /** The order the commander sends when loyal. */
  readonly order: Order;
  /** Every lieutenant (loyal or not). */
  readonly lieutenants: readonly NodeId[];
  /** Each loyal lieutenant's decision (undefined: it never decided). */
  readonly decisions: Readonly<Record<NodeId, Order | undefined>>;
}

/** The verdict on one condition. */
export interface ConditionVerdict {
  /** Whether the condition holds. */
  readonly holds: boolean;
  /** Why, in words, naming the lieutenants involved. */
  readonly detail: string;
}

/** The checker's answer: both conditions, and who decided what. */
export interface GeneralsVerdict {
  /** IC1 and IC2 both hold. */
  readonly ok: boolean;
  /** IC1: all loyal lieutenants obey the same order. */
  readonly ic1: ConditionVerdict;
  /** IC2: a loyal commander's order is obeyed by every loyal lieutenant (vacuous otherwise). */
  readonly ic2: ConditionVerdict;
  /** The witness: loyal lieutenants by what they decided. */
  readonly witness: {
    readonly attack: readonly NodeId[];
    readonly retreat: readonly NodeId[];
    readonly undecided: readonly NodeId[];
  };
  /** One line: verdict and witness. */
  readonly description: string;
}

/**
 * Check IC1 and IC2.
 * @example
 * ```ts
 * const v = checkInteractiveConsistency({
 *   commander: "n0", traitors: ["n0"], order: "ATTACK", lieutenants: ["n1", "n2"],
 *   decisions: { n1: "ATTACK", n2: "RETREAT" },
 * });
 * v.ic1.holds; // false
 * ```
 */
export function checkInteractiveConsistency(o: GeneralsOutcome): GeneralsVerdict {
  const loyal = o.lieutenants.filter((l) => !o.traitors.includes(l));
  const attack = loyal.filter((l) => o.decisions[l] === "ATTACK");
  const retreat = loyal.filter((l) => o.decisions[l] === "RETREAT");
  const undecided = loyal.filter((l) => o.decisions[l] === undefined);
  const names = (xs: readonly NodeId[]) => (xs.length ? xs.join(", ") : "none");
  const split = `ATTACK: ${names(attack)}; RETREAT: ${names(retreat)}` +
    (undecided.length ? `; undecided: ${names(undecided)}` : "");
  const ic1Holds = undecided.length === 0 && (attack.length === 0 || retreat.length === 0);
  const ic1: ConditionVerdict = {
    holds: ic1Holds,
    detail: ic1Holds
      ? `all ${loyal.length} loyal lieutenants obey ${attack.length ? "ATTACK" : "RETREAT"}`
      : `loyal lieutenants disagree (${split})`,
  };
  const commanderLoyal = !o.traitors.includes(o.commander);
  let ic2: ConditionVerdict;
  if (!commanderLoyal) {
    ic2 = { holds: true, detail: `vacuous: the commander ${o.commander} is a traitor` };
  } else {
    const disobey = loyal.filter((l) => o.decisions[l] !== o.order);
    ic2 = disobey.length === 0
      ? { holds: true, detail: `every loyal lieutenant obeys the loyal commander's ${o.order}` }
      : {
        holds: false,
        detail: `loyal commander ${o.commander} ordered ${o.order} but ${disobey.join(", ")} ${
          disobey.length === 1 ? "does" : "do"
        } not obey (${split})`,
      };
  }
  const ok = ic1.holds && ic2.holds;
  const traitors = o.traitors.length ? o.traitors.join(", ") : "none";
  return {
    ok,
    ic1,
    ic2,
    witness: { attack, retreat, undecided },
    description: `${ok ? "IC1 and IC2 hold" : "violated"}: ` +
      `${!ic1.holds ? `IC1 (${ic1.detail})` : ""}${!ic1.holds && !ic2.holds ? "; " : ""}${
        !ic2.holds ? `IC2 (${ic2.detail})` : ""
      }${ok ? split : ""} [traitors: ${traitors}]`,
  };
}

/** Each lieutenant's decision, read from a run's `generals-decide` events (the first one counts). */
export function decisionsFromEvents(
  events: readonly EmittedEvent[],
): Record<NodeId, Order | undefined> {
  const out: Record<NodeId, Order | undefined> = {};
  for (const e of events) {
    if (e.event.type === "generals-decide" && out[e.node] === undefined) {
      out[e.node] = e.event.value as Order;
    }
  }
  return out;
}
