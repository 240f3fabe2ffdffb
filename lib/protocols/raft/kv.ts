/** The replicated key-value store on Raft: a node factory for KV servers whose log is a RaftNode. @module */
import type { NodeContext } from "../../sim/types.ts";
import { ConfigError, parseConfig } from "../../sim/errors.ts";
import type { KvCommand } from "../kv/state_machine.ts";
import type { KvServerMessage } from "../kv/messages.ts";
import { type KvConfigInput, KvConfigSchema } from "../kv/config.ts";
import { KvServer } from "../kv/server.ts";
import { type RaftConfigInput, RaftConfigSchema } from "./config.ts";
import type { RaftMessage } from "./messages.ts";
import { raftMemberCheck, RaftNode } from "./node.ts";
import { withMemberCheck } from "../../sim/simulation.ts";

/** A message a Raft-backed key-value server handles. */
export type RaftKvMessage = KvServerMessage<RaftMessage>;

/**
 * A factory of key-value servers replicated by Raft. Lease reads need CheckQuorum (its vote rule
 * is what makes a lease safe), so `kv.reads = "lease"` without `raft.checkQuorum` is refused.
 * Both configs are validated when the factory is made; `raft.servers` against the cluster's
 * servers when the cluster is built (a ConfigError names the field).
 * @example
 * ```ts
 * const { sim } = createCluster<RaftKvMessage>({ seed: 1, nodes: 5, factory: raftKvServer() });
 * const w = installWorkload(sim, kvClientDriver(), kvOpGenerator(), { endMs: 5_000, retries: 20 });
 * sim.run({ untilMs: 6_000 });
 * ```
 */
export function raftKvServer(
  options: { raft?: RaftConfigInput; kv?: KvConfigInput } = {},
): (ctx: NodeContext<RaftKvMessage>) => KvServer<RaftMessage> {
  const kv = parseConfig(KvConfigSchema, options.kv ?? {}, "kv config");
  // validated now, so a bad timeout is refused before the run rather than at the first boot
  const raft = parseConfig(RaftConfigSchema, options.raft ?? {}, "raft config");
  if (kv.reads === "lease" && !options.raft?.checkQuorum) {
    throw new ConfigError("raft kv options", [{
      path: "kv.reads",
      message: `"lease" needs raft.checkQuorum (thesis §6.4.1 relies on its vote rule)`,
    }]);
  }
  return withMemberCheck(
    (ctx: NodeContext<RaftKvMessage>) =>
      new KvServer<RaftMessage>(ctx, {
        ...options.kv,
        log: (c, hooks) => new RaftNode<KvCommand>(c, options.raft, hooks),
      }),
    raftMemberCheck(raft, "raft config", "raft.servers"),
  );
}
