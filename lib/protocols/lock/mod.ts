/**
 * Distributed locking and lease-based leader election: leases on the Raft key-value store with
 * fencing tokens, the protected resource that checks them, Redlock over independent nodes, and a
 * checker of mutual exclusion on the resource's history.
 * @module
 */
export * from "./config.ts";
export * from "./messages.ts";
export * from "./resource.ts";
export * from "./kv_lease.ts";
export * from "./redlock.ts";
export * from "./mutex_check.ts";
export * from "./history.ts";
export * from "./install.ts";
export * from "./scenarios.ts";
