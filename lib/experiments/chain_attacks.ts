/**
 * Notebook 12's attacks on Nakamoto consensus, as plain rows with their theory beside them:
 * Nakamoto's §11 confirmation table reproduced, the exact (negative-binomial) form next to his
 * Poisson approximation, simulated double-spend races on the block tree with Wilson intervals, and
 * Eyal and Sirer's selfish-mining revenue curve with its profitability threshold (1−γ)/(3−2γ).
 * Every claim's applicability is decided from the parameters (can the trial count resolve this
 * probability? is this α far enough from the threshold?), never from the outcome.
 * @module
 */
import { z } from "zod";
import { parseConfig } from "../sim/errors.ts";
import { Rng } from "../sim/rng.ts";
import {
  attackerSuccess,
  confirmationsForRisk,
  NAKAMOTO_TABLE,
} from "../protocols/mining/confirmations.ts";
import { simulateDoubleSpend } from "../protocols/mining/double_spend.ts";
import {
  profitThreshold,
  selfishRevenue,
  simulateSelfishMining,
} from "../protocols/mining/selfish.ts";
import { meanInterval, wilsonInterval } from "../protocols/mining/stats.ts";
import { type Claim, claim, notApplicable } from "./claims.ts";

// ─── Nakamoto's tables ───────────────────────────────────────────────────────────────────────

/** One row of Nakamoto's §11 table beside the formulas. */
export interface NakamotoRow {
  /** Attacker share. */
  readonly q: number;
  /** Confirmations. */
  readonly z: number;
  /** The paper's printed P (7 decimals). */
  readonly paper: number;
  /** Nakamoto's Poisson formula, recomputed. */
  readonly poisson: number;
  /** The exact value (negative-binomial progress; catch-up = tie, as in §11). */
  readonly exact: number;
  /** The exact value when the attacker must overtake (strictly longer) to reorganise a node. */
  readonly exactOvertake: number;
}

/** Nakamoto's §11 table (q = 0.1 and 0.3) with the Poisson formula and the exact forms. */
export function nakamotoTable(): NakamotoRow[] {
  return NAKAMOTO_TABLE.attackerSuccess.map(({ q, z, P }) => ({
    q,
    z,
    paper: P,
    poisson: attackerSuccess(q, z),
    exact: attackerSuccess(q, z, { progress: "negativeBinomial" }),
    exactOvertake: attackerSuccess(q, z, { progress: "negativeBinomial", win: "overtake" }),
  }));
}

/** One row of the "P < 0.001" table: confirmations needed against attacker share. */
export interface RiskRow {
  /** Attacker share. */
  readonly q: number;
  /** The paper's z. */
  readonly paperZ: number;
  /** The smallest z with Poisson P < risk. */
  readonly poissonZ: number | undefined;
  /** The smallest z with exact P < risk (Grunspan and Pérez-Marco's correction). */
  readonly exactZ: number | undefined;
  /** The same when the attacker must overtake. */
  readonly exactOvertakeZ: number | undefined;
}

/** Nakamoto's "Solving for P less than 0.1%" table with the exact forms beside it. */
export function riskTable(risk = 0.001): RiskRow[] {
  return NAKAMOTO_TABLE.riskBelow0001.map(({ q, z }) => ({
    q,
    paperZ: z,
    poissonZ: confirmationsForRisk(q, risk),
    exactZ: confirmationsForRisk(q, risk, { progress: "negativeBinomial" }),
    exactOvertakeZ: confirmationsForRisk(q, risk, {
      progress: "negativeBinomial",
      win: "overtake",
    }),
  }));
}

/** Claims: the recomputed Poisson formula prints the paper's numbers. */
export function checkNakamotoTables(
  rows: readonly NakamotoRow[],
  risk: readonly RiskRow[],
): Claim[] {
  const worst = rows.reduce((m, r) => Math.max(m, Math.abs(r.poisson - r.paper)), 0);
  const zOk = risk.filter((r) => r.poissonZ === r.paperZ).length;
  const nbAbove = risk.filter((r) => (r.exactZ ?? Infinity) >= r.paperZ).length;
  return [
    claim(
      "Nakamoto §11's Poisson formula reproduces the paper's table to its 7 printed decimals",
      worst <= 5e-8,
      `${rows.length} entries, largest |formula − paper| = ${worst.toExponential(2)}`,
    ),
    claim(
      "the Poisson formula reproduces the paper's z for P < 0.1 %",
      zOk === risk.length,
      `${zOk} of ${risk.length} rows match`,
    ),
    claim(
      "the exact (negative-binomial) form needs at least as many confirmations as the paper says",
      nbAbove === risk.length,
      risk.map((r) => `q=${r.q}: ${r.paperZ}→${r.exactZ}`).join(", "),
    ),
  ];
}

