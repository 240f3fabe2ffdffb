/**
 * Sweeps on all cores: `deno task sweep NAME --seeds N --workers K` runs K workers, this process
 * and K-1 subprocesses of tools/sweep.ts (`--claim-dir DIR --claim-worker w`: the same code a
 * serial run uses, so each seed's verdict and lines are the serial ones). The seeds are cut into
 * chunks of decreasing size (`chunkRanges`) that the workers claim one at a time, so they finish
 * together even when seeds differ in cost or a subprocess starts late; each chunk's results go to
 * its own file, and the merge sorts them by seed into the serial report, byte for byte.
 * `--workers 1` runs serially in this process; the default is the machine's cores
 * (navigator.hardwareConcurrency). `--engine slurm` hands contiguous shards (`--shard i/K`) to a
 * Slurm job array instead (tools/sweep_slurm.ts).
 * @module
 */
import { z } from "zod";
import { ConfigError, parseConfig } from "../lib/sim/errors.ts";
import {
  chunkFile,
  chunkRanges,
  finishReport,
  formatBlock,
  readShard,
  runClaims,
  runSeeds,
  runShard,
  type SeedResult,
  type ShardFailure,
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
  "--claim-dir",
  "--claim-worker",
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
  claimDir: z.string().min(1).optional(),
  claimWorker: z.number().int().min(1).optional(),
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
      claimDir: value("--claim-dir"),
      claimWorker: value("--claim-worker") === undefined
        ? undefined
        : Number(value("--claim-worker")),
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
  if (o.claimDir !== undefined) {
    // a local sweep's worker subprocess: the parent passes its own k, so the chunks agree
    await runClaims(table, job, o.workers, o.claimDir, o.claimWorker ?? 1);
    return 0;
  }
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
 * Run a sweep on `k` local workers: this process (its modules are loaded already) and k-1
 * subprocesses, all claiming chunks of seeds (`runClaims`); then merge every chunk's file into the
 * report. A chunk a worker claimed but did not finish (the worker died) is named with its seeds,
 * the worker and how it ended; a worker that died without leaving a chunk unfinished costs only
 * time (the others ran its share) and is reported on stderr.
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
    const worker = j + 1;
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        SWEEP_SCRIPT,
        ...fwd,
        "--workers",
        `${k}`,
        "--claim-dir",
        dir,
        "--claim-worker",
        `${worker}`,
      ],
      cwd: REPO_ROOT,
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).spawn();
    const tail = await forward(child.stderr);
    const status = await child.status;
    return { worker, status, tail };
  }));
  let own = 0;
  let ownError: unknown;
  try {
    own = await runClaims(table, job, k, dir, 0);
  } catch (e) {
    // e.g. the chunk directory vanished: the chunks left unclaimed are reported missing below
    ownError = e;
  }
  const workers = await children;
  const how = (w: number): string => {
    if (w === 0) return `this process${ownError ? ` (${(ownError as Error).message})` : ""}`;
    const c = workers[w - 1];
    const end = c.status.success
      ? "exited 0"
      : `exited with code ${c.status.code}${c.status.signal ? ` (${c.status.signal})` : ""}`;
    return `subprocess worker ${w}, which ${end}` +
      (c.tail.length ? `; its last output: ${c.tail.join(" | ")}` : "");
  };
  const chunks = chunkRanges(job, k);
  const results: SeedResult[] = [];
  const failures: ShardFailure[] = [];
  const ranBy = new Array<number>(k).fill(0);
  for (const [c, range] of chunks.entries()) {
    const f = readShard(chunkFile(dir, c), job, c, chunks.length, range);
    results.push(...f.results);
    if (f.worker !== undefined && f.worker < k) ranBy[f.worker]++;
    if (!f.done) {
      failures.push({
        shard: c,
        of: chunks.length,
        seeds: range,
        label: `chunk ${c + 1}/${chunks.length}`,
        reason: (f.worker !== undefined ? `claimed by ${how(f.worker)}` : "not run") +
          (f.problem ? `; ${f.problem}` : ""),
      });
    }
  }
  for (const w of workers) {
    if (!w.status.success && !failures.some((f) => f.reason.includes(`worker ${w.worker},`))) {
      console.error(`warning: ${how(w.worker)}; the other workers ran its share`);
    }
  }
  const secs = ((performance.now() - t0) / 1000).toFixed(1);
  console.error(
    `${job.name}: ${job.seeds} seeds on ${k} local workers in ${secs} s ` +
      `(${chunks.length} chunks; run by worker 0 (this process): ${own}, ` +
      ranBy.slice(1).map((n, j) => `worker ${j + 1}: ${n}`).join(", ") + ")",
  );
  const code = await finishReport(job, results, failures, `local, ${k} workers`);
  if (o.shardDir === undefined && failures.length === 0) {
    await Deno.remove(dir, { recursive: true });
  } else if (failures.length) console.error(`  chunk files kept in ${dir}`);
  return code;
}
