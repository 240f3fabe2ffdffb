/**
 * Node state timelines: a Gantt-style chart of each node's role (leader / follower / candidate),
 * suspicion, or liveness (alive / crashed / paused) over time.
 * @module
 */
import type { TopLevelSpec } from "vega-lite";
import type { NodeId, TraceRecord } from "@lab/sim/types.ts";
import {
  countPhrase,
  DEFAULT_MAX_MARKS,
  DEFAULT_WIDTH,
  extent,
  faultLayers,
  type FaultWindow,
  formatCount,
  formatMs,
  formatRange,
  type LayerItem,
  naturalCompare,
  READABLE_CONFIG,
  round,
  titleBlock,
  VEGA_LITE_SCHEMA,
  type VizMeta,
  zoomParam,
} from "./_common.ts";
import { decimate } from "./sampling.ts";

/** One interval of a node's state: [startMs, endMs). */
export interface StateInterval {
  /** The node. */
  readonly node: NodeId;
  /** Start time (ms), inclusive. */
  readonly startMs: number;
  /** End time (ms), exclusive. */
  readonly endMs: number;
  /** State name ("leader", "crashed", ...). */
  readonly state: string;
}

/** Options of {@link stateIntervalsFromTrace}. */
export interface StateIntervalOptions {
  /**
   * The protocol state a record announces, e.g. a Raft role change:
   * `(r) => r.type === "event" && r.event.type === "role" ? { node: r.node, state: String(r.event.role) } : undefined`.
   * Called on every record. Default: none (only alive / crashed / paused).
   */
  readonly stateOf?: (record: TraceRecord) => { node: NodeId; state: string } | undefined;
  /** Where open intervals end (ms). Required: a trace does not say when the run stopped. */
  readonly endMs: number;
  /** Where every node's first interval starts (ms). Default 0 (the simulator starts all nodes at 0). */
  readonly startMs?: number;
  /** Nodes to include; others are ignored. Default: every node the trace mentions. */
  readonly nodes?: readonly NodeId[];
  /** State shown before any `stateOf` answer, and after a restart until the next one. Default "alive". */
  readonly initialState?: string;
}

/**
 * Turn a trace into state intervals per node: `stateOf` sets a node's protocol state; a crash
 * shows "crashed" until restart (the protocol state is lost: volatile state is gone), a pause shows
 * "paused" until resume (or `durationMs`), then the protocol state resumes. Adjacent intervals with
 * the same state merge; empty intervals are dropped.
 *
 * @example
 * ```ts
 * import { stateIntervalsFromTrace } from "@lab/viz/timeline.ts";
 * stateIntervalsFromTrace([
 *   { type: "crash", t: 10, node: "n1" },
 *   { type: "restart", t: 30, node: "n1" },
 * ], { endMs: 50 });
 * // n1: alive 0–10, crashed 10–30, alive 30–50
 * ```
 */
export function stateIntervalsFromTrace(
  trace: readonly TraceRecord[],
  options: StateIntervalOptions,
): StateInterval[] {
  const start = options.startMs ?? 0;
  const initial = options.initialState ?? "alive";
  const only = options.nodes ? new Set(options.nodes) : undefined;
  interface NodeState {
    protocol: string;
    crashed: boolean;
    pausedUntil: number;
    shown: string;
    since: number;
  }
  const states = new Map<NodeId, NodeState>();
  const out: StateInterval[] = [];
  const ensure = (node: NodeId): NodeState | undefined => {
    if (only && !only.has(node)) return undefined;
    let s = states.get(node);
    if (!s) {
      s = {
        protocol: initial,
        crashed: false,
        pausedUntil: -Infinity,
        shown: initial,
        since: start,
      };
      states.set(node, s);
    }
    return s;
  };
  for (const n of options.nodes ?? []) ensure(n);
  const shownOf = (s: NodeState, t: number) =>
    s.crashed ? "crashed" : t < s.pausedUntil ? "paused" : s.protocol;
  const update = (node: NodeId, s: NodeState, t: number) => {
    const next = shownOf(s, t);
    if (next === s.shown) return;
    if (t > s.since) out.push({ node, startMs: s.since, endMs: t, state: s.shown });
    s.shown = next;
    s.since = Math.max(s.since, t);
  };
  // A pause without a resume record ends by itself after `durationMs`.
  const paused = new Set<NodeId>();
  const expirePauses = (t: number) => {
    if (paused.size === 0) return;
    for (const node of [...paused]) {
      const s = states.get(node)!;
      if (s.pausedUntil <= t) {
        paused.delete(node);
        if (s.shown === "paused") update(node, s, s.pausedUntil);
      }
    }
  };
  for (const r of trace) {
    expirePauses(r.t);
    const announced = options.stateOf?.(r);
    if (announced) {
      const s = ensure(announced.node);
      if (s) {
        s.protocol = announced.state;
        update(announced.node, s, r.t);
      }
    }
    if (r.type === "crash" || r.type === "restart" || r.type === "pause" || r.type === "resume") {
      const s = ensure(r.node);
      if (!s) continue;
      if (r.type === "crash") {
        s.crashed = true;
        s.pausedUntil = -Infinity;
      } else if (r.type === "restart") {
        s.crashed = false;
        s.protocol = initial;
      } else if (r.type === "pause") {
        s.pausedUntil = r.t + r.durationMs;
        paused.add(r.node);
      } else {
        s.pausedUntil = -Infinity;
        paused.delete(r.node);
      }
      update(r.node, s, r.t);
    } else if (r.type === "event" || r.type === "timer" || r.type === "clock") {
      ensure(r.node);
    } else if (r.type === "send" || r.type === "deliver" || r.type === "drop") {
      ensure(r.from);
      ensure(r.to);
    }
  }
  expirePauses(options.endMs);
  for (const [node, s] of states) {
    if (options.endMs > s.since) {
      out.push({ node, startMs: s.since, endMs: options.endMs, state: s.shown });
    }
  }
  return out.sort((a, b) => naturalCompare(a.node, b.node) || a.startMs - b.startMs);
}