// ─── Double-spend races ──────────────────────────────────────────────────────────────────────

const attackerShare = z.number().gt(0).lt(0.5, {
  message: "must be < 0.5: with q ≥ p the attacker catches up with probability 1 (Nakamoto §11); " +
    "attackerSuccess() returns 1 there, there is no race to simulate",
});

/** zod schema of {@link doubleSpendRace}'s parameters. */
export const DoubleSpendParamsSchema = z.object({
  /** Attacker shares q to race (each 0 < q < 0.5); default [0.1, 0.3]. */
  attackerShares: z.array(attackerShare).min(1).default([0.1, 0.3]),
  /** Confirmation counts z (integers ≥ 0); default 0..6, 8, 10. */
  confirmations: z.array(z.number().int().min(0).max(10_000)).min(1)
    .default([0, 1, 2, 3, 4, 5, 6, 8, 10]),
  /** Races per (q, z) cell (≥ 1); default 20 000. */
  trials: z.number().int().min(1).default(20_000),
  /** Root seed; each cell draws from its own stream. */
  seed: z.union([z.number(), z.string()]).default(1),
  /** Two-sided confidence of each cell's Wilson interval; default 0.999 (many cells are checked). */
  confidence: z.number().gt(0).lt(1).default(0.999),
  /**
   * A probability is resolvable when the trials expect at least this many successes and as many
   * failures (default 10); claims about other cells are n/a.
   */
  minExpectedEvents: z.number().min(1).default(10),
  /** The attacker gives up when its chance falls below this (default 1e−9: the bias bound). */
  giveUpRisk: z.number().gt(0).lt(1).default(1e-9),
});
/** Parameters of {@link doubleSpendRace} as given. */
export type DoubleSpendParamsInput = z.input<typeof DoubleSpendParamsSchema>;
/** Parsed parameters of {@link doubleSpendRace}. */
export type DoubleSpendParams = z.output<typeof DoubleSpendParamsSchema>;

/** Parse double-spend parameters, or throw a ConfigError naming the bad field. */
export function parseDoubleSpendParams(input: unknown = {}): DoubleSpendParams {
  return parseConfig(DoubleSpendParamsSchema, input, "double-spend parameters");
}

/** One (q, z) cell: simulated races beside the formulas. */
export interface DoubleSpendRow {
  /** Attacker share. */
  readonly q: number;
  /** Confirmations. */
  readonly z: number;
  /** Races run. */
  readonly trials: number;
  /** Races where the attacker drew level after acceptance (§11's "catch up"). */
  readonly tieWins: number;
  /** tieWins / trials. */
  readonly tieRate: number;
  /** Wilson interval of tieRate, lower bound. */
  readonly tieLow: number;
  /** Wilson interval of tieRate, upper bound. */
  readonly tieHigh: number;
  /** Races where the merchant's node reorganised the payment away (attacker strictly longer). */
  readonly overtakeWins: number;
  /** overtakeWins / trials. */
  readonly overtakeRate: number;
  /** Wilson interval of overtakeRate, lower bound. */
  readonly overtakeLow: number;
  /** Wilson interval of overtakeRate, upper bound. */
  readonly overtakeHigh: number;
  /** Nakamoto's Poisson formula (tie). */
  readonly nakamoto: number;
  /** The exact formula (tie). */
  readonly exact: number;
  /** The exact formula (overtake). */
  readonly exactOvertake: number;
  /** Mean attacker blocks when the merchant accepted (negative binomial: z·q/p on average). */
  readonly attackerBlocksAtAcceptanceMean: number;
  /** Races stopped undecided by the horizon (should be 0). */
  readonly horizonHits: number;
  /** Deepest reorg of the merchant's node. */
  readonly maxReorgDepth: number;
  /** Blocks mined in the cell. */
  readonly blocks: number;
}

/** Mutation switches for tests (each makes the model wrong on purpose). */
export interface DoubleSpendMutations {
  /** Count a tie as a reversal (first-seen keeps the merchant's chain on a tie). */
  readonly countTieAsWin?: boolean;
}

