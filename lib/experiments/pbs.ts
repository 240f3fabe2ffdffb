/**
 * Probabilistically Bounded Staleness (Bailis, Venkataraman, Franklin, Hellerstein, Stoica, VLDB
 * 2012) reproduced on the simulator's own Dynamo-style store (`lib/protocols/dynamo`), not on a
 * separate Monte Carlo:
 *
 * - k-staleness (§3): with N replicas, writes acknowledged by W and reads answered by R, a read
 *   right after a write misses it with probability C(N−W, R) / C(N, R) when the replicas that hold
 *   the write form a uniformly random W-subset; a read fails to return one of the last k versions
 *   only if it misses each of them, with probability p_sk = (C(N−W, R) / C(N, R))^k (so it is
 *   within k versions with probability 1 − p_sk). The closed form assumes a write
 *   never reaches more than its W replicas; in Dynamo the other N − W copies keep arriving, so the
 *   closed form bounds the measured staleness from above (exact for k = 1 when reads happen at
 *   the commit instant).
 * - t-visibility (§4–5, the WARS model): the probability that a read started t ms after a write
 *   committed returns it, for exponential latencies of the four message legs W (write to replica),
 *   A (ack), R (read request), S (response); the default means (write leg 0.25 or 10 ms, the others
 *   1 ms) are this module's choice, not values read off a figure of the paper. The prediction is the WARS model itself, sampled with
 *   d3-random; the measurement is the store.
 * @module
 */
import { z } from "zod";
import { randomExponential, randomLcg } from "d3-random";
import { createDynamoCluster, type DynamoOp } from "../protocols/dynamo/mod.ts";
import { parseConfig } from "../sim/errors.ts";
import { type Claim, claim, notApplicable } from "./claims.ts";

/** PBS parameters (zod). */
export const PbsParamsSchema = z.object({
  /** Root seed. */
  seed: z.number().int().default(1),
  /** Trials per (configuration, k) and per (write latency, t). */
  trials: z.number().int().min(100).max(20_000).default(1_000),
  /** Mean write-leg latency (ms) of the k-staleness runs (A, R, S are 0 there). */
  kWriteMeanMs: z.number().positive().max(100).default(10),
  /** The largest k. */
  maxK: z.number().int().min(1).max(5).default(3),
  /** Mean write-leg latencies (ms) of the t-visibility runs (a fast and a slow write leg). */
  writeMeansMs: z.array(z.number().positive().max(100)).min(1).max(4).default([0.25, 10]),
  /** Mean latency of the A, R and S legs (ms). */
  otherMeanMs: z.number().positive().max(100).default(1),
  /** Read delays after commit (ms). */
  tMs: z.array(z.number().min(0).max(1_000)).min(2).max(12).default([0, 1, 2, 5, 10, 20, 40]),
}).strict();

/** PBS parameters as written. */
export type PbsParamsInput = z.input<typeof PbsParamsSchema>;
/** PBS parameters with defaults. */
export type PbsParams = z.output<typeof PbsParamsSchema>;

/** Parse PBS parameters (a ConfigError names any bad field). */
export function parsePbsParams(input: unknown): PbsParams {
  return parseConfig(PbsParamsSchema, input, "PBS parameters");
}

/** Binomial coefficient C(n, k) (0 when k > n). */
export function binomial(n: number, k: number): number {
  if (k < 0 || k > n) return 0;
  let r = 1;
  for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
  return r;
}

/** PBS's closed form: the probability that a read is NOT within k versions, (C(N−W,R)/C(N,R))^k. */
export function pbsStaleProbability(n: number, r: number, w: number, k: number): number {
  return (binomial(n - w, r) / binomial(n, r)) ** k;
}

/** One quorum setting of the k-staleness experiment. */
export interface KStalenessRow {
  readonly n: number;
  readonly r: number;
  readonly w: number;
  readonly k: number;
  readonly trials: number;
  /** Reads that returned none of the last k versions. */
  readonly stale: number;
  /** Measured and closed-form probabilities of such a read. */
  readonly measured: number;
  readonly predicted: number;
}

const exp = (meanMs: number) => ({ kind: "exponential" as const, meanMs });
const zero = { kind: "constant" as const, ms: 0 };

function pbsCluster(seed: number, n: number, r: number, w: number, wars: Record<string, unknown>) {
  return createDynamoCluster({
    seed,
    nodes: n,
    config: {
      n,
      r,
      w,
      quorum: "strict",
      conflict: "lww",
      probeIntervalMs: 0,
      readRepair: false,
      requestTimeoutMs: 10_000,
    },
    network: { latency: zero },
    latencyByType: wars as never,
    trace: { mode: "off" },
  });
}

