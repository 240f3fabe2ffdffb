/**
 * HotStuff's adversary kit (lib/net/adversary.ts): what a proposal and a vote are, how a Byzantine
 * replica makes a conflicting one, and how it forges a vote in a victim's name.
 *
 * HotStuff sends votes to the leader only, and the leader relays QCs (§4, linearity), so the
 * generic equivocation (a conflicting copy to group B) needs the coalition to collude out of band
 * to break safety with f + 1 members: every coalition member also signs, for each of its votes,
 * the vote for the coalition's twin node and deposits both in the shared {@link HotStuffCoalition},
 * and every vote a member receives is recorded there too. A coalition leader's conflicting
 * pre-commit/commit/decide for group B then carries a QC for the twin built from those votes
 * (when n − f of them exist; otherwise the original goes out), and a coalition leader's
 * conflicting chained proposal extends group B's own fork (its twin parent, certified by pooled
 * votes), so with f + 1 members leading four views in a row both forks reach a Three-Chain.
 * With ≤ f traitors the two twins never both get a QC: that needs n − 2f ≥ f + 1 honest votes
 * for each, so some honest replica would vote for both, which honest replicas never do.
 * @module
 */
import {
  type AdversaryKit,
  type Behaviour,
  behaviourOf,
  byzantineFactory,
  type ByzantineTools,
  Coalition,
} from "../../net/adversary.ts";
import type { AdversaryResolver } from "../../net/nemesis.ts";
import type { NodeFactory, NodeId, ProtocolNode } from "../../sim/types.ts";
import {
  type HotStuffMessage,
  type HsBlock,
  nodeDigest,
  type PhaseMsg,
  type Proposal,
  proposalSigned,
  type QC,
  type Vote,
  type VotePhase,
  voteSigned,
} from "./messages.ts";

type Any = { type?: string };

/** A coalition that also pools the votes its members sign or receive. */
export class HotStuffCoalition extends Coalition {
  /** `${phase}|${view}|${node}` → replica → vote. */
  readonly votes = new Map<string, Map<NodeId, Vote>>();

  /** Record a vote (signed by a member, or received by one). */
  record(v: Vote): void {
    const k = `${v.phase}|${v.viewNumber}|${v.node}`;
    let m = this.votes.get(k);
    if (!m) this.votes.set(k, m = new Map());
    if (!m.has(v.replica)) m.set(v.replica, v);
  }

  /** Votes pooled for (phase, view, node). */
  pooled(phase: VotePhase, view: number, node: string): Vote[] {
    return [...this.votes.get(`${phase}|${view}|${node}`)?.values() ?? []];
  }
}

function signVote<M>(
  tools: ByzantineTools<M>,
  base: { phase: VotePhase; viewNumber: number; node: string; height: number },
): Vote {
  const b = { ...base, replica: tools.self };
  return { type: "vote", ...b, partialSig: tools.sign(voteSigned(b)) };
}

/**
 * The kit for any message union that contains HotStuff's messages (bare or inside a KV server).
 * A conflicting proposal is the same node with a `nonce` (another digest), re-signed; a
 * conflicting vote names the coalition's twin; a conflicting phase message carries a QC for the
 * twin when the coalition pooled n − f votes for it.
 */
