import assert from "node:assert/strict";
import { ConfigError } from "@lab/sim/mod.ts";
import { createCluster } from "@lab/net/mod.ts";
import {
  BftInvariantError,
  BftInvariants,
  bftSize,
  decideEvent,
  quorumSize,
} from "@lab/protocols/bft/mod.ts";
import { toyAdversary, type ToyMsg, toyNode, toyStatements } from "./_toy.ts";

function toyRun(
  n: number,
  byzantine: { nodes: string[]; strategies: unknown[] }[],
  opts: { quorum?: number; allowUnsafe?: boolean; f?: number } = {},
) {
  const honest = toyNode(opts);
  const c = createCluster<ToyMsg>({
    seed: 1,
    nodes: n,
    factory: honest,
    byzantine: byzantine as never,
    adversary: toyAdversary(honest),
  });
  const inv = new BftInvariants({
    protocol: "toy",
    statements: toyStatements,
    throwOnBreach: false,
    validity: false,
  }).attach(c.sim);
  c.sim.run({ untilMs: 100 });
  return { ...c, inv };
}

Deno.test("bft size: n < 3f + 1 is refused naming n and f unless allowUnsafe", () => {
  assert.deepEqual(bftSize(4, { allowUnsafe: false }), { n: 4, f: 1, quorum: 3, weak: 2 });
  assert.deepEqual(bftSize(7, { allowUnsafe: false }), { n: 7, f: 2, quorum: 5, weak: 3 });
  assert.throws(
    () => bftSize(3, { f: 1, allowUnsafe: false }),
    (e: unknown) =>
      e instanceof ConfigError && e.issues[0].path === "n" &&
      e.message.includes("n = 3 < 3f + 1 = 4 for f = 1"),
  );
  assert.equal(bftSize(3, { f: 1, allowUnsafe: true }).quorum, 3);
  assert.throws(() => bftSize(4, { quorum: 2, allowUnsafe: false }), /quorum 2 < /);
  assert.throws(() => bftSize(4, { quorum: 4, allowUnsafe: false }), /n − f = 3/);
  assert.throws(() => bftSize(4, { quorum: 5, allowUnsafe: true }), /quorum 5 > n = 4/);
});

Deno.test("bft size: default quorums intersect in at least f + 1 replicas for every n and f", () => {
  for (let n = 1; n <= 40; n++) {
    for (let f = 0; 3 * f + 1 <= n; f++) {
      const q = quorumSize(n, f);
      assert.ok(2 * q - n >= f + 1, `n=${n} f=${f} q=${q}`);
      assert.ok(q <= n - f, `n=${n} f=${f}: quorum reachable with f silent`);
      // one smaller does not intersect in f + 1: the bound is tight
      assert.ok(2 * (q - 1) - n < f + 1, `n=${n} f=${f}: ${q - 1} would also do`);
    }
  }
});

Deno.test("bft invariants: toy protocol decides one value with f equivocating Byzantine replicas", () => {
  for (
    const strategies of [[{ kind: "equivocate" }], [{ kind: "silent" }], [{
      kind: "replay",
      afterMs: 5,
    }]]
  ) {
    const { sim, inv } = toyRun(4, [{ nodes: ["n0"], strategies }]);
    assert.equal(inv.breaches.length, 0, JSON.stringify(strategies));
    assert.ok(sim.node("n0").byzantine);
    assert.ok(!sim.node("n1").byzantine);
  }
});

Deno.test("bft invariants: f + 1 colluding equivocators break agreement and are named as culprits", () => {
  const { inv, sim } = toyRun(4, [{
    nodes: ["n0", "n1"],
    strategies: [{ kind: "equivocate", groupB: ["n3"] }],
  }]);
  const b = inv.breaches.find((x) => x.invariant === "agreement");
  assert.ok(b, "agreement breach expected");
  assert.deepEqual(b.culprits.map((c) => c.node), ["n0", "n1"]);
  for (const c of b.culprits) {
    assert.ok(sim.node(c.node).byzantine);
    assert.equal(c.evidence.length, 2);
    assert.notEqual(c.evidence[0].digest, c.evidence[1].digest);
    assert.equal(c.evidence[0].signer, c.node);
  }
  assert.ok(b.culprits.length >= 2, "at least f + 1 culprits");
  assert.match(
    new BftInvariantError(b, "toy").message,
    /toy invariant "agreement" violated: seed=1 .* slot=1 culprits=n0,n1/,
  );
});

Deno.test("bft invariants: the same coalition split within f is harmless (only one side reaches a quorum)", () => {
  const { inv } = toyRun(4, [{
    nodes: ["n0"],
    strategies: [{ kind: "equivocate", groupB: ["n3"] }],
  }]);
  assert.equal(inv.breaches.length, 0);
});

Deno.test("bft invariants: at n = 3f with the live quorum 2f, f equivocators break agreement", () => {
  // n = 3, f = 1: the quorum a protocol needs to stay live with f silent is n − f = 2f = 2, and
  // two quorums of 2 among 3 share one replica, which may be the Byzantine one.
  assert.throws(() => toyRun(3, [], { f: 1, quorum: 2 }), /allowUnsafe/);
  const { inv } = toyRun(3, [{
    nodes: ["n0"],
    strategies: [{ kind: "equivocate", groupB: ["n2"] }],
  }], {
    f: 1,
    quorum: 2,
    allowUnsafe: true,
  });
  const b = inv.breaches.find((x) => x.invariant === "agreement");
  assert.ok(b);
  assert.deepEqual(b.culprits.map((c) => c.node), ["n0"]);
});

