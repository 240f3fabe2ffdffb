/**
 * Parameter schemas of the runner's smoke-test notebooks (tests/tools/).
 *
 * @module
 */
import { z } from "zod";
import { parseConfig } from "@lab/sim/errors.ts";

/** Parameters of outputs.ipynb. */
export const RoundsSchema = z.object({ rounds: z.number().int().min(1).max(10) });

/** Parameters of params.ipynb. */
export const ParamsSchema = z.object({
  n: z.number().int().min(0).max(100),
  label: z.string().min(1),
});

/** params.ipynb's parameters, or a ConfigError naming each bad field (as notebooks validate). */
export function parseParams(input: unknown): z.infer<typeof ParamsSchema> {
  return parseConfig(ParamsSchema, input, "params.ipynb parameters");
}

/** Parameters of claims.ipynb. */
export const ClaimsSchema = z.object({ limit: z.number().int().min(0).max(10) });

/** Parameters of failing.ipynb and silent.ipynb. */
export const SeedSchema = z.object({ seed: z.number().int() });
