/**
 * Exhaustive mode: for small n over binary orders, try every traitor position (the commander or
 * any lieutenant; for k traitors every set of k positions) and every lie pattern (for each send a
 * traitor would make: ATTACK, RETREAT or silence in OM; in SM any order it may sign itself, and
 * relay, drop or alter each chain it received), run each one and check IC1 and IC2.
 *
 * A fixed pattern covers every deterministic traitor: given the loyal commander's order and the
 * other traitors' patterns, what a traitor receives is fixed, so an adaptive lie equals some fixed
 * one. Patterns run on the simulator ("simulator" engine) or, for OM, on {@link evaluateOmDirect},
 * a round-free evaluator that the tests show gives the simulator's decisions on sampled patterns.
 * @module
 */
import { z } from "zod";
import { ConfigError, parseConfig } from "../../sim/errors.ts";
import { Rng } from "../../sim/rng.ts";
import type { NodeId } from "../../sim/types.ts";
import { generalIds, type GeneralsConfig, parseGeneralsConfig } from "./config.ts";
import { type Order, pathKey, slotKey } from "./messages.ts";
import { generalsView, omDecision, omOutgoing, omPaths } from "./node.ts";
import type { PatternChoice } from "./byzantine.ts";
import { checkInteractiveConsistency, type GeneralsVerdict } from "./checker.ts";
import { runGenerals } from "./run.ts";

/** Options of an exhaustive search (zod). */
export const ExhaustiveOptionsSchema = z.object({
  /** Number of generals. */
  n: z.number().int().min(2).max(64),
  /** Traitors tolerated by the algorithm (OM(m) / SM(m)). */
  m: z.number().int().min(0),
  /** "om" or "sm". Default "om". */
  algorithm: z.enum(["om", "sm"]).default("om"),
  /** Number of traitors placed; default m. */
  traitorCount: z.number().int().min(0).optional(),
  /** Where traitors may sit: anywhere (default), only the commander, only lieutenants. */
  traitorsAt: z.enum(["anywhere", "commander", "lieutenants"]).default("anywhere"),
  /** Orders a loyal commander is tried with. Default both. */
  orders: z.array(z.enum(["ATTACK", "RETREAT"])).min(1).default(["ATTACK", "RETREAT"]),
  /** "simulator", "direct" (OM only) or "auto" (simulator up to 5000 patterns). Default "auto". */
  engine: z.enum(["simulator", "direct", "auto"]).default("auto"),
  /** Refuse (report out of reach) when there are more patterns than this. Default 200000. */
  maxPatterns: z.number().int().min(1).default(200_000),
  /** Beyond `maxPatterns`, check this many random patterns instead (0: none). Default 0. */
  sample: z.number().int().min(0).default(0),
  /** Seed of the sampled patterns. Default 1. */
  seed: z.union([z.number().int(), z.string().min(1)]).default(1),
  /** Mistake flags passed to the nodes (see the generals config). */
  mistakeOneRoundShort: z.boolean().default(false),
  /** See the generals config. */
  mistakeSkipVerify: z.boolean().default(false),
}).strict();

/** Exhaustive options as written. */
export type ExhaustiveOptionsInput = z.input<typeof ExhaustiveOptionsSchema>;

/** One lie pattern: traitors, the loyal commander's order, and each traitor's choice per send. */
export interface LiePattern {
  /** The traitors. */
  readonly traitors: readonly NodeId[];
  /** The order the commander sends if loyal. */
  readonly order: Order;
  /** Per traitor: send key → choice (keys as in the `pattern` strategy). */
  readonly choices: Readonly<Record<NodeId, Readonly<Record<string, PatternChoice>>>>;
}

