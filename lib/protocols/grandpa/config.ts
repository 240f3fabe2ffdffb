/** Configuration of a GRANDPA node: voter and round-robin block producer (zod, with defaults). @module */
import { z } from "zod";
import { BftSizeFields } from "../bft/config.ts";
import { forkChoiceNameSchema } from "../../chain/fork_choice.ts";

/** GRANDPA parameters; every field has a default. Times are local-clock milliseconds. */
export const GrandpaConfigSchema = z.object({
  ...BftSizeFields,
  /**
   * T: the time bound "that after GST suffices for all honest participants to communicate with
   * each other" (§3.2). Voters wait t_{r,v} + 2T before prevoting and t_{r,v} + 4T before a
   * timed precommit. Default 10.
   */
  gossipDelayMs: z.number().positive().default(10),
  /**
   * The block-production protocol P (§2.2): round-robin slots of this length; the producer of slot
   * k is voter k mod n and extends the best chain of its view. Default 25.
   */
  slotMs: z.number().positive().default(25),
  /** Stop producing blocks after this local time (default: never). */
  produceUntilMs: z.number().positive().optional(),
  /** Block size on the wire in bytes (matters on links with a bandwidth). Default 1000. */
  blockSizeBytes: z.number().int().min(0).default(1000),
  /** The best-chain rule A(v, s_v, B) and the producers' rule (§2.2). Default "longest". */
  forkChoice: forkChoiceNameSchema.default("longest"),
  /**
   * Precommit early when it is impossible for V_{r,v} to have a supermajority for any child of
   * g(V_{r,v}) (§3.2, step 4, condition (iii), "optional"). Default true.
   */
  precommitOnImpossibleChild: z.boolean().default(true),
  /**
   * Re-send one's own votes of the current and previous round every this many ms, and re-ask for
   * missing blocks: the gossip the paper assumes (§2.3), made concrete. Set it longer than a run to
   * count only the votes of §3.2. Default 100.
   */
  rebroadcastMs: z.number().positive().default(100),
  /** Rounds of votes kept behind the current one (older ones are dropped). Default 8. */
  keepRounds: z.number().int().min(2).default(8),
  /**
   * MISTAKE (§3.2, step 4): precommit right after prevoting, for g(V_{r,v}) if it exists and
   * otherwise for E_{r−1,v}, without waiting for g(V_{r,v}) ≥ E_{r−1,v} and a prevote
   * supermajority. At that moment V_{r,v} holds about one vote, so every precommit names the old
   * estimate: g(C_r) never passes the last finalised block and finality stops (Lemma 4.7 fails).
   * Default false.
   */
  mistakePrecommitWithoutPrevotes: z.boolean().default(false),
  /**
   * MISTAKE (§3.2, step 3): prevote the best chain containing the last finalised block, ignoring
   * E_{r−1,v} and the primary's block. A voter then stops carrying forward blocks that may have
   * been finalised in round r − 1 (the argument of Theorem 4.1 / Corollary 4.3 needs every honest
   * vote in round r to be ≥ E_{r−1,v}). Default false.
   */
  mistakePrevoteIgnoresEstimate: z.boolean().default(false),
  /**
   * Test hook: the primary of round r, overriding the rotation (voter r mod n) when it returns an
   * id. Default none.
   */
  primaryOf: z.custom<(round: number) => string | undefined>(
    (f) => typeof f === "function",
    { message: "must be a function (round) => node id" },
  ).optional(),
}).strict();

/** Parameters as written. */
export type GrandpaConfigInput = z.input<typeof GrandpaConfigSchema>;
/** Parameters with defaults applied. */
export type GrandpaConfig = z.output<typeof GrandpaConfigSchema>;
