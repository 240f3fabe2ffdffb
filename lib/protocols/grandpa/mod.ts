/**
 * GRANDPA (Stewart and Kokoris-Kogia, "GRANDPA: a Byzantine Finality Gadget", 2020): a finality
 * gadget over the shared block tree, with a round-robin slot producer, the 2/3-GHOST vote
 * arithmetic, its adversary kit, the accountable-safety challenge procedure, a cluster and a sweep.
 * @module
 */
export * from "./config.ts";
export * from "./messages.ts";
export * from "./ghost.ts";
export * from "./node.ts";
export * from "./byzantine.ts";
export * from "./evidence.ts";
export * from "./cluster.ts";
export * from "./sweep.ts";
