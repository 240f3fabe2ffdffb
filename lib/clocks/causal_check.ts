/**
 * A checker for logical clocks: compares the timestamps a run's nodes computed against the
 * ground-truth happens-before relation of its trace, and answers with a verdict and witnesses
 * (the first violating event or pair in trace order), never just a boolean.
 *
 * Properties (each cited at its check):
 * - Lamport 1978, Clock Condition: a → b ⇒ L(a) < L(b).
 * - Fidge 1988 / Mattern 1989: V(a) < V(b) ⇔ a → b, and incomparable vectors ⇔ concurrency.
 * - Kulkarni et al. 2014: e → f ⇒ (l, c)(e) < (l, c)(f); l ≥ pt (Theorem 1); l.f = pt.g for
 *   some g ⪯ f (proof of Theorem 2), hence l − pt ≤ ε; c.f ≤ |{g : g → f ∧ l.g = l.f}|
 *   (Theorem 3). ε is taken at f's instant (the largest physical reading of any node then,
 *   minus f's node's), which is exact for monotone clocks: offsets and drifts, as in the demo;
 *   a backward clock jump would void it.
 * @module
 */
import type { CausalDemoRun, StampRow } from "./demo.ts";
import { vectorCompare } from "./vector.ts";
import type { CausalOrder } from "./vector.ts";

/** A property the checker verifies. */
export type CausalProperty =
  | "lamportClockCondition"
  | "vectorExact"
  | "hlcClockCondition"
  | "hlcAbovePhysical"
  | "hlcSkewBound"
  | "hlcOrigin"
  | "hlcCounterBound";

/** Every property, in the order they are reported. */
export const CAUSAL_PROPERTIES: readonly CausalProperty[] = [
  "lamportClockCondition",
  "vectorExact",
  "hlcClockCondition",
  "hlcAbovePhysical",
  "hlcSkewBound",
  "hlcOrigin",
  "hlcCounterBound",
];

/** A witness: the event (and for pair properties, the earlier event) that breaks a property. */
export interface CausalViolation {
  /** The property broken. */
  readonly property: CausalProperty;
  /** A one-line explanation with the seed, the events and the numbers. */
  readonly message: string;
  /** The later event of a pair, or the single event. */
  readonly event: StampRow;
  /** The earlier event of a pair property. */
  readonly earlier?: StampRow;
}

/** Figures of a checked run. */
export interface CausalStats {
  /** Stamp events checked. */
  readonly events: number;
  /** Pairs of distinct events compared. */
  readonly pairs: number;
  /** Pairs related by happens-before. */
  readonly orderedPairs: number;
  /** Concurrent pairs. */
  readonly concurrentPairs: number;
  /** Concurrent pairs with different Lamport times: an order Lamport shows that causality lacks. */
  readonly lamportOrderedConcurrentPairs: number;
  /** Largest HLC counter seen. */
  readonly maxC: number;
  /** Largest l − pt seen (ms). */
  readonly maxLMinusPtMs: number;
  /** The run's ε (largest physical clock difference between two nodes at any event). */
  readonly epsilonMs: number;
}

/** The checker's answer. */
export interface CausalVerdict {
  /** True when no property is violated. */
  readonly ok: boolean;
  /** The first violations in trace order, at most `maxWitnesses` per property. */
  readonly violations: readonly CausalViolation[];
  /** Properties violated at least once. */
  readonly violated: readonly CausalProperty[];
  /** Figures of the run. */
  readonly stats: CausalStats;
  /** What was checked: seed, nodes, clocks, so a failure can be replayed. */
  readonly description: string;
}

/** Options of {@link checkCausalRun}. */
export interface CausalCheckOptions {
  /** Witnesses kept per property. Default 1. */
  readonly maxWitnesses?: number;
  /** Only check these properties. Default all. */
  readonly properties?: readonly CausalProperty[];
}

const EPS = 1e-9;

/**
 * Check a demo run's Lamport, vector and HLC timestamps against the trace's ground truth.
 * @example
 * ```ts
 * const verdict = checkCausalRun(runCausalDemo({ seed: 1 }));
 * if (!verdict.ok) console.log(verdict.violations[0].message);
 * ```
 */
