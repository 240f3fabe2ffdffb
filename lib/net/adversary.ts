/**
 * Ready-made adversaries for a Byzantine node's outgoing traffic (used with
 * `sim.intercept(id, ...)`), and the vocabulary for writing new ones. An adversary can drop,
 * delay, alter, duplicate, reorder, equivocate (different messages to different peers) or forge
 * messages in its own name; it cannot produce another node's signature, because signatures are
 * minted only by the simulator for the node that signs.
 * @module
 */
import { z } from "zod";
import type { Interceptor } from "../sim/simulation.ts";
import type { NodeContext, NodeFactory, NodeId, ProtocolNode, Signature } from "../sim/types.ts";
import type { Rng } from "../sim/rng.ts";
import { ConfigError, parseConfig } from "../sim/errors.ts";
import { defineLive } from "../sim/live.ts";

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

// ---- Byzantine nodes with keys: wrappers around honest code --------------------------------------

/**
 * What a Byzantine behaviour may use: the node's own identity, key, clock and random stream, and a
 * raw send with extra delay. It holds no other node's key, so `sign` only ever signs as `self`.
 */
export interface ByzantineTools<M> {
  /** The Byzantine node's id. */
  readonly self: NodeId;
  /** Every other server. */
  readonly peers: readonly NodeId[];
  /** The node's local clock (ms). */
  nowMs(): number;
  /** The node's own random stream. */
  readonly rng: Rng;
  /** Sign as this node (and only as this node). */
  sign(data: unknown): Signature;
  /** Verify any signature, as an honest node would. */
  verify(signature: Signature, data: unknown): boolean;
  /** Send for real, `delayMs` later than the network would deliver it. */
  send(to: NodeId, msg: M, options?: { delayMs?: number }): void;
}

/**
 * A Byzantine behaviour: sees each message the wrapped honest code tries to send and decides what
 * really goes out through `tools.send` (nothing, the message, altered or re-signed versions,
 * copies, delays). Unlike an {@link Interceptor} it can sign in the node's own name.
 */
export type Behaviour<M> = (
  out: { readonly to: NodeId; readonly msg: M },
  tools: ByzantineTools<M>,
) => void;

/**
 * A node factory that runs `honest` code over a context whose sends pass through `behaviour`: the
 * usual way to build a Byzantine node (STYLE.md: honest code never asks "am I faulty?"). Use it
 * with `sim.replace(id, ...)` or with `createCluster({ byzantine })` so the node is marked
 * Byzantine for the checkers.
 * @example
 * ```ts
 * const liar = byzantineFactory(honestFactory, (out, t) => t.send(out.to, out.msg, { delayMs: 50 }));
 * ```
 */
export function byzantineFactory<M>(
  honest: NodeFactory<M>,
  behaviour: Behaviour<M>,
): NodeFactory<M> {
  return (ctx) => {
    // a delayed send waits on a timer of the node's own (lost on a crash, like any volatile state)
    let delayed = 0;
    const pending = new Map<string, { to: NodeId; msg: M }>();
    // peers read live, through a shared getter (see lib/sim/live.ts)
    const tools: Omit<ByzantineTools<M>, "peers"> = {
      self: ctx.self,
      nowMs: () => ctx.nowMs(),
      rng: ctx.rng,
      sign: (d) => ctx.sign(d),
      verify: (s, d) => ctx.verify(s, d),
      send: (to, msg, o) => {
        const d = o?.delayMs ?? 0;
        if (d <= 0) return ctx.send(to, msg);
        const name = `byz:send:${delayed++}`;
        pending.set(name, { to, msg });
        ctx.setTimer(name, d);
      },
    };
    // every field of the honest context, peers read live (not the spread's copy)
    const { peers: _peers, ...fields } = ctx;
    const wrapped: Omit<NodeContext<M>, "peers"> = {
      ...fields,
      self: ctx.self,
      rng: ctx.rng,
      storage: ctx.storage,
      nowMs: () => ctx.nowMs(),
      setTimer: (n, ms) => ctx.setTimer(n, ms),
      cancelTimer: (n) => ctx.cancelTimer(n),
      emit: (e) => ctx.emit(e),
      sign: (d) => ctx.sign(d),
      verify: (s, d) => ctx.verify(s, d),
      send: (to, msg) => behaviour({ to, msg }, liveTools),
    };
    const liveTools: ByzantineTools<M> = defineLive(tools, { peers: () => ctx.peers });
    const node = honest(defineLive(wrapped, { peers: () => ctx.peers }));
    return {
      start: node.start ? () => node.start!() : undefined,
      onMessage: (from, msg) => node.onMessage(from, msg),
      onTimer: (name) => {
        const p = pending.get(name);
        if (p) {
          pending.delete(name);
          return ctx.send(p.to, p.msg);
        }
        node.onTimer?.(name);
      },
      inspect: () => node.inspect?.(),
      /** The wrapped honest object (for inspection). */
      inner: node,
    } as ProtocolNode<M> & { inner: ProtocolNode<M> };
  };
}

