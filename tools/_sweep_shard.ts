/**
 * The pieces every sweep engine shares (tools/sweep_parallel.ts, tools/sweep_slurm.ts): which
 * seeds shard i of k runs, running seeds into per-seed report blocks, the shard result file
 * (JSON lines), and the merge into one report sorted by seed. The report holds only what the
 * seeds themselves produce (their printed lines, failures, replay and shrink lines) and the
 * summary, so a sweep split into any number of shards prints the serial report byte for byte;
 * progress and timings go to stderr.
 * @module
 */
import type * as S from "./sweep.ts";
import type { Schedule } from "../lib/net/nemesis.ts";
import { formatFault } from "../lib/net/shrink.ts";

/** What tools/sweep.ts hands the engines (passed in: a static import of it would be a cycle). */
export interface SweepTable {
  /** The registered sweeps. */
  readonly sweeps: Record<string, S.Sweep>;
  /** The one line that replays a seed. */
  readonly replayLine: typeof S.replayLine;
  /** Shrinks a failing seed's schedule. */
  readonly shrinkSeed: typeof S.shrinkSeed;
}

/** A parsed sweep command: which sweep, which seeds, and the per-seed options. */
export interface SweepJob {
  /** Sweep name (a key of the table). */
  readonly name: string;
  /** Number of seeds. */
  readonly seeds: number;
  /** First seed. */
  readonly from: number;
  /** Mistake flag switched on, if any. */
  readonly mistake?: string;
  /** Shrink failing schedules. */
  readonly shrink: boolean;
  /** Replay this schedule instead of each seed's own. */
  readonly schedule?: Schedule;
}

/** One seed's verdict and its block of the report. */
export interface SeedResult {
  /** The seed. */
  readonly seed: number;
  /** True when the seed passed. */
  readonly ok: boolean;
  /** The seed's lines of the report, in order (what it printed, then any failure lines). */
  readonly lines: readonly string[];
}

/** A half-open range of seeds [start, end). */
export interface SeedRange {
  readonly start: number;
  readonly end: number;
}

/** The half-open seed range [start, end) that shard `i` of `k` runs (contiguous, balanced). */
export function shardRange(job: SweepJob, i: number, k: number): SeedRange {
  return {
    start: job.from + Math.floor((i * job.seeds) / k),
    end: job.from + Math.floor(((i + 1) * job.seeds) / k),
  };
}

/**
 * The chunks a local sweep on `k` workers is cut into, in seed order. Workers claim them one at a
 * time ({@link runClaims}), so a worker that starts late (a subprocess loads its modules first)
 * or draws costly seeds simply claims fewer. A variant of guided self-scheduling (Polychronopoulos
 * and Kuck, "Guided self-scheduling", IEEE Trans. Computers, 1987), which hands a free processor
 * ceil(remaining / k) iterations: here each chunk holds half that, ceil(remaining / 2k) seeds, so
 * chunks start large (few claims) and end small (the last claims are short, and workers finish
 * close together).
 */
export function chunkRanges(job: SweepJob, k: number): SeedRange[] {
  const out: SeedRange[] = [];
  const end = job.from + job.seeds;
  for (let start = job.from; start < end;) {
    const next = start + Math.ceil((end - start) / (2 * k));
    out.push({ start, end: next });
    start = next;
  }
  return out;
}

/** "seeds 3-7, 9" for a sorted list of seeds (ranges of consecutive seeds joined by "-"). */
export function formatSeeds(seeds: readonly number[]): string {
  const parts: string[] = [];
  let i = 0;
  while (i < seeds.length) {
    let j = i;
    while (j + 1 < seeds.length && seeds[j + 1] === seeds[j] + 1) j++;
    parts.push(j > i ? `${seeds[i]}-${seeds[j]}` : `${seeds[i]}`);
    i = j + 1;
  }
  return `seed${seeds.length === 1 ? "" : "s"} ${parts.join(", ")}`;
}

function show(a: unknown): string {
  return typeof a === "string" ? a : Deno.inspect(a, { colors: false });
}

