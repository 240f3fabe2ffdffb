/**
 * PBFT handler tests (Castro and Liskov, OSDI 1999, §4): one replica over a FakeContext, one input
 * at a time, assertions on what it sent, emitted and stored.
 */
import assert from "node:assert/strict";
import { FakeContext } from "../../../lib/sim/fake_context.ts";
import { MemoryStorage } from "../../../lib/sim/storage.ts";
import { digestOf } from "../../../lib/sim/trace.ts";
import { ConfigError } from "../../../lib/sim/errors.ts";
import type { NodeId } from "../../../lib/sim/types.ts";
import { NULL_DIGEST, PBFT_TIMERS, PbftNode } from "../../../lib/protocols/pbft/node.ts";
import {
  type Batch,
  type Checkpoint,
  type Commit,
  type PbftMessage,
  type Prepare,
  type PrePrepare,
  signedPart,
  type ViewChange,
} from "../../../lib/protocols/pbft/messages.ts";
import type { PbftConfigInput } from "../../../lib/protocols/pbft/config.ts";

interface Cmd {
  clientId: string;
  seq: number;
  op: string;
}
type M = PbftMessage<Cmd>;
const ALL = ["n0", "n1", "n2", "n3"];

function sig<T extends { type: string }>(
  i: NodeId,
  msg: T,
): T & { signature: { signer: string; digest: string } } {
  return { ...msg, signature: { signer: i, digest: digestOf(signedPart(msg)) } };
}
function batch(...seqs: number[]): Batch<Cmd> {
  return { requests: seqs.map((s) => ({ clientId: "p0", seq: s, op: `op${s}` })) };
}
function pp(v: number, n: number, m: Batch<Cmd>, i = "n0"): PrePrepare<Cmd> {
  return { ...sig(i, { type: "PRE-PREPARE" as const, v, n, d: digestOf(m), i }), m };
}
function prepare(v: number, n: number, d: string, i: NodeId): Prepare {
  return sig(i, { type: "PREPARE" as const, v, n, d, i });
}
function commit(v: number, n: number, d: string, i: NodeId): Commit {
  return sig(i, { type: "COMMIT" as const, v, n, d, i });
}

function replica(self = "n1", config: PbftConfigInput = {}, storage?: MemoryStorage) {
  const ctx = new FakeContext<M>(self, ALL.filter((x) => x !== self), storage);
  const applied: { index: number; command: Cmd }[] = [];
  const node = new PbftNode<Cmd>(ctx, config, {
    apply: (e) => applied.push(e),
    snapshot: () => applied.map((a) => a.command.seq),
    restore: (s) => {
      applied.length = 0;
      (s as number[]).forEach((seq, k) =>
        applied.push({ index: k + 1, command: { clientId: "p0", seq, op: `op${seq}` } })
      );
    },
  });
  node.start();
  return { ctx, node, applied };
}

/** Drive slot n to committed-local at a backup from outside (pre-prepare, 2f prepares, 2f+1 commits). */
function commitSlot(r: ReturnType<typeof replica>, v: number, n: number, m: Batch<Cmd>) {
  const p = pp(v, n, m, ALL[v % 4]);
  r.node.onMessage(p.i, p);
  for (const i of ALL.filter((x) => x !== p.i && x !== r.ctx.self)) {
    r.node.onMessage(i, prepare(v, n, p.d, i));
  }
  for (const i of ALL.filter((x) => x !== r.ctx.self)) r.node.onMessage(i, commit(v, n, p.d, i));
}

Deno.test("pbft §4.2: a backup accepts the primary's pre-prepare and multicasts a signed PREPARE", () => {
  const r = replica();
  const p = pp(0, 1, batch(1));
  r.node.onMessage("n0", p);
  const sent = r.ctx.take();
  assert.equal(sent.length, 3);
  for (const m of sent) {
    assert.equal(m.type, "PREPARE");
    const q = m as Prepare;
    assert.deepEqual([q.v, q.n, q.d, q.i], [0, 1, p.d, "n1"]);
    assert.equal(q.signature.signer, "n1");
    assert.equal(q.signature.digest, digestOf(signedPart(q)));
  }
  assert.ok(r.ctx.storage.listLength("pbft:log") >= 2, "pre-prepare and own prepare are durable");
  assert.ok(r.ctx.timers.has(PBFT_TIMERS.view), "§4.5.2: a request not executed starts the timer");
});

