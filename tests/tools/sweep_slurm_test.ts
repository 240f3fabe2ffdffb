/**
 * `--engine slurm` against a real single-node Slurm (Debian's slurm-wlm and munge, installed with
 * apt-get when missing and this is root). The setup runs a private cluster: its own munged
 * socket, slurm.conf (via SLURM_CONF, so /etc is not touched), ports, state and spool
 * directories in a temporary directory; it starts munged, slurmctld and slurmd, and stops
 * exactly those processes at the end. Checks: the merged report of a job array equals the local
 * run's byte for byte; a failed task and a cancelled task, and an unreachable or missing
 * controller, end in exit code 3 with the missing seeds named. In CI (CI=true) a Slurm that
 * cannot be installed fails the test; elsewhere the test is skipped with the reason printed.
 */
import assert from "node:assert/strict";
import { shQuote, taskIds } from "../../tools/sweep_slurm.ts";

const root = new URL("../..", import.meta.url).pathname;
const CI = Deno.env.get("CI") === "true";
const dec = new TextDecoder();

async function run(
  cmd: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; out: string; err: string }> {
  try {
    const r = await new Deno.Command(cmd, { args, env, stdin: "null" }).output();
    return { code: r.code, out: dec.decode(r.stdout), err: dec.decode(r.stderr) };
  } catch (e) {
    return { code: 127, out: "", err: String(e) };
  }
}

/** Absolute path of a program, searching PATH and the sbin directories. */
async function which(cmd: string): Promise<string | undefined> {
  const r = await run("/bin/sh", ["-c", `PATH="$PATH:/usr/sbin:/sbin" command -v ${cmd}`]);
  return r.code === 0 ? r.out.trim() : undefined;
}

const PROGRAMS = ["sbatch", "squeue", "scontrol", "scancel", "sinfo", "slurmctld", "slurmd"];
const MUNGE = ["munged", "munge", "setpriv"];

/** Install Slurm and munge when missing (root with apt-get); the reason when it cannot. */
async function ensureSlurm(): Promise<string | undefined> {
  const missing = async () => {
    const out: string[] = [];
    for (const p of [...PROGRAMS, ...MUNGE]) if (!(await which(p))) out.push(p);
    return out;
  };
  let lack = await missing();
  if (lack.length === 0) return undefined;
  if (Deno.uid() !== 0) {
    return `Slurm/munge programs missing (${lack.join(", ")}) and not root, so apt-get cannot ` +
      "install slurm-wlm and munge";
  }
  if (!(await which("apt-get"))) {
    return `Slurm/munge programs missing (${lack.join(", ")}), no apt-get`;
  }
  const env = { DEBIAN_FRONTEND: "noninteractive" };
  console.log("sweep_slurm_test: installing slurm-wlm and munge with apt-get");
  let r = await run("apt-get", ["install", "-y", "-qq", "slurm-wlm", "munge"], env);
  if (r.code !== 0) {
    await run("apt-get", ["update", "-qq"], env);
    r = await run("apt-get", ["install", "-y", "-qq", "slurm-wlm", "munge"], env);
  }
  lack = await missing();
  if (lack.length === 0) return undefined;
  return `apt-get install slurm-wlm munge failed (exit ${r.code}: ${
    r.err.trim().split("\n").slice(-2).join(" | ")
  }); still missing: ${lack.join(", ")}`;
}

const unavailable = await ensureSlurm();
if (unavailable && !CI) console.log(`sweep_slurm_test: Slurm tests skipped: ${unavailable}`);

/** A free TCP port on this host. */
function freePort(): number {
  const l = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (l.addr as Deno.NetAddr).port;
  l.close();
  return port;
}

