/** Small protocols used by the simulator tests. */
import type { NodeContext, NodeId, ProtocolNode } from "@lab/sim/mod.ts";

/** Messages of the ping-pong test protocol. */
export type PingMsg = { type: "ping"; n: number } | { type: "pong"; n: number };

/** Sends `count` pings to every peer at start, spaced `gapMs` apart; answers pings with pongs. */
export function pinger(count: number, gapMs = 1) {
  return (ctx: NodeContext<PingMsg>): ProtocolNode<PingMsg> => {
    let sent = 0;
    const tick = () => {
      if (sent >= count) return;
      sent++;
      for (const p of ctx.peers) ctx.send(p, { type: "ping", n: sent });
      ctx.setTimer("tick", gapMs);
    };
    return {
      start: tick,
      onTimer: tick,
      onMessage(from: NodeId, m: PingMsg) {
        ctx.emit({ type: "recv", from, kind: m.type, n: m.n });
        if (m.type === "ping") ctx.send(from, { type: "pong", n: m.n });
      },
    };
  };
}