/** Run one seed, capturing what it prints; a throw is a failed verdict with its replay line. */
export async function runSeed(table: SweepTable, job: SweepJob, seed: number): Promise<SeedResult> {
  const sweep = table.sweeps[job.name];
  const lines: string[] = [];
  const log = console.log;
  console.log = (...args: unknown[]) => lines.push(...args.map(show).join(" ").split("\n"));
  let error: unknown;
  let ok = true;
  try {
    await sweep.run(seed, { mistake: job.mistake, schedule: job.schedule });
  } catch (e) {
    ok = false;
    error = e;
  } finally {
    console.log = log;
  }
  if (!ok) {
    const o = { mistake: job.mistake, schedule: job.schedule };
    lines.push(
      "",
      ...`FAILED seed=${seed}: ${(error as Error)?.message ?? String(error)}`.split("\n"),
      `  replay: ${table.replayLine(job.name, seed, o)}`,
    );
    if (job.shrink && !job.schedule) {
      try {
        const s = await table.shrinkSeed(job.name, sweep, seed, job.mistake);
        lines.push(`  shrunk in ${s.runs} runs to ${s.schedule.length} fault(s):`);
        for (const f of s.schedule) lines.push(`    ${formatFault(f)}`);
        lines.push(`  replay the minimal schedule: ${s.line}`);
      } catch (e) {
        lines.push(`  shrink failed: ${(e as Error).message}`);
      }
    }
  }
  return { seed, ok, lines };
}

/**
 * Run seeds [start, end) one at a time, calling `onResult` after each and printing progress
 * (`label: done/total seeds, failed, seconds`) to stderr every ten seeds and at the end.
 */
export async function runSeeds(
  table: SweepTable,
  job: SweepJob,
  range: { start: number; end: number },
  label: string,
  onResult: (r: SeedResult) => void,
): Promise<void> {
  const t0 = performance.now();
  const total = range.end - range.start;
  let failed = 0;
  for (let seed = range.start; seed < range.end; seed++) {
    const r = await runSeed(table, job, seed);
    if (!r.ok) failed++;
    onResult(r);
    const done = seed - range.start + 1;
    if (done % 10 === 0 || done === total) {
      const s = ((performance.now() - t0) / 1000).toFixed(1);
      console.error(`${label}: ${done}/${total} seeds, ${failed} failed, ${s} s`);
    }
  }
}

/** One seed's block as report text. */
export function formatBlock(r: SeedResult): string {
  return r.lines.map((l) => l + "\n").join("");
}

/** The report's last line for a complete sweep. */
export function summaryLine(results: readonly SeedResult[]): string {
  const failed = results.filter((r) => !r.ok).length;
  return `${results.length - failed} passed, ${failed} failed`;
}

/** Header of a shard result file. */
interface ShardHeader {
  shard: number;
  of: number;
  name: string;
  start: number;
  end: number;
  /** The local worker that claimed the chunk, and its process id (chunk files only). */
  worker?: number;
  pid?: number;
}

/**
 * Shard mode (`--shard i/k --shard-out FILE`): run shard i's seeds, appending one JSON line per
 * seed to FILE as it finishes and a last line `{"done": n}` when all are run. A shard that dies
 * leaves a file without the done line, and the merge names the seeds it lacks.
 */
export async function runShard(
  table: SweepTable,
  job: SweepJob,
  i: number,
  k: number,
  file: string,
): Promise<void> {
  const range = shardRange(job, i, k);
  const header: ShardHeader = { shard: i, of: k, name: job.name, ...range };
  await writeShard(table, job, header, file, `${job.name} shard ${i}/${k}`);
}

// a shard file: the header, one JSON line per seed as it finishes, then `{"done": n}`
async function writeShard(
  table: SweepTable,
  job: SweepJob,
  header: ShardHeader,
  file: string,
  label: string,
): Promise<void> {
  Deno.writeTextFileSync(file, JSON.stringify(header) + "\n");
  let n = 0;
  await runSeeds(table, job, header, label, (r) => {
    n++;
    Deno.writeTextFileSync(file, JSON.stringify(r) + "\n", { append: true });
  });
  Deno.writeTextFileSync(file, JSON.stringify({ done: n }) + "\n", { append: true });
}

