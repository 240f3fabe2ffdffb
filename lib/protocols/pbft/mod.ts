/**
 * PBFT (Castro and Liskov, "Practical Byzantine Fault Tolerance", OSDI 1999): replicas behind the
 * replicated-log interface, the key-value store on it, PBFT's own client and counter service, the
 * adversary kit, accountability, a cluster builder and seed sweeps.
 * @module
 */
export * from "./config.ts";
export * from "./messages.ts";
export * from "./node.ts";
export * from "./kv.ts";
export * from "./service.ts";
export * from "./byzantine.ts";
export * from "./evidence.ts";
export * from "./cluster.ts";
export * from "./sweep.ts";
