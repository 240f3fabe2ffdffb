/**
 * The learner's Raft battery (lib/protocols/raft/battery.ts): the reference Raft passes every
 * scenario on 50 seeds; each classic-mistake flag is caught by a scenario within those seeds, with
 * a safety violation; failures carry their seed and a replay call that reproduces them exactly;
 * the report has the shape a notebook tables.
 *
 * More seeds: `BATTERY_SEEDS=200 deno test -A tests/protocols/raft/battery_test.ts`, or
 * `deno task sweep raft-battery --seeds 1000` (one seed of every scenario per sweep seed).
 */
import assert from "node:assert/strict";
import {
  BatteryFailure,
  type BatteryNode,
  type MakeBatteryNode,
  mistakeConfig,
  mistakeMatrix,
  RAFT_MISTAKES,
  raftBattery,
  type RaftMistake,
  referenceRaft,
  replayCommand,
  runScenario,
  SCENARIO_NAMES,
  type ScenarioName,
  SCENARIOS,
} from "../../../lib/protocols/raft/battery.ts";
import { ConfigError } from "../../../lib/sim/errors.ts";
import { MemoryStorage } from "../../../lib/sim/storage.ts";
import type { NodeContext } from "../../../lib/sim/types.ts";
import type { RaftMessage } from "../../../lib/protocols/raft/messages.ts";

const SEEDS = Number(Deno.env.get("BATTERY_SEEDS") ?? 50);

for (const name of SCENARIO_NAMES) {
  Deno.test(`battery ${name}: the reference Raft passes ${SEEDS} seeds`, () => {
    const [row] = raftBattery(referenceRaft(), { only: name, seeds: SEEDS }).rows;
    assert.equal(row.failed, 0, row.message ?? "");
    assert.equal(row.passed, SEEDS);
    assert.equal(row.seeds, SEEDS);
    assert.equal(row.skipped, null);
    assert.equal(row.firstFailingSeed, null);
    assert.equal(row.replay, null);
    assert.ok(row.durationMs > 0);
  });
}

/**
 * The scenario built to catch each mistake, and what it reports: a safety violation, or (for the
 * truncation, which mostly stalls commits) a missed liveness bound. The full measurement over every
 * scenario is `detectionPower` / `deno task sweep raft-battery`; this test stays a few seconds per
 * flag by running one scenario until its first failure.
 */
const DESIGNATED: Record<RaftMistake, [ScenarioName, RegExp] | null> = {
  mistakeCommitPreviousTermByCounting: ["figure8Scripted", /state machine safety/],
  mistakeVoteWithoutUpToDateCheck: ["failAgree", /(election|state machine) safety/],
  mistakeVolatileVotedFor: ["crashAfterVote", /election safety/],
  mistakeAcceptStaleReplies: ["lateVotes", /election safety/],
  mistakeTruncateOnAppend: ["lateVotes", /failed to reach agreement|safety/],
  mistakeCommitIndexUnbounded: ["misroutedAppend", /state machine safety/],
  mistakeResetTimerOnVoteRequest: ["outdatedCandidates", /outdated survivors elections took/],
  mistakeVolatileLog: ["persist", /safety|failed to reach agreement/],
};

for (const mistake of RAFT_MISTAKES) {
  const d = DESIGNATED[mistake];
  if (d === null) continue;
  const [scenario, kind] = d;
  Deno.test(`battery: "${mistake}" is caught by ${scenario} within ${SEEDS} seeds`, () => {
    const [row] = raftBattery(referenceRaft(mistakeConfig(mistake)), {
      only: scenario,
      seeds: SEEDS,
      stopAtFirstFailure: true,
    }).rows;
    assert.ok(row.failed > 0, `${mistake} was not caught by ${scenario} in ${SEEDS} seeds`);
    assert.match(row.message!, kind, row.message!);
    assert.match(row.message!, new RegExp(`^seed=${row.firstFailingSeed} `));
  });
}

