/**
 * The tester behind {@link raftBattery} (MIT 6.824's `config.go`, rebuilt on the simulator): a
 * cluster of learner nodes, MIT-style connectivity (`disconnect`/`connect` cut a server off from
 * everyone), crashes and restarts, the checks `checkOneLeader`, `checkNoLeader`, `nCommitted` and
 * `one`, and a safety checker that reads only what the learner's nodes tell it: `state()` polled
 * after every simulator event and the `apply` / `restore` events they emit.
 *
 * Safety, checked on every event:
 * - election safety: at most one node is leader in a term (ever, not only at the same instant);
 * - currentTerm is persistent: a node's `state().term` never decreases, across restarts too;
 * - state machine safety: no two nodes apply different commands at one index;
 * - each incarnation applies indices 1, 2, 3, ... in order without gaps, or resumes after a
 *   `restore` of a snapshot, and a snapshot never moves a state machine backwards or carries a
 *   state that differs from what was applied up to its index.
 * @module
 */
import { createCluster } from "../../net/cluster.ts";
import type { Network, NetworkConfigInput } from "../../net/network.ts";
import type { Schedule } from "../../net/nemesis.ts";
import { Rng } from "../../sim/rng.ts";
import type { Simulation } from "../../sim/simulation.ts";
import { RunningHash, stableStringify } from "../../sim/trace.ts";
import type { EmittedEvent } from "../../sim/simulation.ts";
import type { NodeContext, NodeId, ProtocolNode } from "../../sim/types.ts";

/** What `propose` returns (MIT's `Start`): the index and term the command would get, if leader. */
export interface ProposeOutcome {
  /** Log index of the command (meaningless when `isLeader` is false). */
  readonly index: number;
  /** The node's current term. */
  readonly term: number;
  /** Whether this node believes it is the leader (and so accepted the command). */
  readonly isLeader: boolean;
}

/** What `state()` returns (MIT's `GetState`). */
export interface NodeState {
  /** currentTerm (Figure 2): must never decrease, even across a crash. */
  readonly term: number;
  /** Whether this node believes it is the leader of `term`. */
  readonly isLeader: boolean;
}

/**
 * The learner's Raft node, as the battery sees it: a protocol node (handlers the simulator calls)
 * plus the two calls of MIT's tester and, optionally, snapshots.
 */
export interface BatteryNode<M = unknown> extends ProtocolNode<M> {
  /** Start agreement on `command` if leader; return at once (never wait for the commit). */
  propose(command: unknown): ProposeOutcome;
  /** currentTerm and whether this node believes it is the leader. */
  state(): NodeState;
  /**
   * Optional (MIT 2D `Snapshot`): the service has a snapshot `data` of its state machine covering
   * indices 1..`index`; the node may discard its log through `index`, must store `data` durably,
   * send it to followers that need it, and hand it back in a `restore` event. Without this method
   * the snapshot scenarios are skipped.
   */
  snapshot?(index: number, data: unknown): void;
}

/** Builds a learner node from its context (at start and at every restart, over kept storage). */
export type MakeBatteryNode<M = unknown> = (ctx: NodeContext<M>) => BatteryNode<M>;

/** The event a node emits for every committed entry it applies, in index order, from index 1. */
export interface ApplyEvent {
  readonly type: "apply";
  readonly index: number;
  readonly command: unknown;
}

/**
 * The event a node emits when its state machine is replaced by a snapshot (from InstallSnapshot,
 * or at start-up when it has one stored); `data` is what the service passed to `snapshot`.
 */
export interface RestoreEvent {
  readonly type: "restore";
  readonly index: number;
  readonly data: unknown;
}

/** The snapshot the battery's service hands to `snapshot(index, data)`: opaque to the node. */
export interface BatterySnapshot {
  /** The last index the snapshot covers. */
  readonly index: number;
  /** A digest of the commands applied at indices 1..index. */
  readonly digest: string;
}

/** A safety or liveness failure of the learner's implementation. */
export class BatteryFailure extends Error {
  override name = "BatteryFailure";
}

/** Thrown by a scenario the learner's node cannot run (e.g. snapshots without `snapshot`). */
export class ScenarioSkipped extends Error {
  override name = "ScenarioSkipped";
}

