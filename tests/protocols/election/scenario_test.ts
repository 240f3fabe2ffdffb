import assert from "node:assert/strict";
import { ConfigError, FakeContext } from "@lab/sim/mod.ts";
import {
  type BullyMessage,
  BullyNode,
  type ChangRobertsMessage,
  ChangRobertsNode,
  type HirschbergSinclairMessage,
  HirschbergSinclairNode,
  runBully,
  runRingElection,
  splitBrainIntervals,
} from "@lab/protocols/election/mod.ts";

const range = (n: number) => Array.from({ length: n }, (_, i) => i + 1);
const HB = { heartbeatIntervalMs: 20, leaderTimeoutMs: 100 };

Deno.test("bully: a partition elects one leader per side (two leaders), healed back to one", () => {
  const r = runBully(range(5), {
    config: HB,
    nemesis: [
      { atMs: 500, type: "partition", groups: [["n0", "n1", "n2"], ["n3", "n4"]] },
      { atMs: 2000, type: "heal" },
    ],
    untilMs: 4000,
  });
  const split = splitBrainIntervals(r.events, 4000);
  assert.equal(split.length, 1);
  assert.deepEqual(split[0].leaders, ["n2", "n4"]);
  assert.ok(split[0].fromMs > 500 && split[0].fromMs < 700, `${split[0].fromMs}`);
  assert.ok(split[0].toMs >= 2000 && split[0].toMs < 2100, `${split[0].toMs}`);
  assert.ok([...r.leaders.values()].every((l) => l === "n4"));
});

Deno.test("bully: a paused leader still believes it leads; two leaders until it resumes", () => {
  const r = runBully(range(5), {
    config: HB,
    nemesis: [{ atMs: 500, type: "pause", node: "n4", durationMs: 1000 }],
    untilMs: 3000,
  });
  const split = splitBrainIntervals(r.events, 3000);
  assert.equal(split.length, 1);
  assert.deepEqual(split[0].leaders, ["n3", "n4"]);
  // n3 takes over one leader timeout + one answer timeout after the pause; the resumed n4
  // works through its backlog, sees n3's heartbeats and bullies it at once
  assert.ok(split[0].fromMs > 600 && split[0].fromMs < 700, `${split[0].fromMs}`);
  assert.ok(split[0].toMs >= 1500 && split[0].toMs < 1510, `${split[0].toMs}`);
  assert.ok([...r.leaders.values()].every((l) => l === "n4"));
});

for (const algorithm of ["changRoberts", "hirschbergSinclair"] as const) {
  Deno.test(`${algorithm}: a partitioned ring elects nobody (no leader, not two)`, () => {
    const r = runRingElection(algorithm, [3, 7, 1, 6, 2, 5], {
      nemesis: [{ atMs: 0, type: "partition", groups: [["n0", "n1", "n2"], ["n3", "n4", "n5"]] }],
      untilMs: 5000,
    });
    assert.ok([...r.leaders.values()].every((l) => l === undefined));
  });

  Deno.test(`${algorithm}: a paused node delays the election but changes no count`, () => {
    const uids = [3, 7, 1, 6, 2, 5];
    const base = runRingElection(algorithm, uids);
    const paused = runRingElection(algorithm, uids, {
      nemesis: [{ atMs: 0, type: "pause", node: "n4", durationMs: 500 }],
    });
    assert.equal(paused.electionMessages, base.electionMessages);
    assert.ok(paused.electionTimeMs >= 500 && base.electionTimeMs < 50);
    assert.ok([...paused.leaders.values()].every((l) => l === "n1"));
  });
}

Deno.test("chang-roberts handler: forward larger, swallow smaller, win on own UID", () => {
  const cfg = { ring: ["a", "b", "c"], uids: { a: 5, b: 9, c: 1 } };
  const ctx = new FakeContext<ChangRobertsMessage>("a", ["b", "c"]);
  const node = new ChangRobertsNode(ctx, cfg);
  node.start();
  assert.deepEqual(ctx.take("b"), [{ type: "cr-election", uid: 5 }]);
  node.onMessage("c", { type: "cr-election", uid: 1 });
  assert.deepEqual(ctx.take(), [], "a marked node swallows a smaller UID");
  node.onMessage("c", { type: "cr-election", uid: 9 });
  assert.deepEqual(ctx.take("b"), [{ type: "cr-election", uid: 9 }]);
  node.onMessage("c", { type: "cr-election", uid: 5 });
  assert.deepEqual(ctx.take("b"), [{ type: "cr-elected", uid: 5, leader: "a" }]);
  assert.equal(node.leader, "a");
});

