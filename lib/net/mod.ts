/**
 * The network model and faults: latency distributions, loss, duplication, reordering,
 * bandwidth, partitions, the nemesis (hand-written and generated schedules), adversaries, and
 * a one-call cluster builder.
 * @module
 */
export * from "./latency.ts";
export * from "./network.ts";
export * from "./nemesis.ts";
export * from "./adversary.ts";
export * from "./cluster.ts";
export * from "./shrink.ts";
