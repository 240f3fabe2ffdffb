/**
 * HotStuff measurements for notebook 03 (Yin, Malkhi, Reiter, Gueta, Abraham, PODC 2019), beside
 * the theory, on a constant-δ network without loss or clients (empty nodes), so every count is
 * exact:
 *
 * - messages per decision with a stable (correct) leader. Basic HotStuff, one view = one decision:
 *   NEW-VIEW (n − 1) + 4 phases' leader broadcasts 4(n − 1) + 3 phases' votes 3(n − 1) = 8(n − 1)
 *   (the paper's 4 phases × (leader → n − 1 replicas + n − 1 votes back), the decide phase's
 *   "votes" being the next view's NEW-VIEW messages). Chained HotStuff, one generic phase a view
 *   and one decision a view in steady state: 2(n − 1);
 * - authenticators per decision, counted as the paper does (§4.4 "authenticator complexity":
 *   partial signatures and signatures received; a QC is n − f signatures, or one with threshold
 *   signatures): basic (n − 1)(5q + 3) with signature sets, 8(n − 1) with threshold signatures;
 *   chained (n − 1)(q + 1), or 2(n − 1) (q = n − f);
 * - latency in δ: a proposal is decided by every replica 7δ later (basic: 3 phases × 2δ + the
 *   decide message; chained: when the proposal three views later, carrying the QC of the node
 *   two views later, arrives: 3 × 2δ + δ); decisions follow each other every 8δ (basic: 4
 *   phases × 2δ) or 2δ (chained);
 * - the cost of a leader failure (a crashed leader): time between decisions T + 8δ (T the view
 *   timeout), the NEW-VIEW messages it costs (linear: basic 2n − 3, chained n − 2) and their
 *   authenticators (one QC each), beside PBFT's view change measured the same way (its
 *   VIEW-CHANGE/NEW-VIEW messages carry O(n) signed certificates to n replicas: O(n³)
 *   authenticators in the paper's Table 1).
 * @module
 */
import { z } from "zod";
import { parseConfig } from "../sim/errors.ts";
import type { TraceRecord } from "../sim/types.ts";
import { hotstuffCluster } from "../protocols/hotstuff/cluster.ts";
import { authenticators } from "../protocols/hotstuff/messages.ts";
import { pbftCluster } from "../protocols/pbft/cluster.ts";
import { type Claim, claim } from "./claims.ts";

const CONSENSUS = new Set([
  "prepare",
  "pre-commit",
  "commit",
  "decide",
  "generic",
  "vote",
  "new-view",
]);
const NO_TIMEOUT = 1e9;

/** Theory per decision with a stable leader (q = n − f). */
export function hotstuffTheory(variant: "basic" | "chained", n: number, q: number): {
  messages: number;
  authenticators: number;
  authenticatorsThreshold: number;
  latencyDelta: number;
  intervalDelta: number;
} {
  return variant === "basic"
    ? {
      messages: 8 * (n - 1),
      authenticators: (n - 1) * (5 * q + 3),
      authenticatorsThreshold: 8 * (n - 1),
      latencyDelta: 7,
      intervalDelta: 8,
    }
    : {
      messages: 2 * (n - 1),
      authenticators: (n - 1) * (q + 1),
      authenticatorsThreshold: 2 * (n - 1),
      latencyDelta: 7,
      intervalDelta: 2,
    };
}

/** Parameters of {@link hotstuffMessageRows}. */
export const HotStuffScaleParamsSchema = z.object({
  /** Cluster sizes. Default 4, 7, 10, 16, 31, 64. */
  ns: z.array(z.number().int().min(4).max(256)).min(1).default([4, 7, 10, 16, 31, 64]),
  /** Variants. Default both. */
  variants: z.array(z.enum(["basic", "chained"])).min(1).default(["basic", "chained"]),
  /** The constant one-way delay δ (ms). Default 10. */
  deltaMs: z.number().positive().default(10),
  /** Seed. Default 1. */
  seed: z.number().int().default(1),
}).strict();

