/** A fake NodeContext for handler tests: records effects, clock set by the test. */
import { MemoryStorage, type NodeContext, type ProtocolEvent, Rng } from "@lab/sim/mod.ts";

export interface FakeContext<M> extends NodeContext<M> {
  clockMs: number;
  readonly sent: { to: string; msg: M }[];
  readonly timers: Map<string, number>;
  readonly emitted: ProtocolEvent[];
}

export function fakeContext<M>(self: string, peers: string[], clockMs = 0): FakeContext<M> {
  const ctx: FakeContext<M> = {
    self,
    peers,
    clockMs,
    sent: [],
    timers: new Map(),
    emitted: [],
    nowMs: () => ctx.clockMs,
    rng: new Rng(1).fork(self),
    send: (to, msg) => void ctx.sent.push({ to, msg }),
    setTimer: (name, afterMs) => void ctx.timers.set(name, afterMs),
    cancelTimer: (name) => void ctx.timers.delete(name),
    storage: new MemoryStorage(),
    emit: (e) => void ctx.emitted.push(e),
    sign: (data) => ({ signer: self, digest: JSON.stringify(data) }),
    verify: () => true,
  };
  return ctx;
}
