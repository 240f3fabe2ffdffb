/**
 * Measurements of GRANDPA (Stewart and Kokoris-Kogia 2020) for notebook 03: with a fixed gossip
 * delay T after GST (here GST = 0: a constant-latency network of exactly T), the time from a
 * round's start t_r (the first honest voter entering it) until every honest voter has finalised
 * the round's block, against the paper's bound 6T (§4.2, Lemma 4.7 (b): "every honest participant
 * finalises g(H_r) by time t_r + 6T"; Lemma 4.6 (iv): every honest voter is in round r + 1 by
 * t_r + 6T), and messages per round against (n − 1) + 2n(n − 1) (the primary's broadcast, then a
 * prevote and a precommit from every voter to every other one). Re-broadcast gossip is switched
 * off (its interval is longer than every run) so only the messages of §3.2 are counted; blocks are
 * produced every T, so every round has a new block to finalise.
 *
 * Expected exactly: prevote at t_r + 2T (step 3), prevotes in at 3T, precommit at once by
 * condition (iii) (nothing voted above g(V_r)), precommits in at 4T, finalised at 4T; without
 * condition (iii) the precommit waits for the 4T mark, so 5T. Both are within 6T.
 * @module
 */
import { z } from "zod";
import { parseConfig } from "../sim/errors.ts";
import { type Claim, claim, notApplicable } from "./claims.ts";
import { grandpaCluster } from "../protocols/grandpa/cluster.ts";
import type { GrandpaMistake } from "../protocols/grandpa/sweep.ts";

const ROUND_MESSAGES = new Set(["Prevote", "Precommit", "Primary"]);
const NO_GOSSIP = 1e9;

/** Parameters of {@link grandpaRoundRows}. */
export const GrandpaRoundParamsSchema = z.object({
  /** Voter counts. Default 4, 7, 10, 16, 31, 64. */
  ns: z.array(z.number().int().min(1)).min(1).default([4, 7, 10, 16, 31, 64]),
  /** T, the fixed gossip delay (ms); also the voters' T. Default 10. */
  gossipDelayMs: z.number().positive().default(10),
  /** Rounds to measure (rounds 2..rounds + 1; round 1 only finalises genesis' child). Default 5. */
  rounds: z.number().int().min(1).max(50).default(5),
  /** Precommit early by §3.2 step 4 condition (iii). Default true. */
  precommitOnImpossibleChild: z.boolean().default(true),
  /** Silent Byzantine voters (≤ f; the last ids). Default 0. */
  silent: z.number().int().min(0).default(0),
  /** A classic mistake switched on in every honest voter (the failing model). Default none. */
  mistake: z.enum(["precommitWithoutPrevotes", "prevoteIgnoresEstimate"]).optional(),
  /** Seed. Default 1. */
  seed: z.number().int().default(1),
}).strict();

/** Parameters as written. */
export type GrandpaRoundParams = z.input<typeof GrandpaRoundParamsSchema>;

/** One row per n: round-start-to-finality in units of T, and messages per round, beside theory. */
export interface GrandpaRoundRow {
  /** Voters. */
  readonly n: number;
  /** Silent Byzantine voters. */
  readonly silent: number;
  /** Rounds measured. */
  readonly rounds: number;
  /** Rounds (of those) in which every honest voter finalised a new block. */
  readonly finalisingRounds: number;
  /** Worst time from t_r until every honest voter finalised round r's block, in T (NaN if none). */
  readonly maxFinalityT: number;
  /** Mean of the same, in T. */
  readonly meanFinalityT: number;
  /** The bound of Lemma 4.7 (b): 6. */
  readonly boundT: number;
  /** Expected exactly on a constant-T network: 4 with condition (iii), else 5. */
  readonly expectedT: number;
  /** Round messages (primary, prevotes, precommits) per round, mean over the measured rounds. */
  readonly messagesPerRound: number;
  /** (n − 1) + 2n(n − 1) with every voter honest. */
  readonly theoryMessages: number;
}

/**
 * Round latency and messages per n on a constant-T network (GST = 0).
 * @example
 * ```ts
 * grandpaRoundRows({ ns: [4] }); // [{ n: 4, maxFinalityT: 4, boundT: 6, messagesPerRound: 27, theoryMessages: 27, ... }]
 * ```
 */
