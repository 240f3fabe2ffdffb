import assert from "node:assert/strict";
import {
  checkInteractiveConsistency,
  omMessageCount,
  omMessageCountClosed,
  runGenerals,
  smLoyalMessageCount,
  type TraitorStrategy,
} from "@lab/protocols/generals/mod.ts";

const STRATEGIES: TraitorStrategy[] = [
  { kind: "lieToSome", victims: ["n2"] },
  { kind: "lieToAll" },
  { kind: "alternate" },
  { kind: "silent" },
  { kind: "collude", attack: ["n1", "n2"], retreat: ["n3"] },
];

Deno.test("generals: OM(1) with 4 generals keeps IC1 and IC2 under every traitor strategy, at every position (LSP82 §3, n > 3m)", () => {
  for (const strategy of STRATEGIES) {
    for (const node of ["n0", "n1", "n2", "n3"]) {
      for (const order of ["ATTACK", "RETREAT"] as const) {
        const r = runGenerals({ n: 4, m: 1, order, traitors: [{ node, strategy }] });
        assert.ok(
          r.verdict.ok,
          `${strategy.kind} at ${node}, order ${order}: ${r.verdict.description}`,
        );
        assert.equal(Object.keys(r.decisions).length, 3 - (node === "n0" ? 0 : 1));
      }
    }
  }
});

Deno.test("generals: SM(1) keeps IC1 and IC2 under every traitor strategy with 3 and 4 generals (LSP82 §4)", () => {
  for (const n of [3, 4]) {
    for (const strategy of STRATEGIES.filter((s) => s.kind !== "collude")) {
      for (const node of ["n0", "n1"]) {
        const r = runGenerals({ n, m: 1, algorithm: "sm", traitors: [{ node, strategy }] });
        assert.ok(r.verdict.ok, `n=${n} ${strategy.kind} at ${node}: ${r.verdict.description}`);
      }
    }
  }
});

Deno.test("generals: colluding traitors — a traitor commander and lieutenant split OM(1) at n = 4 but not OM(2) at n = 7", () => {
  const collude: TraitorStrategy = { kind: "collude", attack: ["n2"], retreat: ["n3"] };
  const two = runGenerals({
    n: 4,
    m: 1,
    traitors: [{ node: "n0", strategy: collude }, { node: "n1", strategy: collude }],
  });
  assert.equal(two.verdict.ic1.holds, false, two.verdict.description);
  assert.deepEqual(two.verdict.witness, { attack: ["n2"], retreat: ["n3"], undecided: [] });
  const seven: TraitorStrategy = {
    kind: "collude",
    attack: ["n2", "n3"],
    retreat: ["n4", "n5", "n6"],
  };
  const r = runGenerals({
    n: 7,
    m: 2,
    traitors: [{ node: "n0", strategy: seven }, { node: "n1", strategy: seven }],
  });
  assert.ok(r.verdict.ok, r.verdict.description);
});

Deno.test("generals: colluding SM traitors (commander hands its ally both orders) cannot split SM(2) at n = 4", () => {
  const s: TraitorStrategy = { kind: "collude", attack: ["n2"], retreat: ["n3"] };
  const r = runGenerals({
    n: 4,
    m: 2,
    algorithm: "sm",
    traitors: [{ node: "n0", strategy: s }, { node: "n1", strategy: s }],
  });
  assert.ok(r.verdict.ok, r.verdict.description);
  assert.deepEqual(r.decisions, { n2: "RETREAT", n3: "RETREAT" });
});

Deno.test("generals: with 3 generals a lying lieutenant defeats OM(1) (IC2), while SM(1) refuses its altered relay", () => {
  const om = runGenerals({
    n: 3,
    m: 1,
    traitors: [{ node: "n1", strategy: { kind: "lieToAll" } }],
  });
  assert.equal(om.verdict.ic2.holds, false);
  assert.deepEqual(om.decisions, { n2: "RETREAT" });
  assert.match(om.verdict.ic2.detail, /n0 ordered ATTACK but n2 does not obey/);
  const sm = runGenerals({
    n: 3,
    m: 1,
    algorithm: "sm",
    traitors: [{ node: "n1", strategy: { kind: "lieToAll" } }],
  });
  assert.ok(sm.verdict.ok, sm.verdict.description);
  assert.equal(sm.rejected, 1);
  const reject = sm.sim.events.find((e) => e.event.type === "generals-reject")!;
  assert.equal(reject.event.reason, "signature 0 (by n0) does not verify");
});

