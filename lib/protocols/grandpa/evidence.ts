/**
 * Accountable safety for GRANDPA (Stewart and Kokoris-Kogia 2020, §4.1, Theorem 4.1): the signed
 * statements in its messages, and the challenge procedure that names at least f + 1 Byzantine
 * voters when blocks on different chains are finalised.
 *
 * Votes are per round, not per height, so every statement is filed under slot 0 (one GRANDPA
 * instance; `round` is the GRANDPA round); {@link grandpaForensics} reads them all. The paper's
 * procedure asks voters questions; here every vote any node received is in the checker's log, and
 * a voter's honest answer is a subset of those votes, so "no valid answer exists" is decided on
 * the whole log: impossibility of a supermajority is monotone in the votes seen (Lemma 2.2 (ii)),
 * so if the whole log of a round does not rule a block out, no subset an honest voter saw does.
 * @module
 */
import type { Culprit, Forensics, Statement, StatementLog } from "../bft/evidence.ts";
import type { NodeId } from "../../sim/types.ts";
import type { BlockId, BlockStore } from "../../chain/store.ts";
import { countFor, type GhostParams, possible, VoteSet } from "./ghost.ts";
import { type GrandpaMessage, primarySigned, voteSigned } from "./messages.ts";

/** The slot every GRANDPA statement is filed under. */
export const GRANDPA_SLOT = 0;

/** The signed statements a message carries (votes, the primary's block, catch-up votes). */
export function statements(msg: unknown): readonly Statement[] {
  const m = msg as GrandpaMessage | null;
  if (!m || typeof m !== "object") return [];
  switch (m.type) {
    case "Prevote":
    case "Precommit":
      return [{
        signer: m.voter,
        phase: m.type === "Prevote" ? "prevote" : "precommit",
        slot: GRANDPA_SLOT,
        round: m.round,
        digest: String(m.block),
        signature: m.signature,
        signed: voteSigned(m),
      }];
    case "Primary":
      return [{
        signer: m.primary,
        phase: "primary",
        slot: GRANDPA_SLOT,
        round: m.round,
        digest: String(m.block),
        signature: m.signature,
        signed: primarySigned(m),
      }];
    case "Votes":
      return Array.isArray(m.votes) ? m.votes.flatMap((v) => statements(v)) : [];
    case "CatchUp":
      return Array.isArray(m.prevotes) && Array.isArray(m.precommits)
        ? [...m.prevotes, ...m.precommits].flatMap((v) => statements(v))
        : [];
    default:
      return [];
  }
}

interface RoundVotes {
  readonly prevotes: VoteSet;
  readonly precommits: VoteSet;
  readonly proof: Map<string, Statement[]>; // `${phase}|${signer}` → statements
}

function roundsOf(log: StatementLog, store: BlockStore): Map<number, RoundVotes> {
  const out = new Map<number, RoundVotes>();
  for (const s of log.at(GRANDPA_SLOT)) {
    if (s.phase !== "prevote" && s.phase !== "precommit") continue;
    const b = Number(s.digest);
    if (!Number.isInteger(b) || b < 0 || b >= store.size) continue;
    let rv = out.get(s.round);
    if (!rv) {
      out.set(
        s.round,
        rv = { prevotes: new VoteSet(), precommits: new VoteSet(), proof: new Map() },
      );
    }
    (s.phase === "prevote" ? rv.prevotes : rv.precommits).add(s.signer, b);
    const k = `${s.phase}|${s.signer}`;
    const l = rv.proof.get(k);
    if (l) l.push(s);
    else rv.proof.set(k, [s]);
  }
  return out;
}

function equivocatorsIn(rv: RoundVotes, round: number): Culprit[] {
  const out: Culprit[] = [];
  for (const [k, l] of rv.proof) {
    if (l.length < 2) continue;
    const [phase, node] = k.split("|");
    out.push({
      node,
      rule: `equivocation: two ${phase}s in round ${round} (§2.3)`,
      evidence: l.slice(0, 2),
    });
  }
  return out;
}

/**
 * The challenge procedure of Theorem 4.1 for a conflict between blocks `a` and `b` (block ids as
 * strings, at the conflicting height), with n voters, f tolerated and the supermajority threshold:
 *
 * 1. find the first round in which each was finalised (precommits and prevotes of the round with a
 *    supermajority for it); if the same round, its votes hold ≥ f + 1 equivocations;
 * 2. else, with a finalised in round r and b in r' > r, walk r'' = r', ..., r + 1: the voters who
 *    voted for a block ≱ a in round r'' must show E_{r''−1} ≱ a, i.e. round r'' − 1's prevotes
 *    or precommits that make a supermajority for a impossible. If none exists, they are the
 *    culprits (they voted against a block that could have been finalised); if it exists at
 *    r'' − 1 = r, round r's votes both have and cannot have a supermajority for a, so they are
 *    unsafe: ≥ f + 1 equivocators.
 *
 * Every equivocator of any round is added (two signed votes of one kind in one round prove a
 * voter faulty).
 */
export function grandpaForensics(store: BlockStore, p: GhostParams): Forensics {
  return (log: StatementLog, _slot: number, a: string, b: string): Culprit[] => {
    const rounds = roundsOf(log, store);
    const out = new Map<NodeId, Culprit>();
    const add = (c: Culprit) => out.has(c.node) || out.set(c.node, c);
    const A = Number(a), B = Number(b);
    const finalisedIn = (x: BlockId): number => {
      let best = Infinity;
      for (const [r, rv] of rounds) {
        if (
          r < best && countFor(rv.precommits, store, x) >= p.threshold &&
          countFor(rv.prevotes, store, x) >= p.threshold
        ) best = r;
      }
      return best;
    };
    if (Number.isInteger(A) && Number.isInteger(B) && A < store.size && B < store.size) {
      const ra = finalisedIn(A), rb = finalisedIn(B);
      if (Number.isFinite(ra) && Number.isFinite(rb) && ra !== rb) {
        const [x, rx, ry] = ra < rb ? [A, ra, rb] : [B, rb, ra];
        for (let r2 = ry; r2 > rx; r2--) {
          const rv = rounds.get(r2);
          const prev = rounds.get(r2 - 1);
          const ruledOut = prev !== undefined &&
            (!possible(prev.prevotes, store, x, p) || !possible(prev.precommits, store, x, p));
          if (ruledOut) continue;
          // no valid answer: everyone who voted ≱ x in round r2 is to blame
          for (const [k, l] of rv?.proof ?? []) {
            const bad = l.find((s) => !store.isAncestor(x, Number(s.digest)));
            if (!bad) continue;
            add({
              node: k.split("|")[1],
              rule: `voted ${bad.digest} ≱ ${x} in round ${r2} though round ${r2 - 1}'s votes ` +
                `do not rule out ${x}, finalised in round ${rx} (Theorem 4.1: no valid answer)`,
              evidence: [bad],
            });
          }
          break;
        }
      }
    }
    for (const [r, rv] of [...rounds].sort((x, y) => x[0] - y[0])) {
      for (const c of equivocatorsIn(rv, r)) add(c);
    }
    return [...out.values()];
  };
}
