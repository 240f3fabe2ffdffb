/**
 * Experiments of notebook 03 (the Byzantine generals problem, Lamport, Shostak, Pease 1982):
 * exhaustive searches over every traitor position and lie pattern for small n, loyal message
 * counts against the recursion of OM(m), one run per traitor strategy, and claims computed from
 * the parameters. Each function takes parsed parameters and returns plain rows.
 * @module
 */
import { z } from "zod";
import { ConfigError, parseConfig } from "../sim/errors.ts";
import { type Claim, claim, isApplicable, notApplicable } from "./claims.ts";
import {
  type ExhaustiveResult,
  exhaustiveSearch,
  omMessageCount,
  omMessageCountClosed,
  runGenerals,
  smLoyalMessageCount,
  type TraitorStrategy,
} from "../protocols/generals/mod.ts";

const CaseSchema = z.object({
  n: z.number().int().min(2).max(64),
  m: z.number().int().min(0),
  algorithm: z.enum(["om", "sm"]).default("om"),
}).strict();

/** Parameters of notebook 03 (zod, with defaults). */
export const BftGeneralsParamsSchema = z.object({
  /** Root seed of every run. Default 1. */
  seed: z.number().int().default(1),
  /** Generals in the headline run and claims. Default 4. */
  n: z.number().int().min(2).max(64).default(4),
  /** Traitors tolerated (OM(m), SM(m)) in the headline run and claims. Default 1. */
  m: z.number().int().min(0).default(1),
  /** Round length (ms). Default 10. */
  roundMs: z.number().positive().default(10),
  /** Constant message delay (ms), below roundMs. Default 1. */
  latencyMs: z.number().min(0).default(1),
  /** Cases of the exhaustive table. */
  exhaustiveCases: z.array(CaseSchema).min(1).default([
    { n: 3, m: 1, algorithm: "om" },
    { n: 4, m: 1, algorithm: "om" },
    { n: 5, m: 1, algorithm: "om" },
    { n: 3, m: 1, algorithm: "sm" },
    { n: 4, m: 1, algorithm: "sm" },
    { n: 4, m: 2, algorithm: "om" },
    { n: 7, m: 2, algorithm: "om" },
  ]),
  /** (n, m) pairs of the message-count table. */
  countCases: z.array(
    z.object({ n: z.number().int().min(2).max(64), m: z.number().int().min(0) })
      .strict(),
  ).min(1).default([
    { n: 3, m: 1 },
    { n: 4, m: 1 },
    { n: 5, m: 1 },
    { n: 4, m: 2 },
    { n: 5, m: 2 },
    { n: 7, m: 2 },
    { n: 7, m: 3 },
    { n: 10, m: 3 },
  ]),
  /** Exhaustive searches with more patterns than this are out of reach. Default 200000. */
  maxPatterns: z.number().int().min(1).default(200_000),
  /** Out-of-reach searches check this many random patterns instead (0: none). Default 0. */
  sample: z.number().int().min(0).default(0),
  /** Loyal commander orders the searches try. Default both. */
  orders: z.array(z.enum(["ATTACK", "RETREAT"])).min(1).default(["ATTACK", "RETREAT"]),
  /** Where the searches place traitors. Default anywhere. */
  traitorsAt: z.enum(["anywhere", "commander", "lieutenants"]).default("anywhere"),
  /** Mistake: run OM(m−1)/SM(m−1) (see the generals config). Default false. */
  mistakeOneRoundShort: z.boolean().default(false),
  /** Mistake: SM without signature checks. Default false. */
  mistakeSkipVerify: z.boolean().default(false),
  /** Waste: OM relays also go to the commander. Default false. */
  mistakeRelayToCommander: z.boolean().default(false),
}).strict().superRefine((p, ctx) => {
  if (Number.isInteger(p.n) && Number.isInteger(p.m) && p.m > p.n - 2) {
    ctx.addIssue({ code: "custom", path: ["m"], message: `m must be at most n - 2 = ${p.n - 2}` });
  }
});

