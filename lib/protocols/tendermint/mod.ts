/**
 * Tendermint (Buchman, Kwon, Milosevic, "The latest gossip on BFT consensus", 2018): Algorithm 1
 * per height, a chain of blocks, the KV store on top, its adversary kit and forensics.
 * @module
 */
export * from "./config.ts";
export * from "./messages.ts";
export * from "./node.ts";
export * from "./kv.ts";
export * from "./byzantine.ts";
export * from "./evidence.ts";
export * from "./cluster.ts";
export * from "./scenarios.ts";
