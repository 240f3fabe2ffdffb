/**
 * A PBFT replica (Castro and Liskov, "Practical Byzantine Fault Tolerance", OSDI 1999, §4) behind
 * the replicated-log interface: normal case (pre-prepare, prepare, commit; §4.2), checkpoints,
 * watermarks and garbage collection (§4.3), view changes (§4.4) with the liveness rules of §4.5.2,
 * batching (§5.1), durable state for restarts and a simple state transfer.
 *
 * Departures from the paper, each marked where it happens:
 * - signatures everywhere (the paper's §4 version; MACs are §5 optimisations);
 * - client requests are not signed (the key-value clients of this lab have no keys), so honest
 *   replicas trust the requests the primary puts in a batch; validity is checked by BftInvariants;
 * - a replica that sees a message of a view it has not installed asks for that view's NEW-VIEW
 *   (NEW-VIEW-REQUEST), and a replica that receives a VIEW-CHANGE for a view it has already
 *   installed answers with the NEW-VIEW: the paper leaves this to retransmission;
 * - state transfer copies the whole checkpoint record (snapshot) from one replica and checks it
 *   against the 2f + 1 checkpoint proof, instead of the paper's partition tree (thesis §5.3.2);
 * - retransmission is explicit: a replica with work in flight and no progress for a period sends
 *   RETRANSMIT(n) (n = lastExec + 1, or first the lowest slot it executed in an earlier view and
 *   has not yet redone in the installed one, §4.4) and peers re-send their pre-prepare (relayed), prepare and commit for n, or
 *   their stable checkpoint proof when n is already collected; a replica whose gap looks local
 *   (later numbers committed in its view) asks for retransmission twice before voting for a view
 *   change;
 * - the doubled view-change timeout is capped (`viewChangeTimeoutMaxMs`);
 * - a retried request of a key-value client that reaches a backup is watched even if executed
 *   (the key-value server answers only from the primary), and the primary orders it again (the
 *   state machine's sessions make the repeat a no-op);
 * - after a restart a replica re-executes from its stable checkpoint and emits `bft-decide`
 *   again for the slots it re-executes (same digests).
 * @module
 */
import type { NodeContext, NodeId, Signature } from "../../sim/types.ts";
import { parseConfig } from "../../sim/errors.ts";
import { digestOf } from "../../sim/trace.ts";
import { freezeIfImmutable as frozen, immutable, isImmutable } from "../../sim/storage.ts";
import { type BftSize, bftSize } from "../bft/config.ts";
import { decideEvent, requestId } from "../bft/events.ts";
import type { ProposeResult, ReplicatedLog, ReplicatedLogHooks } from "../kv/replicated_log.ts";
import { type PbftConfig, type PbftConfigInput, PbftConfigSchema } from "./config.ts";
import {
  type Batch,
  type Checkpoint,
  type CheckpointRecord,
  type Commit,
  type NewView,
  type PbftCommandBase,
  type PbftMessage,
  type Prepare,
  type PreparedCertificate,
  type PrePrepare,
  signedPart,
  type ViewChange,
} from "./messages.ts";

/** Timer names (the host must forward them: none starts with `kv:`). */
export const PBFT_TIMERS = {
  view: "pbft:view",
  resend: "pbft:vc-resend",
  fetch: "pbft:fetch",
  retransmit: "pbft:retransmit",
} as const;

const K_VIEW = "pbft:view";
const K_STABLE = "pbft:stable";
const K_LOG = "pbft:log";

interface Slot<C> {
  n: number;
  pp?: PrePrepare<C>;
  prepares: Map<NodeId, Prepare>;
  commits: Map<NodeId, Commit>;
  /** Highest-view prepared certificate (§4.4's Pm). */
  cert?: PreparedCertificate<C>;
  commitSentView: number;
  /** Committed-local: the decided digest and batch. */
  decided?: { d: string; m: Batch<C>; v: number };
}

interface CheckpointEntry {
  mine?: { record: CheckpointRecord; d: string };
  votes: Map<NodeId, Checkpoint>;
}

// Message objects whose signature verified. Signature checks are pure (the simulator mints a
// signature only for its signer), and the simulator hands every recipient the sender's object, so
// one check serves all recipients; only accepted objects are remembered.
const verified = new WeakSet<object>();

// Digests of deeply frozen batches (the primary's, shared by every backup that receives its
// pre-prepare): such a batch can never change, so its digest is computed once.
const frozenBatchDigests = new WeakMap<object, string>();

/** D(m) of a batch: memoized for a deeply frozen one, computed on every call for any other. */
function batchDigest(m: unknown): string {
  if (m === null || typeof m !== "object" || !isImmutable(m)) return digestOf(m);
  let d = frozenBatchDigests.get(m);
  if (d === undefined) {
    d = digestOf(m);
    frozenBatchDigests.set(m, d);
  }
  return d;
}

/** The digest of the null request (§4.4): an empty batch. */
export const NULL_DIGEST = digestOf({ requests: [] });

/**
 * A PBFT replica implementing {@link ReplicatedLog}: the primary's `propose` assigns a sequence
 * number; a backup's refuses with the primary as hint, relays the request to the primary and
 * starts its view-change timer (§4.4, §4.5.2).
 * @example
 * ```ts
 * const node = new PbftNode(ctx, { checkpointInterval: 8 }, { apply: (e) => sm.apply(e.command) });
 * node.start();
 * ```
 */
