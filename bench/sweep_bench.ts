/**
 * Speed-up of parallel sweeps (tools/sweep_parallel.ts): runs one CPU-heavy sweep serially
 * (`--workers 1`) and on K workers (default: the machine's cores) in the same run, alternating
 * `--reps` times, checks that both print the same report, and prints the wall times and the
 * ratio serial/parallel with the load average before and after (the machine may be shared).
 * Each repetition also runs the ceiling: the seeds split into K contiguous parts, each swept
 * serially by its own independent process, all at once (no chunks, no merge). Serial over that
 * is what K busy cores of this machine give K separate processes, so the parallel engine's
 * efficiency is the ceiling's time over its own.
 * `deno run -A bench/sweep_bench.ts [--sweep raft-battery] [--seeds 16] [--workers K] [--reps 1]`
 */
import { z } from "zod";
import { parseConfig } from "../lib/sim/errors.ts";

const argv = Deno.args;
const opt = (f: string) => {
  const i = argv.indexOf(f);
  return i >= 0 ? argv[i + 1] : undefined;
};
const p = parseConfig(
  z.object({
    sweep: z.string().min(1),
    seeds: z.number().int().min(1),
    workers: z.number().int().min(2),
    reps: z.number().int().min(1).max(20),
  }),
  {
    sweep: opt("--sweep") ?? "raft-battery",
    seeds: Number(opt("--seeds") ?? 16),
    workers: Number(opt("--workers") ?? Math.max(2, navigator.hardwareConcurrency)),
    reps: Number(opt("--reps") ?? 1),
  },
  "sweep bench arguments",
);

const root = new URL("..", import.meta.url).pathname;
const loadavg = () => Deno.readTextFileSync("/proc/loadavg").split(" ").slice(0, 3).join(" ");

const gnuTime = (() => {
  try {
    return Deno.statSync("/usr/bin/time").isFile;
  } catch {
    return false;
  }
})();

/** One sweep run: wall ms, the report, and CPU seconds of it and its subprocesses (GNU time). */
async function timed(
  workers: number,
  seeds = p.seeds,
  from = 1,
): Promise<{ ms: number; out: string; cpu?: number }> {
  const cpuFile = Deno.makeTempFileSync();
  const sweep = [
    Deno.execPath(),
    "run",
    "-A",
    "tools/sweep.ts",
    p.sweep,
    "--seeds",
    `${seeds}`,
    "--from",
    `${from}`,
    "--workers",
    `${workers}`,
  ];
  const cmd = gnuTime ? ["/usr/bin/time", "-o", cpuFile, "-f", "%U %S", ...sweep] : sweep;
  const t0 = performance.now();
  const r = await new Deno.Command(cmd[0], {
    args: cmd.slice(1),
    cwd: root,
    stdout: "piped",
    stderr: "null",
  }).output();
  const ms = performance.now() - t0;
  const out = new TextDecoder().decode(r.stdout);
  if (r.code !== 0) {
    throw new Error(
      `sweep ${p.sweep} --seeds ${seeds} --from ${from} --workers ${workers} exited ${r.code}:\n${out}`,
    );
  }
  const [u, s] = Deno.readTextFileSync(cpuFile).trim().split("\n").pop()!.split(" ").map(Number);
  Deno.removeSync(cpuFile);
  return { ms, out, cpu: gnuTime ? u + s : undefined };
}

/** The ceiling: K independent serial processes, one per contiguous part of the seeds, at once. */
async function ceiling(): Promise<{ ms: number; cpu?: number }> {
  const parts = Array.from({ length: p.workers }, (_, i) => {
    const start = Math.floor((i * p.seeds) / p.workers);
    return { from: 1 + start, seeds: Math.floor(((i + 1) * p.seeds) / p.workers) - start };
  }).filter((x) => x.seeds > 0);
  const t0 = performance.now();
  const runs = await Promise.all(parts.map((x) => timed(1, x.seeds, x.from)));
  const ms = performance.now() - t0;
  return { ms, cpu: gnuTime ? runs.reduce((a, r) => a + r.cpu!, 0) : undefined };
}

