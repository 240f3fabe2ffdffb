/**
 * The reference single-shot Byzantine agreement of notebook 10 (the exercise), and the wire format
 * every learner implementation shares with it. It is the normal case of PBFT for one request
 * (Castro and Liskov, "Practical Byzantine Fault Tolerance", OSDI 1999, §4.2) with the view fixed
 * at 0 and the sequence number fixed at 1: a designated leader signs one proposal (PBFT's
 * pre-prepare), every replica signs a prepare for the first valid proposal it sees, a replica that
 * collects a quorum of prepares for a digest signs a commit for it, and a quorum of commits
 * decides. Departure from the paper: there is no view change, so a faulty leader may leave the
 * replicas undecided (this is Byzantine *consistent* agreement with a designated sender: safety
 * always, liveness only while the leader is honest); and every replica re-sends its own signed
 * messages every `resendMs` instead of PBFT's retransmission by clients, so that losses and
 * partitions heal.
 *
 * The message format is fixed (a learner's node must speak it) because the battery's adversaries
 * run the learner's own code and rewrite its messages: to equivocate they must know what a
 * proposal and a vote look like.
 * @module
 */
import type { NodeContext, NodeId, ProtocolNode, Signature } from "../../sim/types.ts";
import { digestOf } from "../../sim/trace.ts";
import {
  type AdversaryKit,
  behaviourOf,
  byzantineFactory,
  type ByzantineTools,
  Coalition,
} from "../../net/adversary.ts";
import type { AdversaryResolver } from "../../net/nemesis.ts";
import { bftSize } from "./config.ts";
import { decideEvent } from "./events.ts";
import type { Statement } from "./evidence.ts";

/** The leader's signed proposal of `value` (PBFT's pre-prepare, view 0, sequence number 1). */
export interface BaPropose {
  /** Message kind. */
  readonly type: "propose";
  /** The leader that signs it. */
  readonly leader: NodeId;
  /** The proposed value. */
  readonly value: string;
  /** D(value) = `digestOf(value)`. */
  readonly digest: string;
  /** The leader's signature over `signedData("propose", digest)`. */
  readonly sig: Signature;
}

/** A replica's signed vote for a digest: a prepare or a commit (PBFT §4.2). */
export interface BaVote {
  /** Message kind: "prepare" (first phase) or "commit" (second phase). */
  readonly type: "prepare" | "commit";
  /** The replica that signs it (never trust `from`: check the signature's signer). */
  readonly replica: NodeId;
  /** The digest voted for. */
  readonly digest: string;
  /** The replica's signature over `signedData(type, digest)`. */
  readonly sig: Signature;
}

/** Every message of the single-shot agreement. */
export type BaMessage = BaPropose | BaVote;

/** Exactly what a proposal or a vote signs: its kind and the digest (slot 1, view 0 implied). */
export function signedData(type: BaMessage["type"], digest: string): unknown {
  return { t: type, slot: 1, view: 0, digest };
}

/** What the battery tells a learner's node about its cluster. */
export interface BaConfig {
  /** Replicas. */
  readonly n: number;
  /** Byzantine replicas to tolerate (n ≥ 3f + 1 in the battery's defend scenarios). */
  readonly f: number;
  /** The designated leader (proposer). */
  readonly leader: NodeId;
  /**
   * The value this node proposes if it is the leader. It can differ after a restart: persist
   * what you proposed (a leader that signs a second proposal is an equivocator).
   */
  readonly input: string;
}

/** Builds a learner's node from its context and config (at start and after every restart). */
export type MakeBaNode = (ctx: NodeContext<BaMessage>, config: BaConfig) => ProtocolNode<BaMessage>;

/** Options of the reference node, the classic mistakes included (off by default). */
export interface ReferenceBaOptions {
  /** Quorum override (default ⌈(n + f + 1)/2⌉ = 2f + 1 at n = 3f + 1); see `bftSize`. */
  readonly quorum?: number;
  /** Allow n < 3f + 1 or an unsafe quorum (the n = 3f attack). */
  readonly allowUnsafe?: boolean;
  /**
   * First re-send period of the node's own signed messages (ms); it doubles after each re-send up
   * to 8× (exponential back-off keeps the traffic of a long run small). Default 50.
   */
  readonly resendMs?: number;
  /**
   * Mistake: quorums of 2f instead of 2f + 1. Two quorums of 2f among 3f + 1 replicas may share
   * f − 1 ≥ 0 replicas, all Byzantine: an equivocating leader gets both sides decided (§4.2's
   * argument that prepared certificates intersect in an honest replica needs 2f + 1).
   */
  readonly mistakeQuorum2f?: boolean;
  /**
   * Mistake: count votes and proposals without verifying their signatures (and without checking
   * that the signer is the replica the message names). One traitor forges a quorum (§2: the
   * system model assumes faulty replicas cannot forge honest replicas' signatures, and the
   * protocol is safe only because replicas check them).
   */
  readonly mistakeSkipVerify?: boolean;
  /**
   * Mistake: prepare (and commit) every valid proposal seen, not only the first. An honest replica
   * that signs two conflicting votes is indistinguishable from a Byzantine one (it would be
   * slashed), and an equivocating leader gets quorums on both values (§4.2: a replica accepts a
   * pre-prepare only if it has not accepted another for the same view and sequence number).
   */
  readonly mistakeVoteTwice?: boolean;
}

