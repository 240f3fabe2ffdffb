/**
 * Long seed sweeps, kept out of the README's test command: `deno task sweep <name> --seeds N
 * [--from S] [--mistake FLAG] [--shrink] [--schedule JSON]`. Each sweep runs one seed at a time,
 * prints progress, and on failure prints the seed and the one-line command that replays it; with
 * `--shrink`, a sweep whose faults are a schedule (pbft, tendermint) also shrinks the failing
 * schedule to a minimal one and prints the line that replays exactly that. `--mistake` switches a
 * classic mistake flag on. `deno task sweep --list` lists the sweeps. `--workers K` (default: the
 * machine's cores) runs K workers that claim chunks of seeds, `--engine slurm` a Slurm job array; the
 * report (stdout) is the serial one byte for byte, progress goes to stderr (tools/sweep_parallel.ts).
 */
import { z } from "zod";
import { parseConfig } from "../lib/sim/errors.ts";
import { assertClaims } from "../lib/experiments/claims.ts";
import * as fm from "../lib/experiments/failure_models.ts";
import { createCluster } from "../lib/net/cluster.ts";
import { type GossipMessage, GossipNode } from "../lib/protocols/gossip/mod.ts";
import { type Schedule, ScheduleSchema } from "../lib/net/nemesis.ts";
import { shrinkSchedule } from "../lib/net/shrink.ts";
import type { TwinsExploreInput, TwinsProtocolName } from "../lib/protocols/bft/twins_run.ts";

/** Options of one seed's run. */
export interface SweepRunOptions {
  /** A classic mistake flag to switch on (one of the sweep's `mistakes`). */
  readonly mistake?: string;
  /** Run this fault schedule instead of the seed's own (replay of a shrunk schedule). */
  readonly schedule?: Schedule;
}

/** A sweep: runs one seed and throws on a violation. */
export interface Sweep {
  readonly describe: string;
  /** Mistake flags `--mistake` may switch on. */
  readonly mistakes?: readonly string[];
  run(seed: number, options?: SweepRunOptions): void | Promise<void>;
  /**
   * For `--shrink` (sweeps whose faults are a schedule): the seed's own schedule, and a
   * synchronous run of any schedule that returns the breach line or undefined.
   */
  shrinkable?(): Promise<ShrinkableSweep>;
}

/** What `--shrink` needs of a sweep. */
export interface ShrinkableSweep {
  /** The fault schedule seed `seed` runs. */
  schedule(seed: number): Schedule;
  /** Run seed `seed` (with `options.schedule` instead of its own when given). */
  breach(seed: number, options: SweepRunOptions): string | undefined;
}

/** A sweep whose every seed is a fault schedule that `--shrink` can minimise. */
function scheduleSweep(
  describe: string,
  mistakes: readonly string[],
  load: () => Promise<ShrinkableSweep>,
): Sweep {
  return {
    describe,
    mistakes,
    async run(seed, options = {}) {
      const b = (await load()).breach(seed, options);
      if (b !== undefined) throw new Error(b);
    },
    shrinkable: load,
  };
}

