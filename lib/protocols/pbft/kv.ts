/** The replicated key-value store on PBFT: KV servers whose log is a PbftNode. @module */
import type { NodeContext } from "../../sim/types.ts";
import { ConfigError, parseConfig } from "../../sim/errors.ts";
import type { KvCommand } from "../kv/state_machine.ts";
import type { KvServerMessage } from "../kv/messages.ts";
import { type KvConfigInput, KvConfigSchema } from "../kv/config.ts";
import { KvServer } from "../kv/server.ts";
import { type PbftConfigInput, PbftConfigSchema } from "./config.ts";
import type { PbftMessage } from "./messages.ts";
import { PbftNode } from "./node.ts";

/** A message a PBFT-backed key-value server handles. */
export type PbftKvMessage = KvServerMessage<PbftMessage<KvCommand>>;

/** Options of {@link pbftKvServer}. */
export interface PbftKvOptions {
  /** PBFT parameters. */
  readonly pbft?: PbftConfigInput;
  /** Key-value server parameters; reads go through the log (PBFT has no ReadIndex here). */
  readonly kv?: KvConfigInput;
}

/**
 * A factory of key-value servers replicated by PBFT, the counterpart of `raftKvServer`. Only the
 * primary's server answers a client (the KvServer replies where the request was proposed); the
 * paper's f + 1 matching replies are what {@link PbftClient} does. Reads go through the log.
 * @example
 * ```ts
 * const { sim } = createCluster<PbftKvMessage>({ seed: 1, nodes: 4, factory: pbftKvServer() });
 * ```
 */
export function pbftKvServer(
  options: PbftKvOptions = {},
): (ctx: NodeContext<PbftKvMessage>) => KvServer<PbftMessage<KvCommand>> {
  const kv = parseConfig(KvConfigSchema, options.kv ?? {}, "kv config");
  parseConfig(PbftConfigSchema, options.pbft ?? {}, "pbft config");
  if (kv.reads === "lease") {
    throw new ConfigError("pbft kv options", [{
      path: "kv.reads",
      message: `"lease" needs leader leases, which PBFT does not have; use "log"`,
    }]);
  }
  return (ctx) =>
    new KvServer<PbftMessage<KvCommand>>(ctx, {
      ...options.kv,
      log: (c, hooks) => new PbftNode<KvCommand>(c, options.pbft, hooks),
    });
}