Deno.test("pbft §4.2: pre-prepares are refused with a wrong digest, from a non-primary, outside h < n ≤ H, or conflicting", () => {
  const r = replica("n1", { logWindow: 8 });
  const bad = { ...pp(0, 1, batch(1)), m: batch(2) };
  r.node.onMessage("n0", bad);
  r.node.onMessage("n2", pp(0, 2, batch(2), "n2"));
  r.node.onMessage("n0", pp(0, 9, batch(9)));
  r.node.onMessage("n0", pp(0, 0, batch(9)));
  assert.equal(r.ctx.take().length, 0);
  r.node.onMessage("n0", pp(0, 3, batch(3)));
  assert.equal(r.ctx.take().length, 3);
  // §4.2: a second pre-prepare for the same view and sequence number with another digest
  r.node.onMessage("n0", pp(0, 3, batch(4)));
  assert.equal(r.ctx.take().length, 0);
});

Deno.test("pbft §4.2: prepared after 2f prepares → COMMIT; committed-local after 2f+1 commits → execute in order", () => {
  const r = replica();
  const p2 = pp(0, 2, batch(2));
  r.node.onMessage("n0", p2);
  r.node.onMessage("n2", prepare(0, 2, p2.d, "n2"));
  const commits = r.ctx.take().filter((m) => m.type === "COMMIT");
  assert.equal(commits.length, 3, "own prepare + n2's = 2f: prepared, commit multicast");
  r.node.onMessage("n0", commit(0, 2, p2.d, "n0"));
  r.node.onMessage("n2", commit(0, 2, p2.d, "n2"));
  assert.equal(r.ctx.eventsOf("bft-decide").length, 0, "seq 1 has not executed: wait (§4.2 order)");
  commitSlot(r, 0, 1, batch(1));
  const decided = r.ctx.eventsOf("bft-decide");
  assert.deepEqual(decided.map((e) => [e.slot, e.requests]), [[1, ["p0:1"]], [2, ["p0:2"]]]);
  assert.deepEqual(r.applied.map((a) => a.index), [1, 2]);
  assert.ok(!r.ctx.timers.has(PBFT_TIMERS.view), "nothing waits: the timer stops");
});

Deno.test("pbft §4.2: prepares from the primary and forged votes (signer ≠ i) do not count", () => {
  const r = replica();
  const p = pp(0, 1, batch(1));
  r.node.onMessage("n0", p);
  r.ctx.take();
  r.node.onMessage("n0", prepare(0, 1, p.d, "n0"));
  const forged = { ...prepare(0, 1, p.d, "n3"), i: "n2" };
  r.node.onMessage("n3", forged);
  assert.equal(r.ctx.take().length, 0, "not prepared");
  r.node.onMessage("n3", prepare(0, 1, p.d, "n3"));
  assert.equal(r.ctx.take().filter((m) => m.type === "COMMIT").length, 3);
});

Deno.test("pbft: mistakeCommitOn2f executes after 2f commits", () => {
  const r = replica("n1", { mistakeCommitOn2f: true });
  const p = pp(0, 1, batch(1));
  r.node.onMessage("n0", p);
  r.node.onMessage("n2", prepare(0, 1, p.d, "n2"));
  r.node.onMessage("n2", commit(0, 1, p.d, "n2"));
  assert.equal(r.ctx.eventsOf("bft-decide").length, 1, "own commit + n2's = 2f");
});

Deno.test("pbft §4.1/§4.4: a backup's propose refuses with the primary, relays the request and starts its timer", () => {
  const r = replica();
  const res = r.node.propose({ clientId: "p0", seq: 1, op: "x" });
  assert.deepEqual(res, { ok: false, reason: "not-leader", leaderHint: "n0" });
  const sent = r.ctx.sent;
  assert.deepEqual(sent.map((s) => [s.to, s.msg.type]), [["n0", "FORWARD"]]);
  assert.equal(r.ctx.timers.get(PBFT_TIMERS.view), 200);
  assert.equal(r.node.isLeader(), false);
});

Deno.test("pbft §4.2: the primary's propose assigns the next sequence number and multicasts a pre-prepare", () => {
  const r = replica("n0");
  assert.equal(r.node.isLeader(), true);
  assert.deepEqual(r.node.propose({ clientId: "p0", seq: 1, op: "x" }), { ok: true, index: 1 });
  assert.deepEqual(r.node.propose({ clientId: "p0", seq: 2, op: "y" }), { ok: true, index: 2 });
  const pps = r.ctx.take().filter((m) => m.type === "PRE-PREPARE") as PrePrepare<Cmd>[];
  assert.deepEqual(pps.map((p) => p.n), [1, 1, 1, 2, 2, 2]);
  assert.equal(pps[0].d, digestOf(pps[0].m));
});

Deno.test("pbft §5.1: with batchSize 4 the primary packs pending requests while one is in flight", () => {
  const r = replica("n0", { batchSize: 4 });
  for (let s = 1; s <= 6; s++) r.node.propose({ clientId: "p0", seq: s, op: "x" });
  const pps = r.ctx.take("n1") as PrePrepare<Cmd>[];
  assert.deepEqual(
    pps.map((p) => p.m.requests.length),
    [1, 4],
    "first goes alone, then a full batch",
  );
  assert.equal((r.node.inspect()).queue, 1);
});

