/**
 * Dynamo §4.4, measured on a whole faulty run: with version vectors no acknowledged write is lost
 * (each one is still a sibling or was superseded by a write whose client had read it), while
 * last-writer-wins silently discards acknowledged writes that no one read.
 */
import assert from "node:assert/strict";
import {
  allVersions,
  contextOf,
  createDynamoCluster,
  type Dot,
  dotSetHas,
  dynamoOpGenerator,
} from "@lab/protocols/dynamo/mod.ts";

/** Acknowledged puts whose dot is in no surviving version nor any survivor's context. */
function lostWrites(conflict: "vv" | "lww", seed: number): { acked: number; lost: number } {
  const c = createDynamoCluster({
    seed,
    nodes: 5,
    config: { n: 3, r: 2, w: 2, conflict, antiEntropy: { intervalMs: 200 } },
    network: { latency: { kind: "exponential", meanMs: 2 }, lossRatio: 0.01 },
    nemesis: [
      { generator: "randomHalves", endMs: 2000, periodMs: 500, faultMs: 300 },
      { atMs: 0, type: "clockJump", node: "n2", deltaMs: -50 },
    ],
    trace: { mode: "off" },
  });
  // read-modify-write clients: every write carries the context of its process's last read
  c.workload(dynamoOpGenerator({ keys: 2, readRatio: 0.5 }), {
    clients: 6,
    endMs: 2000,
    timeoutMs: 500,
  });
  c.run(2000);
  c.repairAll();
  c.run(6000);
  let acked = 0, lost = 0;
  const survivors = new Map<string, ReturnType<typeof contextOf>>();
  for (const e of c.sim.events) {
    const ev = e.event;
    if (ev.type !== "coordinated" || ev.op !== "put" || ev.status !== "ok") continue;
    const key = ev.key as string;
    if (!survivors.has(key)) survivors.set(key, contextOf(allVersions(c, key)));
    acked++;
    if (!dotSetHas(survivors.get(key)!, ev.dot as Dot)) lost++;
  }
  return { acked, lost };
}

Deno.test("dynamo lost updates: version vectors lose no acknowledged write; LWW loses some", () => {
  for (const seed of [1, 2]) {
    const vv = lostWrites("vv", seed);
    assert.ok(vv.acked > 100, `seed=${seed}: only ${vv.acked} acknowledged writes`);
    assert.equal(vv.lost, 0, `seed=${seed}: ${vv.lost} of ${vv.acked} acknowledged writes lost`);
    const lww = lostWrites("lww", seed);
    assert.ok(lww.lost > 0, `seed=${seed}: LWW lost none of ${lww.acked}`);
  }
});
