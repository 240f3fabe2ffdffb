/**
 * PBFT's adversary kit: what a proposal and a vote are, how a Byzantine replica makes a
 * conflicting one, and how it forges another replica's vote (which verification must reject).
 * @module
 */
import type { NodeFactory, NodeId } from "../../sim/types.ts";
import { digestOf } from "../../sim/trace.ts";
import {
  type AdversaryKit,
  behaviourOf,
  byzantineFactory,
  type ByzantineTools,
  Coalition,
} from "../../net/adversary.ts";
import type { AdversaryResolver } from "../../net/nemesis.ts";
import { type PbftMessage, signedPart } from "./messages.ts";

/**
 * The kit: proposals are PRE-PREPARE and NEW-VIEW; votes are PREPARE, COMMIT, VIEW-CHANGE and
 * CHECKPOINT. A conflicting pre-prepare carries the same requests plus a nonce, so its digest
 * differs (the coalition records the pair); a conflicting prepare or commit names the twin digest;
 * a conflicting view change hides its prepared certificates (P = ∅, the lie §4.4's quorum
 * intersection defends against); a conflicting new view replaces O by null requests (which
 * backups detect by recomputing O).
 */
export function pbftAdversaryKit<C>(): AdversaryKit<PbftMessage<C>> {
  return {
    isProposal: (m) => m.type === "PRE-PREPARE" || m.type === "NEW-VIEW",
    isVote: (m) =>
      m.type === "PREPARE" || m.type === "COMMIT" || m.type === "VIEW-CHANGE" ||
      m.type === "CHECKPOINT",
    conflicting(m, tools: ByzantineTools<PbftMessage<C>>, coalition: Coalition) {
      switch (m.type) {
        case "PRE-PREPARE": {
          const batch = { ...m.m, nonce: `equivocation:${tools.self}:${m.v}:${m.n}` };
          const d = digestOf(batch);
          coalition.pair(m.d, d);
          const base = { type: m.type, v: m.v, n: m.n, d, i: m.i };
          return { ...base, m: batch, signature: tools.sign(signedPart(base)) };
        }
        case "PREPARE":
        case "COMMIT": {
          const d = coalition.twin.get(m.d);
          if (d === undefined) return null;
          const base = { ...m, d };
          return { ...base, signature: tools.sign(signedPart(base)) };
        }
        case "NEW-VIEW": {
          // a new view that drops every re-proposed request: backups recompute O and refuse it
          if (!m.O.some((o) => o.m.requests.length)) return null;
          const O = m.O.map((o) => {
            const batch = { requests: [] };
            const base = { type: o.type, v: o.v, n: o.n, d: digestOf(batch), i: o.i };
            return { ...base, m: batch, signature: tools.sign(signedPart(base)) };
          });
          const base = { type: m.type, v: m.v, V: m.V, O, i: m.i };
          return { ...base, signature: tools.sign(signedPart(base)) };
        }
        case "VIEW-CHANGE": {
          if (!m.P.length) return null;
          const base = { ...m, P: [] };
          return { ...base, signature: tools.sign(signedPart(base)) };
        }
        default:
          return null;
      }
    },
    forge(m, victim: NodeId) {
      if (m.type !== "PREPARE" && m.type !== "COMMIT") return null;
      // claims to be victim's vote but carries this node's signature: verification rejects it
      return { ...m, i: victim };
    },
  };
}

/**
 * The resolver `createCluster({ byzantine, adversary })` needs: every node of one adversary entry
 * shares a coalition and runs `honest` code behind the entry's strategies.
 */
export function pbftAdversary<M>(honest: NodeFactory<M>): AdversaryResolver<M> {
  const kit = pbftAdversaryKit<unknown>() as unknown as AdversaryKit<M>;
  return (entry) => {
    const coalition = new Coalition();
    return (_id) => byzantineFactory(honest, behaviourOf(entry.strategies, kit, coalition));
  };
}
