/**
 * The nemesis: a timeline of faults (partition, isolate, reconnect, heal, crash, restart, pause,
 * clock jump, drift change, slow link, restore, network-wide loss/reordering, hold, release), written by hand or generated from a seed with the same vocabulary
 * (random halves, majority ring, bridge, isolate one node, flapping link, rolling crashes).
 * Every schedule is validated against the cluster's node ids before anything runs.
 * @module
 */
import { z } from "zod";
import type { Simulation } from "../sim/simulation.ts";
import type { NodeFactory, NodeId } from "../sim/types.ts";
import { Rng } from "../sim/rng.ts";
import { ConfigError, parseConfig } from "../sim/errors.ts";
import { type Network, NetworkConditionsSchema } from "./network.ts";
import { type Adversary, StrategySchema } from "./adversary.ts";

const Node = z.string().min(1);
const At = z.number().min(0);

/** One fault action at a time `atMs` of true time. */
export const FaultSchema = z.discriminatedUnion("type", [
  z.object({ atMs: At, type: z.literal("partition"), groups: z.array(z.array(Node)).min(1) })
    .strict(),
  z.object({
    atMs: At,
    type: z.literal("partitionOneWay"),
    from: z.array(Node).min(1),
    to: z.array(Node).min(1),
  }).strict(),
  z.object({ atMs: At, type: z.literal("cut"), pairs: z.array(z.tuple([Node, Node])).min(1) })
    .strict(),
  z.object({ atMs: At, type: z.literal("isolate"), node: Node }).strict(),
  /** Undo `isolate` for one node (every cut to and from it goes), healing nothing else. */
  z.object({ atMs: At, type: z.literal("reconnect"), node: Node }).strict(),
  /**
   * Change loss, reordering and duplication of every link from now on (each field given replaces
   * the configured value; `reset: true` first goes back to the configured values).
   */
  NetworkConditionsSchema.extend({
    atMs: At,
    type: z.literal("network"),
    reset: z.boolean().default(false),
  }).strict(),
  z.object({ atMs: At, type: z.literal("heal") }).strict(),
  z.object({ atMs: At, type: z.literal("crash"), node: Node }).strict(),
  z.object({ atMs: At, type: z.literal("restart"), node: Node }).strict(),
  z.object({ atMs: At, type: z.literal("pause"), node: Node, durationMs: z.number().min(0) })
    .strict(),
  z.object({ atMs: At, type: z.literal("clockJump"), node: Node, deltaMs: z.number().finite() })
    .strict(),
  z.object({ atMs: At, type: z.literal("clockDrift"), node: Node, drift: z.number().gt(-1).lt(1) })
    .strict(),
  z.object({
    atMs: At,
    type: z.literal("slowLink"),
    from: Node,
    to: Node,
    extraMs: z.number().min(0).default(0),
    lossRatio: z.number().min(0).max(1).optional(),
    bidirectional: z.boolean().default(true),
  }).strict(),
  z.object({ atMs: At, type: z.literal("restore") }).strict(),
  z.object({
    atMs: At,
    type: z.literal("hold"),
    from: Node,
    to: Node,
    bidirectional: z.boolean().default(false),
  }).strict(),
  z.object({ atMs: At, type: z.literal("release") }).strict(),
  /**
   * The nodes turn Byzantine with these strategies (a coalition when several): each is rebuilt
   * from its storage over the protocol's adversary (see `createCluster`'s `adversary` option).
   */
  z.object({
    atMs: At,
    type: z.literal("byzantine"),
    nodes: z.array(Node).min(1),
    strategies: z.array(StrategySchema).min(1),
  }).strict(),
]);

/** A fault as written. */
export type FaultInput = z.input<typeof FaultSchema>;
/** A fault with defaults applied. */
export type Fault = z.output<typeof FaultSchema>;

/** A nemesis schedule: faults in any order (they are applied in time order, ties in list order). */
export const ScheduleSchema = z.array(FaultSchema);
/** A schedule. */
export type Schedule = Fault[];

/** Fields of the periodic generators: a fault every `periodMs`, lasting `faultMs`, then heal. */
const periodic = {
  startMs: At.default(0),
  endMs: At,
  /** Time between the starts of two faults. */
  periodMs: z.number().positive(),
  /** How long each fault lasts (then heal). */
  faultMs: z.number().positive(),
};