// ---- Strategies: zod-validated configs a nemesis schedule or a cluster option can name ----------

const NodeName = z.string().min(1);

/**
 * One Byzantine strategy, as data. What a "proposal" and a "vote" are, and how a conflicting
 * version of one is made, is protocol-specific: see {@link AdversaryKit}.
 */
export const StrategySchema = z.discriminatedUnion("kind", [
  /**
   * Tell different nodes different things: peers in `groupB` (default: the upper half of the
   * peers, in id order) get a conflicting version of every proposal and vote, signed by this node;
   * the rest get the original. Coalition members with the same `groupB` equivocate consistently.
   */
  z.object({ kind: z.literal("equivocate"), groupB: z.array(NodeName).optional() }).strict(),
  /** Send nothing at all (a mute node). */
  z.object({ kind: z.literal("silent") }).strict(),
  /** Delay every message to `towards` (default everyone) by `delayMs` more. */
  z.object({
    kind: z.literal("delay"),
    delayMs: z.number().min(0),
    towards: z.array(NodeName).optional(),
  }).strict(),
  /** Withhold votes (send no vote) to `towards` (default everyone); proposals still go out. */
  z.object({ kind: z.literal("withholdVotes"), towards: z.array(NodeName).optional() }).strict(),
  /** Also send every message again `afterMs` later: a replay of stale messages. */
  z.object({ kind: z.literal("replay"), afterMs: z.number().min(0) }).strict(),
  /**
   * Also send, for every vote, a forged copy that claims to come from `victim` (with a signature
   * this node cannot really make: `verify` must reject it).
   */
  z.object({ kind: z.literal("impersonate"), victim: NodeName }).strict(),
]);

/** A strategy as written. */
export type StrategyInput = z.input<typeof StrategySchema>;
/** A strategy with defaults applied. */
export type Strategy = z.output<typeof StrategySchema>;

/** Byzantine nodes and what they do; several nodes with one entry form a coalition. */
export const AdversarySchema = z.object({
  /** The Byzantine nodes (a coalition when more than one). */
  nodes: z.array(NodeName).min(1),
  /** Their behaviour, applied in order (each strategy's output feeds the next). */
  strategies: z.array(StrategySchema).min(1),
  /** When they turn (true time, ms); before, they run honest code. Default 0. */
  fromMs: z.number().min(0).default(0),
}).strict();

/** Adversaries as written. */
export type AdversaryInput = z.input<typeof AdversarySchema>;
/** Adversaries with defaults applied. */
export type Adversary = z.output<typeof AdversarySchema>;

/**
 * Parse a list of adversaries against the cluster's node ids: unknown nodes, a node listed twice,
 * more traitors than nodes, negative delays are refused with a ConfigError naming the field.
 */
export function parseAdversaries(input: unknown, ids: readonly NodeId[]): Adversary[] {
  const list = parseConfig(z.array(AdversarySchema), input ?? [], "adversaries");
  const issues: { path: string; message: string }[] = [];
  const known = new Set(ids);
  const seen = new Set<NodeId>();
  const unknown = (path: string, id: NodeId) =>
    issues.push({ path, message: `unknown node "${id}" (nodes: ${ids.join(", ")})` });
  list.forEach((a, i) => {
    a.nodes.forEach((id, j) => {
      if (!known.has(id)) unknown(`[${i}].nodes[${j}]`, id);
      else if (seen.has(id)) {
        issues.push({ path: `[${i}].nodes[${j}]`, message: `node "${id}" is listed twice` });
      }
      seen.add(id);
    });
    a.strategies.forEach((s, j) => {
      const p = `[${i}].strategies[${j}]`;
      if (s.kind === "equivocate") {
        s.groupB?.forEach((id, k) => known.has(id) || unknown(`${p}.groupB[${k}]`, id));
      }
      if (s.kind === "delay" || s.kind === "withholdVotes") {
        s.towards?.forEach((id, k) => known.has(id) || unknown(`${p}.towards[${k}]`, id));
      }
      if (s.kind === "impersonate" && !known.has(s.victim)) unknown(`${p}.victim`, s.victim);
    });
  });
  const listed = list.reduce((k, a) => k + a.nodes.length, 0);
  if (listed > ids.length) {
    issues.push({ path: "", message: `${listed} traitors but only ${ids.length} nodes` });
  }
  if (issues.length) throw new ConfigError("adversaries", issues);
  return list;
}

