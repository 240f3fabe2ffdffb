/** The replicated key-value store on Tendermint: KV servers whose log is a TendermintNode. @module */
import type { NodeContext } from "../../sim/types.ts";
import { ConfigError, parseConfig } from "../../sim/errors.ts";
import type { KvCommand } from "../kv/state_machine.ts";
import type { KvServerMessage } from "../kv/messages.ts";
import { type KvConfigInput, KvConfigSchema } from "../kv/config.ts";
import { KvServer } from "../kv/server.ts";
import { type TendermintConfigInput, TendermintConfigSchema } from "./config.ts";
import type { TendermintMessage } from "./messages.ts";
import { TendermintNode } from "./node.ts";

/** A message a Tendermint-backed key-value server handles. */
export type TendermintKvMessage = KvServerMessage<TendermintMessage<KvCommand>>;

/**
 * A factory of key-value servers replicated by Tendermint: KV commands are the transactions of
 * the blocks. Any replica accepts a request (it enters every mempool); reads go through the log
 * ("log" or "readIndex", which falls back to the log: there is no leader to confirm). A "lease"
 * read is refused: Tendermint has no leader lease.
 * @example
 * ```ts
 * const { sim } = createCluster<TendermintKvMessage>({ seed: 1, nodes: 4, factory: tendermintKvServer() });
 * ```
 */
export function tendermintKvServer(
  options: { tendermint?: TendermintConfigInput; kv?: KvConfigInput } = {},
): (ctx: NodeContext<TendermintKvMessage>) => KvServer<TendermintMessage<KvCommand>> {
  const kv = parseConfig(KvConfigSchema, options.kv ?? {}, "kv config");
  parseConfig(TendermintConfigSchema, options.tendermint ?? {}, "tendermint config");
  if (kv.reads === "lease") {
    throw new ConfigError("tendermint kv options", [{
      path: "kv.reads",
      message: `"lease" needs a leader lease, which Tendermint does not have; use "log"`,
    }]);
  }
  return (ctx) =>
    new KvServer<TendermintMessage<KvCommand>>(ctx, {
      ...options.kv,
      log: (c, hooks) => new TendermintNode<KvCommand>(c, options.tendermint, hooks),
    });
}