console.log(
  `sweep bench: ${p.sweep}, ${p.seeds} seeds, serial vs ${p.workers} workers, ${p.reps} rep(s); ` +
    `${navigator.hardwareConcurrency} cores; load average before: ${loadavg()}`,
);
let serial = 0, parallel = 0, serialCpu = 0, parallelCpu = 0, ceil = 0, ceilCpu = 0;
for (let rep = 0; rep < p.reps; rep++) {
  const s = await timed(1);
  const q = await timed(p.workers);
  const c = await ceiling();
  ceil += c.ms;
  ceilCpu += c.cpu ?? NaN;
  if (s.out !== q.out) throw new Error("the parallel report differs from the serial one");
  serial += s.ms;
  parallel += q.ms;
  serialCpu += s.cpu ?? NaN;
  parallelCpu += q.cpu ?? NaN;
  console.log(
    `  rep ${rep + 1}: serial ${(s.ms / 1000).toFixed(1)} s, ${p.workers} workers ` +
      `${(q.ms / 1000).toFixed(1)} s (same report: yes)` +
      (gnuTime
        ? `; CPU used: serial ${s.cpu!.toFixed(1)} s, parallel ${q.cpu!.toFixed(1)} s`
        : "") +
      `; ceiling (${p.workers} independent processes) ${(c.ms / 1000).toFixed(1)} s` +
      (gnuTime ? `, CPU ${c.cpu!.toFixed(1)} s` : ""),
  );
}
console.log(`load average after: ${loadavg()}`);
console.log(
  `speed-up serial/parallel: ${(serial / parallel).toFixed(2)}x ` +
    `(serial ${(serial / 1000).toFixed(1)} s, parallel ${(parallel / 1000).toFixed(1)} s, ` +
    `wall times including process start)`,
);
console.log(
  `ceiling serial/(${p.workers} independent processes): ${(serial / ceil).toFixed(2)}x ` +
    `(${(ceil / 1000).toFixed(1)} s); the parallel engine's efficiency against it: ` +
    `${(ceil / parallel).toFixed(2)} (1 = as fast as separate processes on the same seeds)` +
    (gnuTime ? `; ceiling CPU ${ceilCpu.toFixed(1)} s` : ""),
);
if (gnuTime) {
  // on a busy machine the wall ratio is bounded by the CPU share the runs get, not by cores
  console.log(
    `CPU used: serial ${serialCpu.toFixed(1)} s, parallel ${parallelCpu.toFixed(1)} s ` +
      `(parallel overhead ${((parallelCpu / serialCpu - 1) * 100).toFixed(0)} %); CPU share of ` +
      `the wall time: serial ${(serialCpu / (serial / 1000)).toFixed(2)} cores, parallel ` +
      `${(parallelCpu / (parallel / 1000)).toFixed(2)} cores`,
  );
  // A bound, not an estimate: a parallel run does at least the serial run's CPU work, and K cores
  // do it in no less than that work / K; the serial run's wall time is its CPU over its cores.
  const serialCores = serialCpu / (serial / 1000);
  console.log(
    `bound from the serial run's own CPU use: ${p.workers} cores / ${serialCores.toFixed(2)} ` +
      `cores = ${(p.workers / serialCores).toFixed(2)}x (no parallel run that does at least the ` +
      `serial run's CPU work can beat it on ${p.workers} cores)`,
  );
  // an estimate, not a measurement: the CPU work split evenly over K otherwise idle cores
  console.log(
    `estimate with ${p.workers} idle cores (serial CPU / (parallel CPU / ${p.workers})): ` +
      `${(serialCpu / (parallelCpu / p.workers)).toFixed(2)}x`,
  );
}
