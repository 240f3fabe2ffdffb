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
  /** The node that was down. */
  readonly node: NodeId;
  /** Crash time in true ms (inclusive). */
  readonly fromMs: number;
  /** Restart time in true ms (exclusive), or the end of the run. */
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
  /** Monitored pair-minutes of up time (the rate's denominator). */
  readonly upPairMinutes: number;
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
  const downAt = (node: NodeId, t: number) =>
    down.find((d) => d.node === node && t >= d.fromMs && t < d.toMs);
  // Replay suspect / trust in order: a monitor that already suspects a peer when it crashes has
  // detected it at once (0 ms); otherwise its first suspicion during the down interval counts.
  const suspected = new Set<string>();
  const detected = new Map<string, number>();
  const pending = [...down].sort((a, b) => a.fromMs - b.fromMs);
  let next = 0;
  let falseSuspicions = 0;
  const detections: { monitor: NodeId; peer: NodeId; ms: number }[] = [];
  const atCrash = (upTo: number) => {
    while (next < pending.length && pending[next].fromMs <= upTo) {
      const d = pending[next++];
      for (const m of options.monitors) {
        if (m !== d.node && suspected.has(`${m}|${d.node}`)) {
          detected.set(`${m}|${d.node}|${d.fromMs}`, 0);
          detections.push({ monitor: m, peer: d.node, ms: 0 });
        }
      }
    }
  };
  for (const e of events) {
    atCrash(e.t);
    const t = e.event.type;
    if (t !== "suspect" && t !== "trust") continue;
    const peer = e.event.peer as NodeId;
    const pair = `${e.node}|${peer}`;
    if (t === "trust") {
      suspected.delete(pair);
      continue;
    }
    suspected.add(pair);
    const d = downAt(peer, e.t);
    if (!d) {
      falseSuspicions++;
      continue;
    }
    const key = `${pair}|${d.fromMs}`;
    if (!detected.has(key)) {
      detected.set(key, e.t - d.fromMs);
      detections.push({ monitor: e.node, peer, ms: e.t - d.fromMs });
    }
  }
  atCrash(Infinity);
  let missed = 0;
  for (const d of down) {
    for (const m of options.monitors) {
      if (m === d.node || downAt(m, d.fromMs)) continue;
      if (!detected.has(`${m}|${d.node}|${d.fromMs}`)) missed++;
    }
  }
  const n = options.monitors.length;
  const downMs = down.reduce((a, d) => a + (d.toMs - d.fromMs), 0);
  const upPairMinutes = Math.max(1e-9, (n * (n - 1) * options.runMs - downMs * (n - 1)) / 60_000);
  return {
    detectionsMs: detections,
    missed,
    falseSuspicions,
    falseSuspicionsPerPairMinute: falseSuspicions / upPairMinutes,
    upPairMinutes,
  };
}
