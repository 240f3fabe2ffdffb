/**
 * Paxos (Lamport, "The Part-Time Parliament", 1998; "Paxos Made Simple", 2001) and Multi-Paxos
 * with a stable leader (van Renesse & Altinbuken, "Paxos Made Moderately Complex", 2015): ballots
 * and messages, the acceptor, proposer and learner roles, the node that holds any of them, its
 * configuration with the classic mistakes as flags, the safety checker, and a replicated
 * key-value server on top.
 * @module
 */
export * from "./messages.ts";
export * from "./config.ts";
export * from "./acceptor.ts";
export * from "./learner.ts";
export * from "./proposer.ts";
export * from "./node.ts";
export * from "./invariants.ts";
export * from "./kv.ts";
