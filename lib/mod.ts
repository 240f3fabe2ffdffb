/**
 * distlab's public surface. Notebooks import from here (`@lab/mod.ts`) or from an area's mod.ts.
 * @module
 */
export * from "./sim/mod.ts";
export * from "./net/mod.ts";
export * from "./workload/mod.ts";
export * as heartbeat from "./protocols/heartbeat/mod.ts";
export * as gossip from "./protocols/gossip/mod.ts";
