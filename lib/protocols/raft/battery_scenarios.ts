/**
 * The scenarios of {@link raftBattery}, each a port of one or more of MIT 6.824's Raft lab tests
 * (`src/raft/test_test.go`, 2A–2D) onto the simulator. Times are simulated milliseconds; "ET" is
 * MIT's RaftElectionTimeout (1000 ms), the unit the tests sleep in.
 * @module
 */
import { stableStringify } from "../../sim/trace.ts";
import { BOUNDS, type Harness, type NetworkPreset } from "./battery_harness.ts";

/** The names of the scenarios, in the order the battery runs them. */
export const SCENARIO_NAMES = [
  "initialElection",
  "reElection",
  "noLeaderWithoutMajority",
  "manyElections",
  "basicAgree",
  "failAgree",
  "failNoAgree",
  "concurrentStarts",
  "rejoin",
  "backup",
  "persist",
  "bounce",
  "crashAfterVote",
  "figure8",
  "figure8Scripted",
  "figure8Unreliable",
  "outdatedCandidates",
  "lateVotes",
  "misroutedAppend",
  "unreliableAgree",
  "churn",
  "unreliableChurn",
  "snapshots",
  "snapshotsUnreliable",
] as const;

/** A scenario's name. */
export type ScenarioName = typeof SCENARIO_NAMES[number];

/** One scenario: its cluster and its script. */
export interface Scenario {
  readonly name: ScenarioName;
  /** What it proves, one line. */
  readonly describe: string;
  /** The MIT 6.824 test(s) it follows. */
  readonly mit: string;
  readonly nodes: number;
  readonly network: NetworkPreset;
  /** The service snapshots every this many applies (needs `snapshot`); 0 never. */
  readonly snapshotEveryApplies: number;
  /** The script; throws a BatteryFailure (or anything) on failure. */
  run(h: Harness<unknown>): void;
}

const ET = BOUNDS.electionTimeoutMs;

/** Entries the second doomed leader of backup appends (MIT: 50). */
export const BACKUP_DIVERGENT_ENTRIES = 100;
/**
 * Messages (replies included) a 5-server cluster may send while two followers, one with a
 * divergent suffix of {@link BACKUP_DIVERGENT_ENTRIES} entries, catch up (see backup). Backing up
 * one entry per round trip needs about twice the divergent length for that follower alone.
 */
export const BACKUP_MESSAGE_BOUND = 150;
/** Messages per server per second an idle cluster may send, replies included (MIT: TestCount). */
export const IDLE_MESSAGES_PER_SERVER_PER_S = 60;
/** Largest durable footprint (serialized chars) a server may keep once it snapshots (MIT 2D). */
export const SNAPSHOT_STORAGE_BOUND = 8_000;

function initialElection(h: Harness): void {
  h.checkOneLeader();
  // give followers time to learn of the election before comparing terms
  h.sleep(50);
  const term1 = h.checkTerms();
  if (term1 < 1) h.fail(`term is ${term1}, but it should be at least 1`);
  // with no failures the leader stays and the term does not change
  const sent = h.messagesSent;
  h.sleep(2 * ET);
  const term2 = h.checkTerms();
  if (term2 !== term1) {
    h.fail(`the term changed from ${term1} to ${term2} although nothing failed`);
  }
  const perSecond = (h.messagesSent - sent) / 2;
  const bound = IDLE_MESSAGES_PER_SERVER_PER_S * h.n;
  if (perSecond > bound) {
    h.fail(`${perSecond} messages per second while idle (bound ${bound} for ${h.n} servers)`);
  }
  h.checkOneLeader();
}

/** After a few quiet seconds exactly one available server believes it is leader. */
function checkSingleLeader(h: Harness): void {
  h.sleep(ET);
  const leaders = [];
  for (let i = 0; i < h.n; i++) if (h.available(i) && h.state(i)!.isLeader) leaders.push(h.ids[i]);
  if (leaders.length !== 1) {
    h.fail(
      `expected exactly one leader among connected servers, got ${leaders.length}: ` +
        h.describeTerms(),
    );
  }
}

function reElection(h: Harness): void {
  const leader1 = h.checkOneLeader();
  // if the leader disconnects, a new one is elected
  h.disconnect(leader1);
  const leader2 = h.checkOneLeader();
  // the old leader rejoins: it must step down, leaving one leader
  h.connect(leader1);
  h.checkOneLeader();
  checkSingleLeader(h);
  // the new leader leaves, then comes back
  h.disconnect(leader2);
  h.checkOneLeader();
  h.connect(leader2);
  h.checkOneLeader();
  checkSingleLeader(h);
}

function noLeaderWithoutMajority(h: Harness): void {
  const leader = h.checkOneLeader();
  const gone = [leader, (leader + 1) % h.n, (leader + 2) % h.n];
  for (const i of gone) h.disconnect(i);
  // two of five servers are a minority: neither may win an election, however long they try
  if (h.runUntil(() => h.currentLeader() !== undefined, 2 * ET)) {
    h.checkNoLeader(`only ${h.describeConnected()} are connected`);
  }
  // a quorum returns: a leader must be elected
  h.connect(gone[1]);
  h.checkOneLeader();
  h.connectAll();
  h.checkOneLeader();
  h.one(h.command(), h.n, true);
}

