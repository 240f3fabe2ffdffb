/**
 * The Raft safety checker fed by hand (no simulator): each property's first breach is reported
 * with the node, time and seed; clean event streams pass. Also its liveness figures on a run.
 */
import assert from "node:assert/strict";
import type { EmittedEvent } from "../../../lib/sim/simulation.ts";
import type { ProtocolEvent } from "../../../lib/sim/types.ts";
import { RaftInvariants } from "../../../lib/protocols/raft/invariants.ts";
import { proposeContinuously, raftCluster, runUntilLeader } from "./_helpers.ts";

/** Read the breach without TypeScript keeping an earlier `=== undefined` narrowing. */
const breachOf = (inv: RaftInvariants) => inv.breach;

const ev = (t: number, node: string, event: ProtocolEvent): EmittedEvent => ({
  t,
  node,
  event,
  traceIndex: -1,
});

Deno.test("raft invariants: two leaders in one term break election safety", () => {
  const inv = new RaftInvariants({ seed: 5 });
  inv.observe(ev(1, "n0", { type: "leader", term: 1 }));
  inv.observe(ev(2, "n1", { type: "leader", term: 2 }));
  assert.equal(inv.breach, undefined);
  inv.observe(ev(3, "n2", { type: "leader", term: 2 }));
  assert.deepEqual(
    [breachOf(inv)?.invariant, breachOf(inv)?.node, breachOf(inv)?.timeMs, breachOf(inv)?.seed],
    ["election-safety", "n2", 3, 5],
  );
  assert.match(breachOf(inv)!.message, /n2 and n1 are both leaders of term 2/);
});

Deno.test("raft invariants: different entries applied (or committed) at one index break state machine safety", () => {
  const inv = new RaftInvariants();
  const apply = (node: string, index: number, term: number, command: string) =>
    inv.observe(ev(index, node, { type: "apply", index, term, kind: "command", command }));
  apply("n0", 1, 1, "a");
  apply("n1", 1, 1, "a");
  apply("n1", 2, 1, "b");
  assert.equal(inv.breach, undefined);
  apply("n2", 2, 2, "c");
  assert.equal(breachOf(inv)?.invariant, "state-machine-safety");
  const inv2 = new RaftInvariants();
  inv2.observe(ev(1, "n0", { type: "commit", index: 4, term: 2, currentTerm: 2 }));
  inv2.observe(ev(2, "n1", { type: "commit", index: 4, term: 3, currentTerm: 3 }));
  assert.equal(breachOf(inv2)?.invariant, "state-machine-safety");
});

Deno.test("raft invariants: only the first breach is kept", () => {
  const inv = new RaftInvariants();
  inv.observe(ev(1, "n0", { type: "leader", term: 1 }));
  inv.observe(ev(2, "n1", { type: "leader", term: 1 }));
  inv.observe(ev(3, "n0", { type: "apply", index: 1, term: 1, kind: "noop" }));
  inv.observe(ev(4, "n1", { type: "apply", index: 1, term: 2, kind: "noop" }));
  assert.equal(breachOf(inv)?.invariant, "election-safety");
});

Deno.test("raft invariants: liveness figures — election time after a leader crash, commit latency", () => {
  const c = raftCluster({ seed: 71, nodes: 5, network: { latency: { kind: "constant", ms: 5 } } });
  const l = runUntilLeader(c.sim, 2_000)!;
  proposeContinuously(c.sim, 20, 3_000);
  c.sim.runFor(500);
  c.sim.crash(l);
  c.sim.run({ untilMs: 3_000 });
  const live = c.inv.liveness();
  assert.ok(
    live.firstLeaderMs > 150 && live.firstLeaderMs < 700,
    `first leader ${live.firstLeaderMs}`,
  );
  assert.equal(live.electionMs.length, 1);
  assert.ok(live.electionMs[0] >= 150 && live.electionMs[0] < 1_000, `${live.electionMs}`);
  assert.equal(live.leaderlessMs, live.electionMs[0]);
  assert.equal(live.leaderChanges, 2);
  // two round trips of 5 ms: leader → followers → leader
  assert.ok(live.commitLatencyMs.length > 50);
  assert.ok(
    live.commitLatencyMs.every((ms) => ms >= 10 - 1e-9 && ms < 100),
    `${live.commitLatencyMs}`,
  );
});

Deno.test("raft invariants: a breach found in a started server's stored log is numbered by the event that started it", async () => {
  const { createCluster } = await import("../../../lib/net/mod.ts");
  // each node holds one stored entry at index 1, term 1, and the two differ: the checker finds
  // the conflict when it first watches n1, right after n1's start (the second event of the run)
  const stored: Record<string, unknown> = {
    n0: { index: 1, term: 1, kind: "noop" },
    n1: { index: 1, term: 1, kind: "command", command: "x" },
  };
  const { sim } = createCluster<never>({
    seed: 1,
    nodes: 2,
    factory: (ctx) => ({ self: ctx.self, onMessage: () => {} }),
  });
  const fakeRaft = (inst: unknown) =>
    ({
      role: "follower",
      term: 1,
      servers: ["n0", "n1"],
      snapshotTerm: 0,
      onLogAppend: () => {},
      logEntries: () => [stored[(inst as { self: string }).self]],
    }) as unknown as import("../../../lib/protocols/raft/node.ts").RaftNode;
  const inv = new RaftInvariants({ throwOnBreach: false, raftOf: fakeRaft }).attach(sim);
  sim.run({ untilMs: 10 });
  assert.equal(breachOf(inv)?.invariant, "log-matching");
  assert.equal(breachOf(inv)?.node, "n1");
  assert.equal(inv.eventsChecked, 2);
  assert.equal(breachOf(inv)?.eventIndex, 2);
});

Deno.test("raft invariants §5.4: a new leader whose snapshot ends at a committed index with another term breaks leader completeness", async () => {
  const { createCluster } = await import("../../../lib/net/mod.ts");
  // n0 commits index 3 in term 1; then n1 becomes leader of term 2 with a snapshot that ends at
  // index 3 but says term 2 there: the committed entry is not what its state holds
  const run = (snapshotTerm: number) => {
    const { sim } = createCluster<never>({
      seed: 1,
      nodes: 2,
      factory: (ctx) => ({
        self: ctx.self,
        start() {
          if (ctx.self === "n0") ctx.emit({ type: "commit", index: 3, term: 1, currentTerm: 1 });
          else ctx.setTimer("lead", 5);
        },
        onMessage: () => {},
        onTimer: () => ctx.emit({ type: "leader", term: 2 }),
      }),
    });
    const fakeRaft = () =>
      ({
        role: "follower",
        term: 2,
        servers: ["n0", "n1"],
        snapshotIndex: 3,
        snapshotTerm,
        termAt: (i: number) => (i === 3 ? snapshotTerm : undefined),
        onLogAppend: () => {},
        logEntries: () => [],
      }) as unknown as import("../../../lib/protocols/raft/node.ts").RaftNode;
    const inv = new RaftInvariants({ throwOnBreach: false, raftOf: fakeRaft }).attach(sim);
    sim.run({ untilMs: 10 });
    return inv.breach;
  };
  assert.equal(run(1), undefined, "a snapshot ending at the committed entry, same term: fine");
  const b = run(2);
  assert.equal(b?.invariant, "leader-completeness");
  assert.equal(b?.node, "n1");
});
