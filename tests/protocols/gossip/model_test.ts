/**
 * Push gossip against an exact model, and the parameters `fanout` and `rumorLifetimeRounds`.
 *
 * The model (computed here, independent of the simulator's random streams): in each synchronous
 * round every informed node sends the rumor to `fanout` distinct peers drawn uniformly from the
 * n − 1 others. Given i informed nodes, the number newly informed in a round follows from one
 * hypergeometric draw per informed node (how many of its picks land on uninformed nodes not yet
 * hit this round); chaining the rounds gives the exact distribution of T, the round in which the
 * last node learns the rumor (Frieze and Grimmett 1985 and Pittel 1987 study this T; here it is
 * computed exactly for small n rather than bounded). The simulated T over many seeds must match
 * it: its mean within 4 standard errors and its empirical CDF within the Kolmogorov–Smirnov bound
 * 1.95/√S (α = 0.001, conservative for a discrete law). A seed-tuned threshold is not needed.
 */
import assert from "node:assert/strict";
import { createCluster } from "@lab/net/mod.ts";
import {
  type GossipConfigInput,
  type GossipMessage,
  GossipNode,
} from "@lab/protocols/gossip/mod.ts";

/** P(T = r) for r = 0..maxRounds under the synchronous push model. */
function pushRoundsLaw(n: number, fanout: number, maxRounds: number): number[] {
  const f = Math.min(fanout, n - 1);
  const lf: number[] = [0];
  for (let k = 1; k <= n; k++) lf[k] = lf[k - 1] + Math.log(k);
  const lc = (a: number, b: number) => (b < 0 || b > a ? -Infinity : lf[a] - lf[b] - lf[a - b]);
  const N = n - 1;
  // newly informed in one round, given i informed: a distribution over 0..n − i
  const step: Float64Array[] = [];
  for (let i = 1; i < n; i++) {
    const U = n - i;
    let dist = new Float64Array(U + 1);
    dist[0] = 1;
    let hi = 0;
    for (let node = 0; node < i; node++) {
      const next = new Float64Array(U + 1);
      for (let k = 0; k <= hi; k++) {
        if (dist[k] === 0) continue;
        const K = U - k; // uninformed peers this node's picks could newly hit
        for (let j = 0; j <= Math.min(f, K); j++) {
          next[k + j] += dist[k] * Math.exp(lc(K, j) + lc(N - K, f - j) - lc(N, f));
        }
      }
      dist = next;
      hi = Math.min(U, hi + f);
    }
    step[i] = dist;
  }
  let state = new Float64Array(n + 1);
  state[1] = 1;
  const law = [0];
  for (let r = 1; r <= maxRounds; r++) {
    const next = new Float64Array(n + 1);
    next[n] = state[n];
    for (let i = 1; i < n; i++) {
      if (state[i] === 0) continue;
      step[i].forEach((p, x) => (next[i + x] += state[i] * p));
    }
    law.push(next[n] - state[n]);
    state = next;
  }
  return law;
}

function spread(n: number, seed: number, cfg: GossipConfigInput) {
  const c = createCluster<GossipMessage>({
    seed,
    nodes: n,
    factory: (ctx) => new GossipNode(ctx, cfg),
    trace: { mode: "off" },
  });
  c.sim.at(0, () => c.sim.instanceOf<GossipNode>("n0")!.broadcast("rumor"));
  let informed = 0, rounds = 0;
  c.sim.onEvent((e) => {
    if (e.event.type !== "learn") return;
    informed++;
    rounds = Math.max(rounds, e.event.round as number);
  });
  // stop once everyone knows (the rest of the run cannot change T)
  c.sim.run({
    untilMs: ((cfg.maxRounds ?? 40) + 2) * (cfg.roundMs ?? 100),
    until: () => informed === n,
  });
  return { informed, rounds };
}

Deno.test("gossip push: the rounds to inform everyone follow the exact model, for fanout 1, 2, 3", () => {
  const n = 96, S = 80;
  for (const fanout of [1, 2, 3]) {
    const law = pushRoundsLaw(n, fanout, 40);
    assert.ok(Math.abs(law.reduce((a, b) => a + b, 0) - 1) < 1e-9, "the law sums to 1 by round 40");
    const mean = law.reduce((a, p, r) => a + p * r, 0);
    const sd = Math.sqrt(law.reduce((a, p, r) => a + p * (r - mean) ** 2, 0));
    const ts: number[] = [];
    for (let seed = 1; seed <= S; seed++) {
      const r = spread(n, seed, { mode: "push", fanout, rumorLifetimeRounds: 40, maxRounds: 40 });
      assert.equal(r.informed, n);
      ts.push(r.rounds);
    }
    const m = ts.reduce((a, b) => a + b, 0) / S;
    const what = `fanout ${fanout}: simulated mean ${m.toFixed(2)} vs model ${mean.toFixed(2)} ± ${
      sd.toFixed(2)
    }`;
    assert.ok(Math.abs(m - mean) <= 4 * sd / Math.sqrt(S), what);
    let cdf = 0, ks = 0;
    law.forEach((p, r) => {
      cdf += p;
      ks = Math.max(ks, Math.abs(ts.filter((t) => t <= r).length / S - cdf));
    });
    assert.ok(ks <= 1.95 / Math.sqrt(S), `${what}; KS distance ${ks.toFixed(3)}`);
    console.log(`${what}; KS ${ks.toFixed(3)} (bound ${(1.95 / Math.sqrt(S)).toFixed(3)})`);
  }
});

Deno.test("gossip: each informed node pushes to `fanout` distinct peers for exactly `rumorLifetimeRounds` rounds", () => {
  for (const [fanout, lifetime] of [[1, 1], [2, 3], [3, 5], [20, 2]]) {
    const n = 12, roundMs = 100;
    const c = createCluster<GossipMessage>({
      seed: 4,
      nodes: n,
      factory: (ctx) =>
        new GossipNode(ctx, { fanout, rumorLifetimeRounds: lifetime, roundMs, maxRounds: 30 }),
    });
    c.sim.at(0, () => c.sim.instanceOf<GossipNode>("n0")!.broadcast("rumor"));
    c.sim.run({ untilMs: 40 * roundMs });
    const learned = new Map(
      c.sim.events.filter((e) => e.event.type === "learn").map((
        e,
      ) => [e.node, e.event.round as number]),
    );
    const f = Math.min(fanout, n - 1);
    for (const id of c.nodes) {
      const sends = c.sim.trace.records.flatMap((
        r,
      ) => (r.type === "send" && r.from === id ? [r] : []));
      const r0 = learned.get(id);
      if (r0 === undefined) {
        assert.equal(sends.length, 0, `${id} never learnt, never pushes`);
        continue;
      }
      // rounds r0 + 1 .. r0 + lifetime, f distinct peers each
      const rounds = Array.from({ length: lifetime }, (_, k) => (r0 + 1 + k) * roundMs);
      assert.deepEqual(
        [...new Set(sends.map((s) => s.t))],
        rounds,
        `${id} (learnt in round ${r0})`,
      );
      for (const t of rounds) {
        const to = sends.filter((s) => s.t === t).map((s) => s.to);
        assert.equal(to.length, f, `${id} at ${t}`);
        assert.equal(new Set(to).size, f, `${id} at ${t}: distinct peers`);
        assert.ok(!to.includes(id));
      }
    }
  }
});