export function hotstuffKit<M>(): AdversaryKit<M> {
  return {
    isProposal: (m) => {
      const t = (m as Any).type;
      return t === "prepare" || t === "generic" || t === "pre-commit" || t === "commit" ||
        t === "decide";
    },
    isVote: (m) => (m as Any).type === "vote",
    conflicting(msg, tools, coalition) {
      const m = msg as unknown as HotStuffMessage;
      const c = coalition instanceof HotStuffCoalition ? coalition : undefined;
      if (m.type === "prepare" || m.type === "generic") {
        let node: HsBlock = { ...m.node, nonce: `byz:${tools.self}:${m.viewNumber}` };
        // chained: extend group B's own fork when the coalition can certify its twin parent
        const j = m.node.justify;
        const twinParent = m.type === "generic" && c ? coalition.twin.get(j.node) : undefined;
        if (twinParent !== undefined && c) {
          c.record(signVote(tools, { ...j, node: twinParent })); // our own vote was local
          const votes = c.pooled(j.phase, j.viewNumber, twinParent);
          if (votes.length >= j.sigs.length) {
            const justify: QC = {
              ...j,
              node: twinParent,
              sigs: votes.slice(0, j.sigs.length).map((v) => v.partialSig),
            };
            node = { ...node, parent: twinParent, justify };
          }
        }
        const d = nodeDigest(node);
        coalition.pair(nodeDigest(m.node), d);
        const base = { type: m.type, viewNumber: m.viewNumber, leader: tools.self };
        const out: Proposal = {
          ...base,
          node,
          signature: tools.sign(proposalSigned(base, d, node.height)),
        };
        return out as unknown as M;
      }
      if (m.type === "vote") {
        const twin = coalition.twin.get(m.node);
        if (twin === undefined) return null;
        return signVote(tools, { ...m, node: twin }) as unknown as M;
      }
      if ((m.type === "pre-commit" || m.type === "commit" || m.type === "decide") && c) {
        const qc = m.justify;
        const twin = coalition.twin.get(qc.node);
        if (twin === undefined) return null;
        const own = signVote(tools, { ...qc, node: twin });
        c.record(own);
        const votes = c.pooled(qc.phase, qc.viewNumber, twin);
        if (votes.length < qc.sigs.length) return null;
        const twinQc: QC = {
          ...qc,
          node: twin,
          sigs: votes.slice(0, qc.sigs.length).map((v) => v.partialSig),
        };
        const out: PhaseMsg = { ...m, justify: twinQc };
        return out as unknown as M;
      }
      return null;
    },
    forge(msg, victim) {
      const m = msg as unknown as Vote;
      if (m.type !== "vote") return null;
      // the signature stays the forger's: `verify` (and the signer check) must reject it
      return { ...m, replica: victim } as unknown as M;
    },
  };
}

/**
 * The adversary resolver for `createCluster({ byzantine, adversary })`: each entry's nodes run
 * honest code wrapped in the entry's strategies, sharing one coalition. An entry with an
 * `equivocate` strategy also pools its members' votes (signed and received) in the coalition
 * (see the module comment).
 */
export function hotstuffAdversary<M>(honest: NodeFactory<M>): AdversaryResolver<M> {
  const kit = hotstuffKit<M>();
  return (entry) => {
    const coalition = new HotStuffCoalition();
    const equivocating = entry.strategies.some((s) => s.kind === "equivocate");
    const base = behaviourOf(entry.strategies, kit, coalition);
    const behaviour: Behaviour<M> = equivocating
      ? (out, tools) => {
        const m = out.msg as unknown as HotStuffMessage;
        if (m?.type === "vote") {
          coalition.record(m);
          const twin = coalition.twin.get(m.node);
          if (twin !== undefined) coalition.record(signVote(tools, { ...m, node: twin }));
        }
        base(out, tools);
      }
      : base;
    return () => {
      const factory = byzantineFactory(honest, behaviour);
      if (!equivocating) return factory;
      return (ctx) => {
        const node = factory(ctx) as ProtocolNode<M> & { inner?: ProtocolNode<M> };
        return {
          ...node,
          start: node.start ? () => node.start!() : undefined,
          onMessage: (from: NodeId, msg: M) => {
            const v = msg as unknown as Vote;
            if (v?.type === "vote" && v.partialSig?.signer === v.replica) coalition.record(v);
            node.onMessage(from, msg);
          },
          onTimer: (name: string) => node.onTimer?.(name),
          inspect: () => node.inspect?.(),
          inner: node.inner,
        } as ProtocolNode<M>;
      };
    };
  };
}
