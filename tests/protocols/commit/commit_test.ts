import assert from "node:assert/strict";
import { ConfigError, FakeContext } from "@lab/sim/mod.ts";
import { createCluster } from "@lab/net/mod.ts";
import {
  checkAtomicCommit,
  COMMIT_SCENARIOS,
  COMMIT_TIMING,
  PaxosCommitConfigInput,
  type PaxosCommitMessage,
  PaxosCommitNode,
  runCommitScenario,
  ThreePcConfigInput,
  type ThreePcMessage,
  ThreePcNode,
  timeInDoubt,
  TwoPcConfigInput,
  type TwoPcMessage,
  TwoPcNode,
} from "@lab/protocols/commit/mod.ts";

const P = ["p1", "p2", "p3"];
const LAT10 = { latency: { kind: "constant" as const, ms: 10 } };

function twoPc(cfg: Partial<TwoPcConfigInput>, nemesis: unknown[] = [], untilMs = 10_000) {
  const c = createCluster<TwoPcMessage>({
    seed: 7,
    nodes: ["c", ...P],
    factory: (ctx) => new TwoPcNode(ctx, { coordinator: "c", participants: P, ...cfg }),
    network: LAT10,
    nemesis,
  });
  c.sim.run({ untilMs });
  return c.sim;
}

function threePc(
  cfg: Partial<ThreePcConfigInput>,
  nemesis: unknown[] = [],
  network: unknown = LAT10,
) {
  const c = createCluster<ThreePcMessage>({
    seed: 7,
    nodes: ["c", ...P],
    factory: (ctx) =>
      new ThreePcNode(ctx, {
        coordinator: "c",
        participants: P,
        failureDetectorTimeoutMs: 50,
        ...cfg,
      }),
    network: network as never,
    nemesis,
    trace: { mode: "off" },
  });
  c.sim.run({ untilMs: 2000 });
  return c.sim;
}

Deno.test("2pc: all yes and no failures commits everywhere (AC1-AC4 hold)", () => {
  const sim = twoPc({});
  const v = checkAtomicCommit(sim.events, { participants: P, failureFree: true });
  assert.ok(v.ok, JSON.stringify(v.violations));
  assert.deepEqual([...v.decisions.values()], ["commit", "commit", "commit", "commit"]);
});

Deno.test("2pc: one no vote aborts everywhere", () => {
  const sim = twoPc({ votes: { p2: "no" } });
  const v = checkAtomicCommit(sim.events, { participants: P, failureFree: true });
  assert.ok(v.ok);
  assert.ok([...v.decisions.values()].every((o) => o === "abort"));
});

Deno.test("2pc: a coordinator crash after prepare leaves yes voters in doubt until it restarts", () => {
  // prepares reach the participants at 10 ms, their votes would reach c at 20 ms: c dies at 15 ms
  const crash = [{ atMs: 15, type: "crash", node: "c" }];
  const blocked = twoPc({ cooperativeTermination: true }, crash, 5000);
  const v = checkAtomicCommit(blocked.events, { participants: P });
  assert.ok(v.ok, "blocking is not unsafe");
  assert.deepEqual(v.undecided, P, "nobody can decide: every participant voted yes");
  for (const [, d] of timeInDoubt(blocked.events, 5000)) {
    assert.equal(d.resolved, false);
    assert.equal(d.ms, 4990);
  }
  const healed = twoPc({}, [...crash, { atMs: 3015, type: "restart", node: "c" }], 5000);
  const doubt = timeInDoubt(healed.events, 5000);
  // in doubt from 10 ms until the presumed-abort decision arrives (restart 3015 + 10 ms)
  for (const p of P) assert.deepEqual(doubt.get(p), { ms: 3015, resolved: true });
  const v2 = checkAtomicCommit(healed.events, { participants: P });
  assert.ok(v2.ok);
  assert.ok([...v2.decisions.values()].every((o) => o === "abort"));
});