/** Options of {@link nodeStateTimeline}. */
export interface NodeStateTimelineOptions {
  /** Lanes, in this order. Default: every node in `rows`, in natural order. */
  readonly nodes?: readonly NodeId[];
  /** Window (ms); intervals are clipped to it. Default: the rows' extent. */
  readonly fromMs?: number;
  /** Window end (ms). Default: the rows' last end. */
  readonly toMs?: number;
  /** Colours per state as [state, colour] pairs; unknown states get a scheme colour. Default: a palette for Raft roles and liveness. */
  readonly colors?: readonly (readonly [string, string])[];
  /** Fault windows to shade. Default: none. */
  readonly faults?: readonly FaultWindow[];
  /** Most intervals drawn (strided; non-default states kept first). Default 2000. */
  readonly maxIntervals?: number;
  /** Chart title. Default "Node states over time". */
  readonly title?: string;
  /** Plot width in px. Default 640. */
  readonly width?: number;
  /** Height per lane (px). Default 28. */
  readonly laneSize?: number;
}

/** Colours for common states (Raft roles, failure detectors, liveness). */
export const DEFAULT_STATE_COLORS: readonly (readonly [string, string])[] = [
  ["leader", "#2ca02c"],
  ["candidate", "#ff9e4a"],
  ["precandidate", "#ffcc80"],
  ["follower", "#aec7e8"],
  ["learner", "#c5b0d5"],
  ["alive", "#c7e9c0"],
  ["trusted", "#c7e9c0"],
  ["suspected", "#ff9896"],
  ["paused", "#9467bd"],
  ["crashed", "#d62728"],
];

const FALLBACK = [
  "#17becf",
  "#bcbd22",
  "#8c564b",
  "#e377c2",
  "#7f7f7f",
  "#1f77b4",
  "#ff7f0e",
  "#9edae5",
  "#dbdb8d",
  "#c49c94",
];

/**
 * A Gantt-style chart: one lane per node, one bar per state interval, coloured by state.
 *
 * @example
 * ```ts
 * import { nodeStateTimeline, show, stateIntervalsFromTrace } from "@lab/viz/mod.ts";
 * declare const trace: import("@lab/sim/types.ts").TraceRecord[];
 * show(nodeStateTimeline(stateIntervalsFromTrace(trace, {
 *   endMs: 10_000,
 *   stateOf: (r) => r.type === "event" && r.event.type === "role"
 *     ? { node: r.node, state: String(r.event.role) } : undefined,
 * })));
 * ```
 */
