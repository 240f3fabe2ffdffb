/**
 * The do-nothing baseline: a node that never synchronizes, so its corrected clock is its raw
 * clock, offset and drift included. Scores of real algorithms are read against it.
 * @module
 */
import type { NodeContext } from "../sim/types.ts";
import { ClockDiscipline, type SyncNode, type SyncNodeFactory } from "./discipline.ts";

/** A node that never adjusts its clock. */
export class FreeRunningNode implements SyncNode<never> {
  /** The (never corrected) clock. */
  readonly clock: ClockDiscipline;

  /** A node reading `ctx.nowMs()` as is. */
  constructor(ctx: NodeContext<never>) {
    this.clock = new ClockDiscipline(() => ctx.nowMs());
  }

  correctedNowMs(): number {
    return this.clock.correctedNowMs();
  }

  onMessage(): void {}

  inspect(): unknown {
    return { clock: this.clock.inspect() };
  }
}

/** A factory for the free-running baseline. */
export function freeRunningFactory(): SyncNodeFactory<never> {
  return (ctx) => new FreeRunningNode(ctx);
}
