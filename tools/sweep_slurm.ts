/**
 * Sweeps on a Slurm cluster (`deno task sweep NAME --seeds N --engine slurm --workers K`): checks
 * that the controller answers (`scontrol ping`), writes a batch script into a shared directory,
 * submits it as a job array (`sbatch --parsable --array=0-(K-1)`), one shard of seeds per task
 * (each task runs `tools/sweep.ts … --shard i/K --shard-out DIR/shard-i.jsonl`), polls
 * `squeue -j ID` until no task is pending or running (no accounting needed), and merges the shard
 * files into the same report as a local run. A task that fails or is cancelled, or a controller
 * that cannot be reached, ends the sweep with exit code 3 and an error naming what failed and
 * the seeds missing from the report. Flags: `--partition P`, `--shard-dir DIR` (must be visible
 * on the compute nodes; default out/sweep-slurm/NAME-TIME under the repository),
 * `--sbatch-args "…"` (passed to sbatch), `--deno PATH` (the deno binary on the compute nodes;
 * default this one), `--poll-ms MS`.
 * @module
 */
import {
  finishReport,
  readShard,
  type SeedResult,
  type ShardFailure,
  type SweepJob,
} from "./_sweep_shard.ts";
import { type EngineOptions, REPO_ROOT, shardArgs, SWEEP_SCRIPT } from "./sweep_parallel.ts";

/** Output of one Slurm command; `missing` when the program is not installed. */
interface Ran {
  code: number;
  stdout: string;
  stderr: string;
  missing?: boolean;
}

/** Run a Slurm client command (its environment, SLURM_CONF included, is ours). */
async function slurm(cmd: string, args: string[]): Promise<Ran> {
  try {
    const r = await new Deno.Command(cmd, { args, stdin: "null", stdout: "piped", stderr: "piped" })
      .output();
    const dec = new TextDecoder();
    return { code: r.code, stdout: dec.decode(r.stdout), stderr: dec.decode(r.stderr) };
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      return { code: 127, stdout: "", stderr: "", missing: true };
    }
    throw e;
  }
}

