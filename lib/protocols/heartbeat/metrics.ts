/**
 * What a failure detector is judged by (Chen, Toueg, Aguilera, "On the Quality of Service of
 * Failure Detectors", 2002): how long it takes to suspect a crashed node (detection time), and
 * how often it suspects a live one (mistakes).
 * @module
 */
import type { EmittedEvent } from "../../sim/simulation.ts";
import type { NodeId } from "../../sim/types.ts";

/** A node's down interval in true time (crash to restart, or to the end). */
export interface DownInterval {
  readonly node: NodeId;
  readonly fromMs: number;
  readonly toMs: number;
}

/** Detection and mistake figures of a run. */
export interface DetectorQuality {
  /** For each (monitor, crashed node): time from the crash to the monitor's suspicion. */
  readonly detectionsMs: readonly { monitor: NodeId; peer: NodeId; ms: number }[];
  /** Crashes some live monitor never suspected before the peer came back or the run ended. */
  readonly missed: number;
  /** Suspicions of a peer that was up at the time (false suspicions). */
  readonly falseSuspicions: number;
  /** False suspicions per monitored pair per minute of up time. */
  readonly falseSuspicionsPerPairMinute: number;
}

/**
 * Score a detector run from its protocol events and the true crash intervals.
 * `monitors` are the nodes whose opinions count (usually every node); `upMs` is the run length.
 */
export function detectorQuality(
  events: readonly EmittedEvent[],
  down: readonly DownInterval[],
  options: { monitors: readonly NodeId[]; runMs: number },
): DetectorQuality {
  const isDown = (node: NodeId, t: number) =>
    down.some((d) => d.node === node && t >= d.fromMs && t < d.toMs);
  let falseSuspicions = 0;
  const detections: { monitor: NodeId; peer: NodeId; ms: number }[] = [];
  const firstSuspect = new Map<string, number>();
  for (const e of events) {
    if (e.event.type !== "suspect") continue;
    const peer = e.event.peer as NodeId;
    if (isDown(peer, e.t)) {
      const d = down.find((x) => x.node === peer && e.t >= x.fromMs && e.t < x.toMs)!;
      const key = `${e.node}|${peer}|${d.fromMs}`;
      if (!firstSuspect.has(key)) {
        firstSuspect.set(key, e.t);
        detections.push({ monitor: e.node, peer, ms: e.t - d.fromMs });
      }
    } else {
      falseSuspicions++;
    }
  }
  let missed = 0;
  for (const d of down) {
    for (const m of options.monitors) {
      if (m === d.node || isDown(m, d.fromMs)) continue;
      if (!firstSuspect.has(`${m}|${d.node}|${d.fromMs}`)) missed++;
    }
  }
  const pairs = options.monitors.length * (options.monitors.length - 1);
  const downMs = down.reduce((a, d) => a + (d.toMs - d.fromMs), 0);
  const upPairMinutes = Math.max(
    1e-9,
    (pairs * options.runMs - downMs * (options.monitors.length - 1)) / 60_000,
  );
  return {
    detectionsMs: detections,
    missed,
    falseSuspicions,
    falseSuspicionsPerPairMinute: falseSuspicions / upPairMinutes,
  };
}
