/**
 * PBFT scenarios (Castro and Liskov, OSDI 1999, §4) on 3f + 1 = 4 and 7 replicas with PBFT's own
 * clients: normal case, crashed and silent primaries, every Byzantine strategy with at most f
 * traitors, a coalition of f + 1 equivocators (caught, with culprits), restart and state transfer,
 * determinism. BftInvariants runs on every event.
 */
import assert from "node:assert/strict";
import { ConfigError } from "../../../lib/sim/errors.ts";
import type { StrategyInput } from "../../../lib/net/adversary.ts";
import { pbftCluster, pbftNodeOf } from "../../../lib/protocols/pbft/cluster.ts";
import type { PbftClient } from "../../../lib/protocols/pbft/service.ts";

const UNIFORM = { latency: { kind: "uniform" as const, minMs: 1, maxMs: 10 } };

function decidedBy(c: ReturnType<typeof pbftCluster>, node: string): Map<number, string> {
  const m = new Map<number, string>();
  for (const e of c.sim.events) {
    if (e.node === node && e.event.type === "bft-decide") {
      m.set(e.event.slot as number, e.event.digest as string);
    }
  }
  return m;
}

for (const n of [4, 7]) {
  Deno.test(`pbft n=${n}: normal case — every replica executes the same sequence, clients get f+1 replies`, () => {
    const c = pbftCluster({
      seed: 1,
      n,
      app: "counter",
      clients: 2,
      clientRequests: 20,
      network: UNIFORM,
    });
    c.sim.run({ untilMs: 2_000 });
    assert.equal(c.invariants.decidedSlots, 40);
    for (const id of c.nodes) assert.equal(decidedBy(c, id).size, 40, id);
    for (const id of c.clients) {
      assert.equal(c.sim.instanceOf<PbftClient>(id)!.done.length, 20);
    }
    assert.equal(pbftNodeOf(c.sim, "n1")!.view, 0);
  });

  Deno.test(`pbft n=${n}: a crashed primary is replaced by a view change and progress resumes (§4.4)`, () => {
    const c = pbftCluster({
      seed: 2,
      n,
      app: "counter",
      clients: 2,
      network: UNIFORM,
      nemesis: [{ atMs: 300, type: "crash", node: "n0" }],
    });
    c.sim.run({ untilMs: 3_000 });
    assert.ok(c.sim.events.some((e) => e.event.type === "new-view" && e.event.v === 1));
    const live = c.invariants.liveness(1_500, 500);
    assert.ok(live.ok && live.decisions > 20, JSON.stringify(live));
    for (const id of c.nodes.slice(1)) assert.equal(pbftNodeOf(c.sim, id)!.view, 1);
  });

  Deno.test(`pbft n=${n}: a silent Byzantine primary is replaced (§4.4, §4.5.2)`, () => {
    const c = pbftCluster({
      seed: 3,
      n,
      app: "counter",
      clients: 2,
      network: UNIFORM,
      byzantine: [{ nodes: ["n0"], strategies: [{ kind: "silent" }] }],
    });
    c.sim.run({ untilMs: 3_000 });
    assert.ok(c.invariants.liveness(1_000, 500).ok);
    assert.ok(pbftNodeOf(c.sim, "n1")!.view >= 1);
  });

  const f = (n - 1) / 3;
  const traitors = ["n0", "n2"].slice(0, f);
  const strategies: StrategyInput[] = [
    { kind: "equivocate" },
    { kind: "silent" },
    { kind: "delay", delayMs: 400 },
    { kind: "withholdVotes" },
    { kind: "replay", afterMs: 30 },
    { kind: "impersonate", victim: "n1" },
  ];
  for (const s of strategies) {
    Deno.test(`pbft n=${n}: ${f} Byzantine (${s.kind}) — no breach, progress after stabilisation`, () => {
      for (const seed of [1, 2]) {
        const c = pbftCluster({
          seed,
          n,
          app: "counter",
          clients: 2,
          network: UNIFORM,
          byzantine: [{ nodes: traitors, strategies: [s] }],
        });
        c.sim.run({ untilMs: 4_000 });
        assert.equal(c.invariants.breaches.length, 0);
        const live = c.invariants.liveness(3_000, 500);
        assert.ok(live.ok, `${s.kind} seed=${seed}: ${JSON.stringify(live)}`);
      }
    });
  }

  Deno.test(`pbft n=${n}: a coalition of f+1 equivocators breaks agreement and ≥ f+1 culprits, all Byzantine, are named`, () => {
    const coalition = ["n0", "n1", "n2"].slice(0, f + 1);
    const groupB = n === 4 ? ["n3"] : ["n5", "n6"];
    const c = pbftCluster({
      seed: 4,
      n,
      app: "counter",
      clients: 1,
      network: UNIFORM,
      throwOnBreach: false,
      byzantine: [{ nodes: coalition, strategies: [{ kind: "equivocate", groupB }] }],
    });
    c.sim.run({ untilMs: 500 });
    const b = c.invariants.breaches.find((x) => x.invariant === "agreement");
    assert.ok(b, "agreement breach expected");
    const culprits = b.culprits.map((x) => x.node);
    assert.ok(culprits.length >= f + 1, culprits.join(","));
    for (const x of culprits) assert.ok(coalition.includes(x), `${x} is honest`);
  });
}