Deno.test("3pc: a coordinator crash after prepare does not block: the survivors abort", () => {
  const sim = threePc({}, [{ atMs: 15, type: "crash", node: "c" }]);
  const v = checkAtomicCommit(sim.events, { participants: P });
  assert.ok(v.ok, JSON.stringify(v.violations));
  assert.deepEqual(v.undecided, []);
  assert.ok(P.every((p) => v.decisions.get(p) === "abort"));
  for (const [, d] of timeInDoubt(sim.events, 2000)) {
    assert.ok(d.resolved && d.ms < 200, `in doubt ${d.ms} ms`);
  }
});

Deno.test("3pc: a coordinator crash after pre-commit does not block: the survivors commit", () => {
  // pre-commits reach the participants at 30 ms; the commit would leave c at 40 ms
  const sim = threePc({}, [{ atMs: 35, type: "crash", node: "c" }]);
  const v = checkAtomicCommit(sim.events, { participants: P });
  assert.ok(v.ok, JSON.stringify(v.violations));
  assert.ok(P.every((p) => v.decisions.get(p) === "commit"));
  assert.ok(sim.events.some((e) => e.event.type === "recovery" && e.node === "p1"));
});

Deno.test("3pc: a recovery coordinator that crashes too is replaced; still no blocking", () => {
  const sim = threePc({}, [
    { atMs: 35, type: "crash", node: "c" },
    { atMs: 95, type: "crash", node: "p1" },
  ]);
  const v = checkAtomicCommit(sim.events, { participants: ["p2", "p3"] });
  assert.ok(v.ok, JSON.stringify(v.violations));
  assert.equal(v.decisions.get("p2"), "commit");
  assert.equal(v.decisions.get("p3"), "commit");
});

Deno.test("3pc: under a partition the two sides decide differently (agreement violated)", () => {
  // p1 sits 1 ms from c, p2 and p3 10 ms away; the partition at 25 ms cuts the pre-commits
  // to p2 and p3 (sent at 20 ms) in flight, after p1 got its own at 21 ms
  const network = {
    latency: { kind: "constant", ms: 10 },
    links: [{ from: "c", to: "p1", latency: { kind: "constant", ms: 1 } }],
  };
  const sim = threePc(
    {},
    [{ atMs: 25, type: "partition", groups: [["c", "p1"], ["p2", "p3"]] }],
    network,
  );
  const v = checkAtomicCommit(sim.events, { participants: P });
  assert.equal(v.ok, false);
  assert.equal(v.violations[0].condition, "agreement");
  assert.equal(v.decisions.get("c"), "commit");
  assert.equal(v.decisions.get("p1"), "commit");
  assert.equal(v.decisions.get("p2"), "abort");
  assert.equal(v.decisions.get("p3"), "abort");
  assert.match(v.violations[0].message, /commit.*abort|abort.*commit/);
});

function paxosCommit(cfg: Partial<PaxosCommitConfigInput>, nemesis: unknown[] = []) {
  const nodes = ["tm", "a0", "a1", "a2", ...P];
  const c = createCluster<PaxosCommitMessage>({
    seed: 7,
    nodes,
    factory: (ctx) =>
      new PaxosCommitNode(ctx, {
        participants: P,
        acceptors: ["a0", "a1", "a2"],
        leaders: ["tm", "a0"],
        ...cfg,
      }),
    network: LAT10,
    nemesis,
  });
  c.sim.run({ untilMs: 5000 });
  return c.sim;
}

Deno.test("paxos commit: all yes commits; one no aborts", () => {
  const ok = checkAtomicCommit(paxosCommit({}).events, { participants: P, failureFree: true });
  assert.ok(ok.ok);
  assert.ok(P.every((p) => ok.decisions.get(p) === "commit"));
  const no = checkAtomicCommit(paxosCommit({ votes: { p3: "no" } }).events, {
    participants: P,
    failureFree: true,
  });
  assert.ok(no.ok);
  assert.ok(P.every((p) => no.decisions.get(p) === "abort"));
});

