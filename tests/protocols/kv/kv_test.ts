/**
 * The Raft-replicated key-value store end to end: Jepsen histories under generated faults checked
 * for linearizability (reads through the log, ReadIndex and leases), exactly-once retries with
 * client sessions and duplicates without them (thesis §6.3), and a leader lease broken by a slow
 * clock (thesis §6.4.1) while ReadIndex stays linearizable.
 */
import assert from "node:assert/strict";
import { checkLinearizability, kvModel } from "../../../lib/checkers/mod.ts";
import { installWorkload } from "../../../lib/workload/client.ts";
import type { HistoryEvent } from "../../../lib/workload/history.ts";
import {
  kvClientDriver,
  kvOpGenerator,
  kvUniqueAppends,
} from "../../../lib/protocols/kv/client.ts";
import type { RaftMessage } from "../../../lib/protocols/raft/messages.ts";
import { raftKvServer } from "../../../lib/protocols/raft/kv.ts";
import { kvCluster, kvLeader, ManualClient, serverOnlyPartitions } from "./_helpers.ts";

const NET = { latency: { kind: "uniform" as const, minMs: 1, maxMs: 10 } };
const ONLY = Deno.env.get("KV_SEED");
const COUNT = Number(Deno.env.get("KV_SEEDS") ?? 30);
const SEEDS = ONLY ? [Number(ONLY)] : Array.from({ length: COUNT }, (_, i) => i + 1);

Deno.test(`kv histories under faults are linearizable (${SEEDS.length} seeds × log/readIndex/lease reads)`, () => {
  for (const reads of ["log", "readIndex", "lease"] as const) {
    for (const seed of SEEDS) {
      const what =
        `seed=${seed} reads=${reads}; replay: KV_SEED=${seed} deno test -A tests/protocols/kv/kv_test.ts`;
      const c = kvCluster({
        seed,
        nodes: 5,
        trace: { mode: "off" },
        raft: { checkQuorum: true, preVote: seed % 2 === 0, snapshotThresholdEntries: 30 },
        kv: { reads },
        network: { ...NET, lossRatio: 0.03, duplicateRatio: 0.02, reorderRatio: 0.05 },
        nemesis: serverOnlyPartitions(
          [
            {
              generator: seed % 2 ? "randomHalves" : "isolateOne",
              startMs: 1_000,
              endMs: 7_000,
              periodMs: 1_500,
              faultMs: 800,
            },
            {
              generator: "rollingCrashes",
              startMs: 1_500,
              endMs: 7_000,
              periodMs: 1_700,
              downMs: 500,
            },
            { atMs: 2_000, type: "pause", node: `n${seed % 5}`, durationMs: 400 },
            // leases tolerate drift within leaseClockDriftBound (0.05); the other modes any drift
            {
              atMs: 500,
              type: "clockDrift",
              node: `n${(seed + 1) % 5}`,
              drift: reads === "lease" ? 0.02 : 0.4,
            },
            {
              atMs: 500,
              type: "clockDrift",
              node: `n${(seed + 2) % 5}`,
              drift: reads === "lease" ? -0.02 : -0.4,
            },
          ],
          ["n0", "n1", "n2", "n3", "n4"],
          seed,
        ),
      });
      const w = installWorkload(c.sim, kvClientDriver<RaftMessage>(), kvOpGenerator({ keys: 3 }), {
        mode: "closed",
        clients: 6,
        endMs: 8_000,
        timeoutMs: 400,
        retries: 100,
        retryBackoffMs: 5,
      });
      c.sim.run({ untilMs: 9_000 });
      const ok = w.history.filter((e) => e.type === "ok").length;
      assert.ok(ok > 200, `only ${ok} ok operations, ${what}`);
      assert.ok(w.history.some((e) => e.type === "ok" && e.f === "get" && e.value !== null), what);
      const r = checkLinearizability(w.history, kvModel({ initial: null }));
      assert.equal(r.verdict, "ok", `${what}\n${r.explanation}`);
    }
  }
});

function appendCluster(sessions: boolean, seed: number) {
  const c = kvCluster({
    seed,
    nodes: 3,
    trace: { mode: "off" },
    kv: { sessions },
    // replies (and requests) are often lost, so clients time out and retry the same request
    network: { ...NET, lossRatio: 0.25 },
  });
  const w = installWorkload(c.sim, kvClientDriver<RaftMessage>(), kvUniqueAppends(), {
    mode: "closed",
    clients: 4,
    endMs: 4_000,
    timeoutMs: 60,
    retries: 100,
    retryBackoffMs: 5,
  });
  c.sim.run({ untilMs: 6_000 });
  const l = kvLeader(c.sim)!;
  const tokens = (c.server(l).machine.read("k0") ?? "").split(";").filter((t) => t !== "");
  const counts = new Map<string, number>();
  for (const t of tokens) counts.set(t, (counts.get(t) ?? 0) + 1);
  const acked = w.history.filter((e) => e.type === "ok").map((e) => String(e.value).slice(0, -1));
  const retries =
    c.sim.events.filter((e) => e.node === l && e.event.type === "kv-apply" && e.event.duplicate)
      .length;
  return { counts, acked, retries, c };
}

