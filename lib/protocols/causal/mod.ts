/**
 * Causal broadcast: vector clocks and the Birman–Schiper–Stephenson delivery condition, with
 * anti-entropy for lossy networks, and a checker of causal delivery against happens-before.
 * @module
 */
export * from "./messages.ts";
export * from "./config.ts";
export * from "./node.ts";
export * from "./invariants.ts";
