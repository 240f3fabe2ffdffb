/**
 * CRDTs (Shapiro, Preguiça, Baquero, Zawirski 2011): state-based G-Counter, PN-Counter, G-Set,
 * 2P-Set, OR-Set, LWW-Register and MV-Register merged by gossip, and their op-based versions
 * over causal broadcast.
 * @module
 */
export * from "./state.ts";
export * from "./op.ts";
export * from "./messages.ts";
export * from "./config.ts";
export * from "./node.ts";