/**
 * Simulated double-spend races for every (q, z), with the formulas beside them.
 * @example
 * ```ts
 * const p = parseDoubleSpendParams({ attackerShares: [0.3], confirmations: [5], trials: 5000 });
 * assertClaims(checkDoubleSpendRace(doubleSpendRace(p), p));
 * ```
 */
export function doubleSpendRace(
  params: DoubleSpendParams,
  mutations: DoubleSpendMutations = {},
): DoubleSpendRow[] {
  const root = new Rng(params.seed);
  const rows: DoubleSpendRow[] = [];
  for (const q of params.attackerShares) {
    for (const zc of params.confirmations) {
      const r = simulateDoubleSpend({
        attackerShare: q,
        confirmations: zc,
        trials: params.trials,
        giveUpRisk: params.giveUpRisk,
        countTieAsWin: mutations.countTieAsWin ?? false,
      }, root.fork(`double-spend/q=${q}/z=${zc}`));
      const tie = wilsonInterval(r.tieWins, r.trials, params.confidence);
      const over = wilsonInterval(r.overtakeWins, r.trials, params.confidence);
      rows.push({
        q,
        z: zc,
        trials: r.trials,
        tieWins: r.tieWins,
        tieRate: r.tieWins / r.trials,
        tieLow: tie.low,
        tieHigh: tie.high,
        overtakeWins: r.overtakeWins,
        overtakeRate: r.overtakeWins / r.trials,
        overtakeLow: over.low,
        overtakeHigh: over.high,
        nakamoto: attackerSuccess(q, zc),
        exact: attackerSuccess(q, zc, { progress: "negativeBinomial" }),
        exactOvertake: attackerSuccess(q, zc, { progress: "negativeBinomial", win: "overtake" }),
        attackerBlocksAtAcceptanceMean: r.attackerBlocksAtAcceptance / r.trials,
        horizonHits: r.horizonHits,
        maxReorgDepth: r.maxReorgDepth,
        blocks: r.blocks,
      });
    }
  }
  return rows;
}

/** Whether `trials` races resolve probability `p` (enough expected successes and failures). */
export function resolvable(p: number, trials: number, minExpectedEvents: number): boolean {
  return trials * p >= minExpectedEvents && trials * (1 - p) >= minExpectedEvents;
}

/**
 * Claims for {@link doubleSpendRace}: the exact formulas lie inside the simulated Wilson intervals
 * (tie and overtake), Nakamoto's Poisson value falls outside where the trials can tell the two
 * apart, and no race hit the horizon. Cells the trials cannot resolve are n/a.
 */
export function checkDoubleSpendRace(
  rows: readonly DoubleSpendRow[],
  params: DoubleSpendParams,
): Claim[] {
  const out: Claim[] = [];
  const n = params.trials, minEv = params.minExpectedEvents;
  const pct = `${+(params.confidence * 100).toFixed(2)} %`;
  const fmt = (x: number) => x.toPrecision(4);
  for (const r of rows) {
    const cell = `q=${r.q} z=${r.z}`;
    const tieText =
      `${cell}: the exact catch-up (tie) probability lies in the simulated ${pct} interval`;
    out.push(
      resolvable(r.exact, n, minEv)
        ? claim(
          tieText,
          r.exact >= r.tieLow && r.exact <= r.tieHigh,
          `exact ${fmt(r.exact)}, simulated ${fmt(r.tieRate)} [${fmt(r.tieLow)}, ${
            fmt(r.tieHigh)
          }]`,
        )
        : notApplicable(tieText, `${n} trials cannot resolve P = ${fmt(r.exact)}`),
    );
    const overText =
      `${cell}: the exact overtake (reorg) probability lies in the simulated ${pct} interval`;
    out.push(
      resolvable(r.exactOvertake, n, minEv)
        ? claim(
          overText,
          r.exactOvertake >= r.overtakeLow && r.exactOvertake <= r.overtakeHigh,
          `exact ${fmt(r.exactOvertake)}, simulated ${fmt(r.overtakeRate)} [${
            fmt(r.overtakeLow)
          }, ${fmt(r.overtakeHigh)}]`,
        )
        : notApplicable(overText, `${n} trials cannot resolve P = ${fmt(r.exactOvertake)}`),
    );
    // Can these trials tell Poisson from exact? Decided from the parameters: the gap must exceed
    // twice the interval half-width expected at the exact value.
    const expected = wilsonInterval(Math.round(r.exact * n), n, params.confidence);
    const half = (expected.high - expected.low) / 2;
    const gap = Math.abs(r.nakamoto - r.exact);
    const poissonText = `${cell}: Nakamoto's Poisson value lies outside the simulated interval`;
    out.push(
      resolvable(r.exact, n, minEv) && gap > 2 * half
        ? claim(
          poissonText,
          r.nakamoto < r.tieLow || r.nakamoto > r.tieHigh,
          `Poisson ${fmt(r.nakamoto)}, simulated [${fmt(r.tieLow)}, ${fmt(r.tieHigh)}]`,
        )
        : notApplicable(
          poissonText,
          `gap ${fmt(gap)} is within twice the expected half-width ${fmt(half)} at ${n} trials`,
        ),
    );
  }
  const hits = rows.reduce((s, r) => s + r.horizonHits, 0);
  out.push(claim("no race stopped undecided at the horizon", hits === 0, `${hits} races`));
  return out;
}

