/**
 * The learner role: it finds out which value was chosen in each slot and applies the log in slot
 * order to the state machine. Learned decisions are kept in durable storage, so a restarted
 * learner rebuilds its state machine from them without asking anyone (the acceptors' state alone
 * would not say which values were chosen without another round of phase 1).
 *
 * Events: `{ type: "decide", slot, value }` the first time this learner learns a slot.
 * @module
 */
import type { DurableStorage } from "../../sim/storage.ts";
import type { ProtocolEvent } from "../../sim/types.ts";
import type { ReplicatedLogHooks } from "../kv/replicated_log.ts";
import type { Decision, LogValue } from "./messages.ts";

/** Storage key of the list of learned decisions (append-only, in the order learned). */
// Stryker disable next-line StringLiteral: equivalent — every read and write of the learned decisions goes through this constant, and "" stays distinct from every other key of a Paxos node (round, promised, accepted)
export const CHOSEN_KEY = "paxos/chosen";

/**
 * A learner over durable storage.
 * @example
 * ```ts
 * const applied: unknown[] = [];
 * const l = new Learner(new MemoryStorage(), () => {}, { apply: (e) => applied.push(e.command) });
 * l.start(); // nothing is applied before start (a restart first rebuilds from storage)
 * l.learn(2, { kind: "command", command: "b" }); // slot 1 unknown: nothing applied yet
 * l.learn(1, { kind: "command", command: "a" }); // applies "a", then "b"
 * ```
 */
export class Learner<C = unknown> {
  #storage: DurableStorage;
  #emit: (e: ProtocolEvent) => void;
  #hooks: ReplicatedLogHooks<C>;
  #chosen = new Map<number, LogValue>();
  #firstUnchosen = 1;
  #lastApplied = 0;
  #maxSlot = 0;
  #started = false;

  /** Rebuild the learned decisions from `storage` (they are applied at {@link start}). */
  constructor(
    storage: DurableStorage,
    emit: (e: ProtocolEvent) => void,
    hooks: ReplicatedLogHooks<C>,
  ) {
    this.#storage = storage;
    this.#emit = emit;
    this.#hooks = hooks;
    for (const d of storage.list<Decision>(CHOSEN_KEY)) this.#record(d.slot, d.value);
  }

  /** Apply what was learned before a restart. */
  start(): void {
    this.#started = true;
    this.#applyReady();
  }

  /** Every slot below this one has been learned. */
  get firstUnchosen(): number {
    return this.#firstUnchosen;
  }
  /** Highest slot applied to the state machine. */
  get lastApplied(): number {
    return this.#lastApplied;
  }
  /** Highest slot learned (there may be holes below it). */
  get maxSlot(): number {
    return this.#maxSlot;
  }
  /** Number of slots learned. */
  get size(): number {
    return this.#chosen.size;
  }

  /** The value learned for `slot`, if any. */
  valueAt(slot: number): LogValue | undefined {
    return this.#chosen.get(slot);
  }

  /** Learned decisions of slots ≥ `fromSlot`, in slot order, at most `max` of them. */
  decisionsFrom(fromSlot: number, max: number): Decision[] {
    const out: Decision[] = [];
    for (let s = fromSlot; s <= this.#maxSlot && out.length < max; s++) {
      const v = this.#chosen.get(s);
      if (v) out.push({ slot: s, value: v });
    }
    return out;
  }

  /**
   * Learn that `value` was chosen in `slot`. Returns false when the slot was already learned
   * (a chosen value never changes, so the first one is kept).
   */
  learn(slot: number, value: LogValue): boolean {
    if (this.#chosen.has(slot)) return false;
    this.#storage.append(CHOSEN_KEY, { slot, value });
    this.#record(slot, value);
    this.#emit({ type: "decide", slot, value });
    if (this.#started) this.#applyReady();
    return true;
  }

  #record(slot: number, value: LogValue): void {
    this.#chosen.set(slot, value);
    this.#maxSlot = Math.max(this.#maxSlot, slot);
    while (this.#chosen.has(this.#firstUnchosen)) this.#firstUnchosen++;
  }

  #applyReady(): void {
    while (this.#lastApplied + 1 < this.#firstUnchosen) {
      const slot = this.#lastApplied + 1;
      const v = this.#chosen.get(slot)!;
      this.#lastApplied = slot;
      if (v.kind === "command") this.#hooks.apply({ index: slot, command: v.command as C });
    }
  }
}
