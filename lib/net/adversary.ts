/**
 * Ready-made adversaries for a Byzantine node's outgoing traffic (used with
 * `sim.intercept(id, ...)`), and the vocabulary for writing new ones. An adversary can drop,
 * delay, alter, duplicate, reorder, equivocate (different messages to different peers) or forge
 * messages in its own name; it cannot produce another node's signature, because signatures are
 * minted only by the simulator for the node that signs.
 * @module
 */
import type { Interceptor } from "../sim/simulation.ts";
import type { NodeId } from "../sim/types.ts";
import type { Rng } from "../sim/rng.ts";

/** Drop everything the node sends (a mute node: an omission failure). */
export function dropAll<M>(): Interceptor<M> {
  return () => {};
}

/** Drop messages for which `match` is true, pass the rest. */
export function dropWhere<M>(match: (to: NodeId, msg: M) => boolean): Interceptor<M> {
  return ({ to, msg }, net) => {
    if (!match(to, msg)) net.send(to, msg);
  };
}

/** Delay every message by `delayMs` more than the network would (a timing failure). */
export function delayAll<M>(delayMs: number): Interceptor<M> {
  return ({ to, msg }, net) => net.send(to, msg, { delayMs });
}

/** Replace each message by `alter(to, msg)` (return null to drop it). */
export function alter<M>(fn: (to: NodeId, msg: M) => M | null): Interceptor<M> {
  return ({ to, msg }, net) => {
    const m = fn(to, msg);
    if (m !== null) net.send(to, m);
  };
}

/** Send each message `copies` times. */
export function duplicate<M>(copies: number): Interceptor<M> {
  return ({ to, msg }, net) => {
    for (let i = 0; i < copies; i++) net.send(to, msg);
  };
}

/**
 * Equivocate: peers in `groupB` get `forB(msg)`, everyone else the original — the basic
 * Byzantine move of telling different nodes different things.
 */
export function equivocate<M>(groupB: readonly NodeId[], forB: (msg: M) => M): Interceptor<M> {
  const b = new Set(groupB);
  return ({ to, msg }, net) => net.send(to, b.has(to) ? forB(msg) : msg);
}

/** Drop each message with probability `ratio`, drawing from `rng` (a flaky sender). */
export function dropRandomly<M>(ratio: number, rng: Rng): Interceptor<M> {
  return ({ to, msg }, net) => {
    if (!rng.chance(ratio)) net.send(to, msg);
  };
}

/** Apply several interceptors in order: each one's output is the next one's input. */
export function chain<M>(...steps: Interceptor<M>[]): Interceptor<M> {
  return (out, net) => {
    const run = (k: number, to: NodeId, msg: M, delayMs: number) => {
      if (k === steps.length) return net.send(to, msg, { delayMs });
      steps[k]({ from: out.from, to, msg }, {
        send: (to2, m2, o) => run(k + 1, to2, m2, delayMs + (o?.delayMs ?? 0)),
      });
    };
    run(0, out.to, out.msg, 0);
  };
}