/** One row: one steady-state view's messages, authenticators and latency, beside theory. */
export interface HotStuffScaleRow {
  /** "basic" or "chained". */
  readonly variant: "basic" | "chained";
  /** Replicas. */
  readonly n: number;
  /** Quorum n − f. */
  readonly q: number;
  /** Messages of one view (= one decision). */
  readonly messages: number;
  /** 8(n − 1) basic, 2(n − 1) chained. */
  readonly theoryMessages: number;
  /** Authenticators of that view, QCs as signature sets. */
  readonly authenticators: number;
  /** (n − 1)(5q + 3) basic, (n − 1)(q + 1) chained. */
  readonly theoryAuthenticators: number;
  /** Authenticators with threshold signatures (a QC counts 1). */
  readonly authenticatorsThreshold: number;
  /** 8(n − 1) basic, 2(n − 1) chained. */
  readonly theoryAuthenticatorsThreshold: number;
  /** Proposal sent → every replica decided it, in δ. */
  readonly latencyDelta: number;
  /** 7. */
  readonly theoryLatencyDelta: number;
  /** Between consecutive decisions at every replica, in δ. */
  readonly intervalDelta: number;
  /** 8 basic, 2 chained. */
  readonly theoryIntervalDelta: number;
}

/** The view measured: basic 3, chained 5 (steady state, every earlier view succeeded). */
const VIEW = { basic: 3, chained: 5 } as const;

function measureView(
  variant: "basic" | "chained",
  n: number,
  deltaMs: number,
  seed: number,
  threshold: boolean,
) {
  const V = VIEW[variant];
  const c = hotstuffCluster({
    seed,
    n,
    variant,
    network: { latency: { kind: "constant", ms: deltaMs } },
    hotstuff: { viewTimeoutMs: NO_TIMEOUT, thresholdSignatures: threshold },
    trace: { mode: "off" },
    collectEvents: false,
  });
  let messages = 0, auth = 0;
  const proposedAt = new Map<number, number>();
  c.sim.onDeliver((d) => {
    const m = d.msg as { type?: string; viewNumber?: number; node?: { height?: number } };
    if (!CONSENSUS.has(m.type ?? "")) return;
    if ((m.type === "prepare" || m.type === "generic") && !proposedAt.has(m.viewNumber!)) {
      proposedAt.set(m.viewNumber!, c.sim.nowMs - deltaMs); // constant delay: sent δ earlier
    }
    // a constant-delay network without loss delivers every send, so deliveries count sends
    const inView = m.type === "new-view"
      ? variant === "basic" && m.viewNumber === V - 1
      : m.viewNumber === V;
    if (!inView) return;
    messages++;
    auth += authenticators(m);
  });
  const decided = new Map<number, Set<string>>();
  const allAt = new Map<number, number>();
  c.sim.onEvent((e) => {
    if (e.event.type !== "bft-decide") return;
    const slot = e.event.slot as number;
    let s = decided.get(slot);
    if (!s) decided.set(slot, s = new Set());
    s.add(e.node);
    if (s.size === n && !allAt.has(slot)) allAt.set(slot, e.t);
  });
  c.sim.run({ untilMs: 40 * deltaMs, until: () => allAt.has(V + 1) });
  // in steady state view v proposes the node at height v
  return {
    q: c.size.quorum,
    messages,
    auth,
    latencyDelta: (allAt.get(V)! - proposedAt.get(V)!) / deltaMs,
    intervalDelta: (allAt.get(V + 1)! - allAt.get(V)!) / deltaMs,
  };
}

/**
 * Messages, authenticators and latency of one steady-state view per n and variant, beside
 * theory (no clients: empty nodes; no timeouts).
 * @example
 * ```ts
 * hotstuffMessageRows({ ns: [4], variants: ["basic"] }); // [{ messages: 24, theoryMessages: 24, ... }]
 * ```
 */
