/**
 * Twins (Bano, Sonnino, Chursin, Perelman, Li, Ching, Malkhi, "Twins: BFT Systems Made Robust",
 * OPODIS 2021) on PBFT, Tendermint and basic HotStuff, for notebook 03: one row per protocol,
 * scenario family and mistake flag with the scenarios explored, the violations found, and the
 * first violation shrunk to a minimal scenario and replayed. Counts only: scenarios per second is
 * wall-clock, measured by `deno task sweep twins` (tools/sweep.ts), never in these rows.
 *
 * Families (lib/protocols/bft/twins.ts):
 *
 * - "paper rounds": the paper's generator (n = 4, one twin n0, 2 groups, twin leaders, 3 rounds,
 *   S(5, 2)^3 = 3375 scenarios), each Twins round a protocol round, sampled from the seed;
 * - "steps, directed" (Tendermint): each step of a Tendermint round (propose, prevote, precommit)
 *   a Twins round, 6 steps = rounds 0 and 1; the stale-polka scenario of twins_run.ts
 *   (`STALE_POL_STEPS`, built from Algorithm 1) with the steps in `vary` enumerated over every
 *   choice of the step space (unpartitioned, 2 groups symmetric, 2 groups one way: 46 a step).
 *
 * Predictions: flags off, no violation anywhere (each protocol is safe with f twins, a twin pair
 * being one faulty identity). PBFT's two flags are caught on the paper's rounds; Tendermint's two
 * are caught on steps, and on whole protocol rounds neither is (twins.ts argues why at n = 4);
 * HotStuff's ignoreLock is never caught: an honest-code leader extends the highest QC of n − f
 * NEW-VIEWs, which always reaches every lock (twins.ts gives the induction), so the lock check it
 * drops never fails under Twins. HotStuff's quorumOffByOne (quorums of n − f − 1 = 2 at n = 4) is
 * caught on the paper's rounds: twins.ts argues that a single round reaches it, in 6 of the 15
 * partitions of a round, so a few sampled scenarios find it.
 * @module
 */
import { z } from "zod";
import { ConfigError, parseConfig } from "../sim/errors.ts";
import { type Claim, claim } from "./claims.ts";
import {
  runTwinsScenario,
  STALE_POL_STEPS,
  STEP_RUN,
  STEP_SPACE,
  TWINS_MISTAKES,
  twinsExplore,
  type TwinsExploreInput,
  type TwinsProtocolName,
} from "../protocols/bft/twins_run.ts";
import { scenarioIndex, twinsSpace } from "../protocols/bft/twins.ts";

/** Parameters of {@link twinsTable} (zod). */
export const BftTwinsParamsSchema = z.object({
  /** Seed of the sampling and of every run. Default 1. */
  seed: z.number().int().min(0).default(1),
  /** PBFT: scenarios sampled from the paper's space per flag. Default 25. */
  pbftScenarios: z.number().int().min(1).max(400).default(25),
  /** Tendermint and HotStuff: scenarios sampled from the paper's space per flag. Default 8. */
  paperScenarios: z.number().int().min(1).max(400).default(8),
  /** Protocols to run. Default all three. */
  protocols: z.array(z.enum(["pbft", "tendermint", "hotstuff"])).min(1).default([
    "pbft",
    "tendermint",
    "hotstuff",
  ]),
  /** Tendermint steps (0–5) the directed family enumerates, 46 choices each. Default [5]. */
  vary: z.array(z.number().int().min(0).max(5)).min(1).max(2).default([5]),
}).strict();

/** Parameters as written. */
export type BftTwinsParams = z.input<typeof BftTwinsParamsSchema>;
/** Parameters with defaults. */
export type BftTwinsConfig = z.output<typeof BftTwinsParamsSchema>;

/** Validate the parameters (a ConfigError names the field). */
export function parseBftTwinsParams(input: BftTwinsParams = {}): BftTwinsConfig {
  const p = parseConfig(BftTwinsParamsSchema, input, "bft twins parameters");
  if (new Set(p.vary).size !== p.vary.length) {
    throw new ConfigError("bft twins parameters", [{
      path: "vary",
      message: `a step listed twice: [${p.vary.join(", ")}]`,
    }]);
  }
  return p;
}

/** What the theory predicts for a (protocol, family, flag) row. */
export type TwinsPrediction = "safe" | "caught" | "out of reach";

/** One row: a protocol, a scenario family and a flag. */
export interface BftTwinsRow {
  /** The protocol. */
  readonly protocol: TwinsProtocolName;
  /** "paper rounds" or "steps, directed". */
  readonly family: string;
  /** The mistake flag on, or "none". */
  readonly flag: string;
  /** What the theory predicts. */
  readonly predicted: TwinsPrediction;
  /** Scenarios in the family's space (the paper's space, or the step space for the directed family). */
  readonly space: number;
  /** Scenarios run. */
  readonly explored: number;
  /** Scenarios with a safety breach among the honest replicas. */
  readonly violations: number;
  /** Scenarios in which a node threw. */
  readonly errors: number;
  /** The first violation shrunk, one line (absent: none found). */
  readonly minimal?: string;
  /** The breach its replay reports. */
  readonly minimalBreach?: string;
  /** The minimal scenario replayed twice gave the same breach. */
  readonly replayed: boolean;
  /** The minimal scenario with every flag off: no breach. */
  readonly minimalSafeWithoutFlag: boolean;
  /**
   * Index of the minimal scenario in the family's space with unpartitioned rounds allowed
   * (`whole: true`; shrinking may merge a round into one group) and as many rounds as it has
   * (shrinking may drop trailing rounds), -1 when none was found.
   */
  readonly minimalIndex: number;
}