// ─── Selfish mining ──────────────────────────────────────────────────────────────────────────

/** zod schema of {@link selfishMiningCurve}'s parameters. */
export const SelfishParamsSchema = z.object({
  /** Pool shares α (each 0 ≤ α < 0.5); default 0.05..0.45 step 0.05. */
  alphas: z.array(
    z.number().min(0).lt(0.5, { message: "must be < 0.5 (Eyal and Sirer's range)" }),
  ).min(1).default([0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45]),
  /** γ values (each in [0, 1]); default [0, 0.5, 1]. */
  gammas: z.array(z.number().min(0).max(1)).min(1).default([0, 0.5, 1]),
  /** Blocks per run (≥ 100); default 50 000. */
  blocks: z.number().int().min(100).default(50_000),
  /** Independent runs per (α, γ), for the interval (≥ 2); default 8. */
  runs: z.number().int().min(2).default(8),
  /** Root seed. */
  seed: z.union([z.number(), z.string()]).default(1),
  /** Two-sided confidence of each Student-t interval; default 0.999. */
  confidence: z.number().gt(0).lt(1).default(0.999),
  /**
   * The sign claims (revenue below or above α) apply only where the closed form puts the revenue
   * at least this far from α (default 0.01): closer, the threshold is too near to call.
   */
  signMargin: z.number().gt(0).default(0.01),
});
/** Parameters of {@link selfishMiningCurve} as given. */
export type SelfishParamsInput = z.input<typeof SelfishParamsSchema>;
/** Parsed parameters of {@link selfishMiningCurve}. */
export type SelfishParams = z.output<typeof SelfishParamsSchema>;

/** Parse selfish-mining parameters, or throw a ConfigError naming the bad field. */
export function parseSelfishParams(input: unknown = {}): SelfishParams {
  return parseConfig(SelfishParamsSchema, input, "selfish-mining parameters");
}

/** One point of the revenue curve. */
export interface SelfishRow {
  /** γ. */
  readonly gamma: number;
  /** The pool's share α. */
  readonly alpha: number;
  /** Runs averaged. */
  readonly runs: number;
  /** Blocks per run. */
  readonly blocks: number;
  /** Mean simulated relative revenue. */
  readonly revenue: number;
  /** Student-t interval of the mean, lower bound. */
  readonly revenueLow: number;
  /** Student-t interval of the mean, upper bound. */
  readonly revenueHigh: number;
  /** Eyal and Sirer's closed form R_pool(α, γ). */
  readonly formula: number;
  /** Honest mining's revenue: α. */
  readonly honestShare: number;
  /** (1 − γ)/(3 − 2γ). */
  readonly threshold: number;
  /** Races (state 0′) per run, mean. */
  readonly racesMean: number;
  /** Deepest reorg seen by the 1 − γ honest view over the runs. */
  readonly maxReorgDepth: number;
}

/** Mutation switches for tests. */
export interface SelfishMutations {
  /** Honest miners all hear the honest block first in a race (γ treated as 0). */
  readonly ignoreGamma?: boolean;
}

/**
 * The selfish pool's relative revenue against α for each γ, simulated on the block tree, with the
 * closed form and the honest share beside it.
 */
