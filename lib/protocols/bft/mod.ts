/**
 * Pieces every BFT protocol shares: cluster size and quorums, the `bft-decide` event, signed
 * statements and culprits, and the BFT checker (agreement, validity, liveness, accountability).
 * @module
 */
export * from "./config.ts";
export * from "./events.ts";
export * from "./evidence.ts";
export * from "./invariants.ts";