function manyElections(h: Harness): void {
  h.checkOneLeader();
  for (let iter = 0; iter < 10; iter++) {
    // disconnect three servers: four of seven remain, still a majority
    const out = h.rng.shuffle([...Array(h.n).keys()]).slice(0, 3);
    for (const i of out) h.disconnect(i);
    h.checkOneLeader();
    for (const i of out) h.connect(i);
  }
  h.checkOneLeader();
  h.one(h.command(), h.n, true);
}

function basicAgree(h: Harness): void {
  let last = 0;
  for (let k = 0; k < 5; k++) {
    const index = h.one(h.command(), h.n, false);
    if (index <= last) h.fail(`one() committed at index ${index} after index ${last}`);
    last = index;
  }
}

function failAgree(h: Harness): void {
  h.one(101, h.n, false);
  // disconnect one follower: the other two still agree
  const leader = h.checkOneLeader();
  const f = (leader + 1) % h.n;
  h.disconnect(f);
  h.one(102, h.n - 1, false);
  h.one(103, h.n - 1, false);
  h.sleep(ET);
  h.one(104, h.n - 1, false);
  h.one(105, h.n - 1, false);
  // the follower returns and catches up
  h.connect(f);
  h.one(106, h.n, true);
  h.sleep(ET);
  h.one(107, h.n, true);
}

function failNoAgree(h: Harness): void {
  h.one(10, h.n, false);
  // three of five followers disconnect: nothing can commit
  const leader = h.checkOneLeader();
  const out = [1, 2, 3].map((d) => (leader + d) % h.n);
  for (const i of out) h.disconnect(i);
  const r = h.propose(leader, 20);
  if (!r?.isLeader) h.fail(`${h.ids[leader]} rejected propose(20) while still leader`);
  h.sleep(2 * ET);
  const c = h.nCommitted(r.index);
  if (c.count > 0) {
    h.fail(`${c.count} servers applied index ${r.index} (${c.command}) without a majority`);
  }
  // repair: the cluster agrees again
  for (const i of out) h.connect(i);
  const leader2 = h.checkOneLeader();
  const r2 = h.propose(leader2, 30);
  if (!r2?.isLeader) h.fail(`${h.ids[leader2]} rejected propose(30) while leader`);
  h.one(1000, h.n, true);
}

function concurrentStarts(h: Harness): void {
  for (let attempt = 0; attempt < 5; attempt++) {
    // give the implementation time to settle after a failed attempt
    if (attempt > 0) h.sleep(3 * ET);
    const leader = h.checkOneLeader();
    const first = h.propose(leader, 1);
    if (!first?.isLeader) continue;
    const term = first.term;
    // five proposals in the same instant
    const indices: number[] = [];
    let lost = false;
    for (let k = 0; k < 5; k++) {
      const r = h.propose(leader, 100 + k);
      if (!r?.isLeader || r.term !== term) {
        lost = true;
        break;
      }
      indices.push(r.index);
    }
    if (lost) continue;
    if (new Set(indices).size !== indices.length) {
      h.fail(`concurrent proposals got the same index: ${indices.join(", ")}`);
    }
    const got: string[] = [];
    for (const index of indices) {
      const cmd = h.wait(index, h.n, term);
      if (cmd === undefined) {
        lost = true;
        break;
      }
      got.push(cmd);
    }
    if (lost) continue;
    for (let k = 0; k < 5; k++) {
      if (!got.includes(stableStringify(100 + k))) {
        h.fail(`command ${100 + k} was proposed at index ${indices[k]} but is not applied there`);
      }
    }
    return;
  }
  h.fail("the term changed too often for five concurrent proposals to commit");
}

function rejoin(h: Harness): void {
  h.one(101, h.n, true);
  // the leader is cut off and takes proposals that can never commit
  const leader1 = h.checkOneLeader();
  h.disconnect(leader1);
  for (const c of [102, 103, 104]) h.propose(leader1, c);
  // the others elect a new leader and commit
  h.one(103, h.n - 1, true);
  const leader2 = h.checkOneLeader();
  h.disconnect(leader2);
  // the old leader rejoins: its uncommitted entries must be overwritten
  h.connect(leader1);
  h.one(104, h.n - 1, true);
  h.connect(leader2);
  h.one(105, h.n, true);
}

