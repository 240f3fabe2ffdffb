/**
 * The trace hash sees a message's content at the moment it is recorded: a node that changes a
 * plain message object and sends it again (an aliasing bug the trace must not hide) gives a
 * different hash for each content; a deeply frozen message is stringified once and hashes as a
 * fresh copy with the same content would.
 */
import assert from "node:assert/strict";
import { createCluster } from "../../lib/net/mod.ts";
import { freezeInPlace } from "../../lib/sim/storage.ts";
import type { NodeContext, ProtocolNode } from "../../lib/sim/types.ts";

type Msg = { type: string; v: number };

/** n0 sends one message object twice, changing it in between (to `second`, or not at all). */
function run(second: number | undefined, freeze = false): string {
  const c = createCluster<Msg>({
    seed: 3,
    nodes: 2,
    trace: { mode: "full" },
    factory: (ctx: NodeContext<Msg>): ProtocolNode<Msg> => ({
      start() {
        if (ctx.self !== "n0") return;
        const m: Msg = { type: "hb", v: 0 };
        const sent = freeze ? freezeInPlace(m)! : m;
        ctx.send("n1", sent);
        if (second !== undefined && !freeze) m.v = second;
        ctx.send("n1", freeze ? freezeInPlace({ type: "hb", v: second ?? 0 })! : m);
      },
      onMessage() {},
    }),
  });
  c.sim.run({ untilMs: 100 });
  return c.sim.trace.hash();
}

Deno.test("trace: a re-sent message changed in between hashes with its new content", () => {
  const a = run(1), b = run(2), same = run(undefined);
  assert.notEqual(a, b);
  assert.notEqual(a, same);
  assert.equal(a, run(1), "deterministic");
});

Deno.test("trace: a frozen message hashes like a fresh copy with the same content", () => {
  assert.equal(run(undefined, true), run(undefined, false));
  assert.notEqual(run(1, true), run(2, true));
});