export function grandpaRoundRows(input: GrandpaRoundParams = {}): GrandpaRoundRow[] {
  const p = parseConfig(GrandpaRoundParamsSchema, input, "grandpa round parameters");
  const T = p.gossipDelayMs;
  return p.ns.map((n) => {
    const silentIds = Array.from({ length: p.silent }, (_, i) => `n${n - 1 - i}`);
    const c = grandpaCluster({
      seed: p.seed,
      n,
      network: { latency: { kind: "constant", ms: T } },
      byzantine: silentIds.length
        ? [{ nodes: silentIds, strategies: [{ kind: "silent" }] }]
        : undefined,
      grandpa: {
        gossipDelayMs: T,
        slotMs: T,
        rebroadcastMs: NO_GOSSIP,
        precommitOnImpossibleChild: p.precommitOnImpossibleChild,
      },
      mistakes: p.mistake ? { [p.mistake as GrandpaMistake]: true } : undefined,
      trace: { mode: "off" },
    });
    const honest = c.nodes.filter((id) => !silentIds.includes(id));
    const messages = new Map<number, number>();
    c.sim.onDeliver((d) => {
      const m = d.msg as { type?: string; round?: number };
      if (ROUND_MESSAGES.has(m.type ?? "") && typeof m.round === "number") {
        messages.set(m.round, (messages.get(m.round) ?? 0) + 1);
      }
    });
    const last = p.rounds + 1;
    c.sim.run({ untilMs: (last + 3) * 6 * T });
    // t_r: first honest entry into round r; finality: each honest voter's finalised heights
    const start = new Map<number, number>();
    const finalAt = new Map<string, { t: number; height: number; round: number }[]>();
    for (const e of c.sim.events) {
      if (!honest.includes(e.node)) continue;
      const ev = e.event as { type: string; round?: number; height?: number };
      if (ev.type === "grandpa-round" && !start.has(ev.round!)) start.set(ev.round!, e.t);
      if (ev.type === "grandpa-finalize") {
        let l = finalAt.get(e.node);
        if (!l) finalAt.set(e.node, l = []);
        l.push({ t: e.t, height: ev.height!, round: ev.round! });
      }
    }
    const lat: number[] = [];
    let msgs = 0;
    for (let r = 2; r <= last; r++) {
      msgs += (messages.get(r) ?? 0) / p.rounds;
      const tr = start.get(r);
      if (tr === undefined) continue;
      // the height finalised in round r (by anyone), then when the last honest voter reached it
      const h = Math.max(
        -1,
        ...[...finalAt.values()].flatMap((l) =>
          l.filter((x) => x.round === r).map((x) => x.height)
        ),
      );
      if (h < 0) continue;
      let worst = -Infinity;
      for (const id of honest) {
        const hit = (finalAt.get(id) ?? []).find((x) => x.height >= h);
        worst = Math.max(worst, hit ? hit.t : Infinity);
      }
      lat.push((worst - tr) / T);
    }
    const finite = lat.filter(Number.isFinite);
    return {
      n,
      silent: p.silent,
      rounds: p.rounds,
      finalisingRounds: finite.length,
      maxFinalityT: finite.length ? Math.max(...finite) : NaN,
      meanFinalityT: finite.length ? finite.reduce((a, b) => a + b, 0) / finite.length : NaN,
      boundT: 6,
      expectedT: p.precommitOnImpossibleChild ? 4 : 5,
      messagesPerRound: msgs,
      theoryMessages: (n - 1) + 2 * n * (n - 1),
    };
  });
}

/**
 * What theory predicts for the rows: every measured round finalises, within 6T of its start
 * (Lemma 4.7 (b)), at exactly the expected 4T/5T; messages per round = (n − 1) + 2n(n − 1) when no
 * voter is silent.
 */
export function grandpaRoundClaims(rows: readonly GrandpaRoundRow[]): Claim[] {
  const out: Claim[] = [];
  for (const r of rows) {
    out.push(claim(
      `n=${r.n}: every round after GST finalises within 6T of its start (Lemma 4.7 (b))`,
      r.finalisingRounds === r.rounds && r.maxFinalityT <= r.boundT,
      `${r.finalisingRounds}/${r.rounds} rounds finalised, worst ${r.maxFinalityT}T`,
    ));
    out.push(
      r.silent === 0
        ? claim(
          `n=${r.n}: round start to finality is exactly ${r.expectedT}T on a constant-T network`,
          r.finalisingRounds === r.rounds && r.maxFinalityT === r.expectedT &&
            r.meanFinalityT === r.expectedT,
          `max ${r.maxFinalityT}T, mean ${r.meanFinalityT}T`,
        )
        : notApplicable(
          `n=${r.n}: round start to finality is exactly ${r.expectedT}T`,
          `${r.silent} silent voter(s): a silent primary changes nothing, but timing is only bounded`,
        ),
    );
    out.push(
      r.silent === 0
        ? claim(
          `n=${r.n}: messages per round = (n − 1) + 2n(n − 1) = ${r.theoryMessages}`,
          r.messagesPerRound === r.theoryMessages,
          `measured ${r.messagesPerRound}`,
        )
        : notApplicable(
          `n=${r.n}: messages per round = (n − 1) + 2n(n − 1)`,
          `${r.silent} silent voter(s) send nothing`,
        ),
    );
  }
  return out;
}