function backup(h: Harness): void {
  h.one(h.command(), h.n, true);
  // the leader and one follower are left in a minority and take 50 doomed proposals
  const l = h.checkOneLeader();
  const at = (d: number) => (l + d) % h.n;
  for (const d of [2, 3, 4]) h.disconnect(at(d));
  for (let k = 0; k < 50; k++) h.propose(l, h.command());
  h.sleep(ET / 2);
  h.disconnect(l);
  h.disconnect(at(1));
  // the other three commit 50 commands
  for (const d of [2, 3, 4]) h.connect(at(d));
  for (let k = 0; k < 50; k++) h.one(h.command(), 3, true);
  // their leader loses a follower and takes 50 more doomed proposals
  const leader2 = h.checkOneLeader();
  let other = at(2);
  if (other === leader2) other = (leader2 + 1) % h.n;
  h.disconnect(other);
  for (let k = 0; k < BACKUP_DIVERGENT_ENTRIES; k++) h.propose(leader2, h.command());
  h.sleep(ET / 2);
  // the original pair plus `other` form a majority and must overwrite their divergent suffixes
  for (let i = 0; i < h.n; i++) h.disconnect(i);
  h.connect(l);
  h.connect(at(1));
  h.connect(other);
  for (let k = 0; k < 50; k++) h.one(h.command(), 3, true);
  // everyone is back: two followers with long divergent logs must catch up quickly
  h.connectAll();
  const sent = h.messagesSent;
  h.commit(h.command(), h.n);
  const used = h.messagesSent - sent;
  if (used > BACKUP_MESSAGE_BOUND) {
    h.fail(
      `${used} messages to bring two followers with long divergent logs up to date ` +
        `(bound ${BACKUP_MESSAGE_BOUND}): back up nextIndex by a term at a time, not an entry`,
    );
  }
}

function persist(h: Harness): void {
  h.one(h.command(), h.n, true);
  for (let round = 0; round < 8; round++) {
    // any subset, the whole cluster included, crashes; sometimes after a proposal
    let subset = [...Array(h.n).keys()].filter(() => h.rng.chance(0.5));
    if (subset.length === 0 || h.rng.chance(0.2)) subset = [...Array(h.n).keys()];
    if (h.rng.chance(0.3)) {
      const x = h.rng.pick(subset);
      h.disconnect(x);
      h.one(h.command(), h.n - 1, true);
    }
    if (h.rng.chance(0.5)) {
      const l = h.currentLeader();
      if (l !== undefined) h.propose(l, h.command());
      h.sleep(h.rng.int(0, 30));
    }
    for (const i of subset) h.crash(i);
    const rest = h.n - subset.length;
    if (rest > h.n / 2) h.one(h.command(), rest, true);
    else h.sleep(h.rng.int(0, ET / 2));
    for (const i of subset) h.restart(i);
    h.connectAll();
    h.one(h.command(), h.n, true);
  }
}

/**
 * Jepsen's kill nemesis: every 60 ms one server is killed and restarted 3 ms later, while random
 * halves partition the cluster every 400 ms and a client proposes every 10 ms. A server that
 * answers an RPC before its state is on storage forgets it here (a vote, a term, an entry).
 */
function bounce(h: Harness): void {
  const endMs = h.sim.nowMs + 8_000;
  let order: number[] = [];
  const kill = () => {
    if (h.sim.nowMs >= endMs) return;
    if (order.length === 0) order = h.rng.shuffle([...Array(h.n).keys()]);
    const i = order.pop()!;
    h.crash(i);
    h.sim.schedule(3, () => h.sim.restart(h.ids[i]));
    h.sim.schedule(60, kill);
  };
  const split = () => {
    if (h.sim.nowMs >= endMs) return;
    const s = h.rng.shuffle([...Array(h.n).keys()]);
    const k = Math.floor(h.n / 2);
    h.partition([s.slice(0, k), s.slice(k)]);
    h.sim.schedule(250, () => h.connectAll());
    h.sim.schedule(400, split);
  };
  const client = () => {
    if (h.sim.nowMs >= endMs) return;
    const l = h.currentLeader();
    if (l !== undefined) h.node(l)!.propose(h.command());
    h.sim.schedule(10, client);
  };
  h.sim.schedule(300, kill);
  h.sim.schedule(500, split);
  h.sim.schedule(10, client);
  h.sleep(endMs - h.sim.nowMs);
  h.restoreAll();
  h.one(h.command(), h.n, true);
}

/**
 * Figure 2: persistent state is "updated on stable storage before responding to RPCs". Here a
 * server is killed and restarted within 2 ms of entering a new term (typically: of voting),
 * while the leader is killed every few hundred ms to force elections, so split votes meet
 * freshly restarted voters. A vote or term kept only in memory lets a server vote twice.
 */