export function hotstuffMessageRows(input: unknown = {}): HotStuffScaleRow[] {
  const p = parseConfig(HotStuffScaleParamsSchema, input, "hotstuff scale parameters");
  const rows: HotStuffScaleRow[] = [];
  for (const variant of p.variants) {
    for (const n of p.ns) {
      const multi = measureView(variant, n, p.deltaMs, p.seed, false);
      const thr = measureView(variant, n, p.deltaMs, p.seed, true);
      const t = hotstuffTheory(variant, n, multi.q);
      rows.push({
        variant,
        n,
        q: multi.q,
        messages: multi.messages,
        theoryMessages: t.messages,
        authenticators: multi.auth,
        theoryAuthenticators: t.authenticators,
        authenticatorsThreshold: thr.auth,
        theoryAuthenticatorsThreshold: t.authenticatorsThreshold,
        latencyDelta: multi.latencyDelta,
        theoryLatencyDelta: t.latencyDelta,
        intervalDelta: multi.intervalDelta,
        theoryIntervalDelta: t.intervalDelta,
      });
    }
  }
  return rows;
}

/** Parameters of {@link hotstuffViewChangeRows}. */
export const HotStuffViewChangeParamsSchema = z.object({
  /** Cluster sizes (chained needs n ≥ 5: at n = 4 the crashed leader is back every 4th view and
   * no Three-Chain of consecutive views forms, see config.ts). Default 7, 10, 16, 31, 64. */
  ns: z.array(z.number().int().min(4).max(256)).min(1).default([7, 10, 16, 31, 64]),
  /** Variants. Default both. */
  variants: z.array(z.enum(["basic", "chained"])).min(1).default(["basic", "chained"]),
  /** δ (ms). Default 10. */
  deltaMs: z.number().positive().default(10),
  /** The view timeout T (ms). Default 200. */
  viewTimeoutMs: z.number().positive().default(200),
  /**
   * Also measure PBFT's view change after a crashed primary (lib/protocols/pbft) at these sizes
   * (slow beyond n = 16: its VIEW-CHANGE messages carry O(n²) signatures). Default 4, 7, 10.
   */
  pbftNs: z.array(z.number().int().min(4).max(64)).default([4, 7, 10]),
  /** Seed. Default 1. */
  seed: z.number().int().default(1),
}).strict();

/** One row: the cost of replacing a crashed leader. */
export interface HotStuffViewChangeRow {
  /** "basic", "chained" or "pbft". */
  readonly protocol: "basic" | "chained" | "pbft";
  /** Replicas. */
  readonly n: number;
  /** Time between the last decision before and the first after the failure (ms). */
  readonly gapMs: number;
  /** T + 8δ for HotStuff (NaN for PBFT: see lib/experiments/bft_pbft.ts). */
  readonly theoryGapMs: number;
  /**
   * Messages that buy the first decision after the failure. HotStuff, by view (V the crashed
   * leader's): basic NEW-VIEW(V − 1) and NEW-VIEW(V) and view V + 1; chained NEW-VIEW(V), views
   * V + 1 … V + 3 and V + 4's proposal. PBFT: every send between the two decisions.
   */
  readonly messages: number;
  /** 9n − 13 basic, 8n − 12 chained (the crashed replica neither votes nor is sent to less). */
  readonly theoryMessages: number;
  /** NEW-VIEW (HotStuff) or VIEW-CHANGE + NEW-VIEW (PBFT) messages in that gap. */
  readonly viewChangeMessages: number;
  /** HotStuff: 2n − 3 basic, n − 2 chained (NaN for PBFT). */
  readonly theoryViewChangeMessages: number;
  /** Signatures carried by the view-change messages (QCs as signature sets). */
  readonly viewChangeAuthenticators: number;
  /** The same with threshold signatures (HotStuff: one per QC; NaN for PBFT). */
  readonly viewChangeAuthenticatorsThreshold: number;
  /** Authenticators (HotStuff, §4.4 count) or signatures (PBFT) of those messages. */
  readonly authenticators: number;
}

/** Signatures ({signer, digest} objects) anywhere inside a message. */
export function signaturesIn(x: unknown, depth = 0): number {
  if (!x || typeof x !== "object" || depth > 12) return 0;
  if (Array.isArray(x)) return x.reduce((k, y) => k + signaturesIn(y, depth + 1), 0);
  const o = x as Record<string, unknown>;
  if (typeof o.signer === "string" && typeof o.digest === "string") return 1;
  let k = 0;
  for (const v of Object.values(o)) k += signaturesIn(v, depth + 1);
  return k;
}