/** The classic-mistake flags of the reference. */
export const BA_MISTAKES = ["mistakeQuorum2f", "mistakeSkipVerify", "mistakeVoteTwice"] as const;

/** A classic-mistake flag. */
export type BaMistake = typeof BA_MISTAKES[number];

/** The reference replica (see the module doc). State that must survive a crash is in storage. */
export class ReferenceBaNode implements ProtocolNode<BaMessage> {
  readonly #ctx: NodeContext<BaMessage>;
  readonly #cfg: BaConfig;
  readonly #o: ReferenceBaOptions;
  /** The quorum this replica counts to. */
  readonly quorum: number;
  #prepares = new Map<string, Set<NodeId>>();
  #commits = new Map<string, Set<NodeId>>();
  /** The node's own signed messages, re-sent with back-off. */
  #mine: BaMessage[] = [];
  #backoff = 1;

  /** A replica over `ctx` (rebuilt from `ctx.storage` after a restart). */
  constructor(ctx: NodeContext<BaMessage>, config: BaConfig, options: ReferenceBaOptions = {}) {
    this.#ctx = ctx;
    this.#cfg = config;
    this.#o = options;
    this.quorum = options.mistakeQuorum2f ? 2 * config.f : bftSize(config.n, {
      f: config.f,
      quorum: options.quorum,
      allowUnsafe: options.allowUnsafe ?? false,
    }).quorum;
    this.#mine = [...(ctx.storage.get<BaMessage[]>("mine") ?? [])];
  }

  #all(): NodeId[] {
    return [this.#ctx.self, ...this.#ctx.peers];
  }

  #broadcast(m: BaMessage): void {
    for (const p of this.#all()) this.#ctx.send(p, m);
  }