function crashAfterVote(h: Harness): void {
  const endMs = h.sim.nowMs + 8_000;
  const seen = new Array(h.n).fill(0);
  const pending = new Array(h.n).fill(false);
  const stop = h.sim.afterEach(() => {
    for (let i = 0; i < h.n; i++) {
      const s = h.state(i);
      if (!s || s.term <= seen[i]) continue;
      seen[i] = s.term;
      if (s.isLeader || pending[i] || !h.rng.chance(0.3)) continue;
      pending[i] = true;
      h.sim.schedule(h.rng.int(0, 2), () => {
        h.crash(i);
        h.sim.restart(h.ids[i]);
        pending[i] = false;
      });
    }
  });
  const killLeader = () => {
    if (h.sim.nowMs >= endMs) return;
    const l = h.currentLeader();
    if (l !== undefined) {
      h.crash(l);
      h.sim.schedule(h.rng.int(0, 50), () => h.sim.restart(h.ids[l]));
    }
    h.sim.schedule(h.rng.int(100, 400), killLeader);
  };
  const client = () => {
    if (h.sim.nowMs >= endMs) return;
    const l = h.currentLeader();
    if (l !== undefined) h.node(l)!.propose(h.command());
    h.sim.schedule(20, client);
  };
  h.sim.schedule(300, killLeader);
  h.sim.schedule(20, client);
  h.sleep(endMs - h.sim.nowMs);
  stop();
  h.restoreAll();
  h.one(h.command(), h.n, true);
}

function sleepLikeMit(h: Harness): void {
  // MIT Figure8: mostly a few ms, sometimes up to half an election timeout
  if (h.rng.int(0, 999) < 100) h.sleep(h.rng.int(0, ET / 2 - 1));
  else h.sleep(h.rng.int(0, 12));
}

/** Iterations of the Figure 8 scenarios (MIT: 1000). */
export const FIGURE8_ITERATIONS = 1_000;

function figure8(h: Harness): void {
  h.one(h.command(), 1, true);
  let nup = h.n;
  for (let iter = 0; iter < FIGURE8_ITERATIONS; iter++) {
    let leader = -1;
    for (let i = 0; i < h.n; i++) {
      if (h.propose(i, h.command())?.isLeader) leader = i;
    }
    sleepLikeMit(h);
    if (leader !== -1 && h.up(leader)) {
      h.crash(leader);
      nup--;
    }
    if (nup < 3) {
      const s = h.rng.int(0, h.n - 1);
      if (!h.up(s)) {
        h.restart(s);
        nup++;
      }
    }
  }
  h.restoreAll();
  h.one(h.command(), h.n, true);
}

/** Only these links carry messages (both ways); every other pair is cut. */
function onlyLinks(h: Harness, links: readonly (readonly [number, number])[]): void {
  h.net.heal();
  const keep = new Set(links.flatMap(([a, b]) => [a * 64 + b, b * 64 + a]));
  const cut: [string, string][] = [];
  for (let a = 0; a < h.n; a++) {
    for (let b = a + 1; b < h.n; b++) if (!keep.has(a * 64 + b)) cut.push([h.ids[a], h.ids[b]]);
  }
  if (cut.length) h.net.cut(cut);
}

/** Wait until server `i` says it leads (its topology lets no other server win). */
function awaitLeader(h: Harness, i: number, panel: string): void {
  if (!h.runUntil(() => h.state(i)?.isLeader === true, BOUNDS.electionMs)) {
    h.fail(`figure 8 panel ${panel}: ${h.ids[i]} was not elected though only it could win`);
  }
}

/**
 * Figure 8 of the Raft paper, scripted panel by panel on five servers (S1..S5 = n0..n4). The
 * topology of each panel lets exactly one server win, and a new leader's messages are dropped
 * where the figure says its entries reach nobody.
 * (a) S1 leads and replicates entry A at index k to S2 only.
 * (b) S1 crashes; S5 is elected with the votes of S3 and S4 and appends B at k, on S5 alone.
 * (c) S5 crashes; S1 restarts, is elected (S2, S3 vote), and copies A to S3: A is on a majority
 *     but from an older term. Counting replicas would commit it here.
 * (d) S1 crashes; S5 restarts in a star with S2, S3, S4 and, its last term being newer, is
 *     elected by them and overwrites A with B. If A was applied in (c), state machine safety is broken.
 * (e) Everyone returns; a new command must commit on all five (the harness checks that no index
 *     was ever applied with two commands). A leader that appends an entry of its own term before
 *     counting (a no-op) makes (c) end as the figure's panel (e): S5 then cannot win.
 */