Deno.test("battery misroutedAppend: catches the unbounded commitIndex on every seed, only there", () => {
  const seeds = Math.min(SEEDS, 40);
  const caught = raftBattery(referenceRaft(mistakeConfig("mistakeCommitIndexUnbounded")), {
    only: "misroutedAppend",
    seeds,
  }).rows[0];
  assert.equal(caught.failed, seeds, caught.message ?? "never caught");
  assert.match(
    caught.message!,
    /state machine safety: n\d applied \d+ at index \d+, another server/,
  );
  // the correct rule passes, with and without compaction, on the same seeds
  for (const config of [{}, { snapshotThresholdEntries: 0 }, { maxEntriesPerAppend: 1 }]) {
    const [row] = raftBattery(referenceRaft(config), { only: "misroutedAppend", seeds }).rows;
    assert.equal(row.failed, 0, `${JSON.stringify(config)}: ${row.message}`);
  }
  // a leader that compacts every 10 entries never sends a batch stopping short of its commitIndex,
  // so the mistake is masked there (why mistakeConfig turns compaction off for it)
  const [masked] = raftBattery(referenceRaft({ mistakeCommitIndexUnbounded: true }), {
    only: "misroutedAppend",
    seeds: 10,
  }).rows;
  assert.equal(masked.failed, 0, masked.message ?? "");
  assert.deepEqual(mistakeConfig("mistakeCommitIndexUnbounded"), {
    mistakeCommitIndexUnbounded: true,
    snapshotThresholdEntries: 0,
  });
});

Deno.test("battery: mistakeMatrix runs each flag's configuration on the chosen scenarios", () => {
  const rows = mistakeMatrix({ only: "figure8Scripted", seeds: 1 });
  assert.equal(rows.length, RAFT_MISTAKES.length);
  const m = rows.find((r) => r.mistake === "mistakeCommitPreviousTermByCounting")!;
  assert.equal(m.failed, 1, "the old-term commit runs without the no-op and fails Figure 8");
});

Deno.test("battery: a failure's replay call reproduces it exactly, and runScenario throws it", () => {
  const makeNode = referenceRaft({ mistakeVolatileVotedFor: true });
  const [row] = raftBattery(makeNode, {
    only: "crashAfterVote",
    seeds: SEEDS,
    stopAtFirstFailure: true,
  }).rows;
  assert.ok(row.firstFailingSeed !== null, "no failing seed");
  const seed = row.firstFailingSeed;
  assert.equal(row.failed, 1);
  assert.equal(row.seeds, row.passed + 1, "stopAtFirstFailure stops at the first failing seed");
  assert.equal(row.replay, `raftBattery(makeNode, { only: "crashAfterVote", seeds: [${seed}] })`);
  assert.equal(row.replay, replayCommand("crashAfterVote", seed));
  assert.ok(row.message!.endsWith(`replay: ${row.replay}`), row.message!);
  // the replay call, run as written
  const again = raftBattery(makeNode, { only: "crashAfterVote", seeds: [seed] }).rows[0];
  assert.equal(again.message, row.message);
  assert.equal(again.failed, 1);
  assert.throws(
    () => runScenario(makeNode, "crashAfterVote", seed),
    (e: Error) => e instanceof BatteryFailure && row.message!.includes(e.message),
  );
});

Deno.test("battery: determinism (the same seeds give identical rows)", () => {
  const only: ScenarioName[] = ["figure8", "unreliableChurn", "snapshotsUnreliable"];
  const a = raftBattery(referenceRaft(), { only, seeds: [3, 4] });
  const b = raftBattery(referenceRaft(), { only, seeds: [3, 4] });
  assert.deepEqual(a, b);
  const h1 = runScenario(referenceRaft(), "churn", 5),
    h2 = runScenario(referenceRaft(), "churn", 5);
  assert.deepEqual(h1.sim.stats, h2.sim.stats);
  assert.equal(h1.sim.eventsHandled, h2.sim.eventsHandled);
  assert.equal(h1.maxApplied, h2.maxApplied);
});