/** Parameters as written (every field optional). */
export type BftGeneralsParamsInput = z.input<typeof BftGeneralsParamsSchema>;
/** Parameters with defaults. */
export type BftGeneralsParams = z.output<typeof BftGeneralsParamsSchema>;

/** Parse notebook parameters (a ConfigError names any bad field). */
export function parseBftGeneralsParams(input: unknown = {}): BftGeneralsParams {
  return parseConfig(BftGeneralsParamsSchema, input, "bft generals parameters");
}

/** One row of the exhaustive table. */
export interface ExhaustiveRow {
  /** Generals. */
  readonly n: number;
  /** OM(m) / SM(m). */
  readonly m: number;
  /** "om" or "sm". */
  readonly algorithm: "om" | "sm";
  /** Traitors per pattern (= m). */
  readonly traitors: number;
  /** Traitor position sets tried. */
  readonly traitorPositions: number;
  /** Size of the pattern space (decimal string). */
  readonly patternSpace: string;
  /** Patterns checked. */
  readonly patterns: number;
  /** Patterns violating IC1 or IC2. */
  readonly violations: number;
  /** complete / sampled / out-of-reach. */
  readonly status: string;
  /** simulator / direct / none. */
  readonly engine: string;
  /** The first violating pattern in words, or a note ("" when none). */
  readonly firstViolation: string;
}

function search(p: BftGeneralsParams, n: number, m: number, algorithm: "om" | "sm") {
  return exhaustiveSearch({
    n,
    m,
    algorithm,
    maxPatterns: p.maxPatterns,
    sample: p.sample,
    seed: p.seed,
    orders: p.orders,
    traitorsAt: p.traitorsAt,
    mistakeOneRoundShort: p.mistakeOneRoundShort,
    mistakeSkipVerify: p.mistakeSkipVerify,
  });
}

function toRow(r: ExhaustiveResult): ExhaustiveRow {
  return {
    n: r.n,
    m: r.m,
    algorithm: r.algorithm,
    traitors: r.traitorCount,
    traitorPositions: r.traitorSets,
    patternSpace: r.patternSpace,
    patterns: r.patterns,
    violations: r.violations,
    status: r.status,
    engine: r.engine,
    firstViolation: r.first?.words ?? r.note ?? "",
  };
}

/** The exhaustive table: every traitor position and lie pattern per case. */
export function exhaustiveTable(p: BftGeneralsParams): ExhaustiveRow[] {
  return p.exhaustiveCases.map((c) => toRow(search(p, c.n, c.m, c.algorithm)));
}

/** One row of the message-count table. */
export interface MessageCountRow {
  /** Generals. */
  readonly n: number;
  /** OM(m) / SM(m). */
  readonly m: number;
  /** "om" or "sm". */
  readonly algorithm: "om" | "sm";
  /** Messages the simulator counted in a loyal run (`sim.stats.sent`). */
  readonly measured: number;
  /** OM: the recursion M(n, m); SM: (n − 1)² for m ≥ 1, n − 1 for m = 0. */
  readonly theory: number;
  /** OM: Σ_{k=0..m} (n−1)···(n−1−k), the recursion unrolled; SM: same as theory. */
  readonly closedForm: number;
  /** measured = theory = closedForm. */
  readonly matches: boolean;
}

/** Loyal message counts of OM and SM for every (n, m) of `countCases`, beside theory. */
export function messageCountRows(p: BftGeneralsParams): MessageCountRow[] {
  const rows: MessageCountRow[] = [];
  for (const { n, m } of p.countCases) {
    for (const algorithm of ["om", "sm"] as const) {
      const r = runGenerals({
        n,
        m,
        algorithm,
        seed: p.seed,
        roundMs: p.roundMs,
        latencyMs: p.latencyMs,
        trace: { mode: "off" },
        mistakeOneRoundShort: p.mistakeOneRoundShort,
        mistakeRelayToCommander: p.mistakeRelayToCommander,
      });
      const theory = algorithm === "om" ? omMessageCount(n, m) : smLoyalMessageCount(n, m);
      const closedForm = algorithm === "om" ? omMessageCountClosed(n, m) : theory;
      rows.push({
        n,
        m,
        algorithm,
        measured: r.sent,
        theory,
        closedForm,
        matches: r.sent === theory && theory === closedForm,
      });
    }
  }
  return rows;
}

