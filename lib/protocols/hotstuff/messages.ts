/**
 * HotStuff's messages (Yin, Malkhi, Reiter, Gueta, Abraham, "HotStuff: BFT Consensus with
 * Linearity and Responsiveness", PODC 2019, Algorithm 1 utilities): Msg(type, node, qc) from the
 * leader, voteMsg(type, node, qc) with a partial signature from each replica, and the quorum
 * certificate QC (type, viewNumber, node, sig). Field names follow the paper. What the paper
 * leaves out is added: client commands gossiped to every mempool, and a fetch of missing
 * ancestors (block sync).
 * @module
 */
import type { NodeId, Signature } from "../../sim/types.ts";
import { digestOf } from "../../sim/trace.ts";
import { immutable, isImmutable } from "../../sim/storage.ts";

/** A client command: anything with the request id `clientId:seq` (a KV command). */
export interface Tx {
  /** The client session. */
  readonly clientId: string;
  /** The request number in its session. */
  readonly seq: number;
}

/** The phases a replica votes in (basic: prepare, pre-commit, commit; chained: generic). */
export type VotePhase = "prepare" | "pre-commit" | "commit" | "generic";

/** The digest of genesis (the root every node extends). */
export const GENESIS = "genesis";

/**
 * A quorum certificate (Algorithm 1: QC(V) with qc.type, qc.viewNumber, qc.node, qc.sig): n − f
 * votes of one phase and view for one node. `sigs` are the voters' signatures over
 * {@link voteSigned}; `aggregate` marks a QC that models a threshold signature (one
 * authenticator).
 */
export interface QC {
  /** qc.type. */
  readonly phase: VotePhase;
  /** qc.viewNumber. */
  readonly viewNumber: number;
  /** qc.node: the digest of the certified node. */
  readonly node: string;
  /** Height of the certified node (so a statement can name its slot). */
  readonly height: number;
  /** The votes' signatures (empty for the genesis QC). */
  readonly sigs: readonly Signature[];
  /** Counted as one aggregate authenticator (threshold signatures). */
  readonly aggregate?: boolean;
}

/** The genesis QC: the certificate every replica starts with (view 0, no signatures). */
export const GENESIS_QC: QC = immutable<QC>({
  phase: "generic",
  viewNumber: 0,
  node: GENESIS,
  height: 0,
  sigs: [],
})!;

/**
 * A tree node (Algorithm 1: node.parent, node.cmd; chained: node.justify): a block of the shared
 * block tree. `justify` is the QC the leader built it on (its parent's QC: createLeaf).
 */
export interface HsBlock<C extends Tx = Tx> {
  /** Digest of the parent node. */
  readonly parent: string;
  /** Height in the tree (parent's + 1). */
  readonly height: number;
  /** The view in which it was proposed. */
  readonly view: number;
  /** The leader that proposed it. */
  readonly proposer: NodeId;
  /** Client commands, executed in this order. */
  readonly cmds: readonly C[];
  /** The QC it extends (justify.node = parent). */
  readonly justify: QC;
  /** Set by a Byzantine leader, or by a salted twin (config.proposalSalt), so two proposals differ in digest. */
  readonly nonce?: string;
}

// Digests of deeply frozen nodes (an honest leader's, shared by every replica and the tree): such
// a node can never change, so its digest is computed once. Any other node (a Byzantine one, one
// read back from storage) is digested on every call, as before.
const frozenDigests = new WeakMap<object, string>();

/** The digest of a node (what QCs and votes name). */
export function nodeDigest(b: HsBlock): string {
  if (b === null || typeof b !== "object" || !isImmutable(b)) return digestOf(b);
  let d = frozenDigests.get(b);
  if (d === undefined) {
    d = digestOf(b);
    frozenDigests.set(b, d);
  }
  return d;
}

/**
 * Msg(prepare, curProposal, highQC) (basic) or Msg(generic, b*, genericQC) (chained): the leader's
 * proposal of view `viewNumber`; its justify is `node.justify`. Signed by the leader.
 */
export interface Proposal<C extends Tx = Tx> {
  /** Message kind. */
  readonly type: "prepare" | "generic";
  /** curView of the leader. */
  readonly viewNumber: number;
  /** The proposed node. */
  readonly node: HsBlock<C>;
  /** The signer: leader(viewNumber). */
  readonly leader: NodeId;
  /** Signature over {@link proposalSigned}. */
  readonly signature: Signature;
}

/**
 * Msg(pre-commit, ⊥, prepareQC), Msg(commit, ⊥, precommitQC), Msg(decide, ⊥, commitQC) of basic
 * HotStuff: the leader relays the QC of the previous phase (self-authenticating: no extra
 * signature).
 */
export interface PhaseMsg {
  /** Message kind. */
  readonly type: "pre-commit" | "commit" | "decide";
  /** curView of the leader. */
  readonly viewNumber: number;
  /** The QC it carries. */
  readonly justify: QC;
  /** The leader that sent it (informational: the QC is what counts). */
  readonly leader: NodeId;
}