function settleAll(c: ReturnType<typeof createDynamoCluster>, ops: DynamoOp[]): void {
  c.settle(ops, 100_000);
}

/**
 * k-staleness: for each (R, W) with R + W ≤ N and each k ≤ maxK, `trials` fresh keys each get k
 * writes in a row, then a read at the instant the last write commits (A, R, S legs take 0 ms, so
 * the read sees exactly the replicas the writes had reached). The quorum settings include
 * R + W > N as a control: no read may be stale.
 */
export function kStaleness(p: PbsParams, n = 3): KStalenessRow[] {
  const rows: KStalenessRow[] = [];
  const settings: [number, number][] = [];
  for (let r = 1; r <= n; r++) {
    for (let w = 1; w <= n; w++) if (r + w <= n + 1) settings.push([r, w]);
  }
  for (const [r, w] of settings) {
    for (let k = 1; k <= p.maxK; k++) {
      const c = pbsCluster(p.seed * 1000 + r * 100 + w * 10 + k, n, r, w, {
        put: exp(p.kWriteMeanMs),
        "put-ack": zero,
        get: zero,
        "get-reply": zero,
      });
      const writer = c.client({ name: "writer" }), reader = c.client({ name: "reader" });
      let stale = 0;
      for (let i = 0; i < p.trials; i++) {
        const key = `t${i}`;
        const versions: string[] = [];
        for (let j = 0; j < k; j++) {
          const v = `v${i}.${j}`;
          versions.push(v);
          settleAll(c, [writer.put(key, v, { context: "none" })]);
        }
        const g = reader.get(key);
        settleAll(c, [g]);
        const got = g.result?.values ?? [];
        if (!got.some((x) => versions.includes(x as string))) stale++;
      }
      rows.push({
        n,
        r,
        w,
        k,
        trials: p.trials,
        stale,
        measured: stale / p.trials,
        predicted: r + w > n ? 0 : pbsStaleProbability(n, r, w, k),
      });
    }
  }
  return rows;
}

/** 3σ of a binomial proportion, at least 1/trials. */
export function threeSigma(prob: number, trials: number): number {
  return Math.max(3 * Math.sqrt((prob * (1 - prob)) / trials), 1 / trials);
}

/** What theory predicts for the k-staleness runs. */
export function checkKStaleness(rows: readonly KStalenessRow[]): Claim[] {
  const partial = rows.filter((x) => x.r + x.w <= x.n);
  const strict = rows.filter((x) => x.r + x.w > x.n);
  const k1 = partial.filter((x) => x.k === 1);
  const kn = partial.filter((x) => x.k > 1);
  const f3 = (x: number) => x.toFixed(3);
  const off = (x: KStalenessRow) =>
    Math.abs(x.measured - x.predicted) - threeSigma(x.predicted, x.trials);
  return [
    claim(
      "k = 1: the fraction of reads that miss the write matches C(N−W,R)/C(N,R) (within 3σ)",
      k1.length > 0 && k1.every((x) => off(x) <= 0),
      k1.map((x) => `R=${x.r} W=${x.w}: ${f3(x.measured)} vs ${f3(x.predicted)}`).join("; "),
    ),
    claim(
      "k > 1: reads outside the last k versions are no more frequent than (C(N−W,R)/C(N,R))^k " +
        "(+3σ): the closed form ignores the copies that keep arriving after the commit",
      kn.every((x) => x.measured <= x.predicted + threeSigma(x.predicted, x.trials)),
      kn.map((x) => `R=${x.r} W=${x.w} k=${x.k}: ${f3(x.measured)} ≤ ${f3(x.predicted)}`).join(
        "; ",
      ) ||
        "no k > 1",
    ),
    claim(
      "R + W > N: no stale read at all",
      strict.length > 0 && strict.every((x) => x.stale === 0),
      strict.map((x) => `R=${x.r} W=${x.w} k=${x.k}: ${x.stale} of ${x.trials}`).join("; "),
    ),
  ];
}

/** One point of the t-visibility curve. */
export interface TVisibilityRow {
  readonly writeMeanMs: number;
  readonly tMs: number;
  readonly trials: number;
  /** Measured on the store, and predicted by the WARS model. */
  readonly measured: number;
  readonly wars: number;
}

/**
 * The WARS model (Bailis et al. 2012, §4.2) sampled directly: commit when the W-th fastest
 * write + ack arrives; the read starts t ms later and is answered by the R replicas whose read +
 * response are fastest; it is consistent if one of them had received the write when the read
 * request reached it.
 */
