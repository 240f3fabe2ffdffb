/** A recording NodeContext for Paxos handler tests: no simulator, effects are inspected directly. */
import { MemoryStorage } from "../../../lib/sim/storage.ts";
import { Rng } from "../../../lib/sim/rng.ts";
import type { NodeContext, NodeId, ProtocolEvent, Signature } from "../../../lib/sim/types.ts";
import type { ReplicatedLogHooks } from "../../../lib/protocols/kv/replicated_log.ts";
import type { PaxosConfigInput } from "../../../lib/protocols/paxos/config.ts";
import type { Ballot, PaxosMessage } from "../../../lib/protocols/paxos/messages.ts";
import { PaxosNode } from "../../../lib/protocols/paxos/node.ts";

/** A context whose effects are recorded; set `now` to move the local clock. */
export class FakeContext implements NodeContext<PaxosMessage> {
  now = 0;
  readonly sent: { to: NodeId; msg: PaxosMessage }[] = [];
  readonly timers = new Map<string, number>();
  readonly events: ProtocolEvent[] = [];
  readonly rng: Rng;
  readonly storage: MemoryStorage;

  constructor(readonly self: NodeId, readonly peers: readonly NodeId[], storage?: MemoryStorage) {
    this.rng = new Rng(`fake/${self}`);
    this.storage = storage ?? new MemoryStorage();
  }
  nowMs(): number {
    return this.now;
  }
  send(to: NodeId, msg: PaxosMessage): void {
    this.sent.push({ to, msg });
  }
  setTimer(name: string, afterMs: number): void {
    this.timers.set(name, afterMs);
  }
  cancelTimer(name: string): void {
    this.timers.delete(name);
  }
  emit(event: ProtocolEvent): void {
    this.events.push(event);
  }
  sign(data: unknown): Signature {
    return { signer: this.self, digest: JSON.stringify(data) };
  }
  verify(): boolean {
    return true;
  }
  /** Sent messages (optionally only to `to`), then forget them. */
  take(to?: NodeId): PaxosMessage[] {
    const out: PaxosMessage[] = [];
    for (let i = 0; i < this.sent.length;) {
      if (to === undefined || this.sent[i].to === to) {
        out.push(this.sent[i].msg);
        this.sent.splice(i, 1);
      } else i++;
    }
    return out;
  }
  /** Events of one type emitted so far. */
  eventsOf(type: string): ProtocolEvent[] {
    return this.events.filter((e) => e.type === type);
  }
}

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
