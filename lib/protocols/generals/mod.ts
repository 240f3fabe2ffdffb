/**
 * The Byzantine generals problem (Lamport, Shostak, Pease 1982): OM(m) with oral messages, SM(m)
 * with signed messages, traitor strategies, the IC1/IC2 checker and an exhaustive search over
 * every traitor position and lie pattern for small n.
 * @module
 */
export * from "./messages.ts";
export * from "./config.ts";
export * from "./counts.ts";
export * from "./node.ts";
export * from "./byzantine.ts";
export * from "./checker.ts";
export * from "./run.ts";
export * from "./exhaustive.ts";