export function warsProbability(
  n: number,
  r: number,
  w: number,
  writeMeanMs: number,
  otherMeanMs: number,
  tMs: number,
  trials: number,
  seed: number,
): number {
  const src = randomLcg(((seed * 2654435761) >>> 0) / 2 ** 32);
  const W = randomExponential.source(src)(1 / writeMeanMs);
  const O = randomExponential.source(src)(1 / otherMeanMs);
  let ok = 0;
  for (let i = 0; i < trials; i++) {
    const wr = Array.from({ length: n }, () => W());
    const commit = wr.map((x) => x + O()).sort((a, b) => a - b)[w - 1];
    const reads = Array.from({ length: n }, (_, j) => {
      const rq = O();
      return { j, rq, done: rq + O() };
    }).sort((a, b) => a.done - b.done).slice(0, r);
    if (reads.some((x) => wr[x.j] <= commit + tMs + x.rq)) ok++;
  }
  return ok / trials;
}

/**
 * t-visibility on the store: N = 3, R = W = 1, exponential latencies (write leg mean from
 * `writeMeansMs`, the others `otherMeanMs`); for each t, `trials` fresh keys are written and read
 * t ms after the writer got its acknowledgement (the client talks to its coordinator in 0 ms).
 */
export function tVisibility(p: PbsParams, n = 3, r = 1, w = 1): TVisibilityRow[] {
  const rows: TVisibilityRow[] = [];
  p.writeMeansMs.forEach((wm, wi) => {
    p.tMs.forEach((t, ti) => {
      const c = pbsCluster(p.seed * 7919 + wi * 101 + ti, n, r, w, {
        put: exp(wm),
        "put-ack": exp(p.otherMeanMs),
        get: exp(p.otherMeanMs),
        "get-reply": exp(p.otherMeanMs),
      });
      const writer = c.client({ name: "writer" }), reader = c.client({ name: "reader" });
      let fresh = 0;
      for (let i = 0; i < p.trials; i++) {
        const key = `t${i}`;
        const put = writer.put(key, `v${i}`, { context: "none" });
        settleAll(c, [put]);
        c.run(c.sim.nowMs + t);
        const g = reader.get(key);
        settleAll(c, [g]);
        if ((g.result?.values ?? []).includes(`v${i}`)) fresh++;
        c.run(c.sim.nowMs + 20 * Math.max(wm, p.otherMeanMs)); // let the trial's messages drain
      }
      rows.push({
        writeMeanMs: wm,
        tMs: t,
        trials: p.trials,
        measured: fresh / p.trials,
        wars: warsProbability(n, r, w, wm, p.otherMeanMs, t, 20_000, p.seed + wi * 31 + ti),
      });
    });
  });
  return rows;
}

/** What theory predicts for t-visibility. */
export function checkTVisibility(rows: readonly TVisibilityRow[]): Claim[] {
  const bad = rows.filter((x) =>
    Math.abs(x.measured - x.wars) > threeSigma(x.wars, x.trials) + 3 * Math.sqrt(0.25 / 20_000)
  );
  const means = [...new Set(rows.map((x) => x.writeMeanMs))].sort((a, b) => a - b);
  const at0 = means.map((m) => rows.find((x) => x.writeMeanMs === m && x.tMs === 0));
  const monotone = means.every((m) => {
    const xs = rows.filter((x) => x.writeMeanMs === m).sort((a, b) => a.tMs - b.tMs);
    return xs.every((x, i) =>
      i === 0 || x.measured >= xs[i - 1].measured - threeSigma(x.wars, x.trials)
    );
  });
  return [
    claim(
      "the store's P(consistent read t ms after commit) matches the WARS model at every t (within 3σ)",
      bad.length === 0,
      bad.length
        ? bad.map((x) =>
          `W mean ${x.writeMeanMs} ms, t=${x.tMs}: ${x.measured.toFixed(3)} vs ${x.wars.toFixed(3)}`
        )
          .join("; ")
        : `${rows.length} points, largest gap ${
          Math.max(...rows.map((x) => Math.abs(x.measured - x.wars))).toFixed(3)
        }`,
    ),
    claim(
      "the probability grows with t (up to sampling noise)",
      monotone,
      means.map((m) => {
        const xs = rows.filter((x) => x.writeMeanMs === m).sort((a, b) => a.tMs - b.tMs);
        return `W ${m} ms: ${xs.map((x) => x.measured.toFixed(2)).join(" → ")}`;
      }).join("; "),
    ),
    means.length > 1 && at0.every((x) => x)
      ? claim(
        "faster write propagation gives fresher reads right after commit (t = 0)",
        at0.every((x, i) => i === 0 || x!.measured < at0[i - 1]!.measured),
        at0.map((x) => `W ${x!.writeMeanMs} ms: ${x!.measured.toFixed(3)}`).join(", "),
      )
      : notApplicable(
        "faster write propagation gives fresher reads right after commit",
        "one write latency only",
      ),
  ];
}
