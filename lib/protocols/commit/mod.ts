/**
 * Atomic commitment: two-phase commit, three-phase commit, Paxos Commit, and a checker of
 * atomicity and non-triviality.
 * @module
 */
export * from "./config.ts";
export * from "./messages.ts";
export * from "./two_pc.ts";
export * from "./three_pc.ts";
export * from "./paxos_commit.ts";
export * from "./checker.ts";
export * from "./scenarios.ts";
