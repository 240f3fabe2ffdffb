/**
 * Gossip broadcast: push, pull and push-pull epidemics in rounds.
 * @module
 */
export * from "./messages.ts";
export * from "./config.ts";
export * from "./node.ts";