Deno.test("pbft §4.3: 2f+1 matching checkpoints make it stable; the log below is discarded (GC)", () => {
  const r = replica("n1", { checkpointInterval: 2, logWindow: 4 });
  commitSlot(r, 0, 1, batch(1));
  commitSlot(r, 0, 2, batch(2));
  const mine = r.ctx.take().find((m) => m.type === "CHECKPOINT") as Checkpoint;
  assert.equal(mine.n, 2);
  commitSlot(r, 0, 3, batch(3));
  assert.deepEqual(r.node.inspect().slots, [1, 2, 3]);
  r.node.onMessage("n2", sig("n2", { type: "CHECKPOINT" as const, n: 2, d: mine.d, i: "n2" }));
  assert.equal(r.node.inspect().h, 0, "2 of 2f + 1 = 3: not yet stable");
  r.node.onMessage("n3", sig("n3", { type: "CHECKPOINT" as const, n: 2, d: mine.d, i: "n3" }));
  const after = r.node.inspect();
  assert.equal(after.h, 2);
  assert.equal(after.H, 6);
  assert.deepEqual(after.slots, [3], "pre-prepares, prepares, commits ≤ h discarded");
  assert.equal(after.gcCount, 1);
  assert.ok(r.ctx.eventsOf("checkpoint-stable").length === 1);
  // §4.3: the window moved: n = 6 is accepted now, 7 is not
  r.ctx.take();
  r.node.onMessage("n0", pp(0, 7, batch(7)));
  assert.equal(r.ctx.take().length, 0);
  r.node.onMessage("n0", pp(0, 6, batch(6)));
  assert.equal(r.ctx.take().length, 3);
  const stored = r.ctx.storage.list<{ n: number }>("pbft:log");
  assert.ok(stored.every((m) => m.n > 2), "durable log garbage-collected too");
});

Deno.test("pbft §4.4: the view-change timer expires → VIEW-CHANGE(v+1) with the prepared certificates", () => {
  const r = replica();
  const p = pp(0, 1, batch(1));
  r.node.onMessage("n0", p);
  r.node.onMessage("n2", prepare(0, 1, p.d, "n2"));
  r.ctx.take();
  r.node.onTimer(PBFT_TIMERS.view);
  const vcs = r.ctx.take().filter((m) => m.type === "VIEW-CHANGE") as ViewChange<Cmd>[];
  assert.equal(vcs.length, 3);
  const vc = vcs[0];
  assert.deepEqual([vc.v, vc.n, vc.i, vc.C.length], [1, 0, "n1", 0]);
  assert.equal(vc.P.length, 1);
  assert.equal(vc.P[0].prePrepare.d, p.d);
  assert.equal(vc.P[0].prepares.length, 2);
  assert.equal(r.node.inspect().active, false);
  assert.ok(r.ctx.eventsOf("view-change").length === 1);
});

function vcFrom(i: NodeId, v: number, P: ViewChange<Cmd>["P"] = []): ViewChange<Cmd> {
  return sig(i, { type: "VIEW-CHANGE" as const, v, n: 0, C: [], P, i });
}

Deno.test("pbft §4.4: the new primary sends NEW-VIEW with O re-proposing the highest-view certificate, null elsewhere", () => {
  const r = replica("n1");
  const p1 = pp(0, 1, batch(1));
  const cert = { prePrepare: p1, prepares: [prepare(0, 1, p1.d, "n2"), prepare(0, 1, p1.d, "n3")] };
  const p3 = pp(0, 3, batch(3));
  const cert3 = {
    prePrepare: p3,
    prepares: [prepare(0, 3, p3.d, "n2"), prepare(0, 3, p3.d, "n3")],
  };
  r.node.onMessage("n2", vcFrom("n2", 1, [cert]));
  r.node.onMessage("n3", vcFrom("n3", 1, [cert3]));
  // f + 1 = 2 view changes for view 1: n1 joins (§4.5.2) and, as primary of view 1, sends NEW-VIEW
  const nv = r.ctx.take().find((m) => m.type === "NEW-VIEW");
  assert.ok(nv && nv.type === "NEW-VIEW");
  assert.equal(nv.V.length, 3);
  assert.deepEqual(nv.O.map((o) => [o.n, o.v, o.d]), [[1, 1, p1.d], [2, 1, NULL_DIGEST], [
    3,
    1,
    p3.d,
  ]]);
  assert.equal(r.node.inspect().active, true);
  assert.equal(r.node.isLeader(), true);
  assert.ok(r.ctx.eventsOf("new-view").length === 1);
});

