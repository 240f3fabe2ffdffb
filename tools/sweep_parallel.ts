/**
 * Sweeps on all cores: `deno task sweep NAME --seeds N --workers K` splits the seeds into K
 * contiguous shards and runs each in a subprocess of tools/sweep.ts with `--shard i/K` (the same
 * code a serial run uses, so each seed's verdict and lines are the serial ones), then merges the
 * shard files sorted by seed into the serial report, byte for byte. `--workers 1` runs serially
 * in this process; the default is the machine's cores (navigator.hardwareConcurrency).
 * `--engine slurm` hands the shards to a Slurm job array instead (tools/sweep_slurm.ts).
 * @module
 */
import { z } from "zod";
import { ConfigError, parseConfig } from "../lib/sim/errors.ts";
import {
  finishReport,
  formatBlock,
  readShard,
  runSeeds,
  runShard,
  type SeedResult,
  type ShardFailure,
  shardRange,
  type SweepJob,
  type SweepTable,
} from "./_sweep_shard.ts";

/** Flags of the engines, each taking one value (stripped from the arguments passed to shards). */
export const ENGINE_FLAGS = [
  "--workers",
  "--engine",
  "--shard",
  "--shard-out",
  "--shard-dir",
  "--partition",
  "--sbatch-args",
  "--deno",
  "--poll-ms",
] as const;

const EngineSchema = z.object({
  workers: z.number().int().min(1).max(4096),
  engine: z.enum(["local", "slurm"]),
  shard: z.string().regex(/^\d+\/\d+$/, "expected i/k, e.g. 0/4").optional(),
  shardOut: z.string().min(1).optional(),
  shardDir: z.string().min(1).optional(),
  partition: z.string().min(1).optional(),
  sbatchArgs: z.string().optional(),
  deno: z.string().min(1).optional(),
  pollMs: z.number().int().min(50).max(600_000),
}).strict();

/** The engine options of a sweep command. */
export type EngineOptions = z.output<typeof EngineSchema>;

/** Parse the engine flags of `argv`, or throw a ConfigError naming the bad one. */
export function parseEngineArgs(argv: readonly string[]): EngineOptions {
  const value = (f: string) => {
    const i = argv.indexOf(f);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const num = (
    f: string,
    d: number,
  ) => (value(f) === undefined && !argv.includes(f) ? d : Number(value(f)));
  const o = parseConfig(
    EngineSchema,
    {
      workers: num("--workers", navigator.hardwareConcurrency || 1),
      engine: value("--engine") ?? "local",
      shard: value("--shard"),
      shardOut: value("--shard-out"),
      shardDir: value("--shard-dir"),
      partition: value("--partition"),
      sbatchArgs: value("--sbatch-args"),
      deno: value("--deno"),
      pollMs: num("--poll-ms", 1000),
    },
    "sweep arguments",
  );
  if (o.shard !== undefined) {
    const [i, k] = o.shard.split("/").map(Number);
    if (k < 1 || i >= k) {
      throw new ConfigError("sweep arguments", [
        { path: "shard", message: `${o.shard}: the index must be below the count (i/k)` },
      ]);
    }
    if (o.shardOut === undefined) {
      throw new ConfigError("sweep arguments", [
        { path: "shard-out", message: "required with --shard" },
      ]);
    }
  }
  return o;
}

/** `argv` without the engine flags and their values: what every shard is started with. */
export function shardArgs(argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if ((ENGINE_FLAGS as readonly string[]).includes(argv[i])) i++;
    else out.push(argv[i]);
  }
  return out;
}

/** Path of tools/sweep.ts, the script every shard runs. */
export const SWEEP_SCRIPT = new URL("./sweep.ts", import.meta.url).pathname;
/** The repository root (shards run there, so deno.json's imports resolve). */
export const REPO_ROOT = new URL("..", import.meta.url).pathname;

/**
 * Run a parsed sweep command with the engine its flags choose; returns the exit code (0 all
 * passed, 1 some seed failed, 2 bad input, 3 incomplete: a shard or the engine failed).
 */
