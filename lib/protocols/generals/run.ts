/**
 * One call that runs a generals scenario on the simulator (constant-latency network) and checks
 * IC1 and IC2.
 * @module
 */
import { z } from "zod";
import { createCluster } from "../../net/cluster.ts";
import { ConfigError, parseConfig } from "../../sim/errors.ts";
import type { Simulation } from "../../sim/simulation.ts";
import type { TraceOptions } from "../../sim/trace.ts";
import type { NodeId } from "../../sim/types.ts";
import {
  generalIds,
  type GeneralsConfig,
  type GeneralsConfigInput,
  parseGeneralsConfig,
} from "./config.ts";
import type { GeneralsMessage, Order } from "./messages.ts";
import { LoyalGeneral } from "./node.ts";
import { parseTraitors, TraitorGeneral, type TraitorSpec } from "./byzantine.ts";
import {
  checkInteractiveConsistency,
  decisionsFromEvents,
  type GeneralsVerdict,
} from "./checker.ts";

/** Options of {@link runGenerals}: the protocol config plus the run's own knobs. */
export interface GeneralsRunOptions extends GeneralsConfigInput {
  /** Root seed. Default 1. */
  readonly seed?: number | string;
  /** Constant one-way message delay in ms; must be below `roundMs`. Default 1. */
  readonly latencyMs?: number;
  /** Traitors and their strategies (validated; a ConfigError names the bad field). Default none. */
  readonly traitors?: readonly unknown[];
  /** Trace options (default full). */
  readonly trace?: TraceOptions;
}

/** What a run produced. */
export interface GeneralsRun {
  /** The simulation after the run. */
  readonly sim: Simulation<GeneralsMessage>;
  /** The configuration, defaults applied. */
  readonly config: GeneralsConfig;
  /** The validated traitors. */
  readonly traitors: readonly TraitorSpec[];
  /** Each lieutenant's decision (loyal ones; traitors do not emit decisions). */
  readonly decisions: Readonly<Record<NodeId, Order | undefined>>;
  /** IC1 / IC2 verdict with its witness. */
  readonly verdict: GeneralsVerdict;
  /** Messages sent (`sim.stats.sent`). */
  readonly sent: number;
  /** Messages loyal lieutenants refused (bad path, bad signature, wrong round). */
  readonly rejected: number;
}

const RunShape = z.object({
  seed: z.union([z.number().int(), z.string().min(1)]).default(1),
  latencyMs: z.number().min(0).default(1),
  traitors: z.unknown().optional(),
  trace: z.unknown().optional(),
}).passthrough();

/**
 * Run OM(m) or SM(m) once and check it.
 * @example
 * ```ts
 * const r = runGenerals({ n: 4, m: 1, traitors: [{ node: "n0", strategy: { kind: "alternate" } }] });
 * r.verdict.ok; // true: OM(1) tolerates one traitor among four generals
 * ```
 */
export function runGenerals(options: GeneralsRunOptions): GeneralsRun {
  const { seed, latencyMs, traitors: rawTraitors, trace, ...rest } = parseConfig(
    RunShape,
    options,
    "generals run options",
  );
  const config = parseGeneralsConfig(rest);
  if (latencyMs >= config.roundMs) {
    throw new ConfigError("generals run options", [{
      path: "latencyMs",
      message: `latencyMs (${latencyMs}) must be below roundMs (${config.roundMs}): ` +
        "a round must outlast every message delay (assumption A3)",
    }]);
  }
  const traitors = parseTraitors(rawTraitors ?? [], config);
  const traitorIds = traitors.map((t) => t.node);
  const { sim } = createCluster<GeneralsMessage>({
    seed,
    nodes: generalIds(config.n),
    factory: (ctx) => new LoyalGeneral(ctx, config),
    factoryFor: (id) => {
      const t = traitors.find((x) => x.node === id);
      return t ? (ctx) => new TraitorGeneral(ctx, config, t.strategy, traitorIds) : undefined;
    },
    network: { latency: { kind: "constant", ms: latencyMs } },
    trace: trace as TraceOptions | undefined,
  });
  sim.run();
  const decisions = decisionsFromEvents(sim.events);
  const verdict = checkInteractiveConsistency({
    commander: config.commander,
    traitors: traitorIds,
    order: config.order,
    lieutenants: generalIds(config.n).filter((g) => g !== config.commander),
    decisions,
  });
  const rejected = sim.events.filter((e) => e.event.type === "generals-reject").length;
  return { sim, config, traitors, decisions, verdict, sent: sim.stats.sent, rejected };
}
