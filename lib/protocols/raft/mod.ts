/**
 * Raft consensus (Ongaro & Ousterhout 2014; Ongaro's thesis 2014): the node, its messages and
 * configuration, the log, the safety checker, and a replicated key-value server on top.
 * @module
 */
export * from "./messages.ts";
export * from "./config.ts";
export * from "./log.ts";
export * from "./node.ts";
export * from "./invariants.ts";
export * from "./kv.ts";
