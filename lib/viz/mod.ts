// Measured with Deno 2.9.6, vega 6.4.0, vega-lite 6.5.0 on the 2-core dev machine while
// other jobs ran (load ≈ 3.3), so treat as upper-ish bounds. renderSvg = compile + vega View
// (renderer "none") + toSVG + id/number post-processing; "bundle" = JSON of the MIME bundle.
//   first chart in a process (vega warm-up):         280–510 ms
//   scatter,  1,000 points: 100–130 ms; spec 75 KB, SVG 156 KB, bundle 243 KB
//   scatter, 10,000 points: 380–500 ms; spec 733 KB, SVG 1.38 MB, bundle 2.2 MB
//   line,     1,000 points:  18–29 ms;  bundle 61 KB
//   line,    10,000 points:  73–200 ms; bundle 481 KB
//   defaults: scatter 2,000 of 10^5 ops 109 ms / 471 KB; space-time 1,000 of 10^5 messages
//             217 ms / 522 KB
// Building specs from 10^6 inputs: latencyScatter 0.5–1.1 s, latencyQuantiles 0.5–0.6 s,
// throughputChart 0.13–0.4 s, spaceTimeDiagram (840k records) 1.2–1.3 s.
// SVG size: aria labels are off on data marks (÷2.4) and coordinates rounded to 2 decimals.

/**
 * Charts for distlab: typed vega-lite builders (latency, throughput, space-time diagrams, node
 * state timelines, heatmaps, sweeps) and Jupyter display with an SVG fallback.
 *
 * Every builder returns a vega-lite `TopLevelSpec` ($schema v5), caps its marks (default 2,000,
 * deterministic stride) and says in its subtitle what it left out.
 *
 * @example
 * ```ts
 * import { latencyScatter, show } from "@lab/viz/mod.ts";
 * import { pairOperations } from "@lab/workload/history.ts";
 * declare const history: import("@lab/workload/history.ts").History;
 * show(latencyScatter(pairOperations(history), {
 *   faults: [{ startMs: 1_000, endMs: 3_000, label: "partition {n0,n1} | {n2,n3,n4}" }],
 * }));
 * ```
 * @module
 */
export type { TopLevelSpec } from "vega-lite";
export type { FaultWindow, VizMeta } from "./_common.ts";
export { VEGA_LITE_SCHEMA } from "./_common.ts";
export * from "./sampling.ts";
export * from "./latency.ts";
export * from "./throughput.ts";
export * from "./space_time.ts";
export * from "./timeline.ts";
export * from "./tables.ts";
export * from "./render.ts";
export * from "./display.ts";
export * from "./progress.ts";
export * from "./history.ts";
