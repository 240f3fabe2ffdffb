/**
 * The Raft and key-value fast paths stay correct: the entries array a leader shares between its
 * AppendEntries is frozen and never stale, a command frozen in place instead of copied stays
 * immutable everywhere, the quorum computation without a sort gives the sorted answer, and the
 * state machine's in-place session records and shared results leak into nothing.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { freezeInPlace, immutable, isImmutable, MemoryStorage } from "@lab/sim/storage.ts";
import { RaftLog } from "@lab/protocols/raft/log.ts";
import type { AppendEntries, LogEntry, RaftMessage } from "@lab/protocols/raft/messages.ts";
import { KvStateMachine } from "@lab/protocols/kv/state_machine.ts";
import { KvServer } from "@lab/protocols/kv/server.ts";
import type { KvCommand } from "@lab/protocols/kv/state_machine.ts";
import type { KvServerMessage } from "@lab/protocols/kv/messages.ts";
import { RaftNode } from "@lab/protocols/raft/node.ts";
import { FakeContext } from "@lab/sim/fake_context.ts";
import { elect, entries, node } from "./_handler.ts";

const cmd = (index: number, term: number, command: unknown = `c${index}`): LogEntry => ({
  index,
  term,
  kind: "command",
  command,
});

/** A successful AppendEntriesResponse of `term` acknowledging up to `matchIndex`. */
const ack = (term: number, matchIndex: number): RaftMessage => ({
  type: "AppendEntriesResponse",
  term,
  success: true,
  prevLogIndex: 0,
  matchIndex,
  conflictTerm: 0,
  conflictIndex: 0,
  seq: 1,
});

Deno.test("raft log: a shared slice is frozen, reused for the same range, and never stale", () => {
  const log = new RaftLog(new MemoryStorage(), ["n0", "n1", "n2"]);
  log.append(entries([1, 1, 1]));
  const a = log.sharedSlice(2, 3);
  assert.equal(log.sharedSlice(2, 3), a, "one array for every follower asking the same range");
  assert.deepEqual(a.map((e) => e.index), [2, 3]);
  assert.ok(Object.isFrozen(a));
  assert.throws(() => (a as LogEntry[]).push(cmd(4, 1)), TypeError);
  // a conflicting suffix replaced at the same indices: the old array must not be handed out
  log.truncateFrom(2);
  log.append([cmd(2, 2, "x"), cmd(3, 2, "y")]);
  assert.deepEqual(
    log.sharedSlice(2, 3).map((e) => [e.term, (e as { command: unknown }).command]),
    [[2, "x"], [2, "y"]],
  );
  // a range past the end grows with the log: it is not kept
  assert.equal(log.sharedSlice(3, 5).length, 1);
  log.append([cmd(4, 2), cmd(5, 2)]);
  assert.deepEqual(log.sharedSlice(3, 5).map((e) => e.index), [3, 4, 5]);
  // compaction replaces the kept entries too
  const b = log.sharedSlice(4, 5);
  log.compact({ lastIncludedIndex: 4, lastIncludedTerm: 2, servers: ["n0", "n1", "n2"], data: 0 });
  assert.notEqual(log.sharedSlice(4, 5), b);
  assert.deepEqual(log.sharedSlice(4, 5).map((e) => e.index), [5]);
});

Deno.test("raft leader: the AppendEntries of one round share a frozen entries array", () => {
  const { ctx, raft } = node();
  elect(ctx, raft);
  // every follower acknowledges the leader's no-op, so new entries are pipelined to all of them
  for (const peer of ["n1", "n2", "n3", "n4"]) raft.onMessage(peer, ack(raft.term, 1));
  ctx.take();
  raft.propose({ key: "k", value: 1 });
  const sent = ctx.take() as AppendEntries[];
  assert.equal(sent.length, 4);
  const arrays = new Set(sent.map((m) => m.entries));
  assert.equal(arrays.size, 1, "one array, not one copy per follower");
  const [shared] = arrays;
  assert.ok(Object.isFrozen(shared) && shared.every((e) => isImmutable(e)));
  assert.throws(() => (shared as LogEntry[]).pop(), TypeError);
  assert.equal(raft.entryAt(2), shared.at(-1), "the log's own frozen entry is what is sent");
});

