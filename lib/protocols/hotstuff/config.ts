/** Configuration of a HotStuff replica (zod, with defaults). @module */
import { z } from "zod";
import { BftSizeFields } from "../bft/config.ts";

/** HotStuff parameters; every field has a default. Times are local-clock milliseconds. */
export const HotStuffConfigSchema = z.object({
  ...BftSizeFields,
  /**
   * "basic": Algorithm 2 of Yin et al. (PODC 2019), four phases per view (prepare, pre-commit,
   * commit, decide), one decision per view. "chained": Algorithm 3, one generic phase per view,
   * every QC serving the pre-commit/commit/decide phases of the three blocks above it. Default
   * "chained".
   */
  variant: z.enum(["basic", "chained"]).default("chained"),
  /**
   * Leader rotation (§4.4: the pacemaker elects leaders; here round-robin): leader(v) =
   * replicas[⌊v / viewsPerLeader⌋ mod n]. With 1 (every view a new leader) chained HotStuff needs
   * four consecutive views with honest leaders to commit (three certified nodes in consecutive
   * views plus the leader that collects the third QC), so at n = 4 with one crashed or silent
   * replica it never commits again: a liveness property of chained HotStuff under per-view
   * rotation, not a bug (basic HotStuff is not affected). 2 or more restores liveness there.
   * Default 1.
   */
  viewsPerLeader: z.number().int().min(1).default(1),
  /**
   * Test hook (Twins, Bano et al. 2021, §4: the scenario assigns the leader of each round):
   * leader(v), overriding the round-robin rotation when it returns an id. Default: none.
   */
  leaderOf: z.custom<(view: number) => string | undefined>(
    (f) => typeof f === "function",
    { message: "must be a function (view) => node id" },
  ).optional(),
  /**
   * Test hook (Twins, Bano et al. 2021, §3: twins diverge through their own inputs): a new node
   * (createLeaf) carries a nonce drawn from the replica's own random stream, so two instances of
   * one identity leading the same view propose different nodes. Honest code, deterministic per
   * instance; a real leader's nodes differ through timestamps. Default false.
   */
  proposalSalt: z.boolean().default(false),
  /** Most client commands the leader puts in a new node (createLeaf, Algorithm 1). Default 64. */
  maxBlockTxs: z.number().int().min(0).default(64),
  /**
   * The pacemaker's base view timeout (§4.4 and §5: "nextView" is called when a view times out).
   * Default 300.
   */
  viewTimeoutMs: z.number().positive().default(300),
  /**
   * Exponential back-off of the view timeout: after k consecutive views without a new QC the
   * timeout is viewTimeoutMs · 2^min(k, maxBackoffExponent), so after GST views eventually last
   * long enough for an honest leader to finish (§4.4, "the pacemaker ... doubles"). Default 6.
   */
  maxBackoffExponent: z.number().int().min(0).max(20).default(6),
  /**
   * View synchronization, which the paper leaves to the pacemaker (§4.4): after this many
   * consecutive failed views a replica sends its NEW-VIEW to every replica instead of only the
   * next leader, and a replica that holds NEW-VIEWs of f + 1 replicas for views ≥ w (at least one
   * honest replica gave up on w) leaves w too (Bracha-style amplification, as in Tendermint's
   * f + 1 round skip and LibraBFT's timeouts). Replicas whose exponential back-offs drifted apart
   * after a partition meet again; a single failed view still costs only the linear NEW-VIEW.
   * 0 never broadcasts. Default 2.
   */
  syncAfterFailures: z.number().int().min(0).default(2),
  /**
   * Model a threshold signature: a QC counts as one aggregate authenticator (§3, "a (k, n)-
   * threshold signature scheme"). The n − f partial signatures are still carried and verified
   * one by one (the simulator has no pairing crypto), only the authenticator count changes.
   * Default false (a QC is a set of n − f signatures).
   */
  thresholdSignatures: z.boolean().default(false),
  /** Most blocks in one answer to a fetch of missing ancestors (block sync). Default 32. */
  maxBlocksPerFetch: z.number().int().min(1).default(32),
  /**
   * MISTAKE (Algorithm 2, prepare phase; Algorithm 3): safeNode accepts any proposal, dropping
   * both the safety rule (extends lockedQC.node) and the liveness rule (justify.viewNumber >
   * lockedQC.viewNumber). A Byzantine leader then gets honest votes for a node that forks below
   * a committed one (its justify an old QC), and the fork is decided too. Default false.
   */
  mistakeIgnoreLock: z.boolean().default(false),
  /**
   * MISTAKE (chained HotStuff, §5, the Three-Chain): commit b as soon as b ← b' form a Two-Chain
   * (direct parent, consecutive views), i.e. when only the lock forms. A replica that saw the
   * two-chain commits while the other honest replicas are locked one block lower and can be led
   * by a later leader onto a fork: two blocks decided at one height. Default false.
   */
  mistakeCommitOnTwoChain: z.boolean().default(false),
  /**
   * MISTAKE (Algorithm 1, QC(V): "n − f votes"): the quorum constant off by one, n − f − 1 (2f at
   * n = 3f + 1) wherever a replica waits for n − f: votes forming a QC, a QC's validity check, the
   * leader's NEW-VIEW collection and view synchronisation. Two such quorums meet in n − 2f − 2 =
   * f − 1 replicas, possibly none honest, so two partitions can each certify and decide their own
   * node in one view. Default false.
   */
  mistakeQuorumOffByOne: z.boolean().default(false),
}).strict();

/** Parameters as written. */
export type HotStuffConfigInput = z.input<typeof HotStuffConfigSchema>;
/** Parameters with defaults applied. */
export type HotStuffConfig = z.output<typeof HotStuffConfigSchema>;
