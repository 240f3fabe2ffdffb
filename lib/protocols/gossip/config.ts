/** Configuration of gossip broadcast. @module */
import { z } from "zod";

/** Gossip parameters (zod). */
export const GossipConfigSchema = z.object({
  /** push: infected nodes send rumors; pull: every node asks; pushPull: both in one exchange. */
  mode: z.enum(["push", "pull", "pushPull"]).default("push"),
  /** Length of a round (local-clock ms). */
  roundMs: z.number().positive().default(100),
  /** Peers contacted per round. */
  fanout: z.number().int().min(1).default(1),
  /** A node spreads a rumor for this many rounds after learning it (then it stays quiet). */
  rumorLifetimeRounds: z.number().int().min(1).default(40),
  /** Stop all activity after this many rounds (bounds a run); default unlimited. */
  maxRounds: z.number().int().min(1).optional(),
}).strict();

/** Parameters as written. */
export type GossipConfigInput = z.input<typeof GossipConfigSchema>;
/** Parameters with defaults. */
export type GossipConfig = z.output<typeof GossipConfigSchema>;