function figure8Scripted(h: Harness): void {
  const [s1, s2, s3, s4, s5] = [0, 1, 2, 3, 4];
  // (a) a star around S1: only S1 can collect three votes
  onlyLinks(h, [[s1, s2], [s1, s3], [s1, s4], [s1, s5]]);
  awaitLeader(h, s1, "(a)");
  h.one(h.command(), h.n, true);
  onlyLinks(h, [[s1, s2]]);
  h.propose(s1, h.command()); // A
  h.sleep(ET / 5);
  // (b) S5 between S3 and S4 (which cannot reach each other); S5's messages as leader are lost
  h.crash(s1);
  h.sim.intercept(h.ids[s5], (out, net) => {
    if (!h.state(s5)?.isLeader) net.send(out.to, out.msg);
  }, { byzantine: false });
  onlyLinks(h, [[s5, s3], [s5, s4]]);
  awaitLeader(h, s5, "(b)");
  h.propose(s5, h.command()); // B
  h.sleep(ET / 5);
  h.sim.intercept(h.ids[s5], null);
  // (c) S5 down; S1 back, reaching S2 and S3 (and S4 only until it leads)
  h.crash(s5);
  h.restart(s1);
  h.sim.intercept(h.ids[s1], (out, net) => {
    if (out.to !== h.ids[s4] || !h.state(s1)?.isLeader) net.send(out.to, out.msg);
  }, { byzantine: false });
  onlyLinks(h, [[s1, s2], [s1, s3], [s1, s4]]);
  awaitLeader(h, s1, "(c)");
  h.sleep(ET / 5);
  h.sim.intercept(h.ids[s1], null);
  // (d) S1 down; S5 back among S2, S3, S4
  h.crash(s1);
  h.restart(s5);
  onlyLinks(h, [[s5, s2], [s5, s3], [s5, s4]]);
  // if an entry of S1's term reached a majority in (c) (a no-op), S5 cannot win: panel (e)
  if (h.runUntil(() => h.state(s5)?.isLeader === true, BOUNDS.electionMs)) {
    h.one(h.command(), 4, true);
  }
  // (e)
  h.restoreAll();
  h.one(h.command(), h.n, true);
}

function figure8Unreliable(h: Harness): void {
  h.one(h.command(), 1, true);
  let nup = h.n;
  for (let iter = 0; iter < FIGURE8_ITERATIONS; iter++) {
    let leader = -1;
    for (let i = 0; i < h.n; i++) {
      if (!h.propose(i, h.command())?.isLeader) continue;
      if (h.connected[i]) leader = i;
      // a burst (MIT: one command) lets followers fall more than one AppendEntries batch behind
      for (let k = h.rng.int(1, 9); k > 1; k--) h.propose(i, h.command());
    }
    sleepLikeMit(h);
    if (leader !== -1 && h.rng.int(0, 999) < ET / 2) {
      h.disconnect(leader);
      nup--;
    }
    if (nup < 3) {
      const s = h.rng.int(0, h.n - 1);
      if (!h.connected[s]) {
        h.connect(s);
        nup++;
      }
    }
  }
  h.connectAll();
  h.one(h.command(), h.n, true);
}

function unreliableAgree(h: Harness): void {
  for (let iter = 1; iter < 50; iter++) {
    // four proposals race with a fifth that must commit
    const l = h.currentLeader();
    if (l !== undefined) { for (let j = 0; j < 4; j++) h.propose(l, h.command()); }
    h.one(h.command(), 1, true);
  }
  h.one(h.command(), h.n, true);
}

/** MIT's internalChurn: three clients propose while servers crash, restart and disconnect. */
function churn(h: Harness): void {
  let stopped = false;
  const observed: { value: string; index: number }[] = [];
  const client = (me: number) => {
    const tick = () => {
      if (stopped) return;
      const x = h.command();
      let index = -1;
      for (let i = 0; i < h.n; i++) {
        const r = h.node(i)?.propose(x);
        if (r?.isLeader) index = r.index;
      }
      if (index === -1) return h.sim.schedule(79 + me * 17, tick);
      const waits = [10, 20, 50, 100, 200];
      const poll = (k: number) => {
        const c = h.nCommitted(index);
        if (c.count > 0) {
          if (c.command === stableStringify(x)) observed.push({ value: c.command, index });
          return tick();
        }
        if (k < waits.length) h.sim.schedule(waits[k], () => poll(k + 1));
        else tick();
      };
      poll(0);
    };
    h.sim.schedule(0, tick);
  };
  for (let me = 0; me < 3; me++) client(me);
  for (let iter = 0; iter < 20; iter++) {
    if (h.rng.int(0, 999) < 200) h.disconnect(h.rng.int(0, h.n - 1));
    if (h.rng.int(0, 999) < 500) {
      const i = h.rng.int(0, h.n - 1);
      if (!h.up(i)) {
        h.restart(i);
        h.connect(i);
      }
    }
    if (h.rng.int(0, 999) < 200) {
      const i = h.rng.int(0, h.n - 1);
      if (h.up(i)) {
        h.crash(i);
        h.disconnect(i);
      }
    }
    h.sleep(ET * 7 / 10);
  }
  h.sleep(ET);
  h.restoreAll();
  stopped = true;
  h.sleep(ET);
  const last = h.one(h.command(), h.n, true);
  for (const o of observed) {
    if (o.index > last) continue;
    if (h.committedAt(o.index) !== o.value) {
      h.fail(
        `value ${o.value} was seen committed at index ${o.index}, but the log has ` +
          `${h.committedAt(o.index)} there`,
      );
    }
  }
}

