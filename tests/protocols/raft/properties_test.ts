/**
 * Properties of Raft over generated inputs (fast-check; fixed fast-check seeds, so a failure
 * prints a replayable, shrunk counterexample):
 * - a candidate counts only votes granted in its current term (Figure 2: a reply from an older
 *   term is dropped), and becomes leader exactly when those reach a majority;
 * - §5.4.2 on running clusters under crashes and loss: a leader only ever moves its commitIndex to
 *   an entry of its own term (older entries commit indirectly, with one of its term), and the
 *   invariant checker finds nothing;
 * - a follower fed any reordered, duplicated stream of one leader's AppendEntries keeps every
 *   acknowledged entry, holds only the leader's entries of its term, and ends with its log.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import type { RaftMessage } from "../../../lib/protocols/raft/messages.ts";
import { appendEntries, entries, node, storageWith } from "./_handler.ts";
import { proposeContinuously, raftCluster, watchCommitRule } from "./_helpers.ts";

const PEERS = ["n1", "n2", "n3", "n4"];

type Step =
  | { kind: "timeout" }
  | { kind: "vote"; from: string; back: number; granted: boolean };

const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 1, arbitrary: fc.constant({ kind: "timeout" as const }) },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant("vote" as const),
      from: fc.constantFrom(...PEERS),
      back: fc.integer({ min: 0, max: 2 }), // 0: a reply of the current term, k: of term − k
      granted: fc.boolean(),
    }),
  },
);

Deno.test("raft property: a candidate counts only votes of its current term; a majority of them elects it", () => {
  fc.assert(
    fc.property(fc.array(step, { maxLength: 40 }), (steps) => {
      const { raft } = node(); // n0 of five servers
      raft.onTimer("raft:election");
      // the model: the current term and who granted a vote in it (self included)
      let term = 1;
      let votes = new Set(["n0"]);
      for (const s of steps) {
        if (s.kind === "timeout") {
          term++;
          votes = new Set(["n0"]);
          raft.onTimer("raft:election");
        } else {
          if (term - s.back < 1) continue;
          const m: RaftMessage = {
            type: "RequestVoteResponse",
            term: term - s.back,
            voteGranted: s.granted,
            prevote: false,
          };
          raft.onMessage(s.from, m);
          if (s.granted && s.back === 0) votes.add(s.from);
        }
        const leader = votes.size >= 3;
        assert.equal(raft.term, term);
        assert.equal(
          raft.role,
          leader ? "leader" : "candidate",
          `term ${term}, votes ${[...votes]}`,
        );
        if (leader) return; // a leader's own rules take over from here
      }
    }),
    { numRuns: 400, seed: 15 },
  );
});

function crashRun(seed: number, size: number, batch: number, flag: boolean) {
  const c = raftCluster({
    seed,
    nodes: size,
    trace: { mode: "off" },
    throwOnBreach: false,
    raft: { maxEntriesPerAppend: batch, mistakeCommitPreviousTermByCounting: flag },
    network: { latency: { kind: "uniform", minMs: 1, maxMs: 12 }, lossRatio: 0.05 },
    nemesis: [
      { generator: "rollingCrashes", startMs: 400, endMs: 2_400, periodMs: 250, downMs: 120 },
      { generator: "isolateOne", startMs: 600, endMs: 2_400, periodMs: 500, faultMs: 200 },
    ],
  });
  const breaches = watchCommitRule(c);
  proposeContinuously(c.sim, 7, 2_400);
  c.sim.run({ untilMs: 2_600 });
  return { breaches, inv: c.inv };
}

const runs = fc.tuple(
  fc.integer({ min: 1, max: 1_000_000 }),
  fc.constantFrom(3, 5),
  fc.integer({ min: 1, max: 4 }),
);

Deno.test("raft property §5.4.2: under crashes a leader commits by counting only entries of its term", () => {
  fc.assert(
    fc.property(runs, ([seed, size, batch]) => {
      const { breaches, inv } = crashRun(seed, size, batch, false);
      assert.deepEqual(breaches, [], `seed=${seed} size=${size} batch=${batch}`);
      assert.equal(inv.breach, undefined, inv.breach?.message);
    }),
    { numRuns: 12, seed: 21 },
  );
});

Deno.test("raft property §5.4.2: the same property finds commit-by-counting of an older term (flag on)", () => {
  const out = fc.check(
    fc.property(
      runs,
      ([seed, size, batch]) => crashRun(seed, size, batch, true).breaches.length === 0,
    ),
    { numRuns: 12, seed: 21 },
  );
  assert.ok(
    out.failed,
    "no run of 12 caught the leader committing an older-term entry by counting",
  );
  // the counterexample replays, and only the flag makes it fail
  const [seed, size, batch] = out.counterexample![0];
  assert.match(
    crashRun(seed, size, batch, true).breaches[0],
    /moved commitIndex .* an entry of term/,
  );
  assert.deepEqual(crashRun(seed, size, batch, false).breaches, []);
});

Deno.test("raft property Figure 2 rules 2-4: any reordered, duplicated AppendEntries stream leaves the follower a prefix of the leader", () => {
  const terms = fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 6 }).map((t) =>
    t.sort((a, b) => a - b)
  );
  fc.assert(
    fc.property(
      terms,
      fc.nat(),
      fc.integer({ min: 1, max: 5 }),
      fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 25 }),
      (followerTerms, cut, added, msgs) => {
        // the leader of term 4 shares a prefix of the follower's log, then has entries of its own
        const common = cut % (followerTerms.length + 1);
        const leaderTerms = [...followerTerms.slice(0, common), ...Array(added).fill(4)];
        const leaderLog = entries(leaderTerms);
        const { raft } = node({ self: "n1", storage: storageWith(followerTerms, 3) });
        const same = (i: number) =>
          JSON.stringify(raft.entryAt(i)) === JSON.stringify(leaderLog[i - 1]);
        let acked = 0;
        const deliver = (p: number, q: number) => {
          const ok = p === 0 || raft.termAt(p) === leaderTerms[p - 1];
          raft.onMessage(
            "n0",
            appendEntries("n0", 4, p, p ? leaderTerms[p - 1] : 0, leaderLog.slice(p, q)),
          );
          if (ok) acked = Math.max(acked, q);
          // everything up to the furthest acknowledged index is the leader's, and stays so
          assert.ok(raft.lastLogIndex >= acked, `log shorter than acknowledged ${acked}`);
          for (let i = 1; i <= acked; i++) assert.ok(same(i), `index ${i} after (${p}, ${q}]`);
          // an entry of the leader's term anywhere is the leader's (log matching)
          for (let i = 1; i <= raft.lastLogIndex; i++) {
            if (raft.termAt(i) === 4) {
              assert.ok(same(i), `term-4 entry at ${i} is not the leader's`);
            }
          }
        };
        const n = leaderLog.length;
        for (const [a, b] of msgs) {
          const p = a % (n + 1), q = p + (b % (n - p + 1));
          deliver(p, q);
        }
        deliver(0, n);
        assert.deepEqual(raft.logEntries(), leaderLog);
      },
    ),
    { numRuns: 300, seed: 8 },
  );
});