Deno.test("generals: with 3 generals a lying commander forces RETREAT on both loyal lieutenants (OM(1)'s tie rule), so the break comes from the lying lieutenant", () => {
  const r = runGenerals({
    n: 3,
    m: 1,
    traitors: [{ node: "n0", strategy: { kind: "alternate" } }],
  });
  assert.deepEqual(r.decisions, { n1: "RETREAT", n2: "RETREAT" });
  // LSP82 Fig. 1/2: lieutenant n1 sees ATTACK from the commander and "RETREAT" from n2 in both
  // scenarios; OM(1) retreats, which is right when the commander lies and wrong when n2 lies.
  const fig1 = runGenerals({
    n: 3,
    m: 1,
    traitors: [{ node: "n2", strategy: { kind: "lieToAll" } }],
  });
  const fig2 = runGenerals({
    n: 3,
    m: 1,
    traitors: [{ node: "n0", strategy: { kind: "lieToSome", victims: ["n2"] } }],
  });
  assert.equal(fig1.decisions.n1, fig2.decisions.n1);
  assert.equal(fig1.verdict.ok, false);
  assert.equal(fig2.verdict.ok, true);
});

Deno.test("generals: the same seed twice gives the same trace hash", () => {
  const run = (seed: number) =>
    runGenerals({
      n: 5,
      m: 1,
      seed,
      traitors: [{ node: "n2", strategy: { kind: "alternate" } }],
    }).sim.trace.hash();
  assert.equal(run(7), run(7));
  const sm = (seed: number) =>
    runGenerals({
      n: 4,
      m: 2,
      algorithm: "sm",
      seed,
      traitors: [{ node: "n0", strategy: { kind: "lieToSome", victims: ["n1"] } }],
    })
      .sim.trace.hash();
  assert.equal(sm(3), sm(3));
});

Deno.test("generals: loyal OM(m) sends M(n, m) messages, the recursion (n − 1) + (n − 1)·M(n − 1, m − 1)", () => {
  assert.equal(omMessageCount(4, 0), 3);
  for (
    const [n, m] of [[2, 0], [3, 1], [4, 1], [5, 1], [4, 2], [5, 2], [6, 2], [7, 2], [7, 3], [8, 3]]
  ) {
    const r = runGenerals({ n, m, trace: { mode: "off" } });
    assert.equal(r.sent, omMessageCount(n, m), `n=${n} m=${m}`);
    assert.equal(omMessageCountClosed(n, m), omMessageCount(n, m));
    assert.ok(r.verdict.ok);
  }
  assert.equal(omMessageCount(7, 2), 6 + 6 * 5 + 6 * 5 * 4);
});

Deno.test("generals: loyal SM(m) sends (n − 1)² messages for m ≥ 1 and n − 1 for m = 0", () => {
  for (const [n, m] of [[3, 0], [3, 1], [4, 1], [4, 2], [6, 3], [7, 2], [9, 5]]) {
    const r = runGenerals({ n, m, algorithm: "sm", trace: { mode: "off" } });
    assert.equal(r.sent, smLoyalMessageCount(n, m), `n=${n} m=${m}`);
    assert.equal(r.sent, m === 0 ? n - 1 : (n - 1) ** 2);
  }
});

Deno.test("generals: the mistake flags change what the paper says they change", () => {
  const short = runGenerals({
    n: 4,
    m: 1,
    mistakeOneRoundShort: true,
    traitors: [{ node: "n0", strategy: { kind: "alternate" } }],
  });
  assert.equal(short.verdict.ic1.holds, false, "OM(0) obeys a splitting commander directly");
  const skip = runGenerals({
    n: 3,
    m: 1,
    algorithm: "sm",
    mistakeSkipVerify: true,
    traitors: [{ node: "n1", strategy: { kind: "lieToAll" } }],
  });
  assert.equal(skip.verdict.ic2.holds, false, "without verify an altered relay is believed");
  const wasteful = runGenerals({ n: 4, m: 1, mistakeRelayToCommander: true });
  assert.ok(wasteful.verdict.ok);
  assert.equal(wasteful.sent, omMessageCount(4, 1) + 3);
});

Deno.test("generals checker: verdicts carry the witness", () => {
  const v = checkInteractiveConsistency({
    commander: "n0",
    traitors: ["n3"],
    order: "ATTACK",
    lieutenants: ["n1", "n2", "n3"],
    decisions: { n1: "ATTACK", n2: "RETREAT" },
  });
  assert.equal(v.ok, false);
  assert.equal(v.ic1.holds, false);
  assert.equal(v.ic2.holds, false);
  assert.deepEqual(v.witness, { attack: ["n1"], retreat: ["n2"], undecided: [] });
  assert.match(v.ic2.detail, /n2 does not obey/);
  const undecided = checkInteractiveConsistency({
    commander: "n0",
    traitors: ["n0"],
    order: "ATTACK",
    lieutenants: ["n1", "n2"],
    decisions: { n1: "RETREAT" },
  });
  assert.equal(undecided.ic1.holds, false);
  assert.deepEqual(undecided.witness.undecided, ["n2"]);
  assert.match(undecided.ic2.detail, /vacuous/);
});
