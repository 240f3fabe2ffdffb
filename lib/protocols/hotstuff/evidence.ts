/**
 * Accountability for HotStuff: the signed statements its messages carry (proposals, votes, the
 * votes inside every QC, NEW-VIEW). Culprits are found by equivocation only (two votes of one
 * phase and view for different nodes at one height, found generically by BftInvariants). Sheng et
 * al., "BFT Protocol Forensics" (CCS 2021) characterise HotStuff's forensic support and show it
 * depends on minor variants of what a vote or proposal carries (e.g. the justify's view), which
 * decide whether a replica that voted against its lock in a later view can be proven faulty;
 * that cross-view rule is NOT implemented here (equivocation only), so a breach caused by honest
 * replicas with a mistake flag may name fewer than f + 1 culprits.
 * @module
 */
import type { Forensics, Statement } from "../bft/evidence.ts";
import {
  type HotStuffMessage,
  nodeDigest,
  proposalSigned,
  type QC,
  qcVotes,
  voteSigned,
} from "./messages.ts";

function qcStatements(qc: QC | undefined): Statement[] {
  if (!qc || !Array.isArray(qc.sigs) || qc.sigs.length === 0) return [];
  return qcVotes(qc).map((v) => ({
    signer: v.signer,
    phase: qc.phase,
    slot: qc.height,
    round: qc.viewNumber,
    digest: qc.node,
    signature: v.signature,
    signed: v.signed,
  }));
}

/** The signed statements a message carries (slot = node height, round = view). */
export function statements(msg: unknown): readonly Statement[] {
  const m = msg as HotStuffMessage | null;
  if (!m || typeof m !== "object") return [];
  switch (m.type) {
    case "prepare":
    case "generic": {
      if (!m.node || typeof m.node !== "object") return [];
      const d = nodeDigest(m.node);
      return [{
        signer: m.leader,
        phase: `proposal-${m.type}`,
        slot: m.node.height,
        round: m.viewNumber,
        digest: d,
        signature: m.signature,
        signed: proposalSigned(m, d, m.node.height),
      }, ...qcStatements(m.node.justify)];
    }
    case "vote":
      return [{
        signer: m.replica,
        phase: m.phase,
        slot: m.height,
        round: m.viewNumber,
        digest: m.node,
        signature: m.partialSig,
        signed: voteSigned(m),
      }];
    case "pre-commit":
    case "commit":
    case "decide":
    case "new-view":
      return qcStatements(m.justify);
    case "blocks":
      return Array.isArray(m.blocks) ? m.blocks.flatMap((b) => qcStatements(b?.justify)) : [];
    default:
      return [];
  }
}

/** HotStuff's cross-view forensics: none beyond equivocation (see the module comment). */
export const hotstuffForensics: Forensics = () => [];