/** The outcome of a search. */
export interface ExhaustiveResult {
  /** Number of generals. */
  readonly n: number;
  /** OM(m) / SM(m). */
  readonly m: number;
  /** "om" or "sm". */
  readonly algorithm: "om" | "sm";
  /** Traitors per pattern. */
  readonly traitorCount: number;
  /** Traitor position sets tried. */
  readonly traitorSets: number;
  /** "complete": every pattern checked; "sampled": random ones; "out-of-reach": none. */
  readonly status: "complete" | "sampled" | "out-of-reach";
  /** Patterns in the full space (decimal string: it can exceed 2^53). */
  readonly patternSpace: string;
  /** Patterns actually checked. */
  readonly patterns: number;
  /** Checked patterns violating IC1 or IC2. */
  readonly violations: number;
  /** The engine that ran them. */
  readonly engine: "simulator" | "direct" | "none";
  /** The first violating pattern, its verdict and a description in words. */
  readonly first?: { pattern: LiePattern; verdict: GeneralsVerdict; words: string };
  /** Why the search is out of reach or sampled. */
  readonly note?: string;
}

/** One send a traitor chooses in a lie pattern, and its possible choices. */
export interface TraitorSlot {
  /** The send's key, as in the `pattern` strategy. */
  readonly key: string;
  /** What the traitor may do with it. */
  readonly options: readonly PatternChoice[];
}

/**
 * The sends traitor `t` gets to choose: OM, every send the loyal schedule gives it; SM, per
 * lieutenant the orders a traitor commander signs, or per recipient what a traitor lieutenant
 * does with the commander's signed order (SM search is implemented for depth ≤ 1).
 */
export function traitorSlots(config: GeneralsConfig, t: NodeId, order: Order): TraitorSlot[] {
  const view = generalsView(t, { ...config, order });
  if (config.algorithm === "om") {
    const out: TraitorSlot[] = [];
    for (let r = 1; r <= view.depth + 1; r++) {
      for (const s of omOutgoing(view, r, new Map())) {
        out.push({ key: slotKey(s.path, s.to), options: ["ATTACK", "RETREAT", "silent"] });
      }
    }
    return out;
  }
  if (t === view.commander) {
    return view.lieutenants.map((l) => ({
      key: `->${l}`,
      options: ["ATTACK", "RETREAT", "both", "silent"],
    }));
  }
  if (view.depth === 0) return [];
  return view.lieutenants.filter((l) => l !== t).map((l) => ({
    key: `${order}:${view.commander}->${l}`,
    options: ["relay", "drop", "alter"],
  }));
}

/**
 * OM decisions of every loyal lieutenant under a lie pattern, computed without rounds: the value
 * lieutenant i holds on path P is what P's last general sent it (a traitor: its choice; a loyal
 * general: the order, or what it held on P minus itself, RETREAT if nothing), then the loyal
 * decision {@link omDecision}.
 */
export function evaluateOmDirect(
  config: GeneralsConfig,
  pattern: LiePattern,
): Record<NodeId, Order | undefined> {
  const memo = new Map<string, Order | undefined>();
  const held = (i: NodeId, p: readonly NodeId[]): Order | undefined => {
    const key = `${i}|${pathKey(p)}`;
    if (memo.has(key)) return memo.get(key);
    const s = p[p.length - 1];
    const loyal = (): Order =>
      p.length === 1 ? pattern.order : held(s, p.slice(0, -1)) ?? "RETREAT";
    let v: Order | undefined;
    if (pattern.traitors.includes(s)) {
      const c = pattern.choices[s]?.[slotKey(p, i)];
      v = c === undefined ? loyal() : c === "ATTACK" || c === "RETREAT" ? c : undefined;
    } else v = loyal();
    memo.set(key, v);
    return v;
  };
  const out: Record<NodeId, Order | undefined> = {};
  const cfg = { ...config, order: pattern.order };
  for (const i of generalIds(config.n)) {
    if (i === config.commander || pattern.traitors.includes(i)) continue;
    const view = generalsView(i, cfg);
    const received = new Map<string, Order>();
    for (let len = 1; len <= view.depth + 1; len++) {
      for (const p of omPaths(view, len, i)) {
        const v = held(i, p);
        if (v !== undefined) received.set(pathKey(p), v);
      }
    }
    out[i] = omDecision(view, received);
  }
  return out;
}

/** Decisions under a pattern, on the simulator. */
export function evaluateOnSimulator(
  config: GeneralsConfig,
  pattern: LiePattern,
  seed: number | string = 1,
): Record<NodeId, Order | undefined> {
  return {
    ...runGenerals({
      ...config,
      order: pattern.order,
      seed,
      trace: { mode: "off" },
      traitors: pattern.traitors.map((t) => ({
        node: t,
        strategy: { kind: "pattern" as const, choices: { ...pattern.choices[t] } },
      })),
    }).decisions,
  };
}