const PAPER = { n: 4, rounds: 3, partitions: 2 } as const;

function predicted(protocol: TwinsProtocolName, family: string, flag: string): TwinsPrediction {
  if (flag === "none") return "safe";
  if (protocol === "hotstuff") return flag === "quorumOffByOne" ? "caught" : "out of reach";
  if (protocol === "tendermint" && family === "paper rounds") return "out of reach";
  return "caught";
}

function rowsOf(
  protocol: TwinsProtocolName,
  family: string,
  flags: readonly string[],
  input: TwinsExploreInput,
  space: ReturnType<typeof twinsSpace>,
  indexSpace: (rounds: number) => ReturnType<typeof twinsSpace>,
): BftTwinsRow[] {
  const explored = twinsExplore(protocol, { ...input, mistake: [...flags] });
  return explored.map((r) => {
    const min = r.minimalScenario;
    // the exploration's own run options, every flag off
    const safe = min !== undefined && !runTwinsScenario(protocol, min, {
      seed: input.seed,
      roundMode: input.roundMode,
      clients: input.clients,
      releaseMs: input.releaseMs,
      tailMs: input.tailMs,
      cuts: input.cuts,
    }).violated;
    return {
      protocol,
      family,
      flag: r.mistake,
      predicted: predicted(protocol, family, r.mistake),
      space: space.total,
      explored: r.explored,
      violations: r.violations,
      errors: r.errors,
      ...(r.minimal !== undefined ? { minimal: r.minimal } : {}),
      ...(r.minimalBreach !== undefined ? { minimalBreach: r.minimalBreach } : {}),
      replayed: r.replayed === true,
      minimalSafeWithoutFlag: safe,
      minimalIndex: min === undefined ? -1 : scenarioIndex(indexSpace(min.rounds.length), min),
    };
  });
}

/**
 * Run every family on every protocol, flags off and each flag on.
 * @example
 * ```ts
 * const rows = twinsTable(parseBftTwinsParams({ seed: 1 }));
 * assertClaims(twinsClaims(rows));
 * ```
 */
export function twinsTable(params: BftTwinsParams = {}): BftTwinsRow[] {
  const p = parseBftTwinsParams(params);
  const paper = twinsSpace(PAPER);
  const paperWhole = (rounds: number) => twinsSpace({ ...PAPER, rounds, whole: true });
  const steps = twinsSpace(STEP_SPACE);
  const flags = (x: TwinsProtocolName) => ["none", ...TWINS_MISTAKES[x]];
  const on = (x: TwinsProtocolName) => p.protocols.includes(x);
  return [
    ...(on("pbft")
      ? rowsOf(
        "pbft",
        "paper rounds",
        flags("pbft"),
        {
          ...PAPER,
          seed: p.seed,
          scenarios: p.pbftScenarios,
        },
        paper,
        paperWhole,
      )
      : []),
    ...(on("tendermint")
      ? [
        ...rowsOf(
          "tendermint",
          "paper rounds",
          flags("tendermint"),
          {
            ...PAPER,
            seed: p.seed,
            scenarios: p.paperScenarios,
            roundMode: "message",
            clients: 0,
          },
          paper,
          paperWhole,
        ),
        ...rowsOf(
          "tendermint",
          "steps, directed",
          flags("tendermint"),
          {
            ...STEP_RUN,
            seed: p.seed,
            base: STALE_POL_STEPS,
            vary: p.vary,
            partitions: STEP_SPACE.partitions,
            links: STEP_SPACE.links,
            whole: STEP_SPACE.whole,
            scenarios: steps.perRound ** p.vary.length,
          },
          steps,
          (rounds) => twinsSpace({ ...STEP_SPACE, rounds }),
        ),
      ]
      : []),
    // basic HotStuff has no two-chain commit, so commitOnTwoChain (chained only) is not run
    ...(on("hotstuff")
      ? rowsOf(
        "hotstuff",
        "paper rounds",
        ["none", "ignoreLock", "quorumOffByOne"],
        {
          ...PAPER,
          seed: p.seed,
          scenarios: p.paperScenarios,
          roundMode: "message",
          clients: 1,
        },
        paper,
        paperWhole,
      )
      : []),
  ];
}

/**
 * The claims: flags off, no violation and no error in any family; every flag predicted caught
 * has at least one violation whose shrunk scenario replays the same breach and is safe with the
 * flag off; every flag predicted out of reach has none.
 */
export function twinsClaims(rows: readonly BftTwinsRow[]): Claim[] {
  const name = (r: BftTwinsRow) => `${r.protocol} (${r.family}), ${r.flag}`;
  return rows.map((r) => {
    const seen = `${r.violations} of ${r.explored} scenarios violate, ${r.errors} errors`;
    if (r.predicted === "safe") {
      return claim(`${name(r)}: no violation`, r.violations === 0 && r.errors === 0, seen);
    }
    if (r.predicted === "out of reach") {
      return claim(
        `${name(r)}: not caught (out of reach of these scenarios)`,
        r.violations === 0 && r.errors === 0,
        seen,
      );
    }
    return claim(
      `${name(r)}: caught, minimal scenario replayed, safe with the flag off`,
      r.violations >= 1 && r.replayed && r.minimalSafeWithoutFlag,
      `${seen}; minimal: ${r.minimal ?? "—"}`,
    );
  });
}
