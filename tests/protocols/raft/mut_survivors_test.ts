/**
 * Raft mutation survivors, pinned down by hand: the state-machine-safety check tells config
 * entries apart (by their server sets, and from a no-op), and a leader's heartbeat to a
 * replicating follower whose matchIndex fell below the snapshot goes from nextIndex - 1 (§7).
 */
import assert from "node:assert/strict";
import type { EmittedEvent } from "../../../lib/sim/simulation.ts";
import type { ProtocolEvent } from "../../../lib/sim/types.ts";
import { RaftInvariants } from "../../../lib/protocols/raft/invariants.ts";
import type { AppendEntries, RaftMessage } from "../../../lib/protocols/raft/messages.ts";
import { appendAck, elect, node } from "./_handler.ts";

const ev = (t: number, node: string, event: ProtocolEvent): EmittedEvent => ({
  t,
  node,
  event,
  traceIndex: -1,
});

/** Read the breach without TypeScript keeping an earlier `=== undefined` narrowing. */
const breachOf = (inv: RaftInvariants) => inv.breach;

Deno.test("raft invariants: two different config entries applied at one index break state machine safety", () => {
  const inv = new RaftInvariants();
  const config = (t: number, node: string, servers: string[]) =>
    inv.observe(ev(t, node, { type: "apply", index: 3, term: 2, kind: "config", servers }));
  config(1, "n0", ["n0", "n1", "n2"]);
  // the same configuration applied elsewhere at the same index and term is fine
  config(2, "n1", ["n0", "n1", "n2"]);
  assert.equal(breachOf(inv), undefined);
  // same index, same term, another server set: two state machines diverged (§5.4.3)
  config(3, "n2", ["n0", "n1", "n3"]);
  assert.equal(breachOf(inv)?.invariant, "state-machine-safety");
  assert.equal(breachOf(inv)?.node, "n2");
  assert.match(breachOf(inv)!.message, /n2 applied config:.*n3.* \(term 2\) at index 3, but n0/);
});

Deno.test("raft invariants: a config entry and a no-op applied at one index break state machine safety", () => {
  const inv = new RaftInvariants();
  inv.observe(ev(1, "n0", { type: "apply", index: 5, term: 1, kind: "noop" }));
  inv.observe(
    ev(2, "n1", { type: "apply", index: 5, term: 1, kind: "config", servers: ["n0", "n1"] }),
  );
  assert.equal(breachOf(inv)?.invariant, "state-machine-safety");
  assert.match(breachOf(inv)!.message, /n1 applied config:/);
});

Deno.test("raft leader: a heartbeat to a follower whose matchIndex is compacted away starts at nextIndex - 1", () => {
  // snapshot once 3 entries are applied past the last snapshot
  const { ctx, raft } = node({ config: { snapshotThresholdEntries: 3 } });
  elect(ctx, raft); // term 1, no-op at index 1
  const term = raft.term;
  // every follower acknowledges the no-op: all replicate (not probing), match 1, next 2
  for (const peer of ["n1", "n2", "n3", "n4"]) raft.onMessage(peer, appendAck(term, 1));
  ctx.take();
  // entries 2..4 are pipelined to every follower: n3's nextIndex becomes 5, its match stays 1
  raft.propose("a");
  raft.propose("b");
  raft.propose("c");
  ctx.take();
  // n1 and n2 (with n0, a majority of five) hold 4: commit and apply 4, then compact up to 4
  raft.onMessage("n1", appendAck(term, 4));
  raft.onMessage("n2", appendAck(term, 4));
  ctx.take();
  assert.equal(raft.snapshotIndex, 4, "the leader compacted its log up to index 4");
  raft.onTimer("raft:heartbeat");
  const toN3 = ctx.take("n3") as RaftMessage[];
  // entries 2..4 after n3's matchIndex are compacted away, so the heartbeat cannot re-send
  // them; it goes from nextIndex - 1 = 4 (the snapshot's last entry, term 1, still known),
  // with nothing after it to send
  assert.equal(toN3.length, 1);
  const m = toN3[0] as AppendEntries;
  assert.deepEqual(
    [m.type, m.prevLogIndex, m.prevLogTerm, m.entries.length],
    ["AppendEntries", 4, 1, 0],
  );
});
