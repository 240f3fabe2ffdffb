/**
 * Sweeps on all cores (tools/sweep_parallel.ts): `--workers 2` prints the serial report byte for
 * byte (failure, replay and shrink lines included), the merge does not depend on how seeds are
 * split or the order shards finish in, and bad input (`--workers 0`, a shard that dies) ends in
 * a clear error naming the missing seeds instead of a short report.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { ConfigError } from "../../lib/sim/errors.ts";
import {
  chunkFile,
  chunkRanges,
  formatSeeds,
  mergeReport,
  readShard,
  runClaims,
  type SeedResult,
  shardRange,
  type SweepJob,
  type SweepTable,
} from "../../tools/_sweep_shard.ts";
import { parseEngineArgs, shardArgs } from "../../tools/sweep_parallel.ts";

const root = new URL("../..", import.meta.url).pathname;

async function sweep(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const r = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "tools/sweep.ts", ...args],
    cwd: root,
    stdout: "piped",
    stderr: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  const dec = new TextDecoder();
  return { code: r.code, out: dec.decode(r.stdout), err: dec.decode(r.stderr) };
}

// seed 8 of the Tendermint sweep breaks agreement under this mistake, so the report has a
// FAILED block with its replay and shrink lines
const SMALL = ["tendermint", "--seeds", "8", "--mistake", "prevoteIgnoresLock", "--shrink"];

Deno.test("sweep --workers 2 prints the serial report byte for byte", async () => {
  const [serial, parallel] = await Promise.all([
    sweep([...SMALL, "--workers", "1"]),
    sweep([...SMALL, "--workers", "2"]),
  ]);
  assert.equal(serial.code, 1, serial.err);
  assert.match(serial.out, /FAILED seed=8: .*agreement/);
  assert.match(serial.out, /replay the minimal schedule: deno task sweep tendermint/);
  assert.match(serial.out, /\n7 passed, 1 failed\n$/);
  assert.equal(parallel.code, serial.code, parallel.err);
  assert.equal(parallel.out, serial.out);
  // both workers ran chunks (the subprocess claims its first one once it has started)
  const ran = /run by worker 0 \(this process\): (\d+), worker 1: (\d+)\)/.exec(parallel.err);
  assert.ok(ran, parallel.err);
  assert.equal(Number(ran[1]) + Number(ran[2]), chunkRanges(job(8, 1), 2).length);
  assert.match(parallel.err, /tendermint worker 1\/2 chunk \d+\/\d+: \d+\/\d+ seeds/);
});

Deno.test("chunks: every seed once, in order, each ceil(remaining / 2k) long", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 5000 }),
      fc.integer({ min: 0, max: 9 }),
      fc.integer({
        min: 1,
        max: 16,
      }),
      (n, from, k) => {
        const c = chunkRanges(job(n, from), k);
        assert.equal(c[0].start, from);
        assert.equal(c[c.length - 1].end, from + n);
        for (let i = 0; i < c.length; i++) {
          if (i > 0) assert.equal(c[i].start, c[i - 1].end);
          assert.equal(c[i].end - c[i].start, Math.ceil((from + n - c[i].start) / (2 * k)));
        }
      },
    ),
  );
  // 3,000 seeds on 2 workers: 750, 563, 422, … down to single seeds
  const sizes = chunkRanges(job(3000, 1), 2).map((r) => r.end - r.start);
  assert.deepEqual(sizes.slice(0, 3), [750, 563, 422]);
  assert.equal(sizes[sizes.length - 1], 1);
});

Deno.test("claims: workers running at once take each chunk exactly once, by who is free", async () => {
  const dir = await Deno.makeTempDir({ prefix: "sweep_claims_" });
  try {
    const ran: { worker: number; seed: number }[] = [];
    let now = 0;
    const table = (worker: number, ms: number): SweepTable => ({
      sweeps: {
        t: {
          describe: "test",
          // worker 1 is much slower (timers of a few ms may be clamped to 4 ms): it runs fewer seeds
          async run(seed: number) {
            ran.push({ worker, seed });
            await new Promise((r) => setTimeout(r, ms));
            now++;
            console.log(`seed ${seed} at ${now}`);
          },
        },
      },
      replayLine: () => "",
      shrinkSeed: () => Promise.reject(new Error("no shrinking here")),
    });
    const j: SweepJob = { ...job(60, 1), name: "t" };
    const [a, b] = await Promise.all([
      runClaims(table(0, 1), j, 2, dir, 0),
      runClaims(table(1, 20), j, 2, dir, 1),
    ]);
    const chunks = chunkRanges(j, 2);
    assert.equal(a + b, chunks.length);
    const seeds = ran.map((r) => r.seed).sort((x, y) => x - y);
    assert.deepEqual(seeds, Array.from({ length: 60 }, (_, i) => i + 1));
    const by1 = ran.filter((r) => r.worker === 1).length;
    assert.ok(by1 > 0 && by1 < 30, `the slow worker ran ${by1} of 60 seeds`);
    // every chunk file is complete and names its worker
    for (const [c, range] of chunks.entries()) {
      const f = readShard(chunkFile(dir, c), j, c, chunks.length, range);
      assert.equal(f.done, true);
      assert.deepEqual(
        f.results.map((r) => r.seed),
        seeds.filter((s) => s >= range.start && s < range.end),
      );
      assert.ok(f.worker === 0 || f.worker === 1);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("sweep: a chunk no worker could write ends in an error naming the missing seeds", async () => {
  const dir = await Deno.makeTempDir({ prefix: "sweep_test_" });
  try {
    // 6 seeds on 2 workers: chunks [1, 2], [3], [4], [5], [6]; chunk 2's result file cannot be
    // created (a directory is in the way), so no worker claims it
    await Deno.mkdir(chunkFile(dir, 1));
    const r = await sweep(["pbft", "--seeds", "6", "--workers", "2", "--shard-dir", dir]);
    assert.equal(r.code, 3, r.err);
    assert.match(r.out, /^5 passed, 0 failed; INCOMPLETE: 1 of 6 seeds missing \(seed 3\)\n$/);
    assert.match(r.err, /chunk 2\/5 \(seed 3\) failed: not run; no result file .*IsADirectory/);
    assert.match(r.err, /rerun: deno task sweep pbft --seeds 1 --from 3/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("sweep: a worker killed in the middle of a chunk is named with the seeds it lost", async () => {
  const dir = await Deno.makeTempDir({ prefix: "sweep_kill_" });
  try {
    const run = sweep(["pbft", "--seeds", "400", "--workers", "2", "--shard-dir", dir]);
    // wait for the subprocess to claim a chunk, and kill it before the chunk is done
    let victim: { pid: number; chunk: string } | undefined;
    for (let i = 0; i < 3000 && !victim; i++) {
      await new Promise((r) => setTimeout(r, 10));
      for (const e of Deno.readDirSync(dir)) {
        const text = Deno.readTextFileSync(`${dir}/${e.name}`);
        const head = text.split("\n")[0];
        if (!head || text.includes('"done"')) continue;
        const h = JSON.parse(head);
        if (h.worker === 1) victim = { pid: h.pid, chunk: e.name };
      }
    }
    assert.ok(victim, "the subprocess never claimed a chunk");
    Deno.kill(victim.pid, "SIGKILL");
    const r = await run;
    assert.equal(r.code, 3, r.err);
    assert.match(r.out, /; INCOMPLETE: \d+ of 400 seeds missing \(seeds? [\d, -]+\)\n$/);
    assert.match(
      r.err,
      /chunk \d+\/\d+ \(seeds? [\d, -]+\) failed: claimed by subprocess worker 1, which exited with code 137 \(SIGKILL\); missing seeds? /,
    );
    assert.match(r.err, /rerun: deno task sweep pbft --seeds \d+ --from \d+/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("sweep --workers 0 is refused before anything runs, naming the flag", async () => {
  assert.throws(() => parseEngineArgs(["pbft", "--workers", "0"]), (e: unknown) => {
    assert.ok(e instanceof ConfigError);
    assert.equal(e.issues[0].path, "workers");
    return true;
  });
  assert.throws(() => parseEngineArgs(["pbft", "--workers", "two"]), /workers/);
  assert.throws(() => parseEngineArgs(["pbft", "--engine", "mpi"]), /engine/);
  assert.throws(() => parseEngineArgs(["pbft", "--shard", "2/2", "--shard-out", "f"]), /shard/);
  assert.equal(parseEngineArgs(["pbft"]).workers, navigator.hardwareConcurrency);
  const r = await sweep(["pbft", "--seeds", "4", "--workers", "0"]);
  assert.equal(r.code, 2);
  assert.equal(r.out, "");
  assert.match(r.err, /invalid sweep arguments: workers: .*>=1/);
});

Deno.test("shards get the sweep's own flags, not the engine's", () => {
  assert.deepEqual(
    shardArgs(["pbft", "--seeds", "9", "--workers", "3", "--engine", "slurm", "--shrink"]),
    ["pbft", "--seeds", "9", "--shrink"],
  );
});

const job = (seeds: number, from: number): SweepJob => ({ name: "x", seeds, from, shrink: false });
const result = (seed: number): SeedResult => ({
  seed,
  ok: seed % 3 !== 0,
  lines: seed % 3 !== 0 ? [`  seed ${seed} ok`] : ["", `FAILED seed=${seed}: boom`],
});

Deno.test("merge: any split into shards, finished in any order, gives the serial report", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 40 }),
      fc.integer({ min: 0, max: 5 }),
      fc.integer({ min: 1, max: 12 }),
      fc.integer(),
      (n, from, k, salt) => {
        const j = job(n, from);
        const serial = Array.from({ length: n }, (_, i) => result(from + i));
        const shards = Array.from({ length: k }, (_, i) => {
          const r = shardRange(j, i, k);
          return serial.filter((s) => s.seed >= r.start && s.seed < r.end);
        });
        // the shards' ranges cover every seed exactly once
        assert.deepEqual(shards.flat(), serial);
        const shuffled = shards.map((s, i) => ({ s, key: (i * 2654435761 + salt) >>> 0 }))
          .sort((a, b) => a.key - b.key).flatMap((x) => [...x.s].reverse());
        const a = mergeReport(j, serial, [], "serial");
        const b = mergeReport(j, shuffled, [], "local");
        assert.equal(b.blocks + b.summary, a.blocks + a.summary);
        assert.equal(b.code, serial.every((r) => r.ok) ? 0 : 1);
      },
    ),
  );
});

Deno.test("merge: a short result set is never a complete report", () => {
  const j = job(10, 1);
  const got = [1, 2, 3, 5].map(result);
  const m = mergeReport(
    j,
    got,
    [{ shard: 1, of: 2, reason: "array task 7_1 ended CANCELLED" }],
    "t",
  );
  assert.equal(m.code, 3);
  assert.deepEqual(m.missing, [4, 6, 7, 8, 9, 10]);
  assert.match(m.summary, /INCOMPLETE: 6 of 10 seeds missing \(seeds 4, 6-10\)/);
  assert.match(m.error!, /shard 1\/2 \(seeds 6-10\) failed: array task 7_1 ended CANCELLED/);
  assert.match(m.error!, /rerun: deno task sweep x --seeds 1 --from 4\n.*--seeds 5 --from 6/);
  // missing seeds without a failed shard are still reported
  assert.equal(mergeReport(j, got, [], "t").code, 3);
  assert.equal(formatSeeds([7]), "seed 7");
});

Deno.test("readShard: a killed shard's file (torn last line, no done line) is not done", () => {
  const dir = Deno.makeTempDirSync();
  try {
    const j = job(4, 1);
    const f = `${dir}/s.jsonl`;
    const head = JSON.stringify({ shard: 0, of: 1, name: "x", start: 1, end: 5 });
    const lines = [head, JSON.stringify(result(1)), JSON.stringify(result(2))];
    Deno.writeTextFileSync(f, lines.join("\n") + "\n" + '{"seed":3,"ok":tr');
    const torn = readShard(f, j, 0, 1);
    assert.equal(torn.done, false);
    assert.deepEqual(torn.results.map((r) => r.seed), [1, 2]);
    Deno.writeTextFileSync(
      f,
      [...lines, JSON.stringify(result(3)), JSON.stringify(result(4)), '{"done":4}', ""].join("\n"),
    );
    assert.equal(readShard(f, j, 0, 1).done, true);
    // a file of another sweep's shard is refused
    assert.match(readShard(f, job(4, 2), 0, 1).problem!, /another sweep/);
    assert.match(readShard(`${dir}/none`, j, 0, 1).problem!, /no result file/);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