/** One run of a named traitor strategy. */
export interface StrategyRow {
  /** "om" or "sm". */
  readonly algorithm: "om" | "sm";
  /** The strategy's kind. */
  readonly strategy: string;
  /** The traitor(s). */
  readonly traitors: string;
  /** IC1 holds. */
  readonly ic1: boolean;
  /** IC2 holds. */
  readonly ic2: boolean;
  /** Messages loyal lieutenants refused (SM: altered relays). */
  readonly rejected: number;
  /** Who decided what. */
  readonly description: string;
}

/** The named strategies with one traitor at the commander and one at lieutenant n1. */
export function strategyTable(p: BftGeneralsParams): StrategyRow[] {
  const strategies: TraitorStrategy[] = [
    { kind: "lieToSome", victims: ["n2"] },
    { kind: "lieToAll" },
    { kind: "alternate" },
    { kind: "silent" },
    { kind: "collude", attack: ["n2"] },
  ];
  const rows: StrategyRow[] = [];
  for (const algorithm of ["om", "sm"] as const) {
    for (const strategy of strategies) {
      for (const node of ["n0", "n1"]) {
        const r = runGenerals({
          n: p.n,
          m: p.m,
          algorithm,
          seed: p.seed,
          roundMs: p.roundMs,
          latencyMs: p.latencyMs,
          trace: { mode: "off" },
          traitors: [{ node, strategy }],
          mistakeOneRoundShort: p.mistakeOneRoundShort,
          mistakeSkipVerify: p.mistakeSkipVerify,
        });
        rows.push({
          algorithm,
          strategy: strategy.kind,
          traitors: node,
          ic1: r.verdict.ic1.holds,
          ic2: r.verdict.ic2.holds,
          rejected: r.rejected,
          description: r.verdict.description,
        });
      }
    }
  }
  return rows;
}

function omBoundClaim(p: BftGeneralsParams, n: number, m: number): Claim {
  const where = `n = ${n}, m = ${m}`;
  let r: ExhaustiveResult;
  try {
    r = search(p, n, m, "om");
  } catch (e) {
    // Too large to even configure (n > 64 or the OM message limit): out of reach.
    if (!(e instanceof ConfigError)) throw e;
    return notApplicable(`OM(${m}) at ${where}`, e.message);
  }
  const counts = `${r.patterns} patterns over ${r.traitorSets} traitor positions, ` +
    `${r.violations} violations`;
  if (n > 3 * m) {
    const text = `OM(${m}) satisfies IC1 and IC2 for every placement of ${m} traitor(s) and ` +
      `every lie pattern at ${where} (n > 3m)`;
    if (r.status === "out-of-reach") {
      return notApplicable(text, `out of exhaustive reach: ${r.note}`);
    }
    if (r.status === "sampled") {
      return claim(
        `${text} — sampled, not exhaustive`,
        r.violations === 0,
        `${counts}; ${r.first?.words ?? ""}`,
      );
    }
    return claim(text, r.violations === 0, `${counts}${r.first ? `; ${r.first.words}` : ""}`);
  }
  const text = `some placement of ${m} traitor(s) defeats OM(${m}) at ${where} (n ≤ 3m)`;
  if (r.violations > 0) return claim(text, true, `${counts}; e.g. ${r.first!.words}`);
  if (r.status !== "complete") {
    return notApplicable(text, `no violation among checked: ${r.note}`);
  }
  return claim(text, false, counts);
}

/**
 * Claims computed from the parameters: OM(m) tolerates m traitors iff n > 3m (checked at
 * n = 3m and 3m + 1), OM at the parameters' (n, m), SM at (n, m), SM refusing altered relays,
 * m + 1 rounds, and the message counts. Where a search is out of reach the claim says "not
 * applicable" instead of passing vacuously.
 */
