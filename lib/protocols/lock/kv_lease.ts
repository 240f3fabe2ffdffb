/**
 * Leases on the Raft key-value store, for leader election and for a lock service with fencing
 * tokens. The lease is one key whose value is a record `{"h": holder | null, "t": token, "r":
 * renewal}`; every change is a compare-and-set through the replicated log, so changes are
 * linearizable and each successful acquisition gets token = previous token + 1: a monotonically
 * increasing fencing token issued by the consensus store, with no change to the store.
 *
 * Time: a holder trusts its lease for `leaseMs` of its own clock from the moment it *sent* the
 * acquire or renew (the write took effect later, so this errs on the safe side). A contender never
 * compares its clock with the holder's: it takes over only after seeing the same record unchanged
 * for `leaseMs`, timed by a (monotonic) timer, as Kubernetes' leader election does with its
 * observed time. With equal clock rates the holder's trust ends before any contender takes over;
 * a paused holder breaks that, which is the point of the scenarios. The record also carries the
 * holder's expiry in its own clock's terms; the `takeover: "expiry"` mistake compares it with the
 * contender's clock, which a clock offset breaks.
 *
 * The client keeps its session (sequence numbers) in memory: a crashed client is not restarted in
 * these scenarios (a restarted one would need a fresh client id, or its sequence number on disk,
 * or the store's sessions would take its new requests for old retries).
 *
 * Events: `hold-begin {client, hold, token}`, `hold-end {client, hold, token, reason}`
 * (reason "released" | "expired" | "lost"), `act-begin {client, hold, token}` (the lease was
 * checked and the work towards a write began), `act {client, hold, token}` (the write is sent).
 * @module
 */
import type { NodeContext, NodeId, ProtocolNode } from "../../sim/types.ts";
import { parseConfig } from "../../sim/errors.ts";
import type { KvRequest, KvResponse } from "../kv/messages.ts";
import {
  type LeaseClientConfig,
  type LeaseClientConfigInput,
  LeaseClientConfigSchema,
} from "./config.ts";
import type { LockMessage } from "./messages.ts";

/** The lease record stored under the key. */
export interface LeaseRecord {
  /** The holder, or null when released. */
  readonly h: NodeId | null;
  /** Fencing token of the current (or last) holder's acquisition. */
  readonly t: number;
  /** Renewal counter: every renewal changes the value, so contenders see the holder is alive. */
  readonly r: number;
  /** The holder's lease expiry on its own clock (read only by the "expiry" takeover rule). */
  readonly e?: number;
}

/** Parse a stored lease record (null for a missing key or a foreign value). */
export function parseLeaseRecord(v: string | null): LeaseRecord | null {
  if (v === null) return null;
  try {
    const o = JSON.parse(v) as LeaseRecord;
    return typeof o === "object" && o !== null && typeof o.t === "number" ? o : null;
  } catch {
    return null;
  }
}

type Purpose = "poll" | "acquire" | "renew" | "release";

interface InFlight {
  readonly seq: number;
  readonly purpose: Purpose;
  readonly f: "get" | "cas";
  readonly value: unknown;
  readonly sentLocalMs: number;
  server: NodeId;
  /** A refusal named where to go: the next resend goes there instead of the next server. */
  redirected: boolean;
}

interface Holding {
  readonly hold: number;
  readonly token: number;
  value: string;
  validUntilLocalMs: number;
  lastRenewLocalMs: number;
  writesDone: number;
}

/** Message type of a lease client: KV traffic plus resource writes. */
export type LeaseClientMessage = KvRequest | KvResponse | LockMessage;

/**
 * A lease client (election candidate or lock client) over the key-value servers.
 * @example
 * ```ts
 * sim.addNode("c0", (ctx) => new LeaseClient(ctx, { servers: ["n0", "n1", "n2"], leaseMs: 300 }),
 *   { role: "client" });
 * ```
 */
export class LeaseClient implements ProtocolNode<LeaseClientMessage> {
  /** Parameters with defaults applied. */
  readonly config: LeaseClientConfig;
  #ctx: NodeContext<LeaseClientMessage>;
  #renewEveryMs: number;
  #seq = 0;
  #flight: InFlight | undefined;
  #server: NodeId;
  #observed: { value: string | null; sinceLocalMs: number; unchangedForLease: boolean } | undefined;
  #holding: Holding | undefined;
  #holds = 0;
  #done = false;
  #pendingWrite: { hold: number; token: number } | undefined;

  /** A client with the given parameters (validated). */
  constructor(ctx: NodeContext<LeaseClientMessage>, config: LeaseClientConfigInput) {
    this.config = parseConfig(LeaseClientConfigSchema, config, "lease client config");
    this.#renewEveryMs = this.config.renewEveryMs ?? this.config.leaseMs / 3;
    this.#ctx = ctx;
    this.#server = this.config.servers[0];
  }

