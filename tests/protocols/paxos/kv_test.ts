/**
 * The key-value store on Multi-Paxos, end to end: Jepsen histories under generated faults are
 * linearizable (reads through the log and through ReadIndex), the Paxos invariants hold on every
 * event, and a run is a pure function of its seed (same seed, same trace hash).
 *
 * Replay one seed: `PAXOS_KV_SEED=3 deno test -A tests/protocols/paxos/kv_test.ts`
 */
import assert from "node:assert/strict";
import { checkLinearizability, kvModel } from "../../../lib/checkers/mod.ts";
import { createCluster } from "../../../lib/net/cluster.ts";
import { ConfigError } from "../../../lib/sim/errors.ts";
import { installWorkload } from "../../../lib/workload/client.ts";
import { kvClientDriver, kvOpGenerator } from "../../../lib/protocols/kv/client.ts";
import type { KvConfigInput } from "../../../lib/protocols/kv/config.ts";
import { paxosKvFactory, type PaxosKvMessage } from "../../../lib/protocols/paxos/kv.ts";
import type { PaxosMessage } from "../../../lib/protocols/paxos/messages.ts";
import { PaxosInvariants } from "../../../lib/protocols/paxos/invariants.ts";
import { paxosFactory } from "../../../lib/protocols/paxos/node.ts";
import { networkGenerator, pausesAndDrift, SWEEP_NETWORK } from "./_helpers.ts";

const ONLY = Deno.env.get("PAXOS_KV_SEED");
const SEEDS = ONLY ? [Number(ONLY)] : Array.from({ length: 20 }, (_, i) => i + 1);

function kvRun(seed: number, kv: KvConfigInput, trace: "off" | "full" = "off") {
  const ids = ["n0", "n1", "n2", "n3", "n4"];
  const c = createCluster<PaxosKvMessage>({
    seed,
    nodes: ids,
    factory: paxosKvFactory({ kv }),
    trace: { mode: trace },
    network: SWEEP_NETWORK,
    nemesis: [
      networkGenerator(seed, 6_000),
      { generator: "rollingCrashes", startMs: 1_000, endMs: 6_000, periodMs: 1_500, downMs: 500 },
      ...pausesAndDrift(seed, ids, 6_000),
    ],
  });
  const inv = new PaxosInvariants().attach(c.sim);
  const w = installWorkload(c.sim, kvClientDriver<PaxosMessage>(), kvOpGenerator({ keys: 3 }), {
    mode: "closed",
    clients: 6,
    endMs: 7_000,
    timeoutMs: 400,
    retries: 30,
    retryBackoffMs: 15,
  });
  c.sim.run({ untilMs: 8_000 });
  return { c, inv, w };
}

Deno.test(`paxos kv: histories under faults are linearizable (${SEEDS.length} seeds × log/readIndex reads)`, () => {
  for (const reads of ["log", "readIndex"] as const) {
    for (const seed of SEEDS) {
      const what =
        `seed=${seed} reads=${reads}; replay: PAXOS_KV_SEED=${seed} deno test -A tests/protocols/paxos/kv_test.ts`;
      const { w, inv } = kvRun(seed, { reads });
      const ok = w.history.filter((e) => e.type === "ok").length;
      assert.ok(ok > 100, `only ${ok} ok operations, ${what}`);
      assert.ok(inv.liveness().leaders > 1, `no leader change under faults, ${what}`);
      assert.ok(w.history.some((e) => e.type === "ok" && e.f === "get" && e.value !== null), what);
      const r = checkLinearizability(w.history, kvModel({ initial: null }));
      assert.equal(r.verdict, "ok", `${what}\n${r.explanation}`);
    }
  }
});

Deno.test("paxos kv: every replica applies the same commands in the same order", () => {
  const { c } = kvRun(4, { reads: "readIndex" });
  c.net.heal();
  for (const id of c.nodes) c.sim.restart(id);
  c.sim.run({ untilMs: c.sim.nowMs + 2_000 });
  const applied = new Map<string, string[]>();
  for (const e of c.sim.events) {
    if (e.event.type !== "kv-apply") continue;
    let l = applied.get(e.node);
    if (!l) applied.set(e.node, l = []);
    l.push(`${e.event.index}:${e.event.clientId}/${e.event.seq}`);
  }
  // a restarted replica applies its log again from the start; compare the last full pass
  const lastPass = (l: string[]) => l.slice(l.lastIndexOf(l.find((x) => x.startsWith("1:"))!));
  const ref = lastPass(applied.get("n0")!);
  for (const id of c.nodes) {
    const mine = lastPass(applied.get(id)!);
    const n = Math.min(ref.length, mine.length);
    assert.deepEqual(mine.slice(0, n), ref.slice(0, n), `${id} diverges from n0`);
    assert.ok(n > 100, `${id} applied only ${n} commands`);
  }
});

Deno.test("paxos: the same seed gives the same trace hash; another seed another", () => {
  const hash = (seed: number) => {
    const { c } = kvRun(seed, { reads: "readIndex" }, "full");
    return c.sim.trace.hash();
  };
  assert.equal(hash(11), hash(11));
  assert.notEqual(hash(11), hash(12));
  const duel = (seed: number) => {
    const c = createCluster<PaxosMessage>({
      seed,
      nodes: 3,
      factory: paxosFactory({ election: "none", proposers: ["n0", "n1"] }),
      network: { latency: { kind: "uniform", minMs: 5, maxMs: 15 } },
    });
    c.sim.at(0, () => {
      for (const id of ["n0", "n1"]) {
        for (let k = 0; k < 20; k++) {
          (c.sim.instanceOf(id) as unknown as { submit(v: string): void }).submit(`${id}:${k}`);
        }
      }
    });
    c.sim.run({ untilMs: 1_000 });
    return c.sim.trace.hash();
  };
  assert.equal(duel(3), duel(3));
});

Deno.test("paxos kv: lease reads and leaderless configurations are refused, naming the field", () => {
  assert.throws(
    () => paxosKvFactory({ kv: { reads: "lease" } }),
    (e: unknown) =>
      e instanceof ConfigError && /^invalid paxos kv options: kv\.reads/.test(e.message),
  );
  assert.throws(
    () => paxosKvFactory({ paxos: { election: "none" } }),
    (e: unknown) => e instanceof ConfigError && /paxos\.election/.test(e.message),
  );
});