/** The largest gap between consecutive first decisions of slots, and its ends. */
function largestGap(times: readonly { t: number; slot: number }[]): [number, number] {
  const ts = [...times].map((x) => x.t).sort((a, b) => a - b);
  let best: [number, number] = [NaN, NaN];
  for (let i = 1; i < ts.length; i++) {
    if (!(ts[i] - ts[i - 1] <= best[1] - best[0])) best = [ts[i - 1], ts[i]];
  }
  return best;
}

function sendsBetween(records: readonly TraceRecord[], from: number, to: number) {
  return records.filter((r) => r.type === "send" && r.t >= from && r.t <= to)
    .map((r) => (r as { msg: unknown }).msg);
}

/**
 * The cost of a crashed leader (basic: leader(3) crashes at 2δ; chained: leader(5) at δ), and
 * PBFT's view change after a crashed primary measured the same way (time between decisions,
 * messages and signatures sent).
 */
export function hotstuffViewChangeRows(input: unknown = {}): HotStuffViewChangeRow[] {
  const p = parseConfig(HotStuffViewChangeParamsSchema, input, "hotstuff view change parameters");
  const d = p.deltaMs, T = p.viewTimeoutMs;
  const rows: HotStuffViewChangeRow[] = [];
  for (const variant of p.variants) {
    for (const n of p.ns) {
      if (variant === "chained" && n < 5) continue;
      const victim = `n${VIEW[variant] % n}`;
      const run = (threshold: boolean) => {
        const c = hotstuffCluster({
          seed: p.seed,
          n,
          variant,
          network: { latency: { kind: "constant", ms: d } },
          hotstuff: { viewTimeoutMs: T, thresholdSignatures: threshold },
          nemesis: [{ atMs: variant === "basic" ? 2 * d : d, type: "crash", node: victim }],
          collectEvents: false,
        });
        c.sim.run({ untilMs: 4 * T + 40 * d });
        const [from, to] = largestGap(c.inv.decisionTimes());
        // the messages that buy the first decision after the failure, by view (V = the
        // crashed leader's view): basic NEW-VIEW(V − 1) to the crashed leader, NEW-VIEW(V), and
        // view V + 1; chained NEW-VIEW(V), views V + 1 … V + 3 and the proposal of V + 4
        const V = VIEW[variant];
        const msgs = (c.sim.trace.records.filter((r) => r.type === "send") as {
          msg: { type?: string; viewNumber?: number };
        }[]).map((r) => r.msg).filter((m) => {
          const v = m.viewNumber ?? NaN;
          if (m.type === "new-view") return variant === "basic" ? v === V - 1 || v === V : v === V;
          if (!CONSENSUS.has(m.type ?? "")) return false;
          return variant === "basic"
            ? v === V + 1
            : (v >= V + 1 && v <= V + 3) || (v === V + 4 && m.type === "generic");
        });
        const nv = msgs.filter((m) => m.type === "new-view");
        return {
          gap: to - from,
          messages: msgs.length,
          nv: nv.length,
          nvAuth: nv.reduce((k, m) => k + authenticators(m), 0),
          auth: msgs.reduce((k, m) => k + authenticators(m), 0),
        };
      };
      const multi = run(false), thr = run(true);
      rows.push({
        protocol: variant,
        n,
        gapMs: multi.gap,
        theoryGapMs: T + 8 * d,
        messages: multi.messages,
        theoryMessages: variant === "basic" ? 9 * n - 13 : 8 * n - 12,
        viewChangeMessages: multi.nv,
        theoryViewChangeMessages: variant === "basic" ? 2 * n - 3 : n - 2,
        viewChangeAuthenticators: multi.nvAuth,
        viewChangeAuthenticatorsThreshold: thr.nvAuth,
        authenticators: multi.auth,
      });
    }
  }
  {
    for (const n of p.pbftNs) {
      const faultAtMs = 20 * d;
      const c = pbftCluster({
        seed: p.seed,
        n,
        app: "counter",
        clients: 1,
        network: { latency: { kind: "constant", ms: d } },
        pbft: { viewChangeTimeoutMs: T, checkpointInterval: 1_000_000 },
        nemesis: [{ atMs: faultAtMs, type: "crash", node: "n0" }],
      });
      c.sim.run({ untilMs: faultAtMs + 40 * T });
      const [from, to] = largestGap(c.invariants.decisionTimes());
      const msgs = sendsBetween(c.sim.trace.records, from, to) as { type?: string }[];
      const vc = msgs.filter((m) => m.type === "VIEW-CHANGE" || m.type === "NEW-VIEW");
      rows.push({
        protocol: "pbft",
        n,
        gapMs: to - from,
        theoryGapMs: NaN,
        messages: msgs.length,
        theoryMessages: NaN,
        viewChangeMessages: vc.length,
        theoryViewChangeMessages: NaN,
        viewChangeAuthenticators: vc.reduce((k, m) => k + signaturesIn(m), 0),
        viewChangeAuthenticatorsThreshold: NaN,
        authenticators: msgs.reduce((k, m) => k + signaturesIn(m), 0),
      });
    }
  }
  return rows;
}