export class PbftNode<C extends PbftCommandBase> implements ReplicatedLog<C, PbftMessage<C>> {
  /** Parameters with defaults applied. */
  readonly config: PbftConfig;
  /** n, f and the quorum 2f + 1. */
  readonly size: BftSize;
  /** All replicas in primary order: the primary of view v is `replicas[v mod n]` (§4.1). */
  readonly replicas: readonly NodeId[];
  #ctx: NodeContext<PbftMessage<C>>;
  #hooks: ReplicatedLogHooks<C>;
  #view = 0;
  #active = true;
  #h = 0;
  #stableProof: Checkpoint[] = [];
  #lastExec = 0;
  #flat = 0;
  #chain = "genesis";
  #lastSeq = new Map<string, number>();
  #slots = new Map<number, Slot<C>>();
  #seqNo = 0;
  #queue: C[] = [];
  #waiting = new Map<string, C>();
  #checkpoints = new Map<number, CheckpointEntry>();
  #viewChanges = new Map<number, Map<NodeId, ViewChange<C>>>();
  #newView?: NewView<C>;
  #timeoutMs: number;
  #viewTimerArmed = false;
  #future: { from: NodeId; msg: PbftMessage<C> }[] = [];
  #nvRequested = new Set<number>();
  #fetching?: { n: number; d: string; from: NodeId[] };
  #replaying = false;
  #gcCount = 0;
  #lagStrikes = 0;
  #retransmitArmed = false;
  /** When a stale VIEW-CHANGE of (replica, view) was last answered (local clock, volatile). */
  #staleAnswered = new Map<string, number>();
  /** Own VIEW-CHANGE messages by view (volatile), re-sent to replicas still collecting that view. */
  #myViewChanges = new Map<number, ViewChange<C>>();
  #retransmitMark = -1;
  /** A volatile copy of the durable log (so garbage collection need not read storage back). */
  #logMirror: PbftMessage<C>[] = [];

  /** A replica over `ctx`; `hooks` is the state machine (apply, snapshot, restore). */
  constructor(
    ctx: NodeContext<PbftMessage<C>>,
    config: PbftConfigInput | undefined,
    hooks: ReplicatedLogHooks<C>,
  ) {
    this.config = parseConfig(PbftConfigSchema, config ?? {}, "pbft config");
    this.#ctx = ctx;
    this.#hooks = hooks;
    this.replicas = [ctx.self, ...ctx.peers].sort();
    this.size = bftSize(this.replicas.length, this.config, "pbft config");
    this.#timeoutMs = this.config.viewChangeTimeoutMs;
  }

  // ---- lifecycle and the replicated-log interface ----------------------------------------------

