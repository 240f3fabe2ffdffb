import assert from "node:assert/strict";
import { FakeContext } from "@lab/sim/fake_context.ts";
import {
  type GeneralsMessage,
  LoyalGeneral,
  majority,
  type OmMessage,
  parseGeneralsConfig,
  smChoice,
  type SmMessage,
  smSignedData,
  TraitorGeneral,
} from "@lab/protocols/generals/mod.ts";

const PEERS4 = ["n0", "n1", "n2", "n3"];
function ctxFor(self: string, ids = PEERS4) {
  return new FakeContext<GeneralsMessage>(self, ids.filter((x) => x !== self));
}

Deno.test("generals handler: majority is the paper's (RETREAT when there is no majority)", () => {
  assert.equal(majority(["ATTACK", "ATTACK", "RETREAT"]), "ATTACK");
  assert.equal(majority(["ATTACK", "RETREAT"]), "RETREAT");
  assert.equal(majority(["RETREAT", "RETREAT", "ATTACK"]), "RETREAT");
  assert.equal(majority([]), "RETREAT");
});

Deno.test("generals handler: SM choice(V) is the single element, else RETREAT", () => {
  assert.equal(smChoice(new Set(["ATTACK"] as const)), "ATTACK");
  assert.equal(smChoice(new Set(["ATTACK", "RETREAT"] as const)), "RETREAT");
  assert.equal(smChoice(new Set()), "RETREAT");
});

Deno.test("generals handler: the OM commander sends its order to every lieutenant in round 1", () => {
  const ctx = ctxFor("n0");
  const g = new LoyalGeneral(ctx, { n: 4, m: 1, order: "RETREAT", roundMs: 7 });
  g.start();
  assert.deepEqual(ctx.timers.get("round"), 7);
  assert.deepEqual(ctx.eventsOf("generals-order"), [{ type: "generals-order", value: "RETREAT" }]);
  assert.deepEqual(
    ctx.sent.map((s) => [s.to, s.msg]),
    ["n1", "n2", "n3"].map((l) => [l, { type: "om", path: ["n0"], value: "RETREAT" }]),
  );
});

Deno.test("generals handler: an OM lieutenant relays in round 2 (RETREAT for a missing value) and decides by majority after round m + 1", () => {
  const ctx = ctxFor("n1");
  const g = new LoyalGeneral(ctx, { n: 4, m: 1 });
  g.start();
  assert.equal(ctx.sent.length, 0, "lieutenants send nothing in round 1");
  g.onMessage("n0", { type: "om", path: ["n0"], value: "ATTACK" });
  g.onTimer("round");
  assert.deepEqual(
    ctx.take().map((m) => (m as OmMessage).path.join(">") + ":" + (m as OmMessage).value),
    [
      "n0>n1:ATTACK",
      "n0>n1:ATTACK",
    ],
  );
  // n2 relays ATTACK, n3 says nothing: v = (ATTACK, ATTACK, RETREAT) → ATTACK.
  g.onMessage("n2", { type: "om", path: ["n0", "n2"], value: "ATTACK" });
  g.onTimer("round");
  assert.deepEqual(ctx.eventsOf("generals-decide"), [
    { type: "generals-decide", value: "ATTACK", algorithm: "om" },
  ]);
  assert.equal(g.inspect().received["n0>n2"], "ATTACK");
});

Deno.test("generals handler: an OM lieutenant with nothing from the commander relays RETREAT", () => {
  const ctx = ctxFor("n2");
  const g = new LoyalGeneral(ctx, { n: 4, m: 1 });
  g.start();
  g.onTimer("round");
  const out = ctx.take() as OmMessage[];
  assert.equal(out.length, 2);
  assert.ok(out.every((m) => m.value === "RETREAT" && m.path.join(">") === "n0>n2"));
});

