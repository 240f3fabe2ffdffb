/** Configuration of causal broadcast. @module */
import { z } from "zod";

/** Causal broadcast parameters (zod). */
export const CausalConfigSchema = z.object({
  /** Period of anti-entropy (local-clock ms): each node sends its vector to random peers. */
  syncIntervalMs: z.number().positive().default(200),
  /** Peers contacted per anti-entropy round. */
  syncFanout: z.number().int().min(1).default(1),
  /**
   * Classic mistake, off by default: deliver every message on receipt (no delivery condition).
   * A message can then be delivered before one it causally depends on (a reply before the
   * question); the causal delivery checker catches it.
   */
  deliverOnReceipt: z.boolean().default(false),
}).strict();

/** Parameters as written. */
export type CausalConfigInput = z.input<typeof CausalConfigSchema>;
/** Parameters with defaults. */
export type CausalConfig = z.output<typeof CausalConfigSchema>;