/** The digest of the state after applying `value` (a stable serialization) on top of `prev`. */
export function chainDigest(prev: string, value: string): string {
  const h = new RunningHash();
  h.update(prev);
  h.update(value);
  return h.digest();
}

/** Network presets of the scenarios. */
export type NetworkPreset = "reliable" | "unreliable" | "long-reordering";

/** Latency 1–10 ms, nothing lost: MIT's reliable labrpc. */
const RELIABLE: NetworkConfigInput = { latency: { kind: "uniform", minMs: 1, maxMs: 10 } };
/** MIT's unreliable labrpc: 10 % loss, delays up to 27 ms, plus duplicates and reordering. */
const UNRELIABLE: NetworkConfigInput = {
  latency: { kind: "uniform", minMs: 1, maxMs: 27 },
  lossRatio: 0.1,
  duplicateRatio: 0.05,
  reorderRatio: 0.1,
  reorderDelayMs: 200,
};
/** Unreliable plus MIT's "long reordering": a fifth of messages held back up to 1.5 s. */
const LONG_REORDERING: NetworkConfigInput = {
  ...UNRELIABLE,
  reorderRatio: 0.2,
  reorderDelayMs: 1_500,
};

/** The network config of a preset. */
export function networkOf(preset: NetworkPreset): NetworkConfigInput {
  return preset === "reliable" ? RELIABLE : preset === "unreliable" ? UNRELIABLE : LONG_REORDERING;
}

/** Options of a {@link Harness}. */
export interface HarnessOptions {
  readonly seed: number;
  /** Scenario name (names the random stream and appears in failures). */
  readonly scenario: string;
  /** Number of servers, ids n0..n{k-1}. */
  readonly nodes: number;
  /** Default "reliable". */
  readonly network?: NetworkPreset;
  /**
   * Call `snapshot(index, data)` on a node every this many applies (MIT: 10); 0 never. A scenario
   * that sets it needs snapshot support. Default 0.
   */
  readonly snapshotEveryApplies?: number;
  /** Record a full trace (for a space-time diagram of a replay). Default false. */
  readonly trace?: boolean;
  /** A fault schedule the simulator's nemesis plays (crashes, partitions, ...). Default none. */
  readonly nemesis?: Schedule;
}

/** Time bounds of the tester (MIT's, in simulated ms). */
export const BOUNDS = {
  /** A leader must be elected within this long of a majority being up and connected. */
  electionMs: 5_000,
  /** `one()` must see its command committed within this long. */
  agreementMs: 10_000,
  /** `one()` waits this long for a proposed command before proposing again. */
  commitWaitMs: 2_000,
  /** The election timeout the scenarios assume (MIT's RaftElectionTimeout). */
  electionTimeoutMs: 1_000,
} as const;

/** One cluster of learner nodes under test, for one seed of one scenario. */
export class Harness<M = unknown> {
  readonly sim: Simulation<M>;
  readonly net: Network;
  readonly ids: readonly NodeId[];
  readonly n: number;
  readonly seed: number;
  readonly scenario: string;
  /** The scenario's own random stream (its choices, commands, sleeps). */
  readonly rng: Rng;
  /** Whether each server is connected (MIT's `connected[]`). */
  readonly connected: boolean[];
  #index = new Map<NodeId, number>();
  #cursor: number[];
  /** Stable serialization of the command applied at each index (index 0 unused). */
  #canon: string[] = [""];
  #digest: string[] = [""];
  #leaders = new Map<number, NodeId>();
  #maxTerm: number[];
  #failure: string | undefined;
  #snapshotEvery: number;
  #cmd = 0;