export function nodeStateTimeline(
  rows: readonly StateInterval[],
  options: NodeStateTimelineOptions = {},
): TopLevelSpec {
  const [lo] = extent(rows.map((r) => r.startMs));
  const [, hi] = extent(rows.map((r) => r.endMs));
  const fromMs = options.fromMs ?? (Number.isNaN(lo) ? 0 : lo);
  const toMs = Math.max(fromMs, options.toMs ?? (Number.isNaN(hi) ? fromMs : hi));
  const nodes = options.nodes ?? [...new Set(rows.map((r) => r.node))].sort(naturalCompare);
  const nodeSet = new Set(nodes);
  const clipped = rows
    .filter((r) => nodeSet.has(r.node) && r.endMs > fromMs && r.startMs < toMs)
    .map((r) => ({ ...r, startMs: Math.max(r.startMs, fromMs), endMs: Math.min(r.endMs, toMs) }));
  const common = new Set(["alive", "follower", "trusted"]);
  const d = decimate(clipped, options.maxIntervals ?? DEFAULT_MAX_MARKS, {
    keep: (r) => !common.has(r.state),
  });
  const palette = options.colors ?? DEFAULT_STATE_COLORS;
  const states = [...new Set(clipped.map((r) => r.state))];
  const known = palette.filter(([s]) => states.includes(s)).map(([s]) => s);
  const unknown = states.filter((s) => !known.includes(s)).sort();
  const domain = [...known, ...unknown];
  const range = domain.map((s, i) =>
    palette.find(([p]) => p === s)?.[1] ?? FALLBACK[(i - known.length) % FALLBACK.length]
  );
  const timeTitle = "time (ms)";
  const data = d.items.map((r) => ({
    node: r.node,
    state: r.state,
    startMs: round(r.startMs),
    endMs: round(r.endMs),
    durationMs: round(r.endMs - r.startMs),
  }));
  const layers: LayerItem[] = [
    {
      name: "states",
      data: { values: data },
      params: [zoomParam("x")],
      mark: { type: "bar", clip: true, cornerRadius: 1, aria: false },
      encoding: {
        x: {
          field: "startMs",
          type: "quantitative",
          title: timeTitle,
          scale: { domain: [fromMs, toMs], nice: false },
        },
        x2: { field: "endMs" },
        y: { field: "node", type: "nominal", title: "node", sort: nodes.slice() },
        color: { field: "state", type: "nominal", title: "state", scale: { domain, range } },
        tooltip: [
          { field: "node", title: "node" },
          { field: "state", title: "state" },
          { field: "startMs", title: "from (ms)", format: ",.3f" },
          { field: "endMs", title: "to (ms)", format: ",.3f" },
          { field: "durationMs", title: "duration (ms)", format: ",.3f" },
        ],
      },
    },
    ...faultLayers(options.faults ?? [], fromMs, toMs, timeTitle),
  ];
  const total = new Map<string, number>();
  for (const r of clipped) total.set(r.state, (total.get(r.state) ?? 0) + r.endMs - r.startMs);
  const nodeMs = Math.max(1e-9, nodes.length * (toMs - fromMs));
  const meta: VizMeta = {
    builder: "nodeStateTimeline",
    summary: [
      `${formatCount(nodes.length)} nodes, ${formatCount(clipped.length)} intervals`,
      "share of node-time: " +
      domain.map((s) => `${s} ${formatMs((100 * (total.get(s) ?? 0)) / nodeMs)}%`).join(", "),
    ],
  };
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: titleBlock(options.title ?? "Node states over time", [
      countPhrase(d.items.length, d.total, "intervals"),
      formatRange(fromMs, toMs),
    ]),
    width: options.width ?? DEFAULT_WIDTH,
    height: Math.max(1, nodes.length) * (options.laneSize ?? 28),
    config: READABLE_CONFIG,
    usermeta: { distlab: meta },
    layer: layers,
  };
}

/**
 * Fault windows a trace implies on its own: each crash until its restart ("crash n1") and each
 * pause for its duration ("pause n2"). Nemesis records carry an action whose shape belongs to
 * lib/net, so they are not interpreted here; pass those windows yourself.
 */
export function faultWindowsFromTrace(
  trace: readonly TraceRecord[],
  options: { readonly endMs: number },
): FaultWindow[] {
  const crashedAt = new Map<NodeId, number>();
  const out: FaultWindow[] = [];
  for (const r of trace) {
    if (r.type === "crash") {
      if (!crashedAt.has(r.node)) crashedAt.set(r.node, r.t);
    } else if (r.type === "restart") {
      const t0 = crashedAt.get(r.node);
      if (t0 !== undefined) out.push({ startMs: t0, endMs: r.t, label: `crash ${r.node}` });
      crashedAt.delete(r.node);
    } else if (r.type === "pause") {
      out.push({ startMs: r.t, endMs: r.t + r.durationMs, label: `pause ${r.node}` });
    }
  }
  for (const [node, t0] of crashedAt) {
    out.push({ startMs: t0, endMs: options.endMs, label: `crash ${node}` });
  }
  return out.sort((a, b) =>
    a.startMs - b.startMs || (a.label < b.label ? -1 : a.label > b.label ? 1 : 0)
  );
}
