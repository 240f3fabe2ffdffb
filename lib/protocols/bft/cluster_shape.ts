/**
 * The options every BFT cluster builder shares (PBFT-style KV clusters of Tendermint and HotStuff,
 * GRANDPA): their zod fields, the size check and the closed-loop KV workload they install.
 * @module
 */
import { z } from "zod";
import type { Simulation } from "../../sim/simulation.ts";
import { installWorkload, type Workload, type WorkloadInput } from "../../workload/client.ts";
import { kvClientDriver, kvOpGenerator } from "../kv/client.ts";
import type { KvServerMessage } from "../kv/messages.ts";
import { type BftSize, bftSize } from "./config.ts";

/** zod fields of every BFT cluster's options (seed, size, network, faults, tracing, checking). */
export const BFT_CLUSTER_FIELDS = {
  seed: z.union([z.number().int(), z.string().min(1)]),
  n: z.number().int().min(1).max(1024),
  f: z.number().int().min(0).optional(),
  quorum: z.number().int().min(1).optional(),
  allowUnsafe: z.boolean().default(false),
  network: z.unknown().optional(),
  nemesis: z.unknown().optional(),
  byzantine: z.unknown().optional(),
  trace: z.unknown().optional(),
  throwOnBreach: z.boolean().optional(),
  collectEvents: z.boolean().optional(),
};

/** zod fields of a BFT cluster that serves the KV store to clients. */
export const BFT_KV_FIELDS = {
  clients: z.number().int().min(0).default(0),
  workload: z.record(z.string(), z.unknown()).optional(),
  kv: z.unknown().optional(),
};

/** The cluster's n, f and quorum from parsed options (unsafe sizes refused naming `what`). */
export function bftClusterSize(
  o: { n: number; f?: number; quorum?: number; allowUnsafe: boolean },
  what: string,
): BftSize {
  return bftSize(o.n, { f: o.f, quorum: o.quorum, allowUnsafe: o.allowUnsafe }, what);
}

/**
 * The closed-loop KV workload of a BFT cluster: `clients` clients on 3 keys until 2 s, 500 ms
 * timeouts with 50 retries (overridable by `workload`); none when `clients` is 0.
 */
export function installBftKvWorkload<LM>(
  sim: Simulation<KvServerMessage<LM>>,
  clients: number,
  workload: Partial<WorkloadInput> | undefined,
): Workload<KvServerMessage<LM>> | undefined {
  if (clients <= 0) return undefined;
  return installWorkload(sim, kvClientDriver<LM>(), kvOpGenerator({ keys: 3 }), {
    mode: "closed",
    clients,
    endMs: 2_000,
    timeoutMs: 500,
    retries: 50,
    retryBackoffMs: 20,
    ...workload,
  });
}
