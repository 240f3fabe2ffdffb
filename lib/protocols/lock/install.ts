/**
 * Add lock clients to a simulation, refusing (with a ConfigError naming the field) a config that
 * names a node the simulation does not have: a lease client's servers or resource, a Redlock
 * client's lock nodes or resource.
 * @module
 */
import type { Simulation } from "../../sim/simulation.ts";
import type { NodeFactory, NodeId } from "../../sim/types.ts";
import { ConfigError, parseConfig } from "../../sim/errors.ts";
import {
  type LeaseClientConfigInput,
  LeaseClientConfigSchema,
  RedlockConfigSchema,
} from "./config.ts";
import type { RedlockConfigInput } from "./config.ts";
import { LeaseClient } from "./kv_lease.ts";
import { RedlockClient } from "./redlock.ts";

function checkKnown(
  sim: Simulation<unknown>,
  what: string,
  field: string,
  ids: readonly NodeId[],
  resource: NodeId | undefined,
): void {
  const issues: { path: string; message: string }[] = [];
  ids.forEach((id, i) => {
    if (!sim.hasNode(id)) {
      issues.push({ path: `${field}[${i}]`, message: `unknown node "${id}"` });
    }
  });
  if (resource !== undefined && !sim.hasNode(resource)) {
    issues.push({ path: "resource", message: `unknown node "${resource}"` });
  }
  if (issues.length) throw new ConfigError(what, issues);
}

/**
 * Add a lease client `id` (a client node) once its config is valid and names known nodes.
 * @example
 * ```ts
 * installLeaseClient(sim, "c0", { servers: ["n0", "n1", "n2"], leaseMs: 400, resource: "store" });
 * ```
 */
export function installLeaseClient(
  sim: Simulation<unknown>,
  id: NodeId,
  config: LeaseClientConfigInput,
): void {
  const c = parseConfig(LeaseClientConfigSchema, config, "lease client config");
  checkKnown(sim, "lease client config", "servers", c.servers, c.resource);
  sim.addNode(
    id,
    ((ctx) => new LeaseClient(ctx as never, c)) as NodeFactory<unknown>,
    { role: "client" },
  );
}

/**
 * Add a Redlock client `id` (a client node) once its config is valid and names known nodes.
 * @example
 * ```ts
 * installRedlockClient(sim, "a", { nodes: ["r0", "r1", "r2"], ttlMs: 1000, resource: "store" });
 * ```
 */
export function installRedlockClient(
  sim: Simulation<unknown>,
  id: NodeId,
  config: RedlockConfigInput,
): void {
  const c = parseConfig(RedlockConfigSchema, config, "redlock config");
  checkKnown(sim, "redlock config", "nodes", c.nodes, c.resource);
  sim.addNode(
    id,
    ((ctx) => new RedlockClient(ctx as never, c)) as NodeFactory<unknown>,
    { role: "client" },
  );
}
