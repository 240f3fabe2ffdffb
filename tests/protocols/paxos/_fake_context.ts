/** A recording NodeContext for Paxos handler tests: no simulator, effects are inspected directly. */
import type { MemoryStorage } from "../../../lib/sim/storage.ts";
import { FakeContext as SharedFakeContext } from "../../../lib/sim/fake_context.ts";
import type { NodeId } from "../../../lib/sim/types.ts";
import type { ReplicatedLogHooks } from "../../../lib/protocols/kv/replicated_log.ts";
import type { PaxosConfigInput } from "../../../lib/protocols/paxos/config.ts";
import type { Ballot, PaxosMessage } from "../../../lib/protocols/paxos/messages.ts";
import { PaxosNode } from "../../../lib/protocols/paxos/node.ts";

/** The shared recording context, typed for Paxos messages. */
export class FakeContext extends SharedFakeContext<PaxosMessage> {}

/** A toy state machine recording applied commands. */
export class ListMachine implements ReplicatedLogHooks<unknown> {
  applied: { index: number; command: unknown }[] = [];
  apply(e: { index: number; command: unknown }): void {
    this.applied.push({ index: e.index, command: e.command });
  }
}

/** A started node `self` (default n0) of a three-server cluster n0..n2 over a fake context. */
export function paxosNode(
  options: {
    self?: NodeId;
    nodes?: NodeId[];
    storage?: MemoryStorage;
    config?: PaxosConfigInput;
    machine?: ListMachine;
  } = {},
): { ctx: FakeContext; node: PaxosNode; machine: ListMachine } {
  const self = options.self ?? "n0";
  const nodes = options.nodes ?? ["n0", "n1", "n2"];
  const ctx = new FakeContext(self, nodes.filter((p) => p !== self), options.storage);
  const machine = options.machine ?? new ListMachine();
  const node = new PaxosNode(ctx, options.config ?? {}, machine);
  node.start();
  return { ctx, node, machine };
}

/** A ballot. */
export function b(round: number, proposerId: NodeId): Ballot {
  return { round, proposerId };
}

/** A command value. */
export function cmd(command: unknown): { kind: "command"; command: unknown } {
  return { kind: "command", command };
}
