/**
 * Tendermint's adversary kit (lib/net/adversary.ts): what a proposal and a vote are, how a
 * Byzantine replica makes a conflicting one, and how it forges a vote in a victim's name.
 * @module
 */
import {
  type AdversaryKit,
  behaviourOf,
  byzantineFactory,
  Coalition,
} from "../../net/adversary.ts";
import type { AdversaryResolver } from "../../net/nemesis.ts";
import type { NodeFactory } from "../../sim/types.ts";
import { blockId, type Proposal, proposalSigned, type Vote, voteSigned } from "./messages.ts";

type Any = { type?: string };

/**
 * The kit for any message union that contains Tendermint's messages (bare or inside a KV server).
 * A conflicting proposal is the same block with a `nonce` (so id(v) differs), re-signed, with
 * validRound −1: a fresh value has no POL, so honest replicas judge it by lines 22–27. A
 * conflicting vote names the coalition's twin of its block (nil votes have none).
 */
export function tendermintKit<M>(): AdversaryKit<M> {
  return {
    isProposal: (m) => (m as Any).type === "Proposal",
    isVote: (m) => (m as Any).type === "Prevote" || (m as Any).type === "Precommit",
    conflicting(msg, tools, coalition) {
      const m = msg as unknown as Proposal | Vote;
      if (m.type === "Proposal") {
        const block = { ...m.block, nonce: `byz:${tools.self}:${m.height}:${m.round}` };
        const id = blockId(block);
        coalition.pair(blockId(m.block), id);
        const base = { height: m.height, round: m.round, validRound: -1, proposer: tools.self };
        const out: Proposal = {
          type: "Proposal",
          ...base,
          block,
          signature: tools.sign(proposalSigned(base, id)),
        };
        return out as unknown as M;
      }
      if (m.type === "Prevote" || m.type === "Precommit") {
        const twin = m.id === null ? undefined : coalition.twin.get(m.id);
        if (twin === undefined) return null;
        const base = {
          type: m.type,
          height: m.height,
          round: m.round,
          id: twin,
          validator: tools.self,
        };
        return { ...base, signature: tools.sign(voteSigned(base)) } as unknown as M;
      }
      return null;
    },
    forge(msg, victim) {
      const m = msg as unknown as Vote;
      if (m.type !== "Prevote" && m.type !== "Precommit") return null;
      // the signature stays the forger's: `verify` (and the signer check) must reject it
      return { ...m, validator: victim } as unknown as M;
    },
  };
}

/**
 * The adversary resolver for `createCluster({ byzantine, adversary })`: each entry's nodes run
 * honest code wrapped in the entry's strategies, sharing one coalition.
 */
export function tendermintAdversary<M>(honest: NodeFactory<M>): AdversaryResolver<M> {
  const kit = tendermintKit<M>();
  return (entry) => {
    const coalition = new Coalition();
    return () => byzantineFactory(honest, behaviourOf(entry.strategies, kit, coalition));
  };
}
