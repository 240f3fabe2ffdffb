/**
 * Heartbeat failure detectors: a fixed timeout and phi-accrual, plus their quality metrics.
 * @module
 */
export * from "./messages.ts";
export * from "./config.ts";
export * from "./node.ts";
export * from "./metrics.ts";
export * from "./leader.ts";
