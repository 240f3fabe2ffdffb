/**
 * Accountability for PBFT: the signed statements in PBFT messages (for BftInvariants) and the
 * cross-view forensics rules (Sheng et al., "BFT Protocol Forensics", CCS 2021, §4, on PBFT).
 * @module
 */
import type { NodeId } from "../../sim/types.ts";
import { digestOf } from "../../sim/trace.ts";
import type { Culprit, Forensics, Statement, StatementLog } from "../bft/evidence.ts";
import { type PbftMessage, type PrePrepare, signedPart } from "./messages.ts";

/** Slot under which view-change and new-view statements are filed (PBFT numbers start at 1). */
export const VIEW_SLOT = 0;

function vote(m: { type: string; v: number; n: number; d: string; i: NodeId }): Statement {
  const s = m as unknown as { signature: Statement["signature"] };
  return {
    signer: m.i,
    phase: m.type.toLowerCase(),
    slot: m.n,
    round: m.v,
    digest: m.d,
    signature: s.signature,
    signed: signedPart(m),
  };
}

/**
 * The signed statements of a PBFT message: a PRE-PREPARE, PREPARE or COMMIT states (phase, n, v, d);
 * a VIEW-CHANGE states, at {@link VIEW_SLOT}, which certificates its signer holds (and its nested
 * pre-prepares and prepares are statements of their own signers); a NEW-VIEW states its O.
 */
export function pbftStatements(msg: unknown): readonly Statement[] {
  const m = msg as PbftMessage<unknown>;
  switch (m?.type) {
    case "PRE-PREPARE":
    case "PREPARE":
    case "COMMIT":
      return [vote(m)];
    case "VIEW-CHANGE": {
      const out: Statement[] = [{
        signer: m.i,
        phase: "view-change",
        slot: VIEW_SLOT,
        round: m.v,
        digest: digestOf(signedPart(m)),
        signature: m.signature,
        signed: signedPart(m),
        extra: {
          n: m.n,
          prepared: m.P.map((c) => [c.prePrepare.n, c.prePrepare.v, c.prePrepare.d]),
        },
      }];
      for (const c of m.P) {
        out.push(vote(c.prePrepare as PrePrepare<unknown>));
        for (const p of c.prepares) out.push(vote(p));
      }
      return out;
    }
    case "NEW-VIEW": {
      const out: Statement[] = [{
        signer: m.i,
        phase: "new-view",
        slot: VIEW_SLOT,
        round: m.v,
        digest: digestOf(signedPart(m)),
        signature: m.signature,
        signed: signedPart(m),
        extra: { O: m.O.map((o) => [o.n, o.d]) },
      }];
      for (const o of m.O) out.push(vote(o as PrePrepare<unknown>));
      for (const vc of m.V) out.push(...pbftStatements(vc));
      return out;
    }
    default:
      return [];
  }
}

/**
 * Cross-view rules for a conflict at `slot` (equivocation within a view is found generically):
 * 1. a replica signed COMMIT(v, n, d) — so it held a prepared certificate — and later signed a
 *    VIEW-CHANGE for a view above v, above a stable checkpoint below n, whose P has no
 *    certificate for n at a view ≥ v (§4.4: an honest replica reports every certificate);
 * 2. a replica signed COMMIT(v, n, d) and later PREPARE or COMMIT(v', n, d') with v' > v, d' ≠ d
 *    when no NEW-VIEW for v' was ever seen (an honest replica only enters v' through one).
 */
export const pbftForensics: Forensics = (log: StatementLog, slot: number) => {
  const out = new Map<NodeId, Culprit>();
  const here = log.at(slot);
  const views = log.at(VIEW_SLOT);
  for (const c of here) {
    if (c.phase !== "commit" || out.has(c.signer)) continue;
    for (const vc of views) {
      if (vc.signer !== c.signer || vc.phase !== "view-change" || vc.round <= c.round) continue;
      const x = vc.extra as { n: number; prepared: [number, number, string][] };
      if (x.n >= slot) continue;
      if (x.prepared.some(([n, v]) => n === slot && v >= c.round)) continue;
      out.set(c.signer, {
        node: c.signer,
        rule: `committed seq ${slot} in view ${c.round} but its view change for view ` +
          `${vc.round} hides the prepared certificate`,
        evidence: [c, vc],
      });
      break;
    }
    if (out.has(c.signer)) continue;
    for (const l of here) {
      if (
        l.signer !== c.signer || (l.phase !== "prepare" && l.phase !== "commit") ||
        l.round <= c.round || l.digest === c.digest
      ) continue;
      if (views.some((nv) => nv.phase === "new-view" && nv.round === l.round)) continue;
      out.set(c.signer, {
        node: c.signer,
        rule: `committed seq ${slot} in view ${c.round}, then voted for another digest in ` +
          `view ${l.round} without a NEW-VIEW`,
        evidence: [c, l],
      });
      break;
    }
  }
  return [...out.values()];
};
