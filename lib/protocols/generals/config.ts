/**
 * Configuration of the Byzantine generals protocols: size, number of traitors tolerated, the
 * algorithm, the commander and its order, the round length, and classic mistakes as named flags.
 * @module
 */
import { z } from "zod";
import { parseConfig } from "../../sim/errors.ts";
import type { NodeId } from "../../sim/types.ts";
import { omMessageCount } from "./counts.ts";

/** Most messages a loyal OM(m) run may send (the recursion grows like n^(m+1)). */
export const OM_MESSAGE_LIMIT = 2_000_000;

/** Generals are n0..n{n-1}. */
export function generalIds(n: number): NodeId[] {
  return Array.from({ length: n }, (_, i) => `n${i}`);
}

/** Parameters of a generals run (zod). */
export const GeneralsConfigSchema = z.object({
  /** Number of generals, commander included. */
  n: z.number().int().min(2).max(64),
  /** Number of traitors the algorithm is built to tolerate: OM(m) / SM(m) run m + 1 rounds. */
  m: z.number().int().min(0),
  /** "om": oral messages, §3; "sm": signed messages, §4. Default "om". */
  algorithm: z.enum(["om", "sm"]).default("om"),
  /** The commander's id. Default "n0". */
  commander: z.string().min(1).default("n0"),
  /** The order a loyal commander sends. Default "ATTACK". */
  order: z.enum(["ATTACK", "RETREAT"]).default("ATTACK"),
  /**
   * Length of a round (local-clock ms); must exceed the largest message delay, so that a missing
   * message is detected at the round's end (the paper's assumption A3). Default 10.
   */
  roundMs: z.number().positive().default(10),
  /**
   * Classic mistake, off by default: recurse one level too shallow, i.e. run OM(m−1) (or SM(m−1))
   * while m traitors may be present. With m = 1 that is OM(0): each lieutenant obeys the
   * commander's direct message, so a traitor commander that splits its orders breaks IC1 even at
   * n = 4 (the paper's §3 proof of OM(m) needs the full m + 1 rounds).
   */
  mistakeOneRoundShort: z.boolean().default(false),
  /**
   * Classic mistake, off by default: SM lieutenants accept a chain without checking signatures
   * (§4's assumption A4 is what makes SM work): a traitor lieutenant can then alter a relayed
   * order and break IC2 at n = 3.
   */
  mistakeSkipVerify: z.boolean().default(false),
  /**
   * Wasteful variant, off by default: OM lieutenants also relay to the commander, who is not a
   * lieutenant of the sub-instances OM(m−1); decisions are unchanged, message counts are not.
   */
  mistakeRelayToCommander: z.boolean().default(false),
}).strict().superRefine((c, ctx) => {
  // zod runs refinements even after a field failed; judge cross-field rules only on a sane n.
  if (!(Number.isInteger(c.n) && c.n >= 2 && c.n <= 64)) return;
  const ids = generalIds(c.n);
  if (!ids.includes(c.commander)) {
    ctx.addIssue({
      code: "custom",
      path: ["commander"],
      message: `unknown general "${c.commander}" (generals: n0..n${c.n - 1})`,
    });
  }
  if (!(Number.isInteger(c.m) && c.m >= 0)) return;
  if (c.m > c.n - 2) {
    ctx.addIssue({
      code: "custom",
      path: ["m"],
      message: `m = ${c.m} needs relay chains of m lieutenants plus a receiver: m <= n - 2 = ${
        c.n - 2
      }`,
    });
  } else if (c.algorithm === "om" && omMessageCount(c.n, c.m) > OM_MESSAGE_LIMIT) {
    ctx.addIssue({
      code: "custom",
      path: ["m"],
      message: `OM(${c.m}) with n = ${c.n} sends ${
        omMessageCount(c.n, c.m)
      } messages (limit ${OM_MESSAGE_LIMIT})`,
    });
  }
});

/** Parameters as written. */
export type GeneralsConfigInput = z.input<typeof GeneralsConfigSchema>;
/** Parameters with defaults. */
export type GeneralsConfig = z.output<typeof GeneralsConfigSchema>;

/** Validate a configuration, or throw a ConfigError naming the bad field. */
export function parseGeneralsConfig(input: unknown): GeneralsConfig {
  return parseConfig(GeneralsConfigSchema, input, "generals config");
}

/** The depth the nodes really run: m, or m − 1 under `mistakeOneRoundShort`. */
export function effectiveDepth(c: GeneralsConfig): number {
  return c.mistakeOneRoundShort ? Math.max(0, c.m - 1) : c.m;
}