/** Msg(new-view, ⊥, prepareQC/genericQC): a replica leaving view `viewNumber` (signed). */
export interface NewView {
  /** Message kind. */
  readonly type: "new-view";
  /** The view being left (the next leader is leader(viewNumber + 1)). */
  readonly viewNumber: number;
  /** The replica's highest QC (prepareQC in basic, genericQC in chained). */
  readonly justify: QC;
  /** The signer. */
  readonly replica: NodeId;
  /** Signature over {@link newViewSigned}. */
  readonly signature: Signature;
}

/** voteMsg(type, node, ⊥): a replica's vote with its partial signature over {@link voteSigned}. */
export interface Vote {
  /** Message kind. */
  readonly type: "vote";
  /** The phase voted in. */
  readonly phase: VotePhase;
  /** The view voted in. */
  readonly viewNumber: number;
  /** Digest of the node voted for. */
  readonly node: string;
  /** Its height. */
  readonly height: number;
  /** The signer. */
  readonly replica: NodeId;
  /** The partial signature. */
  readonly partialSig: Signature;
}

/** A client command gossiped to every mempool (so whoever leads next can propose it). */
export interface TxGossip<C extends Tx = Tx> {
  /** Message kind. */
  readonly type: "tx";
  /** The command. */
  readonly tx: C;
  /** A client retry of a command already decided (its reply was lost): propose it again. */
  readonly retry?: boolean;
}

/** Ask a peer for a node and its ancestors (block sync; not in the paper). */
export interface Fetch {
  /** Message kind. */
  readonly type: "fetch";
  /** Digest of the missing node. */
  readonly node: string;
}

/** The answer to a fetch: nodes, the requested one first, then its ancestors. */
export interface Blocks<C extends Tx = Tx> {
  /** Message kind. */
  readonly type: "blocks";
  /** Nodes, newest first. */
  readonly blocks: readonly HsBlock<C>[];
}

/** Every message between HotStuff replicas. */
export type HotStuffMessage<C extends Tx = Tx> =
  | Proposal<C>
  | PhaseMsg
  | NewView
  | Vote
  | TxGossip<C>
  | Fetch
  | Blocks<C>;

/** Exactly what a vote's partial signature covers. */
export function voteSigned(
  v: { phase: VotePhase; viewNumber: number; node: string; height: number; replica: NodeId },
): unknown {
  return {
    type: "vote",
    phase: v.phase,
    viewNumber: v.viewNumber,
    node: v.node,
    height: v.height,
    replica: v.replica,
  };
}

/** Exactly what a leader's proposal signature covers. */
export function proposalSigned(
  m: { type: "prepare" | "generic"; viewNumber: number; leader: NodeId },
  node: string,
  height: number,
): unknown {
  return { type: m.type, viewNumber: m.viewNumber, node, height, leader: m.leader };
}

/** Exactly what a NEW-VIEW signature covers. */
export function newViewSigned(
  m: { viewNumber: number; replica: NodeId; justify: QC },
): unknown {
  return {
    type: "new-view",
    viewNumber: m.viewNumber,
    replica: m.replica,
    qcNode: m.justify.node,
    qcView: m.justify.viewNumber,
  };
}

/** The votes a QC stands for, rebuilt from its signatures (for verification and forensics). */
export function qcVotes(qc: QC): { signer: NodeId; signature: Signature; signed: unknown }[] {
  return qc.sigs.map((s) => ({
    signer: s.signer,
    signature: s,
    signed: voteSigned({
      phase: qc.phase,
      viewNumber: qc.viewNumber,
      node: qc.node,
      height: qc.height,
      replica: s.signer,
    }),
  }));
}

/** Authenticators a QC counts for (§4.4): 1 when aggregated, else one per signature. */
export function qcAuthenticators(qc: QC | null | undefined): number {
  if (!qc || qc.sigs.length === 0) return 0;
  return qc.aggregate ? 1 : qc.sigs.length;
}

/**
 * Authenticators a message carries, counted as the paper does (§4.4 "authenticator complexity":
 * partial signatures and signatures received): a vote's partial signature, the QC a proposal,
 * phase message or NEW-VIEW carries. The leader's or sender's own signature on a proposal or
 * NEW-VIEW (the paper assumes authenticated channels for it) is counted by
 * {@link senderSignatures} instead.
 */
export function authenticators(msg: unknown): number {
  const m = msg as HotStuffMessage | null;
  if (!m || typeof m !== "object") return 0;
  switch (m.type) {
    case "vote":
      return 1;
    case "prepare":
    case "generic":
      return qcAuthenticators(m.node?.justify);
    case "pre-commit":
    case "commit":
    case "decide":
    case "new-view":
      return qcAuthenticators(m.justify);
    default:
      return 0;
  }
}

/** Sender signatures on a message beyond {@link authenticators} (proposal, NEW-VIEW). */
export function senderSignatures(msg: unknown): number {
  const t = (msg as { type?: string } | null)?.type;
  return t === "prepare" || t === "generic" || t === "new-view" ? 1 : 0;
}

/** The request id of a command (`clientId:seq`). */
export function txKey(tx: Tx): string {
  return `${tx.clientId}:${tx.seq}`;
}