Deno.test("battery report: rows a notebook can table, skips, progress, option errors", () => {
  const seen: string[] = [];
  const report = raftBattery(referenceRaft({ snapshotThresholdEntries: 0 }), {
    only: ["basicAgree", "snapshots"],
    seeds: 3,
    onRow: (r) => seen.push(r.scenario),
  });
  assert.deepEqual(seen, ["basicAgree", "snapshots"]);
  assert.ok(report.ok, "a skipped scenario does not fail the report");
  const [agree, snaps] = report.rows;
  assert.deepEqual(Object.keys(agree).sort(), [
    "durationMs",
    "failed",
    "failedSeeds",
    "firstFailingSeed",
    "message",
    "passed",
    "replay",
    "scenario",
    "seeds",
    "skipped",
  ]);
  assert.deepEqual(
    { ...agree, durationMs: 0 },
    {
      scenario: "basicAgree",
      seeds: 3,
      passed: 3,
      failed: 0,
      skipped: null,
      firstFailingSeed: null,
      failedSeeds: [],
      message: null,
      replay: null,
      durationMs: 0,
    },
  );
  assert.equal(snaps.seeds, 0);
  assert.equal(snaps.passed + snaps.failed, 0);
  assert.match(snaps.skipped!, /no snapshot\(index, data\) method/);
  assert.throws(
    () => raftBattery(referenceRaft(), { only: "figure9" as ScenarioName }),
    ConfigError,
  );
  assert.throws(() => raftBattery(referenceRaft(), { seeds: 0 }), ConfigError);
  assert.throws(() => raftBattery(referenceRaft(), { seeds: [1.5] }), ConfigError);
  for (const name of SCENARIO_NAMES) {
    const s = SCENARIOS[name];
    assert.equal(s.name, name);
    assert.ok(s.nodes >= 3 && s.describe.length > 0 && s.mit.length > 0);
  }
});

/** A learner's node that is never elected: liveness fails, with the seed in the message. */
const silent: MakeBatteryNode = () => ({
  onMessage() {},
  propose: () => ({ index: -1, term: 0, isLeader: false }),
  state: () => ({ term: 0, isLeader: false }),
});

Deno.test("battery: a node that never elects a leader fails the liveness bounds", () => {
  const report = raftBattery(silent, { only: ["initialElection", "basicAgree"], seeds: [7, 8] });
  assert.equal(report.ok, false);
  const [election, agree] = report.rows;
  assert.equal(election.failed, 2);
  assert.equal(election.firstFailingSeed, 7);
  assert.match(election.message!, /^seed=7 initialElection: BatteryFailure: expected one leader/);
  assert.match(agree.message!, /one\(\d+\) failed to reach agreement/);
  assert.equal(election.durationMs, 2 * 5_000, "both seeds waited the 5 s election bound");
});

/** The reference node over storage that is wiped at every restart: nothing is persistent. */
const amnesiac: MakeBatteryNode<RaftMessage> = (ctx) => {
  const storage = new MemoryStorage();
  const forgetful: NodeContext<RaftMessage> = Object.assign(Object.create(ctx), { storage });
  return referenceRaft()(forgetful) as BatteryNode<RaftMessage>;
};

Deno.test("battery: a node that persists nothing is caught by the crash scenarios", () => {
  const report = raftBattery(amnesiac, { only: ["persist", "figure8"], seeds: 5 });
  for (const r of report.rows) {
    assert.ok(r.failed > 0, `${r.scenario} did not catch a node without storage`);
  }
  assert.match(report.rows.map((r) => r.message).join("\n"), /term went from \d+ to \d+|safety/);
});

Deno.test("battery: a learner's apply events are checked for order and gaps", () => {
  // applies every entry twice: the second apply of an index is out of order
  const stutter: MakeBatteryNode<RaftMessage> = (ctx) => {
    const loud: NodeContext<RaftMessage> = Object.assign(Object.create(ctx), {
      emit(e: { type: string }) {
        ctx.emit(e);
        if (e.type === "apply") ctx.emit(e);
      },
    });
    return referenceRaft()(loud);
  };
  const [row] = raftBattery(stutter, { only: "basicAgree", seeds: [1] }).rows;
  assert.match(row.message!, /applied index 1 but its state machine is at 1/);
});

// ---- a learner's Raft, written against the contract alone ----------------------------------

/** Messages of {@link MiniRaft} (MIT 6.824 style, with the lab's XTerm/XIndex/XLen backup). */
type MiniMessage =
  | { type: "RV"; term: number; lastIndex: number; lastTerm: number }
  | { type: "RVR"; term: number; granted: boolean }
  | {
    type: "AE";
    term: number;
    prevIndex: number;
    prevTerm: number;
    entries: { term: number; command: unknown }[];
    commit: number;
  }
  | { type: "AER"; term: number; success: boolean; match: number; xTerm: number; xIndex: number };

