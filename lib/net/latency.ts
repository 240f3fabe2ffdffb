/**
 * Latency distributions for links, as zod-validated specs and seeded samplers (d3-random over the
 * link's own stream). Every sample is clamped to be >= 0.
 * @module
 */
import { z } from "zod";
import {
  randomExponential,
  randomLogNormal,
  randomNormal,
  randomPareto,
  randomUniform,
} from "d3-random";
import type { Rng } from "../sim/rng.ts";

/** A latency distribution in ms. */
export const LatencySchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("constant"), ms: z.number().min(0) }).strict(),
  z.object({ kind: z.literal("uniform"), minMs: z.number().min(0), maxMs: z.number().min(0) })
    .strict().refine((d) => d.maxMs >= d.minMs, {
      message: "maxMs must be >= minMs",
      path: ["maxMs"],
    }),
  z.object({
    kind: z.literal("normal"),
    meanMs: z.number().min(0),
    stdMs: z.number().min(0),
    /** Samples below are clamped up (default 0). */
    minMs: z.number().min(0).optional(),
  }).strict(),
  z.object({
    kind: z.literal("exponential"),
    meanMs: z.number().positive(),
    /** Added to every sample (the propagation floor). Default 0. */
    minMs: z.number().min(0).optional(),
  }).strict(),
  z.object({
    kind: z.literal("lognormal"),
    /** Mean of the underlying normal (of ln ms). */
    mu: z.number(),
    /** Standard deviation of the underlying normal. */
    sigma: z.number().min(0),
    minMs: z.number().min(0).optional(),
  }).strict(),
  z.object({
    kind: z.literal("pareto"),
    /** The minimum (scale) in ms. */
    scaleMs: z.number().positive(),
    /** Shape α; the mean is finite only for α > 1. */
    alpha: z.number().positive(),
  }).strict(),
  z.object({
    kind: z.literal("empirical"),
    /** Observed latencies; sampling draws one uniformly. */
    samplesMs: z.array(z.number().min(0)).min(1),
  }).strict(),
]);

/** A latency distribution spec. */
export type Latency = z.infer<typeof LatencySchema>;

/** Draws one latency in ms. */
export type LatencySampler = () => number;

/** A sampler for `spec` drawing from `rng`. */
export function latencySampler(spec: Latency, rng: Rng): LatencySampler {
  const src = rng.next;
  switch (spec.kind) {
    case "constant": {
      const ms = spec.ms;
      return () => ms;
    }
    case "uniform": {
      const f = randomUniform.source(src)(spec.minMs, spec.maxMs);
      return f;
    }
    case "normal": {
      const f = randomNormal.source(src)(spec.meanMs, spec.stdMs);
      const lo = spec.minMs ?? 0;
      return () => Math.max(lo, f());
    }
    case "exponential": {
      const f = randomExponential.source(src)(1 / spec.meanMs);
      const lo = spec.minMs ?? 0;
      return () => lo + f();
    }
    case "lognormal": {
      const f = randomLogNormal.source(src)(spec.mu, spec.sigma);
      const lo = spec.minMs ?? 0;
      return () => lo + f();
    }
    case "pareto": {
      // d3's randomPareto(alpha) has minimum 1
      const f = randomPareto.source(src)(spec.alpha);
      const scale = spec.scaleMs;
      return () => scale * f();
    }
    case "empirical": {
      const xs = spec.samplesMs.slice();
      return () => xs[Math.floor(src() * xs.length)];
    }
  }
}

/** Theoretical mean and variance of a distribution (Infinity where undefined), for tests and docs. */
export function latencyMoments(spec: Latency): { mean: number; variance: number } {
  switch (spec.kind) {
    case "constant":
      return { mean: spec.ms, variance: 0 };
    case "uniform":
      return { mean: (spec.minMs + spec.maxMs) / 2, variance: (spec.maxMs - spec.minMs) ** 2 / 12 };
    case "normal":
      return { mean: spec.meanMs, variance: spec.stdMs ** 2 };
    case "exponential":
      return { mean: (spec.minMs ?? 0) + spec.meanMs, variance: spec.meanMs ** 2 };
    case "lognormal": {
      const s2 = spec.sigma ** 2;
      return {
        mean: (spec.minMs ?? 0) + Math.exp(spec.mu + s2 / 2),
        variance: (Math.exp(s2) - 1) * Math.exp(2 * spec.mu + s2),
      };
    }
    case "pareto": {
      const a = spec.alpha, x = spec.scaleMs;
      return {
        mean: a > 1 ? a * x / (a - 1) : Infinity,
        variance: a > 2 ? x * x * a / ((a - 1) ** 2 * (a - 2)) : Infinity,
      };
    }
    case "empirical": {
      const xs = spec.samplesMs;
      const m = xs.reduce((a, b) => a + b, 0) / xs.length;
      return { mean: m, variance: xs.reduce((a, b) => a + (b - m) ** 2, 0) / xs.length };
    }
  }
}
