/**
 * Checkers: verdicts with witnesses over histories and traces. Linearizability (Wing & Gong /
 * Lowe / Porcupine style, with P-compositional partitioning) and the history parsers it reads.
 * @module
 */
export * from "./linearizability.ts";
export * from "./parse_history.ts";
export * from "./sequential.ts";
export * from "./causal.ts";
export * from "./session.ts";
export * from "./convergence.ts";
export * from "./staleness.ts";
