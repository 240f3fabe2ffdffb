/**
 * A Dynamo-style leaderless key-value store (DeCandia et al., "Dynamo: Amazon's highly available
 * key-value store", SOSP 2007): consistent hashing with virtual nodes and preference lists, N, R
 * and W per request, strict or sloppy quorums with hinted handoff, read repair, Merkle-tree
 * anti-entropy, and conflicts resolved by dotted version vectors (siblings) or last-writer-wins.
 * @module
 */
export * from "./config.ts";
export * from "./ring.ts";
export * from "./version.ts";
export * from "./merkle.ts";
export * from "./messages.ts";
export * from "./node.ts";
export * from "./cluster.ts";