Deno.test("bft invariants: a forged vote claiming another replica's identity is not counted", () => {
  const { sim, inv } = toyRun(4, [{
    nodes: ["n1"],
    strategies: [{ kind: "impersonate", victim: "n2" }],
  }]);
  const rejected = sim.events.filter((e) => e.event.type === "rejected" && e.event.voter === "n2");
  assert.ok(rejected.length >= 3, `forgeries rejected: ${rejected.length}`);
  assert.equal(inv.breaches.length, 0);
  // the checker ignores forged statements too: no statement claims n2 with a bad signature
  for (const st of inv.log.at(1)) assert.ok(sim.verifySignature(st.signature, st.signed));
});

Deno.test("bft invariants: validity, double decisions and liveness, fed by hand", () => {
  const inv = new BftInvariants({ seed: 7, throwOnBreach: false });
  const ev = (t: number, node: string, slot: number, digest: string, requests: string[] = []) => ({
    t,
    node,
    event: decideEvent(slot, digest, requests, 0) as never,
    traceIndex: -1,
  });
  inv.observe(ev(10, "n0", 1, "a"));
  inv.observe(ev(12, "n1", 1, "a"));
  assert.equal(inv.breaches.length, 0);
  inv.observe(ev(20, "n1", 1, "b"));
  assert.equal(inv.breaches.length, 2); // n1 twice, and n1 against n0
  assert.equal(inv.breaches[0].invariant, "agreement");
  assert.equal(inv.decidedSlots, 1);
  inv.observe(ev(50, "n2", 2, "c"));
  assert.deepEqual(inv.liveness(40, 20), {
    fromMs: 40,
    firstDecisionMs: 50,
    decisions: 1,
    ok: true,
    boundMs: 20,
  });
  assert.equal(inv.liveness(40, 5).ok, false);
  assert.equal(inv.liveness(60, 1000).ok, false);
  assert.ok(Number.isNaN(inv.liveness(60, 1000).firstDecisionMs));
});

Deno.test("bft invariants: attached, the first breach is thrown with its position", () => {
  const honest = toyNode();
  const c = createCluster<ToyMsg>({
    seed: 3,
    nodes: 4,
    factory: honest,
    byzantine: [{ nodes: ["n0", "n1"], strategies: [{ kind: "equivocate", groupB: ["n3"] }] }],
    adversary: toyAdversary(honest),
  });
  new BftInvariants({ protocol: "toy", statements: toyStatements, validity: false }).attach(c.sim);
  assert.throws(
    () => c.sim.run({ untilMs: 100 }),
    (e: unknown) =>
      e instanceof BftInvariantError && e.breach.traceIndex >= 0 && e.breach.eventIndex > 0,
  );
});

Deno.test("bft invariants: validity names a request no client submitted", () => {
  const c = createCluster<{ type: string; clientId?: string; seq?: number }>({
    seed: 1,
    nodes: 2,
    factory: (ctx) => ({
      onMessage(_from, m) {
        if (m.type === "req") ctx.emit(decideEvent(1, "d", [`${m.clientId}:${m.seq}`, "x:9"], 0));
      },
    }),
  });
  c.sim.addNode("c0", (ctx) => ({
    start: () => ctx.send("n0", { type: "req", clientId: "c0", seq: 1 }),
    onMessage() {},
  }), { role: "client" });
  const inv = new BftInvariants({ throwOnBreach: false }).attach(c.sim);
  c.sim.run({ untilMs: 10 });
  assert.equal(inv.breaches.length, 1);
  assert.equal(inv.breaches[0].invariant, "validity");
  assert.match(inv.breaches[0].message, /request x:9, which no client submitted/);
  assert.ok(inv.submitted.has("c0:1"));
});

Deno.test("sweep adversary: within f, from the named stream, and forced strategies keep the node draw", async () => {
  const { randomAdversary } = await import("@lab/protocols/bft/sweep_adversary.ts");
  const kinds = new Set<string>();
  let none = 0;
  for (let s = 1; s <= 300; s++) {
    const a = randomAdversary(s, { stream: "x", n: 4 });
    if (!a.length) none++;
    else {
      assert.equal(a[0].nodes.length, 1);
      kinds.add(a[0].strategies[0].kind);
    }
    const forced = randomAdversary(s, { stream: "x", forced: { kind: "silent" } });
    assert.deepEqual(forced[0].strategies, [{ kind: "silent" }]);
    if (a.length) assert.deepEqual(forced[0].nodes, a[0].nodes); // the same node is drawn first
  }
  assert.equal(kinds.size, 6);
  assert.ok(none > 20 && none < 80, `${none} seeds without an adversary`);
  assert.notDeepEqual(
    [1, 2, 3, 4, 5].map((s) => randomAdversary(s, { stream: "a" })),
    [1, 2, 3, 4, 5].map((s) => randomAdversary(s, { stream: "b" })),
  );
});