export function checkCausalRun(
  run: CausalDemoRun,
  options: CausalCheckOptions = {},
): CausalVerdict {
  const maxWitnesses = options.maxWitnesses ?? 1;
  const want = new Set(options.properties ?? CAUSAL_PROPERTIES);
  const { rows, events, history } = run;
  const description = `seed=${String(run.params.seed)} nodes=${run.params.nodes} clocks=${
    JSON.stringify(run.clocks)
  } latency=${JSON.stringify(run.params.latency)} node=${JSON.stringify(run.params.node)}`;
  const found = new Map<CausalProperty, CausalViolation[]>();
  const counts = new Map<CausalProperty, number>();
  const report = (property: CausalProperty, event: StampRow, msg: string, earlier?: StampRow) => {
    counts.set(property, (counts.get(property) ?? 0) + 1);
    const list = found.get(property) ?? [];
    if (list.length < maxWitnesses) {
      list.push({ property, message: `${property}: ${msg} (${description})`, event, earlier });
      found.set(property, list);
    }
  };
  const name = (r: StampRow) => `${r.kind}@${r.node}#${r.index} (t=${round(r.t)})`;
  let pairs = 0, ordered = 0, concurrent = 0, lamportConc = 0, maxC = 0, maxLPt = 0;
  for (let j = 0; j < rows.length; j++) {
    const f = rows[j], ef = events[j];
    maxC = Math.max(maxC, f.hlcC);
    maxLPt = Math.max(maxLPt, f.hlcL - f.ptMs);
    // HLC Theorem 1: l.f ≥ pt.f
    if (want.has("hlcAbovePhysical") && !(f.hlcL >= f.ptMs)) {
      report("hlcAbovePhysical", f, `${name(f)} has l=${f.hlcL} < pt=${f.ptMs}`);
    }
    // HLC Theorem 2 (with the exact skew at f's instant as ε): l.f − pt.f ≤ ε
    if (want.has("hlcSkewBound") && f.hlcL - f.ptMs > f.skewBoundMs + EPS) {
      report(
        "hlcSkewBound",
        f,
        `${name(f)} has l − pt = ${round(f.hlcL - f.ptMs)} ms > clock skew ${
          round(f.skewBoundMs)
        } ms`,
      );
    }
    let sameL = 0;
    let origin = f.ptMs === f.hlcL;
    for (let i = 0; i < j; i++) {
      const e = rows[i];
      pairs++;
      // trace order extends happens-before, so a later record never happened before an earlier one
      const truth: CausalOrder = history.happensBefore(events[i], ef) ? "before" : "concurrent";
      if (truth === "before") {
        ordered++;
        if (e.hlcL === f.hlcL) sameL++;
        if (e.ptMs === f.hlcL) origin = true;
        // Lamport 1978, Clock Condition: a → b ⇒ C(a) < C(b)
        if (want.has("lamportClockCondition") && !(e.lamport < f.lamport)) {
          report(
            "lamportClockCondition",
            f,
            `${name(e)} → ${name(f)} but L=${e.lamport} ≥ L=${f.lamport}`,
            e,
          );
        }
        // Kulkarni et al. 2014: e hb f ⇒ (l.e, c.e) < (l.f, c.f)
        if (
          want.has("hlcClockCondition") &&
          !(e.hlcL < f.hlcL || (e.hlcL === f.hlcL && e.hlcC < f.hlcC))
        ) {
          report(
            "hlcClockCondition",
            f,
            `${name(e)} → ${name(f)} but (l, c) = (${e.hlcL}, ${e.hlcC}) ≥ (${f.hlcL}, ${f.hlcC})`,
            e,
          );
        }
      } else {
        concurrent++;
        if (e.lamport !== f.lamport) lamportConc++;
      }
      // Mattern 1989: V(e) < V(f) ⇔ e → f; incomparable ⇔ concurrent
      if (want.has("vectorExact")) {
        const got = vectorCompare(e.vector, f.vector);
        if (got !== truth) {
          report(
            "vectorExact",
            f,
            `${name(e)} vs ${name(f)}: truth "${truth}" but vectors say "${got}" (${
              JSON.stringify(e.vector)
            } vs ${JSON.stringify(f.vector)})`,
            e,
          );
        }
      }
    }
    // Proof of Theorem 2: l.f is the physical time of some event g ⪯ f
    if (want.has("hlcOrigin") && !origin) {
      report("hlcOrigin", f, `${name(f)} has l=${f.hlcL}, the pt of no event in its causal past`);
    }
    // Theorem 3: c.f ≤ |{g : g hb f ∧ l.g = l.f}|
    if (want.has("hlcCounterBound") && f.hlcC > sameL) {
      report(
        "hlcCounterBound",
        f,
        `${name(f)} has c=${f.hlcC} but only ${sameL} earlier events in its past share l=${f.hlcL}`,
      );
    }
  }
  const violated = CAUSAL_PROPERTIES.filter((p) => counts.has(p));
  return {
    ok: violated.length === 0,
    violations: violated.flatMap((p) => found.get(p)!),
    violated,
    stats: {
      events: rows.length,
      pairs,
      orderedPairs: ordered,
      concurrentPairs: concurrent,
      lamportOrderedConcurrentPairs: lamportConc,
      maxC,
      maxLMinusPtMs: maxLPt,
      epsilonMs: run.epsilonMs,
    },
    description,
  };
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