  /** Start, or restart from durable state (§4.3/§4.4: view, log and stable checkpoint survive). */
  start(): void {
    const st = this.#ctx.storage;
    const stable = st.get<{ record: CheckpointRecord; proof: Checkpoint[] }>(K_STABLE);
    if (stable) this.#install(stable.record, stable.proof);
    const v = st.get<{ view: number; active: boolean }>(K_VIEW);
    if (v) {
      this.#view = v.view;
      this.#active = v.active;
    }
    this.#replaying = true;
    this.#logMirror = st.list<PbftMessage<C>>(K_LOG);
    for (const m of this.#logMirror) {
      if (m.type === "PRE-PREPARE") this.#acceptPrePrepare(m);
      else if (m.type === "PREPARE" || m.type === "COMMIT") this.#store(m);
    }
    this.#replaying = false;
    for (const s of this.#sortedSlots()) this.#check(s.n);
    this.#seqNo = Math.max(this.#h, ...[...this.#slots.keys()]);
    if (!this.#active) {
      // it crashed during a view change: send its VIEW-CHANGE for the stored view again (the
      // timer starts when 2f + 1 view changes are in, as before the crash)
      const v = this.#view;
      this.#view = v - 1;
      this.#active = true;
      this.#startViewChange(v);
    }
  }

  /** The primary assigns; a backup relays to the primary and watches the request (§4.4). */
  propose(command: C): ProposeResult {
    if (this.isLeader()) {
      this.#queue.push(command);
      const index = this.#guessIndex();
      this.#cutBatches();
      return { ok: true, index };
    }
    this.#watch(command, true);
    const p = this.primary(this.#view);
    if (p !== this.#ctx.self) this.#ctx.send(p, { type: "FORWARD", request: command });
    return { ok: false, reason: "not-leader", leaderHint: p };
  }

  /** Whether this replica is the primary of an installed view. */
  isLeader(): boolean {
    return this.#active && this.primary(this.#view) === this.#ctx.self;
  }

  /** The primary of the current view (§4.1: p = v mod |R|). */
  leaderHint(): NodeId {
    return this.primary(this.#view);
  }

  /** The current view (the one installed, or the one being changed to). */
  get view(): number {
    return this.#view;
  }

  /** The primary of view `v`. */
  primary(v: number): NodeId {
    return this.config.leaderOf?.(v) ?? this.replicas[v % this.replicas.length];
  }

  /** A plain snapshot of the replica's state. */
  inspect(): {
    view: number;
    active: boolean;
    primary: NodeId;
    h: number;
    H: number;
    lastExec: number;
    flat: number;
    seqNo: number;
    slots: number[];
    waiting: number;
    queue: number;
    stableProof: number;
    gcCount: number;
    timeoutMs: number;
  } {
    return {
      view: this.#view,
      active: this.#active,
      primary: this.primary(this.#view),
      h: this.#h,
      H: this.#h + this.config.logWindow,
      lastExec: this.#lastExec,
      flat: this.#flat,
      seqNo: this.#seqNo,
      slots: [...this.#slots.keys()].sort((a, b) => a - b),
      waiting: this.#waiting.size,
      queue: this.#queue.length,
      stableProof: this.#stableProof.length,
      gcCount: this.#gcCount,
      timeoutMs: this.#timeoutMs,
    };
  }

  /** A timer fired. */
  onTimer(name: string): void {
    if (name === PBFT_TIMERS.view) {
      this.#viewTimerArmed = false;
      if (this.#active) {
        // §4.5.2: the timer expired in view v: start a view change for v + 1
        if (!this.#waiting.size) return;
        if (this.#lagging() && this.#lagStrikes < 2) {
          this.#lagStrikes++;
          this.#broadcast({ type: "RETRANSMIT", n: this.#lastExec + 1 });
          return this.#armViewTimer();
        }
        this.#lagStrikes = 0;
        this.#startViewChange(this.#view + 1);
      } else {
        // §4.5.2: no NEW-VIEW in time: move to v + 2 and wait twice as long
        this.#timeoutMs = Math.min(this.#timeoutMs * 2, this.config.viewChangeTimeoutMaxMs);
        this.#startViewChange(this.#view + 1);
      }
    } else if (name === PBFT_TIMERS.resend) {
      if (this.#active) return;
      const mine = this.#viewChanges.get(this.#view)?.get(this.#ctx.self);
      if (mine) this.#broadcast(mine);
      this.#ctx.setTimer(PBFT_TIMERS.resend, this.config.viewChangeResendMs);
    } else if (name === PBFT_TIMERS.fetch) {
      this.#sendFetch();
    } else if (name === PBFT_TIMERS.retransmit) {
      this.#retransmitArmed = false;
      if (!this.#inFlight()) return;
      // no progress for a whole period with work in flight: ask for what we miss
      if (this.#lastExec === this.#retransmitMark && this.#active) {
        // the redo of an executed slot (§4.4) comes first: its own progress never moves
        // lastExec, and without its messages it would never be asked for again (lost prepares
        // of the new view stranded peers that had not executed it; sweep seeds 6769, 8340)
        const n = this.#redoPending() ?? this.#lastExec + 1;
        this.#broadcast({ type: "RETRANSMIT", n });
      }
      this.#retransmitMark = this.#lastExec;
      this.#armRetransmit();
    }
  }

  /** A message of the log protocol arrived. */
  onMessage(from: NodeId, msg: PbftMessage<C>): void {
    switch (msg.type) {
      case "PRE-PREPARE":
        return this.#onPrePrepare(from, msg);
      case "PREPARE":
      case "COMMIT":
        return this.#onVote(from, msg);
      case "CHECKPOINT":
        return this.#onCheckpoint(msg);
      case "VIEW-CHANGE":
        return this.#onViewChange(msg);
      case "NEW-VIEW":
        return this.#onNewView(msg);
      case "FORWARD":
        return this.#onForward(msg.request);
      case "FETCH-STATE": {
        const rec = this.#checkpoints.get(msg.n)?.mine;
        if (rec) this.#ctx.send(from, { type: "STATE", n: msg.n, record: rec.record });
        return;
      }
      case "STATE":
        return this.#onState(msg.n, msg.record);
      case "RETRANSMIT":
        return this.#onRetransmit(from, msg.n);
      case "NEW-VIEW-REQUEST":
        if (this.#newView && this.#newView.v >= msg.v) this.#ctx.send(from, this.#newView);
        return;
    }
  }

  #inFlight(): boolean {
    for (const s of this.#slots.values()) if (s.n > this.#lastExec && s.pp) return true;
    return this.#redoPending() !== undefined;
  }

  /**
   * §4.4: after a NEW-VIEW, "replicas redo the protocol for messages between min-s and max-s"
   * but avoid re-executing them. A slot this replica executed in an earlier view and that the new
   * primary re-issued still needs this replica's prepare and commit in the new view: a replica
   * that has not executed it yet counts on them for its 2f + 1 commits. The lowest such slot not
   * yet prepared here in the installed view, if any.
   */
  #redoPending(): number | undefined {
    if (!this.#active) return undefined;
    let low: number | undefined;
    for (const s of this.#slots.values()) {
      if (
        s.n > this.#h && s.n <= this.#lastExec && s.pp?.v === this.#view &&
        s.commitSentView < s.pp.v && (low === undefined || s.n < low)
      ) low = s.n;
    }
    return low;
  }

  /** Retransmission (§4: messages are re-sent until received): a periodic check while work is in flight. */
  #armRetransmit(): void {
    if (this.#retransmitArmed || this.#replaying) return;
    this.#retransmitArmed = true;
    this.#ctx.setTimer(PBFT_TIMERS.retransmit, this.config.viewChangeResendMs);
  }

  #onRetransmit(from: NodeId, n: number): void {
    if (n <= this.#h) {
      for (const c of this.#stableProof) this.#ctx.send(from, c);
      return;
    }
    const s = this.#slots.get(n);
    if (!s?.pp) return;
    // any replica may relay the primary's signed pre-prepare
    this.#ctx.send(from, s.pp);
    const p = s.prepares.get(this.#ctx.self);
    if (p && p.v === s.pp.v) this.#ctx.send(from, p);
    const c = s.commits.get(this.#ctx.self);
    if (c && c.v === s.pp.v) this.#ctx.send(from, c);
  }

  // ---- requests ----------------------------------------------------------------------------------

  #executed(c: C): boolean {
    return c.seq <= (this.#lastSeq.get(c.clientId) ?? 0);
  }

  /**
   * Departure: a replica that missed messages (it was down, cut off, or they were lost) sees later
   * sequence numbers committed in its view, or is fetching a stable checkpoint's state: the
   * primary works and the gap is probably local, so on the first two expiries it asks for
   * retransmission instead of voting the primary out alone (a lone VIEW-CHANGE would leave it
   * outside the view until others join); a primary that leaves a gap on purpose is still replaced
   * at the third.
   */
  #lagging(): boolean {
    if (this.#fetching) return true;
    for (const s of this.#slots.values()) {
      if (s.n > this.#lastExec && s.decided?.v === this.#view) return true;
    }
    return false;
  }

  /**
   * §4.5.2: a backup starts its timer when it has a request it has not executed. A client that
   * retries its latest request (`retry`) did not get its reply, so that one is watched (and
   * re-ordered by the primary) even if executed: the key-value server answers only from the
   * primary, so a crashed primary must be replaced even then (departure: PBFT replicas would all
   * resend the cached reply).
   */
  #watch(c: C, retry = false): void {
    const last = this.#lastSeq.get(c.clientId) ?? 0;
    if (retry ? c.seq < last : c.seq <= last) return;
    this.#waiting.set(requestId(c.clientId, c.seq), c);
    if (this.#active) this.#armViewTimer();
  }

  #armViewTimer(): void {
    if (this.#viewTimerArmed) return;
    this.#viewTimerArmed = true;
    this.#ctx.setTimer(PBFT_TIMERS.view, this.#timeoutMs);
  }

  #disarmViewTimer(): void {
    this.#viewTimerArmed = false;
    this.#ctx.cancelTimer(PBFT_TIMERS.view);
  }

  #onForward(c: C): void {
    if (c.seq < (this.#lastSeq.get(c.clientId) ?? 0)) return;
    if (!this.isLeader()) return this.#watch(c, true);
    const id = requestId(c.clientId, c.seq);
    if (this.#queue.some((q) => requestId(q.clientId, q.seq) === id)) return;
    for (const s of this.#slots.values()) {
      if (
        s.n > this.#lastExec && s.pp?.m.requests.some((q) => requestId(q.clientId, q.seq) === id)
      ) {
        return;
      }
    }
    this.#queue.push(c);
    this.#cutBatches();
  }

  /** Flat log position the last queued command will get, if nothing intervenes. */
  #guessIndex(): number {
    let k = this.#flat;
    for (let n = this.#lastExec + 1; n <= this.#seqNo; n++) {
      k += this.#slots.get(n)?.pp?.m.requests.length ?? 0;
    }
    return k + this.#queue.length;
  }

  /** §4.2 and §5.1: the primary assigns sequence numbers within the watermarks, in batches. */
  #cutBatches(): void {
    const c = this.config;
    while (this.isLeader() && this.#queue.length && this.#seqNo < this.#h + c.logWindow) {
      const inFlight = this.#seqNo - this.#lastExec;
      if (c.maxInFlight !== undefined && inFlight >= c.maxInFlight) break;
      if (this.#queue.length < c.batchSize && inFlight >= c.pipelineDepth) break;
      const requests = this.#queue.splice(0, c.batchSize);
      const m: Batch<C> = frozen({ requests: immutable(requests) ?? requests });
      const n = ++this.#seqNo;
      const pp = this.#signPrePrepare(this.#view, n, m);
      this.#acceptPrePrepare(pp);
      this.#broadcast(pp);
    }
  }

  #signPrePrepare(v: number, n: number, m: Batch<C>): PrePrepare<C> {
    const base = { type: "PRE-PREPARE" as const, v, n, d: batchDigest(m), i: this.#ctx.self };
    return frozen({ ...base, m, signature: frozen(this.#ctx.sign(signedPart(base))) });
  }

  #sign<T extends { type: string }>(msg: T): T & { signature: Signature } {
    return frozen({ ...msg, signature: frozen(this.#ctx.sign(signedPart(msg))) });
  }

  #verify(msg: { type: string; i: NodeId; signature: Signature }): boolean {
    if (msg.signature?.signer !== msg.i) return false;
    // a delivered message is the sender's object, shared by every recipient: verify it once
    if (verified.has(msg)) return true;
    if (!this.#ctx.verify(msg.signature, signedPart(msg))) return false;
    verified.add(msg);
    return true;
  }

  #broadcast(msg: PbftMessage<C>): void {
    if (this.#replaying) return;
    for (const p of this.#ctx.peers) this.#ctx.send(p, msg);
  }

  #persist(msg: PbftMessage<C>): void {
    if (this.#replaying) return;
    this.#ctx.storage.append(K_LOG, msg);
    this.#logMirror.push(msg);
  }

  #inWindow(n: number): boolean {
    // §4.2: accept only h < n ≤ H = h + L
    return n > this.#h && n <= this.#h + this.config.logWindow;
  }

  #slot(n: number): Slot<C> {
    let s = this.#slots.get(n);
    if (!s) {
      s = { n, prepares: new Map(), commits: new Map(), commitSentView: -1 };
      this.#slots.set(n, s);
    }
    return s;
  }

  #sortedSlots(): Slot<C>[] {
    return [...this.#slots.values()].sort((a, b) => a.n - b.n);
  }

  /** Messages of a view this replica has not installed yet wait here (bounded). */
  #defer(from: NodeId, msg: PbftMessage<C>, v: number): void {
    if (this.#future.length < 4096) this.#future.push({ from, msg });
    if (v > this.#view && !this.#nvRequested.has(v)) {
      // departure (see module doc): ask for the NEW-VIEW we apparently missed
      this.#nvRequested.add(v);
      this.#ctx.send(this.primary(v), { type: "NEW-VIEW-REQUEST", v });
    }
  }

  // ---- normal case (§4.2) ----------------------------------------------------------------------

  #onPrePrepare(from: NodeId, pp: PrePrepare<C>): void {
    if (pp.i !== this.primary(pp.v) || !this.#verify(pp)) return;
    if (pp.v > this.#view || (pp.v === this.#view && !this.#active)) {
      return this.#defer(from, pp, pp.v);
    }
    if (pp.v < this.#view || !this.#inWindow(pp.n)) return;
    // §4.2: d must be the digest of m
    if (batchDigest(pp.m) !== pp.d) return;
    this.#acceptPrePrepare(pp);
  }

  #acceptPrePrepare(pp: PrePrepare<C>): void {
    const s = this.#slot(pp.n);
    // §4.2: never accept two pre-prepares for the same v and n with different digests
    if (s.pp && s.pp.v >= pp.v) return;
    s.pp = pp;
    this.#persist(pp);
    this.#armRetransmit();
    if (!s.decided && pp.i !== this.#ctx.self) { for (const c of pp.m.requests) this.#watch(c); }
    if (pp.i !== this.#ctx.self) {
      const prepare = this.#sign({
        type: "PREPARE" as const,
        v: pp.v,
        n: pp.n,
        d: pp.d,
        i: this.#ctx.self,
      });
      if (!s.prepares.has(this.#ctx.self) || s.prepares.get(this.#ctx.self)!.v < pp.v) {
        this.#store(prepare);
        this.#broadcast(prepare);
      }
    }
    this.#check(pp.n);
  }

  #onVote(from: NodeId, m: Prepare | Commit): void {
    if (!this.#verify(m)) return;
    if (m.v > this.#view || (m.v === this.#view && !this.#active)) return this.#defer(from, m, m.v);
    if (m.v < this.#view || !this.#inWindow(m.n)) return;
    // §4.2: the primary does not prepare
    if (m.type === "PREPARE" && m.i === this.primary(m.v)) return;
    this.#store(m);
    this.#check(m.n);
  }

  #store(m: Prepare | Commit): void {
    const s = this.#slot(m.n);
    const map = (m.type === "PREPARE" ? s.prepares : s.commits) as Map<NodeId, Prepare | Commit>;
    const old = map.get(m.i);
    if (old && old.v >= m.v) return;
    map.set(m.i, m);
    this.#persist(m);
  }

  #matching<T extends Prepare | Commit>(map: Map<NodeId, T>, v: number, d: string): T[] {
    const out: T[] = [];
    for (const m of map.values()) if (m.v === v && m.d === d) out.push(m);
    return out;
  }

  /** prepared(m, v, n, i) and committed-local(m, v, n, i) of §4.2. */
  #check(n: number): void {
    const s = this.#slots.get(n);
    const pp = s?.pp;
    if (!s || !pp) return;
    const q = this.size.quorum;
    const prepares = this.#matching(s.prepares, pp.v, pp.d);
    // §4.2: prepared = the pre-prepare and 2f prepares from different backups (quorum − 1)
    if (prepares.length < q - 1) return;
    if (!s.cert || s.cert.prePrepare.v < pp.v) {
      s.cert = { prePrepare: pp, prepares: prepares.slice(0, q - 1) };
    }
    if (s.commitSentView < pp.v) {
      s.commitSentView = pp.v;
      const mine = s.commits.get(this.#ctx.self);
      if (!mine || mine.v < pp.v) {
        const commit = this.#sign({
          type: "COMMIT" as const,
          v: pp.v,
          n,
          d: pp.d,
          i: this.#ctx.self,
        });
        this.#store(commit);
        this.#broadcast(commit);
      }
    }
    // §4.2: committed-local = prepared and 2f + 1 matching commits (the mistake counts 2f)
    const need = this.config.mistakeCommitOn2f ? q - 1 : q;
    if (!s.decided && this.#matching(s.commits, pp.v, pp.d).length >= need) {
      s.decided = { d: pp.d, m: pp.m, v: pp.v };
      this.#executeReady();
    }
  }

  /** §4.2: execute in sequence-number order once every lower number has executed. */
  #executeReady(): void {
    let ran = false;
    for (;;) {
      const s = this.#slots.get(this.#lastExec + 1);
      if (!s?.decided) break;
      this.#execute(s.n, s.decided);
      ran = true;
    }
    if (!ran) return;
    if (this.#active) {
      // §4.5.2: executed something new in this view: the timeout is back to T; restart the
      // timer if requests still wait, stop it otherwise
      this.#timeoutMs = this.config.viewChangeTimeoutMs;
      this.#lagStrikes = 0;
      this.#disarmViewTimer();
      if (this.#waiting.size) this.#armViewTimer();
    }
    this.#cutBatches();
  }

  #execute(n: number, dec: { d: string; m: Batch<C>; v: number }): void {
    const ids: string[] = [];
    for (const c of dec.m.requests) {
      this.#flat++;
      this.#hooks.apply({ index: this.#flat, command: c });
      const id = requestId(c.clientId, c.seq);
      ids.push(id);
      if (c.seq > (this.#lastSeq.get(c.clientId) ?? 0)) this.#lastSeq.set(c.clientId, c.seq);
      this.#waiting.delete(id);
    }
    for (const [id, c] of this.#waiting) {
      if (c.seq < (this.#lastSeq.get(c.clientId) ?? 0)) this.#waiting.delete(id);
    }
    this.#chain = digestOf([this.#chain, dec.d]);
    this.#lastExec = n;
    if (!this.#replaying) this.#ctx.emit(decideEvent(n, dec.d, ids, dec.v));
    if (n % this.config.checkpointInterval === 0) this.#takeCheckpoint(n);
  }

  // ---- checkpoints and garbage collection (§4.3) ------------------------------------------------

  #record(n: number): CheckpointRecord {
    return {
      n,
      flat: this.#flat,
      chain: this.#chain,
      lastSeq: [...this.#lastSeq].sort((a, b) => a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0),
      snapshot: this.#hooks.snapshot?.() ?? null,
    };
  }

  #takeCheckpoint(n: number): void {
    const record = this.#record(n);
    const d = digestOf(record);
    const e = this.#cp(n);
    e.mine = { record, d };
    const msg = this.#sign({ type: "CHECKPOINT" as const, n, d, i: this.#ctx.self });
    e.votes.set(this.#ctx.self, msg);
    this.#broadcast(msg);
    this.#checkStable(n);
  }

  #cp(n: number): CheckpointEntry {
    let e = this.#checkpoints.get(n);
    if (!e) this.#checkpoints.set(n, e = { votes: new Map() });
    return e;
  }

  #onCheckpoint(c: Checkpoint): void {
    if (!this.#verify(c) || c.n <= this.#h) return;
    const e = this.#cp(c.n);
    if (!e.votes.has(c.i)) e.votes.set(c.i, c);
    this.#checkStable(c.n);
  }

  #checkStable(n: number): void {
    const e = this.#checkpoints.get(n);
    if (!e || n <= this.#h) return;
    const byD = new Map<string, Checkpoint[]>();
    for (const v of e.votes.values()) {
      let l = byD.get(v.d);
      if (!l) byD.set(v.d, l = []);
      l.push(v);
    }
    for (const [d, l] of byD) {
      // §4.3: 2f + 1 matching checkpoint messages make the checkpoint stable
      if (l.length >= this.size.quorum) return this.#makeStable(n, d, l.slice(0, this.size.quorum));
    }
  }

  #makeStable(n: number, d: string, proof: Checkpoint[]): void {
    if (n <= this.#h) return;
    this.#h = n;
    this.#stableProof = proof;
    // §4.3: discard every pre-prepare, prepare, commit and checkpoint at or below n
    for (const k of [...this.#slots.keys()]) if (k <= n) this.#slots.delete(k);
    for (const k of [...this.#checkpoints.keys()]) if (k < n) this.#checkpoints.delete(k);
    this.#gcCount++;
    const mine = this.#checkpoints.get(n)?.mine;
    if (!this.#replaying) {
      this.#ctx.emit({ type: "checkpoint-stable", n, d });
      const st = this.#ctx.storage;
      const keep = this.#logMirror.filter((m) => ((m as { n?: number }).n ?? 0) > n);
      this.#logMirror = keep;
      st.delete(K_LOG);
      if (keep.length) st.append(K_LOG, ...keep);
      if (mine && mine.d === d) st.set(K_STABLE, { record: mine.record, proof });
    }
    if (this.#lastExec < n || (mine && mine.d !== d)) {
      // lagging (or diverged): fetch the state the proof names
      this.#fetching = { n, d, from: proof.map((c) => c.i).filter((i) => i !== this.#ctx.self) };
      this.#sendFetch();
    }
    if (this.#seqNo < n) this.#seqNo = n;
    this.#cutBatches();
  }

  #sendFetch(): void {
    const f = this.#fetching;
    if (!f || this.#replaying) return;
    for (const p of f.from) this.#ctx.send(p, { type: "FETCH-STATE", n: f.n });
    this.#ctx.setTimer(PBFT_TIMERS.fetch, this.config.viewChangeResendMs);
  }

  #onState(n: number, record: CheckpointRecord): void {
    const f = this.#fetching;
    if (!f || f.n !== n || digestOf(record) !== f.d) return;
    this.#fetching = undefined;
    this.#ctx.cancelTimer(PBFT_TIMERS.fetch);
    this.#install(record, this.#stableProof);
    this.#ctx.storage.set(K_STABLE, { record, proof: this.#stableProof });
    this.#executeReady();
  }

  /** Adopt a checkpoint's state (restart or state transfer). */
  #install(record: CheckpointRecord, proof: Checkpoint[]): void {
    this.#hooks.restore?.(record.snapshot, record.flat);
    this.#flat = record.flat;
    this.#chain = record.chain;
    this.#lastSeq = new Map(record.lastSeq.map(([k, v]) => [k, v]));
    this.#lastExec = record.n;
    if (this.#h < record.n) this.#h = record.n;
    this.#stableProof = proof;
    this.#cp(record.n).mine = { record, d: digestOf(record) };
    for (const [id, c] of this.#waiting) if (this.#executed(c)) this.#waiting.delete(id);
    for (const k of [...this.#slots.keys()]) if (k <= record.n) this.#slots.delete(k);
  }

  // ---- view changes (§4.4, §4.5.2) -------------------------------------------------------------

  #persistView(): void {
    this.#ctx.storage.set(K_VIEW, { view: this.#view, active: this.#active });
  }

  #startViewChange(v: number): void {
    if (v <= this.#view) return;
    this.#view = v;
    this.#active = false;
    this.#persistView();
    this.#disarmViewTimer();
    for (const c of this.#queue) this.#watch(c);
    this.#queue = [];
    const P: PreparedCertificate<C>[] = [];
    for (const s of this.#sortedSlots()) if (s.n > this.#h && s.cert) P.push(s.cert);
    const vc = this.#sign({
      type: "VIEW-CHANGE" as const,
      v,
      n: this.#h,
      C: this.#stableProof,
      P,
      i: this.#ctx.self,
    });
    this.#myViewChanges.set(v, vc);
    this.#ctx.emit({ type: "view-change", v, n: this.#h, prepared: P.length });
    this.#broadcast(vc);
    this.#ctx.setTimer(PBFT_TIMERS.resend, this.config.viewChangeResendMs);
    this.#addViewChange(vc);
  }

  /** A checkpoint proof: 2f + 1 valid checkpoint messages for (n, d) from distinct replicas. */
  #validProof(n: number, C: readonly Checkpoint[]): string | null {
    if (n === 0) return C.length === 0 ? "genesis" : null;
    const signers = new Set<NodeId>();
    let d: string | undefined;
    for (const c of C) {
      if (c.n !== n || !this.#verify(c) || !this.replicas.includes(c.i)) return null;
      if (d !== undefined && c.d !== d) return null;
      d = c.d;
      signers.add(c.i);
    }
    return signers.size >= this.size.quorum && d !== undefined ? d : null;
  }

  #validCert(cert: PreparedCertificate<C>, above: number, below: number): boolean {
    const pp = cert.prePrepare;
    if (pp.n <= above || pp.v >= below || pp.i !== this.primary(pp.v) || !this.#verify(pp)) {
      return false;
    }
    if (batchDigest(pp.m) !== pp.d) return false;
    const signers = new Set<NodeId>();
    for (const p of cert.prepares) {
      if (p.v !== pp.v || p.n !== pp.n || p.d !== pp.d || p.i === pp.i || !this.#verify(p)) {
        return false;
      }
      if (this.replicas.includes(p.i)) signers.add(p.i);
    }
    return signers.size >= this.size.quorum - 1;
  }

  #validViewChange(vc: ViewChange<C>): boolean {
    if (!this.replicas.includes(vc.i) || !this.#verify(vc)) return false;
    if (this.#validProof(vc.n, vc.C) === null) return false;
    return vc.P.every((c) => this.#validCert(c, vc.n, vc.v));
  }

  #onViewChange(vc: ViewChange<C>): void {
    if (!this.#validViewChange(vc)) return;
    if (vc.v < this.#view || (vc.v === this.#view && this.#active)) {
      // departure (see module doc): the sender missed a NEW-VIEW we have
      if (vc.i === this.#ctx.self) return;
      // answer each (replica, view) at most once per resend period: two replicas that both moved
      // past a view would otherwise answer each other's stale VIEW-CHANGE forever (and a replaying
      // Byzantine replica would multiply the exchange)
      const key = `${vc.i}|${vc.v}`;
      const last = this.#staleAnswered.get(key);
      const now = this.#ctx.nowMs();
      if (last !== undefined && now - last < this.config.viewChangeResendMs) return;
      this.#staleAnswered.set(key, now);
      if (this.#newView && this.#newView.v >= vc.v) return this.#ctx.send(vc.i, this.#newView);
      // still short of a view: our own view change for it (retransmission) may complete its set
      const mine = this.#myViewChanges.get(vc.v);
      if (mine) this.#ctx.send(vc.i, mine);
      return;
    }
    this.#addViewChange(vc);
  }

  #addViewChange(vc: ViewChange<C>): void {
    let m = this.#viewChanges.get(vc.v);
    if (!m) this.#viewChanges.set(vc.v, m = new Map());
    if (!m.has(vc.i)) m.set(vc.i, vc);
    // §4.5.2: f + 1 view changes for views above ours: join the smallest of them
    const above = new Map<NodeId, number>();
    for (const [v, vcs] of this.#viewChanges) {
      if (v <= this.#view) continue;
      for (const i of vcs.keys()) {
        const cur = above.get(i);
        if (cur === undefined || v < cur) above.set(i, v);
      }
    }
    if (above.size >= this.size.weak) {
      const v = Math.min(...above.values());
      if (v > this.#view) {
        this.#startViewChange(v);
        return;
      }
    }
    if (this.#active || vc.v !== this.#view) return;
    const here = this.#viewChanges.get(this.#view)!;
    // §4.5.2: with 2f + 1 view changes for our new view, wait at most the timeout for NEW-VIEW
    if (here.size >= this.size.quorum) this.#armViewTimer();
    if (this.primary(this.#view) === this.#ctx.self && here.has(this.#ctx.self)) {
      this.#tryNewView();
    }
  }

  #tryNewView(): void {
    const vcs = this.#viewChanges.get(this.#view)!;
    if (vcs.size < this.size.quorum) return;
    // §4.4: its own view change plus 2f from other replicas
    const V = [vcs.get(this.#ctx.self)!];
    for (const [i, vc] of vcs) {
      if (V.length >= this.size.quorum) break;
      if (i !== this.#ctx.self) V.push(vc);
    }
    const O = this.#computeO(this.#view, V).map((o) => this.#signPrePrepare(this.#view, o.n, o.m));
    const nv = this.#sign({ type: "NEW-VIEW" as const, v: this.#view, V, O, i: this.#ctx.self });
    this.#broadcast(nv);
    this.#installNewView(nv);
  }

  /**
   * §4.4: min-s = latest stable checkpoint in V, max-s = highest prepared sequence number; for
   * each n in between, the request of the certificate with the highest view, else the null
   * request.
   */
  #computeO(_v: number, V: readonly ViewChange<C>[]): { n: number; d: string; m: Batch<C> }[] {
    let minS = 0;
    let maxS = 0;
    for (const vc of V) {
      minS = Math.max(minS, vc.n);
      for (const c of vc.P) maxS = Math.max(maxS, c.prePrepare.n);
    }
    const out: { n: number; d: string; m: Batch<C> }[] = [];
    for (let n = minS + 1; n <= maxS; n++) {
      let best: PrePrepare<C> | undefined;
      if (!this.config.mistakeViewChangeIgnoresPrepared) {
        for (const vc of V) {
          for (const c of vc.P) {
            if (c.prePrepare.n === n && (!best || c.prePrepare.v > best.v)) best = c.prePrepare;
          }
        }
      }
      const m: Batch<C> = best ? best.m : { requests: [] };
      out.push({ n, d: best ? best.d : NULL_DIGEST, m });
    }
    return out;
  }

  #onNewView(nv: NewView<C>): void {
    if (nv.i !== this.primary(nv.v) || !this.#verify(nv)) return;
    if (nv.v < this.#view || (nv.v === this.#view && this.#active)) return;
    // §4.4: check V (2f + 1 valid view changes for v from distinct replicas) and recompute O
    const signers = new Set<NodeId>();
    for (const vc of nv.V) {
      if (vc.v !== nv.v || !this.#validViewChange(vc)) return;
      signers.add(vc.i);
    }
    if (signers.size < this.size.quorum) return;
    const O = this.#computeO(nv.v, nv.V);
    if (O.length !== nv.O.length) return;
    for (let k = 0; k < O.length; k++) {
      const pp = nv.O[k];
      if (
        pp.n !== O[k].n || pp.d !== O[k].d || pp.v !== nv.v || pp.i !== nv.i ||
        batchDigest(pp.m) !== pp.d || !this.#verify(pp)
      ) return;
    }
    this.#installNewView(nv);
  }

  #installNewView(nv: NewView<C>): void {
    this.#view = nv.v;
    this.#active = true;
    this.#newView = nv;
    this.#persistView();
    this.#ctx.cancelTimer(PBFT_TIMERS.resend);
    // §4.5.2: the timer started on 2f + 1 VIEW-CHANGEs keeps running after the NEW-VIEW until
    // the replica executes, in the new view, a request it had not executed (#executeReady resets
    // it); it stops only if nothing waits (below). The new primary too: disarming it here left a
    // primary that could not get 2f prepares (one replica alone in a higher view, one silent)
    // ordering the waiting requests forever with no timer anywhere (sweep seeds 8912, 9541)
    for (const v of [...this.#viewChanges.keys()]) if (v <= nv.v) this.#viewChanges.delete(v);
    for (const v of [...this.#myViewChanges.keys()]) if (v < nv.v) this.#myViewChanges.delete(v);
    // the latest stable checkpoint in V may be beyond ours
    let best: ViewChange<C> | undefined;
    for (const vc of nv.V) if (!best || vc.n > best.n) best = vc;
    if (best && best.n > this.#h) {
      this.#makeStable(best.n, this.#validProof(best.n, best.C)!, [...best.C]);
    }
    let maxS = this.#h;
    for (const pp of nv.O) {
      maxS = Math.max(maxS, pp.n);
      if (this.#inWindow(pp.n)) this.#acceptPrePrepare(pp);
    }
    this.#seqNo = Math.max(maxS, this.#lastExec, this.#h);
    this.#ctx.emit({ type: "new-view", v: nv.v, primary: nv.i, O: nv.O.length });
    const future = this.#future;
    this.#future = [];
    for (const f of future) {
      const v = (f.msg as { v?: number }).v ?? -1;
      if (v === this.#view) this.onMessage(f.from, f.msg);
      else if (v > this.#view) this.#future.push(f);
    }
    // requests that waited through the view change go to the new primary
    const waiting = [...this.#waiting.values()];
    if (this.isLeader()) {
      for (const c of waiting) this.#onForward(c);
    } else {
      const p = this.primary(this.#view);
      for (const c of waiting) this.#ctx.send(p, { type: "FORWARD", request: c });
    }
    if (waiting.length) this.#armViewTimer();
    else this.#disarmViewTimer();
    this.#executeReady();
  }
}