/** Quote one word for /bin/sh. */
export function shQuote(s: string): string {
  return `'${s.replaceAll("'", `'\\''`)}'`;
}

/** Array task ids in a squeue `%K` field: "3", "0-7", "1,4-6", "0-15%4" (throttle). */
export function taskIds(field: string): number[] {
  const out: number[] = [];
  for (const part of field.replace(/%\d+$/, "").replace(/[[\]]/g, "").split(",")) {
    const [a, b] = part.split("-").map(Number);
    if (!Number.isInteger(a)) continue;
    for (let i = a; i <= (Number.isInteger(b) ? b : a); i++) out.push(i);
  }
  return out;
}

const ACTIVE = new Set([
  "PENDING",
  "CONFIGURING",
  "RUNNING",
  "COMPLETING",
  "SUSPENDED",
  "REQUEUED",
  "REQUEUE_HOLD",
  "REQUEUE_FED",
  "RESIZING",
  "SIGNALING",
  "STAGE_OUT",
  "STOPPED",
]);

/** Our name for a task that left squeue's listing while pending or running. */
const GONE = "GONE";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The last non-empty lines of a task's Slurm output file. */
function logTail(file: string, keep = 3): string {
  try {
    const lines = Deno.readTextFileSync(file).split("\n")
      .filter((l) => l.trim() && !/^\s+at /.test(l)); // stack frames say little
    return lines.slice(-keep).join(" | ");
  } catch {
    return "";
  }
}

/** Submit the sweep as a job array of `k` shards, wait for it, and merge the report. */
export async function runSlurm(
  argv: readonly string[],
  job: SweepJob,
  k: number,
  o: EngineOptions,
): Promise<number> {
  const engine = `slurm, ${k} array tasks`;
  const fail = (reason: string) => finishReport(job, [], [{ reason }], engine);
  const ping = await slurm("scontrol", ["ping"]);
  if (ping.missing) {
    return await fail("slurm: scontrol not found on PATH (is Slurm installed on this host?)");
  }
  if (ping.code !== 0 || !/\bis UP\b/.test(ping.stdout)) {
    return await fail(
      `slurm: controller unreachable (scontrol ping: ${
        (ping.stdout + ping.stderr).trim().replaceAll("\n", " | ") || `exit code ${ping.code}`
      })`,
    );
  }
  const dir = o.shardDir ??
    `${REPO_ROOT}out/sweep-slurm/${job.name}-${new Date().toISOString().replace(/[:.]/g, "-")}`;
  await Deno.mkdir(dir, { recursive: true });
  const deno = o.deno ?? Deno.execPath();
  const script = `${dir}/sweep.sh`;
  const words = [deno, "run", "-A", SWEEP_SCRIPT, ...shardArgs(argv)].map(shQuote).join(" ");
  await Deno.writeTextFile(
    script,
    [
      "#!/bin/sh",
      `# distlab: sweep ${job.name}, seeds ${job.from}-${job.from + job.seeds - 1}, ${k} shards`,
      `cd ${shQuote(REPO_ROOT)} || exit 1`,
      `exec ${words} --shard "$SLURM_ARRAY_TASK_ID/${k}" ` +
      `--shard-out ${shQuote(dir)}/shard-"$SLURM_ARRAY_TASK_ID".jsonl`,
      "",
    ].join("\n"),
  );
  for (let i = 0; i < k; i++) await Deno.remove(`${dir}/shard-${i}.jsonl`).catch(() => {});
  const sb = await slurm("sbatch", [
    "--parsable",
    `--array=0-${k - 1}`,
    `--job-name=sweep-${job.name}`,
    `--output=${dir}/slurm-%A_%a.out`,
    ...(o.partition ? [`--partition=${o.partition}`] : []),
    ...(o.sbatchArgs ?? "").split(/\s+/).filter((w) => w.length > 0),
    script,
  ]);
  const id = sb.stdout.trim().split(";")[0];
  if (sb.missing || sb.code !== 0 || !/^\d+$/.test(id)) {
    return await fail(
      `slurm: sbatch failed (${
        sb.missing ? "not found on PATH" : (sb.stderr.trim() || `exit code ${sb.code}`)
      }); nothing was submitted`,
    );
  }
  console.error(`slurm: submitted job ${id} (${k} array tasks); shard files in ${dir}`);
  const t0 = performance.now();
  const states = new Map<number, string>();
  const failures: ShardFailure[] = [];
  let errorsInRow = 0;
  let lastLine = "";
  for (;;) {
    const q = await slurm("squeue", ["-h", "-t", "all", "-j", id, "-o", "%K %T"]);
    if (q.code !== 0) {
      if (/invalid job id/i.test(q.stderr)) break; // purged from the controller: finished
      errorsInRow++;
      if (errorsInRow * o.pollMs >= 60_000 && errorsInRow >= 5) {
        failures.push({
          reason: `slurm: lost the controller while job ${id} ran (squeue: ${
            q.stderr.trim() || `exit code ${q.code}`
          }); cancel it with scancel ${id}`,
        });
        break;
      }
    } else {
      errorsInRow = 0;
      let active = 0;
      const listed = new Set<number>();
      for (const line of q.stdout.split("\n").filter((l) => l.trim())) {
        const [ids, state] = line.trim().split(/\s+/);
        for (const i of taskIds(ids)) {
          listed.add(i);
          states.set(i, state);
          if (ACTIVE.has(state)) active++;
        }
      }
      // a task cancelled while pending leaves the listing without a final state
      for (const [i, s] of states) if (!listed.has(i) && ACTIVE.has(s)) states.set(i, GONE);
      const counts = new Map<string, number>();
      for (const s of states.values()) counts.set(s, (counts.get(s) ?? 0) + 1);
      const line = [...counts].map(([s, n]) => `${n} ${s.toLowerCase()}`).join(", ");
      if (line !== lastLine) {
        const secs = ((performance.now() - t0) / 1000).toFixed(1);
        console.error(`slurm: job ${id}: ${line || "no tasks listed"} (${secs} s)`);
        lastLine = line;
      }
      if (active === 0) break;
    }
    await sleep(o.pollMs);
  }
  const results: SeedResult[] = [];
  for (let i = 0; i < k; i++) {
    const file = `${dir}/shard-${i}.jsonl`;
    let f = readShard(file, job, i, k);
    // a shared file system may show a finished task's file a little late
    for (let t = 0; !f.done && states.get(i) === "COMPLETED" && t < 10; t++) {
      await sleep(500);
      f = readShard(file, job, i, k);
    }
    results.push(...f.results);
    if (!f.done) {
      const state = states.get(i);
      const tail = logTail(`${dir}/slurm-${id}_${i}.out`);
      failures.push({
        shard: i,
        of: k,
        reason: `array task ${id}_${i} ` +
          (state === GONE || state === undefined
            ? "left the queue without a final state (cancelled?)"
            : `ended ${state}`) +
          (f.problem ? `; ${f.problem}` : "") + (tail ? `; its output: ${tail}` : ""),
      });
    }
  }
  const secs = ((performance.now() - t0) / 1000).toFixed(1);
  console.error(`slurm: job ${id} done in ${secs} s`);
  return await finishReport(job, results, failures, engine);
}