Deno.test("storage freezeInPlace: frozen without a copy only when that is safe", () => {
  const op = { f: "put", key: "k", value: "1" };
  assert.equal(freezeInPlace(op), op, "a literal of primitives is frozen in place");
  assert.ok(isImmutable(op) && Object.isFrozen(op));
  const wrapped = { seq: 1, op };
  assert.equal(freezeInPlace(wrapped), wrapped, "its values are immutable already");
  // a mutable child: copied (deep and frozen), and the caller's objects stay as they were
  const child = { values: [1] };
  const outer = { seq: 2, child };
  const f = freezeInPlace(outer)!;
  assert.notEqual(f, outer);
  assert.ok(!Object.isFrozen(outer) && !Object.isFrozen(child));
  child.values.push(2);
  assert.deepEqual(f, { seq: 2, child: { values: [1] } });
  assert.ok(isImmutable(f) && isImmutable(f.child) && isImmutable(f.child.values));
  // an array, a frozen object not made here, a class instance: never frozen in place
  const arr = [1, 2];
  assert.notEqual(freezeInPlace(arr), arr);
  assert.ok(!Object.isFrozen(arr));
  const shallow = Object.freeze({ inner: { n: 1 } });
  const g = freezeInPlace(shallow)!;
  assert.notEqual(g, shallow, "frozen is not enough: its child is mutable");
  shallow.inner.n = 2;
  assert.deepEqual(g, { inner: { n: 1 } });
  assert.equal(freezeInPlace(new Map()), undefined);
  assert.equal(freezeInPlace({ f: () => 1 }), undefined);
  const already = immutable({ a: { b: 1 } })!;
  assert.equal(freezeInPlace(already), already, "immutable already: itself");
});

Deno.test("kv server: the command a leader logs is frozen in place and immune to the request", () => {
  const ctx = new FakeContext<KvServerMessage<RaftMessage>>("n0", ["n1", "n2", "n3", "n4"]);
  const server = new KvServer<RaftMessage>(ctx, {
    log: (c, hooks) => new RaftNode<KvCommand>(c, {}, hooks),
  });
  server.start();
  const raft = server.log as RaftNode<KvCommand>;
  elect(ctx as unknown as FakeContext<RaftMessage>, raft);
  const value = "v";
  const request = { type: "KvRequest" as const, clientId: "p0", seq: 1, f: "put", key: "k", value };
  server.onMessage("c0", request);
  const e = raft.entryAt(raft.lastLogIndex)!;
  assert.equal(e.kind, "command");
  const command = (e as { command: KvCommand }).command;
  assert.deepEqual(command, { clientId: "p0", seq: 1, op: { f: "put", key: "k", value: "v" } });
  assert.ok(isImmutable(e) && isImmutable(command) && isImmutable(command.op));
  assert.throws(() => ((command.op as { value: string }).value = "changed"), TypeError);
  assert.ok(!Object.isFrozen(request), "the client's message is not frozen");
  const stored = ctx.storage.list<LogEntry>("raft/log").at(-1)!;
  assert.deepEqual(stored, e);
});

Deno.test("raft leader: commitIndex is the majority's match, as sorting the matches gives it", () => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 0, max: 8 })), {
        maxLength: 30,
      }),
      (acks) => {
        const { ctx, raft } = node();
        elect(ctx, raft);
        for (let k = 0; k < 7; k++) raft.propose(`x${k}`);
        ctx.take();
        const match = new Map<string, number>();
        for (const [peer, m] of acks) {
          const from = `n${peer}`;
          raft.onMessage(from, ack(raft.term, m));
          match.set(from, Math.max(match.get(from) ?? 0, m));
          const all = [
            raft.lastLogIndex,
            ...["n1", "n2", "n3", "n4"].map((p) => match.get(p) ?? 0),
          ];
          const want = all.sort((a, b) => b - a)[2];
          assert.equal(raft.commitIndex, want, `acks ${JSON.stringify(acks)}`);
        }
      },
    ),
    { numRuns: 200 },
  );
});

Deno.test("kv state machine: in-place sessions and shared results leak into nothing", () => {
  const sm = new KvStateMachine();
  const put = (seq: number, value: string): KvCommand => ({
    clientId: "p0",
    seq,
    op: { f: "put", key: "k", value },
  });
  const r1 = sm.apply(put(1, "a"));
  assert.deepEqual(r1, { result: { ok: true }, duplicate: false });
  const before = sm.snapshot();
  sm.apply(put(2, "b"));
  assert.deepEqual(before.sessions, [["p0", { seq: 1, result: { ok: true } }]]);
  assert.deepEqual(sm.snapshot().sessions, [["p0", { seq: 2, result: { ok: true } }]]);
  // a retry of the latest request is answered from the session; an older one too
  assert.deepEqual(sm.apply(put(2, "b")), { result: { ok: true }, duplicate: true });
  assert.equal(sm.lastWasDuplicate, true);
  assert.deepEqual(sm.apply(put(1, "a")), { result: { ok: true }, duplicate: true });
  assert.equal(sm.read("k"), "b");
  // the shared result of a write cannot be turned into a failure for other callers
  const r = sm.applyCommand(put(3, "c"));
  assert.equal(sm.lastWasDuplicate, false);
  assert.throws(() => ((r as { ok: boolean }).ok = false), TypeError);
  assert.deepEqual(sm.execute({ f: "put", key: "j", value: "1" }), { ok: true });
  // a restored replica's sessions are its own, not the snapshot's
  const snap = sm.snapshot();
  const other = new KvStateMachine();
  other.restore(snap);
  other.apply(put(4, "d"));
  assert.deepEqual(snap.sessions, [["p0", { seq: 3, result: { ok: true } }]]);
  assert.deepEqual(other.snapshot().sessions, [["p0", { seq: 4, result: { ok: true } }]]);
});