  /** Start polling after the start delay. */
  start(): void {
    this.#ctx.setTimer("lease:tick", this.config.startDelayMs);
  }

  /** Whether this client believes it holds the lease now (by its local clock). */
  believesHolder(): boolean {
    return this.#holding !== undefined;
  }

  /** KV answers; everything else is ignored. */
  onMessage(_from: NodeId, msg: LeaseClientMessage): void {
    if (msg.type !== "KvResponse") return;
    const fl = this.#flight;
    if (!fl || msg.seq !== fl.seq || msg.clientId !== this.#ctx.self) return;
    if (!msg.ok && (msg.error === "not-leader" || msg.error === "lost-leadership")) {
      const next = msg.leaderHint && msg.leaderHint !== fl.server
        ? msg.leaderHint
        : this.#next(fl.server);
      fl.server = next;
      fl.redirected = true;
      this.#ctx.setTimer("lease:retry", 10);
      return;
    }
    this.#flight = undefined;
    this.#ctx.cancelTimer("lease:retry");
    this.#server = fl.server;
    this.#onAnswer(fl, msg);
  }

  /** Timers: the tick (poll, renew, expiry check), retries, acts. */
  onTimer(name: string): void {
    if (name === "lease:tick") {
      this.#tick();
      if (!this.#done) this.#ctx.setTimer("lease:tick", this.config.pollMs);
    } else if (name === "lease:retry") {
      const fl = this.#flight;
      if (!fl) return;
      // a timeout tries the next server; a redirect goes where the refusal pointed
      if (!fl.redirected) fl.server = this.#next(fl.server);
      fl.redirected = false;
      this.#send(fl);
    } else if (name === "lease:act") this.#actCheck();
    else if (name === "lease:act-do") this.#actDo();
    else if (name === "lease:observed") {
      // armed when the observed value last changed; re-arming replaced any older one
      if (this.#observed) this.#observed.unchangedForLease = true;
    } else if (name === "lease:expire") {
      const h = this.#holding;
      if (h && this.#ctx.nowMs() >= h.validUntilLocalMs) this.#endHold("expired");
    }
  }

  /** A plain snapshot. */
  inspect(): unknown {
    return {
      holding: this.#holding ? { ...this.#holding } : null,
      observed: this.#observed ?? null,
      inFlight: this.#flight?.purpose ?? null,
      done: this.#done,
    };
  }

  #next(s: NodeId): NodeId {
    const all = this.config.servers;
    return all[(all.indexOf(s) + 1) % all.length];
  }

  #request(purpose: Purpose, f: "get" | "cas", value: unknown): void {
    const fl: InFlight = {
      seq: ++this.#seq,
      purpose,
      f,
      value,
      sentLocalMs: this.#ctx.nowMs(),
      server: this.#server,
      redirected: false,
    };
    this.#flight = fl;
    this.#send(fl);
  }

  #send(fl: InFlight): void {
    const req: KvRequest = {
      type: "KvRequest",
      clientId: this.#ctx.self,
      seq: fl.seq,
      f: fl.f,
      key: this.config.key,
      value: fl.value,
    };
    this.#ctx.send(fl.server, req);
    this.#ctx.setTimer("lease:retry", this.config.requestTimeoutMs);
  }

  #tick(): void {
    const now = this.#ctx.nowMs();
    const h = this.#holding;
    if (h && now >= h.validUntilLocalMs) this.#endHold("expired");
    if (this.#flight || this.#done) return; // one request at a time (a KV session)
    const cur = this.#holding;
    if (cur) {
      if (now - cur.lastRenewLocalMs >= this.#renewEveryMs) {
        const rec = parseLeaseRecord(cur.value)!;
        const renewed: LeaseRecord = { ...rec, r: rec.r + 1, e: now + this.config.leaseMs };
        this.#request("renew", "cas", [cur.value, JSON.stringify(renewed)]);
      }
      return;
    }
    this.#request("poll", "get", null);
  }

  #onAnswer(fl: InFlight, msg: KvResponse): void {
    const now = this.#ctx.nowMs();
    if (fl.purpose === "poll") {
      const v = (msg.value ?? null) as string | null;
      this.#observe(v, now);
      const rec = parseLeaseRecord(v);
      const free = rec === null || rec.h === null ||
        (this.config.takeover === "expiry"
          ? rec.e !== undefined && now >= rec.e
          : this.#observed!.unchangedForLease);
      if (free) {
        const next: LeaseRecord = {
          h: this.#ctx.self,
          t: (rec?.t ?? 0) + 1,
          r: 0,
          e: now + this.config.leaseMs,
        };
        this.#request("acquire", "cas", [v, JSON.stringify(next)]);
      }
      return;
    }
    if (fl.purpose === "acquire") {
      if (!msg.ok) return this.#observe((msg.value ?? null) as string | null, now);
      const to = (fl.value as [string | null, string])[1];
      const rec = parseLeaseRecord(to)!;
      const hold = ++this.#holds;
      this.#holding = {
        hold,
        token: rec.t,
        value: to,
        validUntilLocalMs: fl.sentLocalMs + this.config.leaseMs,
        lastRenewLocalMs: fl.sentLocalMs,
        writesDone: 0,
      };
      this.#observe(to, now);
      this.#armExpiry(fl.sentLocalMs + this.config.leaseMs);
      this.#ctx.emit({ type: "hold-begin", client: this.#ctx.self, hold, token: rec.t });
      if (this.config.resource !== undefined) this.#ctx.setTimer("lease:act", 0);
      return;
    }
    if (fl.purpose === "renew") {
      const h = this.#holding;
      if (!h) return; // the lease ran out while the renewal was in flight
      if (!msg.ok) return this.#endHold("lost");
      h.value = (fl.value as [string, string])[1];
      h.validUntilLocalMs = fl.sentLocalMs + this.config.leaseMs;
      h.lastRenewLocalMs = fl.sentLocalMs;
      this.#armExpiry(h.validUntilLocalMs);
      return;
    }
    // release: a renewal that was still in flight may have changed the record first; release
    // whatever version of our own record is there
    const found = parseLeaseRecord((msg.value ?? null) as string | null);
    const mine = parseLeaseRecord((fl.value as [string, string])[0]);
    if (!msg.ok && found && mine && found.h === this.#ctx.self && found.t === mine.t) {
      this.#request("release", "cas", [msg.value, JSON.stringify({ ...found, h: null })]);
    }
  }

