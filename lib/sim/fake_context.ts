/**
 * A recording NodeContext for handler tests: no simulator, no network. Feed a node one input,
 * then assert on what it sent, which timers it armed, what it emitted and stored (STYLE.md's
 * first kind of test). Learners can unit-test their own protocol nodes the same way.
 * @module
 */
import { MemoryStorage } from "./storage.ts";
import { Rng } from "./rng.ts";
import { digestOf } from "./trace.ts";
import type { NodeContext, NodeId, ProtocolEvent, Signature } from "./types.ts";

/**
 * A context whose effects are recorded; set `now` to move the local clock.
 * @example
 * ```ts
 * const ctx = new FakeContext<RaftMessage>("n0", ["n1", "n2"]);
 * const node = new RaftNode(ctx);
 * node.start();
 * ctx.timers.has("election"); // true
 * ```
 */
export class FakeContext<M> implements NodeContext<M> {
  /** The local clock reading `nowMs()` returns. */
  now = 0;
  /** Every `send`, in call order: the recipient and the message. */
  readonly sent: { to: NodeId; msg: M }[] = [];
  /** Armed timers: name → delay (ms) at arming. */
  readonly timers = new Map<string, number>();
  /** Every `emit`ted protocol event, in order. */
  readonly events: ProtocolEvent[] = [];
  readonly rng: Rng;
  readonly storage: MemoryStorage;

  /** A context for node `self` with these peers; pass a storage to simulate a restart. */
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
  /** Signs as `self`. */
  sign(data: unknown): Signature {
    return { signer: this.self, digest: digestOf(data) };
  }
  /** True when the signature's digest matches `data` (any signer: there is no key registry here). */
  verify(signature: Signature, data: unknown): boolean {
    return signature?.digest === digestOf(data);
  }

  /** Sent messages (optionally only those to `to`), removed from `sent`. */
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
