/**
 * Parameter schemas of the runner's smoke-test notebooks (tests/tools/).
 *
 * @module
 */
import { z } from "zod";

/** Parameters of outputs.ipynb. */
export const RoundsSchema = z.object({ rounds: z.number().int().min(1).max(10) });

/** Parameters of params.ipynb. */
export const ParamsSchema = z.object({
  n: z.number().int().min(0).max(100),
  label: z.string().min(1),
});

/** Parameters of failing.ipynb and silent.ipynb. */
export const SeedSchema = z.object({ seed: z.number().int() });
