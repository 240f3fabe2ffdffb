/** Configuration of a Tendermint replica (zod, with defaults). @module */
import { z } from "zod";
import { BftSizeFields } from "../bft/config.ts";

/** Tendermint parameters; every field has a default. Times are local-clock milliseconds. */
export const TendermintConfigSchema = z.object({
  ...BftSizeFields,
  /** Most transactions the proposer puts in a new block (getValue(), line 18). Default 64. */
  maxBlockTxs: z.number().int().min(0).default(64),
  /** timeoutPropose(r) = timeoutProposeMs + r · timeoutDeltaMs (lines 21, 57). Default 100. */
  timeoutProposeMs: z.number().positive().default(100),
  /** timeoutPrevote(r) = timeoutPrevoteMs + r · timeoutDeltaMs (lines 35, 61). Default 50. */
  timeoutPrevoteMs: z.number().positive().default(50),
  /** timeoutPrecommit(r) = timeoutPrecommitMs + r · timeoutDeltaMs (lines 48, 65). Default 50. */
  timeoutPrecommitMs: z.number().positive().default(50),
  /**
   * How much each timeout grows per round, so that after GST the timeouts eventually exceed the
   * message delay (the paper's liveness argument, §4). Default 25.
   */
  timeoutDeltaMs: z.number().min(0).default(25),
  /**
   * Wait after a decision before StartRound(0) of the next height (Tendermint's timeout_commit;
   * Algorithm 1 starts at once). It lets late precommits arrive and paces empty blocks. Default 10.
   */
  timeoutCommitMs: z.number().min(0).default(10),
  /**
   * Re-broadcast one's own proposal and votes of the current round every this many ms, and ask
   * peers ahead for missing blocks: the gossip the paper assumes (§2), made concrete. Set it
   * longer than a run to count only the messages of Algorithm 1. Default 100.
   */
  gossipIntervalMs: z.number().positive().default(100),
  /** Most commit certificates in one block-sync answer. Default 32. */
  maxCommitsPerSync: z.number().int().min(1).default(32),
  /**
   * MISTAKE (Algorithm 1, lines 23 and 29): prevote for any valid proposal, ignoring
   * lockedRound/lockedValue. A replica locked on v (it precommitted v, maybe v was decided) then
   * helps a Byzantine proposer's v' gather a polka and a decision in a later round: two values
   * decided at one height. Default false.
   */
  mistakePrevoteIgnoresLock: z.boolean().default(false),
  /**
   * MISTAKE (Algorithm 1, line 29): accept a POL from any round vr, dropping lockedRound ≤ vr. A
   * replica locked on v in round r then prevotes v' ≠ v because of an older polka for v' in
   * vr < r, so a value superseded by the lock can be decided after v was. Default false.
   */
  mistakeUnlockOnLowerRound: z.boolean().default(false),
  /**
   * Test hook (Twins, Bano et al. 2021, §4: the scenario assigns the leader of each round):
   * proposer(h, r), overriding the (h + r) mod n rotation when it returns an id. Default: none.
   */
  leaderOf: z.custom<(height: number, round: number) => string | undefined>(
    (f) => typeof f === "function",
    { message: "must be a function (height, round) => node id" },
  ).optional(),
  /**
   * Test hook (Twins, Bano et al. 2021, §3: twins diverge through their own inputs): a fresh
   * block (getValue(), line 18) carries a salt drawn from the replica's own random stream, so two
   * instances of one identity proposing in the same round build different values. Honest code,
   * deterministic per instance; a real getValue() differs through timestamps. Default false.
   */
  proposalSalt: z.boolean().default(false),
}).strict();

/** Parameters as written. */
export type TendermintConfigInput = z.input<typeof TendermintConfigSchema>;
/** Parameters with defaults applied. */
export type TendermintConfig = z.output<typeof TendermintConfigSchema>;