/**
 * A small Raft as a learner would write it for the lab: no no-op on election, no snapshots, every
 * effect through `ctx`, currentTerm, votedFor and the log in `ctx.storage`. `countOldTerms` is the
 * Figure 8 mistake (commit an earlier term's entry once a majority stores it).
 */
class MiniRaft implements BatteryNode<MiniMessage> {
  #ctx: NodeContext<MiniMessage>;
  #term: number;
  #votedFor: string | null;
  #log: { term: number; command: unknown }[];
  #role: "follower" | "candidate" | "leader" = "follower";
  #votes = new Set<string>();
  #commit = 0;
  #applied = 0;
  #next = new Map<string, number>();
  #match = new Map<string, number>();

  constructor(ctx: NodeContext<MiniMessage>, readonly countOldTerms = false) {
    this.#ctx = ctx;
    this.#term = ctx.storage.get<number>("term") ?? 0;
    this.#votedFor = ctx.storage.get<string>("votedFor") ?? null;
    this.#log = ctx.storage.list("log");
  }
  start(): void {
    this.#resetTimer();
  }
  state() {
    return { term: this.#term, isLeader: this.#role === "leader" };
  }
  propose(command: unknown) {
    if (this.#role !== "leader") return { index: -1, term: this.#term, isLeader: false };
    const e = { term: this.#term, command };
    this.#log.push(e);
    this.#ctx.storage.append("log", e);
    for (const p of this.#ctx.peers) this.#sendAppend(p);
    return { index: this.#log.length, term: this.#term, isLeader: true };
  }
  onTimer(name: string): void {
    if (name === "election" && this.#role !== "leader") this.#campaign();
    if (name === "heartbeat" && this.#role === "leader") {
      for (const p of this.#ctx.peers) this.#sendAppend(p);
      this.#ctx.setTimer("heartbeat", 50);
    }
  }
  onMessage(from: string, m: MiniMessage): void {
    if (m.term > this.#term) this.#follow(m.term);
    const reply = (msg: MiniMessage) => this.#ctx.send(from, msg);
    switch (m.type) {
      case "RV": {
        const last = this.#log.length, lastTerm = this.#termAt(last);
        const upToDate = m.lastTerm > lastTerm || (m.lastTerm === lastTerm && m.lastIndex >= last);
        const grant = m.term === this.#term && upToDate &&
          (this.#votedFor === null || this.#votedFor === from);
        if (grant) {
          this.#votedFor = from;
          this.#persist();
          this.#resetTimer();
        }
        return reply({ type: "RVR", term: this.#term, granted: grant });
      }
      case "RVR":
        if (this.#role !== "candidate" || m.term !== this.#term || !m.granted) return;
        this.#votes.add(from);
        if (this.#votes.size * 2 > this.#ctx.peers.length + 1) this.#lead();
        return;
      case "AE":
        return this.#append(m, reply);
      case "AER":
        if (this.#role !== "leader" || m.term !== this.#term) return;
        if (m.success) {
          this.#match.set(from, Math.max(this.#match.get(from)!, m.match));
          this.#next.set(from, this.#match.get(from)! + 1);
          return this.#advance();
        }
        if (m.xTerm === 0 && m.xIndex === 0) return; // a stale term's rejection
        {
          let last = 0;
          for (let i = this.#log.length; i > 0; i--) {
            if (this.#termAt(i) === m.xTerm) {
              last = i;
              break;
            }
          }
          this.#next.set(from, Math.max(1, last > 0 ? last + 1 : m.xIndex));
          this.#sendAppend(from);
        }
        return;
    }
  }
  #append(m: Extract<MiniMessage, { type: "AE" }>, reply: (msg: MiniMessage) => void): void {
    const no = (xTerm: number, xIndex: number) =>
      reply({ type: "AER", term: this.#term, success: false, match: 0, xTerm, xIndex });
    if (m.term < this.#term) return no(0, 0);
    this.#role = "follower";
    this.#resetTimer();
    if (m.prevIndex > this.#log.length) return no(-1, this.#log.length + 1);
    const t = this.#termAt(m.prevIndex);
    if (t !== m.prevTerm) {
      let first = m.prevIndex;
      while (first > 1 && this.#termAt(first - 1) === t) first--;
      return no(t, first);
    }
    m.entries.forEach((e, k) => {
      const index = m.prevIndex + 1 + k;
      if (index <= this.#log.length && this.#termAt(index) !== e.term) {
        this.#log.length = index - 1;
        this.#ctx.storage.truncate("log", index - 1);
      }
      if (index > this.#log.length) {
        this.#log.push(e);
        this.#ctx.storage.append("log", e);
      }
    });
    const match = m.prevIndex + m.entries.length;
    if (m.commit > this.#commit) this.#commitTo(Math.min(m.commit, match));
    reply({ type: "AER", term: this.#term, success: true, match, xTerm: 0, xIndex: 0 });
  }
  #campaign(): void {
    this.#term++;
    this.#votedFor = this.#ctx.self;
    this.#persist();
    this.#role = "candidate";
    this.#votes = new Set([this.#ctx.self]);
    this.#resetTimer();
    const last = this.#log.length;
    for (const p of this.#ctx.peers) {
      this.#ctx.send(p, {
        type: "RV",
        term: this.#term,
        lastIndex: last,
        lastTerm: this.#termAt(last),
      });
    }
  }
  #lead(): void {
    this.#role = "leader";
    for (const p of this.#ctx.peers) {
      this.#next.set(p, this.#log.length + 1);
      this.#match.set(p, 0);
      this.#sendAppend(p);
    }
    this.#ctx.setTimer("heartbeat", 50);
  }
  #follow(term: number): void {
    this.#term = term;
    this.#votedFor = null;
    this.#persist();
    if (this.#role === "leader") this.#resetTimer();
    this.#role = "follower";
  }
  #sendAppend(p: string): void {
    const prev = this.#next.get(p)! - 1;
    this.#ctx.send(p, {
      type: "AE",
      term: this.#term,
      prevIndex: prev,
      prevTerm: this.#termAt(prev),
      entries: this.#log.slice(prev, prev + 64),
      commit: this.#commit,
    });
  }
  #advance(): void {
    for (let n = this.#log.length; n > this.#commit; n--) {
      if (!this.countOldTerms && this.#termAt(n) !== this.#term) break;
      let count = 1;
      for (const m of this.#match.values()) if (m >= n) count++;
      if (count * 2 > this.#ctx.peers.length + 1) return this.#commitTo(n);
    }
  }
  #commitTo(index: number): void {
    this.#commit = index;
    while (this.#applied < this.#commit) {
      this.#applied++;
      const command = this.#log[this.#applied - 1].command;
      this.#ctx.emit({ type: "apply", index: this.#applied, command });
    }
  }
  #termAt(i: number): number {
    return i === 0 ? 0 : this.#log[i - 1]?.term ?? -1;
  }
  #persist(): void {
    this.#ctx.storage.set("term", this.#term);
    this.#ctx.storage.set("votedFor", this.#votedFor);
  }
  #resetTimer(): void {
    this.#ctx.setTimer("election", this.#ctx.rng.uniform(150, 300));
  }
}

Deno.test("battery: a learner's Raft written to the contract passes; snapshots are skipped", () => {
  const report = raftBattery((ctx) => new MiniRaft(ctx as NodeContext<MiniMessage>), {
    seeds: SEEDS,
  });
  const problems = report.rows.filter((r) => r.failed > 0).map((r) => r.message);
  assert.deepEqual(problems, []);
  const skipped = report.rows.filter((r) => r.skipped !== null).map((r) => r.scenario);
  assert.deepEqual(skipped, ["snapshots", "snapshotsUnreliable"]);
});

Deno.test("battery: without a no-op, Figure 8 catches a learner's commit of an old term by counting", () => {
  const report = raftBattery(
    (ctx) => new MiniRaft(ctx as NodeContext<MiniMessage>, true),
    { only: ["figure8", "figure8Unreliable"], seeds: SEEDS, stopAtFirstFailure: true },
  );
  console.log(report.rows.map((r) => `${r.scenario}: ${r.message ?? "passed"}`).join("\n"));
  assert.ok(report.rows.some((r) => /state machine safety/.test(r.message ?? "")));
});