/** MIT 2D's snapcommon, disconnecting or crashing a victim at random, then a full restart. */
function snapshots(h: Harness): void {
  h.one(h.command(), h.n, true);
  let leader = h.checkOneLeader();
  for (let iter = 0; iter < 30; iter++) {
    let victim = (leader + 1) % h.n, sender = leader;
    if (iter % 3 === 1) {
      sender = (leader + 1) % h.n;
      victim = leader;
    }
    const mode = h.rng.pick(["disconnect", "crash", "none"] as const);
    if (mode === "disconnect") {
      h.disconnect(victim);
      h.one(h.command(), h.n - 1, true);
    } else if (mode === "crash") {
      h.crash(victim);
      h.one(h.command(), h.n - 1, true);
    }
    // enough proposals for the leader to snapshot past what the victim has
    const nn = 5 + h.rng.int(0, 9);
    for (let k = 0; k < nn; k++) h.propose(sender, h.command());
    h.one(h.command(), mode === "none" ? h.n : h.n - 1, true);
    for (let i = 0; i < h.n; i++) {
      const size = h.storageSize(i);
      if (h.up(i) && size > SNAPSHOT_STORAGE_BOUND) {
        h.fail(
          `${h.ids[i]} keeps ${size} chars of durable state after ${h.maxApplied} ` +
            `entries (bound ${SNAPSHOT_STORAGE_BOUND}): compact the log after snapshot()`,
        );
      }
    }
    if (mode === "disconnect") h.connect(victim);
    if (mode === "crash") h.restart(victim);
    // the victim catches up, through InstallSnapshot when its entries were discarded
    h.one(h.command(), h.n, true);
    leader = h.checkOneLeader();
  }
  // everyone restarts from their snapshots (MIT TestSnapshotInit)
  for (let i = 0; i < h.n; i++) h.crash(i);
  h.restoreAll();
  h.one(h.command(), h.n, true);
}

/** Trials of each kind in outdatedCandidates. */
export const OUTDATED_TRIALS = 8;
/** outdatedCandidates fails when elections with outdated servers take this many times longer. */
export const OUTDATED_SLOWDOWN_BOUND = 2;

/**
 * Time from a crash of the leader and of one up-to-date follower to a new leader, with the two
 * remaining followers either up to date or (`outdated`) missing the last committed entry, so that
 * a single server can win.
 */
function electionAfterCrash(h: Harness, outdated: boolean): number {
  h.restoreAll();
  const leader = h.checkOneLeader();
  const others = h.rng.shuffle([...Array(h.n).keys()].filter((i) => i !== leader));
  const [eligible, alsoCrashed, x, y] = others;
  if (outdated) {
    h.disconnect(x);
    h.disconnect(y);
  }
  h.one(h.command(), outdated ? 3 : h.n, true);
  h.sleep(h.rng.int(0, 60));
  h.crash(leader);
  h.crash(alsoCrashed);
  h.connectAll();
  const start = h.sim.nowMs;
  const alive = [eligible, x, y];
  if (!h.runUntil(() => alive.some((i) => h.state(i)?.isLeader), BOUNDS.electionMs)) {
    h.fail(
      `no leader among ${alive.map((i) => h.ids[i]).join(" ")} within ${BOUNDS.electionMs} ms`,
    );
  }
  return h.sim.nowMs - start;
}

/**
 * The students' guide's timer rule (§5.2: reset the election timer only on a current leader's
 * AppendEntries, on starting an election, on granting a vote). Three servers survive a crash; in
 * half the trials two of them miss the last committed entry, so only one can win. Refused
 * RequestVotes must not postpone it: elections may be at most {@link OUTDATED_SLOWDOWN_BOUND}×
 * slower on average than when all three are up to date.
 */
function outdatedCandidates(h: Harness): void {
  const fresh: number[] = [], stale: number[] = [];
  for (let k = 0; k < OUTDATED_TRIALS; k++) {
    fresh.push(electionAfterCrash(h, false));
    stale.push(electionAfterCrash(h, true));
  }
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  if (mean(stale) > OUTDATED_SLOWDOWN_BOUND * mean(fresh)) {
    h.fail(
      `with two outdated survivors elections took ${mean(stale).toFixed(0)} ms on average, ` +
        `${(mean(stale) / mean(fresh)).toFixed(1)}× the ${mean(fresh).toFixed(0)} ms with none ` +
        `(bound ${OUTDATED_SLOWDOWN_BOUND}×): do refused RequestVotes reset the election timer?`,
    );
  }
  h.restoreAll();
  h.one(h.command(), h.n, true);
}

/** Extra delay (ms) of the links into n0 in lateVotes: more than an election timeout. */
export const LATE_VOTE_DELAY_MS = 350;
/** Rounds of lateVotes (each restarts every server with equal logs). */
export const LATE_VOTE_ROUNDS = 16;

/**
 * Replies that arrive a term late (the guide's "term confusion"). From the start, every message
 * to n0 takes {@link LATE_VOTE_DELAY_MS} ms more, while n0's own messages are fast: n0's
 * RequestVotes are answered at once, but the votes reach it after it has timed out and moved to a
 * later term, in which the voters may have elected someone else. Raft drops those votes; counting
 * them elects n0 beside another leader of the same term. Each round first makes every log equal,
 * then restarts every server, so that any of them may win (as at boot). Only the safety checks
 * apply while the links are slow; afterwards the cluster must agree.
 */