function combinations<T>(items: readonly T[], k: number): T[][] {
  if (k === 0) return [[]];
  const out: T[][] = [];
  items.forEach((x, i) => {
    for (const rest of combinations(items.slice(i + 1), k - 1)) out.push([x, ...rest]);
  });
  return out;
}

/** Describe an SM or OM send choice in words. */
function describeChoice(
  config: GeneralsConfig,
  t: NodeId,
  key: string,
  c: PatternChoice,
): string {
  const [lhs, to] = key.split("->");
  if (config.algorithm === "om") {
    const path = lhs.split(">");
    const said = path.slice(0, -1).reverse().map((g) => `${g} said`).join(" ");
    if (c === "silent") {
      return path.length === 1
        ? `commander ${t} sends nothing to ${to}`
        : `${t} tells ${to} nothing of what ${path[path.length - 2]} said`;
    }
    return path.length === 1
      ? `commander ${t} orders ${to} ${c}`
      : `${t} tells ${to} "${said} ${c}"`;
  }
  if (lhs === "") {
    if (c === "silent") return `commander ${t} sends nothing to ${to}`;
    if (c === "both") return `commander ${t} signs both ATTACK and RETREAT for ${to}`;
    return `commander ${t} signs ${c} for ${to}`;
  }
  const [value, signers] = lhs.split(":");
  const from = signers.split(">")[0];
  if (c === "relay") return `${t} relays ${from}'s signed ${value} to ${to}`;
  if (c === "drop") return `${t} withholds ${from}'s signed ${value} from ${to}`;
  return `${t} alters ${from}'s signed ${value} for ${to} (its signature no longer verifies)`;
}

/** A lie pattern and its outcome in words. */
export function describePattern(
  config: GeneralsConfig,
  pattern: LiePattern,
  verdict?: GeneralsVerdict,
): string {
  const c = config.commander;
  const roles = pattern.traitors.map((t) => `${t}${t === c ? " (commander)" : ""}`).join(", ");
  const head = pattern.traitors.includes(c)
    ? `traitors ${roles}`
    : `traitors ${roles || "none"}; loyal commander ${c} orders ${pattern.order}`;
  const acts: string[] = [];
  for (const t of pattern.traitors) {
    for (const [key, choice] of Object.entries(pattern.choices[t] ?? {})) {
      acts.push(describeChoice(config, t, key, choice));
    }
  }
  return `${head}; ${acts.join("; ") || "no sends"}` +
    (verdict ? ` ⇒ ${verdict.description}` : "");
}

/**
 * Enumerate every traitor position and lie pattern and check IC1 / IC2 for each.
 * @example
 * ```ts
 * const r = exhaustiveSearch({ n: 3, m: 1 });
 * r.violations > 0; // OM(1) fails with 3 generals
 * ```
 */
