/**
 * Experiments of notebook 05 (consensus, crash-fault part), one module per experiment:
 *
 * - consensus_params.ts — the notebook's parameters (zod) and the timing both protocols share;
 * - consensus_mistakes.ts — Paxos's two classic mistakes as scripted three-node scenarios;
 * - consensus_kv.ts — the key-value store on Multi-Paxos and on Raft under one fault schedule;
 * - consensus_duel.ts — dueling proposers with and without randomized back-off;
 * - consensus_flp.ts — a timeout-starving scheduler that keeps both protocols undecided, then lets go;
 * - consensus_valence.ts — FLP's valence argument computed on a three-process protocol.
 *
 * Each experiment takes parsed parameters and returns plain rows; each `check…` function returns
 * the predictions of theory as claims checked against those rows.
 * @module
 */
export * from "./consensus_params.ts";
export * from "./consensus_mistakes.ts";
export * from "./consensus_kv.ts";
export * from "./consensus_duel.ts";
export * from "./consensus_flp.ts";
export * from "./consensus_valence.ts";
