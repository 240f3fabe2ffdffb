/** A recording NodeContext for handler tests: no simulator, effects are inspected directly. */
import { MemoryStorage } from "../../../lib/sim/storage.ts";
import { Rng } from "../../../lib/sim/rng.ts";
import type { NodeContext, NodeId, ProtocolEvent, Signature } from "../../../lib/sim/types.ts";

/** A context whose effects are recorded; set `now` to move the local clock. */
export class FakeContext<M> implements NodeContext<M> {
  now = 0;
  readonly sent: { to: NodeId; msg: M }[] = [];
  readonly timers = new Map<string, number>();
  readonly events: ProtocolEvent[] = [];
  readonly rng: Rng;
  readonly storage: MemoryStorage;

  constructor(
    readonly self: NodeId,
    readonly peers: readonly NodeId[],
    storage?: MemoryStorage,
  ) {
    this.rng = new Rng(`fake/${self}`);
    this.storage = storage ?? new MemoryStorage();
  }

  nowMs(): number {
    return this.now;
  }
  send(to: NodeId, msg: M): void {
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
  take(to?: NodeId): M[] {
    const out: M[] = [];
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