Deno.test("paxos commit: the TM crashing after prepare does not block (the fix for 2pc)", () => {
  const sim = paxosCommit({}, [{ atMs: 15, type: "crash", node: "tm" }]);
  const v = checkAtomicCommit(sim.events, { participants: P });
  assert.ok(v.ok);
  assert.ok(P.every((p) => v.decisions.get(p) === "commit"));
  for (const [, d] of timeInDoubt(sim.events, 5000)) {
    assert.ok(d.resolved && d.ms <= 40, `in doubt ${d.ms} ms`);
  }
});

Deno.test("paxos commit: a silent RM is voted aborted by a backup leader's phase 1", () => {
  const sim = paxosCommit({}, [
    { atMs: 5, type: "crash", node: "p3" },
    { atMs: 15, type: "crash", node: "tm" },
  ]);
  const v = checkAtomicCommit(sim.events, { participants: ["p1", "p2"] });
  assert.ok(v.ok, JSON.stringify(v.violations));
  assert.equal(v.decisions.get("p1"), "abort");
  assert.equal(v.decisions.get("p2"), "abort");
});

Deno.test("paxos commit: one acceptor down (F = 1) still commits", () => {
  const sim = paxosCommit({}, [{ atMs: 0, type: "crash", node: "a2" }]);
  const v = checkAtomicCommit(sim.events, { participants: P });
  assert.ok(v.ok && P.every((p) => v.decisions.get(p) === "commit"));
});

Deno.test("checker: a decision flip and a commit without all yes votes are caught", () => {
  const ev = (t: number, node: string, event: Record<string, unknown>) => ({
    t,
    node,
    event: event as { type: string },
    traceIndex: 0,
  });
  const v = checkAtomicCommit([
    ev(1, "p1", { type: "vote", vote: "yes" }),
    ev(1, "p2", { type: "vote", vote: "no" }),
    ev(2, "p1", { type: "decide", outcome: "commit" }),
    ev(3, "p1", { type: "decide", outcome: "abort" }),
  ], { participants: ["p1", "p2"] });
  assert.deepEqual(v.violations.map((x) => x.condition).sort(), ["irrevocability", "validity"]);
  const trivial = checkAtomicCommit([
    ev(1, "p1", { type: "vote", vote: "yes" }),
    ev(2, "p1", { type: "decide", outcome: "abort" }),
  ], { participants: ["p1"], failureFree: true });
  assert.equal(trivial.violations[0].condition, "nonTriviality");
});

Deno.test("commit: bad configurations name the field", () => {
  const fd = () =>
    new ThreePcNode({} as never, { coordinator: "c", participants: ["p1"] } as never);
  assert.throws(
    fd,
    (e: unknown) => e instanceof ConfigError && /failureDetectorTimeoutMs/.test(e.message),
  );
  assert.throws(
    () => new TwoPcNode({} as never, { coordinator: "c", participants: ["p1", "p1"] }),
    (e: unknown) => e instanceof ConfigError && /participants\[1\]/.test(e.message),
  );
  assert.throws(
    () =>
      new ThreePcNode({} as never, {
        coordinator: "c",
        participants: ["p1"],
        failureDetectorTimeoutMs: 5,
        heartbeatIntervalMs: 10,
      }),
    (e: unknown) => e instanceof ConfigError && /heartbeatIntervalMs/.test(e.message),
  );
  assert.throws(
    () =>
      new PaxosCommitNode({} as never, {
        participants: ["p1"],
        acceptors: ["a", "a"],
        leaders: ["t"],
      }),
    (e: unknown) => e instanceof ConfigError && /acceptors\[1\]/.test(e.message),
  );
});

