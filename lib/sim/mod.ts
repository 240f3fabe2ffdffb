/**
 * The deterministic discrete-event simulator: virtual time, seeded random streams, node
 * lifecycle, clocks, durable storage and the trace.
 * @module
 */
export * from "./types.ts";
export * from "./rng.ts";
export * from "./storage.ts";
export * from "./queue.ts";
export * from "./trace.ts";
export * from "./errors.ts";
export * from "./simulation.ts";
export * from "./fake_context.ts";
