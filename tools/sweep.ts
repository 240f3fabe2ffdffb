/**
 * Long seed sweeps, kept out of the README's test command: `deno task sweep <name> --seeds N
 * [--from S]`. Each sweep runs one seed at a time, prints progress, and on failure prints the
 * seed and the one-line command that replays it. `deno task sweep --list` lists the sweeps.
 */
import { z } from "zod";
import { parseConfig } from "../lib/sim/errors.ts";
import { assertClaims } from "../lib/experiments/claims.ts";
import * as fm from "../lib/experiments/failure_models.ts";
import { createCluster } from "../lib/net/cluster.ts";
import { type GossipMessage, GossipNode } from "../lib/protocols/gossip/mod.ts";

/** A sweep: runs one seed and throws on a violation. */
export interface Sweep {
  readonly describe: string;
  run(seed: number): void | Promise<void>;
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
  pbft: {
    describe: "PBFT: a random adversary of at most f replicas, random faults, then heal: no " +
      "breach, and a decision within the bound",
    async run(seed) {
      const { sweepOne } = await import("../lib/protocols/pbft/sweep.ts");
      const r = sweepOne(seed);
      if (r.breach) throw new Error(r.breach);
    },
  },
  tendermint: {
    describe: "Tendermint: a random adversary of at most f validators, random faults, then heal: " +
      "no breach, and a decision within the bound",
    async run(seed) {
      const { sweepOne } = await import("../lib/protocols/tendermint/sweep.ts");
      const r = sweepOne(seed);
      if (r.breach) throw new Error(r.breach);
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
}).strict();

if (import.meta.main) {
  const argv = [...Deno.args];
  if (argv.includes("--list") || argv.length === 0) {
    for (const [k, s] of Object.entries(sweeps)) console.log(`${k.padEnd(18)} ${s.describe}`);
    console.log("\nusage: deno task sweep <name> --seeds N [--from S]");
    Deno.exit(argv.length === 0 ? 2 : 0);
  }
  const flag = (f: string, d: number) => {
    const i = argv.indexOf(f);
    return i >= 0 ? Number(argv[i + 1]) : d;
  };
  let args;
  try {
    args = parseConfig(
      ArgsSchema,
      { name: argv[0], seeds: flag("--seeds", 100), from: flag("--from", 1) },
      "sweep arguments",
    );
  } catch (e) {
    console.error((e as Error).message);
    Deno.exit(2);
  }
  const sweep = sweeps[args.name];
  if (!sweep) {
    console.error(`unknown sweep "${args.name}"; try --list`);
    Deno.exit(2);
  }
  const t0 = performance.now();
  let failed = 0;
  for (let seed = args.from; seed < args.from + args.seeds; seed++) {
    try {
      await sweep.run(seed);
    } catch (e) {
      failed++;
      console.log(`\nFAILED seed=${seed}: ${(e as Error).message}`);
      console.log(`  replay: deno task sweep ${args.name} --seeds 1 --from ${seed}`);
    }
    const done = seed - args.from + 1;
    if (done % 10 === 0 || done === args.seeds) {
      const s = ((performance.now() - t0) / 1000).toFixed(1);
      console.log(`${args.name}: ${done}/${args.seeds} seeds, ${failed} failed, ${s} s`);
    }
  }
  console.log(`${args.seeds - failed} passed, ${failed} failed`);
  Deno.exit(failed ? 1 : 0);
}
