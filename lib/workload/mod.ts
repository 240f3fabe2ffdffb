/**
 * Workloads and histories: simulated clients (open- and closed-loop, timeouts, retries),
 * Jepsen-style histories, and metrics (latency quantiles, throughput, availability).
 * @module
 */
export * from "./history.ts";
export * from "./client.ts";
export * from "./metrics.ts";
