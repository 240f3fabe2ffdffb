/**
 * Experiments of notebook 09 (exercise: Raft): a traced step-through of an election and of log
 * replication, a reproduction of Figure 16 of the Raft paper (time to elect a new leader after a
 * crash, for several election timeout ranges) with a sensitivity experiment, the test battery on
 * the reference Raft and on its classic mistakes, the shrinking of a failing fault schedule, and
 * the battery on the learner's own implementation. Each function returns plain rows; each
 * `check…` function returns the claims the notebook asserts and the tests run.
 * @module
 */
import type { BatteryRow } from "../protocols/raft/battery.ts";
import { formatFault } from "../net/shrink.ts";
import type { Claim } from "./claims.ts";
import { MarkdownText } from "./clock_display.ts";
import {
  checkFigure16,
  checkSensitivity,
  type Figure16Result,
  type SensitivityResult,
} from "./raft_figure16.ts";
import type { RaftExerciseParams } from "./raft_params.ts";
import { type BatteryCell, detectionPower, passedLine, type ShrinkDemo } from "./raft_mistakes.ts";
import type { RaftStepThrough } from "./raft_walkthrough.ts";

export * from "./raft_params.ts";
export * from "./raft_figure16.ts";
export * from "./raft_walkthrough.ts";
export * from "./raft_mistakes.ts";

/** Everything the status paragraph summarizes. */
export interface ExerciseResults {
  readonly params: RaftExerciseParams;
  readonly stepThrough: RaftStepThrough;
  readonly figure16: Figure16Result;
  readonly sensitivity: SensitivityResult;
  readonly battery: readonly BatteryCell[];
  readonly shrink: ShrinkDemo;
  readonly learner: readonly BatteryRow[];
  /** Every claim the notebook checked. */
  readonly claims: readonly Claim[];
}

/** The status, computed from the run: what holds, with its numbers. */
export function statusSummary(r: ExerciseResults): MarkdownText {
  const held = r.claims.filter((c) => c.holds).length;
  const fig16Claims = checkFigure16(r.figure16, r.params);
  const fig16Held = fig16Claims.filter((c) => c.holds).length;
  const sensClaims = checkSensitivity(r.sensitivity);
  const sensHeld = sensClaims.filter((c) => c.holds).length;
  const f = r.figure16.summary;
  const fixed = f.find((x) => x.minMs === x.maxMs);
  const widest = f.reduce((a, x) => (x.maxMs > a.maxMs ? x : a), f[0]);
  const ref = r.battery.filter((c) => c.mistake === null && c.skipped === null);
  const power = detectionPower(r.battery);
  const caught = power.filter((d) => d.caughtSeeds > 0);
  const lr = r.learner.filter((x) => x.skipped === null);
  const lpass = lr.filter((x) => x.failed === 0).length;
  const ms = (x: number) => Number.isFinite(x) ? `${x.toFixed(0)} ms` : "∞";
  const lines = [
    `**${held} of ${r.claims.length} checked predictions hold.**`,
    "",
    `- **Step-through**: ${r.stepThrough.first.leader} won term ${r.stepThrough.first.term} ` +
    `${(r.stepThrough.first.leaderMs - r.stepThrough.first.timeoutMs).toFixed(1)} ms after its ` +
    `election timer fired; "x = 1" committed ${
      (r.stepThrough.replication.commitMs - r.stepThrough.replication.proposeMs).toFixed(1)
    } ms after it was proposed, while ${r.stepThrough.lagging.join(" and ")} were cut off; ` +
    `after the crash ${r.stepThrough.second.leader} led term ${r.stepThrough.second.term} with ` +
    `the entry in its log, and the holders granted ${r.stepThrough.reElection.grantedByHolders} ` +
    `of ${r.stepThrough.reElection.requestsToHolders} vote requests from servers without it.`,
    `- **Figure 16** (${r.figure16.rows.length} trials on the ${r.figure16.testbed.name} ` +
    `testbed, broadcast time ${r.figure16.broadcastMs.toFixed(1)} ms): ${fig16Held} of ` +
    `${fig16Claims.length} predictions hold; ` +
    (fixed
      ? `without randomness the median is ${(fixed.p50Ms / 1000).toFixed(1)} s and ` +
        `${(100 * fixed.over10s).toFixed(0)}% of elections take over 10 s; `
      : "") +
    `with ${widest.series} the median is ${ms(widest.p50Ms)} and the worst ${
      ms(widest.worstMs)
    }. How the broadcast time splits between network and disk decides the split-vote window; ` +
    `the sensitivity experiment shows how much that matters (${sensHeld} of ` +
    `${sensClaims.length} of its predictions hold).`,
    `- **Battery**: the reference passes ${
      ref.filter((c) => c.failed === 0).length
    } of ${ref.length} scenarios on every seed; ${caught.length} of ${power.length} classic ` +
    `mistakes are caught on ${r.params.batterySeeds} seeds (${
      power.map((d) => `${d.label} ${d.caughtSeeds}/${d.seeds}`).join(", ")
    }).`,
    `- **Shrinking**: a ${r.shrink.original.length}-fault schedule that breaks "no log check" ` +
    `shrank to ${r.shrink.shrunk.length} (${
      r.shrink.shrunk.map(formatFault).join(", ")
    }) in ${r.shrink.runs} runs, and replays to the same breach.`,
    `- **Your implementation**: passes ${lpass} of ${lr.length} scenarios it can run` +
    (r.learner.length > lr.length ? ` (${r.learner.length - lr.length} skipped)` : "") +
    " on every seed" +
    (lpass === lr.length ? `: ${passedLine(r.params.batterySeeds)}.` : "."),
  ];
  return new MarkdownText(lines.join("\n"));
}
