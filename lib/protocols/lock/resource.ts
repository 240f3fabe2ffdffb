/**
 * The protected resource: a simulated storage node that records every write with its client,
 * hold, fencing token and local time. With fencing on it rejects a token lower than the highest it
 * has seen (Kleppmann, "How to do distributed locking", 2016, "Making the lock safe with
 * fencing": the storage server remembers the highest token it processed and refuses older ones).
 *
 * Events: `{ type: "resource-write", client, hold, token, value, accepted, highestToken }`.
 * @module
 */
import type { NodeContext, NodeId, ProtocolNode } from "../../sim/types.ts";
import { parseConfig } from "../../sim/errors.ts";
import { type ResourceConfigInput, ResourceConfigSchema } from "./config.ts";
import type { LockMessage, ResourceWrite } from "./messages.ts";

/** One write as the resource recorded it. */
export interface ResourceRecord {
  /** The writing client. */
  readonly client: NodeId;
  /** The client's hold number. */
  readonly hold: number;
  /** The fencing token sent (null: none). */
  readonly token: number | null;
  /** The value written. */
  readonly value: string;
  /** The resource's local time of the write. */
  readonly timeMs: number;
  /** Whether the write was applied. */
  readonly accepted: boolean;
}

/**
 * A storage node guarded by fencing tokens.
 * @example
 * ```ts
 * sim.addNode("store", (ctx) => new ResourceNode(ctx, { fencing: true }), { role: "client" });
 * ```
 */
export class ResourceNode implements ProtocolNode<LockMessage> {
  /** Whether stale tokens are rejected. */
  readonly fencing: boolean;
  #ctx: NodeContext<LockMessage>;
  #highest = -Infinity;
  #records: ResourceRecord[] = [];
  #value: string | null = null;

  /** A resource with the given parameters (validated). */
  constructor(ctx: NodeContext<LockMessage>, config: ResourceConfigInput = {}) {
    this.fencing = parseConfig(ResourceConfigSchema, config, "resource config").fencing;
    this.#ctx = ctx;
  }

  /** Only ResourceWrite is handled. */
  onMessage(_from: NodeId, msg: LockMessage): void {
    if (msg.type === "ResourceWrite") this.#write(msg);
  }

  #write(m: ResourceWrite): void {
    // a write without a token cannot be fenced: accepted as the storage has no way to judge it
    const stale = this.fencing && m.token !== null && m.token < this.#highest;
    const accepted = !stale;
    if (accepted) {
      this.#value = m.value;
      if (m.token !== null) this.#highest = Math.max(this.#highest, m.token);
    }
    const rec: ResourceRecord = {
      client: m.client,
      hold: m.hold,
      token: m.token,
      value: m.value,
      timeMs: this.#ctx.nowMs(),
      accepted,
    };
    this.#records.push(rec);
    this.#ctx.emit({
      type: "resource-write",
      ...rec,
      highestToken: Number.isFinite(this.#highest) ? this.#highest : null,
    });
  }

  /** Every write received, in arrival order. */
  history(): readonly ResourceRecord[] {
    return this.#records;
  }

  /** A plain snapshot: the current value, the highest token and the write count. */
  inspect(): { value: string | null; highestToken: number | null; writes: number } {
    return {
      value: this.#value,
      highestToken: Number.isFinite(this.#highest) ? this.#highest : null,
      writes: this.#records.length,
    };
  }
}