export function selfishMiningCurve(
  params: SelfishParams,
  mutations: SelfishMutations = {},
): SelfishRow[] {
  const root = new Rng(params.seed);
  const rows: SelfishRow[] = [];
  for (const gamma of params.gammas) {
    for (const alpha of params.alphas) {
      const revenues: number[] = [];
      let races = 0, maxReorgDepth = 0;
      for (let run = 0; run < params.runs; run++) {
        const r = simulateSelfishMining(
          { alpha, gamma, blocks: params.blocks, ignoreGamma: mutations.ignoreGamma ?? false },
          root.fork(`selfish/gamma=${gamma}/alpha=${alpha}/run=${run}`),
        );
        revenues.push(r.relativeRevenue);
        races += r.races;
        maxReorgDepth = Math.max(maxReorgDepth, r.maxReorgDepth);
      }
      const ci = meanInterval(revenues, params.confidence);
      rows.push({
        gamma,
        alpha,
        runs: params.runs,
        blocks: params.blocks,
        revenue: ci.mean,
        revenueLow: ci.low,
        revenueHigh: ci.high,
        formula: selfishRevenue(alpha, gamma),
        honestShare: alpha,
        threshold: profitThreshold(gamma),
        racesMean: races / params.runs,
        maxReorgDepth,
      });
    }
  }
  return rows;
}

/**
 * Where the simulated curve crosses α for one γ: between the largest α whose interval lies wholly
 * below α and the smallest α whose interval lies wholly above it (0 and 0.5 when there is none).
 */
export function simulatedThresholdBracket(
  rows: readonly SelfishRow[],
  gamma: number,
): { low: number; high: number } {
  const rs = rows.filter((r) => r.gamma === gamma);
  const below = rs.filter((r) => r.revenueHigh < r.alpha).map((r) => r.alpha);
  const above = rs.filter((r) => r.revenueLow > r.alpha).map((r) => r.alpha);
  return {
    low: below.length ? Math.max(...below) : 0,
    high: above.length ? Math.min(...above) : 0.5,
  };
}

/**
 * Claims for {@link selfishMiningCurve}: the closed form lies in each point's interval (widened by
 * 2/blocks for the end-of-run effect); revenue lies below α under the threshold and above it over,
 * where the closed form is at least `signMargin` from α (n/a closer); and the simulated crossing
 * brackets (1 − γ)/(3 − 2γ).
 */
export function checkSelfishMining(
  rows: readonly SelfishRow[],
  params: SelfishParams,
): Claim[] {
  const out: Claim[] = [];
  const f = (x: number) => x.toFixed(4);
  const pct = `${+(params.confidence * 100).toFixed(2)} %`;
  for (const r of rows) {
    const cell = `γ=${r.gamma} α=${r.alpha}`;
    const slack = 2 / r.blocks;
    out.push(claim(
      `${cell}: Eyal and Sirer's R_pool lies in the simulated ${pct} interval`,
      r.formula >= r.revenueLow - slack && r.formula <= r.revenueHigh + slack,
      `R_pool ${f(r.formula)}, simulated ${f(r.revenue)} [${f(r.revenueLow)}, ${f(r.revenueHigh)}]`,
    ));
    const above = r.alpha > r.threshold;
    const signText =
      `${cell}: selfish revenue is ${above ? "above" : "below"} the honest share α ` +
      `(threshold ${f(r.threshold)})`;
    out.push(
      Math.abs(r.formula - r.alpha) >= params.signMargin
        ? claim(
          signText,
          above ? r.revenueLow > r.alpha : r.revenueHigh < r.alpha,
          `simulated [${f(r.revenueLow)}, ${f(r.revenueHigh)}] against α = ${r.alpha}`,
        )
        : notApplicable(
          signText,
          `R_pool − α = ${
            (r.formula - r.alpha).toFixed(4)
          }, within the margin ${params.signMargin}`,
        ),
    );
  }
  for (const gamma of new Set(rows.map((r) => r.gamma))) {
    const text = `γ=${gamma}: the simulated curve crosses α at (1−γ)/(3−2γ) = ${
      f(profitThreshold(gamma))
    }`;
    const alphas = rows.filter((r) => r.gamma === gamma).map((r) => r.alpha);
    if (alphas.length < 2) {
      out.push(notApplicable(text, "one α: no curve"));
      continue;
    }
    const b = simulatedThresholdBracket(rows, gamma);
    const t = profitThreshold(gamma);
    out.push(claim(
      text,
      b.low < b.high && t >= b.low && t <= b.high,
      `simulated crossing between α = ${b.low} and α = ${b.high}`,
    ));
  }
  return out;
}