/** The result file of chunk `c` of a local sweep in `dir`. */
export function chunkFile(dir: string, c: number): string {
  return `${dir}/chunk-${c}.jsonl`;
}

/**
 * Worker mode of a local sweep on `k` workers (`--claim-dir DIR`): claim the chunks of
 * {@link chunkRanges} in order, each by creating its result file (`createNew`: exactly one worker
 * wins a chunk, on a local file system), skipping those another worker created, and run each
 * claimed chunk into its file as {@link runShard} does. Returns how many chunks this worker ran.
 */
export async function runClaims(
  table: SweepTable,
  job: SweepJob,
  k: number,
  dir: string,
  worker: number,
): Promise<number> {
  const chunks = chunkRanges(job, k);
  let ran = 0;
  for (const [c, range] of chunks.entries()) {
    const file = chunkFile(dir, c);
    try {
      Deno.openSync(file, { write: true, createNew: true }).close();
    } catch (e) {
      if (e instanceof Deno.errors.AlreadyExists) continue;
      throw e;
    }
    const header: ShardHeader = {
      shard: c,
      of: chunks.length,
      name: job.name,
      ...range,
      worker,
      pid: Deno.pid,
    };
    await writeShard(
      table,
      job,
      header,
      file,
      `${job.name} worker ${worker}/${k} chunk ${c + 1}/${chunks.length}`,
    );
    ran++;
  }
  return ran;
}

/** What a shard file holds: its seeds' results and whether the shard finished. */
export interface ShardFile {
  /** Results found (possibly fewer than the shard's seeds). */
  readonly results: SeedResult[];
  /** True when the done line is there and counts every result. */
  readonly done: boolean;
  /** Why the file could not be read, when it could not. */
  readonly problem?: string;
  /** The local worker that claimed it (chunk files only). */
  readonly worker?: number;
}

/**
 * Read a shard result file written by `runShard` (a torn last line is ignored); `range` is the
 * seeds it should hold (default: shard i of k; a chunk's range for a chunk file).
 */
export function readShard(
  file: string,
  job: SweepJob,
  i: number,
  k: number,
  range: SeedRange = shardRange(job, i, k),
): ShardFile {
  let text: string;
  try {
    text = Deno.readTextFileSync(file);
  } catch (e) {
    return { results: [], done: false, problem: `no result file ${file} (${(e as Error).name})` };
  }
  const results: SeedResult[] = [];
  let done = false;
  let worker: number | undefined;
  const lines = text.split("\n").filter((l) => l.length > 0);
  for (const [j, line] of lines.entries()) {
    let v: Record<string, unknown>;
    try {
      v = JSON.parse(line);
    } catch {
      if (j === lines.length - 1) break; // torn last write of a killed shard
      return { results, done: false, problem: `${file} line ${j + 1} is not JSON` };
    }
    if (j === 0) {
      const h = v as unknown as ShardHeader;
      if (
        h.name !== job.name || h.start !== range.start || h.end !== range.end || h.shard !== i ||
        h.of !== k
      ) {
        return {
          results,
          done: false,
          problem: `${file} belongs to another sweep (${h.name} seeds ${h.start}-${h.end - 1})`,
        };
      }
      worker = h.worker;
    } else if (typeof v.done === "number") {
      done = v.done === results.length;
    } else {
      const r = v as unknown as SeedResult;
      if (typeof r.seed === "number" && r.seed >= range.start && r.seed < range.end) {
        results.push(r);
      }
    }
  }
  return { results, done, worker };
}

/** A shard that did not deliver all its seeds (or an engine that ran none), and why. */
export interface ShardFailure {
  /** Shard index (absent: the engine failed as a whole, e.g. no Slurm controller). */
  readonly shard?: number;
  /** Number of shards. */
  readonly of?: number;
  /** What went wrong (exit status, Slurm state, log tail). */
  readonly reason: string;
  /** Its seeds, when they are not shard `shard` of `of` (a local sweep's chunk). */
  readonly seeds?: SeedRange;
  /** What to call it (default "shard i/k"). */
  readonly label?: string;
}