/** Seeded generators with the same vocabulary as hand-written schedules. */
export const GeneratorSchema = z.discriminatedUnion("generator", [
  z.object({ generator: z.literal("randomHalves"), ...periodic }).strict(),
  z.object({ generator: z.literal("majorityRing"), ...periodic }).strict(),
  z.object({ generator: z.literal("bridge"), ...periodic }).strict(),
  z.object({ generator: z.literal("isolateOne"), ...periodic }).strict(),
  z.object({
    generator: z.literal("flappingLink"),
    startMs: At.default(0),
    endMs: At,
    /** The link flaps between these two nodes; random when absent. */
    between: z.tuple([Node, Node]).optional(),
    /** Mean up and down durations (exponentially distributed). */
    upMs: z.number().positive(),
    downMs: z.number().positive(),
  }).strict(),
  z.object({
    generator: z.literal("rollingCrashes"),
    startMs: At.default(0),
    endMs: At,
    periodMs: z.number().positive(),
    /** How long each node stays down before its restart. */
    downMs: z.number().positive(),
    /** Crash nodes in a random order each round (default) or in id order. */
    shuffle: z.boolean().default(true),
    /** Each crash happens up to this much later than its slot (uniform), to vary its phase. */
    jitterMs: z.number().min(0).default(0),
  }).strict(),
]).superRefine((g, ctx) => {
  if (g.endMs < g.startMs) {
    ctx.addIssue({
      code: "custom",
      path: ["endMs"],
      message: `endMs (${g.endMs}) precedes startMs (${g.startMs})`,
    });
  }
});

/** A generator spec as written. */
export type GeneratorInput = z.input<typeof GeneratorSchema>;

/** Parse and validate a schedule against the node ids; a ConfigError names each bad field. */
export function parseSchedule(input: unknown, nodes: readonly NodeId[]): Schedule {
  const schedule = parseConfig(ScheduleSchema, input, "nemesis schedule");
  const known = new Set(nodes);
  const issues: { path: string; message: string }[] = [];
  const check = (id: string, path: string) => {
    if (!known.has(id)) {
      issues.push({ path, message: `unknown node "${id}" (nodes: ${nodes.join(", ")})` });
    }
  };
  schedule.forEach((f, i) => {
    const p = `[${i}]`;
    switch (f.type) {
      case "partition": {
        const seen = new Set<string>();
        f.groups.forEach((g, gi) =>
          g.forEach((id, k) => {
            check(id, `${p}.groups[${gi}][${k}]`);
            if (seen.has(id)) {
              issues.push({
                path: `${p}.groups[${gi}][${k}]`,
                message: `"${id}" is in two groups`,
              });
            }
            seen.add(id);
          })
        );
        break;
      }
      case "partitionOneWay":
        f.from.forEach((id, k) => check(id, `${p}.from[${k}]`));
        f.to.forEach((id, k) => check(id, `${p}.to[${k}]`));
        break;
      case "cut":
        f.pairs.forEach(([a, b], k) => {
          check(a, `${p}.pairs[${k}][0]`);
          check(b, `${p}.pairs[${k}][1]`);
        });
        break;
      case "byzantine":
        f.nodes.forEach((id, k) => check(id, `${p}.nodes[${k}]`));
        f.strategies.forEach((st, k) => {
          const q = `${p}.strategies[${k}]`;
          if (st.kind === "equivocate") {
            st.groupB?.forEach((id, j) => check(id, `${q}.groupB[${j}]`));
          }
          if (st.kind === "delay" || st.kind === "withholdVotes") {
            st.towards?.forEach((id, j) => check(id, `${q}.towards[${j}]`));
          }
          if (st.kind === "impersonate") check(st.victim, `${q}.victim`);
        });
        break;
      case "slowLink":
      case "hold":
        check(f.from, `${p}.from`);
        check(f.to, `${p}.to`);
        break;
      case "isolate":
      case "reconnect":
      case "crash":
      case "restart":
      case "pause":
      case "clockJump":
      case "clockDrift":
        check(f.node, `${p}.node`);
        break;
      // Stryker disable next-line StringLiteral: equivalent — the switch has no default case, so a "heal" that matches no case does nothing here either
      case "heal":
      case "restore":
      case "release":
      // Stryker disable next-line StringLiteral: equivalent — the switch has no default case, so a "network" fault that matches no case does nothing here either
      case "network":
        break;
    }
  });
  if (issues.length) throw new ConfigError("nemesis schedule", issues);
  return schedule;
}