export async function dispatch(
  argv: readonly string[],
  job: SweepJob,
  table: SweepTable,
): Promise<number> {
  let o: EngineOptions;
  try {
    o = parseEngineArgs(argv);
  } catch (e) {
    console.error((e as Error).message);
    return 2;
  }
  if (o.shard !== undefined) {
    const [i, k] = o.shard.split("/").map(Number);
    await runShard(table, job, i, k, o.shardOut!);
    return 0;
  }
  const k = Math.min(o.workers, job.seeds);
  if (o.engine === "slurm") {
    const { runSlurm } = await import("./sweep_slurm.ts");
    return await runSlurm(argv, job, k, o);
  }
  if (k === 1) return await runSerial(table, job);
  return await runLocal(argv, job, k, o, table);
}

/** Run every seed in this process, printing each seed's block as it finishes. */
export async function runSerial(table: SweepTable, job: SweepJob): Promise<number> {
  const results: SeedResult[] = [];
  const enc = new TextEncoder();
  await runSeeds(table, job, { start: job.from, end: job.from + job.seeds }, job.name, (r) => {
    results.push(r);
    const bytes = enc.encode(formatBlock(r));
    let off = 0;
    while (off < bytes.length) off += Deno.stdout.writeSync(bytes.subarray(off));
  });
  return await finishReport(job, results, [], "serial", true);
}

/** Forward a child's stderr to ours, keeping its last lines for an error message. */
async function forward(stream: ReadableStream<Uint8Array>, keep = 5): Promise<string[]> {
  const dec = new TextDecoder();
  let text = "";
  for await (const chunk of stream) {
    let off = 0;
    while (off < chunk.length) off += await Deno.stderr.write(chunk.subarray(off));
    text = (text + dec.decode(chunk, { stream: true })).slice(-4000);
  }
  return text.split("\n").filter((l) => l.trim() && !/^\s+at /.test(l)).slice(-keep);
}

/**
 * Run `k` shards on this machine: shard 0 in this process (its modules are loaded already),
 * shards 1 … k-1 as subprocesses; merge everything into the report.
 */
export async function runLocal(
  argv: readonly string[],
  job: SweepJob,
  k: number,
  o: EngineOptions,
  table: SweepTable,
): Promise<number> {
  const dir = o.shardDir ?? await Deno.makeTempDir({ prefix: `sweep-${job.name}-` });
  await Deno.mkdir(dir, { recursive: true });
  const fwd = shardArgs(argv);
  const t0 = performance.now();
  const children = Promise.all(Array.from({ length: k - 1 }, async (_, j) => {
    const i = j + 1;
    const file = `${dir}/shard-${i}.jsonl`;
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", SWEEP_SCRIPT, ...fwd, "--shard", `${i}/${k}`, "--shard-out", file],
      cwd: REPO_ROOT,
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).spawn();
    const tail = await forward(child.stderr);
    const status = await child.status;
    return { i, file, status, tail };
  }));
  const results: SeedResult[] = [];
  await runSeeds(table, job, shardRange(job, 0, k), `${job.name} shard 0/${k}`, (r) => {
    results.push(r);
  });
  const shards = await children;
  const failures: ShardFailure[] = [];
  for (const s of shards) {
    const f = readShard(s.file, job, s.i, k);
    results.push(...f.results);
    if (!f.done) {
      const how = s.status.success
        ? "exited 0 without finishing its seeds"
        : `exited with code ${s.status.code}${s.status.signal ? ` (${s.status.signal})` : ""}`;
      failures.push({
        shard: s.i,
        of: k,
        reason: `subprocess ${how}` + (f.problem ? `; ${f.problem}` : "") +
          (s.tail.length ? `; its last output: ${s.tail.join(" | ")}` : ""),
      });
    }
  }
  const secs = ((performance.now() - t0) / 1000).toFixed(1);
  console.error(`${job.name}: ${job.seeds} seeds on ${k} local workers in ${secs} s`);
  const code = await finishReport(job, results, failures, `local, ${k} workers`);
  if (o.shardDir === undefined && failures.length === 0) {
    await Deno.remove(dir, { recursive: true });
  } else if (failures.length) console.error(`  shard files kept in ${dir}`);
  return code;
}