  // The holder stops believing at the end of its lease (a timer, so no tick granularity); a
  // paused holder handles the timer only after it resumes.
  #armExpiry(untilLocalMs: number): void {
    this.#ctx.setTimer("lease:expire", Math.max(0, untilLocalMs - this.#ctx.nowMs()));
  }

  #observe(v: string | null, now: number): void {
    if (!this.#observed || this.#observed.value !== v) {
      this.#observed = { value: v, sinceLocalMs: now, unchangedForLease: false };
      this.#ctx.setTimer("lease:observed", this.config.leaseMs);
    }
  }

  // Check the lease, then do the work that leads to the write: the write itself does not
  // re-check (there is always a gap between check and use; a pause can fall into it).
  #actCheck(): void {
    const h = this.#holding;
    if (!h) return;
    if (this.#ctx.nowMs() >= h.validUntilLocalMs) return this.#endHold("expired");
    this.#pendingWrite = { hold: h.hold, token: h.token };
    this.#ctx.emit({ type: "act-begin", client: this.#ctx.self, hold: h.hold, token: h.token });
    this.#ctx.setTimer("lease:act-do", this.config.workMs);
  }

  // The write in progress goes out even if the lease ran out meanwhile (nothing re-checks it).
  #actDo(): void {
    const w = this.#pendingWrite;
    const resource = this.config.resource;
    this.#pendingWrite = undefined;
    if (!w || resource === undefined) return;
    const h = this.#holding?.hold === w.hold ? this.#holding : undefined;
    const n = h ? ++h.writesDone : 0;
    this.#ctx.emit({ type: "act", client: this.#ctx.self, hold: w.hold, token: w.token });
    this.#ctx.send(resource, {
      type: "ResourceWrite",
      client: this.#ctx.self,
      hold: w.hold,
      token: w.token,
      value: `${this.#ctx.self}/${w.hold}/${n}`,
    });
    if (!h) {
      if (this.config.mode === "lock") this.#done = true; // its job is over: it lost the lock
      return;
    }
    if (this.config.mode === "lock" && h.writesDone >= this.config.writes) {
      const rec = parseLeaseRecord(h.value)!;
      this.#endHold("released");
      this.#done = true;
      this.#request("release", "cas", [h.value, JSON.stringify({ h: null, t: rec.t, r: rec.r })]);
      return;
    }
    this.#ctx.setTimer("lease:act", this.config.actEveryMs);
  }

  #endHold(reason: "released" | "expired" | "lost"): void {
    const h = this.#holding;
    if (!h) return;
    this.#holding = undefined;
    this.#ctx.cancelTimer("lease:act");
    this.#ctx.cancelTimer("lease:expire");
    this.#ctx.emit({
      type: "hold-end",
      client: this.#ctx.self,
      hold: h.hold,
      token: h.token,
      reason,
    });
  }
}

/** A node factory for lease clients. */
export function leaseClientFactory(
  config: LeaseClientConfigInput,
): (ctx: NodeContext<LeaseClientMessage>) => LeaseClient {
  parseConfig(LeaseClientConfigSchema, config, "lease client config");
  return (ctx) => new LeaseClient(ctx, config);
}