Deno.test("pbft: n = 3f is refused without allowUnsafe (ConfigError naming n)", () => {
  assert.throws(
    () => pbftCluster({ seed: 1, n: 3, f: 1 }),
    (e) => e instanceof ConfigError && /n = 3 < 3f \+ 1 = 4/.test(e.message),
  );
  assert.throws(() => pbftCluster({ seed: 1, n: 4, clients: -1 }), ConfigError);
  const c = pbftCluster({
    seed: 1,
    n: 3,
    f: 1,
    allowUnsafe: true,
    app: "counter",
    clients: 1,
    clientRequests: 3,
  });
  c.sim.run({ untilMs: 500 });
  assert.equal(c.invariants.decidedSlots, 3);
});

Deno.test("pbft: a crashed replica restarts from durable state, fetches the stable checkpoint's state and rejoins", () => {
  const c = pbftCluster({
    seed: 5,
    n: 4,
    app: "counter",
    clients: 2,
    network: UNIFORM,
    pbft: { checkpointInterval: 8, logWindow: 32 },
    nemesis: [{ atMs: 200, type: "crash", node: "n3" }, {
      atMs: 1_500,
      type: "restart",
      node: "n3",
    }],
  });
  c.sim.run({ untilMs: 1_500 });
  const behind = decidedBy(c, "n3").size;
  c.sim.run({ untilMs: 3_000 });
  const n3 = pbftNodeOf(c.sim, "n3")!.inspect();
  const n1 = pbftNodeOf(c.sim, "n1")!.inspect();
  assert.ok(n1.lastExec > behind + 50);
  assert.ok(n1.lastExec - n3.lastExec <= 8, `n3 at ${n3.lastExec}, n1 at ${n1.lastExec}`);
  assert.equal(n3.flat, n3.lastExec, "every slot held one request");
  const after = c.sim.events.filter((e) =>
    e.node === "n3" && e.event.type === "bft-decide" && e.t > 1_600
  );
  assert.ok(after.length > 20, "n3 decides again after rejoining");
  // crash every replica, restart them all: they resume from storage (view, log, checkpoint)
  for (const id of c.nodes) c.sim.crash(id);
  for (const id of c.nodes) c.sim.restart(id);
  const before = c.invariants.decidedSlots;
  c.sim.run({ untilMs: 5_000 });
  assert.ok(c.invariants.decidedSlots > before + 20);
});

Deno.test("pbft: the view change carries a restarted primary's peers to the new view and it rejoins", () => {
  const c = pbftCluster({
    seed: 6,
    n: 4,
    app: "counter",
    clients: 2,
    network: UNIFORM,
    nemesis: [{ atMs: 200, type: "crash", node: "n0" }, {
      atMs: 1_200,
      type: "restart",
      node: "n0",
    }],
  });
  c.sim.run({ untilMs: 3_000 });
  assert.equal(pbftNodeOf(c.sim, "n0")!.view, pbftNodeOf(c.sim, "n1")!.view);
  assert.ok(
    c.sim.events.some((e) => e.node === "n0" && e.event.type === "bft-decide" && e.t > 1_500),
  );
});

Deno.test("pbft: same seed twice gives the same trace hash", () => {
  const run = () => {
    const c = pbftCluster({
      seed: 9,
      n: 4,
      app: "counter",
      clients: 2,
      network: { ...UNIFORM, lossRatio: 0.02 },
      byzantine: [{ nodes: ["n2"], strategies: [{ kind: "equivocate" }] }],
      nemesis: [{ atMs: 300, type: "crash", node: "n0" }],
    });
    c.sim.run({ untilMs: 1_500 });
    return c.sim.trace.hash();
  };
  assert.equal(run(), run());
});

Deno.test("pbft accountability across views: f+1 replicas that hide their certificates in VIEW-CHANGE are named", () => {
  // n0 (honest primary) decides seq 1 with n2 and n3; n1 never sees a pre-prepare (n0→n1 cut).
  // n0 crashes; n2 and n3 send n1, the new primary, view changes without their certificates, so
  // n1 assigns seq 1 again: an agreement breach between views 0 and 1 (§4.4's argument needs at
  // most f liars). Forensics rule 1 names both liars from their own signatures.
  const c = pbftCluster({
    seed: 11,
    n: 4,
    app: "counter",
    clients: 1,
    throwOnBreach: false,
    network: { latency: { kind: "constant", ms: 5 } },
    byzantine: [{ nodes: ["n2", "n3"], strategies: [{ kind: "equivocate", groupB: ["n1"] }] }],
    nemesis: [
      { atMs: 0, type: "partitionOneWay", from: ["n0"], to: ["n1"] },
      { atMs: 60, type: "crash", node: "n0" },
    ],
  });
  c.sim.run({ untilMs: 2_000 });
  const b = c.invariants.breaches.find((x) => x.invariant === "agreement");
  assert.ok(b, "agreement breach expected");
  assert.deepEqual(b.culprits.map((x) => x.node), ["n2", "n3"]);
  for (const x of b.culprits) assert.match(x.rule, /hides the prepared certificate/);
});