/**
 * The predictions the rows must bear out: exact message and authenticator counts and latencies
 * in δ with a stable leader, T + 8δ and linear NEW-VIEW counts across a crashed leader, and
 * HotStuff's view change carrying fewer authenticators than PBFT's from n = 7 on.
 */
export function hotstuffClaims(
  scale: readonly HotStuffScaleRow[],
  viewChange: readonly HotStuffViewChangeRow[] = [],
): Claim[] {
  const out: Claim[] = [];
  for (const r of scale) {
    const tag = `${r.variant} n=${r.n}`;
    out.push(claim(
      `${tag}: messages per decision = ${r.variant === "basic" ? "8(n − 1)" : "2(n − 1)"}`,
      r.messages === r.theoryMessages,
      `${r.messages} vs ${r.theoryMessages}`,
    ));
    out.push(claim(
      `${tag}: authenticators per decision, signature sets and threshold, as §4.4 counts`,
      r.authenticators === r.theoryAuthenticators &&
        r.authenticatorsThreshold === r.theoryAuthenticatorsThreshold,
      `${r.authenticators} vs ${r.theoryAuthenticators}; ${r.authenticatorsThreshold} vs ` +
        `${r.theoryAuthenticatorsThreshold}`,
    ));
    out.push(claim(
      `${tag}: decided 7δ after its proposal, decisions every ${r.theoryIntervalDelta}δ`,
      Math.abs(r.latencyDelta - r.theoryLatencyDelta) < 1e-9 &&
        Math.abs(r.intervalDelta - r.theoryIntervalDelta) < 1e-9,
      `${r.latencyDelta}δ, every ${r.intervalDelta}δ`,
    ));
  }
  for (const r of viewChange) {
    if (r.protocol === "pbft") continue;
    out.push(claim(
      `${r.protocol} n=${r.n}: a crashed leader costs T + 8δ, ${
        r.protocol === "basic" ? "2n − 3" : "n − 2"
      } NEW-VIEW messages and ${r.protocol === "basic" ? "9n − 13" : "8n − 12"} in all`,
      Math.abs(r.gapMs - r.theoryGapMs) < 1e-9 &&
        r.viewChangeMessages === r.theoryViewChangeMessages &&
        r.messages === r.theoryMessages,
      `${r.gapMs} ms vs ${r.theoryGapMs}; ${r.viewChangeMessages} vs ` +
        `${r.theoryViewChangeMessages}; ${r.messages} vs ${r.theoryMessages}`,
    ));
    const pbft = viewChange.find((x) => x.protocol === "pbft" && x.n === r.n);
    if (pbft && r.n >= 7) {
      out.push(claim(
        `${r.protocol} n=${r.n}: its view change carries fewer authenticators than PBFT's`,
        r.viewChangeAuthenticators < pbft.viewChangeAuthenticators,
        `${r.viewChangeAuthenticators} vs PBFT ${pbft.viewChangeAuthenticators}`,
      ));
    }
  }
  return out;
}