Deno.test("hirschberg-sinclair handler: relay within 2^k hops, reply at 2^k, next phase on two replies", () => {
  const cfg = { ring: ["a", "b", "c", "d"], uids: { a: 5, b: 9, c: 1, d: 2 } };
  const ctx = new FakeContext<HirschbergSinclairMessage>("c", ["a", "b", "d"]);
  const node = new HirschbergSinclairNode(ctx, cfg);
  node.start();
  assert.deepEqual(ctx.take().map((m) => m.type), ["hs-probe", "hs-probe"]);
  node.onMessage("b", { type: "hs-probe", uid: 9, phase: 1, hop: 1, dir: "cw" });
  assert.deepEqual(ctx.take("d"), [{ type: "hs-probe", uid: 9, phase: 1, hop: 2, dir: "cw" }]);
  node.onMessage("b", { type: "hs-probe", uid: 9, phase: 0, hop: 1, dir: "cw" });
  assert.deepEqual(ctx.take("b"), [{ type: "hs-reply", uid: 9, phase: 0, dir: "ccw" }]);
  node.onMessage("d", { type: "hs-reply", uid: 1, phase: 0, dir: "ccw" });
  node.onMessage("b", { type: "hs-reply", uid: 1, phase: 0, dir: "cw" });
  const next = ctx.take();
  assert.deepEqual(next.map((m) => m.type === "hs-probe" && m.phase), [1, 1]);
});

Deno.test("bully handler: no answer within T means take over; an answer means wait", () => {
  const cfg = { members: ["a", "b", "c"], uids: { a: 1, b: 2, c: 3 }, initiators: ["a"] };
  const ctx = new FakeContext<BullyMessage>("a", ["b", "c"]);
  const node = new BullyNode(ctx, cfg);
  node.start();
  assert.deepEqual(ctx.take().map((m) => m.type), ["election", "election"]);
  assert.equal(ctx.timers.get("answer"), 20);
  node.onTimer("answer");
  assert.equal(node.leader, "a");
  assert.deepEqual(ctx.take().map((m) => m.type), ["coordinator", "coordinator"]);
  const ctx2 = new FakeContext<BullyMessage>("a", ["b", "c"]);
  const n2 = new BullyNode(ctx2, cfg);
  n2.start();
  n2.onMessage("c", { type: "answer" });
  assert.ok(ctx2.timers.has("coordinator") && !ctx2.timers.has("answer"));
  n2.onMessage("c", { type: "coordinator" });
  assert.equal(n2.leader, "c");
});

Deno.test("election: bad configurations are rejected naming the field", () => {
  const ring = (cfg: unknown) => () => new ChangRobertsNode({} as never, cfg as never);
  const is = (re: RegExp) => (e: unknown) => e instanceof ConfigError && re.test(e.message);
  assert.throws(ring({ ring: ["a"], uids: { a: 1 } }), is(/ring: a ring needs at least 2/));
  assert.throws(
    ring({ ring: ["a", "b"], uids: { a: 1, b: 1 } }),
    is(/uids\.b: duplicate identifier/),
  );
  assert.throws(ring({ ring: ["a", "b"], uids: { a: 1 } }), is(/uids\.b/));
  assert.throws(
    () => new HirschbergSinclairNode({} as never, { ring: ["a", "a"], uids: { a: 1 } }),
    is(/ring\[1\]: duplicate node/),
  );
  assert.throws(
    () => new BullyNode({} as never, { members: ["a", "b"], uids: { a: 4, b: 4 } }),
    is(/uids\.b: duplicate identifier 4/),
  );
  assert.throws(() => runRingElection("changRoberts", [1]), is(/ring/));
});