export function generalsClaims(p: BftGeneralsParams): Claim[] {
  const out: Claim[] = [];
  const { n, m } = p;
  // LSP82 §3: OM(m) works with more than 3m generals; §2 shows three generals cannot cope
  // with one traitor, and by reduction no algorithm copes with m traitors among 3m generals.
  if (m === 0) {
    out.push(
      notApplicable("OM(m) tolerates m traitors iff n > 3m", "m = 0: no traitor"),
    );
  } else {
    const low = omBoundClaim(p, 3 * m, m);
    const high = omBoundClaim(p, 3 * m + 1, m);
    const na = !isApplicable(low) || !isApplicable(high);
    const text = `OM(${m}) satisfies IC1 and IC2 for every traitor pattern iff n > 3m ` +
      `(checked at n = ${3 * m} and n = ${3 * m + 1})`;
    const detail = `n = ${3 * m}: ${low.detail} | n = ${3 * m + 1}: ${high.detail}`;
    out.push(na ? notApplicable(text, detail) : claim(text, low.holds && high.holds, detail));
  }
  if (m > 0 && n !== 3 * m && n !== 3 * m + 1) out.push(omBoundClaim(p, n, m));

  const sm = search(p, n, m, "sm");
  const smText = `SM(${m}) satisfies IC1 and IC2 for every placement of ${m} traitor(s) and ` +
    `every pattern at n = ${n} (signed messages: any n ≥ m + 2)`;
  out.push(
    sm.status === "out-of-reach"
      ? notApplicable(smText, `out of exhaustive reach: ${sm.note}`)
      : claim(
        smText + (sm.status === "sampled" ? " — sampled" : ""),
        sm.violations === 0,
        `${sm.patterns} patterns over ${sm.traitorSets} traitor positions, ${sm.violations} ` +
          `violations${sm.first ? `; ${sm.first.words}` : ""}`,
      ),
  );

  if (m >= 1) {
    const alter = runGenerals({
      n: Math.max(n, 3),
      m,
      algorithm: "sm",
      seed: p.seed,
      roundMs: p.roundMs,
      latencyMs: p.latencyMs,
      traitors: [{ node: "n1", strategy: { kind: "lieToAll" } }],
      mistakeOneRoundShort: p.mistakeOneRoundShort,
      mistakeSkipVerify: p.mistakeSkipVerify,
    });
    out.push(claim(
      "in SM a traitor lieutenant cannot forge the commander's signature: its altered relays " +
        "are refused and the loyal lieutenants obey the loyal commander",
      alter.rejected > 0 && alter.verdict.ok,
      `${alter.rejected} messages refused; ${alter.verdict.description}`,
    ));
  }

  const loyal = runGenerals({
    n,
    m,
    seed: p.seed,
    roundMs: p.roundMs,
    latencyMs: p.latencyMs,
    mistakeOneRoundShort: p.mistakeOneRoundShort,
  });
  const decidedAt = Math.max(
    ...loyal.sim.events.filter((e) => e.event.type === "generals-decide").map((e) => e.t),
  );
  const rounds = decidedAt / p.roundMs;
  out.push(claim(
    `OM(${m}) decides after m + 1 = ${m + 1} rounds`,
    rounds === m + 1,
    `decisions at t = ${decidedAt} ms = ${rounds} rounds of ${p.roundMs} ms`,
  ));

  const counts = messageCountRows(p);
  const om = counts.filter((r) => r.algorithm === "om");
  const smc = counts.filter((r) => r.algorithm === "sm");
  const show = (rs: MessageCountRow[]) =>
    rs.map((r) => `(${r.n},${r.m}): ${r.measured} vs ${r.theory}`).join(", ");
  out.push(claim(
    "loyal OM(m) sends M(n, m) messages: M(n, 0) = n − 1, M(n, m) = (n − 1) + (n − 1)·M(n − 1, m − 1)",
    om.every((r) => r.matches),
    show(om),
  ));
  out.push(claim(
    "loyal SM(m) sends (n − 1)² messages for m ≥ 1 (n − 1 for m = 0): each lieutenant relays its one value once",
    smc.every((r) => r.matches),
    show(smc),
  ));
  return out;
}