/** Apply one fault now. */
export function applyFault(
  sim: Simulation<unknown>,
  net: Network,
  f: Fault,
  adversary?: AdversaryResolver<unknown>,
): void {
  switch (f.type) {
    case "byzantine": {
      if (!adversary) {
        throw new ConfigError("nemesis schedule", [{
          path: "byzantine",
          message: "a byzantine fault needs the cluster's adversary option (the protocol's kit)",
        }]);
      }
      const make = adversary({ nodes: f.nodes, strategies: f.strategies, fromMs: f.atMs });
      for (const id of f.nodes) sim.replace(id, make(id));
      break;
    }
    case "partition":
      net.partition(f.groups);
      break;
    case "partitionOneWay":
      net.cutOneWay(f.from, f.to);
      break;
    case "cut":
      net.cut(f.pairs);
      break;
    case "isolate":
      net.isolate(f.node);
      break;
    case "reconnect":
      net.reconnect(f.node);
      break;
    case "network": {
      if (f.reset) net.resetConditions();
      const { atMs: _a, type: _t, reset: _r, ...conditions } = f;
      net.setConditions(conditions);
      break;
    }
    case "heal":
      net.heal();
      break;
    case "crash":
      sim.crash(f.node);
      break;
    case "restart":
      sim.restart(f.node);
      break;
    case "pause":
      sim.pause(f.node, f.durationMs);
      break;
    case "clockJump":
      sim.clockJump(f.node, f.deltaMs);
      break;
    case "clockDrift":
      sim.setDrift(f.node, f.drift);
      break;
    case "slowLink":
      net.slowLink(f.from, f.to, { extraMs: f.extraMs, lossRatio: f.lossRatio }, f.bidirectional);
      break;
    case "restore":
      net.restore();
      break;
    case "hold":
      sim.hold(f.from, f.to, { bidirectional: f.bidirectional });
      break;
    case "release":
      sim.release();
      break;
  }
}

/**
 * Turns an adversary entry (a coalition and its strategies) into a node factory per member: the
 * protocol's honest code wrapped in the strategies (see `byzantineFactory`, `behaviourOf`).
 */
export type AdversaryResolver<M> = (entry: Adversary) => (id: NodeId) => NodeFactory<M>;

/**
 * Schedule every fault of a (validated) schedule on the simulation; each is recorded in the trace
 * as a "nemesis" record when it happens. `byzantine` faults need `adversary`.
 */
export function installSchedule<M>(
  sim: Simulation<M>,
  net: Network,
  schedule: Schedule,
  adversary?: AdversaryResolver<M>,
): void {
  const bad = schedule.findIndex((f) => f.type === "byzantine");
  if (bad >= 0 && !adversary) {
    throw new ConfigError("nemesis schedule", [{
      path: `[${bad}]`,
      message: "a byzantine fault needs the cluster's adversary option (the protocol's kit)",
    }]);
  }
  // a fault in the past would silently happen now, out of order: refuse it
  const past = schedule.flatMap((f, i) =>
    f.atMs < sim.nowMs
      ? [{
        path: `[${i}].atMs`,
        message: `${f.atMs} ms is in the past (the simulation is at ${sim.nowMs} ms)`,
      }]
      : []
  );
  if (past.length) throw new ConfigError("nemesis schedule", past);
  const sorted = schedule.map((f, i) => ({ f, i })).sort((a, b) =>
    a.f.atMs - b.f.atMs || a.i - b.i
  );
  for (const { f } of sorted) {
    sim.at(f.atMs, () => {
      if (sim.trace.enabled) sim.trace.add({ type: "nemesis", t: sim.nowMs, action: f });
      applyFault(
        sim as Simulation<unknown>,
        net,
        f,
        adversary as AdversaryResolver<unknown> | undefined,
      );
    });
  }
}

