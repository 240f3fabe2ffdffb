/**
 * Uniform link latency is drawn by the network itself (not through d3-random's closure, which
 * costs the simulator about a tenth of its time per delivery). The definition it must keep is
 * d3-random's `randomUniform(min, max)` driven by the link's own stream, which is the network's
 * `net` stream forked by the link's name: the same numbers, in the same order.
 */
import assert from "node:assert/strict";
import { randomUniform } from "d3-random";
import { Rng } from "@lab/sim/mod.ts";
import { Network } from "@lab/net/mod.ts";

function draws(minMs: number, maxMs: number, seed: number, n: number): number[] {
  const net = new Network({ latency: { kind: "uniform", minMs, maxMs } }, { seed });
  net.addNode("a", 0);
  net.addNode("b", 1);
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(net.transmit(0, 1, 0, 0) as number);
  return out;
}

Deno.test("uniform latency: the same numbers as d3-random's randomUniform on the link's stream", () => {
  for (const [minMs, maxMs, seed] of [[2, 7, 9], [0, 1, 1], [3.5, 3.5, 4], [0.25, 120, 77]]) {
    const stream = new Rng(seed).fork("net").fork("link/a->b");
    const uniform = randomUniform.source(stream.next)(minMs, maxMs);
    const want = Array.from({ length: 500 }, () => uniform());
    assert.deepEqual(draws(minMs, maxMs, seed, 500), want, `uniform ${minMs}..${maxMs}`);
  }
});

Deno.test("uniform latency: every draw lies in [minMs, maxMs) and both halves are hit", () => {
  const xs = draws(2, 7, 3, 2000);
  assert.ok(xs.every((x) => x >= 2 && x < 7), "a draw outside [2, 7)");
  // 2,000 fair draws: each half holds about 1,000 (a binomial's sd is about 22)
  const low = xs.filter((x) => x < 4.5).length;
  assert.ok(low > 850 && low < 1150, `${low} of 2000 draws below the midpoint`);
});
