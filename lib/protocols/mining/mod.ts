/**
 * Mining attacks on Nakamoto consensus, on the shared block tree: the double-spend race behind
 * confirmation counts (Nakamoto 2008 §11; Rosenfeld 2014; Grunspan and Pérez-Marco 2017) and
 * selfish mining (Eyal and Sirer, FC 2014), each with its closed form beside the simulation.
 * @module
 */
export * from "./confirmations.ts";
export * from "./double_spend.ts";
export * from "./selfish.ts";
export * from "./stats.ts";