  /** A cluster of `options.nodes` learner nodes, started at time 0, checked on every event. */
  constructor(makeNode: MakeBatteryNode<M>, options: HarnessOptions) {
    this.seed = options.seed;
    this.scenario = options.scenario;
    this.n = options.nodes;
    this.#snapshotEvery = options.snapshotEveryApplies ?? 0;
    this.rng = new Rng(options.seed).fork(`battery/${options.scenario}`);
    this.#cursor = new Array(this.n).fill(0);
    this.#maxTerm = new Array(this.n).fill(0);
    this.connected = new Array(this.n).fill(true);
    const c = createCluster<M>({
      seed: options.seed,
      nodes: this.n,
      network: networkOf(options.network ?? "reliable"),
      trace: { mode: options.trace ? "full" : "off" },
      collectEvents: false,
      ...(options.nemesis ? { nemesis: options.nemesis } : {}),
      factory: (ctx) => {
        // a new incarnation: its state machine starts empty until it applies or restores
        const i = this.#index.get(ctx.self)!;
        this.#cursor[i] = 0;
        const node = makeNode(ctx);
        if (this.#snapshotEvery > 0 && typeof node.snapshot !== "function") {
          throw new ScenarioSkipped(
            `skipped: the node has no snapshot(index, data) method (snapshots are optional)`,
          );
        }
        return node;
      },
    });
    this.sim = c.sim;
    this.net = c.net;
    this.ids = c.nodes;
    this.ids.forEach((id, i) => this.#index.set(id, i));
    this.sim.onEvent((e) => this.#observe(e));
    this.sim.afterEach(() => this.#afterEach());
  }

  // ---- failures -----------------------------------------------------------------------------

  /** Stop the scenario with a failure (seed and time are added). */
  fail(message: string): never {
    throw new BatteryFailure(`${message} (t=${Math.round(this.sim.nowMs)}ms)`);
  }

  #violate(message: string): void {
    if (this.#failure === undefined) {
      this.#failure = `${message} (t=${Math.round(this.sim.nowMs)}ms)`;
    }
  }

  /** Throw the first safety violation seen, if any. */
  checkSafety(): void {
    if (this.#failure !== undefined) throw new BatteryFailure(this.#failure);
  }

  // ---- the checker --------------------------------------------------------------------------

  #observe(e: EmittedEvent): void {
    const i = this.#index.get(e.node);
    if (i === undefined) return;
    const ev = e.event as Record<string, unknown>;
    if (ev.type === "apply") this.#onApply(i, ev);
    else if (ev.type === "restore") this.#onRestore(i, ev);
  }

  #onApply(i: number, ev: Record<string, unknown>): void {
    const id = this.ids[i];
    const index = ev.index;
    if (typeof index !== "number" || !Number.isInteger(index) || index < 1) {
      return this.#violate(`${id} emitted an apply event without a valid index: ${show(ev)}`);
    }
    const expected = this.#cursor[i] + 1;
    if (index !== expected) {
      return this.#violate(
        `${id} applied index ${index} but its state machine is at ${expected - 1}: applies ` +
          `must come in index order without gaps (after a restart, from 1 or from a restore)`,
      );
    }
    const v = stableStringify(ev.command);
    const prior = this.#canon[index];
    if (prior === undefined) {
      this.#canon[index] = v;
      this.#digest[index] = chainDigest(this.#digest[index - 1], v);
    } else if (prior !== v) {
      return this.#violate(
        `state machine safety: ${id} applied ${v} at index ${index}, another server applied ` +
          `${prior} there`,
      );
    }
    this.#cursor[i] = index;
    if (this.#snapshotEvery > 0 && index % this.#snapshotEvery === 0) {
      // like MIT's applier, the service snapshots after the node's handler has returned
      const node = this.node(i);
      const data: BatterySnapshot = { index, digest: this.#digest[index] };
      this.sim.schedule(0, () => {
        const now = this.node(i);
        if (now === node && now?.snapshot) now.snapshot(index, data);
      });
    }
  }

