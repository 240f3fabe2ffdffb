import assert from "node:assert/strict";
import { Rng } from "@lab/sim/mod.ts";
import { createCluster } from "@lab/net/mod.ts";
import {
  checkAtomicCommit,
  type PaxosCommitMessage,
  PaxosCommitNode,
  type ThreePcMessage,
  ThreePcNode,
} from "@lab/protocols/commit/mod.ts";

const P = ["p1", "p2", "p3", "p4"];

Deno.test("3pc sweep: crash failures with a reliable detector never break atomicity or block", () => {
  for (let seed = 1; seed <= 60; seed++) {
    const rng = new Rng(seed).fork("sweep");
    // the coordinator and at most one participant crash at random times (no restarts); delays
    // are at most 10 ms and heartbeats every 10 ms, so a 50 ms silence really means a crash
    const crashed = ["c", ...(rng.chance(0.5) ? [rng.pick(P)] : [])];
    const nemesis = crashed.map((node) => ({ atMs: rng.int(0, 120), type: "crash", node }));
    const c = createCluster<ThreePcMessage>({
      seed,
      nodes: ["c", ...P],
      factory: (ctx) =>
        new ThreePcNode(ctx, { coordinator: "c", participants: P, failureDetectorTimeoutMs: 50 }),
      network: { latency: { kind: "uniform", minMs: 1, maxMs: 10 } },
      nemesis,
      trace: { mode: "off" },
    });
    c.sim.run({ untilMs: 3000 });
    const live = P.filter((p) => !crashed.includes(p));
    const v = checkAtomicCommit(c.sim.events, { participants: P });
    const replay = `seed=${seed} nemesis=${JSON.stringify(nemesis)}`;
    assert.ok(v.ok, `${replay}: ${v.violations.map((x) => x.message).join("; ")}`);
    // a participant that never got PREPARE (still in q) may stay undecided; every voter decides
    const voted = new Set(c.sim.events.filter((e) => e.event.type === "vote").map((e) => e.node));
    for (const p of live) {
      if (voted.has(p)) assert.ok(v.decisions.has(p), `${replay}: ${p} blocked`);
    }
  }
});

Deno.test("paxos commit sweep: crashes and partitions never break atomicity", () => {
  for (let seed = 1; seed <= 60; seed++) {
    const rng = new Rng(seed).fork("sweep");
    const nodes = ["tm", "a0", "a1", "a2", "a3", "a4", ...P];
    const nemesis: unknown[] = [{ atMs: rng.int(0, 60), type: "crash", node: "tm" }];
    if (rng.chance(0.5)) {
      nemesis.push({ atMs: rng.int(0, 60), type: "crash", node: rng.pick(["a0", "a1", "a2"]) });
    }
    if (rng.chance(0.7)) {
      const side = rng.shuffle(nodes.slice(1)).slice(0, rng.int(2, 6));
      const other = nodes.filter((n) => !side.includes(n));
      nemesis.push({ atMs: rng.int(0, 60), type: "partition", groups: [side, other] });
      nemesis.push({ atMs: rng.int(500, 1500), type: "heal" });
    }
    // half the runs send phase 2b only to the ballot's leader (the paper's), so every backup
    // takeover goes through phase 1 on every instance
    const phase2bTo = rng.chance(0.5) ? "ballot-leader" as const : "every-leader" as const;
    const c = createCluster<PaxosCommitMessage>({
      seed,
      nodes,
      factory: (ctx) =>
        new PaxosCommitNode(ctx, {
          participants: P,
          acceptors: ["a0", "a1", "a2", "a3", "a4"],
          leaders: ["tm", "a0", "a1", "a2"],
          takeoverMs: 100,
          phase2bTo,
        }),
      network: { latency: { kind: "uniform", minMs: 1, maxMs: 20 } },
      nemesis,
      trace: { mode: "off" },
    });
    c.sim.run({ untilMs: 6000 });
    const v = checkAtomicCommit(c.sim.events, { participants: P });
    const replay = `seed=${seed} ${phase2bTo} nemesis=${JSON.stringify(nemesis)}`;
    assert.ok(v.ok, `${replay}: ${v.violations.map((x) => x.message).join("; ")}`);
    // liveness after the heal: with at most one acceptor down, every RM that voted (so every
    // RM in doubt) learns the outcome; one cut off before BeginCommit never voted and may abort
    const voted = new Set(c.sim.events.filter((e) => e.event.type === "vote").map((e) => e.node));
    for (const p of P) if (voted.has(p)) assert.ok(v.decisions.has(p), `${replay}: ${p} blocked`);
  }
});