  /** Sign, persist (before sending: a restart must not sign anything else), send. */
  #sign(m: BaMessage): void {
    this.#mine.push(m);
    this.#ctx.storage.set("mine", this.#mine);
    this.#broadcast(m);
  }

  #voted(type: "prepare" | "commit"): BaVote[] {
    return this.#mine.filter((m): m is BaVote => m.type === type);
  }

  start(): void {
    const c = this.#ctx;
    if (c.self === this.#cfg.leader && !this.#mine.some((m) => m.type === "propose")) {
      // §4.2: the primary assigns sequence number 1 and multicasts a signed pre-prepare
      const digest = digestOf(this.#cfg.input);
      this.#sign({
        type: "propose",
        leader: c.self,
        value: this.#cfg.input,
        digest,
        sig: c.sign(signedData("propose", digest)),
      });
    } else {
      for (const m of this.#mine) this.#broadcast(m);
    }
    c.setTimer("resend", this.#o.resendMs ?? 50);
  }

  onTimer(name: string): void {
    if (name !== "resend") return;
    for (const m of this.#mine) this.#broadcast(m);
    this.#backoff = Math.min(8, this.#backoff * 2);
    this.#ctx.setTimer("resend", (this.#o.resendMs ?? 50) * this.#backoff);
  }

  #valid(m: BaMessage): boolean {
    if (this.#o.mistakeSkipVerify) return true;
    const signer = m.type === "propose" ? m.leader : m.replica;
    // never trust a claimed identity: the signature must be the named replica's own
    return m.sig?.signer === signer && this.#ctx.verify(m.sig, signedData(m.type, m.digest));
  }

  onMessage(_from: NodeId, m: BaMessage): void {
    if (!this.#valid(m)) return;
    if (m.type === "propose") {
      // §4.2: accept a pre-prepare signed by the primary, whose digest is the value's, and only if
      // no other was accepted for this view and sequence number
      if (m.leader !== this.#cfg.leader || digestOf(m.value) !== m.digest) return;
      const prepared = this.#voted("prepare");
      if (prepared.length && !this.#o.mistakeVoteTwice) return;
      if (prepared.some((v) => v.digest === m.digest)) return;
      this.#vote("prepare", m.digest);
      return;
    }
    const book = m.type === "prepare" ? this.#prepares : this.#commits;
    let s = book.get(m.digest);
    if (!s) book.set(m.digest, s = new Set());
    s.add(m.replica);
    if (s.size < this.quorum) return;
    if (m.type === "prepare") {
      // prepared: a quorum of prepares for the digest; multicast a commit for it (once)
      const committed = this.#voted("commit");
      if (committed.some((v) => v.digest === m.digest)) return;
      if (committed.length && !this.#o.mistakeVoteTwice) return;
      this.#vote("commit", m.digest);
    } else if (this.#ctx.storage.get<string>("decided") === undefined) {
      // committed-local: a quorum of commits; decide (and remember it across restarts)
      this.#ctx.storage.set("decided", m.digest);
      this.#ctx.emit(decideEvent(1, m.digest, [], 0));
    }
  }

  #vote(type: "prepare" | "commit", digest: string): void {
    const c = this.#ctx;
    this.#sign({ type, replica: c.self, digest, sig: c.sign(signedData(type, digest)) });
  }

  inspect(): unknown {
    return {
      quorum: this.quorum,
      mine: this.#mine.map((m) => `${m.type} ${m.digest}`),
      decided: this.#ctx.storage.get<string>("decided") ?? null,
    };
  }
}

/**
 * The reference as a `MakeBaNode`, with its options and mistake flags.
 * @example
 * ```ts
 * bftBattery(referenceBa({ mistakeQuorum2f: true }), { seeds: 10 });
 * ```
 */
export function referenceBa(options: ReferenceBaOptions = {}): MakeBaNode {
  return (ctx, config) => new ReferenceBaNode(ctx, config, options);
}

// ---- the adversary kit for the shared wire format -------------------------------------------

/**
 * A conflicting proposal: the value with a marker appended (so its digest differs), signed by the
 * traitor (a valid signature only when the traitor is the leader).
 */
export function conflictingProposal(
  m: BaPropose,
  tools: Pick<ByzantineTools<BaMessage>, "sign">,
  marker = "'",
): BaPropose {
  const value = m.value + marker;
  const digest = digestOf(value);
  return { ...m, value, digest, sig: tools.sign(signedData("propose", digest)) };
}

/** The same vote for another digest, re-signed by the traitor. */
export function switchVote(
  m: BaVote,
  digest: string,
  tools: Pick<ByzantineTools<BaMessage>, "sign">,
): BaVote {
  return { ...m, digest, sig: tools.sign(signedData(m.type, digest)) };
}

/** What the generic strategies (lib/net/adversary.ts) need to know about the wire format. */
export const baKit: AdversaryKit<BaMessage> = {
  isProposal: (m) => m.type === "propose",
  isVote: (m) => m.type !== "propose",
  conflicting(m, tools, coalition) {
    if (m.type === "propose") {
      const alt = conflictingProposal(m, tools);
      coalition.pair(m.digest, alt.digest);
      return alt;
    }
    const twin = coalition.twin.get(m.digest);
    return twin === undefined ? null : switchVote(m, twin, tools);
  },
  forge(m, victim) {
    if (m.type === "propose") return null;
    // a vote the victim never signed: the signature claims the victim but covers other data
    const digest = `${m.digest}-forged`;
    return { ...m, replica: victim, digest, sig: { signer: victim, digest: m.sig.digest } };
  },
};

/** The signed statements of a message, for accountability (BftInvariants `statements`). */
export function baStatements(msg: unknown): Statement[] {
  const m = msg as BaMessage | null;
  if (!m || typeof m !== "object" || !("sig" in m)) return [];
  const signer = m.type === "propose" ? m.leader : m.replica;
  if (typeof signer !== "string" || typeof m.digest !== "string") return [];
  return [{
    signer,
    phase: m.type,
    slot: 1,
    round: 0,
    digest: m.digest,
    signature: m.sig,
    signed: signedData(m.type, m.digest),
  }];
}

/**
 * The adversary resolver for a node factory speaking the wire format: each entry is a coalition
 * sharing one {@link Coalition}.
 */
export function baAdversary(
  honest: (ctx: NodeContext<BaMessage>) => ProtocolNode<BaMessage>,
): AdversaryResolver<BaMessage> {
  return (entry) => {
    const coalition = new Coalition();
    return () => byzantineFactory(honest, behaviourOf(entry.strategies, baKit, coalition));
  };
}