async function waitFor(what: string, ms: number, ok: () => Promise<boolean>): Promise<void> {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    if (await ok()) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out after ${ms / 1000} s waiting for ${what}`);
}

/** A private one-node Slurm: its directory, SLURM_CONF, and the daemons this test started. */
interface Cluster {
  dir: string;
  conf: string;
  daemons: { name: string; child: Deno.ChildProcess }[];
}

async function startCluster(): Promise<Cluster> {
  const dir = await Deno.makeTempDir({ prefix: "distlab_slurm_" });
  await Deno.chmod(dir, 0o755);
  const c: Cluster = { dir, conf: `${dir}/slurm.conf`, daemons: [] };
  try {
    for (const d of ["munge", "state", "spool", "log"]) await Deno.mkdir(`${dir}/${d}`);
    const uid = Number((await run("id", ["-u", "munge"])).out);
    const gid = Number((await run("id", ["-g", "munge"])).out);
    await Deno.chown(`${dir}/munge`, uid, gid);
    await Deno.stat("/etc/munge/munge.key").catch(() => {
      throw new Error("/etc/munge/munge.key is missing (the munge package creates it)");
    });
    const spawn = async (name: string, cmd: string, args: string[]) => {
      const child = new Deno.Command((await which(cmd))!, {
        args,
        env: { SLURM_CONF: c.conf },
        stdin: "null",
        stdout: "null",
        stderr: "null",
      }).spawn();
      c.daemons.push({ name, child });
    };
    const sock = `${dir}/munge/munge.socket`;
    await spawn("munged", "setpriv", [
      "--reuid=munge",
      "--regid=munge",
      "--init-groups",
      (await which("munged"))!,
      "--foreground",
      `--socket=${sock}`,
      `--pid-file=${dir}/munge/munged.pid`,
      `--log-file=${dir}/munge/munged.log`,
      `--seed-file=${dir}/munge/munged.seed`,
    ]);
    await waitFor("munged's socket", 10_000, () => Deno.stat(sock).then(() => true, () => false));
    const host = (await run("hostname", ["-s"])).out.trim();
    const cpus = navigator.hardwareConcurrency;
    await Deno.writeTextFile(
      c.conf,
      [
        "ClusterName=distlabtest",
        `SlurmctldHost=${host}`,
        `SlurmctldPort=${freePort()}`,
        `SlurmdPort=${freePort()}`,
        "AuthType=auth/munge",
        "CredType=cred/munge",
        `AuthInfo=socket=${sock}`,
        "SlurmUser=root",
        "SlurmdUser=root",
        `StateSaveLocation=${dir}/state`,
        `SlurmdSpoolDir=${dir}/spool`,
        `SlurmctldPidFile=${dir}/slurmctld.pid`,
        `SlurmdPidFile=${dir}/slurmd.pid`,
        `SlurmctldLogFile=${dir}/log/slurmctld.log`,
        `SlurmdLogFile=${dir}/log/slurmd.log`,
        "ProctrackType=proctrack/linuxproc",
        "TaskPlugin=task/none",
        "JobAcctGatherType=jobacct_gather/none",
        "AccountingStorageType=accounting_storage/none",
        "SelectType=select/cons_tres",
        "SelectTypeParameters=CR_CPU",
        "MpiDefault=none",
        "ReturnToService=2",
        `NodeName=${host} CPUs=${cpus} State=UNKNOWN`,
        `PartitionName=test Nodes=${host} Default=YES MaxTime=INFINITE State=UP`,
        "",
      ].join("\n"),
    );
    await spawn("slurmctld", "slurmctld", ["-D"]);
    await waitFor("slurmctld", 20_000, async () => {
      const r = await run("scontrol", ["ping"], { SLURM_CONF: c.conf });
      return /is UP/.test(r.out);
    });
    await spawn("slurmd", "slurmd", ["-D"]);
    await waitFor("the node to be idle", 30_000, async () => {
      const r = await run("sinfo", ["-h", "-o", "%t"], { SLURM_CONF: c.conf });
      return r.out.trim() === "idle";
    });
    return c;
  } catch (e) {
    await stopCluster(c, false);
    const log = await Deno.readTextFile(`${dir}/log/slurmctld.log`).catch(() => "");
    throw new Error(`could not start a one-node Slurm in ${dir}: ${(e as Error).message}\n${log}`);
  }
}

/** Stop the daemons this test started, by their process ids (slurmd first, munged last). */
async function stopCluster(c: Cluster, removeDir = true): Promise<void> {
  // jobs of this private cluster (a failed assertion may leave some) go first, with their steps
  const env = { SLURM_CONF: c.conf };
  if (c.daemons.some((d) => d.name === "slurmd")) {
    await run("scancel", ["--full", "--user", "root"], env);
    await waitFor("the queue to empty", 15_000, async () => {
      const q = await run("squeue", ["-h"], env);
      return q.code !== 0 || q.out.trim() === "";
    }).catch(() => {});
  }
  for (const { child } of [...c.daemons].reverse()) {
    try {
      child.kill("SIGTERM");
    } catch { /* already gone */ }
    const done = await Promise.race([
      child.status.then(() => true),
      new Promise<boolean>((r) => setTimeout(() => r(false), 10_000)),
    ]);
    if (!done) {
      try {
        child.kill("SIGKILL");
      } catch { /* already gone */ }
      await child.status;
    }
  }
  if (removeDir) await Deno.remove(c.dir, { recursive: true }).catch(() => {});
}

async function sweep(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number; out: string; err: string }> {
  const r = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "tools/sweep.ts", ...args],
    cwd: root,
    env: { NO_COLOR: "1", ...env },
    stdout: "piped",
    stderr: "piped",
  }).output();
  return { code: r.code, out: dec.decode(r.stdout), err: dec.decode(r.stderr) };
}

const SMALL = ["tendermint", "--seeds", "8", "--mistake", "prevoteIgnoresLock", "--shrink"];

Deno.test({
  name: "sweep --engine slurm: a job array on a real one-node Slurm gives the local report",
  ignore: unavailable !== undefined && !CI,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    if (unavailable) throw new Error(`CI needs a single-node Slurm for this test: ${unavailable}`);
    const c = await startCluster();
    const env = { SLURM_CONF: c.conf };
    try {
      await t.step("the merged report equals the local run's", async () => {
        const t0 = performance.now();
        const [local, slurm] = await Promise.all([
          sweep([...SMALL, "--workers", "1"], {}),
          sweep([
            ...SMALL,
            "--engine",
            "slurm",
            "--workers",
            "3",
            "--shard-dir",
            `${c.dir}/ok`,
            "--poll-ms",
            "250",
          ], env),
        ]);
        const secs = ((performance.now() - t0) / 1000).toFixed(1);
        console.log(`  slurm run: 8 seeds in 3 array tasks, ${secs} s`);
        assert.equal(local.code, 1, local.err);
        assert.match(local.out, /FAILED seed=8/);
        assert.equal(slurm.code, local.code, slurm.err);
        assert.equal(slurm.out, local.out);
        assert.match(slurm.err, /slurm: submitted job \d+ \(3 array tasks\)/);
        assert.match(slurm.err, /3 completed/);
      });

      await t.step(
        "a failed task and a cancelled task: error names them and the seeds",
        async () => {
          const dir = `${c.dir}/bad`;
          // shard 0 cannot create its result file (a non-empty directory is in the way)
          await Deno.mkdir(`${dir}/shard-0.jsonl/x`, { recursive: true });
          const child = new Deno.Command(Deno.execPath(), {
            args: [
              "run",
              "-A",
              "tools/sweep.ts",
              "pbft",
              "--seeds",
              "6",
              "--engine",
              "slurm",
              "--workers",
              "3",
              "--shard-dir",
              dir,
              "--poll-ms",
              "250",
              "--sbatch-args",
              "--hold",
            ],
            cwd: root,
            env: { NO_COLOR: "1", ...env },
            stdout: "piped",
            stderr: "piped",
          }).spawn();
          let id = "";
          await waitFor("the held job array", 30_000, async () => {
            const q = await run("squeue", ["-h", "-n", "sweep-pbft", "-o", "%F"], env);
            id = q.out.trim().split("\n")[0] ?? "";
            return /^\d+$/.test(id);
          });
          assert.equal((await run("scancel", [`${id}_1`], env)).code, 0);
          assert.equal((await run("scontrol", ["release", id], env)).code, 0);
          const r = await child.output();
          const out = dec.decode(r.stdout), err = dec.decode(r.stderr);
          assert.equal(r.code, 3, err);
          assert.match(
            out,
            /^2 passed, 0 failed; INCOMPLETE: 4 of 6 seeds missing \(seeds 1-4\)\n$/,
          );
          assert.match(
            err,
            new RegExp(`shard 0/3 \\(seeds 1-2\\) failed: array task ${id}_0 ended FAILED`),
          );
          assert.match(err, /IsADirectory|Is a directory/);
          assert.match(
            err,
            new RegExp(
              `shard 1/3 \\(seeds 3-4\\) failed: array task ${id}_1 ` +
                `(ended CANCELLED|left the queue without a final state \\(cancelled\\?\\))`,
            ),
          );
          assert.match(err, /rerun: deno task sweep pbft --seeds 4 --from 1/);
        },
      );

      await t.step("an unreachable controller: nothing submitted, every seed named", async () => {
        const conf = (await Deno.readTextFile(c.conf)).replace(
          /SlurmctldPort=\d+/,
          `SlurmctldPort=${freePort()}`,
        );
        await Deno.writeTextFile(`${c.dir}/down.conf`, conf);
        const r = await sweep(
          ["pbft", "--seeds", "4", "--engine", "slurm", "--shard-dir", `${c.dir}/down`],
          { SLURM_CONF: `${c.dir}/down.conf` },
        );
        assert.equal(r.code, 3, r.err);
        assert.equal(r.out, "0 passed, 0 failed; INCOMPLETE: 4 of 4 seeds missing (seeds 1-4)\n");
        assert.match(r.err, /slurm: controller unreachable \(scontrol ping: .*DOWN/);
        assert.match(r.err, /rerun: deno task sweep pbft --seeds 4 --from 1/);
      });
    } finally {
      await stopCluster(c);
    }
  },
});

Deno.test("sweep --engine slurm without Slurm on PATH: a clear error, every seed missing", async () => {
  const r = await sweep(["pbft", "--seeds", "3", "--engine", "slurm"], { PATH: "/nonexistent" });
  assert.equal(r.code, 3, r.err);
  assert.equal(r.out, "0 passed, 0 failed; INCOMPLETE: 3 of 3 seeds missing (seeds 1-3)\n");
  assert.match(r.err, /scontrol not found on PATH \(is Slurm installed on this host\?\)/);
});

Deno.test("squeue's array task field and shell quoting of shard arguments", async () => {
  assert.deepEqual(taskIds("3"), [3]);
  assert.deepEqual(taskIds("0-3"), [0, 1, 2, 3]);
  assert.deepEqual(taskIds("[1,4-5]"), [1, 4, 5]);
  assert.deepEqual(taskIds("0-2%1"), [0, 1, 2]);
  assert.deepEqual(taskIds("N/A"), []);
  const schedule = `[{"atMs":0,"type":"hold","from":"n3","to":"n0"}] it's`;
  const r = await run("/bin/sh", ["-c", `printf %s ${shQuote(schedule)}`]);
  assert.equal(r.out, schedule);
});
