/**
 * Nakamoto consensus on the simulator: miners with hash-power shares, a peer-to-peer network of
 * thousands of nodes (random graph, regions, bandwidth), block relay with validation, an
 * open-loop transaction workload, and the measurements the chain experiments read.
 * @module
 */
export * from "./config.ts";
export * from "./messages.ts";
export * from "./node.ts";
export * from "./network.ts";
export * from "./topology.ts";