/** Registered sweeps; protocol issues add theirs here. */
export const sweeps: Record<string, Sweep> = {
  "failure-models": {
    describe: "every prediction of notebook 06 (detector trade-off, phi, gossip, paused leader)",
    run(seed) {
      assertClaims(fm.allFailureModelClaims(fm.parseFailureModelsParams({ seed })));
    },
  },
  "gossip-push": {
    describe: "push gossip on 1024 nodes informs everyone within log2 n + ln n + 5 rounds",
    run(seed) {
      const n = 1024;
      const c = createCluster<GossipMessage>({
        seed,
        nodes: n,
        factory: (ctx) => new GossipNode(ctx, { mode: "push", maxRounds: 45 }),
        trace: { mode: "off" },
      });
      c.sim.at(0, () => c.sim.instanceOf<GossipNode>("n0")!.broadcast("r"));
      c.sim.run({ untilMs: 4600 });
      const learns = c.sim.events.filter((e) => e.event.type === "learn");
      const rounds = Math.max(...learns.map((e) => e.event.round as number));
      if (learns.length !== n) throw new Error(`only ${learns.length} of ${n} nodes informed`);
      const bound = Math.log2(n) + Math.log(n) + 5;
      if (rounds > bound) throw new Error(`${rounds} rounds > ${bound.toFixed(1)}`);
    },
  },
  pbft: scheduleSweep(
    "PBFT: a random adversary of at most f replicas, random faults, then heal: no breach, and " +
      "a decision within the bound",
    ["commitOn2f", "viewChangeIgnoresPrepared"],
    async () => {
      const m = await import("../lib/protocols/pbft/sweep.ts");
      return {
        schedule: (seed) => m.sweepSchedule(seed),
        breach: (seed, o) =>
          m.runSchedule(seed, o.schedule ?? m.sweepSchedule(seed), {
            mistake: o.mistake as "commitOn2f" | undefined,
          }).breach,
      };
    },
  ),
  tendermint: scheduleSweep(
    "Tendermint: a random adversary of at most f validators, random faults (every fourth seed " +
      "a mistake scenario), then heal: no breach, and a decision within the bound",
    ["prevoteIgnoresLock", "unlockOnLowerRound"],
    async () => {
      const m = await import("../lib/protocols/tendermint/sweep.ts");
      return {
        schedule: (seed) => m.seedSchedule(seed),
        breach: (seed, o) =>
          m.runSeedSchedule(seed, o.schedule ?? m.seedSchedule(seed), {
            mistake: o.mistake as "prevoteIgnoresLock" | undefined,
          }).breach,
      };
    },
  ),
  hotstuff: scheduleSweep(
    "HotStuff (odd seeds basic, even chained): a random adversary of at most f replicas, random " +
      "faults (every fourth seed a mistake scenario), then heal: no breach, and a decision within " +
      "the bound",
    ["ignoreLock", "commitOnTwoChain"],
    async () => {
      const m = await import("../lib/protocols/hotstuff/sweep.ts");
      return {
        schedule: (seed) => m.seedSchedule(seed),
        breach: (seed, o) =>
          m.runSeedSchedule(seed, o.schedule ?? m.seedSchedule(seed), {
            mistake: o.mistake as "ignoreLock" | undefined,
          }).breach,
      };
    },
  ),
  grandpa: scheduleSweep(
    "GRANDPA: a random adversary of at most f voters, random faults, then heal: no conflicting " +
      "finality, and finality within the bound",
    ["precommitWithoutPrevotes", "prevoteIgnoresEstimate"],
    async () => {
      const m = await import("../lib/protocols/grandpa/sweep.ts");
      return {
        schedule: (seed) => m.sweepSchedule(seed),
        breach: (seed, o) =>
          m.runSchedule(seed, o.schedule ?? m.sweepSchedule(seed), {
            mistake: o.mistake as "precommitWithoutPrevotes" | undefined,
          }).breach,
      };
    },
  ),
  "raft-detection": {
    describe: "measures detection power: which battery scenarios catch each known Raft mistake " +
      "on this seed (prints a line per mistake; count the seeds that catch each)",
    async run(seed) {
      const b = await import("../lib/protocols/raft/battery.ts");
      for (const m of b.RAFT_MISTAKES) {
        const rows = b.raftBattery(b.referenceRaft(b.mistakeConfig(m)), { seeds: [seed] }).rows;
        const caught = rows.filter((r) => r.failed).map((r) => r.scenario);
        console.log(`  seed ${seed} ${m}: ${caught.length ? caught.join(", ") : "not caught"}`);
      }
    },
  },
  "bft-compare": {
    describe:
      "notebook 03's five-protocol comparison at n = 4 … 64 (--max-n 128 for more) and its predictions",
    async run(seed) {
      const bc = await import("../lib/experiments/bft_compare.ts");
      const i = Deno.args.indexOf("--max-n");
      const maxN = i >= 0 ? Number(Deno.args[i + 1]) : 64;
      const ns = [4, 7, 10, 16, 31, 64, 128].filter((n) => n <= maxN);
      const p = bc.parseCompareParams({ seed, ns });
      const rows = bc.compareRows(p);
      for (const r of rows.filter((r) => !r.notApplicable)) {
        console.log(
          `  ${r.protocol.padEnd(16)} ${r.scenario.padEnd(10)} n=${String(r.n).padEnd(3)} ` +
            `messages ${r.messages} authenticators ${r.authenticators} ` +
            `latency ${r.latencyDelta}δ recovery ${r.recoveryMs} ms`,
        );
      }
      console.log(assertClaims(bc.compareClaims(rows, p)).toString());
    },
  },
  twins: {
    describe:
      "Twins (Bano et al. 2021): per seed, 10 paper scenarios each on PBFT, Tendermint and " +
      "basic HotStuff, and Tendermint's 46 variants of step (seed mod 6) of the stale-polka " +
      "scenario; prints scenarios explored, generated/s and run/s; --mistake: that flag's protocol",
    mistakes: [
      "commitOn2f",
      "viewChangeIgnoresPrepared",
      "prevoteIgnoresLock",
      "unlockOnLowerRound",
      "ignoreLock",
      "quorumOffByOne",
    ],
    async run(seed, o = {}) {
      const t = await import("../lib/protocols/bft/twins_run.ts");
      const now = () => performance.now();
      const paper = { n: 4, rounds: 3, scenarios: 10, seed, now, mistake: o.mistake ?? "none" };
      const runs: [TwinsProtocolName, TwinsExploreInput][] = [
        ["pbft", paper],
        ["tendermint", { ...paper, roundMode: "message", clients: 0 }],
        ["hotstuff", { ...paper, roundMode: "message", clients: 1 }],
        ["tendermint", {
          ...t.STEP_RUN,
          ...paper,
          base: t.STALE_POL_STEPS,
          vary: [seed % 6],
          scenarios: 46,
          partitions: 2,
          links: "mixed",
          whole: true,
        }],
      ];
      const tw = await import("../lib/protocols/bft/twins.ts");
      for (
        const [name, space] of [["paper", { n: 4, rounds: 3 }], ["steps", t.STEP_SPACE]] as const
      ) {
        const t0 = now();
        const k = t.generateOnly(space, 100_000, seed);
        const ms = now() - t0;
        console.log(
          `  generator (${name}, ${tw.twinsSpace(space).total} scenarios): ` +
            `${Math.round(k / (ms / 1000))} scenarios generated/s`,
        );
      }
      const caught: string[] = [];
      for (const [protocol, input] of runs) {
        const flags: readonly string[] = t.TWINS_MISTAKES[protocol];
        if (o.mistake !== undefined && !flags.includes(o.mistake)) continue;
        const [r] = t.twinsExplore(protocol, input);
        console.log(
          `  seed ${seed} ${protocol}${
            "base" in input ? " steps" : ""
          }: ${r.explored} of ${r.space} ` +
            `scenarios, ${r.generatedPerSec ?? "-"} generated/s, ${r.runPerSec ?? "-"} run/s, ` +
            `${r.violations} violations`,
        );
        if (r.violations > 0) caught.push(`${protocol} ${r.breach}; minimal: ${r.minimal}`);
      }
      if (caught.length) throw new Error(caught.join("\n"));
    },
  },
  "raft-battery": {
    describe: "every scenario of the learner's Raft battery on the reference Raft, this seed",
    async run(seed) {
      const { raftBattery, referenceRaft } = await import("../lib/protocols/raft/battery.ts");
      const failed = raftBattery(referenceRaft(), { seeds: [seed] }).rows.filter((r) => r.failed);
      if (failed.length) throw new Error(failed.map((r) => r.message).join("\n"));
    },
  },
};

