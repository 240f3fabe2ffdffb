/** The replicated key-value store on Multi-Paxos: KV servers whose log is a PaxosNode. @module */
import type { NodeContext } from "../../sim/types.ts";
import { ConfigError, parseConfig } from "../../sim/errors.ts";
import type { KvCommand } from "../kv/state_machine.ts";
import type { KvServerMessage } from "../kv/messages.ts";
import { type KvConfigInput, KvConfigSchema } from "../kv/config.ts";
import { KvServer } from "../kv/server.ts";
import { type PaxosConfigInput, PaxosConfigSchema } from "./config.ts";
import type { PaxosMessage } from "./messages.ts";
import { paxosMemberCheck, PaxosNode } from "./node.ts";
import { withMemberCheck } from "../../sim/simulation.ts";

/** A message a Paxos-backed key-value server handles. */
export type PaxosKvMessage = KvServerMessage<PaxosMessage>;

/**
 * A factory of key-value servers replicated by Multi-Paxos, the counterpart of `raftKvServer`.
 * Every server holds all three roles unless `paxos` says otherwise. Reads: "log" and "readIndex"
 * (a heartbeat round to a majority of acceptors); "lease" is refused, since this Multi-Paxos has
 * no leader leases. The election must be "stable" (without a leader, no server accepts clients).
 * @example
 * ```ts
 * const { sim } = createCluster<PaxosKvMessage>({ seed: 1, nodes: 5, factory: paxosKvFactory() });
 * const w = installWorkload(sim, kvClientDriver(), kvOpGenerator(), { endMs: 5_000, retries: 20 });
 * sim.run({ untilMs: 6_000 });
 * ```
 */
export function paxosKvFactory(
  options: { paxos?: PaxosConfigInput; kv?: KvConfigInput } = {},
): (ctx: NodeContext<PaxosKvMessage>) => KvServer<PaxosMessage> {
  const kv = parseConfig(KvConfigSchema, options.kv ?? {}, "kv config");
  const paxos = parseConfig(PaxosConfigSchema, options.paxos ?? {}, "paxos config");
  const issues: { path: string; message: string }[] = [];
  if (kv.reads === "lease") {
    issues.push({
      path: "kv.reads",
      message: `"lease" needs leader leases, which this Multi-Paxos does not have; use ` +
        `"readIndex" or "log"`,
    });
  }
  if (paxos.election !== "stable") {
    issues.push({
      path: "paxos.election",
      message: `the key-value store needs a stable leader ("stable"); "none" is for dueling`,
    });
  }
  if (issues.length) throw new ConfigError("paxos kv options", issues);
  return withMemberCheck(
    (ctx: NodeContext<PaxosKvMessage>) =>
      new KvServer<PaxosMessage>(ctx, {
        ...options.kv,
        log: (c, hooks) => new PaxosNode<KvCommand>(c, options.paxos, hooks),
      }),
    paxosMemberCheck(paxos, "paxos config", "paxos."),
  );
}
