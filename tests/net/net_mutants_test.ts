/**
 * Tests written to kill the mutants `deno task mutate lib/net` left alive: interceptor chains,
 * the Pareto law's infinite moments, and the refusals of a node in two partition groups and of a
 * region latency naming an unknown region, and the shrinker's step descriptions.
 */
import assert from "node:assert/strict";
import { ConfigError } from "@lab/sim/mod.ts";
import { createCluster, latencyMoments, Network } from "@lab/net/mod.ts";
import { chain, delayAll, duplicate } from "@lab/net/adversary.ts";
import { parseSchedule } from "@lab/net/nemesis.ts";
import { formatFault, shrinkSchedule } from "@lab/net/shrink.ts";

Deno.test("net adversary: chain runs every step in order and adds their delays", () => {
  const sent: { to: string; msg: string; delayMs: number | undefined }[] = [];
  const net = {
    send: (to: string, msg: string, o?: { delayMs?: number }) =>
      void sent.push({ to, msg, delayMs: o?.delayMs }),
  };
  chain<string>(delayAll(5), duplicate(2), delayAll(7))({ from: "n0", to: "n1", msg: "m" }, net);
  assert.ok(sent.length >= 2, `duplicate ran: ${JSON.stringify(sent)}`);
  assert.ok(sent.every((s) => s.to === "n1" && s.msg === "m" && s.delayMs === 12));
  sent.length = 0;
  chain<string>()({ from: "n0", to: "n2", msg: "x" }, net);
  assert.deepEqual(sent, [{ to: "n2", msg: "x", delayMs: 0 }]);
});

Deno.test("net latency: a Pareto law has an infinite mean for alpha ≤ 1 and variance for ≤ 2", () => {
  assert.equal(latencyMoments({ kind: "pareto", alpha: 1, scaleMs: 10 }).mean, Infinity);
  assert.equal(latencyMoments({ kind: "pareto", alpha: 0.5, scaleMs: 10 }).mean, Infinity);
  const m = latencyMoments({ kind: "pareto", alpha: 2, scaleMs: 10 });
  assert.equal(m.mean, 20);
  assert.equal(m.variance, Infinity);
  assert.equal(latencyMoments({ kind: "pareto", alpha: 3, scaleMs: 10 }).variance, 75);
});

Deno.test("net: a node in two partition groups is refused, naming the group and the node", () => {
  const c = createCluster<number>({ seed: 1, nodes: 3, factory: () => ({ onMessage() {} }) });
  assert.throws(
    () => c.net.partition([["n0", "n1"], ["n1", "n2"]]),
    (e: unknown) =>
      e instanceof ConfigError && e.message.includes("groups[1]") &&
      e.message.includes(`node "n1" appears in two groups`),
  );
});

Deno.test("net: a region latency naming an unknown region is refused with its path", () => {
  for (const k of ["from", "to"] as const) {
    const row = { from: "eu", to: "us", latency: { kind: "constant" as const, ms: 4 } };
    assert.throws(
      () =>
        new Network({
          latency: { kind: "constant", ms: 1 },
          regions: { of: { n0: "eu", n1: "us" }, latency: [{ ...row, [k]: "mars" }] },
        }, { seed: 1, nodes: ["n0", "n1"] }),
      (e: unknown) =>
        e instanceof ConfigError && e.message.includes(`regions.latency[0].${k}`) &&
        e.message.includes(`unknown region "mars"`),
    );
  }
});

Deno.test("net shrink: each step says which fault's time it moved, from where to where", () => {
  const s = parseSchedule([{ atMs: 2_000, type: "pause", node: "n0", durationMs: 300 }], ["n0"]);
  const r = shrinkSchedule((x) => x.some((f) => f.type === "pause" && f.atMs >= 1_000), s, {
    resolutionMs: 10,
  });
  const label = formatFault(s[0]);
  const earlier = r.steps.filter((x) => x.kind === "earlier");
  assert.ok(earlier.length > 0);
  assert.ok(
    earlier.some((x) => x.description === `${label} time: 2000 → 0`),
    earlier.map((x) => x.description).join(" | "),
  );
  assert.ok(earlier.every((x) => / time: \d+ → \d+$/.test(x.description)));
});