function lateVotes(h: Harness): void {
  for (let round = 0; round < LATE_VOTE_ROUNDS; round++) {
    // equal logs everywhere, then a fresh election on every server at once, like at boot
    h.one(h.command(), h.n, true);
    for (let i = 0; i < h.n; i++) h.crash(i);
    for (let i = 0; i < h.n; i++) h.restart(i);
    for (let i = 1; i < h.n; i++) {
      h.net.slowLink(h.ids[i], h.ids[0], { extraMs: LATE_VOTE_DELAY_MS + h.rng.int(0, 50) }, false);
    }
    h.sleep(1_500);
    h.net.restore();
  }
  h.one(h.command(), h.n, true);
}

/** Committed entries the lagging follower of misroutedAppend misses: more than one batch (64). */
export const MISROUTE_LAG_ENTRIES = 80;
/** Entries the deposed leader of misroutedAppend appends alone: its stale suffix. */
export const MISROUTE_STALE_ENTRIES = 20;

/**
 * Figure 2 AppendEntries rule 5 (the guide: commitIndex = min(leaderCommit, index of the last new
 * entry)). A follower may commit only entries the AppendEntries it got vouched for: its log past
 * them may be a stale suffix from an old term. A leader that backs up to a follower's first
 * conflicting entry (as the reference does) never shows that follower a batch that stops short of
 * its stale suffix; a misrouted message does. X crashes and misses {@link MISROUTE_LAG_ENTRIES}
 * commits; the leader A, then cut off alone, appends {@link MISROUTE_STALE_ENTRIES} doomed entries;
 * the other three elect L and commit past A's committed prefix. X restarts; the first message a
 * leader sends X in reaction to a message from X (the batch that starts X's catch-up, far behind
 * L's commitIndex) is delivered to A as well, and nobody hears A. A's log matches that batch
 * entirely, and holds its stale suffix past the batch's end, below leaderCommit: committing
 * min(leaderCommit, last log index) applies a stale entry at an index the others committed
 * differently. Any AppendEntries of the current leader is safe to act on, whoever it was meant for.
 */
function misroutedAppend(h: Harness): void {
  h.one(h.command(), h.n, true);
  const x = (h.checkOneLeader() + 1) % h.n;
  h.crash(x);
  const a0 = h.checkOneLeader();
  for (let k = 1; k < MISROUTE_LAG_ENTRIES; k++) h.propose(a0, h.command());
  h.one(h.command(), h.n - 1, true);
  // every server up knows all of that is committed; the leader is cut off and appends alone
  const a = h.checkOneLeader();
  h.disconnect(a);
  for (let k = 0; k < MISROUTE_STALE_ENTRIES; k++) h.propose(a, h.command());
  // the other three elect a new leader, which commits past A's committed prefix
  h.one(h.command(), h.n - 2, true);
  h.checkOneLeader();
  // X restarts (a crash kept its term low: it does not disrupt the leader). A hears one message
  // only, and nobody hears A
  h.restart(x);
  const ids = h.ids;
  h.net.heal();
  h.net.cutOneWay([ids[a]], ids.filter((_, i) => i !== a));
  let reactingAt = -1, forwarded = false;
  const stopListening = h.sim.onDeliver((d) => {
    reactingAt = d.from === ids[x] && d.to !== ids[a] ? d.t : -1;
  });
  for (let i = 0; i < h.n; i++) {
    if (i === a) continue;
    h.sim.intercept(ids[i], (out, net) => {
      if (out.to === ids[a]) return;
      net.send(out.to, out.msg);
      if (
        !forwarded && out.to === ids[x] && reactingAt === h.sim.nowMs && h.state(i)?.isLeader
      ) {
        forwarded = true;
        net.send(ids[a], out.msg);
      }
    }, { byzantine: false });
  }
  h.runUntil(() => forwarded, BOUNDS.electionMs);
  h.sleep(ET / 5);
  stopListening();
  for (let i = 0; i < h.n; i++) if (i !== a) h.sim.intercept(ids[i], null);
  // everyone back: A's stale suffix must be overwritten
  h.connectAll();
  h.one(h.command(), h.n, true);
}

function scenario(
  name: ScenarioName,
  mit: string,
  describe: string,
  nodes: number,
  run: (h: Harness) => void,
  network: NetworkPreset = "reliable",
  snapshotEveryApplies = 0,
): Scenario {
  return { name, mit, describe, nodes, run, network, snapshotEveryApplies };
}

