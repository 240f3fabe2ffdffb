/**
 * An NTP-style client and server (Mills, "Internet Time Synchronization: the Network Time
 * Protocol", 1991; on-wire protocol and clock filter of RFC 5905, 2010). Each exchange yields
 * four timestamps: t1 client send, t2 server receive, t3 server send, t4 client receive, and
 *
 *   offset θ = ((t2 − t1) + (t3 − t4)) / 2        delay δ = (t4 − t1) − (t3 − t2)
 *
 * θ is exact when the two one-way delays are equal; otherwise it is off by half their
 * difference, (d_out − d_back)/2, which no two-way protocol can detect. Unlike Cristian, the
 * server's processing time (t3 − t2) is subtracted from the delay. The clock filter keeps the
 * last N samples and trusts the one with the smallest delay, whose error bound δ/2 is tightest.
 *
 * As in RFC 5905, a least-delay sample that is not newer than the last one used changes nothing,
 * so a quiet, low-delay sample can hold the clock uncorrected for up to N polls; with a large
 * drift that costs drift × N × poll interval. NTP counts on its frequency discipline for that,
 * here the optional `frequencyGain`.
 *
 * Departures from RFC 5905, kept simple on purpose: one server (no selection, clustering or
 * combining across peers), no dispersion/jitter statistics, corrections are steps (no slewing),
 * the optional frequency correction is a plain frequency-locked loop, not the hybrid PLL/FLL of
 * RFC 5905 §11.3, and a sample with a negative delay (our clock stepped back during the
 * exchange) is discarded rather than clamped.
 *
 * Events: `{ type: "sync", algorithm: "ntp", offsetMs, delayMs, stepMs, selectedDelayMs, frequency }`
 * when a sample is applied.
 * @module
 */
import { z } from "zod";
import type { NodeContext, NodeId } from "../sim/types.ts";
import { ConfigError, parseConfig } from "../sim/errors.ts";
import { unknownMembers, withMemberCheck } from "../sim/simulation.ts";
import { ClockDiscipline, type SyncNode, type SyncNodeFactory } from "./discipline.ts";

/** Messages of the NTP-style protocol. */
export type NtpMessage =
  | { readonly type: "ntpRequest"; readonly seq: number; readonly t1: number }
  | {
    readonly type: "ntpReply";
    readonly seq: number;
    readonly t1: number;
    readonly t2: number;
    readonly t3: number;
  };

/** Parameters of the NTP-style client (zod, with defaults). */
export const NtpConfigSchema = z.object({
  /** The server polled. Default "n0". */
  serverId: z.string().min(1).default("n0"),
  /** Local-clock time between two requests. Default 10 000 ms. */
  pollIntervalMs: z.number().positive().default(10_000),
  /** Samples kept by the clock filter (RFC 5905 keeps 8). Default 8. */
  filterSize: z.number().int().min(1).default(8),
  /** Server's delay between receiving a request (t2) and replying (t3). Default 0. */
  serverProcessingMs: z.number().min(0).default(0),
  /**
   * Frequency-locked loop gain in (0, 1]: after each new sample the frequency correction moves
   * by gain × residual offset / time since the previous applied sample. Default 0 (off).
   */
  frequencyGain: z.number().min(0).max(1).default(0),
}).strict();

/** Parameters as written. */
export type NtpConfigInput = z.input<typeof NtpConfigSchema>;
/** Parameters with defaults. */
export type NtpConfig = z.output<typeof NtpConfigSchema>;

/** One on-wire exchange's result. */
export interface NtpSample {
  /** θ, rebased by every correction applied since (so it stays "server minus our clock now"). */
  offsetMs: number;
  /** δ. */
  readonly delayMs: number;
  /** Raw clock at t4. */
  readonly atRawMs: number;
  /** The request's sequence number (newer samples have larger ones). */
  readonly seq: number;
}

/**
 * RFC 5905 on-wire calculation: offset θ and round-trip delay δ from the four timestamps.
 * @example
 * ```ts
 * ntpOffsetDelay(100, 160, 160, 120); // { offsetMs: 50, delayMs: 20 }
 * ```
 */
export function ntpOffsetDelay(
  t1: number,
  t2: number,
  t3: number,
  t4: number,
): { offsetMs: number; delayMs: number } {
  return { offsetMs: ((t2 - t1) + (t3 - t4)) / 2, delayMs: (t4 - t1) - (t3 - t2) };
}

/** A node running the NTP-style protocol: every node serves; nodes other than `serverId` poll. */
export class NtpNode implements SyncNode<NtpMessage> {
  /** Parameters with defaults applied. */
  readonly config: NtpConfig;
  /** The node's clock correction. */
  readonly clock: ClockDiscipline;
  #ctx: NodeContext<NtpMessage>;
  #seq = 0;
  #outstanding = new Map<number, number>();
  #samples: NtpSample[] = [];
  #lastUsed: NtpSample | null = null;
  #pending = new Map<string, { to: NodeId; seq: number; t1: number; t2: number }>();
  #replies = 0;

