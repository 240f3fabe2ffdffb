/**
 * Clocks: logical clocks (Lamport 1978; vector clocks, Fidge 1988 / Mattern 1989; hybrid
 * logical clocks, Kulkarni et al. 2014), ground-truth happens-before from a trace, an
 * instrumented demo protocol with its checker, and physical clock synchronization (Cristian
 * 1989, Berkeley / Gusella & Zatti 1989, NTP / RFC 5905) with a scoring harness.
 *
 * Physical clocks are adjusted through a software {@link ClockDiscipline} over the node's raw
 * clock (the simulator gives nodes no way to set their clock); error is corrected − true time,
 * with true time read from the simulation by the harness, never by a node.
 *
 * @example Logical clocks inside a protocol node
 * ```ts
 * import { HybridLogicalClock, LamportClock, VectorClock } from "@lab/clocks/mod.ts";
 * const lamport = new LamportClock();
 * const vector = new VectorClock(ctx.self);
 * const hlc = new HybridLogicalClock(() => ctx.nowMs());
 * ctx.send(peer, { type: "note", lamport: lamport.send(), vector: vector.send(), hlc: hlc.send() });
 * ```
 *
 * @example Check every clock against the trace's ground truth
 * ```ts
 * import { checkCausalRun, runCausalDemo } from "@lab/clocks/mod.ts";
 * const verdict = checkCausalRun(runCausalDemo({ seed: 7, nodes: 5, maxDriftPpm: 500 }));
 * verdict.ok; // true; verdict.stats.concurrentPairs: how much Lamport clocks over-order
 * ```
 *
 * @example Score a synchronization algorithm against the built-ins
 * ```ts
 * import { builtInSyncAlgorithms, scoreSync, summarizeSyncScores } from "@lab/clocks/mod.ts";
 * const rows = scoreSync([...builtInSyncAlgorithms(), { name: "mine", factory: myFactory }]);
 * summarizeSyncScores(rows);
 * ```
 * @module
 */

// ---- logical clocks ------------------------------------------------------------------------

/** A Lamport clock: tick, send stamp, receive merge (Lamport 1978, IR1 and IR2). */
export { LamportClock } from "./lamport.ts";
/** Lamport's total order "⇒": by time, ties broken by node id. */
export { compareLamport } from "./lamport.ts";
/** A Lamport time paired with its node. */
export type { LamportStamp } from "./lamport.ts";

/** A vector clock owned by one node (Fidge 1988 / Mattern 1989). */
export { VectorClock } from "./vector.ts";
/** Compare vector timestamps: "before" | "after" | "equal" | "concurrent". */
export { vectorCompare } from "./vector.ts";
/** Pointwise maximum of two vector timestamps. */
export { vectorMerge } from "./vector.ts";
/** A copy of a vector timestamp with one node's entry incremented. */
export { vectorIncrement } from "./vector.ts";
/** Whether one vector timestamp is pointwise ≤ another. */
export { vectorLeq } from "./vector.ts";
/** A node's entry of a vector timestamp (0 when absent). */
export { vectorGet } from "./vector.ts";
/** The all-zero vector timestamp. */
export { EMPTY_VECTOR } from "./vector.ts";
/** An immutable vector timestamp `{ [node]: count }`. */
export type { VectorTimestamp } from "./vector.ts";
/** How two events relate under happens-before. */
export type { CausalOrder } from "./vector.ts";

/** A hybrid logical clock reading physical time from a function (Kulkarni et al. 2014). */
export { HybridLogicalClock } from "./hlc.ts";
/** HLC Figure 5, send or local event, as a pure function. */
export { hlcSendOrLocal } from "./hlc.ts";
/** HLC Figure 5, receive event, as a pure function. */
export { hlcReceive } from "./hlc.ts";
/** Lexicographic (l, c) order of HLC timestamps. */
export { compareHlc } from "./hlc.ts";
/** The HLC initial timestamp (0, 0). */
export { HLC_ZERO } from "./hlc.ts";
/** An HLC timestamp (l, c). */
export type { HlcTimestamp } from "./hlc.ts";

// ---- ground truth, demo protocol, checker --------------------------------------------------

/** True happens-before of a run, computed from its trace alone. */
export { causalHistory } from "./happens_before.ts";
/** The happens-before relation of a run with exact vector timestamps per event. */
export { CausalHistory } from "./happens_before.ts";
/** An event of a causal history, its options and kinds. */
export type { CausalEvent, CausalEventKind, CausalHistoryOptions } from "./happens_before.ts";

/** Demo node exchanging random messages stamped with Lamport, vector and HLC timestamps. */
export { CausalDemoNode } from "./demo.ts";
/** Run the demo protocol and pair each emitted event with its ground truth. */
export { runCausalDemo } from "./demo.ts";
/** Demo node parameters (zod). */
export { CausalDemoConfigSchema } from "./demo.ts";
/** Demo run parameters (zod). */
export { CausalDemoParamsSchema } from "./demo.ts";
/** Types of the demo: messages, events, parameters, rows and runs. */
export type {
  CausalDemoConfig,
  CausalDemoConfigInput,
  CausalDemoMessage,
  CausalDemoParams,
  CausalDemoParamsInput,
  CausalDemoRun,
  StampEvent,
  StampRow,
} from "./demo.ts";