/** Expand a generator spec into a concrete schedule, drawing from `rng` (use the "faults" stream). */
export function generateSchedule(
  spec: GeneratorInput,
  nodes: readonly NodeId[],
  rng: Rng,
): Schedule {
  const g = parseConfig(GeneratorSchema, spec, "nemesis generator");
  if (nodes.length < 2) {
    throw new ConfigError("nemesis generator", [{ path: "", message: "needs at least 2 nodes" }]);
  }
  const out: FaultInput[] = [];
  const n = nodes.length;
  const windows = (periodMs: number, faultMs: number, f: (t: number) => void) => {
    for (let t = g.startMs; t < g.endMs; t += periodMs) {
      f(t);
      out.push({ atMs: Math.min(t + faultMs, g.endMs), type: "heal" });
    }
  };
  switch (g.generator) {
    case "randomHalves":
      windows(g.periodMs, g.faultMs, (t) => {
        const s = rng.shuffle(nodes);
        const k = Math.floor(n / 2);
        out.push({ atMs: t, type: "partition", groups: [s.slice(0, k), s.slice(k)] });
      });
      break;
    case "isolateOne":
      windows(g.periodMs, g.faultMs, (t) => {
        out.push({ atMs: t, type: "isolate", node: rng.pick(nodes) });
      });
      break;
    case "majorityRing":
      // Jepsen's majorities-ring: every node sees a majority, no two see the same majority.
      windows(g.periodMs, g.faultMs, (t) => {
        const ring = rng.shuffle(nodes);
        const reach = Math.floor(n / 2) / 2; // neighbours on each side
        const pairs: [NodeId, NodeId][] = [];
        for (let i = 0; i < n; i++) {
          for (let j = i + 1; j < n; j++) {
            const d = Math.min(j - i, n - (j - i));
            if (d > Math.ceil(reach)) pairs.push([ring[i], ring[j]]);
          }
        }
        if (pairs.length) out.push({ atMs: t, type: "cut", pairs });
      });
      break;
    case "bridge":
      // Two halves that cannot talk, joined by one node that talks to both.
      windows(g.periodMs, g.faultMs, (t) => {
        const s = rng.shuffle(nodes);
        const rest = s.slice(1); // s[0] is the bridge: it keeps every link
        const k = Math.floor(rest.length / 2);
        const a = rest.slice(0, k), b = rest.slice(k);
        const pairs: [NodeId, NodeId][] = [];
        for (const x of a) for (const y of b) pairs.push([x, y]);
        if (pairs.length) out.push({ atMs: t, type: "cut", pairs });
      });
      break;
    case "flappingLink": {
      const [a, b] = g.between ?? (() => {
        const s = rng.shuffle(nodes);
        return [s[0], s[1]] as [NodeId, NodeId];
      })();
      let t = g.startMs + rng.exponential(g.upMs);
      while (t < g.endMs) {
        out.push({ atMs: t, type: "cut", pairs: [[a, b]] });
        t += rng.exponential(g.downMs);
        out.push({ atMs: Math.min(t, g.endMs), type: "heal" });
        t += rng.exponential(g.upMs);
      }
      break;
    }
    case "rollingCrashes": {
      let t = g.startMs;
      while (t < g.endMs) {
        const order = g.shuffle ? rng.shuffle(nodes) : nodes.slice();
        for (const id of order) {
          if (t >= g.endMs) break;
          const at = Math.min(t + (g.jitterMs > 0 ? rng.uniform(0, g.jitterMs) : 0), g.endMs);
          out.push({ atMs: at, type: "crash", node: id });
          out.push({ atMs: Math.min(at + g.downMs, g.endMs), type: "restart", node: id });
          t += g.periodMs;
        }
      }
      break;
    }
  }
  return parseSchedule(out, nodes);
}

/** A time window during which a fault was in force, for shading charts. */
export interface FaultWindow {
  /** True time in ms when the fault took effect. */
  readonly startMs: number;
  /** True time in ms when it was lifted, or the run's end; equals `startMs` for clock faults. */
  readonly endMs: number;
  /** e.g. "partition", "crash n2", "pause n1", "slow n0-n3". */
  readonly label: string;
  /** Category for colouring: "network", "crash", "pause", "clock", "slow" or "hold". */
  readonly kind: string;
}

