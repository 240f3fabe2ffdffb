/**
 * A causally consistent key-value store with dependency tracking in the spirit of COPS (Lloyd,
 * Freedman, Kaminsky, Andersen, SOSP 2011): local reads and writes, writes replicated with the
 * client's nearest dependencies and applied remotely only once those are visible, last-writer-wins
 * by Lamport-timestamp versions; `ignoreDependencies` is the classic mistake.
 *
 * What the checkers of lib/checkers/causal.ts (Bouajjani, Enea, Guerraoui, Hamza, POPL 2017)
 * say about its histories: CC and CCv (causal convergence: one arbitration order, here the
 * version order) hold; CM (causal memory), which is incomparable with CCv, is not promised and
 * does fail (CyclicHB in 9 of 20 seeds with random-halves partitions and 5 % wide-area loss,
 * 1,290 operations a run on average). With `ignoreDependencies` CC fails (WriteCORead or
 * WriteCOInitRead) while the replicas still converge.
 * @module
 */
export * from "./messages.ts";
export * from "./config.ts";
export * from "./node.ts";
export * from "./client.ts";
export * from "./cluster.ts";
