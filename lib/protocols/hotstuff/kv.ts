/** The replicated key-value store on HotStuff: KV servers whose log is a HotStuffNode. @module */
import type { NodeContext } from "../../sim/types.ts";
import { ConfigError, parseConfig } from "../../sim/errors.ts";
import type { KvCommand } from "../kv/state_machine.ts";
import type { KvServerMessage } from "../kv/messages.ts";
import { type KvConfigInput, KvConfigSchema } from "../kv/config.ts";
import { KvServer } from "../kv/server.ts";
import { type HotStuffConfigInput, HotStuffConfigSchema } from "./config.ts";
import type { HotStuffMessage } from "./messages.ts";
import { HotStuffNode } from "./node.ts";
import { HotStuffTree } from "./tree.ts";

/** A message a HotStuff-backed key-value server handles. */
export type HotStuffKvMessage = KvServerMessage<HotStuffMessage<KvCommand>>;

/** Options of {@link hotstuffKvServer}. */
export interface HotStuffKvOptions {
  /** HotStuff parameters. */
  readonly hotstuff?: HotStuffConfigInput;
  /** Key-value server parameters; reads go through the log. */
  readonly kv?: KvConfigInput;
  /** The run's shared block tree (default: a new one, shared by every server of this factory). */
  readonly tree?: HotStuffTree;
}

/**
 * A factory of key-value servers replicated by HotStuff, the counterpart of `raftKvServer`: KV
 * commands are the commands of the tree's nodes. Any replica accepts a request (it enters every
 * mempool); reads go through the log. A "lease" read is refused: HotStuff has no leader lease.
 * Every server built by one factory shares one block tree (one per run).
 * @example
 * ```ts
 * const { sim } = createCluster<HotStuffKvMessage>({ seed: 1, nodes: 4, factory: hotstuffKvServer() });
 * ```
 */
export function hotstuffKvServer(
  options: HotStuffKvOptions = {},
): (ctx: NodeContext<HotStuffKvMessage>) => KvServer<HotStuffMessage<KvCommand>> {
  const kv = parseConfig(KvConfigSchema, options.kv ?? {}, "kv config");
  parseConfig(HotStuffConfigSchema, options.hotstuff ?? {}, "hotstuff config");
  if (kv.reads === "lease") {
    throw new ConfigError("hotstuff kv options", [{
      path: "kv.reads",
      message: `"lease" needs a leader lease, which HotStuff does not have; use "log"`,
    }]);
  }
  const tree = options.tree ?? new HotStuffTree();
  return (ctx) =>
    new KvServer<HotStuffMessage<KvCommand>>(ctx, {
      ...options.kv,
      log: (c, hooks) => new HotStuffNode<KvCommand>(c, options.hotstuff, hooks, tree),
    });
}