/** Every scenario by name. */
export const SCENARIOS: Readonly<Record<ScenarioName, Scenario>> = {
  initialElection: scenario(
    "initialElection",
    "TestInitialElection2A, TestCount2B (idle)",
    "a leader is elected, terms agree, nothing changes without failures, idle traffic is bounded",
    3,
    initialElection,
  ),
  reElection: scenario(
    "reElection",
    "TestReElection2A",
    "a new leader after the leader disconnects; a rejoining old leader steps down",
    3,
    reElection,
  ),
  noLeaderWithoutMajority: scenario(
    "noLeaderWithoutMajority",
    "TestReElection2A (no quorum)",
    "two of five connected servers never elect a leader; a majority does",
    5,
    noLeaderWithoutMajority,
  ),
  manyElections: scenario(
    "manyElections",
    "TestManyElections2A",
    "seven servers, three random ones disconnected ten times: always a leader",
    7,
    manyElections,
  ),
  basicAgree: scenario(
    "basicAgree",
    "TestBasicAgree2B",
    "commands commit on every server at increasing indices",
    3,
    basicAgree,
  ),
  failAgree: scenario(
    "failAgree",
    "TestFailAgree2B",
    "agreement despite a disconnected follower, which catches up on return",
    3,
    failAgree,
  ),
  failNoAgree: scenario(
    "failNoAgree",
    "TestFailNoAgree2B",
    "no commit while three of five followers are disconnected; agreement after repair",
    5,
    failNoAgree,
  ),
  concurrentStarts: scenario(
    "concurrentStarts",
    "TestConcurrentStarts2B",
    "five proposals in one instant get distinct indices and all commit",
    3,
    concurrentStarts,
  ),
  rejoin: scenario(
    "rejoin",
    "TestRejoin2B",
    "a partitioned leader's uncommitted entries are overwritten when it rejoins",
    3,
    rejoin,
  ),
  backup: scenario(
    "backup",
    "TestBackup2B (+ a message bound)",
    "followers with long divergent logs are repaired with few messages",
    5,
    backup,
  ),
  persist: scenario(
    "persist",
    "TestPersist12C, TestPersist22C, TestPersist32C",
    "any subset of servers, all included, crashes and restarts from storage",
    5,
    persist,
  ),
  bounce: scenario(
    "bounce",
    "none (Jepsen's kill nemesis)",
    "servers killed and restarted every 60 ms amid partitions: durable state survives each restart",
    5,
    bounce,
  ),
  crashAfterVote: scenario(
    "crashAfterVote",
    "none (Figure 2: persist before responding)",
    "seven servers; one is killed within 2 ms of entering a new term, the leader every few 100 ms",
    7,
    crashAfterVote,
  ),
  figure8: scenario(
    "figure8",
    "TestFigure82C",
    "leaders crash right after proposing (Figure 8): committed entries are never lost",
    5,
    figure8,
  ),
  figure8Scripted: scenario(
    "figure8Scripted",
    "none (the paper's Figure 8, panels (a)–(e))",
    "Figure 8 played panel by panel: an old-term entry on a majority must not count as committed",
    5,
    figure8Scripted,
  ),
  figure8Unreliable: scenario(
    "figure8Unreliable",
    "TestFigure8Unreliable2C",
    "Figure 8 by disconnection on a lossy, duplicating network with long reordering",
    5,
    figure8Unreliable,
    "long-reordering",
  ),
  outdatedCandidates: scenario(
    "outdatedCandidates",
    "none (students' guide: when to reset the election timer)",
    "servers that cannot win must not postpone the one that can: elections stay as fast",
    5,
    outdatedCandidates,
  ),
  lateVotes: scenario(
    "lateVotes",
    "none (students' guide: term confusion)",
    "votes that arrive a term late (slow links into one server) are not counted: one leader per term",
    3,
    lateVotes,
  ),
  misroutedAppend: scenario(
    "misroutedAppend",
    "none (students' guide: Figure 2 AppendEntries rule 5)",
    "a batch meant for a lagging follower reaches a deposed leader: it commits only what it checked",
    5,
    misroutedAppend,
  ),
  unreliableAgree: scenario(
    "unreliableAgree",
    "TestUnreliableAgree2C",
    "agreement on a network that loses, duplicates, reorders and delays messages",
    5,
    unreliableAgree,
    "unreliable",
  ),
  churn: scenario(
    "churn",
    "TestReliableChurn2C",
    "three clients propose while servers crash, restart and disconnect at random",
    5,
    churn,
  ),
  unreliableChurn: scenario(
    "unreliableChurn",
    "TestUnreliableChurn2C",
    "churn on an unreliable network",
    5,
    churn,
    "unreliable",
  ),
  snapshots: scenario(
    "snapshots",
    "TestSnapshotBasic2D, TestSnapshotInstall(Crash)2D, TestSnapshotInit2D",
    "snapshots bound the log; lagging or restarted servers catch up through InstallSnapshot",
    3,
    snapshots,
    "reliable",
    10,
  ),
  snapshotsUnreliable: scenario(
    "snapshotsUnreliable",
    "TestSnapshotInstallUnreliable(Crash)2D",
    "snapshots and InstallSnapshot on an unreliable network",
    3,
    snapshots,
    "unreliable",
    10,
  ),
};