/** A merged sweep: the report (blocks sorted by seed, then the summary), exit code, error. */
export interface MergedReport {
  /** The seeds' blocks in seed order. */
  readonly blocks: string;
  /** The last line (with "INCOMPLETE: …" when seeds are missing). */
  readonly summary: string;
  /** 0 all passed, 1 some seed failed, 3 incomplete. */
  readonly code: number;
  /** For an incomplete sweep: each failed shard, the missing seeds and how to rerun them. */
  readonly error?: string;
  /** Seeds missing from the report. */
  readonly missing: readonly number[];
}

/**
 * Merge shard results (sorted by seed, so the order shards finish in does not matter). An
 * incomplete sweep says so in its summary and its error names each failed shard, the seeds
 * missing from the report and the commands that rerun them.
 */
export function mergeReport(
  job: SweepJob,
  results: readonly SeedResult[],
  failures: readonly ShardFailure[],
  engine: string,
): MergedReport {
  const bySeed = new Map<number, SeedResult>();
  for (const r of results) bySeed.set(r.seed, r);
  const sorted = [...bySeed.values()].sort((a, b) => a.seed - b.seed);
  const missing: number[] = [];
  for (let s = job.from; s < job.from + job.seeds; s++) if (!bySeed.has(s)) missing.push(s);
  const blocks = sorted.map(formatBlock).join("");
  let summary = summaryLine(sorted);
  if (missing.length === 0 && failures.length === 0) {
    return { blocks, summary, code: sorted.every((r) => r.ok) ? 0 : 1, missing };
  }
  summary += `; INCOMPLETE: ${missing.length} of ${job.seeds} seeds missing (${
    missing.length ? formatSeeds(missing) : "none"
  })`;
  const err: string[] = [`sweep ${job.name} (${engine}) INCOMPLETE:`];
  for (const f of failures) {
    if (f.shard === undefined || f.of === undefined) {
      err.push(`  ${f.reason}`);
      continue;
    }
    const r = f.seeds ?? shardRange(job, f.shard, f.of);
    const seeds = Array.from({ length: r.end - r.start }, (_, j) => r.start + j);
    const lost = seeds.filter((s) => !bySeed.has(s));
    err.push(
      `  ${f.label ?? `shard ${f.shard}/${f.of}`} (${formatSeeds(seeds)}) failed: ${f.reason}` +
        (lost.length ? `; missing ${formatSeeds(lost)}` : ""),
    );
  }
  if (missing.length) {
    err.push(
      `  missing from the report: ${formatSeeds(missing)} (${missing.length} of ${job.seeds})`,
    );
    for (const [a, b] of runs(missing)) {
      err.push(
        `  rerun: deno task sweep ${job.name} --seeds ${b - a + 1} --from ${a}` +
          (job.mistake ? ` --mistake ${job.mistake}` : "") + (job.shrink ? " --shrink" : "") +
          (job.schedule ? ` --schedule '${JSON.stringify(job.schedule)}'` : ""),
      );
    }
  }
  return { blocks, summary, code: 3, error: err.join("\n"), missing };
}

/**
 * Merge and print: the report to stdout (without the blocks when they were streamed already),
 * any error to stderr; returns the exit code.
 */
export async function finishReport(
  job: SweepJob,
  results: readonly SeedResult[],
  failures: readonly ShardFailure[],
  engine: string,
  blocksPrinted = false,
): Promise<number> {
  const m = mergeReport(job, results, failures, engine);
  await writeAll((blocksPrinted ? "" : m.blocks) + m.summary + "\n");
  if (m.error) console.error(m.error);
  return m.code;
}

function runs(seeds: readonly number[]): [number, number][] {
  const out: [number, number][] = [];
  for (const s of seeds) {
    const last = out[out.length - 1];
    if (last && last[1] === s - 1) last[1] = s;
    else out.push([s, s]);
  }
  return out;
}

/** Write text to stdout completely (large reports must not be cut by a Deno.exit). */
export async function writeAll(text: string): Promise<void> {
  const bytes = new TextEncoder().encode(text);
  let off = 0;
  while (off < bytes.length) off += await Deno.stdout.write(bytes.subarray(off));
}
