/** A fake NodeContext for handler tests: the shared recording context, with the clock set by the test. */
import { FakeContext as SharedFakeContext } from "@lab/sim/mod.ts";
import type { ProtocolEvent } from "@lab/sim/mod.ts";

/** The shared context with the names these tests use: `clockMs` and `emitted`. */
export class FakeContext<M> extends SharedFakeContext<M> {
  get clockMs(): number {
    return this.now;
  }
  set clockMs(ms: number) {
    this.now = ms;
  }
  get emitted(): ProtocolEvent[] {
    return this.events;
  }
}

/** A fake context for `self` among `peers`, its clock at `clockMs`. */
export function fakeContext<M>(self: string, peers: string[], clockMs = 0): FakeContext<M> {
  const ctx = new FakeContext<M>(self, peers);
  ctx.clockMs = clockMs;
  return ctx;
}
