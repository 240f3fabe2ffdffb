/**
 * A replicated key-value store over any replicated log: the protocol-neutral log interface, the
 * state machine with client sessions, the server node, and the workload driver and generators.
 * @module
 */
export * from "./replicated_log.ts";
export * from "./messages.ts";
export * from "./state_machine.ts";
export * from "./config.ts";
export * from "./server.ts";
export * from "./client.ts";