/**
 * What a protocol tells the generic strategies about its messages. Each BFT protocol has one in
 * its `byzantine.ts`.
 */
export interface AdversaryKit<M> {
  /** Whether `msg` proposes a value (pre-prepare, proposal, new view ...). */
  isProposal(msg: M): boolean;
  /** Whether `msg` is a vote (prepare, commit, prevote, precommit, view change ...). */
  isVote(msg: M): boolean;
  /**
   * A conflicting version of a proposal or vote, signed by `tools.self`, or null when the message
   * has none. Proposals get a fresh conflicting value recorded in `coalition`; votes are switched
   * to the coalition's conflicting value for the one they name (so colluders agree on the split).
   */
  conflicting(msg: M, tools: ByzantineTools<M>, coalition: Coalition): M | null;
  /** A copy of a vote that claims to come from `victim` (its signature cannot be valid), or null. */
  forge(msg: M, victim: NodeId): M | null;
}

/** State shared by colluding Byzantine nodes: the conflicting twin of each value they split on. */
export class Coalition {
  /** value digest → its conflicting twin (both directions are recorded). */
  readonly twin = new Map<string, string>();
  /** Record that `a` and `b` are the two sides of one equivocation. */
  pair(a: string, b: string): void {
    this.twin.set(a, b);
    this.twin.set(b, a);
  }
}

/**
 * Compose strategies into one behaviour for `self` (each strategy's output feeds the next).
 * `coalition` is shared by every member of one adversary entry.
 */
export function behaviourOf<M>(
  strategies: readonly Strategy[],
  kit: AdversaryKit<M>,
  coalition: Coalition,
): Behaviour<M> {
  const steps: Behaviour<M>[] = strategies.map((s) => strategyStep(s, kit, coalition));
  return (out, tools) => {
    const run = (k: number, to: NodeId, msg: M, delayMs: number) => {
      if (k === steps.length) return tools.send(to, msg, { delayMs });
      steps[k]({ to, msg }, {
        ...tools,
        send: (to2, m2, o) => run(k + 1, to2, m2, delayMs + (o?.delayMs ?? 0)),
      });
    };
    run(0, out.to, out.msg, 0);
  };
}

function strategyStep<M>(s: Strategy, kit: AdversaryKit<M>, coalition: Coalition): Behaviour<M> {
  switch (s.kind) {
    case "silent":
      return () => {};
    case "delay": {
      const to = s.towards ? new Set(s.towards) : undefined;
      return (o, t) => t.send(o.to, o.msg, { delayMs: !to || to.has(o.to) ? s.delayMs : 0 });
    }
    case "withholdVotes": {
      const to = s.towards ? new Set(s.towards) : undefined;
      return (o, t) => {
        if (kit.isVote(o.msg) && (!to || to.has(o.to))) return;
        t.send(o.to, o.msg);
      };
    }
    case "replay":
      return (o, t) => {
        t.send(o.to, o.msg);
        t.send(o.to, o.msg, { delayMs: s.afterMs });
      };
    case "impersonate":
      return (o, t) => {
        t.send(o.to, o.msg);
        if (!kit.isVote(o.msg)) return;
        const forged = kit.forge(o.msg, s.victim);
        if (forged !== null) t.send(o.to, forged);
      };
    case "equivocate": {
      let groupB: Set<NodeId> | undefined = s.groupB ? new Set(s.groupB) : undefined;
      return (o, t) => {
        if (!groupB) {
          const all = [...t.peers, t.self].sort();
          groupB = new Set(all.slice(Math.ceil(all.length / 2)));
        }
        if (!groupB.has(o.to) || !(kit.isProposal(o.msg) || kit.isVote(o.msg))) {
          return t.send(o.to, o.msg);
        }
        const alt = kit.conflicting(o.msg, t, coalition);
        t.send(o.to, alt ?? o.msg);
      };
    }
  }
}