/** Check a demo run's clocks against ground truth; a verdict with witnesses. */
export { checkCausalRun } from "./causal_check.ts";
/** Every property the causal checker verifies. */
export { CAUSAL_PROPERTIES } from "./causal_check.ts";
/** Types of the causal checker's verdict. */
export type {
  CausalCheckOptions,
  CausalProperty,
  CausalStats,
  CausalVerdict,
  CausalViolation,
} from "./causal_check.ts";

// ---- physical clock synchronization --------------------------------------------------------

/** A software correction (offset and frequency) over a node's raw clock. */
export { ClockDiscipline } from "./discipline.ts";
/** The node interface of sync algorithms, its factory and the discipline's snapshot. */
export type { DisciplineState, SyncNode, SyncNodeFactory } from "./discipline.ts";

/** A node running Cristian's algorithm (Cristian 1989). */
export { CristianNode } from "./cristian.ts";
/** A factory for Cristian's algorithm. */
export { cristianFactory } from "./cristian.ts";
/** The deliberately naive algorithm: take the server's time, ignore the delay. */
export { naiveFactory } from "./cristian.ts";
/** Cristian parameters (zod). */
export { CristianConfigSchema } from "./cristian.ts";
/** Cristian messages and parameter types. */
export type { CristianConfig, CristianConfigInput, CristianMessage } from "./cristian.ts";

/** A node running the Berkeley algorithm (Gusella & Zatti 1989). */
export { BerkeleyNode } from "./berkeley.ts";
/** A factory for the Berkeley algorithm. */
export { berkeleyFactory } from "./berkeley.ts";
/** Gusella & Zatti's fault-tolerant average. */
export { faultTolerantAverage } from "./berkeley.ts";
/** Berkeley parameters (zod). */
export { BerkeleyConfigSchema } from "./berkeley.ts";
/** Berkeley messages, parameters and averaging result types. */
export type {
  BerkeleyConfig,
  BerkeleyConfigInput,
  BerkeleyMessage,
  FaultTolerantAverage,
} from "./berkeley.ts";

/** A node running the NTP-style protocol (RFC 5905 on-wire and clock filter). */
export { NtpNode } from "./ntp.ts";
/** A factory for the NTP-style protocol. */
export { ntpFactory } from "./ntp.ts";
/** RFC 5905 offset θ and delay δ from t1..t4. */
export { ntpOffsetDelay } from "./ntp.ts";
/** NTP parameters (zod). */
export { NtpConfigSchema } from "./ntp.ts";
/** NTP messages, samples and parameter types. */
export type { NtpConfig, NtpConfigInput, NtpMessage, NtpSample } from "./ntp.ts";

/** A node that never synchronizes (the baseline). */
export { FreeRunningNode } from "./free_running.ts";
/** A factory for the free-running baseline. */
export { freeRunningFactory } from "./free_running.ts";

/** Read every node's true, raw and corrected clocks now. */
export { readClocks } from "./sampling.ts";
/** Drive a simulation and read every node's clocks at intervals. */
export { sampleClocks } from "./sampling.ts";
/** A clock reading row and the sampler's options. */
export type { ClockSampleRow, SampleClocksOptions } from "./sampling.ts";

// ---- scoring harness -----------------------------------------------------------------------

/** Score sync algorithms on every variant and seed of a scenario. */
export { scoreSync } from "./harness.ts";
/** Run and score one algorithm on one variant and seed. */
export { runSyncScenario } from "./harness.ts";
/** Score a run's clock readings. */
export { scoreSamples } from "./harness.ts";
/** Aggregate score rows over seeds. */
export { summarizeSyncScores } from "./harness.ts";
/** The built-in algorithms with a common poll interval. */
export { builtInSyncAlgorithms } from "./harness.ts";
/** Parse and cross-check scenario parameters. */
export { parseSyncScenario } from "./harness.ts";
/** The clocks every algorithm faces for a seed. */
export { scenarioClocks } from "./harness.ts";
/** Scenario parameters (zod). */
export { SyncScenarioSchema } from "./harness.ts";
/** Every scenario variant. */
export { SYNC_VARIANTS } from "./harness.ts";
/** The three classic variants (a scenario's default). */
export { CLASSIC_SYNC_VARIANTS } from "./harness.ts";
/** Smallest and largest one-way delay of a latency spec. */
export { latencyRangeMs } from "./harness.ts";
/** The spikes variant's latency distribution. */
export { spikeLatency } from "./harness.ts";
/** The share of messages the spikes variant delays. */
export { spikeShare } from "./harness.ts";
/** The drift bound of a variant. */
export { scenarioMaxDriftPpm } from "./harness.ts";
/** Harness types: algorithms, scenarios, variants, runs and rows. */
export type {
  SyncAlgorithm,
  SyncRun,
  SyncScenario,
  SyncScenarioInput,
  SyncScoreRow,
  SyncSummaryRow,
  SyncVariant,
} from "./harness.ts";