const ArgsSchema = z.object({
  name: z.string(),
  seeds: z.number().int().min(1).max(1_000_000),
  from: z.number().int().min(0),
  mistake: z.string().optional(),
  shrink: z.boolean(),
  schedule: z.unknown().optional(),
}).strict();

/** The one line that replays `seed` of `name` (with a mistake and a schedule when given). */
export function replayLine(
  name: string,
  seed: number,
  o: { mistake?: string; schedule?: Schedule } = {},
): string {
  return `deno task sweep ${name} --seeds 1 --from ${seed}` +
    (o.mistake ? ` --mistake ${o.mistake}` : "") +
    (o.schedule ? ` --schedule '${JSON.stringify(o.schedule)}'` : "");
}

/**
 * Shrink the failing schedule of `seed` to a minimal one that still fails (lib/net/shrink.ts);
 * returns it with the number of runs and the one line that replays it.
 */
export async function shrinkSeed(
  name: string,
  sweep: Sweep,
  seed: number,
  mistake: string | undefined,
  maxRuns = 300,
): Promise<{ schedule: Schedule; runs: number; line: string }> {
  if (!sweep.shrinkable) throw new Error(`sweep "${name}" has no fault schedule to shrink`);
  const s = await sweep.shrinkable();
  const r = shrinkSchedule(
    (schedule) => s.breach(seed, { mistake, schedule }) !== undefined,
    s.schedule(seed),
    { maxRuns },
  );
  return {
    schedule: r.schedule,
    runs: r.runs,
    line: replayLine(name, seed, { mistake, schedule: r.schedule }),
  };
}

