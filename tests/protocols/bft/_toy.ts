/**
 * A one-shot toy BFT protocol for testing the shared Byzantine machinery without a real protocol:
 * n0 proposes a signed value; every replica votes (signed) for the first proposal it sees; a
 * quorum of votes for one digest decides slot 1. Safe with ≤ f Byzantine replicas because two
 * quorums share an honest replica, which votes once.
 */
import {
  type AdversaryKit,
  type AdversaryResolver,
  behaviourOf,
  byzantineFactory,
  Coalition,
} from "@lab/net/mod.ts";
import { digestOf, type NodeContext, type NodeFactory, type Signature } from "@lab/sim/mod.ts";
import { bftSize, decideEvent, type Statement } from "@lab/protocols/bft/mod.ts";

export type ToyMsg =
  | { type: "prop"; value: string; digest: string; sig: Signature }
  | { type: "vote"; voter: string; digest: string; sig: Signature };

export function toyNode(
  opts: { quorum?: number; allowUnsafe?: boolean; f?: number } = {},
): NodeFactory<ToyMsg> {
  return (ctx: NodeContext<ToyMsg>) => {
    const size = bftSize(ctx.peers.length + 1, {
      f: opts.f,
      quorum: opts.quorum,
      allowUnsafe: opts.allowUnsafe ?? false,
    });
    let voted = false;
    let decided = false;
    const votes = new Map<string, Set<string>>();
    const all = () => [ctx.self, ...ctx.peers];
    const vote = (digest: string) => {
      if (voted) return;
      voted = true;
      const sig = ctx.sign({ t: "vote", digest });
      for (const p of all()) ctx.send(p, { type: "vote", voter: ctx.self, digest, sig });
    };
    return {
      start() {
        if (ctx.self !== "n0") return;
        const value = "v";
        const digest = digestOf(value);
        const sig = ctx.sign({ t: "prop", digest });
        for (const p of all()) ctx.send(p, { type: "prop", value, digest, sig });
      },
      onMessage(from, m) {
        if (m.type === "prop") {
          if (from !== "n0" || !ctx.verify(m.sig, { t: "prop", digest: m.digest })) return;
          if (m.sig.signer !== "n0") return;
          vote(m.digest);
        } else {
          if (m.sig.signer !== m.voter || !ctx.verify(m.sig, { t: "vote", digest: m.digest })) {
            ctx.emit({ type: "rejected", voter: m.voter });
            return;
          }
          let s = votes.get(m.digest);
          if (!s) votes.set(m.digest, s = new Set());
          s.add(m.voter);
          if (!decided && s.size >= size.quorum) {
            decided = true;
            ctx.emit(decideEvent(1, m.digest, [], 0));
          }
        }
      },
    };
  };
}

export const toyKit: AdversaryKit<ToyMsg> = {
  isProposal: (m) => m.type === "prop",
  isVote: (m) => m.type === "vote",
  conflicting(m, tools, coalition) {
    if (m.type === "prop") {
      const value = m.value + "'";
      const digest = digestOf(value);
      coalition.pair(m.digest, digest);
      return { type: "prop", value, digest, sig: tools.sign({ t: "prop", digest }) };
    }
    const twin = coalition.twin.get(m.digest);
    if (twin === undefined) return null;
    return { ...m, digest: twin, sig: tools.sign({ t: "vote", digest: twin }) };
  },
  forge(m, victim) {
    if (m.type !== "vote") return null;
    // a vote the victim never signed, with a signature only the victim's key could have made
    const digest = `${m.digest}-forged`;
    return {
      ...m,
      voter: victim,
      digest,
      sig: { signer: victim, digest: digestOf({ t: "vote", digest }) },
    };
  },
};

/** Toy adversaries: one coalition object per entry. */
export function toyAdversary(honest: NodeFactory<ToyMsg>): AdversaryResolver<ToyMsg> {
  return (entry) => {
    const coalition = new Coalition();
    return () => byzantineFactory(honest, behaviourOf(entry.strategies, toyKit, coalition));
  };
}

export function toyStatements(msg: unknown): Statement[] {
  const m = msg as ToyMsg;
  if (m.type === "prop") {
    return [{
      signer: m.sig.signer,
      phase: "proposal",
      slot: 1,
      round: 0,
      digest: m.digest,
      signature: m.sig,
      signed: { t: "prop", digest: m.digest },
    }];
  }
  return [{
    signer: m.voter,
    phase: "vote",
    slot: 1,
    round: 0,
    digest: m.digest,
    signature: m.sig,
    signed: { t: "vote", digest: m.digest },
  }];
}