/** The windows of a schedule (a partition until the next heal, a crash until its restart, ...). */
export function faultWindows(schedule: Schedule, endMs: number): FaultWindow[] {
  const sorted = schedule.slice().sort((a, b) => a.atMs - b.atMs);
  const out: FaultWindow[] = [];
  let netOpen: { startMs: number; label: string } | null = null;
  const crashed = new Map<string, number>();
  let slowOpen: { startMs: number; label: string }[] = [];
  let holdOpen: { startMs: number; label: string }[] = [];
  for (const f of sorted) {
    switch (f.type) {
      case "partition":
      case "partitionOneWay":
      case "cut":
      case "isolate": {
        const label = f.type === "isolate" ? `isolate ${f.node}` : f.type;
        if (netOpen) out.push({ ...netOpen, endMs: f.atMs, kind: "network" });
        netOpen = { startMs: f.atMs, label };
        break;
      }
      case "heal":
        if (netOpen) out.push({ ...netOpen, endMs: f.atMs, kind: "network" });
        netOpen = null;
        break;
      case "reconnect":
        if (netOpen?.label === `isolate ${f.node}`) {
          out.push({ ...netOpen, endMs: f.atMs, kind: "network" });
          netOpen = null;
        }
        break;
      case "network":
        out.push({ startMs: f.atMs, endMs: f.atMs, label: networkLabel(f), kind: "network" });
        break;
      case "crash":
        if (!crashed.has(f.node)) crashed.set(f.node, f.atMs);
        break;
      case "restart": {
        const s = crashed.get(f.node);
        if (s !== undefined) {
          out.push({ startMs: s, endMs: f.atMs, label: `crash ${f.node}`, kind: "crash" });
          crashed.delete(f.node);
        }
        break;
      }
      case "pause":
        out.push({
          startMs: f.atMs,
          endMs: f.atMs + f.durationMs,
          label: `pause ${f.node}`,
          kind: "pause",
        });
        break;
      case "clockJump":
      case "clockDrift":
        out.push({ startMs: f.atMs, endMs: f.atMs, label: `${f.type} ${f.node}`, kind: "clock" });
        break;
      case "slowLink":
        slowOpen.push({ startMs: f.atMs, label: `slow ${f.from}-${f.to}` });
        break;
      case "restore":
        for (const s of slowOpen) out.push({ ...s, endMs: f.atMs, kind: "slow" });
        slowOpen = [];
        break;
      case "hold":
        holdOpen.push({ startMs: f.atMs, label: `hold ${f.from}→${f.to}` });
        break;
      case "release":
        for (const s of holdOpen) out.push({ ...s, endMs: f.atMs, kind: "hold" });
        holdOpen = [];
        break;
    }
  }
  for (const s of holdOpen) out.push({ ...s, endMs, kind: "hold" });
  if (netOpen) out.push({ ...netOpen, endMs, kind: "network" });
  for (const [node, s] of crashed) {
    out.push({ startMs: s, endMs, label: `crash ${node}`, kind: "crash" });
  }
  for (const s of slowOpen) out.push({ ...s, endMs, kind: "slow" });
  return out.sort((a, b) => a.startMs - b.startMs || a.label.localeCompare(b.label));
}

function networkLabel(f: Extract<Fault, { type: "network" }>): string {
  const parts: string[] = [];
  if (f.reset) parts.push("reset");
  if (f.lossRatio !== undefined) parts.push(`loss ${f.lossRatio}`);
  if (f.reorderRatio !== undefined) parts.push(`reorder ${f.reorderRatio}`);
  if (f.reorderDelayMs !== undefined) parts.push(`reorder ≤ ${f.reorderDelayMs} ms`);
  if (f.duplicateRatio !== undefined) parts.push(`duplicate ${f.duplicateRatio}`);
  return `network: ${parts.join(", ") || "unchanged"}`;
}

/** A fresh "faults" stream for a root seed (what cluster helpers use for generators). */
export function faultsRng(seed: number | string): Rng {
  return new Rng(seed).fork("faults");
}