Deno.test("pbft §4.4: mistakeViewChangeIgnoresPrepared builds O from null requests", () => {
  const r = replica("n1", { mistakeViewChangeIgnoresPrepared: true });
  const p1 = pp(0, 1, batch(1));
  const cert = { prePrepare: p1, prepares: [prepare(0, 1, p1.d, "n2"), prepare(0, 1, p1.d, "n3")] };
  r.node.onMessage("n2", vcFrom("n2", 1, [cert]));
  r.node.onMessage("n3", vcFrom("n3", 1));
  const nv = r.ctx.take().find((m) => m.type === "NEW-VIEW");
  assert.ok(nv && nv.type === "NEW-VIEW");
  assert.deepEqual(nv.O.map((o) => o.d), [NULL_DIGEST]);
});

Deno.test("pbft §4.4: a backup verifies NEW-VIEW (recomputes O) and rejects a bad one", () => {
  const primary = replica("n1");
  const p1 = pp(0, 1, batch(1));
  const cert = { prePrepare: p1, prepares: [prepare(0, 1, p1.d, "n2"), prepare(0, 1, p1.d, "n3")] };
  primary.node.onMessage("n2", vcFrom("n2", 1, [cert]));
  primary.node.onMessage("n3", vcFrom("n3", 1));
  const nv = primary.ctx.take().find((m) => m.type === "NEW-VIEW")!;
  assert.ok(nv.type === "NEW-VIEW");
  const b = replica("n2");
  b.node.onMessage("n2", vcFrom("n2", 1, [cert]));
  // O that drops the prepared request: recomputation differs, refused
  const forgedO = [pp(1, 1, { requests: [] }, "n1")];
  const bad = sig("n1", { type: "NEW-VIEW" as const, v: 1, V: nv.V, O: forgedO, i: "n1" });
  b.node.onMessage("n1", bad);
  assert.equal(b.node.inspect().view, 0);
  b.node.onMessage("n1", nv);
  assert.deepEqual([b.node.inspect().view, b.node.inspect().active], [1, true]);
  const prepares = b.ctx.take().filter((m) => m.type === "PREPARE") as Prepare[];
  assert.ok(prepares.some((p) => p.v === 1 && p.n === 1 && p.d === p1.d));
});

Deno.test("pbft §4.4: an invalid prepared certificate (too few prepares) makes the VIEW-CHANGE invalid", () => {
  const r = replica("n1");
  const p1 = pp(0, 1, batch(1));
  const weak = { prePrepare: p1, prepares: [prepare(0, 1, p1.d, "n2")] };
  r.node.onMessage("n2", vcFrom("n2", 1, [weak]));
  r.node.onMessage("n3", vcFrom("n3", 1));
  assert.equal(r.node.inspect().view, 0, "only one valid view change: no join");
});

Deno.test("pbft §4.5.2: the timer doubles while view changes fail", () => {
  const r = replica("n2");
  r.node.propose({ clientId: "p0", seq: 1, op: "x" });
  r.node.onTimer(PBFT_TIMERS.view);
  assert.equal(r.node.inspect().view, 1);
  r.node.onTimer(PBFT_TIMERS.view);
  assert.deepEqual([r.node.inspect().view, r.node.inspect().timeoutMs], [2, 400]);
  r.node.onTimer(PBFT_TIMERS.view);
  assert.deepEqual([r.node.inspect().view, r.node.inspect().timeoutMs], [3, 800]);
});

Deno.test("pbft: restart rebuilds view, log and executed state from durable storage", () => {
  const storage = new MemoryStorage();
  const r = replica("n1", { checkpointInterval: 2 }, storage);
  commitSlot(r, 0, 1, batch(1));
  commitSlot(r, 0, 2, batch(2));
  const cp = r.ctx.sent.find((s) => s.msg.type === "CHECKPOINT")!.msg as Checkpoint;
  r.node.onMessage("n2", sig("n2", { type: "CHECKPOINT" as const, n: 2, d: cp.d, i: "n2" }));
  r.node.onMessage("n3", sig("n3", { type: "CHECKPOINT" as const, n: 2, d: cp.d, i: "n3" }));
  commitSlot(r, 0, 3, batch(3));
  r.node.onTimer(PBFT_TIMERS.view); // nothing waits: no view change
  const again = replica("n1", { checkpointInterval: 2 }, storage);
  const s = again.node.inspect();
  assert.deepEqual([s.h, s.lastExec, s.flat, s.view], [2, 3, 3, 0]);
  assert.deepEqual(again.applied.map((a) => a.command.seq), [1, 2, 3], "snapshot + re-execution");
});

Deno.test("pbft: n = 3f is refused without allowUnsafe", () => {
  assert.throws(
    () => new PbftNode(new FakeContext<M>("n0", ["n1", "n2"]), { f: 1 }, { apply() {} }),
    ConfigError,
  );
  new PbftNode(new FakeContext<M>("n0", ["n1", "n2"]), { f: 1, allowUnsafe: true }, { apply() {} });
});
