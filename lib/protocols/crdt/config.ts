/** Configuration of the CRDT replica nodes. @module */
import { z } from "zod";
import { CausalConfigSchema } from "../causal/config.ts";

/** State-based replica parameters (zod). */
export const StateCrdtConfigSchema = z.object({
  /** Anti-entropy period (local-clock ms): send the whole state to random peers. */
  gossipIntervalMs: z.number().positive().default(100),
  /** Peers contacted per anti-entropy round. */
  fanout: z.number().int().min(1).default(1),
  /** Answer a gossip whose sender lacks something with the merged state (push-pull). */
  pushPull: z.boolean().default(true),
}).strict();

/** State-based parameters as written. */
export type StateCrdtConfigInput = z.input<typeof StateCrdtConfigSchema>;
/** State-based parameters with defaults. */
export type StateCrdtConfig = z.output<typeof StateCrdtConfigSchema>;

/** Op-based replica parameters (zod): those of the causal broadcast underneath. */
export const OpCrdtConfigSchema = z.object({
  /** Causal broadcast parameters. */
  causal: CausalConfigSchema.default(CausalConfigSchema.parse({})),
}).strict();

/** Op-based parameters as written. */
export type OpCrdtConfigInput = z.input<typeof OpCrdtConfigSchema>;
/** Op-based parameters with defaults. */
export type OpCrdtConfig = z.output<typeof OpCrdtConfigSchema>;