  /** Parameters are validated (a ConfigError names any bad field). */
  constructor(ctx: NodeContext<NtpMessage>, config: NtpConfigInput = {}) {
    this.#ctx = ctx;
    this.config = parseConfig(NtpConfigSchema, config, "ntp config");
    this.clock = new ClockDiscipline(() => ctx.nowMs());
  }

  /** Whether this node is the server the others poll. */
  get isServer(): boolean {
    return this.#ctx.self === this.config.serverId;
  }

  correctedNowMs(): number {
    return this.clock.correctedNowMs();
  }

  /** The clock filter's samples, oldest first. */
  get samples(): readonly NtpSample[] {
    return this.#samples;
  }

  start(): void {
    if (!this.isServer) this.#poll();
  }

  #poll(): void {
    this.#seq++;
    const t1 = this.clock.correctedNowMs();
    // only the latest few requests can still be answered usefully; forget older ones
    this.#outstanding.set(this.#seq, t1);
    this.#outstanding.delete(this.#seq - 8);
    this.#ctx.send(this.config.serverId, { type: "ntpRequest", seq: this.#seq, t1 });
    this.#ctx.setTimer("poll", this.config.pollIntervalMs);
  }

  onMessage(from: NodeId, msg: NtpMessage): void {
    if (msg.type === "ntpRequest") return this.#serve(from, msg.seq, msg.t1);
    if (from !== this.config.serverId) return;
    // RFC 5905 §8: a reply must echo the origin timestamp we sent (bogus/duplicate otherwise)
    const t1 = this.#outstanding.get(msg.seq);
    if (t1 === undefined || t1 !== msg.t1) return;
    this.#outstanding.delete(msg.seq);
    const t4 = this.clock.correctedNowMs();
    const { offsetMs, delayMs } = ntpOffsetDelay(msg.t1, msg.t2, msg.t3, t4);
    // a negative delay is impossible: our clock stepped back during the exchange
    if (delayMs < 0) return;
    this.#samples.push({ offsetMs, delayMs, atRawMs: this.clock.rawNowMs(), seq: msg.seq });
    if (this.#samples.length > this.config.filterSize) this.#samples.shift();
    this.#filter(offsetMs, delayMs);
  }

  #serve(to: NodeId, seq: number, t1: number): void {
    const t2 = this.clock.correctedNowMs();
    if (this.config.serverProcessingMs === 0) {
      this.#ctx.send(to, { type: "ntpReply", seq, t1, t2, t3: t2 });
      return;
    }
    const name = `reply:${to}:${seq}:${++this.#replies}`;
    this.#pending.set(name, { to, seq, t1, t2 });
    this.#ctx.setTimer(name, this.config.serverProcessingMs);
  }

  onTimer(name: string): void {
    if (name === "poll") return this.#poll();
    const p = this.#pending.get(name);
    if (p) {
      this.#pending.delete(name);
      const t3 = this.clock.correctedNowMs();
      this.#ctx.send(p.to, { type: "ntpReply", seq: p.seq, t1: p.t1, t2: p.t2, t3 });
    }
  }

  #filter(offsetMs: number, delayMs: number): void {
    // RFC 5905 §10 clock filter: trust the sample with the least delay among the last N
    let best = this.#samples[0];
    for (const s of this.#samples) if (s.delayMs <= best.delayMs) best = s;
    // RFC 5905 §10: a selected sample not newer than the last one used is not used again
    if (this.#lastUsed && best.seq <= this.#lastUsed.seq) return;
    const stepMs = best.offsetMs;
    const last = this.#lastUsed;
    if (this.config.frequencyGain > 0 && last) {
      const dt = best.atRawMs - last.atRawMs;
      if (dt > 0) {
        const f = this.clock.frequency + this.config.frequencyGain * stepMs / dt;
        this.clock.setFrequency(Math.max(-0.01, Math.min(0.01, f)));
      }
    }
    this.clock.step(stepMs);
    // older samples were measured against the clock before this step
    for (const s of this.#samples) s.offsetMs -= stepMs;
    this.#lastUsed = best;
    this.#ctx.emit({
      type: "sync",
      algorithm: "ntp",
      offsetMs,
      delayMs,
      stepMs,
      selectedDelayMs: best.delayMs,
      frequency: this.clock.frequency,
    });
  }

  inspect(): unknown {
    return {
      server: this.isServer,
      samples: this.#samples.map((s) => ({ ...s })),
      clock: this.clock.inspect(),
    };
  }
}

/**
 * A factory for the NTP-style protocol (config validated now).
 * @example
 * ```ts
 * const { sim } = createCluster({ seed: 1, nodes: 4, factory: ntpFactory({ pollIntervalMs: 4_000 }) });
 * ```
 */
export function ntpFactory(config: NtpConfigInput = {}): SyncNodeFactory<NtpMessage> {
  const parsed = parseConfig(NtpConfigSchema, config, "ntp config");
  // the server polled must be a server of the cluster (checked when the cluster is built)
  return withMemberCheck((ctx: NodeContext<NtpMessage>) => new NtpNode(ctx, config), (servers) => {
    const issues = unknownMembers([parsed.serverId], servers, "serverId")
      .map((i) => ({ ...i, path: "serverId" }));
    if (issues.length) throw new ConfigError("ntp config", issues);
  });
}