Deno.test("commit scenarios: verdicts, decisions and time in doubt as the theory says", () => {
  const table = Object.fromEntries(
    COMMIT_SCENARIOS.map((s) => [s, runCommitScenario(s)] as const),
  );
  const expected: Record<string, [boolean, string]> = {
    "2pc-ok": [true, "commit"],
    "2pc-coordinator-crash": [true, "blocked"],
    "2pc-coordinator-crash-restart": [true, "abort"],
    "3pc-coordinator-crash-after-prepare": [true, "abort"],
    "3pc-coordinator-crash-after-precommit": [true, "commit"],
    "paxos-commit-tm-crash": [true, "commit"],
    "paxos-commit-tm-crash-early": [true, "abort"],
    "paxos-commit-partition": [true, "abort"],
  };
  for (const [s, [ok, outcome]] of Object.entries(expected)) {
    assert.equal(table[s].verdict.ok, ok, s);
    assert.ok(Object.values(table[s].decisions).every((d) => d === outcome), s);
  }
  const split = table["3pc-partition"];
  assert.equal(split.verdict.ok, false);
  assert.deepEqual(split.decisions, { p1: "commit", p2: "abort", p3: "abort" });
  // blocked 2PC: in doubt for the whole run; the fixes: a few timeouts or a few message delays
  assert.equal(table["2pc-coordinator-crash"].maxInDoubtMs, 4990);
  assert.ok(table["3pc-coordinator-crash-after-prepare"].maxInDoubtMs <= 150);
  assert.ok(table["paxos-commit-tm-crash"].maxInDoubtMs <= 3 * COMMIT_TIMING.linkMs);
});

Deno.test("commit: one seed run twice gives the same trace hash", () => {
  const a = runCommitScenario("3pc-partition", { seed: 3, runMs: 500 });
  const b = runCommitScenario("3pc-partition", { seed: 3, runMs: 500 });
  assert.equal(a.traceHash, b.traceHash);
  assert.deepEqual(a.events, b.events);
});

Deno.test("2pc handler: a yes voter logs prepared, and stays in doubt across a restart", () => {
  const cfg = { coordinator: "c", participants: ["p1", "p2"] };
  const ctx = new FakeContext<TwoPcMessage>("p1", ["c", "p2"]);
  const node = new TwoPcNode(ctx, cfg);
  node.start();
  node.onMessage("c", { type: "prepare" });
  assert.deepEqual(ctx.take("c"), [{ type: "vote", vote: "yes" }]);
  assert.equal(ctx.storage.get("prepared"), true);
  const again = new FakeContext<TwoPcMessage>("p1", ["c", "p2"], ctx.storage);
  const restarted = new TwoPcNode(again, cfg);
  restarted.start();
  assert.equal(restarted.decision, undefined);
  restarted.onTimer("retry");
  assert.deepEqual(
    again.take("c"),
    [{ type: "decision-request" }],
    "it must ask; it may not decide",
  );
  // a participant asked by a peer before it voted aborts unilaterally (BHG §7.4)
  const p2 = new FakeContext<TwoPcMessage>("p2", ["c", "p1"]);
  const n2 = new TwoPcNode(p2, cfg);
  n2.start();
  n2.onMessage("p1", { type: "decision-request" });
  assert.equal(n2.decision, "abort");
  assert.deepEqual(p2.take("p1"), [{ type: "decision", outcome: "abort" }]);
});

Deno.test("3pc handler: a participant in w that suspects the coordinator runs the termination protocol", () => {
  const cfg = { coordinator: "c", participants: ["p1", "p2"], failureDetectorTimeoutMs: 50 };
  const ctx = new FakeContext<ThreePcMessage>("p1", ["c", "p2"]);
  const node = new ThreePcNode(ctx, cfg);
  node.start();
  node.onMessage("c", { type: "prepare" });
  assert.equal(node.state, "w");
  ctx.take();
  ctx.now = 60;
  node.onMessage("p2", { type: "alive" });
  node.onTimer("alive");
  assert.deepEqual(ctx.eventsOf("suspect").map((e) => e.peer), ["c"]);
  assert.deepEqual(ctx.take("p2").filter((m) => m.type !== "alive"), [{ type: "state-request" }]);
  node.onMessage("p2", { type: "state-reply", state: "p" });
  assert.equal(node.state, "p", "some p: pre-commit the rest first");
  assert.deepEqual(ctx.take("p2"), [{ type: "pre-commit" }]);
  node.onMessage("p2", { type: "pre-commit-ack" });
  assert.equal(node.state, "c");
});