if (import.meta.main) {
  const argv = [...Deno.args];
  if (argv.includes("--list") || argv.length === 0) {
    for (const [k, s] of Object.entries(sweeps)) console.log(`${k.padEnd(18)} ${s.describe}`);
    console.log(
      "\nusage: deno task sweep <name> --seeds N [--from S] [--mistake FLAG] [--shrink] " +
        "[--schedule JSON]\n  [--workers K] [--engine local|slurm] [--partition P] [--shard-dir DIR] " +
        "[--sbatch-args ARGS] (tools/sweep_parallel.ts, tools/sweep_slurm.ts)",
    );
    Deno.exit(argv.length === 0 ? 2 : 0);
  }
  const flag = (f: string, d: number) => {
    const i = argv.indexOf(f);
    return i >= 0 ? Number(argv[i + 1]) : d;
  };
  const text = (f: string) => {
    const i = argv.indexOf(f);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  let args;
  let schedule: Schedule | undefined;
  try {
    args = parseConfig(
      ArgsSchema,
      {
        name: argv[0],
        seeds: flag("--seeds", 100),
        from: flag("--from", 1),
        mistake: text("--mistake"),
        shrink: argv.includes("--shrink"),
        schedule: text("--schedule"),
      },
      "sweep arguments",
    );
    const known = sweeps[args.name];
    if (known && args.mistake !== undefined && !(known.mistakes ?? []).includes(args.mistake)) {
      throw new Error(
        `invalid sweep arguments: mistake: "${args.mistake}" is not a mistake of ${args.name} ` +
          `(${(known.mistakes ?? []).join(", ") || "it has none"})`,
      );
    }
    if (typeof args.schedule === "string") {
      let json: unknown;
      try {
        json = JSON.parse(args.schedule);
      } catch {
        throw new Error("invalid sweep arguments: schedule: not JSON");
      }
      // node ids are checked by the cluster the schedule is run on
      schedule = parseConfig(ScheduleSchema, json, "sweep arguments: schedule");
    }
  } catch (e) {
    console.error((e as Error).message);
    Deno.exit(2);
  }
  const sweep = sweeps[args.name];
  if (!sweep) {
    console.error(`unknown sweep "${args.name}"; try --list`);
    Deno.exit(2);
  }
  // serial, on local workers (--workers K) or as a Slurm job array (--engine slurm)
  const { dispatch } = await import("./sweep_parallel.ts");
  const job = { ...args, schedule };
  Deno.exit(await dispatch(argv, job, { sweeps, replayLine, shrinkSeed }));
}