Deno.test("kv thesis §6.3: with sessions every retried append is applied exactly once", () => {
  const { counts, acked, retries, c } = appendCluster(true, 41);
  assert.ok(acked.length > 100, `only ${acked.length} appends acknowledged`);
  assert.ok(retries > 0, "no retry reached the log: the test shows nothing");
  for (const [t, n] of counts) assert.equal(n, 1, `token ${t} applied ${n} times, seed=41`);
  for (const t of acked) assert.equal(counts.get(t), 1, `acknowledged token ${t} missing, seed=41`);
  // every replica agrees
  for (const id of c.nodes) {
    assert.equal(c.server(id).machine.read("k0"), c.server(kvLeader(c.sim)!).machine.read("k0"));
  }
});

Deno.test("kv thesis §6.3: without sessions retries apply the same append twice", () => {
  const { counts, acked } = appendCluster(false, 41);
  assert.ok(acked.length > 100);
  const dup = [...counts].filter(([, n]) => n > 1);
  assert.ok(dup.length > 0, "no duplicate appeared, seed=41");
});

function leaseScenario(reads: "lease" | "readIndex") {
  const c = kvCluster({
    seed: 51,
    nodes: 3,
    network: NET,
    raft: { checkQuorum: true },
    kv: { reads },
  });
  const history: HistoryEvent[] = [];
  const a = new ManualClient(c.sim, "ca", 0, history);
  const b = new ManualClient(c.sim, "cb", 1, history);
  c.sim.run({ untilMs: 2_000, until: () => kvLeader(c.sim) !== undefined });
  c.sim.runFor(300);
  const old = kvLeader(c.sim)!;
  a.invoke(old, "put", "x", "1");
  c.sim.runFor(100);
  b.invoke(old, "get", "x", null);
  c.sim.runFor(100);
  assert.deepEqual(history.filter((e) => e.type === "ok").map((e) => [e.f, e.value]), [
    ["put", "1"],
    ["get", "1"],
  ]);
  // the old leader's clock slows to a tenth of true speed, and it is cut off with client b
  c.sim.setDrift(old, -0.9);
  const others = c.nodes.filter((id) => id !== old);
  c.net.partition([[old, "cb"], [...others, "ca"]]);
  c.sim.run({ untilMs: c.sim.nowMs + 2_000, until: () => kvLeader(c.sim) !== old });
  const next = kvLeader(c.sim)!;
  assert.ok(next && next !== old, "the majority elected no new leader, seed=51");
  a.invoke(next, "put", "x", "2");
  c.sim.run({ untilMs: c.sim.nowMs + 500, until: () => !a.busy });
  assert.equal(history.at(-1)!.type, "ok");
  c.sim.runFor(5); // the read starts strictly after the write completed
  b.invoke(old, "get", "x", null);
  c.sim.runFor(300);
  return { history, c, old };
}

Deno.test("kv thesis §6.4.1: a leader lease on a slow clock serves a stale read (not linearizable)", () => {
  const { history, c, old } = leaseScenario("lease");
  assert.equal(c.raft(old).role, "leader", "the old leader still believes it leads");
  const last = history.at(-1)!;
  assert.deepEqual([last.type, last.f, last.value], ["ok", "get", "1"], "the stale value");
  const r = checkLinearizability(history, kvModel({ initial: null }));
  assert.equal(r.verdict, "illegal");
  assert.ok(r.witness && r.witness.operations.some((o) => o.f === "get"), r.explanation);
});

Deno.test("kv thesis §6.4: ReadIndex under the same fault never answers with a stale value", () => {
  const { history } = leaseScenario("readIndex");
  assert.notEqual(history.at(-1)!.type, "ok", "the cut-off leader could not confirm leadership");
  assert.equal(checkLinearizability(history, kvModel({ initial: null })).verdict, "ok");
});

Deno.test("kv: a restarted server rebuilds its data from its snapshot and the log", () => {
  const c = kvCluster({ seed: 61, nodes: 3, network: NET, raft: { snapshotThresholdEntries: 20 } });
  const w = installWorkload(c.sim, kvClientDriver<RaftMessage>(), kvOpGenerator({ keys: 4 }), {
    mode: "closed",
    clients: 3,
    endMs: 2_000,
    retries: 10,
  });
  c.sim.run({ untilMs: 2_500 });
  assert.ok(w.history.filter((e) => e.type === "ok").length > 100);
  const l = kvLeader(c.sim)!;
  const f = c.nodes.find((id) => id !== l)!;
  assert.ok(c.raft(f).snapshotIndex > 0);
  const before = c.server(f).machine.snapshot();
  c.sim.crash(f);
  c.sim.restart(f);
  c.sim.runFor(300);
  assert.deepEqual(c.server(f).machine.snapshot().data, before.data);
  assert.deepEqual(c.server(f).machine.entries(), c.server(l).machine.entries());
});

Deno.test("kv: lease reads without CheckQuorum are refused at configuration time", () => {
  assert.throws(() => raftKvServer({ kv: { reads: "lease" } }), /checkQuorum/);
  assert.throws(() => raftKvServer({ kv: { reads: "fast" as never } }), /reads/);
});
