/**
 * Leader election: Chang–Roberts (unidirectional ring), Hirschberg–Sinclair (bidirectional
 * ring), the bully algorithm, and their message complexity against theory.
 * @module
 */
export * from "./config.ts";
export * from "./messages.ts";
export * from "./chang_roberts.ts";
export * from "./hirschberg_sinclair.ts";
export * from "./bully.ts";
export * from "./measure.ts";