  #onRestore(i: number, ev: Record<string, unknown>): void {
    const id = this.ids[i];
    const index = ev.index;
    if (typeof index !== "number" || !Number.isInteger(index) || index < 0) {
      return this.#violate(`${id} emitted a restore event without a valid index: ${show(ev)}`);
    }
    if (index < this.#cursor[i]) {
      return this.#violate(
        `${id} restored a snapshot at index ${index} over a state machine already at ` +
          `${this.#cursor[i]}: a snapshot must never move the state machine backwards`,
      );
    }
    const data = ev.data as Partial<BatterySnapshot> | null | undefined;
    const known = this.#digest[index];
    if (!data || data.index !== index) {
      return this.#violate(
        `${id} restored index ${index} with data ${show(data)}: the data must be what the ` +
          `service passed to snapshot(${index}, data)`,
      );
    }
    if (known === undefined || data.digest !== known) {
      return this.#violate(
        `state machine safety: ${id} restored a snapshot at index ${index} whose state differs ` +
          `from what the servers applied up to that index`,
      );
    }
    this.#cursor[i] = index;
  }

  #afterEach(): void {
    for (let i = 0; i < this.n; i++) {
      const node = this.node(i);
      if (!node) continue;
      const s = node.state();
      if (s.term < this.#maxTerm[i]) {
        this.#violate(
          `${this.ids[i]}'s term went from ${this.#maxTerm[i]} to ${s.term}: currentTerm is ` +
            `persistent state (Figure 2) and never decreases`,
        );
      } else this.#maxTerm[i] = s.term;
      if (s.isLeader) {
        const other = this.#leaders.get(s.term);
        if (other === undefined) this.#leaders.set(s.term, this.ids[i]);
        else if (other !== this.ids[i]) {
          this.#violate(`election safety: ${other} and ${this.ids[i]} both led term ${s.term}`);
        }
      }
    }
    if (this.#failure !== undefined) throw new BatteryFailure(this.#failure);
  }

  // ---- nodes and faults ---------------------------------------------------------------------

  /** The live node `i` (undefined while crashed). */
  node(i: number): BatteryNode<M> | undefined {
    return this.sim.instanceOf<BatteryNode<M>>(this.ids[i]);
  }

  /** Whether node `i` is running. */
  up(i: number): boolean {
    return this.sim.node(this.ids[i]).up;
  }

  /** Whether node `i` is running and connected. */
  available(i: number): boolean {
    return this.connected[i] && this.up(i);
  }

  /** Cut server `i` off from every other server (MIT's `disconnect`). */
  disconnect(i: number): void {
    this.connected[i] = false;
    this.#applyConnectivity();
  }

  /** Reconnect server `i` (MIT's `connect`); it still cannot reach disconnected servers. */
  connect(i: number): void {
    this.connected[i] = true;
    this.#applyConnectivity();
  }

  /** Reconnect every server. */
  connectAll(): void {
    this.connected.fill(true);
    this.#applyConnectivity();
  }

  #applyConnectivity(): void {
    this.net.heal();
    const pairs: [NodeId, NodeId][] = [];
    for (let a = 0; a < this.n; a++) {
      for (let b = a + 1; b < this.n; b++) {
        if (!this.connected[a] || !this.connected[b]) pairs.push([this.ids[a], this.ids[b]]);
      }
    }
    if (pairs.length) this.net.cut(pairs);
  }

  /**
   * Split the servers into groups that cannot talk to each other (servers not listed form one
   * more group). `connect`, `disconnect` and `connectAll` replace it.
   */
  partition(groups: readonly (readonly number[])[]): void {
    this.connected.fill(true);
    this.net.heal();
    this.net.partition(groups.map((g) => g.map((i) => this.ids[i])));
  }

  /** Crash server `i`: its object and timers are gone, its storage stays. */
  crash(i: number): void {
    this.sim.crash(this.ids[i]);
  }

  /** Restart server `i` from its storage (no-op when up). */
  restart(i: number): void {
    this.sim.restart(this.ids[i]);
    this.checkSafety();
  }

  /** Restart and connect every server. */
  restoreAll(): void {
    for (let i = 0; i < this.n; i++) this.restart(i);
    this.connectAll();
  }

  // ---- time ---------------------------------------------------------------------------------

  /** Let `ms` of simulated time pass. */
  sleep(ms: number): void {
    this.sim.run({ untilMs: this.sim.nowMs + ms });
    this.checkSafety();
  }

  /** Run until `done()` or `withinMs` passed; returns whether `done()` held. */
  runUntil(done: () => boolean, withinMs: number): boolean {
    if (done()) return true;
    let ok = false;
    this.sim.run({
      untilMs: this.sim.nowMs + withinMs,
      until: () => (ok = done()),
    });
    this.checkSafety();
    return ok;
  }

  /** A fresh command (unique in this run, deterministic). */
  command(): number {
    return 1_000 * ++this.#cmd + this.rng.int(0, 999);
  }

  // ---- the tester's checks ------------------------------------------------------------------

  /** Propose `command` at node `i` (undefined when down). */
  propose(i: number, command: unknown): ProposeOutcome | undefined {
    const node = this.node(i);
    if (!node) return undefined;
    const r = node.propose(command);
    if (!r || typeof r.isLeader !== "boolean") {
      this.fail(`${this.ids[i]}.propose returned ${show(r)}, not { index, term, isLeader }`);
    }
    this.checkSafety();
    return r;
  }

  /** The state of node `i` (undefined when down). */
  state(i: number): NodeState | undefined {
    return this.node(i)?.state();
  }

  /** The leader among available servers with the highest term, if it is not behind any of them. */
  currentLeader(): number | undefined {
    let best: number | undefined, bestTerm = -1, maxTerm = -1;
    for (let i = 0; i < this.n; i++) {
      if (!this.available(i)) continue;
      const s = this.node(i)!.state();
      if (s.term > maxTerm) maxTerm = s.term;
      if (s.isLeader && s.term > bestTerm) {
        best = i;
        bestTerm = s.term;
      }
    }
    return best !== undefined && bestTerm >= maxTerm ? best : undefined;
  }

  /** Wait until the available servers have a leader (MIT's `checkOneLeader`); returns it. */
  checkOneLeader(withinMs: number = BOUNDS.electionMs): number {
    let leader: number | undefined;
    const ok = this.runUntil(() => (leader = this.currentLeader()) !== undefined, withinMs);
    if (!ok || leader === undefined) {
      this.fail(
        `expected one leader among connected servers ${this.describeConnected()}, none ` +
          `within ${withinMs} ms`,
      );
    }
    return leader;
  }

  /** Every available server agrees on the term (MIT's `checkTerms`); returns it. */
  checkTerms(): number {
    let term = -1;
    for (let i = 0; i < this.n; i++) {
      if (!this.available(i)) continue;
      const t = this.node(i)!.state().term;
      if (term === -1) term = t;
      else if (t !== term) this.fail(`servers disagree on the term: ${this.describeTerms()}`);
    }
    return term;
  }

  /** No available server is leader (MIT's `checkNoLeader`). */
  checkNoLeader(why: string): void {
    for (let i = 0; i < this.n; i++) {
      if (this.available(i) && this.node(i)!.state().isLeader) {
        this.fail(`${this.ids[i]} is leader though ${why}; ${this.describeTerms()}`);
      }
    }
  }

  /** How many servers have applied `index`, and the command there (MIT's `nCommitted`). */
  nCommitted(index: number): { count: number; command: string | undefined } {
    let count = 0;
    for (let i = 0; i < this.n; i++) if (this.#cursor[i] >= index) count++;
    return { count, command: this.#canon[index] };
  }

  /** The command applied at `index` by some server (stable serialization), if any. */
  committedAt(index: number): string | undefined {
    return this.#canon[index];
  }

  /** Highest index some server applied. */
  get maxApplied(): number {
    return this.#canon.length - 1;
  }

  /** Number of servers whose state machine is at or past `index`. */
  appliedCount(index: number): number {
    return this.nCommitted(index).count;
  }

  /**
   * MIT's `one`: propose `command` at whichever available server is leader until `expected`
   * servers applied it; with `retry`, a command lost to a leader change is proposed again.
   * Returns the index. Fails after {@link BOUNDS.agreementMs}.
   */
  one(command: unknown, expected: number, retry: boolean): number {
    const start = this.sim.nowMs;
    const want = stableStringify(command);
    let from = 0;
    while (this.sim.nowMs - start < BOUNDS.agreementMs) {
      let index = -1;
      for (let k = 0; k < this.n; k++) {
        from = (from + 1) % this.n;
        if (!this.available(from)) continue;
        const r = this.propose(from, command);
        if (r?.isLeader) {
          index = r.index;
          break;
        }
      }
      if (index !== -1) {
        this.runUntil(
          () => this.nCommitted(index).count >= expected,
          BOUNDS.commitWaitMs,
        );
        const c = this.nCommitted(index);
        if (c.count >= expected && c.command === want) return index;
        if (!retry) {
          this.fail(
            `one(${want}) failed to reach agreement: ${c.count} of ${expected} servers applied ` +
              `index ${index} (${c.command ?? "nothing"}) within ${BOUNDS.commitWaitMs} ms; ` +
              this.describeConnected(),
          );
        }
      } else {
        this.sleep(50);
      }
    }
    return this.fail(
      `one(${want}) failed to reach agreement on ${expected} servers within ` +
        `${BOUNDS.agreementMs} ms; ${this.describeConnected()} ${this.describeTerms()}`,
    );
  }

  /**
   * Like {@link one}, but propose only at the current leader (the highest-term leader among
   * available servers) and propose again as soon as it loses leadership, instead of waiting for a
   * proposal at a deposed leader to time out. For measurements that time or count messages.
   */
  commit(command: unknown, expected: number): number {
    const start = this.sim.nowMs;
    const want = stableStringify(command);
    while (this.sim.nowMs - start < BOUNDS.agreementMs) {
      const l = this.checkOneLeader(BOUNDS.agreementMs - (this.sim.nowMs - start));
      const r = this.propose(l, command);
      if (!r?.isLeader) continue;
      const deposed = () => {
        const s = this.state(l);
        return !s || !s.isLeader || s.term !== r.term || !this.available(l);
      };
      this.runUntil(
        () => this.nCommitted(r.index).count >= expected || deposed(),
        BOUNDS.agreementMs - (this.sim.nowMs - start),
      );
      const c = this.nCommitted(r.index);
      if (c.count >= expected && c.command === want) return r.index;
    }
    return this.fail(
      `${want} was not applied by ${expected} servers within ${BOUNDS.agreementMs} ms; ` +
        `${this.describeConnected()} ${this.describeTerms()}`,
    );
  }

  /** Wait until `n` servers applied `index`; returns its command, or undefined if a term passed. */
  wait(index: number, n: number, startTerm: number): string | undefined {
    const moved = () => {
      for (let i = 0; i < this.n; i++) {
        const s = this.state(i);
        if (s && s.term > startTerm) return true;
      }
      return false;
    };
    this.runUntil(() => this.nCommitted(index).count >= n || moved(), BOUNDS.agreementMs);
    const c = this.nCommitted(index);
    if (c.count >= n) return c.command;
    if (moved()) return undefined;
    return this.fail(`only ${c.count} of ${n} servers applied index ${index}`);
  }

  /** Messages handed to the network so far. */
  get messagesSent(): number {
    return this.sim.stats.sent;
  }

  /** Durable footprint of node `i`: serialized size of every stored value and list, in chars. */
  storageSize(i: number): number {
    const s = this.sim.node(this.ids[i]).storage;
    let size = 0;
    for (const k of s.keys()) {
      const v = s.get(k);
      if (v !== undefined) size += stableStringify(v).length;
      if (s.listLength(k) > 0) size += stableStringify(s.list(k)).length;
    }
    return size;
  }

  /** "connected: n0 n2; disconnected: n1; down: n3". */
  describeConnected(): string {
    const up = [], off = [], down = [];
    for (let i = 0; i < this.n; i++) {
      if (!this.up(i)) down.push(this.ids[i]);
      else if (!this.connected[i]) off.push(this.ids[i]);
      else up.push(this.ids[i]);
    }
    return `(connected: ${up.join(" ") || "none"}; disconnected: ${off.join(" ") || "none"}` +
      `; down: ${down.join(" ") || "none"})`;
  }

  /** "n0: term 3 leader, n1: term 3, n2: down". */
  describeTerms(): string {
    return this.ids.map((id, i) => {
      const s = this.state(i);
      return s ? `${id}: term ${s.term}${s.isLeader ? " leader" : ""}` : `${id}: down`;
    }).join(", ");
  }
}

function show(v: unknown): string {
  const s = stableStringify(v);
  return s.length > 120 ? s.slice(0, 117) + "..." : s;
}