Deno.test("3pc handler: the coordinator in p commits when acks time out", () => {
  const cfg = { coordinator: "c", participants: ["p1", "p2"], failureDetectorTimeoutMs: 50 };
  const ctx = new FakeContext<ThreePcMessage>("c", ["p1", "p2"]);
  const node = new ThreePcNode(ctx, cfg);
  node.start();
  node.onMessage("p1", { type: "vote", vote: "yes" });
  node.onMessage("p2", { type: "vote", vote: "yes" });
  assert.equal(node.state, "p");
  node.onMessage("p1", { type: "pre-commit-ack" });
  node.onTimer("phase");
  assert.equal(node.state, "c");
  assert.deepEqual(ctx.eventsOf("decide"), [{ type: "decide", outcome: "commit" }]);
});

Deno.test("paxos commit: a partition never splits the decision; the minority waits for the heal", () => {
  // the RMs' ballot-0 votes (sent at 10 ms) are cut at 15 ms: p1's reaches only a0
  const sim = paxosCommit({ leaders: ["tm", "a0", "a1"] }, [
    { atMs: 15, type: "partition", groups: [["tm", "a0", "p1"], ["a1", "a2", "p2", "p3"]] },
    { atMs: 2000, type: "heal" },
  ]);
  const v = checkAtomicCommit(sim.events, { participants: P });
  assert.ok(v.ok, JSON.stringify(v.violations));
  assert.ok(P.every((p) => v.decisions.get(p) === "abort"));
  const p1 = sim.events.find((e) => e.node === "p1" && e.event.type === "decide")!;
  const p2 = sim.events.find((e) => e.node === "p2" && e.event.type === "decide")!;
  assert.ok(p1.t >= 2000, "the minority side decides only after the heal");
  assert.ok(p2.t < 2000, "the majority side's backup leader decides during the partition");
});

Deno.test("paxos commit scenarios: the fast path runs no phase 1; the early crash runs it on every instance", () => {
  const T = COMMIT_TIMING;
  const fast = runCommitScenario("paxos-commit-tm-crash");
  assert.equal(fast.messagesByType["pc-1a"] ?? 0, 0, "2b to every leader: no takeover needed");
  const early = runCommitScenario("paxos-commit-tm-crash-early");
  assert.equal(early.messagesByType["pc-begin"], 3, "sent to all three; the one to p3 is lost");
  assert.ok(
    !early.events.some((e) => e.node === "p3" && e.event.type === "vote"),
    "p3 never votes",
  );
  // phase 1 for all 3 instances at all 3 acceptors, and every acceptor promises
  assert.equal(early.messagesByType["pc-1a"], 9);
  assert.equal(early.messagesByType["pc-1b"], 9);
  // ballot 0: p1's and p2's 2a to 3 acceptors; ballot 1: the backup's 2a for 3 instances
  assert.equal(early.messagesByType["pc-2a"], 6 + 9);
  // the backup re-proposes the accepted "prepared" for p1, p2 and "aborted" for p3 (ballot 1)
  const sent2a = early.trace.filter((r) =>
    r.type === "send" && (r as { msg?: { type?: string } }).msg?.type === "pc-2a" &&
    (r as { msg: { ballot: number } }).msg.ballot === 1
  ).map((r) => (r as unknown as { msg: { rm: string; value: string } }).msg);
  const byRm = Object.fromEntries(sent2a.map((m) => [m.rm, m.value]));
  assert.deepEqual(byRm, { p1: "prepared", p2: "prepared", p3: "aborted" });
  // everyone decides abort at takeover + 1a + 1b + 2a + 2b + outcome = takeoverMs + 5 delays
  for (const p of P) assert.equal(early.decidedAtMs[p], T.takeoverMs + 5 * T.linkMs, p);
});

