/**
 * Accountability for Tendermint: the signed statements in its messages, and the cross-round rule
 * of Sheng et al., "BFT Protocol Forensics" (CCS 2021, §5, Tendermint): a validator that
 * precommitted v in round r and prevoted v' ≠ v in a later round r' while no polka (2f + 1
 * prevotes) for v' was formed in a round in [r, r') broke its lock (Algorithm 1, lines 23 and 29
 * forbid it), so it is provably faulty. Equivocation (two votes of one kind in one round) is found
 * generically by BftInvariants.
 * @module
 */
import type { Culprit, Forensics, Statement, StatementLog } from "../bft/evidence.ts";
import type { NodeId } from "../../sim/types.ts";
import { blockId, proposalSigned, type TendermintMessage, voteSigned } from "./messages.ts";

/** The signed statements a message carries (proposals, votes, the precommits of a commit). */
export function statements(msg: unknown): readonly Statement[] {
  const m = msg as TendermintMessage | null;
  if (!m || typeof m !== "object") return [];
  switch (m.type) {
    case "Proposal": {
      if (!m.block) return [];
      const id = blockId(m.block);
      return [{
        signer: m.proposer,
        phase: "proposal",
        slot: m.height,
        round: m.round,
        digest: id,
        signature: m.signature,
        signed: proposalSigned(m, id),
        extra: { validRound: m.validRound },
      }];
    }
    case "Prevote":
    case "Precommit":
      return [{
        signer: m.validator,
        phase: m.type === "Prevote" ? "prevote" : "precommit",
        slot: m.height,
        round: m.round,
        digest: m.id ?? "nil",
        signature: m.signature,
        signed: voteSigned(m),
      }];
    case "Commit":
      return Array.isArray(m.precommits) ? m.precommits.flatMap((v) => statements(v)) : [];
    default:
      return [];
  }
}

/**
 * The cross-round forensics for a cluster whose polka needs `quorum` prevotes: every validator
 * that prevoted against its own earlier precommit without a polka to justify it.
 */
export function tendermintForensics(quorum: number): Forensics {
  return (log: StatementLog, slot: number): Culprit[] => {
    const all = log.at(slot);
    const prevoters = new Map<string, Set<NodeId>>(); // `${round}|${digest}` → signers
    for (const s of all) {
      if (s.phase !== "prevote") continue;
      const k = `${s.round}|${s.digest}`;
      let set = prevoters.get(k);
      if (!set) prevoters.set(k, set = new Set());
      set.add(s.signer);
    }
    const polka = (round: number, digest: string) =>
      (prevoters.get(`${round}|${digest}`)?.size ?? 0) >= quorum;
    const out = new Map<NodeId, Culprit>();
    for (const pc of all) {
      if (pc.phase !== "precommit" || pc.digest === "nil" || out.has(pc.signer)) continue;
      for (const pv of all) {
        if (
          pv.phase !== "prevote" || pv.signer !== pc.signer || pv.round <= pc.round ||
          pv.digest === "nil" || pv.digest === pc.digest
        ) continue;
        let justified = false;
        for (let r = pc.round; r < pv.round && !justified; r++) justified = polka(r, pv.digest);
        if (!justified) {
          out.set(pc.signer, {
            node: pc.signer,
            rule: `amnesia: precommitted ${pc.digest} in round ${pc.round} of height ${slot}, ` +
              `prevoted ${pv.digest} in round ${pv.round} without a polka in [${pc.round}, ${pv.round})`,
            evidence: [pc, pv],
          });
          break;
        }
      }
    }
    return [...out.values()];
  };
}