export function exhaustiveSearch(options: ExhaustiveOptionsInput): ExhaustiveResult {
  const o = parseConfig(ExhaustiveOptionsSchema, options, "exhaustive options");
  const config = parseGeneralsConfig({
    n: o.n,
    m: o.m,
    algorithm: o.algorithm,
    mistakeOneRoundShort: o.mistakeOneRoundShort,
    mistakeSkipVerify: o.mistakeSkipVerify,
  });
  const k = o.traitorCount ?? o.m;
  const ids = generalIds(o.n);
  const positions = ids.filter((g) =>
    o.traitorsAt === "anywhere" || (o.traitorsAt === "commander") === (g === config.commander)
  );
  const sets = combinations(positions, k);
  const base = {
    n: o.n,
    m: o.m,
    algorithm: o.algorithm,
    traitorCount: k,
    traitorSets: sets.length,
  };
  // Every (traitor set, order) and its slots; the space is the sum of the option products.
  const cases: { traitors: NodeId[]; order: Order; slots: { t: NodeId; slot: TraitorSlot }[] }[] =
    [];
  let space = 0n;
  let smUnsupported = "";
  for (const traitors of sets) {
    const commanderTraitor = traitors.includes(config.commander);
    const orders: readonly Order[] = commanderTraitor ? [o.orders[0]] : o.orders;
    if (
      o.algorithm === "sm" && (config.m > 1 || (commanderTraitor && traitors.length > 1))
    ) {
      smUnsupported = "SM patterns branch on the chains a traitor receives; the search is " +
        "implemented for SM(0) and SM(1) with one traitor";
    }
    for (const order of orders) {
      const slots = traitors.flatMap((t) =>
        traitorSlots(config, t, order).map((slot) => ({ t, slot }))
      );
      cases.push({ traitors, order, slots });
      space += slots.reduce((acc, s) => acc * BigInt(s.slot.options.length), 1n);
    }
  }
  if (k > o.n) {
    return {
      ...base,
      status: "out-of-reach",
      patternSpace: "0",
      patterns: 0,
      violations: 0,
      engine: "none",
      note: "more traitors than generals",
    };
  }
  if (smUnsupported) {
    return {
      ...base,
      status: "out-of-reach",
      patternSpace: "unknown",
      patterns: 0,
      violations: 0,
      engine: "none",
      note: smUnsupported,
    };
  }
  const total = Number(space);
  const sampled = space > BigInt(o.maxPatterns);
  if (sampled && o.sample === 0) {
    return {
      ...base,
      status: "out-of-reach",
      patternSpace: space.toString(),
      patterns: 0,
      violations: 0,
      engine: "none",
      note: `${space} patterns exceed maxPatterns = ${o.maxPatterns}`,
    };
  }
  const engine = o.engine === "auto"
    ? (o.algorithm === "om" && (sampled ? o.sample : total) > 5000 ? "direct" : "simulator")
    : o.engine;
  if (engine === "direct" && o.algorithm !== "om") {
    throw new ConfigError("exhaustive options", [{
      path: "engine",
      message: "the direct evaluator covers OM only; SM runs on the simulator",
    }]);
  }
  let patterns = 0, violations = 0;
  let first: ExhaustiveResult["first"];
  const check = (
    traitors: NodeId[],
    order: Order,
    slots: { t: NodeId; slot: TraitorSlot }[],
    pick: (i: number) => number,
  ) => {
    const choices: Record<NodeId, Record<string, PatternChoice>> = {};
    for (const t of traitors) choices[t] = {};
    slots.forEach((s, i) => {
      choices[s.t][s.slot.key] = s.slot.options[pick(i)];
    });
    const pattern: LiePattern = { traitors, order, choices };
    const cfg = { ...config, order };
    const decisions = engine === "direct"
      ? evaluateOmDirect(cfg, pattern)
      : evaluateOnSimulator(cfg, pattern, o.seed);
    const verdict = checkInteractiveConsistency({
      commander: config.commander,
      traitors,
      order,
      lieutenants: ids.filter((g) => g !== config.commander),
      decisions,
    });
    patterns++;
    if (!verdict.ok) {
      violations++;
      if (!first) first = { pattern, verdict, words: describePattern(cfg, pattern, verdict) };
    }
  };
  if (sampled) {
    const rng = new Rng(o.seed).fork("generals/exhaustive-sample");
    for (let s = 0; s < o.sample; s++) {
      const c = rng.pick(cases);
      check(c.traitors, c.order, c.slots, (i) => rng.int(0, c.slots[i].slot.options.length - 1));
    }
  } else {
    for (const c of cases) {
      const digits = c.slots.map(() => 0);
      for (;;) {
        check(c.traitors, c.order, c.slots, (i) => digits[i]);
        let i = 0;
        while (i < digits.length && ++digits[i] === c.slots[i].slot.options.length) digits[i++] = 0;
        if (i === digits.length) break;
      }
    }
  }
  return {
    ...base,
    status: sampled ? "sampled" : "complete",
    patternSpace: space.toString(),
    patterns,
    violations,
    engine,
    ...(first ? { first } : {}),
    ...(sampled
      ? { note: `${space} patterns exceed maxPatterns = ${o.maxPatterns}; ${o.sample} sampled` }
      : {}),
  };
}
