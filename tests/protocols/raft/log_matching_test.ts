/**
 * The invariant checker's log-matching property, fed directly: two servers whose logs hold
 * different entries at one (index, term), or the same entry after different predecessors, are
 * reported as "log-matching" (extended paper Figure 3: if two logs contain an entry with the same
 * index and term, the logs are identical in all entries up through that index); identical logs
 * are not. The entries are handed to real nodes as AppendEntries from a made-up leader.
 */
import assert from "node:assert/strict";
import type { LogEntry } from "../../../lib/protocols/raft/messages.ts";
import type { RaftBreach } from "../../../lib/protocols/raft/invariants.ts";
import { appendEntries } from "./_handler.ts";
import { raftCluster } from "./_helpers.ts";

const e = (index: number, term: number, command: string): LogEntry => ({
  index,
  term,
  kind: "command",
  command,
});

/** Three quiet servers (no election for a while), checked by the invariant checker. */
function quiet() {
  const c = raftCluster({
    seed: 1,
    nodes: 3,
    throwOnBreach: false,
    raft: { electionTimeoutMsMin: 5_000, electionTimeoutMsMax: 6_000, heartbeatIntervalMs: 1_000 },
  });
  c.sim.runFor(1); // the checker starts watching each node's log
  return c;
}

/** Read the breach without TypeScript keeping an earlier `=== undefined` narrowing. */
const breachOf = (c: { inv: { breach?: RaftBreach } }) => c.inv.breach;

/** Append `entries` (from index 1) at `id`, as sent by a leader (another node) of `term`. */
function give(c: ReturnType<typeof quiet>, id: string, term: number, entries: LogEntry[]) {
  const leader = id === "n0" ? "n1" : "n0";
  c.raft(id).onMessage(leader, appendEntries(leader, term, 0, 0, entries));
  assert.deepEqual(
    c.raft(id).logEntries().map((x) => [x.index, x.term]),
    entries.map((x) => [x.index, x.term]),
  );
}

Deno.test("raft invariants: log matching — different entries at one index and term are a breach", () => {
  const c = quiet();
  give(c, "n1", 1, [e(1, 1, "a"), e(2, 1, "b")]);
  give(c, "n2", 1, [e(1, 1, "a"), e(2, 1, "b")]);
  assert.equal(breachOf(c), undefined, "identical logs agree");
  give(c, "n0", 1, [e(1, 1, "a"), e(2, 1, "X")]);
  assert.equal(breachOf(c)?.invariant, "log-matching");
  assert.equal(breachOf(c)?.node, "n0");
  assert.match(breachOf(c)!.message, /n0 and n1 hold different entries at index 2 term 1/);
});

Deno.test("raft invariants: log matching — one entry after different predecessors is a breach", () => {
  const c = quiet();
  give(c, "n1", 2, [e(1, 1, "a"), e(2, 2, "b")]);
  // (2, 2, "b") again, but after an entry of term 2 at index 1: the prefixes differ
  give(c, "n2", 2, [e(1, 2, "z"), e(2, 2, "b")]);
  assert.equal(breachOf(c)?.invariant, "log-matching");
  assert.equal(breachOf(c)?.node, "n2");
  assert.match(breachOf(c)!.message, /agree on index 2 term 2 but not on the entry before it/);
});

Deno.test("raft invariants: log matching holds for logs that share a prefix and then diverge in term", () => {
  // a deposed leader's uncommitted suffix (term 1) and the new leader's (term 2) are allowed
  const c = quiet();
  give(c, "n1", 1, [e(1, 1, "a"), e(2, 1, "b")]);
  give(c, "n2", 2, [e(1, 1, "a"), e(2, 2, "c"), e(3, 2, "d")]);
  assert.equal(breachOf(c), undefined);
});
