/**
 * GRANDPA's adversary kit (lib/net/adversary.ts): a "proposal" is a producer's announcement of a
 * new block or the primary's broadcast of its estimate; a "vote" is a prevote or precommit. A
 * conflicting block is a sibling of the announced one (same parent, a marker in its payload), added
 * to the shared store and paired with the original in the coalition; a conflicting vote names the
 * coalition's twin of the deepest twinned block on the voted chain, re-signed by the traitor
 * (votes on chains without a twinned block have no conflicting version).
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
import { type BlockId, type BlockStore, NO_BLOCK } from "../../chain/store.ts";
import {
  type Blocks,
  type PrimaryPropose,
  primarySigned,
  type Vote,
  voteSigned,
} from "./messages.ts";

type Any = { type?: string; fresh?: boolean };

/** How far up the voted chain a traitor looks for a twinned block. */
const TWIN_SEARCH_DEPTH = 64;

function twinOn(store: BlockStore, coalition: Coalition, block: BlockId): BlockId | null {
  let x = block;
  for (let k = 0; k < TWIN_SEARCH_DEPTH && x !== NO_BLOCK; k++, x = store.parent(x)) {
    const t = coalition.twin.get(String(x));
    if (t !== undefined) return Number(t);
  }
  return null;
}

/** The kit for GRANDPA's messages over the run's shared `store`. */
export function grandpaKit<M>(store: BlockStore): AdversaryKit<M> {
  return {
    isProposal: (m) =>
      ((m as Any).type === "Blocks" && (m as Any).fresh === true) || (m as Any).type === "Primary",
    isVote: (m) => (m as Any).type === "Prevote" || (m as Any).type === "Precommit",
    conflicting(msg, tools, coalition) {
      const m = msg as unknown as Blocks | PrimaryPropose | Vote;
      if (m.type === "Blocks") {
        const orig = m.ids[m.ids.length - 1];
        if (orig === undefined || orig === 0) return null;
        let twin = coalition.twin.get(String(orig));
        if (twin === undefined) {
          const id = store.add({
            parent: store.parent(orig),
            producer: tools.self,
            sizeBytes: store.sizeBytes(orig),
            timeMs: store.timeMs(orig),
            payload: { twinOf: orig, by: tools.self },
          });
          coalition.pair(String(orig), String(id));
          twin = String(id);
        }
        const out: Blocks = { type: "Blocks", ids: [Number(twin)], fresh: true };
        return out as unknown as M;
      }
      if (m.type === "Primary") {
        const twin = twinOn(store, coalition, m.block);
        if (twin === null) return null;
        const base = { round: m.round, block: twin, primary: tools.self };
        const out: PrimaryPropose = {
          type: "Primary",
          ...base,
          signature: tools.sign(primarySigned(base)),
        };
        return out as unknown as M;
      }
      if (m.type === "Prevote" || m.type === "Precommit") {
        const twin = twinOn(store, coalition, m.block);
        if (twin === null) return null;
        const base = { type: m.type, round: m.round, block: twin, voter: tools.self };
        return { ...base, signature: tools.sign(voteSigned(base)) } as unknown as M;
      }
      return null;
    },
    forge(msg, victim) {
      const m = msg as unknown as Vote;
      if (m.type !== "Prevote" && m.type !== "Precommit") return null;
      // the signature stays the forger's: `verify` (and the signer check) must reject it
      return { ...m, voter: victim } as unknown as M;
    },
  };
}

/**
 * The adversary resolver for `createCluster({ byzantine, adversary })`: each entry's nodes run
 * honest code wrapped in the entry's strategies, sharing one coalition.
 */
export function grandpaAdversary<M>(
  honest: NodeFactory<M>,
  store: BlockStore,
): AdversaryResolver<M> {
  const kit = grandpaKit<M>(store);
  return (entry) => {
    const coalition = new Coalition();
    return () => byzantineFactory(honest, behaviourOf(entry.strategies, kit, coalition));
  };
}
