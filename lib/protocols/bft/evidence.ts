/**
 * Signed statements, the raw material of accountability: every vote or proposal a BFT replica
 * signs says "I, signer, in this phase of this slot and round, stand for this value". Two
 * statements of one signer that no honest replica would both sign prove that signer faulty
 * (Buterin and Griffith, "Casper the Friendly Finality Gadget", 2017, §2; Sheng et al., "BFT
 * Protocol Forensics", CCS 2021, §3).
 * @module
 */
import type { NodeId, Signature } from "../../sim/types.ts";

/** One signed statement read from a message. */
export interface Statement {
  /** Who claims to have signed it (`signature.signer` must match for it to count). */
  readonly signer: NodeId;
  /** Protocol phase: "pre-prepare", "prepare", "commit", "prevote", "precommit", "proposal" ... */
  readonly phase: string;
  /** Sequence number or height. */
  readonly slot: number;
  /** View or round. */
  readonly round: number;
  /** Digest of the value it stands for ("nil" for a vote for nothing). */
  readonly digest: string;
  /** The signature. */
  readonly signature: Signature;
  /** The exact data that was signed (what `verify` is checked against). */
  readonly signed: unknown;
  /** Protocol-specific extras a forensics rule needs (e.g. Tendermint's validRound). */
  readonly extra?: Readonly<Record<string, unknown>>;
}

/** Two statements of one signer that prove it faulty, and the rule they break. */
export interface Culprit {
  /** The faulty signer. */
  readonly node: NodeId;
  /** The rule broken, e.g. "equivocation: two prepares in view 0 at seq 1". */
  readonly rule: string;
  /** The proof: statements signed by `node`. */
  readonly evidence: readonly Statement[];
}

/** Every statement observed in a run, indexed for forensics. */
export class StatementLog {
  /** Statements per slot, in the order they were first seen. */
  readonly bySlot = new Map<number, Statement[]>();
  #seen = new Set<string>();

  /** Add a verified statement (duplicates are ignored). */
  add(s: Statement): void {
    const key = `${s.signer}|${s.phase}|${s.slot}|${s.round}|${s.digest}`;
    if (this.#seen.has(key)) return;
    this.#seen.add(key);
    let l = this.bySlot.get(s.slot);
    if (!l) this.bySlot.set(s.slot, l = []);
    l.push(s);
  }

  /** Statements of `slot` (empty when none). */
  at(slot: number): readonly Statement[] {
    return this.bySlot.get(slot) ?? [];
  }
}

/**
 * Equivocation at `slot`: a signer that signed two different digests in the same phase and round.
 * One culprit per signer, with the first two conflicting statements as proof.
 */
export function equivocators(log: StatementLog, slot: number): Culprit[] {
  const first = new Map<string, Statement>();
  const out = new Map<NodeId, Culprit>();
  for (const s of log.at(slot)) {
    const key = `${s.signer}|${s.phase}|${s.round}`;
    const f = first.get(key);
    if (!f) {
      first.set(key, s);
      continue;
    }
    if (f.digest !== s.digest && !out.has(s.signer)) {
      out.set(s.signer, {
        node: s.signer,
        rule: `equivocation: two ${s.phase}s in round ${s.round} of slot ${slot}`,
        evidence: [f, s],
      });
    }
  }
  return [...out.values()];
}

/**
 * A protocol's own forensics for a conflict at `slot` between decided digests `a` and `b` (cross-
 * round rules such as a vote against one's own lock); equivocation is found generically.
 */
export type Forensics = (
  log: StatementLog,
  slot: number,
  a: string,
  b: string,
) => readonly Culprit[];