Deno.test("paxos commit: backups take over in order (leaders[k] after k × takeoverMs)", () => {
  const T = COMMIT_TIMING;
  const part = runCommitScenario("paxos-commit-partition");
  assert.ok(part.verdict.ok);
  // a1 = leaders[2] starts ballot 2 at 2 × takeoverMs; p2, p3 hear its abort 5 delays later
  assert.equal(part.decidedAtMs.p2, 2 * T.takeoverMs + 5 * T.linkMs);
  assert.ok(part.decidedAtMs.p1 >= T.pcHealAtMs);
  assert.ok(part.decidedAtMs.p1 <= T.pcHealAtMs + T.takeoverMs + 2 * T.linkMs);
});

Deno.test("paxos commit handler: a restarted backup resumes above its last ballot", () => {
  const cfg = { participants: ["p1"], acceptors: ["a0", "a1", "a2"], leaders: ["tm", "a0"] };
  const ctx = new FakeContext<PaxosCommitMessage>("a0", ["tm", "a1", "a2", "p1"]);
  const node = new PaxosCommitNode(ctx, cfg);
  node.start();
  node.onTimer("takeover");
  const first = ctx.take("a1").filter((m) => m.type === "pc-1a");
  assert.deepEqual(first, [{ type: "pc-1a", ballot: 1, rm: "p1" }]);
  // restart from stable storage: the next ballot is 1 + L = 3, never 1 again
  const again = new FakeContext<PaxosCommitMessage>("a0", ["tm", "a1", "a2", "p1"], ctx.storage);
  const restarted = new PaxosCommitNode(again, cfg);
  restarted.start();
  restarted.onTimer("takeover");
  assert.deepEqual(again.take("a1").filter((m) => m.type === "pc-1a"), [
    { type: "pc-1a", ballot: 3, rm: "p1" },
  ]);
  // the TM (leaders[0]) never arms a takeover timer: it owns only ballot 0
  const tm = new FakeContext<PaxosCommitMessage>("tm", ["a0", "a1", "a2", "p1"]);
  const tmNode = new PaxosCommitNode(tm, cfg);
  tmNode.start();
  tmNode.onTimer("takeover");
  assert.equal(tm.take().filter((m) => m.type === "pc-1a").length, 0);
});

Deno.test("paxos commit handler: phase 2b goes to the ballot's leader in the paper's mode", () => {
  const cfg = {
    participants: ["p1"],
    acceptors: ["a0"],
    leaders: ["tm", "b1", "b2"],
    phase2bTo: "ballot-leader" as const,
  };
  const ctx = new FakeContext<PaxosCommitMessage>("a0", ["tm", "b1", "b2", "p1"]);
  const acc = new PaxosCommitNode(ctx, cfg);
  acc.onMessage("p1", { type: "pc-2a", ballot: 0, rm: "p1", value: "prepared" });
  assert.equal(ctx.take("tm").length, 1);
  assert.equal(ctx.take("b1").length + ctx.take("b2").length, 0);
  acc.onMessage("b2", { type: "pc-1a", ballot: 5, rm: "p1" });
  assert.deepEqual(ctx.take("b2"), [{
    type: "pc-1b",
    ballot: 5,
    rm: "p1",
    accepted: { ballot: 0, value: "prepared" },
  }]);
  acc.onMessage("b2", { type: "pc-2a", ballot: 5, rm: "p1", value: "prepared" });
  assert.equal(ctx.take("b2").length, 1, "ballot 5 belongs to leaders[5 mod 3] = b2");
  assert.equal(ctx.take("tm").length + ctx.take("b1").length, 0);
  // a lower ballot is refused after the promise
  acc.onMessage("p1", { type: "pc-2a", ballot: 0, rm: "p1", value: "aborted" });
  assert.equal(ctx.take().length, 0);
});