Deno.test("generals handler: OM refuses a path that does not end with its sender or arrives in the wrong round", () => {
  const ctx = ctxFor("n1");
  const g = new LoyalGeneral(ctx, { n: 4, m: 1 });
  g.start();
  g.onMessage("n2", { type: "om", path: ["n0"], value: "ATTACK" }); // n2 impersonates n0
  g.onMessage("n2", { type: "om", path: ["n0", "n2"], value: "ATTACK" }); // too early
  g.onMessage("n0", { type: "om", path: ["n0", "n1"], value: "ATTACK" });
  const reasons = ctx.eventsOf("generals-reject").map((e) => e.reason);
  assert.deepEqual(reasons, [
    "path does not end with its sender",
    "path of 2 generals arrived in round 1",
    "path does not end with its sender",
  ]);
  assert.deepEqual(g.inspect().received, {});
});

Deno.test("generals handler: the SM commander signs its order; a lieutenant verifies, adds it to V and relays with its own signature", () => {
  const c = ctxFor("n0");
  const commander = new LoyalGeneral(c, { n: 4, m: 1, algorithm: "sm" });
  commander.start();
  const order = c.take("n1")[0] as SmMessage;
  assert.equal(order.chain[0].signer, "n0");
  assert.ok(c.verify(order.chain[0], smSignedData("ATTACK", [])));

  const ctx = ctxFor("n1");
  const g = new LoyalGeneral(ctx, { n: 4, m: 1, algorithm: "sm" });
  g.start();
  g.onMessage("n0", order);
  assert.deepEqual(g.inspect().values, ["ATTACK"]);
  g.onTimer("round");
  const relays = ctx.take() as SmMessage[];
  assert.deepEqual(ctx.sent, []);
  assert.equal(relays.length, 2, "to n2 and n3, not to the commander");
  for (const r of relays) {
    assert.deepEqual(r.chain.map((s) => s.signer), ["n0", "n1"]);
    assert.ok(ctx.verify(r.chain[1], smSignedData("ATTACK", [order.chain[0]])));
  }
  g.onTimer("round");
  assert.deepEqual(ctx.eventsOf("generals-decide")[0].value, "ATTACK");
});

Deno.test("generals handler: SM refuses an altered relay (the commander's signature does not verify)", () => {
  const c = ctxFor("n0");
  new LoyalGeneral(c, { n: 4, m: 1, algorithm: "sm" }).start();
  const order = c.take("n2")[0] as SmMessage;
  const t = ctxFor("n2");
  const altered: SmMessage = {
    type: "sm",
    value: "RETREAT",
    chain: [...order.chain, t.sign(smSignedData("RETREAT", order.chain))],
  };
  const ctx = ctxFor("n1");
  const g = new LoyalGeneral(ctx, { n: 4, m: 1, algorithm: "sm" });
  g.start();
  g.onTimer("round"); // round 2
  g.onMessage("n2", altered);
  assert.deepEqual(ctx.eventsOf("generals-reject").map((e) => e.reason), [
    "signature 0 (by n0) does not verify",
  ]);
  assert.deepEqual(g.inspect().values, []);
});

Deno.test("generals handler: a lieToSome traitor lieutenant flips only what it tells its victims", () => {
  const ctx = ctxFor("n1");
  const cfg = parseGeneralsConfig({ n: 4, m: 1 });
  const t = new TraitorGeneral(ctx, cfg, { kind: "lieToSome", victims: ["n3"] });
  t.start();
  t.onMessage("n0", { type: "om", path: ["n0"], value: "ATTACK" });
  t.onTimer("round");
  assert.deepEqual(ctx.sent.map((s) => [s.to, (s.msg as OmMessage).value]), [
    ["n2", "ATTACK"],
    ["n3", "RETREAT"],
  ]);
});

Deno.test("generals handler: a silent traitor commander sends nothing; a pattern traitor obeys its pattern", () => {
  const cfg = parseGeneralsConfig({ n: 4, m: 1 });
  const a = ctxFor("n0");
  new TraitorGeneral(a, cfg, { kind: "silent" }).start();
  assert.equal(a.sent.length, 0);
  const b = ctxFor("n0");
  new TraitorGeneral(b, cfg, {
    kind: "pattern",
    choices: { "n0->n1": "RETREAT", "n0->n2": "silent" },
  }).start();
  assert.deepEqual(b.sent.map((s) => [s.to, (s.msg as OmMessage).value]), [
    ["n1", "RETREAT"],
    ["n3", "ATTACK"],
  ]);
});
